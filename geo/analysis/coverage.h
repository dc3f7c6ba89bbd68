#pragma once
/**
 * Coverage and blind spots (SPEC §5.2): per grid cell, the area and the households that the
 * union of camera views covers, and the gap polygons where coverage matters (road corridors,
 * enterprise parcels, around households). Geometry and areas in the working CRS (m, m²).
 */
#include <memory>
#include <string>
#include <vector>

#include "geo/analysis/camera_view.h"
#include "geo/analysis/terrain.h"
#include "geo/analysis/union_area.h"
#include "geo/core/model.h"

namespace gw {

struct CoverageOptions {
    int level = 4;
    bool occlusion = true;         // buildings occlude when the dataset has them
    bool include_offline = false;  // offline cameras count too
    Quality quality = Quality::Any;
    double corridor_m = 5;          // road corridor half-width
    double household_buffer_m = 15;  // demand around each household
    double min_gap_m2 = 25;          // slivers under this are dropped
    bool gaps = true;                // compute gap polygons
    bool roads = true;               // road metres and how many cameras see them (road_m, road_m_seen_by)
    Progress progress;
};

struct CellCoverage {
    std::string grid_id, name;
    double area_m2 = 0, covered_m2 = 0, coverage = 0;
    int households = 0, households_covered = 0;
};

struct Gap {
    MultiPolygon shape;
    double area_m2 = 0;
    std::string grid_id, road;  // the cell it lies in, the nearest road's name
};

struct CoverageReport {
    int level = 4;
    std::vector<CellCoverage> cells;  // one per cell of the level, in layer order
    CellCoverage total;
    std::vector<Gap> gaps;                      // largest first
    std::vector<std::string> skipped_cameras;   // unusable values (see camera_problem), and unrated_cameras
    std::vector<Issue> unrated_cameras;         // under a quality: those with no resolution_px (rated_for)
    std::vector<const Camera*> cameras;        // the cameras counted, parallel to views
    std::vector<MultiPolygon> views;
    std::vector<int> household_cameras;  // per household of the dataset: how many cameras see it
    std::vector<std::string> households_outside;  // hh_id of each household in no cell of the level
    bool gaps_found = true;  // false under CoverageOptions::gaps off: `gaps` is not known
    // Both 0 when CoverageOptions::roads is off.
    double road_m = 0;                    // road length inside the level's cells, sampled every metre
    std::vector<double> road_m_seen_by;   // [k] metres seen by exactly k cameras (last: k or more)
    bool occlusion_applied = false;
};

struct CoverageEngine;
class Occluders;

/**
 * Coverage kept up to date while cameras are edited (the viewer's camera handles): a change
 * recomputes only the cells, households and road metres that the old and new views reach.
 * The dataset must outlive it; camera pointers given to it must stay valid.
 */
class LiveCoverage {
public:
    /**
     * `live` false: a run done once (compute_coverage): each cell's demand is let go once its gaps
     * are found (a prefecture's 109,000 cells of it), not kept for set_camera.
     */
    LiveCoverage(const Dataset& ds, const CoverageOptions& options, bool live = true);
    ~LiveCoverage();
    const CoverageReport& report() const { return rep_; }
    /** The report, moved out (a prefecture's 159,000 views not copied); the object is spent. */
    CoverageReport take_report() && { return std::move(rep_); }
    /**
     * Sets the camera in view slot `slot` (an index into report().cameras; a slot past the end
     * adds one), or removes its view when cam is null. Returns the indices of the cells redone.
     */
    std::vector<int> set_camera(size_t slot, const Camera* cam);

private:
    CoverageReport rep_;
    std::unique_ptr<CoverageEngine> engine_;
    std::unique_ptr<Occluders> occluders_;
    std::optional<Terrain> terrain_;  // the dataset's DEM, when it has one
    ViewOptions view_options_;
    std::vector<Box> view_boxes_;
    std::vector<char> view_convex_;  // per view: one convex ring (convex_ring)
    /** View v as union_area_within and the gaps' union take it, its box and convexity found once. */
    AreaPart view_part(size_t v) const;
};

/** The views of the given cameras (occlusion by ds.buildings when options.occlusion). Threads: 2. */
std::vector<MultiPolygon> compute_views(const Dataset& ds, const std::vector<const Camera*>& cams,
                                        const ViewOptions& options);

/** Computes coverage for every cell of options.level. Throws gw::Error when the level has no cells. */
CoverageReport compute_coverage(const Dataset& ds, const CoverageOptions& options);

/** How near a view must come to a house's outline to touch it (metres). */
inline constexpr double kSeesWall = 1e-3;

/**
 * Whether household h is seen by view v: its point inside the view, or, when the point lies
 * inside a building (its house), the view touching that building's outline (within kSeesWall).
 */
bool household_seen(const Household& h, const MultiPolygon* house, const MultiPolygon& view);

/** The box a view must meet to see household h (household_seen): its point, its house's box widened by
 * kSeesWall. */
Box household_box(const Household& h, const MultiPolygon* house);

}  // namespace gw
