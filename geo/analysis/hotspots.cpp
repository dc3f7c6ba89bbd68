// [SECTION] Filters
// [SECTION] KDE
// [SECTION] Neighbours
// [SECTION] Gi*
// [SECTION] Hexagon mesh
// [SECTION] Gi* analysis   units, values and result, for the command line and the viewer
// [SECTION] DBSCAN
// [SECTION] Four-colour warning
#include "geo/analysis/hotspots.h"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <nlohmann/json.hpp>
#include <numeric>
#include <optional>
#include <span>
#include <type_traits>
#include <unordered_map>

#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"

namespace fs = std::filesystem;

namespace gw {

namespace {
constexpr double kPi = 3.14159265358979323846;
}  // namespace

// ---------------------------------------------------------------------------------------------
// [SECTION] Filters

std::vector<const Incident*> filter_incidents(const Dataset& ds, const IncidentFilter& f) {
    std::vector<const Incident*> out;
    for (const auto& in : ds.incidents) {
        if (!f.types.empty() && std::find(f.types.begin(), f.types.end(), in.type) == f.types.end()) continue;
        if (!f.window.contains(in.when)) continue;
        out.push_back(&in);
    }
    return out;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] KDE

namespace {

/**
 * The interquartile range of `v` (reordered), its quartiles interpolated between order statistics
 * as numpy's and R's default: two selections, the second only among the values above the first
 * quartile's rank, which the first leaves after it.
 */
double interquartile_range(std::vector<double>& v) {
    const size_t n = v.size();
    const auto at = [&](size_t k) { return v.begin() + static_cast<std::ptrdiff_t>(k); };
    const auto quantile = [&](double q, size_t from) {
        const double h = (static_cast<double>(n) - 1) * q;
        const auto lo = static_cast<size_t>(h);
        if (lo >= from) std::nth_element(at(from), at(lo), v.end());
        const double a = v[lo];
        if (lo + 1 >= n) return std::pair{a, lo};
        const double b = *std::min_element(at(lo + 1), v.end());
        return std::pair{a + (h - static_cast<double>(lo)) * (b - a), lo};
    };
    const auto [q1, lo1] = quantile(0.25, 0);
    return quantile(0.75, lo1 + 1).first - q1;
}

}  // namespace

double silverman_bandwidth(const std::vector<Vec2>& pts) {
    const size_t n = pts.size();
    if (n < 2) return 0;
    // About the first point, not the origin of the CRS: incidents all on one spot (geocoded to the
    // village office) have a spread of exactly 0, and take the fallback. About the origin, the mean
    // of 2,719,462.51 five times rounded to a spread of 1e-11 m, a "bandwidth" of 9e-11 m refused.
    const Vec2 o = pts[0];
    double mx = 0, my = 0;
    for (auto p : pts) mx += p.x - o.x, my += p.y - o.y;
    mx /= n, my /= n;
    double vx = 0, vy = 0;
    for (auto p : pts) {
        const double dx = p.x - o.x - mx, dy = p.y - o.y - my;
        vx += dx * dx, vy += dy * dy;
    }
    vx /= (n - 1), vy /= (n - 1);
    // Each axis's spread the lesser of its standard deviation and its interquartile range / 1.349
    // (Silverman 1986, eq. 3.31): a few incidents geocoded 50 km away (the county seat's
    // address) multiplied the deviation, and the default bandwidth, several times over; the
    // quartiles hardly move. An axis whose quartiles meet (most incidents on one line) keeps its deviation.
    const auto spread = [&](double var, double Vec2::*axis) {
        const double sd = std::sqrt(var);
        std::vector<double> along(n);
        for (size_t k = 0; k < n; ++k) along[k] = pts[k].*axis;
        const double robust = interquartile_range(along) / 1.349;
        return robust > 0 ? std::min(sd, robust) : sd;
    };
    double ax = 0, ay = 0;  // the two axes on two cores
    run_beside([&] { ax = spread(vx, &Vec2::x); }, [&] { ay = spread(vy, &Vec2::y); });
    const double sigma = std::sqrt((ax * ax + ay * ay) / 2);
    return 2.623 * sigma * std::pow(static_cast<double>(n), -1.0 / 6.0);
}

namespace {
/**
 * Adds a point's quartic kernel, unscaled, to the cells of one row: (h² - d²)² where d² < h², d²
 * the cell's dx² and the row's dy². `room` is h² - dy². No branch a cell, so that the cells go side
 * by side (the flags of this file in CMakeLists.txt).
 */
void add_kernel_row(double* __restrict line, const double* __restrict dx2, int n, double room) {
    for (int j = 0; j < n; ++j) {
        const double u = std::max(room - dx2[j], 0.0);
        line[j] += u * u;
    }
}

/**
 * One row of the density as running sums of polynomials, for kernels many cells wide: each point
 * costs the row a few additions however wide its kernel, and the row's cells are swept once.
 *
 * Along the row a point's (room − dx²)² is a polynomial of degree four in x over the columns
 * where dx² < room. The row is cut into blocks 2h to 4h wide (a power of two columns, found by a
 * shift); in a block, with σ = (x − x_b)/h the
 * distance from the block's first centre in bandwidths and α the point's, the kernel over h⁴ is
 * (e + 2ασ − σ²)² with e = room/h² − α²:
 *     e² + 4αe·σ + (4α² − 2e)·σ² − 4α·σ³ + σ⁴.
 * A point adds its coefficients where its columns begin in the block and takes them away after
 * they end; the sweep keeps their running sums and evaluates them at each cell. Short blocks keep
 * σ in [0, 4) and α in (−1, 5), no term over ~1300, so the sums lose ~10 bits to cancellation,
 * where x measured from the raster's edge would cost 13 (h = 6 km) to 40 (h = 50 m) over a county. A cell
 * that no kernel reaches is 0 exactly (the points counted beside the sums).
 */
class KernelRows {
public:
    KernelRows(int width, double x0, double cell, double h)
        : width_(width),
          shift_(block_shift(2 * h / cell)),
          block_(1 << shift_),
          x0_(x0),
          cell_(cell),
          inv_cell_(1 / cell),
          inv_h_(1 / h),
          h4_(h * h * h * h),
          sums_(static_cast<size_t>(width) + 1),
          points_(static_cast<size_t>(width) + 1, 0) {}

    /** The kernel of a point at x `px` on this row, `room` = h² − dy² > 0. */
    void add(double px, double room) {
        // The columns where dx² < room, as the cell by cell sum takes them (its test, settled at
        // each end after the square root's guess).
        const auto reaches = [&](int col) {
            const double dx = x0_ + (col + 0.5) * cell_ - px;
            return dx * dx < room;
        };
        const double w = std::sqrt(room);
        int a = std::clamp(static_cast<int>(std::ceil((px - w - x0_) * inv_cell_ - 0.5)), 0, width_ - 1);
        int b = std::clamp(static_cast<int>(std::floor((px + w - x0_) * inv_cell_ - 0.5)), 0, width_ - 1);
        while (a > 0 && reaches(a - 1)) --a;
        while (a <= b && !reaches(a)) ++a;
        while (b + 1 < width_ && reaches(b + 1)) ++b;
        while (b >= a && !reaches(b)) --b;
        if (a > b) return;
        const double rho = room * inv_h_ * inv_h_;
        for (int blk = a >> shift_; blk <= b >> shift_; ++blk) {
            const int first = blk << shift_, last = std::min(width_, first + block_) - 1;
            const int from = std::max(a, first), to = std::min(b, last);
            const double alpha = (px - (x0_ + (first + 0.5) * cell_)) * inv_h_;
            const double e = rho - alpha * alpha;
            const std::array<double, 4> c = {e * e, 4 * alpha * e, 4 * alpha * alpha - 2 * e, -4 * alpha};
            for (int k = 0; k < 4; ++k) sums_[from][k] += c[k];
            ++points_[from];
            if (to < last) {
                for (int k = 0; k < 4; ++k) sums_[to + 1][k] -= c[k];
                --points_[to + 1];
            }
        }
    }

    /** Adds the row's kernels, (room − dx²)² each, into `line` and clears them for the next row. */
    void sweep(double* line) {
        const double step = cell_ * inv_h_;
        for (int first = 0; first < width_; first += block_) {
            const int last = std::min(width_, first + block_);
            std::array<double, 4> run = {0, 0, 0, 0};
            int n = 0;
            for (int col = first; col < last; ++col) {
                for (int k = 0; k < 4; ++k) run[k] += sums_[col][k];
                n += points_[col];
                sums_[col] = {0, 0, 0, 0};
                points_[col] = 0;
                if (n == 0) {
                    run = {0, 0, 0, 0};  // what the points left behind is rounding
                    continue;
                }
                const double s = (col - first) * step;
                const double v = run[0] + s * (run[1] + s * (run[2] + s * (run[3] + s * n)));
                line[col] += std::max(v, 0.0) * h4_;
            }
        }
    }

private:
    /** Blocks of a power of two columns, at least `columns` (2h a block: σ < 4, α in (−1, 5)). */
    static int block_shift(double columns) {
        int shift = 0;
        while (shift < 30 && (1 << shift) < columns) ++shift;
        return shift;
    }
    int width_, shift_, block_;
    double x0_, cell_, inv_cell_, inv_h_, h4_;
    std::vector<std::array<double, 4>> sums_;  // per column: coefficients starting minus ending there
    std::vector<int> points_;                  // per column: points starting minus ending there
};
}  // namespace

KdeRaster kernel_density(const std::vector<Vec2>& pts, const KdeOptions& o, const KdeRows* to) {
    KdeRaster r;
    r.cell = o.cell_m;
    r.bandwidth = o.bandwidth_m > 0 ? o.bandwidth_m : silverman_bandwidth(pts);
    const double h = r.bandwidth;
    // Silverman's rule with no spread to go on: three incidents on one spot took 100 m without a
    // word, five a bandwidth of 9e-11 m from the mean's rounding, refused as if the user gave it.
    if (o.bandwidth_m <= 0 && h == 0)
        throw Error(
            pts.size() < 2
                ? "has " + std::to_string(pts.size()) +
                      " incident to sum: Silverman's rule needs a spread of incidents for its bandwidth"
                : "has its " + std::to_string(pts.size()) +
                      " incidents all on one spot: Silverman's rule has no spread to take a bandwidth from",
            {o.source, "incidents"}, "give a --bandwidth in metres");
    Box b;
    for (auto p : pts) b.add(p);
    if (b.empty()) b.add(Vec2{0, 0});
    // The grid: the extent grown by h, snapped to whole cells.
    const double xmin = std::floor((b.xmin - h) / r.cell) * r.cell, ymin = std::floor((b.ymin - h) / r.cell) * r.cell;
    const double xmax = std::ceil((b.xmax + h) / r.cell) * r.cell, ymax = std::ceil((b.ymax + h) / r.cell) * r.cell;
    r.width = std::max(1, static_cast<int>(std::lround((xmax - xmin) / r.cell)));
    r.height = std::max(1, static_cast<int>(std::lround((ymax - ymin) / r.cell)));
    if (static_cast<double>(r.width) * r.height > 4e8)
        throw Error("the density raster would have " + std::to_string(static_cast<long long>(r.width) * r.height) +
                        " cells", {"", "", "", "--cell"}, "use a larger --cell or filter the incidents");
    // A kernel narrower than a cell can fall between the cells' centres and add nothing: incidents
    // all at one spot gave Silverman's rule 1e-8 m and a density of 0 everywhere.
    if (!(h >= r.cell)) {
        char what[200];
        std::snprintf(
            what, sizeof what,
            "the bandwidth (%.3g m%s) is narrower than a %g m cell: the density would miss the incidents", h,
            o.bandwidth_m > 0 ? "" : ", Silverman's rule: the incidents lie almost on one spot", r.cell);
        if (o.bandwidth_m <= 0)  // not the user's option: what they can do is give one
            throw Error(what, {o.source, "incidents"},
                        "give a --bandwidth of at least the cell size, or a smaller --cell");
        throw Error(what, {"", "", "", "--bandwidth"},
                    "give a --bandwidth of at least the cell size, or a smaller --cell");
    }
    // Cell by cell, each point adds into the cells of its disc: π(h/cell)² of them, a hundred
    // thousand a point for Silverman's rule over a county (~6 km over 10 m cells). Along rows, it
    // adds a few coefficients to each of its 2h/cell rows, and every cell is swept once. The costs
    // are in cell additions, measured (tests/bench: BM_KdeSums).
    const double n = static_cast<double>(pts.size());
    const auto work_over = [&](double cell, bool rows) {
        const double span = h / cell;
        const double cells = (b.width() + 2 * h) / cell * ((b.height() + 2 * h) / cell);
        return rows ? n * (2 * span + 1) * kKdeRowPointCost + cells * kKdeSweepCost : n * kPi * span * span;
    };
    const bool along_rows = o.sums == KdeSums::rows || (o.sums == KdeSums::fastest &&
                                                        work_over(r.cell, true) < work_over(r.cell, false));
    const double work = work_over(r.cell, along_rows);
    if (work > kKdeMostCellSums) {
        char what[240];
        std::snprintf(what, sizeof what,
                      "the density would take %.2g kernel sums (%zu incidents, a %.0f m bandwidth over %g m "
                      "cells, %d × %d cells), hours of work",
                      work, pts.size(), h, r.cell, r.width, r.height);
        // The smallest round cell that would do, for the hint.
        std::string larger = "a larger --cell";
        for (double c : {2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000})
            if (c > r.cell && std::min(work_over(c, true), work_over(c, false)) <= kKdeMostCellSums &&
                h >= c) {
                larger = "--cell " + std::to_string(static_cast<int>(c)) + " or larger";
                break;
            }
        throw Error(
            what, {"", "", "", o.bandwidth_m > 0 ? "--bandwidth" : "--cell"},
            "give " + larger +
                ", a smaller --bandwidth, or filter the incidents; the default bandwidth, Silverman's "
                "rule, grows with the extent");
    }
    r.x0 = xmin, r.y0 = ymax;
    const double h2 = h * h;
    // The quartic kernel (1 - d²/h²)² summed as (h² - d²)², its 1/h⁴ taken into k once a cell: no
    // division and no branch a cell, so that the compiler does a row's cells side by side.
    const double k = 3.0 / (kPi * h2) * 1e6 / (h2 * h2);  // per km²
    const int reach = static_cast<int>(std::ceil(h / r.cell)) + 1;
    // Bands of rows, each point listed in the bands it reaches; a band sums into a small double
    // buffer (cache-sized) and stores its floats once. Stripes of bands, made in parallel, go to
    // `to` one after the other (a GeoTIFF's row of tiles), or into the whole raster.
    const int band_rows = 32, stripe_bands = 8;
    const int nbands = (r.height + band_rows - 1) / band_rows;
    // Counted first, then filled: grown by doubling, the lists took twice their memory, fresh.
    std::vector<std::vector<Vec2>> in_band(static_cast<size_t>(nbands));
    const auto bands_of = [&](Vec2 p) {
        const int pr = static_cast<int>((r.y0 - p.y) / r.cell);
        return std::pair(std::max(0, (pr - reach) / band_rows), std::min(nbands - 1, (pr + reach) / band_rows));
    };
    std::vector<size_t> listed(static_cast<size_t>(nbands), 0);
    for (auto p : pts)
        for (auto [b, last] = bands_of(p); b <= last; ++b) ++listed[b];
    for (int b = 0; b < nbands; ++b) in_band[b].reserve(listed[b]);
    for (auto p : pts)
        for (auto [b, last] = bands_of(p); b <= last; ++b) in_band[b].push_back(p);
    const size_t row_cells = static_cast<size_t>(r.width);
    // A stripe's rows, for `to`: two, the next made while the last is handed on (a county's
    // density at 10 m: 0.09 s made, 0.11 s written, one after the other).
    std::vector<float> stripes[2];
    if (to) {
        to->begin(r);
        for (auto& stripe : stripes) stripe.resize(row_cells * std::min(r.height, band_rows * stripe_bands));
    } else {
        reserve_prefaulted(r.density, row_cells * r.height);
        r.density.resize(row_cells * r.height);
    }
    std::vector<float> band_max(static_cast<size_t>(nbands), 0.0f);
    const float* made = nullptr;  // the last stripe made, not yet handed to `to`
    int made_rows = 0;
    for (int first = 0; first < nbands; first += stripe_bands) {
        const int bands = std::min(stripe_bands, nbands - first);
        const int stripe_row0 = first * band_rows;
        float* const stripe_out =
            to ? stripes[(first / stripe_bands) % 2].data() : &r.density[stripe_row0 * row_cells];
        const auto make = [&] {
            parallel_ranges(static_cast<size_t>(bands), [&](size_t from, size_t until) {
                std::vector<double> acc(row_cells * band_rows, 0.0);  // zeroed again as it is stored
                std::vector<double> dx2(static_cast<size_t>(2 * reach + 1));
                std::optional<KernelRows> along;
                if (along_rows) along.emplace(r.width, r.x0, r.cell, h);
                for (size_t i = from; i < until; ++i) {
                    const int band = first + static_cast<int>(i);
                    const int r0 = band * band_rows, r1 = std::min(r.height, r0 + band_rows);
                    for (int row = r0; along && row < r1; ++row) {
                        const double cy = r.y0 - (row + 0.5) * r.cell;
                        for (auto p : in_band[band]) {
                            const double dy2 = (cy - p.y) * (cy - p.y);
                            if (dy2 < h2) along->add(p.x, h2 - dy2);
                        }
                        along->sweep(&acc[static_cast<size_t>(row - r0) * row_cells]);
                    }
                    for (auto p : along ? std::span<const Vec2>() : std::span<const Vec2>(in_band[band])) {
                        const int pc = static_cast<int>((p.x - r.x0) / r.cell),
                                  pr = static_cast<int>((r.y0 - p.y) / r.cell);
                        const int ra = std::max(r0, pr - reach), rb = std::min(r1 - 1, pr + reach);
                        const int ca = std::max(0, pc - reach), cb = std::min(r.width - 1, pc + reach);
                        // The columns' squared distances along x, the same for every row the point reaches.
                        for (int col = ca; col <= cb; ++col) {
                            const double cx = r.x0 + (col + 0.5) * r.cell;
                            dx2[col - ca] = (cx - p.x) * (cx - p.x);
                        }
                        const int ncols = cb - ca + 1;
                        for (int row = ra; row <= rb; ++row) {
                            const double cy = r.y0 - (row + 0.5) * r.cell, dy2 = (cy - p.y) * (cy - p.y);
                            if (dy2 >= h2) continue;
                            add_kernel_row(&acc[static_cast<size_t>(row - r0) * row_cells + ca], dx2.data(),
                                           ncols, h2 - dy2);
                        }
                    }
                    float* out = stripe_out + static_cast<size_t>(r0 - stripe_row0) * row_cells;
                    const size_t cells = row_cells * (r1 - r0);
                    for (size_t c = 0; c < cells; ++c) out[c] = static_cast<float>(acc[c] * k);
                    std::fill_n(acc.begin(), cells, 0.0);
                    // Four maxima side by side: one alone waits on itself a cell.
                    float top[4] = {0, 0, 0, 0};
                    size_t c = 0;
                    for (; c + 4 <= cells; c += 4)
                        for (int l = 0; l < 4; ++l) top[l] = std::max(top[l], out[c + l]);
                    for (; c < cells; ++c) top[0] = std::max(top[0], out[c]);
                    band_max[band] = std::max(std::max(top[0], top[1]), std::max(top[2], top[3]));
                }
            });
        };
        if (made)
            run_beside([&] { to->rows(made, made_rows); }, make);
        else
            make();
        if (to) made = stripe_out, made_rows = std::min(r.height, (first + bands) * band_rows) - stripe_row0;
    }
    if (made) to->rows(made, made_rows);
    for (float v : band_max) r.max_density = std::max<double>(r.max_density, v);
    return r;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Neighbours

Neighbours queen_neighbours(const std::vector<const MultiPolygon*>& cells) {
    const size_t n = cells.size();
    Neighbours nb(n);
    std::vector<Box> boxes(n);
    Box ext;
    for (size_t i = 0; i < n; ++i) boxes[i] = bounds(*cells[i]), ext.add(boxes[i]);
    // Bins of about the mean cell size.
    double mean = 0;
    for (auto& b : boxes) mean += std::max(b.width(), b.height());
    mean = n ? std::max(mean / n, 1.0) : 1.0;
    const int nx = std::max(1, std::min(4096, static_cast<int>(ext.width() / mean) + 1));
    const int ny = std::max(1, std::min(4096, static_cast<int>(ext.height() / mean) + 1));
    const double cw = std::max(ext.width() / nx, 1e-9), ch = std::max(ext.height() / ny, 1e-9);
    std::vector<std::vector<int>> bins(static_cast<size_t>(nx) * ny);
    auto span = [&](const Box& b, int& x0, int& y0, int& x1, int& y1) {
        x0 = std::clamp(static_cast<int>((b.xmin - ext.xmin) / cw), 0, nx - 1);
        x1 = std::clamp(static_cast<int>((b.xmax - ext.xmin) / cw), 0, nx - 1);
        y0 = std::clamp(static_cast<int>((b.ymin - ext.ymin) / ch), 0, ny - 1);
        y1 = std::clamp(static_cast<int>((b.ymax - ext.ymin) / ch), 0, ny - 1);
    };
    for (size_t i = 0; i < n; ++i) {
        int x0, y0, x1, y1;
        span(boxes[i], x0, y0, x1, y1);
        for (int y = y0; y <= y1; ++y)
            for (int x = x0; x <= x1; ++x) bins[static_cast<size_t>(y) * nx + x].push_back(static_cast<int>(i));
    }
    // Each pair asked once (polygons_within is symmetric), from its first cell: later[i] holds the
    // neighbours j > i of cell i.
    std::vector<std::vector<int>> later(n);
    parallel_ranges(n, [&](size_t begin, size_t end) {
        std::vector<int> cand;
        for (size_t i = begin; i < end; ++i) {
            const Box q = boxes[i].grown(1e-3);
            int x0, y0, x1, y1;
            span(q, x0, y0, x1, y1);
            cand.clear();
            for (int y = y0; y <= y1; ++y)
                for (int x = x0; x <= x1; ++x)
                    for (int j : bins[static_cast<size_t>(y) * nx + x])
                        if (static_cast<size_t>(j) > i && boxes[j].intersects(q)) cand.push_back(j);
            std::sort(cand.begin(), cand.end());
            cand.erase(std::unique(cand.begin(), cand.end()), cand.end());
            for (int j : cand)
                if (polygons_within(*cells[i], boxes[i], *cells[j], boxes[j], 1e-3)) later[i].push_back(j);
        }
    });
    // Each list the cell itself, then its neighbours in ascending order: those before it were
    // added as their own lists were walked, those after it come from its own.
    for (size_t i = 0; i < n; ++i) nb[i].push_back(static_cast<int>(i));
    for (size_t i = 0; i < n; ++i)
        for (int j : later[i]) {
            nb[i].push_back(j);
            nb[static_cast<size_t>(j)].push_back(static_cast<int>(i));
        }
    return nb;
}

Neighbours band_neighbours(const std::vector<Vec2>& c, double band) {
    const size_t n = c.size();
    Neighbours nb(n);
    if (n == 0) return nb;
    Box ext;
    for (auto p : c) ext.add(p);
    const double cell = std::max(band, 1e-9);
    const int nx = std::max(1, std::min(8192, static_cast<int>(ext.width() / cell) + 1));
    const int ny = std::max(1, std::min(8192, static_cast<int>(ext.height() / cell) + 1));
    std::unordered_map<long long, std::vector<int>> bins;
    auto key = [&](int x, int y) { return static_cast<long long>(y) * nx + x; };
    auto cx = [&](double v) { return std::clamp(static_cast<int>((v - ext.xmin) / cell), 0, nx - 1); };
    auto cy = [&](double v) { return std::clamp(static_cast<int>((v - ext.ymin) / cell), 0, ny - 1); };
    for (size_t i = 0; i < n; ++i) bins[key(cx(c[i].x), cy(c[i].y))].push_back(static_cast<int>(i));
    const double b2 = band * band * (1 + 1e-12);
    for (size_t i = 0; i < n; ++i) {
        const int x = cx(c[i].x), y = cy(c[i].y);
        for (int yy = std::max(0, y - 1); yy <= std::min(ny - 1, y + 1); ++yy)
            for (int xx = std::max(0, x - 1); xx <= std::min(nx - 1, x + 1); ++xx) {
                auto it = bins.find(key(xx, yy));
                if (it == bins.end()) continue;
                for (int j : it->second) {
                    const Vec2 d = c[j] - c[i];
                    if (dot(d, d) <= b2) nb[i].push_back(j);
                }
            }
        std::sort(nb[i].begin(), nb[i].end());
    }
    return nb;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Gi*

namespace {

double normal_sf(double z) { return 0.5 * std::erfc(z / std::sqrt(2.0)); }

/**
 * The permutations' random numbers: xoshiro256** (Blackman and Vigna), seeded through splitmix64,
 * with Lemire's multiply-and-reject for an exactly uniform draw below a bound. A county's 999
 * permutations draw ~90 million of them; std::mt19937_64 with `%` took a fifth of the Gi* run.
 */
class PermutationRng {
public:
    explicit PermutationRng(uint64_t seed) {
        for (uint64_t& w : s_) {  // splitmix64
            seed += 0x9e3779b97f4a7c15ULL;
            uint64_t z = seed;
            z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
            z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
            w = z ^ (z >> 31);
        }
    }
    /** A uniform integer in [0, bound), bound > 0. */
    uint64_t below(uint64_t bound) {
        __uint128_t m = static_cast<__uint128_t>(next()) * bound;
        if (static_cast<uint64_t>(m) < bound) {
            const uint64_t reject_below = -bound % bound;  // 2^64 mod bound: the draws to reject
            while (static_cast<uint64_t>(m) < reject_below) m = static_cast<__uint128_t>(next()) * bound;
        }
        return static_cast<uint64_t>(m >> 64);
    }

private:
    static uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    uint64_t next() {
        const uint64_t out = rotl(s_[1] * 5, 7) * 9, t = s_[1] << 17;
        s_[2] ^= s_[0], s_[3] ^= s_[1], s_[1] ^= s_[2], s_[0] ^= s_[3], s_[2] ^= t, s_[3] = rotl(s_[3], 45);
        return out;
    }
    uint64_t s_[4];
};

const char* classify(double z, double p, bool sig99, bool sig95, bool sig90) {
    (void)p;
    if (z > 0) return sig99 ? "hot99" : sig95 ? "hot95" : sig90 ? "hot90" : "ns";
    return sig99 ? "cold99" : sig95 ? "cold95" : sig90 ? "cold90" : "ns";
}

}  // namespace

std::vector<bool> benjamini_hochberg(const std::vector<double>& p, double alpha) {
    const size_t m = p.size();
    std::vector<size_t> order(m);
    std::iota(order.begin(), order.end(), 0);
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return p[a] < p[b]; });
    size_t k_max = 0;  // the largest k with p_(k) ≤ k α / m
    for (size_t k = 1; k <= m; ++k)
        if (p[order[k - 1]] <= alpha * static_cast<double>(k) / m) k_max = k;
    std::vector<bool> sig(m, false);
    for (size_t k = 0; k < k_max; ++k) sig[order[k]] = true;
    return sig;
}

namespace {
/** Values closer than this, relative to their size, are the same to Gi* (rounding, not data). */
constexpr double kGiSameValue = 1e-12;
}  // namespace

GiResult getis_ord_gi_star(const std::vector<double>& x, const Neighbours& w, const GiOptions& o) {
    const size_t n = x.size();
    GiResult r;
    r.z.assign(n, 0), r.p.assign(n, 1), r.cls.assign(n, "ns");
    if (n < 2) return r;
    // Centred before squaring: Σx² / n − mean² lost every digit of values far from zero (a field of
    // 1e9 + a few gave every z 0 and p 1). The mean itself is the sum of the values scaled down.
    double mean = 0;
    for (double v : x) mean += v / static_cast<double>(n);
    double ss = 0;
    for (double v : x) ss += (v - mean) * (v - mean);
    // A spread within rounding of the values' size is none: z would be noise (gi_star_analysis refuses it).
    const double s = std::sqrt(ss / static_cast<double>(n)) <= kGiSameValue * std::max(1.0, std::abs(mean))
                         ? 0.0
                         : std::sqrt(ss / static_cast<double>(n));
    auto z_of = [&](double wx_centred, double W) {
        const double den = s * std::sqrt((n * W - W * W) / (n - 1.0));
        return den > 0 ? wx_centred / den : 0.0;
    };
    for (size_t i = 0; i < n; ++i) {
        double wx = 0;  // Σ_j w_ij (x_j − mean) = Σ_j w_ij x_j − mean W_i
        for (int j : w[i]) wx += x[j] - mean;
        r.z[i] = z_of(wx, static_cast<double>(w[i].size()));
        r.p[i] = std::min(1.0, 2 * normal_sf(std::abs(r.z[i])));
    }
    if (o.permutations > 0) {
        // Conditional permutation: x_i stays at i; its neighbours' values are drawn without
        // replacement from the other n − 1 values. Two-sided pseudo p = (2 · min(#≥, #≤) + 1) / (N + 1).
        // Each cell's draws start from the pool of the other values in order, 0 … n − 1 without i.
        // Made anew per cell with a loop it cost n² writes in all (9.4·10⁹ for a prefecture's
        // 97,000 cells). Now, where a cell swaps far fewer entries than the pool holds, its swaps
        // are undone after its draws, and the pool of i + 1 differs from that of i only at i;
        // otherwise the next cell's pool is written whole, two runs of consecutive values.
        parallel_ranges(n, [&](size_t begin, size_t end) {
            std::vector<int> pool(n - 1);
            const auto pool_of = [&](size_t i) {
                std::iota(pool.begin(), pool.begin() + static_cast<std::ptrdiff_t>(i), 0);
                std::iota(pool.begin() + static_cast<std::ptrdiff_t>(i), pool.end(), static_cast<int>(i) + 1);
            };
            pool_of(begin);
            std::vector<uint32_t> swapped;  // the b of each swap, in order: swap t's a is t % k
            for (size_t i = begin; i < end; ++i) {
                if (o.cancel && o.cancel->load(std::memory_order_relaxed)) return;
                const size_t k = w[i].size() - 1;  // neighbours other than i itself
                if (k > 0 && k <= n - 1) {
                    const bool undo = k * static_cast<size_t>(o.permutations) <= (n - 1) / 16;
                    PermutationRng rng(o.seed * 1000003ULL + i);
                    double obs = 0;
                    for (int j : w[i]) obs += x[j];
                    int ge = 0, le = 0;
                    // The draws, with each swap's b written down or not: two instances of the loop,
                    // for the write alone slows the draws by about a fifth.
                    const auto draw = [&](auto logged) {
                        uint32_t* log = nullptr;
                        if constexpr (logged) {
                            swapped.resize(k * static_cast<size_t>(o.permutations));
                            log = swapped.data();
                        }
                        int* const p = pool.data();
                        for (int perm = 0; perm < o.permutations; ++perm) {
                            double acc = x[i];
                            // Partial Fisher–Yates: the first k entries become a random k-subset.
                            for (size_t a = 0; a < k; ++a) {
                                const size_t b = a + rng.below(n - 1 - a);
                                std::swap(p[a], p[b]);
                                if constexpr (logged) *log++ = static_cast<uint32_t>(b);
                                acc += x[static_cast<size_t>(p[a])];
                            }
                            ge += acc >= obs - 1e-12;
                            le += acc <= obs + 1e-12;
                        }
                    };
                    if (undo)
                        draw(std::true_type{});
                    else
                        draw(std::false_type{});
                    r.p[i] = std::min(1.0, (2.0 * std::min(ge, le) + 1) / (o.permutations + 1.0));
                    if (!undo) {
                        if (i + 1 < n) pool_of(i + 1);
                        continue;
                    }
                    for (size_t t = swapped.size(); t > 0;)
                        for (size_t a = k; a-- > 0;) std::swap(pool[a], pool[swapped[--t]]);
                }
                if (i + 1 < n) pool[i] = static_cast<int>(i);
            }
        });
        if (o.cancel && o.cancel->load()) throw Error("Gi* was cancelled");
    }
    std::vector<bool> s99(n), s95(n), s90(n);
    if (o.fdr) {
        s99 = benjamini_hochberg(r.p, 0.01), s95 = benjamini_hochberg(r.p, 0.05), s90 = benjamini_hochberg(r.p, 0.10);
    } else {
        for (size_t i = 0; i < n; ++i) s99[i] = r.p[i] < 0.01, s95[i] = r.p[i] < 0.05, s90[i] = r.p[i] < 0.10;
    }
    for (size_t i = 0; i < n; ++i) r.cls[i] = classify(r.z[i], r.p[i], s99[i], s95[i], s90[i]);
    return r;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Hexagon mesh

HexMesh hex_mesh(const Box& ext, double size, const std::vector<const MultiPolygon*>& area) {
    HexMesh m;
    if (size <= 0 || ext.empty()) return m;
    const double w = std::sqrt(3.0) * size, vstep = 1.5 * size;  // pointy-top: width, row spacing
    const int cols = static_cast<int>(std::ceil(ext.width() / w)) + 2;
    const int rows = static_cast<int>(std::ceil(ext.height() / vstep)) + 2;
    if (static_cast<double>(cols) * rows > 5e6)
        throw Error("the hexagon mesh would have " + std::to_string(static_cast<long long>(cols) * rows) + " cells",
                    {"", "", "", "--hex"}, "use a larger hexagon size");
    std::vector<int> id(static_cast<size_t>(cols) * rows, -1);
    std::vector<Box> boxes;
    for (const auto* a : area) boxes.push_back(bounds(*a));
    auto centre = [&](int r, int c) {
        return Vec2{ext.xmin + c * w + (r % 2 ? w / 2 : 0), ext.ymin + r * vstep};
    };
    auto hexagon = [&](Vec2 ctr) {
        Ring ring;
        for (int k = 0; k < 6; ++k) {
            const double ang = (30 + 60 * k) * kPi / 180;
            ring.push_back({ctr.x + size * std::cos(ang), ctr.y + size * std::sin(ang)});
        }
        return MultiPolygon{Polygon{{std::move(ring)}}};
    };
    // Which hexagons to keep, row by row on the cores: every hexagon the area reaches into, not
    // only those whose centre it holds (along the edge of the community those held incidents no
    // hexagon counted). An area holds no point outside its box.
    std::vector<uint8_t> keep(id.size(), area.empty());
    parallel_for(area.empty() ? 0 : static_cast<size_t>(rows), [&](size_t row) {
        const int r = static_cast<int>(row);
        for (int c = 0; c < cols; ++c) {
            const Vec2 ctr = centre(r, c);
            bool in = false;
            for (size_t i = 0; i < area.size() && !in; ++i)
                in = boxes[i].contains(ctr) && inside(*area[i], ctr);
            if (!in) {
                const MultiPolygon hex = hexagon(ctr);
                const Box hb = bounds(hex);
                for (size_t i = 0; i < area.size() && !in; ++i)
                    in = boxes[i].intersects(hb) && polygons_meet(*area[i], hex);
            }
            keep[static_cast<size_t>(r) * cols + c] = in;
        }
    });
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            if (!keep[static_cast<size_t>(r) * cols + c]) continue;
            const Vec2 ctr = centre(r, c);
            id[static_cast<size_t>(r) * cols + c] = static_cast<int>(m.centres.size());
            m.centres.push_back(ctr);
            m.cells.push_back(hexagon(ctr));
        }
    m.neighbours.resize(m.centres.size());
    for (int r = 0; r < rows; ++r)
        for (int c = 0; c < cols; ++c) {
            const int i = id[static_cast<size_t>(r) * cols + c];
            if (i < 0) continue;
            // Odd rows are shifted right by half a hexagon.
            const int off = r % 2;
            const int nbr[7][2] = {{0, 0}, {0, -1}, {0, 1}, {-1, -1 + off}, {-1, off}, {1, -1 + off}, {1, off}};
            for (auto& d : nbr) {
                const int rr = r + d[0], cc = c + d[1];
                if (rr < 0 || rr >= rows || cc < 0 || cc >= cols) continue;
                const int j = id[static_cast<size_t>(rr) * cols + cc];
                if (j >= 0) m.neighbours[i].push_back(j);
            }
            std::sort(m.neighbours[i].begin(), m.neighbours[i].end());
        }
    return m;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Gi* analysis

GiAnalysis gi_star_analysis(const Dataset& ds, const std::vector<const Incident*>& inc, const GiSetup& s) {
    GiAnalysis a;
    if (!s.value.empty() && s.per_households)
        throw Error("takes a field or rates per household, not both", {ds.source, "grids", "", s.value},
                    "give one of them");
    if (!s.value.empty() && s.hex_m > 0)
        throw Error("--value reads a field of the grid cells, not of hexagons", {}, "drop --hex");
    // The units: hexagons over the community (its level-1 cells), or the grid cells of a level.
    if (s.hex_m > 0) {
        std::vector<const MultiPolygon*> area;
        for (const auto& g : ds.grids)
            if (g.level == 1) area.push_back(&g.shape);
        Box ext = area.empty() ? ds.extent() : Box{};
        for (auto* p : area) ext.add(bounds(*p));
        HexMesh m = hex_mesh(ext, s.hex_m, area);
        a.hexagons.reserve(m.cells.size());
        for (size_t i = 0; i < m.cells.size(); ++i) {
            Grid g;
            g.grid_id = "H" + std::to_string(i + 1);
            g.shape = std::move(m.cells[i]);
            a.hexagons.push_back(std::move(g));
        }
        for (auto& g : a.hexagons) a.units.push_back(&g);
        a.neighbours = std::move(m.neighbours);
    } else {
        a.units = ds.cells_to_report(s.level);
        if (a.units.empty())
            throw Error("has no cells of level " + std::to_string(s.level), {ds.source, "grids", "", "level"},
                        "choose a level the dataset has, or --hex SIZE_M");
        if (s.band_m > 0) {
            std::vector<Vec2> c;
            for (auto* g : a.units) c.push_back(centroid(g->shape));
            a.neighbours = band_neighbours(c, s.band_m);
        } else {
            std::vector<const MultiPolygon*> shapes;
            for (auto* g : a.units) shapes.push_back(&g->shape);
            a.neighbours = queen_neighbours(shapes);
        }
    }
    const size_t n = a.units.size();
    a.counts.assign(n, 0);
    a.x.assign(n, 0);
    CellLocator loc(a.units);
    const std::vector<int> unit = loc.find_each(inc.size(), [&](size_t j) { return inc[j]->pos; });
    for (size_t j = 0; j < inc.size(); ++j)
        if (unit[j] >= 0)
            a.counts[static_cast<size_t>(unit[j])]++;
        else
            a.outside.push_back(inc[j]);
    for (size_t i = 0; i < n; ++i) a.x[i] = a.counts[i];
    if (s.per_households) {
        // Incidents per household, so that a hotspot is not only where people live.
        std::vector<int> hh(n, 0);
        for (const auto& h : ds.households)
            if (int k = loc.find(h.pos); k >= 0) hh[static_cast<size_t>(k)]++;
        double sum = 0;
        int with = 0;
        for (size_t i = 0; i < n; ++i)
            if (hh[i] > 0) sum += a.counts[i] / static_cast<double>(hh[i]), ++with;
        const double mean_rate = with ? sum / with : 0;
        for (size_t i = 0; i < n; ++i) {
            if (hh[i] > 0)
                a.x[i] = a.counts[i] / static_cast<double>(hh[i]);
            else
                a.x[i] = mean_rate, ++a.without_households;
        }
    }
    if (!s.value.empty()) {
        const auto fields = ds.extra_fields.find("grids");
        const std::vector<std::string> none;
        const auto& names = fields == ds.extra_fields.end() ? none : fields->second.names;
        const auto it = std::find(names.begin(), names.end(), s.value);
        if (it == names.end())
            throw Error("has no field '" + s.value + "'", {ds.source, "grids", "", s.value},
                        "name a numeric field of the cells");
        const size_t fi = static_cast<size_t>(it - names.begin());
        for (size_t i = 0; i < n; ++i) {
            const std::string& v = fi < a.units[i]->extra.size() ? a.units[i]->extra[fi] : std::string();
            char* end = nullptr;
            a.x[i] = std::strtod(v.c_str(), &end);
            if (v.empty() || *end || !std::isfinite(a.x[i]))
                throw Error("value '" + v + "' is not a number", {ds.source, "grids", a.units[i]->grid_id, s.value},
                            "fix the value");
        }
    }
    // Where Gi* is undefined (its denominator 0) it gave z 0, p 1, "ns" in every unit, exit 0.
    const std::string what = s.hex_m > 0 ? "--hex" : s.band_m > 0 ? "--band" : "--level";
    char same[32];
    std::snprintf(same, sizeof same, "%.6g", a.x.empty() ? 0.0 : a.x[0]);
    const Error::Where units_at{ds.source, "grids", "", s.hex_m > 0 ? "--hex" : "level"};
    if (n < 2)
        throw Error("has one " +
                        std::string(s.hex_m > 0 ? "hexagon" : "cell of level " + std::to_string(s.level)) +
                        ": Gi* compares a unit's neighbourhood with the rest, and there is no rest",
                    units_at, "choose a finer level, or a smaller --hex");
    if (s.per_households && a.without_households == static_cast<int>(n))
        throw Error("no unit has a household in it: --per households has no rate to test",
                    {ds.source, "households"},
                    "leave --per households out, or give the dataset its households");
    // The same, to rounding: the mean rate a unit without households takes can differ from the
    // others' by an ulp, and a variance of 1e-17 made noise of z (cold95 in a line of ten units).
    const auto [lo, hi] = std::minmax_element(a.x.begin(), a.x.end());
    if (*hi - *lo <= kGiSameValue * std::max({1.0, std::abs(*lo), std::abs(*hi)}))
        throw Error("every unit holds the same " +
                        std::string(!s.value.empty()   ? "value"
                                    : s.per_households ? "rate"
                                                       : "count") +
                        ", " + same + ": Gi* has no difference to find hot or cold spots in",
                    s.value.empty() ? Error::Where{ds.source, "incidents"}
                                    : Error::Where{ds.source, "grids", "", s.value},
                    s.value.empty() ? "widen the time window or the types, or choose another level"
                                    : "choose a field whose values differ");
    if (std::all_of(a.neighbours.begin(), a.neighbours.end(), [&](const auto& nb) { return nb.size() >= n; }))
        throw Error("every unit neighbours every unit (" + std::to_string(n) +
                        "): Gi* compares a unit's neighbourhood with the rest, and there is no rest",
                    units_at,
                    "choose a finer level, or a smaller " +
                        (what == "--level" ? std::string("--band or --hex") : what));
    a.result = getis_ord_gi_star(a.x, a.neighbours, s.options);
    return a;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] DBSCAN

// The labels are those of the textbook loop (points in index order, each cluster grown from the
// first core point not yet in one): a cluster's number is the order of its lowest core point, and
// a border point takes the lowest numbered cluster with a core point within eps. Computed here
// without growing: the points go into squares a hair under eps/√2 on a side, so that two points
// in one square are within eps (its diagonal) and a point's neighbours lie in the 5×5 squares about
// its own (two squares apart they are over 2·side > eps apart along an axis; in the block's corners
// they can be side·√2 < eps apart). A square of min_pts points is all core points, with no distance
// asked; the core points of a square are one cluster, and two squares' are one when any pair of
// them is within eps. Distances are asked as the loop asked them, |q − p|² ≤ eps².
std::vector<int> dbscan(const std::vector<Vec2>& pts, double eps, int min_pts) {
    if (!(eps > 0))
        throw Error("a DBSCAN radius must be above 0 m", {"", "", "", "--eps"}, "give a --eps above 0");
    const size_t n = pts.size();
    if (n == 0) return {};
    Box ext;
    for (auto p : pts) ext.add(p);
    // 1e-5 under eps/√2: above what rounding the squares' numbers can be off by, up to 2^32 of them.
    const double side = eps / std::sqrt(2.0) * (1 - 1e-5);
    const double extent = std::max(ext.width(), ext.height());
    if (!(extent / side < 4294967296.0)) {
        char what[160];
        std::snprintf(what, sizeof what,
                      "a DBSCAN radius of %g m is too small beside the incidents' extent of %g m", eps,
                      extent);
        throw Error(what, {"", "", "", "--eps"}, "give a larger --eps");
    }
    const double e2 = eps * eps;
    auto near = [&](Vec2 p, Vec2 q) {
        const Vec2 d = q - p;
        return dot(d, d) <= e2;
    };
    auto square_of = [&](Vec2 p) {
        return static_cast<uint64_t>((p.y - ext.ymin) / side) << 32 |
               static_cast<uint64_t>((p.x - ext.xmin) / side);
    };
    // The points by square, and each square's run of them.
    std::vector<uint64_t> key(n);
    for (size_t i = 0; i < n; ++i) key[i] = square_of(pts[i]);
    std::vector<int> order(n);
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(),
              [&](int a, int b) { return key[a] < key[b] || (key[a] == key[b] && a < b); });
    std::vector<Vec2> at(n);  // the points in that order
    for (size_t k = 0; k < n; ++k) at[k] = pts[static_cast<size_t>(order[k])];
    std::vector<uint32_t> run_start;  // square r: at[run_start[r] .. run_start[r + 1])
    std::unordered_map<uint64_t, uint32_t> run_of;
    run_of.reserve(n);
    for (size_t k = 0; k < n; ++k)
        if (k == 0 || key[static_cast<size_t>(order[k])] != key[static_cast<size_t>(order[k - 1])]) {
            run_of.emplace(key[static_cast<size_t>(order[k])], static_cast<uint32_t>(run_start.size()));
            run_start.push_back(static_cast<uint32_t>(k));
        }
    const size_t runs = run_start.size();
    run_start.push_back(static_cast<uint32_t>(n));
    // Each square's neighbours that hold points (itself first, then the others in key order).
    std::vector<std::vector<uint32_t>> around(runs);
    parallel_for(runs, [&](size_t r) {
        const uint64_t k = key[static_cast<size_t>(order[run_start[r]])];
        const int64_t x = static_cast<int64_t>(k & 0xffffffffu), y = static_cast<int64_t>(k >> 32);
        around[r].push_back(static_cast<uint32_t>(r));
        for (int64_t dy = -2; dy <= 2; ++dy)
            for (int64_t dx = -2; dx <= 2; ++dx) {
                if ((dx == 0 && dy == 0) || x + dx < 0 || y + dy < 0 || x + dx > 0xffffffff ||
                    y + dy > 0xffffffff)
                    continue;
                const auto it =
                    run_of.find(static_cast<uint64_t>(y + dy) << 32 | static_cast<uint64_t>(x + dx));
                if (it != run_of.end()) around[r].push_back(it->second);
            }
    });
    // Core points: a full square's all; another's by counting, up to min_pts.
    std::vector<char> core(n, 0), cored(runs, 0);  // per point; per square: holds a core point
    parallel_for(runs, [&](size_t r) {
        const uint32_t b = run_start[r], e = run_start[r + 1];
        if (static_cast<int>(e - b) >= min_pts) {
            std::fill(core.begin() + b, core.begin() + e, 1);
            cored[r] = 1;
            return;
        }
        for (uint32_t k = b; k < e; ++k) {
            int count = static_cast<int>(e - b);
            for (size_t a = 1; a < around[r].size() && count < min_pts; ++a) {
                const uint32_t q = around[r][a];
                for (uint32_t j = run_start[q]; j < run_start[q + 1] && count < min_pts; ++j)
                    count += near(at[k], at[j]);
            }
            core[k] = count >= min_pts;
            cored[r] |= core[k];
        }
    });
    // Squares with core points joined where two of their core points are within eps.
    std::vector<uint32_t> parent(runs);
    std::iota(parent.begin(), parent.end(), 0u);
    auto root = [&](uint32_t r) {
        while (parent[r] != r) r = parent[r] = parent[parent[r]];
        return r;
    };
    for (uint32_t r = 0; r < runs; ++r) {
        if (!cored[r]) continue;
        for (size_t a = 1; a < around[r].size(); ++a) {
            const uint32_t q = around[r][a];
            if (q < r || !cored[q] || root(q) == root(r)) continue;
            bool joined = false;
            for (uint32_t k = run_start[r]; k < run_start[r + 1] && !joined; ++k)
                if (core[k])
                    for (uint32_t j = run_start[q]; j < run_start[q + 1] && !joined; ++j)
                        joined = core[j] && near(at[k], at[j]);
            if (joined) parent[root(q)] = root(r);
        }
    }
    // Clusters numbered by their lowest core point.
    std::vector<int> lowest(runs, std::numeric_limits<int>::max());
    for (uint32_t r = 0; r < runs; ++r)
        for (uint32_t k = run_start[r]; k < run_start[r + 1]; ++k)
            if (core[k]) lowest[root(r)] = std::min(lowest[root(r)], order[k]);
    std::vector<std::pair<int, uint32_t>> firsts;  // lowest core point, root square
    for (uint32_t r = 0; r < runs; ++r)
        if (root(r) == r && lowest[r] != std::numeric_limits<int>::max()) firsts.push_back({lowest[r], r});
    std::sort(firsts.begin(), firsts.end());
    std::vector<int> cluster_of(runs, -1);  // per root square
    for (size_t c = 0; c < firsts.size(); ++c) cluster_of[firsts[c].second] = static_cast<int>(c);
    for (uint32_t r = 0; r < runs; ++r)
        if (cored[r]) cluster_of[r] = cluster_of[root(r)];
    // Labels: a core point its square's cluster; a border point the lowest of the clusters of the
    // squares around with a core point within eps; noise else.
    std::vector<int> label(n, -1);
    parallel_for(runs, [&](size_t r) {
        for (uint32_t k = run_start[r]; k < run_start[r + 1]; ++k) {
            int best = std::numeric_limits<int>::max();
            if (cored[r]) best = cluster_of[r];  // its own square's core points are within eps
            if (!core[k])
                for (size_t a = 1; a < around[r].size(); ++a) {
                    const uint32_t q = around[r][a];
                    if (!cored[q] || cluster_of[q] >= best) continue;
                    for (uint32_t j = run_start[q]; j < run_start[q + 1]; ++j)
                        if (core[j] && near(at[k], at[j])) {
                            best = cluster_of[q];
                            break;
                        }
                }
            label[static_cast<size_t>(order[k])] = best == std::numeric_limits<int>::max() ? -1 : best;
        }
    });
    return label;
}

Clusters dbscan_clusters(const std::vector<Vec2>& pts, double eps, int min_pts) {
    const std::vector<int> label = dbscan(pts, eps, min_pts);
    Clusters c;
    for (size_t i = 0; i < label.size(); ++i) {
        if (label[i] < 0) {
            ++c.noise;
            continue;
        }
        if (static_cast<size_t>(label[i]) >= c.members.size()) c.members.resize(static_cast<size_t>(label[i]) + 1);
        c.members[static_cast<size_t>(label[i])].push_back(static_cast<int>(i));
    }
    return c;
}

MultiPolygon cluster_hull(const std::vector<Vec2>& pts) {
    GEOSContextHandle_t h = geos::ctx();
    std::vector<GEOSGeometry*> parts;
    for (auto p : pts) parts.push_back(geos::point(p).release());
    geos::Geom mp(GEOSGeom_createCollection_r(h, GEOS_MULTIPOINT, parts.data(), static_cast<unsigned>(parts.size())));
    geos::Geom hull(GEOSConcaveHull_r(h, mp.get(), 0.3, 0));
    MultiPolygon out = hull ? geos::to_multipolygon(hull.get()) : MultiPolygon{};
    if (out.empty() || area(out) < 1) {
        out = geos::to_multipolygon(geos::buffer(hull ? hull.get() : mp.get(), 1.0, 4).get());
    }
    return out;
}

std::vector<MultiPolygon> cluster_hulls(const std::vector<Vec2>& pts, const Clusters& clusters) {
    std::vector<MultiPolygon> hulls(clusters.members.size());
    parallel_for(hulls.size(), [&](size_t c) {
        std::vector<Vec2> p;
        for (int i : clusters.members[c]) p.push_back(pts[static_cast<size_t>(i)]);
        hulls[c] = cluster_hull(p);
    });
    return hulls;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Four-colour warning

double incident_score(const Incident& in, const WarningThresholds& t) {
    if (in.color == "red") return t.w_red;
    if (in.color == "yellow") return t.w_yellow;
    if (in.color == "blue") return t.w_blue;
    if (in.color == "green") return t.w_green;
    return t.w_none;
}

const char* warning_colour(double score, const WarningThresholds& t) {
    if (score >= t.red) return "red";
    if (score >= t.yellow) return "yellow";
    if (score >= t.blue) return "blue";
    return "green";
}

WarningCells four_colour_warning(const Dataset& ds, const std::vector<const Incident*>& inc, int level,
                                 const WarningThresholds& t) {
    WarningCells w;
    w.units = ds.cells_to_report(level);
    if (w.units.empty())
        throw Error("has no cells of level " + std::to_string(level), {ds.source, "grids", "", "level"},
                    "choose a level the dataset has");
    CellLocator loc(w.units);
    w.count.assign(w.units.size(), 0);
    w.score.assign(w.units.size(), 0.0);
    const std::vector<int> cell = loc.find_each(inc.size(), [&](size_t j) { return inc[j]->pos; });
    for (size_t j = 0; j < inc.size(); ++j)
        if (const int k = cell[j]; k >= 0) w.score[size_t(k)] += incident_score(*inc[j], t), w.count[size_t(k)]++;
        else
            w.outside.push_back(inc[j]);
    for (double s : w.score) w.colour.push_back(warning_colour(s, t));
    return w;
}

}  // namespace gw
