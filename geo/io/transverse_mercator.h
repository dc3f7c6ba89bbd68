#pragma once
/**
 * The transverse Mercator (Gauss-Krüger) projection from longitude and latitude, by Krüger's
 * series in the third flattening n to n⁶ (C. F. F. Karney, "Transverse Mercator with an accuracy
 * of a few nanometers", J. Geodesy 85, 2011: eqs. 7–9 for the conformal latitude, 10–11 and 35
 * for the series, 14 for the rectifying radius): accurate to nanometres within
 * thousands of kilometres of the central meridian, as PROJ's own "exact" tmerc is. Reading a
 * county in CGCS2000 degrees projects two million vertices into its Gauss-Krüger zone; through
 * PROJ each costs ~190 ns, a fifth of the reading's CPU, most of it PROJ's pipeline around six
 * elementary functions this does directly (~100 ns). The way back point by point, by Karney's
 * Newton steps for the latitude, cost more than PROJ's own (~390 ns against ~290): it goes through
 * tiles of the plane instead (TiledTransverseMercator::Way::Inverse).
 * Transform (geo/io/crs.h) uses it only where it has checked it against PROJ for the CRS pair.
 */
#include <array>
#include <atomic>
#include <memory>
#include <span>

#include "geo/core/geometry.h"

namespace gw {

class TransverseMercator {
public:
    struct Params {
        double a = 0, inv_flattening = 0;  // the ellipsoid
        double lon0 = 0, lat0 = 0;         // the natural origin, degrees
        double k0 = 1, false_easting = 0, false_northing = 0;
    };
    explicit TransverseMercator(const Params& p);

    /**
     * Easting and northing of a longitude and latitude (degrees) of the projection's own datum.
     * For latitudes within (−90°, 90°); the caller keeps to where it was checked.
     */
    Vec2 forward(double lon, double lat) const;
    /**
     * The longitude and latitude (degrees) whose forward() is (x, y): Newton's method on forward()
     * itself, so that the way back is the series' own inverse to its rounding (~3 µs: for fitting
     * the inverse's tiles, not for each point). NaN where it does not converge.
     */
    Vec2 inverse(double x, double y) const;

    double lon0() const { return lon0_deg_; }
    /** Easting and northing of (lon0, 0): the centre of the projected plane's useful part. */
    Vec2 origin() const { return {x0_, y0_}; }

private:
    /** ξ (northing) and η (easting) on the unit sphere before scaling, of φ and λ in radians. */
    Vec2 xi_eta(double phi, double lam) const;

    double e_ = 0;                 // eccentricity
    double scale_ = 0;             // k0 · A, A the rectifying radius
    std::array<double, 6> alpha_;  // Krüger's α₁…α₆
    double lon0_deg_ = 0, x0_ = 0, y0_ = 0;
};

/**
 * TransverseMercator's forward() five to ten times faster, for reading (and its inverse(), for
 * writing back, Way::Inverse: tiles of 8,192 m by 8,192 m of the projected plane, within 1,000 km
 * of the central meridian and 84° of the equator, each checked against inverse() to kTileAgrees
 * / 2 on the ground (111,319.49 m a degree of latitude, cos φ of that of longitude); where none serves,
 * as here and there from ~57° and mostly beyond ~61°, where longitude turns too fast for a
 * tile, a point comes back NaN, for Transform to take its batch through PROJ rather than
 * Newton's steps at ~3 µs a point): over a tile of 1/16°
 * by 1/16° the projection is a polynomial to far below a double's rounding (its error falls as the tile's
 * angular size to the fifth, ~10⁻¹³ m at degree 4), so each tile gets one, fitted through the
 * series at 5 × 5 Chebyshev points the first time a point falls in it (~3 µs), and a point costs
 * 14 multiply-adds a coordinate by Horner (~10 ns against ~100 where points follow one another, as
 * a track's and a ring's do; ~20 in random order). A tile is kept only where it agrees with the
 * series to kTileAgrees at 25 points of a grid of quarter tiles; elsewhere the series itself serves
 * it (no tile within ±9° and ±84° on CGCS2000's, WGS84's or Krassowsky's ellipsoid: the two
 * differ by their rounding alone, 6 nm at most, at 84°). What a point becomes depends on the point
 * alone, never on the batch it came in, so that a vertex two layers share stays one point once projected.
 * Thread-safe: tiles are fitted on first use and published with a compare-and-swap (two threads
 * fitting one tile fit the same numbers; one copy is kept).
 */
class TiledTransverseMercator {
    struct Tile;

public:
    enum class Way { Forward, Inverse };
    explicit TiledTransverseMercator(const TransverseMercator& tm, Way way = Way::Forward);
    ~TiledTransverseMercator();
    TiledTransverseMercator(const TiledTransverseMercator&) = delete;
    TiledTransverseMercator& operator=(const TiledTransverseMercator&) = delete;

    /** Easting and northing of a longitude and latitude (degrees), as TransverseMercator::forward
     * (Way::Forward). */
    Vec2 forward(double lon, double lat) const { return at({lon, lat}); }
    /** Each point the way of the tiles, in place: to easting and northing, or back (Way::Inverse). */
    void forward(std::span<Vec2> pts) const;
    /** One point the way of the tiles: forward(), or TransverseMercator::inverse() (Way::Inverse). */
    Vec2 at(Vec2 p) const;
    Way way() const { return way_; }

    /**
     * at() for points given one at a time that mostly follow one another (a track's fixes, a
     * ring's vertices): it keeps the last point's tile at hand. One per thread.
     */
    class Cursor {
    public:
        explicit Cursor(const TiledTransverseMercator& tiles) : tiles_(tiles) {}
        Vec2 operator()(Vec2 lonlat);

    private:
        const TiledTransverseMercator& tiles_;
        double i_ = 0, j_ = 0;  // the last point's tile, where tile_ is set
        const Tile* tile_ = nullptr;
    };

    const TransverseMercator& series() const { return tm_; }
    /** What the series gives for p the way of the tiles (forward or inverse), without them. */
    Vec2 exact(Vec2 p) const { return way_ == Way::Forward ? tm_.forward(p.x, p.y) : tm_.inverse(p.x, p.y); }
    /** What a point no tile serves becomes: the series (forward), NaN (inverse). */
    Vec2 missed(Vec2 p) const;
    /** How many tiles the series serves because their polynomial missed kTileAgrees (for tests). */
    int series_tiles() const { return series_tiles_.load(std::memory_order_relaxed); }

    static constexpr double kTilesPerDegree = 16;
    static constexpr double kMetresPerTile = 8192;  // the inverse's tiles (a power of two: u and v exact)
    static constexpr double kTileAgrees =
        1e-8;  // metres: rounding of the series and of the fit is 6e-9 at most

private:
    struct Block;
    /** The tile of tile-grid cell (i, j) (i, j from the table's corner), fitted on first use. */
    const Tile& tile(int i, int j) const;
    Tile fit(int i, int j) const;

    TransverseMercator tm_;
    Way way_;
    double per_tile_ = 0,
           tiles_per_ = 0;  // degrees (forward) or metres (inverse) a tile has across, and 1 / that
    double tolerance_ = 0;  // kTileAgrees in the units of the result
    int i0_ = 0, j0_ = 0;   // the table's corner, in tiles from (0, 0)
    int ni_ = 0, nj_ = 0, blocks_x_ = 0;             // its size, in tiles and in blocks across
    std::unique_ptr<std::atomic<Block*>[]> blocks_;  // 16 × 16 tiles each, made on first use
    mutable std::atomic<int> series_tiles_{0};
};

}  // namespace gw
