// The layer panel: visibility, drawing order and opacity of every layer, each layer's style
// (colour, line width, point size; shader uniforms, so nothing is re-uploaded), and the
// choropleth's statistic and grid level. The basemap layer stays at the bottom.
#include <imgui.h>

#include <algorithm>
#include <string>

#include "app/viewer/viewer.h"
#include "geo/core/error.h"
#include "geo/core/text.h"

namespace gw::app {
namespace {

size_t feature_count(const Dataset& ds, LayerId id) {
    switch (id) {
        case LayerId::Choropleth:
        case LayerId::Grids:
            return ds.grids.size();
        case LayerId::Enterprises:
            return ds.enterprises.size();
        case LayerId::Buildings:
            return ds.buildings.size();
        case LayerId::Roads:
            return ds.roads.size();
        case LayerId::CameraViews:
        case LayerId::Cameras:
            return ds.cameras.size();
        case LayerId::Households:
            return ds.households.size();
        case LayerId::Incidents:
            return ds.incidents.size();
        case LayerId::Facilities:
            return ds.facilities.size();
        case LayerId::Candidates:
            return ds.candidates.size();
        case LayerId::Checks:
            return ds.checks.size();
        case LayerId::Patrols:
            return ds.patrols.size();
        default:
            return 0;
    }
}

/** Features of a layer; analysis layers count what their panel drew. */
size_t layer_count(const ViewerState& st, const SceneLayer& L) {
    const LayerId id = L.id;
    if (id == LayerId::Other)
        return L.other >= 0 && size_t(L.other) < st.ds.other_layers.size() ? st.ds.other_layers[size_t(L.other)].size()
                                                                             : 0;
    if (id == LayerId::Coverage && st.workbench) return st.workbench->report().cells.size();
    if (id == LayerId::Gaps && st.workbench) return st.workbench->report().gaps.size();
    if (id == LayerId::Coverage || id == LayerId::Gaps) return 0;
    if (id == LayerId::Basemap) {
        for (const auto& L : st.scene.layers)
            if (L.id == id) return L.images.size();
        return 0;
    }
    return feature_count(st.ds, id);
}

const char* stat_title(ChoroplethStat s, Lang lang) {
    switch (s) {
        case ChoroplethStat::Households:
            return tr(Ui::StatHouseholds, lang);
        case ChoroplethStat::People:
            return tr(Ui::StatPeople, lang);
        case ChoroplethStat::Cameras:
            return tr(Ui::StatCameras, lang);
        case ChoroplethStat::CamerasOffline:
            return tr(Ui::StatCamerasOffline, lang);
        default:
            return tr(Ui::StatIncidents, lang);
    }
}

void choropleth_options(ViewerState& st) {
    ChoroplethStat stat = st.scene.choropleth_stat;
    int level = st.scene.choropleth_level;
    ImGui::Indent();
    ImGui::SetNextItemWidth(140);
    if (ImGui::BeginCombo(st.t(Ui::Statistic), stat_title(stat, st.lang))) {
        for (int i = 0; i < int(ChoroplethStat::Count); ++i)
            if (ImGui::Selectable(stat_title(ChoroplethStat(i), st.lang), int(stat) == i))
                stat = ChoroplethStat(i);
        ImGui::EndCombo();
    }
    ImGui::SetNextItemWidth(140);
    ImGui::SliderInt(st.t(Ui::Level), &level, 1, 4);
    if (!st.choropleth_built || stat != st.scene.choropleth_stat || level != st.scene.choropleth_level) {
        st.choropleth_built = true;  // tried once per choice, whatever comes of it
        st.scene.choropleth_stat = stat, st.scene.choropleth_level = level;
        try {
            build_choropleth(st.scene, st.ds, stat, level);
            st.choropleth_error.clear();
        } catch (const Error& e) {  // cells of the level that cannot be told apart: said, not drawn
            st.choropleth_error = without_secrets(e.what());
        }
    }
    if (!st.choropleth_error.empty()) ImGui::TextWrapped("%s", st.choropleth_error.c_str());
    const auto& br = st.scene.choropleth_breaks;
    if (!br.empty())
        ImGui::TextDisabled("≤ %.0f / %.0f / %.0f / %.0f / %.0f", br[0], br[1], br[2], br[3], br[4]);
    ImGui::Unindent();
}

/** A layer's style editor (colour, line width, point size, live), in the popup of its swatch. */
void style_options(ViewerState& st, SceneLayer& L) {
    LayerStyle& s = L.style;
    ImGui::TextUnformatted(layer_title(st, L).c_str());
    ImGui::Separator();
    const Rgba c = s.recolor ? s.color : layer_color(L);
    float col[4] = {(c & 255) / 255.f, (c >> 8 & 255) / 255.f, (c >> 16 & 255) / 255.f, (c >> 24 & 255) / 255.f};
    ImGui::Checkbox(st.t(Ui::UseColour), &s.recolor);
    ImGui::SameLine();
    if (ImGui::ColorEdit4(st.t(Ui::Colour), col, ImGuiColorEditFlags_NoInputs | ImGuiColorEditFlags_AlphaBar)) {
        auto byte = [](float v) { return unsigned(std::clamp(v, 0.f, 1.f) * 255.f + 0.5f); };
        s.color = rgba(byte(col[0]), byte(col[1]), byte(col[2]), byte(col[3]));
        s.recolor = true;
    } else if (!s.recolor) {
        s.color = c;  // the checkbox alone starts from the layer's own colour
    }
    if (!L.lines.empty()) {
        ImGui::SetNextItemWidth(140);
        ImGui::SliderFloat(st.t(Ui::LineWidth), &s.line_width, 0.25f, 5.f, "%.2f");
    }
    if (!L.points.empty()) {
        ImGui::SetNextItemWidth(140);
        ImGui::SliderFloat(st.t(Ui::PointSize), &s.point_size, 0.25f, 5.f, "%.2f");
    }
    if (ImGui::SmallButton(st.t(Ui::ResetStyle))) s = LayerStyle{};
}

/**
 * The legend symbol of a source layer no role uses, by what it holds: a filled outlined square for
 * polygons, a stroke for lines, a dot for points (side by side when it mixes them), in the colours
 * the map draws it (the user's colour once restyled).
 */
void geometry_symbol(const ViewerState& st, const SceneLayer& L) {
    if (L.other < 0 || size_t(L.other) >= st.ds.other_layers.size()) return;
    const GeometryKinds k = geometry_kinds(st.ds.other_layers[size_t(L.other)]);
    OtherLayerStyle s = other_layer_style(size_t(L.other));
    if (L.style.recolor)
        s.fill = with_alpha(L.style.color, (L.style.color >> 24) * 56 / 255), s.outline = s.line = s.point = L.style.color;
    const float h = ImGui::GetFrameHeight(), pad = h * 0.2f;
    const int n = int(k.polygons) + int(k.lines) + int(k.points);
    const ImVec2 at = ImGui::GetCursorScreenPos();
    ImGui::Dummy(ImVec2(h * std::max(n, 1), h));
    ImDrawList* dl = ImGui::GetWindowDrawList();
    auto c = [](Rgba v) { return ImU32(v); };  // the same byte order as IM_COL32
    float x = at.x;
    if (k.polygons) {
        dl->AddRectFilled(ImVec2(x + pad, at.y + pad), ImVec2(x + h - pad, at.y + h - pad),
                          c(with_alpha(s.fill, std::max(96u, s.fill >> 24))));
        dl->AddRect(ImVec2(x + pad, at.y + pad), ImVec2(x + h - pad, at.y + h - pad), c(s.outline), 0, 0, s.outline_px);
        x += h;
    }
    if (k.lines) {
        dl->AddBezierCubic(ImVec2(x + pad, at.y + h - pad), ImVec2(x + h * 0.45f, at.y + pad),
                           ImVec2(x + h * 0.55f, at.y + h - pad), ImVec2(x + h - pad, at.y + pad), c(s.line),
                           s.line_px + 0.5f);
        x += h;
    }
    if (k.points) dl->AddCircleFilled(ImVec2(x + h / 2, at.y + h / 2), h * 0.22f, c(s.point), 16);
}

/** `text`, cut at a character with "…" added, to fit `width` pixels in the current font. */
std::string fit_text(const std::string& text, float width) {
    return cut_to_width(ImGui::GetFont(), ImGui::GetFontSize(), width, text);
}

/** Whether a layer has vector features whose style can be edited. */
bool styleable(const SceneLayer& L) {
    return L.id != LayerId::Basemap && L.id != LayerId::Hotspots &&
           (!L.fills.empty() || !L.lines.empty() || !L.points.empty());
}

}  // namespace

void panel_layers(ViewerState& st) {
    ImGui::SetNextWindowPos(ImVec2(10, 34), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(380, 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(st.t(Ui::Layers))) {
        ImGui::End();
        return;
    }
    auto& layers = st.scene.layers;
    // Listed top-most first, as every GIS does; the scene stores them bottom first.
    int move_from = -1, move_to = -1;
    for (int i = int(layers.size()) - 1; i >= 0; --i) {
        SceneLayer& L = layers[size_t(i)];
        // By key: the source layers no role uses share one LayerId.
        ImGui::PushID(L.key.c_str());
        ImGui::Checkbox("##visible", &L.visible);
        ImGui::SameLine();
        if (L.id == LayerId::Other) {
            geometry_symbol(st, L);  // its legend entry: the map has no fixed legend for it
            ImGui::SameLine();
        }
        // Right-aligned controls: style swatch, opacity, then the two order arrows.
        const float arrow = ImGui::GetFrameHeight();
        const float controls_x = ImGui::GetWindowContentRegionMax().x - 64 - 3 * arrow -
                                 3 * ImGui::GetStyle().ItemSpacing.x;
        if (L.id == LayerId::Hotspots || L.id == LayerId::Plan || L.id == LayerId::CheckCells ||
            L.id == LayerId::Daily || L.id == LayerId::DailyTracks) {
            ImGui::TextUnformatted(layer_title(L.id, st.lang));  // what they hold is in their panel
        } else {
            // A source's own layer names can be long: cut to the room left of the controls, whole
            // in the tooltip.
            const std::string count = " (" + std::to_string(layer_count(st, L)) + ")";
            const float room = controls_x - ImGui::GetCursorPosX() - ImGui::GetStyle().ItemSpacing.x;
            if (L.id == LayerId::Other) {
                // Name and count first; the note greyed after them, cut first when room runs out.
                const std::string name =
                    L.other >= 0 && size_t(L.other) < st.ds.other_layers.size() ? st.ds.other_layers[size_t(L.other)].name : L.key;
                const std::string main = fit_text(name + count, room);
                ImGui::TextUnformatted(main.c_str());
                const bool hovered = ImGui::IsItemHovered();
                const float left = room - ImGui::CalcTextSize(main.c_str()).x - ImGui::GetStyle().ItemSpacing.x;
                const std::string note = fit_text(st.t(Ui::NotRecognised), left);
                if (left > ImGui::CalcTextSize("…").x && note != "…") {
                    ImGui::SameLine();
                    ImGui::TextDisabled("%s", note.c_str());
                }
                if (hovered || ImGui::IsItemHovered())
                    ImGui::SetTooltip("%s%s\n%s", layer_title(st, L).c_str(), count.c_str(), st.t(Ui::NotRecognisedHint));
            } else {
                ImGui::TextUnformatted(fit_text(layer_title(st, L) + count, room).c_str());
            }
        }
        ImGui::SameLine(controls_x);
        if (styleable(L)) {
            const Rgba c = L.style.recolor ? L.style.color : layer_color(L);
            const ImVec4 swatch((c & 255) / 255.f, (c >> 8 & 255) / 255.f, (c >> 16 & 255) / 255.f,
                                (c >> 24 & 255) / 255.f);
            if (ImGui::ColorButton("##style", swatch, ImGuiColorEditFlags_AlphaPreviewHalf, ImVec2(arrow, arrow)))
                ImGui::OpenPopup("style");
            if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", st.t(Ui::Style));
            if (ImGui::BeginPopup("style")) {
                style_options(st, L);
                ImGui::EndPopup();
            }
        } else {
            ImGui::Dummy(ImVec2(arrow, arrow));
        }
        ImGui::SameLine();
        ImGui::SetNextItemWidth(64);
        ImGui::SliderFloat("##opacity", &L.opacity, 0, 1, "%.1f");
        if (ImGui::IsItemHovered()) ImGui::SetTooltip("%s", st.t(Ui::Opacity));
        ImGui::SameLine();
        // The basemap stays under everything: it has no arrows and nothing moves below it.
        const bool basemap = L.id == LayerId::Basemap;
        ImGui::BeginDisabled(basemap);
        if (ImGui::ArrowButton("##up", ImGuiDir_Up) && i + 1 < int(layers.size()))
            move_from = i, move_to = i + 1;
        ImGui::SameLine();
        if (ImGui::ArrowButton("##down", ImGuiDir_Down) && i > 0 && layers[size_t(i - 1)].id != LayerId::Basemap)
            move_from = i, move_to = i - 1;
        ImGui::EndDisabled();
        if (L.id == LayerId::Choropleth && L.visible) choropleth_options(st);
        ImGui::PopID();
    }
    if (move_from >= 0) std::swap(layers[size_t(move_from)], layers[size_t(move_to)]);
    ImGui::Separator();
    ImGui::Checkbox(st.t(Ui::Labels), &st.labels_on);
    ImGui::End();
}

}  // namespace gw::app
