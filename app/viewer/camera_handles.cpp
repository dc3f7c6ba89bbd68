// The selected camera's drag handles on the map (move, rotate, widen) and the undo keys; the
// editing itself is CameraWorkbench's (camera_edit.cpp).
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <imgui.h>

#include "app/viewer/viewer.h"

namespace gw::app {
namespace {

constexpr float kHandlePx = 7;  // handle radius; a press within twice that grabs it

/** The camera the handles belong to: the selected one, while the coverage panel edits. */
std::optional<size_t> edited_camera(const ViewerState& st) {
    if (!st.workbench || !st.show_coverage || !st.selected || st.selected->layer != LayerId::Cameras)
        return std::nullopt;
    if (st.selected->index >= st.ds.cameras.size()) return std::nullopt;
    return st.selected->index;
}

ImVec2 im(Vec2 p) { return ImVec2(float(p.x), float(p.y)); }

}  // namespace

bool camera_handles_input(ViewerState& st) {
    CameraWorkbench* wb = st.workbench.get();
    if (!wb) return false;
    const ImGuiIO& io = ImGui::GetIO();
    const Vec2 world = st.view.to_world({io.MousePos.x, io.MousePos.y});
    if (wb->dragging()) {
        if (ImGui::IsMouseDown(ImGuiMouseButton_Left)) {
            if (io.MouseDelta.x != 0 || io.MouseDelta.y != 0) wb->drag_to(world);
        } else {
            wb->drag_end();
        }
        return true;
    }
    const auto cam = edited_camera(st);
    if (!cam || !ImGui::IsMouseClicked(ImGuiMouseButton_Left)) return false;
    const CameraHandle h = wb->hit(*cam, world, 2 * kHandlePx * st.view.mpp);
    if (h == CameraHandle::None) return false;
    wb->drag_begin(*cam, h, world);
    return true;
}

bool camera_handles_scripted_drag(ViewerState& st, const ScriptEvent& e) {
    CameraWorkbench* wb = st.workbench.get();
    const auto cam = edited_camera(st);
    if (!wb || !cam) return false;
    const Vec2 from = st.view.to_world({e.x, e.y});
    const CameraHandle h = wb->hit(*cam, from, 2 * kHandlePx * st.view.mpp);
    if (h == CameraHandle::None) return false;
    // A real drag arrives as many small steps; a scripted one in a few, each a coverage update.
    wb->drag_begin(*cam, h, from);
    for (int step = 1; step <= 4; ++step)
        wb->drag_to(st.view.to_world({e.x + e.dx * step / 4, e.y + e.dy * step / 4}));
    wb->drag_end();
    return true;
}

void draw_camera_handles(ViewerState& st) {
    const auto cam = edited_camera(st);
    if (!cam) return;
    const Camera& c = st.ds.cameras[*cam];
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    const ImVec2 body = im(st.view.to_screen(c.pos));
    const ImVec2 az = im(st.view.to_screen(st.workbench->azimuth_handle(c)));
    const ImVec2 fov = im(st.view.to_screen(st.workbench->fov_handle(c)));
    // The bisector to the rotation handle, the arc edge to the fov handle.
    dl->AddLine(body, az, IM_COL32(20, 90, 200, 220), 2);
    dl->AddLine(body, fov, IM_COL32(230, 120, 20, 160), 1.5f);
    dl->AddCircleFilled(body, kHandlePx + 2, IM_COL32(255, 255, 255, 240));
    dl->AddCircle(body, kHandlePx + 2, IM_COL32(30, 30, 30, 255), 0, 2);
    dl->AddCircleFilled(az, kHandlePx, IM_COL32(20, 90, 200, 255));
    dl->AddCircle(az, kHandlePx, IM_COL32(255, 255, 255, 255), 0, 1.5f);
    dl->AddCircleFilled(fov, kHandlePx, IM_COL32(230, 120, 20, 255));
    dl->AddCircle(fov, kHandlePx, IM_COL32(255, 255, 255, 255), 0, 1.5f);
}

void camera_edit_keys(ViewerState& st) {
    if (!st.workbench || ImGui::GetIO().WantCaptureKeyboard) return;
    const bool ctrl = ImGui::IsKeyDown(GLFW_KEY_LEFT_CONTROL) || ImGui::IsKeyDown(GLFW_KEY_RIGHT_CONTROL);
    const bool shift = ImGui::IsKeyDown(GLFW_KEY_LEFT_SHIFT) || ImGui::IsKeyDown(GLFW_KEY_RIGHT_SHIFT);
    if (!ctrl) return;
    if (ImGui::IsKeyPressed(GLFW_KEY_Z)) shift ? st.workbench->redo() : st.workbench->undo();
    if (ImGui::IsKeyPressed(GLFW_KEY_Y)) st.workbench->redo();
}

}  // namespace gw::app
