#include "geo/core/gdal_setup.h"

#include <cpl_conv.h>
#include <gdal_priv.h>

#include <mutex>

#include "geo/core/write_back_file.h"

namespace gw {

void gdal_setup() {
    static std::once_flag once;
    std::call_once(once, [] {
        GDALAllRegister();
        // An unclosed ring is an error to report by feature, never a ring GDAL closes silently.
        CPLSetConfigOption("OGR_GEOMETRY_ACCEPT_UNCLOSED_RING", "NO");
        // GDAL's table of file handlers takes no lock: ours goes in before any file is opened.
        install_write_back_files();
    });
}

void WaitForOtherWriters::on(GDALDataset& ds) {
    const std::string driver = ds.GetDriverName() ? ds.GetDriverName() : "";
    if (driver == "GPKG" || driver == "SQLite")
        ds.ReleaseResultSet(ds.ExecuteSQL("PRAGMA busy_timeout = 120000", nullptr, nullptr));
}

}  // namespace gw
