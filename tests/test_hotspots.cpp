// Hotspots (SPEC §5.3) against published values, direct summation and brute force.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <random>
#include <set>
#include <string>

#include "geo/analysis/hotspots.h"
#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/core/model.h"
#include "geo/demo/demo.h"

using namespace gw;

namespace {

/** The quartic KDE of SPEC §5.3 at c by direct summation over every point, per m². */
double quartic_sum(const std::vector<Vec2>& pts, Vec2 c, double h) {
    double f = 0;
    for (auto p : pts) {
        const double d2 = (p.x - c.x) * (p.x - c.x) + (p.y - c.y) * (p.y - c.y);
        if (d2 < h * h) f += 3 / (M_PI * h * h) * std::pow(1 - d2 / (h * h), 2);
    }
    return f;
}

}  // namespace

TEST(GiStar, MatchesPySalEsdaTestCase) {
    // esda's own test: six points, values 2, 3, 3.2, 5, 8, 7; binary distance band 15 (inclusive),
    // each point its own neighbour. Expected z from esda's G_Local(star=True, transform='B').
    std::vector<Vec2> pts = {{10, 10}, {20, 10}, {40, 10}, {15, 20}, {30, 20}, {30, 30}};
    std::vector<double> x = {2, 3, 3.2, 5, 8, 7};
    Neighbours w = band_neighbours(pts, 15);
    GiResult r = getis_ord_gi_star(x, w);
    const double want[] = {-1.39727626, -0.28917762, 0.65064964, -0.28917762, 1.23452088, 2.02424331};
    for (int i = 0; i < 6; ++i) EXPECT_NEAR(r.z[i], want[i], 1e-6) << i;
    // Two-sided normal p of z = 2.0242: 0.0429 -> hot at 95%.
    EXPECT_NEAR(r.p[5], 0.04295, 1e-4);
    EXPECT_EQ(r.cls[5], "hot95");
    EXPECT_EQ(r.cls[0], "ns");
}

TEST(GiStar, PermutationPValuesAgreeWithTheNormalApproximationOnALargeLattice) {
    // A 30×30 lattice (rook + diagonal = queen via band √2) with a planted hot block: the pseudo
    // p of the block centre is at the floor 1/(N+1), far cells are not significant.
    std::vector<Vec2> pts;
    std::vector<double> x;
    std::mt19937_64 rng(5);
    std::poisson_distribution<int> base(2.0), hot(9.0);
    for (int r = 0; r < 30; ++r)
        for (int c = 0; c < 30; ++c) {
            pts.push_back({double(c), double(r)});
            const bool in_block = r >= 10 && r < 14 && c >= 10 && c < 14;
            x.push_back(in_block ? hot(rng) : base(rng));
        }
    Neighbours w = band_neighbours(pts, std::sqrt(2.0));
    GiOptions o;
    o.permutations = 999;
    GiResult r = getis_ord_gi_star(x, w, o);
    const int centre = 11 * 30 + 11;
    EXPECT_NEAR(r.p[centre], 1.0 / 1000, 1e-12);
    EXPECT_EQ(r.cls[centre], "hot99");
    int far_sig = 0;
    for (int i = 0; i < 900; ++i)
        if ((i / 30 > 20 || i / 30 < 5) && r.p[i] < 0.01) ++far_sig;
    EXPECT_LE(far_sig, 9);  // about 1% by chance
}

// The permutations draw each k-subset of the other values with equal chance. Values 0..4, cell 0
// with neighbour 4: a draw reaches the observed 0 + 4 only by picking 4 (1 in 4), and never
// exceeds it, so p → 2 · 1/4. With neighbours 3 and 4: of the 6 pairs of {1, 2, 3, 4} only {3, 4}
// reaches 7, so p → 2 · 1/6. A draw that missed the last value, or favoured one, fails.
TEST(GiStar, PermutationsDrawEverySubsetEvenly) {
    const std::vector<double> x = {0, 1, 2, 3, 4};
    GiOptions o;
    o.permutations = 99999;
    for (const auto& [nb0, want] :
         {std::pair{std::vector<int>{0, 4}, 0.5}, {std::vector<int>{0, 3, 4}, 1.0 / 3}}) {
        Neighbours w = {nb0, {1}, {2}, {3}, {4}};
        for (int seed : {1, 2, 3}) {
            o.seed = seed;
            const GiResult r = getis_ord_gi_star(x, w, o);
            EXPECT_NEAR(r.p[0], want, 0.015) << "neighbours " << nb0.size() - 1 << ", seed " << seed;
        }
    }
}

// A cell's draws depend on its seed, its value and its neighbours alone: every cell starts from the
// pool of the other values, whatever the cells before it drew, with its swaps undone (few draws)
// or the pool written anew (many). Half the cells get other neighbours (other counts, so other
// numbers of swaps before the rest); the other half's p must not move by a bit. And a few cells
// neighbour every other cell, so that each of their draws takes the whole pool: their sum is the
// observed one exactly (distinct whole values) and p is 1 only when the pool holds every other value
// once, and not the cell's own. A pool left as the cell before shuffled it, one entry off, or made
// for the wrong cell fails.
TEST(GiStar, ACellsPermutationsDoNotDependOnTheCellsBeforeIt) {
    const size_t n = 3000;
    std::mt19937_64 rng(17);
    std::poisson_distribution<int> count(3.0);
    std::vector<double> x(n);
    for (size_t i = 0; i < n; ++i) x[i] = 4096.0 * count(rng) + static_cast<double>(i);
    auto some_neighbours = [&](size_t i) {
        std::vector<int> nb = {static_cast<int>(i)};
        const size_t k = 1 + rng() % 8;
        while (nb.size() < k + 1)
            if (const int j = static_cast<int>(rng() % n); std::find(nb.begin(), nb.end(), j) == nb.end())
                nb.push_back(j);
        return nb;
    };
    Neighbours w(n);
    for (size_t i = 0; i < n; ++i) w[i] = some_neighbours(i);
    const std::vector<size_t> whole = {1, 501, 1001, 1999, 2999};  // odd: the same in both
    for (size_t i : whole) {
        w[i].resize(n);
        std::iota(w[i].begin(), w[i].end(), 0);
    }
    Neighbours other = w;
    for (size_t i = 0; i < n; i += 2) other[i] = some_neighbours(i);
    other[2] = {2};  // a cell without neighbours draws nothing
    // 9: every cell undoes its swaps; 25: up to 7 neighbours undo, 8 write anew; 199: all anew.
    for (int permutations : {9, 25, 199}) {
        GiOptions o;
        o.permutations = permutations;
        const GiResult a = getis_ord_gi_star(x, w, o), b = getis_ord_gi_star(x, other, o);
        int moved = 0, differ = 0;
        for (size_t i = 1; i < n; i += 2) moved += a.p[i] != b.p[i];
        for (size_t i = 0; i < n; i += 2) differ += a.p[i] != b.p[i];
        EXPECT_EQ(moved, 0) << permutations;
        EXPECT_GT(differ, 100) << permutations;  // the changed cells did draw otherwise
        for (size_t i : whole) EXPECT_EQ(a.p[i], 1.0) << permutations << " cell " << i;
    }
}

TEST(Fdr, BenjaminiHochbergWorkedExample) {
    // m = 5, α = 0.05: sorted p 0.005 ≤ 0.01, 0.01 ≤ 0.02, 0.03 ≤ 0.03, 0.04 ≤ 0.04, 0.20 > 0.05:
    // the four smallest are discoveries, although 0.03 and 0.04 alone are not below α/m·k for k=1.
    std::vector<double> p = {0.01, 0.04, 0.03, 0.005, 0.20};
    auto s = benjamini_hochberg(p, 0.05);
    EXPECT_EQ(s, (std::vector<bool>{true, true, true, true, false}));
    // A step-up case: 0.04 passes at rank 4 even though 0.035 at rank 3 fails its own bound (0.03).
    std::vector<double> q = {0.001, 0.02, 0.035, 0.04, 0.9};
    EXPECT_EQ(benjamini_hochberg(q, 0.05), (std::vector<bool>{true, true, true, true, false}));
    std::vector<double> none = {0.2, 0.3, 0.5};
    EXPECT_EQ(benjamini_hochberg(none, 0.05), (std::vector<bool>{false, false, false}));
}

TEST(Kde, MatchesDirectSummationAtSampledCells) {
    std::mt19937_64 rng(9);
    std::uniform_real_distribution<double> U(0, 500);
    std::vector<Vec2> pts;
    for (int i = 0; i < 400; ++i) pts.push_back({468000 + U(rng), 2720000 + U(rng) * 0.6});
    KdeOptions o;
    o.cell_m = 10, o.bandwidth_m = 50;
    KdeRaster r = kernel_density(pts, o);
    ASSERT_GT(r.width, 50);
    const double h = 50;
    for (int s = 0; s < 200; ++s) {
        const int col = static_cast<int>(rng() % r.width), row = static_cast<int>(rng() % r.height);
        const Vec2 c{r.x0 + (col + 0.5) * r.cell, r.y0 - (row + 0.5) * r.cell};
        const double f = quartic_sum(pts, c, h);
        EXPECT_NEAR(r.at(col, row), f * 1e6, 1e-3 * std::max(1.0, f * 1e6)) << col << "," << row;
    }
    // The kernel integrates to one: Σ density · cell area ≈ n (per km² → per m²).
    double total = 0;
    for (float v : r.density) total += v * 1e-6 * r.cell * r.cell;
    EXPECT_NEAR(total, 400, 400 * 0.01);
}

// Every cell of the rows where the 32-row bands meet, with kernels reaching 45 rows: one point's
// kernel spans three and four bands, so a seam that drops or doubles a row shows.
TEST(Kde, BandSeamsMatchDirectSummationInEveryCell) {
    std::mt19937_64 rng(21);
    std::uniform_real_distribution<double> U(0, 1);
    std::vector<Vec2> pts;
    for (int i = 0; i < 60; ++i) pts.push_back({1000 + 300 * U(rng), 5000 + 900 * U(rng)});
    KdeOptions o;
    o.cell_m = 2, o.bandwidth_m = 90;
    KdeRaster r = kernel_density(pts, o);
    ASSERT_GT(r.height, 4 * 32);
    const double h = 90;
    for (int row : {0, 31, 32, 33, 63, 64, 95, 96, r.height - 1})
        for (int col = 0; col < r.width; ++col) {
            const Vec2 c{r.x0 + (col + 0.5) * r.cell, r.y0 - (row + 0.5) * r.cell};
            const double f = quartic_sum(pts, c, h);
            ASSERT_NEAR(r.at(col, row), f * 1e6, 1e-4 * std::max(1.0, f * 1e6)) << col << "," << row;
        }
}

// The rows handed on (hotspots --out: a stripe at a time to the GeoTIFF) are the raster kept
// whole, to the bit, over several stripes and a last one cut short; the shape comes first.
TEST(Kde, RowsHandedOnAreTheRasterKeptWhole) {
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> U(0, 1);
    std::vector<Vec2> pts;
    for (int i = 0; i < 3000; ++i) pts.push_back({2000 + 400 * U(rng) * U(rng), 9000 + 1300 * U(rng)});
    KdeOptions o;
    o.cell_m = 2, o.bandwidth_m = 25;
    const KdeRaster whole = kernel_density(pts, o);
    ASSERT_GT(whole.height, 2 * 256);
    ASSERT_NE(whole.height % 256, 0);
    std::vector<float> rows;
    std::vector<int> stripes;
    int begun = 0;
    KdeRows to{[&](const KdeRaster& shape) {
                   ++begun;
                   EXPECT_EQ(shape.width, whole.width);
                   EXPECT_EQ(shape.height, whole.height);
                   EXPECT_EQ(shape.x0, whole.x0);
                   EXPECT_EQ(shape.y0, whole.y0);
                   EXPECT_TRUE(shape.density.empty());
                   EXPECT_TRUE(rows.empty());
               },
               [&](const float* v, int n) {
                   stripes.push_back(n);
                   rows.insert(rows.end(), v, v + static_cast<size_t>(n) * whole.width);
               }};
    const KdeRaster handed = kernel_density(pts, o, &to);
    EXPECT_EQ(begun, 1);
    EXPECT_TRUE(handed.density.empty());
    EXPECT_EQ(handed.max_density, whole.max_density);
    EXPECT_GT(stripes.size(), 2u);
    ASSERT_EQ(rows.size(), whole.density.size());
    EXPECT_EQ(std::memcmp(rows.data(), whole.density.data(), rows.size() * sizeof(float)), 0);
    EXPECT_EQ(whole.max_density, *std::max_element(whole.density.begin(), whole.density.end()));
}

TEST(Kde, HoursOfKernelSumsAreRefusedNamingTheOption) {
    // The prefecture's 292,000 incidents under Silverman's rule (~2 km over 10 m cells) ran for over
    // half an hour without a word. Here 100,000 points × 10,001 rows of a 5 km kernel over 1 m cells,
    // too much even along rows (9·10^10 sums); cell by cell it would be 8·10^12.
    std::vector<Vec2> pts(100000, Vec2{500000, 2700000});
    KdeOptions o;
    o.cell_m = 1, o.bandwidth_m = 5000;
    try {
        kernel_density(pts, o);
        FAIL() << "9e10 kernel sums were made";
    } catch (const gw::Error& e) {
        EXPECT_EQ(e.where().field, "--bandwidth");
        EXPECT_NE(std::string(e.what()).find("100000 incidents"), std::string::npos) << e.what();
        EXPECT_EQ(e.hint().rfind("give --cell 5 or larger,", 0), 0u) << e.hint();  // the least that does
    }
    pts.resize(1000);  // a hundredth of the points, over 10 m cells: done, along rows
    o.cell_m = 10;
    EXPECT_EQ(kernel_density(pts, o).width, 1000);  // the point ± 5000 m in 10 m cells
}

namespace {
// Points on and beside cell centres, edges and the blocks' seams, some sharing a spot, some near
// the raster's edge: what the two ways of summing could round or cut differently.
std::vector<Vec2> awkward_points(double cell, uint64_t seed) {
    std::mt19937_64 rng(seed);
    std::uniform_real_distribution<double> U(0, 1);
    std::vector<Vec2> pts;
    for (int i = 0; i < 150; ++i) pts.push_back({3000 + 700 * U(rng), 8000 + 500 * U(rng)});
    for (int i = 0; i < 30; ++i) {
        const double x = 3000 + cell * std::floor(700 / cell * U(rng)),
                     y = 8000 + cell * std::floor(500 / cell * U(rng));
        pts.push_back({x, y});                           // a cell's corner
        pts.push_back({x + cell / 2, y + cell / 2});     // its centre
        pts.push_back({x + cell / 2 + 1e-9, y + 1e-9});  // beside an edge's middle
    }
    pts.push_back(pts.front());
    return pts;
}
}  // namespace

// Along rows (running sums of polynomials, for wide kernels) every cell is the direct sum: the
// cells no kernel reaches exactly 0, the others within rounding, over blocks of 2h/cell columns
// or more (a power of two) whose seams kernels cross.
TEST(Kde, SumsAlongRowsAreTheDirectSumInEveryCell) {
    for (double h : {37.0, 95.5}) {
        const std::vector<Vec2> pts = awkward_points(5, 3);
        KdeOptions o;
        o.cell_m = 5, o.bandwidth_m = h, o.sums = KdeSums::rows;
        const KdeRaster r = kernel_density(pts, o);
        ASSERT_GT(r.width, 150);
        for (int row = 0; row < r.height; row += 7)
            for (int col = 0; col < r.width; ++col) {
                const Vec2 c{r.x0 + (col + 0.5) * r.cell, r.y0 - (row + 0.5) * r.cell};
                const double f = quartic_sum(pts, c, h) * 1e6;
                if (f == 0) {
                    ASSERT_EQ(r.at(col, row), 0.0f) << h << ": " << col << "," << row;
                } else {
                    ASSERT_NEAR(r.at(col, row), f, 1e-6 * f + 1e-9 * r.max_density)
                        << h << ": " << col << "," << row;
                }
            }
        EXPECT_EQ(r.max_density, *std::max_element(r.density.begin(), r.density.end()));
    }
}

// Both ways of summing give one raster, to rounding.
TEST(Kde, BothWaysOfSummingGiveOneRaster) {
    const std::vector<Vec2> pts = awkward_points(2, 8);
    KdeOptions o;
    o.cell_m = 2, o.bandwidth_m = 41;
    o.sums = KdeSums::cells;
    const KdeRaster cells = kernel_density(pts, o);
    o.sums = KdeSums::rows;
    const KdeRaster rows = kernel_density(pts, o);
    ASSERT_EQ(cells.density.size(), rows.density.size());
    ASSERT_EQ(cells.width, rows.width);
    for (size_t i = 0; i < cells.density.size(); ++i) {
        // A kernel's last cells are as near 0 as rounding: one way may keep 1e-19 where the other has 0.
        if ((cells.density[i] == 0) != (rows.density[i] == 0)) {
            ASSERT_LT(std::max(cells.density[i], rows.density[i]), 1e-12 * cells.max_density) << i;
        }
        ASSERT_NEAR(cells.density[i], rows.density[i], 1e-6 * cells.max_density) << i;
    }
}

// Silverman's rule over a county's incidents is ~6 km, 10^6 cells of 10 m a point: refused as hours
// of work before the sums along rows, now a second. Rows handed on, sampled against the direct sum.
TEST(Kde, SilvermansRuleOverACountyIsSummed) {
    std::mt19937_64 rng(17);
    std::normal_distribution<double> N(0, 1);
    std::uniform_real_distribution<double> U(0, 1);
    std::vector<Vec2> pts;
    for (int i = 0; i < 29200; ++i) {
        const double cx = 440000 + 50000 * U(rng),
                     cy = 2700000 + 40000 * U(rng);  // a town, then a spot in it
        pts.push_back({cx + 300 * N(rng), cy + 300 * N(rng)});
    }
    const double h = silverman_bandwidth(pts);
    ASSERT_GT(h, 5000);
    KdeOptions o;  // Silverman, 10 m cells
    std::vector<std::pair<Vec2, float>> sampled;
    KdeRaster shape;
    int row = 0;
    KdeRows to{[&](const KdeRaster& s) { shape = s; },
               [&](const float* v, int n) {
                   for (int i = 0; i < n; ++i, ++row)
                       if (row % 997 == 0)
                           for (int col = 13; col < shape.width; col += 1201)
                               sampled.push_back({{shape.x0 + (col + 0.5) * shape.cell,
                                                   shape.y0 - (row + 0.5) * shape.cell},
                                                  v[static_cast<size_t>(i) * shape.width + col]});
               }};
    const KdeRaster r = kernel_density(pts, o, &to);
    EXPECT_EQ(r.bandwidth, h);
    EXPECT_EQ(row, r.height);
    ASSERT_GT(sampled.size(), 20u);
    for (auto [c, v] : sampled) {
        const double f = quartic_sum(pts, c, h) * 1e6;
        EXPECT_NEAR(v, f, 1e-5 * r.max_density) << c.x << "," << c.y;
    }
}

TEST(Kde, AKernelNarrowerThanACellIsRefused) {
    // 292 incidents on one spot: Silverman's rule gave 9e-9 m, a 1×1 raster of density 0, exit 0.
    const std::vector<Vec2> pts(292, Vec2{468584.937811, 2720153.2});
    KdeOptions o;
    EXPECT_THROW(kernel_density(pts, o), gw::Error);
    o.bandwidth_m = 5;  // under the 10 m cell
    EXPECT_THROW(kernel_density(pts, o), gw::Error);
    o.bandwidth_m = 10;
    EXPECT_GT(kernel_density(pts, o).max_density, 0);
}

// One incident geocoded 50 km off (the county seat's address for an unknown one) multiplied the
// standard deviation, and the default bandwidth, by ~40: the heat map of the other 200 was a blur.
// Each axis's spread is the lesser of its deviation and its interquartile range / 1.349 (Silverman
// 1986, eq. 3.31), whose quartiles one far point hardly moves. Worked by hand on a lattice.
TEST(Kde, ABandwidthIsNotWidenedByAFarIncident) {
    std::vector<Vec2> pts;  // x 0, 10 … 190 (each 10 times), y 0, 10 … 90 (each 20 times)
    for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 10; ++j) pts.push_back({10.0 * i, 10.0 * j});
    // Without it: the deviations (var x = 1000·665/199, var y = 2000·82.5/199) are below
    // IQR/1.349 (95/1.349 and 50/1.349): the plain rule.
    const double plain = 2.623 * std::sqrt((665000.0 / 199 + 165000.0 / 199) / 2) * std::pow(200.0, -1.0 / 6.0);
    EXPECT_NEAR(silverman_bandwidth(pts), plain, 1e-9);
    // With it, at (50000, 45): x's quartiles 50 and 150 (the 51st and 151st of 201), IQR/1.349 =
    // 74.13 m in place of a deviation of 3.5 km; y's deviation (45 is its mean) stays the lesser.
    pts.push_back({50000, 45});
    double my = 0, vy = 0;
    for (Vec2 p : pts) my += p.y / 201;
    for (Vec2 p : pts) vy += (p.y - my) * (p.y - my) / 200;
    const double ax = 100 / 1.349;
    ASSERT_LT(std::sqrt(vy), 50 / 1.349);
    const double robust = 2.623 * std::sqrt((ax * ax + vy) / 2) * std::pow(201.0, -1.0 / 6.0);
    EXPECT_NEAR(silverman_bandwidth(pts), robust, 1e-9);
    EXPECT_LT(silverman_bandwidth(pts), 1.3 * plain);  // the plain rule's was 40 times it
}

TEST(Kde, SilvermanBandwidthFollowsTheStatedRule) {
    std::vector<Vec2> pts = {{0, 0}, {2, 0}, {0, 2}, {2, 2}};
    // var x = var y = 4/3, σ = 1.1547; n^(−1/6) = 0.7937; × 2.623 = 2.404.
    EXPECT_NEAR(silverman_bandwidth(pts), 2.623 * std::sqrt(4.0 / 3.0) * std::pow(4.0, -1.0 / 6.0), 1e-12);
    // The same square far from the CRS's origin: the same bandwidth.
    for (auto& p : pts) p = p + Vec2{468708.6, 2719462.51};
    EXPECT_NEAR(silverman_bandwidth(pts), 2.623 * std::sqrt(4.0 / 3.0) * std::pow(4.0, -1.0 / 6.0), 1e-9);
    // Incidents all on one spot (geocoded to the village office), 2 to 9 of them: no spread, 0 (the
    // KDE refuses it, naming why). From 5 on, the mean's rounding gave 1e-11 m; 3 took 100 m silently.
    for (size_t n = 2; n <= 9; ++n) {
        const std::vector<Vec2> one_spot(n, Vec2{468708.6, 2719462.51});
        EXPECT_EQ(silverman_bandwidth(one_spot), 0) << n;
        try {
            (void)kernel_density(one_spot, KdeOptions{});
            ADD_FAILURE() << n << " on one spot";
        } catch (const gw::Error& e) {
            EXPECT_NE(std::string(e.what()).find("incidents all on one spot"), std::string::npos) << e.what();
            EXPECT_EQ(std::string(e.what()).find("--bandwidth'"), std::string::npos)
                << e.what();  // not the user's option
        }
    }
}

TEST(Dbscan, MatchesBruteForceReference) {
    std::mt19937_64 rng(3);
    std::normal_distribution<double> N(0, 1);
    std::uniform_real_distribution<double> U(0, 1000);
    std::vector<Vec2> pts;
    for (int c = 0; c < 6; ++c) {
        Vec2 m{U(rng), U(rng)};
        for (int i = 0; i < 80; ++i) pts.push_back({m.x + 15 * N(rng), m.y + 15 * N(rng)});
    }
    for (int i = 0; i < 300; ++i) pts.push_back({U(rng), U(rng)});
    const double eps = 12;
    const int min_pts = 5;
    std::vector<int> got = dbscan(pts, eps, min_pts);
    // Brute force: core points by O(n²) counting; two core points are in one cluster when linked
    // by a chain of core points within eps; a border point lies within eps of some core point.
    const size_t n = pts.size();
    std::vector<bool> core(n);
    for (size_t i = 0; i < n; ++i) {
        int k = 0;
        for (size_t j = 0; j < n; ++j) k += distance(pts[i], pts[j]) <= eps;
        core[i] = k >= min_pts;
    }
    std::vector<int> comp(n, -1);
    int nc = 0;
    for (size_t i = 0; i < n; ++i) {
        if (!core[i] || comp[i] >= 0) continue;
        std::vector<size_t> st{i};
        comp[i] = nc;
        while (!st.empty()) {
            size_t a = st.back();
            st.pop_back();
            for (size_t b = 0; b < n; ++b)
                if (core[b] && comp[b] < 0 && distance(pts[a], pts[b]) <= eps) comp[b] = nc, st.push_back(b);
        }
        ++nc;
    }
    int clusters = 0;
    for (int l : got) clusters = std::max(clusters, l + 1);
    EXPECT_EQ(clusters, nc);
    for (size_t i = 0; i < n; ++i) {
        if (core[i]) {
            ASSERT_GE(got[i], 0);
            // Same brute-force component <=> same label.
            for (size_t j = 0; j < i; ++j)
                if (core[j]) {
                    EXPECT_EQ(comp[i] == comp[j], got[i] == got[j]);
                }
        } else {
            // A border point takes the label of one of its core neighbours; a point near no core is noise.
            bool near_core = false, label_of_a_neighbour = false;
            for (size_t j = 0; j < n; ++j)
                if (core[j] && distance(pts[i], pts[j]) <= eps) {
                    near_core = true;
                    label_of_a_neighbour = label_of_a_neighbour || got[i] == got[j];
                }
            EXPECT_EQ(near_core, got[i] >= 0) << i;
            if (near_core) {
                EXPECT_TRUE(label_of_a_neighbour) << "border point " << i << " got label " << got[i];
            }
        }
    }
}

namespace {
/** The textbook loop (Ester et al. 1996) with every distance asked: the labels dbscan must give. */
std::vector<int> dbscan_by_the_book(const std::vector<Vec2>& pts, double eps, int min_pts) {
    const size_t n = pts.size();
    std::vector<int> label(n, -2);
    auto neighbours = [&](size_t i) {
        std::vector<int> out;
        for (size_t j = 0; j < n; ++j) {
            const Vec2 d = pts[j] - pts[i];
            if (dot(d, d) <= eps * eps) out.push_back(static_cast<int>(j));
        }
        return out;
    };
    int cluster = 0;
    for (size_t i = 0; i < n; ++i) {
        if (label[i] != -2) continue;
        std::vector<int> nb = neighbours(i);
        if (static_cast<int>(nb.size()) < min_pts) {
            label[i] = -1;
            continue;
        }
        label[i] = cluster;
        std::vector<int> stack = nb;
        while (!stack.empty()) {
            const int j = stack.back();
            stack.pop_back();
            if (label[j] == -1) label[j] = cluster;
            if (label[j] != -2) continue;
            label[j] = cluster;
            const std::vector<int> nb2 = neighbours(static_cast<size_t>(j));
            if (static_cast<int>(nb2.size()) >= min_pts)
                for (int k : nb2)
                    if (label[k] < 0) stack.push_back(k);
        }
        ++cluster;
    }
    return label;
}
}  // namespace

TEST(Dbscan, GivesTheTextbookLoopsLabelsOnDegenerateLayouts) {
    // Points on a lattice eps apart (neighbours exactly at eps), collinear runs, repeated points,
    // points a nanometre off those, far Gauss-Krüger coordinates, dense clumps (a square full of
    // core points) beside sparse ones, border points between two clusters: the same label for every
    // point as the loop that asks every distance, cluster numbers and border choices included.
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> U(0, 1);
    std::normal_distribution<double> N(0, 1);
    int checked = 0, borders_between = 0;
    for (int trial = 0; trial < 120; ++trial) {
        const double eps = trial % 4 == 0 ? 1.0 : 0.5 + 40 * U(rng);
        const int min_pts = 1 + trial % 7;
        const Vec2 o = trial % 2 ? Vec2{39'512'345.6, 3'012'345.6} : Vec2{0, 0};
        std::vector<Vec2> pts;
        const int kind = trial % 5;
        for (int i = 0; i < 150 + static_cast<int>(250 * U(rng)); ++i) {
            Vec2 p;
            if (kind == 0) {  // a lattice at eps
                p = Vec2{eps * static_cast<int>(12 * U(rng)), eps * static_cast<int>(12 * U(rng))};
            } else if (kind == 1) {  // collinear, eps and half of it apart
                p = Vec2{eps * 0.5 * static_cast<int>(60 * U(rng)), 0};
            } else if (kind == 2) {  // clumps and scatter
                const int c = static_cast<int>(4 * U(rng));
                p = U(rng) < 0.7 ? Vec2{c * 6 * eps + 0.4 * eps * N(rng), c * 3 * eps + 0.4 * eps * N(rng)}
                                 : Vec2{30 * eps * U(rng), 15 * eps * U(rng)};
            } else {  // uniform
                p = Vec2{10 * eps * U(rng), 10 * eps * U(rng)};
            }
            if (U(rng) < 0.1 && !pts.empty())
                p = pts[static_cast<size_t>(U(rng) * pts.size())] - o;  // repeated
            if (U(rng) < 0.1) p = p + Vec2{1e-9 * (U(rng) - 0.5), 1e-9 * (U(rng) - 0.5)};
            pts.push_back(p + o);
        }
        const std::vector<int> want = dbscan_by_the_book(pts, eps, min_pts), got = dbscan(pts, eps, min_pts);
        ASSERT_EQ(got.size(), want.size());
        for (size_t i = 0; i < pts.size(); ++i)
            ASSERT_EQ(got[i], want[i]) << "trial " << trial << ", point " << i;
        ++checked;
        // Border points (not core) within eps of core points of two clusters: the choice between
        // them was tested.
        auto near = [&](size_t i, size_t j) {
            const Vec2 d = pts[j] - pts[i];
            return dot(d, d) <= eps * eps;
        };
        std::vector<char> core(pts.size());
        for (size_t i = 0; i < pts.size(); ++i) {
            int count = 0;
            for (size_t j = 0; j < pts.size(); ++j) count += near(i, j);
            core[i] = count >= min_pts;
        }
        for (size_t i = 0; i < pts.size(); ++i) {
            if (core[i]) continue;
            std::set<int> clusters;
            for (size_t j = 0; j < pts.size(); ++j)
                if (core[j] && near(i, j)) clusters.insert(want[j]);
            borders_between += clusters.size() > 1;
        }
    }
    EXPECT_EQ(checked, 120);
    EXPECT_GT(borders_between, 20);
}

TEST(Dbscan, PointsAcrossASquaresDiagonalAreNeighboursOnlyWithinEps) {
    // Pairs along a diagonal a hair over, at, and a hair under eps: the squares (eps/√2 a side)
    // must not make neighbours of two points over eps apart.
    for (double eps : {1.0, 7.3, 50.0})
        for (double f : {1.005, 1.0000001, 1.0, 0.9999999, 0.995}) {
            const double a = eps / std::sqrt(2.0) * f;
            for (Vec2 o : {Vec2{0, 0}, Vec2{39'512'345.6, 3'012'345.6}}) {
                const std::vector<Vec2> pts{o, o + Vec2{a, a}, o + Vec2{3 * eps, 0},
                                            o + Vec2{3 * eps + a, a}};
                EXPECT_EQ(dbscan(pts, eps, 2), dbscan_by_the_book(pts, eps, 2)) << "eps " << eps << ", " << f;
            }
        }
    EXPECT_EQ(dbscan({{0, 0}, {0.71, 0.71}}, 1.0, 2), (std::vector<int>{-1, -1}));  // 1.004 apart
    // Two squares apart along both axes (the corners of the 5×5 block about a square), 0.99999 apart:
    // neighbours.
    const std::vector<Vec2> corner{
        {0, 5}, {5, 0}, {0.7070997030477385, 0.7070997030477385}, {1.4141995616574135, 1.4141995616574135}};
    EXPECT_EQ(dbscan(corner, 1.0, 2), (std::vector<int>{-1, -1, 0, 0}));
    EXPECT_EQ(dbscan(corner, 1.0, 2), dbscan_by_the_book(corner, 1.0, 2));
    // Pairs just under eps apart along a diagonal, from every offset in a square.
    std::mt19937_64 rng(5);
    std::uniform_real_distribution<double> U(0, 1);
    for (int k = 0; k < 2000; ++k) {
        const double eps = 1 + 49 * U(rng), a = eps / std::sqrt(2.0) * (1 - 1e-4 * U(rng));
        const Vec2 o{eps * U(rng), eps * U(rng)};
        const std::vector<Vec2> pts{{0, 0}, o, o + Vec2{a, a}, o + Vec2{a, -a}, o + Vec2{-a, a}};
        ASSERT_EQ(dbscan(pts, eps, 2), dbscan_by_the_book(pts, eps, 2)) << "pair " << k;
    }
}

TEST(Dbscan, ARadiusTooSmallForTheExtentIsRefusedNamingTheOption) {
    const std::vector<Vec2> pts{{500000, 2700000}, {550000, 2750000}};
    try {
        dbscan(pts, 1e-6, 2);
        FAIL() << "no error";
    } catch (const gw::Error& e) {
        EXPECT_EQ(e.where().field, "--eps");
    }
    EXPECT_EQ(dbscan(pts, 1e-3, 1), (std::vector<int>{0, 1}));  // 50 km in 0.7 mm squares: done
    for (double eps : {0.0, -1.0, std::nan("")}) EXPECT_THROW(dbscan(pts, eps, 2), gw::Error) << eps;
}

TEST(Warning, ThresholdsGiveTheFourColours) {
    WarningThresholds t;
    EXPECT_STREQ(warning_colour(0, t), "green");
    EXPECT_STREQ(warning_colour(1, t), "blue");
    EXPECT_STREQ(warning_colour(3, t), "yellow");
    EXPECT_STREQ(warning_colour(6.5, t), "red");
    Incident red;
    red.color = "red";
    EXPECT_EQ(incident_score(red, t), 3);
}

TEST(HexMesh, NeighboursAreOneRing) {
    Box b;
    b.add(Vec2{0, 0}), b.add(Vec2{1000, 1000});
    HexMesh m = hex_mesh(b, 50, {});
    ASSERT_GT(m.centres.size(), 100u);
    int interior = 0;
    for (size_t i = 0; i < m.centres.size(); ++i) {
        for (int j : m.neighbours[i]) EXPECT_LE(distance(m.centres[i], m.centres[j]), std::sqrt(3.0) * 50 + 1e-6);
        if (m.neighbours[i].size() == 7) ++interior;
    }
    EXPECT_GT(interior, static_cast<int>(m.centres.size() * 6 / 10));  // all but the rim
    EXPECT_NEAR(area(m.cells[0]), 1.5 * std::sqrt(3.0) * 50 * 50, 1e-6);
}

// The mesh over an area keeps exactly the hexagons of the whole lattice (the mesh over no area)
// that the area holds the centre of or shares a point with, in the lattice's order: an L-shaped
// area with a hole and a second part, its edges at odd angles, against every hexagon asked.
TEST(HexMesh, AnAreasMeshIsTheLatticesHexagonsThatMeetIt) {
    const MultiPolygon a = {
        Polygon{{Ring{{3, 7}, {1013, -41}, {1060, 470}, {530, 520}, {560, 1011}, {-20, 990}},
                 Ring{{200, 200}, {400, 210}, {390, 400}, {210, 380}}}},
        Polygon{{Ring{{1500, 1500}, {1700, 1520}, {1600, 1690}}}}};
    const MultiPolygon b = {Polygon{{Ring{{1200, -300}, {1400, -300}, {1400, -100}, {1200, -100}}}}};
    Box ext = bounds(a);
    ext.add(bounds(b));
    for (double size : {23.0, 60.0, 250.0}) {
        const HexMesh all = hex_mesh(ext, size, {});
        std::vector<Vec2> want;
        for (size_t i = 0; i < all.cells.size(); ++i)
            if (inside(a, all.centres[i]) || inside(b, all.centres[i]) || polygons_meet(a, all.cells[i]) ||
                polygons_meet(b, all.cells[i]))
                want.push_back(all.centres[i]);
        const HexMesh m = hex_mesh(ext, size, {&a, &b});
        ASSERT_EQ(m.centres.size(), want.size()) << size;
        for (size_t i = 0; i < want.size(); ++i) {
            EXPECT_EQ(m.centres[i].x, want[i].x) << size << " " << i;
            EXPECT_EQ(m.centres[i].y, want[i].y) << size << " " << i;
        }
        EXPECT_LT(want.size(), all.cells.size()) << size;  // some are left out
    }
}

// The mesh over a community is every hexagon the community reaches into: those whose centre it
// holds left its edge uncovered, and Gi* counted the incidents there nowhere (75 of the bundled
// 292 at 500 m). An incident outside the community is in no unit and named as such.
TEST(HexMesh, EveryPointOfTheAreaLiesInAHexagonAndIncidentsOutsideAreNamed) {
    // An L-shaped level-1 cell, its edges at odd angles to the mesh.
    Dataset ds;
    ds.source = "test";
    Grid l1;
    l1.grid_id = "L", l1.level = 1;
    l1.shape = {Polygon{{Ring{{3, 7}, {1013, -41}, {1060, 470}, {530, 520}, {560, 1011}, {-20, 990}}}}};
    ds.grids.push_back(l1);
    std::mt19937 rng(7);
    std::uniform_real_distribution<double> u(-100, 1100);
    std::vector<Incident> incidents;
    while (incidents.size() < 3000) {
        Incident in;
        in.pos = {u(rng), u(rng)};
        in.inc_id = "I" + std::to_string(incidents.size());
        incidents.push_back(in);
    }
    std::vector<const Incident*> inc;
    size_t in_area = 0;
    for (const auto& in : incidents) inc.push_back(&in), in_area += inside(l1.shape, in.pos);
    for (double size : {37.0, 100.0, 260.0, 700.0, 5000.0}) {
        GiSetup s;
        s.hex_m = size;
        GiAnalysis a;
        try {
            a = gi_star_analysis(ds, inc, s);
        } catch (const Error& e) {
            // A coarse mesh of a few hexagons each the others' neighbour, or of one: Gi* is undefined, and
            // says so.
            const std::string why = e.what();
            EXPECT_GE(size, 700.0) << why;
            EXPECT_TRUE(why.find("every unit neighbours every unit") != std::string::npos ||
                        why.find("has one hexagon") != std::string::npos)
                << why;
            continue;
        }
        int counted = 0;
        for (int c : a.counts) counted += c;
        EXPECT_EQ(counted + a.outside.size(), inc.size()) << size;
        // Every incident inside the cell is in a hexagon; those outside it may be too (a hexagon
        // reaches past the edge), and the rest are named.
        EXPECT_GE(size_t(counted), in_area) << size;
        for (const Incident* o : a.outside)
            EXPECT_FALSE(inside(l1.shape, o->pos)) << size << " " << o->inc_id;
        // Each hexagon kept shares a point with the cell.
        for (const Grid& h : a.hexagons)
            EXPECT_TRUE(polygons_meet(l1.shape, h.shape)) << size << " " << h.grid_id;
        if (size < 300) {
            EXPECT_FALSE(a.outside.empty()) << size;  // a coarse mesh holds them all
        }
    }
}

// gi_star_analysis on a 3×3 block of 100 m cells, worked by hand: queen neighbours (self
// included) are 4 at a corner, 6 on an edge, 9 in the middle; a 100 m band links only the four
// edge-sharing cells (centroids 100 m apart; diagonals are 141 m). Counts: 9 incidents in the
// middle cell, 1 in each other. With per-household rates the middle's 3 households make it 3.
TEST(GiStar, AnalysisBuildsTheHandWorkedWeightsAndValues) {
    Dataset ds;
    ds.source = "test";
    auto square = [](double x0, double y0) { return MultiPolygon{Polygon{{Ring{{x0, y0}, {x0 + 100, y0}, {x0 + 100, y0 + 100}, {x0, y0 + 100}}}}}; };
    Grid top;
    top.grid_id = "A", top.level = 3, top.shape = {Polygon{{Ring{{0, 0}, {300, 0}, {300, 300}, {0, 300}}}}};
    ds.grids.push_back(top);
    for (int r = 0; r < 3; ++r)
        for (int c = 0; c < 3; ++c) {
            Grid g;
            g.grid_id = "C" + std::to_string(r * 3 + c), g.level = 4, g.parent_id = "A";
            g.shape = square(c * 100.0, r * 100.0);
            ds.grids.push_back(g);
        }
    int id = 0;
    auto add = [&](double x, double y, int n) {
        for (int k = 0; k < n; ++k) {
            Incident in;
            in.inc_id = std::to_string(id++), in.type = "theft", in.time = "2026-01-01";
            in.pos = {x + k * 0.5, y};
            ds.incidents.push_back(in);
        }
    };
    for (int i = 0; i < 9; ++i) add((i % 3) * 100 + 20, (i / 3) * 100 + 50, i == 4 ? 9 : 1);
    for (int k = 0; k < 3; ++k) {
        Household h;
        h.hh_id = std::to_string(k), h.pos = {150.0 + k, 150.0};
        ds.households.push_back(h);
    }
    std::vector<const Incident*> inc;
    for (const auto& in : ds.incidents) inc.push_back(&in);

    // z by the Ord–Getis formula with the weights and values worked out above.
    auto z_by_hand = [](const std::vector<double>& x, const std::vector<std::vector<int>>& w, int i) {
        const double n = x.size();
        double sum = 0, sum2 = 0;
        for (double v : x) sum += v, sum2 += v * v;
        const double mean = sum / n, s = std::sqrt(sum2 / n - mean * mean), W = w[i].size();
        double wx = 0;
        for (int j : w[i]) wx += x[j];
        const double den = s * std::sqrt((n * W - W * W) / (n - 1));
        return den > 0 ? (wx - mean * W) / den : 0.0;  // the middle's queen holds every cell: no variance, z 0
    };
    const std::vector<std::vector<int>> queen = {{0, 1, 3, 4},          {0, 1, 2, 3, 4, 5}, {1, 2, 4, 5},
                                                 {0, 1, 3, 4, 6, 7},    {0, 1, 2, 3, 4, 5, 6, 7, 8},
                                                 {1, 2, 4, 5, 7, 8},    {3, 4, 6, 7},       {3, 4, 5, 6, 7, 8},
                                                 {4, 5, 7, 8}};
    const std::vector<std::vector<int>> band = {{0, 1, 3}, {0, 1, 2, 4}, {1, 2, 5},    {0, 3, 4, 6}, {1, 3, 4, 5, 7},
                                                {2, 4, 5, 8}, {3, 6, 7}, {4, 6, 7, 8}, {5, 7, 8}};
    const std::vector<double> counts = {1, 1, 1, 1, 9, 1, 1, 1, 1};

    GiSetup s;
    s.level = 4;
    GiAnalysis q = gi_star_analysis(ds, inc, s);
    ASSERT_EQ(q.units.size(), 9u);
    for (int i = 0; i < 9; ++i) {
        // The cell itself first, then the others in ascending order (the order the sums are added in).
        std::vector<int> want = {i};
        for (int j : queen[i])
            if (j != i) want.push_back(j);
        EXPECT_EQ(q.neighbours[i], want) << "queen of cell " << i;
        EXPECT_EQ(q.counts[i], counts[i]) << i;
        EXPECT_NEAR(q.result.z[i], z_by_hand(counts, queen, i), 1e-12) << i;
    }
    s.band_m = 100;
    GiAnalysis b = gi_star_analysis(ds, inc, s);
    for (int i = 0; i < 9; ++i) {
        std::vector<int> got = b.neighbours[i];
        std::sort(got.begin(), got.end());
        EXPECT_EQ(got, band[i]) << "band of cell " << i;
        EXPECT_NEAR(b.result.z[i], z_by_hand(counts, band, i), 1e-12) << i;
    }
    // Rates: the middle cell 9 incidents / 3 households = 3; cells without households take the
    // mean rate of the others (here only the middle has any: 3), so every value is 3: Gi* has
    // nothing to tell apart, and says so (it gave z 0 in every cell).
    s.band_m = 0, s.per_households = true;
    try {
        (void)gi_star_analysis(ds, inc, s);
        ADD_FAILURE() << "every rate is 3";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("every unit holds the same rate, 3"), std::string::npos)
            << e.what();
    }
    // One household more, in a corner cell: rates 3 and 1, the rest the mean 2.
    Household h;
    h.hh_id = "corner", h.pos = {20, 20};
    ds.households.push_back(h);
    GiAnalysis r = gi_star_analysis(ds, inc, s);
    EXPECT_EQ(r.without_households, 7);
    EXPECT_DOUBLE_EQ(r.x[4], 3.0);
    EXPECT_DOUBLE_EQ(r.x[0], 1.0);
    for (int i : {1, 2, 3, 5, 6, 7, 8}) EXPECT_DOUBLE_EQ(r.x[i], 2.0) << i;
    for (int i = 0; i < 9; ++i) EXPECT_NEAR(r.result.z[i], z_by_hand(r.x, queen, i), 1e-12) << i;
}

namespace {
/** Level-4 cell `c` of a row of 100 m squares from the origin, named PREFIX + c. */
Grid cell_in_a_row(const std::string& prefix, int c) {
    Grid g;
    g.grid_id = prefix + std::to_string(c), g.level = 4;
    g.shape = {
        Polygon{{Ring{{c * 100.0, 0}, {c * 100.0 + 100, 0}, {c * 100.0 + 100, 100}, {c * 100.0, 100}}}}};
    return g;
}
}  // namespace

TEST(GiStar, UndefinedGiIsRefusedNamingWhy) {
    // Where the Ord–Getis denominator is 0 every cell got z 0, p 1, "ns", exit 0.
    Dataset ds;
    ds.source = "test";
    for (int c = 0; c < 3; ++c) ds.grids.push_back(cell_in_a_row("C", c));
    std::vector<Incident> incs(3);
    std::vector<const Incident*> inc;
    for (int k = 0; k < 3; ++k)
        incs[k].inc_id = std::to_string(k), incs[k].pos = {20.0 + 100 * (k % 2), 50}, inc.push_back(&incs[k]);
    const auto refused = [&](const GiSetup& s, const std::string& why) {
        try {
            (void)gi_star_analysis(ds, inc, s);
            ADD_FAILURE() << why;
        } catch (const Error& e) {
            EXPECT_NE(std::string(e.what()).find(why), std::string::npos) << e.what();
        }
    };
    GiSetup s;
    s.band_m = 1000;  // each cell neighbours all three
    refused(s, "every unit neighbours every unit (3)");
    s.band_m = 0;
    refused(GiSetup{.level = 3}, "has no cells of level 3");
    ds.grids.resize(1);
    refused(s, "has one cell of level 4");
    // A field far from zero: centred, its variance keeps its digits (it gave every z 0).
    ds.grids.push_back(ds.grids[0]),
        ds.grids.back().grid_id = "C1",
        ds.grids.back().shape[0].rings[0] = {{100, 0}, {200, 0}, {200, 100}, {100, 100}};
    ds.grids.push_back(ds.grids[0]),
        ds.grids.back().grid_id = "C2",
        ds.grids.back().shape[0].rings[0] = {{200, 0}, {300, 0}, {300, 100}, {200, 100}};
    ds.grids.push_back(ds.grids[0]),
        ds.grids.back().grid_id = "C3",
        ds.grids.back().shape[0].rings[0] = {{300, 0}, {400, 0}, {400, 100}, {300, 100}};
    ds.extra_fields["grids"] = {{"risk"}, {2}};  // OFTReal
    const double values[] = {1, 5, 2, 9};
    s.value = "risk";
    std::vector<double> z_small;
    for (double offset : {0.0, 1e9}) {
        for (int c = 0; c < 4; ++c) ds.grids[c].extra = {std::to_string(offset + values[c])};
        const GiAnalysis a = gi_star_analysis(ds, inc, s);
        if (offset == 0) z_small = a.result.z;
        for (int c = 0; c < 4; ++c) EXPECT_NEAR(a.result.z[c], z_small[c], 1e-9) << offset << " cell " << c;
        EXPECT_GT(std::abs(a.result.z[3]), 0.5);
    }
}

TEST(CellLocator, FindEachIsTheFirstCellHoldingEachPointByBruteForce) {
    // find_each takes the points bin by bin and puts each answer back in its place: against every
    // cell tried in order (a point on a shared edge or vertex may lie in two; the lower index is
    // the locator's), on the seed community's level-4 cells, with points at their vertices, on
    // their edges, 1e-9 m off both, at random over their extent and outside it, in no order. A
    // point inside no cell but on an outline (the grid's outer edge) is the first such cell's.
    const Dataset ds = generate_demo({1, 3});
    const std::vector<const Grid*> cells = ds.grids_of_level(4);
    ASSERT_GT(cells.size(), 20u);
    Box all;
    for (const Grid* g : cells) all.add(bounds(g->shape));
    std::vector<Vec2> pts;
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> jitter(-1e-9, 1e-9);
    for (const Grid* g : cells)
        for (const auto& poly : g->shape)
            for (const auto& ring : poly.rings)
                for (size_t i = 0; i < ring.size(); ++i) {
                    const Vec2 a = ring[i], b = ring[(i + 1) % ring.size()];
                    pts.push_back(a);
                    pts.push_back({(a.x + b.x) / 2, (a.y + b.y) / 2});
                    pts.push_back({a.x + jitter(rng), a.y + jitter(rng)});
                }
    std::uniform_real_distribution<double> ux(all.xmin - 50, all.xmax + 50), uy(all.ymin - 50, all.ymax + 50);
    for (int i = 0; i < 50000; ++i) pts.push_back({ux(rng), uy(rng)});
    pts.push_back({all.xmin, all.ymin}), pts.push_back({all.xmax, all.ymax});
    const double nan = std::numeric_limits<double>::quiet_NaN(),
                 inf = std::numeric_limits<double>::infinity();
    for (Vec2 odd : {Vec2{nan, all.ymin}, Vec2{all.xmin, nan}, Vec2{inf, all.ymin}, Vec2{-inf, -inf}})
        pts.push_back(odd);
    std::shuffle(pts.begin(), pts.end(), rng);

    const CellLocator loc(cells);
    const std::vector<int> got = loc.find_each(pts.size(), [&](size_t i) { return pts[i]; });
    ASSERT_EQ(got.size(), pts.size());
    int inside_some = 0, outside_all = 0, on_outer_outline = 0;
    for (size_t k = 0; k < pts.size(); ++k) {
        int want = -1;
        for (size_t i = 0; i < cells.size() && want < 0; ++i)
            if (inside(cells[i]->shape, pts[k])) want = static_cast<int>(i);
        for (size_t i = 0; i < cells.size() && want < 0; ++i)
            if (on_outline(cells[i]->shape, pts[k])) want = static_cast<int>(i), ++on_outer_outline;
        ASSERT_EQ(got[k], want) << "point " << k << " (" << pts[k].x << ", " << pts[k].y << ")";
        ASSERT_EQ(loc.find(pts[k]), want) << k;
        (want >= 0 ? inside_some : outside_all)++;
    }
    EXPECT_GT(inside_some, 10000);
    EXPECT_GT(outside_all, 100);
    EXPECT_GT(on_outer_outline, 100);
    EXPECT_TRUE(CellLocator({}).find_each(3, [&](size_t i) { return pts[i]; }) == std::vector<int>(3, -1));
    EXPECT_TRUE(loc.find_each(0, [&](size_t i) { return pts[i]; }).empty());
}

// Values that differ only by rounding are the same to Gi*: a variance of 1e-17 gave z of noise
// (cold95 in a line of ten units) where the mean rate of units without households was an ulp off.
TEST(GiStar, ValuesTheSameToRoundingAreRefusedNotTested) {
    Dataset ds;
    ds.source = "test";
    for (int c = 0; c < 10; ++c) {
        Grid g = cell_in_a_row("R", c);
        char v[40];
        std::snprintf(v, sizeof v, "%.17g", c % 3 ? 0.1 : 0.30000000000000004 / 3);
        g.extra = {v};
        ds.grids.push_back(g);
    }
    ds.extra_fields["grids"] = {{"rate"}, {2}};  // OFTReal
    GiSetup s;
    s.value = "rate";
    try {
        (void)gi_star_analysis(ds, {}, s);
        ADD_FAILURE() << "0.1 and 0.30000000000000004 / 3";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("every unit holds the same value"), std::string::npos)
            << e.what();
    }
    // getis_ord_gi_star itself, given them: no z of noise.
    std::vector<double> x;
    Neighbours w(10);
    for (int i = 0; i < 10; ++i) {
        x.push_back(i % 3 ? 0.1 : 0.30000000000000004 / 3);
        for (int j = std::max(0, i - 1); j <= std::min(9, i + 1); ++j) w[i].push_back(j);
    }
    for (const double z : getis_ord_gi_star(x, w).z) EXPECT_EQ(z, 0.0);
}
