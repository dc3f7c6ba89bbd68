#include "geo/io/crs.h"

#include <cmath>

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

Transform::Transform(const OGRSpatialReference& from, const OGRSpatialReference& to) {
    if (from.IsSame(&to)) return;
    OGRSpatialReference a(from), b(to);
    a.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    b.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ct_ = OGRCreateCoordinateTransformation(&a, &b);
    if (!ct_)
        throw Error("no coordinate transformation from " + crs_label(from) + " to " + crs_label(to), {},
                    "check the layer's CRS, or pass --work-crs");
}
Transform::~Transform() { OGRCoordinateTransformation::DestroyCT(ct_); }
Transform::Transform(Transform&& o) noexcept : ct_(o.ct_) { o.ct_ = nullptr; }
Transform& Transform::operator=(Transform&& o) noexcept {
    std::swap(ct_, o.ct_);
    return *this;
}

void Transform::apply(std::vector<Vec2>& pts, const std::string& what) const {
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
