// db push / db pull (both ways between a dataset and the store), import into the store, and the
// commands not covered by test_db.cpp giving the same answers on PG: as on the GeoPackage (SPEC §9).
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "../cli_run.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;
using gwtest::slurp;
using gwtest::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {
using gwtest::data;
using gwtest::pg;
using gwtest::as_user;


json json_of(const gwtest::RunResult& r) {
    try {
        return json::parse(r.out);
    } catch (...) {
        ADD_FAILURE() << "not JSON: " << r.out << r.err;
        return {};
    }
}

/** The store of the bundled community, made once for the tests here that only read it. */
const std::string& dapingzi_store() {
    static const std::string info = [] {
        const std::string c = gwtest::pg_new_database("gw_sync_dapingzi");
        const auto r = run_gridwatch("db init " + pg(c) + " --from " + data());
        EXPECT_EQ(r.status, 0) << r.err;
        return c;
    }();
    return info;
}

/** Two communities side by side (demo --scale 2) in a store, made once; tests may add reports. */
const std::string& two_store() {
    static const std::string info = [] {
        static TempDir tmp("pg_two_sync");
        EXPECT_EQ(run_gridwatch("demo --scale 2 --out " + tmp / "two.gpkg").status, 0);
        const std::string c = gwtest::pg_new_database("gw_sync_two");
        const auto r = run_gridwatch("db init " + pg(c) + " --from " + tmp / "two.gpkg");
        EXPECT_EQ(r.status, 0) << r.err;
        return c;
    }();
    return info;
}

/** A layer of a push report by name. */
json layer_of(const json& push, const std::string& name) {
    for (const auto& l : push["layers"])
        if (l["name"] == name) return l;
    ADD_FAILURE() << "no layer " << name << " in " << push.dump();
    return {};
}

/** Runs SQL on a GeoPackage through ogrinfo (SQLite's own dialect, GeoPackage functions loaded). */
void gpkg_sql(const std::string& file, const std::string& sql) {
    const std::string cmd = "ogrinfo -q " + file + " -sql \"" + sql + "\" >/dev/null";
    ASSERT_EQ(std::system(cmd.c_str()), 0) << sql;
}

/** Phone reports in the given cells at each cell's own point: ids PREFIX<first>…, n of them. */
std::string reports(const std::vector<std::vector<std::string>>& cells, int first, int n, const std::string& prefix) {
    std::string s = "check_id,grid_id,reporter,time,kind,people,note,lon,lat\n";
    char line[256];
    for (int i = first; i < first + n; ++i) {
        const auto& c = cells[size_t(i) % cells.size()];  // grid_id, lon, lat
        std::snprintf(line, sizeof line, "%s%05d,%s,张三,2026-12-01T%02d:%02d:00+08:00,routine,1,,%s,%s\n", prefix.c_str(), i,
                      c[0].c_str(), 8 + (i / 60) % 12, i % 60, c[1].c_str(), c[2].c_str());
        s += line;
    }
    return s;
}

/** The L4 cells of a store (optionally of one community): grid_id and a point inside in WGS84. */
std::vector<std::vector<std::string>> l4_cells(PgClient& db, const std::string& community = "") {
    return db.query("SELECT grid_id, ST_X(p)::text, ST_Y(p)::text FROM (SELECT grid_id, ST_Transform(ST_PointOnSurface(geom), "
                    "4326) AS p FROM grids WHERE level = 4" +
                    (community.empty() ? std::string() : " AND community = '" + community + "'") + " ORDER BY grid_id) AS c");
}

}  // namespace

/**
 * A pull of the store made from the bundled file gives the same answers as the file (the store's
 * bookkeeping columns stay behind); a failed pull leaves the old file; a pull names a GeoPackage.
 */
TEST(DbPull, PulledFileGivesTheSameAnswersAsTheSource) {
    GW_REQUIRE_PG();
    const std::string c = dapingzi_store();
    TempDir tmp("pg_pull");
    const auto r = run_gridwatch("db pull " + pg(c) + " " + tmp / "pulled.gpkg --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json_of(r);
    EXPECT_EQ(j["layers"].size(), 11u);
    for (const std::string cmd : {"stats --level 4", "checks --days 7", "info"}) {
        const auto a = run_gridwatch(cmd + " " + data() + " --json");
        const auto b = run_gridwatch(cmd + " " + tmp / "pulled.gpkg --json");
        ASSERT_EQ(a.status, 0) << cmd << a.err;
        ASSERT_EQ(b.status, 0) << cmd << b.err;
        json ja = json_of(a), jb = json_of(b);
        if (cmd == "info") {
            // Names and sources differ by nature; the layers, counts, CRS and extent may not.
            EXPECT_EQ(ja["crs"], jb["crs"]);
            EXPECT_EQ(ja["extent"], jb["extent"]);
            std::map<std::string, json> la, lb;
            for (const auto& l : ja["layers"]) la[l["name"]] = l["count"];
            for (const auto& l : jb["layers"]) lb[l["name"]] = l["count"];
            EXPECT_EQ(la, lb);
            for (const auto& l : jb["layers"])
                for (const auto& f : l.value("source_fields", json::array()))
                    EXPECT_TRUE(f != "version" && f != "updated_at" && f != "community") << l["name"] << " " << f;
            continue;
        }
        EXPECT_EQ(ja, jb) << cmd;
    }
    // Usage errors: a database as FILE, a FILE that is not a GeoPackage.
    EXPECT_EQ(run_gridwatch("db pull " + pg(c) + " " + pg(c)).status, 2);
    EXPECT_EQ(run_gridwatch("db pull " + pg(c) + " " + tmp / "x.shp").status, 2);
    // A pull that fails (no such community) leaves the old file as it was.
    const std::string before = slurp(tmp / "pulled.gpkg");
    const auto bad = run_gridwatch("db pull " + pg(c) + " " + tmp / "pulled.gpkg --community NOPE");
    EXPECT_EQ(bad.status, 1);
    EXPECT_EQ(bad.error_lines(), 1) << bad.err;
    EXPECT_NE(bad.err.find("DPZ"), std::string::npos) << "names the communities there: " << bad.err;
    EXPECT_TRUE(slurp(tmp / "pulled.gpkg") == before);
    // A wall login may not read households, grids or checks (only their masked views): one line
    // saying so, not a driver's aborted transaction.
    ASSERT_EQ(run_gridwatch("db roles " + pg(c) + " --wall sync_wall").status, 0);
    const auto wall = run_gridwatch("db pull " + pg(as_user(c, "sync_wall")) + " " + tmp / "wall.gpkg");
    EXPECT_EQ(wall.status, 1);
    EXPECT_EQ(wall.error_lines(), 1) << wall.err;
    EXPECT_NE(wall.err.find("may not read the table 'grids'"), std::string::npos) << wall.err;
    EXPECT_NE(wall.err.find("only through their masked views"), std::string::npos) << wall.err;
    EXPECT_FALSE(fs::exists(tmp / "wall.gpkg"));
}

/**
 * Pull, change the file, push: the changed camera is updated (version 2), the new one inserted, the
 * one deleted from the file kept and counted (deleted with --delete), every other row untouched
 * (version 1); pushing the same file again changes nothing. A file with an id twice is refused
 * and nothing is written.
 */
TEST(DbPush, UpdatesChangedRowsInsertsNewOnesAndKeepsOrDeletesTheRest) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_push");
    ASSERT_EQ(run_gridwatch("db init " + pg(c) + " --from " + data()).status, 0);
    TempDir tmp("pg_push");
    const std::string f = tmp / "edit.gpkg";
    // A NULL where the file reads "" (import stores a report's empty note as NULL) is no change.
    {
        PgClient db(c);
        ASSERT_EQ(db.exec("ALTER TABLE checks DISABLE TRIGGER USER"), "");
        ASSERT_EQ(db.exec("UPDATE checks SET note = NULL WHERE fid % 2 = 0 AND note = ''"), "");
        ASSERT_EQ(db.exec("ALTER TABLE checks ENABLE TRIGGER USER"), "");
        ASSERT_NE(db.scalar("SELECT count(*) FROM checks WHERE note IS NULL"), "0");
    }
    ASSERT_EQ(run_gridwatch("db pull " + pg(c) + " " + f).status, 0);
    gpkg_sql(f, "UPDATE cameras SET azimuth = azimuth + 15 WHERE cam_id = 'DPZ-CAM001'");
    gpkg_sql(f, "INSERT INTO cameras (cam_id, owner, azimuth, fov, range, status, geom) SELECT 'NEW-1', owner, 90, fov, "
                "range, status, geom FROM cameras WHERE cam_id = 'DPZ-CAM002'");
    gpkg_sql(f, "DELETE FROM cameras WHERE cam_id = 'DPZ-CAM003'");
    gpkg_sql(f, "DELETE FROM buildings WHERE fid = (SELECT min(fid) FROM buildings)");
    gpkg_sql(f, "DROP TABLE patrols");  // a layer the file lacks is left alone
    PgClient db(c);
    const std::string patrols = db.scalar("SELECT count(*) FROM patrols");
    const auto r = run_gridwatch("db push " + f + " " + pg(c) + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json_of(r);
    const json cams = layer_of(j, "cameras");
    EXPECT_EQ(cams["key"], "cam_id");
    EXPECT_EQ(cams["updated"], 1);
    EXPECT_EQ(cams["inserted"], 1);
    EXPECT_EQ(cams["missing"], 1);
    EXPECT_EQ(cams["deleted"], 0);
    EXPECT_EQ(cams["unchanged"], 157);
    const json bld = layer_of(j, "buildings");
    EXPECT_EQ(bld["key"], nullptr);
    EXPECT_EQ(bld["inserted"], 0);
    EXPECT_EQ(bld["missing"], 1);
    for (const char* t : {"grids", "households", "incidents", "checks", "roads"}) {
        const json l = layer_of(j, t);
        EXPECT_EQ(l["updated"], 0) << t;
        EXPECT_EQ(l["inserted"], 0) << t;
        EXPECT_EQ(l["missing"], 0) << t;
    }
    EXPECT_EQ(j["absent"], json::array({"patrols"}));
    EXPECT_EQ(db.scalar("SELECT count(*) FROM patrols"), patrols);
    EXPECT_EQ(db.scalar("SELECT version FROM cameras WHERE cam_id = 'DPZ-CAM001'"), "2");
    EXPECT_EQ(db.scalar("SELECT version || ' ' || community || ' ' || azimuth FROM cameras WHERE cam_id = 'NEW-1'"), "1 DPZ 90");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM cameras WHERE version <> 1"), "1");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM cameras WHERE cam_id = 'DPZ-CAM003'"), "1") << "kept without --delete";
    for (const char* t : {"grids", "households", "roads", "buildings", "checks"})
        EXPECT_EQ(db.scalar(std::string("SELECT count(*) FROM ") + t + " WHERE version <> 1"), "0") << t;

    // Again: nothing changes.
    const json again = json_of(run_gridwatch("db push " + f + " " + pg(c) + " --json"));
    EXPECT_EQ(layer_of(again, "cameras")["updated"], 0);
    EXPECT_EQ(layer_of(again, "cameras")["inserted"], 0);
    EXPECT_EQ(db.scalar("SELECT version FROM cameras WHERE cam_id = 'DPZ-CAM001'"), "2");
    // --delete removes what the file lacks, in the layers it has.
    const json del = json_of(run_gridwatch("db push " + f + " " + pg(c) + " --delete --json"));
    EXPECT_EQ(layer_of(del, "cameras")["deleted"], 1);
    EXPECT_EQ(layer_of(del, "buildings")["deleted"], 1);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM cameras WHERE cam_id = 'DPZ-CAM003'"), "0");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM patrols"), patrols);

    // An id twice: refused, nothing written.
    gpkg_sql(f, "UPDATE cameras SET cam_id = 'DPZ-CAM001', azimuth = 1 WHERE cam_id = 'DPZ-CAM004'");
    const std::string state = db.scalar("SELECT string_agg(cam_id || version, ',' ORDER BY fid) FROM cameras");
    const auto dup = run_gridwatch("db push " + f + " " + pg(c));
    EXPECT_EQ(dup.status, 1);
    EXPECT_EQ(dup.error_lines(), 1) << dup.err;
    EXPECT_NE(dup.err.find("cam_id 'DPZ-CAM001' more than once"), std::string::npos) << dup.err;
    EXPECT_EQ(db.scalar("SELECT string_agg(cam_id || version, ',' ORDER BY fid) FROM cameras"), state);
}

// A pulled copy pushed after another office changed a row in the store put the row back to the
// copy's old values, exit 0 (a lost update). The copy carries the versions it was pulled at: a row
// the store changed since, which the file holds otherwise, stops the push, nothing written;
// --overwrite puts the file's rows over. A push brings the file's versions up to date, so pushing
// the same file again after more changes of its own is no conflict.
TEST(DbPush, ARowChangedInTheStoreSinceThePullIsAConflict) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_push_conflict");
    ASSERT_EQ(run_gridwatch("db init " + pg(c) + " --from " + data()).status, 0);
    TempDir tmp("pg_push_conflict");
    const std::string stale = tmp / "stale.gpkg", mine = tmp / "mine.gpkg";
    ASSERT_EQ(run_gridwatch("db pull " + pg(c) + " " + stale).status, 0);
    ASSERT_EQ(run_gridwatch("db pull " + pg(c) + " " + mine).status, 0);
    PgClient db(c);
    ASSERT_EQ(run_gridwatch("edit " + pg(c) + " --camera DPZ-CAM002 --azimuth 120").status,
              0);  // another office
    const std::string state = db.scalar(
        "SELECT string_agg(cam_id || ':' || azimuth || ':' || version, ',' ORDER BY fid) FROM cameras");
    auto r = run_gridwatch("db push " + stale + " " + pg(c));
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("'DPZ-CAM002' was changed in the store since the file was pulled (version 2 there, "
                         "1 in the file): "
                         "azimuth 120 vs 85.4"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(
        db.scalar(
            "SELECT string_agg(cam_id || ':' || azimuth || ':' || version, ',' ORDER BY fid) FROM cameras"),
        state);
    // My own copy, changed twice and pushed after each change: no conflict with myself.
    gpkg_sql(mine, "UPDATE cameras SET azimuth = 11 WHERE cam_id = 'DPZ-CAM003'");
    r = run_gridwatch("db push " + mine + " " + pg(c));
    ASSERT_EQ(r.status, 1) << "the copy also holds DPZ-CAM002 as pulled";
    gpkg_sql(mine, "DELETE FROM cameras WHERE cam_id = 'DPZ-CAM002'");
    r = run_gridwatch("db push " + mine + " " + pg(c));
    ASSERT_EQ(r.status, 0) << r.err;
    gpkg_sql(mine, "UPDATE cameras SET azimuth = 12 WHERE cam_id = 'DPZ-CAM003'");
    r = run_gridwatch("db push " + mine + " " + pg(c));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(db.scalar("SELECT azimuth || ':' || version FROM cameras WHERE cam_id = 'DPZ-CAM003'"), "12:3");
    EXPECT_EQ(db.scalar("SELECT azimuth FROM cameras WHERE cam_id = 'DPZ-CAM002'"), "120");
    // A row the store changed and the file left as the store has it now is no conflict either.
    gpkg_sql(stale, "UPDATE cameras SET azimuth = 120 WHERE cam_id = 'DPZ-CAM002'");
    gpkg_sql(stale, "UPDATE cameras SET azimuth = 12 WHERE cam_id = 'DPZ-CAM003'");
    EXPECT_EQ(run_gridwatch("db push " + stale + " " + pg(c)).status, 0);
    // --overwrite: the file's rows over theirs.
    ASSERT_EQ(run_gridwatch("edit " + pg(c) + " --camera DPZ-CAM004 --range 99").status, 0);
    gpkg_sql(stale, "UPDATE cameras SET range = 42 WHERE cam_id = 'DPZ-CAM004'");
    EXPECT_EQ(run_gridwatch("db push " + stale + " " + pg(c)).status, 1);
    r = run_gridwatch("db push " + stale + " " + pg(c) + " --overwrite");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(db.scalar("SELECT range FROM cameras WHERE cam_id = 'DPZ-CAM004'"), "42");
    // A camera another office removed came back with a stale copy's push: refused too.
    ASSERT_EQ(run_gridwatch("db pull " + pg(c) + " " + stale).status, 0);
    ASSERT_EQ(db.exec("DELETE FROM cameras WHERE cam_id = 'DPZ-CAM005'"), "");
    r = run_gridwatch("db push " + stale + " " + pg(c));
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("'DPZ-CAM005' was deleted from the store since the file was pulled"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(db.scalar("SELECT count(*) FROM cameras WHERE cam_id = 'DPZ-CAM005'"), "0");
    EXPECT_EQ(run_gridwatch("db push " + stale + " " + pg(c) + " --overwrite").status, 0);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM cameras WHERE cam_id = 'DPZ-CAM005'"), "1");
}

/**
 * import on a store: the same validation as on a GeoPackage, check_ids already there skipped; ten
 * importers at once with overlapping files store the union once; a community login imports only
 * its community's reports (the others are bad rows: it sees no such cell).
 */
TEST(DbImport, TenImportersAtOnceStoreTheUnionOnceAndLoginsOnlyTheirCommunity) {
    GW_REQUIRE_PG();
    TempDir tmp("pg_import");
    const std::string c = two_store();
    PgClient db(c);
    const auto cells = l4_cells(db);
    ASSERT_GT(cells.size(), 10u);
    const std::string stored0 = db.scalar("SELECT count(*) FROM checks");

    // One import, then the same again.
    tmp.write("one.csv", reports(cells, 0, 40, "A"));
    auto r = run_gridwatch("import " + pg(c) + " --checks " + tmp / "one.csv --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json_of(r)["added"], 40);
    EXPECT_EQ(json_of(r)["crs"], "EPSG:4490");
    r = run_gridwatch("import " + pg(c) + " --checks " + tmp / "one.csv --json");
    EXPECT_EQ(json_of(r)["added"], 0);
    EXPECT_EQ(json_of(r)["skipped_existing"], 40);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks WHERE check_id LIKE 'A%' AND version = 1 AND community IS NOT NULL"), "40");
    // The point lands where the phone was: inside the cell it names.
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks k JOIN grids g USING (grid_id) WHERE k.check_id LIKE 'A%' AND "
                        "NOT ST_Intersects(g.geom, k.geom)"),
              "0");
    // A bad row: nothing written.
    tmp.write("bad.csv", reports(cells, 100, 5, "B") + "B9,NO-SUCH-CELL,x,2026-12-01T08:00:00,routine,1,,98.7,24.6\n");
    r = run_gridwatch("import " + pg(c) + " --checks " + tmp / "bad.csv");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks WHERE check_id LIKE 'B%'"), "0");

    // Ten at once, each overlapping the next by half: the union, once.
    for (int i = 0; i < 10; ++i) tmp.write("p" + std::to_string(i) + ".csv", reports(cells, i * 50, 100, "P"));
    std::vector<gwtest::RunResult> rs(10);
    std::vector<std::thread> ts;
    for (int i = 0; i < 10; ++i)
        ts.emplace_back([&, i] {
            rs[i] = run_gridwatch("import " + pg(c) + " --checks " + tmp / ("p" + std::to_string(i) + ".csv") + " --json");
        });
    for (auto& t : ts) t.join();
    int added = 0, skipped = 0;
    for (const auto& x : rs) {
        ASSERT_EQ(x.status, 0) << x.err;
        added += json_of(x)["added"].get<int>();
        skipped += json_of(x)["skipped_existing"].get<int>();
    }
    EXPECT_EQ(added, 550);
    EXPECT_EQ(skipped, 450);
    EXPECT_EQ(db.scalar("SELECT count(*) || ' ' || count(DISTINCT check_id) FROM checks WHERE check_id LIKE 'P%'"), "550 550");

    // A community login: reports of its own cells go in, another community's are bad rows.
    const std::string a = db.scalar("SELECT min(grid_id) FROM grids WHERE level = 1");
    ASSERT_EQ(run_gridwatch("db roles " + pg(c) + " --community " + a + " --login office_a").status, 0);
    const auto mine_cells = l4_cells(db, a);
    const auto others = l4_cells(db, db.scalar("SELECT max(grid_id) FROM grids WHERE level = 1"));
    ASSERT_FALSE(mine_cells.empty());
    ASSERT_FALSE(others.empty());
    const std::string theirs = reports(others, 30, 30, "M");
    tmp.write("mixed.csv", reports(mine_cells, 0, 30, "M") + theirs.substr(theirs.find('\n') + 1));
    const std::string mine = "30";
    const std::string office = pg(as_user(c, "office_a"));
    r = run_gridwatch("import " + office + " --checks " + tmp / "mixed.csv");
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks WHERE check_id LIKE 'M%'"), "0");
    r = run_gridwatch("import " + office + " --checks " + tmp / "mixed.csv --skip-bad --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(std::to_string(json_of(r)["added"].get<int>()), mine);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks WHERE check_id LIKE 'M%' AND community = '" + a + "'"), mine);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks"), std::to_string(std::stoi(stored0) + 40 + 550 + std::stoi(mine)));
    // A report dated after today is named when it is added, not again when imported a second time
    // (the store skips it as already there).
    std::string future = reports(cells, 300, 2, "F");
    const size_t at = future.rfind("2026-12-01");
    ASSERT_NE(at, std::string::npos);
    future.replace(at, 4, "2062");
    tmp.write("future.csv", future);
    r = run_gridwatch("import " + pg(c) + " --checks " + tmp / "future.csv --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json_of(r)["added"], 2);
    EXPECT_EQ(json_of(r)["future_dated"], 1);
    EXPECT_NE(r.err.find("F00301 2062-12-01"), std::string::npos) << r.err;
    r = run_gridwatch("import " + pg(c) + " --checks " + tmp / "future.csv --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json_of(r)["added"], 0);
    EXPECT_EQ(json_of(r)["future_dated"], 0);
    EXPECT_EQ(r.err.find("dated after"), std::string::npos) << r.err;
}

/** A pull of one community holds that community's rows only: its L1 cell and the cells below it. */
TEST(DbPull, OneCommunity) {
    GW_REQUIRE_PG();
    TempDir tmp("pg_pull_one");
    const std::string c = two_store();
    PgClient db(c);
    const std::string a = db.scalar("SELECT min(grid_id) FROM grids WHERE level = 1");
    const auto r = run_gridwatch("db pull " + pg(c) + " " + tmp / "a.gpkg --community " + a + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json_of(r);
    for (const auto& l : j["layers"]) {
        const std::string t = l["name"];
        EXPECT_EQ(std::to_string(l["rows"].get<int64_t>()),
                  db.scalar("SELECT count(*) FROM " + t + " WHERE community = '" + a + "'")) << t;
        EXPECT_NE(db.scalar("SELECT count(*) FROM " + t + " WHERE community <> '" + a + "'"), "0") << t;
    }
    // Every cell of the file descends from the one L1 cell, and the file opens in the commands.
    const json cov = json_of(run_gridwatch("stats " + tmp / "a.gpkg --level 1 --json"));
    ASSERT_TRUE(cov.contains("grids") || cov.contains("cells")) << cov.dump().substr(0, 200);
    const auto info = run_gridwatch("info " + tmp / "a.gpkg --json");
    ASSERT_EQ(info.status, 0) << info.err;
    const std::string grids = db.scalar(
        "WITH RECURSIVE d AS (SELECT grid_id FROM grids WHERE grid_id = '" + a +
        "' UNION ALL SELECT g.grid_id FROM grids g JOIN d ON g.parent_id = d.grid_id) SELECT count(*) FROM d");
    // Held: a range-for over a member of a temporary document read it after it was freed (ASan).
    const json layers = json_of(info)["layers"];
    for (const auto& l : layers) {
        if (l["name"] == "grids") {
            EXPECT_EQ(std::to_string(l["count"].get<int64_t>()), grids);
        }
    }
}

/**
 * render, export, plan and hotspots --method kde on the store give what they give on the file:
 * the same image bytes, shapefile bytes, JSON and raster.
 */
TEST(DbCommands, RenderExportPlanKdeAsOnTheFile) {
    GW_REQUIRE_PG();
    const std::string c = dapingzi_store();
    TempDir tmp("pg_cmds");
    for (const auto& [name, src] : {std::pair<std::string, std::string>{"file", data()}, {"pg", pg(c)}}) {
        fs::create_directories(tmp.path / name);
        const std::string d = (tmp.path / name).string();
        auto r = run_gridwatch("render " + src + " --out " + d + "/map.png --size 320x240");
        ASSERT_EQ(r.status, 0) << name << r.err;
        r = run_gridwatch("export " + src + " --out " + d + "/shp --layers grids,cameras,households --level 4");
        ASSERT_EQ(r.status, 0) << name << r.err;
        r = run_gridwatch("plan " + src + " --add 3 --json");
        ASSERT_EQ(r.status, 0) << name << r.err;
        tmp.write(name + "/plan.json", r.out);
        r = run_gridwatch("hotspots " + src + " --method kde --out " + d + "/kde.tif --json");
        ASSERT_EQ(r.status, 0) << name << r.err;
        json k = json_of(r);
        k.erase("raster");
        tmp.write(name + "/kde.json", k.dump());
    }
    const fs::path a = tmp.path / "file", b = tmp.path / "pg";
    EXPECT_TRUE(slurp(a / "map.png") == slurp(b / "map.png")) << "render";
    EXPECT_EQ(json::parse(slurp(a / "plan.json")), json::parse(slurp(b / "plan.json")));
    EXPECT_EQ(slurp(a / "kde.json"), slurp(b / "kde.json"));
    EXPECT_TRUE(slurp(a / "kde.tif") == slurp(b / "kde.tif")) << "kde raster";
    std::set<std::string> files;
    for (const auto& e : fs::directory_iterator(a / "shp")) files.insert(e.path().filename().string());
    ASSERT_FALSE(files.empty());
    for (const auto& e : fs::directory_iterator(b / "shp")) EXPECT_TRUE(files.count(e.path().filename().string())) << e.path();
    for (const auto& n : files) {
        std::string x = slurp(a / "shp" / n), y = slurp(b / "shp" / n);
        if (n.size() > 4 && n.substr(n.size() - 4) == ".dbf" && x.size() > 4 && y.size() > 4)
            x.replace(1, 3, "YMD"), y.replace(1, 3, "YMD");  // the date of last update
        EXPECT_TRUE(x == y) << "export: " << n << " differs";
    }
}
