#pragma once
/**
 * The transverse Mercator (Gauss-Krüger) projection from longitude and latitude, by Krüger's
 * series in the third flattening n to n⁶ (C. F. F. Karney, "Transverse Mercator with an accuracy
 * of a few nanometers", J. Geodesy 85, 2011: eqs. 7–9 for the conformal latitude, 10–11 and 35
 * for the series, 14 for the rectifying radius): accurate to nanometres within
 * thousands of kilometres of the central meridian, as PROJ's own "exact" tmerc is. Reading a
 * county in CGCS2000 degrees projects two million vertices into its Gauss-Krüger zone; through
 * PROJ each costs ~190 ns, a fifth of the reading's CPU, most of it PROJ's pipeline around six
 * elementary functions this does directly (~110 ns). The way back is left to PROJ: by Karney's
 * Newton steps for the latitude it cost more than PROJ's own (~390 ns against ~290).
 * Transform (geo/io/crs.h) uses it only where it has checked it against PROJ for the CRS pair.
 */
#include <array>

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

    double lon0() const { return lon0_deg_; }

private:
    /** ξ (northing) and η (easting) on the unit sphere before scaling, of φ and λ in radians. */
    Vec2 xi_eta(double phi, double lam) const;

    double e_ = 0;                 // eccentricity
    double scale_ = 0;             // k0 · A, A the rectifying radius
    std::array<double, 6> alpha_;  // Krüger's α₁…α₆
    double lon0_deg_ = 0, x0_ = 0, y0_ = 0;
};

}  // namespace gw
