// gridwatch checks DATASET [--date D] [--days N] [--level L] [--json]: the daily checks per cell,
// the overdue cells worst first, the day's reports and the reports from outside their cell
// (SPEC §4, §5.5).
#include <cmath>
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/checks.h"
#include "geo/core/times.h"

namespace gw::app {
namespace {

struct ChecksArgs {
    DatasetArgs data;
    std::string date;
    int days = 7, level = 4;
    bool json = false;
};

nlohmann::json or_null(const std::optional<int>& v) { return v ? nlohmann::json(*v) : nlohmann::json(nullptr); }
nlohmann::json time_or_null(const std::optional<int64_t>& t) {
    return t ? nlohmann::json(iso_date_time(*t)) : nlohmann::json(nullptr);
}

nlohmann::json report_json(const Check& c) {
    nlohmann::json j = nlohmann::json::object();  // key by key: see print_json_items
    j["check_id"] = c.check_id, j["grid_id"] = c.grid_id, j["reporter"] = c.reporter;
    j["time"] = time_or_null(c.when), j["kind"] = c.kind;
    j["people"] = c.people ? nlohmann::json(*c.people) : nlohmann::json(nullptr);
    if (!c.note.empty()) j["note"] = c.note;
    return j;
}

/** One cell of the JSON's "cells". */
nlohmann::json cell_json(const ChecksReport& r, const CellChecks& c) {
    nlohmann::json e = nlohmann::json::object();  // key by key: see print_json_items
    e["grid_id"] = c.grid_id;
    e["last_check"] = time_or_null(c.last_check);
    e["days_since"] = or_null(c.days_since);
    e["checks"] = c.checks;
    e["kinds"] = c.kinds;
    e["outside"] = c.outside;
    e["name"] = c.name;
    e["manager"] = c.manager;
    e["reporters"] = c.reporters.size();
    e["checked_today"] = c.checked_today();
    if (r.level < 4) {
        e["l4_cells"] = c.l4_cells;
        e["l4_checked_today"] = c.l4_checked_today;
        e["never_checked"] = c.never_checked;
        e["worst_days_since"] = or_null(c.worst_days_since);
    }
    return e;
}

/** The JSON (SPEC §4) but its "cells", which print_json_items writes one by one (cell_json). */
nlohmann::json checks_json(const ChecksReport& r) {
    nlohmann::json j;
    j["date"] = iso_date(r.date);
    j["days"] = r.days;
    j["level"] = r.level;
    j["window"] = {{"from", iso_date(r.date - int64_t(r.days - 1) * 86400)}, {"to", iso_date(r.date)}};
    nlohmann::json levels = nlohmann::json::array();
    for (const auto& s : r.levels)
        levels.push_back({{"level", s.level},
                          {"checked_today_share", s.checked_today_share},
                          {"l4_cells", s.l4_cells},
                          {"l4_checked_today", s.l4_checked_today},
                          {"cells", s.cells},
                          {"cells_all_checked", s.cells_all_checked},
                          {"lowest", s.lowest_grid_id.empty() ? nlohmann::json(nullptr)
                                                              : nlohmann::json{{"grid_id", s.lowest_grid_id},
                                                                               {"share", s.lowest_share}}}});
    j["levels"] = std::move(levels);
    nlohmann::json overdue = nlohmann::json::array();
    for (const CellChecks* c : r.overdue) {
        nlohmann::json e = nlohmann::json::object();  // a county's thousand: key by key (print_json_items)
        e["grid_id"] = c->grid_id, e["manager"] = c->manager, e["last_check"] = time_or_null(c->last_check);
        e["days_since"] = or_null(c->level == 4 ? c->days_since : c->worst_days_since);
        e["unchecked_today"] = c->l4_cells - c->l4_checked_today;
        overdue.push_back(std::move(e));
    }
    j["overdue"] = std::move(overdue);
    nlohmann::json outside = nlohmann::json::array();
    for (const auto& o : r.outside) {
        nlohmann::json e = report_json(*o.check);
        e["distance_m"] = std::round(o.distance_m * 10) / 10;
        outside.push_back(std::move(e));
    }
    j["outside_reports"] = std::move(outside);
    // The day's reports other than routine ones: what the leaders look for.
    nlohmann::json today = nlohmann::json::array();
    for (const Check* c : r.today)
        if (c->kind != "routine") today.push_back(report_json(*c));
    j["today"] = {{"reports", r.today.size()}, {"notable", std::move(today)}};
    nlohmann::json unknown = nlohmann::json::array();
    for (const auto& id : r.unknown_cells) {
        int n = 0;
        for (const Check* c : r.unknown) n += c->grid_id == id;
        unknown.push_back({{"grid_id", id}, {"reports", n}});
    }
    j["unknown_cells"] = std::move(unknown);
    j["left_out"] = {{"unknown_cell", r.unknown.size()},
                     {"after_date", r.after_date},
                     {"unreadable_time", r.untimed},
                     {"repeated_check_id", r.repeated.size()},
                     {"l4_cells_under_none", r.l4_under_none.size()}};
    return j;
}

/** "1 person", "3 people": the count a leader reported with a newcomer or returnee. */
std::string people_text(int n) { return std::to_string(n) + (n == 1 ? " person" : " people"); }

void print_table(const ChecksReport& r) {
    const std::string from = iso_date(r.date - int64_t(r.days - 1) * 86400), to = iso_date(r.date);
    std::printf("checks on %s, window %s … %s (%d day%s), level %d: %zu cells\n", to.c_str(), from.c_str(), to.c_str(),
                r.days, r.days == 1 ? "" : "s", r.level, r.cells.size());
    // One row a level (one line of them ran past 170 columns): the L4 cells under its cells checked
    // today, and how many of its cells had every L4 cell under them checked.
    std::printf("checked today, by level:\n  %-6s %-22s %s\n", "level", "L4 cells checked",
                "cells fully checked");
    for (const auto& s : r.levels) {
        char l4[48], whole[32];
        std::snprintf(l4, sizeof l4, "%d/%d (%.1f%%)", s.l4_checked_today, s.l4_cells,
                      100 * s.checked_today_share);
        std::snprintf(whole, sizeof whole, "%d/%d", s.cells_all_checked, s.cells);
        std::printf("  L%-5d %-22s %s\n", s.level, l4, whole);
    }
    std::printf("\n");

    std::printf("overdue, worst first: %zu\n", r.overdue.size());
    if (!r.overdue.empty()) {
        std::printf("  %-16s %s %s %-19s %10s%s\n", "grid_id", pad("name", 22).c_str(), pad("manager", 10).c_str(),
                    "last_check", "days_since", r.level < 4 ? "  unchecked/L4 never" : "");
        for (const CellChecks* c : r.overdue) {
            const std::optional<int> days = c->level == 4 ? c->days_since : c->worst_days_since;
            std::printf("  %-16s %s %s %-19s %10s", c->grid_id.c_str(), pad(c->name, 22).c_str(),
                        pad(c->manager, 10).c_str(), c->last_check ? iso_date_time(*c->last_check).c_str() : "never",
                        days ? std::to_string(*days).c_str() : "-");
            if (r.level < 4)
                std::printf("  %d/%d %d", c->l4_cells - c->l4_checked_today, c->l4_cells, c->never_checked);
            std::printf("\n");
        }
    }

    int notable = 0;
    for (const Check* c : r.today) notable += c->kind == "newcomer" || c->kind == "returnee";
    std::printf("\nnewcomer and returnee reports on %s: %d (of %zu reports)\n", to.c_str(), notable, r.today.size());
    for (const Check* c : r.today)
        if (c->kind == "newcomer" || c->kind == "returnee")
            std::printf("  %s  %-16s %-9s %s %s%s%s\n", iso_date_time(*c->when).substr(11).c_str(), c->grid_id.c_str(),
                        c->kind.c_str(), pad(c->reporter, 10).c_str(),
                        c->people ? people_text(*c->people).c_str() : "",
                        c->note.empty() ? "" : "  ", c->note.c_str());

    std::printf("\nreports from outside the cell they name, in the window: %zu\n", r.outside.size());
    for (const auto& o : r.outside)
        std::printf("  %-14s %-16s %s %s %8.1f m away\n", o.check->check_id.c_str(), o.check->grid_id.c_str(),
                    pad(o.check->reporter, 10).c_str(), iso_date_time(*o.check->when).c_str(), o.distance_m);

    if (!r.unknown.empty()) {
        std::printf("\nreports naming no level-4 cell, in the window (counted nowhere): %zu\n", r.unknown.size());
        for (const auto& id : r.unknown_cells) {
            int n = 0;
            for (const Check* c : r.unknown) n += c->grid_id == id;
            std::printf("  %-16s %d report%s\n", id.empty() ? "(empty)" : id.c_str(), n, n == 1 ? "" : "s");
        }
    }
    if (r.after_date) std::printf("\n%d report(s) after %s ignored\n", r.after_date, to.c_str());
}

void run_checks(const ChecksArgs& a) {
    // Only the L4 cells' outlines are used (a report is tested against the cell it names; the
    // other levels are reached through parent_id), and times only as read (Check::when). Of the
    // reports before the window only each cell's last is kept (its last check); without the date,
    // the window ends on the latest report's, as read so far.
    std::optional<int64_t> from;
    if (!a.date.empty()) from = checks_window_begin(parse_iso_span(a.date)->begin, a.days);
    const int days = a.days;
    Dataset ds = a.data.open({"grids", "checks"}, /*check_tiling=*/false, /*allow_default=*/false, 0,
                             [from, days](OpenOptions& o) {
                                 o.grid_shape_level = 4, o.time_text = false, o.checks_from = from;
                                 o.checks_from_latest = [days](int64_t latest) {
                                     return checks_window_begin(latest, days);
                                 };
                             });
    const KeepToExit keep_data(ds);
    ChecksOptions o;
    o.days = a.days;
    o.level = a.level;
    if (!a.date.empty()) o.date = parse_iso_span(a.date)->begin;
    ChecksReport r = compute_checks(ds, o);
    const KeepToExit keep_report(r);
    // Without --date, "today" is the latest report's day: one dated in the future by a typo moves
    // the window there, and every cell is overdue.
    if (a.date.empty() && after_this_computers_date(r.date))
        warn(file_of(ds, "checks") + ": layer 'checks': the latest report is dated " + iso_date(r.date) +
             ", after this computer's date, and the window ends there (correct that report's time, or pass "
             "--date YYYY-MM-DD)");
    if (ds.checks.empty())  // with --date: the figures stand, every cell unchecked; say why and what to do
        warn(ds.source + ": " + kNoChecks + ": every cell is unchecked; " + no_checks_advice(ds.source));
    if (!r.unknown.empty()) {
        std::vector<std::string> ids;
        for (const auto& id : r.unknown_cells) ids.push_back(id.empty() ? "(empty)" : id);
        warn(file_of(ds, "checks") + ": layer 'checks': " + std::to_string(r.unknown.size()) +
             " report(s) in the window name no level-4 cell, counted nowhere: " + list_some(ids, 5) +
             " (correct their grid_id)");
    }
    std::vector<std::string> repeated;
    for (const Check* c : r.repeated) repeated.push_back(c->check_id);
    warn_repeated_checks(ds, repeated);
    if (!r.l4_under_none.empty()) {
        std::vector<std::string> ids;
        for (const Grid* g : r.l4_under_none) ids.push_back(g->grid_id);
        warn(file_of(ds, "grids") + ": layer 'grids': " + std::to_string(r.l4_under_none.size()) +
             " level-4 cell(s) lie under no level-" + std::to_string(r.level) +
             " cell (their parent_id leads to none), their reports counted in no row: " + list_some(ids, 5) +
             " (correct their parent_id; gridwatch info lists the cells and levels)");
    }
    if (a.json) {
        const auto cell = [&](size_t i) { return cell_json(r, r.cells[i]); };
        print_json_items(checks_json(r), "cells", r.cells.size(), cell, ds);
        return;
    }
    print_table(r);
}

}  // namespace

void setup_checks(CLI::App& root) {
    auto a = std::make_shared<ChecksArgs>();
    auto* cmd = root.add_subcommand("checks", "the daily checks per cell: last check, days overdue, reports (SPEC §5.5)");
    add_dataset_args(cmd, a->data);
    cmd->add_option("--date", a->date, "today, YYYY-MM-DD (default: the latest report's date)")
        ->check(calendar_date_check());
    cmd->add_option("--days", a->days, "the window: this many calendar dates ending on --date (default 7)")
        ->check(CLI::Range(1, 3660));
    add_level_option(cmd, a->level);
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->callback([a] { run_checks(*a); });
}

}  // namespace gw::app
