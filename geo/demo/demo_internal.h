#pragma once
// The toolbox the stages of the demo generator (geo/demo/community.h) share: portable random
// numbers, names and phone numbers, polyline helpers, the chain that groups a hamlet's houses,
// GEOS helpers. Internal to geo/demo/; nothing outside it includes this.
//
// [SECTION] Portable random numbers   (defined here)
// [SECTION] Names, phones             names.cpp
// [SECTION] Polyline helpers          polyline.cpp
// [SECTION] Joint-defence chains      household_groups.cpp
// [SECTION] GEOS helpers              geos_helpers.cpp
#include <geos_c.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <functional>
#include <initializer_list>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "geo/core/geometry.h"
#include "geo/core/geos.h"
#include "geo/core/model.h"

namespace gw::demo_detail {

// =====================================================================================================
// [SECTION] Portable random numbers
// =====================================================================================================

/** SplitMix64's finaliser over (a, b): independent seeds for copies and stages from one user seed. */
inline uint64_t mix(uint64_t a, uint64_t b) {
    uint64_t z = a + 0x9e3779b97f4a7c15ULL * (b + 1);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

/**
 * Random draws from mt19937_64's raw output. The std:: distributions are not used: their
 * algorithms differ between libstdc++ and libc++ (and between versions), which would change the
 * bundled dataset with the compiler.
 */
class Rng {
public:
    explicit Rng(uint64_t seed) : gen_(seed) {}
    /** Uniform in [0, 1), 53 random bits. */
    double uniform() { return static_cast<double>(gen_() >> 11) * 0x1.0p-53; }
    double uniform(double a, double b) { return a + (b - a) * uniform(); }
    /** Uniform integer in [lo, hi] (the modulo bias is far below anything visible here). */
    int integer(int lo, int hi) { return lo + static_cast<int>(gen_() % static_cast<uint64_t>(hi - lo + 1)); }
    bool chance(double p) { return uniform() < p; }
    /** Standard normal by Box–Muller. */
    double normal() {
        const double u1 = 1.0 - uniform(), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(2 * M_PI * u2);
    }
    /** Standard normal cut to [-limit, limit]: wiggles that cannot run away. */
    double normal_clamped(double limit) { return std::clamp(normal(), -limit, limit); }
    /** An index drawn with the given (non-negative) weights. */
    size_t weighted(const std::vector<double>& w) {
        double total = 0;
        for (double x : w) total += x;
        double u = uniform() * total;
        for (size_t i = 0; i < w.size(); ++i) {
            if (u < w[i]) return i;
            u -= w[i];
        }
        return w.size() - 1;
    }
    template <class T, size_t N>
    const T& pick(const T (&a)[N]) {
        return a[gen_() % N];
    }
    template <class T>
    void shuffle(std::vector<T>& v) {
        for (size_t i = v.size(); i > 1; --i) std::swap(v[i - 1], v[gen_() % i]);
    }

private:
    std::mt19937_64 gen_;
};

// Stream tags: each stage draws from its own stream, so that changing one stage leaves the
// others' draws (and the rest of the bundled dataset) as they were.
enum Stream : uint64_t {
    kStreamLattice = 1,
    kStreamG320,
    kStreamEnterprises,
    kStreamSpurs,
    kStreamResettlement,
    kStreamHamlets,
    kStreamPeople,
    kStreamCameras,
    kStreamBuildings,
    kStreamCandidates,
    kStreamIncidents,
    kStreamChecks,
    kStreamPatrols,
};

// =================================================================================================
// [SECTION] Names, phones
// =================================================================================================

std::string strf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

/** A person's name: a common surname of western Yunnan (or `surname`) and a given name. */
std::string person_name(Rng& r, const char* surname = nullptr);

/** An 11-digit mainland mobile number. */
std::string mobile_phone(Rng& r);

// =================================================================================================
// [SECTION] Polyline helpers
// =================================================================================================

inline Vec2 unit(Vec2 v) {
    const double l = length(v);
    return l > 0 ? v * (1 / l) : Vec2{1, 0};
}
inline Vec2 left_of(Vec2 v) { return {-v.y, v.x}; }
inline Vec2 rotated(Vec2 v, double deg) {
    const double a = deg * M_PI / 180, c = std::cos(a), s = std::sin(a);
    return {v.x * c - v.y * s, v.x * s + v.y * c};
}
/** Degrees clockwise from north, in [0, 360): the azimuth convention of SPEC §3. */
inline double bearing(Vec2 d) {
    const double b = std::atan2(d.x, d.y) * 180 / M_PI;
    return b < 0 ? b + 360 : b;
}
inline double round1(double v) { return std::round(v * 10) / 10; }

/** How a lattice edge wiggles: relative midpoint offset, levels of subdivision, decay per level. */
struct EdgeStyle {
    double amp;
    int levels;
    double decay;
};
constexpr EdgeStyle kRoadStyle{0.045, 3, 0.55};   // village roads: long gentle bends
constexpr EdgeStyle kPathStyle{0.05, 3, 0.7};     // footpaths up the hill
constexpr EdgeStyle kTerrainStyle{0.09, 5, 0.8};  // streams and ridges between groups
constexpr EdgeStyle kOutlineStyle{0.05, 5, 0.8};  // the community's outline
constexpr EdgeStyle kStreamStyle{0.02, 3, 0.7};   // the stream just south of G320

struct Station {
    Vec2 p, dir;  // point on the line and unit tangent there
};

struct Crossing {
    size_t i, j;  // segment of a, segment of b
    Vec2 p;
};

double polyline_length(const LineString& l);

/** Splits segments longer than max_seg; the original vertices are kept bit for bit. */
LineString densify(const LineString& l, double max_seg);

/** Joins polylines that meet end to start (the shared point once). */
LineString join(std::initializer_list<const LineString*> parts);

LineString reversed(LineString l);

/**
 * A wiggly line from a to b by midpoint displacement (each midpoint moved sideways by a clamped
 * normal draw times amp times the segment length), densified to ≤ 25 m segments. Short segments
 * keep edges straight-ish in any CRS: a cell edge that is straight in one CRS curves in another,
 * and a long one would leave slivers against its neighbour's vertices after reprojection.
 */
LineString wiggle(Vec2 a, Vec2 b, const EdgeStyle& style, double scale, Rng& r);

/** Points every `step` metres along a polyline, starting `start` metres in. */
std::vector<Station> stations(const LineString& l, double step, double start);

/** The point `dist` metres along the line from vertex k, forwards (dir 1) or backwards (dir −1). */
Vec2 point_along(const LineString& l, size_t k, int dir, double dist);

/** The nearest point of a polyline to p. */
Vec2 nearest_point(const LineString& l, Vec2 p);

/** Where a first crosses b, walking along a. */
std::optional<Crossing> first_crossing(const LineString& a, const LineString& b);

/**
 * Puts the point of `l` nearest to `target` into `l` as a vertex (the line does not move) and
 * returns it: a junction is then a vertex of both roads, exactly.
 */
Vec2 insert_vertex_near(LineString& l, Vec2 target);

/** The rectangle of w × d metres centred on c, its long side along `dir`. */
Polygon rectangle(Vec2 c, Vec2 dir, double w, double d);

// =================================================================================================
// [SECTION] Joint-defence chains
// =================================================================================================

/**
 * A visiting order of the points: from the point farthest from their middle, on to the nearest
 * unvisited neighbour (neighbours(a, b): Voronoi cells touch), or the nearest unvisited point when
 * no neighbour is left.
 */
std::vector<size_t> chain_order(const std::vector<Vec2>& pts,
                                const std::function<bool(size_t, size_t)>& neighbours);

/**
 * Improves a chain by moving runs of 1–3 consecutive members to the place where they cost least
 * (or-opt), until no move helps: strays the nearest-neighbour walk left to the end go back beside
 * their neighbours. step(a, b) is the cost of a following b's predecessor a.
 */
void improve_chain(std::vector<size_t>& chain, const std::function<double(size_t, size_t)>& step);

/**
 * Cuts a chain of n members into `groups` runs of 3–5 consecutive members (3·groups ≤ n ≤ 5·groups)
 * by dynamic programming, at the least total run_cost(first, size). Returns the run sizes in order.
 */
std::vector<int> cut_chain(int n, int groups, const std::function<double(int, int)>& run_cost);

/** Whether the members form one connected set under `touch`. */
bool connected(const std::vector<size_t>& members, const std::function<bool(size_t, size_t)>& touch);

// =================================================================================================
// [SECTION] GEOS helpers
// =================================================================================================

inline GEOSContextHandle_t gctx() { return geos::ctx(); }

/** A geometry with its prepared form, for many point tests. */
struct Area {
    geos::Geom geom;  // declared first: the prepared form refers to it and goes first
    geos::Prepared prep;
    explicit Area(geos::Geom g) : geom(std::move(g)), prep(GEOSPrepare_r(gctx(), geom.get())) {}
    bool contains(Vec2 p) const {
        geos::Geom pt = geos::point(p);
        return GEOSPreparedContains_r(gctx(), prep.get(), pt.get()) == 1;
    }
    bool intersects(Vec2 p) const {
        geos::Geom pt = geos::point(p);
        return GEOSPreparedIntersects_r(gctx(), prep.get(), pt.get()) == 1;
    }
    Box box() const {
        Box b;
        double x0, y0, x1, y1;
        if (GEOSGeom_getXMin_r(gctx(), geom.get(), &x0) && GEOSGeom_getYMin_r(gctx(), geom.get(), &y0) &&
            GEOSGeom_getXMax_r(gctx(), geom.get(), &x1) && GEOSGeom_getYMax_r(gctx(), geom.get(), &y1))
            b.add(Vec2{x0, y0}), b.add(Vec2{x1, y1});
        return b;
    }
};

/** Takes ownership of a GEOS result; a null one (GEOS failed) throws gw::Error naming `what`. */
geos::Geom own(GEOSGeometry* g, const char* what);

/** A GEOS line string the caller owns (to hand to a collection, which takes it over). */
GEOSGeometry* raw_line(const LineString& l);

/** The lines (those with 2 or more points) as one multi-line string. */
geos::Geom multi_line(const std::vector<const LineString*>& lines);

/** g grown by `width` metres (shrunk when negative), 4 segments per quarter circle. */
geos::Geom buffered(const GEOSGeometry* g, double width);

geos::Geom clone(const GEOSGeometry* g);

/** Union of several geometries (consumed). */
geos::Geom union_of(std::vector<geos::Geom> parts);

/** The coordinates of a GEOS point. */
Vec2 xy_of(const GEOSGeometry* pt);

/**
 * Pairs (i < j) of sites whose Voronoi cells, clipped to `region`, share more than a point of
 * border: the sites a joint-defence group can join without its cell falling apart. Each Voronoi
 * edge is credited to the two sites nearest its midpoint (the two it separates).
 */
std::set<std::pair<size_t, size_t>> voronoi_touching(const std::vector<Vec2>& sites, const Area& region);

}  // namespace gw::demo_detail
