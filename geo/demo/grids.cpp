// Grid cells: the community (L1), its districts (L2) and villager groups (L3) as unions of lattice
// blocks, and the joint-defence cells (L4) from the Voronoi cells of their households.
#include "geo/core/error.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {

void CommunityBuilder::make_grid_regions() {
    Rng people(stream(kStreamPeople));
    const auto& plans = villager_groups();
    std::vector<MultiPolygon> blocks;
    for (const auto& plan : plans)
        for (auto [c, r] : plan.blocks) blocks.push_back({lat_.block(c, r)});

    // L1 and L2 are unions of blocks; L3 too (regions_), kept with GEOS forms for the tests below.
    auto union_blocks = [&](auto&& wanted) {
        std::vector<const MultiPolygon*> parts;
        size_t k = 0;
        for (size_t g = 0; g < plans.size(); ++g)
            for (size_t b = 0; b < plans[g].blocks.size(); ++b, ++k)
                if (wanted(g)) parts.push_back(&blocks[k]);
        return geos::to_multipolygon(geos::union_all(parts.data(), parts.size()).get());
    };

    Grid l1;
    l1.grid_id = id(""), l1.level = 1, l1.name = spec_.l1_name;
    // The community cell carries its attached town leader and the community head (SPEC §2).
    l1.manager = person_name(people) + "（挂钩领导）、" + person_name(people) + "（社区书记）";
    l1.phone = mobile_phone(people);
    l1.shape = union_blocks([](size_t) { return true; });
    l1_area_.emplace(geos::to_geos(l1.shape));
    out_.grids.push_back(l1);

    for (int d = 0; d < 3; ++d) {
        Grid l2;
        l2.grid_id = id(strf("P%d", d + 1)), l2.level = 2, l2.parent_id = l1.grid_id;
        l2.name = kDistricts[d];
        l2.manager = person_name(people);  // a "two committees" member
        l2.phone = mobile_phone(people);
        l2.shape = union_blocks([&](size_t g) { return plans[g].district == d; });
        out_.grids.push_back(l2);
    }

    std::vector<int> rural = rural_group_sizes(), relocated = relocated_group_sizes();
    people.shuffle(rural), people.shuffle(relocated);
    size_t next_rural = 0;
    for (size_t g = 0; g < plans.size(); ++g) {
        Region reg;
        reg.plan = &plans[g];
        reg.grid_id = id(strf("G%02zu", g + 1));
        reg.shape = union_blocks([&](size_t h) { return h == g; });
        reg.area.emplace(geos::to_geos(reg.shape));
        reg.house_area.emplace(buffered(reg.area->geom.get(), -8));
        if (plans[g].resettlement) {
            reg.group_sizes = relocated;
        } else {
            reg.group_sizes.assign(rural.begin() + static_cast<long>(next_rural),
                                   rural.begin() + static_cast<long>(next_rural + plans[g].joint_groups));
            next_rural += plans[g].joint_groups;
        }
        Grid l3;
        l3.grid_id = reg.grid_id, l3.level = 3, l3.parent_id = id(strf("P%d", plans[g].district + 1));
        l3.name = plans[g].name;
        l3.manager = person_name(people, plans[g].resettlement ? "罗" : nullptr);  // group leader
        l3.phone = mobile_phone(people);
        l3.shape = reg.shape;
        out_.grids.push_back(l3);
        regions_.push_back(std::move(reg));
    }
}

/**
 * L4: per villager group, the Voronoi diagram of its households, each group's cells unioned
 * and clipped to the villager group. Voronoi cells share their edges exactly, so the joint-
 * defence cells tile the villager group and each household lies inside its own cell.
 */
void CommunityBuilder::make_joint_defence_cells() {
    GEOSContextHandle_t h = gctx();
    size_t first = 0;
    for (size_t ri = 0; ri < regions_.size(); ++ri) {
        const Region& reg = regions_[ri];
        size_t last = first;
        while (last < houses_.size() && houses_[last].region == static_cast<int>(ri)) ++last;
        std::vector<geos::Geom> points;
        std::vector<GEOSGeometry*> raw;
        for (size_t k = first; k < last; ++k) {
            points.push_back(geos::point(houses_[k].pos));
            raw.push_back(GEOSGeom_clone_r(h, points.back().get()));
        }
        geos::Geom sites = own(
            GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, raw.data(), static_cast<unsigned>(raw.size())),
            "multipoint");
        geos::Geom diagram =
            own(GEOSVoronoiDiagram_r(h, sites.get(), reg.area->geom.get(), 0.0, 0), "Voronoi diagram");
        // GEOS 3.11 does not keep the input order of the cells: find each cell's household.
        const size_t groups = reg.group_sizes.size();
        std::vector<std::vector<geos::Geom>> parts(groups);
        std::vector<bool> matched(points.size(), false);
        const int n_cells = GEOSGetNumGeometries_r(h, diagram.get());
        for (int c = 0; c < n_cells; ++c) {
            const GEOSGeometry* cell = GEOSGetGeometryN_r(h, diagram.get(), c);
            geos::Prepared prep(GEOSPrepare_r(h, cell));
            for (size_t k = 0; k < points.size(); ++k) {
                if (matched[k] || GEOSPreparedContains_r(h, prep.get(), points[k].get()) != 1) continue;
                matched[k] = true;
                parts[houses_[first + k].cell].push_back(clone(cell));
                break;
            }
        }
        if (std::find(matched.begin(), matched.end(), false) != matched.end())
            throw Error("demo: a household of " + reg.grid_id + " has no Voronoi cell");
        std::vector<geos::Geom> cells;
        for (size_t g = 0; g < groups; ++g) {
            geos::Geom joined = union_of(std::move(parts[g]));
            cells.push_back(own(GEOSIntersection_r(h, joined.get(), reg.area->geom.get()), "intersection"));
        }
        // A piece of a cell holding none of its households (a Voronoi cell reaching round a bend
        // of the villager group's edge) goes to the neighbour sharing most of its border.
        for (size_t g = 0; g < groups; ++g) {
            const MultiPolygon pieces = geos::to_multipolygon(cells[g].get());
            if (pieces.size() < 2) continue;
            for (const Polygon& piece : pieces) {
                bool housed = false;
                for (size_t k = first; k < last && !housed; ++k)
                    housed = houses_[k].cell == static_cast<int>(g) && inside(piece, houses_[k].pos);
                if (housed) continue;
                geos::Geom pg = geos::to_geos(piece);
                geos::Geom border = own(GEOSBoundary_r(h, pg.get()), "boundary");
                size_t best = g;
                double best_len = 0;
                for (size_t o = 0; o < groups; ++o) {
                    if (o == g) continue;
                    geos::Geom shared =
                        own(GEOSIntersection_r(h, border.get(), cells[o].get()), "intersection");
                    double len = 0;
                    GEOSLength_r(h, shared.get(), &len);
                    if (len > best_len) best_len = len, best = o;
                }
                if (best == g) continue;
                std::vector<geos::Geom> both;
                both.push_back(std::move(cells[best]));
                both.push_back(clone(pg.get()));
                cells[best] = union_of(std::move(both));
                cells[g] = own(GEOSDifference_r(h, cells[g].get(), pg.get()), "difference");
            }
        }
        for (size_t g = 0; g < groups; ++g) {
            Grid l4;
            l4.grid_id = reg.grid_id + strf("-%02zu", g + 1), l4.level = 4, l4.parent_id = reg.grid_id;
            l4.name = strf("%s%zu号联防组", reg.plan->hamlet, g + 1);
            l4.shape = geos::to_multipolygon(cells[g].get());
            out_.grids.push_back(std::move(l4));
        }
        first = last;
    }
}

}  // namespace gw::demo_detail
