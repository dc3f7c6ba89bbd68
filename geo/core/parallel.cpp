#include "geo/core/parallel.h"

#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>
#include <vector>

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

namespace {

#ifdef MADV_POPULATE_WRITE
/**
 * Has the kernel fault in the whole pages of [p, p + bytes) in one call. Failure (an old kernel's
 * EINVAL) leaves the pages to be faulted by the writes that follow.
 */
bool populate(void* p, size_t bytes) {
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t from = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const uintptr_t to = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
    return to <= from || madvise(reinterpret_cast<void*>(from), to - from, MADV_POPULATE_WRITE) == 0;
}

#if !GW_SANITIZED
/** The word before a block glibc's malloc gave: its chunk's size and flags. */
[[gnu::noinline]] size_t chunk_header(const void* block) {
    size_t header;
    std::memcpy(&header, static_cast<const char*>(block) - sizeof header, sizeof header);
    return header;
}
#endif
#endif

}  // namespace

void prefault(void* p, size_t bytes) {
#ifdef MADV_POPULATE_WRITE
    constexpr size_t kBlock = size_t(2) << 20, kWorthIt = size_t(8) << 20;
    if (!p || bytes < kWorthIt) return;
    const auto page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t from = (reinterpret_cast<uintptr_t>(p) + page - 1) / page * page;
    const uintptr_t to = (reinterpret_cast<uintptr_t>(p) + bytes) / page * page;
    if (to <= from) return;
    const size_t blocks = (to - from + kBlock - 1) / kBlock;
    tbb::parallel_for(tbb::blocked_range<size_t>(0, blocks, 1), [&](const tbb::blocked_range<size_t>& r) {
        const uintptr_t a = from + r.begin() * kBlock, b = std::min<uintptr_t>(to, from + r.end() * kBlock);
        populate(reinterpret_cast<void*>(a), b - a);
    });
#else
    (void)p, (void)bytes;
#endif
}

bool warm_heap(size_t bytes) {
#if defined(MADV_POPULATE_WRITE) && !GW_SANITIZED
    // The main thread's heap is the program's break, on huge pages where the launcher asked glibc.
    if (static_cast<pid_t>(syscall(SYS_gettid)) == getpid()) return false;
    // glibc gives each other thread heaps of its own, each 64 MiB (HEAP_MAX_SIZE on 64-bit) and
    // aligned to it, grown a few pages at a time: never on huge pages, and each page faulted alone.
    constexpr uintptr_t kHeap = uintptr_t(64) << 20;
    constexpr size_t kBlock = size_t(4) << 20, kMost = size_t(48) << 20;
    // glibc's chunk header, the word before the block: bit 1 set for a block mapped on its own
    // (freed by unmapping it), bit 2 for one in a thread's heap (malloc/malloc.c, IS_MMAPPED and
    // NON_MAIN_ARENA). Only such a heap is marked and kept; anything else is left as it is.
    const auto in_thread_heap = [](const void* p) {
        const size_t header = chunk_header(p);
        return (header & 2) == 0 && (header & 4) != 0;
    };
    std::vector<void*> blocks;
    blocks.reserve(kMost / kBlock);
    uintptr_t advised = 0;
    bool populated = false;
    for (size_t got = 0; got < std::min(bytes, kMost); got += kBlock) {
        void* p = std::malloc(kBlock);
        if (!p) break;
        blocks.push_back(p);
        if (!in_thread_heap(p)) break;
        if (const uintptr_t heap = reinterpret_cast<uintptr_t>(p) & ~(kHeap - 1); heap != advised) {
            madvise(reinterpret_cast<void*>(heap), kHeap, MADV_HUGEPAGE);
            advised = heap;
        }
        if (!populate(p, kBlock)) break;  // a kernel before Linux 5.14
        populated = true;
    }
    // Back to the thread's heap, which keeps it (M_TRIM_THRESHOLD, app/main.cpp) for what it allocates next.
    for (void* p : blocks) std::free(p);
    return populated;
#else
    (void)bytes;
    return false;
#endif
}

void throw_injected_fault(const CallSite& where) {
    throw Error("a fault injected on a worker in " + std::filesystem::path(where.file).filename().string() + ":" +
                    std::to_string(where.line) + " (GRIDWATCH_FAULT_IN_WORKER)",
                {}, "unset GRIDWATCH_FAULT_IN_WORKER");
}

}  // namespace gw
