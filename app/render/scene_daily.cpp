// Vertex arrays of daily work (SPEC §5.5) for the 巡查 panel and the wall's 今日巡查 scene (see
// scene.h). They draw what compute_checks and compute_patrols found; nothing is counted here.
#include <algorithm>
#include <map>
#include <unordered_map>

#include "app/render/scene.h"
#include "geo/analysis/checks.h"
#include "geo/analysis/patrols.h"

namespace gw::app {

std::array<int, kDaysSinceClasses> add_check_cells(SceneLayer& L, Vec2 o, const Dataset& ds,
                                                   const ChecksReport& report, unsigned alpha) {
    std::array<int, kDaysSinceClasses> counts{};
    std::unordered_map<std::string, const Grid*> cells;
    for (const Grid* g : ds.grids_of_level(report.level)) cells.emplace(g->grid_id, g);
    for (const CellChecks& c : report.cells) {
        const auto it = cells.find(c.grid_id);
        if (it == cells.end()) continue;
        const int cls = days_since_class(c.days_since);
        ++counts[size_t(cls)];
        add_polygons(L, o, it->second->shape, with_alpha(days_since_rgba(cls), alpha), 0, 0);
    }
    ++L.revision;
    return counts;
}

void add_check_points(SceneLayer& L, Vec2 o, const std::vector<const Check*>& checks, float size_px) {
    for (const Check* c : checks)
        L.points.push_back({float(c->pos.x - o.x), float(c->pos.y - o.y), check_kind_rgba(c->kind), rgba(40, 40, 40),
                            size_px, float(int(check_kind_symbol(c->kind)))});
    ++L.revision;
}

namespace {
constexpr int64_t kDay = 86400;
int64_t day_of(int64_t t) { return t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay); }
}  // namespace

PatrolDays add_patrol_days(SceneLayer& L, Vec2 o, const Dataset& ds, float width_px) {
    // Two passes over the tracks, so that a county's month of segments (a million) is written once,
    // straight into its place: the first counts the segments of each group, the second lays them
    // out, each group in track and vertex order.
    auto each_segment = [&](auto&& fn) {
        for (size_t i = 0; i < ds.patrols.size(); ++i) {
            const PatrolTrack& t = ds.patrols[i];
            for (size_t p = 0; p < t.shape.size() && p < t.times.size(); ++p) {
                const auto& line = t.shape[p];
                const auto& times = t.times[p];
                double dist = 0;
                for (size_t k = 0; k + 1 < line.size(); ++k) {
                    if (k + 1 < times.size()) {
                        const int64_t da = day_of(times[k]), db = day_of(times[k + 1]);
                        fn(std::min(da, db), std::max(da, db), i, line[k], line[k + 1], dist);
                    }
                    dist += distance(line[k] - o, line[k + 1] - o);
                }
            }
        }
    };
    std::map<std::pair<int64_t, int64_t>, size_t> group_of;
    each_segment([&](int64_t first, int64_t last, size_t, Vec2, Vec2, double) { ++group_of[{first, last}]; });
    PatrolDays out;
    out.tracks = ds.patrols.size();
    size_t at = L.lines.size();
    for (auto& [days, n] : group_of) {
        PatrolDays::Group g;
        g.first_day = days.first, g.last_day = days.second;
        g.band.first = at;
        at += n;
        n = out.groups.size();
        out.groups.push_back(std::move(g));
    }
    L.lines.resize(at);
    std::vector<Rgba> colour(ds.patrols.size());
    for (size_t i = 0; i < ds.patrols.size(); ++i) colour[i] = patrol_team_rgba(ds.patrols[i].team);
    each_segment([&](int64_t first, int64_t last, size_t track, Vec2 a, Vec2 b, double dist) {
        PatrolDays::Group& g = out.groups[group_of[{first, last}]];
        g.band.bounds.add(a), g.band.bounds.add(b);
        if (g.tracks.empty() || g.tracks.back() != track) g.tracks.push_back(track);
        const Vec2 ra = a - o, rb = b - o;
        L.lines[g.band.first + g.band.count++] = {float(ra.x), float(ra.y), float(rb.x), float(rb.y),
                                                  colour[track], width_px, float(dist), 0, 0};
    });
    ++L.revision;
    return out;
}

std::vector<size_t> show_patrol_days(SceneLayer& L, const PatrolDays& days, int64_t first_day, int64_t last_day) {
    L.line_bands.clear();
    std::vector<char> shown(days.tracks, 0);
    for (const auto& g : days.groups) {
        if (g.first_day < first_day || g.last_day > last_day) continue;
        L.line_bands.push_back(g.band);
        for (size_t t : g.tracks) shown[t] = 1;
    }
    // Bands that draw nothing: without any, the renderer would draw every line of the layer.
    if (L.line_bands.empty()) L.line_bands.push_back(ScaleBand{});
    std::vector<size_t> out;
    for (size_t t = 0; t < shown.size(); ++t)
        if (shown[t]) out.push_back(t);
    return out;
}

void add_neither_roads(SceneLayer& L, Vec2 o, const PatrolsReport& report, float width_px) {
    for (const UnwatchedRoad& r : report.neither)
        for (const auto& piece : r.pieces) {
            double dist = 0;
            for (size_t k = 0; k + 1 < piece.size(); ++k) {
                const Vec2 a = piece[k] - o, b = piece[k + 1] - o;
                L.lines.push_back({float(a.x), float(a.y), float(b.x), float(b.y), with_alpha(kNeitherRgba, 200),
                                   width_px, float(dist), 0, 0});
                dist += distance(a, b);
            }
        }
    ++L.revision;
}

}  // namespace gw::app
