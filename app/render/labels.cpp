// Label placement and drawing (see labels.h).
#include "app/render/labels.h"

#include <backends/imgui_impl_opengl3.h>
#include <imgui.h>

#include <algorithm>
#include <cmath>

namespace gw::app {

std::vector<PlacedLabel> place_labels(const Scene& scene, const MapView& view, const MeasureText& measure) {
    std::vector<bool> layer_on(size_t(LayerId::Count), false);
    for (const auto& L : scene.layers) layer_on[size_t(L.id)] = L.visible && L.opacity > 0.05f;

    // Collisions through a coarse bucket grid over the screen: placed boxes register in every
    // bucket they touch, so a test looks at a few neighbours instead of every placed label.
    constexpr double kBucket = 64, kPad = 3;
    const int bx = view.width / int(kBucket) + 1, by = view.height / int(kBucket) + 1;
    std::vector<std::vector<int>> buckets(size_t(bx) * by);
    std::vector<PlacedLabel> placed;
    const Box screen{0, 0, double(view.width), double(view.height)};
    const Box world = view.world_box();

    for (const auto& c : scene.labels) {
        if (!layer_on[size_t(c.layer)] || view.mpp >= c.max_mpp || !world.intersects(c.feature_box)) continue;
        const double fw = c.feature_box.width() / view.mpp, fh = c.feature_box.height() / view.mpp;
        // A label shrinks to fit its feature (with a little room), down to the smallest readable size.
        constexpr double kFit = 0.95;
        constexpr float kMinPx = 13;
        const float smallest = std::min(c.size_px, kMinPx);
        // Cheap rejection before measuring: a cell narrower than two small characters never fits.
        if (fw < smallest * 1.4 || fh < smallest * 0.8) continue;
        float px = c.size_px;
        Vec2 size = measure(c.text, px);
        if ((size.x > fw * kFit || size.y > fh * kFit) && px > smallest) {
            // Glyph advances round per size, so aim a little under the exact ratio.
            px = std::max<float>(smallest,
                                 px * float(0.97 * std::min(fw * kFit / size.x, fh * kFit / size.y)));
            size = measure(c.text, px);
        }
        if (size.x > fw * kFit || size.y > fh * kFit) continue;
        const Vec2 at = view.to_screen(c.pos);
        const Box box{at.x - size.x / 2 - kPad, at.y - size.y / 2 - kPad, at.x + size.x / 2 + kPad,
                      at.y + size.y / 2 + kPad};
        if (!screen.intersects(box)) continue;
        const int x0 = std::clamp(int(box.xmin / kBucket), 0, bx - 1),
                  x1 = std::clamp(int(box.xmax / kBucket), 0, bx - 1);
        const int y0 = std::clamp(int(box.ymin / kBucket), 0, by - 1),
                  y1 = std::clamp(int(box.ymax / kBucket), 0, by - 1);
        bool clash = false;
        for (int y = y0; y <= y1 && !clash; ++y)
            for (int x = x0; x <= x1 && !clash; ++x)
                for (int i : buckets[size_t(y) * bx + x]) {
                    const auto& p = placed[size_t(i)];
                    const Box other{p.min.x - kPad, p.min.y - kPad, p.min.x + p.size.x + kPad,
                                    p.min.y + p.size.y + kPad};
                    if (other.intersects(box)) {
                        clash = true;
                        break;
                    }
                }
        if (clash) continue;
        const int index = int(placed.size());
        placed.push_back({&c, {at.x - size.x / 2, at.y - size.y / 2}, size, px});
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) buckets[size_t(y) * bx + x].push_back(index);
    }
    return placed;
}

MeasureText font_measure(const FontSet& fonts) {
    return [&fonts](const std::string& text, float px) {
        ImFont* f = fonts.label_for(px);
        ImVec2 s = f->CalcTextSizeA(px, 1e9f, 0, text.c_str(), text.c_str() + text.size());
        return Vec2{s.x, s.y};
    };
}

void draw_labels(ImDrawList* list, const FontSet& fonts, const std::vector<PlacedLabel>& labels,
                 Vec2 offset) {
    for (const auto& p : labels) {
        const LabelCandidate& c = *p.candidate;
        ImFont* f = fonts.label_for(p.px);
        const ImVec2 at(float(std::round(p.min.x + offset.x)), float(std::round(p.min.y + offset.y)));
        const char* b = c.text.c_str();
        const char* e = b + c.text.size();
        // A halo keeps names readable over roads, sectors and boundary lines.
        const ImU32 halo = IM_COL32(255, 255, 255, 210);
        for (int dy = -1; dy <= 1; ++dy)
            for (int dx = -1; dx <= 1; ++dx)
                if (dx || dy) list->AddText(f, p.px, ImVec2(at.x + dx, at.y + dy), halo, b, e);
        list->AddText(f, p.px, at, ImU32(c.color), b, e);
    }
}

struct OffscreenLabelPainter::Impl {
    ImGuiContext* ctx = nullptr;
    FontSet fonts;
};

OffscreenLabelPainter::OffscreenLabelPainter(const std::string& glyph_text)
    : impl_(std::make_unique<Impl>()) {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    impl_->ctx = ImGui::CreateContext();
    ImGui::SetCurrentContext(impl_->ctx);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    impl_->fonts = load_fonts(io.Fonts, glyph_text);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    ImGui::SetCurrentContext(previous);
}

OffscreenLabelPainter::~OffscreenLabelPainter() {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(impl_->ctx);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(impl_->ctx);
    ImGui::SetCurrentContext(previous == impl_->ctx ? nullptr : previous);
}

MeasureText OffscreenLabelPainter::measure() const {
    // The fonts must be built before measuring: build the atlas now if the backend has not.
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(impl_->ctx);
    ImGuiIO& io = ImGui::GetIO();
    if (!io.Fonts->IsBuilt()) io.Fonts->Build();
    ImGui::SetCurrentContext(previous);
    return font_measure(impl_->fonts);
}

void OffscreenLabelPainter::paint(const std::vector<PlacedLabel>& labels, int w, int h, Vec2 tile_min) {
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGui::SetCurrentContext(impl_->ctx);
    ImGuiIO& io = ImGui::GetIO();
    io.DisplaySize = ImVec2(float(w), float(h));
    io.DeltaTime = 1.0f / 60;
    ImGui_ImplOpenGL3_NewFrame();
    ImGui::NewFrame();
    draw_labels(ImGui::GetBackgroundDrawList(), impl_->fonts, labels, {-tile_min.x, -tile_min.y});
    ImGui::Render();
    ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
    ImGui::SetCurrentContext(previous);
}

}  // namespace gw::app
