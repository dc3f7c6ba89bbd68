#pragma once
/**
 * Map labels (grid cell and enterprise names) with collision avoidance: candidates are taken in
 * priority order and a label is skipped when its box overlaps one already placed or does not fit
 * inside its feature on screen.
 */
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "app/render/fonts.h"
#include "app/render/scene.h"

struct ImDrawList;

namespace gw::app {

struct PlacedLabel {
    const LabelCandidate* candidate = nullptr;
    Vec2 min;       // top-left corner on screen, pixels
    Vec2 size;      // text box, pixels
    float px = 13;  // font size it was placed at (a label shrinks to fit a small cell)
};

/** Size in pixels of `text` drawn at `px`. */
using MeasureText = std::function<Vec2(const std::string& text, float px)>;

/** Greedy placement by priority over the candidates of visible layers, in screen pixels. */
std::vector<PlacedLabel> place_labels(const Scene& scene, const MapView& view, const MeasureText& measure);

/** A MeasureText over the label fonts of `fonts`. */
MeasureText font_measure(const FontSet& fonts);

/** Draws placed labels with a white halo, shifted by `offset` pixels (tiles). */
void draw_labels(ImDrawList* list, const FontSet& fonts, const std::vector<PlacedLabel>& labels,
                 Vec2 offset = {});

/**
 * Labels for off-screen images: a private ImGui context with the CJK fonts, drawn into the bound
 * framebuffer through ImGui's OpenGL 3 backend. Needs a current GL context for its whole life.
 */
class OffscreenLabelPainter {
public:
    explicit OffscreenLabelPainter(const std::string& glyph_text);
    ~OffscreenLabelPainter();
    OffscreenLabelPainter(const OffscreenLabelPainter&) = delete;
    OffscreenLabelPainter& operator=(const OffscreenLabelPainter&) = delete;
    MeasureText measure() const;
    /** Draws `labels` (placed in full-image pixels) into a w×h target whose top-left is `tile_min`. */
    void paint(const std::vector<PlacedLabel>& labels, int w, int h, Vec2 tile_min);

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace gw::app
