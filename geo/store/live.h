#pragma once
/**
 * Live updates from the shared store (SPEC §9 "Live"), for the viewer and the wall alike: a
 * listener on a libpq connection of its own, on a thread of its own, so that nothing the network
 * does ever holds up a frame. On a primary it LISTENs on `gridwatch` (the triggers of
 * geo/store/schema.cpp name the table and the fids of every change); on a hot standby, where
 * LISTEN is refused, it watches the replayed WAL position and compares the tables' (fid, version)
 * when it moves. Changed rows are read again through the dataset reader (geo/io/dataset.h, the
 * same fields and CRS as the first read) and handed over by apply(), once per frame, on the UI
 * thread. A lost connection is retried with backoff; on every (re)connection the listener
 * compares (fid, version) of each table with what it knows, so nothing changed meanwhile is
 * missed, deletions included.
 */
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <set>
#include <string>

#include "geo/core/model.h"
#include "geo/io/dataset.h"

namespace gw::store {

/** The tables a live dataset follows (the ones people change while a wall watches). */
const std::vector<std::string>& live_tables();

enum class LiveState {
    Connecting,  // before the first connection
    Live,        // connected: changes arrive
    Lost,        // the connection is gone (or could not be made): retrying with backoff
};

struct LiveStatus {
    LiveState state = LiveState::Connecting;
    std::string error;          // why the connection was lost or refused (the server's first line)
    int attempts = 0;           // reconnection attempts since it was lost
    double retry_in_s = 0;      // seconds to the next attempt (while Lost)
    uint64_t losses = 0;        // times the connection was lost
    uint64_t reconnects = 0;    // times it came back after a loss
    bool standby = false;       // the server is a streaming-replication hot standby
    std::optional<double> lag_s;  // on a standby: how far replay is behind the primary (0 when caught up)
};

/** What one apply() changed in the dataset. */
struct LiveApplied {
    std::set<std::string> tables;  // tables whose rows changed
    size_t upserted = 0, removed = 0;
    bool any() const { return !tables.empty(); }
};

/** Test and benchmark knobs; the defaults are what the viewer and the wall use. */
struct LiveTiming {
    std::chrono::milliseconds first_backoff{250}, max_backoff{4000};
    std::chrono::milliseconds standby_poll{100};  // how often a standby's replay position is read
    std::chrono::milliseconds heartbeat{2000};    // an idle primary connection is checked this often
};

class LiveListener {
public:
    /**
     * Starts following the `PG:` source `ds` was read from, with the options it was opened with
     * (the working CRS is taken from `ds`). The rows `ds` holds are the starting point: their
     * `version` fields (the store's column) tell what changed before the listener connected.
     */
    LiveListener(const Dataset& ds, OpenOptions options, LiveTiming timing = {});
    ~LiveListener();
    LiveListener(const LiveListener&) = delete;
    LiveListener& operator=(const LiveListener&) = delete;

    /**
     * Applies to `ds` every change read since the last call, in order: changed rows replaced in
     * place, new rows appended, deleted rows removed (so indices into the changed tables move).
     * Never waits on the network. The changes of the tables in `hold` (the viewer's cameras while
     * the user has unsaved edits of them) stay queued, in order, for a later call.
     */
    LiveApplied apply(Dataset& ds, const std::set<std::string>& hold = {});
    /** True when apply() has something to apply. */
    bool pending() const;
    LiveStatus status() const;

    struct Impl;

private:
    std::shared_ptr<Impl> impl_;
};

/** "复制延迟 0.3 s"-style figure: the lag in seconds with one decimal ("0.3"). */
std::string format_lag(double seconds);

/**
 * Scripted runs of the viewer and the wall (their live_ready / live_wait keys): waits, at most
 * 20 s, until a change has come in (`for_change`), or until the listener follows the store (on
 * a standby, once it knows the lag).
 */
void wait_live(const LiveListener& live, bool for_change);

}  // namespace gw::store
