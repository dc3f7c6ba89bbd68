// db pull: the store written out as a GeoPackage (see sync.h). db push lives beside db init in
// load.cpp, whose row building it shares.
#include "geo/store/sync.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <chrono>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/io/atomic_output.h"
#include "geo/store/pg.h"
#include "geo/store/schema.h"

namespace gw::store {
namespace {

std::string gdal_message() {
    const char* m = CPLGetLastErrorMsg();
    std::string s = m && *m ? m : "no message from GDAL";
    if (s.rfind("ERROR:  ", 0) == 0) s = s.substr(8);
    if (const auto nl = s.find('\n'); nl != std::string::npos) s.resize(nl);
    return s;
}

/**
 * The store's own columns a pull leaves behind: which community a row is in and when it changed.
 * Its version comes along (as kPulledVersion), for the push to check against.
 */
bool bookkeeping(const std::string& column) { return column == "community" || column == "updated_at"; }

}  // namespace

PullResult pull_store(const std::string& pg_source, const std::string& file, const PullOptions& options,
                      const Progress& progress) {
    const auto t0 = std::chrono::steady_clock::now();
    gdal_setup();
    PullResult out;
    out.file = file;
    out.community = options.community;
    {
        Connection pg(pg_source);  // says clearly what is wrong with the connection
        out.source = pg.source();
        if (pg.scalar("SELECT to_regclass('grids')").empty())
            throw Error("schema '" + pg.scalar("SELECT current_schema()") + "' holds no gridwatch store", {out.source},
                        "give the PG: string of a store made by gridwatch db init");
        for (const auto& t : store_tables())
            if (pg.scalar("SELECT has_table_privilege(" + quote_literal(quote_ident(t)) + ", 'SELECT')") != "t")
                throw Error(
                    "login '" + pg.user() + "' may not read the table '" + t + "'", {out.source, t},
                    "pull as the store's owner, a county login or a community's login; a wall login reads "
                    "households, grids and checks only through their masked views");
        if (!options.community.empty() &&
            pg.scalar("SELECT count(*) FROM grids WHERE level = 1 AND grid_id = " + quote_literal(options.community)) == "0") {
            std::string known;
            for (const auto& r : pg.query("SELECT grid_id FROM grids WHERE level = 1 ORDER BY grid_id LIMIT 5"))
                known += (known.empty() ? "" : ", ") + r[0].value_or("");
            throw Error("no L1 grid cell '" + options.community + "' in the store", {out.source, "grids", "", "grid_id"},
                        known.empty() ? "this login sees no L1 cell" : "give one of " + known);
        }
    }
    CPLErrorReset();
    const std::string name = "PG:" + conninfo_of(pg_source);
    GDALDatasetUniquePtr src(GDALDataset::Open(name.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!src) throw Error("GDAL cannot open the database: " + gdal_message(), {out.source});
    // One snapshot for every table: a change committed while the pull reads is in all or none.
    src->ReleaseResultSet(src->ExecuteSQL("SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL REPEATABLE READ",
                                          nullptr, nullptr));
    if (src->StartTransaction() != OGRERR_NONE) throw Error("cannot start a transaction: " + gdal_message(), {out.source});

    AtomicOutput atomic(file);
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    GDALDatasetUniquePtr dst(gpkg->Create(atomic.temp().c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!dst) throw Error("cannot create the GeoPackage: " + gdal_message(), {file}, "check the folder is writable");
    if (dst->StartTransaction() != OGRERR_NONE) throw Error("cannot start writing: " + gdal_message(), {file});
    const auto& tables = store_tables();
    size_t done = 0;
    for (const auto& t : tables) {
        if (progress) progress(static_cast<double>(done++) / (tables.size() + 1), "pulling " + t);
        OGRLayer* in = src->GetLayerByName(t.c_str());
        if (!in)
            throw Error("the store has no table '" + t + "' this login may read", {out.source, t},
                        "pull as the store's owner, a county login or the community's login");
        if (!options.community.empty() && in->SetAttributeFilter(("community = " + quote_literal(options.community)).c_str()) != OGRERR_NONE)
            throw Error("cannot select community '" + options.community + "': " + gdal_message(), {out.source, t});
        OGRFeatureDefn* idefn = in->GetLayerDefn();
        CPLStringList lco;
        lco.SetNameValue("GEOMETRY_NAME", "geom");
        lco.SetNameValue("FID", "fid");
        OGRLayer* o = dst->CreateLayer(t.c_str(), const_cast<OGRSpatialReference*>(in->GetSpatialRef()), in->GetGeomType(),
                                       lco.List());
        if (!o) throw Error("cannot create the layer: " + gdal_message(), {file, t});
        std::vector<int> map(idefn->GetFieldCount(), -1);
        for (int i = 0, k = 0; i < idefn->GetFieldCount(); ++i) {
            const OGRFieldDefn* fd = idefn->GetFieldDefn(i);
            if (bookkeeping(fd->GetNameRef())) continue;
            OGRFieldDefn copy(fd);
            if (std::string(fd->GetNameRef()) == "version") {
                copy.SetName(kPulledVersion);
                // The store's NOT NULL DEFAULT 1 would make a row added to the file a pulled one.
                copy.SetDefault(nullptr);
                copy.SetNullable(TRUE);
            }
            if (o->CreateField(&copy, FALSE) != OGRERR_NONE)
                throw Error("cannot create the field: " + gdal_message(), {file, t, "", fd->GetNameRef()});
            map[i] = k++;
        }
        size_t n = 0;
        OGRFeature f(o->GetLayerDefn());
        in->ResetReading();
        for (auto& r : *in) {
            f.Reset();
            if (f.SetFrom(r.get(), map.data(), TRUE) != OGRERR_NONE)
                throw Error("cannot copy the row: " + gdal_message(), {out.source, t, std::to_string(r->GetFID())});
            f.SetFID(r->GetFID());  // the store's fid: the file reads in the store's order
            if (o->CreateFeature(&f) != OGRERR_NONE)
                throw Error("cannot write the row: " + gdal_message(), {file, t, std::to_string(r->GetFID())},
                            "check free disk space");
            ++n;
        }
        if (CPLGetLastErrorType() >= CE_Failure)
            throw Error("cannot read the table: " + gdal_message(), {out.source, t});
        if (t == "checks") {
            // As gridwatch's writer does: an import into the file looks check_ids up.
            OGRLayer* r = dst->ExecuteSQL("CREATE INDEX IF NOT EXISTS \"checks_check_id_idx\" ON \"checks\"(\"check_id\")",
                                          nullptr, nullptr);
            if (r) dst->ReleaseResultSet(r);
        }
        out.layers.emplace_back(t, n);
    }
    src->CommitTransaction();
    if (dst->CommitTransaction() != OGRERR_NONE) throw Error("cannot finish the GeoPackage: " + gdal_message(), {file});
    dst.reset();
    if (CPLGetLastErrorType() >= CE_Failure) throw Error("cannot finish the GeoPackage: " + gdal_message(), {file});
    atomic.commit();
    if (progress) progress(1.0, "done");
    out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return out;
}

}  // namespace gw::store
