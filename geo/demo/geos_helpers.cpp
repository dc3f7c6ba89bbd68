// GEOS helpers of the demo generator: owned results, lines, buffers, unions, Voronoi neighbours.
#include "geo/core/error.h"
#include "geo/demo/demo_internal.h"

namespace gw::demo_detail {

geos::Geom own(GEOSGeometry* g, const char* what) {
    if (!g) throw Error(std::string("demo: GEOS ") + what + " failed");
    return geos::Geom(g);
}

GEOSGeometry* raw_line(const LineString& l) {
    GEOSCoordSequence* cs = GEOSCoordSeq_create_r(gctx(), static_cast<unsigned>(l.size()), 2);
    for (size_t i = 0; i < l.size(); ++i)
        GEOSCoordSeq_setXY_r(gctx(), cs, static_cast<unsigned>(i), l[i].x, l[i].y);
    return GEOSGeom_createLineString_r(gctx(), cs);
}

geos::Geom multi_line(const std::vector<const LineString*>& lines) {
    std::vector<GEOSGeometry*> parts;
    for (const LineString* l : lines)
        if (l->size() >= 2) parts.push_back(raw_line(*l));
    return own(GEOSGeom_createCollection_r(gctx(), GEOS_MULTILINESTRING, parts.data(),
                                           static_cast<unsigned>(parts.size())),
               "multilinestring");
}

geos::Geom buffered(const GEOSGeometry* g, double width) {
    return own(GEOSBuffer_r(gctx(), g, width, 4), "buffer");
}

geos::Geom clone(const GEOSGeometry* g) { return own(GEOSGeom_clone_r(gctx(), g), "clone"); }

geos::Geom union_of(std::vector<geos::Geom> parts) {
    std::vector<GEOSGeometry*> raw;
    for (auto& p : parts) raw.push_back(p.release());
    geos::Geom coll = own(GEOSGeom_createCollection_r(gctx(), GEOS_GEOMETRYCOLLECTION, raw.data(),
                                                      static_cast<unsigned>(raw.size())),
                          "collection");
    return own(GEOSUnaryUnion_r(gctx(), coll.get()), "union");
}

Vec2 xy_of(const GEOSGeometry* pt) {
    double x = 0, y = 0;
    GEOSGeomGetX_r(gctx(), pt, &x);
    GEOSGeomGetY_r(gctx(), pt, &y);
    return {x, y};
}

std::set<std::pair<size_t, size_t>> voronoi_touching(const std::vector<Vec2>& sites, const Area& region) {
    std::set<std::pair<size_t, size_t>> out;
    if (sites.size() < 2) return out;
    std::vector<GEOSGeometry*> raw;
    for (Vec2 p : sites) raw.push_back(GEOSGeom_createPointFromXY_r(gctx(), p.x, p.y));
    geos::Geom mp = own(
        GEOSGeom_createCollection_r(gctx(), GEOS_MULTIPOINT, raw.data(), static_cast<unsigned>(raw.size())),
        "multipoint");
    geos::Geom edges =
        own(GEOSVoronoiDiagram_r(gctx(), mp.get(), region.geom.get(), 0.0, 1), "Voronoi edges");
    for (int e = 0, n = GEOSGetNumGeometries_r(gctx(), edges.get()); e < n; ++e) {
        const GEOSGeometry* edge = GEOSGetGeometryN_r(gctx(), edges.get(), e);
        const GEOSCoordSequence* cs = GEOSGeom_getCoordSeq_r(gctx(), edge);
        double x0, y0, x1, y1;
        GEOSCoordSeq_getXY_r(gctx(), cs, 0, &x0, &y0);
        GEOSCoordSeq_getXY_r(gctx(), cs, 1, &x1, &y1);
        const Vec2 a{x0, y0}, b{x1, y1};
        if (!(region.contains(a) &&
              region.contains(b))) {  // most edges lie well inside: skip the overlay for them
            geos::Geom part = own(GEOSIntersection_r(gctx(), edge, region.geom.get()), "intersection");
            double len = 0;
            GEOSLength_r(gctx(), part.get(), &len);
            if (len < 0.5) continue;
        }
        const Vec2 m = (a + b) * 0.5;
        size_t i = 0, j = 1;
        if (distance(m, sites[j]) < distance(m, sites[i])) std::swap(i, j);
        for (size_t k = 2; k < sites.size(); ++k) {
            if (distance(m, sites[k]) < distance(m, sites[i]))
                j = i, i = k;
            else if (distance(m, sites[k]) < distance(m, sites[j]))
                j = k;
        }
        out.insert(std::minmax(i, j));
    }
    return out;
}

}  // namespace gw::demo_detail
