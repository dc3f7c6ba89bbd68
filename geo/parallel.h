#pragma once
/** Work over two threads (the machines this runs on have two cores), each index handed out once. */
#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace gw {

/** Calls fn(i) for i in [0, n) on up to two threads; GEOS work inside uses each thread's own context. */
template <typename Fn>
void parallel_for(size_t n, Fn&& fn) {
    const size_t nt = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 2);
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    };
    std::vector<std::thread> ts;
    for (size_t t = 1; t < nt; ++t) ts.emplace_back(work);
    work();
    for (auto& t : ts) t.join();
}

}  // namespace gw
