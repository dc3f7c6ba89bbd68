#pragma once
/** Work over two threads (the machines this runs on have two cores), each index handed out once. */
#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace gw {

/**
 * Calls fn(i) for i in [0, n) on up to two threads; GEOS work inside uses each thread's own context.
 * The first exception any call throws stops the handing out and is rethrown here, on the caller's
 * thread (an exception must not leave a worker thread: that would end the process).
 */
template <typename Fn>
void parallel_for(size_t n, Fn&& fn) {
    const size_t nt = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 2);
    std::atomic<size_t> next{0};
    std::exception_ptr failure;
    std::mutex failure_mutex;
    auto work = [&] {
        try {
            for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
        } catch (...) {
            next = n;
            std::lock_guard<std::mutex> lock(failure_mutex);
            if (!failure) failure = std::current_exception();
        }
    };
    std::vector<std::thread> ts;
    for (size_t t = 1; t < nt; ++t) ts.emplace_back(work);
    work();
    for (auto& t : ts) t.join();
    if (failure) std::rethrow_exception(failure);
}

}  // namespace gw
