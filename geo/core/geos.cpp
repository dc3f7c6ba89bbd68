#include "geo/core/geos.h"

#include <cstdarg>
#include <cstdio>
#include <vector>

#include "geo/core/error.h"

namespace gw::geos {
namespace {

void on_notice(const char*, void*) {}
void on_error(const char* msg, void* last) { *static_cast<std::string*>(last) = msg; }

struct ThreadContext {
    GEOSContextHandle_t h = nullptr;
    std::string last_error;
    ThreadContext() {
        h = GEOS_init_r();
        GEOSContext_setNoticeMessageHandler_r(h, on_notice, nullptr);
        GEOSContext_setErrorMessageHandler_r(h, on_error, &last_error);
    }
    ~ThreadContext() { GEOS_finish_r(h); }
};

thread_local ThreadContext tls;

GEOSGeometry* ring_to_geos(const Ring& r, bool shell) {
    GEOSContextHandle_t h = ctx();
    const size_t n = r.size();
    GEOSCoordSequence* cs = GEOSCoordSeq_create_r(h, static_cast<unsigned>(n + 1), 2);
    for (size_t i = 0; i <= n; ++i) {
        const Vec2 p = r[i % n];
        GEOSCoordSeq_setXY_r(h, cs, static_cast<unsigned>(i), p.x, p.y);
    }
    (void)shell;
    return GEOSGeom_createLinearRing_r(h, cs);
}

GEOSGeometry* polygon_raw(const Polygon& p) {
    GEOSContextHandle_t h = ctx();
    if (p.rings.empty() || p.rings[0].size() < 3) return GEOSGeom_createEmptyPolygon_r(h);
    GEOSGeometry* shell = ring_to_geos(p.rings[0], true);
    std::vector<GEOSGeometry*> holes;
    for (size_t i = 1; i < p.rings.size(); ++i)
        if (p.rings[i].size() >= 3) holes.push_back(ring_to_geos(p.rings[i], false));
    return GEOSGeom_createPolygon_r(h, shell, holes.data(), static_cast<unsigned>(holes.size()));
}

Ring ring_from_geos(const GEOSGeometry* ring) {
    GEOSContextHandle_t h = ctx();
    const GEOSCoordSequence* cs = GEOSGeom_getCoordSeq_r(h, ring);
    unsigned n = 0;
    GEOSCoordSeq_getSize_r(h, cs, &n);
    Ring r;
    r.reserve(n);
    for (unsigned i = 0; i + 1 < n; ++i) {  // drop the closing point
        double x, y;
        GEOSCoordSeq_getXY_r(h, cs, i, &x, &y);
        r.push_back({x, y});
    }
    return r;
}

void collect(const GEOSGeometry* g, MultiPolygon& out) {
    GEOSContextHandle_t h = ctx();
    const int type = GEOSGeomTypeId_r(h, g);
    if (type == GEOS_POLYGON) {
        if (GEOSisEmpty_r(h, g)) return;
        Polygon p;
        p.rings.push_back(ring_from_geos(GEOSGetExteriorRing_r(h, g)));
        const int nh = GEOSGetNumInteriorRings_r(h, g);
        for (int i = 0; i < nh; ++i) p.rings.push_back(ring_from_geos(GEOSGetInteriorRingN_r(h, g, i)));
        out.push_back(std::move(p));
    } else if (type == GEOS_MULTIPOLYGON || type == GEOS_GEOMETRYCOLLECTION) {
        const int n = GEOSGetNumGeometries_r(h, g);
        for (int i = 0; i < n; ++i) collect(GEOSGetGeometryN_r(h, g, i), out);
    }
}

Geom checked(GEOSGeometry* g, const char* what) {
    if (!g) throw Error(std::string("GEOS ") + what + " failed: " + tls.last_error);
    return Geom(g);
}

}  // namespace

GEOSContextHandle_t ctx() { return tls.h; }

Geom to_geos(const Polygon& p) { return checked(polygon_raw(p), "polygon"); }

Geom to_geos(const MultiPolygon& mp) {
    std::vector<GEOSGeometry*> parts;
    parts.reserve(mp.size());
    for (const auto& p : mp) parts.push_back(polygon_raw(p));
    return checked(GEOSGeom_createCollection_r(ctx(), GEOS_MULTIPOLYGON, parts.data(),
                                               static_cast<unsigned>(parts.size())),
                   "multipolygon");
}

Geom point(Vec2 p) { return checked(GEOSGeom_createPointFromXY_r(ctx(), p.x, p.y), "point"); }

MultiPolygon to_multipolygon(const GEOSGeometry* g) {
    MultiPolygon out;
    if (g) collect(g, out);
    return out;
}

double area(const GEOSGeometry* g) {
    double a = 0;
    GEOSArea_r(ctx(), g, &a);
    return a;
}

bool is_valid(const GEOSGeometry* g, std::string* reason) {
    char r = GEOSisValid_r(ctx(), g);
    if (r != 1 && reason) {
        char* why = GEOSisValidReason_r(ctx(), g);
        if (why) {
            *reason = why;
            GEOSFree_r(ctx(), why);
        }
    }
    return r == 1;
}

MultiPolygon make_valid(const MultiPolygon& mp) {
    Geom g = to_geos(mp);
    Geom v = checked(GEOSMakeValid_r(ctx(), g.get()), "MakeValid");
    return to_multipolygon(v.get());
}

Geom union_all(const MultiPolygon* parts[], size_t n) {
    std::vector<GEOSGeometry*> polys;
    for (size_t i = 0; i < n; ++i)
        for (const auto& p : *parts[i]) polys.push_back(polygon_raw(p));
    Geom coll = checked(GEOSGeom_createCollection_r(ctx(), GEOS_MULTIPOLYGON, polys.data(),
                                                    static_cast<unsigned>(polys.size())),
                        "collection");
    return checked(GEOSUnaryUnion_r(ctx(), coll.get()), "union");
}

Geom unary_union(const GEOSGeometry* g) { return checked(GEOSUnaryUnion_r(ctx(), g), "union"); }

Geom buffer(const GEOSGeometry* g, double d, int quadsegs) {
    return checked(GEOSBuffer_r(ctx(), g, d, quadsegs), "buffer");
}

Geom union_of(const GEOSGeometry* a, const GEOSGeometry* b) {
    return checked(GEOSUnion_r(ctx(), a, b), "union");
}

Geom difference(const GEOSGeometry* a, const GEOSGeometry* b) {
    return checked(GEOSDifference_r(ctx(), a, b), "difference");
}
Geom intersection(const GEOSGeometry* a, const GEOSGeometry* b) {
    return checked(GEOSIntersection_r(ctx(), a, b), "intersection");
}

}  // namespace gw::geos
