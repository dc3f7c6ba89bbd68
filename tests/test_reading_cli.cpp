// Reading says what it could not read (SPEC §3, §4): damaged files, poisoned coordinates,
// unreadable incident times and text in number fields, each made the way a user meets it, end to
// end through the gridwatch binary: exit 1 with one line naming file, layer and feature, or exit
// 0 with what was left out named on stderr and counted in the JSON.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/core/error.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;
using nlohmann::json;
namespace fs = std::filesystem;

namespace {

std::string bundled() { return std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg"; }

std::vector<std::string> stderr_lines(const std::string& err) {
    std::vector<std::string> out;
    std::istringstream s(err);
    for (std::string line; std::getline(s, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

/** The one line a failed command prints: exactly one line on stderr, none of GDAL's own. */
std::string one_error_line(const gwtest::RunResult& r) {
    const auto lines = stderr_lines(r.err);
    EXPECT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(r.err.find("ERROR "), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("filesystem error"), std::string::npos) << r.err;
    return lines.empty() ? std::string() : lines.front();
}

/** Runs SQL on a GeoPackage opened for update (GDAL registers the functions its triggers use). */
void gpkg_sql(const std::string& path, const std::string& sql) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(ds) << path;
    OGRLayer* rs = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    if (rs) ds->ReleaseResultSet(rs);
}

/** A copy of the bundled GeoPackage in `d`, named `name`, with `changes` (SQL) made to it. */
std::string bundled_with(const TempDir& d, const std::string& name,
                         std::initializer_list<const char*> changes) {
    const std::string copy = d / name;
    fs::copy_file(bundled(), copy);
    for (const char* sql : changes) gpkg_sql(copy, sql);
    return copy;
}

int64_t gpkg_number(const std::string& path, const std::string& sql) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
    OGRLayer* rs = ds ? ds->ExecuteSQL(sql.c_str(), nullptr, nullptr) : nullptr;
    int64_t v = -1;
    if (rs) {
        OGRFeatureUniquePtr f(rs->GetNextFeature());
        if (f) v = f->GetFieldAsInteger64(0);
        ds->ReleaseResultSet(rs);
    }
    return v;
}

/** A small community of two level-1 cells in longitude/latitude, the second as given. */
std::string two_cells(const std::string& second_ring) {
    return R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"grid_id":"A","level":1,"parent_id":""},"geometry":{"type":"Polygon","coordinates":[[[98.60,24.50],[98.61,24.50],[98.61,24.51],[98.60,24.51],[98.60,24.50]]]}},
{"type":"Feature","properties":{"grid_id":"B","level":1,"parent_id":""},"geometry":{"type":"Polygon","coordinates":[)" +
           second_ring + R"(]}}]})";
}

std::string incidents_geojson(const std::vector<std::pair<std::string, std::string>>& id_time) {
    std::string s = R"({"type":"FeatureCollection","features":[)";
    for (size_t i = 0; i < id_time.size(); ++i) {
        char xy[64];
        std::snprintf(xy, sizeof xy, "[%.5f,%.5f]", 98.672 + 0.0003 * double(i % 7), 24.585 + 0.0002 * double(i % 5));
        s += std::string(i ? "," : "") + R"({"type":"Feature","properties":{"inc_id":")" + id_time[i].first +
             R"(","type":"theft","color":"red","time":")" + id_time[i].second +
             R"("},"geometry":{"type":"Point","coordinates":)" + xy + "}}";
    }
    return s + "]}";
}

}  // namespace

// ---- damaged files: any GDAL error while reading a layer stops the command ------------------------

TEST(ReadWhole, GeoPackageWithADamagedPageStopsNamingFileAndLayer) {
    TempDir d("read_gpkg");
    const std::string copy = d / "damaged.gpkg";
    fs::copy_file(bundled(), copy);
    // A page in the middle of the grids table's pages: its b-tree breaks off part way.
    const int64_t page_size = gpkg_number(copy, "PRAGMA page_size");
    const int64_t first = gpkg_number(copy, "SELECT rootpage FROM sqlite_master WHERE name = 'grids'");
    const int64_t next = gpkg_number(copy, "SELECT min(rootpage) FROM sqlite_master WHERE rootpage > " +
                                               std::to_string(first + 1) + " AND type = 'table'");
    ASSERT_GT(next, first + 4);
    {
        std::fstream f(copy, std::ios::in | std::ios::out | std::ios::binary);
        f.seekp((first + next) / 2 * page_size - page_size);
        const std::string junk(16, '\xff');
        f.write(junk.data(), static_cast<std::streamsize>(junk.size()));
    }
    const auto r = run_gridwatch("stats " + copy + " --level 4 --no-coverage --json");
    EXPECT_EQ(r.status, 1) << r.out;
    const std::string line = one_error_line(r);
    EXPECT_NE(line.find(copy), std::string::npos) << line;
    EXPECT_NE(line.find("layer 'grids'"), std::string::npos) << line;
    EXPECT_NE(line.find("malformed"), std::string::npos) << line;  // GDAL's reason, folded in
    EXPECT_NE(line.find(" of "), std::string::npos) << line;       // how far reading got
}

TEST(ReadWhole, ShapefileWithACutDbfOrNoShxStops) {
    TempDir d("read_shp");
    const auto e = run_gridwatch("export " + bundled() + " --out " + d / "shp");
    ASSERT_EQ(e.status, 0) << e.err;
    ASSERT_EQ(run_gridwatch("info " + d / "shp" + " --json").status, 0);

    fs::copy(d / "shp", d / "cut");
    // The cells are one shapefile a level (grids_L1 … grids_L4).
    fs::resize_file(d / "cut/grids_L4.dbf", fs::file_size(d / "cut/grids_L4.dbf") / 2);
    auto r = run_gridwatch("info " + d / "cut" + " --json");
    EXPECT_EQ(r.status, 1) << r.out;
    std::string line = one_error_line(r);
    EXPECT_NE(line.find("layer 'grids_L4'"), std::string::npos) << line;
    EXPECT_NE(line.find(".dbf"), std::string::npos) << line;

    fs::copy(d / "shp", d / "noshx");
    fs::remove(d / "noshx/grids_L3.shx");
    r = run_gridwatch("info " + d / "noshx" + " --json");
    EXPECT_EQ(r.status, 1) << r.out;
    line = one_error_line(r);
    EXPECT_NE(line.find(d / "noshx"), std::string::npos) << line;
    EXPECT_NE(line.find("layer 'grids_L3'"), std::string::npos) << line;
    EXPECT_NE(line.find("SHAPE_RESTORE_SHX"), std::string::npos) << line;  // the way out, in the hint
}

TEST(ReadWhole, BrokenGeoJsonGivesOneLineNotAThousand) {
    TempDir d("read_badjson");
    std::string s = R"({"type":"FeatureCollection","features":[)";
    for (int i = 0; i < 500; ++i)
        s += std::string(i ? "," : "") + R"({"type":"Feature","properties":{"inc_id":"I)" + std::to_string(i) +
             R"("},"geometry":{"type":"Point"}})";
    d.write("incidents.geojson", s + "]}");
    const auto r = run_gridwatch("info " + d / "incidents.geojson");
    EXPECT_EQ(r.status, 1) << r.out;
    const std::string line = one_error_line(r);
    EXPECT_NE(line.find("incidents.geojson"), std::string::npos) << line;
    EXPECT_NE(line.find("coordinates"), std::string::npos) << line;  // GDAL's reason, once
}

TEST(ReadWhole, UnreadablePathGivesOneLineOfOurOwn) {
    TempDir d("read_loop");
    fs::create_symlink(d / "b", d / "a");
    fs::create_symlink(d / "a", d / "b");
    const auto r = run_gridwatch("info " + d / "a/x.gpkg");
    EXPECT_EQ(r.status, 1);
    const std::string line = one_error_line(r);
    EXPECT_NE(line.find(d / "a/x.gpkg"), std::string::npos) << line;
    EXPECT_NE(line.find("check"), std::string::npos) << line;  // what to do
}

// ---- poisoned coordinates: an error naming layer and feature, never a CRS guess ---------------------

TEST(ReadWhole, FarNanOrInfiniteCoordinatesNameLayerAndFeature) {
    TempDir d("read_coords");
    struct Case {
        std::string name, ring, says;
    };
    const std::vector<Case> cases = {
        {"far", "[[98.61,24.50],[1e308,24.50],[98.62,24.51],[98.61,24.51],[98.61,24.50]]", "far outside"},
        {"inf", "[[98.61,24.50],[1e999,24.50],[98.62,24.51],[98.61,24.51],[98.61,24.50]]", "infinite"},
    };
    for (const auto& c : cases) {
        fs::create_directories(d.path / c.name);
        d.write(c.name + "/grids.geojson", two_cells(c.ring));
        for (const std::string cmd : {"info ", "stats "}) {
            const auto r = run_gridwatch(cmd + d / (c.name + "/grids.geojson") + (cmd == "stats " ? " --level 1 --json" : " --json"));
            EXPECT_EQ(r.status, 1) << c.name << " " << r.out;
            const std::string line = one_error_line(r);
            EXPECT_NE(line.find("layer 'grids'"), std::string::npos) << line;
            EXPECT_NE(line.find("feature B"), std::string::npos) << line;
            EXPECT_NE(line.find(c.says), std::string::npos) << line;
        }
    }
    // A point at infinity in a layer read beside metric cells: named, not "geometry is POINT".
    d.write("incidents.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"inc_id":"I1"},"geometry":{"type":"Point","coordinates":[98.605,24.505]}},
{"type":"Feature","properties":{"inc_id":"I2"},"geometry":{"type":"Point","coordinates":[1e999,24.505]}}]})");
    const auto r = run_gridwatch("hotspots " + bundled() + " " + d / "incidents.geojson" + " --method kde --json");
    EXPECT_EQ(r.status, 1) << r.out;
    const std::string line = one_error_line(r);
    EXPECT_NE(line.find("feature I2"), std::string::npos) << line;
    EXPECT_NE(line.find("infinite"), std::string::npos) << line;
    EXPECT_EQ(line.find("geometry is"), std::string::npos) << line;
}

TEST(ReadWhole, NanPointIsAnErrorAndAMissingGeometryIsNamed) {
    TempDir d("read_nan");
    // GDAL reads a NaN coordinate as an empty point; it is a bad point, not a missing one.
    d.write("incidents.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"inc_id":"I1","time":"2024-03-01"},"geometry":{"type":"Point","coordinates":[98.605,24.505]}},
{"type":"Feature","properties":{"inc_id":"I2","time":"2024-03-01"},"geometry":{"type":"Point","coordinates":[NaN,24.505]}}]})");
    auto r = run_gridwatch("hotspots " + d / "incidents.geojson" + " --method kde --json");
    EXPECT_EQ(r.status, 1) << r.out;
    const std::string line = one_error_line(r);
    EXPECT_NE(line.find("feature I2"), std::string::npos) << line;
    EXPECT_NE(line.find("NaN"), std::string::npos) << line;

    d.write("incidents.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"inc_id":"I1","time":"2024-03-01"},"geometry":{"type":"Point","coordinates":[98.605,24.505]}},
{"type":"Feature","properties":{"inc_id":"I3","time":"2024-03-02"},"geometry":{"type":"Point","coordinates":[98.606,24.506]}},
{"type":"Feature","properties":{"inc_id":"I2","time":"2024-03-01"},"geometry":null}]})");
    r = run_gridwatch("hotspots " + d / "incidents.geojson" + " --method kde --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["without_geometry"], 1);
    const auto lines = stderr_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_NE(lines[0].find("without geometry left out: I2"), std::string::npos) << lines[0];
}

// ---- a feature GDAL cannot read ------------------------------------------------------------------

// A geometry blob GDAL cannot decode, in the 5th of 27 roads: the line said "reading stopped after
// 26 of 27 features", naming no feature; export printed its notes of renamed fields first, so
// stderr had three lines. Each command says the one feature, in one line.
TEST(ReadWhole, AFeatureGdalCannotReadIsNamedInOneLine) {
    TempDir d("bad_blob");
    const std::string bad =
        bundled_with(d, "bad.gpkg", {"UPDATE roads SET geom = X'4750000100000000DEADBEEF' WHERE fid = 5"});
    for (const std::string& cmd :
         std::vector<std::string>{"stats", "coverage", "patrols", "info", "export --out " + d / "shp",
                                  "render --size 200x150 --out " + d / "r.png"}) {
        const std::string first = cmd.substr(0, cmd.find(' '));
        const std::string rest = cmd.find(' ') == std::string::npos ? "" : cmd.substr(cmd.find(' '));
        const auto r = run_gridwatch(first + " " + bad + rest);
        EXPECT_EQ(r.status, 1) << cmd << ": " << r.out;
        const std::string line = one_error_line(r);
        EXPECT_NE(line.find("layer 'roads', feature FID 5: could not be read, 26 of 27 features read"),
                  std::string::npos)
            << cmd << ": " << r.err;
        EXPECT_NE(line.find("GDAL: Unable to read geometry"), std::string::npos) << cmd << ": " << line;
    }
    EXPECT_FALSE(fs::exists(d / "shp"));
    EXPECT_FALSE(fs::exists(d / "r.png"));
}

// An office whose incidents say 火警 maps it to fire in its project file; the reader read them as
// fire, but `--type 火警` was refused as no incident type (exit 2). The option takes the office's
// word as the reader does.
TEST(ReadWhole, TypeTakesTheProjectFilesOwnWords) {
    TempDir d("own_types");
    const std::string own =
        bundled_with(d, "own.gpkg", {"UPDATE incidents SET type = '火警' WHERE type = 'fire'"});
    d.write("own.gpkg.gridwatch.json",
            R"({"mapping": {"incidents": {"values": {"type": {"火警": "fire"}}}}})");
    auto count = [&](const std::string& types) {
        const auto r = run_gridwatch("hotspots " + own + " --method gi --type " + types + " --json");
        EXPECT_EQ(r.status, 0) << types << ": " << r.err;
        if (r.status != 0) return -1;
        int n = 0;
        const json j = json::parse(r.out);
        for (const auto& c : j["cells"]) n += c["count"].get<int>();
        return n;
    };
    const int fire = count("fire");
    EXPECT_GT(fire, 0);
    EXPECT_EQ(count("火警"), fire);
    EXPECT_EQ(count("火灾"), fire);
    EXPECT_EQ(run_gridwatch("hotspots " + own + " --method gi --type 火情 --json").status, 2);
}

// A report's kind and a patrol's team outside SPEC §3 were taken without a word (unknown_codes 0),
// though import refuses them: named and counted as the other code fields are.
TEST(ReadWhole, ACheckKindOrPatrolTeamOutsideTheContractIsNamed) {
    TempDir d("odd_codes");
    const std::string odd = bundled_with(
        d, "odd.gpkg",
        {"UPDATE checks SET kind = 'party' WHERE fid = (SELECT fid FROM checks ORDER BY time DESC LIMIT 1)",
         "UPDATE patrols SET team = 'ninja' WHERE fid = (SELECT min(fid) FROM patrols)"});
    auto r = run_gridwatch("checks " + odd + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_GE(json::parse(r.out)["unknown_codes"].get<int>(), 1);
    EXPECT_NE(r.err.find("kind 'party' is none of routine"), std::string::npos) << r.err;
    r = run_gridwatch("patrols " + odd + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("team 'ninja' is none of patrol, joint, grid, video"), std::string::npos) << r.err;
    r = run_gridwatch("checks " + bundled() + " --json");
    EXPECT_EQ(json::parse(r.out)["unknown_codes"], 0) << r.err;
}

// Every report's time unreadable: the warning naming them came first, then the error, two lines.
// A failed command says one line (its warnings are held until it succeeds), and that line says why.
TEST(ReadWhole, AFailedCommandSaysOneLineNotItsWarningsBefore) {
    TempDir d("held_warnings");
    const std::string slash = bundled_with(d, "slash.gpkg", {"UPDATE checks SET time = '2026/10/05 08:00'"});
    const auto r = run_gridwatch("checks " + slash + " --json");
    EXPECT_EQ(r.status, 1) << r.out;
    const std::string line = one_error_line(r);
    EXPECT_NE(line.find("has no check with a readable time"), std::string::npos) << line;
    EXPECT_NE(line.find("is not an ISO-8601 date"), std::string::npos) << line;
    // With --date the command stands, and its warning is said.
    const auto ok = run_gridwatch("checks " + slash + " --date 2026-10-05 --json");
    EXPECT_EQ(ok.status, 0) << ok.err;
    EXPECT_NE(ok.err.find("warning: "), std::string::npos) << ok.err;
}

// A checks layer whose fields are named 人数 and 备注 (the names import reads in a CSV) lost each
// report's people and note without a word, and import added `people` and `note` columns beside them.
TEST(ReadWhole, AChecksLayersChineseFieldsAreReadAndWritten) {
    TempDir d("checks_zh");
    const std::string zh = bundled_with(
        d, "zh.gpkg",
        {"ALTER TABLE checks RENAME COLUMN people TO 人数", "ALTER TABLE checks RENAME COLUMN note TO 备注"});
    const auto r = run_gridwatch("checks " + zh + " --date 2026-10-20 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto plain = run_gridwatch("checks " + bundled() + " --date 2026-10-20 --json");
    EXPECT_EQ(json::parse(r.out)["today"], json::parse(plain.out)["today"]);
    d.write("a.csv",
            "check_id,grid_id,reporter,time,kind,people,note,lon,lat\n"
            "ZZ1,DPZ-G01-01,a,2026-10-31T09:00:00,routine,3,ok,98.6817,24.5823\n");
    ASSERT_EQ(run_gridwatch("import " + zh + " --checks " + d / "a.csv").status, 0);
    EXPECT_EQ(gpkg_number(zh, "SELECT 人数 FROM checks WHERE check_id = 'ZZ1'"), 3);
    EXPECT_EQ(
        gpkg_number(zh, "SELECT count(*) FROM pragma_table_info('checks') WHERE name IN ('people', 'note')"),
        0);
}

// ---- plan: the sites it had, the cameras it placed ---------------------------------------------

// An empty candidates layer gave sites made from roads without a word, `--candidates layer` too;
// two candidates and --add 5 printed "5 new cameras" above a table of two.
TEST(ReadWhole, PlanSaysWhichSitesItUsedAndHowManyItPlaced) {
    TempDir d("plan_sites");
    const std::string none = bundled_with(d, "none.gpkg", {"DELETE FROM candidates"});
    auto r = run_gridwatch("plan " + none + " --add 2 --candidates layer --json");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(one_error_line(r).find("layer 'candidates': has no candidate sites"), std::string::npos)
        << r.err;
    r = run_gridwatch("plan " + none + " --add 2 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["candidates"], "auto");
    EXPECT_NE(r.err.find("no candidates layer holds sites"), std::string::npos) << r.err;
    r = run_gridwatch("plan " + bundled() + " --add 2 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["candidates"], "layer");
    EXPECT_EQ(r.err.find("no candidates layer"), std::string::npos) << r.err;

    const std::string two = bundled_with(d, "two.gpkg", {"DELETE FROM candidates WHERE fid > 2"});
    r = run_gridwatch("plan " + two + " --add 5 --fov 360 --json");  // a site adds nothing twice
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    const size_t picks = j["picks"].size();
    EXPECT_LE(picks, 2u);
    EXPECT_EQ(j["unplaced"], 5 - picks);
    EXPECT_NE(r.err.find("placed " + std::to_string(picks) + " of 5 cameras"), std::string::npos) << r.err;
    r = run_gridwatch("plan " + two + " --add 5 --fov 360");
    EXPECT_NE(r.out.find(std::to_string(picks) + " of 5 new cameras"), std::string::npos) << r.out;
}

// ---- no grids layer -----------------------------------------------------------------------------

// Every command that gives figures per cell said "layer 'grids', field 'level': has no cells of
// level 4" of a dataset with no grids layer at all. It says the layer is missing.
TEST(ReadWhole, CommandsPerCellSayTheGridsLayerIsMissing) {
    TempDir d("no_grids");
    const std::string none = bundled_with(d, "none.gpkg", {"DROP TABLE grids"});
    for (const char* cmd : {"coverage", "stats", "hotspots --method gi", "hotspots --method warning",
                            "checks", "patrols", "stats --with-checks", "checks --level 2"}) {
        const auto r = run_gridwatch(std::string(cmd) + " " + none + " --json");
        EXPECT_EQ(r.status, 1) << cmd << ": " << r.out;
        const std::string line = one_error_line(r);
        EXPECT_NE(line.find("none.gpkg: has no grids layer"), std::string::npos) << cmd << ": " << r.err;
        EXPECT_EQ(line.find("level 4"), std::string::npos) << cmd << ": " << line;
    }
    // A grids layer with no cells of the level asked for is still told so.
    const std::string l4 = bundled_with(d, "l13.gpkg", {"DELETE FROM grids WHERE level IN (2, 4)"});
    const auto r = run_gridwatch("stats " + l4 + " --level 2");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(one_error_line(r).find("has no cells of level 2"), std::string::npos) << r.err;
}

// ---- hotspots: the incidents they count ---------------------------------------------------------

TEST(ReadWhole, HotspotsNeedAnIncidentsLayerAndNameIncidentsInNoCell) {
    TempDir d("hot_inputs");
    // Without one, Gi* found "0 incidents", the warning "green 97", each with exit 0.
    const std::string none = bundled_with(d, "none.gpkg", {"DROP TABLE incidents"});
    for (const char* method : {"gi", "warning", "dbscan", "kde"}) {
        const auto r = run_gridwatch("hotspots " + none + " --method " + method + " --json");
        EXPECT_EQ(r.status, 1) << method << ": " << r.out;
        EXPECT_NE(one_error_line(r).find("no incidents layer"), std::string::npos) << r.err;
    }
    // An incident outside every cell: the warning named and counted it nowhere, as Gi* did.
    d.write("incidents.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"inc_id":"FAR1","type":"theft","time":"2024-03-01"},"geometry":{"type":"Point","coordinates":[98.80,24.70]}}]})");
    for (const char* method : {"warning", "gi"}) {
        const auto r = run_gridwatch("hotspots " + bundled() + " " + d / "incidents.geojson" + " --method " +
                                     method + " --json");
        ASSERT_EQ(r.status, 0) << method << ": " << r.err;
        EXPECT_EQ(json::parse(r.out)["incidents_outside"], 1) << method;
        EXPECT_NE(r.err.find("1 incident(s) lie in no level-4 cell, counted in no unit: FAR1"),
                  std::string::npos)
            << method << ": " << r.err;
    }
}

TEST(ReadWhole, AFractionInAnIntegerLevelStopsEveryCommandNotCutToAWholeLevel) {
    TempDir d("level_fraction");
    // SQLite keeps 3.9 in a column typed INTEGER; GDAL read it as 3, and the cell left level 4 in
    // silence (with its incidents and reports).
    const std::string path =
        bundled_with(d, "lv.gpkg", {"UPDATE grids SET level = 3.9 WHERE grid_id = 'DPZ-G01-05'"});
    for (const std::string cmd :
         {"hotspots --method gi", "hotspots --method warning", "checks", "stats", "info"}) {
        const auto sp = cmd.find(' ');
        const auto r = run_gridwatch(cmd.substr(0, sp) + " " + path +
                                     (sp == std::string::npos ? "" : cmd.substr(sp)) + " --json");
        EXPECT_EQ(r.status, 1) << cmd << ": " << r.out;
        EXPECT_NE(one_error_line(r).find(
                      "feature DPZ-G01-05, field 'level': level must be a whole number from 1 to 4"),
                  std::string::npos)
            << cmd << ": " << r.err;
    }
}

TEST(ReadWhole, TextInACellsOwnNumberFieldIsNamedNotTestedAsZero) {
    TempDir d("value_text");
    const std::string path =
        bundled_with(d, "v.gpkg",
                     {"ALTER TABLE grids ADD COLUMN pop REAL", "UPDATE grids SET pop = fid * 1.5",
                      "UPDATE grids SET pop = 'abc' WHERE grid_id = 'DPZ-G02-02'"});
    const auto r = run_gridwatch("hotspots " + path + " --method gi --value pop --json");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(one_error_line(r).find("feature DPZ-G02-02, field 'pop': value 'abc' is not a number"),
              std::string::npos)
        << r.err;
    // A number there is tested as it is.
    gpkg_sql(path, "UPDATE grids SET pop = 2.5 WHERE grid_id = 'DPZ-G02-02'");
    const auto ok = run_gridwatch("hotspots " + path + " --method gi --value pop --json");
    ASSERT_EQ(ok.status, 0) << ok.err;
    const json j = json::parse(ok.out);
    bool seen = false;
    for (const auto& c : j["cells"])
        if (c["id"] == "DPZ-G02-02") {
            seen = true;
            EXPECT_EQ(c["value"], 2.5);
        }
    EXPECT_TRUE(seen);
}

TEST(ReadWhole, TwoCellsOfALevelWithOneGridIdStopEveryCommandThatGivesFiguresPerCell) {
    TempDir d("dup_ids");
    // Two rows of one id, as two layers of cells (or an export made twice into one folder) give:
    // each command gave two rows of it, or summed both, with exit 0.
    const std::string path =
        bundled_with(d, "dup.gpkg", {"UPDATE grids SET grid_id = 'DPZ-G01-05' WHERE grid_id = 'DPZ-G01-06'"});
    for (const std::string cmd : {"hotspots @ --method gi", "hotspots @ --method warning",
                                  "coverage @ --no-gaps", "stats @", "patrols @", "checks @"}) {
        const std::string line =
            cmd.substr(0, cmd.find('@')) + path + cmd.substr(cmd.find('@') + 1) + " --json";
        const auto r = run_gridwatch(line);
        EXPECT_EQ(r.status, 1) << line << ": " << r.out;
        EXPECT_NE(one_error_line(r).find("two level-4 cells have the grid_id 'DPZ-G01-05'"),
                  std::string::npos)
            << line << ": " << r.err;
    }
    // info is where they are listed.
    const auto info = run_gridwatch("info " + path + " --json");
    EXPECT_EQ(info.status, 0) << info.err;
    EXPECT_NE(info.out.find("DPZ-G01-05"), std::string::npos);
}

namespace {

/** Moves feature `fid` of a point layer of a GeoPackage to (x, y), in the layer's CRS. */
void move_point(const std::string& path, const char* layer, GIntBig fid, double x, double y) {
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(ds) << path;
    OGRLayer* l = ds->GetLayerByName(layer);
    ASSERT_NE(l, nullptr) << layer;
    OGRFeatureUniquePtr f(l->GetFeature(fid));
    ASSERT_TRUE(f) << fid;
    OGRPoint p(x, y);
    f->SetGeometry(&p);
    ASSERT_EQ(l->SetFeature(f.get()), OGRERR_NONE);
}

}  // namespace

TEST(ReadWhole, FeaturesInNoCellAreNamedAndCountedByCoverageAndStats) {
    TempDir d("in_no_cell");
    const std::string path = bundled_with(d, "out.gpkg", {});
    move_point(path, "households", 1, 98.80, 24.70);  // kilometres east of the community
    const std::string id = "DPZ-H0001";
    const auto cov = run_gridwatch("coverage " + path + " --no-gaps --json");
    ASSERT_EQ(cov.status, 0) << cov.err;
    const json c = json::parse(cov.out);
    EXPECT_EQ(c["households_outside"], 1);
    EXPECT_NE(cov.err.find("1 household(s) lie in no level-4 cell, counted in no unit: " + id),
              std::string::npos)
        << cov.err;
    // Gaps not looked for are not "0 blind spots".
    EXPECT_TRUE(c["gaps"].is_null()) << c["gaps"];
    EXPECT_TRUE(c["gap_list"].is_null());
    const auto st = run_gridwatch("stats " + path + " --no-coverage --json");
    ASSERT_EQ(st.status, 0) << st.err;
    EXPECT_EQ(json::parse(st.out)["outside"]["households"], 1);
    EXPECT_NE(st.err.find("counted in no unit: " + id), std::string::npos) << st.err;
}

TEST(ReadWhole, ACellSeenWholeIsCoveredNoMoreThanItsArea) {
    TempDir d("seen_whole");
    // One camera seeing 10 km all round: each cell's covered area is its union with the cell, which
    // came out a rounding above the cell's own area (coverage 1.0000000000000018).
    const std::string path =
        bundled_with(d, "whole.gpkg", {"UPDATE cameras SET fov = 360, range = 10000 WHERE fid = 1"});
    const auto r = run_gridwatch("coverage " + path + " --occlusion none --no-gaps --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    int whole = 0;
    for (const auto& g : j["grids"]) {
        EXPECT_LE(g["coverage"].get<double>(), 1.0) << g["grid_id"];
        EXPECT_LE(g["covered_m2"].get<double>(), g["area_m2"].get<double>()) << g["grid_id"];
        whole += g["coverage"].get<double>() == 1.0;
    }
    EXPECT_GT(whole, 50);
    EXPECT_LE(j["total"]["coverage"].get<double>(), 1.0);
}

TEST(ReadWhole, ARepairedGeometryIsNamedAndCountedByEveryCommand) {
    TempDir d("repaired");
    const std::string path = bundled_with(d, "bow.gpkg", {});
    {  // a building drawn as a bow tie: GEOS's MakeValid makes two triangles of it
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        OGRLayer* l = ds->GetLayerByName("buildings");
        ASSERT_NE(l, nullptr);
        OGRFeatureUniquePtr f(l->GetFeature(1));
        ASSERT_TRUE(f);
        OGRGeometry* g = nullptr;
        ASSERT_EQ(OGRGeometryFactory::createFromWkt("MULTIPOLYGON(((98.6907 24.579,98.6908 24.57913,98.6907 "
                                                    "24.57913,98.6908 24.579,98.6907 24.579)))",
                                                    nullptr, &g),
                  OGRERR_NONE);
        f->SetGeometryDirectly(g);
        ASSERT_EQ(l->SetFeature(f.get()), OGRERR_NONE);
    }
    for (const std::string& cmd : {"coverage " + path + " --no-gaps --json", "stats " + path + " --json"}) {
        const auto r = run_gridwatch(cmd);
        ASSERT_EQ(r.status, 0) << cmd << ": " << r.err;
        EXPECT_EQ(json::parse(r.out)["repaired_geometries"], 1) << cmd;
        EXPECT_NE(r.err.find("layer 'buildings': 1 invalid geometry repaired (GEOS MakeValid)"),
                  std::string::npos)
            << cmd << ": " << r.err;
    }
    // info says it in its own report, not twice.
    const auto info = run_gridwatch("info " + path);
    ASSERT_EQ(info.status, 0) << info.err;
    EXPECT_EQ(info.err.find("repaired"), std::string::npos) << info.err;
    EXPECT_NE(info.out.find("1 invalid geometry repaired"), std::string::npos) << info.out;
}

TEST(ReadWhole, LevelFourCellsUnderNoCellOfTheLevelAreNamedNotDroppedFromItsRows) {
    TempDir d("under_none");
    const std::string one =
        bundled_with(d, "one.gpkg", {"UPDATE grids SET parent_id = 'NOWHERE' WHERE grid_id = 'DPZ-G01-01'"});
    auto r = run_gridwatch("checks " + one + " --level 3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["left_out"]["l4_cells_under_none"], 1);
    EXPECT_NE(r.err.find("1 level-4 cell(s) lie under no level-3 cell"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("DPZ-G01-01"), std::string::npos) << r.err;
    // A level missing between: the community's cell has no L4 cell under it, and is not "checked today".
    const std::string gap = bundled_with(d, "gap.gpkg", {"DELETE FROM grids WHERE level = 2"});
    r = run_gridwatch("checks " + gap + " --level 1 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_GT(j["left_out"]["l4_cells_under_none"].get<int>(), 90);
    for (const auto& c : j["cells"]) {
        EXPECT_EQ(c["l4_cells"], 0) << c["grid_id"];
        EXPECT_FALSE(c["checked_today"].get<bool>()) << c["grid_id"];
    }
}

TEST(ReadWhole, AnIncidentOfSeveralPointsStopsNamingItAndOneOfOnePointIsRead) {
    TempDir d("multipoint");
    // Its first point was taken and the others let go, in silence.
    d.write("incidents.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"inc_id":"I1","time":"2024-03-01"},"geometry":{"type":"MultiPoint","coordinates":[[98.605,24.505]]}},
{"type":"Feature","properties":{"inc_id":"I2","time":"2024-03-01"},"geometry":{"type":"MultiPoint","coordinates":[[98.605,24.505],[98.61,24.51]]}}]})");
    auto r = run_gridwatch("hotspots " + d / "incidents.geojson" + " --method kde --json");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_NE(one_error_line(r).find("feature I2: geometry is a MultiPoint of 2 points, expected Point"),
              std::string::npos)
        << r.err;
    d.write("incidents.geojson", R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"inc_id":"I1","time":"2024-03-01"},"geometry":{"type":"MultiPoint","coordinates":[[98.605,24.505]]}},
{"type":"Feature","properties":{"inc_id":"I3","time":"2024-03-01"},"geometry":{"type":"Point","coordinates":[98.606,24.506]}}]})");
    r = run_gridwatch("hotspots " + d / "incidents.geojson" + " --method kde --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["incidents"], 2);
}

// ---- incident times: parsed once, unreadable ones named and counted ---------------------------------

TEST(ReadWhole, UnreadableIncidentTimesAreNamedCountedAndLeftOutOfWindows) {
    TempDir d("read_times");
    d.write("incidents.geojson", incidents_geojson({{"I1", "2024-03-05T10:00:00"},
                                                    {"I2", "2024-03-20"},
                                                    {"I3", "yesterday"},
                                                    {"I4", "2026/13/45"},
                                                    {"I5", "2024-04-02T08:00"},
                                                    {"I6", "2024-01-10"}}));
    const auto r = run_gridwatch("hotspots " + d / "incidents.geojson" + " --method kde --from 2024-03 --to 2024-03 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["incidents"], 2);  // I1 and I2: March, to its end
    EXPECT_EQ(j["unreadable_times"], 2);
    const auto lines = stderr_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_EQ(lines[0].rfind("warning:", 0), 0u) << lines[0];
    EXPECT_NE(lines[0].find("I3: time 'yesterday'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("I4: time '2026/13/45'"), std::string::npos) << lines[0];

    // A --from that is not a date is a usage error, not an empty answer.
    const auto bad = run_gridwatch("hotspots " + d / "incidents.geojson" + " --method kde --from yesterday");
    EXPECT_EQ(bad.status, 2) << bad.err;
    EXPECT_NE(bad.err.find("--from"), std::string::npos) << bad.err;
}

// A second file given for a role (today's tracks beside the office's GeoPackage): what was left out
// of it was named under the first file and the role's name, and the user looked in the wrong file.
TEST(ReadWhole, WhatIsLeftOutIsNamedInTheFileAndLayerItCameFrom) {
    TempDir d("read_where");
    d.write("今日轨迹.geojson", R"({"type": "FeatureCollection",
      "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4542"}}, "features": [
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[466000, 2720000], [466300, 2720000]]},
       "properties": {"track_id": "T1", "start": "2026-11-02T21:00", "end": "2026-11-02T20:00"}}]})");
    const auto r = run_gridwatch("patrols " + bundled() + " " + d / "今日轨迹.geojson");
    ASSERT_EQ(r.status, 0) << r.err;
    bool named = false;
    for (const auto& line : stderr_lines(r.err))
        if (line.find("T1: end") != std::string::npos) {
            named = true;
            EXPECT_NE(line.find(d / "今日轨迹.geojson: layer '今日轨迹'"), std::string::npos) << line;
            EXPECT_EQ(line.find("dapingzi"), std::string::npos) << line;
        }
    EXPECT_TRUE(named) << r.err;
}

TEST(ReadWhole, PlanLeavesOutUnreadableTimesWithoutMovingTheWindow) {
    TempDir d("read_plan");
    const std::string args = " --add 2 --no-occlusion --json";
    const auto base = run_gridwatch("plan " + bundled() + args);
    ASSERT_EQ(base.status, 0) << base.err;
    const json want = json::parse(base.out);
    for (const std::string t : {"yesterday", "2026/13/45", "2099-13-01"}) {
        d.write("incidents.geojson", incidents_geojson({{"X1", t}}));
        const auto r = run_gridwatch("plan " + bundled() + " " + d / "incidents.geojson" + args);
        ASSERT_EQ(r.status, 0) << t << ": " << r.err;
        const json j = json::parse(r.out);
        EXPECT_EQ(j["unreadable_times"], 1) << t;
        // The window and the demand are those of the readable incidents alone.
        EXPECT_NEAR(j["total_demand"].get<double>(), want["total_demand"].get<double>(), 1e-6) << t;
        EXPECT_NE(r.err.find("X1: time '" + t + "'"), std::string::npos) << r.err;
    }
}

TEST(ReadWhole, DateTimeTypedTimeFieldsMatchFromTo) {
    TempDir d("read_datetime");
    // GDAL reads ISO text in a CSV as a DateTime field and gives it back as "2024/03/05 10:00:00".
    d.write("incidents.csv",
            "inc_id,type,color,time,lon,lat\n"
            "I1,theft,red,2024-03-05T10:00:00,98.672,24.585\n"
            "I2,theft,red,2024-03-20T18:30:00,98.673,24.586\n"
            "I3,fire,yellow,2024-04-01T08:00:00,98.674,24.584\n"
            "I4,fire,yellow,2024-02-29T23:59:00,98.675,24.587\n"
            // A phone app's UTC times: 04:00 on 1 March in the community (UTC+8), and 04:00 on 1 April.
            "I5,fire,yellow,2024-02-29T20:00:00Z,98.676,24.585\n"
            "I6,fire,yellow,2024-03-31T20:00:00Z,98.677,24.585\n");
    const auto r = run_gridwatch("hotspots " + d / "incidents.csv" +
                                 " --assume-crs EPSG:4326 --method kde --from 2024-03-01 --to 2024-03-31 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["incidents"], 3);
    EXPECT_EQ(j["unreadable_times"], 0);
}

// ---- text in a number field: a warning naming feature and field ------------------------------------

TEST(ReadWhole, TextInANumberFieldIsNamedNotReadAsZeroSilently) {
    TempDir d("read_lots");
    const std::string copy =
        bundled_with(d, "lots.gpkg", {"UPDATE households SET members = 'lots' WHERE fid = 3"});
    const auto r = run_gridwatch("stats " + copy + " --level 1 --no-coverage --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["unreadable_numbers"], 1);
    const auto lines = stderr_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;
    EXPECT_NE(lines[0].find("layer 'households'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("members: 'lots' is not a number"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("DPZ-H0003"), std::string::npos) << lines[0];
}

TEST(ReadWhole, TextInSeveralNumberFieldsOfALayerIsEachNamedAndInfinityIsANumber) {
    // One pass finds the text of all of a layer's number fields (find_text_in_numbers): two in one
    // row, a blob, an empty string; an infinite fov is a number (a bad camera, not unreadable text).
    TempDir d("read_lots_cameras");
    const std::string copy = bundled_with(
        d, "lots.gpkg",
        {"UPDATE cameras SET azimuth = 'north', height = 'tall' WHERE cam_id = 'DPZ-CAM001'",
         "UPDATE cameras SET range = X'0102' WHERE cam_id = 'DPZ-CAM003'",
         "UPDATE cameras SET resolution_px = '' WHERE cam_id = 'DPZ-CAM005'",
         "UPDATE cameras SET fov = 1e999, height = 1e999 WHERE cam_id = 'DPZ-CAM007'",
         // A height is optional, but an infinite or negative one is a bad value, not the default 3 m.
         "UPDATE cameras SET height = 1e999 WHERE cam_id = 'DPZ-CAM009'",
         "UPDATE cameras SET height = -2 WHERE cam_id = 'DPZ-CAM011'"});
    ASSERT_EQ(gpkg_number(copy, "SELECT count(*) FROM cameras WHERE typeof(fov) = 'real' AND fov > 1e308"),
              1);
    const auto r = run_gridwatch("patrols " + copy + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["unreadable_numbers"], 2) << r.err;
    EXPECT_EQ(j["cameras_with_bad_values"], 5) << r.err;
    EXPECT_NE(r.err.find("height: 'tall' is not a number"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("resolution_px: '' is not a number"), std::string::npos) << r.err;
    // An infinite height is a number: not named as text (it would make three unreadable numbers).
    EXPECT_EQ(r.err.find("height: 'Inf"), std::string::npos) << r.err;
    for (const char* cam : {"DPZ-CAM001: azimuth is missing or not a finite number",
                            "DPZ-CAM003: range is missing or not a number", "DPZ-CAM007: fov",
                            "DPZ-CAM009: height inf m is not a height above the ground",
                            "DPZ-CAM011: height -2 m is not a height above the ground"})
        EXPECT_NE(r.err.find(cam), std::string::npos) << cam << "\n" << r.err;
}

TEST(ReadWhole, ABuildingHeightBelowTheGroundOrInfiniteIsNamed) {
    TempDir d("read_heights");
    const std::string copy =
        bundled_with(d, "heights.gpkg",
                     {"UPDATE buildings SET height = -4 WHERE fid = (SELECT min(fid) FROM buildings)",
                      "UPDATE buildings SET height = 1e999 WHERE fid = (SELECT max(fid) FROM buildings)"});
    const auto r = run_gridwatch("patrols " + copy + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["unreadable_numbers"], 2) << r.err;
    EXPECT_NE(r.err.find("height: '-4' is not a height (0 m or more)"), std::string::npos) << r.err;
}

TEST(ReadWhole, AResolutionThatIsNoneIsNamedAndTheCameraKept) {
    // A resolution_px of 0 or −5 (offices write them for "unknown") was dropped without a word: the
    // camera then reached no quality zone, unexplained unless --quality was asked. Each is named now,
    // counted among the unreadable numbers, and the camera still counts where pixels do not matter.
    TempDir d("read_pixels");
    const std::string copy =
        bundled_with(d, "pixels.gpkg",
                     {"UPDATE cameras SET resolution_px = 0 WHERE cam_id = 'DPZ-CAM001'",
                      "UPDATE cameras SET resolution_px = -5 WHERE cam_id = 'DPZ-CAM003'",
                      "UPDATE cameras SET resolution_px = 1920 WHERE cam_id = 'DPZ-CAM005'",
                      "UPDATE cameras SET resolution_px = 1920.7 WHERE cam_id = 'DPZ-CAM008'"});
    const auto before = run_gridwatch("coverage " + bundled() + " --json");
    const auto r = run_gridwatch("coverage " + copy + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["unreadable_numbers"], 3) << r.err;
    EXPECT_EQ(j["cameras_with_bad_values"], 0) << r.err;
    EXPECT_NE(r.err.find("DPZ-CAM008: resolution_px: '1920.7' is not a whole number of pixels"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("DPZ-CAM001: resolution_px: '0' is not a whole number of pixels (1 to 2147483647)"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("DPZ-CAM003: resolution_px: '-5' is not a whole number of pixels (1 to 2147483647)"),
              std::string::npos)
        << r.err;
    EXPECT_EQ(r.err.find("DPZ-CAM005"), std::string::npos) << r.err;
    // Kept: the same coverage as the bundled file's, whose cameras all have pixels.
    ASSERT_EQ(before.status, 0) << before.err;
    EXPECT_EQ(j["total"]["covered_m2"], json::parse(before.out)["total"]["covered_m2"]);
    // Under a quality they are left out, and named again for it.
    const auto q = run_gridwatch("coverage " + copy + " --quality observe --json");
    ASSERT_EQ(q.status, 0) << q.err;
    EXPECT_NE(q.err.find("3 camera(s) without a resolution_px left out under --quality observe"),
              std::string::npos)
        << q.err;
}

namespace {

/** Writes `value` into field `field` of record `record` of a .dbf (right-aligned, as numbers are);
 *  returns the record's text in field `id_field`. */
std::string patch_dbf(const std::string& path, int record, const std::string& field, const std::string& value,
                      const std::string& id_field) {
    std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
    std::string head(32, '\0');
    f.read(head.data(), 32);
    const auto u16 = [&](int at) { return int(static_cast<unsigned char>(head[at])) | int(static_cast<unsigned char>(head[at + 1])) << 8; };
    const int header_len = u16(8), record_len = u16(10);
    int pos = 1, field_at = -1, field_width = 0, id_at = -1, id_width = 0;
    for (int off = 32; off + 32 <= header_len; off += 32) {
        std::string d(32, '\0');
        f.seekg(off);
        f.read(d.data(), 32);
        if (d[0] == '\x0d') break;
        const std::string name = d.substr(0, d.find('\0'));
        const int width = static_cast<unsigned char>(d[16]);
        if (name == field) field_at = pos, field_width = width;
        if (name == id_field) id_at = pos, id_width = width;
        pos += width;
    }
    EXPECT_GE(field_at, 0) << field;
    EXPECT_GE(id_at, 0) << id_field;
    EXPECT_LE(value.size(), size_t(field_width));
    const std::streamoff rec = header_len + std::streamoff(record) * record_len;
    f.seekp(rec + field_at);
    const std::string padded = std::string(size_t(field_width) - value.size(), ' ') + value;
    f.write(padded.data(), std::streamsize(padded.size()));
    std::string id(size_t(id_width), '\0');
    f.seekg(rec + id_at);
    f.read(id.data(), id_width);
    return id.substr(0, id.find_last_not_of(' ') + 1);
}

}  // namespace

TEST(ReadWhole, TextInAShapefileNumberFieldIsNamedNotReadAsZeroSilently) {
    TempDir d("read_lots_shp");
    ASSERT_EQ(run_gridwatch("export " + bundled() + " --out " + d / "shp").status, 0);
    const std::string hh = patch_dbf(d / "shp/households.dbf", 2, "members", "lots", "hh_id");
    ASSERT_FALSE(hh.empty());
    const auto r = run_gridwatch("stats " + d / "shp" + " --level 1 --no-coverage --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["unreadable_numbers"], 1);
    const auto lines = stderr_lines(r.err);
    ASSERT_EQ(lines.size(), 1u) << r.err;  // GDAL's own "parsed incompletely" warning folded in, not beside
    EXPECT_NE(lines[0].find("layer 'households'"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("members: 'lots' is not a number"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find(hh), std::string::npos) << lines[0];
    // Every command that reads the layer counts it in its JSON, coverage too.
    const auto cov = run_gridwatch("coverage " + d / "shp" + " --level 4 --occlusion none --no-gaps --json");
    ASSERT_EQ(cov.status, 0) << cov.err;
    EXPECT_EQ(json::parse(cov.out)["unreadable_numbers"], 1);

    // A cell level that is text stops the command: levels are never guessed.
    patch_dbf(d / "shp/grids_L1.dbf", 0, "level", "one", "grid_id");
    const auto bad = run_gridwatch("stats " + d / "shp" + " --level 1 --no-coverage --json");
    EXPECT_EQ(bad.status, 1) << bad.out;
    const std::string line = one_error_line(bad);
    EXPECT_NE(line.find("'one' is not a number"), std::string::npos) << line;
}

TEST(ReadWhole, InfoJudgesAndCountsEveryCheckThoughItKeepsOnlyEachCellsLast) {
    // info keeps of the checks only each cell's last (OpenOptions::checks_from at the end of time:
    // a prefecture's 2.7 million were 0.9 GB it never looked at), yet every row is read and judged
    // as a whole read judges it: the same counts, the same rows named, on stderr and in the JSON.
    TempDir d("read_info_checks");
    const std::string copy = bundled_with(
        d, "checks.gpkg",
        {"UPDATE checks SET time = '昨天' WHERE fid = 5",
         "UPDATE checks SET time = '2026-02-30T08:00:00' WHERE fid = 2000",
         "UPDATE checks SET geom = NULL WHERE fid = 9", "UPDATE checks SET people = 'two' WHERE fid = 12",
         "UPDATE checks SET grid_id = 'NO-SUCH-CELL' WHERE fid = 30"});
    const gw::Dataset whole = gw::open_dataset({copy});
    ASSERT_EQ(whole.report.bad_times.size(), 2u);
    ASSERT_EQ(whole.report.no_geometry.size(), 1u);
    ASSERT_EQ(whole.report.bad_values.size(), 1u);
    const auto r = run_gridwatch("info " + copy + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["unreadable_times"], whole.report.bad_times.size());
    EXPECT_EQ(j["without_geometry"], whole.report.no_geometry.size());
    EXPECT_EQ(j["unreadable_numbers"], whole.report.bad_values.size());
    EXPECT_EQ(j["notes"].size(), whole.report.other.size());
    bool counted = false;
    for (const auto& l : j["layers"])
        if (l["name"] == "checks") {
            counted = true;
            EXPECT_EQ(l["count"], gpkg_number(copy, "SELECT count(*) FROM checks"));
        }
    EXPECT_TRUE(counted) << r.out;
    for (const auto* issues : {&whole.report.bad_times, &whole.report.no_geometry, &whole.report.bad_values})
        for (const gw::Issue& i : *issues)
            EXPECT_NE(r.err.find(i.feature), std::string::npos) << i.feature << "\n" << r.err;
    // And the text report alike.
    const auto text = run_gridwatch("info " + copy);
    ASSERT_EQ(text.status, 0) << text.err;
    EXPECT_EQ(text.err, r.err);
}

TEST(ReadWhole, AnOldCheckWhosePointCannotBeTransformedIsRefusedThoughSetAside) {
    // Of the reports before a window only each cell's last is kept (OpenOptions::checks_from), but
    // each is still transformed to the working CRS as the kept ones are: one whose point PROJ
    // cannot take (checks in EPSG:4547, one of them 30,000 km east) stops `checks` with and without
    // --date, `stats --with-checks --date` and `info` with the whole read's one line, naming it.
    TempDir d("read_far_check");
    const std::string copy = d / "far.gpkg";
    fs::copy_file(bundled(), copy);
    gwtest::translate(bundled(), copy,
                      {"-update", "-overwrite", "-nln", "checks", "-t_srs", "EPSG:4547", "checks"});
    // The earliest report, in a cell checked again before the window: not the cell's last.
    const int64_t fid = gpkg_number(copy, "SELECT fid FROM checks ORDER BY time, fid LIMIT 1");
    ASSERT_GT(fid, 0);
    std::string id;
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(copy.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        OGRLayer* l = ds->GetLayerByName("checks");
        ASSERT_TRUE(l);
        OGRFeatureUniquePtr f(l->GetFeature(fid));
        ASSERT_TRUE(f);
        id = f->GetFieldAsString("check_id");
        OGRPoint far(30000000, 2700000);
        f->SetGeometry(&far);
        ASSERT_EQ(l->SetFeature(f.get()), OGRERR_NONE);
    }
    try {
        gw::open_dataset({copy});
        ADD_FAILURE() << "the whole read took a point PROJ cannot transform";
    } catch (const gw::Error& e) {
        EXPECT_NE(std::string(e.what()).find("cannot be transformed"), std::string::npos) << e.what();
        EXPECT_NE(std::string(e.what()).find(id), std::string::npos) << e.what();
    }
    const std::string date = json::parse(run_gridwatch("checks " + bundled() + " --json").out)["date"];
    for (const std::string& cmd :
         {"checks " + copy + " --date " + date + " --json", "checks " + copy + " --json",
          "stats " + copy + " --with-checks --date " + date + " --no-coverage --json",
          "info " + copy + " --json"}) {
        const auto r = run_gridwatch(cmd);
        EXPECT_EQ(r.status, 1) << cmd << "\n" << r.out;
        const std::string line = one_error_line(r);
        EXPECT_NE(line.find("layer 'checks'"), std::string::npos) << cmd << ": " << line;
        EXPECT_NE(line.find(id), std::string::npos) << cmd << ": " << line;
        EXPECT_NE(line.find("cannot be transformed to the working CRS"), std::string::npos)
            << cmd << ": " << line;
    }
}

// A GeoPackage layer of srs_id 0 or −1 (GDAL reads "Undefined geographic SRS", "Undefined
// Cartesian SRS") has no CRS: it was taken as one, written into exports, and --assume-crs did
// nothing for it (metres read as degrees "far outside the CRS", or no transformation at all).
TEST(ReadWhole, AGeoPackageLayerOfAnUndefinedSrsHasNoCrsAndTakesAssumeCrs) {
    TempDir d("undefined_srs");
    const int64_t cells = gpkg_number(bundled(), "SELECT count(*) FROM grids");
    for (const char* id : {"0", "-1"}) {
        const std::string set =
            std::string("UPDATE gpkg_geometry_columns SET srs_id = ") + id + " WHERE table_name = 'grids'";
        const std::string set_contents =
            std::string("UPDATE gpkg_contents SET srs_id = ") + id + " WHERE table_name = 'grids'";
        const std::string file =
            bundled_with(d, std::string("srs") + id + ".gpkg", {set.c_str(), set_contents.c_str()});
        for (const std::string& cmd :
             {"info " + file, "export " + file + " --format GPKG --out " + d / "out.gpkg"}) {
            const auto r = run_gridwatch(cmd);
            EXPECT_EQ(r.status, 1) << cmd << "\n" << r.out;
            const std::string line = one_error_line(r);
            EXPECT_NE(line.find("layer 'grids': has no CRS"), std::string::npos) << cmd << ": " << line;
            EXPECT_NE(line.find("--assume-crs"), std::string::npos) << line;
        }
        EXPECT_FALSE(fs::exists(d.path / "out.gpkg"));
        const auto ok = run_gridwatch("info " + file + " --assume-crs EPSG:4490 --json");
        ASSERT_EQ(ok.status, 0) << id << ": " << ok.err;
        const nlohmann::json j = nlohmann::json::parse(ok.out);
        int64_t read = 0;
        for (const auto& [level, n] : j["grid_levels"].items()) read += n.get<int64_t>();
        EXPECT_EQ(read, cells) << id;
    }
}

// GCJ-02 and BD-09 shift longitude and latitude. On a point layer in metres --from-gcj02 moved
// nothing and --from-bd09 a few metres of nonsense, exit 0 without a word.
TEST(ReadWhole, FromGcj02OnALayerInMetresIsRefusedNamingIt) {
    TempDir d("gcj_metres");
    const std::string metres = d / "m.gpkg";
    ASSERT_EQ(run_gridwatch("export " + bundled() + " --format GPKG --crs EPSG:4542 --out " + metres).status,
              0);
    for (const char* option : {"--from-gcj02", "--from-bd09"}) {
        const auto r = run_gridwatch("info " + metres + " " + option);
        EXPECT_EQ(r.status, 1) << option << "\n" << r.out;
        const std::string line = one_error_line(r);
        EXPECT_NE(line.find("layer 'households' is in EPSG:4542, not longitude and latitude"),
                  std::string::npos)
            << line;
        EXPECT_NE(line.find(option), std::string::npos) << line;
    }
    // The office's layers in metres beside the phones' file in degrees: the phones' are shifted, the
    // office's left as they are and named (the option is the command's, not a source's).
    fs::create_directory(d.path / "phones");
    d.write("phones/incidents.csv", "inc_id,type,time,lon,lat\nP1,theft,2026-11-30T09:00,98.68,24.58\n");
    const auto both =
        run_gridwatch("info " + metres + " " + (d / "phones/incidents.csv") + " --from-gcj02 --json");
    EXPECT_EQ(both.status, 0) << both.err;
    EXPECT_NE(both.err.find("--from-gcj02 leaves it as it is"), std::string::npos) << both.err;
    // The phones' file first: the layer left as it is is named in its own file, not in the first
    // file of its role (the phones', which was shifted).
    const auto phones_first =
        run_gridwatch("info " + (d / "phones/incidents.csv") + " " + metres + " --from-gcj02 --json");
    EXPECT_EQ(phones_first.status, 0) << phones_first.err;
    EXPECT_NE(phones_first.err.find(metres + ": layer 'incidents': in EPSG:4542, not longitude and latitude"),
              std::string::npos)
        << phones_first.err;
    EXPECT_EQ(phones_first.err.find("incidents.csv: layer 'incidents': in EPSG:4542"), std::string::npos)
        << phones_first.err;
    EXPECT_EQ(run_gridwatch("info " + bundled() + " --from-gcj02").status, 0);  // in degrees: shifted
}

// An incident at longitude and latitude 0, 0 (a phone without a fix, a failed geocoding): info and
// Gi* refused it as a coordinate their zone could not take, while KDE chose a working CRS for half
// the world and blamed --cell; with a larger --cell it drew 9000 × 3000 km, exit 0.
TEST(ReadWhole, APointAtZeroZeroInDegreesIsRefusedNamingItByEveryCommand) {
    TempDir d("null_island");
    const std::string file =
        // POINT(0 0) as a GeoPackage blob: "GP", version 0, little-endian without envelope, srs_id 4490.
        bundled_with(d, "n.gpkg",
                     {"UPDATE incidents SET geom = X'475000018A1100000101000000"
                      "00000000000000000000000000000000' WHERE fid = 2"});
    ASSERT_EQ(gpkg_number(file, "SELECT count(*) FROM incidents WHERE ST_X(geom) = 0 AND ST_Y(geom) = 0"), 1);
    for (const std::string& cmd :
         {"info " + file, "hotspots " + file + " --method kde --out " + d / "k.tif",
          "hotspots " + file + " --method kde --cell 2000 --bandwidth 5000 --out " + d / "k.tif"}) {
        const auto r = run_gridwatch(cmd);
        EXPECT_EQ(r.status, 1) << cmd << "\n" << r.out;
        const std::string line = one_error_line(r);
        EXPECT_NE(line.find("layer 'incidents', feature "), std::string::npos) << cmd << ": " << line;
        EXPECT_NE(line.find("coordinate (0, 0) is a position never set"), std::string::npos)
            << cmd << ": " << line;
    }
    EXPECT_FALSE(fs::exists(d.path / "k.tif"));
}

// An empty layer is no reason to stop: `export --layers cameras` of an office whose cameras layer
// is still empty, and `info` of a dataset whose layers are all empty, stopped at "has no extent".
TEST(ReadWhole, EmptyLayersAreReadAsEmptyNotRefused) {
    TempDir d("empty_layers");
    // Layers made empty, as GDAL makes them (no extent in gpkg_contents): the cells alone, then an
    // empty cameras layer beside them; and a dataset of an empty grids layer alone.
    GDALAllRegister();
    OGRSpatialReference cgcs;
    cgcs.importFromEPSG(4490);
    const auto make = [&](const std::string& path, const std::vector<std::string>& empty, bool with_cells) {
        if (with_cells) {
            ASSERT_EQ(
                run_gridwatch("export " + bundled() + " --layers grids --format GPKG --out " + path).status,
                0);
        }
        GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
        GDALDatasetUniquePtr ds(with_cells ? GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE)
                                           : gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        ASSERT_TRUE(ds);
        for (const std::string& name : empty) {
            const bool cells = name == "grids";
            OGRLayer* l = ds->CreateLayer(name.c_str(), &cgcs, cells ? wkbMultiPolygon : wkbPoint, nullptr);
            ASSERT_TRUE(l);
            for (const char* f : cells ? std::vector<const char*>{"grid_id", "parent_id"}
                                       : std::vector<const char*>{"cam_id", "owner", "status"}) {
                OGRFieldDefn fd(f, OFTString);
                l->CreateField(&fd);
            }
            for (const char* f :
                 cells ? std::vector<const char*>{} : std::vector<const char*>{"azimuth", "fov", "range"}) {
                OGRFieldDefn fd(f, OFTReal);
                l->CreateField(&fd);
            }
            if (cells) {
                OGRFieldDefn level("level", OFTInteger);
                l->CreateField(&level);
            }
        }
    };
    const std::string some = d / "some.gpkg", none = d / "none.gpkg";
    make(some, {"cameras"}, true);
    make(none, {"grids"}, false);
    const auto r = run_gridwatch("export " + some + " --layers cameras --out " + d / "out");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(fs::exists(d.path / "out" / "cameras.shp"));
    const auto info = run_gridwatch("info " + none + " --json");
    ASSERT_EQ(info.status, 0) << info.err;
    const nlohmann::json j = nlohmann::json::parse(info.out);
    EXPECT_EQ(j["households"], 0);
    EXPECT_EQ(j["crs"], "EPSG:4490");
}

// A second cameras file beside the office's (a police list, a new batch): its bad values, unknown
// codes, repeated rows and cam_ids shared with the first file were named under the first file, and
// the user searched the wrong one. Each is named in the file and layer its row is in; a shared
// cam_id says where the other camera is.
TEST(ReadWhole, ASecondCamerasFilesRowsAreNamedInIt) {
    TempDir d("cams_second");
    d.write(
        "more.geojson",
        R"({"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4490"}},"features":[
{"type":"Feature","properties":{"cam_id":"X1","owner":"road","azimuth":10,"fov":-5,"range":50,"status":"online"},"geometry":{"type":"Point","coordinates":[98.69,24.59]}},
{"type":"Feature","properties":{"cam_id":"X2","owner":"警方","azimuth":10,"fov":60,"range":50,"status":"online"},"geometry":{"type":"Point","coordinates":[98.691,24.591]}},
{"type":"Feature","properties":{"cam_id":"X2","owner":"警方","azimuth":10,"fov":60,"range":50,"status":"online"},"geometry":{"type":"Point","coordinates":[98.691,24.591]}},
{"type":"Feature","properties":{"cam_id":"DPZ-CAM001","owner":"road","azimuth":10,"fov":60,"range":50,"status":"online"},"geometry":{"type":"Point","coordinates":[98.692,24.592]}}
]})");
    const std::string more = d / "more.geojson";
    const auto r = run_gridwatch("stats " + bundled() + " " + more + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto lines = stderr_lines(r.err);
    ASSERT_EQ(lines.size(), 4u) << r.err;
    for (const auto& line : lines) EXPECT_NE(line.find(more + ": layer 'more': "), std::string::npos) << line;
    EXPECT_NE(r.err.find("1 camera row(s) repeat an earlier row whole"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("DPZ-CAM001: also the cam_id of the camera of FID 1 in " + bundled() +
                         " (layer 'cameras')"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("X1: fov -5"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("X2: owner '警方'"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(bundled() + ": layer"), std::string::npos) << r.err;
}
