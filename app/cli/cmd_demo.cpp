// gridwatch demo --out FILE [--scale N] [--seed S]: writes the synthetic dataset (SPEC §2, §4, §8).
#include <cpl_conv.h>
#include <gdal_priv.h>

#include <algorithm>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <filesystem>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/demo/demo.h"
#include "geo/io/out_formats.h"
#include "geo/io/writer.h"

namespace fs = std::filesystem;

namespace gw::app {
namespace {

struct DemoArgs {
    std::string out, format;
    int scale = 1;
    uint64_t seed = 1;
};

/**
 * The GDAL driver for an output path: by extension, a folder (or a path without extension) for
 * shapefiles. Empty when the extension is unknown.
 */
std::string format_for(const std::string& path) {
    if (fs::path(path).extension().empty() || fs::is_directory(path)) return "ESRI Shapefile";
    const OutFormat* f = out_format_for_path(path);
    return f ? f->driver : std::string();
}

/** True when the GDAL driver keeps one layer per file (shapefile, GeoJSON, FlatGeobuf). */
bool one_file_per_layer(const std::string& format) {
    if (const OutFormat* f = out_format_named(format)) return f->per_layer;
    gdal_setup();
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(format.c_str());
    if (!driver) return false;  // the writer says which drivers exist
    const char* multi = driver->GetMetadataItem(GDAL_DCAP_MULTIPLE_VECTOR_LAYERS);
    return !(multi && EQUAL(multi, "YES"));
}

void run_demo(const DemoArgs& a) {
    const std::string format = a.format.empty() ? format_for(a.out) : a.format;
    if (format.empty())
        throw CLI::ValidationError("--out", "unknown output extension '" +
                                                fs::path(a.out).extension().string() +
                                                "' (use .gpkg, .kml, a folder for shapefiles, or --format)");
    // The demo always has eleven layers: a one-file-per-layer format needs a folder (checked before
    // the generating, so a usage mistake costs nothing at scale 1000).
    if (one_file_per_layer(format) && !fs::path(a.out).extension().empty() && !fs::is_directory(a.out))
        throw CLI::ValidationError(
            "--out",
            format + " keeps one layer per file and the demo has 11 layers: give a folder, e.g. --out " +
                fs::path(a.out).stem().string() + (format == "ESRI Shapefile" ? "" : " --format " + format));
    const bool big = a.scale >= 10;
    Progress progress = big ? stderr_progress() : Progress{};
    const auto t0 = std::chrono::steady_clock::now();
    Dataset ds = generate_demo({a.scale, a.seed}, progress);
    const auto t1 = std::chrono::steady_clock::now();

    // "The same seed gives the same bytes": GeoPackage stamps gpkg_contents.last_change with the
    // current time unless OGR_CURRENT_DATE fixes it.
    CPLSetConfigOption("OGR_CURRENT_DATE", "2026-01-01T00:00:00Z");
    WriteOptions w;
    w.path = a.out;
    w.format = format;
    w.on_message = [](const std::string& line) {
        std::fprintf(stderr, "%s\n", without_secrets(line).c_str());
    };
    if (progress) progress(0.97, "writing " + a.out);
    write_dataset(ds, w);
    CPLSetConfigOption("OGR_CURRENT_DATE", nullptr);
    if (progress) progress(1, "done");
    const auto t2 = std::chrono::steady_clock::now();

    size_t cells[5] = {};
    for (const auto& g : ds.grids)
        if (g.level >= 1 && g.level <= 4) ++cells[g.level];
    const auto ms = [](auto d) {
        return static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(d).count());
    };
    std::printf(
        "wrote %s: %d communit%s, grid cells %zu/%zu/%zu/%zu, %zu households, %zu cameras, %zu enterprises, "
        "%zu incidents, %zu checks, %zu patrol tracks (generated in %lld ms, written in %lld ms)\n",
        a.out.c_str(), a.scale, a.scale == 1 ? "y" : "ies", cells[1], cells[2], cells[3], cells[4],
        ds.households.size(), ds.cameras.size(), ds.enterprises.size(), ds.incidents.size(), ds.checks.size(),
        ds.patrols.size(), ms(t1 - t0), ms(t2 - t1));
}

}  // namespace

void setup_demo(CLI::App& root) {
    auto args = std::make_shared<DemoArgs>();
    CLI::App* cmd = root.add_subcommand("demo",
                                        "Write the synthetic model community 大坪子社区 (--scale N: N "
                                        "communities side by side, for benchmarks). "
                                        "The same seed gives the same bytes.");
    cmd->add_option("--out", args->out,
                    "output: FILE.gpkg (the default format), FILE.kml, or a folder (shapefiles, or the "
                    "--format's files)")
        ->required();
    cmd->add_option("--scale", args->scale, "number of communities (1 = the model community; 100 ≈ a county)")
        ->check(CLI::Range(1, 100000));
    cmd->add_option(
        "--format", args->format,
        "GDAL driver (GPKG, \"ESRI Shapefile\", GeoJSON, FlatGeobuf, KML); default from the --out extension");
    cmd->add_option("--seed", args->seed, "random seed (default 1: the bundled data/dapingzi.gpkg)");
    cmd->callback([args] { run_demo(*args); });
}

}  // namespace gw::app
