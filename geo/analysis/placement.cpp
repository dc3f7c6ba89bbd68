// [SECTION] Demand
// [SECTION] Candidate sites
// [SECTION] Greedy (CELF) and 1-swap
// [SECTION] Bounds: submodular and LP
// [SECTION] Exact: CBC
// [SECTION] plan_cameras: existing views, the coverage matrix, choosing, bounding
#include "geo/analysis/placement.h"

#include <CbcModel.hpp>
#include <ClpSimplex.hpp>
#include <CoinPackedMatrix.hpp>
#include <OsiClpSolverInterface.hpp>

#include <algorithm>
#include <limits>
#include <tuple>
#include <atomic>
#include <cmath>
#include <mutex>
#include <numeric>
#include <queue>
#include <thread>
#include <unordered_set>

#include "geo/analysis/coverage.h"
#include "geo/analysis/hotspots.h"
#include "geo/analysis/terrain.h"
#include "geo/analysis/validate.h"
#include "geo/core/box_index.h"
#include "geo/core/error.h"
#include "geo/core/parallel.h"

namespace gw {

namespace {
constexpr double kPi = 3.14159265358979323846;


/** Points every `step` metres along a line, at the middle of each step. */
void sample_line(const LineString& l, double step, std::vector<Vec2>& out) {
    const double total = length(l);
    const int n = std::max(1, static_cast<int>(std::round(total / step)));
    const double s = total / n;
    double next = s / 2, run = 0;
    for (size_t i = 0; i + 1 < l.size() && static_cast<int>(out.size()) >= 0; ++i) {
        const double len = distance(l[i], l[i + 1]);
        while (next <= run + len + 1e-9 && len > 0) {
            out.push_back(l[i] + (l[i + 1] - l[i]) * ((next - run) / len));
            next += s;
        }
        run += len;
    }
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Demand

TimeWindow incident_window(const Dataset& ds, const DemandWeights& w) {
    std::optional<int64_t> today;
    if (!w.today.empty()) {
        today = parse_incident_time(w.today);
        if (!today)
            throw Error("'" + w.today + "' is not an ISO-8601 date", {"", "", "", "today"}, "give it as 2024-03-05");
    }
    for (const auto& in : ds.incidents)
        if (w.today.empty() && in.when && (!today || *in.when > *today)) today = in.when;
    if (!today) return TimeWindow{int64_t{0}, int64_t{0}};  // no incident to count
    return months_ending(*today, w.incident_months);
}

std::vector<DemandPoint> build_demand(const Dataset& ds, const DemandWeights& w) {
    std::vector<DemandPoint> d;
    for (const auto& r : ds.roads) {
        const double wt = w.road * (r.road_class == "national" ? w.national_factor : 1.0);
        std::vector<Vec2> pts;
        for (const auto& l : r.shape) sample_line(l, w.road_step_m, pts);
        for (auto p : pts) d.push_back({p, wt, DemandPoint::Road, -1});
    }
    for (size_t i = 0; i < ds.households.size(); ++i)
        d.push_back({ds.households[i].pos, w.household, DemandPoint::Household, static_cast<int>(i)});
    // Incidents of the last `incident_months` months up to `today`; those without a readable
    // time are in no window (report.bad_times names them).
    for (const Incident* in : filter_incidents(ds, {{}, incident_window(ds, w)}))
        d.push_back({in->pos, w.incident, DemandPoint::Incident, -1});
    for (const auto& e : ds.enterprises)
        for (const auto& poly : e.shape) {
            if (poly.rings.empty()) continue;
            LineString ring = poly.rings[0];
            ring.push_back(ring.front());
            std::vector<Vec2> pts;
            sample_line(ring, w.enterprise_step_m, pts);
            for (auto p : pts) d.push_back({p, w.enterprise, DemandPoint::Enterprise, -1});
        }
    return d;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Candidate sites

std::vector<Vec2> candidate_sites(const Dataset& ds, bool use_layer) {
    std::vector<Vec2> raw;
    if (use_layer && !ds.candidates.empty()) {
        for (const auto& c : ds.candidates) raw.push_back(c.pos);
        return raw;
    }
    // Junctions: line ends and vertices shared by two or more roads.
    std::map<std::pair<long long, long long>, int> seen;
    auto key = [](Vec2 p) { return std::make_pair(std::llround(p.x * 10), std::llround(p.y * 10)); };
    for (const auto& r : ds.roads)
        for (const auto& l : r.shape)
            for (size_t i = 0; i < l.size(); ++i) seen[key(l[i])] += (i == 0 || i + 1 == l.size()) ? 1 : 2;
    for (const auto& r : ds.roads)
        for (const auto& l : r.shape) {
            for (auto p : l)
                if (seen[key(p)] >= 3) raw.push_back(p);
            sample_line(l, 20, raw);
        }
    for (const auto& b : ds.buildings)
        for (const auto& poly : b.shape)
            if (!poly.rings.empty())
                for (auto p : poly.rings[0]) raw.push_back(p);
    // One site per 2 m: duplicates add columns, not choices.
    std::unordered_set<long long> kept;
    std::vector<Vec2> out;
    for (auto p : raw) {
        const long long k = std::llround(p.x / 2) * 100000000LL + std::llround(p.y / 2);
        if (kept.insert(k).second) out.push_back(p);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Greedy (CELF) and 1-swap

double covered_weight(const CoverageMatrix& m, const std::vector<int>& cols) {
    std::vector<char> cov(m.row_weight.size(), 0);
    double w = 0;
    for (int c : cols)
        for (int r : m.rows(c))
            if (!cov[r]) cov[r] = 1, w += m.row_weight[r];
    return w;
}

namespace {

/**
 * The columns by standalone gain, highest first (ties: the lowest column, as greedy's heap breaks
 * them), sorted only as far as asked: greedy and the swaps read the top of millions of columns.
 */
class ColumnsByGain {
public:
    explicit ColumnsByGain(const std::vector<double>& gain) : gain_(gain), order_(gain.size()) {
        std::iota(order_.begin(), order_.end(), 0);
    }
    size_t size() const { return order_.size(); }
    int operator[](size_t i) {
        if (i >= sorted_) sort_to(i + 1);
        return order_[i];
    }

private:
    /** Sorts at least the first n, doubling what is sorted (each step one pass over the rest). */
    void sort_to(size_t n) {
        const size_t to = std::min(order_.size(), std::max({n, 2 * sorted_, size_t(1) << 12}));
        const auto before = [this](int a, int b) {
            return gain_[a] > gain_[b] || (gain_[a] == gain_[b] && a < b);
        };
        const auto first = order_.begin() + static_cast<std::ptrdiff_t>(sorted_);
        const auto mid = order_.begin() + static_cast<std::ptrdiff_t>(to);
        std::nth_element(first, mid, order_.end(), before);
        std::sort(first, mid, before);
        sorted_ = to;
    }
    const std::vector<double>& gain_;
    std::vector<int> order_;
    size_t sorted_ = 0;
};

}  // namespace

std::vector<int> greedy_max_cover(const CoverageMatrix& m, int k, bool swaps, double* online_bound) {
    const size_t C = m.columns();
    std::vector<int> chosen;
    if (online_bound) *online_bound = std::numeric_limits<double>::infinity();
    if (C == 0 || k <= 0) {
        if (online_bound) *online_bound = 0;
        return chosen;
    }
    std::vector<char> cov(m.row_weight.size(), 0);
    auto gain_of = [&](int c) {
        double g = 0;
        for (int r : m.rows(c))
            if (!cov[r]) g += m.row_weight[r];
        return g;
    };
    std::vector<double> standalone(C);
    parallel_for(C, [&](size_t c) { standalone[c] = gain_of(static_cast<int>(c)); });
    ColumnsByGain by_gain(standalone);
    // CELF: marginal gains only shrink, so a stale gain on top that is still on top after
    // re-evaluation is the true best. The columns not yet evaluated again are by_gain from `next`
    // on, their stale gains their standalone ones; those evaluated again wait in a heap, which
    // holds a few thousand where a heap of every column held millions.
    using Entry = std::tuple<double, int, int>;  // gain, -column (ties: lowest column), round
    std::vector<Entry> heap;
    size_t next = 0;
    const auto next_entry = [&] {
        const int c = by_gain[next];
        return Entry{standalone[c], -c, 0};
    };
    // The best entry of both, taken out: no two entries are of one column, so gain and column order them.
    const auto pop_best = [&] {
        if (!heap.empty() && (next >= C || heap.front() > next_entry())) {
            std::pop_heap(heap.begin(), heap.end());
            const Entry e = heap.back();
            heap.pop_back();
            return e;
        }
        const Entry e = next_entry();
        ++next;
        return e;
    };
    std::vector<char> in(C, 0);
    double f = 0;
    std::vector<double> gains;
    // The online bound at every greedy prefix S_i: f(S_i) + the k largest marginal gains over S_i
    // bounds the optimum (Leskovec et al. 2007); stale values only overstate those gains, so they
    // keep it valid, and the smallest bound over the prefixes is kept. The k largest are among the
    // heap's and the next k columns by standalone gain (none of them chosen).
    auto note_bound = [&] {
        if (!online_bound) return;
        gains.clear();
        for (const auto& e : heap)
            if (!in[-std::get<1>(e)]) gains.push_back(std::get<0>(e));
        for (size_t i = next; i < std::min(C, next + static_cast<size_t>(k)); ++i)
            gains.push_back(standalone[by_gain[i]]);
        const size_t top = std::min<size_t>(k, gains.size());
        std::partial_sort(gains.begin(), gains.begin() + static_cast<std::ptrdiff_t>(top), gains.end(),
                          std::greater<>());
        double b = f;
        for (size_t i = 0; i < top; ++i) b += gains[i];
        *online_bound = std::min(*online_bound, b);
    };
    note_bound();
    for (int round = 1; round <= k && (!heap.empty() || next < C);) {
        auto [g, negc, stamp] = pop_best();
        const int c = -negc;
        if (in[c]) continue;
        if (stamp == round) {
            if (g <= 0) break;
            chosen.push_back(c), in[c] = 1;
            for (int r : m.rows(c)) cov[r] = 1;
            f += g;
            ++round;
            note_bound();
        } else {
            heap.push_back({gain_of(c), negc, round});
            std::push_heap(heap.begin(), heap.end());
        }
    }
    if (online_bound && heap.empty() && next >= C) *online_bound = std::min(*online_bound, f);
    if (!swaps || chosen.empty()) return chosen;

    // 1-swap local search: replace a chosen column by another when that raises the total.
    std::vector<int> count(m.row_weight.size(), 0);
    for (int c : chosen)
        for (int r : m.rows(c)) count[r]++;
    for (int pass = 0; pass < 20; ++pass) {
        bool improved = false;
        for (size_t i = 0; i < chosen.size(); ++i) {
            const int out = chosen[i];
            double loss = 0;
            for (int r : m.rows(out))
                if (count[r] == 1) loss += m.row_weight[r];
            for (int r : m.rows(out)) count[r]--;
            double best = loss + 1e-9;
            int best_c = -1;
            for (size_t j = 0; j < C; ++j) {
                const int c = by_gain[j];
                if (standalone[c] <= best) break;  // no later column can beat it
                if (in[c]) continue;
                double g = 0;
                for (int r : m.rows(c))
                    if (count[r] == 0) g += m.row_weight[r];
                if (g > best) best = g, best_c = c;
            }
            if (best_c >= 0) {
                in[out] = 0, in[best_c] = 1;
                chosen[i] = best_c;
                improved = true;
            }
            for (int r : m.rows(chosen[i])) count[r]++;
        }
        if (!improved) break;
    }
    return chosen;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Bounds: submodular and LP

double submodular_bound(const CoverageMatrix& m, const std::vector<int>& cols, int k) {
    std::vector<char> cov(m.row_weight.size(), 0);
    double f = 0;
    for (int c : cols)
        for (int r : m.rows(c))
            if (!cov[r]) cov[r] = 1, f += m.row_weight[r];
    std::vector<double> gains(m.columns());
    parallel_for(m.columns(), [&](size_t c) {
        double g = 0;
        for (int r : m.rows(c))
            if (!cov[r]) g += m.row_weight[r];
        gains[c] = g;
    });
    const size_t top = std::min<size_t>(k, gains.size());
    std::partial_sort(gains.begin(), gains.begin() + top, gains.end(), std::greater<>());
    for (size_t i = 0; i < top; ++i) f += gains[i];
    return f;
}

namespace {

/** The max-cover programme: x_j (columns), y_i (rows): max Σ w y; y_i ≤ Σ_{j∋i} x_j; Σ x ≤ K. */
struct MaxCoverLp {
    CoinPackedMatrix A;
    std::vector<double> collb, colub, obj, rowlb, rowub;
    int ncols = 0;
    std::vector<int>
        row_id;  // per matrix row: its y's number (past the columns), −1 when no column covers it
};

MaxCoverLp build_lp(const CoverageMatrix& m, int k) {
    MaxCoverLp lp;
    const int C = static_cast<int>(m.columns()), R = static_cast<int>(m.row_weight.size());
    // Only rows some column covers matter, numbered in the order columns first cover them.
    std::vector<int>& row_id = lp.row_id;
    row_id.assign(static_cast<size_t>(R), -1);
    int nr = 0;
    for (size_t c = 0; c < m.columns(); ++c)
        for (int r : m.rows(c))
            if (row_id[r] < 0) row_id[r] = nr++;
    lp.ncols = C + nr;
    lp.A = CoinPackedMatrix(false, 0, 0);  // row-ordered
    lp.A.setDimensions(0, lp.ncols);
    std::vector<std::vector<int>> cols_of_row(nr);
    for (int c = 0; c < C; ++c)
        for (int r : m.rows(c)) cols_of_row[row_id[r]].push_back(c);
    for (int r = 0; r < nr; ++r) {
        std::vector<int> idx = cols_of_row[r];
        std::vector<double> val(idx.size(), -1.0);
        idx.push_back(C + r), val.push_back(1.0);
        lp.A.appendRow(static_cast<int>(idx.size()), idx.data(), val.data());
        lp.rowlb.push_back(-COIN_DBL_MAX), lp.rowub.push_back(0.0);
    }
    std::vector<int> all(C);
    std::iota(all.begin(), all.end(), 0);
    std::vector<double> ones(C, 1.0);
    lp.A.appendRow(C, all.data(), ones.data());
    lp.rowlb.push_back(-COIN_DBL_MAX), lp.rowub.push_back(k);
    lp.collb.assign(lp.ncols, 0.0), lp.colub.assign(lp.ncols, 1.0), lp.obj.assign(lp.ncols, 0.0);
    for (int r = 0; r < R; ++r)
        if (row_id[r] >= 0) lp.obj[C + row_id[r]] = -m.row_weight[r];  // minimise −Σ w y
    return lp;
}

}  // namespace

double lp_max_cover_bound(const CoverageMatrix& m, int k) {
    MaxCoverLp lp = build_lp(m, k);
    ClpSimplex clp;
    clp.setLogLevel(0);
    clp.loadProblem(lp.A, lp.collb.data(), lp.colub.data(), lp.obj.data(), lp.rowlb.data(), lp.rowub.data());
    clp.dual();
    if (!clp.isProvenOptimal()) throw Error("the LP relaxation did not solve (CLP status " + std::to_string(clp.status()) + ")");
    return -clp.objectiveValue();
}

void write_max_cover_lp(const CoverageMatrix& m, int k, const std::string& path) {
    MaxCoverLp lp = build_lp(m, k);
    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(lp.A, lp.collb.data(), lp.colub.data(), lp.obj.data(), lp.rowlb.data(), lp.rowub.data());
    for (size_t c = 0; c < m.columns(); ++c) solver.setInteger(static_cast<int>(c));
    solver.writeLp(path.c_str(), "lp");
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Exact: CBC

std::vector<int> exact_max_cover(const CoverageMatrix& m, int k, double seconds, bool* proven) {
    MaxCoverLp lp = build_lp(m, k);
    OsiClpSolverInterface solver;
    solver.messageHandler()->setLogLevel(0);
    solver.loadProblem(lp.A, lp.collb.data(), lp.colub.data(), lp.obj.data(), lp.rowlb.data(), lp.rowub.data());
    const int C = static_cast<int>(m.columns());
    for (int c = 0; c < C; ++c) solver.setInteger(c);
    CbcModel model(solver);
    model.setLogLevel(0);
    model.messageHandler()->setLogLevel(0);
    model.setMaximumSeconds(seconds);
    // Start from greedy's answer: CBC then only has to prove or improve it.
    std::vector<int> start = greedy_max_cover(m, k, true);
    std::vector<double> sol(lp.ncols, 0.0);
    for (int c : start) sol[c] = 1.0;
    {
        std::vector<char> cov(m.row_weight.size(), 0);
        for (int c : start)
            for (int r : m.rows(c)) cov[r] = 1;
        // y values follow from x.
        for (size_t r = 0; r < m.row_weight.size(); ++r)
            if (lp.row_id[r] >= 0 && cov[r]) sol[C + lp.row_id[r]] = 1.0;
        double objv = 0;
        for (int i = 0; i < lp.ncols; ++i) objv += sol[i] * lp.obj[i];
        model.setBestSolution(sol.data(), lp.ncols, objv, true);
    }
    model.branchAndBound();
    if (!model.bestSolution()) throw Error("CBC found no solution");
    const double* x = model.bestSolution();
    std::vector<int> out;
    for (int c = 0; c < C; ++c)
        if (x[c] > 0.5) out.push_back(c);
    if (proven) *proven = model.isProvenOptimal();
    return out;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] plan_cameras: existing views, the coverage matrix, choosing, bounding

namespace {

void report(const PlanOptions& o, double f, const std::string& stage) {
    if (o.progress) o.progress(f, stage);
}

/** Where each demand point can be seen from, and whether an existing camera sees it already. */
struct DemandProbes {
    std::vector<std::vector<Vec2>> probes;  // per demand point
    std::vector<char> seen_before;          // per demand point
};

/** What the existing cameras already see, and the probe points the new columns are tested at. */
DemandProbes probe_existing_views(const Dataset& ds, const std::vector<DemandPoint>& demand,
                                  const PlanOptions& o, std::vector<Issue>& unrated) {
    auto cams = ds.usable_cameras(o.include_offline);
    // SPEC §5.1: under a quality only the part of each view at or above it counts, for the cameras
    // there as for the new ones (the whole view counted: demand taken as seen that is not). One
    // with no resolution_px is left out and named, as coverage does.
    leave_out_unrated(cams, o.quality, unrated);
    const std::optional<Terrain> terrain = terrain_of(ds);
    std::vector<MultiPolygon> views =
        compute_views(ds, cams, ViewOptions{o.occlusion, o.quality, terrain ? &*terrain : nullptr});
    std::vector<Box> vboxes;
    for (const auto& v : views) vboxes.push_back(bounds(v));
    BoxIndex vindex(vboxes, 100);
    std::vector<Box> bboxes;
    for (const auto& b : ds.buildings) bboxes.push_back(bounds(b.shape));
    BoxIndex bindex(bboxes, 50);
    // Households inside their house are seen when a view touches the house: probe just outside
    // each corner of the house for the new columns.
    DemandProbes out;
    auto& probes = out.probes;
    auto& seen_before = out.seen_before;
    probes.resize(demand.size());
    seen_before.assign(demand.size(), 0);
    parallel_for(demand.size(), [&](size_t i) {
        const DemandPoint& d = demand[i];
        const MultiPolygon* house = nullptr;
        if (d.kind == DemandPoint::Household)
            for (int b : bindex.query(BoxIndex::around(d.pos, 0)))
                if (inside(ds.buildings[b].shape, d.pos)) house = &ds.buildings[b].shape;
        if (house) {
            const Vec2 c = centroid(*house);
            for (auto p : (*house)[0].rings[0]) {
                const Vec2 dir = p - c;
                const double len = length(dir);
                probes[i].push_back(len > 0 ? p + dir * (0.3 / len) : p);
            }
        } else {
            probes[i].push_back(d.pos);
        }
        const Box q = d.kind == DemandPoint::Household ? household_box(ds.households[d.household], house)
                                                       : BoxIndex::around(d.pos, 0);
        for (int v : vindex.query(q)) {
            if (d.kind == DemandPoint::Household && house) {
                if (household_seen(ds.households[d.household], house, views[v])) seen_before[i] = 1;
            } else if (inside(views[v], d.pos)) {
                seen_before[i] = 1;
            }
            if (seen_before[i]) break;
        }
    });
    return out;
}

/**
 * The coverage matrix over the demand nobody sees yet: one column per candidate site and
 * azimuth that sees any of it. Fills the plan's sites, columns and nonzeros.
 */
CoverageMatrix candidate_matrix(const Dataset& ds, const std::vector<DemandPoint>& demand, const DemandProbes& dp,
                                const PlanOptions& o, PlacementPlan& plan) {
    const auto& probes = dp.probes;
    CoverageMatrix m;
    std::vector<int> open_rows;  // matrix row -> demand index
    for (size_t i = 0; i < demand.size(); ++i)
        if (!dp.seen_before[i]) open_rows.push_back(static_cast<int>(i)), m.row_weight.push_back(demand[i].weight);
    std::vector<Box> dboxes;
    for (int i : open_rows) {
        Box b;
        for (auto p : probes[i]) b.add(p);
        dboxes.push_back(b);
    }
    BoxIndex dindex(dboxes, 50);
    std::vector<Vec2> sites = candidate_sites(ds, !o.auto_candidates);
    plan.auto_sites = o.auto_candidates || ds.candidates.empty();
    if (sites.empty()) throw Error("has no candidate sites", {ds.source, "candidates"}, "add a candidates layer or roads");
    plan.sites = sites.size();
    Camera proto;
    proto.fov = o.fov, proto.range = o.range, proto.resolution_px = o.resolution_px;
    const double radius = std::min(o.range, quality_distance(proto, o.quality));
    std::unique_ptr<Occluders> occ;
    if (o.occlusion && !ds.buildings.empty()) occ = std::make_unique<Occluders>(ds.buildings);
    const std::optional<Terrain> terrain = o.occlusion ? terrain_of(ds) : std::nullopt;
    const int naz = std::max(1, static_cast<int>(std::round(360.0 / o.azimuth_step)));
    if (naz > 1 << 16) throw Error("an azimuth step under 0.006° is finer than a plan can hold", {ds.source});
    // Per site, where each azimuth's rows end (naz of them), then its columns' rows end to end: the
    // ends in the same vector as the rows they index (one vector a site, not two).
    m.site_rows.resize(sites.size());
    std::atomic<size_t> done{0};
    parallel_for(sites.size(), [&](size_t s) {
        const Vec2 site = sites[s];
        std::vector<int> near = dindex.query(BoxIndex::around(site, radius));
        if (near.empty()) return;
        Polygon vis;
        if (occ) vis = occ->visibility(site, 0, 360, radius);
        // Terrain too (SPEC §5.4: occlusion applies): a new camera's lens at the default height.
        MultiPolygon hidden;
        if (terrain) hidden = terrain->hidden(site, kDefaultCameraHeight, radius);
        // The view, asked of every probe near the site: one ring (Occluders::visibility) through
        // its edges by height; a view of more rings, were there one, as it is.
        const Ring no_ring;
        const RingSlabs seen(vis.rings.empty() ? no_ring : vis.rings[0]);
        const auto in_view = [&](Vec2 p) { return vis.rings.size() == 1 ? seen.inside(p) : inside(vis, p); };
        std::vector<std::pair<int, double>> visible;  // matrix row, bearing (deg)
        for (int r : near)
            for (auto p : probes[open_rows[r]]) {
                const Vec2 d = p - site;
                if (length(d) > radius) continue;
                if (occ && !in_view(p)) continue;
                if (!hidden.empty() && inside(hidden, p)) continue;
                visible.push_back({r, std::atan2(d.x, d.y) * 180 / kPi});
            }
        if (visible.empty()) return;
        // Made in a buffer each thread keeps, then copied at their size: grown in place, a site's
        // rows left up to half their vector unused, and each step of growth took fresh memory.
        thread_local std::vector<int> rows;
        rows.assign(static_cast<size_t>(naz), 0);
        for (int a = 0; a < naz; ++a) {
            const double az = a * o.azimuth_step;
            const size_t first = rows.size();
            for (auto [r, b] : visible) {
                // b − az (b in [−180, 180], az in [0, 360)) into [−180, 180]: the turn added is
                // exact (Sterbenz), so |d| is std::remainder's of the same difference, at a tenth
                // of its cost.
                double d = b - az;
                if (d < -180) d += 360;
                if (o.fov >= 360 || std::abs(d) <= o.fov / 2) rows.push_back(r);
            }
            std::sort(rows.begin() + static_cast<std::ptrdiff_t>(first), rows.end());
            rows.erase(std::unique(rows.begin() + static_cast<std::ptrdiff_t>(first), rows.end()), rows.end());
            rows[static_cast<size_t>(a)] = static_cast<int>(rows.size());
        }
        m.site_rows[s].assign(rows.begin(), rows.end());
        const size_t d = ++done;
        if (d % 512 == 0) report(o, 0.2 + 0.5 * d / sites.size(), "candidate views");
    });
    // A site's column a: its rows from the end of a − 1's (a = 0: from the ends) to its end.
    const auto each_column = [&](auto&& fn) {
        for (size_t s = 0; s < sites.size(); ++s) {
            const std::vector<int>& r = m.site_rows[s];
            if (r.empty()) continue;
            for (size_t a = 0, first = static_cast<size_t>(naz); a < static_cast<size_t>(naz); first = r[a++])
                if (static_cast<size_t>(r[a]) > first) fn(s, a, first, static_cast<size_t>(r[a]));
        }
    };
    size_t nonzeros = 0, columns = 0;
    each_column([&](size_t, size_t, size_t, size_t) { ++columns; });
    m.reserve_columns(columns);  // grown by doubling, each step fresh pages to fault in and a copy
    for (int a = 0; a < naz; ++a) m.azimuths.push_back(a * o.azimuth_step);
    each_column([&](size_t s, size_t a, size_t first, size_t end) {
        m.col_site.push_back(static_cast<int>(s));
        m.col_turn.push_back(static_cast<uint16_t>(a));
        m.col_first.push_back(static_cast<uint32_t>(first));
        m.col_end.push_back(static_cast<uint32_t>(end));
    });
    for (const auto& r : m.site_rows) nonzeros += r.empty() ? 0 : r.size() - static_cast<size_t>(naz);
    plan.nonzeros = nonzeros;
    m.site_pos = sites;
    plan.columns = m.columns();
    return m;
}

/** The chosen columns, by CBC or by greedy with swaps; `online` gets greedy's online bound. */
std::vector<int> choose_columns(const Dataset& ds, const CoverageMatrix& m, const PlanOptions& o, PlacementPlan& plan,
                                double& online) {
    if (o.exact) {
        if (plan.nonzeros > o.exact_max_nonzeros)
            throw Error("the instance is too large for --exact (" + std::to_string(plan.columns) + " columns, " +
                            std::to_string(plan.nonzeros) + " non-zeros)",
                        {ds.source}, "drop --exact, or give a smaller candidates layer or area");
        plan.method = "cbc";
        return exact_max_cover(m, o.k, o.exact_seconds, &plan.proven_optimal);
    }
    plan.method = "greedy+swap";
    return greedy_max_cover(m, o.k, true, &online);
}

/** The picks ordered by marginal gain (what each adds given the ones before it), and the curve. */
void order_picks(const CoverageMatrix& m, const std::vector<int>& chosen, PlacementPlan& plan) {
    std::vector<char> cov(m.row_weight.size(), 0);
    std::vector<int> rest = chosen;
    double acc = plan.covered_before;
    plan.curve.push_back(acc);
    while (!rest.empty()) {
        size_t best = 0;
        double bg = -1;
        for (size_t i = 0; i < rest.size(); ++i) {
            double g = 0;
            for (int r : m.rows(rest[i]))
                if (!cov[r]) g += m.row_weight[r];
            if (g > bg) bg = g, best = i;
        }
        const int c = rest[best];
        for (int r : m.rows(c)) cov[r] = 1;
        acc += bg;
        plan.picks.push_back({m.site_pos[m.col_site[c]], m.azimuth(static_cast<size_t>(c)), bg});
        plan.curve.push_back(acc);
        rest.erase(rest.begin() + best);
    }
    plan.covered_after = acc;
}

/** How far from the best possible the plan can be: greedy's bounds, the LP, or CBC's proof. */
void bound_plan(const CoverageMatrix& m, const std::vector<int>& chosen, double online, const PlanOptions& o,
                PlacementPlan& plan) {
    const double greedy_part = covered_weight(m, chosen);
    plan.greedy_bound = plan.covered_before + std::min(online, submodular_bound(m, chosen, o.k));
    double bound = plan.greedy_bound;
    if (plan.proven_optimal) bound = plan.covered_after;
    else if (plan.nonzeros <= o.lp_max_nonzeros && plan.columns > 0) {
        plan.lp_bound = plan.covered_before + lp_max_cover_bound(m, o.k);
        bound = std::min(bound, plan.lp_bound);
    }
    plan.upper_bound = std::max(bound, plan.covered_before + greedy_part);
    // A plan that reaches its upper bound is the best there is, whoever found it.
    if (plan.covered_after >= plan.upper_bound - 1e-9 * std::max(1.0, plan.upper_bound))
        plan.proven_optimal = true;
}

}  // namespace

PlacementPlan plan_cameras(const Dataset& ds, const PlanOptions& o) {
    PlacementPlan plan;
    report(o, 0.0, "demand");
    std::vector<DemandPoint> demand = build_demand(ds, o.weights);
    if (demand.empty())
        throw Error("has no demand to cover (no roads, households, recent incidents or enterprises)", {ds.source},
                    "add those layers");
    plan.demand_points = demand.size();
    for (const auto& d : demand) plan.total_demand += d.weight;

    report(o, 0.05, "existing views");
    const DemandProbes probes = probe_existing_views(ds, demand, o, plan.unrated_cameras);
    for (size_t i = 0; i < demand.size(); ++i)
        if (probes.seen_before[i]) plan.covered_before += demand[i].weight;

    report(o, 0.2, "candidate views");
    const CoverageMatrix m = candidate_matrix(ds, demand, probes, o, plan);

    if (!o.write_lp.empty()) write_max_cover_lp(m, o.k, o.write_lp);
    report(o, 0.75, "choosing");
    double online = std::numeric_limits<double>::infinity();
    const std::vector<int> chosen = choose_columns(ds, m, o, plan, online);
    order_picks(m, chosen, plan);

    report(o, 0.9, "bounds");
    bound_plan(m, chosen, online, o, plan);
    report(o, 1, "done");
    return plan;
}

}  // namespace gw
