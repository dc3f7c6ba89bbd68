#include "geo/core/parallel.h"

#include <sys/mman.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>

#include "geo/core/error.h"

namespace gw {

const char* injected_fault_site() {
    static const char* site = [] {
        const char* v = std::getenv("GRIDWATCH_FAULT_IN_WORKER");
        return v && *v ? v : nullptr;
    }();
    return site;
}

bool fault_injected_at_site(const CallSite& where) {
    const std::string file = std::filesystem::path(where.file).filename().string();
    const std::string site = injected_fault_site();
    return site == file || site == file + ":" + std::to_string(where.line);
}

void prefault(void* p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    constexpr size_t kBlock = size_t(2) << 20, kWorthIt = size_t(8) << 20;
    if (!p || bytes < kWorthIt) return;
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t from = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const uintptr_t to = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
    if (to <= from) return;
    const size_t blocks = (to - from + kBlock - 1) / kBlock;
    // Failure (an old kernel's EINVAL) leaves the pages to be faulted by the writes that follow.
    tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks, 1), [&](const tbb::blocked_range<size_t>& r) {
        const uintptr_t a = from + r.begin() * kBlock, b = std::min<uintptr_t>(to, from + r.end() * kBlock);
        madvise(reinterpret_cast<void*>(a), b - a, MADV_POPULATE_WRITE);
    });
#else
    (void)p, (void)bytes;
#endif
}

void throw_injected_fault(const CallSite& where) {
    throw Error("a fault injected on a worker in " + std::filesystem::path(where.file).filename().string() + ":" +
                    std::to_string(where.line) + " (GRIDWATCH_FAULT_IN_WORKER)",
                {}, "unset GRIDWATCH_FAULT_IN_WORKER");
}

}  // namespace gw
