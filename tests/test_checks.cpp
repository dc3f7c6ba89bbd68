// Daily checks (SPEC §5.5) on a lattice of 100 m square L4 cells with times worked out by hand:
// days since across a month's end, never-checked cells, overdue worst first, the window's edges,
// reports after --date, a phone's "Z" time on the community clock, a local time left as written,
// a report from the neighbouring cell, an unknown grid_id, roll-ups per level; then the same
// through `gridwatch checks` on a GeoPackage (JSON shape, table, exit codes) and `stats
// --with-checks` / `export --with-stats`.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <array>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <tuple>

#include "geo/analysis/checks.h"
#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/times.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"

using namespace gw;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

struct CellDef {
    const char* id;
    int level;
    const char* parent;
    double x0, y0, w, h;
    const char* manager;
};

// L1 C (0..400 × 0..200) ⊃ L2 P1 (x 0..200), P2 (x 200..400) ⊃ L3 V1 = P1, V2 = P2 ⊃ L4 cells of
// 100 m: A1 (0,0) A2 (100,0) A3 (0,100) A4 (100,100) under V1; B1 (200,0) B2 (300,0) B3 (200,100)
// B4 (300,100) under V2. X1 (400,0) names a parent no layer has: it is in the L4 share only.
const std::vector<CellDef> kCells = {
    {"C", 1, "", 0, 0, 400, 200, "社区"},       {"P1", 2, "C", 0, 0, 200, 200, "片一"},
    {"P2", 2, "C", 200, 0, 200, 200, "片二"},   {"V1", 3, "P1", 0, 0, 200, 200, "组一"},
    {"V2", 3, "P2", 200, 0, 200, 200, "组二"},  {"A1", 4, "V1", 0, 0, 100, 100, "张一"},
    {"A2", 4, "V1", 100, 0, 100, 100, "张二"},  {"A3", 4, "V1", 0, 100, 100, 100, "张三"},
    {"A4", 4, "V1", 100, 100, 100, 100, "张四"}, {"B1", 4, "V2", 200, 0, 100, 100, "李一"},
    {"B2", 4, "V2", 300, 0, 100, 100, "李二"},  {"B3", 4, "V2", 200, 100, 100, 100, "李三"},
    {"B4", 4, "V2", 300, 100, 100, 100, "李四"}, {"X1", 4, "V9", 400, 0, 100, 100, "王一"},
};

struct CheckDef {
    const char* id;
    const char* grid;
    const char* time;
    const char* kind;
    double x, y;  // the phone's position
    int people;   // 0: none given
};

// "Today" is 2026-03-02 and the window 3 days: 2026-02-28, 03-01, 03-02 (2026 is no leap year).
const std::vector<CheckDef> kChecks = {
    {"K01", "A1", "2026-03-02T23:30:00", "routine", 50, 50, 0},    // local: stays on 03-02 (+8 h would be 03-03)
    {"K02", "A1", "2026-02-27T09:00:00", "newcomer", 50, 50, 2},   // before the window
    {"K03", "A2", "2026-02-27T23:59:59", "routine", 150, 50, 0},   // last check 3 dates back, across the month's end
    {"K04", "A3", "2026-02-28T00:00:00", "returnee", 50, 150, 1},  // the window's first second
    {"K05", "A3", "2026-02-27T23:59:59", "routine", 50, 150, 0},   // one second before it
    {"K06", "B1", "2026-03-01T17:30:00Z", "newcomer", 250, 50, 3}, // UTC: 03-02 01:30 on the community clock
    {"K07", "B2", "2026-03-02T10:00:00", "routine", 250, 60, 0},   // from B1, 50 m from B2's edge
    {"K08", "B2", "2026-03-03T07:00:00", "routine", 350, 50, 0},   // after --date: ignored
    {"K09", "B3", "2026-03-01T12:00:00", "dispute", 250, 150, 0},
    {"K10", "B3", "2026-03-02T23:59:59", "hazard", 250, 150, 0},   // the last second of today
    {"K11", "B4", "2026-02-20T08:00:00", "routine", 350, 150, 0},  // 10 dates back
    {"K12", "X1", "2026-03-02T09:00:00", "routine", 450, 50, 0},
    {"K13", "Z9", "2026-03-01T08:00:00", "routine", 350, 150, 0},  // names no cell
};

Grid make_cell(const CellDef& d) {
    Grid g;
    g.grid_id = d.id, g.level = d.level, g.parent_id = d.parent, g.name = std::string("格") + d.id, g.manager = d.manager;
    g.shape = {Polygon{{Ring{{d.x0, d.y0}, {d.x0 + d.w, d.y0}, {d.x0 + d.w, d.y0 + d.h}, {d.x0, d.y0 + d.h}}}}};
    return g;
}

Dataset lattice() {
    Dataset ds;
    ds.source = "lattice";
    for (const auto& d : kCells) ds.grids.push_back(make_cell(d));
    for (const auto& k : kChecks) {
        Check c;
        c.check_id = k.id, c.grid_id = k.grid, c.time = k.time, c.kind = k.kind, c.reporter = std::string("报") + k.grid;
        c.when = parse_incident_time(k.time);
        c.pos = {k.x, k.y};
        if (k.people) c.people = k.people;
        ds.checks.push_back(c);
    }
    return ds;
}

int64_t day(int y, int m, int d) { return civil_seconds(y, m, d); }

const CellChecks& row(const ChecksReport& r, const std::string& id) {
    for (const auto& c : r.cells)
        if (c.grid_id == id) return c;
    throw std::runtime_error("no row " + id);
}

ChecksReport on_march_2(const Dataset& ds, int level = 4) {
    ChecksOptions o;
    o.date = day(2026, 3, 2) + 12 * 3600;  // any time of the day names the day
    o.days = 3;
    o.level = level;
    return compute_checks(ds, o);
}

}  // namespace

TEST(Checks, DaysSinceAcrossTheMonthsEndAndNeverChecked) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    EXPECT_EQ(r.date, day(2026, 3, 2));
    ASSERT_EQ(r.cells.size(), 9u);
    EXPECT_EQ(row(r, "A1").days_since, 0);
    EXPECT_EQ(row(r, "A1").last_check, civil_seconds(2026, 3, 2, 23, 30, 0));
    EXPECT_EQ(row(r, "A2").days_since, 3);  // 02-27 → 02-28, 03-01, 03-02
    EXPECT_EQ(row(r, "A2").last_check, civil_seconds(2026, 2, 27, 23, 59, 59));
    EXPECT_EQ(row(r, "A3").days_since, 2);
    EXPECT_FALSE(row(r, "A4").last_check);
    EXPECT_FALSE(row(r, "A4").days_since);
    EXPECT_EQ(row(r, "B4").days_since, 10);
    EXPECT_EQ(row(r, "B3").days_since, 0);
}

TEST(Checks, WindowIsInclusiveCalendarDatesAndLaterReportsAreIgnored) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    EXPECT_EQ(row(r, "A1").checks, 1);  // K02 on 02-27 is before the window
    EXPECT_EQ(row(r, "A1").by_kind("routine"), 1);
    EXPECT_EQ(row(r, "A1").by_kind("newcomer"), 0);
    EXPECT_EQ(row(r, "A2").checks, 0);
    EXPECT_EQ(row(r, "A3").checks, 1);  // 02-28T00:00:00 in, 02-27T23:59:59 out
    EXPECT_EQ(row(r, "A3").by_kind("returnee"), 1);
    EXPECT_EQ(row(r, "B3").checks, 2);  // 03-02T23:59:59 is still today
    EXPECT_EQ(row(r, "B3").by_kind("dispute"), 1);
    EXPECT_EQ(row(r, "B3").by_kind("hazard"), 1);
    // K08 (03-03) counts nowhere, not even as B2's last check.
    EXPECT_EQ(row(r, "B2").checks, 1);
    EXPECT_EQ(row(r, "B2").last_check, civil_seconds(2026, 3, 2, 10, 0, 0));
    EXPECT_EQ(r.after_date, 1);
    // A one-day window holds today only.
    ChecksOptions o;
    o.date = day(2026, 3, 2);
    o.days = 1;
    const ChecksReport one = compute_checks(ds, o);
    EXPECT_EQ(row(one, "B3").checks, 1);
    EXPECT_EQ(row(one, "A3").checks, 0);
}

TEST(Checks, APhonesUtcTimeCountsOnTheCommunityClock) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    // 2026-03-01T17:30Z is 2026-03-02T01:30 in the community: B1 was checked today.
    EXPECT_EQ(row(r, "B1").last_check, civil_seconds(2026, 3, 2, 1, 30, 0));
    EXPECT_EQ(row(r, "B1").days_since, 0);
    EXPECT_EQ(row(r, "B1").l4_checked_today, 1);
    // The day's reports in time order: B1 01:30, X1 09:00, B2 10:00, A1 23:30, B3 23:59:59.
    ASSERT_EQ(r.today.size(), 5u);
    EXPECT_EQ(r.today[0]->check_id, "K06");
    EXPECT_EQ(r.today[1]->check_id, "K12");
    EXPECT_EQ(r.today[2]->check_id, "K07");
    EXPECT_EQ(r.today[3]->check_id, "K01");
    EXPECT_EQ(r.today[4]->check_id, "K10");
}

TEST(Checks, OverdueCellsWorstFirst) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    std::vector<std::string> ids;
    for (const CellChecks* c : r.overdue) ids.push_back(c->grid_id);
    // Never checked, then 10, 3 and 2 dates since the last check.
    EXPECT_EQ(ids, (std::vector<std::string>{"A4", "B4", "A2", "A3"}));
}

TEST(Checks, AReportFromTheNeighbouringCellCountsWhereItSaysAndIsFlagged) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    EXPECT_EQ(row(r, "B2").outside, 1);
    EXPECT_EQ(row(r, "B1").outside, 0);
    EXPECT_EQ(row(r, "B1").checks, 1);  // the report from inside B1 names B2: not B1's
    ASSERT_EQ(r.outside.size(), 1u);
    EXPECT_EQ(r.outside[0].check->check_id, "K07");
    EXPECT_NEAR(r.outside[0].distance_m, 50.0, 1e-9);  // (250, 60) to B2's west edge x = 300
    // A point on the cell's outline is inside it (west, east and north edges, a corner).
    for (Vec2 p : {Vec2{300, 60}, Vec2{400, 60}, Vec2{350, 100}, Vec2{400, 100}}) {
        Dataset edge = lattice();
        edge.checks[6].pos = p;
        EXPECT_EQ(row(on_march_2(edge), "B2").outside, 0) << p.x << " " << p.y;
    }
}

TEST(Checks, AnUnknownGridIdIsNamedAndCountedNowhere) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    EXPECT_EQ(r.unknown_cells, std::vector<std::string>{"Z9"});
    ASSERT_EQ(r.unknown.size(), 1u);
    EXPECT_EQ(r.unknown[0]->check_id, "K13");
    int total = 0;
    for (const auto& c : r.cells) total += c.checks;
    EXPECT_EQ(total, 7);  // 8 reports in the window, K13 in none of the cells (K13 lies in B4)
    EXPECT_EQ(row(r, "B4").checks, 0);
}

// A report imported twice (or two phones' files merged) has one check_id twice: it was counted
// twice, in its cell's checks and kinds, without a word.
TEST(Checks, AReportRepeatingAnEarlierCheckIdIsCountedOnceAndNamed) {
    const Dataset once = lattice();
    Dataset twice = lattice();
    Check again = twice.checks[8];  // K09, B3's dispute
    twice.checks.push_back(again);
    Check untimed = twice.checks[6];  // K07 without a time, first in layer order: the timed K07 still counts
    untimed.when.reset(), untimed.time = "yesterday";
    twice.checks.insert(twice.checks.begin(), untimed);
    const ChecksReport a = on_march_2(once), b = on_march_2(twice);
    ASSERT_EQ(b.repeated.size(), 1u);
    EXPECT_EQ(b.repeated[0], &twice.checks.back());
    EXPECT_TRUE(a.repeated.empty());
    ASSERT_EQ(a.cells.size(), b.cells.size());
    for (size_t i = 0; i < a.cells.size(); ++i) {
        EXPECT_EQ(a.cells[i].checks, b.cells[i].checks) << a.cells[i].grid_id;
        EXPECT_EQ(a.cells[i].kinds, b.cells[i].kinds) << a.cells[i].grid_id;
        EXPECT_EQ(a.cells[i].outside, b.cells[i].outside) << a.cells[i].grid_id;
    }
    EXPECT_EQ(row(b, "B3").by_kind("dispute"), 1);
    EXPECT_EQ(b.untimed, 1);

    // Against the first timed report of each id, over many ids repeated in no order.
    Dataset many = lattice();
    std::mt19937 rng(7);
    for (int i = 0; i < 3000; ++i) {
        Check c = many.checks[rng() % kChecks.size()];
        c.check_id = "R" + std::to_string(rng() % 700);
        if (rng() % 10 == 0) c.when.reset();
        many.checks.push_back(c);
    }
    std::set<std::tuple<std::string, int64_t, std::string, std::string, std::string>> seen;
    std::vector<const Check*> want;
    for (const Check& c : many.checks)
        if (c.when && !seen.insert({c.check_id, *c.when, c.grid_id, c.reporter, c.kind}).second)
            want.push_back(&c);
    EXPECT_GT(want.size(), 100u);
    EXPECT_EQ(on_march_2(many).repeated, want);

    // One id on two reports (a report without a check_id goes by its FID, and two files' FIDs
    // meet): two reports, both counted.
    Dataset two = lattice();
    two.checks[9].check_id = two.checks[8].check_id;  // K10 named K09: B3's dispute and its hazard
    const ChecksReport t = on_march_2(two);
    EXPECT_TRUE(t.repeated.empty());
    EXPECT_EQ(row(t, "B3").checks, row(a, "B3").checks);
}

TEST(Checks, RollUpsPerLevel) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds);
    ASSERT_EQ(r.levels.size(), 4u);
    EXPECT_EQ(r.levels[0].level, 4);
    // Level 4: A1, B1, B2, B3, X1 of 9 checked today.
    EXPECT_EQ(r.levels[0].l4_cells, 9);
    EXPECT_EQ(r.levels[0].l4_checked_today, 5);
    EXPECT_DOUBLE_EQ(r.levels[0].checked_today_share, 5.0 / 9);
    // Levels 3, 2, 1: X1 lies under no cell of theirs; 4 of the 8 under them.
    for (int i = 1; i < 4; ++i) {
        EXPECT_EQ(r.levels[i].level, 4 - i);
        EXPECT_EQ(r.levels[i].l4_cells, 8);
        EXPECT_DOUBLE_EQ(r.levels[i].checked_today_share, 0.5);
    }
    EXPECT_EQ(r.levels[1].cells, 2);
    EXPECT_EQ(r.levels[1].cells_all_checked, 0);
    EXPECT_EQ(r.levels[1].lowest_grid_id, "V1");  // 1 of 4
    EXPECT_DOUBLE_EQ(r.levels[1].lowest_share, 0.25);
}

TEST(Checks, CellsOfAHigherLevelSumTheirL4Cells) {
    const Dataset ds = lattice();
    const ChecksReport r = on_march_2(ds, 3);
    ASSERT_EQ(r.cells.size(), 2u);
    const CellChecks& v1 = row(r, "V1");
    EXPECT_EQ(v1.checks, 2);  // A1 K01, A3 K04
    EXPECT_EQ(v1.by_kind("routine"), 1);
    EXPECT_EQ(v1.by_kind("returnee"), 1);
    EXPECT_EQ(v1.last_check, civil_seconds(2026, 3, 2, 23, 30, 0));
    EXPECT_EQ(v1.days_since, 0);
    EXPECT_EQ(v1.l4_cells, 4);
    EXPECT_EQ(v1.l4_checked_today, 1);
    EXPECT_EQ(v1.never_checked, 1);      // A4
    EXPECT_EQ(v1.worst_days_since, 3);   // A2
    EXPECT_EQ(v1.manager, "组一");
    const CellChecks& v2 = row(r, "V2");
    EXPECT_EQ(v2.checks, 4);
    EXPECT_EQ(v2.outside, 1);
    EXPECT_EQ(v2.worst_days_since, 10);
    EXPECT_EQ(v2.l4_checked_today, 3);
    EXPECT_EQ(v2.reporters, (std::vector<std::string>{"报B3", "报B1", "报B2"}));  // in order of first report
    ASSERT_EQ(r.overdue.size(), 2u);
    EXPECT_EQ(r.overdue[0]->grid_id, "V1");  // a cell never checked beats 10 days
}

TEST(Checks, DateDefaultsToTheLatestReportsDay) {
    Dataset ds = lattice();
    ChecksOptions o;
    o.days = 3;
    EXPECT_EQ(compute_checks(ds, o).date, day(2026, 3, 3));  // K08
    ds.checks.clear();
    EXPECT_THROW(compute_checks(ds, o), Error);
    o.date = day(2026, 3, 2);
    const ChecksReport r = compute_checks(ds, o);  // with a date, an empty layer is every cell unchecked
    EXPECT_EQ(r.overdue.size(), 9u);
    o.days = 0;
    EXPECT_THROW(compute_checks(ds, o), Error);
}

// ---------------------------------------------------------------------------------------------
// The index against the definition: every report of the bundled community's month, for every
// date, three windows and three levels, recomputed report by report without it

namespace {

/**
 * SPEC §5.5 worked out directly: dates compared as YYYY-MM-DD text on the community clock, each
 * cell's L4 cells found by walking parent_id, every report of every L4 cell scanned for each row.
 */
struct BruteChecks {
    struct Row {
        std::string grid_id;
        std::optional<int64_t> last_check;
        std::optional<int> days_since, worst_days_since;
        int checks = 0, outside = 0, l4_cells = 0, l4_checked_today = 0, never_checked = 0;
        std::map<std::string, int> kinds;
        std::vector<std::string> reporters;
    };
    std::vector<Row> rows;
    std::vector<std::string> overdue;
    std::vector<std::pair<std::string, double>> outside;  // check_id, metres
    std::vector<std::string> today, unknown, unknown_cells;
    std::map<int, std::array<int, 2>> shares;  // level → L4 cells, checked today
    int after_date = 0, untimed = 0;
};

int calendar_days_between(const std::string& a, const std::string& b) {  // b − a, both YYYY-MM-DD
    auto days = [](const std::string& d) {
        return civil_seconds(std::stoi(d.substr(0, 4)), std::stoi(d.substr(5, 2)), std::stoi(d.substr(8, 2))) / 86400;
    };
    return int(days(b) - days(a));
}

BruteChecks brute_checks(const Dataset& ds, const std::string& today, int days, int level) {
    BruteChecks b;
    std::string first = today;
    for (int i = 1; i < days; ++i) first = iso_date(civil_seconds(std::stoi(first.substr(0, 4)), std::stoi(first.substr(5, 2)),
                                                                  std::stoi(first.substr(8, 2))) - 86400);
    std::map<std::string, const Grid*> by_id;
    for (const auto& g : ds.grids) by_id[g.grid_id] = &g;
    // The ancestor of level `lv` of an L4 cell, through parent_id; "" when the chain breaks.
    auto ancestor = [&](const Grid* g, int lv) -> std::string {
        for (int step = 0; g && step < 8; ++step) {
            if (g->level == lv) return g->grid_id;
            auto it = by_id.find(g->parent_id);
            g = it == by_id.end() ? nullptr : it->second;
        }
        return "";
    };
    // Reports in time order, layer order among equal times.
    std::vector<size_t> order;
    for (size_t k = 0; k < ds.checks.size(); ++k)
        if (ds.checks[k].when) order.push_back(k);
        else ++b.untimed;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) { return *ds.checks[x].when < *ds.checks[y].when; });
    auto in_window = [&](const Check& c) { const std::string d = iso_date(*c.when); return d >= first && d <= today; };
    for (size_t k : order) {
        const Check& c = ds.checks[k];
        const std::string d = iso_date(*c.when);
        if (d > today) ++b.after_date;
        if (!in_window(c)) continue;
        if (d == today) b.today.push_back(c.check_id);
        auto it = by_id.find(c.grid_id);
        if (it == by_id.end() || it->second->level != 4) {
            b.unknown.push_back(c.check_id);
            if (std::find(b.unknown_cells.begin(), b.unknown_cells.end(), c.grid_id) == b.unknown_cells.end())
                b.unknown_cells.push_back(c.grid_id);
        }
    }
    // Per L4 cell: its last check on or before today, and whether one fell on today.
    std::map<std::string, std::optional<int64_t>> last;
    std::map<std::string, bool> on_today;
    for (size_t k : order) {
        const Check& c = ds.checks[k];
        auto it = by_id.find(c.grid_id);
        if (it == by_id.end() || it->second->level != 4 || iso_date(*c.when) > today) continue;
        if (!last[c.grid_id] || *c.when > *last[c.grid_id]) last[c.grid_id] = c.when;
        if (iso_date(*c.when) == today) on_today[c.grid_id] = true;
    }
    std::map<std::string, std::string> up;  // L4 cell → its cell of `level`
    for (const auto& g : ds.grids)
        if (g.level == 4) up[g.grid_id] = ancestor(&g, level);
    for (int lv = 4; lv >= 1; --lv) {
        bool any = false;
        for (const auto& g : ds.grids) any = any || g.level == lv;
        if (!any) continue;
        auto& share = b.shares[lv];
        share = {0, 0};
        for (const auto& g : ds.grids)
            if (g.level == 4 && !ancestor(&g, lv).empty()) ++share[0], share[1] += on_today[g.grid_id];
    }
    std::map<std::string, BruteChecks::Row> rows;
    for (const auto& cell : ds.grids) {
        if (cell.level != level) continue;
        BruteChecks::Row& r = rows[cell.grid_id];
        r.grid_id = cell.grid_id;
        for (const auto& k : check_kinds()) r.kinds[k] = 0;
    }
    for (const auto& g : ds.grids) {
        if (g.level != 4 || up[g.grid_id].empty()) continue;
        BruteChecks::Row& r = rows[up[g.grid_id]];
        ++r.l4_cells;
        r.l4_checked_today += on_today[g.grid_id];
        const auto& l = last[g.grid_id];
        if (!l) {
            ++r.never_checked;
            continue;
        }
        if (!r.last_check || *l > *r.last_check) r.last_check = l;
        const int since = calendar_days_between(iso_date(*l), today);
        if (!r.worst_days_since || since > *r.worst_days_since) r.worst_days_since = since;
    }
    std::vector<std::pair<const Check*, double>> outside;  // in time order
    for (size_t k : order) {
        const Check& c = ds.checks[k];
        auto it = by_id.find(c.grid_id);
        if (!in_window(c) || it == by_id.end() || it->second->level != 4 || up[c.grid_id].empty()) continue;
        BruteChecks::Row& r = rows[up[c.grid_id]];
        ++r.checks;
        ++r.kinds[c.kind.empty() ? "(none)" : c.kind];
        if (!c.reporter.empty() && std::find(r.reporters.begin(), r.reporters.end(), c.reporter) == r.reporters.end())
            r.reporters.push_back(c.reporter);
        if (!inside_or_on(it->second->shape, c.pos)) {
            ++r.outside;
            double m = 1e300;
            for (const auto& poly : it->second->shape)
                for (const auto& ring : poly.rings)
                    for (size_t i = 0; i < ring.size(); ++i)
                        m = std::min(m, segment_distance(c.pos, ring[i], ring[(i + 1) % ring.size()]));
            outside.push_back({&c, m});
        }
    }
    std::stable_sort(outside.begin(), outside.end(), [](const auto& x, const auto& y) { return x.second > y.second; });
    for (const auto& [c, m] : outside) b.outside.push_back({c->check_id, m});
    for (const auto& cell : ds.grids)  // in layer order
        if (cell.level == level) {
            BruteChecks::Row& r = rows[cell.grid_id];
            if (r.last_check) r.days_since = calendar_days_between(iso_date(*r.last_check), today);
            b.rows.push_back(r);
        }
    std::vector<const BruteChecks::Row*> due;
    for (const auto& r : b.rows)
        if (r.l4_checked_today < r.l4_cells) due.push_back(&r);
    std::stable_sort(due.begin(), due.end(), [](const auto* x, const auto* y) {
        if (x->never_checked != y->never_checked) return x->never_checked > y->never_checked;
        if (x->worst_days_since.value_or(-1) != y->worst_days_since.value_or(-1))
            return x->worst_days_since.value_or(-1) > y->worst_days_since.value_or(-1);
        return x->l4_cells - x->l4_checked_today > y->l4_cells - y->l4_checked_today;
    });
    for (const auto* r : due) b.overdue.push_back(r->grid_id);
    return b;
}

std::vector<std::string> ids(const std::vector<const Check*>& checks) {
    std::vector<std::string> out;
    for (const Check* c : checks) out.push_back(c->check_id);
    return out;
}

void expect_same(const ChecksReport& r, const BruteChecks& b, const std::string& what) {
    ASSERT_EQ(r.cells.size(), b.rows.size()) << what;
    for (size_t i = 0; i < b.rows.size(); ++i) {
        const CellChecks& c = r.cells[i];
        const BruteChecks::Row& e = b.rows[i];
        const std::string at = what + " " + e.grid_id;
        EXPECT_EQ(c.grid_id, e.grid_id) << at;
        EXPECT_EQ(c.last_check, e.last_check) << at;
        EXPECT_EQ(c.days_since, e.days_since) << at;
        EXPECT_EQ(c.checks, e.checks) << at;
        EXPECT_EQ(c.kinds, e.kinds) << at;
        EXPECT_EQ(c.reporters, e.reporters) << at;
        EXPECT_EQ(c.outside, e.outside) << at;
        EXPECT_EQ(c.l4_cells, e.l4_cells) << at;
        EXPECT_EQ(c.l4_checked_today, e.l4_checked_today) << at;
        EXPECT_EQ(c.never_checked, e.never_checked) << at;
        EXPECT_EQ(c.worst_days_since, e.worst_days_since) << at;
    }
    std::vector<std::string> overdue;
    for (const CellChecks* c : r.overdue) overdue.push_back(c->grid_id);
    EXPECT_EQ(overdue, b.overdue) << what;
    ASSERT_EQ(r.outside.size(), b.outside.size()) << what;
    for (size_t i = 0; i < b.outside.size(); ++i) {
        EXPECT_EQ(r.outside[i].check->check_id, b.outside[i].first) << what;
        EXPECT_NEAR(r.outside[i].distance_m, b.outside[i].second, 1e-9) << what;
    }
    EXPECT_EQ(ids(r.today), b.today) << what;
    EXPECT_EQ(ids(r.unknown), b.unknown) << what;
    EXPECT_EQ(r.unknown_cells, b.unknown_cells) << what;
    EXPECT_EQ(r.after_date, b.after_date) << what;
    EXPECT_EQ(r.untimed, b.untimed) << what;
    ASSERT_EQ(r.levels.size(), b.shares.size()) << what;
    for (const LevelShare& s : r.levels) {
        const auto& e = b.shares.at(s.level);
        EXPECT_EQ(s.l4_cells, e[0]) << what << " L" << s.level;
        EXPECT_EQ(s.l4_checked_today, e[1]) << what << " L" << s.level;
    }
}

}  // namespace

TEST(ChecksIndex, EveryDateWindowAndLevelEqualsTheReportByReportComputation) {
    OpenOptions oo;
    oo.layers = {"grids", "checks"};
    Dataset ds = open_dataset({bundled_dataset_path()}, oo);
    ASSERT_GT(ds.checks.size(), 2000u);
    // What the bundled month lacks, so that every path is taken: a kind no list has, none at all,
    // a cell no layer has, no readable time, a phone reporting for two cells, two reports at one
    // second, a report in a cell it is far from.
    Check& odd = ds.checks[10];
    odd.kind = "lost_dog";
    ds.checks[20].kind = "";
    ds.checks[30].grid_id = "NO-SUCH-CELL";
    ds.checks[40].when.reset();
    ds.checks[50].reporter = ds.checks[60].reporter;
    ds.checks[70].when = ds.checks[71].when;
    ds.checks[80].pos = ds.checks[80].pos + Vec2{900, -700};
    std::string lo = "9999", hi = "0000";
    for (const auto& c : ds.checks)
        if (c.when) lo = std::min(lo, iso_date(*c.when)), hi = std::max(hi, iso_date(*c.when));
    const ChecksIndex index(ds);
    ChecksReport reused;  // one report's storage through every run: each must come out whole
    int runs = 0;
    // From the day before the first report to the day after the last.
    for (int64_t t = civil_seconds(std::stoi(lo.substr(0, 4)), std::stoi(lo.substr(5, 2)), std::stoi(lo.substr(8, 2))) - 86400;
         iso_date(t) <= iso_date(civil_seconds(std::stoi(hi.substr(0, 4)), std::stoi(hi.substr(5, 2)), std::stoi(hi.substr(8, 2))) + 86400);
         t += 86400)
        for (int days : {1, 7, 30})
            for (int level : {4, 3, 1}) {
                ChecksOptions o;
                o.date = t + 3600 * 15;
                o.days = days, o.level = level;
                const std::string what = iso_date(t) + " days " + std::to_string(days) + " L" + std::to_string(level);
                const BruteChecks b = brute_checks(ds, iso_date(t), days, level);
                expect_same(compute_checks(index, o), b, what);
                compute_checks(index, o, reused);
                expect_same(reused, b, what + " (reused)");
                ++runs;
            }
    EXPECT_GE(runs, 30 * 9);
}

TEST(ChecksIndex, ReadingOnlyTheWindowAndEachCellsLastEarlierCheckChangesNoFigure) {
    // `checks --date` reads with OpenOptions::checks_from: of the reports before the window only each
    // cell's last. Every figure must be the report-by-report computation's over every report.
    OpenOptions whole;
    whole.layers = {"grids", "checks"};
    const Dataset all = open_dataset({bundled_dataset_path()}, whole);
    std::string lo = "9999", hi = "0000";
    for (const auto& c : all.checks)
        if (c.when) lo = std::min(lo, iso_date(*c.when)), hi = std::max(hi, iso_date(*c.when));
    const int64_t first = parse_iso_span(lo)->begin, last = parse_iso_span(hi)->begin;
    int fewer = 0;
    for (int64_t t = first - 86400; t <= last + 86400; t += 4 * 86400)
        for (int days : {1, 7, 30}) {
            OpenOptions o = whole;
            o.checks_from = checks_window_begin(t, days);
            const Dataset some = open_dataset({bundled_dataset_path()}, o);
            fewer += some.checks.size() < all.checks.size();
            for (int level : {4, 2}) {
                ChecksOptions co;
                co.date = t + 3600 * 15;
                co.days = days, co.level = level;
                expect_same(compute_checks(some, co), brute_checks(all, iso_date(t), days, level),
                            iso_date(t) + " days " + std::to_string(days) + " L" + std::to_string(level));
            }
        }
    EXPECT_GT(fewer, 10);
}

TEST(Checks, TwoCellsWithOneIdAreAnErrorNamingIt) {
    // Every report went to the first of them and the second read "never checked", exit 0.
    Dataset ds = lattice();
    std::vector<Grid*> l4;
    for (auto& g : ds.grids)
        if (g.level == 4) l4.push_back(&g);
    ASSERT_GE(l4.size(), 2u);
    l4[1]->grid_id = l4[0]->grid_id;
    try {
        compute_checks(ds, {});
        FAIL() << "no error";
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("two level-4 cells have the grid_id '" + l4[0]->grid_id + "'"),
                  std::string::npos)
            << e.what();
    }
}

TEST(ChecksIndex, TheDefaultDateAndItsErrorsAreAsWithoutIt) {
    Dataset ds = lattice();
    const ChecksIndex index(ds);
    EXPECT_EQ(compute_checks(index, {}).date, day(2026, 3, 3));
    Dataset empty = lattice();
    empty.checks.clear();
    try {
        compute_checks(ChecksIndex(empty), {});
        FAIL() << "no checks: no date to take";
    } catch (const Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find("no checks layer"), std::string::npos) << m;
        EXPECT_NE(m.find("gridwatch import lattice --checks FILE"), std::string::npos) << m;
        EXPECT_NE(m.find("lattice.gridwatch.json"), std::string::npos) << m;
    }
}

// ---------------------------------------------------------------------------------------------
// Through the command line, on a GeoPackage

namespace {

/** The lattice as a GeoPackage in EPSG:4542 (its cells moved to the bundled data's place). */
std::string write_gpkg(const TempDir& dir, const std::vector<CheckDef>& checks = kChecks) {
    constexpr double kX0 = 466000, kY0 = 2720000;
    gw::gdal_setup();
    const std::string path = dir / "lattice.gpkg";
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDataset* out = drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr);
    EXPECT_TRUE(out);
    OGRSpatialReference srs;
    srs.importFromEPSG(4542);
    OGRLayer* grids = out->CreateLayer("grids", &srs, wkbPolygon, nullptr);
    for (const char* f : {"grid_id", "parent_id", "name", "manager"}) {
        OGRFieldDefn d(f, OFTString);
        grids->CreateField(&d);
    }
    OGRFieldDefn lv("level", OFTInteger);
    grids->CreateField(&lv);
    for (const auto& c : kCells) {
        OGRFeature f(grids->GetLayerDefn());
        f.SetField("grid_id", c.id), f.SetField("parent_id", c.parent), f.SetField("level", c.level);
        f.SetField("name", (std::string("格") + c.id).c_str()), f.SetField("manager", c.manager);
        OGRLinearRing ring;
        const double x = kX0 + c.x0, y = kY0 + c.y0;
        ring.addPoint(x, y), ring.addPoint(x + c.w, y), ring.addPoint(x + c.w, y + c.h), ring.addPoint(x, y + c.h);
        ring.closeRings();
        OGRPolygon poly;
        poly.addRing(&ring);
        f.SetGeometry(&poly);
        EXPECT_EQ(grids->CreateFeature(&f), OGRERR_NONE);
    }
    OGRLayer* layer = out->CreateLayer("checks", &srs, wkbPoint, nullptr);
    for (const char* f : {"check_id", "grid_id", "reporter", "time", "kind"}) {
        OGRFieldDefn d(f, OFTString);
        layer->CreateField(&d);
    }
    OGRFieldDefn people("people", OFTInteger);
    layer->CreateField(&people);
    for (const auto& k : checks) {
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("check_id", k.id), f.SetField("grid_id", k.grid), f.SetField("time", k.time);
        f.SetField("kind", k.kind), f.SetField("reporter", (std::string("报") + k.grid).c_str());
        if (k.people) f.SetField("people", k.people);
        OGRPoint p(kX0 + k.x, kY0 + k.y);
        f.SetGeometry(&p);
        EXPECT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    }
    GDALClose(out);
    return path;
}

nlohmann::json cell_json(const nlohmann::json& j, const std::string& id) {
    for (const auto& c : j["cells"])
        if (c["grid_id"] == id) return c;
    return nullptr;
}

}  // namespace

TEST(ChecksCli, JsonShapeAndFiguresFromAGeoPackage) {
    TempDir dir("checks_cli");
    std::vector<CheckDef> checks = kChecks;
    checks.push_back({"K14", "B4", "last tuesday", "routine", 350, 150, 0});
    const std::string gpkg = write_gpkg(dir, checks);
    auto r = run_gridwatch("checks " + gpkg + " --date 2026-03-02 --days 3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    // SPEC §4's keys, exactly as named.
    for (const char* k : {"date", "days", "cells", "levels"}) EXPECT_TRUE(j.contains(k)) << k;
    EXPECT_EQ(j["date"], "2026-03-02");
    EXPECT_EQ(j["days"], 3);
    ASSERT_EQ(j["cells"].size(), 9u);
    for (const auto& c : j["cells"])
        for (const char* k : {"grid_id", "last_check", "days_since", "checks", "kinds", "outside"})
            EXPECT_TRUE(c.contains(k)) << k;
    for (const auto& l : j["levels"])
        for (const char* k : {"level", "checked_today_share"}) EXPECT_TRUE(l.contains(k)) << k;
    // The local time stays on 03-02 (moved +8 h as if UTC it would be after --date).
    EXPECT_EQ(cell_json(j, "A1")["last_check"], "2026-03-02T23:30:00");
    EXPECT_EQ(cell_json(j, "A1")["days_since"], 0);
    // The "Z" time on the community clock.
    EXPECT_EQ(cell_json(j, "B1")["last_check"], "2026-03-02T01:30:00");
    EXPECT_EQ(cell_json(j, "A2")["days_since"], 3);
    EXPECT_TRUE(cell_json(j, "A4")["last_check"].is_null());
    EXPECT_TRUE(cell_json(j, "A4")["days_since"].is_null());
    EXPECT_EQ(cell_json(j, "B3")["checks"], 2);
    EXPECT_EQ(cell_json(j, "B3")["kinds"]["hazard"], 1);
    EXPECT_EQ(cell_json(j, "B2")["outside"], 1);
    EXPECT_EQ(j["levels"][0]["level"], 4);
    EXPECT_DOUBLE_EQ(j["levels"][0]["checked_today_share"].get<double>(), 5.0 / 9);
    EXPECT_DOUBLE_EQ(j["levels"][1]["checked_today_share"].get<double>(), 0.5);
    // What was left out is counted, and named on stderr.
    EXPECT_EQ(j["left_out"]["unknown_cell"], 1);
    EXPECT_EQ(j["left_out"]["after_date"], 1);
    EXPECT_EQ(j["left_out"]["unreadable_time"], 1);
    EXPECT_EQ(j["unreadable_times"], 1);
    EXPECT_EQ(j["unknown_cells"][0]["grid_id"], "Z9");
    EXPECT_NE(r.err.find("K14"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("layer 'checks'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("Z9"), std::string::npos) << r.err;
    ASSERT_EQ(j["overdue"].size(), 4u);
    EXPECT_EQ(j["overdue"][0]["grid_id"], "A4");
    EXPECT_EQ(j["overdue"][1]["grid_id"], "B4");
    ASSERT_EQ(j["outside_reports"].size(), 1u);
    EXPECT_EQ(j["outside_reports"][0]["check_id"], "K07");
    EXPECT_NEAR(j["outside_reports"][0]["distance_m"].get<double>(), 50.0, 0.05);
    // The default date is the latest report's.
    auto d = run_gridwatch("checks " + gpkg + " --json");
    ASSERT_EQ(d.status, 0) << d.err;
    EXPECT_EQ(nlohmann::json::parse(d.out)["date"], "2026-03-03");
    EXPECT_EQ(nlohmann::json::parse(d.out)["days"], 7);
}

TEST(ChecksCli, LevelListsItsCellsSummed) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    auto r = run_gridwatch("checks " + gpkg + " --date 2026-03-02 --days 3 --level 3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    ASSERT_EQ(j["cells"].size(), 2u);
    EXPECT_EQ(cell_json(j, "V1")["checks"], 2);
    EXPECT_EQ(cell_json(j, "V2")["checks"], 4);
    EXPECT_EQ(cell_json(j, "V2")["l4_checked_today"], 3);
    EXPECT_EQ(j["overdue"][0]["grid_id"], "V1");
}

TEST(ChecksCli, TableNamesOverdueCellsWithManagersAndTheDaysReports) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    auto r = run_gridwatch("checks " + gpkg + " --date 2026-03-02 --days 3");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string& t = r.out;
    // The roll-ups a row a level (RollUpsPerLevel's figures): L4 cells checked, cells fully checked.
    EXPECT_NE(t.find("\n  L4     5/9 (55.6%)            5/9\n  L3     4/8 (50.0%)            0/2\n"),
              std::string::npos)
        << t;
    // Overdue worst first, with the managers.
    const size_t a4 = t.find("A4"), b4 = t.find("B4 "), a2 = t.find("A2 "), a3 = t.find("A3 ");
    ASSERT_NE(a4, std::string::npos) << t;
    EXPECT_LT(a4, b4);
    EXPECT_LT(b4, a2);
    EXPECT_LT(a2, a3);
    EXPECT_NE(t.find("张四"), std::string::npos);
    EXPECT_NE(t.find("never"), std::string::npos);
    // The day's newcomer (B1, 3 people) and the report from outside its cell.
    EXPECT_NE(t.find("01:30:00  B1"), std::string::npos) << t;
    EXPECT_NE(t.find("K07"), std::string::npos);
    EXPECT_NE(t.find("50.0 m"), std::string::npos);
    EXPECT_NE(t.find("Z9"), std::string::npos);
}

TEST(ChecksCli, PeopleAreCountedInTheRightNumber) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    auto one = run_gridwatch("checks " + gpkg + " --date 2026-02-28 --days 1");  // K04: a returnee, 1 person
    ASSERT_EQ(one.status, 0) << one.err;
    EXPECT_NE(one.out.find("1 person"), std::string::npos) << one.out;
    EXPECT_EQ(one.out.find("1 people"), std::string::npos) << one.out;
    auto three = run_gridwatch("checks " + gpkg + " --date 2026-03-02 --days 1");  // K06: a newcomer, 3 people
    ASSERT_EQ(three.status, 0) << three.err;
    EXPECT_NE(three.out.find("3 people"), std::string::npos) << three.out;
}

TEST(ChecksCli, ADatasetWithoutChecksSaysHowToImportThemInOneLine) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        for (int i = 0; i < ds->GetLayerCount(); ++i)
            if (std::string(ds->GetLayer(i)->GetName()) == "checks") {
                ASSERT_EQ(ds->DeleteLayer(i), OGRERR_NONE);
            }
    }
    auto r = run_gridwatch("checks " + gpkg);
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("no checks layer"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("gridwatch import " + gpkg + " --checks FILE"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(gpkg + ".gridwatch.json"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("field 'time'"), std::string::npos) << r.err;  // there is no such layer to name a field of
    // With a date the table stands, every cell unchecked, and the same advice comes as a warning.
    auto dated = run_gridwatch("checks " + gpkg + " --date 2026-03-02");
    EXPECT_EQ(dated.status, 0) << dated.err;
    EXPECT_NE(dated.err.find("gridwatch import " + gpkg + " --checks FILE"), std::string::npos) << dated.err;
}

TEST(ChecksCli, BadDateOrDaysIsAUsageErrorOfOneLine) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    for (const std::string args : {"--date 2026-02-30", "--date 2026-03", "--date 2026-03-02T10:00", "--date soon",
                                   "--days 0", "--days -3", "--days seven"}) {
        auto r = run_gridwatch("checks " + gpkg + " " + args);
        EXPECT_EQ(r.status, 2) << args << ": " << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << ": " << r.err;
        EXPECT_TRUE(r.out.empty()) << args;
    }
    auto missing = run_gridwatch("checks " + (dir / "nothing.gpkg") + " --json");
    EXPECT_EQ(missing.status, 1);
    EXPECT_EQ(missing.error_lines(), 1) << missing.err;
}

TEST(ChecksCli, StatsWithChecksAddsTheCheckColumns) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    auto r = run_gridwatch("stats " + gpkg + " --with-checks --date 2026-03-02 --days 3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const auto j = nlohmann::json::parse(r.out);
    auto grid = [&](const std::string& id) {
        for (const auto& g : j["grids"])
            if (g["grid_id"] == id) return g;
        return nlohmann::json();
    };
    EXPECT_EQ(j["checks"]["date"], "2026-03-02");
    EXPECT_EQ(j["checks"]["days"], 3);
    EXPECT_EQ(grid("A1")["days_since_check"], 0);
    EXPECT_EQ(grid("A2")["days_since_check"], 3);
    EXPECT_TRUE(grid("A4")["days_since_check"].is_null());
    EXPECT_EQ(grid("B3")["checks"], 2);
    EXPECT_EQ(grid("B1")["checks_newcomer"], 1);
    EXPECT_EQ(grid("A3")["checks_returnee"], 1);
    EXPECT_EQ(grid("B2")["checks_outside"], 1);
    EXPECT_EQ(j["total"]["checks"], 7);
    // Level 3 sums its L4 cells.
    auto l3 = run_gridwatch("stats " + gpkg + " --level 3 --with-checks --date 2026-03-02 --days 3 --csv");
    ASSERT_EQ(l3.status, 0) << l3.err;
    EXPECT_NE(l3.out.find("days_since_check,checks,checks_newcomer,checks_returnee,checks_outside"), std::string::npos);
    EXPECT_NE(l3.out.find("V2,格V2,"), std::string::npos) << l3.out;
    EXPECT_NE(l3.out.find(",0,4,1,0,1\n"), std::string::npos) << l3.out;  // V2: checked today, 4, B1's newcomer, B2's outside
    // Without --with-checks the columns are absent, and --date alone is a usage error.
    auto plain = run_gridwatch("stats " + gpkg + " --json");
    ASSERT_EQ(plain.status, 0) << plain.err;
    EXPECT_FALSE(nlohmann::json::parse(plain.out)["grids"][0].contains("checks"));
    EXPECT_EQ(run_gridwatch("stats " + gpkg + " --date 2026-03-02").status, 2);
}

TEST(ChecksCli, ExportWithStatsCarriesTheCheckColumnsIntoTheShapefiles) {
    TempDir dir("checks_cli");
    const std::string gpkg = write_gpkg(dir);
    auto r = run_gridwatch("export " + gpkg + " --out " + (dir / "shp") + " --layers grids --with-stats");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALDataset* shp = static_cast<GDALDataset*>(
        GDALOpenEx((dir / "shp/grids_L4.shp").c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr));
    ASSERT_TRUE(shp);
    OGRLayer* l = shp->GetLayer(0);
    std::map<std::string, std::array<std::string, 5>> got;
    for (auto& f : *l) {
        std::array<std::string, 5> v;
        int k = 0;
        for (const char* c : {"chk_days", "chk_n", "chk_new", "chk_ret", "chk_out"}) {
            const int i = f->GetFieldIndex(c);
            EXPECT_GE(i, 0) << c;
            v[k++] = i >= 0 && f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "null";
        }
        got[f->GetFieldAsString("grid_id")] = v;
    }
    GDALClose(shp);
    // The default date is the latest report's (03-03, K08) over 7 days: 02-25 … 03-03.
    EXPECT_EQ(got["A4"], (std::array<std::string, 5>{"null", "0", "0", "0", "0"}));
    EXPECT_EQ(got["B2"], (std::array<std::string, 5>{"0", "2", "0", "0", "1"}));
    EXPECT_EQ(got["A1"], (std::array<std::string, 5>{"1", "2", "1", "0", "0"}));
    EXPECT_EQ(got["B4"], (std::array<std::string, 5>{"11", "0", "0", "0", "0"}));
}

// A dataset of two files (the grid office's, the phones' reports): a warning about a layer names
// the file that layer came from, not the first file given.
TEST(ChecksCli, WarningsNameTheFileTheLayerCameFrom) {
    TempDir dir("checks_two_files");
    std::vector<CheckDef> checks = kChecks;
    checks.push_back({"K14", "B4", "last tuesday", "routine", 350, 150, 0});
    const std::string gpkg = write_gpkg(dir, checks);
    const std::string phone = (dir.path / "phone.gpkg").string();
    {
        gw::gdal_setup();
        GDALDatasetUniquePtr src(GDALDataset::Open(gpkg.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(src);
        GDALDatasetUniquePtr dst(
            GetGDALDriverManager()->GetDriverByName("GPKG")->Create(phone.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        ASSERT_TRUE(dst);
        ASSERT_TRUE(dst->CopyLayer(src->GetLayerByName("checks"), "checks"));
        for (int i = 0; i < src->GetLayerCount(); ++i) {
            if (std::string(src->GetLayer(i)->GetName()) == "checks") {
                ASSERT_EQ(src->DeleteLayer(i), OGRERR_NONE);
            }
        }
    }
    const auto r = run_gridwatch("checks " + gpkg + " " + phone + " --date 2026-03-02 --days 3");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find(phone + ": layer 'checks': 1 check(s) without a readable time"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(gpkg + ": layer 'checks'"), std::string::npos) << r.err;
}
