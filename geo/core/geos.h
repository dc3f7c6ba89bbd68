#pragma once
/**
 * Small RAII types over GEOS's reentrant C API: one context per thread, owned geometries as
 * unique_ptrs with a deleter bound to that context, and conversions to and from geo/core/geometry.h.
 */
#include <geos_c.h>

#include <memory>
#include <string>

#include "geo/core/geometry.h"

namespace gw::geos {

/** The calling thread's GEOS context (created on first use, destroyed with the thread). */
GEOSContextHandle_t ctx();

struct GeomDeleter {
    void operator()(GEOSGeometry* g) const {
        if (g) GEOSGeom_destroy_r(ctx(), g);
    }
};
using Geom = std::unique_ptr<GEOSGeometry, GeomDeleter>;

struct PreparedDeleter {
    void operator()(const GEOSPreparedGeometry* g) const {
        if (g) GEOSPreparedGeom_destroy_r(ctx(), g);
    }
};
using Prepared = std::unique_ptr<const GEOSPreparedGeometry, PreparedDeleter>;

Geom to_geos(const Polygon& p);
Geom to_geos(const MultiPolygon& mp);
Geom point(Vec2 p);
/** Polygonal parts of g (polygons of collections included; lines and points dropped). */
MultiPolygon to_multipolygon(const GEOSGeometry* g);

double area(const GEOSGeometry* g);
bool is_valid(const GEOSGeometry* g, std::string* reason = nullptr);
/** GEOSMakeValid, keeping only the polygonal parts. */
MultiPolygon make_valid(const MultiPolygon& mp);
Geom union_all(const MultiPolygon* parts[], size_t n);
/** GEOSUnaryUnion of g; throws gw::Error when GEOS fails. */
Geom unary_union(const GEOSGeometry* g);
/** GEOSBuffer of g by d (quadsegs segments a quarter circle); throws gw::Error when GEOS fails. */
Geom buffer(const GEOSGeometry* g, double d, int quadsegs);
/** a ∪ b, both valid; cheaper than unary_union of the two (no cascade to set up). */
Geom union_of(const GEOSGeometry* a, const GEOSGeometry* b);
Geom difference(const GEOSGeometry* a, const GEOSGeometry* b);
Geom intersection(const GEOSGeometry* a, const GEOSGeometry* b);

}  // namespace gw::geos
