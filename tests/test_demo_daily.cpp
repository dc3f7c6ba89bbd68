// Tests of the demo's daily work (SPEC §3 `checks`, `patrols`; §5.5): the group heads' 30 days of
// checks and the patrol's GPS tracks, on the scale-1 community, written and read back.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "cli_run.h"
#include "geo/core/times.h"
#include "geo/demo/demo.h"
#include "geo/io/dataset.h"

using namespace gw;

namespace {

const Dataset& model() {
    static const Dataset ds = generate_demo({1, 1});
    return ds;
}

std::map<std::string, const Grid*> cells_l4(const Dataset& ds) {
    std::map<std::string, const Grid*> m;
    for (const auto& g : ds.grids)
        if (g.level == 4) m[g.grid_id] = &g;
    return m;
}

constexpr int64_t kDay = 86400;

/** Days from the check's date to 2026-10-31 (the last day of the demo's month). */
int64_t days_before_last(int64_t t) { return civil_seconds(2026, 10, 31) / kDay - t / kDay; }

double track_length(const PatrolTrack& t) {
    double len = 0;
    for (const auto& part : t.shape)
        for (size_t k = 1; k < part.size(); ++k) len += distance(part[k - 1], part[k]);
    return len;
}

double distance_to(const MultiLineString& lines, Vec2 p) {
    double best = INFINITY;
    for (const auto& l : lines)
        for (size_t i = 0; i + 1 < l.size(); ++i) best = std::min(best, segment_distance(p, l[i], l[i + 1]));
    return best;
}

/** Whether some vertex of some track lies within d of p. */
bool patrolled_near(const Dataset& ds, Vec2 p, double d) {
    for (const auto& t : ds.patrols)
        for (const auto& part : t.shape)
            for (Vec2 q : part)
                if (distance(p, q) <= d) return true;
    return false;
}

/** The checks and patrols as text: equal text, equal layers. */
std::string daily_fingerprint(const Dataset& ds) {
    std::string s;
    char buf[64];
    auto pt = [&](Vec2 p) {
        std::snprintf(buf, sizeof buf, "%.17g,%.17g;", p.x, p.y);
        s += buf;
    };
    for (const auto& c : ds.checks)
        s += c.check_id + "|" + c.grid_id + "|" + c.reporter + "|" + c.time + "|" + c.kind + "|" +
                 std::to_string(c.people.value_or(-1)) + "|" + c.note,
            pt(c.pos), s += "\n";
    for (const auto& t : ds.patrols) {
        s += t.track_id + "|" + t.team + "|" + t.start + "|" + t.end;
        for (const auto& part : t.shape)
            for (Vec2 p : part) pt(p);
        s += "\n";
    }
    return s;
}

}  // namespace

// ---- checks ----------------------------------------------------------------------------------------

TEST(DemoChecks, AboutOneReportADayFromEachGroupHead) {
    const Dataset& ds = model();
    // 97 cells × 30 days at most; most cells report nearly every day.
    EXPECT_GT(ds.checks.size(), 2500u);
    EXPECT_LE(ds.checks.size(), 97u * 30);
    std::set<std::pair<std::string, std::string>> cell_days;
    std::set<std::string> ids;
    for (const auto& c : ds.checks) {
        EXPECT_TRUE(cell_days.insert({c.grid_id, c.time.substr(0, 10)}).second) << "two reports: " << c.check_id;
        EXPECT_TRUE(ids.insert(c.check_id).second) << "check_id twice: " << c.check_id;
    }
    EXPECT_EQ(ds.checks.front().check_id.substr(0, 7), "DPZ-CK2");
}

TEST(DemoChecks, EveryCheckNamesAnL4CellAndIsReportedByItsManager) {
    const Dataset& ds = model();
    const auto cells = cells_l4(ds);
    for (const auto& c : ds.checks) {
        auto it = cells.find(c.grid_id);
        ASSERT_NE(it, cells.end()) << c.check_id << " names " << c.grid_id;
        EXPECT_EQ(c.reporter, it->second->manager) << c.check_id;
        EXPECT_FALSE(c.reporter.empty());
    }
}

TEST(DemoChecks, AFewReportsComeFromOutsideTheCellTheyName) {
    const Dataset& ds = model();
    const auto cells = cells_l4(ds);
    size_t outside = 0;
    for (const auto& c : ds.checks) outside += !inside(cells.at(c.grid_id)->shape, c.pos);
    const double share = static_cast<double>(outside) / static_cast<double>(ds.checks.size());
    EXPECT_GE(outside, 3u);
    EXPECT_GT(share, 0.002);
    EXPECT_LT(share, 0.015);
}

TEST(DemoChecks, PhonesAreNearTheGroupsHouses) {
    const Dataset& ds = model();
    const auto cells = cells_l4(ds);
    std::map<std::string, std::vector<Vec2>> homes;
    for (const auto& h : ds.households) homes[h.grid_id].push_back(h.pos);
    size_t near = 0;
    for (const auto& c : ds.checks) {
        double best = INFINITY;
        for (Vec2 h : homes.at(c.grid_id)) best = std::min(best, distance(h, c.pos));
        near += best < 40;
    }
    // ~10 m of GPS noise around a house; only the reports from elsewhere are farther.
    EXPECT_GT(static_cast<double>(near) / static_cast<double>(ds.checks.size()), 0.985);
}

TEST(DemoChecks, ThirtyMorningsEndingOnTheLastDay) {
    const Dataset& ds = model();
    std::set<std::string> dates;
    for (const auto& c : ds.checks) {
        ASSERT_TRUE(c.when) << c.check_id << " " << c.time;
        EXPECT_EQ(c.time.size(), 19u) << c.time;  // YYYY-MM-DDTHH:MM:SS, no offset: local time
        EXPECT_EQ(c.time, iso_date_time(*c.when));
        const int64_t sec = *c.when % kDay;
        EXPECT_GE(sec, 7 * 3600) << c.time;
        EXPECT_LE(sec, 10 * 3600 + 1800) << c.time;
        dates.insert(c.time.substr(0, 10));
    }
    EXPECT_EQ(dates.size(), 30u);
    EXPECT_EQ(*dates.begin(), "2026-10-02");
    EXPECT_EQ(*dates.rbegin(), "2026-10-31");
    // In time order, as the reporting app exports them.
    for (size_t k = 1; k < ds.checks.size(); ++k) EXPECT_LE(ds.checks[k - 1].time, ds.checks[k].time);
}

TEST(DemoChecks, SomeCellsAreOverdueOnTheLastDayAndOneOrTwoNeverChecked) {
    const Dataset& ds = model();
    std::map<std::string, int64_t> days_since;  // per cell, at 2026-10-31
    for (const auto& [id, g] : cells_l4(ds)) days_since[id] = -1;
    for (const auto& c : ds.checks) {
        const int64_t d = days_before_last(*c.when);
        int64_t& best = days_since[c.grid_id];
        if (best < 0 || d < best) best = d;
    }
    int never = 0, overdue = 0, overdue_5 = 0, today = 0;
    for (const auto& [id, d] : days_since) {
        never += d < 0;
        overdue += d >= 1;
        overdue_5 += d >= 5;
        today += d == 0;
    }
    EXPECT_GE(never, 1);
    EXPECT_LE(never, 2);
    EXPECT_GE(overdue, 5);
    EXPECT_GE(overdue_5, 2);
    EXPECT_GT(today, 97 * 3 / 4);  // most cells were checked on the last day
}

TEST(DemoChecks, KindsAreMostlyRoutineWithNewcomersAndReturnees) {
    const Dataset& ds = model();
    std::map<std::string, int> kinds;
    bool chinese_note = false;
    for (const auto& c : ds.checks) {
        ++kinds[c.kind];
        EXPECT_NE(std::find(check_kinds().begin(), check_kinds().end(), c.kind), check_kinds().end()) << c.kind;
        if (c.kind == "newcomer" || c.kind == "returnee") {
            ASSERT_TRUE(c.people) << c.check_id;
            EXPECT_GE(*c.people, 1);
            EXPECT_LE(*c.people, 4);
            EXPECT_FALSE(c.note.empty()) << c.check_id;
        } else {
            EXPECT_FALSE(c.people) << c.check_id;
        }
        chinese_note |= c.note.find("已") != std::string::npos;
    }
    for (const auto& k : check_kinds()) EXPECT_GT(kinds[k], 0) << k;
    EXPECT_GT(kinds["routine"], static_cast<int>(ds.checks.size() * 9 / 10));
    EXPECT_LT(kinds["newcomer"] + kinds["returnee"], static_cast<int>(ds.checks.size() / 20));
    EXPECT_TRUE(chinese_note);
}

// ---- patrols ---------------------------------------------------------------------------------------

TEST(DemoPatrols, AboutOneWalkADayByTeamDayAndNight) {
    const Dataset& ds = model();
    EXPECT_GE(ds.patrols.size(), 24u);
    EXPECT_LE(ds.patrols.size(), 40u);
    std::map<std::string, int> teams;
    int night = 0, rounds = 0;
    std::set<std::string> ids, dates;
    for (const auto& t : ds.patrols) {
        ++teams[t.team];
        ASSERT_TRUE(t.t_start && t.t_end) << t.track_id;
        EXPECT_EQ(t.start, iso_date_time(*t.t_start));
        EXPECT_EQ(t.end, iso_date_time(*t.t_end));
        const int64_t hour = *t.t_start % kDay / 3600;
        night += hour >= 20 || hour < 6;
        const int64_t minute = *t.t_start % kDay / 60;
        // The set rounds: 08:30, 14:30 and 21:00, setting out up to 5 minutes early or 20 late.
        for (int64_t set : {8 * 60 + 30, 14 * 60 + 30, 21 * 60}) rounds += minute >= set - 5 && minute <= set + 20;
        EXPECT_TRUE(ids.insert(t.track_id).second) << t.track_id;
        dates.insert(t.start.substr(0, 10));
        EXPECT_GE(t.start.substr(0, 10), "2026-10-02");
        EXPECT_LE(t.start.substr(0, 10), "2026-10-31");
    }
    EXPECT_GT(teams["patrol"], static_cast<int>(ds.patrols.size() / 2));
    EXPECT_GT(teams["joint"], 0);
    EXPECT_GT(teams["grid"] + teams["joint"], 2);
    EXPECT_EQ(teams.size(), static_cast<size_t>(teams.count("patrol") + teams.count("joint") + teams.count("grid")));
    EXPECT_GE(night, 5);
    EXPECT_LE(night, static_cast<int>(ds.patrols.size()) * 2 / 3);
    EXPECT_GE(rounds, static_cast<int>(ds.patrols.size()) / 2);
    EXPECT_LT(rounds, static_cast<int>(ds.patrols.size()));  // and some at unset times
    EXPECT_GE(dates.size(), 24u);
}

TEST(DemoPatrols, TracksRunAlongTheRoads) {
    const Dataset& ds = model();
    for (const auto& t : ds.patrols) {
        ASSERT_EQ(t.shape.size(), 1u) << t.track_id;
        ASSERT_GE(t.shape[0].size(), 20u) << t.track_id;
        double worst = 0;
        for (Vec2 p : t.shape[0]) {
            double d = INFINITY;
            for (const auto& r : ds.roads) d = std::min(d, distance_to(r.shape, p));
            worst = std::max(worst, d);
        }
        EXPECT_LT(worst, 30) << t.track_id;
        // A loop or an out-and-back: it ends where it started, at the patrol base.
        EXPECT_LT(distance(t.shape[0].front(), t.shape[0].back()), 50) << t.track_id;
        // GPS fixes every ~10 s at walking pace: ~12 m apart, never a jump.
        for (size_t k = 1; k < t.shape[0].size(); ++k)
            EXPECT_LT(distance(t.shape[0][k - 1], t.shape[0][k]), 40) << t.track_id << " at " << k;
    }
}

TEST(DemoPatrols, DurationsMatchTheLengthAtWalkingSpeed) {
    const Dataset& ds = model();
    for (const auto& t : ds.patrols) {
        const double len = track_length(t), secs = static_cast<double>(*t.t_end - *t.t_start);
        ASSERT_GT(secs, 0) << t.track_id;
        const double speed = len / secs;
        EXPECT_GT(speed, 1.0) << t.track_id;
        EXPECT_LT(speed, 1.4) << t.track_id;
        EXPECT_GT(len, 800) << t.track_id;
        EXPECT_LT(len, 12000) << t.track_id;
        // The vertices are timed, from start to end (a steady walk).
        ASSERT_TRUE(t.timed()) << t.track_id;
        EXPECT_EQ(t.times[0].front(), *t.t_start);
        EXPECT_EQ(t.times[0].back(), *t.t_end);
    }
}

TEST(DemoPatrols, PassTheFacilitiesAndEnterprisesAndLeaveSomeRoadsUnwalked) {
    const Dataset& ds = model();
    for (const auto& f : ds.facilities) {
        if (f.kind == "persuasion_station" || f.kind == "patrol_base") {
            EXPECT_TRUE(patrolled_near(ds, f.pos, 50)) << f.name;
        }
    }
    int passed = 0;
    for (const auto& e : ds.enterprises) {
        bool near = false;
        for (const auto& t : ds.patrols)
            for (Vec2 p : t.shape[0])
                for (const auto& poly : e.shape)
                    for (const auto& ring : poly.rings)
                        for (size_t k = 0; k + 1 < ring.size() && !near; ++k)
                            near = segment_distance(p, ring[k], ring[k + 1]) < 50 || inside(e.shape, p);
        passed += near;
    }
    EXPECT_GE(passed, static_cast<int>(ds.enterprises.size()) / 2);
    // Road metres (sampled every 20 m) with a track within 25 m: most, not all; some roads none.
    double walked = 0, total = 0;
    int never = 0;
    for (const auto& r : ds.roads) {
        double road_walked = 0, road_total = 0;
        for (const auto& l : r.shape)
            for (size_t k = 0; k + 1 < l.size(); ++k) {
                const double len = distance(l[k], l[k + 1]);
                const int n = std::max(1, static_cast<int>(len / 20));
                for (int i = 0; i < n; ++i) {
                    const Vec2 p = l[k] + (l[k + 1] - l[k]) * ((i + 0.5) / n);
                    road_total += len / n;
                    road_walked += patrolled_near(ds, p, 25) ? len / n : 0;
                }
            }
        walked += road_walked, total += road_total;
        never += road_walked == 0 && road_total > 100;
    }
    EXPECT_GE(never, 2);
    EXPECT_GT(walked / total, 0.4);
    EXPECT_LT(walked / total, 0.95);
}

// ---- determinism, writing and reading back ----------------------------------------------------------

TEST(DemoDaily, SameSeedSameLayersOtherSeedOtherLayers) {
    const std::string a = daily_fingerprint(model());
    EXPECT_EQ(a, daily_fingerprint(generate_demo({1, 1})));
    EXPECT_NE(a, daily_fingerprint(generate_demo({1, 2})));
}

TEST(DemoDaily, ScaleTwoHasEachCommunitysDailyWorkWithUniqueIds) {
    const Dataset two = generate_demo({2, 1});
    std::set<std::string> ids;
    for (const auto& c : two.checks) {
        EXPECT_TRUE(ids.insert(c.check_id).second) << c.check_id;
        EXPECT_EQ(c.check_id.substr(0, 5), c.grid_id.substr(0, 5));
    }
    for (const auto& t : two.patrols) EXPECT_TRUE(ids.insert(t.track_id).second) << t.track_id;
    EXPECT_GT(two.checks.size(), model().checks.size() * 3 / 2);
    EXPECT_GT(two.patrols.size(), model().patrols.size() * 3 / 2);
    // Copy 0 is the model community: its daily work too.
    EXPECT_EQ(two.checks.front().check_id, "C000-" + model().checks.front().check_id);
}

TEST(DemoDaily, WrittenLayersReadBackAsGenerated) {
    gwtest::TempDir dir("demo_daily");
    const auto r = gwtest::run_gridwatch("demo --out " + dir / "d.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    const Dataset ds = open_dataset({dir / "d.gpkg"});
    const Dataset& m = model();
    EXPECT_TRUE(ds.report.bad_times.empty());
    ASSERT_EQ(ds.checks.size(), m.checks.size());
    for (size_t k = 0; k < m.checks.size(); ++k) {
        const Check &a = ds.checks[k], &b = m.checks[k];
        EXPECT_EQ(a.check_id, b.check_id);
        EXPECT_EQ(a.grid_id + a.reporter + a.time + a.kind + a.note, b.grid_id + b.reporter + b.time + b.kind + b.note);
        EXPECT_EQ(a.people, b.people) << a.check_id;
        EXPECT_EQ(a.when, b.when) << a.check_id;
        EXPECT_LT(distance(a.pos, b.pos), 1e-3) << a.check_id;
    }
    ASSERT_EQ(ds.patrols.size(), m.patrols.size());
    for (size_t k = 0; k < m.patrols.size(); ++k) {
        const PatrolTrack &a = ds.patrols[k], &b = m.patrols[k];
        EXPECT_EQ(a.track_id + a.team + a.start + a.end, b.track_id + b.team + b.start + b.end);
        ASSERT_EQ(a.shape.size(), 1u);
        ASSERT_EQ(a.shape[0].size(), b.shape[0].size()) << a.track_id;
        ASSERT_TRUE(a.timed()) << a.track_id;
        for (size_t i = 0; i < a.shape[0].size(); ++i) {
            EXPECT_LT(distance(a.shape[0][i], b.shape[0][i]), 1e-3) << a.track_id;
            EXPECT_LE(std::abs(a.times[0][i] - b.times[0][i]), 1) << a.track_id;
        }
    }
    // SPEC §3: patrols are LineStrings, checks Points, in the CRS of the other layers.
    GDALDatasetUniquePtr g(GDALDataset::Open((dir / "d.gpkg").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(g);
    OGRLayer* patrols = g->GetLayerByName("patrols");
    OGRLayer* checks = g->GetLayerByName("checks");
    ASSERT_TRUE(patrols && checks);
    EXPECT_EQ(wkbFlatten(patrols->GetGeomType()), wkbLineString);
    EXPECT_EQ(wkbFlatten(checks->GetGeomType()), wkbPoint);
    for (OGRLayer* l : {patrols, checks}) {
        ASSERT_TRUE(l->GetSpatialRef());
        EXPECT_STREQ(l->GetSpatialRef()->GetAuthorityCode(nullptr), "4490") << l->GetName();
    }
    const OGRFeatureDefn* defn = checks->GetLayerDefn();
    EXPECT_EQ(defn->GetFieldDefn(defn->GetFieldIndex("people"))->GetType(), OFTInteger);
}

TEST(DemoDaily, ExportedShapefilesKeepTheDailyLayers) {
    gwtest::TempDir dir("demo_daily_shp");
    const auto r = gwtest::run_gridwatch("demo --out " + dir / "shp");
    ASSERT_EQ(r.status, 0) << r.err;
    const Dataset ds = open_dataset({dir / "shp"});
    EXPECT_EQ(ds.checks.size(), model().checks.size());
    EXPECT_EQ(ds.patrols.size(), model().patrols.size());
    EXPECT_TRUE(ds.report.bad_times.empty());
    // Masked names on export, as for every other person field.
    const auto masked = gwtest::run_gridwatch("export " + dir / "shp" + " --out " + dir / "masked" +
                                              " --layers checks --mask-personal");
    ASSERT_EQ(masked.status, 0) << masked.err;
    const Dataset m = open_dataset({dir / "masked"});
    ASSERT_FALSE(m.checks.empty());
    EXPECT_NE(m.checks.front().reporter, model().checks.front().reporter);
    EXPECT_NE(m.checks.front().reporter.find('*'), std::string::npos);
}
