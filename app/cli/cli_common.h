#pragma once
/** What every command shares: dataset options, progress on stderr, output helpers. */
#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <vector>

#include "geo/core/stats_table.h"
#include "geo/core/times.h"
#include "geo/io/dataset.h"
#include "geo/io/out_layers.h"
#include "geo/io/reading_notes.h"

namespace gw::app {

/** DATASET plus --assume-crs, --work-crs, --from-gcj02, --from-bd09. */
struct DatasetArgs {
    std::vector<std::string> sources;
    std::string assume_crs, work_crs;
    bool from_gcj02 = false, from_bd09 = false;
    /**
     * Opens the dataset (the bundled one when no source was given and allow_default) and, when
     * check_tiling, checks its grid tiling (check_grid_tiling); with grid_level, only that level's
     * cells are read (no tiling check then); `leave_out` may narrow what is read further
     * (OpenOptions::grid_shape_level, time_text).
     */
    Dataset open(std::vector<std::string> layers = {}, bool check_tiling = true, bool allow_default = false,
                 int grid_level = 0, const std::function<void(OpenOptions&)>& leave_out = {}) const;
    /**
     * Opens the dataset a layer at a time (open_dataset_by_layer), each layer's reading named on
     * stderr (warn_reading) before `each` is given it. Returns the dataset without features.
     */
    Dataset open_by_layer(
        std::vector<std::string> layers,
        const std::function<void(Dataset&& layer, const std::string& canonical)>& each) const;

private:
    OpenOptions options(std::vector<std::string> layers) const;
};

/**
 * The grid hierarchy check (geo/analysis/validate.h) on what was read, into ds.report.tiling. Cells
 * whose source is in longitude/latitude are checked there, where their edges are straight (a
 * neighbour's vertex on an edge that is straight in degrees leaves a sliver of tens of m² once
 * projected), in a local frame scaled to metres; positions in the messages are in the working CRS.
 */
void check_grid_tiling(Dataset& ds, const Progress& progress = {});

/**
 * The basemap rasters to draw: the DATASET sources that hold a georeferenced raster (a GeoPackage
 * with tiles) other than a DEM (geo/io/dem.h raster_is_dem), then `extra` (--basemap, in the order
 * given, the last drawn on top).
 */
/**
 * Every SPEC layer but `leave_out`: what a command opens when it reads the map and not the daily
 * work (a county's month of checks is ~270k points it would read for nothing).
 */
std::vector<std::string> layers_except(const std::vector<std::string>& leave_out);

std::vector<std::string> basemap_paths(const DatasetArgs& args, const std::vector<std::string>& extra);

/** Adds the DATASET positional (required unless optional) and the CRS options. */
void add_dataset_args(CLI::App* cmd, DatasetArgs& args, bool optional = false);

/**
 * A progress reporter: a bar on a terminal, a line per stage otherwise. Done with no label
 * (f = 1, ""), the bar is cleared without being drawn full.
 */
Progress stderr_progress();

/**
 * Prints a command's JSON document on stdout, with what reading left out or read as nothing
 * (SPEC §3): "unreadable_times" (incidents left out of time windows), "unreadable_numbers",
 * "without_geometry" (features left out).
 */
void print_json(nlohmann::json j, const Dataset& ds);

/**
 * Where --out's layers went, for a user told of every file (a .shp output writes its other layers
 * beside it) and of every field the format holds under another name: "wrote out.shp (cells),
 * out_gaps.shp (gaps)", "wrote p.shp (planned_cameras; resolution_px as resolution)"; for --json
 * "files": {"cells": "out.shp", …} and, where a field was renamed, "fields_renamed":
 * {"planned_cameras.resolution_px": "resolution"}; where text values were cut (a shapefile's 254
 * bytes), "values_cut": {"clusters.members": N}. Nothing is added when nothing was written.
 */
std::string written_line(const std::vector<WrittenLayer>& written);
void add_written(nlohmann::json& j, const std::vector<WrittenLayer>& written);

/**
 * print_json for a document with one long array at its top level: the array `key` holds n items,
 * each made by item(i) and written as it is made, instead of all held in one tree first (a
 * county's 9,700 cells were some 20 MB of nodes). Gives print_json's text, byte for byte. The
 * items are made and written on all cores (geo/core/parallel.h): item(i) must read only. An item
 * is best made key by key (j["k"] = v): nlohmann's brace lists make each pair an array first and
 * then an object of them, 2.5 times the work (10 against 4 ms for 9,700 cells of six keys).
 */
void print_json_items(nlohmann::json j, const std::string& key, size_t n,
                      const std::function<nlohmann::json(size_t)>& item, const Dataset& ds);

/** Keeps `p` until the process ends, never freed (see KeepToExit). From the main thread only. */
void keep_to_exit(std::shared_ptr<void> p) noexcept;

/**
 * Hands a command's data to the end of the process when its scope ends, instead of freeing it
 * there, as clang does with its AST (-disable-free): a county's records freed one by one (a month
 * of checks: 274k records and their strings) took 40 ms of a 0.65 s `checks`, which the process's
 * exit does at once. What is kept stays reachable, so leak checkers do not count it.
 * Declared after the object, so it runs first: `Dataset ds = …; KeepToExit keep(ds);`
 */
template <typename T>
class KeepToExit {
    static_assert(!std::is_const_v<T>, "a const object would be copied, not moved");

public:
    explicit KeepToExit(T& value) : value_(value) {}
    KeepToExit(const KeepToExit&) = delete;
    KeepToExit& operator=(const KeepToExit&) = delete;
    ~KeepToExit() {
        try {
            keep_to_exit(std::make_shared<T>(std::move(value_)));
        } catch (...) {  // no memory for the holder: it is freed here, as any other object
        }
    }

private:
    T& value_;
};

/**
 * Names on stderr the features of a point layer (`layer`: "incidents"; `noun`: "incident") that lie
 * in no `unit` ("level-4 cell", "hexagon") and so are counted in none; nothing when there are none.
 */
void warn_in_no_cell(const Dataset& ds, const std::string& layer, const std::string& noun,
                     const std::vector<std::string>& ids, const std::string& unit);

/** Names on stderr the cameras a --quality leaves out for want of a resolution_px (rated_for). */
void warn_unrated_cameras(const Dataset& ds, const std::vector<Issue>& unrated, const std::string& quality);

/** Names on stderr the reports counted once because an earlier one has their check_id
 * (ChecksIndex::repeated). */
void warn_repeated_checks(const Dataset& ds, const std::vector<std::string>& check_ids);

/** Tells on stderr the reading's notes (geo/io/reading_notes.h), a line each. */
void warn_reading(const Dataset& ds, bool report_repairs = true);

/** A CLI11 check that a value is an ISO-8601 date (geo/core/times.h parse_iso_span). */
CLI::Validator iso_date_check();

/** A CLI11 check that a value is one calendar date, YYYY-MM-DD (`checks --date`). */
CLI::Validator calendar_date_check();

/**
 * A CLI11 check that a value is a CRS GDAL knows (EPSG:4490, WKT, PROJ), in metres when `metric`
 * (a working CRS): a mistyped one is a usage error, not a failure after the reading.
 */
CLI::Validator crs_check(bool metric = false);

/** --from and --to as a window (geo/core/times.h window_between); one that ends before it begins is a usage
 * error. */
TimeWindow window_option(const std::string& from, const std::string& to);

/** Usage error (exit 2) when `out` ends in no extension layers are written in (out_formats.h); after
 * refuse_output_onto_input. */
void require_layer_format(const std::string& out);

/**
 * A CLI11 check that a value is a finite number from `lo` (above it, when `above`) to `hi`: CLI11's
 * Range and PositiveNumber let nan and inf by (a camera turned to nan, a solver aborting on it).
 */
CLI::Validator number_check(double lo, double hi, bool above = false);

/**
 * A warning line for stderr ("warning: …"). Held until release_warnings(): a command that then
 * fails says its one line (SPEC §4), not the warnings of work it threw away.
 */
void warn(const std::string& line);
/** A line for stderr as it is (export's notes of renamed fields), held as warn()'s are. */
void note(const std::string& line);
/**
 * Prints the lines held and prints later ones at once: main() when a command has succeeded, the
 * viewer and the wall as their window opens (their later readings warn as they come).
 */
void release_warnings();

/** UTF-8 text padded with spaces to a display width in a text table (a CJK character takes two columns). */
std::string pad(const std::string& s, int width);

/** What to do when the working CRS is equal-area for a wide extent (Dataset::work_crs_wide). */
inline constexpr const char* kWideExtentAdvice =
    "for true metres pass --work-crs with a local zone (e.g. EPSG:4542) or open a smaller extent";

/**
 * For commands that measure in true metres on the ground (camera ranges, view sectors): one
 * warning line when the data's extent is too wide for one zone and the working CRS only keeps
 * areas (Dataset::work_crs_wide). The command goes on.
 */
void warn_wide_extent(const Dataset& ds, const std::string& command);

/**
 * Usage error (exit 2) when writing `out` would overwrite a DATASET source: the file itself, a
 * file of its shapefile set, a file of a dataset folder, or a folder that holds a source. `also`
 * are the other files the output writes or replaces beside `out` (coverage's X_gaps.geojson, a
 * map's .wld, a stale .aux.xml), as the writer names them (out_layer_files, image_files,
 * float_geotiff_files): each is checked as `out` is. `other_inputs` are read too (render's
 * --basemap rasters). Called before anything is read.
 */
void refuse_output_onto_input(const DatasetArgs& args, const std::string& out,
                              const std::vector<std::filesystem::path>& also = {},
                              const std::vector<std::string>& other_inputs = {});

/**
 * The window `gridwatch patrols` counts when given no --from/--to: the 7 calendar days ending on
 * the latest track's day; when no track has a readable time, every track (an open window), said
 * once on stderr.
 */
TimeWindow default_patrol_window(const Dataset& ds);

/**
 * The patrol columns of the briefing tables (`stats --with-checks`, `export --with-stats`: one
 * table a level): add_patrols over the default window and night (as plain `gridwatch patrols`),
 * computed once. A dataset without a patrols layer (or without L4 cells) gets none, said once on
 * stderr: the tables' with_patrols stays false and the columns are null or absent.
 */
void add_patrol_columns(const std::vector<StatsTable*>& tables, const Dataset& ds,
                        const std::vector<MultiPolygon>* views = nullptr);

/** Level option validated to 1–4. */
CLI::Option* add_level_option(CLI::App* cmd, int& level);

}  // namespace gw::app
