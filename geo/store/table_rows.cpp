#include "geo/store/table_rows.h"

#include <cpl_conv.h>
#include <libpq-fe.h>
#include <ogr_feature.h>
#include <ogr_p.h>  // OGRGeometryFromEWKB: what GDAL's PostgreSQL driver decodes a geometry with
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>
#include <optional>

#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/store/pg.h"

namespace gw::store {

struct TableRows::Column {
    enum class Kind { Fid, Int16, Int32, Int64, Float64, Bool, Text, Geometry } kind;
    int field = -1;  // index in the layer's definition (Fid, Geometry: none)
    bool int64_field = false;
    int digits = 0;  // Float64: the significant digits of the server's text of it (0: as many as it takes)
};

namespace {

using Kind = TableRows::Column::Kind;

/** The column types whose binary values give exactly what GDAL's driver makes of their text. */
std::optional<Kind> kind_of(const std::string& type) {
    static const std::map<std::string, Kind> kinds = {
        {"int2", Kind::Int16}, {"int4", Kind::Int32},   {"int8", Kind::Int64},   {"float8", Kind::Float64},
        {"bool", Kind::Bool},  {"varchar", Kind::Text}, {"text", Kind::Text},    {"bpchar", Kind::Text},
        {"name", Kind::Text},  {"geometry", Kind::Geometry},
    };
    // Not float4: GDAL reads the server's shortest text of it ("0.1") into a double, not the float.
    const auto k = kinds.find(type);
    return k == kinds.end() ? std::nullopt : std::optional<Kind>(k->second);
}

uint16_t be16(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return static_cast<uint16_t>(u[0] << 8 | u[1]);
}
uint32_t be32(const char* p) {
    const auto* u = reinterpret_cast<const unsigned char*>(p);
    return uint32_t(u[0]) << 24 | uint32_t(u[1]) << 16 | uint32_t(u[2]) << 8 | uint32_t(u[3]);
}
uint64_t be64(const char* p) { return uint64_t(be32(p)) << 32 | be32(p + 4); }

}  // namespace

TableRows::TableRows(Connection& pg, std::string table) : pg_(pg), table_(std::move(table)) {}

TableRows::~TableRows() {
    if (msg_) PQfreemem(msg_);
    if (done_) return;
    // Stopped mid-way (the reader failed on a row): the server is told to stop, and what it had
    // sent is read to the end, so that the connection serves the next layer.
    PGconn* conn = pg_.raw();
    if (PGcancel* cancel = PQgetCancel(conn)) {
        char err[256];
        PQcancel(cancel, err, sizeof err);
        PQfreeCancel(cancel);
    }
    for (char* m = nullptr; PQgetCopyData(conn, &m, 0) >= 0; m = nullptr)
        if (m) PQfreemem(m);
    while (PGresult* res = PQgetResult(conn)) PQclear(res);
}

std::unique_ptr<TableRows> TableRows::start(Connection& pg, OGRLayer& layer, const std::vector<int>& skip) {
    const std::string name = layer.GetName();
    const std::string fid = layer.GetFIDColumn();
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    if (fid.empty() || defn->GetGeomFieldCount() > 1) return nullptr;  // a view, or two geometries
    // GDAL's driver puts a spatial filter in its WHERE (the column && the box); this reader does not.
    if (layer.GetSpatialFilter()) return nullptr;
    const std::string rel = quote_relation(name);
    // GDAL's driver leaves the client encoding as it is where PGCLIENTENCODING is set: its text
    // comes in that encoding, this reader's in UTF8.
    if (CPLGetConfigOption("PGCLIENTENCODING", nullptr)) return nullptr;
    // PG_USE_TEXT=YES: GDAL's driver reads the geometries as ST_AsEWKT's text (15 decimals at most).
    if (CPLTestBool(CPLGetConfigOption("PG_USE_TEXT", "NO"))) return nullptr;
    std::map<std::string, std::string> types;
    int float_digits = 0;
    bool fid_is_key = false;
    try {
        // A COPY's query may be planned as a parallel scan (a large table, a selective filter), whose
        // rows come in the workers' interleaving; GDAL's driver reads by a cursor, never parallel.
        pg.exec("SET max_parallel_workers_per_gather TO 0");
        // A login's statement_timeout bounds each of GDAL's FETCHes (a page of rows); the COPY is one
        // statement for the whole table, lasting as long as the caller takes over its rows.
        pg.exec("SET statement_timeout TO 0");
        // GDAL's driver parses the server's text of a float8: exact (shortest) where
        // extra_float_digits > 0 on PostgreSQL 12 and later, else rounded to 15 + that many digits.
        const int extra = std::stoi(pg.scalar("SHOW extra_float_digits"));
        if (extra <= 0 || PQserverVersion(pg.raw()) < 120000) float_digits = std::max(1, 15 + extra);
        // The FID column must be the primary key: without one, GDAL's driver takes a column named
        // ogc_fid as the FID, NULLs and repeats included, which this reader does not.
        for (const auto& row : pg.query("SELECT a.attname, t.typname, EXISTS (SELECT 1 FROM pg_index i WHERE i.indrelid = "
                                        "a.attrelid AND i.indisprimary AND i.indnkeyatts = 1 AND i.indkey[0] = a.attnum) "
                                        "FROM pg_attribute a JOIN pg_type t ON t.oid = a.atttypid "
                                        "WHERE a.attrelid = to_regclass(" + quote_literal(rel) + ") AND a.attnum > 0 "
                                        "AND NOT a.attisdropped"))
            if (row.size() == 3 && row[0] && row[1] && row[2]) {
                types[*row[0]] = *row[1];
                if (*row[0] == fid) fid_is_key = *row[2] == "t";
            }
    } catch (const std::exception&) {  // gw::Error, or a setting stoi cannot read
        return nullptr;
    }
    auto typed = [&](const std::string& column) -> std::optional<Kind> {
        const auto t = types.find(column);
        return t == types.end() ? std::nullopt : kind_of(t->second);
    };
    std::unique_ptr<TableRows> rows(new TableRows(pg, name));
    std::string select = quote_ident(fid);
    const auto fid_kind = typed(fid);
    if (!fid_is_key || (fid_kind != Kind::Int32 && fid_kind != Kind::Int64)) return nullptr;
    rows->columns_.push_back({Kind::Fid, -1, fid_kind == Kind::Int64});
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        if (std::find(skip.begin(), skip.end(), i) != skip.end()) continue;
        const std::string column = defn->GetFieldDefn(i)->GetNameRef();
        const auto kind = typed(column);
        if (!kind || *kind == Kind::Geometry) return nullptr;
        const OGRFieldType t = defn->GetFieldDefn(i)->GetType();
        const bool number_field = t == OFTInteger || t == OFTInteger64 || t == OFTReal;
        // What GDAL's driver read this column as must be what its values are set as here.
        if ((*kind == Kind::Text) == number_field) return nullptr;
        if (*kind == Kind::Float64 && t != OFTReal) return nullptr;
        if (*kind != Kind::Text && *kind != Kind::Float64 && t != OFTInteger && t != OFTInteger64) return nullptr;
        rows->columns_.push_back({*kind, i, t == OFTInteger64, *kind == Kind::Float64 ? float_digits : 0});
        select += ", " + quote_ident(column);
    }
    if (defn->GetGeomFieldCount() == 1) {
        const std::string geom = defn->GetGeomFieldDefn(0)->GetNameRef();
        if (typed(geom) != Kind::Geometry) return nullptr;
        rows->columns_.push_back({Kind::Geometry, 0});
        rows->srs_ = defn->GetGeomFieldDefn(0)->GetSpatialRef();
        select += ", " + quote_ident(geom);
    }
    std::string sql = "COPY (SELECT " + select + " FROM " + rel;
    if (const char* filter = layer.GetAttrQueryString(); filter && *filter) sql += " WHERE " + std::string(filter);
    sql += ") TO STDOUT (FORMAT binary)";
    PGresult* res = PQexec(pg.raw(), sql.c_str());
    const bool copying = res && PQresultStatus(res) == PGRES_COPY_OUT;
    PQclear(res);
    if (!copying) {
        while (PGresult* r = PQgetResult(pg.raw())) PQclear(r);
        return nullptr;
    }
    rows->done_ = false;
    return rows;
}

void TableRows::fail(const std::string& why) {
    throw Error("reading stopped after " + std::to_string(rows_) + " rows: " + why, {pg_.source(), table_},
                "run the command again; if it fails again, check the server's log");
}

bool TableRows::fill() {
    if (done_) return false;
    char* m = nullptr;
    const int len = PQgetCopyData(pg_.raw(), &m, 0);
    if (len >= 0) {
        std::string rest(at_, end_);
        if (msg_) PQfreemem(msg_);
        msg_ = nullptr;
        if (rest.empty()) {
            msg_ = m;
            at_ = m, end_ = m + len;
        } else {
            carry_ = std::move(rest);
            carry_.append(m, static_cast<size_t>(len));
            PQfreemem(m);
            at_ = carry_.data(), end_ = at_ + carry_.size();
        }
        return true;
    }
    // The end of the COPY: its result says whether the server finished it.
    done_ = true;
    std::string error = len == -2 ? PQerrorMessage(pg_.raw()) : "";
    while (PGresult* res = PQgetResult(pg_.raw())) {
        if (PQresultStatus(res) != PGRES_COMMAND_OK && error.empty()) error = PQresultErrorMessage(res);
        PQclear(res);
    }
    if (!error.empty()) fail(error.substr(0, error.find('\n')));
    return false;
}

bool TableRows::next(OGRFeature& f) {
    auto need = [&](size_t n) {
        while (static_cast<size_t>(end_ - at_) < n)
            if (!fill()) fail("the server's COPY ended inside a row");
    };
    if (!header_) {
        need(19);
        if (std::memcmp(at_, "PGCOPY\n\377\r\n\0", 11) != 0) fail("the server's COPY did not start with its signature");
        const uint32_t extension = be32(at_ + 15);
        at_ += 19;
        need(extension);
        at_ += extension;
        header_ = true;
    }
    if (trailer_) return false;
    need(2);
    const auto count = static_cast<int16_t>(be16(at_));
    at_ += 2;
    if (count == -1) {  // the trailer: nothing may follow but the COPY's end
        trailer_ = true;
        while (fill())
            if (at_ != end_) fail("the server sent data after the COPY's last row");
        return false;
    }
    if (count != static_cast<int16_t>(columns_.size())) fail("a row has " + std::to_string(count) + " columns");
    for (const Column& c : columns_) {
        need(4);
        const auto len = static_cast<int32_t>(be32(at_));
        at_ += 4;
        if (len < 0) {
            if (c.kind == Kind::Geometry) f.SetGeometryDirectly(nullptr);
            else if (c.kind == Kind::Fid) fail("a row has no FID");
            else f.SetFieldNull(c.field);
            continue;
        }
        need(static_cast<size_t>(len));
        const char* p = at_;
        at_ += len;
        auto size_is = [&](int32_t n) {
            if (len != n) fail("a value of " + std::to_string(len) + " bytes where " + std::to_string(n) + " were expected");
        };
        switch (c.kind) {
            case Kind::Fid:
                if (c.int64_field) size_is(8), f.SetFID(static_cast<GIntBig>(be64(p)));
                else size_is(4), f.SetFID(static_cast<int32_t>(be32(p)));
                break;
            case Kind::Int16:
                size_is(2);
                f.SetField(c.field, static_cast<int>(static_cast<int16_t>(be16(p))));
                break;
            case Kind::Int32:
                size_is(4);
                if (c.int64_field) f.SetField(c.field, static_cast<GIntBig>(static_cast<int32_t>(be32(p))));
                else f.SetField(c.field, static_cast<int>(static_cast<int32_t>(be32(p))));
                break;
            case Kind::Int64:
                size_is(8);
                f.SetField(c.field, static_cast<GIntBig>(be64(p)));
                break;
            case Kind::Float64: {
                size_is(8);
                const uint64_t bits = be64(p);
                double v;
                std::memcpy(&v, &bits, sizeof v);
                if (c.digits > 0 && std::isfinite(v)) {  // the value of the server's rounded text (float8out)
                    char text[64];
                    std::snprintf(text, sizeof text, "%.*g", c.digits, v);
                    v = CPLAtof(text);
                }
                f.SetField(c.field, v);
                break;
            }
            case Kind::Bool:
                size_is(1);
                f.SetField(c.field, *p != 0 ? 1 : 0);
                break;
            case Kind::Text:
                text_.assign(p, static_cast<size_t>(len));
                f.SetField(c.field, text_.c_str());
                break;
            case Kind::Geometry: {
                // GDAL's driver reads the same EWKB (as hex) with this function. It takes the SRID out
                // in place: the bytes are this reader's own (libpq's message or carry_), read once.
                int srid = 0;
                OGRGeometry* g = OGRGeometryFromEWKB(reinterpret_cast<GByte*>(const_cast<char*>(p)), len, &srid, FALSE);
                if (!g) fail("the geometry of the row with FID " + std::to_string(f.GetFID()) + " cannot be decoded");
                g->assignSpatialReference(srs_);
                f.SetGeometryDirectly(g);
                break;
            }
        }
    }
    ++rows_;
    return true;
}

}  // namespace gw::store
