// gridwatch db init / db roles against a real PostgreSQL 15 + PostGIS (SPEC §9). The roles are
// checked by connecting as each login with plain libpq, not through gridwatch.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "../cli_run.h"
#include "geo/io/writer.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;
using nlohmann::json;

namespace {
using gwtest::data;
using gwtest::pg;


/** A new database `name` holding the store `db init` makes of `file` (its exit status checked). */
std::string init_from(const std::string& name, const std::string& file) {
    const std::string c = gwtest::pg_new_database(name);
    const auto r = run_gridwatch("db init " + pg(c) + " --from " + file);
    EXPECT_EQ(r.status, 0) << r.err;
    return c;
}

/**
 * Compares two JSON documents: the same keys, array lengths and values, numbers to the last bit
 * (the store holds the file's own coordinates, so reading gives the same doubles). Keys in `skip`
 * are left out; differences go to `out`.
 */
void compare(const json& a, const json& b, const std::string& path, const std::set<std::string>& skip,
             std::vector<std::string>& out) {
    if (out.size() > 10) return;
    if (a.is_number() && b.is_number()) {
        if (a.get<double>() != b.get<double>()) out.push_back(path + ": " + a.dump() + " vs " + b.dump());
        return;
    }
    if (a.type() != b.type()) {
        out.push_back(path + ": " + a.dump().substr(0, 80) + " vs " + b.dump().substr(0, 80));
        return;
    }
    if (a.is_object()) {
        for (auto it = a.begin(); it != a.end(); ++it) {
            if (skip.count(it.key())) continue;
            if (!b.contains(it.key())) {
                out.push_back(path + "." + it.key() + ": missing on PG");
                continue;
            }
            compare(it.value(), b[it.key()], path + "." + it.key(), skip, out);
        }
        for (auto it = b.begin(); it != b.end(); ++it)
            if (!skip.count(it.key()) && !a.contains(it.key())) out.push_back(path + "." + it.key() + ": only on PG");
        return;
    }
    if (a.is_array()) {
        if (a.size() != b.size()) {
            out.push_back(path + ": " + std::to_string(a.size()) + " vs " + std::to_string(b.size()) + " items");
            return;
        }
        for (size_t i = 0; i < a.size(); ++i) compare(a[i], b[i], path + "[" + std::to_string(i) + "]", skip, out);
        return;
    }
    if (a != b) out.push_back(path + ": " + a.dump().substr(0, 80) + " vs " + b.dump().substr(0, 80));
}

/** The store of the bundled community, made once for the tests that only read it. */
const std::string& dapingzi_store() {
    static const std::string info = [] {
        const std::string c = gwtest::pg_new_database("gw_dapingzi");
        const auto r = run_gridwatch("db init " + pg(c) + " --from " + data() + " --json");
        EXPECT_EQ(r.status, 0) << r.err;
        return c;
    }();
    return info;
}

}  // namespace

TEST(DbInit, LoadsEveryLayerWithItsCounts) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_init_counts");
    const auto r = run_gridwatch("db init " + pg(c) + " --from " + data() + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_TRUE(j["postgis_created"].get<bool>());
    EXPECT_EQ(j["srid"], 4490);
    const json info = json::parse(run_gridwatch("info " + data() + " --json").out);
    std::map<std::string, int64_t> want;
    for (const auto& l : info["layers"]) want[l["name"]] = l["count"];
    ASSERT_EQ(j["tables"].size(), 11u);
    PgClient db(c);
    for (const auto& t : j["tables"]) {
        const std::string name = t["name"];
        EXPECT_EQ(t["rows"].get<int64_t>(), want[name]) << name;
        EXPECT_EQ(db.scalar("SELECT count(*) FROM " + name), std::to_string(want[name])) << name;
        // A declared SRID, a GiST index, version 1 and a time on every row, a community on every row
        // (the bundled community's rows all lie in its one L1 cell).
        EXPECT_EQ(db.scalar("SELECT Find_SRID('public', '" + name + "', 'geom')"), "4490") << name;
        EXPECT_EQ(db.scalar("SELECT count(*) FROM pg_indexes WHERE tablename = '" + name + "' AND indexdef LIKE '%USING gist (geom)%'"),
                  "1") << name;
        EXPECT_EQ(db.scalar("SELECT count(*) FROM " + name + " WHERE version <> 1 OR updated_at IS NULL"), "0") << name;
        EXPECT_EQ(db.scalar("SELECT count(*) FROM " + name + " WHERE community IS DISTINCT FROM 'DPZ'"), "0") << name;
    }
    EXPECT_EQ(db.scalar("SELECT type FROM geometry_columns WHERE f_table_name = 'checks'"), "POINT");
    EXPECT_EQ(db.scalar("SELECT type FROM geometry_columns WHERE f_table_name = 'grids'"), "MULTIPOLYGON");
    // Debian's server compresses by LZ4: the long geometries loaded are, and later writes will be.
    ASSERT_EQ(db.scalar("SELECT 'lz4' = ANY(enumvals) FROM pg_settings WHERE name = 'default_toast_compression'"), "t");
    EXPECT_EQ(db.scalar("SELECT attcompression FROM pg_attribute WHERE attrelid = 'patrols'::regclass AND attname = 'geom'"), "l");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM patrols WHERE pg_column_compression(geom) = 'pglz'"), "0");
    EXPECT_NE(db.scalar("SELECT count(*) FROM patrols WHERE pg_column_compression(geom) = 'lz4'"), "0");
}

TEST(DbInit, EmptyStoreHasEveryTable) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_init_empty");
    const auto r = run_gridwatch("db init " + pg(c) + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    for (const char* t : {"grids", "households", "cameras", "checks", "patrols", "incidents"})
        EXPECT_EQ(db.scalar(std::string("SELECT count(*) FROM ") + t), "0") << t;
    EXPECT_EQ(db.scalar("SELECT Find_SRID('public', 'patrols', 'geom')"), "4490");
}

// db init reads the reports beside the other layers in the working CRS the grids chose; a dataset of
// reports alone has no grids to choose it: its reports are read as in one reading, and the store
// keeps their CRS (the bundled community's CGCS2000), not a zone chosen for want of a layer.
TEST(DbInit, ReportsAloneKeepTheirCrs) {
    GW_REQUIRE_PG();
    gwtest::TempDir tmp("db_reports_alone");
    const std::string reports = tmp / "reports.gpkg";
    ASSERT_EQ(std::system(("ogr2ogr -f GPKG " + reports + " " + data() + " checks").c_str()), 0);
    PgClient db(init_from("gw_init_reports_alone", reports));
    EXPECT_EQ(db.scalar("SELECT Find_SRID('public', 'checks', 'geom')"), "4490");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM checks"), "2737");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM grids"), "0");
}

TEST(DbInit, ReadCommandsGiveTheSameAnswersOnPg) {
    GW_REQUIRE_PG();
    const std::string c = dapingzi_store();
    // source names and where things came from differ by nature; the store's own columns are
    // fields the file has not.
    const std::set<std::string> skip = {"source", "source_fields", "fields_unrecognised"};
    for (const std::string cmd : {"info", "stats --level 3", "coverage --level 4", "checks --days 7", "patrols",
                                  "hotspots --method gi --level 4"}) {
        const auto a = run_gridwatch(cmd + " " + data() + " --json");
        const auto b = run_gridwatch(cmd + " " + pg(c) + " --json");
        ASSERT_EQ(a.status, 0) << cmd << ": " << a.err;
        ASSERT_EQ(b.status, 0) << cmd << " on PG: " << b.err;
        json on_pg = json::parse(b.out);
        // The wall's view households_public is not a layer beside households (the reader leaves it
        // out where households can be read).
        if (on_pg.contains("layers")) {
            for (const auto& l : on_pg["layers"]) EXPECT_NE(l["name"], "households_public") << cmd;
        }
        if (on_pg.contains("names")) {
            for (const auto& u : on_pg["names"]["unrecognised"]) EXPECT_NE(u["layer"], "households_public") << cmd;
            on_pg["names"]["mapping_to_add"] = json::parse(a.out)["names"]["mapping_to_add"];
        }
        std::vector<std::string> diff;
        compare(json::parse(a.out), on_pg, cmd, skip, diff);
        EXPECT_TRUE(diff.empty()) << cmd << ":\n" << [&] {
            std::string s;
            for (const auto& d : diff) s += "  " + d + "\n";
            return s;
        }();
    }
}

TEST(DbInit, VersionRisesByOneAndChangesAreNotified) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_init_version");
    ASSERT_EQ(run_gridwatch("db init " + pg(c) + " --from " + data()).status, 0);
    PgClient db(c), listener(c);
    listener.exec("LISTEN gridwatch");
    EXPECT_EQ(db.scalar("UPDATE cameras SET azimuth = azimuth + 10, version = 40 WHERE cam_id = 'DPZ-CAM001' RETURNING version"),
              "2");
    EXPECT_EQ(db.scalar("UPDATE cameras SET azimuth = azimuth WHERE cam_id = 'DPZ-CAM001' RETURNING version"), "2")
        << "a write that changes nothing is no change";
    EXPECT_EQ(db.scalar("UPDATE cameras SET status = 'offline' WHERE cam_id = 'DPZ-CAM001' RETURNING version"), "3");
    const std::string fid = db.scalar("SELECT fid FROM cameras WHERE cam_id = 'DPZ-CAM001'");
    // A check added later gets version 1 and its community from the L1 cell it lies in.
    db.exec("INSERT INTO checks (check_id, grid_id, kind, geom) SELECT 'T1', grid_id, 'routine', ST_PointOnSurface(geom) "
            "FROM grids WHERE level = 4 LIMIT 1");
    EXPECT_EQ(db.scalar("SELECT version || ' ' || community FROM checks WHERE check_id = 'T1'"), "1 DPZ");
    listener.exec("SELECT 1");  // reads what has arrived
    std::vector<std::string> got;
    for (PGnotify* n; (n = PQnotifies(listener.raw())) != nullptr; PQfreemem(n)) got.push_back(n->extra);
    ASSERT_EQ(got.size(), 4u);
    const json first = json::parse(got[0]);
    EXPECT_EQ(first["table"], "cameras");
    EXPECT_EQ(first["op"], "update");
    EXPECT_EQ(first["ids"], json::array({std::stoll(fid)}));
    EXPECT_EQ(json::parse(got[3])["table"], "checks");
    EXPECT_EQ(json::parse(got[3])["op"], "insert");
}

TEST(DbInit, CommunityOfEveryRowAgreesWithTheDatabase) {
    GW_REQUIRE_PG();
    // Two communities side by side: the load's community (computed by gridwatch) is the L1 cell
    // PostGIS finds for each row's point on surface, as the trigger does for rows added later.
    gwtest::TempDir tmp("pg_two");
    ASSERT_EQ(run_gridwatch("demo --scale 2 --out " + tmp / "two.gpkg").status, 0);
    const std::string c = gwtest::pg_new_database("gw_two");
    const auto r = run_gridwatch("db init " + pg(c) + " --from " + tmp / "two.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    EXPECT_EQ(db.scalar("SELECT count(*) FROM grids WHERE level = 1"), "2");
    for (const char* t : {"cameras", "buildings", "incidents", "enterprises", "roads", "patrols"}) {
        EXPECT_EQ(db.scalar(std::string("SELECT count(*) FROM ") + t +
                            " WHERE community IS DISTINCT FROM gridwatch_community_of(geom)"),
                  "0")
            << t;
        EXPECT_EQ(db.scalar(std::string("SELECT count(DISTINCT community) FROM ") + t), "2") << t;
    }
    // Households and checks: the community of the cell they name, even when the phone's point is
    // a few metres outside it.
    for (const char* t : {"households", "checks"}) {
        EXPECT_EQ(db.scalar(std::string("SELECT count(*) FROM ") + t +
                            " r LEFT JOIN grids g ON g.grid_id = r.grid_id WHERE r.community IS DISTINCT FROM g.community"),
                  "0")
            << t;
        EXPECT_EQ(db.scalar(std::string("SELECT count(DISTINCT community) FROM ") + t), "2") << t;
    }
    // Grid cells by their parent chain.
    EXPECT_EQ(db.scalar("SELECT count(*) FROM grids g JOIN grids p ON p.grid_id = g.parent_id WHERE g.community <> p.community"),
              "0");
}

TEST(DbInit, LayersInAnotherCrsAreTakenToTheStoresCrs) {
    GW_REQUIRE_PG();
    // Cameras and buildings in WGS84 beside grids in CGCS2000: those two go in from gridwatch's
    // model, taken to the store's one CRS; the rest as the file holds them.
    gwtest::TempDir tmp("pg_crs");
    const std::string mixed = tmp / "mixed.gpkg";
    ASSERT_EQ(std::system(("ogr2ogr -f GPKG " + mixed + " " + data() + " grids households roads").c_str()), 0);
    ASSERT_EQ(std::system(("ogr2ogr -update -t_srs EPSG:4326 " + mixed + " " + data() + " cameras buildings").c_str()), 0);
    const std::string c = init_from("gw_init_crs", mixed);
    PgClient db(c);
    EXPECT_EQ(db.scalar("SELECT Find_SRID('public', 'cameras', 'geom')"), "4490");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM cameras"), "159");
    EXPECT_EQ(db.scalar("SELECT count(*) FROM buildings"), "452");
    const json a = json::parse(run_gridwatch("coverage " + mixed + " --level 3 --json").out);
    const json b = json::parse(run_gridwatch("coverage " + pg(c) + " --level 3 --json").out);
    ASSERT_EQ(a["grids"].size(), b["grids"].size());
    // The views of cameras put back where the file has them (buildings too): the same areas, to 1e-3 m².
    for (size_t i = 0; i < a["grids"].size(); ++i)
        EXPECT_NEAR(a["grids"][i]["covered_m2"].get<double>(), b["grids"][i]["covered_m2"].get<double>(), 1e-3)
            << a["grids"][i]["grid_id"];
    const json ia = json::parse(run_gridwatch("info " + mixed + " --json").out);
    const json ib = json::parse(run_gridwatch("info " + pg(c) + " --json").out);
    for (int k = 0; k < 4; ++k) EXPECT_NEAR(ia["extent"][k].get<double>(), ib["extent"][k].get<double>(), 1e-6);
}

TEST(DbInit, ValuesAreThoseGdalsDriverWrites) {
    GW_REQUIRE_PG();
    // db init writes the rows itself (binary COPY); the store holds what GDAL's PG driver wrote
    // before it did: reals to 15 significant digits, text as given, the file's own point.
    gwtest::TempDir tmp("pg_values");
    const std::string cams = tmp / "cameras.geojson";
    tmp.write("cameras.geojson",
              R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"cam_id":"K\\1\t","owner":"road",)"
              R"("azimuth":45.12345678901234567,"fov":90.5,"range":400.30000000000004,"status":"online"},)"
              R"("geometry":{"type":"Point","coordinates":[98.69000000000001,24.590000000000003]}}]})");
    const std::string a = gwtest::pg_new_database("gw_values_init"), b = gwtest::pg_new_database("gw_values_ogr");
    ASSERT_EQ(run_gridwatch("db init " + pg(a) + " --from " + cams).status, 0);
    PgClient ogr(b);
    ASSERT_EQ(ogr.exec("CREATE EXTENSION IF NOT EXISTS postgis"), "");
    ASSERT_EQ(std::system(("ogr2ogr -f PostgreSQL " + pg(b) + " " + cams +
                           " -nln cameras -lco GEOMETRY_NAME=geom -lco FID=fid -lco PRECISION=NO -lco LAUNDER=NO")
                              .c_str()),
              0);
    const std::string row = "SELECT cam_id || '|' || owner || '|' || azimuth::text || '|' || fov::text || '|' || "
                            "range::text || '|' || status || '|' || encode(ST_AsEWKB(geom), 'hex') FROM cameras";
    PgClient init(a);
    EXPECT_EQ(init.scalar(row), ogr.scalar(row));
    EXPECT_EQ(init.scalar("SELECT azimuth::text FROM cameras"), "45.1234567890123");
}
