// Camera placement (SPEC §5.4) against brute-force enumeration and hand geometry.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <random>

#include "geo/analysis/placement.h"

using namespace gw;

namespace {

CoverageMatrix random_matrix(uint64_t seed, int cols, int rows) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> U(0, 1);
    CoverageMatrix m;
    for (int r = 0; r < rows; ++r) m.row_weight.push_back(1 + std::floor(5 * U(rng)));
    for (int c = 0; c < cols; ++c) {
        std::vector<int> seen;
        for (int r = 0; r < rows; ++r)
            if (U(rng) < 0.18) seen.push_back(r);
        m.add_column(c % 5, 0, seen);  // five sites, their columns interleaved
    }
    return m;
}

double brute_force_optimum(const CoverageMatrix& m, int k) {
    const int C = static_cast<int>(m.columns());
    double best = 0;
    std::vector<int> pick;
    std::function<void(int)> rec = [&](int start) {
        if (static_cast<int>(pick.size()) == k) {
            best = std::max(best, covered_weight(m, pick));
            return;
        }
        for (int c = start; c < C; ++c) pick.push_back(c), rec(c + 1), pick.pop_back();
    };
    rec(0);
    return best;
}

Grid square(const std::string& id, double x0, double y0, double w, double h) {
    Grid g;
    g.grid_id = id, g.level = 1;
    g.shape = {Polygon{{Ring{{x0, y0}, {x0 + w, y0}, {x0 + w, y0 + h}, {x0, y0 + h}}}}};
    return g;
}

}  // namespace

TEST(Placement, ExactEqualsBruteForceAndGreedyStaysWithinItsBounds) {
    for (uint64_t seed = 1; seed <= 8; ++seed) {
        CoverageMatrix m = random_matrix(seed, 16, 40);
        for (int k : {1, 2, 3, 4}) {
            const double opt = brute_force_optimum(m, k);
            bool proven = false;
            auto ex = exact_max_cover(m, k, 30, &proven);
            EXPECT_TRUE(proven);
            EXPECT_LE(static_cast<int>(ex.size()), k);
            EXPECT_NEAR(covered_weight(m, ex), opt, 1e-9) << "seed " << seed << " k " << k;
            auto gr = greedy_max_cover(m, k);
            const double g = covered_weight(m, gr);
            EXPECT_LE(g, opt + 1e-9);
            EXPECT_GE(g, (1 - 1 / M_E) * opt - 1e-9);
            EXPECT_GE(lp_max_cover_bound(m, k), opt - 1e-6) << "LP bound below the optimum";
            EXPECT_GE(submodular_bound(m, gr, k), opt - 1e-9) << "greedy bound below the optimum";
        }
    }
}

namespace {

/** Greedy without laziness: each round the column of the largest marginal gain, the lowest on ties. */
std::vector<int> plain_greedy(const CoverageMatrix& m, int k) {
    std::vector<int> chosen;
    std::vector<char> cov(m.row_weight.size(), 0);
    for (int round = 0; round < k; ++round) {
        double best = 0;
        int best_c = -1;
        for (size_t c = 0; c < m.columns(); ++c) {
            double g = 0;
            for (int r : m.rows(c))
                if (!cov[r]) g += m.row_weight[r];
            if (g > best) best = g, best_c = static_cast<int>(c);
        }
        if (best_c < 0) break;
        chosen.push_back(best_c);
        for (int r : m.rows(best_c)) cov[r] = 1;
    }
    return chosen;
}

}  // namespace

// Thousands of columns whose gains tie (weights 1 and 2), more than the first slice greedy sorts of
// its columns by gain: CELF picks what plain greedy picks, and the swaps end where no one swap gains.
// Seeds 5 and 6 start with 6,000 copies of one column: once one is picked, greedy reads every other
// (each now gains nothing), far past the first sorted slice.
TEST(Placement, LazyGreedyPicksWhatPlainGreedyPicksAndSwapsEndAtALocalOptimum) {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        std::mt19937_64 rng(seed);
        std::uniform_real_distribution<double> U(0, 1);
        CoverageMatrix m;
        const int rows = 400, cols = 9000;
        for (int r = 0; r < rows; ++r) m.row_weight.push_back(U(rng) < 0.5 ? 1 : 2);
        for (int c = 0; c < cols; ++c) {
            std::vector<int> seen;
            const double p = 0.002 + 0.03 * U(rng);
            if (seed >= 5 && c < 6000)
                for (int r = 0; r < 30; ++r) seen.push_back(r);  // the copies
            else
                for (int r = seed >= 5 ? 30 : 0; r < rows; ++r)
                    if (U(rng) < p) seen.push_back(r);
            m.add_column(c / 24, 15.0 * (c % 24), seen);
        }
        for (int k : {1, 5, 12}) {
            double bound = 0;
            const std::vector<int> lazy = greedy_max_cover(m, k, false, &bound);
            EXPECT_EQ(lazy, plain_greedy(m, k)) << "seed " << seed << " k " << k;
            const double f = covered_weight(m, lazy);
            EXPECT_GE(bound, f);
            EXPECT_LE(bound, submodular_bound(m, {}, k)) << "the bound before any pick is the k best columns";
            std::vector<int> swapped = greedy_max_cover(m, k, true);
            const double fs = covered_weight(m, swapped);
            EXPECT_GE(fs, f);
            for (size_t i = 0; i < swapped.size(); ++i) {
                const int kept = swapped[i];
                for (int c = 0; c < cols; ++c) {
                    if (std::find(swapped.begin(), swapped.end(), c) != swapped.end()) continue;
                    swapped[i] = c;
                    ASSERT_LE(covered_weight(m, swapped), fs + 1e-9)
                        << "seed " << seed << " k " << k << ": a swap gains";
                }
                swapped[i] = kept;
            }
        }
    }
}

// ---- Demand (SPEC §5.4) worked by hand on one small dataset: one row per kind ---------------------

namespace {

Dataset demand_by_hand() {
    Dataset ds;
    Road village;
    village.name = "村道";
    village.road_class = "village";
    village.shape = {LineString{{0, 0}, {100, 0}}};  // 100 m -> 10 samples of weight 1
    Road g320;
    g320.name = "G320";
    g320.road_class = "national";
    g320.shape = {LineString{{0, 50}, {0, 80}}};  // 30 m -> 3 samples of weight 3
    ds.roads = {village, g320};
    Household h;
    h.pos = {50, 20};
    ds.households.push_back(h);
    Enterprise e;
    e.shape = {Polygon{{Ring{{200, 0}, {240, 0}, {240, 40}, {200, 40}}}}};  // 160 m boundary -> 8 points
    ds.enterprises.push_back(e);
    for (const char* t : {"2026-10-01T10:00:00", "2025-11-02T00:00:00", "2025-10-30T00:00:00"}) {
        Incident in;
        in.time = t, in.when = parse_incident_time(t);  // as reading does
        ds.incidents.push_back(in);
    }
    return ds;
}

std::vector<DemandPoint> demand_by_hand_points() {
    DemandWeights w;
    w.today = "2026-10-31";
    return build_demand(demand_by_hand(), w);
}

struct DemandCase {
    const char* name;
    DemandPoint::Kind kind;
    int count;
    std::optional<double> weight;  // the kind's total weight, where the case works it out
};

// Failure messages name the case, not its bytes.
void PrintTo(const DemandCase& k, std::ostream* os) { *os << k.name; }

const std::vector<DemandCase> kDemandCases = {
    // 100 m of village road: 10 samples of weight 1; 30 m of G320: 3 samples of weight 3.
    {"Roads", DemandPoint::Road, 13, 10 * 1 + 3 * 3},
    // One household, weight 5.
    {"Households", DemandPoint::Household, 1, 5},
    // Two incidents within 12 months of 2026-10-31; the 2025-10-30 one is older.
    {"Incidents", DemandPoint::Incident, 2, std::nullopt},
    // A 40 × 40 m parcel: 160 m of boundary, a point every 20 m.
    {"Enterprises", DemandPoint::Enterprise, 8, std::nullopt},
};

}  // namespace

class PlacementDemand : public ::testing::TestWithParam<DemandCase> {};

TEST_P(PlacementDemand, FollowsTheSpecByHand) {
    const DemandCase& k = GetParam();
    int count = 0;
    double weight = 0;
    for (const auto& p : demand_by_hand_points())
        if (p.kind == k.kind) ++count, weight += p.weight;
    EXPECT_EQ(count, k.count);
    if (k.weight) {
        EXPECT_DOUBLE_EQ(weight, *k.weight);
    }
}

INSTANTIATE_TEST_SUITE_P(Placement, PlacementDemand, ::testing::ValuesIn(kDemandCases),
                         [](const ::testing::TestParamInfo<DemandCase>& info) { return std::string(info.param.name); });

TEST(Placement, RoadSamplesSitAtTheMiddleOfEachStep) {
    // The first village-road sample: the middle of its first 10 m step.
    EXPECT_NEAR(demand_by_hand_points()[0].pos.x, 5, 1e-9);
}

// ---- Occlusion in the plan: one row with, one without -------------------------------------------

namespace {

struct OcclusionCase {
    const char* name;
    bool occlusion;
    double gain;
};

// Failure messages name the case, not its bytes.
void PrintTo(const OcclusionCase& k, std::ostream* os) { *os << k.name; }

const std::vector<OcclusionCase> kOcclusionCases = {
    // The four road samples only (weight 1 each), not the household (5) behind the wall.
    {"PicksNeverSeeThroughABuilding", true, 4.0},
    // Without occlusion the household counts too: 4 + 5.
    {"WithoutOcclusionTheHouseholdCounts", false, 9.0},
};

}  // namespace

class PlacementOcclusion : public ::testing::TestWithParam<OcclusionCase> {};

TEST_P(PlacementOcclusion, GainOfTheOnlyPick) {
    // Demand: a household behind a long wall, and road samples in front of it. The only
    // candidate sites are south of the wall; a 360° camera there must not count the household.
    const OcclusionCase& k = GetParam();
    Dataset ds;
    ds.source = "test";
    ds.grids.push_back(square("A", -200, -200, 400, 400));
    Building wall;
    wall.shape = {Polygon{{Ring{{-100, 10}, {100, 10}, {100, 12}, {-100, 12}}}}};
    ds.buildings.push_back(wall);
    Household h;
    h.pos = {0, 30};
    ds.households.push_back(h);
    Road r;
    r.road_class = "village";
    r.shape = {LineString{{-20, 0}, {20, 0}}};
    ds.roads.push_back(r);
    Candidate c;
    c.pos = {0, -5};
    ds.candidates.push_back(c);
    PlanOptions o;
    o.k = 1, o.fov = 360, o.range = 60, o.azimuth_step = 90;
    o.occlusion = k.occlusion;
    PlacementPlan p = plan_cameras(ds, o);
    ASSERT_EQ(p.picks.size(), 1u);
    EXPECT_NEAR(p.picks[0].gain, k.gain, 1e-9);
}

INSTANTIATE_TEST_SUITE_P(Placement, PlacementOcclusion, ::testing::ValuesIn(kOcclusionCases),
                         [](const ::testing::TestParamInfo<OcclusionCase>& info) { return std::string(info.param.name); });

TEST(Placement, PlanReportsBeforeAfterAndABoundAboveIt) {
    Dataset ds;
    ds.source = "test";
    ds.grids.push_back(square("A", -500, -500, 1000, 1000));
    std::mt19937_64 rng(4);
    std::uniform_real_distribution<double> U(-400, 400);
    for (int i = 0; i < 6; ++i) {
        Road r;
        r.road_class = i == 0 ? "national" : "village";
        r.shape = {LineString{{U(rng), U(rng)}, {U(rng), U(rng)}}};
        ds.roads.push_back(r);
    }
    for (int i = 0; i < 40; ++i) {
        Household h;
        h.pos = {U(rng), U(rng)};
        ds.households.push_back(h);
    }
    Camera cam;
    cam.cam_id = "K";
    cam.pos = ds.roads[0].shape[0][0];
    cam.azimuth = 0, cam.fov = 360, cam.range = 80;
    ds.cameras.push_back(cam);
    PlanOptions o;
    o.k = 5, o.fov = 90, o.range = 60;
    PlacementPlan g = plan_cameras(ds, o);
    ASSERT_EQ(g.picks.size(), 5u);
    EXPECT_GT(g.covered_before, 0);
    double sum = g.covered_before;
    for (size_t i = 0; i < g.picks.size(); ++i) {
        sum += g.picks[i].gain;
        if (i) {
            EXPECT_GE(g.picks[i - 1].gain, g.picks[i].gain - 1e-9);
        }
    }
    EXPECT_NEAR(sum, g.covered_after, 1e-6);
    EXPECT_GE(g.upper_bound, g.covered_after - 1e-9);
    o.exact = true;
    PlacementPlan e = plan_cameras(ds, o);
    EXPECT_TRUE(e.proven_optimal);
    EXPECT_GE(e.covered_after, g.covered_after - 1e-9);
    EXPECT_LE(e.covered_after, g.upper_bound + 1e-6);  // the bound holds for the true optimum
    EXPECT_GE(g.covered_after, 0.97 * e.covered_after);
}
