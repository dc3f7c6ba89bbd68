#pragma once
/**
 * The synthetic model community 大坪子社区 (SPEC §2) and its scaled-up copies (SPEC §8), generated
 * deterministically from a seed: the bundled data/dapingzi.gpkg and the benchmark datasets.
 */
#include <cstdint>

#include "geo/core/model.h"
#include "geo/io/dataset.h"

namespace gw {

struct DemoOptions {
    int scale = 1;      // communities laid side by side (100 ≈ a county)
    uint64_t seed = 1;  // the same seed gives the same dataset
};

/**
 * Generates the dataset in memory. Geometry is in the working CRS EPSG:4542 (CGCS2000 3-degree
 * Gauss-Kruger CM 99E, metres); ds.crs = "EPSG:4490" (the CRS files are written in), ds.work_crs =
 * "EPSG:4542", both WKTs filled, and ds.layers lists every layer with its count.
 *
 * Scale 1 is the model community of SPEC §2 centred near 24.59°N 98.69°E: 1/3/8/97 grid cells per
 * level tiling each other exactly, 159 cameras (15 road, 32 enterprise, 112 at 105 households),
 * 89 relocated households at 罗家大坡, 12 enterprises on 1,150 mu along G320, 38 disputes, the
 * persuasion station at the exit road × G320 junction, and the daily work of SPEC §5.5 over the 30
 * days ending 2026-10-31: the 97 group heads' checks (about 2,800) and the patrol's GPS tracks
 * (about 30, as LineStrings timed by start and end). Scale N lays N such communities out in
 * ceil(√N) columns around the same centre, each from a seed derived from (seed, index) and with ids
 * prefixed "C017-" (scale 1 has no prefix, and copy 0 of any scale is the scale-1 community).
 * Progress is reported per community. Throws gw::Error when scale < 1.
 */
Dataset generate_demo(const DemoOptions& options, const Progress& progress = {});

}  // namespace gw
