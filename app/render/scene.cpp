// Building the map's vertex arrays from a Dataset (see scene.h). No GL calls here.
//
// [SECTION] Styles           colours and widths of every layer
// [SECTION] Geometry helpers polylines, triangulation, sectors
// [SECTION] Layers           one builder per layer
// [SECTION] Labels and view
#include "app/render/scene.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <numbers>
#include <optional>
#include <span>
#include <unordered_map>
#include <unordered_set>

#include "geo/analysis/camera_view.h"
#include "geo/analysis/stats.h"
#include "geo/core/box_index.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"

namespace gw::app {

Rgba gi_class_rgba(const std::string& cls) {
    if (cls == "hot99") return rgba(178, 24, 43, 170);
    if (cls == "hot95") return rgba(239, 138, 98, 160);
    if (cls == "hot90") return rgba(253, 219, 199, 160);
    if (cls == "cold90") return rgba(209, 229, 240, 160);
    if (cls == "cold95") return rgba(103, 169, 207, 160);
    if (cls == "cold99") return rgba(33, 102, 172, 170);
    return 0;  // not significant: no fill
}

Rgba warning_rgba(const std::string& color) {
    if (color == "red") return rgba(240, 62, 62);
    if (color == "yellow") return rgba(250, 204, 21);
    if (color == "blue") return rgba(59, 130, 246);
    if (color == "green") return rgba(64, 192, 87);
    return rgba(150, 150, 150);
}

Rgba category_rgba(size_t i) {
    static constexpr Rgba dark2[] = {rgba(27, 158, 119), rgba(217, 95, 2),   rgba(117, 112, 179),
                                     rgba(231, 41, 138), rgba(102, 166, 30), rgba(230, 171, 2),
                                     rgba(166, 118, 29), rgba(102, 102, 102)};
    return dark2[i % std::size(dark2)];
}

Rgba check_kind_rgba(const std::string& kind) {
    if (kind == "routine") return rgba(47, 158, 68);
    if (kind == "newcomer") return rgba(240, 140, 0);  // the households' newcomer orange
    if (kind == "returnee") return rgba(25, 113, 194);
    if (kind == "hazard") return rgba(224, 49, 49);
    if (kind == "dispute") return rgba(174, 62, 201);
    return rgba(108, 117, 125);
}

Symbol check_kind_symbol(const std::string& kind) {
    if (kind == "newcomer") return Symbol::Diamond;
    if (kind == "returnee") return Symbol::Square;
    if (kind == "hazard") return Symbol::Triangle;
    if (kind == "dispute") return Symbol::Star;
    return Symbol::Circle;
}

Rgba patrol_team_rgba(const std::string& team) {
    if (team == "patrol") return rgba(28, 126, 214);
    if (team == "joint") return rgba(12, 166, 120);
    if (team == "grid") return rgba(232, 89, 12);
    if (team == "video") return rgba(112, 72, 232);
    return rgba(73, 80, 87);
}

int days_since_class(const std::optional<int>& d) {
    if (!d) return 5;
    if (*d <= 0) return 0;
    if (*d <= 2) return *d;
    return *d <= 6 ? 3 : 4;
}

Rgba days_since_rgba(int cls) {
    static constexpr Rgba classes[kDaysSinceClasses] = {rgba(26, 152, 80),  rgba(166, 217, 106), rgba(254, 224, 139),
                                                        rgba(252, 141, 89), rgba(215, 48, 39),   rgba(84, 39, 136)};
    return classes[std::clamp(cls, 0, kDaysSinceClasses - 1)];
}

const char* days_since_label(int cls) {
    static constexpr const char* labels[kDaysSinceClasses] = {"0", "1", "2", "3–6", "7+", ""};
    return labels[std::clamp(cls, 0, kDaysSinceClasses - 1)];
}

OtherLayerStyle other_layer_style(size_t i) {
    const Rgba c = category_rgba(i);
    // A light fill: a county's borders drawn over roads and buildings must not hide them.
    // Dots as large as the incidents: at county scale symbols shrink to half, and a smaller one is
    // all white rim.
    return {with_alpha(c, 56), c, c, c, 1.4f, 1.8f, 9.f};
}

GeometryKinds geometry_kinds(const OtherLayer& layer) {
    return {!layer.polygons.empty(), !layer.lines.empty(), !layer.points.empty()};
}

namespace {

// ---------------------------------------------------------------------------------------------
// [SECTION] Styles
// ---------------------------------------------------------------------------------------------

struct LineStyle {
    Rgba color;
    float width_px;
    float dash_px = 0, gap_px = 0;
};

/** Grid outlines by level: a bold dark community boundary down to thin light household groups. */
LineStyle grid_style(int level) {
    switch (level) {
        case 1:
            return {rgba(20, 20, 28), 3.6f};
        case 2:
            return {rgba(40, 52, 78), 2.8f};
        case 3:
            return {rgba(56, 70, 94), 2.0f, 9, 5};
        default:
            return {rgba(140, 148, 160), 0.9f};
    }
}

struct RoadStyle {
    int rank;  // drawing order: higher on top
    LineStyle casing, fill;
};

RoadStyle road_style(const std::string& cls) {
    if (cls == "national") return {3, {rgba(150, 80, 20), 7.5f}, {rgba(250, 178, 80), 5.5f}};
    if (cls == "county") return {2, {rgba(170, 130, 60), 5.5f}, {rgba(252, 222, 140), 3.8f}};
    if (cls == "path") return {0, {0, 0}, {rgba(140, 120, 100), 1.2f, 4, 3}};
    return {1, {rgba(165, 165, 165), 3.8f}, {rgba(255, 255, 255), 2.4f}};
}

struct PointStyle {
    Symbol symbol;
    Rgba fill;
    float size;
};

/** Households by their most telling tag: risk, then newcomer, relocated, camera. */
PointStyle household_style(unsigned tags) {
    if (tags & kRisk) return {Symbol::Triangle, rgba(224, 49, 49), 11};
    if (tags & kNewcomer) return {Symbol::Diamond, rgba(240, 140, 0), 10};
    if (tags & kRelocated) return {Symbol::Square, rgba(0, 166, 166), 7.5f};
    if (tags & kCameraTag) return {Symbol::Circle, rgba(43, 138, 62), 8};
    return {Symbol::Circle, rgba(108, 117, 125), 6.5f};
}

Symbol incident_symbol(const std::string& type) {
    if (type == "fire") return Symbol::Triangle;
    if (type == "traffic") return Symbol::Diamond;
    if (type == "dispute") return Symbol::Square;
    if (type == "fraud") return Symbol::Star;
    return Symbol::Circle;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Geometry helpers
// ---------------------------------------------------------------------------------------------

/** Scale limits in metres per pixel (a community of ~4 km fills a screen at ~4 m/px). */
constexpr double kHouseholdGroupsMpp = 9, kVillagerGroupsMpp = 20, kTwoCommitteesMpp = 45;
constexpr double kBuildingsMpp = 5, kMinorRoadsMpp = 12, kHouseholdsMpp = 12, kViewsMpp = 12,
                 kIncidentsMpp = 15, kChecksMpp = 15;

void grow(Box& b, const FillVertex& v) { b.add(Vec2{v.x, v.y}); }
void grow(Box& b, const LineInstance& l) { b.add(Vec2{l.ax, l.ay}), b.add(Vec2{l.bx, l.by}); }
void grow(Box& b, const PointInstance& p) { b.add(Vec2{p.x, p.y}); }

/**
 * Closes a band: what was appended to `array` since the last band shows for min ≤ mpp < max,
 * when its bounds (computed here; `o` is the scene origin) are on screen.
 */
template <class T>
void band(std::vector<ScaleBand>& bands, const std::vector<T>& array, Vec2 o, double max_mpp,
          double min_mpp = 0) {
    const size_t first = bands.empty() ? 0 : bands.back().first + bands.back().count;
    if (array.size() == first) return;
    Box b;
    for (size_t i = first; i < array.size(); ++i) grow(b, array[i]);
    bands.push_back({first, array.size() - first, max_mpp, min_mpp,
                     Box{b.xmin + o.x, b.ymin + o.y, b.xmax + o.x, b.ymax + o.y}});
}

/** Square chunks of the data extent that bands are cut along (a community is ~4 km across). */
struct Chunker {
    Box extent;
    double size = 2000;
    // When > 0 the scene is built for this one scale (an off-screen image): runs that would not
    // show at it are not built at all (a county overview skips 46k building triangulations).
    double only_mpp = 0;
    // False: no simplified copies and no thinned points, the full geometry at every scale (the
    // picture the levels of detail are held against).
    bool lod = true;
    // When not empty, the part of the map an off-screen image shows (MapView::image_box): features
    // whose bounds miss it are left out (a county's 46k buildings not triangulated for an image of
    // one cell). Whatever shows in it is built as it would be without it: an edge two cells share
    // lies in both cells' bounds, so the cell that draws it is the same. (Where cells do not tile, an
    // edge in three rings or a ring touching itself, two cells' simplified arcs may share their first
    // edge: the whole scene draws the first cell's, an image may draw the other's.)
    Box only_box;
    bool needed(double min_mpp, double max_mpp) const {
        return only_mpp <= 0 || (only_mpp >= min_mpp && only_mpp < max_mpp);
    }
    bool shows(const Box& b) const { return only_box.empty() || b.intersects(only_box); }
    int of(Vec2 p) const {
        const int nx = std::max(1, int(std::ceil(extent.width() / size)));
        const int cx = std::clamp(int((p.x - extent.xmin) / size), 0, nx - 1);
        const int cy = std::max(0, int((p.y - extent.ymin) / size));
        return cy * nx + cx;
    }
    /** 0..n-1 stably sorted by the chunk of pos(i). */
    template <class Pos>
    std::vector<size_t> order(size_t n, Pos pos) const {
        std::vector<std::pair<int, size_t>> keyed(n);
        for (size_t i = 0; i < n; ++i) keyed[i] = {of(pos(i)), i};
        std::stable_sort(keyed.begin(), keyed.end(), [](auto& a, auto& b) { return a.first < b.first; });
        std::vector<size_t> out(n);
        for (size_t i = 0; i < n; ++i) out[i] = keyed[i].second;
        return out;
    }
};

/**
 * Emits items in chunk order, closing a band of `array` (via `close`) each time the chunk changes
 * and after the last item.
 */
template <class Pos, class Emit, class Close>
void emit_by_chunk(const Chunker& ch, size_t n, Pos pos, Emit emit, Close close) {
    int chunk = -1;
    for (size_t i : ch.order(n, pos)) {
        const int c = ch.of(pos(i));
        if (c != chunk && chunk != -1) close();
        chunk = c;
        emit(i);
    }
    close();
}

/**
 * Levels of detail for long boundaries and roads: past min_mpp a copy simplified to `tolerance`
 * metres (about half a pixel at that scale) replaces the full line. At county scale the full
 * boundaries are hundreds of thousands of sub-pixel segments.
 */
struct Lod {
    double min_mpp, max_mpp, tolerance;
};
// Past 60 m/px a band for each doubling of the scale: a prefecture on a screen is ~150 m/px, where
// the 30 m copy still had ~5 segments to a pixel of boundary.
constexpr Lod kLods[] = {{0, 4, 0}, {4, 15, 2}, {15, 60, 7}, {60, 120, 30}, {120, 240, 60}, {240, 1e30, 120}};
constexpr Lod kFullDetail[] = {{0, 1e30, 0}};
/** The levels of detail a chunker builds: `table`, or one full-detail level. */
template <size_t N>
std::span<const Lod> lods(const Chunker& ch, const Lod (&table)[N]) {
    return ch.lod ? std::span<const Lod>(table) : std::span<const Lod>(kFullDetail);
}

/** Appends a polyline's segments; `closed` adds the closing segment of a ring. */
void add_polyline(std::vector<LineInstance>& out, Vec2 origin, const std::vector<Vec2>& pts, bool closed,
                  const LineStyle& s) {
    const size_t n = pts.size();
    if (n < 2) return;
    double dist = 0;
    const size_t segs = closed ? n : n - 1;
    for (size_t i = 0; i < segs; ++i) {
        Vec2 a = pts[i] - origin, b = pts[(i + 1) % n] - origin;
        out.push_back({float(a.x), float(a.y), float(b.x), float(b.y), s.color, s.width_px, float(dist),
                       s.dash_px, s.gap_px});
        dist += distance(a, b);
    }
}

void add_triangles(std::vector<FillVertex>& out, Vec2 origin, const std::vector<Vec2>& tris, Rgba color) {
    for (Vec2 p : tris) out.push_back({float(p.x - origin.x), float(p.y - origin.y), color});
}

void point_key(Vec2 p, int64_t& x, int64_t& y) {
    x = std::llround(p.x * 100), y = std::llround(p.y * 100);  // centimetres
}

/** An undirected segment snapped to centimetres, to draw an edge two cells share only once. */
struct EdgeKey {
    int64_t ax, ay, bx, by;
    bool operator==(const EdgeKey&) const = default;
};
struct EdgeHash {
    size_t operator()(const EdgeKey& k) const {
        uint64_t h = 1469598103934665603ull;
        for (int64_t v : {k.ax, k.ay, k.bx, k.by}) h = (h ^ uint64_t(v)) * 1099511628211ull;
        return size_t(h);
    }
};
/** A square of a grid over the working CRS, by its column and row. */
struct Square {
    int64_t x, y;
    bool operator==(const Square&) const = default;
};
struct SquareHash {
    size_t operator()(const Square& k) const { return EdgeHash{}({k.x, k.y, 0, 0}); }
};

EdgeKey edge_key(Vec2 a, Vec2 b) {
    EdgeKey k;
    point_key(a, k.ax, k.ay);
    point_key(b, k.bx, k.by);
    if (std::tie(k.bx, k.by) < std::tie(k.ax, k.ay)) std::swap(k.ax, k.bx), std::swap(k.ay, k.by);
    return k;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Layers
// ---------------------------------------------------------------------------------------------

PointInstance point(Vec2 p, Vec2 o, Rgba fill, Rgba outline, float size, Symbol s) {
    return {float(p.x - o.x), float(p.y - o.y), fill, outline, size, float(int(s))};
}

/**
 * The rings of one grid level cut into arcs where the cell on the other side of the boundary
 * changes. Simplified ring by ring, an edge two cells share kept different vertices in each, and
 * far out the border was drawn twice side by side; cut at the same vertices from both sides, an
 * arc is simplified once and drawn once. Rings are numbered cell by cell (first[k] is cell k's
 * first), polygon by polygon; starts[r] are the vertices where ring r's arcs start (none: the
 * ring is one closed arc, bordering one cell or none all round).
 */
struct LevelArcs {
    std::vector<size_t> first;
    std::vector<std::vector<uint32_t>> starts;
};

LevelArcs level_arcs(const std::vector<const Grid*>& cells) {
    LevelArcs arcs;
    // Every edge as the hash of its snapped key, its ring and its place, sorted by the hash: an edge
    // two rings share is two neighbouring entries. (Two 64-bit hashes alike would only move a cut.)
    struct Edge {
        uint64_t hash;
        uint32_t ring, at;
    };
    std::vector<Edge> edges;
    std::vector<size_t> ring_edges{0};  // ring r's edges are [ring_edges[r], ring_edges[r + 1])
    uint32_t ring_id = 0;
    for (const Grid* g : cells) {
        arcs.first.push_back(ring_id);
        for (const auto& poly : g->shape)
            for (const auto& ring : poly.rings) {
                for (size_t i = 0, n = ring.size(); i < n; ++i)
                    edges.push_back({EdgeHash{}(edge_key(ring[i], ring[(i + 1) % n])), ring_id, uint32_t(edges.size())});
                ring_edges.push_back(edges.size());
                ++ring_id;
            }
    }
    std::vector<int64_t> other(edges.size(), -1);  // the ring on the other side of each edge
    parallel_sort(edges.begin(), edges.end(), [](const Edge& x, const Edge& y) {
        return x.hash < y.hash || (x.hash == y.hash && x.at < y.at);
    });
    for (size_t i = 0; i + 1 < edges.size(); ++i)
        if (edges[i].hash == edges[i + 1].hash && edges[i].ring != edges[i + 1].ring &&
            (i + 2 == edges.size() || edges[i + 2].hash != edges[i].hash) && (i == 0 || edges[i - 1].hash != edges[i].hash))
            other[edges[i].at] = edges[i + 1].ring, other[edges[i + 1].at] = edges[i].ring;
    arcs.starts.resize(ring_id);
    for (uint32_t r = 0; r < ring_id; ++r) {
        const size_t e0 = ring_edges[r], n = ring_edges[r + 1] - e0;
        for (size_t i = 0; i < n; ++i)
            if (other[e0 + i] != other[e0 + (i + n - 1) % n]) arcs.starts[r].push_back(static_cast<uint32_t>(i));
    }
    return arcs;
}

/** A vertex's snapped key, to order the two ends of an arc the same way from either side. */
std::pair<int64_t, int64_t> vertex_key(Vec2 p) {
    std::pair<int64_t, int64_t> k;
    point_key(p, k.first, k.second);
    return k;
}

/** One grid level's outlines: its lines and their bands, the bands counted from its first line. */
struct LevelLines {
    std::vector<LineInstance> lines;
    std::vector<ScaleBand> bands;
};

/**
 * The outlines of the grid cells of one level. Within a level an edge two cells share is drawn
 * once: twice would double the antialiased edge and put two dash phases on top of each other.
 */
LevelLines grid_level_lines(const Dataset& ds, int level, Vec2 o, const Chunker& ch) {
    LevelLines out;
    const LineStyle s = grid_style(level);
    const double visible_below = level == 4   ? kHouseholdGroupsMpp
                                 : level == 3 ? kVillagerGroupsMpp
                                 : level == 2 ? kTwoCommitteesMpp
                                              : 1e30;
    const auto cells = ds.grids_of_level(level);
    std::vector<Box> boxes(cells.size());  // for every copy: chunk order and what the image shows
    for (size_t i = 0; i < cells.size(); ++i) boxes[i] = bounds(cells[i]->shape);
    std::optional<LevelArcs> arcs;  // made for the first simplified copy
    for (const Lod& lod : lods(ch, kLods)) {
        if (lod.min_mpp >= visible_below) break;
        if (!ch.needed(lod.min_mpp, std::min(lod.max_mpp, visible_below))) continue;
        if (lod.tolerance > 0 && !arcs) arcs = level_arcs(cells);
        // Drawn already: at full detail edges, simplified arcs by their first edge.
        std::unordered_set<EdgeKey, EdgeHash> seen;
        emit_by_chunk(
            ch, cells.size(), [&](size_t i) { return boxes[i].center(); },
            [&](size_t k) {
                if (!ch.shows(boxes[k])) return;
                size_t ring_id = arcs ? arcs->first[k] : 0;
                for (const auto& poly : cells[k]->shape)
                    for (const auto& ring : poly.rings) {
                        if (lod.tolerance > 0) {
                            // Simplified the one way either cell gives it (from its lower end, by
                            // vertex_key), drawn as this cell's ring runs, its dashes measured from
                            // where the ring starts (as at full detail).
                            const auto& starts = arcs->starts[ring_id++];
                            const size_t n = ring.size();
                            if (n < 2) continue;
                            std::vector<double> along(n + 1, 0);  // the ring's length up to each vertex
                            for (size_t i = 1; i <= n; ++i)
                                along[i] = along[i - 1] + distance(ring[i - 1], ring[i % n]);
                            auto emit = [&](const std::vector<Vec2>& pts, bool closed, double dist) {
                                const size_t m = pts.size(), segs = closed ? m : m - 1;
                                for (size_t i = 0; i < segs; ++i) {
                                    Vec2 p = pts[i] - o, q = pts[(i + 1) % m] - o;
                                    out.lines.push_back({float(p.x), float(p.y), float(q.x), float(q.y),
                                                         s.color, s.width_px, float(dist), s.dash_px,
                                                         s.gap_px});
                                    dist += distance(p, q);
                                }
                            };
                            if (starts.empty()) {
                                // One closed arc: from its lowest vertex, towards the lower neighbour.
                                size_t low = 0;
                                for (size_t i = 1; i < n; ++i)
                                    if (vertex_key(ring[i]) < vertex_key(ring[low])) low = i;
                                const bool back =
                                    vertex_key(ring[(low + n - 1) % n]) < vertex_key(ring[(low + 1) % n]);
                                if (!seen.insert(edge_key(ring[low],
                                                          ring[back ? (low + n - 1) % n : (low + 1) % n]))
                                         .second)
                                    continue;
                                std::vector<Vec2> arc(n);
                                for (size_t i = 0; i < n; ++i)
                                    arc[i] = ring[back ? (low + n - i) % n : (low + i) % n];
                                emit(simplify(arc, lod.tolerance, true), true, 0);
                                continue;
                            }
                            for (size_t j = 0; j < starts.size(); ++j) {
                                const size_t from = starts[j], to = starts[(j + 1) % starts.size()];
                                const size_t len =
                                    (to + n - from) % n == 0 ? n : (to + n - from) % n;  // edges
                                auto at = [&](size_t i) { return ring[(from + i) % n]; };
                                const auto a = vertex_key(at(0)), b = vertex_key(at(len));
                                const bool back =
                                    b < a || (a == b && vertex_key(at(len - 1)) < vertex_key(at(1)));
                                if (!seen.insert(back ? edge_key(at(len), at(len - 1))
                                                      : edge_key(at(0), at(1)))
                                         .second)
                                    continue;
                                std::vector<Vec2> arc(len + 1);
                                for (size_t i = 0; i <= len; ++i) arc[i] = at(back ? len - i : i);
                                std::vector<Vec2> pts = simplify(arc, lod.tolerance, false);
                                if (back) std::reverse(pts.begin(), pts.end());
                                emit(pts, false, along[from]);
                            }
                            continue;
                        }
                        double dist = 0;
                        for (size_t i = 0, n = ring.size(); i < n; ++i) {
                            Vec2 a = ring[i], b = ring[(i + 1) % n];
                            if (seen.insert(edge_key(a, b)).second) {
                                Vec2 ra = a - o, rb = b - o;
                                out.lines.push_back({float(ra.x), float(ra.y), float(rb.x), float(rb.y),
                                                     s.color, s.width_px, float(dist), s.dash_px, s.gap_px});
                            }
                            dist += distance(a, b);
                        }
                    }
            },
            [&] { band(out.bands, out.lines, o, std::min(lod.max_mpp, visible_below), lod.min_mpp); });
    }
    return out;
}

/** Appends a level's outlines to the grids layer: its bands move by the lines already there. */
void append_level(SceneLayer& L, const LevelLines& level) {
    const size_t at = L.lines.size();
    for (ScaleBand b : level.bands) {
        b.first += at;
        L.line_bands.push_back(b);
    }
    L.lines.insert(L.lines.end(), level.lines.begin(), level.lines.end());
}

/** Filled polygons with outlines; the outlines get the grids' levels of detail (kLods). */
void build_polygons(SceneLayer& L, const std::vector<const MultiPolygon*>& shapes, Vec2 o, Rgba fill,
                    const LineStyle& outline, const Chunker& ch, double max_mpp) {
    if (!ch.needed(0, max_mpp)) return;
    std::vector<Box> boxes(shapes.size());  // for every copy: chunk order, dots, what the image shows
    for (size_t i = 0; i < shapes.size(); ++i) boxes[i] = bounds(*shapes[i]);
    auto centre = [&](size_t i) { return boxes[i].center(); };
    // A far-out copy draws a shape smaller than a pixel at its finest scale (twice the tolerance)
    // as a dot of its outline's colour, as wide as the outline plus the shape: the four outline
    // segments and two triangles of a 100 m parcel at a prefecture's extent make the same ~2 px blot.
    auto dot = [&](size_t i, const Lod& lod) {
        const Box& b = boxes[i];
        return lod.tolerance > 0 && std::max(b.width(), b.height()) < 2 * lod.tolerance;
    };
    // Fills of a layer drawn at every scale get two far-out copies: a polygon without holes whose
    // outline simplified to the level's tolerance is convex is filled by a fan of that outline (a
    // 32-vertex parcel becomes 2–4 triangles); any other keeps its full triangles.
    static constexpr Lod kFillLods[] = {{0, 15, 0}, {15, 60, 7}, {60, 120, 30}, {120, 240, 60}, {240, 1e30, 120}};
    const auto fill_lods = lods(ch, kFillLods);
    std::vector<std::vector<std::vector<Vec2>>> full(max_mpp > 15 && ch.lod ? shapes.size() : 0);  // triangles, made once
    auto triangles = [&](size_t i, size_t k) {
        if (full.empty()) return triangulate((*shapes[i])[k]);
        if (full[i].empty()) full[i].resize(shapes[i]->size());
        if (full[i][k].empty()) full[i][k] = triangulate((*shapes[i])[k]);
        return full[i][k];
    };
    for (const Lod& lod : fill_lods) {
        if (lod.min_mpp >= max_mpp) break;
        const double top = lod.max_mpp >= 1e30 || full.empty() ? max_mpp : std::min(lod.max_mpp, max_mpp);
        if (!ch.needed(lod.min_mpp, top)) continue;
        emit_by_chunk(
            ch, shapes.size(), centre,
            [&](size_t i) {
                if (dot(i, lod) || !ch.shows(boxes[i])) return;
                for (size_t k = 0; k < shapes[i]->size(); ++k) {
                    const Polygon& poly = (*shapes[i])[k];
                    if (lod.tolerance > 0 && poly.rings.size() == 1) {
                        const Ring shell = simplify(poly.rings[0], lod.tolerance, true);
                        if (shell.size() >= 3 && ring_convex(shell)) {
                            for (size_t v = 1; v + 1 < shell.size(); ++v)
                                add_triangles(L.fills, o, {shell[0], shell[v], shell[v + 1]}, fill);
                            continue;
                        }
                    }
                    add_triangles(L.fills, o, triangles(i, k), fill);
                }
            },
            [&] { band(L.fill_bands, L.fills, o, top, lod.min_mpp); });
        if (full.empty()) break;  // a layer shown only close in: one copy
    }
    // A prefecture's 12,000 enterprise parcels at full detail are 380,000 outline segments a frame,
    // most shorter than a pixel: the outlines take the fills' levels (a community on screen, below
    // 15 m/px, is drawn in full).
    for (const Lod& lod : fill_lods) {
        if (lod.min_mpp >= max_mpp) break;
        if (!ch.needed(lod.min_mpp, std::min(lod.max_mpp, max_mpp))) continue;
        emit_by_chunk(
            ch, shapes.size(), centre,
            [&](size_t i) {
                if (!ch.shows(boxes[i])) return;
                if (dot(i, lod)) {
                    const Box& b = boxes[i];
                    const Vec2 c = b.center() - o;
                    const float w = outline.width_px + float(std::max(b.width(), b.height()) / (2 * lod.tolerance));
                    L.lines.push_back({float(c.x), float(c.y), float(c.x), float(c.y), outline.color, w, 0, 0, 0});
                    return;
                }
                for (const auto& poly : *shapes[i])
                    for (const auto& ring : poly.rings)
                        add_polyline(L.lines, o, lod.tolerance > 0 ? simplify(ring, lod.tolerance, true) : ring, true,
                                     outline);
            },
            [&] { band(L.line_bands, L.lines, o, std::min(lod.max_mpp, max_mpp), lod.min_mpp); });
    }
}

void build_roads(SceneLayer& L, const Dataset& ds, Vec2 o, const Chunker& ch) {
    std::vector<const Road*> order;
    for (const auto& r : ds.roads) order.push_back(&r);
    std::stable_sort(order.begin(), order.end(), [](const Road* a, const Road* b) {
        return road_style(a->road_class).rank < road_style(b->road_class).rank;
    });
    std::vector<Box> boxes(ds.roads.size());  // for every pass and copy: chunk order, what the image shows
    for (size_t r = 0; r < ds.roads.size(); ++r) boxes[r] = bounds(ds.roads[r].shape);
    auto box = [&](const Road* r) -> const Box& { return boxes[static_cast<size_t>(r - ds.roads.data())]; };
    // All casings first, then the fills: junctions then read as joined roads, not stacked ones.
    // Each pass runs minor roads (village, path) then major ones, so minor roads get their own bands.
    for (int pass = 0; pass < 2; ++pass)
        for (bool major : {false, true}) {
            const double visible_below = major ? 1e30 : kMinorRoadsMpp;
            for (const Lod& lod : lods(ch, kLods)) {
                if (lod.min_mpp >= visible_below) break;
                if (!ch.needed(lod.min_mpp, std::min(lod.max_mpp, visible_below))) continue;
                std::vector<const Road*> group;
                for (const Road* r : order)
                    if ((road_style(r->road_class).rank >= 2) == major) group.push_back(r);
                emit_by_chunk(
                    ch, group.size(), [&](size_t i) { return box(group[i]).center(); },
                    [&](size_t i) {
                        if (!ch.shows(box(group[i]))) return;
                        const RoadStyle s = road_style(group[i]->road_class);
                        const LineStyle& st = pass == 0 ? s.casing : s.fill;
                        if (st.width_px > 0)
                            for (const auto& line : group[i]->shape)
                                add_polyline(L.lines, o,
                                             lod.tolerance > 0 ? simplify(line, lod.tolerance, false) : line,
                                             false, st);
                    },
                    [&] {
                        band(L.line_bands, L.lines, o, std::min(lod.max_mpp, visible_below), lod.min_mpp);
                    });
            }
        }
}

void build_camera_views(SceneLayer& L, const Dataset& ds, Vec2 o, const Chunker& ch) {
    if (!ch.needed(0, kViewsMpp)) return;
    // Offline cameras first so the live coverage reads on top.
    for (int pass = 0; pass < 2; ++pass) {
        std::vector<const Camera*> cams;
        for (const auto& cam : ds.cameras)
            if (cam.online() == (pass == 1) && cam.fov > 0 && cam.fov <= 360 && cam.range > 0 &&
                cam.range <= 10000 && std::isfinite(cam.azimuth))
                cams.push_back(&cam);
        emit_by_chunk(
            ch, cams.size(), [&](size_t i) { return cams[i]->pos; },
            [&](size_t i) {
                // The sector lies within its range of the camera.
                if (!ch.shows(BoxIndex::around(cams[i]->pos, cams[i]->range))) return;
                const Rgba c = with_alpha(camera_color(*cams[i]), cams[i]->online() ? 64 : 56);
                auto fan = sector_outline(*cams[i]);
                for (size_t k = 1; k + 1 < fan.size(); ++k)
                    add_triangles(L.fills, o, {fan[0], fan[k], fan[k + 1]}, c);
            },
            [&] { band(L.fill_bands, L.fills, o, kViewsMpp); });
    }
}

/**
 * Point symbols of one layer in chunk order, each chunk a band shown below `max_mpp`. From
 * 15 m/px (a county or wider on screen) a thinned copy is drawn instead: one symbol for each
 * square of two pixels at the band's finest scale, where a symbol of 5 px or more covers its
 * neighbours anyway. Of the points in a square the one of lowest `rank` shows (the first of them
 * on a tie), so an offline camera is not hidden under online ones. A prefecture's 159,000
 * cameras at full extent become about a tenth as many quads. Layers shown only closer in
 * (households, incidents, checks) are drawn whole.
 */
template <class F, class Make, class Rank>
void build_points(SceneLayer& L, const std::vector<F>& features, Vec2 o, const Chunker& ch, double max_mpp,
                  Make make, Rank rank) {
    static constexpr Lod kPointLods[] = {{0, 15, 0}, {15, 60, 0}, {60, 120, 0}, {120, 240, 0}, {240, 1e30, 0}};
    auto pos = [&](size_t i) { return features[i].pos; };
    for (const Lod& lod : lods(ch, kPointLods)) {
        if (lod.min_mpp >= max_mpp) break;
        const double top = std::min(lod.max_mpp, max_mpp);
        if (!ch.needed(lod.min_mpp, top)) continue;
        if (lod.min_mpp <= 0) {
            emit_by_chunk(
                ch, features.size(), pos, [&](size_t i) { L.points.push_back(make(features[i])); },
                [&] { band(L.point_bands, L.points, o, top); });
            continue;
        }
        const double cell = 2 * lod.min_mpp;
        std::unordered_map<Square, std::pair<size_t, int>, SquareHash> shown;  // square → (point, rank)
        emit_by_chunk(
            ch, features.size(), pos,
            [&](size_t i) {
                const Vec2 p = features[i].pos;
                const Square key{std::llround(std::floor(p.x / cell)), std::llround(std::floor(p.y / cell))};
                const int r = rank(features[i]);
                auto [at, fresh] = shown.try_emplace(key, L.points.size(), r);
                if (fresh) L.points.push_back(make(features[i]));
                else if (r < at->second.second) L.points[at->second.first] = make(features[i]), at->second.second = r;
            },
            [&] {
                band(L.point_bands, L.points, o, top, lod.min_mpp);
                shown.clear();  // a band's squares are its own: the next band's points go to the next band
            });
    }
}
template <class F, class Make>
void build_points(SceneLayer& L, const std::vector<F>& features, Vec2 o, const Chunker& ch, double max_mpp,
                  Make make) {
    build_points(L, features, o, ch, max_mpp, make, [](const F&) { return 0; });
}

/** Patrol tracks in their team's colour, with the roads' levels of detail (GPS tracks are dense). */
void build_patrols(SceneLayer& L, const Dataset& ds, Vec2 o, const Chunker& ch) {
    for (const Lod& lod : lods(ch, kLods)) {
        if (!ch.needed(lod.min_mpp, lod.max_mpp)) continue;
        emit_by_chunk(
            ch, ds.patrols.size(), [&](size_t i) { return bounds(ds.patrols[i].shape).center(); },
            [&](size_t i) {
                const LineStyle st{patrol_team_rgba(ds.patrols[i].team), 2.2f};
                for (const auto& part : ds.patrols[i].shape)
                    add_polyline(L.lines, o, lod.tolerance > 0 ? simplify(part, lod.tolerance, false) : part, false,
                                 st);
            },
            [&] { band(L.line_bands, L.lines, o, lod.max_mpp, lod.min_mpp); });
    }
}

/**
 * A source layer no role uses, styled by geometry type: light fills with outlines, lines, dots.
 * Outlines and lines get the grids' levels of detail, since such layers are often county borders
 * and rivers with far more vertices than a county view has pixels; drawn at every scale.
 */
void build_other(SceneLayer& L, const OtherLayer& other, const OtherLayerStyle& st, Vec2 o, const Chunker& ch) {
    if (ch.needed(0, 1e30))
        emit_by_chunk(
            ch, other.polygons.size(), [&](size_t i) { return bounds(other.polygons[i]).center(); },
            [&](size_t i) {
                for (const auto& poly : other.polygons[i]) add_triangles(L.fills, o, triangulate(poly), st.fill);
            },
            [&] { band(L.fill_bands, L.fills, o, 1e30); });
    const LineStyle outline{st.outline, st.outline_px}, line{st.line, st.line_px};
    for (const Lod& lod : lods(ch, kLods)) {
        if (!ch.needed(lod.min_mpp, lod.max_mpp)) continue;
        auto simplified = [&](const std::vector<Vec2>& pts, bool closed) {
            return lod.tolerance > 0 ? simplify(pts, lod.tolerance, closed) : pts;
        };
        emit_by_chunk(
            ch, other.polygons.size(), [&](size_t i) { return bounds(other.polygons[i]).center(); },
            [&](size_t i) {
                for (const auto& poly : other.polygons[i])
                    for (const auto& ring : poly.rings) add_polyline(L.lines, o, simplified(ring, true), true, outline);
            },
            [&] { band(L.line_bands, L.lines, o, lod.max_mpp, lod.min_mpp); });
        emit_by_chunk(
            ch, other.lines.size(), [&](size_t i) { return bounds(other.lines[i]).center(); },
            [&](size_t i) {
                for (const auto& part : other.lines[i]) add_polyline(L.lines, o, simplified(part, false), false, line);
            },
            [&] { band(L.line_bands, L.lines, o, lod.max_mpp, lod.min_mpp); });
    }
    if (ch.needed(0, 1e30))
        emit_by_chunk(
            ch, other.points.size(), [&](size_t i) { return other.points[i]; },
            [&](size_t i) {
                L.points.push_back(point(other.points[i], o, st.point, rgba(255, 255, 255, 230), st.point_px,
                                         Symbol::Circle));
            },
            [&] { band(L.point_bands, L.points, o, 1e30); });
}

/**
 * A key for each source layer no role uses: its own name (so `render --layers 县界` and a wall
 * scene's layer list can name it), made unique against the scene's keys and the other layers.
 */
std::vector<std::string> other_layer_keys(const Dataset& ds) {
    std::unordered_set<std::string> taken = {"choropleth", "enterprises", "buildings", "roads",    "grids",
                                             "camera_views", "households", "cameras",  "incidents", "facilities",
                                             "candidates", "basemap",    "coverage",  "gaps",      "hotspots",
                                             "plan",       "gi",         "warning",   "checks",    "patrols",
                                             "check_cells", "daily",     "daily_tracks"};
    std::vector<std::string> keys;
    for (size_t i = 0; i < ds.other_layers.size(); ++i) {
        const std::string& name = ds.other_layers[i].name;
        std::string key = name.empty() ? "layer" : name;
        for (int n = 2; taken.count(key); ++n) key = (name.empty() ? "layer" : name) + " (" + std::to_string(n) + ")";
        taken.insert(key);
        keys.push_back(key);
    }
    return keys;
}

void add_layer(Scene& s, LayerId id, const char* key, bool visible = true) {
    SceneLayer L;
    L.id = id;
    L.key = key;
    L.visible = visible;
    s.layers.push_back(std::move(L));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Public helpers
// ---------------------------------------------------------------------------------------------

const char* stat_key(ChoroplethStat s) {
    switch (s) {
        case ChoroplethStat::Households:
            return "households";
        case ChoroplethStat::People:
            return "people";
        case ChoroplethStat::Cameras:
            return "cameras";
        case ChoroplethStat::CamerasOffline:
            return "cameras_offline";
        case ChoroplethStat::Incidents:
            return "incidents";
        default:
            return "";
    }
}

Rgba camera_color(const Camera& cam) {
    if (!cam.online()) return rgba(134, 142, 150);
    if (cam.owner == "road") return rgba(232, 89, 12);
    if (cam.owner == "enterprise") return rgba(112, 72, 232);
    if (cam.owner == "household") return rgba(25, 96, 204);
    if (cam.owner == "public") return rgba(47, 158, 68);
    return rgba(73, 80, 87);
}

Rgba incident_color(const std::string& type) {
    if (type == "fire") return rgba(224, 49, 49);
    if (type == "traffic") return rgba(245, 159, 0);
    if (type == "dispute") return rgba(174, 62, 201);
    if (type == "theft") return rgba(25, 113, 194);
    if (type == "fraud") return rgba(12, 166, 120);
    return rgba(73, 80, 87);
}

std::vector<Vec2> sector_outline(const Camera& cam) {
    Ring ring = sector_polygon(cam.pos, cam.azimuth, cam.fov, cam.range).rings[0];
    if (cam.fov >= 360 && !ring.empty()) {
        ring.push_back(ring.front());
        ring.insert(ring.begin(), cam.pos);
    }
    return ring;
}

std::vector<Vec2> simplify(const std::vector<Vec2>& pts, double tolerance, bool closed) {
    const size_t n = pts.size();
    if (n < (closed ? 5u : 3u)) return pts;
    // A ring is split at its first point and the point farthest from it; each half is an open line.
    size_t split = n - 1;
    if (closed) {
        double far = -1;
        for (size_t i = 1; i < n; ++i)
            if (double d = distance(pts[0], pts[i]); d > far) far = d, split = i;
    }
    std::vector<char> keep(n + 1, 0);
    keep[0] = keep[split] = 1;
    std::vector<std::pair<size_t, size_t>> stack{{0, split}};
    if (closed) stack.push_back({split, n}), keep[n] = 1;  // index n is pts[0] again
    auto at = [&](size_t i) { return pts[i % n]; };
    while (!stack.empty()) {
        auto [a, b] = stack.back();
        stack.pop_back();
        double worst = tolerance;
        size_t index = 0;
        for (size_t i = a + 1; i < b; ++i)
            if (double d = segment_distance(at(i), at(a), at(b)); d > worst) worst = d, index = i;
        if (index) {
            keep[index] = 1;
            stack.push_back({a, index});
            stack.push_back({index, b});
        }
    }
    std::vector<Vec2> out;
    for (size_t i = 0; i < n; ++i)
        if (keep[i]) out.push_back(pts[i]);
    if (closed && out.size() < 3) return pts;
    return out;
}

std::vector<Vec2> triangulate(const Polygon& poly) {
    std::vector<Vec2> out;
    if (poly.rings.empty() || poly.rings[0].size() < 3) return out;
    const Ring& shell = poly.rings[0];
    if (poly.rings.size() == 1 && ring_convex(shell)) {
        // Most buildings and many parcels: a fan is exact and ~100× cheaper than GEOS.
        for (size_t i = 1; i + 1 < shell.size(); ++i)
            out.insert(out.end(), {shell[0], shell[i], shell[i + 1]});
        return out;
    }
    auto g = geos::to_geos(poly);
    if (!g) return out;
    geos::Geom tris(GEOSConstrainedDelaunayTriangulation_r(geos::ctx(), g.get()));
    if (!tris) return out;
    const int n = GEOSGetNumGeometries_r(geos::ctx(), tris.get());
    for (int i = 0; i < n; ++i) {
        const GEOSGeometry* t = GEOSGetGeometryN_r(geos::ctx(), tris.get(), i);
        const GEOSGeometry* ring = GEOSGetExteriorRing_r(geos::ctx(), t);
        const GEOSCoordSequence* seq = ring ? GEOSGeom_getCoordSeq_r(geos::ctx(), ring) : nullptr;
        unsigned size = 0;
        if (!seq || !GEOSCoordSeq_getSize_r(geos::ctx(), seq, &size) || size < 3) continue;
        for (unsigned k = 0; k < 3; ++k) {
            double x = 0, y = 0;
            GEOSCoordSeq_getXY_r(geos::ctx(), seq, k, &x, &y);
            out.push_back({x, y});
        }
    }
    return out;
}

SceneLayer& Scene::layer(LayerId id) {
    for (auto& L : layers)
        if (L.id == id) return L;
    throw std::out_of_range("scene layer");
}
const SceneLayer& Scene::layer(LayerId id) const { return const_cast<Scene*>(this)->layer(id); }

Box scene_extent(const Dataset& ds) {
    const Box b = drawn_extent(ds);
    return b.empty() ? Box{0, 0, 1, 1} : b;
}

Box drawn_extent(const Dataset& ds) {
    Box b = ds.extent();
    for (const auto& x : ds.buildings) b.add(bounds(x.shape));
    for (const auto& f : ds.facilities) b.add(f.pos);
    // A source of layers no role uses (county borders, rivers) is drawn, so it is fitted too.
    for (const auto& other : ds.other_layers) {
        for (const auto& p : other.points) b.add(p);
        for (const auto& l : other.lines) b.add(bounds(l));
        for (const auto& p : other.polygons) b.add(bounds(p));
    }
    return b;
}

namespace {

/** Each grid cell's name (its id when it has none), where the map may show it. */
std::vector<LabelCandidate> grid_labels(const Dataset& ds) {
    std::vector<LabelCandidate> out;
    for (const auto& g : ds.grids) {
        if (g.shape.empty()) continue;
        LabelCandidate c;
        c.text = g.name.empty() ? g.grid_id : g.name;
        c.feature_box = bounds(g.shape);
        c.pos = centroid(g.shape);
        if (!inside(g.shape, c.pos)) c.pos = c.feature_box.center();
        c.level = g.level;
        c.priority = g.level * 10;
        // A household or villager group's name (L4, L3) shows only while its outline does; an L2
        // cell's, whose outline goes from 45 m/px, and the community's from every distance.
        c.max_mpp = g.level == 4 ? kHouseholdGroupsMpp : g.level == 3 ? kVillagerGroupsMpp : 1e30;
        // ImGui sizes a font by its line height; Noto CJK's em is ~0.69 of that.
        static constexpr float sizes[] = {17, 30, 25, 21, 17};
        static constexpr Rgba colors[] = {rgba(80, 80, 80), rgba(15, 15, 20), rgba(28, 40, 66),
                                          rgba(48, 62, 86), rgba(80, 86, 96)};
        const int lv = std::clamp(g.level, 0, 4);
        c.size_px = sizes[lv];
        c.color = colors[lv];
        c.layer = LayerId::Grids;
        out.push_back(std::move(c));
    }
    return out;
}

/** The point layers whose rows change while the map is open (SPEC §9 live): households, cameras, incidents, checks. */
void build_changing_points(Scene& s, const Dataset& ds, LayerId id, const Chunker& ch) {
    const Vec2 o = s.origin;
    SceneLayer& L = s.layer(id);
    if (id == LayerId::Households)
        build_points(L, ds.households, o, ch, kHouseholdsMpp, [&](const Household& h) {
            const PointStyle st = household_style(h.tag_bits);
            return point(h.pos, o, st.fill, rgba(255, 255, 255, 230), st.size, st.symbol);
        });
    if (id == LayerId::Cameras)
        build_points(
            L, ds.cameras, o, ch, 1e30,
            [&](const Camera& c) {
                return point(c.pos, o, camera_color(c), c.online() ? rgba(255, 255, 255) : rgba(60, 60, 60), 10,
                             c.online() ? Symbol::Circle : Symbol::Ring);
            },
            [](const Camera& c) { return c.online() ? 1 : 0; });
    // A dark rim tells incidents from household symbols of similar hue.
    if (id == LayerId::Incidents)
        build_points(L, ds.incidents, o, ch, kIncidentsMpp, [&](const Incident& i) {
            return point(i.pos, o, incident_color(i.type), rgba(40, 40, 40), 10, incident_symbol(i.type));
        });
    if (id == LayerId::Checks)
        build_points(L, ds.checks, o, ch, kChecksMpp, [&](const Check& c) {
            return point(c.pos, o, check_kind_rgba(c.kind), rgba(40, 40, 40), 8, check_kind_symbol(c.kind));
        });
}

}  // namespace

void rebuild_point_layer(Scene& scene, const Dataset& ds, LayerId id) {
    SceneLayer& L = scene.layer(id);
    L.points.clear(), L.point_bands.clear();
    build_changing_points(scene, ds, id, Chunker{scene.extent, 2000, 0});
    ++L.revision;
}

void rebuild_daily_layers(Scene& scene, const Dataset& ds) {
    rebuild_point_layer(scene, ds, LayerId::Checks);
    SceneLayer& L = scene.layer(LayerId::Patrols);
    L.lines.clear(), L.line_bands.clear();
    build_patrols(L, ds, scene.origin, Chunker{scene.extent, 2000, 0});
    ++L.revision;
}

Scene build_scene(const Dataset& ds, double only_mpp, bool lod, const Box& only_box) {
    Scene s;
    s.extent = scene_extent(ds);
    // Round the origin to a kilometre: a reader of vertex dumps sees tidy numbers.
    s.origin = {std::round(s.extent.center().x / 1000) * 1000, std::round(s.extent.center().y / 1000) * 1000};
    const Vec2 o = s.origin;

    add_layer(s, LayerId::Choropleth, "choropleth", false);
    add_layer(s, LayerId::Enterprises, "enterprises");
    add_layer(s, LayerId::Buildings, "buildings");
    add_layer(s, LayerId::Roads, "roads");
    // Source layers no role uses: over the base layers, under the grids and every known point
    // layer; polygon layers under line layers under point layers, so no fill hides a river.
    std::vector<size_t> others(ds.other_layers.size());
    for (size_t i = 0; i < others.size(); ++i) others[i] = i;
    auto rank = [&](size_t i) {
        const GeometryKinds k = geometry_kinds(ds.other_layers[i]);
        return k.polygons ? 0 : k.lines ? 1 : 2;
    };
    std::stable_sort(others.begin(), others.end(), [&](size_t a, size_t b) { return rank(a) < rank(b); });
    const auto other_keys = other_layer_keys(ds);
    for (size_t i : others) {
        add_layer(s, LayerId::Other, other_keys[i].c_str());
        s.layers.back().other = int(i);
    }
    add_layer(s, LayerId::Grids, "grids");
    add_layer(s, LayerId::CameraViews, "camera_views");
    add_layer(s, LayerId::Households, "households");
    add_layer(s, LayerId::Cameras, "cameras");
    add_layer(s, LayerId::Incidents, "incidents");
    add_layer(s, LayerId::Facilities, "facilities");
    add_layer(s, LayerId::Candidates, "candidates", false);
    // Daily work is off on the plain map (SPEC §5.5): a month of checks would bury it. The 巡查
    // panel and the wall's 今日巡查 scene draw what they need.
    add_layer(s, LayerId::Patrols, "patrols", false);
    add_layer(s, LayerId::Checks, "checks", false);

    const Chunker ch{s.extent, 2000, only_mpp, lod, only_box};
    // The grid levels' outlines (a county's boundaries: most of the scene), the grids' names and
    // the other layers, on the cores. Each task writes its own level or layers; s.layers keeps its
    // size meanwhile.
    std::array<LevelLines, 4> levels;  // levels[k]: level 4 − k
    std::vector<LabelCandidate> grid_names;
    parallel_for(levels.size() + 2, [&](size_t task) {
        if (task < levels.size()) {
            levels[task] = grid_level_lines(ds, 4 - static_cast<int>(task), o, ch);
            return;
        }
        if (task == levels.size()) {
            grid_names = grid_labels(ds);
            return;
        }
        {
            std::vector<const MultiPolygon*> shapes;
            for (const auto& e : ds.enterprises) shapes.push_back(&e.shape);
            build_polygons(s.layer(LayerId::Enterprises), shapes, o, rgba(206, 190, 240, 220),
                           {rgba(112, 82, 176), 1.2f}, ch, 1e30);
        }
        {
            std::vector<const MultiPolygon*> shapes;
            for (const auto& b : ds.buildings) shapes.push_back(&b.shape);
            build_polygons(s.layer(LayerId::Buildings), shapes, o, rgba(216, 208, 196),
                           {rgba(168, 158, 142), 0.7f}, ch, kBuildingsMpp);
        }
        build_roads(s.layer(LayerId::Roads), ds, o, ch);
        for (auto& L : s.layers)
            if (L.id == LayerId::Other)
                build_other(L, ds.other_layers[size_t(L.other)], other_layer_style(size_t(L.other)), o, ch);
        build_camera_views(s.layer(LayerId::CameraViews), ds, o, ch);

        build_changing_points(s, ds, LayerId::Households, ch);
        build_changing_points(s, ds, LayerId::Cameras, ch);
        build_changing_points(s, ds, LayerId::Incidents, ch);
        build_points(s.layer(LayerId::Facilities), ds.facilities, o, ch, 1e30, [&](const Facility& f) {
            return point(f.pos, o, f.kind == "persuasion_station" ? rgba(214, 40, 40) : rgba(33, 37, 41),
                         rgba(255, 255, 255), 20, Symbol::Star);
        });
        build_points(s.layer(LayerId::Candidates), ds.candidates, o, ch, 1e30, [&](const Candidate& c) {
            return point(c.pos, o, rgba(90, 90, 90), 0, 7, Symbol::Ring);
        });

        build_patrols(s.layer(LayerId::Patrols), ds, o, ch);
        build_changing_points(s, ds, LayerId::Checks, ch);
    });
    // Finest level first, so that the coarser, bolder boundaries lie on top.
    for (const LevelLines& level : levels) append_level(s.layer(LayerId::Grids), level);

    // Labels: coarse cells first (a community name outranks a household group's), enterprises
    // between villager groups and household groups.
    s.labels = std::move(grid_names);
    for (const auto& e : ds.enterprises) {
        if (e.shape.empty() || e.name.empty()) continue;
        LabelCandidate c;
        c.text = e.name;
        c.feature_box = bounds(e.shape);
        c.pos = centroid(e.shape);
        c.priority = 35;
        c.size_px = 17;
        c.color = rgba(88, 56, 150);
        c.layer = LayerId::Enterprises;
        s.labels.push_back(std::move(c));
    }
    std::stable_sort(s.labels.begin(), s.labels.end(), [](const LabelCandidate& a, const LabelCandidate& b) {
        return a.priority < b.priority;
    });
    return s;
}

void build_choropleth(Scene& scene, const Dataset& ds, ChoroplethStat stat, int level) {
    SceneLayer& L = scene.layer(LayerId::Choropleth);
    L.fills.clear();
    L.lines.clear();
    ++L.revision;
    scene.choropleth_stat = stat;
    scene.choropleth_level = level;
    scene.choropleth_breaks.clear();
    const auto cells = ds.grids_of_level(level);
    if (cells.empty()) return;
    const StatsTable table = compute_stats(ds, level);
    std::vector<double> values;
    for (const auto& r : table.rows) {
        switch (stat) {
            case ChoroplethStat::Households:
                values.push_back(r.households);
                break;
            case ChoroplethStat::People:
                values.push_back(r.people);
                break;
            case ChoroplethStat::Cameras:
                values.push_back(r.cameras);
                break;
            case ChoroplethStat::CamerasOffline:
                values.push_back(r.cameras_offline);
                break;
            default:
                values.push_back(r.incidents);
                break;
        }
    }
    // Quantile classes: counts per cell are skewed (the resettlement block dwarfs the rest).
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    for (int k = 1; k <= 5; ++k)
        scene.choropleth_breaks.push_back(sorted[std::min(sorted.size() - 1, sorted.size() * k / 5)]);
    static constexpr Rgba ramp[] = {rgba(255, 255, 178, 170), rgba(254, 204, 92, 170),
                                    rgba(253, 141, 60, 170), rgba(240, 59, 32, 170), rgba(189, 0, 38, 170)};
    for (size_t i = 0; i < cells.size() && i < values.size(); ++i) {
        int cls = 0;
        while (cls < 4 && values[i] > scene.choropleth_breaks[cls]) ++cls;
        for (const auto& poly : cells[i]->shape)
            add_triangles(L.fills, scene.origin, triangulate(poly), ramp[cls]);
    }
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Labels and view
// ---------------------------------------------------------------------------------------------

MapView MapView::fit(const Box& extent, int w, int h) {
    MapView v;
    v.width = std::max(1, w), v.height = std::max(1, h);
    v.center = extent.center();
    const double ew = std::max(extent.width(), 1e-6), eh = std::max(extent.height(), 1e-6);
    v.mpp = std::max(ew / v.width, eh / v.height);
    return v;
}

void MapView::zoom_at(Vec2 at, double factor) {
    const Vec2 w = to_world(at);
    mpp = std::clamp(mpp / factor, 0.005, 20000.0);
    // Keep w under the cursor: solve to_world(at) == w for the centre.
    center = {w.x - (at.x - width / 2.0) * mpp, w.y + (at.y - height / 2.0) * mpp};
}

void add_basemaps(Scene& scene, const std::vector<std::string>& paths, const std::string& work_crs_wkt,
                  int max_px) {
    if (paths.empty()) return;
    // Every file is read before the scene changes, so a bad one leaves the scene as it was.
    std::vector<RasterImage> images;
    for (const auto& p : paths) images.push_back(load_basemap(p, work_crs_wkt, max_px));
    auto it = std::find_if(scene.layers.begin(), scene.layers.end(),
                           [](const SceneLayer& L) { return L.id == LayerId::Basemap; });
    if (it == scene.layers.end()) {
        SceneLayer L;
        L.id = LayerId::Basemap;
        L.key = "basemap";
        scene.layers.insert(scene.layers.begin(), std::move(L));
        it = scene.layers.begin();
    }
    for (auto& img : images) it->images.push_back(std::move(img));
    ++it->revision;
    // Always the bottom layer: everything else is drawn over it.
    if (it != scene.layers.begin()) std::rotate(scene.layers.begin(), it, it + 1);
}

Rgba layer_color(const SceneLayer& L) {
    if (!L.fills.empty() && !L.fill_colors.empty())
        return L.fills.front().color < L.fill_colors.size() ? L.fill_colors[L.fills.front().color] : 0;
    if (!L.fills.empty()) return L.fills.front().color;
    if (!L.lines.empty()) return L.lines.front().color;
    if (!L.points.empty()) return L.points.front().fill;
    return rgba(128, 128, 128);
}

}  // namespace gw::app
