// Polyline helpers of the demo generator: lengths, wiggly edges, points along a line, crossings.
#include <limits>

#include "geo/demo/demo_internal.h"

namespace gw::demo_detail {

double polyline_length(const LineString& l) { return length(l); }

LineString densify(const LineString& l, double max_seg) {
    LineString out;
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], b = l[i + 1];
        const int n = std::max(1, static_cast<int>(std::ceil(distance(a, b) / max_seg)));
        out.push_back(a);
        for (int k = 1; k < n; ++k) out.push_back(a + (b - a) * (static_cast<double>(k) / n));
    }
    if (!l.empty()) out.push_back(l.back());
    return out;
}

LineString join(std::initializer_list<const LineString*> parts) {
    LineString out;
    for (const LineString* p : parts)
        for (size_t i = (out.empty() ? 0 : 1); i < p->size(); ++i) out.push_back((*p)[i]);
    return out;
}

LineString reversed(LineString l) {
    std::reverse(l.begin(), l.end());
    return l;
}

LineString wiggle(Vec2 a, Vec2 b, const EdgeStyle& style, double scale, Rng& r) {
    LineString pts{a, b};
    double amp = style.amp * scale;
    for (int level = 0; level < style.levels; ++level, amp *= style.decay) {
        LineString next;
        for (size_t i = 0; i + 1 < pts.size(); ++i) {
            const Vec2 p = pts[i], q = pts[i + 1];
            const double len = distance(p, q), off = r.normal_clamped(2) * amp * len;
            next.push_back(p);
            if (len > 40) next.push_back((p + q) * 0.5 + left_of(unit(q - p)) * off);
        }
        next.push_back(pts.back());
        pts = std::move(next);
    }
    return densify(pts, 25);
}

namespace {

std::optional<Vec2> segment_crossing(Vec2 p, Vec2 p2, Vec2 q, Vec2 q2) {
    const Vec2 r = p2 - p, s = q2 - q;
    const double den = cross(r, s);
    if (std::abs(den) < 1e-12) return std::nullopt;
    const double t = cross(q - p, s) / den, u = cross(q - p, r) / den;
    if (t < 0 || t > 1 || u < 0 || u > 1) return std::nullopt;
    return p + r * t;
}

}  // namespace

std::vector<Station> stations(const LineString& l, double step, double start) {
    std::vector<Station> out;
    double next = start, walked = 0;
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], b = l[i + 1];
        const double len = distance(a, b);
        if (len <= 0) continue;
        while (next <= walked + len) {
            out.push_back({a + (b - a) * ((next - walked) / len), unit(b - a)});
            next += step;
        }
        walked += len;
    }
    return out;
}

Vec2 point_along(const LineString& l, size_t k, int dir, double dist) {
    Vec2 at = l[k];
    for (long i = static_cast<long>(k); i + dir >= 0 && i + dir < static_cast<long>(l.size()); i += dir) {
        const Vec2 next = l[i + dir];
        const double len = distance(at, next);
        if (len >= dist) return at + (next - at) * (dist / len);
        dist -= len, at = next;
    }
    return at;
}

Vec2 nearest_point(const LineString& l, Vec2 p) {
    Vec2 best = l.front();
    double best_d = distance(p, best);
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], ab = l[i + 1] - a;
        const double l2 = dot(ab, ab);
        const double t = l2 > 0 ? std::clamp(dot(p - a, ab) / l2, 0.0, 1.0) : 0.0;
        const Vec2 q = a + ab * t;
        if (double d = distance(p, q); d < best_d) best_d = d, best = q;
    }
    return best;
}

std::optional<Crossing> first_crossing(const LineString& a, const LineString& b) {
    for (size_t i = 0; i + 1 < a.size(); ++i)
        for (size_t j = 0; j + 1 < b.size(); ++j)
            if (auto p = segment_crossing(a[i], a[i + 1], b[j], b[j + 1])) return Crossing{i, j, *p};
    return std::nullopt;
}

Vec2 insert_vertex_near(LineString& l, Vec2 target) {
    size_t best_i = 0;
    double best_d = std::numeric_limits<double>::infinity();
    Vec2 best = l.front();
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], ab = l[i + 1] - a;
        const double l2 = dot(ab, ab);
        const double t = l2 > 0 ? std::clamp(dot(target - a, ab) / l2, 0.0, 1.0) : 0.0;
        const Vec2 q = a + ab * t;
        if (double d = distance(target, q); d < best_d) best_d = d, best = q, best_i = i;
    }
    if (distance(best, l[best_i]) < 1e-6) return l[best_i];
    if (distance(best, l[best_i + 1]) < 1e-6) return l[best_i + 1];
    l.insert(l.begin() + static_cast<long>(best_i) + 1, best);
    return best;
}

Polygon rectangle(Vec2 c, Vec2 dir, double w, double d) {
    const Vec2 u = unit(dir) * (w / 2), v = left_of(unit(dir)) * (d / 2);
    return Polygon{{Ring{c - u - v, c + u - v, c + u + v, c - u + v}}};
}

}  // namespace gw::demo_detail
