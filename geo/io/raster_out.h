#pragma once
/** Writing rasters: a float grid as a GeoTIFF (hotspots --method kde --out). */
#include <string>
#include <vector>

namespace gw {

/** A north-up grid of floats: row 0 at the top, cells `cell` metres square from (x0, y0), the top-left corner. */
struct FloatGrid {
    int width = 0, height = 0;
    double x0 = 0, y0 = 0, cell = 1;
    const std::vector<float>* values = nullptr;  // width × height, row by row
    std::string description;                     // the band's (e.g. "incidents per km²")
};

/**
 * Writes the grid as a deflate-compressed tiled Float32 GeoTIFF in the CRS `wkt`, through
 * AtomicOutput (a kill leaves the old file or the new one; a stale .aux.xml is replaced).
 * Throws gw::Error naming the file and the failed step.
 */
void write_float_geotiff(const FloatGrid& grid, const std::string& path, const std::string& wkt);

}  // namespace gw
