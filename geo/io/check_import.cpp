// Appending phone reports to the checks layer (see check_import.h).
//
// [SECTION] finding the checks layer and its fields
// [SECTION] the write: one transaction, locked before the check_ids are read
// [SECTION] import_checks
#include "geo/io/check_import.h"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <map>
#include <optional>
#include <unordered_set>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/core/times.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "geo/io/names.h"
#include "geo/io/project.h"
#include "geo/store/pg.h"

namespace gw {
namespace {

namespace fs = std::filesystem;

// [SECTION] finding the checks layer and its fields

/** SPEC §3's checks fields, in the order a new layer gets them. */
const std::vector<std::pair<std::string, OGRFieldType>>& check_fields() {
    static const std::vector<std::pair<std::string, OGRFieldType>> f = {
        {"check_id", OFTString}, {"grid_id", OFTString}, {"reporter", OFTString}, {"time", OFTString},
        {"kind", OFTString},     {"people", OFTInteger}, {"note", OFTString}};
    return f;
}

/** Whether a layer name plays the checks role: the mapping's layer, the contract or a Chinese name. */
bool is_checks_layer(const std::string& name, const RoleMapping* m) {
    if (m && !m->layer.empty()) return name == m->layer;
    return role_of_layer_name(name) == "checks";
}

/** The layer's field that carries contract field `want`: the mapping's, the contract name, a Chinese name; -1. */
int field_index(OGRFeatureDefn& defn, const std::string& want, const RoleMapping* m) {
    if (m)
        if (const auto it = m->fields.find(want); it != m->fields.end()) return defn.GetFieldIndex(it->second.c_str());
    for (int i = 0; i < defn.GetFieldCount(); ++i) {
        const std::string have = defn.GetFieldDefn(i)->GetNameRef();
        if (field_name_matches(have, want)) return i;
        for (const auto& zh : chinese_field_names(want))
            if (field_name_matches(have, zh)) return i;
    }
    return -1;
}

std::string gdal_message() {
    const char* m = CPLGetLastErrorMsg();
    return m && *m ? m : "no message from GDAL";
}

/** Runs a statement that returns no rows we need. */
void exec(GDALDataset& gds, const std::string& sql) { gds.ReleaseResultSet(gds.ExecuteSQL(sql.c_str(), nullptr, nullptr)); }

/** Whether some index of `table` starts with `column` (under any name: the writer's, the importer's unique one). */
bool has_index_on(GDALDataset& gds, const std::string& table, const std::string& column) {
    const std::string sql = "SELECT count(*) FROM pragma_index_list(" + quote_literal(table) +
                            ") AS il, pragma_index_info(il.name) "
                            "AS ii WHERE ii.seqno = 0 AND ii.name = " +
                            quote_literal(column) + " COLLATE NOCASE";
    bool found = false;
    if (OGRLayer* r = gds.ExecuteSQL(sql.c_str(), nullptr, nullptr)) {
        for (auto& f : *r) found = f->GetFieldAsInteger(0) > 0;
        gds.ReleaseResultSet(r);
    }
    return found;
}

/** The dataset's cells (grid_id → level) and the layer they came from. */
struct Cells {
    std::map<std::string, int> level;
    std::string grids_layer;
};

/**
 * The cells read the quick way: only the grid_id and level columns, no geometry (the full reader
 * builds, reprojects and repairs every polygon, most of an import's time at county size). For the
 * usual sources: a layer named as grids (or grids_L1…L4, or named by the project file's mapping)
 * with a grid_id field and a numeric level. nullopt for anything else, which the full reader then
 * reads with all its rules.
 */
std::optional<Cells> read_cells_quickly(GDALDataset& gds, const NameMapping& mapping) {
    const auto m = mapping.find("grids");
    const RoleMapping* gm = m == mapping.end() ? nullptr : &m->second;
    const bool mapped = gm && (!gm->layer.empty() || !gm->levels.empty());
    Cells out;
    for (OGRLayer* l : gds.GetLayers()) {
        const std::string name = l->GetName();
        bool grids = false;
        int fixed_level = 0;
        if (mapped) {
            grids = gm->layer == name;
            for (const auto& [lv, layer] : gm->levels)
                if (layer == name) grids = true, fixed_level = lv;
        } else if (role_of_layer_name(name) == "grids") {
            grids = true, fixed_level = level_of_layer_name(name);
        }
        if (!grids) continue;
        OGRFeatureDefn& defn = *l->GetLayerDefn();
        const int i_id = field_index(defn, "grid_id", gm), i_level = fixed_level ? -1 : field_index(defn, "level", gm);
        if (i_id < 0 || (!fixed_level && i_level < 0)) return std::nullopt;
        if (!fixed_level) {
            const OGRFieldType t = defn.GetFieldDefn(i_level)->GetType();
            if (t != OFTInteger && t != OFTInteger64) return std::nullopt;
        }
        CPLStringList ignored;
        for (int i = 0; i < defn.GetFieldCount(); ++i)
            if (i != i_id && i != i_level) ignored.AddString(defn.GetFieldDefn(i)->GetNameRef());
        ignored.AddString("OGR_GEOMETRY");
        ignored.AddString("OGR_STYLE");
        l->SetIgnoredFields(const_cast<const char**>(ignored.List()));
        l->ResetReading();
        for (auto& f : *l) {
            const int lv = fixed_level ? fixed_level : f->IsFieldSetAndNotNull(i_level) ? f->GetFieldAsInteger(i_level) : 0;
            if (lv < 1 || lv > 4 || !f->IsFieldSetAndNotNull(i_id)) return std::nullopt;  // the full reader says what is wrong
            out.level.emplace(f->GetFieldAsString(i_id), lv);
        }
        l->SetIgnoredFields(nullptr);
        if (out.grids_layer.empty()) out.grids_layer = name;
    }
    if (out.level.empty()) return std::nullopt;
    return out;
}

// [SECTION] the write: one transaction, locked before the check_ids are read

/** What the write needs from the read: the grids' layer (its CRS for a new checks layer) and names. */
struct Target {
    std::string dataset;
    std::string grids_layer;         // as named in the source
    const RoleMapping* mapping = nullptr;
};

/**
 * Names a report added dated after this computer's date (ImportReport::future). Only those added:
 * one already stored was named when it was imported.
 */
void name_if_future(const CheckRow& r, ImportReport& rep) {
    if (const auto t = parse_incident_time(r.time); t && after_this_computers_date(*t))
        rep.future.push_back({r.line, "time", r.check_id + " " + r.time});
}

/**
 * One attempt at the write. False when the checks layer appeared (or went) between GDAL's reading
 * of the layer list and our lock: GDAL's picture of the file is stale, so the caller opens again.
 */

bool write_rows(const Target& t, const std::vector<const CheckRow*>& rows, ImportReport& rep, const Progress& progress) {
    const Error::Where where{t.dataset, "checks", "", ""};
    // A second import waits for the first's commit instead of failing at once: SQLite's busy timeout,
    // set for every connection GDAL opens here (GDAL applies OGR_SQLITE_PRAGMA to GeoPackages).
    const WaitForOtherWriters wait;
    GDALDatasetUniquePtr gds(GDALDataset::Open(t.dataset.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!gds)
        throw Error("cannot be opened for writing: " + gdal_message(), {t.dataset}, "check the file is not read-only");
    WaitForOtherWriters::on(*gds);
    // SQLite's default page cache (2 MB) spills a county's checks pages to the file and the journal
    // mid-transaction and reads them back; with room for them the transaction writes each page once.
    exec(*gds, "PRAGMA cache_size = -262144");
    OGRLayer* layer = nullptr;
    for (OGRLayer* l : gds->GetLayers())
        if (is_checks_layer(l->GetName(), t.mapping)) {
            layer = l;
            break;
        }
    const auto t0 = std::chrono::steady_clock::now();
    if (gds->StartTransaction(FALSE) != OGRERR_NONE)
        throw Error("cannot start a transaction: " + gdal_message(), where);
    bool committed = false;
    struct Rollback {
        GDALDataset& g;
        bool& done;
        ~Rollback() {
            if (!done) g.RollbackTransaction();
        }
    } rollback{*gds, committed};
    // BEGIN is deferred: the first statement of the transaction must write, so that SQLite takes its
    // RESERVED lock (waiting on the busy timeout for another import's commit) before anything is
    // read. Reading first and writing later would let two imports both read the old check_ids.
    CPLErrorReset();
    exec(*gds, "UPDATE gpkg_contents SET table_name = table_name WHERE 0");
    if (CPLGetLastErrorType() >= CE_Failure)
        throw Error("cannot lock the dataset for writing: " + gdal_message(), where,
                    "another program holds it; try again when it is done");
    // Under the lock: is GDAL's picture of the layers still the file's?
    bool checks_now = false;
    if (OGRLayer* r = gds->ExecuteSQL("SELECT table_name FROM gpkg_contents", nullptr, nullptr)) {
        for (auto& f : *r)
            if (is_checks_layer(f->GetFieldAsString(0), t.mapping)) checks_now = true;
        gds->ReleaseResultSet(r);
    }
    if (checks_now != (layer != nullptr)) return false;

    if (!layer) {
        OGRLayer* grids = t.grids_layer.empty() ? nullptr : gds->GetLayerByName(t.grids_layer.c_str());
        const OGRSpatialReference* srs = grids ? layer_crs(*grids) : nullptr;
        if (!srs) throw Error("has no grids layer with a CRS to give a new checks layer", where);
        CPLStringList lco;
        lco.SetNameValue("GEOMETRY_NAME", "geom");
        layer = gds->CreateLayer("checks", const_cast<OGRSpatialReference*>(srs), wkbPoint, lco.List());
        if (!layer) throw Error("cannot create the layer: " + gdal_message(), where);
        for (const auto& [name, type] : check_fields()) {
            OGRFieldDefn fd(name.c_str(), type);
            if (layer->CreateField(&fd) != OGRERR_NONE)
                throw Error("cannot create the field: " + gdal_message(), {t.dataset, "checks", "", name});
        }
        rep.created_layer = true;
    }
    rep.layer = layer->GetName();
    const Error::Where at{t.dataset, rep.layer, "", ""};
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    // A field the layer lacks is added: nothing the phone reported is dropped.
    std::map<std::string, int> index;
    for (const auto& [name, type] : check_fields()) {
        int i = field_index(*defn, name, t.mapping);
        if (i < 0) {
            OGRFieldDefn fd(name.c_str(), type);
            if (layer->CreateField(&fd) != OGRERR_NONE)
                throw Error("cannot add the field: " + gdal_message(), {t.dataset, rep.layer, "", name});
            i = defn->GetFieldIndex(name.c_str());
        }
        index[name] = i;
    }
    const int i_id = index["check_id"];

    // Which of the file's check_ids the layer holds, asked under the lock. SQLite answers from its
    // own pages (a county holds ~270k reports a month): reading every stored id through OGR
    // features took longer than the whole append.
    std::unordered_set<std::string> stored;
    if (!rep.created_layer && !has_index_on(*gds, rep.layer, defn->GetFieldDefn(i_id)->GetNameRef()))
        // An index on check_id makes this a lookup. gridwatch's writer (demo, export) gives a checks layer
        // one, and a layer this importer created has its unique one; a layer from elsewhere gets it here,
        // once, inside this transaction (a county's 270k ids: ~0.4 s, its pages synced at the commit).
        // Not unique, as old data may hold duplicates; named as the writer names it.
        exec(*gds, "CREATE INDEX IF NOT EXISTS " + quote_ident(rep.layer + "_check_id_idx") + " ON " +
                       quote_ident(rep.layer) + "(" + quote_ident(defn->GetFieldDefn(i_id)->GetNameRef()) +
                       ")");
    {
        const std::string select = "SELECT " + quote_ident(defn->GetFieldDefn(i_id)->GetNameRef()) +
                                   " FROM " + quote_ident(rep.layer) + " WHERE " +
                                   quote_ident(defn->GetFieldDefn(i_id)->GetNameRef()) + " IN (";
        constexpr size_t kChunk = 5000;
        for (size_t k0 = 0; k0 < rows.size(); k0 += kChunk) {
            std::string sql = select;
            for (size_t k = k0; k < std::min(rows.size(), k0 + kChunk); ++k)
                sql += (k == k0 ? "" : ",") + quote_literal(rows[k]->check_id);
            sql += ")";
            CPLErrorReset();
            OGRLayer* found = gds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
            if (!found || CPLGetLastErrorType() >= CE_Failure) {
                if (found) gds->ReleaseResultSet(found);
                throw Error("cannot read the stored check_ids: " + gdal_message(), at, "check the file is a readable GeoPackage");
            }
            for (auto& f : *found) stored.insert(f->GetFieldAsString(0));
            gds->ReleaseResultSet(found);
        }
    }

    OGRSpatialReference wgs84 = parse_crs("EPSG:4326");
    const OGRSpatialReference* layer_srs = layer_crs(*layer);
    if (!layer_srs) throw Error("has no CRS to store the reports in", at, "give the layer a CRS (ogr2ogr -a_srs)");
    rep.crs = crs_label(*layer_srs);
    const Transform to_layer(wgs84, *layer_srs);
    std::vector<Vec2> pts;
    pts.reserve(rows.size());
    for (const CheckRow* r : rows) pts.push_back(r->lonlat);
    to_layer.apply(pts, "the reports");

    OGRFeatureUniquePtr f(OGRFeature::CreateFeature(defn));
    for (size_t k = 0; k < rows.size(); ++k) {
        const CheckRow& r = *rows[k];
        if (!stored.insert(r.check_id).second) {
            ++rep.skipped_existing;
            continue;
        }
        f->Reset();
        f->SetFID(OGRNullFID);
        f->SetField(i_id, r.check_id.c_str());
        f->SetField(index["grid_id"], r.grid_id.c_str());
        if (!r.reporter.empty()) f->SetField(index["reporter"], r.reporter.c_str());
        f->SetField(index["time"], r.time.c_str());
        f->SetField(index["kind"], r.kind.c_str());
        if (r.people) f->SetField(index["people"], static_cast<GIntBig>(*r.people));
        if (!r.note.empty()) f->SetField(index["note"], r.note.c_str());
        f->SetGeometryDirectly(new OGRPoint(pts[k].x, pts[k].y));
        if (layer->CreateFeature(f.get()) != OGRERR_NONE)
            throw Error("cannot write the report: " + gdal_message(), {t.dataset, rep.layer, r.check_id, ""},
                        "check free disk space and that the file is writable");
        ++rep.added;
        name_if_future(r, rep);
        if (progress && (k + 1) % 2000 == 0) progress(double(k + 1) / double(rows.size()), "writing reports");
    }
    if (rep.added == 0) return true;  // the rollback guard ends the empty transaction
    // Whatever GDAL keeps for later (a new layer's spatial index, the extent) goes in this transaction too.
    layer->SyncToDisk();
    if (rep.created_layer)
        // SPEC §3: check_id unique. A new layer gets it as an index; an existing one may hold old duplicates.
        exec(*gds, "CREATE UNIQUE INDEX IF NOT EXISTS \"checks_check_id_unique\" ON \"" + rep.layer + "\"(\"check_id\")");
    CPLErrorReset();
    if (gds->CommitTransaction() != OGRERR_NONE || CPLGetLastErrorType() >= CE_Failure)
        throw Error("cannot commit the reports: " + gdal_message(), at,
                    "nothing was imported; check free disk space and that the file is writable");
    committed = true;
    rep.written = true;
    rep.write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return true;
}


/**
 * The write on a PostGIS store (SPEC §9): the rows go to a temporary table by COPY and from there
 * into `checks` in one INSERT … ON CONFLICT (check_id) DO NOTHING, in one transaction. The unique
 * index on check_id (db init makes it) is what makes two importers at once safe without a table
 * lock: a check_id both carry is inserted by whichever commits first, and the other's row waits
 * on the index, then is skipped; neither is blocked by the other's other rows. Under row-level
 * security a community login sees only its community's cells, so a report naming another's cell
 * is a bad row before anything is written (and the database would refuse it anyway).
 */
void write_rows_pg(const std::string& dataset, const std::vector<const CheckRow*>& rows, ImportReport& rep,
                   const Progress& progress) {
    store::Connection pg(dataset);
    const std::string src = pg.source();
    const Error::Where where{src, "checks", "", ""};
    if (pg.scalar("SELECT to_regclass('checks')", "looking for the checks table").empty())
        throw Error("the store has no checks table", where, "make the store with gridwatch db init PG:… --from DATASET");
    const std::string unique = pg.scalar(
        "SELECT count(*) FROM pg_index i JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
        "WHERE i.indrelid = 'checks'::regclass AND i.indisunique AND i.indnkeyatts = 1 AND i.indpred IS NULL AND "
        "a.attname = 'check_id'",
        "looking for the unique index on check_id");
    if (unique == "0")
        throw Error("the store's checks table has no unique index on check_id, which keeps two imports at once from "
                    "storing a report twice",
                    {src, "checks", "", "check_id"},
                    "as the store's owner run: CREATE UNIQUE INDEX checks_check_id_key ON checks (check_id)");
    const int srid = std::atoi(pg.scalar("SELECT Find_SRID(current_schema()::text, 'checks', 'geom')", "reading the SRID").c_str());
    OGRSpatialReference layer_srs;
    if (srid <= 0 || layer_srs.importFromEPSG(srid) != OGRERR_NONE)
        throw Error("the checks table's SRID " + std::to_string(srid) + " is not one GDAL knows", where);
    layer_srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    rep.layer = "checks";
    rep.crs = crs_label(layer_srs);
    OGRSpatialReference wgs84 = parse_crs("EPSG:4326");
    const Transform to_layer(wgs84, layer_srs);
    std::vector<Vec2> pts;
    pts.reserve(rows.size());
    for (const CheckRow* r : rows) pts.push_back(r->lonlat);
    to_layer.apply(pts, "the reports");

    std::string text;
    auto field = [&](const std::string& v, bool null_when_empty) {
        if (null_when_empty && v.empty())
            text += "\\N";
        else
            store::append_copy_text(text, v);
        text += '\t';
    };
    char xy[96];
    for (size_t k = 0; k < rows.size(); ++k) {
        const CheckRow& r = *rows[k];
        field(r.check_id, false);
        field(r.grid_id, false);
        field(r.reporter, true);
        field(r.time, false);
        field(r.kind, false);
        text += r.people ? std::to_string(*r.people) : std::string("\\N");
        text += '\t';
        field(r.note, true);
        std::snprintf(xy, sizeof xy, "SRID=%d;POINT(%.17g %.17g)\n", srid, pts[k].x, pts[k].y);
        text += xy;
    }
    if (progress) progress(0.5, "writing reports");
    const auto t0 = std::chrono::steady_clock::now();
    store::Transaction tx(pg);
    {
        pg.exec("CREATE TEMP TABLE gw_import (gw_row bigserial, check_id text, grid_id text, reporter text, \"time\" text, "
                "kind text, people integer, note text, geom geometry) ON COMMIT DROP",
                "staging the reports");
        const std::string cols = "check_id, grid_id, reporter, \"time\", kind, people, note, geom";
        pg.copy_in("COPY pg_temp.gw_import (" + cols + ") FROM STDIN", text, "sending the reports");
        // The check_ids added, to name the future-dated among them only (not those already stored).
        const std::vector<store::Row> added =
            pg.query("INSERT INTO checks (" + cols + ") SELECT " + cols +
                         " FROM pg_temp.gw_import ORDER BY gw_row ON CONFLICT (check_id) DO NOTHING "
                         "RETURNING check_id",
                     "adding the reports");
        tx.commit("committing the reports");
        rep.added = static_cast<int>(added.size());
        std::unordered_set<std::string> ids;
        for (const auto& row : added)
            if (!row.empty() && row[0]) ids.insert(*row[0]);
        for (const CheckRow* r : rows)
            if (ids.erase(r->check_id)) name_if_future(*r, rep);  // a check_id given twice: its first row
    }
    rep.skipped_existing = static_cast<int>(rows.size()) - rep.added;
    rep.written = rep.added > 0;
    rep.write_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

}  // namespace

// [SECTION] import_checks

ImportReport import_checks(const std::string& dataset, const std::string& file, const ImportOptions& options) {
    gdal_setup();
    std::error_code ec;
    if (fs::exists(file, ec) && fs::exists(dataset, ec) && fs::equivalent(file, dataset, ec))
        throw Error("is the dataset itself", {file}, "pass the file the reporting app exported as --checks");
    const bool pg = store::is_pg_source(dataset);
    if (!pg) finish_interrupted_outputs(dataset);  // a kill during an earlier import: roll it back first
    const NameMapping mapping = load_mapping(project_path_for(dataset));
    std::optional<Cells> cells;
    {
        if (!pg && !fs::exists(dataset, ec))
            throw Error("no such file", {dataset},
                        "check the path: reports are added to an existing GeoPackage (gridwatch export or "
                        "demo makes one)");
        CPLErrorReset();
        GDALDatasetUniquePtr probe(GDALDataset::Open(dataset.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        if (!probe) throw Error("cannot be opened as a dataset: " + gdal_message(), {dataset});
        const std::string driver = probe->GetDriverName();
        // A PostGIS store takes the same validation and its own write (write_rows_pg).
        if (driver != "GPKG" && !(pg && driver == "PostgreSQL"))
            throw Error("is a " + driver +
                            " dataset; import appends the reports in one transaction, which gridwatch does on a "
                            "GeoPackage",
                        {dataset},
                        "convert it with: gridwatch export " + dataset + " --format GPKG --out DATASET.gpkg, and import "
                        "into that, or into a PostGIS store (gridwatch db init)");
        cells = read_cells_quickly(*probe, mapping);
    }
    if (!cells) {
        OpenOptions oo;
        oo.layers = {"grids"};
        oo.progress = options.progress;
        const Dataset ds = open_dataset({dataset}, oo);
        cells.emplace();
        for (const Grid& g : ds.grids) cells->level.emplace(g.grid_id, g.level);
        for (const auto& l : ds.layers)
            if (l.name == "grids" && cells->grids_layer.empty()) cells->grids_layer = l.source_name;
    }

    CheckFileOptions fo;
    fo.from_gcj02 = options.from_gcj02;
    fo.cells = &cells->level;
    fo.dataset = dataset;
    CheckFile in = read_check_file(file, fo);
    ImportReport rep;
    rep.read = in.read;
    rep.bad = std::move(in.bad);
    rep.bad_rows = in.bad_rows;
    rep.geojson = in.geojson;
    if (rep.bad_rows > 0 && !options.skip_bad) return rep;  // nothing written
    if (in.good.empty()) return rep;
    std::vector<const CheckRow*> rows;
    rows.reserve(in.good.size());
    for (const auto& r : in.good) rows.push_back(&r);
    if (pg) {
        write_rows_pg(dataset, rows, rep, options.progress);
        return rep;
    }
    Target t;
    t.dataset = dataset;
    t.grids_layer = cells->grids_layer;
    if (const auto it = mapping.find("checks"); it != mapping.end()) t.mapping = &it->second;
    for (int attempt = 0;; ++attempt) {
        ImportReport r = rep;
        if (write_rows(t, rows, r, options.progress)) return r;
        if (attempt == 5)
            throw Error("its checks layer keeps being created and dropped by another program", {dataset},
                        "try again when the other program is done");
    }
}

}  // namespace gw
