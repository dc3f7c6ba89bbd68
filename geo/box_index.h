#pragma once
/** A uniform bin index over boxes: what each analysis uses to find the features near a place. */
#include <algorithm>
#include <array>
#include <vector>

#include "geo/geometry.h"

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
        bins_.resize(static_cast<size_t>(nx_) * ny_);
        for (size_t i = 0; i < boxes_.size(); ++i) {
            if (boxes_[i].empty()) continue;
            auto [x0, y0, x1, y1] = range(boxes_[i]);
            for (int y = y0; y <= y1; ++y)
                for (int x = x0; x <= x1; ++x) bins_[static_cast<size_t>(y) * nx_ + x].push_back(static_cast<int>(i));
        }
    }
    /** Indices of the boxes meeting q, ascending. */
    std::vector<int> query(const Box& q) const {
        std::vector<int> out;
        if (bins_.empty() || !q.intersects(ext_)) return out;
        auto [x0, y0, x1, y1] = range(q);
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x)
                for (int i : bins_[static_cast<size_t>(y) * nx_ + x])
                    if (boxes_[i].intersects(q)) out.push_back(i);
        std::sort(out.begin(), out.end());
        out.erase(std::unique(out.begin(), out.end()), out.end());
        return out;
    }
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
    std::vector<std::vector<int>> bins_;
};

}  // namespace gw
