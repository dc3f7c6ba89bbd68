// Wall mode: stepping through scenes, the borderless window and the off-screen wall image (wall.h).
//
// [SECTION] Scenes          visibility and view only: switching never touches GPU data
// [SECTION] Off-screen      `gridwatch render --wall`, tiled, overlay drawn per tile
// [SECTION] Window          `gridwatch view --wall`
#define GLFW_INCLUDE_NONE
#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <epoxy/gl.h>
#include <imgui.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <set>
#include <thread>

#include "app/render/gl_context.h"
#include "app/render/labels.h"
#include "app/render/renderer.h"
#include "app/viewer/viewer.h"
#include "app/viewer/window.h"
#include "app/wall/wall.h"
#include "geo/core/error.h"
#include "geo/store/pg.h"

namespace gw::app {

// ---------------------------------------------------------------------------------------------
// [SECTION] Scenes
// ---------------------------------------------------------------------------------------------

namespace {

/** Layers shown when a scene names none: the viewer's defaults (daily work is off on the plain map). */
bool default_visible(const std::string& key) {
    return key != "choropleth" && key != "candidates" && key != "checks" && key != "patrols";
}

}  // namespace

Box wall_scene_extent(const gw::Scene& s, const Box& data) {
    const Box& e = s.extent;
    const bool finite = std::isfinite(e.xmin) && std::isfinite(e.ymin) && std::isfinite(e.xmax) && std::isfinite(e.ymax);
    return e.empty() || !finite ? data : e;
}

bool wall_scene_has_list(const gw::Scene& s) { return s.overlay == "checks"; }

MapView wall_view(const Box& extent, int w, int h, bool beside_list) {
    const WallLayout L = wall_layout(w, h);
    const Box area = beside_list ? L.beside_list : L.map;
    const double m = std::max(extent.width(), extent.height()) * 0.02;
    const Box e = extent.grown(m);
    const MapView fitted = MapView::fit(e, std::max(1, int(area.width())), std::max(1, int(area.height())));
    MapView v;
    v.width = w, v.height = h, v.mpp = fitted.mpp;
    const Vec2 mid = area.center();
    v.center = e.center() - Vec2{(mid.x - w / 2.0) * v.mpp, -(mid.y - h / 2.0) * v.mpp};
    return v;
}

WallScenes::WallScenes(std::vector<gw::Scene> scenes) : scenes_(std::move(scenes)) {
    if (scenes_.empty()) throw Error("the project has no scenes", {}, "add scenes to DATASET.gridwatch.json");
}

size_t WallScenes::find(const std::string& name) const {
    std::string names;
    for (size_t i = 0; i < scenes_.size(); ++i) {
        if (scenes_[i].name == name) return i;
        names += (i ? ", " : "") + scenes_[i].name;
    }
    throw Error("no scene '" + name + "' in the project", {}, "give one of: " + names);
}

void WallScenes::check_against(const Scene& map, const std::string& project_file) const {
    std::string keys = "basemap";
    for (const auto& L : map.layers)
        if (L.key != "basemap") keys += ", " + L.key;
    for (size_t i = 0; i < scenes_.size(); ++i) {
        const gw::Scene& s = scenes_[i];
        const Error::Where where{project_file, "", "", "scenes." + s.name};
        for (size_t j = 0; j < i; ++j)
            if (scenes_[j].name == s.name)
                throw Error("two scenes are named '" + s.name + "'", where, "give each scene its own name");
        // The basemap and the analyses' layers are drawn where they are made (a basemap given, an
        // overlay a scene asks for): named, they are no error where this map has none yet.
        static const std::set<std::string> made_later = {"basemap", "coverage",    "gaps",    "hotspots",
                                                         "plan",    "gi",          "warning", "check_cells",
                                                         "daily",   "daily_tracks"};
        for (const auto& l : s.layers)
            if (!made_later.count(l) && std::none_of(map.layers.begin(), map.layers.end(),
                                                     [&](const SceneLayer& L) { return L.key == l; }))
                throw Error("the scene names a layer '" + l + "' the map does not have", where,
                            "name some of: " + keys);
        if (!s.overlay.empty() && wall_overlay_layer(s.overlay) == LayerId::Count)
            throw Error("the scene's overlay '" + s.overlay + "' is none the wall has", where,
                        "give one of coverage, gaps, kde, gi, warning, checks, or none");
    }
}

void WallScenes::apply(Scene& map, MapView& view, int w, int h) const {
    const gw::Scene& s = scene();
    const LayerId overlay = wall_overlay_layer(s.overlay);
    for (auto& L : map.layers) {
        L.visible = s.layers.empty() ? default_visible(L.key)
                                     : std::find(s.layers.begin(), s.layers.end(), L.key) != s.layers.end();
        // Analysis overlays only on the scenes that ask for them (their layers are built once).
        if (wall_overlay_layer("gaps") == L.id || wall_overlay_layer("kde") == L.id ||
            wall_overlay_layer("coverage") == L.id || wall_overlay_layer("gi") == L.id ||
            wall_overlay_layer("warning") == L.id || wall_overlay_layer("checks") == L.id)
            L.visible = L.id == overlay;
    }
    view = wall_view(wall_scene_extent(s, map.extent), w, h, wall_scene_has_list(s));
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Off-screen
// ---------------------------------------------------------------------------------------------

std::vector<uint8_t> render_wall_image(const Dataset& ds, const std::vector<gw::Scene>& scenes,
                                       const std::string& scene_name, int w, int h, MapView& view_out,
                                       int max_tile, const WallContent* fixed,
                                       const std::vector<std::string>& basemaps, Lang lang) {
    WallScenes ws(scenes);
    if (!scene_name.empty()) ws.go(ws.find(scene_name));
    const gw::Scene& sc = ws.scene();
    const MapView view = wall_view(wall_scene_extent(sc, scene_extent(ds)), w, h, wall_scene_has_list(sc));
    // As render's: cells, roads, buildings, parcels and sectors off the image are left out.
    Scene map = build_scene(ds, view.mpp, /*lod=*/true, view.image_box());
    ws.check_against(map, project_path_for(ds.source));
    darken_scene_for_wall(map, ds);
    add_basemaps(map, basemaps, ds.work_crs_wkt.empty() ? ds.work_crs : ds.work_crs_wkt,
                 std::min(8192, 2 * std::max(w, h)));
    view_out = view;

    // One scene is drawn: only its overlay is computed (the coverage report serves the tile too).
    const bool coverage_overlay = sc.overlay == "gaps" || sc.overlay == "coverage";
    std::optional<CoverageReport> report;
    if (!fixed || coverage_overlay) try {
            report = wall_coverage_report(ds, sc.overlay == "gaps");
        } catch (const Error&) {
            // no level-4 cells to measure: the tile shows "—" and there are no gaps
        }
    WallContent content;
    if (fixed) {
        content = *fixed;
    } else {
        content.figures = wall_figures(ds, wall_clock_now().second.substr(0, 10));
        content.lang = lang;
        if (report)
            content.figures.coverage = report->total.coverage;
        else
            content.figures.coverage_unavailable = true;
        std::tie(content.clock, content.date) = wall_clock_now(lang);
    }
    if (coverage_overlay && report) add_wall_coverage_overlays(map, ds, *report);
    if (sc.overlay == "kde") add_wall_kde_overlay(map, ds, content.figures.month);
    if (sc.overlay == "gi") add_wall_gi_overlay(map, ds, content.figures.month);
    if (sc.overlay == "warning") add_wall_warning_overlay(map, ds, content.figures.month);
    if (sc.overlay == "checks" && content.figures.checks) add_wall_checks_overlay(map, ds, content.figures.checks->date);
    MapView ignored;
    ws.apply(map, ignored, w, h);
    content.overlay = sc.overlay;
    content.others = wall_other_legend(map, ds);
    content.title = wall_mask_text(sc.title, ds);
    content.subtitle = wall_mask_text(sc.subtitle, ds);
    content.mpp = view.mpp;

    // A private ImGui context draws the overlay into each tile, shifted by the tile's corner: the
    // same draw list for every tile, clipped by the tile, so text and tiles line up at the seams.
    ImGuiContext* previous = ImGui::GetCurrentContext();
    ImGuiContext* ctx = ImGui::CreateContext();
    ImGui::SetCurrentContext(ctx);
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    io.LogFilename = nullptr;
    const WallFonts fonts = load_wall_fonts(
        io.Fonts, w, h, wall_glyph_text(ds, scenes) + content.title + content.subtitle + content.date);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    io.Fonts->Build();
    // Placed once over the whole image, drawn per tile: no name is cut twice or lost at a seam.
    const std::vector<PlacedLabel> labels = wall_labels(map, view, fonts, wall_scene_has_list(sc));
    content.labels = &labels;

    const int side = max_tile > 0 ? std::min(max_tile, max_framebuffer_side()) : std::min(4096, max_framebuffer_side());
    const int tw = std::min(w, side), th = std::min(h, side);
    std::vector<uint8_t> image(size_t(w) * h * 4);
    {
        MapRenderer renderer;
        // Multisampling costs ~3× on a software rasteriser; lines and symbols antialias in their shaders.
        OffscreenTarget target(tw, th, software_renderer() ? 1 : 4);
        for (int y0 = 0; y0 < h; y0 += th)
            for (int x0 = 0; x0 < w; x0 += tw) {
                MapView tile = view;
                tile.width = tw, tile.height = th;
                tile.center = view.to_world({x0 + tw / 2.0, y0 + th / 2.0});
                target.bind();
                renderer.draw(map, tile, kWallBackground);
                target.bind_resolved();  // the overlay's text and shapes are antialiased by ImGui
                io.DisplaySize = ImVec2(float(tw), float(th));
                io.DeltaTime = 1.0f / 60;
                ImGui_ImplOpenGL3_NewFrame();
                ImGui::NewFrame();
                draw_wall_overlay(ImGui::GetBackgroundDrawList(), fonts, content, w, h,
                                  {-double(x0), -double(y0)});
                ImGui::Render();
                ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
                const auto px = target.read();
                const int cw = std::min(tw, w - x0), ch = std::min(th, h - y0);
                for (int y = 0; y < ch; ++y)
                    std::memcpy(&image[(size_t(y0 + y) * w + x0) * 4], &px[size_t(y) * tw * 4], size_t(cw) * 4);
            }
    }
    glBindFramebuffer(GL_FRAMEBUFFER, 0);
    ImGui_ImplOpenGL3_Shutdown();
    ImGui::DestroyContext(ctx);
    ImGui::SetCurrentContext(previous);
    return image;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Window
// ---------------------------------------------------------------------------------------------

namespace {

/** Position and size of the wall: one monitor's video mode, or the union of all monitors. */
struct WallRect {
    int x = 0, y = 0, w = 0, h = 0;
};

WallRect wall_rect(const std::string& which) {
    int n = 0;
    GLFWmonitor** monitors = glfwGetMonitors(&n);
    if (n == 0 || !monitors) throw Error("no monitor found", {}, "connect the wall's displays");
    auto rect_of = [](GLFWmonitor* m) {
        WallRect r;
        glfwGetMonitorPos(m, &r.x, &r.y);
        const GLFWvidmode* mode = glfwGetVideoMode(m);
        r.w = mode ? mode->width : 1920, r.h = mode ? mode->height : 1080;
        return r;
    };
    if (which == "all") {
        WallRect u = rect_of(monitors[0]);
        int x1 = u.x + u.w, y1 = u.y + u.h;
        for (int i = 1; i < n; ++i) {
            const WallRect r = rect_of(monitors[i]);
            u.x = std::min(u.x, r.x), u.y = std::min(u.y, r.y);
            x1 = std::max(x1, r.x + r.w), y1 = std::max(y1, r.y + r.h);
        }
        u.w = x1 - u.x, u.h = y1 - u.y;
        return u;
    }
    char* end = nullptr;
    const long i = std::strtol(which.c_str(), &end, 10);
    if (which.empty() || *end || i < 0 || i >= n)
        throw Error("no monitor '" + which + "' (this desktop has " + std::to_string(n) + ")", {},
                    "give --monitor 0.." + std::to_string(n - 1) + " or --monitor all");
    return rect_of(monitors[i]);
}

double median(std::vector<double> v) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    return v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
}

}  // namespace

namespace {

/** The wall's borderless window on the monitor(s) chosen, or at the size given, its context current. */
GLFWwindow* open_wall_window(const WallOptions& options) {
    WallRect r;
    if (options.width > 0 && options.height > 0)
        r = {0, 0, options.width, options.height};
    else
        r = wall_rect(options.monitor);
    hint_gl33_core();
    // Borderless, not exclusive fullscreen: no mode switch, and one window may span monitors
    // (or fill one video-wall controller that presents the whole wall as a single huge monitor).
    glfwWindowHint(GLFW_DECORATED, GLFW_FALSE);
    glfwWindowHint(GLFW_AUTO_ICONIFY, GLFW_FALSE);
    glfwWindowHint(GLFW_FOCUS_ON_SHOW, GLFW_TRUE);
    GLFWwindow* window = glfwCreateWindow(r.w, r.h, "gridwatch wall", nullptr, nullptr);
    if (!window)
        throw Error("cannot open a " + std::to_string(r.w) + "×" + std::to_string(r.h) + " OpenGL 3.3 window", {},
                    "check the graphics driver, or pick one monitor with --monitor N");
    glfwSetWindowPos(window, r.x, r.y);
    glfwMakeContextCurrent(window);
    glfwSwapInterval(options.timing || options.frames ? 0 : 1);
    glfwSetInputMode(window, GLFW_CURSOR, GLFW_CURSOR_HIDDEN);
    return window;
}

/** The coverage figure and report, filled by the coverage thread; `done` says when. */
struct WallCoverage {
    std::atomic<bool> done{false};
    double value = 0;
    std::optional<CoverageReport> report;  // with gaps, for the scenes' gaps and coverage overlays
};

/**
 * Coverage takes seconds at county size: the tile shows "…" until the thread is done. The
 * thread owns a reference to the dataset, so leaving early does not pull it away.
 */
std::shared_ptr<WallCoverage> start_wall_coverage(std::shared_ptr<const Dataset> ds, const WallScenes& scenes) {
    auto cov = std::make_shared<WallCoverage>();
    bool want_gaps = false;
    for (const auto& s : scenes.all()) want_gaps |= s.overlay == "gaps";
    std::thread([ds, cov, want_gaps] {
        // Lowest priority (the nice value is per thread on Linux, and its workers inherit it): the
        // wall's frames, drawn by the CPU on a software rasteriser, come first.
        setpriority(PRIO_PROCESS, id_t(syscall(SYS_gettid)), 19);
        try {
            cov->report = wall_coverage_report(*ds, want_gaps);
            cov->value = cov->report->total.coverage;
        } catch (const std::exception&) {
            cov->value = -1;  // no level-4 cells: the tile shows "—"
        }
        cov->done = true;
    }).detach();
    return cov;
}

/**
 * The map every scene shows: the darkened dataset, basemaps, and the KDE, Gi* and warning
 * overlays the scenes use, computed once now (gaps and coverage come when the thread is done).
 */
Scene build_wall_map(const Dataset& ds, const WallScenes& scenes, const WallOptions& options,
                     const WallFigures& figures) {
    const std::string& month = figures.month;
    Scene map = build_scene(ds);
    darken_scene_for_wall(map, ds);
    add_basemaps(map, options.basemaps, ds.work_crs_wkt.empty() ? ds.work_crs : ds.work_crs_wkt);
    bool want_kde = false, want_gi = false, want_warning = false, want_checks = false;
    for (const auto& s : scenes.all())
        want_kde |= s.overlay == "kde", want_gi |= s.overlay == "gi", want_warning |= s.overlay == "warning",
            want_checks |= s.overlay == "checks";
    if (want_kde) add_wall_kde_overlay(map, ds, month);
    if (want_gi) add_wall_gi_overlay(map, ds, month);
    if (want_warning) add_wall_warning_overlay(map, ds, month);
    if (want_checks && figures.checks) add_wall_checks_overlay(map, ds, figures.checks->date);
    return map;
}

/** The wall's state between frames, and one frame: keys, the coverage arriving, map and overlay. */
class WallLoop {
public:
    WallLoop(GLFWwindow* window, std::shared_ptr<const Dataset> ds, WallScenes& scenes, const WallFonts& fonts,
             const WallOptions& options, WallFigures figures, std::shared_ptr<WallCoverage> cov, int fw, int fh,
             std::unique_ptr<store::LiveListener> live = nullptr)
        : window_(window),
          ds_(std::move(ds)),
          scenes_(scenes),
          fonts_(fonts),
          options_(options),
          io_(ImGui::GetIO()),
          cov_(std::move(cov)),
          figures_(std::move(figures)),
          map_(build_wall_map(*ds_, scenes_, options_, figures_)),
          fw_(fw),
          fh_(fh),
          live_(std::move(live)) {
        scenes_.check_against(map_, project_path_for(ds_->source));
        // Each overlay is uploaded once and only shown or hidden by scene.
        renderer_.sync(map_);  // every layer on the GPU once; switching scenes only changes the view
        scenes_.apply(map_, view_, std::max(1, fw_), std::max(1, fh_));
        last_switch_ = Clock::now();
        last_frame_ = last_scripted_frame(options.frames, options.events.size(), !options.screenshot.empty());
        io_.Fonts->Build();
        labels_ = wall_labels(map_, view_, fonts_, wall_scene_has_list(scenes_.scene()));
        if (live_ && last_frame_ > 0) print_figures("start");
    }

    /** Draws one frame; false when the window closes, the user quits or the scripted run is over. */
    bool frame() {
        if (glfwWindowShouldClose(window_) || quit_) return false;
        glfwPollEvents();
        glfwGetFramebufferSize(window_, &fw_, &fh_);
        if (fw_ != view_.width || fh_ != view_.height) {
            scenes_.apply(map_, view_, std::max(1, fw_), std::max(1, fh_));
            labels_ = wall_labels(map_, view_, fonts_, wall_scene_has_list(scenes_.scene()));
        }
        scripted_key();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        ImGui::NewFrame();
        keys();
        take_live();
        take_coverage();
        draw_overlay();
        ImGui::Render();

        glBindFramebuffer(GL_FRAMEBUFFER, 0);
        renderer_.draw(map_, view_, kWallBackground);
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        if (pending_switch_) {
            // Key to the new scene on screen (to glFinish): view change, map and overlay drawn.
            glFinish();
            switch_ms_.push_back(ms(Clock::now() - *pending_switch_));
            pending_switch_.reset();
        }
        ++frame_;
        const bool last = last_frame_ > 0 && frame_ >= last_frame_;
        present_frame(window_, last, options_.screenshot, fw_, fh_);
        return !last;
    }

    /** The scene a scripted run ends on, and with --timing the scene switch times. */
    void print_results() const {
        if (last_frame_ > 0) std::printf("scene: %s\n", scenes_.scene().name.c_str());
        if (live_ && last_frame_ > 0) {
            print_figures("end");
            bool alarm = false;
            std::printf("badge: %s\n", wall_live_badge(live_->status(), alarm, options_.lang).c_str());
        }
        if (options_.timing && !switch_ms_.empty())
            std::fprintf(stderr,
                         "timing: %zu scene switches at %dx%d, median %.1f ms, max %.1f ms to the new scene "
                         "drawn; view and visibility change median %.3f ms (%s)\n",
                         switch_ms_.size(), fw_, fh_, median(switch_ms_),
                         *std::max_element(switch_ms_.begin(), switch_ms_.end()), median(apply_ms_),
                         reinterpret_cast<const char*>(glGetString(GL_RENDERER)));
    }

private:
    using Clock = std::chrono::steady_clock;
    static double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

    void step(int d) {
        pending_switch_ = Clock::now();
        scenes_.step(d);
        scenes_.apply(map_, view_, std::max(1, fw_), std::max(1, fh_));
        labels_ = wall_labels(map_, view_, fonts_, wall_scene_has_list(scenes_.scene()));
        last_switch_ = Clock::now();
        apply_ms_.push_back(ms(last_switch_ - *pending_switch_));
    }

public:
    /** The coverage thread still running (the window may close before it ends). */
    bool coverage_running() const { return !cov_->done; }

private:

    /** The figure tiles in one line, for tests of a live wall. */
    void print_figures(const char* when) const {
        const WallFigures& f = figures_;
        std::printf("figures %s: households %d cameras %d/%d incidents %s %d %d %d %d coverage_runs %d\n", when,
                    f.households, f.cameras_online, f.cameras_total, f.month.c_str(), f.incidents[0], f.incidents[1],
                    f.incidents[2], f.incidents[3], coverage_runs_);
    }

    /**
     * A PG: dataset's changes (geo/store/live.h), applied to a copy of the dataset (the coverage
     * thread reads the one it was given): figures, map and labels from the new one, coverage
     * computed again when cameras or households changed (the old figure stays on its tile until then).
     */
    void take_live() {
        if (!live_ || !live_->pending()) return;
        Dataset next = *ds_;
        const store::LiveApplied applied = live_->apply(next);
        if (!applied.any()) return;
        // Coverage looks at cameras and households only: a new incident or check (most changes,
        // every few seconds on a county's wall) keeps the figure and overlays it has, and no
        // minutes-long coverage run starts again.
        const bool coverage_changes = applied.tables.count("cameras") || applied.tables.count("households");
        ds_ = std::make_shared<const Dataset>(std::move(next));
        const auto coverage = figures_.coverage;
        const bool unavailable = figures_.coverage_unavailable;
        figures_ = wall_figures(*ds_, wall_clock_now().second.substr(0, 10));
        figures_.coverage = coverage, figures_.coverage_unavailable = unavailable;
        // The renderer keeps each layer's GPU copy until its revision changes: the new map's
        // layers start past every revision drawn so far.
        uint64_t drawn = 0;
        for (const auto& L : map_.layers) drawn = std::max(drawn, L.revision);
        Scene old = std::move(map_);
        map_ = build_wall_map(*ds_, scenes_, options_, figures_);
        for (auto& L : map_.layers) L.revision += drawn;
        if (coverage_changes) {
            coverage_stale_ = true;
        } else {
            // Moved with their revisions: the GPU keeps the copies it has.
            for (auto [id, key, below] : {std::tuple{LayerId::Coverage, "coverage", LayerId::Choropleth},
                                          std::tuple{LayerId::Gaps, "gaps", LayerId::Grids}})
                for (auto& L : old.layers)
                    if (L.id == id) ensure_layer(map_, id, key, below) = std::move(L);
        }
        scenes_.apply(map_, view_, std::max(1, fw_), std::max(1, fh_));
        labels_ = wall_labels(map_, view_, fonts_, wall_scene_has_list(scenes_.scene()));
    }

    /** Scripted keys start after two frames, as in the viewer. */
    void scripted_key() {
        if (frame_ < 2 || size_t(frame_ - 2) >= options_.events.size()) return;
        const ScriptEvent& e = options_.events[size_t(frame_ - 2)];
        if (e.kind != ScriptEvent::Key) return;
        // Tests of a live wall: hold the frame until the store is followed (live_ready) or a
        // change has come in (live_wait), at most 20 s ...
        if ((e.key == "live_ready" || e.key == "live_wait") && live_) store::wait_live(*live_, e.key == "live_wait");
        // ... or until the coverage run going is over (its figure is taken in this frame).
        if (e.key == "coverage_done")
            for (const auto t0 = Clock::now(); !cov_->done && Clock::now() - t0 < std::chrono::seconds(20);)
                std::this_thread::sleep_for(std::chrono::milliseconds(5));
        if (e.key == "pagedown" || e.key == "right") step(+1);
        if (e.key == "pageup" || e.key == "left") step(-1);
        if (e.key == "esc") quit_ = true;
    }

    void keys() {
        // Clickers send PageDown/PageUp; the arrow keys do the same from a keyboard.
        if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_DOWN) || ImGui::IsKeyPressed(GLFW_KEY_RIGHT) ||
            ImGui::IsKeyPressed(GLFW_KEY_SPACE))
            step(+1);
        if (ImGui::IsKeyPressed(GLFW_KEY_PAGE_UP) || ImGui::IsKeyPressed(GLFW_KEY_LEFT)) step(-1);
        if (ImGui::IsKeyPressed(GLFW_KEY_ESCAPE)) quit_ = true;
        if (options_.tour_s > 0 && ms(Clock::now() - last_switch_) >= options_.tour_s * 1000) step(+1);
    }

    /** Once the coverage thread is done: the figure on its tile, the gaps and coverage overlays. */
    void take_coverage() {
        // After a live change: coverage again, once the run going (if any) is over.
        if (coverage_stale_ && cov_->done) {
            coverage_stale_ = false;
            cov_ = start_wall_coverage(ds_, scenes_);
            ++coverage_runs_;
            coverage_set_ = false;
        }
        if (coverage_set_ || !cov_->done) return;
        if (cov_->value >= 0)
            figures_.coverage = cov_->value;
        else
            figures_.coverage_unavailable = true;
        coverage_set_ = true;
        if (cov_->report) {
            add_wall_coverage_overlays(map_, *ds_, *cov_->report);
            cov_->report.reset();
            scenes_.apply(map_, view_, std::max(1, fw_), std::max(1, fh_));  // visibility of the new layers
        }
    }

    void draw_overlay() {
        WallContent c;
        const gw::Scene& sc = scenes_.scene();
        c.title = wall_mask_text(sc.title, *ds_);
        c.subtitle = wall_mask_text(sc.subtitle, *ds_);
        std::tie(c.clock, c.date) = wall_clock_now(options_.lang);
        c.lang = options_.lang;
        c.scene_counter = std::to_string(scenes_.current() + 1) + " / " + std::to_string(scenes_.size());
        c.figures = figures_;
        c.mpp = view_.mpp;
        c.labels = &labels_;
        c.overlay = sc.overlay;
        c.others = wall_other_legend(map_, *ds_);
        if (live_) c.status_badge = wall_live_badge(live_->status(), c.status_alarm, options_.lang);
        draw_wall_overlay(ImGui::GetBackgroundDrawList(), fonts_, c, int(io_.DisplaySize.x), int(io_.DisplaySize.y));
    }

    GLFWwindow* window_;
    std::shared_ptr<const Dataset> ds_;
    WallScenes& scenes_;
    const WallFonts& fonts_;
    const WallOptions& options_;
    ImGuiIO& io_;
    std::shared_ptr<WallCoverage> cov_;
    WallFigures figures_;
    bool coverage_set_ = false;
    MapRenderer renderer_;
    Scene map_;
    MapView view_;
    std::vector<PlacedLabel> labels_;
    int fw_ = 0, fh_ = 0;
    Clock::time_point last_switch_;
    std::vector<double> switch_ms_, apply_ms_;
    std::optional<Clock::time_point> pending_switch_;
    int frame_ = 0, last_frame_ = 0;
    bool quit_ = false;
    std::unique_ptr<store::LiveListener> live_;  // a PG: dataset's changes, while the wall runs
    bool coverage_stale_ = false;                // the dataset changed since the coverage run began
    int coverage_runs_ = 1;                      // coverage runs started (the first with the wall)
};

}  // namespace

void run_wall(Dataset dataset, const WallOptions& options) {
    GlfwSession glfw("wall window", "run it on the wall's desktop; `gridwatch render --wall` needs no display");
    GLFWwindow* window = open_wall_window(options);

    auto ds = std::make_shared<const Dataset>(std::move(dataset));
    WallScenes scenes(project_for(*ds).scenes);
    if (!options.scene.empty()) scenes.go(scenes.find(options.scene));

    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;
    ImGui::StyleColorsDark();
    int fw = 0, fh = 0;
    glfwGetFramebufferSize(window, &fw, &fh);
    const std::string date0 = wall_clock_now().second;
    const WallFonts fonts = load_wall_fonts(io.Fonts, std::max(1, fw), std::max(1, fh),
                                            wall_glyph_text(*ds, scenes.all()) + date0);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");

    auto cov = start_wall_coverage(ds, scenes);
    // A PG: dataset is followed live (SPEC §9): new incidents, checks and camera changes appear.
    std::unique_ptr<store::LiveListener> live;
    if (store::is_pg_source(ds->source)) live = std::make_unique<store::LiveListener>(*ds, options.open);
    bool running = false;
    {
        WallLoop loop(window, ds, scenes, fonts, options, wall_figures(*ds, date0.substr(0, 10)), cov, fw, fh,
                      std::move(live));
        if (options.opened) options.opened();  // the scenes are checked: the wall stands
        while (loop.frame()) {
        }
        loop.print_results();
        running = loop.coverage_running();
    }
    close_imgui_window(window);
    if (!cov->done || running) {
        // Closed before the coverage thread finished (seconds at county size): leave without
        // waiting for it, and without running static destructors under its feet.
        std::fflush(nullptr);
        std::_Exit(0);
    }
}

}  // namespace gw::app
