#include "geo/io/crs.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <map>
#include <mutex>
#include <utility>

#include "geo/core/error.h"

namespace gw {

OGRSpatialReference parse_crs(const std::string& def, const std::string& what) {
    OGRSpatialReference srs;
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (def.empty() || srs.SetFromUserInput(def.c_str()) != OGRERR_NONE)
        throw Error("'" + def + "' is not a CRS GDAL knows", {"", "", "", what},
                    "give it as EPSG:4490, a WKT or a PROJ string");
    return srs;
}

std::string crs_wkt2(const OGRSpatialReference& srs) {
    char* wkt = nullptr;
    const char* const options[] = {"FORMAT=WKT2_2019", nullptr};
    srs.exportToWkt(&wkt, options);
    std::string out = wkt ? wkt : "";
    CPLFree(wkt);
    return out;
}

const OGRSpatialReference* layer_crs(OGRLayer& layer) {
    const OGRSpatialReference* s = layer.GetSpatialRef();
    if (!s) return nullptr;
    std::string name = s->GetName() ? s->GetName() : "";
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return char(std::tolower(c)); });
    if (s->IsLocal() || name == "undefined geographic srs" || name == "undefined cartesian srs")
        return nullptr;
    return s;
}

std::string crs_label(const OGRSpatialReference& srs) {
    const char* auth = srs.GetAuthorityName(nullptr);
    const char* code = srs.GetAuthorityCode(nullptr);
    if (auth && code) return std::string(auth) + ":" + code;
    OGRSpatialReference copy(srs);
    if (copy.AutoIdentifyEPSG() == OGRERR_NONE && copy.GetAuthorityCode(nullptr))
        return std::string("EPSG:") + copy.GetAuthorityCode(nullptr);
    const char* name = srs.GetName();
    return name ? name : "unknown";
}

bool is_metric_projected(const OGRSpatialReference& srs) {
    return srs.IsProjected() && std::abs(srs.GetLinearUnits() - 1.0) < 1e-9;
}

Vec2 local_metres_per_unit(const OGRSpatialReference& srs, double lat) {
    if (!srs.IsGeographic()) return {srs.GetLinearUnits(), srs.GetLinearUnits()};
    const double deg = srs.GetAngularUnits() * 180 / M_PI;  // degrees per unit (grads: 0.9)
    return {111320.0 * std::cos(lat * M_PI / 180) * deg, 110574.0 * deg};
}

CoordLimits CoordLimits::of(const OGRSpatialReference& srs) {
    CoordLimits l;
    if (srs.IsGeographic()) {
        l.geographic = true, l.x = 360, l.y = 90 + 1e-6;
    } else if (const double unit = srs.GetLinearUnits(); unit > 0 && std::isfinite(unit)) {
        l.x = l.y = 1e8 / unit;
    }
    return l;
}

int gauss_kruger_epsg(double lon) {
    const int cm = static_cast<int>(std::lround(lon / 3.0)) * 3;
    if (cm < 75 || cm > 135) return 0;
    return 4534 + (cm - 75) / 3;
}

int utm_epsg(double lon, double lat) {
    // Clamped before the conversion: the centre of a layer with wild coordinates (1e16 in a
    // longitude column) would overflow an int, which is undefined behaviour.
    const double z = std::floor((lon + 180.0) / 6.0) + 1;
    const int zone = std::isnan(z) ? 31 : static_cast<int>(std::clamp(z, 1.0, 60.0));
    return (lat >= 0 ? 32600 : 32700) + zone;
}

bool in_china(double lon, double lat) { return lon >= 73.0 && lon <= 135.1 && lat >= 3.0 && lat <= 53.6; }

int working_epsg_for(double lon, double lat) {
    if (in_china(lon, lat)) {
        if (int gk = gauss_kruger_epsg(lon)) return gk;
    }
    return utm_epsg(lon, lat);
}

double tm_scale_error(double dlon, double lat, double k0) {
    constexpr double kRad = 3.14159265358979323846 / 180.0;
    const double b = std::cos(lat * kRad) * std::sin(std::min(std::abs(dlon), 89.0) * kRad);
    return std::abs(k0 / std::sqrt(1 - b * b) - 1);
}

namespace {

std::string fmt(const char* f, double a, double b = 0, double c = 0) {
    char buf[256];
    std::snprintf(buf, sizeof buf, f, a, b, c);
    return buf;
}

/** CGCS2000 Albers equal-area conic for China: 25°N and 47°N standard parallels, 105°E. */
OGRSpatialReference albers_china() {
    OGRSpatialReference geo = parse_crs("EPSG:4490");
    OGRSpatialReference s;
    s.SetProjCS("CGCS2000 / Albers equal-area China (25N 47N 105E)");
    s.CopyGeogCSFrom(&geo);
    s.SetACEA(25.0, 47.0, 0.0, 105.0, 0.0, 0.0);
    s.SetLinearUnits(SRS_UL_METER, 1.0);
    s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    return s;
}

}  // namespace

WorkCrsChoice choose_working_crs(double lon0, double lat0, double lon1, double lat1) {
    WorkCrsChoice c;
    const double span = lon1 - lon0, lon = (lon0 + lon1) / 2, lat = (lat0 + lat1) / 2;
    // A transverse Mercator's scale error is largest on the latitude nearest the equator.
    const double near_equator = lat0 <= 0 && lat1 >= 0 ? 0.0 : std::min(std::abs(lat0), std::abs(lat1));
    if (span <= kMaxZoneSpanDeg) {
        const int epsg = working_epsg_for(lon, lat);
        c.srs = parse_crs("EPSG:" + std::to_string(epsg));
        const bool gk = epsg >= 4534 && epsg <= 4554;
        const double cm = gk ? 75.0 + 3.0 * (epsg - 4534) : -183.0 + 6.0 * (epsg % 100);
        const double edge = std::max(std::abs(lon0 - cm), std::abs(lon1 - cm));
        const double err = std::max(tm_scale_error(edge, near_equator, gk ? 1.0 : 0.9996),
                                    gk ? 0.0 : tm_scale_error(0, 0, 0.9996));
        c.reason = fmt("extent spans %.2f° of longitude, within %.2f° of the central meridian %g°", span, edge, cm) +
                   (gk ? ": the CGCS2000 3-degree Gauss-Kruger zone of its centre (data in China)"
                       : ": the WGS84 UTM zone of its centre") +
                   fmt(", scale error at most %.3f%%", 100 * err);
        return c;
    }
    c.wide = true;
    // What one zone centred on the data would do at its edges.
    const double edge_err = tm_scale_error(span / 2, near_equator);
    const std::string why =
        fmt("extent spans %.1f° of longitude: one transverse Mercator zone would distort it (", span) +
        (edge_err < 1 ? fmt("%.0f%% in lengths at its edges)", 100 * edge_err) : std::string("lengths doubled and more at its edges)"));
    if (in_china(lon, lat) && span <= 90.0) {
        c.srs = albers_china();
        c.reason = why + "; Albers equal-area conic for China chosen (areas true, distances and angles distorted)";
    } else {
        c.srs = parse_crs("EPSG:8857");
        c.reason = why + "; Equal Earth (world, equal-area) chosen (areas true, distances and angles distorted)";
    }
    return c;
}

namespace {

// Where the series stands in for PROJ: within this many degrees of the central meridian (a
// Gauss-Krüger zone is ±1.5°, a UTM zone ±3°, a county read into its zone's neighbour a little
// more) and of the equator.
constexpr double kSeriesLon = 9, kSeriesLat = 84;
constexpr double kSeriesAgrees = 2e-8;  // metres at every point of the check: ten ulps of 10,000 km

/**
 * The transverse Mercator `tm` is, when `degrees` is longitude and latitude in degrees on the same
 * datum (so that PROJ's operation is the projection alone); the check against PROJ decides.
 */
std::optional<TransverseMercator::Params> tm_params(const OGRSpatialReference& degrees,
                                                    const OGRSpatialReference& tm) {
    if (!degrees.IsGeographic() || degrees.IsDerivedGeographic() || !tm.IsProjected() ||
        degrees.GetAxesCount() != 2)
        return std::nullopt;
    const char* method = tm.GetAttrValue("PROJECTION");
    if (!method || std::string(method) != SRS_PT_TRANSVERSE_MERCATOR) return std::nullopt;
    if (std::abs(degrees.GetAngularUnits() - M_PI / 180) > 1e-15 || tm.GetLinearUnits() != 1.0 ||
        degrees.GetPrimeMeridian() != 0.0 || !tm.IsSameGeogCS(&degrees))
        return std::nullopt;
    TransverseMercator::Params p;
    OGRErr err = OGRERR_NONE;
    p.a = tm.GetSemiMajor(&err);
    if (err != OGRERR_NONE) return std::nullopt;
    p.inv_flattening = tm.GetInvFlattening(&err);
    if (err != OGRERR_NONE || !(p.inv_flattening > 1)) return std::nullopt;
    p.lon0 = tm.GetNormProjParm(SRS_PP_CENTRAL_MERIDIAN, 0, &err);
    p.lat0 = tm.GetNormProjParm(SRS_PP_LATITUDE_OF_ORIGIN, 0);
    p.k0 = tm.GetNormProjParm(SRS_PP_SCALE_FACTOR, 1);
    p.false_easting = tm.GetNormProjParm(SRS_PP_FALSE_EASTING, 0);
    p.false_northing = tm.GetNormProjParm(SRS_PP_FALSE_NORTHING, 0);
    if (err != OGRERR_NONE) return std::nullopt;
    return p;
}

/** Whether degrees are within the lattice the series was checked on. */
bool in_lattice(const TransverseMercator& tm, Vec2 lonlat) {
    return std::abs(lonlat.x - tm.lon0()) <= kSeriesLon && std::abs(lonlat.y) <= kSeriesLat;
}

/**
 * Whether PROJ (`ct`) agrees with the series over the lattice, to kSeriesAgrees: the lattice
 * projected as the series projects it, or (`back`) the series' projection of it taken back to it,
 * compared on the ground (a degree of latitude 111,319.49 m, one of longitude cos φ of that: near
 * the pole the rounding of an easting of 39,500,000 m is many nanometres "of the equator").
 */
bool series_agrees(const TransverseMercator& tm, OGRCoordinateTransformation& ct, bool back) {
    std::vector<Vec2> lattice;
    for (double dlon = -kSeriesLon; dlon <= kSeriesLon; dlon += 0.375)
        for (double lat = -kSeriesLat; lat <= kSeriesLat; lat += 1.5)
            lattice.push_back({tm.lon0() + dlon, lat});
    std::vector<double> xs, ys;
    for (Vec2 p : lattice) {
        const Vec2 q = back ? tm.forward(p.x, p.y) : p;
        xs.push_back(q.x), ys.push_back(q.y);
    }
    std::vector<int> ok(xs.size(), 0);
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    if (!ct.Transform(static_cast<int>(xs.size()), xs.data(), ys.data(), nullptr, ok.data())) return false;
    constexpr double kMetresPerDegree = 111319.49;
    for (size_t i = 0; i < xs.size(); ++i) {
        const Vec2 want = back ? lattice[i] : tm.forward(lattice[i].x, lattice[i].y);
        const double sx = back ? std::cos(lattice[i].y * M_PI / 180) * kMetresPerDegree : 1;
        const double sy = back ? kMetresPerDegree : 1;
        if (!ok[i] || !(std::abs(xs[i] - want.x) * sx <= kSeriesAgrees &&
                        std::abs(ys[i] - want.y) * sy <= kSeriesAgrees))
            return false;
    }
    return true;
}

/**
 * What tells one CRS from another for PROJ: its WKT2, and the PROJ string a CRS made from one keeps
 * when WKT cannot say all of it (`+approx`, `+algo=…`: another algorithm under the same WKT2). Not
 * exportToProj4, which costs 2 ms a CRS; a Transform is made per layer and thread.
 */
std::string crs_key(const OGRSpatialReference& srs) {
    const char* proj4 = srs.GetExtension(srs.IsProjected() ? "PROJCS" : "GEOGCS", "PROJ4", nullptr);
    return crs_wkt2(srs) + "\n" + (proj4 ? proj4 : "");
}

}  // namespace

Transform::Transform(const OGRSpatialReference& from, const OGRSpatialReference& to) {
    if (from.IsSame(&to)) return;
    OGRSpatialReference a(from), b(to);
    a.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    b.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ct_ = OGRCreateCoordinateTransformation(&a, &b);
    if (!ct_)
        throw Error("no coordinate transformation from " + crs_label(from) + " to " + crs_label(to), {},
                    "check the layer's CRS, or pass --work-crs");
    // Degrees into a transverse Mercator, or the way back.
    auto params = tm_params(a, b);
    const bool back = !params;
    if (back) params = tm_params(b, a);
    if (!params) return;
    // Checked once per pair of CRSs (a reading makes a Transform per layer and thread), whose
    // Transforms then share one set of tiles.
    static std::mutex mutex;
    static std::map<std::pair<std::string, std::string>, std::shared_ptr<const TiledTransverseMercator>>
        checked;
    const auto key = std::pair(crs_key(a), crs_key(b));
    std::lock_guard lock(mutex);
    auto [it, added] = checked.try_emplace(key);
    if (added) {
        const TransverseMercator tm(*params);
        using Way = TiledTransverseMercator::Way;
        if (series_agrees(tm, *ct_, back))
            it->second =
                std::make_shared<const TiledTransverseMercator>(tm, back ? Way::Inverse : Way::Forward);
    }
    tm_ = it->second;
}

Transform::~Transform() { OGRCoordinateTransformation::DestroyCT(ct_); }
Transform::Transform(Transform&& o) noexcept : ct_(o.ct_), tm_(std::move(o.tm_)) { o.ct_ = nullptr; }
Transform& Transform::operator=(Transform&& o) noexcept {
    std::swap(ct_, o.ct_);
    std::swap(tm_, o.tm_);
    return *this;
}

bool Transform::series_takes(std::span<const Vec2> pts) const {
    return tm_ && tm_->way() == TiledTransverseMercator::Way::Forward &&
           std::all_of(pts.begin(), pts.end(), [&](Vec2 p) { return in_lattice(tm_->series(), p); });
}

void Transform::apply_series(std::span<Vec2> pts) const { tm_->forward(pts); }

bool Transform::try_series(std::span<Vec2> pts) const {
    if (!tm_) return false;
    if (tm_->way() == TiledTransverseMercator::Way::Forward) {
        if (!series_takes(pts)) return false;
        apply_series(pts);
        return true;
    }
    // The way back: a point is known to be within the lattice once it is back in degrees.
    std::vector<Vec2> back(pts.begin(), pts.end());
    tm_->forward(std::span(back));
    if (!std::all_of(back.begin(), back.end(), [&](Vec2 p) { return in_lattice(tm_->series(), p); }))
        return false;
    std::copy(back.begin(), back.end(), pts.begin());
    return true;
}

void Transform::apply(std::vector<Vec2>& pts, const std::string& what) const {
    if (!try_series(pts)) apply_by_proj(pts, what);
}

void Transform::apply_by_proj(std::vector<Vec2>& pts, const std::string& what) const {
    if (!ct_ || pts.empty()) return;
    std::vector<double> xs(pts.size()), ys(pts.size());
    for (size_t i = 0; i < pts.size(); ++i) xs[i] = pts[i].x, ys[i] = pts[i].y;
    std::vector<int> ok(pts.size(), 0);
    if (!ct_->Transform(static_cast<int>(pts.size()), xs.data(), ys.data(), nullptr, ok.data()))
        for (int v : ok)
            if (!v) throw Error("coordinates cannot be transformed to the working CRS", {"", "", what, ""},
                                "check the layer's CRS (or --assume-crs)");
    for (size_t i = 0; i < pts.size(); ++i) {
        if (!std::isfinite(xs[i]) || !std::isfinite(ys[i]))
            throw Error("coordinates cannot be transformed to the working CRS", {"", "", what, ""},
                        "check the layer's CRS (or --assume-crs)");
        pts[i] = {xs[i], ys[i]};
    }
}

Vec2 Transform::apply(Vec2 p) const {
    std::vector<Vec2> v{p};
    apply(v);
    return v[0];
}

}  // namespace gw
