// Facilities: the persuasion station at the exit road × G320 junction, the patrol base, the grid
// station, the clinic and the school.
#include "geo/demo/community.h"

namespace gw::demo_detail {

void CommunityBuilder::make_facilities() {
    auto add = [&](const std::string& name, const std::string& kind, Vec2 p) {
        Facility f;
        f.name = name, f.kind = kind, f.pos = p;
        out_.facilities.push_back(f);
        reserved_.push_back(p);
    };
    const LineString& exit = roads_[exit_road_].line;
    // SPEC §2: the persuasion station stands exactly at the exit road × G320 junction.
    add("大坪子交通安全劝导站", "persuasion_station", exit_junction_);
    const Vec2 up = point_along(exit, 0, 1, 80), up_dir = unit(point_along(exit, 0, 1, 100) - up);
    add("村企联防巡逻队队部（10人）", "patrol_base", up - left_of(up_dir) * 18);
    const Vec2 v21 = lat_.vertex(2, 1);
    const Vec2 north = unit(point_along(lat_.vedge(2, 1), 0, 1, 40) - v21);
    const Vec2 east = unit(point_along(lat_.hedge(2, 1), 0, 1, 40) - v21);
    add("大坪子社区网格服务站（党群服务中心）", "grid_station", v21 + unit(north + east) * 40);
    const Vec2 west = unit(point_along(lat_.hedge(1, 1), lat_.hedge(1, 1).size() - 1, -1, 40) - v21);
    add("大坪子社区卫生室", "clinic", v21 + unit(north + west) * 40);
    const Vec2 v12 = lat_.vertex(1, 2);
    const Vec2 down = unit(point_along(lat_.vedge(1, 1), lat_.vedge(1, 1).size() - 1, -1, 40) - v12);
    const Vec2 east2 = unit(point_along(lat_.hedge(1, 2), 0, 1, 40) - v12);
    add("大坪子小学", "school", v12 + unit(down + east2) * 55);
}

}  // namespace gw::demo_detail
