#include "geo/io/project.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"

namespace fs = std::filesystem;

namespace gw {

namespace {

Box grown(Box b, double frac) {
    const double dx = std::max(b.width(), 50.0) * frac, dy = std::max(b.height(), 50.0) * frac;
    b.add(Vec2{b.xmin - dx, b.ymin - dy}), b.add(Vec2{b.xmax + dx, b.ymax + dy});
    return b;
}

}  // namespace

WarningThresholds load_warning_thresholds(const std::string& project_file) {
    WarningThresholds t;
    if (project_file.empty() || !fs::exists(project_file)) return t;
    const nlohmann::json j = read_project_json(project_file);  // every value below a number
    if (!j.contains("warning")) return t;
    const auto& w = j["warning"];
    t.red = w.value("red", t.red), t.yellow = w.value("yellow", t.yellow), t.blue = w.value("blue", t.blue);
    if (w.contains("weights")) {
        const auto& k = w["weights"];
        t.w_red = k.value("red", t.w_red), t.w_yellow = k.value("yellow", t.w_yellow);
        t.w_blue = k.value("blue", t.w_blue), t.w_green = k.value("green", t.w_green);
        t.w_none = k.value("none", t.w_none);
    }
    if (!(t.red >= t.yellow && t.yellow >= t.blue))
        throw Error("warning thresholds must satisfy red ≥ yellow ≥ blue", {project_file, "", "", "warning"},
                    "fix the project file");
    return t;
}

Project load_project(const std::string& path) {
    Project p;
    const nlohmann::json j = read_project_json(path);
    try {
        for (const auto& s : j.value("scenes", nlohmann::json::array())) {
            Scene sc;
            sc.name = s.at("name").get<std::string>();
            sc.title = s.value("title", sc.name);
            sc.subtitle = s.value("subtitle", "");
            const auto& e = s.at("extent");
            if (!e.is_array() || e.size() != 4)
                throw Error("scene '" + sc.name + "' extent must be [xmin, ymin, xmax, ymax]", {path, "", "", "extent"},
                            "fix the project file");
            sc.extent.add(Vec2{e[0].get<double>(), e[1].get<double>()});
            sc.extent.add(Vec2{e[2].get<double>(), e[3].get<double>()});
            sc.layers = s.value("layers", std::vector<std::string>{});
            sc.overlay = s.value("overlay", "");
            p.scenes.push_back(std::move(sc));
        }
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("is not a valid project file: ") + e.what(), {path}, "fix the JSON");
    }
    p.warning = load_warning_thresholds(path);
    if (j.contains("mapping")) p.mapping = mapping_from_json(j["mapping"], path);
    return p;
}

void save_project(const Project& p, const std::string& path) {
    nlohmann::json j;
    j["scenes"] = nlohmann::json::array();
    for (const auto& s : p.scenes)
        j["scenes"].push_back({{"name", s.name},
                               {"title", s.title},
                               {"subtitle", s.subtitle},
                               {"extent", {s.extent.xmin, s.extent.ymin, s.extent.xmax, s.extent.ymax}},
                               {"layers", s.layers},
                               {"overlay", s.overlay}});
    const auto& w = p.warning;
    j["warning"] = {{"red", w.red}, {"yellow", w.yellow}, {"blue", w.blue},
                    {"weights", {{"red", w.w_red}, {"yellow", w.w_yellow}, {"blue", w.w_blue}, {"green", w.w_green}, {"none", w.w_none}}}};
    if (!p.mapping.empty()) j["mapping"] = mapping_to_json(p.mapping);
    write_file_atomically(path, j.dump(2) + "\n");
}

std::vector<Scene> default_scenes(const Dataset& ds) {
    std::vector<Scene> out;
    Box all;
    for (const auto& g : ds.grids)
        if (g.level == 1) all.add(bounds(g.shape));
    if (all.empty()) all = ds.extent();
    std::string community;
    for (const auto& g : ds.grids)
        if (g.level == 1 && community.empty()) community = g.name;
    out.push_back({"overview", community.empty() ? "全域概览" : community, "网格化管理 · 两网融合", grown(all, 0.03), {}, ""});
    for (const auto& g : ds.grids)
        if (g.level == 2 && out.size() < 12)
            out.push_back({"area-" + g.grid_id, g.name.empty() ? g.grid_id : g.name, g.manager.empty() ? "" : "网格长 " + g.manager,
                           grown(bounds(g.shape), 0.05), {}, ""});
    for (const auto& g : ds.grids)
        if (g.level == 3 && g.name.find("罗家大坡") != std::string::npos) {
            out.push_back({"luojiadapo", g.name, "搬迁安置点", grown(bounds(g.shape), 0.1), {}, ""});
            break;
        }
    for (const auto& f : ds.facilities)
        if (f.kind == "persuasion_station") {
            Box b;
            b.add(Vec2{f.pos.x - 250, f.pos.y - 180}), b.add(Vec2{f.pos.x + 250, f.pos.y + 180});
            out.push_back({"g320-junction", f.name.empty() ? "G320路口" : f.name, "出村路与国道G320交叉口", b, {}, ""});
            break;
        }
    out.push_back({"hotspots", "事件热点", "核密度 · 近一年", grown(all, 0.03), {}, "kde"});
    out.push_back({"blind-spots", "监控盲区", "道路、企业与住户周边未覆盖区域", grown(all, 0.03), {}, "gaps"});
    // Daily work (SPEC §5.5), where the data has it: last, so the scenes before keep their places.
    if (!ds.checks.empty())
        out.push_back({"checks", "今日巡查", "网格巡查 · 未巡查网格", grown(all, 0.03), {}, "checks"});
    return out;
}

Project project_for(const Dataset& ds) {
    const std::string path = project_path_for(ds.source);
    if (fs::exists(path)) {
        Project p = load_project(path);
        if (p.scenes.empty()) p.scenes = default_scenes(ds);
        return p;
    }
    Project p;
    p.scenes = default_scenes(ds);
    return p;
}

}  // namespace gw
