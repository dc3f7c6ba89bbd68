// Names users bring (SPEC §3, issue 14): the bundled community rewritten as a grid office's own
// data would come (Chinese layer, field and value names in a GBK shapefile folder without .cpg;
// one grids layer per level with odd names and no parent ids, mapped by a project file) must give
// the same answers as the same data with the contract's names.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "cli_run.h"
#include "gpkg_translate.h"
#include "geo/io/dataset.h"
#include "geo/io/names.h"

namespace fs = std::filesystem;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

const std::string& kBundled = gwtest::kBundledGpkg;
using gwtest::translate_bundled;

const char* kCamerasEnglish =
    "SELECT cam_id, owner, azimuth, fov, \"range\", height, resolution_px, status, geom FROM cameras";
const char* kCamerasChinese =
    "SELECT cam_id AS 点位编号, owner AS 权属, azimuth AS 方位角, fov AS 视场角, \"range\" AS 视距, "
    "height AS 安装高度, resolution_px AS 水平像素, CASE status WHEN 'online' THEN '在线' ELSE '离线' END AS 状态, "
    "geom FROM cameras";

/** The bundled layers the analyses use, as a shapefile folder: contract names, or Chinese ones in GBK. */
void write_shapefiles(const std::string& dir, bool chinese) {
    fs::create_directories(dir);
    auto shp = [&](const std::string& name) { return (fs::path(dir) / (name + ".shp")).string(); };
    const std::vector<std::string> gbk = {"-lco", "ENCODING=CP936"};
    if (chinese) {
        translate_bundled(shp("网格"), "ESRI Shapefile", "网格",
                  "SELECT grid_id AS 网格编码, level AS 层级, parent_id AS 上级编码, name AS 名称, manager AS 网格员, "
                  "phone AS 电话, geom FROM grids",
                  gbk);
        translate_bundled(shp("住户"), "ESRI Shapefile", "住户",
                  "SELECT hh_id AS 户编号, grid_id AS 网格编码, head AS 户主, members AS 人数, tags, phone AS 电话, geom "
                  "FROM households",
                  gbk);
        translate_bundled(shp("摄像头"), "ESRI Shapefile", "摄像头", kCamerasChinese, gbk);
        translate_bundled(shp("道路"), "ESRI Shapefile", "道路", "SELECT name AS 名称, class, geom FROM roads", gbk);
        translate_bundled(shp("建筑"), "ESRI Shapefile", "建筑", "SELECT height, geom FROM buildings", gbk);
        translate_bundled(shp("事件"), "ESRI Shapefile", "事件",
                  "SELECT inc_id AS 事件编号, CASE type WHEN 'dispute' THEN '纠纷' WHEN 'fire' THEN '火灾' WHEN 'traffic' "
                  "THEN '交通' WHEN 'theft' THEN '盗窃' WHEN 'fraud' THEN '诈骗' ELSE '其他' END AS 类型, time AS 时间, "
                  "color, geom FROM incidents",
                  gbk);
        // Chinese shapefiles often come without .cpg: read as GBK (SPEC §3).
        for (const auto& e : fs::directory_iterator(dir))
            if (e.path().extension() == ".cpg") fs::remove(e.path());
    } else {
        const std::vector<std::string> utf8 = {"-lco", "ENCODING=UTF-8"};
        translate_bundled(shp("grids"), "ESRI Shapefile", "grids",
                  "SELECT grid_id, level, parent_id, name, manager, phone, geom FROM grids", utf8);
        translate_bundled(shp("households"), "ESRI Shapefile", "households",
                  "SELECT hh_id, grid_id, head, members, tags, phone, geom FROM households", utf8);
        translate_bundled(shp("cameras"), "ESRI Shapefile", "cameras", kCamerasEnglish, utf8);
        translate_bundled(shp("roads"), "ESRI Shapefile", "roads", "SELECT name, class, geom FROM roads", utf8);
        translate_bundled(shp("buildings"), "ESRI Shapefile", "buildings", "SELECT height, geom FROM buildings", utf8);
        translate_bundled(shp("incidents"), "ESRI Shapefile", "incidents", "SELECT inc_id, type, time, color, geom FROM incidents", utf8);
    }
}

nlohmann::json json_of(const gwtest::RunResult& r) {
    EXPECT_EQ(r.status, 0) << r.err;
    return nlohmann::json::parse(r.out, nullptr, false);
}

/** The figures of a command's JSON, without what names the source. */
nlohmann::json figures(nlohmann::json j) {
    j.erase("source");
    j.erase("dataset");
    return j;
}

std::string slurp_export(const std::string& dir) {
    std::string all;
    for (const char* layer : {"grids_L4", "cameras", "households"}) all += gwtest::slurp(fs::path(dir) / (std::string(layer) + ".geojson"));
    return all;
}

}  // namespace

TEST(Names, GbkShapefilesWithChineseNamesGiveTheContractAnswers) {
    TempDir dir("names_gbk");
    write_shapefiles(dir / "en", false);
    write_shapefiles(dir / "zh", true);
    ASSERT_FALSE(fs::exists(dir / "zh/摄像头.cpg"));

    const auto info = run_gridwatch("info " + dir / "zh");
    ASSERT_EQ(info.status, 0) << info.err;
    EXPECT_NE(info.out.find("cameras ← 摄像头 (by chinese name): cam_id ← 点位编号"), std::string::npos) << info.out;
    EXPECT_NE(info.out.find("azimuth ← 方位角"), std::string::npos) << info.out;
    EXPECT_EQ(info.out.find("not recognised"), std::string::npos) << info.out;

    for (const std::string cmd : {"coverage --level 4 --json", "stats --level 3 --json"}) {
        const auto en = json_of(run_gridwatch(cmd.substr(0, cmd.find(' ')) + " " + dir / "en" + cmd.substr(cmd.find(' '))));
        const auto zh = json_of(run_gridwatch(cmd.substr(0, cmd.find(' ')) + " " + dir / "zh" + cmd.substr(cmd.find(' '))));
        ASSERT_FALSE(en.is_discarded());
        EXPECT_TRUE(figures(zh) == figures(en)) << cmd << ": " << nlohmann::json::diff(figures(en), figures(zh)).dump().substr(0, 2000);
    }
    // The online share says the 在线/离线 values were read: 153 of 159 online in the community.
    const auto zh_info = json_of(run_gridwatch("info --json " + dir / "zh"));
    EXPECT_EQ(zh_info["cameras"]["online"], 153);

    // Exported under the contract's names either way, the same bytes.
    for (const char* which : {"en", "zh"}) {
        const auto r = run_gridwatch("export " + dir / which + " --format GeoJSON --out " + dir / (std::string(which) + "_out"));
        ASSERT_EQ(r.status, 0) << r.err;
    }
    const std::string en_out = slurp_export(dir / "en_out"), zh_out = slurp_export(dir / "zh_out");
    EXPECT_GT(en_out.size(), 10000u);
    const auto at = std::mismatch(en_out.begin(), en_out.end(), zh_out.begin(), zh_out.end());
    EXPECT_TRUE(zh_out == en_out) << "first difference at byte " << (at.first - en_out.begin()) << ": "
                                  << std::string(at.first, std::min(at.first + 200, en_out.end())) << "\n vs "
                                  << std::string(at.second, std::min(at.second + 200, zh_out.end()));
}

TEST(Names, OneGridLayerPerLevelMappedByTheProjectFileGivesTheSameAnswers) {
    TempDir dir("names_levels");
    const std::string gpkg = dir / "office.gpkg";
    const char* names[] = {"", "社区", "片区", "村民小组", "联防小组"};
    for (int level = 1; level <= 4; ++level)
        translate_bundled(gpkg, "GPKG", names[level],
                  "SELECT grid_id AS BH, name AS MC, manager AS FZR, phone AS DH, geom FROM grids WHERE level = " +
                      std::to_string(level));
    translate_bundled(gpkg, "GPKG", "2023",
              "SELECT cam_id AS BH, owner, azimuth AS JD, fov AS FW, \"range\" AS SJ, height, resolution_px, "
              "CASE status WHEN 'online' THEN 'Y' ELSE 'N' END AS ZT, geom FROM cameras");
    translate_bundled(gpkg, "GPKG", "households", "SELECT hh_id, grid_id, head, members, tags, phone, geom FROM households");
    translate_bundled(gpkg, "GPKG", "buildings", "SELECT height, geom FROM buildings");
    translate_bundled(gpkg, "GPKG", "roads", "SELECT name, class, geom FROM roads");
    for (const char* layer : {"enterprises", "incidents", "facilities", "candidates"})
        translate_bundled(gpkg, "GPKG", layer, std::string("SELECT * FROM ") + layer);

    // Before the mapping: the per-level layers and "2023" are not recognised, and info says what to add.
    const auto before = run_gridwatch("info " + gpkg);
    ASSERT_EQ(before.status, 0) << before.err;
    EXPECT_NE(before.out.find("not recognised"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("\"mapping\": {"), std::string::npos) << before.out;
    EXPECT_NE(before.out.find("\"cameras\": {\"fields\":{\"azimuth\":\"?\""), std::string::npos) << before.out;

    std::ofstream(gpkg + ".gridwatch.json") << R"({"mapping": {
        "grids": {"levels": {"1": "社区", "2": "片区", "3": "村民小组", "4": "联防小组"},
                  "fields": {"grid_id": "BH", "name": "MC", "manager": "FZR", "phone": "DH"}},
        "cameras": {"layer": "2023", "fields": {"cam_id": "BH", "azimuth": "JD", "fov": "FW", "range": "SJ", "status": "ZT"},
                    "values": {"status": {"Y": "online", "N": "offline"}}}}})";
    const auto info = run_gridwatch("info --json " + gpkg);
    ASSERT_EQ(info.status, 0) << info.err;
    const auto j = nlohmann::json::parse(info.out);
    EXPECT_TRUE(j["tiling_ok"].get<bool>()) << j["tiling"].dump();  // every parent found by containment
    EXPECT_TRUE(j["orphan_cells"].empty()) << j["orphan_cells"].dump();
    EXPECT_TRUE(j["names"]["unrecognised"].empty()) << j["names"].dump();
    EXPECT_EQ(j["cameras"]["online"], 153);

    // The parents found by containment are the bundled ones.
    const gw::Dataset mapped = gw::open_dataset({gpkg}), bundled = gw::open_dataset({kBundled});
    ASSERT_EQ(mapped.grids.size(), bundled.grids.size());
    std::map<std::string, std::string> parent_of;
    for (const auto& g : bundled.grids) parent_of[g.grid_id] = g.parent_id;
    for (const auto& g : mapped.grids) EXPECT_EQ(g.parent_id, parent_of[g.grid_id]) << g.grid_id;

    for (const std::string args : {" --level 4 --json", " --level 2 --json"}) {
        const auto a = json_of(run_gridwatch("coverage " + gpkg + args));
        const auto b = json_of(run_gridwatch("coverage " + kBundled + args + " --occlusion none"));
        const auto a_none = json_of(run_gridwatch("coverage " + gpkg + args + " --occlusion none"));
        EXPECT_TRUE(figures(a_none) == figures(b)) << args << ": " << nlohmann::json::diff(figures(b), figures(a_none)).dump().substr(0, 2000);
        EXPECT_FALSE(a.is_discarded());
    }
    const auto st_a = json_of(run_gridwatch("stats " + gpkg + " --level 3 --json"));
    ASSERT_FALSE(st_a.is_discarded());
    for (const auto& row : st_a["grids"]) EXPECT_GE(row["cameras"].get<int>(), 0);
}

TEST(Names, InfoPrintsTheMappingLinesForWhatItCannotPlace) {
    TempDir dir("names_unknown");
    const std::string gpkg = dir / "county.gpkg";
    translate_bundled(gpkg, "GPKG", "县界", "SELECT name AS MC, geom FROM grids WHERE level = 1");
    translate_bundled(gpkg, "GPKG", "点位2023", "SELECT cam_id AS BH, azimuth AS 朝向, geom FROM cameras");
    const auto r = run_gridwatch("info " + gpkg);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("县界 (Multi Polygon"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find(R"("grids": {"fields":{"grid_id":"?","level":"?","parent_id":"?"},"layer":"县界"})"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find(R"("cameras": {"fields":{"azimuth":"?","fov":"?","range":"?"},"layer":"点位2023"})"),
              std::string::npos)
        << r.out;
    const auto j = nlohmann::json::parse(run_gridwatch("info --json " + gpkg).out);
    EXPECT_EQ(j["names"]["unrecognised"].size(), 2u);
    EXPECT_TRUE(j["names"]["mapping_to_add"].contains("grids"));
    EXPECT_TRUE(j["names"]["mapping_to_add"].contains("cameras"));

    // A layer recognised by its fields alone: a point layer with 方位角, 视场角, 视距 is cameras.
    translate_bundled(gpkg, "GPKG", "年度点位", "SELECT cam_id AS 点位编号, azimuth AS 方位角, fov AS 视场角, \"range\" AS 视距, geom FROM cameras");
    const auto k = nlohmann::json::parse(run_gridwatch("info --json " + gpkg).out);
    bool by_fields = false;
    for (const auto& l : k["names"]["recognised"]) by_fields |= l["layer"] == "年度点位" && l["by"] == "fields" && l["role"] == "cameras";
    EXPECT_TRUE(by_fields) << k["names"].dump();
}

TEST(Names, RecognitionRules) {
    EXPECT_EQ(gw::role_of_layer_name("摄像头"), "cameras");
    EXPECT_EQ(gw::role_of_layer_name("监控点位"), "cameras");
    EXPECT_EQ(gw::role_of_layer_name("GRIDS_L3"), "grids");
    EXPECT_EQ(gw::role_of_layer_name("县界"), "");
    EXPECT_EQ(gw::chinese_value("status", "离线"), "offline");
    EXPECT_EQ(gw::chinese_value("type", "诈骗"), "fraud");
    EXPECT_FALSE(gw::chinese_value("type", "其它"));
    EXPECT_TRUE(gw::field_name_matches("RESOLUTION", "resolution_px"));
    EXPECT_TRUE(gw::field_name_matches("安装高", "安装高度"));  // 9 of the 12 UTF-8 bytes kept by a shapefile
    EXPECT_FALSE(gw::field_name_matches("fo", "fov"));
    EXPECT_EQ(gw::role_by_fields({"方位角", "视场角", "视距"}, "Point"), "cameras");
    EXPECT_EQ(gw::role_by_fields({"方位角", "视场角", "视距"}, "Polygon"), "");
    EXPECT_EQ(gw::role_by_fields({"网格编码", "层级", "上级编码"}, "Multi Polygon"), "grids");
}
