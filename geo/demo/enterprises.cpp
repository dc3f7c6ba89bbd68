// Enterprises: twelve parcels (1,150 mu) in the strip north of G320, each paired with a villager
// group (企业包村民小组).
#include "geo/demo/community.h"

namespace gw::demo_detail {

/**
 * Twelve parcels in the strip north of G320, between the community's west and east edges,
 * leaving the exit road clear. Each parcel's south fence follows G320 and its north fence is
 * the south fence moved north by its depth, so its area is width × depth exactly; the depths
 * are scaled so the parcels add up to 1,150 mu.
 */
void CommunityBuilder::make_enterprises() {
    Rng r(stream(kStreamEnterprises));
    const double band_lo = kG320Y - 60, band_hi = kG320Y + 460;
    auto in_band = [&](Vec2 p) { return p.y >= band_lo && p.y <= band_hi; };
    double west = -kHalfWidth, east = kHalfWidth, gap_lo = 1e18, gap_hi = -1e18;
    for (Vec2 p : lat_.vedge(0, 0))
        if (in_band(p)) west = std::max(west, p.x);
    for (Vec2 p : lat_.vedge(kCols, 0))
        if (in_band(p)) east = std::min(east, p.x);
    for (Vec2 p : roads_[exit_road_].line)
        if (in_band(p)) gap_lo = std::min(gap_lo, p.x), gap_hi = std::max(gap_hi, p.x);
    const double spans[2][2] = {{west + 30, gap_lo - 30}, {gap_hi + 30, east - 30}};
    const double len_w = spans[0][1] - spans[0][0], len_e = spans[1][1] - spans[1][0];
    const int n_west = std::clamp(static_cast<int>(std::lround(kEnterprises * len_w / (len_w + len_e))), 1,
                                  kEnterprises - 1);
    constexpr double kGap = 16;  // lanes between neighbouring fences
    for (int side = 0; side < 2; ++side) {
        const int n = side == 0 ? n_west : kEnterprises - n_west;
        std::vector<double> u(n);
        double su = 0;
        for (double& v : u) su += (v = r.uniform(0.7, 1.3));
        double x = spans[side][0];
        const double usable = spans[side][1] - spans[side][0] - (n - 1) * kGap;
        for (int k = 0; k < n; ++k) {
            Parcel p;
            p.x0 = x, p.x1 = x + usable * u[k] / su;
            parcels_.push_back(p);
            x = p.x1 + kGap;
        }
    }
    std::vector<double> v(parcels_.size());
    double weighted = 0;
    for (size_t k = 0; k < parcels_.size(); ++k)
        weighted += (parcels_[k].x1 - parcels_[k].x0) * (v[k] = r.uniform(0.8, 1.2));
    for (size_t k = 0; k < parcels_.size(); ++k) {
        Parcel& p = parcels_[k];
        p.depth = v[k] * kEnterpriseArea / weighted;
        LineString south{{p.x0, g320_y(p.x0) + kParcelSetback}};
        for (Vec2 q : g320_)
            if (q.x > p.x0 && q.x < p.x1) south.push_back({q.x, q.y + kParcelSetback});
        south.push_back({p.x1, g320_y(p.x1) + kParcelSetback});
        Ring ring = south;
        for (size_t i = south.size(); i-- > 0;) ring.push_back({south[i].x, south[i].y + p.depth});
        p.shape = Polygon{{ring}};
    }

    std::vector<const EnterprisePlan*> names;
    for (const auto& e : kEnterprisePlans) names.push_back(&e);
    r.shuffle(names);
    // 企业包村民小组: each enterprise is paired with a villager group, every group with one or two.
    std::vector<size_t> pairing(regions_.size());
    for (size_t g = 0; g < pairing.size(); ++g) pairing[g] = g;
    r.shuffle(pairing);
    int employees = 0;
    for (size_t k = 0; k < parcels_.size(); ++k) {
        Enterprise e;
        e.ent_id = id(strf("E%02zu", k + 1));
        e.name = names[k]->name, e.industry = names[k]->industry;
        e.employees = r.integer(8, 45);
        e.paired_grid = regions_[pairing[k % pairing.size()]].grid_id;
        e.shape = {parcels_[k].shape};
        employees += *e.employees;
        out_.enterprises.push_back(std::move(e));
    }
    // SPEC §2: 200+ villagers employed.
    for (size_t k = 0; employees < 220; k = (k + 1) % out_.enterprises.size())
        *out_.enterprises[k].employees += 5, employees += 5;
}

/** Enterprise parcels and G320 widened: where hamlets and spur roads do not go. */
geos::Geom CommunityBuilder::strip_mask(double parcel_margin, double road_margin) const {
    MultiPolygon parcels;
    for (const auto& p : parcels_) parcels.push_back(p.shape);
    geos::Geom pg = geos::to_geos(parcels);
    geos::Geom g = geos::Geom(raw_line(g320_));
    std::vector<geos::Geom> parts;
    parts.push_back(buffered(pg.get(), parcel_margin));
    parts.push_back(buffered(g.get(), road_margin));
    return union_of(std::move(parts));
}

}  // namespace gw::demo_detail
