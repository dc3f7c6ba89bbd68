// Daily work on screen (SPEC §5.5): the checks and patrols layers (off on the plain map, inspectable),
// the 巡查 panel in the real window under xvfb with pixels read back (cells in the legend's colours,
// tracks drawn for the panel's window only, a clicked cell's history), and the wall's 今日巡查 scene
// (its figures through the model, its colouring through pixels).
//
// The community: four 400 m L4 cells in EPSG:4542, reports on known days, two tracks on known days.
//   A (0..400, 400..800): checked on 11-20 (routine 09:00, newcomer 10:00), 11-18, 11-10
//   B (400..800, 400..800): last checked 11-17 → 3 days on 11-20
//   C (0..400, 0..400): never checked
//   D (400..800, 0..400): returnee on 11-20; a report naming D from a point in C on 11-19 (outside)
//   T1: patrol along y = 300, 11-20 08:00–09:00; T2: joint along y = 500, 11-10.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>
#include <tuple>

#include "app/render/gl_context.h"
#include "app/render/renderer.h"
#include "app/render/scene.h"
#include "app/viewer/viewer.h"
#include "app/wall/wall.h"
#include "geo/core/gdal_setup.h"
#include "geo/io/dataset.h"
#include "geo/io/project.h"
#include "tests/cli_run.h"
#include "tests/pixels.h"
#include "tests/viewer_run.h"

using namespace gw;
using namespace gw::app;
using gwtest::Pixel;
using gwtest::run_gridwatch;
using gwtest::TempDir;

namespace {

constexpr double kX0 = 466000, kY0 = 2720000;  // EPSG:4542 metres, as the bundled data
const char* kCrs = R"("crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4542"}})";

std::string collection(const std::string& features) {
    return R"({"type": "FeatureCollection", )" + std::string(kCrs) + R"(, "features": [)" + features + "]}";
}

std::string square(double x, double y, double side) {
    char b[512];
    std::snprintf(b, sizeof b, "[[[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f],[%.1f,%.1f]]]", kX0 + x, kY0 + y,
                  kX0 + x + side, kY0 + y, kX0 + x + side, kY0 + y + side, kX0 + x, kY0 + y + side, kX0 + x, kY0 + y);
    return b;
}

std::string cell(const std::string& id, int level, const std::string& parent, const std::string& name,
                 const std::string& manager, double x, double y, double side) {
    return R"({"type":"Feature","properties":{"grid_id":")" + id + R"(","level":)" + std::to_string(level) +
           R"(,"parent_id":")" + parent + R"(","name":")" + name + R"(","manager":")" + manager +
           R"("},"geometry":{"type":"Polygon","coordinates":)" + square(x, y, side) + "}}";
}

std::string check(const std::string& id, const std::string& grid, const std::string& kind, const std::string& time,
                  double x, double y, const std::string& reporter = "刘小红") {
    char b[512];
    std::snprintf(b, sizeof b,
                  R"({"type":"Feature","properties":{"check_id":"%s","grid_id":"%s","reporter":"%s","time":"%s","kind":"%s"},)"
                  R"("geometry":{"type":"Point","coordinates":[%.1f,%.1f]}})",
                  id.c_str(), grid.c_str(), reporter.c_str(), time.c_str(), kind.c_str(), kX0 + x, kY0 + y);
    return b;
}

std::string track(const std::string& id, const std::string& team, double y, const std::string& start,
                  const std::string& end) {
    char b[512];
    std::snprintf(b, sizeof b,
                  R"({"type":"Feature","properties":{"track_id":"%s","team":"%s","start":"%s","end":"%s"},)"
                  R"("geometry":{"type":"LineString","coordinates":[[%.1f,%.1f],[%.1f,%.1f]]}})",
                  id.c_str(), team.c_str(), start.c_str(), end.c_str(), kX0 + 20, kY0 + y, kX0 + 780, kY0 + y);
    return b;
}

/** Writes the community above; returns the DATASET arguments. */
std::string write_community(const TempDir& dir) {
    dir.write("grids.geojson",
              collection(cell("C0", 1, "", "试验社区", "", 0, 0, 800) + "," +
                         cell("A", 4, "C0", "甲组", "张三丰", 0, 400, 400) + "," +
                         cell("B", 4, "C0", "乙组", "李晓梅", 400, 400, 400) + "," +
                         cell("C", 4, "C0", "丙组", "王大富", 0, 0, 400) + "," +
                         cell("D", 4, "C0", "丁组", "赵六", 400, 0, 400)));
    dir.write("checks.geojson",
              collection(check("k1", "A", "routine", "2026-11-20T09:00:00", 200, 600) + "," +
                         check("k2", "A", "newcomer", "2026-11-20T10:00:00", 215, 615) + "," +
                         check("k3", "A", "routine", "2026-11-18T09:00:00", 200, 600) + "," +
                         check("k4", "A", "routine", "2026-11-10T09:00:00", 200, 600) + "," +
                         check("k5", "B", "routine", "2026-11-17T09:00:00", 600, 600) + "," +
                         check("k6", "D", "returnee", "2026-11-20T08:30:00", 600, 200) + "," +
                         check("k7", "D", "routine", "2026-11-19T08:30:00", 200, 200, "孙悟空")));
    dir.write("patrols.geojson", collection(track("T1", "patrol", 300, "2026-11-20T08:00:00", "2026-11-20T09:00:00") +
                                            "," + track("T2", "joint", 500, "2026-11-10T20:00:00", "2026-11-10T21:00:00")));
    return dir / "grids.geojson" + " " + dir / "checks.geojson" + " " + dir / "patrols.geojson";
}

Dataset open_community(const TempDir& dir) {
    write_community(dir);
    return open_dataset({dir / "grids.geojson", dir / "checks.geojson", dir / "patrols.geojson"});
}

/** What --print-daily reports after a scripted run of the panel. */
struct PanelRun {
    int status = -1;
    std::string out, err;
    double cx = 0, cy = 0, mpp = 0;
    gwtest::Shot shot;
    MapView view() const {
        MapView v;
        v.center = {cx, cy}, v.mpp = mpp, v.width = 1280, v.height = 800;
        return v;
    }
    Pixel at(double x, double y) const {  // the pixel under world point (kX0 + x, kY0 + y)
        const Vec2 s = view().to_screen({kX0 + x, kY0 + y});
        const long px = std::lround(s.x), py = std::lround(s.y);
        if (px < 0 || py < 0 || px >= shot.w || py >= shot.h || shot.rgb.empty()) return {-1, -1, -1};
        const size_t i = (size_t(py) * shot.w + size_t(px)) * 3;
        return {shot.rgb[i], shot.rgb[i + 1], shot.rgb[i + 2]};
    }
};

PanelRun run_panel(const TempDir& dir, const std::string& data, const std::string& events, const std::string& name) {
    PanelRun p;
    const std::string png = dir / (name + ".png");
    // Dragged 235 px left: the cells' middle lies between the layer panel and the 巡查 panel.
    auto r = run_gridwatch("view " + data + " --size 1280x800 --frames 6 --print-daily --screenshot " + png +
                               " --events \"drag:700,400,-235,0" + (events.empty() ? "" : ";" + events) + "\"",
                           gwtest::kXvfb);
    p.status = r.status, p.out = r.out, p.err = r.err;
    std::smatch m;
    if (std::regex_search(r.out, m, std::regex("view: (-?[0-9.]+) (-?[0-9.]+) mpp ([0-9.]+)")))
        p.cx = std::stod(m[1]), p.cy = std::stod(m[2]), p.mpp = std::stod(m[3]);
    p.shot = gwtest::load_shot(png);
    return p;
}

/** Source-over blend of `c` at its alpha onto `under`. */
Pixel over(Rgba c, Rgba under) {
    const double a = (c >> 24 & 255) / 255.0;
    const Pixel s = gwtest::unpack(c), d = gwtest::unpack(under);
    return {int(std::lround(s.r * a + d.r * (1 - a))), int(std::lround(s.g * a + d.g * (1 - a))),
            int(std::lround(s.b * a + d.b * (1 - a)))};
}

::testing::AssertionResult same_color(Pixel a, Pixel b, int tol = 6) {
    if (gwtest::near(a, b, tol)) return ::testing::AssertionSuccess();
    return ::testing::AssertionFailure() << "(" << a.r << "," << a.g << "," << a.b << ") vs (" << b.r << "," << b.g
                                         << "," << b.b << ")";
}

/** Pixels of the patrol team's colour along y = `y` (world), x from 450 to 560 m (between the panels). */
int track_pixels(const PanelRun& p, double y) {
    int n = 0;
    const Pixel want = gwtest::unpack(patrol_team_rgba("patrol"));
    for (double x = 450; x <= 560; x += 2)
        for (double dy = -3; dy <= 3; dy += 0.5) n += gwtest::near(p.at(x, y + dy * p.mpp), want, 30);
    return n;
}

}  // namespace

// ---- Layers -----------------------------------------------------------------------------------

TEST(DailyLayers, ChecksAndPatrolsAreLayersOffOnThePlainMap) {
    TempDir dir("daily_layers");
    const Dataset ds = open_community(dir);
    ASSERT_EQ(ds.checks.size(), 7u);
    ASSERT_EQ(ds.patrols.size(), 2u);
    const app::Scene s = build_scene(ds);
    const SceneLayer& checks = s.layer(LayerId::Checks);
    const SceneLayer& patrols = s.layer(LayerId::Patrols);
    EXPECT_EQ(checks.key, "checks");
    EXPECT_EQ(patrols.key, "patrols");
    EXPECT_FALSE(checks.visible);
    EXPECT_FALSE(patrols.visible);
    EXPECT_EQ(checks.points.size(), 7u);
    EXPECT_GE(patrols.lines.size(), 2u);  // each track at least once (levels of detail repeat it)
    // Kinds and teams in the palette's colours and symbols.
    bool newcomer = false;
    for (const auto& p : checks.points)
        if (p.fill == check_kind_rgba("newcomer")) {
            newcomer = true;
            EXPECT_EQ(int(p.shape), int(check_kind_symbol("newcomer")));
        }
    EXPECT_TRUE(newcomer);
    bool joint = false;
    for (const auto& l : patrols.lines) joint |= l.color == patrol_team_rgba("joint");
    EXPECT_TRUE(joint);
    EXPECT_STREQ(layer_title(LayerId::Checks, Lang::Zh), "巡查");
    EXPECT_STREQ(layer_title(LayerId::Patrols, Lang::Zh), "巡逻");
    EXPECT_STREQ(layer_title(LayerId::Checks, Lang::En), "Checks");
    EXPECT_STREQ(layer_title(LayerId::Patrols, Lang::En), "Patrols");
}

TEST(DailyLayers, AClickOnACheckOrATrackShowsItsAttributes) {
    TempDir dir("daily_pick");
    ViewerState st;
    st.ds = open_community(dir);
    st.scene = build_scene(st.ds);
    st.view = MapView::fit(st.scene.extent, 800, 800);
    auto screen = [&](double x, double y) { return st.view.to_screen({kX0 + x, kY0 + y}); };
    // Off: a click there picks the cell under it.
    auto off = pick(st, screen(600, 200));
    ASSERT_TRUE(off);
    EXPECT_EQ(off->layer, LayerId::Grids);
    st.scene.layer(LayerId::Checks).visible = true;
    st.scene.layer(LayerId::Patrols).visible = true;
    auto c = pick(st, screen(600, 200));
    ASSERT_TRUE(c);
    ASSERT_EQ(c->layer, LayerId::Checks);
    std::map<std::string, std::string> a;
    for (auto& [k, v] : attributes(st, *c)) a[k] = v;
    EXPECT_EQ(a["check_id"], "k6");
    EXPECT_EQ(a["kind"], "returnee");
    EXPECT_EQ(a["grid_id"], "D");
    EXPECT_EQ(a["reporter"], "刘小红");
    auto t = pick(st, screen(300, 300));
    ASSERT_TRUE(t);
    ASSERT_EQ(t->layer, LayerId::Patrols);
    a.clear();
    for (auto& [k, v] : attributes(st, *t)) a[k] = v;
    EXPECT_EQ(a["track_id"], "T1");
    EXPECT_EQ(a["team"], "patrol");
    EXPECT_EQ(a["start"], "2026-11-20T08:00:00");
    EXPECT_EQ(a["end"], "2026-11-20T09:00:00");
    EXPECT_EQ(a["length_m"], "760");
}

// ---- The 巡查 panel ------------------------------------------------------------------------------

TEST(DailyPanel, CellsInTheLegendColoursAndTracksOfTheWindowOnly) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "install xvfb and xauth";
    TempDir dir("daily_panel");
    const std::string data = write_community(dir);

    const PanelRun plain = run_panel(dir, data, "", "plain");
    ASSERT_EQ(plain.status, 0) << plain.err;
    ASSERT_FALSE(plain.shot.rgb.empty());
    const PanelRun day = run_panel(dir, data, "key:daily_date=2026-11-20", "day");
    ASSERT_EQ(day.status, 0) << day.err;
    ASSERT_FALSE(day.shot.rgb.empty());
    EXPECT_NE(day.out.find("daily: date 2026-11-20 days 7 cells 4 checked 2 overdue 2 today 3"), std::string::npos)
        << day.out;
    EXPECT_NE(day.out.find("daily first overdue: C"), std::string::npos) << day.out;  // never checked: worst
    // The test points lie between the layer panel and the 巡查 panel.
    for (auto [x, y] : {std::pair{350.0, 700.0}, {450.0, 460.0}, {350.0, 150.0}}) {
        const Vec2 s = day.view().to_screen({kX0 + x, kY0 + y});
        ASSERT_GT(s.x, 400);
        ASSERT_LT(s.x, 800);
    }
    // A: checked on the day; B: 3 days since (3–6); C: never. Over the map's paper, nothing else there.
    const auto fill = [](int cls) { return over(with_alpha(days_since_rgba(cls), 150), kMapBackground); };
    EXPECT_TRUE(same_color(day.at(350, 700), fill(0)));
    EXPECT_TRUE(same_color(day.at(450, 460), fill(3)));
    EXPECT_TRUE(same_color(day.at(350, 150), fill(kDaysSinceClasses - 1)));
    // The plain map has none of it.
    EXPECT_TRUE(same_color(plain.at(350, 700), gwtest::unpack(kMapBackground)));
    EXPECT_TRUE(same_color(plain.at(350, 150), gwtest::unpack(kMapBackground)));

    // T1 (11-20) is drawn for the window ending 11-20, not on the plain map; T2 (11-10) is outside it.
    EXPECT_GT(track_pixels(day, 300), 20);
    EXPECT_EQ(track_pixels(plain, 300), 0);
    EXPECT_EQ(track_pixels(day, 500), 0);
    EXPECT_NE(day.out.find("tracks 1 "), std::string::npos) << day.out;
    // A window of 11 days ending 11-20 reaches T2 (11-10); a day without tracks shows none.
    const PanelRun wide = run_panel(dir, data, "key:daily_date=2026-11-20;key:daily_days=11", "wide");
    ASSERT_EQ(wide.status, 0) << wide.err;
    EXPECT_NE(wide.out.find("tracks 2 "), std::string::npos) << wide.out;
    const PanelRun quiet = run_panel(dir, data, "key:daily_date=2026-11-18;key:daily_days=1", "quiet");
    ASSERT_EQ(quiet.status, 0) << quiet.err;
    EXPECT_NE(quiet.out.find("tracks 0 "), std::string::npos) << quiet.out;
    EXPECT_EQ(track_pixels(quiet, 300), 0);
}

TEST(DailyPanel, AClickedCellShowsItsHistoryWithOutsideReportsFlagged) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "install xvfb and xauth";
    TempDir dir("daily_history");
    const std::string data = write_community(dir);
    // Where D's middle-left lies on screen after the drag (the view of a first run).
    const PanelRun first = run_panel(dir, data, "key:daily_date=2026-11-20", "first");
    ASSERT_EQ(first.status, 0) << first.err;
    const Vec2 d = first.view().to_screen({kX0 + 450, kY0 + 120});
    char click[64];
    std::snprintf(click, sizeof click, ";click:%.0f,%.0f", d.x, d.y);
    const PanelRun p = run_panel(dir, data, std::string("key:daily_date=2026-11-20") + click, "history");
    ASSERT_EQ(p.status, 0) << p.err;
    // D in the 7 days ending 11-20: the returnee of 11-20 and the report of 11-19 made from C.
    EXPECT_NE(p.out.find("daily history: D checks 2 outside 1"), std::string::npos) << p.out;
}

// A slider move sends only the cells' colours to the GPU (SceneLayer::fill_colors): after moves back
// and forth the map must be, pixel for pixel, the map of the same date opened directly.
TEST(DailyPanel, CellsAfterSliderMovesAreThePixelsOfTheDateOpenedDirectly) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "install xvfb and xauth";
    TempDir dir("daily_moves");
    const std::string data = write_community(dir);
    const PanelRun direct = run_panel(dir, data, "key:daily_date=2026-11-20;key:daily_wait", "direct");
    ASSERT_EQ(direct.status, 0) << direct.err;
    // Days with reports: 11-10, 11-17, 11-18, 11-19, 11-20. From 11-17 to 11-20 by 18, 19, 18, 19.
    const PanelRun moved = run_panel(dir, data,
                                     "key:daily_date=2026-11-17;key:daily_next;key:daily_next;key:daily_prev;"
                                     "key:daily_next;key:daily_next;key:daily_wait",
                                     "moved");
    ASSERT_EQ(moved.status, 0) << moved.err;
    const PanelRun start = run_panel(dir, data, "key:daily_date=2026-11-17;key:daily_wait", "start");
    ASSERT_EQ(start.status, 0) << start.err;
    for (const PanelRun* p : {&direct, &moved})
        EXPECT_NE(p->out.find("daily: date 2026-11-20 days 7 cells 4 checked 2 overdue 2 today 3"), std::string::npos)
            << p->out;
    ASSERT_EQ(direct.shot.w, moved.shot.w);
    ASSERT_EQ(direct.shot.h, moved.shot.h);
    ASSERT_FALSE(direct.shot.rgb.empty());
    ASSERT_DOUBLE_EQ(direct.mpp, moved.mpp);
    // The cells in the legend's colours after the moves: A checked on the day, B 3 days since, C never.
    const auto fill = [](int cls) { return over(with_alpha(days_since_rgba(cls), 150), kMapBackground); };
    EXPECT_TRUE(same_color(moved.at(350, 700), fill(0)));
    EXPECT_TRUE(same_color(moved.at(450, 460), fill(3)));
    EXPECT_TRUE(same_color(moved.at(350, 150), fill(kDaysSinceClasses - 1)));
    // On 11-17, where the moves began, A was 7 days since its check: the moves recoloured it.
    EXPECT_TRUE(same_color(start.at(350, 700), fill(4)));
    // Every pixel of the four cells between the two panels (screen x 400–800), exactly.
    const Vec2 lo = direct.view().to_screen({kX0, kY0 + 800}), hi = direct.view().to_screen({kX0 + 800, kY0});
    size_t compared = 0, differ = 0, differ_from_start = 0;
    for (int y = std::max(0, int(lo.y)); y < std::min(direct.shot.h, int(hi.y)); ++y)
        for (int x = std::max(400, int(lo.x)); x < std::min(800, int(hi.x)); ++x) {
            const size_t i = (size_t(y) * direct.shot.w + size_t(x)) * 3;
            const bool same = std::equal(&direct.shot.rgb[i], &direct.shot.rgb[i] + 3, &moved.shot.rgb[i]);
            ++compared, differ += !same;
            differ_from_start += !std::equal(&start.shot.rgb[i], &start.shot.rgb[i] + 3, &moved.shot.rgb[i]);
        }
    EXPECT_GT(compared, 100000u);
    EXPECT_EQ(differ, 0u) << "of " << compared << " pixels";
    EXPECT_GT(differ_from_start, compared / 4) << "of " << compared << " pixels";
}

// ---- The panel's tracks, laid once by day: a window shows what the definition says -------------

TEST(DailyTracks, AWindowOfDaysShowsExactlyTheSegmentsWithBothEndsInIt) {
    OpenOptions oo;
    oo.layers = {"grids", "patrols"};
    Dataset ds = open_dataset({bundled_dataset_path()}, oo);
    ASSERT_GT(ds.patrols.size(), 20u);
    // What the bundled tracks may lack: segments across midnight (one across two midnights),
    // times out of order, and a track with no times (in no window).
    PatrolTrack night;
    night.track_id = "night", night.team = "joint";
    night.shape = {{{kX0, kY0}, {kX0 + 100, kY0}, {kX0 + 200, kY0}, {kX0 + 300, kY0}}};
    const int64_t d0 = civil_seconds(2026, 11, 5);
    night.times = {{d0 - 600, d0 + 600, d0 + 86400 + 60, d0 + 86400 - 30}};
    ds.patrols.push_back(night);
    PatrolTrack untimed = night;
    untimed.track_id = "untimed", untimed.times.clear();
    ds.patrols.push_back(untimed);

    const Vec2 o{kX0 - 1000, kY0 - 1000};
    SceneLayer L;
    L.lines.push_back({1, 2, 3, 4, rgba(1, 2, 3), 1, 0, 0, 0});  // a line already there stays, and is never shown
    const PatrolDays days = add_patrol_days(L, o, ds);
    int64_t lo = INT64_MAX, hi = INT64_MIN;
    for (const auto& t : ds.patrols)
        for (const auto& part : t.times)
            for (int64_t x : part) lo = std::min(lo, x / 86400), hi = std::max(hi, x / 86400);
    using Seg = std::tuple<float, float, float, float, Rgba, float>;
    int windows = 0;
    for (int len : {1, 3, 7})
        for (int64_t last = lo - 1; last <= hi + 1; ++last) {
            const int64_t first = last - (len - 1);
            const TimeWindow w{first * 86400, (last + 1) * 86400};
            // The definition: a segment whose two ends were both passed inside the window.
            std::multiset<Seg> want;
            std::vector<size_t> want_tracks;
            for (size_t i = 0; i < ds.patrols.size(); ++i) {
                const PatrolTrack& t = ds.patrols[i];
                bool any = false;
                for (size_t p = 0; p < t.shape.size(); ++p) {
                    double dist = 0;
                    for (size_t k = 0; k + 1 < t.shape[p].size(); ++k) {
                        const Vec2 a = t.shape[p][k] - o, b = t.shape[p][k + 1] - o;
                        if (p < t.times.size() && w.contains(t.times[p][k]) && w.contains(t.times[p][k + 1])) {
                            want.insert({float(a.x), float(a.y), float(b.x), float(b.y), patrol_team_rgba(t.team), float(dist)});
                            any = true;
                        }
                        dist += distance(a, b);
                    }
                }
                if (any) want_tracks.push_back(i);
            }
            const uint64_t revision = L.revision;
            const std::vector<size_t> shown = show_patrol_days(L, days, first, last);
            EXPECT_EQ(L.revision, revision);  // bands only: nothing goes to the GPU again
            std::multiset<Seg> got;
            for (const ScaleBand& b : L.line_bands)
                for (size_t i = b.first; i < b.first + b.count; ++i) {
                    const LineInstance& l = L.lines[i];
                    got.insert({l.ax, l.ay, l.bx, l.by, l.color, l.dist_m});
                }
            EXPECT_EQ(got, want) << "days " << first << "…" << last;
            EXPECT_EQ(shown, want_tracks) << "days " << first << "…" << last;
            windows += !want.empty();
        }
    EXPECT_GT(windows, 20);
    // The night track: 23:50 → 00:10 is in a window of both days only, and so is each segment
    // across the next midnight; on its own day it has nothing. The untimed track is in no window.
    const size_t night_i = ds.patrols.size() - 2, untimed_i = ds.patrols.size() - 1;
    const int64_t d = d0 / 86400;
    auto shows = [&](int64_t first, int64_t last, size_t track) {
        const auto v = show_patrol_days(L, days, first, last);
        return std::find(v.begin(), v.end(), track) != v.end();
    };
    EXPECT_FALSE(shows(d, d, night_i));
    EXPECT_FALSE(shows(d - 1, d - 1, night_i));
    EXPECT_TRUE(shows(d - 1, d, night_i));
    EXPECT_TRUE(shows(d, d + 1, night_i));
    EXPECT_FALSE(shows(lo - 1, hi + 1, untimed_i));
    // A window with no segment shows nothing (not, as a layer without bands would, every line).
    show_patrol_days(L, days, lo - 30, lo - 20);
    ASSERT_EQ(L.line_bands.size(), 1u);
    EXPECT_EQ(L.line_bands[0].count, 0u);
}

// ---- The wall's 今日巡查 scene -------------------------------------------------------------------

TEST(DailyWall, TheLegendGivesEachNumberItsUnitAndNeverNone) {
    // 0天 1天 2天 3–6天 7+天 从未: not "7+ 从未 天", which read as "never days".
    for (int k = 0; k + 1 < kDaysSinceClasses; ++k)
        EXPECT_EQ(wall_days_since_label(k), std::string(days_since_label(k)) + "天") << k;
    EXPECT_EQ(wall_days_since_label(kDaysSinceClasses - 1), "从未");
    EXPECT_EQ(wall_days_since_label(days_since_class(std::nullopt)), "从未");
    EXPECT_EQ(wall_days_since_label(days_since_class(9)), "7+天");
}

TEST(DailyWall, EnglishOnTheSwitch) {
    EXPECT_EQ(wall_days_since_label(0, Lang::En), "0 d");
    EXPECT_EQ(wall_days_since_label(days_since_class(9), Lang::En), "7+ d");
    EXPECT_EQ(wall_days_since_label(days_since_class(std::nullopt), Lang::En), "never");
    const auto [hm, date] = wall_clock_now(Lang::En);
    ASSERT_EQ(date.size(), 14u) << date;  // "2026-12-03 Thu": the day first, as the figures read it
    EXPECT_EQ(date.substr(0, 10), wall_clock_now().second.substr(0, 10));
    EXPECT_NE(std::string("SunMonTueWedThuFriSat").find(date.substr(11)), std::string::npos) << date;
    store::LiveStatus lost;
    lost.state = store::LiveState::Lost;
    bool alarm = false;
    EXPECT_EQ(wall_live_badge(lost, alarm, Lang::En), "Connection lost, reconnecting…");
    EXPECT_TRUE(alarm);
    EXPECT_EQ(wall_live_badge(lost, alarm), "连接中断，正在重连…");
    // Every caption of the layout has its glyphs in the wall's set (from the one string table).
    const std::string glyphs = wall_glyph_text(Dataset{}, {});
    for (const char* zh : {"户数", "摄像头在线", "未巡查网格", "距上次巡查", "网格预警", "星期"})
        EXPECT_NE(glyphs.find(zh), std::string::npos) << zh;
}

TEST(DailyWall, FiguresOfTheDayWithManagersMasked) {
    TempDir dir("daily_wall");
    const Dataset ds = open_community(dir);
    const auto w = wall_checks(ds, "2026-11-20");
    ASSERT_TRUE(w);
    EXPECT_EQ(w->date, "2026-11-20");
    EXPECT_FALSE(w->date_from_data);
    EXPECT_EQ(w->cells, 4);
    EXPECT_EQ(w->checked, 2);  // A and D
    EXPECT_DOUBLE_EQ(w->share(), 0.5);
    EXPECT_EQ(w->newcomers, 1);
    EXPECT_EQ(w->returnees, 1);
    ASSERT_EQ(w->overdue.size(), 2u);
    EXPECT_EQ(w->overdue[0].name, "丙组");  // never checked: worst
    EXPECT_FALSE(w->overdue[0].days);
    EXPECT_EQ(w->overdue[0].manager, "王*富");
    EXPECT_EQ(w->overdue[1].name, "乙组");
    EXPECT_EQ(w->overdue[1].days, 3);
    EXPECT_EQ(w->overdue[1].manager, "李*梅");
    // The morning after: still today, nothing checked yet; a week on, the data's last day stands in.
    const auto next = wall_checks(ds, "2026-11-21");
    ASSERT_TRUE(next);
    EXPECT_EQ(next->date, "2026-11-21");
    EXPECT_EQ(next->checked, 0);
    EXPECT_EQ(next->overdue.size(), 4u);
    const auto later = wall_checks(ds, "2026-11-27");
    ASSERT_TRUE(later);
    EXPECT_EQ(later->date, "2026-11-20");
    EXPECT_TRUE(later->date_from_data);
    EXPECT_EQ(later->checked, 2);
    // The scene is one the wall steps through, last.
    const auto scenes = default_scenes(ds);
    ASSERT_FALSE(scenes.empty());
    EXPECT_EQ(scenes.back().name, "checks");
    EXPECT_EQ(scenes.back().overlay, "checks");
    EXPECT_EQ(scenes.back().title, "今日巡查");
    // Managers' names never reach the wall's glyphs unmasked.
    const std::string glyphs = wall_glyph_text(ds, scenes);
    EXPECT_EQ(glyphs.find("王大富"), std::string::npos);
    EXPECT_NE(glyphs.find("王*富"), std::string::npos);
}

TEST(DailyWall, TheSceneColoursCellsByDaysSince) {
    TempDir dir("daily_wall_px");
    const Dataset ds = open_community(dir);
    HeadlessGl gl;
    const auto scenes = default_scenes(ds);
    WallContent content;
    content.figures = wall_figures(ds, "2026-11-20");
    ASSERT_TRUE(content.figures.checks);
    content.clock = "09:30";
    content.date = "2026-11-20 星期五";
    const int w = 960, h = 540;
    MapView view;
    const auto img = render_wall_image(ds, scenes, "checks", w, h, view, 0, &content);
    auto px = [&](double x, double y) {
        const Vec2 s = view.to_screen({kX0 + x, kY0 + y});
        return gwtest::at(img, w, int(std::lround(s.x)), int(std::lround(s.y)));
    };
    const auto fill = [](int cls) { return over(with_alpha(days_since_rgba(cls), 170), kWallBackground); };
    // Away from the overdue list (top-left of the map), the names and the track: A checked, B 3 days.
    EXPECT_TRUE(same_color(px(350, 450), fill(0)));
    EXPECT_TRUE(same_color(px(750, 450), fill(3)));
    EXPECT_TRUE(same_color(px(380, 50), fill(kDaysSinceClasses - 1)));
    // The map is fitted right of the list's column: the cells' left corners, once under the list, show
    // their class, and no cell reaches into the column.
    EXPECT_TRUE(same_color(px(30, 770), fill(0)));
    EXPECT_TRUE(same_color(px(30, 30), fill(kDaysSinceClasses - 1)));
    const WallLayout L = wall_layout(w, h);
    EXPECT_GT(view.to_screen({kX0, kY0 + 800}).x, L.list.xmax);
    EXPECT_LT(view.to_screen({kX0 + 800, kY0}).x, L.map.xmax);
    // A day with every cell checked: the column says so rather than stand empty.
    // Pixels far from the wall's background in `box` (from just below the title band's rule).
    auto ink_in_box = [&](const std::vector<uint8_t>& image, int iw, const Box& box) {
        const Pixel bg = gwtest::unpack(kWallBackground);
        size_t n = 0;
        for (int y = int(box.ymin) + 4; y < int(box.ymax); ++y)
            for (int x = int(box.xmin); x < int(box.xmax); ++x) {
                const Pixel p = gwtest::at(image, iw, x, y);
                n += std::abs(p.r - bg.r) + std::abs(p.g - bg.g) + std::abs(p.b - bg.b) > 90;
            }
        return n;
    };
    // The column's top third.
    auto ink_in_column = [&](const std::vector<uint8_t>& image) {
        return ink_in_box(image, w,
                          {L.list.xmin, L.map.ymin, L.list.xmax, L.map.ymin + 0.3 * L.map.height()});
    };
    EXPECT_GT(ink_in_column(img), 200u);
    WallContent all_checked = content;
    all_checked.figures.checks->overdue.clear();
    MapView v1;
    const auto none_overdue = render_wall_image(ds, scenes, "checks", w, h, v1, 0, &all_checked);
    EXPECT_GT(ink_in_column(none_overdue), 100u);
    EXPECT_LT(ink_in_column(none_overdue), ink_in_column(img));
    // A portrait or near-square wall, where a column would squeeze the map, has the list in a band
    // across the map's top: the map is fitted under it, no cell under the list.
    EXPECT_EQ(wall_layout(1920, 1080).list.height(), wall_layout(1920, 1080).map.height());
    for (const auto& [pw, ph] : {std::pair{1080, 1920}, std::pair{1280, 1024}}) {
        const WallLayout P = wall_layout(pw, ph);
        EXPECT_EQ(P.list.width(), P.map.width()) << pw << "x" << ph;
        MapView pv;
        const auto portrait = render_wall_image(ds, scenes, "checks", pw, ph, pv, 0, &content);
        EXPECT_GT(pv.to_screen({kX0 + 400, kY0 + 800}).y, P.list.ymax) << pw << "x" << ph;
        EXPECT_GT(ink_in_box(portrait, pw, P.list), 200u) << pw << "x" << ph;
    }
    // Other scenes do not show the overlay.
    MapView v2;
    const auto overview = render_wall_image(ds, scenes, "overview", w, h, v2, 0, &content);
    const Vec2 s = v2.to_screen({kX0 + 750, kY0 + 450});
    EXPECT_FALSE(same_color(gwtest::at(overview, w, int(s.x), int(s.y)), fill(3)));
}

// ---- The daily layers are read when first shown ----------------------------------------------------

TEST(DailyPanel, TheMapOpensBeforeTheDailyLayersAreReadAndThePanelSaysWhatIsWrong) {
    ASSERT_TRUE(gwtest::have_xvfb()) << "install xvfb and xauth";
    TempDir dir("daily_lazy");
    // The bundled community with a checks layer no reader takes: polygons where reports are points.
    const std::string data = (dir.path / "broken_checks.gpkg").string();
    std::filesystem::copy_file(std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg", data);
    {
        gw::gdal_setup();
        GDALDatasetUniquePtr ds(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        for (int i = 0; i < ds->GetLayerCount(); ++i)
            if (std::string(ds->GetLayer(i)->GetName()) == "checks") ds->DeleteLayer(i);
        OGRLayer* l = ds->CreateLayer("checks", ds->GetLayerByName("grids")->GetSpatialRef(), wkbPolygon);
        ASSERT_TRUE(l);
        OGRFieldDefn id("check_id", OFTString);
        l->CreateField(&id);
        OGRFeature f(l->GetLayerDefn());
        f.SetField("check_id", "CK-1");
        OGRPolygon poly;
        OGRLinearRing ring;
        for (auto [x, y] : {std::pair{98.69, 24.59}, {98.70, 24.59}, {98.70, 24.60}, {98.69, 24.59}}) ring.addPoint(x, y);
        poly.addRing(&ring);
        f.SetGeometry(&poly);
        ASSERT_EQ(l->CreateFeature(&f), OGRERR_NONE);
    }
    // Every command that reads the checks says so (the reading is the same)…
    const auto checks = run_gridwatch("checks " + data);
    EXPECT_EQ(checks.status, 1);
    EXPECT_NE(checks.err.find("checks"), std::string::npos) << checks.err;
    // …but the map opens without them: they are read when the 巡查 panel first shows.
    const auto map = run_gridwatch("view " + data + " --size 800x600 --frames 3", gwtest::kXvfb);
    EXPECT_EQ(map.status, 0) << map.err;
    // Opening the panel then reads them: the error is the panel's, the viewer goes on.
    const auto panel = run_gridwatch("view " + data + " --size 800x600 --frames 4 --print-daily --events key:daily_wait",
                                     gwtest::kXvfb);
    EXPECT_EQ(panel.status, 0) << panel.err;
    EXPECT_NE(panel.out.find("checks"), std::string::npos) << panel.out;
}
