// Households: where houses may stand, the 罗家大坡 resettlement block, the rural hamlets and their
// joint-defence groups, and the household records (heads, phones, tags).
#include <limits>
#include <map>

#include "geo/core/error.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {

/** Where houses may not stand: on or beside roads, in or beside the enterprise parcels. */
void CommunityBuilder::make_house_masks() {
    std::vector<const LineString*> lines;
    for (size_t k = 1; k < roads_.size(); ++k) lines.push_back(&roads_[k].line);
    geos::Geom roads = multi_line(lines);
    std::vector<geos::Geom> parts;
    parts.push_back(buffered(roads.get(), 11));
    parts.push_back(strip_mask(15, 25));
    house_forbidden_.emplace(union_of(std::move(parts)));
}

bool CommunityBuilder::house_site_ok(const Region& reg, Vec2 p) const {
    for (Vec2 q : reserved_)
        if (distance(p, q) < 30) return false;
    return reg.house_area->contains(p) && !house_forbidden_->intersects(p);
}

/**
 * 罗家大坡: 89 houses 15 m apart in rows 16 m apart (9 rows of 10, one plot empty) north of
 * the upper village road, an access road and a lane between every second row. Groups of 3–5
 * are neighbours in a row (serpentine order).
 */
void CommunityBuilder::place_resettlement() {
    Rng r(stream(kStreamResettlement));
    const auto it =
        std::find_if(regions_.begin(), regions_.end(), [](const Region& g) { return g.plan->resettlement; });
    const int ri = static_cast<int>(it - regions_.begin());
    Region& reg = *it;
    const Vec2 v0 = lat_.vertex(2, 2), t = unit(lat_.vertex(3, 2) - v0), n = left_of(t);
    constexpr int kRowsOfHouses = 9, kPerRow = 10;
    constexpr double kAlong = 15, kAcross = 16;
    auto site = [&](double a0, double b0, int row, int col) {
        return v0 + t * (a0 + kAlong * col) + n * (b0 + kAcross * row);
    };
    double a0 = 0, b0 = 0;
    bool fits = false;
    for (double a : {90.0, 150.0, 220.0, 300.0}) {
        for (double b : {70.0, 110.0, 160.0, 220.0}) {
            fits = true;
            for (int row = 0; row < kRowsOfHouses && fits; ++row)
                for (int col = 0; col < kPerRow && fits; ++col)
                    fits = house_site_ok(reg, site(a, b, row, col));
            if (fits) {
                a0 = a, b0 = b;
                break;
            }
        }
        if (fits) break;
    }
    if (!fits)
        throw Error("demo: the 罗家大坡 block does not fit its villager group (seed " +
                    std::to_string(spec_.seed) + ")");

    // Access road from a new vertex of the upper village road, with a vertex at each lane.
    LineString& host = roads_[upper_road_].line;
    const Vec2 s = insert_vertex_near(host, v0 + t * (a0 - 20));
    resettlement_junction_ = s;
    const double sn = dot(s - v0, n), st = dot(s - v0, t);
    LineString access{s};
    std::vector<Vec2> lane_starts;
    for (int k = 0; k < 5; ++k) {
        access.push_back(s + n * (b0 + kAcross * 2 * k + kAcross / 2 - sn));
        lane_starts.push_back(access.back());
    }
    access.push_back(s + n * (b0 + kAcross * (kRowsOfHouses - 1) + 30 - sn));
    roads_.push_back({"罗家大坡安置点路", "village", densify(access, 25)});
    const char* const lane_names[] = {"安置点一巷", "安置点二巷", "安置点三巷", "安置点四巷", "安置点五巷"};
    for (int k = 0; k < 5; ++k)
        roads_.push_back(
            {lane_names[k], "path",
             densify({lane_starts[k], lane_starts[k] + t * (a0 + kAlong * (kPerRow - 1) + 12 - st)}, 25)});

    std::vector<House> block;
    for (int row = 0; row < kRowsOfHouses; ++row)
        for (int c = 0; c < kPerRow; ++c) {
            const int col = row % 2 == 0 ? c : kPerRow - 1 - c;
            // Sub-metre jitter: a perfect lattice makes Voronoi vertices degenerate (four sites on a
            // circle).
            const Vec2 jitter{r.uniform(-0.8, 0.8), r.uniform(-0.8, 0.8)};
            House h;
            h.pos = site(a0, b0, row, col) + jitter;
            h.front = row % 2 == 0 ? n : n * -1.0;  // every house faces the lane beside its row
            h.region = ri, h.relocated = true;
            block.push_back(h);
        }
    block.resize(kRelocatedHouseholds);
    size_t k = 0;
    for (size_t g = 0; g < reg.group_sizes.size(); ++g)
        for (int m = 0; m < reg.group_sizes[g]; ++m, ++k) block[k].cell = static_cast<int>(g);
    houses_.insert(houses_.end(), block.begin(), block.end());
    reg.hamlet_centre = site(a0, b0, 4, 5);
}

/**
 * Rural houses: 1–4 hamlets per villager group, the main one at the end of its spur road.
 * Sites are drawn beside the roads (15 or 26 m from the centre line, both sides) and taken
 * nearest-first (with some randomness) around each hamlet centre, at least 20 m apart. Each
 * hamlet's houses are then chained from neighbour to neighbour and the chain cut into its
 * joint-defence groups of 3–5 where that keeps each group's Voronoi cells joined (one piece
 * per L4 cell; over 400 seeds about one community in five keeps a cell in two pieces).
 */
void CommunityBuilder::place_hamlets() {
    Rng r(stream(kStreamHamlets));
    for (size_t ri = 0; ri < regions_.size(); ++ri) {
        Region& reg = regions_[ri];
        if (reg.plan->resettlement) continue;
        const std::vector<HouseSite> sites = road_side_sites(reg, r);
        const int hamlets = 1 + static_cast<int>(reg.group_sizes.size()) / 5;
        const std::vector<Vec2> centres = hamlet_centres(reg, sites, hamlets, r);
        HamletHouses placed = place_hamlet_houses(reg, static_cast<int>(ri), sites, centres, hamlets, r);
        cut_into_joint_groups(reg, placed, hamlets);
        houses_.insert(houses_.end(), placed.houses.begin(), placed.houses.end());
    }
    // Households are numbered by villager group and joint-defence group.
    std::stable_sort(houses_.begin(), houses_.end(), [](const House& a, const House& b) {
        return a.region != b.region ? a.region < b.region : a.cell < b.cell;
    });
}

/** Sites beside the roads near the villager group, 15 or 26 m from the centre line on both sides. */
std::vector<HouseSite> CommunityBuilder::road_side_sites(const Region& reg, Rng& r) const {
    Box box = reg.area->box();
    box.xmin -= 60, box.ymin -= 60, box.xmax += 60, box.ymax += 60;
    std::vector<HouseSite> sites;
    for (const auto& road : roads_) {
        if (!box.intersects(bounds(road.line))) continue;
        for (const Station& st : stations(road.line, 12, 6)) {
            if (!box.contains(st.p)) continue;
            for (int side : {1, -1})
                for (double off : {15.0, 26.0}) {
                    const Vec2 nrm = left_of(st.dir) * side;
                    const Vec2 p = st.p + nrm * (off + r.uniform(-2, 2)) + st.dir * r.uniform(-3, 3);
                    if (house_site_ok(reg, p)) sites.push_back({p, nrm * -1.0});
                }
        }
    }
    return sites;
}

/** The main hamlet's centre (end of the spur road), then sites far from the centres so far. */
std::vector<Vec2> CommunityBuilder::hamlet_centres(const Region& reg, const std::vector<HouseSite>& sites,
                                                   int hamlets, Rng& r) const {
    std::vector<Vec2> centres{reg.hamlet_centre};
    while (static_cast<int>(centres.size()) < hamlets && !sites.empty()) {
        size_t best = 0;
        double best_score = -1;
        for (size_t i = 0; i < sites.size(); ++i) {
            double d = std::numeric_limits<double>::infinity();
            for (Vec2 c : centres) d = std::min(d, distance(sites[i].p, c));
            const double score = std::min(d, 700.0) * r.uniform(0.5, 1.0);
            if (score > best_score) best_score = score, best = i;
        }
        centres.push_back(sites[best].p);
    }
    return centres;
}

/** Each hamlet's houses: its groups' households, on the sites nearest its centre, 20 m apart. */
HamletHouses CommunityBuilder::place_hamlet_houses(const Region& reg, int ri,
                                                   const std::vector<HouseSite>& sites,
                                                   const std::vector<Vec2>& centres, int hamlets,
                                                   Rng& r) const {
    const int groups = static_cast<int>(reg.group_sizes.size());
    HamletHouses placed;
    for (int h = 0; h < hamlets; ++h) {
        const int g0 = groups * h / hamlets, g1 = groups * (h + 1) / hamlets;
        int wanted = 0;
        for (int g = g0; g < g1; ++g) wanted += reg.group_sizes[g];
        const Vec2 centre = centres[std::min<size_t>(h, centres.size() - 1)];
        std::vector<std::pair<double, size_t>> order;
        for (size_t i = 0; i < sites.size(); ++i)
            order.push_back({distance(sites[i].p, centre) * r.uniform(0.7, 1.5), i});
        std::sort(order.begin(), order.end());
        int count = 0;
        auto spaced = [&](Vec2 p) {
            for (const auto& q : placed.houses)
                if (distance(p, q.pos) < kHouseSpacing) return false;
            return true;
        };
        auto add = [&](Vec2 p, Vec2 front) {
            House hs;
            hs.pos = p, hs.front = front, hs.region = ri;
            placed.houses.push_back(hs);
            placed.hamlet_of.push_back(h);
            ++count;
        };
        for (size_t o = 0; o < order.size() && count < wanted; ++o) {
            const HouseSite& s = sites[order[o].second];
            if (spaced(s.p)) add(s.p, s.front);
        }
        // Too few road-side sites (rare): scattered farmsteads near the hamlet, facing their nearest
        // road.
        for (int tries = 0;; ++tries) {
            if (count >= wanted) break;  // `add` counts them: clang sees no change in a loop condition
            if (tries > 200000)
                throw Error("demo: no room for the houses of " + reg.grid_id + " (seed " +
                            std::to_string(spec_.seed) + ")");
            const double spread = tries < 5000 ? 200 : 2000;
            const Vec2 p = centre + Vec2{r.normal() * spread, r.normal() * spread};
            if (house_site_ok(reg, p) && spaced(p)) add(p, unit(nearest_road_point(p) - p));
        }
    }
    return placed;
}

/**
 * Joint-defence groups: each hamlet's houses chained neighbour to neighbour and cut where the
 * chain jumps, so that a group's Voronoi cells touch and its cell is one piece (a step between
 * touching cells inside a run keeps the run's union connected). Sets each house's cell and the
 * group sizes the cut chose.
 */
void CommunityBuilder::cut_into_joint_groups(Region& reg, HamletHouses& placed, int hamlets) const {
    const int groups = static_cast<int>(reg.group_sizes.size());
    std::vector<Vec2> all;
    for (const auto& q : placed.houses) all.push_back(q.pos);
    const auto touching = voronoi_touching(all, *reg.area);
    auto neighbours = [&](size_t a, size_t b) { return touching.count(std::minmax(a, b)) > 0; };
    for (int h = 0; h < hamlets; ++h) {
        const int g0 = groups * h / hamlets, g1 = groups * (h + 1) / hamlets;
        std::vector<size_t> members;
        std::vector<Vec2> pts;
        for (size_t k = 0; k < placed.houses.size(); ++k)
            if (placed.hamlet_of[k] == h) members.push_back(k), pts.push_back(placed.houses[k].pos);
        auto step = [&](size_t a, size_t b) {  // cost of a chain step between hamlet houses a and b
            return distance(pts[a], pts[b]) / 100 + (neighbours(members[a], members[b]) ? 0 : 1000);
        };
        auto chain = chain_order(pts, [&](size_t a, size_t b) { return neighbours(members[a], members[b]); });
        improve_chain(chain, step);
        // A run costs its length along the chain, and a great deal when its cells do not all join up.
        auto run_cost = [&](int first, int size) {
            std::vector<size_t> run;
            double len = 0;
            for (int k = first; k < first + size; ++k) {
                run.push_back(members[chain[k]]);
                if (k > first) len += distance(pts[chain[k - 1]], pts[chain[k]]) / 100;
            }
            return len + (connected(run, neighbours) ? 0 : 1000);
        };
        const std::vector<int> sizes = cut_chain(static_cast<int>(chain.size()), g1 - g0, run_cost);
        size_t k = 0;
        for (int g = g0; g < g1; ++g) {
            reg.group_sizes[g] = sizes[g - g0];
            for (int m = 0; m < sizes[g - g0]; ++m, ++k) placed.houses[members[chain[k]]].cell = g;
        }
    }
}

/** Household records; the L4 manager is the head of the group's first household (联防小组长). */
void CommunityBuilder::make_households() {
    Rng r(mix(stream(kStreamPeople), 5));
    std::vector<size_t> rural;
    for (size_t k = 0; k < houses_.size(); ++k)
        if (!houses_[k].relocated) rural.push_back(k);
    r.shuffle(rural);
    std::vector<unsigned> extra(houses_.size(), 0);
    for (size_t k = 0; k < 6 && k < rural.size(); ++k) extra[rural[k]] |= kNewcomer;  // a few newcomers
    std::vector<size_t> all(houses_.size());
    for (size_t k = 0; k < all.size(); ++k) all[k] = k;
    r.shuffle(all);
    for (size_t k = 0; k < 24; ++k) extra[all[k]] |= kRisk;  // elderly alone, left-behind children, …
    r.shuffle(all);
    for (int k = 0; k < kCameraHouseholds; ++k) extra[all[k]] |= kCameraTag;

    std::map<std::string, Grid*> l4;
    for (auto& g : out_.grids)
        if (g.level == 4) l4[g.grid_id] = &g;
    const std::vector<double> member_weights = {5, 15, 22, 25, 18, 10, 5};  // 1–7 people
    for (size_t k = 0; k < houses_.size(); ++k) {
        const House& hs = houses_[k];
        Household h;
        h.hh_id = id(strf("H%04zu", k + 1));
        h.grid_id = regions_[hs.region].grid_id + strf("-%02d", hs.cell + 1);
        h.head = person_name(r, hs.relocated && r.chance(0.4) ? "罗" : nullptr);
        h.members = 1 + static_cast<int>(r.weighted(member_weights));
        h.phone = mobile_phone(r);
        h.tag_bits = (hs.relocated ? kRelocated : 0u) | extra[k];
        const std::pair<unsigned, const char*> names[] = {
            {kRelocated, "relocated"}, {kRisk, "risk"}, {kNewcomer, "newcomer"}, {kCameraTag, "camera"}};
        for (auto [bit, name] : names)
            if (h.tag_bits & bit) h.tags += (h.tags.empty() ? "" : ";") + std::string(name);
        h.pos = hs.pos;
        Grid* cell = l4.at(h.grid_id);
        if (cell->manager.empty()) cell->manager = h.head, cell->phone = h.phone;
        out_.households.push_back(std::move(h));
    }
}

}  // namespace gw::demo_detail
