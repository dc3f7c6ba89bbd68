// The patrol figures in the briefing table (SPEC §4 stats --with-checks, §7 export --with-stats):
// a lattice of 100 m cells with straight roads, one camera and tracks at known times, the answers
// worked by hand; the same figures as `gridwatch patrols` (one code path); a dataset without a
// patrols layer gets null (JSON) or no (shapefile) patrol columns, said once on stderr.
//
// The lattice (metres from (466000, 2720000), EPSG:4542): L3 cells V (x 0–300) and W (x 300–400);
// L4 cells A (x 0–100), B (100–200), C (200–300) under V, D (300–400) under W, all y 0–100.
// Road R1 along y = 50 from x = 0 to 200 (A, B); road R2 along y = 50 from x = 300 to 400 (D).
// Camera K1 at (50, 20) looks north, fov 90°, range 50: R1 seen for x 20–80 (60 m).
// Tracks (local times):
//   T1 (20, 60) → (180, 60), 2026-11-02 10:00–10:16, by day: R1 patrolled x 20–180.
//   T2 (150, 45) → (200, 45), 2026-11-02 21:00–21:05, at night: R1 patrolled x 150–200.
//   T0 (0, 45) → (200, 45), 2026-10-23 22:00–23:00: before the default window (the 7 days
//   ending on the latest track's day, 2026-10-27 … 11-02), so it counts nowhere.
// Per L4 cell (road, patrolled, neither = road − (camera ∪ patrolled), night share):
//   A: 100, 80 (x 20–100), 20 (x 0–20), 0.
//   B: 100, 100 (x 100–200), 0, 50 at night of 100: 0.5.
//   C: 0, 0, 0, 0.   D: 100, 0, 100, 0.
// Level 3: V 200, 180, 20, 50/180; W 100, 0, 100, 0. Total 300, 180, 120, 50/180.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <map>
#include <nlohmann/json.hpp>

#include "geo/core/gdal_setup.h"
#include "tests/cli_run.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;
using nlohmann::json;

namespace {

constexpr double kX0 = 466000, kY0 = 2720000;

std::string xy(double x, double y) { return std::to_string(kX0 + x) + " " + std::to_string(kY0 + y); }
std::string square(double x0, double x1) {
    return "POLYGON((" + xy(x0, 0) + "," + xy(x1, 0) + "," + xy(x1, 100) + "," + xy(x0, 100) + "," + xy(x0, 0) + "))";
}
std::string line(double x0, double y0, double x1, double y1) { return "LINESTRING(" + xy(x0, y0) + "," + xy(x1, y1) + ")"; }

using Row = std::pair<std::string, std::map<std::string, std::string>>;  // WKT, field values (text)

void add_layer(GDALDataset& out, const char* name, OGRwkbGeometryType type, const std::vector<std::string>& fields,
               const std::vector<Row>& rows, const std::vector<std::string>& numeric_fields = {}) {
    OGRSpatialReference srs;
    srs.importFromEPSG(4542);
    OGRLayer* l = out.CreateLayer(name, &srs, type, nullptr);
    ASSERT_TRUE(l);
    for (const auto& f : fields) {
        OGRFieldDefn d(f.c_str(), OFTString);
        ASSERT_EQ(l->CreateField(&d), OGRERR_NONE);
    }
    for (const auto& f : numeric_fields) {
        OGRFieldDefn d(f.c_str(), f == "level" ? OFTInteger : OFTReal);
        ASSERT_EQ(l->CreateField(&d), OGRERR_NONE);
    }
    for (const auto& [wkt, values] : rows) {
        OGRFeature f(l->GetLayerDefn());
        for (const auto& [k, v] : values) f.SetField(k.c_str(), v.c_str());
        OGRGeometry* g = nullptr;
        ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt.c_str(), nullptr, &g), OGRERR_NONE) << wkt;
        f.SetGeometryDirectly(g);
        ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
}

/** The lattice above as a GeoPackage; without its patrols layer when !patrols. */
std::string write_lattice(const TempDir& dir, bool patrols = true) {
    gw::gdal_setup();
    const std::string path = dir / (patrols ? "lattice.gpkg" : "no_patrols.gpkg");
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr out(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    EXPECT_TRUE(out);
    auto cell = [](const char* id, const char* level, const char* parent, double x0, double x1) {
        return Row{square(x0, x1), {{"grid_id", id}, {"level", level}, {"parent_id", parent}, {"name", id}}};
    };
    add_layer(*out, "grids", wkbPolygon, {"grid_id", "parent_id", "name"},
              {cell("V", "3", "", 0, 300), cell("W", "3", "", 300, 400), cell("A", "4", "V", 0, 100),
               cell("B", "4", "V", 100, 200), cell("C", "4", "V", 200, 300), cell("D", "4", "W", 300, 400)},
              {"level"});
    add_layer(*out, "roads", wkbLineString, {"name", "class"},
              {{line(0, 50, 200, 50), {{"name", "R1"}, {"class", "village"}}},
               {line(300, 50, 400, 50), {{"name", "R2"}, {"class", "path"}}}});
    add_layer(*out, "cameras", wkbPoint, {"cam_id", "status"},
              {{"POINT(" + xy(50, 20) + ")",
                {{"cam_id", "K1"}, {"status", "online"}, {"azimuth", "0"}, {"fov", "90"}, {"range", "50"}}}},
              {"azimuth", "fov", "range"});
    add_layer(*out, "checks", wkbPoint, {"check_id", "grid_id", "reporter", "time", "kind"},
              {{"POINT(" + xy(50, 50) + ")",
                {{"check_id", "K1"}, {"grid_id", "A"}, {"reporter", "张一"}, {"time", "2026-11-02T09:00:00"},
                 {"kind", "routine"}}}});
    if (patrols) {
        auto track = [](std::string wkt, const char* id, const char* start, const char* end) {
            return Row{std::move(wkt), {{"track_id", id}, {"team", "patrol"}, {"start", start}, {"end", end}}};
        };
        add_layer(*out, "patrols", wkbLineString, {"track_id", "team", "start", "end"},
                  {track(line(20, 60, 180, 60), "T1", "2026-11-02T10:00:00", "2026-11-02T10:16:00"),
                   track(line(150, 45, 200, 45), "T2", "2026-11-02T21:00:00", "2026-11-02T21:05:00"),
                   track(line(0, 45, 200, 45), "T0", "2026-10-23T22:00:00", "2026-10-23T23:00:00")});
    }
    return path;
}

json grid(const json& j, const std::string& id) {
    for (const auto& g : j["grids"])
        if (g["grid_id"] == id) return g;
    return nullptr;
}

size_t count(const std::string& text, const std::string& what) {
    size_t n = 0;
    for (size_t at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
    return n;
}

constexpr double kExact = 1e-6;

}  // namespace

TEST(StatsPatrols, WithChecksAddsThePatrolFiguresPerL4Cell) {
    TempDir dir("stats_patrols");
    const std::string gpkg = write_lattice(dir);
    auto r = run_gridwatch("stats " + gpkg + " --with-checks --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    struct Want {
        const char* id;
        double road, patrolled, neither, night_share;
    };
    for (const Want& w : {Want{"A", 100, 80, 20, 0}, Want{"B", 100, 100, 0, 0.5}, Want{"C", 0, 0, 0, 0},
                          Want{"D", 100, 0, 100, 0}}) {
        const json g = grid(j, w.id);
        ASSERT_FALSE(g.is_null()) << w.id;
        EXPECT_NEAR(g["road_m"].get<double>(), w.road, kExact) << w.id;
        EXPECT_NEAR(g["patrolled_m"].get<double>(), w.patrolled, kExact) << w.id;
        EXPECT_NEAR(g["neither_m"].get<double>(), w.neither, kExact) << w.id;
        EXPECT_NEAR(g["night_share"].get<double>(), w.night_share, kExact) << w.id;
        // The keys stats had before are all still there (SPEC §4: keys are added, never changed).
        for (const char* k : {"grid_id", "households", "cameras", "incidents", "checks", "days_since_check"})
            EXPECT_TRUE(g.contains(k)) << k;
    }
    EXPECT_NEAR(j["total"]["road_m"].get<double>(), 300, kExact);
    EXPECT_NEAR(j["total"]["patrolled_m"].get<double>(), 180, kExact);
    EXPECT_NEAR(j["total"]["neither_m"].get<double>(), 120, kExact);
    EXPECT_NEAR(j["total"]["night_share"].get<double>(), 50.0 / 180, kExact);
    // The window and night they are counted over: plain `gridwatch patrols`'s default (T0 is out).
    EXPECT_EQ(j["patrols"]["from"], "2026-10-27T00:00:00");
    EXPECT_EQ(j["patrols"]["until"], "2026-11-03T00:00:00");
    EXPECT_EQ(j["patrols"]["night"], "20:00-06:00");
    EXPECT_EQ(j["patrols"]["tracks_in_window"], 2);
    EXPECT_EQ(count(r.err, "patrols layer"), 0u) << r.err;

    // One code path: the same figures as `gridwatch patrols` over its default window.
    auto p = run_gridwatch("patrols " + gpkg + " --json");
    ASSERT_EQ(p.status, 0) << p.err;
    const json pj = json::parse(p.out);
    for (const auto& c : pj["cells"]) {
        const json g = grid(j, c["grid_id"]);
        for (const char* k : {"road_m", "patrolled_m", "neither_m", "night_share"})
            EXPECT_EQ(g[k].get<double>(), c[k].get<double>()) << c["grid_id"] << " " << k;
    }
}

TEST(StatsPatrols, AboveL4TheCellsAreSummedThroughParentId) {
    TempDir dir("stats_patrols");
    const std::string gpkg = write_lattice(dir);
    auto r = run_gridwatch("stats " + gpkg + " --level 3 --with-checks --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    const json v = grid(j, "V"), w = grid(j, "W");
    ASSERT_FALSE(v.is_null());
    ASSERT_FALSE(w.is_null());
    EXPECT_NEAR(v["road_m"].get<double>(), 200, kExact);
    EXPECT_NEAR(v["patrolled_m"].get<double>(), 180, kExact);
    EXPECT_NEAR(v["neither_m"].get<double>(), 20, kExact);
    EXPECT_NEAR(v["night_share"].get<double>(), 50.0 / 180, kExact);
    EXPECT_NEAR(w["road_m"].get<double>(), 100, kExact);
    EXPECT_NEAR(w["patrolled_m"].get<double>(), 0, kExact);
    EXPECT_NEAR(w["neither_m"].get<double>(), 100, kExact);
    EXPECT_EQ(w["night_share"].get<double>(), 0);
    // CSV: the columns follow the check columns.
    auto c = run_gridwatch("stats " + gpkg + " --level 3 --with-checks --csv");
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_NE(c.out.find("checks_outside,road_m,patrolled_m,neither_m,night_share\n"), std::string::npos) << c.out;
    EXPECT_NE(c.out.find(",200.0,180.0,20.0,0.2778\n"), std::string::npos) << c.out;
    // The table names the window.
    auto t = run_gridwatch("stats " + gpkg + " --with-checks");
    ASSERT_EQ(t.status, 0) << t.err;
    EXPECT_NE(t.out.find("patrols 2026-10-27 … 2026-11-02, night 20:00-06:00: 2 track(s)"), std::string::npos) << t.out;
}

TEST(StatsPatrols, ExportWithStatsCarriesThePatrolColumnsIntoTheShapefiles) {
    TempDir dir("stats_patrols");
    const std::string gpkg = write_lattice(dir);
    auto r = run_gridwatch("export " + gpkg + " --out " + (dir / "shp") + " --layers grids --with-stats");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(count(r.err, "patrols layer"), 0u) << r.err;
    GDALDatasetUniquePtr shp(GDALDataset::Open((dir / "shp/grids_L4.shp").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(shp);
    OGRLayer* l = shp->GetLayer(0);
    // The names fit a DBF as they are (no cut, no mapping line), after the check columns.
    const OGRFeatureDefn* defn = l->GetLayerDefn();
    const int chk_out = defn->GetFieldIndex("chk_out"), road = defn->GetFieldIndex("road_m");
    ASSERT_GE(chk_out, 0);
    EXPECT_EQ(road, chk_out + 1);
    EXPECT_EQ(r.out.find("road_m →"), std::string::npos) << r.out;
    std::map<std::string, std::array<double, 4>> got;
    for (auto& f : *l) {
        std::array<double, 4> v{};
        int k = 0;
        for (const char* c : {"road_m", "pat_m", "nei_m", "night_sh"}) {
            const int i = f->GetFieldIndex(c);
            ASSERT_GE(i, 0) << c;
            EXPECT_EQ(defn->GetFieldDefn(i)->GetType(), OFTReal) << c;
            ASSERT_TRUE(f->IsFieldSetAndNotNull(i)) << c;
            v[k++] = f->GetFieldAsDouble(i);
        }
        got[f->GetFieldAsString("grid_id")] = v;
    }
    ASSERT_EQ(got.size(), 4u);
    auto near = [](const std::array<double, 4>& a, const std::array<double, 4>& b) {
        for (size_t i = 0; i < 4; ++i)
            if (std::abs(a[i] - b[i]) > kExact) return false;
        return true;
    };
    EXPECT_TRUE(near(got["A"], {100, 80, 20, 0}));
    EXPECT_TRUE(near(got["B"], {100, 100, 0, 0.5}));
    EXPECT_TRUE(near(got["C"], {0, 0, 0, 0}));
    EXPECT_TRUE(near(got["D"], {100, 0, 100, 0}));
    // Each level written carries its own level's figures: an L3 cell the sums of its L4 cells.
    GDALDatasetUniquePtr l3(GDALDataset::Open((dir / "shp/grids_L3.shp").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(l3);
    double road_m = 0, patrolled = 0, neither = 0;
    for (const auto& [id, v] : got) road_m += v[0], patrolled += v[1], neither += v[2];
    double l3_road = 0, l3_patrolled = 0, l3_neither = 0;
    for (auto& f : *l3->GetLayer(0))
        l3_road += f->GetFieldAsDouble("road_m"), l3_patrolled += f->GetFieldAsDouble("pat_m"),
            l3_neither += f->GetFieldAsDouble("nei_m");
    EXPECT_GT(l3_road, 0);
    EXPECT_NEAR(l3_road, road_m, 1e-6);
    EXPECT_NEAR(l3_patrolled, patrolled, 1e-6);
    EXPECT_NEAR(l3_neither, neither, 1e-6);
}

TEST(StatsPatrols, WithoutAPatrolsLayerTheColumnsAreNullOrAbsentSaidOnce) {
    TempDir dir("stats_patrols");
    const std::string gpkg = write_lattice(dir, /*patrols=*/false);
    auto r = run_gridwatch("stats " + gpkg + " --with-checks --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_TRUE(j["patrols"].is_null());
    for (const char* k : {"road_m", "patrolled_m", "neither_m", "night_share"}) {
        EXPECT_TRUE(grid(j, "A").contains(k)) << k;
        EXPECT_TRUE(grid(j, "A")[k].is_null()) << k;
        EXPECT_TRUE(j["total"][k].is_null()) << k;
    }
    EXPECT_EQ(grid(j, "A")["checks"], 1);  // the check columns are there all the same
    EXPECT_EQ(count(r.err, "no patrols layer"), 1u) << r.err;

    auto e = run_gridwatch("export " + gpkg + " --out " + (dir / "shp") + " --layers grids --with-stats");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_EQ(count(e.err, "no patrols layer"), 1u) << e.err;
    GDALDatasetUniquePtr shp(GDALDataset::Open((dir / "shp/grids_L4.shp").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(shp);
    const OGRFeatureDefn* defn = shp->GetLayer(0)->GetLayerDefn();
    EXPECT_GE(defn->GetFieldIndex("chk_n"), 0);
    for (const char* c : {"road_m", "pat_m", "nei_m", "night_sh"}) EXPECT_LT(defn->GetFieldIndex(c), 0) << c;
}
