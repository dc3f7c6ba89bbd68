#include "geo/io/project.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"

namespace fs = std::filesystem;

namespace gw {

std::string project_path_for(const std::string& dataset) { return dataset + ".gridwatch.json"; }

namespace {

Box grown(Box b, double frac) {
    const double dx = std::max(b.width(), 50.0) * frac, dy = std::max(b.height(), 50.0) * frac;
    b.add(Vec2{b.xmin - dx, b.ymin - dy}), b.add(Vec2{b.xmax + dx, b.ymax + dy});
    return b;
}

}  // namespace

namespace {

/**
 * A project file's JSON, its keys checked: a key it does not know (a typo such as "thresholds" for
 * "warning") would otherwise be passed over and its settings silently not applied.
 */
nlohmann::json read_project_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot be read", {path}, "check the path");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("is not valid JSON: ") + e.what(), {path}, "fix the project file");
    }
    if (!j.is_object())
        throw Error("is not a project file (an object of scenes, warning, mapping)", {path},
                    "fix the project file");
    for (const auto& [key, value] : j.items())
        if (key != "scenes" && key != "warning" && key != "mapping")
            throw Error("has a key '" + key + "' a project file does not have (scenes, warning, mapping)",
                        {path, "", "", key}, "rename or remove it");
    if (j.contains("scenes") && !j["scenes"].is_array())
        throw Error("scenes must be a list of scenes", {path, "", "", "scenes"}, "fix the project file");
    if (j.contains("warning") && !j["warning"].is_object())
        throw Error("warning must be an object of thresholds", {path, "", "", "warning"},
                    "fix the project file");
    return j;
}

}  // namespace

WarningThresholds load_warning_thresholds(const std::string& project_file) {
    WarningThresholds t;
    if (project_file.empty() || !fs::exists(project_file)) return t;
    const nlohmann::json j = read_project_json(project_file);
    if (!j.contains("warning")) return t;
    const auto& w = j["warning"];
    std::string at = "warning";
    try {
        auto number = [&](const nlohmann::json& o, const char* key, double fallback,
                          const std::string& where) {
            at = where + "." + key;
            return o.contains(key) ? o.at(key).get<double>() : fallback;
        };
        t.red = number(w, "red", t.red, "warning"), t.yellow = number(w, "yellow", t.yellow, "warning");
        t.blue = number(w, "blue", t.blue, "warning");
        if (w.contains("weights")) {
            const auto& k = w["weights"];
            at = "warning.weights";
            if (!k.is_object())
                throw Error("warning.weights must be an object of numbers", {project_file, "", "", at},
                            "fix the project file");
            t.w_red = number(k, "red", t.w_red, at),
            t.w_yellow = number(k, "yellow", t.w_yellow, "warning.weights");
            t.w_blue = number(k, "blue", t.w_blue, "warning.weights"),
            t.w_green = number(k, "green", t.w_green, "warning.weights");
            t.w_none = number(k, "none", t.w_none, "warning.weights");
        }
    } catch (const nlohmann::json::exception&) {
        throw Error(at + " must be a number", {project_file, "", "", at}, "fix the project file");
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
            if (!s.is_object() || !s.contains("name") || !s.contains("extent"))
                throw Error("a scene must be an object with a name and an extent", {path, "", "", "scenes"},
                            "fix the project file");
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
