// Reading the shared store (geo/io/dataset.cpp on a PG: source): what the layer list says of each
// table, what reading costs the server before the first row, and the tables read by binary COPY
// (geo/store/table_rows.h) against GDAL's own driver. (That every count equals the
// GeoPackage's is DbInit.ReadCommandsGiveTheSameAnswersOnPg's `info`.)
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <cmath>
#include <cstring>
#include <functional>
#include <map>
#include <thread>

#include "../cli_run.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/io/dataset.h"
#include "geo/store/pg.h"
#include "geo/store/table_rows.h"
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

// Read a layer at a time (open_dataset_by_layer, `export`'s reading): a table's count is the rows
// read, carried from layer to layer in the list the next layer starts from; the records and the
// working CRS are the whole read's.
TEST(PgRead, ALayerAtATimeCountsTheRowsReadAsTheWholeReadDoes) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_read_by_layer");
    const auto r = run_gridwatch("db init " + gwtest::pg(c) + " --from " + gwtest::data());
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    ASSERT_EQ(db.exec("VACUUM ANALYZE"), "");
    ASSERT_EQ(db.exec("DELETE FROM incidents WHERE fid % 3 = 0"), "");
    ASSERT_EQ(db.exec("DELETE FROM households WHERE fid % 4 = 0"), "");
    // The planner's estimates now wrong: the counts must be the rows read.
    for (const char* t : {"incidents", "households"})
        ASSERT_NE(
            db.scalar(std::string("SELECT count(*) FROM ") + t),
            db.scalar(std::string("SELECT reltuples::bigint FROM pg_class WHERE relname = '") + t + "'"))
            << t;

    const gw::Dataset whole = gw::open_dataset({"PG:" + c});
    size_t incidents = 0, households = 0, grids = 0, cameras = 0;
    std::vector<std::string> work;
    const gw::Dataset head =
        gw::open_dataset_by_layer({"PG:" + c}, {}, [&](gw::Dataset&& layer, const std::string&) {
            incidents += layer.incidents.size(), households += layer.households.size();
            grids += layer.grids.size(), cameras += layer.cameras.size();
            work.push_back(layer.work_crs_wkt);
        });
    EXPECT_EQ(head.work_crs_wkt, whole.work_crs_wkt);
    for (const auto& w : work) EXPECT_EQ(w, whole.work_crs_wkt);
    EXPECT_EQ(incidents, whole.incidents.size());
    EXPECT_EQ(households, whole.households.size());
    EXPECT_EQ(grids, whole.grids.size());
    EXPECT_EQ(cameras, whole.cameras.size());
    std::map<std::string, int64_t> counted, counted_whole;
    for (const auto& l : head.layers) counted[l.source_name] = l.count;
    for (const auto& l : whole.layers) counted_whole[l.source_name] = l.count;
    EXPECT_EQ(counted, counted_whole);
    EXPECT_EQ(std::to_string(counted["incidents"]), db.scalar("SELECT count(*) FROM incidents"));
    EXPECT_EQ(std::to_string(counted["households"]), db.scalar("SELECT count(*) FROM households"));
    EXPECT_EQ(std::to_string(counted["checks"]), db.scalar("SELECT count(*) FROM checks"));
}

// ---- Tables read by binary COPY (geo/store/table_rows.h) against GDAL's PostgreSQL driver --------

namespace {

/** Every difference between two features of the same definition ("" when none); `skip`: fields not compared. */
std::string feature_difference(OGRFeature& gdal, OGRFeature& ours, const std::vector<int>& skip = {}) {
    const std::string at = "FID " + std::to_string(gdal.GetFID()) + ": ";
    if (gdal.GetFID() != ours.GetFID()) return at + "FID " + std::to_string(ours.GetFID()) + " in its place";
    OGRFeatureDefn* defn = gdal.GetDefnRef();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
        const std::string name = defn->GetFieldDefn(i)->GetNameRef();
        const bool g = gdal.IsFieldSetAndNotNull(i), o = ours.IsFieldSetAndNotNull(i);
        if (g != o) return at + name + (g ? " set by GDAL, null here" : " null by GDAL, set here");
        if (!g) continue;
        switch (defn->GetFieldDefn(i)->GetType()) {
            case OFTInteger:
                if (gdal.GetFieldAsInteger(i) != ours.GetFieldAsInteger(i)) return at + name + " differs";
                break;
            case OFTInteger64:
                if (gdal.GetFieldAsInteger64(i) != ours.GetFieldAsInteger64(i)) return at + name + " differs";
                break;
            case OFTReal: {
                const double a = gdal.GetFieldAsDouble(i), b = ours.GetFieldAsDouble(i);
                if (std::memcmp(&a, &b, sizeof a) != 0 && !(std::isnan(a) && std::isnan(b)))
                    return at + name + " " + gdal.GetFieldAsString(i) + " against " + ours.GetFieldAsString(i);
                break;
            }
            default:
                if (std::string(gdal.GetFieldAsString(i)) != ours.GetFieldAsString(i))
                    return at + name + " '" + gdal.GetFieldAsString(i) + "' against '" + ours.GetFieldAsString(i) + "'";
        }
    }
    const OGRGeometry *g = gdal.GetGeometryRef(), *o = ours.GetGeometryRef();
    if (!g || !o) return (!g) == (!o) ? "" : at + "geometry missing on one side";
    if (g->getGeometryType() != o->getGeometryType()) return at + "geometry " + g->getGeometryName() + " against " + o->getGeometryName();
    std::vector<unsigned char> a(g->WkbSize()), b(o->WkbSize());
    g->exportToWkb(wkbNDR, a.data(), wkbVariantIso);
    o->exportToWkb(wkbNDR, b.data(), wkbVariantIso);
    if (a != b) return at + "geometry " + g->exportToWkt() + " against " + o->exportToWkt();
    return "";
}

/** The rows of `layer` by GDAL's driver and by TableRows compared one by one, in order ("" when equal). */
std::string compare_reading(gw::store::Connection& pg, OGRLayer& layer, const std::vector<int>& skip, size_t* rows) {
    std::vector<std::unique_ptr<OGRFeature>> by_gdal;
    layer.ResetReading();
    for (auto& f : layer) by_gdal.emplace_back(f.release());
    auto reader = gw::store::TableRows::start(pg, layer, skip);
    if (!reader) return std::string(layer.GetName()) + ": not taken by TableRows";
    OGRFeature f(layer.GetLayerDefn());
    size_t n = 0;
    for (; reader->next(f); ++n) {
        if (n >= by_gdal.size()) return std::string(layer.GetName()) + ": more rows than GDAL's " + std::to_string(by_gdal.size());
        if (auto d = feature_difference(*by_gdal[n], f, skip); !d.empty()) return std::string(layer.GetName()) + ": " + d;
    }
    if (rows) *rows = n;
    return n == by_gdal.size() ? "" : std::string(layer.GetName()) + ": " + std::to_string(n) + " rows, GDAL " + std::to_string(by_gdal.size());
}

/** A new database of the cluster with PostGIS, for tables of the test's own; its conninfo. */
std::string postgis_database(const std::string& name) {
    const std::string c = gwtest::pg_new_database(name);
    EXPECT_EQ(PgClient(c).exec("CREATE EXTENSION postgis"), "");
    return c;
}

/** An environment variable set while it lives (GDAL takes its configuration options from there too). */
struct ScopedEnv {
    std::string name;
    ScopedEnv(std::string n, const char* value) : name(std::move(n)) { setenv(name.c_str(), value, 1); }
    ~ScopedEnv() { unsetenv(name.c_str()); }
};

GDALDatasetUniquePtr open_pg(const std::string& conninfo) {
    gw::gdal_setup();
    return GDALDatasetUniquePtr(GDALDataset::Open(("PG:" + conninfo).c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
}

/**
 * compare_reading of table `name` of database `c`, opened by GDAL's driver and read on gridwatch's
 * own connection (with the environment the caller set); `prepare` may filter the layer first.
 */
std::string compare_table(const std::string& c, const char* name, const std::function<void(OGRLayer&)>& prepare = {}) {
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    OGRLayer* layer = ds ? ds->GetLayerByName(name) : nullptr;
    if (!layer) return "GDAL cannot open " + std::string(name);
    if (prepare) prepare(*layer);
    return compare_reading(pg, *layer, {}, nullptr);
}

}  // namespace

TEST(PgRead, BinaryCopyGivesTheRowsGdalsDriverGivesInItsOrder) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_binary");
    PgClient db(c);
    // Every type the reader takes, with the values that trip readers up.
    ASSERT_EQ(db.exec("CREATE TABLE odd (fid serial PRIMARY KEY, i2 int2, i4 int4, i8 int8, d float8, b boolean, "
                      "v varchar(20), t text, c char(4), geom geometry)"),
              "");
    ASSERT_EQ(db.exec(R"(INSERT INTO odd (i2, i4, i8, d, b, v, t, c, geom) VALUES
        (-32768, -2147483648, 9223372036854775807, 0.1, true, '网格', '', 'ab', 'POINT(1 2)'),
        (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
        (32767, 2147483647, -9223372036854775808, 'NaN', false, '', 'tab	and
newline \ backslash', '坪', 'POINT EMPTY'),
        (0, 0, 0, '-0', true, 'x', '大坪子', NULL, 'SRID=4326;POINT(103.1234567890123 30.987654321)'),
        (1, 1, 1, 'Infinity', false, 'y', 'z', 'cccc', 'LINESTRING Z (0 0 1, 1 1 2, 2 0 3)'),
        (2, 2, 2, '-Infinity', NULL, 'y', 'z', 'd', 'POLYGON((0 0, 10 0, 10 10, 0 10, 0 0), (2 2, 2 3, 3 3, 2 2))'),
        (3, 3, 3, 5e-324, NULL, 'y', 'z', 'd', 'MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))'),
        (4, 4, 4, 1.7976931348623157e308, NULL, 'y', 'z', 'd', 'POINT M (1 2 3)'),
        (5, 5, 5, 2.5, NULL, 'y', 'z', 'd', 'POINT ZM (1 2 3 4)'),
        (6, 6, 6, 2.5, NULL, 'y', 'z', 'd', 'GEOMETRYCOLLECTION(POINT(1 1), LINESTRING(0 0, 1 1))'),
        (7, 7, 7, 2.5, NULL, 'y', 'z', 'd', 'CIRCULARSTRING(0 0, 1 1, 2 0)'),
        (8, 8, 8, 2.5, NULL, 'y', 'z', 'd', 'MULTILINESTRING((0 0, 1e-9 1e-9), (3 3, 4 4))'),
        (9, 9, 9, 2.5, NULL, 'y', 'z', 'd', 'POLYGON EMPTY'))"),
              "");
    // Rows an UPDATE moved to the end of the heap, one deleted: the order is the scan's, not the FIDs'.
    ASSERT_EQ(db.exec("UPDATE odd SET t = 'moved' WHERE fid IN (1, 4)"), "");
    ASSERT_EQ(db.exec("DELETE FROM odd WHERE fid = 6"), "");

    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    OGRLayer* odd = ds->GetLayerByName("odd");
    ASSERT_NE(odd, nullptr);
    size_t rows = 0;
    EXPECT_EQ(compare_reading(pg, *odd, {}, &rows), "");
    EXPECT_EQ(rows, 12u);
    ASSERT_EQ(odd->SetAttributeFilter("i4 > 2 AND t = 'z'"), OGRERR_NONE);
    EXPECT_EQ(compare_reading(pg, *odd, {}, &rows), "") << "under an attribute filter";
    EXPECT_EQ(rows, 7u);
    odd->SetAttributeFilter(nullptr);
    EXPECT_EQ(compare_reading(pg, *odd, {1, 7}, &rows), "") << "fields skipped";

    // The store's tables, as db init made them (their updated_at is no field the dataset reads).
    const std::string s = gwtest::pg_new_database("gw_read_binary_store");
    const auto r = run_gridwatch("db init " + gwtest::pg(s) + " --from " + gwtest::data());
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient store(s);
    ASSERT_EQ(store.exec("UPDATE cameras SET status = 'offline' WHERE fid % 5 = 0"), "");
    gw::store::Connection spg("PG:" + s);
    auto sds = open_pg(s);
    ASSERT_TRUE(sds);
    for (const char* name : {"grids", "households", "cameras", "enterprises", "roads", "buildings", "incidents",
                             "facilities", "candidates", "checks", "patrols"}) {
        OGRLayer* l = sds->GetLayerByName(name);
        ASSERT_NE(l, nullptr) << name;
        rows = 0;
        EXPECT_EQ(compare_reading(spg, *l, {l->GetLayerDefn()->GetFieldIndex("updated_at")}, &rows), "");
        EXPECT_EQ(std::to_string(rows), store.scalar(std::string("SELECT count(*) FROM ") + name)) << name;
    }
}

TEST(PgRead, TablesTheBinaryReaderDoesNotTakeAreReadByGdalWithTheSameAnswers) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_read_fallback");
    const auto r = run_gridwatch("db init " + gwtest::pg(c) + " --from " + gwtest::data());
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    // A float4 (GDAL reads its shortest text, 0.1, not the float) and a timestamp of the user's own.
    ASSERT_EQ(db.exec("ALTER TABLE cameras ADD COLUMN score real DEFAULT 0.1"), "");
    ASSERT_EQ(db.exec("ALTER TABLE roads ADD COLUMN surveyed timestamptz DEFAULT '2026-10-01 08:00+08'"), "");
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    EXPECT_EQ(gw::store::TableRows::start(pg, *ds->GetLayerByName("cameras"), {}), nullptr);
    EXPECT_EQ(gw::store::TableRows::start(pg, *ds->GetLayerByName("roads"), {}), nullptr);
    EXPECT_EQ(gw::store::TableRows::start(pg, *ds->GetLayerByName("households_public"), {}), nullptr) << "a view";
    EXPECT_EQ(gw::store::TableRows::start(pg, *ds->GetLayerByName("grids"), {}), nullptr) << "its updated_at";
    OGRLayer* grids = ds->GetLayerByName("grids");
    EXPECT_NE(gw::store::TableRows::start(pg, *grids, {grids->GetLayerDefn()->GetFieldIndex("updated_at")}), nullptr);

    // The whole dataset read both ways: the same features, fields and versions.
    gw::OpenOptions copy, gdal;
    gdal.pg_copy = false;
    const gw::Dataset a = gw::open_dataset({"PG:" + c}, copy), b = gw::open_dataset({"PG:" + c}, gdal);
    auto same = [](const auto& x, const auto& y, const char* what) {
        ASSERT_EQ(x.size(), y.size()) << what;
        for (size_t i = 0; i < x.size(); ++i) {
            ASSERT_EQ(x[i].fid, y[i].fid) << what << " #" << i;
            ASSERT_EQ(x[i].extra, y[i].extra) << what << " #" << i;
            ASSERT_EQ(x[i].version, y[i].version) << what << " #" << i;
        }
    };
    same(a.grids, b.grids, "grids");
    same(a.cameras, b.cameras, "cameras");
    same(a.roads, b.roads, "roads");
    same(a.households, b.households, "households");
    same(a.checks, b.checks, "checks");
    same(a.patrols, b.patrols, "patrols");
    same(a.buildings, b.buildings, "buildings");
    ASSERT_EQ(a.cameras.size(), b.cameras.size());
    for (size_t i = 0; i < a.cameras.size(); ++i) {
        EXPECT_EQ(a.cameras[i].cam_id, b.cameras[i].cam_id);
        EXPECT_EQ(a.cameras[i].pos.x, b.cameras[i].pos.x);
        EXPECT_EQ(a.cameras[i].azimuth, b.cameras[i].azimuth);
        EXPECT_EQ(a.cameras[i].extra, std::vector<std::string>{"0.1"}) << "the float4 as GDAL reads it";
    }
    for (size_t i = 0; i < a.grids.size(); ++i) {
        ASSERT_EQ(a.grids[i].grid_id, b.grids[i].grid_id);
        ASSERT_EQ(a.grids[i].shape.size(), b.grids[i].shape.size());
        for (size_t p = 0; p < a.grids[i].shape.size(); ++p)
            for (size_t k = 0; k < a.grids[i].shape[p].rings.size(); ++k)
                ASSERT_EQ(a.grids[i].shape[p].rings[k], b.grids[i].shape[p].rings[k]) << a.grids[i].grid_id;
    }
    for (size_t i = 0; i < a.checks.size(); ++i) {
        ASSERT_EQ(a.checks[i].check_id, b.checks[i].check_id);
        ASSERT_EQ(a.checks[i].when, b.checks[i].when);
        ASSERT_EQ(a.checks[i].people, b.checks[i].people);
        ASSERT_EQ(a.checks[i].pos, b.checks[i].pos);
    }
}

TEST(PgRead, ABadRowStopsTheReadingWithTheSameLineAndTheConnectionServesTheNextLayer) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_read_badrow");
    const auto r = run_gridwatch("db init " + gwtest::pg(c) + " --from " + gwtest::data());
    ASSERT_EQ(r.status, 0) << r.err;
    PgClient db(c);
    ASSERT_EQ(db.exec("ALTER TABLE facilities ALTER COLUMN geom TYPE geometry"), "");
    ASSERT_EQ(db.exec("UPDATE facilities SET geom = ST_MakeLine(geom, ST_Translate(geom, 1, 1)) WHERE fid = 4"), "");
    auto message = [&](bool pg_copy) {
        gw::OpenOptions o;
        o.pg_copy = pg_copy;
        try {
            gw::open_dataset({"PG:" + c}, o);
        } catch (const gw::Error& e) {
            return std::string(e.what());
        }
        return std::string("no error");
    };
    const std::string ours = message(true);
    EXPECT_NE(ours.find("feature 4: geometry is LINESTRING, expected Point"), std::string::npos) << ours;
    EXPECT_EQ(ours, message(false));

    // A reader stopped after a few rows leaves the connection ready for the next COPY.
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    {
        OGRLayer* checks = ds->GetLayerByName("checks");
        auto rows = gw::store::TableRows::start(pg, *checks, {checks->GetLayerDefn()->GetFieldIndex("updated_at")});
        ASSERT_NE(rows, nullptr);
        OGRFeature f(checks->GetLayerDefn());
        for (int i = 0; i < 3; ++i) ASSERT_TRUE(rows->next(f));
    }
    size_t n = 0;
    EXPECT_EQ(compare_reading(pg, *ds->GetLayerByName("grids"), {ds->GetLayerByName("grids")->GetLayerDefn()->GetFieldIndex("updated_at")}, &n), "");
    EXPECT_GT(n, 0u);
}

TEST(PgRead, BinaryCopyUnderAFilterKeepsTheCursorsOrderWhereTheServerWouldScanInParallel) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_parallel");
    PgClient db(c);
    // A large table under a selective filter (a grid level) gets a parallel scan for a COPY, whose
    // rows come in the workers' interleaving; a cursor, which GDAL's driver reads by, never does.
    // These settings make a small table plan as a large one does by default.
    for (const char* s : {"parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
                          "parallel_leader_participation = off"})
        ASSERT_EQ(db.exec(std::string("ALTER DATABASE gw_read_parallel SET ") + s), "");
    ASSERT_EQ(db.exec("CREATE TABLE cells (fid serial PRIMARY KEY, level int4, name text, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO cells (level, name, geom) SELECT i % 10, 'cell ' || i, ST_MakePoint(i, i) "
                      "FROM generate_series(1, 100000) i"),
              "");
    ASSERT_EQ(db.exec("ANALYZE cells"), "");
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    OGRLayer* cells = ds->GetLayerByName("cells");
    ASSERT_NE(cells, nullptr);
    ASSERT_EQ(cells->SetAttributeFilter("level = 4"), OGRERR_NONE);
    for (int attempt = 0; attempt < 3; ++attempt) {  // the workers' interleaving is a matter of timing
        size_t rows = 0;
        ASSERT_EQ(compare_reading(pg, *cells, {}, &rows), "") << "attempt " << attempt;
        EXPECT_EQ(rows, 10000u);
    }
}

TEST(PgRead, BinaryCopyGivesGdalsDoublesWhereTheServerRoundsTheirText) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_float_digits");
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE nums (fid serial PRIMARY KEY, d float8, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO nums (d) VALUES (0.1::float8 + 0.2), (1::float8 / 3), (5e-324), (1.7976931348623157e308), "
                      "(-1.7976931348623157e308), ('-0'), ('NaN'), ('Infinity'), (103.12345678901234), (NULL), (2.5), "
                      "(123456789012345678), (0.000123456789012345678)"),
              "");
    // GDAL's driver parses the server's text of a float8, which has 15 + extra_float_digits
    // significant digits where that setting is 0 or less (a pooler's, a role's, the PG: string's).
    ASSERT_EQ(db.exec("ALTER DATABASE gw_read_float_digits SET extra_float_digits = 0"), "");
    for (const std::string& conninfo : {c, c + " options='-c extra_float_digits=-4'", c + " options='-c extra_float_digits=3'"}) {
        gw::store::Connection pg("PG:" + conninfo);
        auto ds = open_pg(conninfo);
        ASSERT_TRUE(ds) << conninfo;
        OGRLayer* nums = ds->GetLayerByName("nums");
        ASSERT_NE(nums, nullptr);
        size_t rows = 0;
        EXPECT_EQ(compare_reading(pg, *nums, {}, &rows), "") << conninfo;
        EXPECT_EQ(rows, 13u);
    }
}

TEST(PgRead, BinaryCopyLeavesTheTextToGdalWhereGdalKeepsPgclientencoding) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_client_encoding");
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE names (fid serial PRIMARY KEY, name text, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO names (name) VALUES ('大坪子'), ('网格 3'), ('plain')"), "");
    // GDAL's driver sets client_encoding UTF8 unless PGCLIENTENCODING is set: then its text comes in
    // that encoding, and so must the rows read here.
    const ScopedEnv env("PGCLIENTENCODING", "GBK");
    const std::string d = compare_table(c, "names");
    EXPECT_TRUE(d.empty() || d == "names: not taken by TableRows") << d;
}

TEST(PgRead, BinaryCopyLeavesALayerUnderASpatialFilterToGdal) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_spatial_filter");
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE pts (fid serial PRIMARY KEY, name text, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO pts (name, geom) SELECT 'p' || i, ST_MakePoint(i, i) FROM generate_series(1, 20) i"), "");
    // GDAL's driver puts the spatial filter in its WHERE (geom && the box).
    const std::string d = compare_table(c, "pts", [](OGRLayer& pts) { pts.SetSpatialFilterRect(0, 0, 5.5, 5.5); });
    EXPECT_TRUE(d.empty() || d == "pts: not taken by TableRows") << d;
}

TEST(PgRead, BinaryCopyGivesGeometriesTheLayersSpatialReferenceAsGdalsDriverDoes) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_geometry_srs");
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE pts (fid serial PRIMARY KEY, geom geometry(Point, 4326))"), "");
    ASSERT_EQ(db.exec("INSERT INTO pts (geom) VALUES ('SRID=4326;POINT(103 30)'), ('SRID=4326;POINT(104 31)')"), "");
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    OGRLayer* pts = ds->GetLayerByName("pts");
    ASSERT_NE(pts, nullptr);
    pts->ResetReading();
    std::unique_ptr<OGRFeature> by_gdal(pts->GetNextFeature());
    ASSERT_TRUE(by_gdal && by_gdal->GetGeometryRef());
    const OGRSpatialReference* gdal_srs = by_gdal->GetGeometryRef()->getSpatialReference();
    auto rows = gw::store::TableRows::start(pg, *pts, {});
    ASSERT_NE(rows, nullptr);
    OGRFeature f(pts->GetLayerDefn());
    for (int i = 0; i < 2; ++i) {
        ASSERT_TRUE(rows->next(f));
        ASSERT_NE(f.GetGeometryRef(), nullptr);
        const OGRSpatialReference* ours = f.GetGeometryRef()->getSpatialReference();
        ASSERT_EQ(ours != nullptr, gdal_srs != nullptr) << "row " << i;
        if (ours) {
            EXPECT_TRUE(ours->IsSame(gdal_srs)) << "row " << i;
        }
    }
}

TEST(PgRead, BinaryCopyLeavesTheGeometriesToGdalWhereGdalReadsThemAsText) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_pg_use_text");
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE pts (fid serial PRIMARY KEY, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO pts (geom) VALUES ('POINT(0.12345678901234567 1e-17)'), ('POINT(1 2)')"), "");
    // GDAL's PG_USE_TEXT=YES reads ST_AsEWKT(geom): 15 decimals at most, not the stored doubles.
    const ScopedEnv env("PG_USE_TEXT", "YES");
    const std::string d = compare_table(c, "pts");
    EXPECT_TRUE(d.empty() || d == "pts: not taken by TableRows") << d;
}

TEST(PgRead, BinaryCopyReadsATableWithoutPrimaryKeyAsGdalsDriverDoes) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_no_pkey");
    PgClient db(c);
    // No primary key: GDAL's driver takes a column named ogc_fid as the FID, NULLs and repeats included.
    ASSERT_EQ(db.exec("CREATE TABLE loose (ogc_fid int4, name text, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO loose VALUES (1, 'a', 'POINT(1 1)'), (NULL, 'b', 'POINT(2 2)'), (1, 'c', NULL), (7, 'd', 'POINT(3 3)')"), "");
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    OGRLayer* loose = ds->GetLayerByName("loose");
    ASSERT_NE(loose, nullptr);
    std::string d;
    try {
        d = compare_reading(pg, *loose, {}, nullptr);
    } catch (const gw::Error& e) {
        d = e.what();
    }
    EXPECT_TRUE(d.empty() || d == "loose: not taken by TableRows") << "FID column '" << loose->GetFIDColumn() << "': " << d;
}

TEST(PgRead, BinaryCopyOutlastsAStatementTimeoutAsGdalsPagedCursorDoes) {
    GW_REQUIRE_PG();
    const std::string c = postgis_database("gw_read_statement_timeout");
    PgClient db(c);
    ASSERT_EQ(db.exec("CREATE TABLE cells (fid serial PRIMARY KEY, name text, geom geometry)"), "");
    ASSERT_EQ(db.exec("INSERT INTO cells (name, geom) SELECT repeat('cell ', 20) || i, ST_Buffer(ST_MakePoint(i, i), 1, 2) "
                      "FROM generate_series(1, 20000) i"),
              "");
    // A login's statement_timeout bounds each of GDAL's FETCHes (500 rows); the COPY is one statement
    // for the whole table, which lasts as long as its reader takes over the rows.
    ASSERT_EQ(db.exec("ALTER DATABASE gw_read_statement_timeout SET statement_timeout = '300ms'"), "");
    gw::store::Connection pg("PG:" + c);
    auto ds = open_pg(c);
    ASSERT_TRUE(ds);
    OGRLayer* cells = ds->GetLayerByName("cells");
    ASSERT_NE(cells, nullptr);
    size_t by_gdal = 0;
    cells->ResetReading();
    for (auto& f : *cells) {
        (void)f;
        if (++by_gdal % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    ASSERT_EQ(by_gdal, 20000u);
    auto rows = gw::store::TableRows::start(pg, *cells, {});
    ASSERT_NE(rows, nullptr);
    OGRFeature f(cells->GetLayerDefn());
    size_t n = 0;
    try {
        while (rows->next(f))
            if (++n % 100 == 0) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    } catch (const gw::Error& e) {
        FAIL() << e.what();
    }
    EXPECT_EQ(n, by_gdal);
}
