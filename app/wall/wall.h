#pragma once
/**
 * Wall mode (SPEC §6): the control-room map wall. One layout — title band with a clock, figure
 * tiles on the right, legend and scale bar along the bottom, the map under them in a dark, muted
 * style — drawn the same way in the live window (`gridwatch view --wall`) and off-screen
 * (`gridwatch render --wall`, tiled past the largest framebuffer).
 *
 * wall.cpp holds the figures, masking, fonts and drawing of the layout; wall_scenes.cpp holds
 * scene stepping, the window loop and the off-screen image.
 */
#include <array>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/render/scene.h"
#include "app/viewer/viewer_text.h"
#include "geo/analysis/coverage.h"
#include "geo/core/model.h"
#include "geo/io/dataset.h"
#include "geo/io/project.h"
#include "geo/store/live.h"

struct ImDrawList;
struct ImFont;
struct ImFontAtlas;

namespace gw::app {

struct ScriptEvent;
struct PlacedLabel;

// ---- What the wall shows ------------------------------------------------------------------

/**
 * The 今日巡查 / Today's checks scene's figures (SPEC §5.5), from gw::compute_checks (as `gridwatch
 * checks --date DATE` computes them): the share of L4 cells checked on the day, the cells not
 * checked (worst first, manager masked), the day's newcomer and returnee reports.
 */
struct WallChecks {
    std::string date;             // "YYYY-MM-DD": the day shown
    bool date_from_data = false;  // the data ends days before today: its latest report's day stands in
    int cells = 0, checked = 0;   // L4 cells, and those checked on the day
    int newcomers = 0, returnees = 0;
    struct Overdue {
        std::string name;            // the cell's name (its grid_id when unnamed)
        std::optional<int> days;     // days since its last check; unset: never checked
        std::string manager;         // masked (张*三)
    };
    std::vector<Overdue> overdue;  // worst first
    double share() const { return cells ? double(checked) / cells : 0; }
};

/**
 * The checks figures for `today` ("YYYY-MM-DD"): that day, or — when the newest report is more
 * than a day older (an archived or demo dataset) — the newest report's day, flagged. nullopt when
 * the dataset has no timed check or no L4 cells.
 */
std::optional<WallChecks> wall_checks(const Dataset& ds, const std::string& today);

/**
 * The 今日巡查 legend's entry for a days-since class (days_since_class): the number with its unit
 * ("0天" … "3–6天", "7+天"), and "从未" for a cell never checked, which has no number of days.
 */
std::string wall_days_since_label(int cls, Lang lang = Lang::Zh);

/** The figure tiles, computed once from the dataset (coverage may arrive later from a thread). */
struct WallFigures {
    int households = 0;
    int cameras_online = 0, cameras_total = 0;
    std::optional<double> coverage;  // fraction 0–1 of level-4 cell area; empty = still computing
    bool coverage_unavailable = false;  // no level-4 cells: the tile shows "—"
    std::string month;               // "2026-11": the month the incident counts are for
    bool month_from_data = false;    // true when the data is older than today (newest incident's month)
    std::array<int, 4> incidents{};  // this month's incidents: red, yellow, blue, green
    std::optional<WallChecks> checks;  // the 今日巡查 scene's tiles (when the dataset has checks)
};

/** Households, cameras, this month's incidents and today's checks (no coverage). `today` is "YYYY-MM-DD". */
WallFigures wall_figures(const Dataset& ds, const std::string& today);

/** Total coverage at level 4 with occlusion (where the dataset has buildings), fraction 0–1. */
double wall_coverage(const Dataset& ds);

/** The level-4 coverage report behind wall_coverage, with gap polygons when `gaps` (scene overlays). */
CoverageReport wall_coverage_report(const Dataset& ds, bool gaps);

/** What a person's name becomes on the wall: always masked (张*三). */
std::string wall_person_label(const std::string& name);

/**
 * Text bound for the wall with every person's name (grid managers, household heads) and every
 * phone number of `ds` masked: scene titles and subtitles are user-written and may name people.
 */
std::string wall_mask_text(const std::string& text, const Dataset& ds);

/** A legend entry of a source layer no role uses: its name and symbol in the wall's colours. */
struct WallLegendEntry {
    std::string name;
    GeometryKinds kinds;
    Rgba fill = 0, outline = 0;
};

/** Everything the overlay draws for one frame (already masked). */
struct WallContent {
    std::string title, subtitle;
    std::string clock, date;  // "14:05", "2026-11-27 星期五"
    std::string scene_counter;  // "3 / 9"
    WallFigures figures;
    double mpp = 1;  // metres per pixel of the map, for the scale bar
    const std::vector<PlacedLabel>* labels = nullptr;  // map labels (wall_labels), drawn under the panels
    std::string overlay;  // the scene's analysis overlay ("gaps", "kde", "coverage"): its legend entry
    std::vector<WallLegendEntry> others;  // shown source layers no role uses: a key on the map's corner
    // The shared store's state (geo/store/live.h), a badge on the map's top-right corner: red for a
    // lost connection, quiet for a standby's replication lag; empty: none (a file, a live primary).
    std::string status_badge;
    bool status_alarm = false;
    Lang lang = Lang::Zh;  // the captions, legend and units (--lang); the data's own text as it is
};

/**
 * The badge text of a live dataset's state: "连接中断，正在重连…" while the connection is lost,
 * "复制延迟 0.3 s" on a standby, "" otherwise. `alarm` says which.
 */
std::string wall_live_badge(const store::LiveStatus& s, bool& alarm, Lang lang = Lang::Zh);

/** "HH:MM" and "YYYY-MM-DD 星期X" ("YYYY-MM-DD Mon" in English) for now (local time). */
std::pair<std::string, std::string> wall_clock_now(Lang lang = Lang::Zh);

// ---- Layout and drawing ---------------------------------------------------------------------

/**
 * What every length of a w×h wall is its 1080p length times: the wall's shorter side over 1080, so
 * that a portrait wall's text is sized by its width (by its height it ran off the narrow panels).
 */
float wall_scale(int w, int h);

/**
 * Rectangles of the layout in pixels of a w×h wall (origin top-left). Landscape: the figure tiles
 * in a column at the right, the legend under the map. Portrait (taller than wide): the tiles two
 * by two along the bottom, the legend between them and the map, everything as wide as the wall.
 */
struct WallLayout {
    float scale = 1;  // wall_scale: every size below is a 1080p size times this
    bool portrait = false;
    Box title_band, tiles, legend_band, map;  // map: the area the scene's extent is fitted into
    std::array<Box, 4> tile;                  // households, cameras, coverage, incidents
    // Where the checks scene lists its unchecked cells: a column at the map's left, or, where the
    // map beside that would be too narrow (portrait and near-square walls), a band across the map's
    // top. That scene's extent is fitted into `beside_list`, the rest of the map, so that no cell,
    // and none of the unchecked, is drawn under the list.
    Box list, beside_list;
};
WallLayout wall_layout(int w, int h);

/**
 * The extent scene `s` shows: its own, else `data` — when it has none, or none that is finite (the
 * default scenes of a source with no contract layer, whose layers no role uses are still drawn).
 */
Box wall_scene_extent(const gw::Scene& s, const Box& data);

/**
 * A w×h view whose layout map area shows exactly `extent` plus 2% (larger side fitted, other
 * centred); `beside_list`: the map area right of the list column (the checks scene).
 */
MapView wall_view(const Box& extent, int w, int h, bool beside_list = false);
/**
 * Whether scene `s` lists cells in the list column (its map is fitted beside it): the checks scene,
 * whose column stays even on the rare data with reports but none dated or no level-4 cells (no list
 * is drawn then), so that the map does not move with the day's figures.
 */
bool wall_scene_has_list(const gw::Scene& s);

/** Smallest text size on a 1080-pixel-high wall: legible at 5 m. */
inline constexpr float kWallMinTextPx = 46;

/** The wall's fonts, rasterised at their real sizes for one wall height. */
struct WallFonts {
    ImFont *title = nullptr, *text = nullptr, *figure = nullptr;
    float title_px = 0, text_px = 0, figure_px = 0;
    bool cjk = false;
};
/** Adds the wall fonts for a wall `height` pixels high with glyphs for `text` (plus ASCII). */
WallFonts load_wall_fonts(ImFontAtlas* atlas, int w, int h, const std::string& text);

/**
 * Grid and enterprise names placed for `view` at wall sizes; names that would have to shrink below
 * the wall's minimum size are left out rather than drawn unreadably small, and so are names not
 * wholly in the map area (`beside_list`: right of the list column, as wall_view fitted it).
 */
std::vector<PlacedLabel> wall_labels(const Scene& scene, const MapView& view, const WallFonts& fonts,
                                     bool beside_list = false);

/** All the text the wall may show for `ds` and its scenes (for the glyph set). */
std::string wall_glyph_text(const Dataset& ds, const std::vector<gw::Scene>& scenes);

/** Draws the overlay of a w×h wall, shifted by `offset` pixels (a tile of a larger image). */
void draw_wall_overlay(ImDrawList* dl, const WallFonts& fonts, const WallContent& c, int w, int h,
                       Vec2 offset = {});

// ---- The map in the wall's dark style -------------------------------------------------------

inline constexpr Rgba kWallBackground = rgba(16, 20, 28);

/**
 * Recolours a scene for the wall once, before upload: every layer dark and muted (luminance
 * inverted, colour mostly taken out) so that red stays for alarms only; incidents keep their
 * warning colour (red, yellow, blue, green), the colours of the incidents tile and legend.
 */
void darken_scene_for_wall(Scene& scene, const Dataset& ds);

/** Legend entries of the source layers no role uses that `map` shows (after WallScenes::apply). */
std::vector<WallLegendEntry> wall_other_legend(const Scene& map, const Dataset& ds);

// ---- Analysis overlays of scenes (gw::Scene::overlay) ----------------------------------------

/** Magenta of the gaps overlay on the dark map (fill is this with alpha, outline opaque). */
inline constexpr Rgba kWallGap = rgba(236, 64, 200);

/**
 * Adds the scene overlays computed from a coverage report to `map` (after darken_scene_for_wall):
 * the Gaps layer (magenta outline and fill) and the Coverage layer (cells by coverage). Hidden
 * until WallScenes::apply shows them on a scene that asks for them.
 */
void add_wall_coverage_overlays(Scene& map, const Dataset& ds, const CoverageReport& report);

/**
 * Adds the Hotspots layer: a quartic KDE (Silverman bandwidth) of the incidents of the 12 months
 * ending with `month` ("YYYY-MM"; empty: all), 10 m cells, coarser where the raster would exceed
 * ~4096 px on a side. No incidents: no layer.
 */
void add_wall_kde_overlay(Scene& map, const Dataset& ds, const std::string& month);

/**
 * Adds the GiCells layer: Gi* (queen contiguity, level 4) on the incident counts of the 12 months
 * ending with `month`, hot and cold cells filled by confidence. No level-4 cells: no layer.
 */
void add_wall_gi_overlay(Scene& map, const Dataset& ds, const std::string& month);

/**
 * Adds the WarningCells layer: the four-colour warning of the level-4 cells over the 12 months
 * ending with `month`, thresholds from the project file (DATASET.gridwatch.json) or the defaults.
 */
void add_wall_warning_overlay(Scene& map, const Dataset& ds, const std::string& month);

/**
 * Adds the CheckCells layer: the L4 cells by days since their last check on `date` ("YYYY-MM-DD",
 * WallChecks::date), in the 巡查 panel's legend colours. No checks or no L4 cells: no layer.
 */
void add_wall_checks_overlay(Scene& map, const Dataset& ds, const std::string& date);

/** The overlay layer a scene overlay name shows (Gaps, Hotspots, Coverage, GiCells, WarningCells, CheckCells), or LayerId::Count. */
LayerId wall_overlay_layer(const std::string& overlay);

// ---- Scenes (wall_scenes.cpp) ---------------------------------------------------------------

/** Stepping through the project's scenes: only view and layer visibility change, never GPU data. */
class WallScenes {
public:
    explicit WallScenes(std::vector<gw::Scene> scenes);
    /** Index of the scene named `name`; throws gw::Error listing the names when there is none. */
    size_t find(const std::string& name) const;
    size_t size() const { return scenes_.size(); }
    size_t current() const { return current_; }
    const gw::Scene& scene() const { return scenes_.at(current_); }
    const std::vector<gw::Scene>& all() const { return scenes_; }
    void step(int delta) { go(size_t((int(current_) + delta % int(size()) + int(size())) % int(size()))); }
    void go(size_t i) { current_ = i < scenes_.size() ? i : 0; }
    /** Sets layer visibility of `map` and fits `view` (w×h) so the extent fills the layout's map area. */
    void apply(Scene& map, MapView& view, int w, int h) const;
    /**
     * Throws gw::Error naming `project_file` and the scene where a scene names a layer `map` does
     * not have or an overlay there is none of, or two scenes share a name: such a scene drew an
     * empty map, or its overlay not at all, without a word.
     */
    void check_against(const Scene& map, const std::string& project_file) const;

private:
    std::vector<gw::Scene> scenes_;
    size_t current_ = 0;
};

struct WallOptions {
    std::function<void()> opened;  // called once the wall stands (its scenes checked), before its first frame
    std::string monitor = "0";  // monitor index, or "all"
    std::string scene;          // start scene
    double tour_s = 0;          // seconds per scene, 0 = stepped by hand
    int width = 0, height = 0;  // test/benchmark window size (0 = the monitor's)
    std::string screenshot;
    std::vector<ScriptEvent> events;
    int frames = 0;
    bool timing = false;  // print scene-switch times on exit
    std::vector<std::string> basemaps;  // rasters under the map (--basemap and raster sources)
    OpenOptions open;  // how the dataset was opened: a PG: dataset's changed rows are read again so (live)
    Lang lang = Lang::Zh;
};

/** The wall window: borderless fullscreen on one monitor or spanning all. Runs until Esc. */
void run_wall(Dataset ds, const WallOptions& options);

/**
 * The wall drawn off-screen at w×h (needs a current GL context): scene `scene_name` (empty: the
 * first), tiles of at most `max_tile` pixels (0: the largest framebuffer), `basemaps` drawn under
 * the map. Returns the RGBA rows and the map view (for georeferencing).
 */
std::vector<uint8_t> render_wall_image(const Dataset& ds, const std::vector<gw::Scene>& scenes,
                                       const std::string& scene_name, int w, int h, MapView& view_out,
                                       int max_tile = 0, const WallContent* fixed = nullptr,
                                       const std::vector<std::string>& basemaps = {}, Lang lang = Lang::Zh);

}  // namespace gw::app
