// Cameras: 15 at road junctions, 32 in the enterprises, 112 at households; and the 40 candidate
// sites for new cameras (SPEC §5.4).
#include "geo/demo/community.h"

namespace gw::demo_detail {

/** Points 30 m along each road leaving p (p must be a vertex of those roads). */
std::vector<Vec2> CommunityBuilder::junction_arms(Vec2 p) const {
    std::vector<Vec2> arms;
    for (const auto& road : roads_)
        for (size_t k = 0; k < road.line.size(); ++k) {
            if (!(road.line[k] == p)) continue;
            if (k > 0) arms.push_back(point_along(road.line, k, -1, 30));
            if (k + 1 < road.line.size()) arms.push_back(point_along(road.line, k, 1, 30));
        }
    return arms;
}

/** Junctions in order of importance, each with how many road cameras it gets. */
std::vector<std::pair<Vec2, int>> CommunityBuilder::camera_junctions() const {
    std::vector<std::pair<Vec2, int>> j = {
        {exit_junction_, 3},    {lat_.vertex(2, 1), 2}, {lat_.vertex(2, 2), 2},     {lat_.vertex(1, 1), 1},
        {lat_.vertex(1, 2), 1}, {lat_.vertex(3, 2), 1}, {resettlement_junction_, 1}};
    for (Vec2 s : spur_junctions_) j.push_back({s, 1});
    return j;
}

namespace {

Camera camera(Rng& r, const std::string& owner, Vec2 pos, double azimuth, double fov, double range,
              double height, int resolution) {
    Camera c;
    c.owner = owner, c.pos = pos;
    c.azimuth = round1(std::fmod(azimuth + 360, 360.0));
    if (c.azimuth >= 360) c.azimuth = 0;
    c.fov = round1(fov), c.range = round1(range), c.height = round1(height), c.resolution_px = resolution;
    c.status = r.chance(0.05) ? "offline" : "online";
    return c;
}

}  // namespace

/**
 * 15 road cameras at the main junctions (3 at the G320 junction), 32 in the enterprises (at
 * least one each: the gate, then the fence corners), 112 at the 105 camera households (7 with a
 * second camera), facing the road or lane in front of the house.
 */
void CommunityBuilder::make_cameras() {
    Rng r(stream(kStreamCameras));
    std::vector<Camera> cams;
    // Road cameras: on a pole a few metres off the junction, looking along one arm each.
    int road_cams = 0;
    for (int round = 0; road_cams < kRoadCameras; ++round) {
        for (auto [p, count] : camera_junctions()) {
            const std::vector<Vec2> arms = junction_arms(p);
            for (int k = 0; k < count && road_cams < kRoadCameras; ++k) {
                const size_t arm = (k + round) % std::max<size_t>(arms.size(), 1);
                const Vec2 dir = arms.empty() ? Vec2{0, 1} : unit(arms[arm] - p);
                const Vec2 pos = p - dir * 4 + left_of(dir) * 3;
                cams.push_back(camera(r, "road", pos, bearing(dir) + r.uniform(-8, 8), r.uniform(60, 100),
                                      r.uniform(60, 120), r.uniform(6, 8), r.chance(0.5) ? 2560 : 3840));
                ++road_cams;
            }
        }
    }
    // Enterprise cameras: one each, the other 20 to enterprises drawn by parcel area (≤ 5 each).
    std::vector<int> per(parcels_.size(), 1);
    std::vector<double> area_w;
    for (const auto& p : parcels_) area_w.push_back(area(p.shape));
    for (int extra = kEnterpriseCameras - static_cast<int>(parcels_.size()); extra > 0;) {
        const size_t k = r.weighted(area_w);
        if (per[k] < 5) ++per[k], --extra;
    }
    for (size_t k = 0; k < parcels_.size(); ++k) {
        const Parcel& p = parcels_[k];
        const double xm = (p.x0 + p.x1) / 2, south = g320_y(xm) + kParcelSetback;
        const Vec2 middle{xm, south + p.depth / 2};
        const Vec2 spots[] = {{xm, south + 5},
                              {p.x0 + 6, g320_y(p.x0) + kParcelSetback + 6},
                              {p.x1 - 6, g320_y(p.x1) + kParcelSetback + 6},
                              {p.x1 - 6, g320_y(p.x1) + kParcelSetback + p.depth - 6},
                              {p.x0 + 6, g320_y(p.x0) + kParcelSetback + p.depth - 6}};
        for (int c = 0; c < per[k]; ++c) {
            const Vec2 pos = spots[c];
            // The gate camera watches G320; the others look across the yard.
            const Vec2 look = c == 0 ? Vec2{xm, g320_y(xm)} - pos : middle - pos;
            cams.push_back(camera(r, "enterprise", pos, bearing(look) + r.uniform(-10, 10),
                                  r.uniform(70, 110), r.uniform(40, 80), r.uniform(4, 8),
                                  r.chance(0.6) ? 2560 : 3840));
        }
    }
    // Household cameras: under the eaves, facing the road; the second one looks along it.
    std::vector<size_t> camera_houses;
    for (size_t k = 0; k < out_.households.size(); ++k)
        if (out_.households[k].tag_bits & kCameraTag) camera_houses.push_back(k);
    std::vector<size_t> twice = camera_houses;
    r.shuffle(twice);
    twice.resize(kTwoCameraHouseholds);
    std::sort(twice.begin(), twice.end());
    for (size_t k : camera_houses) {
        const House& hs = houses_[k];
        const Vec2 pos = hs.pos + hs.front * 4;
        const int copies = std::binary_search(twice.begin(), twice.end(), k) ? 2 : 1;
        for (int c = 0; c < copies; ++c) {
            const double az =
                bearing(hs.front) + (c == 0 ? 0 : (r.chance(0.5) ? 90 : -90)) + r.uniform(-10, 10);
            cams.push_back(camera(r, "household", pos, az, r.uniform(85, 95), r.uniform(25, 40),
                                  r.uniform(2.8, 4.5), r.chance(0.7) ? 1920 : 2560));
        }
    }
    for (size_t k = 0; k < cams.size(); ++k) cams[k].cam_id = id(strf("CAM%03zu", k + 1));
    out_.cameras = std::move(cams);
}

/** 40 candidate camera sites (SPEC §5.4): junctions without a road camera, then points on village roads.
 */
void CommunityBuilder::make_candidates() {
    Rng r(stream(kStreamCandidates));
    std::vector<Vec2> pool,
        watched;  // watched: junctions that have road cameras (as make_cameras hands them out)
    int handed_out = 0;
    for (auto [p, count] : camera_junctions()) {
        (handed_out < kRoadCameras ? watched : pool).push_back(p);
        handed_out += count;
    }
    std::vector<Vec2> along;
    for (const auto& road : roads_)
        if (road.road_class == "village" || road.road_class == "county")
            for (const Station& s : stations(road.line, 60, 30)) along.push_back(s.p);
    r.shuffle(along);
    pool.insert(pool.end(), along.begin(), along.end());
    std::vector<Vec2> picked;
    for (Vec2 p : pool) {
        if (picked.size() >= 40) break;
        bool ok = l1_area_->contains(p);
        for (Vec2 q : picked) ok = ok && distance(p, q) >= 90;
        for (Vec2 q : watched) ok = ok && distance(p, q) >= 40;
        if (ok) picked.push_back(p);
    }
    for (size_t k = 0; k < picked.size(); ++k) {
        Candidate c;
        c.site_id = id(strf("S%02zu", k + 1));
        c.pos = picked[k];
        out_.candidates.push_back(c);
    }
}

}  // namespace gw::demo_detail
