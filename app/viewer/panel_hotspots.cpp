// The hotspots panel (SPEC §5.3): kernel density, Gi* hot and cold cells, DBSCAN clusters and the
// four-colour warning, over a month window and an incident type; everything recomputes as a
// slider moves. The numbers come from the geo/analysis/hotspots.h functions `gridwatch hotspots` calls.
//
// Gi* takes the command line's options (neighbours: queen, --band, --hex; --permutations with
// --seed; --fdr; --per households; --value FIELD) and runs gw::gi_star_analysis, as the command
// does, on a background thread, so the panel stays live while permutations run on a fine mesh.
// Its significant units are listed by |z| below the legend; a click on one zooms to it.
#include <imgui.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <future>
#include <map>
#include <set>

#include "app/viewer/viewer.h"
#include "geo/analysis/hotspots.h"
#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/io/project.h"

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
    // Gi* options, as `gridwatch hotspots --method gi` takes them.
    int neighbours = 0;  // GiWeights: queen contiguity of a level's cells, --band, --hex
    float band_m = 300, hex_m = 50;
    int permutations = 0, seed = 12345;
    bool fdr = false;
    int value = 0;                    // 0 incident counts, 1 per household, 2 + k: numeric field k of `fields`
    std::vector<std::string> fields;  // the cells' numeric fields (what --value may name)
    // Gi* runs off the UI thread on a copy of the dataset (the viewer edits cameras meanwhile).
    std::shared_ptr<const Dataset> data;
    std::shared_ptr<std::atomic<bool>> cancel = std::make_shared<std::atomic<bool>>(false);
    std::future<GiAnalysis> running;  // its destructor waits for the run: cancelled first (below)
    bool rerun = false;                // the options changed while a run was going
    std::optional<GiAnalysis> gi;      // the run shown
    std::vector<size_t> significant;   // units of `gi` that are hot or cold, |z| descending
    std::optional<ImVec2> first_row;   // where the list's first row is on screen (--print-hotspots)

    // Closing the panel or the viewer does not wait for a long run: its permutations stop.
    ~HotspotsState() { *cancel = true; }
};

namespace {
enum GiWeights : int { kQueen, kBand, kHex };  // HotspotsState::neighbours
}  // namespace

namespace {

/** The grid office's own four colours (the wall's), translucent over the map. */
Rgba warning_color(const std::string& c) {
    return with_alpha(warning_rgba(c), c == "red" || c == "yellow" ? 150 : c == "blue" ? 130 : 110);
}

void init_choices(HotspotsState& h, const Dataset& ds) {
    std::set<std::string> months, types;
    for (const auto& i : ds.incidents) {
        if (i.when) months.insert(iso_month(*i.when));
        if (!i.type.empty()) types.insert(i.type);
    }
    h.months.assign(months.begin(), months.end());
    h.types.assign(types.begin(), types.end());
    h.from = 0, h.to = std::max(0, int(h.months.size()) - 1);
    while (h.level > 1 && ds.grids_of_level(h.level).empty()) --h.level;
    // The cells' fields --value may name: those whose every value is a number.
    if (auto f = ds.extra_fields.find("grids"); f != ds.extra_fields.end())
        for (size_t k = 0; k < f->second.names.size(); ++k) {
            bool numeric = !ds.grids.empty();
            for (const Grid& g : ds.grids) {
                const std::string v = k < g.extra.size() ? g.extra[k] : std::string();
                char* end = nullptr;
                const double x = std::strtod(v.c_str(), &end);
                if (v.empty() || *end || !std::isfinite(x)) numeric = false;
            }
            if (numeric) h.fields.push_back(f->second.names[k]);
        }
}

IncidentFilter filter_of(const HotspotsState& h) {
    IncidentFilter f;
    if (h.type >= 0) f.types = {h.types[size_t(h.type)]};
    if (!h.months.empty()) {
        f.window = window_between(h.months[size_t(h.from)], h.months[size_t(h.to)]);
    }
    return f;
}

// ---- Gi* ------------------------------------------------------------------------------------

/** The panel's Gi* options as the command line's (--level, --band, --hex, --per, --value, …). */
GiSetup gi_setup(const HotspotsState& h) {
    GiSetup s;
    s.level = h.level;
    if (h.neighbours == kBand) s.band_m = h.band_m;
    if (h.neighbours == kHex) s.hex_m = h.hex_m;
    s.per_households = h.value == 1;
    if (h.value >= 2 && size_t(h.value - 2) < h.fields.size()) s.value = h.fields[size_t(h.value - 2)];
    s.options.permutations = h.permutations, s.options.seed = uint64_t(h.seed), s.options.fdr = h.fdr;
    return s;
}

/** Starts a Gi* run with the current options, or marks one to follow the run in progress. */
void start_gi(ViewerState& st, HotspotsState& h) {
    if (h.running.valid()) {
        h.rerun = true;
        return;
    }
    h.rerun = false;
    if (!h.data) {
        // What Gi* reads, as `gridwatch hotspots --method gi` reads it: cells, households, incidents.
        auto d = std::make_shared<Dataset>();
        d->source = st.ds.source, d->work_crs = st.ds.work_crs, d->work_crs_wkt = st.ds.work_crs_wkt;
        d->grids = st.ds.grids, d->households = st.ds.households, d->incidents = st.ds.incidents;
        d->extra_fields = st.ds.extra_fields;
        h.data = std::move(d);
    }
    const std::shared_ptr<const Dataset> data = h.data;
    const IncidentFilter f = filter_of(h);
    GiSetup s = gi_setup(h);
    s.options.cancel = h.cancel.get();
    h.incidents = filter_incidents(*data, f).size();
    h.running = std::async(std::launch::async, [data, f, s, cancel = h.cancel] {
        return gi_star_analysis(*data, filter_incidents(*data, f), s);
    });
}

/** The Gi* result on the map: hot and cold units filled by class; a hexagon mesh drawn whole. */
void draw_gi(ViewerState& st, HotspotsState& h) {
    SceneLayer& L = ensure_layer(st.scene, LayerId::Hotspots, "hotspots", LayerId::Buildings);
    L.fills.clear(), L.lines.clear(), L.points.clear(), L.raster = {};
    ++L.revision;
    h.classes.clear(), h.significant.clear(), h.first_row.reset();
    if (!h.gi) return;
    const GiAnalysis& a = *h.gi;
    const GiResult& r = a.result;
    // Grid cells have their outlines in the grid layer; hexagons have none elsewhere.
    const float mesh_px = a.hexagons.empty() ? 0.f : 0.6f;
    for (size_t i = 0; i < a.units.size(); ++i) {
        h.classes[r.cls[i]]++;
        const Rgba c = gi_class_rgba(r.cls[i]);
        if (c || mesh_px > 0) add_polygons(L, st.scene.origin, a.units[i]->shape, c, rgba(90, 90, 90, 150), mesh_px);
        if (c) h.significant.push_back(i);
    }
    std::stable_sort(h.significant.begin(), h.significant.end(),
                     [&](size_t p, size_t q) { return std::abs(r.z[p]) > std::abs(r.z[q]); });
}

/** Takes a finished Gi* run (with `wait`, waits for it) and draws it; starts the next if asked. */
void collect_gi(ViewerState& st, HotspotsState& h, bool wait) {
    while (h.running.valid()) {
        if (!wait && h.running.wait_for(std::chrono::seconds(0)) != std::future_status::ready) return;
        std::string error;
        h.gi.reset();
        try {
            h.gi = h.running.get();
        } catch (const std::exception& e) {  // gw::Error, and anything else (out of memory): shown, never fatal
            error = without_secrets(e.what());
        }
        if (h.method != HotspotMethod::GiStar) {  // the user moved on to another method meanwhile
            h.gi.reset();
            return;
        }
        h.error = error;
        draw_gi(st, h);
        if (!h.rerun) return;
        start_gi(st, h);
    }
}

/** Zooms to unit `i` of a Gi* run: a grid cell is selected too, as the search panel does. */
void zoom_to_unit(ViewerState& st, const GiAnalysis& a, size_t i) {
    const Grid& g = *a.units[i];
    if (a.hexagons.empty())
        for (size_t k = 0; k < st.ds.grids.size(); ++k)
            if (st.ds.grids[k].level == g.level && st.ds.grids[k].grid_id == g.grid_id) {
                st.zoom_to(Selection{LayerId::Grids, k});
                return;
            }
    st.zoom_to(bounds(g.shape));
}

// ---- All methods -----------------------------------------------------------------------------

/** Recomputes the chosen method and rebuilds the Hotspots layer (Gi*: when its run is back). */
void recompute(ViewerState& st, HotspotsState& h) {
    if (h.method == HotspotMethod::GiStar) {
        start_gi(st, h);
        return;
    }
    h.gi.reset(), h.significant.clear();
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
            case HotspotMethod::GiStar:
                break;  // start_gi
            case HotspotMethod::Dbscan: {
                const Clusters cl = dbscan_clusters(pts, h.eps, h.min_pts);
                h.clusters = static_cast<int>(cl.members.size());
                for (const MultiPolygon& hull : cluster_hulls(pts, cl))
                    add_polygons(L, o, hull, rgba(190, 30, 45, 60), rgba(150, 10, 30), 2.5f);
                break;
            }
            case HotspotMethod::FourColour: {
                if (st.ds.grids_of_level(h.level).empty()) return;
                const WarningThresholds t = load_warning_thresholds(project_path_for(st.ds.source));
                const WarningCells w = four_colour_warning(st.ds, inc, h.level, t);
                for (size_t i = 0; i < w.units.size(); ++i) {
                    const std::string c = w.colour[i];
                    h.classes[c]++;
                    add_polygons(L, o, w.units[i]->shape, warning_color(c), 0, 0);
                }
                break;
            }
        }
    } catch (const Error& e) {
        h.error = without_secrets(e.what());
    }
}

/** "热点 99%" / "hot 99%", "冷点 90%", "不显著" for a Gi* class. */
std::string class_label(const ViewerState& st, const std::string& cls) {
    if (cls.size() < 5 || cls == "ns") return st.t(Ui::NotSignificant);
    return std::string(cls[0] == 'h' ? st.t(Ui::Hot) : st.t(Ui::Cold)) + " " + cls.substr(cls.size() - 2) + "%";
}

/** The Gi* options of `gridwatch hotspots --method gi`; true when one changed. */
bool gi_options(ViewerState& st, HotspotsState& h) {
    bool changed = false;
    const Ui kinds[] = {Ui::GiQueen, Ui::GiBand, Ui::GiHex};
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo(st.t(Ui::GiNeighbours), st.t(kinds[h.neighbours]))) {
        for (int i = 0; i < 3; ++i)
            if (ImGui::Selectable(st.t(kinds[i]), i == h.neighbours)) h.neighbours = i, changed = true;
        ImGui::EndCombo();
    }
    ImGui::SetNextItemWidth(200);
    if (h.neighbours == kHex)  // over the level-1 cells, whatever the level
        changed |= ImGui::SliderFloat(st.t(Ui::HexM), &h.hex_m, 20, 500, "%.0f");
    else
        changed |= ImGui::SliderInt(st.t(Ui::Level), &h.level, 1, 4);
    if (h.neighbours == kBand) {
        ImGui::SetNextItemWidth(200);
        changed |= ImGui::SliderFloat(st.t(Ui::BandM), &h.band_m, 50, 2000, "%.0f");
    }
    // Permutations: the counts pseudo p-values usually take (a p of 0.001 needs 999).
    static constexpr int kPermutations[] = {0, 99, 199, 499, 999, 4999, 9999};
    char shown[32];
    std::snprintf(shown, sizeof shown, "%d", h.permutations);
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo(st.t(Ui::Permutations), h.permutations > 0 ? shown : st.t(Ui::NormalP))) {
        for (int n : kPermutations) {
            std::snprintf(shown, sizeof shown, "%d", n);
            if (ImGui::Selectable(n > 0 ? shown : st.t(Ui::NormalP), n == h.permutations))
                h.permutations = n, changed = true;
        }
        ImGui::EndCombo();
    }
    ImGui::BeginDisabled(h.permutations == 0);
    ImGui::SetNextItemWidth(200);
    if (ImGui::InputInt(st.t(Ui::Seed), &h.seed)) h.seed = std::max(0, h.seed), changed = true;
    ImGui::EndDisabled();
    changed |= ImGui::Checkbox(st.t(Ui::Fdr), &h.fdr);
    auto value_title = [&](int v) {
        return v == 0 ? st.t(Ui::ValueCounts) : v == 1 ? st.t(Ui::ValuePerHousehold) : h.fields[size_t(v - 2)].c_str();
    };
    ImGui::SetNextItemWidth(200);
    if (ImGui::BeginCombo(st.t(Ui::GiValue), value_title(h.value))) {
        for (int v = 0; v < 2 + int(h.fields.size()); ++v)
            if (ImGui::Selectable(value_title(v), v == h.value)) h.value = v, changed = true;
        ImGui::EndCombo();
    }
    return changed;
}

/** The significant units of the Gi* run, |z| descending; a click zooms the map to one. */
void gi_results(ViewerState& st, HotspotsState& h) {
    if (!h.gi) return;
    const GiAnalysis& a = *h.gi;
    const GiResult& r = a.result;
    ImGui::Separator();
    ImGui::TextDisabled("%s: %zu", st.t(Ui::Significant), h.significant.size());
    if (h.significant.empty()) {
        ImGui::TextDisabled("%s", st.t(Ui::NoneSignificant));
        return;
    }
    const bool mesh = !a.hexagons.empty();
    const float row = ImGui::GetTextLineHeightWithSpacing();
    const float height = row * (float(std::min<size_t>(h.significant.size(), 5)) + 1) + 8;
    const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV |
                                  ImGuiTableFlags_SizingFixedFit;
    if (!ImGui::BeginTable("gi_units", 5, flags, ImVec2(0, height))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(st.t(mesh ? Ui::HexId : Ui::GridId), ImGuiTableColumnFlags_WidthFixed, 96);
    ImGui::TableSetupColumn(st.t(Ui::Name), ImGuiTableColumnFlags_WidthFixed, 96);
    ImGui::TableSetupColumn(st.t(Ui::Class), ImGuiTableColumnFlags_WidthFixed, 66);
    ImGui::TableSetupColumn("z", ImGuiTableColumnFlags_WidthFixed, 40);
    ImGui::TableSetupColumn("p", ImGuiTableColumnFlags_WidthFixed, 56);
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(int(h.significant.size()));
    while (clip.Step())
        for (int k = clip.DisplayStart; k < clip.DisplayEnd; ++k) {
            const size_t i = h.significant[size_t(k)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::PushID(k);
            if (ImGui::Selectable(a.units[i]->grid_id.c_str(), false, ImGuiSelectableFlags_SpanAllColumns))
                zoom_to_unit(st, a, i);
            if (k == 0) {
                const ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
                h.first_row = ImVec2(lo.x + 12, (lo.y + hi.y) / 2);
            }
            ImGui::PopID();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(a.units[i]->name.c_str());
            ImGui::TableNextColumn();
            // The darkest of each side's colours: the pale 90% fills do not read as text.
            const Rgba c = gi_class_rgba(r.cls[i][0] == 'h' ? "hot99" : "cold99");
            ImGui::TextColored(im_color(c), "%s", class_label(st, r.cls[i]).c_str());
            ImGui::TableNextColumn();
            ImGui::Text("%.2f", r.z[i]);
            ImGui::TableNextColumn();
            ImGui::Text("%.4f", r.p[i]);
        }
    ImGui::EndTable();
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
            // Hot beside cold, confidence level by level: the legend stays short above the list.
            const float column = ImGui::GetCursorPosX() + 150;
            for (const char* k : {"hot99", "cold99", "hot95", "cold95", "hot90", "cold90"}) {
                if (k[0] == 'c') ImGui::SameLine(column);
                legend_swatch(gi_class_rgba(k), class_label(st, k).c_str(), n(k));
            }
            legend_swatch(rgba(255, 255, 255), st.t(Ui::NotSignificant), n("ns"));
            if (h.gi && h.gi->without_households > 0)
                ImGui::TextDisabled("%s: %d", st.t(Ui::NoHouseholdUnits), h.gi->without_households);
            break;
        }
        case HotspotMethod::Dbscan:
            legend_swatch(rgba(190, 30, 45), st.t(Ui::Clusters), h.clusters);
            break;
        case HotspotMethod::FourColour: {
            auto n = [&](const char* k) { return h.classes.count(k) ? h.classes.at(k) : 0; };
            legend_swatch(warning_color("red"), st.t(Ui::Red), n("red"));
            legend_swatch(warning_color("yellow"), st.t(Ui::Yellow), n("yellow"));
            legend_swatch(warning_color("blue"), st.t(Ui::Blue), n("blue"));
            legend_swatch(warning_color("green"), st.t(Ui::Green), n("green"));
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
    HotspotsState& h = *st.hotspots;
    // "gi_band=300": the option and its value, as on the command line.
    const size_t eq = what.find('=');
    const std::string key = what.substr(0, eq), arg = eq == std::string::npos ? "" : what.substr(eq + 1);
    const double v = std::strtod(arg.c_str(), nullptr);
    if (key == "hotspots_next")
        h.method = HotspotMethod((int(h.method) + 1) % 4);
    else if (key == "hotspots_gi")
        h.method = HotspotMethod::GiStar;
    else if (key == "gi_queen")
        h.neighbours = kQueen;
    else if (key == "gi_band")
        h.neighbours = kBand, h.band_m = float(v);
    else if (key == "gi_hex")
        h.neighbours = kHex, h.hex_m = float(v);
    else if (key == "gi_level")
        h.level = int(v);
    else if (key == "gi_perm")
        h.permutations = std::max(0, int(v));
    else if (key == "gi_seed")
        h.seed = std::max(0, int(v));
    else if (key == "gi_fdr")
        h.fdr = arg != "0";
    else if (key == "gi_per")
        h.value = arg == "households" ? 1 : 0;
    else if (key == "gi_value") {
        const auto it = std::find(h.fields.begin(), h.fields.end(), arg);
        h.value = it == h.fields.end() ? 0 : 2 + int(it - h.fields.begin());
    } else
        return;
    // Scripted: the next event sees the result, as if the user had waited for it.
    recompute(st, h);
    collect_gi(st, h, true);
    h.dirty = false;
}

std::string hotspots_summary(ViewerState& st) {
    if (!st.hotspots) return "hotspots: off";
    HotspotsState& h = *st.hotspots;
    collect_gi(st, h, true);
    static constexpr const char* kMethods[] = {"kde", "gi", "dbscan", "warning"};
    std::string s = std::string("hotspots: ") + kMethods[int(h.method)];
    char buf[160];
    if (h.gi) {
        std::snprintf(buf, sizeof buf, " units %zu", h.gi->units.size());
        s += buf;
    }
    std::snprintf(buf, sizeof buf, " incidents %zu", h.incidents);
    s += buf;
    for (const char* k : {"hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "ns", "red", "yellow", "blue",
                          "green"})
        if (h.classes.count(k)) s += " " + std::string(k) + " " + std::to_string(h.classes.at(k));
    if (!h.error.empty()) s += "\nhotspots error: " + h.error;
    if (h.gi && !h.significant.empty()) {
        const size_t i = h.significant.front();
        std::snprintf(buf, sizeof buf, "\nhotspots first: %s z %.4f p %.4f", h.gi->units[i]->grid_id.c_str(),
                      h.gi->result.z[i], h.gi->result.p[i]);
        s += buf;
        if (h.first_row) {
            std::snprintf(buf, sizeof buf, " row at %.0f,%.0f", h.first_row->x, h.first_row->y);
            s += buf;
        }
    }
    std::snprintf(buf, sizeof buf, "\nview: %.3f %.3f mpp %.5f", st.view.center.x, st.view.center.y, st.view.mpp);
    return s + buf;
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
    // Under the inspector: Gi*'s options and its list need the height.
    ImGui::SetNextWindowPos(ImVec2(float(st.view.width) - 470, 120), ImGuiCond_FirstUseEver);
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
        case HotspotMethod::GiStar:
            changed |= gi_options(st, h);
            break;
        case HotspotMethod::FourColour:
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
    collect_gi(st, h, false);
    ImGui::Text("%s: %zu", st.t(Ui::IncidentsIn), h.incidents);
    if (h.running.valid()) {
        ImGui::SameLine();
        ImGui::TextDisabled("%s", st.t(Ui::Computing));
    }
    if (!h.error.empty()) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", h.error.c_str());
    legend(st, h);
    if (h.method == HotspotMethod::GiStar) gi_results(st, h);
    ImGui::End();
}

}  // namespace gw::app
