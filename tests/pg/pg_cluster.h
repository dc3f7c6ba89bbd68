#pragma once
// One throwaway PostgreSQL 15 + PostGIS cluster for every test of this binary (gridwatch_pg_tests):
// started on first use by tests/pg/cluster.sh (initdb in a temp folder, unix socket only, as user
// postgres when run as root), stopped and removed when the tests end. Each test takes a database
// of its own from it.
#include <gtest/gtest.h>
#include <libpq-fe.h>

#include <optional>
#include <string>
#include <vector>

namespace gwtest {

/** The cluster's conninfo for `dbname` ("" when it cannot start; see pg_unavailable()). */
std::string pg_conninfo(const std::string& dbname = "postgres");
/** Why the cluster is not there ("" when it is). */
std::string pg_unavailable();
/** A new empty database in the cluster (dropped first if it exists); returns its conninfo. */
std::string pg_new_database(const std::string& name);

/**
 * A streaming-replication hot standby of the cluster (tests/pg/cluster.sh standby), started on
 * first use, so only the tests that need one pay for it; its conninfo for `dbname` ("" when it
 * cannot start: pg_standby_unavailable() says why). Stopped and removed with the cluster.
 */
std::string pg_standby_conninfo(const std::string& dbname = "postgres");
std::string pg_standby_unavailable();
/** Waits until the standby has replayed everything the primary has written; false on timeout. */
bool pg_standby_caught_up(double timeout_s = 10);

/** The bundled community, data/dapingzi.gpkg. */
inline std::string data() { return std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg"; }
/** A conninfo as gridwatch's shell argument: 'PG:…'. */
inline std::string pg(const std::string& conninfo) { return "'PG:" + conninfo + "'"; }
/** The cluster's conninfo (user=postgres) as another login. */
inline std::string as_user(std::string base, const std::string& user) {
    const auto at = base.find("user=postgres");
    base.replace(at, 13, "user=" + user);
    return base;
}

/** A plain libpq connection for the tests (not gridwatch's): queries as a given role. */
class PgClient {
public:
    explicit PgClient(const std::string& conninfo);
    ~PgClient();
    bool ok() const;
    /** Rows of a query as text ("NULL" for nulls); fails the test on an error unless `error` is given. */
    std::vector<std::vector<std::string>> query(const std::string& sql, std::string* error = nullptr);
    std::string scalar(const std::string& sql, std::string* error = nullptr);
    /** Runs a statement; returns the server's error ("" on success). */
    std::string exec(const std::string& sql);
    PGconn* raw() { return conn_; }

private:
    PGconn* conn_ = nullptr;
};

}  // namespace gwtest

/**
 * Skips the test when there is no cluster, except under CI (CI=true), where the tests must run:
 * there a missing PostgreSQL is a failure.
 */
#define GW_REQUIRE_PG_STANDBY()                                                                       \
    do {                                                                                              \
        GW_REQUIRE_PG();                                                                              \
        const std::string why_s_ = gwtest::pg_standby_unavailable();                                 \
        if (!why_s_.empty()) FAIL() << "PostgreSQL standby cluster: " << why_s_;                     \
    } while (0)

#define GW_REQUIRE_PG()                                                                               \
    do {                                                                                              \
        const std::string why_ = gwtest::pg_unavailable();                                           \
        if (!why_.empty()) {                                                                          \
            const char* ci_ = std::getenv("CI");                                                     \
            if (ci_ && std::string(ci_) == "true") FAIL() << "PostgreSQL test cluster: " << why_;    \
            GTEST_SKIP() << "no PostgreSQL test cluster: " << why_;                                  \
        }                                                                                             \
    } while (0)
