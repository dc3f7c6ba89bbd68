#include "geo/analysis/checks.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <unordered_map>
#include <unordered_set>

#include "geo/core/error.h"
#include "geo/core/parallel.h"
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

std::string no_checks_advice(const std::string& source) {
    return "import them with `gridwatch import " + source +
           " --checks FILE`, or map the layer that holds them as " + "\"checks\" in " +
           project_path_for(source);
}

void ChecksIndex::find_repeated_ids() {
    // The same report: its id, time, cell, reporter and kind. An id alone is not one: a report
    // without a check_id is named by its FID, and two files' FIDs meet.
    const auto same_report = [&](const Report& x, const Report& y) {
        const Check &a = ds->checks[x.check], &b = ds->checks[y.check];
        return a.check_id == b.check_id && x.when == y.when && a.grid_id == b.grid_id &&
               a.reporter == b.reporter && a.kind == b.kind;
    };
    // By hash over the cores (a county's month: 274k ids), the strings compared only where two
    // hashes meet; reports are still in layer order here.
    std::vector<std::pair<uint64_t, uint32_t>> h(reports.size());
    parallel_for(reports.size(), [&](size_t k) {
        h[k] = {std::hash<std::string>{}(ds->checks[reports[k].check].check_id), static_cast<uint32_t>(k)};
    });
    parallel_sort(h.begin(), h.end(), std::less<>());
    std::vector<char> drop(reports.size(), 0);
    for (size_t i = 0; i < h.size();) {
        size_t j = i + 1;
        while (j < h.size() && h[j].first == h[i].first) ++j;
        for (size_t a = i; a < j; ++a)  // each a run's first of its report keeps it: the lowest k
            for (size_t b = a + 1; b < j && !drop[h[a].second]; ++b)
                if (!drop[h[b].second] && same_report(reports[h[a].second], reports[h[b].second]))
                    drop[h[b].second] = 1;
        i = j;
    }
    size_t kept = 0;
    for (size_t k = 0; k < reports.size(); ++k)
        if (drop[k])
            repeated.push_back(reports[k].check);
        else
            reports[kept++] = reports[k];
    reports.resize(kept);
}

ChecksIndex::ChecksIndex(const Dataset& data) : ds(&data) {
    l4 = data.grids_of_level(4);
    std::unordered_map<std::string, int> l4_index;
    l4_index.reserve(l4.size() * 2);
    for (size_t i = 0; i < l4.size(); ++i) l4_index.emplace(l4[i]->grid_id, static_cast<int>(i));

    std::unordered_map<std::string, const Grid*> by_id;
    by_id.reserve(data.grids.size() * 2);
    for (const auto& g : data.grids) by_id.emplace(g.grid_id, &g);
    levels.resize(5), rows.resize(5);
    for (int level = 1; level <= 4; ++level) {
        levels[level] = level == 4 ? l4 : data.grids_of_level(level);
        if (level == 4) {
            rows[4].resize(l4.size());
            std::iota(rows[4].begin(), rows[4].end(), 0);
        } else {
            rows[level] = ancestors_in(l4, levels[level], by_id);
        }
    }

    // Per report its cell, kind and the one point-in-polygon test, against the cell it names: each
    // report on its own, over the cores (a county's month: 274k reports, 60 ms on one core).
    const std::vector<std::string>& known = check_kinds();
    reports.resize(data.checks.size());
    const auto index_report = [&](size_t k) {
        const Check& c = data.checks[k];
        Report& r = reports[k];
        r.check = static_cast<uint32_t>(k);
        if (!c.when) return;  // dropped below
        r.when = *c.when;
        if (auto it = l4_index.find(c.grid_id); it != l4_index.end()) r.cell = it->second;
        const size_t kind = std::find(known.begin(), known.end(), c.kind) - known.begin();
        r.kind = kind < known.size() ? static_cast<int16_t>(kind) : int16_t(-1);
        if (r.cell < 0) return;
        const MultiPolygon& shape = l4[r.cell]->shape;
        if (!inside_or_on(shape, c.pos)) r.outside = true, r.distance_m = distance_to_outline(shape, c.pos);
    };
    parallel_for(reports.size(), index_report);
    // Reporters numbered in order of first report, in layer order.
    std::unordered_map<std::string, int> reporter_index;
    for (Report& r : reports) {
        const Check& c = data.checks[r.check];
        if (!c.when || c.reporter.empty()) continue;
        auto [it, added] = reporter_index.emplace(c.reporter, static_cast<int>(reporters.size()));
        if (added) reporters.push_back(c.reporter);
        r.reporter = it->second;
    }
    untimed = static_cast<int>(std::erase_if(reports, [&](const Report& r) { return !data.checks[r.check].when; }));
    find_repeated_ids();
    parallel_sort(reports.begin(), reports.end(), [](const Report& a, const Report& b) {
        return a.when != b.when ? a.when < b.when : a.check < b.check;
    });

    cell_first.assign(l4.size() + 1, 0);
    for (const Report& r : reports)
        if (r.cell >= 0) ++cell_first[r.cell + 1];
    for (size_t i = 0; i < l4.size(); ++i) cell_first[i + 1] += cell_first[i];
    cell_times.resize(cell_first.back());
    std::vector<size_t> next(cell_first.begin(), cell_first.end() - 1);
    for (const Report& r : reports)  // in time order: each cell's times come out ascending
        if (r.cell >= 0) cell_times[next[r.cell]++] = r.when;
}

int64_t checks_window_begin(int64_t date, int days) { return (day_of(date) - (days - 1)) * kDay; }

ChecksReport compute_checks(const Dataset& ds, const ChecksOptions& opt) { return compute_checks(ChecksIndex(ds), opt); }

ChecksReport compute_checks(const ChecksIndex& index, const ChecksOptions& opt) {
    ChecksReport rep;
    compute_checks(index, opt, rep);
    return rep;
}

void compute_checks(const ChecksIndex& index, const ChecksOptions& opt, ChecksReport& rep) {
    const Dataset& ds = *index.ds;
    const std::vector<const Grid*>& l4 = index.l4;
    (void)ds.cells_to_report(4);  // no grids layer, or two cells of one id: stops here
    if (l4.empty())
        throw Error("has no level-4 cells: checks are counted per L4 cell", {ds.source, "grids", "", "level"},
                    "give the grids layer its level-4 cells (gridwatch info lists the levels)");
    if (opt.days < 1)
        throw Error("the window must be at least one day, not " + std::to_string(opt.days), {}, "pass --days 1 or more");
    if (opt.level < 1 || opt.level > 4)
        throw Error("level must be 1–4, not " + std::to_string(opt.level), {}, "pass --level 1 to 4");
    // The reports name L4 cells, and the rows are the level's: two of either with one id stop.
    if (opt.level != 4) (void)ds.cells_to_report(opt.level);
    const std::vector<const Grid*>& cells = index.levels[opt.level];
    if (cells.empty())
        throw Error("has no cells of level " + std::to_string(opt.level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has (gridwatch info lists them)");

    rep.days = opt.days;
    rep.level = opt.level;
    rep.untimed = index.untimed;
    rep.repeated.clear();
    for (uint32_t k : index.repeated) rep.repeated.push_back(&ds.checks[k]);
    rep.overdue.clear(), rep.levels.clear(), rep.outside.clear(), rep.today.clear();
    rep.unknown_cells.clear(), rep.unknown.clear(), rep.l4_under_none.clear();
    if (opt.date) {
        rep.date = day_of(*opt.date) * kDay;
    } else {
        if (ds.checks.empty()) throw Error(kNoChecks, {ds.source}, no_checks_advice(ds.source));
        if (index.reports.empty()) {
            // Why, in the one line: the first time that could not be read.
            std::string first;
            for (const Issue& i : ds.report.bad_times)
                if (i.layer == "checks" && first.empty()) first = " (" + i.feature + ": " + i.problem + ")";
            throw Error("has no check with a readable time to take today's date from" + first,
                        {ds.source, "checks", "", "time"},
                        "write the times as ISO-8601, or pass --date YYYY-MM-DD");
        }
        rep.date = day_of(index.reports.back().when) * kDay;
    }
    const int64_t today = rep.date / kDay;
    // Times before `end` fall on or before `date`; times from `begin` on, in the window.
    const int64_t begin = checks_window_begin(rep.date, opt.days), end = (today + 1) * kDay;

    // The row each L4 cell adds into: itself at level 4, its ancestor of `level` above.
    const std::vector<int>& row_of = index.rows[opt.level];

    // Every row starts afresh, in the storage of the report passed in (assigned strings, maps
    // and vectors keep what they hold: a slider move allocates next to nothing).
    const std::vector<std::string>& known = check_kinds();
    const size_t nk = known.size();
    std::vector<size_t> sorted_kinds(nk);  // the known kinds in the order a map holds them
    std::iota(sorted_kinds.begin(), sorted_kinds.end(), size_t(0));
    std::sort(sorted_kinds.begin(), sorted_kinds.end(), [&](size_t a, size_t b) { return known[a] < known[b]; });
    rep.cells.resize(cells.size());
    for (size_t i = 0; i < cells.size(); ++i) {
        CellChecks& r = rep.cells[i];
        r.grid_id = cells[i]->grid_id, r.name = cells[i]->name, r.manager = cells[i]->manager;
        r.level = opt.level;
        r.last_check.reset(), r.days_since.reset(), r.worst_days_since.reset();
        r.checks = r.outside = r.l4_cells = r.l4_checked_today = r.never_checked = 0;
        r.reporters.clear();
        bool only_known = r.kinds.size() == nk;
        if (only_known) {
            size_t j = 0;
            for (auto& [kind, n] : r.kinds) only_known = only_known && kind == known[sorted_kinds[j++]], n = 0;
        }
        if (!only_known) {
            r.kinds.clear();
            for (size_t j : sorted_kinds) r.kinds.emplace_hint(r.kinds.end(), known[j], 0);
        }
    }

    // Per L4 cell the latest check on or before `date` (the last of its times before `end`), and
    // whether it fell on `date`.
    std::vector<std::optional<int64_t>> last(l4.size());
    std::vector<char> checked_today(l4.size(), 0);
    for (size_t i = 0; i < l4.size(); ++i) {
        const auto first = index.cell_times.begin() + static_cast<std::ptrdiff_t>(index.cell_first[i]);
        const auto stop = index.cell_times.begin() + static_cast<std::ptrdiff_t>(index.cell_first[i + 1]);
        const auto it = std::lower_bound(first, stop, end);
        if (it == first) continue;
        last[i] = *(it - 1);
        checked_today[i] = day_of(*(it - 1)) == today;
    }

    // The window: one run of the reports in time order (layer order among equal times), so
    // reporters are listed in order of first report and the day's reports in time order.
    const auto by_time = [](const ChecksIndex::Report& r, int64_t t) { return r.when < t; };
    const auto w_begin = std::lower_bound(index.reports.begin(), index.reports.end(), begin, by_time);
    const auto w_end = std::lower_bound(w_begin, index.reports.end(), end, by_time);
    rep.after_date = static_cast<int>(index.reports.end() - w_end);

    std::vector<int> kind_counts(cells.size() * nk, 0);
    // A reporter's first row is marked by a stamp; a reporter seen in a second row (a phone
    // reporting for two cells) goes through the set.
    std::vector<int> reporter_row(index.reporters.size(), -1);
    std::unordered_set<uint64_t> reporter_rows;
    std::unordered_set<std::string> unknown_seen;
    for (auto w = w_begin; w != w_end; ++w) {
        const Check& c = ds.checks[w->check];
        if (w->when >= rep.date) rep.today.push_back(&c);
        if (w->cell < 0) {
            rep.unknown.push_back(&c);
            if (unknown_seen.insert(c.grid_id).second) rep.unknown_cells.push_back(c.grid_id);
            continue;
        }
        const int row = row_of[w->cell];
        if (row < 0) continue;
        CellChecks& r = rep.cells[row];
        ++r.checks;
        if (w->kind >= 0)
            ++kind_counts[row * nk + w->kind];
        else
            ++r.kinds[c.kind.empty() ? "(none)" : c.kind];
        if (w->reporter >= 0) {
            int& stamp = reporter_row[w->reporter];
            bool first = false;
            if (stamp < 0)
                stamp = row, first = true;
            else if (stamp != row)
                first = reporter_rows.insert(uint64_t(uint32_t(row)) << 32 | uint32_t(w->reporter)).second;
            if (first) r.reporters.push_back(c.reporter);
        }
        if (w->outside) {
            ++r.outside;
            rep.outside.push_back({&c, w->distance_m});
        }
    }
    // Into each row's map in its order (the known kinds, with any other between them).
    for (size_t i = 0; i < cells.size(); ++i) {
        auto it = rep.cells[i].kinds.begin();
        for (size_t j : sorted_kinds) {
            while (it->first != known[j]) ++it;
            (it++)->second += kind_counts[i * nk + j];
        }
    }
    std::stable_sort(rep.outside.begin(), rep.outside.end(),
                     [](const OutsideReport& a, const OutsideReport& b) { return a.distance_m > b.distance_m; });

    // Sums over the L4 cells of each row.
    for (size_t i = 0; i < l4.size(); ++i) {
        if (row_of[i] < 0) {  // its parent_id leads to no cell of the level: named by the caller
            rep.l4_under_none.push_back(l4[i]);
            continue;
        }
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
        const std::vector<const Grid*>& of_level = index.levels[level];
        if (of_level.empty()) continue;
        const std::vector<int>& up = index.rows[level];
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
}

}  // namespace gw
