#pragma once
/**
 * The per-grid briefing table of SPEC §4 `stats` as data: computed by geo/analysis/stats, joined
 * to the grid cells by the writers (`export --with-stats`), printed by the commands.
 */
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace gw {

inline constexpr std::array<const char*, 4> kOwners = {"road", "enterprise", "household", "public"};
inline constexpr std::array<const char*, 6> kIncidentTypes = {"fire", "traffic", "dispute", "theft", "fraud", "other"};
inline constexpr std::array<const char*, 4> kColors = {"red", "yellow", "blue", "green"};

struct GridStats {
    std::string grid_id, name;
    int level = 0;
    double area_m2 = 0;
    int households = 0, people = 0;
    int cameras = 0, cameras_online = 0, cameras_offline = 0;
    std::array<int, kOwners.size()> cameras_by_owner{};  // in kOwners order; other owners count in total only
    int incidents = 0;
    std::array<int, kIncidentTypes.size()> incidents_by_type{};
    std::array<int, kColors.size()> incidents_by_color{};
    // Camera coverage (SPEC §5.2), when the table was computed with it; otherwise negative.
    double covered_m2 = -1, coverage = -1;
    int households_covered = -1;
    bool has_coverage() const { return coverage >= 0; }
    // Daily checks (SPEC §5.5, geo/analysis/checks.h), when the table was computed with them
    // (StatsTable::with_checks): dates since the last check (unset: never checked; for a cell
    // above L4 and the total, since the latest check of any L4 cell in it), checks in the window,
    // the newcomer and returnee reports among them, and those from outside the cell they name.
    std::optional<int> check_days_since;
    int checks = 0, checks_newcomer = 0, checks_returnee = 0, checks_outside = 0;
    // Patrols (SPEC §5.5, geo/analysis/patrols.h), when the table was computed with them
    // (StatsTable::with_patrols): road metres in the cell, patrolled in the window, neither seen by
    // an online camera nor patrolled, patrolled at night, and the night share of the patrolled
    // metres (0 when nothing was patrolled). Above L4: sums over the L4 cells under the cell.
    double road_m = 0, patrolled_m = 0, neither_m = 0, night_m = 0, night_share = 0;
    void add(const GridStats& o);
};

struct StatsTable {
    int level = 4;
    std::vector<GridStats> rows;  // one per cell of the level, in the layer's order
    GridStats total;              // everything inside the level's cells
    std::vector<std::string> households_outside, cameras_outside,
        incidents_outside;      // ids in no cell of the level
    bool with_checks = false;   // the check columns are filled
    int64_t checks_date = 0;    // their "today" (civil seconds, start of the day) and window in days
    int checks_days = 0;
    std::vector<std::string> checks_repeated;  // check_ids a later report repeats: counted once
    bool with_patrols = false;  // the patrol columns are filled
    std::optional<int64_t> patrols_from, patrols_until;  // their window (civil seconds; unset: open)
    int night_from_min = 0, night_to_min = 0;             // their night, minutes after midnight
    int patrol_tracks = 0;                                // tracks in the window
};

}  // namespace gw
