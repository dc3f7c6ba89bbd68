#pragma once
/**
 * Camera placement (SPEC §5.4): choose K new cameras — each a candidate site with an azimuth in
 * 15° steps — maximising the weight of demand that no existing camera sees. Lazy greedy (CELF)
 * with 1-swap local search, an upper bound on the optimum (the tighter of the LP relaxation and
 * greedy's submodular bound), and the integer programme solved exactly with CBC on request.
 */
#include <algorithm>
#include <cstdint>
#include <span>
#include <stdexcept>
#include <string>
#include <vector>

#include "geo/analysis/camera_view.h"
#include "geo/core/model.h"
#include "geo/core/times.h"

namespace gw {

struct DemandWeights {
    double road = 1, national_factor = 3, household = 5, incident = 2, enterprise = 1;
    double road_step_m = 10, enterprise_step_m = 20;
    int incident_months = 12;
    std::string today;  // "YYYY-MM-DD" the 12 months count back from; "" = the newest incident's date
};

/**
 * The time window incident demand is counted in: the `incident_months` months ending with the day
 * of `today` (the newest readable incident time when empty); a window holding nothing when no
 * incident has a readable time. Throws gw::Error when `today` is not an ISO-8601 date.
 */
TimeWindow incident_window(const Dataset& ds, const DemandWeights& w);

struct DemandPoint {
    enum Kind { Road, Household, Incident, Enterprise };
    Vec2 pos;
    double weight = 1;
    Kind kind = Road;
    int household = -1;  // index into ds.households for household demand
};

/** The demand of SPEC §5.4: road samples, households, recent incidents, enterprise boundaries. */
std::vector<DemandPoint> build_demand(const Dataset& ds, const DemandWeights& w);

/** Candidate sites: the `candidates` layer, or auto (road junctions, road points every 20 m, building corners). */
std::vector<Vec2> candidate_sites(const Dataset& ds, bool use_layer);

struct PlanOptions {
    int k = 10;
    double fov = 90, range = 60;
    int resolution_px = 1920;  // of the new cameras, for --quality
    Quality quality = Quality::Any;
    double azimuth_step = 15;
    bool occlusion = true;
    bool include_offline = false;
    bool auto_candidates = false;  // ignore a candidates layer
    bool exact = false;            // solve the integer programme with CBC
    double exact_seconds = 60;
    size_t exact_max_nonzeros = 2'000'000;
    size_t lp_max_nonzeros = 300'000;   // CLP's dual simplex needs ~40 s at 900k non-zeros
    DemandWeights weights;
    std::string write_lp;  // also write the integer programme here (CPLEX LP format), for peers
    Progress progress;
};

struct Pick {
    Vec2 pos;
    double azimuth = 0, gain = 0;
};

struct PlacementPlan {
    std::vector<Pick> picks;
    double total_demand = 0, covered_before = 0, covered_after = 0, upper_bound = 0;
    double greedy_bound = 0, lp_bound = -1;  // lp_bound < 0 when the LP was not solved
    std::vector<double> curve;                // covered weight after 0..K picks (greedy order)
    std::string method;                       // "greedy+swap" or "cbc"
    std::vector<Issue> unrated_cameras;  // under a quality: existing cameras with no resolution_px, left out
    bool proven_optimal = false;              // CBC's proof, or the plan reaches its upper bound
    bool auto_sites = false;                  // sites made from roads and buildings, not the candidates layer
    size_t sites = 0, columns = 0, demand_points = 0, nonzeros = 0;
};

/** Plans K cameras. Throws gw::Error when there are no candidate sites or demand. */
PlacementPlan plan_cameras(const Dataset& ds, const PlanOptions& o);

/**
 * The coverage matrix: for each column (site × azimuth), the demand indices it sees, ascending.
 * A site's columns' rows lie end to end in one vector of the site's, made at its size (a county's
 * 5 million columns as one vector each took 1 GB; a prefecture's 223 million rows copied into one
 * vector were 0.9 GB more to fault in).
 */
struct CoverageMatrix {
    std::vector<Vec2> site_pos;
    std::vector<double> row_weight;
    // Per site, its columns' rows end to end (in a plan's matrix after where each azimuth's end).
    std::vector<std::vector<int>> site_rows;
    // Per column: its site, its azimuth (an index into `azimuths`), and where its rows lie in its
    // site's, site_rows[col_site[c]][col_first[c] .. col_end[c]): 14 bytes a column (20 with the
    // azimuth a double), and a prefecture has 53 million.
    std::vector<int> col_site;
    std::vector<uint16_t> col_turn;
    std::vector<uint32_t> col_first, col_end;
    std::vector<double> azimuths;  // the distinct azimuths of the columns (24 in a plan)

    size_t columns() const { return col_first.size(); }
    double azimuth(size_t c) const { return azimuths[col_turn[c]]; }
    std::span<const int> rows(size_t c) const {
        const int* r = site_rows[static_cast<size_t>(col_site[c])].data();
        return {r + col_first[c], r + col_end[c]};
    }
    void reserve_columns(size_t n) {
        col_site.reserve(n), col_turn.reserve(n), col_first.reserve(n), col_end.reserve(n);
    }
    /** Appends a column of `site` at `azimuth` whose rows are its site's [first, end), ascending. */
    void add_column_at(int site, double azimuth, uint32_t first, uint32_t end) {
        const auto t = std::find(azimuths.begin(), azimuths.end(), azimuth);
        if (t == azimuths.end()) {
            if (azimuths.size() > UINT16_MAX)
                throw std::length_error("more than 65,536 azimuths in a coverage matrix");
            azimuths.push_back(azimuth);
        }
        col_site.push_back(site), col_turn.push_back(static_cast<uint16_t>(t - azimuths.begin()));
        col_first.push_back(first), col_end.push_back(end);
    }
    /** Appends a column of `site` at `azimuth` that sees `rows` (ascending), copied to the site's. */
    void add_column(int site, double azimuth, std::span<const int> rows) {
        if (site_rows.size() <= static_cast<size_t>(site)) site_rows.resize(static_cast<size_t>(site) + 1);
        std::vector<int>& to = site_rows[static_cast<size_t>(site)];
        const auto first = static_cast<uint32_t>(to.size());
        to.insert(to.end(), rows.begin(), rows.end());
        add_column_at(site, azimuth, first, static_cast<uint32_t>(to.size()));
    }
};

/**
 * Greedy (CELF) + 1-swap on a matrix, returning chosen columns. With `online_bound`, also the
 * smallest online bound f(S_i) + Σ top-k marginal gains over the greedy prefixes S_i (≥ optimum).
 */
std::vector<int> greedy_max_cover(const CoverageMatrix& m, int k, bool swaps = true, double* online_bound = nullptr);
/** The exact optimum with CBC (columns chosen); throws gw::Error when CBC fails or runs out of time. */
std::vector<int> exact_max_cover(const CoverageMatrix& m, int k, double seconds, bool* proven = nullptr);
/** Writes the max-cover integer programme of a matrix as a CPLEX LP file (`path` without ".lp"). */
void write_max_cover_lp(const CoverageMatrix& m, int k, const std::string& path);
/** The LP relaxation's optimal value (an upper bound on the integer optimum). */
double lp_max_cover_bound(const CoverageMatrix& m, int k);
/** Weight covered by a set of columns. */
double covered_weight(const CoverageMatrix& m, const std::vector<int>& cols);
/** Greedy's online bound: f(S) + the K largest marginal gains over S (Leskovec et al. 2007). */
double submodular_bound(const CoverageMatrix& m, const std::vector<int>& cols, int k);

}  // namespace gw
