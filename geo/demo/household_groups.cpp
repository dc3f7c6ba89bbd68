// How a hamlet's houses become joint-defence groups of 3–5 (3户5户联防) whose cells stay in one
// piece: the houses are chained neighbour to neighbour and the chain cut into runs (place_hamlets,
// households.cpp).
#include <limits>

#include "geo/core/error.h"
#include "geo/demo/demo_internal.h"

namespace gw::demo_detail {

std::vector<size_t> chain_order(const std::vector<Vec2>& pts,
                                const std::function<bool(size_t, size_t)>& neighbours) {
    std::vector<size_t> order;
    if (pts.empty()) return order;
    Vec2 mid{0, 0};
    for (auto p : pts) mid = mid + p;
    mid = mid * (1.0 / pts.size());
    size_t cur = 0;
    for (size_t i = 1; i < pts.size(); ++i)
        if (distance(pts[i], mid) > distance(pts[cur], mid)) cur = i;
    std::vector<bool> seen(pts.size(), false);
    for (size_t n = 0; n < pts.size(); ++n) {
        order.push_back(cur);
        seen[cur] = true;
        size_t best = cur;
        double best_d = std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < pts.size(); ++i) {
            if (seen[i]) continue;
            // A neighbour always beats a non-neighbour.
            const double d = distance(pts[i], pts[cur]) + (neighbours(cur, i) ? 0 : 1e7);
            if (d < best_d) best_d = d, best = i;
        }
        cur = best;
    }
    return order;
}

void improve_chain(std::vector<size_t>& chain, const std::function<double(size_t, size_t)>& step) {
    const size_t n = chain.size();
    // Cost of the step between two chain entries, 0 where either end is missing (past an end).
    auto cost = [&](long a, long b) { return a < 0 || b < 0 ? 0.0 : step(chain[a], chain[b]); };
    // One improving move (segment [i, i+len) taken out and put back before entry `at` of what is
    // left), applied to `chain`; false when there is none. Each move is priced in O(1).
    auto move_once = [&]() {
        for (size_t len = 1; len <= 3 && len < n; ++len)
            for (size_t i = 0; i + len <= n; ++i) {
                const long first = static_cast<long>(i), last = static_cast<long>(i + len) - 1;
                const long before = first - 1, after = last + 1 < static_cast<long>(n) ? last + 1 : -1;
                const double out = cost(before, first) + cost(last, after) - cost(before, after);
                // Entry k of the chain without the segment, as an index of `chain` (-1 past the ends).
                auto rest = [&](long k) {
                    if (k < 0 || k >= static_cast<long>(n - len)) return -1L;
                    return k < first ? k : k + static_cast<long>(len);
                };
                for (long at = 0; at <= static_cast<long>(n - len); ++at) {
                    if (at == first) continue;
                    const long p = rest(at - 1), q = rest(at);
                    const double in = cost(p, first) + cost(last, q) - cost(p, q);
                    if (in - out < -1e-9) {
                        std::vector<size_t> moved;
                        for (long k = 0; k < at; ++k) moved.push_back(chain[rest(k)]);
                        for (long k = first; k <= last; ++k) moved.push_back(chain[k]);
                        for (long k = at; k < static_cast<long>(n - len); ++k)
                            moved.push_back(chain[rest(k)]);
                        chain = std::move(moved);
                        return true;
                    }
                }
            }
        return false;
    };
    for (int moves = 0; moves < 500 && move_once(); ++moves) {
    }
}

std::vector<int> cut_chain(int n, int groups, const std::function<double(int, int)>& run_cost) {
    const double kInf = std::numeric_limits<double>::infinity();
    // best[k][i]: least cost of cutting the first i members into k runs; how[k][i]: the last run's size.
    std::vector<std::vector<double>> best(groups + 1, std::vector<double>(n + 1, kInf));
    std::vector<std::vector<int>> how(groups + 1, std::vector<int>(n + 1, 0));
    best[0][0] = 0;
    for (int k = 1; k <= groups; ++k)
        for (int i = 3 * k; i <= std::min(n, 5 * k); ++i)
            for (int size = 3; size <= 5 && size <= i; ++size) {
                if (best[k - 1][i - size] == kInf) continue;
                const double c = best[k - 1][i - size] + run_cost(i - size, size);
                if (c < best[k][i]) best[k][i] = c, how[k][i] = size;
            }
    if (best[groups][n] == kInf)
        throw Error("demo: cannot cut " + std::to_string(n) + " households into " + std::to_string(groups) +
                    " groups of 3–5");
    std::vector<int> sizes(groups);
    for (int k = groups, i = n; k > 0; i -= how[k][i], --k) sizes[k - 1] = how[k][i];
    return sizes;
}

bool connected(const std::vector<size_t>& members, const std::function<bool(size_t, size_t)>& touch) {
    if (members.empty()) return true;
    std::vector<bool> reached(members.size(), false);
    std::vector<size_t> stack{0};
    reached[0] = true;
    size_t count = 1;
    while (!stack.empty()) {
        const size_t a = stack.back();
        stack.pop_back();
        for (size_t b = 0; b < members.size(); ++b)
            if (!reached[b] && touch(members[a], members[b])) reached[b] = true, ++count, stack.push_back(b);
    }
    return count == members.size();
}

}  // namespace gw::demo_detail
