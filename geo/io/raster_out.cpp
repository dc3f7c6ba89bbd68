#include "geo/io/raster_out.h"

#include <cpl_error.h>
#include <gdal_priv.h>

#include <algorithm>
#include <filesystem>
#include <vector>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/io/atomic_output.h"

namespace gw {

void write_float_geotiff(const FloatGrid& g, const std::string& path, const std::string& wkt) {
    gdal_setup();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    AtomicOutput out(path);
    out.replaces({std::filesystem::path(path).filename().string() + ".aux.xml"});  // stale statistics of the old raster
    // Compressed on both cores; the fastest deflate level (most of a county is empty).
    const char* opts[] = {"COMPRESS=DEFLATE", "ZLEVEL=1", "TILED=YES", "NUM_THREADS=2", "SPARSE_OK=TRUE", nullptr};
    GDALDatasetUniquePtr ds(drv->Create(out.temp().c_str(), g.width, g.height, 1, GDT_Float32, const_cast<char**>(opts)));
    if (!ds) throw Error(std::string("cannot be created: ") + CPLGetLastErrorMsg(), {path}, "check the folder is writable");
    double gt[6] = {g.x0, g.cell, 0, g.y0, 0, -g.cell};
    ds->SetGeoTransform(gt);
    ds->SetProjection(wkt.c_str());
    GDALRasterBand* band = ds->GetRasterBand(1);
    band->SetDescription(g.description.c_str());
    // Tile by tile straight to the driver: through RasterIO every tile was copied into GDAL's block
    // cache first (a second raster's worth of memory: 72 MB for a county's density at 10 m).
    int bw = 0, bh = 0;
    band->GetBlockSize(&bw, &bh);
    std::vector<float> tile(static_cast<size_t>(bw) * bh);
    const float* rows = g.values->data();
    for (int ty = 0; ty * bh < g.height; ++ty)
        for (int tx = 0; tx * bw < g.width; ++tx) {
            const int w = std::min(bw, g.width - tx * bw), h = std::min(bh, g.height - ty * bh);
            if (w < bw || h < bh) std::fill(tile.begin(), tile.end(), 0.0f);  // the edge tiles' padding
            for (int y = 0; y < h; ++y)
                std::copy_n(
                    rows + (static_cast<size_t>(ty) * bh + y) * g.width + static_cast<size_t>(tx) * bw, w,
                    &tile[static_cast<size_t>(y) * bw]);
            if (band->WriteBlock(tx, ty, tile.data()) != CE_None)
                throw Error(std::string("write failed: ") + CPLGetLastErrorMsg(), {path}, "check free space");
        }
    // GDAL finishes the file on close; an error there (disk full) must not be committed.
    CPLErrorReset();
    ds.reset();
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error(std::string("write failed: ") + CPLGetLastErrorMsg(), {path}, "check free space");
    out.commit();
}

}  // namespace gw
