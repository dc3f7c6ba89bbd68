// What the fuzz targets of tests/fuzz found, each pinned by a plain unit test (the inputs that
// found them are replayed too: tests/fuzz/regressions/, CTest fuzz_replay_*).
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <set>
#include <string>

#include "geo/io/crs.h"
#include "geo/io/dataset.h"

using namespace gw;

// A CSV of phone reports with a longitude of 1e16 (fuzz target csv): the working CRS is chosen from
// the centre of the layer, whose zone number overflowed an int (undefined behaviour; with g++ the
// east end of the world came out as zone 1).
TEST(FuzzFindings, WorkingCrsOfWildCentreStaysAZone) {
    EXPECT_EQ(working_epsg_for(9.869e15, 24.58), 32660);
    EXPECT_EQ(working_epsg_for(-8.2e13, -10), 32701);
    EXPECT_EQ(working_epsg_for(std::numeric_limits<double>::infinity(), 10), 32660);
    const int nan_zone = working_epsg_for(std::nan(""), 10);
    EXPECT_TRUE(nan_zone >= 32601 && nan_zone <= 32760) << nan_zone;
}

namespace {

std::filesystem::path scratch_dir(const std::string& name) {
    auto d = std::filesystem::temp_directory_path() / ("gw_fuzz_findings_" + std::to_string(getpid()) + "_" + name);
    std::filesystem::remove_all(d);
    std::filesystem::create_directories(d);
    return d;
}

void write(const std::filesystem::path& p, const std::string& text) { std::ofstream(p) << text; }

}  // namespace

// Counts beyond an int in a phone-report CSV (fuzz target csv: resolution_px 3.8e16) were converted
// to int regardless (undefined behaviour; g++ gave INT_MIN). They are now unknown, like NaN, and
// named; so are a negative count (kept as −3 before) and a resolution of 0 (read as none).
TEST(FuzzFindings, CountsBeyondAnIntAreUnknown) {
    const auto dir = scratch_dir("counts");
    write(dir / "cameras.csv",
          "lon,lat,cam_id,azimuth,fov,range,resolution_px\n"
          "98.69,24.58,C1,90,60,50,38405800000000000\n"
          "98.69,24.58,C2,90,60,50,1920\n"
          "98.69,24.58,C3,90,60,50,0\n");
    write(dir / "households.csv",
          "lon,lat,hh_id,members\n"
          "98.69,24.58,H1,1e20\n"
          "98.69,24.58,H2,-3e12\n"
          "98.69,24.58,H3,4\n"
          "98.69,24.58,H4,-3\n"
          "98.69,24.58,H5,2.7\n");
    write(dir / "enterprises.geojson",
          R"({"type":"FeatureCollection","name":"enterprises","features":[)"
          R"({"type":"Feature","properties":{"ent_id":"E1","employees":5e18},"geometry":{"type":"Polygon",)"
          R"("coordinates":[[[98.69,24.58],[98.691,24.58],[98.691,24.581],[98.69,24.58]]]}}]})");
    OpenOptions o;
    o.assume_crs = "EPSG:4326";
    Dataset ds = open_dataset({(dir / "cameras.csv").string(), (dir / "households.csv").string(),
                               (dir / "enterprises.geojson").string()},
                              o);
    ASSERT_EQ(ds.cameras.size(), 3u);
    EXPECT_FALSE(ds.cameras[0].resolution_px.has_value()) << *ds.cameras[0].resolution_px;
    EXPECT_EQ(ds.cameras[1].resolution_px.value_or(0), 1920);
    EXPECT_FALSE(ds.cameras[2].resolution_px.has_value()) << *ds.cameras[2].resolution_px;
    ASSERT_EQ(ds.households.size(), 5u);
    EXPECT_FALSE(ds.households[0].members);
    EXPECT_FALSE(ds.households[1].members);
    EXPECT_EQ(ds.households[2].members, 4);
    EXPECT_FALSE(ds.households[3].members);
    EXPECT_FALSE(ds.households[4].members);  // not 2, without a word
    ASSERT_EQ(ds.enterprises.size(), 1u);
    EXPECT_FALSE(ds.enterprises[0].employees);
    // Each named: C1, C3, H1, H2, H4, H5, E1; C2 and H3 not.
    std::set<std::string> named;
    for (const Issue& i : ds.report.bad_values) {
        named.insert(i.feature);
        if (i.feature == "H4") {
            EXPECT_EQ(i.problem, "members: '-3' is not a count (a whole number from 0 to 2147483647)");
        }
        if (i.feature == "C3") {
            EXPECT_EQ(i.problem, "resolution_px: '0' is not a whole number of pixels (1 to 2147483647)");
        }
    }
    EXPECT_EQ(named, (std::set<std::string>{"C1", "C3", "E1", "H1", "H2", "H4", "H5"}));
    std::filesystem::remove_all(dir);
}

// A phone export with two longitude columns ("x,lon,lat"; fuzz target csv found "lon,lon,lat")
// crashed GDAL 3.6.2's CSV driver told to drop the coordinate columns (a null dereference in the
// reading, not ours to fix): such a file is now read with the columns kept.
TEST(FuzzFindings, CsvWithTwoLongitudeColumnsIsRead) {
    const auto dir = scratch_dir("twolon");
    write(dir / "incidents.csv",
          "x,lon,lat,inc_id,type\n"
          "98.69,98.69,24.58,I1,fire\n"
          "98.70,98.70,24.59,I2,dispute\n");
    write(dir / "cameras.csv",
          "lat;lat;lon;cam_id;azimuth;fov;range\n"
          "24.58;24.58;98.69;C1;90;60;50\n");
    OpenOptions o;
    o.coords = SourceCoords::Gcj02;
    Dataset ds = open_dataset({(dir / "incidents.csv").string(), (dir / "cameras.csv").string()}, o);
    ASSERT_EQ(ds.incidents.size(), 2u);
    EXPECT_EQ(ds.incidents[0].inc_id, "I1");
    EXPECT_EQ(ds.incidents[1].type, "dispute");
    EXPECT_LT(distance(ds.incidents[0].pos, ds.incidents[1].pos), 2000);
    ASSERT_EQ(ds.cameras.size(), 1u);
    EXPECT_EQ(ds.cameras[0].cam_id, "C1");
    std::filesystem::remove_all(dir);
}
