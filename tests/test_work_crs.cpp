// The working CRS fits the data's extent (SPEC §3, issue 14 point 6): a county keeps the
// Gauss-Kruger zone of its centre, data spread across China gets an equal-area conic, world data
// an equal-area world projection, and `info` says which and why; commands that need true metres
// warn on such an extent; --work-crs still decides when given.
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;
using nlohmann::json;

namespace {

/** A level-1 cell: its id and its box in CGCS2000 degrees. */
struct Cell {
    std::string id;
    double lon0, lat0, lon1, lat1;
};

/**
 * A GeoPackage in EPSG:4490 with a grids layer of the given cells (edges densified every 0.05°,
 * as a digitised border would be) and one camera in the first cell.
 */
std::string write_gpkg(const TempDir& dir, const std::string& name, const std::vector<Cell>& cells) {
    GDALAllRegister();
    const std::string path = dir / name;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr ds(drv->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    EXPECT_TRUE(ds) << path;
    OGRSpatialReference srs;
    srs.importFromEPSG(4490);
    OGRLayer* l = ds->CreateLayer("grids", &srs, wkbPolygon, nullptr);
    for (const char* f : {"grid_id", "parent_id"}) {
        OGRFieldDefn fd(f, OFTString);
        l->CreateField(&fd);
    }
    OGRFieldDefn lv("level", OFTInteger);
    l->CreateField(&lv);
    for (const Cell& c : cells) {
        OGRLinearRing r;
        const int n = std::max(1, static_cast<int>(std::lround(std::max(c.lon1 - c.lon0, c.lat1 - c.lat0) / 0.05)));
        for (int i = 0; i < n; ++i) r.addPoint(c.lon0 + (c.lon1 - c.lon0) * i / n, c.lat0);
        for (int i = 0; i < n; ++i) r.addPoint(c.lon1, c.lat0 + (c.lat1 - c.lat0) * i / n);
        for (int i = 0; i < n; ++i) r.addPoint(c.lon1 - (c.lon1 - c.lon0) * i / n, c.lat1);
        for (int i = 0; i < n; ++i) r.addPoint(c.lon0, c.lat1 - (c.lat1 - c.lat0) * i / n);
        r.closeRings();
        OGRPolygon p;
        p.addRing(&r);
        OGRFeature f(l->GetLayerDefn());
        f.SetField("grid_id", c.id.c_str());
        f.SetField("parent_id", "");
        f.SetField("level", 1);
        f.SetGeometry(&p);
        EXPECT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
    OGRLayer* cams = ds->CreateLayer("cameras", &srs, wkbPoint, nullptr);
    OGRFieldDefn id("cam_id", OFTString);
    cams->CreateField(&id);
    for (const char* f : {"azimuth", "fov", "range"}) {
        OGRFieldDefn fd(f, OFTReal);
        cams->CreateField(&fd);
    }
    OGRFeature f(cams->GetLayerDefn());
    f.SetField("cam_id", "K1");
    f.SetField("azimuth", 45.0);
    f.SetField("fov", 90.0);
    f.SetField("range", 60.0);
    const Cell& c = cells.front();
    OGRPoint pt((c.lon0 + c.lon1) / 2, (c.lat0 + c.lat1) / 2);
    f.SetGeometry(&pt);
    EXPECT_EQ(cams->CreateFeature(&f), OGRERR_NONE);
    // A road of about 200 m through the camera, so `plan` has sites and demand.
    OGRLayer* roads = ds->CreateLayer("roads", &srs, wkbLineString, nullptr);
    for (const char* fname : {"name", "class"}) {
        OGRFieldDefn fd(fname, OFTString);
        roads->CreateField(&fd);
    }
    OGRFeature road(roads->GetLayerDefn());
    road.SetField("name", "R1");
    road.SetField("class", "village");
    OGRLineString line;
    line.addPoint(pt.getX() - 0.001, pt.getY()), line.addPoint(pt.getX() + 0.001, pt.getY());
    road.SetGeometry(&line);
    EXPECT_EQ(roads->CreateFeature(&road), OGRERR_NONE);
    return path;
}

/**
 * Exact area (m²) of the quadrangle between two meridians and two parallels on the GRS80
 * ellipsoid (CGCS2000's): Δλ·b²/2·[sinφ/(1 − e² sin²φ) + atanh(e sinφ)/e] from φ0 to φ1.
 */
double ellipsoid_quad_area(const Cell& c) {
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    const double a = 6378137.0, f = 1 / 298.257222101, b = a * (1 - f), e = std::sqrt(f * (2 - f));
    auto q = [&](double lat) {
        const double s = std::sin(lat * kRad);
        return s / (1 - e * e * s * s) + std::atanh(e * s) / e;
    };
    return (c.lon1 - c.lon0) * kRad * b * b / 2 * (q(c.lat1) - q(c.lat0));
}

double cell_area(const gw::Dataset& ds, const std::string& id) {
    for (const auto& g : ds.grids)
        if (g.grid_id == id) return gw::area(g.shape);
    ADD_FAILURE() << "no cell " << id;
    return 0;
}

int lines_with(const std::string& text, const std::string& what) {
    std::istringstream s(text);
    int n = 0;
    for (std::string line; std::getline(s, line);) n += line.find(what) != std::string::npos;
    return n;
}

// Spread across China, 80°E to 130°E: the western cell sits 25° off a zone at 105°E.
const std::vector<Cell> kChina = {{"W", 80, 40, 81, 41}, {"C", 105, 30, 106, 31}, {"E", 129, 45, 130, 46}};
const std::vector<Cell> kWorld = {{"A", -120, 35, -119, 36}, {"B", 10, 50, 11, 51}, {"C", 140, -30, 141, -29}};
// A county near Longling (98.7°E, the bundled data's zone) and one near Chengdu (104°E).
const std::vector<Cell> kLongling = {{"A", 98.60, 24.50, 98.65, 24.55}, {"B", 98.65, 24.50, 98.70, 24.55}};
const std::vector<Cell> kChengdu = {{"A", 104.0, 30.6, 104.3, 30.9}, {"B", 104.3, 30.6, 104.6, 30.9}};

}  // namespace

TEST(WorkCrs, ScaleErrorOfTheZoneRule) {
    // Gauss-Kruger (k0 = 1) 4.5° off its central meridian at the equator: 1/cos 4.5° − 1.
    EXPECT_NEAR(gw::tm_scale_error(4.5, 0), 1 / std::cos(4.5 * 3.14159265358979323846 / 180) - 1, 1e-12);
    EXPECT_NEAR(gw::tm_scale_error(4.5, 0), 0.00309, 1e-5);
    EXPECT_NEAR(gw::tm_scale_error(0, 30, 0.9996), 0.0004, 1e-12);
    // The rule's edge: a span of kMaxZoneSpanDeg keeps the zone, a little more does not.
    EXPECT_FALSE(gw::choose_working_crs(100, 30, 100 + gw::kMaxZoneSpanDeg, 31).wide);
    EXPECT_TRUE(gw::choose_working_crs(100, 30, 100.1 + gw::kMaxZoneSpanDeg, 31).wide);
}

TEST(WorkCrs, ChinaWideDataGetsAlbersEqualAreaAndSaysWhy) {
    TempDir dir("workcrs_china");
    const std::string gpkg = write_gpkg(dir, "china.gpkg", kChina);
    auto r = run_gridwatch("info " + gpkg + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    const std::string work = j["work_crs"];
    EXPECT_TRUE(work.find("Albers") != std::string::npos) << work;
    const std::string reason = j.value("work_crs_reason", "");
    EXPECT_NE(reason.find("spans 50.0° of longitude"), std::string::npos) << reason;
    EXPECT_NE(reason.find("Albers equal-area conic for China"), std::string::npos) << reason;
    EXPECT_EQ(j.value("work_crs_equal_area_only", false), true);

    auto text = run_gridwatch("info " + gpkg);
    ASSERT_EQ(text.status, 0) << text.err;
    EXPECT_EQ(lines_with(text.out, "why: extent spans 50.0° of longitude"), 1) << text.out;
    EXPECT_EQ(lines_with(text.out, "--work-crs"), 1) << text.out;

    // Every cell's area is the ellipsoid's within 0.5 % (one zone at 105°E puts the western cell 12 % off).
    const gw::Dataset ds = gw::open_dataset({gpkg});
    for (const Cell& c : kChina) {
        const double want = ellipsoid_quad_area(c), got = cell_area(ds, c.id);
        EXPECT_NEAR(got / want, 1.0, 0.005) << c.id << ": " << got << " m² against " << want;
    }
}

TEST(WorkCrs, WorldDataGetsEqualEarth) {
    TempDir dir("workcrs_world");
    const std::string gpkg = write_gpkg(dir, "world.gpkg", kWorld);
    auto r = run_gridwatch("info " + gpkg + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["work_crs"], "EPSG:8857");
    const std::string reason = j.value("work_crs_reason", "");
    EXPECT_NE(reason.find("spans 261.0° of longitude"), std::string::npos) << reason;
    EXPECT_NE(reason.find("Equal Earth"), std::string::npos) << reason;
    const gw::Dataset ds = gw::open_dataset({gpkg});
    for (const Cell& c : kWorld) {
        const double want = ellipsoid_quad_area(c), got = cell_area(ds, c.id);
        EXPECT_NEAR(got / want, 1.0, 0.005) << c.id << ": " << got << " m² against " << want;
    }
}

TEST(WorkCrs, CountyKeepsTheGaussKrugerZoneOfItsCentre) {
    TempDir dir("workcrs_county");
    for (const auto& [cells, epsg] : {std::pair{kLongling, "EPSG:4542"}, std::pair{kChengdu, "EPSG:4544"}}) {
        const std::string gpkg = write_gpkg(dir, std::string(epsg).substr(5) + ".gpkg", cells);
        auto r = run_gridwatch("info " + gpkg + " --json");
        ASSERT_EQ(r.status, 0) << r.err;
        const json j = json::parse(r.out);
        EXPECT_EQ(j["work_crs"], epsg);
        const std::string reason = j.value("work_crs_reason", "");
        EXPECT_NE(reason.find("Gauss-Kruger zone of its centre"), std::string::npos) << reason;
        EXPECT_EQ(j.value("work_crs_equal_area_only", true), false);
        auto cov = run_gridwatch("coverage " + gpkg + " --level 1 --no-gaps");
        ASSERT_EQ(cov.status, 0) << cov.err;
        EXPECT_EQ(lines_with(cov.err, "wide extent"), 0) << cov.err;
    }
    // The bundled community stays in its zone.
    auto r = run_gridwatch("info " + gw::bundled_dataset_path() + " --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["work_crs"], "EPSG:4542");
}

TEST(WorkCrs, MetreCommandsWarnOnceOnAWideExtentAndGoOn) {
    TempDir dir("workcrs_warn");
    const std::string gpkg = write_gpkg(dir, "china.gpkg", kChina);
    auto cov = run_gridwatch("coverage " + gpkg + " --level 1 --no-gaps --json");
    ASSERT_EQ(cov.status, 0) << cov.err;
    EXPECT_EQ(lines_with(cov.err, "warning: the data spans a wide extent"), 1) << cov.err;
    EXPECT_EQ(lines_with(cov.err, "--work-crs"), 1) << cov.err;
    EXPECT_NO_THROW(json::parse(cov.out));
    auto plan = run_gridwatch("plan " + gpkg + " --add 1 --candidates auto --json");
    ASSERT_EQ(plan.status, 0) << plan.err;
    EXPECT_NO_THROW(json::parse(plan.out));
    EXPECT_EQ(lines_with(plan.err, "warning: the data spans a wide extent"), 1) << plan.err;
}

TEST(WorkCrsOverride, GivenWorkCrsDecidesOnAWideExtentWithoutWarning) {
    TempDir dir("workcrs_override");
    const std::string gpkg = write_gpkg(dir, "china.gpkg", kChina);
    auto r = run_gridwatch("info " + gpkg + " --work-crs EPSG:4544 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    const json j = json::parse(r.out);
    EXPECT_EQ(j["work_crs"], "EPSG:4544");
    EXPECT_EQ(j.value("work_crs_reason", ""), "given by --work-crs");
    EXPECT_EQ(j.value("work_crs_equal_area_only", true), false);
    auto cov = run_gridwatch("coverage " + gpkg + " --work-crs EPSG:4544 --level 1 --no-gaps");
    ASSERT_EQ(cov.status, 0) << cov.err;
    EXPECT_EQ(lines_with(cov.err, "wide extent"), 0) << cov.err;
}
