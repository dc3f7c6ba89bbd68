// The hotspots panel (SPEC §5.3): kernel density, Gi* hot and cold cells, DBSCAN clusters and the
// four-colour warning, over a month window and an incident type; everything recomputes as a
// slider moves. The numbers come from the geo/hotspots.h functions `gridwatch hotspots` calls.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "app/viewer.h"
#include "geo/error.h"
#include "geo/hotspots.h"
#include "geo/stats.h"

namespace gw::app {

enum class HotspotMethod : int { Kde, GiStar, Dbscan, FourColour };

struct HotspotsState {
    HotspotMethod method = HotspotMethod::Kde;
    float bandwidth = 0, cell = 10, eps = 50;
    int min_pts = 5, level = 4;
    std::vector<std::string> months, types;  // what the data holds, sorted
    int from = 0, to = 0, type = -1;         // month indices; type -1 = all
    bool dirty = true;
    // What was computed, for the legend.
    size_t incidents = 0;
    double peak = 0, bandwidth_used = 0;
    int clusters = 0;
    std::map<std::string, int> classes;  // Gi* class or warning colour → cells
    std::string error;
};

namespace {

Rgba gi_color(const std::string& cls) {
    // The ColorBrewer RdBu diverging scheme ArcGIS and GeoDa use for Gi* confidence bins.
    if (cls == "hot99") return rgba(178, 24, 43, 170);
    if (cls == "hot95") return rgba(239, 138, 98, 160);
    if (cls == "hot90") return rgba(253, 219, 199, 160);
    if (cls == "cold90") return rgba(209, 229, 240, 160);
    if (cls == "cold95") return rgba(103, 169, 207, 160);
    if (cls == "cold99") return rgba(33, 102, 172, 170);
    return 0;  // not significant: no fill
}

Rgba warning_color(const std::string& c) {
    // The grid office's own four colours.
    if (c == "red") return rgba(220, 38, 38, 150);
    if (c == "yellow") return rgba(250, 204, 21, 150);
    if (c == "blue") return rgba(37, 99, 235, 130);
    return rgba(34, 160, 70, 110);
}

ImVec4 im_color(Rgba c) {
    return ImVec4((c & 255) / 255.f, (c >> 8 & 255) / 255.f, (c >> 16 & 255) / 255.f, 1);
}

void init_choices(HotspotsState& h, const Dataset& ds) {
    std::set<std::string> months, types;
    for (const auto& i : ds.incidents) {
        if (i.time.size() >= 7) months.insert(i.time.substr(0, 7));
        if (!i.type.empty()) types.insert(i.type);
    }
    h.months.assign(months.begin(), months.end());
    h.types.assign(types.begin(), types.end());
    h.from = 0, h.to = std::max(0, int(h.months.size()) - 1);
    while (h.level > 1 && ds.grids_of_level(h.level).empty()) --h.level;
}

IncidentFilter filter_of(const HotspotsState& h) {
    IncidentFilter f;
    if (h.type >= 0) f.types = {h.types[size_t(h.type)]};
    if (!h.months.empty()) {
        f.from = h.months[size_t(h.from)] + "-01";
        f.to = h.months[size_t(h.to)] + "-31";  // text comparison: the last day of any month
    }
    return f;
}

/** Recomputes the chosen method and rebuilds the Hotspots layer. */
void recompute(ViewerState& st, HotspotsState& h) {
    SceneLayer& L = ensure_layer(st.scene, LayerId::Hotspots, "hotspots", LayerId::Buildings);
    L.fills.clear(), L.lines.clear(), L.points.clear(), L.raster = {};
    ++L.revision;
    h.error.clear(), h.classes.clear(), h.clusters = 0, h.peak = 0;
    const auto inc = filter_incidents(st.ds, filter_of(h));
    h.incidents = inc.size();
    std::vector<Vec2> pts;
    for (auto* i : inc) pts.push_back(i->pos);
    const Vec2 o = st.scene.origin;
    try {
        switch (h.method) {
            case HotspotMethod::Kde: {
                if (pts.empty()) return;
                KdeOptions ko;
                ko.cell_m = std::max(1.0f, h.cell), ko.bandwidth_m = h.bandwidth;
                const KdeRaster r = kernel_density(pts, ko);
                h.peak = r.max_density, h.bandwidth_used = r.bandwidth;
                L.raster = to_scalar_raster(r);
                break;
            }
            case HotspotMethod::GiStar: {
                const auto units = st.ds.grids_of_level(h.level);
                if (units.size() < 3) return;
                std::vector<const MultiPolygon*> shapes;
                for (auto* g : units) shapes.push_back(&g->shape);
                std::vector<double> x(units.size(), 0);
                CellLocator loc(units);
                for (Vec2 p : pts)
                    if (int k = loc.find(p); k >= 0) x[size_t(k)] += 1;
                // No incidents in the window: Gi* has no variance to test against.
                if (std::all_of(x.begin(), x.end(), [](double v) { return v == 0; })) return;
                const GiResult r = getis_ord_gi_star(x, queen_neighbours(shapes));
                for (size_t i = 0; i < units.size(); ++i) {
                    h.classes[r.cls[i]]++;
                    if (Rgba c = gi_color(r.cls[i])) add_polygons(L, o, units[i]->shape, c, 0, 0);
                }
                break;
            }
            case HotspotMethod::Dbscan: {
                const std::vector<int> label = dbscan(pts, h.eps, h.min_pts);
                for (int l : label) h.clusters = std::max(h.clusters, l + 1);
                std::vector<std::vector<Vec2>> members(size_t(h.clusters));
                for (size_t i = 0; i < label.size(); ++i)
                    if (label[i] >= 0) members[size_t(label[i])].push_back(pts[i]);
                for (const auto& m : members)
                    add_polygons(L, o, cluster_hull(m), rgba(190, 30, 45, 60), rgba(150, 10, 30), 2.5f);
                break;
            }
            case HotspotMethod::FourColour: {
                const auto units = st.ds.grids_of_level(h.level);
                if (units.empty()) return;
                const WarningThresholds t = load_warning_thresholds(st.ds.source + ".gridwatch.json");
                CellLocator loc(units);
                std::vector<double> score(units.size(), 0);
                for (auto* i : inc)
                    if (int k = loc.find(i->pos); k >= 0) score[size_t(k)] += incident_score(*i, t);
                for (size_t i = 0; i < units.size(); ++i) {
                    const std::string c = warning_colour(score[i], t);
                    h.classes[c]++;
                    add_polygons(L, o, units[i]->shape, warning_color(c), 0, 0);
                }
                break;
            }
        }
    } catch (const Error& e) {
        h.error = e.what();
    }
}

void swatch(Rgba c, const char* label, int count = -1) {
    ImGui::ColorButton(label, im_color(c), ImGuiColorEditFlags_NoTooltip | ImGuiColorEditFlags_NoBorder,
                       ImVec2(14, 14));
    ImGui::SameLine();
    if (count >= 0)
        ImGui::Text("%s  %d", label, count);
    else
        ImGui::TextUnformatted(label);
}

void legend(ViewerState& st, const HotspotsState& h) {
    ImGui::Separator();
    ImGui::TextDisabled("%s", st.t(Ui::Legend));
    switch (h.method) {
        case HotspotMethod::Kde: {
            // The ramp of shaders/raster_fs.glsl, drawn as a bar from 0 to the peak.
            ImDrawList* dl = ImGui::GetWindowDrawList();
            const ImVec2 p = ImGui::GetCursorScreenPos();
            const float w = 220, hgt = 12;
            const ImU32 stops[] = {IM_COL32(255, 237, 160, 255), IM_COL32(252, 178, 76, 255),
                                   IM_COL32(240, 59, 32, 255), IM_COL32(128, 0, 38, 255)};
            for (int i = 0; i < 3; ++i)
                dl->AddRectFilledMultiColor(ImVec2(p.x + w * i / 3, p.y),
                                            ImVec2(p.x + w * (i + 1) / 3, p.y + hgt), stops[i], stops[i + 1],
                                            stops[i + 1], stops[i]);
            ImGui::Dummy(ImVec2(w, hgt));
            ImGui::Text("%s: 0 … %.0f   (h = %.0f m)", st.t(Ui::Density), h.peak, h.bandwidth_used);
            break;
        }
        case HotspotMethod::GiStar: {
            auto n = [&](const char* k) { return h.classes.count(k) ? h.classes.at(k) : 0; };
            char label[64];
            const std::pair<const char*, int> rows[] = {{"hot99", 99},  {"hot95", 95},  {"hot90", 90},
                                                        {"cold90", 90}, {"cold95", 95}, {"cold99", 99}};
            for (auto [k, conf] : rows) {
                std::snprintf(label, sizeof label, "%s %d%%", k[0] == 'h' ? st.t(Ui::Hot) : st.t(Ui::Cold),
                              conf);
                swatch(gi_color(k), label, n(k));
            }
            swatch(rgba(255, 255, 255), st.t(Ui::NotSignificant), n("ns"));
            break;
        }
        case HotspotMethod::Dbscan:
            swatch(rgba(190, 30, 45), st.t(Ui::Clusters), h.clusters);
            break;
        case HotspotMethod::FourColour: {
            auto n = [&](const char* k) { return h.classes.count(k) ? h.classes.at(k) : 0; };
            swatch(warning_color("red"), st.t(Ui::Red), n("red"));
            swatch(warning_color("yellow"), st.t(Ui::Yellow), n("yellow"));
            swatch(warning_color("blue"), st.t(Ui::Blue), n("blue"));
            swatch(warning_color("green"), st.t(Ui::Green), n("green"));
            break;
        }
    }
}

}  // namespace

void hotspots_action(ViewerState& st, const std::string& what) {
    st.show_hotspots = true;
    if (!st.hotspots) {
        st.hotspots = std::make_shared<HotspotsState>();
        init_choices(*st.hotspots, st.ds);
    }
    if (what == "hotspots_next") {
        st.hotspots->method = HotspotMethod((int(st.hotspots->method) + 1) % 4);
        st.hotspots->dirty = true;
    }
}

void panel_hotspots(ViewerState& st) {
    if (!st.show_hotspots) {
        if (st.hotspots) {  // closing the panel takes its layer off the map
            SceneLayer& L = ensure_layer(st.scene, LayerId::Hotspots, "hotspots", LayerId::Buildings);
            L.fills.clear(), L.lines.clear(), L.raster = {};
            ++L.revision;
            st.hotspots.reset();
        }
        return;
    }
    if (!st.hotspots) {
        st.hotspots = std::make_shared<HotspotsState>();
        init_choices(*st.hotspots, st.ds);
    }
    HotspotsState& h = *st.hotspots;
    ImGui::SetNextWindowPos(ImVec2(float(st.view.width) - 470, 300), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(420, 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(st.t(Ui::HotspotsPanel), &st.show_hotspots, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    bool changed = false;
    const Ui names[] = {Ui::MethodKde, Ui::MethodGi, Ui::MethodDbscan, Ui::MethodFourColour};
    int m = int(h.method);
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo(st.t(Ui::Method), st.t(names[m]))) {
        for (int i = 0; i < 4; ++i)
            if (ImGui::Selectable(st.t(names[i]), i == m)) h.method = HotspotMethod(i), changed = true;
        ImGui::EndCombo();
    }
    ImGui::SetNextItemWidth(200);
    switch (h.method) {
        case HotspotMethod::Kde:
            changed |= ImGui::SliderFloat(st.t(Ui::BandwidthM), &h.bandwidth, 0, 1500, "%.0f");
            ImGui::SetNextItemWidth(200);
            changed |= ImGui::SliderFloat(st.t(Ui::CellM), &h.cell, 2, 50, "%.0f");
            break;
        case HotspotMethod::Dbscan:
            changed |= ImGui::SliderFloat(st.t(Ui::EpsM), &h.eps, 5, 300, "%.0f");
            ImGui::SetNextItemWidth(200);
            changed |= ImGui::SliderInt(st.t(Ui::MinPts), &h.min_pts, 2, 20);
            break;
        default:
            changed |= ImGui::SliderInt(st.t(Ui::Level), &h.level, 1, 4);
            break;
    }
    if (!h.months.empty()) {
        const int last = int(h.months.size()) - 1;
        ImGui::SetNextItemWidth(200);
        changed |= ImGui::SliderInt(st.t(Ui::FromMonth), &h.from, 0, last, h.months[size_t(h.from)].c_str());
        ImGui::SetNextItemWidth(200);
        changed |= ImGui::SliderInt(st.t(Ui::ToMonth), &h.to, 0, last, h.months[size_t(h.to)].c_str());
        h.from = std::clamp(h.from, 0, last), h.to = std::clamp(h.to, h.from, last);
    }
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo(st.t(Ui::IncidentType),
                          h.type < 0 ? st.t(Ui::AllTypes) : h.types[size_t(h.type)].c_str())) {
        if (ImGui::Selectable(st.t(Ui::AllTypes), h.type < 0)) h.type = -1, changed = true;
        for (int i = 0; i < int(h.types.size()); ++i)
            if (ImGui::Selectable(h.types[size_t(i)].c_str(), i == h.type)) h.type = i, changed = true;
        ImGui::EndCombo();
    }
    if (changed || h.dirty) {
        recompute(st, h);
        h.dirty = false;
    }
    ImGui::Text("%s: %zu", st.t(Ui::IncidentsIn), h.incidents);
    if (!h.error.empty()) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", h.error.c_str());
    legend(st, h);
    ImGui::End();
}

}  // namespace gw::app
