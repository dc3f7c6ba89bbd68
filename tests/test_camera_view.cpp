// Camera views (SPEC §5.1) against closed forms and brute force.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "geo/analysis/camera_view.h"
#include "geo/core/geos.h"

using namespace gw;

namespace {

Building box_building(double x0, double y0, double w, double h, double rot_deg = 0) {
    const double c = std::cos(rot_deg * M_PI / 180), s = std::sin(rot_deg * M_PI / 180);
    const Vec2 m{x0 + w / 2, y0 + h / 2};
    Ring r;
    for (Vec2 p : {Vec2{x0, y0}, Vec2{x0 + w, y0}, Vec2{x0 + w, y0 + h}, Vec2{x0, y0 + h}}) {
        Vec2 d = p - m;
        r.push_back({m.x + c * d.x - s * d.y, m.y + s * d.x + c * d.y});
    }
    Building b;
    b.shape = {Polygon{{r}}};
    return b;
}

Camera cam_at(Vec2 p, double az, double fov, double range) {
    Camera c;
    c.cam_id = "K";
    c.pos = p, c.azimuth = az, c.fov = fov, c.range = range;
    return c;
}

/** Brute force: q is seen when it is in the sector, in no building, and no building edge cuts apex→q. */
bool seen_brute(const Camera& c, const std::vector<Building>& bs, Vec2 q) {
    Vec2 d = q - c.pos;
    const double dist = length(d);
    if (dist > c.range) return false;
    if (c.fov < 360) {
        double bearing = std::atan2(d.x, d.y) * 180 / M_PI;  // clockwise from north
        double diff = std::remainder(bearing - c.azimuth, 360.0);
        if (std::abs(diff) > c.fov / 2) return false;
    }
    for (const auto& b : bs) {
        if (inside(b.shape, q)) return false;
        for (const auto& poly : b.shape)
            for (const auto& ring : poly.rings)
                for (size_t k = 0; k < ring.size(); ++k) {
                    Vec2 a = ring[k], e = ring[(k + 1) % ring.size()] - a;
                    double den = cross(d, e);
                    if (std::abs(den) < 1e-12) continue;
                    Vec2 w = a - c.pos;
                    double t = cross(w, e) / den, u = cross(w, d) / den;
                    if (t > 0 && t < 1 && u >= 0 && u <= 1) return false;
                }
    }
    return true;
}

double ring_boundary_distance(const MultiPolygon& mp, Vec2 q) {
    double best = 1e300;
    for (const auto& poly : mp)
        for (const auto& ring : poly.rings)
            for (size_t k = 0; k < ring.size(); ++k)
                best = std::min(best, segment_distance(q, ring[k], ring[(k + 1) % ring.size()]));
    return best;
}

}  // namespace

TEST(Sector, AreaWithinATenthOfAPercentOfClosedForm) {
    for (double fov : {1.0, 15.0, 60.0, 90.0, 137.5, 180.0, 270.0, 359.0, 360.0})
        for (double r : {5.0, 30.0, 120.0, 2500.0}) {
            const double want = fov / 360.0 * M_PI * r * r;
            Polygon p = sector_polygon({468000, 2720000}, 33, fov, r);
            EXPECT_NEAR(std::abs(signed_area(p.rings[0])), want, want * 1e-3) << fov << " " << r;
            EXPECT_DOUBLE_EQ(sector_area(fov, r), want);
        }
}

TEST(Sector, AzimuthIsClockwiseFromNorth) {
    // A narrow east-looking sector lies east of the apex, a north-looking one north.
    Polygon east = sector_polygon({0, 0}, 90, 10, 100);
    Polygon north = sector_polygon({0, 0}, 0, 10, 100);
    EXPECT_TRUE(inside(east, Vec2{90, 0}));
    EXPECT_FALSE(inside(east, Vec2{0, 90}));
    EXPECT_TRUE(inside(north, Vec2{0, 90}));
    EXPECT_FALSE(inside(north, Vec2{-90, 0}));
}

TEST(Quality, DistancesFollowThePixelDensityFormula) {
    Camera c = cam_at({0, 0}, 0, 90, 200);
    c.resolution_px = 1920;
    // density = 1920 / (2 d tan 45°) = 960 / d  ->  observe (62.5 px/m) up to 15.36 m.
    EXPECT_NEAR(quality_distance(c, Quality::Observe), 15.36, 1e-9);
    EXPECT_NEAR(quality_distance(c, Quality::Detect), 38.4, 1e-9);
    EXPECT_NEAR(quality_distance(c, Quality::Identify), 3.84, 1e-9);
    EXPECT_TRUE(std::isinf(quality_distance(c, Quality::Any)));
    ViewOptions o;
    o.quality = Quality::Detect;
    auto v = camera_view(c, nullptr, o);
    EXPECT_NEAR(area(v), sector_area(90, 38.4), sector_area(90, 38.4) * 1e-3);
}

TEST(Visibility, WallInFrontHidesWhatIsBehindIt) {
    // A camera looking north at a 20 m wide building 10 m away: the shadow behind it is unseen.
    std::vector<Building> bs = {box_building(-10, 10, 20, 5)};
    Occluders occ(bs);
    Camera c = cam_at({0, 0}, 0, 90, 50);
    auto v = camera_view(c, &occ);
    EXPECT_TRUE(inside(v, Vec2{0, 5}));     // in front of the wall
    EXPECT_FALSE(inside(v, Vec2{0, 12}));   // inside the building
    EXPECT_FALSE(inside(v, Vec2{0, 30}));   // behind it
    // Area by hand: the sector (π·50²/4) minus the shadow. The wall's near face at y = 10 spans
    // x ∈ [−10, 10], i.e. the angles ±45° exactly, the whole fov; so everything beyond y = 10 is
    // hidden and the seen part is the triangle under y = 10 between the sector edges: 10 · 20 / 2.
    EXPECT_NEAR(area(v), 100.0, 1e-6);
}

TEST(Visibility, MatchesBruteForceRaySamplingOnRandomLayouts) {
    std::mt19937_64 rng(42);
    std::uniform_real_distribution<double> U(0, 1);
    for (int trial = 0; trial < 12; ++trial) {
        std::vector<Building> bs;
        for (int i = 0; i < 25; ++i)
            bs.push_back(box_building(-80 + 160 * U(rng), -80 + 160 * U(rng), 4 + 12 * U(rng), 4 + 12 * U(rng),
                                      90 * U(rng)));
        Camera c = cam_at({-5 + 10 * U(rng), -5 + 10 * U(rng)}, 360 * U(rng), trial % 3 == 0 ? 360 : 30 + 150 * U(rng),
                          40 + 50 * U(rng));
        bool in_building = false;
        for (auto& b : bs) in_building |= inside(b.shape, c.pos);
        if (in_building) continue;
        Occluders occ(bs);
        MultiPolygon v = camera_view(c, &occ);
        // A 0.5 m lattice over the disc: every lattice point agrees with brute force, except
        // within 2 cm of the polygon's boundary (the arc is a chord polygon there).
        int agree = 0, total = 0, seen = 0;
        for (double x = -c.range; x <= c.range; x += 0.5)
            for (double y = -c.range; y <= c.range; y += 0.5) {
                Vec2 q = c.pos + Vec2{x + 0.123, y + 0.077};
                bool brute = seen_brute(c, bs, q);
                bool poly = inside(v, q);
                seen += brute;
                ++total;
                if (brute == poly || ring_boundary_distance(v, q) < 0.02) ++agree;
                else ADD_FAILURE() << "trial " << trial << " at " << x << "," << y << " brute " << brute;
            }
        EXPECT_EQ(agree, total);
        // And the areas agree to the lattice's resolution.
        EXPECT_NEAR(area(v), seen * 0.25, std::max(5.0, 0.02 * seen * 0.25)) << "trial " << trial;
    }
}

TEST(Visibility, CameraOnItsOwnWallSeesOutwardNotInside) {
    // A house 10×10; the camera sits on the middle of its north wall looking north.
    std::vector<Building> bs = {box_building(0, 0, 10, 10)};
    Occluders occ(bs);
    Camera c = cam_at({5, 10}, 0, 180, 20);
    auto v = camera_view(c, &occ);
    EXPECT_TRUE(inside(v, Vec2{5, 20}));
    EXPECT_FALSE(inside(v, Vec2{5, 5}));
    EXPECT_NEAR(area(v), sector_area(180, 20), sector_area(180, 20) * 1e-3);
}

TEST(Visibility, CameraOnTheWallTwoHousesShareSeesIntoNeither) {
    // Issue 12's occlusion fuzzer: a camera on the shared wall x = 0 of two row houses looks
    // south-west across the left one. No vertex of the view lies in that house and no corner of
    // the house in the view, yet the view passes through it: its interior must be cut out.
    const std::vector<Building> row = {box_building(-11, -4.076255718, 11, 13), box_building(0, -4.076255718, 6, 13)};
    Occluders occ(row);
    const Camera cam = cam_at({0, 0}, 221.99726754947696, 24.25518312247862, 63.8201233469009);
    const MultiPolygon view = camera_view(cam, &occ);
    geos::Geom v = geos::to_geos(view), house = geos::to_geos(row[0].shape);
    geos::Geom overlap = geos::intersection(v.get(), house.get());
    EXPECT_LT(geos::area(overlap.get()), 1e-9);
    // What lies beyond the house is still seen (no building blocks it: the camera's own walls do not).
    EXPECT_TRUE(inside(view, Vec2{-20.07, -22.29}));  // bearing 222°, 30 m
    EXPECT_FALSE(inside(view, Vec2{-2.0, -2.23}));  // bearing 222°, 3 m: inside the left house
}

TEST(Visibility, AViewEntersNoBuildingWhereverTheCameraStands) {
    // camera_view cuts out only the buildings holding the camera: every other one bounds the
    // sweep's polygon. Checked against GEOS over layouts with overlapping buildings, a courtyard
    // and row houses, cameras inside buildings, on walls and corners, in the courtyard and in the
    // open, sectors and discs: what a view shares with any building is rounding.
    std::mt19937_64 rng(20261205);
    std::uniform_real_distribution<double> U(0, 1);
    int inside_one = 0, on_wall = 0, in_court = 0;
    for (int trial = 0; trial < 60; ++trial) {
        std::vector<Building> bs;
        for (int i = 0; i < 14; ++i)
            bs.push_back(box_building(-40 + 80 * U(rng), -40 + 80 * U(rng), 4 + 12 * U(rng), 4 + 12 * U(rng),
                                      trial % 2 ? 90 * U(rng) : 0));
        for (int i = 0; i < 4; ++i) bs.push_back(box_building(-20 + 8 * i, 20, 8, 9));  // a row, shared walls
        Building court = box_building(-10, -10, 20, 20);  // a block round a courtyard
        Ring hole = {{-5, -5}, {-5, 5}, {5, 5}, {5, -5}};
        court.shape[0].rings.push_back(hole);
        bs.push_back(court);
        Vec2 at;
        switch (trial % 5) {
            case 0:
                at = {-3 + 6 * U(rng), -3 + 6 * U(rng)}, ++in_court;
                break;  // in the courtyard
            case 1:
                at = {-8.5 + 2 * U(rng), -9 + 18 * U(rng)}, ++inside_one;
                break;  // inside the block
            case 2:
                at = {-12 + 8 * std::floor(4 * U(rng)), 20 + 9 * U(rng)}, ++on_wall;
                break;  // on a row wall
            case 3:
                at = bs[0].shape[0].rings[0][0];
                break;  // on a corner
            default:
                at = {-40 + 80 * U(rng), -40 + 80 * U(rng)};
        }
        const Camera c = cam_at(at, 360 * U(rng), trial % 4 == 0 ? 360 : 20 + 200 * U(rng), 20 + 40 * U(rng));
        Occluders occ(bs);
        const MultiPolygon view = camera_view(c, &occ);
        const geos::Geom v = geos::to_geos(view);
        for (size_t i = 0; i < bs.size(); ++i) {
            const geos::Geom b = geos::to_geos(bs[i].shape);
            EXPECT_LT(geos::area(geos::intersection(v.get(), b.get()).get()), 1e-6)
                << "trial " << trial << ", building " << i << ", camera at " << at.x << "," << at.y;
        }
        // The sweep's polygon is not empty for a camera in the open or the courtyard.
        if (trial % 5 == 0) {
            EXPECT_GT(area(view), 0) << trial;
        }
    }
    EXPECT_GT(inside_one + on_wall + in_court, 30);
}

TEST(Visibility, ACameraJustInsideAConvexHouseSeesWhatGeosLeavesOfItsSweep) {
    // The view of a camera inside a convex house is cut by hand (the band between the house's walls
    // and the sweep's outline) where it is one ring, by GEOS elsewhere. Either way it must be the
    // sweep's polygon less the house: GEOS's difference of the two, to rounding, and valid.
    // Cameras a micrometre to metres inside the wall, by a corner, in the house's middle, with ranges shorter
    // than the house, sectors along the wall, row houses sharing the wall, a neighbour overlapping.
    std::mt19937_64 rng(20261206);
    std::uniform_real_distribution<double> U(0, 1);
    int cases = 0, by_hand = 0;
    for (int trial = 0; trial < 400; ++trial) {
        const double rot = trial % 3 ? 180 * U(rng) : 0, w = 6 + 10 * U(rng), h = 5 + 8 * U(rng);
        std::vector<Building> bs{box_building(-w / 2, -h / 2, w, h, rot)};
        if (trial % 4 == 1) {  // a pentagon: still convex
            Ring& r = bs[0].shape[0].rings[0];
            const Vec2 e = r[2] - r[1],
                       out{e.y / length(e), -e.x / length(e)};  // right of r1→r2: outward (ccw ring)
            r.insert(r.begin() + 2, (r[1] + r[2]) * 0.5 + out * (1.5 * U(rng)));
        }
        for (int i = 0; i < 8; ++i)
            bs.push_back(box_building(-30 + 60 * U(rng), -30 + 60 * U(rng), 3 + 8 * U(rng), 3 + 8 * U(rng),
                                      90 * U(rng)));
        if (trial % 5 == 2)
            bs.push_back(box_building(w / 2, -h / 2, 7, h));  // east wall shared when not rotated
        if (trial % 7 == 3) bs.push_back(box_building(w / 2 - 1, -1, 5, 2));  // overlapping the house
        // Just inside a wall, a depth from a micrometre to two metres; or anywhere inside.
        const Ring& r = bs[0].shape[0].rings[0];
        const size_t k = static_cast<size_t>(U(rng) * r.size()) % r.size();
        const Vec2 a = r[k], b = r[(k + 1) % r.size()], m = centroid(bs[0].shape);
        const Vec2 on = a + (b - a) * (0.05 + 0.9 * U(rng));
        const double depth = trial % 6 == 0 ? U(rng) : std::pow(10.0, -6 + 6.3 * U(rng));
        Vec2 at = on + (m - on) * (depth / distance(m, on));
        if (trial % 10 == 4)
            at = a + (m - a) * (std::pow(10.0, -12 + 8 * U(rng)) / distance(m, a));  // by a corner
        if (!inside(bs[0].shape, at)) continue;
        if (trial % 2) {  // in a numbered CGCS2000 zone's plane, where a coordinate's ulp is 7.5e-9 m
            const Vec2 far{39'500'000 + 1e5 * U(rng), 3'000'000 + 1e5 * U(rng)};
            for (auto& bl : bs)
                for (Vec2& p : bl.shape[0].rings[0]) p = p + far;
            at = at + far;
            if (!inside(bs[0].shape, at)) continue;
        }
        const double az = trial % 8 == 0 ? std::atan2(b.x - a.x, b.y - a.y) * 180 / M_PI : 360 * U(rng);
        const Camera c = cam_at(at, az, trial % 8 == 0 ? 180 : 10 + 200 * U(rng),
                                trial % 9 == 0 ? 2 + 3 * U(rng) : 15 + 40 * U(rng));
        Occluders occ(bs);
        const MultiPolygon view = camera_view(c, &occ);
        const Polygon sweep = occ.visibility(c.pos, c.azimuth, c.fov, c.range);
        // Less every building holding the camera: the house, and any neighbour overlapping it there.
        geos::Geom want = geos::to_geos(sweep);
        for (size_t i = 0; i < bs.size(); ++i)
            if (occ.holds(static_cast<int>(i), c.pos))
                want = geos::difference(want.get(), geos::to_geos(bs[i].shape).get());
        const geos::Geom got = geos::to_geos(view);
        EXPECT_TRUE(GEOSisValid_r(geos::ctx(), got.get())) << "trial " << trial;
        const geos::Geom apart(GEOSSymDifference_r(geos::ctx(), want.get(), got.get()));
        ASSERT_TRUE(apart) << "trial " << trial;
        const double diff = geos::area(apart.get());
        EXPECT_LT(diff, 1e-6) << "trial " << trial << ", camera " << depth << " m inside, fov " << c.fov;
        EXPECT_NEAR(area(view), geos::area(want.get()), 1e-6) << "trial " << trial;
        ++cases;
        // The cut by hand itself, against GEOS's difference with the house alone.
        if (auto band = sweep_less_house(sweep, c.pos, bs[0].shape[0].rings[0], c.azimuth, c.fov)) {
            const geos::Geom b = geos::to_geos(MultiPolygon{*band}), s = geos::to_geos(sweep);
            const geos::Geom less = geos::difference(s.get(), geos::to_geos(bs[0].shape).get());
            EXPECT_TRUE(GEOSisValid_r(geos::ctx(), b.get())) << "trial " << trial;
            const geos::Geom off(GEOSSymDifference_r(geos::ctx(), less.get(), b.get()));
            ASSERT_TRUE(off) << "trial " << trial;
            EXPECT_LT(geos::area(off.get()), 1e-6)
                << "trial " << trial << ", camera " << depth << " m inside";
            ++by_hand;
        }
    }
    EXPECT_GT(cases, 300);
    EXPECT_GT(by_hand,
              150);  // the rest: by a wall or a corner, a wall past the outline, a neighbour in the house
}

TEST(Visibility, RaysAskingOnlyTheEdgesWhoseSpansHoldThemGiveTheSamePolygon) {
    // Occluders' sweep with many edges near a camera (plan's 360° sites) asks each ray only the
    // edges whose angular spans hold it, and crossings only of edges whose boxes meet: vertex for
    // vertex the polygon of asking every edge. Dense, overlapping houses; the apex on a corner or a
    // nanometre off an edge (the house it is on is no occluder then), a micrometre and a half off the
    // corner of a 200 m hall (asked at every angle); a vertex due east of the apex where the sector
    // starts due east; collinear walls of two houses far apart; far coordinates.
    std::mt19937_64 rng(17);
    std::uniform_real_distribution<double> U(0, 1);
    int rich = 0;  // polygons of many vertices: many edges near the camera
    for (int trial = 0; trial < 300; ++trial) {
        const Vec2 far = trial % 2 ? Vec2{39'500'000 + 1e5 * U(rng), 3'000'000 + 1e5 * U(rng)} : Vec2{0, 0};
        std::vector<Building> bs;
        const int n = 5 + static_cast<int>(60 * U(rng));
        for (int i = 0; i < n; ++i)
            bs.push_back(box_building(far.x - 40 + 80 * U(rng), far.y - 40 + 80 * U(rng), 2 + 10 * U(rng),
                                      2 + 10 * U(rng), trial % 5 ? 90 * U(rng) : 0));
        Vec2 at = far + Vec2{-3 + 6 * U(rng), -3 + 6 * U(rng)};
        const Ring& r1 = bs[1].shape[0].rings[0];
        if (trial % 7 == 1) at = r1[0];                                          // on a corner
        if (trial % 7 == 2) at = r1[0] + (r1[1] - r1[0]) * 0.5 + Vec2{0, 1e-9};  // by an edge
        if (trial % 7 == 5) {                                                    // by a hall's corner
            bs.push_back(box_building(at.x + 1.1e-6, at.y + 1.1e-6, 200, 10));
        }
        if (trial % 3 == 0) {  // a pentagon with a vertex due east of the apex
            Ring& r = bs[0].shape[0].rings[0];
            r.insert(r.begin() + 1, Vec2{at.x + 8 + 5 * U(rng), at.y});
        }
        if (trial % 11 == 4) {  // two houses with collinear walls, 0.5 m apart
            const double x = at.x - 20 + 10 * U(rng), y = at.y + 5 + 10 * U(rng);
            bs.push_back(box_building(x, y, 9.384 + U(rng), 3));
            bs.push_back(box_building(x + 10.5, y, 9.384 + U(rng), 3));
        }
        const bool disc = trial % 3 != 2;
        const double fov = disc ? 360 : 20 + 300 * U(rng), radius = 10 + 70 * U(rng);
        const double az = trial % 4 == 0 ? 90 - fov / 2 : 360 * U(rng);  // the sector's start due east
        const Occluders all(bs, SIZE_MAX), spans(bs, 0);
        const Polygon a = all.visibility(at, az, fov, radius), b = spans.visibility(at, az, fov, radius);
        ASSERT_EQ(a.rings.size(), b.rings.size()) << "trial " << trial;
        for (size_t k = 0; k < a.rings.size(); ++k) {
            ASSERT_EQ(a.rings[k].size(), b.rings[k].size()) << "trial " << trial;
            for (size_t i = 0; i < a.rings[k].size(); ++i)
                ASSERT_TRUE(a.rings[k][i] == b.rings[k][i]) << "trial " << trial << ", vertex " << i;
        }
        rich += !a.rings.empty() && a.rings[0].size() > 40;
    }
    EXPECT_GT(rich, 100);
    // Two walls on one line, 0.5 m apart, their cross product rounding noise above 1e-15: t and u
    // of noise put a crossing in both (0.5, 0.5); neither way of asking may count it.
    const Vec2 a0{-4.039574685355593, -5.973713719986058}, a1{-13.424910598922073, -2.5218345521241186},
        b0{-13.894177394600398, -2.3492405937310217}, b1{-23.279513308166877, 1.1026385741309186};
    const Vec2 off{-0.3451878, -0.9385336};  // a metre away from the camera
    std::vector<Building> walls(2);
    walls[0].shape = {Polygon{{Ring{a0, a1, a1 + off, a0 + off}}}};
    walls[1].shape = {Polygon{{Ring{b0, b1, b1 + off, b0 + off}}}};
    const Polygon w_all = Occluders(walls, SIZE_MAX).visibility({0, 0}, 0, 360, 30),
                  w_spans = Occluders(walls, 0).visibility({0, 0}, 0, 360, 30);
    ASSERT_EQ(w_all.rings.size(), 1u);
    ASSERT_EQ(w_all.rings[0].size(), w_spans.rings[0].size());
    for (size_t i = 0; i < w_all.rings[0].size(); ++i)
        EXPECT_TRUE(w_all.rings[0][i] == w_spans.rings[0][i]) << i;
}
