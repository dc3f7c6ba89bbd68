#pragma once
/** Writing rasters: a float grid as a GeoTIFF (hotspots --method kde --out). */
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

namespace gw {

/** A north-up grid of floats: row 0 at the top, cells `cell` metres square from (x0, y0), the top-left corner. */
struct FloatGrid {
    int width = 0, height = 0;
    double x0 = 0, y0 = 0, cell = 1;
    const std::vector<float>* values = nullptr;  // width × height, row by row (unused by FloatGeoTiff)
    std::string description;                     // the band's (e.g. "incidents per km²")
};

/**
 * A PackBits-compressed tiled Float32 GeoTIFF in the CRS `wkt`, written a few rows at a time from
 * the top (GDAL compresses the tiles on the cores while the caller makes the next rows), through
 * AtomicOutput: nothing is in place until commit(), and a writer destroyed before it leaves the
 * old file (a stale .aux.xml is replaced). Throws gw::Error naming the file and the failed step.
 */
class FloatGeoTiff {
public:
    FloatGeoTiff(const FloatGrid& shape, const std::string& path, const std::string& wkt);
    ~FloatGeoTiff();
    /** The next `n` rows, `shape.width` floats each, below those given before. */
    void rows(const float* values, int n);
    /** Every row given: finishes the file and puts it in place. */
    void commit();

private:
    struct File;
    std::unique_ptr<File> f_;
};

/** The files a FloatGeoTiff to `path` writes or replaces: the GeoTIFF and its .aux.xml. */
std::vector<std::filesystem::path> float_geotiff_files(const std::string& path);

/** Writes a whole grid as FloatGeoTiff does. */
void write_float_geotiff(const FloatGrid& grid, const std::string& path, const std::string& wkt);

}  // namespace gw
