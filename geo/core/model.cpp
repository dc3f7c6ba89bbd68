#include "geo/core/model.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <set>
#include <string_view>

#include "geo/core/error.h"
#include "geo/core/parallel.h"
#include "geo/core/stats_table.h"

namespace gw {

std::string camera_problem(const Camera& c) {
    if (!std::isfinite(c.azimuth)) return "azimuth is missing or not a finite number";
    auto num = [](double v) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%g", v);
        return std::string(buf);
    };
    if (!std::isfinite(c.fov)) return "fov is missing or not a number";
    if (c.fov <= 0 || c.fov > 360) return "fov " + num(c.fov) + " is outside (0, 360] degrees";
    if (!std::isfinite(c.range)) return "range is missing or not a number";
    if (c.range <= 0 || c.range > 10000) return "range " + num(c.range) + " m is outside (0, 10000] m";
    // Optional, but when given it is the eye's height over a DEM: an infinite or negative one was
    // taken for the default 3 m without a word.
    if (c.height && !(std::isfinite(*c.height) && *c.height >= 0))
        return "height " + num(*c.height) + " m is not a height above the ground";
    return {};
}

std::optional<int> pixels_of(double v) {
    // A fraction (1920.7) is no count of pixels, as 2.7 is no count of people: it was cut to 1920.
    if (!(v >= 1 && v <= std::numeric_limits<int>::max()) || v != std::floor(v)) return std::nullopt;
    return static_cast<int>(v);
}

namespace {

template <size_t N>
constexpr std::array<std::string_view, N> views_of(const std::array<const char*, N>& names) {
    std::array<std::string_view, N> out{};
    for (size_t i = 0; i < N; ++i) out[i] = names[i];
    return out;
}
// The codes as views, their lengths known: a value of another length is told apart at once.
constexpr auto kStatusCodes = std::array<std::string_view, 2>{"online", "offline"};
constexpr auto kOwnerCodes = views_of(kOwners);
constexpr auto kTypeCodes = views_of(kIncidentTypes);
constexpr auto kColourCodes = views_of(kColors);
constexpr auto kKindCodes =
    std::array<std::string_view, 6>{"routine", "newcomer", "returnee", "hazard", "dispute", "other"};
constexpr auto kTeamCodes = std::array<std::string_view, 4>{"patrol", "joint", "grid", "video"};

/** Adds to `out` the issue of a value outside `known` (none for an empty value). */
template <size_t N>
void check_code(std::vector<Issue>& out, const char* layer, const std::string& id, const char* field,
                const std::string& v, const std::array<std::string_view, N>& known, const char* counted) {
    if (v.empty() || std::find(known.begin(), known.end(), std::string_view(v)) != known.end()) return;
    std::string list;
    for (std::string_view k : known) list += (list.empty() ? "" : ", ") + std::string(k);
    out.push_back({layer, id, std::string(field) + " '" + v + "' is none of " + list + ": " + counted});
}

}  // namespace

void locate(Issue& issue, const Camera& c, const std::vector<LayerInfo>& layers) {
    if (c.source_layer < 0 || static_cast<size_t>(c.source_layer) >= layers.size()) return;
    const LayerInfo& l = layers[static_cast<size_t>(c.source_layer)];
    issue.file = l.source, issue.source_layer = l.source_name;
}

std::vector<Issue> validate_codes(const Dataset& ds) {
    std::vector<Issue> out;
    for (const auto& c : ds.cameras) {
        const size_t before = out.size();
        check_code(out, "cameras", c.cam_id, "status", c.status, kStatusCodes, "counted as offline");
        check_code(out, "cameras", c.cam_id, "owner", c.owner, kOwnerCodes, "in no owner's column");
        for (size_t k = before; k < out.size(); ++k) locate(out[k], c, ds.layers);
    }
    // A prefecture's incidents in blocks over the cores, their issues joined in the incidents' order.
    constexpr size_t kBlock = 16384;
    std::vector<std::vector<Issue>> blocks((ds.incidents.size() + kBlock - 1) / kBlock);
    parallel_for(blocks.size(), [&](size_t b) {
        for (size_t k = b * kBlock; k < std::min(ds.incidents.size(), (b + 1) * kBlock); ++k) {
            const Incident& i = ds.incidents[k];
            check_code(blocks[b], "incidents", i.inc_id, "type", i.type, kTypeCodes,
                       "in no type's column, and no --type picks it");
            check_code(blocks[b], "incidents", i.inc_id, "color", i.color, kColourCodes,
                       "in no colour's column");
        }
    });
    for (auto& block : blocks)
        out.insert(out.end(), std::make_move_iterator(block.begin()), std::make_move_iterator(block.end()));
    // A report's kind and a patrol's team outside SPEC §3 were taken without a word (import refuses them).
    for (const auto& c : ds.checks)
        check_code(out, "checks", c.check_id, "kind", c.kind, kKindCodes, "counted under its own word");
    for (const auto& t : ds.patrols)
        check_code(out, "patrols", t.track_id, "team", t.team, kTeamCodes, "kept as written");
    return out;
}

std::vector<Issue> validate_cameras(const std::vector<Camera>& cameras,
                                    const std::vector<LayerInfo>& layers) {
    std::vector<Issue> out;
    for (const auto& c : cameras)
        if (auto why = camera_problem(c); !why.empty()) {
            out.push_back({"cameras", c.cam_id, why});
            locate(out.back(), c, layers);
        }
    return out;
}

bool same_camera_values(const Camera& a, const Camera& b) {
    auto same = [](double x, double y) { return x == y || (std::isnan(x) && std::isnan(y)); };
    return a.cam_id == b.cam_id && a.owner == b.owner && a.status == b.status && same(a.azimuth, b.azimuth) &&
           same(a.fov, b.fov) && same(a.range, b.range) && a.height == b.height &&
           a.resolution_px == b.resolution_px && a.pos == b.pos;
}

CamerasSinceRead cameras_since_read(const std::vector<Camera>& as_read, const std::vector<Camera>& now) {
    std::map<int64_t, const Camera*> before;
    for (const Camera& c : as_read)
        if (c.fid >= 0) before[c.fid] = &c;
    CamerasSinceRead out;
    std::set<int64_t> kept;
    for (const Camera& c : now) {
        const auto it = c.fid >= 0 ? before.find(c.fid) : before.end();
        out.read.push_back(it != before.end() ? it->second : nullptr);
        if (c.fid >= 0) kept.insert(c.fid);
    }
    for (const auto& [fid, c] : before)
        if (!kept.count(fid)) out.gone.push_back(c);
    return out;
}

void spread_track_times(PatrolTrack& t) {
    if (t.timed() || !t.t_start || !t.t_end) return;
    thread_local std::vector<double> step;  // each fix's distance from the one before, 0 for a part's first
    step.clear();
    double total = 0;
    // A step's length as √(dx² + dy²), not glibc's hypot (careful to the last ulp, it was half of this
    // function's time over a county's 1.1 million fixes): steps of metres, times to the second.
    for (const auto& part : t.shape)
        for (size_t k = 0; k < part.size(); ++k) {
            const Vec2 d = k > 0 ? part[k] - part[k - 1] : Vec2{0, 0};
            step.push_back(std::sqrt(dot(d, d)));
            total += step.back();
        }
    const double span = static_cast<double>(*t.t_end - *t.t_start);
    double walked = 0;
    size_t at = 0;
    t.times.reserve(t.shape.size());
    for (const auto& part : t.shape) {
        auto& times = t.times.emplace_back();
        times.reserve(part.size());
        for (size_t k = 0; k < part.size(); ++k) {
            walked += step[at++];
            const double f = total > 0 ? walked / total : 0;
            times.push_back(*t.t_start + static_cast<int64_t>(std::llround(span * f)));
        }
    }
}

bool Dataset::has_layer(const std::string& canonical) const {
    for (const auto& l : layers)
        if (l.name == canonical) return true;
    return false;
}

Box Dataset::extent() const {
    Box b;
    for (const auto& g : grids) b.add(bounds(g.shape));
    for (const auto& h : households) b.add(h.pos);
    for (const auto& c : cameras) b.add(c.pos);
    for (const auto& e : enterprises) b.add(bounds(e.shape));
    for (const auto& r : roads) b.add(bounds(r.shape));
    for (const auto& i : incidents) b.add(i.pos);
    for (const auto& o : other_layers) {
        for (const auto& p : o.points) b.add(p);
        for (const auto& l : o.lines) b.add(bounds(l));
        for (const auto& mp : o.polygons) b.add(bounds(mp));
    }
    return b;
}

std::vector<const Grid*> Dataset::grids_of_level(int level) const {
    std::vector<const Grid*> out;
    for (const auto& g : grids)
        if (g.level == level) out.push_back(&g);
    return out;
}

std::vector<const Grid*> Dataset::cells_to_report(int level) const {
    std::vector<const Grid*> cells = grids_of_level(level);
    // No cells because no layer of them: said so, not "no cells of level 4" of a layer not there.
    if (cells.empty() && grids.empty() &&
        std::none_of(layers.begin(), layers.end(), [](const LayerInfo& l) { return l.name == "grids"; }))
        throw Error(
            "has no grids layer, and the figures are counted per grid cell", {source},
            "add the cells as a layer named grids or 网格, or map yours in the project file as README's "
            "Using your own data says; gridwatch info lists the layers found");
    std::vector<const Grid*> by_id = cells;
    std::sort(by_id.begin(), by_id.end(),
              [](const Grid* a, const Grid* b) { return a->grid_id < b->grid_id; });
    const auto twice = std::adjacent_find(
        by_id.begin(), by_id.end(), [](const Grid* a, const Grid* b) { return a->grid_id == b->grid_id; });
    if (twice != by_id.end())
        throw Error(
            "two level-" + std::to_string(level) + " cells have the grid_id '" + (*twice)->grid_id +
                "': their figures could not be told apart",
            {source, "grids", (*twice)->grid_id, "grid_id"},
            "give each cell its own grid_id, or read one layer of cells; gridwatch info lists the ids "
            "given twice and the layers read");
    return cells;
}

std::vector<const Camera*> Dataset::usable_cameras(bool include_offline) const {
    std::vector<const Camera*> out;
    for (const auto& c : cameras)
        if (camera_problem(c).empty() && (include_offline || c.online())) out.push_back(&c);
    return out;
}

std::string project_path_for(const std::string& dataset) {
    // A folder typed with its slash (tab completion's "gj/") has its file beside it, as without.
    std::string d = dataset;
    while (d.size() > 1 && d.back() == '/' && d.rfind("PG:", 0) != 0) d.pop_back();
    return d + ".gridwatch.json";
}

}  // namespace gw
