// The finished community moved to its place: local metres plus its origin in EPSG:4542.
#include "geo/demo/community.h"

namespace gw::demo_detail {

void CommunityBuilder::translate_to_origin() {
    const Vec2 o = spec_.origin;
    auto mp = [o](MultiPolygon& m) {
        for (auto& poly : m)
            for (auto& ring : poly.rings)
                for (auto& p : ring) p = p + o;
    };
    for (auto& g : out_.grids) mp(g.shape);
    for (auto& e : out_.enterprises) mp(e.shape);
    for (auto& b : out_.buildings) mp(b.shape);
    for (auto& h : out_.households) h.pos = h.pos + o;
    for (auto& c : out_.cameras) c.pos = c.pos + o;
    for (auto& i : out_.incidents) i.pos = i.pos + o;
    for (auto& f : out_.facilities) f.pos = f.pos + o;
    for (auto& c : out_.candidates) c.pos = c.pos + o;
    for (auto& c : out_.checks) c.pos = c.pos + o;
    for (auto& t : out_.patrols)
        for (auto& l : t.shape)
            for (auto& p : l) p = p + o;
    for (const auto& road : roads_) {
        Road rd;
        rd.name = road.name, rd.road_class = road.road_class;
        LineString l = road.line;
        for (auto& p : l) p = p + o;
        rd.shape = {std::move(l)};
        out_.roads.push_back(std::move(rd));
    }
}

}  // namespace gw::demo_detail
