// Micro-benchmarks (Google Benchmark): live coverage while a camera is dragged (issue 4: ≤ 16 ms a
// move at community size, ≤ 50 ms at county size), and the building blocks behind it.
//   build/gridwatch_bench --benchmark_filter=Live
#include <benchmark/benchmark.h>

#include <map>
#include <memory>

#include "geo/analysis/coverage.h"
#include "geo/demo/demo.h"

using namespace gw;

namespace {

const Dataset& demo(int scale) {
    static std::map<int, std::unique_ptr<Dataset>> cache;
    auto& d = cache[scale];
    if (!d) d = std::make_unique<Dataset>(generate_demo({scale, 1}));
    return *d;
}

/** One drag step of one camera: move it 2 m and turn it 3°, then read the figures. */
void BM_LiveCoverageMoveCamera(benchmark::State& state) {
    const int scale = static_cast<int>(state.range(0));
    Dataset ds = demo(scale);  // a copy we may edit
    CoverageOptions o;
    LiveCoverage live(ds, o);
    const auto& cams = live.report().cameras;
    // The camera to drag: a road camera near the middle of the data.
    size_t slot = 0;
    for (size_t i = 0; i < cams.size(); ++i)
        if (cams[i]->owner == "road") {
            slot = i;
            break;
        }
    Camera* cam = const_cast<Camera*>(cams[slot]);
    double step = 2;
    for (auto _ : state) {
        cam->pos.x += step;
        cam->azimuth += 3;
        step = -step;
        live.set_camera(slot, cam);
        benchmark::DoNotOptimize(live.report().total.covered_m2);
    }
    state.counters["cells"] = static_cast<double>(live.report().cells.size());
    state.counters["cameras"] = static_cast<double>(cams.size());
}
BENCHMARK(BM_LiveCoverageMoveCamera)->Arg(1)->Arg(100)->Unit(benchmark::kMillisecond)->Iterations(50);

void BM_CameraViewWithOcclusion(benchmark::State& state) {
    const Dataset& ds = demo(1);
    Occluders occ(ds.buildings);
    size_t i = 0;
    for (auto _ : state) {
        benchmark::DoNotOptimize(camera_view(ds.cameras[i], &occ));
        i = (i + 1) % ds.cameras.size();
    }
}
BENCHMARK(BM_CameraViewWithOcclusion)->Unit(benchmark::kMicrosecond);

}  // namespace

BENCHMARK_MAIN();
