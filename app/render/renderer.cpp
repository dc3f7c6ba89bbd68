// OpenGL 3.3 core drawing of a Scene (see renderer.h). Lines and points are instanced quads
// expanded in the vertex shaders from gl_VertexID, so no per-vertex corner data is stored. Fills
// coloured by feature (SceneLayer::fill_colors) read their colour from a texture buffer, so that a
// recolouring sends one colour a feature, not the vertices.
#include "app/render/renderer.h"

#include <epoxy/gl.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "app/render/gl_context.h"
#include "app/render/labels.h"
#include "geo/core/error.h"

namespace gw::shaders {
extern const std::pair<std::string_view, std::string_view> kTable[];
extern const int kCount;
}  // namespace gw::shaders

namespace gw::app {
namespace {

std::string_view shader_source(std::string_view name) {
    for (int i = 0; i < shaders::kCount; ++i)
        if (shaders::kTable[i].first == name) return shaders::kTable[i].second;
    throw Error("shader '" + std::string(name) + "' is not built in", {}, "rebuild gridwatch");
}

/**
 * The driver's log when a shader's compile or a program's link (`status`) failed, nothing when
 * it succeeded: the same query for both, through the shader or the program functions.
 */
template <class GetIv, class GetLog>
std::optional<std::string> failure_log(GLuint id, GLenum status, GetIv get_iv, GetLog get_log) {
    GLint ok = 0;
    get_iv(id, status, &ok);
    if (ok) return std::nullopt;
    char log[2048] = {};
    get_log(id, sizeof log, nullptr, log);
    return std::string(log);
}

GLuint compile(GLenum type, std::string_view name) {
    const std::string_view src = shader_source(name);
    GLuint s = glCreateShader(type);
    const char* text = src.data();
    const GLint len = GLint(src.size());
    glShaderSource(s, 1, &text, &len);
    glCompileShader(s);
    if (const auto log = failure_log(s, GL_COMPILE_STATUS, glGetShaderiv, glGetShaderInfoLog)) {
        glDeleteShader(s);
        throw Error("shader '" + std::string(name) + "' does not compile: " + *log, {},
                    "the OpenGL driver needs GLSL 3.30");
    }
    return s;
}

struct Program {
    GLuint id = 0;
    GLint offset = -1, ppm = -1, half = -1, opacity = -1, symbol_scale = -1;
    GLint recolor = -1, width_scale = -1, size_scale = -1;  // the layer style (LayerStyle)
    GLint pad = -1;  // lines and points: how far their quads reach past the shape
    void build(std::string_view vs, std::string_view fs) {
        GLuint v = compile(GL_VERTEX_SHADER, vs), f = compile(GL_FRAGMENT_SHADER, fs);
        id = glCreateProgram();
        glAttachShader(id, v);
        glAttachShader(id, f);
        glLinkProgram(id);
        glDeleteShader(v);
        glDeleteShader(f);
        if (const auto log = failure_log(id, GL_LINK_STATUS, glGetProgramiv, glGetProgramInfoLog))
            throw Error("shader program '" + std::string(vs) + "' does not link: " + *log);
        offset = glGetUniformLocation(id, "u_offset");
        ppm = glGetUniformLocation(id, "u_ppm");
        half = glGetUniformLocation(id, "u_half");
        opacity = glGetUniformLocation(id, "u_opacity");
        symbol_scale = glGetUniformLocation(id, "u_symbol_scale");
        recolor = glGetUniformLocation(id, "u_recolor");
        width_scale = glGetUniformLocation(id, "u_width_scale");
        size_scale = glGetUniformLocation(id, "u_size_scale");
        pad = glGetUniformLocation(id, "u_pad");
    }
};

/** One vertex array with its buffer; `count` vertices or instances. */
struct Batch {
    GLuint vao = 0, vbo = 0;
    GLsizei count = 0;
    void create() {
        glGenVertexArrays(1, &vao);
        glGenBuffers(1, &vbo);
    }
    void destroy() {
        if (vbo) glDeleteBuffers(1, &vbo);
        if (vao) glDeleteVertexArrays(1, &vao);
        vao = vbo = 0;
    }
};

void attrib(GLuint index, GLint size, GLenum type, bool normalized, GLsizei stride, size_t offset,
            bool instanced) {
    glEnableVertexAttribArray(index);
    glVertexAttribPointer(index, size, type, normalized ? GL_TRUE : GL_FALSE, stride,
                          reinterpret_cast<const void*>(offset));
    glVertexAttribDivisor(index, instanced ? 1 : 0);
}

// Instanced arrays start at instance `first` by moving the attribute pointers: GL 3.3 has no
// base-instance draw.
void line_attributes(GLuint vbo, size_t first) {
    glBindBuffer(GL_ARRAY_BUFFER, vbo);
    const size_t base = first * sizeof(LineInstance);
    attrib(0, 4, GL_FLOAT, false, sizeof(LineInstance), base + offsetof(LineInstance, ax), true);
    attrib(1, 4, GL_UNSIGNED_BYTE, true, sizeof(LineInstance), base + offsetof(LineInstance, color), true);
    attrib(2, 4, GL_FLOAT, false, sizeof(LineInstance), base + offsetof(LineInstance, width_px), true);
}
void point_attributes(GLuint vbo, size_t first) {
    glBindBuffer(GL_ARRAY_BUFFER, vbo);
    const size_t base = first * sizeof(PointInstance);
    attrib(0, 2, GL_FLOAT, false, sizeof(PointInstance), base + offsetof(PointInstance, x), true);
    attrib(1, 4, GL_UNSIGNED_BYTE, true, sizeof(PointInstance), base + offsetof(PointInstance, fill), true);
    attrib(2, 4, GL_UNSIGNED_BYTE, true, sizeof(PointInstance), base + offsetof(PointInstance, outline),
           true);
    attrib(3, 2, GL_FLOAT, false, sizeof(PointInstance), base + offsetof(PointInstance, size_px), true);
}

/** The runs of an array to draw in `view`: adjacent visible bands merged into one draw. */
std::vector<std::pair<size_t, size_t>> visible_runs(const std::vector<ScaleBand>& bands, size_t total,
                                                    const MapView& view) {
    std::vector<std::pair<size_t, size_t>> runs;
    if (bands.empty()) {
        if (total) runs.emplace_back(0, total);
        return runs;
    }
    // Grown by the widest symbol or line so nothing at the screen's edge is cut off.
    const Box shown = view.world_box();
    const double margin = 24 * view.mpp, mpp = view.mpp;
    const Box screen = shown.grown(margin);
    for (const auto& b : bands) {
        if (mpp >= b.max_mpp || mpp < b.min_mpp || !b.count || !screen.intersects(b.bounds)) continue;
        if (!runs.empty() && runs.back().first + runs.back().second == b.first)
            runs.back().second += b.count;
        else
            runs.emplace_back(b.first, b.count);
    }
    return runs;
}

/** A layer's value raster as a float texture with its quad. */
struct GpuRaster {
    GLuint texture = 0;
    Batch quad;
    float vmax = 1;
};

/** A layer's colours by feature (SceneLayer::fill_colors): a buffer seen as an RGBA8 texture buffer. */
struct GpuColors {
    GLuint buffer = 0, texture = 0;
    size_t count = 0;
    uint64_t revision = 0;
    void destroy() {
        if (texture) glDeleteTextures(1, &texture);
        if (buffer) glDeleteBuffers(1, &buffer);
        texture = buffer = 0, count = 0;
    }
};

struct GpuLayer {
    uint64_t revision = 0;
    Batch fills, lines, points;
    GpuColors colors;
    bool indexed = false;  // the fills' colours are rows of `colors` (else each vertex has its own)
    GpuRaster raster;
    std::vector<GpuRaster> images;  // RGBA textures of the layer's images (basemaps)
};

/** A quad over `extent` (relative to `origin`) with v = 0 at the top row, into r.quad. */
void upload_quad(GpuRaster& r, const Box& extent, const Vec2 origin) {
    if (!r.quad.vao) {
        r.quad.create();
        glBindVertexArray(r.quad.vao);
        glBindBuffer(GL_ARRAY_BUFFER, r.quad.vbo);
        attrib(0, 2, GL_FLOAT, false, 4 * sizeof(float), 0, false);
        attrib(1, 2, GL_FLOAT, false, 4 * sizeof(float), 2 * sizeof(float), false);
        glBindVertexArray(0);
    }
    const float x0 = float(extent.xmin - origin.x), x1 = float(extent.xmax - origin.x);
    const float y0 = float(extent.ymin - origin.y), y1 = float(extent.ymax - origin.y);
    // Row 0 of the image is the top (ymax): v = 0 there.
    const float quad[] = {x0, y0, 0, 1, x1, y0, 1, 1, x0, y1, 0, 0, x1, y1, 1, 0};
    glBindBuffer(GL_ARRAY_BUFFER, r.quad.vbo);
    glBufferData(GL_ARRAY_BUFFER, sizeof quad, quad, GL_STATIC_DRAW);
    glBindBuffer(GL_ARRAY_BUFFER, 0);
    r.quad.count = 4;
}

void texture_params() {
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
}

void destroy(GpuRaster& r) {
    r.quad.destroy();
    if (r.texture) glDeleteTextures(1, &r.texture);
    r.texture = 0;
}

}  // namespace

struct MapRenderer::Impl {
    Program fill, line, point, raster, basemap;
    GLint raster_vmax = -1, raster_values = -1, basemap_image = -1, fill_indexed = -1;
    uint64_t uploaded = 0;  // bytes, for uploaded_bytes()
    GLint max_colors = 0;   // GL_MAX_TEXTURE_BUFFER_SIZE: ≥ 65,536 features (GL 3.3), 2^27 on common drivers
    // By id and key: the source layers no role uses share LayerId::Other, one SceneLayer each.
    std::map<std::pair<LayerId, std::string>, GpuLayer> layers;

    /** The raster of L as an R32F texture (linear filtering smooths the cells) and a quad over its extent. */
    void upload_raster(const SceneLayer& L, const Vec2 origin, GpuRaster& r) {
        const ScalarRaster& src = L.raster;
        if (src.values.empty() || src.width <= 0 || src.height <= 0) {
            r.quad.count = 0;
            return;
        }
        if (!r.texture) glGenTextures(1, &r.texture);
        glBindTexture(GL_TEXTURE_2D, r.texture);
        glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
        glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, src.width, src.height, 0, GL_RED, GL_FLOAT, src.values.data());
        uploaded += src.values.size() * sizeof(float);
        texture_params();
        glBindTexture(GL_TEXTURE_2D, 0);
        upload_quad(r, src.extent, origin);
        r.vmax = src.vmax;
    }

    /** The RGBA images of L (basemaps) as RGBA8 textures, each with a quad over its extent. */
    void upload_images(const SceneLayer& L, const Vec2 origin, GpuLayer& g) {
        for (size_t i = L.images.size(); i < g.images.size(); ++i) destroy(g.images[i]);
        g.images.resize(L.images.size());
        for (size_t i = 0; i < L.images.size(); ++i) {
            const RasterImage& src = L.images[i];
            GpuRaster& r = g.images[i];
            if (src.width <= 0 || src.height <= 0 || src.rgba.size() < size_t(src.width) * src.height * 4) {
                r.quad.count = 0;
                continue;
            }
            if (!r.texture) glGenTextures(1, &r.texture);
            glBindTexture(GL_TEXTURE_2D, r.texture);
            glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
            glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, src.width, src.height, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                         src.rgba.data());
            uploaded += size_t(src.width) * src.height * 4;
            texture_params();
            glBindTexture(GL_TEXTURE_2D, 0);
            upload_quad(r, src.extent, origin);
        }
    }

    void upload(const SceneLayer& L, GpuLayer& g) {
        if (!g.fills.vao) {
            g.fills.create();
            g.lines.create();
            g.points.create();
            glBindVertexArray(g.fills.vao);
            glBindBuffer(GL_ARRAY_BUFFER, g.fills.vbo);
            attrib(0, 2, GL_FLOAT, false, sizeof(FillVertex), offsetof(FillVertex, x), false);
            attrib(1, 4, GL_UNSIGNED_BYTE, true, sizeof(FillVertex), offsetof(FillVertex, color), false);
            // The same four bytes as an integer: the feature's row in the colour buffer (indexed layers).
            glEnableVertexAttribArray(2);
            glVertexAttribIPointer(2, 1, GL_UNSIGNED_INT, sizeof(FillVertex),
                                   reinterpret_cast<const void*>(offsetof(FillVertex, color)));
            glBindVertexArray(g.lines.vao);
            line_attributes(g.lines.vbo, 0);
            glBindVertexArray(g.points.vao);
            point_attributes(g.points.vbo, 0);
            glBindVertexArray(0);
        }
        auto put = [this](Batch& b, const void* data, size_t bytes, size_t count) {
            uploaded += bytes;
            glBindBuffer(GL_ARRAY_BUFFER, b.vbo);
            glBufferData(GL_ARRAY_BUFFER, GLsizeiptr(bytes), bytes ? data : nullptr, GL_STATIC_DRAW);
            b.count = GLsizei(count);
        };
        g.indexed = !L.fill_colors.empty() && L.fill_colors.size() <= size_t(max_colors);
        if (!L.fill_colors.empty() && !g.indexed) {
            // More features than the driver's texture buffers hold: each vertex gets its colour here,
            // and a recolouring uploads the vertices again.
            std::vector<FillVertex> coloured = L.fills;
            for (FillVertex& v : coloured)
                v.color = v.color < L.fill_colors.size() ? L.fill_colors[v.color] : 0;
            put(g.fills, coloured.data(), coloured.size() * sizeof(FillVertex), coloured.size());
        } else {
            put(g.fills, L.fills.data(), L.fills.size() * sizeof(FillVertex), L.fills.size());
        }
        if (g.indexed)
            upload_colors(L, g.colors);
        else
            g.colors.destroy();
        g.colors.revision = L.fill_colors_revision;
        put(g.lines, L.lines.data(), L.lines.size() * sizeof(LineInstance), L.lines.size());
        put(g.points, L.points.data(), L.points.size() * sizeof(PointInstance), L.points.size());
        glBindBuffer(GL_ARRAY_BUFFER, 0);
        g.revision = L.revision;
    }

    /** L.fill_colors into the layer's colour buffer: in place when their number is unchanged. */
    void upload_colors(const SceneLayer& L, GpuColors& c) {
        const size_t n = L.fill_colors.size();
        if (!c.buffer) {
            glGenBuffers(1, &c.buffer);
            glGenTextures(1, &c.texture);
        }
        glBindBuffer(GL_TEXTURE_BUFFER, c.buffer);
        if (n == c.count) {
            glBufferSubData(GL_TEXTURE_BUFFER, 0, GLsizeiptr(n * sizeof(Rgba)), L.fill_colors.data());
        } else {
            glBufferData(GL_TEXTURE_BUFFER, GLsizeiptr(n * sizeof(Rgba)), L.fill_colors.data(), GL_DYNAMIC_DRAW);
            glBindTexture(GL_TEXTURE_BUFFER, c.texture);
            glTexBuffer(GL_TEXTURE_BUFFER, GL_RGBA8, c.buffer);
            glBindTexture(GL_TEXTURE_BUFFER, 0);
            c.count = n;
        }
        glBindBuffer(GL_TEXTURE_BUFFER, 0);
        c.revision = L.fill_colors_revision;
        uploaded += n * sizeof(Rgba);
    }
};

MapRenderer::MapRenderer() : impl_(std::make_unique<Impl>()) {
    impl_->fill.build("fill_vs", "fill_fs");
    impl_->fill_indexed = glGetUniformLocation(impl_->fill.id, "u_indexed");
    glUseProgram(impl_->fill.id);
    glUniform1i(glGetUniformLocation(impl_->fill.id, "u_colors"), 1);  // texture unit 1: unit 0 is the rasters'
    glUseProgram(0);
    glGetIntegerv(GL_MAX_TEXTURE_BUFFER_SIZE, &impl_->max_colors);
    impl_->line.build("line_vs", "line_fs");
    impl_->point.build("point_vs", "point_fs");
    impl_->raster.build("raster_vs", "raster_fs");
    impl_->raster_vmax = glGetUniformLocation(impl_->raster.id, "u_vmax");
    impl_->raster_values = glGetUniformLocation(impl_->raster.id, "u_values");
    impl_->basemap.build("raster_vs", "basemap_fs");
    impl_->basemap_image = glGetUniformLocation(impl_->basemap.id, "u_image");
}

MapRenderer::~MapRenderer() {
    for (auto& [id, g] : impl_->layers) {
        g.fills.destroy();
        g.lines.destroy();
        g.points.destroy();
        g.colors.destroy();
        destroy(g.raster);
        for (auto& r : g.images) destroy(r);
    }
    for (Program* p : {&impl_->fill, &impl_->line, &impl_->point, &impl_->raster, &impl_->basemap})
        if (p->id) glDeleteProgram(p->id);
}

void MapRenderer::sync(const Scene& scene) {
    for (const auto& L : scene.layers) {
        GpuLayer& g = impl_->layers[{L.id, L.key}];
        if (g.revision != L.revision) {
            impl_->upload(L, g);
            impl_->upload_raster(L, scene.origin, g.raster);
            impl_->upload_images(L, scene.origin, g);
        } else if (g.colors.revision != L.fill_colors_revision) {
            if (g.indexed) impl_->upload_colors(L, g.colors);
            else impl_->upload(L, g);  // colours too many for a texture buffer: in the vertices
        }
    }
}

uint64_t MapRenderer::uploaded_bytes() const { return impl_->uploaded; }

void MapRenderer::draw(const Scene& scene, const MapView& view, Rgba background, Part part) {
    sync(scene);
    glViewport(0, 0, view.width, view.height);
    glDisable(GL_DEPTH_TEST);
    glDisable(GL_CULL_FACE);
    glDisable(GL_SCISSOR_TEST);
    if (part != Part::Symbols) {
        glClearColor((background & 255) / 255.f, (background >> 8 & 255) / 255.f,
                     (background >> 16 & 255) / 255.f, 1);
        glClear(GL_COLOR_BUFFER_BIT);
    }
    glEnable(GL_BLEND);
    // Keep destination alpha opaque-ish so read-back images are not see-through where symbols blend.
    glBlendFuncSeparate(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA, GL_ONE, GL_ONE_MINUS_SRC_ALPHA);

    // The offset is formed in double precision: origin and centre are both ~2.7e6 m.
    const float off_x = float(scene.origin.x - view.center.x), off_y = float(scene.origin.y - view.center.y);
    const float ppm = float(1.0 / view.mpp);
    // Full size up to 6 m a pixel (a community on screen), then shrinking to half at county scale.
    const float symbol_scale = float(std::clamp(std::sqrt(6.0 / view.mpp), 0.5, 1.0));
    // A line's coverage, computed at a pixel's centre, is 0 from half a pixel past its edge
    // (line_fs), a symbol's from 0.71 px (point_fs: the diamond's distance is short by up to 1/√2
    // near its corners): on one sample a pixel (the viewer on a software rasteriser) the quads
    // reach that far and no further, since wider ones only shade fragments that are discarded (a
    // prefecture's extent is mostly segments shorter than a pixel and 5 px symbols, whose quads were
    // 2-3 times the pixels they colour). A multisampled target keeps the wider quads: a pixel shaded
    // at its centre is written only to the samples the quad covers, up to ~0.53 px off it.
    GLint samples = 0;
    glGetIntegerv(GL_SAMPLES, &samples);
    const float line_pad = samples > 1 ? 1.0f : 0.5f, point_pad = samples > 1 ? 1.5f : 0.75f;
    auto use = [&](const Program& p, float opacity, const LayerStyle& style = LayerStyle{}) {
        glUseProgram(p.id);
        glUniform2f(p.offset, off_x, off_y);
        glUniform1f(p.ppm, ppm);
        glUniform2f(p.half, view.width * 0.5f, view.height * 0.5f);
        glUniform1f(p.opacity, opacity);
        if (p.symbol_scale >= 0) glUniform1f(p.symbol_scale, symbol_scale);
        if (p.recolor >= 0) {
            const Rgba c = style.color;
            if (style.recolor)
                glUniform4f(p.recolor, (c & 255) / 255.f, (c >> 8 & 255) / 255.f, (c >> 16 & 255) / 255.f,
                            (c >> 24 & 255) / 255.f);
            else
                glUniform4f(p.recolor, 0, 0, 0, -1);
        }
        if (p.width_scale >= 0) glUniform1f(p.width_scale, std::max(style.line_width, 0.f));
        if (p.size_scale >= 0) glUniform1f(p.size_scale, std::max(style.point_size, 0.f));
        if (p.pad >= 0) glUniform1f(p.pad, &p == &impl_->point ? point_pad : line_pad);
    };
    // Lines and points are instanced quads: each visible run points the instance attributes at its
    // first segment or symbol.
    auto draw_instanced = [&](const Program& p, const SceneLayer& L, const Batch& b,
                              const std::vector<ScaleBand>& bands, void (*attributes)(GLuint, size_t)) {
        if (!b.count) return;
        use(p, L.opacity, L.style);
        glBindVertexArray(b.vao);
        for (auto [first, count] : visible_runs(bands, size_t(b.count), view)) {
            attributes(b.vbo, first);
            glDrawArraysInstanced(GL_TRIANGLES, 0, 6, GLsizei(count));
        }
    };
    // The visible layers from `top` on draw lines and symbols only.
    auto shown = [](const SceneLayer& L) { return L.visible && L.opacity > 0; };
    size_t top = scene.layers.size();
    for (; top > 0; --top) {
        const SceneLayer& L = scene.layers[top - 1];
        const GpuLayer& g = impl_->layers[{L.id, L.key}];
        if (shown(L) && (g.fills.count || g.raster.quad.count || !g.images.empty())) break;
    }
    const size_t from = part == Part::Symbols ? top : 0;
    const size_t to = part == Part::UnderSymbols ? top : scene.layers.size();
    for (size_t li = from; li < to; ++li) {
        const SceneLayer& L = scene.layers[li];
        if (!shown(L)) continue;
        const GpuLayer& g = impl_->layers[{L.id, L.key}];
        for (const GpuRaster& img : g.images) {
            if (!img.quad.count) continue;
            use(impl_->basemap, L.opacity);
            glUniform1i(impl_->basemap_image, 0);
            glActiveTexture(GL_TEXTURE0);
            glBindTexture(GL_TEXTURE_2D, img.texture);
            glBindVertexArray(img.quad.vao);
            glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
            glBindTexture(GL_TEXTURE_2D, 0);
        }
        if (g.raster.quad.count) {
            use(impl_->raster, L.opacity);
            glUniform1f(impl_->raster_vmax, g.raster.vmax);
            glUniform1i(impl_->raster_values, 0);
            glActiveTexture(GL_TEXTURE0);
            glBindTexture(GL_TEXTURE_2D, g.raster.texture);
            glBindVertexArray(g.raster.quad.vao);
            glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
            glBindTexture(GL_TEXTURE_2D, 0);
        }
        if (g.fills.count) {
            use(impl_->fill, L.opacity, L.style);
            glUniform1i(impl_->fill_indexed, g.indexed ? 1 : 0);
            if (g.indexed) {
                glActiveTexture(GL_TEXTURE1);
                glBindTexture(GL_TEXTURE_BUFFER, g.colors.texture);
            }
            glBindVertexArray(g.fills.vao);
            for (auto [first, count] : visible_runs(L.fill_bands, size_t(g.fills.count), view))
                glDrawArrays(GL_TRIANGLES, GLint(first), GLsizei(count));
            if (g.indexed) {
                glBindTexture(GL_TEXTURE_BUFFER, 0);
                glActiveTexture(GL_TEXTURE0);
            }
        }
        draw_instanced(impl_->line, L, g.lines, L.line_bands, line_attributes);
        draw_instanced(impl_->point, L, g.points, L.point_bands, point_attributes);
    }
    glBindVertexArray(0);
    glUseProgram(0);
}

std::vector<uint8_t> render_image(const Scene& scene, const MapView& view, OffscreenLabelPainter* labels,
                                  int max_tile) {
    const int side =
        max_tile > 0 ? std::min(max_tile, max_framebuffer_side()) : std::min(4096, max_framebuffer_side());
    const int tw = std::min(view.width, side), th = std::min(view.height, side);
    std::vector<PlacedLabel> placed;
    if (labels) placed = place_labels(scene, view, labels->measure());
    MapRenderer renderer;
    OffscreenTarget target(tw, th);
    std::vector<uint8_t> image(size_t(view.width) * view.height * 4);
    for (int y0 = 0; y0 < view.height; y0 += th)
        for (int x0 = 0; x0 < view.width; x0 += tw) {
            // A tile is a view of its own: same scale, centred on the tile's middle. Edge tiles
            // are drawn full size and cropped, so every tile has exactly the same pixel grid.
            MapView tile = view;
            tile.width = tw, tile.height = th;
            tile.center = view.to_world({x0 + tw / 2.0, y0 + th / 2.0});
            target.bind();
            renderer.draw(scene, tile, kMapBackground, MapRenderer::Part::UnderSymbols);
            target.bind_resolved();
            renderer.draw(scene, tile, kMapBackground, MapRenderer::Part::Symbols);
            if (labels && !placed.empty()) labels->paint(placed, tw, th, {double(x0), double(y0)});
            const auto px = target.read();
            const int cw = std::min(tw, view.width - x0), ch = std::min(th, view.height - y0);
            for (int y = 0; y < ch; ++y)
                std::memcpy(&image[(size_t(y0 + y) * view.width + x0) * 4], &px[size_t(y) * tw * 4],
                            size_t(cw) * 4);
        }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    return image;
}

}  // namespace gw::app
