// Legend entries of the analysis panels: a colour swatch in the map's symbol, a label, a count.
#include "app/viewer/viewer.h"

namespace gw::app {

ImVec4 im_color(Rgba c) {
    return ImVec4((c & 255) / 255.f, (c >> 8 & 255) / 255.f, (c >> 16 & 255) / 255.f, 1);
}

void legend_swatch(Rgba c, const char* label, int count, Symbol shape) {
    ImDrawList* dl = ImGui::GetWindowDrawList();
    const ImVec2 p = ImGui::GetCursorScreenPos();
    const float s = 14;
    const ImU32 col = ImGui::ColorConvertFloat4ToU32(im_color(c));
    const ImVec2 mid(p.x + s / 2, p.y + ImGui::GetTextLineHeight() / 2);
    switch (shape) {
        case Symbol::Circle:
        case Symbol::Ring:
            dl->AddCircleFilled(mid, s * 0.42f, col, 16);
            break;
        case Symbol::Diamond:
            dl->AddQuadFilled(ImVec2(mid.x, mid.y - s / 2), ImVec2(mid.x + s / 2, mid.y), ImVec2(mid.x, mid.y + s / 2),
                              ImVec2(mid.x - s / 2, mid.y), col);
            break;
        case Symbol::Triangle:
            dl->AddTriangleFilled(ImVec2(mid.x, mid.y - s / 2), ImVec2(mid.x + s / 2, mid.y + s / 2),
                                  ImVec2(mid.x - s / 2, mid.y + s / 2), col);
            break;
        case Symbol::Star:
            dl->AddNgonFilled(mid, s * 0.45f, col, 5);
            break;
        default:
            dl->AddRectFilled(ImVec2(mid.x - s / 2, mid.y - s / 2), ImVec2(mid.x + s / 2, mid.y + s / 2), col);
    }
    ImGui::Dummy(ImVec2(s, s));
    ImGui::SameLine();
    if (count >= 0)
        ImGui::Text("%s (%d)", label, count);  // as the layer list counts: "0 (85)", not "0  85"
    else
        ImGui::TextUnformatted(label);
}

}  // namespace gw::app
