#pragma once
/**
 * The map viewer (SPEC §6): a GLFW window with the map drawn by MapRenderer and Dear ImGui
 * panels, one panel per file (panel_*.cpp). ViewerState is what the panels share.
 */
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/render/fonts.h"
#include "app/render/scene.h"
#include "app/viewer/camera_edit.h"
#include "app/viewer/viewer_text.h"
#include "geo/core/model.h"
#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "geo/store/live.h"

namespace gw::app {

/** A picked feature: its layer and its index in the dataset's vector for that layer. */
struct Selection {
    LayerId layer = LayerId::Count;
    size_t index = 0;
};

/**
 * One recorded input, for tests and benchmarks: drag, wheel, click (a pick on the map), key, or
 * uiclick (the left button pressed over the panels at x,y and released there the next frame).
 */
struct ScriptEvent {
    enum Kind { Drag, Wheel, Click, Key, UiClick } kind = Drag;
    double x = 0, y = 0, dx = 0, dy = 0;
    std::string key;  // for Key: home, left, right, up, down, plus, minus
};

/** Parses "drag:x,y,dx,dy;wheel:x,y,n;click:x,y;uiclick:x,y;key:home" (also newline-separated); throws on bad input. */
std::vector<ScriptEvent> parse_events(const std::string& text);

struct ViewerOptions {
    Lang lang = Lang::Zh;
    int width = 1280, height = 800;
    std::string screenshot;           // save the window after the last frame, then exit
    std::vector<ScriptEvent> events;  // applied one per frame
    int frames = 0;                   // exit after this many frames (0 = run until closed)
    bool timing = false;              // print the mean frame time on exit
    bool print_coverage = false;      // open the coverage panel; print its total on exit (tests)
    bool print_hotspots = false;      // print the hotspots panel's result and the view on exit (tests)
    bool print_daily = false;         // print the 巡查 panel's figures and the view on exit (tests)
    bool print_notes = false;         // print how many reading notes the window showed on exit (tests)
    std::vector<std::string> basemaps;  // raster files drawn under the map (add_basemaps)
    // Opens the dataset again as it was opened at start, reading the project file anew (the
    // mapping dialog's Apply). Unset: the first source alone, with default options.
    std::function<Dataset()> reopen;
    OpenOptions open;  // how the dataset was opened: a PG: dataset's changed rows are read again so (live)
    // Set when the dataset was opened without its checks and patrols (a county's month of reports
    // is most of its reading, a prefecture's gigabytes): reads them, in the opened dataset's
    // working CRS, the first time the 巡查 panel or their layers are shown.
    std::function<Dataset(const Dataset&)> read_daily;
};

struct HotspotsState;  // panel_hotspots.cpp
struct PlanState;      // panel_plan.cpp
struct MappingState;   // panel_mapping.cpp
struct DailyState;     // panel_daily.cpp

struct ViewerState {
    Dataset ds;
    Scene scene;
    MapView view;
    FontSet fonts;
    Lang lang = Lang::Zh;
    std::optional<Transform> to_wgs84;
    std::optional<Selection> selected;
    bool labels_on = true;
    bool choropleth_built = false;
    std::string choropleth_error;  // why the choropleth of the level chosen is not drawn ("": it is)
    std::optional<Vec2> cursor;  // screen position over the map
    bool quit = false;
    // Analysis panels (the Analysis menu). The workbench lives while the coverage panel is on.
    bool show_coverage = false, show_hotspots = false, show_plan = false, show_daily = false;
    std::unique_ptr<CameraWorkbench> workbench;
    uint64_t workbench_drawn = 0;  // the workbench revision the map layers show
    std::shared_ptr<HotspotsState> hotspots;
    std::shared_ptr<PlanState> plan;
    std::shared_ptr<DailyState> daily;
    std::string message;  // the last action's outcome (saved, or why not), shown in the coverage panel
    // What reading left out, read as nothing or repaired (geo/io/reading_notes.h), in the 读取提示
    // window, which opens by itself when there is any; refresh_notes makes them again.
    std::vector<std::string> notes;
    bool show_notes = false;
    int notes_drawn = -1;  // lines the window showed in the last frame it was open (tests), −1: never
    // The mapping dialog (这一层是什么？): layers no role uses, assigned a role and fields.
    bool show_mapping = false;
    bool mapping_hint_closed = false;  // the user dismissed the hint for this session
    std::shared_ptr<MappingState> mapping;
    std::function<Dataset()> reopen;       // ViewerOptions::reopen
    std::function<Dataset(const Dataset&)> read_daily;  // ViewerOptions::read_daily, until it has run
    std::string daily_read_error;  // why reading them failed: the 巡查 panel shows it
    std::vector<std::string> basemaps;     // ViewerOptions::basemaps, for a rebuilt scene
    // The text the fonts hold glyphs for; new text (another dataset, a layer's field values in
    // the mapping dialog) marks them stale and they are rebuilt before the next frame.
    std::string glyph_text;
    bool glyphs_stale = false;
    // A PG: dataset followed live (geo/store/live.h): its changes are applied between frames.
    std::unique_ptr<store::LiveListener> live;

    const char* t(Ui id) const { return tr(id, lang); }
    /** Fits the view to `box` with a margin. */
    void zoom_to(const Box& box);
    /** Selects and centres a feature (zooming in on points). */
    void zoom_to(const Selection& s);
    /** Fits the whole dataset. */
    void fit_all();
    /** Makes sure the fonts can show `text` (from the next frame on). */
    void need_glyphs(const std::string& text);
};

/** The cell of `level` with `grid_id`, as a selection. */
std::optional<Selection> find_cell(const Dataset& ds, const std::string& grid_id, int level);
/** The nearest point feature within a few pixels of `screen`, else the smallest polygon under it. */
std::optional<Selection> pick(const ViewerState& st, Vec2 screen);
/** Name/value pairs of a feature for the inspector (extra fields included). */
std::vector<std::pair<std::string, std::string>> attributes(const ViewerState& st, const Selection& s);
/** A one-line title for a feature ("网格 大坪子社区"). */
std::string feature_title(const ViewerState& st, const Selection& s);
/** Bounds of a feature in the working CRS. */
Box feature_bounds(const Dataset& ds, const Selection& s);
/** The display name of a scene layer. */
const char* layer_title(LayerId id, Lang lang);
/** The display name of `L`: layer_title, or for a source layer no role uses its own name and "未识别". */
std::string layer_title(const ViewerState& st, const SceneLayer& L);

// Panels and overlays, one per file.
/** An Rgba as ImGui's colour (opaque). */
ImVec4 im_color(Rgba c);
/** A legend entry of an analysis panel: a swatch in `shape`, the label, and "(count)" when count ≥ 0. */
void legend_swatch(Rgba c, const char* label, int count = -1, Symbol shape = Symbol::Square);

void panel_layers(ViewerState& st);
void panel_search(ViewerState& st);
void panel_inspect(ViewerState& st);
void panel_coverage(ViewerState& st);
void panel_hotspots(ViewerState& st);
void panel_plan(ViewerState& st);
/** Starts, stops and draws camera handle drags from the mouse; true when the mouse went to a handle. */
bool camera_handles_input(ViewerState& st);
/** A scripted drag that starts on a handle of the selected camera edits it; true when it did. */
bool camera_handles_scripted_drag(ViewerState& st, const ScriptEvent& e);
/** Saves the edited cameras into the dataset; the outcome (or the error) goes to st.message. */
void save_camera_edits(ViewerState& st);
/** Keep mine / take theirs for conflict `i` of the last save on PG: (the conflict window's buttons). */
void resolve_camera_conflict(ViewerState& st, size_t i, bool keep_mine);
/**
 * Scripted hotspot steps: "hotspots_next" shows the next method, "hotspots_gi" Gi*; Gi* options
 * as on the command line: "gi_queen", "gi_band=M", "gi_hex=SIZE_M", "gi_level=N", "gi_perm=N",
 * "gi_seed=N", "gi_fdr=1|0", "gi_per=households|none", "gi_value=FIELD". Each waits for the result.
 */
void hotspots_action(ViewerState& st, const std::string& what);
/** The lines printed by --print-hotspots: method, class counts, the first listed unit, the view. */
std::string hotspots_summary(ViewerState& st);
/**
 * The mapping dialog (这一层是什么？/ What is this layer?) and, while a source has layers no role
 * uses, a small hint that opens it.
 */
void panel_mapping(ViewerState& st);
/** The 读取提示 / Reading notes window: what reading left out, a line each (show_notes). */
void panel_notes(ViewerState& st);
/** Makes st.notes of st.ds again (after a dataset is opened, or more of it read); opens the window when any.
 */
void refresh_notes(ViewerState& st);
/**
 * Scripted mapping steps, each opening the dialog: "map_layer=NAME", "map_role=ROLE",
 * "map_field=FIELD=SOURCE_FIELD" (empty: not used), "map_value=FIELD=SOURCE_VALUE=VALUE" and
 * "map_apply" (the Apply button's own path: saves the project file and reopens the dataset).
 */
void mapping_action(ViewerState& st, const std::string& what);
/**
 * Replaces the viewer's dataset (after the mapping changed): the scene is rebuilt, the analyses
 * of the old dataset and the selection are dropped and recomputed from the new one.
 */
void replace_dataset(ViewerState& st, Dataset ds);
/**
 * The 巡查 / Daily work panel (SPEC §5.5): a date slider over the days with reports and a window of
 * days; L4 cells by days since the last check, the day's reports, the window's patrol tracks by team
 * and the road pieces neither a camera nor a patrol covers; the cells not checked, click-to-zoom;
 * a clicked cell's history. Figures from compute_checks and compute_patrols, as the CLI's.
 */
void panel_daily(ViewerState& st);
/**
 * Scripted steps of the 巡查 panel, each opening it: "daily_date=YYYY-MM-DD", "daily_days=N"
 * (both wait for the window's patrols), "daily_next" / "daily_prev" (the slider, one day; no wait),
 * "daily_wait".
 */
void daily_action(ViewerState& st, const std::string& what);
/** The lines --print-daily prints: date, window, classes, overdue, tracks, the first overdue row, the view. */
std::string daily_summary(ViewerState& st);
/**
 * With --print-daily, the viewer times each frame's upload of the scene (MapRenderer::sync to
 * glFinish) and hands it here with the bytes it sent: the upload of the first frame after a date or
 * window change counts as part of that change.
 */
void daily_frame_synced(ViewerState& st, double ms, uint64_t bytes);
/** Scripted plan steps: "plan_run" (runs and waits) and "plan_accept". */
void plan_action(ViewerState& st, const std::string& what);
/** The handles of the selected camera over the map, while the coverage panel is on. */
void draw_camera_handles(ViewerState& st);
/** Undo/redo keys (Ctrl+Z, Ctrl+Y / Ctrl+Shift+Z) for camera edits. */
void camera_edit_keys(ViewerState& st);
/** The coverage line printed by --print-coverage. */
std::string coverage_summary(const ViewerState& st);
/** Labels, selection highlight, scale bar, north arrow and cursor coordinates over the map. */
void draw_map_overlay(ViewerState& st);

/**
 * The shared store's changes since the last frame into st.ds and the map (viewer_live.cpp): point
 * layers rebuilt, what was computed from the changed rows dropped. Camera changes wait while the
 * user has unsaved camera edits (the save then meets them as conflicts).
 */
void take_live_changes(ViewerState& st);
/**
 * Reads the checks and patrols into st.ds and the map when the dataset was opened without them
 * (ViewerOptions::read_daily) and the 巡查 panel or either layer is shown; a failure is the
 * panel's message. Does nothing once they are read.
 */
void read_daily_layers(ViewerState& st);
/** A red "connection lost, reconnecting" badge, or a standby's replication lag, over the map. */
void draw_live_badge(ViewerState& st);
/** Scripted runs: "live_ready" holds the frame until the store is followed, "live_wait" until a change came (≤ 20 s). */
void live_script_wait(ViewerState& st, const std::string& key);
/** The line a scripted run on a live dataset prints: its row counts and the incidents drawn. */
std::string live_summary(const ViewerState& st);

/** Opens the window and runs until closed (or until options.frames). Throws gw::Error without a display. */
void run_viewer(Dataset ds, const ViewerOptions& options);

}  // namespace gw::app
