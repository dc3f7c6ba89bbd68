// Roads: G320 across the south, the exit road north from its junction with G320, the village
// roads and hill paths along lattice edges, and a spur road into each rural villager group.
#include <limits>

#include "geo/core/error.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {

/** Northing of G320 at easting x (G320 runs west to east, a function of x). */
double CommunityBuilder::g320_y(double x) const {
    auto it = std::lower_bound(g320_.begin(), g320_.end(), x, [](Vec2 p, double v) { return p.x < v; });
    if (it == g320_.begin()) return it->y;
    if (it == g320_.end()) return g320_.back().y;
    const Vec2 b = *it, a = *(it - 1);
    return b.x == a.x ? a.y : a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x);
}

void CommunityBuilder::make_g320() {
    Rng r(stream(kStreamG320));
    const double ph1 = r.uniform(0, 2 * M_PI), ph2 = r.uniform(0, 2 * M_PI);
    for (double x = -kG320HalfLength; x <= kG320HalfLength + 1e-9; x += 20)
        g320_.push_back(
            {x, kG320Y + 24 * std::sin(2 * M_PI * x / 3100 + ph1) + 7 * std::sin(2 * M_PI * x / 970 + ph2)});
}

/**
 * G320, the exit road (north from its junction with G320 along lattice column 2), the two
 * village roads along lattice rows 1 and 2, 西坡路 and the paths up the hill. Every junction is
 * a vertex of both roads.
 */
void CommunityBuilder::make_main_roads() {
    // The exit road: lattice edge (2,0)→(2,1) from its northern end down to where it meets G320.
    const LineString south_part = reversed(lat_.vedge(2, 0));
    auto x = first_crossing(south_part, g320_);
    if (!x) throw Error("demo: the exit road does not reach G320 (seed " + std::to_string(spec_.seed) + ")");
    exit_junction_ = x->p;
    LineString exit_road{exit_junction_};
    for (size_t k = x->i + 1; k-- > 0;) exit_road.push_back(south_part[k]);
    exit_road = join({&exit_road, &lat_.vedge(2, 1)});
    g320_.insert(g320_.begin() + static_cast<long>(x->j) + 1, exit_junction_);

    roads_.push_back({"G320国道", "national", g320_});
    exit_road_ = roads_.size();
    roads_.push_back({"大坪子进村路", "county", exit_road});
    roads_.push_back({"坪子下村道", "village",
                      join({&lat_.hedge(0, 1), &lat_.hedge(1, 1), &lat_.hedge(2, 1), &lat_.vedge(3, 1)})});
    upper_road_ = roads_.size();
    roads_.push_back({"坪子上村道", "village",
                      join({&lat_.hedge(0, 2), &lat_.hedge(1, 2), &lat_.hedge(2, 2), &lat_.hedge(3, 2)})});
    roads_.push_back({"西坡路", "village", lat_.vedge(1, 1)});
    roads_.push_back({"后山小路", "path", lat_.vedge(1, 2)});
    roads_.push_back({"后山便道", "path", lat_.vedge(2, 2)});
}

namespace {

/** The line up to its first point (after `skip` metres) where ok() fails. */
LineString truncated(const LineString& l, const std::function<bool(Vec2)>& ok, double skip) {
    LineString out;
    double walked = 0;
    for (size_t i = 0; i < l.size(); ++i) {
        if (i > 0) walked += distance(l[i - 1], l[i]);
        if (walked > skip && !ok(l[i])) break;
        out.push_back(l[i]);
    }
    return out;
}

}  // namespace

/**
 * Each rural villager group gets a spur road from a road on its edge into its habitable middle,
 * where its main hamlet sits, and a field path on from there.
 */
void CommunityBuilder::make_spurs() {
    Rng r(stream(kStreamSpurs));
    geos::Geom strip = strip_mask(60, 80);
    std::vector<Vec2> lattice_points = lat_.vertices;
    lattice_points.push_back(exit_junction_);
    const size_t n_named = roads_.size();
    for (auto& reg : regions_) {
        geos::Geom habitable = own(GEOSDifference_r(gctx(), reg.area->geom.get(), strip.get()), "difference");
        geos::Geom c = own(GEOSGetCentroid_r(gctx(), habitable.get()), "centroid");
        reg.target = xy_of(c.get());
        if (!reg.area->contains(reg.target)) {
            geos::Geom s = own(GEOSPointOnSurface_r(gctx(), habitable.get()), "point on surface");
            reg.target = xy_of(s.get());
        }
        reg.hamlet_centre = reg.target;
        geos::Geom inner = buffered(reg.area->geom.get(), -25);
        reg.spur_area.emplace(own(GEOSDifference_r(gctx(), inner.get(), strip.get()), "difference"));
        if (reg.plan->resettlement) continue;

        // Where the spur leaves: a vertex of a village or county road on the group's edge, away
        // from other junctions, the nearer to the habitable middle the likelier.
        Area edge(buffered(reg.area->geom.get(), 0.5));
        Vec2 best{};
        double best_score = std::numeric_limits<double>::infinity();
        for (size_t k = 1; k < n_named; ++k) {
            if (roads_[k].road_class == "path") continue;
            for (Vec2 p : roads_[k].line) {
                bool clear = distance(p, exit_junction_) > 200 && std::abs(p.y - g320_y(p.x)) > 150;
                for (Vec2 q : lattice_points) clear = clear && distance(p, q) > 120;
                for (Vec2 q : spur_junctions_) clear = clear && distance(p, q) > 150;
                if (!clear || !edge.contains(p)) continue;
                const double score = distance(p, reg.target) * r.uniform(1.0, 1.5);
                if (score < best_score) best_score = score, best = p;
            }
        }
        if (!std::isfinite(best_score)) continue;  // no road on its edge: the hamlet is reached on foot
        const Vec2 dir = unit(reg.target - best);
        const double len = std::clamp(distance(reg.target, best), 150.0, 520.0) * r.uniform(0.8, 1.0);
        auto ok = [&](Vec2 p) { return reg.spur_area->contains(p); };
        LineString spur = truncated(wiggle(best, best + dir * len, {0.04, 2, 0.6}, 1.0, r), ok, 35);
        if (polyline_length(spur) < 60) continue;
        spur_junctions_.push_back(best);
        reg.hamlet_centre = spur.back();
        roads_.push_back({std::string(reg.plan->hamlet) + "路", "village", spur});

        const Vec2 path_dir = rotated(dir, (r.chance(0.5) ? 1 : -1) * r.uniform(35, 70));
        LineString path = truncated(
            wiggle(spur.back(), spur.back() + path_dir * r.uniform(150, 300), kPathStyle, 1.0, r), ok, 0);
        if (polyline_length(path) >= 50) roads_.push_back({"田间小路", "path", path});
    }
}

Vec2 CommunityBuilder::nearest_road_point(Vec2 p) const {
    Vec2 best = p;
    double best_d = std::numeric_limits<double>::infinity();
    for (const auto& road : roads_) {
        const Box b = bounds(road.line);
        const double dx = std::max({b.xmin - p.x, 0.0, p.x - b.xmax}),
                     dy = std::max({b.ymin - p.y, 0.0, p.y - b.ymax});
        if (std::hypot(dx, dy) >= best_d) continue;
        const Vec2 q = nearest_point(road.line, p);
        if (double d = distance(p, q); d < best_d) best_d = d, best = q;
    }
    return best;
}

}  // namespace gw::demo_detail
