// gridwatch export DATASET --out PATH: grid maps and layers to shapefiles (default) or any GDAL
// vector format (SPEC §4, §7). The work is gw::DatasetWriter's (geo/io/writer.h): given the layers
// one at a time as they are read, or, with --with-stats or a file name for one layer, through
// write_dataset after the whole dataset is read; this file parses and reports.
#include <cpl_error.h>
#include <gdal_priv.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <mutex>
#include <optional>
#include <set>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/parallel.h"
#include "geo/core/text.h"
#include "geo/io/crs.h"
#include "geo/io/out_formats.h"
#include "geo/io/writer.h"

namespace gw::app {
namespace {

struct ExportArgs {
    DatasetArgs data;
    std::string out, format, crs, encoding = "UTF-8";  // format "": by --out's extension, else shapefiles
    std::vector<std::string> layers;
    int level = 0;
    bool with_stats = false, mask_personal = false, one_grids_layer = false;
};

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

/**
 * Whether a GDAL driver writes into a database or memory, not files: one with a connection prefix
 * (PostgreSQL, MySQL, …: the store's is `db push`), Memory (MEM after GDAL 3.11), which keeps nothing.
 */
bool is_database_format(const std::string& typed) {
    const std::string key = lower(typed);
    if (key == "memory" || key == "mem") return true;
    gdal_setup();
    GDALDriverManager* dm = GetGDALDriverManager();
    for (int i = 0; i < dm->GetDriverCount(); ++i)
        if (lower(dm->GetDriver(i)->GetDescription()) == key)
            return dm->GetDriver(i)->GetMetadataItem("DMD_CONNECTION_PREFIX") != nullptr;
    return false;
}

/** The GDAL driver short name for what the user typed ("shp", "gpkg", "geojson", "fgb" …), or "". */
std::string resolve_format(const std::string& typed) {
    if (const OutFormat* f = out_format_named(typed)) return f->driver;
    const std::string key = lower(typed);
    gdal_setup();
    GDALDriverManager* dm = GetGDALDriverManager();
    for (int i = 0; i < dm->GetDriverCount(); ++i) {
        GDALDriver* d = dm->GetDriver(i);
        if (lower(d->GetDescription()) == key && d->GetMetadataItem(GDAL_DCAP_VECTOR) &&
            d->GetMetadataItem(GDAL_DCAP_CREATE) && !is_database_format(key))
            return d->GetDescription();
    }
    return {};
}

/**
 * The figures of every level written (of `level`'s alone when given), to be joined to the cells
 * (export --with-stats), with the daily checks' and the patrols' columns where the dataset has them.
 */
std::vector<StatsTable> stats_to_join(const Dataset& ds, int level) {
    std::set<int> levels;
    for (const auto& g : ds.grids)
        if (level == 0 || g.level == level) levels.insert(g.level);
    if (levels.empty()) levels.insert(level ? level : 4);  // compute_stats names what is missing
    // The daily checks join the figures when the dataset has them (with a time to take
    // "today" from): their columns are the latest day's, over the default window.
    bool timed = false;
    for (const auto& c : ds.checks) timed |= c.when.has_value();
    timed &= !ds.grids_of_level(4).empty();
    // The levels' tables on the cores; a level that fails stops the command with the error of
    // the lowest such level, as when they were made one after another.
    const std::vector<int> each(levels.begin(), levels.end());
    std::vector<StatsTable> stats(each.size());
    std::vector<std::exception_ptr> failed(each.size());
    parallel_for(each.size(), [&](size_t k) {
        try {
            stats[k] = compute_stats(ds, each[k]);
            if (timed) add_checks(stats[k], ds);
        } catch (...) {
            failed[k] = std::current_exception();
        }
    });
    for (const auto& e : failed)
        if (e) std::rethrow_exception(e);
    // The patrols' likewise: the default window and night of `gridwatch patrols`, computed once.
    std::vector<StatsTable*> tables;
    for (auto& t : stats) tables.push_back(&t);
    add_patrol_columns(tables, ds);
    warn(
        "--with-stats joins the counts of gridwatch stats; its coverage columns are not joined "
        "(gridwatch "
        "coverage --out writes each cell's coverage as a layer)");
    return stats;
}

void run_export(const ExportArgs& a) {
    const bool all_layers = a.layers.empty();
    auto listed = [&](const char* l) {
        return std::find(a.layers.begin(), a.layers.end(), l) != a.layers.end();
    };
    if (a.with_stats && !all_layers && !listed("grids"))
        throw CLI::ValidationError("--with-stats", "joins figures to grid cells: add grids to --layers");

    // Read only what is written, plus what the stats count.
    std::vector<std::string> to_open = a.layers;
    if (a.with_stats && !all_layers)
        for (const char* l : {"households", "cameras", "incidents", "checks", "roads", "buildings", "patrols"})
            if (!listed(l)) to_open.push_back(l);
    refuse_output_onto_input(a.data, a.out);

    // Without --format, --out's extension says it (out.gpkg was a folder of shapefiles named out.gpkg).
    const OutFormat* by_extension = a.format.empty() ? out_format_for_path(a.out) : nullptr;
    const std::string format = !a.format.empty() ? a.format
                               : by_extension    ? by_extension->driver
                                                 : "ESRI Shapefile";
    WriteOptions o;
    o.path = a.out;
    o.format = format;
    o.layers = a.layers;
    o.level = a.level;
    o.crs = a.crs;
    o.encoding = a.encoding;
    o.split_grid_levels = !a.one_grids_layer;
    o.mask_personal = a.mask_personal;
    // The writer's notes (fields renamed for a DBF, text cut) are held as warnings are: a failed
    // export says its one line, not notes of layers that were then thrown away with it.
    o.on_message = [](const std::string& line) { note(line); };

    Dataset ds;  // all of it; or, read a layer at a time, without features
    Written written;
    if (!a.with_stats && !names_one_layer_file(o)) {
        // A layer at a time, each let go once written: a prefecture's export holds its largest
        // layer (the month of checks, 1.2 GB) instead of every layer (2.5 GB). An output naming one
        // layer's file counts the layers before writing, and the figures of --with-stats count
        // across layers: those read everything first.
        std::optional<DatasetWriter> writer;
        ds = a.data.open_by_layer(to_open, [&](Dataset&& layer, const std::string& canonical) {
            if (!writer) writer.emplace(layer, o);
            writer->write(layer, canonical);
        });
        written = writer->finish();  // each canonical layer was handed over: the writer was made
    } else {
        // The DEM cuts the camera views of the patrol columns --with-stats joins; nothing else uses it.
        ds = a.data.open(to_open, /*check_tiling=*/false, /*allow_default=*/false, /*grid_level=*/0,
                         [&](OpenOptions& open) { open.dem = a.with_stats; });
        // The figures of every level written (of --level's alone when given), each joined to its cells.
        std::vector<StatsTable> stats;
        if (a.with_stats) stats = stats_to_join(ds, a.level);
        for (const auto& t : stats) o.stats.push_back(&t);
        written = write_dataset(ds, o);
    }
    // Layers no role uses are drawn, not exported (they carry no contract fields): named, so
    // that a layer the office brought is not missing from the export without a word.
    if (all_layers)
        for (const auto& info : ds.layers)
            if (info.recognised_by.empty())
                warn(info.source + ": layer '" + info.source_name + "' (" + std::to_string(info.count) +
                     " features) plays no role of SPEC §3 and is not exported (map it in the project file, "
                     "README: "
                     "Using your own data, or copy it with ogr2ogr)");

    const bool wgs84 = format == "GeoJSON" || format == "KML";
    std::printf("wrote %zu layer%s, %zu features to %s (%s, %s%s)\n", written.layers,
                written.layers == 1 ? "" : "s", written.features, a.out.c_str(), format.c_str(),
                wgs84           ? "EPSG:4326"
                : a.crs.empty() ? ds.crs.c_str()
                                : a.crs.c_str(),
                format == "ESRI Shapefile" ? (a.encoding == "GBK" ? ", GBK" : ", UTF-8") : "");
}

}  // namespace

void setup_export(CLI::App& root) {
    auto a = std::make_shared<ExportArgs>();
    auto* cmd = root.add_subcommand("export",
                                    "grid maps and layers to shapefiles (default) or any GDAL vector format");
    add_dataset_args(cmd, a->data);
    cmd->add_option("--out", a->out, "output folder (shapefile, GeoJSON, FlatGeobuf) or file (GPKG, KML)")
        ->required();
    cmd->add_option("--format", a->format,
                    "GDAL driver: " + out_format_list() +
                        " … (default: as --out ends, .gpkg, .geojson …; else ESRI Shapefile)")
        ->transform(CLI::Validator(
            [](std::string& s) {
                std::string name = resolve_format(s);
                if (name.empty() && is_database_format(s))
                    return "'" + s +
                           "' writes into a database, not files (to share a dataset, gridwatch db push)";
                if (name.empty())
                    return "GDAL has no vector format '" + s + "' it can write (try " + out_format_list() + ")";
                s = name;
                return std::string();
            },
            "FORMAT"));
    cmd->add_option(
           "--layers", a->layers,
           "layers to write, comma-separated (default: every contract layer present; others are named)")
        ->delimiter(',')
        ->check(CLI::IsMember(canonical_layers(), CLI::ignore_case));
    cmd->add_option("--level", a->level, "only grid cells of this level (1–4; default every level)")
        ->check(CLI::Range(1, 4));
    cmd->add_option("--crs", a->crs, "output CRS, e.g. EPSG:4490 (default: the dataset's own)")
        ->check(crs_check());
    cmd->add_option("--encoding", a->encoding,
                    "shapefile text encoding: UTF-8 (default) or GBK for older Chinese software")
        ->transform(CLI::Validator(
            [](std::string& s) {
                const std::string k = lower(s);
                if (k == "utf-8" || k == "utf8")
                    s = "UTF-8";
                else if (k == "gbk" || k == "cp936" || k == "936")
                    s = "GBK";
                else
                    return "unknown encoding '" + s + "' (use UTF-8 or GBK)";
                return std::string();
            },
            "UTF-8|GBK"));
    cmd->add_flag("--with-stats", a->with_stats,
                  "join the per-cell stats figures (SPEC §4 stats) to the grid cells");
    cmd->add_flag("--mask-personal", a->mask_personal,
                  "mask names and phones: managers', household heads', the source's own columns of them "
                  "(户主姓名, 联系电话, XM, LXDH …) and numbers of 7 digits or more in other text");
    cmd->add_flag("--one-grids-layer", a->one_grids_layer,
                  "shapefile: one grids layer with level, not grids_L1 … L4");
    cmd->callback([a] { run_export(*a); });
}

}  // namespace gw::app
