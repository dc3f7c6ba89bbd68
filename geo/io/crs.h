#pragma once
/**
 * Coordinate reference systems: parsing user CRS strings, choosing the metric working CRS
 * (SPEC §3), and transforming coordinates through OGR with traditional GIS axis order
 * (longitude/easting first, whatever the EPSG definition says).
 */
#include <memory>
#include <string>
#include <vector>

#include <ogr_spatialref.h>

#include "geo/core/geometry.h"

namespace gw {

/** Parses "EPSG:4490", a WKT, or a PROJ string; throws gw::Error naming `what` when it cannot. */
OGRSpatialReference parse_crs(const std::string& def, const std::string& what = "--crs");

/** "EPSG:4490" when the CRS has an EPSG code, else its name. */
std::string crs_label(const OGRSpatialReference& srs);

/** True when the CRS is projected with metre units. */
bool is_metric_projected(const OGRSpatialReference& srs);

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

/** A coordinate transformation between two CRSs; throws gw::Error when PROJ cannot make one. */
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

private:
    OGRCoordinateTransformation* ct_ = nullptr;
};

}  // namespace gw
