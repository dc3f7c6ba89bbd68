#include "geo/io/raster_out.h"

#include <cpl_error.h>
#include <gdal_priv.h>

#include <filesystem>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/core/gdal_setup.h"

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
    if (band->RasterIO(GF_Write, 0, 0, g.width, g.height, const_cast<float*>(g.values->data()), g.width, g.height,
                       GDT_Float32, 0, 0) != CE_None)
        throw Error(std::string("write failed: ") + CPLGetLastErrorMsg(), {path}, "check free space");
    // GDAL finishes the file on close; an error there (disk full) must not be committed.
    CPLErrorReset();
    ds.reset();
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error(std::string("write failed: ") + CPLGetLastErrorMsg(), {path}, "check free space");
    out.commit();
}

}  // namespace gw
