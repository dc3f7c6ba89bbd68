#pragma once
/**
 * Incident hotspots (SPEC §5.3): kernel density (quartic), Getis-Ord Gi* on grid cells, a
 * distance band or a hexagon mesh, DBSCAN clusters, and the four-colour warning per cell.
 * Geometry in the working CRS (metres).
 */
#include <atomic>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/core/times.h"

namespace gw {

// ---- filters -------------------------------------------------------------------------------

struct IncidentFilter {
    std::vector<std::string> types;  // empty = all
    TimeWindow window;               // geo/core/times.h: window_between (--from/--to), months_ending; open = all
};
/**
 * The incidents that pass the filter. A bounded window leaves out the incidents whose time is
 * unreadable (Dataset::report.bad_times names them).
 */
std::vector<const Incident*> filter_incidents(const Dataset& ds, const IncidentFilter& f);

// ---- KDE -------------------------------------------------------------------------------------

/** How kernel_density sums the kernels: the two give the same raster to rounding. */
enum class KdeSums {
    fastest,  // the one of the two with less work for this bandwidth, cell and extent
    cells,    // cell by cell over each point's disc: work ∝ (h / cell)² a point
    rows,     // running sums of polynomials along each row: work ∝ h / cell a point, plus every cell once
};

struct KdeOptions {
    double cell_m = 10;
    double bandwidth_m = 0;  // 0 = Silverman's rule (see silverman_bandwidth)
    KdeSums sums = KdeSums::fastest;
    std::string source;  // the file or connection the incidents came from, for what an error names
};

struct KdeRaster {
    double x0 = 0, y0 = 0;  // top-left corner (working CRS)
    double cell = 10, bandwidth = 0;
    int width = 0, height = 0;
    std::vector<float> density;  // row-major from the top, incidents per km²
    double max_density = 0;
    float at(int col, int row) const { return density[static_cast<size_t>(row) * width + col]; }
};

/**
 * Silverman's rule of thumb for a 2-D Gaussian kernel, A · n^(−1/6) with A the pooled spread
 * sqrt((Ax² + Ay²) / 2), each axis's spread the lesser of its standard deviation and its
 * interquartile range / 1.349 (Silverman 1986, eq. 3.31: robust to outliers, the deviation where
 * the quartiles meet), scaled by 2.623 to the quartic kernel's equivalent radius (the ratio of the
 * canonical bandwidths of the biweight and Gaussian kernels). Metres; 0 where the points have no
 * spread (fewer than two, or all on one spot): kernel_density then refuses.
 */
double silverman_bandwidth(const std::vector<Vec2>& pts);

/**
 * Where kernel_density hands a raster that is not to be kept whole (a county's is 70 MB): its
 * shape first (density empty), then its rows, a stripe of them at a time from the top.
 */
struct KdeRows {
    std::function<void(const KdeRaster& shape)> begin;
    std::function<void(const float* values, int n)> rows;  // n rows of shape.width floats
};

/**
 * f(x) = Σ 3/(π h²) · (1 − d²/h²)² for d < h, in incidents per km², on cells of `cell_m` over the
 * points' extent grown by h. Each cell's value is taken at its centre. With `to`, the rows go
 * there and the raster returned has no density (its shape and max_density only).
 */
KdeRaster kernel_density(const std::vector<Vec2>& pts, const KdeOptions& o, const KdeRows* to = nullptr);

/**
 * The most work kernel_density takes on before it refuses (gw::Error naming --cell or
 * --bandwidth), in cell additions of the cell by cell sum: 2·10^10 is about 5 s on two cores. The
 * county's 500k incidents at 50 m over 10 m cells are 4·10^7; its 29,200 under Silverman's rule
 * (5.9 km) are 3·10^10 cell by cell and 3·10^9 along rows, about a second.
 */
constexpr double kKdeMostCellSums = 2e10;
/**
 * What summing along rows costs, in the same cell additions: a point's row (its columns found,
 * its coefficients added to the blocks it crosses) and a cell's sweep. Measured by
 * tests/bench/bench_hotspots.cpp's BM_KdeSums: a cell addition is 0.22 ns on two cores, a point's
 * row 20 ns, a cell's sweep 1.5 ns.
 */
constexpr double kKdeRowPointCost = 90, kKdeSweepCost = 7;

// The raster is written by FloatGeoTiff (geo/io/raster_out.h), given the rows through KdeRows.

// ---- Gi* -------------------------------------------------------------------------------------

/** Neighbour lists (each unit its own neighbour included), one per unit. */
using Neighbours = std::vector<std::vector<int>>;

/** Queen contiguity: cells that share at least a point of boundary (within 1 mm), self included. */
Neighbours queen_neighbours(const std::vector<const MultiPolygon*>& cells);
/** Units whose centroids lie within `band_m` (inclusive), self included. */
Neighbours band_neighbours(const std::vector<Vec2>& centroids, double band_m);

struct GiResult {
    std::vector<double> z, p;  // p: two-sided, normal approximation or conditional permutation
    std::vector<std::string> cls;  // hot99 hot95 hot90 cold99 cold95 cold90 ns
};

struct GiOptions {
    int permutations = 0;  // 0 = normal approximation
    uint64_t seed = 12345;
    bool fdr = false;  // Benjamini–Hochberg at each confidence level
    const std::atomic<bool>* cancel = nullptr;  // set: the permutations stop and gw::Error is thrown
};

/**
 * Getis-Ord Gi* with binary weights (Ord & Getis 1995), the same z as PySAL esda
 * G_Local(star=True, transform='B'):
 *   z_i = (Σ_j w_ij x_j − x̄ W_i) / (s · sqrt((n W_i − W_i²) / (n − 1))),  s² = Σ x² / n − x̄².
 */
GiResult getis_ord_gi_star(const std::vector<double>& x, const Neighbours& w, const GiOptions& o = {});

/** Benjamini–Hochberg: which p-values are significant at false discovery rate alpha. */
std::vector<bool> benjamini_hochberg(const std::vector<double>& p, double alpha);

/**
 * A hexagon mesh (pointy-top, `size_m` = centre-to-vertex) covering `area`: every hexagon that shares
 * a point with it (all of them when `area` is empty), so that each point of the area lies in one.
 */
struct HexMesh {
    std::vector<MultiPolygon> cells;
    std::vector<Vec2> centres;
    Neighbours neighbours;  // one ring, self included
};
HexMesh hex_mesh(const Box& extent, double size_m, const std::vector<const MultiPolygon*>& study_area);

/** Where and on what Gi* runs (SPEC §5.3): the options of `gridwatch hotspots --method gi`. */
struct GiSetup {
    int level = 4;                // grid level of the units (--level; not with hex_m)
    double band_m = 0;            // > 0: neighbours whose centroids lie within this distance (--band)
    double hex_m = 0;             // > 0: a hexagon mesh of this size over the level-1 cells (--hex)
    std::string value;            // a numeric field of the cells instead of incident counts (--value)
    bool per_households = false;  // incidents per household of each unit (--per households)
    GiOptions options;            // --permutations, --seed, --fdr
};

/** One Gi* run: its units (cells of a level, or hexagons "H1", "H2", …), what was tested, the result. */
struct GiAnalysis {
    std::vector<Grid> hexagons;      // the mesh, when hex_m > 0; `units` points into it
    std::vector<const Grid*> units;  // into the dataset's grids or `hexagons`
    Neighbours neighbours;
    std::vector<int> counts;      // incidents in each unit
    std::vector<const Incident*> outside;  // incidents in no unit (outside the cells): counted nowhere
    std::vector<double> x;        // the value tested: counts, rates or the field
    int without_households = 0;   // per_households: units with none, which take the mean rate
    GiResult result;

    GiAnalysis() = default;
    GiAnalysis(GiAnalysis&&) = default;  // a moved vector keeps its elements where they were
    GiAnalysis& operator=(GiAnalysis&&) = default;
    GiAnalysis(const GiAnalysis&) = delete;  // a copy's `units` would point into the original
    GiAnalysis& operator=(const GiAnalysis&) = delete;
};

/**
 * Builds the units and their neighbours (queen contiguity, a distance band or a hexagon mesh),
 * counts the incidents `inc` in each (pointers into `ds`), turns counts into rates or reads the
 * field, and runs getis_ord_gi_star. A unit without households takes the mean rate of the others
 * (its z contribution is zero). Throws gw::Error for a level without cells, a field with a mesh,
 * both a field and rates, an unknown field or a value that is not a number.
 */
GiAnalysis gi_star_analysis(const Dataset& ds, const std::vector<const Incident*>& inc, const GiSetup& s);

// ---- DBSCAN ---------------------------------------------------------------------------------

/**
 * Cluster label per point (−1 noise), clusters numbered 0.. in order of discovery (the textbook
 * loop's labels). Throws gw::Error (field --eps) when eps is not above 0, or under a 4-billionth of
 * the points' extent.
 */
std::vector<int> dbscan(const std::vector<Vec2>& pts, double eps, int min_pts);

/** DBSCAN's clusters as lists: the indices of each cluster's points (cluster 0 first), and the noise. */
struct Clusters {
    std::vector<std::vector<int>> members;
    int noise = 0;
};
Clusters dbscan_clusters(const std::vector<Vec2>& pts, double eps, int min_pts);

/** Concave hull of a cluster's points (GEOS, ratio 0.3), a 1 m buffer around degenerate ones. */
MultiPolygon cluster_hull(const std::vector<Vec2>& pts);
/** Each cluster's hull (cluster_hull of its members' points), one task per cluster, in parallel. */
std::vector<MultiPolygon> cluster_hulls(const std::vector<Vec2>& pts, const Clusters& clusters);

// ---- Four-colour warning --------------------------------------------------------------------

// WarningThresholds (geo/core/model.h) are read from the project file (load_warning_thresholds,
// geo/io/project.h).
/** "red" / "yellow" / "blue" / "green" for a score. */
const char* warning_colour(double score, const WarningThresholds& t);
double incident_score(const Incident& in, const WarningThresholds& t);

/** The four-colour warning on the cells of a level: per cell its incidents, score and colour. */
struct WarningCells {
    std::vector<const Grid*> units;  // the level's cells, in layer order
    std::vector<int> count;
    std::vector<double> score;
    std::vector<const char*> colour;  // warning_colour(score)
    std::vector<const Incident*> outside;  // incidents in no cell of the level: counted nowhere
};
/** Scores the incidents `inc` (pointers into `ds`) by cell. Throws gw::Error for a level without cells. */
WarningCells four_colour_warning(const Dataset& ds, const std::vector<const Incident*>& inc, int level,
                                 const WarningThresholds& t);

}  // namespace gw
