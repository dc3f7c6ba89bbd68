// Layer looks kept between viewer sessions (app/viewer/layer_prefs.h): a round trip through the file,
// a malformed file changes nothing, and the viewer starts with the looks the file gives.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/render/scene.h"
#include "app/viewer/layer_prefs.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/viewer_run.h"

using namespace gw;
using namespace gw::app;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

using gwtest::bundled;

SceneLayer& layer(Scene& s, const std::string& key) {
    for (auto& L : s.layers)
        if (L.key == key) return L;
    ADD_FAILURE() << "no layer " << key;
    return s.layers.front();
}

}  // namespace

TEST(LayerPrefs, LooksSurviveSaveAndLoad) {
    TempDir dir("layer_prefs");
    const std::string path = dir / "gridwatch/layers.json";
    Scene a = build_scene(bundled());
    SceneLayer& roads = layer(a, "roads");
    roads.visible = false, roads.opacity = 0.5f;
    roads.style.recolor = true, roads.style.color = rgba(250, 120, 0, 200), roads.style.line_width = 2;
    layer(a, "cameras").style.point_size = 1.5f;
    save_layer_prefs(a, path);
    ASSERT_TRUE(std::filesystem::exists(path));
    // The file says it in words a person can edit.
    const auto j = nlohmann::json::parse(gwtest::slurp(path));
    EXPECT_EQ(j["layers"]["roads"]["visible"], false);
    EXPECT_EQ(j["layers"]["roads"]["color"], "#fa7800c8");
    EXPECT_TRUE(j["layers"]["grids"]["color"].is_null());

    Scene b = build_scene(bundled());
    load_layer_prefs(b, path);
    const SceneLayer& r = layer(b, "roads");
    EXPECT_FALSE(r.visible);
    EXPECT_FLOAT_EQ(r.opacity, 0.5f);
    EXPECT_TRUE(r.style.recolor);
    EXPECT_EQ(r.style.color, rgba(250, 120, 0, 200));
    EXPECT_FLOAT_EQ(r.style.line_width, 2);
    EXPECT_FLOAT_EQ(layer(b, "cameras").style.point_size, 1.5f);
    EXPECT_TRUE(layer(b, "grids").visible);
    EXPECT_FALSE(layer(b, "grids").style.recolor);
    EXPECT_EQ(layer_prefs_json(a), layer_prefs_json(b));
}

TEST(LayerPrefs, MalformedOrMissingFileChangesNothing) {
    TempDir dir("layer_prefs_bad");
    const Scene fresh = build_scene(bundled());
    Scene s = build_scene(bundled());
    load_layer_prefs(s, dir / "absent.json");
    EXPECT_EQ(layer_prefs_json(s), layer_prefs_json(fresh));
    dir.write("bad.json", "{\"layers\": [1, 2");
    load_layer_prefs(s, dir / "bad.json");
    EXPECT_EQ(layer_prefs_json(s), layer_prefs_json(fresh));
    dir.write("odd.json", R"({"layers": {"roads": {"visible": "no", "opacity": 7, "color": "orange"}}})");
    load_layer_prefs(s, dir / "odd.json");
    EXPECT_TRUE(layer(s, "roads").visible);                // not a boolean: left alone
    EXPECT_FLOAT_EQ(layer(s, "roads").opacity, 1.0f);      // clamped to 0..1
    EXPECT_FALSE(layer(s, "roads").style.recolor);         // not #rrggbbaa: no colour
}

TEST(LayerPrefs, ViewerStartsWithTheSavedLooksAndLeavesThemWhenNothingChanged) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "xvfb-run is needed (CI installs it)";
    TempDir dir("layer_prefs_view");
    // Written by hand: every base layer but the grid cells hidden.
    const std::string cfg = dir / "cfg";
    std::filesystem::create_directories(cfg + "/gridwatch");
    const std::string text =
        R"({"version": 1, "layers": {"enterprises": {"visible": false}, "buildings": {"visible": false},)"
        R"( "roads": {"visible": false}, "camera_views": {"visible": false}, "households": {"visible": false},)"
        R"( "cameras": {"visible": false}, "incidents": {"visible": false}, "facilities": {"visible": false}}})";
    dir.write("cfg/gridwatch/layers.json", text);
    const std::string xvfb = gwtest::kXvfb;
    const std::string plain = dir / "plain.png", sparse = dir / "sparse.png";
    auto r1 = run_gridwatch("view --size 800x600 --frames 4 --screenshot " + plain, xvfb);
    ASSERT_EQ(r1.status, 0) << r1.err;
    auto r2 = run_gridwatch("view --size 800x600 --frames 4 --screenshot " + sparse, "XDG_CONFIG_HOME=" + cfg + " " + xvfb);
    ASSERT_EQ(r2.status, 0) << r2.err;
    const auto a = gwtest::load_shot(plain), b = gwtest::load_shot(sparse);
    ASSERT_FALSE(a.rgb.empty());
    ASSERT_EQ(a.rgb.size(), b.rgb.size());
    // Fewer layers: fewer dark (drawn) pixels in the map.
    auto inked = [](const gwtest::Shot& s) {
        size_t n = 0;
        for (size_t i = 0; i + 2 < s.rgb.size(); i += 3) n += s.rgb[i] + s.rgb[i + 1] + s.rgb[i + 2] < 450;
        return n;
    };
    EXPECT_LT(inked(b), inked(a) * 9 / 10) << inked(a) << " vs " << inked(b);
    // Nothing changed in the session: the file is as it was written.
    EXPECT_EQ(gwtest::slurp(cfg + "/gridwatch/layers.json"), text);
}
