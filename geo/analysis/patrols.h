#pragma once
/**
 * Patrols and the two networks fused (SPEC §5.5): per L4 cell, road metres patrolled in a time
 * window (a road piece counts when a track runs within 25 m along it), seen by an online camera,
 * both and neither; the share of patrolled metres patrolled at night; time present; facilities and
 * enterprise parcels passed within 50 m. "Neither" ranked by road is the list the office acts on.
 *
 * Exactly what is measured (all in the working CRS, metres and seconds on the community's clock):
 * - A track's time at a point between two vertices is interpolated linearly between the vertices'
 *   times (PatrolTrack::times). The part of a track "in the window" is the set of its points whose
 *   time lies in [window.from, window.until); "at night" those whose time of day lies in
 *   [night_from, night_to) (wrapping midnight when night_from > night_to).
 * - Roads are cut exactly where they cross cell outlines. A piece counts for the first cell, in the
 *   grids layer's order, whose closed area holds its middle (decided exactly): a piece running along
 *   an edge two cells share counts once, for the first of them; one along the grid's outer edge for
 *   the cell it borders (a middle that rounds a hair outside: the cell within a micrometre).
 * - Patrolled: for each straight road segment S and each straight piece P of a track in the
 *   window, take the part of P within `along_m` of S (P ∩ the capsule of radius along_m around S:
 *   one interval of P, since the capsule is convex) and project it at right angles onto S; the
 *   interval of S it covers is patrolled. A road point is patrolled when some piece covers it. A
 *   track 10 m beside a road patrols the road alongside it; one 30 m away, nothing; one crossing
 *   at right angles covers a single point (0 m), not 50 m; one crossing at an angle θ covers
 *   2 × 25 m / tan θ (50 m at 45°).
 *   Patrolled at night: the same with the pieces' night parts only.
 * - Camera: a road point is seen when it lies in the closed view of an online camera, the views
 *   being exactly those coverage computes (compute_views: sectors, building and terrain
 *   occlusion), cut by the road exactly (no sampling).
 * - both = camera ∩ patrolled; neither = road − (camera ∪ patrolled), per cell and per road.
 * - Time present: the seconds of the in-window track pieces inside the cell (a stop — two fixes
 *   at one place — counts where it stands). Tracks entering: the tracks with an in-window piece of
 *   positive length inside the cell, or a stop in it.
 * - Passed: a facility (a parcel) is passed by a track when some in-window point of the track lies
 *   within passed_m of the point (of the parcel's polygon, inside included); `last` is the latest
 *   such time.
 * - A track without readable times (untimed) lies in no bounded window; in an open window it is
 *   counted for patrolled metres, tracks entering and passes, never at night, for no time.
 */
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geo/core/model.h"
#include "geo/core/times.h"

namespace gw {

struct PatrolOptions {
    TimeWindow window;                         // tracks (their vertices' times) counted; open = all
    int night_from_min = 20 * 60, night_to_min = 6 * 60;  // night, minutes after midnight (wraps)
    double along_m = 25;                       // a road piece is patrolled when a track runs this close along it
    double passed_m = 50;                      // facilities and parcels passed
    bool occlusion = true;                     // buildings and terrain cut the views (as coverage's default)
    /** The online cameras' views already computed (coverage's, in the viewer); null: computed here. */
    const std::vector<MultiPolygon>* views = nullptr;
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
    int64_t road_fid = -1;   // an unnamed road: its feature id (named roads are one entry per name, class and cell)
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
    std::vector<std::string> unpatrolled;      // L4 cells with road and no patrol in the window (under 1 m patrolled)
    std::vector<Passed> passed;                // every facility and parcel (passes 0: not passed), by layer then id
    int tracks_in_window = 0;
    std::vector<std::string> untimed_tracks;   // tracks without readable times: in no bounded window
    TimeWindow window;                         // the window counted
    int cameras = 0;                           // online cameras whose views count
    bool occlusion_applied = false;            // buildings cut the views
};

/** Throws gw::Error when the dataset has no L4 cells. */
PatrolsReport compute_patrols(const Dataset& ds, const PatrolOptions& options = {});

/**
 * The `days` calendar days ending on the day of the latest track time (inclusive), or nullopt when
 * no track has readable times: what `gridwatch patrols` counts when given no --from/--to.
 */
std::optional<TimeWindow> last_days_of_patrols(const Dataset& ds, int days = 7);

/** "HH:MM-HH:MM" as minutes after midnight (from, to), or nullopt (bad text, equal ends). */
std::optional<std::pair<int, int>> parse_night_span(const std::string& text);

}  // namespace gw
