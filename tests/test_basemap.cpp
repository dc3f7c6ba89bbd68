// Raster basemaps warped into the working CRS.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <filesystem>

#include "geo/core/error.h"
#include "geo/io/basemap.h"
#include "geo/io/crs.h"

using namespace gw;

TEST(Basemap, GeoTiffInLonLatIsWarpedToGaussKruger) {
    GDALAllRegister();
    const std::string path = (std::filesystem::temp_directory_path() / "gw_basemap.tif").string();
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
        GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 200, 100, 3, GDT_Byte, nullptr));
        // 98.68–98.70°E, 24.58–24.59°N; the west half red, the east half blue.
        double gt[6] = {98.68, 0.0001, 0, 24.59, 0, -0.0001};
        ds->SetGeoTransform(gt);
        OGRSpatialReference srs;
        srs.importFromEPSG(4326);
        ds->SetSpatialRef(&srs);
        std::vector<uint8_t> r(200 * 100), g(200 * 100, 0), b(200 * 100);
        for (int y = 0; y < 100; ++y)
            for (int x = 0; x < 200; ++x) r[y * 200 + x] = x < 100 ? 255 : 0, b[y * 200 + x] = x < 100 ? 0 : 255;
        ASSERT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, 200, 100, r.data(), 200, 100, GDT_Byte, 0, 0), CE_None);
        ASSERT_EQ(ds->GetRasterBand(2)->RasterIO(GF_Write, 0, 0, 200, 100, g.data(), 200, 100, GDT_Byte, 0, 0), CE_None);
        ASSERT_EQ(ds->GetRasterBand(3)->RasterIO(GF_Write, 0, 0, 200, 100, b.data(), 200, 100, GDT_Byte, 0, 0), CE_None);
    }
    OGRSpatialReference work = parse_crs("EPSG:4542");
    char* wkt = nullptr;
    work.exportToWkt(&wkt);
    RasterImage img = load_basemap(path, wkt, 512);
    CPLFree(wkt);
    // The extent: the box of the four corners transformed on their own (the lon/lat rectangle is
    // turned by the meridian convergence in Gauss-Kruger), within a warped pixel (~11 m).
    Transform t(parse_crs("EPSG:4326"), work);
    Box corners;
    for (Vec2 c : {Vec2{98.68, 24.58}, Vec2{98.70, 24.58}, Vec2{98.70, 24.59}, Vec2{98.68, 24.59}}) corners.add(t.apply(c));
    EXPECT_NEAR(img.extent.xmin, corners.xmin, 12.0);
    EXPECT_NEAR(img.extent.xmax, corners.xmax, 12.0);
    EXPECT_NEAR(img.extent.ymin, corners.ymin, 12.0);
    EXPECT_NEAR(img.extent.ymax, corners.ymax, 12.0);
    ASSERT_GT(img.width, 100);
    // A pixel a quarter in from the west is red, three quarters in blue.
    const int y = img.height / 2;
    const uint8_t* west = &img.rgba[(static_cast<size_t>(y) * img.width + img.width / 4) * 4];
    const uint8_t* east = &img.rgba[(static_cast<size_t>(y) * img.width + 3 * img.width / 4) * 4];
    EXPECT_GT(west[0], 200);
    EXPECT_LT(west[2], 50);
    EXPECT_GT(east[2], 200);
    EXPECT_EQ(west[3], 255);
    std::filesystem::remove(path);
}

TEST(Basemap, VectorOnlyFileIsAClearError) {
    const std::string src = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    EXPECT_FALSE(has_raster(src));
    EXPECT_THROW(load_basemap(src, "EPSG:4542"), Error);
}
