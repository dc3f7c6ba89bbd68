// The hotspots panel's Gi* options in the real window (xvfb) on the bundled community: a distance
// band and a hexagon mesh change what is drawn; permutations, seed, FDR, rates and the neighbours
// give the class counts `gridwatch hotspots --method gi --json` gives for the same options; a click
// on a row of the result list centres the map on that unit.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "geo/analysis/hotspots.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/viewer_run.h"

using gwtest::run_gridwatch;

namespace {

using gwtest::kXvfb;

std::string community() { return std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg"; }

/** What --print-hotspots reports after a scripted run of the panel. */
struct PanelResult {
    int status = -1;
    std::string out, err;
    size_t units = 0;
    std::map<std::string, int> classes;  // only the classes that occur
    std::string first;                   // the first row of the list: largest |z|
    double first_z = 0;
    double row_x = -1, row_y = -1;  // where that row is on screen
    double cx = 0, cy = 0, mpp = 0;  // the view
};

PanelResult run_panel(const std::string& events, const std::string& screenshot = "") {
    PanelResult p;
    auto r = run_gridwatch("view " + community() + " --size 1280x800 --frames 4 --print-hotspots --events \"" +
                               events + "\"" + (screenshot.empty() ? "" : " --screenshot " + screenshot),
                           kXvfb);
    p.status = r.status, p.out = r.out, p.err = r.err;
    std::smatch m;
    if (std::regex_search(r.out, m, std::regex("hotspots: gi units (\\d+) incidents \\d+([a-z0-9 ]*)"))) {
        p.units = std::stoul(m[1]);
        std::istringstream in(m[2].str());
        std::string cls;
        for (int n; in >> cls >> n;) p.classes[cls] = n;
    }
    if (std::regex_search(r.out, m,
                          std::regex("hotspots first: (\\S+) z (-?[0-9.]+) p [0-9.]+ row at (-?\\d+),(-?\\d+)")))
        p.first = m[1], p.first_z = std::stod(m[2]), p.row_x = std::stod(m[3]), p.row_y = std::stod(m[4]);
    if (std::regex_search(r.out, m, std::regex("view: (-?[0-9.]+) (-?[0-9.]+) mpp ([0-9.]+)")))
        p.cx = std::stod(m[1]), p.cy = std::stod(m[2]), p.mpp = std::stod(m[3]);
    return p;
}

/** The same figures from `gridwatch hotspots --method gi ARGS --json`. */
PanelResult run_cli(const std::string& args) {
    PanelResult p;
    auto r = run_gridwatch("hotspots " + community() + " --method gi " + args + " --json");
    p.status = r.status, p.out = r.out, p.err = r.err;
    if (r.status != 0) return p;
    const nlohmann::json j = nlohmann::json::parse(r.out);
    p.units = j["cells"].size();
    double best = -1;
    for (const auto& c : j["cells"]) {
        const std::string cls = c["class"];
        p.classes[cls]++;
        const double z = c["z"];
        if (cls != "ns" && std::abs(z) > best) best = std::abs(z), p.first = c["id"], p.first_z = z;
    }
    return p;
}

using gwtest::Shot;
Shot load(const std::string& path) { return gwtest::load_shot(path); }

/**
 * Share of the pixels that differ clearly between two screenshots in the map's open part of an
 * 1280×800 window: right of the layer panel, left of the hotspots panel, between the bars.
 */
double map_difference(const Shot& a, const Shot& b) {
    if (a.rgb.empty() || a.rgb.size() != b.rgb.size()) return -1;
    size_t n = 0, all = 0;
    for (int y = 40; y < 760; ++y)
        for (int x = 400; x < 800; ++x, ++all) {
            const size_t i = (size_t(y) * a.w + x) * 3;
            n += std::abs(a.rgb[i] - b.rgb[i]) + std::abs(a.rgb[i + 1] - b.rgb[i + 1]) +
                     std::abs(a.rgb[i + 2] - b.rgb[i + 2]) >
                 30;
        }
    return double(n) / all;
}

}  // namespace

TEST(ViewerHotspots, GiOptionsGiveTheClassCountsOfTheCommandLine) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    struct Case {
        const char* events;  // after key:hotspots_gi
        const char* cli;     // the same options on the command line
    };
    const Case cases[] = {
        {"", ""},
        {"key:gi_perm=999;key:gi_seed=7", "--permutations 999 --seed 7"},
        {"key:gi_fdr=1", "--fdr"},
        {"key:gi_perm=999;key:gi_seed=7;key:gi_fdr=1", "--permutations 999 --seed 7 --fdr"},
        {"key:gi_band=300", "--band 300"},
        {"key:gi_hex=60;key:gi_perm=99;key:gi_seed=3", "--hex 60 --permutations 99 --seed 3"},
        {"key:gi_level=3;key:gi_per=households", "--level 3 --per households"},
    };
    std::vector<std::map<std::string, int>> counts;
    for (const Case& c : cases) {
        SCOPED_TRACE(c.cli);
        const PanelResult panel = run_panel(std::string("key:hotspots_gi;") + c.events);
        ASSERT_EQ(panel.status, 0) << panel.err;
        const PanelResult cli = run_cli(c.cli);
        ASSERT_EQ(cli.status, 0) << cli.err;
        EXPECT_GT(panel.units, 0u) << panel.out;
        EXPECT_EQ(panel.units, cli.units) << panel.out;
        EXPECT_EQ(panel.classes, cli.classes) << panel.out;
        EXPECT_EQ(panel.first, cli.first) << panel.out;
        EXPECT_NEAR(panel.first_z, cli.first_z, 1e-4) << panel.out;
        counts.push_back(panel.classes);
    }
    // Each option does something: permutations, FDR and both move cells between classes.
    EXPECT_NE(counts[1], counts[0]);
    EXPECT_NE(counts[2], counts[0]);
    EXPECT_NE(counts[3], counts[1]);
    // FDR only takes significance away.
    EXPECT_GE(counts[2]["ns"], counts[0]["ns"] + 1);
}

TEST(ViewerHotspots, BandAndHexagonsChangeWhatIsDrawn) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    gwtest::TempDir d("viewer_hot");
    auto shot = [&](const std::string& name, const std::string& events) {
        const PanelResult p = run_panel("key:hotspots_gi" + events, d / name);
        EXPECT_EQ(p.status, 0) << p.err;
        return load(d / name);
    };
    const Shot queen = shot("queen.png", ""), again = shot("again.png", ""),
               band = shot("band.png", ";key:gi_band=300"), hex = shot("hex.png", ";key:gi_hex=60");
    ASSERT_EQ(queen.w, 1280);
    ASSERT_EQ(queen.h, 800);
    EXPECT_LT(map_difference(queen, again), 0.0005);  // the same options draw the same map
    EXPECT_GT(map_difference(queen, band), 0.01);     // other cells are hot with a 300 m band
    EXPECT_GT(map_difference(queen, hex), 0.05);      // the mesh is drawn, its hot hexagons filled
    // Back to queen contiguity, the map is as it was.
    EXPECT_LT(map_difference(queen, shot("back.png", ";key:gi_hex=60;key:gi_queen")), 0.0005);
}

TEST(ViewerHotspots, ClickingAResultRowCentresTheMapOnThatUnit) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    const gw::Dataset ds = gw::open_dataset({community()});
    for (const std::string options : {"", ";key:gi_hex=60"}) {
        SCOPED_TRACE(options);
        // Two idle frames let the panel settle its layout before the click.
        const std::string events = "key:hotspots_gi" + options + ";key:wait;key:wait";
        const PanelResult before = run_panel(events);
        ASSERT_EQ(before.status, 0) << before.err;
        ASSERT_FALSE(before.first.empty()) << before.out;
        ASSERT_GE(before.row_x, 0) << before.out;
        char click[64];
        std::snprintf(click, sizeof click, ";uiclick:%.0f,%.0f", before.row_x, before.row_y);
        const PanelResult after = run_panel(events + click);
        ASSERT_EQ(after.status, 0) << after.err;

        // Where the first unit is: a cell of the dataset, or the hexagon the same analysis builds.
        gw::GiSetup setup;
        if (!options.empty()) setup.hex_m = 60;
        const gw::GiAnalysis gi = gw::gi_star_analysis(ds, gw::filter_incidents(ds, {}), setup);
        gw::Box box;
        for (const gw::Grid* g : gi.units)
            if (g->grid_id == before.first) box = gw::bounds(g->shape);
        ASSERT_FALSE(box.empty()) << before.first;
        const gw::Vec2 c = box.center();
        EXPECT_GT(std::hypot(before.cx - c.x, before.cy - c.y), 100);  // the map was elsewhere …
        EXPECT_NEAR(after.cx, c.x, 0.5) << after.out;                   // … and now centres on the unit
        EXPECT_NEAR(after.cy, c.y, 0.5) << after.out;
        EXPECT_LT(after.mpp, before.mpp / 2);  // zoomed in on it
        if (options.empty()) {
            EXPECT_NE(after.out.find("selected: grids " + before.first), std::string::npos) << after.out;
        }
    }
}

TEST(ViewerHotspots, GiOptionsShowInEnglishWithLangEn) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    gwtest::TempDir d("viewer_hot_lang");
    const std::string events = "key:hotspots_gi;key:gi_band=300;key:gi_perm=99";
    auto zh = run_gridwatch("view " + community() + " --size 1280x800 --frames 4 --screenshot " + d / "zh.png" +
                                " --events \"" + events + "\"",
                            kXvfb);
    auto en = run_gridwatch("view " + community() + " --lang en --size 1280x800 --frames 4 --screenshot " +
                                d / "en.png" + " --events \"" + events + "\"",
                            kXvfb);
    ASSERT_EQ(zh.status, 0) << zh.err;
    ASSERT_EQ(en.status, 0) << en.err;
    const Shot a = load(d / "zh.png"), b = load(d / "en.png");
    ASSERT_EQ(a.rgb.size(), b.rgb.size());
    ASSERT_FALSE(a.rgb.empty());
    // The panel (right of x = 810, from y = 120) reads differently; the map does not.
    size_t panel = 0, all = 0;
    for (int y = 130; y < 700; ++y)
        for (int x = 820; x < 1200; ++x, ++all) {
            const size_t i = (size_t(y) * a.w + x) * 3;
            panel += std::abs(a.rgb[i] - b.rgb[i]) + std::abs(a.rgb[i + 1] - b.rgb[i + 1]) > 60;
        }
    EXPECT_GT(double(panel) / all, 0.01);
    EXPECT_LT(map_difference(a, b), 0.03);  // only the map's own labels, none of the panel's
}
