// Vertex arrays of the analysis layers (coverage, gaps, hotspots, plan) and the rebuild of the
// camera layers after an edit (see scene.h). No GL calls here.
#include <algorithm>
#include <cmath>

#include "app/render/scene.h"
#include "geo/analysis/hotspots.h"
#include "geo/analysis/validate.h"

namespace gw::app {
namespace {

void add_ring(std::vector<LineInstance>& out, Vec2 o, const Ring& ring, Rgba color, float width, float dash) {
    if (ring.size() < 2) return;
    double dist = 0;
    for (size_t i = 0; i < ring.size(); ++i) {
        const Vec2 a = ring[i] - o, b = ring[(i + 1) % ring.size()] - o;
        out.push_back({float(a.x), float(a.y), float(b.x), float(b.y), color, width, float(dist), dash,
                       dash > 0 ? dash * 0.7f : 0});
        dist += distance(a, b);
    }
}

}  // namespace

SceneLayer& ensure_layer(Scene& scene, LayerId id, const char* key, LayerId below) {
    for (auto& L : scene.layers)
        if (L.id == id) return L;
    SceneLayer L;
    L.id = id;
    L.key = key;
    auto at = std::find_if(scene.layers.begin(), scene.layers.end(),
                           [&](const SceneLayer& x) { return x.id == below; });
    if (at != scene.layers.end()) ++at;
    return *scene.layers.insert(at, std::move(L));
}

void add_polygons(SceneLayer& L, Vec2 o, const MultiPolygon& shape, Rgba fill, Rgba outline, float width_px,
                  float dash_px) {
    for (const auto& poly : shape) {
        if (fill >> 24)
            for (Vec2 p : triangulate(poly)) L.fills.push_back({float(p.x - o.x), float(p.y - o.y), fill});
        if (width_px > 0)
            for (const auto& ring : poly.rings) add_ring(L.lines, o, ring, outline, width_px, dash_px);
    }
}

ScalarRaster to_scalar_raster(const KdeRaster& kde) {
    ScalarRaster r;
    r.values = kde.density;
    r.width = kde.width, r.height = kde.height;
    r.extent = Box{kde.x0, kde.y0 - kde.height * kde.cell, kde.x0 + kde.width * kde.cell, kde.y0};
    r.vmax = float(kde.max_density > 0 ? kde.max_density : 1);
    return r;
}

Rgba coverage_color(double c) {
    // A diverging red–yellow–green ramp in five steps (ColorBrewer RdYlGn): a reader sees the
    // blind cells at once, and a colour-blind reader still reads the lightness.
    static constexpr Rgba ramp[] = {rgba(215, 48, 39), rgba(252, 141, 89), rgba(254, 224, 139),
                                    rgba(145, 207, 96), rgba(26, 152, 80)};
    const int k = std::clamp(int(c * 5), 0, 4);
    return ramp[k];
}

void build_camera_layers(Scene& scene, const Dataset& ds, const std::vector<const Camera*>* view_cameras,
                         const std::vector<MultiPolygon>* views) {
    const Vec2 o = scene.origin;
    SceneLayer& V = scene.layer(LayerId::CameraViews);
    V.fills.clear(), V.lines.clear(), V.fill_bands.clear(), V.line_bands.clear();
    if (views && view_cameras) {
        for (size_t i = 0; i < views->size() && i < view_cameras->size(); ++i)
            if (const Camera* cam = (*view_cameras)[i])
                add_polygons(V, o, (*views)[i], with_alpha(camera_color(*cam), 72), 0, 0);
    } else {
        for (const auto& cam : ds.cameras) {
            if (!camera_problem(cam).empty()) continue;
            const Rgba c = with_alpha(camera_color(cam), cam.online() ? 64 : 56);
            const auto fan = sector_outline(cam);
            for (size_t k = 1; k + 1 < fan.size(); ++k)
                for (Vec2 p : {fan[0], fan[k], fan[k + 1]})
                    V.fills.push_back({float(p.x - o.x), float(p.y - o.y), c});
        }
    }
    ++V.revision;

    SceneLayer& C = scene.layer(LayerId::Cameras);
    C.points.clear(), C.point_bands.clear();
    for (const auto& c : ds.cameras)
        C.points.push_back({float(c.pos.x - o.x), float(c.pos.y - o.y), camera_color(c),
                            c.online() ? rgba(255, 255, 255) : rgba(60, 60, 60), 10,
                            float(int(c.online() ? Symbol::Circle : Symbol::Ring))});
    ++C.revision;
}

}  // namespace gw::app
