// gridwatch import DATASET --checks FILE (SPEC §4, §5.5): every row validated and named by line and
// field when bad, nothing written unless all are good (or --skip-bad), check_ids already stored
// skipped, GCJ-02 undone to within 1e-6°, one transaction that a kill -9 cannot cut in half, and two
// imports at once that store the union once.
#include <gtest/gtest.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <nlohmann/json.hpp>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <random>
#include <set>
#include <thread>

#include "geo/core/gdal_setup.h"
#include "geo/core/times.h"
#include "geo/io/dataset.h"
#include "geo/io/gcj02.h"
#include "tests/cli_run.h"

using namespace gw;
using gwtest::run_gridwatch;
using gwtest::slurp;
using gwtest::TempDir;
namespace fs = std::filesystem;

namespace {

const std::string kBundled = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
const char* kHeader = "check_id,grid_id,reporter,time,kind,people,note,lon,lat\n";

/** A copy of the bundled community; without a checks layer when `drop_checks` (it may gain one). */
std::string copy_dataset(const TempDir& dir, const std::string& name, bool drop_checks = false) {
    const std::string path = dir / name;
    fs::copy_file(kBundled, path, fs::copy_options::overwrite_existing);
    if (drop_checks) {
        gdal_setup();
        GDALDatasetUniquePtr gds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        for (int i = 0; i < gds->GetLayerCount(); ++i)
            if (std::string(gds->GetLayer(i)->GetName()) == "checks") gds->DeleteLayer(i);
    }
    return path;
}

/** The first L4 cells of a dataset, and one L3 cell. */
struct Cells {
    std::vector<std::string> l4;
    std::string l3;
};
Cells cells_of(const std::string& path) {
    OpenOptions o;
    o.layers = {"grids"};
    const Dataset ds = open_dataset({path}, o);
    Cells c;
    for (const auto& g : ds.grids) {
        if (g.level == 4) c.l4.push_back(g.grid_id);
        if (g.level == 3 && c.l3.empty()) c.l3 = g.grid_id;
    }
    return c;
}

/** The checks layer as stored: check_id → (lon, lat) in the layer's CRS; its CRS code and field types. */
struct Stored {
    std::map<std::string, Vec2> pos;
    int64_t count = 0;  // features (a duplicated check_id counts twice here, once in pos)
    std::string epsg;
    std::map<std::string, OGRFieldType> fields;
};
Stored stored_checks(const std::string& path) {
    gdal_setup();
    Stored s;
    GDALDatasetUniquePtr gds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    EXPECT_TRUE(gds) << path;
    if (!gds) return s;
    OGRLayer* l = gds->GetLayerByName("checks");
    if (!l) return s;
    if (auto* srs = l->GetSpatialRef(); srs && srs->GetAuthorityCode(nullptr)) s.epsg = srs->GetAuthorityCode(nullptr);
    OGRFeatureDefn* d = l->GetLayerDefn();
    for (int i = 0; i < d->GetFieldCount(); ++i) s.fields[d->GetFieldDefn(i)->GetNameRef()] = d->GetFieldDefn(i)->GetType();
    for (auto& f : *l) {
        ++s.count;
        auto* p = f->GetGeometryRef()->toPoint();
        s.pos[f->GetFieldAsString("check_id")] = {p->getX(), p->getY()};
    }
    return s;
}

/** `n` good reports C<first>… in the given cells, one a minute, near the community. */
std::string reports(const Cells& c, int first, int n, const std::string& prefix = "C") {
    std::string s = kHeader;
    char line[256];
    for (int i = first; i < first + n; ++i) {
        std::snprintf(line, sizeof line, "%s%06d,%s,张三,2026-12-01T%02d:%02d:00+08:00,routine,%d,,%.6f,%.6f\n",
                      prefix.c_str(), i, c.l4[size_t(i) % c.l4.size()].c_str(), 8 + (i / 60) % 12, i % 60, i % 4,
                      98.68 + (i % 97) * 1e-4, 24.58 + (i % 89) * 1e-4);
        s += line;
    }
    return s;
}

nlohmann::json json_of(const gwtest::RunResult& r) {
    try {
        return nlohmann::json::parse(r.out);
    } catch (...) {
        ADD_FAILURE() << "not JSON: " << r.out << r.err;
        return {};
    }
}

}  // namespace

TEST(Import, BadRowIsNamedByLineAndFieldAndNothingIsWritten) {
    TempDir dir("import_bad");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    dir.write("r.csv", std::string(kHeader) + "A1," + c.l4[0] + ",张三,2026-12-01T08:00:00,routine,,,98.68,24.58\n" +
                           "A2,NOSUCHCELL,李四,2026-12-01T08:10:00,routine,,,98.68,24.58\n" +
                           "A3," + c.l4[1] + ",王五,2026-12-01T08:20:00,newcomer,1,,98.68,24.58\n");
    const std::string before = slurp(ds);
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_NE(r.err.find("line 3, field 'grid_id'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("NOSUCHCELL"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("nothing was imported"), std::string::npos) << r.err;
    const auto j = json_of(r);
    EXPECT_EQ(j["read"], 3);
    EXPECT_EQ(j["added"], 0);
    ASSERT_EQ(j["bad"].size(), 1u);
    EXPECT_EQ(j["bad"][0]["line"], 3);
    EXPECT_EQ(j["bad"][0]["field"], "grid_id");
    EXPECT_TRUE(slurp(ds) == before) << "the dataset changed";
}

TEST(Import, LineNumbersCountTheFileLinesOfQuotedLineBreaks) {
    TempDir dir("import_lines");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    dir.write("r.csv", std::string(kHeader) + "A1," + c.l4[0] + ",张三,2026-12-01T08:00,routine,,\"two\nlines\",98.68,24.58\n" +
                           "A2," + c.l4[0] + ",张三,2026-12-01T08:00,routine,many,,98.68,24.58\n");
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv"));
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("line 4, field 'people'"), std::string::npos) << r.err;
}

TEST(Import, ADatasetThatIsNotThereIsNamedWithWhatToDo) {
    TempDir dir("import_nothere");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    dir.write("r.csv", std::string(kHeader) + "A1," + cells_of(ds).l4[0] +
                           ",张三,2026-12-01T08:00,routine,,,98.68,24.58\n");
    const auto r = run_gridwatch("import " + (dir / "nothere.gpkg") + " --checks " + (dir / "r.csv"));
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("nothere.gpkg: no such file"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("no message from GDAL"), std::string::npos) << r.err;
    EXPECT_FALSE(std::filesystem::exists(dir / "nothere.gpkg"));
}

TEST(Import, EveryFieldIsValidated) {
    TempDir dir("import_fields");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    const std::string g = c.l4[0];
    // clang-format off
    dir.write("r.csv", std::string(kHeader) +
                           ",  " + g + ",a,2026-12-01T08:00,routine,,,98.68,24.58\n"               // 2 check_id empty
                           "B," + g + ",a,2026-13-01T08:00,routine,,,98.68,24.58\n"                // 3 time
                           "C," + g + ",a,2026-12-01T08:00,visit,,,98.68,24.58\n"                  // 4 kind
                           "D," + g + ",a,2026-12-01T08:00,routine,-2,,98.68,24.58\n"              // 5 people
                           "E," + g + ",a,2026-12-01T08:00,routine,,,181,24.58\n"                  // 6 lon
                           "F," + g + ",a,2026-12-01T08:00,routine,,,98.68,nan\n"                  // 7 lat
                           "B," + g + ",a,2026-12-01T08:00,routine,,,98.68,24.58\n"                // 8 repeated check_id
                           "H," + c.l3 + ",a,2026-12-01T08:00,routine,,,98.68,24.58\n"             // 9 an L3 cell
                           "I," + g + ",a,2026-12-01T08:00,routine,3000000000,,98.68,24.58\n"      // 10 people (was clamped)
                           "J," + g + ",a,2026-12-01T08:00,routine,1000000,,98.68,24.58\n"         // 11 the most: good
                           "K," + g + ",a,2026-12-01T08:00,routine,1000001,,98.68,24.58\n"        // 12 people
                           "L," + g + ",a,2026-12-01T08:00,routine,,,0,0\n");                     // 13 no fix
    // clang-format on
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    EXPECT_EQ(r.status, 1);
    const auto j = json_of(r);
    std::set<std::pair<int, std::string>> got;
    for (const auto& b : j["bad"]) got.insert({b["line"].get<int>(), b["field"].get<std::string>()});
    const std::set<std::pair<int, std::string>> want = {
        {2, "check_id"}, {3, "time"},    {4, "kind"},    {5, "people"},  {6, "lon"}, {7, "lat"},
        {8, "check_id"}, {9, "grid_id"}, {10, "people"}, {12, "people"}, {13, "lon"}};
    EXPECT_EQ(got, want) << r.err;
    EXPECT_NE(r.err.find("level-3"), std::string::npos) << r.err;
}

TEST(Import, SkipBadWritesTheGoodRowsAndListsTheRest) {
    TempDir dir("import_skip");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    const int64_t before = stored_checks(ds).count;
    dir.write("r.csv", std::string(kHeader) + "S1," + c.l4[0] + ",张三,2026-12-01T08:00:00,routine,,,98.68,24.58\n" +
                           "S2," + c.l4[1] + ",李四,yesterday,routine,,,98.68,24.58\n" +
                           "S3," + c.l4[2] + ",王五,2026-12-01T08:20:00,returnee,2,,98.68,24.58\n");
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --skip-bad --json");
    EXPECT_EQ(r.status, 0) << r.err;
    const auto j = json_of(r);
    EXPECT_EQ(j["read"], 3);
    EXPECT_EQ(j["added"], 2);
    ASSERT_EQ(j["bad"].size(), 1u);
    EXPECT_EQ(j["bad"][0]["line"], 3);
    EXPECT_EQ(j["bad"][0]["field"], "time");
    EXPECT_NE(r.err.find("line 3, field 'time'"), std::string::npos) << r.err;
    const Stored s = stored_checks(ds);
    EXPECT_EQ(s.count, before + 2);
    EXPECT_TRUE(s.pos.count("S1") && s.pos.count("S3") && !s.pos.count("S2"));
}

// A report dated years ahead (a phone's clock) was stored without a word, and the next
// `gridwatch checks` counted its days back from then: every cell overdue. It is imported as given
// and named by line.
TEST(Import, AReportDatedAfterTodayIsNamed) {
    TempDir dir("import_future");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    std::string csv = reports(cells_of(ds), 0, 3);
    for (size_t at; (at = csv.find("2026-12-01")) != std::string::npos;) csv.replace(at, 10, "2020-12-01");
    const size_t at = csv.find("2020-12-01T08:02");  // the third report, on line 4
    ASSERT_NE(at, std::string::npos);
    csv.replace(at, 10, "2062-12-01");
    dir.write("r.csv", csv);
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json_of(r)["added"], 3);
    EXPECT_EQ(json_of(r)["future_dated"], 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("1 report(s) dated after this computer's date"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("line 4: C000002 2062-12-01T08:02"), std::string::npos) << r.err;
    // Imported again: nothing is added, and the report already stored is not named a second time.
    const auto again = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(json_of(again)["added"], 0);
    EXPECT_EQ(json_of(again)["future_dated"], 0);
    EXPECT_EQ(again.err.find("dated after"), std::string::npos) << again.err;
}

TEST(Import, ReimportAddsNothing) {
    TempDir dir("import_again");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    dir.write("r.csv", reports(cells_of(ds), 0, 50));
    const auto first = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    ASSERT_EQ(first.status, 0) << first.err;
    EXPECT_EQ(json_of(first)["added"], 50);
    const int64_t after_first = stored_checks(ds).count;
    const auto again = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    ASSERT_EQ(again.status, 0) << again.err;
    const auto j = json_of(again);
    EXPECT_EQ(j["added"], 0);
    EXPECT_EQ(j["skipped_existing"], 50);
    EXPECT_EQ(stored_checks(ds).count, after_first);
    // Half old, half new: only the new half is added.
    dir.write("r2.csv", reports(cells_of(ds), 25, 50));
    const auto j2 = json_of(run_gridwatch("import " + ds + " --checks " + (dir / "r2.csv") + " --json"));
    EXPECT_EQ(j2["added"], 25);
    EXPECT_EQ(j2["skipped_existing"], 25);
    EXPECT_EQ(stored_checks(ds).count, after_first + 25);
}

TEST(Import, Gcj02PositionsComeBackWithin1e6DegreesOfTheTruth) {
    TempDir dir("import_gcj");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    // WGS84 truth across and around the community; the phone's GCJ-02 made by the forward transform.
    std::vector<Vec2> truth;
    for (int i = 0; i < 5; ++i)
        for (int k = 0; k < 5; ++k) truth.push_back({98.64 + 0.02 * i, 24.55 + 0.015 * k});
    std::string csv = kHeader;
    char line[256];
    for (size_t i = 0; i < truth.size(); ++i) {
        const Vec2 g = gcj02::from_wgs84(truth[i]);
        std::snprintf(line, sizeof line, "G%zu,%s,a,2026-12-01T08:00:00,routine,,,%.12f,%.12f\n", i, c.l4[0].c_str(), g.x, g.y);
        csv += line;
    }
    dir.write("g.csv", csv);
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "g.csv") + " --from-gcj02 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const Stored s = stored_checks(ds);
    ASSERT_EQ(s.epsg, "4490");  // CGCS2000 and WGS84 agree to well under 1e-6° (no datum shift in PROJ)
    double worst = 0;
    for (size_t i = 0; i < truth.size(); ++i) {
        const Vec2 p = s.pos.at("G" + std::to_string(i));
        worst = std::max({worst, std::abs(p.x - truth[i].x), std::abs(p.y - truth[i].y)});
    }
    EXPECT_LT(worst, 1e-6);
    // Without --from-gcj02 the same file lands tens of metres off (2e-4° here): the conversion did the work.
    const std::string ds2 = copy_dataset(dir, "d2.gpkg");
    ASSERT_EQ(run_gridwatch("import " + ds2 + " --checks " + (dir / "g.csv")).status, 0);
    EXPECT_GT(std::abs(stored_checks(ds2).pos.at("G0").x - truth[0].x), 1e-4);
}

TEST(Import, NewChecksLayerTakesTheGridsCrsAndSpecFields) {
    TempDir dir("import_new");
    const std::string ds = copy_dataset(dir, "d.gpkg", /*drop_checks=*/true);
    ASSERT_EQ(stored_checks(ds).count, 0);
    dir.write("r.csv", reports(cells_of(ds), 0, 10));
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "r.csv") + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json_of(r)["created_layer"], true);
    const Stored s = stored_checks(ds);
    EXPECT_EQ(s.count, 10);
    EXPECT_EQ(s.epsg, "4490");  // the grids' CRS
    const std::map<std::string, OGRFieldType> want = {{"check_id", OFTString}, {"grid_id", OFTString},
                                                      {"reporter", OFTString}, {"time", OFTString},
                                                      {"kind", OFTString},     {"people", OFTInteger},
                                                      {"note", OFTString}};
    EXPECT_EQ(s.fields, want);
    // And gridwatch reads it as SPEC §3's checks layer.
    OpenOptions o;
    o.layers = {"checks"};
    const Dataset read = open_dataset({ds}, o);
    ASSERT_EQ(read.checks.size(), 10u);
    EXPECT_EQ(read.checks[3].people, 3);
    EXPECT_TRUE(read.checks[0].when.has_value());
}

TEST(Import, ChineseHeadersAndValues) {
    TempDir dir("import_zh");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    dir.write("zh.csv", "巡查编号,网格编码,上报人,时间,巡查类型,人数,备注,经度,纬度\n"
                        "Z1," + c.l4[0] + ",张三,2026-12-01 08:00,新增人员,2,新搬来,98.68,24.58\n"
                        "Z2," + c.l4[1] + ",李四,2026-12-01 09:00,返乡人员,1,,98.681,24.581\n");
    const auto r = run_gridwatch("import " + ds + " --checks " + (dir / "zh.csv") + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json_of(r)["added"], 2);
    OpenOptions o;
    o.layers = {"checks"};
    const Dataset read = open_dataset({ds}, o);
    std::map<std::string, std::string> kinds;
    for (const auto& k : read.checks) kinds[k.check_id] = k.kind;
    EXPECT_EQ(kinds["Z1"], "newcomer");
    EXPECT_EQ(kinds["Z2"], "returnee");
}

TEST(Import, TimesWithZAndOffsetsAreMovedOntoTheCommunityClock) {
    TempDir dir("import_times");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    dir.write("t.csv", std::string(kHeader) + "TZ1," + c.l4[0] + ",a,2026-12-01T00:30:00Z,routine,,,98.68,24.58\n" +
                           "TZ2," + c.l4[0] + ",a,2026-12-01T08:30:00+08:00,routine,,,98.68,24.58\n" +
                           "TZ3," + c.l4[0] + ",a,2026-12-01T08:30,routine,,,98.68,24.58\n");
    ASSERT_EQ(run_gridwatch("import " + ds + " --checks " + (dir / "t.csv")).status, 0);
    OpenOptions o;
    o.layers = {"checks"};
    const Dataset read = open_dataset({ds}, o);
    const int64_t local = civil_seconds(2026, 12, 1, 8, 30, 0);
    int seen = 0;
    for (const auto& k : read.checks)
        if (k.check_id.rfind("TZ", 0) == 0) {
            ++seen;
            ASSERT_TRUE(k.when) << k.check_id;
            EXPECT_EQ(*k.when, local) << k.check_id << " " << k.time;
        }
    EXPECT_EQ(seen, 3);
}

TEST(Import, GeoJsonPointsAndBadFeaturesByNumber) {
    TempDir dir("import_geojson");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const Cells c = cells_of(ds);
    auto feature = [&](const std::string& id, const std::string& geom) {
        return R"({"type": "Feature", "geometry": )" + geom + R"(, "properties": {"check_id": ")" + id +
               R"(", "grid_id": ")" + c.l4[0] + R"(", "time": "2026-12-01T08:00:00+08:00", "kind": "hazard", "people": 0}})";
    };
    const std::string pt = R"({"type": "Point", "coordinates": [98.68, 24.58]})";
    dir.write("r.geojson", R"({"type": "FeatureCollection", "features": [)" + feature("J1", pt) + "," +
                               feature("J2", R"({"type": "LineString", "coordinates": [[98.68, 24.58], [98.69, 24.59]]})") +
                               "," + feature("J3", pt) + "]}");
    const auto bad = run_gridwatch("import " + ds + " --checks " + (dir / "r.geojson") + " --json");
    EXPECT_EQ(bad.status, 1);
    const auto j = json_of(bad);
    ASSERT_FALSE(j["bad"].empty());
    EXPECT_EQ(j["bad"][0]["line"], 2);
    EXPECT_NE(bad.err.find("feature 2"), std::string::npos) << bad.err;
    const auto ok = run_gridwatch("import " + ds + " --checks " + (dir / "r.geojson") + " --skip-bad --json");
    EXPECT_EQ(ok.status, 0);
    EXPECT_EQ(json_of(ok)["added"], 2);
}

TEST(Import, RefusesTheDatasetAsItsOwnInputAndFormatsWithoutTransactions) {
    TempDir dir("import_refuse");
    const std::string ds = copy_dataset(dir, "d.gpkg");
    const std::string before = slurp(ds);
    const auto self = run_gridwatch("import " + ds + " --checks " + ds);
    EXPECT_EQ(self.status, 2) << self.err;
    EXPECT_NE(self.err.find("dataset itself"), std::string::npos) << self.err;
    EXPECT_TRUE(slurp(ds) == before);
    // A shapefile folder cannot take the rows in one transaction: one line saying what to do.
    ASSERT_EQ(run_gridwatch("export " + ds + " --out " + (dir / "shp")).status, 0);
    dir.write("r.csv", reports(cells_of(ds), 0, 3));
    const auto shp = run_gridwatch("import " + (dir / "shp") + " --checks " + (dir / "r.csv"));
    EXPECT_EQ(shp.status, 1);
    EXPECT_EQ(shp.error_lines(), 1) << shp.err;
    EXPECT_NE(shp.err.find("gridwatch does on a GeoPackage"), std::string::npos) << shp.err;
    EXPECT_NE(shp.err.find("--format GPKG"), std::string::npos) << shp.err;
}

namespace {
/** The names of the indexes on the checks layer whose first column is check_id. */
std::vector<std::string> check_id_indexes(const std::string& path) {
    gdal_setup();
    std::vector<std::string> out;
    GDALDatasetUniquePtr gds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    EXPECT_TRUE(gds) << path;
    if (!gds) return out;
    OGRLayer* r = gds->ExecuteSQL("SELECT il.name FROM pragma_index_list('checks') AS il, pragma_index_info(il.name) "
                                  "AS ii WHERE ii.seqno = 0 AND ii.name = 'check_id' ORDER BY il.name",
                                  nullptr, nullptr);
    EXPECT_TRUE(r);
    if (!r) return out;
    for (auto& f : *r) out.push_back(f->GetFieldAsString(0));
    gds->ReleaseResultSet(r);
    return out;
}
}  // namespace

/**
 * An import looks the file's check_ids up through an index on check_id. gridwatch's own GeoPackages
 * (demo, the bundled community, export) carry one, so even the first import into a county's ~270k
 * reports does not build it; a layer from elsewhere gets it once; a layer the import created has
 * its unique one, and no second index is ever added beside it.
 */
TEST(Import, ChecksLayerHasOneIndexOnCheckIdBuiltOnce) {
    TempDir dir("import_index");
    // The writer: demo and the bundled file.
    ASSERT_EQ(run_gridwatch("demo --out " + dir / "demo.gpkg").status, 0);
    EXPECT_EQ(check_id_indexes(dir / "demo.gpkg"), std::vector<std::string>{"checks_check_id_idx"});
    EXPECT_EQ(check_id_indexes(kBundled), std::vector<std::string>{"checks_check_id_idx"});
    const auto e = run_gridwatch("export " + kBundled + " --format GPKG --out " + dir / "export.gpkg");
    ASSERT_EQ(e.status, 0) << e.err;
    EXPECT_EQ(check_id_indexes(dir / "export.gpkg"), std::vector<std::string>{"checks_check_id_idx"});
    // A layer without one (from elsewhere) gets it at its first import, and keeps that one.
    const std::string bare = copy_dataset(dir, "bare.gpkg");
    {
        GDALDatasetUniquePtr gds(GDALDataset::Open(bare.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(gds);
        gds->ReleaseResultSet(gds->ExecuteSQL("DROP INDEX IF EXISTS checks_check_id_idx", nullptr, nullptr));
    }
    ASSERT_TRUE(check_id_indexes(bare).empty());
    const Cells c = cells_of(bare);
    dir.write("r1.csv", reports(c, 0, 20));
    dir.write("r2.csv", reports(c, 10, 20));
    ASSERT_EQ(run_gridwatch("import " + bare + " --checks " + (dir / "r1.csv")).status, 0);
    EXPECT_EQ(check_id_indexes(bare), std::vector<std::string>{"checks_check_id_idx"});
    const auto again = run_gridwatch("import " + bare + " --checks " + (dir / "r2.csv") + " --json");
    ASSERT_EQ(again.status, 0) << again.err;
    EXPECT_EQ(json_of(again)["skipped_existing"], 10);
    EXPECT_EQ(check_id_indexes(bare), std::vector<std::string>{"checks_check_id_idx"});
    // A layer the import creates has its unique index, and later imports add none beside it.
    const std::string fresh = copy_dataset(dir, "fresh.gpkg", /*drop_checks=*/true);
    ASSERT_EQ(run_gridwatch("import " + fresh + " --checks " + (dir / "r1.csv")).status, 0);
    EXPECT_EQ(check_id_indexes(fresh), std::vector<std::string>{"checks_check_id_unique"});
    ASSERT_EQ(run_gridwatch("import " + fresh + " --checks " + (dir / "r2.csv")).status, 0);
    EXPECT_EQ(check_id_indexes(fresh), std::vector<std::string>{"checks_check_id_unique"});
    EXPECT_EQ(stored_checks(fresh).count, 30);
}

TEST(Import, TwoImportsAtOnceStoreTheUnionOnce) {
    for (bool fresh : {true, false}) {  // racing to create the layer, and appending to one
        TempDir dir(fresh ? "import_race_new" : "import_race_old");
        const std::string ds = copy_dataset(dir, "d.gpkg", /*drop_checks=*/fresh);
        const int64_t before = stored_checks(ds).count;
        const Cells c = cells_of(ds);
        dir.write("a.csv", reports(c, 0, 6000));
        dir.write("b.csv", reports(c, 3000, 6000));  // 3000 ids in both
        gwtest::RunResult ra, rb;
        std::thread ta([&] { ra = run_gridwatch("import " + ds + " --checks " + (dir / "a.csv") + " --json"); });
        std::thread tb([&] { rb = run_gridwatch("import " + ds + " --checks " + (dir / "b.csv") + " --json"); });
        ta.join();
        tb.join();
        ASSERT_EQ(ra.status, 0) << ra.err;
        ASSERT_EQ(rb.status, 0) << rb.err;
        const auto ja = json_of(ra), jb = json_of(rb);
        EXPECT_EQ(ja["added"].get<int>() + jb["added"].get<int>(), 9000);
        EXPECT_EQ(ja["skipped_existing"].get<int>() + jb["skipped_existing"].get<int>(), 3000);
        const Stored s = stored_checks(ds);
        EXPECT_EQ(s.count, before + 9000) << (fresh ? "new layer" : "existing layer");
        EXPECT_EQ(int64_t(s.pos.size()), s.count) << "a check_id stored twice";
    }
}

/**
 * kill -9 at random moments of an import of 30,000 rows: afterwards a reader (gridwatch info) sees
 * the dataset as before or with every row, never part; an import run again completes it. Kills
 * that leave SQLite's journal behind fell inside the transaction; the sample needs at least one.
 * GW_IMPORT_KILLS=N runs a longer campaign (BENCHMARKS.md).
 */
TEST(Import, KillNineMidImportLeavesTheDatasetAsBefore) {
    TempDir dir("import_kill");
    const std::string pristine = copy_dataset(dir, "pristine.gpkg");
    const Cells c = cells_of(pristine);
    const int n = 30000;
    dir.write("r.csv", reports(c, 0, n, "K"));
    // The layer exists before (as in daily use): a kill then leaves a journal only a writer can roll back.
    dir.write("first.csv", reports(c, 0, 5, "P"));
    ASSERT_EQ(run_gridwatch("import " + pristine + " --checks " + (dir / "first.csv")).status, 0);
    const int64_t old_count = stored_checks(pristine).count;
    const std::string ds = dir / "d.gpkg";
    const std::string csv = dir / "r.csv";
    auto start = [&] {
        const pid_t pid = fork();
        if (pid == 0) {
            const int null = open("/dev/null", O_WRONLY);
            dup2(null, 1), dup2(null, 2);
            execl(GRIDWATCH_BIN, GRIDWATCH_BIN, "import", ds.c_str(), "--checks", csv.c_str(), (char*)nullptr);
            _exit(127);
        }
        return pid;
    };
    // The time of a whole run, for where to aim the kills.
    fs::copy_file(pristine, ds, fs::copy_options::overwrite_existing);
    const auto t0 = std::chrono::steady_clock::now();
    int st = 0;
    waitpid(start(), &st, 0);
    const double t_ref = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    ASSERT_EQ(stored_checks(ds).count, old_count + n);

    const char* env = std::getenv("GW_IMPORT_KILLS");
    const int kills = env ? std::atoi(env) : 4;
    std::mt19937 rng(20261203);
    int in_transaction = 0, old_seen = 0, new_seen = 0, finished = 0;
    for (int i = 0; i < kills || (in_transaction == 0 && i < kills + 12); ++i) {
        fs::copy_file(pristine, ds, fs::copy_options::overwrite_existing);
        // Odd kills anywhere in the run, even ones in its last 60 % (where the rows are written).
        const double at = i % 2 ? std::uniform_real_distribution<double>(0, 1.1)(rng)
                                : std::uniform_real_distribution<double>(0.4, 1.0)(rng);
        const pid_t pid = start();
        std::this_thread::sleep_for(std::chrono::duration<double>(at * t_ref));
        kill(pid, SIGKILL);
        waitpid(pid, &st, 0);
        const bool killed = WIFSIGNALED(st);
        finished += !killed;
        if (fs::exists(ds + "-journal") && fs::file_size(ds + "-journal") > 0) ++in_transaction;
        // A reader first (it must roll a cut transaction back), then the count.
        const auto info = run_gridwatch("info " + ds + " --json");
        ASSERT_EQ(info.status, 0) << "kill " << i << ": " << info.err;
        const Stored s = stored_checks(ds);
        ASSERT_TRUE(s.count == old_count || s.count == old_count + n)
            << "kill " << i << " at " << at << " of the run left " << s.count - old_count << " of " << n << " rows";
        (s.count == old_count ? old_seen : new_seen)++;
        // And the import run again finishes the job, every row once.
        ASSERT_EQ(run_gridwatch("import " + ds + " --checks " + csv).status, 0);
        const Stored done = stored_checks(ds);
        ASSERT_EQ(done.count, old_count + n);
        ASSERT_EQ(int64_t(done.pos.size()), done.count);
    }
    std::printf("kills: %d in the transaction, %d left the old dataset, %d the whole new one, %d runs finished first\n",
                in_transaction, old_seen, new_seen, finished);
    EXPECT_GE(in_transaction, 1) << "no kill fell inside the transaction: the test proved nothing";
}
