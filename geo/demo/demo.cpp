// The synthetic model community 大坪子社区 (SPEC §2) and its scaled-up copies (SPEC §8).
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
// [SECTION] Portable random numbers
// [SECTION] Names, phones, dates
// [SECTION] Polyline helpers
// [SECTION] GEOS helpers
// [SECTION] The plan of the community (constants and tables)
// [SECTION] The lattice: shared edges that make L1–L3 tile exactly
// [SECTION] CommunityBuilder: roads, enterprises, households, cells
// [SECTION] CommunityBuilder: cameras, facilities, buildings, candidate sites
// [SECTION] CommunityBuilder: incidents 2017-01 … 2026-10
// [SECTION] N communities side by side
#include "geo/demo/demo.h"

#include <cpl_conv.h>
#include <geos_c.h>
#include <ogr_core.h>
#include <ogr_spatialref.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <exception>
#include <functional>
#include <iterator>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <random>
#include <set>

#include "geo/core/error.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"
#include "geo/core/times.h"
#include "geo/io/crs.h"

namespace gw {
namespace {

// =====================================================================================================
// [SECTION] Portable random numbers
// =====================================================================================================

/** SplitMix64's finaliser over (a, b): independent seeds for copies and stages from one user seed. */
uint64_t mix(uint64_t a, uint64_t b) {
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
};

// =====================================================================================================
// [SECTION] Names, phones, dates
// =====================================================================================================

std::string strf(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
std::string strf(const char* fmt, ...) {
    char buf[512];
    va_list ap;
    va_start(ap, fmt);
    std::vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    return buf;
}

// Common surnames of western Yunnan, the frequent ones repeated; 字, 寸 and 番 are local to Longling
// and Tengchong.
const char* const kSurnames[] = {"杨", "杨", "杨", "李", "李", "李", "张", "张", "王", "王", "赵", "刘",
                                 "陈", "段", "罗", "尹", "董", "黄", "杜", "余", "马", "周", "何", "孙",
                                 "字", "番", "寸", "蒋", "郭", "苏", "闫", "邵", "许", "朱", "刀", "线"};
const char* const kGivenNames[] = {
    "建国", "志华", "小芳", "德明", "光荣", "玉兰", "春花", "国庆", "文斌", "丽萍", "正华", "家顺",
    "有才", "永福", "秀英", "海燕", "兴",   "勇",   "强",   "梅",   "明",   "红",   "卫东", "金凤",
    "永祥", "绍林", "加祥", "发顺", "开明", "云仙", "美玲", "晓东", "子豪", "雪梅", "思远", "丽华",
    "家宝", "世昌", "成林", "凤英", "继红", "国华", "应春", "树林", "德才", "连芬", "艳",   "敏",
    "涛",   "俊",   "朝富", "会仙", "玉香", "绍德", "正兴", "宏伟", "金华", "春燕", "家荣", "桂芬"};
const char* const kPhonePrefixes[] = {"130", "131", "132", "133", "135", "136", "137", "138",
                                      "139", "150", "151", "152", "153", "157", "158", "159",
                                      "180", "181", "182", "183", "187", "188", "189", "199"};

std::string person_name(Rng& r, const char* surname = nullptr) {
    return std::string(surname ? surname : r.pick(kSurnames)) + r.pick(kGivenNames);
}

/** An 11-digit mainland mobile number. */
std::string mobile_phone(Rng& r) {
    std::string s = r.pick(kPhonePrefixes);
    for (int i = 0; i < 8; ++i) s += static_cast<char>('0' + r.integer(0, 9));
    return s;
}

// =====================================================================================================
// [SECTION] Polyline helpers
// =====================================================================================================

Vec2 unit(Vec2 v) {
    const double l = length(v);
    return l > 0 ? v * (1 / l) : Vec2{1, 0};
}
Vec2 left_of(Vec2 v) { return {-v.y, v.x}; }
Vec2 rotated(Vec2 v, double deg) {
    const double a = deg * M_PI / 180, c = std::cos(a), s = std::sin(a);
    return {v.x * c - v.y * s, v.x * s + v.y * c};
}
/** Degrees clockwise from north, in [0, 360): the azimuth convention of SPEC §3. */
double bearing(Vec2 d) {
    const double b = std::atan2(d.x, d.y) * 180 / M_PI;
    return b < 0 ? b + 360 : b;
}
double round1(double v) { return std::round(v * 10) / 10; }

double polyline_length(const LineString& l) {
    double s = 0;
    for (size_t i = 0; i + 1 < l.size(); ++i) s += distance(l[i], l[i + 1]);
    return s;
}

/** Splits segments longer than max_seg; the original vertices are kept bit for bit. */
LineString densify(const LineString& l, double max_seg) {
    LineString out;
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], b = l[i + 1];
        const int n = std::max(1, static_cast<int>(std::ceil(distance(a, b) / max_seg)));
        out.push_back(a);
        for (int k = 1; k < n; ++k) out.push_back(a + (b - a) * (static_cast<double>(k) / n));
    }
    if (!l.empty()) out.push_back(l.back());
    return out;
}

/** Joins polylines that meet end to start (the shared point once). */
LineString join(std::initializer_list<const LineString*> parts) {
    LineString out;
    for (const LineString* p : parts)
        for (size_t i = (out.empty() ? 0 : 1); i < p->size(); ++i) out.push_back((*p)[i]);
    return out;
}

LineString reversed(LineString l) {
    std::reverse(l.begin(), l.end());
    return l;
}

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

/**
 * A wiggly line from a to b by midpoint displacement (each midpoint moved sideways by a clamped
 * normal draw times amp times the segment length), densified to ≤ 25 m segments. Short segments
 * keep edges straight-ish in any CRS: a cell edge that is straight in one CRS curves in another,
 * and a long one would leave slivers against its neighbour's vertices after reprojection.
 */
LineString wiggle(Vec2 a, Vec2 b, const EdgeStyle& style, double scale, Rng& r) {
    LineString pts{a, b};
    double amp = style.amp * scale;
    for (int level = 0; level < style.levels; ++level, amp *= style.decay) {
        LineString next;
        for (size_t i = 0; i + 1 < pts.size(); ++i) {
            const Vec2 p = pts[i], q = pts[i + 1];
            const double len = distance(p, q), off = r.normal_clamped(2) * amp * len;
            next.push_back(p);
            if (len > 40) next.push_back((p + q) * 0.5 + left_of(unit(q - p)) * off);
        }
        next.push_back(pts.back());
        pts = std::move(next);
    }
    return densify(pts, 25);
}

struct Station {
    Vec2 p, dir;  // point on the line and unit tangent there
};

/** Points every `step` metres along a polyline, starting `start` metres in. */
std::vector<Station> stations(const LineString& l, double step, double start) {
    std::vector<Station> out;
    double next = start, walked = 0;
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], b = l[i + 1];
        const double len = distance(a, b);
        if (len <= 0) continue;
        while (next <= walked + len) {
            out.push_back({a + (b - a) * ((next - walked) / len), unit(b - a)});
            next += step;
        }
        walked += len;
    }
    return out;
}

/** The point `dist` metres along the line from vertex k, forwards (dir 1) or backwards (dir −1). */
Vec2 point_along(const LineString& l, size_t k, int dir, double dist) {
    Vec2 at = l[k];
    for (long i = static_cast<long>(k); i + dir >= 0 && i + dir < static_cast<long>(l.size()); i += dir) {
        const Vec2 next = l[i + dir];
        const double len = distance(at, next);
        if (len >= dist) return at + (next - at) * (dist / len);
        dist -= len, at = next;
    }
    return at;
}

/** The nearest point of a polyline to p. */
Vec2 nearest_point(const LineString& l, Vec2 p) {
    Vec2 best = l.front();
    double best_d = distance(p, best);
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], ab = l[i + 1] - a;
        const double l2 = dot(ab, ab);
        const double t = l2 > 0 ? std::clamp(dot(p - a, ab) / l2, 0.0, 1.0) : 0.0;
        const Vec2 q = a + ab * t;
        if (double d = distance(p, q); d < best_d) best_d = d, best = q;
    }
    return best;
}

std::optional<Vec2> segment_crossing(Vec2 p, Vec2 p2, Vec2 q, Vec2 q2) {
    const Vec2 r = p2 - p, s = q2 - q;
    const double den = cross(r, s);
    if (std::abs(den) < 1e-12) return std::nullopt;
    const double t = cross(q - p, s) / den, u = cross(q - p, r) / den;
    if (t < 0 || t > 1 || u < 0 || u > 1) return std::nullopt;
    return p + r * t;
}

struct Crossing {
    size_t i, j;  // segment of a, segment of b
    Vec2 p;
};
/** Where a first crosses b, walking along a. */
std::optional<Crossing> first_crossing(const LineString& a, const LineString& b) {
    for (size_t i = 0; i + 1 < a.size(); ++i)
        for (size_t j = 0; j + 1 < b.size(); ++j)
            if (auto p = segment_crossing(a[i], a[i + 1], b[j], b[j + 1])) return Crossing{i, j, *p};
    return std::nullopt;
}

/**
 * Puts the point of `l` nearest to `target` into `l` as a vertex (the line does not move) and
 * returns it: a junction is then a vertex of both roads, exactly.
 */
Vec2 insert_vertex_near(LineString& l, Vec2 target) {
    size_t best_i = 0;
    double best_d = std::numeric_limits<double>::infinity();
    Vec2 best = l.front();
    for (size_t i = 0; i + 1 < l.size(); ++i) {
        const Vec2 a = l[i], ab = l[i + 1] - a;
        const double l2 = dot(ab, ab);
        const double t = l2 > 0 ? std::clamp(dot(target - a, ab) / l2, 0.0, 1.0) : 0.0;
        const Vec2 q = a + ab * t;
        if (double d = distance(target, q); d < best_d) best_d = d, best = q, best_i = i;
    }
    if (distance(best, l[best_i]) < 1e-6) return l[best_i];
    if (distance(best, l[best_i + 1]) < 1e-6) return l[best_i + 1];
    l.insert(l.begin() + static_cast<long>(best_i) + 1, best);
    return best;
}

/** The rectangle of w × d metres centred on c, its long side along `dir`. */
Polygon rectangle(Vec2 c, Vec2 dir, double w, double d) {
    const Vec2 u = unit(dir) * (w / 2), v = left_of(unit(dir)) * (d / 2);
    return Polygon{{Ring{c - u - v, c + u - v, c + u + v, c - u + v}}};
}

/**
 * A visiting order of the points: from the point farthest from their middle, on to the nearest
 * unvisited neighbour (neighbours(a, b): Voronoi cells touch), or the nearest unvisited point when
 * no neighbour is left.
 */
std::vector<size_t> chain_order(const std::vector<Vec2>& pts,
                                const std::function<bool(size_t, size_t)>& neighbours) {
    std::vector<size_t> order;
    if (pts.empty()) return order;
    Vec2 mid{0, 0};
    for (auto p : pts) mid = mid + p;
    mid = mid * (1.0 / pts.size());
    size_t cur = 0;
    for (size_t i = 1; i < pts.size(); ++i)
        if (distance(pts[i], mid) > distance(pts[cur], mid)) cur = i;
    std::vector<bool> seen(pts.size(), false);
    for (size_t n = 0; n < pts.size(); ++n) {
        order.push_back(cur);
        seen[cur] = true;
        size_t best = cur;
        double best_d = std::numeric_limits<double>::infinity();
        for (size_t i = 0; i < pts.size(); ++i) {
            if (seen[i]) continue;
            // A neighbour always beats a non-neighbour.
            const double d = distance(pts[i], pts[cur]) + (neighbours(cur, i) ? 0 : 1e7);
            if (d < best_d) best_d = d, best = i;
        }
        cur = best;
    }
    return order;
}

/**
 * Improves a chain by moving runs of 1–3 consecutive members to the place where they cost least
 * (or-opt), until no move helps: strays the nearest-neighbour walk left to the end go back beside
 * their neighbours. step(a, b) is the cost of a following b's predecessor a.
 */
void improve_chain(std::vector<size_t>& chain, const std::function<double(size_t, size_t)>& step) {
    const size_t n = chain.size();
    // Cost of the step between two chain entries, 0 where either end is missing (past an end).
    auto cost = [&](long a, long b) { return a < 0 || b < 0 ? 0.0 : step(chain[a], chain[b]); };
    // One improving move (segment [i, i+len) taken out and put back before entry `at` of what is
    // left), applied to `chain`; false when there is none. Each move is priced in O(1).
    auto move_once = [&]() {
        for (size_t len = 1; len <= 3 && len < n; ++len)
            for (size_t i = 0; i + len <= n; ++i) {
                const long first = static_cast<long>(i), last = static_cast<long>(i + len) - 1;
                const long before = first - 1, after = last + 1 < static_cast<long>(n) ? last + 1 : -1;
                const double out = cost(before, first) + cost(last, after) - cost(before, after);
                // Entry k of the chain without the segment, as an index of `chain` (-1 past the ends).
                auto rest = [&](long k) {
                    if (k < 0 || k >= static_cast<long>(n - len)) return -1L;
                    return k < first ? k : k + static_cast<long>(len);
                };
                for (long at = 0; at <= static_cast<long>(n - len); ++at) {
                    if (at == first) continue;
                    const long p = rest(at - 1), q = rest(at);
                    const double in = cost(p, first) + cost(last, q) - cost(p, q);
                    if (in - out < -1e-9) {
                        std::vector<size_t> moved;
                        for (long k = 0; k < at; ++k) moved.push_back(chain[rest(k)]);
                        for (long k = first; k <= last; ++k) moved.push_back(chain[k]);
                        for (long k = at; k < static_cast<long>(n - len); ++k)
                            moved.push_back(chain[rest(k)]);
                        chain = std::move(moved);
                        return true;
                    }
                }
            }
        return false;
    };
    for (int moves = 0; moves < 500 && move_once(); ++moves) {
    }
}

/**
 * Cuts a chain of n members into `groups` runs of 3–5 consecutive members (3·groups ≤ n ≤ 5·groups)
 * by dynamic programming, at the least total run_cost(first, size). Returns the run sizes in order.
 */
std::vector<int> cut_chain(int n, int groups, const std::function<double(int, int)>& run_cost) {
    const double kInf = std::numeric_limits<double>::infinity();
    // best[k][i]: least cost of cutting the first i members into k runs; how[k][i]: the last run's size.
    std::vector<std::vector<double>> best(groups + 1, std::vector<double>(n + 1, kInf));
    std::vector<std::vector<int>> how(groups + 1, std::vector<int>(n + 1, 0));
    best[0][0] = 0;
    for (int k = 1; k <= groups; ++k)
        for (int i = 3 * k; i <= std::min(n, 5 * k); ++i)
            for (int size = 3; size <= 5 && size <= i; ++size) {
                if (best[k - 1][i - size] == kInf) continue;
                const double c = best[k - 1][i - size] + run_cost(i - size, size);
                if (c < best[k][i]) best[k][i] = c, how[k][i] = size;
            }
    if (best[groups][n] == kInf)
        throw Error("demo: cannot cut " + std::to_string(n) + " households into " + std::to_string(groups) +
                    " groups of 3–5");
    std::vector<int> sizes(groups);
    for (int k = groups, i = n; k > 0; i -= how[k][i], --k) sizes[k - 1] = how[k][i];
    return sizes;
}

/** Whether the members form one connected set under `touch`. */
bool connected(const std::vector<size_t>& members, const std::function<bool(size_t, size_t)>& touch) {
    if (members.empty()) return true;
    std::vector<bool> reached(members.size(), false);
    std::vector<size_t> stack{0};
    reached[0] = true;
    size_t count = 1;
    while (!stack.empty()) {
        const size_t a = stack.back();
        stack.pop_back();
        for (size_t b = 0; b < members.size(); ++b)
            if (!reached[b] && touch(members[a], members[b])) reached[b] = true, ++count, stack.push_back(b);
    }
    return count == members.size();
}

// =====================================================================================================
// [SECTION] GEOS helpers
// =====================================================================================================

GEOSContextHandle_t gctx() { return geos::ctx(); }

geos::Geom own(GEOSGeometry* g, const char* what) {
    if (!g) throw Error(std::string("demo: GEOS ") + what + " failed");
    return geos::Geom(g);
}

GEOSGeometry* raw_line(const LineString& l) {
    GEOSCoordSequence* cs = GEOSCoordSeq_create_r(gctx(), static_cast<unsigned>(l.size()), 2);
    for (size_t i = 0; i < l.size(); ++i)
        GEOSCoordSeq_setXY_r(gctx(), cs, static_cast<unsigned>(i), l[i].x, l[i].y);
    return GEOSGeom_createLineString_r(gctx(), cs);
}

geos::Geom multi_line(const std::vector<const LineString*>& lines) {
    std::vector<GEOSGeometry*> parts;
    for (const LineString* l : lines)
        if (l->size() >= 2) parts.push_back(raw_line(*l));
    return own(GEOSGeom_createCollection_r(gctx(), GEOS_MULTILINESTRING, parts.data(),
                                           static_cast<unsigned>(parts.size())),
               "multilinestring");
}

geos::Geom buffered(const GEOSGeometry* g, double width) {
    return own(GEOSBuffer_r(gctx(), g, width, 4), "buffer");
}

geos::Geom clone(const GEOSGeometry* g) { return own(GEOSGeom_clone_r(gctx(), g), "clone"); }

/** Union of several geometries (consumed). */
geos::Geom union_of(std::vector<geos::Geom> parts) {
    std::vector<GEOSGeometry*> raw;
    for (auto& p : parts) raw.push_back(p.release());
    geos::Geom coll = own(GEOSGeom_createCollection_r(gctx(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                      static_cast<unsigned>(raw.size())),
                          "collection");
    return own(GEOSUnaryUnion_r(gctx(), coll.get()), "union");
}

Vec2 xy_of(const GEOSGeometry* pt) {
    double x = 0, y = 0;
    GEOSGeomGetX_r(gctx(), pt, &x);
    GEOSGeomGetY_r(gctx(), pt, &y);
    return {x, y};
}

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

/**
 * Pairs (i < j) of sites whose Voronoi cells, clipped to `region`, share more than a point of
 * border: the sites a joint-defence group can join without its cell falling apart. Each Voronoi
 * edge is credited to the two sites nearest its midpoint (the two it separates).
 */
std::set<std::pair<size_t, size_t>> voronoi_touching(const std::vector<Vec2>& sites, const Area& region) {
    std::set<std::pair<size_t, size_t>> out;
    if (sites.size() < 2) return out;
    std::vector<GEOSGeometry*> raw;
    for (Vec2 p : sites) raw.push_back(GEOSGeom_createPointFromXY_r(gctx(), p.x, p.y));
    geos::Geom mp = own(
        GEOSGeom_createCollection_r(gctx(), GEOS_MULTIPOINT, raw.data(), static_cast<unsigned>(raw.size())),
        "multipoint");
    geos::Geom edges =
        own(GEOSVoronoiDiagram_r(gctx(), mp.get(), region.geom.get(), 0.0, 1), "Voronoi edges");
    for (int e = 0, n = GEOSGetNumGeometries_r(gctx(), edges.get()); e < n; ++e) {
        const GEOSGeometry* edge = GEOSGetGeometryN_r(gctx(), edges.get(), e);
        const GEOSCoordSequence* cs = GEOSGeom_getCoordSeq_r(gctx(), edge);
        double x0, y0, x1, y1;
        GEOSCoordSeq_getXY_r(gctx(), cs, 0, &x0, &y0);
        GEOSCoordSeq_getXY_r(gctx(), cs, 1, &x1, &y1);
        const Vec2 a{x0, y0}, b{x1, y1};
        if (!(region.contains(a) &&
              region.contains(b))) {  // most edges lie well inside: skip the overlay for them
            geos::Geom part = own(GEOSIntersection_r(gctx(), edge, region.geom.get()), "intersection");
            double len = 0;
            GEOSLength_r(gctx(), part.get(), &len);
            if (len < 0.5) continue;
        }
        const Vec2 m = (a + b) * 0.5;
        size_t i = 0, j = 1;
        if (distance(m, sites[j]) < distance(m, sites[i])) std::swap(i, j);
        for (size_t k = 2; k < sites.size(); ++k) {
            if (distance(m, sites[k]) < distance(m, sites[i]))
                j = i, i = k;
            else if (distance(m, sites[k]) < distance(m, sites[j]))
                j = k;
        }
        out.insert(std::minmax(i, j));
    }
    return out;
}

// =====================================================================================================
// [SECTION] The plan of the community (constants and tables)
// =====================================================================================================

constexpr int kCols = 4, kRows = 3;  // lattice blocks
constexpr double kCell = 900;        // lattice spacing, m
constexpr double kHalfWidth = kCols * kCell / 2, kHalfHeight = kRows * kCell / 2;
constexpr double kSouthEdgeY = -1390;  // the outline's south edge: a stream just south of G320
constexpr double kG320Y = -1230;       // mean northing of G320
constexpr double kG320HalfLength = 2150;
constexpr double kParcelSetback = 18;                    // enterprise fences from G320's centre line, m
constexpr double kEnterpriseArea = 1150 * 10000.0 / 15;  // 1,150 mu (1 mu = 10,000/15 m²)
constexpr int kEnterprises = 12;
constexpr int kEnterpriseCameras = 32, kRoadCameras = 15, kCameraHouseholds = 105, kTwoCameraHouseholds = 7;
constexpr int kRelocatedHouseholds = 89;
constexpr double kHouseSpacing = 20;                        // least distance between two rural houses, m
constexpr double kCopyStrideX = 4800, kCopyStrideY = 3800;  // scale N: communities side by side

struct VillagerGroupPlan {
    const char* name;
    const char* hamlet;  // the hamlet (寨) name its joint-defence groups are called after
    int district;        // index of its L2 片区
    std::vector<std::pair<int, int>> blocks;  // lattice blocks (column, row)
    int joint_groups;                         // L4 cells
    bool resettlement;
};

// The 8 villager groups; their 97 joint-defence groups. Districts are 2 × 2 blocks west, 2 × 2
// east and the northern row.
const std::vector<VillagerGroupPlan>& villager_groups() {
    static const std::vector<VillagerGroupPlan> plans = {
        {"大坪子一组", "下寨", 0, {{0, 0}, {1, 0}}, 12, false},
        {"大坪子二组", "河边", 1, {{2, 0}, {3, 0}}, 12, false},
        {"大坪子三组", "中寨", 0, {{0, 1}}, 7, false},
        {"大坪子四组", "大坪", 0, {{1, 1}}, 7, false},
        {"大坪子五组", "新寨", 1, {{2, 1}, {3, 1}}, 15, false},
        {"大坪子六组", "上寨", 2, {{0, 2}, {1, 2}}, 15, false},
        {"罗家大坡安置点", "罗家大坡", 2, {{2, 2}}, 22, true},
        {"大坪子七组", "松林", 2, {{3, 2}}, 7, false},
    };
    return plans;
}
const char* const kDistricts[] = {"第一片区", "第二片区", "第三片区"};

// Households per joint-defence group: 3–5 (3户5户联防). Fixed multisets, shuffled, so the totals
// (325 rural + 89 relocated = 414 households) do not depend on the seed. A hamlet's total comes
// from the multiset; place_hamlets then cuts it into groups of 3–5 anew to keep each group's
// cell in one piece.
std::vector<int> rural_group_sizes() {
    std::vector<int> v;
    v.insert(v.end(), 6, 3), v.insert(v.end(), 38, 4), v.insert(v.end(), 31, 5);
    return v;  // 75 groups
}
std::vector<int> relocated_group_sizes() {
    std::vector<int> v;
    v.insert(v.end(), 1, 3), v.insert(v.end(), 19, 4), v.insert(v.end(), 2, 5);
    return v;  // 22 groups, 89 households
}

struct EnterprisePlan {
    const char* name;
    const char* industry;
};
// Longling's industries: silicon, building materials, stone and 黄龙玉 jade, tea, coffee, timber.
const EnterprisePlan kEnterprisePlans[] = {
    {"龙陵恒鑫硅业有限公司", "硅材料"},
    {"龙陵县龙山建材有限公司", "建材"},
    {"大坪子石材加工厂", "石材加工"},
    {"龙陵县坪子茶叶有限公司", "茶叶加工"},
    {"保山顺达物流有限公司龙陵分公司", "物流"},
    {"龙陵兴林木业有限公司", "木材加工"},
    {"龙陵县滇西食品有限公司", "食品加工"},
    {"龙陵县通达汽车维修厂", "汽车维修"},
    {"龙陵宏远商砼有限公司", "混凝土"},
    {"龙陵黄龙玉雕刻厂", "黄龙玉加工"},
    {"龙陵县绿源农产品冷链有限公司", "冷链仓储"},
    {"龙陵县丰收饲料有限公司", "饲料"},
    {"龙陵县金鼎铸造有限公司", "铸造"},
    {"大坪子咖啡加工厂", "咖啡加工"},
};

// =====================================================================================================
// [SECTION] The lattice: shared edges that make L1–L3 tile exactly
// =====================================================================================================

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

// =====================================================================================================
// [SECTION] CommunityBuilder: roads, enterprises, households, cells
// =====================================================================================================

struct CommunitySpec {
    uint64_t seed = 1;
    std::string prefix;   // "" for scale 1, "C017-" for copies
    std::string l1_name;  // 大坪子社区, numbered for copies
    Vec2 origin;          // where local (0, 0) goes in EPSG:4542
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

class CommunityBuilder {
public:
    explicit CommunityBuilder(CommunitySpec spec) : spec_(std::move(spec)) {}

    /** The whole community, in EPSG:4542 (origin added). */
    Dataset build() {
        make_g320();
        make_lattice_fitting();
        make_grid_regions();
        make_main_roads();
        make_enterprises();
        make_spurs();
        make_facilities();
        make_house_masks();
        place_resettlement();
        place_hamlets();
        make_joint_defence_cells();
        make_households();
        make_cameras();
        make_buildings();
        make_candidates();
        make_incidents();
        translate_to_origin();
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

    /** Northing of G320 at easting x (G320 runs west to east, a function of x). */
    double g320_y(double x) const {
        auto it = std::lower_bound(g320_.begin(), g320_.end(), x, [](Vec2 p, double v) { return p.x < v; });
        if (it == g320_.begin()) return it->y;
        if (it == g320_.end()) return g320_.back().y;
        const Vec2 b = *it, a = *(it - 1);
        return b.x == a.x ? a.y : a.y + (b.y - a.y) * (x - a.x) / (b.x - a.x);
    }

    void make_g320() {
        Rng r(stream(kStreamG320));
        const double ph1 = r.uniform(0, 2 * M_PI), ph2 = r.uniform(0, 2 * M_PI);
        for (double x = -kG320HalfLength; x <= kG320HalfLength + 1e-9; x += 20)
            g320_.push_back({x, kG320Y + 24 * std::sin(2 * M_PI * x / 3100 + ph1) +
                                    7 * std::sin(2 * M_PI * x / 970 + ph2)});
    }

    /**
     * The lattice, drawn again with gentler wiggles when a draw breaks what the layout needs:
     * valid blocks, the south edge clear of G320, the row-1 roads clear of the enterprise strip.
     */
    void make_lattice_fitting() {
        const double scales[] = {1.0, 1.0, 0.7, 0.5, 0.3, 0.0};
        for (size_t attempt = 0; attempt < std::size(scales); ++attempt) {
            Rng r(mix(stream(kStreamLattice), attempt));
            lat_ = make_lattice(r, scales[attempt]);
            if (lattice_fits()) return;
        }
        throw Error("demo: no lattice fits the layout (seed " + std::to_string(spec_.seed) + ")");
    }

    bool lattice_fits() const {
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

    void make_grid_regions() {
        Rng people(stream(kStreamPeople));
        const auto& plans = villager_groups();
        std::vector<MultiPolygon> blocks;
        for (const auto& plan : plans)
            for (auto [c, r] : plan.blocks) blocks.push_back({lat_.block(c, r)});

        // L1 and L2 are unions of blocks; L3 too (regions_), kept with GEOS forms for the tests below.
        auto union_blocks = [&](auto&& wanted) {
            std::vector<const MultiPolygon*> parts;
            size_t k = 0;
            for (size_t g = 0; g < plans.size(); ++g)
                for (size_t b = 0; b < plans[g].blocks.size(); ++b, ++k)
                    if (wanted(g)) parts.push_back(&blocks[k]);
            return geos::to_multipolygon(geos::union_all(parts.data(), parts.size()).get());
        };

        Grid l1;
        l1.grid_id = id(""), l1.level = 1, l1.name = spec_.l1_name;
        // The community cell carries its attached town leader and the community head (SPEC §2).
        l1.manager = person_name(people) + "（挂钩领导）、" + person_name(people) + "（社区书记）";
        l1.phone = mobile_phone(people);
        l1.shape = union_blocks([](size_t) { return true; });
        l1_area_.emplace(geos::to_geos(l1.shape));
        out_.grids.push_back(l1);

        for (int d = 0; d < 3; ++d) {
            Grid l2;
            l2.grid_id = id(strf("P%d", d + 1)), l2.level = 2, l2.parent_id = l1.grid_id;
            l2.name = kDistricts[d];
            l2.manager = person_name(people);  // a "two committees" member
            l2.phone = mobile_phone(people);
            l2.shape = union_blocks([&](size_t g) { return plans[g].district == d; });
            out_.grids.push_back(l2);
        }

        std::vector<int> rural = rural_group_sizes(), relocated = relocated_group_sizes();
        people.shuffle(rural), people.shuffle(relocated);
        size_t next_rural = 0;
        for (size_t g = 0; g < plans.size(); ++g) {
            Region reg;
            reg.plan = &plans[g];
            reg.grid_id = id(strf("G%02zu", g + 1));
            reg.shape = union_blocks([&](size_t h) { return h == g; });
            reg.area.emplace(geos::to_geos(reg.shape));
            reg.house_area.emplace(buffered(reg.area->geom.get(), -8));
            if (plans[g].resettlement) {
                reg.group_sizes = relocated;
            } else {
                reg.group_sizes.assign(rural.begin() + static_cast<long>(next_rural),
                                       rural.begin() + static_cast<long>(next_rural + plans[g].joint_groups));
                next_rural += plans[g].joint_groups;
            }
            Grid l3;
            l3.grid_id = reg.grid_id, l3.level = 3, l3.parent_id = id(strf("P%d", plans[g].district + 1));
            l3.name = plans[g].name;
            l3.manager = person_name(people, plans[g].resettlement ? "罗" : nullptr);  // group leader
            l3.phone = mobile_phone(people);
            l3.shape = reg.shape;
            out_.grids.push_back(l3);
            regions_.push_back(std::move(reg));
        }
    }

    /**
     * G320, the exit road (north from its junction with G320 along lattice column 2), the two
     * village roads along lattice rows 1 and 2, 西坡路 and the paths up the hill. Every junction is
     * a vertex of both roads.
     */
    void make_main_roads() {
        // The exit road: lattice edge (2,0)→(2,1) from its northern end down to where it meets G320.
        const LineString south_part = reversed(lat_.vedge(2, 0));
        auto x = first_crossing(south_part, g320_);
        if (!x)
            throw Error("demo: the exit road does not reach G320 (seed " + std::to_string(spec_.seed) + ")");
        exit_junction_ = x->p;
        LineString exit_road{exit_junction_};
        for (size_t k = x->i + 1; k-- > 0;) exit_road.push_back(south_part[k]);
        exit_road = join({&exit_road, &lat_.vedge(2, 1)});
        g320_.insert(g320_.begin() + static_cast<long>(x->j) + 1, exit_junction_);

        roads_.push_back({"G320国道", "national", g320_});
        exit_road_ = roads_.size();
        roads_.push_back({"大坪子进村路", "county", exit_road});
        roads_.push_back(
            {"坪子下村道", "village",
             join({&lat_.hedge(0, 1), &lat_.hedge(1, 1), &lat_.hedge(2, 1), &lat_.vedge(3, 1)})});
        upper_road_ = roads_.size();
        roads_.push_back(
            {"坪子上村道", "village",
             join({&lat_.hedge(0, 2), &lat_.hedge(1, 2), &lat_.hedge(2, 2), &lat_.hedge(3, 2)})});
        roads_.push_back({"西坡路", "village", lat_.vedge(1, 1)});
        roads_.push_back({"后山小路", "path", lat_.vedge(1, 2)});
        roads_.push_back({"后山便道", "path", lat_.vedge(2, 2)});
    }

    /**
     * Twelve parcels in the strip north of G320, between the community's west and east edges,
     * leaving the exit road clear. Each parcel's south fence follows G320 and its north fence is
     * the south fence moved north by its depth, so its area is width × depth exactly; the depths
     * are scaled so the parcels add up to 1,150 mu.
     */
    void make_enterprises() {
        Rng r(stream(kStreamEnterprises));
        const double band_lo = kG320Y - 60, band_hi = kG320Y + 460;
        auto in_band = [&](Vec2 p) { return p.y >= band_lo && p.y <= band_hi; };
        double west = -kHalfWidth, east = kHalfWidth, gap_lo = 1e18, gap_hi = -1e18;
        for (Vec2 p : lat_.vedge(0, 0))
            if (in_band(p)) west = std::max(west, p.x);
        for (Vec2 p : lat_.vedge(kCols, 0))
            if (in_band(p)) east = std::min(east, p.x);
        for (Vec2 p : roads_[exit_road_].line)
            if (in_band(p)) gap_lo = std::min(gap_lo, p.x), gap_hi = std::max(gap_hi, p.x);
        const double spans[2][2] = {{west + 30, gap_lo - 30}, {gap_hi + 30, east - 30}};
        const double len_w = spans[0][1] - spans[0][0], len_e = spans[1][1] - spans[1][0];
        const int n_west = std::clamp(static_cast<int>(std::lround(kEnterprises * len_w / (len_w + len_e))),
                                      1, kEnterprises - 1);
        constexpr double kGap = 16;  // lanes between neighbouring fences
        for (int side = 0; side < 2; ++side) {
            const int n = side == 0 ? n_west : kEnterprises - n_west;
            std::vector<double> u(n);
            double su = 0;
            for (double& v : u) su += (v = r.uniform(0.7, 1.3));
            double x = spans[side][0];
            const double usable = spans[side][1] - spans[side][0] - (n - 1) * kGap;
            for (int k = 0; k < n; ++k) {
                Parcel p;
                p.x0 = x, p.x1 = x + usable * u[k] / su;
                parcels_.push_back(p);
                x = p.x1 + kGap;
            }
        }
        std::vector<double> v(parcels_.size());
        double weighted = 0;
        for (size_t k = 0; k < parcels_.size(); ++k)
            weighted += (parcels_[k].x1 - parcels_[k].x0) * (v[k] = r.uniform(0.8, 1.2));
        for (size_t k = 0; k < parcels_.size(); ++k) {
            Parcel& p = parcels_[k];
            p.depth = v[k] * kEnterpriseArea / weighted;
            LineString south{{p.x0, g320_y(p.x0) + kParcelSetback}};
            for (Vec2 q : g320_)
                if (q.x > p.x0 && q.x < p.x1) south.push_back({q.x, q.y + kParcelSetback});
            south.push_back({p.x1, g320_y(p.x1) + kParcelSetback});
            Ring ring = south;
            for (size_t i = south.size(); i-- > 0;) ring.push_back({south[i].x, south[i].y + p.depth});
            p.shape = Polygon{{ring}};
        }

        std::vector<const EnterprisePlan*> names;
        for (const auto& e : kEnterprisePlans) names.push_back(&e);
        r.shuffle(names);
        // 企业包村民小组: each enterprise is paired with a villager group, every group with one or two.
        std::vector<size_t> pairing(regions_.size());
        for (size_t g = 0; g < pairing.size(); ++g) pairing[g] = g;
        r.shuffle(pairing);
        int employees = 0;
        for (size_t k = 0; k < parcels_.size(); ++k) {
            Enterprise e;
            e.ent_id = id(strf("E%02zu", k + 1));
            e.name = names[k]->name, e.industry = names[k]->industry;
            e.employees = r.integer(8, 45);
            e.paired_grid = regions_[pairing[k % pairing.size()]].grid_id;
            e.shape = {parcels_[k].shape};
            employees += e.employees;
            out_.enterprises.push_back(std::move(e));
        }
        // SPEC §2: 200+ villagers employed.
        for (size_t k = 0; employees < 220; k = (k + 1) % out_.enterprises.size())
            out_.enterprises[k].employees += 5, employees += 5;
    }

    /** Enterprise parcels and G320 widened: where hamlets and spur roads do not go. */
    geos::Geom strip_mask(double parcel_margin, double road_margin) const {
        MultiPolygon parcels;
        for (const auto& p : parcels_) parcels.push_back(p.shape);
        geos::Geom pg = geos::to_geos(parcels);
        geos::Geom g = geos::Geom(raw_line(g320_));
        std::vector<geos::Geom> parts;
        parts.push_back(buffered(pg.get(), parcel_margin));
        parts.push_back(buffered(g.get(), road_margin));
        return union_of(std::move(parts));
    }

    /**
     * Each rural villager group gets a spur road from a road on its edge into its habitable middle,
     * where its main hamlet sits, and a field path on from there.
     */
    void make_spurs() {
        Rng r(stream(kStreamSpurs));
        geos::Geom strip = strip_mask(60, 80);
        std::vector<Vec2> lattice_points = lat_.vertices;
        lattice_points.push_back(exit_junction_);
        const size_t n_named = roads_.size();
        for (auto& reg : regions_) {
            geos::Geom habitable =
                own(GEOSDifference_r(gctx(), reg.area->geom.get(), strip.get()), "difference");
            geos::Geom c = own(GEOSGetCentroid_r(gctx(), habitable.get()), "centroid");
            reg.target = xy_of(c.get());
            if (!reg.area->contains(reg.target)) {
                geos::Geom s = own(GEOSPointOnSurface_r(gctx(), habitable.get()), "point on surface");
                reg.target = xy_of(s.get());
            }
            reg.hamlet_centre = reg.target;
            geos::Geom inner = buffered(reg.area->geom.get(), -25);
            reg.spur_area.emplace(own(GEOSDifference_r(gctx(), inner.get(), strip.get()), "difference"));
            if (reg.plan->resettlement) continue;

            // Where the spur leaves: a vertex of a village or county road on the group's edge, away
            // from other junctions, the nearer to the habitable middle the likelier.
            Area edge(buffered(reg.area->geom.get(), 0.5));
            Vec2 best{};
            double best_score = std::numeric_limits<double>::infinity();
            for (size_t k = 1; k < n_named; ++k) {
                if (roads_[k].road_class == "path") continue;
                for (Vec2 p : roads_[k].line) {
                    bool clear = distance(p, exit_junction_) > 200 && std::abs(p.y - g320_y(p.x)) > 150;
                    for (Vec2 q : lattice_points) clear = clear && distance(p, q) > 120;
                    for (Vec2 q : spur_junctions_) clear = clear && distance(p, q) > 150;
                    if (!clear || !edge.contains(p)) continue;
                    const double score = distance(p, reg.target) * r.uniform(1.0, 1.5);
                    if (score < best_score) best_score = score, best = p;
                }
            }
            if (!std::isfinite(best_score)) continue;  // no road on its edge: the hamlet is reached on foot
            const Vec2 dir = unit(reg.target - best);
            const double len = std::clamp(distance(reg.target, best), 150.0, 520.0) * r.uniform(0.8, 1.0);
            auto ok = [&](Vec2 p) { return reg.spur_area->contains(p); };
            LineString spur = truncated(wiggle(best, best + dir * len, {0.04, 2, 0.6}, 1.0, r), ok, 35);
            if (polyline_length(spur) < 60) continue;
            spur_junctions_.push_back(best);
            reg.hamlet_centre = spur.back();
            roads_.push_back({std::string(reg.plan->hamlet) + "路", "village", spur});

            const Vec2 path_dir = rotated(dir, (r.chance(0.5) ? 1 : -1) * r.uniform(35, 70));
            LineString path = truncated(
                wiggle(spur.back(), spur.back() + path_dir * r.uniform(150, 300), kPathStyle, 1.0, r), ok, 0);
            if (polyline_length(path) >= 50) roads_.push_back({"田间小路", "path", path});
        }
    }

    /** The line up to its first point (after `skip` metres) where ok() fails. */
    static LineString truncated(const LineString& l, const std::function<bool(Vec2)>& ok, double skip) {
        LineString out;
        double walked = 0;
        for (size_t i = 0; i < l.size(); ++i) {
            if (i > 0) walked += distance(l[i - 1], l[i]);
            if (walked > skip && !ok(l[i])) break;
            out.push_back(l[i]);
        }
        return out;
    }

    void make_facilities() {
        auto add = [&](const std::string& name, const std::string& kind, Vec2 p) {
            Facility f;
            f.name = name, f.kind = kind, f.pos = p;
            out_.facilities.push_back(f);
            reserved_.push_back(p);
        };
        const LineString& exit = roads_[exit_road_].line;
        // SPEC §2: the persuasion station stands exactly at the exit road × G320 junction.
        add("大坪子交通安全劝导站", "persuasion_station", exit_junction_);
        const Vec2 up = point_along(exit, 0, 1, 80), up_dir = unit(point_along(exit, 0, 1, 100) - up);
        add("村企联防巡逻队队部（10人）", "patrol_base", up - left_of(up_dir) * 18);
        const Vec2 v21 = lat_.vertex(2, 1);
        const Vec2 north = unit(point_along(lat_.vedge(2, 1), 0, 1, 40) - v21);
        const Vec2 east = unit(point_along(lat_.hedge(2, 1), 0, 1, 40) - v21);
        add("大坪子社区网格服务站（党群服务中心）", "grid_station", v21 + unit(north + east) * 40);
        const Vec2 west = unit(point_along(lat_.hedge(1, 1), lat_.hedge(1, 1).size() - 1, -1, 40) - v21);
        add("大坪子社区卫生室", "clinic", v21 + unit(north + west) * 40);
        const Vec2 v12 = lat_.vertex(1, 2);
        const Vec2 down = unit(point_along(lat_.vedge(1, 1), lat_.vedge(1, 1).size() - 1, -1, 40) - v12);
        const Vec2 east2 = unit(point_along(lat_.hedge(1, 2), 0, 1, 40) - v12);
        add("大坪子小学", "school", v12 + unit(down + east2) * 55);
    }

    /** Where houses may not stand: on or beside roads, in or beside the enterprise parcels. */
    void make_house_masks() {
        std::vector<const LineString*> lines;
        for (size_t k = 1; k < roads_.size(); ++k) lines.push_back(&roads_[k].line);
        geos::Geom roads = multi_line(lines);
        std::vector<geos::Geom> parts;
        parts.push_back(buffered(roads.get(), 11));
        parts.push_back(strip_mask(15, 25));
        house_forbidden_.emplace(union_of(std::move(parts)));
    }

    bool house_site_ok(const Region& reg, Vec2 p) const {
        for (Vec2 q : reserved_)
            if (distance(p, q) < 30) return false;
        return reg.house_area->contains(p) && !house_forbidden_->intersects(p);
    }

    /**
     * 罗家大坡: 89 houses 15 m apart in rows 16 m apart (9 rows of 10, one plot empty) north of
     * the upper village road, an access road and a lane between every second row. Groups of 3–5
     * are neighbours in a row (serpentine order).
     */
    void place_resettlement() {
        Rng r(stream(kStreamResettlement));
        const auto it = std::find_if(regions_.begin(), regions_.end(),
                                     [](const Region& g) { return g.plan->resettlement; });
        const int ri = static_cast<int>(it - regions_.begin());
        Region& reg = *it;
        const Vec2 v0 = lat_.vertex(2, 2), t = unit(lat_.vertex(3, 2) - v0), n = left_of(t);
        constexpr int kRowsOfHouses = 9, kPerRow = 10;
        constexpr double kAlong = 15, kAcross = 16;
        auto site = [&](double a0, double b0, int row, int col) {
            return v0 + t * (a0 + kAlong * col) + n * (b0 + kAcross * row);
        };
        double a0 = 0, b0 = 0;
        bool fits = false;
        for (double a : {90.0, 150.0, 220.0, 300.0}) {
            for (double b : {70.0, 110.0, 160.0, 220.0}) {
                fits = true;
                for (int row = 0; row < kRowsOfHouses && fits; ++row)
                    for (int col = 0; col < kPerRow && fits; ++col)
                        fits = house_site_ok(reg, site(a, b, row, col));
                if (fits) {
                    a0 = a, b0 = b;
                    break;
                }
            }
            if (fits) break;
        }
        if (!fits)
            throw Error("demo: the 罗家大坡 block does not fit its villager group (seed " +
                        std::to_string(spec_.seed) + ")");

        // Access road from a new vertex of the upper village road, with a vertex at each lane.
        LineString& host = roads_[upper_road_].line;
        const Vec2 s = insert_vertex_near(host, v0 + t * (a0 - 20));
        resettlement_junction_ = s;
        const double sn = dot(s - v0, n), st = dot(s - v0, t);
        LineString access{s};
        std::vector<Vec2> lane_starts;
        for (int k = 0; k < 5; ++k) {
            access.push_back(s + n * (b0 + kAcross * 2 * k + kAcross / 2 - sn));
            lane_starts.push_back(access.back());
        }
        access.push_back(s + n * (b0 + kAcross * (kRowsOfHouses - 1) + 30 - sn));
        roads_.push_back({"罗家大坡安置点路", "village", densify(access, 25)});
        const char* const lane_names[] = {"安置点一巷", "安置点二巷", "安置点三巷", "安置点四巷",
                                          "安置点五巷"};
        for (int k = 0; k < 5; ++k)
            roads_.push_back(
                {lane_names[k], "path",
                 densify({lane_starts[k], lane_starts[k] + t * (a0 + kAlong * (kPerRow - 1) + 12 - st)},
                         25)});

        std::vector<House> block;
        for (int row = 0; row < kRowsOfHouses; ++row)
            for (int c = 0; c < kPerRow; ++c) {
                const int col = row % 2 == 0 ? c : kPerRow - 1 - c;
                // Sub-metre jitter: a perfect lattice makes Voronoi vertices degenerate (four sites on a
                // circle).
                const Vec2 jitter{r.uniform(-0.8, 0.8), r.uniform(-0.8, 0.8)};
                House h;
                h.pos = site(a0, b0, row, col) + jitter;
                h.front = row % 2 == 0 ? n : n * -1.0;  // every house faces the lane beside its row
                h.region = ri, h.relocated = true;
                block.push_back(h);
            }
        block.resize(kRelocatedHouseholds);
        size_t k = 0;
        for (size_t g = 0; g < reg.group_sizes.size(); ++g)
            for (int m = 0; m < reg.group_sizes[g]; ++m, ++k) block[k].cell = static_cast<int>(g);
        houses_.insert(houses_.end(), block.begin(), block.end());
        reg.hamlet_centre = site(a0, b0, 4, 5);
    }

    /**
     * Rural houses: 1–4 hamlets per villager group, the main one at the end of its spur road.
     * Sites are drawn beside the roads (15 or 26 m from the centre line, both sides) and taken
     * nearest-first (with some randomness) around each hamlet centre, at least 20 m apart. Each
     * hamlet's houses are then chained from neighbour to neighbour and the chain cut into its
     * joint-defence groups of 3–5 where that keeps each group's Voronoi cells joined (one piece
     * per L4 cell; over 400 seeds about one community in five keeps a cell in two pieces).
     */
    void place_hamlets() {
        Rng r(stream(kStreamHamlets));
        struct Site {
            Vec2 p, front;
        };
        for (size_t ri = 0; ri < regions_.size(); ++ri) {
            Region& reg = regions_[ri];
            if (reg.plan->resettlement) continue;
            Box box = reg.area->box();
            box.xmin -= 60, box.ymin -= 60, box.xmax += 60, box.ymax += 60;
            std::vector<Site> sites;
            for (const auto& road : roads_) {
                if (!box.intersects(bounds(road.line))) continue;
                for (const Station& st : stations(road.line, 12, 6)) {
                    if (!box.contains(st.p)) continue;
                    for (int side : {1, -1})
                        for (double off : {15.0, 26.0}) {
                            const Vec2 nrm = left_of(st.dir) * side;
                            const Vec2 p = st.p + nrm * (off + r.uniform(-2, 2)) + st.dir * r.uniform(-3, 3);
                            if (house_site_ok(reg, p)) sites.push_back({p, nrm * -1.0});
                        }
                }
            }

            const int groups = static_cast<int>(reg.group_sizes.size());
            const int hamlets = 1 + groups / 5;
            std::vector<Vec2> centres{reg.hamlet_centre};
            while (static_cast<int>(centres.size()) < hamlets && !sites.empty()) {
                size_t best = 0;
                double best_score = -1;
                for (size_t i = 0; i < sites.size(); ++i) {
                    double d = std::numeric_limits<double>::infinity();
                    for (Vec2 c : centres) d = std::min(d, distance(sites[i].p, c));
                    const double score = std::min(d, 700.0) * r.uniform(0.5, 1.0);
                    if (score > best_score) best_score = score, best = i;
                }
                centres.push_back(sites[best].p);
            }

            std::vector<House> placed;
            std::vector<int> hamlet_of;  // per placed house
            for (int h = 0; h < hamlets; ++h) {
                const int g0 = groups * h / hamlets, g1 = groups * (h + 1) / hamlets;
                int wanted = 0;
                for (int g = g0; g < g1; ++g) wanted += reg.group_sizes[g];
                const Vec2 centre = centres[std::min<size_t>(h, centres.size() - 1)];
                std::vector<std::pair<double, size_t>> order;
                for (size_t i = 0; i < sites.size(); ++i)
                    order.push_back({distance(sites[i].p, centre) * r.uniform(0.7, 1.5), i});
                std::sort(order.begin(), order.end());
                int count = 0;
                auto spaced = [&](Vec2 p) {
                    for (const auto& q : placed)
                        if (distance(p, q.pos) < kHouseSpacing) return false;
                    return true;
                };
                auto add = [&](Vec2 p, Vec2 front) {
                    House hs;
                    hs.pos = p, hs.front = front, hs.region = static_cast<int>(ri);
                    placed.push_back(hs);
                    hamlet_of.push_back(h);
                    ++count;
                };
                for (size_t o = 0; o < order.size() && count < wanted; ++o) {
                    const Site& s = sites[order[o].second];
                    if (spaced(s.p)) add(s.p, s.front);
                }
                // Too few road-side sites (rare): scattered farmsteads near the hamlet, facing their nearest
                // road.
                for (int tries = 0; count < wanted; ++tries) {
                    if (tries > 200000)
                        throw Error("demo: no room for the houses of " + reg.grid_id + " (seed " +
                                    std::to_string(spec_.seed) + ")");
                    const double spread = tries < 5000 ? 200 : 2000;
                    const Vec2 p = centre + Vec2{r.normal() * spread, r.normal() * spread};
                    if (house_site_ok(reg, p) && spaced(p)) add(p, unit(nearest_road_point(p) - p));
                }
            }

            // Joint-defence groups: each hamlet's houses chained neighbour to neighbour and cut where
            // the chain jumps, so that a group's Voronoi cells touch and its cell is one piece (a
            // step between touching cells inside a run keeps the run's union connected).
            std::vector<Vec2> all;
            for (const auto& q : placed) all.push_back(q.pos);
            const auto touching = voronoi_touching(all, *reg.area);
            auto neighbours = [&](size_t a, size_t b) { return touching.count(std::minmax(a, b)) > 0; };
            for (int h = 0; h < hamlets; ++h) {
                const int g0 = groups * h / hamlets, g1 = groups * (h + 1) / hamlets;
                std::vector<size_t> members;
                std::vector<Vec2> pts;
                for (size_t k = 0; k < placed.size(); ++k)
                    if (hamlet_of[k] == h) members.push_back(k), pts.push_back(placed[k].pos);
                auto step = [&](size_t a, size_t b) {  // cost of a chain step between hamlet houses a and b
                    return distance(pts[a], pts[b]) / 100 + (neighbours(members[a], members[b]) ? 0 : 1000);
                };
                auto chain =
                    chain_order(pts, [&](size_t a, size_t b) { return neighbours(members[a], members[b]); });
                improve_chain(chain, step);
                // A run costs its length along the chain, and a great deal when its cells do not all join up.
                auto run_cost = [&](int first, int size) {
                    std::vector<size_t> run;
                    double len = 0;
                    for (int k = first; k < first + size; ++k) {
                        run.push_back(members[chain[k]]);
                        if (k > first) len += distance(pts[chain[k - 1]], pts[chain[k]]) / 100;
                    }
                    return len + (connected(run, neighbours) ? 0 : 1000);
                };
                const std::vector<int> sizes = cut_chain(static_cast<int>(chain.size()), g1 - g0, run_cost);
                size_t k = 0;
                for (int g = g0; g < g1; ++g) {
                    reg.group_sizes[g] = sizes[g - g0];
                    for (int m = 0; m < sizes[g - g0]; ++m, ++k) placed[members[chain[k]]].cell = g;
                }
            }
            houses_.insert(houses_.end(), placed.begin(), placed.end());
        }
        // Households are numbered by villager group and joint-defence group.
        std::stable_sort(houses_.begin(), houses_.end(), [](const House& a, const House& b) {
            return a.region != b.region ? a.region < b.region : a.cell < b.cell;
        });
    }

    Vec2 nearest_road_point(Vec2 p) const {
        Vec2 best = p;
        double best_d = std::numeric_limits<double>::infinity();
        for (const auto& road : roads_) {
            const Box b = bounds(road.line);
            const double dx = std::max({b.xmin - p.x, 0.0, p.x - b.xmax}),
                         dy = std::max({b.ymin - p.y, 0.0, p.y - b.ymax});
            if (std::hypot(dx, dy) >= best_d) continue;
            const Vec2 q = nearest_point(road.line, p);
            if (double d = distance(p, q); d < best_d) best_d = d, best = q;
        }
        return best;
    }

    /**
     * L4: per villager group, the Voronoi diagram of its households, each group's cells unioned
     * and clipped to the villager group. Voronoi cells share their edges exactly, so the joint-
     * defence cells tile the villager group and each household lies inside its own cell.
     */
    void make_joint_defence_cells() {
        GEOSContextHandle_t h = gctx();
        size_t first = 0;
        for (size_t ri = 0; ri < regions_.size(); ++ri) {
            const Region& reg = regions_[ri];
            size_t last = first;
            while (last < houses_.size() && houses_[last].region == static_cast<int>(ri)) ++last;
            std::vector<geos::Geom> points;
            std::vector<GEOSGeometry*> raw;
            for (size_t k = first; k < last; ++k) {
                points.push_back(geos::point(houses_[k].pos));
                raw.push_back(GEOSGeom_clone_r(h, points.back().get()));
            }
            geos::Geom sites = own(GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, raw.data(),
                                                               static_cast<unsigned>(raw.size())),
                                   "multipoint");
            geos::Geom diagram =
                own(GEOSVoronoiDiagram_r(h, sites.get(), reg.area->geom.get(), 0.0, 0), "Voronoi diagram");
            // GEOS 3.11 does not keep the input order of the cells: find each cell's household.
            const size_t groups = reg.group_sizes.size();
            std::vector<std::vector<geos::Geom>> parts(groups);
            std::vector<bool> matched(points.size(), false);
            const int n_cells = GEOSGetNumGeometries_r(h, diagram.get());
            for (int c = 0; c < n_cells; ++c) {
                const GEOSGeometry* cell = GEOSGetGeometryN_r(h, diagram.get(), c);
                geos::Prepared prep(GEOSPrepare_r(h, cell));
                for (size_t k = 0; k < points.size(); ++k) {
                    if (matched[k] || GEOSPreparedContains_r(h, prep.get(), points[k].get()) != 1) continue;
                    matched[k] = true;
                    parts[houses_[first + k].cell].push_back(clone(cell));
                    break;
                }
            }
            if (std::find(matched.begin(), matched.end(), false) != matched.end())
                throw Error("demo: a household of " + reg.grid_id + " has no Voronoi cell");
            std::vector<geos::Geom> cells;
            for (size_t g = 0; g < groups; ++g) {
                geos::Geom joined = union_of(std::move(parts[g]));
                cells.push_back(
                    own(GEOSIntersection_r(h, joined.get(), reg.area->geom.get()), "intersection"));
            }
            // A piece of a cell holding none of its households (a Voronoi cell reaching round a bend
            // of the villager group's edge) goes to the neighbour sharing most of its border.
            for (size_t g = 0; g < groups; ++g) {
                const MultiPolygon pieces = geos::to_multipolygon(cells[g].get());
                if (pieces.size() < 2) continue;
                for (const Polygon& piece : pieces) {
                    bool housed = false;
                    for (size_t k = first; k < last && !housed; ++k)
                        housed = houses_[k].cell == static_cast<int>(g) && inside(piece, houses_[k].pos);
                    if (housed) continue;
                    geos::Geom pg = geos::to_geos(piece);
                    geos::Geom border = own(GEOSBoundary_r(h, pg.get()), "boundary");
                    size_t best = g;
                    double best_len = 0;
                    for (size_t o = 0; o < groups; ++o) {
                        if (o == g) continue;
                        geos::Geom shared =
                            own(GEOSIntersection_r(h, border.get(), cells[o].get()), "intersection");
                        double len = 0;
                        GEOSLength_r(h, shared.get(), &len);
                        if (len > best_len) best_len = len, best = o;
                    }
                    if (best == g) continue;
                    std::vector<geos::Geom> both;
                    both.push_back(std::move(cells[best]));
                    both.push_back(clone(pg.get()));
                    cells[best] = union_of(std::move(both));
                    cells[g] = own(GEOSDifference_r(h, cells[g].get(), pg.get()), "difference");
                }
            }
            for (size_t g = 0; g < groups; ++g) {
                Grid l4;
                l4.grid_id = reg.grid_id + strf("-%02zu", g + 1), l4.level = 4, l4.parent_id = reg.grid_id;
                l4.name = strf("%s%zu号联防组", reg.plan->hamlet, g + 1);
                l4.shape = geos::to_multipolygon(cells[g].get());
                out_.grids.push_back(std::move(l4));
            }
            first = last;
        }
    }

    /** Household records; the L4 manager is the head of the group's first household (联防小组长). */
    void make_households() {
        Rng r(mix(stream(kStreamPeople), 5));
        std::vector<size_t> rural;
        for (size_t k = 0; k < houses_.size(); ++k)
            if (!houses_[k].relocated) rural.push_back(k);
        r.shuffle(rural);
        std::vector<unsigned> extra(houses_.size(), 0);
        for (size_t k = 0; k < 6 && k < rural.size(); ++k) extra[rural[k]] |= kNewcomer;  // a few newcomers
        std::vector<size_t> all(houses_.size());
        for (size_t k = 0; k < all.size(); ++k) all[k] = k;
        r.shuffle(all);
        for (size_t k = 0; k < 24; ++k) extra[all[k]] |= kRisk;  // elderly alone, left-behind children, …
        r.shuffle(all);
        for (int k = 0; k < kCameraHouseholds; ++k) extra[all[k]] |= kCameraTag;

        std::map<std::string, Grid*> l4;
        for (auto& g : out_.grids)
            if (g.level == 4) l4[g.grid_id] = &g;
        const std::vector<double> member_weights = {5, 15, 22, 25, 18, 10, 5};  // 1–7 people
        for (size_t k = 0; k < houses_.size(); ++k) {
            const House& hs = houses_[k];
            Household h;
            h.hh_id = id(strf("H%04zu", k + 1));
            h.grid_id = regions_[hs.region].grid_id + strf("-%02d", hs.cell + 1);
            h.head = person_name(r, hs.relocated && r.chance(0.4) ? "罗" : nullptr);
            h.members = 1 + static_cast<int>(r.weighted(member_weights));
            h.phone = mobile_phone(r);
            h.tag_bits = (hs.relocated ? kRelocated : 0u) | extra[k];
            const std::pair<unsigned, const char*> names[] = {
                {kRelocated, "relocated"}, {kRisk, "risk"}, {kNewcomer, "newcomer"}, {kCameraTag, "camera"}};
            for (auto [bit, name] : names)
                if (h.tag_bits & bit) h.tags += (h.tags.empty() ? "" : ";") + std::string(name);
            h.pos = hs.pos;
            Grid* cell = l4.at(h.grid_id);
            if (cell->manager.empty()) cell->manager = h.head, cell->phone = h.phone;
            out_.households.push_back(std::move(h));
        }
    }

    // =================================================================================================
    // [SECTION] CommunityBuilder: cameras, facilities, buildings, candidate sites
    // =================================================================================================

    /** Points 30 m along each road leaving p (p must be a vertex of those roads). */
    std::vector<Vec2> junction_arms(Vec2 p) const {
        std::vector<Vec2> arms;
        for (const auto& road : roads_)
            for (size_t k = 0; k < road.line.size(); ++k) {
                if (!(road.line[k] == p)) continue;
                if (k > 0) arms.push_back(point_along(road.line, k, -1, 30));
                if (k + 1 < road.line.size()) arms.push_back(point_along(road.line, k, 1, 30));
            }
        return arms;
    }

    /** Junctions in order of importance, each with how many road cameras it gets. */
    std::vector<std::pair<Vec2, int>> camera_junctions() const {
        std::vector<std::pair<Vec2, int>> j = {{exit_junction_, 3},        {lat_.vertex(2, 1), 2},
                                               {lat_.vertex(2, 2), 2},     {lat_.vertex(1, 1), 1},
                                               {lat_.vertex(1, 2), 1},     {lat_.vertex(3, 2), 1},
                                               {resettlement_junction_, 1}};
        for (Vec2 s : spur_junctions_) j.push_back({s, 1});
        return j;
    }

    Camera camera(Rng& r, const std::string& owner, Vec2 pos, double azimuth, double fov, double range,
                  double height, int resolution) {
        Camera c;
        c.owner = owner, c.pos = pos;
        c.azimuth = round1(std::fmod(azimuth + 360, 360.0));
        if (c.azimuth >= 360) c.azimuth = 0;
        c.fov = round1(fov), c.range = round1(range), c.height = round1(height), c.resolution_px = resolution;
        c.status = r.chance(0.05) ? "offline" : "online";
        return c;
    }

    /**
     * 15 road cameras at the main junctions (3 at the G320 junction), 32 in the enterprises (at
     * least one each: the gate, then the fence corners), 112 at the 105 camera households (7 with a
     * second camera), facing the road or lane in front of the house.
     */
    void make_cameras() {
        Rng r(stream(kStreamCameras));
        std::vector<Camera> cams;
        // Road cameras: on a pole a few metres off the junction, looking along one arm each.
        int road_cams = 0;
        for (int round = 0; road_cams < kRoadCameras; ++round) {
            for (auto [p, count] : camera_junctions()) {
                const std::vector<Vec2> arms = junction_arms(p);
                for (int k = 0; k < count && road_cams < kRoadCameras; ++k) {
                    const size_t arm = (k + round) % std::max<size_t>(arms.size(), 1);
                    const Vec2 dir = arms.empty() ? Vec2{0, 1} : unit(arms[arm] - p);
                    const Vec2 pos = p - dir * 4 + left_of(dir) * 3;
                    cams.push_back(camera(r, "road", pos, bearing(dir) + r.uniform(-8, 8), r.uniform(60, 100),
                                          r.uniform(60, 120), r.uniform(6, 8), r.chance(0.5) ? 2560 : 3840));
                    ++road_cams;
                }
            }
        }
        // Enterprise cameras: one each, the other 20 to enterprises drawn by parcel area (≤ 5 each).
        std::vector<int> per(parcels_.size(), 1);
        std::vector<double> area_w;
        for (const auto& p : parcels_) area_w.push_back(area(p.shape));
        for (int extra = kEnterpriseCameras - static_cast<int>(parcels_.size()); extra > 0;) {
            const size_t k = r.weighted(area_w);
            if (per[k] < 5) ++per[k], --extra;
        }
        for (size_t k = 0; k < parcels_.size(); ++k) {
            const Parcel& p = parcels_[k];
            const double xm = (p.x0 + p.x1) / 2, south = g320_y(xm) + kParcelSetback;
            const Vec2 middle{xm, south + p.depth / 2};
            const Vec2 spots[] = {{xm, south + 5},
                                  {p.x0 + 6, g320_y(p.x0) + kParcelSetback + 6},
                                  {p.x1 - 6, g320_y(p.x1) + kParcelSetback + 6},
                                  {p.x1 - 6, g320_y(p.x1) + kParcelSetback + p.depth - 6},
                                  {p.x0 + 6, g320_y(p.x0) + kParcelSetback + p.depth - 6}};
            for (int c = 0; c < per[k]; ++c) {
                const Vec2 pos = spots[c];
                // The gate camera watches G320; the others look across the yard.
                const Vec2 look = c == 0 ? Vec2{xm, g320_y(xm)} - pos : middle - pos;
                cams.push_back(camera(r, "enterprise", pos, bearing(look) + r.uniform(-10, 10),
                                      r.uniform(70, 110), r.uniform(40, 80), r.uniform(4, 8),
                                      r.chance(0.6) ? 2560 : 3840));
            }
        }
        // Household cameras: under the eaves, facing the road; the second one looks along it.
        std::vector<size_t> camera_houses;
        for (size_t k = 0; k < out_.households.size(); ++k)
            if (out_.households[k].tag_bits & kCameraTag) camera_houses.push_back(k);
        std::vector<size_t> twice = camera_houses;
        r.shuffle(twice);
        twice.resize(kTwoCameraHouseholds);
        std::sort(twice.begin(), twice.end());
        for (size_t k : camera_houses) {
            const House& hs = houses_[k];
            const Vec2 pos = hs.pos + hs.front * 4;
            const int copies = std::binary_search(twice.begin(), twice.end(), k) ? 2 : 1;
            for (int c = 0; c < copies; ++c) {
                const double az =
                    bearing(hs.front) + (c == 0 ? 0 : (r.chance(0.5) ? 90 : -90)) + r.uniform(-10, 10);
                cams.push_back(camera(r, "household", pos, az, r.uniform(85, 95), r.uniform(25, 40),
                                      r.uniform(2.8, 4.5), r.chance(0.7) ? 1920 : 2560));
            }
        }
        for (size_t k = 0; k < cams.size(); ++k) cams[k].cam_id = id(strf("CAM%03zu", k + 1));
        out_.cameras = std::move(cams);
    }

    /** House footprints (one per household, turned to face its road), enterprise sheds, facility buildings.
     */
    void make_buildings() {
        Rng r(stream(kStreamBuildings));
        for (const House& hs : houses_) {
            Building b;
            const Vec2 along = left_of(hs.front);
            b.shape = {hs.relocated ? rectangle(hs.pos, along, 11, 9)
                                    : rectangle(hs.pos, along, r.uniform(9, 12), r.uniform(7, 10))};
            const double storeys = static_cast<double>(1 + r.weighted({35, 50, 15}));
            b.height = round1(storeys * 3.0 + r.uniform(0, 0.5));
            out_.buildings.push_back(std::move(b));
        }
        for (const Parcel& p : parcels_) {
            const int sheds = r.integer(2, 4);
            const double slot = (p.x1 - p.x0 - 20) / sheds;
            for (int s = 0; s < sheds; ++s) {
                const double w = slot * r.uniform(0.5, 0.85);
                const double xa = p.x0 + 10 + slot * s + r.uniform(0, slot - w), xb = xa + w;
                double lo = -1e18, hi = 1e18;
                for (double x = xa; x <= xb + 1e-9; x += std::max(1.0, (xb - xa) / 8)) {
                    lo = std::max(lo, g320_y(x) + kParcelSetback + 15);
                    hi = std::min(hi, g320_y(x) + kParcelSetback + p.depth - 15);
                }
                if (hi - lo < 20) continue;
                const double d = (hi - lo) * r.uniform(0.3, 0.6), ya = lo + r.uniform(0, hi - lo - d);
                Building b;
                b.shape = {Polygon{{Ring{{xa, ya}, {xb, ya}, {xb, ya + d}, {xa, ya + d}}}}};
                b.height = round1(r.uniform(6, 12));
                out_.buildings.push_back(std::move(b));
            }
        }
        for (const Facility& f : out_.facilities) {
            double w = 0, d = 0, ht = 0;
            if (f.kind == "grid_station") w = 26, d = 14, ht = 10;
            if (f.kind == "school") w = 44, d = 18, ht = 12;
            if (f.kind == "clinic") w = 16, d = 10, ht = 6;
            if (f.kind == "patrol_base") w = 12, d = 8, ht = 4;
            if (w == 0) continue;  // the persuasion station is a booth on the junction
            Building b;
            b.shape = {rectangle(f.pos, unit(nearest_road_point(f.pos) - f.pos), w, d)};
            b.height = ht;
            out_.buildings.push_back(std::move(b));
        }
    }

    /** 40 candidate camera sites (SPEC §5.4): junctions without a road camera, then points on village roads.
     */
    void make_candidates() {
        Rng r(stream(kStreamCandidates));
        std::vector<Vec2> pool,
            watched;  // watched: junctions that have road cameras (as make_cameras hands them out)
        int handed_out = 0;
        for (auto [p, count] : camera_junctions()) {
            (handed_out < kRoadCameras ? watched : pool).push_back(p);
            handed_out += count;
        }
        std::vector<Vec2> along;
        for (const auto& road : roads_)
            if (road.road_class == "village" || road.road_class == "county")
                for (const Station& s : stations(road.line, 60, 30)) along.push_back(s.p);
        r.shuffle(along);
        pool.insert(pool.end(), along.begin(), along.end());
        std::vector<Vec2> picked;
        for (Vec2 p : pool) {
            if (picked.size() >= 40) break;
            bool ok = l1_area_->contains(p);
            for (Vec2 q : picked) ok = ok && distance(p, q) >= 90;
            for (Vec2 q : watched) ok = ok && distance(p, q) >= 40;
            if (ok) picked.push_back(p);
        }
        for (size_t k = 0; k < picked.size(); ++k) {
            Candidate c;
            c.site_id = id(strf("S%02zu", k + 1));
            c.pos = picked[k];
            out_.candidates.push_back(c);
        }
    }

    // =================================================================================================
    // [SECTION] CommunityBuilder: incidents 2017-01 … 2026-10
    // =================================================================================================

    /**
     * A few hundred incidents from 2017-01-01 to 2026-10-31, each type where it happens: traffic on
     * the roads and most of all near the G320 junction, theft around houses (one hamlet worse) and
     * in the yards, fraud at homes (more in recent years), disputes at homes (many at 罗家大坡),
     * fires at houses, yards and in the fields. 38 disputes, all settled in the villager group or
     * the community.
     */
    void make_incidents() {
        Rng r(stream(kStreamIncidents));
        constexpr int64_t kDay = 86400;
        const int64_t day0 = civil_seconds(2017, 1, 1) / kDay, days = civil_seconds(2026, 10, 31) / kDay - day0 + 1;
        const std::vector<double> day_hours = {0, 0, 0, 0, 0, 1, 2, 3, 5, 6, 6, 6,
                                               5, 5, 6, 6, 6, 5, 5, 5, 4, 3, 1, 1};
        const std::vector<double> traffic_hours = {1, 1, 1, 1, 1, 2, 4, 8, 8, 5, 4, 4,
                                                   5, 4, 4, 5, 6, 8, 9, 7, 5, 3, 2, 1};
        const std::vector<double> theft_hours = {5, 5, 5, 4, 3, 2, 1, 1, 1, 1, 1, 1,
                                                 1, 1, 1, 1, 1, 2, 2, 3, 3, 4, 5, 5};
        const Vec2 theft_hotspot = houses_[r.integer(0, static_cast<int>(houses_.size()) - 1)].pos;
        auto jitter = [&](Vec2 p, double sigma) { return p + Vec2{r.normal() * sigma, r.normal() * sigma}; };
        auto any_house = [&]() { return houses_[r.integer(0, static_cast<int>(houses_.size()) - 1)]; };
        auto on_road = [&](bool main_only) {
            std::vector<double> w;
            for (const auto& road : roads_)
                w.push_back(main_only && road.road_class != "national" && road.road_class != "county"
                                ? 0
                                : polyline_length(road.line));
            const LineString& l = roads_[r.weighted(w)].line;
            const std::vector<Station> st = stations(l, 5, r.uniform(0, 5));
            const Station& s = st[r.integer(0, static_cast<int>(st.size()) - 1)];
            return s.p + left_of(s.dir) * r.uniform(-4, 4);
        };
        auto in_yard = [&]() {
            const Parcel& p = parcels_[r.integer(0, static_cast<int>(parcels_.size()) - 1)];
            const double x = r.uniform(p.x0 + 5, p.x1 - 5);
            return Vec2{x, g320_y(x) + kParcelSetback + r.uniform(5, p.depth - 5)};
        };
        const Box box = l1_area_->box();
        auto anywhere = [&]() { return Vec2{r.uniform(box.xmin, box.xmax), r.uniform(box.ymin, box.ymax)}; };

        struct Plan {
            const char* type;
            int count;
        };
        const Plan plans[] = {{"traffic", 72}, {"theft", 64}, {"fraud", 56},
                              {"dispute", 38}, {"fire", 17},  {"other", 45}};
        std::vector<Incident> incidents;
        for (const Plan& plan : plans) {
            const std::string type = plan.type;
            for (int k = 0; k < plan.count; ++k) {
                Vec2 p;
                for (int tries = 0;; ++tries) {
                    const double u = r.uniform();
                    if (type == "traffic")
                        p = u < 0.35 ? exit_junction_ + Vec2{r.normal() * 35, r.normal() * 8}
                                     : on_road(u < 0.65);
                    else if (type == "theft")
                        p = u < 0.3   ? jitter(theft_hotspot, 60)
                            : u < 0.7 ? jitter(any_house().pos, 15)
                                      : in_yard();
                    else if (type == "fraud")
                        p = jitter(any_house().pos, 5);
                    else if (type == "dispute")
                        p = u < 0.4
                                ? jitter(
                                      houses_[r.integer(0, kRelocatedHouseholds - 1) + first_relocated()].pos,
                                      10)
                                : jitter(any_house().pos, 20);
                    else if (type == "fire")
                        p = u < 0.5 ? jitter(any_house().pos, 20) : u < 0.7 ? in_yard() : anywhere();
                    else
                        p = u < 0.5 ? on_road(false) : jitter(any_house().pos, 30);
                    if (l1_area_->contains(p) || tries > 50) break;
                }
                Incident in;
                in.type = type, in.pos = p;
                double frac = r.uniform();
                if (type == "fraud") frac = std::sqrt(frac);  // telecom fraud grew year by year
                const int64_t day = day0 + std::min<int64_t>(days - 1, static_cast<int64_t>(frac * days));
                const auto& hours = type == "traffic" ? traffic_hours
                                    : type == "theft" ? theft_hours
                                                      : day_hours;
                in.time = iso_date(day * kDay) +
                          strf("T%02d:%02d:00", static_cast<int>(r.weighted(hours)), r.integer(0, 59));
                in.when = parse_incident_time(in.time);
                const char* const colors[] = {"green", "blue", "yellow", "red"};
                in.color = colors[r.weighted(type == "dispute" ? std::vector<double>{45, 30, 18, 7}
                                                               : std::vector<double>{55, 25, 14, 6})];
                // SPEC §2: every dispute settled in the villager group or the community, none at the town.
                if (type == "dispute") in.settled_at = r.chance(0.62) ? "group" : "community";
                incidents.push_back(std::move(in));
            }
        }
        std::stable_sort(incidents.begin(), incidents.end(),
                         [](const Incident& a, const Incident& b) { return a.time < b.time; });
        for (size_t k = 0; k < incidents.size(); ++k) incidents[k].inc_id = id(strf("I%04zu", k + 1));
        out_.incidents = std::move(incidents);
    }

    int first_relocated() const {
        for (size_t k = 0; k < houses_.size(); ++k)
            if (houses_[k].relocated) return static_cast<int>(k);
        return 0;
    }

    void translate_to_origin() {
        const Vec2 o = spec_.origin;
        auto mp = [o](MultiPolygon& m) {
            for (auto& poly : m)
                for (auto& ring : poly.rings)
                    for (auto& p : ring) p = p + o;
        };
        for (auto& g : out_.grids) mp(g.shape);
        for (auto& e : out_.enterprises) mp(e.shape);
        for (auto& b : out_.buildings) mp(b.shape);
        for (auto& h : out_.households) h.pos = h.pos + o;
        for (auto& c : out_.cameras) c.pos = c.pos + o;
        for (auto& i : out_.incidents) i.pos = i.pos + o;
        for (auto& f : out_.facilities) f.pos = f.pos + o;
        for (auto& c : out_.candidates) c.pos = c.pos + o;
        for (const auto& road : roads_) {
            Road rd;
            rd.name = road.name, rd.road_class = road.road_class;
            LineString l = road.line;
            for (auto& p : l) p = p + o;
            rd.shape = {std::move(l)};
            out_.roads.push_back(std::move(rd));
        }
    }
};

// =====================================================================================================
// [SECTION] N communities side by side
// =====================================================================================================

/** The community's centre, 24.59°N 98.69°E, in EPSG:4542, rounded to the metre (tidy coordinates). */
Vec2 community_centre() {
    Transform t(parse_crs("EPSG:4490"), parse_crs("EPSG:4542"));
    const Vec2 c = t.apply(Vec2{98.69, 24.59});
    return {std::round(c.x), std::round(c.y)};
}

std::string wkt_of(const std::string& crs) {
    OGRSpatialReference srs = parse_crs(crs);
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

template <class T>
void append(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    from.clear();
}

template <class T>
void number(std::vector<T>& v) {
    for (size_t k = 0; k < v.size(); ++k) v[k].fid = static_cast<int64_t>(k + 1);
}

}  // namespace

Dataset generate_demo(const DemoOptions& options, const Progress& progress) {
    if (options.scale < 1)
        throw Error("scale " + std::to_string(options.scale) + " is less than 1", {"", "", "", "--scale"},
                    "give --scale 1 or more");
    auto report = [&](double f, const std::string& label) {
        if (progress) progress(f, label);
    };
    const int n = options.scale;
    const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
    const int rows = (n + cols - 1) / cols;
    const Vec2 centre = community_centre();
    int digits = 3;
    for (int m = n - 1; m >= 1000; m /= 10) ++digits;

    auto spec_of = [&](int k) {
        CommunitySpec s;
        // Copy 0 keeps the user's seed, so the first community of any scale is the model community.
        s.seed = k == 0 ? options.seed : mix(options.seed, static_cast<uint64_t>(k));
        s.prefix = n > 1 ? strf("C%0*d-", digits, k) : "";
        s.l1_name = n > 1 ? strf("大坪子社区（C%0*d）", digits, k) : "大坪子社区";
        const int col = k % cols, row = k / cols;
        s.origin =
            centre + Vec2{(col - (cols - 1) / 2.0) * kCopyStrideX, ((rows - 1) / 2.0 - row) * kCopyStrideY};
        return s;
    };

    // Communities are independent: built in parallel (each thread with its own GEOS context),
    // then joined in index order, so the result does not depend on the thread count.
    std::vector<Dataset> parts(n);
    std::atomic<int> done{0};
    std::mutex report_mutex;
    report(0, n > 1 ? "generating communities" : "generating the community");
    parallel_for(static_cast<size_t>(n), [&](size_t k) {
        parts[k] = CommunityBuilder(spec_of(static_cast<int>(k))).build();
        std::lock_guard<std::mutex> lock(report_mutex);
        const int d = ++done;
        report(0.95 * d / n, n > 1 ? "generating communities" : "generating the community");
    });

    Dataset ds;
    ds.source =
        strf("gridwatch demo --seed %llu --scale %d", static_cast<unsigned long long>(options.seed), n);
    ds.crs = "EPSG:4490";
    ds.work_crs = "EPSG:4542";
    ds.source_crs_wkt = wkt_of(ds.crs);
    ds.work_crs_wkt = wkt_of(ds.work_crs);
    // Layer by layer, community by community: grids of copy 0, then of copy 1, …
    for (auto& p : parts) append(ds.grids, p.grids);
    for (auto& p : parts) append(ds.households, p.households);
    for (auto& p : parts) append(ds.cameras, p.cameras);
    for (auto& p : parts) append(ds.enterprises, p.enterprises);
    for (auto& p : parts) append(ds.roads, p.roads);
    for (auto& p : parts) append(ds.buildings, p.buildings);
    for (auto& p : parts) append(ds.incidents, p.incidents);
    for (auto& p : parts) append(ds.facilities, p.facilities);
    for (auto& p : parts) append(ds.candidates, p.candidates);
    number(ds.grids), number(ds.households), number(ds.cameras), number(ds.enterprises), number(ds.roads);
    number(ds.buildings), number(ds.incidents), number(ds.facilities), number(ds.candidates);

    auto layer = [&](const std::string& name, const char* geometry, size_t count) {
        LayerInfo info;
        info.name = info.source_name = name;
        info.source = ds.source;
        info.geometry = geometry;
        info.crs = ds.crs;
        info.count = static_cast<int64_t>(count);
        ds.layers.push_back(info);
    };
    // In canonical_layers() order, with the geometry types the writer gives them.
    layer("grids", OGRGeometryTypeToName(wkbMultiPolygon), ds.grids.size());
    layer("enterprises", OGRGeometryTypeToName(wkbMultiPolygon), ds.enterprises.size());
    layer("buildings", OGRGeometryTypeToName(wkbMultiPolygon), ds.buildings.size());
    layer("roads", OGRGeometryTypeToName(wkbMultiLineString), ds.roads.size());
    layer("households", OGRGeometryTypeToName(wkbPoint), ds.households.size());
    layer("cameras", OGRGeometryTypeToName(wkbPoint), ds.cameras.size());
    layer("incidents", OGRGeometryTypeToName(wkbPoint), ds.incidents.size());
    layer("facilities", OGRGeometryTypeToName(wkbPoint), ds.facilities.size());
    layer("candidates", OGRGeometryTypeToName(wkbPoint), ds.candidates.size());
    report(1, "generated");
    return ds;
}

}  // namespace gw
