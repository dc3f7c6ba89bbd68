#pragma once
/**
 * Terrain occlusion (SPEC §3 "a DEM (`dem`)", §5.1): over the dataset's DEM (read into the metric
 * working CRS by geo/io/dem), the ground a camera on a pole sees over it, computed by GDAL's viewshed
 * (GDALViewshedGenerate) on a small window of the DEM around the camera and polygonised with
 * GDALPolygonize. Geometry in the working CRS, heights and distances in metres.
 */
#include <memory>
#include <optional>
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
    /** Terrain occlusion over a DEM read by read_dem (geo/io/dem.h); throws when it is not north-up. */
    explicit Terrain(std::shared_ptr<const Dem> dem);
    /** A Terrain from a grid already in the working CRS: `z` row-major from the top, NaN = nodata. */
    Terrain(int width, int height, const double geotransform[6], std::vector<float> z, DemInfo info = {});

    const DemInfo& info() const { return dem_->info; }
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
    std::shared_ptr<const Dem> dem_;
    // Copies of dem_'s grid, for short code below.
    int w_ = 0, h_ = 0;
    const double* gt_ = nullptr;
    const float* z_ = nullptr;
};

/** Terrain occlusion over the dataset's DEM, or none when it has no DEM. */
std::optional<Terrain> terrain_of(const Dataset& ds);

}  // namespace gw
