// The camera placement panel (SPEC §5.4): K, fov, range, image quality and demand weights; the
// plan runs on a background thread (gw::plan_cameras, as `gridwatch plan` runs it) with a
// progress bar; its picks show on the map as ghost cameras with their gains, the curve of covered
// demand against K below; "accept" adds them as cameras through the coverage panel's undo stack.
#include <imgui.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <future>

#include "app/viewer/viewer.h"
#include "geo/analysis/placement.h"
#include "geo/core/error.h"
#include "geo/core/text.h"

namespace gw::app {

struct PlanState {
    int k = 5;
    float fov = 90, range = 60;
    int quality = 0;  // gw::Quality
    DemandWeights weights;
    // A run in progress: the plan works on its own copy of the dataset, so camera edits made
    // meanwhile cannot race with it.
    std::future<PlacementPlan> running;
    std::shared_ptr<std::atomic<float>> progress;
    std::optional<PlacementPlan> plan;
    PlanOptions used;  // options of the plan shown
    std::string error;
};

namespace {

const char* quality_title(int q, Lang lang) {
    static constexpr Ui names[] = {Ui::QualityAny, Ui::QualityDetect, Ui::QualityObserve,
                                   Ui::QualityRecognise, Ui::QualityIdentify};
    return tr(names[q], lang);
}

Camera ghost_camera(const Pick& p, const PlanOptions& o) {
    Camera c;
    c.pos = p.pos, c.azimuth = p.azimuth, c.fov = o.fov, c.range = o.range;
    c.owner = "public", c.status = "online";
    if (o.quality != Quality::Any) c.resolution_px = o.resolution_px;
    return c;
}

/** The picks as ghost cameras on the Plan layer: a pale dashed sector and a hollow symbol each. */
void draw_plan_layer(ViewerState& st, const PlanState& ps) {
    SceneLayer& L = ensure_layer(st.scene, LayerId::Plan, "plan", LayerId::Cameras);
    L.fills.clear(), L.lines.clear(), L.points.clear();
    ++L.revision;
    if (!ps.plan) return;
    const Vec2 o = st.scene.origin;
    for (const Pick& p : ps.plan->picks) {
        const auto fan = sector_outline(ghost_camera(p, ps.used));
        MultiPolygon sector{Polygon{{fan}}};
        add_polygons(L, o, sector, rgba(20, 140, 200, 40), rgba(20, 110, 170), 1.5f, 6);
        L.points.push_back({float(p.pos.x - o.x), float(p.pos.y - o.y), rgba(255, 255, 255, 200),
                            rgba(20, 110, 170), 11, float(int(Symbol::Ring))});
    }
}

void start_run(ViewerState& st, PlanState& ps) {
    PlanOptions o;
    o.k = ps.k, o.fov = ps.fov, o.range = ps.range, o.quality = Quality(ps.quality);
    o.weights = ps.weights;
    ps.progress = std::make_shared<std::atomic<float>>(0.f);
    auto progress = ps.progress;
    o.progress = [progress](double f, const std::string&) { progress->store(float(f)); };
    ps.used = o;
    ps.error.clear();
    auto data = std::make_shared<Dataset>(st.ds);
    ps.running = std::async(std::launch::async, [data, o] { return plan_cameras(*data, o); });
}

void collect(ViewerState& st, PlanState& ps) {
    if (!ps.running.valid() || ps.running.wait_for(std::chrono::seconds(0)) != std::future_status::ready)
        return;
    try {
        ps.plan = ps.running.get();
    } catch (const Error& e) {
        ps.plan.reset();
        ps.error = without_secrets(e.what());
    }
    draw_plan_layer(st, ps);
}

void accept(ViewerState& st, PlanState& ps) {
    if (!ps.plan) return;
    // Accepted cameras go through the coverage workbench, so they are undoable and counted.
    st.show_coverage = true;
    if (!st.workbench) {
        int level = 4;
        while (level > 1 && st.ds.grids_of_level(level).empty()) --level;
        try {
            st.workbench = std::make_unique<CameraWorkbench>(st.ds, level);
        } catch (const Error& e) {  // cells that cannot be told apart: said, nothing accepted
            st.message = without_secrets(e.what());
            st.show_coverage = false;
            return;
        }
    }
    CameraEdit edit;
    int n = 0;
    for (const Pick& p : ps.plan->picks) {
        Camera c = ghost_camera(p, ps.used);
        c.cam_id = "PLAN-" + std::to_string(++n);
        edit.push_back({st.ds.cameras.size() + edit.size(), std::nullopt, c});
    }
    st.workbench->apply(std::move(edit));
    ps.plan.reset();
    draw_plan_layer(st, ps);
}

/** Each pick's gain beside its ghost, in screen space. */
void gain_labels(ViewerState& st, const PlanState& ps) {
    if (!ps.plan) return;
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    int n = 0;
    for (const Pick& p : ps.plan->picks) {
        const Vec2 s = st.view.to_screen(p.pos);
        char text[48];
        std::snprintf(text, sizeof text, "#%d +%.0f", ++n, p.gain);
        const ImVec2 at(float(s.x) + 9, float(s.y) - 18);
        const ImVec2 size = ImGui::CalcTextSize(text);
        dl->AddRectFilled(ImVec2(at.x - 2, at.y - 1), ImVec2(at.x + size.x + 2, at.y + size.y + 1),
                          IM_COL32(255, 255, 255, 210), 3);
        dl->AddText(at, IM_COL32(20, 90, 150, 255), text);
    }
}

}  // namespace

void plan_action(ViewerState& st, const std::string& what) {
    st.show_plan = true;
    if (!st.plan) st.plan = std::make_shared<PlanState>();
    PlanState& ps = *st.plan;
    if (what == "plan_run") {
        start_run(st, ps);
        ps.running.wait();  // scripted: the next event sees the result
        collect(st, ps);
    } else if (what == "plan_accept") {
        accept(st, ps);
    }
}

void panel_plan(ViewerState& st) {
    if (!st.show_plan) {
        if (st.plan && !st.plan->running.valid()) {
            st.plan->plan.reset();
            draw_plan_layer(st, *st.plan);
            st.plan.reset();
        }
        return;
    }
    if (!st.plan) st.plan = std::make_shared<PlanState>();
    PlanState& ps = *st.plan;
    collect(st, ps);
    gain_labels(st, ps);
    // Right-hand column, under the coverage panel's usual height (hotspots shares the place).
    ImGui::SetNextWindowPos(ImVec2(float(st.view.width) - 470, 300), ImGuiCond_FirstUseEver);
    ImGui::SetNextWindowSize(ImVec2(460, 0), ImGuiCond_FirstUseEver);
    if (!ImGui::Begin(st.t(Ui::PlanPanel), &st.show_plan, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    const bool busy = ps.running.valid();
    ImGui::BeginDisabled(busy);
    ImGui::SetNextItemWidth(180);
    ImGui::SliderInt(st.t(Ui::NewCameras), &ps.k, 1, 30);
    ImGui::SetNextItemWidth(180);
    ImGui::SliderFloat(st.t(Ui::FovDeg), &ps.fov, 10, 360, "%.0f");
    ImGui::SetNextItemWidth(180);
    ImGui::SliderFloat(st.t(Ui::RangeM), &ps.range, 10, 300, "%.0f");
    ImGui::SetNextItemWidth(180);
    if (ImGui::BeginCombo(st.t(Ui::Quality), quality_title(ps.quality, st.lang))) {
        for (int q = 0; q < 5; ++q)
            if (ImGui::Selectable(quality_title(q, st.lang), q == ps.quality)) ps.quality = q;
        ImGui::EndCombo();
    }
    if (ImGui::TreeNode(st.t(Ui::DemandWeights))) {
        auto weight = [](const char* label, double& w) {
            float f = float(w);
            ImGui::SetNextItemWidth(140);
            if (ImGui::SliderFloat(label, &f, 0, 10, "%.1f")) w = f;
        };
        weight(st.t(Ui::WRoad), ps.weights.road);
        weight(st.t(Ui::WHousehold), ps.weights.household);
        weight(st.t(Ui::WIncident), ps.weights.incident);
        weight(st.t(Ui::WEnterprise), ps.weights.enterprise);
        ImGui::TreePop();
    }
    if (ImGui::Button(st.t(Ui::Run))) start_run(st, ps);
    ImGui::EndDisabled();
    if (busy) {
        ImGui::SameLine();
        ImGui::ProgressBar(ps.progress ? ps.progress->load() : 0.f, ImVec2(-1, 0), st.t(Ui::Computing));
    }
    if (!ps.error.empty()) ImGui::TextColored(ImVec4(0.8f, 0.1f, 0.1f, 1), "%s", ps.error.c_str());
    if (ps.plan) {
        const PlacementPlan& p = *ps.plan;
        ImGui::Text("%s %.0f → %.0f / %.0f   %s %.0f", st.t(Ui::CoveredWeight), p.covered_before,
                    p.covered_after, p.total_demand, st.t(Ui::UpperBound), p.upper_bound);
        std::vector<float> curve(p.curve.begin(), p.curve.end());
        if (!curve.empty())
            // From the coverage before the plan up to the bound: the flattening of the curve
            // tells the user how many cameras are worth buying.
            ImGui::PlotLines("##curve", curve.data(), int(curve.size()), 0, st.t(Ui::CurveTitle),
                             curve.front() * 0.995f, float(std::max(p.upper_bound, p.covered_after)) * 1.005f,
                             ImVec2(ImGui::GetContentRegionAvail().x, 70));  // 1.86 plots take no -1 width
        if (ImGui::BeginTable("picks", 3, ImGuiTableFlags_RowBg | ImGuiTableFlags_ScrollY, ImVec2(0, 96))) {
            int n = 0;
            for (const Pick& pk : p.picks) {
                ImGui::TableNextRow();
                ImGui::TableNextColumn();
                char id[16];
                std::snprintf(id, sizeof id, "#%d", ++n);
                if (ImGui::Selectable(id, false, ImGuiSelectableFlags_SpanAllColumns)) {
                    st.view.center = pk.pos;
                    st.view.mpp = std::min(st.view.mpp, 0.5);
                }
                ImGui::TableNextColumn();
                ImGui::Text("%.0f°", pk.azimuth);
                ImGui::TableNextColumn();
                ImGui::Text("%s +%.1f", st.t(Ui::Gain), pk.gain);
            }
            ImGui::EndTable();
        }
        if (ImGui::Button(st.t(Ui::Accept))) accept(st, ps);
    }
    ImGui::End();
}

}  // namespace gw::app
