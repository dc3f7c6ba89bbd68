// gridwatch stats DATASET [--level L] [--json|--csv]: the per-grid briefing table (SPEC §4).
#include <cstdio>
#include <nlohmann/json.hpp>
#include <string_view>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/analysis/stats.h"
#include "geo/core/times.h"

namespace gw::app {
namespace {

struct StatsArgs {
    DatasetArgs data;
    int level = 4;
    bool json = false, csv = false, no_coverage = false, with_checks = false;
    std::string date;  // --date for the check columns ("" = the latest report's)
    int days = 7;
};

nlohmann::json row_json(const GridStats& r, bool with_checks, bool with_patrols) {
    nlohmann::json j = nlohmann::json::object();  // key by key: see print_json_items
    j["grid_id"] = r.grid_id, j["name"] = r.name, j["area_m2"] = r.area_m2;
    j["households"] = r.households, j["people"] = r.people, j["cameras"] = r.cameras;
    j["cameras_online"] = r.cameras_online, j["cameras_offline"] = r.cameras_offline;
    j["incidents"] = r.incidents;
    nlohmann::json owners = nlohmann::json::object(), types = nlohmann::json::object(),
                   colors = nlohmann::json::object();
    for (size_t i = 0; i < kOwners.size(); ++i) owners[kOwners[i]] = r.cameras_by_owner[i];
    for (size_t i = 0; i < kIncidentTypes.size(); ++i) types[kIncidentTypes[i]] = r.incidents_by_type[i];
    for (size_t i = 0; i < kColors.size(); ++i) colors[kColors[i]] = r.incidents_by_color[i];
    j["cameras_by_owner"] = std::move(owners);
    j["incidents_by_type"] = std::move(types);
    j["incidents_by_color"] = std::move(colors);
    if (r.has_coverage()) {
        j["covered_m2"] = r.covered_m2;
        j["coverage"] = r.coverage;
        j["households_covered"] = r.households_covered;
    }
    if (with_checks) {
        j["days_since_check"] = r.check_days_since ? nlohmann::json(*r.check_days_since) : nlohmann::json(nullptr);
        j["checks"] = r.checks;
        j["checks_newcomer"] = r.checks_newcomer;
        j["checks_returnee"] = r.checks_returnee;
        j["checks_outside"] = r.checks_outside;
        // The patrol figures come with the checks; null when the dataset has no patrols layer.
        auto m = [&](double v) { return with_patrols ? nlohmann::json(v) : nlohmann::json(nullptr); };
        j["road_m"] = m(r.road_m);
        j["patrolled_m"] = m(r.patrolled_m);
        j["neither_m"] = m(r.neither_m);
        j["night_share"] = m(r.night_share);
    }
    return j;
}

std::string hhmm(int minutes) {
    char s[16];
    std::snprintf(s, sizeof s, "%02d:%02d", minutes / 60, minutes % 60);
    return s;
}

/** The patrol columns' window (as `gridwatch patrols` writes it) and night. */
nlohmann::json patrols_json(const StatsTable& t) {
    auto time_or_null = [](const std::optional<int64_t>& v) {
        return v ? nlohmann::json(iso_date_time(*v)) : nlohmann::json(nullptr);
    };
    return {{"from", time_or_null(t.patrols_from)},
            {"until", time_or_null(t.patrols_until)},
            {"rule", "the 7 calendar days ending on the latest track's day"},
            {"night", hhmm(t.night_from_min) + "-" + hhmm(t.night_to_min)},
            {"tracks_in_window", t.patrol_tracks}};
}

std::string csv_field(const std::string& text) {
    // A cell's name that a spreadsheet would run as a formula (=, +, -, @ first) is written as text.
    const std::string s =
        !text.empty() && std::string_view("=+-@\t\r").find(text[0]) != std::string_view::npos ? "'" + text
                                                                                              : text;
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

void run_stats(const StatsArgs& a) {
    // Of the reports before the window only each cell's last is kept, as `gridwatch checks` keeps
    // them (its last check); without the date, the window ends on the latest report's, as read so
    // far. The times of checks and incidents only as read (Check::when, Incident::when): nothing
    // here prints one as written.
    std::optional<int64_t> from;
    if (a.with_checks && !a.date.empty()) from = checks_window_begin(parse_iso_span(a.date)->begin, a.days);
    const int days = a.days;
    Dataset ds = a.data.open(a.with_checks ? layers_except({}) : layers_except({"checks", "patrols"}),
                             /*check_tiling=*/false, /*allow_default=*/false, /*grid_level=*/0,
                             [from, days, with_checks = a.with_checks](OpenOptions& o) {
                                 o.time_text = false, o.checks_from = from;
                                 if (with_checks)
                                     o.checks_from_latest = [days](int64_t latest) {
                                         return checks_window_begin(latest, days);
                                     };
                             });
    const KeepToExit keep_data(ds);
    // The patrol columns measure roads seen against the same views coverage computed: computed once.
    std::vector<MultiPolygon> views;
    const bool coverage = !a.no_coverage && !ds.cameras.empty();
    StatsTable t = compute_stats(ds, a.level, coverage, a.with_checks && coverage ? &views : nullptr);
    if (a.with_checks) {
        ChecksOptions co;
        co.days = a.days;
        if (!a.date.empty()) co.date = parse_iso_span(a.date)->begin;
        add_checks(t, ds, co);
        add_patrol_columns({&t}, ds, coverage ? &views : nullptr);
    }
    const bool wc = t.with_checks, wp = t.with_patrols;
    const std::string unit = "level-" + std::to_string(t.level) + " cell";
    warn_in_no_cell(ds, "households", "household", t.households_outside, unit);
    warn_in_no_cell(ds, "cameras", "camera", t.cameras_outside, unit);
    warn_in_no_cell(ds, "incidents", "incident", t.incidents_outside, unit);
    warn_repeated_checks(ds, t.checks_repeated);
    if (a.json) {
        nlohmann::json j;
        j["level"] = t.level;
        j["total"] = row_json(t.total, wc, wp);
        if (wc)
            j["checks"] = {{"date", iso_date(t.checks_date)},
                           {"days", t.checks_days},
                           {"from", iso_date(t.checks_date - int64_t(t.checks_days - 1) * 86400)},
                           {"repeated_check_id", t.checks_repeated.size()}};
        if (wc) j["patrols"] = wp ? patrols_json(t) : nlohmann::json(nullptr);
        j["outside"] = {{"households", t.households_outside.size()},
                        {"cameras", t.cameras_outside.size()},
                        {"incidents", t.incidents_outside.size()}};
        print_json_items(
            std::move(j), "grids", t.rows.size(), [&](size_t i) { return row_json(t.rows[i], wc, wp); }, ds);
        return;
    }
    if (a.csv) {
        std::string out = "grid_id,name,area_m2,households,people,cameras,cameras_online,cameras_offline";
        for (auto o : kOwners) out += std::string(",cam_") + o;
        out += ",incidents";
        for (auto k : kIncidentTypes) out += std::string(",inc_") + k;
        for (auto c : kColors) out += std::string(",inc_") + c;
        out += ",covered_m2,coverage,households_covered";
        if (wc) out += ",days_since_check,checks,checks_newcomer,checks_returnee,checks_outside";
        // The patrol columns only with their figures (a dataset without a patrols layer has none).
        if (wp) out += ",road_m,patrolled_m,neither_m,night_share";
        out += "\n";
        auto line = [&](const GridStats& r) {
            char area[32];
            std::snprintf(area, sizeof area, "%.1f", r.area_m2);
            out += csv_field(r.grid_id) + "," + csv_field(r.name) + "," + area + "," + std::to_string(r.households) +
                   "," + std::to_string(r.people) + "," + std::to_string(r.cameras) + "," +
                   std::to_string(r.cameras_online) + "," + std::to_string(r.cameras_offline);
            for (int n : r.cameras_by_owner) out += "," + std::to_string(n);
            out += "," + std::to_string(r.incidents);
            for (int n : r.incidents_by_type) out += "," + std::to_string(n);
            for (int n : r.incidents_by_color) out += "," + std::to_string(n);
            if (r.has_coverage()) {
                char cov[64];
                std::snprintf(cov, sizeof cov, ",%.1f,%.4f,%d", r.covered_m2, r.coverage, r.households_covered);
                out += cov;
            } else {
                out += ",,,";
            }
            if (wc)
                out += "," + (r.check_days_since ? std::to_string(*r.check_days_since) : std::string()) + "," +
                       std::to_string(r.checks) + "," + std::to_string(r.checks_newcomer) + "," +
                       std::to_string(r.checks_returnee) + "," + std::to_string(r.checks_outside);
            if (wp) {
                char pat[96];
                std::snprintf(pat, sizeof pat, ",%.1f,%.1f,%.1f,%.4f", r.road_m, r.patrolled_m, r.neither_m, r.night_share);
                out += pat;
            }
            out += "\n";
        };
        for (const auto& r : t.rows) line(r);
        line(t.total);
        std::fwrite(out.data(), 1, out.size(), stdout);
        return;
    }
    std::printf("level %d: %zu cells\n", t.level, t.rows.size());
    if (wc)
        std::printf("checks on %s, window of %d day%s (chk_days: dates since the last check; chk: in the window; "
                    "new/ret: newcomer/returnee reports; out: from outside the cell)\n",
                    iso_date(t.checks_date).c_str(), t.checks_days, t.checks_days == 1 ? "" : "s");
    if (wp) {
        auto day = [](const std::optional<int64_t>& v, const char* open) { return v ? iso_date(*v) : std::string(open); };
        std::printf("patrols %s … %s, night %s-%s: %d track(s) (road_m: road metres; pat_m: patrolled; nei_m: "
                    "neither seen by a camera nor patrolled; night%%: of the patrolled metres)\n",
                    day(t.patrols_from, "the first track").c_str(),
                    t.patrols_until ? iso_date(*t.patrols_until - 1).c_str() : "the last track",
                    hhmm(t.night_from_min).c_str(), hhmm(t.night_to_min).c_str(), t.patrol_tracks);
    }
    std::printf("\n");
    std::printf("%-16s %-22s %8s %6s %6s %5s %5s %5s %5s %5s %5s %6s %6s  %s\n", "grid_id", "name", "area_ha", "hh",
                "people", "cams", "onl", "road", "ent", "hh", "pub", "cover%", "hh_cov",
                wc ? (wp ? "incidents (fire/traffic/dispute/theft/fraud/other; r/y/b/g)  chk_days chk new ret out"
                           "   road_m    pat_m    nei_m night%"
                         : "incidents (fire/traffic/dispute/theft/fraud/other; r/y/b/g)  chk_days chk new ret out")
                   : "incidents (fire/traffic/dispute/theft/fraud/other; r/y/b/g)");
    auto line = [wc, wp](const GridStats& r) {
        const std::string name = pad(r.name, 22);  // by display width, so the table lines up
        char cov[32] = "-", hhc[32] = "-";
        if (r.has_coverage()) {
            std::snprintf(cov, sizeof cov, "%.1f", 100 * r.coverage);
            std::snprintf(hhc, sizeof hhc, "%d", r.households_covered);
        }
        std::printf("%-16s %s %8.2f %6d %6d %5d %5d %5d %5d %5d %5d %6s %6s  %d (%d/%d/%d/%d/%d/%d; %d/%d/%d/%d)",
                    r.grid_id.c_str(), name.c_str(), r.area_m2 / 1e4, r.households, r.people, r.cameras,
                    r.cameras_online, r.cameras_by_owner[0], r.cameras_by_owner[1], r.cameras_by_owner[2],
                    r.cameras_by_owner[3], cov, hhc, r.incidents, r.incidents_by_type[0], r.incidents_by_type[1],
                    r.incidents_by_type[2], r.incidents_by_type[3], r.incidents_by_type[4], r.incidents_by_type[5],
                    r.incidents_by_color[0], r.incidents_by_color[1], r.incidents_by_color[2], r.incidents_by_color[3]);
        if (wc)
            std::printf("  %8s %3d %3d %3d %3d", r.check_days_since ? std::to_string(*r.check_days_since).c_str() : "never",
                        r.checks, r.checks_newcomer, r.checks_returnee, r.checks_outside);
        if (wp)
            std::printf(" %8.0f %8.0f %8.0f %6.1f", r.road_m, r.patrolled_m, r.neither_m, 100 * r.night_share);
        std::printf("\n");
    };
    for (const auto& r : t.rows) line(r);
    std::printf("\n");
    line(t.total);
    if (!t.households_outside.empty() || !t.cameras_outside.empty() || !t.incidents_outside.empty())
        std::printf("outside every level-%d cell: %zu households, %zu cameras, %zu incidents\n", t.level,
                    t.households_outside.size(), t.cameras_outside.size(), t.incidents_outside.size());
}

}  // namespace

void setup_stats(CLI::App& root) {
    auto a = std::make_shared<StatsArgs>();
    auto* cmd = root.add_subcommand("stats", "per-grid briefing table: households, people, cameras, incidents");
    add_dataset_args(cmd, a->data);
    add_level_option(cmd, a->level);
    auto* j = cmd->add_flag("--json", a->json, "print one JSON document on stdout");
    auto* c = cmd->add_flag("--csv", a->csv, "print CSV on stdout");
    j->excludes(c);
    cmd->add_flag("--no-coverage", a->no_coverage, "skip the camera coverage columns (faster)");
    auto* wc = cmd->add_flag("--with-checks", a->with_checks,
                  "add the daily work per cell: days since the last check, checks in the window, newcomer and "
                  "returnee reports, reports from outside the cell; road metres patrolled, neither seen by a "
                  "camera nor patrolled, and the night share, over the 7 days ending on the latest track's day "
                  "(SPEC §5.5)");
    cmd->add_option("--date", a->date, "with --with-checks: today, YYYY-MM-DD (default: the latest report's date)")
        ->check(calendar_date_check())
        ->needs(wc);
    cmd->add_option("--days", a->days, "with --with-checks: the window in calendar dates ending on --date (default 7)")
        ->check(CLI::Range(1, 3660))
        ->needs(wc);
    cmd->callback([a] { run_stats(*a); });
}

}  // namespace gw::app
