#include "app/cli_common.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include "geo/atomic_output.h"
#include "geo/basemap.h"
#include "geo/error.h"
#include "geo/terrain.h"

namespace fs = std::filesystem;

namespace gw::app {

std::vector<std::string> basemap_paths(const DatasetArgs& args, const std::vector<std::string>& extra) {
    std::vector<std::string> out;
    // A DEM is elevation for terrain occlusion, not a picture: it is not drawn.
    for (const auto& s : args.sources)
        if (has_raster(s) && !raster_is_dem(s)) out.push_back(s);
    out.insert(out.end(), extra.begin(), extra.end());
    return out;
}

void add_dataset_args(CLI::App* cmd, DatasetArgs& a, bool optional) {
    auto* opt = cmd->add_option("DATASET", a.sources,
                                "GDAL vector source(s): GeoPackage, shapefile folder, GeoJSON, KML, FlatGeobuf, "
                                "CSV, PG:…");
    if (!optional) opt->required();
    cmd->add_option("--assume-crs", a.assume_crs, "CRS for layers that carry none, e.g. EPSG:4490");
    cmd->add_option("--work-crs", a.work_crs, "metric working CRS (default: Gauss-Kruger zone of the data)");
    auto* g = cmd->add_flag("--from-gcj02", a.from_gcj02, "point layers are GCJ-02 (phone apps): convert to WGS84");
    auto* b = cmd->add_flag("--from-bd09", a.from_bd09, "point layers are BD-09 (Baidu): convert to WGS84");
    g->excludes(b);
}

Dataset DatasetArgs::open(std::vector<std::string> layers, bool check_tiling, bool allow_default, int grid_level) const {
    OpenOptions o;
    o.grid_level = check_tiling ? 0 : grid_level;
    o.assume_crs = assume_crs;
    o.work_crs = work_crs;
    o.coords = from_gcj02 ? SourceCoords::Gcj02 : from_bd09 ? SourceCoords::Bd09 : SourceCoords::Native;
    o.layers = std::move(layers);
    o.check_tiling = check_tiling;
    o.progress = stderr_progress();
    std::vector<std::string> src = sources;
    if (src.empty() && allow_default) src.push_back(bundled_dataset_path());
    return open_dataset(src, o);
}

Progress stderr_progress() {
    const bool tty = isatty(STDERR_FILENO);
    auto last_label = std::make_shared<std::string>();
    auto last_pct = std::make_shared<int>(-1);
    return [tty, last_label, last_pct](double f, const std::string& label) {
        const int pct = static_cast<int>(f * 100);
        if (tty) {
            if (pct == *last_pct && label == *last_label) return;
            const int width = 30, filled = static_cast<int>(f * width);
            std::fprintf(stderr, "\r[%.*s%*s] %3d%% %-40.40s", filled, "##############################",
                         width - filled, "", pct, label.c_str());
            if (f >= 1) std::fprintf(stderr, "\r%*s\r", 80, "");
            std::fflush(stderr);
        } else if (label != *last_label && f < 1 && std::getenv("GRIDWATCH_PROGRESS")) {
            std::fprintf(stderr, "%s…\n", label.c_str());
        }
        *last_label = label;
        *last_pct = pct;
    };
}

void warn(const std::string& line) { std::fprintf(stderr, "warning: %s\n", line.c_str()); }

void refuse_output_onto_input(const DatasetArgs& args, const std::string& out) {
    if (out.empty()) return;
    for (const auto& source : args.sources)
        if (output_would_overwrite(out, source))
            throw CLI::ValidationError("--out", "'" + out + "' would overwrite the input " + source +
                                                    " (give an output outside the dataset)");
}

CLI::Option* add_level_option(CLI::App* cmd, int& level) {
    return cmd->add_option("--level", level, "grid level 1–4 (default 4)")->check(CLI::Range(1, 4));
}

}  // namespace gw::app
