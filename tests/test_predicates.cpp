// The small geometric predicates coverage and reading lean on, against GEOS's robust ones:
// segments_meet, polygons_meet (a camera sees a house), polygons_within (queen contiguity) and
// ring_clearly_simple (validity).
#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "geo/core/geometry.h"
#include "geo/core/geos.h"

using namespace gw;

namespace {

geos::Geom segment(Vec2 a, Vec2 b) {
    GEOSContextHandle_t h = geos::ctx();
    GEOSCoordSequence* cs = GEOSCoordSeq_create_r(h, 2, 2);
    GEOSCoordSeq_setXY_r(h, cs, 0, a.x, a.y);
    GEOSCoordSeq_setXY_r(h, cs, 1, b.x, b.y);
    return geos::Geom(GEOSGeom_createLineString_r(h, cs));
}

bool geos_meet(const MultiPolygon& a, const MultiPolygon& b) {
    geos::Geom ga = geos::to_geos(a), gb = geos::to_geos(b);
    return GEOSIntersects_r(geos::ctx(), ga.get(), gb.get()) == 1;
}

MultiPolygon polygon(const Ring& r) { return {Polygon{{r}}}; }

}  // namespace

TEST(Predicates, SegmentsMeetHandCases) {
    struct Case {
        Vec2 a, b, c, d;
        bool meet;
    } cases[] = {
        {{0, 0}, {2, 2}, {0, 2}, {2, 0}, true},    // cross
        {{0, 0}, {1, 0}, {1, 0}, {2, 5}, true},    // share an end
        {{0, 0}, {2, 0}, {1, 0}, {1, 3}, true},    // an end on the other
        {{0, 0}, {2, 0}, {1, 0}, {3, 0}, true},    // collinear overlap
        {{0, 0}, {1, 0}, {2, 0}, {3, 0}, false},   // collinear apart
        {{0, 0}, {2, 0}, {1, 1e-9}, {1, 3}, false},  // just above
        {{0, 0}, {1, 1}, {2, 0}, {3, -5}, false},
    };
    for (const auto& k : cases) {
        EXPECT_EQ(segments_meet(k.a, k.b, k.c, k.d), k.meet);
        EXPECT_EQ(segments_meet(k.c, k.d, k.b, k.a), k.meet);  // symmetric, either direction
    }
}

TEST(Predicates, SegmentsMeetAgreesWithGeosOnRandomAndGridPoints) {
    std::mt19937_64 rng(11);
    std::uniform_int_distribution<int> G(0, 4);  // grid points: many touches and collinear cases
    for (int i = 0; i < 20000; ++i) {
        Vec2 p[4];
        for (auto& v : p) v = {static_cast<double>(G(rng)), static_cast<double>(G(rng))};
        if (p[0] == p[1] || p[2] == p[3]) continue;
        geos::Geom s = segment(p[0], p[1]), t = segment(p[2], p[3]);
        ASSERT_EQ(segments_meet(p[0], p[1], p[2], p[3]), GEOSIntersects_r(geos::ctx(), s.get(), t.get()) == 1) << i;
    }
}

TEST(Predicates, PolygonsMeetAgreesWithGeos) {
    std::mt19937_64 rng(12);
    std::uniform_int_distribution<int> G(0, 6);
    auto random_triangle_or_box = [&](int k) {
        Vec2 a{static_cast<double>(G(rng)), static_cast<double>(G(rng))};
        if (k % 2) return polygon(Ring{a, a + Vec2{1, 0}, a + Vec2{1, 1}, a + Vec2{0, 1}});
        Vec2 b{static_cast<double>(G(rng)), static_cast<double>(G(rng))}, c{static_cast<double>(G(rng)), static_cast<double>(G(rng))};
        return polygon(Ring{a, b, c});
    };
    int met = 0;
    for (int i = 0; i < 5000; ++i) {
        MultiPolygon p = random_triangle_or_box(i), q = random_triangle_or_box(i / 2);
        if (std::abs(area(p)) == 0 || std::abs(area(q)) == 0) continue;
        const bool want = geos_meet(p, q);
        met += want;
        ASSERT_EQ(polygons_meet(p, q), want) << i;
    }
    EXPECT_GT(met, 500);
    // A box wholly inside another (no edges meeting) and one touching it at a corner.
    EXPECT_TRUE(polygons_meet(polygon({{0, 0}, {10, 0}, {10, 10}, {0, 10}}), polygon({{4, 4}, {5, 4}, {5, 5}, {4, 5}})));
    EXPECT_TRUE(polygons_meet(polygon({{0, 0}, {1, 0}, {1, 1}, {0, 1}}), polygon({{1, 1}, {2, 1}, {2, 2}, {1, 2}})));
}

// Queen contiguity's test (hotspots): against GEOS's DistanceWithin on cells of a lattice whose
// vertices are moved by less and more than the 1 mm, cells nested in others and in holes, parts of
// multipolygons far apart, T-junctions (a vertex on the neighbour's edge), and 1e-9 m perturbations.
TEST(Predicates, PolygonsWithinAgreesWithGeos) {
    std::mt19937_64 rng(17);
    std::uniform_int_distribution<int> G(0, 4), K(0, 9), J(0, 6);
    const double jitters[] = {0, 1e-9, 4e-4, 9.99e-4, 1.001e-3, 3e-3, 0.2};
    auto jiggle = [&](Vec2 v) {
        const double j = jitters[J(rng)];
        std::uniform_real_distribution<double> U(-j, j);
        return K(rng) < 4 ? v : Vec2{v.x + U(rng), v.y + U(rng)};
    };
    auto shape = [&](int kind) {
        // Gauss-Kruger-sized coordinates, 10 m lattice steps.
        const Vec2 o{468000 + 10.0 * G(rng), 2720000 + 10.0 * G(rng)};
        const double w = 10.0 * (1 + G(rng) % 2), h = 10.0 * (1 + G(rng) % 3);
        Ring shell{jiggle(o), jiggle(o + Vec2{w, 0}), jiggle(o + Vec2{w, h}), jiggle(o + Vec2{0, h})};
        if (kind == 1) shell.insert(shell.begin() + 1, jiggle(o + Vec2{w / 2, 0}));  // a T-junction's vertex
        MultiPolygon mp{Polygon{{shell}}};
        if (kind == 2) {  // a hole in the middle
            const Vec2 c = o + Vec2{w / 2, h / 2};
            mp[0].rings.push_back(Ring{c + Vec2{-3, -3}, c + Vec2{-3, 3}, c + Vec2{3, 3}, c + Vec2{3, -3}});
        }
        if (kind == 3) {  // a small cell, maybe inside a hole or another cell
            const Vec2 c = o + Vec2{5, 5};
            mp = {Polygon{{Ring{jiggle(c + Vec2{-1, -1}), jiggle(c + Vec2{1, -1}), jiggle(c + Vec2{1, 1}),
                                jiggle(c + Vec2{-1, 1})}}}};
        }
        if (kind == 4) {  // a second part far away
            const Vec2 f = o + Vec2{500, 0};
            mp.push_back(Polygon{{Ring{f, f + Vec2{10, 0}, f + Vec2{10, 10}, f + Vec2{0, 10}}}});
        }
        return mp;
    };
    int within = 0, apart = 0;
    for (int i = 0; i < 20000; ++i) {
        const MultiPolygon a = shape(K(rng) % 5), b = shape(K(rng) % 5);
        geos::Geom ga = geos::to_geos(a), gb = geos::to_geos(b);
        const double dist = [&] {
            double v = 0;
            GEOSDistance_r(geos::ctx(), ga.get(), gb.get(), &v);
            return v;
        }();
        if (std::abs(dist - 1e-3) < 1e-9) continue;  // a tie at the tolerance: rounding decides either way
        const bool want = GEOSDistanceWithin_r(geos::ctx(), ga.get(), gb.get(), 1e-3) == 1;
        (want ? within : apart)++;
        ASSERT_EQ(polygons_within(a, b, 1e-3), want) << i << " GEOS distance " << dist;
        ASSERT_EQ(polygons_within(b, a, 1e-3), want) << i << " (swapped)";
    }
    EXPECT_GT(within, 2000);
    EXPECT_GT(apart, 2000);
    // A cell in another's hole, 3 m from its edges, is not a neighbour; one filling the hole is.
    const MultiPolygon holed{
        Polygon{{Ring{{0, 0}, {20, 0}, {20, 20}, {0, 20}}, Ring{{5, 5}, {5, 15}, {15, 15}, {15, 5}}}}};
    EXPECT_FALSE(polygons_within(holed, polygon({{8, 8}, {12, 8}, {12, 12}, {8, 12}}), 1e-3));
    EXPECT_TRUE(polygons_within(holed, polygon({{5, 5}, {15, 5}, {15, 15}, {5, 15}}), 1e-3));
    // Wholly inside, no edge near: within.
    EXPECT_TRUE(polygons_within(polygon({{0, 0}, {20, 0}, {20, 20}, {0, 20}}),
                                polygon({{8, 8}, {12, 8}, {12, 12}, {8, 12}}), 1e-3));
}

TEST(Predicates, RingClearlySimpleHandCases) {
    EXPECT_TRUE(ring_clearly_simple({{0, 0}, {4, 0}, {4, 3}, {0, 3}}));
    EXPECT_TRUE(ring_clearly_simple({{0, 0}, {4, 0}, {4, 0}, {4, 3}, {0, 3}, {0, 0}}));  // repeats, closed
    EXPECT_TRUE(ring_clearly_simple({{0, 0}, {2, 0}, {4, 0}, {4, 3}, {0, 3}}));           // a straight vertex
    EXPECT_FALSE(ring_clearly_simple({{0, 0}, {4, 3}, {4, 0}, {0, 3}}));                  // a bow tie
    EXPECT_FALSE(ring_clearly_simple({{0, 0}, {4, 0}, {6, 0}, {4, 0}, {4, 3}, {0, 3}}));  // a spike
    EXPECT_FALSE(ring_clearly_simple({{0, 0}, {4, 0}, {2, 2}, {4, 4}, {0, 4}, {2, 2}}));  // touches itself
    EXPECT_FALSE(ring_clearly_simple({{0, 0}, {4, 0}, {0, 0}}));                          // too few points
    EXPECT_FALSE(ring_clearly_simple({{0, 0}, {4, 0}, {4, NAN}, {0, 3}}));
}

TEST(Predicates, RingClearlySimplePassesLongStraightSidesAtAnySlope) {
    // A square with 100 collinear vertices a side, as a diamond, north-aligned and turned by 0.3
    // rad: the sweep pairs each edge with its neighbours only. Swept over x, the north-aligned
    // square's vertical sides paired each with each; over x + y, the diamond's sides at 135° did,
    // past the budget, and both went to GEOS.
    for (const double turn : {0.0, M_PI / 4, 0.3}) {
        const Vec2 c{471000, 2712000};
        Ring r;
        for (int s = 0; s < 4; ++s)
            for (int i = 0; i < 100; ++i) {
                const double a0 = turn + s * M_PI / 2, a1 = a0 + M_PI / 2, f = i / 100.0;
                const Vec2 p{std::cos(a0) * (1 - f) + std::cos(a1) * f,
                             std::sin(a0) * (1 - f) + std::sin(a1) * f};
                r.push_back(c + p * 50.0);
            }
        EXPECT_TRUE(ring_clearly_simple(r)) << "turned " << turn;
    }
}

TEST(Predicates, RingClearlySimpleNeverPassesWhatGeosFindsInvalid) {
    std::mt19937_64 rng(13);
    std::uniform_int_distribution<int> G(0, 5), N(3, 9);
    std::uniform_real_distribution<double> U(0, 1);
    int simple = 0, invalid = 0;
    for (int i = 0; i < 20000; ++i) {
        Ring r;
        const int n = N(rng);
        // Grid points (touches, collinear runs, repeats) and, now and then, far-off coordinates.
        const Vec2 off = i % 3 ? Vec2{0, 0} : Vec2{471000, 2712000};
        for (int k = 0; k < n; ++k) r.push_back(off + Vec2{static_cast<double>(G(rng)), static_cast<double>(G(rng))});
        std::uniform_int_distribution<int> K(0, n - 1);
        if (i % 5 == 0) r[K(rng)] = r[K(rng)] + Vec2{1e-10, 0};  // a near touch
        geos::Geom g = geos::to_geos(polygon(r));
        const bool valid = g && geos::is_valid(g.get());
        const bool ours = ring_clearly_simple(r);
        if (ours) {
            ASSERT_TRUE(valid) << "ring " << i << " passed but GEOS finds it invalid";
        }
        simple += ours, invalid += !valid;
    }
    EXPECT_GT(simple, 1000);  // it does pass most valid rings
    EXPECT_GT(invalid, 1000);
}

TEST(Predicates, RingClearlySimpleOnLongRingsAgreesWithEveryPairAndWithGeos) {
    // Cells following roads and terrain have hundreds of vertices (2,082 of a county's 10,900 have
    // over 64). The sweep pairs only edges whose ranges of x + φ·y overlap: every pair, brute force, must
    // decide the same, and no ring it passes may be one GEOS finds invalid.
    auto every_pair = [](Ring r) {  // the same tests over all pairs of edges whose boxes meet
        r.erase(std::unique(r.begin(), r.end()), r.end());
        while (r.size() > 1 && r.front() == r.back()) r.pop_back();
        const size_t n = r.size();
        if (n < 3) return false;
        Box box;
        for (Vec2 p : r) box.add(p);
        const double size = std::max(box.width(), box.height());
        std::vector<double> tol(n);
        for (size_t i = 0; i < n; ++i) tol[i] = 1e-9 * length(r[(i + 1) % n] - r[i]) * size;
        auto one_side = [&](size_t e, Vec2 u, Vec2 v) {
            const Vec2 p = r[e], d = r[(e + 1) % n] - p;
            const double su = cross(d, u - p), sv = cross(d, v - p);
            return (su > tol[e] && sv > tol[e]) || (su < -tol[e] && sv < -tol[e]);
        };
        for (size_t i = 0; i < n; ++i) {
            const Vec2 a = r[i], b = r[(i + 1) % n], c = r[(i + 2) % n];
            if (std::abs(cross(b - a, c - b)) <= tol[i] * length(c - b) / size && dot(b - a, c - b) < 0)
                return false;
            for (size_t j = i + 2; j < n; ++j) {
                const Vec2 u = r[j], v = r[(j + 1) % n];
                const bool boxes_meet =
                    std::max(u.x, v.x) >= std::min(a.x, b.x) && std::min(u.x, v.x) <= std::max(a.x, b.x) &&
                    std::max(u.y, v.y) >= std::min(a.y, b.y) && std::min(u.y, v.y) <= std::max(a.y, b.y);
                if (!(i == 0 && j == n - 1) && boxes_meet && !one_side(i, u, v) && !one_side(j, a, b))
                    return false;
            }
        }
        return true;
    };
    std::mt19937_64 rng(20261205);
    std::uniform_real_distribution<double> U(0, 1);
    int simple = 0, not_simple = 0, left_to_geos = 0;
    for (int i = 0; i < 3000; ++i) {
        // A star-shaped ring of 4–400 vertices (over 32 the sweep) around a Gauss-Krüger point, radii
        // jittered; some with a vertex pulled across the ring, onto another vertex, or onto an edge
        // (or 1e-9 m off it).
        const int n = 4 + static_cast<int>(396 * U(rng));
        const Vec2 c{471000 + 1000 * U(rng), 2712000 + 1000 * U(rng)};
        Ring r;
        for (int k = 0; k < n; ++k) {
            const double t = 2 * M_PI * k / n, rad = 50 + (i % 2 ? 40 : 5) * U(rng);
            r.push_back(c + Vec2{rad * std::cos(t), rad * std::sin(t)});
        }
        std::uniform_int_distribution<int> K(0, n - 1);
        switch (i % 4) {
            case 1:
                r[K(rng)] = c + (c - r[K(rng)]) * 1.05;
                break;  // across: crossings
            case 2:
                r[K(rng)] = r[K(rng)];
                break;  // a repeated vertex elsewhere
            case 3: {   // onto an edge, or 1e-9 m off it
                const int e = K(rng);
                const Vec2 mid = (r[e] + r[(e + 1) % n]) * 0.5;
                r[(e + n / 2) % n] = mid + Vec2{i % 8 == 3 ? 1e-9 : 0, 0};
                break;
            }
            default:
                break;
        }
        // A smooth ring (a cell's outline) is decided as every pair decides it; a wildly jagged
        // one may exceed the sweep's budget and be left to GEOS ("not certain"), never passed wrongly.
        const bool ours = ring_clearly_simple(r), all = every_pair(r);
        if (i % 2 == 0) {
            ASSERT_EQ(ours, all) << "ring " << i;
        } else if (ours) {
            ASSERT_TRUE(all) << "ring " << i;
        }
        left_to_geos += all && !ours;
        if (ours) {
            geos::Geom g = geos::to_geos(polygon(r));
            ASSERT_TRUE(g && geos::is_valid(g.get())) << "ring " << i << " passed but GEOS finds it invalid";
        }
        simple += ours, not_simple += !ours;
    }
    EXPECT_GT(simple, 600);  // the rings left as made (a star around its centre is simple)
    EXPECT_GT(not_simple, 1500);
    EXPECT_LT(left_to_geos, 150) << "the budget should leave only the most jagged rings to GEOS";
    // A comb across x (every edge spans the same x-range): past the budget, GEOS decides.
    Ring comb;
    for (int k = 0; k < 20000; ++k) comb.push_back({k % 2 ? 1000.0 : 0.0, static_cast<double>(k)});
    comb.push_back({-1, 19999}), comb.push_back({-1, 0});
    EXPECT_FALSE(ring_clearly_simple(comb));
}

// RingSlabs asks only the edges of a point's slab, and must answer as gw::inside does, bit for
// bit: on star-shaped views with arcs and on zigzag rings with horizontal edges, repeated
// vertices and collinear runs, at random points, at every vertex, on every edge's midpoint, and
// at points a nanometre off each. An edge left out of a slab it meets, or a slab found from a
// height rounded the other way, fails.
TEST(Predicates, RingSlabsAnswerAsInsideDoes) {
    std::mt19937_64 rng(23);
    std::uniform_real_distribution<double> u(-1, 1);
    int asked = 0, held = 0;
    for (int trial = 0; trial < 300; ++trial) {
        Ring r;
        const Vec2 c{468000 + 1000 * u(rng), 2720000 + 1000 * u(rng)};
        const int n = 3 + static_cast<int>(rng() % 400);
        if (trial % 2 == 0) {  // a view: radii over the turn, some at the range
            for (int k = 0; k < n; ++k) {
                const double a = 2 * std::numbers::pi * k / n,
                             rad = rng() % 3 ? 50 : 5 + 45 * (u(rng) + 1) / 2;
                r.push_back(c + Vec2{std::cos(a), std::sin(a)} * rad);
            }
        } else {  // a zigzag on a lattice: horizontal edges, repeats, collinear runs
            for (int k = 0; k < n; ++k) {
                const double x = c.x + (k % 2 ? 30 : -30) + std::round(5 * u(rng)),
                             y = c.y + std::round(40 * u(rng)) / 4;
                r.push_back({x, y});
                if (rng() % 7 == 0) r.push_back({x, y});
            }
        }
        const RingSlabs slabs(r);
        std::vector<Vec2> pts;
        for (int k = 0; k < 200; ++k) pts.push_back(c + Vec2{60 * u(rng), 60 * u(rng)});
        for (size_t k = 0; k < r.size(); ++k) {
            const Vec2 a = r[k], b = r[(k + 1) % r.size()], m = (a + b) * 0.5;
            for (Vec2 p : {a, m})
                for (Vec2 d : {Vec2{0, 0}, Vec2{1e-9, 0}, Vec2{0, 1e-9}, Vec2{-1e-9, -1e-9}})
                    pts.push_back(p + d);
        }
        // Heights far off or not numbers at all go to an end slab, and answer as inside does.
        for (double y : {1e300, -1e300, std::numeric_limits<double>::quiet_NaN()}) pts.push_back({c.x, y});
        pts.push_back({std::numeric_limits<double>::quiet_NaN(), c.y});
        for (Vec2 p : pts) {
            const bool want = inside(r, p);
            ASSERT_EQ(slabs.inside(p), want) << "trial " << trial << " at " << p.x << "," << p.y;
            ++asked, held += want;
        }
    }
    EXPECT_GT(held, asked / 10);                                       // points both inside and out
    const Ring line{{0, 0}, {1, 1}}, flat{{0, 2}, {1, 2}, {3, 2}};
    EXPECT_FALSE(RingSlabs(line).inside({0.5, 0.5}));  // no area
    EXPECT_FALSE(RingSlabs(flat).inside({0.5, 2}));
    EXPECT_FALSE(RingSlabs(flat).inside({0.5, 7}));
}
