// Micro-benchmarks (Google Benchmark) of the hotspot analyses' inner parts: Gi*'s conditional
// permutations on a lattice of n cells (queen neighbours), and the cell each point of a layer
// lies in among a county's level-4 cells (`demo --scale 100`), and the KDE's two ways of summing
// kernels (cell by cell, along rows) as the kernel widens, which set kernel_density's choice, and
// Silverman's bandwidth.
//   build/gridwatch_bench --benchmark_filter='Gi|Locate|Kde|Silverman'
#include <benchmark/benchmark.h>

#include <cmath>
#include <random>

#include "geo/analysis/hotspots.h"
#include "geo/analysis/stats.h"
#include "geo/demo/demo.h"

using namespace gw;

namespace {

/** Gi* with N permutations on a side × side lattice, each cell's value a count of 0 to 9. */
void BM_GiPermutations(benchmark::State& state) {
    const int side = static_cast<int>(state.range(0));
    const size_t n = static_cast<size_t>(side) * side;
    std::mt19937 rng(7);
    std::vector<double> x(n);
    for (auto& v : x) v = static_cast<double>(rng() % 10);
    Neighbours w(n);
    for (int r = 0; r < side; ++r)
        for (int c = 0; c < side; ++c)
            for (int dr = -1; dr <= 1; ++dr)
                for (int dc = -1; dc <= 1; ++dc)
                    if (r + dr >= 0 && r + dr < side && c + dc >= 0 && c + dc < side)
                        w[static_cast<size_t>(r) * side + c].push_back((r + dr) * side + c + dc);
    GiOptions o;
    o.permutations = static_cast<int>(state.range(1));
    for (auto _ : state) benchmark::DoNotOptimize(getis_ord_gi_star(x, w, o).p.data());
    state.counters["cells"] = static_cast<double>(n);
}
BENCHMARK(BM_GiPermutations)
    ->Args({100, 99})
    ->Args({100, 999})
    ->Args({316, 99})
    ->Unit(benchmark::kMillisecond);

/** The level-4 cell of 500,000 points spread over a county's cells, on the cores. */
void BM_LocatePoints(benchmark::State& state) {
    static const Dataset ds = generate_demo({100, 1});
    const std::vector<const Grid*> cells = ds.grids_of_level(4);
    Box box;
    for (const Grid* g : cells) box.add(bounds(g->shape));
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> ux(box.xmin, box.xmax), uy(box.ymin, box.ymax);
    std::vector<Vec2> p(500000);
    for (auto& v : p) v = {ux(rng), uy(rng)};
    for (auto _ : state) {
        const CellLocator loc(cells);
        benchmark::DoNotOptimize(loc.find_each(p.size(), [&](size_t i) { return p[i]; }).data());
    }
    state.counters["cells"] = static_cast<double>(cells.size());
}
BENCHMARK(BM_LocatePoints)->Unit(benchmark::kMillisecond);

/**
 * Silverman's bandwidth of N points (the robust form: each axis's quartiles by two nth_element
 * passes over a copy, beside the deviations): its cost beside KDE's reading of N incidents.
 */
void BM_SilvermanBandwidth(benchmark::State& state) {
    std::mt19937_64 rng(5);
    std::normal_distribution<double> N(0, 800);
    std::vector<Vec2> p(static_cast<size_t>(state.range(0)));
    for (auto& v : p) v = {468000 + N(rng), 2720000 + N(rng)};
    for (auto _ : state) benchmark::DoNotOptimize(silverman_bandwidth(p));
}
BENCHMARK(BM_SilvermanBandwidth)->Arg(29200)->Arg(500000)->Unit(benchmark::kMillisecond);

/**
 * kernel_density of 29,200 points spread over 20 × 15 km (a county's incidents, in towns), 10 m
 * cells, a bandwidth of `span` cells, summed cell by cell (0) or along rows (1). Counters: the
 * work kernel_density estimates for each way, to set kKdeRowPointCost and kKdeSweepCost.
 */
void BM_KdeSums(benchmark::State& state) {
    std::mt19937_64 rng(11);
    std::uniform_real_distribution<double> U(0, 1);
    std::normal_distribution<double> N(0, 1);
    std::vector<Vec2> pts;
    for (int i = 0; i < 29200; ++i)
        pts.push_back({440000 + 20000 * U(rng) + 200 * N(rng), 2700000 + 15000 * U(rng) + 200 * N(rng)});
    KdeOptions o;
    o.cell_m = 10;
    o.bandwidth_m = 10.0 * static_cast<double>(state.range(0));
    o.sums = state.range(1) ? KdeSums::rows : KdeSums::cells;
    KdeRaster r;
    for (auto _ : state) {
        r = kernel_density(pts, o);
        benchmark::DoNotOptimize(r.density.data());
    }
    const double span = static_cast<double>(state.range(0)), n = static_cast<double>(pts.size());
    state.counters["cells_work"] = n * 3.14159265 * span * span;
    state.counters["rows_work"] =
        n * (2 * span + 1) * kKdeRowPointCost + double(r.width) * r.height * kKdeSweepCost;
}
BENCHMARK(BM_KdeSums)->ArgsProduct({{5, 10, 20, 40, 80}, {0, 1}})->Unit(benchmark::kMillisecond);

}  // namespace
