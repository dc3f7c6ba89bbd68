#pragma once
/**
 * Patrols and the two networks fused (SPEC §5.5): per L4 cell, road metres patrolled in a time
 * window (a road piece counts when a track runs within 25 m along it), seen by an online camera,
 * both and neither; the share of patrolled metres patrolled at night; time present; facilities and
 * enterprise parcels passed within 50 m. "Neither" ranked by road is the list the office acts on.
 */
#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/core/times.h"

namespace gw {

struct PatrolOptions {
    TimeWindow window;                         // tracks (their vertices' times) counted; open = all
    int night_from_min = 20 * 60, night_to_min = 6 * 60;  // night, minutes after midnight (wraps)
    double along_m = 25;                       // a road piece is patrolled when a track runs this close along it
    double passed_m = 50;                      // facilities and parcels passed
    Progress progress;
};

struct CellPatrols {
    std::string grid_id, name;
    double road_m = 0, camera_m = 0, patrolled_m = 0, both_m = 0, neither_m = 0;
    double night_m = 0;        // patrolled metres patrolled at night
    double night_share = 0;    // night_m / patrolled_m (0 when nothing patrolled)
    double present_s = 0;      // time tracks in the window spent inside the cell
    int tracks = 0;            // tracks in the window that enter the cell
};

/** A road's metres in one cell that neither a camera nor a patrol covers. */
struct UnwatchedRoad {
    std::string road, road_class, grid_id;
    double neither_m = 0;
    MultiLineString pieces;  // the unwatched pieces, for drawing
};

struct Passed {
    std::string layer, id, name;  // "facilities" / "enterprises"
    int passes = 0;               // tracks in the window passing within passed_m
    std::optional<int64_t> last;  // latest time a track passed
};

struct PatrolsReport {
    std::vector<CellPatrols> cells;            // every L4 cell, in layer order (roads or not)
    CellPatrols total;
    std::vector<UnwatchedRoad> neither;        // longest first
    std::vector<std::string> unpatrolled;      // L4 cells with road and no patrol in the window
    std::vector<Passed> passed;                // facilities and parcels passed, by layer then id
    int tracks_in_window = 0;
    std::vector<std::string> untimed_tracks;   // tracks without readable times: in no bounded window
};

/** Throws gw::Error when the dataset has no L4 cells. */
PatrolsReport compute_patrols(const Dataset& ds, const PatrolOptions& options = {});

}  // namespace gw
