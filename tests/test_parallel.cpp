// The one way work runs in parallel (geo/core/parallel.h): every index once, and an exception on
// any worker reaches the caller instead of ending the process.
#include <gtest/gtest.h>
#include <malloc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iomanip>
#include <iterator>
#include <latch>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "cli_run.h"
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

namespace {
/** Resident pages of this process (/proc/self/statm). */
long resident_pages() {
    std::ifstream statm("/proc/self/statm");
    long size = 0, resident = 0;
    statm >> size >> resident;
    return resident;
}
/** Whether this kernel faults pages in on MADV_POPULATE_WRITE (Linux 5.14 and later). */
bool kernel_populates() {
#ifdef MADV_POPULATE_WRITE
    const long page = sysconf(_SC_PAGESIZE);
    void* p = mmap(nullptr, page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    const bool ok = p != MAP_FAILED && madvise(p, page, MADV_POPULATE_WRITE) == 0;
    if (p != MAP_FAILED) munmap(p, page);
    return ok;
#else
    return false;
#endif
}
}  // namespace

// reserve_prefaulted keeps what the vector holds, gives it the room, and (where the kernel can)
// has the room's pages resident before anything is written there.
TEST(Parallel, ReservePrefaultedFaultsTheNewRoomIn) {
    std::vector<double> v = {1.5, -2.5, 3.25};
    constexpr size_t n = size_t(48) << 20 >> 3;  // 48 MiB of doubles
    const long before = resident_pages();
    gw::reserve_prefaulted(v, n);
    const long grown_mb = (resident_pages() - before) * sysconf(_SC_PAGESIZE) >> 20;
    ASSERT_GE(v.capacity(), n);
    EXPECT_EQ(v, (std::vector<double>{1.5, -2.5, 3.25}));
    if (kernel_populates()) EXPECT_GE(grown_mb, 40) << "the room's pages were not faulted in";
    else EXPECT_LT(grown_mb, 8) << "nothing was to fault the room's pages in";
    v.resize(n, 7.0);
    EXPECT_EQ(v[2], 3.25);
    EXPECT_EQ(v[n - 1], 7.0);
    // Below 8 MiB nothing is faulted in ahead, and a vector with the room already is left alone.
    std::vector<float> small;
    gw::reserve_prefaulted(small, 1000);
    EXPECT_GE(small.capacity(), 1000u);
    const float* at = small.data();
    gw::reserve_prefaulted(small, 10);
    EXPECT_EQ(small.data(), at);
}

namespace {
long thread_faults() {
    rusage ru{};
    getrusage(RUSAGE_THREAD, &ru);
    return ru.ru_minflt;
}
}  // namespace

// A worker that readies its heap for what it is about to allocate (warm_heap) then takes those
// allocations without faulting their pages one by one, as a worker without it does.
TEST(Parallel, AWorkersWarmedHeapTakesItsAllocationsWithoutFaults) {
    // As gridwatch-core sets them (app/main.cpp): blocks of 4 MiB in the heap, freed memory kept there.
    if (!mallopt(M_MMAP_THRESHOLD, 64 << 20)) mallopt(M_MMAP_THRESHOLD, 32 << 20);
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    long faults[2] = {0, 0};
    bool warmed = false;
    // Both threads alive until both are done: each writes into a heap of its own (glibc hands a
    // thread that ended its heap to the next one; so this is a test for a process of its own, as
    // CTest runs it, not for --gtest_repeat).
    std::latch both(2);
    auto writer = [&](int k) {
        if (k == 1) warmed = gw::warm_heap(size_t(32) << 20);
        const long before = thread_faults();
        std::vector<std::unique_ptr<char[]>> kept;
        for (int i = 0; i < 24 * 1024; ++i) {
            kept.emplace_back(new char[1024]);
            std::fill_n(kept.back().get(), 1024, static_cast<char>(i));
        }
        faults[k] = thread_faults() - before;
        both.arrive_and_wait();
    };
    std::thread cold(writer, 0), warm(writer, 1);
    cold.join(), warm.join();
    std::ifstream thp("/sys/kernel/mm/transparent_hugepage/enabled");
    const std::string mode((std::istreambuf_iterator<char>(thp)), std::istreambuf_iterator<char>());
    if (mode.find("[always]") == std::string::npos) {  // else the cold heap is on huge pages too
        EXPECT_GT(faults[0], 2000) << "24 MiB written in 4 KiB pages";
    }
    // Where it can (glibc's heaps, a kernel that populates), it does.
    EXPECT_EQ(warmed, kernel_populates() && !GW_SANITIZED);
    if (warmed) {
        EXPECT_LT(faults[1], 100) << "cold: " << faults[0];
    } else {
        EXPECT_GT(faults[1], 2000) << "nothing was to warm the heap";
    }
    // On the main thread it does nothing.
    const long before = thread_faults();
    EXPECT_FALSE(gw::warm_heap(size_t(32) << 20));
    EXPECT_LT(thread_faults() - before, 50);
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

TEST(Parallel, RunBesideWaitsForBothAndTellsHeresExceptionFirst) {
    std::atomic<int> done{0};
    gw::run_beside([&] { ++done; }, [&] { ++done; });
    EXPECT_EQ(done, 2);
    EXPECT_THROW(gw::run_beside([] { throw std::runtime_error("beside"); }, [] {}), std::runtime_error);
    EXPECT_THROW(gw::run_beside([] {}, [] { throw std::logic_error("here"); }), std::logic_error);
    // Both fail, `beside` first (the write) and then `here` (the next stripe): `here`'s is the one
    // told, once `beside` is over.
    std::atomic<bool> beside_over{false};
    try {
        gw::run_beside(
            [&] {
                beside_over = true;
                throw std::runtime_error("beside");
            },
            [&] {
                // (A machine of one core runs `beside` only in the wait: a second at most.)
                for (int i = 0; i < 1000 && !beside_over; ++i)
                    std::this_thread::sleep_for(std::chrono::milliseconds(1));
                throw std::logic_error("here");
            });
        FAIL() << "no exception";
    } catch (const std::logic_error& e) {
        EXPECT_STREQ(e.what(), "here");
    }
}

// Every parallel path of geo/, found in the sources (a new one is tested without new code here),
// gets a fault injected on a worker (GRIDWATCH_FAULT_IN_WORKER=FILE:LINE, geo/core/parallel.h) and
// must end its command with exit 1 and one line naming the fault: no crash, no second message.
TEST(WorkerFaults, EveryParallelPathEndsItsCommandWithOneLine) {
    namespace fs = std::filesystem;
    gwtest::TempDir dir("worker_faults");
    {
        // Enough points (60,000 > one projector chunk) that reprojection runs in parallel.
        std::ofstream csv(dir / "households.csv");
        csv << "hh_id,lon,lat\n" << std::setprecision(10);
        for (int i = 0; i < 60000; ++i)
            csv << "H" << i << "," << 104.5 + (i % 250) * 2e-4 << "," << 26.5 + (i / 250) * 2e-4 << "\n";
    }
    const std::string d = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    // The commands that reach each file's parallel paths, tried in order.
    const std::map<std::string, std::vector<std::string>> reach = {
        {"dataset.cpp", {"info " + d}},
        {"validate.cpp", {"info " + d}},
        // WGS84 into the CGCS2000 zone goes through PROJ, over the threads (CGCS2000 degrees go
        // through Krüger's series, a point at a time in place).
        {"projector.h", {"info " + dir / "households.csv" + " --assume-crs EPSG:4326"}},
        {"coverage.cpp", {"coverage " + d + " --level 4 --json", "plan " + d + " --add 2"}},
        {"placement.cpp", {"plan " + d + " --add 2"}},
        {"hotspots.cpp",
         {"hotspots " + d + " --method gi --level 4 --permutations 99",
          "hotspots " + d + " --method kde --out " + dir / "k.tif", "hotspots " + d + " --method gi --hex 60",
          "hotspots " + d + " --method dbscan --out " + dir / "c.gpkg"}},
        {"demo.cpp", {"demo --scale 2 --out " + dir / "d.gpkg"}},
        {"patrols.cpp", {"patrols " + d + " --json"}},
        {"checks.cpp", {"checks " + d + " --json"}},
        {"stats.h", {"hotspots " + d + " --method gi --level 4 --permutations 99"}},
        {"model.cpp", {"hotspots " + d + " --method gi --level 4 --permutations 99"}},
        {"stats.cpp",
         {"hotspots " + d + " --method gi --level 4 --permutations 99", "stats " + d + " --json"}},
        {"cli_common.cpp", {"checks " + d + " --json"}},
        {"cmd_export.cpp", {"export " + d + " --with-stats --out " + dir / "export"}},
        {"scene.cpp", {"render " + d + " --out " + dir / "r.png"}},
    };
    std::vector<std::string> sites;
    std::vector<fs::directory_entry> files;
    for (const char* top : {"geo", "app"})
        for (const auto& e : fs::recursive_directory_iterator(fs::path(GRIDWATCH_SOURCE_DIR) / top))
            files.push_back(e);
    for (const auto& e : files) {
        // The parallel layer itself: its one call of its own, prefault, cannot fail (madvise's
        // errors leave the pages to the writes that follow).
        if (!e.is_regular_file() || e.path().filename() == "parallel.h" || e.path().filename() == "parallel.cpp") continue;
        // The shared store's paths need a PostgreSQL server: tests/pg injects them
        // (DbErrors.WorkerFaultLeavesTheDatabaseAsBefore).
        if (e.path().parent_path().filename() == "store") continue;
        std::ifstream in(e.path());
        std::string line;
        for (int n = 1; std::getline(in, line); ++n)
            if (line.find("parallel_for(") != std::string::npos || line.find("parallel_ranges(") != std::string::npos)
                sites.push_back(e.path().filename().string() + ":" + std::to_string(n));
    }
    ASSERT_GE(sites.size(), 10u);
    for (const auto& site : sites) {
        const std::string file = site.substr(0, site.find(':'));
        const auto cmds = reach.find(file);
        if (cmds == reach.end()) {
            ADD_FAILURE() << site << ": a parallel path in a file no command here reaches; add one to the table";
            continue;
        }
        bool reached = false;
        std::string seen;
        for (const auto& c : cmds->second) {
            const auto r = gwtest::run_gridwatch(c, "GRIDWATCH_FAULT_IN_WORKER=" + site);
            if (r.err.find("injected on a worker in " + site + " ") == std::string::npos) {
                seen += "\n  " + c + ": exit " + std::to_string(r.status) + ", " + r.err;
                continue;
            }
            reached = true;
            EXPECT_EQ(r.status, 1) << site << ": " << c << "\n" << r.err;
            EXPECT_EQ(r.error_lines(), 1) << site << ": " << c << "\n" << r.err;
            break;
        }
        EXPECT_TRUE(reached) << site << ": no command of the table reached it" << seen;
    }
}
