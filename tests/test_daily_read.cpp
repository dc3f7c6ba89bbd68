// Reading SPEC §3's daily-work layers: checks (points with ISO-8601 times, Chinese names) and
// patrols, given as lines with start and end (times spread along the walk) or as GPS fixes joined
// by track_id in time order (a long silence starts a new part).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "geo/core/times.h"
#include "geo/io/dataset.h"
#include "geo/io/gcj02.h"
#include "tests/cli_run.h"

using namespace gw;
using gwtest::TempDir;

namespace {

constexpr double kX0 = 466000, kY0 = 2720000;  // EPSG:4542 metres, as the bundled data

std::string write(const std::filesystem::path& p, const std::string& text) {
    std::ofstream(p) << text;
    return p.string();
}

const char* kCrs = R"("crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4542"}})";

std::string point(double x, double y, const std::string& props) {
    return R"({"type": "Feature", "geometry": {"type": "Point", "coordinates": [)" + std::to_string(kX0 + x) + ", " +
           std::to_string(kY0 + y) + "]}, \"properties\": {" + props + "}}";
}

}  // namespace

TEST(DailyRead, LineTrackTimesFollowTheDistanceWalked) {
    TempDir dir("daily_read");
    const std::string track = R"({"type": "FeatureCollection", )" + std::string(kCrs) + R"(, "features": [
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[466000, 2720000], [466300, 2720000], [466300, 2720100]]},
       "properties": {"track_id": "T1", "team": "patrol", "start": "2026-11-02T21:00:00", "end": "2026-11-02T21:40:00"}}]})";
    const Dataset ds = open_dataset({write(dir.path / "patrols.geojson", track)});
    ASSERT_EQ(ds.patrols.size(), 1u);
    const PatrolTrack& t = ds.patrols[0];
    EXPECT_EQ(t.track_id, "T1");
    EXPECT_EQ(t.team, "patrol");
    ASSERT_EQ(t.times.size(), 1u);
    const int64_t t0 = civil_seconds(2026, 11, 2, 21, 0, 0);
    // 400 m walked in 40 min: 300 m at 30 min, the end at 40 min.
    EXPECT_EQ(t.times[0], (std::vector<int64_t>{t0, t0 + 30 * 60, t0 + 40 * 60}));
}

// A line whose end is its start was walked in no time: all its metres patrolled in 0 s, at one instant
// (midnight for times given as dates, so at night). It is named and read as untimed, as an end
// before the start is; a track under a metre long at one instant is a stop and stays as it is.
TEST(DailyRead, ALineTrackWalkedInNoTimeIsNamed) {
    TempDir dir("daily_read_same");
    const std::string track = R"({"type": "FeatureCollection", )" + std::string(kCrs) + R"(, "features": [
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[466000, 2720000], [466300, 2720000]]},
       "properties": {"track_id": "T1", "start": "2026-11-02", "end": "2026-11-02"}},
      {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[466000, 2720000], [466000.000000001, 2720000.4]]},
       "properties": {"track_id": "T2", "start": "2026-11-02T09:00:00", "end": "2026-11-02T09:00:00"}}]})";
    const Dataset ds = open_dataset({write(dir.path / "patrols.geojson", track)});
    ASSERT_EQ(ds.patrols.size(), 2u);
    EXPECT_FALSE(ds.patrols[0].t_start || ds.patrols[0].t_end);
    EXPECT_TRUE(ds.patrols[1].t_start && ds.patrols[1].t_end);
    ASSERT_EQ(ds.report.bad_times.size(), 1u);
    EXPECT_EQ(ds.report.bad_times[0].feature, "T1");
    EXPECT_NE(ds.report.bad_times[0].problem.find("no time to walk its 300 m"), std::string::npos)
        << ds.report.bad_times[0].problem;
}

// GPS fixes in a CSV whose points are a WKT column: the layer says no geometry type, and was read
// as line tracks (the first point stopped the command). A time per row and no start: fixes.
TEST(DailyRead, FixesInACsvOfWktPointsAreFixes) {
    TempDir dir("daily_read_wkt");
    const std::string csv = write(dir.path / "fixes.csv",
                                  "WKT,track_id,time\n"
                                  "\"POINT (466000 2720000)\",T1,2026-11-02T21:00:00\n"
                                  "\"POINT (466100 2720000)\",T1,2026-11-02T21:01:00\n"
                                  "\"POINT (466200 2720000)\",T1,2026-11-02T21:02:00\n");
    OpenOptions o;
    o.assume_crs = "EPSG:4542";
    const Dataset ds = open_dataset({csv}, o);
    ASSERT_EQ(ds.patrols.size(), 1u);
    EXPECT_EQ(ds.patrols[0].track_id, "T1");
    ASSERT_EQ(ds.patrols[0].times.size(), 1u);
    EXPECT_EQ(ds.patrols[0].times[0].size(), 3u);
}

TEST(DailyRead, FixesAreJoinedInTimeOrderAndSplitAtLongSilences) {
    TempDir dir("daily_read");
    auto fix = [](double x, const std::string& id, const std::string& time) {
        return point(x, 0, R"("track_id": ")" + id + R"(", "team": "joint", "time": ")" + time + "\"");
    };
    const std::string fixes = R"({"type": "FeatureCollection", )" + std::string(kCrs) + R"(, "features": [)" +
                              fix(20, "A", "2026-11-02T08:02:00") + "," + fix(0, "A", "2026-11-02T08:00:00") + "," +
                              fix(10, "A", "2026-11-02T08:01:00") + "," + fix(500, "A", "2026-11-02T09:30:00") + "," +
                              fix(510, "A", "2026-11-02T09:31:00") + "," + fix(0, "B", "not a time") + "," +
                              fix(5, "B", "2026-11-02T10:00:00") + "]}";
    const Dataset ds = open_dataset({write(dir.path / "patrols.geojson", fixes)});
    ASSERT_EQ(ds.patrols.size(), 2u);
    const PatrolTrack& a = ds.patrols[0];
    EXPECT_EQ(a.track_id, "A");
    EXPECT_EQ(a.team, "joint");
    ASSERT_EQ(a.shape.size(), 2u);  // 88 minutes of silence between 08:02 and 09:30
    ASSERT_EQ(a.shape[0].size(), 3u);
    EXPECT_DOUBLE_EQ(a.shape[0][0].x, kX0);
    EXPECT_DOUBLE_EQ(a.shape[0][2].x, kX0 + 20);
    EXPECT_EQ(a.times[1][1], civil_seconds(2026, 11, 2, 9, 31, 0));
    EXPECT_EQ(a.start, "2026-11-02T08:00:00");
    EXPECT_EQ(a.end, "2026-11-02T09:31:00");
    // The fix without a readable time is named, not placed.
    ASSERT_EQ(ds.report.bad_times.size(), 1u);
    EXPECT_EQ(ds.report.bad_times[0].layer, "patrols");
    EXPECT_NE(ds.report.bad_times[0].feature.find("B"), std::string::npos);
    EXPECT_EQ(ds.patrols[1].shape[0].size(), 1u);
}

TEST(DailyRead, ChecksByChineseNamesWithKindsAndTimes) {
    TempDir dir("daily_read");
    const std::string checks = R"({"type": "FeatureCollection", )" + std::string(kCrs) + R"(, "features": [)" +
                               point(1, 2, R"("巡查编号": "C1", "网格编码": "G4-1", "上报人": "李四", "时间": "2026-11-02T08:15:00", "巡查类型": "新增人员", "people": 2)") +
                               "," + point(3, 4, R"("巡查编号": "C2", "网格编码": "G4-1", "时间": "yesterday", "巡查类型": "routine")") + "]}";
    const Dataset ds = open_dataset({write(dir.path / "巡查.geojson", checks)});
    ASSERT_EQ(ds.checks.size(), 2u);
    EXPECT_EQ(ds.checks[0].check_id, "C1");
    EXPECT_EQ(ds.checks[0].grid_id, "G4-1");
    EXPECT_EQ(ds.checks[0].reporter, "李四");
    EXPECT_EQ(ds.checks[0].kind, "newcomer");
    EXPECT_EQ(ds.checks[0].people, 2);
    EXPECT_EQ(ds.checks[0].when, civil_seconds(2026, 11, 2, 8, 15, 0));
    EXPECT_DOUBLE_EQ(ds.checks[0].pos.x, kX0 + 1);
    EXPECT_FALSE(ds.checks[1].when);
    ASSERT_EQ(ds.report.bad_times.size(), 1u);
    EXPECT_EQ(ds.report.bad_times[0].feature, "C2");
}

// A code field's values are made into the contract's codes once per spelling and kept: more
// spellings than are kept (12) and each spelling again and again still read as on their own.
TEST(DailyRead, EveryKindSpellingReadsAsItsCodeHoweverOftenItComes) {
    TempDir dir("daily_read_kinds");
    const std::vector<std::pair<std::string, std::string>> kinds = {
        {"routine", "routine"},   {"Routine", "routine"},
        {"ROUTINE", "routine"},   {"日常", "routine"},
        {"新增人员", "newcomer"}, {"Newcomer", "newcomer"},
        {"返乡人员", "returnee"}, {"隐患", "hazard"},
        {"纠纷", "dispute"},      {"其他", "other"},
        {"Other", "other"},       {"patrol", "patrol"},
        {"Lost Dog", "lost dog"}, {"", ""},
        {"HAZARD", "hazard"},     {"dispute", "dispute"}};
    std::string features;
    for (int i = 0; i < 64; ++i) {
        const auto& k = kinds[static_cast<size_t>(i * 7) % kinds.size()];
        features += std::string(i ? "," : "") + point(i, i,
                                                      "\"check_id\": \"C" + std::to_string(i) +
                                                          "\", \"grid_id\": \"G\", \"time\": "
                                                          "\"2026-11-02T08:15:00\", \"kind\": \"" +
                                                          k.first + "\"");
    }
    const Dataset ds = open_dataset(
        {write(dir.path / "checks.geojson", R"({"type": "FeatureCollection", )" + std::string(kCrs) +
                                                R"(, "features": [)" + features + "]}")});
    ASSERT_EQ(ds.checks.size(), 64u);
    for (int i = 0; i < 64; ++i)
        EXPECT_EQ(ds.checks[static_cast<size_t>(i)].kind,
                  kinds[static_cast<size_t>(i * 7) % kinds.size()].second)
            << "C" << i;
}

// A project file may map two code fields to one column: each reads the column as its own field's
// code, whichever comes first (the kept spellings are per field, not per column).
TEST(DailyRead, OneColumnMappedToTwoCodeFieldsReadsAsEach) {
    TempDir dir("daily_read_shared_column");
    std::string features;
    for (int i = 0; i < 8; ++i)
        features += std::string(i ? "," : "") + point(i, i,
                                                      "\"inc_id\": \"I" + std::to_string(i) +
                                                          "\", \"time\": \"2026-11-02T08:15:00\", "
                                                          "\"LB\": \"" +
                                                          std::string(i % 2 ? "纠纷" : "Red") + "\"");
    const std::string path =
        write(dir.path / "incidents.geojson", R"({"type": "FeatureCollection", )" + std::string(kCrs) +
                                                  R"(, "features": [)" + features + "]}");
    write(dir.path / "incidents.geojson.gridwatch.json",
          R"({"mapping": {"incidents": {"fields": {"type": "LB", "color": "LB"}}}})");
    const Dataset ds = open_dataset({path});
    ASSERT_EQ(ds.incidents.size(), 8u);
    for (size_t i = 0; i < 8; ++i) {
        EXPECT_EQ(ds.incidents[i].type, i % 2 ? "dispute" : "red") << i;  // 纠纷 is a type's Chinese name
        EXPECT_EQ(ds.incidents[i].color, i % 2 ? "纠纷" : "red") << i;    // and no colour's
    }
}

// Patrol tracks come from the patrol's phones, as the reports do: --from-gcj02 moves their
// vertices back to WGS84 as it moves the points (it used to leave them hundreds of metres off).
TEST(DailyRead, PatrolTracksFromPhonesAreMovedBackFromGcj02) {
    TempDir dir("daily_read_gcj");
    const std::vector<Vec2> wgs84 = {{104.0651, 24.6120}, {104.0680, 24.6121}, {104.0682, 24.6150}};
    auto track = [&](bool gcj) {
        std::string coords;
        for (const Vec2& p : wgs84) {
            const Vec2 q = gcj ? gcj02::from_wgs84(p) : p;
            char xy[64];
            std::snprintf(xy, sizeof xy, "[%.10f, %.10f]", q.x, q.y);
            coords += (coords.empty() ? "" : ", ") + std::string(xy);
        }
        return R"({"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": {"type": "LineString", "coordinates": [)" +
               coords + R"(]}, "properties": {"track_id": "T1", "team": "patrol", "start": "2026-11-02T21:00:00", "end": "2026-11-02T21:40:00"}}]})";
    };
    std::filesystem::create_directories(dir.path / "truth");
    std::filesystem::create_directories(dir.path / "phone");
    OpenOptions o;
    o.work_crs = "EPSG:4542";
    const Dataset truth = open_dataset({write(dir.path / "truth" / "patrols.geojson", track(false))}, o);
    o.coords = SourceCoords::Gcj02;
    const Dataset phone = open_dataset({write(dir.path / "phone" / "patrols.geojson", track(true))}, o);
    ASSERT_EQ(truth.patrols.size(), 1u);
    ASSERT_EQ(phone.patrols.size(), 1u);
    ASSERT_EQ(phone.patrols[0].shape.size(), 1u);
    ASSERT_EQ(phone.patrols[0].shape[0].size(), wgs84.size());
    for (size_t i = 0; i < wgs84.size(); ++i) {
        // 1e-6° of the inverse's iteration is about 0.1 m.
        EXPECT_NEAR(phone.patrols[0].shape[0][i].x, truth.patrols[0].shape[0][i].x, 0.15) << i;
        EXPECT_NEAR(phone.patrols[0].shape[0][i].y, truth.patrols[0].shape[0][i].y, 0.15) << i;
    }
    // The offset undone is hundreds of metres: read as WGS84, the phone's track lies elsewhere.
    o.coords = SourceCoords::Native;
    const Dataset raw = open_dataset({dir.path.string() + "/phone/patrols.geojson"}, o);
    EXPECT_GT(std::abs(raw.patrols[0].shape[0][0].x - truth.patrols[0].shape[0][0].x), 100);
}
