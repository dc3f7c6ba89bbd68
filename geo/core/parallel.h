#pragma once
/**
 * The one way gridwatch runs work in parallel: oneTBB (Debian's libtbb-dev). TBB hands out
 * ranges to its worker threads (as many as the machine has cores) and rethrows on the caller's
 * thread the first exception any call throws, after cancelling the rest: an exception never ends
 * the process from a worker. GEOS work inside uses each thread's own context (geos::ctx()).
 *
 * Handles that serve one thread at a time (a GDAL dataset, a PROJ transformation) are kept per task
 * (the layer reader's handle sets) or per thread with tbb::enumerable_thread_specific inside
 * tbb::this_task_arena::isolate (the projector), so no two calls ever use one at once.
 */
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>
#include <tbb/parallel_sort.h>
#include <tbb/task_arena.h>
#include <tbb/task_group.h>

#include <algorithm>
#include <cstddef>
#include <vector>

namespace gw {

/** How many calls can run at once (the machine's cores). */
inline size_t parallel_width() { return static_cast<size_t>(std::max(1, tbb::this_task_arena::max_concurrency())); }

/**
 * The fault the tests inject on a worker: GRIDWATCH_FAULT_IN_WORKER=FILE (a file name such as
 * coverage.cpp, or FILE:LINE for one call site) makes the last call of each parallel_for /
 * parallel_ranges there throw gw::Error,
 * so that each parallel path shows its failure reaching the command as one line (exit 1).
 * Unset (always, outside tests), this is one load of a static per call.
 */
const char* injected_fault_site();
/**
 * Where a parallel_for was called from, taken by default arguments (__builtin_FILE/LINE: clang 14
 * with libstdc++ 12, the fuzz build's compiler, has no std::source_location).
 */
struct CallSite {
    const char* file;
    int line;
};
[[noreturn]] void throw_injected_fault(const CallSite& where);

bool fault_injected_at_site(const CallSite& where);
inline bool fault_injected_at(const CallSite& where) {
    return injected_fault_site() && fault_injected_at_site(where);
}

/** Calls fn(i) for every i in [0, n), in parallel. */
template <typename Fn>
void parallel_for(size_t n, Fn&& fn, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    const CallSite where{file, line};
    const bool fault = fault_injected_at(where);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i != r.end(); ++i) {
            if (fault && i + 1 == n) throw_injected_fault(where);
            fn(i);
        }
    });
}

/** Sorts [first, last) by `less` over the cores. Not stable: `less` breaks every tie. */
template <typename It, typename Less>
void parallel_sort(It first, It last, Less less) {
    tbb::parallel_sort(first, last, less);
}

/** Calls fn(begin, end) over ranges that split [0, n), in parallel: for work that keeps scratch per range. */
template <typename Fn>
void parallel_ranges(size_t n, Fn&& fn, const char* file = __builtin_FILE(), int line = __builtin_LINE()) {
    const CallSite where{file, line};
    const bool fault = fault_injected_at(where);
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
        if (fault && r.end() == n) throw_injected_fault(where);
        fn(r.begin(), r.end());
    });
}

/**
 * Has the kernel fault in the pages of [p, p + bytes) on all cores (Linux's MADV_POPULATE_WRITE,
 * in 2 MiB blocks), where it would otherwise fault them one by one on the first thread to write
 * there. Fresh memory is costly to fault on the VMs we measure on (README, "For developers"): a
 * county's 500,000 incidents are 120 MB, once ~0.1 s on one core while the other waited. Does
 * nothing for less than 8 MiB, or where the kernel cannot (before Linux 5.14): the writes then
 * fault the pages as before. The memory need hold no objects: only page tables change.
 */
void prefault(void* p, size_t bytes);

// Built with a sanitizer that brings its own allocator: glibc's heaps are not there to ready.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define GW_SANITIZED 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define GW_SANITIZED 1
#endif
#endif
#ifndef GW_SANITIZED
#define GW_SANITIZED 0
#endif

/**
 * Readies the calling thread's share of the heap for about `bytes` (at most 48 MiB) of what it is
 * about to allocate: its pages on huge pages, faulted in by the kernel in a few calls, and handed
 * back to the thread's heap, which keeps it. For a worker about to read a layer: glibc grows a
 * thread's heap a few pages at a time and faults each page alone, which made a worker read a
 * county's layers at half the main thread's speed (README, "For developers"). Returns whether it
 * did: not on the main thread, where glibc does not put the blocks in a heap of the thread's own
 * (allocations that large mapped apart: gridwatch-core raises M_MMAP_THRESHOLD), where the kernel
 * cannot, or in a sanitizer's build.
 */
bool warm_heap(size_t bytes);

/**
 * Reserves room for n elements in v and faults the new room's pages in over the cores (prefault),
 * so that the resize or fill that follows writes at memory speed.
 */
template <typename T>
void reserve_prefaulted(std::vector<T>& v, size_t n) {
    if (n <= v.capacity()) return;
    v.reserve(n);
    // The room past size() is storage without objects yet; only its pages are faulted in.
    prefault(v.data() + v.size(), (n - v.size()) * sizeof(T));
}

/**
 * Runs `beside` on a worker while `here` runs on the calling thread, and returns when both are
 * done: for a pipeline step (the next block made while this one is sent). An exception from
 * either reaches the caller once the other has finished (`here`'s when both throw; a 1-core
 * machine runs `beside` in the wait).
 */
template <typename Beside, typename Here>
void run_beside(Beside&& beside, Here&& here) {
    tbb::task_group group;
    group.run([&] { beside(); });
    try {
        here();
    } catch (...) {
        group.cancel();
        try {
            group.wait();
        } catch (...) {  // `beside` failed too: `here`'s is the one told
        }
        throw;
    }
    group.wait();
}

}  // namespace gw
