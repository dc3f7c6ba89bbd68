#pragma once
/**
 * Plain geometry in the metric working CRS: what analyses and the renderer share.
 * Rings are closed implicitly (the first point is not repeated at the end).
 */
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <vector>

namespace gw {

struct Vec2 {
    double x = 0, y = 0;
    friend Vec2 operator+(Vec2 a, Vec2 b) { return {a.x + b.x, a.y + b.y}; }
    friend Vec2 operator-(Vec2 a, Vec2 b) { return {a.x - b.x, a.y - b.y}; }
    friend Vec2 operator*(Vec2 a, double s) { return {a.x * s, a.y * s}; }
    friend bool operator==(Vec2 a, Vec2 b) { return a.x == b.x && a.y == b.y; }
};

inline double dot(Vec2 a, Vec2 b) { return a.x * b.x + a.y * b.y; }
inline double cross(Vec2 a, Vec2 b) { return a.x * b.y - a.y * b.x; }

namespace detail {
/** The exact sign of ax·by − ax·cy − cx·by − ay·bx + ay·cx + cy·bx: six exact products summed as a
 * nonoverlapping expansion (Shewchuk 1997, two-product by fma, grow-expansion by two-sum). */
[[gnu::noinline]] inline int orient2d_exact(double ax, double ay, double bx, double by, double cx, double cy) {
    double e[12];
    int n = 0;
    auto add = [&](double p, double q) {  // e += p·q, exactly
        const double hi = p * q, lo = std::fma(p, q, -hi);
        for (double v : {lo, hi}) {
            int m = 0;
            for (int i = 0; i < n; ++i) {  // grow-expansion: v + e, zeros dropped
                const double s = e[i] + v, bv = s - e[i], err = (e[i] - (s - bv)) + (v - bv);
                if (err != 0) e[m++] = err;
                v = s;
            }
            if (v != 0) e[m++] = v;
            n = m;
        }
    };
    add(ax, by), add(-ax, cy), add(-cx, by), add(-ay, bx), add(ay, cx), add(cy, bx);
    // The largest component (the last one) carries the sign of the whole expansion.
    return n == 0 ? 0 : (e[n - 1] > 0) - (e[n - 1] < 0);
}
}  // namespace detail

/**
 * The exact sign of cross(b − a, c − a): +1 when a, b, c turn counter-clockwise, −1 clockwise,
 * 0 exactly collinear. The plain determinant decides whenever its error bound allows (almost
 * always); near-collinear input falls back to exact arithmetic (Shewchuk's orient2d, stage A then
 * exact). Every predicate below that decides a side goes through here, so that two predicates
 * never disagree about the same three points.
 */
inline int orient(Vec2 a, Vec2 b, Vec2 c, double& det) {  // det: the rounded (a − c) × (b − c), for cuts
    const double detl = (a.x - c.x) * (b.y - c.y), detr = (a.y - c.y) * (b.x - c.x);
    det = detl - detr;
    // Shewchuk's first exits: the signs of the rounded products are exact (a rounded difference is
    // zero only when exact, and keeps its sign), so when they differ, or one is zero, so is det's.
    // Points that share a coordinate (cells drawn along roads, sectors from one pole) end here.
    if ((detl > 0 && detr <= 0) || (detl < 0 && detr >= 0) || detl == 0) return (det > 0) - (det < 0);
    constexpr double kErrA = (3.0 + 16.0 * 1.1102230246251565e-16) * 1.1102230246251565e-16;  // ccwerrboundA
    const double bound = kErrA * (std::abs(detl) + std::abs(detr));
    if (det > bound) return 1;
    if (-det > bound) return -1;
    return detail::orient2d_exact(a.x, a.y, b.x, b.y, c.x, c.y);
}
inline int orient(Vec2 a, Vec2 b, Vec2 c) {
    double det;
    return orient(a, b, c, det);
}
// √(x² + y²), not glibc's hypot: that one is careful to the last ulp and costs ~20 ns, a twentieth of
// `patrols`; this one is within an ulp or two, and squares of coordinates in metres cannot overflow.
inline double length(Vec2 a) { return std::sqrt(a.x * a.x + a.y * a.y); }
inline double distance(Vec2 a, Vec2 b) { return length(a - b); }

struct Box {
    double xmin = std::numeric_limits<double>::infinity(), ymin = std::numeric_limits<double>::infinity();
    double xmax = -std::numeric_limits<double>::infinity(), ymax = -std::numeric_limits<double>::infinity();
    bool empty() const { return xmin > xmax || ymin > ymax; }
    void add(Vec2 p) {
        xmin = std::min(xmin, p.x), ymin = std::min(ymin, p.y);
        xmax = std::max(xmax, p.x), ymax = std::max(ymax, p.y);
    }
    void add(const Box& b) {
        if (b.empty()) return;
        add(Vec2{b.xmin, b.ymin}), add(Vec2{b.xmax, b.ymax});
    }
    bool contains(Vec2 p) const { return p.x >= xmin && p.x <= xmax && p.y >= ymin && p.y <= ymax; }
    bool intersects(const Box& b) const {
        return !(b.xmin > xmax || b.xmax < xmin || b.ymin > ymax || b.ymax < ymin);
    }
    double width() const { return xmax - xmin; }
    double height() const { return ymax - ymin; }
    Vec2 center() const { return {(xmin + xmax) / 2, (ymin + ymax) / 2}; }
    /** The box d further out on every side. */
    Box grown(double d) const { return {xmin - d, ymin - d, xmax + d, ymax + d}; }
};

using Ring = std::vector<Vec2>;
using LineString = std::vector<Vec2>;

/** A polygon: rings[0] is the shell, the rest are holes. */
struct Polygon {
    std::vector<Ring> rings;
};
using MultiPolygon = std::vector<Polygon>;
using MultiLineString = std::vector<LineString>;

/** Length of a line, m. */
inline double length(const LineString& l) {
    double s = 0;
    for (size_t i = 0; i + 1 < l.size(); ++i) s += distance(l[i], l[i + 1]);
    return s;
}
inline double length(const MultiLineString& ml) {
    double s = 0;
    for (const LineString& l : ml) s += length(l);
    return s;
}

/** Signed area of a ring (positive when counter-clockwise), m². */
inline double signed_area(const Ring& r) {
    // About the first vertex: far from the origin (Gauss-Kruger metres) plain sums lose digits.
    if (r.empty()) return 0;
    const Vec2 o = r[0];
    double a = 0;
    for (size_t i = 1, n = r.size(); i + 1 < n; ++i) a += cross(r[i] - o, r[i + 1] - o);
    return a / 2;
}
inline double area(const Polygon& p) {
    double a = 0;
    for (size_t i = 0; i < p.rings.size(); ++i) a += (i == 0 ? 1 : -1) * std::abs(signed_area(p.rings[i]));
    return a;
}
inline double area(const MultiPolygon& mp) {
    double a = 0;
    for (const auto& p : mp) a += area(p);
    return a;
}
inline Box bounds(const Ring& r) {
    Box b;
    for (auto p : r) b.add(p);
    return b;
}
inline Box bounds(const MultiPolygon& mp) {
    Box b;
    for (const auto& p : mp)
        if (!p.rings.empty()) b.add(bounds(p.rings[0]));
    return b;
}
inline Box bounds(const MultiLineString& ml) {
    Box b;
    for (const auto& l : ml) b.add(bounds(l));
    return b;
}

/** Whether the ray from p to +x crosses edge a–b: the one test of an edge of inside (below). */
inline bool ray_crosses(Vec2 a, Vec2 b, Vec2 p) {
    return (a.y > p.y) != (b.y > p.y) && orient(a, b, p) == (b.y > a.y ? 1 : -1);
}
/**
 * Even-odd point-in-ring test, exact for points off the outline (boundary points may fall either
 * way). The ray runs towards +x; an edge counts when it spans p.y half-open (a vertex at p.y
 * counts for the edge above it only, so a collinear vertex is no crossing) and p lies strictly on
 * the inner side of it, decided by orient, not by a rounded crossing abscissa.
 */
inline bool inside(const Ring& r, Vec2 p) {
    bool in = false;
    for (size_t i = 0, n = r.size(), j = n - 1; i < n; j = i++)
        if (ray_crosses(r[i], r[j], p)) in = !in;
    return in;
}
inline bool inside(const Polygon& poly, Vec2 p) {
    if (poly.rings.empty() || !inside(poly.rings[0], p)) return false;
    for (size_t i = 1; i < poly.rings.size(); ++i)
        if (inside(poly.rings[i], p)) return false;
    return true;
}
inline bool inside(const MultiPolygon& mp, Vec2 p) {
    for (const auto& poly : mp)
        if (inside(poly, p)) return true;
    return false;
}

/**
 * One ring's edges by height, for many questions of one ring (the points a new camera's view may
 * hold): `inside` asks only the edges of p's slab, among them every edge whose heights span p's,
 * which are the only ones gw::inside(ring, p) counts a crossing of, by the same test: the same
 * answer, bit for bit. The ring is referred to, not copied.
 */
class RingSlabs {
public:
    RingSlabs(Ring&&) = delete;  // held by reference: a temporary would be gone
    explicit RingSlabs(const Ring& r) : ring_(r) {
        const size_t n = r.size();
        if (n < 3) return;
        double y1 = r[0].y;
        y0_ = r[0].y;
        for (const Vec2& v : r) y0_ = std::min(y0_, v.y), y1 = std::max(y1, v.y);
        slabs_ = static_cast<int>(std::clamp<size_t>(n / 16, 1, 4096));
        h_ = std::max((y1 - y0_) / slabs_, 1e-300);
        first_.assign(static_cast<size_t>(slabs_) + 1, 0);
        // Edge i runs from r[i] to r[i − 1] (gw::inside's pairs): listed in each slab its heights
        // meet, from its lower end's to its upper end's (slab is monotone: each vertex's found once).
        std::vector<int> at_vertex(n);
        for (size_t i = 0; i < n; ++i) at_vertex[i] = slab(r[i].y);
        auto each_edge = [&](auto&& fn) {
            for (size_t i = 0, j = n - 1; i < n; j = i++) {
                const int lo = std::min(at_vertex[i], at_vertex[j]),
                          hi = std::max(at_vertex[i], at_vertex[j]);
                for (int k = lo; k <= hi; ++k) fn(k, i);
            }
        };
        each_edge([&](int k, size_t) { ++first_[static_cast<size_t>(k) + 1]; });
        for (size_t k = 1; k < first_.size(); ++k) first_[k] += first_[k - 1];
        edges_.resize(first_.back());
        std::vector<uint32_t> at(first_.begin(), first_.end() - 1);
        each_edge([&](int k, size_t i) { edges_[at[static_cast<size_t>(k)]++] = static_cast<uint32_t>(i); });
    }
    bool inside(Vec2 p) const {
        if (slabs_ == 0) return false;
        const int k = slab(p.y);
        const size_t n = ring_.size();
        bool in = false;
        for (uint32_t e = first_[static_cast<size_t>(k)]; e < first_[static_cast<size_t>(k) + 1]; ++e) {
            const size_t i = edges_[e], j = i ? i - 1 : n - 1;
            if (ray_crosses(ring_[i], ring_[j], p)) in = !in;
        }
        return in;
    }

private:
    /**
     * The slab of a height: monotone in y, so an edge's slabs run from its low end's to its high
     * end's. Clamped before the cast (a height far off, or NaN, goes to an end slab, where the same
     * crossing test is asked: NaN crosses no edge).
     */
    int slab(double y) const {
        const double t = std::floor((y - y0_) / h_);
        return !(t > 0) ? 0 : t >= slabs_ - 1 ? slabs_ - 1 : static_cast<int>(t);
    }

    const Ring& ring_;
    double y0_ = 0, h_ = 1;
    int slabs_ = 0;
    std::vector<uint32_t> first_;  // slab k's edges: edges_[first_[k] … first_[k + 1])
    std::vector<uint32_t> edges_;
};

/** Whether p lies exactly on an edge of mp (orient 0 within the edge's box). */
inline bool on_outline(const MultiPolygon& mp, Vec2 p) {
    for (const auto& poly : mp)
        for (const auto& ring : poly.rings)
            for (size_t i = 0, n = ring.size(); i < n; ++i) {
                const Vec2 a = ring[i], b = ring[(i + 1) % n];
                if (p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) && p.y >= std::min(a.y, b.y) &&
                    p.y <= std::max(a.y, b.y) && orient(a, b, p) == 0)
                    return true;
            }
    return false;
}
/**
 * Whether p lies in the closed area of mp: inside, or exactly on an edge. What a view sees: a road
 * along a view's straight edge is seen, as GEOS's intersection with the closed polygon keeps it.
 */
inline bool inside_or_on(const MultiPolygon& mp, Vec2 p) {
    return inside(mp, p) || on_outline(mp, p);  // most points asked are inside: one pass over the edges
}

/** Whether fn(a, b) holds for some edge a→b of the rings of mp. */
template <typename Fn>
bool any_edge(const MultiPolygon& mp, Fn&& fn) {
    for (const auto& poly : mp)
        for (const auto& ring : poly.rings)
            for (size_t i = 0, n = ring.size(); i < n; ++i)
                if (fn(ring[i], ring[(i + 1) % n])) return true;
    return false;
}

/** Whether closed segments ab and cd share a point (touching ends and collinear overlaps count). */
inline bool segments_meet(Vec2 a, Vec2 b, Vec2 c, Vec2 d) {
    if (std::max(a.x, b.x) < std::min(c.x, d.x) || std::max(c.x, d.x) < std::min(a.x, b.x) ||
        std::max(a.y, b.y) < std::min(c.y, d.y) || std::max(c.y, d.y) < std::min(a.y, b.y))
        return false;
    // Each segment's ends on both sides of (or on) the other's line; when all four points are
    // collinear, the overlapping boxes already say the segments overlap. Exact (orient): a vertex
    // on an edge, a crossing at a collinear vertex, always meet.
    return orient(a, b, c) * orient(a, b, d) <= 0 && orient(c, d, a) * orient(c, d, b) <= 0;
}

/**
 * Whether the ring is certainly simple: at least three distinct points, no two edges meeting
 * except neighbours at their shared vertex, no edge folding back on the one before. "false" only
 * means "not certain" (near touches included, and a long ring whose edges' boxes overlap too much
 * to pair quickly): ask GEOS then. A long ring's edges are paired by a sweep over x + φ·y of their
 * boxes (each against those whose range of it overlaps its own), so the cells that follow roads
 * and terrain with hundreds of vertices need not go to GEOS either.
 */
inline bool ring_clearly_simple(const Ring& ring) {
    thread_local std::vector<Vec2> r;
    thread_local std::vector<double> tol;
    r.clear();
    for (Vec2 p : ring) {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) return false;
        if (r.empty() || !(p == r.back())) r.push_back(p);
    }
    while (r.size() > 1 && r.front() == r.back()) r.pop_back();
    const size_t n = r.size();
    if (n < 3 || n >= std::numeric_limits<uint32_t>::max()) return false;
    // The first two points again after the last: edge i runs from r[i] to r[i + 1], and the one
    // after it on to r[i + 2], without a division for the wrap.
    r.push_back(r[0]), r.push_back(r[1]);
    // A point within kEps × (edge length) × (ring size) of an edge's line counts as on it.
    constexpr double kEps = 1e-9;
    Box box;
    for (size_t i = 0; i < n; ++i) box.add(r[i]);
    const double size = std::max(box.width(), box.height());
    tol.resize(n);
    for (size_t i = 0; i < n; ++i) {
        const Vec2 e = r[i + 1] - r[i];
        tol[i] = kEps * std::sqrt(dot(e, e)) * size;
    }
    auto one_side = [&](size_t e, Vec2 u, Vec2 v) {  // u and v clearly on one side of edge e's line
        const Vec2 p = r[e], d = r[e + 1] - p;
        const double su = cross(d, u - p), sv = cross(d, v - p);
        return (su > tol[e] && sv > tol[e]) || (su < -tol[e] && sv < -tol[e]);
    };
    for (size_t i = 0; i < n; ++i) {
        const Vec2 a = r[i], b = r[i + 1], c = r[i + 2];
        // (The turn's sign first: most turn forward, and the root and the division are left.)
        if (dot(b - a, c - b) < 0 &&
            std::abs(cross(b - a, c - b)) <= tol[i] * std::sqrt(dot(c - b, c - b)) / std::max(size, 1e-300))
            return false;  // a spike: the next edge folds back
    }
    struct EdgeBox {
        double xlo, xhi, ylo, yhi;
    };
    const auto box_of = [&](size_t e) {
        const Vec2 a = r[e], b = r[e + 1];
        return EdgeBox{std::min(a.x, b.x), std::max(a.x, b.x), std::min(a.y, b.y), std::max(a.y, b.y)};
    };
    const auto meet = [](const EdgeBox& p, const EdgeBox& q) {
        return !(q.xlo > p.xhi || q.xhi < p.xlo || q.yhi < p.ylo || q.ylo > p.yhi);
    };
    thread_local std::vector<EdgeBox> boxes;
    boxes.resize(n);
    if (n <= 32) {  // a short ring: every pair of edges but neighbours, in ring order
        for (size_t e = 0; e < n; ++e) boxes[e] = box_of(e);
        for (size_t i = 0; i + 2 < n; ++i)
            for (size_t j = i + 2, end = i == 0 ? n - 1 : n; j < end; ++j)
                if (meet(boxes[i], boxes[j]) && !one_side(i, r[j], r[j + 1]) && !one_side(j, r[i], r[i + 1]))
                    return false;
        return true;
    }
    // Edge i against every later edge j (in the order of their boxes' lower-left x + φ·y, φ the
    // golden ratio's 0.618…) whose box's lower-left x + φ·y is at most the upper-right x + φ·y of
    // edge i's box: every pair of edges whose boxes meet (rounding a product by a positive constant
    // and a sum is monotone, so meeting boxes have meeting ranges), and along a cell's straight
    // sides only an edge and its neighbours, unless a side runs at exactly the slope −1/φ. (Swept
    // over x alone, the edges of a vertical side all shared one x and paired each with each; over
    // x + y, those of a side at 135°.)
    constexpr double kSlant = 0.6180339887498949;
    const auto key = [](double x, double y) { return x + kSlant * y; };  // one expression for both ends
    struct Key {
        double lo;  // the lower-left x + φ·y of the edge's box
        uint32_t edge;
    };
    const auto before = [](const Key& a, const Key& b) { return a.lo < b.lo; };
    thread_local std::vector<Key> order, merged;
    thread_local std::vector<size_t> runs;
    order.resize(n), merged.resize(n);
    for (uint32_t e = 0; e < n; ++e)
        order[e] = {key(std::min(r[e].x, r[e + 1].x), std::min(r[e].y, r[e + 1].y)), e};
    // Around a cell the keys rise and fall a few times (4.5 runs in a county's long cells): its runs
    // merged, a falling one turned first, cost less than a sort.
    runs.clear();
    for (size_t s = 0; s < n;) {
        size_t e = s + 1;
        if (e < n && order[e].lo < order[s].lo) {
            while (e < n && order[e].lo <= order[e - 1].lo) ++e;
            std::reverse(order.begin() + s, order.begin() + e);
        } else {
            while (e < n && order[e].lo >= order[e - 1].lo) ++e;
        }
        runs.push_back(s);
        s = e;
    }
    if (runs.size() > 32)
        std::sort(order.begin(), order.end(), before);
    else
        while (runs.size() > 1) {  // pairs of runs merged, until one is left
            size_t kept = 0;
            for (size_t k = 0; k < runs.size(); k += 2) {
                const size_t from = runs[k], mid = k + 1 < runs.size() ? runs[k + 1] : n,
                             to = k + 2 < runs.size() ? runs[k + 2] : n;
                std::merge(order.begin() + from, order.begin() + mid, order.begin() + mid, order.begin() + to,
                           merged.begin() + from, before);
                runs[kept++] = from;
            }
            runs.resize(kept);
            order.swap(merged);
        }
    for (size_t k = 0; k < n; ++k) boxes[k] = box_of(order[k].edge);  // beside their keys
    // Edges whose boxes all overlap (a comb) pair every one with every other: past a budget of
    // pairs the answer is left to GEOS, whose noding is n log n.
    size_t budget = 16 * n + 1024;
    for (size_t k = 0; k < n; ++k) {
        const uint32_t i = order[k].edge;
        const double khi = key(boxes[k].xhi, boxes[k].yhi);
        for (size_t m = k + 1; m < n && order[m].lo <= khi; ++m) {
            if (--budget == 0) return false;
            const uint32_t j = order[m].edge;
            // Neighbours share their vertex.
            if (j == i + 1 || i == j + 1 || (i == 0 && j == n - 1) || (j == 0 && i == n - 1)) continue;
            if (meet(boxes[k], boxes[m]) && !one_side(i, r[j], r[j + 1]) && !one_side(j, r[i], r[i + 1]))
                return false;
        }
    }
    return true;
}

/** Whether two polygonal areas share a point (touching boundaries count). */
inline bool polygons_meet(const MultiPolygon& a, const MultiPolygon& b) {
    const Box ba = bounds(a), bb = bounds(b);
    if (!ba.intersects(bb)) return false;
    auto any_vertex_inside = [](const MultiPolygon& from, const MultiPolygon& in) {
        for (const auto& poly : from)
            for (const auto& ring : poly.rings)
                for (Vec2 p : ring)
                    if (inside(in, p)) return true;
        return false;
    };
    if (any_vertex_inside(a, b) || any_vertex_inside(b, a)) return true;
    for (const auto& pa : a)
        for (const auto& ra : pa.rings)
            for (size_t i = 0, n = ra.size(); i < n; ++i) {
                const Vec2 p = ra[i], q = ra[(i + 1) % n];
                Box e;
                e.add(p), e.add(q);
                if (!e.intersects(bb)) continue;
                for (const auto& pb : b)
                    for (const auto& rb : pb.rings)
                        for (size_t j = 0, m = rb.size(); j < m; ++j)
                            if (segments_meet(p, q, rb[j], rb[(j + 1) % m])) return true;
            }
    return false;
}

/**
 * Whether a ring is convex (collinear and repeated vertices allowed; convex_ring: the ring of a
 * polygon that is one convex ring, else null). Decided exactly (orient): every edge's line bounds a ring called convex, so clipping by
 * those lines (Sutherland–Hodgman, Cyrus–Beck) is right. Repeated vertices are stepped over (the
 * turn at a point is between the edges to and from its distinct neighbours: snapped input repeats
 * points), and a ring folding back along a line (a spike, collinear but reversed) is not convex.
 */
inline bool ring_convex(const Ring& ring) {
    thread_local std::vector<Vec2> r;
    r.clear();
    for (Vec2 p : ring)
        if (r.empty() || !(p == r.back())) r.push_back(p);
    while (r.size() > 1 && r.front() == r.back()) r.pop_back();
    const size_t n = r.size();
    if (n < 3) return false;
    int left = 0, right = 0, turns = 0, last_dx = 0;
    for (size_t i = 0; i < n; ++i) {
        const Vec2 a = r[i], b = r[(i + 1) % n], c = r[(i + 2) % n];
        const int t = orient(a, b, c);
        left += t > 0, right += t < 0;
        if (t == 0 && dot(b - a, c - b) < 0) return false;  // folds back
        // Turning one way only and once around: the x direction changes sign twice at most.
        const int dx = (b.x > a.x) - (b.x < a.x);
        if (dx != 0) {
            turns += last_dx != 0 && dx != last_dx;
            last_dx = dx;
        }
    }
    for (size_t i = 0; i < n && last_dx != 0; ++i) {  // close the cycle: first x direction against the last
        const int dx = (r[(i + 1) % n].x > r[i].x) - (r[(i + 1) % n].x < r[i].x);
        if (dx != 0) {
            turns += dx != last_dx;
            break;
        }
    }
    return (left == 0 || right == 0) && (left + right > 0) && turns <= 2;
}
inline const Ring* convex_ring(const MultiPolygon& mp) {
    if (mp.size() != 1 || mp[0].rings.size() != 1 || mp[0].rings[0].size() < 3) return nullptr;
    return ring_convex(mp[0].rings[0]) ? &mp[0].rings[0] : nullptr;
}

/**
 * The part [t0, t1] of segment a→b (a + t (b − a), 0 ≤ t ≤ 1) inside the convex ring (either
 * way round), boundary included; false when the segment misses it (Cyrus–Beck).
 */
inline bool convex_span(const Ring& ring, Vec2 a, Vec2 b, double& t0, double& t1) {
    const double s = signed_area(ring) >= 0 ? 1 : -1;
    const Vec2 d = b - a;
    for (size_t i = 0, n = ring.size(); i < n; ++i) {
        const Vec2 p = ring[i], e = ring[(i + 1) % n] - p;
        const double f0 = s * cross(e, a - p), df = s * cross(e, d);  // inside where f0 + t df ≥ 0
        if (df == 0) {  // parallel to the edge: wholly on its inner side, on its line, or out (exactly)
            if (s * orient(p, ring[(i + 1) % n], a) < 0) return false;
        } else if (df > 0) {
            t0 = std::max(t0, -f0 / df);
        } else {
            t1 = std::min(t1, -f0 / df);
        }
        if (t0 > t1) return false;
    }
    return true;
}

/** Area-weighted centroid of the largest polygon part; a point inside is not guaranteed. */
inline Vec2 centroid(const MultiPolygon& mp) {
    double sa = 0, sx = 0, sy = 0;
    for (const auto& poly : mp)
        for (size_t k = 0; k < poly.rings.size(); ++k) {
            const auto& r = poly.rings[k];
            for (size_t i = 0, n = r.size(); i < n; ++i) {
                const Vec2 a = r[i], b = r[(i + 1) % n];
                double c = cross(a, b);
                sa += c, sx += (a.x + b.x) * c, sy += (a.y + b.y) * c;
            }
        }
    if (std::abs(sa) < 1e-12) return bounds(mp).center();
    return {sx / (3 * sa), sy / (3 * sa)};
}

/** Whether p lies within d of segment ab (no square root: cheap enough for tight loops). */
inline bool near_segment(Vec2 p, Vec2 a, Vec2 b, double d) {
    if (p.x < std::min(a.x, b.x) - d || p.x > std::max(a.x, b.x) + d || p.y < std::min(a.y, b.y) - d ||
        p.y > std::max(a.y, b.y) + d)
        return false;
    const Vec2 ab = b - a;
    const double l2 = dot(ab, ab);
    const double t = l2 > 0 ? std::clamp(dot(p - a, ab) / l2, 0.0, 1.0) : 0.0;
    const Vec2 q = a + ab * t - p;
    return dot(q, q) <= d * d;
}

/** Distance from p to segment ab. */
inline double segment_distance(Vec2 p, Vec2 a, Vec2 b) {
    Vec2 ab = b - a;
    double l2 = dot(ab, ab);
    double t = l2 > 0 ? std::clamp(dot(p - a, ab) / l2, 0.0, 1.0) : 0.0;
    return distance(p, a + ab * t);
}

/**
 * Whether the closed areas a and b come within d of each other (GEOS's DistanceWithin): an edge
 * of one within d of an edge of the other, or one wholly inside the other. Two edges that do not
 * meet are nearest at an end of one of them, so four end-to-edge distances and segments_meet
 * decide a pair. Queen contiguity (hotspots) asks it of each pair of cells whose boxes meet,
 * with their boxes (ba, bb: bounds(a), bounds(b)) found once.
 */
inline bool polygons_within(const MultiPolygon& a, Box ba, const MultiPolygon& b, Box bb, double d) {
    ba = ba.grown(d), bb = bb.grown(d);
    if (!ba.intersects(bb)) return false;
    // Only the edges near the other area can come within d of it: b's listed once, a's walked as
    // they come, so that neighbours (most pairs asked) stop at their first near pair. (Walked by
    // any_edge and a lambda, the county's Gi* took 8–10 ms more CPU.)
    const auto meets = [](Vec2 p, Vec2 q, const Box& near) {
        return std::max(p.x, q.x) >= near.xmin && std::min(p.x, q.x) <= near.xmax &&
               std::max(p.y, q.y) >= near.ymin && std::min(p.y, q.y) <= near.ymax;
    };
    thread_local std::vector<std::pair<Vec2, Vec2>> eb;
    eb.clear();
    for (const auto& poly : b)
        for (const auto& ring : poly.rings)
            for (size_t i = 0, n = ring.size(); i < n; ++i)
                if (meets(ring[i], ring[(i + 1) % n], ba)) eb.emplace_back(ring[i], ring[(i + 1) % n]);
    if (!eb.empty())
        for (const auto& poly : a)
            for (const auto& ring : poly.rings)
                for (size_t i = 0, n = ring.size(); i < n; ++i) {
                    const Vec2 p = ring[i], q = ring[(i + 1) % n];
                    if (!meets(p, q, bb)) continue;
                    for (const auto& [r, s] : eb) {
                        if (std::max(p.x, q.x) + d < std::min(r.x, s.x) ||
                            std::max(r.x, s.x) + d < std::min(p.x, q.x) ||
                            std::max(p.y, q.y) + d < std::min(r.y, s.y) ||
                            std::max(r.y, s.y) + d < std::min(p.y, q.y))
                            continue;
                        if (near_segment(p, r, s, d) || near_segment(q, r, s, d) ||
                            near_segment(r, p, q, d) || near_segment(s, p, q, d) || segments_meet(p, q, r, s))
                            return true;
                    }
                }
    // No edges near: the areas meet only if a part of one lies wholly inside the other.
    auto a_part_inside = [](const MultiPolygon& from, const MultiPolygon& in) {
        for (const auto& poly : from)
            if (!poly.rings.empty() && !poly.rings[0].empty() && inside(in, poly.rings[0][0])) return true;
        return false;
    };
    return a_part_inside(a, b) || a_part_inside(b, a);
}
/** polygons_within with their boxes found here. */
inline bool polygons_within(const MultiPolygon& a, const MultiPolygon& b, double d) {
    return polygons_within(a, bounds(a), b, bounds(b), d);
}

}  // namespace gw
