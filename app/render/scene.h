#pragma once
/**
 * The map as plain vertex arrays, shared by the viewer and `gridwatch render`.
 *
 * A Scene is built once from a gw::Dataset (no GL here, so it can be built and tested without a
 * context); the renderer (renderer.h) uploads each layer when its revision changes and draws it
 * with a handful of calls. Coordinates are floats relative to `Scene::origin`, a point near the
 * data centre: Gauss-Kruger northings are ~2.7e6 m, which a float holds only to ~0.25 m.
 */
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/core/times.h"
#include "geo/io/basemap.h"

namespace gw {
struct KdeRaster;
struct ChecksReport;
struct PatrolsReport;
}

namespace gw::app {

/** Colour packed as bytes R, G, B, A in memory order (what GL reads as GL_UNSIGNED_BYTE × 4). */
using Rgba = uint32_t;
constexpr Rgba rgba(unsigned r, unsigned g, unsigned b, unsigned a = 255) {
    return (r & 255u) | (g & 255u) << 8 | (b & 255u) << 16 | (a & 255u) << 24;
}
constexpr Rgba with_alpha(Rgba c, unsigned a) { return (c & 0x00FFFFFFu) | (a & 255u) << 24; }

/**
 * The fill of a Gi* class (hot99 … cold99; ns: none), the same in the viewer's panel and on the
 * wall: ColorBrewer's RdBu diverging scheme, as ArcGIS and GeoDa use for Gi* confidence bins.
 */
Rgba gi_class_rgba(const std::string& cls);
/** The grid office's four warning colours ("red", "yellow", "blue", "green"; grey for anything else), opaque. */
Rgba warning_rgba(const std::string& color);
/**
 * The colour of the i-th of a set of unordered categories (the source layers no role uses), opaque:
 * ColorBrewer's Dark2, which reads on paper as outlines and as light fills; repeats after 8.
 */
Rgba category_rgba(size_t i);

/**
 * Daily work (SPEC §5.5). A check's kind (routine, newcomer, returnee, hazard, dispute, other) as a
 * colour and a symbol: newcomers in the households' newcomer orange, hazards red; the same in the
 * layer, the 巡查 panel and its legend.
 */
Rgba check_kind_rgba(const std::string& kind);
enum class Symbol : int { Circle = 0, Square, Triangle, Diamond, Ring, Star };
Symbol check_kind_symbol(const std::string& kind);
/** A patrol team's colour (patrol, joint, grid, video; grey for anything else). */
Rgba patrol_team_rgba(const std::string& team);
/**
 * The classes of days since a cell's last check, as the 巡查 panel's legend and the wall's scene
 * show them: 0 (checked today), 1, 2, 3–6, 7+, never. ColorBrewer RdYlGn (green = checked today)
 * with a dark purple for never, which a colour-blind reader still tells from 7+ by lightness.
 */
inline constexpr int kDaysSinceClasses = 6;
int days_since_class(const std::optional<int>& days_since);
Rgba days_since_rgba(int cls);
/** "0", "1", "2", "3–6", "7+" (never: the caller's word). */
const char* days_since_label(int cls);
/** The road pieces neither a camera nor a patrol covers (magenta: the colour of the gaps). */
inline constexpr Rgba kNeitherRgba = rgba(214, 51, 168);

/** A vertex of a filled triangle (polygon fills, camera view sectors). */
struct FillVertex {
    float x, y;
    Rgba color;  // in a layer with fill_colors: the index of the vertex's feature there, not a colour
};

/** One line segment, drawn as a screen-space antialiased capsule (round joins come for free). */
struct LineInstance {
    float ax, ay, bx, by;
    Rgba color;
    float width_px;
    float dist_m;           // distance along the line at a, so dashes run on across segments
    float dash_px, gap_px;  // dash pattern in pixels; dash 0 = solid
};

/** One point symbol, drawn as a screen-space quad shaded by a signed distance function. */
struct PointInstance {
    float x, y;
    Rgba fill, outline;
    float size_px;
    float shape;  // Symbol as a float (a vertex attribute)
};

enum class LayerId : int {
    Choropleth,
    Enterprises,
    Buildings,
    Roads,
    Grids,
    CameraViews,
    Households,
    Cameras,
    Incidents,
    Facilities,
    Candidates,
    Patrols,  // patrol tracks by team: off by default (they would bury the map), drawn by the 巡查 panel
    Checks,   // daily checks by kind: off by default (~2,900 a month per community)
    // Analysis layers, added to a scene when their panel first shows something (scene_analysis.cpp).
    Coverage,  // cells filled by coverage
    Gaps,      // coverage gap polygons
    Hotspots,  // KDE raster, Gi* classes, DBSCAN clusters, four colours
    Plan,      // proposed cameras of a placement plan
    GiCells,       // the wall's Gi* scene overlay: hot and cold cells
    WarningCells,  // the wall's four-colour scene overlay: cells by warning colour
    CheckCells,    // the 巡查 panel and the wall's 今日巡查 scene: L4 cells by days since the last check
    DailyTracks,   // the 巡查 panel: the month's patrol tracks, the window's shown by bands (add_patrol_days)
    Daily,         // the 巡查 panel: the "neither" road pieces, the day's reports
    Basemap,   // raster basemaps (RGBA images), always the bottom layer (add_basemaps)
    Other,     // a source layer no role uses (one SceneLayer each, told apart by key and `other`)
    Count
};

/**
 * A grid of values drawn colour-mapped (the KDE surface): rows from the top, values ≥ 0, drawn
 * over `extent` with transparent zero and the ramp reaching its top at `vmax`.
 */
struct ScalarRaster {
    std::vector<float> values;
    int width = 0, height = 0;
    Box extent;
    float vmax = 1;
};

/**
 * A run of one of a layer's arrays drawn only in a range of scales (metres per pixel) and only
 * when its bounds are on screen: scale-dependent visibility, as every GIS has, and culling by
 * spatial chunk, so a view of one community in a county does not push the whole county through
 * the vertex shaders. At county scale, ten thousand
 * household-group outlines or forty thousand household dots are a grey smear that costs most of
 * a frame; they appear as the user zooms towards a community.
 */
struct ScaleBand {
    size_t first = 0, count = 0;
    double max_mpp = 1e30;  // drawn while mpp < max_mpp …
    double min_mpp = 0;     // … and mpp >= min_mpp (simplified copies of lines for far-out views)
    Box bounds;             // … and this box (working CRS) is on screen: bands are ~2 km chunks
};

/**
 * How the user restyled a layer in the layer panel, applied as shader uniforms (no re-upload):
 * with `recolor`, fills, lines and point fills take `color` (its alpha times the feature's);
 * line widths and point sizes are multiplied by the two factors.
 */
struct LayerStyle {
    bool recolor = false;
    Rgba color = rgba(0, 0, 0);
    float line_width = 1;  // × each line's own width
    float point_size = 1;  // × each symbol's own size
};

/** One drawable layer: fills under lines under points; a layer is at most a few draw calls. */
struct SceneLayer {
    LayerId id = LayerId::Count;
    std::string key;  // canonical name: "grids", "camera_views", …
    bool visible = true;
    float opacity = 1;
    std::vector<FillVertex> fills;
    std::vector<LineInstance> lines;
    std::vector<PointInstance> points;
    // Runs of fills, lines and points with their scale limits; an array without bands is drawn whole.
    std::vector<ScaleBand> fill_bands, line_bands, point_bands;
    // Fills coloured by feature, for a layer recoloured often (the 巡查 panel's cells on each date
    // change): when not empty, each fill vertex's `color` is its feature's index here. Bumping
    // fill_colors_revision sends these colours to the GPU, 4 bytes a feature, not the vertices.
    std::vector<Rgba> fill_colors;
    uint64_t fill_colors_revision = 0;
    ScalarRaster raster;  // drawn under the fills when it has values (the KDE overlay)
    std::vector<RasterImage> images;  // RGBA images drawn first, in order (the basemaps)
    LayerStyle style;
    uint64_t revision = 1;  // bumped when the arrays change; the renderer re-uploads on a new revision
    int other = -1;         // LayerId::Other: its index in Dataset::other_layers
};

/** A text label the label placer may show (grid cell names, enterprise names). */
struct LabelCandidate {
    std::string text;
    Vec2 pos;          // anchor (centre of the label) in the working CRS
    Box feature_box;   // the labelled feature's bounds: a label shows only when it fits inside
    int priority = 0;  // lower first
    float size_px = 13;
    Rgba color = rgba(30, 30, 30);
    LayerId layer = LayerId::Grids;
    int level = 0;          // grid level for grid labels
    double max_mpp = 1e30;  // shown only while zoomed in past this (metres per pixel)
};

/** Per-grid statistic a choropleth colours cells by (from gw::compute_stats). */
enum class ChoroplethStat : int { Households, People, Cameras, CamerasOffline, Incidents, Count };

const char* stat_key(ChoroplethStat s);

/** The map of one dataset as vertex arrays, layers in drawing order from the bottom. */
struct Scene {
    Vec2 origin;
    Box extent;
    std::vector<SceneLayer> layers;
    std::vector<LabelCandidate> labels;  // sorted by priority
    ChoroplethStat choropleth_stat = ChoroplethStat::Households;
    int choropleth_level = 4;
    std::vector<double> choropleth_breaks;  // class upper bounds of the current choropleth

    SceneLayer& layer(LayerId id);
    const SceneLayer& layer(LayerId id) const;
};

/**
 * Builds every layer. Polygons are triangulated once here (holes kept). Never touches GL.
 * With only_mpp > 0 (an off-screen image at one scale) only what shows at that scale is built.
 * Far out, lines and outlines are drawn from copies simplified to half a pixel, dense point layers
 * thinned and shapes below a pixel drawn as dots; with `lod` false every scale draws the full
 * geometry (the picture the tests hold those copies against). With `only_box` (not empty: an
 * image's MapView::image_box) the grid cells' outlines, roads, buildings, parcels and camera
 * sectors whose bounds miss it are left out; point layers are built whole.
 */
Scene build_scene(const Dataset& ds, double only_mpp = 0, bool lod = true, const Box& only_box = {});

/** Bounds of everything a scene of `ds` draws (grids, points, roads, buildings, other layers…), working CRS. */
Box scene_extent(const Dataset& ds);
/** The box of every feature drawn; empty when the dataset has none (scene_extent then makes one up). */
Box drawn_extent(const Dataset& ds);

/** What a source layer no role uses holds, for its legend symbol: polygons, lines, points (any mix). */
struct GeometryKinds {
    bool polygons = false, lines = false, points = false;
};
GeometryKinds geometry_kinds(const OtherLayer& layer);

/**
 * Style of the source layers no role uses, by geometry type (SPEC §3: every layer is drawn): the
 * i-th layer's category_rgba as a light fill with an outline, a line, or small dots.
 */
struct OtherLayerStyle {
    Rgba fill, outline, line, point;
    float outline_px, line_px, point_px;
};
OtherLayerStyle other_layer_style(size_t i);

/** (Re)builds the choropleth layer: cells of `level` filled by `stat` in 5 quantile classes. */
void build_choropleth(Scene& scene, const Dataset& ds, ChoroplethStat stat, int level);

/** Douglas-Peucker simplification of a polyline (closed: a ring) to within `tolerance` metres. */
std::vector<Vec2> simplify(const std::vector<Vec2>& pts, double tolerance, bool closed);

/** Triangles (3 points each) covering a polygon with holes. */
std::vector<Vec2> triangulate(const Polygon& poly);

/**
 * A camera's view sector as a fan, apex first: the very polygon the analyses use
 * (gw::sector_polygon, arcs kArcStep apart), so the cone on screen is the cone analysed. A full
 * circle (fov 360) gets its apex in front and its arc closed, so that a fan from it covers the disc.
 */
std::vector<Vec2> sector_outline(const Camera& cam);

/** Owner colour of a camera (offline cameras are grey). */
Rgba camera_color(const Camera& cam);

/**
 * Rebuilds one point layer (Households, Incidents or Checks; Cameras without their views, see
 * build_camera_layers) from `ds` after its rows changed (the shared store's live changes),
 * bumping its revision; the rest of the scene is left as it is.
 */
void rebuild_point_layer(Scene& scene, const Dataset& ds, LayerId id);
/** Rebuilds the Checks and Patrols layers from `ds` (the viewer reads them when first shown). */
void rebuild_daily_layers(Scene& scene, const Dataset& ds);
/** Colour of an incident type (fire, traffic, …). */
Rgba incident_color(const std::string& type);

/**
 * Rebuilds the Cameras and CameraViews layers from ds.cameras (after an edit). With `views`
 * (parallel to `view_cameras`, null entries skipped) those polygons are drawn instead of plain
 * sectors: the occluded views the coverage panel computes.
 */
void build_camera_layers(Scene& scene, const Dataset& ds, const std::vector<const Camera*>* view_cameras = nullptr,
                         const std::vector<MultiPolygon>* views = nullptr);

/** The layer `id`, added just above layer `below` when the scene has none yet. */
SceneLayer& ensure_layer(Scene& scene, LayerId id, const char* key, LayerId below);

/** Fills polygons and outlines them into `L` (no scale bands: analysis layers are small). */
void add_polygons(SceneLayer& L, Vec2 origin, const MultiPolygon& shape, Rgba fill, Rgba outline,
                  float width_px, float dash_px = 0);

/**
 * Reads each raster of `paths` (load_basemap: warped to `work_crs_wkt`, at most `max_px` on a
 * side) into the Basemap layer, made the scene's bottom layer; the first path is drawn lowest.
 * Throws gw::Error naming a file that is not a georeferenced raster. No-op for no paths.
 */
void add_basemaps(Scene& scene, const std::vector<std::string>& paths, const std::string& work_crs_wkt,
                  int max_px = 4096);

/** A colour that stands for a layer in the style editor: its first fill, line or point colour. */
Rgba layer_color(const SceneLayer& L);

/** A KDE surface as a raster the renderer colour-maps (top of the ramp at the peak density). */
ScalarRaster to_scalar_raster(const KdeRaster& kde);

/** Fill colour for a coverage fraction 0..1: red (none) through yellow to green (all). */
Rgba coverage_color(double coverage);

// ---- Daily work (scene_daily.cpp): drawn from compute_checks / compute_patrols, never recomputed here.

/**
 * Fills each L4 cell of `report` (matched by grid_id) with days_since_rgba of its class at `alpha`.
 * Returns how many cells were filled in each class (0, 1, 2, 3–6, 7+, never).
 */
std::array<int, kDaysSinceClasses> add_check_cells(SceneLayer& L, Vec2 origin, const Dataset& ds,
                                                   const ChecksReport& report, unsigned alpha);
/** Check points by kind (check_kind_rgba, check_kind_symbol), dark-rimmed like incidents. */
void add_check_points(SceneLayer& L, Vec2 origin, const std::vector<const Check*>& checks, float size_px = 10);
/**
 * Every timed patrol track's segments, in their team's colour, laid once into a layer that shows
 * one window of whole calendar days after another (the 巡查 panel's slider): the segments are
 * grouped by the days of their two ends (most lie within one day), each group one line band, so
 * that show_patrol_days picks a window by the layer's bands alone, with nothing re-uploaded.
 * A segment is in the window when both its ends are (as a TimeWindow of those days contains them);
 * an untimed track is in no window.
 */
struct PatrolDays {
    struct Group {
        int64_t first_day = 0, last_day = 0;  // the days of the segment's ends (days since 1970-01-01)
        ScaleBand band;                       // its segments in the layer's lines
        std::vector<size_t> tracks;           // the tracks with a segment in it (indices into ds.patrols)
    };
    std::vector<Group> groups;  // by first_day, then last_day
    size_t tracks = 0;          // ds.patrols.size()
};
PatrolDays add_patrol_days(SceneLayer& L, Vec2 origin, const Dataset& ds, float width_px = 2.5f);
/**
 * Shows the segments of the days first_day … last_day (both included; days since 1970-01-01) by
 * setting L's line bands; L's arrays and revision are left alone. Returns the tracks shown.
 */
std::vector<size_t> show_patrol_days(SceneLayer& L, const PatrolDays& days, int64_t first_day, int64_t last_day);
/** The road pieces of report.neither (neither camera nor patrol) as wide magenta strokes. */
void add_neither_roads(SceneLayer& L, Vec2 origin, const PatrolsReport& report, float width_px = 7);

/** A screen view onto the map: centre in the working CRS, metres per pixel, size in pixels. */
struct MapView {
    Vec2 center;
    double mpp = 1;  // metres per pixel
    int width = 1, height = 1;

    /** Screen pixel (origin top-left, y down) of a world point. */
    Vec2 to_screen(Vec2 w) const {
        return {(w.x - center.x) / mpp + width / 2.0, height / 2.0 - (w.y - center.y) / mpp};
    }
    Vec2 to_world(Vec2 s) const {
        return {center.x + (s.x - width / 2.0) * mpp, center.y - (s.y - height / 2.0) * mpp};
    }
    Box world_box() const {
        Box b;
        b.add(to_world({0, 0}));
        b.add(to_world({double(width), double(height)}));
        return b;
    }
    /** A view of w×h pixels showing exactly `extent`: the larger side fitted, the other centred. */
    static MapView fit(const Box& extent, int w, int h);
    /** Zooms by `factor` (>1 in) keeping the world point under screen pixel `at` fixed. */
    void zoom_at(Vec2 at, double factor);
    /** Moves the map with the mouse: a drag of (dx, dy) pixels. */
    void pan_pixels(double dx, double dy) { center = center + Vec2{-dx * mpp, dy * mpp}; }
    /**
     * What an image of this view is built of (build_scene's only_box): its part of the map and 64
     * pixels around it, room for the widest line (a 7.5 px road casing) and a far-out parcel's dot.
     */
    Box image_box() const { return world_box().grown(64 * mpp); }
};

}  // namespace gw::app
