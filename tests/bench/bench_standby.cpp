// Issue 16: a change on the primary → visible through the live listener (geo/store/live.h) on a
// streaming-replication hot standby: the time from the primary's COMMIT to the changed row being
// in a Dataset read from the standby. Run by tests/bench/bench_standby.sh, which starts the two
// clusters and sets GW_BENCH_PRIMARY / GW_BENCH_STANDBY (libpq conninfos of a `db init` store).
//   build/gridwatch_bench --benchmark_filter=Standby
#include <benchmark/benchmark.h>
#include <libpq-fe.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "geo/io/dataset.h"
#include "geo/store/live.h"

namespace {

void BM_StandbyChangeReachesListener(benchmark::State& state) {
    const char* primary = std::getenv("GW_BENCH_PRIMARY");
    const char* standby = std::getenv("GW_BENCH_STANDBY");
    if (!primary || !standby) {
        state.SkipWithError("run by tests/bench/bench_standby.sh (GW_BENCH_PRIMARY, GW_BENCH_STANDBY)");
        return;
    }
    using Clock = std::chrono::steady_clock;
    gw::Dataset ds = gw::open_dataset({std::string("PG:") + standby});
    gw::store::LiveListener live(ds, {});
    while (live.status().state != gw::store::LiveState::Live) std::this_thread::sleep_for(std::chrono::milliseconds(5));
    PGconn* db = PQconnectdb(primary);
    if (PQstatus(db) != CONNECTION_OK) {
        state.SkipWithError(PQerrorMessage(db));
        PQfinish(db);
        return;
    }
    std::vector<double> ms;
    int n = 0;
    for (auto _ : state) {
        const std::string id = "BENCH-" + std::to_string(n++);
        const std::string sql = "INSERT INTO incidents (inc_id, type, time, color, geom) SELECT '" + id +
                                "', 'fire', '2026-11-20T10:00:00', 'red', ST_PointOnSurface(geom) FROM grids WHERE "
                                "level = 4 LIMIT 1";
        const size_t before = ds.incidents.size();
        const auto t0 = Clock::now();
        PQclear(PQexec(db, sql.c_str()));  // autocommit: back when committed
        while (ds.incidents.size() == before) {
            live.apply(ds);
            std::this_thread::sleep_for(std::chrono::microseconds(500));
        }
        const double s = std::chrono::duration<double>(Clock::now() - t0).count();
        state.SetIterationTime(s);
        ms.push_back(s * 1000);
        std::this_thread::sleep_for(std::chrono::milliseconds(37));  // changes spread over the poll period
    }
    PQfinish(db);
    std::sort(ms.begin(), ms.end());
    state.counters["median_ms"] = ms[ms.size() / 2];
    state.counters["max_ms"] = ms.back();
    state.counters["lag_s"] = live.status().lag_s.value_or(-1);
}
BENCHMARK(BM_StandbyChangeReachesListener)->Iterations(50)->UseManualTime()->Unit(benchmark::kMillisecond);

}  // namespace
