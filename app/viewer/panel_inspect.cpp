// The inspector: attributes of the feature last clicked or found.
#include <imgui.h>

#include <algorithm>

#include "app/viewer/viewer.h"

namespace gw::app {

void panel_inspect(ViewerState& st) {
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    ImGui::SetNextWindowPos(ImVec2(vp->Size.x - 360, 34), ImGuiCond_FirstUseEver);
    // Tall enough for the attributes of the selection (a table cannot size an auto-resizing window).
    const size_t rows = st.selected ? attributes(st, *st.selected).size() + 2 : 1;
    const float h = std::min(600.f, ImGui::GetFrameHeightWithSpacing() * float(rows + 1) + 24);
    ImGui::SetNextWindowSize(ImVec2(350, h), ImGuiCond_Always);
    if (!ImGui::Begin(st.t(Ui::Inspect))) {
        ImGui::End();
        return;
    }
    if (!st.selected) {
        ImGui::TextDisabled("%s", st.t(Ui::ClickHint));
        ImGui::End();
        return;
    }
    const Selection sel = *st.selected;
    ImGui::TextUnformatted(feature_title(st, sel).c_str());
    ImGui::SameLine();
    if (ImGui::SmallButton(st.t(Ui::ZoomTo))) st.zoom_to(sel);
    if (ImGui::BeginTable("##attributes", 2, ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV)) {
        ImGui::TableSetupColumn(st.t(Ui::Field), ImGuiTableColumnFlags_WidthFixed, 110);
        ImGui::TableSetupColumn(st.t(Ui::Value));
        ImGui::TableHeadersRow();
        for (const auto& [name, value] : attributes(st, sel)) {
            ImGui::TableNextRow();
            ImGui::TableNextColumn();
            ImGui::TextUnformatted(name.c_str());
            ImGui::TableNextColumn();
            ImGui::TextWrapped("%s", value.c_str());
        }
        ImGui::EndTable();
    }
    ImGui::End();
}

}  // namespace gw::app
