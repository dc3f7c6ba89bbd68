// The 10-person village–enterprise patrol's GPS tracks (SPEC §3 `patrols`, §5.5): walks along the
// roads from the patrol base at set rounds and unset times, day and night, over the checks' 30 days.
#include <limits>
#include <map>
#include <queue>

#include "geo/core/times.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {
namespace {

/**
 * The roads the patrol walks, as a graph: a node per road vertex (roads meet at shared vertices,
 * bit for bit: see roads.cpp), an edge per segment.
 */
class RoadGraph {
public:
    void add(const LineString& l) {
        for (size_t k = 0; k + 1 < l.size(); ++k) {
            const int a = node(l[k]), b = node(l[k + 1]);
            if (a == b) continue;
            const double d = distance(l[k], l[k + 1]);
            adj_[a].push_back({b, d});
            adj_[b].push_back({a, d});
        }
    }
    size_t size() const { return nodes_.size(); }
    Vec2 at(int n) const { return nodes_[n]; }
    size_t degree(int n) const { return adj_[n].size(); }

    int nearest(Vec2 p) const {
        int best = 0;
        for (size_t n = 1; n < nodes_.size(); ++n)
            if (distance(nodes_[n], p) < distance(nodes_[best], p)) best = static_cast<int>(n);
        return best;
    }

    /** Distances from `from` to every node (∞ where unreachable) and the predecessor of each. */
    void shortest(int from, std::vector<double>& dist, std::vector<int>& prev) const {
        dist.assign(nodes_.size(), std::numeric_limits<double>::infinity());
        prev.assign(nodes_.size(), -1);
        using Item = std::pair<double, int>;
        std::priority_queue<Item, std::vector<Item>, std::greater<>> queue;
        dist[from] = 0;
        queue.push({0, from});
        while (!queue.empty()) {
            const auto [d, n] = queue.top();
            queue.pop();
            if (d > dist[n]) continue;
            for (const auto& [m, w] : adj_[n])
                if (d + w < dist[m]) dist[m] = d + w, prev[m] = n, queue.push({d + w, m});
        }
    }

    /** The road to `to` as points, from the node `prev` (of shortest()) starts at. */
    LineString path(const std::vector<int>& prev, int to) const {
        LineString l;
        for (int n = to; n >= 0; n = prev[n]) l.push_back(nodes_[n]);
        std::reverse(l.begin(), l.end());
        return l;
    }

private:
    int node(Vec2 p) {
        auto [it, added] = index_.try_emplace({p.x, p.y}, static_cast<int>(nodes_.size()));
        if (added) nodes_.push_back(p), adj_.emplace_back();
        return it->second;
    }
    std::vector<Vec2> nodes_;
    std::vector<std::vector<std::pair<int, double>>> adj_;
    std::map<std::pair<double, double>, int> index_;
};

/** When a patrol sets out, in hours after midnight of its day, and whether it counts as a night walk. */
struct Round {
    double hour;
    bool night;
};

}  // namespace

/**
 * About one walk a day (none on some days, two on others) from the patrol base, over the 30 days
 * of the checks: the set rounds at 08:30, 14:30 and 21:00 (setting out a few minutes either way)
 * and walks at unset times, by day and at night (22:00–04:00). Each walk goes out along the roads
 * to one to four places (the enterprises along G320, the hamlets, 罗家大坡, junctions) by the
 * shortest way and comes back: an out-and-back with one place, a loop with more; 3–6.5 km by day,
 * 2–4.5 km at night. The hill and field paths and two of the hamlets' spur roads are never walked.
 * Team: `patrol` mostly, `joint` (with the enterprises' guards or the police station) more at night,
 * a few `grid` walks. GPS fixes every 10 s at 1.05–1.35 m/s with 3–6 m of correlated noise; the
 * track's end is its start plus its length at that speed.
 */
void CommunityBuilder::make_patrols() {
    Rng r(stream(kStreamPatrols));
    constexpr int64_t kDay = 86400;
    const int64_t last_day = civil_seconds(kDailyLastYear, kDailyLastMonth, kDailyLastDay) / kDay;
    const int64_t first_day = last_day - kDailyDays + 1;

    // The walked network: every road but the paths (the resettlement site's lanes are walked), less
    // two spur roads into hamlets the patrol leaves to their group heads.
    std::vector<size_t> spurs;
    for (size_t k = 0; k < roads_.size(); ++k)
        for (const auto& plan : villager_groups())
            if (roads_[k].name == std::string(plan.hamlet) + "路") spurs.push_back(k);
    r.shuffle(spurs);
    if (spurs.size() > 2) spurs.resize(2);
    RoadGraph graph;
    for (size_t k = 0; k < roads_.size(); ++k) {
        const RoadLine& road = roads_[k];
        const bool lane = road.name.rfind("安置点", 0) == 0;
        if ((road.road_class == "path" && !lane) || std::find(spurs.begin(), spurs.end(), k) != spurs.end()) continue;
        graph.add(road.line);
    }
    Vec2 base_pos = exit_junction_;
    for (const auto& f : out_.facilities)
        if (f.kind == "patrol_base") base_pos = f.pos;
    const int base = graph.nearest(base_pos);
    std::vector<double> from_base;
    std::vector<int> prev, prev_at;  // shortest-path trees from the base and from where a walk is
    graph.shortest(base, from_base, prev);

    // Where walks go: road ends and junctions, and the roads nearest the facilities and enterprises.
    std::vector<int> places;
    for (size_t n = 0; n < graph.size(); ++n)
        if ((graph.degree(static_cast<int>(n)) != 2) && std::isfinite(from_base[n]) && from_base[n] > 150)
            places.push_back(static_cast<int>(n));
    for (const auto& f : out_.facilities) places.push_back(graph.nearest(f.pos));
    for (const auto& e : out_.enterprises) places.push_back(graph.nearest(centroid(e.shape)));

    std::vector<double> dist;
    auto route = [&](double budget) {
        LineString line{graph.at(base)};
        int at = base;
        double walked = 0;
        dist = from_base;
        for (int stops = 0, tries = 0; stops < 4 && tries < 30; ++tries) {
            const int to = places[r.integer(0, static_cast<int>(places.size()) - 1)];
            if (to == at || !std::isfinite(dist[to])) continue;
            const double len = dist[to];
            if (walked + len + from_base[to] > budget && stops > 0) continue;
            if (walked + len + from_base[to] > 1.6 * budget) continue;  // the first stop may stretch the walk
            const LineString leg = graph.path(at == base ? prev : prev_at, to);
            line.insert(line.end(), leg.begin() + 1, leg.end());
            walked += len, at = to, ++stops;
            graph.shortest(at, dist, prev_at);
        }
        // Home by the shortest way (the roads are two-way: base's tree read backwards).
        LineString back = graph.path(prev, at);
        std::reverse(back.begin(), back.end());
        line.insert(line.end(), back.begin() + 1, back.end());
        return line;
    };

    std::vector<PatrolTrack> tracks;
    for (int64_t day = first_day; day <= last_day; ++day) {
        const int walks = static_cast<int>(r.weighted({0.07, 0.8, 0.13}));
        const std::string date = iso_date(day * kDay);
        const std::string compact = date.substr(0, 4) + date.substr(5, 2) + date.substr(8, 2);
        const size_t day_first = tracks.size();
        int slot_taken = -1;
        for (int w = 0; w < walks; ++w) {
            int slot = static_cast<int>(r.weighted({0.28, 0.2, 0.24, 0.12, 0.16}));
            if (slot == slot_taken) slot = (slot + 2) % 5;
            slot_taken = slot;
            Round round;
            switch (slot) {
                case 0: round = {8.5 + r.uniform(-5, 20) / 60, false}; break;
                case 1: round = {14.5 + r.uniform(-5, 20) / 60, false}; break;
                case 2: round = {21.0 + r.uniform(-5, 20) / 60, true}; break;
                case 3: round = {r.uniform(9.5, 17.5), false}; break;
                default: {
                    const double h = r.uniform(22, 28);  // 22:00–04:00, the small hours on the same date
                    round = {h >= 24 ? h - 24 : h, true};
                }
            }
            const double u = r.uniform();
            const char* team = round.night ? (u < 0.3 ? "joint" : "patrol") : u < 0.08 ? "grid" : u < 0.2 ? "joint" : "patrol";
            const double budget = round.night ? r.uniform(2000, 4500) : r.uniform(3000, 6500);
            const LineString road = route(budget);

            // GPS fixes every 10 s along the way, with noise that drifts (AR(1)) as a phone's does.
            const double speed = r.uniform(1.05, 1.35), sigma = r.uniform(3, 6), rho = 0.9;
            const double spread = std::sqrt(1 - rho * rho);
            Vec2 noise{r.normal_clamped(2.5) * sigma, r.normal_clamped(2.5) * sigma};
            LineString fixes;
            for (const Station& s : stations(road, speed * 10, 0)) {
                fixes.push_back(s.p + noise);
                noise = {std::clamp(rho * noise.x + spread * sigma * r.normal(), -2.5 * sigma, 2.5 * sigma),
                         std::clamp(rho * noise.y + spread * sigma * r.normal(), -2.5 * sigma, 2.5 * sigma)};
            }
            fixes.push_back(road.back() + noise);

            PatrolTrack t;
            t.track_id = compact;  // numbered below, in time order
            t.team = team;
            const int64_t start = day * kDay + static_cast<int64_t>(round.hour * 3600);
            const int64_t end = start + static_cast<int64_t>(std::llround(polyline_length(fixes) / speed));
            t.start = iso_date_time(start), t.end = iso_date_time(end);
            t.t_start = start, t.t_end = end;
            t.shape = {std::move(fixes)};
            spread_track_times(t);
            tracks.push_back(std::move(t));
        }
        // The day's walks in the order they set out: DPZ-PT20261031-1, -2.
        std::stable_sort(tracks.begin() + static_cast<long>(day_first), tracks.end(),
                         [](const PatrolTrack& a, const PatrolTrack& b) { return *a.t_start < *b.t_start; });
        for (size_t k = day_first; k < tracks.size(); ++k)
            tracks[k].track_id = id(strf("PT%s-%zu", tracks[k].track_id.c_str(), k - day_first + 1));
    }
    out_.patrols = std::move(tracks);
}

}  // namespace gw::demo_detail
