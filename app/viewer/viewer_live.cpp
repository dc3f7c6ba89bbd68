// The viewer on the shared store (SPEC §9 "Live"): the listener's changes applied between frames,
// and its state over the map. The listening and reading is geo/store/live's; this only draws.
#include <imgui.h>

#include <climits>

#include "app/viewer/viewer.h"

namespace gw::app {

namespace {

LayerId layer_of(const std::string& table) {
    if (table == "cameras") return LayerId::Cameras;
    if (table == "incidents") return LayerId::Incidents;
    if (table == "checks") return LayerId::Checks;
    if (table == "households") return LayerId::Households;
    return LayerId::Count;
}

}  // namespace

void take_live_changes(ViewerState& st) {
    if (!st.live || !st.live->pending()) return;
    // Unsaved camera edits are the user's: others' camera changes wait until they are saved or
    // undone (saving checks each camera's version, so nothing is overwritten unseen).
    std::set<std::string> hold;
    if (st.workbench && st.workbench->dirty()) hold.insert("cameras");
    // What holds pointers or indices into the rows that change goes first.
    const store::LiveApplied applied = st.live->apply(st.ds, hold);
    if (!applied.any()) return;
    for (const auto& table : applied.tables) {
        const LayerId id = layer_of(table);
        if (st.selected && st.selected->layer == id) {
            size_t n = 0;
            if (id == LayerId::Cameras) n = st.ds.cameras.size();
            if (id == LayerId::Incidents) n = st.ds.incidents.size();
            if (id == LayerId::Checks) n = st.ds.checks.size();
            if (id == LayerId::Households) n = st.ds.households.size();
            // Deletions move the rows after them: the index would name another feature.
            if (applied.removed > 0 || st.selected->index >= n) st.selected.reset();
        }
        if (id == LayerId::Cameras) {
            // The workbench (coverage and undo) is rebuilt on the new cameras when the panel shows;
            // the camera layers are rebuilt by the coverage panel's sync from a mark never drawn.
            st.workbench.reset();
            st.workbench_drawn = UINT64_MAX;
        } else {
            rebuild_point_layer(st.scene, st.ds, id);
        }
        if (id == LayerId::Checks) st.daily.reset();  // its index points into the checks
        if (id == LayerId::Households || id == LayerId::Cameras || id == LayerId::Incidents)
            st.choropleth_built = false;  // the figures per cell changed
    }
    // New names come only with the changed tables (a county's whole text is megabytes).
    for (const auto& table : applied.tables) st.need_glyphs(layer_text(st.ds, table));
}

void live_script_wait(ViewerState& st, const std::string& key) {
    if (st.live) store::wait_live(*st.live, key == "live_wait");
}

std::string live_summary(const ViewerState& st) {
    if (!st.live) return {};
    size_t online = 0;
    for (const auto& c : st.ds.cameras) online += c.online();
    return "live: incidents " + std::to_string(st.ds.incidents.size()) + " checks " + std::to_string(st.ds.checks.size()) +
           " cameras " + std::to_string(online) + "/" + std::to_string(st.ds.cameras.size()) + " households " +
           std::to_string(st.ds.households.size()) + " incidents_drawn " +
           std::to_string(st.scene.layer(LayerId::Incidents).points.size());
}

void draw_live_badge(ViewerState& st) {
    if (!st.live) return;
    const store::LiveStatus s = st.live->status();
    std::string text;
    bool alarm = false;
    if (s.state == store::LiveState::Lost) {
        text = st.t(Ui::LiveLost);
        alarm = true;
    } else if (s.standby && s.lag_s) {
        text = std::string(st.t(Ui::LiveLag)) + " " + store::format_lag(*s.lag_s) + " s";
    }
    if (text.empty()) return;
    ImDrawList* dl = ImGui::GetForegroundDrawList();
    const ImVec2 size = ImGui::CalcTextSize(text.c_str());
    const float pad = 8, right = float(st.view.width) - 16, top = 38;
    const ImVec2 a(right - size.x - 2 * pad, top), b(right, top + size.y + 2 * pad);
    dl->AddRectFilled(a, b, alarm ? IM_COL32(200, 30, 40, 235) : IM_COL32(40, 48, 64, 215), 5);
    dl->AddText(ImVec2(a.x + pad, a.y + pad), IM_COL32(255, 255, 255, 255), text.c_str());
}

}  // namespace gw::app
