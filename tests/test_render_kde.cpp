// The KDE overlay's GPU path: a KdeRaster from geo/analysis/hotspots.h, turned into a scene raster as the
// hotspots panel does (to_scalar_raster), uploaded as a float texture and colour-mapped by
// shaders/raster_fs.glsl. A dense cluster must come out hot where the incidents are, and the
// map must show through where none are.
#include <gtest/gtest.h>

#include "app/render/gl_context.h"
#include "app/render/renderer.h"
#include "app/render/scene.h"
#include "geo/analysis/hotspots.h"

using namespace gw;
using namespace gw::app;

TEST(RenderKde, DenseClusterGivesHotPixelsWhereTheIncidentsAre) {
    // 40 incidents within 10 m of (500, 500), 3 scattered far away, in a 1 km square.
    std::vector<Vec2> pts;
    for (int i = 0; i < 40; ++i) pts.push_back({500.0 + (i % 7) - 3, 500.0 + (i % 5) - 2});
    pts.push_back({100, 900}), pts.push_back({900, 100}), pts.push_back({120, 130});
    KdeOptions ko;
    ko.cell_m = 5, ko.bandwidth_m = 80;
    const KdeRaster kde = kernel_density(pts, ko);

    Scene scene;
    scene.origin = {500, 500};
    scene.extent = Box{0, 0, 1000, 1000};
    SceneLayer L;
    L.id = LayerId::Hotspots;
    L.key = "hotspots";
    L.raster = to_scalar_raster(kde);
    scene.layers.push_back(std::move(L));

    HeadlessGl gl;
    const MapView view = MapView::fit(Box{0, 0, 1000, 1000}, 200, 200);  // 5 m a pixel
    const auto img = render_image(scene, view, nullptr);
    auto px = [&](Vec2 w) {
        const Vec2 s = view.to_screen(w);
        const size_t i = (size_t(s.y) * size_t(view.width) + size_t(s.x)) * 4;
        return std::array<int, 3>{img[i], img[i + 1], img[i + 2]};
    };
    const auto hot = px({500, 500});
    // The top of the ramp is dark red: red well above green and blue.
    EXPECT_GT(hot[0], 100);
    EXPECT_LT(hot[1], 60) << hot[0] << "," << hot[1] << "," << hot[2];
    EXPECT_LT(hot[2], 90);
    // Far from every incident (beyond the bandwidth): the paper, untouched.
    const auto paper = px({300, 700});
    const Rgba bg = kMapBackground;
    EXPECT_EQ(paper[0], int(bg & 255));
    EXPECT_EQ(paper[1], int(bg >> 8 & 255));
    EXPECT_EQ(paper[2], int(bg >> 16 & 255));
    // Half a bandwidth out: warmer than the paper but lighter than the peak.
    const auto mid = px({540, 500});
    EXPECT_GT(mid[1], hot[1]);
    EXPECT_LT(mid[2], int(bg >> 16 & 255));
}
