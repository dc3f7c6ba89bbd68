// The coverage panel (SPEC §5.2, §6): per-cell coverage of a grid level, sortable, the gaps
// largest first, click a row to zoom; on the map the cells filled by coverage, the gaps, and the
// occluded camera views. It also hosts camera editing: add, undo/redo, save.
//
// The figures come from the same gw::LiveCoverage engine `gridwatch coverage` runs (through
// CameraWorkbench), so a drag on the map and the command line agree to the square metre.
#include <imgui.h>

#include <algorithm>
#include <cstdio>

#include "app/viewer/viewer.h"
#include "geo/core/error.h"
#include "geo/core/text.h"

namespace gw::app {

std::optional<Selection> find_cell(const Dataset& ds, const std::string& grid_id, int level) {
    for (size_t i = 0; i < ds.grids.size(); ++i)
        if (ds.grids[i].level == level && ds.grids[i].grid_id == grid_id) return Selection{LayerId::Grids, i};
    return std::nullopt;
}

namespace {

/**
 * Rebuilds the camera, coverage and gap layers when the workbench or the panel's visibility has
 * changed. With the panel closed the map shows plain sectors (edits included) and no coverage.
 */
void sync_map_layers(ViewerState& st) {
    Scene& scene = st.scene;
    const bool live = st.workbench && st.show_coverage;
    const uint64_t key = st.workbench ? st.workbench->revision() * 2 + (live ? 1 : 0) : 0;
    if (key == st.workbench_drawn) return;
    st.workbench_drawn = key;
    if (!live) {
        build_camera_layers(scene, st.ds);
        for (auto [id, name] : {std::pair{LayerId::Coverage, "coverage"}, std::pair{LayerId::Gaps, "gaps"}}) {
            SceneLayer& L =
                ensure_layer(scene, id, name, id == LayerId::Gaps ? LayerId::Grids : LayerId::Choropleth);
            L.fills.clear(), L.lines.clear();
            ++L.revision;
        }
        return;
    }
    const CoverageReport& rep = st.workbench->report();
    build_camera_layers(scene, st.ds, &rep.cameras, &rep.views);

    SceneLayer& cov = ensure_layer(scene, LayerId::Coverage, "coverage", LayerId::Choropleth);
    cov.fills.clear(), cov.lines.clear();
    const auto cells = st.ds.grids_of_level(rep.level);
    for (size_t i = 0; i < cells.size() && i < rep.cells.size(); ++i)
        add_polygons(cov, scene.origin, cells[i]->shape,
                     with_alpha(coverage_color(rep.cells[i].coverage), 80), 0, 0);
    ++cov.revision;

    SceneLayer& gaps = ensure_layer(scene, LayerId::Gaps, "gaps", LayerId::Grids);
    gaps.fills.clear(), gaps.lines.clear();
    for (const Gap& g : rep.gaps)
        add_polygons(gaps, scene.origin, g.shape, rgba(196, 30, 120, 90), rgba(150, 20, 90), 1.2f, 4);
    ++gaps.revision;
}

void totals(ViewerState& st, const CoverageReport& rep) {
    const CellCoverage& t = rep.total;
    ImGui::Text("%s  %.1f%%   %s  %d / %d", st.t(Ui::CoveragePct), 100 * t.coverage, st.t(Ui::HouseholdsSeen),
                t.households_covered, t.households);
    ImGui::ProgressBar(float(t.coverage), ImVec2(-1, 6), "");
}

void cell_table(ViewerState& st, const CoverageReport& rep) {
    const ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY |
                                  ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable;
    if (!ImGui::BeginTable("cells", 4, flags, ImVec2(0, 190))) return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(st.t(Ui::GridId));
    ImGui::TableSetupColumn(st.t(Ui::Name));
    ImGui::TableSetupColumn(st.t(Ui::CoveragePct),
                            ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_PreferSortAscending);
    ImGui::TableSetupColumn(st.t(Ui::HouseholdsSeen));
    ImGui::TableHeadersRow();

    // Sorted every frame: a level has at most a few hundred cells, and figures change as you drag.
    std::vector<size_t> order(rep.cells.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = i;
    int column = 2;
    bool ascending = true;
    if (const ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsCount > 0) {
        column = specs->Specs[0].ColumnIndex;
        ascending = specs->Specs[0].SortDirection == ImGuiSortDirection_Ascending;
    }
    auto less = [&](size_t a, size_t b) {
        const CellCoverage &x = rep.cells[a], &y = rep.cells[b];
        switch (column) {
            case 0:
                return x.grid_id < y.grid_id;
            case 1:
                return x.name < y.name;
            case 2:
                return x.coverage < y.coverage;
            default:
                return x.households < y.households;
        }
    };
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return ascending ? less(a, b) : less(b, a); });
    for (size_t i : order) {
        const CellCoverage& c = rep.cells[i];
        ImGui::TableNextRow();
        ImGui::TableNextColumn();
        ImGui::PushID(int(i));
        if (ImGui::Selectable(c.grid_id.c_str(), false, ImGuiSelectableFlags_SpanAllColumns))
            if (auto s = find_cell(st.ds, c.grid_id, rep.level)) st.zoom_to(*s);
        ImGui::PopID();
        ImGui::TableNextColumn();
        ImGui::TextUnformatted(c.name.c_str());
        ImGui::TableNextColumn();
        const Rgba col = coverage_color(c.coverage);
        ImGui::TextColored(
            ImVec4((col & 255) / 320.f, (col >> 8 & 255) / 320.f, (col >> 16 & 255) / 320.f, 1), "%5.1f%%",
            100 * c.coverage);
        ImGui::TableNextColumn();
        ImGui::Text("%d / %d", c.households_covered, c.households);
    }
    ImGui::EndTable();
}

void gap_list(ViewerState& st, const CoverageReport& rep) {
    if (!ImGui::BeginTable("gaps", 3,
                           ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY | ImGuiTableFlags_BordersInnerV,
                           ImVec2(0, 150)))
        return;
    ImGui::TableSetupScrollFreeze(0, 1);
    ImGui::TableSetupColumn(st.t(Ui::AreaM2));
    ImGui::TableSetupColumn(st.t(Ui::GridId));
    ImGui::TableSetupColumn(st.t(Ui::NearestRoad));
    ImGui::TableHeadersRow();
    ImGuiListClipper clip;
    clip.Begin(int(rep.gaps.size()));
    while (clip.Step())
        for (int i = clip.DisplayStart; i < clip.DisplayEnd; ++i) {
            const Gap& g = rep.gaps[size_t(i)];
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            char area[32];
            std::snprintf(area, sizeof area, "%.0f##gap%d", g.area_m2, i);
            if (ImGui::Selectable(area, false, ImGuiSelectableFlags_SpanAllColumns))
                st.zoom_to(bounds(g.shape));
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(g.grid_id.c_str());
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(g.road.empty() ? "—" : g.road.c_str());
        }
    ImGui::EndTable();
}

void edit_controls(ViewerState& st) {
    CameraWorkbench& wb = *st.workbench;
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::GetStyleColorVec4(ImGuiCol_TextDisabled));
    ImGui::TextWrapped("%s", st.t(Ui::EditHint));
    ImGui::PopStyleColor();
    if (ImGui::Button(st.t(Ui::AddCamera))) {
        const size_t i = wb.add_camera(st.view.center);
        st.selected = Selection{LayerId::Cameras, i};
    }
    ImGui::SameLine();
    ImGui::BeginDisabled(!wb.can_undo());
    if (ImGui::Button(st.t(Ui::Undo))) wb.undo();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!wb.can_redo());
    if (ImGui::Button(st.t(Ui::Redo))) wb.redo();
    ImGui::EndDisabled();
    ImGui::SameLine();
    ImGui::BeginDisabled(!wb.dirty());
    if (ImGui::Button(st.t(Ui::Save))) save_camera_edits(st);
    ImGui::EndDisabled();
    if (wb.dirty())
        ImGui::TextColored(ImVec4(0.75f, 0.35f, 0.0f, 1), "%s", st.t(Ui::Unsaved));
    else if (!st.message.empty())
        ImGui::TextWrapped("%s", st.message.c_str());
}

}  // namespace

void save_camera_edits(ViewerState& st) {
    if (!st.workbench) return;
    try {
        st.message = st.workbench->save() ? st.t(Ui::Saved) : st.t(Ui::ConflictsPending);
    } catch (const Error& e) {
        st.message =
            without_secrets(e.what());  // the file is as it was: the user can fix the cause and save again
    }
}

void resolve_camera_conflict(ViewerState& st, size_t i, bool keep_mine) {
    if (!st.workbench) return;
    try {
        if (st.workbench->resolve(i, keep_mine))
            st.message = st.t(Ui::Saved);
        else if (!st.workbench->conflicts().empty())
            st.message = st.t(Ui::ConflictsPending);
    } catch (const Error& e) {
        st.message = without_secrets(e.what());
    }
    if (st.selected && st.selected->layer == LayerId::Cameras && st.selected->index >= st.ds.cameras.size())
        st.selected.reset();
}

namespace {

/**
 * The cameras a save on PG: found changed by someone else (SPEC §9): field by field, theirs and
 * mine, and per camera keep mine / take theirs. Nothing is written until each is chosen.
 */
void conflict_window(ViewerState& st) {
    if (!st.workbench || st.workbench->conflicts().empty()) return;
    ImGui::SetNextWindowPos(ImVec2(float(st.view.width) / 2, float(st.view.height) / 2), ImGuiCond_Appearing,
                            ImVec2(0.5f, 0.5f));
    ImGui::SetNextWindowSize(ImVec2(560, 0), ImGuiCond_Appearing);
    ImGui::Begin(st.t(Ui::ConflictTitle), nullptr, ImGuiWindowFlags_NoCollapse);
    ImGui::TextWrapped("%s", st.t(Ui::ConflictIntro));
    const auto conflicts = st.workbench->conflicts();  // a choice below changes the list
    for (size_t i = 0; i < conflicts.size(); ++i) {
        const auto& c = conflicts[i];
        ImGui::PushID(int(i));
        ImGui::Separator();
        if (c.current_version == 0)
            ImGui::Text("%s %s: %s %lld, %s", st.t(Ui::ConflictCamera), c.cam_id.c_str(), st.t(Ui::ConflictRead),
                        static_cast<long long>(c.read_version), st.t(Ui::ConflictGone));
        else
            ImGui::Text("%s %s: %s %lld, %s %lld", st.t(Ui::ConflictCamera), c.cam_id.c_str(), st.t(Ui::ConflictRead),
                        static_cast<long long>(c.read_version), st.t(Ui::ConflictNow),
                        static_cast<long long>(c.current_version));
        if (!c.mine) ImGui::TextUnformatted(st.t(Ui::ConflictDeleted));
        if (!c.fields.empty() && ImGui::BeginTable("fields", 3, ImGuiTableFlags_Borders | ImGuiTableFlags_RowBg)) {
            ImGui::TableSetupColumn(st.t(Ui::Field));
            ImGui::TableSetupColumn(st.t(Ui::Theirs));
            ImGui::TableSetupColumn(st.t(Ui::Mine));
            ImGui::TableHeadersRow();
            for (const auto& f : c.fields) {
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(f.field.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(f.theirs.c_str());
                ImGui::TableNextColumn();
                ImGui::TextUnformatted(f.mine.c_str());
            }
            ImGui::EndTable();
        }
        bool keep = false, take = false;
        keep = ImGui::Button(st.t(Ui::KeepMine));
        ImGui::SameLine();
        take = ImGui::Button(st.t(Ui::TakeTheirs));
        ImGui::PopID();
        if (keep || take) {
            resolve_camera_conflict(st, i, keep);
            break;  // the list changed
        }
    }
    ImGui::End();
}

}  // namespace

std::string coverage_summary(const ViewerState& st) {
    if (!st.workbench) return "coverage: off";
    const CoverageReport& rep = st.workbench->report();
    char line[160];
    std::snprintf(line, sizeof line, "coverage: level %d %.4f%% households %d/%d cameras %zu", rep.level,
                  100 * rep.total.coverage, rep.total.households_covered, rep.total.households,
                  st.ds.cameras.size());
    std::string out = line;
    // Conflicts waiting in the conflict window, as `gridwatch edit` words them (tests read these).
    for (const auto& c : st.workbench->conflicts()) out += "\nconflict: " + c.line();
    return out;
}

void panel_coverage(ViewerState& st) {
    if (st.show_coverage && !st.workbench) {
        try {
            // The finest level the dataset has, as `gridwatch coverage` defaults to level 4.
            int level = 4;
            while (level > 1 && st.ds.grids_of_level(level).empty()) --level;
            st.workbench = std::make_unique<CameraWorkbench>(st.ds, level);
        } catch (const Error& e) {
            st.message = without_secrets(e.what());
            st.show_coverage = false;
        }
    } else if (!st.show_coverage && st.workbench && !st.workbench->dirty()) {
        st.workbench.reset();  // unsaved edits keep the workbench (and their undo) alive
    }
    // A selected camera that vanished with an undo is no longer selected.
    if (st.selected && st.selected->layer == LayerId::Cameras && st.selected->index >= st.ds.cameras.size())
        st.selected.reset();
    conflict_window(st);
    sync_map_layers(st);
    if (!st.show_coverage || !st.workbench) return;
    draw_camera_handles(st);

    ImGui::SetNextWindowPos(ImVec2(float(st.view.width) - 470, 130),
                            ImGuiCond_FirstUseEver);  // under the inspector
    ImGui::SetNextWindowSize(ImVec2(460, 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(st.t(Ui::CoveragePanel), &st.show_coverage)) {
        ImGui::End();
        return;
    }
    CameraWorkbench& wb = *st.workbench;
    int level = wb.level();
    ImGui::SetNextItemWidth(120);
    if (ImGui::SliderInt(st.t(Ui::Level), &level, 1, 4) && level != wb.level() &&
        !st.ds.grids_of_level(level).empty()) {
        try {
            wb.set_level(level);
        } catch (const Error& e) {
            st.message = without_secrets(e.what());
        }
    }
    const CoverageReport& rep = wb.report();
    totals(st, rep);
    if (ImGui::CollapsingHeader(st.t(Ui::Cells), ImGuiTreeNodeFlags_DefaultOpen)) cell_table(st, rep);
    char gaps_title[96];
    std::snprintf(gaps_title, sizeof gaps_title, "%s (%zu)###gaps", st.t(Ui::Gaps), rep.gaps.size());
    if (ImGui::CollapsingHeader(gaps_title, ImGuiTreeNodeFlags_DefaultOpen)) gap_list(st, rep);
    if (ImGui::CollapsingHeader(st.t(Ui::EditCameras), ImGuiTreeNodeFlags_DefaultOpen)) edit_controls(st);
    ImGui::End();
}

}  // namespace gw::app
