#include "geo/analysis/validate.h"

#include <cmath>
#include <cstdio>
#include <map>
#include <set>
#include <unordered_map>

#include "geo/core/box_index.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"

namespace gw {

namespace {

std::string fmt_area(double a) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.1f m²", a);
    return buf;
}
thread_local const std::function<Vec2(Vec2)>* t_report = nullptr;

std::string fmt_at(const MultiPolygon& mp) {
    Vec2 c = centroid(mp);
    if (t_report && *t_report) c = (*t_report)(c);
    char buf[96];
    std::snprintf(buf, sizeof buf, " near (%.1f, %.1f)", c.x, c.y);
    return buf;
}

/**
 * Every vertex of a's rings lies within 5 cm of b's boundary. Not less: a neighbour's vertex that
 * was put on an edge in one CRS is off the same edge by its sagitta in another (mm to cm), which
 * is float noise of the data, not a break; the area checks bound what the tolerance lets through.
 */
bool vertices_on_boundary(const MultiPolygon& a, const MultiPolygon& b) {
    constexpr double kTol = 0.05;
    std::vector<std::pair<Vec2, Vec2>> segs;
    std::vector<Box> boxes;
    for (const auto& poly : b)
        for (const auto& ring : poly.rings)
            for (size_t i = 0; i < ring.size(); ++i) {
                const Vec2 p = ring[i], q = ring[(i + 1) % ring.size()];
                segs.push_back({p, q});
                Box bx;
                bx.add(p), bx.add(q);
                boxes.push_back(bx);
            }
    const Box ext = bounds(b);
    BoxIndex index(boxes, std::max(1.0, std::max(ext.width(), ext.height()) / 32));
    for (const auto& poly : a)
        for (const auto& ring : poly.rings)
            for (auto v : ring) {
                bool on = false;
                for (int k : index.query(BoxIndex::around(v, kTol)))
                    if (segment_distance(v, segs[k].first, segs[k].second) <= kTol) {
                        on = true;
                        break;
                    }
                if (!on) return false;
            }
    return true;
}

/**
 * The fast path for the common case of a clean tiling, without overlay: the children's coverage
 * union (it merges matching edges) has their summed area (no overlaps) and the parent's area, and
 * the two boundaries hold each other's vertices (so they are the same line work, up to extra
 * vertices along straight edges where a child's edge meets the parent's). Anything else
 * (T-junctions inside, slivers, overlaps) goes to the exact overlay checks.
 */
bool tiles_exactly(const Grid& parent, const std::vector<const Grid*>& kids, double sum, double tol) {
    GEOSContextHandle_t h = geos::ctx();
    std::vector<GEOSGeometry*> parts;
    for (const Grid* k : kids)
        for (const auto& p : k->shape) parts.push_back(geos::to_geos(p).release());
    geos::Geom coll(GEOSGeom_createCollection_r(h, GEOS_GEOMETRYCOLLECTION, parts.data(), static_cast<unsigned>(parts.size())));
    geos::Geom cu(GEOSCoverageUnion_r(h, coll.get()));
    if (!cu) return false;
    const double a = geos::area(cu.get());
    if (std::abs(a - sum) > tol || std::abs(a - area(parent.shape)) > tol) return false;
    const MultiPolygon u = geos::to_multipolygon(cu.get());
    return vertices_on_boundary(u, parent.shape) && vertices_on_boundary(parent.shape, u);
}

/** Checks one parent against its children; appends what breaks the tiling. */
void check_family(const Grid& parent, const std::vector<const Grid*>& kids, double tol, std::vector<Issue>& out) {
    std::vector<const MultiPolygon*> shapes;
    double sum = 0;
    for (const Grid* k : kids) shapes.push_back(&k->shape), sum += area(k->shape);
    if (tiles_exactly(parent, kids, sum, tol)) return;
    geos::Geom uni = geos::union_all(shapes.data(), shapes.size());
    geos::Geom par = geos::to_geos(parent.shape);
    const double uni_area = geos::area(uni.get());
    geos::Geom gap = geos::difference(par.get(), uni.get());
    if (double a = geos::area(gap.get()); a > tol)
        out.push_back({"grids", parent.grid_id,
                       "gap of " + fmt_area(a) + " not covered by its level-" + std::to_string(parent.level + 1) +
                           " cells" + fmt_at(geos::to_multipolygon(gap.get()))});
    geos::Geom outside = geos::difference(uni.get(), par.get());
    if (double a = geos::area(outside.get()); a > tol) {
        // Name the children that stick out.
        for (const Grid* k : kids) {
            geos::Geom kg = geos::to_geos(k->shape);
            geos::Geom d = geos::difference(kg.get(), par.get());
            if (double ka = geos::area(d.get()); ka > tol)
                out.push_back({"grids", k->grid_id,
                               fmt_area(ka) + " lies outside its parent " + parent.grid_id +
                                   fmt_at(geos::to_multipolygon(d.get()))});
        }
    }
    if (sum - uni_area > tol) {
        for (size_t i = 0; i < kids.size(); ++i) {
            Box bi = bounds(kids[i]->shape);
            geos::Geom gi = geos::to_geos(kids[i]->shape);
            for (size_t j = i + 1; j < kids.size(); ++j) {
                if (!bi.intersects(bounds(kids[j]->shape))) continue;
                geos::Geom gj = geos::to_geos(kids[j]->shape);
                geos::Geom x = geos::intersection(gi.get(), gj.get());
                if (double a = geos::area(x.get()); a > tol)
                    out.push_back({"grids", kids[i]->grid_id,
                                   "overlaps " + kids[j]->grid_id + " by " + fmt_area(a) +
                                       fmt_at(geos::to_multipolygon(x.get()))});
            }
        }
    }
}

}  // namespace

std::vector<Issue> check_tiling(const std::vector<Grid>& grids, double tol) {
    std::vector<Issue> out;
    std::unordered_map<std::string, const Grid*> by_id;
    std::set<int> levels;
    for (const auto& g : grids) {
        levels.insert(g.level);
        if (!by_id.emplace(g.grid_id, &g).second)
            out.push_back({"grids", g.grid_id, "grid_id is not unique"});
    }
    std::map<const Grid*, std::vector<const Grid*>> children;
    for (const auto& g : grids) {
        if (g.level == 1) {
            if (!g.parent_id.empty() && by_id.count(g.parent_id))
                out.push_back({"grids", g.grid_id, "level-1 cell has parent_id '" + g.parent_id + "'"});
            continue;
        }
        auto it = by_id.find(g.parent_id);
        if (g.parent_id.empty() || it == by_id.end()) {
            out.push_back({"grids", g.grid_id,
                           g.parent_id.empty() ? "level-" + std::to_string(g.level) + " cell has no parent_id"
                                               : "parent_id '" + g.parent_id + "' is not a grid_id in the layer"});
            continue;
        }
        if (it->second->level != g.level - 1) {
            out.push_back({"grids", g.grid_id,
                           "level " + std::to_string(g.level) + " but its parent " + g.parent_id + " is level " +
                               std::to_string(it->second->level)});
            continue;
        }
        children[it->second].push_back(&g);
    }
    for (const auto& g : grids)
        if (g.level < 4 && levels.count(g.level + 1) && !children.count(&g))
            out.push_back({"grids", g.grid_id, "has no level-" + std::to_string(g.level + 1) + " cells"});

    // The geometric checks over two threads (each with its own GEOS context), one issue list per
    // family so that the report keeps the layer's order whatever the threads did.
    std::vector<std::pair<const Grid*, std::vector<const Grid*>>> fams(children.begin(), children.end());
    std::vector<std::vector<Issue>> part(fams.size());
    const auto* report = t_report;
    parallel_for(fams.size(), [&](size_t i) {
        t_report = report;
        check_family(*fams[i].first, fams[i].second, tol, part[i]);
    });
    for (auto& p : part) out.insert(out.end(), p.begin(), p.end());
    return out;
}

std::vector<Issue> check_tiling(const std::vector<Grid>& grids, const std::function<void(std::vector<Vec2>&)>& to_check,
                                const std::function<Vec2(Vec2)>& to_report, double tol) {
    std::vector<Grid> mapped;
    mapped.reserve(grids.size());
    for (const auto& g : grids) {
        Grid m;
        m.grid_id = g.grid_id, m.parent_id = g.parent_id, m.level = g.level;
        m.shape = g.shape;
        for (auto& poly : m.shape)
            for (auto& ring : poly.rings) to_check(ring);
        mapped.push_back(std::move(m));
    }
    t_report = &to_report;
    auto out = check_tiling(mapped, tol);
    t_report = nullptr;
    return out;
}

}  // namespace gw
