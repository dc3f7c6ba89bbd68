// The viewer's window, main loop and map navigation (see viewer.h). Panels are in panel_*.cpp,
// the overlay in viewer_overlay.cpp, picking and attributes in viewer_pick.cpp.
//
// [SECTION] Scripted input   --events / --script for tests and benchmarks
// [SECTION] Navigation       zoom_to, fit_all, mouse and keys
// [SECTION] Main loop
#define GLFW_INCLUDE_NONE
#include "app/viewer/viewer.h"

#include <GLFW/glfw3.h>
#include <backends/imgui_impl_glfw.h>
#include <backends/imgui_impl_opengl3.h>
#include <epoxy/gl.h>
#include <imgui.h>
#include <imgui_internal.h>  // ImTextCharFromUtf8

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <sstream>

#include "app/render/gl_context.h"
#include "app/render/renderer.h"
#include "app/viewer/layer_prefs.h"
#include "app/viewer/window.h"
#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/store/pg.h"

namespace gw::app {

// ---------------------------------------------------------------------------------------------
// [SECTION] Scripted input
// ---------------------------------------------------------------------------------------------

std::vector<ScriptEvent> parse_events(const std::string& text) {
    std::vector<ScriptEvent> out;
    std::string item;
    std::istringstream in(text);
    auto bad = [](const std::string& e) {
        return Error("event '" + e + "' is not drag:x,y,dx,dy, wheel:x,y,n, click:x,y, uiclick:x,y or key:NAME");
    };
    while (std::getline(in, item, text.find(';') != std::string::npos ? ';' : '\n')) {
        while (!item.empty() && (item.back() == '\n' || item.back() == '\r' || item.back() == ' '))
            item.pop_back();
        while (!item.empty() && (item.front() == '\n' || item.front() == ' ')) item.erase(item.begin());
        if (item.empty() || item[0] == '#') continue;
        const auto colon = item.find(':');
        if (colon == std::string::npos) throw bad(item);
        const std::string kind = item.substr(0, colon), args = item.substr(colon + 1);
        ScriptEvent e;
        double v[4] = {0, 0, 0, 0};
        int n = std::sscanf(args.c_str(), "%lf,%lf,%lf,%lf", &v[0], &v[1], &v[2], &v[3]);
        if (kind == "drag" && n == 4)
            e = {ScriptEvent::Drag, v[0], v[1], v[2], v[3], {}};
        else if (kind == "wheel" && n == 3)
            e = {ScriptEvent::Wheel, v[0], v[1], v[2], 0, {}};
        else if (kind == "click" && n == 2)
            e = {ScriptEvent::Click, v[0], v[1], 0, 0, {}};
        else if (kind == "uiclick" && n == 2)
            e = {ScriptEvent::UiClick, v[0], v[1], 0, 0, {}};
        else if (kind == "key" && !args.empty())
            e = {ScriptEvent::Key, 0, 0, 0, 0, args};
        else
            throw bad(item);
        out.push_back(e);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Navigation
// ---------------------------------------------------------------------------------------------

void ViewerState::zoom_to(const Box& box) {
    const double m = std::max(box.width(), box.height()) * 0.08 + 1;
    const MapView fitted = MapView::fit(box.grown(m), view.width, view.height);
    view.center = fitted.center;
    view.mpp = std::max(fitted.mpp, 0.05);
}

void ViewerState::zoom_to(const Selection& s) {
    selected = s;
    const Box b = feature_bounds(ds, s);
    if (b.width() < 1 && b.height() < 1) {
        view.center = b.center();
        view.mpp = std::min(view.mpp, 0.5);  // a point: close enough to see the house
    } else {
        zoom_to(b);
    }
}

void ViewerState::fit_all() {
    // Fit into the map area between the menu bar and the status bar, right of the layer panel
    // on a wide window, with a little paper around.
    constexpr int kTop = 30, kBottom = 34, kMargin = 16;
    const int left = view.width >= 1100 ? 390 : 0;
    const int w = std::max(1, view.width - left - 2 * kMargin),
              h = std::max(1, view.height - kTop - kBottom - 2 * kMargin);
    const MapView fitted = MapView::fit(scene.extent, w, h);
    view.mpp = fitted.mpp;
    // Shift the centre so the extent sits in the middle of that area, not of the window.
    view.center = fitted.center + Vec2{-left / 2.0 * view.mpp, (kTop - kBottom) / 2.0 * view.mpp};
}

void ViewerState::need_glyphs(const std::string& text) {
    if (!fonts.cjk || !fonts.ui) return;  // without the CJK font Chinese shows as '?' anyway
    const char* p = text.c_str();
    const char* end = p + text.size();
    while (p < end) {
        unsigned int c = 0;
        p += ImTextCharFromUtf8(&c, p, end);
        if (c >= 0x80 && c <= 0xFFFF && !fonts.ui->FindGlyphNoFallback(ImWchar(c))) {
            glyph_text += text;
            glyph_text += ' ';
            glyphs_stale = true;
            return;
        }
    }
}

namespace {

void apply_key(ViewerState& st, const std::string& key) {
    const double step = 120;  // pixels an arrow press moves the map
    const Vec2 mid{st.view.width / 2.0, st.view.height / 2.0};
    if (key == "home")
        st.fit_all();
    else if (key == "left")
        st.view.pan_pixels(step, 0);
    else if (key == "right")
        st.view.pan_pixels(-step, 0);
    else if (key == "up")
        st.view.pan_pixels(0, step);
    else if (key == "down")
        st.view.pan_pixels(0, -step);
    else if (key == "plus")
        st.view.zoom_at(mid, 1.5);
    else if (key == "minus")
        st.view.zoom_at(mid, 1 / 1.5);
    else if (key == "lang")
        st.lang = st.lang == Lang::Zh ? Lang::En : Lang::Zh;
    else if (key == "coverage")
        st.show_coverage = !st.show_coverage;
    else if (key == "hotspots")
        st.show_hotspots = !st.show_hotspots;
    else if (key == "plan")
        st.show_plan = !st.show_plan;
    else if (key == "daily")
        st.show_daily = !st.show_daily;
    else if (key.rfind("daily_", 0) == 0)
        daily_action(st, key);
    else if (key == "mapping")
        st.show_mapping = !st.show_mapping;
    else if (key.rfind("map_", 0) == 0)
        mapping_action(st, key);
    else if (key == "plan_run" || key == "plan_accept")
        plan_action(st, key);
    else if (key.rfind("hotspots_", 0) == 0 || key.rfind("gi_", 0) == 0)
        hotspots_action(st, key);
    else if (key == "live_ready" || key == "live_wait")
        live_script_wait(st, key);
    else if (key == "save" && st.workbench)
        save_camera_edits(st);
    else if ((key == "conflict_mine" || key == "conflict_theirs") && st.workbench)
        resolve_camera_conflict(st, 0, key == "conflict_mine");
    else if (key == "undo" && st.workbench)
        st.workbench->undo();
    else if (key == "redo" && st.workbench)
        st.workbench->redo();
}

void apply_event(ViewerState& st, const ScriptEvent& e) {
    switch (e.kind) {
        case ScriptEvent::Drag:
            if (!camera_handles_scripted_drag(st, e)) st.view.pan_pixels(e.dx, e.dy);
            break;
        case ScriptEvent::Wheel:
            st.view.zoom_at({e.x, e.y}, std::pow(1.25, e.dx));
            break;
        case ScriptEvent::Click:
            st.selected = pick(st, {e.x, e.y});
            break;
        case ScriptEvent::Key:
            apply_key(st, e.key);
            break;
        case ScriptEvent::UiClick:
            break;  // fed to ImGui in the main loop, between the backend's frame and ImGui's
    }
}

/** Mouse and keyboard on the map, when ImGui does not want them. */
void handle_input(ViewerState& st) {
    ImGuiIO& io = ImGui::GetIO();
    if (!io.WantCaptureMouse) {
        const Vec2 mouse{io.MousePos.x, io.MousePos.y};
        if (io.MousePos.x > -1e5f) st.cursor = mouse;
        // A press on a handle of the selected camera edits it instead of panning.
        const bool editing = camera_handles_input(st);
        if (!editing && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2))
            st.view.pan_pixels(io.MouseDelta.x, io.MouseDelta.y);
        if (io.MouseWheel != 0) st.view.zoom_at(mouse, std::pow(1.25, io.MouseWheel));
        if (!editing && ImGui::IsMouseReleased(ImGuiMouseButton_Left)) {
            const ImVec2 d = ImGui::GetMouseDragDelta(ImGuiMouseButton_Left, 0);
            if (std::abs(d.x) + std::abs(d.y) < 3) st.selected = pick(st, mouse);
        }
    } else {
        st.cursor.reset();
    }
    if (!io.WantCaptureKeyboard) {
        const std::pair<int, const char*> keys[] = {
            {GLFW_KEY_HOME, "home"},   {GLFW_KEY_LEFT, "left"},   {GLFW_KEY_RIGHT, "right"},
            {GLFW_KEY_UP, "up"},       {GLFW_KEY_DOWN, "down"},   {GLFW_KEY_EQUAL, "plus"},
            {GLFW_KEY_KP_ADD, "plus"}, {GLFW_KEY_MINUS, "minus"}, {GLFW_KEY_KP_SUBTRACT, "minus"}};
        for (auto [code, name] : keys)
            if (ImGui::IsKeyPressed(code)) apply_key(st, name);
    }
}

void main_menu(ViewerState& st) {
    if (!ImGui::BeginMainMenuBar()) return;
    if (ImGui::BeginMenu(st.t(Ui::File))) {
        if (ImGui::MenuItem(st.t(Ui::Quit), "Ctrl+Q")) st.quit = true;
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(st.t(Ui::View))) {
        if (ImGui::MenuItem(st.t(Ui::FitAll), "Home")) st.fit_all();
        ImGui::MenuItem(st.t(Ui::Labels), nullptr, &st.labels_on);
        if (ImGui::BeginMenu(st.t(Ui::Language))) {
            if (ImGui::MenuItem("中文", nullptr, st.lang == Lang::Zh)) st.lang = Lang::Zh;
            if (ImGui::MenuItem("English", nullptr, st.lang == Lang::En)) st.lang = Lang::En;
            ImGui::EndMenu();
        }
        ImGui::EndMenu();
    }
    if (ImGui::BeginMenu(st.t(Ui::Analysis))) {
        ImGui::MenuItem(st.t(Ui::CoveragePanel), nullptr, &st.show_coverage);
        ImGui::MenuItem(st.t(Ui::HotspotsPanel), nullptr, &st.show_hotspots);
        ImGui::MenuItem(st.t(Ui::PlanPanel), nullptr, &st.show_plan);
        ImGui::MenuItem(st.t(Ui::DailyPanel), nullptr, &st.show_daily);
        ImGui::Separator();
        ImGui::MenuItem(st.t(Ui::MappingMenu), nullptr, &st.show_mapping);
        ImGui::EndMenu();
    }
    if (!st.notes.empty()) {
        const std::string item =
            std::string(st.t(Ui::NotesPanel)) + " (" + std::to_string(st.notes.size()) + ")";
        ImGui::MenuItem(item.c_str(), nullptr, &st.show_notes);
    }
    // A file by its name; a PG: source whole (its host and database say which store), without its password.
    const std::string file = st.ds.source.rfind("PG:", 0) == 0
                                 ? without_secrets(st.ds.source)
                                 : std::filesystem::path(st.ds.source).filename().string();
    ImGui::TextDisabled("  %s  |  %s %s", file.c_str(), st.t(Ui::WorkingCrs), st.ds.work_crs.c_str());
    ImGui::EndMainMenuBar();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Main loop
// ---------------------------------------------------------------------------------------------

namespace {

/** The viewer's window with its context current; no vsync for timed and scripted runs. */
GLFWwindow* open_viewer_window(const ViewerOptions& options, const std::string& source) {
    hint_gl33_core();
    const std::string title = "gridwatch — " + without_secrets(source);
    GLFWwindow* window = glfwCreateWindow(options.width, options.height, title.c_str(), nullptr, nullptr);
    if (!window)
        throw Error("cannot open an OpenGL 3.3 window", {}, "check the graphics driver (Mesa) is installed");
    glfwMakeContextCurrent(window);
    glfwSwapInterval(options.timing || options.frames ? 0 : 1);
    return window;
}

ImGuiIO& start_imgui() {
    IMGUI_CHECKVERSION();
    ImGui::CreateContext();
    ImGuiIO& io = ImGui::GetIO();
    io.IniFilename = nullptr;  // panel positions are laid out by the code, not remembered
    ImGui::StyleColorsLight();
    ImGui::GetStyle().WindowRounding = 4;
    ImGui::GetStyle().Colors[ImGuiCol_WindowBg].w = 0.93f;
    return io;
}

/**
 * The dataset's scene with basemaps and the layer looks of the last session (from `prefs`), the
 * fonts and the cursor's transformation. Returns the looks as loaded, to tell on exit whether the
 * user changed any.
 */
std::string load_viewer_state(ViewerState& st, Dataset ds, const ViewerOptions& options, ImGuiIO& io,
                              const std::string& prefs) {
    st.lang = options.lang;
    st.show_coverage = options.print_coverage;
    st.reopen = options.reopen;
    st.read_daily = options.read_daily;
    st.basemaps = options.basemaps;
    st.ds = std::move(ds);
    st.scene = build_scene(st.ds);
    add_basemaps(st.scene, st.basemaps, st.ds.work_crs_wkt.empty() ? st.ds.work_crs : st.ds.work_crs_wkt);
    load_layer_prefs(st.scene, prefs);
    std::string looks_at_start = layer_prefs_json(st.scene);
    st.glyph_text = dataset_text(st.ds) + all_ui_text();
    refresh_notes(st);                    // before the fonts are made: its text is in glyph_text
    for (const auto& l : st.ds.layers) {  // the layer and field names the mapping dialog lists
        st.glyph_text += l.source_name + ' ';
        for (const auto& f : l.source_fields) st.glyph_text += f + ' ';
    }
    st.fonts = load_fonts(io.Fonts, st.glyph_text);
    io.FontDefault = st.fonts.ui;
    try {
        const std::string crs = st.ds.work_crs_wkt.empty() ? st.ds.work_crs : st.ds.work_crs_wkt;
        st.to_wgs84.emplace(parse_crs(crs), parse_crs("EPSG:4326"));
    } catch (const Error&) {
        // Without a transformation the cursor shows working-CRS coordinates only.
    }
    return looks_at_start;
}

}  // namespace

void replace_dataset(ViewerState& st, Dataset ds) {
    // What was computed from the old dataset goes first: the workbench edits it in place, the
    // panels' runs hold their own copies (their destructors wait for them).
    st.workbench.reset();
    st.workbench_drawn = 0;
    st.hotspots.reset();
    st.plan.reset();
    st.daily.reset();
    st.selected.reset();
    st.choropleth_built = false;
    st.read_daily = nullptr;  // a dataset reopened is read whole
    // The renderer keeps each layer's GPU copy by layer id until the revision changes: the new
    // scene's layers start past every revision drawn so far.
    uint64_t drawn = 0;
    for (const auto& L : st.scene.layers) drawn = std::max(drawn, L.revision);
    st.ds = std::move(ds);
    st.scene = build_scene(st.ds);
    add_basemaps(st.scene, st.basemaps, st.ds.work_crs_wkt.empty() ? st.ds.work_crs : st.ds.work_crs_wkt);
    load_layer_prefs(st.scene, layer_prefs_path());
    for (auto& L : st.scene.layers) L.revision += drawn;
    st.need_glyphs(dataset_text(st.ds));
    refresh_notes(st);
}

namespace {

/** The main loop's state between frames, and one frame: input, panels, map, screenshot. */
class ViewerLoop {
public:
    ViewerLoop(GLFWwindow* window, ViewerState& st, const ViewerOptions& options)
        : window_(window), st_(st), options_(options), io_(ImGui::GetIO()) {
        // Lines and symbols antialias in their shaders; 4× MSAA smooths polygon and sector edges
        // too, but costs ~3× a frame on a software rasteriser: there the map goes straight to the
        // window. GRIDWATCH_MSAA=0/1 overrides the choice.
        const char* msaa_env = std::getenv("GRIDWATCH_MSAA");
        msaa_ = msaa_env ? std::atoi(msaa_env) > 0 : !software_renderer();
        glfwGetFramebufferSize(window_, &fw_, &fh_);
        st_.view.width = fw_, st_.view.height = fh_;
        st_.fit_all();
        last_frame_ = last_scripted_frame(options.frames, options.events.size(), !options.screenshot.empty());
    }

    /** Draws one frame; false when the window closes, the user quits or the scripted run is over. */
    bool frame() {
        if (glfwWindowShouldClose(window_) || st_.quit) return false;
        glfwPollEvents();
        const auto t0 = Clock::now();
        glfwGetFramebufferSize(window_, &fw_, &fh_);
        st_.view.width = std::max(1, fw_), st_.view.height = std::max(1, fh_);
        // Scripted events start after two frames, once ImGui has laid out its windows.
        const ScriptEvent* event = frame_ >= 2 && size_t(frame_ - 2) < options_.events.size()
                                       ? &options_.events[frame_ - 2]
                                       : nullptr;
        if (event) apply_event(st_, *event);

        take_live_changes(st_);
        read_daily_layers(st_);
        if (st_.glyphs_stale) rebuild_fonts();
        ImGui_ImplOpenGL3_NewFrame();
        ImGui_ImplGlfw_NewFrame();
        feed_ui_click(event);
        ImGui::NewFrame();
        build_ui();
        ImGui::Render();
        const auto t1 = Clock::now();

        draw_map();
        if (options_.timing) glFinish();
        const auto t2 = Clock::now();
        ImGui_ImplOpenGL3_RenderDrawData(ImGui::GetDrawData());
        ++frame_;
        const bool last = last_frame_ > 0 && frame_ >= last_frame_;
        if (options_.timing) {
            glFinish();  // count the GPU's work, not only the submission
            if (frame_ > 2)
            {
                const double total = ms(Clock::now() - t0);
                ms_total_ += total, ms_ui_ += ms(t1 - t0), ms_map_ += ms(t2 - t1), ++timed_;
                ms_max_ = std::max(ms_max_, total);
            }
        }
        present_frame(window_, last, options_.screenshot, fw_, fh_);
        return !last;
    }

    /** What a scripted run picked, so tests can check click-to-inspect. */
    void print_selected() const {
        if (last_frame_ > 0 && st_.selected) {
            const auto attrs = attributes(st_, *st_.selected);
            std::printf("selected: %s %s\n", st_.scene.layer(st_.selected->layer).key.c_str(),
                        attrs.empty() ? "" : attrs.front().second.c_str());
        }
    }
    /** The panels' summaries and the frame timing, when the options ask for them. */
    void print_summaries() const {
        if (options_.print_coverage) std::printf("%s\n", coverage_summary(st_).c_str());
        if (options_.print_hotspots) std::printf("%s\n", hotspots_summary(st_).c_str());
        if (options_.print_daily) std::printf("%s\n", daily_summary(st_).c_str());
        if (options_.print_notes)
            std::printf("reading notes: %zu, shown %d\n", st_.notes.size(), st_.notes_drawn);
        if (st_.live && last_frame_ > 0) std::printf("%s\n", live_summary(st_).c_str());
        if (options_.timing && timed_)
            std::fprintf(stderr,
                         "timing: %d frames at %dx%d, mean frame %.1f ms (panels+labels %.1f, map %.1f, msaa "
                         "%s) (%s), max frame %.1f ms\n",
                         timed_, fw_, fh_, ms_total_ / timed_, ms_ui_ / timed_, ms_map_ / timed_, msaa_ ? "on" : "off",
                         reinterpret_cast<const char*>(glGetString(GL_RENDERER)), ms_max_);
    }

private:
    using Clock = std::chrono::steady_clock;
    static double ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

    /** The atlas again with every glyph of st.glyph_text (between frames: no draw list holds it). */
    void rebuild_fonts() {
        st_.glyphs_stale = false;
        io_.Fonts->Clear();
        st_.fonts = load_fonts(io_.Fonts, st_.glyph_text);
        io_.FontDefault = st_.fonts.ui;
        ImGui_ImplOpenGL3_DestroyFontsTexture();
        ImGui_ImplOpenGL3_CreateFontsTexture();
    }

    /** A scripted click on a panel: over the backend's mouse, pressed now, released next frame. */
    void feed_ui_click(const ScriptEvent* event) {
        if (event && event->kind == ScriptEvent::UiClick) {
            ui_release_ = ImVec2(float(event->x), float(event->y));
            io_.MousePos = *ui_release_;
            io_.MouseDown[0] = true;
        } else if (ui_release_) {
            io_.MousePos = *ui_release_;
            io_.MouseDown[0] = false;
            ui_release_.reset();
        }
    }

    void build_ui() {
        handle_input(st_);
        if (ImGui::IsKeyDown(GLFW_KEY_LEFT_CONTROL) && ImGui::IsKeyPressed(GLFW_KEY_Q)) st_.quit = true;
        main_menu(st_);
        panel_layers(st_);
        panel_search(st_);
        panel_inspect(st_);
        panel_coverage(st_);
        panel_hotspots(st_);
        panel_plan(st_);
        panel_daily(st_);
        panel_mapping(st_);
        panel_notes(st_);
        camera_edit_keys(st_);
        draw_map_overlay(st_);
        draw_live_badge(st_);
    }

    void draw_map() {
        if (options_.print_daily) {
            // The layers a panel changed go to the GPU in this frame: timed to the driver's end, so that
            // a date change of the 巡查 panel is counted with its upload.
            const auto t0 = Clock::now();
            const uint64_t sent = renderer_.uploaded_bytes();
            renderer_.sync(st_.scene);
            glFinish();
            daily_frame_synced(st_, ms(Clock::now() - t0), renderer_.uploaded_bytes() - sent);
        }
        if (msaa_) {
            if (!map_target_ || map_target_->width() != st_.view.width || map_target_->height() != st_.view.height)
                map_target_ = std::make_unique<OffscreenTarget>(st_.view.width, st_.view.height);
            map_target_->bind();
            renderer_.draw(st_.scene, st_.view, kMapBackground);
            map_target_->blit_to_window();
        } else {
            glBindFramebuffer(GL_FRAMEBUFFER, 0);
            renderer_.draw(st_.scene, st_.view, kMapBackground);
        }
    }

    GLFWwindow* window_;
    ViewerState& st_;
    const ViewerOptions& options_;
    ImGuiIO& io_;
    MapRenderer renderer_;
    bool msaa_ = false;
    std::unique_ptr<OffscreenTarget> map_target_;
    int fw_ = 0, fh_ = 0;
    // With --timing: the panels and labels on the CPU, the map, and ImGui's drawing, each to glFinish.
    double ms_total_ = 0, ms_ui_ = 0, ms_map_ = 0, ms_max_ = 0;
    int frame_ = 0, timed_ = 0, last_frame_ = 0;
    std::optional<ImVec2> ui_release_;  // where a scripted panel click lets the button go
};

}  // namespace

void run_viewer(Dataset ds, const ViewerOptions& options) {
    GlfwSession glfw("viewer window",
                     "run it on a desktop (or under xvfb-run); `gridwatch render` needs no display");
    GLFWwindow* window = open_viewer_window(options, ds.source);
    ImGuiIO& io = start_imgui();
    ViewerState st;
    const std::string prefs = layer_prefs_path();
    const std::string looks_at_start = load_viewer_state(st, std::move(ds), options, io, prefs);
    ImGui_ImplGlfw_InitForOpenGL(window, true);
    ImGui_ImplOpenGL3_Init("#version 330 core");
    if (store::is_pg_source(st.ds.source)) st.live = std::make_unique<store::LiveListener>(st.ds, options.open);
    {
        ViewerLoop loop(window, st, options);  // its renderer's GL objects go before the context
        while (loop.frame()) {
        }
        loop.print_selected();
        // The layer looks are kept for the next session when the user changed any.
        if (layer_prefs_json(st.scene) != looks_at_start) save_layer_prefs(st.scene, prefs);
        loop.print_summaries();
    }
    close_imgui_window(window);
}

}  // namespace gw::app
