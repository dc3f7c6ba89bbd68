#pragma once
/**
 * OpenGL without a window: an EGL context on Mesa's surfaceless platform (no X display needed),
 * and an off-screen framebuffer to draw into and read back.
 */
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace gw::app {

/**
 * An OpenGL 3.3 core context with no surface, current on the thread that made it until release().
 * Throws gw::Error when EGL cannot make one.
 */
class HeadlessGl {
public:
    HeadlessGl();
    ~HeadlessGl();
    HeadlessGl(const HeadlessGl&) = delete;
    HeadlessGl& operator=(const HeadlessGl&) = delete;
    /** "4.5 (Core Profile) Mesa 22.3.6 | llvmpipe …". */
    std::string description() const;
    /**
     * Hands the context over: released by the thread that made it (EGL and the driver loaded
     * there, beside other work), then current on the thread that draws.
     */
    void release();
    void make_current();

private:
    void* display_ = nullptr;
    void* context_ = nullptr;
};

/** Largest framebuffer side the driver allows (GL_MAX_RENDERBUFFER_SIZE, capped by the viewport). */
int max_framebuffer_side();

/**
 * A w×h colour framebuffer, multisampled for smooth polygon edges and resolved on read.
 * Bind it, draw, then read() the pixels.
 */
class OffscreenTarget {
public:
    OffscreenTarget(int w, int h, int samples = 4);
    ~OffscreenTarget();
    OffscreenTarget(const OffscreenTarget&) = delete;
    OffscreenTarget& operator=(const OffscreenTarget&) = delete;
    void bind();
    /**
     * Resolves what was drawn and binds the single-sample buffer, for what needs no multisampling
     * drawn over it (text, lines and symbols, antialiased by their glyphs and shaders: on llvmpipe
     * half the work); read() then reads it as it is. Without multisampling the one buffer stays bound.
     */
    void bind_resolved();
    /** RGBA rows, top row first. */
    std::vector<uint8_t> read();
    /** Resolves the samples into the single-sample buffer read() reads (nothing without multisampling). */
    void resolve();
    /** Resolves into the window's framebuffer (0), same size. */
    void blit_to_window();
    int width() const { return w_; }
    int height() const { return h_; }

private:
    int w_, h_, samples_;
    bool resolved_bound_ = false;  // bind_resolved() was the last call that bound or resolved
    unsigned fbo_ = 0, color_ = 0, resolve_fbo_ = 0, resolve_color_ = 0;
};

/** True on software rasterisers (llvmpipe, softpipe, swrast), where multisampling costs ~3× a frame. */
bool software_renderer();

/** Reads the bound framebuffer's w×h pixels as RGBA rows, top row first. */
std::vector<uint8_t> read_framebuffer(int w, int h);

}  // namespace gw::app
