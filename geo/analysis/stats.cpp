#include "geo/analysis/stats.h"

#include <algorithm>
#include <cmath>
#include <unordered_map>

#include "geo/analysis/coverage.h"
#include "geo/analysis/patrols.h"
#include "geo/core/error.h"

namespace gw {

void GridStats::add(const GridStats& o) {
    area_m2 += o.area_m2;
    households += o.households, people += o.people;
    cameras += o.cameras, cameras_online += o.cameras_online, cameras_offline += o.cameras_offline;
    incidents += o.incidents;
    for (size_t i = 0; i < kOwners.size(); ++i) cameras_by_owner[i] += o.cameras_by_owner[i];
    for (size_t i = 0; i < kIncidentTypes.size(); ++i) incidents_by_type[i] += o.incidents_by_type[i];
    for (size_t i = 0; i < kColors.size(); ++i) incidents_by_color[i] += o.incidents_by_color[i];
    if (o.check_days_since && (!check_days_since || *o.check_days_since < *check_days_since))
        check_days_since = o.check_days_since;
    checks += o.checks, checks_newcomer += o.checks_newcomer, checks_returnee += o.checks_returnee;
    checks_outside += o.checks_outside;
    road_m += o.road_m, patrolled_m += o.patrolled_m, neither_m += o.neither_m, night_m += o.night_m;
    night_share = patrolled_m > 0 ? night_m / patrolled_m : 0;
    if (o.has_coverage()) {
        covered_m2 = std::max(covered_m2, 0.0) + o.covered_m2;
        households_covered = std::max(households_covered, 0) + o.households_covered;
        coverage = area_m2 > 0 ? covered_m2 / area_m2 : 0;
    }
}

CellLocator::CellLocator(std::vector<const Grid*> cells) : cells_(std::move(cells)) {
    boxes_.reserve(cells_.size());
    for (const Grid* g : cells_) boxes_.push_back(bounds(g->shape)), box_.add(boxes_.back());
    if (cells_.empty() || box_.empty()) return;
    // About four cells per bin: a point test then touches a handful of polygons.
    const double n = std::max<double>(1, cells_.size() / 4.0);
    const double aspect = std::max(box_.width(), 1e-9) / std::max(box_.height(), 1e-9);
    nx_ = std::clamp(static_cast<int>(std::sqrt(n * aspect)), 1, 4096);
    ny_ = std::clamp(static_cast<int>(n / nx_), 1, 4096);
    cw_ = std::max(box_.width(), 1e-9) / nx_;
    ch_ = std::max(box_.height(), 1e-9) / ny_;
    bins_.resize(static_cast<size_t>(nx_) * ny_);
    for (size_t i = 0; i < cells_.size(); ++i) {
        const Box& b = boxes_[i];
        int x0 = std::clamp(static_cast<int>((b.xmin - box_.xmin) / cw_), 0, nx_ - 1);
        int x1 = std::clamp(static_cast<int>((b.xmax - box_.xmin) / cw_), 0, nx_ - 1);
        int y0 = std::clamp(static_cast<int>((b.ymin - box_.ymin) / ch_), 0, ny_ - 1);
        int y1 = std::clamp(static_cast<int>((b.ymax - box_.ymin) / ch_), 0, ny_ - 1);
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) bins_[static_cast<size_t>(y) * nx_ + x].push_back(static_cast<int>(i));
    }
}

int CellLocator::bin_of(Vec2 p) const {
    if (bins_.empty() || !box_.contains(p)) return -1;
    const int x = std::clamp(static_cast<int>((p.x - box_.xmin) / cw_), 0, nx_ - 1);
    const int y = std::clamp(static_cast<int>((p.y - box_.ymin) / ch_), 0, ny_ - 1);
    return y * nx_ + x;
}

int CellLocator::find_in_bin(int bin, Vec2 p) const {
    if (bin < 0) return -1;
    // A cell's box first: a bin's other cells are mostly told apart without a look at their outlines.
    for (int i : bins_[static_cast<size_t>(bin)])
        if (boxes_[i].contains(p) && inside(cells_[i]->shape, p)) return i;
    // A point on a shared edge is inside one of its cells (the test above is half-open), but one on
    // the grid's outer edge to the east or north is inside none: it is the cell's whose outline holds it.
    for (int i : bins_[static_cast<size_t>(bin)])
        if (boxes_[i].contains(p) && on_outline(cells_[i]->shape, p)) return i;
    return -1;
}

int CellLocator::find(Vec2 p) const { return find_in_bin(bin_of(p), p); }

std::vector<size_t> CellLocator::bin_starts(const std::vector<int>& bins) const {
    std::vector<size_t> first(bins_.size() + 2, 0);  // bin -1 (outside every box) first
    for (int b : bins) ++first[static_cast<size_t>(b) + 2];
    for (size_t b = 1; b < first.size(); ++b) first[b] += first[b - 1];
    return first;
}

void CellLocator::find_sorted(const std::vector<Sorted>& sorted, std::vector<int>& cell) const {
    // 500,000 incidents in no order among a county's 9,700 cells, on two cores: 100 ms in the
    // order given, 40 ms in bins (tests/bench BM_LocatePoints, the sorting included: 48 ms).
    parallel_for(sorted.size(),
                 [&](size_t k) { cell[sorted[k].i] = find_in_bin(sorted[k].bin, sorted[k].p); });
}

int CellLocator::find_within(Vec2 p, double d) const {
    if (int c = find(p); c >= 0) return c;
    // Every bin within d of p: a point on an outer edge may round just outside the box, or into a
    // bin its cell does not reach.
    if (bins_.empty() || !box_.grown(d).contains(p)) return -1;
    auto bx = [&](double v) { return std::clamp(static_cast<int>((v - box_.xmin) / cw_), 0, nx_ - 1); };
    auto by = [&](double v) { return std::clamp(static_cast<int>((v - box_.ymin) / ch_), 0, ny_ - 1); };
    for (int y = by(p.y - d); y <= by(p.y + d); ++y)
        for (int x = bx(p.x - d); x <= bx(p.x + d); ++x)
            for (int i : bins_[static_cast<size_t>(y) * nx_ + x])
                if (any_edge(cells_[i]->shape, [&](Vec2 a, Vec2 b) { return near_segment(p, a, b, d); })) return i;
    return -1;
}

namespace {
template <size_t N>
int index_of(const std::array<const char*, N>& names, const std::string& v) {
    for (size_t i = 0; i < N; ++i)
        if (v == names[i]) return static_cast<int>(i);
    return -1;
}
}  // namespace

StatsTable compute_stats(const Dataset& ds, int level, bool with_coverage, std::vector<MultiPolygon>* views) {
    StatsTable t;
    t.level = level;
    std::vector<const Grid*> cells = ds.cells_to_report(level);
    if (cells.empty())
        throw Error("has no cells of level " + std::to_string(level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has (gridwatch info lists them)");
    t.rows.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        t.rows[i].grid_id = cells[i]->grid_id;
        t.rows[i].name = cells[i]->name;
        t.rows[i].level = level;
        t.rows[i].area_m2 = area(cells[i]->shape);
    }
    CellLocator loc(cells);
    const std::vector<int> households_cell =
        loc.find_each(ds.households.size(), [&](size_t k) { return ds.households[k].pos; });
    for (size_t k = 0; k < ds.households.size(); ++k) {
        const auto& h = ds.households[k];
        const int i = households_cell[k];
        if (i < 0) {
            t.households_outside.push_back(h.hh_id);
            continue;
        }
        t.rows[i].households += 1;
        t.rows[i].people += h.members.value_or(0);
    }
    const std::vector<int> cameras_cell =
        loc.find_each(ds.cameras.size(), [&](size_t k) { return ds.cameras[k].pos; });
    for (size_t k = 0; k < ds.cameras.size(); ++k) {
        const auto& c = ds.cameras[k];
        const int i = cameras_cell[k];
        if (i < 0) {
            t.cameras_outside.push_back(c.cam_id);
            continue;
        }
        auto& r = t.rows[i];
        r.cameras += 1;
        (c.online() ? r.cameras_online : r.cameras_offline) += 1;
        if (int o = index_of(kOwners, c.owner); o >= 0) r.cameras_by_owner[o] += 1;
    }
    const std::vector<int> incidents_cell =
        loc.find_each(ds.incidents.size(), [&](size_t k) { return ds.incidents[k].pos; });
    for (size_t k = 0; k < ds.incidents.size(); ++k) {
        const auto& in = ds.incidents[k];
        const int i = incidents_cell[k];
        if (i < 0) {
            t.incidents_outside.push_back(in.inc_id);
            continue;
        }
        auto& r = t.rows[i];
        r.incidents += 1;
        if (int ty = index_of(kIncidentTypes, in.type); ty >= 0) r.incidents_by_type[ty] += 1;
        if (int col = index_of(kColors, in.color); col >= 0) r.incidents_by_color[col] += 1;
    }
    if (with_coverage) {
        CoverageOptions co;
        co.level = level;
        co.gaps = false;
        co.roads = false;  // the table has no road columns of coverage's
        CoverageReport rep = compute_coverage(ds, co);
        for (size_t i = 0; i < t.rows.size(); ++i) {
            t.rows[i].covered_m2 = rep.cells[i].covered_m2;
            t.rows[i].coverage = rep.cells[i].coverage;
            t.rows[i].households_covered = rep.cells[i].households_covered;
        }
        if (views) *views = std::move(rep.views);
    }
    t.total.grid_id = "total";
    t.total.level = level;
    for (const auto& r : t.rows) t.total.add(r);
    return t;
}

void add_checks(StatsTable& t, const Dataset& ds, ChecksOptions options) {
    options.level = t.level;
    const ChecksReport rep = compute_checks(ds, options);
    t.checks_repeated.clear();
    for (const Check* c : rep.repeated) t.checks_repeated.push_back(c->check_id);
    std::unordered_map<std::string, const CellChecks*> by_id;
    for (const auto& c : rep.cells) by_id.emplace(c.grid_id, &c);
    t.total.check_days_since.reset();
    t.total.checks = t.total.checks_newcomer = t.total.checks_returnee = t.total.checks_outside = 0;
    for (auto& r : t.rows) {
        auto it = by_id.find(r.grid_id);
        if (it == by_id.end()) continue;
        const CellChecks& c = *it->second;
        r.check_days_since = c.days_since;
        r.checks = c.checks;
        r.checks_newcomer = c.by_kind("newcomer");
        r.checks_returnee = c.by_kind("returnee");
        r.checks_outside = c.outside;
        if (r.check_days_since && (!t.total.check_days_since || *r.check_days_since < *t.total.check_days_since))
            t.total.check_days_since = r.check_days_since;
        t.total.checks += r.checks, t.total.checks_newcomer += r.checks_newcomer;
        t.total.checks_returnee += r.checks_returnee, t.total.checks_outside += r.checks_outside;
    }
    t.with_checks = true;
    t.checks_date = rep.date;
    t.checks_days = rep.days;
}

void add_patrols(const std::vector<StatsTable*>& tables, const Dataset& ds, const PatrolOptions& options) {
    if (tables.empty()) return;
    const PatrolsReport rep = compute_patrols(ds, options);  // once, for every table
    // rep.cells are the L4 cells in layer order; each adds into its own row, or its ancestor's of
    // the table's level (through parent_id, as the check columns are summed).
    const std::vector<const Grid*> l4 = ds.grids_of_level(4);
    for (StatsTable* table : tables) {
        StatsTable& t = *table;
        std::vector<int> row_of(l4.size(), -1);
        if (t.level == 4) {
            std::unordered_map<std::string, int> by_id;
            for (size_t i = 0; i < t.rows.size(); ++i) by_id.emplace(t.rows[i].grid_id, static_cast<int>(i));
            for (size_t i = 0; i < l4.size(); ++i)
                if (auto it = by_id.find(l4[i]->grid_id); it != by_id.end()) row_of[i] = it->second;
        } else {
            row_of = l4_ancestors(ds, l4, ds.grids_of_level(t.level));
        }
        for (auto& r : t.rows) r.road_m = r.patrolled_m = r.neither_m = r.night_m = r.night_share = 0;
        t.total.road_m = t.total.patrolled_m = t.total.neither_m = t.total.night_m = t.total.night_share = 0;
        for (size_t i = 0; i < l4.size() && i < rep.cells.size(); ++i) {
            if (row_of[i] < 0) continue;
            GridStats& r = t.rows[row_of[i]];
            const CellPatrols& c = rep.cells[i];
            r.road_m += c.road_m, r.patrolled_m += c.patrolled_m, r.neither_m += c.neither_m,
                r.night_m += c.night_m;
        }
        for (auto& r : t.rows) {
            r.night_share = r.patrolled_m > 0 ? r.night_m / r.patrolled_m : 0;
            t.total.road_m += r.road_m, t.total.patrolled_m += r.patrolled_m;
            t.total.neither_m += r.neither_m, t.total.night_m += r.night_m;
        }
        t.total.night_share = t.total.patrolled_m > 0 ? t.total.night_m / t.total.patrolled_m : 0;
        t.with_patrols = true;
        t.patrols_from = rep.window.from, t.patrols_until = rep.window.until;
        t.night_from_min = options.night_from_min, t.night_to_min = options.night_to_min;
        t.patrol_tracks = rep.tracks_in_window;
    }
}

}  // namespace gw
