// Conflicts on the shared store (SPEC §9, issue 16 item 3): `gridwatch edit` and the viewer's save
// send the version each camera was read at; a row changed meanwhile is a conflict and nothing is
// written. Checked against a real cluster, the other writer being plain libpq.
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <thread>

#include "../cli_run.h"
#include "../viewer_run.h"
#include "geo/core/error.h"
#include "geo/io/dataset.h"
#include "geo/store/camera_save.h"
#include "geo/store/pg.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;

namespace {
using gwtest::pg;
using gwtest::as_user;

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/** Two communities (demo --scale 2), a login for the first; each test takes cameras of its own. */
struct Store {
    std::string conninfo, a, b;          // owner's conninfo; the L1 grid_ids
    std::vector<std::string> cams_a;     // community a's cam_ids, in order
    std::string cam_b;                   // one of community b's
};

const Store& store() {
    static const Store s = [] {
        Store t;
        gwtest::TempDir tmp("pg_edit");
        EXPECT_EQ(run_gridwatch("demo --scale 2 --out " + tmp / "two.gpkg").status, 0);
        t.conninfo = gwtest::pg_new_database("gw_edit");
        const auto r = run_gridwatch("db init " + pg(t.conninfo) + " --from " + tmp / "two.gpkg");
        EXPECT_EQ(r.status, 0) << r.err;
        PgClient db(t.conninfo);
        const auto ids = db.query("SELECT grid_id FROM grids WHERE level = 1 ORDER BY grid_id");
        EXPECT_EQ(ids.size(), 2u);
        if (ids.size() != 2) return t;
        t.a = ids[0][0], t.b = ids[1][0];
        for (const auto& row : db.query("SELECT cam_id FROM cameras WHERE community = '" + t.a + "' ORDER BY cam_id"))
            t.cams_a.push_back(row[0]);
        t.cam_b = db.scalar("SELECT cam_id FROM cameras WHERE community = '" + t.b + "' ORDER BY cam_id LIMIT 1");
        db.exec("DROP ROLE IF EXISTS edit_office_a");
        const auto rr = run_gridwatch("db roles " + pg(t.conninfo) + " --community " + t.a + " --login edit_office_a");
        EXPECT_EQ(rr.status, 0) << rr.err;
        return t;
    }();
    return s;
}

std::string row_of(PgClient& db, const std::string& cam) {
    const auto r = db.query("SELECT version, azimuth, fov, range, status, ST_AsText(geom) FROM cameras WHERE cam_id = '" +
                            cam + "'");
    std::string s;
    for (const auto& v : r.empty() ? std::vector<std::string>{} : r[0]) s += v + "|";
    return s;
}

}  // namespace

TEST(Edit, RaisesVersionByExactlyOne) {
    GW_REQUIRE_PG();
    const auto& s = store();
    ASSERT_GE(s.cams_a.size(), 8u);
    const std::string cam = s.cams_a[0];
    PgClient db(s.conninfo);
    const int before = std::stoi(db.scalar("SELECT version FROM cameras WHERE cam_id = '" + cam + "'"));
    auto r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --azimuth 123 --status offline --json");
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["cam_id"], cam);
    EXPECT_EQ(j["version"].get<int>(), before + 1);
    EXPECT_EQ(db.scalar("SELECT version || ' ' || azimuth || ' ' || status FROM cameras WHERE cam_id = '" + cam + "'"),
              std::to_string(before + 1) + " 123 offline");
    // A move: x, y in the table's CRS.
    const std::string x = db.scalar("SELECT ST_X(geom) + 0.0001 FROM cameras WHERE cam_id = '" + cam + "'");
    const std::string y = db.scalar("SELECT ST_Y(geom) FROM cameras WHERE cam_id = '" + cam + "'");
    r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --move " + x + "," + y + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["version"].get<int>(), before + 2);
    EXPECT_EQ(db.scalar("SELECT ST_X(geom) = " + x + " FROM cameras WHERE cam_id = '" + cam + "'"), "t");
    // Metres typed into a table in degrees: refused, nothing written (the readers would refuse it).
    r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --move 467385,2720692");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "'--move'") && has(r.err, "latitude ±90")) << r.err;
    EXPECT_EQ(db.scalar("SELECT ST_X(geom) = " + x + " FROM cameras WHERE cam_id = '" + cam + "'"), "t");
    // Degrees, but 250 km from every camera of the table: refused too.
    r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --move 101.2," + y);
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "'--move'") && has(r.err, "km from the nearest other camera")) << r.err;
    EXPECT_EQ(db.scalar("SELECT ST_X(geom) = " + x + " FROM cameras WHERE cam_id = '" + cam + "'"), "t");
    // No change: the current version, nothing written.
    r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["version"].get<int>(), before + 2);
    EXPECT_EQ(db.scalar("SELECT version FROM cameras WHERE cam_id = '" + cam + "'"), std::to_string(before + 2));
    // Values it already has: unchanged, nothing written.
    r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam +
                      " --azimuth 123 --status offline --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["changed"], false) << r.out;
    EXPECT_EQ(db.scalar("SELECT version FROM cameras WHERE cam_id = '" + cam + "'"),
              std::to_string(before + 2));
    // With the right expected version it writes.
    r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --fov 45 --expect-version " +
                      std::to_string(before + 2));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "version " + std::to_string(before + 3))) << r.out;
}

TEST(Edit, StaleExpectedVersionIsAConflict) {
    GW_REQUIRE_PG();
    const auto& s = store();
    const std::string cam = s.cams_a[1];
    PgClient db(s.conninfo);
    ASSERT_EQ(db.exec("UPDATE cameras SET azimuth = 200, status = 'offline' WHERE cam_id = '" + cam + "'"), "");
    const std::string row = row_of(db, cam);
    const std::string now = db.scalar("SELECT version FROM cameras WHERE cam_id = '" + cam + "'");
    ASSERT_EQ(now, "2");
    const auto r = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --azimuth 10 --expect-version 1");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "'" + cam + "'") && has(r.err, "version 1") && has(r.err, "version 2")) << r.err;
    EXPECT_TRUE(has(r.err, "azimuth 200 vs 10")) << r.err;
    EXPECT_TRUE(has(r.err, "nothing was written")) << r.err;
    EXPECT_EQ(row_of(db, cam), row);
    // A version the camera never had: a wrong argument, named as one.
    const auto f = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --azimuth 10 --expect-version 7");
    EXPECT_EQ(f.status, 1);
    EXPECT_EQ(f.error_lines(), 1) << f.err;
    EXPECT_TRUE(has(f.err, "--expect-version 7 is above") && has(f.err, "version 2")) << f.err;
    EXPECT_FALSE(has(f.err, "someone else")) << f.err;
    EXPECT_EQ(row_of(db, cam), row);
    // Unknown camera: exit 1 naming it.
    const auto u = run_gridwatch("edit " + pg(s.conninfo) + " --camera NO-SUCH-CAM --azimuth 10");
    EXPECT_EQ(u.status, 1);
    EXPECT_TRUE(has(u.err, "NO-SUCH-CAM") && has(u.err, "not found")) << u.err;
}

// Another office writes between gridwatch's read and its save: the save finds the row changed.
TEST(Edit, RacingWriterBetweenReadAndSaveIsAConflict) {
    GW_REQUIRE_PG();
    const auto& s = store();
    const std::string cam = s.cams_a[2];
    gw::store::Connection mine("PG:" + s.conninfo);
    const auto read = gw::store::read_cameras_by_id(mine, cam);
    ASSERT_EQ(read.size(), 1u);
    PgClient other(s.conninfo);
    ASSERT_EQ(other.exec("UPDATE cameras SET range = 77 WHERE cam_id = '" + cam + "'"), "");
    const std::string theirs = row_of(other, cam);
    gw::store::StoredCamera changed = read[0];
    changed.range = 99, changed.azimuth = 5;
    const auto r = gw::store::write_cameras_checked(mine, {{read[0].fid, read[0].version, changed}});
    ASSERT_EQ(r.conflicts.size(), 1u);
    const auto& c = r.conflicts[0];
    EXPECT_EQ(c.read_version, read[0].version);
    EXPECT_EQ(c.current_version, read[0].version + 1);
    ASSERT_TRUE(c.theirs);
    EXPECT_EQ(c.theirs->range, 77);
    bool range_listed = false;
    for (const auto& f : c.fields) range_listed |= f.field == "range" && f.theirs == "77" && f.mine == "99";
    EXPECT_TRUE(range_listed) << c.line();
    EXPECT_EQ(row_of(other, cam), theirs);
    // The same race through the command: the other writer's change is kept, the edit refused.
    ASSERT_EQ(other.exec("UPDATE cameras SET range = 78 WHERE cam_id = '" + cam + "'"), "");
    const auto cli = run_gridwatch("edit " + pg(s.conninfo) + " --camera " + cam + " --range 99 --expect-version " +
                                   std::to_string(read[0].version + 1));
    EXPECT_EQ(cli.status, 1) << cli.out;
    EXPECT_TRUE(has(cli.err, "range 78 vs 99")) << cli.err;
}

TEST(Edit, CommunityLoginCannotEditAnotherCommunitysCamera) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient db(s.conninfo);
    const std::string row = row_of(db, s.cam_b);
    auto r = run_gridwatch("edit " + pg(as_user(s.conninfo, "edit_office_a")) + " --camera " + s.cam_b + " --azimuth 1");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, s.cam_b) && has(r.err, "not found or not yours")) << r.err;
    EXPECT_EQ(row_of(db, s.cam_b), row);
    // Its own camera it may edit.
    r = run_gridwatch("edit " + pg(as_user(s.conninfo, "edit_office_a")) + " --camera " + s.cams_a[3] + " --azimuth 1 --json");
    EXPECT_EQ(r.status, 0) << r.err;
}

// The save's connection is killed while it holds the first camera's lock and write: the
// transaction is rolled back, the table is as before, the error is one clear line.
TEST(Edit, ConnectionKilledMidSaveLeavesTheStoreAsBefore) {
    GW_REQUIRE_PG();
    const auto& s = store();
    const std::string first = s.cams_a[4], second = s.cams_a[5];
    PgClient db(s.conninfo);
    // The second camera's update sleeps, so that the kill comes after the first one was written.
    ASSERT_EQ(db.exec("CREATE FUNCTION gw_test_slow() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                      "IF NEW.cam_id = '" + second + "' THEN PERFORM pg_sleep(30); END IF; RETURN NEW; END $$"),
              "");
    ASSERT_EQ(db.exec("CREATE TRIGGER gw_test_slow BEFORE UPDATE ON cameras FOR EACH ROW EXECUTE FUNCTION gw_test_slow()"), "");
    const std::string before1 = row_of(db, first), before2 = row_of(db, second);
    std::string error;
    std::thread saver([&] {
        try {
            gw::store::Connection c("PG:" + s.conninfo);
            auto a = gw::store::read_cameras_by_id(c, first), b = gw::store::read_cameras_by_id(c, second);
            auto ma = a.at(0), mb = b.at(0);
            ma.azimuth = 11, mb.azimuth = 22;
            gw::store::write_cameras_checked(c, {{ma.fid, ma.version, ma}, {mb.fid, mb.version, mb}});
        } catch (const gw::Error& e) {
            error = e.what();
        }
    });
    std::string pid;
    for (int i = 0; i < 200 && pid.empty(); ++i) {
        pid = db.scalar("SELECT pid FROM pg_stat_activity WHERE wait_event = 'PgSleep' AND pid <> pg_backend_pid()");
        if (pid.empty()) std::this_thread::sleep_for(std::chrono::milliseconds(25));
    }
    ASSERT_FALSE(pid.empty()) << "the save never reached the second camera";
    EXPECT_EQ(db.scalar("SELECT pg_terminate_backend(" + pid + ")"), "t");
    saver.join();
    db.exec("DROP TRIGGER gw_test_slow ON cameras");
    db.exec("DROP FUNCTION gw_test_slow()");
    EXPECT_TRUE(has(error, "connection")) << error;
    EXPECT_EQ(row_of(db, first), before1);
    EXPECT_EQ(row_of(db, second), before2);
    // A connection that cannot be made: one line, exit 1.
    const auto r = run_gridwatch("edit 'PG:host=/nonexistent/gw dbname=x user=postgres' --camera " + first + " --azimuth 3");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "cannot connect")) << r.err;
}

// The viewer's save (geo/store/camera_save.h save_cameras_to_store): a camera changed in the store
// since it was read is a conflict, nothing written; take theirs / keep mine resolve it.
TEST(Edit, ViewerSaveDetectsConflictsAndResolvesThem) {
    GW_REQUIRE_PG();
    const auto& s = store();
    const std::string c1 = s.cams_a[6], c2 = s.cams_a[7];
    gw::OpenOptions o;
    o.layers = {"cameras"};
    gw::Dataset ds = gw::open_dataset({"PG:" + s.conninfo}, o);
    ds.source = "PG:" + s.conninfo;
    // The store's bookkeeping columns are not the user's fields; the version is read.
    for (const auto& n : ds.extra_fields["cameras"].names)
        EXPECT_TRUE(n != "community" && n != "version" && n != "updated_at") << n;
    std::vector<gw::Camera> as_read = ds.cameras;
    auto find = [&](const std::string& id) -> gw::Camera& {
        for (auto& c : ds.cameras)
            if (c.cam_id == id) return c;
        throw std::runtime_error("no " + id);
    };
    PgClient db(s.conninfo);
    ASSERT_TRUE(find(c1).version.has_value());
    EXPECT_EQ(std::to_string(*find(c1).version), db.scalar("SELECT version FROM cameras WHERE cam_id = '" + c1 + "'"));
    find(c1).azimuth = 33;
    find(c2).fov = 66;
    ASSERT_EQ(db.exec("UPDATE cameras SET azimuth = 44 WHERE cam_id = '" + c1 + "'"), "");
    const std::string row2 = row_of(db, c2);
    auto r = gw::store::save_cameras_to_store(ds.source, ds, as_read);
    ASSERT_EQ(r.conflicts.size(), 1u);
    EXPECT_EQ(r.conflicts[0].cam_id, c1);
    ASSERT_EQ(r.conflicts[0].fields.size(), 1u) << r.conflicts[0].line();
    EXPECT_EQ(r.conflicts[0].fields[0].field, "azimuth");
    EXPECT_EQ(r.conflicts[0].fields[0].theirs, "44");
    EXPECT_EQ(r.conflicts[0].fields[0].mine, "33");
    EXPECT_EQ(row_of(db, c2), row2);  // nothing written
    // Take theirs: the local camera becomes the store's, and the other camera's change is saved.
    gw::store::take_theirs(r.conflicts[0], ds, as_read);
    EXPECT_EQ(find(c1).azimuth, 44);
    r = gw::store::save_cameras_to_store(ds.source, ds, as_read);
    EXPECT_TRUE(r.conflicts.empty());
    EXPECT_EQ(r.written.size(), 1u);
    EXPECT_EQ(db.scalar("SELECT azimuth || ' ' || version FROM cameras WHERE cam_id = '" + c1 + "'"), "44 2");
    EXPECT_EQ(db.scalar("SELECT fov FROM cameras WHERE cam_id = '" + c2 + "'"), "66");
    // Keep mine: written over theirs at their version + 1.
    find(c2).fov = 67;
    const std::string my_range = db.scalar("SELECT range FROM cameras WHERE cam_id = '" + c2 + "'");
    ASSERT_EQ(db.exec("UPDATE cameras SET range = range + 1 WHERE cam_id = '" + c2 + "'"), "");
    r = gw::store::save_cameras_to_store(ds.source, ds, as_read);
    ASSERT_EQ(r.conflicts.size(), 1u);
    EXPECT_EQ(r.conflicts[0].current_version, 3);
    gw::store::keep_mine(r.conflicts[0], ds, as_read);
    r = gw::store::save_cameras_to_store(ds.source, ds, as_read);
    EXPECT_TRUE(r.conflicts.empty());
    EXPECT_EQ(db.scalar("SELECT fov || ' ' || range || ' ' || version FROM cameras WHERE cam_id = '" + c2 + "'"),
              "67 " + my_range + " 4");
    EXPECT_EQ(*find(c2).version, 4);
}

// The viewer on PG: (xvfb): a save finds the camera changed by another office since it was read;
// the conflict is shown and nothing written; take theirs keeps the store's row, keep mine writes
// over it at its version + 1. The other office is a trigger that changes the camera once, right
// after the viewer's first save, so the race is the same every run.
TEST(Edit, ViewerShowsConflictAndTakesTheirsOrKeepsMine) {
    GW_REQUIRE_PG();
    ASSERT_TRUE(gwtest::have_xvfb()) << "install xvfb and xauth";
    gwtest::TempDir dir("pg_edit_viewer");
    const char* const names[] = {"组1", "组2", "组3", "组4"};
    const std::string files = gwtest::write_four_cells(dir, names, "社区");
    const std::string c = gwtest::pg_new_database("gw_edit_viewer");
    auto r = run_gridwatch("db init " + pg(c) + " --from " + files);
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE gw_test_once (x int)"), "");
    ASSERT_EQ(db.exec("CREATE FUNCTION gw_test_other() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                      "IF pg_trigger_depth() = 1 AND EXISTS (SELECT 1 FROM gw_test_once) THEN "
                      "DELETE FROM gw_test_once; UPDATE cameras SET range = range + 1 WHERE fid = NEW.fid; END IF; "
                      "RETURN NULL; END $$"),
              "");
    ASSERT_EQ(db.exec("CREATE TRIGGER gw_test_other AFTER UPDATE ON cameras FOR EACH ROW EXECUTE FUNCTION gw_test_other()"),
              "");
    // The camera sits at the window's centre: select it, drag it east, save; drag again, save.
    const std::string edits = "click:400,299;drag:400,299,100,0;key:save;drag:500,299,50,0;key:save";
    const std::string origin = db.scalar("SELECT ST_AsEWKT(geom) FROM cameras");
    // Each run starts with the camera back at the centre (one more version) and the trigger armed.
    int v0 = 0;
    auto view = [&](const std::string& tail) {
        db.exec("UPDATE cameras SET geom = '" + origin + "', range = 400");
        db.exec("INSERT INTO gw_test_once VALUES (1)");
        v0 = std::stoi(db.scalar("SELECT version FROM cameras"));
        return run_gridwatch("view " + pg(c) + " --size 800x600 --frames 3 --print-coverage --events \"" + edits + tail +
                                 "\"",
                             gwtest::kXvfb);
    };
    auto state = [&] { return db.scalar("SELECT version || ' ' || range FROM cameras"); };

    // 1. The conflict is shown, named with both versions and the fields; nothing written.
    r = view("");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "conflict: camera 'K1'") &&
                has(r.out, "read at version " + std::to_string(v0 + 1) + ", now version " + std::to_string(v0 + 2)) &&
                has(r.out, "range 401 vs 400") && has(r.out, "position"))
        << r.out;
    EXPECT_EQ(state(), std::to_string(v0 + 2) + " 401");
    // 2. Take theirs: the store keeps the other office's row; nothing left to save.
    r = view(";key:conflict_theirs");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(has(r.out, "conflict:")) << r.out;
    EXPECT_EQ(state(), std::to_string(v0 + 2) + " 401");
    const std::string theirs_at = db.scalar("SELECT ST_X(geom) FROM cameras");
    // 3. Keep mine: written over theirs (the range the viewer read, the position it was dragged to).
    r = view(";key:conflict_mine");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(has(r.out, "conflict:")) << r.out;
    EXPECT_EQ(state(), std::to_string(v0 + 3) + " 400");
    EXPECT_GT(std::stod(db.scalar("SELECT ST_X(geom) FROM cameras")), std::stod(theirs_at));
}
