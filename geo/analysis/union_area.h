#pragma once
/**
 * The area of a clip polygon covered by the union of other polygons — a cell's covered_m2
 * (SPEC §5.2) — without building the union. Parts wholly inside the clip count whole; up to three
 * convex parts whose boxes overlap go by inclusion–exclusion, each intersection clipped exactly;
 * other groups by a sweep over x in which the covered length of each vertical line is linear
 * between events (vertices and edge crossings).
 *
 * Degenerate input (issue 12; tests/fuzz checks it against GEOS): every side test is exact
 * (gw::orient), so a part touching the clip's outline anywhere (an apex on an edge or a corner, a
 * view tangent to an edge, an edge along the clip's) is cut by the clip, and one touching nowhere is
 * counted whole or not at all by its first vertex. Views on one pole, nested and duplicate views go
 * by inclusion–exclusion cut only by the input rings; snapped rings with repeated vertices are
 * convex only when they really are.
 */
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

/**
 * A part with what union_area_within asks of it, found once: a county's camera view is asked by
 * each of the cells it reaches.
 */
struct AreaPart {
    const MultiPolygon* shape = nullptr;
    Box box;                       // bounds(*shape)
    const Ring* convex = nullptr;  // convex_ring(*shape)
    static AreaPart of(const MultiPolygon& mp) { return {&mp, bounds(mp), convex_ring(mp)}; }
};

/**
 * area(clip ∩ ⋃ parts), m², exact up to rounding (an intersection of convex parts under 1e-9 m²,
 * parts that only touch, is left out). Each MultiPolygon of `parts` may have holes and overlapping
 * pieces (nonzero winding per MultiPolygon); rings may run either way. Edges that coincide, or
 * nearly do, cost no more than the sliver between them. Thread-safe.
 */
double union_area_within(const MultiPolygon& clip, const std::vector<AreaPart>& parts);
/** union_area_within with each part's box and convex ring found here. */
double union_area_within(const MultiPolygon& clip, const std::vector<const MultiPolygon*>& parts);

}  // namespace gw
