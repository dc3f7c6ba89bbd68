// gridwatch hotspots DATASET --method kde|gi|dbscan|warning [options] [--out FILE] [--json]
// Incident hotspots (SPEC §5.3).
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <sstream>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/hotspots.h"
#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/core/stats_table.h"
#include "geo/core/text.h"
#include "geo/io/names.h"
#include "geo/io/out_layers.h"
#include "geo/io/project.h"
#include "geo/io/raster_out.h"

namespace gw::app {
namespace {

struct HotspotArgs {
    DatasetArgs data;
    std::string method, out, types, from, to, value, project, per;
    int level = 4, permutations = 0, min_pts = 5;
    double bandwidth = 0, cell = 10, band = 0, hex = 0, eps = 50;
    uint64_t seed = 12345;
    bool fdr = false, json = false;
};

std::vector<std::string> split(const std::string& s) {
    std::vector<std::string> out;
    std::stringstream ss(s);
    for (std::string t; std::getline(ss, t, ',');)
        if (!t.empty()) out.push_back(t);
    return out;
}

std::vector<Vec2> positions(const std::vector<const Incident*>& v) {
    std::vector<Vec2> p;
    p.reserve(v.size());
    for (auto* i : v) p.push_back(i->pos);
    return p;
}

/** warn_in_no_cell for the incidents `outside`. */
void warn_outside(const Dataset& ds, const std::vector<const Incident*>& outside, const std::string& unit) {
    std::vector<std::string> ids;
    for (const Incident* i : outside) ids.push_back(i->inc_id);
    warn_in_no_cell(ds, "incidents", "incident", ids, unit);
}

/** The one layer --out of each vector method writes. */
constexpr const char* kGiLayer = "gi_star";
constexpr const char* kClustersLayer = "clusters";
constexpr const char* kWarningLayer = "warning";

/** Every file --out writes or replaces, as the writer of the method names them. */
std::vector<std::filesystem::path> out_files(const HotspotArgs& a) {
    if (a.method == "kde") return float_geotiff_files(a.out);
    return out_layer_files(a.out, {a.method == "gi"       ? kGiLayer
                                   : a.method == "dbscan" ? kClustersLayer
                                                          : kWarningLayer});
}

void run_kde(const HotspotArgs& a, const Dataset& ds, const std::vector<const Incident*>& inc) {
    KdeOptions o;
    o.cell_m = a.cell, o.bandwidth_m = a.bandwidth, o.source = file_of(ds, "incidents");
    if (inc.empty()) throw Error("no incidents match the filters", {ds.source, "incidents"}, "widen --type/--from/--to");
    // The raster goes to the file a row of tiles at a time, never whole in memory.
    std::optional<FloatGeoTiff> tif;
    const KdeRows to_file{
        [&](const KdeRaster& s) {
            if (!a.out.empty())
                tif.emplace(FloatGrid{s.width, s.height, s.x0, s.y0, s.cell, nullptr, "incidents per km²"},
                            a.out, ds.work_crs_wkt);
        },
        [&](const float* values, int n) {
            if (tif) tif->rows(values, n);
        }};
    const KdeRaster r = kernel_density(positions(inc), o, &to_file);
    if (tif) tif->commit();
    if (a.json) {
        nlohmann::json j{{"cell_m", r.cell}, {"bandwidth_m", r.bandwidth}, {"max_density_per_km2", r.max_density},
                         {"raster", a.out.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.out)},
                         {"width", r.width}, {"height", r.height}, {"incidents", inc.size()}};
        print_json(std::move(j), ds);
        return;
    }
    std::printf("kernel density of %zu incidents: quartic kernel, bandwidth %.1f m%s, %g m cells (%d × %d)\n",
                inc.size(), r.bandwidth, a.bandwidth > 0 ? "" : " (Silverman)", r.cell, r.width, r.height);
    std::printf("peak %.1f incidents per km²%s\n", r.max_density, a.out.empty() ? " (give --out FILE.tif for the raster)" : "");
    if (!a.out.empty()) std::printf("wrote %s\n", a.out.c_str());
}

void run_gi(const HotspotArgs& a, const Dataset& ds, const std::vector<const Incident*>& inc) {
    if (!a.value.empty() && !a.per.empty())
        throw CLI::ValidationError("--value and --per", "give one of them");
    // The same analysis the viewer's hotspots panel runs (geo/analysis/hotspots.h).
    GiSetup s;
    s.level = a.level, s.band_m = a.band, s.hex_m = a.hex, s.value = a.value;
    s.per_households = a.per == "households";
    s.options.permutations = a.permutations, s.options.seed = a.seed, s.options.fdr = a.fdr;
    const GiAnalysis gi = gi_star_analysis(ds, inc, s);
    const std::vector<const Grid*>& units = gi.units;
    const std::vector<int>& counts = gi.counts;
    const std::vector<double>& x = gi.x;
    const GiResult& r = gi.result;
    const int no_households = gi.without_households;
    warn_outside(ds, gi.outside, a.hex > 0 ? "hexagon" : "level-" + std::to_string(a.level) + " cell");
    std::vector<WrittenLayer> written;
    if (!a.out.empty()) {
        OutLayer L;
        L.name = kGiLayer;
        L.fields = {{"id"}, {"count", OutField::Integer}, {"value", OutField::Real}, {"z", OutField::Real},
                    {"p", OutField::Real}, {"class"}};
        for (size_t i = 0; i < units.size(); ++i)
            L.features.push_back({units[i]->shape, {}, {units[i]->grid_id, static_cast<long long>(counts[i]), x[i],
                                                         r.z[i], r.p[i], r.cls[i]}});
        written = write_out_layers(a.out, {L}, ds.work_crs_wkt);
    }
    if (a.json) {
        nlohmann::json j;
        j["permutations"] = a.permutations;
        j["per"] = a.per.empty() ? nlohmann::json(nullptr) : nlohmann::json(a.per);
        j["cells_without_households"] = no_households;
        j["incidents_outside"] = gi.outside.size();
        j["fdr"] = a.fdr;
        add_written(j, written);
        const auto cell = [&](size_t i) {
            nlohmann::json e = nlohmann::json::object();  // key by key: see print_json_items
            e["id"] = units[i]->grid_id, e["count"] = counts[i], e["value"] = x[i];
            e["z"] = r.z[i], e["p"] = r.p[i], e["class"] = r.cls[i];
            return e;
        };
        print_json_items(std::move(j), "cells", units.size(), cell, ds);
        return;
    }
    std::map<std::string, int> by_class;
    for (auto& c : r.cls) by_class[c]++;
    std::printf(
        "Getis-Ord Gi* on %zu %s, %zu incidents%s%s%s\n", units.size(),
        a.hex > 0 ? "hexagons" : ("level-" + std::to_string(a.level) + " cells").c_str(),
        inc.size() - gi.outside.size(),
        gi.outside.empty() ? "" : (" (" + std::to_string(gi.outside.size()) + " outside every unit)").c_str(),
        a.permutations ? (", " + std::to_string(a.permutations) + " permutations").c_str() : ", normal p",
        a.fdr ? ", FDR" : "");
    for (const char* c : {"hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "ns"})
        std::printf("  %-7s %d\n", c, by_class[c]);
    std::vector<size_t> order(units.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&](size_t p, size_t q) { return r.z[p] > r.z[q]; });
    std::printf("hottest:\n");
    for (size_t k = 0; k < order.size() && k < 10; ++k) {
        size_t i = order[k];
        std::printf("  %-16s %-20s count %3d  z %6.2f  p %.4f  %s\n", units[i]->grid_id.c_str(), units[i]->name.c_str(),
                    counts[i], r.z[i], r.p[i], r.cls[i].c_str());
    }
    if (!written.empty()) std::printf("%s\n", written_line(written).c_str());
}

void run_dbscan(const HotspotArgs& a, const Dataset& ds, const std::vector<const Incident*>& inc) {
    std::vector<Vec2> pts = positions(inc);
    const Clusters cl = dbscan_clusters(pts, a.eps, a.min_pts);
    const auto& members = cl.members;
    const int nclusters = static_cast<int>(members.size()), noise = cl.noise;
    std::vector<WrittenLayer> written;
    if (!a.out.empty()) {
        OutLayer L;
        L.name = kClustersLayer;
        L.fields = {{"id", OutField::Integer}, {"count", OutField::Integer}, {"members"}};
        std::vector<MultiPolygon> hulls = cluster_hulls(pts, cl);
        for (int c = 0; c < nclusters; ++c) {
            std::string ids;
            for (int i : members[c]) ids += (ids.empty() ? "" : ";") + inc[i]->inc_id;
            L.features.push_back(
                {std::move(hulls[c]),
                 {},
                 {static_cast<long long>(c + 1), static_cast<long long>(members[c].size()), ids}});
        }
        written = write_out_layers(a.out, {L}, ds.work_crs_wkt);
    }
    if (a.json) {
        nlohmann::json j;
        j["clusters"] = nlohmann::json::array();
        for (int c = 0; c < nclusters; ++c) {
            std::vector<std::string> ids;
            for (int i : members[c]) ids.push_back(inc[i]->inc_id);
            j["clusters"].push_back({{"id", c + 1}, {"count", members[c].size()}, {"members", ids}});
        }
        j["noise"] = noise;
        add_written(j, written);
        print_json(std::move(j), ds);
        return;
    }
    std::printf("DBSCAN (eps %.1f m, min %d points) on %zu incidents: %d clusters, %d noise\n", a.eps, a.min_pts,
                inc.size(), nclusters, noise);
    for (int c = 0; c < nclusters && c < 20; ++c)
        std::printf("  cluster %d: %zu incidents\n", c + 1, members[c].size());
    if (!written.empty()) std::printf("%s\n", written_line(written).c_str());
}

void run_warning(const HotspotArgs& a, const Dataset& ds, const std::vector<const Incident*>& inc) {
    std::string project = a.project;
    if (project.empty()) project = project_path_for(ds.source);
    WarningThresholds t = load_warning_thresholds(project);
    const WarningCells w = four_colour_warning(ds, inc, a.level, t);
    const auto& units = w.units;
    const auto& score = w.score;
    const auto& count = w.count;
    warn_outside(ds, w.outside, "level-" + std::to_string(a.level) + " cell");
    std::vector<WrittenLayer> written;
    if (!a.out.empty()) {
        OutLayer L;
        L.name = kWarningLayer;
        L.fields = {{"grid_id"}, {"name"}, {"incidents", OutField::Integer}, {"score", OutField::Real}, {"colour"}};
        for (size_t i = 0; i < units.size(); ++i)
            L.features.push_back({units[i]->shape, {}, {units[i]->grid_id, units[i]->name,
                                                         static_cast<long long>(count[i]), score[i],
                                                         std::string(warning_colour(score[i], t))}});
        written = write_out_layers(a.out, {L}, ds.work_crs_wkt);
    }
    if (a.json) {
        nlohmann::json j;
        j["thresholds"] = {{"red", t.red}, {"yellow", t.yellow}, {"blue", t.blue}};
        j["incidents_outside"] = w.outside.size();
        add_written(j, written);
        const auto cell = [&](size_t i) {
            nlohmann::json e = nlohmann::json::object();  // key by key: see print_json_items
            e["grid_id"] = units[i]->grid_id, e["incidents"] = count[i], e["score"] = score[i];
            e["colour"] = warning_colour(score[i], t);
            return e;
        };
        print_json_items(std::move(j), "cells", units.size(), cell, ds);
        return;
    }
    std::map<std::string, int> n;
    for (double s : score) n[warning_colour(s, t)]++;
    std::printf(
        "four-colour warning of %zu level-%d cells (red ≥ %g, yellow ≥ %g, blue ≥ %g): red %d, yellow %d, "
        "blue %d, green %d%s\n",
        units.size(), a.level, t.red, t.yellow, t.blue, n["red"], n["yellow"], n["blue"], n["green"],
        w.outside.empty()
            ? ""
            : ("; " + std::to_string(w.outside.size()) + " incident(s) outside every cell").c_str());
    for (size_t i = 0; i < units.size(); ++i)
        if (std::string(warning_colour(score[i], t)) != "green")
            std::printf("  %-16s %-20s %-6s score %.1f (%d incidents)\n", units[i]->grid_id.c_str(),
                        units[i]->name.c_str(), warning_colour(score[i], t), score[i], count[i]);
    if (!written.empty()) std::printf("%s\n", written_line(written).c_str());
}

/**
 * --type's values as the incidents' codes are read (SPEC §3: the project file's value mapping,
 * the contract's word in any case, or its Chinese), so that an office types its own word (火警
 * mapped to fire). A word that is none of these, nor a type some incident has, is a usage error:
 * a typo would find no incident and answer "all clear".
 */
std::vector<std::string> incident_types(const std::string& option, const Dataset& ds) {
    // The mapping the reader used: the project file beside the first source.
    const NameMapping mapping = load_mapping(project_path_for(ds.source));
    const auto own = mapping.find("incidents");
    std::vector<std::string> codes;
    for (std::string word : split(option)) {
        word.erase(0, word.find_first_not_of(' '));  // "fire, traffic"
        word.erase(word.find_last_not_of(' ') + 1);
        const std::string code = contract_code("type", word, own == mapping.end() ? nullptr : &own->second);
        const bool known =
            std::find(kIncidentTypes.begin(), kIncidentTypes.end(), code) != kIncidentTypes.end() ||
            std::any_of(ds.incidents.begin(), ds.incidents.end(),
                        [&](const Incident& i) { return i.type == code; });
        if (!known)
            throw CLI::ValidationError("--type",
                                       "'" + word +
                                           "' is no incident type: fire, traffic, dispute, theft, fraud, "
                                           "other (火灾, 交通, 纠纷, 盗窃, 诈骗, 其他)");
        codes.push_back(code);
    }
    return codes;
}

/** Options that only one method (or two) takes, given with another, and a KDE raster not named .tif: usage
 * errors, not ignored. */
void refuse_options_that_do_not_apply(const CLI::App& cmd, const HotspotArgs& a) {
    struct Only {
        const char* option;
        std::vector<std::string> methods;
    };
    static const Only kOnly[] = {{"--bandwidth", {"kde"}},
                                 {"--cell", {"kde"}},
                                 {"--band", {"gi"}},
                                 {"--hex", {"gi"}},
                                 {"--value", {"gi"}},
                                 {"--per", {"gi"}},
                                 {"--permutations", {"gi"}},
                                 {"--seed", {"gi"}},
                                 {"--fdr", {"gi"}},
                                 {"--eps", {"dbscan"}},
                                 {"--min-pts", {"dbscan"}},
                                 {"--project", {"warning"}},
                                 {"--level", {"gi", "warning"}}};
    for (const Only& o : kOnly)
        if (cmd.count(o.option) &&
            std::find(o.methods.begin(), o.methods.end(), a.method) == o.methods.end()) {
            std::string methods;
            for (const auto& m : o.methods) methods += (methods.empty() ? "" : " or ") + m;
            throw CLI::ValidationError(o.option,
                                       std::string("is for --method ") + methods + ", not " + a.method);
        }
    // A hexagon mesh is its own units and neighbours.
    for (const char* other : {"--band", "--level", "--value"})
        if (cmd.count("--hex") && cmd.count(other))
            throw CLI::ValidationError(
                other, std::string("does not go with --hex (the mesh's hexagons are the units, ") +
                           (other == std::string("--value") ? "and a value is a field of the grid cells)"
                                                            : "their neighbours one ring)"));
}

void run_hotspots(const HotspotArgs& a) {
    const TimeWindow window = window_option(a.from, a.to);
    // Each method reads only what it uses: KDE and DBSCAN the incidents alone, Gi* the households
    // only for rates per household.
    std::vector<std::string> layers = {"incidents"};
    if (a.method == "gi" || a.method == "warning") layers.push_back("grids");
    if (a.method == "gi" && a.per == "households") layers.push_back("households");
    if (!a.out.empty())
        refuse_output_onto_input(
            a.data, a.out, out_files(a),
            a.project.empty() ? std::vector<std::string>{} : std::vector<std::string>{a.project});
    if (!a.out.empty() && a.method != "kde") require_layer_format(a.out);
    // KDE writes a GeoTIFF whatever the name: k.gpkg would be one in disguise.
    if (const std::string ext = ascii_lower(std::filesystem::path(a.out).extension().string());
        a.method == "kde" && !a.out.empty() && ext != ".tif" && ext != ".tiff")
        throw CLI::ValidationError("--out",
                                   "'" + a.out + "': the density raster is a GeoTIFF (end it in .tif)");
    // An incident's colour weighs it in the warning alone, and its type filters it only with --type;
    // its time is read once into `when` (the text as written is kept only when it cannot be read).
    std::vector<std::string> unused = {"settled_at"};
    if (a.method != "warning") unused.push_back("color");
    if (a.types.empty()) unused.push_back("type");
    // Gi* and the warning use the cells of one level (their outlines, ids and fields: no parent is
    // followed), a hexagon mesh the level-1 cells it covers: only those are read.
    const int grid_level = a.method == "kde" || a.method == "dbscan" ? 0
                           : a.method == "gi" && a.hex > 0           ? 1
                                                                     : a.level;
    Dataset ds =
        a.data.open(layers, /*check_tiling=*/false, /*allow_default=*/false, grid_level,
                    [&](OpenOptions& o) { o.unused_fields["incidents"] = unused, o.time_text = false; });
    const KeepToExit keep_data(ds);
    if (!ds.has_layer("incidents"))
        throw Error(
            "no incidents layer, which hotspots are found in", {ds.source},
            "add one, or map a layer to \"incidents\" in DATASET.gridwatch.json; gridwatch info lists the "
            "layers");
    IncidentFilter f;
    f.types = incident_types(a.types, ds), f.window = window;
    std::vector<const Incident*> inc = filter_incidents(ds, f);
    if (a.method == "kde") run_kde(a, ds, inc);
    else if (a.method == "gi") run_gi(a, ds, inc);
    else if (a.method == "dbscan") run_dbscan(a, ds, inc);
    else run_warning(a, ds, inc);
}

}  // namespace

void setup_hotspots(CLI::App& root) {
    auto a = std::make_shared<HotspotArgs>();
    auto* cmd = root.add_subcommand("hotspots", "incident hotspots: kernel density, Gi*, DBSCAN, four-colour warning");
    add_dataset_args(cmd, a->data);
    cmd->add_option("--method", a->method, "kde, gi, dbscan, or warning (four colours per cell)")
        ->required()
        ->check(CLI::IsMember({"kde", "gi", "dbscan", "warning"}));
    cmd->add_option("--type", a->types, "incident types, comma-separated (fire,traffic,dispute,theft,fraud,other)");
    cmd->add_option("--from", a->from, "first date, ISO (2024-01-01)")->check(iso_date_check());
    cmd->add_option("--to", a->to, "last date, ISO, inclusive (2024-03: to the end of March)")->check(iso_date_check());
    cmd->add_option("--bandwidth", a->bandwidth, "KDE radius in metres (default: Silverman's rule)")
        ->check(number_check(0, 1e6, true));
    cmd->add_option("--cell", a->cell, "KDE cell size in metres (default 10)")
        ->check(number_check(0, 1e6, true));
    add_level_option(cmd, a->level);
    cmd->add_option("--band", a->band, "Gi*: neighbours whose centroids lie within M metres")
        ->check(number_check(0, 1e6, true));
    cmd->add_option("--hex", a->hex, "Gi* on a hexagon mesh of this size (centre to corner, m)")
        ->check(number_check(0, 1e6, true));
    cmd->add_option("--value", a->value, "Gi* on a numeric field of the cells instead of incident counts");
    cmd->add_option("--per", a->per, "Gi* on incidents per household of each cell (cells without households take the mean rate)")
        ->check(CLI::IsMember({"households"}));
    cmd->add_option("--permutations", a->permutations, "Gi*: conditional permutations for p (e.g. 999)")
        ->check(CLI::Range(0, 1000000));
    cmd->add_option("--seed", a->seed, "random seed of the permutations");
    cmd->add_flag("--fdr", a->fdr, "Gi*: Benjamini–Hochberg false discovery rate");
    cmd->add_option("--eps", a->eps, "DBSCAN radius in metres (default 50)")
        ->check(number_check(0, 1e6, true));
    cmd->add_option("--min-pts", a->min_pts, "DBSCAN core point threshold (default 5)")->check(CLI::PositiveNumber);
    cmd->add_option("--project", a->project,
                    "project file with warning thresholds (default DATASET.gridwatch.json)")
        ->check(CLI::ExistingFile);
    cmd->add_option("--out", a->out, "kde: GeoTIFF; gi, dbscan, warning: vector file (.gpkg, .geojson, .shp…)");
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->callback([a, cmd] {
        refuse_options_that_do_not_apply(*cmd, *a);
        run_hotspots(*a);
    });
}

}  // namespace gw::app
