// The one way work runs in parallel (geo/core/parallel.h): every index once, and an exception on
// any worker reaches the caller instead of ending the process.
#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>
#include <vector>

#include "geo/core/error.h"
#include "geo/core/parallel.h"

TEST(Parallel, EveryIndexOnce) {
    std::vector<std::atomic<int>> seen(10000);
    gw::parallel_for(seen.size(), [&](size_t i) { ++seen[i]; });
    for (const auto& s : seen) ASSERT_EQ(s.load(), 1);
    std::atomic<size_t> covered{0};
    gw::parallel_ranges(10000, [&](size_t b, size_t e) { covered += e - b; });
    EXPECT_EQ(covered.load(), 10000u);
    gw::parallel_for(0, [](size_t) { FAIL() << "no work for n = 0"; });
}

TEST(Parallel, AWorkersExceptionReachesTheCaller) {
    // Thrown far from the start, so that it is (almost always) thrown on a worker thread.
    try {
        gw::parallel_for(100000, [](size_t i) {
            if (i == 77777) throw gw::Error("the GEOS operation failed", {"cells.gpkg", "grids", "G-77777"});
        });
        FAIL() << "no exception";
    } catch (const gw::Error& e) {
        EXPECT_EQ(e.where().feature, "G-77777");
    }
    EXPECT_THROW(gw::parallel_ranges(100000, [](size_t b, size_t e) {
                     if (b <= 99999 && 99999 < e) throw std::runtime_error("late");
                 }),
                 std::runtime_error);
}
