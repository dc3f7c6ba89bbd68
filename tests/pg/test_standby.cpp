// A streaming-replication hot standby of the test cluster (SPEC §9 "Beyond one server"): read-only
// commands on `PG:` of the standby answer as on the primary once a change has replicated, and the
// live listener follows the primary's changes there (no LISTEN on a standby) and reports the lag.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "../cli_run.h"
#include "geo/io/dataset.h"
#include "geo/store/live.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;
using nlohmann::json;

namespace {
using gwtest::data;


/** The JSON without the keys that name where it was read from. */
json without_sources(json j) {
    if (j.is_object()) {
        for (const char* k : {"source", "source_fields"}) j.erase(k);
        for (auto& [k, v] : j.items()) v = without_sources(v);
    } else if (j.is_array()) {
        for (auto& v : j) v = without_sources(v);
    }
    return j;
}

/** The store the tests of this file share, made on the primary and replicated. */
std::string standby_store() {
    static const std::string c = [] {
        const std::string info = gwtest::pg_new_database("gw_standby");
        EXPECT_EQ(run_gridwatch("db init 'PG:" + info + "' --from " + data()).status, 0);
        return info;
    }();
    return c;
}

}  // namespace

TEST(Standby, ReadCommandsAnswerAsOnThePrimaryOnceReplicated) {
    GW_REQUIRE_PG_STANDBY();
    const std::string c = standby_store();
    PgClient db(c);
    // A change on the primary: it must be on the standby before the answers agree.
    ASSERT_EQ(db.exec("INSERT INTO households (hh_id, grid_id, head, members, geom) SELECT 'HH-STANDBY', grid_id, "
                      "'李四', 4, ST_PointOnSurface(geom) FROM grids WHERE level = 4 ORDER BY grid_id LIMIT 1"),
              "");
    ASSERT_TRUE(gwtest::pg_standby_caught_up());
    const std::string s = gwtest::pg_standby_conninfo("gw_standby");
    PgClient replica(s);
    EXPECT_EQ(replica.scalar("SELECT pg_is_in_recovery()"), "t");
    std::string err;
    replica.query("INSERT INTO incidents (inc_id) VALUES ('x')", &err);
    EXPECT_NE(err.find("read-only"), std::string::npos) << "a hot standby takes no writes: " << err;
    for (const std::string cmd : {"info", "stats --level 3"}) {
        const auto a = run_gridwatch(cmd + " 'PG:" + c + "' --json");
        const auto b = run_gridwatch(cmd + " 'PG:" + s + "' --json");
        ASSERT_EQ(a.status, 0) << cmd << ": " << a.err;
        ASSERT_EQ(b.status, 0) << cmd << " on the standby: " << b.err;
        EXPECT_EQ(without_sources(json::parse(a.out)), without_sources(json::parse(b.out))) << cmd;
    }
    const json info = json::parse(run_gridwatch("info 'PG:" + s + "' --json").out);
    for (const auto& l : info["layers"]) {
        if (l["name"] == "households") {
            EXPECT_EQ(l["count"].get<int64_t>(), std::stoll(db.scalar("SELECT count(*) FROM households")));
        }
    }
}

TEST(Standby, LiveListenerFollowsThePrimaryAndReportsTheLag) {
    GW_REQUIRE_PG_STANDBY();
    using Clock = std::chrono::steady_clock;
    const std::string c = standby_store();
    ASSERT_TRUE(gwtest::pg_standby_caught_up());
    gw::Dataset ds = gw::open_dataset({"PG:" + gwtest::pg_standby_conninfo("gw_standby")});
    const size_t n0 = ds.incidents.size();
    gw::store::LiveListener live(ds, {});
    auto t0 = Clock::now();
    while (live.status().state != gw::store::LiveState::Live && Clock::now() - t0 < std::chrono::seconds(10))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_EQ(live.status().state, gw::store::LiveState::Live) << live.status().error;
    EXPECT_TRUE(live.status().standby);
    t0 = Clock::now();
    while (!live.status().lag_s && Clock::now() - t0 < std::chrono::seconds(5))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(live.status().lag_s.has_value()) << "a standby shows its replication lag";
    EXPECT_GE(*live.status().lag_s, 0);
    EXPECT_LT(*live.status().lag_s, 5);

    PgClient db(c);
    ASSERT_EQ(db.exec("INSERT INTO incidents (inc_id, type, time, color, geom) SELECT 'STANDBY-INC', 'fire', "
                      "'2026-11-20T10:00:00', 'red', ST_PointOnSurface(geom) FROM grids WHERE level = 4 LIMIT 1"),
              "");
    const std::string cam = ds.cameras[2].cam_id;
    ASSERT_EQ(db.exec("UPDATE cameras SET status = 'offline' WHERE cam_id = '" + cam + "'"), "");
    t0 = Clock::now();
    bool got = false;
    while (!got && Clock::now() - t0 < std::chrono::seconds(10)) {
        live.apply(ds);
        got = ds.incidents.size() == n0 + 1 && ds.cameras[2].status == "offline";
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::printf("[ standby ] primary change -> dataset read from the standby: %.0f ms\n", s * 1000);
    EXPECT_TRUE(got) << "the primary's changes never reached the listener on the standby";
    EXPECT_LT(s, 3.0);
    EXPECT_EQ(ds.incidents.back().inc_id, "STANDBY-INC");
}

TEST(Standby, TheWallOnAStandbyShowsTheReplicationLag) {
    GW_REQUIRE_PG_STANDBY();
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    const std::string c = standby_store();
    ASSERT_TRUE(gwtest::pg_standby_caught_up());
    const auto r = run_gridwatch("view 'PG:" + gwtest::pg_standby_conninfo("gw_standby") +
                                     "' --wall --size 960x540 --frames 4 --events 'key:live_ready'",
                                 "xvfb-run -a -s \"-screen 0 1280x800x24\"");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("badge: 复制延迟 "), std::string::npos) << r.out;
}
