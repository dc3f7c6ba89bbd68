// gridwatch view [DATASET]: the map viewer (SPEC §6). The window and its panels live in viewer*.cpp
// and panel_*.cpp; this file only reads the options.
#include <algorithm>
#include <fstream>
#include <sstream>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "app/viewer/viewer.h"
#include "app/wall/wall.h"
#include "geo/core/error.h"
#include "geo/store/pg.h"

namespace gw::app {
namespace {

struct ViewArgs {
    DatasetArgs data;
    std::string lang = "zh", size, screenshot, events, script;
    int frames = 0;
    bool timing = false;
    bool print_coverage = false;  // tests: open the coverage panel, print its total on exit
    bool print_hotspots = false;  // tests: print the hotspots panel's result and the view on exit
    bool print_daily = false;     // tests: print the 巡查 panel's figures and the view on exit
    bool print_notes = false;     // tests: print how many reading notes the window showed on exit
    bool wall = false;  // wall mode (wall.h)
    std::string monitor = "0", scene;
    std::vector<std::string> basemaps;  // --basemap, repeatable
    double tour = 0;
};

void run_view(const ViewArgs& a) {
    ViewerOptions o;
    o.lang = a.lang == "en" ? Lang::En : Lang::Zh;
    if (!a.size.empty() && (std::sscanf(a.size.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 64 || o.height < 64))
        throw CLI::ValidationError("--size", "'" + a.size + "' is not WIDTHxHEIGHT");
    o.screenshot = a.screenshot;
    o.frames = a.frames;
    o.timing = a.timing;
    o.print_coverage = a.print_coverage;
    o.print_hotspots = a.print_hotspots;
    o.print_daily = a.print_daily;
    o.print_notes = a.print_notes;
    o.basemaps = basemap_paths(a.data, a.basemaps);
    // A PG: dataset's changed rows are read again as the dataset was read (geo/store/live.h).
    o.open.assume_crs = a.data.assume_crs;
    o.open.coords = a.data.from_gcj02 ? SourceCoords::Gcj02 : a.data.from_bd09 ? SourceCoords::Bd09 : SourceCoords::Native;
    std::string events = a.events;
    if (!a.script.empty()) {
        std::ifstream in(a.script);
        if (!in) throw Error("cannot be read", {a.script}, "give an events file, one event a line");
        std::stringstream ss;
        ss << in.rdbuf();
        events += (events.empty() ? "" : ";") + ss.str();
    }
    o.events = parse_events(events);
    if (a.wall) {
        WallOptions w;
        w.monitor = a.monitor, w.scene = a.scene, w.tour_s = a.tour;
        if (!a.size.empty()) w.width = o.width, w.height = o.height;
        w.screenshot = o.screenshot, w.events = o.events, w.frames = o.frames, w.timing = o.timing;
        w.basemaps = o.basemaps;
        w.open = o.open;
        w.lang = o.lang;
        // The window stays open: its reading's warnings once it stands, later ones as they come.
        w.opened = release_warnings;
        run_wall(a.data.open({}, /*check_tiling=*/false, /*allow_default=*/true), w);
        return;
    }
    // The mapping dialog reopens the dataset as it was opened here, with the project file's new mapping.
    o.reopen = [data = a.data] { return data.open({}, /*check_tiling=*/false, /*allow_default=*/true); };
    // The daily work's layers wait until the 巡查 panel or their layers are shown. A PG: dataset
    // is read whole: its live listener follows every table from the start.
    std::vector<std::string> layers;
    if (std::none_of(a.data.sources.begin(), a.data.sources.end(), store::is_pg_source)) {
        layers = layers_except({"checks", "patrols"});
        layers.push_back("");  // the layers no role uses are drawn
        o.read_daily = [data = a.data](const Dataset& opened) {
            DatasetArgs daily = data;
            daily.work_crs = opened.work_crs_wkt.empty() ? opened.work_crs : opened.work_crs_wkt;
            return daily.open({"checks", "patrols"}, /*check_tiling=*/false, /*allow_default=*/true);
        };
    }
    Dataset ds = a.data.open(layers, /*check_tiling=*/false, /*allow_default=*/true);
    release_warnings();  // the window stays open: its reading's warnings now, later ones as they come
    run_viewer(std::move(ds), o);
}

}  // namespace

void setup_view(CLI::App& root) {
    auto a = std::make_shared<ViewArgs>();
    auto* cmd = root.add_subcommand("view", "the map viewer (with no DATASET, the bundled model community)");
    add_dataset_args(cmd, a->data, /*optional=*/true);
    cmd->add_option("--lang", a->lang, "interface language: zh (简体中文) or en")
        ->check(CLI::IsMember({"zh", "en"}))
        ->capture_default_str();
    cmd->add_flag("--wall", a->wall, "wall mode: borderless fullscreen, figures, scenes (PageDown/PageUp, Esc)");
    cmd->add_option("--monitor", a->monitor, "wall mode: monitor index, or 'all' to span every monitor")
        ->capture_default_str();
    cmd->add_option("--scene", a->scene, "wall mode: scene to start with (from DATASET.gridwatch.json)");
    cmd->add_option("--basemap", a->basemaps,
                    "raster drawn under the map (GeoTIFF, MBTiles, GeoPackage tiles…); repeatable")
        ->check(CLI::ExistingFile);
    cmd->add_option("--tour", a->tour, "wall mode: step to the next scene every SECONDS")
        ->check(number_check(0, 86400));
    // Hidden options for tests, screenshots and benchmarks.
    const std::string hidden;
    cmd->add_option("--size", a->size, "window size WIDTHxHEIGHT (default 1280x800; wall: the monitor's)")->group(hidden);
    cmd->add_option("--screenshot", a->screenshot, "save the window to a PNG after the last frame and exit")
        ->group(hidden);
    cmd->add_option("--events", a->events, "drag:x,y,dx,dy;wheel:x,y,n;click:x,y;uiclick:x,y;key:home, one a frame")
        ->group(hidden);
    cmd->add_option("--script", a->script, "file of events, one a line")->group(hidden);
    cmd->add_option("--frames", a->frames, "exit after N frames")->group(hidden);
    cmd->add_flag("--timing", a->timing, "print the mean frame time on exit")->group(hidden);
    cmd->add_flag("--print-coverage", a->print_coverage, "open the coverage panel; print its total on exit")
        ->group(hidden);
    cmd->add_flag("--print-hotspots", a->print_hotspots, "print the hotspots panel's result and the view on exit")
        ->group(hidden);
    cmd->add_flag("--print-daily", a->print_daily, "print the 巡查 panel's figures and the view on exit")->group(hidden);
    cmd->add_flag("--print-notes", a->print_notes,
                  "print how many reading notes the 读取提示 window showed on exit")
        ->group(hidden);
    cmd->callback([a] { run_view(*a); });
}

}  // namespace gw::app
