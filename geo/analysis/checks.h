#pragma once
/**
 * Daily checks (SPEC §5.5): per L4 cell, the last check, the checks and their kinds in a window of
 * calendar dates, days since the last check, and the reports whose point lies outside the cell
 * they name; roll-ups per level (the share of L4 cells under each cell checked on the day).
 * Times are on the community's clock (geo/core/times.h); a check without a readable time is in
 * no window (the reader names it in report.bad_times).
 *
 * A report counts for the L4 cell its grid_id names, wherever its point lies; one whose point lies
 * outside that cell (its closed area: a point on the outline is inside) is counted there all the
 * same and flagged `outside`. A report naming no L4 cell counts for no cell and is listed in
 * `unknown`. A day is a calendar date on the community's clock; the window is the `days` dates
 * ending on `date`, both ends included; reports after `date` count nowhere (not even as the last
 * check).
 *
 * Cells of a level above 4 are summed over the L4 cells under them (found through parent_id):
 * checks, kinds, reporters and outside are sums; last_check is the latest check of any of them
 * (so days_since says when anyone in the cell last reported); never_checked and worst_days_since
 * say how bad the worst L4 cell under it is.
 *
 * Roll-ups (`levels`, SPEC §4 checked_today_share): for level L, of the L4 cells that lie under
 * some cell of level L (all of them when the hierarchy is whole; an L4 cell whose parent_id chain
 * does not reach level L is in no share of that level), the share checked on `date`. Since every
 * L4 cell lies under exactly one cell of each level, a whole hierarchy gives every level the same
 * share; the per-level figures that differ are `cells_all_checked` (cells of level L whose every
 * L4 cell was checked on the day) and the lowest cell share.
 */
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw {

struct ChecksOptions {
    std::optional<int64_t> date;  // "today": any time on that day (default: the latest report's day)
    int days = 7;                 // the window: this many calendar dates ending on `date`, inclusive
    int level = 4;                // the level whose cells are listed in `cells` (roll-ups: every level)
};

/**
 * The first time of the window `days` calendar dates long ending on the day of `date` (the
 * community's clock): compute_checks counts the reports from it on, and takes from before it only
 * each cell's last check (what OpenOptions::checks_from may keep of them).
 */
int64_t checks_window_begin(int64_t date, int days);

/** One L4 cell's checks (or, for `level` < 4, one cell's, summed over the L4 cells under it). */
struct CellChecks {
    std::string grid_id, name, manager;
    int level = 4;
    std::optional<int64_t> last_check;  // the latest check on or before `date`
    std::optional<int> days_since;      // calendar dates from last_check to `date`; unset when never checked
    int checks = 0;                     // in the window
    std::map<std::string, int> kinds;   // in the window, by kind
    std::vector<std::string> reporters; // in the window, distinct, in order of first report
    int outside = 0;                    // reports in the window naming this cell whose point lies outside it
    int l4_cells = 1, l4_checked_today = 0;  // L4 cells under this one, and those checked on `date`
    int never_checked = 0;                   // L4 cells under this one with no check on or before `date`
    std::optional<int> worst_days_since;     // the largest days_since of those L4 cells that were checked
    int by_kind(const std::string& kind) const {
        auto it = kinds.find(kind);
        return it == kinds.end() ? 0 : it->second;
    }
    // A cell with no L4 cell under it has nothing to check: not "checked today".
    bool checked_today() const { return l4_cells > 0 && l4_checked_today == l4_cells; }
};

/** A report whose point lies outside the cell it names. */
struct OutsideReport {
    const Check* check = nullptr;
    double distance_m = 0;  // from the point to the cell it names
};

struct LevelShare {
    int level = 0;
    double checked_today_share = 0;  // of the L4 cells (under the level's cells), checked on `date`
    int l4_cells = 0, l4_checked_today = 0;  // the share's denominator and numerator
    int cells = 0, cells_all_checked = 0;    // cells of the level; those whose every L4 cell was checked
    std::string lowest_grid_id;              // the cell of the level with the lowest share ("" if none)
    double lowest_share = 0;
};

struct ChecksReport {
    int64_t date = 0;  // the start of "today" (civil seconds)
    int days = 7;
    int level = 4;
    std::vector<CellChecks> cells;        // one per cell of `level`, in layer order
    // Cells of `level` with an L4 cell not checked on `date`, worst first: most L4 cells never
    // checked, then the largest worst_days_since, then most L4 cells unchecked today, then layer order.
    std::vector<const CellChecks*> overdue;
    std::vector<LevelShare> levels;       // 4, 3, 2, 1 (levels the dataset has)
    std::vector<OutsideReport> outside;   // in the window, farthest first
    std::vector<const Check*> today;      // the reports of `date`, in time order
    std::vector<std::string> unknown_cells;  // grid_ids reports name that no L4 cell has (counted nowhere)
    std::vector<const Check*> unknown;       // the reports in the window naming those, in time order
    std::vector<const Grid*>
        l4_under_none;  // above level 4: L4 cells under no cell of `level` (counted in none)
    int after_date = 0;                      // reports after `date`: ignored
    int untimed = 0;                         // checks without a readable time: in no window
    std::vector<const Check*> repeated;      // reports repeating an earlier one's check_id: counted once
};

/** What a dataset without any check has: no checks layer, or an empty one. */
inline constexpr const char* kNoChecks = "has no phone reports (no checks layer, or an empty one)";
/** What to do about it, naming the dataset (`source`): import reports, or map the layer that holds them. */
std::string no_checks_advice(const std::string& source);

/**
 * A dataset's reports arranged once for compute_checks, so that a report for another date or
 * window costs the cells and the window's reports, not a pass over every report: the timed
 * reports in time order (layer order among equal times: a window is one run of them), each with
 * its L4 cell, kind and reporter numbered, and whether its point lies outside the cell it names
 * (tested once here); per L4 cell the times of its reports, ascending (the last check on or before
 * any date is one binary search); per level the row of each L4 cell (its ancestor through
 * parent_id). The 巡查 panel builds one when it opens and reuses it for every slider move; the
 * command builds one per run. It refers to `ds` (its grids and checks), which must outlive it and
 * stay unchanged; building never throws (compute_checks says what is wrong with the dataset).
 */
struct ChecksIndex {
    explicit ChecksIndex(const Dataset& ds);
    ChecksIndex(Dataset&&) = delete;  // it would refer to a temporary

    struct Report {
        int64_t when = 0;
        uint32_t check = 0;    // index into ds.checks
        int32_t cell = -1;     // index into l4; -1 when grid_id names no L4 cell
        int32_t reporter = -1; // index into reporters; -1 when the report names none
        int16_t kind = -1;     // index into check_kinds(); -1 for another kind (its text is the check's)
        bool outside = false;  // its point lies outside the L4 cell it names
        double distance_m = 0; // when outside: from the point to that cell's outline
    };

    const Dataset* ds;
    std::vector<const Grid*> l4;                    // the L4 cells, in layer order
    std::vector<std::vector<const Grid*>> levels;   // levels[L]: the cells of level L (1–4), in layer order
    std::vector<std::vector<int>> rows;             // rows[L][i]: l4[i]'s cell in levels[L], -1 when none
    std::vector<Report> reports;                    // the timed reports, by time, then layer order
    std::vector<size_t> cell_first;                 // cell_times[cell_first[i], cell_first[i+1]): l4[i]'s times
    std::vector<int64_t> cell_times;                // ascending
    std::vector<std::string> reporters;             // distinct reporters, in order of first report
    int untimed = 0;                                // checks without a readable time
    // Timed reports repeating an earlier timed one in layer order (its check_id, time, cell, reporter
    // and kind: a report imported twice, two files merged): counted once, as that first one. Indices
    // into ds.checks, in layer order.
    std::vector<uint32_t> repeated;

private:
    void find_repeated_ids();  // into `repeated`, out of `reports`
};

/**
 * Throws gw::Error when the dataset has no L4 cells or no cell of `level`, `days` is < 1, or
 * `date` is unset and no check has a time. The report's pointers are into the index's dataset.
 */
ChecksReport compute_checks(const ChecksIndex& index, const ChecksOptions& options = {});

/**
 * The same into `report` (any earlier report, or an empty one), reusing its storage: the 巡查
 * panel's slider computes one report after another without allocating for each cell. On a throw,
 * `report` is left half-made: discard it.
 */
void compute_checks(const ChecksIndex& index, const ChecksOptions& options, ChecksReport& report);

/** The same, with an index built for this one report (the command's one call). */
ChecksReport compute_checks(const Dataset& ds, const ChecksOptions& options = {});

/**
 * For every cell of `l4`, the index of its ancestor among `cells` (the cells of one level above 4),
 * following parent_id as compute_checks rolls its cells up; -1 when the chain breaks first.
 */
std::vector<int> l4_ancestors(const Dataset& ds, const std::vector<const Grid*>& l4,
                              const std::vector<const Grid*>& cells);

}  // namespace gw
