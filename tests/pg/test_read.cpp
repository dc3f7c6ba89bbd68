// Reading the shared store (geo/io/dataset.cpp on a PG: source): what the layer list says of each
// table, and what reading costs the server before the first row. (That every count equals the
// GeoPackage's is DbInit.ReadCommandsGiveTheSameAnswersOnPg's `info`.)
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <thread>

#include "../cli_run.h"
#include "geo/io/dataset.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;

namespace {

/**
 * Scans of `table` since the statistics were reset, as the server has them now: sequential and by
 * index (a count(*) of a vacuumed table may be an index-only scan).
 */
int64_t scans(PgClient& db, const std::string& table) {
    db.exec("SELECT pg_stat_clear_snapshot()");
    return std::stoll(db.scalar("SELECT seq_scan + coalesce(idx_scan, 0) FROM pg_stat_user_tables WHERE relname = '" +
                                table + "'"));
}

}  // namespace

TEST(PgRead, CountsAreTheRowsReadAndATableNotReadIsNotScanned) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_read_counts");
    const auto r = run_gridwatch("db init " + gwtest::pg(c) + " --from " + gwtest::data());
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    // The planner's estimates made, then made wrong: the counts must be the rows, not the estimates.
    ASSERT_EQ(db.exec("VACUUM ANALYZE"), "");
    ASSERT_EQ(db.exec("DELETE FROM incidents WHERE fid % 3 = 0"), "");
    const std::string incidents = db.scalar("SELECT count(*) FROM incidents");
    ASSERT_NE(incidents, db.scalar("SELECT reltuples::bigint FROM pg_class WHERE relname = 'incidents'"));
    ASSERT_EQ(db.scalar("SELECT pg_stat_reset()"), "");

    gw::OpenOptions o;
    o.layers = {"grids", "incidents"};
    const gw::Dataset ds = gw::open_dataset({"PG:" + c}, o);
    std::map<std::string, int64_t> count;
    for (const auto& l : ds.layers) count[l.name] = l.count;
    EXPECT_EQ(std::to_string(count["incidents"]), incidents);
    EXPECT_EQ(std::to_string(count["grids"]), db.scalar("SELECT count(*) FROM grids"));
    EXPECT_EQ(count["checks"], -1) << "a layer the command does not read is not counted";
    EXPECT_EQ(ds.incidents.size(), static_cast<size_t>(std::stoll(incidents)));

    // The reading's connections have ended: their statistics reach the server as they go.
    int64_t read = 0;
    for (int i = 0; i < 100 && (read = scans(db, "incidents")) == 0; ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    EXPECT_EQ(read, 1) << "incidents read once, never counted by a scan of its own";
    EXPECT_EQ(scans(db, "checks"), 0) << "checks, which was not read, was scanned (a count(*))";
    EXPECT_EQ(scans(db, "households"), 0);
}
