// Picking features under the cursor and listing their attributes (see viewer.h).
#include <cstdio>

#include "app/viewer/viewer.h"

namespace gw::app {
namespace {

std::string num(double v) {
    char b[32];
    std::snprintf(b, sizeof b, "%.6g", v);
    return b;
}

std::string xy(Vec2 p) {
    char b[64];
    std::snprintf(b, sizeof b, "%.2f, %.2f", p.x, p.y);
    return b;
}

void add_extra(std::vector<std::pair<std::string, std::string>>& out, const Dataset& ds, const char* layer,
               const Feature& f) {
    auto it = ds.extra_fields.find(layer);
    if (it == ds.extra_fields.end()) return;
    for (size_t i = 0; i < it->second.names.size() && i < f.extra.size(); ++i)
        out.emplace_back(it->second.names[i], f.extra[i]);
}

}  // namespace

const char* layer_title(LayerId id, Lang lang) {
    switch (id) {
        case LayerId::Choropleth:
            return tr(Ui::LayerChoropleth, lang);
        case LayerId::Enterprises:
            return tr(Ui::LayerEnterprises, lang);
        case LayerId::Buildings:
            return tr(Ui::LayerBuildings, lang);
        case LayerId::Roads:
            return tr(Ui::LayerRoads, lang);
        case LayerId::Grids:
            return tr(Ui::LayerGrids, lang);
        case LayerId::CameraViews:
            return tr(Ui::LayerCameraViews, lang);
        case LayerId::Households:
            return tr(Ui::LayerHouseholds, lang);
        case LayerId::Cameras:
            return tr(Ui::LayerCameras, lang);
        case LayerId::Incidents:
            return tr(Ui::LayerIncidents, lang);
        case LayerId::Facilities:
            return tr(Ui::LayerFacilities, lang);
        case LayerId::Candidates:
            return tr(Ui::LayerCandidates, lang);
        case LayerId::Coverage:
            return tr(Ui::LayerCoverage, lang);
        case LayerId::Gaps:
            return tr(Ui::LayerGaps, lang);
        case LayerId::Hotspots:
            return tr(Ui::LayerHotspots, lang);
        case LayerId::Plan:
            return tr(Ui::LayerPlan, lang);
        case LayerId::Basemap:
            return tr(Ui::LayerBasemap, lang);
        case LayerId::Checks:
            return tr(Ui::LayerChecks, lang);
        case LayerId::Patrols:
            return tr(Ui::LayerPatrols, lang);
        case LayerId::CheckCells:
            return tr(Ui::LayerCheckCells, lang);
        case LayerId::Daily:
            return tr(Ui::LayerDaily, lang);
        case LayerId::DailyTracks:
            return tr(Ui::LayerDailyTracks, lang);
        default:
            return "";
    }
}

std::string layer_title(const ViewerState& st, const SceneLayer& L) {
    if (L.id != LayerId::Other) return layer_title(L.id, st.lang);
    const bool known = L.other >= 0 && size_t(L.other) < st.ds.other_layers.size();
    const std::string name = known ? st.ds.other_layers[size_t(L.other)].name : L.key;
    return name + (st.lang == Lang::Zh ? "（" : " (") + st.t(Ui::NotRecognised) + (st.lang == Lang::Zh ? "）" : ")");
}

std::optional<Selection> pick(const ViewerState& st, Vec2 screen) {
    const Dataset& ds = st.ds;
    const Vec2 w = st.view.to_world(screen);
    auto visible = [&](LayerId id) {
        for (const auto& L : st.scene.layers)
            if (L.id == id) return L.visible && L.opacity > 0.05f;
        return false;
    };
    // Points first, topmost layer first, nearest within 8 px.
    const double radius = 8 * st.view.mpp;
    std::optional<Selection> best;
    double best_d = radius;
    auto try_points = [&](LayerId id, const auto& features) {
        if (!visible(id) || best) return;
        double d_min = best_d;
        for (size_t i = 0; i < features.size(); ++i) {
            const double d = distance(features[i].pos, w);
            if (d <= d_min) d_min = d, best = Selection{id, i};
        }
    };
    try_points(LayerId::Facilities, ds.facilities);
    try_points(LayerId::Incidents, ds.incidents);
    try_points(LayerId::Cameras, ds.cameras);
    try_points(LayerId::Households, ds.households);
    try_points(LayerId::Candidates, ds.candidates);
    try_points(LayerId::Checks, ds.checks);
    if (best) return best;
    if (visible(LayerId::Patrols)) {
        double d_min = 5 * st.view.mpp;
        std::optional<Selection> track;
        for (size_t i = 0; i < ds.patrols.size(); ++i)
            for (const auto& line : ds.patrols[i].shape)
                for (size_t k = 0; k + 1 < line.size(); ++k) {
                    const double d = segment_distance(w, line[k], line[k + 1]);
                    if (d < d_min) d_min = d, track = Selection{LayerId::Patrols, i};
                }
        if (track) return track;
    }
    if (visible(LayerId::Enterprises))
        for (size_t i = 0; i < ds.enterprises.size(); ++i)
            if (inside(ds.enterprises[i].shape, w)) return Selection{LayerId::Enterprises, i};
    if (visible(LayerId::Buildings))
        for (size_t i = 0; i < ds.buildings.size(); ++i)
            if (inside(ds.buildings[i].shape, w)) return Selection{LayerId::Buildings, i};
    if (visible(LayerId::Roads)) {
        double d_min = 5 * st.view.mpp;
        std::optional<Selection> road;
        for (size_t i = 0; i < ds.roads.size(); ++i)
            for (const auto& line : ds.roads[i].shape)
                for (size_t k = 0; k + 1 < line.size(); ++k) {
                    const double d = segment_distance(w, line[k], line[k + 1]);
                    if (d < d_min) d_min = d, road = Selection{LayerId::Roads, i};
                }
        if (road) return road;
    }
    if (visible(LayerId::Grids) || visible(LayerId::Choropleth)) {
        // The finest cell under the cursor: that is the one a grid office asks about.
        int best_level = -1;
        for (size_t i = 0; i < ds.grids.size(); ++i)
            if (ds.grids[i].level > best_level && inside(ds.grids[i].shape, w))
                best_level = ds.grids[i].level, best = Selection{LayerId::Grids, i};
    }
    return best;
}

Box feature_bounds(const Dataset& ds, const Selection& s) {
    Box b;
    switch (s.layer) {
        case LayerId::Grids:
            return bounds(ds.grids[s.index].shape);
        case LayerId::Enterprises:
            return bounds(ds.enterprises[s.index].shape);
        case LayerId::Buildings:
            return bounds(ds.buildings[s.index].shape);
        case LayerId::Roads:
            return bounds(ds.roads[s.index].shape);
        case LayerId::Households:
            b.add(ds.households[s.index].pos);
            break;
        case LayerId::Cameras: {
            // A camera together with its view, so the sector is in the picture.
            const auto& c = ds.cameras[s.index];
            b.add(c.pos);
            for (Vec2 p : sector_outline(c)) b.add(p);
            break;
        }
        case LayerId::Incidents:
            b.add(ds.incidents[s.index].pos);
            break;
        case LayerId::Facilities:
            b.add(ds.facilities[s.index].pos);
            break;
        case LayerId::Candidates:
            b.add(ds.candidates[s.index].pos);
            break;
        case LayerId::Checks:
            b.add(ds.checks[s.index].pos);
            break;
        case LayerId::Patrols:
            return bounds(ds.patrols[s.index].shape);
        default:
            break;
    }
    return b;
}

std::string feature_title(const ViewerState& st, const Selection& s) {
    const Dataset& ds = st.ds;
    switch (s.layer) {
        case LayerId::Grids: {
            const auto& g = ds.grids[s.index];
            return std::string(st.t(Ui::Grid)) + " L" + std::to_string(g.level) + " " +
                   (g.name.empty() ? g.grid_id : g.name);
        }
        case LayerId::Households:
            return std::string(st.t(Ui::Household)) + " " + ds.households[s.index].head;
        case LayerId::Cameras:
            return std::string(st.t(Ui::Camera)) + " " + ds.cameras[s.index].cam_id;
        case LayerId::Enterprises:
            return std::string(st.t(Ui::Enterprise)) + " " + ds.enterprises[s.index].name;
        case LayerId::Roads:
            return std::string(st.t(Ui::Road)) + " " + ds.roads[s.index].name;
        case LayerId::Buildings:
            return std::string(st.t(Ui::Building)) + " #" + std::to_string(ds.buildings[s.index].fid);
        case LayerId::Incidents:
            return std::string(st.t(Ui::Incident)) + " " + ds.incidents[s.index].inc_id;
        case LayerId::Facilities:
            return std::string(st.t(Ui::Facility)) + " " + ds.facilities[s.index].name;
        case LayerId::Candidates:
            return std::string(st.t(Ui::Candidate)) + " " + ds.candidates[s.index].site_id;
        case LayerId::Checks:
            return std::string(st.t(Ui::CheckItem)) + " " + ds.checks[s.index].check_id;
        case LayerId::Patrols:
            return std::string(st.t(Ui::PatrolItem)) + " " + ds.patrols[s.index].track_id;
        default:
            return {};
    }
}

std::vector<std::pair<std::string, std::string>> attributes(const ViewerState& st, const Selection& s) {
    const Dataset& ds = st.ds;
    std::vector<std::pair<std::string, std::string>> a;
    switch (s.layer) {
        case LayerId::Grids: {
            const auto& g = ds.grids[s.index];
            a = {{"grid_id", g.grid_id},         {"level", std::to_string(g.level)},
                 {"parent_id", g.parent_id},     {"name", g.name},
                 {"manager", g.manager},         {"phone", g.phone},
                 {"area_m2", num(area(g.shape))}};
            add_extra(a, ds, "grids", g);
            break;
        }
        case LayerId::Households: {
            const auto& h = ds.households[s.index];
            a = {{"hh_id", h.hh_id}, {"grid_id", h.grid_id},
                 {"head", h.head},   {"members", h.members ? std::to_string(*h.members) : ""},
                 {"tags", h.tags},   {"phone", h.phone},
                 {"x, y", xy(h.pos)}};
            add_extra(a, ds, "households", h);
            break;
        }
        case LayerId::Cameras: {
            const auto& c = ds.cameras[s.index];
            a = {{"cam_id", c.cam_id},        {"owner", c.owner},
                 {"azimuth", num(c.azimuth)}, {"fov", num(c.fov)},
                 {"range", num(c.range)},     {"status", c.status.empty() ? "online" : c.status},
                 {"x, y", xy(c.pos)}};
            if (c.height) a.emplace_back("height", num(*c.height));
            if (c.resolution_px) a.emplace_back("resolution_px", std::to_string(*c.resolution_px));
            add_extra(a, ds, "cameras", c);
            break;
        }
        case LayerId::Enterprises: {
            const auto& e = ds.enterprises[s.index];
            a = {{"ent_id", e.ent_id},
                 {"name", e.name},
                 {"industry", e.industry},
                 {"employees", e.employees ? std::to_string(*e.employees) : ""},
                 {"paired_grid", e.paired_grid},
                 {"area_m2", num(area(e.shape))}};
            add_extra(a, ds, "enterprises", e);
            break;
        }
        case LayerId::Roads: {
            const auto& r = ds.roads[s.index];
            a = {{"name", r.name}, {"class", r.road_class}};
            add_extra(a, ds, "roads", r);
            break;
        }
        case LayerId::Buildings: {
            const auto& b = ds.buildings[s.index];
            a = {{"fid", std::to_string(b.fid)},
                 {"height", b.height ? num(*b.height) : ""},
                 {"area_m2", num(area(b.shape))}};
            add_extra(a, ds, "buildings", b);
            break;
        }
        case LayerId::Incidents: {
            const auto& i = ds.incidents[s.index];
            a = {{"inc_id", i.inc_id},         {"type", i.type},   {"time", i.time}, {"color", i.color},
                 {"settled_at", i.settled_at}, {"x, y", xy(i.pos)}};
            add_extra(a, ds, "incidents", i);
            break;
        }
        case LayerId::Facilities: {
            const auto& f = ds.facilities[s.index];
            a = {{"name", f.name}, {"kind", f.kind}, {"x, y", xy(f.pos)}};
            add_extra(a, ds, "facilities", f);
            break;
        }
        case LayerId::Candidates: {
            const auto& c = ds.candidates[s.index];
            a = {{"site_id", c.site_id}, {"x, y", xy(c.pos)}};
            break;
        }
        case LayerId::Checks: {
            const auto& c = ds.checks[s.index];
            a = {{"check_id", c.check_id}, {"grid_id", c.grid_id}, {"reporter", c.reporter},
                 {"time", c.time},         {"kind", c.kind},       {"people", c.people ? std::to_string(*c.people) : ""},
                 {"note", c.note},         {"x, y", xy(c.pos)}};
            add_extra(a, ds, "checks", c);
            break;
        }
        case LayerId::Patrols: {
            const auto& t = ds.patrols[s.index];
            const double walked = length(t.shape);
            // Times as the community's clock reads them, from the track's own vertices when it came as fixes.
            const std::string start = t.t_start ? iso_date_time(*t.t_start) : t.start;
            const std::string end = t.t_end ? iso_date_time(*t.t_end) : t.end;
            a = {{"track_id", t.track_id},
                 {"team", t.team},
                 {"start", start},
                 {"end", end},
                 {"length_m", num(walked)}};
            add_extra(a, ds, "patrols", t);
            break;
        }
        default:
            break;
    }
    return a;
}

}  // namespace gw::app
