#pragma once
/**
 * Terrain occlusion (SPEC §3 "a DEM (`dem`)", §5.1): the dataset's DEM raster held in the metric
 * working CRS, and the ground a camera on a pole sees over it, computed by GDAL's viewshed
 * (GDALViewshedGenerate) on a small window of the DEM around the camera and polygonised with
 * GDALPolygonize. Geometry in the working CRS, heights and distances in metres.
 */
#include <memory>
#include <string>
#include <vector>

#include "geo/core/geometry.h"
#include "geo/core/model.h"

namespace gw {

/**
 * Lens height above the ground (m) of a camera whose `height` field is absent (or negative): a
 * typical pole-mounted street camera (3–4 m poles are the rule for 雪亮工程 road cameras). Taken
 * low on purpose: a camera assumed lower sees less, so coverage is not overstated.
 */
inline constexpr double kDefaultCameraHeight = 3.0;

/**
 * Terrain is checked up to this many DEM cells from a camera (2 km on a 1 m DEM, far past any
 * street camera's range); ground farther out is taken as visible, so a window stays ~70 MB at most.
 */
inline constexpr double kMaxReachCells = 2048;

/** The lens height used for terrain occlusion: the camera's `height` when set and ≥ 0, else the default. */
double camera_height(const Camera& cam);

/** What `gridwatch info` shows of a DEM. */
struct TerrainInfo {
    std::string file;          // the source the user named (a .tif, or the GeoPackage holding the table)
    std::string gdal_name;     // what GDAL opened: the file, or GPKG:path:table
    int width = 0, height = 0;  // native size in cells
    double res_x = 0, res_y = 0;  // native cell size, in the units of the DEM's CRS (positive)
    std::string crs;            // the DEM's own CRS ("EPSG:4542", or its name)
    std::string units;          // linear units of that CRS ("metre", "degree", …)
    int work_width = 0, work_height = 0;  // held in the working CRS
    double work_cell = 0;                 // cell size there (m)
    bool warped = false;                  // false when the DEM was already on the working CRS's grid
};

/**
 * A DEM in the working CRS. Immutable once loaded; every query copies what it needs into its own
 * GDAL in-memory datasets, so one Terrain serves several threads at once (camera views run on two).
 *
 * Outside the DEM, and on its nodata cells, the ground is unknown and taken as hiding nothing: a
 * camera standing outside the DEM (or on a nodata cell) gets no terrain occlusion at all, and the
 * parts of a view beyond the DEM's edge keep what building occlusion left of them.
 */
class Terrain {
public:
    /**
     * Reads band 1 of the GDAL raster `gdal_name` (`file` is what errors name). A DEM already in
     * the working CRS on a north-up grid is read as it is; any other is warped into the working CRS
     * (GDALWarp, bilinear, close to its native resolution). Only the part within `area` (working
     * CRS; empty = all of it) is kept. Nodata cells (the band's nodata value or mask) are kept as
     * unknown ground. Throws gw::Error naming `file` when the raster cannot be opened, has no
     * geotransform or no CRS, or cannot be warped.
     */
    static std::shared_ptr<const Terrain> load(const std::string& gdal_name, const std::string& file,
                                               const std::string& work_crs_wkt, const Box& area = {});

    /** A Terrain from a grid already in the working CRS: `z` row-major from the top, NaN = nodata. */
    Terrain(int width, int height, const double geotransform[6], std::vector<float> z, TerrainInfo info = {});

    const TerrainInfo& info() const { return info_; }
    /** The grid's extent in the working CRS. */
    Box extent() const;
    /** Ground height (m) of the cell holding p; NaN outside the DEM or on nodata. */
    double ground(Vec2 p) const;

    /**
     * The ground hidden by terrain from a lens `camera_height_m` above the DEM at `apex`, within
     * `radius_m` of it: the DEM cells GDAL's viewshed marks invisible (target height 0, no
     * earth-curvature correction, GVM_Edge), polygonised along cell edges, up to kMaxReachCells
     * cells away. Empty when nothing is hidden, and when the ground under the apex is unknown
     * (outside the DEM, nodata).
     */
    MultiPolygon hidden(Vec2 apex, double camera_height_m, double radius_m) const;

    /**
     * The ground visible from that lens within the disc of `radius_m` (arcs as sector_polygon):
     * the disc minus hidden(). The whole disc where terrain hides nothing.
     */
    MultiPolygon visible(Vec2 apex, double camera_height_m, double radius_m) const;

private:
    int w_ = 0, h_ = 0;
    double gt_[6] = {0, 1, 0, 0, 0, -1};  // north-up: gt_[2] = gt_[4] = 0, gt_[5] < 0
    std::vector<float> z_;
    TerrainInfo info_;
};

/**
 * The GDAL name of the DEM a dataset source holds, or "" when it holds none: the source itself
 * when GDAL opens it as a raster and its file stem is `dem` (any case, e.g. dem.tif, DEM.img), or
 * GPKG:path:table for a GeoPackage with a tiles / gridded-coverage table named `dem` (any case).
 */
std::string find_dem(const std::string& source);

/**
 * True when the raster GDAL opens by default for `source` is its DEM (a dem.tif, or a GeoPackage
 * whose only raster table is `dem`): such a source is elevation, not a basemap to draw.
 */
bool raster_is_dem(const std::string& source);

}  // namespace gw
