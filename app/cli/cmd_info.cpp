// gridwatch info DATASET [--json]: layers, counts, CRS, extent and the validity report (SPEC §4).
#include <cstdio>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/stats.h"
#include "geo/analysis/terrain.h"
#include "geo/core/text.h"
#include "geo/io/names.h"
#include "geo/io/project.h"

namespace gw::app {
namespace {

struct InfoArgs {
    DatasetArgs data;
    bool json = false;
};

nlohmann::json issues_json(const std::vector<Issue>& v, const char* id_key) {
    auto a = nlohmann::json::array();
    for (const auto& i : v) {
        nlohmann::json e{{id_key, i.feature}, {"layer", i.layer}, {"problem", i.problem}};
        if (!i.file.empty()) e["file"] = without_secrets(i.file), e["source_layer"] = i.source_layer;
        a.push_back(std::move(e));
    }
    return a;
}

/** The counts both the text and the JSON report. */
struct InfoCounts {
    Box extent;
    std::map<int, int> per_level;  // grid cells per level
    int people = 0;
    std::map<std::string, int> by_owner;  // cameras
    int online = 0;
    size_t repaired = 0;  // geometries, all layers
};

InfoCounts count_info(const Dataset& ds) {
    InfoCounts n;
    n.extent = ds.extent();
    for (const auto& g : ds.grids) n.per_level[g.level]++;
    for (const auto& h : ds.households) n.people += h.members.value_or(0);
    for (const auto& c : ds.cameras) n.by_owner[c.owner.empty() ? "unknown" : c.owner]++, n.online += c.online();
    for (const auto& [layer, ids] : ds.report.repaired) n.repaired += ids.size();
    return n;
}

/** The recognised layers as JSON: role, layer, how, fields. */
nlohmann::json names_json(const Dataset& ds) {
    nlohmann::json known = nlohmann::json::array(), unknown = nlohmann::json::array();
    nlohmann::json suggestion = nlohmann::json::object();
    for (const auto& l : ds.layers) {
        if (!l.recognised_by.empty()) {
            nlohmann::json fields = nlohmann::json::object();
            for (const auto& [want, have] : l.fields) fields[want] = have;
            known.push_back({{"role", l.name}, {"layer", l.source_name}, {"by", l.recognised_by}, {"level", l.level},
                             {"fields", fields}});
            continue;
        }
        const auto [role, fields] = suggest_role(l, ds.layers);
        const std::string line = role.empty() ? std::string() : mapping_line(role, l.source_name, fields);
        unknown.push_back({{"layer", l.source_name}, {"geometry", l.geometry}, {"count", l.count},
                           {"fields", l.source_fields}, {"mapping_line", line}});
        if (!line.empty()) suggestion.update(nlohmann::json::parse("{" + line + "}"));
    }
    return {{"recognised", known}, {"unrecognised", unknown}, {"mapping_to_add", suggestion}};
}

/** `gridwatch info --json`: one document with the text report's facts. */
void print_info_json(const Dataset& ds, const InfoCounts& n) {
    nlohmann::json j;
    j["source"] = without_secrets(ds.source);
    j["crs"] = ds.crs;
    j["work_crs"] = ds.work_crs;
    j["work_crs_reason"] = ds.work_crs_reason;
    j["work_crs_equal_area_only"] = ds.work_crs_wide;
    const Box& ext = n.extent;
    j["extent"] = ext.empty() ? nlohmann::json(nullptr) : nlohmann::json{ext.xmin, ext.ymin, ext.xmax, ext.ymax};
    auto layers = nlohmann::json::array();
    for (const auto& l : ds.layers)
        layers.push_back({{"name", l.name},
                          {"source_name", l.source_name},
                          {"geometry", l.geometry},
                          {"count", l.count},
                          {"invalid", l.invalid},
                          {"crs", l.crs},
                          {"source", without_secrets(l.source)}});
    j["layers"] = layers;
    nlohmann::json lv = nlohmann::json::object();
    for (auto [l, cells] : n.per_level) lv[std::to_string(l)] = cells;
    j["grid_levels"] = lv;
    j["households"] = ds.households.size();
    j["people"] = n.people;
    j["cameras"] = {{"total", ds.cameras.size()}, {"online", n.online}, {"by_owner", n.by_owner}};
    j["incidents"] = ds.incidents.size();
    nlohmann::json rep = nlohmann::json::object();
    for (const auto& [layer, ids] : ds.report.repaired) rep[layer] = ids;
    j["repaired"] = rep;
    j["tiling_ok"] = ds.report.tiling.empty();
    j["tiling"] = issues_json(ds.report.tiling, "grid_id");
    j["bad_cameras"] = issues_json(ds.report.bad_cameras, "cam_id");
    j["notes"] = issues_json(ds.report.other, "feature");
    j["orphan_cells"] = issues_json(ds.report.orphan_cells, "grid_id");
    j["names"] = names_json(ds);
    if (ds.dem) {
        const DemInfo& t = ds.dem->info;
        j["dem"] = {{"file", t.file},           {"gdal_name", t.gdal_name}, {"width", t.width},
                    {"height", t.height},       {"res_x", t.res_x},         {"res_y", t.res_y},
                    {"units", t.units},         {"crs", t.crs},             {"work_cell_m", t.work_cell},
                    {"warped", t.warped}};
    }
    print_json(std::move(j), ds);
}

/**
 * What was recognised (role ← layer, field ← source field), what was not, and the mapping lines
 * to add to the project file for the latter: one copy-paste (SPEC §3).
 */
void print_names(const Dataset& ds) {
    bool any_unknown = false, any_named = false;
    for (const auto& l : ds.layers) {
        any_unknown |= l.recognised_by.empty();
        bool renamed = l.recognised_by != "name";
        for (const auto& [want, have] : l.fields) renamed |= want != have;
        any_named |= !l.recognised_by.empty() && renamed;
    }
    if (any_named) {
        std::printf("\nrecognised:\n");
        for (const auto& l : ds.layers) {
            if (l.recognised_by.empty()) continue;
            std::string fields;
            for (const auto& [want, have] : l.fields)
                if (want != have) fields += (fields.empty() ? ": " : ", ") + want + " ← " + have;
            const std::string level = l.level ? ", level " + std::to_string(l.level) : "";
            std::printf("  %s ← %s (by %s%s)%s\n", l.name.c_str(), l.source_name.c_str(), l.recognised_by.c_str(),
                        level.c_str(), fields.c_str());
        }
    }
    if (!any_unknown) return;
    std::printf("\nnot recognised (drawn, left out of analyses):\n");
    std::string lines;
    for (const auto& l : ds.layers) {
        if (!l.recognised_by.empty()) continue;
        std::string fields;
        for (const auto& f : l.source_fields) fields += (fields.empty() ? "" : ", ") + f;
        std::printf("  %s (%s, %lld features; fields: %s)\n", l.source_name.c_str(), l.geometry.c_str(),
                    static_cast<long long>(l.count), fields.empty() ? "none" : fields.c_str());
        const auto [role, named] = suggest_role(l, ds.layers);
        if (!role.empty()) lines += std::string(lines.empty() ? "" : ",\n") + "    " + mapping_line(role, l.source_name, named);
    }
    if (lines.empty()) return;
    std::printf("to analyse them, put the right role and fields (for each ?) in %s:\n  \"mapping\": {\n%s\n  }\n",
                project_path_for(ds.source).c_str(), lines.c_str());
}

/** Title, CRS, extent, the layer table and the counts. */
void print_info_text(const Dataset& ds, const InfoCounts& n) {
    const Box& ext = n.extent;
    // The communities by name: up to three, then how many more (a county has a hundred).
    std::string title;
    int communities = 0;
    for (const auto& g : ds.grids)
        if (g.level == 1 && !g.name.empty() && ++communities <= 3) title += (title.empty() ? "" : "、") + g.name;
    if (communities > 3) title += " 等 " + std::to_string(communities) + " 个社区 (" + std::to_string(communities) + " communities)";
    std::printf("%s%s\n", title.empty() ? "" : (title + " — ").c_str(), without_secrets(ds.source).c_str());
    std::printf("CRS %s; working CRS %s (metres)\n", ds.crs.c_str(), ds.work_crs.c_str());
    if (!ds.work_crs_reason.empty()) std::printf("  why: %s\n", ds.work_crs_reason.c_str());
    if (ds.work_crs_wide)
        std::printf("  areas are true; distances and angles are not, far from its centre: %s\n", kWideExtentAdvice);
    if (!ext.empty())
        std::printf("extent %.1f, %.1f – %.1f, %.1f (%.2f × %.2f km)\n", ext.xmin, ext.ymin, ext.xmax, ext.ymax,
                    ext.width() / 1000, ext.height() / 1000);
    std::printf("\n%-14s %-18s %9s %8s  %s\n", "layer", "geometry", "features", "repaired", "CRS");
    for (const auto& l : ds.layers)
        std::printf("%-14s %-18s %9lld %8d  %s%s\n", l.name.c_str(), l.geometry.c_str(),
                    static_cast<long long>(l.count), l.invalid, l.crs.c_str(),
                    l.name == l.source_name || l.source_name.empty() ? "" : ("  (" + l.source_name + ")").c_str());
    if (!ds.grids.empty()) {
        std::printf("\ngrid cells:");
        for (auto [l, cells] : n.per_level) std::printf("  L%d ×%d", l, cells);
        std::printf("\n");
    }
    if (ds.dem) {
        const DemInfo& t = ds.dem->info;
        std::printf("DEM %s: %d × %d cells of %g × %g %s, %s", t.gdal_name.c_str(), t.width, t.height, t.res_x,
                    t.res_y, t.units.c_str(), t.crs.c_str());
        if (t.warped) std::printf(" (warped to %s, %.3g m cells)", ds.work_crs.c_str(), t.work_cell);
        std::printf("; terrain occlusion on, cameras without height at %g m\n", kDefaultCameraHeight);
    }
    std::printf("households %zu (%d people)", ds.households.size(), n.people);
    std::printf("; cameras %zu (%d online", ds.cameras.size(), n.online);
    for (const auto& [o, cams] : n.by_owner) std::printf(", %s %d", o.c_str(), cams);
    std::printf("); enterprises %zu; incidents %zu\n", ds.enterprises.size(), ds.incidents.size());
}

/** The validity report (SPEC §4): repaired geometries, grid tiling, bad cameras, other notes. */
void print_validity(const Dataset& ds, const InfoCounts& n) {
    std::printf("\nvalidity:\n");
    if (n.repaired == 0) std::printf("  geometries: all valid\n");
    for (const auto& [layer, ids] : ds.report.repaired) {
        std::string list;
        for (size_t i = 0; i < ids.size() && i < 10; ++i) list += (i ? ", " : "") + ids[i];
        if (ids.size() > 10) list += ", …";
        std::printf("  %s: %zu invalid geometr%s repaired (MakeValid): %s\n", layer.c_str(), ids.size(),
                    ids.size() == 1 ? "y" : "ies", list.c_str());
    }
    if (ds.report.tiling_checked) {
        if (ds.report.tiling.empty())
            std::printf("  grid tiling: every cell tiles its parent (no gaps, no overlaps)\n");
        else
            std::printf("  grid tiling: %zu problem(s)\n", ds.report.tiling.size());
        for (const auto& i : ds.report.tiling) std::printf("    %s: %s\n", i.feature.c_str(), i.problem.c_str());
    }
    if (!ds.cameras.empty()) {
        std::printf("  cameras: %zu usable, %zu with bad values (left out of analyses)\n",
                    ds.cameras.size() - ds.report.bad_cameras.size(), ds.report.bad_cameras.size());
        for (const auto& i : ds.report.bad_cameras) std::printf("    %s: %s\n", i.feature.c_str(), i.problem.c_str());
    }
    for (const auto* list : {&ds.report.orphan_cells, &ds.report.other})
        for (const auto& i : *list)
            std::printf("  %s%s%s%s: %s\n", i.layer.c_str(), i.feature.empty() ? "" : " ", i.feature.c_str(),
                        i.file.empty() ? "" : (" (" + i.file + ")").c_str(), i.problem.c_str());
}

void run_info(const InfoArgs& a) {
    // Of the checks only each cell's last is kept: every row is still read, counted and judged, but
    // info looks at none of them (a prefecture's 2.7 million took 0.9 GB of its 2.0), nor at the
    // time as written of a check or an incident whose time can be read.
    Dataset ds =
        a.data.open({}, /*check_tiling=*/true, /*allow_default=*/false, /*grid_level=*/0, [](OpenOptions& o) {
            o.checks_from = std::numeric_limits<int64_t>::max();
            o.time_text = false;
        });
    const InfoCounts n = count_info(ds);
    if (a.json) {
        print_info_json(ds, n);
        return;
    }
    print_info_text(ds, n);
    print_names(ds);
    print_validity(ds, n);
}

}  // namespace

void setup_info(CLI::App& root) {
    auto a = std::make_shared<InfoArgs>();
    auto* cmd = root.add_subcommand("info", "layers, feature counts, CRS, extent, validity report");
    add_dataset_args(cmd, a->data);
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->callback([a] { run_info(*a); });
}

}  // namespace gw::app
