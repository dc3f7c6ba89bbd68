#pragma once
/**
 * The per-grid briefing table of SPEC §4 `stats`: for every cell of a level, households, people,
 * cameras by owner and status, incidents by type and colour. Points are assigned to cells by
 * location (the cell that contains them), so data without grid_id still counts.
 */
#include <array>
#include <string>
#include <vector>

#include "geo/core/model.h"

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
    void add(const GridStats& o);
};

struct StatsTable {
    int level = 4;
    std::vector<GridStats> rows;  // one per cell of the level, in the layer's order
    GridStats total;              // everything inside the level's cells
    int outside_households = 0, outside_cameras = 0, outside_incidents = 0;  // in no cell of the level
};

/**
 * Computes the table for cells of `level` (1–4), with the coverage columns when `with_coverage`
 * (default coverage options: occlusion by buildings, online cameras). Throws gw::Error when the
 * level has no cells.
 */
StatsTable compute_stats(const Dataset& ds, int level, bool with_coverage = false);

/** Finds the cell that contains a point among a set of cells, through a bin index on their boxes. */
class CellLocator {
public:
    explicit CellLocator(std::vector<const Grid*> cells);
    /** Index into the cells given, or -1 when no cell contains p. */
    int find(Vec2 p) const;
    /** As find, and failing that a cell whose outline passes within d of p (points on shared edges). */
    int find_within(Vec2 p, double d) const;

private:
    std::vector<const Grid*> cells_;
    Box box_;
    int nx_ = 1, ny_ = 1;
    double cw_ = 1, ch_ = 1;
    std::vector<std::vector<int>> bins_;
};

}  // namespace gw
