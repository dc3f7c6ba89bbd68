// Raster basemaps under the map (SPEC §6) and live layer styles from the layer panel: a GeoTIFF
// in lon/lat with a red west half and a blue east half, warped to the working CRS, uploaded as an
// RGBA texture and drawn under every vector layer; and colour / width / size changed through
// LayerStyle (shader uniforms) on an already uploaded scene.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "app/render/gl_context.h"
#include "app/render/renderer.h"
#include "app/render/scene.h"
#include "geo/core/error.h"
#include "geo/io/crs.h"
#include "tests/cli_run.h"

using namespace gw;
using namespace gw::app;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

// The basemap: 98.66–98.72°E, 24.57–24.61°N, red west of 98.69°E and blue east of it.
constexpr double kLon0 = 98.66, kLon1 = 98.72, kLat0 = 24.57, kLat1 = 24.61, kSplit = 98.69;

void write_halves_tif(const std::string& path) {
    GDALAllRegister();
    const int w = 600, h = 400;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), w, h, 3, GDT_Byte, nullptr));
    ASSERT_TRUE(ds);
    double gt[6] = {kLon0, (kLon1 - kLon0) / w, 0, kLat1, 0, -(kLat1 - kLat0) / h};
    ds->SetGeoTransform(gt);
    OGRSpatialReference srs;
    srs.importFromEPSG(4326);
    ds->SetSpatialRef(&srs);
    std::vector<uint8_t> r(size_t(w) * h), g(size_t(w) * h, 0), b(size_t(w) * h);
    for (int y = 0; y < h; ++y)
        for (int x = 0; x < w; ++x) {
            const bool west = kLon0 + (x + 0.5) * gt[1] < kSplit;
            r[size_t(y) * w + x] = west ? 220 : 0;
            b[size_t(y) * w + x] = west ? 0 : 200;
        }
    for (int i = 1; i <= 3; ++i) {
        auto& band = i == 1 ? r : i == 2 ? g : b;
        ASSERT_EQ(ds->GetRasterBand(i)->RasterIO(GF_Write, 0, 0, w, h, band.data(), w, h, GDT_Byte, 0, 0), CE_None);
    }
}

/** One grid cell inside the basemap, 98.68–98.70°E × 24.58–24.60°N: `grids.geojson` in `dir`. */
void write_one_cell(const TempDir& dir) {
    dir.write(
        "grids.geojson",
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"grid_id":"C","level":1,"parent_id":"","name":"C"},)"
        R"("geometry":{"type":"Polygon","coordinates":[[[98.68,24.58],[98.70,24.58],[98.70,24.60],[98.68,24.60],[98.68,24.58]]]}}]})");
}

std::string wkt_of(const std::string& crs) {
    char* wkt = nullptr;
    parse_crs(crs).exportToWkt(&wkt);
    std::string s = wkt;
    CPLFree(wkt);
    return s;
}

Vec2 to_gk(double lon, double lat) {
    static const Transform t(parse_crs("EPSG:4326"), parse_crs("EPSG:4542"));
    return t.apply({lon, lat});
}

std::array<int, 3> pixel(const std::vector<uint8_t>& img, const MapView& view, Vec2 world) {
    const Vec2 s = view.to_screen(world);
    const size_t i = (size_t(s.y) * size_t(view.width) + size_t(s.x)) * 4;
    return {img[i], img[i + 1], img[i + 2]};
}

}  // namespace

TEST(RenderBasemap, GeoTiffHalvesUnderAVectorLayer) {
    TempDir dir("basemap_api");
    const std::string tif = dir / "halves.tif";
    write_halves_tif(tif);

    // A scene with one black north-south road through the middle of the basemap.
    Scene scene;
    const Vec2 mid = to_gk(kSplit, (kLat0 + kLat1) / 2);
    scene.origin = mid;
    SceneLayer roads;
    roads.id = LayerId::Roads;
    roads.key = "roads";
    roads.lines.push_back(
        {0, -1500, 0, 1500, rgba(0, 0, 0), 6, 0, 0, 0});
    scene.layers.push_back(std::move(roads));
    add_basemaps(scene, {tif}, wkt_of("EPSG:4542"), 1024);
    ASSERT_EQ(scene.layers.front().id, LayerId::Basemap);  // under everything
    ASSERT_EQ(scene.layers.front().images.size(), 1u);

    HeadlessGl gl;
    const Vec2 sw = to_gk(kLon0 + 0.005, kLat0 + 0.005), ne = to_gk(kLon1 - 0.005, kLat1 - 0.005);
    const MapView view = MapView::fit(Box{sw.x, sw.y, ne.x, ne.y}, 300, 200);
    auto img = render_image(scene, view, nullptr);
    const auto west = pixel(img, view, to_gk(kLon0 + 0.012, (kLat0 + kLat1) / 2));
    const auto east = pixel(img, view, to_gk(kLon1 - 0.012, (kLat0 + kLat1) / 2));
    EXPECT_NEAR(west[0], 220, 8) << west[0] << "," << west[1] << "," << west[2];
    EXPECT_LT(west[1], 10);
    EXPECT_LT(west[2], 10);
    EXPECT_LT(east[0], 10) << east[0] << "," << east[1] << "," << east[2];
    EXPECT_NEAR(east[2], 200, 8);
    // The road is drawn over the basemap.
    const auto road = pixel(img, view, mid + Vec2{0, 300});
    EXPECT_LT(road[0] + road[1] + road[2], 30) << road[0] << "," << road[1] << "," << road[2];

    // Hidden, or at opacity 0, the paper shows again.
    scene.layers.front().visible = false;
    img = render_image(scene, view, nullptr);
    const auto paper = pixel(img, view, to_gk(kLon0 + 0.012, (kLat0 + kLat1) / 2));
    EXPECT_EQ(paper[0], int(kMapBackground & 255));
    EXPECT_EQ(paper[2], int(kMapBackground >> 16 & 255));
}

TEST(RenderBasemap, NotARasterIsAClearError) {
    Scene scene;
    const std::string src = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    EXPECT_THROW(add_basemaps(scene, {src}, wkt_of("EPSG:4542")), Error);
    add_basemaps(scene, {}, "");  // nothing given: no layer
    EXPECT_TRUE(scene.layers.empty());
}

TEST(RenderBasemap, CliRenderWithBasemapWithoutDisplay) {
    TempDir dir("basemap_cli");
    const std::string tif = dir / "halves.tif";
    write_halves_tif(tif);
    write_one_cell(dir);
    const Vec2 sw = to_gk(kLon0 + 0.005, kLat0 + 0.005), ne = to_gk(kLon1 - 0.005, kLat1 - 0.005);
    const std::string out = dir / "map.png";
    char extent[128];
    std::snprintf(extent, sizeof extent, "%.3f,%.3f,%.3f,%.3f", sw.x, sw.y, ne.x, ne.y);
    auto r = run_gridwatch("render " + dir / "grids.geojson" + " --basemap " + tif + " --out " + out +
                               " --size 300x200 --no-labels --extent " + extent,
                           "env -u DISPLAY -u WAYLAND_DISPLAY");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALAllRegister();
    GDALDatasetUniquePtr img(GDALDataset::Open(out.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(img);
    double gt[6];
    ASSERT_EQ(img->GetGeoTransform(gt), CE_None);
    auto read = [&](Vec2 w) {
        const int x = int((w.x - gt[0]) / gt[1]), y = int((w.y - gt[3]) / gt[5]);
        std::array<int, 3> px{};
        for (int b = 0; b < 3; ++b) {
            uint8_t v = 0;
            EXPECT_EQ(img->GetRasterBand(b + 1)->RasterIO(GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Byte, 0, 0), CE_None);
            px[size_t(b)] = v;
        }
        return px;
    };
    // West and east of the grid cell, where no vector is drawn: the raster's colours.
    const auto west = read(to_gk(98.67, 24.59));
    const auto east = read(to_gk(98.71, 24.59));
    EXPECT_NEAR(west[0], 220, 8) << west[0] << "," << west[1] << "," << west[2];
    EXPECT_LT(west[2], 10);
    EXPECT_LT(east[0], 10) << east[0] << "," << east[1] << "," << east[2];
    EXPECT_NEAR(east[2], 200, 8);
    // A file that is not there is a usage error.
    auto bad = run_gridwatch("render " + dir / "grids.geojson" + " --basemap " + dir / "missing.tif" +
                                 " --out " + out,
                             "env -u DISPLAY -u WAYLAND_DISPLAY");
    EXPECT_NE(bad.status, 0);
}

TEST(RenderStyle, ColourWidthAndSizeChangeWithoutReupload) {
    Scene scene;
    scene.origin = {0, 0};
    SceneLayer L;
    L.id = LayerId::Roads;
    L.key = "roads";
    L.lines.push_back({-400, 0, 400, 0, rgba(0, 0, 0), 2, 0, 0, 0});  // a 2 px black east-west line
    L.points.push_back({0, 300, rgba(0, 0, 0), rgba(0, 0, 0, 0), 6, 0});  // a 6 px black dot
    scene.layers.push_back(std::move(L));

    HeadlessGl gl;
    const MapView view = MapView::fit(Box{-500, -500, 500, 500}, 200, 200);  // 5 m a pixel
    MapRenderer renderer;
    OffscreenTarget target(200, 200);
    auto draw = [&] {
        target.bind();
        renderer.draw(scene, view, kMapBackground);
        return target.read();
    };
    auto img = draw();
    // 5 px below the line (25 m) and 6 px right of the dot: paper.
    EXPECT_EQ(pixel(img, view, {200, -25})[0], int(kMapBackground & 255));
    EXPECT_EQ(pixel(img, view, {30, 300})[0], int(kMapBackground & 255));
    const uint64_t revision = scene.layers[0].revision;

    SceneLayer& R = scene.layers[0];
    R.style.recolor = true;
    R.style.color = rgba(0, 200, 0);
    R.style.line_width = 8;  // 16 px
    R.style.point_size = 4;  // 24 px
    img = draw();
    EXPECT_EQ(scene.layers[0].revision, revision);  // uniforms only
    const auto on_line = pixel(img, view, {200, 0});
    const auto widened = pixel(img, view, {200, -25});
    const auto dot = pixel(img, view, {30, 300});
    EXPECT_LT(on_line[0], 10);
    EXPECT_NEAR(on_line[1], 200, 8);
    EXPECT_NEAR(widened[1], 200, 8) << widened[0] << "," << widened[1] << "," << widened[2];
    EXPECT_LT(widened[0], 10);
    EXPECT_NEAR(dot[1], 200, 8) << dot[0] << "," << dot[1] << "," << dot[2];

    R.style = LayerStyle{};  // reset: back to the first image
    img = draw();
    EXPECT_EQ(pixel(img, view, {200, -25})[0], int(kMapBackground & 255));
    EXPECT_LT(pixel(img, view, {200, 0})[1], 60);
}

TEST(ViewerBasemap, ViewDrawsTheBasemapUnderTheMap) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "xvfb-run is needed";
    TempDir dir("basemap_view");
    const std::string tif = dir / "halves.tif", shot = dir / "view.png";
    write_halves_tif(tif);  // covers the bundled community (~98.69°E, 24.59°N)
    auto r = run_gridwatch("view --basemap " + tif + " --size 600x400 --frames 4 --screenshot " + shot,
                           "xvfb-run -a -s \"-screen 0 1280x800x24\"");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALAllRegister();
    GDALDatasetUniquePtr img(GDALDataset::Open(shot.c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(img);
    const int w = img->GetRasterXSize(), h = img->GetRasterYSize();
    std::vector<uint8_t> rgb(size_t(w) * h * 3);
    ASSERT_EQ(img->RasterIO(GF_Read, 0, 0, w, h, rgb.data(), w, h, GDT_Byte, 3, nullptr, 3, size_t(w) * 3, 1),
              CE_None);
    int red = 0, blue = 0;
    for (size_t i = 0; i < rgb.size(); i += 3) {
        red += rgb[i] > 200 && rgb[i + 1] < 20 && rgb[i + 2] < 20;
        blue += rgb[i] < 20 && rgb[i + 1] < 20 && rgb[i + 2] > 180;
    }
    // Both halves show between the grid lines and symbols (the split runs through the view).
    EXPECT_GT(red, w * h / 50) << red;
    EXPECT_GT(blue, w * h / 50) << blue;
}

TEST(RenderBasemap, WallDrawsTheBasemapUnderTheMap) {
    TempDir dir("basemap_wall");
    const std::string tif = dir / "halves.tif";
    write_halves_tif(tif);
    write_one_cell(dir);
    auto inside_cell = [&](const std::string& png, bool with_basemap) {
        auto r = run_gridwatch("render " + dir / "grids.geojson" + (with_basemap ? " --basemap " + tif : std::string()) +
                                   " --wall --size 960x540 --out " + png,
                               "env -u DISPLAY -u WAYLAND_DISPLAY");
        EXPECT_EQ(r.status, 0) << r.err;
        GDALAllRegister();
        GDALDatasetUniquePtr img(GDALDataset::Open(png.c_str(), GDAL_OF_RASTER));
        std::array<std::array<int, 3>, 2> px{};
        if (!img) return px;
        double gt[6];
        EXPECT_EQ(img->GetGeoTransform(gt), CE_None);
        // A quarter of the cell in from its west and east edges: red and blue halves of the basemap.
        const Vec2 at[2] = {to_gk(98.685, 24.585), to_gk(98.695, 24.585)};
        for (int k = 0; k < 2; ++k) {
            const int x = int((at[k].x - gt[0]) / gt[1]), y = int((at[k].y - gt[3]) / gt[5]);
            for (int b = 0; b < 3; ++b) {
                uint8_t v = 0;
                EXPECT_EQ(img->GetRasterBand(b + 1)->RasterIO(GF_Read, x, y, 1, 1, &v, 1, 1, GDT_Byte, 0, 0), CE_None);
                px[size_t(k)][size_t(b)] = v;
            }
        }
        return px;
    };
    const auto plain = inside_cell(dir / "plain.png", false);
    const auto over = inside_cell(dir / "over.png", true);
    // Without the basemap the dark wall map; with it, red to the west and blue to the east.
    EXPECT_LT(plain[0][0], 100);
    EXPECT_GT(over[0][0], 150) << over[0][0] << "," << over[0][1] << "," << over[0][2];
    EXPECT_LT(over[0][2], 60);
    EXPECT_GT(over[1][2], 150) << over[1][0] << "," << over[1][1] << "," << over[1][2];
    EXPECT_LT(over[1][0], 60);
}
