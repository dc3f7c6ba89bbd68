#include "app/viewer/layer_prefs.h"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"

namespace gw::app {
namespace {

namespace fs = std::filesystem;

/** The layers whose looks are the user's own: the dataset's layers, not overlays or basemaps. */
bool kept(const SceneLayer& L) {
    switch (L.id) {
        case LayerId::Basemap:
        case LayerId::Choropleth:  // shown with the choropleth column the layer panel picks
        case LayerId::Coverage:
        case LayerId::Gaps:
        case LayerId::Hotspots:
        case LayerId::Plan:
        case LayerId::GiCells:
        case LayerId::WarningCells:
        case LayerId::CheckCells:
        case LayerId::Daily:
        case LayerId::DailyTracks:
        case LayerId::Other:  // named by the user's source ("Layer1"…): not the same layer in another dataset
        case LayerId::Count:
            return false;
        default:
            return !L.key.empty();
    }
}

std::string hex(Rgba c) {
    char s[16];
    std::snprintf(s, sizeof s, "#%02x%02x%02x%02x", unsigned(c & 255), unsigned(c >> 8 & 255), unsigned(c >> 16 & 255),
                  unsigned(c >> 24 & 255));
    return s;
}

bool parse_hex(const std::string& s, Rgba& out) {
    unsigned r = 0, g = 0, b = 0, a = 255;
    if (s.size() != 9 || s[0] != '#' || std::sscanf(s.c_str() + 1, "%2x%2x%2x%2x", &r, &g, &b, &a) != 4) return false;
    out = rgba(r, g, b, a);
    return true;
}

}  // namespace

std::string layer_prefs_path() {
    if (const char* x = std::getenv("XDG_CONFIG_HOME"); x && *x) return (fs::path(x) / "gridwatch" / "layers.json").string();
    if (const char* h = std::getenv("HOME"); h && *h)
        return (fs::path(h) / ".config" / "gridwatch" / "layers.json").string();
    return {};
}

std::string layer_prefs_json(const Scene& scene) {
    nlohmann::ordered_json layers = nlohmann::ordered_json::object();
    for (const auto& L : scene.layers) {
        if (!kept(L)) continue;
        layers[L.key] = {{"visible", L.visible},
                         {"opacity", L.opacity},
                         {"color", L.style.recolor ? nlohmann::ordered_json(hex(L.style.color)) : nlohmann::ordered_json()},
                         {"line_width", L.style.line_width},
                         {"point_size", L.style.point_size}};
    }
    return nlohmann::ordered_json{{"version", 1}, {"layers", layers}}.dump(2) + "\n";
}

void load_layer_prefs(Scene& scene, const std::string& path) {
    if (path.empty() || !fs::exists(path)) return;
    std::ifstream in(path);
    std::stringstream text;
    text << in.rdbuf();
    nlohmann::json j = nlohmann::json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (!in || j.is_discarded() || !j.is_object() || !j.contains("layers") || !j["layers"].is_object()) {
        std::fprintf(stderr, "%s: not a layer preferences file (JSON with \"layers\"); the layers keep their defaults — "
                             "delete the file to start afresh\n", path.c_str());
        return;
    }
    for (auto& L : scene.layers) {
        if (!kept(L) || !j["layers"].contains(L.key)) continue;
        const auto& p = j["layers"][L.key];
        if (!p.is_object()) continue;
        if (p.contains("visible") && p["visible"].is_boolean()) L.visible = p["visible"].get<bool>();
        if (p.contains("opacity") && p["opacity"].is_number())
            L.opacity = std::clamp(p["opacity"].get<float>(), 0.f, 1.f);
        if (p.contains("line_width") && p["line_width"].is_number())
            L.style.line_width = std::clamp(p["line_width"].get<float>(), 0.25f, 5.f);
        if (p.contains("point_size") && p["point_size"].is_number())
            L.style.point_size = std::clamp(p["point_size"].get<float>(), 0.25f, 5.f);
        Rgba c = 0;
        L.style.recolor = p.contains("color") && p["color"].is_string() && parse_hex(p["color"].get<std::string>(), c);
        if (L.style.recolor) L.style.color = c;
    }
}

void save_layer_prefs(const Scene& scene, const std::string& path) {
    if (path.empty()) return;
    std::error_code ec;
    fs::create_directories(fs::path(path).parent_path(), ec);
    try {
        write_file_atomically(path, layer_prefs_json(scene));
    } catch (const Error& e) {
        // Preferences are a convenience: the viewer goes on without them.
        std::fprintf(stderr, "%s; the layer preferences are not kept\n", e.what());
    }
}

}  // namespace gw::app
