// [SECTION] Views
// [SECTION] Households
// [SECTION] The engine: per-cell work shared by compute_coverage and LiveCoverage
// [SECTION] compute_coverage
// [SECTION] LiveCoverage
#include "geo/coverage.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <functional>
#include <map>
#include <numeric>
#include <cmath>
#include <limits>
#include <thread>

#include "geo/box_index.h"
#include "geo/error.h"
#include "geo/parallel.h"
#include "geo/geos.h"
#include "geo/stats.h"
#include "geo/validate.h"

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
    // The camera sees the house when its view touches the house's outline.
    if (!bounds(view).intersects(bounds(*house))) return false;
    geos::Geom v = geos::to_geos(view), b = geos::to_geos(*house);
    return GEOSIntersects_r(geos::ctx(), v.get(), b.get()) == 1;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] The engine: per-cell work shared by compute_coverage and LiveCoverage

struct CoverageEngine {
    const Dataset& ds;
    CoverageOptions o;
    std::vector<const Grid*> cells;
    std::vector<Box> cell_boxes;
    CellLocator loc;
    BoxIndex cindex, bindex, rindex, eindex, hindex;
    std::vector<const MultiPolygon*> house;  // per household: the building it stands in
    std::vector<int> hh_cell;                // per household: its cell, or −1
    struct RoadSample {
        Vec2 p;
        double len;
        int count;
    };
    std::vector<RoadSample> road;  // one per metre of road inside the level's cells
    std::unique_ptr<BoxIndex> road_index;  // see road_metres()
    std::vector<std::vector<Gap>> cell_gaps;
    std::vector<geos::Geom> demand;  // per cell, built on first use

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
    static std::vector<Box> boxes_of_points(const std::vector<Household>& v) {
        std::vector<Box> b;
        for (const auto& h : v) b.push_back(BoxIndex::around(h.pos, 0));
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
          hindex(boxes_of_points(d.households), 100),
          cell_gaps(cells.size()),
          demand(cells.size()) {
        house.assign(ds.households.size(), nullptr);
        hh_cell.assign(ds.households.size(), -1);
        parallel_for(ds.households.size(), [&](size_t i) {
            const Vec2 p = ds.households[i].pos;
            for (int b : bindex.query(BoxIndex::around(p, 0)))
                if (inside(ds.buildings[b].shape, p)) house[i] = &ds.buildings[b].shape;
            hh_cell[i] = loc.find(p);
        });
        // Per road on two threads, joined in road order.
        std::vector<std::vector<RoadSample>> per_road(ds.roads.size());
        parallel_for(ds.roads.size(), [&](size_t ri) {
            for (const auto& line : ds.roads[ri].shape)
                for (size_t s = 0; s + 1 < line.size(); ++s) {
                    const double len = distance(line[s], line[s + 1]);
                    const int n = std::max(1, static_cast<int>(std::ceil(len)));
                    // Most segments lie wholly inside the cells: test the ends and the middle
                    // first, and every metre only for the segments that may leave.
                    const bool whole = loc.find(line[s]) >= 0 && loc.find(line[s + 1]) >= 0 &&
                                       loc.find((line[s] + line[s + 1]) * 0.5) >= 0 && len < 50;
                    for (int k = 0; k < n; ++k) {
                        const Vec2 p = line[s] + (line[s + 1] - line[s]) * ((k + 0.5) / n);
                        if (whole || loc.find(p) >= 0) per_road[ri].push_back({p, len / n, 0});
                    }
                }
        });
        for (auto& v : per_road) road.insert(road.end(), v.begin(), v.end());
    }

    /** The index of the road metres, built on the first live edit (a full run does not need it). */
    const BoxIndex& road_metres() {
        if (!road_index) {
            std::vector<Box> rb;
            rb.reserve(road.size());
            for (const auto& s : road) rb.push_back(BoxIndex::around(s.p, 0));
            road_index = std::make_unique<BoxIndex>(rb, 50);
        }
        return *road_index;
    }

    /** Cameras seeing household i among the views whose boxes are given. */
    int household_count(size_t i, const std::vector<MultiPolygon>& views, const std::vector<int>& near) const {
        int n = 0;
        for (int v : near) n += household_seen(ds.households[i], house[i], views[v]);
        return n;
    }
    Box household_box(size_t i) const {
        Box q = BoxIndex::around(ds.households[i].pos, 0);
        if (house[i]) q.add(bounds(*house[i]));
        return q;
    }

    /** Whether p lies in the cell or within d of its outline (its buffer then reaches the cell). */
    static bool near_cell(const Grid& cell, Vec2 p, double d) {
        if (inside(cell.shape, p)) return true;
        for (const auto& poly : cell.shape)
            for (const auto& ring : poly.rings)
                for (size_t i = 0, n = ring.size(); i < n; ++i)
                    if (segment_distance(p, ring[i], ring[(i + 1) % n]) <= d) return true;
        return false;
    }

    /** Where coverage matters inside cell ci: road corridors, enterprise parcels, around households. */
    geos::Geom demand_in_cell(size_t ci, const GEOSGeometry* cg) const {
        GEOSContextHandle_t h = geos::ctx();
        const Box cb = cell_boxes[ci];
        std::vector<GEOSGeometry*> parts;
        auto grown_by = [&](double d) { return Box{cb.xmin - d, cb.ymin - d, cb.xmax + d, cb.ymax + d}; };
        // Roads: one buffer of the road lines within a corridor's width of the cell's box.
        const Box road_box = grown_by(o.corridor_m);
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
            if (clipped && !GEOSisEmpty_r(h, clipped.get())) parts.push_back(GEOSBuffer_r(h, clipped.get(), o.corridor_m, 6));
        }
        for (int e : eindex.query(cb)) parts.push_back(geos::to_geos(ds.enterprises[e].shape).release());
        // Households: one buffer of the points whose 15 m reach the cell.
        std::vector<GEOSGeometry*> pts;
        for (int k : hindex.query(grown_by(o.household_buffer_m)))
            if (near_cell(*cells[ci], ds.households[k].pos, o.household_buffer_m))
                pts.push_back(geos::point(ds.households[k].pos).release());
        if (!pts.empty()) {
            geos::Geom mp = collection(pts, GEOS_MULTIPOINT);
            parts.push_back(GEOSBuffer_r(h, mp.get(), o.household_buffer_m, 6));
        }
        if (parts.empty()) return empty_polygon();
        geos::Geom coll = collection(parts);
        geos::Geom all(GEOSUnaryUnion_r(h, coll.get()));
        return geos::intersection(all.get(), cg);
    }

    /**
     * cell ∩ ⋃ views with as little overlay as possible: a view inside the cell is taken whole, one
     * across its edge is cut by it, and only views whose boxes overlap are unioned (in groups).
     * The groups are disjoint, so the result is a valid multipolygon.
     */
    geos::Geom covered_part(const GEOSGeometry* cg, const Box& cb, const std::vector<const MultiPolygon*>& near) const {
        GEOSContextHandle_t h = geos::ctx();
        std::vector<geos::Geom> pieces;
        std::vector<Box> boxes;
        geos::Prepared pc;
        for (const MultiPolygon* v : near) {
            const Box vb = bounds(*v);
            if (!vb.intersects(cb)) continue;
            geos::Geom vg = geos::to_geos(*v);
            if (!pc) pc.reset(GEOSPrepare_r(h, cg));
            const bool inside_cell = vb.xmin >= cb.xmin && vb.xmax <= cb.xmax && vb.ymin >= cb.ymin && vb.ymax <= cb.ymax &&
                                     GEOSPreparedContainsProperly_r(h, pc.get(), vg.get()) == 1;
            if (!inside_cell) {
                if (GEOSPreparedIntersects_r(h, pc.get(), vg.get()) != 1) continue;
                vg = geos::intersection(vg.get(), cg);
                if (GEOSisEmpty_r(h, vg.get())) continue;
            }
            pieces.push_back(std::move(vg));
            boxes.push_back(vb);
        }
        // Groups of pieces whose boxes overlap (union-find).
        std::vector<int> parent(pieces.size());
        std::iota(parent.begin(), parent.end(), 0);
        std::function<int(int)> root = [&](int i) { return parent[i] == i ? i : parent[i] = root(parent[i]); };
        for (size_t i = 0; i < pieces.size(); ++i)
            for (size_t j = i + 1; j < pieces.size(); ++j)
                if (boxes[i].intersects(boxes[j])) parent[root(static_cast<int>(i))] = root(static_cast<int>(j));
        std::map<int, std::vector<GEOSGeometry*>> groups;
        for (size_t i = 0; i < pieces.size(); ++i) groups[root(static_cast<int>(i))].push_back(pieces[i].release());
        std::vector<GEOSGeometry*> polys;
        for (auto& [r, g] : groups) {
            geos::Geom merged;
            if (g.size() == 1) {
                merged.reset(g[0]);
            } else {
                geos::Geom coll = collection(g);
                merged.reset(GEOSUnaryUnion_r(h, coll.get()));
            }
            for (auto& p : geos::to_multipolygon(merged.get())) polys.push_back(geos::to_geos(p).release());
        }
        if (polys.empty()) return empty_polygon();
        return collection(polys, GEOS_MULTIPOLYGON);
    }

    /** Covered area and gaps of one cell, given the views that may reach it. */
    void cover_cell(size_t ci, const std::vector<const MultiPolygon*>& near, CellCoverage& out) {
        GEOSContextHandle_t h = geos::ctx();
        const Grid& cell = *cells[ci];
        geos::Geom cg = geos::to_geos(cell.shape);
        geos::Geom seen = covered_part(cg.get(), cell_boxes[ci], near);
        out.covered_m2 = geos::area(seen.get());
        out.coverage = out.area_m2 > 0 ? out.covered_m2 / out.area_m2 : 0;
        cell_gaps[ci].clear();
        if (!o.gaps) return;
        if (!demand[ci]) demand[ci] = demand_in_cell(ci, cg.get());
        if (GEOSisEmpty_r(h, demand[ci].get())) return;
        geos::Geom gap = geos::difference(demand[ci].get(), seen.get());
        for (auto& poly : geos::to_multipolygon(gap.get())) {
            const double a = area(poly);
            if (a < o.min_gap_m2) continue;
            Gap g;
            g.area_m2 = a;
            g.grid_id = cell.grid_id;
            g.shape = {std::move(poly)};
            cell_gaps[ci].push_back(std::move(g));
        }
        name_roads(cell_gaps[ci]);
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
        for (const auto& s : road) rep.road_m += s.len, rep.road_m_seen_by[std::min(s.count, 3)] += s.len;
    }
};

// ---------------------------------------------------------------------------------------------
// [SECTION] compute_coverage

CoverageReport compute_coverage(const Dataset& ds, const CoverageOptions& o) {
    LiveCoverage live(ds, o);
    return live.report();
}

// ---------------------------------------------------------------------------------------------
// [SECTION] LiveCoverage

LiveCoverage::LiveCoverage(const Dataset& ds, const CoverageOptions& o) {
    auto progress = [&](double f, const std::string& s) {
        if (o.progress) o.progress(f, s);
    };
    std::vector<const Grid*> cells = ds.grids_of_level(o.level);
    if (cells.empty())
        throw Error("has no cells of level " + std::to_string(o.level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has (gridwatch info lists them)");
    rep_.level = o.level;
    for (const auto& i : ds.report.bad_cameras) rep_.skipped_cameras.push_back(i.feature);
    progress(0.02, "indexing");
    engine_ = std::make_unique<CoverageEngine>(ds, o, cells);
    CoverageEngine& e = *engine_;
    if (o.occlusion && !ds.buildings.empty()) occluders_ = std::make_unique<Occluders>(ds.buildings);
    view_options_ = ViewOptions{o.occlusion, o.quality, ds.terrain.get()};
    rep_.occlusion_applied = occluders_ != nullptr;

    progress(0.05, "camera views");
    rep_.cameras = ds.usable_cameras(o.include_offline);
    rep_.views.resize(rep_.cameras.size());
    parallel_for(rep_.cameras.size(),
                 [&](size_t i) { rep_.views[i] = camera_view(*rep_.cameras[i], occluders_.get(), view_options_); });
    std::vector<Box> vboxes;
    for (const auto& v : rep_.views) vboxes.push_back(bounds(v));
    view_boxes_ = vboxes;
    BoxIndex vindex(vboxes, 100);

    progress(0.3, "households");
    rep_.household_cameras.assign(ds.households.size(), 0);
    parallel_for(ds.households.size(),
                 [&](size_t i) { rep_.household_cameras[i] = e.household_count(i, rep_.views, vindex.query(e.household_box(i))); });

    progress(0.4, "coverage per cell");
    rep_.cells.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        rep_.cells[i].grid_id = cells[i]->grid_id;
        rep_.cells[i].name = cells[i]->name;
        rep_.cells[i].area_m2 = area(cells[i]->shape);
    }
    for (size_t i = 0; i < ds.households.size(); ++i)
        if (int c = e.hh_cell[i]; c >= 0) {
            rep_.cells[c].households++;
            rep_.cells[c].households_covered += rep_.household_cameras[i] > 0;
        }
    std::atomic<size_t> done{0};
    parallel_for(cells.size(), [&](size_t ci) {
        std::vector<const MultiPolygon*> near;
        for (int v : vindex.query(e.cell_boxes[ci])) near.push_back(&rep_.views[v]);
        e.cover_cell(ci, near, rep_.cells[ci]);
        const size_t d = ++done;
        if (d % 64 == 0) progress(0.4 + 0.45 * d / cells.size(), "coverage per cell");
    });

    progress(0.9, "road redundancy");
    parallel_for(e.road.size(), [&](size_t i) {
        int seen = 0;
        for (int v : vindex.query(BoxIndex::around(e.road[i].p, 0))) seen += inside(rep_.views[v], e.road[i].p);
        e.road[i].count = seen;
    });
    e.collect(rep_);
    progress(1, "done");
}

LiveCoverage::~LiveCoverage() = default;

std::vector<int> LiveCoverage::set_camera(size_t slot, const Camera* cam) {
    CoverageEngine& e = *engine_;
    if (slot >= rep_.views.size()) {
        slot = rep_.views.size();
        rep_.views.emplace_back();
        rep_.cameras.push_back(cam);
        view_boxes_.emplace_back();
    }
    const Box old_box = view_boxes_[slot];
    rep_.views[slot] = cam ? camera_view(*cam, occluders_.get(), view_options_) : MultiPolygon{};
    rep_.cameras[slot] = cam;
    view_boxes_[slot] = bounds(rep_.views[slot]);
    Box touched = old_box;
    touched.add(view_boxes_[slot]);
    if (touched.empty()) return {};
    auto views_near = [&](const Box& q) {
        std::vector<int> out;
        for (size_t v = 0; v < view_boxes_.size(); ++v)
            if (view_boxes_[v].intersects(q)) out.push_back(static_cast<int>(v));
        return out;
    };
    // Households whose count may change: their houses reach a few metres past their points.
    Box near_houses = touched;
    near_houses.add(Vec2{touched.xmin - 50, touched.ymin - 50}), near_houses.add(Vec2{touched.xmax + 50, touched.ymax + 50});
    for (int i : e.hindex.query(near_houses)) {
        const int before = rep_.household_cameras[i];
        const int after = e.household_count(i, rep_.views, views_near(e.household_box(i)));
        rep_.household_cameras[i] = after;
        if (int c = e.hh_cell[i]; c >= 0 && (before > 0) != (after > 0)) rep_.cells[c].households_covered += after > 0 ? 1 : -1;
    }
    std::vector<int> cells = e.cindex.query(touched);
    for (int ci : cells) {
        std::vector<const MultiPolygon*> near;
        for (int v : views_near(e.cell_boxes[ci])) near.push_back(&rep_.views[v]);
        e.cover_cell(ci, near, rep_.cells[ci]);
    }
    for (int k : e.road_metres().query(touched)) {
        auto& s = e.road[k];
        int seen = 0;
        for (int v : views_near(BoxIndex::around(s.p, 0))) seen += inside(rep_.views[v], s.p);
        s.count = seen;
    }
    e.collect(rep_);
    return cells;
}

}  // namespace gw
