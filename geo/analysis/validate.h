#pragma once
/**
 * The grid hierarchy check of SPEC §3: no gaps, no overlaps, every cell inside its parent, parent
 * ids that exist, levels that step by one (camera values are the model's rule, core/model.h).
 */
#include <functional>
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw {

/**
 * The tiling check: for each parent cell, its children must cover it without gaps or overlaps
 * and stay inside it. Areas below `tolerance_m2` are ignored (float noise of shared edges).
 */
std::vector<Issue> check_tiling(const std::vector<Grid>& grids, double tolerance_m2 = 0.5);

/**
 * The tiling check for data whose edges are straight in another CRS than the working one: a cell
 * edge straight in longitude/latitude is curved once projected, and a neighbour's vertex on it
 * then leaves a sliver of tens of m². The check runs on the cells mapped by `to_check` (in place, a ring
 * at a time, into an affine local frame in metres), and positions in the messages are mapped back by `to_report`.
 */
std::vector<Issue> check_tiling(const std::vector<Grid>& grids, const std::function<void(std::vector<Vec2>&)>& to_check,
                                const std::function<Vec2(Vec2)>& to_report, double tolerance_m2 = 0.5);

}  // namespace gw
