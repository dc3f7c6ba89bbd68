#pragma once
/**
 * Checks of SPEC §3: camera values, and the grid hierarchy tiling (no gaps, no overlaps, every
 * cell inside its parent, parent ids that exist, levels that step by one).
 */
#include <string>
#include <vector>

#include "geo/model.h"

namespace gw {

/** Why a camera cannot be used (azimuth not finite, fov outside (0, 360], range outside (0, 10000]); "" if usable. */
std::string camera_problem(const Camera& cam);

/** Lists every unusable camera by cam_id. */
std::vector<Issue> validate_cameras(const std::vector<Camera>& cameras);

/**
 * The tiling check: for each parent cell, its children must cover it without gaps or overlaps
 * and stay inside it. Areas below `tolerance_m2` are ignored (float noise of shared edges).
 */
std::vector<Issue> check_tiling(const std::vector<Grid>& grids, double tolerance_m2 = 0.5);

}  // namespace gw
