// Wall mode (SPEC §6): masking of what the wall shows, the layout drawn off-screen and checked by
// region, tiled = single render, georeferenced GeoTIFF and PDF, scenes from the CLI, and the wall
// window stepping scenes with PageDown under xvfb.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <gtest/gtest.h>
#include <imgui.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <array>
#include <cmath>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>

#include "app/render/gl_context.h"
#include "app/render/labels.h"
#include "app/render/scene.h"
#include "app/wall/wall.h"
#include "geo/core/times.h"
#include "geo/io/dataset.h"
#include "geo/io/project.h"
#include "tests/cli_run.h"
#include "tests/viewer_run.h"

using namespace gw;
using namespace gw::app;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

using gwtest::bundled;

WallContent fixed_content(const Dataset& ds) {
    WallContent c;
    c.figures = wall_figures(ds, "2026-11-27");
    c.figures.coverage = 0.617;
    c.clock = "09:30";
    c.date = "2026-11-27 星期五";
    return c;
}

bool is_background(const uint8_t* p) {
    const Rgba b = kWallBackground;
    return std::abs(p[0] - int(b & 255)) < 4 && std::abs(p[1] - int(b >> 8 & 255)) < 4 &&
           std::abs(p[2] - int(b >> 16 & 255)) < 4;
}

/** Fraction of pixels in `box` whose colour differs from the region's most common colour. */
double ink_fraction(const std::vector<uint8_t>& img, int w, const Box& box) {
    std::map<uint32_t, size_t> hist;
    size_t n = 0;
    for (int y = int(box.ymin) + 1; y < int(box.ymax) - 1; ++y)
        for (int x = int(box.xmin) + 1; x < int(box.xmax) - 1; ++x, ++n) {
            const uint8_t* p = &img[(size_t(y) * w + x) * 4];
            ++hist[uint32_t(p[0]) | uint32_t(p[1]) << 8 | uint32_t(p[2]) << 16];
        }
    size_t top = 0;
    for (auto& [c, k] : hist) top = std::max(top, k);
    return n ? 1.0 - double(top) / n : 0;
}

}  // namespace

TEST(WallMasking, PersonLabelsAndSceneTextAreMasked) {
    EXPECT_EQ(wall_person_label("张三丰"), "张*丰");
    EXPECT_EQ(wall_person_label("张三"), "张*");
    Dataset ds;
    Grid g;
    g.manager = "李晓梅";
    g.phone = "13812341234";
    ds.grids.push_back(g);
    Household h;
    h.head = "王大富";
    h.phone = "13987654321";
    ds.households.push_back(h);
    const std::string t =
        wall_mask_text("网格长 李晓梅 13812341234，户主王大富 电话13987654321，值班 15011112222", ds);
    EXPECT_EQ(t.find("李晓梅"), std::string::npos) << t;
    EXPECT_EQ(t.find("王大富"), std::string::npos) << t;
    EXPECT_NE(t.find("李*梅"), std::string::npos) << t;
    EXPECT_NE(t.find("138****1234"), std::string::npos) << t;
    EXPECT_EQ(t.find("13987654321"), std::string::npos) << t;
    EXPECT_EQ(t.find("15011112222"), std::string::npos) << t;  // any phone-like run
}

TEST(WallMasking, DefaultScenesOfBundledDataShowNoNameOrPhone) {
    const Dataset& ds = bundled();
    const auto scenes = default_scenes(ds);
    std::string shown;
    for (const auto& s : scenes) shown += wall_mask_text(s.title, ds) + "|" + wall_mask_text(s.subtitle, ds) + "|";
    shown += wall_glyph_text(ds, scenes);
    int managers = 0;
    for (const auto& g : ds.grids) {
        if (g.manager.size() >= 2) {
            ++managers;
            EXPECT_EQ(shown.find(g.manager), std::string::npos) << g.manager;
        }
        if (g.phone.size() >= 7) {
            EXPECT_EQ(shown.find(g.phone), std::string::npos) << g.phone;
        }
    }
    EXPECT_GT(managers, 0);  // the area scenes' subtitles do name the grid heads
    for (const auto& h : ds.households) {
        if (h.head.size() >= 6) {
            EXPECT_EQ(shown.find(h.head), std::string::npos) << h.head;
        }
    }
}

TEST(WallFigures, MonthFallsBackToNewestIncident) {
    Dataset ds;
    for (const char* t : {"2024-05-03T10:00:00", "2024-06-01T08:00:00", "2024-06-20T08:00:00"}) {
        Incident in;
        in.time = t, in.when = gw::parse_incident_time(t);  // as reading does
        in.color = std::string(t).substr(8, 2) == "20" ? "red" : "green";
        ds.incidents.push_back(in);
    }
    const WallFigures f = wall_figures(ds, "2026-11-27");
    EXPECT_EQ(f.month, "2024-06");
    EXPECT_TRUE(f.month_from_data);
    EXPECT_EQ(f.incidents[0], 1);
    EXPECT_EQ(f.incidents[3], 1);
}

TEST(WallRender, LayoutRegionsDrawnAndTilesEqualSingle) {
    HeadlessGl gl;
    const Dataset& ds = bundled();
    const auto scenes = default_scenes(ds);
    const WallContent content = fixed_content(ds);
    const int w = 960, h = 540;
    MapView v1, v2;
    const auto single = render_wall_image(ds, scenes, "", w, h, v1, 0, &content);
    const auto tiled = render_wall_image(ds, scenes, "", w, h, v2, 200, &content);
    ASSERT_EQ(single.size(), tiled.size());
    int worst = 0;
    for (size_t i = 0; i < single.size(); ++i) worst = std::max(worst, std::abs(single[i] - tiled[i]));
    EXPECT_LE(worst, 1);

    const WallLayout L = wall_layout(w, h);
    for (int i = 0; i < 4; ++i) EXPECT_GT(ink_fraction(single, w, L.tile[size_t(i)]), 0.02) << "tile " << i;
    EXPECT_GT(ink_fraction(single, w, L.legend_band), 0.02);
    EXPECT_GT(ink_fraction(single, w, L.title_band), 0.02);
    // The map area shows the data, not only the background.
    size_t drawn = 0, n = 0;
    for (int y = int(L.map.ymin); y < int(L.map.ymax); y += 3)
        for (int x = int(L.map.xmin); x < int(L.map.xmax); x += 3, ++n)
            drawn += !is_background(&single[(size_t(y) * w + x) * 4]);
    EXPECT_GT(double(drawn) / n, 0.2);
}

TEST(WallRender, ASubtitleTooLongForANarrowWallIsCutBeforeTheDate) {
    // A portrait wall: the subtitle, at its smallest legible size, would run into the date.
    HeadlessGl gl;
    const Dataset& ds = bundled();
    auto scenes = default_scenes(ds);
    const WallContent content = fixed_content(ds);
    const int w = 540, h = 960;
    const WallLayout L = wall_layout(w, h);
    auto band_half = [&](const std::string& subtitle) {  // the title band's lower half, RGB rows
        scenes[0].subtitle = subtitle;
        MapView v;
        const auto img = render_wall_image(ds, scenes, scenes[0].name, w, h, v, 0, &content);
        std::vector<std::array<uint8_t, 3>> half;
        for (int y = int(L.title_band.height() / 2); y < int(L.title_band.ymax) - 2; ++y)
            for (int x = 0; x < w; ++x) {
                const uint8_t* p = &img[(size_t(y) * w + size_t(x)) * 4];
                half.push_back({p[0], p[1], p[2]});
            }
        return half;
    };
    const auto alone = band_half(""),
               crowded = band_half("网格巡查 · 未巡查网格 · 网格巡查 · 未巡查网格 · 网格巡查 · 未巡查网格");
    // Where the date begins: the leftmost column of the right half with ink when there is no subtitle.
    const size_t rows = alone.size() / size_t(w);
    int date_x = w;
    for (size_t r = 0; r < rows; ++r)
        for (int x = w / 2; x < date_x; ++x)
            if (alone[r * size_t(w) + size_t(x)] != alone[size_t(w) - 1]) date_x = x;
    ASSERT_LT(date_x, w - 40);
    // From a little before it to the wall's edge, the long subtitle changes nothing, and it is drawn.
    for (size_t r = 0; r < rows; ++r)
        for (int x = date_x - 4; x < w; ++x)
            ASSERT_EQ(crowded[r * size_t(w) + size_t(x)], alone[r * size_t(w) + size_t(x)])
                << "row " << r << " x " << x;
    EXPECT_NE(crowded, alone);
}

TEST(WallLayout, APortraitWallStacksMapLegendAndTilesAcrossItsWidth) {
    // A screen turned upright is sized by its width, as a landscape one by its height: before, its
    // text was 1.8 times as large, its tiles a column 40% of its width, and its legend ran under them.
    const WallLayout P = wall_layout(1080, 1920), W = wall_layout(1920, 1080);
    EXPECT_TRUE(P.portrait);
    EXPECT_FALSE(W.portrait);
    EXPECT_EQ(P.scale, W.scale);
    // Title, map, legend and tiles one under the other, each as wide as the wall.
    EXPECT_EQ(P.map.ymin, P.title_band.ymax);
    EXPECT_EQ(P.legend_band.ymin, P.map.ymax);
    EXPECT_EQ(P.tiles.ymin, P.legend_band.ymax);
    EXPECT_EQ(P.tiles.ymax, 1920);
    for (const Box& b : {P.title_band, P.map, P.legend_band, P.tiles}) EXPECT_EQ(b.width(), 1080);
    EXPECT_GT(P.map.height(), 0.5 * 1920);
    // Two by two in the tiles' band, none over another, each as tall as a landscape wall's.
    for (size_t i = 0; i < 4; ++i) {
        const Box& t = P.tile[i];
        EXPECT_TRUE(t.xmin >= 0 && t.xmax <= 1080 && t.ymin >= P.tiles.ymin && t.ymax <= 1920) << i;
        EXPECT_NEAR(t.height(), W.tile[i].height(), 1e-9) << i;
        for (size_t j = 0; j < i; ++j) {
            const Box& u = P.tile[j];
            EXPECT_TRUE(t.xmax <= u.xmin || u.xmax <= t.xmin || t.ymax <= u.ymin || u.ymax <= t.ymin)
                << i << j;
        }
    }
    // The checks scene's list: a band across the map's top, that scene's map fitted under it.
    EXPECT_EQ(P.list.width(), P.map.width());
    EXPECT_EQ(P.list.ymin, P.map.ymin);
    EXPECT_EQ(P.beside_list.ymin, P.list.ymax);
    EXPECT_EQ(P.beside_list.ymax, P.map.ymax);
    EXPECT_GT(P.beside_list.height(), 0.55 * P.map.height());
    // A landscape wall as before: the tiles a column at the right, the list a column at the map's left.
    EXPECT_EQ(W.tiles.xmin, 1920 - 560);
    EXPECT_EQ(W.map.xmax, W.tiles.xmin);
    EXPECT_EQ(W.legend_band.xmax, W.tiles.xmin);
    EXPECT_EQ(W.list.xmax, 600);
    EXPECT_EQ(W.beside_list.xmin, 600);
    EXPECT_EQ(W.beside_list.ymin, W.map.ymin);
}

TEST(WallRender, TheLegendKeepsToItsBand) {
    // The English names ran on past the legend's band: into the tiles' column on a 1920×1080 wall,
    // off the edge of a portrait one. They now shrink (names to the legible size, then all alike).
    HeadlessGl gl;
    const Dataset& ds = bundled();
    const auto scenes = default_scenes(ds);
    WallContent content = fixed_content(ds);
    content.lang = Lang::En;
    const ImU32 panel = IM_COL32(22, 28, 40, 255);
    for (const auto& [w, h] : {std::pair{1920, 1080}, std::pair{1080, 1920}})
        for (const char* scene : {"blind-spots", "hotspots"}) {
            MapView v;
            const auto img = render_wall_image(ds, scenes, scene, w, h, v, 0, &content);
            const WallLayout L = wall_layout(w, h);
            EXPECT_GT(ink_fraction(img, w, L.legend_band), 0.02) << w << "x" << h << " " << scene;
            // The band's last three quarters of a margin are the panel's colour alone.
            size_t ink = 0;
            for (int y = int(L.legend_band.ymin) + 2; y < int(L.legend_band.ymax) - 2; ++y)
                for (int x = int(L.legend_band.xmax - 30 * L.scale); x < int(L.legend_band.xmax); ++x) {
                    const uint8_t* p = &img[(size_t(y) * w + x) * 4];
                    ink += std::abs(p[0] - int(panel & 255)) + std::abs(p[1] - int(panel >> 8 & 255)) +
                               std::abs(p[2] - int(panel >> 16 & 255)) >
                           12;
                }
            EXPECT_EQ(ink, 0u) << w << "x" << h << " " << scene;
        }
}

TEST(WallCli, SceneExtentGeoTiffAndGeospatialPdf) {
    TempDir dir("wallcli");
    const Dataset& ds = bundled();
    const auto scenes = default_scenes(ds);
    const auto it = std::find_if(scenes.begin(), scenes.end(), [](const auto& s) { return s.name == "luojiadapo"; });
    ASSERT_NE(it, scenes.end());
    const MapView expect = wall_view(it->extent, 960, 540);
    const Box shown = expect.world_box();
    GDALAllRegister();
    for (const char* ext : {"tif", "pdf"}) {
        const std::string out = dir / (std::string("wall.") + ext);
        auto r = run_gridwatch("render " + bundled_dataset_path() + " --wall --scene luojiadapo --out " + out +
                                   " --size 960x540 --max-tile 512",
                               "env -u DISPLAY");
        ASSERT_EQ(r.status, 0) << r.err;
        GDALDatasetUniquePtr img(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
        ASSERT_TRUE(img) << out;
        ASSERT_TRUE(img->GetSpatialRef()) << ext;
        EXPECT_STREQ(img->GetSpatialRef()->GetAuthorityCode(nullptr), "4542") << ext;
        double gt[6];
        ASSERT_EQ(img->GetGeoTransform(gt), CE_None) << ext;
        // The PDF page is 150 dpi: its raster may be rescaled, so compare the ground it spans.
        const double x1 = gt[0] + img->GetRasterXSize() * gt[1], y1 = gt[3] + img->GetRasterYSize() * gt[5];
        const double tol = std::string(ext) == "pdf" ? shown.width() * 0.01 : 1e-6 * shown.width();
        EXPECT_NEAR(gt[0], shown.xmin, tol) << ext;
        EXPECT_NEAR(gt[3], shown.ymax, tol) << ext;
        EXPECT_NEAR(x1, shown.xmax, tol) << ext;
        EXPECT_NEAR(y1, shown.ymin, tol) << ext;
        if (std::string(ext) == "tif") {
            EXPECT_NEAR(gt[1], expect.mpp, 1e-9);
        }
        if (std::string(ext) == "pdf") {
            // The grid cells ride along as georeferenced vectors (GDAL's PDF driver, OGR_DATASOURCE).
            GDALDatasetUniquePtr vec(GDALDataset::Open(out.c_str(), GDAL_OF_VECTOR));
            ASSERT_TRUE(vec);
            OGRLayer* layer = vec->GetLayerByName("grids");
            ASSERT_TRUE(layer);
            EXPECT_GT(layer->GetFeatureCount(), 0);
            OGREnvelope env;
            ASSERT_EQ(layer->GetExtent(&env), OGRERR_NONE);
            EXPECT_LT(env.MinX, shown.xmax);
            EXPECT_GT(env.MaxX, shown.xmin);
            EXPECT_LT(env.MinY, shown.ymax);
            EXPECT_GT(env.MaxY, shown.ymin);
        }
    }
    auto bad = run_gridwatch("render " + bundled_dataset_path() + " --wall --scene nosuch --out " + (dir / "x.png"),
                             "env -u DISPLAY");
    EXPECT_EQ(bad.status, 1);
    EXPECT_NE(bad.err.find("luojiadapo"), std::string::npos) << bad.err;  // lists the names
}

// A scene of the project file naming a layer the map has not, or an overlay there is none of, drew
// an empty map (or none of its overlay) with exit 0; two scenes of one name showed the first.
TEST(WallCli, AScenesUnknownLayerOrOverlayIsOneLineExit1) {
    TempDir dir("wall_scene_check");
    const std::string data = dir / "d.gpkg";
    std::filesystem::copy_file(bundled_dataset_path(), data);
    const std::string scene = R"({"name": "a", "extent": [467000, 2720000, 469000, 2721000])";
    const std::vector<std::pair<std::string, std::string>> cases = {
        {scene + R"(, "layers": ["nosuch"]})", "names a layer 'nosuch' the map does not have"},
        {scene + R"(, "layers": ["grids"], "overlay": "bogus"})", "overlay 'bogus' is none the wall has"},
        {scene + "}, " + scene + "}", "two scenes are named 'a'"},
    };
    for (const auto& [scenes, what] : cases) {
        dir.write("d.gpkg.gridwatch.json", R"({"scenes": [)" + scenes + "]}");
        const auto r = run_gridwatch("render " + data + " --wall --size 960x540 --out " + dir / "w.png",
                                     "env -u DISPLAY");
        EXPECT_EQ(r.status, 1) << scenes;
        EXPECT_EQ(r.error_lines(), 1) << r.err;
        EXPECT_NE(r.err.find(what), std::string::npos) << r.err;
        EXPECT_NE(r.err.find("d.gpkg.gridwatch.json"), std::string::npos) << r.err;
    }
    dir.write("d.gpkg.gridwatch.json",
              R"({"scenes": [)" + scene + R"(, "layers": ["grids", "basemap"], "overlay": "kde"}]})");
    const auto ok =
        run_gridwatch("render " + data + " --wall --size 960x540 --out " + dir / "w.png", "env -u DISPLAY");
    EXPECT_EQ(ok.status, 0) << ok.err;
}

TEST(WallWindow, PageDownStepsToTheNextScene) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    TempDir dir("wallwin");
    const char* xvfb = "xvfb-run -a -s \"-screen 0 1280x800x24\"";
    const auto scenes = default_scenes(bundled());
    ASSERT_GE(scenes.size(), 3u);
    const std::string base = "view " + bundled_dataset_path() + " --wall --size 960x540 --frames 6";
    auto a = run_gridwatch(base + " --screenshot " + (dir / "a.png"), xvfb);
    ASSERT_EQ(a.status, 0) << a.err;
    EXPECT_NE(a.out.find("scene: " + scenes[0].name), std::string::npos) << a.out;
    auto b = run_gridwatch(base + " --events 'key:pagedown;key:pagedown;key:pageup' --screenshot " + (dir / "b.png"),
                           xvfb);
    ASSERT_EQ(b.status, 0) << b.err;
    EXPECT_NE(b.out.find("scene: " + scenes[1].name), std::string::npos) << b.out;
    auto c = run_gridwatch(base + " --scene luojiadapo", xvfb);
    ASSERT_EQ(c.status, 0) << c.err;
    EXPECT_NE(c.out.find("scene: luojiadapo"), std::string::npos) << c.out;
    EXPECT_NE(gwtest::slurp(dir / "a.png"), gwtest::slurp(dir / "b.png"));
}

TEST(WallLabels, MapNamesAtLeastTheWallMinimumAndNeverPeople) {
    const Dataset& ds = bundled();
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    const WallFonts fonts = load_wall_fonts(io.Fonts, 1920, 1080, wall_glyph_text(ds, default_scenes(ds)));
    io.Fonts->Build();
    gw::app::Scene map = build_scene(ds);
    darken_scene_for_wall(map, ds);
    const MapView view = wall_view(map.extent, 1920, 1080);
    const auto labels = wall_labels(map, view, fonts);
    EXPECT_GT(labels.size(), 5u);
    for (const auto& l : labels) {
        EXPECT_GE(l.px, kWallMinTextPx) << l.candidate->text;
        for (const auto& g : ds.grids) {
            if (g.manager.size() >= 4) {
                EXPECT_EQ(l.candidate->text.find(g.manager), std::string::npos);
            }
        }
        for (const auto& h : ds.households) {
            if (h.head.size() >= 4) {
                EXPECT_NE(l.candidate->text, h.head);
            }
        }
    }
    ImGui::DestroyContext(ctx);
}

namespace {

/** Pixels of the map area of a w×h wall whose colour differs (any channel > 24) between a and b. */
size_t map_pixels_differing(const std::vector<uint8_t>& a, const std::vector<uint8_t>& b, int w, int h) {
    const WallLayout L = wall_layout(w, h);
    size_t n = 0;
    for (int y = int(L.map.ymin) + 1; y < int(L.map.ymax) - 1; ++y)
        for (int x = int(L.map.xmin) + 1; x < int(L.map.xmax) - 1; ++x) {
            const size_t i = (size_t(y) * w + x) * 4;
            n += std::abs(a[i] - b[i]) > 24 || std::abs(a[i + 1] - b[i + 1]) > 24 || std::abs(a[i + 2] - b[i + 2]) > 24;
        }
    return n;
}

/** Map-area pixels in the gaps' magenta (strong red and blue, little green). */
size_t magenta_pixels(const std::vector<uint8_t>& img, int w, int h) {
    const WallLayout L = wall_layout(w, h);
    size_t n = 0;
    for (int y = int(L.map.ymin); y < int(L.map.ymax); ++y)
        for (int x = int(L.map.xmin); x < int(L.map.xmax); ++x) {
            const uint8_t* p = &img[(size_t(y) * w + x) * 4];
            n += p[0] > 150 && p[2] > 120 && p[1] + 60 < p[0] && p[1] + 40 < p[2];
        }
    return n;
}

}  // namespace

/** The default scenes and, for each overlay given, a copy of "hotspots" named "x-OVERLAY" showing it. */
std::vector<gw::Scene> with_hotspot_copies(const Dataset& ds, std::initializer_list<const char*> overlays) {
    auto scenes = default_scenes(ds);
    const auto hot = std::find_if(scenes.begin(), scenes.end(), [](const auto& s) { return s.name == "hotspots"; });
    EXPECT_NE(hot, scenes.end());
    if (hot == scenes.end()) return scenes;
    const gw::Scene base = *hot;
    for (const char* overlay : overlays) {
        gw::Scene sc = base;
        sc.name = std::string("x-") + overlay, sc.overlay = overlay;
        scenes.push_back(sc);
    }
    return scenes;
}

TEST(WallScenesOverlay, OverlayLayersVisibleOnlyOnTheirScenes) {
    const Dataset& ds = bundled();
    gw::app::Scene map = build_scene(ds, 5);
    CoverageReport rep;  // empty report: the layers exist, visibility is what is checked
    add_wall_coverage_overlays(map, ds, rep);
    const std::string month = wall_figures(ds, "2026-11-27").month;
    add_wall_kde_overlay(map, ds, month);
    add_wall_gi_overlay(map, ds, month);
    add_wall_warning_overlay(map, ds, month);
    WallScenes ws(with_hotspot_copies(ds, {"gi", "warning"}));
    MapView v;
    auto visible = [&](LayerId id) {
        for (const auto& L : map.layers)
            if (L.id == id) return L.visible;
        ADD_FAILURE() << "no layer " << int(id);
        return false;
    };
    auto show = [&](const char* scene) {
        ws.go(ws.find(scene));
        ws.apply(map, v, 960, 540);
    };
    show("blind-spots");
    EXPECT_TRUE(visible(LayerId::Gaps));
    EXPECT_FALSE(visible(LayerId::Hotspots));
    EXPECT_FALSE(visible(LayerId::Coverage));
    show("hotspots");
    EXPECT_FALSE(visible(LayerId::Gaps));
    EXPECT_TRUE(visible(LayerId::Hotspots));
    EXPECT_FALSE(visible(LayerId::GiCells));
    show("x-gi");
    EXPECT_TRUE(visible(LayerId::GiCells));
    EXPECT_FALSE(visible(LayerId::WarningCells));
    EXPECT_FALSE(visible(LayerId::Hotspots));
    show("x-warning");
    EXPECT_FALSE(visible(LayerId::GiCells));
    EXPECT_TRUE(visible(LayerId::WarningCells));
    ws.go(0);
    ws.apply(map, v, 960, 540);
    if (ws.scene().overlay.empty()) {
        EXPECT_FALSE(visible(LayerId::Gaps));
        EXPECT_FALSE(visible(LayerId::Hotspots));
    }
    // The KDE raster: transparent at zero, peak > 0, at most ~4096 cells on a side.
    for (const auto& L : map.layers)
        if (L.id == LayerId::Hotspots) {
            EXPECT_GT(L.raster.vmax, 0);
            EXPECT_LE(std::max(L.raster.width, L.raster.height), 4200);
        }
}

TEST(WallRender, BlindSpotsAndHotspotsDrawTheirOverlay) {
    HeadlessGl gl;
    const Dataset& ds = bundled();
    // "x-": the same extent as the overlay scenes, without an overlay.
    const auto scenes = with_hotspot_copies(ds, {""});
    const WallContent content = fixed_content(ds);
    const int w = 960, h = 540;
    MapView v0, v1, v2;
    const auto base = render_wall_image(ds, scenes, "x-", w, h, v0, 0, &content);
    const auto gaps = render_wall_image(ds, scenes, "blind-spots", w, h, v1, 0, &content);
    const auto kde = render_wall_image(ds, scenes, "hotspots", w, h, v2, 0, &content);
    EXPECT_EQ(v0.mpp, v1.mpp);
    EXPECT_EQ(v0.mpp, v2.mpp);
    const size_t map_px = size_t(wall_layout(w, h).map.width() * wall_layout(w, h).map.height());
    EXPECT_GT(map_pixels_differing(base, gaps, w, h), map_px / 200) << "gaps overlay not drawn";
    EXPECT_GT(map_pixels_differing(base, kde, w, h), map_px / 200) << "KDE overlay not drawn";
    EXPECT_GT(magenta_pixels(gaps, w, h), magenta_pixels(base, w, h) + 100);
    EXPECT_GT(ink_fraction(gaps, w, wall_layout(w, h).legend_band), ink_fraction(base, w, wall_layout(w, h).legend_band));
}

namespace {

/**
 * `gridwatch hotspots --method METHOD --level 4 --json` on the bundled data over the 12 months
 * ending with `month` (as the wall's overlays take them): per cell, the field `value_key`.
 */
std::map<std::string, std::string> cells_by(const Dataset& ds, const std::string& month, const std::string& method,
                                            const std::string& id_key, const std::string& value_key) {
    std::map<std::string, std::string> out;
    int y = 0, m = 0;
    EXPECT_EQ(std::sscanf(month.c_str(), "%d-%d", &y, &m), 2) << month;
    int fy = y, fm = m - 11;
    if (fm < 1) fm += 12, --fy;
    char from[32];
    std::snprintf(from, sizeof from, "%04d-%02d-01", fy, fm);
    auto cli = run_gridwatch("hotspots " + bundled_dataset_path() + " --method " + method + " --level 4 --from " +
                             from + " --to " + month.substr(0, 7) + "-31 --json");
    EXPECT_EQ(cli.status, 0) << cli.err;
    if (cli.status != 0) return out;
    const nlohmann::json cells = nlohmann::json::parse(cli.out)["cells"];
    for (const auto& c : cells) out[c[id_key].get<std::string>()] = c[value_key].get<std::string>();
    EXPECT_EQ(out.size(), ds.grids_of_level(4).size());
    return out;
}

/** The RGBA offset of a cell's centroid in a w×h wall image, when it lies inside the cell and the map. */
std::optional<size_t> centroid_pixel(const Grid& g, const MapView& v, int w, int h) {
    const Vec2 c = centroid(g.shape);
    if (!inside(g.shape, c)) return std::nullopt;
    const Vec2 px = v.to_screen(c);
    const Box map = wall_layout(w, h).map;
    if (px.x < map.xmin + 2 || px.x > map.xmax - 2 || px.y < map.ymin + 2 || px.y > map.ymax - 2) return std::nullopt;
    return (size_t(px.y) * size_t(w) + size_t(px.x)) * 4;
}

}  // namespace

TEST(WallRender, GiAndWarningScenesDrawTheirCells) {
    HeadlessGl gl;
    const Dataset& ds = bundled();
    const auto scenes = with_hotspot_copies(ds, {"", "gi", "warning"});
    const WallContent content = fixed_content(ds);
    const int w = 960, h = 540;
    MapView v0, v1, v2;
    const auto base = render_wall_image(ds, scenes, "x-", w, h, v0, 0, &content);
    const auto gi = render_wall_image(ds, scenes, "x-gi", w, h, v1, 0, &content);
    const auto warn = render_wall_image(ds, scenes, "x-warning", w, h, v2, 0, &content);
    const Box band = wall_layout(w, h).legend_band;
    const size_t map_px = size_t(wall_layout(w, h).map.width() * wall_layout(w, h).map.height());
    // The bundled incidents cluster: some cells are hot, and every level-4 cell gets a warning colour.
    EXPECT_GT(map_pixels_differing(base, gi, w, h), map_px / 200) << "Gi* overlay not drawn";
    EXPECT_GT(map_pixels_differing(base, warn, w, h), map_px / 20) << "warning overlay not drawn";
    EXPECT_GT(ink_fraction(gi, w, band), ink_fraction(base, w, band)) << "no Gi* legend";
    EXPECT_GT(ink_fraction(warn, w, band), ink_fraction(base, w, band)) << "no warning legend";

    // Cell by cell: where a level-4 cell's centroid lies inside it and nothing is drawn over it, the
    // overlay moves the plain map's pixel towards the colour `gridwatch hotspots` gives that cell for
    // the same 12 months: the warning colour; for Gi*, red-ward for hot, blue-ward for cold, and no
    // change at all for cells that are not significant.
    const auto warning = cells_by(ds, content.figures.month, "warning", "grid_id", "colour");
    const auto gi_class = cells_by(ds, content.figures.month, "gi", "id", "class");
    const std::map<std::string, std::array<int, 3>> rgb = {
        {"red", {240, 62, 62}}, {"yellow", {250, 204, 21}}, {"blue", {59, 130, 246}}, {"green", {64, 192, 87}}};
    int probed = 0, matched = 0, hot_cold = 0, gi_matched = 0, ns = 0, ns_unchanged = 0;
    for (const Grid* g : ds.grids_of_level(4)) {
        const auto px = centroid_pixel(*g, v2, w, h);
        if (!px) continue;
        const size_t i = *px;
        const std::array<int, 3> d = {warn[i] - base[i], warn[i + 1] - base[i + 1], warn[i + 2] - base[i + 2]};
        const std::array<int, 3> dg = {gi[i] - base[i], gi[i + 1] - base[i + 1], gi[i + 2] - base[i + 2]};
        const std::string cls = gi_class.at(g->grid_id);
        if (cls == "ns") {
            ++ns, ns_unchanged += dg == std::array<int, 3>{0, 0, 0};
        } else if (std::abs(dg[0]) + std::abs(dg[2]) >= 6) {
            ++hot_cold, gi_matched += cls.rfind("hot", 0) == 0 ? dg[0] > dg[2] : dg[2] > dg[0];
        }
        if (std::abs(d[0]) + std::abs(d[1]) + std::abs(d[2]) < 6) continue;  // a symbol or label drawn on top
        // Which of the four colours the drawn shift points to best.
        std::string best;
        double best_cos = -2;
        for (const auto& [name, c3] : rgb) {
            const std::array<int, 3> e = {c3[0] - base[i], c3[1] - base[i + 1], c3[2] - base[i + 2]};
            const double dot = double(d[0]) * e[0] + double(d[1]) * e[1] + double(d[2]) * e[2];
            const double n = std::sqrt(double(d[0]) * d[0] + double(d[1]) * d[1] + double(d[2]) * d[2]) *
                             std::sqrt(double(e[0]) * e[0] + double(e[1]) * e[1] + double(e[2]) * e[2]);
            if (n > 0 && dot / n > best_cos) best_cos = dot / n, best = name;
        }
        ++probed;
        matched += best == warning.at(g->grid_id);
    }
    ASSERT_GT(probed, 40);
    EXPECT_EQ(matched, probed);
    ASSERT_GT(hot_cold, 5);
    EXPECT_EQ(gi_matched, hot_cold);
    ASSERT_GT(ns, 20);
    EXPECT_EQ(ns_unchanged, ns);
}
