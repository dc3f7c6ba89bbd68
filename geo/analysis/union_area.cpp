#include "geo/analysis/union_area.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace gw {

namespace {

/** A non-vertical edge, left end first, in coordinates relative to the clip's corner. */
struct SweepEdge {
    double x0, y0, x1, slope;
    int owner;  // 0: the clip; k > 0: parts[k − 1]
    int dir;    // the winding change of its owner when a vertical line crosses it upwards
    double y_at(double x) const { return y0 + slope * (x - x0); }
};

void add_rings(const MultiPolygon& mp, int owner, Vec2 o, std::vector<SweepEdge>& out) {
    for (const auto& poly : mp)
        for (size_t r = 0; r < poly.rings.size(); ++r) {
            const Ring& ring = poly.rings[r];
            const double sa = signed_area(ring);
            if (sa == 0) continue;
            // Shells wind +1 inside and holes −1, whichever way the rings were stored: an edge
            // running towards +x along a counter-clockwise shell has the inside above it.
            const int flip = (sa > 0) == (r == 0) ? 1 : -1;
            for (size_t i = 0, n = ring.size(); i < n; ++i) {
                Vec2 a = ring[i] - o, b = ring[(i + 1) % n] - o;
                if (a.x == b.x) continue;  // vertical: no length on any open slab
                const int dir = (b.x > a.x ? 1 : -1) * flip;
                if (a.x > b.x) std::swap(a, b);
                out.push_back({a.x, a.y, b.x, (b.y - a.y) / (b.x - a.x), owner, dir});
            }
        }
}

/**
 * Whether segment ab meets the closed box b (the box's corners all strictly on one side of the
 * line: no). Exact (orient): a segment through a box corner, where a part's extreme vertex lies on
 * the clip's edge, meets it.
 */
bool segment_meets_box(Vec2 a, Vec2 b, const Box& box) {
    if (std::max(a.x, b.x) < box.xmin || std::min(a.x, b.x) > box.xmax || std::max(a.y, b.y) < box.ymin ||
        std::min(a.y, b.y) > box.ymax)
        return false;
    int pos = 0, neg = 0;
    for (Vec2 c : {Vec2{box.xmin, box.ymin}, Vec2{box.xmax, box.ymin}, Vec2{box.xmin, box.ymax}, Vec2{box.xmax, box.ymax}}) {
        const int side = orient(a, b, c);
        pos += side >= 0, neg += side <= 0;
    }
    return pos > 0 && neg > 0;
}

/** Whether segment ab meets the closed area of mp (crosses or touches its outline, or lies inside). */
bool segment_meets_area(Vec2 a, Vec2 b, const MultiPolygon& mp) {
    return any_edge(mp, [&](Vec2 c, Vec2 d) { return segments_meet(a, b, c, d); }) || inside(mp, a);
}

Vec2 first_vertex(const MultiPolygon& mp) {
    for (const auto& poly : mp)
        if (!poly.rings.empty() && !poly.rings[0].empty()) return poly.rings[0][0];
    return {};
}

/**
 * subject ∩ the convex counter-clockwise ring k (Sutherland–Hodgman). The subject may be concave:
 * the bridges the result may then run along k's edges come in pairs and cancel in its area.
 */
struct Side {
    double dist;  // rounded, for placing a cut
    bool in;      // exact
};

void clip_convex(const std::vector<Vec2>& subject, const std::vector<Vec2>& k, std::vector<Vec2>& out,
                 std::vector<Vec2>& scratch) {
    thread_local std::vector<Side> sides;
    // First by k's box (cheap tests that leave few of a large subject's vertices), then by k.
    Box kb;
    for (Vec2 p : k) kb.add(p);
    out = subject;
    // One Sutherland–Hodgman pass: the part of `out` where inside(p) holds.
    auto by_side = [&](auto&& inside, auto&& cut) {
        scratch.clear();
        if (out.empty()) return;
        Vec2 p = out.back();
        bool ip = inside(p);
        for (const Vec2 q : out) {
            const bool iq = inside(q);
            if (ip != iq) scratch.push_back(cut(p, q));
            if (iq) scratch.push_back(q);
            p = q, ip = iq;
        }
        std::swap(out, scratch);
    };
    auto at_x = [](double x) { return [x](Vec2 p, Vec2 q) { return Vec2{x, p.y + (q.y - p.y) * ((x - p.x) / (q.x - p.x))}; }; };
    auto at_y = [](double y) { return [y](Vec2 p, Vec2 q) { return Vec2{p.x + (q.x - p.x) * ((y - p.y) / (q.y - p.y)), y}; }; };
    by_side([&](Vec2 p) { return p.x >= kb.xmin; }, at_x(kb.xmin));
    by_side([&](Vec2 p) { return p.x <= kb.xmax; }, at_x(kb.xmax));
    by_side([&](Vec2 p) { return p.y >= kb.ymin; }, at_y(kb.ymin));
    by_side([&](Vec2 p) { return p.y <= kb.ymax; }, at_y(kb.ymax));
    for (size_t e = 0, m = k.size(); e < m && !out.empty(); ++e) {
        const Vec2 a = k[e], b = k[(e + 1) % m];
        if (a == b) continue;  // a repeated vertex: no line to cut by
        // Each vertex's side decided once, exactly (a vertex on the line is inside), with the
        // rounded distance orient(b, p, a) ≈ cross(b − a, p − a) the cut is placed by, clamped to
        // [p, q]: where a rounded distance has the wrong sign its point lies within rounding of
        // the line, and the clamp picks that very point.
        const size_t n = out.size();
        sides.resize(n);
        for (size_t i = 0; i < n; ++i) sides[i].in = orient(b, out[i], a, sides[i].dist) >= 0;
        scratch.clear();
        for (size_t i = 0, j = n - 1; i < n; j = i++) {
            const Side& sp = sides[j];
            const Side& sq = sides[i];
            if (sp.in != sq.in) {
                const Vec2 p = out[j], q = out[i];
                const double t = sp.dist / (sp.dist - sq.dist);
                scratch.push_back(p + (q - p) * (std::isnan(t) ? 0.5 : std::clamp(t, 0.0, 1.0)));
            }
            if (sq.in) scratch.push_back(out[i]);
        }
        std::swap(out, scratch);
    }
    if (out.size() < 3) out.clear();
}

constexpr double kNegligible = 1e-9;  // m²: an intersection of views this small is left out
constexpr size_t kMaxConvexGroup = 3;  // 2^n − 1 intersections: past three views the sweep is cheaper

/**
 * area(clip ∩ ⋃ views) for a few convex views, by inclusion–exclusion: each intersection of
 * views is convex, and the clip is cut by it exactly.
 *
 * Only input rings ever cut: ∩ of the views in a mask is the ∩ of the views in the rest cut by
 * the lowest view, and the clip's part in it likewise (clip ∩ rest, cut by that view). A computed
 * intersection is never used to cut anything: its vertices are rounded crossings, and where two
 * of them fall within rounding of each other (views on one pole, a crossing at a vertex) the
 * "edge" between them points anywhere; cutting by its line took away a piece of the cell
 * (issue 12: 72 m² of two cameras on one pole counted twice). Input views are convex exactly
 * (convex_ring decides by orient), so each of their edges' lines bounds them.
 */
class ConvexGroup {
public:
    /** views: convex rings; bit i of insidesclip: view i lies wholly inside the clip. */
    ConvexGroup(const MultiPolygon& clip, const std::vector<const Ring*>& views, Vec2 o, unsigned insidesclip)
        : insidesclip_(insidesclip) {
        for (const Ring* r : views) {
            std::vector<Vec2> v;
            for (Vec2 p : *r) v.push_back(p - o);
            if (signed_area(v) < 0) std::reverse(v.begin(), v.end());
            views_.push_back(std::move(v));
        }
        for (const auto& poly : clip)
            for (size_t r = 0; r < poly.rings.size(); ++r) {
                std::vector<Vec2> ring;
                for (Vec2 p : poly.rings[r]) ring.push_back(p - o);
                clip_rings_.push_back(std::move(ring));
                hole_.push_back(r > 0);
            }
    }
    double area() {
        const size_t n = views_.size(), masks = size_t{1} << n;
        std::vector<std::vector<Vec2>> meet(masks);            // meet[mask]: ∩ of the views in mask
        std::vector<std::vector<std::vector<Vec2>>> cut(masks);  // cut[mask][r]: clip ring r ∩ meet[mask]
        cut[0] = clip_rings_;
        double total = 0;
        for (size_t mask = 1; mask < masks; ++mask) {
            const size_t low = static_cast<size_t>(std::countr_zero(mask)), rest = mask & (mask - 1);
            if (rest == 0) {
                meet[mask] = views_[low];
            } else if (!meet[rest].empty()) {
                clip_convex(meet[rest], views_[low], meet[mask], scratch_);
            }
            // Views that only touch (two cameras on one pole) meet in a point or a sliver: a window
            // that thin cuts nothing reliably, and whatever it holds is at most its own area.
            const double whole = meet[mask].empty() ? 0 : signed_area(meet[mask]);
            if (whole <= kNegligible) {
                meet[mask].clear();
                continue;
            }
            // An intersection with a view inside the clip lies inside it too. Otherwise no view of
            // the rest lies inside the clip either, so cut[rest] is there to be cut further.
            double a = whole;
            if (!(mask & insidesclip_)) {
                cut[mask].resize(clip_rings_.size());
                a = 0;
                for (size_t r = 0; r < clip_rings_.size(); ++r) {
                    clip_convex(cut[rest][r], views_[low], cut[mask][r], scratch_);
                    a += (hole_[r] ? -1 : 1) * std::abs(signed_area(cut[mask][r]));
                }
                a = std::clamp(a, 0.0, whole);
            }
            total += std::popcount(mask) % 2 == 1 ? a : -a;
        }
        return total;
    }

private:
    unsigned insidesclip_;
    std::vector<std::vector<Vec2>> views_, clip_rings_;
    std::vector<char> hole_;
    std::vector<Vec2> scratch_;
};

/**
 * The sweep decides nothing topological, so it needs no exact predicate: the covered length of a
 * vertical line is read off the sorted heights of the edges there, and two edges whose order is
 * wrong by rounding are within rounding of each other, with no length between them. A crossing
 * missed (or found twice) inside a slab only bends the linear interpolation over a width where
 * the two edges lie within rounding: the error is that width times a rounding. Vertices on edges,
 * collinear and shared edges (same pole, a view along the cell's edge) are heights that tie; the
 * walk adds zero between ties in either order. Fuzzed (issue 12) with no failure.
 */
struct Sweep {
    std::vector<SweepEdge> edges;
    std::vector<double> xs, cuts, ya, yb;
    std::vector<size_t> active;
    struct Crossing {
        double y;
        int owner, dir;
    };
    std::vector<Crossing> line;
    std::vector<int> winding;
    bool clip_everywhere = false;

    /** The length inside the clip and inside at least one part of a vertical line crossing `line`. */
    double walk() {
        double len = 0, prev = 0;
        int in_clip = clip_everywhere ? 1 : 0, parts_inside = 0;
        for (const Crossing& c : line) {
            if (in_clip != 0 && parts_inside > 0) len += c.y - prev;
            prev = c.y;
            if (c.owner == 0) {
                in_clip += c.dir;
            } else {
                int& w = winding[c.owner];
                parts_inside -= w != 0;
                w += c.dir;
                parts_inside += w != 0;
            }
        }
        for (const Crossing& c : line) winding[c.owner] = 0;
        return len;
    }

    /** The covered length of the vertical line at x. */
    double covered_length(double x) {
        line.clear();
        for (size_t i : active) line.push_back({edges[i].y_at(x), edges[i].owner, edges[i].dir});
        std::sort(line.begin(), line.end(), [](const Crossing& a, const Crossing& b) { return a.y < b.y; });
        return walk();
    }

    /** covered_length at the middle of a slab whose active edges keep their order (ya, yb) across it. */
    double ordered_length() {
        line.clear();
        for (size_t k = 0; k < active.size(); ++k)
            line.push_back({(ya[k] + yb[k]) / 2, edges[active[k]].owner, edges[active[k]].dir});
        return walk();
    }

    /**
     * The covered area over lo ≤ x ≤ hi (outside it no part reaches). Without clip edges the
     * clip is taken to hold the whole range.
     */
    double run(int n_owners, double lo, double hi, bool with_clip) {
        winding.assign(n_owners + 1, 0);
        std::sort(edges.begin(), edges.end(), [](const SweepEdge& a, const SweepEdge& b) { return a.x0 < b.x0; });
        xs.clear();
        for (const auto& e : edges) {
            if (e.x0 >= lo) xs.push_back(e.x0);
            if (e.x1 <= hi) xs.push_back(e.x1);
        }
        std::sort(xs.begin(), xs.end());
        xs.erase(std::unique(xs.begin(), xs.end()), xs.end());
        active.clear();
        clip_everywhere = !with_clip;
        double area = 0;
        size_t next = 0;
        for (size_t s = 0; s + 1 < xs.size(); ++s) {
            const double xa = xs[s], xb = xs[s + 1];
            active.erase(std::remove_if(active.begin(), active.end(), [&](size_t i) { return edges[i].x1 <= xa; }),
                         active.end());
            while (next < edges.size() && edges[next].x0 <= xa) active.push_back(next++);
            bool clip = false, part = false;
            for (size_t i : active) (edges[i].owner == 0 ? clip : part) = true;
            if ((with_clip && !clip) || !part) continue;
            // The active edges in order of height at xa (ties by height at xb): kept from the last
            // slab, so an insertion sort has little to move.
            ya.resize(active.size()), yb.resize(active.size());
            for (size_t k = 0; k < active.size(); ++k) {
                const size_t i = active[k];
                const double a = edges[i].y_at(xa), b = edges[i].y_at(xb);
                size_t j = k;
                for (; j > 0 && (ya[j - 1] > a || (ya[j - 1] == a && yb[j - 1] > b)); --j)
                    active[j] = active[j - 1], ya[j] = ya[j - 1], yb[j] = yb[j - 1];
                active[j] = i, ya[j] = a, yb[j] = b;
            }
            bool crossing = false;
            for (size_t k = 0; k + 1 < active.size() && !crossing; ++k) crossing = yb[k] > yb[k + 1];
            if (!crossing) {  // the order holds over the slab: the covered length is linear in x
                area += (xb - xa) * ordered_length();
                continue;
            }
            // Where two edges cross inside the slab, the covered length stops being linear: the
            // slab is cut there.
            cuts.assign({xa, xb});
            for (size_t i = 0; i < active.size(); ++i)
                for (size_t j = i + 1; j < active.size(); ++j) {
                    const double d0 = ya[i] - ya[j], d1 = yb[i] - yb[j];
                    if ((d0 < 0 && d1 > 0) || (d0 > 0 && d1 < 0))
                        cuts.push_back(std::clamp(xa + (xb - xa) * (d0 / (d0 - d1)), xa, xb));
                }
            std::sort(cuts.begin(), cuts.end());
            for (size_t c = 0; c + 1 < cuts.size(); ++c)
                if (cuts[c + 1] > cuts[c]) area += (cuts[c + 1] - cuts[c]) * covered_length((cuts[c] + cuts[c + 1]) / 2);
        }
        return area;
    }
};

}  // namespace

double union_area_within(const MultiPolygon& clip, const std::vector<const MultiPolygon*>& parts) {
    std::vector<AreaPart> found;
    found.reserve(parts.size());
    for (const MultiPolygon* p : parts) found.push_back(AreaPart::of(*p));
    return union_area_within(clip, found);
}

double union_area_within(const MultiPolygon& clip, const std::vector<AreaPart>& parts) {
    const Box cb = bounds(clip);
    if (cb.empty() || parts.empty()) return 0;
    const Vec2 o{cb.xmin, cb.ymin};
    std::vector<std::pair<Vec2, Vec2>> clip_edges;
    for (const auto& poly : clip)
        for (const auto& ring : poly.rings)
            for (size_t i = 0, n = ring.size(); i < n; ++i) clip_edges.push_back({ring[i], ring[(i + 1) % n]});
    // A part that no clip edge meets lies wholly inside the clip or wholly outside it.
    std::vector<size_t> kept;
    std::vector<Box> boxes;
    std::vector<char> on_edge;
    for (size_t k = 0; k < parts.size(); ++k) {
        const MultiPolygon& part = *parts[k].shape;
        const Box b = parts[k].box;
        if (!b.intersects(cb)) continue;
        // A part in pieces (a view split by terrain) may lie on both sides with no edge between:
        // it is always cut by the clip.
        const bool near_edge =
            part.size() > 1 || std::any_of(clip_edges.begin(), clip_edges.end(), [&](const auto& e) {
                return segment_meets_box(e.first, e.second, b) && segment_meets_area(e.first, e.second, part);
            });
        if (!near_edge && !inside(clip, first_vertex(part))) continue;
        kept.push_back(k), boxes.push_back(b), on_edge.push_back(near_edge);
    }
    // Parts whose boxes overlap form a group; the groups are swept one by one.
    std::vector<size_t> group(kept.size());
    for (size_t i = 0; i < kept.size(); ++i) group[i] = i;
    auto root = [&](size_t i) {
        while (group[i] != i) i = group[i] = group[group[i]];
        return i;
    };
    for (size_t i = 0; i < kept.size(); ++i)
        for (size_t j = i + 1; j < kept.size(); ++j)
            if (boxes[i].intersects(boxes[j])) group[root(i)] = root(j);
    thread_local Sweep sweep;
    double area = 0;
    std::vector<char> done(kept.size(), 0);
    for (size_t g = 0; g < kept.size(); ++g) {
        if (done[g] || root(g) != g) continue;
        std::vector<size_t> members;
        for (size_t i = 0; i < kept.size(); ++i)
            if (root(i) == g) members.push_back(i), done[i] = 1;
        // Most views stand alone inside one cell: counted whole.
        if (members.size() == 1 && !on_edge[g] && parts[kept[g]].shape->size() == 1) {
            area += gw::area(parts[kept[g]].shape->front());
            continue;
        }
        bool with_clip = false;
        for (size_t i : members) with_clip = with_clip || on_edge[i];
        // A few convex views: inclusion–exclusion over their intersections, each clipped exactly.
        if (members.size() <= kMaxConvexGroup) {
            std::vector<const Ring*> convex;
            unsigned insidesclip = 0;  // bit i: view i lies wholly inside the clip
            for (size_t i : members) {
                if (!on_edge[i]) insidesclip |= 1u << convex.size();
                if (const Ring* r = parts[kept[i]].convex) convex.push_back(r);
            }
            if (convex.size() == members.size()) {
                area += ConvexGroup(clip, convex, o, insidesclip).area();
                continue;
            }
        }
        sweep.edges.clear();
        Box gb;
        for (size_t i : members) {
            add_rings(*parts[kept[i]].shape, static_cast<int>(i) + 1, o, sweep.edges);
            gb.add(boxes[i]);
        }
        if (with_clip) {
            const size_t n_part_edges = sweep.edges.size();
            add_rings(clip, 0, o, sweep.edges);
            // Only clip edges over the group's x-range matter (those below it set the winding).
            sweep.edges.erase(std::remove_if(sweep.edges.begin() + static_cast<long>(n_part_edges), sweep.edges.end(),
                                             [&](const SweepEdge& e) { return e.x1 <= gb.xmin - o.x || e.x0 >= gb.xmax - o.x; }),
                              sweep.edges.end());
        }
        area += sweep.run(static_cast<int>(kept.size()), gb.xmin - o.x, gb.xmax - o.x, with_clip);
    }
    return area;
}

}  // namespace gw
