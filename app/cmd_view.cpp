// gridwatch view [DATASET]: the map viewer (SPEC §6). The window and its panels live in viewer*.cpp
// and panel_*.cpp; this file only reads the options.
#include <fstream>
#include <sstream>

#include "app/cli_common.h"
#include "app/commands.h"
#include "app/viewer.h"
#include "geo/error.h"

namespace gw::app {
namespace {

struct ViewArgs {
    DatasetArgs data;
    std::string lang = "zh", size = "1280x800", screenshot, events, script;
    int frames = 0;
    bool timing = false;
};

void run_view(const ViewArgs& a) {
    ViewerOptions o;
    o.lang = a.lang == "en" ? Lang::En : Lang::Zh;
    if (std::sscanf(a.size.c_str(), "%dx%d", &o.width, &o.height) != 2 || o.width < 64 || o.height < 64)
        throw CLI::ValidationError("--size", "'" + a.size + "' is not WIDTHxHEIGHT");
    o.screenshot = a.screenshot;
    o.frames = a.frames;
    o.timing = a.timing;
    std::string events = a.events;
    if (!a.script.empty()) {
        std::ifstream in(a.script);
        if (!in) throw Error("cannot be read", {a.script}, "give an events file, one event a line");
        std::stringstream ss;
        ss << in.rdbuf();
        events += (events.empty() ? "" : ";") + ss.str();
    }
    o.events = parse_events(events);
    run_viewer(a.data.open({}, /*check_tiling=*/false, /*allow_default=*/true), o);
}

}  // namespace

void setup_view(CLI::App& root) {
    auto a = std::make_shared<ViewArgs>();
    auto* cmd = root.add_subcommand("view", "the map viewer (with no DATASET, the bundled model community)");
    add_dataset_args(cmd, a->data, /*optional=*/true);
    cmd->add_option("--lang", a->lang, "interface language: zh (简体中文) or en")
        ->check(CLI::IsMember({"zh", "en"}))
        ->capture_default_str();
    // Hidden options for tests, screenshots and benchmarks.
    const std::string hidden;
    cmd->add_option("--size", a->size, "window size WIDTHxHEIGHT")->group(hidden);
    cmd->add_option("--screenshot", a->screenshot, "save the window to a PNG after the last frame and exit")
        ->group(hidden);
    cmd->add_option("--events", a->events, "drag:x,y,dx,dy;wheel:x,y,n;click:x,y;key:home, one a frame")
        ->group(hidden);
    cmd->add_option("--script", a->script, "file of events, one a line")->group(hidden);
    cmd->add_option("--frames", a->frames, "exit after N frames")->group(hidden);
    cmd->add_flag("--timing", a->timing, "print the mean frame time on exit")->group(hidden);
    cmd->callback([a] { run_view(*a); });
}

}  // namespace gw::app
