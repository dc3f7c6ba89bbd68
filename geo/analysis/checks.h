#pragma once
/**
 * Daily checks (SPEC §5.5): per L4 cell, the last check, the checks and their kinds in a window of
 * calendar dates, days since the last check, and the reports whose point lies outside the cell
 * they name; roll-ups per level (the share of L4 cells under each cell checked on the day).
 * Times are on the community's clock (geo/core/times.h); a check without a readable time is in
 * no window (the reader names it in report.bad_times).
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
};

/** A report whose point lies outside the cell it names. */
struct OutsideReport {
    const Check* check = nullptr;
    double distance_m = 0;  // from the point to the cell it names
};

struct LevelShare {
    int level = 0;
    double checked_today_share = 0;  // of the L4 cells (under the level's cells), checked on `date`
};

struct ChecksReport {
    int64_t date = 0;  // the start of "today" (civil seconds)
    int days = 7;
    int level = 4;
    std::vector<CellChecks> cells;        // one per cell of `level`, in layer order
    std::vector<const CellChecks*> overdue;  // cells of `level` not checked on `date`, worst first
    std::vector<LevelShare> levels;       // 4, 3, 2, 1 (levels the dataset has)
    std::vector<OutsideReport> outside;   // in the window, farthest first
    std::vector<const Check*> today;      // the reports of `date`, in time order
    std::vector<std::string> unknown_cells;  // grid_ids reports name that no L4 cell has (counted nowhere)
};

/** Throws gw::Error when the dataset has no L4 cells, or `date` is unset and no check has a time. */
ChecksReport compute_checks(const Dataset& ds, const ChecksOptions& options = {});

}  // namespace gw
