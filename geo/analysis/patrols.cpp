// [SECTION] Spans: sets of parameters along one segment
// [SECTION] Capsules: the part of a segment within a distance of another
// [SECTION] Track pieces: the tracks cut to the window and into day and night
// [SECTION] Cells along a segment
// [SECTION] Road segments: cells, cameras, patrols
// [SECTION] Time present and tracks entering
// [SECTION] Facilities and parcels passed
// [SECTION] compute_patrols
// [SECTION] Windows and night
#include "geo/analysis/patrols.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <tuple>
#include <unordered_map>
#include <utility>

#include "geo/analysis/coverage.h"
#include "geo/analysis/terrain.h"
#include "geo/core/box_index.h"
#include "geo/core/crossings.h"
#include "geo/core/error.h"
#include "geo/core/parallel.h"

namespace gw {

namespace {

constexpr int64_t kDay = 86400;

/** The point at t along a→b; a and b themselves at 0 and 1 (so that pieces of a line join exactly). */
Vec2 point_at(Vec2 a, Vec2 b, double t) {
    if (t <= 0) return a;
    if (t >= 1) return b;
    return a + (b - a) * t;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Spans: sets of parameters along one segment

using Span = std::pair<double, double>;
using Spans = std::vector<Span>;

/** Sorts and joins overlapping or touching spans; empty ones go. */
void merge(Spans& s) {
    std::sort(s.begin(), s.end());
    size_t m = 0;
    for (const Span& x : s) {
        if (!(x.second > x.first)) continue;
        if (m > 0 && x.first <= s[m - 1].second)
            s[m - 1].second = std::max(s[m - 1].second, x.second);
        else
            s[m++] = x;
    }
    s.resize(m);
}

/** How much of [lo, hi] merged spans cover. */
double measure(const Spans& s, double lo, double hi) {
    double m = 0;
    for (const Span& x : s) m += std::max(0.0, std::min(hi, x.second) - std::max(lo, x.first));
    return m;
}

// How near an outline a point lies on it, and how short a piece of road is rounding: a road drawn on
// a cell border and read through a projection lies within nanometres of it, on either side as
// rounding falls.
constexpr double kOnEdge = 1e-6;

/** How much of [lo, hi] both merged span sets cover. */
double measure_both(const Spans& a, const Spans& b, double lo, double hi) {
    double m = 0;
    for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
        const double s = std::max({a[i].first, b[j].first, lo}), e = std::min({a[i].second, b[j].second, hi});
        if (e > s) m += e - s;
        if (a[i].second < b[j].second)
            ++i;
        else
            ++j;
    }
    return m;
}

/**
 * The parts of [lo, hi] that neither merged span set covers, those shorter than `least` beside a
 * covered span left out: where a camera's view ends at a cell's border and the next begins, or a
 * patrol's reach at a view's, the two ends meet as rounding falls, a hair's breadth apart or
 * overlapping. A part no span comes near is kept however short.
 */
Spans uncovered(const Spans& a, const Spans& b, double lo, double hi, double least) {
    Spans all = a;
    all.insert(all.end(), b.begin(), b.end());
    merge(all);
    Spans out;
    double at = lo;
    bool beside = false;  // a covered span meets [lo, hi]
    for (const Span& x : all) {
        if (x.second <= at) continue;
        if (x.first >= hi) break;
        beside = true;
        if (x.first - at >= least) out.push_back({at, x.first});
        at = std::max(at, x.second);
    }
    if (hi > at && (hi - at >= least || !beside)) out.push_back({at, hi});
    return out;
}

/**
 * The spans of segment a→b inside the closed area of mp: cut where it crosses mp's edges, each
 * part in or out as its middle is (a part along an edge is in).
 */
void spans_inside(const MultiPolygon& mp, Vec2 a, Vec2 b, Spans& out) {
    thread_local std::vector<double> ts;
    ts.assign({0.0, 1.0});
    segment_crossings(mp, a, b, ts);
    for (double& t : ts) t = std::clamp(t, 0.0, 1.0);
    std::sort(ts.begin(), ts.end());
    ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
    for (size_t k = 0; k + 1 < ts.size(); ++k)
        if (inside_or_on(mp, point_at(a, b, (ts[k] + ts[k + 1]) / 2))) out.push_back({ts[k], ts[k + 1]});
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Capsules: the part of a segment within a distance of another

/**
 * The capsule around segment a→b of radius r: the rectangle along it and the discs at its ends, in
 * the segment's own frame (x along a→b from a, y across it), made once for the many pieces asked of
 * it. With a = b, the disc.
 */
struct Capsule {
    Vec2 a, ex, ey;
    double len, r;

    Capsule(Vec2 a_, Vec2 b, double r_) : a(a_), r(r_) {
        const Vec2 ab = b - a;
        len = length(ab);
        ex = len > 0 ? ab * (1 / len) : Vec2{1, 0};
        ey = {-ex.y, ex.x};
    }

    /**
     * The part [u0, u1] of segment c→d (c + u (d − c)) within the capsule: the capsule is convex, so
     * the part is one interval, the hull of its meets with the rectangle and the two discs. False
     * when there is none. `x0`, `x1` get the projections of c and d on a→b's line, in metres from a.
     */
    bool span(Vec2 c, Vec2 d, double& u0, double& u1, double& x0, double& x1) const {
        const Vec2 p{dot(c - a, ex), dot(c - a, ey)}, v{dot(d - c, ex), dot(d - c, ey)};
        x0 = p.x, x1 = p.x + v.x;
        double lo = 2, hi = -1;
        auto take = [&](double s0, double s1) {
            s0 = std::max(s0, 0.0), s1 = std::min(s1, 1.0);
            if (s0 <= s1) lo = std::min(lo, s0), hi = std::max(hi, s1);
        };
        {  // the rectangle 0 ≤ x ≤ len, |y| ≤ r (Liang–Barsky)
            double s0 = 0, s1 = 1;
            bool meets = true;
            auto clip = [&](double q, double dq, double qmin, double qmax) {
                if (dq == 0) {
                    meets = meets && q >= qmin && q <= qmax;
                    return;
                }
                double t0 = (qmin - q) / dq, t1 = (qmax - q) / dq;
                if (t0 > t1) std::swap(t0, t1);
                s0 = std::max(s0, t0), s1 = std::min(s1, t1);
            };
            clip(p.x, v.x, 0, len);
            clip(p.y, v.y, -r, r);
            if (meets) take(s0, s1);
        }
        auto disc = [&](double cx) {  // |p + s v − (cx, 0)| ≤ r
            const Vec2 w{p.x - cx, p.y};
            const double qa = dot(v, v), qb = dot(w, v), qc = dot(w, w) - r * r;
            if (qa == 0) {
                if (qc <= 0) take(0, 1);
                return;
            }
            const double disc = qb * qb - qa * qc;
            if (disc < 0) return;
            const double sq = std::sqrt(disc);
            take((-qb - sq) / qa, (-qb + sq) / qa);
        };
        disc(0);
        if (len > 0) disc(len);
        if (lo > hi) return false;
        u0 = lo, u1 = hi;
        return true;
    }
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Track pieces: the tracks cut to the window and into day and night

/** A straight piece of a track, wholly in the window and wholly by day or by night. */
struct Piece {
    Vec2 c, d;
    double tc = 0, td = 0;  // times at c and d (civil seconds; 0 when untimed)
    int track = 0;
    bool night = false, timed = true;
    double time_at(double u) const { return tc + (td - tc) * u; }
};

struct NightClock {
    int64_t from_s, to_s;  // seconds after midnight
    bool at(double t) const {
        const double sod = t - std::floor(t / kDay) * kDay;
        return from_s > to_s ? (sod >= from_s || sod < to_s) : (sod >= from_s && sod < to_s);
    }
    /** The times in (t0, t1) where night begins or ends. */
    void changes(double t0, double t1, std::vector<double>& out) const {
        for (int64_t day = static_cast<int64_t>(std::floor(t0 / kDay)); day * kDay <= t1; ++day)
            for (int64_t s : {from_s, to_s}) {
                const double t = static_cast<double>(day * kDay + s);
                if (t > t0 && t < t1) out.push_back(t);
            }
    }
};

/** The pieces of track ti in the window, in track order. */
void cut_track(const PatrolTrack& track, int ti, const TimeWindow& w, const NightClock& night, std::vector<Piece>& out) {
    if (!track.timed()) {
        if (w.bounded()) return;
        for (const auto& part : track.shape) {
            if (part.size() == 1) out.push_back({part[0], part[0], 0, 0, ti, false, false});
            for (size_t k = 0; k + 1 < part.size(); ++k) out.push_back({part[k], part[k + 1], 0, 0, ti, false, false});
        }
        return;
    }
    std::vector<double> us;
    for (size_t pi = 0; pi < track.shape.size() && pi < track.times.size(); ++pi) {
        const auto& part = track.shape[pi];
        const auto& times = track.times[pi];
        if (times.size() != part.size()) continue;  // never from the reader; a hand-made track
        if (part.size() == 1 && w.contains(times[0])) {  // a single fix: a stop of no duration
            const double t = static_cast<double>(times[0]);
            out.push_back({part[0], part[0], t, t, ti, night.at(t), true});
        }
        for (size_t k = 0; k + 1 < part.size(); ++k) {
            const Vec2 c = part[k], d = part[k + 1];
            const double t0 = static_cast<double>(times[k]), t1 = static_cast<double>(std::max(times[k], times[k + 1]));
            if (t1 == t0) {  // no time passes between the fixes: in the window or not as a whole
                if (w.contains(times[k])) out.push_back({c, d, t0, t0, ti, night.at(t0), true});
                continue;
            }
            double ua = 0, ub = 1;
            if (w.from) ua = std::max(ua, (static_cast<double>(*w.from) - t0) / (t1 - t0));
            if (w.until) ub = std::min(ub, (static_cast<double>(*w.until) - t0) / (t1 - t0));
            if (!(ua < ub)) continue;
            us.assign({ua});
            std::vector<double> ts;
            night.changes(t0 + (t1 - t0) * ua, t0 + (t1 - t0) * ub, ts);
            for (double t : ts) us.push_back((t - t0) / (t1 - t0));
            us.push_back(ub);
            for (size_t j = 0; j + 1 < us.size(); ++j) {
                const double u0 = us[j], u1 = us[j + 1];
                if (!(u1 > u0)) continue;
                const double m = t0 + (t1 - t0) * (u0 + u1) / 2;
                out.push_back({point_at(c, d, u0), point_at(c, d, u1), t0 + (t1 - t0) * u0, t0 + (t1 - t0) * u1, ti,
                               night.at(m), true});
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Cells along a segment

struct Cells {
    std::vector<const Grid*> cells;
    BoxIndex index;  // of each cell's box, grown by kOnEdge

    static std::vector<Box> boxes(const std::vector<const Grid*>& c) {
        std::vector<Box> b;
        for (const Grid* g : c) b.push_back(bounds(g->shape).grown(kOnEdge));  // an empty box stays empty
        return b;
    }
    /**
     * Per cell, its edges as any_edge walks them (a ring given closed ends in an edge of no length) in runs
     * of kRun, each run's box grown by 2 kOnEdge: split looks into the runs whose boxes meet the segment,
     * where every edge that meets it or has its first vertex within kOnEdge of it lies.
     */
    static constexpr size_t kRun = 8;
    struct Run {
        Box box;
        const Ring* ring;
        size_t first, count;
        int poly;  // its polygon's index in the cell's shape; ring 0 of it is the shell
    };
    std::vector<std::vector<Run>> runs;

    static std::vector<std::vector<Run>> runs_of(const std::vector<const Grid*>& c) {
        std::vector<std::vector<Run>> out(c.size());
        for (size_t ci = 0; ci < c.size(); ++ci)
            for (size_t pi = 0; pi < c[ci]->shape.size(); ++pi)
                for (const auto& ring : c[ci]->shape[pi].rings)
                    for (size_t i = 0, n = ring.size(); i < n; i += kRun) {
                        Run r{{}, &ring, i, std::min(kRun, n - i), static_cast<int>(pi)};
                        for (size_t k = i; k < i + r.count; ++k)
                            r.box.add(ring[k]), r.box.add(ring[(k + 1) % n]);
                        r.box = r.box.grown(2 * kOnEdge);
                        out[ci].push_back(r);
                    }
        return out;
    }
    explicit Cells(std::vector<const Grid*> c)
        : cells(std::move(c)), index(boxes(cells), 200), runs(runs_of(cells)) {}

    /**
     * The cell holding p among `near` (ascending): the first in layer order whose closed area holds
     * it or whose outline passes within kOnEdge of it, so that a piece along an edge two cells share
     * counts once, for the first of them, whichever side of the edge rounding put it; and a point
     * that rounds just outside every cell (along the grid's outer edge) counts for the cell it
     * borders. −1 when none.
     */
    int cell_of(Vec2 p, const std::vector<int>& near) const {
        for (int ci : near)
            if (index.box(ci).contains(p) && holds(ci, p)) return ci;
        return -1;
    }

    /**
     * Whether cell ci's closed area holds p or its outline passes within kOnEdge of it: inside_or_on
     * or near_segment of an edge, through the runs. A run whose box misses p's y has no edge that
     * crosses p's ray or passes by p; one whose box misses p has none that passes by it.
     */
    bool holds(int ci, Vec2 p) const {
        const std::vector<Run>& rs = runs[ci];
        bool in_poly = false;  // of the polygon being walked: inside its shell and no hole so far
        int poly = -1;
        for (size_t i = 0; i < rs.size();) {
            if (rs[i].poly != poly) {
                if (in_poly) return true;  // the polygon before held it
                poly = rs[i].poly, in_poly = false;
            }
            // One ring's runs: the parity of the crossings of p's ray.
            const Ring& ring = *rs[i].ring;
            const bool shell = &ring == &cells[ci]->shape[poly].rings[0];
            bool odd = false;
            for (; i < rs.size() && rs[i].ring == &ring; ++i) {
                const Run& r = rs[i];
                if (p.y < r.box.ymin || p.y > r.box.ymax) continue;
                const bool by = r.box.contains(p);
                for (size_t k = r.first, n = ring.size(); k < r.first + r.count; ++k) {
                    const Vec2 a = ring[k], b = ring[(k + 1) % n];
                    if ((a.y > p.y) != (b.y > p.y) && orient(b, a, p) == (a.y > b.y ? 1 : -1)) odd = !odd;
                    if (by &&
                        ((p.x >= std::min(a.x, b.x) && p.x <= std::max(a.x, b.x) &&
                          p.y >= std::min(a.y, b.y) && p.y <= std::max(a.y, b.y) && orient(a, b, p) == 0) ||
                         near_segment(p, a, b, kOnEdge)))
                        return true;
                }
            }
            in_poly = shell ? odd : in_poly && !odd;
        }
        return in_poly;
    }

    /** Segment a→b cut by the cells' outlines: (t0, t1, cell) in order, the parts outside every cell left out. */
    void split(Vec2 a, Vec2 b, std::vector<std::tuple<double, double, int>>& out) const {
        Box sb;
        sb.add(a), sb.add(b);
        thread_local std::vector<int> near;
        thread_local std::vector<double> ts;
        near.clear();
        index.visit(sb, [&](int ci) { near.push_back(ci); });
        if (near.empty()) return;
        std::sort(near.begin(), near.end());
        if (a == b) {
            if (int ci = cell_of(a, near); ci >= 0) out.emplace_back(0.0, 1.0, ci);
            return;
        }
        ts.assign({0.0, 1.0});
        const Vec2 ab = b - a;
        const double len2 = dot(ab, ab);
        for (int ci : near)
            for (const Run& r : runs[ci]) {
                if (!r.box.intersects(sb)) continue;
                const Ring& ring = *r.ring;
                for (size_t k = r.first; k < r.first + r.count; ++k) {
                    const Vec2 v = ring[k];
                    edge_crossing(a, b, v, ring[(k + 1) % ring.size()], ts);
                    // A road through a corner of the cell (where a border meets the road) is cut there
                    // as well, whether rounding makes it cross there or only touch: the pieces on
                    // either side may be two cells'.
                    if (near_segment(v, a, b, kOnEdge)) ts.push_back(dot(v - a, ab) / len2);
                }
            }
        for (double& t : ts) t = std::clamp(t, 0.0, 1.0);
        std::sort(ts.begin(), ts.end());
        // Cuts less than kOnEdge apart are one: at a corner the edges meeting there and the corner
        // itself give a few cuts a rounding apart, and the slivers between them (1e-11 m) went to
        // whichever cell comes first among those at the corner, one the road only touches included.
        const double len = std::sqrt(len2);
        ts.erase(
            std::unique(ts.begin(), ts.end(), [&](double x, double y) { return (y - x) * len < kOnEdge; }),
            ts.end());
        if (ts.size() == 1) ts.push_back(1.0);  // a segment shorter than kOnEdge: whole
        ts.back() = 1.0;  // the end kept, should the last cut before it have stood for both
        for (size_t k = 0; k + 1 < ts.size(); ++k) {
            const int ci = cell_of(point_at(a, b, (ts[k] + ts[k + 1]) / 2), near);
            if (ci < 0) continue;
            if (!out.empty() && std::get<2>(out.back()) == ci && std::get<1>(out.back()) == ts[k])
                std::get<1>(out.back()) = ts[k + 1];
            else
                out.emplace_back(ts[k], ts[k + 1], ci);
        }
    }
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Road segments: cells, cameras, patrols

struct RoadSeg {
    int road, line;
    Vec2 a, b;
};

/** One cell's part [t0, t1] of a road segment, in metres. */
struct CellSpan {
    int cell;
    double t0, t1;
    double road, camera, patrolled, both, night;
    Spans neither;  // parameters along the segment
};

struct RoadWork {
    const Cells& cells;
    const std::vector<MultiPolygon>& views;
    const std::vector<const Ring*>& convex;  // each view's ring where it is one convex ring, else null
    const BoxIndex& view_index;
    const std::vector<Piece>& pieces;
    const BoxIndex& piece_index;
    double along_m;

    void run(const RoadSeg& s, std::vector<CellSpan>& out) const {
        thread_local std::vector<std::tuple<double, double, int>> parts;
        parts.clear();
        cells.split(s.a, s.b, parts);
        if (parts.empty()) return;
        const Vec2 a = s.a, b = s.b;
        const double len = distance(a, b);
        Box sb;
        sb.add(a), sb.add(b);
        Spans seen, walked, at_night;
        view_index.visit(sb, [&](int v) {
            if (const Ring* ring = convex[v]) {
                double t0 = 0, t1 = 1;
                if (convex_span(*ring, a, b, t0, t1)) seen.push_back({t0, t1});
            } else {
                spans_inside(views[v], a, b, seen);
            }
        });
        merge(seen);
        const Box grown = sb.grown(along_m);
        const Capsule reach(a, b, along_m);
        piece_index.visit(grown, [&](int pi) {
            const Piece& p = pieces[pi];
            double u0, u1, x0, x1;
            if (!reach.span(p.c, p.d, u0, u1, x0, x1)) return;
            // The part within reach, projected onto the road: its ends' distances along it.
            const double xa = x0 + (x1 - x0) * u0, xb = x0 + (x1 - x0) * u1;
            const double lo = std::clamp(std::min(xa, xb) / len, 0.0, 1.0), hi = std::clamp(std::max(xa, xb) / len, 0.0, 1.0);
            if (!(hi > lo)) return;
            walked.push_back({lo, hi});
            if (p.night) at_night.push_back({lo, hi});
        });
        merge(walked), merge(at_night);
        for (const auto& [t0, t1, ci] : parts) {
            CellSpan c{ci, t0, t1, (t1 - t0) * len, 0, 0, 0, 0, {}};
            c.camera = measure(seen, t0, t1) * len;
            c.patrolled = measure(walked, t0, t1) * len;
            c.both = measure_both(seen, walked, t0, t1) * len;
            c.night = measure(at_night, t0, t1) * len;
            c.neither = uncovered(seen, walked, t0, t1, kOnEdge / len);
            out.push_back(std::move(c));
        }
    }
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Time present and tracks entering

/** Per piece: the cells it lies in and the seconds spent in each. */
void pieces_in_cells(const Cells& cells, const std::vector<Piece>& pieces, size_t begin, size_t end,
                     std::vector<std::vector<std::pair<int, double>>>& out) {
    std::vector<std::tuple<double, double, int>> parts;
    for (size_t i = begin; i < end; ++i) {
        const Piece& p = pieces[i];
        parts.clear();
        cells.split(p.c, p.d, parts);
        for (const auto& [u0, u1, ci] : parts) out[i].emplace_back(ci, (u1 - u0) * (p.td - p.tc));
    }
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Facilities and parcels passed

/**
 * Whether pieces come within r of an area (a parcel): its edges' capsules made once for all the
 * pieces near it, each with its box grown by r and kOnEdge, so that a piece whose box misses an
 * edge's is passed over: it is farther than r + kOnEdge from that edge in x or in y, beyond any
 * rounding of Capsule::span (nanometres), which would not have found it either.
 */
class NearArea {
public:
    NearArea(const MultiPolygon& mp, double r) : mp_(mp) {
        for (const auto& poly : mp)
            for (const auto& ring : poly.rings)
                for (size_t i = 0, n = ring.size(); i < n; ++i) {
                    const Vec2 a = ring[i], b = ring[(i + 1) % n];
                    edges_.emplace_back(a, b, r);
                    Box box;
                    box.add(a), box.add(b);
                    boxes_.push_back(box.grown(r + kOnEdge));
                }
    }

    /** The latest parameter of piece p within r of the area (inside included); −1 when none. */
    double last(const Piece& p) const {
        if (inside(mp_, p.d)) return 1;
        double best = inside(mp_, p.c) ? 0 : -1;
        Box pb;
        pb.add(p.c), pb.add(p.d);
        for (size_t i = 0; i < edges_.size(); ++i) {
            double u0, u1, x0, x1;
            if (boxes_[i].intersects(pb) && edges_[i].span(p.c, p.d, u0, u1, x0, x1))
                best = std::max(best, u1);
        }
        return best;
    }

private:
    const MultiPolygon& mp_;
    std::vector<Capsule> edges_;
    std::vector<Box> boxes_;
};

/** Passes of the pieces near `q`, given the latest parameter of each piece near the place (−1: not near). */
template <typename Near>
Passed passes_near(const Box& q, const std::vector<Piece>& pieces, const BoxIndex& index, Near&& near) {
    Passed out;
    std::vector<int> tracks;
    index.visit(q, [&](int pi) {
        const Piece& p = pieces[pi];
        const double u = near(p);
        if (u < 0) return;
        tracks.push_back(p.track);
        if (p.timed) {
            const auto t = static_cast<int64_t>(std::llround(p.time_at(u)));
            if (!out.last || t > *out.last) out.last = t;
        }
    });
    std::sort(tracks.begin(), tracks.end());
    out.passes = static_cast<int>(std::unique(tracks.begin(), tracks.end()) - tracks.begin());
    return out;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] compute_patrols

PatrolsReport compute_patrols(const Dataset& ds, const PatrolOptions& o) {
    auto progress = [&](double f, const std::string& s) {
        if (o.progress) o.progress(f, s);
    };
    std::vector<const Grid*> l4 = ds.cells_to_report(4);
    if (l4.empty())
        throw Error("has no level-4 cells", {ds.source, "grids", "", "level"},
                    "patrols are counted per L4 cell: give the grids layer its level-4 cells");
    PatrolsReport rep;
    rep.window = o.window;
    const NightClock night{int64_t{o.night_from_min} * 60, int64_t{o.night_to_min} * 60};
    const Cells cells(l4);

    progress(0.02, "camera views");
    std::vector<MultiPolygon> own_views;
    const std::vector<MultiPolygon>* views = o.views;
    if (!views) {
        const std::vector<const Camera*> cams = ds.usable_cameras(false);
        const std::optional<Terrain> terrain = o.occlusion ? terrain_of(ds) : std::nullopt;
        own_views = compute_views(ds, cams, ViewOptions{o.occlusion, Quality::Any, terrain ? &*terrain : nullptr});
        views = &own_views;
        rep.occlusion_applied = o.occlusion && !ds.buildings.empty();
    }
    rep.cameras = static_cast<int>(views->size());
    std::vector<Box> view_boxes;
    for (const auto& v : *views) view_boxes.push_back(bounds(v));
    const BoxIndex view_index(view_boxes, 100);

    progress(0.3, "tracks in the window");
    std::vector<std::vector<Piece>> per_track(ds.patrols.size());
    parallel_for(ds.patrols.size(), [&](size_t ti) {
        cut_track(ds.patrols[ti], static_cast<int>(ti), o.window, night, per_track[ti]);
    });
    std::vector<Piece> pieces;  // track by track, in track order (the cells' track counts need it)
    size_t piece_count = 0;
    for (const auto& t : per_track) piece_count += t.size();
    pieces.reserve(piece_count);  // grown by doubling, each step was fresh memory and a copy
    for (size_t ti = 0; ti < per_track.size(); ++ti) {
        if (!ds.patrols[ti].timed()) rep.untimed_tracks.push_back(ds.patrols[ti].track_id);
        rep.tracks_in_window += !per_track[ti].empty();
        pieces.insert(pieces.end(), per_track[ti].begin(), per_track[ti].end());
    }
    per_track = {};
    std::vector<Box> piece_boxes(pieces.size());
    for (size_t i = 0; i < pieces.size(); ++i) piece_boxes[i].add(pieces[i].c), piece_boxes[i].add(pieces[i].d);
    const BoxIndex piece_index(piece_boxes, 50);

    progress(0.4, "roads");
    std::vector<RoadSeg> segs;
    size_t seg_count = 0;
    for (const Road& road : ds.roads)
        for (const LineString& line : road.shape) seg_count += line.empty() ? 0 : line.size() - 1;
    segs.reserve(seg_count);
    for (size_t r = 0; r < ds.roads.size(); ++r)
        for (size_t l = 0; l < ds.roads[r].shape.size(); ++l) {
            const LineString& line = ds.roads[r].shape[l];
            for (size_t k = 0; k + 1 < line.size(); ++k)
                if (!(line[k] == line[k + 1]))
                    segs.push_back({static_cast<int>(r), static_cast<int>(l), line[k], line[k + 1]});
        }
    std::vector<std::vector<CellSpan>> seg_out(segs.size());
    std::vector<const Ring*> convex(views->size());
    parallel_for(views->size(), [&](size_t v) { convex[v] = convex_ring((*views)[v]); });
    const RoadWork work{cells, *views, convex, view_index, pieces, piece_index, o.along_m};
    parallel_ranges(segs.size(), [&](size_t begin, size_t end) {
        for (size_t i = begin; i < end; ++i) work.run(segs[i], seg_out[i]);
    });

    progress(0.8, "time present");
    std::vector<std::vector<std::pair<int, double>>> piece_cells(pieces.size());
    parallel_ranges(pieces.size(), [&](size_t begin, size_t end) { pieces_in_cells(cells, pieces, begin, end, piece_cells); });

    progress(0.9, "facilities and parcels passed");
    rep.passed.resize(ds.facilities.size() + ds.enterprises.size());
    parallel_for(rep.passed.size(), [&](size_t i) {
        Passed& p = rep.passed[i];
        if (i < ds.facilities.size()) {
            const Facility& f = ds.facilities[i];
            const Capsule near(f.pos, f.pos, o.passed_m);
            p = passes_near(BoxIndex::around(f.pos, o.passed_m), pieces, piece_index, [&](const Piece& pc) {
                double u0, u1, x0, x1;
                return near.span(pc.c, pc.d, u0, u1, x0, x1) ? u1 : -1.0;
            });
            p.layer = "facilities", p.id = std::to_string(f.fid), p.name = f.name;
        } else {
            const Enterprise& e = ds.enterprises[i - ds.facilities.size()];
            const NearArea near(e.shape, o.passed_m);
            p = passes_near(bounds(e.shape).grown(o.passed_m), pieces, piece_index,
                            [&](const Piece& pc) { return near.last(pc); });
            p.layer = "enterprises", p.id = e.ent_id, p.name = e.name;
        }
    });

    progress(0.95, "per cell");
    rep.cells.resize(l4.size());
    for (size_t i = 0; i < l4.size(); ++i) rep.cells[i].grid_id = l4[i]->grid_id, rep.cells[i].name = l4[i]->name;
    // The list's entries: a named road's features are one entry per name, class and cell, an unnamed
    // road's per feature id and cell. Each road's entry key is found once, not once per piece.
    std::vector<uint64_t> road_key(ds.roads.size());
    {
        std::map<std::tuple<std::string, std::string, int64_t>, uint64_t> keys;
        for (size_t r = 0; r < ds.roads.size(); ++r) {
            const Road& road = ds.roads[r];
            const auto key =
                std::make_tuple(road.name, road.road_class, road.name.empty() ? road.fid : int64_t{-1});
            road_key[r] = keys.try_emplace(key, keys.size()).first->second;
        }
    }
    // In road order, one thread: the sums come out the same however the work was split.
    std::unordered_map<uint64_t, size_t> group;  // road key × cells + cell → entry
    for (size_t i = 0; i < segs.size(); ++i) {
        const RoadSeg& s = segs[i];
        const Road& road = ds.roads[s.road];
        for (const CellSpan& c : seg_out[i]) {
            CellPatrols& cp = rep.cells[c.cell];
            cp.road_m += c.road, cp.camera_m += c.camera, cp.patrolled_m += c.patrolled, cp.both_m += c.both;
            cp.night_m += c.night;
            const double len = distance(s.a, s.b);
            for (const Span& n : c.neither) {
                const double m = (n.second - n.first) * len;
                cp.neither_m += m;
                const uint64_t key =
                    road_key[static_cast<size_t>(s.road)] * l4.size() + static_cast<uint64_t>(c.cell);
                auto [it, fresh] = group.try_emplace(key, rep.neither.size());
                if (fresh) {
                    UnwatchedRoad u;
                    u.road = road.name, u.road_class = road.road_class, u.grid_id = l4[c.cell]->grid_id;
                    if (road.name.empty()) u.road_fid = road.fid;
                    rep.neither.push_back(std::move(u));
                }
                UnwatchedRoad& u = rep.neither[it->second];
                u.neither_m += m;
                const Vec2 p0 = point_at(s.a, s.b, n.first), p1 = point_at(s.a, s.b, n.second);
                if (!u.pieces.empty() && u.pieces.back().back() == p0)
                    u.pieces.back().push_back(p1);
                else
                    u.pieces.push_back({p0, p1});
            }
        }
    }
    std::stable_sort(rep.neither.begin(), rep.neither.end(),
                     [](const UnwatchedRoad& a, const UnwatchedRoad& b) { return a.neither_m > b.neither_m; });
    // The pieces come track by track (cut_track's, joined in track order): a cell counts a track
    // when the track that enters it changes.
    std::vector<int> last_track(rep.cells.size(), -1);
    for (size_t i = 0; i < pieces.size(); ++i)
        for (const auto& [ci, secs] : piece_cells[i]) {
            rep.cells[ci].present_s += secs;
            if (std::exchange(last_track[ci], pieces[i].track) != pieces[i].track) rep.cells[ci].tracks++;
        }

    CellPatrols& t = rep.total;
    t.grid_id = "total";
    for (auto& c : rep.cells) {
        c.night_share = c.patrolled_m > 0 ? c.night_m / c.patrolled_m : 0;
        t.road_m += c.road_m, t.camera_m += c.camera_m, t.patrolled_m += c.patrolled_m, t.both_m += c.both_m;
        t.neither_m += c.neither_m, t.night_m += c.night_m, t.present_s += c.present_s;
        if (c.road_m > 0 && c.patrolled_m < 1) rep.unpatrolled.push_back(c.grid_id);
    }
    t.night_share = t.patrolled_m > 0 ? t.night_m / t.patrolled_m : 0;
    t.tracks = rep.tracks_in_window;
    progress(1, "done");
    return rep;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Windows and night

std::optional<TimeWindow> last_days_of_patrols(const Dataset& ds, int days) {
    std::optional<int64_t> latest;
    for (const auto& t : ds.patrols)
        for (const auto& part : t.times)
            for (int64_t v : part)
                if (!latest || v > *latest) latest = v;
    if (!latest) return std::nullopt;
    const int64_t day = (*latest >= 0 ? *latest / kDay : -((-*latest + kDay - 1) / kDay)) * kDay;
    TimeWindow w;
    w.from = day - int64_t{days - 1} * kDay, w.until = day + kDay;
    return w;
}

std::optional<std::pair<int, int>> parse_night_span(const std::string& text) {
    int h0, m0, h1, m1;
    char tail;
    if (text.size() != 11 || std::sscanf(text.c_str(), "%2d:%2d-%2d:%2d%c", &h0, &m0, &h1, &m1, &tail) != 4)
        return std::nullopt;
    if (text[2] != ':' || text[5] != '-' || text[8] != ':') return std::nullopt;
    for (size_t i : {0, 1, 3, 4, 6, 7, 9, 10})
        if (text[i] < '0' || text[i] > '9') return std::nullopt;
    if (h0 > 23 || h1 > 23 || m0 > 59 || m1 > 59) return std::nullopt;
    const int from = h0 * 60 + m0, to = h1 * 60 + m1;
    if (from == to) return std::nullopt;
    return std::make_pair(from, to);
}

}  // namespace gw
