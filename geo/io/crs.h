#pragma once
/**
 * Coordinate reference systems: parsing user CRS strings, choosing the metric working CRS
 * (SPEC §3), and transforming coordinates through OGR with traditional GIS axis order
 * (longitude/easting first, whatever the EPSG definition says).
 */
#include <ogr_core.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "geo/core/geometry.h"
#include "geo/io/transverse_mercator.h"

namespace gw {

/** Parses "EPSG:4490", a WKT, or a PROJ string; throws gw::Error naming `what` when it cannot. */
OGRSpatialReference parse_crs(const std::string& def, const std::string& what = "--crs");

/** The CRS as WKT2 (2019): what identifies it, and carries it to another thread. */
std::string crs_wkt2(const OGRSpatialReference& srs);

/**
 * The CRS of a layer, or null where it has none to transform from: none at all, a GeoPackage's
 * srs_id 0 or −1 (GDAL reads them as "Undefined geographic SRS" and "Undefined Cartesian SRS"),
 * or another engineering (local) CRS. Such a layer is read with --assume-crs, as one without a CRS.
 */
const OGRSpatialReference* layer_crs(OGRLayer& layer);

/** "EPSG:4490" when the CRS has an EPSG code, else its name. */
std::string crs_label(const OGRSpatialReference& srs);

/** True when the CRS is projected with metre units. */
bool is_metric_projected(const OGRSpatialReference& srs);

/**
 * How far coordinates may lie in a layer's CRS: longitude and latitude within a turn of the
 * globe, projected coordinates within 100 000 km. Beyond that a value is a typing error or a
 * stand-in value (1e308), and would make the working CRS a guess and areas wrong.
 */
/**
 * Metres per unit of `srs` along x and y near latitude `lat` (degrees; used only when `srs` is
 * geographic): a local frame for distances of a few tens of km, the equirectangular scale of
 * longitude shrinking by cos(lat); a projected CRS's linear unit on both axes.
 */
Vec2 local_metres_per_unit(const OGRSpatialReference& srs, double lat);

struct CoordLimits {
    double x = 1e8, y = 1e8;
    bool geographic = false;
    static CoordLimits of(const OGRSpatialReference& srs);
    bool holds(double x, double y) const { return std::abs(x) <= this->x && std::abs(y) <= this->y; }
    bool holds(const OGREnvelope& e) const { return holds(e.MinX, e.MinY) && holds(e.MaxX, e.MaxY); }
};

/**
 * EPSG code of the CGCS2000 3-degree Gauss-Kruger zone (no zone prefix in the easting) whose
 * central meridian is nearest to `lon`: 4534 + (CM − 75) / 3. 0 when CM falls outside 75E…135E.
 */
int gauss_kruger_epsg(double lon);

/** EPSG code of the WGS84 UTM zone holding (lon, lat). */
int utm_epsg(double lon, double lat);

/** Rough mainland-China test used to pick Gauss-Kruger over UTM (lon 73–135.1, lat 3–53.6). */
bool in_china(double lon, double lat);

/** The working CRS for data centred at (lon, lat) in geographic degrees (SPEC §3). */
int working_epsg_for(double lon, double lat);

/**
 * Widest longitude span (degrees) kept in the one transverse Mercator zone of the data's centre.
 * The centre may lie up to half a zone (1.5° for Gauss-Kruger) off the zone's central meridian,
 * so a 6° span reaches 4.5° from it, where the scale error of Gauss-Kruger (k0 = 1,
 * k = 1/√(1 − (cos φ sin Δλ)²)) is 0.31 % in lengths and 0.62 % in areas at the equator, 0.25 %
 * at 25°N, 0.18 % at 40°N; a county (under 2°) stays under 0.03 %. Beyond it the error grows with
 * the square of the distance: China's 62° put its western edge 25–30° off a central meridian
 * near 105°E, 6–15 % in lengths and twice that in areas, which is not a working CRS. Outside
 * China the 6° UTM zone (k0 = 0.9996) lets a 6° span reach 6° off its meridian: 0.51 % at the
 * equator, 0.33 % at 35°.
 */
inline constexpr double kMaxZoneSpanDeg = 6.0;

/**
 * Scale error |k − 1| of a transverse Mercator with scale k0 on its central meridian, at `dlon`
 * degrees from it and latitude `lat`.
 */
double tm_scale_error(double dlon, double lat, double k0 = 1.0);

/** The working CRS chosen for an extent, and why (SPEC §3; shown by `gridwatch info`). */
struct WorkCrsChoice {
    OGRSpatialReference srs;
    std::string reason;  // one English sentence
    // The extent is too wide for one zone: the CRS keeps areas, while distances, angles and
    // shapes are distorted (camera ranges and view sectors are not true metres far from its centre).
    bool wide = false;
};

/**
 * The working CRS for data whose extent is lon0…lon1, lat0…lat1 (CGCS2000/WGS84 degrees):
 * - a longitude span up to kMaxZoneSpanDeg: the zone of the centre (working_epsg_for), as before;
 * - wider, centred in China and at most 90° wide (a province, China): an Albers equal-area conic
 *   for China on CGCS2000 (standard parallels 25°N and 47°N, central meridian 105°E, as ESRI's
 *   102025 "Asia North Albers" family uses), which keeps areas exactly; lengths along parallels are off by −1.8 % (at 35°N) to +3.4 %
 *   (at 53°N) between 18°N and 53°N, the inverse along meridians;
 * - anything else wider (a continent elsewhere, the world): Equal Earth (EPSG:8857), equal-area
 *   over the whole globe.
 * A span that crosses the antimeridian reads as wide (the box goes the long way round).
 */
WorkCrsChoice choose_working_crs(double lon0, double lat0, double lon1, double lat1);

/**
 * A coordinate transformation between two CRSs; throws gw::Error when PROJ cannot make one.
 * From longitude and latitude into a transverse Mercator on the same datum (CGCS2000 degrees into
 * a Gauss-Krüger zone, WGS84 into UTM) it computes Krüger's series itself, through tiles of local
 * polynomials (TiledTransverseMercator, ~10–20 ns a point against PROJ's ~190), where the series
 * agrees with PROJ to 20 nm at every point of a lattice over ±9° of the central meridian and ±84°
 * of latitude (checked once per pair of CRSs, whose Transforms share the tiles; each tile agrees
 * with the series to 10 nm, in practice to its rounding); a batch with a point outside that goes
 * through PROJ whole. The way back (a transverse Mercator into its own datum's degrees, as export
 * writes) is the series' inverse through tiles of the plane, ~22 ns a point
 * against PROJ's ~290, where PROJ's inverse gives the lattice back to 20 nm; a batch any point of
 * which comes back outside the lattice goes through PROJ whole.
 */
class Transform {
public:
    Transform(const OGRSpatialReference& from, const OGRSpatialReference& to);
    ~Transform();
    Transform(Transform&&) noexcept;
    Transform& operator=(Transform&&) noexcept;
    /** Transforms in place; throws gw::Error naming `what` when a point fails. */
    void apply(std::vector<Vec2>& pts, const std::string& what = {}) const;
    Vec2 apply(Vec2 p) const;
    bool identity() const { return !ct_; }
    /** Whether points within the checked lattice are projected (or taken back) by the series rather than
     * PROJ. */
    bool by_series() const { return tm_ != nullptr; }
    /**
     * Transforms all of `pts` by the series (true), or none of them (false: a point outside the
     * lattice, either end, or no series for this pair). A pure function, safe on many threads.
     */
    bool try_series(std::span<Vec2> pts) const;
    /** Whether the series projects all of `pts` into the transverse Mercator (each within the lattice; never
     * the way back). */
    bool series_takes(std::span<const Vec2> pts) const;
    bool series_takes(Vec2 p) const { return series_takes(std::span(&p, 1)); }
    /** The series through its tiles, where by_series(): a point at a time (TiledTransverseMercator::Cursor).
     */
    const TiledTransverseMercator& series() const { return *tm_; }
    /** Projects `pts` by the series, as series_takes said it may: a pure function, safe on many threads. */
    void apply_series(std::span<Vec2> pts) const;
    /** Transforms through PROJ alone (a batch the series did not take, split over threads). */
    void apply_by_proj(std::vector<Vec2>& pts, const std::string& what = {}) const;

private:
    OGRCoordinateTransformation* ct_ = nullptr;
    std::shared_ptr<const TiledTransverseMercator> tm_;  // one per pair of CRSs, its tiles shared; either way
};

}  // namespace gw
