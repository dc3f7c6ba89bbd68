#include "app/cli/cli_common.h"

#include <cpl_error.h>
#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <mutex>
#include <sstream>

#include "geo/analysis/patrols.h"
#include "geo/analysis/stats.h"
#include "geo/analysis/validate.h"
#include "geo/core/error.h"
#include "geo/core/parallel.h"
#include "geo/core/text.h"
#include "geo/core/times.h"
#include "geo/io/atomic_output.h"
#include "geo/io/basemap.h"
#include "geo/io/crs.h"
#include "geo/io/dem.h"
#include "geo/io/out_formats.h"
#include "geo/io/project.h"

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
    cmd->add_option("--assume-crs", a.assume_crs, "CRS for layers that carry none, e.g. EPSG:4490")
        ->check(crs_check());
    cmd->add_option("--work-crs", a.work_crs, "metric working CRS (default: Gauss-Kruger zone of the data)")
        ->check(crs_check(/*metric=*/true));
    auto* g = cmd->add_flag("--from-gcj02", a.from_gcj02, "point layers and patrol tracks are GCJ-02 (phone apps): convert to WGS84");
    auto* b = cmd->add_flag("--from-bd09", a.from_bd09, "point layers and patrol tracks are BD-09 (Baidu): convert to WGS84");
    g->excludes(b);
}

OpenOptions DatasetArgs::options(std::vector<std::string> layers) const {
    OpenOptions o;
    o.assume_crs = assume_crs;
    o.work_crs = work_crs;
    o.coords = from_gcj02 ? SourceCoords::Gcj02 : from_bd09 ? SourceCoords::Bd09 : SourceCoords::Native;
    o.layers = std::move(layers);
    o.progress = stderr_progress();
    return o;
}

Dataset DatasetArgs::open_by_layer(
    std::vector<std::string> layers,
    const std::function<void(Dataset&& layer, const std::string& canonical)>& each) const {
    const OpenOptions o = options(std::move(layers));
    return open_dataset_by_layer(sources, o, [&](Dataset&& layer, const std::string& canonical) {
        o.progress(1, "");  // the progress line cleared for what is said of the layer
        warn_reading(layer);
        each(std::move(layer), canonical);
    });
}

Dataset DatasetArgs::open(std::vector<std::string> layers, bool check_tiling, bool allow_default,
                          int grid_level, const std::function<void(OpenOptions&)>& leave_out) const {
    OpenOptions o = options(std::move(layers));
    o.grid_level = check_tiling ? 0 : grid_level;
    if (leave_out) leave_out(o);
    std::vector<std::string> src = sources;
    if (src.empty() && allow_default) src.push_back(bundled_dataset_path());
    Dataset ds = open_dataset(src, o);
    if (check_tiling) check_grid_tiling(ds, o.progress);
    warn_reading(ds, /*report_repairs=*/!check_tiling);  // info reports them itself
    // For tests/bench/bench_floor.sh: when reading ended, which it subtracts from when it started the
    // command, to set a command's reading beside GDAL's own (its floor) apart from its analysis.
    if (std::getenv("GRIDWATCH_TIMING")) {
        timespec now{};
        clock_gettime(CLOCK_REALTIME, &now);
        std::fprintf(stderr, "timing: read by %lld.%06ld (Unix time)\n", static_cast<long long>(now.tv_sec),
                     now.tv_nsec / 1000);
    }
    return ds;
}

std::vector<std::string> layers_except(const std::vector<std::string>& leave_out) {
    std::vector<std::string> out;
    for (const auto& l : canonical_layers())
        if (std::find(leave_out.begin(), leave_out.end(), l) == leave_out.end()) out.push_back(l);
    return out;
}

void check_grid_tiling(Dataset& ds, const Progress& progress) {
    if (ds.grids.empty()) return;
    if (progress) progress(0.9, "checking the grid tiling");
    OGRSpatialReference source, work;
    source.importFromWkt(ds.source_crs_wkt.c_str());
    work.importFromWkt(ds.work_crs_wkt.c_str());
    source.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    // Point layers moved off GCJ-02 / BD-09 say nothing of the grids' own CRS: checked as projected.
    if (!source.IsGeographic() || !ds.point_coords.empty()) {
        ds.report.tiling = check_tiling(ds.grids);
    } else {
        // Back to longitude/latitude (each distinct vertex maps to one point, so shared vertices
        // stay shared), then a local frame in metres around the grids' centre.
        auto to_degrees = std::make_shared<Transform>(work, source);
        auto to_work = std::make_shared<Transform>(source, work);
        Box b;
        for (const auto& g : ds.grids) b.add(bounds(g.shape));
        const Vec2 c0 = to_degrees->apply(b.center());
        const Vec2 k = local_metres_per_unit(source, c0.y);
        const double kx = k.x, ky = k.y;
        auto to_check = [to_degrees, c0, kx, ky](std::vector<Vec2>& ring) {
            to_degrees->apply(ring);
            for (Vec2& p : ring) p = {(p.x - c0.x) * kx, (p.y - c0.y) * ky};
        };
        auto to_report = [to_work, c0, kx, ky](Vec2 p) { return to_work->apply(Vec2{c0.x + p.x / kx, c0.y + p.y / ky}); };
        ds.report.tiling = check_tiling(ds.grids, to_check, to_report);
    }
    ds.report.tiling_checked = true;
}

Progress stderr_progress() {
    const bool tty = isatty(STDERR_FILENO);
    auto last_label = std::make_shared<std::string>();
    auto last_pct = std::make_shared<int>(-1);
    return [tty, last_label, last_pct](double f, const std::string& label) {
        const int pct = static_cast<int>(f * 100);
        if (tty) {
            if (f >= 1 && label.empty()) {  // the line cleared, no bar drawn (the next stage's starts anew)
                if (*last_pct >= 0) std::fprintf(stderr, "\r%*s\r", 80, ""), std::fflush(stderr);
                *last_label = label;
                *last_pct = -1;
                return;
            }
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

// A `PG:` source is named as it was given: its password is masked here, for every warning.
namespace {
struct HeldLines {
    std::mutex mutex;
    std::vector<std::string> lines;
    bool released = false;
};
HeldLines& held() {
    static HeldLines h;
    return h;
}
}  // namespace

void note(const std::string& line) {
    HeldLines& h = held();
    std::lock_guard lock(h.mutex);
    if (h.released)
        std::fprintf(stderr, "%s\n", without_secrets(line).c_str());
    else
        h.lines.push_back(without_secrets(line));
}

void warn(const std::string& line) { note("warning: " + line); }

void release_warnings() {
    HeldLines& h = held();
    std::lock_guard lock(h.mutex);
    for (const auto& l : h.lines) std::fprintf(stderr, "%s\n", l.c_str());
    h.lines.clear();
    h.released = true;
}

std::string pad(const std::string& s, int width) {
    int w = 0;
    for (unsigned char c : s)
        if ((c & 0xC0) != 0x80) w += c >= 0xE0 ? 2 : 1;
    return w >= width ? s : s + std::string(size_t(width - w), ' ');
}

TimeWindow default_patrol_window(const Dataset& ds) {
    if (auto w = last_days_of_patrols(ds, 7)) {
        // One track dated in the future by a typo moves the window there (as checks' latest report).
        if (const int64_t day = *w->until - 86400; after_this_computers_date(day))
            warn(file_of(ds, "patrols") + ": layer 'patrols': the latest track is dated " + iso_date(day) +
                 ", after this computer's date, and the window ends there (correct that track's times, or "
                 "pass --from and --to)");
        return *w;
    }
    if (!ds.patrols.empty()) warn("no patrol track has readable times: every track counted, none at night");
    return {};
}

void add_patrol_columns(const std::vector<StatsTable*>& tables, const Dataset& ds,
                        const std::vector<MultiPolygon>* views) {
    if (!ds.has_layer("patrols")) {
        warn(ds.source + ": no patrols layer: the patrol columns (road, patrolled and neither metres, night share) "
                         "are left out");
        return;
    }
    if (ds.grids_of_level(4).empty()) {
        warn(ds.source + ": no level-4 cells, which patrols are measured in: the patrol columns are left out");
        return;
    }
    PatrolOptions o;
    o.window = default_patrol_window(ds);
    o.views = views;
    add_patrols(tables, ds, o);
}

void warn_wide_extent(const Dataset& ds, const std::string& command) {
    if (ds.work_crs_wide)
        warn("the data spans a wide extent, so " + command + " runs in " + ds.work_crs +
             ", which keeps areas but not distances or angles: camera ranges and view sectors are off far from its "
             "centre; " + kWideExtentAdvice);
}

void refuse_output_onto_input(const DatasetArgs& args, const std::string& out,
                              const std::vector<std::filesystem::path>& also,
                              const std::vector<std::string>& other_inputs) {
    if (out.empty()) return;
    std::vector<std::filesystem::path> written{out};
    written.insert(written.end(), also.begin(), also.end());
    std::vector<std::string> inputs = args.sources;
    inputs.insert(inputs.end(), other_inputs.begin(), other_inputs.end());
    for (const auto& source : inputs)
        for (const auto& file : written)
            if (output_would_overwrite(file, source))
                throw CLI::ValidationError("--out", "'" + out + "' would write onto or into the input " +
                                                        source + " (give an output outside the dataset)");
    // A source's project file (its names for layers and fields), there or not yet: written over, or
    // made of an output, it would stop the dataset opening.
    const auto same_path = [](const std::filesystem::path& a, const std::filesystem::path& b) {
        std::error_code ea, eb;  // a path that cannot be resolved is no match (two failures would be)
        const auto ca = std::filesystem::weakly_canonical(std::filesystem::absolute(a), ea);
        const auto cb = std::filesystem::weakly_canonical(std::filesystem::absolute(b), eb);
        return !ea && !eb && ca == cb;
    };
    for (const auto& source : args.sources) {
        if (source.rfind("PG:", 0) == 0) continue;
        const std::string project = project_path_for(source);
        for (const auto& file : written)
            if (same_path(file, project) || output_would_overwrite(file, project))
                throw CLI::ValidationError("--out", "'" + out + "' would write onto " + project +
                                                        ", the project file of " + source +
                                                        " (give an output outside the dataset)");
    }
}

namespace {
void add_left_out(nlohmann::json& j, const Dataset& ds) {
    j["unreadable_times"] = ds.report.bad_times.size();
    j["unreadable_numbers"] = ds.report.bad_values.size();
    j["without_geometry"] = ds.report.no_geometry.size();
    j["cameras_with_bad_values"] = ds.report.bad_cameras.size();
    j["repeated_cameras"] = ds.report.repeated.size();
    j["unknown_codes"] = ds.report.unknown_codes.size();
    size_t repaired = 0;
    for (const auto& [layer, ids] : ds.report.repaired) repaired += ids.size();
    j["repaired_geometries"] = repaired;
}
void write_out(std::string_view text) { std::fwrite(text.data(), 1, text.size(), stdout); }
}  // namespace

void print_json_items(nlohmann::json j, const std::string& key, size_t n,
                      const std::function<nlohmann::json(size_t)>& item, const Dataset& ds) {
    add_left_out(j, ds);
    j[key] = nlohmann::json::array();
    const std::string text = j.dump(2);
    // dump(2) writes a key of the top level after a newline and two spaces (a nested key has more,
    // and a newline inside a string is written "\n"): the items go between this key's brackets.
    const std::string empty = "\n  " + nlohmann::json(key).dump() + ": []";
    const size_t at = text.find(empty);
    if (at == std::string::npos) throw std::logic_error("print_json_items: no top-level key " + key);
    const size_t close = at + empty.size() - 1;
    // The text is written once it is whole: an item dump refuses (text that is not UTF-8) stops the
    // command with nothing on stdout, as print_json does.
    // The items are written on the cores, a run of them per task, and joined in order.
    const size_t runs = std::min(n, 8 * parallel_width());
    std::vector<std::string> parts(runs);
    const auto write_run = [&](size_t r) {
        std::string& s = parts[r];
        const size_t first = n * r / runs, end = n * (r + 1) / runs;
        for (size_t i = first; i < end; ++i) {
            // An item sits at depth 2: each of its lines four spaces further in than dump(2) puts them.
            s += i ? ",\n    " : "\n    ";
            for (char c : item(i).dump(2)) {
                s += c;
                if (c == '\n') s += "    ";
            }
            // Room for the run at the first item's size and a tenth more, rather than grown by
            // doubling: on these VMs each page taken fresh costs (a county's checks: 4.5 MB of JSON).
            if (i == first) s.reserve(s.size() * (end - first) * 11 / 10);
        }
    };
    parallel_for(runs, write_run);
    // Written as it lies, not joined into one more copy of it: every part is made before any is written.
    write_out(std::string_view(text).substr(0, close));
    for (const auto& part : parts) write_out(part);
    if (n) write_out("\n  ");
    write_out(std::string_view(text).substr(close));
    write_out("\n");
}

std::string written_line(const std::vector<WrittenLayer>& written) {
    std::string s = "wrote";
    for (size_t i = 0; i < written.size(); ++i) {
        s += (i ? ", " : " ") + written[i].file.string() + " (" + written[i].layer;
        for (const auto& r : written[i].renamed) s += "; " + r.name + " as " + r.written_as;
        for (const auto& c : written[i].cut)
            s += "; " + c.name + " cut to 254 bytes in " + std::to_string(c.values) +
                 " feature(s): --json or a .gpkg output holds them whole";
        s += ")";
    }
    return s;
}

void add_written(nlohmann::json& j, const std::vector<WrittenLayer>& written) {
    if (written.empty()) return;
    nlohmann::json files = nlohmann::json::object(), renamed = nlohmann::json::object(),
                   cut = nlohmann::json::object();
    for (const auto& w : written) {
        files[w.layer] = w.file.string();
        for (const auto& r : w.renamed) renamed[w.layer + "." + r.name] = r.written_as;
        for (const auto& c : w.cut) cut[w.layer + "." + c.name] = c.values;
    }
    j["files"] = files;
    if (!renamed.empty()) j["fields_renamed"] = renamed;
    if (!cut.empty()) j["values_cut"] = cut;
}

void print_json(nlohmann::json j, const Dataset& ds) {
    add_left_out(j, ds);
    const std::string text = j.dump(2);
    write_out(text), write_out("\n");  // not text + '\n': a copy of the whole in fresh memory
    // The answer is the command's last work: its tree (a county's cells, 20 ms to free) goes with the process.
    const KeepToExit keep_tree(j);
}

void keep_to_exit(std::shared_ptr<void> p) noexcept {
    static auto* kept = new std::vector<std::shared_ptr<void>>;  // never destroyed: its items are never freed
    try {
        kept->push_back(std::move(p));
    } catch (...) {  // no memory for one more pointer: `p` is freed here
    }
}

void warn_in_no_cell(const Dataset& ds, const std::string& layer, const std::string& noun,
                     const std::vector<std::string>& ids, const std::string& unit) {
    if (ids.empty()) return;
    warn(file_of(ds, layer) + ": layer '" + layer + "': " + std::to_string(ids.size()) + " " + noun +
         "(s) lie in no " + unit + ", counted in no unit: " + list_some(ids, 5) +
         " (they lie outside the community's cells; check their coordinates)");
}

void warn_unrated_cameras(const Dataset& ds, const std::vector<Issue>& unrated, const std::string& quality) {
    if (unrated.empty()) return;
    warn(file_of(ds, "cameras") + ": layer 'cameras': " + std::to_string(unrated.size()) +
         " camera(s) without a resolution_px left out under --quality " + quality + ": " +
         name_some(unrated) + " (give their horizontal pixels, resolution_px / 水平像素)");
}

void warn_repeated_checks(const Dataset& ds, const std::vector<std::string>& check_ids) {
    if (check_ids.empty()) return;
    warn(file_of(ds, "checks") + ": layer 'checks': " + std::to_string(check_ids.size()) +
         " report(s) repeat an earlier report whole (check_id, time, cell, reporter, kind) and are counted "
         "once: " +
         list_some(check_ids, 5) + " (a report imported twice, or two files merged; delete the repeats)");
}

void warn_reading(const Dataset& ds, bool report_repairs) {
    for (const std::string& line : reading_notes(ds, report_repairs)) warn(line);
}

CLI::Validator iso_date_check() {
    return CLI::Validator(
        [](std::string& v) {
            return parse_iso_span(v) ? std::string()
                                     : "'" + v + "' is not an ISO-8601 date (2024, 2024-03, 2024-03-05, 2024-03-05T14:00)";
        },
        "ISO-8601 date");
}

CLI::Validator crs_check(bool metric) {
    return CLI::Validator(
        [metric](std::string& v) {
            // The usage message says what is wrong; GDAL's own line would only repeat it.
            CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
            try {
                const OGRSpatialReference crs = parse_crs(v, "");
                if (metric && !is_metric_projected(crs))
                    return "'" + v +
                           "' is not a projected CRS in metres (give one such as EPSG:4542, a Gauss-Kruger "
                           "zone)";
                return std::string();
            } catch (const Error& e) {
                return e.problem() + " (" + e.hint() + ")";
            }
        },
        metric ? "METRIC CRS" : "CRS");
}

TimeWindow window_option(const std::string& from, const std::string& to) {
    try {
        return window_between(from, to);
    } catch (const Error& e) {
        throw CLI::ValidationError(e.where().field, e.problem() + " (" + e.hint() + ")");
    }
}

void require_layer_format(const std::string& out) {
    if (out_format_for_path(out)) return;
    std::string exts;
    for (const auto& f : out_formats()) exts += (exts.empty() ? "" : ", ") + f.extensions[0];
    throw CLI::ValidationError(
        "--out", "'" + out + "' ends in no format layers are written in (end it in " + exts + ")");
}

CLI::Validator calendar_date_check() {
    return CLI::Validator(
        [](std::string& v) {
            const auto span = parse_iso_span(v);
            return span && v.size() == 10 && span->end - span->begin == 86400
                       ? std::string()
                       : "'" + v + "' is not a calendar date (YYYY-MM-DD, e.g. 2026-11-30)";
        },
        "YYYY-MM-DD");
}

CLI::Validator number_check(double lo, double hi, bool above) {
    const auto text = [](double v) {  // 1000000, not 1e+06
        std::ostringstream o;
        if (v == std::floor(v) && std::abs(v) < 1e15)
            o << static_cast<long long>(v);
        else
            o << v;
        return o.str();
    };
    const std::string range =
        (above ? "above " : "from ") + text(lo) + (above ? " and at most " : " to ") + text(hi);
    return CLI::Validator(
        [lo, hi, above, range](std::string& v) {
            char* end = nullptr;
            const double x = std::strtod(v.c_str(), &end);
            const bool ok =
                end != v.c_str() && *end == 0 && std::isfinite(x) && (above ? x > lo : x >= lo) && x <= hi;
            return ok ? std::string() : "'" + v + "' is not a number " + range;
        },
        "NUMBER " + range);
}

CLI::Option* add_level_option(CLI::App* cmd, int& level) {
    return cmd->add_option("--level", level, "grid level 1–4 (default 4)")->check(CLI::Range(1, 4));
}

}  // namespace gw::app
