// Project files: scenes and warning thresholds round-trip; default scenes of the model community.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "geo/analysis/checks.h"
#include "geo/core/error.h"
#include "geo/io/project.h"

using namespace gw;

TEST(Project, ScenesAndThresholdsRoundTrip) {
    Project p;
    Scene s;
    s.name = "luojiadapo";
    s.title = "罗家大坡安置点";
    s.subtitle = "89户";
    s.extent.add(Vec2{468100.5, 2720300.25}), s.extent.add(Vec2{468600, 2720700});
    s.layers = {"grids", "households", "cameras"};
    s.overlay = "gaps";
    p.scenes.push_back(s);
    p.warning.red = 9, p.warning.yellow = 4, p.warning.blue = 2, p.warning.w_red = 5;
    const std::string path = (std::filesystem::temp_directory_path() / "gw_project_test.json").string();
    save_project(p, path);
    Project q = load_project(path);
    ASSERT_EQ(q.scenes.size(), 1u);
    EXPECT_EQ(q.scenes[0].name, s.name);
    EXPECT_EQ(q.scenes[0].title, s.title);
    EXPECT_EQ(q.scenes[0].subtitle, s.subtitle);
    EXPECT_EQ(q.scenes[0].extent.xmin, s.extent.xmin);
    EXPECT_EQ(q.scenes[0].extent.ymax, s.extent.ymax);
    EXPECT_EQ(q.scenes[0].layers, s.layers);
    EXPECT_EQ(q.scenes[0].overlay, "gaps");
    EXPECT_EQ(q.warning.red, 9);
    EXPECT_EQ(q.warning.w_red, 5);
    std::filesystem::remove(path);
}

TEST(Project, MalformedFileIsAnErrorNamingIt) {
    const std::string path = (std::filesystem::temp_directory_path() / "gw_project_bad.json").string();
    std::ofstream(path) << R"({"scenes": [{"name": "x", "extent": [1, 2, 3]}]})";
    try {
        load_project(path);
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find(path), std::string::npos);
        EXPECT_NE(std::string(e.what()).find("extent"), std::string::npos);
    }
    std::filesystem::remove(path);
}

TEST(Project, AKeyOrValueOfTheWrongKindIsAnErrorNamingTheField) {
    // A typo'd key ("thresholds") was passed over, and the thresholds silently not applied; scenes
    // that are not a list failed with JSON's own words and no field named.
    const std::string path = (std::filesystem::temp_directory_path() / "gw_project_kinds.json").string();
    for (const auto& [text, field] : std::vector<std::pair<std::string, std::string>>{
             {R"({"thresholds": {"red": 9}})", "thresholds"},
             {R"({"scenes": 5})", "scenes"},
             {R"({"scenes": [{"name": "a"}]})", "scenes"},
             {R"({"scenes": [7]})", "scenes"},
             {R"({"warning": "abc"})", "warning"},
             {R"({"warning": {"red": "x"}})", "warning.red"},
             {R"({"warning": {"weights": {"blue": []}}})", "warning.weights.blue"},
             {R"([1, 2])", "project file"},
             {R"({"warning": {"red": true}})", "warning.red"},
             {R"({"warning": {"reds": 9}})", "warning.reds"},
             {R"({"scenes": [{"name": "a", "extent": [0, 0, 1, 1], "titel": "x"}]})", "scenes.titel"},
             {R"({"mapping": {"cameras": {"field": {"azimuth": "FX"}}}})", "mapping.cameras.field"},
             {R"({"mappings": {}})", "mappings"}}) {
        std::ofstream(path) << text;
        // Every reader of the file: the viewer's and the wall's, the warning's, and every command's mapping.
        for (int k = 0; k < 3; ++k) {
            try {
                if (k == 0)
                    load_project(path);
                else if (k == 1)
                    load_warning_thresholds(path);
                else
                    load_mapping(path);
                ADD_FAILURE() << text << " read without error (" << k << ")";
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << text;
                EXPECT_NE(std::string(e.what()).find(field), std::string::npos) << text << ": " << e.what();
            }
        }
    }
    std::filesystem::remove(path);
}

TEST(Project, DefaultScenesCoverTheCommunityAreasSiteAndJunction) {
    Dataset ds;
    auto sq = [](double x0, double y0, double w) { return MultiPolygon{Polygon{{Ring{{x0, y0}, {x0 + w, y0}, {x0 + w, y0 + w}, {x0, y0 + w}}}}}; };
    Grid l1;
    l1.level = 1, l1.grid_id = "DPZ", l1.name = "大坪子社区", l1.shape = sq(0, 0, 1000);
    Grid l2;
    l2.level = 2, l2.grid_id = "A", l2.name = "第一片区", l2.shape = sq(0, 0, 500);
    Grid l3;
    l3.level = 3, l3.grid_id = "A8", l3.name = "罗家大坡安置点", l3.shape = sq(0, 0, 200);
    ds.grids = {l1, l2, l3};
    Facility f;
    f.kind = "persuasion_station", f.name = "交通安全劝导站", f.pos = {500, 10};
    ds.facilities.push_back(f);
    auto scenes = default_scenes(ds);
    std::vector<std::string> names;
    for (auto& s : scenes) names.push_back(s.name);
    EXPECT_EQ(names, (std::vector<std::string>{"overview", "area-A", "luojiadapo", "g320-junction", "hotspots", "blind-spots"}));
    EXPECT_EQ(scenes[0].title, "大坪子社区");
    EXPECT_TRUE(scenes[3].extent.contains(f.pos));
}

// A folder typed with its trailing slash (tab completion) looked for its project file inside it,
// as "gj/.gridwatch.json", and the office's names for layers and fields were not read.
TEST(Project, AFoldersProjectFileIsBesideItWithOrWithoutItsSlash) {
    EXPECT_EQ(gw::project_path_for("gj/"), "gj.gridwatch.json");
    EXPECT_EQ(gw::project_path_for("/data/gj//"), "/data/gj.gridwatch.json");
    EXPECT_EQ(gw::project_path_for("gj"), "gj.gridwatch.json");
    EXPECT_EQ(gw::project_path_for("d.gpkg"), "d.gpkg.gridwatch.json");
    EXPECT_NE(gw::no_checks_advice("gj/").find("\"checks\" in gj.gridwatch.json"), std::string::npos)
        << gw::no_checks_advice("gj/");
}
