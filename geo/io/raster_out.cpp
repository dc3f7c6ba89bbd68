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

struct FloatGeoTiff::File {
    std::string path;
    AtomicOutput out;
    GDALDatasetUniquePtr ds;
    GDALRasterBand* band = nullptr;
    int width = 0, height = 0, bw = 0, bh = 0;
    int done = 0;                // rows whose tiles are written
    std::vector<float> pending;  // rows of the next tile row given so far (bh × width)
    int pending_rows = 0;
    std::vector<float> tile;

    explicit File(const std::string& p) : path(p), out(p) {}

    /** Writes the tile row starting at row `done` from `rows` (width floats a row, `h` rows). */
    void tile_row(const float* rows, int h) {
        const int ty = done / bh;
        for (int tx = 0; tx * bw < width; ++tx) {
            const int w = std::min(bw, width - tx * bw);
            if (w < bw || h < bh) std::fill(tile.begin(), tile.end(), 0.0f);  // the edge tiles' padding
            for (int y = 0; y < h; ++y)
                std::copy_n(rows + static_cast<size_t>(y) * width + static_cast<size_t>(tx) * bw, w,
                            &tile[static_cast<size_t>(y) * bw]);
            if (band->WriteBlock(tx, ty, tile.data()) != CE_None)
                throw Error(std::string("write failed: ") + CPLGetLastErrorMsg(), {path}, "check free space");
        }
        done += h;
    }
};

FloatGeoTiff::FloatGeoTiff(const FloatGrid& g, const std::string& path, const std::string& wkt)
    : f_(std::make_unique<File>(path)) {
    gdal_setup();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GTiff");
    for (const auto& file : float_geotiff_files(path))  // stale statistics of the old raster
        if (file != path) f_->out.replaces({file.filename().string()});
    // PackBits (TIFF baseline: every reader has it), on both cores; empty tiles are not written.
    // A density's float mantissas do not compress: what shrinks is its runs of zeros, which PackBits
    // takes as well as DEFLATE level 1 at a quarter of the CPU (500k incidents at 10 m: 31.1 MB in
    // 0.10 s against 28.1 MB in 0.36 s; ZSTD 28.0 MB, LZW 36.3 MB, both slower).
    const char* opts[] = {"COMPRESS=PACKBITS", "TILED=YES", "NUM_THREADS=2", "SPARSE_OK=TRUE", nullptr};
    f_->ds.reset(
        drv->Create(f_->out.temp().c_str(), g.width, g.height, 1, GDT_Float32, const_cast<char**>(opts)));
    if (!f_->ds)
        throw Error(std::string("cannot be created: ") + CPLGetLastErrorMsg(), {path},
                    "check the folder is writable");
    double gt[6] = {g.x0, g.cell, 0, g.y0, 0, -g.cell};
    f_->ds->SetGeoTransform(gt);
    f_->ds->SetProjection(wkt.c_str());
    f_->band = f_->ds->GetRasterBand(1);
    f_->band->SetDescription(g.description.c_str());
    f_->width = g.width, f_->height = g.height;
    // Tile by tile straight to the driver: through RasterIO every tile was copied into GDAL's block
    // cache first (a second raster's worth of memory: 72 MB for a county's density at 10 m).
    f_->band->GetBlockSize(&f_->bw, &f_->bh);
    f_->tile.resize(static_cast<size_t>(f_->bw) * f_->bh);
}

FloatGeoTiff::~FloatGeoTiff() = default;

std::vector<std::filesystem::path> float_geotiff_files(const std::string& path) {
    return {path, path + ".aux.xml"};
}

void FloatGeoTiff::rows(const float* values, int n) {
    File& f = *f_;
    const size_t w = static_cast<size_t>(f.width);
    if (n < 0 || n > f.height - f.done - f.pending_rows)
        throw Error("write failed: " + std::to_string(n) + " rows given past row " +
                        std::to_string(f.done + f.pending_rows) + " of " + std::to_string(f.height),
                    {f.path}, "report this as a bug");
    while (n > 0) {
        if (f.pending_rows == 0 &&
            (n >= f.bh || f.done + n == f.height)) {  // whole tile rows, from the caller's rows
            const int h = std::min(n, f.bh);
            f.tile_row(values, h);
            values += h * w, n -= h;
            continue;
        }
        const int h = std::min(n, f.bh - f.pending_rows);
        f.pending.resize(static_cast<size_t>(f.bh) * w);
        std::copy_n(values, h * w, &f.pending[f.pending_rows * w]);
        f.pending_rows += h, values += h * w, n -= h;
        if (f.pending_rows == f.bh || f.done + f.pending_rows == f.height) {
            f.tile_row(f.pending.data(), f.pending_rows);
            f.pending_rows = 0;
        }
    }
}

void FloatGeoTiff::commit() {
    File& f = *f_;
    if (f.done != f.height)
        throw Error(
            "write failed: " + std::to_string(f.done) + " of " + std::to_string(f.height) + " rows given",
            {f.path}, "report this as a bug");
    // GDAL finishes the file on close; an error there (disk full) must not be committed.
    CPLErrorReset();
    f.ds.reset();
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error(std::string("write failed: ") + CPLGetLastErrorMsg(), {f.path}, "check free space");
    f.out.commit();
}

void write_float_geotiff(const FloatGrid& g, const std::string& path, const std::string& wkt) {
    FloatGeoTiff tif(g, path, wkt);
    tif.rows(g.values->data(), g.height);
    tif.commit();
}

}  // namespace gw
