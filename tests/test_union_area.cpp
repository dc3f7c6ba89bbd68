// union_area_within (a cell's covered_m2, SPEC §5.2) against hand-worked areas and against GEOS's
// overlay (union of the views, intersection with the cell, area) on random layouts.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geo/analysis/camera_view.h"
#include "geo/analysis/union_area.h"
#include "geo/core/geos.h"
#include "tests/difffuzz/difffuzz.h"

using namespace gw;

namespace {

MultiPolygon rect(double x0, double y0, double x1, double y1) {
    return {Polygon{{Ring{{x0, y0}, {x1, y0}, {x1, y1}, {x0, y1}}}}};
}

MultiPolygon shifted(MultiPolygon mp, Vec2 d) {
    for (auto& p : mp)
        for (auto& r : p.rings)
            for (auto& v : r) v = v + d;
    return mp;
}

double area_of(const MultiPolygon& clip, const std::vector<MultiPolygon>& parts) {
    std::vector<const MultiPolygon*> ptrs;
    for (const auto& p : parts) ptrs.push_back(&p);
    return union_area_within(clip, ptrs);
}

/** The same area by GEOS: union of the parts, intersection with the clip. */
double geos_area(const MultiPolygon& clip, const std::vector<MultiPolygon>& parts) {
    std::vector<const MultiPolygon*> ptrs;
    for (const auto& p : parts) ptrs.push_back(&p);
    if (ptrs.empty()) return 0;
    geos::Geom u = geos::union_all(ptrs.data(), ptrs.size());
    geos::Geom c = geos::to_geos(clip);
    geos::Geom i = geos::intersection(u.get(), c.get());
    return geos::area(i.get());
}

/** A star-shaped (mostly concave) cell around c with n spikes, and a square hole when asked. */
MultiPolygon concave_cell(std::mt19937_64& rng, Vec2 c, double r, int n, bool hole) {
    std::uniform_real_distribution<double> U(0.45, 1.0);
    Ring ring;
    for (int i = 0; i < n; ++i) {
        const double a = 2 * M_PI * i / n;
        const double rr = r * U(rng);
        ring.push_back({c.x + rr * std::cos(a), c.y + rr * std::sin(a)});
    }
    Polygon p{{ring}};
    if (hole) p.rings.push_back(Ring{{c.x - 0.1 * r, c.y - 0.1 * r}, {c.x - 0.1 * r, c.y + 0.1 * r},
                                     {c.x + 0.1 * r, c.y + 0.1 * r}, {c.x + 0.1 * r, c.y - 0.1 * r}});
    return {p};
}

}  // namespace

// ---- Hand-worked areas: one table, one body ------------------------------------------------------

namespace {

struct HandCase {
    const char* name;
    MultiPolygon clip;
    std::vector<MultiPolygon> parts;
    double want, tol;
};

// Failure messages name the case, not its bytes.
void PrintTo(const HandCase& k, std::ostream* os) { *os << k.name; }

MultiPolygon with_hole(MultiPolygon mp, Ring hole) {
    mp[0].rings.push_back(std::move(hole));
    return mp;
}

/** A 4 × 4 square with a clockwise shell and a counter-clockwise 2 × 2 hole. */
MultiPolygon clockwise_square_with_hole() {
    MultiPolygon ring = rect(0, 0, 4, 4);
    std::reverse(ring[0].rings[0].begin(), ring[0].rings[0].end());
    ring[0].rings.push_back(Ring{{1, 1}, {3, 1}, {3, 3}, {1, 3}});
    return ring;
}

/** Terrain can split a view: two 30 × 30 pieces, 140 m apart. */
const MultiPolygon kTwoPieceView = {Polygon{{Ring{{10, 10}, {40, 10}, {40, 40}, {10, 40}}}},
                                    Polygon{{Ring{{150, 10}, {180, 10}, {180, 40}, {150, 40}}}}};

const std::vector<HandCase> kHandCases = {
    // 1 + 1 − ¼ (they overlap in a 0.5 × 0.5 square).
    {"TwoOverlappingSquaresInsideTheClip", rect(-10, -10, 10, 10), {rect(0, 0, 1, 1), rect(0.5, 0.5, 1.5, 1.5)},
     1.75, 1e-12},
    // Three copies of one 2 × 1 rectangle: 2.
    {"DuplicatesCountOnce", rect(-10, -10, 10, 10), {rect(0, 0, 2, 1), rect(0, 0, 2, 1), rect(0, 0, 2, 1)}, 2.0,
     1e-12},
    // Two unit squares side by side: 1 + 1, the shared edge taken off nothing.
    {"NeighboursSharingAnEdge", rect(-10, -10, 10, 10), {rect(0, 0, 1, 1), rect(1, 0, 2, 1)}, 2.0, 1e-12},
    // A 10 × 10 cell with a 2 × 2 hole: a square 3..7 × 3..7 (16) less the hole (4); a square
    // straddling the right edge: 1 × 2 inside.
    {"ClippedByTheCellAndItsHole", with_hole(rect(0, 0, 10, 10), Ring{{4, 4}, {4, 6}, {6, 6}, {6, 4}}),
     {rect(3, 3, 7, 7), rect(9, 0, 11, 2)}, 12.0 + 2.0, 1e-12},
    // No cell edge meets either piece of the split view, yet each lies in another cell: 30 × 30
    // in the west cell, 30 × 30 in the east one.
    {"AViewInTwoPiecesWestCell", rect(0, 0, 100, 100), {kTwoPieceView}, 900.0, 1e-9},
    {"AViewInTwoPiecesEastCell", rect(100, 0, 200, 100), {kTwoPieceView}, 900.0, 1e-9},
    // Clockwise shell, counter-clockwise hole: 16 − 4.
    {"ClockwiseShellWithAHole", rect(-10, -10, 10, 10), {clockwise_square_with_hole()}, 12.0, 1e-12},
    // A second part 1..2 × 1..3 filling half the hole: 12 + 2.
    {"ClockwiseShellAndAPartFillingHalfItsHole", rect(-10, -10, 10, 10),
     {clockwise_square_with_hole(), rect(1, 1, 2, 3)}, 14.0, 1e-12},
};

}  // namespace

class UnionAreaByHand : public ::testing::TestWithParam<HandCase> {};

TEST_P(UnionAreaByHand, MatchesTheWorkedArea) {
    const HandCase& k = GetParam();
    EXPECT_NEAR(area_of(k.clip, k.parts), k.want, k.tol);
}

INSTANTIATE_TEST_SUITE_P(UnionArea, UnionAreaByHand, ::testing::ValuesIn(kHandCases),
                         [](const ::testing::TestParamInfo<HandCase>& info) { return std::string(info.param.name); });

TEST(UnionArea, FarFromTheOriginKeepsItsDigits) {
    // Gauss-Kruger coordinates of the county: plain shoelace sums there lose about 1e-3 m².
    const Vec2 far{471234.5, 2712345.5};
    MultiPolygon cell = shifted(rect(0, 0, 300, 300), far);
    Polygon s = sector_polygon(far + Vec2{150, 150}, 40, 90, 43.5);
    const double expect = area(MultiPolygon{s} /*whole, inside the cell*/);
    MultiPolygon local = shifted({s}, Vec2{-far.x, -far.y});
    EXPECT_NEAR(area_of(cell, {{s}}), area(local), 1e-9);
    EXPECT_NEAR(area_of(cell, {{s}}), expect, 1e-3);
}

TEST(UnionArea, CamerasOnOnePoleTouchingAtThePoleOrAlongAnEdge) {
    // Their views meet in a point or along a ray: nothing to take off twice, and a window that
    // thin must not be mistaken for the whole cell.
    const Vec2 far{471000, 2712000};
    MultiPolygon cell = shifted(rect(0, 0, 100, 100), far);
    for (double az = 0; az < 360; az += 7.5)
        for (Vec2 pole : {Vec2{50, 95}, Vec2{3, 50}, Vec2{97, 97}}) {
            const Vec2 p = far + pole;
            std::vector<MultiPolygon> views = {{sector_polygon(p, az, 90, 40)},
                                               {sector_polygon(p, az + 180, 90, 40)},  // touches at p
                                               {sector_polygon(p, az + 90, 90, 30)}};  // shares two rays
            for (size_t n = 2; n <= views.size(); ++n) {
                std::vector<MultiPolygon> some(views.begin(), views.begin() + static_cast<long>(n));
                ASSERT_NEAR(area_of(cell, some), geos_area(cell, some), 1e-6) << "azimuth " << az << ", " << n << " views";
            }
        }
}

TEST(UnionArea, RandomSectorsAndConcaveCellsAgreeWithGeos) {
    std::mt19937_64 rng(20261127);
    std::uniform_real_distribution<double> U(0, 1);
    const Vec2 far{471000, 2712000};
    int convex_groups = 0;
    for (int trial = 0; trial < 300; ++trial) {
        const Vec2 c = far + Vec2{1000 * U(rng), 1000 * U(rng)};
        MultiPolygon cell = concave_cell(rng, c, 100, 8 + trial % 30, trial % 4 == 0);
        const int n = 1 + trial % 9;
        std::vector<MultiPolygon> views;
        Vec2 pole{};
        double az = 0, fov = 90;
        for (int i = 0; i < n; ++i) {
            const bool same_pole = i > 0 && trial % 3 == 1;
            // Cameras on one pole look side by side (their views touch at the pole or along an
            // edge); the others stand anywhere. Mostly convex sectors; every seventh view wider
            // than 180° (concave) or a disc.
            const double next_fov = i % 7 == 6 ? (i % 2 ? 360 : 270) : 20 + 160 * U(rng);
            if (same_pole) {
                az += fov / 2 + next_fov / 2 + (i % 2 ? 0 : 5 * U(rng));
            } else {
                pole = c + Vec2{(U(rng) - 0.5) * 220, (U(rng) - 0.5) * 220};
                az = 360 * U(rng);
            }
            fov = next_fov;
            views.push_back({sector_polygon(pole, az, fov, 15 + 60 * U(rng))});
            if (i == 2 && trial % 5 == 0) views.push_back(views.back());  // an exact duplicate
        }
        convex_groups += n <= 3;
        const double want = geos_area(cell, views);
        ASSERT_NEAR(area_of(cell, views), want, 1e-6 * std::max(1.0, want)) << "trial " << trial << ", " << n << " views";
    }
    EXPECT_GT(convex_groups, 50);
}

TEST(UnionArea, OccludedViewsAmongBuildingsAgreeWithGeos) {
    // Visibility polygons cut by buildings are concave, with notches and holes: the sweep's case.
    std::mt19937_64 rng(28);
    std::uniform_real_distribution<double> U(0, 1);
    const Vec2 far{471000, 2712000};
    for (int trial = 0; trial < 60; ++trial) {
        const Vec2 c = far + Vec2{1000 * U(rng), 1000 * U(rng)};
        std::vector<Building> buildings;
        for (int b = 0; b < 25; ++b) {
            const Vec2 p = c + Vec2{(U(rng) - 0.5) * 200, (U(rng) - 0.5) * 200};
            const double w = 4 + 10 * U(rng), h = 4 + 10 * U(rng);
            Building bd;
            bd.shape = {Polygon{{Ring{p, p + Vec2{w, 0}, p + Vec2{w, h}, p + Vec2{0, h}}}}};
            buildings.push_back(bd);
        }
        Occluders occ(buildings);
        MultiPolygon cell = concave_cell(rng, c, 90, 12, trial % 3 == 0);
        std::vector<MultiPolygon> views;
        for (int i = 0; i < 1 + trial % 8; ++i) {
            Camera cam;
            cam.pos = c + Vec2{(U(rng) - 0.5) * 180, (U(rng) - 0.5) * 180};
            cam.azimuth = 360 * U(rng), cam.fov = i % 4 == 3 ? 360 : 40 + 100 * U(rng), cam.range = 20 + 50 * U(rng);
            MultiPolygon v = camera_view(cam, &occ);
            if (!v.empty()) views.push_back(std::move(v));
        }
        const double want = geos_area(cell, views);
        ASSERT_NEAR(area_of(cell, views), want, 1e-6 * std::max(1.0, want)) << "trial " << trial;
    }
}

// ---- Regressions from the differential fuzzer (issue 12) ----------------------------------------
// Each case failed before the fixes: a view with its apex on a cell edge (or a corner, or a
// collinear vertex) classified as wholly inside or outside by rounded predicates; two cameras on
// one pole whose computed intersection, used as a cutter, took a piece of the cell; snapped rings
// with repeated vertices taken for convex; a cut point pushed off its edge. The reference is GEOS
// (translated exactly towards the origin), the tolerance fuzz::area_tolerance (~1e-5 m² here).

struct FuzzCase {
    const char* name;
    const char* cell;
    std::vector<const char*> views;
};

class UnionAreaRegression : public ::testing::TestWithParam<FuzzCase> {};

TEST_P(UnionAreaRegression, AgreesWithGeos) {
    const FuzzCase& k = GetParam();
    fuzz::UnionCase c;
    c.cell = fuzz::from_wkt(k.cell);
    for (const char* v : k.views) c.views.push_back(fuzz::from_wkt(v));
    const fuzz::Verdict v = fuzz::check_union(c);
    EXPECT_NEAR(v.ours, v.want, v.tol) << k.name;
    EXPECT_LT(v.tol, 1e-3) << "the tolerance must stay far below any real error";
}

const std::vector<FuzzCase> kFuzzCases = {
#include "tests/regressions/union_area_cases.inc"
};

INSTANTIATE_TEST_SUITE_P(Difffuzz, UnionAreaRegression, ::testing::ValuesIn(kFuzzCases),
                         [](const ::testing::TestParamInfo<FuzzCase>& info) {
                             std::string n;  // "seed 2 case 7658: …" → seed2_case7658
                             for (const char* c = info.param.name; *c && *c != ':'; ++c)
                                 n += *c == ' ' ? (n.back() >= '0' && n.back() <= '9' ? '_' : '\0') : *c;
                             std::erase(n, '\0');
                             return n;
                         });

TEST(UnionArea, ThreeCollinearPointsOrientExactly) {
    // Far from the origin a rounded cross product of near-collinear points has the wrong sign;
    // orient's exact stage never does.
    const Vec2 a{512012.53690036014, 2712725.5}, b{512051.14611130115, 2712704.7170730387};
    const Vec2 m = a + (b - a) * 0.5;  // rounded: within an ulp of the line, on one side or on it
    const int s = orient(a, b, m);
    EXPECT_EQ(orient(b, a, m), -s);
    EXPECT_EQ(orient(m, a, b), s);  // cyclic
    EXPECT_EQ(orient(a, b, a + (b - a) * 2.0), orient(a, b, a + (b - a) * 2.0));
    EXPECT_EQ(orient({0, 0}, {1, 1}, {1e300, 1e300}), 0);
}

TEST(UnionArea, SnappedSectorWithRepeatedVerticesIsNotConvex) {
    // A sector snapped to a 1 m grid: a staircase with repeated points. The turn at a repeated
    // point is between its distinct neighbours; it turns right there, so the ring is not convex.
    const Ring r{{0, 0}, {7, 19}, {6, 19}, {6, 19}, {5, 20}, {4, 20}, {-7, 19}};
    EXPECT_EQ(convex_ring({Polygon{{r}}}), nullptr);
    const Ring ok{{0, 0}, {7, 19}, {7, 19}, {5, 20}, {-7, 19}};
    EXPECT_NE(convex_ring({Polygon{{ok}}}), nullptr);
    const Ring spike{{0, 0}, {10, 0}, {10, 10}, {10, 5}, {0, 10}};  // folds back along x = 10
    EXPECT_EQ(convex_ring({Polygon{{spike}}}), nullptr);
}
