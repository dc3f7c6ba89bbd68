// The viewer's mapping dialog (这一层是什么？, SPEC §3, issue 14): a point layer named after the
// year, with fields BH/JD/FW/SJ/ZT, is assigned the cameras role under xvfb through the dialog's
// own Apply; the project file then holds the mapping (and the scenes it held), the viewer's
// coverage equals that of the same data with the contract's names, and `info` recognises the
// layer by mapping.
#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "geo/core/error.h"
#include "geo/io/layer_samples.h"
#include "geo/io/names.h"
#include "geo/io/project.h"
#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"
#include "tests/viewer_run.h"

namespace fs = std::filesystem;
using gwtest::run_gridwatch;
using gwtest::TempDir;
using gwtest::translate_bundled;

namespace {

/** Grids and households with the contract's names; cameras as `cameras_sql` makes them, named `cameras_layer`. */
std::string write_community(const TempDir& dir, const std::string& file, const std::string& cameras_layer,
                            const std::string& cameras_sql) {
    const std::string gpkg = dir / file;
    translate_bundled(gpkg, "GPKG", "grids", "SELECT grid_id, level, parent_id, name, manager, phone, geom FROM grids");
    translate_bundled(gpkg, "GPKG", "households",
                      "SELECT hh_id, grid_id, head, members, tags, phone, geom FROM households");
    translate_bundled(gpkg, "GPKG", cameras_layer, cameras_sql);
    return gpkg;
}

const char* kOwnCameras =
    "SELECT cam_id AS BH, azimuth AS JD, fov AS FW, \"range\" AS SJ, "
    "CASE status WHEN 'online' THEN 'Y' ELSE 'N' END AS ZT, geom FROM cameras";
const char* kContractCameras = "SELECT cam_id, azimuth, fov, \"range\", status, geom FROM cameras";

const char* kAssign =
    "key:map_layer=点位2023;key:map_role=cameras;key:map_field=cam_id=BH;key:map_field=azimuth=JD;"
    "key:map_field=fov=FW;key:map_field=range=SJ;key:map_field=status=ZT;key:map_value=status=Y=online;"
    "key:map_value=status=N=offline;key:map_apply";

std::string coverage_line(const std::string& out) {
    std::smatch m;
    return std::regex_search(out, m, std::regex("coverage: [^\n]*")) ? m.str() : "";
}

}  // namespace

TEST(LayerSamples, FirstValuesAndDistinctValuesOfTheSourceFields) {
    TempDir dir("mapping_samples");
    const std::string gpkg = write_community(dir, "own.gpkg", "点位2023", kOwnCameras);
    const auto samples = gw::sample_field_values(gpkg, "点位2023");
    ASSERT_EQ(samples.count("JD"), 1u);
    EXPECT_EQ(samples.at("JD").size(), 3u);
    EXPECT_EQ(samples.at("BH").size(), 3u);
    bool more = true;
    auto zt = gw::distinct_field_values(gpkg, "点位2023", "ZT", 20, &more);
    std::sort(zt.begin(), zt.end());
    EXPECT_EQ(zt, (std::vector<std::string>{"N", "Y"}));
    EXPECT_FALSE(more);
    const auto ids = gw::distinct_field_values(gpkg, "点位2023", "BH", 5, &more);
    EXPECT_EQ(ids.size(), 5u);
    EXPECT_TRUE(more);
    EXPECT_THROW(gw::distinct_field_values(gpkg, "点位2023", "nope"), gw::Error);
    EXPECT_THROW(gw::sample_field_values(gpkg, "no such layer"), gw::Error);
}

TEST(ViewerMapping, DialogAssignsALayerAndTheProjectFileRoundTrips) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "xvfb-run is missing: install the xvfb and xauth packages";
    TempDir dir("viewer_mapping");
    const std::string own = write_community(dir, "own.gpkg", "点位2023", kOwnCameras);
    const std::string ref = write_community(dir, "ref.gpkg", "cameras", kContractCameras);
    // A project file with a scene already: the dialog adds its mapping and keeps the scene.
    const std::string project = gw::project_path_for(own);
    gw::Project before;
    before.scenes.push_back({"mine", "我的场景", "", gw::Box{0, 0, 100, 100}, {}, ""});
    before.warning.red = 9;
    gw::save_project(before, project);

    const auto unmapped = nlohmann::json::parse(run_gridwatch("info --json " + own).out);
    EXPECT_EQ(unmapped["names"]["unrecognised"].size(), 1u) << unmapped["names"].dump();

    const auto r = run_gridwatch(
        "view " + own + " --size 1280x800 --frames 3 --print-coverage --events \"" + std::string(kAssign) + "\"",
        gwtest::kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    // 153 online: Y and N were mapped onto online and offline (left unmapped, none would be).
    EXPECT_NE(r.out.find("mapping: 映射已保存：cameras ← 点位2023 (159, 可用于分析 153)"), std::string::npos) << r.out;
    const auto rr =
        run_gridwatch("view " + ref + " --size 1280x800 --frames 3 --print-coverage", gwtest::kXvfb);
    ASSERT_EQ(rr.status, 0) << rr.err;
    // The analyses follow the new dataset: the same coverage as the data with contract names
    // (Y online and N offline, as the value mapping says).
    const std::string got = coverage_line(r.out), want = coverage_line(rr.out);
    ASSERT_NE(want.find("cameras 159"), std::string::npos) << rr.out;
    EXPECT_EQ(got, want) << r.out;

    // The project file holds the mapping, the scene and the thresholds it held.
    const gw::NameMapping m = gw::load_mapping(project);
    ASSERT_EQ(m.size(), 1u);
    const gw::RoleMapping& cam = m.at("cameras");
    EXPECT_EQ(cam.layer, "点位2023");
    EXPECT_EQ(cam.fields, (std::map<std::string, std::string>{
                              {"cam_id", "BH"}, {"azimuth", "JD"}, {"fov", "FW"}, {"range", "SJ"}, {"status", "ZT"}}));
    EXPECT_EQ(cam.values, (std::map<std::string, std::map<std::string, std::string>>{
                              {"status", {{"Y", "online"}, {"N", "offline"}}}}));
    const gw::Project after = gw::load_project(project);
    ASSERT_EQ(after.scenes.size(), 1u);
    EXPECT_EQ(after.scenes[0].name, "mine");
    EXPECT_EQ(after.warning.red, 9);
    // Round trip: saved and read again, the mapping is the same.
    gw::save_project(after, dir / "again.json");
    const gw::NameMapping again = gw::load_mapping(dir / "again.json");
    ASSERT_EQ(again.size(), 1u);
    EXPECT_EQ(again.at("cameras").layer, cam.layer);
    EXPECT_EQ(again.at("cameras").fields, cam.fields);
    EXPECT_EQ(again.at("cameras").values, cam.values);

    // The command line reads the same file: the layer is recognised by mapping.
    const auto info = run_gridwatch("info --json " + own);
    ASSERT_EQ(info.status, 0) << info.err;
    const auto j = nlohmann::json::parse(info.out);
    bool by_mapping = false;
    for (const auto& l : j["names"]["recognised"])
        by_mapping |= l["layer"] == "点位2023" && l["by"] == "mapping" && l["role"] == "cameras";
    EXPECT_TRUE(by_mapping) << j["names"].dump();
    EXPECT_EQ(j["names"]["unrecognised"].size(), 0u) << j["names"].dump();
}

TEST(ViewerMapping, ApplyWithoutTheRequiredFieldsSaysWhichAndWritesNothing) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "xvfb-run is missing: install the xvfb and xauth packages";
    TempDir dir("viewer_mapping_missing");
    const std::string own = write_community(dir, "own.gpkg", "点位2023", kOwnCameras);
    const auto r = run_gridwatch("view " + own + " --lang en --size 1280x800 --frames 3 --events "
                                 "\"key:map_layer=点位2023;key:map_role=cameras;key:map_field=azimuth=JD;key:map_apply\"",
                                 gwtest::kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("mapping: choose a source field for: fov, range"), std::string::npos) << r.out;
    EXPECT_FALSE(fs::exists(gw::project_path_for(own)));
}

TEST(ViewerMapping, AMappingTheDataCannotBeReadWithIsNotKept) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "xvfb-run is missing: install the xvfb and xauth packages";
    TempDir dir("viewer_mapping_bad");
    const std::string own = write_community(dir, "own.gpkg", "点位2023", kOwnCameras);
    const std::string project = gw::project_path_for(own);
    gw::Project before;
    before.scenes.push_back({"mine", "我的场景", "", gw::Box{0, 0, 100, 100}, {}, ""});
    gw::save_project(before, project);
    const std::string text_before = gwtest::slurp(project);
    // A field the layer no longer has (the file changed since the dialog read it): reading stops
    // with a gw::Error, which the dialog shows, and the project file is as it was.
    const auto r = run_gridwatch(
        "view " + own + " --lang en --size 1280x800 --frames 3 --events "
        "\"key:map_layer=点位2023;key:map_role=cameras;key:map_field=azimuth=GONE;key:map_field=fov=FW;"
        "key:map_field=range=SJ;key:map_apply\"",
        gwtest::kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("mapping: " + own + ": layer '点位2023', field 'azimuth'"), std::string::npos) << r.out;
    EXPECT_EQ(gwtest::slurp(project), text_before);
    EXPECT_TRUE(gw::load_mapping(project).empty());
}
