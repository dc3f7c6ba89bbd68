// The coverage panel in the real window (xvfb): dragging a camera's body through --events moves
// it, the live coverage figure changes, and undo/redo take the drag back and forth whole.
#include <gtest/gtest.h>

#include <array>
#include <cstdlib>
#include <regex>

#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/viewer_run.h"

using gwtest::run_gridwatch;

namespace {

using gwtest::kXvfb;

/** Four 0.01° cells with a 400 m, 90° camera at their shared corner looking north-east. */
struct Community {
    gwtest::TempDir dir{"viewer_cov"};
    std::string dataset;
    Community() {
        const char* const names[] = {"组1", "组2", "组3", "组4"};
        dataset = gwtest::write_four_cells(dir, names, "社区");
    }
    /** The coverage percentage printed on exit after `events`. */
    double coverage_after(const std::string& events) const {
        auto r = run_gridwatch("view " + dataset +
                                   " --size 800x600 --frames 3 --print-coverage --events \"" + events + "\"",
                               kXvfb);
        EXPECT_EQ(r.status, 0) << r.err;
        std::smatch m;
        if (!std::regex_search(r.out, m, std::regex("coverage: level 3 ([0-9.]+)%"))) {
            ADD_FAILURE() << r.out;
            return -1;
        }
        return std::stod(m[1]);
    }
};

}  // namespace

TEST(ViewerCoverage, DraggingACameraChangesCoverageAndUndoRedoTakeItWhole) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    Community c;
    // The camera sits at the window's centre; its view lies inside the north-east cell.
    const double before = c.coverage_after("click:400,299");
    EXPECT_GT(before, 1);
    // Drag the body far to the north-east: the view leaves the community.
    const std::string drag = "click:400,299;drag:400,299,250,-250";
    const double moved = c.coverage_after(drag);
    EXPECT_LT(moved, before - 1);
    EXPECT_DOUBLE_EQ(c.coverage_after(drag + ";key:undo"), before);
    EXPECT_DOUBLE_EQ(c.coverage_after(drag + ";key:undo;key:redo"), moved);
    // Without a selected camera the same drag pans the map and leaves coverage alone.
    EXPECT_DOUBLE_EQ(c.coverage_after("drag:400,299,250,-250"), before);
}

TEST(ViewerCoverage, SaveWritesTheDraggedCameraBackIntoTheFile) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    Community c;
    const gw::Dataset before = gw::open_dataset({c.dir / "grids.geojson", c.dir / "cameras.geojson"});
    auto r = run_gridwatch("view " + c.dir / "grids.geojson" + " " + c.dir / "cameras.geojson" +
                               " --size 800x600 --frames 3 --print-coverage"
                               " --events \"click:400,299;drag:400,299,100,0;key:save\"",
                           kXvfb);
    ASSERT_EQ(r.status, 0) << r.err;
    const gw::Dataset after = gw::open_dataset({c.dir / "grids.geojson", c.dir / "cameras.geojson"});
    ASSERT_EQ(after.cameras.size(), 1u);
    EXPECT_GT(after.cameras[0].pos.x, before.cameras[0].pos.x + 100);  // 100 px east, a few m a pixel
    EXPECT_NEAR(after.cameras[0].pos.y, before.cameras[0].pos.y, 1);
    EXPECT_EQ(after.cameras[0].cam_id, "K1");
    EXPECT_DOUBLE_EQ(after.cameras[0].range, 400);
}

TEST(ViewerPlan, AcceptedPlanRaisesCoverageAndUndoTakesItBack) {
    ASSERT_EQ(std::system("command -v xvfb-run >/dev/null 2>&1"), 0) << "install xvfb and xauth";
    // The bundled community (no dataset named); the plan runs synchronously when scripted.
    auto coverage = [](const std::string& events) {
        auto r = run_gridwatch("view --size 1000x700 --frames 3 --print-coverage --events \"" + events + "\"",
                               kXvfb);
        EXPECT_EQ(r.status, 0) << r.err;
        std::smatch m;
        EXPECT_TRUE(std::regex_search(
            r.out, m, std::regex("coverage: level 4 ([0-9.]+)% households (\\d+)/\\d+ cameras (\\d+)")))
            << r.out;
        return m.size() == 4 ? std::array<double, 3>{std::stod(m[1]), std::stod(m[2]), std::stod(m[3])}
                             : std::array<double, 3>{-1, -1, -1};
    };
    const auto before = coverage("key:home");
    const auto accepted = coverage("key:plan_run;key:plan_accept");
    EXPECT_EQ(accepted[2], before[2] + 5);  // K = 5 cameras added
    EXPECT_GT(accepted[0], before[0]);
    EXPECT_GE(accepted[1], before[1]);
    const auto undone = coverage("key:plan_run;key:plan_accept;key:undo");
    EXPECT_EQ(undone[2], before[2]);
    EXPECT_NEAR(undone[0], before[0], 0.001);  // views are unioned in parallel: the last digit may vary
    EXPECT_EQ(undone[1], before[1]);
}
