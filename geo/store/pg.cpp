#include "geo/store/pg.h"

#include <libpq-fe.h>

#include <algorithm>
#include <cstdlib>
#include <memory>

#include "geo/core/error.h"
#include "geo/core/text.h"

namespace gw::store {

bool is_pg_source(const std::string& source) {
    return source.size() >= 3 && (source.compare(0, 3, "PG:") == 0 || source.compare(0, 3, "pg:") == 0);
}

std::string conninfo_of(const std::string& pg_source) {
    return is_pg_source(pg_source) ? pg_source.substr(3) : pg_source;
}

void append_copy_text(std::string& out, const std::string& value) {
    for (char c : value) {
        switch (c) {
            case '\\': out += "\\\\"; break;
            case '\t': out += "\\t"; break;
            case '\n': out += "\\n"; break;
            case '\r': out += "\\r"; break;
            default: out += c;
        }
    }
}

namespace {

std::string first_line(const char* msg) {
    std::string s = msg ? msg : "";
    if (s.rfind("ERROR:  ", 0) == 0) s = s.substr(8);
    if (s.rfind("FATAL:  ", 0) == 0) s = s.substr(8);
    const auto nl = s.find('\n');
    if (nl != std::string::npos) s.resize(nl);
    return s;
}

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using Result = std::unique_ptr<PGresult, ResultDeleter>;

}  // namespace

[[noreturn]] void throw_server_error(const std::string& source, const std::string& what, const std::string& message,
                                     const std::string& sqlstate, const std::string& detail) {
    std::string problem = (what.empty() ? std::string() : what + ": ") + message;
    if (sqlstate == "23505")  // unique_violation: the detail names the key and the value
        throw Error(problem + (detail.empty() ? std::string() : " (" + detail + ")"), {source},
                    "a value that must be unique appears more than once: correct the rows in the source, then run again");
    if (sqlstate == "42501")
        throw Error(problem, {source},
                    "connect as a role that has this right, or ask the database owner to grant it");
    if (sqlstate == "57P01" || sqlstate.rfind("08", 0) == 0)
        throw Error(problem, {source}, "the connection was lost; nothing was changed, run the command again");
    throw Error(problem, {source});
}

Connection::Connection(const std::string& pg_source) : source_(without_secrets(pg_source)) {
    const std::string info = conninfo_of(pg_source);
    // A bad conninfo ("hots=x") is reported by PQconnectdb as a connection failure; name it as such.
    char* err = nullptr;
    PQconninfoOption* opts = PQconninfoParse(info.c_str(), &err);
    if (!opts) {
        const std::string why = first_line(err);
        PQfreemem(err);
        throw Error("not a PostgreSQL connection string: " + why, {source_},
                    "write it as PG:\"host=HOST port=5432 dbname=NAME user=USER\"");
    }
    PQconninfoFree(opts);
    conn_ = PQconnectdb(info.c_str());
    if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
        const std::string why = first_line(conn_ ? PQerrorMessage(conn_) : "out of memory");
        if (conn_) PQfinish(conn_);
        conn_ = nullptr;
        throw Error("cannot connect: " + why, {source_},
                    "check host, port, dbname, user and password in the PG: string and that the server runs");
    }
    PQsetClientEncoding(conn_, "UTF8");
    // Notices (e.g. "extension already exists, skipping") are not for the user's terminal.
    PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
}

Connection::~Connection() {
    if (conn_) PQfinish(conn_);
}

void Connection::exec(const std::string& sql, const std::string& what) {
    Result r(PQexec(conn_, sql.c_str()));
    const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st == PGRES_COMMAND_OK || st == PGRES_TUPLES_OK || st == PGRES_EMPTY_QUERY) return;
    const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    const char* detail = r ? PQresultErrorField(r.get(), PG_DIAG_MESSAGE_DETAIL) : nullptr;
    throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), state ? state : "", first_line(detail));
}

std::vector<Row> Connection::query(const std::string& sql, const std::string& what) {
    Result r(PQexec(conn_, sql.c_str()));
    const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK) {
        const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
        throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), state ? state : "");
    }
    std::vector<Row> rows;
    const int n = PQntuples(r.get()), m = PQnfields(r.get());
    rows.reserve(n);
    for (int i = 0; i < n; ++i) {
        Row row;
        for (int j = 0; j < m; ++j)
            row.push_back(PQgetisnull(r.get(), i, j) ? std::nullopt
                                                     : std::optional<std::string>(PQgetvalue(r.get(), i, j)));
        rows.push_back(std::move(row));
    }
    return rows;
}

std::string Connection::scalar(const std::string& sql, const std::string& what) {
    const auto rows = query(sql, what);
    if (rows.empty() || rows[0].empty() || !rows[0][0]) return {};
    return *rows[0][0];
}

long long Connection::exec_count(const std::string& sql, const std::string& what) {
    Result r(PQexec(conn_, sql.c_str()));
    const auto st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
        throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), state ? state : "");
    }
    const char* n = PQcmdTuples(r.get());
    return n && *n ? std::atoll(n) : 0;
}

void Connection::copy_in(const std::string& copy_sql, const std::string& text, const std::string& what) {
    copy_begin(copy_sql, what);
    // In pieces: libpq buffers what it is given, and one call of a county's rows would double it.
    constexpr size_t kPiece = 1 << 20;
    for (size_t at = 0; at < text.size(); at += kPiece) copy_put(text.data() + at, std::min(kPiece, text.size() - at), what);
    copy_end(what);
}

void Connection::copy_begin(const std::string& copy_sql, const std::string& what) {
    Result r(PQexec(conn_, copy_sql.c_str()));
    if (r && PQresultStatus(r.get()) == PGRES_COPY_IN) return;
    const char* state = r ? PQresultErrorField(r.get(), PG_DIAG_SQLSTATE) : nullptr;
    throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), state ? state : "");
}

void Connection::copy_put(const char* data, size_t size, const std::string& what) {
    if (size == 0 || PQputCopyData(conn_, data, static_cast<int>(size)) == 1) return;
    // The connection is gone or the server refused: its reason comes with the COPY's result.
    PQputCopyEnd(conn_, "gridwatch stopped sending");
    copy_result(what);
}

void Connection::copy_end(const std::string& what) {
    if (PQputCopyEnd(conn_, nullptr) != 1) throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), "");
    copy_result(what);
}

void Connection::copy_result(const std::string& what) {
    Result last;
    for (PGresult* res; (res = PQgetResult(conn_)) != nullptr;) last.reset(res);
    if (last && PQresultStatus(last.get()) == PGRES_COMMAND_OK) return;
    const char* state = last ? PQresultErrorField(last.get(), PG_DIAG_SQLSTATE) : nullptr;
    throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), state ? state : "");
}

void Connection::send(const std::string& sql, const std::string& what) {
    if (PQsendQuery(conn_, sql.c_str()) != 1) throw_server_error(source_, what, first_line(PQerrorMessage(conn_)), "");
}

void Connection::finish(const std::string& what) {
    Result failed;
    for (PGresult* res; (res = PQgetResult(conn_)) != nullptr;) {
        const auto st = PQresultStatus(res);
        if (!failed && st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK && st != PGRES_EMPTY_QUERY)
            failed.reset(res);
        else
            PQclear(res);
    }
    if (!failed) return;
    const char* state = PQresultErrorField(failed.get(), PG_DIAG_SQLSTATE);
    const char* msg = PQresultErrorMessage(failed.get());
    throw_server_error(source_, what, first_line(msg && *msg ? msg : PQerrorMessage(conn_)), state ? state : "",
                       first_line(PQresultErrorField(failed.get(), PG_DIAG_MESSAGE_DETAIL)));
}

std::string Connection::database() const { return PQdb(conn_) ? PQdb(conn_) : ""; }
std::string Connection::user() const { return PQuser(conn_) ? PQuser(conn_) : ""; }

Transaction::Transaction(Connection& pg, const std::string& what) : pg_(pg) { pg_.exec("BEGIN", what); }

Transaction::~Transaction() {
    if (!open_) return;
    try {
        pg_.exec("ROLLBACK");
    } catch (const Error&) {  // the connection is gone, and the transaction with it
    }
}

void Transaction::commit(const std::string& what) {
    open_ = false;
    pg_.exec("COMMIT", what);
}

void Transaction::rollback(const std::string& what) {
    open_ = false;
    pg_.exec("ROLLBACK", what);
}

}  // namespace gw::store
