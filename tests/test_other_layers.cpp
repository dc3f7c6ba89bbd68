// Source layers no role uses (SPEC §3 "Names users bring": every other vector layer is still
// drawn, styled by geometry type, listed in the layer panel): scene layers, extent, pixels read
// back in-process, the wall, and `gridwatch render` of a GeoPackage holding only such layers.
#include <gdal_priv.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "app/render/gl_context.h"
#include "app/render/renderer.h"
#include "app/render/scene.h"
#include "app/viewer/layer_prefs.h"
#include "app/viewer/viewer.h"
#include "app/wall/wall.h"
#include "geo/io/project.h"
#include "tests/cli_run.h"
#include "tests/pixels.h"
#include "tests/viewer_run.h"

using namespace gw;
using namespace gw::app;
using gwtest::at;
using gwtest::near;
using gwtest::Pixel;
using gwtest::unpack;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

constexpr double kX0 = 466000, kY0 = 2720000;  // Gauss-Kruger-sized, as real data is

MultiPolygon square(double x0, double y0, double x1, double y1) {
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}

/**
 * A source with no layer any role uses: a river (lines) listed first, a county (polygons), and
 * wells (points), in a 1 km box.
 */
Dataset only_other_layers() {
    Dataset ds;
    ds.work_crs = "EPSG:4542";
    OtherLayer river{"河流", "src.gpkg", {}, {}, {}};
    river.lines.push_back({{{kX0 + 100, kY0 + 501}, {kX0 + 900, kY0 + 501}}});
    OtherLayer county{"县界", "src.gpkg", {}, {}, {}};
    county.polygons.push_back(square(kX0 + 201, kY0 + 201, kX0 + 801, kY0 + 801));
    OtherLayer wells{"水井", "src.gpkg", {}, {}, {}};
    wells.points.push_back({kX0 + 101, kY0 + 101});
    ds.other_layers = {river, county, wells};
    return ds;
}

::testing::AssertionResult same_color(Pixel a, Pixel b, int tol = 6) {
    if (near(a, b, tol)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure()
           << "(" << a.r << "," << a.g << "," << a.b << ") vs (" << b.r << "," << b.g << "," << b.b << ")";
}
/** Source-over blend of `c` at its alpha onto `under`. */
Pixel over(Rgba c, Rgba under) {
    const double a = (c >> 24 & 255) / 255.0;
    Pixel s = unpack(c), d = unpack(under);
    return {int(std::lround(s.r * a + d.r * (1 - a))), int(std::lround(s.g * a + d.g * (1 - a))),
            int(std::lround(s.b * a + d.b * (1 - a)))};
}

std::vector<const SceneLayer*> others_of(const app::Scene& s) {
    std::vector<const SceneLayer*> out;
    for (const auto& L : s.layers)
        if (L.id == LayerId::Other) out.push_back(&L);
    return out;
}

size_t index_of(const app::Scene& s, const std::string& key) {
    for (size_t i = 0; i < s.layers.size(); ++i)
        if (s.layers[i].key == key) return i;
    return s.layers.size();
}

}  // namespace

TEST(OtherLayers, EachBecomesASceneLayerStyledByGeometryType) {
    const Dataset ds = only_other_layers();
    const app::Scene s = build_scene(ds);
    const auto others = others_of(s);
    ASSERT_EQ(others.size(), 3u);
    // Polygon layers under line layers under point layers, whatever the source's order.
    EXPECT_EQ(others[0]->key, "县界");
    EXPECT_EQ(others[1]->key, "河流");
    EXPECT_EQ(others[2]->key, "水井");
    EXPECT_EQ(others[0]->other, 1);
    EXPECT_EQ(others[1]->other, 0);
    EXPECT_EQ(others[2]->other, 2);
    // Polygons: a light fill and an outline; lines: lines only; points: symbols only.
    EXPECT_FALSE(others[0]->fills.empty());
    EXPECT_FALSE(others[0]->lines.empty());
    EXPECT_TRUE(others[0]->points.empty());
    EXPECT_LT(others[0]->fills.front().color >> 24, 128u);
    EXPECT_TRUE(others[1]->fills.empty());
    EXPECT_FALSE(others[1]->lines.empty());
    EXPECT_TRUE(others[2]->fills.empty() && others[2]->lines.empty());
    ASSERT_EQ(others[2]->points.size(), 1u);
    // One colour per layer, from the categorical palette, by the layer's place in the source.
    std::set<Rgba> colours;
    for (const SceneLayer* L : others) colours.insert(with_alpha(layer_color(*L), 255));
    EXPECT_EQ(colours.size(), 3u);
    EXPECT_EQ(others[1]->lines.front().color, category_rgba(0));
    EXPECT_EQ(with_alpha(others[0]->fills.front().color, 255), category_rgba(1));
    EXPECT_EQ(others[2]->points.front().fill, category_rgba(2));
    // Over the roads, under the grids and every known point layer.
    for (const SceneLayer* L : others) {
        const size_t i = index_of(s, L->key);
        EXPECT_GT(i, index_of(s, "roads")) << L->key;
        EXPECT_LT(i, index_of(s, "grids")) << L->key;
        EXPECT_LT(i, index_of(s, "households")) << L->key;
    }
}

TEST(OtherLayers, ExtentOfASourceWithOnlyOtherLayersIsTheirs) {
    const Box b = scene_extent(only_other_layers());
    EXPECT_DOUBLE_EQ(b.xmin, kX0 + 100);
    EXPECT_DOUBLE_EQ(b.ymin, kY0 + 101);
    EXPECT_DOUBLE_EQ(b.xmax, kX0 + 900);
    EXPECT_DOUBLE_EQ(b.ymax, kY0 + 801);
}

TEST(OtherLayers, KeysAreTheSourceNamesMadeUnique) {
    Dataset ds;
    for (const char* name : {"县界", "grids", "县界", ""}) {
        OtherLayer o{name, "a.gpkg", {}, {}, {}};
        o.points.push_back({kX0, kY0});
        ds.other_layers.push_back(o);
    }
    const app::Scene s = build_scene(ds);
    std::vector<std::string> keys;
    for (const SceneLayer* L : others_of(s)) keys.push_back(L->key);
    EXPECT_EQ(keys, (std::vector<std::string>{"县界", "grids (2)", "县界 (2)", "layer"}));
    // The real grids layer keeps its own key.
    EXPECT_EQ(s.layers[index_of(s, "grids")].id, LayerId::Grids);
}

TEST(OtherLayers, PanelTitleSaysNotRecognisedInEitherLanguage) {
    ViewerState st;
    st.ds = only_other_layers();
    st.scene = build_scene(st.ds);
    const SceneLayer& L = *others_of(st.scene)[0];
    st.lang = Lang::Zh;
    EXPECT_EQ(layer_title(st, L), "县界（未识别）");
    st.lang = Lang::En;
    EXPECT_EQ(layer_title(st, L), "县界 (not recognised)");
    EXPECT_STREQ(layer_title(st, st.scene.layer(LayerId::Grids)).c_str(), "Grids");
}

TEST(OtherLayers, LooksAreNotKeptAcrossDatasets) {
    // "Layer1" of one source is not "Layer1" of the next: only the contract layers are kept.
    const app::Scene s = build_scene(only_other_layers());
    const std::string json = layer_prefs_json(s);
    EXPECT_EQ(json.find("县界"), std::string::npos) << json;
    EXPECT_NE(json.find("\"grids\""), std::string::npos) << json;
}

TEST(OtherLayersPixels, FillOutlineLineAndPointOnPaper) {
    const Dataset ds = only_other_layers();
    const app::Scene scene = build_scene(ds);
    HeadlessGl gl;
    // 2 m a pixel over the 1 km box: row 249's centre lies on the river.
    const MapView view = MapView::fit(Box{kX0, kY0, kX0 + 1000, kY0 + 1000}, 500, 500);
    ASSERT_DOUBLE_EQ(view.mpp, 2.0);
    const auto img = render_image(scene, view, nullptr);
    auto px = [&](double x, double y) {
        const Vec2 s = view.to_screen({x, y});
        return at(img, view.width, int(s.x), int(s.y));
    };
    const OtherLayerStyle county = other_layer_style(1), river = other_layer_style(0), wells = other_layer_style(2);
    // Inside the county, away from the river: its light fill on the paper.
    EXPECT_TRUE(same_color(px(kX0 + 500, kY0 + 300), over(county.fill, kMapBackground)));
    EXPECT_TRUE(same_color(px(kX0 + 300, kY0 + 700), over(county.fill, kMapBackground)));
    // Outside everything: the paper.
    EXPECT_TRUE(same_color(px(kX0 + 950, kY0 + 950), unpack(kMapBackground)));
    EXPECT_TRUE(same_color(px(kX0 + 500, kY0 + 120), unpack(kMapBackground)));
    // The county's west edge (through a column of pixel centres): its outline colour.
    EXPECT_TRUE(same_color(px(kX0 + 201, kY0 + 301), unpack(county.outline), 40));
    // The river, over the county's fill (a line layer lies above a polygon layer): its own colour.
    EXPECT_TRUE(same_color(px(kX0 + 500, kY0 + 501), unpack(river.line), 12));
    EXPECT_TRUE(same_color(px(kX0 + 150, kY0 + 501), unpack(river.line), 12));
    // The well: a dot of its colour.
    EXPECT_TRUE(same_color(px(kX0 + 101, kY0 + 101), unpack(wells.point), 12));
}

TEST(OtherLayersPixels, HiddenOtherLayerIsNotDrawn) {
    const Dataset ds = only_other_layers();
    app::Scene scene = build_scene(ds);
    for (auto& L : scene.layers)
        if (L.key == "县界") L.visible = false;
    HeadlessGl gl;
    const MapView view = MapView::fit(Box{kX0, kY0, kX0 + 1000, kY0 + 1000}, 500, 500);
    const auto img = render_image(scene, view, nullptr);
    const Vec2 s = view.to_screen({kX0 + 500, kY0 + 300});
    EXPECT_TRUE(same_color(at(img, view.width, int(s.x), int(s.y)), unpack(kMapBackground)));
}

namespace {

/** Near-white pixels of `box` (layout pixels): the wall's text; the dark map has none. */
size_t wall_text(const std::vector<uint8_t>& img, int w, const Box& box) {
    size_t n = 0;
    for (int y = int(box.ymin) + 1; y < int(box.ymax) - 1; ++y)
        for (int x = int(box.xmin) + 1; x < int(box.xmax) - 1; ++x) {
            const Pixel p = at(img, w, x, y);
            n += p.r > 220 && p.g > 220 && p.b > 220;
        }
    return n;
}

}  // namespace

TEST(OtherLayersWall, MapAndLegendShowThem) {
    const Dataset ds = only_other_layers();
    gw::Scene all, grids_only;
    all.name = "all";
    grids_only.name = "grids-only";
    grids_only.layers = {"grids"};
    WallContent fixed;
    fixed.clock = "09:30";
    fixed.date = "2026-11-27";
    HeadlessGl gl;
    const int w = 960, h = 540;
    MapView v1, v2;
    const auto shown = render_wall_image(ds, {all, grids_only}, "all", w, h, v1, 0, &fixed);
    const auto hidden = render_wall_image(ds, {all, grids_only}, "grids-only", w, h, v2, 0, &fixed);
    // The county's fill on the dark map where it is shown, the dark background where it is not.
    const Vec2 c = v1.to_screen({kX0 + 500, kY0 + 300});
    EXPECT_FALSE(near(at(shown, w, int(c.x), int(c.y)), unpack(kWallBackground), 3));
    EXPECT_TRUE(same_color(at(hidden, w, int(c.x), int(c.y)), unpack(kWallBackground), 3));
    // The default scenes of such a source have no extent of their own (no grids, no contract
    // layer): the wall fits the layers it draws.
    MapView v3;
    const auto by_default = render_wall_image(ds, default_scenes(ds), "", w, h, v3, 0, &fixed);
    const Vec2 c3 = v3.to_screen({kX0 + 500, kY0 + 300});
    ASSERT_TRUE(std::isfinite(c3.x) && std::isfinite(c3.y));
    EXPECT_FALSE(near(at(by_default, w, int(c3.x), int(c3.y)), unpack(kWallBackground), 3));
    // Their key on the map's bottom-left corner: names where the hidden scene has none.
    const Box map = wall_layout(w, h).map;
    const Box corner{map.xmin, map.ymax - map.height() * 0.3, map.xmin + map.width() * 0.3, map.ymax};
    EXPECT_GT(wall_text(shown, w, corner), wall_text(hidden, w, corner) + 100);
}

// ---- `gridwatch render` of a source the user brought (needs the reader of geo/io/dataset.cpp
// to put the layers no role uses into Dataset::other_layers) ----------------------------------

namespace {

/** A GeoPackage with no contract layer: 县界 (one polygon) and 河流 (one line), EPSG:4490. */
void write_county_gpkg(const std::string& path) {
    GDALAllRegister();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    ASSERT_TRUE(drv);
    GDALDatasetUniquePtr out(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(out);
    OGRSpatialReference srs;
    srs.importFromEPSG(4490);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    auto add = [&](const char* name, OGRwkbGeometryType type, const char* wkt) {
        OGRLayer* L = out->CreateLayer(name, &srs, type, nullptr);
        ASSERT_TRUE(L);
        OGRFieldDefn field("名称", OFTString);
        ASSERT_EQ(L->CreateField(&field), OGRERR_NONE);
        OGRFeature f(L->GetLayerDefn());
        f.SetField("名称", name);
        OGRGeometry* g = nullptr;
        ASSERT_EQ(OGRGeometryFactory::createFromWkt(wkt, &srs, &g), OGRERR_NONE);
        f.SetGeometryDirectly(g);
        ASSERT_EQ(L->CreateFeature(&f), OGRERR_NONE);
    };
    add("县界", wkbPolygon, "POLYGON ((98.60 24.50,98.80 24.50,98.80 24.70,98.60 24.70,98.60 24.50))");
    add("河流", wkbLineString, "LINESTRING (98.55 24.60,98.85 24.62)");
}

/** The category whose colour `p` is, blended over the paper at `alpha` (-1: none within `tol`). */
int category_of(Pixel p, unsigned alpha, int tol) {
    for (int k = 0; k < 8; ++k)
        if (near(p, over(with_alpha(category_rgba(size_t(k)), alpha), kMapBackground), tol)) return k;
    return -1;
}

}  // namespace

TEST(OtherLayersCli, RenderOfAGeoPackageOfUnknownLayersIsNotBlank) {
    TempDir dir("otherlayers");
    const std::string gpkg = dir / "县.gpkg", out = dir / "map.tif";
    write_county_gpkg(gpkg);
    auto r = run_gridwatch("render " + gpkg + " --out " + out + " --size 400x400 --no-labels", "env -u DISPLAY");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALDatasetUniquePtr img(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(img);
    const OGRSpatialReference* work = img->GetSpatialRef();
    ASSERT_TRUE(work);
    double gt[6];
    ASSERT_EQ(img->GetGeoTransform(gt), CE_None);
    const int w = img->GetRasterXSize(), h = img->GetRasterYSize();
    std::vector<uint8_t> rgba(size_t(w) * h * 4, 255);
    for (int b = 1; b <= std::min(3, img->GetRasterCount()); ++b)
        ASSERT_EQ(img->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, w, h, &rgba[size_t(b - 1)], w, h, GDT_Byte, 4,
                                                   size_t(w) * 4, nullptr),
                  CE_None);
    OGRSpatialReference geo;
    geo.importFromEPSG(4490);
    geo.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    std::unique_ptr<OGRCoordinateTransformation> to_work(OGRCreateCoordinateTransformation(&geo, work));
    ASSERT_TRUE(to_work);
    // The pixel of a longitude/latitude.
    auto px = [&](double lon, double lat) {
        double x = lon, y = lat;
        EXPECT_TRUE(to_work->Transform(1, &x, &y));
        const int col = int((x - gt[0]) / gt[1]), row = int((y - gt[3]) / gt[5]);
        EXPECT_TRUE(col >= 0 && col < w && row >= 0 && row < h) << lon << "," << lat;
        return at(rgba, w, std::clamp(col, 0, w - 1), std::clamp(row, 0, h - 1));
    };
    const Pixel paper = unpack(kMapBackground);
    // Inside the county, away from the river: the light fill of one palette colour.
    const int county = category_of(px(98.70, 24.53), other_layer_style(0).fill >> 24, 6);
    EXPECT_GE(county, 0) << "no county fill at its middle";
    EXPECT_EQ(category_of(px(98.65, 24.67), other_layer_style(0).fill >> 24, 6), county);
    // Outside the county and off the river: the paper.
    EXPECT_TRUE(same_color(px(98.57, 24.68), paper));
    EXPECT_TRUE(same_color(px(98.83, 24.52), paper));
    // The river: the nearest pixel to its line is another palette colour, opaque.
    int river = -1;
    const double lon = 98.70, lat = 24.60 + 0.02 * (lon - 98.55) / 0.30;
    double x = lon, y = lat;
    ASSERT_TRUE(to_work->Transform(1, &x, &y));
    const int col = int((x - gt[0]) / gt[1]), row = int((y - gt[3]) / gt[5]);
    for (int dy = -2; dy <= 2 && river < 0; ++dy)
        river = category_of(at(rgba, w, col, std::clamp(row + dy, 0, h - 1)), 255, 20);
    EXPECT_GE(river, 0) << "no river line across the county";
    EXPECT_NE(river, county);

    // Each can be named on its own: the county without the river.
    const std::string out2 = dir / "county.tif";
    r = run_gridwatch("render " + gpkg + " --out " + out2 + " --size 400x400 --no-labels --layers 县界",
                      "env -u DISPLAY");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALDatasetUniquePtr img2(GDALDataset::Open(out2.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(img2);
    std::vector<uint8_t> rgba2(size_t(w) * h * 4, 255);
    for (int b = 1; b <= 3; ++b)
        ASSERT_EQ(img2->GetRasterBand(b)->RasterIO(GF_Read, 0, 0, w, h, &rgba2[size_t(b - 1)], w, h, GDT_Byte, 4,
                                                    size_t(w) * 4, nullptr),
                  CE_None);
    EXPECT_EQ(category_of(at(rgba2, w, col, row), other_layer_style(0).fill >> 24, 6), county);
}

TEST(OtherLayersViewer, HomeViewAndLayerPanelShowThem) {
    ASSERT_TRUE(gwtest::have_xvfb())
        << "xvfb-run is missing: install the xvfb and xauth packages to run the viewer tests";
    TempDir dir("otherlayersview");
    const std::string gpkg = dir / "县.gpkg", shot = dir / "shot.png";
    write_county_gpkg(gpkg);
    auto r = run_gridwatch("view " + gpkg + " --size 1280x800 --frames 4 --screenshot " + shot, gwtest::kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    const gwtest::Shot s = gwtest::load_shot(shot);
    ASSERT_EQ(s.w, 1280);
    ASSERT_FALSE(s.rgb.empty());
    auto pixel = [&](int x, int y) {
        const uint8_t* p = &s.rgb[(size_t(y) * s.w + x) * 3];
        return Pixel{p[0], p[1], p[2]};
    };
    // Per palette colour: light fills on the map (right of the layer panel), opaque symbol pixels
    // in the layer panel (its default place: x 10–390 from y 34).
    std::vector<size_t> map_fill(8), panel_ink(8);
    for (int y = 40; y < s.h - 40; ++y)
        for (int x = 12; x < s.w - 12; ++x)
            for (size_t k = 0; k < 8; ++k) {
                if (x > 420) map_fill[k] += near(pixel(x, y), over(other_layer_style(k).fill, kMapBackground), 4);
                if (x < 388 && y < 400) panel_ink[k] += near(pixel(x, y), unpack(category_rgba(k)), 24);
            }
    // The home view is fitted to the county: its fill covers much of the map.
    EXPECT_GT(*std::max_element(map_fill.begin(), map_fill.end()), size_t(s.w) * s.h / 20);
    // Both layers are listed with their legend symbols, in two colours.
    size_t listed = 0;
    for (size_t k = 0; k < 8; ++k) listed += panel_ink[k] >= 4;
    EXPECT_GE(listed, 2u);
}
