#pragma once
/**
 * The one way gridwatch runs work in parallel: oneTBB (Debian's libtbb-dev). TBB hands out
 * ranges to its worker threads (as many as the machine has cores) and rethrows on the caller's
 * thread the first exception any call throws, after cancelling the rest: an exception never ends
 * the process from a worker. GEOS work inside uses each thread's own context (geos::ctx()).
 *
 * Not for work bound to one thread's handles (a GDAL dataset, a PROJ transformation): the layer
 * reader and the projector keep their own threads, since a TBB task may run on any thread.
 */
#include <tbb/blocked_range.h>
#include <tbb/parallel_for.h>

#include <cstddef>

namespace gw {

/** Calls fn(i) for every i in [0, n), in parallel. */
template <typename Fn>
void parallel_for(size_t n, Fn&& fn) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n), [&](const tbb::blocked_range<size_t>& r) {
        for (size_t i = r.begin(); i != r.end(); ++i) fn(i);
    });
}

/** Calls fn(begin, end) over ranges that split [0, n), in parallel: for work that keeps scratch per range. */
template <typename Fn>
void parallel_ranges(size_t n, Fn&& fn) {
    tbb::parallel_for(tbb::blocked_range<size_t>(0, n),
                      [&](const tbb::blocked_range<size_t>& r) { fn(r.begin(), r.end()); });
}

}  // namespace gw
