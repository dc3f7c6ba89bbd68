// EGL surfaceless context and off-screen framebuffers (see gl_context.h).
#include "app/render/gl_context.h"

#include <epoxy/egl.h>
#include <epoxy/gl.h>

#include <algorithm>
#include <cstring>
#include <string>

#include "geo/core/error.h"

namespace gw::app {

namespace {
constexpr char kEglHint[] =
    "install libegl1, libegl-mesa0 and libgl1-mesa-dri (or the GPU vendor's EGL driver)";
}  // namespace

HeadlessGl::HeadlessGl() {
    EGLDisplay dpy = EGL_NO_DISPLAY;
    // Surfaceless works with and without X; the default display is the fallback for drivers
    // without EGL_MESA_platform_surfaceless.
    if (epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_MESA_platform_surfaceless"))
        dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_SURFACELESS_MESA, EGL_DEFAULT_DISPLAY, nullptr);
    EGLint major = 0, minor = 0;
    if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor)) {
        dpy = eglGetDisplay(EGL_DEFAULT_DISPLAY);
        if (dpy != EGL_NO_DISPLAY && !eglInitialize(dpy, &major, &minor)) dpy = EGL_NO_DISPLAY;
    }
    if (dpy == EGL_NO_DISPLAY) {
        // A GPU driver with neither (NVIDIA's with no X server): its first device, through
        // EGL_EXT_platform_device.
        EGLDeviceEXT device = nullptr;
        EGLint n = 0;
        if (epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_platform_device") &&
            epoxy_has_egl_extension(EGL_NO_DISPLAY, "EGL_EXT_device_enumeration") &&
            eglQueryDevicesEXT(1, &device, &n) && n > 0)
            dpy = eglGetPlatformDisplayEXT(EGL_PLATFORM_DEVICE_EXT, device, nullptr);
        if (dpy == EGL_NO_DISPLAY || !eglInitialize(dpy, &major, &minor))
            throw Error("no EGL display for off-screen drawing", {}, kEglHint);
    }
    display_ = dpy;
    if (!eglBindAPI(EGL_OPENGL_API)) throw Error("EGL has no desktop OpenGL", {}, kEglHint);
    const EGLint config_attrs[] = {EGL_RENDERABLE_TYPE, EGL_OPENGL_BIT, EGL_NONE};
    EGLConfig config = nullptr;
    EGLint n = 0;
    if (!eglChooseConfig(dpy, config_attrs, &config, 1, &n) || n < 1) config = nullptr;  // EGL_NO_CONFIG_KHR
    const EGLint ctx_attrs[] = {EGL_CONTEXT_MAJOR_VERSION,
                                3,
                                EGL_CONTEXT_MINOR_VERSION,
                                3,
                                EGL_CONTEXT_OPENGL_PROFILE_MASK,
                                EGL_CONTEXT_OPENGL_CORE_PROFILE_BIT,
                                EGL_NONE};
    EGLContext ctx = eglCreateContext(dpy, config, EGL_NO_CONTEXT, ctx_attrs);
    if (ctx == EGL_NO_CONTEXT) throw Error("EGL cannot create an OpenGL 3.3 core context", {}, kEglHint);
    context_ = ctx;
    make_current();
}

void HeadlessGl::release() {
    if (!eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT))
        throw Error("EGL cannot release the off-screen context", {}, kEglHint);
}

void HeadlessGl::make_current() {
    // The bound API is the calling thread's own (EGL 1.5 §3.7): desktop OpenGL on this one too.
    if (!eglBindAPI(EGL_OPENGL_API) || !eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, context_))
        throw Error("EGL cannot make the off-screen context current", {}, kEglHint);
}

HeadlessGl::~HeadlessGl() {
    if (!display_) return;
    eglMakeCurrent(display_, EGL_NO_SURFACE, EGL_NO_SURFACE, EGL_NO_CONTEXT);
    if (context_) eglDestroyContext(display_, context_);
    eglTerminate(display_);
}

std::string HeadlessGl::description() const {
    auto s = [](GLenum e) {
        const auto* p = glGetString(e);
        return p ? std::string(reinterpret_cast<const char*>(p)) : std::string("?");
    };
    return s(GL_VERSION) + " | " + s(GL_RENDERER);
}

int max_framebuffer_side() {
    GLint rb = 0, vp[2] = {0, 0};
    glGetIntegerv(GL_MAX_RENDERBUFFER_SIZE, &rb);
    glGetIntegerv(GL_MAX_VIEWPORT_DIMS, vp);
    return std::max(256, std::min({int(rb), int(vp[0]), int(vp[1])}));
}

OffscreenTarget::OffscreenTarget(int w, int h, int samples) : w_(w), h_(h), samples_(samples) {
    GLint max_samples = 0;
    glGetIntegerv(GL_MAX_SAMPLES, &max_samples);
    samples_ = std::min(samples_, int(max_samples));
    glGenFramebuffers(1, &fbo_);
    glGenRenderbuffers(1, &color_);
    glBindRenderbuffer(GL_RENDERBUFFER, color_);
    if (samples_ > 1)
        glRenderbufferStorageMultisample(GL_RENDERBUFFER, samples_, GL_RGBA8, w, h);
    else
        glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, color_);
    if (glCheckFramebufferStatus(GL_FRAMEBUFFER) != GL_FRAMEBUFFER_COMPLETE)
        throw Error("the off-screen framebuffer of " + std::to_string(w) + "×" + std::to_string(h) +
                    " pixels is not supported");
    if (samples_ > 1) {
        glGenFramebuffers(1, &resolve_fbo_);
        glGenRenderbuffers(1, &resolve_color_);
        glBindRenderbuffer(GL_RENDERBUFFER, resolve_color_);
        glRenderbufferStorage(GL_RENDERBUFFER, GL_RGBA8, w, h);
        glBindFramebuffer(GL_FRAMEBUFFER, resolve_fbo_);
        glFramebufferRenderbuffer(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_RENDERBUFFER, resolve_color_);
    }
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
}

OffscreenTarget::~OffscreenTarget() {
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    for (unsigned* f : {&fbo_, &resolve_fbo_})
        if (*f) glDeleteFramebuffers(1, f);
    for (unsigned* r : {&color_, &resolve_color_})
        if (*r) glDeleteRenderbuffers(1, r);
}

void OffscreenTarget::bind() {
    glBindFramebuffer(GL_FRAMEBUFFER, fbo_);
    resolved_bound_ = false;
}

void OffscreenTarget::resolve() {
    resolved_bound_ = false;  // it binds other framebuffers, and covers what was drawn on the resolved image
    if (samples_ <= 1) return;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, resolve_fbo_);
    glBlitFramebuffer(0, 0, w_, h_, 0, 0, w_, h_, GL_COLOR_BUFFER_BIT, GL_NEAREST);
}

void OffscreenTarget::bind_resolved() {
    resolve();
    glBindFramebuffer(GL_FRAMEBUFFER, samples_ > 1 ? resolve_fbo_ : fbo_);
    resolved_bound_ = true;
}

std::vector<uint8_t> OffscreenTarget::read() {
    if (!resolved_bound_) bind_resolved();
    auto px = read_framebuffer(w_, h_);
    bind();
    return px;
}

void OffscreenTarget::blit_to_window() {
    resolved_bound_ = false;
    glBindFramebuffer(GL_READ_FRAMEBUFFER, fbo_);
    glBindFramebuffer(GL_DRAW_FRAMEBUFFER, 0);
    glBlitFramebuffer(0, 0, w_, h_, 0, 0, w_, h_, GL_COLOR_BUFFER_BIT, GL_NEAREST);
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
}

bool software_renderer() {
    const auto* r = reinterpret_cast<const char*>(glGetString(GL_RENDERER));
    const std::string name = r ? r : "";
    return name.find("llvmpipe") != std::string::npos || name.find("softpipe") != std::string::npos ||
           name.find("swrast") != std::string::npos;
}

std::vector<uint8_t> read_framebuffer(int w, int h) {
    std::vector<uint8_t> px(size_t(w) * h * 4), row(size_t(w) * 4);
    glPixelStorei(GL_PACK_ALIGNMENT, 1);
    glReadPixels(0, 0, w, h, GL_RGBA, GL_UNSIGNED_BYTE, px.data());
    // GL's rows run bottom-up; images run top-down.
    for (int y = 0; y < h / 2; ++y) {
        uint8_t* a = px.data() + size_t(y) * w * 4;
        uint8_t* b = px.data() + size_t(h - 1 - y) * w * 4;
        std::memcpy(row.data(), a, row.size());
        std::memcpy(a, b, row.size());
        std::memcpy(b, row.data(), row.size());
    }
    return px;
}

}  // namespace gw::app
