// Unit tests of geo/: CRS, GCJ-02, camera validation, the tiling check, reading GBK shapefiles.
#include <cpl_conv.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <random>

#include "geo/analysis/stats.h"
#include "geo/analysis/validate.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/parallel.h"
#include "geo/core/text.h"
#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "geo/io/gcj02.h"
#include "geo/io/projector.h"
#include "geo/io/transverse_mercator.h"

namespace fs = std::filesystem;
using namespace gw;

namespace {

/**
 * Transverse Mercator forward by Snyder's series (USGS Professional Paper 1395, eqs. 8-9, 8-10),
 * written from the book, independent of PROJ: the reference for the EPSG:4542 check.
 */
Vec2 snyder_tm(double lon_deg, double lat_deg, double lon0_deg, double a, double inv_f, double fe) {
    const double d2r = M_PI / 180.0;
    const double f = 1.0 / inv_f, e2 = 2 * f - f * f, ep2 = e2 / (1 - e2);
    const double phi = lat_deg * d2r, lam = lon_deg * d2r, lam0 = lon0_deg * d2r;
    const double N = a / std::sqrt(1 - e2 * std::sin(phi) * std::sin(phi));
    const double T = std::tan(phi) * std::tan(phi), C = ep2 * std::cos(phi) * std::cos(phi);
    const double A = (lam - lam0) * std::cos(phi);
    const double e4 = e2 * e2, e6 = e4 * e2;
    const double M = a * ((1 - e2 / 4 - 3 * e4 / 64 - 5 * e6 / 256) * phi -
                          (3 * e2 / 8 + 3 * e4 / 32 + 45 * e6 / 1024) * std::sin(2 * phi) +
                          (15 * e4 / 256 + 45 * e6 / 1024) * std::sin(4 * phi) - (35 * e6 / 3072) * std::sin(6 * phi));
    const double x = N * (A + (1 - T + C) * std::pow(A, 3) / 6 +
                          (5 - 18 * T + T * T + 72 * C - 58 * ep2) * std::pow(A, 5) / 120);
    const double y = M + N * std::tan(phi) *
                             (A * A / 2 + (5 - T + 9 * C + 4 * C * C) * std::pow(A, 4) / 24 +
                              (61 - 58 * T + T * T + 600 * C - 330 * ep2) * std::pow(A, 6) / 720);
    return {fe + x, y};
}

Grid square(const std::string& id, int level, const std::string& parent, double x0, double y0, double w, double h) {
    Grid g;
    g.grid_id = id, g.level = level, g.parent_id = parent;
    g.shape = {Polygon{{Ring{{x0, y0}, {x0 + w, y0}, {x0 + w, y0 + h}, {x0, y0 + h}}}}};
    return g;
}

}  // namespace

TEST(Crs, LonglingPointTo4542MatchesSnyderSeries) {
    // A point in the Longling county seat area, CGCS2000 geographic -> CGCS2000 GK CM 99E.
    const double lon = 98.69, lat = 24.59;
    Transform t(parse_crs("EPSG:4490"), parse_crs("EPSG:4542"));
    Vec2 p = t.apply(Vec2{lon, lat});
    Vec2 ref = snyder_tm(lon, lat, 99.0, 6378137.0, 298.257222101, 500000.0);
    EXPECT_NEAR(p.x, ref.x, 0.01);
    EXPECT_NEAR(p.y, ref.y, 0.01);
    // Sanity of the magnitude: ~31.4 km west of the central meridian, ~2,720 km north.
    EXPECT_NEAR(p.x, 468600, 400);
    EXPECT_NEAR(p.y, 2720700, 1500);
}

// Krüger's series (geo/io/transverse_mercator.h) against PROJ itself, at points the lattice the
// Transform checks does not hold, and PROJ keeping the points outside that lattice.
TEST(Crs, TheSeriesProjectsAsProjDoesToTwentyNanometres) {
    // A Gauss-Krüger zone of its own: origin off the equator, k0 < 1, false origin both ways.
    OGRSpatialReference own = parse_crs("EPSG:4490");
    own.SetProjCS("own zone");
    own.SetTM(30, 114, 0.9999, 100, -200);
    std::vector<std::pair<OGRSpatialReference, OGRSpatialReference>> pairs = {
        {parse_crs("EPSG:4490"), parse_crs("EPSG:4542")},
        {parse_crs("EPSG:4490"), parse_crs("EPSG:4513")},
        {parse_crs("EPSG:4490"),
         parse_crs("EPSG:4527")},  // zone 39 at 117°E, its number in the false easting (39,500,000 m)
        {parse_crs("EPSG:4326"), parse_crs("EPSG:32650")},
        {parse_crs("EPSG:4326"), parse_crs("EPSG:32750")},
        {parse_crs("EPSG:4490"), own}};
    std::mt19937_64 rng(20261205);
    for (const auto& [from, to] : pairs) {
        SCOPED_TRACE(crs_label(from) + " -> " + crs_label(to));
        Transform t(from, to);
        ASSERT_TRUE(t.by_series());
        OGRSpatialReference a(from), b(to);
        a.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        b.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> proj(OGRCreateCoordinateTransformation(&a, &b));
        const double lon0 = b.GetNormProjParm(SRS_PP_CENTRAL_MERIDIAN, 0);
        std::uniform_real_distribution<double> dlon(-8.9, 8.9), lat(-83.9, 83.9);
        std::vector<Vec2> pts;
        for (int i = 0; i < 20000; ++i) pts.push_back({lon0 + dlon(rng), lat(rng)});
        pts.push_back({lon0, 0}), pts.push_back({lon0 + 1e-12, 1e-12}), pts.push_back({lon0 - 3, -1e-9});
        std::vector<Vec2> by_series = pts;
        t.apply(by_series);
        for (size_t i = 0; i < pts.size(); ++i) {
            double x = pts[i].x, y = pts[i].y;
            ASSERT_TRUE(proj->Transform(1, &x, &y));
            ASSERT_NEAR(by_series[i].x, x, 2e-8) << pts[i].x << " " << pts[i].y;
            ASSERT_NEAR(by_series[i].y, y, 2e-8) << pts[i].x << " " << pts[i].y;
        }
        // A batch with a point 20° off the meridian goes through PROJ whole: bit for bit PROJ's, as
        // is a batch of 120,000 the projector splits over the threads.
        std::vector<Vec2> far = {pts[0], {lon0 + 20, 10}};
        t.apply(far);
        for (size_t i = 0; i < 2; ++i) {
            double x = i ? lon0 + 20 : pts[0].x, y = i ? 10 : pts[0].y;
            ASSERT_TRUE(proj->Transform(1, &x, &y));
            EXPECT_EQ(far[i].x, x);
            EXPECT_EQ(far[i].y, y);
        }
        std::vector<Vec2> many(120000, pts[0]);
        many.back() = {lon0 + 20, 10};
        Projector(from, to).apply(many);
        double x = pts[0].x, y = pts[0].y;
        ASSERT_TRUE(proj->Transform(1, &x, &y));
        for (size_t i = 0; i + 1 < many.size(); ++i) ASSERT_TRUE(many[i].x == x && many[i].y == y) << i;

        // The way back (export): the series' inverse through its tiles gives what PROJ's inverse
        // gives, to 20 nm on the ground; a batch with a point that
        // comes back outside the lattice, PROJ's bit for bit.
        Transform back(to, from);
        ASSERT_TRUE(back.by_series());
        EXPECT_FALSE(back.series_takes(std::vector<Vec2>{{500000, 2700000}}));  // the reader's forward test
        std::unique_ptr<OGRCoordinateTransformation> proj_back(OGRCreateCoordinateTransformation(&b, &a));
        // Within 55° of the equator, China and more (from ~57° a few tiles, from ~61° most, miss
        // their 5 nm as longitude turns faster: PROJ then, below).
        std::vector<Vec2> plane;
        for (size_t i = 0; i + 3 < pts.size(); ++i)
            if (std::abs(pts[i].y) <= 55) plane.push_back(pts[i]);
        for (Vec2& p : plane) ASSERT_TRUE(proj->Transform(1, &p.x, &p.y));
        plane.push_back(t.apply(Vec2{lon0, 0})), plane.push_back(t.apply(Vec2{lon0 + 1e-12, 1e-12}));
        std::vector<Vec2> by_inverse = plane;
        ASSERT_TRUE(back.try_series(by_inverse));
        constexpr double kDeg = 111319.49;  // metres a degree of latitude (of longitude: cos φ of that)
        for (size_t i = 0; i < plane.size(); ++i) {
            double x = plane[i].x, y = plane[i].y;
            ASSERT_TRUE(proj_back->Transform(1, &x, &y));
            ASSERT_NEAR(by_inverse[i].x, x, 2e-8 / kDeg / std::cos(y * M_PI / 180))
                << plane[i].x << " " << plane[i].y;
            ASSERT_NEAR(by_inverse[i].y, y, 2e-8 / kDeg) << plane[i].x << " " << plane[i].y;
        }
        // 8.9° and then 200 km more east at 60°N (past 9° of longitude), and 80°N (no tile there).
        std::vector<Vec2> far_back = {plane[0], t.apply(Vec2{lon0 + 8.9, 60}), t.apply(Vec2{lon0 + 1, 80})};
        far_back[1].x += 200000;
        for (size_t k = 1; k < 3; ++k) {
            std::vector<Vec2> batch = {far_back[0], far_back[k]}, want = batch;
            for (Vec2& p : want) ASSERT_TRUE(proj_back->Transform(1, &p.x, &p.y));
            EXPECT_FALSE(back.try_series(batch));
            back.apply(batch);
            for (size_t i = 0; i < 2; ++i) EXPECT_TRUE(batch[i] == want[i]) << k << " " << i;
        }
        std::vector<Vec2> many_back(120000, plane[0]);
        Projector(to, from).apply(many_back);
        for (size_t i = 0; i < many_back.size(); ++i) ASSERT_TRUE(many_back[i] == by_inverse[0]) << i;
    }
    // Not a transverse Mercator from its own datum's degrees, PROJ's approximate one, the way back:
    // PROJ alone.
    EXPECT_FALSE(Transform(parse_crs("EPSG:4326"), parse_crs("EPSG:4542")).by_series());
    EXPECT_FALSE(Transform(parse_crs("EPSG:4490"), parse_crs("EPSG:3857")).by_series());
    EXPECT_TRUE(Transform(parse_crs("EPSG:4542"), parse_crs("EPSG:4490")).by_series());  // the way back
    EXPECT_FALSE(Transform(parse_crs("EPSG:4542"), parse_crs("EPSG:4326")).by_series());
    EXPECT_FALSE(Transform(parse_crs("EPSG:4326"), parse_crs("EPSG:2053")).by_series());  // South Orientated
    EXPECT_FALSE(Transform(parse_crs("EPSG:4490"), parse_crs("EPSG:2236")).by_series());  // US feet
    const std::string tm117 = "+proj=tmerc +lon_0=117 +datum=WGS84 +units=m +type=crs";
    EXPECT_TRUE(Transform(parse_crs("EPSG:4326"), parse_crs(tm117)).by_series());
    EXPECT_FALSE(Transform(parse_crs("EPSG:4326"), parse_crs(tm117 + " +approx")).by_series());
    EXPECT_FALSE(Transform(parse_crs("EPSG:4326"), parse_crs(tm117 + " +algo=evenden_snyder")).by_series());
}

// The series through tiles of local polynomials (TiledTransverseMercator): the series itself to its
// rounding, no tile falling back, and what a point becomes independent of the batch it comes in,
// of the order, and of the threads fitting the tiles it falls in.
TEST(Crs, TheSeriesByTilesIsTheSeriesToRoundingWhateverTheBatch) {
    struct Zone {
        double inv_f, lon0, lat0, k0;
    };
    // CGCS2000's zone at 117°E; WGS84's UTM 18 (k0 0.9996); Krassowsky's with an origin at 30°N.
    for (const Zone z : {Zone{298.257222101, 117, 0, 1}, Zone{298.257223563, -75, 0, 0.9996},
                         Zone{298.3, 114, 30, 0.9999}}) {
        SCOPED_TRACE(z.lon0);
        TransverseMercator::Params p;
        p.a = 6378137, p.inv_flattening = z.inv_f, p.lon0 = z.lon0, p.lat0 = z.lat0, p.k0 = z.k0;
        p.false_easting = 500000;
        const TransverseMercator series(p);
        const TiledTransverseMercator tiled(series);
        std::mt19937_64 rng(20261208);
        std::uniform_real_distribution<double> dlon(-9, 9), lat(-84, 84);
        std::vector<Vec2> pts;
        for (int i = 0; i < 20000; ++i) pts.push_back({z.lon0 + dlon(rng), lat(rng)});
        // A county's worth of points in a few tiles, tiles' edges and corners and a hair either side.
        std::uniform_real_distribution<double> near(-0.2, 0.2);
        for (int i = 0; i < 20000; ++i) pts.push_back({z.lon0 + 1.3 + near(rng), 24.6 + near(rng)});
        for (double e : {0.0, 1e-12, -1e-12})
            pts.push_back({z.lon0 + 1.25 + e, 24.5625 - e}), pts.push_back({z.lon0 - 9, -84.0 + e});
        // Outside the table, the series itself: just past its corner (the tile a fresh cursor must
        // not take for its last one) and far off.
        pts.push_back({z.lon0 - 9.03, -84.03});
        EXPECT_EQ(TiledTransverseMercator::Cursor(tiled)({z.lon0 - 9.03, -84.03}),
                  series.forward(z.lon0 - 9.03, -84.03));
        pts.push_back({z.lon0 + 20, 10});
        std::vector<Vec2> batch = pts;
        tiled.forward(std::span(batch));
        for (size_t i = 0; i < pts.size(); ++i) {
            const Vec2 s = series.forward(pts[i].x, pts[i].y);
            ASSERT_NEAR(batch[i].x, s.x, TiledTransverseMercator::kTileAgrees) << pts[i].x << " " << pts[i].y;
            ASSERT_NEAR(batch[i].y, s.y, TiledTransverseMercator::kTileAgrees) << pts[i].x << " " << pts[i].y;
            ASSERT_EQ(batch[i], tiled.forward(pts[i].x, pts[i].y)) << i;
        }
        EXPECT_EQ(batch.back(), series.forward(z.lon0 + 20, 10));
        EXPECT_EQ(tiled.series_tiles(), 0);
        // Reversed and over the threads, tiles fitted afresh by whichever thread comes first.
        const TiledTransverseMercator fresh(series);
        std::vector<Vec2> reversed(pts.rbegin(), pts.rend());
        parallel_for(reversed.size() / 1000 + 1, [&](size_t c) {
            const size_t from = c * 1000, to = std::min(reversed.size(), from + 1000);
            fresh.forward(std::span(reversed).subspan(from, to - from));
        });
        for (size_t i = 0; i < pts.size(); ++i) ASSERT_EQ(reversed[pts.size() - 1 - i], batch[i]) << i;
    }
}

TEST(Crs, GaussKrugerZoneFormula) {
    EXPECT_EQ(gauss_kruger_epsg(98.69), 4542);  // CM 99E
    EXPECT_EQ(gauss_kruger_epsg(75.2), 4534);
    EXPECT_EQ(gauss_kruger_epsg(135.0), 4554);
    EXPECT_EQ(gauss_kruger_epsg(116.4), 4548);  // Beijing, CM 117E: 4534 + 42/3
    EXPECT_EQ(gauss_kruger_epsg(20.0), 0);
    EXPECT_EQ(working_epsg_for(98.69, 24.59), 4542);
    EXPECT_EQ(working_epsg_for(2.35, 48.85), 32631);    // Paris: UTM 31N
    EXPECT_EQ(working_epsg_for(151.2, -33.87), 32756);  // Sydney: UTM 56S
}

TEST(Crs, TraditionalAxisOrderFor4490) {
    // EPSG:4490 is latitude-first by definition; we always pass longitude first.
    Transform t(parse_crs("EPSG:4490"), parse_crs("EPSG:4326"));
    Vec2 p = t.apply(Vec2{98.69, 24.59});
    EXPECT_NEAR(p.x, 98.69, 1e-6);
    EXPECT_NEAR(p.y, 24.59, 1e-6);
}

TEST(Crs, BadDefinitionIsAnErrorNamingTheOption) {
    try {
        parse_crs("EPSG:999999", "--work-crs");
        FAIL();
    } catch (const Error& e) {
        EXPECT_NE(std::string(e.what()).find("--work-crs"), std::string::npos);
    }
}

TEST(Gcj02, KnownOffsetNearBeijing) {
    // Published pair (Tiananmen): WGS84 116.391305, 39.907333 -> GCJ-02 ~116.397547, 39.908740.
    Vec2 g = gcj02::from_wgs84({116.391305, 39.907333});
    EXPECT_NEAR(g.x, 116.397547, 2e-5);
    EXPECT_NEAR(g.y, 39.908740, 2e-5);
}

TEST(Gcj02, RoundTripsBelowOneMicroDegree) {
    for (double lon = 74; lon < 135; lon += 3.7)
        for (double lat = 19; lat < 53; lat += 2.9) {
            const Vec2 w{lon, lat};
            const Vec2 back = gcj02::to_wgs84(gcj02::from_wgs84(w));
            EXPECT_LT(std::abs(back.x - w.x), 1e-6) << lon << "," << lat;
            EXPECT_LT(std::abs(back.y - w.y), 1e-6) << lon << "," << lat;
            const Vec2 bd = gcj02::bd09_from_gcj02(gcj02::from_wgs84(w));
            const Vec2 back2 = gcj02::bd09_to_wgs84(bd);
            EXPECT_LT(std::abs(back2.x - w.x), 1e-6);
            EXPECT_LT(std::abs(back2.y - w.y), 1e-6);
        }
    // The offset near Longling is a few hundred metres, not zero.
    Vec2 g = gcj02::from_wgs84({98.69, 24.59});
    EXPECT_GT(std::hypot(g.x - 98.69, g.y - 24.59), 1e-3);
    // Outside China nothing moves.
    EXPECT_EQ(gcj02::from_wgs84({2.35, 48.85}).x, 2.35);
}

TEST(CameraValidation, ListsEachBadValueByCamId) {
    std::vector<Camera> cams(7);
    const double nan = std::nan("");
    double vals[7][3] = {{10, 90, 50}, {nan, 90, 50}, {10, 0, 50}, {10, 361, 50},
                         {10, 90, 0}, {10, 90, 10001}, {INFINITY, 360, 10000}};
    for (int i = 0; i < 7; ++i) {
        cams[i].cam_id = "C" + std::to_string(i);
        cams[i].azimuth = vals[i][0], cams[i].fov = vals[i][1], cams[i].range = vals[i][2];
    }
    auto bad = validate_cameras(cams);
    ASSERT_EQ(bad.size(), 6u);
    EXPECT_EQ(bad[0].feature, "C1");
    EXPECT_NE(bad[0].problem.find("azimuth"), std::string::npos);
    EXPECT_NE(bad[1].problem.find("fov"), std::string::npos);
    EXPECT_NE(bad[4].problem.find("range"), std::string::npos);
    EXPECT_EQ(bad[5].feature, "C6");
    cams[0].fov = 360;  // a full disc is fine
    EXPECT_EQ(camera_problem(cams[0]), "");
}

TEST(Tiling, ExactTilingHasNoIssues) {
    std::vector<Grid> g = {square("A", 1, "", 0, 0, 100, 100), square("A1", 2, "A", 0, 0, 50, 100),
                           square("A2", 2, "A", 50, 0, 50, 100)};
    EXPECT_TRUE(check_tiling(g).empty());
}

TEST(Tiling, ReportsGapOverlapOutsideAndBadParents) {
    std::vector<Grid> gap = {square("A", 1, "", 0, 0, 100, 100), square("A1", 2, "A", 0, 0, 40, 100),
                             square("A2", 2, "A", 50, 0, 50, 100)};
    auto issues = check_tiling(gap);
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].feature, "A");
    EXPECT_NE(issues[0].problem.find("gap of 1000.0 m²"), std::string::npos) << issues[0].problem;

    std::vector<Grid> overlap = {square("A", 1, "", 0, 0, 100, 100), square("A1", 2, "A", 0, 0, 60, 100),
                                 square("A2", 2, "A", 50, 0, 50, 100)};
    issues = check_tiling(overlap);
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_NE(issues[0].problem.find("overlaps A2 by 1000.0 m²"), std::string::npos) << issues[0].problem;

    std::vector<Grid> outside = {square("A", 1, "", 0, 0, 100, 100), square("A1", 2, "A", 0, 0, 50, 100),
                                 square("A2", 2, "A", 50, 0, 60, 100)};
    issues = check_tiling(outside);
    ASSERT_EQ(issues.size(), 1u);
    EXPECT_EQ(issues[0].feature, "A2");
    EXPECT_NE(issues[0].problem.find("outside its parent A"), std::string::npos);

    std::vector<Grid> parents = {square("A", 1, "", 0, 0, 100, 100), square("A1", 2, "A", 0, 0, 100, 100),
                                 square("X", 3, "nope", 0, 0, 10, 10), square("Y", 3, "A", 0, 0, 10, 10),
                                 square("A1", 3, "A1", 0, 0, 100, 100)};
    issues = check_tiling(parents);
    std::string all;
    for (auto& i : issues) all += i.feature + ": " + i.problem + "\n";
    EXPECT_NE(all.find("A1: grid_id is not unique"), std::string::npos) << all;
    EXPECT_NE(all.find("X: parent_id 'nope' is not a grid_id"), std::string::npos) << all;
    EXPECT_NE(all.find("Y: level 3 but its parent A is level 1"), std::string::npos) << all;
}

TEST(Reading, GbkShapefileWithoutCpgReadsAsChinese) {
    GDALAllRegister();
    fs::path dir = fs::temp_directory_path() / ("gw_gbk_" + std::to_string(getpid()));
    fs::remove_all(dir);
    fs::create_directories(dir);
    const std::string name = "罗家大坡安置点", manager = "张三丰";
    {
        GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("ESRI Shapefile");
        GDALDatasetUniquePtr ds(drv->Create(dir.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        OGRSpatialReference srs;
        srs.importFromEPSG(4542);
        const char* opts[] = {"ENCODING=", nullptr};  // write bytes as given, no .cpg
        OGRLayer* l = ds->CreateLayer("grids", &srs, wkbPolygon, const_cast<char**>(opts));
        for (const char* f : {"grid_id", "parent_id", "name", "manager"}) {
            OGRFieldDefn fd(f, OFTString);
            l->CreateField(&fd);
        }
        OGRFieldDefn lv("level", OFTInteger);
        l->CreateField(&lv);
        OGRFeature f(l->GetLayerDefn());
        f.SetField("grid_id", "G1");
        f.SetField("level", 1);
        char* gbk_name = CPLRecode(name.c_str(), CPL_ENC_UTF8, "CP936");
        char* gbk_mgr = CPLRecode(manager.c_str(), CPL_ENC_UTF8, "CP936");
        ASSERT_FALSE(CPLIsUTF8(gbk_name, -1));
        f.SetField("name", gbk_name);
        f.SetField("manager", gbk_mgr);
        CPLFree(gbk_name);
        CPLFree(gbk_mgr);
        OGRPolygon poly;
        OGRLinearRing ring;
        ring.addPoint(468000, 2720000), ring.addPoint(468100, 2720000), ring.addPoint(468100, 2720100);
        ring.addPoint(468000, 2720100), ring.addPoint(468000, 2720000);
        poly.addRing(&ring);
        f.SetGeometry(&poly);
        ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
    fs::remove(dir / "grids.cpg");
    ASSERT_FALSE(fs::exists(dir / "grids.cpg"));
    Dataset ds = open_dataset({dir.string()});
    ASSERT_EQ(ds.grids.size(), 1u);
    EXPECT_EQ(ds.grids[0].name, name);
    EXPECT_EQ(ds.grids[0].manager, manager);
    EXPECT_EQ(ds.work_crs, "EPSG:4542");
    EXPECT_NEAR(area(ds.grids[0].shape), 10000, 1e-6);
    fs::remove_all(dir);
}

TEST(Tiling, ShiftedChildWithTheRightAreaIsStillCaught) {
    // A2 moved up 10 m: the children's area equals the parent's, but 500 m² stick out and 500 m² are missing.
    std::vector<Grid> g = {square("A", 1, "", 0, 0, 100, 100), square("A1", 2, "A", 0, 0, 50, 100),
                           square("A2", 2, "A", 50, 10, 50, 100)};
    auto issues = check_tiling(g);
    std::string all;
    for (auto& i : issues) all += i.feature + ": " + i.problem + "\n";
    EXPECT_NE(all.find("A: gap of 500.0 m²"), std::string::npos) << all;
    EXPECT_NE(all.find("A2: 500.0 m² lies outside its parent A"), std::string::npos) << all;
}

// An exception thrown by a call on a worker thread reaches the caller (it must not end the process).
TEST(ParallelFor, AWorkersExceptionIsRethrownOnTheCaller) {
    std::atomic<int> calls{0};
    EXPECT_THROW(gw::parallel_for(1000,
                                  [&](size_t i) {
                                      ++calls;
                                      if (i == 500) throw gw::Error("stop at 500");
                                  }),
                 gw::Error);
    EXPECT_LE(calls.load(), 1000);
    int sum = 0;
    std::mutex m;
    gw::parallel_for(100, [&](size_t i) {
        std::lock_guard<std::mutex> lock(m);
        sum += static_cast<int>(i);
    });
    EXPECT_EQ(sum, 4950);
}

namespace {

/**
 * A GeoPackage large enough to be read two layers at a time: four cells (levels 4, 4, 3 and a
 * text-level layer's "4.0"), 25,000 households, and cameras with or without their azimuth.
 */
std::string write_two_reader_gpkg(const fs::path& dir, bool cameras_have_azimuth) {
    GDALAllRegister();
    fs::create_directories(dir);
    const std::string path = (dir / (cameras_have_azimuth ? "ok.gpkg" : "bad.gpkg")).string();
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    OGRSpatialReference srs;
    srs.importFromEPSG(4542);
    auto square = [](double x0, double y0, double s) {
        OGRPolygon p;
        OGRLinearRing r;
        r.addPoint(x0, y0), r.addPoint(x0 + s, y0), r.addPoint(x0 + s, y0 + s), r.addPoint(x0, y0 + s), r.addPoint(x0, y0);
        p.addRing(&r);
        return p;
    };
    auto grids = [&](const char* name, OGRFieldType level_type, std::vector<std::pair<std::string, std::string>> cells) {
        OGRLayer* l = ds->CreateLayer(name, &srs, wkbPolygon, nullptr);
        for (const char* f : {"grid_id", "parent_id"}) {
            OGRFieldDefn fd(f, OFTString);
            l->CreateField(&fd);
        }
        OGRFieldDefn lv("level", level_type);
        l->CreateField(&lv);
        double x = 468000;
        for (const auto& [id, level] : cells) {
            OGRFeature f(l->GetLayerDefn());
            f.SetField("grid_id", id.c_str());
            f.SetField("parent_id", "P");
            f.SetField("level", level.c_str());
            OGRPolygon p = square(x, 2720000, 100);
            f.SetGeometry(&p);
            EXPECT_EQ(l->CreateFeature(&f), OGRERR_NONE);
            x += 100;
        }
    };
    grids("grids", OFTInteger, {{"A4", "4"}, {"B4", "4"}, {"C3", "3"}});
    grids("grids_L4", OFTString, {{"D4", "4.0"}});  // a layer of level-4 cells, its level as text
    ds->StartTransaction();
    OGRLayer* hh = ds->CreateLayer("households", &srs, wkbPoint, nullptr);
    OGRFieldDefn id("hh_id", OFTString);
    hh->CreateField(&id);
    for (int i = 0; i < 25000; ++i) {
        OGRFeature f(hh->GetLayerDefn());
        f.SetField("hh_id", ("H" + std::to_string(i)).c_str());
        OGRPoint p(468000 + (i % 300), 2720000 + (i / 300) % 100);
        f.SetGeometry(&p);
        EXPECT_EQ(hh->CreateFeature(&f), OGRERR_NONE);
    }
    ds->CommitTransaction();
    OGRLayer* cams = ds->CreateLayer("cameras", &srs, wkbPoint, nullptr);
    std::vector<const char*> fields = {"fov", "range"};
    if (cameras_have_azimuth) fields.push_back("azimuth");
    for (const char* f : fields) {
        OGRFieldDefn fd(f, OFTReal);
        cams->CreateField(&fd);
    }
    OGRFeature c(cams->GetLayerDefn());
    c.SetField("fov", 90.0), c.SetField("range", 30.0);
    if (cameras_have_azimuth) c.SetField("azimuth", 45.0);
    OGRPoint cp(468050, 2720050);
    c.SetGeometry(&cp);
    EXPECT_EQ(cams->CreateFeature(&c), OGRERR_NONE);
    return path;
}

}  // namespace

TEST(Reading, TwoLayersAtATimeGiveWhatOneAtATimeGives) {
    const fs::path dir = fs::temp_directory_path() / ("gw_two_readers_" + std::to_string(getpid()));
    const std::string path = write_two_reader_gpkg(dir, true);
    OpenOptions o;
    Dataset both = open_dataset({path}, o);  // 25,000+ features: two readers
    EXPECT_EQ(both.households.size(), 25000u);
    EXPECT_EQ(both.households[24999].hh_id, "H24999");  // features keep their order
    EXPECT_EQ(both.grids.size(), 4u);
    EXPECT_EQ(both.cameras.size(), 1u);
    o.layers = {"grids", "cameras"};  // a few features: one reader
    Dataset one = open_dataset({path}, o);
    ASSERT_EQ(one.grids.size(), both.grids.size());
    for (size_t i = 0; i < one.grids.size(); ++i) {
        EXPECT_EQ(one.grids[i].grid_id, both.grids[i].grid_id);
        EXPECT_EQ(one.grids[i].shape[0].rings[0][0], both.grids[i].shape[0].rings[0][0]);
    }
    // Only level 4: the number field is filtered by the source; the text "4.0" is read and judged.
    o.layers = {};
    o.grid_level = 4;
    Dataset l4 = open_dataset({path}, o);
    std::vector<std::string> ids;
    for (const auto& g : l4.grids) ids.push_back(g.grid_id);
    EXPECT_EQ(ids, (std::vector<std::string>{"A4", "B4", "D4"}));
    EXPECT_EQ(l4.grids_of_level(4).size(), 3u);
    fs::remove_all(dir);
}

TEST(Reading, AFailingLayerWhileReadingTwoAtATimeIsOneClearError) {
    const fs::path dir = fs::temp_directory_path() / ("gw_two_readers_bad_" + std::to_string(getpid()));
    const std::string path = write_two_reader_gpkg(dir, false);
    OpenOptions o;
    try {
        open_dataset({path}, o);
        FAIL() << "cameras without azimuth opened";
    } catch (const Error& e) {
        const std::string what = e.what();
        EXPECT_NE(what.find("cameras"), std::string::npos) << what;
        EXPECT_NE(what.find("azimuth"), std::string::npos) << what;
    }
    fs::remove_all(dir);
}

TEST(Text, OneLineFoldsTheBreaksOfAnotherLibrarysMessage) {
    EXPECT_EQ(
        one_line(
            "PQconnectdb failed.\nconnection to server failed\n\tIs the server running?\n (give a file)"),
        "PQconnectdb failed. connection to server failed Is the server running? (give a file)");
    EXPECT_EQ(one_line("  two  spaces kept inside, ends trimmed \n"),
              "two  spaces kept inside, ends trimmed");
    EXPECT_EQ(one_line("中文\r\n名称"), "中文 名称");
    EXPECT_EQ(one_line(""), "");
}

TEST(Text, WithoutSecretsMasksEveryFormOfAPassword) {
    EXPECT_EQ(without_secrets("PG:dbname=gw password=s3cret host=x: layer 'grids': no such table"),
              "PG:dbname=gw password=*** host=x: layer 'grids': no such table");
    EXPECT_EQ(without_secrets("PG:PASSWORD = 'a b c' dbname=gw"), "PG:PASSWORD = *** dbname=gw");
    EXPECT_EQ(without_secrets("PG:dbname=gw password=a:b: cannot be opened"),
              "PG:dbname=gw password=***: cannot be opened");
    // libpq's quoting and escapes: none of the secret is left.
    EXPECT_EQ(without_secrets("PG:password=ab'cdSECRET dbname=gw"), "PG:password=*** dbname=gw");
    EXPECT_EQ(without_secrets(R"(PG:password='ab\' cdSECRET' dbname=gw)"), "PG:password=*** dbname=gw");
    EXPECT_EQ(without_secrets(R"(PG:password=ab\ cdSECRET dbname=gw)"), "PG:password=*** dbname=gw");
    EXPECT_EQ(without_secrets("PG:PassWord=SECRET dbname=gw"), "PG:PassWord=*** dbname=gw");
    EXPECT_EQ(without_secrets("PG:postgresql://clerk:s3cret@db.example/gw failed"),
              "PG:postgresql://clerk:***@db.example/gw failed");
    EXPECT_EQ(without_secrets("postgres://u:p@h/d and password=x"), "postgres://u:***@h/d and password=***");
    // Nothing else changes: a user without password, a path, text that merely mentions one.
    for (const std::string keep : {"PG:postgresql://clerk@db/gw", "/data/社区.gpkg: layer 'grids'",
                                   "the password is not set", "http://example.org/x"})
        EXPECT_EQ(without_secrets(keep), keep);
}

TEST(SqlText, IdentifiersAndLiteralsQuotedAsSqliteReadsThem) {
    EXPECT_EQ(quote_ident("a\"b"), "\"a\"\"b\"");
    EXPECT_EQ(quote_literal("O'Brien"), "'O''Brien'");
    EXPECT_EQ(quote_relation("s.t'x"), "\"s\".\"t'x\"");
    EXPECT_EQ(quote_literal(quote_relation("s.t'x")), "'\"s\".\"t''x\"'");  // pg_regclass's argument
    // Through SQLite itself, a GeoPackage layer whose name holds both quotes, and a literal.
    gdal_setup();
    const std::string path = "/vsimem/sql_text.gpkg", name = "巡查 \"new\" o'k";
    GDALDatasetUniquePtr ds(
        GetGDALDriverManager()->GetDriverByName("GPKG")->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    ASSERT_TRUE(ds);
    OGRLayer* layer = ds->CreateLayer(name.c_str(), nullptr, wkbNone, nullptr);
    ASSERT_TRUE(layer);
    OGRFieldDefn field("note", OFTString);
    ASSERT_EQ(layer->CreateField(&field), OGRERR_NONE);
    OGRFeature f(layer->GetLayerDefn());
    f.SetField("note", "it's \"here\"");
    ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    const std::string sql =
        "SELECT count(*) FROM " + quote_ident(name) + " WHERE note = " + quote_literal("it's \"here\"");
    OGRLayer* rs = ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
    ASSERT_TRUE(rs) << sql;
    std::unique_ptr<OGRFeature> row(rs->GetNextFeature());
    ASSERT_TRUE(row);
    EXPECT_EQ(row->GetFieldAsInteger(0), 1);
    ds->ReleaseResultSet(rs);
    ds.reset();
    VSIUnlink(path.c_str());
}

TEST(Codes, EachValueOutsideTheContractIsNamedOnceInTheLayersOrder) {
    // validate_codes over 50,000 incidents (more than one block of its parallel loop): every value
    // outside SPEC §3's codes, and only those, in the order of the records, a camera's status before
    // its owner and an incident's type before its colour; empty values and the contract's own pass.
    gw::Dataset ds;
    const std::vector<std::string> statuses = {"online", "offline", "", "坏了", "Online"};
    const std::vector<std::string> owners = {"road", "enterprise", "household", "public",
                                             "",     "army",       "roads"};
    for (int i = 0; i < 40; ++i) {
        gw::Camera c;
        c.cam_id = "C" + std::to_string(i);
        c.status = statuses[size_t(i) % statuses.size()];
        c.owner = owners[size_t(i) % owners.size()];
        ds.cameras.push_back(c);
    }
    const std::vector<std::string> types = {"fire",  "traffic", "dispute", "theft", "fraud",
                                            "other", "",        "治安",    "fir"};
    const std::vector<std::string> colours = {"red", "yellow", "blue", "green", "", "purple", "redd"};
    std::mt19937 rng(5);
    for (int i = 0; i < 50000; ++i) {
        gw::Incident in;
        in.inc_id = "I" + std::to_string(i);
        in.type = types[rng() % 7 == 0 ? 6 + rng() % 3 : rng() % 6];
        in.color = colours[rng() % 5 == 0 ? 4 + rng() % 3 : rng() % 4];
        ds.incidents.push_back(in);
    }
    std::vector<std::pair<std::string, std::string>> want;  // feature, field
    const auto known = [](const std::string& v, std::initializer_list<const char*> codes) {
        if (v.empty()) return true;
        for (const char* c : codes)
            if (v == c) return true;
        return false;
    };
    for (const auto& c : ds.cameras) {
        if (!known(c.status, {"online", "offline"})) want.emplace_back(c.cam_id, "status");
        if (!known(c.owner, {"road", "enterprise", "household", "public"}))
            want.emplace_back(c.cam_id, "owner");
    }
    for (const auto& in : ds.incidents) {
        if (!known(in.type, {"fire", "traffic", "dispute", "theft", "fraud", "other"}))
            want.emplace_back(in.inc_id, "type");
        if (!known(in.color, {"red", "yellow", "blue", "green"})) want.emplace_back(in.inc_id, "color");
    }
    const std::vector<gw::Issue> got = gw::validate_codes(ds);
    ASSERT_EQ(got.size(), want.size());
    ASSERT_GT(want.size(), 10000u);
    for (size_t k = 0; k < got.size(); ++k) {
        ASSERT_EQ(got[k].feature, want[k].first) << k;
        ASSERT_EQ(got[k].problem.rfind(want[k].second + " '", 0), 0u) << k << ": " << got[k].problem;
        EXPECT_EQ(got[k].layer, got[k].feature[0] == 'C' ? "cameras" : "incidents") << k;
    }
    EXPECT_EQ(got[0].problem, "status '坏了' is none of online, offline: counted as offline");
    EXPECT_EQ(got[1].problem, "status 'Online' is none of online, offline: counted as offline");
    EXPECT_EQ(got[2].problem,
              "owner 'army' is none of road, enterprise, household, public: in no owner's column");
}

// Points on the grid's outer outline count in the cell they bound. The ray test behind `inside` is
// half-open (a point on an edge two cells share is in one of them, never both), so before, a
// household on the community's east or north edge was in no cell: left out of the count, exit 0.
TEST(Stats, APointOnTheGridsOuterEdgeCountsInTheCellItBounds) {
    Dataset ds;
    ds.source = "test";
    for (int y = 0; y < 2; ++y)
        for (int x = 0; x < 2; ++x)
            ds.grids.push_back(
                square("c" + std::to_string(y) + std::to_string(x), 4, "", x * 100, y * 100, 100, 100));
    auto household = [&](const std::string& id, Vec2 p) {
        Household h;
        h.hh_id = id, h.pos = p, h.members = 1;
        ds.households.push_back(h);
    };
    household("east", {200, 50});         // the outer east edge of c00 … c01's
    household("north", {50, 200});        // the outer north edge of c10
    household("north-east", {200, 200});  // the far corner: c11's
    household("west", {0, 150});          // outer west and south edges: inside before, still inside
    household("shared", {100, 50});       // the edge c00 and c01 share: one of them, once
    household("outside", {200.5, 50});
    const StatsTable t = compute_stats(ds, 4, false, nullptr);
    std::map<std::string, int> counted;
    for (const GridStats& r : t.rows) counted[r.grid_id] = r.households;
    EXPECT_EQ(counted["c00"] + counted["c01"], 2);  // shared, east
    EXPECT_EQ(counted["c01"], 2) << "the east edge is c01's, and the shared edge the cell to its east";
    EXPECT_EQ(counted["c10"], 2);  // north, west
    EXPECT_EQ(counted["c11"], 1);  // north-east
    EXPECT_EQ(t.households_outside, std::vector<std::string>{"outside"});
}
