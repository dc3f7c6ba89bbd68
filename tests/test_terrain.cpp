// Terrain occlusion (SPEC §5.1 "With a DEM raster in the dataset, terrain occlusion from the camera
// `height` is applied too"), checked against similar triangles worked out by hand.
//
// The scene: flat ground at 0 m sampled every metre (cell centres on whole metres of EPSG:4542,
// near Longling), and a ridge 5 m high wherever 40 ≤ x ≤ 50 (x east of the camera), across the
// whole DEM north to south. A camera at the origin looks east (azimuth 90°, fov 60°, range 120 m).
// With its lens at H m above the ground and H > 5, the sight line over the ridge's far top edge
// (x = 50, 5 m) reaches the ground again at x = 50 · H / (H − 5): ground is hidden exactly for
// 50 < x < 50 H / (H − 5), in every direction, because the ridge runs across the whole DEM. For
// H = 10 that is 50 < x < 100; for H = 20, 50 < x < 66.7. With H < 5 (the 3 m default) everything
// past the ridge's near face at x = 40 is hidden.
//
// Within the sector the band a < x < b (b ≤ 120 cos 30° = 103.9) has area tan 30° · (b² − a²): the
// sector's edges are the lines |y| = x tan 30°, and the arc lies beyond x = 103.9.
//
// Tolerance: GDAL's viewshed decides per DEM cell (1 m), and the hidden ground is polygonised
// along cell edges, so each edge of the band may sit up to one cell off its true place. Allowing
// one cell at both edges: tan 30° · ((b + 1)² − b² + (a + 1)² − a²) — 174 m² (5.4 %) for H = 10.
#include <cpl_string.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "geo/analysis/camera_view.h"
#include "geo/analysis/terrain.h"
#include "geo/io/dem.h"
#include "geo/core/error.h"
#include "geo/core/parallel.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"

using namespace gw;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

constexpr double kX0 = 500000, kY0 = 2720000;  // the camera, EPSG:4542 (CGCS2000 / GK CM 99E)
constexpr double kRange = 120, kFov = 60;
const double kTan30 = std::tan(M_PI / 6);

/** The DEM to write: samples every `cell` metres over [x0, x1] × [y0, y1] (relative to the camera). */
struct DemSpec {
    double x0 = -20, x1 = 140, y0 = -90, y1 = 90, cell = 1;
    bool crs = true, geotransform = true;
    double nodata_x0 = NAN, nodata_x1 = NAN;  // samples with x in [nodata_x0, nodata_x1] are nodata
    double normal_deg = 0;  // the ridge runs across this direction (degrees from the x axis)
};

double ridge(double x) { return x >= 40 - 1e-9 && x <= 50 + 1e-9 ? 5.0 : 0.0; }

GDALDatasetUniquePtr ridge_mem(const DemSpec& s) {
    GDALAllRegister();
    const int w = static_cast<int>(std::lround((s.x1 - s.x0) / s.cell)) + 1;
    const int h = static_cast<int>(std::lround((s.y1 - s.y0) / s.cell)) + 1;
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr ds(mem->Create("", w, h, 1, GDT_Float32, nullptr));
    // Cell centres on the sample points: the grid starts half a cell before the first sample.
    double gt[6] = {kX0 + s.x0 - s.cell / 2, s.cell, 0, kY0 + s.y1 + s.cell / 2, 0, -s.cell};
    if (s.geotransform) ds->SetGeoTransform(gt);
    if (s.crs) {
        OGRSpatialReference srs;
        srs.importFromEPSG(4542);
        ds->SetSpatialRef(&srs);
    }
    std::vector<float> z(static_cast<size_t>(w) * h);
    for (int j = 0; j < h; ++j)
        for (int i = 0; i < w; ++i) {
            const double x = s.x0 + i * s.cell, y = s.y1 - j * s.cell;
            const bool hole = x >= s.nodata_x0 - 1e-9 && x <= s.nodata_x1 + 1e-9;
            const double a = s.normal_deg * M_PI / 180, u = x * std::cos(a) + y * std::sin(a);
            z[static_cast<size_t>(j) * w + i] = hole ? -9999.0f : static_cast<float>(ridge(u));
        }
    GDALRasterBand* b = ds->GetRasterBand(1);
    EXPECT_EQ(b->RasterIO(GF_Write, 0, 0, w, h, z.data(), w, h, GDT_Float32, 0, 0, nullptr), CE_None);
    if (!std::isnan(s.nodata_x0)) b->SetNoDataValue(-9999);
    return ds;
}

void write_dem_tif(const std::string& path, const DemSpec& s = {}) {
    auto mem = ridge_mem(s);
    GDALDriver* gtiff = GetGDALDriverManager()->GetDriverByName("GTiff");
    GDALDatasetUniquePtr out(gtiff->CreateCopy(path.c_str(), mem.get(), FALSE, nullptr, nullptr, nullptr));
    ASSERT_TRUE(out) << CPLGetLastErrorMsg();
}

/** A level-4 grid cell holding the whole scene, and the east-looking camera (height unset when h < 0). */
void add_layers(GDALDataset& ds, double cam_height) {
    OGRSpatialReference srs;
    srs.importFromEPSG(4542);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayer* grids = ds.CreateLayer("grids", &srs, wkbPolygon, nullptr);
    ASSERT_TRUE(grids);
    for (const char* f : {"grid_id", "parent_id", "name"}) {
        OGRFieldDefn d(f, OFTString);
        grids->CreateField(&d);
    }
    OGRFieldDefn level("level", OFTInteger);
    grids->CreateField(&level);
    OGRFeature cell(grids->GetLayerDefn());
    cell.SetField("grid_id", "G1"), cell.SetField("parent_id", ""), cell.SetField("name", "一组"), cell.SetField("level", 4);
    OGRPolygon poly;
    OGRLinearRing ring;
    for (auto [x, y] : {std::pair{-20.0, -90.0}, {140.0, -90.0}, {140.0, 90.0}, {-20.0, 90.0}, {-20.0, -90.0}})
        ring.addPoint(kX0 + x, kY0 + y);
    poly.addRing(&ring);
    cell.SetGeometry(&poly);
    ASSERT_EQ(grids->CreateFeature(&cell), OGRERR_NONE);

    OGRLayer* cams = ds.CreateLayer("cameras", &srs, wkbPoint, nullptr);
    ASSERT_TRUE(cams);
    for (const char* f : {"cam_id", "owner", "status"}) {
        OGRFieldDefn d(f, OFTString);
        cams->CreateField(&d);
    }
    for (const char* f : {"azimuth", "fov", "range", "height"}) {
        OGRFieldDefn d(f, OFTReal);
        cams->CreateField(&d);
    }
    OGRFeature cam(cams->GetLayerDefn());
    cam.SetField("cam_id", "K1"), cam.SetField("owner", "road"), cam.SetField("status", "online");
    cam.SetField("azimuth", 90.0), cam.SetField("fov", kFov), cam.SetField("range", kRange);
    if (cam_height >= 0) cam.SetField("height", cam_height);
    OGRPoint pt(kX0, kY0);
    cam.SetGeometry(&pt);
    ASSERT_EQ(cams->CreateFeature(&cam), OGRERR_NONE);
}

void write_vector_gpkg(const std::string& path, double cam_height = 10) {
    GDALAllRegister();
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    add_layers(*ds, cam_height);
}

/** A GeoPackage holding the DEM as raster table `dem` (Float32 TIFF tiles, exact values) and nothing else. */
void write_gpkg_dem(const std::string& path) {
    auto mem = ridge_mem({});
    CPLStringList opts;
    opts.AddString("RASTER_TABLE=dem");
    opts.AddString("TILE_FORMAT=TIFF");
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr r(gpkg->CreateCopy(path.c_str(), mem.get(), FALSE, opts.List(), nullptr, nullptr));
    ASSERT_TRUE(r) << CPLGetLastErrorMsg();
}

/** One GeoPackage: the DEM as raster table `dem` plus the layers. */
void write_gpkg_with_dem(const std::string& path) {
    write_gpkg_dem(path);
    GDALDatasetUniquePtr v(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(v);
    add_layers(*v, 10);
}

std::shared_ptr<const Terrain> load_dem(const std::string& path) {
    char* wkt = nullptr;
    OGRSpatialReference srs;
    srs.importFromEPSG(4542);
    srs.exportToWkt(&wkt);
    std::string w = wkt;
    CPLFree(wkt);
    return std::make_shared<const Terrain>(read_dem(path, path, w));
}

/** The default ridge DEM written into dir as dem.tif and loaded. */
std::shared_ptr<const Terrain> ridge_dem(const TempDir& dir) {
    write_dem_tif(dir / "dem.tif");
    return load_dem(dir / "dem.tif");
}

Camera east_camera(std::optional<double> height) {
    Camera c;
    c.cam_id = "K1", c.pos = {kX0, kY0}, c.azimuth = 90, c.fov = kFov, c.range = kRange, c.height = height;
    return c;
}

double sector_area_exact() { return sector_area(kFov, kRange); }
/** Area of the sector's part with a < x < b (b ≤ 103.9 m, where the arc begins). */
double band(double a, double b) { return kTan30 * (b * b - a * a); }
/** One DEM cell (1 m) of slack at each edge of a band a < x < b. */
double cell_slack(double a, double b) { return kTan30 * ((b + 1) * (b + 1) - b * b + (a + 1) * (a + 1) - a * a); }

MultiPolygon view_with(const Terrain* t, const Camera& c, bool occlusion = true) {
    return camera_view(c, nullptr, ViewOptions{occlusion, Quality::Any, t});
}

Vec2 at(double x, double y) { return {kX0 + x, kY0 + y}; }

}  // namespace

TEST(Terrain, RidgeHidesTheBandItsShadowCasts) {
    TempDir dir("terrain_ridge");
    auto t = ridge_dem(dir);
    EXPECT_FALSE(t->info().warped);  // already on the working CRS's grid: read as it is
    EXPECT_EQ(t->info().width, 161);
    EXPECT_EQ(t->info().height, 181);
    EXPECT_DOUBLE_EQ(t->ground(at(45, 0)), 5.0);
    EXPECT_DOUBLE_EQ(t->ground(at(60, 30)), 0.0);

    // Lens 10 m up: hidden for 50 < x < 100.
    const MultiPolygon v = view_with(t.get(), east_camera(10.0));
    const double want = sector_area_exact() - band(50, 100);  // 7539.8 − 4330.1 = 3209.7 m²
    EXPECT_NEAR(area(v), want, cell_slack(50, 100));
    for (double y : {0.0, 25.0, -35.0}) {
        EXPECT_FALSE(inside(v, at(70, y))) << y;   // in the ridge's shadow
        EXPECT_FALSE(inside(v, at(95, y))) << y;
    }
    for (Vec2 p : {at(30, 0), at(30, 15), at(45, 0), at(110, 0), at(110, 20), at(102, -50)})
        EXPECT_TRUE(inside(v, p)) << p.x - kX0 << "," << p.y - kY0;
    EXPECT_FALSE(inside(v, at(110, 70)));  // outside the sector: terrain adds nothing to a view

    // Terrain::visible is the same ground over the whole disc: behind the camera (west, beyond the
    // DEM's edge at x = −20.5 too) nothing is hidden.
    const MultiPolygon disc = t->visible(at(0, 0), 10, kRange);
    const double hidden_in_disc = M_PI * kRange * kRange - area(disc);
    // Across the disc the band 50 < x < 100 is cut by the circle and by the DEM's north and south
    // edges (|y| ≤ 90.5): its area, by the midpoint rule over x in 1 mm strips.
    double want_disc = 0;
    for (double x = 50.0005; x < 100; x += 0.001) want_disc += 2 * std::min(std::sqrt(kRange * kRange - x * x), 90.5) * 0.001;
    EXPECT_NEAR(hidden_in_disc, want_disc, 2 * 90.5 * 2);  // one cell at each edge, full height
    EXPECT_TRUE(inside(disc, at(-60, 0)));
    EXPECT_FALSE(inside(disc, at(70, -80)));
}

// The same ridge turned 45°, the camera looking along its normal (bearing 45°): the shadow is the
// same band by symmetry, now cut from the raster along staircase edges.
TEST(Terrain, DiagonalRidgeCastsTheSameShadow) {
    TempDir dir("terrain_diagonal");
    DemSpec spec;
    spec.x0 = -20, spec.x1 = 140, spec.y0 = -20, spec.y1 = 140, spec.normal_deg = 45;
    write_dem_tif(dir / "dem.tif", spec);
    auto t = load_dem(dir / "dem.tif");
    Camera c = east_camera(10.0);
    c.azimuth = 45;
    const MultiPolygon v = view_with(t.get(), c);
    const double want = sector_area_exact() - band(50, 100);
    EXPECT_NEAR(area(v), want, cell_slack(50, 100));  // one cell at each edge, as for the straight ridge
    auto along = [](double u, double off) {  // u metres along the normal, off metres across it
        const double k = std::sqrt(0.5);
        return at(u * k - off * k, u * k + off * k);
    };
    for (double off : {0.0, 20.0, -30.0}) {  // within the sector's ±30° at these distances
        EXPECT_FALSE(inside(v, along(70, off))) << off;
        EXPECT_FALSE(inside(v, along(95, off))) << off;
    }
    for (double off : {0.0, 10.0, -15.0}) EXPECT_TRUE(inside(v, along(30, off))) << off;
    EXPECT_TRUE(inside(v, along(110, 0)));
    EXPECT_TRUE(inside(v, along(105, 30)));
}

TEST(Terrain, NoDemOrOcclusionOffGivesThePlainSector) {
    TempDir dir("terrain_plain");
    auto t = ridge_dem(dir);
    const Camera c = east_camera(10.0);
    const Polygon sector = sector_polygon(c.pos, c.azimuth, c.fov, c.range);
    for (const MultiPolygon& v : {view_with(nullptr, c), view_with(t.get(), c, /*occlusion=*/false)}) {
        ASSERT_EQ(v.size(), 1u);
        EXPECT_DOUBLE_EQ(area(v), area(sector));
        EXPECT_NEAR(area(v), sector_area_exact(), 1e-3 * sector_area_exact());
        EXPECT_TRUE(inside(v, at(70, 0)));
    }
    // A camera standing outside the DEM gets no terrain occlusion (its ground is unknown).
    Camera off = c;
    off.pos = at(-200, 0);
    EXPECT_TRUE(std::isnan(t->ground(off.pos)));
    EXPECT_DOUBLE_EQ(area(view_with(t.get(), off)), area(sector_polygon(off.pos, 90, kFov, kRange)));
}

TEST(Terrain, TallerCameraSeesOverMoreAndTheDefaultHeightSeesLess) {
    TempDir dir("terrain_heights");
    auto t = ridge_dem(dir);
    const double at10 = area(view_with(t.get(), east_camera(10.0)));
    // 20 m: the shadow ends at x = 50 · 20 / 15 = 66.7.
    const MultiPolygon v20 = view_with(t.get(), east_camera(20.0));
    EXPECT_NEAR(area(v20), sector_area_exact() - band(50, 200.0 / 3), cell_slack(50, 200.0 / 3));
    EXPECT_GT(area(v20), at10 + 2000);
    EXPECT_TRUE(inside(v20, at(70, 0)));
    EXPECT_FALSE(inside(v20, at(60, 0)));

    // No height field: the 3 m default, below the 5 m ridge. Only x < 40 (the ground before the
    // ridge's near face) is seen: tan 30° · 40² = 923.8 m².
    EXPECT_EQ(camera_height(east_camera(std::nullopt)), kDefaultCameraHeight);
    EXPECT_EQ(camera_height(east_camera(-1.0)), kDefaultCameraHeight);
    EXPECT_EQ(camera_height(east_camera(0.0)), 0.0);
    const MultiPolygon low = view_with(t.get(), east_camera(std::nullopt));
    EXPECT_NEAR(area(low), kTan30 * 40 * 40, kTan30 * (41 * 41 - 40 * 40));
    EXPECT_TRUE(inside(low, at(30, 0)));
    EXPECT_FALSE(inside(low, at(110, 0)));
    EXPECT_DOUBLE_EQ(area(low), area(view_with(t.get(), east_camera(kDefaultCameraHeight))));
}

TEST(Terrain, BeyondTheDemAndOnNodataNothingIsHidden) {
    TempDir dir("terrain_edges");
    // The DEM stops at x = 70: the shadow (50 < x < 100) is cut there; beyond it the ground is unknown.
    DemSpec cut;
    cut.x1 = 70;
    write_dem_tif(dir / "dem.tif", cut);
    auto t = load_dem(dir / "dem.tif");
    const MultiPolygon v = view_with(t.get(), east_camera(10.0));
    EXPECT_NEAR(area(v), sector_area_exact() - band(50, 70), cell_slack(50, 70));
    EXPECT_TRUE(inside(v, at(85, 0)));
    EXPECT_FALSE(inside(v, at(60, 0)));

    // Nodata over 60 ≤ x ≤ 80: unknown ground is not hidden, and the sight line carries over the
    // hole, so 80 < x < 100 is still in the shadow.
    std::filesystem::create_directories(dir / "hole");
    DemSpec hole;
    hole.nodata_x0 = 60, hole.nodata_x1 = 80;
    write_dem_tif(dir / "hole/dem.tif", hole);
    auto th = load_dem(dir / "hole/dem.tif");
    EXPECT_TRUE(std::isnan(th->ground(at(70, 0))));
    const MultiPolygon vh = view_with(th.get(), east_camera(10.0));
    EXPECT_NEAR(area(vh), sector_area_exact() - band(50, 59.5) - band(80.5, 100),
                cell_slack(50, 59.5) + cell_slack(80.5, 100));
    EXPECT_TRUE(inside(vh, at(70, 0)));
    EXPECT_FALSE(inside(vh, at(90, 0)));
    EXPECT_FALSE(inside(vh, at(55, 0)));
}

TEST(Terrain, WarpedFromLonLatKeepsTheShadow) {
    // The same ridge written in EPSG:4326 (warped back to EPSG:4542, bilinear): the shadow moves
    // by at most a cell or two more than on the native grid.
    TempDir dir("terrain_warp");
    write_dem_tif(dir / "native.tif");
    GDALDatasetUniquePtr src(GDALDataset::Open((dir / "native.tif").c_str(), GDAL_OF_RASTER));
    ASSERT_TRUE(src);
    CPLStringList argv;
    for (const char* a : {"-t_srs", "EPSG:4326", "-r", "bilinear"}) argv.AddString(a);
    GDALWarpAppOptions* wo = GDALWarpAppOptionsNew(argv.List(), nullptr);
    GDALDatasetH in = GDALDataset::ToHandle(src.get());
    GDALDatasetH out = GDALWarp((dir / "dem.tif").c_str(), nullptr, 1, &in, wo, nullptr);
    GDALWarpAppOptionsFree(wo);
    ASSERT_TRUE(out);
    GDALClose(out);
    auto t = load_dem(dir / "dem.tif");
    EXPECT_TRUE(t->info().warped);
    EXPECT_EQ(t->info().crs, "EPSG:4326");
    EXPECT_NEAR(t->info().work_cell, 1.0, 0.15);
    const MultiPolygon v = view_with(t.get(), east_camera(10.0));
    EXPECT_NEAR(area(v), sector_area_exact() - band(50, 100), 2 * cell_slack(50, 100));
    EXPECT_FALSE(inside(v, at(75, 0)));
    EXPECT_TRUE(inside(v, at(30, 0)));
}

TEST(Terrain, ViewsOnTwoThreadsMatchOneAtATime) {
    // Camera views run on two threads (geo/core/parallel.h); each query copies its own window.
    TempDir dir("terrain_threads");
    auto t = ridge_dem(dir);
    std::vector<Camera> cams;
    for (int k = 0; k < 48; ++k) {
        Camera c = east_camera(2.0 + k % 7 * 2.5);
        c.pos = at(-10 + k * 2.9, -60 + k * 2.5);
        c.azimuth = k * 37 % 360, c.fov = 40 + k % 5 * 30;
        cams.push_back(c);
    }
    std::vector<double> one(cams.size()), two(cams.size());
    for (size_t i = 0; i < cams.size(); ++i) one[i] = area(view_with(t.get(), cams[i]));
    parallel_for(cams.size(), [&](size_t i) { two[i] = area(view_with(t.get(), cams[i])); });
    for (size_t i = 0; i < cams.size(); ++i) EXPECT_DOUBLE_EQ(one[i], two[i]) << i;
}

TEST(TerrainDataset, DemTifBesideTheLayersBecomesTheTerrain) {
    TempDir dir("terrain_ds");
    write_vector_gpkg(dir / "community.gpkg");
    write_dem_tif(dir / "DEM.tif");  // the stem matches in any case
    EXPECT_EQ(find_dem(dir / "DEM.tif"), dir / "DEM.tif");
    EXPECT_EQ(find_dem(dir / "community.gpkg"), "");
    const Dataset ds = open_dataset({dir / "community.gpkg", dir / "DEM.tif"});
    const std::optional<Terrain> terrain = terrain_of(ds);
    ASSERT_TRUE(terrain);
    ASSERT_EQ(ds.cameras.size(), 1u);
    EXPECT_EQ(ds.work_crs, "EPSG:4542");
    EXPECT_EQ(ds.layers.size(), 2u);  // the DEM is not a layer
    // The dataset's camera (height 10 from its field) gets the ridge's shadow through the options
    // coverage and placement pass.
    const MultiPolygon v = view_with(&*terrain, ds.cameras[0]);
    EXPECT_NEAR(area(v), sector_area_exact() - band(50, 100), cell_slack(50, 100));

    // Any other raster-only source is no error (the viewer draws it as a basemap), and no DEM.
    std::filesystem::create_directories(dir / "photo");
    write_dem_tif(dir / "photo/ortho.tif");
    const Dataset with_photo = open_dataset({dir / "community.gpkg", dir / "photo/ortho.tif"});
    EXPECT_FALSE(with_photo.dem);
    EXPECT_EQ(with_photo.cameras.size(), 1u);

    // The DEM is elevation, not a basemap: only the photo is drawn.
    app::DatasetArgs args;
    args.sources = {dir / "community.gpkg", dir / "DEM.tif", dir / "photo/ortho.tif"};
    EXPECT_EQ(app::basemap_paths(args, {}), std::vector<std::string>{dir / "photo/ortho.tif"});
}

TEST(TerrainDataset, GeoPackageRasterTableDemLoads) {
    TempDir dir("terrain_gpkg");
    write_gpkg_with_dem(dir / "all.gpkg");
    EXPECT_EQ(find_dem(dir / "all.gpkg"), "GPKG:" + dir / "all.gpkg" + ":dem");
    EXPECT_TRUE(raster_is_dem(dir / "all.gpkg"));
    const Dataset ds = open_dataset({dir / "all.gpkg"});
    const std::optional<Terrain> terrain = terrain_of(ds);
    ASSERT_TRUE(terrain);
    EXPECT_EQ(terrain->info().file, dir / "all.gpkg");
    EXPECT_EQ(ds.grids.size(), 1u);
    ASSERT_EQ(ds.cameras.size(), 1u);
    EXPECT_DOUBLE_EQ(terrain->ground(at(45, 0)), 5.0);
    const MultiPolygon v = view_with(&*terrain, ds.cameras[0]);
    EXPECT_NEAR(area(v), sector_area_exact() - band(50, 100), cell_slack(50, 100));
    EXPECT_FALSE(inside(v, at(70, 0)));

    // Looked up through the connection the layers are read by, as find_layers does, the same.
    GDALDatasetUniquePtr layers(
        GDALDataset::Open((dir / "all.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(layers);
    EXPECT_EQ(layers->GetRasterCount(), 0);
    EXPECT_EQ(find_dem(dir / "all.gpkg", layers.get()), "GPKG:" + dir / "all.gpkg" + ":dem");
}

TEST(TerrainDataset, AGeoPackageHoldingOnlyTheDemBesideTheLayersBecomesTheTerrain) {
    TempDir dir("terrain_gpkg_only");
    write_vector_gpkg(dir / "community.gpkg");
    write_gpkg_dem(dir / "heights.gpkg");  // found by its table's name, not the file's
    GDALDatasetUniquePtr layers(
        GDALDataset::Open((dir / "community.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    ASSERT_TRUE(layers);
    EXPECT_EQ(find_dem(dir / "community.gpkg", layers.get()), "");
    const Dataset ds = open_dataset({dir / "community.gpkg", dir / "heights.gpkg"});
    const std::optional<Terrain> terrain = terrain_of(ds);
    ASSERT_TRUE(terrain);
    EXPECT_EQ(terrain->info().file, dir / "heights.gpkg");
    EXPECT_EQ(ds.layers.size(), 2u);  // the DEM is not a layer
    ASSERT_EQ(ds.cameras.size(), 1u);
    const MultiPolygon v = view_with(&*terrain, ds.cameras[0]);
    EXPECT_NEAR(area(v), sector_area_exact() - band(50, 100), cell_slack(50, 100));
}

TEST(TerrainDataset, DemWithoutCrsOrGeotransformFailsNamingTheFile) {
    TempDir dir("terrain_bad");
    write_vector_gpkg(dir / "community.gpkg");
    std::filesystem::create_directories(dir / "nocrs");
    std::filesystem::create_directories(dir / "nogt");
    DemSpec nocrs;
    nocrs.crs = false;
    write_dem_tif(dir / "nocrs/dem.tif", nocrs);
    DemSpec nogt;
    nogt.geotransform = false;
    write_dem_tif(dir / "nogt/dem.tif", nogt);
    try {
        open_dataset({dir / "community.gpkg", dir / "nocrs/dem.tif"});
        FAIL() << "a DEM without CRS opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.where().file, dir / "nocrs/dem.tif");
        EXPECT_NE(std::string(e.what()).find("no CRS"), std::string::npos) << e.what();
        EXPECT_NE(e.hint().find("a_srs"), std::string::npos) << e.what();
    }
    try {
        open_dataset({dir / "community.gpkg", dir / "nogt/dem.tif"});
        FAIL() << "a DEM without geotransform opened";
    } catch (const Error& e) {
        EXPECT_EQ(e.where().file, dir / "nogt/dem.tif");
        EXPECT_NE(std::string(e.what()).find("georeferencing"), std::string::npos) << e.what();
    }
    // On the command line: exit 1 and one line naming the file.
    auto r = run_gridwatch("coverage " + dir / "community.gpkg" + " " + dir / "nocrs/dem.tif" + " --json");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find(dir / "nocrs/dem.tif"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty());
    // A command that reads no cameras has no use for terrain and does not read the DEM: here KDE
    // stops on the dataset having no incidents, not on the DEM.
    auto kde = run_gridwatch("hotspots " + dir / "community.gpkg" + " " + dir / "nocrs/dem.tif" + " --method kde --json");
    EXPECT_EQ(kde.err.find("dem.tif"), std::string::npos) << kde.err;
    EXPECT_NE(kde.err.find("incidents"), std::string::npos) << kde.err;
}

TEST(TerrainCli, CoverageWithTheDemCoversLessAndInfoListsIt) {
    TempDir dir("terrain_cli");
    write_vector_gpkg(dir / "dataset.gpkg");
    write_dem_tif(dir / "dem.tif");
    auto plain = run_gridwatch("coverage " + dir / "dataset.gpkg" + " --json");
    ASSERT_EQ(plain.status, 0) << plain.err;
    auto with = run_gridwatch("coverage " + dir / "dataset.gpkg" + " " + dir / "dem.tif" + " --json");
    ASSERT_EQ(with.status, 0) << with.err;
    const auto p = nlohmann::json::parse(plain.out), w = nlohmann::json::parse(with.out);
    const double covered_plain = p["total"]["covered_m2"].get<double>();
    const double covered_dem = w["total"]["covered_m2"].get<double>();
    // The cell holds the whole sector: without terrain all of it, with the DEM less the shadow.
    EXPECT_NEAR(covered_plain, sector_area_exact(), 1e-3 * sector_area_exact());
    EXPECT_NEAR(covered_dem, sector_area_exact() - band(50, 100), cell_slack(50, 100));
    EXPECT_LT(covered_dem, covered_plain - 4000);
    EXPECT_EQ(p["total"]["area_m2"], w["total"]["area_m2"]);
    EXPECT_NE(with.err.find("terrain occlusion on"), std::string::npos) << with.err;
    EXPECT_EQ(plain.err.find("terrain"), std::string::npos) << plain.err;
    // --occlusion none switches terrain off too.
    auto none = run_gridwatch("coverage " + dir / "dataset.gpkg" + " " + dir / "dem.tif" + " --occlusion none --json");
    ASSERT_EQ(none.status, 0) << none.err;
    EXPECT_DOUBLE_EQ(nlohmann::json::parse(none.out)["total"]["covered_m2"].get<double>(), covered_plain);

    auto info = run_gridwatch("info " + dir / "dataset.gpkg" + " " + dir / "dem.tif");
    ASSERT_EQ(info.status, 0) << info.err;
    EXPECT_NE(info.out.find("DEM " + dir / "dem.tif" + ": 161 × 181 cells of 1 × 1 metre, EPSG:4542"),
              std::string::npos)
        << info.out;
    auto ij = run_gridwatch("info " + dir / "dataset.gpkg" + " " + dir / "dem.tif" + " --json");
    ASSERT_EQ(ij.status, 0) << ij.err;
    const auto j = nlohmann::json::parse(ij.out);
    EXPECT_EQ(j["dem"]["width"], 161);
    EXPECT_EQ(j["dem"]["crs"], "EPSG:4542");
    EXPECT_EQ(j["layers"].size(), 2u);
    auto ij_plain = run_gridwatch("info " + dir / "dataset.gpkg" + " --json");
    EXPECT_FALSE(nlohmann::json::parse(ij_plain.out).contains("dem"));
}

// `export --with-stats` joins the patrol figures, whose camera views the terrain cuts: it reads the
// DEM beside the layers (export otherwise reads none). A road runs east from the camera through
// the ridge's shadow (50 < x < 100 for a lens 10 m up): with the DEM its far half is seen by
// nobody; without, none of it.
TEST(TerrainDataset, ExportWithStatsCutsThePatrolFiguresViewsByTheDem) {
    TempDir dir("terrain_export");
    write_vector_gpkg(dir / "community.gpkg");
    {
        GDALDatasetUniquePtr ds(
            GDALDataset::Open((dir / "community.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        OGRSpatialReference srs;
        srs.importFromEPSG(4542);
        OGRLayer* roads = ds->CreateLayer("roads", &srs, wkbLineString, nullptr);
        ASSERT_TRUE(roads);
        OGRFieldDefn name("name", OFTString);
        roads->CreateField(&name);
        OGRFeature f(roads->GetLayerDefn());
        f.SetField("name", "岭路");
        OGRLineString line;
        line.addPoint(kX0 + 1, kY0), line.addPoint(kX0 + 99, kY0);
        f.SetGeometry(&line);
        ASSERT_EQ(roads->CreateFeature(&f), OGRERR_NONE);
        // No track walked this month: the road is nobody's but the camera's.
        OGRLayer* patrols = ds->CreateLayer("patrols", &srs, wkbLineString, nullptr);
        ASSERT_TRUE(patrols);
        for (const char* field : {"track_id", "team", "start", "end"}) {
            OGRFieldDefn d(field, OFTString);
            patrols->CreateField(&d);
        }
    }
    write_dem_tif(dir / "dem.tif");
    auto unseen = [&](const std::string& sources, const std::string& out) {
        const auto r = gwtest::run_gridwatch("export " + sources + " --with-stats --out " + (dir / out));
        EXPECT_EQ(r.status, 0) << r.err;
        GDALDatasetUniquePtr shp(GDALDataset::Open((dir / (out + "/grids_L4.shp")).c_str(), GDAL_OF_VECTOR));
        if (!shp) return -1.0;
        OGRFeatureUniquePtr cell(shp->GetLayer(0)->GetNextFeature());
        return cell ? cell->GetFieldAsDouble("nei_m") : -1.0;
    };
    const double with_dem = unseen(dir / "community.gpkg" + std::string(" ") + (dir / "dem.tif"), "with");
    const double without = unseen(dir / "community.gpkg", "without");
    EXPECT_NEAR(without, 0, 1.5);
    EXPECT_NEAR(with_dem, 49, 3);  // 50 < x < 99, to the DEM's cells
}
