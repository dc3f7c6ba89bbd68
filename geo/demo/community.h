#pragma once
// One model community 大坪子社区 (SPEC §2), built stage by stage by CommunityBuilder.
//
// How one community is laid out (local metres around its centre, x east, y north):
//   - a 4 × 3 lattice of jittered vertices whose edges are wiggly polylines generated once and
//     shared by the two blocks on either side; villager groups (L3), districts (L2) and the
//     community (L1) are unions of blocks, so every level tiles its parent exactly;
//   - village roads run along some lattice edges (cells follow roads), the others are
//     terrain-like boundaries (streams, ridges); G320 crosses the south, the exit road runs north
//     from its junction with G320 along a lattice edge;
//   - enterprises fill a strip north of G320 (1,150 mu in all), households cluster in hamlets
//     along the roads, the 罗家大坡 resettlement site is a dense block of rows;
//   - joint-defence cells (L4) are unions of the Voronoi cells of 3–5 neighbouring households,
//     clipped to their villager group.
// Every random draw comes from std::mt19937_64's raw output (fixed by the standard) through our
// own helpers, one stream per stage, so a seed gives the same data with any standard library.
//
// Each stage is a member of CommunityBuilder, in the file named after it:
//   lattice.cpp      the lattice of shared edges (L1–L3 tile exactly)
//   roads.cpp        G320, the exit road, village roads along the lattice, spur roads and paths
//   grids.cpp        grid cells: community, districts, villager groups (L1–L3) and joint-defence cells (L4)
//   enterprises.cpp  the enterprise parcels north of G320
//   facilities.cpp   persuasion station, patrol base, grid station, clinic, school
//   households.cpp   where houses stand (罗家大坡, hamlets) and the household records
//   cameras.cpp      road, enterprise and household cameras; candidate camera sites
//   buildings.cpp    house footprints, enterprise sheds, facility buildings
//   incidents.cpp    incidents 2017-01 … 2026-10
//   checks.cpp       the group heads' daily checks, 2026-10-02 … 2026-10-31
//   patrols.cpp      the village–enterprise patrol's GPS tracks along the roads, same 30 days
//   community.cpp    the finished community moved to its place (origin)
// The toolbox they share (random numbers, names, polyline and GEOS helpers) is demo_internal.h,
// the plan they follow (sizes, counts, tables) plan.h; demo.cpp lays N communities side by side.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "geo/core/model.h"
#include "geo/demo/demo_internal.h"
#include "geo/demo/plan.h"
#include "geo/io/dataset.h"

namespace gw::demo_detail {

struct CommunitySpec {
    uint64_t seed = 1;
    std::string prefix;   // "" for scale 1, "C017-" for copies
    std::string l1_name;  // 大坪子社区, numbered for copies
    Vec2 origin;          // where local (0, 0) goes in EPSG:4542
};

/**
 * Jittered vertices and wiggly edges. Each edge is generated once and used, forwards or reversed,
 * by both blocks beside it, so neighbouring blocks share every vertex bit for bit and their
 * unions (L3, L2, L1) tile without gaps or overlaps.
 */
struct Lattice {
    std::vector<Vec2> vertices;              // (kCols + 1) × (kRows + 1)
    std::vector<LineString> hedges, vedges;  // (i, j) → (i + 1, j) and (i, j) → (i, j + 1)

    Vec2 vertex(int i, int j) const { return vertices[j * (kCols + 1) + i]; }
    const LineString& hedge(int i, int j) const { return hedges[j * kCols + i]; }
    const LineString& vedge(int i, int j) const { return vedges[j * (kCols + 1) + i]; }

    /** Block (c, r) as a counter-clockwise polygon. */
    Polygon block(int c, int r) const {
        Ring ring;
        auto append = [&ring](const LineString& e, bool backwards) {
            if (!backwards)
                for (size_t k = 0; k + 1 < e.size(); ++k) ring.push_back(e[k]);
            else
                for (size_t k = e.size() - 1; k > 0; --k) ring.push_back(e[k]);
        };
        append(hedge(c, r), false);
        append(vedge(c + 1, r), false);
        append(hedge(c, r + 1), true);
        append(vedge(c, r), true);
        return Polygon{{ring}};
    }
};

struct RoadLine {
    std::string name, road_class;
    LineString line;
};

struct Parcel {
    double x0 = 0, x1 = 0, depth = 0;
    Polygon shape;
};

struct House {
    Vec2 pos;
    Vec2 front;      // unit vector towards the road or lane it faces
    int region = 0;  // villager group index
    int cell = 0;    // joint-defence group within the villager group
    bool relocated = false;
};

struct Region {
    const VillagerGroupPlan* plan = nullptr;
    std::string grid_id;
    MultiPolygon shape;
    std::optional<Area> area;        // the region
    std::optional<Area> house_area;  // the region shrunk by 8 m: houses keep off the boundary
    std::optional<Area> spur_area;   // shrunk by 25 m and clear of the enterprise strip
    Vec2 target;                     // middle of its habitable part
    Vec2 hamlet_centre;              // where its main hamlet is (end of its spur road)
    std::vector<int> group_sizes;
};

/** A place beside a road where a rural house may stand, facing the road. */
struct HouseSite {
    Vec2 p, front;
};

/** The houses of one villager group's hamlets, before they are cut into joint-defence groups. */
struct HamletHouses {
    std::vector<House> houses;
    std::vector<int> hamlet_of;  // per house, its hamlet
};

class CommunityBuilder {
public:
    explicit CommunityBuilder(CommunitySpec spec) : spec_(std::move(spec)) {}

    /**
     * The whole community, in EPSG:4542 (origin added): the stages in order, each using what the
     * ones before it made (each draws from its own random stream).
     */
    Dataset build() {
        make_g320();                 // roads.cpp
        make_lattice_fitting();      // lattice.cpp
        make_grid_regions();         // grids.cpp
        make_main_roads();           // roads.cpp
        make_enterprises();          // enterprises.cpp
        make_spurs();                // roads.cpp
        make_facilities();           // facilities.cpp
        make_house_masks();          // households.cpp
        place_resettlement();        // households.cpp
        place_hamlets();             // households.cpp
        make_joint_defence_cells();  // grids.cpp
        make_households();           // households.cpp
        make_cameras();              // cameras.cpp
        make_buildings();            // buildings.cpp
        make_candidates();           // cameras.cpp
        make_incidents();            // incidents.cpp
        make_checks();               // checks.cpp
        make_patrols();              // patrols.cpp
        translate_to_origin();       // community.cpp
        return std::move(out_);
    }

private:
    CommunitySpec spec_;
    Lattice lat_;
    LineString g320_;
    Vec2 exit_junction_;
    std::vector<RoadLine> roads_;
    size_t exit_road_ = 0, upper_road_ = 0;  // indices in roads_
    std::vector<Region> regions_;
    std::vector<Parcel> parcels_;
    std::vector<Vec2> spur_junctions_;
    Vec2 resettlement_junction_;
    std::vector<Vec2> reserved_;  // facility sites that houses keep away from
    std::optional<Area> house_forbidden_, l1_area_;
    std::vector<House> houses_;
    Dataset out_;

    uint64_t stream(uint64_t tag) const { return mix(spec_.seed, tag); }
    std::string id(const std::string& local) const {
        return spec_.prefix + "DPZ" + (local.empty() ? "" : "-" + local);
    }

    // lattice.cpp
    void make_lattice_fitting();
    bool lattice_fits() const;

    // roads.cpp
    double g320_y(double x) const;
    void make_g320();
    void make_main_roads();
    void make_spurs();
    Vec2 nearest_road_point(Vec2 p) const;

    // grids.cpp
    void make_grid_regions();
    void make_joint_defence_cells();

    // enterprises.cpp
    void make_enterprises();
    geos::Geom strip_mask(double parcel_margin, double road_margin) const;

    // facilities.cpp
    void make_facilities();

    // households.cpp
    void make_house_masks();
    bool house_site_ok(const Region& reg, Vec2 p) const;
    void place_resettlement();
    void place_hamlets();
    std::vector<HouseSite> road_side_sites(const Region& reg, Rng& r) const;
    std::vector<Vec2> hamlet_centres(const Region& reg, const std::vector<HouseSite>& sites, int hamlets,
                                     Rng& r) const;
    HamletHouses place_hamlet_houses(const Region& reg, int ri, const std::vector<HouseSite>& sites,
                                     const std::vector<Vec2>& centres, int hamlets, Rng& r) const;
    void cut_into_joint_groups(Region& reg, HamletHouses& placed, int hamlets) const;
    void make_households();

    // cameras.cpp
    std::vector<Vec2> junction_arms(Vec2 p) const;
    std::vector<std::pair<Vec2, int>> camera_junctions() const;
    void make_cameras();
    void make_candidates();

    // buildings.cpp
    void make_buildings();

    // incidents.cpp
    void make_incidents();
    int first_relocated() const;

    // checks.cpp
    void make_checks();

    // patrols.cpp
    void make_patrols();

    // community.cpp
    void translate_to_origin();
};

}  // namespace gw::demo_detail
