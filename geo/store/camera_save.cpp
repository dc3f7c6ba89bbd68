// Version-checked camera writes (see camera_save.h).
#include "geo/store/camera_save.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/io/camera_store.h"
#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "geo/io/names.h"
#include "geo/store/pg.h"

namespace gw::store {
namespace {

std::string num(double v) {
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.10g", v);
    return buf;
}
/** Exact text of a double for SQL (17 digits read back as the same double). */
std::string sql_num(double v) {
    if (!std::isfinite(v)) return "NULL";
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    return buf;
}
std::string opt_num(const std::optional<double>& v) { return v ? num(*v) : "(none)"; }
std::string opt_int(const std::optional<int>& v) { return v ? std::to_string(*v) : "(none)"; }

/**
 * --expect-version above the camera's version: no one can have read it at that version, so it is
 * a wrong argument (exit 1 naming both), not a change by someone else.
 */
void refuse_future_version(int64_t expected, int64_t now, const std::string& cam_id, const Error::Where& where) {
    if (expected <= now) return;
    throw Error("--expect-version " + std::to_string(expected) + " is above camera '" + cam_id + "', now at version " +
                    std::to_string(now) + ": it has never had that version; nothing was written",
                where, "give the version the camera was read at (gridwatch edit with no change prints it)");
}

constexpr const char* kColumns =
    "fid, cam_id, owner, status, azimuth, fov, range, height, resolution_px, ST_X(geom), ST_Y(geom), ST_SRID(geom), version";

StoredCamera row_camera(const Row& r) {
    auto text = [&](size_t i) { return r[i].value_or(""); };
    auto real = [&](size_t i) { return r[i] ? std::strtod(r[i]->c_str(), nullptr) : std::nan(""); };
    StoredCamera c;
    c.fid = std::stoll(text(0));
    c.cam_id = text(1), c.owner = text(2), c.status = text(3);
    c.azimuth = real(4), c.fov = real(5), c.range = real(6);
    if (r[7]) c.height = real(7);
    // As stored (an int4 column): a value the readers take for none (0, −5) is written back as it was.
    if (r[8]) c.resolution_px = int(std::strtol(r[8]->c_str(), nullptr, 10));
    c.x = real(9), c.y = real(10);
    c.srid = r[11] ? std::atoi(r[11]->c_str()) : 0;
    c.version = r[12] ? std::stoll(*r[12]) : 1;
    return c;
}

std::string quoted_or_null(const std::string& s) { return quote_literal(s); }
std::string opt_sql(const std::optional<double>& v) { return v ? sql_num(*v) : "NULL"; }
std::string opt_sql(const std::optional<int>& v) { return v ? std::to_string(*v) : "NULL"; }

/** The store's CRS code for a point: the table's declared SRID. */
int table_srid(Connection& pg) {
    const std::string s =
        pg.scalar("SELECT Find_SRID(current_schema()::text, 'cameras', 'geom')", "reading the cameras table's SRID");
    return s.empty() ? 0 : std::atoi(s.c_str());
}

std::string point_sql(const StoredCamera& c, int srid) {
    return "ST_SetSRID(ST_MakePoint(" + sql_num(c.x) + ", " + sql_num(c.y) + "), " + std::to_string(srid) + ")";
}

}  // namespace

std::vector<FieldDiff> diff_fields(const StoredCamera& t, const StoredCamera& m) {
    std::vector<FieldDiff> d;
    auto add = [&](const char* f, const std::string& a, const std::string& b) {
        if (a != b) d.push_back({f, a, b});
    };
    add("cam_id", t.cam_id, m.cam_id);
    add("owner", t.owner, m.owner);
    add("status", t.status, m.status);
    add("azimuth", num(t.azimuth), num(m.azimuth));
    add("fov", num(t.fov), num(m.fov));
    add("range", num(t.range), num(m.range));
    add("height", opt_num(t.height), opt_num(m.height));
    add("resolution_px", opt_int(t.resolution_px), opt_int(m.resolution_px));
    add("position", num(t.x) + "," + num(t.y), num(m.x) + "," + num(m.y));
    return d;
}

std::string CameraConflict::line() const {
    std::string s = "camera '" + cam_id + "' was changed by someone else: read at version " + std::to_string(read_version);
    if (current_version == 0) {
        s += ", now gone (deleted, or not yours)";
    } else {
        s += ", now version " + std::to_string(current_version);
        if (!mine) {
            s += "; mine deletes it";
        } else if (fields.empty()) {
            s += "; no field differs";
        } else {
            s += "; differing fields (theirs vs mine):";
            for (size_t i = 0; i < fields.size(); ++i)
                s += std::string(i ? "," : "") + " " + fields[i].field + " " + fields[i].theirs + " vs " + fields[i].mine;
        }
    }
    return s;
}

std::vector<StoredCamera> read_cameras_by_id(Connection& pg, const std::string& cam_id) {
    std::vector<StoredCamera> out;
    for (const auto& r : pg.query(std::string("SELECT ") + kColumns + " FROM cameras WHERE cam_id = " +
                                      quote_literal(cam_id) + " ORDER BY fid",
                                  "reading camera '" + cam_id + "'"))
        out.push_back(row_camera(r));
    return out;
}

CheckedSave write_cameras_checked(Connection& pg, const std::vector<CameraWrite>& writes) {
    CheckedSave out;
    if (writes.empty()) return out;
    Transaction tx(pg, "starting the save");
    {
        std::string ids;
        for (const auto& w : writes)
            if (w.fid >= 0) ids += (ids.empty() ? "" : ",") + std::to_string(w.fid);
        // Locked until commit: nobody changes them between the check and the write.
        std::map<int64_t, StoredCamera> now;
        if (!ids.empty())
            for (const auto& r : pg.query(std::string("SELECT ") + kColumns + " FROM cameras WHERE fid IN (" + ids +
                                              ") ORDER BY fid FOR UPDATE",
                                          "locking the cameras to save")) {
                StoredCamera c = row_camera(r);
                now[c.fid] = c;
            }
        for (const auto& w : writes) {
            if (w.fid < 0) continue;
            const auto it = now.find(w.fid);
            if (it != now.end() && it->second.version == w.expect_version) continue;
            CameraConflict c;
            c.fid = w.fid;
            c.cam_id = w.mine ? w.mine->cam_id : it != now.end() ? it->second.cam_id : std::to_string(w.fid);
            c.read_version = w.expect_version;
            c.mine = w.mine;
            if (it != now.end()) {
                c.current_version = it->second.version;
                c.theirs = it->second;
                if (w.mine) c.fields = diff_fields(it->second, *w.mine);
            }
            out.conflicts.push_back(std::move(c));
        }
        if (!out.conflicts.empty()) {
            tx.rollback("ending the save");
            return out;
        }
        const int srid = table_srid(pg);
        for (const auto& w : writes) {
            if (!w.mine) {
                pg.exec("DELETE FROM cameras WHERE fid = " + std::to_string(w.fid) +
                            " AND version = " + std::to_string(w.expect_version),
                        "deleting camera " + std::to_string(w.fid));
                StoredCamera gone = now[w.fid];
                gone.version = 0;
                out.written.push_back(gone);
                continue;
            }
            const StoredCamera& m = *w.mine;
            const std::string values = "cam_id = " + quoted_or_null(m.cam_id) + ", owner = " + quoted_or_null(m.owner) +
                                       ", status = " + quoted_or_null(m.status) + ", azimuth = " + sql_num(m.azimuth) +
                                       ", fov = " + sql_num(m.fov) + ", range = " + sql_num(m.range) +
                                       ", height = " + opt_sql(m.height) + ", resolution_px = " + opt_sql(m.resolution_px) +
                                       ", geom = " + point_sql(m, srid);
            std::vector<Row> rows;
            if (w.fid >= 0) {
                rows = pg.query("UPDATE cameras SET " + values + " WHERE fid = " + std::to_string(w.fid) +
                                    " AND version = " + std::to_string(w.expect_version) + " RETURNING " + kColumns,
                                "saving camera '" + m.cam_id + "'");
            } else {
                rows = pg.query("INSERT INTO cameras (cam_id, owner, status, azimuth, fov, range, height, resolution_px, "
                                "geom) VALUES (" +
                                    quoted_or_null(m.cam_id) + ", " + quoted_or_null(m.owner) + ", " +
                                    quoted_or_null(m.status) + ", " + sql_num(m.azimuth) + ", " + sql_num(m.fov) + ", " +
                                    sql_num(m.range) + ", " + opt_sql(m.height) + ", " + opt_sql(m.resolution_px) + ", " +
                                    point_sql(m, srid) + ") RETURNING " + kColumns,
                                "adding camera '" + m.cam_id + "'");
            }
            if (rows.empty())  // cannot happen under the lock; never report a write that did not happen
                throw Error("camera '" + m.cam_id + "' was not written", {pg.source(), "cameras", m.cam_id},
                            "run the save again");
            out.written.push_back(row_camera(rows[0]));
        }
        tx.commit("committing the cameras");
    }
    return out;
}

ConflictError::ConflictError(const std::string& source, CameraConflict c)
    : Error(c.line() + "; nothing was written", {source, "cameras", "", ""},
            c.current_version == 0 ? std::string("look the camera up again")
                                   : "look at their change; to write yours over it, run again with --expect-version " +
                                         std::to_string(c.current_version)),
      conflict_(std::move(c)) {}

// ---------------------------------------------------------------------------------------------
// gridwatch edit

namespace {

/** mine = the camera read, with the request's changes. */
StoredCamera with_changes(StoredCamera c, const CameraEditRequest& req) {
    if (req.azimuth) c.azimuth = *req.azimuth;
    if (req.fov) c.fov = *req.fov;
    if (req.range) c.range = *req.range;
    if (req.status) c.status = *req.status;
    if (req.move) c.x = req.move->first, c.y = req.move->second;
    return c;
}

/**
 * Refuses a --move the layer's CRS cannot hold (metres typed into a layer in degrees): written,
 * it would stop every later command on the dataset, the edit that could undo it too.
 */
void refuse_move_outside(const CameraEditRequest& req, const OGRSpatialReference& srs,
                         const Error::Where& where) {
    if (!req.move) return;
    const CoordLimits limits = CoordLimits::of(srs);
    const auto [x, y] = *req.move;
    if (limits.holds(x, y)) return;
    char what[160];
    std::snprintf(what, sizeof what,
                  "the position (%.9g, %.9g) lies outside what the layer's CRS, %s, can hold (%s)", x, y,
                  crs_label(srs).c_str(), limits.geographic ? "longitude ±360, latitude ±90" : "±100 000 km");
    throw Error(what, {where.file, where.layer, where.feature, "--move"},
                limits.geographic ? "give --move as longitude,latitude in degrees"
                                  : "give --move in the layer's own units");
}

/** The dataset's working CRS (its cameras' positions are in it). */
const OGRSpatialReference& work_srs(const Dataset& ds, OGRSpatialReference& holder) {
    holder = parse_crs(ds.work_crs_wkt.empty() ? ds.work_crs : ds.work_crs_wkt);
    return holder;
}

/**
 * Whether an edit leaves the values it can change as they are: exactly (a move of a millimetre is
 * a move), and the status as a code (ONLINE and online are one, read through the layer's mapping).
 */
bool same_edited_values(const StoredCamera& now, const StoredCamera& edited, const RoleMapping& mapping) {
    return now.azimuth == edited.azimuth && now.fov == edited.fov && now.range == edited.range &&
           now.x == edited.x && now.y == edited.y &&
           (now.status == edited.status || contract_code("status", now.status, &mapping) ==
                                               contract_code("status", edited.status, &mapping));
}

/**
 * Refuses a --move far from every other camera of the layer: degrees typed into a layer in metres
 * (98.69,24.59 in EPSG:4542 is a point ~2,700 km off, by the equator) were written and reported
 * done. Far is farther from the nearest other camera than the others' own extent is across, and
 * than 10 km. `others`: the other cameras' positions in the layer's CRS `srs` (none: no test).
 */
void refuse_move_far(const CameraEditRequest& req, const std::vector<Vec2>& others,
                     const OGRSpatialReference& srs, const Error::Where& where) {
    if (!req.move || others.empty()) return;
    Box box;
    for (Vec2 p : others) box.add(p);
    const Vec2 k = local_metres_per_unit(srs, box.center().y);
    const auto metres = [&](Vec2 p) { return Vec2{p.x * k.x, p.y * k.y}; };
    const Vec2 to = metres({req.move->first, req.move->second});
    double nearest = std::numeric_limits<double>::infinity();
    for (Vec2 p : others) nearest = std::min(nearest, distance(metres(p), to));
    if (!(nearest > std::max(10000.0, distance(metres({box.xmin, box.ymin}), metres({box.xmax, box.ymax})))))
        return;
    char km[32];
    std::snprintf(km, sizeof km, "%.0f", nearest / 1000);
    const bool looks_degrees =
        !srs.IsGeographic() && std::abs(req.move->first) <= 180 && std::abs(req.move->second) <= 90;
    throw Error("the position (" + num(req.move->first) + ", " + num(req.move->second) + ") lies " +
                    (srs.IsGeographic() ? "about " : "") + km +
                    " km from the nearest other camera of the layer (they lie within " + num(box.xmin) + "–" +
                    num(box.xmax) + ", " + num(box.ymin) + "–" + num(box.ymax) + " in " + crs_label(srs) +
                    ")",
                {where.file, where.layer, where.feature, "--move"},
                looks_degrees ? "these look like degrees: give --move in the layer's own units (metres)"
                              : "give --move in the layer's CRS, near its cameras");
}

CameraEditResult edit_in_store(const std::string& source, const CameraEditRequest& req) {
    Connection pg(source);
    const auto found = read_cameras_by_id(pg, req.cam_id);
    if (found.empty())
        throw Error("camera '" + req.cam_id + "' not found or not yours", {pg.source(), "cameras", req.cam_id},
                    "check the cam_id; a community login sees only its community's cameras");
    if (found.size() > 1)
        throw Error(std::to_string(found.size()) + " cameras carry cam_id '" + req.cam_id + "'",
                    {pg.source(), "cameras", req.cam_id}, "give each camera its own cam_id");
    const StoredCamera& read = found[0];
    if (req.expect_version) refuse_future_version(*req.expect_version, read.version, req.cam_id, {pg.source(), "cameras", req.cam_id});
    // Values the camera already has change nothing: nothing is written, the version stays (an
    // older --expect-version is still a conflict, as on a file).
    if (same_edited_values(read, with_changes(read, req), {}) &&
        req.expect_version.value_or(read.version) == read.version)
        return {read.cam_id, read.version, false, true};
    if (req.move) {
        const OGRSpatialReference srs = parse_crs("EPSG:" + std::to_string(table_srid(pg)));
        const Error::Where where{pg.source(), "cameras", req.cam_id};
        refuse_move_outside(req, srs, where);
        std::vector<Vec2> others;
        for (const Row& r :
             pg.query("SELECT ST_X(geom), ST_Y(geom) FROM cameras WHERE geom IS NOT NULL AND fid <> " +
                          std::to_string(read.fid),
                      "reading the other cameras' positions"))
            if (r[0] && r[1]) others.push_back({std::atof(r[0]->c_str()), std::atof(r[1]->c_str())});
        refuse_move_far(req, others, srs, where);
    }
    CameraWrite w{read.fid, req.expect_version.value_or(read.version), with_changes(read, req)};
    const CheckedSave r = write_cameras_checked(pg, {w});
    if (!r.conflicts.empty()) throw ConflictError(pg.source(), r.conflicts[0]);
    return {read.cam_id, r.written[0].version, true, true};
}

/** A file layer: the camera's feature changed in place, in one transaction where the format has them. */
CameraEditResult edit_in_file(const std::string& source, const CameraEditRequest& req) {
    OpenOptions o;
    o.layers = {"cameras"};
    o.assume_crs = req.assume_crs;
    const Dataset ds = open_dataset({source}, o);
    const LayerInfo* info = nullptr;
    for (const auto& l : ds.layers)
        if (l.name == "cameras") info = &l;
    if (!info) throw Error("has no cameras layer", {source}, "run gridwatch info on it to see its layers");
    std::vector<const Camera*> found;
    for (const auto& c : ds.cameras)
        if (c.cam_id == req.cam_id) found.push_back(&c);
    const Error::Where where{info->source, info->source_name, req.cam_id, ""};
    if (found.empty()) throw Error("no camera '" + req.cam_id + "'", where, "check the cam_id (gridwatch info lists the layer)");
    // A row repeated whole is read once (drop_repeated_cameras); changing one row would leave the other.
    size_t rows = found.size();
    for (const Issue& i : ds.report.repeated) rows += i.feature == req.cam_id;
    if (rows > 1)
        throw Error(std::to_string(rows) + " camera rows carry this cam_id", where,
                    "give each camera its own cam_id, and delete a row repeated whole");
    const int64_t fid = found[0]->fid;

    // The layer's own names for the contract's fields (a project file may map them).
    std::map<std::string, std::string> name = camera_field_names(ds);

    gdal_setup();
    CPLErrorReset();
    const WaitForOtherWriters wait;  // an import beside it: the edit waits for its commit
    // KML's drivers write a file whole, never one feature (GML, GPX cannot open one for writing at
    // all): the line said "cannot write the camera:  (check the file is writable)" of a writable file.
    const auto whole_only = [&](const std::string& driver) {
        return Error("cannot change a camera in place in this file: GDAL's " + driver +
                         " driver writes a layer whole, not one feature; nothing was written",
                     where,
                     "convert the cameras to a GeoPackage (gridwatch export " + source +
                         " --format GPKG --out cameras.gpkg) and edit that");
    };
    GDALDatasetUniquePtr gds(GDALDataset::Open(info->source.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!gds) {
        const std::string why = CPLGetLastErrorMsg();
        GDALDatasetUniquePtr reading(
            GDALDataset::Open(info->source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        if (reading && access(info->source.c_str(), W_OK) == 0) throw whole_only(reading->GetDriverName());
        throw Error("cannot be opened for writing: " + why, where, "check the file is not read-only");
    }
    WaitForOtherWriters::on(*gds);
    OGRLayer* layer = gds->GetLayerByName(info->source_name.c_str());
    if (!layer) throw Error("layer not found for writing", where);
    // The layer's CRS as the reader takes it: its own, else --assume-crs (a GeoPackage's srs_id 0
    // reads as GDAL's "Undefined geographic SRS", which is none).
    OGRSpatialReference assumed;
    const OGRSpatialReference* srs = layer_crs(*layer);
    if (!srs && !req.assume_crs.empty()) assumed = parse_crs(req.assume_crs), srs = &assumed;
    if (srs && req.move) {
        refuse_move_outside(req, *srs, where);
        // The other cameras as read, back in the layer's CRS: not read a second time.
        OGRSpatialReference w;
        const Transform back(work_srs(ds, w), *srs);
        std::vector<Vec2> others;
        for (const Camera& c : ds.cameras)
            if (c.fid != fid) others.push_back(back.apply(c.pos));
        refuse_move_far(req, others, *srs, where);
    }
    // GDAL's CSV writer writes a feature's fields, not the columns its point was read from (X/Y,
    // lon/lat): a move was reported done, and the file kept the old position.
    if (req.move && std::string(gds->GetDriverName()) == "CSV")
        throw Error(
            "cannot move a camera in a CSV file: GDAL writes its fields, not the coordinate columns its "
            "position is read from; nothing was written",
            {where.file, where.layer, where.feature, "--move"},
            "convert the cameras to a GeoPackage (ogr2ogr -f GPKG cameras.gpkg FILE.csv) and edit that, or "
            "change the coordinate columns by hand");
    if (std::string(gds->GetDriverName()) == "ESRI Shapefile" && gbk_shapefile(info->source, layer)) {
        // Names and text as UTF-8, the changed value written back in GBK (as the reader reads it).
        gds = open_cameras_source(info->source, true, true);
        layer = gds ? gds->GetLayerByName(info->source_name.c_str()) : nullptr;
        if (!layer) throw Error("cannot be opened for writing: " + std::string(CPLGetLastErrorMsg()), where);
    }
    const bool tx = gds->StartTransaction(FALSE) == OGRERR_NONE;
    auto fail = [&](const std::string& what) {
        if (tx) gds->RollbackTransaction();
        throw Error(what + ": " + CPLGetLastErrorMsg(), where, "check the file is writable");
    };
    // A GeoPackage's write lock first (a write that changes nothing): reading the camera first and
    // writing after, SQLite cannot wait for an import's commit (a reader waiting to write would
    // deadlock it) and says "database is locked" at once.
    if (tx && std::string(gds->GetDriverName()) == "GPKG") {
        gds->ReleaseResultSet(
            gds->ExecuteSQL("UPDATE gpkg_contents SET table_name = table_name WHERE 0", nullptr, nullptr));
        if (CPLGetLastErrorType() >= CE_Failure) fail("cannot lock the file for writing");
    }
    OGRFeatureUniquePtr f(layer->GetFeature(fid));
    if (!f) fail("the camera's feature is gone");
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    const int iv = defn->GetFieldIndex("version");
    const bool versioned = iv >= 0 && (defn->GetFieldDefn(iv)->GetType() == OFTInteger ||
                                       defn->GetFieldDefn(iv)->GetType() == OFTInteger64);
    auto idx = [&](const char* contract) { return f->GetFieldIndex(name[contract].c_str()); };
    auto text = [&](const char* contract) {
        const int i = idx(contract);
        return i >= 0 && f->IsFieldSetAndNotNull(i) ? std::string(f->GetFieldAsString(i)) : std::string();
    };
    auto real = [&](const char* contract) {
        const int i = idx(contract);
        return i >= 0 && f->IsFieldSetAndNotNull(i) ? f->GetFieldAsDouble(i) : std::nan("");
    };
    StoredCamera now;
    now.fid = fid;
    now.cam_id = req.cam_id, now.owner = text("owner"), now.status = text("status");
    now.azimuth = real("azimuth"), now.fov = real("fov"), now.range = real("range");
    if (double h = real("height"); std::isfinite(h)) now.height = h;
    // As stored, where an int holds it (a file's field may hold any double).
    if (double px = real("resolution_px");
        px >= std::numeric_limits<int>::min() && px <= std::numeric_limits<int>::max())
        now.resolution_px = static_cast<int>(px);
    if (const auto* p = f->GetGeometryRef(); p && wkbFlatten(p->getGeometryType()) == wkbPoint)
        now.x = p->toPoint()->getX(), now.y = p->toPoint()->getY();
    now.version = versioned && f->IsFieldSetAndNotNull(iv) ? f->GetFieldAsInteger64(iv) : 1;

    if (req.expect_version && !versioned && *req.expect_version != 1) {
        // Nobody changed anything: the file cannot say which version it holds.
        if (tx) gds->RollbackTransaction();
        throw Error("--expect-version " + std::to_string(*req.expect_version) +
                        " cannot be checked: the layer keeps no version field, so every camera reads as version 1",
                    where, "leave out --expect-version, or add an integer field `version` to the layer");
    }
    if (req.expect_version && *req.expect_version > now.version) {
        if (tx) gds->RollbackTransaction();
        refuse_future_version(*req.expect_version, now.version, req.cam_id, where);
    }
    if (req.expect_version && *req.expect_version != now.version) {
        if (tx) gds->RollbackTransaction();
        CameraConflict c;
        c.cam_id = req.cam_id, c.fid = fid, c.read_version = *req.expect_version, c.current_version = now.version;
        c.theirs = now;
        c.mine = with_changes(now, req);
        c.fields = diff_fields(now, *c.mine);
        throw ConflictError(info->source, c);
    }
    // The status as the layer spells it (在线, ON, …), the contract's code given.
    const RoleMapping mapping = camera_mapping(source);
    std::optional<CodeSpelling> spelling;
    if (req.status) {
        const int i = idx("status");
        if (i < 0) fail("the layer has no status field");
        spelling.emplace(*layer, i, "status", &mapping);
    }
    // Values the camera already has change nothing: nothing is written, the version stays.
    StoredCamera mine = with_changes(now, req);
    if (req.status) mine.status = (*spelling)(*req.status);
    if (same_edited_values(now, mine, mapping)) {
        if (tx) gds->RollbackTransaction();
        return {req.cam_id, now.version, false, versioned};
    }
    if (!layer->TestCapability(OLCRandomWrite)) {
        if (tx) gds->RollbackTransaction();
        throw whole_only(gds->GetDriverName());
    }
    auto set_real = [&](const char* contract, const std::optional<double>& v) {
        if (!v) return;
        const int i = idx(contract);
        if (i < 0) fail(std::string("the layer has no field for ") + contract);
        f->SetField(i, *v);
    };
    set_real("azimuth", req.azimuth);
    set_real("fov", req.fov);
    set_real("range", req.range);
    if (req.status) f->SetField(idx("status"), mine.status.c_str());
    if (req.move) {
        OGRPoint pt(req.move->first, req.move->second);
        f->SetGeometry(&pt);
    }
    const int64_t version = versioned ? now.version + 1 : 1;
    if (versioned) f->SetField(iv, static_cast<GIntBig>(version));
    if (layer->SetFeature(f.get()) != OGRERR_NONE) fail("cannot write the camera");
    if (tx && gds->CommitTransaction() != OGRERR_NONE) fail("cannot commit the camera");
    gds.reset();
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error(std::string("cannot write the camera: ") + CPLGetLastErrorMsg(), where, "check free space");
    return {req.cam_id, version, true, versioned};
}

}  // namespace

CameraEditResult edit_camera(const std::string& source, const CameraEditRequest& req) {
    return is_pg_source(source) ? edit_in_store(source, req) : edit_in_file(source, req);
}

// ---------------------------------------------------------------------------------------------
// The viewer's save on PG:

namespace {

StoredCamera to_stored(const Camera& c, const Transform& back) {
    StoredCamera s;
    s.fid = c.fid;
    s.cam_id = c.cam_id, s.owner = c.owner, s.status = c.status;
    s.azimuth = c.azimuth, s.fov = c.fov, s.range = c.range;
    s.height = c.height, s.resolution_px = c.resolution_px;
    const Vec2 p = back.apply(c.pos);
    s.x = p.x, s.y = p.y;
    s.version = c.version.value_or(1);
    return s;
}

Camera to_camera(const StoredCamera& s, const Dataset& ds, Camera base) {
    OGRSpatialReference w;
    const Transform to_work(parse_crs("EPSG:" + std::to_string(s.srid)), work_srs(ds, w));
    base.fid = s.fid;
    base.cam_id = s.cam_id, base.owner = s.owner, base.status = s.status;
    base.azimuth = s.azimuth, base.fov = s.fov, base.range = s.range;
    base.height = s.height, base.resolution_px = s.resolution_px;
    base.pos = to_work.apply(Vec2{s.x, s.y});
    base.version = s.version;
    return base;
}

}  // namespace

CheckedSave save_cameras_to_store(const std::string& source, Dataset& ds, std::vector<Camera>& as_read) {
    Connection pg(source);
    const int srid = table_srid(pg);
    if (srid <= 0) throw Error("the cameras table declares no SRID", {pg.source(), "cameras"}, "make the store with gridwatch db init");
    OGRSpatialReference w;
    const Transform back(work_srs(ds, w), parse_crs("EPSG:" + std::to_string(srid)));
    const CamerasSinceRead since = cameras_since_read(as_read, ds.cameras);
    std::vector<CameraWrite> writes;
    std::vector<size_t> index;  // per write: the camera of ds it saves (npos for a delete)
    for (size_t i = 0; i < ds.cameras.size(); ++i) {
        const Camera& c = ds.cameras[i];
        const Camera* read = since.read[i];
        if (read && same_camera_values(*read, c) && read->version == c.version) continue;
        writes.push_back({c.fid, c.version.value_or(1), to_stored(c, back)});
        index.push_back(i);
    }
    for (const Camera* c : since.gone) {
        writes.push_back({c->fid, c->version.value_or(1), std::nullopt});
        index.push_back(size_t(-1));
    }
    CheckedSave r = write_cameras_checked(pg, writes);
    if (!r.conflicts.empty()) return r;
    for (size_t k = 0; k < r.written.size(); ++k)
        if (index[k] != size_t(-1)) {
            Camera& c = ds.cameras[index[k]];
            c.fid = r.written[k].fid;
            c.version = r.written[k].version;
        }
    as_read = ds.cameras;
    return r;
}

void keep_mine(const CameraConflict& c, Dataset& ds, std::vector<Camera>& as_read) {
    const bool gone = c.current_version == 0;
    for (auto& cam : ds.cameras)
        if (cam.fid == c.fid) {
            if (gone) {
                cam.fid = -1;  // inserted anew
                cam.version.reset();
            } else {
                cam.version = c.current_version;
            }
        }
    for (auto it = as_read.begin(); it != as_read.end();) {
        if (it->fid == c.fid && gone) {
            it = as_read.erase(it);
            continue;
        }
        // A camera deleted here is deleted at the row's current version; a changed one must count
        // as changed even when its values equal theirs.
        if (it->fid == c.fid) it->version = c.current_version;
        ++it;
    }
}

void take_theirs(const CameraConflict& c, Dataset& ds, std::vector<Camera>& as_read) {
    if (!c.theirs) {
        std::erase_if(ds.cameras, [&](const Camera& cam) { return cam.fid == c.fid; });
        std::erase_if(as_read, [&](const Camera& cam) { return cam.fid == c.fid; });
        return;
    }
    Camera base;
    bool placed = false;
    for (auto& cam : ds.cameras)
        if (cam.fid == c.fid) {
            cam = to_camera(*c.theirs, ds, cam);
            base = cam;
            placed = true;
        }
    if (!placed) {  // deleted here: it comes back
        base = to_camera(*c.theirs, ds, Camera{});
        ds.cameras.push_back(base);
    }
    bool in_read = false;
    for (auto& cam : as_read)
        if (cam.fid == c.fid) cam = base, in_read = true;
    if (!in_read) as_read.push_back(base);
}

}  // namespace gw::store
