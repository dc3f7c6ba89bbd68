// The float GeoTIFF writer (geo/io/raster_out.h): rows given a few at a time make the file the
// whole grid makes, and a writer that does not finish leaves what was there.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/io/raster_out.h"
#include "tests/cli_run.h"

using namespace gw;
using gwtest::TempDir;

namespace {

const char* kWkt = "EPSG:4542";

/** 700 × 600 cells (three tile columns, three tile rows, both cut short) with distinct values and empty
 * tiles. */
FloatGrid test_grid(std::vector<float>& v) {
    FloatGrid g{700, 600, 466000, 2721000, 10, &v, "incidents per km²"};
    v.resize(static_cast<size_t>(g.width) * g.height);
    for (int row = 0; row < g.height; ++row)
        for (int col = 0; col < g.width; ++col)
            v[static_cast<size_t>(row) * g.width + col] =
                row < 256 && col < 256 ? 0.0f : row * 1000.0f + col * 0.25f;
    return g;
}

/** The file's cells, row by row, and its geotransform. */
std::vector<float> read_back(const std::string& path, std::vector<double>& gt) {
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    EXPECT_TRUE(ds) << path;
    if (!ds) return {};
    gt.assign(6, 0);
    ds->GetGeoTransform(gt.data());
    std::vector<float> v(static_cast<size_t>(ds->GetRasterXSize()) * ds->GetRasterYSize());
    EXPECT_EQ(ds->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, ds->GetRasterXSize(), ds->GetRasterYSize(),
                                             v.data(), ds->GetRasterXSize(), ds->GetRasterYSize(),
                                             GDT_Float32, 0, 0, nullptr),
              CE_None);
    return v;
}

std::vector<std::string> files_in(const TempDir& dir) {
    std::vector<std::string> names;
    for (auto& e : std::filesystem::directory_iterator(dir.path))
        names.push_back(e.path().filename().string());
    std::sort(names.begin(), names.end());
    return names;
}

}  // namespace

TEST(FloatGeoTiff, RowsGivenInAnyStepsMakeTheFileOfTheWholeGrid) {
    gdal_setup();
    TempDir dir("raster_rows");
    std::vector<float> v;
    const FloatGrid g = test_grid(v);
    write_float_geotiff(g, dir / "whole.tif", kWkt);
    // Steps that cross tile rows, fill one exactly, end one early, give the last rows alone or
    // through the rows held back (520: 8 rows of the last tile row wait for the other 80), and none.
    for (const std::vector<int>& steps :
         {std::vector<int>{1, 255, 256, 88}, std::vector<int>{300, 300}, std::vector<int>{7, 500, 93},
          std::vector<int>{600}, std::vector<int>{520, 0, 80}, std::vector<int>{0, 3, 517, 1, 79}}) {
        FloatGeoTiff tif(g, dir / "rows.tif", kWkt);
        int row = 0;
        for (int n : steps) tif.rows(&v[static_cast<size_t>(row) * g.width], n), row += n;
        ASSERT_EQ(row, g.height);
        tif.commit();
        std::vector<double> gt_whole, gt_rows;
        const std::vector<float> whole = read_back(dir / "whole.tif", gt_whole),
                                 rows = read_back(dir / "rows.tif", gt_rows);
        EXPECT_EQ(whole, v);
        EXPECT_EQ(rows, v) << steps.size() << " steps";
        EXPECT_EQ(gt_rows, gt_whole);
        EXPECT_EQ(gt_rows, (std::vector<double>{466000, 10, 0, 2721000, 0, -10}));
    }
    EXPECT_EQ(files_in(dir), (std::vector<std::string>{"rows.tif", "whole.tif"}));
}

TEST(FloatGeoTiff, AWriterThatDoesNotFinishLeavesTheOldFile) {
    gdal_setup();
    TempDir dir("raster_unfinished");
    std::ofstream(dir / "k.tif") << "the old file";
    std::vector<float> v;
    const FloatGrid g = test_grid(v);
    {
        FloatGeoTiff tif(g, dir / "k.tif", kWkt);
        tif.rows(v.data(), 400);
        // Rows past the last are refused, and so is a commit before the last row.
        EXPECT_THROW(tif.rows(v.data(), 201), Error);
        EXPECT_THROW(tif.commit(), Error);
        EXPECT_NO_THROW(tif.rows(v.data(), 199));  // one short of the last row: the commit is still refused
        EXPECT_THROW(tif.commit(), Error);
    }
    {
        FloatGeoTiff tif(g, dir / "k.tif", kWkt);
        tif.rows(v.data(), 600);
        // Destroyed without commit (an exception on the way, a kill): nothing changes.
    }
    std::ifstream in(dir / "k.tif");
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(text, "the old file");
    EXPECT_EQ(files_in(dir), (std::vector<std::string>{"k.tif"}));
}
