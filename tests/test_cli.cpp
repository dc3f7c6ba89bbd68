// End-to-end tests of `info` and `stats`, and of every error path (SPEC §4: exit 0 / 1 / 2, one line).
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "tests/cli_run.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

// A small community in WGS84 near Longling, written as GeoJSON files (one layer each).
// L1 "C" = [98.680, 98.700] × [24.580, 24.600]; two L2 halves split at 98.690.
std::string square(double x0, double y0, double x1, double y1) {
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "{\"type\":\"Polygon\",\"coordinates\":[[[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f],[%.6f,%.6f]]]}",
                  x0, y0, x1, y0, x1, y1, x0, y1, x0, y0);
    return buf;
}
std::string point(double x, double y) {
    return "{\"type\":\"Point\",\"coordinates\":[" + std::to_string(x) + "," + std::to_string(y) + "]}";
}
std::string fc(const std::string& features) {
    return "{\"type\":\"FeatureCollection\",\"features\":[" + features + "]}";
}
std::string feat(const std::string& props, const std::string& geom) {
    return "{\"type\":\"Feature\",\"properties\":{" + props + "},\"geometry\":" + geom + "}";
}

struct Community {
    TempDir dir{"cli"};
    Community() {
        dir.write("grids.geojson",
                  fc(feat(R"("grid_id":"C","level":1,"parent_id":"","name":"大坪子社区","manager":"张三丰","phone":"13812345678")",
                          square(98.68, 24.58, 98.70, 24.60)) +
                     "," +
                     feat(R"("grid_id":"W","level":2,"parent_id":"C","name":"西片","manager":"李四","phone":"")",
                          square(98.68, 24.58, 98.69, 24.60)) +
                     "," +
                     feat(R"("grid_id":"E","level":2,"parent_id":"C","name":"罗家大坡","manager":"王五","phone":"")",
                          square(98.69, 24.58, 98.70, 24.60))));
        // West: 2 households (3 + 4 people); east: 1 household (5 people).
        dir.write("households.geojson",
                  fc(feat(R"("hh_id":"H1","grid_id":"W","head":"赵一","members":3,"tags":"camera")", point(98.683, 24.59)) +
                     "," + feat(R"("hh_id":"H2","grid_id":"W","head":"钱二","members":4,"tags":"risk;newcomer")", point(98.685, 24.585)) +
                     "," + feat(R"("hh_id":"H3","grid_id":"E","head":"孙三","members":5,"tags":"relocated")", point(98.695, 24.595))));
        // West: a household camera online; east: a road camera offline and one with a bad fov.
        dir.write("cameras.geojson",
                  fc(feat(R"("cam_id":"K1","owner":"household","azimuth":90,"fov":90,"range":30,"status":"online")", point(98.683, 24.5901)) +
                     "," + feat(R"("cam_id":"K2","owner":"road","azimuth":0,"fov":60,"range":100,"status":"offline")", point(98.696, 24.59)) +
                     "," + feat(R"("cam_id":"K3","owner":"road","azimuth":0,"fov":400,"range":100)", point(98.697, 24.59))));
        dir.write("incidents.geojson",
                  fc(feat(R"("inc_id":"I1","type":"dispute","time":"2024-01-02T10:00:00","color":"yellow","settled_at":"group")", point(98.684, 24.59)) +
                     "," + feat(R"("inc_id":"I2","type":"traffic","time":"2025-03-02T10:00:00","color":"red")", point(98.698, 24.581)) +
                     "," + feat(R"("inc_id":"I3","type":"theft","time":"2025-04-02T10:00:00","color":"green")", point(98.699, 24.599))));
    }
    std::string args() const {
        return dir / "grids.geojson" + " " + dir / "households.geojson" + " " + dir / "cameras.geojson" + " " +
               dir / "incidents.geojson";
    }
};

/** A copy of the bundled community in `d` (d.gpkg) with each SQL statement run on it. */
std::string bundled_copy(const TempDir& d, std::initializer_list<const char*> sql) {
    const std::string data = d / "d.gpkg";
    std::filesystem::copy_file(std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg", data);
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    EXPECT_TRUE(ds);
    for (const char* q : sql)
        if (ds) ds->ReleaseResultSet(ds->ExecuteSQL(q, nullptr, nullptr));
    return data;
}

}  // namespace

TEST(CliUsage, NoSubcommandOrMissingArgumentExitsTwo) {
    EXPECT_EQ(run_gridwatch("").status, 2);
    EXPECT_EQ(run_gridwatch("info").status, 2);
    EXPECT_EQ(run_gridwatch("info --no-such-flag x").status, 2);
    EXPECT_EQ(run_gridwatch("stats x --level 7").status, 2);
    EXPECT_EQ(run_gridwatch("frobnicate").status, 2);
    auto help = run_gridwatch("info --help");
    EXPECT_EQ(help.status, 0);
    EXPECT_NE(help.out.find("--json"), std::string::npos);
}

TEST(CliUsage, NotANumberInfinityAndOutOfRangeAreUsageErrorsNamingTheOption) {
    // CLI11's Range and PositiveNumber let nan and inf by: plan's solver aborted on a weight of nan
    // or 1e300, and edit turned a camera's azimuth into NULL.
    TempDir dir("cli_nan");
    const std::string data = bundled_copy(dir, {});
    const std::string before = gwtest::slurp(data);
    for (const auto& [args, option] : std::vector<std::pair<std::string, std::string>>{
             {"plan " + data + " --add 3 --weight-road nan", "--weight-road"},
             {"plan " + data + " --add 3 --weight-household 1e300", "--weight-household"},
             {"plan " + data + " --add 3 --weight-incident -1", "--weight-incident"},
             {"plan " + data + " --add 3 --fov inf", "--fov"},
             {"edit " + data + " --camera DPZ-CAM002 --azimuth nan", "--azimuth"},
             {"edit " + data + " --camera DPZ-CAM002 --range -inf", "--range"},
             {"hotspots " + data + " --method kde --cell nan --out " + (dir / "k.tif"), "--cell"},
             {"hotspots " + data + " --method kde --bandwidth 1e9 --out " + (dir / "k.tif"), "--bandwidth"},
             {"hotspots " + data + " --method dbscan --eps inf", "--eps"},
             {"view " + data + " --wall --tour nan", "--tour"}}) {
        const auto r = run_gridwatch(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
        EXPECT_NE(r.err.find(option), std::string::npos) << args << "\n" << r.err;
    }
    EXPECT_EQ(gwtest::slurp(data), before);
    EXPECT_FALSE(std::filesystem::exists(dir / "k.tif"));
    // The edges of the ranges still pass.
    EXPECT_EQ(run_gridwatch("edit " + data + " --camera DPZ-CAM002 --azimuth 360").status, 0);
    EXPECT_EQ(run_gridwatch("plan " + data + " --add 1 --weight-road 0 --fov 360").status, 0);
}

TEST(CliUsage, MistypedCrsFormatWindowAndOutputAreUsageErrors) {
    // Each exited 1, after reading the data or part of it, as a failure of the data would.
    TempDir dir("cli_usage_values");
    const std::string data = bundled_copy(dir, {});
    const std::string out = dir / "o";
    for (const auto& [args, option] : std::vector<std::pair<std::string, std::string>>{
             {"stats " + data + " --work-crs foo", "--work-crs"},
             {"stats " + data + " --work-crs EPSG:4490", "--work-crs"},  // degrees, not metres
             {"info " + data + " --assume-crs EPSG:99999999", "--assume-crs"},
             {"edit " + data + " --camera DPZ-CAM002 --azimuth 10 --assume-crs foo", "--assume-crs"},
             {"export " + data + " --format PostgreSQL --out " + out, "--format"},
             {"export " + data + " --format Memory --out " + out, "--format"},
             {"hotspots " + data + " --method gi --hex 200 --value members", "--value"},
             {"hotspots " + data + " --method gi --from 2024-05 --to 2024-03", "--to"},
             {"patrols " + data + " --from 2024-05 --to 2024-03", "--to"},
             {"coverage " + data + " --level 3 --out " + out + ".xyz", "--out"},
             {"hotspots " + data + " --method gi --out " + out + ".xyz", "--out"},
             {"plan " + data + " --add 1 --out " + out + ".txt", "--out"}}) {
        const auto r = run_gridwatch(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
        EXPECT_NE(r.err.find(option), std::string::npos) << args << "\n" << r.err;
    }
    for (const char* ext : {"", ".xyz", ".txt"}) EXPECT_FALSE(std::filesystem::exists(out + ext)) << ext;
    // A CRS that is one still passes.
    EXPECT_EQ(run_gridwatch("stats " + data + " --work-crs EPSG:4542").status, 0);
}

TEST(CliInfo, ReportsLayersCountsCrsAndValidity) {
    Community c;
    auto r = run_gridwatch("info " + c.args() + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["crs"], "EPSG:4326");
    EXPECT_EQ(j["work_crs"], "EPSG:4542");  // CGCS2000 GK CM 99E for data at 98.69E
    std::map<std::string, int> counts;
    for (auto& l : j["layers"]) {
        counts[l["name"]] = l["count"];
        EXPECT_TRUE(l.contains("geometry"));
        EXPECT_EQ(l["invalid"], 0);
    }
    EXPECT_EQ(counts["grids"], 3);
    EXPECT_EQ(counts["households"], 3);
    EXPECT_EQ(counts["cameras"], 3);
    EXPECT_TRUE(j["tiling_ok"]);
    ASSERT_EQ(j["bad_cameras"].size(), 1u);
    EXPECT_EQ(j["bad_cameras"][0]["cam_id"], "K3");

    auto text = run_gridwatch("info " + c.args());
    ASSERT_EQ(text.status, 0);
    EXPECT_NE(text.out.find("大坪子社区"), std::string::npos);
    EXPECT_NE(text.out.find("K3: fov"), std::string::npos);
}

TEST(CliInfo, HeaderNamesAFewCommunitiesAndCountsTheRest) {
    gwtest::TempDir d("info_five");
    ASSERT_EQ(run_gridwatch("demo --scale 5 --out " + d / "five.gpkg").status, 0);
    auto r = run_gridwatch("info " + d / "five.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string header = r.out.substr(0, r.out.find('\n'));
    EXPECT_NE(header.find("大坪子社区（C002）"), std::string::npos) << header;
    EXPECT_EQ(header.find("大坪子社区（C003）"), std::string::npos) << header;
    EXPECT_NE(header.find("等 5 个社区"), std::string::npos) << header;
}

TEST(CliInfo, ReportsTilingBreaksAndRepairsInvalidPolygons) {
    TempDir d("tiling");
    // E is too narrow: a gap between 98.695 and 98.70; W is a bow-tie (invalid) polygon.
    d.write("grids.geojson",
            fc(feat(R"("grid_id":"C","level":1,"parent_id":"")", square(98.68, 24.58, 98.70, 24.60)) + "," +
               feat(R"("grid_id":"W","level":2,"parent_id":"C")",
                    R"({"type":"Polygon","coordinates":[[[98.68,24.58],[98.69,24.60],[98.69,24.58],[98.68,24.60],[98.68,24.58]]]})") +
               "," + feat(R"("grid_id":"E","level":2,"parent_id":"C")", square(98.69, 24.58, 98.695, 24.60))));
    auto r = run_gridwatch("info " + d / "grids.geojson" + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    EXPECT_FALSE(j["tiling_ok"]);
    ASSERT_EQ(j["repaired"]["grids"].size(), 1u);
    EXPECT_EQ(j["repaired"]["grids"][0], "W");
    bool gap_reported = false;
    for (auto& i : j["tiling"])
        if (i["grid_id"] == "C" && i["problem"].get<std::string>().find("gap") != std::string::npos) gap_reported = true;
    EXPECT_TRUE(gap_reported) << r.out;
}

TEST(CliStats, CountsByLocationMatchHandTally) {
    Community c;
    auto r = run_gridwatch("stats " + c.args() + " --level 2 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["grids"].size(), 2u);
    auto& w = j["grids"][0];
    auto& e = j["grids"][1];
    EXPECT_EQ(w["grid_id"], "W");
    EXPECT_EQ(w["households"], 2);
    EXPECT_EQ(w["people"], 7);
    EXPECT_EQ(w["cameras"], 1);
    EXPECT_EQ(w["cameras_by_owner"]["household"], 1);
    EXPECT_EQ(w["incidents_by_type"]["dispute"], 1);
    EXPECT_EQ(w["incidents_by_color"]["yellow"], 1);
    EXPECT_EQ(e["households"], 1);
    EXPECT_EQ(e["people"], 5);
    EXPECT_EQ(e["cameras"], 2);
    EXPECT_EQ(e["cameras_offline"], 1);
    EXPECT_EQ(e["cameras_by_owner"]["road"], 2);
    EXPECT_EQ(e["incidents"], 2);
    EXPECT_EQ(j["total"]["people"], 12);
    // Each cell's area: 0.01° × 0.02° near 24.59°N, ~1012 m × 2215 m.
    EXPECT_NEAR(w["area_m2"].get<double>(), 1012.5 * 2215.0, 0.02 * 1012.5 * 2215.0);

    auto csv = run_gridwatch("stats " + c.args() + " --level 2 --csv");
    ASSERT_EQ(csv.status, 0);
    EXPECT_EQ(csv.out.rfind("grid_id,name,", 0), 0u);
    EXPECT_NE(csv.out.find("E,罗家大坡,"), std::string::npos);
    EXPECT_EQ(run_gridwatch("stats " + c.args() + " --level 3").status, 1);  // no L3 cells: runtime error
}

TEST(CliStats, ACsvCellThatASpreadsheetWouldRunAsAFormulaIsWrittenAsText) {
    TempDir d("csv_formula");
    const std::string data =
        bundled_copy(d, {"UPDATE grids SET name = '=HYPERLINK(\"x\")' WHERE grid_id = 'DPZ-G01'",
                         "UPDATE grids SET name = '-1+2' WHERE grid_id = 'DPZ-G02'"});
    auto r = run_gridwatch("stats " + data + " --level 3 --no-coverage --csv");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("\nDPZ-G01,\"'=HYPERLINK(\"\"x\"\")\","), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nDPZ-G02,'-1+2,"), std::string::npos) << r.out;
    EXPECT_EQ(r.out.find(",=HYPERLINK"), std::string::npos) << r.out;
}

TEST(CliChecks, AReportDatedInTheFutureIsSaidToMoveTheWindow) {
    TempDir d("checks_future");
    // A typo's year: "today" becomes 2062-10-31 and every cell overdue, without a word.
    const std::string data =
        bundled_copy(d, {"UPDATE checks SET time = '2062-10-31T08:00:00' WHERE fid = 5"});
    auto r = run_gridwatch("checks " + data + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("the latest report is dated 2062-10-31, after this computer's date"),
              std::string::npos)
        << r.err;
    // With --date the user chose the day: nothing to say.
    r = run_gridwatch("checks " + data + " --date 2062-10-31 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err.find("after this computer's date"), std::string::npos) << r.err;
}

TEST(CliPatrols, ATrackDatedInTheFutureIsSaidToMoveTheWindow) {
    TempDir d("patrols_future");
    const std::string data = bundled_copy(
        d,
        {"UPDATE patrols SET start = '2062-10-31T08:00:00', \"end\" = '2062-10-31T09:00:00' WHERE fid = 1"});
    auto r = run_gridwatch("patrols " + data + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("the latest track is dated 2062-10-31, after this computer's date"),
              std::string::npos)
        << r.err;
    r = run_gridwatch("patrols " + data + " --from 2062-10-01 --to 2062-10-31 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err.find("after this computer's date"), std::string::npos) << r.err;
}

TEST(CliErrors, AConnectionThatFailsIsOneLine) {
    // libpq's message runs over three lines; GDAL passes it on as it is.
    const auto r = run_gridwatch("stats 'PG:host=/nonexistent/socket/dir dbname=nothere'");
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("PG:host=/nonexistent/socket/dir"), std::string::npos) << r.err;
}

TEST(CliErrors, APasswordInTheSourceIsNeverPrinted) {
    // A `PG:` source is named in errors and warnings as it was given, but for its password.
    for (const std::string src :
         {"PG:host=/nonexistent/socket/dir dbname=nothere user=clerk password=hunter2",
          "PG:host=/nonexistent/socket/dir dbname=nothere password = 'hunter2 x'",
          "PG:postgresql://clerk:hunter2@/nothere?host=/nonexistent/socket/dir"}) {
        const auto r = run_gridwatch("stats \"" + src + "\"");
        EXPECT_EQ(r.status, 1) << r.err;
        EXPECT_EQ(r.err.find("hunter2"), std::string::npos) << r.err;
        const bool masked =
            r.err.find("***: ") != std::string::npos || r.err.find(":***@") != std::string::npos;
        EXPECT_TRUE(masked) << r.err;
        EXPECT_NE(r.err.find("nonexistent/socket/dir"), std::string::npos) << r.err;
    }
}

TEST(CliErrors, AShapefileWithoutItsDbfOrAGeoPackageWithoutLayersIsNamed) {
    // GDAL reads a .shp without its .dbf as a layer without fields: stats counted 414 households
    // and 0 people, exit 0.
    TempDir dir("cli_nodbf");
    ASSERT_EQ(run_gridwatch("export " + std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg --out " +
                            (dir / "shp"))
                  .status,
              0);
    ASSERT_TRUE(std::filesystem::remove(dir / "shp/households.dbf"));
    const auto r = run_gridwatch("stats " + (dir / "shp") + " --level 1 --no-coverage");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("layer 'households': has no .dbf"), std::string::npos) << r.err;
    // A GeoPackage made and never filled: GDAL opens it only for writing, and says nothing.
    GDALAllRegister();
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    ASSERT_NE(gpkg, nullptr);
    GDALClose(gpkg->Create((dir / "empty.gpkg").c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    const auto e = run_gridwatch("info " + (dir / "empty.gpkg"));
    EXPECT_EQ(e.status, 1);
    EXPECT_EQ(e.error_lines(), 1) << e.err;
    EXPECT_NE(e.err.find("empty.gpkg: is a GeoPackage without layers"), std::string::npos) << e.err;
}

TEST(CliErrors, MissingFileIsOneLineNamingIt) {
    auto r = run_gridwatch("info /no/such/place.gpkg");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("/no/such/place.gpkg"), std::string::npos);
}

TEST(CliErrors, GarbageAndTruncatedFilesAreOneLine) {
    TempDir d("bad");
    std::string junk;
    for (int i = 0; i < 5000; ++i) junk += static_cast<char>((i * 7919) % 251);
    d.write("junk.gpkg", junk);
    d.write("cut.geojson", R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"grid_id":"A","le)");
    d.write("cut.gpkg", "SQLite format 3" + std::string(1, '\0') + junk.substr(0, 2000));
    for (const char* f : {"junk.gpkg", "cut.geojson", "cut.gpkg"}) {
        auto r = run_gridwatch("info " + d / f);
        EXPECT_EQ(r.status, 1) << f << ": " << r.err;
        EXPECT_EQ(r.error_lines(), 1) << f << ": " << r.err;
        EXPECT_NE(r.err.find(f), std::string::npos) << r.err;
    }
}

TEST(CliErrors, LayerWithoutCrsNeedsAssumeCrs) {
    TempDir d("nocrs");
    // A CSV of households without coordinates' CRS: lon/lat columns but no CRS.
    d.write("households.csv", "hh_id,head,members,lon,lat\nH1,赵一,3,98.69,24.59\n");
    auto r = run_gridwatch("info " + d / "households.csv");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("has no CRS"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("households"), std::string::npos);
    EXPECT_NE(r.err.find("--assume-crs"), std::string::npos);
    auto ok = run_gridwatch("info " + d / "households.csv" + " --assume-crs EPSG:4490 --json");
    ASSERT_EQ(ok.status, 0) << ok.err;
    EXPECT_EQ(nlohmann::json::parse(ok.out)["households"], 1);
}

TEST(CliErrors, WrongFieldTypesAndMissingRequiredFields) {
    TempDir d("fields");
    d.write("grids.geojson", fc(feat(R"("grid_id":"A","level":"top","parent_id":"")", square(98.68, 24.58, 98.70, 24.60))));
    auto r = run_gridwatch("info " + d / "grids.geojson");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("feature A"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("'level'"), std::string::npos) << r.err;

    d.write("cameras.geojson", fc(feat(R"("cam_id":"K1","fov":90,"range":30)", point(98.69, 24.59))));
    auto c = run_gridwatch("info " + d / "cameras.geojson");
    EXPECT_EQ(c.status, 1);
    EXPECT_NE(c.err.find("'azimuth'"), std::string::npos) << c.err;
}

TEST(CliErrors, NonFiniteCameraValuesAreReportedNotFatal) {
    TempDir d("nan");
    // GDAL reads NaN / Infinity literals in GeoJSON; a string where a number belongs counts too.
    d.write("cameras.geojson",
            fc(feat(R"("cam_id":"K1","azimuth":NaN,"fov":90,"range":30)", point(98.69, 24.59)) + "," +
               feat(R"("cam_id":"K2","azimuth":10,"fov":90,"range":Infinity)", point(98.691, 24.59)) + "," +
               feat(R"("cam_id":"K3","azimuth":10,"fov":90,"range":30)", point(98.692, 24.59))));
    auto r = run_gridwatch("info " + d / "cameras.geojson" + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["bad_cameras"].size(), 2u) << r.out;
    EXPECT_EQ(j["bad_cameras"][0]["cam_id"], "K1");
    EXPECT_EQ(j["bad_cameras"][1]["cam_id"], "K2");
}

TEST(CliErrors, EveryAnalysisNamesTheCamerasItLeavesOutAndCountsThem) {
    // plan, patrols and stats left a camera with a bad value out without a word (their figures
    // changed), and coverage --json said nothing on stderr.
    TempDir d("badcam");
    const std::string data = bundled_copy(d, {"UPDATE cameras SET fov = 0 WHERE cam_id = 'DPZ-CAM001'",
                                              "UPDATE cameras SET range = -5 WHERE cam_id = 'DPZ-CAM003'"});
    for (const char* cmd : {"plan --add 1", "patrols", "stats", "coverage --level 3 --occlusion none"}) {
        const std::string name = std::string(cmd).substr(0, std::string(cmd).find(' '));
        const auto r = run_gridwatch(name + " " + data + std::string(cmd).substr(name.size()) + " --json");
        ASSERT_EQ(r.status, 0) << cmd << "\n" << r.err;
        EXPECT_NE(r.err.find("2 camera(s) with bad values left out"), std::string::npos) << cmd << "\n"
                                                                                         << r.err;
        EXPECT_NE(r.err.find("DPZ-CAM001: fov 0"), std::string::npos) << cmd << "\n" << r.err;
        EXPECT_NE(r.err.find("DPZ-CAM003: range -5"), std::string::npos) << cmd << "\n" << r.err;
        EXPECT_EQ(nlohmann::json::parse(r.out)["cameras_with_bad_values"], 2) << cmd;
    }
}

TEST(CliErrors, ACountWithAFractionOrBeyondItsFieldIsNamedAsWritten) {
    // members 2.7 (a fraction, in an integer field or a real one) was read as 2 without a word, and
    // 3000000000 in a 32-bit field was named as GDAL's wrapped -1294967296.
    TempDir d("counts");
    const std::string data =
        bundled_copy(d, {"UPDATE households SET members = 2.7 WHERE hh_id = 'DPZ-H0001'",
                         "UPDATE households SET members = 3000000000 WHERE hh_id = 'DPZ-H0002'"});
    const auto r = run_gridwatch("stats " + data + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("DPZ-H0001: members: '2.7' is not a count"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("DPZ-H0002: members: '3000000000' is not a count"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("-1294967296"), std::string::npos) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["unreadable_numbers"], 2);
}

TEST(CliErrors, ACameraRowPastedTwiceIsOneCameraAndASharedIdIsNamed) {
    // Both were counted as two cameras without a word.
    TempDir d("cams_twice");
    const std::string once = bundled_copy(d, {});
    const char* copy =
        "INSERT INTO cameras (geom, cam_id, owner, azimuth, fov, range, height, resolution_px, status) "
        "SELECT geom, cam_id, owner, %s, fov, range, height, resolution_px, status FROM cameras "
        "WHERE cam_id = '%s'";
    char pasted[400], moved[400];
    std::snprintf(pasted, sizeof pasted, copy, "azimuth", "DPZ-CAM002");
    std::snprintf(moved, sizeof moved, copy, "azimuth + 90", "DPZ-CAM005");
    TempDir d2("cams_twice2");
    // CAM005 moved twice over: its rows A, A' (turned 90°), then A' again and A'' (the second
    // statement copies both): A' again repeats the second row, not the first.
    const std::string twice = bundled_copy(d2, {pasted, moved, moved});
    const auto a = run_gridwatch("stats " + once + " --json"),
               b = run_gridwatch("stats " + twice + " --json");
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_NE(b.err.find("2 camera row(s) repeat an earlier row whole and are counted once: DPZ-CAM002"),
              std::string::npos)
        << b.err;
    EXPECT_NE(
        b.err.find("2 camera(s) share a cam_id with another at another place or with other values, each "
                   "counted: DPZ-CAM005"),
        std::string::npos)
        << b.err;
    const auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
    EXPECT_EQ(jb["total"]["cameras"].get<int>(), ja["total"]["cameras"].get<int>() + 2);  // A' and A''
    EXPECT_EQ(jb["repeated_cameras"], 2);
    EXPECT_EQ(ja["repeated_cameras"], 0);
    // The pasted row alone: coverage uses the camera once.
    TempDir d3("cams_twice3");
    const auto ca = run_gridwatch("coverage " + once + " --level 3 --json"),
               cb = run_gridwatch("coverage " + bundled_copy(d3, {pasted}) + " --level 3 --json");
    ASSERT_EQ(cb.status, 0) << cb.err;
    EXPECT_EQ(nlohmann::json::parse(ca.out)["cameras_used"], nlohmann::json::parse(cb.out)["cameras_used"]);
    // An edit of the camera would change one row of the two: refused, as for two cameras of one id.
    const auto e = run_gridwatch("edit " + twice + " --camera DPZ-CAM002 --azimuth 10");
    EXPECT_EQ(e.status, 1) << e.err;
    EXPECT_NE(e.err.find("2 camera rows carry this cam_id"), std::string::npos) << e.err;
}

TEST(CliErrors, PlanSaysWhenAFutureIncidentMovesItsMonthsAndTakesADate) {
    // One incident dated 2062 by a typo ended plan's 12 months there: the real ones fell out of the
    // demand (70 to 2), exit 0 without a word.
    TempDir d("plan_future");
    const std::string data = bundled_copy(d, {"UPDATE incidents SET time = '2062-10-28T10:00:00' WHERE fid = "
                                              "(SELECT fid FROM incidents ORDER BY time "
                                              "DESC LIMIT 1)"});
    const std::string only_incidents =
        " --add 1 --weight-road 0 --weight-household 0 --weight-enterprise 0 --json";
    const auto r = run_gridwatch("plan " + data + only_incidents);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("the latest incident is dated 2062-10-28, after this computer's date"),
              std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("--date"), std::string::npos) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["incident_window"]["to"], "2062-10-28");
    const auto dated = run_gridwatch("plan " + data + only_incidents + " --date 2026-10-28");
    ASSERT_EQ(dated.status, 0) << dated.err;
    EXPECT_EQ(dated.err.find("after this computer's date"), std::string::npos) << dated.err;
    const auto jd = nlohmann::json::parse(dated.out);
    EXPECT_EQ(jd["incident_window"]["to"], "2026-10-28");
    EXPECT_EQ(jd["incident_window"]["from"], "2025-10-29");
    EXPECT_GT(jd["total_demand"].get<double>(), 10 * j["total_demand"].get<double>());
    EXPECT_EQ(run_gridwatch("plan " + data + " --add 1 --date 2026-13-01").status, 2);
}

TEST(CliErrors, PlanUnderAQualityCountsOnlyWhatTheCamerasThereSeeAtIt) {
    // SPEC §5.1: the existing cameras' whole views counted as covering under --quality identify,
    // so demand seen only too far away to identify anyone was never planned for.
    TempDir d("plan_quality");
    const std::string data =
        bundled_copy(d, {"UPDATE cameras SET resolution_px = NULL WHERE cam_id = 'DPZ-CAM001'"});
    const std::string args =
        "plan " + data + " --add 1 --weight-road 0 --weight-incident 0 --weight-enterprise 0 --json";
    const auto any = run_gridwatch(args), identify = run_gridwatch(args + " --quality identify");
    ASSERT_EQ(any.status, 0) << any.err;
    ASSERT_EQ(identify.status, 0) << identify.err;
    const auto ja = nlohmann::json::parse(any.out), ji = nlohmann::json::parse(identify.out);
    EXPECT_LT(ji["covered_before"].get<double>(), 0.75 * ja["covered_before"].get<double>());
    EXPECT_EQ(ja["cameras_without_resolution"], 0);
    EXPECT_EQ(ji["cameras_without_resolution"], 1);
    EXPECT_NE(identify.err.find(
                  "1 camera(s) without a resolution_px left out under --quality identify: DPZ-CAM001"),
              std::string::npos)
        << identify.err;
    // The same cameras counted as coverage counts them: its households seen at identify.
    const auto cov = run_gridwatch("coverage " + data + " --level 3 --quality identify --json");
    ASSERT_EQ(cov.status, 0) << cov.err;
    EXPECT_EQ(ji["covered_before"].get<double>(),
              5 * nlohmann::json::parse(cov.out)["total"]["households_covered"].get<double>());
}

TEST(CliErrors, KdeWithoutASpreadNamesTheFileOfItsIncidents) {
    TempDir d("kde_one");
    const std::string data =
        bundled_copy(d, {"DELETE FROM incidents WHERE fid > (SELECT min(fid) FROM incidents)"});
    const auto r = run_gridwatch("hotspots " + data + " --method kde");
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find(data + ": layer 'incidents'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--bandwidth"), std::string::npos) << r.err;
}

TEST(CliErrors, ExportWritesACountThatIsNotOneAsNullNotZero) {
    // members -5 and 12345678901 were named on reading and then written as 0 households' members.
    TempDir d("count_null");
    const std::string data =
        bundled_copy(d, {"UPDATE households SET members = -5 WHERE hh_id = 'DPZ-H0001'",
                         "UPDATE households SET members = 12345678901 WHERE hh_id = 'DPZ-H0002'",
                         "UPDATE households SET members = NULL WHERE hh_id = 'DPZ-H0003'"});
    const std::string out = d / "o.gpkg";
    const auto r = run_gridwatch("export " + data + " --layers households --out " + out);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("DPZ-H0001: members: '-5' is not a count"), std::string::npos) << r.err;
    GDALDatasetUniquePtr back(GDALDataset::Open(out.c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(back);
    OGRLayer* l = back->GetLayerByName("households");
    ASSERT_TRUE(l);
    std::map<std::string, std::optional<int>> members;
    for (auto& f : *l)
        members[f->GetFieldAsString("hh_id")] = f->IsFieldSetAndNotNull(f->GetFieldIndex("members"))
                                                    ? std::optional<int>(f->GetFieldAsInteger("members"))
                                                    : std::nullopt;
    EXPECT_FALSE(members.at("DPZ-H0001").has_value());
    EXPECT_FALSE(members.at("DPZ-H0002").has_value());
    EXPECT_FALSE(members.at("DPZ-H0003").has_value());
    // The others as they were.
    GDALDatasetUniquePtr src(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR));
    OGRLayer* sl = src->GetLayerByName("households");
    int same = 0;
    for (auto& f : *sl) {
        if (!f->IsFieldSetAndNotNull(f->GetFieldIndex("members")) || f->GetFieldAsInteger("members") < 0 ||
            f->GetFieldAsInteger64("members") >= 1000)
            continue;
        EXPECT_EQ(members.at(f->GetFieldAsString("hh_id")), f->GetFieldAsInteger("members"));
        ++same;
    }
    EXPECT_GT(same, 100);
}

TEST(CliErrors, ChecksAndStatsCountAReportImportedTwiceOnceAndNameIt) {
    TempDir d("twice");
    const std::string once = bundled_copy(d, {});
    TempDir d2("twice2");
    const std::string twice = bundled_copy(d2, {"INSERT INTO checks (geom, check_id, grid_id, reporter, "
                                                "time, kind, people, note) SELECT geom, check_id, "
                                                "grid_id, reporter, time, kind, people, note FROM checks "
                                                "WHERE fid = (SELECT max(fid) FROM checks)"});
    const auto a = run_gridwatch("checks " + once + " --json"),
               b = run_gridwatch("checks " + twice + " --json");
    ASSERT_EQ(a.status, 0) << a.err;
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_NE(b.err.find("1 report(s) repeat an earlier report whole"), std::string::npos) << b.err;
    auto ja = nlohmann::json::parse(a.out), jb = nlohmann::json::parse(b.out);
    EXPECT_EQ(ja["left_out"]["repeated_check_id"], 0);
    EXPECT_EQ(jb["left_out"]["repeated_check_id"], 1);
    jb["left_out"]["repeated_check_id"] = 0;
    EXPECT_EQ(ja, jb);  // every figure as with the report once
    const auto sa = run_gridwatch("stats " + once + " --with-checks --json"),
               sb = run_gridwatch("stats " + twice + " --with-checks --json");
    ASSERT_EQ(sb.status, 0) << sb.err;
    EXPECT_NE(sb.err.find("repeat an earlier report whole"), std::string::npos) << sb.err;
    EXPECT_EQ(nlohmann::json::parse(sa.out)["grids"], nlohmann::json::parse(sb.out)["grids"]);
}

TEST(CliErrors, UnderAQualityCamerasWithoutAResolutionAreLeftOutAndNamed) {
    // coverage --quality counted a camera with no resolution_px (or one of -5, read as none) with
    // its whole range: an observe zone it may not reach, without a word.
    TempDir d("nores");
    const std::string data =
        bundled_copy(d, {"UPDATE cameras SET resolution_px = NULL WHERE cam_id = 'DPZ-CAM001'",
                         "UPDATE cameras SET resolution_px = -5 WHERE cam_id = 'DPZ-CAM003'"});
    const std::string cmd = "coverage " + data + " --level 3 --occlusion none --json";
    const auto any = run_gridwatch(cmd);
    ASSERT_EQ(any.status, 0) << any.err;
    const auto observe = run_gridwatch(cmd + " --quality observe");
    ASSERT_EQ(observe.status, 0) << observe.err;
    EXPECT_NE(observe.err.find("2 camera(s) without a resolution_px left out under --quality observe: "
                               "DPZ-CAM001: resolution_px missing or under 1; "
                               "DPZ-CAM003: resolution_px missing or under 1"),
              std::string::npos)
        << observe.err;
    const auto ja = nlohmann::json::parse(any.out), jo = nlohmann::json::parse(observe.out);
    EXPECT_EQ(ja["skipped_cameras"].size(), 0u);
    EXPECT_EQ(ja["cameras_without_resolution"], 0);
    EXPECT_EQ(jo["skipped_cameras"], nlohmann::json({"DPZ-CAM001", "DPZ-CAM003"}));
    EXPECT_EQ(jo["cameras_without_resolution"], 2);
    EXPECT_EQ(jo["cameras_used"].get<int>(), ja["cameras_used"].get<int>() - 2);

    // None rated: nothing to count under the quality; one line saying what to give.
    TempDir d2("nores_all");
    const std::string none = bundled_copy(d2, {"UPDATE cameras SET resolution_px = NULL"});
    const auto r = run_gridwatch("coverage " + none + " --level 3 --quality detect");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("no camera has a resolution_px"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("--quality detect"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("水平像素"), std::string::npos) << r.err;
}

TEST(CliErrors, CodesOutsideTheContractAreNamedWithWhatTheyCountAs) {
    // A status of 坏了 counted as offline, and a type of 治安 in no type's column (the columns then
    // summed to less than the total), without a word.
    TempDir d("codes");
    const std::string data =
        bundled_copy(d, {"UPDATE cameras SET status = '坏了' WHERE cam_id = 'DPZ-CAM015'",
                         "UPDATE cameras SET owner = 'army' WHERE cam_id = 'DPZ-CAM016'",
                         "UPDATE incidents SET type = '治安' WHERE inc_id = 'DPZ-I0001'",
                         "UPDATE incidents SET color = 'purple' WHERE inc_id = 'DPZ-I0002'"});
    const auto r = run_gridwatch("stats " + data + " --no-coverage --json");
    ASSERT_EQ(r.status, 0) << r.err;
    for (const char* said :
         {"DPZ-CAM015: status '坏了' is none of online, offline: counted as offline",
          "DPZ-CAM016: owner 'army'", "DPZ-I0001: type '治安'", "DPZ-I0002: color 'purple'"})
        EXPECT_NE(r.err.find(said), std::string::npos) << said << "\n" << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["unknown_codes"], 4);
    // The bundled data as it is holds none.
    const auto clean = run_gridwatch("stats " + std::string(GRIDWATCH_SOURCE_DIR) +
                                     "/data/dapingzi.gpkg --no-coverage --json");
    EXPECT_EQ(clean.err.find("contract's codes"), std::string::npos) << clean.err;
    EXPECT_EQ(nlohmann::json::parse(clean.out)["unknown_codes"], 0);
}

TEST(CliErrors, TwoCellsWithOneIdStopTheChecksNotTheWall) {
    TempDir d("dupid");
    const std::string data =
        bundled_copy(d, {"UPDATE grids SET grid_id = 'DPZ-G01-01' WHERE grid_id = 'DPZ-G01-02'"});
    const auto checks = run_gridwatch("checks " + data);
    EXPECT_EQ(checks.status, 1) << checks.err;
    EXPECT_EQ(checks.error_lines(), 1) << checks.err;
    EXPECT_NE(checks.err.find("two level-4 cells have the grid_id 'DPZ-G01-01'"), std::string::npos)
        << checks.err;
    // The wall shows the rest, and says why it shows no checks.
    const auto wall =
        run_gridwatch("render " + data + " --wall --scene overview --size 640x360 --out " + (d / "w.png"));
    EXPECT_EQ(wall.status, 0) << wall.err;
    EXPECT_NE(wall.err.find("the wall shows no checks"), std::string::npos) << wall.err;
    EXPECT_TRUE(std::filesystem::exists(d / "w.png"));
}

TEST(CliReading, Gcj02CsvIsMovedBackToWgs84) {
    TempDir d("gcj");
    // The same place given in WGS84 and in GCJ-02 (the phone app's coordinates).
    d.write("households.csv", "hh_id,lon,lat\nH1,98.69,24.59\n");
    std::filesystem::create_directories(d.path / "phone");
    // GCJ-02 of (98.69, 24.59) by the published closed form, worked out separately in Python.
    d.write("phone/households.csv", "hh_id,lon,lat\nH1,98.690345568,24.586927194\n");
    auto plain = run_gridwatch("info " + d / "households.csv" + " --assume-crs EPSG:4326 --work-crs EPSG:4542 --json");
    auto phone = run_gridwatch("info " + d / "phone/households.csv" + " --from-gcj02 --work-crs EPSG:4542 --json");
    ASSERT_EQ(plain.status, 0) << plain.err;
    ASSERT_EQ(phone.status, 0) << phone.err;
    auto e1 = nlohmann::json::parse(plain.out)["extent"], e2 = nlohmann::json::parse(phone.out)["extent"];
    // The GCJ-02 value above is rounded to 1e-9° (0.1 mm); the iterated inverse is far finer.
    EXPECT_NEAR(e1[0].get<double>(), e2[0].get<double>(), 0.001);
    EXPECT_NEAR(e1[1].get<double>(), e2[1].get<double>(), 0.001);
    // And the offset undone is hundreds of metres: reading it without --from-gcj02 lands elsewhere.
    auto raw = run_gridwatch("info " + d / "phone/households.csv" + " --assume-crs EPSG:4326 --work-crs EPSG:4542 --json");
    auto e3 = nlohmann::json::parse(raw.out)["extent"];
    EXPECT_GT(std::hypot(e3[0].get<double>() - e1[0].get<double>(), e3[1].get<double>() - e1[1].get<double>()), 100.0);
}
