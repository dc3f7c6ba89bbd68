#include "geo/analysis/checks.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "geo/core/error.h"
#include "geo/core/times.h"

namespace gw {
namespace {

constexpr int64_t kDay = 86400;

/** The calendar date of a time on the community's clock, as days since 1970-01-01. */
int64_t day_of(int64_t t) { return t >= 0 ? t / kDay : -((-t + kDay - 1) / kDay); }

/** Metres from p to the nearest edge of mp. */
double distance_to_outline(const MultiPolygon& mp, Vec2 p) {
    double d = std::numeric_limits<double>::infinity();
    for (const auto& poly : mp)
        for (const auto& ring : poly.rings)
            for (size_t i = 0, n = ring.size(); i < n; ++i) d = std::min(d, segment_distance(p, ring[i], ring[(i + 1) % n]));
    return std::isfinite(d) ? d : 0;
}

/**
 * For every L4 cell, the index of its ancestor among `cells` (the cells of one level above 4),
 * following parent_id; -1 when the chain breaks (an unknown parent, a cycle) before reaching it.
 */
std::vector<int> ancestors_in(const std::vector<const Grid*>& l4, const std::vector<const Grid*>& cells,
                              const std::unordered_map<std::string, const Grid*>& by_id) {
    std::unordered_map<const Grid*, int> index;
    for (size_t i = 0; i < cells.size(); ++i) index.emplace(cells[i], static_cast<int>(i));
    std::vector<int> out(l4.size(), -1);
    for (size_t i = 0; i < l4.size(); ++i) {
        const Grid* g = l4[i];
        // At most one step per level (and a few more for a level skipped): a cycle ends here too.
        for (int step = 0; step < 8 && g; ++step) {
            if (auto it = index.find(g); it != index.end()) {
                out[i] = it->second;
                break;
            }
            auto p = by_id.find(g->parent_id);
            g = p == by_id.end() ? nullptr : p->second;
        }
    }
    return out;
}

}  // namespace

std::vector<int> l4_ancestors(const Dataset& ds, const std::vector<const Grid*>& l4,
                              const std::vector<const Grid*>& cells) {
    std::unordered_map<std::string, const Grid*> by_id;
    for (const auto& g : ds.grids) by_id.emplace(g.grid_id, &g);
    return ancestors_in(l4, cells, by_id);
}

ChecksReport compute_checks(const Dataset& ds, const ChecksOptions& opt) {
    const std::vector<const Grid*> l4 = ds.grids_of_level(4);
    if (l4.empty())
        throw Error("has no level-4 cells: checks are counted per L4 cell", {ds.source, "grids", "", "level"},
                    "give the grids layer its level-4 cells (gridwatch info lists the levels)");
    if (opt.days < 1)
        throw Error("the window must be at least one day, not " + std::to_string(opt.days), {}, "pass --days 1 or more");
    if (opt.level < 1 || opt.level > 4)
        throw Error("level must be 1–4, not " + std::to_string(opt.level), {}, "pass --level 1 to 4");
    const std::vector<const Grid*> cells = opt.level == 4 ? l4 : ds.grids_of_level(opt.level);
    if (cells.empty())
        throw Error("has no cells of level " + std::to_string(opt.level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has (gridwatch info lists them)");

    ChecksReport rep;
    rep.days = opt.days;
    rep.level = opt.level;
    if (opt.date) {
        rep.date = day_of(*opt.date) * kDay;
    } else {
        std::optional<int64_t> latest;
        for (const auto& c : ds.checks)
            if (c.when && (!latest || *c.when > *latest)) latest = c.when;
        if (!latest)
            throw Error(ds.checks.empty() ? "has no checks to take today's date from"
                                          : "has no check with a readable time to take today's date from",
                        {ds.source, "checks", "", "time"}, "pass --date YYYY-MM-DD");
        rep.date = day_of(*latest) * kDay;
    }
    const int64_t today = rep.date / kDay, first_day = today - (opt.days - 1);

    std::unordered_map<std::string, int> l4_index;
    l4_index.reserve(l4.size() * 2);
    for (size_t i = 0; i < l4.size(); ++i) l4_index.emplace(l4[i]->grid_id, static_cast<int>(i));

    // The row each L4 cell adds into: itself at level 4, its ancestor of `level` above.
    std::unordered_map<std::string, const Grid*> by_id;
    by_id.reserve(ds.grids.size() * 2);
    for (const auto& g : ds.grids) by_id.emplace(g.grid_id, &g);
    std::vector<int> row_of(l4.size());
    if (opt.level == 4)
        std::iota(row_of.begin(), row_of.end(), 0);
    else
        row_of = ancestors_in(l4, cells, by_id);

    rep.cells.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        CellChecks& r = rep.cells[i];
        r.grid_id = cells[i]->grid_id, r.name = cells[i]->name, r.manager = cells[i]->manager;
        r.level = opt.level;
        r.l4_cells = 0;
        for (const auto& k : check_kinds()) r.kinds[k] = 0;
    }

    // Every report once: per L4 cell the latest check on or before `date` and whether one fell on
    // it; the window's reports kept (with their cell, -1 for none) for the rest.
    std::vector<std::optional<int64_t>> last(l4.size());
    std::vector<char> checked_today(l4.size(), 0);
    struct InWindow {
        int64_t when;
        size_t k;
        int cell;
        bool operator<(const InWindow& o) const { return when != o.when ? when < o.when : k < o.k; }
    };
    std::vector<InWindow> window;
    for (size_t k = 0; k < ds.checks.size(); ++k) {
        const Check& c = ds.checks[k];
        if (!c.when) {
            ++rep.untimed;
            continue;
        }
        const int64_t day = day_of(*c.when);
        if (day > today) {
            ++rep.after_date;
            continue;
        }
        auto it = l4_index.find(c.grid_id);
        const int cell = it == l4_index.end() ? -1 : it->second;
        if (cell >= 0) {
            if (!last[cell] || *c.when > *last[cell]) last[cell] = c.when;
            if (day == today) checked_today[cell] = 1;
        }
        if (day >= first_day) window.push_back({*c.when, k, cell});
    }
    // In time order (layer order among equal times): reporters are listed in order of first
    // report, the day's reports in time order.
    std::sort(window.begin(), window.end());

    // Kinds counted by index first (a map lookup per report is most of this loop otherwise).
    const std::vector<std::string>& known = check_kinds();
    const size_t nk = known.size();
    std::vector<int> kind_counts(cells.size() * nk, 0);
    std::vector<std::unordered_set<std::string>> seen_reporters(cells.size());
    std::unordered_set<std::string> unknown_seen;
    for (const InWindow& w : window) {
        const Check& c = ds.checks[w.k];
        if (day_of(w.when) == today) rep.today.push_back(&c);
        if (w.cell < 0) {
            rep.unknown.push_back(&c);
            if (unknown_seen.insert(c.grid_id).second) rep.unknown_cells.push_back(c.grid_id);
            continue;
        }
        const int row = row_of[w.cell];
        if (row < 0) continue;
        CellChecks& r = rep.cells[row];
        ++r.checks;
        const size_t kind = std::find(known.begin(), known.end(), c.kind) - known.begin();
        if (kind < nk)
            ++kind_counts[row * nk + kind];
        else
            ++r.kinds[c.kind.empty() ? "(none)" : c.kind];
        if (!c.reporter.empty() && seen_reporters[row].insert(c.reporter).second) r.reporters.push_back(c.reporter);
        // The one point-in-polygon test per report, against the cell it names.
        if (!inside_or_on(l4[w.cell]->shape, c.pos)) {
            ++r.outside;
            rep.outside.push_back({&c, distance_to_outline(l4[w.cell]->shape, c.pos)});
        }
    }
    for (size_t i = 0; i < cells.size(); ++i)
        for (size_t k = 0; k < nk; ++k) rep.cells[i].kinds[known[k]] += kind_counts[i * nk + k];
    std::stable_sort(rep.outside.begin(), rep.outside.end(),
                     [](const OutsideReport& a, const OutsideReport& b) { return a.distance_m > b.distance_m; });

    // Sums over the L4 cells of each row.
    for (size_t i = 0; i < l4.size(); ++i) {
        if (row_of[i] < 0) continue;
        CellChecks& r = rep.cells[row_of[i]];
        ++r.l4_cells;
        r.l4_checked_today += checked_today[i];
        if (!last[i]) {
            ++r.never_checked;
            continue;
        }
        const int since = static_cast<int>(today - day_of(*last[i]));
        if (!r.last_check || *last[i] > *r.last_check) r.last_check = last[i];
        if (!r.worst_days_since || since > *r.worst_days_since) r.worst_days_since = since;
    }
    for (auto& r : rep.cells)
        if (r.last_check) r.days_since = static_cast<int>(today - day_of(*r.last_check));

    for (const auto& r : rep.cells)
        if (r.l4_checked_today < r.l4_cells) rep.overdue.push_back(&r);
    std::stable_sort(rep.overdue.begin(), rep.overdue.end(), [](const CellChecks* a, const CellChecks* b) {
        if (a->never_checked != b->never_checked) return a->never_checked > b->never_checked;
        const int wa = a->worst_days_since.value_or(-1), wb = b->worst_days_since.value_or(-1);
        if (wa != wb) return wa > wb;
        return a->l4_cells - a->l4_checked_today > b->l4_cells - b->l4_checked_today;
    });

    // Roll-ups, level 4 first.
    for (int level = 4; level >= 1; --level) {
        const std::vector<const Grid*> of_level = level == 4 ? l4 : ds.grids_of_level(level);
        if (of_level.empty()) continue;
        std::vector<int> up(l4.size());
        if (level == 4)
            std::iota(up.begin(), up.end(), 0);
        else
            up = ancestors_in(l4, of_level, by_id);
        std::vector<int> n(of_level.size(), 0), done(of_level.size(), 0);
        for (size_t i = 0; i < l4.size(); ++i)
            if (up[i] >= 0) ++n[up[i]], done[up[i]] += checked_today[i];
        LevelShare s;
        s.level = level;
        s.cells = static_cast<int>(of_level.size());
        for (size_t j = 0; j < of_level.size(); ++j) {
            s.l4_cells += n[j], s.l4_checked_today += done[j];
            if (n[j] == 0) continue;  // a cell with no L4 cell under it has nothing to check
            s.cells_all_checked += done[j] == n[j];
            const double share = static_cast<double>(done[j]) / n[j];
            if (s.lowest_grid_id.empty() || share < s.lowest_share) s.lowest_grid_id = of_level[j]->grid_id, s.lowest_share = share;
        }
        s.checked_today_share = s.l4_cells ? static_cast<double>(s.l4_checked_today) / s.l4_cells : 0;
        rep.levels.push_back(s);
    }
    return rep;
}

}  // namespace gw
