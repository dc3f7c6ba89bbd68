#pragma once
/**
 * The SPEC §3 attribute columns of each layer and the geometry of each feature type, declared once
 * for every writer of the model: GDAL files (writer.cpp) and the PostGIS store (geo/store/load.cpp).
 */
#include <ogr_geometry.h>

#include <memory>
#include <string>
#include <type_traits>
#include <vector>

#include "geo/core/model.h"

namespace gw {

/**
 * The attribute columns of each layer, declared once as a visit over a feature: the same function
 * lists the schema, measures text widths and fills features (in every writer), so they can never
 * disagree on order or type. A Sink has text, person, phone (masked on request), integer and real.
 */
template <class Sink>
void columns(Sink& s, const Grid& g) {
    s.text("grid_id", g.grid_id);
    s.integer("level", g.level);
    s.text("parent_id", g.parent_id);
    s.text("name", g.name);
    s.person("manager", g.manager);
    s.phone("phone", g.phone);
}
template <class Sink>
void columns(Sink& s, const Household& h) {
    s.text("hh_id", h.hh_id);
    s.text("grid_id", h.grid_id);
    s.person("head", h.head);
    s.integer("members", h.members);
    s.text("tags", h.tags);
    s.phone("phone", h.phone);
}
template <class Sink>
void columns(Sink& s, const Camera& c) {
    s.text("cam_id", c.cam_id);
    s.text("owner", c.owner);
    s.real("azimuth", c.azimuth);
    s.real("fov", c.fov);
    s.real("range", c.range);
    s.real("height", c.height);
    s.integer("resolution_px", c.resolution_px);
    s.text("status", c.status);
}
template <class Sink>
void columns(Sink& s, const Enterprise& e) {
    s.text("ent_id", e.ent_id);
    s.text("name", e.name);
    s.text("industry", e.industry);
    s.integer("employees", e.employees);
    s.text("paired_grid", e.paired_grid);
}
template <class Sink>
void columns(Sink& s, const Road& r) {
    s.text("name", r.name);
    s.text("class", r.road_class);
}
template <class Sink>
void columns(Sink& s, const Building& b) {
    s.real("height", b.height);
}
template <class Sink>
void columns(Sink& s, const Incident& i) {
    s.text("inc_id", i.inc_id);
    s.text("type", i.type);
    // ISO-8601 text, not an OGR DateTime: shapefiles cannot hold one (GDAL 3.6 writes garbage
    // into the date field it makes instead), and text reads back unchanged everywhere.
    s.text("time", i.time);
    s.text("color", i.color);
    s.text("settled_at", i.settled_at);
}
template <class Sink>
void columns(Sink& s, const Facility& f) {
    s.text("name", f.name);
    s.text("kind", f.kind);
}
template <class Sink>
void columns(Sink& s, const Check& c) {
    s.text("check_id", c.check_id);
    s.text("grid_id", c.grid_id);
    s.person("reporter", c.reporter);
    s.text("time", c.time);  // ISO-8601 text, as incidents' time (why: see there)
    s.text("kind", c.kind);
    s.integer("people", c.people);
    s.text("note", c.note);
}
template <class Sink>
void columns(Sink& s, const PatrolTrack& t) {
    s.text("track_id", t.track_id);
    s.text("team", t.team);
    s.text("start", t.start);
    s.text("end", t.end);
}
template <class Sink>
void columns(Sink& s, const Candidate& c) {
    s.text("site_id", c.site_id);
}

/** The id a message names a feature by: its SPEC id, else its feature id. */
inline std::string feature_id(const Grid& g) { return g.grid_id; }
inline std::string feature_id(const Household& h) { return h.hh_id; }
inline std::string feature_id(const Camera& c) { return c.cam_id; }
inline std::string feature_id(const Enterprise& e) { return e.ent_id; }
inline std::string feature_id(const Incident& i) { return i.inc_id; }
inline std::string feature_id(const Candidate& c) { return c.site_id; }
inline std::string feature_id(const Check& c) { return c.check_id; }
inline std::string feature_id(const PatrolTrack& t) { return t.track_id; }
inline std::string feature_id(const Feature& f) { return std::to_string(f.fid); }

/** Geometry by feature type (nullptr where the type has none of that kind). */
inline const MultiPolygon* polygons_of(const Grid& g) { return &g.shape; }
inline const MultiPolygon* polygons_of(const Enterprise& e) { return &e.shape; }
inline const MultiPolygon* polygons_of(const Building& b) { return &b.shape; }
inline const MultiPolygon* polygons_of(const Feature&) { return nullptr; }
inline const MultiLineString* lines_of(const Road& r) { return &r.shape; }
inline const MultiLineString* lines_of(const PatrolTrack& t) { return &t.shape; }
inline const MultiLineString* lines_of(const Feature&) { return nullptr; }
inline const Vec2* point_of(const Household& h) { return &h.pos; }
inline const Vec2* point_of(const Camera& c) { return &c.pos; }
inline const Vec2* point_of(const Incident& i) { return &i.pos; }
inline const Vec2* point_of(const Facility& f) { return &f.pos; }
inline const Vec2* point_of(const Candidate& c) { return &c.pos; }
inline const Vec2* point_of(const Check& c) { return &c.pos; }
inline const Vec2* point_of(const Feature&) { return nullptr; }

/** Ring points without a repeated closing point (the model closes rings implicitly). */
inline size_t open_size(const Ring& r) { return r.size() >= 2 && r.front() == r.back() ? r.size() - 1 : r.size(); }

template <class T>
void append_coords(const T& f, std::vector<Vec2>& out) {
    if (const MultiPolygon* mp = polygons_of(f)) {
        for (const auto& poly : *mp)
            for (const auto& ring : poly.rings)
                out.insert(out.end(), ring.begin(), ring.begin() + open_size(ring));
    } else if (const MultiLineString* ml = lines_of(f)) {
        for (const auto& line : *ml) out.insert(out.end(), line.begin(), line.end());
    } else if (const Vec2* p = point_of(f)) {
        out.push_back(*p);
    }
}

template <class T>
OGRwkbGeometryType geometry_type() {
    T probe;
    if (polygons_of(probe)) return wkbMultiPolygon;
    if (lines_of(probe)) return wkbMultiLineString;
    return wkbPoint;
}

/**
 * The geometry type of an output layer. Patrol tracks are LineStrings (SPEC §3) when every track
 * is one line; a track read from GPS fixes with a silence in it has several parts, and then the
 * layer is MultiLineString.
 */
template <class T>
OGRwkbGeometryType layer_geometry_type(const std::vector<const T*>& features) {
    if constexpr (std::is_same_v<T, PatrolTrack>) {
        for (const T* f : features)
            if (f->shape.size() != 1) return wkbMultiLineString;
        return wkbLineString;
    }
    (void)features;
    return geometry_type<T>();
}

/**
 * Builds the OGR geometry of a polygon or line feature from its transformed coordinates (a single
 * line as a LineString when the layer is `single_line`).
 */
template <class T>
OGRGeometry* make_geometry(const T& f, const Vec2*& xy, bool single_line = false) {
    if (const MultiPolygon* mp = polygons_of(f)) {
        auto out = std::make_unique<OGRMultiPolygon>();
        for (const auto& poly : *mp) {
            auto p = std::make_unique<OGRPolygon>();
            for (const auto& ring : poly.rings) {
                const int n = static_cast<int>(open_size(ring));
                if (n == 0) continue;
                auto r = std::make_unique<OGRLinearRing>();
                r->setNumPoints(n + 1, FALSE);
                for (int i = 0; i < n; ++i) r->setPoint(i, xy[i].x, xy[i].y);
                r->setPoint(n, xy[0].x, xy[0].y);
                xy += n;
                p->addRingDirectly(r.release());
            }
            out->addGeometryDirectly(p.release());
        }
        return out.release();
    }
    if (single_line && lines_of(f)->size() == 1) {
        const LineString& line = lines_of(f)->front();
        auto l = std::make_unique<OGRLineString>();
        const int n = static_cast<int>(line.size());
        l->setNumPoints(n, FALSE);
        for (int i = 0; i < n; ++i) l->setPoint(i, xy[i].x, xy[i].y);
        xy += n;
        return l.release();
    }
    auto out = std::make_unique<OGRMultiLineString>();
    for (const auto& line : *lines_of(f)) {
        auto l = std::make_unique<OGRLineString>();
        const int n = static_cast<int>(line.size());
        l->setNumPoints(n, FALSE);
        for (int i = 0; i < n; ++i) l->setPoint(i, xy[i].x, xy[i].y);
        xy += n;
        out->addGeometryDirectly(l.release());
    }
    return out.release();
}

}  // namespace gw
