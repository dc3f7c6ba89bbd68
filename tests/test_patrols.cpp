// Patrols and the two networks fused (SPEC §5.5): answers worked by hand on a lattice of square
// cells with straight roads, tracks and known times; a brute-force differential test sampling roads
// every centimetre; the command's JSON keys and exit codes.
#include <gtest/gtest.h>

#include <array>
#include <cmath>
#include <nlohmann/json.hpp>
#include <random>

#include "geo/analysis/coverage.h"
#include "geo/analysis/patrols.h"
#include "geo/core/error.h"
#include "tests/cli_run.h"

using namespace gw;
using gwtest::run_gridwatch;
using gwtest::TempDir;
using nlohmann::json;

namespace {

// Far from the origin, as Gauss-Kruger metres are: the arithmetic must hold there.
constexpr double kX0 = 466000, kY0 = 2720000;

Vec2 at(double x, double y) { return {kX0 + x, kY0 + y}; }

Grid cell(const std::string& id, double x0, double y0, double w = 100, double h = 100) {
    Grid g;
    g.grid_id = id, g.level = 4, g.parent_id = "P", g.name = "cell " + id;
    g.shape = {Polygon{{Ring{at(x0, y0), at(x0 + w, y0), at(x0 + w, y0 + h), at(x0, y0 + h)}}}};
    return g;
}

/** A level-4 cell of any four (or more) corners, given near the origin. */
Grid quad(const std::string& id, std::vector<Vec2> corners) {
    Grid g = cell(id, 0, 0);
    for (auto& p : corners) p = at(p.x, p.y);
    g.shape = {Polygon{{Ring(corners)}}};
    return g;
}

Road road(const std::string& name, const std::string& cls, std::vector<Vec2> local, int64_t fid = 0) {
    Road r;
    r.fid = fid, r.name = name, r.road_class = cls;
    for (auto& p : local) p = at(p.x, p.y);
    r.shape = {local};
    return r;
}

/** 2026-11-02 (a Monday) at h:m on the community's clock; day 1 is the next day. */
int64_t T(int h, int m = 0, int day = 0) { return civil_seconds(2026, 11, 2 + day, h, m, 0); }

/** A track along straight pieces, walked steadily from t0 to t1 (times in proportion to distance). */
PatrolTrack track(const std::string& id, std::vector<Vec2> local, int64_t t0, int64_t t1) {
    PatrolTrack t;
    t.track_id = id, t.team = "patrol";
    for (auto& p : local) p = at(p.x, p.y);
    double total = 0;
    for (size_t k = 1; k < local.size(); ++k) total += distance(local[k - 1], local[k]);
    std::vector<int64_t> times;
    double walked = 0;
    for (size_t k = 0; k < local.size(); ++k) {
        if (k > 0) walked += distance(local[k - 1], local[k]);
        times.push_back(t0 + static_cast<int64_t>(std::llround((t1 - t0) * (total > 0 ? walked / total : 0))));
    }
    t.t_start = t0, t.t_end = t1;
    t.shape = {local};
    t.times = {times};
    return t;
}

Camera camera(const std::string& id, double x, double y, double azimuth, double fov, double range) {
    Camera c;
    c.cam_id = id, c.pos = at(x, y), c.azimuth = azimuth, c.fov = fov, c.range = range, c.status = "online";
    return c;
}

/** Cells A, B, C side by side (100 m squares, x 0–300); road R1 along y = 50 through A and B. */
Dataset lattice() {
    Dataset ds;
    ds.source = "lattice";
    ds.grids = {cell("A", 0, 0), cell("B", 100, 0), cell("C", 200, 0)};
    ds.roads = {road("R1", "village", {{0, 50}, {200, 50}}, 1)};
    return ds;
}

const CellPatrols& of(const PatrolsReport& r, const std::string& id) {
    for (const auto& c : r.cells)
        if (c.grid_id == id) return c;
    throw std::runtime_error("no cell " + id);
}

constexpr double kExact = 1e-6;  // metres: interval arithmetic, rounding only

}  // namespace

// ---- Patrolled metres ------------------------------------------------------------------------

TEST(Patrols, ATrackTenMetresBesideTheRoadPatrolsItAlongside) {
    Dataset ds = lattice();
    // 160 m from x = 20 to x = 180, 10 m north of the road, 10:00 to 10:16.
    ds.patrols = {track("T1", {{20, 60}, {180, 60}}, T(10), T(10, 16))};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_NEAR(of(r, "A").road_m, 100, kExact);
    EXPECT_NEAR(of(r, "A").patrolled_m, 80, kExact);  // x 20–100
    EXPECT_NEAR(of(r, "B").patrolled_m, 80, kExact);  // x 100–180
    EXPECT_NEAR(of(r, "C").patrolled_m, 0, kExact);
    // Half the walk in each cell: 8 minutes; by day.
    EXPECT_NEAR(of(r, "A").present_s, 480, 1e-6);
    EXPECT_NEAR(of(r, "B").present_s, 480, 1e-6);
    EXPECT_EQ(of(r, "A").tracks, 1);
    EXPECT_EQ(of(r, "C").tracks, 0);
    EXPECT_EQ(of(r, "A").night_share, 0);
    EXPECT_EQ(r.tracks_in_window, 1);
}

TEST(Patrols, ACellWithAHoleAndACellInTwoPartsTakeTheirOwnRoadsAndTime) {
    // O: 300 m square holding the enclave I (x, y 100–200) as a hole; M in two parts (x 300–400,
    // y 0–100 and 200–300). R1 along y = 150 crosses O, I, O and runs between M's parts; R2 along
    // x = 350 runs through both parts of M; E along the edge O's hole and I share counts for O,
    // the first of them.
    Dataset ds;
    ds.source = "holes";
    Grid o = cell("O", 0, 0, 300, 300);
    o.shape[0].rings.push_back(Ring{at(100, 100), at(100, 200), at(200, 200), at(200, 100)});
    Grid m = cell("M", 300, 0);
    m.shape.push_back(cell("M", 300, 200).shape[0]);
    ds.grids = {o, cell("I", 100, 100), m};
    ds.roads = {road("R1", "village", {{0, 150}, {400, 150}}, 1),
                road("R2", "village", {{350, 0}, {350, 300}}, 2),
                road("E", "village", {{100, 100}, {100, 200}}, 3)};
    // Along R1 from x = 0 to x = 300, 10:00 to 10:30: 10 minutes in each 100 m.
    ds.patrols = {track("T", {{0, 150}, {300, 150}}, T(10), T(10, 30))};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_NEAR(of(r, "O").road_m, 300, kExact);
    EXPECT_NEAR(of(r, "I").road_m, 100, kExact);
    EXPECT_NEAR(of(r, "M").road_m, 200, kExact);
    EXPECT_NEAR(of(r, "O").present_s, 1200, 1e-6);
    EXPECT_NEAR(of(r, "I").present_s, 600, 1e-6);
    EXPECT_NEAR(of(r, "M").present_s, 0, 1e-6);
    // R1 patrolled in O and I; E, crossed at right angles, at a point.
    EXPECT_NEAR(of(r, "O").patrolled_m, 200, kExact);
    EXPECT_NEAR(of(r, "I").patrolled_m, 100, kExact);
    EXPECT_NEAR(of(r, "M").patrolled_m, 0, kExact);
}

TEST(Patrols, ATrackThirtyMetresAwayPatrolsNothing) {
    Dataset ds = lattice();
    ds.patrols = {track("T1", {{20, 80}, {180, 80}}, T(10), T(10, 16))};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_EQ(r.total.patrolled_m, 0);
    EXPECT_EQ(r.unpatrolled, (std::vector<std::string>{"A", "B"}));  // C has no road
    EXPECT_EQ(of(r, "A").tracks, 1);                                  // it did walk through A
}

TEST(Patrols, CrossingAtRightAnglesPatrolsAPointAndAt45DegreesTwiceTheReach) {
    Dataset ds = lattice();
    ds.patrols = {track("across", {{50, 0}, {50, 100}}, T(10), T(10, 10))};
    EXPECT_NEAR(compute_patrols(ds).total.patrolled_m, 0, kExact);
    // At 45° the track is within 25 m of the road for y 25–75, x 125–175: 50 m of road.
    ds.patrols = {track("diagonal", {{100, 0}, {200, 100}}, T(10), T(10, 10))};
    EXPECT_NEAR(of(compute_patrols(ds), "B").patrolled_m, 50, kExact);
}

TEST(Patrols, TheReachEndsAtTheRoadsEnd) {
    Dataset ds = lattice();
    // Along y = 60 from x = 150 to x = 260: the road ends at x = 200; past it the track is within
    // 25 m of the road's end (to x ≈ 222.9) but projects beyond it: 50 m.
    ds.patrols = {track("T", {{150, 60}, {260, 60}}, T(10), T(10, 11))};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_NEAR(of(r, "B").patrolled_m, 50, kExact);
    EXPECT_NEAR(r.total.patrolled_m, 50, kExact);
}

// ---- Camera metres, both and neither -----------------------------------------------------------

TEST(Patrols, CameraBothAndNeitherFromTheSectorGeometry) {
    Dataset ds = lattice();
    // K1 at (50, 20) looks north, fov 90°, range 50: the road 30 m north is inside the straight
    // edges for |dx| ≤ 30·tan 45° = 30, and within range for |dx| ≤ √(50² − 30²) = 40: x 20–80, 60 m,
    // exactly (the edges are straight; the arc is not reached).
    // K2 at (150, 20), fov 120°, range 40: edges |dx| ≤ 30·tan 60° = 52.0, range |dx| ≤ √(40² − 30²) =
    // 26.458: the arc decides, drawn as 2° chords inside the circle (radius ≥ 40·cos 1°): 52.915 m
    // less at most 2 cm.
    ds.cameras = {camera("K1", 50, 20, 0, 90, 50), camera("K2", 150, 20, 0, 120, 40)};
    ds.patrols = {track("T1", {{20, 60}, {180, 60}}, T(10), T(10, 16))};
    const PatrolsReport r = compute_patrols(ds);
    const double k2 = 2 * std::sqrt(40.0 * 40 - 30 * 30);
    const CellPatrols &a = of(r, "A"), &b = of(r, "B");
    EXPECT_NEAR(a.camera_m, 60, kExact);
    EXPECT_NEAR(a.patrolled_m, 80, kExact);
    EXPECT_NEAR(a.both_m, 60, kExact);     // x 20–80
    EXPECT_NEAR(a.neither_m, 20, kExact);  // x 0–20
    EXPECT_NEAR(b.camera_m, k2, 0.02);
    EXPECT_LE(b.camera_m, k2);
    EXPECT_NEAR(b.both_m, b.camera_m, kExact);  // the patrol covers x 100–180, the view lies inside it
    EXPECT_NEAR(b.neither_m, 20, kExact);       // x 180–200
    EXPECT_EQ(r.cameras, 2);
    // The office's list: R1 in A and in B, 20 m each, with the pieces to draw.
    ASSERT_EQ(r.neither.size(), 2u);
    for (const auto& u : r.neither) {
        EXPECT_EQ(u.road, "R1");
        EXPECT_EQ(u.road_class, "village");
        EXPECT_NEAR(u.neither_m, 20, kExact);
        ASSERT_EQ(u.pieces.size(), 1u);
        ASSERT_EQ(u.pieces[0].size(), 2u);
    }
    const UnwatchedRoad& in_a = r.neither[0].grid_id == "A" ? r.neither[0] : r.neither[1];
    EXPECT_EQ(in_a.pieces[0][0], at(0, 50));
    EXPECT_NEAR(in_a.pieces[0][1].x, kX0 + 20, kExact);
    // Totals add up: road = camera + patrolled − both + neither.
    EXPECT_NEAR(r.total.road_m, r.total.camera_m + r.total.patrolled_m - r.total.both_m + r.total.neither_m, kExact);
}

TEST(Patrols, OfflineCamerasSeeNothing) {
    Dataset ds = lattice();
    ds.cameras = {camera("K1", 50, 20, 0, 90, 50)};
    ds.cameras[0].status = "offline";
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_EQ(r.total.camera_m, 0);
    EXPECT_NEAR(r.total.neither_m, 200, kExact);
    EXPECT_EQ(r.cameras, 0);
}

TEST(Patrols, NeitherIsRankedLongestFirstAndJoinsAcrossVertices) {
    Dataset ds = lattice();
    // R2 in C: three vertices, no camera, no patrol: one piece of 90 m drawn through its middle vertex.
    ds.roads.push_back(road("R2", "path", {{200, 20}, {250, 20}, {290, 20}}, 2));
    ds.cameras = {camera("K1", 50, 20, 0, 90, 50)};
    const PatrolsReport r = compute_patrols(ds);
    ASSERT_EQ(r.neither.size(), 3u);
    EXPECT_EQ(r.neither[0].grid_id, "B");  // 100 m of R1 in B
    EXPECT_NEAR(r.neither[0].neither_m, 100, kExact);
    EXPECT_EQ(r.neither[1].road, "R2");
    EXPECT_EQ(r.neither[1].grid_id, "C");
    EXPECT_NEAR(r.neither[1].neither_m, 90, kExact);
    ASSERT_EQ(r.neither[1].pieces.size(), 1u);
    EXPECT_EQ(r.neither[1].pieces[0], (LineString{at(200, 20), at(250, 20), at(290, 20)}));
    EXPECT_EQ(r.neither[2].grid_id, "A");  // 40 m in A: x 0–20 and 80–100, two pieces
    EXPECT_NEAR(r.neither[2].neither_m, 40, kExact);
    EXPECT_EQ(r.neither[2].pieces.size(), 2u);
    EXPECT_NEAR(of(r, "C").neither_m, 90, kExact);
}

// Two cameras on one pole, 90° apart with 90° views, see a short road across the edge their views
// share: where one view ends and the other begins, rounding leaves them a hair apart or overlapping,
// and no hair of the road is listed as seen by neither.
TEST(Patrols, ARoadAcrossTheEdgeTwoViewsShareIsSeenWholeWhateverTheRounding) {
    std::mt19937_64 rng(20261207);
    std::uniform_real_distribution<double> u(0, 1);
    int listed = 0;
    for (int trial = 0; trial < 300; ++trial) {
        Dataset ds = lattice();
        const Vec2 pole{40 + 20 * u(rng), 10 + 10 * u(rng)};
        const double az = -40 + 80 * u(rng), edge = (az + 45) * M_PI / 180;  // compass degrees
        ds.cameras = {camera("K1", pole.x, pole.y, az, 90, 100),
                      camera("K2", pole.x, pole.y, az + 90, 90, 100)};
        // The road crosses the shared edge 30 m out, at 60°–120° to it, 10 m each side.
        const Vec2 q{pole.x + 30 * std::sin(edge), pole.y + 30 * std::cos(edge)};
        const double across = edge + (60 + 60 * u(rng)) * M_PI / 180;
        const Vec2 d{10 * std::sin(across), 10 * std::cos(across)};
        ds.roads = {road("R", "path", {q - d, q + d}, 1)};
        const PatrolsReport r = compute_patrols(ds);
        EXPECT_NEAR(of(r, "A").camera_m, 20, kExact) << trial;
        if (!r.neither.empty() || of(r, "A").neither_m != 0) {
            ++listed;
            ADD_FAILURE() << "trial " << trial << ": " << r.neither.size() << " listed, "
                          << of(r, "A").neither_m << " m seen by neither";
        }
    }
    EXPECT_EQ(listed, 0);
}

// What no camera sees and no patrol walks is kept however short: a step of half a micrometre in an
// unwatched road is part of its one piece, not a break in it.
TEST(Patrols, AnUnwatchedRoadWithAStepShorterThanAMicrometreIsOnePiece) {
    Dataset ds = lattice();
    ds.roads.push_back(road("R2", "path", {{210, 20}, {250, 20}, {250 + 5e-7, 20}, {290, 20}}, 2));
    const PatrolsReport r = compute_patrols(ds);
    const auto r2 = std::find_if(r.neither.begin(), r.neither.end(),
                                 [](const UnwatchedRoad& u) { return u.road == "R2"; });
    ASSERT_NE(r2, r.neither.end());
    EXPECT_NEAR(r2->neither_m, 80, kExact);
    ASSERT_EQ(r2->pieces.size(), 1u);
    EXPECT_EQ(r2->pieces[0].size(), 4u);
}

// ---- Night, windows, times -----------------------------------------------------------------------

TEST(Patrols, NightShareAcrossMidnight) {
    Dataset ds = lattice();
    // 200 m along the road from 23:00 to 01:00 the next day: 100 m an hour, x = 100 at midnight.
    ds.patrols = {track("T", {{0, 55}, {200, 55}}, T(23), T(1, 0, 1))};
    PatrolOptions o;
    o.night_from_min = 23 * 60 + 30, o.night_to_min = 30;  // 23:30–00:30, across midnight
    const PatrolsReport r = compute_patrols(ds, o);
    // At night from 23:30 to 00:30: x 50–150. A: 50 of 100 m; B: 50 of 100 m.
    EXPECT_NEAR(of(r, "A").night_m, 50, kExact);
    EXPECT_NEAR(of(r, "A").night_share, 0.5, 1e-9);
    EXPECT_NEAR(of(r, "B").night_share, 0.5, 1e-9);
    // The default night (20:00–06:00) holds the whole walk.
    EXPECT_NEAR(compute_patrols(ds).total.night_share, 1.0, 1e-12);
    // 23:00–00:15 (to x = 125): A all of it, B a quarter.
    o.night_from_min = 23 * 60, o.night_to_min = 15;
    const PatrolsReport q = compute_patrols(ds, o);
    EXPECT_NEAR(of(q, "A").night_share, 1.0, 1e-9);
    EXPECT_NEAR(of(q, "B").night_share, 0.25, 1e-9);
}

TEST(Patrols, ARoadWalkedByDayAndByNightCountsOnceAndIsHalfNight) {
    Dataset ds = lattice();
    // The same 100 m of A walked at 10:00 and again at 22:00: patrolled 100 m, all of it at night too.
    ds.patrols = {track("day", {{0, 45}, {100, 45}}, T(10), T(10, 5)), track("night", {{0, 55}, {100, 55}}, T(22), T(22, 5)),
                  track("evening", {{100, 45}, {200, 45}}, T(19, 55), T(20, 5))};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_NEAR(of(r, "A").patrolled_m, 100, kExact);
    EXPECT_NEAR(of(r, "A").night_share, 1.0, 1e-12);
    // 19:55–20:05 over x 100–200: night from x = 150.
    EXPECT_NEAR(of(r, "B").night_share, 0.5, 1e-9);
    EXPECT_EQ(of(r, "A").tracks, 2);
}

TEST(Patrols, ATrackThatLeavesACellAndComesBackCountsOnceThere) {
    Dataset ds = lattice();
    // "loop" walks A → B → A → B → C, "other" A alone, "late" C → A: A 3 tracks, B 2, C 2.
    ds.patrols = {
        track("loop", {{10, 45}, {150, 45}, {150, 55}, {20, 55}, {20, 40}, {250, 40}}, T(10), T(10, 30)),
        track("other", {{30, 60}, {80, 60}}, T(11), T(11, 5)),
        track("late", {{260, 30}, {40, 30}}, T(12), T(12, 20))};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_EQ(of(r, "A").tracks, 3);
    EXPECT_EQ(of(r, "B").tracks, 2);
    EXPECT_EQ(of(r, "C").tracks, 2);
    EXPECT_EQ(r.tracks_in_window, 3);
}

TEST(Patrols, TheWindowCutsTracksAtItsEdges) {
    Dataset ds = lattice();
    // 10:00–12:00 over x 0–200 (100 m an hour); the day before, a whole walk of B.
    ds.patrols = {track("T", {{0, 50}, {200, 50}}, T(10), T(12)), track("before", {{100, 50}, {200, 50}}, T(10, 0, -1), T(11, 0, -1))};
    PatrolOptions o;
    o.window.from = T(11), o.window.until = T(11, 30);  // x 100–150
    const PatrolsReport r = compute_patrols(ds, o);
    EXPECT_NEAR(of(r, "A").patrolled_m, 0, kExact);
    EXPECT_NEAR(of(r, "B").patrolled_m, 50, kExact);
    EXPECT_NEAR(of(r, "B").present_s, 1800, 1e-6);
    EXPECT_EQ(of(r, "A").tracks, 0);
    EXPECT_EQ(r.tracks_in_window, 1);
    EXPECT_EQ(r.unpatrolled, (std::vector<std::string>{"A"}));
    // Open on one side: from 11:00 on, both tracks' later parts; the day before is out.
    o.window.until.reset();
    EXPECT_NEAR(compute_patrols(ds, o).total.patrolled_m, 100, kExact);
}

TEST(Patrols, DefaultWindowIsTheSevenDaysEndingOnTheLatestTracksDay) {
    Dataset ds = lattice();
    ds.patrols = {track("early", {{0, 50}, {10, 50}}, T(10, 0, -10), T(11, 0, -10)),
                  track("late", {{0, 50}, {10, 50}}, T(23, 0, 3), T(23, 59, 3))};
    const auto w = last_days_of_patrols(ds);
    ASSERT_TRUE(w);
    // The latest time is 2026-11-05T23:59: the seven days 2026-10-30 … 2026-11-05, whole.
    EXPECT_EQ(iso_date_time(*w->from), "2026-10-30T00:00:00");
    EXPECT_EQ(iso_date_time(*w->until), "2026-11-06T00:00:00");
    ds.patrols.clear();
    EXPECT_FALSE(last_days_of_patrols(ds));
}

TEST(Patrols, UntimedTracksLieInNoBoundedWindow) {
    Dataset ds = lattice();
    PatrolTrack t = track("U", {{0, 50}, {100, 50}}, T(10), T(11));
    t.times.clear(), t.t_start.reset(), t.t_end.reset();
    ds.patrols = {t};
    PatrolOptions o;
    o.window.from = T(0);
    const PatrolsReport bounded = compute_patrols(ds, o);
    EXPECT_EQ(bounded.total.patrolled_m, 0);
    EXPECT_EQ(bounded.untimed_tracks, (std::vector<std::string>{"U"}));
    EXPECT_EQ(bounded.tracks_in_window, 0);
    // In an open window it counts where it went, never at night, for no time.
    const PatrolsReport open = compute_patrols(ds);
    EXPECT_NEAR(open.total.patrolled_m, 100, kExact);
    EXPECT_EQ(open.total.night_m, 0);
    EXPECT_EQ(open.total.present_s, 0);
    EXPECT_EQ(of(open, "A").tracks, 1);
}

TEST(Patrols, AStopCountsItsTimeWhereItStands) {
    Dataset ds = lattice();
    PatrolTrack t = track("S", {{20, 50}, {40, 50}}, T(10), T(10, 1));
    // Stands at (40, 50) ten minutes, then walks on to (140, 50) in five.
    t.shape[0].push_back(at(40, 50)), t.times[0].push_back(T(10, 11));
    t.shape[0].push_back(at(140, 50)), t.times[0].push_back(T(10, 16));
    ds.patrols = {t};
    const PatrolsReport r = compute_patrols(ds);
    EXPECT_NEAR(of(r, "A").present_s, 60 + 600 + 180, 1e-6);  // 20 m, the stop, 60 of the last 100 m
    EXPECT_NEAR(of(r, "B").present_s, 120, 1e-6);
    EXPECT_NEAR(r.total.patrolled_m, 120, kExact);
}

// ---- Cells ---------------------------------------------------------------------------------------

TEST(Patrols, ARoadOnACellBoundaryCountsOnceAndEveryCellIsListed) {
    Dataset ds = lattice();
    ds.roads = {road("edge", "path", {{100, 0}, {100, 100}}, 1), road("outer", "path", {{0, 100}, {300, 100}}, 2)};
    ds.patrols = {track("T", {{95, 0}, {95, 100}}, T(10), T(10, 2))};
    const PatrolsReport r = compute_patrols(ds);
    ASSERT_EQ(r.cells.size(), 3u);
    EXPECT_EQ(r.cells[0].grid_id, "A");
    EXPECT_EQ(r.cells[2].grid_id, "C");
    // The shared edge x = 100 counts once, for A (first in the layer); the outer edge y = 100 for
    // the cell each part borders.
    EXPECT_NEAR(of(r, "A").road_m, 200, kExact);
    EXPECT_NEAR(of(r, "B").road_m, 100, kExact);
    EXPECT_NEAR(of(r, "C").road_m, 100, kExact);
    EXPECT_NEAR(r.total.road_m, 400, kExact);
    // The track 5 m west of the edge road patrols all of it, in A where the road counts; it meets the
    // outer road at right angles (patrolling none of it).
    EXPECT_NEAR(of(r, "A").patrolled_m, 100, kExact);
    EXPECT_NEAR(of(r, "B").patrolled_m, 0, kExact);
    // Listed in the layer's order, B before A: the shared edge is B's.
    std::swap(ds.grids[0], ds.grids[1]);
    const PatrolsReport swapped = compute_patrols(ds);
    EXPECT_EQ(swapped.cells[0].grid_id, "B");
    EXPECT_NEAR(of(swapped, "B").road_m, 200, kExact);
    EXPECT_NEAR(of(swapped, "A").road_m, 100, kExact);
}

// A road drawn on the border of two cells lies, read through a projection, within nanometres of
// it on either side as rounding falls: all of it counts for the first cell in the layer, none of
// it for the other, however the border slants and wherever along it the road's ends fall.
TEST(Patrols, ARoadOnASlantedSharedEdgeCountsForTheFirstCellWhateverTheRounding) {
    std::mt19937_64 rng(20261205);
    std::uniform_real_distribution<double> u(0, 1);
    int misplaced = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const double dx = -40 + 80 * u(rng);  // the shared edge runs from (100, 0) to (100 + dx, 100)
        Dataset ds;
        ds.grids = {quad("A", {{0, 0}, {100, 0}, {100 + dx, 100}, {0, 100}}),
                    quad("B", {{100, 0}, {200, 0}, {200, 100}, {100 + dx, 100}})};
        const double t0 = 0.05 + 0.4 * u(rng), t1 = 0.55 + 0.4 * u(rng);
        const Vec2 a{100 + dx * t0, 100 * t0}, b{100 + dx * t1, 100 * t1};
        ds.roads = {road("R", "path", {a, b}, 1)};
        const PatrolsReport r = compute_patrols(ds);
        const double length = distance(a, b);
        if (std::abs(of(r, "A").road_m - length) > kExact || std::abs(of(r, "B").road_m) > kExact) {
            ++misplaced;
            ADD_FAILURE() << "trial " << trial << ": A " << of(r, "A").road_m << " m, B " << of(r, "B").road_m
                          << " m of " << length;
        }
        ASSERT_NEAR(r.total.road_m, length, kExact) << trial;
    }
    EXPECT_EQ(misplaced, 0);
}

// A road along the top of two cells passes through the corner where their shared border meets
// it, between two of its own vertices: each cell gets its own stretch, whether rounding puts the
// corner a nanometre off the road or on it.
TEST(Patrols, ARoadThroughTheCornerOfTwoCellsIsCutThereWhateverTheRounding) {
    std::mt19937_64 rng(20261206);
    std::uniform_real_distribution<double> u(0, 1);
    int misplaced = 0;
    for (int trial = 0; trial < 300; ++trial) {
        // The road from p to q; the corner c computed along it.
        const Vec2 p{0, 100 + 30 * u(rng)}, q{200, 100 + 30 * u(rng)};
        const double t = 0.2 + 0.6 * u(rng);
        const Vec2 c{p.x + (q.x - p.x) * t, p.y + (q.y - p.y) * t};
        Dataset ds;
        // D, first in the layer, stands on the corner above the road: it touches the road there alone.
        ds.grids = {quad("D", {c, {c.x + 10, c.y + 30}, {c.x, c.y + 40}, {c.x - 10, c.y + 30}}),
                    quad("A", {{0, 0}, {c.x, 0}, c, p}), quad("B", {{c.x, 0}, {200, 0}, q, c})};
        ds.roads = {road("R", "path", {p, q}, 1)};
        const PatrolsReport r = compute_patrols(ds);
        EXPECT_EQ(of(r, "D").road_m, 0.0) << trial;
        const double a_m = distance(p, c), b_m = distance(c, q);
        if (std::abs(of(r, "A").road_m - a_m) > kExact || std::abs(of(r, "B").road_m - b_m) > kExact) {
            ++misplaced;
            ADD_FAILURE() << "trial " << trial << ": A " << of(r, "A").road_m << " m of " << a_m << ", B "
                          << of(r, "B").road_m << " m of " << b_m;
        }
    }
    EXPECT_EQ(misplaced, 0);
}

TEST(Patrols, EveryCellIsListedWithoutRoads) {
    Dataset ds;
    ds.source = "empty";
    ds.grids = {cell("A", 0, 0), cell("B", 100, 0)};
    const PatrolsReport r = compute_patrols(ds);
    ASSERT_EQ(r.cells.size(), 2u);
    EXPECT_EQ(r.cells[1].grid_id, "B");
    EXPECT_EQ(r.total.road_m, 0);
    EXPECT_TRUE(r.unpatrolled.empty());
    Dataset none;
    none.source = "no cells";
    EXPECT_THROW(compute_patrols(none), Error);
}

// ---- Passed ---------------------------------------------------------------------------------------

TEST(Patrols, FacilitiesAndParcelsPassedWithinFiftyMetres) {
    Dataset ds = lattice();
    ds.patrols = {track("T1", {{20, 60}, {180, 60}}, T(10), T(10, 16)), track("T2", {{20, 60}, {40, 60}}, T(9), T(9, 2))};
    Facility near, far;
    near.fid = 1, near.name = "劝导站", near.pos = at(60, 100);
    far.fid = 2, far.name = "far", far.pos = at(60, 200);
    ds.facilities = {near, far};
    Enterprise e;
    e.ent_id = "E1", e.name = "茶厂";
    e.shape = {Polygon{{Ring{at(120, 100), at(140, 100), at(140, 130), at(120, 130)}}}};
    ds.enterprises = {e};
    const PatrolsReport r = compute_patrols(ds);
    ASSERT_EQ(r.passed.size(), 3u);
    EXPECT_EQ(r.passed[0].layer, "facilities");
    EXPECT_EQ(r.passed[0].name, "劝导站");
    // 40 m from the track: T1 within 50 m for x 30–90 (last at x = 90: 70 of 160 m, 10:07), T2 for x 30–40.
    EXPECT_EQ(r.passed[0].passes, 2);
    ASSERT_TRUE(r.passed[0].last);
    EXPECT_EQ(iso_date_time(*r.passed[0].last), "2026-11-02T10:07:00");
    EXPECT_EQ(r.passed[1].passes, 0);
    EXPECT_FALSE(r.passed[1].last);
    // The parcel 40 m north of the track: within 50 m for x up to 140 + 30 = 170 (150 of 160 m, 10:15).
    EXPECT_EQ(r.passed[2].layer, "enterprises");
    EXPECT_EQ(r.passed[2].id, "E1");
    EXPECT_EQ(r.passed[2].passes, 1);
    EXPECT_EQ(iso_date_time(*r.passed[2].last), "2026-11-02T10:15:00");
}

TEST(Patrols, AParcelIsPassedWithinFiftyMetresToTheMillimetre) {
    Dataset ds = lattice();
    Enterprise e;
    e.ent_id = "E1", e.name = "茶厂";
    e.shape = {Polygon{{Ring{at(120, 100), at(140, 100), at(140, 130), at(120, 130)}}}};
    ds.enterprises = {e};
    const double r = 50, diag = std::sqrt(0.5);
    auto passes = [&](std::vector<Vec2> walk) {
        ds.patrols = {track("T", std::move(walk), T(10), T(10, 10))};
        return compute_patrols(ds).passed.at(0).passes;
    };
    // Below the parcel's south side, at 50 m less or more a millimetre.
    EXPECT_EQ(passes({{0, 100 - r + 0.001}, {200, 100 - r + 0.001}}), 1);
    EXPECT_EQ(passes({{0, 100 - r - 0.001}, {200, 100 - r - 0.001}}), 0);
    // Past its south-east corner on the diagonal x − y = c, nearest to the corner of all the parcel
    // (x − y is 40 there, 10 to 20 at the others): the corner's disc decides.
    for (double d : {r - 0.001, r + 0.001}) {
        const double c = 140 - 100 + d / diag;  // the line's distance from (140, 100) is (c − 40)·√½
        EXPECT_EQ(passes({{c - 60, -60}, {c + 160, 160}}), d < r ? 1 : 0) << d;
    }
}

TEST(Patrols, NightSpansParse) {
    auto n = parse_night_span("20:00-06:00");
    ASSERT_TRUE(n);
    EXPECT_EQ(n->first, 1200);
    EXPECT_EQ(n->second, 360);
    EXPECT_TRUE(parse_night_span("00:00-05:30"));
    for (const char* bad : {"", "20-06", "25:00-06:00", "20:00-06:60", "20:00-20:00", "20:00–06:00", "20:00-06:00x", "2O:00-06:00"})
        EXPECT_FALSE(parse_night_span(bad)) << bad;
}

// ---- Brute force: every centimetre of road against the definition ---------------------------------

namespace {

/**
 * The definition evaluated at one road point, independently of the interval code: point x metres
 * along segment a→b is patrolled by track segment c→d when the unique point q of c→d that projects
 * onto it (the projection is linear along c→d) lies within `reach` of segment a→b, at a time in the
 * window. A segment projecting to one point covers no length, and is skipped.
 */
struct PointTruth {
    bool patrolled = false, night = false;
};

bool at_night(double t, int from_min, int to_min) {
    const double minute = std::fmod(std::fmod(t, 86400.0) + 86400.0, 86400.0) / 60.0;
    return from_min > to_min ? (minute >= from_min || minute < to_min) : (minute >= from_min && minute < to_min);
}

PointTruth truth_at(const Dataset& ds, Vec2 a, Vec2 b, double x, const PatrolOptions& o) {
    PointTruth out;
    const double len = distance(a, b);
    const Vec2 e = (b - a) * (1 / len);
    for (const auto& t : ds.patrols) {
        if (!t.timed() && o.window.bounded()) continue;
        for (size_t pi = 0; pi < t.shape.size(); ++pi)
            for (size_t k = 0; k + 1 < t.shape[pi].size(); ++k) {
                const Vec2 c = t.shape[pi][k], d = t.shape[pi][k + 1];
                const double xc = dot(c - a, e), xd = dot(d - a, e);
                if (xc == xd) continue;
                const double u = (x - xc) / (xd - xc);
                if (u < 0 || u > 1) continue;
                const Vec2 q = c + (d - c) * u;
                if (segment_distance(q, a, b) > o.along_m) continue;
                if (!t.timed()) {
                    out.patrolled = true;
                    continue;
                }
                const double t0 = static_cast<double>(t.times[pi][k]), t1 = static_cast<double>(t.times[pi][k + 1]);
                const double when = t0 + (t1 - t0) * u;
                const bool in = (!o.window.from || when >= *o.window.from) && (!o.window.until || when < *o.window.until);
                if (t1 == t0 ? !o.window.contains(t.times[pi][k]) : !in) continue;
                out.patrolled = true;
                out.night = out.night || at_night(when, o.night_from_min, o.night_to_min);
            }
    }
    return out;
}

/**
 * The ring with a vertex every `step` metres along each (axis-parallel) edge, exactly on it, so that
 * neighbours stay a tiling; `closed` repeats the first vertex at the end, as GDAL gives rings. Long
 * rings are walked in runs of edges (patrols' Cells): 41 vertices end in a run of the closing edge alone.
 */
Ring densified(const Ring& r, double step, bool closed) {
    Ring out;
    for (size_t i = 0, n = r.size(); i < n; ++i) {
        const Vec2 a = r[i], b = r[(i + 1) % n];
        const int k = static_cast<int>(std::lround(distance(a, b) / step));
        for (int j = 0; j < k; ++j) out.push_back(a + (b - a) * (static_cast<double>(j) / k));
    }
    if (closed) out.push_back(out.front());
    return out;
}

Dataset random_case(uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> U(0, 1);
    Dataset ds;
    ds.source = "random";
    ds.grids = {cell("A", 0, 0), cell("B", 100, 0), cell("C", 0, 100), cell("D", 100, 100)};
    // Every third case: A holds the enclave E (x, y 30–60) as a hole, and D comes in two parts (the
    // second the square x 220–240, y 0–20, beyond the roads' reach in most cases).
    if (seed % 3 == 1) {
        ds.grids[0].shape[0].rings.push_back(cell("E", 30, 30, 30, 30).shape[0].rings[0]);
        ds.grids.push_back(cell("E", 30, 30, 30, 30));
        ds.grids[3].shape.push_back(cell("D", 220, 0, 20, 20).shape[0]);
    }
    // Odd cases: cells with a vertex every 10 m (every 5 m on the enclave), closed or not.
    if (seed % 2 == 1)
        for (auto& g : ds.grids)
            for (auto& poly : g.shape)
                for (auto& ring : poly.rings)
                    ring = densified(ring, distance(ring[0], ring[1]) > 40 ? 10 : 5, seed % 4 == 1);
    auto rnd = [&](double lo, double hi) { return lo + (hi - lo) * U(rng); };
    const int nroads = 2 + static_cast<int>(rng() % 3);
    for (int i = 0; i < nroads; ++i) {
        std::vector<Vec2> pts{{rnd(-20, 220), rnd(-20, 220)}};
        const int n = 1 + static_cast<int>(rng() % 3);
        for (int k = 0; k < n; ++k) pts.push_back({rnd(-20, 220), rnd(-20, 220)});
        if (i == 0 && seed % 3 == 0) pts = {{100, -10}, {100, 150}, {210, 150}};  // along cell edges
        ds.roads.push_back(road("R" + std::to_string(i), i % 2 ? "village" : "county", pts, i));
    }
    // Tracks: most follow a road at an offset (some within reach, some beyond), with GPS noise, a stop
    // now and then, and times over two days; one crosses anywhere.
    const int64_t t_begin = T(0);
    for (int i = 0; i < 5; ++i) {
        std::vector<Vec2> pts;
        if (i < 4) {
            const LineString& line = ds.roads[rng() % ds.roads.size()].shape[0];
            const double off = rnd(-35, 35);
            for (size_t k = 0; k + 1 < line.size(); ++k) {
                const Vec2 a = line[k], b = line[k + 1], dir = (b - a) * (1 / distance(a, b)), n{-dir.y, dir.x};
                const int steps = 2 + static_cast<int>(distance(a, b) / 15);
                for (int s = 0; s <= steps; ++s) {
                    const Vec2 p = a + (b - a) * (static_cast<double>(s) / steps) + n * (off + rnd(-3, 3));
                    pts.push_back({p.x - kX0, p.y - kY0});
                }
            }
        } else {
            for (int k = 0; k < 6; ++k) pts.push_back({rnd(-20, 220), rnd(-20, 220)});
        }
        PatrolTrack t = track("T" + std::to_string(i), pts, 0, 0);
        // Times: a start within two days, about a metre a second, with now and then a stop (the same
        // place twice), an hour's jump, or two fixes at the same second.
        int64_t when = t_begin + static_cast<int64_t>(rnd(0, 2 * 86400));
        LineString shape;
        std::vector<int64_t> times;
        for (size_t k = 0; k < t.shape[0].size(); ++k) {
            if (k > 0 && rng() % 15 != 0)
                when += static_cast<int64_t>(distance(t.shape[0][k - 1], t.shape[0][k]) * rnd(0.5, 2.0)) +
                        (rng() % 10 == 0 ? 3600 : 0);
            shape.push_back(t.shape[0][k]), times.push_back(when);
            if (rng() % 12 == 0) shape.push_back(t.shape[0][k]), times.push_back(when += 300);
        }
        t.shape = {shape}, t.times = {times};
        if (i == 3 && seed % 4 == 1) t.times.clear();  // untimed
        ds.patrols.push_back(std::move(t));
    }
    for (int i = 0; i < 3; ++i)
        ds.cameras.push_back(camera("K" + std::to_string(i), rnd(0, 200), rnd(0, 200), rnd(0, 360),
                                    i == 0 ? 360 : rnd(30, 200), rnd(20, 80)));
    if (seed % 2 == 0) {  // a building: views become non-convex
        Building b;
        const double x = rnd(40, 140), y = rnd(40, 140);
        b.shape = {Polygon{{Ring{at(x, y), at(x + 15, y), at(x + 15, y + 10), at(x, y + 10)}}}};
        ds.buildings.push_back(b);
    }
    return ds;
}

}  // namespace

TEST(Patrols, BruteForceEveryCentimetreAgreesWithTheIntervals) {
    // Tolerance: each sample stands for 1 cm of road, so each place along a segment where the
    // cell, camera, patrol or night state changes may be off by up to 1 cm; per cell and measure,
    // 1 cm times (the number of such changes + 1) plus 1e-6 m.
    std::array<double, 6> exercised{};  // each measure over all cases: the cases must reach every one
    for (uint64_t seed = 1; seed <= 24; ++seed) {
        SCOPED_TRACE("seed " + std::to_string(seed));
        Dataset ds = random_case(seed);
        PatrolOptions o;
        if (seed % 3 != 2) o.window.from = T(6), o.window.until = T(18, 0, 1);
        if (seed % 5 == 0) o.night_from_min = 2 * 60, o.night_to_min = 14 * 60;
        const PatrolsReport r = compute_patrols(ds, o);
        // The views the analysis used, to test points against.
        const std::vector<MultiPolygon> views =
            compute_views(ds, ds.usable_cameras(), ViewOptions{true, Quality::Any, nullptr});
        const size_t nc = ds.grids.size();
        std::vector<std::array<double, 6>> sum(nc, {0, 0, 0, 0, 0, 0});  // road camera patrolled both neither night
        std::vector<double> changes(nc, 0);
        std::vector<const Grid*> cells;
        for (const auto& g : ds.grids) cells.push_back(&g);
        for (const auto& rd : ds.roads)
            for (const auto& line : rd.shape)
                for (size_t k = 0; k + 1 < line.size(); ++k) {
                    const Vec2 a = line[k], b = line[k + 1];
                    const double len = distance(a, b);
                    const int n = static_cast<int>(std::ceil(len / 0.01));
                    const double piece = len / n;
                    int last_state = -1, last_cell = -1;
                    for (int s = 0; s < n; ++s) {
                        const double x = (s + 0.5) * piece;
                        const Vec2 p = a + (b - a) * (x / len);
                        int ci = -1;  // the first cell whose closed area holds p, else one within 1 µm
                        for (size_t c = 0; c < nc && ci < 0; ++c)
                            if (inside_or_on(cells[c]->shape, p)) ci = static_cast<int>(c);
                        for (size_t c = 0; c < nc && ci < 0; ++c)
                            if (any_edge(cells[c]->shape, [&](Vec2 u, Vec2 v) { return near_segment(p, u, v, 1e-6); }))
                                ci = static_cast<int>(c);
                        bool seen = false;
                        for (const auto& v : views) seen = seen || inside_or_on(v, p);
                        const PointTruth w = truth_at(ds, a, b, x, o);
                        const int state = (ci + 1) * 8 + seen * 4 + w.patrolled * 2 + w.night;
                        if (state != last_state) {
                            if (ci >= 0) changes[ci] += 1;
                            if (last_cell >= 0) changes[last_cell] += 1;
                        }
                        last_state = state, last_cell = ci;
                        if (ci < 0) continue;
                        auto& m = sum[ci];
                        m[0] += piece, m[1] += seen * piece, m[2] += w.patrolled * piece;
                        m[3] += (seen && w.patrolled) * piece, m[4] += (!seen && !w.patrolled) * piece;
                        m[5] += w.night * piece;
                    }
                }
        double listed = 0;
        for (const auto& u : r.neither) listed += u.neither_m;
        EXPECT_NEAR(listed, r.total.neither_m, 1e-6);
        for (size_t c = 0; c < nc; ++c) {
            SCOPED_TRACE("cell " + ds.grids[c].grid_id);
            for (size_t i = 0; i < exercised.size(); ++i) exercised[i] += sum[c][i];
            const CellPatrols& got = r.cells[c];
            const double tol = 0.01 * (changes[c] + 1) + 1e-6;
            EXPECT_NEAR(got.road_m, sum[c][0], tol);
            EXPECT_NEAR(got.camera_m, sum[c][1], tol);
            EXPECT_NEAR(got.patrolled_m, sum[c][2], tol);
            EXPECT_NEAR(got.both_m, sum[c][3], tol);
            EXPECT_NEAR(got.neither_m, sum[c][4], tol);
            EXPECT_NEAR(got.night_m, sum[c][5], tol);
        }
    }
    for (double m : exercised) EXPECT_GT(m, 100.0);
}

// ---- The command ----------------------------------------------------------------------------------

namespace {

const char* kCrs = R"("crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4542"}})";

std::string feature(const std::string& geometry, const std::string& props) {
    return R"({"type": "Feature", "geometry": )" + geometry + R"(, "properties": {)" + props + "}}";
}
std::string xy(double x, double y) { return "[" + std::to_string(kX0 + x) + ", " + std::to_string(kY0 + y) + "]"; }
std::string square(double x0, double y0) {
    return R"({"type": "Polygon", "coordinates": [[)" + xy(x0, y0) + "," + xy(x0 + 100, y0) + "," + xy(x0 + 100, y0 + 100) +
           "," + xy(x0, y0 + 100) + "," + xy(x0, y0) + "]]}";
}
std::string line(std::initializer_list<std::pair<double, double>> pts) {
    std::string s = R"({"type": "LineString", "coordinates": [)";
    bool first = true;
    for (auto [x, y] : pts) s += (first ? "" : ",") + xy(x, y), first = false;
    return s + "]}";
}
std::string collection(std::initializer_list<std::string> features) {
    std::string s = R"({"type": "FeatureCollection", )" + std::string(kCrs) + R"(, "features": [)";
    bool first = true;
    for (const auto& f : features) s += (first ? "" : ",") + f, first = false;
    return s + "]}";
}

/** The lattice as GeoJSON files: cells A, B, C; R1 through A and B; camera K1; a track on two days. */
std::string write_lattice(const TempDir& dir) {
    dir.write("grids.geojson", collection({feature(square(0, 0), R"("grid_id": "A", "level": 4, "parent_id": "")"),
                                           feature(square(100, 0), R"("grid_id": "B", "level": 4, "parent_id": "")"),
                                           feature(square(200, 0), R"("grid_id": "C", "level": 4, "parent_id": "")")}));
    dir.write("roads.geojson", collection({feature(line({{0, 50}, {200, 50}}), R"("name": "R1", "class": "village")")}));
    dir.write("cameras.geojson",
              collection({feature(R"({"type": "Point", "coordinates": )" + xy(50, 20) + "}",
                                  R"("cam_id": "K1", "azimuth": 0, "fov": 90, "range": 50, "status": "online")")}));
    // T1 walks x 20–180 beside the road on 2026-11-02 by day; T0 walked all of it ten days before.
    dir.write("patrols.geojson",
              collection({feature(line({{20, 60}, {180, 60}}),
                                  R"("track_id": "T1", "team": "patrol", "start": "2026-11-02T10:00:00", "end": "2026-11-02T10:16:00")"),
                          feature(line({{0, 45}, {200, 45}}),
                                  R"("track_id": "T0", "team": "patrol", "start": "2026-10-23T22:00:00", "end": "2026-10-23T23:00:00")")}));
    dir.write("facilities.geojson", collection({feature(R"({"type": "Point", "coordinates": )" + xy(60, 100) + "}",
                                                        R"("name": "劝导站", "kind": "persuasion_station")")}));
    std::string args;
    for (const char* f : {"grids", "roads", "cameras", "patrols", "facilities"}) args += " " + dir / (std::string(f) + ".geojson");
    return args;
}

}  // namespace

TEST(CliPatrols, JsonShapeOfSpec4AndTheDefaultWindow) {
    TempDir dir("patrols_cli");
    const std::string data = write_lattice(dir);
    auto r = run_gridwatch("patrols" + data + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    ASSERT_EQ(j["cells"].size(), 3u);
    for (const auto& c : j["cells"])
        for (const char* k : {"grid_id", "road_m", "camera_m", "patrolled_m", "both_m", "neither_m", "night_share"})
            EXPECT_TRUE(c.contains(k)) << k;
    // The default window: 2026-10-27 … 2026-11-02, so T0 (ten days before) is out.
    EXPECT_EQ(j["window"]["from"], "2026-10-27T00:00:00");
    EXPECT_EQ(j["window"]["until"], "2026-11-03T00:00:00");
    EXPECT_EQ(j["window"]["default"], true);
    const json& a = j["cells"][0];
    EXPECT_EQ(a["grid_id"], "A");
    EXPECT_NEAR(a["road_m"].get<double>(), 100, 1e-6);
    EXPECT_NEAR(a["camera_m"].get<double>(), 60, 1e-6);
    EXPECT_NEAR(a["patrolled_m"].get<double>(), 80, 1e-6);
    EXPECT_NEAR(a["both_m"].get<double>(), 60, 1e-6);
    EXPECT_NEAR(a["neither_m"].get<double>(), 20, 1e-6);
    EXPECT_EQ(a["night_share"].get<double>(), 0);
    EXPECT_NEAR(j["cells"][2]["road_m"].get<double>(), 0, 1e-12);
    EXPECT_EQ(j["tracks_in_window"], 1);
    EXPECT_EQ(j["unpatrolled"].size(), 0u);
    ASSERT_EQ(j["neither"].size(), 2u);
    EXPECT_EQ(j["neither"][0]["road"], "R1");
    // 20 m in A (x 0–20) and 20 m in B (x 180–200).
    EXPECT_NE(j["neither"][0]["grid_id"], j["neither"][1]["grid_id"]);
    EXPECT_NEAR(j["neither"][1]["neither_m"].get<double>(), 20, 1e-6);
    ASSERT_EQ(j["passed"].size(), 1u);
    EXPECT_EQ(j["passed"][0]["passes"], 1);
    EXPECT_EQ(j["passed"][0]["last"], "2026-11-02T10:07:00");
    EXPECT_TRUE(j.contains("total"));
    // A window given: T0 on 2026-10-23 at night covers the whole road.
    auto w = run_gridwatch("patrols" + data + " --from 2026-10-23 --to 2026-10-23 --json");
    ASSERT_EQ(w.status, 0) << w.err;
    const json k = json::parse(w.out);
    EXPECT_EQ(k["window"]["default"], false);
    EXPECT_NEAR(k["total"]["patrolled_m"].get<double>(), 200, 1e-6);
    EXPECT_NEAR(k["total"]["night_share"].get<double>(), 1, 1e-12);
    // The night moved off T0's hour: none of it at night.
    auto d = run_gridwatch("patrols" + data + " --from 2026-10-23 --to 2026-10-23 --night 23:00-05:00 --json");
    ASSERT_EQ(d.status, 0) << d.err;
    EXPECT_NEAR(json::parse(d.out)["total"]["night_share"].get<double>(), 0, 1e-12);
}

TEST(CliPatrols, HumanOutputListsNeitherUnpatrolledAndPassed) {
    TempDir dir("patrols_cli");
    const std::string data = write_lattice(dir);
    auto r = run_gridwatch("patrols" + data + " --from 2026-11-01");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("neither"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("R1 (village)  in A"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("劝导站"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("cells with road and no patrol in the window: 0"), std::string::npos) << r.out;
}

TEST(CliPatrols, BadOptionsAreUsageErrorsOfOneLine) {
    TempDir dir("patrols_cli");
    const std::string data = write_lattice(dir);
    for (const std::string bad : {" --night 25:00-06:00", " --night 20:00-20:00", " --from 2026-13-01",
                                  " --from 2026-11-05 --to 2026-11-01", " --level 3"}) {
        auto r = run_gridwatch("patrols" + data + bad);
        EXPECT_EQ(r.status, 2) << bad << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << bad << "\n" << r.err;
        EXPECT_TRUE(r.out.empty()) << bad;
    }
    auto missing = run_gridwatch("patrols " + dir / "nothing.gpkg");
    EXPECT_EQ(missing.status, 1);
    EXPECT_EQ(missing.error_lines(), 1) << missing.err;
}
