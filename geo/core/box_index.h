#pragma once
/** A uniform bin index over boxes: what each analysis uses to find the features near a place. */
#include <algorithm>
#include <array>
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

class BoxIndex {
public:
    /** Indexes `boxes` in square bins of about `cell` metres (grown when the extent would need too many). */
    BoxIndex(const std::vector<Box>& boxes, double cell) : boxes_(boxes), cell_(cell) {
        for (const auto& b : boxes_) ext_.add(b);
        if (ext_.empty()) return;
        nx_ = std::min(4096, static_cast<int>(ext_.width() / cell_) + 1);
        ny_ = std::min(4096, static_cast<int>(ext_.height() / cell_) + 1);
        cell_ = std::max({cell_, ext_.width() / nx_, ext_.height() / ny_});
        // Bins as one array (counted, then filled): no allocation per bin.
        start_.assign(static_cast<size_t>(nx_) * ny_ + 1, 0);
        auto each_bin = [&](const Box& b, auto&& fn) {
            auto [x0, y0, x1, y1] = range(b);
            for (int y = y0; y <= y1; ++y)
                for (int x = x0; x <= x1; ++x) fn(static_cast<size_t>(y) * nx_ + x);
        };
        for (const auto& b : boxes_)
            if (!b.empty()) each_bin(b, [&](size_t k) { ++start_[k + 1]; });
        for (size_t k = 1; k < start_.size(); ++k) start_[k] += start_[k - 1];
        items_.resize(start_.back());
        std::vector<int> fill(start_.begin(), start_.end() - 1);
        for (size_t i = 0; i < boxes_.size(); ++i)
            if (!boxes_[i].empty()) each_bin(boxes_[i], [&](size_t k) { items_[fill[k]++] = static_cast<int>(i); });
    }
    /** Calls fn(i) once for each box i meeting q, in no particular order; allocates nothing. */
    template <typename Fn>
    void visit(const Box& q, Fn&& fn) const {
        if (items_.empty() || !q.intersects(ext_)) return;
        auto [x0, y0, x1, y1] = range(q);
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) {
                const size_t k = static_cast<size_t>(y) * nx_ + x;
                for (int j = start_[k]; j < start_[k + 1]; ++j) {
                    const int i = items_[j];
                    const Box& b = boxes_[i];
                    if (!b.intersects(q)) continue;
                    // A box spanning several bins is reported from the first bin it shares with q.
                    auto [bx0, by0, bx1, by1] = range(b);
                    if (x == std::max(bx0, x0) && y == std::max(by0, y0)) fn(i);
                }
            }
    }
    /** Indices of the boxes meeting q, ascending. */
    std::vector<int> query(const Box& q) const {
        std::vector<int> out;
        visit(q, [&](int i) { out.push_back(i); });
        std::sort(out.begin(), out.end());
        return out;
    }
    const Box& box(int i) const { return boxes_[i]; }
    static Box around(Vec2 p, double r) {
        Box b;
        b.add(Vec2{p.x - r, p.y - r}), b.add(Vec2{p.x + r, p.y + r});
        return b;
    }

private:
    std::array<int, 4> range(const Box& b) const {
        auto cx = [&](double v) { return std::clamp(static_cast<int>((v - ext_.xmin) / cell_), 0, nx_ - 1); };
        auto cy = [&](double v) { return std::clamp(static_cast<int>((v - ext_.ymin) / cell_), 0, ny_ - 1); };
        return {cx(b.xmin), cy(b.ymin), cx(b.xmax), cy(b.ymax)};
    }
    std::vector<Box> boxes_;
    Box ext_;
    double cell_;
    int nx_ = 0, ny_ = 0;
    std::vector<int> start_, items_;  // bin k holds items_[start_[k] .. start_[k + 1])
};

}  // namespace gw
