// Buildings: a footprint per household, sheds in the enterprise yards, the facility buildings.
#include "geo/demo/community.h"

namespace gw::demo_detail {

/** House footprints (one per household, turned to face its road), enterprise sheds, facility buildings.
 */
void CommunityBuilder::make_buildings() {
    Rng r(stream(kStreamBuildings));
    for (const House& hs : houses_) {
        Building b;
        const Vec2 along = left_of(hs.front);
        b.shape = {hs.relocated ? rectangle(hs.pos, along, 11, 9)
                                : rectangle(hs.pos, along, r.uniform(9, 12), r.uniform(7, 10))};
        const double storeys = static_cast<double>(1 + r.weighted({35, 50, 15}));
        b.height = round1(storeys * 3.0 + r.uniform(0, 0.5));
        out_.buildings.push_back(std::move(b));
    }
    for (const Parcel& p : parcels_) {
        const int sheds = r.integer(2, 4);
        const double slot = (p.x1 - p.x0 - 20) / sheds;
        for (int s = 0; s < sheds; ++s) {
            const double w = slot * r.uniform(0.5, 0.85);
            const double xa = p.x0 + 10 + slot * s + r.uniform(0, slot - w), xb = xa + w;
            double lo = -1e18, hi = 1e18;
            for (double x = xa; x <= xb + 1e-9; x += std::max(1.0, (xb - xa) / 8)) {
                lo = std::max(lo, g320_y(x) + kParcelSetback + 15);
                hi = std::min(hi, g320_y(x) + kParcelSetback + p.depth - 15);
            }
            if (hi - lo < 20) continue;
            const double d = (hi - lo) * r.uniform(0.3, 0.6), ya = lo + r.uniform(0, hi - lo - d);
            Building b;
            b.shape = {Polygon{{Ring{{xa, ya}, {xb, ya}, {xb, ya + d}, {xa, ya + d}}}}};
            b.height = round1(r.uniform(6, 12));
            out_.buildings.push_back(std::move(b));
        }
    }
    for (const Facility& f : out_.facilities) {
        double w = 0, d = 0, ht = 0;
        if (f.kind == "grid_station") w = 26, d = 14, ht = 10;
        if (f.kind == "school") w = 44, d = 18, ht = 12;
        if (f.kind == "clinic") w = 16, d = 10, ht = 6;
        if (f.kind == "patrol_base") w = 12, d = 8, ht = 4;
        if (w == 0) continue;  // the persuasion station is a booth on the junction
        Building b;
        b.shape = {rectangle(f.pos, unit(nearest_road_point(f.pos) - f.pos), w, d)};
        b.height = ht;
        out_.buildings.push_back(std::move(b));
    }
}

}  // namespace gw::demo_detail
