// Every vector format of SPEC §3 reads back into the same model: the bundled community exported
// to each, then `info --json` on the result gives the same counts and an intact tiling.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;
using nlohmann::json;

namespace {
std::string bundled() { return std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg"; }

}  // namespace

TEST(Formats, EveryFormatReadsBackTheSameCommunity) {
    auto ref = run_gridwatch("info " + bundled() + " --json");
    ASSERT_EQ(ref.status, 0) << ref.err;
    const json want = json::parse(ref.out);
    TempDir d("formats");
    struct Case {
        std::string export_args, info_args;
    };
    const std::vector<Case> cases = {
        {"--out " + d / "shp", d / "shp"},                      // folder of shapefiles
        {"--out " + d / "x.gpkg --format GPKG", d / "x.gpkg"},  // GeoPackage
        {"--out " + d / "x.kml --format KML", d / "x.kml"},     // KML
        {"--out " + d / "fgb --format FlatGeobuf", d / "fgb"},  // folder of FlatGeobuf
        {"--out " + d / "gj --format GeoJSON", d / "gj"},       // folder of GeoJSON files
        {"--out " + d / "gjl --format GeoJSONSeq", d / "gjl"},  // folder of GeoJSON sequences
        {"--out " + d / "gj2 --format GeoJSON",                 // GeoJSON files named
         d / "gj2/grids.geojson " + d / "gj2/households.geojson " + d / "gj2/cameras.geojson " +
             d / "gj2/incidents.geojson " + d / "gj2/enterprises.geojson " + d / "gj2/roads.geojson " +
             d / "gj2/buildings.geojson " + d / "gj2/facilities.geojson " + d / "gj2/candidates.geojson"},
        {"--out " + d / "gbk --encoding GBK", d / "gbk"},  // GBK shapefiles
    };
    auto ref_cov = run_gridwatch("coverage " + bundled() + " --level 3 --occlusion none --no-gaps --json");
    ASSERT_EQ(ref_cov.status, 0) << ref_cov.err;
    const json want_cov = json::parse(ref_cov.out);
    for (const auto& c : cases) {
        auto e = run_gridwatch("export " + bundled() + " " + c.export_args);
        ASSERT_EQ(e.status, 0) << c.export_args << ": " << e.err;
        auto r = run_gridwatch("info " + c.info_args + " --json");
        ASSERT_EQ(r.status, 0) << c.info_args << ": " << r.err;
        const json got = json::parse(r.out);
        EXPECT_EQ(got["grid_levels"], want["grid_levels"]) << c.info_args;
        EXPECT_EQ(got["households"], want["households"]) << c.info_args;
        EXPECT_EQ(got["people"], want["people"]) << c.info_args;
        EXPECT_EQ(got["cameras"]["by_owner"], want["cameras"]["by_owner"]) << c.info_args;
        EXPECT_EQ(got["incidents"], want["incidents"]) << c.info_args;
        EXPECT_TRUE(got["tiling_ok"]) << c.info_args << " " << got["tiling"].dump();
        EXPECT_EQ(got["work_crs"], "EPSG:4542") << c.info_args;
        auto stats = run_gridwatch("stats " + c.info_args + " --level 3 --no-coverage --csv");
        ASSERT_EQ(stats.status, 0) << stats.err;
        EXPECT_NE(stats.out.find("罗家大坡"), std::string::npos) << c.info_args;  // Chinese text survived
        // Coverage reads one level's cells through a filter the source runs (or all of them
        // where it cannot, KML's text fields): the same cells either way.
        auto cov = run_gridwatch("coverage " + c.info_args + " --level 3 --occlusion none --no-gaps --json");
        ASSERT_EQ(cov.status, 0) << c.info_args << ": " << cov.err;
        const json got_cov = json::parse(cov.out);
        EXPECT_EQ(got_cov["grids"].size(), want_cov["grids"].size()) << c.info_args;
        EXPECT_NEAR(got_cov["total"]["covered_m2"].get<double>(), want_cov["total"]["covered_m2"].get<double>(), 1.0)
            << c.info_args;
    }
}

// A CSV whose points are a WKT column (ogr2ogr -lco GEOMETRY=AS_WKT, a phone app's export) says
// "Unknown (any)" geometry: it was recognised as no role, though its fields are the cameras', and
// `edit` said the dataset had no cameras layer. Its fields tell its role, as any layer's do.
TEST(Formats, ACsvWithAWktColumnIsRecognisedByItsFields) {
    TempDir d("formats_wkt");
    const std::string csv = d / "点位表.csv";
    gwtest::translate(bundled(), csv, {"-f", "CSV", "-lco", "GEOMETRY=AS_WKT", "cameras"});
    auto r = run_gridwatch("info " + csv + " --assume-crs EPSG:4490 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["layers"].size(), 1u) << r.out;
    EXPECT_EQ(j["layers"][0]["name"], "cameras") << r.out;
    EXPECT_EQ(j["layers"][0]["geometry"], "Unknown (any)") << r.out;
    auto want = run_gridwatch("info " + bundled() + " --json");
    EXPECT_EQ(j["cameras"], json::parse(want.out)["cameras"]);
    r = run_gridwatch("edit " + csv + " --assume-crs EPSG:4490 --camera DPZ-CAM002 --azimuth 1 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["changed"], true);
}

// `export --format GeoJSON` writes a folder of one file a layer, which GDAL 3.6 does not open as one
// dataset (it does a folder of shapefiles, CSVs or FlatGeobufs): gridwatch refused its own export.
// Such a folder is read as its GeoJSON files, by extension: other files (a note, a backup copy of a
// layer, which GDAL would read as more incidents), hidden files (an output's temporary files) and
// project files are passed over; a damaged layer file stops the reading naming it; a folder of
// none is named as such. A folder GDAL reads as shapefiles has its GeoJSON files read too, and
// its other files (a contact list, an analysis output) stay unread as they were.
TEST(Formats, AFolderOfGeoJsonFilesIsReadAsItsFiles) {
    TempDir d("formats_folder");
    auto e =
        run_gridwatch("export " + bundled() + " --out " + d / "gj --format GeoJSON --layers cameras,grids");
    ASSERT_EQ(e.status, 0) << e.err;
    d.write("gj/说明.txt", "从 gridwatch 导出\n");
    std::filesystem::copy_file(d / "gj/cameras.geojson", d / "gj/.gw-tmp-1-1-cameras.geojson");
    auto r = run_gridwatch("info " + d / "gj --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["layers"].size(), 2u) << r.out;
    EXPECT_EQ(j["layers"][0]["name"], "cameras");
    EXPECT_EQ(j["layers"][0]["source"], d / "gj/cameras.geojson");
    EXPECT_EQ(j["layers"][1]["name"], "grids");
    auto want = run_gridwatch("info " + bundled() + " --json");
    EXPECT_EQ(j["cameras"], json::parse(want.out)["cameras"]);
    // Backup copies are not more cameras.
    std::filesystem::copy_file(d / "gj/cameras.geojson", d / "gj/cameras.geojson.bak");
    std::filesystem::copy_file(d / "gj/cameras.geojson", d / "gj/cameras.geojson~");
    r = run_gridwatch("info " + d / "gj --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["cameras"], json::parse(want.out)["cameras"]);
    EXPECT_EQ(json::parse(r.out)["layers"].size(), 2u) << r.out;
    // A folder of shapefiles with GeoJSON files beside them: all read (GDAL reads the shapefiles only).
    ASSERT_EQ(run_gridwatch("export " + bundled() + " --out " + d / "mixed --layers grids").status, 0);
    std::filesystem::copy_file(d / "gj/cameras.geojson", d / "mixed/cameras.geojson");
    d.write("mixed/联系人.csv", "name,phone\n张三,13800000000\n");
    ASSERT_EQ(run_gridwatch("coverage " + bundled() + " --no-gaps --out " + d / "mixed/cov.gpkg").status, 0);
    r = run_gridwatch("info " + d / "mixed --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["cameras"], json::parse(want.out)["cameras"]) << r.out;
    for (const auto& l : json::parse(r.out)["layers"])  // the shapefiles (grids, by level) and the GeoJSON
        EXPECT_TRUE(l["source"] == d / "mixed" || l["source"] == d / "mixed/cameras.geojson") << l.dump();
    // A layer file cut to nothing: named, exit 1, not passed over.
    std::filesystem::resize_file(d / "gj/grids.geojson", 0);
    r = run_gridwatch("info " + d / "gj");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(d / "gj/grids.geojson: cannot be opened"), std::string::npos) << r.err;

    std::filesystem::create_directories(d.path / "none");
    d.write("none/说明.txt", "nothing here\n");
    r = run_gridwatch("info " + d / "none");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find(d / "none" + ": holds no file GDAL reads as layers"), std::string::npos) << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
}

// A shapefile without .cpg whose text is GBK is read as GBK and noted: the note named the role
// alone, and of several files given for it the user could not tell which lacks its .cpg.
TEST(Formats, TheGbkNoteNamesTheShapefileWithoutCpg) {
    TempDir d("formats_gbk_note");
    ASSERT_EQ(
        run_gridwatch("export " + bundled() + " --out " + d / "gbk --encoding GBK --layers households,grids")
            .status,
        0);
    std::filesystem::remove(d / "gbk/households.cpg");
    auto r = run_gridwatch("info " + d / "gbk --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json notes = json::parse(r.out)["notes"];
    ASSERT_EQ(notes.size(), 1u) << notes.dump();
    EXPECT_EQ(notes[0]["layer"], "households");
    EXPECT_EQ(notes[0]["file"], d / "gbk/households.shp");
    r = run_gridwatch("info " + d / "gbk");
    EXPECT_NE(r.out.find("households (" + d / "gbk/households.shp): no .cpg and text not UTF-8: read as GBK"),
              std::string::npos)
        << r.out;
}
