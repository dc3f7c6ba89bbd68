#pragma once
/**
 * Draws a Scene with OpenGL 3.3 core: per layer one fill, one line and one point draw call.
 * Vertex data goes to the GPU when a layer's revision changes, never per frame. Needs a current
 * GL context (a window's or the headless one of gl_context.h) for its whole life.
 */
#include <cstdint>
#include <memory>
#include <vector>

#include "app/render/scene.h"

namespace gw::app {

class MapRenderer {
public:
    /** Compiles the shaders; throws gw::Error when the driver rejects them. */
    MapRenderer();
    ~MapRenderer();
    MapRenderer(const MapRenderer&) = delete;
    MapRenderer& operator=(const MapRenderer&) = delete;

    /** Uploads the layers whose revision changed since the last call. */
    void sync(const Scene& scene);
    /** Which of the visible layers a draw draws. */
    enum class Part {
        All,
        /** Up to the last layer with fills, a raster or images, after clearing: what multisampling smooths.
         */
        UnderSymbols,
        /**
         * The layers over it, lines and symbols only, which antialias in their shaders: drawn on
         * the resolved image, one sample a pixel, they cost half as much on llvmpipe.
         */
        Symbols,
    };
    /**
     * Draws the visible layers of `scene` (synced first) into the bound framebuffer, whose
     * viewport is view.width × view.height pixels, after clearing it to `background` (but for
     * Part::Symbols).
     */
    void draw(const Scene& scene, const MapView& view, Rgba background, Part part = Part::All);
    /** Bytes sent to the GPU so far (vertices, colours, textures): what each change of the scene cost. */
    uint64_t uploaded_bytes() const;

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

class OffscreenLabelPainter;

/**
 * Draws `view` of the scene into RGBA rows (top row first), labels included when a painter is
 * given. Images larger than the GPU's largest framebuffer (or `max_tile`, when > 0) are drawn in
 * tiles; labels are placed once over the whole image so none is cut twice or dropped at seams.
 * Needs a current GL context.
 */
std::vector<uint8_t> render_image(const Scene& scene, const MapView& view, OffscreenLabelPainter* labels,
                                  int max_tile = 0);

/** The paper colour under the map. */
inline constexpr Rgba kMapBackground = rgba(244, 241, 234);

}  // namespace gw::app
