#pragma once
/**
 * The per-grid briefing table of SPEC §4 `stats`: for every cell of a level, households, people,
 * cameras by owner and status, incidents by type and colour. Points are assigned to cells by
 * location (the cell that contains them), so data without grid_id still counts.
 */
#include <string>
#include <vector>

#include "geo/analysis/checks.h"
#include "geo/analysis/patrols.h"
#include "geo/core/model.h"
#include "geo/core/parallel.h"
#include "geo/core/stats_table.h"

namespace gw {

/**
 * Computes the table for cells of `level` (1–4), with the coverage columns when `with_coverage`
 * (default coverage options: occlusion by buildings, online cameras). Throws gw::Error when the
 * level has no cells. With `views`, the online cameras' views coverage computed are moved there
 * (for the patrol columns, PatrolOptions::views: a county's views take seconds).
 */
StatsTable compute_stats(const Dataset& ds, int level, bool with_coverage = false,
                         std::vector<MultiPolygon>* views = nullptr);

/**
 * Fills the check columns of a table compute_stats made (`stats --with-checks`, `export
 * --with-stats`): compute_checks at the table's level, joined by grid_id. `options.level` is the
 * table's. Throws what compute_checks throws (no date given and no check with a time).
 */
void add_checks(StatsTable& table, const Dataset& ds, ChecksOptions options = {});

/**
 * Fills the patrol columns of tables compute_stats made (`stats --with-checks`, `export
 * --with-stats`, a table a level): compute_patrols once with `options` (one code path with
 * `gridwatch patrols`), its L4
 * cells joined by grid_id, or summed into their ancestor of the table's level (through parent_id;
 * the night share is then the sum's). Throws what compute_patrols throws (no L4 cells).
 */
void add_patrols(const std::vector<StatsTable*>& tables, const Dataset& ds, const PatrolOptions& options);

/** Finds the cell that contains a point among a set of cells, through a bin index on their boxes. */
class CellLocator {
public:
    explicit CellLocator(std::vector<const Grid*> cells);
    /**
     * Index into the cells given, or -1 when no cell contains p. A point on an edge two cells share
     * is in one of them, and one on the grid's outer outline in the cell it bounds.
     */
    int find(Vec2 p) const;
    /** As find, and failing that a cell whose outline passes within d of p (points on shared edges). */
    int find_within(Vec2 p, double d) const;
    /**
     * find(point_of(i)) for every i in [0, n), over the cores, the points taken bin by bin: a bin's
     * outlines then stay in the cache from one point to the next (500,000 incidents among a
     * county's 9,700 cells: see find_sorted). point_of is called twice a point, from several
     * threads: it must be a pure read. The points sorted take 32 bytes each while it runs.
     */
    template <typename PointOf>
    std::vector<int> find_each(size_t n, PointOf&& point_of) const {
        std::vector<int> cell(n);
        parallel_for(n, [&](size_t i) { cell[i] = bin_of(point_of(i)); });  // each point's bin first
        std::vector<size_t> first = bin_starts(cell);
        std::vector<Sorted> sorted(n);
        for (size_t i = 0; i < n; ++i)  // in the order given: the callers' records read in turn
            sorted[first[static_cast<size_t>(cell[i] + 1)]++] = {point_of(i), i, cell[i]};
        find_sorted(sorted, cell);
        return cell;
    }

private:
    /** The bin p falls in, or -1 outside every cell's box. */
    int bin_of(Vec2 p) const;
    /** find(p), p in bin `bin` (bin_of(p)); -1 for bin -1. */
    int find_in_bin(int bin, Vec2 p) const;
    /** Where each bin's points begin among the points of `bins` (bin_of's answers) sorted by bin: [b + 1] for
     * bin b. */
    std::vector<size_t> bin_starts(const std::vector<int>& bins) const;
    struct Sorted {
        Vec2 p;
        size_t i;  // its index in find_each's points
        int bin;
    };
    /** cell[s.i] = find_in_bin(s.bin, s.p) for each of `sorted`, over the cores. */
    void find_sorted(const std::vector<Sorted>& sorted, std::vector<int>& cell) const;

    std::vector<const Grid*> cells_;
    std::vector<Box> boxes_;  // each cell's
    Box box_;
    int nx_ = 1, ny_ = 1;
    double cw_ = 1, ch_ = 1;
    std::vector<std::vector<int>> bins_;
};

}  // namespace gw
