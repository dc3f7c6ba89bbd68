#include "geo/store/load.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>


#include <algorithm>
#include <chrono>
#include <deque>
#include <future>
#include <climits>
#include <cstring>
#include <cmath>
#include <set>
#include <map>
#include <unordered_map>

#include "geo/core/box_index.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"
#include "geo/core/text.h"
#include "geo/io/crs.h"
#include "geo/io/layer_columns.h"
#include "geo/io/projector.h"
#include "geo/store/pg.h"
#include "geo/store/schema.h"
#include "geo/store/sync.h"

namespace gw::store {
namespace {

/**
 * GDAL's failures while the store is written, kept to name them in one gw::Error. The PG driver
 * reports the server's message first and the statement after it: the first is the one to tell.
 */
class GdalErrors {
public:
    GdalErrors() : pusher_(handler) { messages().clear(); }
    /** The first failure GDAL reported since the last call ("" when none). */
    std::string take() {
        std::string s = messages().empty() ? std::string() : messages().front();
        messages().clear();
        CPLErrorReset();
        if (s.rfind("ERROR:  ", 0) == 0) s = s.substr(8);
        const auto nl = s.find('\n');
        if (nl != std::string::npos) s.resize(nl);
        return s;
    }

private:
    static std::vector<std::string>& messages() {
        thread_local std::vector<std::string> m;
        return m;
    }
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum, const char* msg) {
        if (cls >= CE_Failure) messages().push_back(msg ? msg : "");
    }
    CPLErrorHandlerPusher pusher_;
};

/** GDAL's failure while writing the store as one gw::Error, with what to do for a missing right. */
[[noreturn]] void fail(const std::string& what, const std::string& why, Error::Where where) {
    std::string hint;
    if (why.find("permission denied") != std::string::npos)
        hint = "connect as a role that may create tables in the schema (its owner), or ask for GRANT CREATE ON SCHEMA";
    else if (why.find("connection") != std::string::npos)
        hint = "the connection was lost; nothing was changed, run db init again";
    throw Error(what + (why.empty() ? std::string() : ": " + why), std::move(where), hint);
}

/** The L1 cell a feature lies in, as SPEC §9's `community` column holds it. */
class Communities {
public:
    explicit Communities(const Dataset& ds) {
        std::vector<Box> boxes;
        for (const auto& g : ds.grids) {
            by_id_.emplace(g.grid_id, &g);
            if (g.level == 1) l1_.push_back(&g), boxes.push_back(bounds(g.shape));
        }
        index_.emplace(boxes, 500.0);
    }
    std::string of(const Grid& g) const {
        const Grid* c = &g;
        for (int step = 0; step < 8 && c; ++step) {  // a cycle of parent ids ends here too
            if (c->level == 1) return c->grid_id;
            auto it = by_id_.find(c->parent_id);
            c = it == by_id_.end() ? nullptr : it->second;
        }
        return of_shape(g);
    }
    // A household and a check belong to the community of the cell they name: a leader's report
    // made a few metres outside the community is still that office's.
    std::string of(const Household& h) const { return of_named(h.grid_id, h); }
    std::string of(const Check& c) const { return of_named(c.grid_id, c); }
    template <class T>
    std::string of(const T& f) const {
        return of_shape(f);
    }

private:
    template <class T>
    std::string of_named(const std::string& grid_id, const T& f) const {
        auto it = by_id_.find(grid_id);
        if (it != by_id_.end())
            if (std::string c = of(*it->second); !c.empty()) return c;
        return of_shape(f);
    }
    template <class T>
    std::string of_shape(const T& f) const {
        if (const Vec2* p = point_of(f)) return of_point(*p);
        geos::Geom g;
        if (const MultiPolygon* mp = polygons_of(f)) {
            if (mp->empty()) return {};
            g = geos::to_geos(*mp);
        } else if (const MultiLineString* ml = lines_of(f)) {
            g = lines(*ml);
        }
        if (!g) return {};
        // GEOS's point on surface, as PostGIS's ST_PointOnSurface gives the trigger for later rows.
        geos::Geom on(GEOSPointOnSurface_r(geos::ctx(), g.get()));
        double x = 0, y = 0;
        if (!on || GEOSisEmpty_r(geos::ctx(), on.get()) || !GEOSGeomGetX_r(geos::ctx(), on.get(), &x) ||
            !GEOSGeomGetY_r(geos::ctx(), on.get(), &y))
            return {};
        return of_point({x, y});
    }
    std::string of_point(Vec2 p) const {
        if (!std::isfinite(p.x) || !std::isfinite(p.y)) return {};
        Box q;
        q.add(p);
        int best = -1;
        index_->visit(q, [&](int i) {
            if ((best < 0 || l1_[i]->grid_id < l1_[best]->grid_id) && inside_or_on(l1_[i]->shape, p)) best = i;
        });
        return best < 0 ? std::string() : l1_[best]->grid_id;
    }
    static geos::Geom lines(const MultiLineString& ml) {
        auto* c = geos::ctx();
        std::vector<GEOSGeometry*> parts;
        for (const auto& line : ml) {
            if (line.size() < 2) continue;
            GEOSCoordSequence* seq = GEOSCoordSeq_create_r(c, static_cast<unsigned>(line.size()), 2);
            for (size_t i = 0; i < line.size(); ++i) GEOSCoordSeq_setXY_r(c, seq, static_cast<unsigned>(i), line[i].x, line[i].y);
            parts.push_back(GEOSGeom_createLineString_r(c, seq));
        }
        if (parts.empty()) return {};
        return geos::Geom(GEOSGeom_createCollection_r(c, GEOS_MULTILINESTRING, parts.data(), static_cast<unsigned>(parts.size())));
    }

    std::vector<const Grid*> l1_;
    std::unordered_map<std::string, const Grid*> by_id_;
    std::optional<BoxIndex> index_;
};

/** The columns of a layer: SPEC §3's (from columns() in geo/io/layer_columns.h). */
struct SchemaSink {
    std::vector<std::pair<std::string, OGRFieldType>> cols;
    void text(const char* n, const std::string&) { cols.emplace_back(n, OFTString); }
    void person(const char* n, const std::string&) { cols.emplace_back(n, OFTString); }
    void phone(const char* n, const std::string&) { cols.emplace_back(n, OFTString); }
    template <class V>
    void integer(const char* n, const V&) { cols.emplace_back(n, OFTInteger); }
    template <class V>
    void real(const char* n, const V&) { cols.emplace_back(n, OFTReal); }
};

/** Fills one OGR feature's SPEC fields (indices 0…n-1 in column order); no masking in the store. */
struct FeatureSink {
    OGRFeature* f;
    int i = 0;
    void text(const char*, const std::string& v) { f->SetField(i++, v.c_str()); }
    void person(const char* n, const std::string& v) { text(n, v); }
    void phone(const char* n, const std::string& v) { text(n, v); }
    void integer(const char*, int v) { f->SetField(i++, v); }
    void integer(const char*, std::optional<int> v) {
        if (v)
            f->SetField(i, *v);
        else
            f->SetFieldNull(i);
        ++i;
    }
    void real(const char*, double v) {
        if (std::isfinite(v))
            f->SetField(i, v);
        else
            f->SetFieldNull(i);  // a camera's bad value, reported on reading
        ++i;
    }
    void real(const char* n, std::optional<double> v) { real(n, v.value_or(std::nan(""))); }
};

/**
 * The source's own geometries of a layer, by feature id, when they can be stored as they are: the
 * layer came whole from one source layer in the store's CRS, with no coordinate conversion. The
 * model holds coordinates in the working CRS, and taking them back to the data's CRS moves them
 * by ~1e-9 m: enough to turn a camera whose view just touches a house (the demo puts household
 * cameras on their house's outline) from seeing it to not. Stored as read, the data reads back
 * from PostGIS exactly as from the file.
 */
class SourceGeometries {
public:
    /** `close_rings`: as GDAL's PG driver closes them before it writes (the COPY path writes itself). */
    SourceGeometries(const Dataset* model, const std::string& canonical, const OGRSpatialReference& target,
                     bool close_rings = false) {
        if (!model || !model->point_coords.empty()) return;
        const LayerInfo* info = nullptr;
        int n = 0;
        for (const auto& l : model->layers)
            if (l.name == canonical && !l.recognised_by.empty()) info = &l, ++n;
        if (n != 1 || info->level != 0 || info->source.empty()) return;
        GDALDatasetUniquePtr src(GDALDataset::Open(info->source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        OGRLayer* layer = src ? src->GetLayerByName(info->source_name.c_str()) : nullptr;
        const OGRSpatialReference* srs = layer ? layer->GetSpatialRef() : nullptr;
        if (!srs || !srs->IsSame(&target)) return;
        // Only the geometries are wanted: GDAL then reads no attribute.
        CPLStringList ignored;
        for (int i = 0; i < layer->GetLayerDefn()->GetFieldCount(); ++i)
            ignored.AddString(layer->GetLayerDefn()->GetFieldDefn(i)->GetNameRef());
        ignored.AddString("OGR_STYLE");
        layer->SetIgnoredFields(const_cast<const char**>(ignored.List()));
        layer->ResetReading();
        for (auto& f : *layer)
            if (OGRGeometry* g = f->StealGeometry()) {
                if (close_rings) g->closeRings();
                by_fid_[f->GetFID()].reset(g);
            }
    }
    bool has(int64_t fid) const { return by_fid_.count(fid) > 0; }
    /** The feature's source geometry as the table's type (2D), or nullptr when it has none of that type. */
    OGRGeometry* take(int64_t fid, OGRwkbGeometryType type) {
        auto it = by_fid_.find(fid);
        if (it == by_fid_.end() || !it->second) return nullptr;
        return as_type(it->second.release(), type);
    }
    /**
     * take() without taking (several threads may ask at once, for different features): the
     * geometry as it is when it already has the table's type in 2D, else a converted copy in
     * `scratch`; nullptr as take().
     */
    const OGRGeometry* get(int64_t fid, OGRwkbGeometryType type, std::unique_ptr<OGRGeometry>& scratch) const {
        auto it = by_fid_.find(fid);
        if (it == by_fid_.end() || !it->second) return nullptr;
        const OGRGeometry* g = it->second.get();
        if (g->getGeometryType() == type) return g;  // wkbFlatten of a 2D type is itself
        scratch.reset(as_type(g->clone(), type));
        return scratch.get();
    }

private:
    /** `g` (owned) in 2D as `type`, or nullptr (and `g` deleted) when it cannot be made one. */
    static OGRGeometry* as_type(OGRGeometry* g, OGRwkbGeometryType type) {
        g->flattenTo2D();
        if (type == wkbMultiPolygon) g = OGRGeometryFactory::forceToMultiPolygon(g);
        else if (type == wkbMultiLineString) g = OGRGeometryFactory::forceToMultiLineString(g);
        else if (type == wkbLineString) g = OGRGeometryFactory::forceToLineString(g, false);
        if (g && wkbFlatten(g->getGeometryType()) == type) return g;
        delete g;
        return nullptr;
    }

    std::unordered_map<int64_t, std::unique_ptr<OGRGeometry>> by_fid_;
};

/** How many coordinates append_coords gives for f. */
template <class T>
size_t coord_count(const T& f) {
    size_t n = 0;
    if (const MultiPolygon* mp = polygons_of(f)) {
        for (const auto& poly : *mp)
            for (const auto& ring : poly.rings) n += open_size(ring);
    } else if (const MultiLineString* ml = lines_of(f)) {
        for (const auto& line : *ml) n += line.size();
    } else if (point_of(f)) {
        n = 1;
    }
    return n;
}

struct LoadContext {
    GDALDataset* ds;
    const Dataset* model;
    const Communities* communities;
    OGRSpatialReference* srs;
    const Projector* to_target;
    std::string source;
    GdalErrors& gdal;
};

/** The columns a layer's rows carry into the store: SPEC §3's, `community`, then the source's others. */
struct StoreColumns {
    std::vector<std::pair<std::string, OGRFieldType>> cols;  // in field order
    size_t community_index = 0;
    std::vector<int> extra_index;  // model extra k -> field index, -1 left out
};

template <class T>
StoreColumns store_columns(const Dataset* model, const std::string& name) {
    SchemaSink schema;
    columns(schema, T{});
    StoreColumns out;
    out.cols = schema.cols;
    out.community_index = out.cols.size();
    out.cols.emplace_back("community", OFTString);
    const ExtraFields* extras = nullptr;
    if (model) {
        auto it = model->extra_fields.find(name);
        if (it != model->extra_fields.end()) extras = &it->second;
    }
    // The source's other fields come along (as text: their values are held as text), unless a name
    // is one of the store's own.
    auto taken = [&](const std::string& n) {
        const std::string l = ascii_lower(n);
        if (l == "fid" || l == "geom" || l == "version" || l == "updated_at" || l == kPulledVersion)
            return true;
        for (const auto& c : out.cols)
            if (ascii_lower(c.first) == l) return true;
        return false;
    };
    if (extras)
        for (const auto& n : extras->names) {
            if (taken(n)) {
                out.extra_index.push_back(-1);
                continue;
            }
            out.extra_index.push_back(static_cast<int>(out.cols.size()));
            out.cols.emplace_back(n, OFTString);
        }
    return out;
}

/**
 * Every row of a layer as one OGR feature of `defn` (fields in StoreColumns order) in the store's
 * CRS and geometry type `gtype`, handed to `emit(feature, row)`.
 */
template <class T, class Emit>
void for_each_feature(LoadContext& cx, const std::string& name, const std::vector<T>& rows, const StoreColumns& sc,
                      OGRFeatureDefn* defn, OGRwkbGeometryType gtype, Emit&& emit) {
    SourceGeometries as_read(cx.model, name, *cx.srs);
    // The model's coordinates go back to the store's CRS only for features without a source
    // geometry: all of a layer in one PROJ call when any lacks one, else one by one as needed.
    bool all_read = true;
    for (const T& f : rows) all_read = all_read && as_read.has(f.fid);
    std::vector<Vec2> xy, one;
    if (!all_read) {
        for (const T& f : rows) append_coords(f, xy);
        cx.to_target->apply(xy);
    }
    const Vec2* cursor = xy.data();
    OGRFeature feature(defn);
    for (const T& f : rows) {
        FeatureSink sink{&feature};
        columns(sink, f);
        const std::string community = cx.communities->of(f);
        const int ci = static_cast<int>(sc.community_index);
        if (community.empty())
            feature.SetFieldNull(ci);
        else
            feature.SetField(ci, community.c_str());
        for (size_t k = 0; k < sc.extra_index.size(); ++k) {
            if (sc.extra_index[k] < 0) continue;
            if (k < f.extra.size() && !f.extra[k].empty())
                feature.SetField(sc.extra_index[k], f.extra[k].c_str());
            else
                feature.SetFieldNull(sc.extra_index[k]);
        }
        OGRGeometry* g = as_read.take(f.fid, gtype);
        if (!g) {
            const Vec2* at = cursor;
            if (all_read) {  // a source geometry of another type: this feature's own coordinates
                one.clear();
                append_coords(f, one);
                cx.to_target->apply_one(one);
                at = one.data();
            }
            g = point_of(f) ? new OGRPoint(at->x, at->y) : make_geometry(f, at, gtype == wkbLineString);
        }
        if (!all_read) cursor += coord_count(f);
        feature.SetGeometryDirectly(g);
        feature.SetFID(OGRNullFID);
        emit(feature, f);
    }
}

template <class T>
size_t load_layer(LoadContext& cx, const std::string& name, const std::vector<T>& rows) {
    std::vector<const T*> features;
    for (const auto& r : rows) features.push_back(&r);
    const StoreColumns sc = store_columns<T>(cx.model, name);
    CPLStringList lco;
    lco.SetNameValue("GEOMETRY_NAME", "geom");
    lco.SetNameValue("FID", "fid");
    lco.SetNameValue("SPATIAL_INDEX", "NONE");  // built after the rows are in (schema.cpp)
    lco.SetNameValue("PRECISION", "NO");
    lco.SetNameValue("LAUNDER", "NO");  // SPEC names are already plain; extra names stay as the user wrote them
    const OGRwkbGeometryType gtype = layer_geometry_type(features);
    OGRLayer* layer = cx.ds->CreateLayer(name.c_str(), cx.srs, gtype, lco.List());
    if (!layer) fail("cannot create the table", cx.gdal.take(), {cx.source, name});
    for (const auto& [n, t] : sc.cols) {
        OGRFieldDefn field(n.c_str(), t);
        if (layer->CreateField(&field, FALSE) != OGRERR_NONE)
            fail("cannot create the column", cx.gdal.take(), {cx.source, name, "", n});
    }
    for_each_feature(cx, name, rows, sc, layer->GetLayerDefn(), gtype, [&](OGRFeature& feature, const T& f) {
        if (layer->CreateFeature(&feature) != OGRERR_NONE)
            fail("cannot load the row", cx.gdal.take(), {cx.source, name, feature_id(f)});
    });
    // Ends the COPY, so that the statements after it run.
    if (layer->SyncToDisk() != OGRERR_NONE) fail("cannot load the rows", cx.gdal.take(), {cx.source, name});
    return features.size();
}


// [init by COPY] -----------------------------------------------------------------------------
//
// db init writes the tables itself on its one libpq connection (binary COPY), as GDAL's PG driver
// would make and fill them (the same CREATE TABLE, the same values), without an OGRFeature and a
// text line per row; the rows of a layer are made on a TBB worker while the server takes the
// earlier ones, and the server builds a table's indexes while the next layer's source is read.

/** A geometry as EWKB with `srid` (2D ISO WKB, the SRID after the type), as GDAL's PG driver sends it. */
void append_ewkb(std::string& out, const OGRGeometry& g, int srid) {
    const size_t at = out.size();
    const size_t n = g.WkbSize();
    out.resize(at + n + 4);
    auto* p = reinterpret_cast<unsigned char*>(out.data() + at);
    g.exportToWkb(wkbNDR, p + 4, wkbVariantIso);  // written 4 bytes on, then the head moved back
    p[0] = p[4];
    uint32_t type = uint32_t(p[5]) | uint32_t(p[6]) << 8 | uint32_t(p[7]) << 16 | uint32_t(p[8]) << 24;
    type |= 0x20000000u;  // EWKB: an SRID follows the type
    const auto s = static_cast<uint32_t>(srid);
    for (int k = 0; k < 4; ++k) p[1 + k] = static_cast<unsigned char>(type >> (8 * k));
    for (int k = 0; k < 4; ++k) p[5 + k] = static_cast<unsigned char>(s >> (8 * k));
}

/** Rows in PostgreSQL's binary COPY format (network byte order; a length before each value). */
class CopyRows {
public:
    explicit CopyRows(std::string& out) : out_(out) {}
    static void header(std::string& out) {
        out.append("PGCOPY\n\377\r\n\0", 11);
        CopyRows(out).u32(0), CopyRows(out).u32(0);  // flags, header extension
    }
    static void trailer(std::string& out) { out.append("\377\377", 2); }
    void row(size_t fields) {
        out_ += static_cast<char>(fields >> 8 & 0xff);
        out_ += static_cast<char>(fields & 0xff);
    }
    void null() { u32(0xffffffffu); }
    /** As GDAL sends a C string: up to its first NUL. */
    void text(const std::string& v) {
        const size_t n = std::strlen(v.c_str());
        u32(static_cast<uint32_t>(n));
        out_.append(v.data(), n);
    }
    void int4(int32_t v) { u32(4), u32(static_cast<uint32_t>(v)); }
    void float8(double v) {
        uint64_t b;
        std::memcpy(&b, &v, 8);
        u32(8), u32(static_cast<uint32_t>(b >> 32)), u32(static_cast<uint32_t>(b));
    }
    /** A value whose bytes append(out) writes (its length is filled in after). */
    template <class Append>
    void value(Append&& append) {
        const size_t at = out_.size();
        u32(0);
        append(out_);
        const auto n = static_cast<uint32_t>(out_.size() - at - 4);
        for (int k = 0; k < 4; ++k) out_[at + k] = static_cast<char>(n >> (24 - 8 * k) & 0xff);
    }

private:
    void u32(uint32_t v) {
        const char b[4] = {static_cast<char>(v >> 24), static_cast<char>(v >> 16 & 0xff), static_cast<char>(v >> 8 & 0xff),
                           static_cast<char>(v & 0xff)};
        out_.append(b, 4);
    }
    std::string& out_;
};

/** SPEC fields of a row as FeatureSink sets them on an OGR feature (a non-finite real: NULL). */
struct CopySink {
    CopyRows& w;
    void text(const char*, const std::string& v) { w.text(v); }
    void person(const char* n, const std::string& v) { text(n, v); }
    void phone(const char* n, const std::string& v) { text(n, v); }
    void integer(const char*, int v) { w.int4(v); }
    void integer(const char*, std::optional<int> v) { v ? w.int4(*v) : w.null(); }
    void real(const char*, double v) {
        if (!std::isfinite(v)) return w.null();
        // GDAL's PG driver sends a real as its text of 15 significant digits
        // (OGRFeature::GetFieldAsString): the store holds what it held when loaded through it.
        char buf[40];
        CPLsnprintf(buf, sizeof buf, "%.15g", v);
        w.float8(CPLAtof(buf));
    }
    void real(const char* n, std::optional<double> v) { real(n, v.value_or(std::nan(""))); }
};

/** The CRS's SRID in the database as GDAL's PG driver finds it (authority and code), 0 when none. */
int store_srid(Connection& pg, const OGRSpatialReference& target) {
    OGRSpatialReference s(target);
    const char* auth = s.GetAuthorityName(nullptr);
    if (!auth || !*auth) {
        s.AutoIdentifyEPSG();
        auth = s.GetAuthorityName(nullptr);
        if (auth && EQUAL(auth, "EPSG"))
            if (const char* code = s.GetAuthorityCode(nullptr); code && *code) {
                s.importFromEPSG(std::atoi(code));
                auth = s.GetAuthorityName(nullptr);
            }
    }
    if (!auth || !*auth) return 0;
    const char* code = s.GetAuthorityCode(nullptr);
    const int n = code ? std::atoi(code) : 0;
    if (n <= 0) return 0;
    return std::atoi(pg.scalar("SELECT srid FROM spatial_ref_sys WHERE auth_name = " + quote_literal(auth) +
                                   " AND auth_srid = " + std::to_string(n),
                               "looking up the CRS in spatial_ref_sys")
                         .c_str());
}

/**
 * The CREATE TABLE GDAL's PG driver runs for a layer (FID=fid, GEOMETRY_NAME=geom, PRECISION=NO,
 * LAUNDER=NO), but for its primary key, which key_sql adds once the rows are in.
 */
std::string create_table_sql(const std::string& schema, const std::string& name, const StoreColumns& sc,
                             OGRwkbGeometryType gtype, int srid) {
    std::string sql = "CREATE TABLE " + quote_ident(schema) + "." + quote_ident(name) + " ( \"fid\" SERIAL";
    for (const auto& [n, t] : sc.cols)
        sql += ", " + quote_ident(n) + (t == OFTReal ? " FLOAT8" : t == OFTInteger ? " INTEGER" : " VARCHAR");
    std::string type = OGRToOGCGeomType(gtype);
    for (char& c : type) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    sql += ", \"geom\" geometry(" + type + "," + std::to_string(srid) + ") )";
    return sql;
}

/**
 * After a table's `rows` rows went in with fids 1…rows: the primary key GDAL's CREATE TABLE
 * declares, built in one pass (not row by row), and the fid sequence where `rows` nextval() calls
 * would have left it. The store ends as GDAL's driver makes it; the COPY saves the server a
 * sequence call and a key insert per row (a third of the time of a month of reports).
 */
std::string key_sql(const std::string& schema, const std::string& name, size_t rows) {
    const std::string T = quote_ident(schema) + "." + quote_ident(name);
    std::string sql = "ALTER TABLE " + T + " ADD PRIMARY KEY (\"fid\");\n";
    if (rows > 0)
        sql += "SELECT setval(pg_get_serial_sequence(" + quote_literal(T) + ", 'fid'), " + std::to_string(rows) + ", true);\n";
    return sql;
}

struct CopyContext {
    Connection& pg;
    const Dataset* model;
    const Communities* communities;
    const OGRSpatialReference* srs;
    const Projector* to_target;
    std::string schema;
    int srid = 0;
    bool lz4 = false;  // the server compresses by LZ4 (toast_lz4_query)
};

/** The geometry type of a layer's table (geo/io/layer_columns.h layer_geometry_type). */
template <class T>
OGRwkbGeometryType store_geometry_type(const std::vector<T>& rows) {
    std::vector<const T*> features;
    for (const auto& r : rows) features.push_back(&r);
    return layer_geometry_type(features);
}

/** A layer's table, empty (made in the store's order: readers list the tables as they were made). */
template <class T>
void create_table(const CopyContext& cx, const std::string& name, const std::vector<T>& rows) {
    cx.pg.exec(create_table_sql(cx.schema, name, store_columns<T>(cx.model, name), store_geometry_type(rows), cx.srid),
               "creating table " + name);
}

/** What a layer's COPY needs besides its rows, made while the server takes the tables before it. */
struct LayerPrep {
    std::optional<SourceGeometries> read;   // the source's own geometries
    std::vector<std::string> community;    // each row's
    std::vector<size_t> from_model;        // rows without a usable source geometry: where in xy theirs start
    std::vector<Vec2> xy;                  // their model coordinates, in the store's CRS
};

/**
 * A layer's LayerPrep: the source geometries read on a worker, every row's community on the others.
 * cx.srs and cx.to_target serve this thread alone (prepare_alone).
 */
template <class T>
LayerPrep prepare_layer(const CopyContext& cx, const std::string& name, const std::vector<T>& rows) {
    LayerPrep p;
    const OGRwkbGeometryType gtype = store_geometry_type(rows);
    p.community.resize(rows.size());
    run_beside([&] { p.read.emplace(cx.model, name, *cx.srs, true); },
               [&] { parallel_for(rows.size(), [&](size_t i) { p.community[i] = cx.communities->of(rows[i]); }); });
    // Rows without a usable source geometry: the model's coordinates, back in the store's CRS (one
    // PROJ call for all of them), where for_each_feature takes them too.
    p.from_model.assign(rows.size(), SIZE_MAX);
    std::unique_ptr<OGRGeometry> scratch;
    for (size_t i = 0; i < rows.size(); ++i)
        if (!p.read->get(rows[i].fid, gtype, scratch)) {
            p.from_model[i] = p.xy.size();
            append_coords(rows[i], p.xy);
        }
    cx.to_target->apply(p.xy);
    return p;
}

/**
 * One layer: its rows by COPY into the table create_table made, once the server has built the
 * indexes of the table filled `before`, then its own indexes sent (not waited for). Rows go in the model's
 * order, as for_each_feature gives them to GDAL.
 */
template <class T>
size_t copy_layer(const CopyContext& cx, const std::string& name, const std::vector<T>& rows, const LayerPrep& prep,
                  const std::string& before) {
    const StoreColumns sc = store_columns<T>(cx.model, name);
    const OGRwkbGeometryType gtype = store_geometry_type(rows);
    const SourceGeometries& as_read = *prep.read;
    const std::vector<std::string>& community = prep.community;
    const std::vector<size_t>& from_model = prep.from_model;
    const std::vector<Vec2>& xy = prep.xy;
    cx.pg.finish("building the indexes of " + before);
    if (!rows.empty()) {
        std::string cols;
        for (const auto& c : sc.cols) cols += quote_ident(c.first) + ", ";
        cx.pg.copy_begin("COPY " + quote_ident(cx.schema) + "." + quote_ident(name) + " (\"fid\", " + cols +
                             "\"geom\") FROM STDIN BINARY",
                         "loading " + name);
        const size_t fields = sc.cols.size() + 2;
        auto encode = [&](size_t begin, size_t end, std::string& out) {
            out.clear();
            if (begin == 0) CopyRows::header(out);
            CopyRows w(out);
            std::unique_ptr<OGRGeometry> scratch;
            std::vector<const std::string*> extra(sc.cols.size(), nullptr);
            for (size_t i = begin; i < end; ++i) {
                const T& f = rows[i];
                w.row(fields);
                w.int4(static_cast<int32_t>(i + 1));  // as the fid sequence would number them
                CopySink sink{w};
                columns(sink, f);
                community[i].empty() ? w.null() : w.text(community[i]);
                std::fill(extra.begin(), extra.end(), nullptr);
                for (size_t k = 0; k < sc.extra_index.size() && k < f.extra.size(); ++k)
                    if (sc.extra_index[k] >= 0 && !f.extra[k].empty()) extra[sc.extra_index[k]] = &f.extra[k];
                for (size_t k = sc.community_index + 1; k < sc.cols.size(); ++k)
                    extra[k] ? w.text(*extra[k]) : w.null();
                const OGRGeometry* g = from_model[i] == SIZE_MAX ? as_read.get(f.fid, gtype, scratch) : nullptr;
                if (!g) {
                    const Vec2* at = xy.data() + from_model[i];
                    scratch.reset(point_of(f) ? new OGRPoint(at->x, at->y) : make_geometry(f, at, gtype == wkbLineString));
                    scratch->closeRings();
                    g = scratch.get();
                }
                w.value([&](std::string& o) { append_ewkb(o, *g, cx.srid); });
            }
            if (end == rows.size()) CopyRows::trailer(out);
        };
        // One block is made on a worker while the main thread sends the one before.
        constexpr size_t kBlock = 8192;
        std::string now, next;
        encode(0, std::min(kBlock, rows.size()), now);
        for (size_t at = kBlock;; at += kBlock) {
            const auto send = [&] { cx.pg.copy_put(now.data(), now.size(), "loading " + name); };
            if (at >= rows.size()) {
                send();
                break;
            }
            run_beside([&] { encode(at, std::min(at + kBlock, rows.size()), next); }, send);
            now.swap(next);
        }
        cx.pg.copy_end("loading " + name);
    }
    cx.pg.send(key_sql(cx.schema, name, rows.size()) + table_sql(cx.schema, name, cx.lz4), "building the indexes of " + name);
    return rows.size();
}

// [push] ------------------------------------------------------------------------------------

/** A geometry as COPY's text for a geometry column: hex EWKB with the SRID (2D). */
std::string hex_ewkb(const OGRGeometry& g, int srid) {
    std::string e;
    append_ewkb(e, g, srid);
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    out.reserve(e.size() * 2);
    for (unsigned char c : e) out += hex[c >> 4], out += hex[c & 15];
    return out;
}

/** One field of a feature as COPY text (\N for null; reals with every digit). */
void append_field(std::string& out, const OGRFeature& f, int i, OGRFieldType type) {
    if (!f.IsFieldSetAndNotNull(i)) {
        out += "\\N";
        return;
    }
    if (type == OFTReal) {
        char buf[40];
        std::snprintf(buf, sizeof buf, "%.17g", f.GetFieldAsDouble(i));
        out += buf;
    } else if (type == OFTInteger) {
        out += std::to_string(f.GetFieldAsInteger(i));
    } else {
        append_copy_text(out, f.GetFieldAsString(i));
    }
}

OGRwkbGeometryType geometry_type_named(const std::string& pg_type, OGRwkbGeometryType fallback) {
    if (pg_type == "POINT") return wkbPoint;
    if (pg_type == "LINESTRING") return wkbLineString;
    if (pg_type == "MULTILINESTRING") return wkbMultiLineString;
    if (pg_type == "POLYGON") return wkbPolygon;
    if (pg_type == "MULTIPOLYGON") return wkbMultiPolygon;
    if (pg_type == "MULTIPOINT") return wkbMultiPoint;
    return fallback;
}

struct PushContext {
    Connection& pg;
    LoadContext& cx;
    std::string S;  // the store's schema, quoted, with a dot
    int srid = 0;
    const PushOptions& options;
};

/**
 * Stops the push (nothing written) where a row of the file was pulled at a version the store has
 * moved past and the file's fields differ from the store's: someone else changed it since, and
 * the file's row would put back what they changed (SPEC §9). Names the first such row field by
 * field, theirs vs the file's.
 */
void refuse_changed_since_pull(PushContext& px, const PushLayer& layer, const std::string& name,
                               const std::vector<int>& used, const StoreColumns& sc, const std::string& match,
                               const std::string& differ) {
    Connection& pg = px.pg;
    const std::string T_ = px.S + quote_ident(name), K = quote_ident(layer.key);
    const std::string changed =
        " FROM " + T_ + " AS t JOIN pg_temp.gw_push AS s ON " + match +
        " WHERE s.gw_version IS NOT NULL AND t.version IS DISTINCT FROM s.gw_version AND (" + differ + ")";
    // A row pulled that is in the store no more was deleted by someone else: pushed, it would come back.
    const std::string deleted =
        " FROM pg_temp.gw_push AS s WHERE s.gw_version IS NOT NULL AND NOT EXISTS (SELECT 1 FROM " + T_ +
        " AS t WHERE " + match + ")";
    if (const auto d = pg.query("SELECT s." + K + ", s.gw_version, (SELECT count(*)" + deleted + ")" +
                                    deleted + " ORDER BY s.gw_row LIMIT 1",
                                "checking the versions of " + name);
        !d.empty()) {
        const std::string id = d[0][0].value_or(""), more = d[0][2].value_or("1");
        throw Error("'" + id + "' was deleted from the store since the file was pulled (version " +
                        d[0][1].value_or("?") + " in the file)" +
                        (more != "1" ? "; " + more + " rows of " + name + " in all" : std::string()) +
                        "; nothing was pushed",
                    {px.options.file, name, id, layer.key},
                    "pull again, or push with --overwrite to put the file's rows back");
    }
    const long long n =
        std::atoll(pg.scalar("SELECT count(*)" + changed, "checking the versions of " + name).c_str());
    if (n == 0) return;
    std::string cols;
    for (int i : used) {
        const std::string c = quote_ident(sc.cols[i].first);
        if (sc.cols[i].first != "community")
            cols += ", " + quote_literal(sc.cols[i].first) + ", t." + c + "::text, s." + c + "::text";
    }
    const auto rows = pg.query(
        "SELECT t." + K + ", t.version, s.gw_version, ST_AsEWKB(t.geom) IS DISTINCT FROM ST_AsEWKB(s.geom)" +
            cols + changed + " ORDER BY s.gw_row LIMIT 1",
        "checking the versions of " + name);
    const auto& r = rows.at(0);
    std::string fields;
    for (size_t k = 4; k + 2 < r.size(); k += 3) {
        const auto theirs = r[k + 1], file = r[k + 2];
        const auto shown = [](const std::optional<std::string>& v) { return v ? *v : std::string("(none)"); };
        if (theirs.value_or("") == file.value_or("")) continue;  // NULL and '' are read alike
        fields +=
            (fields.empty() ? "" : ", ") + r[k].value_or("") + " " + shown(theirs) + " vs " + shown(file);
    }
    if (r[3].value_or("") == "t")
        fields += (fields.empty() ? "" : ", ") + std::string("the position or shape");
    if (fields.empty()) fields = "its community";
    const std::string id = r[0].value_or("");
    throw Error(
        "'" + id + "' was changed in the store since the file was pulled (version " + r[1].value_or("?") +
            " there, " + r[2].value_or("?") + " in the file): " + fields + " (the store's vs the file's)" +
            (n > 1 ? "; " + std::to_string(n) + " rows of " + name + " in all" : std::string()) +
            "; nothing was pushed",
        {px.options.file, name, id, layer.key},
        "pull again and make the change there, or push with --overwrite to put the file's rows over theirs");
}

template <class T>
PushLayer push_layer(PushContext& px, const std::string& name, const std::vector<T>& rows) {
    Connection& pg = px.pg;
    const std::string src = pg.source();
    PushLayer out;
    out.name = name;
    out.key = push_key(name);
    out.rows = rows.size();
    const std::string T_ = px.S + quote_ident(name);
    std::set<std::string> have;
    for (const auto& r : pg.query("SELECT column_name FROM information_schema.columns WHERE table_schema = "
                                  "current_schema() AND table_name = " + quote_literal(name),
                                  "reading the columns of " + name))
        have.insert(r[0].value_or(""));
    if (have.empty())
        throw Error("the store has no table '" + name + "'", {src, name},
                    "the store was made by an older gridwatch or by hand: make a new one with db init");
    std::vector<const T*> features;
    for (const auto& r : rows) features.push_back(&r);
    const OGRwkbGeometryType gtype = geometry_type_named(
        pg.scalar("SELECT type FROM geometry_columns WHERE f_table_schema = current_schema() AND f_table_name = " +
                  quote_literal(name) + " AND f_geometry_column = 'geom'"),
        layer_geometry_type(features));

    // The staging table: the file's rows as the store will hold them, in file order (gw_row).
    const StoreColumns sc = store_columns<T>(px.cx.model, name);
    std::vector<int> used;  // field indices that go in
    std::string cols_sql, create = "CREATE TEMP TABLE gw_push (gw_row bigserial";
    for (size_t i = 0; i < sc.cols.size(); ++i) {
        const auto& [n, t] = sc.cols[i];
        if (!have.count(n)) {
            out.columns_left_out.push_back(n);
            continue;
        }
        used.push_back(static_cast<int>(i));
        create += ", " + quote_ident(n) + (t == OFTReal ? " double precision" : t == OFTInteger ? " integer" : " text");
        cols_sql += quote_ident(n) + ", ";
    }
    create += ", geom geometry, gw_version bigint) ON COMMIT DROP";
    cols_sql += "geom";
    // The store's version each row was pulled at (SPEC §9): the file's `store_version` field, which
    // pull_store writes (a file's own `version`, which gridwatch edit raises, is another count).
    int version_extra = -1;
    if (px.cx.model)
        if (auto it = px.cx.model->extra_fields.find(name); it != px.cx.model->extra_fields.end())
            for (size_t k = 0; k < it->second.names.size(); ++k)
                if (ascii_lower(it->second.names[k]) == kPulledVersion) version_extra = static_cast<int>(k);
    const auto pulled_at = [&](const T& r) -> std::optional<long long> {
        if (version_extra < 0 || static_cast<size_t>(version_extra) >= r.extra.size()) return std::nullopt;
        const std::string& v = r.extra[static_cast<size_t>(version_extra)];
        char* end = nullptr;
        const long long n = std::strtoll(v.c_str(), &end, 10);
        if (v.empty() || *end) return std::nullopt;
        return n;
    };
    pg.exec("DROP TABLE IF EXISTS pg_temp.gw_push", "staging " + name);
    pg.exec(create, "staging " + name);

    OGRFeatureDefn* defn = new OGRFeatureDefn(name.c_str());
    defn->Reference();
    for (const auto& [n, t] : sc.cols) {
        OGRFieldDefn fd(n.c_str(), t);
        defn->AddFieldDefn(&fd);
    }
    std::string text;
    try {
        for_each_feature(px.cx, name, rows, sc, defn, gtype, [&](OGRFeature& f, const T& row) {
            for (int i : used) {
                append_field(text, f, i, sc.cols[i].second);
                text += '\t';
            }
            text += hex_ewkb(*f.GetGeometryRef(), px.srid);
            const auto v = pulled_at(row);
            out.versioned |= v.has_value();
            text += v ? '\t' + std::to_string(*v) + '\n' : std::string("\t\\N\n");
        });
    } catch (...) {
        defn->Release();
        throw;
    }
    defn->Release();
    pg.copy_in("COPY pg_temp.gw_push (" + cols_sql + ", gw_version) FROM STDIN", text,
               "sending the rows of " + name);
    text.clear();
    text.shrink_to_fit();

    // A row the file's grids give no community: the store's own rule, as its trigger applies it.
    std::string community;
    if (name == "grids")
        community = "CASE WHEN level = 1 THEN grid_id ELSE coalesce(" + px.S + "gridwatch_cell_community(parent_id), " +
                    px.S + "gridwatch_community_of(geom)) END";
    else if (name == "households" || name == "checks")
        community = "coalesce(" + px.S + "gridwatch_cell_community(grid_id), " + px.S + "gridwatch_community_of(geom))";
    else
        community = px.S + "gridwatch_community_of(geom)";
    if (have.count("community"))
        pg.exec("UPDATE pg_temp.gw_push SET community = " + community + " WHERE community IS NULL",
                "placing the rows of " + name + " in their communities");

    // Others' writes to this table wait for the commit; two pushes cannot both insert an id.
    pg.exec("LOCK TABLE " + T_ + " IN SHARE ROW EXCLUSIVE MODE", "locking " + name);
    std::string differ, same;  // t vs s, over every column that goes in
    for (int i : used) {
        const std::string c = quote_ident(sc.cols[i].first);
        // gridwatch reads an empty text and a NULL alike (a report's empty note is stored as NULL by
        // import, as '' by db init): that is no change.
        const bool text = sc.cols[i].second == OFTString;
        const std::string tc = text ? "nullif(t." + c + ", '')" : "t." + c, sc_ = text ? "nullif(s." + c + ", '')" : "s." + c;
        differ += tc + " IS DISTINCT FROM " + sc_ + " OR ";
        if (sc.cols[i].first != "community") same += tc + " IS NOT DISTINCT FROM " + sc_ + " AND ";
    }
    differ += "ST_AsEWKB(t.geom) IS DISTINCT FROM ST_AsEWKB(s.geom)";
    same += "ST_AsEWKB(t.geom) = ST_AsEWKB(s.geom)";
    std::string s_cols;
    for (int i : used) s_cols += "s." + quote_ident(sc.cols[i].first) + ", ";
    s_cols += "s.geom";
    if (!out.key.empty()) {
        const std::string K = quote_ident(out.key);
        const auto dup = pg.query("SELECT " + K + " FROM pg_temp.gw_push GROUP BY " + K +
                                  " HAVING count(*) > 1 ORDER BY 1 LIMIT 1");
        if (!dup.empty())
            throw Error("the file holds " + out.key + " '" + dup[0][0].value_or("") + "' more than once; a push matches rows by it",
                        {px.options.file, name, dup[0][0].value_or(""), out.key},
                        "give every row its own " + out.key + "; nothing was pushed");
        const std::string match = "t." + K + " = s." + K;
        if (out.versioned && !px.options.overwrite)
            refuse_changed_since_pull(px, out, name, used, sc, match, differ);
        out.updated = pg.exec_count("UPDATE " + T_ + " AS t SET (" + cols_sql + ") = (" + s_cols + ") FROM pg_temp.gw_push AS s WHERE " +
                                        match + " AND (" + differ + ")",
                                    "updating " + name);
        out.inserted = pg.exec_count("INSERT INTO " + T_ + " (" + cols_sql + ") SELECT " + s_cols +
                                         " FROM pg_temp.gw_push AS s WHERE NOT EXISTS (SELECT 1 FROM " + T_ + " AS t WHERE " +
                                         match + ") ORDER BY s.gw_row",
                                     "inserting into " + name);
        // The versions the file's rows now have, read under the lock (after the commit another
        // office's change would be taken for ours): the file is brought up to them after the commit.
        if (out.versioned)
            for (const auto& r : pg.query("SELECT t." + K + ", t.version FROM " + T_ +
                                              " AS t JOIN pg_temp.gw_push AS s ON " + match,
                                          "reading the versions of " + name))
                if (r[0] && r[1]) out.versions.emplace_back(*r[0], std::atoll(r[1]->c_str()));
        const std::string gone = " FROM " + T_ + " AS t WHERE NOT EXISTS (SELECT 1 FROM pg_temp.gw_push AS s WHERE " + match + ")";
        out.missing = std::atoll(pg.scalar("SELECT count(*)" + gone, "counting the rows of " + name).c_str());
    } else {
        out.inserted = pg.exec_count("INSERT INTO " + T_ + " (" + cols_sql + ") SELECT " + s_cols +
                                         " FROM pg_temp.gw_push AS s WHERE NOT EXISTS (SELECT 1 FROM " + T_ + " AS t WHERE " +
                                         same + ") ORDER BY s.gw_row",
                                     "inserting into " + name);
        out.missing = std::atoll(pg.scalar("SELECT count(*) FROM " + T_ + " AS t WHERE NOT EXISTS (SELECT 1 FROM pg_temp.gw_push AS s WHERE " +
                                               same + ")",
                                           "counting the rows of " + name)
                                     .c_str());
    }
    if (px.options.delete_missing && out.missing > 0) {
        const std::string cond = out.key.empty() ? same : "t." + quote_ident(out.key) + " = s." + quote_ident(out.key);
        out.deleted = pg.exec_count("DELETE FROM " + T_ + " AS t WHERE NOT EXISTS (SELECT 1 FROM pg_temp.gw_push AS s WHERE " +
                                        cond + ")",
                                    "deleting from " + name);
    }
    out.unchanged = static_cast<long long>(out.rows) - out.inserted - out.updated;
    pg.exec("DROP TABLE pg_temp.gw_push");
    return out;
}
/**
 * The store's CRS (the data's own, SPEC §9: a declared SRID) and the model's working CRS, as the
 * dataset says. Made anew on each thread that needs them: an OGRSpatialReference, like a PROJ
 * transformation, serves one thread at a time.
 */
struct StoreCrs {
    OGRSpatialReference target, work;
    explicit StoreCrs(const Dataset* ds) {
        if (ds && !ds->source_crs_wkt.empty()) {
            target.importFromWkt(ds->source_crs_wkt.c_str());
        } else if (ds && !ds->crs.empty()) {
            target = parse_crs(ds->crs, "the dataset's CRS");
        } else {
            target = parse_crs("EPSG:4490");  // CGCS2000, China's geographic CRS (SPEC §2)
        }
        target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        if (ds && !ds->work_crs_wkt.empty())
            work.importFromWkt(ds->work_crs_wkt.c_str());
        else
            work = target;
    }
};

/** prepare_layer on a thread of its own: with its own StoreCrs (of `crs_of`) and transformation. */
template <class T>
LayerPrep prepare_alone(CopyContext c, const Dataset* crs_of, const std::string& name, const std::vector<T>& rows) {
    const StoreCrs own(crs_of);
    const Projector to_target(own.work, own.target);
    c.srs = &own.target;
    c.to_target = &to_target;
    return prepare_layer(c, name, rows);
}

}  // namespace

InitResult init_store(const std::string& pg_source, const Dataset* ds, const Progress& progress, LaterLayers later) {
    const auto t0 = std::chrono::steady_clock::now();
    gdal_setup();
    InitResult out;
    Connection pg(pg_source);
    out.source = pg.source();
    out.schema = pg.scalar("SELECT current_schema()", "reading the default schema");
    if (out.schema.empty())
        throw Error("the connection has no default schema (its search_path names none that exists)", {out.source},
                    "create the schema, or set search_path for the user");
    std::string list;
    for (const auto& t : store_tables()) list += (list.empty() ? "" : ", ") + quote_literal(t);
    const auto existing = pg.query(
        "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = "
        "current_schema() AND c.relname IN (" +
            list +
            ", 'gridwatch_logins', 'households_public', 'grids_public', "
            "'checks_public') ORDER BY 1",
        "looking for earlier tables");
    if (!existing.empty())
        throw Error("schema '" + out.schema + "' already has a table '" + existing[0][0].value_or("") + "'",
                    {out.source}, "db init makes a new store: give an empty database (createdb NAME) or drop the gridwatch tables first");

    // PostGIS: GDAL's PG driver looks for it when it opens the database, so it comes first, on its own.
    out.postgis_version = pg.scalar("SELECT extversion FROM pg_extension WHERE extname = 'postgis'");
    if (out.postgis_version.empty()) {
        if (pg.scalar("SELECT count(*) FROM pg_available_extensions WHERE name = 'postgis'") == "0")
            throw Error("PostGIS is not installed on the database server", {out.source},
                        "install it there (Debian: apt-get install postgresql-15-postgis-3), then run db init again");
        try {
            pg.exec("CREATE EXTENSION postgis");
        } catch (const Error& e) {
            throw Error("database '" + pg.database() + "' has no PostGIS and user '" + pg.user() +
                            "' may not create it (" + e.problem() + ")",
                        {out.source},
                        "ask the database owner or a superuser to run CREATE EXTENSION postgis there, or use a "
                        "database that has it");
        }
        out.created_postgis = true;
        out.postgis_version = pg.scalar("SELECT extversion FROM pg_extension WHERE extname = 'postgis'");
    }
    const std::string postgis_schema = pg.scalar(
        "SELECT n.nspname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE e.extname = 'postgis'");

    try {
        StoreCrs crs(ds);
        OGRSpatialReference& target = crs.target;  // non-const for GDAL's CreateLayer (LoadContext)
        const OGRSpatialReference& work = crs.work;
        Projector to_target(work, target);

        static const Dataset empty;
        const Dataset& model = ds ? *ds : empty;
        Communities communities(model);
        const auto& tables = store_tables();
        size_t done = 0;
        auto step = [&](const std::string& t, size_t rows) {
            out.tables.emplace_back(t, rows);
            if (progress) progress(static_cast<double>(++done) / (tables.size() + 1), "loading " + t);
        };
        // The model holding a layer's rows: a later layer's once read (model_of waits for it).
        const Dataset* read_later = nullptr;
        auto model_of = [&](const std::string& t) -> const Dataset& {
            if (!later.has(t)) return model;
            if (!read_later) read_later = &later.model.get();
            return *read_later;
        };
        // Layer t's rows through `load(t, rows)`.
        auto with_rows = [&](const std::string& t, auto&& load) {
            with_layer_rows(model_of(t), t, [&](const auto& rows) { load(t, rows); });
        };
        std::string after = post_load_sql(out.schema, postgis_schema, tables);
        if (const int srid = store_srid(pg, target); srid > 0) {
            // The CRS is in spatial_ref_sys by its code: the tables are made and filled here.
            Transaction tx(pg, "starting the load");
            const bool lz4 = pg.scalar(toast_lz4_query(), "asking for LZ4") == "t";
            // This load's long geometries by LZ4 too (the columns say so only once filled).
            if (lz4) pg.exec("SET LOCAL default_toast_compression = lz4", "choosing LZ4");
            CopyContext cx{pg, ds, &communities, &target, &to_target, out.schema, srid, lz4};
            auto cx_for = [&](const std::string& t) {
                CopyContext c = cx;
                c.model = &model_of(t);
                return c;
            };
            // The tables are made in the store's order (readers list them as they were made) as far
            // as their rows are at hand, and filled point layers first, each kind largest first:
            // the server starts on a layer whose rows are soon ready (a point's community is one
            // lookup, an outline's takes GEOS) while the outlines are prepared, and builds the large
            // tables' indexes while gridwatch sends the smaller ones, so the last wait (for the last
            // table's indexes) is short. A later layer (the month of reports) is filled as soon as
            // it is read.
            size_t made = 0;
            struct ToFill {
                bool outlines;  // lines or polygons
                size_t rows;
                std::string table;
            };
            std::vector<ToFill> to_fill;  // made, not yet filled
            auto make_tables = [&] {
                for (; made < tables.size() && (read_later || !later.has(tables[made])); ++made)
                    with_rows(tables[made], [&](const std::string& t, const auto& rows) {
                        create_table(cx_for(t), t, rows);
                        to_fill.push_back({store_geometry_type(rows) != wkbPoint, rows.size(), t});
                    });
                std::stable_sort(to_fill.begin(), to_fill.end(), [](const ToFill& a, const ToFill& b) {
                    return a.outlines != b.outlines ? b.outlines : a.rows > b.rows;
                });
            };
            auto later_ready = [&] {
                return later.model.wait_for(std::chrono::seconds(0)) == std::future_status::ready;
            };
            make_tables();
            // The next table to fill ("" when none): a later layer's waited for only when nothing
            // else is left (`wait`); the tables after it are made once the server has taken what
            // was sent before (a failed index build is reported as itself).
            std::string last;
            auto next_table = [&](bool wait) -> std::string {
                if (made < tables.size() && (later_ready() || (wait && to_fill.empty()))) {
                    model_of(tables[made]);
                    pg.finish("building the indexes of " + last);
                    make_tables();
                }
                if (to_fill.empty()) return {};
                std::string t = to_fill.front().table;
                to_fill.erase(to_fill.begin());
                return t;
            };
            // Each table's LayerPrep is made on its own thread while the tables before are filled
            // and indexed; a later layer's as soon as it is read.
            std::map<std::string, std::shared_future<LayerPrep>> early;
            for (const auto& t : later.names)
                if (later.has(t)) early[t] = std::async(std::launch::async, [t, cx, ds, model = later.model] {
                               LayerPrep p;
                               CopyContext c = cx;
                               c.model = &model.get();
                               with_layer_rows(*c.model, t, [&](const auto& rows) { p = prepare_alone(c, ds, t, rows); });
                               return p;
                           }).share();
            auto prepare = [&](const std::string& t) {
                std::shared_future<LayerPrep> f;
                if (auto it = early.find(t); it != early.end()) return it->second;
                with_rows(t, [&](const std::string& name, const auto& rows) {
                    f = std::async(std::launch::async, [c = cx_for(name), ds, name, &rows] { return prepare_alone(c, ds, name, rows); }).share();
                });
                return f;
            };
            // Up to three tables ahead are being prepared: the outlines' (GEOS) while the server takes
            // the point layers.
            constexpr size_t kAhead = 3;
            std::deque<std::pair<std::string, std::shared_future<LayerPrep>>> ahead;
            auto look_ahead = [&](bool wait) {
                while (ahead.size() < kAhead) {
                    std::string t = next_table(wait && ahead.empty());
                    if (t.empty()) break;
                    ahead.emplace_back(t, prepare(t));
                }
            };
            look_ahead(true);
            while (!ahead.empty()) {
                const auto [now, now_prep] = ahead.front();
                ahead.pop_front();
                look_ahead(false);
                const LayerPrep& prep = now_prep.get();
                with_rows(now, [&](const std::string& t, const auto& rows) { step(t, copy_layer(cx_for(t), t, rows, prep, last)); });
                last = now;
                look_ahead(true);
            }
            pg.finish("building the indexes of " + last);
            // Reported in the store's order, as the tables are listed everywhere else.
            std::vector<std::pair<std::string, size_t>> listed;
            for (const auto& t : tables)
                for (const auto& r : out.tables)
                    if (r.first == t) listed.push_back(r);
            out.tables = std::move(listed);
            pg.exec(after, "making the store's triggers, indexes and policies");
            tx.commit("committing the load");
        } else {
            // A CRS the database has no code for: GDAL's PG driver adds it to spatial_ref_sys and
            // makes the tables.
            GdalErrors gdal;
            // New tables are filled by COPY (GDAL's PG driver does so for tables it has just made;
            // said here so that it cannot fall back to an INSERT per row).
            CPLConfigOptionSetter copy("PG_USE_COPY", "YES", true);
            const std::string name = "PG:" + conninfo_of(pg_source);
            GDALDatasetUniquePtr gds(GDALDataset::Open(name.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
            if (!gds) throw Error("GDAL cannot open the database: " + gdal.take(), {out.source});
            if (gds->StartTransaction() != OGRERR_NONE)
                throw Error("cannot start a transaction: " + gdal.take(), {out.source});
            try {
                for (const auto& table : tables)
                    with_rows(table, [&](const std::string& t, const auto& rows) {
                        LoadContext cx{gds.get(), &model_of(t), &communities, &target, &to_target, out.source, gdal};
                        step(t, load_layer(cx, t, rows));
                    });
                gdal.take();
                std::string sql;
                const bool lz4 = pg.scalar(toast_lz4_query(), "asking for LZ4") == "t";
                for (const auto& t : tables) sql += table_sql(out.schema, t, lz4);
                OGRLayer* r = gds->ExecuteSQL((sql + after).c_str(), nullptr, nullptr);
                if (r) gds->ReleaseResultSet(r);
                if (const std::string why = gdal.take(); !why.empty())
                    fail("cannot make the store's triggers, indexes and policies", why, {out.source});
                if (gds->CommitTransaction() != OGRERR_NONE)
                    throw Error("cannot commit the load: " + gdal.take(), {out.source}, "nothing was changed; run db init again");
            } catch (...) {
                gds->RollbackTransaction();
                throw;
            }
        }
        if (progress) progress(1.0, "done");
    } catch (...) {
        // "As before": an extension made for this load goes with it.
        if (out.created_postgis) {
            try {
                pg.exec("DROP EXTENSION IF EXISTS postgis");
            } catch (const Error&) {
            }
        }
        throw;
    }
    out.srid = std::atoi(pg.scalar("SELECT Find_SRID(current_schema()::text, 'grids', 'geom')").c_str());
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace gw::store

namespace gw::store {

std::string push_key(const std::string& table) { return layer_id_field(table); }

namespace {

/**
 * After a push, sets the file's `version` of each row to the store's, so that its next push
 * checks against what this one wrote (a row pushed again without a pull is not someone else's
 * change). A GeoPackage's layer only, by SQL; anything else is said in `notes` (the push stands:
 * the next one may then find conflicts that a pull clears).
 */
void bring_versions_up_to_date(const Dataset& ds, const PushLayer& l, std::vector<std::string>& notes) {
    const LayerInfo* info = nullptr;
    for (const auto& i : ds.layers)
        if (i.name == l.name && !i.recognised_by.empty()) info = &i;
    if (!info) return;
    std::string key_field = l.key, version_field;
    for (const auto& [contract, source] : info->fields)
        if (contract == l.key) key_field = source;
    for (const auto& f : info->source_fields)
        if (ascii_lower(f) == kPulledVersion) version_field = f;
    const auto note = [&](const std::string& why) {
        notes.push_back(info->source + ": layer '" + info->source_name +
                        "': the rows' versions were not brought up to date (" + why +
                        "): pull again before the next push, or it may find its own changes in the way");
    };
    if (version_field.empty()) return;
    const std::map<std::string, long long> stored(l.versions.begin(), l.versions.end());
    GdalErrors gdal;
    GDALDatasetUniquePtr file(GDALDataset::Open(info->source.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!file || std::string(file->GetDriverName()) != "GPKG") {
        note(file ? "not a GeoPackage" : "cannot open it for writing: " + gdal.take());
        return;
    }
    const std::string L = quote_ident(info->source_name), KF = quote_ident(key_field),
                      VF = quote_ident(version_field);
    OGRLayer* rs = file->ExecuteSQL(("SELECT " + KF + ", " + VF + " FROM " + L).c_str(), nullptr, nullptr);
    if (!rs) {
        note("its ids could not be read: " + gdal.take());
        return;
    }
    std::vector<std::string> updates;
    for (auto& f : *rs) {
        const auto it = stored.find(f->GetFieldAsString(0));
        if (it == stored.end() || (f->IsFieldSetAndNotNull(1) && f->GetFieldAsInteger64(1) == it->second))
            continue;
        updates.push_back("UPDATE " + L + " SET " + VF + " = " + std::to_string(it->second) + " WHERE " + KF +
                          " = " + quote_literal(it->first));
    }
    file->ReleaseResultSet(rs);
    if (updates.empty()) return;
    if (file->StartTransaction() != OGRERR_NONE) {
        note("the file could not be written: " + gdal.take());
        return;
    }
    for (const auto& u : updates)
        if (OGRLayer* r = file->ExecuteSQL(u.c_str(), nullptr, nullptr)) file->ReleaseResultSet(r);
    if (file->CommitTransaction() != OGRERR_NONE || !gdal.take().empty())
        note("the file could not be written");
}

}  // namespace

PushResult push_store(const std::string& pg_source, const Dataset& ds, const PushOptions& options, const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    gdal_setup();
    PushResult out;
    out.delete_missing = options.delete_missing;
    Connection pg(pg_source);
    out.source = pg.source();
    const std::string schema = pg.scalar("SELECT current_schema()", "reading the default schema");
    if (pg.scalar("SELECT to_regclass(" + quote_literal(quote_ident(schema) + ".gridwatch_logins") + ")").empty() &&
        pg.scalar("SELECT to_regclass(" + quote_literal(quote_ident(schema) + ".grids") + ")").empty())
        throw Error("schema '" + schema + "' holds no gridwatch store", {out.source},
                    "make it first: gridwatch db init PG:… --from DATASET");
    const int srid = std::atoi(pg.scalar("SELECT Find_SRID(current_schema()::text, 'grids', 'geom')", "reading the store's SRID").c_str());
    OGRSpatialReference target;
    if (srid <= 0 || target.importFromEPSG(srid) != OGRERR_NONE)
        throw Error("the store's grids have no SRID GDAL knows (" + std::to_string(srid) + ")", {out.source, "grids"},
                    "make the store with gridwatch db init");
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference work;
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    if (!ds.work_crs_wkt.empty())
        work.importFromWkt(ds.work_crs_wkt.c_str());
    else
        work = target;
    Projector to_target(work, target);
    Communities communities(ds);
    GdalErrors gdal;
    LoadContext cx{nullptr, &ds, &communities, &target, &to_target, out.source, gdal};
    PushContext px{pg, cx, quote_ident(schema) + ".", srid, options};
    auto has_layer = [&](const std::string& t) {
        for (const auto& l : ds.layers)
            if (l.name == t && !l.recognised_by.empty()) return true;
        return false;
    };
    const auto& tables = store_tables();
    Transaction tx(pg);
    {
        size_t done = 0;
        for (const auto& t : tables) {
            if (progress) progress(static_cast<double>(done++) / (tables.size() + 1), "pushing " + t);
            if (!has_layer(t)) {
                out.absent.push_back(t);
                continue;
            }
            with_layer_rows(ds, t, [&](const auto& rows) { out.layers.push_back(push_layer(px, t, rows)); });
        }
        tx.commit("committing the push");
    }
    // The push stands: what goes wrong from here on is said, not an error.
    for (const PushLayer& l : out.layers)
        if (l.versioned && !l.key.empty()) try {
                bring_versions_up_to_date(ds, l, out.notes);
            } catch (const std::exception& e) {
                out.notes.push_back(options.file + ": layer '" + l.name +
                                    "': the rows' versions were not brought up to date: " + e.what());
            }
    if (progress) progress(1.0, "done");
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace gw::store
