// Vertex arrays of daily work (SPEC §5.5) for the 巡查 panel and the wall's 今日巡查 scene (see
// scene.h). They draw what compute_checks and compute_patrols found; nothing is counted here.
#include <algorithm>
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

std::vector<size_t> add_patrol_tracks(SceneLayer& L, Vec2 o, const Dataset& ds, const TimeWindow& window,
                                      float width_px) {
    std::vector<size_t> drawn;
    for (size_t i = 0; i < ds.patrols.size(); ++i) {
        const PatrolTrack& t = ds.patrols[i];
        const Rgba c = patrol_team_rgba(t.team);
        bool any = false;
        for (size_t p = 0; p < t.shape.size(); ++p) {
            const auto& line = t.shape[p];
            const std::vector<int64_t>* times = p < t.times.size() ? &t.times[p] : nullptr;
            double dist = 0;
            for (size_t k = 0; k + 1 < line.size(); ++k) {
                const Vec2 a = line[k] - o, b = line[k + 1] - o;
                // A segment belongs to the window when the patrol was at both its ends inside it;
                // an untimed track is in an open window only (TimeWindow::contains).
                const bool in = window.bounded()
                                    ? times && k + 1 < times->size() && window.contains((*times)[k]) &&
                                          window.contains((*times)[k + 1])
                                    : true;
                if (in) {
                    L.lines.push_back({float(a.x), float(a.y), float(b.x), float(b.y), c, width_px, float(dist), 0, 0});
                    any = true;
                }
                dist += distance(a, b);
            }
        }
        if (any) drawn.push_back(i);
    }
    ++L.revision;
    return drawn;
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
