// gridwatch plan DATASET --add K [--fov F] [--range R] [--quality Q] [--exact] [--candidates auto]
//                        [--out FILE] [--json]: where to put K new cameras (SPEC §5.4).
#include <cstdio>
#include <ctime>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/placement.h"
#include "geo/core/error.h"
#include "geo/core/times.h"
#include "geo/io/out_layers.h"

namespace gw::app {
namespace {

struct PlanArgs {
    DatasetArgs data;
    PlanOptions o;
    std::string quality = "any", candidates = "layer", out;
    bool json = false, no_occlusion = false;
    bool candidates_given = false;  // --candidates named on the command line
};

/** The layers --out writes: the cameras, their views. */
std::vector<std::string> out_layer_names() { return {"planned_cameras", "planned_views"}; }

std::vector<WrittenLayer> write_out(const std::string& path, const Dataset& ds, const PlanArgs& a,
                                    const PlacementPlan& p) {
    const std::vector<std::string> names = out_layer_names();
    OutLayer cams;
    cams.name = names[0];
    cams.points = true;
    // Fields as the cameras layer has them, ready to merge.
    cams.fields = {{"cam_id"}, {"owner"}, {"azimuth", OutField::Real}, {"fov", OutField::Real},
                   {"range", OutField::Real}, {"resolution_px", OutField::Integer}, {"status"}, {"gain", OutField::Real},
                   {"rank", OutField::Integer}};
    OutLayer views;
    views.name = names[1];
    views.fields = {{"cam_id"}, {"gain", OutField::Real}};
    for (size_t i = 0; i < p.picks.size(); ++i) {
        const auto& k = p.picks[i];
        const std::string id = "NEW-" + std::to_string(i + 1);
        OutFeature f;
        f.point = k.pos;
        f.values = {id, std::string("public"), k.azimuth, a.o.fov, a.o.range, static_cast<long long>(a.o.resolution_px),
                    std::string("planned"), k.gain, static_cast<long long>(i + 1)};
        cams.features.push_back(f);
        views.features.push_back({{sector_polygon(k.pos, k.azimuth, a.o.fov, a.o.range)}, {}, {id, k.gain}});
    }
    return write_out_layers(path, {cams, views}, ds.work_crs_wkt);
}

void run_plan(PlanArgs& a) {
    if (!a.out.empty()) {
        refuse_output_onto_input(a.data, a.out, out_layer_files(a.out, out_layer_names()));
        require_layer_format(a.out);
    }
    Dataset ds = a.data.open(layers_except({"checks", "patrols"}), /*check_tiling=*/false);
    warn_wide_extent(ds, "plan");
    a.o.quality = parse_quality(a.quality);
    a.o.auto_candidates = a.candidates == "auto";
    // Asked for by name, the candidates layer must hold sites; by default its absence is said.
    if (a.candidates_given && !a.o.auto_candidates && ds.candidates.empty())
        throw Error("has no candidate sites (no candidates layer, or an empty one)",
                    {ds.source, "candidates"},
                    "add the places a camera may go as a candidates layer, or plan with --candidates auto");
    a.o.occlusion = !a.no_occlusion;
    a.o.progress = stderr_progress();
    PlacementPlan p = plan_cameras(ds, a.o);
    if (p.auto_sites && !a.o.auto_candidates)
        warn(
            "no candidates layer holds sites: the sites are road junctions, road points every 20 m and "
            "building "
            "corners (--candidates auto)");
    warn_unrated_cameras(ds, p.unrated_cameras, quality_name(a.o.quality));
    const size_t unplaced = static_cast<size_t>(a.o.k) - std::min(p.picks.size(), static_cast<size_t>(a.o.k));
    if (unplaced > 0)
        warn("placed " + std::to_string(p.picks.size()) + " of " + std::to_string(a.o.k) +
             " cameras: no other site and direction adds to the demand covered");
    // Without --date the incidents' months end on the latest incident's time: one dated in the
    // future by a typo moves the window there, and the real incidents fall out of the demand.
    const TimeWindow months = incident_window(ds, a.o.weights);
    if (a.o.weights.today.empty() && a.o.weights.incident > 0 && months.until &&
        after_this_computers_date(*months.until - 86400))
        warn(file_of(ds, "incidents") + ": layer 'incidents': the latest incident is dated " +
             iso_date(*months.until - 1) + ", after this computer's date, and the incidents' " +
             std::to_string(a.o.weights.incident_months) +
             " months end there (correct that incident's time, or pass --date YYYY-MM-DD)");
    const std::vector<WrittenLayer> written =
        a.out.empty() ? std::vector<WrittenLayer>{} : write_out(a.out, ds, a, p);
    if (a.json) {
        nlohmann::json j;
        add_written(j, written);
        j["picks"] = nlohmann::json::array();
        for (const auto& k : p.picks) j["picks"].push_back({{"x", k.pos.x}, {"y", k.pos.y}, {"azimuth", k.azimuth}, {"gain", k.gain}});
        j["covered_before"] = p.covered_before;
        j["covered_after"] = p.covered_after;
        j["upper_bound"] = p.upper_bound;
        j["total_demand"] = p.total_demand;
        j["greedy_bound"] = p.greedy_bound;
        j["lp_bound"] = p.lp_bound >= 0 ? nlohmann::json(p.lp_bound) : nlohmann::json(nullptr);
        j["method"] = p.method;
        j["proven_optimal"] = p.proven_optimal;
        j["candidates"] = p.auto_sites ? "auto" : "layer";
        j["unplaced"] = unplaced;
        j["curve"] = p.curve;
        j["instance"] = {{"sites", p.sites}, {"columns", p.columns}, {"demand_points", p.demand_points},
                         {"nonzeros", p.nonzeros}};
        j["crs"] = ds.work_crs;
        j["cameras_without_resolution"] = p.unrated_cameras.size();
        j["incident_window"] =
            months.from && months.until && *months.until > *months.from
                ? nlohmann::json{{"from", iso_date(*months.from)}, {"to", iso_date(*months.until - 1)}}
                : nlohmann::json(nullptr);
        print_json(std::move(j), ds);
        return;
    }
    std::printf(
        "%s new cameras (fov %g°, range %g m%s), %s; %zu sites × %g° steps -> %zu columns over %zu demand "
        "points\n",
        unplaced ? (std::to_string(p.picks.size()) + " of " + std::to_string(a.o.k)).c_str()
                 : std::to_string(a.o.k).c_str(),
        a.o.fov, a.o.range,
        a.o.quality != Quality::Any ? (std::string(", ") + quality_name(a.o.quality)).c_str() : "",
        p.method.c_str(), p.sites, a.o.azimuth_step, p.columns, p.demand_points);
    std::printf("\n%4s %12s %12s %8s %10s\n", "#", "x", "y", "azimuth", "gain");
    for (size_t i = 0; i < p.picks.size(); ++i)
        std::printf("%4zu %12.1f %12.1f %7.0f° %10.1f\n", i + 1, p.picks[i].pos.x, p.picks[i].pos.y, p.picks[i].azimuth,
                    p.picks[i].gain);
    auto pct = [&](double v) { return p.total_demand > 0 ? 100 * v / p.total_demand : 0.0; };
    std::printf("\ndemand covered: before %.1f (%.1f%%), after %.1f (%.1f%%) of %.1f\n", p.covered_before,
                pct(p.covered_before), p.covered_after, pct(p.covered_after), p.total_demand);
    const double gained = p.covered_after - p.covered_before, possible = p.upper_bound - p.covered_before;
    std::printf("upper bound on the best possible: %.1f%s — this plan reaches %.1f%% of the best gain\n",
                p.upper_bound, p.proven_optimal ? " (proven optimal)" : "",
                possible > 0 ? 100 * gained / possible : 100.0);
    std::printf("coordinates in %s\n", ds.work_crs.c_str());
    if (!written.empty()) std::printf("%s\n", written_line(written).c_str());
}

}  // namespace

void setup_plan(CLI::App& root) {
    auto a = std::make_shared<PlanArgs>();
    auto* cmd = root.add_subcommand("plan", "where to put K new cameras, with an upper bound on the best possible");
    add_dataset_args(cmd, a->data);
    cmd->add_option("--add", a->o.k, "how many new cameras")->required()->check(CLI::Range(1, 100000));
    cmd->add_option("--fov", a->o.fov, "their field of view, degrees (default 90)")
        ->check(number_check(1, 360));
    cmd->add_option("--range", a->o.range, "their range, metres (default 60)")->check(number_check(1, 10000));
    cmd->add_option("--resolution", a->o.resolution_px, "their horizontal pixels, for --quality (default 1920)")
        ->check(CLI::PositiveNumber);
    cmd->add_option("--quality", a->quality, "count only the IEC 62676-4 zone and better")
        ->check(CLI::IsMember({"any", "detect", "observe", "recognise", "recognize", "identify"}));
    auto* candidates =
        cmd->add_option("--candidates", a->candidates, "layer (the candidates layer when present) or auto")
            ->check(CLI::IsMember({"layer", "auto"}));
    cmd->add_option("--weight-road", a->o.weights.road, "weight of a road sample (every 10 m; national ×3)")
        ->check(number_check(0, 1e6));
    cmd->add_option("--weight-household", a->o.weights.household, "weight of a household (default 5)")
        ->check(number_check(0, 1e6));
    cmd->add_option("--weight-incident", a->o.weights.incident,
                    "weight of an incident of the last 12 months (2)")
        ->check(number_check(0, 1e6));
    cmd->add_option("--weight-enterprise", a->o.weights.enterprise,
                    "weight of an enterprise boundary point (1)")
        ->check(number_check(0, 1e6));
    cmd->add_option("--date", a->o.weights.today,
                    "the incidents' 12 months end on this date, YYYY-MM-DD (default: the latest incident's)")
        ->check(calendar_date_check());
    cmd->add_flag("--exact", a->o.exact, "solve the integer programme with CBC (small instances)");
    cmd->add_option("--time-limit", a->o.exact_seconds, "seconds for --exact (default 60)")
        ->check(number_check(0, 1e6, true));
    cmd->add_flag("--no-occlusion", a->no_occlusion, "ignore buildings");
    cmd->add_flag("--include-offline", a->o.include_offline, "count what offline cameras see as covered");
    cmd->add_option("--write-lp", a->o.write_lp, "also write the integer programme as PATH.lp (for other solvers)")
        ->group("");
    cmd->add_option("--out", a->out, "write the proposed cameras and their views (.gpkg, .geojson, .shp…)");
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->callback([a, candidates] {
        a->candidates_given = candidates->count() > 0;
        run_plan(*a);
    });
}

}  // namespace gw::app
