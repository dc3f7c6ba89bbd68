// The search panel: grid cells by name or id, households by head, cameras by id; a click zooms.
#include <imgui.h>

#include <algorithm>
#include <cctype>

#include "app/viewer/viewer.h"

namespace gw::app {
namespace {

/** Substring match, case-insensitive for ASCII (Chinese has no case). */
bool matches(const std::string& text, const std::string& query) {
    auto it = std::search(text.begin(), text.end(), query.begin(), query.end(), [](char a, char b) {
        return std::tolower(static_cast<unsigned char>(a)) == std::tolower(static_cast<unsigned char>(b));
    });
    return it != text.end();
}

}  // namespace

void panel_search(ViewerState& st) {
    static char query[128] = "";
    const ImGuiViewport* vp = ImGui::GetMainViewport();
    // Anchored by its bottom-left corner above the status bar; it grows upwards with the results.
    ImGui::SetNextWindowPos(ImVec2(10, vp->Size.y - 44), ImGuiCond_FirstUseEver, ImVec2(0, 1));
    ImGui::SetNextWindowSizeConstraints(ImVec2(380, 0), ImVec2(380, 420));
    if (!ImGui::Begin(st.t(Ui::Search), nullptr, ImGuiWindowFlags_AlwaysAutoResize)) {
        ImGui::End();
        return;
    }
    ImGui::SetNextItemWidth(-1);
    ImGui::InputTextWithHint("##query", st.t(Ui::SearchHint), query, sizeof query);
    const std::string q = query;
    if (!q.empty()) {
        constexpr int kMax = 100;  // a long list helps nobody; refine the query instead
        std::vector<Selection> hits;
        const Dataset& ds = st.ds;
        for (size_t i = 0; i < ds.grids.size() && hits.size() < kMax; ++i)
            if (matches(ds.grids[i].name, q) || matches(ds.grids[i].grid_id, q))
                hits.push_back({LayerId::Grids, i});
        for (size_t i = 0; i < ds.households.size() && hits.size() < kMax; ++i)
            if (matches(ds.households[i].head, q)) hits.push_back({LayerId::Households, i});
        for (size_t i = 0; i < ds.cameras.size() && hits.size() < kMax; ++i)
            if (matches(ds.cameras[i].cam_id, q)) hits.push_back({LayerId::Cameras, i});
        if (hits.empty()) ImGui::TextDisabled("%s", st.t(Ui::NoMatch));
        const float row = ImGui::GetTextLineHeightWithSpacing();
        ImGui::BeginChild("##hits", ImVec2(0, std::min<float>(float(hits.size()), 12) * row + 4));
        for (size_t k = 0; k < hits.size(); ++k) {
            ImGui::PushID(int(k));
            const bool sel =
                st.selected && st.selected->layer == hits[k].layer && st.selected->index == hits[k].index;
            if (ImGui::Selectable(feature_title(st, hits[k]).c_str(), sel)) st.zoom_to(hits[k]);
            ImGui::PopID();
        }
        ImGui::EndChild();
    }
    ImGui::End();
}

}  // namespace gw::app
