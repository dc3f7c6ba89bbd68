// [SECTION] Views
// [SECTION] Households
// [SECTION] compute_coverage: per-cell area and gaps, then road redundancy
#include "geo/coverage.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <limits>
#include <thread>

#include "geo/box_index.h"
#include "geo/error.h"
#include "geo/geos.h"
#include "geo/stats.h"
#include "geo/validate.h"

namespace gw {

namespace {

template <typename Fn>
void parallel_for(size_t n, Fn&& fn) {
    const size_t nt = std::min<size_t>(std::max(1u, std::thread::hardware_concurrency()), 2);
    std::atomic<size_t> next{0};
    auto work = [&] {
        for (size_t i; (i = next.fetch_add(1)) < n;) fn(i);
    };
    std::vector<std::thread> ts;
    for (size_t t = 1; t < nt; ++t) ts.emplace_back(work);
    work();
    for (auto& t : ts) t.join();
}

geos::Geom collection(std::vector<GEOSGeometry*>& parts, int type = GEOS_GEOMETRYCOLLECTION) {
    return geos::Geom(GEOSGeom_createCollection_r(geos::ctx(), type, parts.data(), static_cast<unsigned>(parts.size())));
}

geos::Geom empty_polygon() { return geos::Geom(GEOSGeom_createEmptyPolygon_r(geos::ctx())); }

geos::Geom union_of(const std::vector<const MultiPolygon*>& shapes) {
    if (shapes.empty()) return empty_polygon();
    std::vector<GEOSGeometry*> parts;
    for (const auto* s : shapes)
        for (const auto& p : *s) parts.push_back(geos::to_geos(p).release());
    geos::Geom coll = collection(parts, GEOS_MULTIPOLYGON);
    return geos::Geom(GEOSUnaryUnion_r(geos::ctx(), coll.get()));
}

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
// [SECTION] compute_coverage

CoverageReport compute_coverage(const Dataset& ds, const CoverageOptions& o) {
    CoverageReport rep;
    rep.level = o.level;
    auto progress = [&](double f, const std::string& s) {
        if (o.progress) o.progress(f, s);
    };
    std::vector<const Grid*> cells = ds.grids_of_level(o.level);
    if (cells.empty())
        throw Error("has no cells of level " + std::to_string(o.level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has (gridwatch info lists them)");
    for (const auto& i : ds.report.bad_cameras) rep.skipped_cameras.push_back(i.feature);

    progress(0.05, "camera views");
    rep.cameras = ds.usable_cameras(o.include_offline);
    ViewOptions vo{o.occlusion, o.quality};
    rep.views = compute_views(ds, rep.cameras, vo);
    rep.occlusion_applied = o.occlusion && !ds.buildings.empty();
    std::vector<Box> vboxes;
    for (const auto& v : rep.views) vboxes.push_back(bounds(v));
    BoxIndex vindex(vboxes, 100);

    // Households: which house each stands in, then how many views see it.
    progress(0.3, "households");
    std::vector<Box> bboxes;
    for (const auto& b : ds.buildings) bboxes.push_back(bounds(b.shape));
    BoxIndex bindex(bboxes, 50);
    rep.household_cameras.assign(ds.households.size(), 0);
    parallel_for(ds.households.size(), [&](size_t i) {
        const Household& h = ds.households[i];
        const MultiPolygon* house = nullptr;
        Box pb;
        pb.add(h.pos);
        for (int b : bindex.query(pb))
            if (inside(ds.buildings[b].shape, h.pos)) house = &ds.buildings[b].shape;
        Box q = pb;
        if (house) q.add(bounds(*house));
        int n = 0;
        for (int v : vindex.query(q)) n += household_seen(h, house, rep.views[v]);
        rep.household_cameras[i] = n;
    });

    // Per cell: covered area, households, gaps.
    progress(0.4, "coverage per cell");
    CellLocator loc(cells);
    rep.cells.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        rep.cells[i].grid_id = cells[i]->grid_id;
        rep.cells[i].name = cells[i]->name;
        rep.cells[i].area_m2 = area(cells[i]->shape);
    }
    for (size_t i = 0; i < ds.households.size(); ++i) {
        int c = loc.find(ds.households[i].pos);
        if (c < 0) continue;
        rep.cells[c].households++;
        rep.cells[c].households_covered += rep.household_cameras[i] > 0;
    }
    std::vector<Box> rboxes;
    for (const auto& r : ds.roads) rboxes.push_back(bounds(r.shape));
    BoxIndex rindex(rboxes, 200);
    std::vector<Box> eboxes;
    for (const auto& e : ds.enterprises) eboxes.push_back(bounds(e.shape));
    BoxIndex eindex(eboxes, 200);
    std::vector<Box> hboxes;
    for (const auto& h : ds.households) {
        Box b;
        b.add(h.pos);
        hboxes.push_back(b);
    }
    BoxIndex hindex(hboxes, 100);

    std::vector<std::vector<Gap>> cell_gaps(cells.size());
    std::atomic<size_t> done{0};
    parallel_for(cells.size(), [&](size_t ci) {
        GEOSContextHandle_t h = geos::ctx();
        const Grid& cell = *cells[ci];
        const Box cb = bounds(cell.shape);
        std::vector<const MultiPolygon*> near;
        for (int v : vindex.query(cb)) near.push_back(&rep.views[v]);
        geos::Geom cg = geos::to_geos(cell.shape);
        geos::Geom seen = union_of(near);
        geos::Geom covered = geos::intersection(cg.get(), seen.get());
        rep.cells[ci].covered_m2 = geos::area(covered.get());
        if (o.gaps) {
            // Where coverage matters: road corridors, enterprise parcels, around households.
            std::vector<GEOSGeometry*> parts;
            Box grown = cb;
            grown.add(Vec2{cb.xmin - o.household_buffer_m, cb.ymin - o.household_buffer_m});
            grown.add(Vec2{cb.xmax + o.household_buffer_m, cb.ymax + o.household_buffer_m});
            for (int r : rindex.query(grown))
                for (const auto& line : ds.roads[r].shape) {
                    GEOSCoordSequence* cs = GEOSCoordSeq_create_r(h, static_cast<unsigned>(line.size()), 2);
                    for (size_t k = 0; k < line.size(); ++k)
                        GEOSCoordSeq_setXY_r(h, cs, static_cast<unsigned>(k), line[k].x, line[k].y);
                    geos::Geom ls(GEOSGeom_createLineString_r(h, cs));
                    geos::Geom clipped(GEOSClipByRect_r(h, ls.get(), grown.xmin, grown.ymin, grown.xmax, grown.ymax));
                    if (clipped && !GEOSisEmpty_r(h, clipped.get()))
                        parts.push_back(GEOSBuffer_r(h, clipped.get(), o.corridor_m, 8));
                }
            for (int e : eindex.query(cb)) parts.push_back(geos::to_geos(ds.enterprises[e].shape).release());
            for (int k : hindex.query(grown)) {
                geos::Geom p = geos::point(ds.households[k].pos);
                parts.push_back(GEOSBuffer_r(h, p.get(), o.household_buffer_m, 8));
            }
            if (!parts.empty()) {
                geos::Geom coll = collection(parts);
                geos::Geom demand(GEOSUnaryUnion_r(h, coll.get()));
                geos::Geom in_cell = geos::intersection(demand.get(), cg.get());
                geos::Geom gap = geos::difference(in_cell.get(), seen.get());
                for (auto& poly : geos::to_multipolygon(gap.get())) {
                    const double a = area(poly);
                    if (a < o.min_gap_m2) continue;
                    Gap g;
                    g.area_m2 = a;
                    g.grid_id = cell.grid_id;
                    g.shape = {std::move(poly)};
                    cell_gaps[ci].push_back(std::move(g));
                }
            }
        }
        const size_t d = ++done;
        if (ci == 0 || d % 64 == 0) progress(0.4 + 0.45 * d / cells.size(), "coverage per cell");
    });
    for (auto& v : cell_gaps)
        for (auto& g : v) rep.gaps.push_back(std::move(g));
    // Nearest road by name for each gap (distance from a point inside the gap).
    for (auto& g : rep.gaps) {
        geos::Geom gg = geos::to_geos(g.shape);
        geos::Geom pt(GEOSPointOnSurface_r(geos::ctx(), gg.get()));
        double x = 0, y = 0;
        GEOSGeomGetX_r(geos::ctx(), pt.get(), &x);
        GEOSGeomGetY_r(geos::ctx(), pt.get(), &y);
        const Vec2 p{x, y};
        double best = std::numeric_limits<double>::infinity();
        for (double r = 100; r <= 1e5 && !std::isfinite(best); r *= 4) {
            Box q;
            q.add(Vec2{x - r, y - r}), q.add(Vec2{x + r, y + r});
            for (int k : rindex.query(q))
                for (const auto& line : ds.roads[k].shape)
                    for (size_t s = 0; s + 1 < line.size(); ++s) {
                        double d = segment_distance(p, line[s], line[s + 1]);
                        if (d < best && d <= r) best = d, g.road = ds.roads[k].name;
                    }
        }
    }
    std::stable_sort(rep.gaps.begin(), rep.gaps.end(), [](const Gap& a, const Gap& b) { return a.area_m2 > b.area_m2; });

    // Roads: metres seen by 0, 1, 2, 3+ cameras, sampled every metre inside the level's cells.
    progress(0.9, "road redundancy");
    rep.road_m_seen_by.assign(4, 0.0);
    for (const auto& road : ds.roads)
        for (const auto& line : road.shape)
            for (size_t s = 0; s + 1 < line.size(); ++s) {
                const double len = distance(line[s], line[s + 1]);
                const int n = std::max(1, static_cast<int>(std::ceil(len)));
                const double step = len / n;
                for (int k = 0; k < n; ++k) {
                    const Vec2 p = line[s] + (line[s + 1] - line[s]) * ((k + 0.5) / n);
                    if (loc.find(p) < 0) continue;
                    Box pb;
                    pb.add(p);
                    int seen = 0;
                    for (int v : vindex.query(pb)) seen += inside(rep.views[v], p);
                    rep.road_m += step;
                    rep.road_m_seen_by[std::min(seen, 3)] += step;
                }
            }

    rep.total.grid_id = "total";
    for (auto& c : rep.cells) {
        c.coverage = c.area_m2 > 0 ? c.covered_m2 / c.area_m2 : 0;
        rep.total.area_m2 += c.area_m2, rep.total.covered_m2 += c.covered_m2;
        rep.total.households += c.households, rep.total.households_covered += c.households_covered;
    }
    rep.total.coverage = rep.total.area_m2 > 0 ? rep.total.covered_m2 / rep.total.area_m2 : 0;
    progress(1, "done");
    return rep;
}

}  // namespace gw
