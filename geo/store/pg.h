#pragma once
/**
 * A libpq connection for the shared store (SPEC §9): the PostGIS extension, db init's tables and
 * rows (geo/store/load.h), DDL after a load, roles and policies, pushes and conflicts.
 * Every failure is a gw::Error naming the database and what to do.
 */
#include <optional>
#include <string>
#include <vector>

struct pg_conn;

namespace gw::store {

/** True for a `PG:` dataset name. */
bool is_pg_source(const std::string& source);
/** The libpq conninfo of a `PG:` name ("PG:" stripped). */
std::string conninfo_of(const std::string& pg_source);
/** One value of COPY's text format: backslash, tab, newline and carriage return escaped. */
void append_copy_text(std::string& out, const std::string& value);

using Row = std::vector<std::optional<std::string>>;

class Connection {
public:
    /** Connects; throws gw::Error "cannot connect to PG:…: <libpq's reason>" with a hint. */
    explicit Connection(const std::string& pg_source);
    ~Connection();
    Connection(const Connection&) = delete;
    Connection& operator=(const Connection&) = delete;

    /** Runs statements; throws gw::Error with the server's message (`what` says what was being done). */
    void exec(const std::string& sql, const std::string& what = {});
    /** Runs a query and returns its rows as text (NULL as nullopt). */
    std::vector<Row> query(const std::string& sql, const std::string& what = {});
    /** The first column of the first row ("" when none or NULL). */
    std::string scalar(const std::string& sql, const std::string& what = {});
    /** Runs one INSERT, UPDATE or DELETE and returns how many rows it touched. */
    long long exec_count(const std::string& sql, const std::string& what = {});
    /** `COPY … FROM STDIN` with `text` (COPY's text format, see copy_text()) as its whole input. */
    void copy_in(const std::string& copy_sql, const std::string& text, const std::string& what = {});
    /**
     * The same in steps, for rows made while the server takes the earlier ones: copy_begin starts
     * the COPY, copy_put sends a piece (any cut, libpq buffers it), copy_end ends it and waits for
     * the server's answer. A failure between them leaves the connection in the COPY: end it with
     * copy_end or let the Transaction's ROLLBACK do so.
     */
    void copy_begin(const std::string& copy_sql, const std::string& what = {});
    void copy_put(const char* data, size_t size, const std::string& what = {});
    void copy_end(const std::string& what = {});
    /**
     * Sends statements without waiting for them (the server works while the caller does), and
     * then, in finish(), waits for them; the server's error is thrown by finish(). Nothing else may
     * be sent in between.
     */
    void send(const std::string& sql, const std::string& what = {});
    void finish(const std::string& what = {});

    const std::string& source() const { return source_; }  // printable
    std::string database() const;
    std::string user() const;
    pg_conn* raw() { return conn_; }

private:
    void copy_result(const std::string& what);

    pg_conn* conn_ = nullptr;
    std::string source_;
};

/**
 * One transaction on a connection: BEGIN when made, ROLLBACK when it goes out of scope without
 * commit() (an error on the way leaves the database as it was; a lost connection has rolled it
 * back already).
 */
class Transaction {
public:
    explicit Transaction(Connection& pg, const std::string& what = {});
    ~Transaction();
    Transaction(const Transaction&) = delete;
    Transaction& operator=(const Transaction&) = delete;
    void commit(const std::string& what = {});
    /** Ends it without writing anything (a save that found conflicts). */
    void rollback(const std::string& what = {});

private:
    Connection& pg_;
    bool open_ = true;
};

/**
 * The server's error for `what` as one gw::Error: permission problems say which right is missing
 * and who can grant it; a value repeated where it must be unique is named (the server's `detail`);
 * other errors carry the server's first line.
 */
[[noreturn]] void throw_server_error(const std::string& source, const std::string& what, const std::string& message,
                                     const std::string& sqlstate, const std::string& detail = {});

}  // namespace gw::store
