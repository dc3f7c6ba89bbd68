// [SECTION] Quality zones
// [SECTION] Sectors
// [SECTION] Occluders: buildings and an index over their boxes
// [SECTION] Visibility: an angular sweep over the building edges near the camera
// [SECTION] camera_view (buildings, then terrain)
#include "geo/analysis/camera_view.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <optional>

#include "geo/analysis/terrain.h"
#include "geo/analysis/validate.h"
#include "geo/core/box_index.h"
#include "geo/core/error.h"
#include "geo/core/geos.h"

namespace gw {

namespace {
constexpr double kPi = 3.14159265358979323846;
constexpr double kDeg = kPi / 180.0;
// How far inside every wall of its house a camera stands for its view to be cut by hand
// (sweep_less_house); nearer, as on the wall (Occluders::holds: 1e-6 m), GEOS cuts it.
constexpr double kClearOfWall = 1e-5;
}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Quality zones

double quality_px_per_m(Quality q) {
    switch (q) {
        case Quality::Identify: return 250;
        case Quality::Recognise: return 125;
        case Quality::Observe: return 62.5;
        case Quality::Detect: return 25;
        default: return 0;
    }
}

Quality parse_quality(const std::string& s) {
    if (s.empty() || s == "any") return Quality::Any;
    if (s == "detect") return Quality::Detect;
    if (s == "observe") return Quality::Observe;
    if (s == "recognise" || s == "recognize") return Quality::Recognise;
    if (s == "identify") return Quality::Identify;
    throw Error("unknown quality '" + s + "'", {"", "", "", "--quality"}, "use detect, observe, recognise or identify");
}

const char* quality_name(Quality q) {
    switch (q) {
        case Quality::Identify: return "identify";
        case Quality::Recognise: return "recognise";
        case Quality::Observe: return "observe";
        case Quality::Detect: return "detect";
        default: return "any";
    }
}

double quality_distance(const Camera& cam, Quality q) {
    const double density = quality_px_per_m(q);
    if (density <= 0 || !cam.resolution_px) return std::numeric_limits<double>::infinity();
    const double res = *cam.resolution_px;
    if (cam.fov >= 180) return res / (cam.fov * kDeg * density);
    return res / (2 * std::tan(cam.fov * kDeg / 2) * density);
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Sectors

namespace {

/** Math angle (radians, counter-clockwise from east) of the sector's start, and its opening. */
std::pair<double, double> sector_angles(double azimuth_deg, double fov_deg) {
    const double start = (90.0 - azimuth_deg - fov_deg / 2) * kDeg;
    return {start, fov_deg * kDeg};
}

void push_unique(Ring& r, Vec2 p) {
    if (r.empty() || std::abs(r.back().x - p.x) > 1e-9 || std::abs(r.back().y - p.y) > 1e-9) r.push_back(p);
}

void arc(Ring& out, Vec2 c, double r, double a0, double a1) {
    const int n = std::max(1, static_cast<int>(std::ceil((a1 - a0) / kArcStep)));
    for (int i = 0; i <= n; ++i) {
        const double a = a0 + (a1 - a0) * i / n;
        push_unique(out, {c.x + r * std::cos(a), c.y + r * std::sin(a)});
    }
}

}  // namespace

Polygon sector_polygon(Vec2 apex, double azimuth_deg, double fov_deg, double radius) {
    Ring ring;
    auto [start, open] = sector_angles(azimuth_deg, fov_deg);
    const bool disc = fov_deg >= 360;
    if (!disc) ring.push_back(apex);
    arc(ring, apex, radius, start, start + open);
    if (disc && ring.size() > 1) ring.pop_back();  // the last point repeats the first
    return Polygon{{std::move(ring)}};
}

double sector_area(double fov_deg, double radius) { return std::min(fov_deg, 360.0) / 360.0 * kPi * radius * radius; }

// ---------------------------------------------------------------------------------------------
// [SECTION] Occluders: buildings and an index over their boxes

Occluders::Occluders(const std::vector<Building>& buildings, size_t span_sweep_from)
    : span_sweep_from_(span_sweep_from) {
    for (const auto& b : buildings) {
        if (b.shape.empty()) continue;
        polys_.push_back(b.shape);
        boxes_.push_back(bounds(b.shape));
    }
    index_ = std::make_unique<BoxIndex>(boxes_, 50);
}

Occluders::~Occluders() = default;

std::vector<int> Occluders::near(Vec2 c, double r) const { return index_->query(BoxIndex::around(c, r)); }

bool Occluders::holds(int i, Vec2 apex) const {
    const MultiPolygon& mp = polys_[i];
    return inside(mp, apex) ||
           any_edge(mp, [&](Vec2 a, Vec2 b) { return segment_distance(apex, a, b) < 1e-6; });
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Visibility: an angular sweep over the building edges near the camera
//
// Between two consecutive "critical" angles — segment end points, crossings of a segment with
// the range circle, crossings of two segments, the sector's edges — the nearest obstacle along
// the ray does not change, so the visible boundary there is a piece of one straight segment or a
// piece of the range arc. That makes the polygon exact (up to the arc's discretisation).

namespace {

struct Seg {
    Vec2 a, b;  // relative to the apex
};

/** Ray from the origin along d (unit): parameter t of the hit with segment s, or +inf. */
double ray_hit(Vec2 d, const Seg& s) {
    const Vec2 e = s.b - s.a;
    const double den = cross(d, e);
    if (std::abs(den) < 1e-15) return std::numeric_limits<double>::infinity();
    const double t = cross(s.a, e) / den;
    const double u = cross(s.a, d) / den;
    if (t <= 1e-9 || u < -1e-12 || u > 1 + 1e-12) return std::numeric_limits<double>::infinity();
    return t;
}

/** Ray along d against the supporting line of s (no bounds on the segment). */
double line_hit(Vec2 d, const Seg& s) {
    const Vec2 e = s.b - s.a;
    const double den = cross(d, e);
    if (std::abs(den) < 1e-15) return std::min(length(s.a), length(s.b));
    return cross(s.a, e) / den;
}

double angle_in(double a, double start) {
    double r = std::fmod(a - start, 2 * kPi);
    if (r < 0) r += 2 * kPi;
    return start + r;
}

/**
 * Among many segments (a 360° site of `plan` among houses: 64 to 256), which ones a ray from the
 * apex can meet: those whose angular span holds its angle. advance(θ) for rising θ in
 * [start, start + 2π] keeps them, in index order, so that the nearest hit is the first of equal
 * ones, as when every segment is asked. A span is padded by far more than ray_hit's tolerances
 * and rounding can move a hit (1e-9 rad, and its ends' 1e-12 of the segment's length as seen
 * from the apex); a segment with an end at the apex is always asked.
 */
class SpanSweep {
public:
    /** `angle`: each segment's ends' angles, a then b, as angle_in(atan2, start) gives them. */
    SpanSweep(const std::vector<Seg>& segs, const std::vector<double>& angle, double start)
        : count_(segs.size(), 0) {
        const double full = start + 2 * kPi;
        for (size_t i = 0; i < segs.size(); ++i) {
            const Seg& s = segs[i];
            const double da = length(s.a), db = length(s.b), len = distance(s.a, s.b);
            const double pad = 1e-9 + 1e-11 * len / std::min(da, db);
            if (!(pad < 1e-3)) {  // an end at the apex (or NaN): asked at every angle
                add(start, full, i);
                continue;
            }
            double lo = angle[2 * i], hi = angle[2 * i + 1];
            if (lo > hi) std::swap(lo, hi);
            if (hi - lo > kPi) std::swap(lo, hi), hi += 2 * kPi;  // the span wraps past start + 2π
            lo -= pad, hi += pad;
            for (double shift : {-2 * kPi, 0.0, 2 * kPi})  // its copies a turn either way
                if (lo + shift <= full && hi + shift >= start)
                    add(std::max(lo + shift, start), std::min(hi + shift, full), i);
        }
        std::sort(opens_.begin(), opens_.end());
        std::sort(closes_.begin(), closes_.end());
    }

    /** The segments that a ray at θ may meet, ascending. θ must not fall. */
    const std::vector<uint32_t>& advance(double theta) {
        for (; next_open_ < opens_.size() && opens_[next_open_].first <= theta; ++next_open_) {
            const uint32_t i = opens_[next_open_].second;
            if (count_[i]++ == 0) active_.insert(std::lower_bound(active_.begin(), active_.end(), i), i);
        }
        for (; next_close_ < closes_.size() && closes_[next_close_].first < theta; ++next_close_) {
            const uint32_t i = closes_[next_close_].second;
            if (--count_[i] == 0) active_.erase(std::lower_bound(active_.begin(), active_.end(), i));
        }
        return active_;
    }

private:
    void add(double lo, double hi, size_t i) {
        opens_.emplace_back(lo, static_cast<uint32_t>(i));
        closes_.emplace_back(hi, static_cast<uint32_t>(i));
    }
    std::vector<std::pair<double, uint32_t>> opens_, closes_;
    size_t next_open_ = 0, next_close_ = 0;
    std::vector<int> count_;  // per segment: how many of its padded spans hold θ
    std::vector<uint32_t> active_;
};

}  // namespace

Polygon Occluders::visibility(Vec2 apex, double azimuth_deg, double fov_deg, double radius,
                              std::vector<int>* holding) const {
    const bool disc = fov_deg >= 360;
    // Plain names, not a structured binding: the lambdas below capture `start`, which clang
    // before 16 refuses for a binding (the fuzz build, tests/fuzz, uses clang 14).
    const auto sector = sector_angles(azimuth_deg, std::min(fov_deg, 360.0));
    const double start = sector.first, open = sector.second;
    const double end = start + open;

    // The segments that can block: edges of nearby buildings, minus those of the building the
    // camera stands in or on.
    std::vector<Seg> segs;
    for (int i : near(apex, radius)) {
        if (holds(i, apex)) {
            if (holding) holding->push_back(i);
            continue;
        }
        for (const auto& poly : polys_[i])
            for (const auto& ring : poly.rings)
                for (size_t k = 0; k < ring.size(); ++k) {
                    Seg s{ring[k] - apex, ring[(k + 1) % ring.size()] - apex};
                    if (segment_distance({0, 0}, s.a, s.b) < radius) segs.push_back(s);
                }
    }
    if (segs.empty()) return sector_polygon(apex, azimuth_deg, fov_deg, radius);

    // Critical angles within [start, end]. (A disc's angle past its end, by rounding, is also
    // taken a turn back.)
    std::vector<double> ev{start, end};
    auto at_angle = [&](Vec2 p, double a) {
        if (length(p) < 1e-12) return;
        if (a <= end) ev.push_back(a);
        if (disc && a - 2 * kPi >= start) ev.push_back(a - 2 * kPi);
    };
    auto add = [&](Vec2 p) { at_angle(p, angle_in(std::atan2(p.y, p.x), start)); };
    const bool many = segs.size() >= span_sweep_from_;
    std::vector<double> ends;  // with many segments, each end's angle, found once (SpanSweep's too)
    if (many) {
        ends.resize(2 * segs.size());
        for (size_t i = 0; i < segs.size(); ++i) {
            ends[2 * i] = angle_in(std::atan2(segs[i].a.y, segs[i].a.x), start);
            ends[2 * i + 1] = angle_in(std::atan2(segs[i].b.y, segs[i].b.x), start);
        }
    }
    const double r2 = radius * radius;
    for (size_t i = 0; i < segs.size(); ++i) {
        const Seg& s = segs[i];
        if (dot(s.a, s.a) <= r2) many ? at_angle(s.a, ends[2 * i]) : add(s.a);
        if (dot(s.b, s.b) <= r2) many ? at_angle(s.b, ends[2 * i + 1]) : add(s.b);
        // Crossings with the range circle: |a + t e| = r.
        const Vec2 e = s.b - s.a;
        const double A = dot(e, e), B = 2 * dot(s.a, e), C = dot(s.a, s.a) - r2;
        const double disc2 = B * B - 4 * A * C;
        if (A > 0 && disc2 >= 0) {
            const double sq = std::sqrt(disc2);
            for (double t : {(-B - sq) / (2 * A), (-B + sq) / (2 * A)})
                if (t >= 0 && t <= 1) add(s.a + e * t);
        }
    }
    // Crossings between segments (overlapping buildings). Among many, only pairs whose boxes
    // (grown by a millimetre, above what rounding moves a crossing of edges not parallel within
    // 1e-9 rad) overlap can cross: found by a sweep along x.
    auto crossing = [&](size_t i, size_t j) {  // i < j
        const Vec2 e1 = segs[i].b - segs[i].a, e2 = segs[j].b - segs[j].a;
        const double den = cross(e1, e2);
        // Parallel within 1e-9 rad: no crossing (collinear edges far apart gave a den of rounding
        // noise, and t and u of noise inside (0, 1)).
        if (!(std::abs(den) > 1e-9 * length(e1) * length(e2))) return;
        const Vec2 d = segs[j].a - segs[i].a;
        const double t = cross(d, e2) / den, u = cross(d, e1) / den;
        if (t > 1e-12 && t < 1 - 1e-12 && u > 1e-12 && u < 1 - 1e-12) {
            Vec2 p = segs[i].a + e1 * t;
            if (dot(p, p) <= r2) add(p);
        }
    };
    if (!many) {
        for (size_t i = 0; i < segs.size(); ++i)
            for (size_t j = i + 1; j < segs.size(); ++j) crossing(i, j);
    } else {
        std::vector<Box> box(segs.size());
        std::vector<uint32_t> by_x(segs.size());
        for (size_t i = 0; i < segs.size(); ++i) {
            box[i].add(segs[i].a), box[i].add(segs[i].b);
            box[i] = box[i].grown(1e-3);
            by_x[i] = static_cast<uint32_t>(i);
        }
        std::sort(by_x.begin(), by_x.end(),
                  [&](uint32_t a, uint32_t b) { return box[a].xmin < box[b].xmin; });
        for (size_t k = 0; k < by_x.size(); ++k)
            for (size_t m = k + 1; m < by_x.size() && box[by_x[m]].xmin <= box[by_x[k]].xmax; ++m)
                if (box[by_x[k]].intersects(box[by_x[m]]))
                    crossing(std::min(by_x[k], by_x[m]), std::max(by_x[k], by_x[m]));
    }
    std::sort(ev.begin(), ev.end());
    ev.erase(std::unique(ev.begin(), ev.end(), [](double a, double b) { return b - a < 1e-13; }), ev.end());

    std::optional<SpanSweep> spans;
    if (many) spans.emplace(segs, ends, start);
    Ring ring;
    if (!disc) ring.push_back(apex);
    double last_a = std::numeric_limits<double>::quiet_NaN();
    Vec2 last_d;
    for (size_t k = 0; k + 1 < ev.size(); ++k) {
        const double a0 = ev[k], a1 = ev[k + 1];
        if (a1 - a0 < 1e-13) continue;
        const double mid = (a0 + a1) / 2;
        const Vec2 dm{std::cos(mid), std::sin(mid)};
        double best = std::numeric_limits<double>::infinity();
        const Seg* hit = nullptr;
        auto ask = [&](const Seg& s) {
            const double t = ray_hit(dm, s);
            if (t < best) best = t, hit = &s;
        };
        if (spans) {
            for (uint32_t i : spans->advance(mid)) ask(segs[i]);
        } else {
            for (const auto& s : segs) ask(s);
        }
        if (hit && best < radius) {
            // An interval's start is the last one's end: its direction found once.
            const Vec2 d0 = a0 == last_a ? last_d : Vec2{std::cos(a0), std::sin(a0)},
                       d1{std::cos(a1), std::sin(a1)};
            last_a = a1, last_d = d1;
            const double t0 = std::min(line_hit(d0, *hit), radius), t1 = std::min(line_hit(d1, *hit), radius);
            push_unique(ring, apex + d0 * std::max(t0, 0.0));
            push_unique(ring, apex + d1 * std::max(t1, 0.0));
        } else {
            arc(ring, apex, radius, a0, a1);
        }
    }
    if (disc && ring.size() > 1 && distance(ring.front(), ring.back()) < 1e-9) ring.pop_back();
    return Polygon{{std::move(ring)}};
}

// Every ray from the apex leaves the house once, at t_B(θ), and the view along it is [0, r_V(θ)]:
// what is left is the band between the house's walls and the view's outline, one ring.
std::optional<Polygon> sweep_less_house(const Polygon& sweep, Vec2 apex, const Ring& house,
                                        double azimuth_deg, double fov_deg) {
    const Ring& v = sweep.rings[0];
    if (fov_deg >= 360 || v.size() < 3 || !(v[0] == apex)) return std::nullopt;
    const auto sector = sector_angles(azimuth_deg, fov_deg);
    const double start = sector.first, end = sector.first + sector.second;
    // The house counter-clockwise, its corners as given (a corner repeated once), and about the apex.
    Ring hv;
    for (Vec2 p : house)
        if (hv.empty() || !(p == hv.back())) hv.push_back(p);
    while (hv.size() > 1 && hv.front() == hv.back()) hv.pop_back();
    if (signed_area(hv) < 0) std::reverse(hv.begin(), hv.end());
    const size_t m = hv.size();
    if (m < 3) return std::nullopt;
    Ring h;
    for (Vec2 p : hv) h.push_back(p - apex);
    // The apex clear of every wall's line (the house convex: of its outline): a camera on the wall
    // or a corner, or within a rounding of one, goes to GEOS.
    for (size_t k = 0; k < m; ++k) {
        const Vec2 e = h[(k + 1) % m] - h[k];
        if (!(cross(h[k], e) > kClearOfWall * length(e))) return std::nullopt;
    }
    // Where the ray at angle a leaves the house, and through which wall: the nearest of the walls
    // ahead (each numerator is positive, the apex being inside every wall's line).
    auto leave = [&](double a, size_t& wall) {
        const Vec2 d{std::cos(a), std::sin(a)};
        double t = std::numeric_limits<double>::infinity();
        for (size_t k = 0; k < m; ++k) {
            const Vec2 e = h[(k + 1) % m] - h[k];
            const double den = cross(d, e);
            if (den > 0 && cross(h[k], e) / den < t) t = cross(h[k], e) / den, wall = k;
        }
        return apex + d * t;
    };
    size_t first = m, last = m;
    const Vec2 q0 = leave(start, first), q1 = leave(end, last);
    if (first == m || last == m) return std::nullopt;
    // The walls' corners between, counter-clockwise from the start ray's wall to the end ray's (the
    // ring's order is the angle's around a point inside a convex ring): none when both rays leave
    // by one wall and the sector is under a half turn (a wall spans less than one), else every one.
    Ring inner{q1};
    size_t n = (last + m - first) % m;
    if (n == 0 && end - start > kPi) n = m;
    for (size_t j = 0; j < n; ++j) inner.push_back(hv[(last + m - j) % m]);
    inner.push_back(q0);
    // The band is one simple ring when the walls stay inside the outline: nearer than it on the
    // start ray, and never meeting it (decided exactly). Both run across the sector from ray to
    // ray, so the walls are then nearer on every ray.
    if (!(distance(q0, apex) < distance(v[1], apex) * (1 - 1e-9))) return std::nullopt;
    for (size_t i = 1; i + 1 < v.size(); ++i)
        for (size_t k = 0; k + 1 < inner.size(); ++k)
            if (segments_meet(v[i], v[i + 1], inner[k], inner[k + 1])) return std::nullopt;
    Ring band(v.begin() + 1, v.end());
    band.insert(band.end(), inner.begin(), inner.end());
    return Polygon{{std::move(band)}};
}

// ---------------------------------------------------------------------------------------------
// [SECTION] camera_view

namespace {

/** The sector of radius r cut by the buildings of `occ` (non-empty), building interiors removed. */
MultiPolygon building_view(const Camera& cam, const Occluders* occ, double r) {
    std::vector<int> holding;
    Polygon vis = occ->visibility(cam.pos, cam.azimuth, cam.fov, r, &holding);
    // Building interiors are never seen: remove the buildings holding the camera, which the
    // sweep ignored. Every other building bounds the sweep's polygon, which stops on its walls
    // (up to a rounding either side of them): a GEOS difference for each would move the outline
    // by under a nanometre, at the cost of most of the views' time.
    std::vector<int> cut;
    const Box vb = bounds(vis.rings[0]);
    const MultiPolygon vis_mp{vis};
    for (int i : holding) {
        if (!occ->box(i).intersects(vb)) continue;
        // Vertices inside each other are not enough: a camera on the wall two houses share looks
        // across one of them with no vertex of either inside the other (issue 12's lattice
        // fuzzer). Any shared point, decided exactly, sends the building to the cut.
        if (polygons_meet(vis_mp, occ->shape(i))) cut.push_back(i);
    }
    // The sweep's polygon is simple and star-shaped by construction: no validity pass (it costs a
    // noding of every ring) unless GEOS rejects it while cutting out a building.
    if (cut.empty()) return {std::move(vis)};
    // A camera just inside the wall of a convex house, looking out (nearly every cut): by hand.
    // (sweep_less_house asks the rest: a sector, the camera clear inside every wall.)
    if (const Ring* house = cut.size() == 1 ? convex_ring(occ->shape(cut[0])) : nullptr)
        if (auto band = sweep_less_house(vis, cam.pos, *house, cam.azimuth, cam.fov))
            return {std::move(*band)};
    geos::Geom g = geos::to_geos(vis);
    for (int i : cut) {
        geos::Geom b = geos::to_geos(occ->shape(i));
        try {
            g = geos::difference(g.get(), b.get());
        } catch (const Error&) {
            g = geos::to_geos(geos::make_valid(geos::to_multipolygon(g.get())));
            g = geos::difference(g.get(), b.get());
        }
    }
    return geos::to_multipolygon(g.get());
}

/** The view minus the ground terrain hides from the camera's lens (camera_height above the DEM). */
MultiPolygon terrain_cut(MultiPolygon view, const Camera& cam, const Terrain& terrain, double r) {
    if (view.empty()) return view;
    MultiPolygon hidden = terrain.hidden(cam.pos, camera_height(cam), r);
    if (hidden.empty()) return view;
    geos::Geom v = geos::to_geos(view), h = geos::to_geos(hidden);
    try {
        return geos::to_multipolygon(geos::difference(v.get(), h.get()).get());
    } catch (const Error&) {
        v = geos::to_geos(geos::make_valid(view));
        h = geos::to_geos(geos::make_valid(hidden));
        return geos::to_multipolygon(geos::difference(v.get(), h.get()).get());
    }
}

}  // namespace

bool rated_for(const Camera& cam, Quality q) {
    return q == Quality::Any || (cam.resolution_px && *cam.resolution_px > 0);
}

void leave_out_unrated(std::vector<const Camera*>& cams, Quality q, std::vector<Issue>& unrated) {
    std::erase_if(cams, [&](const Camera* c) {
        if (rated_for(*c, q)) return false;
        unrated.push_back({"cameras", c->cam_id, "resolution_px missing or under 1"});
        return true;
    });
}

MultiPolygon camera_view(const Camera& cam, const Occluders* occ, const ViewOptions& options) {
    if (!camera_problem(cam).empty() || !rated_for(cam, options.quality)) return {};
    const double r = std::min(cam.range, quality_distance(cam, options.quality));
    if (!(r > 0)) return {};
    const bool occlude = options.occlusion && occ && !occ->empty();
    const bool terrain = options.occlusion && options.terrain;
    if (!terrain) {
        if (!occlude) return {sector_polygon(cam.pos, cam.azimuth, cam.fov, r)};
        return building_view(cam, occ, r);
    }
    // Terrain after buildings: what the buildings leave, less the ground the DEM hides.
    MultiPolygon view = occlude ? building_view(cam, occ, r)
                                : MultiPolygon{sector_polygon(cam.pos, cam.azimuth, cam.fov, r)};
    return terrain_cut(std::move(view), cam, *options.terrain, r);
}

}  // namespace gw
