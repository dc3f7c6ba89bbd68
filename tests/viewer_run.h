#pragma once
// Helpers of the tests that run the viewer: a small community to open, the X server to run it in,
// the screenshots it writes read back as RGB, and the bundled dataset opened once.
#include <gdal_priv.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "geo/io/dataset.h"
#include "tests/cli_run.h"

namespace gwtest {

/** Runs the viewer in a virtual X server (CI installs xvfb): pass as run_gridwatch's `env`. */
inline const char* const kXvfb = "xvfb-run -a -s \"-screen 0 1280x800x24\"";
/** xvfb-run must be there: tests fail loudly rather than skip. */
inline bool have_xvfb() { return std::system("command -v xvfb-run >/dev/null 2>&1") == 0; }

/**
 * A community of four 0.01° level-3 cells named `names` (WGS84 GeoJSON, around 98.69°E 24.59°N)
 * under one level-1 cell named `community`, and a 400 m, 90° road camera at their shared corner
 * looking north-east. Returns the DATASET arguments.
 */
inline std::string write_four_cells(const TempDir& dir, const char* const names[4], const std::string& community) {
    std::string cells;
    for (int i = 0; i < 4; ++i) {
        const double x0 = 98.68 + 0.01 * (i % 2), y0 = 24.58 + 0.01 * (i / 2);
        char buf[512];
        std::snprintf(
            buf, sizeof buf,
            R"(,{"type":"Feature","properties":{"grid_id":"G%d","level":3,"parent_id":"C","name":"%s"},)"
            R"("geometry":{"type":"Polygon","coordinates":[[[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f],[%.3f,%.3f]]]}})",
            i + 1, names[i], x0, y0, x0 + 0.01, y0, x0 + 0.01, y0 + 0.01, x0, y0 + 0.01, x0, y0);
        cells += buf;
    }
    dir.write("grids.geojson",
              R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"grid_id":"C","level":1,"parent_id":"","name":")" +
                  community +
                  R"("},"geometry":{"type":"Polygon","coordinates":[[[98.68,24.58],[98.70,24.58],[98.70,24.60],[98.68,24.60],[98.68,24.58]]]}})" +
                  cells + "]}");
    dir.write(
        "cameras.geojson",
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"cam_id":"K1","owner":"road","azimuth":45,"fov":90,"range":400,"status":"online"},)"
        R"("geometry":{"type":"Point","coordinates":[98.69,24.59]}}]})");
    return dir / "grids.geojson" + " " + dir / "cameras.geojson";
}

/** The bundled model community, opened once (no tiling check). */
inline const gw::Dataset& bundled() {
    static const gw::Dataset ds = [] {
        gw::OpenOptions o;
        return gw::open_dataset({gw::bundled_dataset_path()}, o);
    }();
    return ds;
}

struct Shot {
    int w = 0, h = 0;
    std::vector<uint8_t> rgb;  // rows from the top, 3 bytes a pixel; empty when the file is unreadable
};

inline Shot load_shot(const std::string& path) {
    GDALAllRegister();
    Shot s;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER));
    if (!ds) return s;
    s.w = ds->GetRasterXSize(), s.h = ds->GetRasterYSize();
    s.rgb.resize(size_t(s.w) * s.h * 3);
    int bands[] = {1, 2, 3};
    if (ds->RasterIO(GF_Read, 0, 0, s.w, s.h, s.rgb.data(), s.w, s.h, GDT_Byte, 3, bands, 3, GSpacing(s.w) * 3, 1,
                     nullptr) != CE_None)
        s.rgb.clear();
    return s;
}

}  // namespace gwtest
