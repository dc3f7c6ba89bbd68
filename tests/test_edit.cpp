// gridwatch edit on a GeoPackage (SPEC §4, §9): one camera changed in place, every other feature
// untouched; bad values are usage errors; a `version` field, when the layer has one, is checked
// and raised.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "geo/core/gdal_setup.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"

using gwtest::run_gridwatch;

namespace {

/** A copy of the bundled GeoPackage in `dir`, with `changes` (SQL) made to it. */
std::string copy_bundled(const gwtest::TempDir& dir, std::initializer_list<const char*> changes = {}) {
    const std::string path = dir / "community.gpkg";
    std::filesystem::copy_file(gw::bundled_dataset_path(), path);
    if (changes.size() == 0) return path;
    gw::gdal_setup();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    EXPECT_TRUE(ds) << path;
    for (const char* sql : changes)
        if (OGRLayer* rs = ds ? ds->ExecuteSQL(sql, nullptr, nullptr) : nullptr) ds->ReleaseResultSet(rs);
    return path;
}

/** Every camera feature as text: fields and geometry exactly as stored. */
std::map<std::string, std::string> camera_rows(const std::string& path) {
    gw::gdal_setup();
    std::map<std::string, std::string> rows;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!ds) return rows;
    OGRLayer* l = ds->GetLayerByName("cameras");
    for (auto& f : *l) {
        std::string s;
        for (int i = 0; i < f->GetFieldCount(); ++i) s += std::string(f->GetFieldAsString(i)) + "|";
        char* wkt = nullptr;
        if (f->GetGeometryRef()) f->GetGeometryRef()->exportToWkt(&wkt, wkbVariantIso);
        s += wkt ? wkt : "";
        CPLFree(wkt);
        rows[f->GetFieldAsString("cam_id")] = s;
    }
    return rows;
}

bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

}  // namespace

TEST(EditGpkg, ChangesOneCameraAndNothingElse) {
    gwtest::TempDir dir("edit_gpkg");
    const std::string gpkg = copy_bundled(dir);
    const auto before = camera_rows(gpkg);
    ASSERT_TRUE(before.count("DPZ-CAM002"));
    auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --azimuth 12.5 --fov 120 --range 80 --status offline "
                           "--move 98.69,24.59 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["cam_id"], "DPZ-CAM002");
    EXPECT_EQ(j["version"], 1);  // the bundled layer keeps no version field
    const gw::Dataset ds = gw::open_dataset({gpkg});
    const gw::Camera* cam = nullptr;
    for (const auto& c : ds.cameras)
        if (c.cam_id == "DPZ-CAM002") cam = &c;
    ASSERT_TRUE(cam);
    EXPECT_EQ(cam->azimuth, 12.5);
    EXPECT_EQ(cam->fov, 120);
    EXPECT_EQ(cam->range, 80);
    EXPECT_EQ(cam->status, "offline");
    const auto after = camera_rows(gpkg);
    EXPECT_TRUE(has(after.at("DPZ-CAM002"), "POINT (98.69 24.59)")) << after.at("DPZ-CAM002");
    ASSERT_EQ(after.size(), before.size());
    for (const auto& [id, row] : before) {
        if (id != "DPZ-CAM002") {
            EXPECT_EQ(after.at(id), row) << id;
        }
    }
    // The human line; no change prints the current version.
    r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(has(r.out, "DPZ-CAM002") && has(r.out, "unchanged") && has(r.out, "version 1")) << r.out;
}

TEST(EditGpkg, AStatusIsWrittenInTheLayersOwnWords) {
    // A column of 在线/离线, or of ON/OFF mapped by the project file, got `offline` written into it.
    gwtest::TempDir dir("edit_words");
    gw::gdal_setup();
    auto make = [&](const std::string& name, const std::string& sql) {
        const std::string path = dir / name;
        std::filesystem::copy_file(gw::bundled_dataset_path(), path);
        GDALDatasetUniquePtr out(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        out->ReleaseResultSet(out->ExecuteSQL(sql.c_str(), nullptr, nullptr));
        return path;
    };
    auto statuses = [](const std::string& path) {
        std::map<std::string, int> n;
        GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        for (auto& f : *ds->GetLayerByName("cameras")) ++n[f->GetFieldAsString("status")];
        return n;
    };
    const std::string zh =
        make("zh.gpkg", "UPDATE cameras SET status = CASE status WHEN 'online' THEN '在线' ELSE '离线' END");
    const auto zh_before = statuses(zh);
    ASSERT_EQ(zh_before.size(), 2u);
    ASSERT_EQ(run_gridwatch("edit " + zh + " --camera DPZ-CAM003 --status offline").status, 0);
    ASSERT_EQ(run_gridwatch("edit " + zh + " --camera DPZ-CAM002 --status online").status,
              0);  // was 在线: stays
    // The layer's own word typed (it was a usage error), and the contract's in capitals.
    ASSERT_EQ(run_gridwatch("edit " + zh + " --camera DPZ-CAM004 --status 离线").status, 0);
    ASSERT_EQ(run_gridwatch("edit " + zh + " --camera DPZ-CAM005 --status OFFLINE").status, 0);
    auto zh_after = statuses(zh);
    EXPECT_EQ(zh_after.size(), 2u) << "a third spelling was written";
    EXPECT_EQ(zh_after["离线"], zh_before.at("离线") + 3);

    const std::string m =
        make("m.gpkg", "UPDATE cameras SET status = CASE status WHEN 'online' THEN 'ON' ELSE 'OFF' END");
    dir.write("m.gpkg.gridwatch.json",
              R"({"mapping": {"cameras": {"values": {"status": {"ON": "online", "OFF": "offline"}}}}})");
    const auto m_before = statuses(m);
    ASSERT_EQ(run_gridwatch("edit " + m + " --camera DPZ-CAM003 --status offline").status, 0);
    ASSERT_EQ(run_gridwatch("edit " + m + " --camera DPZ-CAM004 --status OFF").status,
              0);  // the office's word
    auto m_after = statuses(m);
    EXPECT_EQ(m_after.size(), 2u) << "a third spelling was written";
    EXPECT_EQ(m_after["OFF"], m_before.at("OFF") + 2);
    // A GBK shapefile without .cpg, as offices have them: its bytes read as GBK, the word written in GBK.
    gwtest::translate_bundled(
        dir / "gbk", "ESRI Shapefile", "cameras",
        "SELECT cam_id, owner, azimuth, fov, range, height, CASE status WHEN 'online' THEN '在线' "
        "ELSE '离线' END AS status, geom FROM cameras",
        {"-lco", "ENCODING=CP936"});
    std::filesystem::remove(dir / "gbk/cameras.cpg");
    auto gbk_statuses = [&] {
        std::map<std::string, int> n;
        const char* open_options[] = {"ENCODING=CP936", nullptr};
        GDALDatasetUniquePtr ds(GDALDataset::Open((dir / "gbk/cameras.shp").c_str(),
                                                  GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, open_options,
                                                  nullptr));
        for (auto& f : *ds->GetLayer(0)) ++n[f->GetFieldAsString("status")];
        return n;
    };
    const auto gbk_before = gbk_statuses();
    ASSERT_EQ(gbk_before.size(), 2u);
    ASSERT_TRUE(gbk_before.count("离线"));
    ASSERT_EQ(run_gridwatch("edit " + (dir / "gbk") + " --camera DPZ-CAM003 --status offline").status, 0);
    ASSERT_EQ(run_gridwatch("edit " + (dir / "gbk") + " --camera DPZ-CAM004 --status offline").status, 0);
    auto gbk_after = gbk_statuses();
    EXPECT_EQ(gbk_after.size(), 2u) << "a third spelling was written";
    EXPECT_GE(gbk_after["离线"], gbk_before.at("离线") + 1);
    // Every copy still reads as the contract's codes.
    for (const std::string& path : {zh, m, dir / "gbk"}) {
        const gw::Dataset ds = gw::open_dataset({path});
        for (const auto& c : ds.cameras)
            if (c.cam_id == "DPZ-CAM003") {
                EXPECT_EQ(c.status, "offline") << path;
            }
    }
}

TEST(EditGpkg, BadValuesAreUsageErrorsAndUnknownCamerasRuntimeErrors) {
    gwtest::TempDir dir("edit_gpkg_bad");
    const std::string gpkg = copy_bundled(dir);
    const auto before = camera_rows(gpkg);
    for (const std::string bad : {"--azimuth 400", "--azimuth -1", "--fov 0", "--fov 361", "--range -5", "--range 0",
                                  "--status broken", "--move 98.69", "--move a,b", "--expect-version 0"}) {
        const auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM001 " + bad);
        EXPECT_EQ(r.status, 2) << bad << ": " << r.err;
    }
    const auto r = run_gridwatch("edit " + gpkg + " --camera NO-SUCH --azimuth 10");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "NO-SUCH")) << r.err;
    // A layer without a version field reads as version 1: any other expected version is refused,
    // and not as a change by someone else (nobody changed anything).
    const auto c = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM001 --azimuth 10 --expect-version 2");
    EXPECT_EQ(c.status, 1);
    EXPECT_EQ(c.error_lines(), 1) << c.err;
    EXPECT_TRUE(has(c.err, "--expect-version 2") && has(c.err, "no version field") && has(c.err, "version 1")) << c.err;
    EXPECT_FALSE(has(c.err, "someone else")) << c.err;
    EXPECT_EQ(camera_rows(gpkg), before);
}

// Metres typed into a layer in degrees were written, and every later command (the edit that could
// undo it too) stopped on "coordinate … lies far outside what the layer's CRS can hold".
TEST(EditGpkg, AMoveTheLayersCrsCannotHoldIsRefused) {
    gwtest::TempDir dir("edit_move");
    const std::string gpkg = copy_bundled(dir);
    const auto before = camera_rows(gpkg);
    for (const char* bad : {"467385,2720692", "98.7,95", "500,24"}) {
        const auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --move " + bad);
        EXPECT_EQ(r.status, 1) << bad << ": " << r.out;
        EXPECT_NE(r.err.find("field '--move': the position"), std::string::npos) << r.err;
        EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    }
    EXPECT_EQ(camera_rows(gpkg), before);
    EXPECT_EQ(run_gridwatch("info " + gpkg).status, 0);
    EXPECT_EQ(run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --move 98.61,24.51").status, 0);
}

// An edit giving the values the camera already has said {"changed": true} and rewrote it: a
// script's log showed changes nobody made. Nothing is written and the version stays.
TEST(EditGpkg, ValuesTheCameraHasChangeNothing) {
    gwtest::TempDir dir("edit_same");
    const std::string gpkg = copy_bundled(dir, {"ALTER TABLE cameras ADD COLUMN version INTEGER"});
    auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --azimuth 77 --status offline --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["changed"], true);
    EXPECT_EQ(nlohmann::json::parse(r.out)["version"], 2);
    const auto before = camera_rows(gpkg);
    r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --azimuth 77 --status 离线 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["changed"], false) << r.out;
    EXPECT_EQ(nlohmann::json::parse(r.out)["version"], 2) << r.out;
    EXPECT_EQ(camera_rows(gpkg), before);
    r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --azimuth 78 --json");
    EXPECT_EQ(nlohmann::json::parse(r.out)["changed"], true) << r.out;
    EXPECT_EQ(nlohmann::json::parse(r.out)["version"], 3) << r.out;
}

// Degrees typed into a layer in metres were written: the camera moved ~2,700 km, by the equator,
// and the edit said "changed". A position far from every camera of the layer is refused, in metres
// and in degrees; a move near the cameras still writes.
TEST(EditGpkg, AMoveFarFromTheLayersCamerasIsRefused) {
    gwtest::TempDir dir("edit_far");
    const std::string metres = dir / "metres.gpkg";
    gwtest::translate(gwtest::kBundledGpkg, metres, {"-t_srs", "EPSG:4542"});
    const auto before = camera_rows(metres);
    auto r = run_gridwatch("edit " + metres + " --camera DPZ-CAM002 --move 98.69,24.59");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "field '--move'") && has(r.err, "km from the nearest other camera") &&
                has(r.err, "EPSG:4542") && has(r.err, "look like degrees"))
        << r.err;
    EXPECT_EQ(camera_rows(metres), before);
    const std::string gpkg = copy_bundled(dir);
    r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --move 101.2,24.59");  // 250 km east
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_TRUE(has(r.err, "about 25") && has(r.err, "near its cameras")) << r.err;
    // Near the cameras (a few hundred metres from the others): written.
    gw::gdal_setup();
    GDALDatasetUniquePtr ds(GDALDataset::Open(metres.c_str(), GDAL_OF_VECTOR));
    OGREnvelope e;
    ASSERT_EQ(ds->GetLayerByName("cameras")->GetExtent(&e, TRUE), OGRERR_NONE);
    ds.reset();
    const std::string near = std::to_string(e.MaxX + 300) + "," + std::to_string(e.MinY);
    r = run_gridwatch("edit " + metres + " --camera DPZ-CAM002 --move " + near);
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(camera_rows(metres), before);
}

// KML's drivers write a layer whole: the edit failed with "cannot write the camera:  (check the
// file is writable)" of a writable file. It names the cause and the way: a GeoPackage.
TEST(EditKml, AFileThatCannotChangeOneFeatureIsRefusedWithTheWay) {
    gwtest::TempDir dir("edit_kml");
    const std::string kml = dir / "cams.kml";
    gwtest::translate(gwtest::kBundledGpkg, kml, {"-f", "KML", "cameras"});
    const std::string text = gwtest::slurp(kml);
    const auto r = run_gridwatch("edit " + kml + " --camera DPZ-CAM001 --azimuth 33");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "cannot change a camera in place") && has(r.err, "KML") &&
                has(r.err, "--format GPKG"))
        << r.err;
    EXPECT_EQ(gwtest::slurp(kml), text);
    // Asking for the version (no change) still answers.
    EXPECT_EQ(run_gridwatch("edit " + kml + " --camera DPZ-CAM001").status, 0);
}

// GDAL's CSV writer writes the fields, not the lon/lat columns a point is read from: a move on a
// phone export's CSV said {"changed": true} and the file kept the old position.
TEST(EditCsv, AMoveIsRefusedForTheCoordinateColumnsAreNotWritten) {
    gwtest::TempDir dir("edit_csv");
    const std::string csv = dir / "cameras.csv";
    const std::string text =
        "lon,lat,cam_id,owner,azimuth,fov,range,status\n98.69,24.58,K1,road,90,60,50,online\n";
    std::ofstream(csv) << text;
    const auto r =
        run_gridwatch("edit " + csv + " --assume-crs EPSG:4490 --camera K1 --move 98.7,24.59 --json");
    EXPECT_EQ(r.status, 1) << r.out << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("cannot move a camera in a CSV file"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("GeoPackage"), std::string::npos) << r.err;
    EXPECT_EQ(gwtest::slurp(csv), text);
}

// An edit beside an import failed at once with "database is locked (check the file is writable)":
// it read the camera and then asked to write, which SQLite cannot wait for. It takes the write lock
// first and waits for the import's commit; both stand, whichever comes first.
TEST(EditGpkg, AnEditBesideAnImportWaitsForIt) {
    gwtest::TempDir dir("edit_beside_import");
    const std::string gpkg = copy_bundled(dir);
    std::string csv = "check_id,grid_id,reporter,time,kind,people,note,lon,lat\n";
    for (int i = 0; i < 150000; ++i)
        csv += "BIG" + std::to_string(i) + ",DPZ-G01-01,a,2026-10-31T09:00:00,routine,1,," +
               std::to_string(98.6817 + i * 1e-9) + ",24.5823\n";
    dir.write("big.csv", csv);
    const std::string done = dir / "import.rc";
    ASSERT_EQ(std::system(("(" + std::string(GRIDWATCH_BIN) + " import " + gpkg + " --checks " +
                           dir / "big.csv" + " >/dev/null 2>&1; echo $? > " + done + ") &")
                              .c_str()),
              0);
    for (int i = 0; i < 5; ++i) {  // several edits over the import's seconds
        const auto r =
            run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --azimuth " + std::to_string(30 + i));
        EXPECT_EQ(r.status, 0) << r.err;
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    for (int i = 0; i < 600 && !std::filesystem::exists(done); ++i)
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
    ASSERT_TRUE(std::filesystem::exists(done));
    EXPECT_EQ(gwtest::slurp(done), "0\n");
    EXPECT_TRUE(has(camera_rows(gpkg).at("DPZ-CAM002"), "|34|")) << camera_rows(gpkg).at("DPZ-CAM002");
}

TEST(EditGpkg, VersionFieldIsCheckedAndRaised) {
    gwtest::TempDir dir("edit_gpkg_version");
    const std::string gpkg = copy_bundled(
        dir, {"ALTER TABLE cameras ADD COLUMN version INTEGER", "UPDATE cameras SET version = 3"});
    auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM003 --range 99 --expect-version 3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["version"], 4);
    const gw::Dataset ds = gw::open_dataset({gpkg});
    for (const auto& c : ds.cameras) {
        ASSERT_TRUE(c.version) << c.cam_id;
        EXPECT_EQ(*c.version, c.cam_id == "DPZ-CAM003" ? 4 : 3) << c.cam_id;
    }
    // The user's own version field stays one of the layer's fields (exported as it came).
    const auto& extra = ds.extra_fields.at("cameras").names;
    EXPECT_NE(std::find(extra.begin(), extra.end(), "version"), extra.end());
    // Stale: exit 1, both versions named, nothing written.
    const auto before = camera_rows(gpkg);
    r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM003 --range 50 --expect-version 3");
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "version 3") && has(r.err, "version 4") && has(r.err, "range 99 vs 50")) << r.err;
    EXPECT_EQ(camera_rows(gpkg), before);
    // Above the version it has: a wrong argument, not someone else's change.
    r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM003 --range 50 --expect-version 9");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "--expect-version 9 is above") && has(r.err, "version 4")) << r.err;
    EXPECT_FALSE(has(r.err, "someone else")) << r.err;
    EXPECT_EQ(camera_rows(gpkg), before);
}

// A cameras layer of srs_id 0 ("Undefined geographic SRS") has no CRS since it is read as none:
// `edit` takes --assume-crs as the other commands do, and the camera is changed in place.
TEST(EditGpkg, ALayerWithoutACrsIsEditedWithAssumeCrs) {
    gwtest::TempDir dir("edit_no_crs");
    const std::string gpkg =
        copy_bundled(dir, {"UPDATE gpkg_geometry_columns SET srs_id = 0 WHERE table_name = 'cameras'",
                           "UPDATE gpkg_contents SET srs_id = 0 WHERE table_name = 'cameras'"});
    const auto refused = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --azimuth 120");
    EXPECT_EQ(refused.status, 1);
    EXPECT_EQ(refused.error_lines(), 1) << refused.err;
    EXPECT_TRUE(has(refused.err, "has no CRS") && has(refused.err, "--assume-crs")) << refused.err;
    const auto r = run_gridwatch(
        "edit " + gpkg + " --camera DPZ-CAM002 --azimuth 120 --move 98.69,24.59 --assume-crs EPSG:4490");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string row = camera_rows(gpkg).at("DPZ-CAM002");
    EXPECT_TRUE(has(row, "|120|")) << row;
    EXPECT_TRUE(has(row, "POINT (98.69 24.59)")) << row;
    // A layer in metres without a CRS, edited with --assume-crs: degrees are refused, metres written
    // (GDAL's "Undefined geographic SRS" of srs_id 0 took every metre for a degree, or no test ran).
    const std::string metres = dir / "metres.gpkg";
    gwtest::translate(gwtest::kBundledGpkg, metres,
                      {"-t_srs", "EPSG:4542", "-a_srs", "EPSG:4542", "cameras"});
    {
        gw::gdal_setup();
        GDALDatasetUniquePtr ds(GDALDataset::Open(metres.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        for (const char* sql : {"UPDATE gpkg_geometry_columns SET srs_id = 0 WHERE table_name = 'cameras'",
                                "UPDATE gpkg_contents SET srs_id = 0 WHERE table_name = 'cameras'"})
            ds->ReleaseResultSet(ds->ExecuteSQL(sql, nullptr, nullptr));
    }
    auto m =
        run_gridwatch("edit " + metres + " --camera DPZ-CAM002 --move 98.69,24.59 --assume-crs EPSG:4542");
    EXPECT_EQ(m.status, 1) << m.out;
    EXPECT_TRUE(has(m.err, "look like degrees")) << m.err;
    m = run_gridwatch("edit " + metres + " --camera DPZ-CAM002 --move 468000,2720000 --assume-crs EPSG:4542");
    EXPECT_EQ(m.status, 0) << m.err;
    EXPECT_TRUE(has(camera_rows(metres).at("DPZ-CAM002"), "POINT (468000 2720000)"));
}

// A layer of one camera has no other to measure a move against: a move of 50 km is written.
TEST(EditGpkg, TheOnlyCameraOfALayerMovesAnywhereTheCrsHolds) {
    gwtest::TempDir dir("edit_one");
    const std::string gpkg = copy_bundled(dir, {"DELETE FROM cameras WHERE cam_id <> 'DPZ-CAM002'"});
    const auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --move 99.2,24.59");
    EXPECT_EQ(r.status, 0) << r.err;
}

// A camera spelled as few in the layer are (offline among 在线 / 离线) given its own status: the
// same code, unchanged, not rewritten in the layer's more common word.
TEST(EditGpkg, AStatusOfTheSameCodeInAnotherSpellingChangesNothing) {
    gwtest::TempDir dir("edit_spelling");
    const std::string gpkg =
        copy_bundled(dir, {"UPDATE cameras SET status = '在线' WHERE status = 'online'",
                           "UPDATE cameras SET status = '离线' WHERE status = 'offline'",
                           "UPDATE cameras SET status = 'offline' WHERE cam_id = 'DPZ-CAM002'"});
    const auto before = camera_rows(gpkg);
    const auto r = run_gridwatch("edit " + gpkg + " --camera DPZ-CAM002 --status offline --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(nlohmann::json::parse(r.out)["changed"], false) << r.out;
    EXPECT_EQ(camera_rows(gpkg), before);
}
