#pragma once
/** Where a segment meets polygon outlines: what cuts roads and tracks exactly by cells and views. */
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

/**
 * Appends the parameters t of segment a→b (a + t (b − a)) where it meets edge c→e: one for a
 * crossing, both ends of a collinear overlap (not clamped to [0, 1]), none where they do not meet.
 */
inline void edge_crossing(Vec2 a, Vec2 b, Vec2 c, Vec2 e, std::vector<double>& ts) {
    if (!segments_meet(a, b, c, e)) return;
    const Vec2 d = b - a;
    const double den = cross(d, e - c);
    if (den != 0) {
        ts.push_back(cross(c - a, e - c) / den);
    } else {  // along the edge: where the overlap starts and ends
        const double l2 = dot(d, d);
        ts.push_back(dot(c - a, d) / l2), ts.push_back(dot(e - a, d) / l2);
    }
}

/**
 * Appends the parameters t of segment a→b where it meets an edge of mp's rings (edge_crossing).
 * Between two consecutive ones, with 0 and 1 added, the segment lies wholly inside mp, wholly
 * outside, or on its outline.
 */
inline void segment_crossings(const MultiPolygon& mp, Vec2 a, Vec2 b, std::vector<double>& ts) {
    any_edge(mp, [&](Vec2 c, Vec2 e) {
        edge_crossing(a, b, c, e, ts);
        return false;
    });
}

}  // namespace gw
