#pragma once
/**
 * Differential fuzzing of coverage geometry against independent references (issue 12 §1):
 *  - union_area_within (a cell's covered_m2) against GEOS OverlayNG, area(cell ∩ ⋃ views);
 *  - compute_coverage's per-cell covered_m2 and road metres against GEOS on whole small datasets;
 *  - the occlusion path (camera_view with buildings) against a lattice of points, each decided by
 *    brute force (does the segment camera→point cross a building edge?).
 * The generators make degenerate input on purpose: collinear cell vertices, views sharing poles,
 * apexes on cell edges and corners, views tangent to edges, nested and duplicate views, sectors
 * over 180°, discs, coordinates snapped to coarse grids and perturbed by 1e-9…1e-6 m, and
 * Gauss-Kruger magnitudes (x ≈ 5e5, y ≈ 2.7e6).
 *
 * Every case is a pure function of (seed, index): a failure reported by a long run is replayed
 * with `gridwatch_difffuzz --seed S --only I --print`.
 */
#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/geometry.h"
#include "geo/core/model.h"

namespace gw::fuzz {

struct UnionCase {
    MultiPolygon cell;
    std::vector<MultiPolygon> views;
    std::string recipe;  // how it was made, for the report
};

struct Verdict {
    double ours = 0, want = 0, tol = 0;
    bool ok = true;
    std::string what;  // which quantity, for a failure
};

/** A union_area_within case made from (seed, index). */
UnionCase make_union_case(uint64_t seed, uint64_t index);

/**
 * The tolerance for area(clip ∩ ⋃ parts) on these inputs, m²:
 *   1e-9 · area(clip) + 16 ε · M · P
 * The first term is double rounding on sums of about 1e3 terms of the cell's size. In the second,
 * M is the largest coordinate magnitude and P the total perimeter of the clip and the parts:
 * every computed vertex (a crossing, a cut) is a few flops from inputs known to ε·M, so it moves
 * by at most a few ε·M, and an outline of length P moved by δ changes the area by at most δ·P.
 * At Gauss-Kruger magnitudes (M ≈ 2.7e6) and a few km of outline that is ≈ 1e-5 m²; a lost or
 * doubled piece of a view (issue 12: 97 m²) is seven orders of magnitude beyond it.
 */
double area_tolerance(const MultiPolygon& clip, const std::vector<MultiPolygon>& parts);

/** GEOS's area(clip ∩ ⋃ parts), computed after an exact translation towards the origin. */
double geos_union_area(const MultiPolygon& clip, const std::vector<MultiPolygon>& parts);

/** The same area by GEOS the other way round: each part cut by the clip, then their union. */
double geos_union_area_cut_first(const MultiPolygon& clip, const std::vector<MultiPolygon>& parts);

/** union_area_within against GEOS (either formulation: GEOS too errs on degenerate input). */
Verdict check_union(const UnionCase& c);

/** The smallest subset of views (and simplest cell) that still fails, greedily. */
UnionCase minimise(UnionCase c);

/** The case as an initialiser for the regression table of tests/test_union_area.cpp: name, WKT. */
std::string to_literal(const UnionCase& c, const std::string& name);
/** A MultiPolygon from WKT (the regression table's format). */
MultiPolygon from_wkt(const std::string& wkt);

/** A small dataset (cells tiling a block, cameras on their edges and corners, roads along them). */
Dataset make_coverage_dataset(uint64_t seed, uint64_t index);
/** compute_coverage's per-cell covered_m2 and road metres against GEOS. */
std::vector<Verdict> check_coverage(const Dataset& ds);

struct OcclusionCase {
    std::vector<Building> buildings;
    Camera cam;
    std::string recipe;
};
OcclusionCase make_occlusion_case(uint64_t seed, uint64_t index);
/**
 * camera_view with the buildings against a lattice of `step` m: at every lattice point that is
 * not within 1e-6 m of a decision boundary (a building edge, the sector's edges, the segment
 * camera→point grazing a building vertex) the view holds it exactly when no building edge
 * blocks it. Returns the number of points that disagree in Verdict::ours (0 when ok).
 */
Verdict check_occlusion(const OcclusionCase& c, double step);

}  // namespace gw::fuzz
