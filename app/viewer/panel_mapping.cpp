// The mapping dialog (这一层是什么？/ What is this layer?, SPEC §3 "Names users bring"): a layer
// no role uses is given a role, each field of the role a source field (the combos show a few of
// each field's values), and status or incident type values their contract values. Apply writes
// the role into the project file's "mapping" (geo/io/project.h), reopens the dataset through the
// same path the viewer opened it, and the map and the analyses follow the new dataset.
#include <imgui.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>

#include "app/viewer/viewer.h"
#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/io/dataset.h"
#include "geo/io/layer_samples.h"
#include "geo/io/names.h"
#include "geo/io/project.h"

namespace gw::app {

struct MappingState {
    std::string layer, source;  // the chosen layer, by its source name and source
    std::string role;
    std::map<std::string, std::string> fields;                               // contract → source field
    std::map<std::string, std::map<std::string, std::string>> values;        // contract field → (source → contract value)
    std::map<std::string, std::vector<std::string>> samples;                 // source field → first values
    std::map<std::string, std::pair<std::vector<std::string>, bool>> distinct;  // source field → values, more
    std::string error, done;
};

namespace {

namespace fs = std::filesystem;

/** The fields of a role besides the required ones (SPEC §3's table), offered when the layer has them. */
const std::vector<std::string>& optional_fields(const std::string& role) {
    static const std::map<std::string, std::vector<std::string>> m = {
        {"grids", {"name", "manager", "phone"}},
        {"households", {"hh_id", "grid_id", "head", "members", "tags", "phone"}},
        {"cameras", {"cam_id", "owner", "height", "resolution_px", "status"}},
        {"enterprises", {"ent_id", "name", "industry", "employees", "paired_grid"}},
        {"roads", {"name", "class"}},
        {"buildings", {"height"}},
        {"incidents", {"inc_id", "type", "time", "color", "settled_at"}},
        {"facilities", {"name", "kind"}},
        {"candidates", {"site_id"}},
        {"checks", {"check_id", "grid_id", "reporter", "time", "kind", "people", "note"}},
        {"patrols", {"track_id", "team", "start", "end", "time"}}};
    static const std::vector<std::string> none;
    const auto it = m.find(role);
    return it == m.end() ? none : it->second;
}

/** The contract values a field's source values are mapped onto; empty when they are kept as read. */
const std::vector<std::string>& value_targets(const std::string& role, const std::string& field) {
    static const std::vector<std::string> status = {"online", "offline"},
                                          type = {"dispute", "fire", "traffic", "theft", "fraud", "other"},
                                          team = {"patrol", "joint", "grid", "video"}, none;
    if (role == "cameras" && field == "status") return status;
    if (role == "checks" && field == "kind") return check_kinds();
    if (role == "patrols" && field == "team") return team;
    if (role == "incidents" && field == "type") return type;
    return none;
}

const char* role_title(const std::string& role, Lang lang) {
    static const std::map<std::string, Ui> m = {
        {"grids", Ui::LayerGrids},         {"households", Ui::LayerHouseholds}, {"cameras", Ui::LayerCameras},
        {"enterprises", Ui::LayerEnterprises}, {"roads", Ui::LayerRoads},       {"buildings", Ui::LayerBuildings},
        {"incidents", Ui::LayerIncidents}, {"facilities", Ui::LayerFacilities}, {"candidates", Ui::LayerCandidates},
        {"checks", Ui::LayerChecks},       {"patrols", Ui::LayerPatrols}};
    const auto it = m.find(role);
    return it == m.end() ? role.c_str() : tr(it->second, lang);
}

/** "方位角 azimuth" in Chinese, "azimuth" in English. */
std::string field_title(const std::string& field, Lang lang) {
    const auto& zh = chinese_field_names(field);
    return lang == Lang::Zh && !zh.empty() ? zh.front() + " " + field : field;
}

const LayerInfo* find_layer(const ViewerState& st, const std::string& source_name) {
    for (const auto& l : st.ds.layers)
        if (l.source_name == source_name && l.recognised_by.empty()) return &l;
    return nullptr;
}

std::vector<const LayerInfo*> unrecognised(const ViewerState& st) {
    std::vector<const LayerInfo*> out;
    for (const auto& l : st.ds.layers)
        if (l.recognised_by.empty()) out.push_back(&l);
    return out;
}

/** The layer's field that carries `want`'s contract or Chinese name, "" when none. */
std::string matching_field(const LayerInfo& layer, const std::string& want) {
    for (const auto& f : layer.source_fields) {
        if (field_name_matches(f, want)) return f;
        for (const auto& zh : chinese_field_names(want))
            if (field_name_matches(f, zh)) return f;
    }
    return {};
}

/** Reads the distinct values of a source field once, and proposes their contract values. */
void load_values(ViewerState& st, MappingState& ms, const std::string& field) {
    const auto& targets = value_targets(ms.role, field);
    const auto f = ms.fields.find(field);
    if (targets.empty() || f == ms.fields.end() || f->second.empty()) return;
    auto it = ms.distinct.find(f->second);
    if (it == ms.distinct.end()) {
        bool more = false;
        try {
            auto v = distinct_field_values(ms.source, ms.layer, f->second, 20, &more);
            for (const auto& s : v) st.need_glyphs(s);
            it = ms.distinct.emplace(f->second, std::make_pair(std::move(v), more)).first;
        } catch (const Error& e) {
            ms.error = without_secrets(e.what());
            return;
        }
    }
    auto& chosen = ms.values[field];
    for (const auto& v : it->second.first) {
        if (chosen.count(v)) continue;
        const std::string lower = ascii_lower(v);
        if (auto zh = chinese_value(field, v))
            chosen[v] = *zh;
        else if (std::find(targets.begin(), targets.end(), lower) != targets.end())
            chosen[v] = lower;
        else
            chosen[v] = "";
    }
}

void choose_role(ViewerState& st, MappingState& ms, const LayerInfo& layer, const std::string& role) {
    ms.role = role;
    ms.fields.clear();
    ms.values.clear();
    for (const auto* list : {&required_fields(role), &optional_fields(role)})
        for (const auto& f : *list) {
            st.need_glyphs(field_title(f, Lang::Zh));
            ms.fields[f] = matching_field(layer, f);
            load_values(st, ms, f);
        }
}

void choose_layer(ViewerState& st, MappingState& ms, const LayerInfo& layer) {
    ms = MappingState{};
    ms.layer = layer.source_name;
    ms.source = layer.source;
    try {
        ms.samples = sample_field_values(layer.source, layer.source_name);
    } catch (const Error& e) {
        ms.error = without_secrets(e.what());
    }
    for (const auto& [field, values] : ms.samples)
        for (const auto& v : values) st.need_glyphs(v);
    choose_role(st, ms, layer, suggest_role(layer, st.ds.layers).first);
}

MappingState& state(ViewerState& st) {
    if (!st.mapping) st.mapping = std::make_shared<MappingState>();
    MappingState& ms = *st.mapping;
    // The first layer left to assign is chosen when none is, or when the chosen one was assigned.
    if (ms.layer.empty() || !find_layer(st, ms.layer)) {
        const auto left = unrecognised(st);
        if (!left.empty()) {
            std::string done = ms.done;
            choose_layer(st, ms, *left.front());
            ms.done = done;
        } else if (!ms.layer.empty()) {
            const std::string done = ms.done;
            ms = MappingState{};
            ms.done = done;
        }
    }
    return ms;
}

/** The project file's mapping with this role added, saved; the dataset reopened through it. */
void apply(ViewerState& st, MappingState& ms) {
    ms.error.clear(), ms.done.clear();
    std::string missing;
    for (const auto& f : required_fields(ms.role))
        if (ms.fields[f].empty()) missing += (missing.empty() ? "" : ", ") + field_title(f, st.lang);
    if (ms.role.empty() || !missing.empty()) {
        ms.error = std::string(st.t(Ui::ChooseField)) + (ms.role.empty() ? st.t(Ui::Role) : missing);
        return;
    }
    RoleMapping r;
    r.layer = ms.layer;
    for (const auto& [want, have] : ms.fields)
        if (!have.empty()) r.fields[want] = have;
    for (const auto& [field, values] : ms.values) {
        if (!r.fields.count(field)) continue;
        for (const auto& [from, to] : values)
            if (!to.empty()) r.values[field][from] = to;
    }
    const std::string path = project_path_for(st.ds.source);
    try {
        // Scenes and warning thresholds already in the file stay as they are.
        const bool existed = fs::exists(path);
        const Project before = existed ? load_project(path) : Project{};
        Project p = before;
        p.mapping[ms.role] = r;
        save_project(p, path);
        try {
            Dataset ds = st.reopen ? st.reopen() : open_dataset({st.ds.source});
            replace_dataset(st, std::move(ds));
        } catch (const Error&) {
            // A mapping the dataset cannot be read with is not left in the file.
            if (existed)
                save_project(before, path);
            else
                fs::remove(path);
            throw;
        }
    } catch (const Error& e) {
        ms.error = without_secrets(e.what());
        return;
    }
    size_t n = 0;
    for (const auto& l : st.ds.layers)
        if (l.source_name == r.layer && !l.recognised_by.empty() && l.count >= 0) n = size_t(l.count);  // -1: not read (PG)
    // Cameras read with values no analysis can use (a text field as azimuth, status values left
    // unmapped) show here at once, not as an empty coverage later.
    char usable[96] = "";
    if (ms.role == "cameras")
        std::snprintf(usable, sizeof usable, ", %s %zu", st.t(Ui::UsableCameras), st.ds.usable_cameras().size());
    char line[512];
    std::snprintf(line, sizeof line, "%s%s ← %s (%zu%s), %s", st.t(Ui::MappingSaved), ms.role.c_str(), r.layer.c_str(),
                  n, usable, path.c_str());
    const std::string done = line;
    ms = MappingState{};
    ms.done = done;
}

/** A combo of the layer's fields, each with its first values; "" is "not used". */
void field_combo(ViewerState& st, MappingState& ms, const LayerInfo& layer, const std::string& field) {
    std::string& chosen = ms.fields[field];
    auto label = [&](const std::string& f) {
        if (f.empty()) return std::string(st.t(Ui::NotUsed));
        std::string s = f + "    ";
        const auto it = ms.samples.find(f);
        if (it != ms.samples.end())
            for (size_t i = 0; i < it->second.size(); ++i) s += (i ? " · " : "") + it->second[i];
        return s;
    };
    const std::string id = field_title(field, st.lang) + "##" + field;
    ImGui::SetNextItemWidth(300);
    if (ImGui::BeginCombo(id.c_str(), label(chosen).c_str())) {
        if (ImGui::Selectable(st.t(Ui::NotUsed), chosen.empty())) chosen.clear();
        for (const auto& f : layer.source_fields)
            if (ImGui::Selectable(label(f).c_str(), f == chosen)) {
                chosen = f;
                ms.values.erase(field);
                load_values(st, ms, field);
            }
        ImGui::EndCombo();
    }
}

void value_table(ViewerState& st, MappingState& ms, const std::string& field) {
    const auto& targets = value_targets(ms.role, field);
    const auto src = ms.fields.find(field);
    if (targets.empty() || src == ms.fields.end() || src->second.empty()) return;
    const auto d = ms.distinct.find(src->second);
    if (d == ms.distinct.end()) return;
    ImGui::Text("%s: %s", st.t(Ui::ValueMapping), field_title(field, st.lang).c_str());
    const std::string table = "values_" + field;
    if (ImGui::BeginTable(table.c_str(), 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        ImGui::TableSetupColumn(st.t(Ui::SourceValue));
        ImGui::TableSetupColumn(field.c_str());
        ImGui::TableHeadersRow();
        for (const auto& v : d->second.first) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(v.c_str());
            ImGui::TableNextColumn();
            std::string& to = ms.values[field][v];
            const std::string id = "##" + field + "=" + v;
            ImGui::SetNextItemWidth(160);
            if (ImGui::BeginCombo(id.c_str(), to.empty() ? st.t(Ui::NotUsed) : to.c_str())) {
                if (ImGui::Selectable(st.t(Ui::NotUsed), to.empty())) to.clear();
                for (const auto& t : targets)
                    if (ImGui::Selectable(t.c_str(), t == to)) to = t;
                ImGui::EndCombo();
            }
        }
        ImGui::EndTable();
    }
    if (d->second.second) ImGui::TextDisabled("%s", st.t(Ui::MoreValues));
}

/** A small note over the bottom left of the map while layers are left unassigned. */
void hint(ViewerState& st) {
    if (st.show_mapping || st.mapping_hint_closed) return;
    const size_t n = unrecognised(st).size();
    if (n == 0) return;
    // Bottom middle of the map, clear of the layer and search panels on the left.
    const float x = float(st.view.width) / 2 + (st.view.width >= 1100 ? 195 : 0);
    ImGui::SetNextWindowPos(ImVec2(x, float(st.view.height) - 44), ImGuiCond_Always, ImVec2(0.5f, 1));
    const ImGuiWindowFlags flags = ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoFocusOnAppearing |
                                   ImGuiWindowFlags_NoNav;
    if (ImGui::Begin("##mapping_hint", nullptr, flags)) {
        ImGui::Text("%zu %s", n, st.t(Ui::UnrecognisedLayers));
        ImGui::SameLine();
        if (ImGui::SmallButton(st.t(Ui::AssignLayers))) st.show_mapping = true;
        ImGui::SameLine();
        if (ImGui::SmallButton(st.t(Ui::Dismiss))) st.mapping_hint_closed = true;
    }
    ImGui::End();
}

}  // namespace

void mapping_action(ViewerState& st, const std::string& what) {
    st.show_mapping = true;
    MappingState& ms = state(st);
    const auto eq = what.find('=');
    const std::string verb = what.substr(0, eq), arg = eq == std::string::npos ? "" : what.substr(eq + 1);
    if (verb == "map_layer") {
        if (const LayerInfo* l = find_layer(st, arg))
            choose_layer(st, ms, *l);
        else
            ms.error = "no unrecognised layer '" + arg + "'";
    } else if (verb == "map_role") {
        if (const LayerInfo* l = find_layer(st, ms.layer)) choose_role(st, ms, *l, arg);
    } else if (verb == "map_field") {
        const auto e = arg.find('=');
        const std::string field = arg.substr(0, e), src = e == std::string::npos ? "" : arg.substr(e + 1);
        ms.fields[field] = src;
        ms.values.erase(field);
        load_values(st, ms, field);
    } else if (verb == "map_value") {
        const auto a = arg.find('='), b = arg.rfind('=');
        if (a != std::string::npos && b > a) ms.values[arg.substr(0, a)][arg.substr(a + 1, b - a - 1)] = arg.substr(b + 1);
    } else if (verb == "map_apply") {
        apply(st, ms);
        // Scripted runs (tests) read the outcome on stdout.
        std::printf("mapping: %s\n", ms.error.empty() ? ms.done.c_str() : ms.error.c_str());
    }
}

void panel_mapping(ViewerState& st) {
    hint(st);
    if (!st.show_mapping) return;
    MappingState& ms = state(st);
    ImGui::SetNextWindowPos(ImVec2(400, 60), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_FirstUseEver);
    const std::string title = std::string(st.t(Ui::MappingPanel)) + "###mapping";
    if (!ImGui::Begin(title.c_str(), &st.show_mapping, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    if (!ms.done.empty()) ImGui::TextColored(ImVec4(0.1f, 0.5f, 0.2f, 1), "%s", ms.done.c_str());
    const LayerInfo* layer = find_layer(st, ms.layer);
    if (!layer) {
        ImGui::TextUnformatted(st.t(Ui::AllRecognised));
        ImGui::End();
        return;
    }
    ImGui::SetNextItemWidth(300);
    if (ImGui::BeginCombo(st.t(Ui::SourceLayer), ms.layer.c_str())) {
        for (const LayerInfo* l : unrecognised(st)) {
            const std::string item = l->source_name + "  (" + l->geometry + ", " + std::to_string(l->count) + ")";
            if (ImGui::Selectable(item.c_str(), l->source_name == ms.layer)) {
                choose_layer(st, ms, *l);
                layer = find_layer(st, ms.layer);
            }
        }
        ImGui::EndCombo();
    }
    ImGui::SetNextItemWidth(300);
    if (ImGui::BeginCombo(st.t(Ui::Role), ms.role.empty() ? "" : role_title(ms.role, st.lang))) {
        for (const auto& r : roles_for_geometry(layer->geometry))
            if (ImGui::Selectable(role_title(r, st.lang), r == ms.role)) choose_role(st, ms, *layer, r);
        ImGui::EndCombo();
    }
    if (!ms.role.empty()) {
        ImGui::Separator();
        ImGui::TextDisabled("%s", st.t(Ui::RequiredFields));
        for (const auto& f : required_fields(ms.role)) field_combo(st, ms, *layer, f);
        if (!optional_fields(ms.role).empty() &&
            ImGui::TreeNodeEx(st.t(Ui::OptionalFields), ImGuiTreeNodeFlags_DefaultOpen)) {
            for (const auto& f : optional_fields(ms.role)) field_combo(st, ms, *layer, f);
            ImGui::TreePop();
        }
        for (const auto& f : optional_fields(ms.role)) value_table(st, ms, f);
    }
    if (!ms.error.empty()) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", ms.error.c_str());
    if (ImGui::Button(st.t(Ui::Apply))) apply(st, ms);
    ImGui::End();
}

}  // namespace gw::app
