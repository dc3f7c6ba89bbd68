#pragma once
/**
 * Raster basemaps and orthophotos (SPEC §3 "any raster", §6): any GDAL raster — GeoTIFF, MBTiles,
 * GeoPackage tiles — warped into the working CRS and read as one RGBA image for the GPU.
 */
#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

struct RasterImage {
    int width = 0, height = 0;
    std::vector<uint8_t> rgba;  // rows from the top, 4 bytes a pixel; alpha 0 where there is no data
    Box extent;                 // working CRS
    std::string source;
};

/**
 * Reads `path` (a raster GDAL can open; for a GeoPackage, its tile table) warped to the working
 * CRS, at most `max_px` pixels on the long side. One band is grey (or its colour table), three
 * RGB, four RGBA; nodata becomes transparent. Throws gw::Error naming the file when it is not a
 * raster, has no georeferencing, or cannot be warped.
 */
RasterImage load_basemap(const std::string& path, const std::string& work_crs_wkt, int max_px = 4096);

/** Whether `path` opens as a raster with georeferencing (a GeoPackage may hold only vectors). */
bool has_raster(const std::string& path);

}  // namespace gw
