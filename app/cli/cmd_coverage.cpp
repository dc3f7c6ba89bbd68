// gridwatch coverage DATASET [--level L] [--occlusion auto|none] [--quality Q] [--include-offline] [--no-gaps]
//                            [--out FILE] [--json]: per-grid camera coverage and gaps (SPEC §5.2).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <unordered_map>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/coverage.h"
#include "geo/analysis/terrain.h"
#include "geo/core/error.h"
#include "geo/io/out_layers.h"

namespace gw::app {
namespace {

struct CoverageArgs {
    DatasetArgs data;
    int level = 4;
    std::string occlusion = "auto", quality = "any", out;
    bool include_offline = false, json = false, no_gaps = false;
};

nlohmann::json cell_json(const CellCoverage& c) {
    nlohmann::json j = nlohmann::json::object();  // key by key: see print_json_items
    j["grid_id"] = c.grid_id, j["name"] = c.name, j["area_m2"] = c.area_m2;
    j["covered_m2"] = c.covered_m2, j["coverage"] = c.coverage, j["households"] = c.households;
    j["households_covered"] = c.households_covered;
    return j;
}

/** The layers --out writes, in order: the cells, the gaps, the views. */
std::vector<std::string> out_layer_names(int level) {
    return {"coverage_L" + std::to_string(level), "gaps", "views"};
}

std::vector<WrittenLayer> write_out(const std::string& path, const Dataset& ds, const CoverageReport& rep) {
    const std::vector<std::string> names = out_layer_names(rep.level);
    std::vector<OutLayer> layers(names.size());
    for (size_t i = 0; i < names.size(); ++i) layers[i].name = names[i];
    OutLayer& cells = layers[0];
    cells.fields = {{"grid_id"}, {"name"}, {"area_m2", OutField::Real}, {"covered_m2", OutField::Real},
                    {"coverage", OutField::Real}, {"households", OutField::Integer}, {"hh_covered", OutField::Integer}};
    std::vector<const Grid*> grids = ds.grids_of_level(rep.level);
    for (size_t i = 0; i < rep.cells.size(); ++i) {
        const auto& c = rep.cells[i];
        cells.features.push_back({grids[i]->shape, {}, {c.grid_id, c.name, c.area_m2, c.covered_m2, c.coverage,
                                                         static_cast<long long>(c.households),
                                                         static_cast<long long>(c.households_covered)}});
    }
    OutLayer& gaps = layers[1];  // under --no-gaps none: an empty layer would say "no blind spot"
    gaps.fields = {{"rank", OutField::Integer}, {"area_m2", OutField::Real}, {"grid_id"}, {"road"}};
    for (size_t i = 0; i < rep.gaps.size(); ++i) {
        const auto& g = rep.gaps[i];
        gaps.features.push_back({g.shape, {}, {static_cast<long long>(i + 1), g.area_m2, g.grid_id, g.road}});
    }
    OutLayer& views = layers[2];
    views.fields = {{"cam_id"}, {"owner"}, {"area_m2", OutField::Real}};
    for (size_t i = 0; i < rep.views.size(); ++i)
        views.features.push_back({rep.views[i], {}, {rep.cameras[i]->cam_id, rep.cameras[i]->owner, area(rep.views[i])}});
    std::vector<std::string> not_written;
    if (!rep.gaps_found) not_written.push_back(layers[1].name), layers.erase(layers.begin() + 1);
    return write_out_layers(path, layers, ds.work_crs_wkt, {}, not_written);
}

void run_coverage(const CoverageArgs& a) {
    // Incidents, facilities and candidates play no part, enterprises only in the gaps, and of the
    // grids only the level's cells: not read.
    std::vector<std::string> layers = {"grids", "households", "cameras", "roads", "buildings"};
    if (!a.no_gaps) layers.push_back("enterprises");
    if (!a.out.empty()) {
        refuse_output_onto_input(a.data, a.out, out_layer_files(a.out, out_layer_names(a.level)));
        require_layer_format(a.out);
    }
    Dataset ds = a.data.open(layers, /*check_tiling=*/false, /*allow_default=*/false, a.level);
    const KeepToExit keep_data(ds);
    warn_wide_extent(ds, "coverage");
    CoverageOptions o;
    o.level = a.level;
    o.occlusion = a.occlusion == "auto";
    o.include_offline = a.include_offline;
    o.quality = parse_quality(a.quality);
    o.gaps = !a.no_gaps;
    o.progress = stderr_progress();
    if (ds.dem && o.occlusion)
        std::fprintf(stderr, "terrain occlusion on: DEM %s (%.3g m cells); cameras without height at %g m\n",
                     ds.dem->info.gdal_name.c_str(), ds.dem->info.work_cell, kDefaultCameraHeight);
    CoverageReport rep = compute_coverage(ds, o);
    const KeepToExit keep_report(rep);
    warn_unrated_cameras(ds, rep.unrated_cameras, quality_name(o.quality));
    warn_in_no_cell(ds, "households", "household", rep.households_outside,
                    "level-" + std::to_string(rep.level) + " cell");
    const std::vector<WrittenLayer> written =
        a.out.empty() ? std::vector<WrittenLayer>{} : write_out(a.out, ds, rep);
    if (a.json) {
        nlohmann::json j;
        j["level"] = rep.level;
        add_written(j, written);
        nlohmann::json t = cell_json(rep.total);
        t.erase("grid_id"), t.erase("name");
        j["total"] = t;
        j["gaps"] =
            rep.gaps_found ? nlohmann::json(rep.gaps.size()) : nlohmann::json(nullptr);  // null: --no-gaps
        j["households_outside"] = rep.households_outside.size();
        j["skipped_cameras"] = rep.skipped_cameras;
        j["cameras_without_resolution"] =
            rep.unrated_cameras.size();  // under --quality: among skipped_cameras
        j["cameras_used"] = rep.cameras.size();
        j["occlusion"] = rep.occlusion_applied;
        j["quality"] = a.quality;
        j["gap_list"] = rep.gaps_found ? nlohmann::json::array() : nlohmann::json(nullptr);
        for (size_t i = 0; i < rep.gaps.size() && i < 50; ++i)
            j["gap_list"].push_back({{"grid_id", rep.gaps[i].grid_id}, {"area_m2", rep.gaps[i].area_m2},
                                     {"road", rep.gaps[i].road}});
        j["roads"] = {{"length_m", rep.road_m}, {"seen_by_0_m", rep.road_m_seen_by[0]},
                      {"seen_by_1_m", rep.road_m_seen_by[1]}, {"seen_by_2_m", rep.road_m_seen_by[2]},
                      {"seen_by_3plus_m", rep.road_m_seen_by[3]}};
        print_json_items(
            std::move(j), "grids", rep.cells.size(), [&](size_t i) { return cell_json(rep.cells[i]); }, ds);
        return;
    }
    std::printf("coverage of level-%d cells by %zu cameras%s%s%s\n\n", rep.level, rep.cameras.size(),
                rep.occlusion_applied ? ", buildings occluding" : "", ds.dem && o.occlusion ? ", terrain occluding" : "",
                o.quality != Quality::Any ? (std::string(", quality ≥ ") + quality_name(o.quality)).c_str() : "");
    // Each cell with its name, as the office knows it, beside the id.
    std::unordered_map<std::string, const std::string*> names;
    for (const Grid& g : ds.grids)
        if (g.level == rep.level) names.emplace(g.grid_id, &g.name);
    auto name_of = [&](const std::string& id) {
        const auto it = names.find(id);
        return pad(it == names.end() ? "" : *it->second, 22);
    };
    std::printf("%-16s %s %10s %10s %8s %6s %8s\n", "grid_id", pad("name", 22).c_str(), "area_m2", "covered",
                "cover%", "hh", "hh_seen");
    for (const auto& c : rep.cells)
        std::printf("%-16s %s %10.0f %10.0f %7.1f%% %6d %8d\n", c.grid_id.c_str(), name_of(c.grid_id).c_str(),
                    c.area_m2, c.covered_m2, 100 * c.coverage, c.households, c.households_covered);
    const auto& t = rep.total;
    std::printf("\n%-16s %s %10.0f %10.0f %7.1f%% %6d %8d\n", "total", pad("", 22).c_str(), t.area_m2,
                t.covered_m2, 100 * t.coverage, t.households, t.households_covered);
    if (rep.road_m > 0)
        std::printf("roads: %.0f m; seen by 0 cameras %.0f m, 1: %.0f m, 2: %.0f m, 3+: %.0f m\n", rep.road_m,
                    rep.road_m_seen_by[0], rep.road_m_seen_by[1], rep.road_m_seen_by[2], rep.road_m_seen_by[3]);
    if (!rep.households_outside.empty())
        std::printf("households outside every level-%d cell: %zu\n", rep.level,
                    rep.households_outside.size());
    if (!written.empty()) std::printf("%s\n", written_line(written).c_str());
    if (!rep.gaps_found) {
        std::printf("blind spots where it matters: not looked for (--no-gaps)\n");
        return;
    }
    std::printf("blind spots where it matters: %zu (≥ 25 m²)\n", rep.gaps.size());
    for (size_t i = 0; i < rep.gaps.size() && i < 10; ++i)
        std::printf("  %2zu. %8.0f m²  in %s %s  near %s\n", i + 1, rep.gaps[i].area_m2,
                    rep.gaps[i].grid_id.c_str(), name_of(rep.gaps[i].grid_id).c_str(),
                    rep.gaps[i].road.empty() ? "(no road)" : rep.gaps[i].road.c_str());
}

}  // namespace

void setup_coverage(CLI::App& root) {
    auto a = std::make_shared<CoverageArgs>();
    auto* cmd = root.add_subcommand("coverage", "per-grid camera coverage and the blind spots that matter");
    add_dataset_args(cmd, a->data);
    add_level_option(cmd, a->level);
    cmd->add_option("--occlusion", a->occlusion, "buildings and terrain block views: auto (when a buildings layer or a DEM exists) or none")
        ->check(CLI::IsMember({"auto", "none"}));
    cmd->add_option("--quality", a->quality, "count only the IEC 62676-4 zone and better")
        ->check(CLI::IsMember({"any", "detect", "observe", "recognise", "recognize", "identify"}));
    cmd->add_flag("--include-offline", a->include_offline, "count offline cameras too");
    cmd->add_flag("--no-gaps", a->no_gaps, "per-cell table only: skip the gap polygons (faster at county size)");
    cmd->add_option("--out", a->out, "write cells, gaps and views (.gpkg, .geojson, .shp, .fgb, .kml)");
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->callback([a] { run_coverage(*a); });
}

}  // namespace gw::app
