#include "geo/store/live.h"

#include <libpq-fe.h>
#include <poll.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <unordered_map>

#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/store/pg.h"
#include "geo/store/schema.h"

namespace gw::store {

const std::vector<std::string>& live_tables() {
    static const std::vector<std::string> t = {"cameras", "incidents", "checks", "households"};
    return t;
}

std::string format_lag(double seconds) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%.1f", std::max(0.0, seconds));
    return buf;
}

namespace {

using Clock = std::chrono::steady_clock;
using Versions = std::unordered_map<int64_t, int64_t>;  // fid -> version

/** Past this many changed rows a table is read again whole: an IN list that long costs more. */
constexpr size_t kWholeTable = 2000;

/** The rows' versions as the dataset read them (the store's `version` column); nullopt when a row has none. */
std::optional<Versions> versions_in(const Dataset& ds, const std::string& table) {
    Versions v;
    bool ok = true;
    with_layer_rows(ds, table, [&](const auto& rows) {
        for (const auto& r : rows) {
            if (!r.version) {
                ok = false;  // not read from the store's table: the first comparison reads it whole
                return;
            }
            v[r.fid] = *r.version;
        }
    });
    if (!ok) return std::nullopt;
    return v;
}

/** The connection was lost (or a query on it failed): the loop reconnects. */
struct Lost {
    std::string why;
};

std::string first_line(std::string s) {
    for (const char* p : {"ERROR:  ", "FATAL:  "})
        if (s.rfind(p, 0) == 0) s = s.substr(8);
    if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    return s;
}

}  // namespace

struct LiveListener::Impl {
    struct Patch {
        std::string table;
        bool whole = false;          // rows replace the table
        std::vector<int64_t> ids;    // otherwise: these fids are replaced by rows (absent from rows: removed)
        Dataset rows;
    };

    std::string source;
    OpenOptions open;
    LiveTiming timing;
    std::map<std::string, std::optional<Versions>> versions;  // per table; nullopt: unknown
    std::map<std::string, std::string> fingerprint;           // per table, standby mode

    mutable std::mutex mutex;
    std::condition_variable wake;
    std::deque<Patch> patches;
    LiveStatus status;
    std::atomic<bool> stop{false};
    std::thread thread;

    PGconn* conn = nullptr;
    bool standby = false;
    std::map<std::string, std::string> masked_rel;  // households, grids, checks → the relation read
    std::string last_lsn;
    Clock::time_point last_traffic;

    ~Impl() { close(); }

    void close() {
        if (conn) PQfinish(conn);
        conn = nullptr;
    }

    /** Sleeps up to `d`, woken early by stop. */
    void pause(std::chrono::milliseconds d) {
        std::unique_lock lock(mutex);
        wake.wait_for(lock, d, [&] { return stop.load(); });
    }

    std::vector<Row> query(const std::string& sql) {
        PGresult* r = PQexec(conn, sql.c_str());
        const auto st = r ? PQresultStatus(r) : PGRES_FATAL_ERROR;
        if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
            const std::string why = first_line(PQerrorMessage(conn));
            if (r) PQclear(r);
            throw Lost{why};
        }
        std::vector<Row> rows;
        for (int i = 0; i < PQntuples(r); ++i) {
            Row row;
            for (int j = 0; j < PQnfields(r); ++j)
                row.push_back(PQgetisnull(r, i, j) ? std::nullopt : std::optional<std::string>(PQgetvalue(r, i, j)));
            rows.push_back(std::move(row));
        }
        PQclear(r);
        last_traffic = Clock::now();
        return rows;
    }

    void connect() {
        // A bounded wait on a server that does not answer; the PG: string's own timeout wins.
        // Named, so that an administrator sees (and a test finds) the listener in pg_stat_activity.
        const char* keys[] = {"connect_timeout", "application_name", "dbname", nullptr};
        const std::string info = conninfo_of(source);
        const char* values[] = {"5", "gridwatch live", info.c_str(), nullptr};
        conn = PQconnectdbParams(keys, values, 1);
        if (!conn || PQstatus(conn) != CONNECTION_OK) {
            const std::string why = conn ? first_line(PQerrorMessage(conn)) : "out of memory";
            close();
            throw Lost{why};
        }
        PQsetNoticeProcessor(conn, [](void*, const char*) {}, nullptr);
        PQsetClientEncoding(conn, "UTF8");
        last_traffic = Clock::now();
        standby = query("SELECT pg_is_in_recovery()").at(0).at(0).value_or("f") == "t";
        // A wall login reads households, grids and checks through the masked views (SPEC §9), as
        // the reader does.
        for (const auto& [table, masked] : masked_columns()) {
            const std::string view = table + "_public";
            masked_rel[table] =
                query("SELECT has_table_privilege(" + quote_literal(table) + ", 'SELECT') OR to_regclass(" +
                      quote_literal(view) + ") IS NULL OR NOT has_table_privilege(" + quote_literal(view) +
                      ", 'SELECT')")
                            .at(0)
                            .at(0)
                            .value_or("t") == "t"
                    ? table
                    : view;
        }
        // LISTEN is refused during recovery: a standby is watched by its replay position.
        if (!standby) query("LISTEN gridwatch");
        last_lsn.clear();
        std::lock_guard lock(mutex);
        status.standby = standby;
    }

    std::string rel(const std::string& table) const {
        const auto it = masked_rel.find(table);
        return it == masked_rel.end() ? table : it->second;
    }

    /** Rows of `table` read again through the dataset reader: `ids` only, or all. */
    Dataset read(const std::string& table, const std::vector<int64_t>* ids) {
        OpenOptions o = open;
        o.layers = {table};
        o.progress = nullptr;
        if (ids) o.fids = *ids;
        return open_dataset({source}, o);
    }

    void push(Patch p) {
        std::lock_guard lock(mutex);
        patches.push_back(std::move(p));
    }

    /** Reads the rows `ids` of `table` again and hands them over (with their versions noted first). */
    void reread(const std::string& table, std::vector<int64_t> ids) {
        std::sort(ids.begin(), ids.end());
        ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
        if (ids.empty()) return;
        if (ids.size() > kWholeTable) return resync(table, true);
        std::string list;
        for (int64_t id : ids) list += (list.empty() ? "" : ",") + std::to_string(id);
        // Versions first, rows second: a change in between is read with the older version noted,
        // and read once more at the next comparison. Noted only once the rows are in hand, so a
        // read cut off by a lost connection is made good by the comparison after reconnecting.
        const auto rows = query("SELECT fid, version FROM " + quote_ident(rel(table)) + " WHERE fid = ANY('{" + list +
                                "}'::bigint[])");
        Patch p;
        p.table = table;
        p.ids = ids;
        p.rows = read(table, &ids);
        if (auto& known = versions[table]) {
            for (int64_t id : ids) known->erase(id);
            for (const auto& r : rows)
                if (r.size() == 2 && r[0] && r[1]) (*known)[std::stoll(*r[0])] = std::stoll(*r[1]);
        }
        push(std::move(p));
    }

    /**
     * Compares the table's (fid, version) with what is known and reads again what differs; with
     * `force` (or nothing known) reads the whole table. On a standby a cheap fingerprint first
     * tells whether the table changed at all.
     */
    void resync(const std::string& table, bool force = false) {
        const std::string R = quote_ident(rel(table));
        std::string fp;
        if (standby) {
            // An insert adds a row, an update adds 1 to a version, a delete takes a row away.
            const auto f = query("SELECT count(*) || ' ' || coalesce(sum(version), 0) || ' ' || coalesce(max(fid), 0) || ' ' || "
                                 "coalesce(max(updated_at)::text, '') FROM " + R);
            fp = f.empty() || f[0].empty() ? "" : f[0][0].value_or("");
            if (!force && fingerprint[table] == fp && versions[table]) return;
        }
        auto& known = versions[table];
        Versions now;
        for (const auto& r : query("SELECT fid, version FROM " + R))
            if (r.size() == 2 && r[0] && r[1]) now[std::stoll(*r[0])] = std::stoll(*r[1]);
        std::vector<int64_t> changed, gone;
        if (known && !force) {
            for (const auto& [fid, v] : now)
                if (auto it = known->find(fid); it == known->end() || it->second != v) changed.push_back(fid);
            for (const auto& [fid, v] : *known)
                if (!now.count(fid)) gone.push_back(fid);
        }
        const bool whole = force || !known || changed.size() > kWholeTable;
        if (!whole && changed.empty() && gone.empty()) {
            fingerprint[table] = fp;
            return;
        }
        Patch p;
        p.table = table;
        p.whole = whole;
        if (whole) {
            p.rows = read(table, nullptr);
        } else {
            p.ids = changed;
            p.ids.insert(p.ids.end(), gone.begin(), gone.end());
            if (!changed.empty()) p.rows = read(table, &changed);  // deletions alone: nothing to read
        }
        known = std::move(now);
        fingerprint[table] = fp;
        push(std::move(p));
    }

    /** One wait for notifications on a primary; the changed rows read again. */
    void step_primary() {
        pollfd pfd{PQsocket(conn), POLLIN, 0};
        if (pfd.fd < 0) throw Lost{"the connection has no socket"};
        const int n = ::poll(&pfd, 1, 200);
        if (n < 0 && errno != EINTR) throw Lost{"poll failed"};
        if (n > 0) {
            if (!PQconsumeInput(conn)) throw Lost{first_line(PQerrorMessage(conn))};
            last_traffic = Clock::now();
        }
        if (PQstatus(conn) != CONNECTION_OK) throw Lost{first_line(PQerrorMessage(conn))};
        std::map<std::string, std::vector<int64_t>> ids;
        std::set<std::string> whole;
        for (PGnotify* note; (note = PQnotifies(conn)) != nullptr; PQfreemem(note)) {
            try {
                const auto j = nlohmann::json::parse(note->extra ? note->extra : "");
                const std::string table = j.value("table", "");
                if (std::find(live_tables().begin(), live_tables().end(), table) == live_tables().end()) continue;
                // Past NOTIFY's payload limit the ids are left out: the table is compared instead.
                if (!j.contains("ids") || !j["ids"].is_array()) {
                    whole.insert(table);
                    continue;
                }
                for (const auto& id : j["ids"]) ids[table].push_back(id.get<int64_t>());
            } catch (const std::exception&) {
                // not ours (another program NOTIFYing on the channel): nothing to read
            }
        }
        for (const auto& t : whole) resync(t), ids.erase(t);
        for (auto& [t, list] : ids) reread(t, std::move(list));
        // An idle connection that died without a word (a cut cable) shows on a query.
        if (Clock::now() - last_traffic > timing.heartbeat) query("SELECT 1");
    }

    /** On a standby: the lag, and when replay has moved, every table compared. */
    void step_standby() {
        const auto r = query(
            "SELECT pg_last_wal_replay_lsn()::text, CASE WHEN pg_last_wal_receive_lsn() IS NULL OR "
            "pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 ELSE "
            "coalesce(extract(epoch FROM now() - pg_last_xact_replay_timestamp()), 0) END, pg_is_in_recovery()");
        if (r.empty() || r[0].size() < 3) throw Lost{"no answer to the replay position"};
        const std::string lsn = r[0][0].value_or("");
        {
            std::lock_guard lock(mutex);
            status.lag_s = r[0][1] ? std::optional<double>(std::stod(*r[0][1])) : std::nullopt;
        }
        if (r[0][2].value_or("t") != "t") throw Lost{"the standby was promoted: connecting again as to a primary"};
        if (lsn != last_lsn) {
            last_lsn = lsn;
            for (const auto& t : live_tables()) resync(t);
        }
        pause(timing.standby_poll);
    }

    void run() {
        auto backoff = timing.first_backoff;
        bool ever = false;
        while (!stop) {
            if (!conn) {
                try {
                    connect();
                    for (const auto& t : live_tables()) resync(t);  // what changed while away (or before the start)
                    backoff = timing.first_backoff;
                    std::lock_guard lock(mutex);
                    status.state = LiveState::Live;
                    status.error.clear();
                    status.attempts = 0;
                    status.retry_in_s = 0;
                    if (ever) ++status.reconnects;
                    ever = true;
                } catch (const Lost& l) {
                    lost(l.why, backoff);
                    pause(backoff);
                    backoff = std::min(backoff * 2, timing.max_backoff);
                    continue;
                } catch (const std::exception& e) {
                    // The reader's error (a table that cannot be read any more): say so and retry.
                    lost(e.what(), backoff);
                    pause(backoff);
                    backoff = std::min(backoff * 2, timing.max_backoff);
                    continue;
                }
            }
            try {
                if (standby) step_standby();
                else step_primary();
            } catch (const Lost& l) {
                lost(l.why, backoff);
            } catch (const std::exception& e) {
                lost(e.what(), backoff);
            }
            // A server going down for a restart refuses connections for a while: not at once again.
            if (!conn) pause(backoff);
        }
    }

    void lost(const std::string& why, std::chrono::milliseconds retry) {
        close();
        std::lock_guard lock(mutex);
        if (status.state == LiveState::Live) ++status.losses, status.attempts = 0;
        status.state = LiveState::Lost;
        status.error = why;
        ++status.attempts;
        status.retry_in_s = std::chrono::duration<double>(retry).count();
        status.lag_s.reset();
    }
};

LiveListener::LiveListener(const Dataset& ds, OpenOptions options, LiveTiming timing)
    : impl_(std::make_shared<Impl>()) {
    if (!is_pg_source(ds.source))
        throw Error("live updates need a PG: dataset", {ds.source}, "open the shared store as PG:…");
    impl_->source = ds.source;
    options.work_crs = ds.work_crs_wkt.empty() ? ds.work_crs : ds.work_crs_wkt;
    options.progress = nullptr;
    impl_->open = std::move(options);
    impl_->timing = timing;
    for (const auto& t : live_tables()) impl_->versions[t] = versions_in(ds, t);
    impl_->thread = std::thread([impl = impl_.get()] { impl->run(); });
}

LiveListener::~LiveListener() {
    {
        std::lock_guard lock(impl_->mutex);
        impl_->stop = true;
    }
    impl_->wake.notify_all();
    if (impl_->thread.joinable()) impl_->thread.join();
}

bool LiveListener::pending() const {
    std::lock_guard lock(impl_->mutex);
    return !impl_->patches.empty();
}

LiveStatus LiveListener::status() const {
    std::lock_guard lock(impl_->mutex);
    return impl_->status;
}

namespace {

/**
 * A patch read before this program's own save (held while the user edited) must not take the
 * saved row back: a row the dataset holds at a later version than the patch's stays.
 */
template <class F>
bool newer_here(const F& here, const F& fresh) {
    return here.version && fresh.version && *here.version > *fresh.version;
}

template <class F>
void apply_rows(std::vector<F>& rows, std::vector<F>&& fresh, const std::vector<int64_t>& ids, bool whole,
                LiveApplied& out) {
    std::unordered_map<int64_t, size_t> at;
    for (size_t i = 0; i < rows.size(); ++i) at[rows[i].fid] = i;
    if (whole) {
        for (auto& f : fresh)
            if (auto it = at.find(f.fid); it != at.end() && newer_here(rows[it->second], f)) f = std::move(rows[it->second]);
        out.removed += rows.size() > fresh.size() ? rows.size() - fresh.size() : 0;
        out.upserted += fresh.size();
        rows = std::move(fresh);
        return;
    }
    std::set<int64_t> seen;
    for (auto& f : fresh) {
        seen.insert(f.fid);
        auto it = at.find(f.fid);
        if (it != at.end() && newer_here(rows[it->second], f)) continue;
        ++out.upserted;
        if (it != at.end())
            rows[it->second] = std::move(f);
        else
            rows.push_back(std::move(f));
    }
    std::set<int64_t> drop;
    for (int64_t id : ids)
        if (!seen.count(id) && at.count(id)) drop.insert(id);
    if (!drop.empty()) {
        out.removed += drop.size();
        rows.erase(std::remove_if(rows.begin(), rows.end(), [&](const F& f) { return drop.count(f.fid) > 0; }),
                   rows.end());
    }
}

}  // namespace

LiveApplied LiveListener::apply(Dataset& ds, const std::set<std::string>& hold) {
    std::deque<Impl::Patch> todo, held;
    {
        std::lock_guard lock(impl_->mutex);
        for (auto& p : impl_->patches) (hold.count(p.table) ? held : todo).push_back(std::move(p));
        impl_->patches = std::move(held);  // the thread pushes under this lock: nothing came meanwhile
    }
    LiveApplied out;
    for (auto& p : todo) {
        const size_t before = out.upserted + out.removed;
        auto take = [&](auto& rows, auto& fresh) { apply_rows(rows, std::move(fresh), p.ids, p.whole, out); };
        if (p.table == "cameras") {
            // Each camera's layer as ds lists it (the patch's own list may differ: a table added since).
            for (Camera& c : p.rows.cameras) {
                const int k = c.source_layer;
                c.source_layer = -1;
                if (k < 0 || static_cast<size_t>(k) >= p.rows.layers.size()) continue;
                const LayerInfo& l = p.rows.layers[static_cast<size_t>(k)];
                for (size_t j = 0; j < ds.layers.size(); ++j)
                    if (ds.layers[j].source == l.source && ds.layers[j].source_name == l.source_name)
                        c.source_layer = static_cast<int>(j);
            }
            take(ds.cameras, p.rows.cameras);
        } else if (p.table == "incidents")
            take(ds.incidents, p.rows.incidents);
        else if (p.table == "checks") take(ds.checks, p.rows.checks);
        else if (p.table == "households") take(ds.households, p.rows.households);
        if (out.upserted + out.removed == before) continue;
        out.tables.insert(p.table);
        // The layer's field list as the store has it now (a re-read whole table may have more).
        if (p.whole && p.rows.extra_fields.count(p.table)) ds.extra_fields[p.table] = p.rows.extra_fields[p.table];
        int64_t count = 0;
        with_layer_rows(ds, p.table, [&](const auto& rows) { count = int64_t(rows.size()); });
        for (auto& l : ds.layers)
            if (l.name == p.table) l.count = count;
    }
    if (out.tables.count("cameras")) {
        drop_repeated_cameras(ds);  // as the reading does: a row repeated whole is one camera
        ds.report.bad_cameras = validate_cameras(ds.cameras, ds.layers);
    }
    return out;
}

void wait_live(const LiveListener& live, bool for_change) {
    const auto t0 = Clock::now();
    auto ready = [&] {
        if (for_change) return live.pending();
        const auto s = live.status();
        return s.state == LiveState::Live && (!s.standby || s.lag_s.has_value());
    };
    while (!ready() && Clock::now() - t0 < std::chrono::seconds(20))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
}

}  // namespace gw::store
