// Live updates from the shared store (SPEC §9 "Live", geo/store/live.h) against a real cluster:
// changes made by another program through plain libpq reach a Dataset without reloading it, and a
// terminated connection is noticed, retried and caught up with.
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <thread>

#include "../cli_run.h"
#include "geo/io/dataset.h"
#include "geo/store/live.h"
#include "pg_cluster.h"

using gw::Dataset;
using gw::store::LiveListener;
using gw::store::LiveState;
using gwtest::PgClient;

namespace {
using gwtest::data;

using Clock = std::chrono::steady_clock;


/**
 * The store of the bundled community the tests of this file share (one load for all: each changes
 * rows of its own and checks changes relative to what it read).
 */
std::string live_store() {
    static const std::string c = [] {
        const std::string info = gwtest::pg_new_database("gw_live");
        const auto r = gwtest::run_gridwatch("db init 'PG:" + info + "' --from " + data());
        EXPECT_EQ(r.status, 0) << r.err;
        return info;
    }();
    return c;
}

/** Applies what the listener has until `done` holds or `limit_s` passes; the seconds it took (or -1). */
double until(LiveListener& live, Dataset& ds, const std::function<bool()>& done, double limit_s = 10) {
    const auto t0 = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - t0).count() < limit_s) {
        live.apply(ds);
        if (done()) return std::chrono::duration<double>(Clock::now() - t0).count();
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return -1;
}

bool wait_state(LiveListener& live, LiveState s, double limit_s = 10) {
    const auto t0 = Clock::now();
    while (std::chrono::duration<double>(Clock::now() - t0).count() < limit_s) {
        if (live.status().state == s) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return false;
}

template <class F>
const F* by_id(const std::vector<F>& rows, const std::string& id, std::string F::*field) {
    for (const auto& r : rows)
        if (r.*field == id) return &r;
    return nullptr;
}

constexpr const char* kNewIncident =
    "INSERT INTO incidents (inc_id, type, time, color, geom) SELECT '%s', 'fire', '2026-11-20T10:00:00', 'red', "
    "ST_PointOnSurface(geom) FROM grids WHERE level = 4 ORDER BY grid_id LIMIT 1";
constexpr const char* kNewCheck =
    "INSERT INTO checks (check_id, grid_id, reporter, time, kind, people, geom) SELECT '%s', grid_id, '王五', "
    "'2026-11-20T09:30:00', 'newcomer', 3, ST_PointOnSurface(geom) FROM grids WHERE level = 4 ORDER BY grid_id LIMIT 1";

std::string sql(const char* tmpl, const std::string& id) {
    char buf[512];
    std::snprintf(buf, sizeof buf, tmpl, id.c_str());
    return buf;
}

}  // namespace

TEST(Live, ChangesByAnotherProgramReachTheDatasetWithinASecond) {
    GW_REQUIRE_PG();
    const std::string c = live_store();
    Dataset ds = gw::open_dataset({"PG:" + c});
    const size_t incidents0 = ds.incidents.size(), checks0 = ds.checks.size(), cameras0 = ds.cameras.size();
    const size_t households0 = ds.households.size();
    ASSERT_GT(cameras0, 0u);
    LiveListener live(ds, {});
    ASSERT_TRUE(wait_state(live, LiveState::Live)) << live.status().error;
    // The rows were read with their versions: catching up at the start finds nothing to read again
    // (it used to read every table whole, and a camera being edited could be taken back by it).
    EXPECT_FALSE(live.pending()) << "rows read again although nothing changed since the dataset was read";
    EXPECT_FALSE(live.status().standby);
    EXPECT_FALSE(live.status().lag_s.has_value()) << "no replication lag on a primary";
    PgClient db(c);

    ASSERT_EQ(db.exec(sql(kNewIncident, "LIVE-INC-1")), "");
    const double t_incident = until(live, ds, [&] { return by_id(ds.incidents, "LIVE-INC-1", &gw::Incident::inc_id); });
    ASSERT_GE(t_incident, 0) << "the new incident never arrived";
    const gw::Incident* inc = by_id(ds.incidents, "LIVE-INC-1", &gw::Incident::inc_id);
    EXPECT_EQ(inc->color, "red");
    EXPECT_TRUE(inc->when.has_value()) << "read as the reader reads it: the time parsed";
    EXPECT_EQ(ds.incidents.size(), incidents0 + 1);

    ASSERT_EQ(db.exec(sql(kNewCheck, "LIVE-CHK-1")), "");
    const double t_check = until(live, ds, [&] { return by_id(ds.checks, "LIVE-CHK-1", &gw::Check::check_id); });
    ASSERT_GE(t_check, 0) << "the new check never arrived";
    EXPECT_EQ(by_id(ds.checks, "LIVE-CHK-1", &gw::Check::check_id)->people, 3);
    EXPECT_EQ(ds.checks.size(), checks0 + 1);

    // An update: the camera keeps its place in the vector, its position read in the working CRS.
    const gw::Camera before = ds.cameras[0];
    ASSERT_EQ(db.exec("UPDATE cameras SET status = 'offline', azimuth = 123 WHERE cam_id = '" + before.cam_id + "'"), "");
    const double t_camera = until(live, ds, [&] { return ds.cameras[0].status == "offline"; });
    ASSERT_GE(t_camera, 0) << "the camera change never arrived";
    EXPECT_EQ(ds.cameras[0].cam_id, before.cam_id);
    EXPECT_DOUBLE_EQ(ds.cameras[0].azimuth, 123);
    EXPECT_NEAR(ds.cameras[0].pos.x, before.pos.x, 1e-6);
    EXPECT_NEAR(ds.cameras[0].pos.y, before.pos.y, 1e-6);
    EXPECT_EQ(ds.cameras.size(), cameras0);

    // A household (the fourth table followed) and a deletion.
    ASSERT_EQ(db.exec("UPDATE households SET members = 9 WHERE fid = (SELECT min(fid) FROM households)"), "");
    const std::string hh_fid = db.scalar("SELECT min(fid) FROM households");
    const double t_household = until(live, ds, [&] {
        for (const auto& h : ds.households)
            if (std::to_string(h.fid) == hh_fid) return h.members == 9;
        return false;
    });
    EXPECT_GE(t_household, 0) << "the household change never arrived";
    EXPECT_EQ(ds.households.size(), households0);
    ASSERT_EQ(db.exec("DELETE FROM incidents WHERE inc_id = 'LIVE-INC-1'"), "");
    EXPECT_GE(until(live, ds, [&] { return !by_id(ds.incidents, "LIVE-INC-1", &gw::Incident::inc_id); }), 0);
    EXPECT_EQ(ds.incidents.size(), incidents0);

    std::printf("[ live ] change -> dataset: incident %.0f ms, check %.0f ms, camera %.0f ms, household %.0f ms\n",
                t_incident * 1000, t_check * 1000, t_camera * 1000, t_household * 1000);
    // SPEC: within a second; generous here for a loaded CI machine.
    for (double t : {t_incident, t_check, t_camera}) EXPECT_LT(t, 3.0);
}

// A change read while the user edited waits (held); when the user's own save has meanwhile put the
// camera at a later version, the waiting change is older than what the viewer holds and must not
// take the saved camera back.
TEST(Live, AChangeReadBeforeTheUsersOwnSaveDoesNotTakeTheSavedCameraBack) {
    GW_REQUIRE_PG();
    const std::string c = live_store();
    Dataset ds = gw::open_dataset({"PG:" + c});
    ASSERT_GE(ds.cameras.size(), 2u);
    LiveListener live(ds, {});
    ASSERT_TRUE(wait_state(live, LiveState::Live)) << live.status().error;
    PgClient db(c);
    const std::string fid = std::to_string(ds.cameras[1].fid);
    ASSERT_EQ(db.exec("UPDATE cameras SET azimuth = 77 WHERE fid = " + fid), "");
    const auto t0 = Clock::now();
    while (!live.pending() && Clock::now() - t0 < std::chrono::seconds(10))
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(live.pending()) << "the change never arrived";
    EXPECT_FALSE(live.apply(ds, {"cameras"}).any()) << "held while the user edits";
    // The user's save (here by hand) wrote the camera at two versions past the waiting change's.
    const int64_t theirs = std::stoll(db.scalar("SELECT version FROM cameras WHERE fid = " + fid));
    ASSERT_EQ(db.exec("UPDATE cameras SET azimuth = 12 WHERE fid = " + fid), "");
    ASSERT_EQ(db.exec("UPDATE cameras SET azimuth = 13 WHERE fid = " + fid), "");
    ds.cameras[1].azimuth = 13;
    ds.cameras[1].version = theirs + 2;
    live.apply(ds);
    EXPECT_DOUBLE_EQ(ds.cameras[1].azimuth, 13) << "the older change took the saved camera back";
    EXPECT_EQ(ds.cameras[1].version, theirs + 2);
}

TEST(Live, ATerminatedConnectionIsRetriedAndNothingIsMissed) {
    GW_REQUIRE_PG();
    const std::string c = live_store();
    Dataset ds = gw::open_dataset({"PG:" + c});
    const size_t incidents0 = ds.incidents.size();
    gw::store::LiveTiming timing;
    timing.first_backoff = std::chrono::milliseconds(1500);  // long enough for the changes below to land meanwhile
    LiveListener live(ds, {}, timing);
    ASSERT_TRUE(wait_state(live, LiveState::Live)) << live.status().error;
    PgClient db(c);
    // The listener's backend: the one LISTENing on the channel.
    const std::string pid = db.scalar(
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'gridwatch live'");
    ASSERT_FALSE(pid.empty());
    ASSERT_EQ(db.scalar("SELECT pg_terminate_backend(" + pid + ")"), "t");
    ASSERT_TRUE(wait_state(live, LiveState::Lost)) << "the lost connection was not noticed";
    const auto lost = live.status();
    EXPECT_FALSE(lost.error.empty());
    // Changes while nobody listens: an insert, an update and a delete.
    ASSERT_EQ(db.exec(sql(kNewIncident, "LIVE-GAP-1")), "");
    ASSERT_EQ(db.exec(sql(kNewIncident, "LIVE-GAP-2")), "");
    ASSERT_EQ(db.exec("DELETE FROM incidents WHERE inc_id = 'LIVE-GAP-2'"), "");
    const std::string cam = ds.cameras[1].cam_id;
    ASSERT_EQ(db.exec("UPDATE cameras SET fov = 77 WHERE cam_id = '" + cam + "'"), "");
    const std::string gone = ds.incidents[0].inc_id;
    ASSERT_EQ(db.exec("DELETE FROM incidents WHERE inc_id = '" + gone + "'"), "");

    ASSERT_TRUE(wait_state(live, LiveState::Live)) << "not reconnected: " << live.status().error;
    const auto back = live.status();
    EXPECT_EQ(back.losses, 1u);
    EXPECT_EQ(back.reconnects, 1u);
    const double t = until(live, ds, [&] {
        return by_id(ds.incidents, "LIVE-GAP-1", &gw::Incident::inc_id) && ds.cameras[1].fov == 77 &&
               !by_id(ds.incidents, gone, &gw::Incident::inc_id);
    });
    EXPECT_GE(t, 0) << "a change made while the connection was down was missed";
    EXPECT_FALSE(by_id(ds.incidents, "LIVE-GAP-2", &gw::Incident::inc_id));
    EXPECT_EQ(ds.incidents.size(), incidents0);  // one added, one of the file's deleted
    // And it listens again.
    ASSERT_EQ(db.exec(sql(kNewIncident, "LIVE-AFTER")), "");
    EXPECT_GE(until(live, ds, [&] { return by_id(ds.incidents, "LIVE-AFTER", &gw::Incident::inc_id); }), 0);
}

TEST(Live, AServerThatCannotBeReachedIsRetried) {
    GW_REQUIRE_PG();
    // A dataset whose server cannot be reached: Lost with the reason, retried.
    Dataset ds;
    ds.source = "PG:host=/nonexistent-gw-socket port=5 dbname=x user=postgres";
    ds.work_crs = "EPSG:4542";
    gw::store::LiveTiming timing;
    timing.first_backoff = std::chrono::milliseconds(20);
    LiveListener live(ds, {}, timing);
    ASSERT_TRUE(wait_state(live, LiveState::Lost));
    EXPECT_NE(live.status().error.find("nonexistent-gw-socket"), std::string::npos) << live.status().error;
    const auto t0 = Clock::now();
    while (live.status().attempts < 3 && Clock::now() - t0 < std::chrono::seconds(5))
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    EXPECT_GE(live.status().attempts, 3) << "retried with backoff";
    EXPECT_EQ(live.status().losses, 0u) << "it was never connected";
}

TEST(LiveWall, AnIncidentAddedWhileTheWallRunsChangesItsTile) {
    GW_REQUIRE_PG();
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    const std::string c = live_store();
    PgClient db(c);
    // The incidents tile counts the month of the newest incident (the data is older than today).
    const std::string newest = db.scalar("SELECT max(time) FROM incidents");
    ASSERT_FALSE(newest.empty());
    auto listeners = [&] {
        return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                         "application_name = 'gridwatch live'");
    };
    // No listener of an earlier test is still there to be taken for the wall's.
    for (auto t0 = Clock::now(); listeners() != "0" && Clock::now() - t0 < std::chrono::seconds(5);)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    gwtest::RunResult r;
    // Frame 2 waits until the wall follows the store, frame 3 until a change has come in, frames
    // 4 and 5 until the coverage run going is over (a run the change started would be the second).
    std::thread wall([&] {
        r = gwtest::run_gridwatch("view 'PG:" + c +
                                      "' --wall --size 960x540 --frames 7 --events "
                                      "'key:live_ready;key:live_wait;key:coverage_done;key:coverage_done'",
                                  "xvfb-run -a -s \"-screen 0 1280x800x24\"");
    });
    const auto t0 = Clock::now();
    while (listeners() == "0" && Clock::now() - t0 < std::chrono::seconds(60))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(db.exec("INSERT INTO incidents (inc_id, type, time, color, geom) SELECT 'LIVE-WALL', 'fire', '" + newest +
                      "', 'red', ST_PointOnSurface(geom) FROM grids WHERE level = 4 LIMIT 1"),
              "");
    wall.join();
    ASSERT_EQ(r.status, 0) << r.err;
    auto red = [&](const std::string& when) {
        const auto at = r.out.find("figures " + when + ":");
        if (at == std::string::npos) return -1;
        const std::string line = r.out.substr(at, r.out.find('\n', at) - at);
        const auto inc = line.find("incidents ");
        int n = -1;
        char month[16];
        if (inc == std::string::npos || std::sscanf(line.c_str() + inc, "incidents %15s %d", month, &n) != 2) return -1;
        return n;
    };
    ASSERT_GE(red("start"), 0) << r.out;
    EXPECT_EQ(red("end"), red("start") + 1) << r.out;
    // An incident leaves coverage as it was: no second coverage run (minutes at county size).
    EXPECT_NE(r.out.find("figures end:"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(" coverage_runs 1\n", r.out.find("figures end:")), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("badge: \n"), std::string::npos) << "a live primary shows no badge:\n" << r.out;
}

TEST(Live, AWallLoginFollowsHouseholdsThroughTheMaskedView) {
    GW_REQUIRE_PG();
    const std::string c = live_store();
    ASSERT_EQ(gwtest::run_gridwatch("db roles 'PG:" + c + "' --wall wall_live").status, 0);
    std::string as_wall = c;
    as_wall.replace(as_wall.find("user=postgres"), 13, "user=wall_live");
    Dataset ds = gw::open_dataset({"PG:" + as_wall});
    ASSERT_FALSE(ds.households.empty());
    LiveListener live(ds, {});
    ASSERT_TRUE(wait_state(live, LiveState::Live)) << live.status().error;
    PgClient db(c);
    // The view's rows are named by the table's fid, not by GDAL's numbering of the view's rows.
    const std::string hh = ds.households[5].hh_id;
    ASSERT_EQ(db.exec("UPDATE households SET members = 42 WHERE hh_id = '" + hh + "'"), "");
    const double t = until(live, ds, [&] {
        for (const auto& h : ds.households)
            if (h.members == 42) return true;
        return false;
    });
    ASSERT_GE(t, 0) << "the household change never reached the wall login";
    EXPECT_EQ(ds.households[5].hh_id, hh);
    EXPECT_EQ(ds.households[5].members, 42);
    EXPECT_NE(ds.households[5].head.find('*'), std::string::npos) << "still masked: " << ds.households[5].head;
    int changed = 0;
    for (const auto& h : ds.households) changed += h.members == 42;
    EXPECT_EQ(changed, 1) << "only the changed household";
}

TEST(LiveViewer, AnIncidentAddedWhileTheViewerRunsIsDrawn) {
    GW_REQUIRE_PG();
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    const std::string c = live_store();
    PgClient db(c);
    auto listeners = [&] {
        return db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND "
                         "application_name = 'gridwatch live'");
    };
    for (auto t0 = Clock::now(); listeners() != "0" && Clock::now() - t0 < std::chrono::seconds(5);)
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    const int before = std::stoi(db.scalar("SELECT count(*) FROM incidents"));
    gwtest::RunResult r;
    std::thread viewer([&] {
        r = gwtest::run_gridwatch("view 'PG:" + c + "' --size 900x600 --frames 6 --events 'key:live_ready;key:live_wait'",
                                  "xvfb-run -a -s \"-screen 0 1280x800x24\"");
    });
    const auto t0 = Clock::now();
    while (listeners() == "0" && Clock::now() - t0 < std::chrono::seconds(60))
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    ASSERT_EQ(db.exec(sql(kNewIncident, "LIVE-VIEWER")), "");
    viewer.join();
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string want = "live: incidents " + std::to_string(before + 1) + " ";
    EXPECT_NE(r.out.find(want), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("incidents_drawn " + std::to_string(before + 1)), std::string::npos) << r.out;
}
