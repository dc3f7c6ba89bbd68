// The off-screen renderer: small known scenes checked pixel by pixel (the MapLibre way), tiling,
// labels, and `gridwatch render` end to end with no X display.
#include <epoxy/gl.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <numbers>

#include "app/render/fonts.h"
#include "app/render/gl_context.h"
#include "app/render/labels.h"
#include "app/render/renderer.h"
#include "app/render/scene.h"
#include "geo/demo/demo.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/pixels.h"

using namespace gw;
using namespace gw::app;
using gwtest::at;
using gwtest::near;
using gwtest::Pixel;
using gwtest::unpack;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

// Gauss-Kruger-sized coordinates on purpose: float precision problems show up only out here.
constexpr double kX0 = 466000, kY0 = 2720000;

MultiPolygon square(double x0, double y0, double x1, double y1) {
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}

/** One 1 km community cell with a road camera in the middle looking east (fov 90, range 300 m). */
Dataset small_community() {
    Dataset ds;
    ds.work_crs = "EPSG:4542";
    Grid g;
    g.grid_id = "C";
    g.level = 1;
    g.name = "大坪子社区";
    g.shape = square(kX0, kY0, kX0 + 1000, kY0 + 1000);
    ds.grids.push_back(g);
    Camera c;
    c.cam_id = "K1";
    c.owner = "road";
    c.azimuth = 90;
    c.fov = 90;
    c.range = 300;
    c.status = "online";
    c.pos = {kX0 + 500, kY0 + 500};
    ds.cameras.push_back(c);
    return ds;
}

::testing::AssertionResult same_color(Pixel a, Pixel b, int tol = 6) {
    if (near(a, b, tol)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "(" << a.r << "," << a.g << "," << a.b << ") vs (" << b.r << "," << b.g << "," << b.b << ")";
}

/** Source-over blend of `c` at its alpha onto the paper background. */
Pixel over_background(Rgba c) {
    const double a = (c >> 24 & 255) / 255.0;
    Pixel s = unpack(c), d = unpack(kMapBackground);
    return {int(std::lround(s.r * a + d.r * (1 - a))), int(std::lround(s.g * a + d.g * (1 - a))),
            int(std::lround(s.b * a + d.b * (1 - a)))};
}

}  // namespace

TEST(RenderScene, TriangulationCoversPolygonWithHole) {
    Polygon p{{Ring{{0, 0}, {10, 0}, {10, 10}, {5, 12}, {0, 10}}, Ring{{3, 3}, {6, 3}, {6, 6}, {3, 6}}}};
    auto tris = triangulate(p);
    ASSERT_EQ(tris.size() % 3, 0u);
    double sum = 0;
    for (size_t i = 0; i < tris.size(); i += 3)
        sum += std::abs(cross(tris[i + 1] - tris[i], tris[i + 2] - tris[i])) / 2;
    EXPECT_NEAR(sum, area(p), 1e-6);
    // Convex rings take the fan path and are exact too.
    Polygon q{{Ring{{0, 0}, {4, 0}, {4, 3}, {0, 3}}}};
    EXPECT_EQ(triangulate(q).size(), 6u);
}

TEST(RenderScene, FitShowsExactExtentLargerSideFitted) {
    Box b{100, 200, 500, 400};  // 400 × 200 m into 200 × 200 px: width fitted, height centred
    MapView v = MapView::fit(b, 200, 200);
    EXPECT_DOUBLE_EQ(v.mpp, 2.0);
    Box shown = v.world_box();
    EXPECT_DOUBLE_EQ(shown.xmin, 100);
    EXPECT_DOUBLE_EQ(shown.xmax, 500);
    EXPECT_DOUBLE_EQ(shown.ymin, 100);
    EXPECT_DOUBLE_EQ(shown.ymax, 500);
    // Zooming at a point keeps that point under the cursor.
    Vec2 before = v.to_world({37, 150});
    v.zoom_at({37, 150}, 2.5);
    Vec2 after = v.to_world({37, 150});
    EXPECT_NEAR(before.x, after.x, 1e-9);
    EXPECT_NEAR(before.y, after.y, 1e-9);
}

namespace {

/** The points of a layer's bands that show at `mpp` (anywhere on the map). */
std::vector<PointInstance> points_shown(const SceneLayer& L, double mpp) {
    std::vector<PointInstance> out;
    for (const ScaleBand& b : L.point_bands)
        if (b.min_mpp <= mpp && mpp < b.max_mpp) out.insert(out.end(), L.points.begin() + long(b.first), L.points.begin() + long(b.first + b.count));
    return out;
}
size_t lines_shown(const SceneLayer& L, double mpp) {
    size_t n = 0;
    for (const ScaleBand& b : L.line_bands)
        if (b.min_mpp <= mpp && mpp < b.max_mpp) n += b.count;
    return n;
}

}  // namespace

TEST(RenderScene, FarOutCamerasThinnedAndAnOfflineOneKeptOnTop) {
    Dataset ds = small_community();
    // 40 online cameras and one offline one inside one 30 m square of the working CRS's grid
    // (x 466,110–466,140, y 2,720,100–2,720,130), which also lies in one 120 m square.
    for (int k = 0; k < 41; ++k) {
        Camera c = ds.cameras[0];
        c.cam_id = "N" + std::to_string(k);
        c.pos = {kX0 + 111 + (k % 8), kY0 + 101 + (k / 8)};
        c.status = k == 23 ? "offline" : "online";
        ds.cameras.push_back(c);
    }
    const Scene scene = build_scene(ds);
    const SceneLayer& L = scene.layer(LayerId::Cameras);
    EXPECT_EQ(points_shown(L, 1).size(), 42u);   // close in: every camera
    EXPECT_EQ(points_shown(L, 14).size(), 42u);  // a community on screen: still every camera
    for (double mpp : {20.0, 100.0}) {           // a county, a prefecture: one symbol for the cluster
        const auto shown = points_shown(L, mpp);
        ASSERT_EQ(shown.size(), 2u) << mpp;
        int rings = 0;
        for (const auto& p : shown) rings += p.shape == float(int(Symbol::Ring));
        EXPECT_EQ(rings, 1) << "the offline camera's ring stands for its square at " << mpp << " m/px";
    }
    // An off-screen image built for one scale holds only that scale's points.
    EXPECT_EQ(points_shown(build_scene(ds, 100).layer(LayerId::Cameras), 100).size(), 2u);
}

TEST(RenderScene, FarOutEnterpriseOutlinesAndFillsAreSimplified) {
    Dataset ds = small_community();
    Enterprise e;
    e.name = "圆厂";
    Ring ring;
    for (int k = 0; k < 256; ++k) {
        const double a = 2 * std::numbers::pi * k / 256;
        ring.push_back({kX0 + 500 + 60 * std::cos(a), kY0 + 500 + 60 * std::sin(a)});
    }
    e.shape = {Polygon{{ring}}};
    ds.enterprises.push_back(e);
    const Scene scene = build_scene(ds);
    const SceneLayer& L = scene.layer(LayerId::Enterprises);
    EXPECT_EQ(lines_shown(L, 1), 256u);
    EXPECT_LT(lines_shown(L, 20), 64u);
    EXPECT_LT(lines_shown(L, 100), lines_shown(L, 20));
    EXPECT_GE(lines_shown(L, 100), 3u);  // still an outline
    // The fill far out: a fan of the simplified outline (convex), a few triangles, not 254.
    auto fills_shown = [&](double mpp) {
        size_t n = 0;
        for (const ScaleBand& b : L.fill_bands)
            if (b.min_mpp <= mpp && mpp < b.max_mpp) n += b.count;
        return n;
    };
    EXPECT_EQ(fills_shown(1), 3u * 254);
    EXPECT_LT(fills_shown(100), 3u * 20);
    EXPECT_GE(fills_shown(100), 3u);

    // An L-shaped parcel stays an L far out: a fan of its outline would fill the notch.
    Dataset l_shape = small_community();
    Enterprise parcel;
    parcel.shape = {Polygon{{Ring{{kX0 + 100, kY0 + 100}, {kX0 + 400, kY0 + 100}, {kX0 + 400, kY0 + 200},
                                  {kX0 + 200, kY0 + 200}, {kX0 + 200, kY0 + 400}, {kX0 + 100, kY0 + 400}}}}};
    l_shape.enterprises.push_back(parcel);
    const Scene l_scene = build_scene(l_shape);
    const SceneLayer& LL = l_scene.layer(LayerId::Enterprises);
    for (double mpp : {20.0, 100.0}) {
        std::vector<FillVertex> far;
        for (const ScaleBand& b : LL.fill_bands)
            if (b.min_mpp <= mpp && mpp < b.max_mpp) far.insert(far.end(), LL.fills.begin() + long(b.first), LL.fills.begin() + long(b.first + b.count));
        ASSERT_EQ(far.size(), 3u * 4) << mpp;
        double area = 0;
        for (size_t t = 0; t < far.size(); t += 3)
            area += std::abs((far[t + 1].x - far[t].x) * (far[t + 2].y - far[t].y) -
                             (far[t + 2].x - far[t].x) * (far[t + 1].y - far[t].y)) / 2;
        EXPECT_NEAR(area, 300 * 100 + 100 * 200, 1e-3) << mpp;
    }
}

TEST(RenderScene, FarOutParcelBelowAPixelIsOneDot) {
    Dataset ds = small_community();
    Enterprise e;
    e.shape = square(kX0 + 200, kY0 + 200, kX0 + 250, kY0 + 240);  // 50 × 40 m
    ds.enterprises.push_back(e);
    const Scene scene = build_scene(ds);
    const SceneLayer& L = scene.layer(LayerId::Enterprises);
    auto shown = [&](const std::vector<ScaleBand>& bands, double mpp) {
        std::vector<size_t> out;
        for (const ScaleBand& b : bands)
            if (b.min_mpp <= mpp && mpp < b.max_mpp)
                for (size_t i = b.first; i < b.first + b.count; ++i) out.push_back(i);
        return out;
    };
    // A community on screen: the outline's four segments and the fill's two triangles.
    EXPECT_EQ(shown(L.line_bands, 10).size(), 4u);
    EXPECT_EQ(shown(L.fill_bands, 10).size(), 6u);
    // 50 m is over a pixel at 30 m/px (the 60–120 band's finest scale is 60 m/px, 50 m under it): at
    // 70 m/px and at a prefecture's 150 m/px one dot of the outline's colour, at the parcel's centre,
    // as wide as the outline plus the parcel at the band's finest scale; no fill.
    EXPECT_EQ(shown(L.line_bands, 30).size(), 4u);
    for (double mpp : {70.0, 150.0}) {
        const auto lines = shown(L.line_bands, mpp);
        ASSERT_EQ(lines.size(), 1u) << mpp;
        const LineInstance& d = L.lines[lines[0]];
        EXPECT_EQ(d.ax, d.bx);
        EXPECT_EQ(d.ay, d.by);
        EXPECT_NEAR(d.ax + scene.origin.x, kX0 + 225, 1e-3);
        EXPECT_NEAR(d.ay + scene.origin.y, kY0 + 220, 1e-3);
        EXPECT_EQ(d.color, L.lines[shown(L.line_bands, 10)[0]].color);
        EXPECT_GT(d.width_px, L.lines[shown(L.line_bands, 10)[0]].width_px);
        EXPECT_TRUE(shown(L.fill_bands, mpp).empty()) << mpp;
    }
    // Without levels of detail the parcel is its full outline and fill at every scale.
    const Scene full = build_scene(ds, 0, /*lod=*/false);
    EXPECT_EQ(shown(full.layer(LayerId::Enterprises).line_bands, 150).size(), 4u);
    EXPECT_EQ(shown(full.layer(LayerId::Enterprises).fill_bands, 150).size(), 6u);
}

TEST(RenderScene, FarOutABorderTwoCellsShareIsSimplifiedOnceAndDrawnOnce) {
    // Two communities either side of a winding border (three waves of 200 m over 3 km, a vertex
    // every 10 m). Simplified cell by cell, each kept other vertices of it, and far out the border
    // was drawn twice side by side; cut into arcs where the neighbour changes it is one line.
    Dataset ds;
    ds.work_crs = "EPSG:4542";
    std::vector<Vec2> border;
    for (int i = 0; i <= 300; ++i) {
        const double y = kY0 + 10.0 * i;
        border.push_back({kX0 + 1500 + 200 * std::sin((y - kY0) / 3000 * 6 * std::numbers::pi), y});
    }
    Grid a, b;
    a.grid_id = "A", b.grid_id = "B";
    a.level = b.level = 1;
    Ring ra{{kX0, kY0}}, rb{{kX0 + 3000, kY0}, {kX0 + 3000, kY0 + 3000}};
    ra.insert(ra.end(), border.begin(), border.end());
    ra.push_back({kX0, kY0 + 3000});
    rb.insert(rb.end(), border.rbegin(), border.rend());
    a.shape = {Polygon{{ra}}};
    b.shape = {Polygon{{rb}}};
    ds.grids = {a, b};
    const Scene scene = build_scene(ds);
    const SceneLayer& L = scene.layer(LayerId::Grids);
    auto on_border = [&](float x, float y) {
        for (Vec2 p : border)
            if (std::abs(p.x - scene.origin.x - x) < 1e-2 && std::abs(p.y - scene.origin.y - y) < 1e-2) return true;
        return false;
    };
    for (double mpp : {10.0, 70.0, 150.0, 300.0}) {
        // The drawn segments along the border, as a graph on its vertices: one chain, whose two ends
        // (where it meets the outer boundary) have one segment each and every other vertex two.
        std::map<std::pair<float, float>, int> degree;
        size_t segments = 0;
        for (const ScaleBand& band : L.line_bands)
            if (band.min_mpp <= mpp && mpp < band.max_mpp)
                for (size_t i = band.first; i < band.first + band.count; ++i) {
                    const LineInstance& l = L.lines[i];
                    if (!on_border(l.ax, l.ay) || !on_border(l.bx, l.by)) continue;
                    ++segments, ++degree[{l.ax, l.ay}], ++degree[{l.bx, l.by}];
                }
        size_t ends = 0;
        for (const auto& [vertex, d] : degree) {
            EXPECT_LE(d, 2) << "a border vertex in " << d << " segments at " << mpp << " m/px";
            ends += d == 1;
        }
        EXPECT_EQ(ends, 2u) << mpp << " m/px";
        EXPECT_EQ(segments + 1, degree.size()) << "the border drawn as one chain at " << mpp << " m/px";
        if (mpp > 60) {
            EXPECT_LT(segments, 60u) << "simplified at " << mpp << " m/px";
        }
    }
}

namespace {

/**
 * Every layer of the scene drawn in one pass with `samples` a pixel: as the viewer draws it on a
 * software rasteriser (one), or on a GPU (four).
 */
std::vector<uint8_t> draw_in_one_pass(const Scene& scene, const MapView& view, int samples = 1) {
    MapRenderer renderer;
    OffscreenTarget target(view.width, view.height, samples);
    target.bind();
    renderer.draw(scene, view, kMapBackground);
    auto px = target.read();
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    return px;
}

}  // namespace

// The levels of detail (simplified lines and fills, thinned points, parcels as dots) are held
// against the full geometry drawn at the same scale, from a town on screen out to twice a
// prefecture's extent (150 m/px), on 16 demo communities, as the viewer draws on llvmpipe. Pixel by
// pixel they differ where a line moved by a fraction of a pixel or a thinned symbol stands a pixel
// or two from the one it replaces, so the pictures are also compared over 4 × 4 px blocks. Measured
// when written, of the pixels the map covers, 1–24 % differ by more than 64 in a channel; of the
// blocks, none to 0.8 % closer in than 60 m/px, and 9, 17 and 23 % at 90, 150 and 300 m/px: the
// cameras thinned to one a 1–2 px square (the rule since far-out thinning came; from 60 m/px it
// was one a 0.5–2 px square before), and the grids' shared edges, simplified once for each of
// their two cells, drawn twice (9–12 % of the blocks at 45–90 m/px both before and after).
TEST(RenderPixels, LevelsOfDetailDrawTheFullDetailPicture) {
    const Dataset ds = generate_demo({16, 7});
    const Scene lod = build_scene(ds), full = build_scene(ds, 0, /*lod=*/false);
    HeadlessGl gl;
    constexpr int W = 400, H = 300, B = 4;
    const Pixel bg = unpack(kMapBackground);
    for (double mpp : {10.0, 20.0, 45.0, 90.0, 150.0, 300.0}) {
        MapView view = MapView::fit(lod.extent, W, H);
        view.mpp = mpp;
        const auto a = draw_in_one_pass(lod, view), b = draw_in_one_pass(full, view);
        ASSERT_EQ(a.size(), b.size());
        size_t drawn = 0, differ = 0, blocks = 0, blocks_differ = 0;
        for (int y0 = 0; y0 < H; y0 += B)
            for (int x0 = 0; x0 < W; x0 += B) {
                int sum_a[3] = {}, sum_b[3] = {};
                bool any = false;
                for (int y = y0; y < y0 + B; ++y)
                    for (int x = x0; x < x0 + B; ++x) {
                        const Pixel pa = at(a, W, x, y), pb = at(b, W, x, y);
                        const bool on_map = !near(pb, bg, 0) || !near(pa, bg, 0);
                        drawn += on_map, any |= on_map;
                        differ += !near(pa, pb, 64);
                        sum_a[0] += pa.r, sum_a[1] += pa.g, sum_a[2] += pa.b;
                        sum_b[0] += pb.r, sum_b[1] += pb.g, sum_b[2] += pb.b;
                    }
                if (!any) continue;
                ++blocks;
                int worst = 0;
                for (int c = 0; c < 3; ++c) worst = std::max(worst, std::abs(sum_a[c] - sum_b[c]) / (B * B));
                blocks_differ += worst > 32;
            }
        ASSERT_GT(drawn, size_t(W * H / 50)) << "the map is on screen at " << mpp << " m/px";
        EXPECT_LE(differ, drawn * 3 / 10) << differ << " of " << drawn << " pixels differ by more than 64 at " << mpp
                                          << " m/px";
        EXPECT_LE(blocks_differ, mpp < 60 ? blocks / 50 : blocks / 4)
            << blocks_differ << " of " << blocks << " 4×4 blocks differ at " << mpp << " m/px";
    }
}

// render builds only what its image shows (build_scene's only_box): the same pixels as the whole
// scene's, here and there in 4 demo communities and over all of them, with far fewer triangles.
TEST(RenderPixels, AnImageBuiltOfWhatShowsInItIsTheWholeScenesImage) {
    const Dataset ds = generate_demo({4, 3});
    HeadlessGl gl;
    const Box all = scene_extent(ds);
    const Box near_building = bounds(ds.buildings[ds.buildings.size() / 2].shape).grown(120);
    const Box a_cell = bounds(ds.grids_of_level(4)[7]->shape);
    // Close in, a cell, the lower left at 30 m/px (simplified outlines and fills), all of it.
    const Box lower_left{all.xmin, all.ymin, all.center().x, all.center().y};
    const Box views[] = {near_building, a_cell, lower_left, all};
    for (const Box& shown : views) {
        MapView view = MapView::fit(shown, 400, 300);
        if (&shown == &views[2]) view.mpp = 30;
        const Scene whole = build_scene(ds, view.mpp);
        const Scene part = build_scene(ds, view.mpp, /*lod=*/true, view.image_box());
        EXPECT_EQ(render_image(part, view, nullptr, 0), render_image(whole, view, nullptr, 0))
            << view.mpp << " m/px";
        if (&shown != &views[0] && &shown != &views[1]) continue;
        // Far fewer outlines and roads (made: 1–23 % of them), buildings and camera sectors (1–9 %).
        for (LayerId id : {LayerId::Grids, LayerId::Roads})
            EXPECT_LT(part.layer(id).lines.size(), whole.layer(id).lines.size() / 4);
        for (LayerId id : {LayerId::Buildings, LayerId::CameraViews})
            EXPECT_LT(part.layer(id).fills.size(), whole.layer(id).fills.size() / 10);
    }
}

// render_image draws the layers over the last one with fills (lines and symbols, antialiased in
// their shaders) on the resolved image: within 2 of 255 of all of it drawn into the 4 samples.
TEST(RenderPixels, SymbolsDrawnAfterTheResolveLookAsDrawnInTheSamples) {
    const Dataset ds = generate_demo({4, 3});
    HeadlessGl gl;
    Scene with_choropleth = build_scene(ds);
    build_choropleth(with_choropleth, ds, ChoroplethStat::Households, 4);
    with_choropleth.layer(LayerId::Choropleth).visible = true;
    const Scene plain = build_scene(ds);
    // Camera sectors, households and incidents close in; the county-wide map; the choropleth.
    const MapView near =
        MapView::fit(bounds(ds.buildings[ds.buildings.size() / 2].shape).grown(120), 400, 300);
    const MapView whole = MapView::fit(scene_extent(ds), 400, 300);
    for (const auto& [scene, view] : {std::pair{&plain, near}, {&plain, whole}, {&with_choropleth, whole}}) {
        const auto a = render_image(*scene, view, nullptr, 0), b = draw_in_one_pass(*scene, view, 4);
        ASSERT_EQ(a.size(), b.size());
        int worst = 0;
        size_t differ = 0;
        for (size_t i = 0; i < a.size(); ++i) {
            worst = std::max(worst, std::abs(int(a[i]) - int(b[i])));
            differ += a[i] != b[i];
        }
        EXPECT_LE(worst, 2) << view.mpp << " m/px, " << differ << " bytes differ";
    }
}

TEST(RenderPixels, CameraSectorGridLineAndBackground) {
    Dataset ds = small_community();
    Scene scene = build_scene(ds);
    HeadlessGl gl;
    // 1 m per pixel over the 1 km cell plus 100 m around it.
    MapView view = MapView::fit(Box{kX0 - 100, kY0 - 100, kX0 + 1100, kY0 + 1100}, 1200, 1200);
    ASSERT_DOUBLE_EQ(view.mpp, 1.0);
    auto img = render_image(scene, view, nullptr);
    auto px = [&](double x, double y) {
        Vec2 s = view.to_screen({x, y});
        return at(img, view.width, int(s.x), int(s.y));
    };
    const Pixel bg = unpack(kMapBackground);
    const Pixel sector = over_background(with_alpha(camera_color(ds.cameras[0]), 64));
    // Inside the sector (east of the camera), outside it (west, north), outside the cell.
    EXPECT_TRUE(same_color(px(kX0 + 700, kY0 + 510), sector));
    EXPECT_TRUE(same_color(px(kX0 + 300, kY0 + 500), bg));
    EXPECT_TRUE(same_color(px(kX0 + 500, kY0 + 760), bg));
    EXPECT_TRUE(same_color(px(kX0 - 50, kY0 + 500), bg));
    // The L1 boundary (3.6 px dark line) on the cell's west edge.
    Pixel line = px(kX0, kY0 + 300);
    EXPECT_LT(line.r + line.g + line.b, 150) << line.r << "," << line.g << "," << line.b;
    // The camera symbol at the apex: the road (orange) colour.
    EXPECT_TRUE(same_color(px(kX0 + 500, kY0 + 500), unpack(camera_color(ds.cameras[0])), 12));
}

TEST(RenderPixels, HiddenLayerIsNotDrawn) {
    Dataset ds = small_community();
    Scene scene = build_scene(ds);
    scene.layer(LayerId::CameraViews).visible = false;
    HeadlessGl gl;
    MapView view = MapView::fit(Box{kX0 - 100, kY0 - 100, kX0 + 1100, kY0 + 1100}, 300, 300);
    auto img = render_image(scene, view, nullptr);
    Vec2 s = view.to_screen({kX0 + 700, kY0 + 510});
    EXPECT_TRUE(same_color(at(img, view.width, int(s.x), int(s.y)), unpack(kMapBackground)));
}

// Fills coloured by feature (SceneLayer::fill_colors, the 巡查 panel's cells): the colours come from
// a texture buffer indexed by each vertex's feature. Drawn with one renderer through recolourings
// that send only the colours, the image must be the image of the same colours laid in the vertices.
TEST(RenderPixels, FillsColouredByFeatureAreThePixelsOfColoursInTheVertices) {
    HeadlessGl gl;
    const MapView view = MapView::fit(Box{kX0 - 50, kY0 - 50, kX0 + 850, kY0 + 850}, 300, 300);
    Scene indexed;
    indexed.origin = {kX0 + 400, kY0 + 400};
    SceneLayer& L = indexed.layers.emplace_back();
    L.id = LayerId::CheckCells, L.key = "check_cells";
    // Four 400 m cells, each of its two triangles' vertices naming its cell.
    for (int k = 0; k < 4; ++k) {
        const double x = kX0 + 400 * (k % 2), y = kY0 + 400 * (k / 2);
        for (Vec2 p : triangulate(square(x, y, x + 400, y + 400)[0]))
            L.fills.push_back({float(p.x - indexed.origin.x), float(p.y - indexed.origin.y), Rgba(k)});
    }
    const auto in_vertices = [&] {
        Scene s = indexed;
        SceneLayer& V = s.layers[0];
        for (FillVertex& v : V.fills) v.color = L.fill_colors[v.color];
        V.fill_colors.clear();
        return render_image(s, view, nullptr);
    };
    MapRenderer renderer;
    OffscreenTarget target(view.width, view.height);
    const auto draw = [&] {
        target.bind();
        renderer.draw(indexed, view, kMapBackground);
        return target.read();
    };
    const auto centre = [&](const std::vector<uint8_t>& img, int k) {
        const Vec2 s = view.to_screen({kX0 + 200 + 400 * (k % 2), kY0 + 200 + 400 * (k / 2)});
        return at(img, view.width, int(s.x), int(s.y));
    };
    const std::vector<std::vector<Rgba>> dates = {
        {with_alpha(days_since_rgba(0), 150), with_alpha(days_since_rgba(3), 150), 0,
         with_alpha(days_since_rgba(5), 150)},
        {with_alpha(days_since_rgba(4), 150), with_alpha(days_since_rgba(0), 150), with_alpha(days_since_rgba(5), 150),
         with_alpha(days_since_rgba(5), 150)},
        {0, with_alpha(days_since_rgba(1), 150), with_alpha(days_since_rgba(2), 150), rgba(20, 200, 40)},
    };
    const uint64_t revision = L.revision;
    for (size_t i = 0; i < dates.size(); ++i) {
        L.fill_colors = dates[i];
        ++L.fill_colors_revision;
        const uint64_t sent = renderer.uploaded_bytes();
        const auto got = draw();
        // The first draw sends the vertices and the colours; a recolouring, the four colours alone.
        EXPECT_EQ(renderer.uploaded_bytes() - sent,
                  (i == 0 ? L.fills.size() * sizeof(FillVertex) : 0) + 4 * sizeof(Rgba))
            << "colours " << i;
        const auto want = in_vertices();
        ASSERT_EQ(got.size(), want.size());
        EXPECT_TRUE(got == want) << "colours " << i;
        for (int k = 0; k < 4; ++k) EXPECT_TRUE(same_color(centre(got, k), over_background(dates[i][size_t(k)])))
            << "colours " << i << ", cell " << k;
    }
    EXPECT_EQ(L.revision, revision);  // the vertices were sent once
    // A style's recolouring applies to fills coloured by feature as to any: its colour, their alpha.
    L.style.recolor = true, L.style.color = rgba(0, 0, 255);
    const auto recoloured = draw();
    EXPECT_TRUE(same_color(centre(recoloured, 1), over_background(with_alpha(rgba(0, 0, 255), 150))));
    EXPECT_TRUE(same_color(centre(recoloured, 0), unpack(kMapBackground)));
    EXPECT_EQ(layer_color(L), L.fill_colors[0]);
}

TEST(RenderPixels, TilesJoinWithoutSeams) {
    Dataset ds = small_community();
    Scene scene = build_scene(ds);
    HeadlessGl gl;
    MapView view = MapView::fit(Box{kX0 - 100, kY0 - 100, kX0 + 1100, kY0 + 1100}, 333, 250);
    OffscreenLabelPainter labels(dataset_text(ds));
    auto whole = render_image(scene, view, &labels);
    auto tiled = render_image(scene, view, &labels, 64);  // 6 × 4 tiles, ragged at the edges
    ASSERT_EQ(whole.size(), tiled.size());
    size_t differ = 0;
    for (size_t i = 0; i < whole.size(); ++i) differ += std::abs(int(whole[i]) - int(tiled[i])) > 2;
    EXPECT_LE(differ, whole.size() / 1000) << differ << " bytes differ";
}

TEST(RenderPixels, ChineseLabelIsDrawnInItsBox) {
    Dataset ds = small_community();
    ds.cameras.clear();
    Scene scene = build_scene(ds);
    HeadlessGl gl;
    MapView view = MapView::fit(Box{kX0 - 100, kY0 - 100, kX0 + 1100, kY0 + 1100}, 400, 400);
    OffscreenLabelPainter painter(dataset_text(ds));
    auto placed = place_labels(scene, view, painter.measure());
    ASSERT_EQ(placed.size(), 1u);
    EXPECT_EQ(placed[0].candidate->text, "大坪子社区");
    // Five CJK glyphs are a good deal wider than five '?' (what missing glyphs turn into).
    EXPECT_GT(placed[0].size.x, 1.6 * painter.measure()("?????", placed[0].candidate->size_px).x);
    auto with = render_image(scene, view, &painter);
    auto without = render_image(scene, view, nullptr);
    int ink = 0, ink_without = 0;
    for (int y = int(placed[0].min.y); y < int(placed[0].min.y + placed[0].size.y); ++y)
        for (int x = int(placed[0].min.x); x < int(placed[0].min.x + placed[0].size.x); ++x) {
            Pixel p = at(with, view.width, x, y), q = at(without, view.width, x, y);
            ink += p.r + p.g + p.b < 300;
            ink_without += q.r + q.g + q.b < 300;
        }
    EXPECT_GT(ink, 40);
    EXPECT_EQ(ink_without, 0);
}

TEST(RenderPixels, LabelsAvoidEachOther) {
    Dataset ds = small_community();
    // Two L2 halves, each labelled at its centre, and the L1 label at the middle would collide with neither.
    for (int i = 0; i < 2; ++i) {
        Grid g;
        g.grid_id = i ? "E" : "W";
        g.level = 2;
        g.parent_id = "C";
        g.name = i ? "罗家大坡" : "西片";
        g.shape = square(kX0 + 500 * i, kY0, kX0 + 500 * (i + 1), kY0 + 1000);
        ds.grids.push_back(g);
    }
    Scene scene = build_scene(ds);
    MapView view = MapView::fit(Box{kX0, kY0, kX0 + 1000, kY0 + 1000}, 400, 400);
    // A fixed-width measure: 40 px a character at 13+ px makes the L2 labels run into the L1 label.
    auto wide = [](const std::string& t, float) { return Vec2{double(t.size()) / 3 * 40, 20}; };
    auto placed = place_labels(scene, view, wide);
    ASSERT_FALSE(placed.empty());
    EXPECT_EQ(placed[0].candidate->text, "大坪子社区");  // the highest priority wins
    for (size_t i = 0; i < placed.size(); ++i)
        for (size_t j = i + 1; j < placed.size(); ++j) {
            Box a{placed[i].min.x, placed[i].min.y, placed[i].min.x + placed[i].size.x,
                  placed[i].min.y + placed[i].size.y};
            Box b{placed[j].min.x, placed[j].min.y, placed[j].min.x + placed[j].size.x,
                  placed[j].min.y + placed[j].size.y};
            EXPECT_FALSE(a.intersects(b)) << placed[i].candidate->text << " / " << placed[j].candidate->text;
        }
}

// ---- gridwatch render end to end ----------------------------------------------------------------

namespace {

/** A community near Longling in WGS84 GeoJSON (the working CRS becomes EPSG:4542). */
struct GeoJsonCommunity {
    TempDir dir{"render"};
    GeoJsonCommunity() {
        dir.write(
            "grids.geojson",
            R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"grid_id":"C","level":1,"parent_id":"","name":"大坪子社区"},)"
            R"("geometry":{"type":"Polygon","coordinates":[[[98.68,24.58],[98.70,24.58],[98.70,24.60],[98.68,24.60],[98.68,24.58]]]}}]})");
        dir.write(
            "cameras.geojson",
            R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"cam_id":"K1","owner":"road","azimuth":90,"fov":90,"range":300,"status":"online"},)"
            R"("geometry":{"type":"Point","coordinates":[98.69,24.59]}}]})");
    }
    std::string args() const { return dir / "grids.geojson" + " " + dir / "cameras.geojson"; }
    /** `gridwatch render` of this community into `out` with `options`, with no display to fall back on. */
    gwtest::RunResult render(const std::string& out, const std::string& options = "") const {
        return run_gridwatch("render " + args() + " --out " + out + " " + options,
                             "env -u DISPLAY -u WAYLAND_DISPLAY");
    }
};

}  // namespace

TEST(RenderCli, PngWithWorldFileWithoutDisplay) {
    GeoJsonCommunity c;
    const std::string out = c.dir / "map.png";
    // A 2000 × 1000 m box into 400 × 400 px: 5 m a pixel, 500 m of paper above and below.
    auto r = c.render(out, "--size 400x400 --extent 466500,2720500,468500,2721500");
    ASSERT_EQ(r.status, 0) << r.err;
    ASSERT_TRUE(std::filesystem::exists(out));
    ASSERT_TRUE(std::filesystem::exists(c.dir / "map.wld"));
    for (const auto& e : std::filesystem::directory_iterator(c.dir.path))
        EXPECT_EQ(e.path().filename().string().find(".tmp"), std::string::npos) << e.path();
    GDALAllRegister();
    GDALDatasetUniquePtr img(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(img);
    EXPECT_EQ(img->GetRasterXSize(), 400);
    EXPECT_EQ(img->GetRasterYSize(), 400);
    double gt[6];
    ASSERT_EQ(img->GetGeoTransform(gt), CE_None);
    EXPECT_NEAR(gt[0], 466500, 1e-6);
    EXPECT_NEAR(gt[1], 5, 1e-9);
    EXPECT_NEAR(gt[3], 2721500 + 500, 1e-6);
    EXPECT_NEAR(gt[5], -5, 1e-9);
    // The world file itself holds the centre of the top-left pixel.
    std::istringstream wld(gwtest::slurp(c.dir / "map.wld"));
    double v[6];
    for (double& x : v) wld >> x;
    EXPECT_NEAR(v[0], 5, 1e-9);
    EXPECT_NEAR(v[4], 466500 + 2.5, 1e-6);
    EXPECT_NEAR(v[5], 2722000 - 2.5, 1e-6);
}

TEST(RenderCli, GeoTiffCarriesWorkingCrsAndGridExtent) {
    GeoJsonCommunity c;
    const std::string out = c.dir / "map.tif";
    auto r = c.render(out, "--size 300x200 --extent C --no-labels");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALAllRegister();
    GDALDatasetUniquePtr img(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(img);
    const OGRSpatialReference* srs = img->GetSpatialRef();
    ASSERT_TRUE(srs);
    EXPECT_STREQ(srs->GetAuthorityCode(nullptr), "4542");
    double gt[6];
    ASSERT_EQ(img->GetGeoTransform(gt), CE_None);
    // The cell (plus its 5% margin) is taller than 3:2 so the height is fitted: the image spans it.
    const double top = gt[3], bottom = gt[3] + 200 * gt[5];
    // 0.02° of latitude is ~2214 m; the margin adds 10% of the larger side.
    EXPECT_GT(top - bottom, 2214 * 1.05);
    EXPECT_LT(top - bottom, 2214 * 1.15);
    EXPECT_EQ(img->GetRasterCount(), 3);
}

// The frame bench a GPU machine runs (issue 17, tests/bench/gpu): the viewer's map frame timed N
// times after the image, one line with the count, the size and the frame times.
TEST(RenderCli, FramesTimesTheMapFrameAfterTheImage) {
    GeoJsonCommunity c;
    const std::string out = c.dir / "map.png";
    auto r = c.render(out, "--size 320x200 --frames 4");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(std::filesystem::exists(out));
    EXPECT_NE(r.err.find("frames: 4 at 320x200"), std::string::npos) << r.err;
    for (const char* k : {"mean ", "median ", "slowest ", " fps", "labels on"})
        EXPECT_NE(r.err.find(k), std::string::npos) << k << " in " << r.err;
    EXPECT_EQ(c.render(out, "--frames 0").status, 2);
    EXPECT_EQ(c.render(out, "--wall --frames 3").status, 2);
}

TEST(RenderCli, BadArgumentsAndUnknownGrid) {
    GeoJsonCommunity c;
    EXPECT_EQ(c.render(c.dir / "a.png", "--size 12by3").status, 2);
    EXPECT_EQ(c.render(c.dir / "a.bmp").status, 2);
    EXPECT_EQ(c.render(c.dir / "a.png", "--extent 5,5,1,1").status, 2);
    EXPECT_EQ(c.render(c.dir / "a.png", "--size 1000001x2").status, 2);  // libpng's limit, not the folder's
    EXPECT_EQ(c.render(c.dir / "a.png", "--wall --size 200x100").status, 2);  // tiles over the map
    // Beyond any metric CRS, or under a centimetre: a usage error naming the option, not a failed write.
    for (const char* e : {"1e300,0,2e300,1", "0,0,inf,1", "0,0,1e-300,1e-300", "-nan,0,1,1"}) {
        const auto bad = c.render(c.dir / "a.png", std::string("--extent ") + e);
        EXPECT_EQ(bad.status, 2) << e << ": " << bad.err;
        EXPECT_NE(bad.err.find("--extent"), std::string::npos) << bad.err;
    }
    auto r = c.render(c.dir / "a.png", "--extent NOPE");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("NOPE"), std::string::npos) << r.err;
    // Degrees where metres are meant: a blank map, exit 0, before.
    const auto degrees = c.render(c.dir / "a.png", "--extent 98.68,24.57,98.70,24.59");
    EXPECT_EQ(degrees.status, 1) << degrees.err;
    EXPECT_EQ(degrees.error_lines(), 1) << degrees.err;
    EXPECT_NE(degrees.err.find("lies outside the data"), std::string::npos) << degrees.err;
    EXPECT_NE(degrees.err.find("not in degrees"), std::string::npos) << degrees.err;
    EXPECT_FALSE(std::filesystem::exists(c.dir / "a.png"));
}

TEST(Fonts, EverySizeReadsTheOneCopyOfTheCollection) {
    ASSERT_FALSE(cjk_font_path().empty()) << "fonts-noto-cjk is part of the stack";
    // ImGui 1.86 copies font data it does not own: four sizes were 80 MB of fresh memory.
    for (int round = 0; round < 2; ++round) {  // a second atlas (the viewer's rebuild, a wall) the same
        ImFontAtlas atlas;
        const FontSet fs = load_fonts(&atlas, "大坪子社区网格");
        ASSERT_TRUE(fs.cjk);
        ASSERT_EQ(atlas.ConfigData.Size, 4);
        for (const ImFontConfig& c : atlas.ConfigData) {
            EXPECT_EQ(c.FontData, atlas.ConfigData[0].FontData);
            EXPECT_FALSE(c.FontDataOwnedByAtlas);  // the atlas must not free what the process keeps
        }
        ASSERT_TRUE(atlas.Build());
        EXPECT_NE(fs.labels[0]->FindGlyphNoFallback(0x576A), nullptr);  // 坪
    }
}

// The viewer on a live store adds glyphs for the changed tables only (viewer_live.cpp): each
// layer's part of the dataset's text must hold that layer's names and nothing of the others'.
TEST(Fonts, LayerTextIsTheDatasetTextOfThatLayer) {
    const Dataset ds = open_dataset({bundled_dataset_path()});
    ASSERT_FALSE(ds.households.empty());
    ASSERT_FALSE(ds.grids.empty());
    const std::string hh = layer_text(ds, "households"), grids = layer_text(ds, "grids");
    const std::string all = dataset_text(ds);
    for (const auto& h : ds.households) EXPECT_NE(hh.find(h.head), std::string::npos) << h.head;
    EXPECT_NE(grids.find("大坪子社区"), std::string::npos);
    EXPECT_EQ(hh.find("大坪子社区"), std::string::npos);
    std::string layers;
    for (const auto& l : canonical_layers()) layers += layer_text(ds, l);
    EXPECT_EQ(all.substr(0, layers.size()), layers);  // then the names of the layers no role uses
    EXPECT_EQ(layer_text(ds, "no_such_layer"), "");
}
