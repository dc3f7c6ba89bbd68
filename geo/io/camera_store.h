#pragma once
/**
 * Writing edited cameras back into the dataset they came from (SPEC §6: "save back into the
 * dataset in one transaction"). The viewer's camera editor calls this; nothing else writes the
 * source data.
 */
#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw {

/**
 * Writes ds.cameras back into the cameras layer of `source` (the file ds was read from): cameras
 * with a fid update that feature, cameras without one (fid < 0) are inserted, and features of
 * the layer that no camera holds any more are deleted. Positions go from the working CRS back
 * to the layer's CRS; only the fields the layer has are written.
 *
 * All or nothing: a GeoPackage is changed inside one transaction; any other format is written
 * whole beside it and switched in by geo/io/atomic_output.h (a shapefile folder: the folder swapped
 * with one holding the new cameras set and the other files; a .shp: its file set together), so a
 * failure (or a kill) leaves the old data whole. Shapefile text is written as UTF-8 with a .cpg. Returns the fid of every camera, parallel to ds.cameras (new ones filled
 * in). Throws gw::Error naming the file, layer and camera when it cannot write.
 */
std::vector<int64_t> save_cameras(const std::string& source, const Dataset& ds);

}  // namespace gw
