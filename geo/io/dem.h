#pragma once
/**
 * Reading a DEM (SPEC §3 `dem`, §5.1) into the working CRS: finding it among a dataset's sources
 * and reading band 1, warped when it is on another grid. What is done with it is
 * geo/analysis/terrain.
 */
#include <memory>
#include <string>

#include "geo/core/geometry.h"
#include "geo/core/model.h"

class GDALDataset;

namespace gw {

/**
 * Reads band 1 of the GDAL raster `gdal_name` (`file` is what errors name). A DEM already in
 * the working CRS on a north-up grid is read as it is; any other is warped into the working CRS
 * (GDALWarp, bilinear, close to its native resolution). Only the part within `area` (working
 * CRS; empty = all of it) is kept. Nodata cells (the band's nodata value or mask) are kept as
 * unknown ground (NaN). Throws gw::Error naming `file` when the raster cannot be opened, has no
 * geotransform or no CRS, or cannot be warped.
 */
std::shared_ptr<const Dem> read_dem(const std::string& gdal_name, const std::string& file,
                                    const std::string& work_crs_wkt, const Box& area = {});

/**
 * The GDAL name of the DEM a dataset source holds, or "" when it holds none: the source itself
 * when GDAL opens it as a raster and its file stem is `dem` (any case, e.g. dem.tif, DEM.img), or
 * GPKG:path:table for a GeoPackage with a tiles / gridded-coverage table named `dem` (any case).
 * `opened`, when given, is the source as already opened (for its layers): a GeoPackage's tables
 * are looked up through it instead of opening the file again.
 */
std::string find_dem(const std::string& source, GDALDataset* opened = nullptr);

/**
 * True when the raster GDAL opens by default for `source` is its DEM (a dem.tif, or a GeoPackage
 * whose only raster table is `dem`): such a source is elevation, not a basemap to draw.
 */
bool raster_is_dem(const std::string& source);

}  // namespace gw
