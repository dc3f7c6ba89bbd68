// The viewer: scripted input parsing, and the real window under xvfb with injected pan, zoom
// and click, checked through screenshots.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "app/viewer/viewer.h"
#include "geo/core/error.h"
#include "tests/cli_run.h"
#include "tests/viewer_run.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;

TEST(ViewerEvents, ParsesScriptAndRejectsGarbage) {
    auto e = gw::app::parse_events("drag:10,20,30,-40;wheel:5,6,2; click:7,8;key:home");
    ASSERT_EQ(e.size(), 4u);
    EXPECT_EQ(e[0].kind, gw::app::ScriptEvent::Drag);
    EXPECT_DOUBLE_EQ(e[0].dy, -40);
    EXPECT_EQ(e[1].kind, gw::app::ScriptEvent::Wheel);
    EXPECT_DOUBLE_EQ(e[1].dx, 2);
    EXPECT_EQ(e[2].kind, gw::app::ScriptEvent::Click);
    EXPECT_EQ(e[3].key, "home");
    EXPECT_EQ(gw::app::parse_events("# a comment\nclick:1,2\n\nwheel:1,2,-1\n").size(), 2u);
    EXPECT_THROW(gw::app::parse_events("drag:1,2"), gw::Error);
    EXPECT_THROW(gw::app::parse_events("jump:1,2"), gw::Error);
}

namespace {

using gwtest::have_xvfb;
using gwtest::kXvfb;

using gwtest::Shot;
Shot load(const std::string& path) { return gwtest::load_shot(path); }

/** A community of four villager groups with a road camera in the middle (WGS84 GeoJSON). */
struct ViewerCommunity {
    TempDir dir{"viewer"};
    std::string dataset;
    ViewerCommunity() {
        const char* const names[] = {"大坪子一组", "大坪子二组", "罗家大坡", "河边组"};
        dataset = gwtest::write_four_cells(dir, names, "大坪子社区");
    }
    std::string args() const { return dataset; }
};

double differing_fraction(const Shot& a, const Shot& b) {
    size_t n = 0;
    for (size_t i = 0; i + 2 < a.rgb.size(); i += 3)
        n += std::abs(a.rgb[i] - b.rgb[i]) + std::abs(a.rgb[i + 1] - b.rgb[i + 1]) +
                 std::abs(a.rgb[i + 2] - b.rgb[i + 2]) >
             30;
    return double(n) / (a.rgb.size() / 3);
}

}  // namespace

TEST(ViewerWindow, ScreenshotsChangeWithPanZoomAndClickInspects) {
    ASSERT_TRUE(have_xvfb())
        << "xvfb-run is missing: install the xvfb and xauth packages to run the viewer tests";
    ViewerCommunity c;
    const std::string a = c.dir / "a.png", b = c.dir / "b.png";
    auto r1 = run_gridwatch("view " + c.args() + " --size 800x600 --frames 4 --screenshot " + a, kXvfb);
    ASSERT_EQ(r1.status, 0) << r1.err;
    // The camera sits at the centre of the data, so at the centre of the window (a hair above
    // it: the fit leaves room for the menu and status bars).
    auto r2 = run_gridwatch("view " + c.args() + " --size 800x600 --screenshot " + b +
                                " --events \"click:400,299;drag:400,300,150,80;wheel:400,300,3\"",
                            kXvfb);
    ASSERT_EQ(r2.status, 0) << r2.err;
    EXPECT_NE(r2.out.find("selected: cameras K1"), std::string::npos) << r2.out;

    Shot sa = load(a), sb = load(b);
    ASSERT_EQ(sa.w, 800);
    ASSERT_EQ(sa.h, 600);
    ASSERT_FALSE(sa.rgb.empty());
    ASSERT_EQ(sb.rgb.size(), sa.rgb.size());
    // Not blank: many pixels differ from the paper colour, and there are dark (line, text) ones.
    size_t dark = 0, paper = 0;
    for (size_t i = 0; i + 2 < sa.rgb.size(); i += 3) {
        dark += sa.rgb[i] + sa.rgb[i + 1] + sa.rgb[i + 2] < 200;
        paper += sa.rgb[i] == 244 && sa.rgb[i + 1] == 241 && sa.rgb[i + 2] == 234;
    }
    EXPECT_GT(dark, 2000u);
    EXPECT_GT(paper, sa.rgb.size() / 3 / 10);
    EXPECT_GT(differing_fraction(sa, sb), 0.05);
}

TEST(ViewerWindow, ClickOnCellSelectsFinestCellAndEnglishSwitchWorks) {
    ASSERT_TRUE(have_xvfb())
        << "xvfb-run is missing: install the xvfb and xauth packages to run the viewer tests";
    ViewerCommunity c;
    const std::string zh = c.dir / "zh.png", en = c.dir / "en.png";
    // Left of the centre and below it: inside the south-west group G1, away from the camera's view.
    auto r = run_gridwatch(
        "view " + c.args() + " --size 800x600 --screenshot " + zh + " --events \"click:300,400\"", kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("selected: grids G1"), std::string::npos) << r.out;
    auto r2 = run_gridwatch(
        "view " + c.args() + " --lang en --size 800x600 --screenshot " + en + " --events \"click:300,400\"",
        kXvfb);
    ASSERT_EQ(r2.status, 0) << r2.err;
    Shot a = load(zh), b = load(en);
    ASSERT_EQ(a.rgb.size(), b.rgb.size());
    const double d = differing_fraction(a, b);
    EXPECT_GT(d, 0.001);  // the panels' text changed …
    EXPECT_LT(d, 0.2);    // … the map did not
}

TEST(ViewerWindow, WithoutDisplayFailsWithOneClearLine) {
    ViewerCommunity c;
    auto r = run_gridwatch("view " + c.args() + " --frames 1", "env -u DISPLAY -u WAYLAND_DISPLAY");
    EXPECT_EQ(r.status, 1);
    EXPECT_NE(r.err.find("display"), std::string::npos) << r.err;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
}

// What reading left out (incidents without a readable time, missing from the heat map and every
// window) was told on stderr only, which a viewer user opening the map from the desktop never
// sees. The 读取提示 window lists the same lines, and opens by itself when there are any.
TEST(ViewerWindow, ReadingNotesAreShownInTheirWindow) {
    ASSERT_TRUE(have_xvfb())
        << "xvfb-run is missing: install the xvfb and xauth packages to run the viewer tests";
    TempDir d("viewer_notes");
    const std::string bundled = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    const std::string copy = d / "notes.gpkg";
    std::filesystem::copy_file(bundled, copy);
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(copy.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        ds->ReleaseResultSet(
            ds->ExecuteSQL("UPDATE incidents SET time = '昨天' WHERE fid <= 2", nullptr, nullptr));
        ds->ReleaseResultSet(ds->ExecuteSQL("UPDATE cameras SET fov = -5 WHERE fid = 3", nullptr, nullptr));
    }
    const std::string shot = d / "notes.png", plain = d / "plain.png";
    auto r = run_gridwatch("view " + copy + " --size 800x600 --frames 4 --print-notes --screenshot " + shot,
                           kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    // The same lines as on stderr: the incidents' and the camera's, each shown.
    size_t lines = 0;
    for (char ch : r.err) lines += ch == '\n';
    EXPECT_EQ(lines, 2u) << r.err;
    EXPECT_NE(r.out.find("reading notes: 2, shown 2"), std::string::npos) << r.out << r.err;
    auto none = run_gridwatch(
        "view " + bundled + " --size 800x600 --frames 4 --print-notes --screenshot " + plain, kXvfb);
    ASSERT_EQ(none.status, 0) << none.err;
    EXPECT_NE(none.out.find("reading notes: 0, shown -1"), std::string::npos) << none.out;
    // The window is drawn: the two maps differ where it stands.
    Shot a = load(shot), b = load(plain);
    ASSERT_EQ(a.rgb.size(), b.rgb.size());
    EXPECT_GT(differing_fraction(a, b), 0.02);
}

// The notes of a PG: dataset name its connection: without its password, as the command line's
// lines are. The window opens by itself for new notes only, not again for those the user closed.
TEST(ViewerNotes, HideThePasswordAndStayClosedForTheSameNotes) {
    gw::app::ViewerState st;
    const std::string pg = "PG:dbname=grid host=/tmp user=office password=s3cret";
    st.ds.source = pg;
    st.ds.report.bad_times.push_back(
        {"incidents", "I1", "time 'x' is not an ISO-8601 date", pg, "incidents"});
    gw::app::refresh_notes(st);
    ASSERT_EQ(st.notes.size(), 1u);
    EXPECT_EQ(st.notes[0].find("s3cret"), std::string::npos) << st.notes[0];
    EXPECT_NE(st.notes[0].find("dbname=grid"), std::string::npos) << st.notes[0];
    EXPECT_TRUE(st.show_notes);
    st.show_notes = false;  // closed by the user
    gw::app::refresh_notes(st);
    EXPECT_FALSE(st.show_notes);
    st.ds.report.no_geometry.push_back({"cameras", "C9", "no geometry", pg, "cameras"});
    gw::app::refresh_notes(st);
    EXPECT_EQ(st.notes.size(), 2u);
    EXPECT_TRUE(st.show_notes);
}
