// Drawn over the map with ImGui's background list: labels, the selection, scale bar, north arrow
// and the cursor's coordinates in WGS84 and in the working CRS.
#include <imgui.h>

#include <cmath>
#include <cstdio>

#include "app/render/labels.h"
#include "app/viewer/viewer.h"

namespace gw::app {
namespace {

ImVec2 iv(Vec2 p) { return ImVec2(float(p.x), float(p.y)); }

void outline(ImDrawList* dl, const MapView& view, const std::vector<Vec2>& pts, bool closed, ImU32 col,
             float w) {
    std::vector<ImVec2> s;
    s.reserve(pts.size());
    for (Vec2 p : pts) s.push_back(iv(view.to_screen(p)));
    if (s.size() >= 2) dl->AddPolyline(s.data(), int(s.size()), col, closed ? ImDrawFlags_Closed : 0, w);
}

void highlight(ImDrawList* dl, const ViewerState& st, const Selection& s) {
    const ImU32 col = IM_COL32(0, 190, 255, 255);
    const Dataset& ds = st.ds;
    auto polys = [&](const MultiPolygon& mp) {
        for (const auto& p : mp)
            for (const auto& r : p.rings) outline(dl, st.view, r, true, col, 3);
    };
    auto dot = [&](Vec2 p) { dl->AddCircle(iv(st.view.to_screen(p)), 11, col, 24, 3); };
    switch (s.layer) {
        case LayerId::Grids:
            polys(ds.grids[s.index].shape);
            break;
        case LayerId::Enterprises:
            polys(ds.enterprises[s.index].shape);
            break;
        case LayerId::Buildings:
            polys(ds.buildings[s.index].shape);
            break;
        case LayerId::Roads:
            for (const auto& l : ds.roads[s.index].shape) outline(dl, st.view, l, false, col, 4);
            break;
        case LayerId::Cameras:
            outline(dl, st.view, sector_outline(ds.cameras[s.index]), true, col, 2);
            dot(ds.cameras[s.index].pos);
            break;
        case LayerId::Households:
            dot(ds.households[s.index].pos);
            break;
        case LayerId::Incidents:
            dot(ds.incidents[s.index].pos);
            break;
        case LayerId::Facilities:
            dot(ds.facilities[s.index].pos);
            break;
        case LayerId::Candidates:
            dot(ds.candidates[s.index].pos);
            break;
        default:
            break;
    }
}

/** The largest 1-2-5 length in metres whose bar fits in `max_px`. */
double nice_length(double mpp, double max_px) {
    const double target = mpp * max_px;
    double base = std::pow(10.0, std::floor(std::log10(target)));
    for (double f : {5.0, 2.0, 1.0})
        if (base * f <= target) return base * f;
    return base;
}

void scale_bar(ImDrawList* dl, const ViewerState& st, ImVec2 right_bottom) {
    const double metres = nice_length(st.view.mpp, 160);
    const float px = float(metres / st.view.mpp);
    const ImVec2 a(right_bottom.x - px, right_bottom.y), b = right_bottom;
    char text[32];
    if (metres >= 1000)
        std::snprintf(text, sizeof text, "%g km", metres / 1000);
    else
        std::snprintf(text, sizeof text, "%g m", metres);
    dl->AddRectFilled(ImVec2(a.x - 8, a.y - 30), ImVec2(b.x + 8, b.y + 6), IM_COL32(255, 255, 255, 200), 4);
    dl->AddRectFilled(ImVec2(a.x, a.y - 6), ImVec2(a.x + px / 2, a.y), IM_COL32(30, 30, 30, 255));
    dl->AddRect(ImVec2(a.x, a.y - 6), b, IM_COL32(30, 30, 30, 255));
    const ImVec2 ts = ImGui::CalcTextSize(text);
    dl->AddText(ImVec2(a.x + (px - ts.x) / 2, a.y - 8 - ts.y), IM_COL32(30, 30, 30, 255), text);
}

void north_arrow(ImDrawList* dl, const ViewerState& st, ImVec2 c) {
    // The map is drawn north up (grid north of the working CRS).
    dl->AddCircleFilled(c, 24, IM_COL32(255, 255, 255, 200), 32);
    dl->AddTriangleFilled(ImVec2(c.x, c.y - 18), ImVec2(c.x - 9, c.y + 10), ImVec2(c.x, c.y + 4),
                          IM_COL32(30, 30, 30, 255));
    dl->AddTriangleFilled(ImVec2(c.x, c.y - 18), ImVec2(c.x, c.y + 4), ImVec2(c.x + 9, c.y + 10),
                          IM_COL32(140, 140, 140, 255));
    const char* n = st.t(Ui::North);
    const ImVec2 ts = ImGui::CalcTextSize(n);
    dl->AddText(ImVec2(c.x - ts.x / 2, c.y - 26 - ts.y), IM_COL32(30, 30, 30, 255), n);
}

void cursor_readout(ImDrawList* dl, const ViewerState& st, float w, float h) {
    char text[256] = "";
    if (st.cursor) {
        const Vec2 p = st.view.to_world(*st.cursor);
        int n = 0;
        if (st.to_wgs84) {
            const Vec2 g = st.to_wgs84->apply(p);
            n = std::snprintf(text, sizeof text, "WGS84 %.6f°%c %.6f°%c   |   ", std::abs(g.y),
                              g.y >= 0 ? 'N' : 'S', std::abs(g.x), g.x >= 0 ? 'E' : 'W');
        }
        std::snprintf(text + n, sizeof text - size_t(n), "%s %.2f, %.2f   |   1 : %.0f",
                      st.ds.work_crs.c_str(), p.x, p.y, st.view.mpp / 0.00028);  // OGC standard pixel 0.28 mm
    } else {
        std::snprintf(text, sizeof text, "%s   |   1 : %.0f", st.ds.work_crs.c_str(), st.view.mpp / 0.00028);
    }
    const float bar = ImGui::GetTextLineHeight() + 8;
    dl->AddRectFilled(ImVec2(0, h - bar), ImVec2(w, h), IM_COL32(255, 255, 255, 215));
    dl->AddText(ImVec2(10, h - bar + 4), IM_COL32(40, 40, 40, 255), text);
}

}  // namespace

void draw_map_overlay(ViewerState& st) {
    ImDrawList* dl = ImGui::GetBackgroundDrawList();
    if (st.labels_on) draw_labels(dl, st.fonts, place_labels(st.scene, st.view, font_measure(st.fonts)));
    if (st.selected) highlight(dl, st, *st.selected);
    const float w = float(st.view.width), h = float(st.view.height);
    const float bar = ImGui::GetTextLineHeight() + 8;
    scale_bar(dl, st, ImVec2(w - 24, h - bar - 14));
    north_arrow(dl, st, ImVec2(w - 44, h - bar - 110));
    cursor_readout(dl, st, w, h);
}

}  // namespace gw::app
