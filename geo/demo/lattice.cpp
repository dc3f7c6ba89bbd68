// The lattice: jittered vertices and wiggly shared edges, so that villager groups (L3), districts
// (L2) and the community (L1), all unions of blocks, tile each other exactly.
#include <iterator>

#include "geo/core/error.h"
#include "geo/demo/community.h"

namespace gw::demo_detail {

namespace {

// Which lattice edges are roads (the rest are streams, ridges, the outline). See make_main_roads.
EdgeStyle hedge_style(int i, int j) {
    if (j == 0) return kStreamStyle;
    if (j == kRows) return kOutlineStyle;
    if (j == 1 && i == 3) return kTerrainStyle;
    return kRoadStyle;
}
EdgeStyle vedge_style(int i, int j) {
    if (i == 0 || i == kCols) return kOutlineStyle;
    if (j == 0) return i == 2 ? kRoadStyle : kTerrainStyle;
    if (j == 2) return i == 3 ? kTerrainStyle : kPathStyle;
    return kRoadStyle;
}

Lattice make_lattice(Rng& r, double scale) {
    Lattice L;
    for (int j = 0; j <= kRows; ++j)
        for (int i = 0; i <= kCols; ++i) {
            Vec2 p{-kHalfWidth + i * kCell, j == 0 ? kSouthEdgeY : -kHalfHeight + j * kCell};
            const bool west_east = i == 0 || i == kCols;
            const double jx = west_east ? 40 : 210;
            const double jy = j == 0 ? 12 : j == kRows ? 80 : west_east ? 150 : 190;
            p.x += r.uniform(-jx, jx) * scale;
            p.y += r.uniform(-jy, jy) * scale;
            L.vertices.push_back(p);
        }
    for (int j = 0; j <= kRows; ++j)
        for (int i = 0; i < kCols; ++i)
            L.hedges.push_back(wiggle(L.vertex(i, j), L.vertex(i + 1, j), hedge_style(i, j), scale, r));
    for (int j = 0; j < kRows; ++j)
        for (int i = 0; i <= kCols; ++i)
            L.vedges.push_back(wiggle(L.vertex(i, j), L.vertex(i, j + 1), vedge_style(i, j), scale, r));
    return L;
}

}  // namespace

/**
 * The lattice, drawn again with gentler wiggles when a draw breaks what the layout needs:
 * valid blocks, the south edge clear of G320, the row-1 roads clear of the enterprise strip.
 */
void CommunityBuilder::make_lattice_fitting() {
    const double scales[] = {1.0, 1.0, 0.7, 0.5, 0.3, 0.0};
    for (size_t attempt = 0; attempt < std::size(scales); ++attempt) {
        Rng r(mix(stream(kStreamLattice), attempt));
        lat_ = make_lattice(r, scales[attempt]);
        if (lattice_fits()) return;
    }
    throw Error("demo: no lattice fits the layout (seed " + std::to_string(spec_.seed) + ")");
}

bool CommunityBuilder::lattice_fits() const {
    for (int c = 0; c < kCols; ++c)
        for (int r = 0; r < kRows; ++r)
            if (!geos::is_valid(geos::to_geos(lat_.block(c, r)).get())) return false;
    for (int i = 0; i < kCols; ++i) {
        for (Vec2 p : lat_.hedge(i, 0))
            if (p.y > g320_y(p.x) - 35) return false;
        for (Vec2 p : lat_.hedge(i, 1))
            if (p.y < kG320Y + 520) return false;
    }
    return true;
}

}  // namespace gw::demo_detail
