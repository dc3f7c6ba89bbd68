// gridwatch patrols DATASET [--from D] [--to D] [--night HH:MM-HH:MM] [--json]: patrol coverage per L4
// cell and the road metres neither a camera nor a patrol covers (SPEC §4, §5.5).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/patrols.h"
#include "geo/core/error.h"

namespace gw::app {
namespace {

struct PatrolsArgs {
    DatasetArgs data;
    std::string from, to, night = "20:00-06:00";
    bool json = false;
};

nlohmann::json cell_json(const CellPatrols& c) {
    nlohmann::json j = nlohmann::json::object();  // key by key: see print_json_items
    j["grid_id"] = c.grid_id, j["name"] = c.name, j["road_m"] = c.road_m;
    j["camera_m"] = c.camera_m, j["patrolled_m"] = c.patrolled_m, j["both_m"] = c.both_m;
    j["neither_m"] = c.neither_m, j["night_share"] = c.night_share, j["night_m"] = c.night_m;
    j["present_s"] = c.present_s, j["tracks"] = c.tracks;
    return j;
}

nlohmann::json time_or_null(const std::optional<int64_t>& t) {
    return t ? nlohmann::json(iso_date_time(*t)) : nlohmann::json(nullptr);
}

std::string hhmm(int minutes) {
    char s[16];
    std::snprintf(s, sizeof s, "%02d:%02d", minutes / 60, minutes % 60);
    return s;
}

/** "2026-11-24 … 2026-11-30" for a window of whole days, else its bounds as date-times. */
std::string window_text(const TimeWindow& w) {
    auto whole_days = [](int64_t t) { return t % 86400 == 0; };
    if (w.from && w.until && whole_days(*w.from) && whole_days(*w.until))
        return iso_date(*w.from) + " … " + iso_date(*w.until - 1);
    return (w.from ? iso_date_time(*w.from) : std::string("the first track")) + " … " +
           (w.until ? "before " + iso_date_time(*w.until) : std::string("the last track"));
}

void run_patrols(const PatrolsArgs& a) {
    const auto night = parse_night_span(a.night);
    if (!night) throw CLI::ValidationError("--night", "'" + a.night + "' is not HH:MM-HH:MM with two different times");
    TimeWindow window = window_option(a.from, a.to);
    // Households, incidents, candidates and checks play no part; of the grids only the L4 cells.
    Dataset ds = a.data.open({"grids", "roads", "cameras", "buildings", "patrols", "facilities", "enterprises"},
                             /*check_tiling=*/false, /*allow_default=*/false, /*grid_level=*/4);
    const KeepToExit keep_data(ds);
    warn_wide_extent(ds, "patrols");
    const bool by_default = a.from.empty() && a.to.empty();
    if (by_default) window = default_patrol_window(ds);
    PatrolOptions o;
    o.window = window;
    o.night_from_min = night->first, o.night_to_min = night->second;
    o.progress = stderr_progress();
    PatrolsReport rep = compute_patrols(ds, o);
    const KeepToExit keep_report(rep);
    if (ds.patrols.empty()) warn(ds.source + ": no patrols layer or no tracks in it: nothing is patrolled");
    if (!rep.untimed_tracks.empty() && window.bounded()) {
        // The tracks may come from several files: each is named with its file in the reading's warning.
        warn("patrols: " + std::to_string(rep.untimed_tracks.size()) +
             " track(s) without readable times left out of the window: " + list_some(rep.untimed_tracks, 10) +
             " (give start and end as ISO-8601, or a time per GPS fix)");
    }

    if (a.json) {
        nlohmann::json j;
        j["window"] = {{"from", time_or_null(rep.window.from)},
                       {"until", time_or_null(rep.window.until)},
                       {"default", by_default && rep.window.bounded()},
                       {"rule", by_default ? "the 7 calendar days ending on the latest track's day" : "--from/--to"}};
        j["night"] = hhmm(o.night_from_min) + "-" + hhmm(o.night_to_min);
        nlohmann::json t = cell_json(rep.total);
        t.erase("grid_id"), t.erase("name");
        j["total"] = t;
        j["neither"] = nlohmann::json::array();
        for (const auto& u : rep.neither) {
            nlohmann::json n{{"road", u.road}, {"class", u.road_class}, {"grid_id", u.grid_id}, {"neither_m", u.neither_m}};
            if (u.road_fid >= 0) n["road_fid"] = u.road_fid;
            j["neither"].push_back(n);
        }
        j["unpatrolled"] = rep.unpatrolled;
        j["passed"] = nlohmann::json::array();
        for (const auto& p : rep.passed)
            j["passed"].push_back({{"layer", p.layer}, {"id", p.id}, {"name", p.name}, {"passes", p.passes},
                                   {"last", time_or_null(p.last)}});
        j["tracks_in_window"] = rep.tracks_in_window;
        j["untimed_tracks"] = rep.untimed_tracks;
        j["left_out"] = {{"untimed_tracks", rep.window.bounded() ? rep.untimed_tracks.size() : 0}};
        j["cameras"] = rep.cameras;
        j["occlusion"] = rep.occlusion_applied;
        print_json_items(
            std::move(j), "cells", rep.cells.size(), [&](size_t i) { return cell_json(rep.cells[i]); }, ds);
        return;
    }

    const CellPatrols& t = rep.total;
    std::printf("patrols %s%s, night %s-%s: %d track(s) in the window, %d online camera(s)%s\n\n",
                rep.window.bounded() ? window_text(rep.window).c_str() : "(all times)",
                by_default && rep.window.bounded() ? " (the 7 days ending on the latest track's day)" : "",
                hhmm(o.night_from_min).c_str(), hhmm(o.night_to_min).c_str(), rep.tracks_in_window, rep.cameras,
                rep.occlusion_applied ? ", buildings occluding" : "");
    auto pct = [&](double m) { return t.road_m > 0 ? 100 * m / t.road_m : 0.0; };
    std::printf("roads in the %zu L4 cells: %.0f m\n", rep.cells.size(), t.road_m);
    std::printf("  seen by a camera  %10.0f m  %5.1f%%\n", t.camera_m, pct(t.camera_m));
    std::printf("  patrolled         %10.0f m  %5.1f%%  (%.0f%% of it at night)\n", t.patrolled_m, pct(t.patrolled_m),
                100 * t.night_share);
    std::printf("  both              %10.0f m  %5.1f%%\n", t.both_m, pct(t.both_m));
    std::printf("  neither           %10.0f m  %5.1f%%\n\n", t.neither_m, pct(t.neither_m));

    std::printf("neither a camera nor a patrol, longest first:\n");
    const size_t shown = std::min<size_t>(rep.neither.size(), 20);
    for (size_t i = 0; i < shown; ++i) {
        const auto& u = rep.neither[i];
        const std::string road = u.road.empty() ? "(unnamed road, fid " + std::to_string(u.road_fid) + ")" : u.road;
        std::printf("  %3zu. %8.0f m  %s (%s)  in %s\n", i + 1, u.neither_m, road.c_str(),
                    u.road_class.empty() ? "-" : u.road_class.c_str(), u.grid_id.c_str());
    }
    if (rep.neither.size() > shown) std::printf("  … and %zu more (--json lists them all)\n", rep.neither.size() - shown);

    std::printf("\ncells with road and no patrol in the window: %zu\n", rep.unpatrolled.size());
    std::string line;
    for (size_t i = 0; i < rep.unpatrolled.size() && i < 40; ++i) {
        line += (i % 8 == 0 ? "  " : " ") + rep.unpatrolled[i];
        if (i % 8 == 7) std::printf("%s\n", line.c_str()), line.clear();
    }
    if (!line.empty()) std::printf("%s\n", line.c_str());
    if (rep.unpatrolled.size() > 40) std::printf("  … and %zu more\n", rep.unpatrolled.size() - 40);

    int facilities = 0, passed_facilities = 0, parcels = 0, passed_parcels = 0;
    for (const auto& p : rep.passed) {
        const bool f = p.layer == "facilities";
        (f ? facilities : parcels)++;
        if (p.passes > 0) (f ? passed_facilities : passed_parcels)++;
    }
    std::printf("\nfacilities passed within 50 m: %d of %d; enterprise parcels: %d of %d\n", passed_facilities, facilities,
                passed_parcels, parcels);
    int listed = 0;
    for (const auto& p : rep.passed) {
        if (p.layer != "facilities" || p.passes == 0) continue;
        if (++listed > 30) {
            std::printf("  … and %d more\n", passed_facilities - 30);
            break;
        }
        std::printf("  %-28s %3d pass(es), last %s\n", p.name.empty() ? ("fid " + p.id).c_str() : p.name.c_str(), p.passes,
                    p.last ? iso_date_time(*p.last).c_str() : "(untimed)");
    }
}

}  // namespace

void setup_patrols(CLI::App& root) {
    auto a = std::make_shared<PatrolsArgs>();
    auto* cmd = root.add_subcommand(
        "patrols",
        "patrol coverage per L4 cell: road metres seen by a camera, patrolled, both, neither; night share; "
        "facilities passed");
    add_dataset_args(cmd, a->data);
    cmd->add_option("--from", a->from,
                    "first date counted, ISO (2026-11-24). With neither --from nor --to: the 7 calendar days "
                    "ending on the latest track's day")
        ->check(iso_date_check());
    cmd->add_option("--to", a->to, "last date counted, ISO, inclusive (2026-11: to the end of November)")
        ->check(iso_date_check());
    cmd->add_option("--night", a->night, "night hours, HH:MM-HH:MM local time, may wrap midnight")
        ->capture_default_str();
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->footer(
        "A road metre counts as patrolled when a track in the window runs within 25 m along it (the part of the "
        "track within 25 m of the road, projected onto the road: crossing a road patrols none of it). Seen: inside "
        "an online camera's view, the views coverage computes (buildings occlude).");
    cmd->callback([a] { run_patrols(*a); });
}

}  // namespace gw::app
