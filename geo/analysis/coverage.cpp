// [SECTION] Views
// [SECTION] Households
// [SECTION] The engine: per-cell work shared by compute_coverage and LiveCoverage
// [SECTION] compute_coverage
// [SECTION] LiveCoverage
#include "geo/analysis/coverage.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <numeric>
#include <set>
#include <thread>

#include "geo/analysis/stats.h"
#include "geo/analysis/union_area.h"
#include "geo/analysis/validate.h"
#include "geo/core/box_index.h"
#include "geo/core/crossings.h"
#include "geo/core/error.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"

namespace gw {

namespace {


geos::Geom collection(std::vector<GEOSGeometry*>& parts, int type = GEOS_GEOMETRYCOLLECTION) {
    return geos::Geom(GEOSGeom_createCollection_r(geos::ctx(), type, parts.data(), static_cast<unsigned>(parts.size())));
}

geos::Geom empty_polygon() { return geos::Geom(GEOSGeom_createEmptyPolygon_r(geos::ctx())); }

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Views

std::vector<MultiPolygon> compute_views(const Dataset& ds, const std::vector<const Camera*>& cams,
                                        const ViewOptions& options) {
    std::vector<MultiPolygon> views(cams.size());
    std::unique_ptr<Occluders> occ;
    if (options.occlusion && !ds.buildings.empty()) occ = std::make_unique<Occluders>(ds.buildings);
    parallel_for(cams.size(), [&](size_t i) { views[i] = camera_view(*cams[i], occ.get(), options); });
    return views;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Households

bool household_seen(const Household& h, const MultiPolygon* house, const MultiPolygon& view) {
    if (inside(view, h.pos)) return true;
    if (!house) return false;
    // The camera sees the house when its view touches the house's outline. A view the house
    // itself occludes ends on its wall at a computed crossing, a rounding either side of it:
    // "touches" is within kSeesWall, far above rounding and far below any survey.
    return polygons_within(view, *house, kSeesWall);
}

Box household_box(const Household& h, const MultiPolygon* house) {
    Box q = BoxIndex::around(h.pos, 0);
    if (house) {
        const Box b = bounds(*house);
        q.add(Vec2{b.xmin - kSeesWall, b.ymin - kSeesWall}),
            q.add(Vec2{b.xmax + kSeesWall, b.ymax + kSeesWall});
    }
    return q;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] The engine: per-cell work shared by compute_coverage and LiveCoverage

struct CoverageEngine {
    const Dataset& ds;
    CoverageOptions o;
    std::vector<const Grid*> cells;
    std::vector<Box> cell_boxes;
    CellLocator loc;
    BoxIndex cindex, bindex, rindex, eindex;
    std::vector<const MultiPolygon*> house;  // per household: the building it stands in
    std::vector<int> hh_cell;                // per household: its cell, or −1
    BoxIndex hindex{{}, 100};                // households: their points and houses (household_box)
    /**
     * Road metres: each road segment is cut into pieces of at most a metre, each sampled at its
     * middle; a sample counts when it lies in a cell of the level.
     */
    struct RoadSegment {
        Vec2 a, b;
        int n;        // pieces
        int first;    // its first sample in sample_in / sample_seen
        double piece;  // m
        Vec2 sample(int k) const { return a + (b - a) * ((k + 0.5) / n); }
    };
    std::vector<RoadSegment> road;
    std::vector<unsigned char> sample_in;  // per sample: inside a cell of the level
    std::vector<int> sample_seen;          // per sample: how many cameras see it
    BoxIndex road_index{{}, 50};          // road segments with a sample inside the cells
    std::vector<std::vector<Gap>> cell_gaps;
    std::vector<geos::Geom> demand;  // per cell, within it, built on first use
    bool keep_demand = true;         // for the next set_camera (LiveCoverage); a run done once lets it go

    static std::vector<Box> boxes_of_cells(const std::vector<const Grid*>& c) {
        std::vector<Box> b;
        for (auto* g : c) b.push_back(bounds(g->shape));
        return b;
    }
    template <typename T>
    static std::vector<Box> boxes_of(const std::vector<T>& v) {
        std::vector<Box> b;
        for (const auto& f : v) b.push_back(bounds(f.shape));
        return b;
    }

    CoverageEngine(const Dataset& d, const CoverageOptions& opt, std::vector<const Grid*> c)
        : ds(d),
          o(opt),
          cells(std::move(c)),
          cell_boxes(boxes_of_cells(cells)),
          loc(cells),
          cindex(cell_boxes, 200),
          bindex(boxes_of(d.buildings), 50),
          rindex(boxes_of(d.roads), 200),
          eindex(boxes_of(d.enterprises), 200),
          cell_gaps(cells.size()),
          demand(cells.size()) {
        house.assign(ds.households.size(), nullptr);
        hh_cell.assign(ds.households.size(), -1);
        parallel_for(ds.households.size(), [&](size_t i) {
            const Vec2 p = ds.households[i].pos;
            bindex.visit(BoxIndex::around(p, 0), [&](int b) {
                if (inside(ds.buildings[b].shape, p)) house[i] = &ds.buildings[b].shape;
            });
            hh_cell[i] = loc.find(p);
        });
        std::vector<Box> hb(ds.households.size());
        for (size_t i = 0; i < hb.size(); ++i) hb[i] = household_box(i);
        hindex = BoxIndex(hb, 100);
        if (o.roads) cut_roads();
    }

    /**
     * Where segment ab meets the outlines of the cells near it, as parameters in (0, 1): between
     * two of them the segment is wholly in the cells or wholly outside.
     */
    void cell_crossings(Vec2 a, Vec2 b, std::vector<double>& ts) const {
        Box sb;
        sb.add(a), sb.add(b);
        cindex.visit(sb, [&](int ci) { segment_crossings(cells[ci]->shape, a, b, ts); });
    }

    /** Whether segment ab meets the outline of cell ci. */
    bool meets_outline(int ci, Vec2 a, Vec2 b) const {
        return any_edge(cells[ci]->shape, [&](Vec2 c, Vec2 d) { return segments_meet(a, b, c, d); });
    }

    /** Whether p lies within d of the outline of cell ci. */
    bool near_outline(int ci, Vec2 p, double d) const {
        return any_edge(cells[ci]->shape, [&](Vec2 a, Vec2 b) { return near_segment(p, a, b, d); });
    }

    /**
     * Appends to `in` whether each sample of the segment lies in the cells; false (nothing
     * appended) when none does. `last` is the cell found last along the road.
     */
    bool sample_segment(const RoadSegment& seg, int& last, std::vector<unsigned char>& in) const {
        const Vec2 a = seg.a, b = seg.b;
        // Most segments stay inside the cell the last one was in: wholly in the cells.
        if (last >= 0 && !meets_outline(last, a, b) && inside(cells[last]->shape, (a + b) * 0.5)) {
            in.insert(in.end(), seg.n, 1);
            return true;
        }
        // The spans between crossings of cell outlines are each in the cells or out, as their
        // middles are; a road along a cell's edge is in (its middle is on it).
        thread_local std::vector<double> ts;
        thread_local std::vector<char> span_in;
        ts.assign({0.0, 1.0});
        cell_crossings(a, b, ts);
        for (double& t : ts) t = std::clamp(t, 0.0, 1.0);
        std::sort(ts.begin(), ts.end());
        ts.erase(std::unique(ts.begin(), ts.end()), ts.end());
        span_in.clear();
        for (size_t k = 0; k + 1 < ts.size(); ++k) {
            const Vec2 m = a + (b - a) * ((ts[k] + ts[k + 1]) / 2);
            // In the cell last found or on its outline (a road along its edge), else in or on any other.
            bool at = last >= 0 && (inside(cells[last]->shape, m) || near_outline(last, m, 1e-6));
            if (!at) {
                if (const int c = loc.find_within(m, 1e-6); c >= 0) last = c, at = true;
            }
            span_in.push_back(at);
        }
        size_t inside_count = 0, span = 0;
        for (int k = 0; k < seg.n; ++k) {
            const double t = (k + 0.5) / seg.n;
            while (span + 1 < span_in.size() && ts[span + 1] < t) ++span;
            // A sample right on a crossing is on an outline: in when either side is.
            const bool at = span_in[span] || (ts[span + 1] == t && span + 1 < span_in.size() && span_in[span + 1]);
            in.push_back(at);
            inside_count += at;
        }
        if (inside_count == 0) in.resize(in.size() - seg.n);
        return inside_count > 0;
    }

    /** The road samples; per road on two threads, joined in road order. */
    void cut_roads() {
        std::vector<std::vector<RoadSegment>> segs(ds.roads.size());
        std::vector<std::vector<unsigned char>> in(ds.roads.size());
        parallel_for(ds.roads.size(), [&](size_t ri) {
            int last = -1;  // the cell found last along this road (a hint: every use checks it)
            for (const auto& line : ds.roads[ri].shape)
                for (size_t s = 0; s + 1 < line.size(); ++s) {
                    const Vec2 a = line[s], b = line[s + 1];
                    const double len = distance(a, b);
                    if (len == 0) continue;  // a repeated vertex: no metres
                    RoadSegment seg{a, b, std::max(1, static_cast<int>(std::ceil(len))), 0, 0};
                    seg.piece = len / seg.n;
                    if (sample_segment(seg, last, in[ri])) segs[ri].push_back(seg);
                }
        });
        for (size_t ri = 0; ri < segs.size(); ++ri) {
            int first = static_cast<int>(sample_in.size());
            for (auto& seg : segs[ri]) {
                seg.first = first;
                first += seg.n;
                road.push_back(seg);
            }
            sample_in.insert(sample_in.end(), in[ri].begin(), in[ri].end());
        }
        sample_seen.assign(sample_in.size(), 0);
        std::vector<Box> rb;
        for (const auto& seg : road) {
            Box b;
            b.add(seg.a), b.add(seg.b);
            rb.push_back(b);
        }
        road_index = BoxIndex(rb, 50);
    }

    /**
     * Calls fn(sample index) for each sample inside the cells that lies in box q and, when a view
     * is given, in the view. A convex view is met segment by segment (the samples inside it are
     * one run), another sample by sample. The full run and live edits both count through here.
     */
    template <typename Fn>
    void road_samples_in(const Box& q, const MultiPolygon* view, Fn&& fn) const {
        const Ring* convex = view ? convex_ring(*view) : nullptr;
        road_index.visit(q, [&](int si) {
            const RoadSegment& seg = road[si];
            double c0 = 0, c1 = 1;
            if (convex && !convex_span(*convex, seg.a, seg.b, c0, c1)) return;
            // The pieces whose middles may fall in q (a piece either side of the clipped span).
            double t0 = 0, t1 = 1;
            const Vec2 d = seg.b - seg.a;
            auto clip = [&](double p, double dp, double lo, double hi) {
                if (dp == 0) return p >= lo && p <= hi;
                double u = (lo - p) / dp, v = (hi - p) / dp;
                if (u > v) std::swap(u, v);
                t0 = std::max(t0, u), t1 = std::min(t1, v);
                return t0 <= t1;
            };
            if (!clip(seg.a.x, d.x, q.xmin, q.xmax) || !clip(seg.a.y, d.y, q.ymin, q.ymax)) return;
            t0 = std::max(t0, c0), t1 = std::min(t1, c1);  // within the view's run too
            if (t0 > t1) return;
            const int k0 = std::max(0, static_cast<int>(std::floor(t0 * seg.n - 0.5)) - 1);
            const int k1 = std::min(seg.n - 1, static_cast<int>(std::ceil(t1 * seg.n - 0.5)) + 1);
            for (int k = k0; k <= k1; ++k) {
                if (!sample_in[seg.first + k]) continue;
                const Vec2 p = seg.sample(k);
                if (!q.contains(p)) continue;
                if (convex) {
                    const double t = (k + 0.5) / seg.n;
                    if (t < c0 || t > c1) continue;
                } else if (view && !inside_or_on(*view, p)) {  // the closed view, as convex_span
                    continue;
                }
                fn(seg.first + k);
            }
        });
    }

    /** Cameras seeing household i among the views whose boxes are given. */
    int household_count(size_t i, const std::vector<MultiPolygon>& views, const std::vector<int>& near) const {
        int n = 0;
        for (int v : near) n += household_seen(ds.households[i], house[i], views[v]);
        return n;
    }
    Box household_box(size_t i) const { return gw::household_box(ds.households[i], house[i]); }

    /** Whether p lies in the cell or within d of its outline (its buffer then reaches the cell). */
    static bool near_cell(const Grid& cell, Vec2 p, double d) {
        return inside(cell.shape, p) || any_edge(cell.shape, [&](Vec2 a, Vec2 b) { return near_segment(p, a, b, d); });
    }

    /**
     * Where coverage matters in and around cell ci: road corridors, enterprise parcels, around
     * households (cover_cell cuts it to the cell).
     */
    geos::Geom demand_near_cell(size_t ci) const {
        GEOSContextHandle_t h = geos::ctx();
        const Box cb = cell_boxes[ci];
        std::vector<geos::Geom> parts;  // owned until the union: a GEOS error below throws
        // Roads: one buffer of the road lines within a corridor's width of the cell's box.
        const Box road_box = cb.grown(o.corridor_m);
        std::vector<GEOSGeometry*> lines;
        for (int r : rindex.query(road_box))
            for (const auto& line : ds.roads[r].shape) {
                GEOSCoordSequence* cs = GEOSCoordSeq_create_r(h, static_cast<unsigned>(line.size()), 2);
                for (size_t k = 0; k < line.size(); ++k)
                    GEOSCoordSeq_setXY_r(h, cs, static_cast<unsigned>(k), line[k].x, line[k].y);
                lines.push_back(GEOSGeom_createLineString_r(h, cs));
            }
        if (!lines.empty()) {
            geos::Geom ml = collection(lines, GEOS_MULTILINESTRING);
            geos::Geom clipped(GEOSClipByRect_r(h, ml.get(), road_box.xmin, road_box.ymin, road_box.xmax, road_box.ymax));
            if (clipped && !GEOSisEmpty_r(h, clipped.get()))
                parts.push_back(geos::buffer(clipped.get(), o.corridor_m, 6));
        }
        for (int e : eindex.query(cb)) parts.push_back(geos::to_geos(ds.enterprises[e].shape));
        // Households: one buffer of the points whose 15 m reach the cell.
        std::vector<GEOSGeometry*> pts;  // created here, owned by the collection at once
        for (int k : hindex.query(cb.grown(o.household_buffer_m)))
            if (near_cell(*cells[ci], ds.households[k].pos, o.household_buffer_m)) {
                const Vec2 p = ds.households[k].pos;
                pts.push_back(GEOSGeom_createPointFromXY_r(h, p.x, p.y));
            }
        if (!pts.empty()) {
            geos::Geom mp = collection(pts, GEOS_MULTIPOINT);
            parts.push_back(geos::buffer(mp.get(), o.household_buffer_m, 6));
        }
        // Their union. Mostly a corridor and the households' discs, no parcel: one binary union,
        // which costs GEOS two thirds of a unary union of the two.
        if (parts.empty()) return empty_polygon();
        if (parts.size() == 1) return std::move(parts[0]);
        if (parts.size() == 2) return geos::union_of(parts[0].get(), parts[1].get());
        std::vector<GEOSGeometry*> raw;
        for (auto& p : parts) raw.push_back(p.release());
        geos::Geom coll = collection(raw);
        return geos::unary_union(coll.get());
    }

    /**
     * The views united once, not once for every cell they reach: views whose boxes overlap
     * (transitively) form a group, and a group of two or more is united when it is formed. Groups
     * are disjoint, so any of their polygons together are a valid multipolygon. LiveCoverage forms
     * again only the groups an edited view was or is in (regroup).
     */
    struct ViewGroups {
        std::vector<int> of;                     // per view: its group, −1 for a view of no area
        std::vector<std::vector<int>> members;   // per group; empty for a group formed anew since
        std::vector<MultiPolygon> merged;        // per group of two or more views: their union
        std::vector<std::vector<Box>> part_box;  // per group: each merged polygon's box
        std::vector<Box> box;                    // per group
        size_t retired = 0;                      // groups emptied by a regroup (their slots kept)
        BoxIndex index{{}, 100};
    };
    ViewGroups groups;
    const std::vector<MultiPolygon>* views = nullptr;  // LiveCoverage's, by view
    const std::vector<Box>* view_box = nullptr;

    /** Forms the groups of views `which` (each in no group yet), their unions over the cores. */
    void group_views(const std::vector<int>& which) {
        const std::vector<Box>& vb = *view_box;
        std::vector<Box> boxes;
        for (int v : which) boxes.push_back(vb[v]);
        const BoxIndex near(boxes, 100);
        std::vector<int> parent(which.size());
        std::iota(parent.begin(), parent.end(), 0);
        const auto root = [&](int i) {
            while (parent[i] != i) i = parent[i] = parent[parent[i]];
            return i;
        };
        for (size_t i = 0; i < which.size(); ++i)
            near.visit(boxes[i], [&](int j) { parent[root(static_cast<int>(i))] = root(j); });
        std::map<int, int> group_of_root;
        const size_t first = groups.members.size();
        for (size_t i = 0; i < which.size(); ++i) {
            if (boxes[i].empty()) continue;  // a view of no area: in no group
            const auto [it, added] =
                group_of_root.emplace(root(static_cast<int>(i)), static_cast<int>(groups.members.size()));
            if (added) groups.members.emplace_back(), groups.box.emplace_back();
            groups.of[which[i]] = it->second;
            groups.members[it->second].push_back(which[i]);
            groups.box[it->second].add(boxes[i]);
        }
        groups.merged.resize(groups.members.size());
        groups.part_box.resize(groups.members.size());
        parallel_for(groups.members.size() - first, [&](size_t k) {
            const size_t g = first + k;
            if (groups.members[g].size() < 2) return;
            std::vector<geos::Geom> parts;  // owned until the collection takes them: a GEOS error throws
            for (int v : groups.members[g]) parts.push_back(geos::to_geos((*views)[v]));
            std::vector<GEOSGeometry*> raw;
            for (auto& p : parts) raw.push_back(p.release());
            const geos::Geom coll = collection(raw);
            groups.merged[g] = geos::to_multipolygon(geos::unary_union(coll.get()).get());
            for (const Polygon& poly : groups.merged[g])
                groups.part_box[g].push_back(bounds(poly.rings[0]));  // its shell
        });
    }
    void index_groups() { groups.index = BoxIndex(groups.box, 100); }

    /** The groups of every view. */
    void group_all_views() {
        groups = ViewGroups{};
        groups.of.assign(views->size(), -1);
        std::vector<int> all(views->size());
        std::iota(all.begin(), all.end(), 0);
        group_views(all);
        index_groups();
    }

    /**
     * After view `v` changed (its box was `old_box`): the groups it was in or now meets are formed
     * again, with every view of theirs.
     */
    void regroup(size_t v, const Box& old_box) {
        if (groups.of.size() < views->size()) groups.of.resize(views->size(), -1);
        std::set<int> redo;
        if (groups.of[v] >= 0) redo.insert(groups.of[v]);
        for (const Box& b : {old_box, (*view_box)[v]})
            groups.index.visit(b, [&](int g) {
                for (int m : groups.members[g])
                    if ((*view_box)[m].intersects((*view_box)[v])) return void(redo.insert(g));
            });
        // Formed again in a copy, taken only whole: a GEOS error half-way left views in no group,
        // missing from every later gap without a word.
        ViewGroups before = groups;
        try {
            std::vector<int> which{static_cast<int>(v)};
            for (int g : redo) {
                for (int m : groups.members[g])
                    if (m != static_cast<int>(v)) which.push_back(m);
                groups.members[g].clear(), groups.merged[g].clear(), groups.part_box[g].clear(),
                    groups.box[g] = Box{};
                ++groups.retired;
            }
            for (int m : which) groups.of[m] = -1;
            group_views(which);
            // The groups formed anew are added after the others: once most are retired, all anew.
            if (groups.retired > groups.members.size() / 2 + 64)
                group_all_views();
            else
                index_groups();
        } catch (...) {
            groups = std::move(before);
            throw;
        }
    }

    /** ⋃ of the views, as polygons whose boxes meet `db` (the box of a cell's demand). Not cut to the cell.
     */
    geos::Geom views_over(const Box& db) const {
        std::vector<geos::Geom> parts;
        groups.index.visit(db, [&](int g) {
            if (groups.members[g].size() == 1) {
                for (const Polygon& p : (*views)[groups.members[g][0]]) parts.push_back(geos::to_geos(p));
                return;
            }
            for (size_t k = 0; k < groups.merged[g].size(); ++k)
                if (groups.part_box[g][k].intersects(db)) parts.push_back(geos::to_geos(groups.merged[g][k]));
        });
        if (parts.empty()) return empty_polygon();
        std::vector<GEOSGeometry*> raw;
        for (auto& p : parts) raw.push_back(p.release());
        return collection(raw, GEOS_MULTIPOLYGON);
    }

    /** Covered area and gaps of one cell, given the views that may reach it. */
    void cover_cell(size_t ci, const std::vector<AreaPart>& near, CellCoverage& out) {
        GEOSContextHandle_t h = geos::ctx();
        const Grid& cell = *cells[ci];
        // The union's area and the cell's are summed apart: a cell seen whole may come out a
        // rounding above its own area.
        out.covered_m2 = std::min(union_area_within(cell.shape, near), out.area_m2);
        out.coverage = out.area_m2 > 0 ? out.covered_m2 / out.area_m2 : 0;
        cell_gaps[ci].clear();
        if (!o.gaps) return;
        if (!demand[ci]) {
            // Its polygons only: where a parcel or a corridor touches the cell from outside, the cut
            // gives lines too, and GEOS's overlay takes no mixed collection (it falls back to its old one).
            const geos::Geom cg = geos::to_geos(cell.shape);
            demand[ci] = geos::to_geos(
                geos::to_multipolygon(geos::intersection(demand_near_cell(ci).get(), cg.get()).get()));
        }
        if (GEOSisEmpty_r(h, demand[ci].get())) {
            if (!keep_demand) demand[ci].reset();
            return;
        }
        // The cell's demand less the views, which are not cut to the cell: only the demand is, once.
        // The demand and each view cut to the cell on their own (before) left necks under a
        // micrometre wide along its outline that joined separate gaps into one.
        double x0 = 0, y0 = 0, x1 = 0, y1 = 0;
        GEOSGeom_getXMin_r(h, demand[ci].get(), &x0), GEOSGeom_getYMin_r(h, demand[ci].get(), &y0);
        GEOSGeom_getXMax_r(h, demand[ci].get(), &x1), GEOSGeom_getYMax_r(h, demand[ci].get(), &y1);
        const geos::Geom seen = views_over(Box{x0, y0, x1, y1});
        // No view near the demand (most cells of a county): the demand is the gap, no overlay made.
        const bool none = GEOSisEmpty_r(h, seen.get());
        const geos::Geom gap = none ? geos::Geom() : geos::difference(demand[ci].get(), seen.get());
        for (auto& poly : geos::to_multipolygon(none ? demand[ci].get() : gap.get())) {
            const double a = area(poly);
            if (a < o.min_gap_m2) continue;
            Gap g;
            g.area_m2 = a;
            g.grid_id = cell.grid_id;
            g.shape = {std::move(poly)};
            cell_gaps[ci].push_back(std::move(g));
        }
        name_roads(cell_gaps[ci]);
        if (!keep_demand) demand[ci].reset();
    }

    /** The nearest road's name for each gap (from a point inside the gap). */
    void name_roads(std::vector<Gap>& gaps) const {
        for (auto& g : gaps) {
            geos::Geom gg = geos::to_geos(g.shape);
            geos::Geom pt(GEOSPointOnSurface_r(geos::ctx(), gg.get()));
            double x = 0, y = 0;
            GEOSGeomGetX_r(geos::ctx(), pt.get(), &x);
            GEOSGeomGetY_r(geos::ctx(), pt.get(), &y);
            const Vec2 p{x, y};
            double best = std::numeric_limits<double>::infinity();
            for (double r = 100; r <= 1e5 && !std::isfinite(best); r *= 4)
                for (int k : rindex.query(BoxIndex::around(p, r)))
                    for (const auto& line : ds.roads[k].shape)
                        for (size_t s = 0; s + 1 < line.size(); ++s) {
                            double d = segment_distance(p, line[s], line[s + 1]);
                            if (d < best && d <= r) best = d, g.road = ds.roads[k].name;
                        }
        }
    }

    void collect(CoverageReport& rep) {
        rep.gaps.clear();
        for (auto& v : cell_gaps)
            for (auto& g : v) rep.gaps.push_back(g);
        std::stable_sort(rep.gaps.begin(), rep.gaps.end(),
                         [](const Gap& a, const Gap& b) { return a.area_m2 > b.area_m2; });
        rep.total = CellCoverage{};
        rep.total.grid_id = "total";
        for (auto& c : rep.cells) {
            rep.total.area_m2 += c.area_m2, rep.total.covered_m2 += c.covered_m2;
            rep.total.households += c.households, rep.total.households_covered += c.households_covered;
        }
        rep.total.coverage = rep.total.area_m2 > 0 ? rep.total.covered_m2 / rep.total.area_m2 : 0;
        rep.road_m = 0;
        rep.road_m_seen_by.assign(4, 0.0);
        for (const auto& seg : road)
            for (int k = seg.first; k < seg.first + seg.n; ++k)
                if (sample_in[k]) rep.road_m += seg.piece, rep.road_m_seen_by[std::min(sample_seen[k], 3)] += seg.piece;
    }
};

// ---------------------------------------------------------------------------------------------
// [SECTION] compute_coverage

CoverageReport compute_coverage(const Dataset& ds, const CoverageOptions& o) {
    LiveCoverage run(ds, o, /*live=*/false);
    return std::move(run).take_report();
}

// ---------------------------------------------------------------------------------------------
// [SECTION] LiveCoverage

LiveCoverage::LiveCoverage(const Dataset& ds, const CoverageOptions& o, bool live) {
    auto progress = [&](double f, const std::string& s) {
        if (o.progress) o.progress(f, s);
    };
    std::vector<const Grid*> cells = ds.cells_to_report(o.level);
    if (cells.empty())
        throw Error("has no cells of level " + std::to_string(o.level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has (gridwatch info lists them)");
    rep_.level = o.level;
    for (const auto& i : ds.report.bad_cameras) rep_.skipped_cameras.push_back(i.feature);
    progress(0.02, "indexing");
    engine_ = std::make_unique<CoverageEngine>(ds, o, cells);
    CoverageEngine& e = *engine_;
    e.keep_demand = live;
    if (o.occlusion && !ds.buildings.empty()) occluders_ = std::make_unique<Occluders>(ds.buildings);
    terrain_ = terrain_of(ds);
    view_options_ = ViewOptions{o.occlusion, o.quality, terrain_ ? &*terrain_ : nullptr};
    rep_.occlusion_applied = occluders_ != nullptr;

    progress(0.05, "camera views");
    rep_.cameras = ds.usable_cameras(o.include_offline);
    // Under a quality, a camera with no resolution_px reaches no zone that can be told: it counted
    // with its whole range, without a word. Left out and named, as a camera with a bad value is.
    leave_out_unrated(rep_.cameras, o.quality, rep_.unrated_cameras);
    for (const Issue& i : rep_.unrated_cameras) rep_.skipped_cameras.push_back(i.feature);
    if (rep_.cameras.empty() && !rep_.unrated_cameras.empty())
        throw Error(std::string("no camera has a resolution_px (horizontal pixels), which --quality ") +
                        quality_name(o.quality) + " needs",
                    {ds.source, "cameras", "", "resolution_px"},
                    "give the cameras their resolution_px (水平像素), or leave --quality out");
    rep_.views.resize(rep_.cameras.size());
    parallel_for(rep_.cameras.size(),
                 [&](size_t i) { rep_.views[i] = camera_view(*rep_.cameras[i], occluders_.get(), view_options_); });
    std::vector<Box> vboxes(rep_.views.size());
    view_convex_.resize(rep_.views.size());
    parallel_for(rep_.views.size(), [&](size_t v) {
        vboxes[v] = bounds(rep_.views[v]);
        view_convex_[v] = convex_ring(rep_.views[v]) != nullptr;
    });
    view_boxes_ = vboxes;
    BoxIndex vindex(vboxes, 100);
    e.views = &rep_.views, e.view_box = &view_boxes_;
    if (o.gaps) e.group_all_views();

    progress(0.3, "households");
    // View by view: each household near a view asks whether it is seen.
    rep_.household_cameras.assign(ds.households.size(), 0);
    parallel_for(rep_.views.size(), [&](size_t v) {
        e.hindex.visit(vboxes[v], [&](int i) {
            if (household_seen(ds.households[i], e.house[i], rep_.views[v]))
                std::atomic_ref<int>(rep_.household_cameras[i]).fetch_add(1, std::memory_order_relaxed);
        });
    });

    progress(0.4, "coverage per cell");
    rep_.cells.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        rep_.cells[i].grid_id = cells[i]->grid_id;
        rep_.cells[i].name = cells[i]->name;
        rep_.cells[i].area_m2 = area(cells[i]->shape);
    }
    rep_.gaps_found = o.gaps;
    for (size_t i = 0; i < ds.households.size(); ++i)
        if (int c = e.hh_cell[i]; c >= 0) {
            rep_.cells[c].households++;
            rep_.cells[c].households_covered += rep_.household_cameras[i] > 0;
        } else {
            rep_.households_outside.push_back(ds.households[i].hh_id);
        }
    std::atomic<size_t> done{0};
    parallel_for(cells.size(), [&](size_t ci) {
        std::vector<AreaPart> near;
        for (int v : vindex.query(e.cell_boxes[ci])) near.push_back(view_part(static_cast<size_t>(v)));
        e.cover_cell(ci, near, rep_.cells[ci]);
        const size_t d = ++done;
        if (d % 64 == 0) progress(0.4 + 0.45 * d / cells.size(), "coverage per cell");
    });

    progress(0.9, "road redundancy");
    auto count_road_samples = [&](size_t v) {
        e.road_samples_in(vboxes[v], &rep_.views[v],
                          [&](int k) { std::atomic_ref<int>(e.sample_seen[k]).fetch_add(1, std::memory_order_relaxed); });
    };
    if (o.roads) parallel_for(rep_.views.size(), count_road_samples);
    e.collect(rep_);
    progress(1, "done");
}

LiveCoverage::~LiveCoverage() = default;

AreaPart LiveCoverage::view_part(size_t v) const {
    const MultiPolygon& view = rep_.views[v];
    return {&view, view_boxes_[v], view_convex_[v] ? &view[0].rings[0] : nullptr};
}

std::vector<int> LiveCoverage::set_camera(size_t slot, const Camera* cam) {
    CoverageEngine& e = *engine_;
    if (slot >= rep_.views.size()) {
        slot = rep_.views.size();
        rep_.views.emplace_back();
        rep_.cameras.push_back(cam);
        view_boxes_.emplace_back();
        view_convex_.emplace_back();
    }
    const Box old_box = view_boxes_[slot];
    rep_.views[slot] = cam ? camera_view(*cam, occluders_.get(), view_options_) : MultiPolygon{};
    rep_.cameras[slot] = cam;
    view_boxes_[slot] = bounds(rep_.views[slot]);
    view_convex_[slot] = convex_ring(rep_.views[slot]) != nullptr;
    if (e.o.gaps) e.regroup(slot, old_box);
    Box touched = old_box;
    touched.add(view_boxes_[slot]);
    if (touched.empty()) return {};
    auto views_near = [&](const Box& q) {
        std::vector<int> out;
        for (size_t v = 0; v < view_boxes_.size(); ++v)
            if (view_boxes_[v].intersects(q)) out.push_back(static_cast<int>(v));
        return out;
    };
    // Households whose count may change: the old or the new view reaches their point or house.
    for (int i : e.hindex.query(touched)) {
        const int before = rep_.household_cameras[i];
        const int after = e.household_count(i, rep_.views, views_near(e.household_box(i)));
        rep_.household_cameras[i] = after;
        if (int c = e.hh_cell[i]; c >= 0 && (before > 0) != (after > 0)) rep_.cells[c].households_covered += after > 0 ? 1 : -1;
    }
    std::vector<int> cells = e.cindex.query(touched);
    for (int ci : cells) {
        std::vector<AreaPart> near;
        for (int v : views_near(e.cell_boxes[ci])) near.push_back(view_part(static_cast<size_t>(v)));
        e.cover_cell(ci, near, rep_.cells[ci]);
    }
    // The road samples in reach: counted afresh, view by view as in the full run.
    e.road_samples_in(touched, nullptr, [&](int k) { e.sample_seen[k] = 0; });
    for (int v : views_near(touched)) {
        Box q = touched;
        q.xmin = std::max(q.xmin, view_boxes_[v].xmin), q.ymin = std::max(q.ymin, view_boxes_[v].ymin);
        q.xmax = std::min(q.xmax, view_boxes_[v].xmax), q.ymax = std::min(q.ymax, view_boxes_[v].ymax);
        e.road_samples_in(q, &rep_.views[v], [&](int k) { ++e.sample_seen[k]; });
    }
    e.collect(rep_);
    return cells;
}

}  // namespace gw
