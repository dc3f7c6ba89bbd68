// gridwatch import DATASET --checks FILE [--from-gcj02] [--skip-bad] [--json]: phone reports appended to the
// dataset's checks layer in one transaction (SPEC §4, §5.5).
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/io/check_import.h"

namespace gw::app {
namespace {

struct ImportArgs {
    std::string dataset, checks;
    bool from_gcj02 = false, skip_bad = false, json = false;
};

void run_import(const ImportArgs& a) {
    // The reports file must not be the dataset: reading it as CSV would report every line bad, and
    // nothing should ever treat the dataset as input to itself.
    if (output_would_overwrite(a.checks, a.dataset) || output_would_overwrite(a.dataset, a.checks))
        throw CLI::ValidationError("--checks", "'" + a.checks + "' is the dataset itself (pass the file the "
                                               "reporting app exported)");
    ImportOptions o;
    o.from_gcj02 = a.from_gcj02;
    o.skip_bad = a.skip_bad;
    o.progress = stderr_progress();
    const ImportReport r = import_checks(a.dataset, a.checks, o);
    const char* unit = r.geojson ? "feature" : "line";
    for (const auto& b : r.bad)
        std::fprintf(stderr, "%s: %s %d, field '%s': %s\n", a.checks.c_str(), unit, b.line, b.field.c_str(),
                     b.problem.c_str());
    if (a.json) {
        nlohmann::json bad = nlohmann::json::array();
        for (const auto& b : r.bad) bad.push_back({{"line", b.line}, {"field", b.field}, {"problem", b.problem}});
        nlohmann::json j{{"read", r.read},
                         {"added", r.added},
                         {"skipped_existing", r.skipped_existing},
                         {"bad", bad},
                         {"bad_rows", r.bad_rows},
                         {"written", r.written},
                         {"layer", r.layer},
                         {"crs", r.crs},
                         {"created_layer", r.created_layer},
                         {"numbered_by", unit},
                         {"write_seconds", r.write_seconds},
                         {"future_dated", r.future.size()}};
        std::printf("%s\n", j.dump(2).c_str());
    }
    if (r.bad_rows > 0 && !a.skip_bad)
        throw Error(std::to_string(r.bad_rows) + " of " + std::to_string(r.read) + " reports are bad (listed above); " +
                        "nothing was imported",
                    {a.checks}, "correct them, or pass --skip-bad to import the " +
                                    std::to_string(r.read - r.bad_rows) + " good ones");
    if (!r.future.empty()) {
        std::vector<Issue> named;
        for (const BadRow& b : r.future)
            named.push_back({"", std::string(unit) + " " + std::to_string(b.line), b.problem});
        warn(a.checks + ": " + std::to_string(r.future.size()) +
             " report(s) dated after this computer's date: " + name_some(named) +
             " (check the phones' clocks: gridwatch checks without --date counts its days back from the "
             "latest report)");
    }
    if (!a.json) {
        std::printf("%d reports read, %d added to layer '%s'%s, %d already there", r.read, r.added,
                    r.layer.empty() ? "checks" : r.layer.c_str(), r.created_layer ? " (new)" : "", r.skipped_existing);
        if (r.bad_rows) std::printf(", %d bad left out", r.bad_rows);
        std::printf("\n");
    } else if (r.bad_rows) {
        std::fprintf(stderr, "warning: %d bad reports left out (--skip-bad)\n", r.bad_rows);
    }
}

}  // namespace

void setup_import(CLI::App& root) {
    auto a = std::make_shared<ImportArgs>();
    auto* cmd = root.add_subcommand(
        "import", "append phone reports (CSV or GeoJSON from the reporting app) to the checks layer, in one transaction");
    cmd->add_option("DATASET", a->dataset, "the GeoPackage or PG: store (gridwatch db init) to append to")->required();
    cmd->add_option("--checks", a->checks,
                    "CSV (columns check_id, grid_id, reporter, time, kind, people, note, lon, lat; Chinese names too) "
                    "or GeoJSON points")
        ->required()
        ->check(CLI::ExistingFile);
    cmd->add_flag("--from-gcj02", a->from_gcj02, "FILE's positions are GCJ-02 (phone apps): converted to WGS84");
    cmd->add_flag("--skip-bad", a->skip_bad, "import the good reports when some are bad (exit 0), listing the bad");
    cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    cmd->callback([a] { run_import(*a); });
}

}  // namespace gw::app
