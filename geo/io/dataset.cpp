// [SECTION] Opening sources and finding layers
// [SECTION] Fields: lookup and typed reads
// [SECTION] Geometry conversion
// [SECTION] Reading each layer
// [SECTION] Reprojecting a layer in bulk
// [SECTION] CRS and the working CRS
// [SECTION] open_dataset
#include "geo/io/dataset.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <cmath>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <mutex>
#include <numeric>
#include <optional>
#include <set>
#include <span>
#include <system_error>

#include "geo/core/box_index.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/geos.h"
#include "geo/core/parallel.h"
#include "geo/core/text.h"
#include "geo/core/times.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/dem.h"
#include "geo/io/gcj02.h"
#include "geo/io/names.h"
#include "geo/io/project.h"
#include "geo/io/projector.h"
#include "geo/store/pg.h"
#include "geo/store/schema.h"
#include "geo/store/table_rows.h"

namespace fs = std::filesystem;

namespace gw {

namespace {

// ---------------------------------------------------------------------------------------------
// [SECTION] Opening sources and finding layers

/**
 * Collects GDAL's messages on this thread while in scope, so that they are folded into the one
 * line an error prints (SPEC §4), never printed beside it.
 */
struct CplCapture {
    std::vector<std::string> messages;  // warnings and errors, in order
    std::vector<std::string> failures;  // errors only (CE_Failure, CE_Fatal)
    CplCapture() { CPLPushErrorHandlerEx(&CplCapture::handler, this); }
    ~CplCapture() { CPLPopErrorHandler(); }
    CplCapture(const CplCapture&) = delete;
    CplCapture& operator=(const CplCapture&) = delete;
    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum, const char* msg) {
        auto* self = static_cast<CplCapture*>(CPLGetErrorHandlerUserData());
        if (!self || cls < CE_Warning) return;
        self->messages.push_back(msg ? msg : "");
        if (cls >= CE_Failure) self->failures.push_back(self->messages.back());
    }
    std::string last() const { return messages.empty() ? std::string() : messages.back(); }
    /**
     * GDAL's first error, and how many followed it (a bad file can raise one a feature). What a
     * call site prefixes ("In ExecuteSQL(): sqlite3_step(SELECT …):") is left out: the reason is
     * after it.
     */
    std::string failure_summary() const {
        if (failures.empty()) return {};
        std::string msg;
        for (char c : failures.front()) {
            if (c == '\n' || c == '\r' || c == '\t') c = ' ';
            if (!(c == ' ' && !msg.empty() && msg.back() == ' ')) msg += c;
        }
        if (msg.rfind("In ", 0) == 0)
            if (const size_t colon = msg.rfind(": "); colon != std::string::npos && colon + 2 < msg.size())
                msg = msg.substr(colon + 2);
        std::string s = "GDAL: " + msg;
        while (!s.empty() && (s.back() == '.' || s.back() == ' ')) s.pop_back();
        if (failures.size() > 1) s += " (and " + std::to_string(failures.size() - 1) + " more GDAL errors)";
        return s;
    }
    /** The warnings, each once. */
    std::vector<std::string> warnings() const {
        std::vector<std::string> out;
        for (const auto& m : messages)
            if (std::find(failures.begin(), failures.end(), m) == failures.end() &&
                std::find(out.begin(), out.end(), m) == out.end())
                out.push_back(m);
        return out;
    }
};

struct OpenedSource {
    std::string path;
    GDALDatasetUniquePtr ds;
    bool is_csv = false;
    // A PostgreSQL source's tables are read through a libpq connection of gridwatch's own, made at
    // the first table (store_connection), used by the one task that uses these handles.
    mutable std::unique_ptr<store::Connection> pg;
    mutable bool pg_tried = false;

    /** That connection, or null (not PostgreSQL, or the PG: string is one libpq does not take). */
    store::Connection* store_connection() const {
        if (pg_tried) return pg.get();
        pg_tried = true;
        if (std::string(ds->GetDriverName()) != "PostgreSQL") return nullptr;
        try {
            pg = std::make_unique<store::Connection>(path);
            pg->exec("SET synchronize_seqscans TO off");  // as GDAL's connection (open_source)
        } catch (const Error&) {
            pg.reset();  // GDAL's own options in the string (tables=, schemas=): GDAL's driver reads
        }
        return pg.get();
    }
};

/**
 * Throws unless `path` names something that can be read: a missing file, a folder without
 * permission or a link loop each get one line, never std::filesystem's own text.
 */
void check_readable(const std::string& path) {
    if (path.rfind("PG:", 0) == 0) return;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec && ec != std::errc::no_such_file_or_directory && ec != std::errc::not_a_directory)
        throw Error("cannot be read: " + ec.message(), {path}, "check the path and the permissions of its folders");
    if (!fs::exists(st)) throw Error("no such file or folder", {path}, "check the path");
    const int need = fs::is_directory(st) ? (R_OK | X_OK) : R_OK;
    if (access(path.c_str(), need) != 0)
        throw Error(std::string(fs::is_directory(st) ? "the folder" : "the file") + " cannot be read: " +
                        std::generic_category().message(errno),
                    {path}, "check its permissions (chmod) or run as a user who may read it");
}

/** The layer a GDAL message is about, where it names a shapefile part ("…/grids.shx"). */
std::string layer_named_in(const std::string& msg) {
    for (const char* ext : {".shx", ".SHX", ".shp", ".dbf", ".DBF"}) {
        const size_t at = msg.find(ext);
        if (at == std::string::npos) continue;
        size_t start = msg.find_last_of("/\\ `'", at);
        start = start == std::string::npos ? 0 : start + 1;
        return msg.substr(start, at - start);
    }
    return {};
}

/** What to do about GDAL's errors while opening or reading a source. */
std::string hint_for_gdal(const std::string& msg) {
    if (msg.find("SHAPE_RESTORE_SHX") != std::string::npos || msg.find(".shx") != std::string::npos)
        return "the .shx index beside the .shp is missing or damaged: copy it back, or run once with "
               "SHAPE_RESTORE_SHX=YES in the environment and GDAL rebuilds it";
    if (msg.find("DBF") != std::string::npos || msg.find(".dbf") != std::string::npos)
        return "the .dbf (the attribute table) is damaged or cut short: copy it again from its source";
    if (msg.find("malformed") != std::string::npos || msg.find("corrupt") != std::string::npos)
        return "the file is damaged: restore it from a backup; sqlite3 FILE .recover saves what is left";
    return "fix or re-export the file; gridwatch computes on whole layers only";
}

// The columns GDAL takes a CSV's points from (phone reports, SPEC §3).
constexpr const char* kCsvXNames = "lon,lng,longitude,x,经度";
constexpr const char* kCsvYNames = "lat,latitude,y,纬度";

/**
 * True when a CSV's header names more than one longitude or latitude column ("x,lon,lat",
 * "lon,lng,lat"). GDAL 3.6.2 dereferences a null pointer reading such a file when told to drop
 * the coordinate columns (KEEP_GEOM_COLUMNS=NO), so such a file keeps them as attributes. Found by
 * fuzzing (tests/fuzz/regressions/csv/). The split is looser than GDAL's (any separator, quotes
 * and spaces trimmed): a false alarm only keeps two attribute columns more.
 */
bool several_coordinate_columns(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::string header;
    std::getline(in, header);
    const CPLStringList xs(CSLTokenizeString2(kCsvXNames, ",", 0)), ys(CSLTokenizeString2(kCsvYNames, ",", 0));
    int nx = 0, ny = 0;
    size_t start = 0;
    while (start <= header.size()) {
        size_t end = header.find_first_of(",;\t|", start);
        if (end == std::string::npos) end = header.size();
        std::string name = header.substr(start, end - start);
        const size_t a = name.find_first_not_of(" \"'\r\xEF\xBB\xBF"), b = name.find_last_not_of(" \"'\r");
        name = a == std::string::npos ? std::string() : name.substr(a, b - a + 1);
        if (xs.FindString(name.c_str()) >= 0) ++nx;
        if (ys.FindString(name.c_str()) >= 0) ++ny;
        start = end + 1;
    }
    return nx > 1 || ny > 1;
}

/** open_source's error where GDAL opened nothing (as against a source it opened and could not read whole). */
struct NotOpened : Error {
    using Error::Error;
};

OpenedSource open_source(const std::string& path, bool cp936 = false) {
    gdal_setup();
    check_readable(path);
    OpenedSource src;
    src.path = path;
    src.is_csv = ascii_lower(fs::path(path).extension().string()) == ".csv";
    CPLStringList opts;
    if (src.is_csv) {
        opts.AddString((std::string("X_POSSIBLE_NAMES=") + kCsvXNames).c_str());
        opts.AddString((std::string("Y_POSSIBLE_NAMES=") + kCsvYNames).c_str());
        opts.AddString(several_coordinate_columns(path) ? "KEEP_GEOM_COLUMNS=YES" : "KEEP_GEOM_COLUMNS=NO");
        opts.AddString("AUTODETECT_TYPE=YES");
    }
    if (cp936) opts.AddString("ENCODING=CP936");
    CplCapture cap;
    GDALDataset* raw = GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr,
                                         opts.List(), nullptr);
    if (!raw) {
        std::string why = cap.last();
        // GDAL 3.6 does not open a GeoPackage without a table (made and never filled) read-only, and
        // says nothing: a SQLite file of that name is one.
        if (why.empty() && ascii_lower(fs::path(path).extension().string()) == ".gpkg") {
            char magic[16] = {};
            std::ifstream(path, std::ios::binary).read(magic, sizeof magic);
            if (std::string(magic, sizeof magic) == std::string("SQLite format 3", 16))
                throw NotOpened(
                    "is a GeoPackage without layers", {path},
                    "give the GeoPackage that holds the community's layers; gridwatch demo makes an example");
        }
        std::error_code ec;
        const bool folder = fs::is_directory(path, ec);
        throw NotOpened(
            (folder ? "holds no file GDAL reads as layers" : "cannot be opened as a vector dataset") +
                (why.empty() ? std::string() : ": " + why),
            {path},
            "give a GeoPackage, a folder of shapefiles or GeoJSON files, GeoJSON, KML, FlatGeobuf, "
            "CSV with lon/lat columns, or PG: connection");
    }
    src.ds.reset(raw);
    // A folder of shapefiles opens even when one of them cannot: that layer would be missing.
    if (!cap.failures.empty())
        throw Error("cannot be read whole: " + cap.failure_summary(), {path, layer_named_in(cap.failures.front())},
                    hint_for_gdal(cap.failures.front()));
    // A large table scanned while another connection scans it (a wall reading the store, a second
    // command) would start where that scan is (synchronize_seqscans): its rows would come in
    // another order, and the answers that depend on it (what is drawn over what) would change.
    if (std::string(src.ds->GetDriverName()) == "PostgreSQL")
        src.ds->ReleaseResultSet(src.ds->ExecuteSQL("SET synchronize_seqscans TO off", nullptr, nullptr));
    return src;
}

/**
 * The first row of a query on a source (in its own SQL, or in `dialect`), each value as text ("" for
 * NULL); nullopt when it fails or has none. GDAL's report of a failure is kept quiet.
 */
std::optional<std::vector<std::string>> first_row(GDALDataset& ds, const std::string& sql,
                                                  const char* dialect = nullptr) {
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    OGRLayer* rs = ds.ExecuteSQL(sql.c_str(), nullptr, dialect);
    if (!rs) return std::nullopt;
    std::optional<std::vector<std::string>> row;
    if (auto f = std::unique_ptr<OGRFeature>(rs->GetNextFeature())) {
        row.emplace();
        for (int k = 0; k < f->GetFieldCount(); ++k) row->push_back(f->IsFieldSetAndNotNull(k) ? f->GetFieldAsString(k) : "");
    }
    ds.ReleaseResultSet(rs);
    return row;
}

/** A PostgreSQL layer's name (`table` or `schema.table`, as GDAL names it) as a regclass literal. */
std::string pg_regclass(const std::string& layer) {
    return "to_regclass(" + quote_literal(quote_relation(layer)) + ")";
}

/**
 * The layers of a source. A shapefile folder opens its layers only now: one that cannot be
 * opened (no .shx) would be missing without a word, so GDAL's error stops reading here.
 */
std::vector<OGRLayer*> list_layers(const OpenedSource& src, ValidityReport& report) {
    CplCapture cap;
    std::vector<OGRLayer*> layers;
    for (auto* layer : src.ds->GetLayers()) layers.push_back(layer);
    // The shared store's views of households, grids and checks with names and phones masked (SPEC
    // §9) are the wall's way to them, not layers of their own beside them: a login that may read a
    // table reads it, a wall login (which may not) reads its view in its place (find_layers takes
    // TABLE_public as TABLE).
    if (std::string(src.ds->GetDriverName()) == "PostgreSQL") {
        auto named = [](const std::string& name) {
            return [name](OGRLayer* l) { return l->GetName() == name; };
        };
        auto says = [&](const std::string& sql, bool otherwise) {
            bool yes = otherwise;
            if (OGRLayer* rs = src.ds->ExecuteSQL(sql.c_str(), nullptr, nullptr)) {
                if (auto f = std::unique_ptr<OGRFeature>(rs->GetNextFeature());
                    f && f->IsFieldSetAndNotNull(0))
                    yes = f->GetFieldAsInteger(0) != 0 || std::string(f->GetFieldAsString(0)) == "t";
                src.ds->ReleaseResultSet(rs);
            }
            return yes;
        };
        for (const auto& [table, masked] : store::masked_columns()) {
            const std::string view = table + "_public";
            if (!std::any_of(layers.begin(), layers.end(), named(table)) ||
                !std::any_of(layers.begin(), layers.end(), named(view)))
                continue;
            // The view in the table's place only for a login that may read the view and not the table
            // (a wall): any other is told what it may not read by the table's name.
            const bool readable = says("SELECT has_table_privilege(" + quote_literal(table) +
                                           ", 'SELECT') OR NOT has_table_privilege(" + quote_literal(view) +
                                           ", 'SELECT') AS ok",
                                       true);
            layers.erase(std::remove_if(layers.begin(), layers.end(), named(readable ? view : table)),
                         layers.end());
            // Advice only: a failure of this query (GDAL's error quieted, not captured) reads on.
            if (table == "households" && !readable && [&] {
                    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
                    const bool outdated = says(store::masks_outdated_query(), false);
                    CPLErrorReset();
                    return outdated;
                }())
                report.store.push_back(
                    {"households", "",
                     "the store masks a list of names in one field as one name, which shows a character "
                     "of the last (张三、李四 as 张***四): have the store's owner run gridwatch db roles "
                     "once more (it brings the masks up to date)"});
        }
    }
    if (!cap.failures.empty())
        throw Error("cannot be read whole: " + cap.failure_summary(), {src.path, layer_named_in(cap.failures.front())},
                    hint_for_gdal(cap.failures.front()));
    return layers;
}

/**
 * True when GDAL opens `path` as a raster but not as a vector dataset (a DEM, an orthophoto): such
 * a source holds no layers; it is the dataset's terrain (find_dem) or a basemap the viewer draws.
 */
bool raster_only(const std::string& path) {
    std::error_code ec;
    if (path.rfind("PG:", 0) == 0 || !fs::exists(path, ec)) return false;
    gdal_setup();
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    GDALDatasetUniquePtr v(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (v) return false;
    GDALDatasetUniquePtr r(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
    return r && r->GetRasterCount() > 0;
}

/**
 * The GeoJSON files of a folder, each a source of its own: GDAL 3.6 opens a folder of shapefiles, of
 * CSVs or of FlatGeobufs as one dataset, but not one of GeoJSON files (`export --format GeoJSON`'s),
 * and of a folder holding both shapefiles and GeoJSON files it reads the shapefiles only. Taken by
 * their extension (.geojson, .geojsonl, .geojsons, .topojson; a .json that GDAL reads as vector
 * data), so that a damaged one stops the reading naming it rather than being passed over, and a
 * copy (incidents.geojson.bak) is not read as more incidents. Other files stay GDAL's: a folder's
 * CSVs, GeoPackages or KML (an analysis output written there, a contact list) are not read with
 * it. Hidden files (an output's temporary files and journals) are not taken. Empty for anything
 * else.
 */
std::vector<std::string> vector_files_in_folder(const std::string& path) {
    std::error_code ec;
    if (path.rfind("PG:", 0) == 0 || !fs::is_directory(path, ec)) return {};
    static const std::set<std::string> kGeoJson = {"geojson", "geojsonl", "geojsons", "topojson"};
    std::vector<std::string> files;
    for (fs::directory_iterator it(path, ec), end; !ec && it != end; it.increment(ec)) {
        const std::string name = it->path().filename().string();
        if (name.empty() || name[0] == '.' || name.ends_with(".gridwatch.json") || !it->is_regular_file(ec))
            continue;
        std::string ext = ascii_lower(it->path().extension().string());
        if (!ext.empty()) ext.erase(0, 1);
        bool take = kGeoJson.count(ext) > 0;
        if (ext == "json") {
            CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
            take = GDALIdentifyDriverEx(it->path().c_str(), GDAL_OF_VECTOR, nullptr, nullptr) != nullptr;
        }
        if (take) files.push_back(it->path().string());
    }
    if (ec) throw Error("the folder cannot be listed: " + ec.message(), {path}, "check its permissions");
    std::sort(files.begin(), files.end());
    return files;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Fields: lookup and typed reads

/** Finds a field by name, case-insensitively, also under its 10-byte shapefile cut (names.h). */
int field_index(OGRFeatureDefn* defn, const std::string& name) {
    int fallback = -1;
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        const std::string have = defn->GetFieldDefn(i)->GetNameRef();
        if (ascii_lower(have) == ascii_lower(name)) return i;
        if (fallback < 0 && field_name_matches(have, name)) fallback = i;
    }
    return fallback;
}

/**
 * The field that holds contract field `want` (SPEC §3): the one the project file's mapping names,
 * else the contract name, else one of its Chinese names. -1 when the layer has none.
 */
int find_field(OGRFeatureDefn* defn, const std::string& want, const RoleMapping* mapping) {
    if (mapping)
        if (const auto it = mapping->fields.find(want); it != mapping->fields.end()) return field_index(defn, it->second);
    if (const int i = field_index(defn, want); i >= 0) return i;
    for (const auto& zh : chinese_field_names(want))
        if (const int i = field_index(defn, zh); i >= 0) return i;
    return -1;
}

struct LayerReader {
    const OpenedSource* src;
    OGRLayer* layer;
    std::string canonical;
    OGRFeatureDefn* defn;
    bool recode_gbk = false;
    std::vector<int> known;  // field indices consumed by typed reads
    const RoleMapping* mapping = nullptr;                      // the project file's, for this role
    std::vector<std::pair<std::string, std::string>> matched;  // contract field ← source field
    std::string fid_range;     // SQL condition on the FID when a task reads part of the layer ("" = all)
    int view_fid = -1;         // a PostgreSQL view's `fid` field (fill_extra), else -1
    int store_version = -1;    // the shared store's `version` column (hide_store_columns), else -1
    int64_t count_hint = -1;   // features this reader is expected to read (-1: unknown)
    int64_t rows = 0;          // features the source gave, with or without geometry (for_each_feature)
    const OpenOptions* options = nullptr;  // what the command leaves out (grid_shape_level, time_text)

    Error::Where where(const std::string& feature = {}, const std::string& field = {}) const {
        return {src->path, layer->GetName(), feature, field};
    }
    /** A feature's issue, named by this layer's file and own name. */
    Issue issue(const std::string& feature, const std::string& problem) const {
        return {canonical, feature, problem, src->path, layer->GetName()};
    }
    int field(const std::string& name, bool required) {
        int i = find_field(defn, name, mapping);
        if (i < 0 && required) {
            std::string fields;
            for (int k = 0; k < defn->GetFieldCount(); ++k)
                fields += std::string(fields.empty() ? "" : ", ") + defn->GetFieldDefn(k)->GetNameRef();
            throw Error("has no field '" + name + "' (nor " + chinese_or(name) + "), which SPEC §3 requires; its fields: " +
                            (fields.empty() ? "none" : fields),
                        where({}, name),
                        "name the field that holds it in " + project_path_for(src->path) + ": \"mapping\": {" +
                            mapping_line(canonical, layer->GetName(), {{name, ""}}) + "}");
        }
        if (i >= 0) known.push_back(i), matched.emplace_back(name, defn->GetFieldDefn(i)->GetNameRef());
        return i;
    }
    /**
     * The shared store's own columns (community, version, updated_at: geo/store/schema.cpp) are
     * bookkeeping, not the user's data: on a PostGIS table that has all three they are taken out
     * of the extra fields, so answers on PG: match those on the GeoPackage it was loaded from.
     * Returns the `version` column's index (-1 when the table is no store table).
     */
    /** Contract fields the command does not use (OpenOptions::unused_fields). */
    std::vector<std::string> unused;
    /** Has the source read every field again when the reading ends (ignore_unused). */
    struct ReadEveryField {
        OGRLayer* layer = nullptr;
        ReadEveryField() = default;
        ReadEveryField(const ReadEveryField&) = delete;
        ReadEveryField& operator=(const ReadEveryField&) = delete;
        ~ReadEveryField() {
            if (!layer) return;
            CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
            layer->SetIgnoredFields(nullptr);
        }
    };
    /**
     * Asks the source not to read the unused fields (a tenth of GDAL's time on 500k incidents for
     * two of their five), once the layer's reader has looked up every field it reads (`matched`):
     * a source field that a used contract field maps to as well is read. A source that cannot
     * leave them out reads them, as before.
     */
    void ignore_unused(ReadEveryField& guard) {
        const auto is_unused = [&](const std::string& contract) {
            return std::find(unused.begin(), unused.end(), contract) != unused.end();
        };
        CPLStringList names;
        for (const auto& entry : matched) {
            // Named, not a structured binding: clang 14 (the fuzz build) captures no bindings in lambdas.
            const std::string &contract = entry.first, &source = entry.second;
            if (!is_unused(contract) || names.FindString(source.c_str()) >= 0) continue;
            const bool used_too = std::any_of(matched.begin(), matched.end(), [&](const auto& m) {
                return m.second == source && !is_unused(m.first);
            });
            if (!used_too) names.AddString(source.c_str());
        }
        if (names.Count() == 0) return;
        guard.layer = layer;
        CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
        layer->SetIgnoredFields(const_cast<const char**>(names.List()));
    }
    int hide_store_columns() {
        if (std::string(src->ds->GetDriverName()) != "PostgreSQL") return -1;
        const int c = defn->GetFieldIndex("community"), v = defn->GetFieldIndex("version"),
                  u = defn->GetFieldIndex("updated_at");
        if (c < 0 || v < 0 || u < 0) return -1;
        known.insert(known.end(), {c, v, u});
        store_version = v;
        return v;
    }
    static std::string chinese_or(const std::string& name) {
        std::string s;
        for (const auto& zh : chinese_field_names(name)) s += (s.empty() ? "" : ", ") + zh;
        return s.empty() ? "a mapped field" : s;
    }
    /** A coded value (status, type, kind …) as the contract writes it: mapped, Chinese, or lower case. */
    std::string code(OGRFeature& f, int idx, const std::string& field) const {
        if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) {  // absent, unread or null: found once per field
            for (const auto& [of, none] : empty_codes)
                if (of == field) return none;
            return empty_codes.emplace_back(field, code_of({}, field)).second;
        }
        // A code field holds a handful of values (a county's month of 274k checks, six kinds): each
        // raw value's code is kept, and found again by its bytes (a reader serves one task).
        const char* raw = f.GetFieldAsString(idx);
        if (code_memo.size() <= static_cast<size_t>(idx)) code_memo.resize(static_cast<size_t>(idx) + 1);
        auto& [owner, memo] = code_memo[static_cast<size_t>(idx)];
        if (owner.empty()) owner = field;
        if (owner != field) return code_of(utf8(raw), field);  // one column mapped to two code fields
        for (const auto& [in, out] : memo)
            if (in == raw) return out;
        std::string out = code_of(utf8(raw), field);
        if (memo.size() < kCodesKept) memo.emplace_back(raw, out);
        return out;
    }
    std::string code_of(const std::string& s, const std::string& field) const {
        return contract_code(field, s, mapping);
    }
    mutable std::vector<std::pair<std::string, std::string>>
        empty_codes;                          // code field -> the code of no value
    static constexpr size_t kCodesKept = 12;  // per field; past them (a field of times) codes are made anew
    // By field index: the code field it serves, and its raw values with their codes.
    mutable std::vector<std::pair<std::string, std::vector<std::pair<std::string, std::string>>>> code_memo;
    std::string str(OGRFeature& f, int idx) const {
        if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return {};
        return utf8(f.GetFieldAsString(idx));
    }
    /** Text in UTF-8: read as GBK when the layer is (recode_gbk) or the bytes are not UTF-8. */
    std::string utf8(const char* raw) const {
        std::string s = raw;
        if (recode_gbk || !CPLIsUTF8(s.c_str(), static_cast<int>(s.size()))) {
            char* u = CPLRecode(s.c_str(), "CP936", CPL_ENC_UTF8);
            s = u;
            CPLFree(u);
        }
        return s;
    }
    /**
     * Text a number field holds (a GeoPackage column typed INTEGER or REAL takes any value, and
     * GDAL reads 'lots' there as 0), by FID and field index. Filled by find_text_in_numbers.
     */
    std::map<std::pair<GIntBig, int>, std::string> text_in_number;
    std::vector<Issue>* bad_values = nullptr;  // where a value not used is named (bad_value)
    CplCapture* cap = nullptr;                 // GDAL's messages while the layer is read

    /** Names a value of field idx that is not used (read as none): "field: what". */
    void bad_value(const std::string& id, int idx, const std::string& what) const {
        if (bad_values)
            bad_values->push_back(
                issue(id, std::string(defn->GetFieldDefn(idx)->GetNameRef()) + ": " + what));
    }

    /**
     * Other drivers (a shapefile's .dbf, FlatGeobuf, …) read 'lots' in a number field as 0 and,
     * with OGR_SETFIELD_NUMERIC_WARNING set while reading (read_layer_whole), say so: "Value
     * 'lots' of field grids.level parsed incompletely to integer 0." Called after each feature is
     * read, this takes those warnings out of the capture into text_in_number for that feature.
     */
    void take_numeric_warnings(const OGRFeature& f) {
        if (!cap) return;
        auto& m = cap->messages;
        for (size_t i = cap_seen; i < m.size();) {
            const std::string& msg = m[i];
            const size_t v = msg.find("Value '"), of = msg.rfind("' of field "), inc = msg.rfind(" parsed incompletely");
            if (v != 0 || of == std::string::npos || inc == std::string::npos || inc < of) {
                ++i;
                continue;
            }
            std::string field = msg.substr(of + 11, inc - of - 11);
            const std::string prefix = std::string(defn->GetName()) + ".";
            if (field.rfind(prefix, 0) == 0) field = field.substr(prefix.size());
            if (const int idx = defn->GetFieldIndex(field.c_str()); idx >= 0)
                text_in_number[{f.GetFID(), idx}] = msg.substr(7, of - 7);
            m.erase(m.begin() + std::ptrdiff_t(i));
        }
        cap_seen = m.size();
    }
    size_t cap_seen = 0;

    /** What text in a number field does: stop reading, be told and read as unset, or be NaN (checked later). */
    enum class Mode { Strict, Warn, Quiet };

    /**
     * Looks up, in a SQLite-based source, the values of number fields that are text: one pass over
     * the table for all of them. `+x > 1e999` holds exactly where x is stored as text or a blob
     * (the unary + takes the column's affinity away, and SQLite orders every text and blob after
     * every number, +∞ included): as typeof() says, at a third to a fifth of its cost (a county's checks 46 →
     * 18 ms, its cameras' five fields 9.4 → 2.0 ms), for typeof() makes a string of each row's type.
     * In an integer field a fraction is looked up too (x <> CAST(x AS INTEGER)).
     */
    void find_text_in_numbers(const std::vector<int>& fields) {
        const std::string driver = src->ds->GetDriverName();
        if (driver != "GPKG" && driver != "SQLite") return;
        const std::string fid = layer->GetFIDColumn();
        if (fid.empty()) return;
        std::vector<int> asked;
        std::string values, any;
        for (int idx : fields) {
            if (idx < 0) continue;
            const OGRFieldType t = defn->GetFieldDefn(idx)->GetType();
            if (t != OFTReal && t != OFTInteger && t != OFTInteger64) continue;
            const std::string col = quote_ident(defn->GetFieldDefn(idx)->GetNameRef());
            const std::string k = std::to_string(asked.size());
            // An integer field holding a fraction (3.9, which GDAL reads as 3) is named as text is,
            // and so is a 32-bit one holding a number beyond it (3000000000, which GDAL wraps to
            // −1294967296).
            const std::string odd =
                t == OFTReal      ? "+" + col + " > 1e999"
                : t == OFTInteger ? "(+" + col + " > 1e999 OR +" + col + " <> CAST(" + col +
                                        " AS INTEGER) OR +" + col + " NOT BETWEEN -2147483648 AND 2147483647)"
                                  : "(+" + col + " > 1e999 OR +" + col + " <> CAST(" + col + " AS INTEGER))";
            values += ", CAST(" + col + " AS TEXT) AS gw_value" + k + ", " + odd + " AS gw_text" + k;
            any += (any.empty() ? "" : " OR ") + odd;
            asked.push_back(idx);
        }
        if (asked.empty()) return;
        const std::string sql = "SELECT " + quote_ident(fid) + " AS gw_fid" + values + " FROM " +
                                quote_ident(layer->GetName()) + " WHERE (" + any + ")" +
                                (fid_range.empty() ? "" : " AND " + fid_range);
        OGRLayer* rs = src->ds->ExecuteSQL(sql.c_str(), nullptr, nullptr);
        if (!rs) return;
        // GDAL may take the FID column for the result's own FID, and then it is no field.
        const OGRFeatureDefn* rd = rs->GetLayerDefn();
        const int fid_at = rd->GetFieldIndex("gw_fid");
        std::vector<std::pair<int, int>> at;  // each asked field's value and flag in the result
        for (size_t k = 0; k < asked.size(); ++k)
            at.emplace_back(rd->GetFieldIndex(("gw_value" + std::to_string(k)).c_str()),
                            rd->GetFieldIndex(("gw_text" + std::to_string(k)).c_str()));
        for (auto& f : *rs)
            for (size_t k = 0; k < asked.size(); ++k)
                if (at[k].second >= 0 && f->GetFieldAsInteger(at[k].second) == 1)
                    text_in_number[{fid_at >= 0 ? f->GetFieldAsInteger64(fid_at) : f->GetFID(), asked[k]}] =
                        at[k].first >= 0 ? f->GetFieldAsString(at[k].first) : "";
        src->ds->ReleaseResultSet(rs);
    }

    /** A number, or nullopt when unset; text that is not a number is handled as `mode` says. */
    std::optional<double> number(OGRFeature& f, int idx, const std::string& id, Mode mode) const {
        if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return std::nullopt;
        const OGRFieldType t = defn->GetFieldDefn(idx)->GetType();
        std::string s;
        if (t == OFTReal || t == OFTInteger || t == OFTInteger64) {
            const auto text = text_in_number.find({f.GetFID(), idx});
            if (text == text_in_number.end()) return f.GetFieldAsDouble(idx);
            s = text->second;  // text, or a fraction in an integer field (GDAL reads 3.9 as 3): as written
        } else {
            s = f.GetFieldAsString(idx);
        }
        char* end = nullptr;
        const double v = std::strtod(s.c_str(), &end);
        while (end && *end == ' ') ++end;
        if (!s.empty() && end && *end == '\0') return v;
        const std::string field = defn->GetFieldDefn(idx)->GetNameRef();
        if (mode == Mode::Strict)
            throw Error("value '" + s + "' is not a number", where(id, field), "fix the value or the field's type");
        if (mode == Mode::Warn) {
            bad_value(id, idx, "'" + s + "' is not a number");
            return std::nullopt;
        }
        return std::numeric_limits<double>::quiet_NaN();
    }

    /**
     * A count (members, employees, people): a whole number from 0 to INT_MAX, or nullopt. One
     * outside (−3, 2.7, 1e20, ∞; converting such a double to int is undefined behaviour) is named,
     * as text in a number field is: it was read as nothing, kept negative, or cut to 2, without a word.
     */
    std::optional<int> count(OGRFeature& f, int idx, const std::string& id) const {
        const std::optional<double> v = number(f, idx, id, Mode::Warn);
        if (!v) return std::nullopt;
        if (*v >= 0 && *v <= std::numeric_limits<int>::max() && *v == std::floor(*v))
            return static_cast<int>(*v);
        bad_value(id, idx,
                  "'" + as_written(f, idx) + "' is not a count (a whole number from 0 to 2147483647)");
        return std::nullopt;
    }
    /** A field's value as the source holds it: a number find_text_in_numbers set aside as written. */
    std::string as_written(OGRFeature& f, int idx) const {
        const auto text =
            text_in_number.empty() ? text_in_number.end() : text_in_number.find({f.GetFID(), idx});
        return text == text_in_number.end() ? str(f, idx) : text->second;
    }

    /**
     * An incident's or a check's time, read once: from an OGR Date/DateTime field, or ISO-8601
     * text. `text` gets it as written, or stays empty where it was read and `keep_text` is false
     * (OpenOptions::time_text).
     */
    std::optional<int64_t> time(OGRFeature& f, int idx, std::string& text, bool keep_text = true) const {
        if (idx < 0 || !f.IsFieldSetAndNotNull(idx)) return std::nullopt;
        const OGRFieldType t = defn->GetFieldDefn(idx)->GetType();
        if (t != OFTDate && t != OFTDateTime) {
            text = str(f, idx);
            const std::optional<int64_t> v = parse_incident_time(text);
            if (v && !keep_text) std::string().swap(text);
            return v;
        }
        int y = 0, m = 0, d = 0, h = 0, mi = 0, tz = 0;
        float sec = 0;
        if (!f.GetFieldAsDateTime(idx, &y, &m, &d, &h, &mi, &sec, &tz) || m < 1 || m > 12 || d < 1 ||
            d > days_in_month(y, m)) {
            text = str(f, idx);
            return std::nullopt;
        }
        if (t == OFTDate) h = mi = 0, sec = 0;
        int64_t v = civil_seconds(y, m, d, h, mi, static_cast<int>(sec));
        // OGR's zone flag: 100 is UTC, each step 15 minutes east of it; 0 and 1 say no zone.
        if (t == OFTDateTime && tz >= 2) v = to_community_clock(v, int64_t(tz - 100) * 15 * 60);
        // GDAL writes these "2024/03/05 10:00:00": kept as ISO-8601, as a text field would hold it.
        if (keep_text) text = t == OFTDate ? iso_date(v) : iso_date_time(v);
        return v;
    }
    std::string id_or_fid(OGRFeature& f, int idx) const {
        std::string s = str(f, idx);
        return s.empty() ? std::to_string(f.GetFID()) : s;
    }
    void fill_extra(Feature& out, OGRFeature& f) const {
        out.fid = f.GetFID();
        // A PostgreSQL view (the shared store's households_public) has no FID column GDAL knows of:
        // GDAL numbers its rows, and the table's FID is its `fid` field. Rows are named by that
        // (the live listener re-reads and replaces rows by it, geo/store/live.h).
        if (view_fid >= 0 && f.IsFieldSetAndNotNull(view_fid)) out.fid = f.GetFieldAsInteger64(view_fid);
        if (store_version >= 0 && f.IsFieldSetAndNotNull(store_version)) out.version = f.GetFieldAsInteger64(store_version);
        for (int i = 0; i < defn->GetFieldCount(); ++i)
            if (std::find(known.begin(), known.end(), i) == known.end()) {
                out.extra.push_back(as_written(f, i));  // text in a number field as written, not GDAL's 0
            }
    }
    /** The fields no role names, which fill_extra keeps as text. */
    std::vector<int> extra_field_indices() const {
        std::vector<int> out;
        for (int i = 0; i < defn->GetFieldCount(); ++i)
            if (std::find(known.begin(), known.end(), i) == known.end()) out.push_back(i);
        return out;
    }
    /**
     * The rows of a PostgreSQL table by binary COPY (geo/store/table_rows.h), or null where GDAL's
     * driver reads them. The store's `updated_at` is not read where it is hidden (it is no field).
     */
    std::unique_ptr<store::TableRows> table_rows() const {
        if (!options || !options->pg_copy) return nullptr;
        store::Connection* pg = src->store_connection();
        if (!pg) return nullptr;
        std::vector<int> skip;
        if (store_version >= 0) skip.push_back(defn->GetFieldIndex("updated_at"));
        return store::TableRows::start(*pg, *layer, skip);
    }
    ExtraFields extra_fields() const {
        ExtraFields e;
        for (int i = 0; i < defn->GetFieldCount(); ++i)
            if (std::find(known.begin(), known.end(), i) == known.end()) {
                e.names.push_back(defn->GetFieldDefn(i)->GetNameRef());
                e.ogr_types.push_back(defn->GetFieldDefn(i)->GetType());
            }
        return e;
    }
};

/** True when some text value of the layer is not valid UTF-8 (then it is GBK, SPEC §3). */
bool has_non_utf8(OGRLayer* layer) {
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    std::vector<int> text;
    for (int i = 0; i < defn->GetFieldCount(); ++i)
        if (defn->GetFieldDefn(i)->GetType() == OFTString) text.push_back(i);
    if (text.empty()) return false;
    layer->ResetReading();
    bool found = false;
    for (auto& f : *layer) {
        for (int i : text)
            if (f->IsFieldSetAndNotNull(i) && !CPLIsUTF8(f->GetFieldAsString(i), -1)) found = true;
        if (found) break;
    }
    layer->ResetReading();
    return found;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Geometry conversion

/** GDAL reads a point with a NaN coordinate as an empty point: it is a bad one, not a missing one. */
bool has_nan(const OGRGeometry* g) {
    if (!g || wkbFlatten(g->getGeometryType()) != wkbPoint) return false;
    const OGRPoint* p = g->toPoint();
    return std::isnan(p->getX()) || std::isnan(p->getY());
}

struct GeomConverter {
    SourceCoords coords = SourceCoords::Native;
    CoordLimits limits;
    std::string file, layer;  // named by the errors of check()
    bool unset_refused =
        false;  // a point at longitude and latitude 0, 0 is refused (the roles phones record)

    /** Throws naming the feature when a coordinate is NaN, infinite or far outside the CRS. */
    void check(double x, double y, const std::string& id) const {
        if (limits.holds(x, y)) return;
        char xy[96];
        std::snprintf(xy, sizeof xy, "(%.9g, %.9g)", x, y);
        const bool nan = std::isnan(x) || std::isnan(y);
        const bool inf = !nan && (std::isinf(x) || std::isinf(y));
        const std::string what = nan   ? std::string("a coordinate is NaN (not a number): ") + xy
                                 : inf ? std::string("a coordinate is infinite: ") + xy
                                       : std::string("coordinate ") + xy + " lies far outside what the layer's CRS can hold (" +
                                             (limits.geographic ? "longitude ±360, latitude ±90" : "±100 000 km") + ")";
        throw Error(what, {file, layer, id}, "fix the feature's geometry, or give the layer its real CRS with --assume-crs");
    }
    void check(const std::vector<Vec2>& pts, const std::string& id) const {
        for (const auto& p : pts) check(p.x, p.y, id);
    }
    /** GCJ-02 / BD-09 undone here; the CRS transformation runs in bulk per layer (reproject_layer). */
    void project(std::vector<Vec2>& pts, const std::string& what) const {
        check(pts, what);
        if (coords != SourceCoords::Native)
            for (auto& p : pts) p = coords == SourceCoords::Gcj02 ? gcj02::to_wgs84(p) : gcj02::bd09_to_wgs84(p);
    }
    Ring ring(const OGRLinearRing* r) const {
        const int n = r->getNumPoints();
        Ring out(static_cast<size_t>(std::max(n, 0)));
        for (int i = 0; i < n; ++i) out[i] = {r->getX(i), r->getY(i)};
        if (out.size() > 1 && out.front() == out.back()) out.pop_back();
        return out;
    }
    void polygon(const OGRPolygon* p, MultiPolygon& out) const {
        if (p->IsEmpty()) return;
        Polygon poly;
        poly.rings.push_back(ring(p->getExteriorRing()));
        for (int i = 0; i < p->getNumInteriorRings(); ++i) poly.rings.push_back(ring(p->getInteriorRing(i)));
        out.push_back(std::move(poly));
    }
    /** Polygonal geometry, or nullopt when the geometry is not polygonal. */
    std::optional<MultiPolygon> polygons(const OGRGeometry* g, const std::string& what) const {
        std::unique_ptr<OGRGeometry> lin;
        if (g->hasCurveGeometry()) {
            lin.reset(g->getLinearGeometry());
            g = lin.get();
        }
        MultiPolygon mp;
        switch (wkbFlatten(g->getGeometryType())) {
            case wkbPolygon: polygon(g->toPolygon(), mp); break;
            case wkbMultiPolygon:
                for (const auto* p : *g->toMultiPolygon()) polygon(p, mp);
                break;
            default: return std::nullopt;
        }
        for (auto& poly : mp)
            for (auto& r : poly.rings) project(r, what);
        return mp;
    }
    std::optional<MultiLineString> lines(const OGRGeometry* g, const std::string& what) const {
        std::unique_ptr<OGRGeometry> lin;
        if (g->hasCurveGeometry()) {
            lin.reset(g->getLinearGeometry());
            g = lin.get();
        }
        MultiLineString ml;
        auto add = [&](const OGRLineString* l) {
            const int n = l->getNumPoints();
            if (n < 2) return;
            LineString ls(static_cast<size_t>(n));
            for (int i = 0; i < n; ++i) ls[i] = {l->getX(i), l->getY(i)};
            ml.push_back(std::move(ls));
        };
        switch (wkbFlatten(g->getGeometryType())) {
            case wkbLineString: add(g->toLineString()); break;
            case wkbMultiLineString:
                for (const auto* l : *g->toMultiLineString()) add(l);
                break;
            default: return std::nullopt;
        }
        for (auto& l : ml) project(l, what);
        return ml;
    }
    std::optional<Vec2> point(const OGRGeometry* g, const std::string& what) const {
        const OGRPoint* p = nullptr;
        switch (wkbFlatten(g->getGeometryType())) {
            case wkbPoint: p = g->toPoint(); break;
            case wkbMultiPoint:  // one point, or none; of several, which would it be? (fail_geometry)
                if (g->toMultiPoint()->getNumGeometries() > 1) return std::nullopt;
                if (g->toMultiPoint()->getNumGeometries() > 0) p = g->toMultiPoint()->getGeometryRef(0);
                break;
            default: return std::nullopt;
        }
        if (p && has_nan(p)) check(p->getX(), p->getY(), what);
        if (!p || p->IsEmpty()) return std::nullopt;
        check(p->getX(), p->getY(), what);
        // Longitude and latitude 0, 0, in the Gulf of Guinea: a position never set (a phone without a
        // fix, a geocoder that failed). KDE took such an incident in, its raster spanning half the world.
        if (unset_refused && limits.geographic && p->getX() == 0 && p->getY() == 0)
            throw Error(
                "coordinate (0, 0) is a position never set (a phone without a fix, a failed geocoding), "
                "not a place of the community",
                {file, layer, what}, "fix the feature's position or delete the feature");
        if (coords == SourceCoords::Native) return Vec2{p->getX(), p->getY()};
        std::vector<Vec2> v{{p->getX(), p->getY()}};
        project(v, what);
        return v[0];
    }
};

// ---------------------------------------------------------------------------------------------
// [SECTION] Reading each layer

struct Found {
    const OpenedSource* src;
    OGRLayer* layer;
    std::string canonical;
    OGRSpatialReference srs;
    bool recode_gbk = false;
    std::unique_ptr<OpenedSource> reopened;  // the same file opened as CP936
    const RoleMapping* mapping = nullptr;    // the project file's for this role
    int level = 0;                           // grids given one layer per level: this layer's
    std::vector<std::pair<std::string, std::string>> fields;  // contract field ← source field, as read
    int64_t count = -1;                      // its feature count as find_layers took it (LayerInfo::count),
                                             // on PostgreSQL the planner's estimate (pg_estimated_rows)
    size_t info = SIZE_MAX;                  // PostgreSQL: its LayerInfo in ds.layers, to count (counted_rows)
    int layer_info = -1;                     // its LayerInfo in ds.layers (Camera::source_layer)
};

/**
 * A PostgreSQL layer's row count for planning the reading, without a count(*): a scan of the
 * whole table that costs the server as much as a tenth of reading it (a prefecture's nine layers
 * and the checks a render does not read: 0.8 s of the server's before the first row, on cores the
 * reading then shares). The planner's estimate (reltuples, as exact as the last ANALYZE) is enough
 * to plan with; LayerInfo::count is the rows read (counted_rows).
 */
int64_t pg_estimated_rows(OGRLayer& layer, GDALDataset& ds) {
    const auto row =
        first_row(ds, "SELECT reltuples::bigint FROM pg_class WHERE oid = " + pg_regclass(layer.GetName()));
    const int64_t rows = row && !row->empty() ? std::strtoll(row->front().c_str(), nullptr, 10) : -1;
    // Never analysed (-1), or a view: counted, as before.
    return rows >= 0 ? rows : std::max<int64_t>(0, layer.GetFeatureCount(FALSE));
}

/**
 * A found layer's feature count, for planning the reading. GDAL's PostgreSQL driver answers each
 * GetFeatureCount with a SELECT count(*), a scan of the whole table (a prefecture's 450k buildings
 * cost the server as much as a tenth of reading them): there the count find_layers took serves again.
 */
int64_t planned_count(const Found& fl) {
    if (fl.count >= 0 && std::string(fl.src->ds->GetDriverName()) == "PostgreSQL") return fl.count;
    return std::max<int64_t>(0, fl.layer->GetFeatureCount(FALSE));
}

/**
 * Whether --from-gcj02 / --from-bd09 apply to a layer of this role: what phones record, the point
 * layers and the patrols' GPS tracks. Cells, roads and buildings come from the office's own GIS.
 */
bool from_phones(const std::string& canonical) {
    return canonical == "households" || canonical == "cameras" || canonical == "incidents" ||
           canonical == "facilities" || canonical == "candidates" || canonical == "checks" ||
           canonical == "patrols";
}

void fail_geometry(const LayerReader& r, const std::string& id, const char* expected, const OGRGeometry* g) {
    std::string is = g ? g->getGeometryName() : "missing";
    if (g && wkbFlatten(g->getGeometryType()) == wkbMultiPoint)
        is = "a MultiPoint of " + std::to_string(g->toMultiPoint()->getNumGeometries()) + " points";
    throw Error("geometry is " + is + ", expected " + expected, r.where(id),
                "fix the feature or move it to the right layer");
}

template <typename Fn>
void for_each_feature(LayerReader& r, Fn&& fn) {
    if (auto rows = r.table_rows()) {
        OGRFeature f(r.defn);
        while (rows->next(f)) {
            ++r.rows;
            fn(f);
        }
        return;
    }
    LayerReader::ReadEveryField every;
    r.ignore_unused(every);
    r.layer->ResetReading();
    for (auto& f : *r.layer) {
        ++r.rows;
        r.take_numeric_warnings(*f);
        fn(*f);
    }
}

void repair_if_invalid(MultiPolygon& shape, const std::string& id, const std::string& layer, Dataset& ds,
                       int& invalid, const std::string& file = {}) {
    bool bad = false;
    for (const auto& p : shape)
        for (const auto& r : p.rings)
            if (r.size() < 3) bad = true;
    // One simple ring is valid: most buildings and cells are told so without GEOS.
    if (!bad && shape.size() == 1 && shape[0].rings.size() == 1 && ring_clearly_simple(shape[0].rings[0])) return;
    if (!bad) {
        geos::Geom g = geos::to_geos(shape);
        bad = !geos::is_valid(g.get());
    }
    if (!bad) return;
    try {
        shape = geos::make_valid(shape);
    } catch (const Error& e) {
        throw Error("the polygon is invalid and cannot be repaired (" + e.problem() + ")", {file, layer, id},
                    "fix the feature's geometry");
    }
    ds.report.repaired[layer].push_back(id);
    ++invalid;
}

unsigned parse_tags(const std::string& tags) {
    unsigned bits = 0;
    size_t start = 0;
    while (start <= tags.size()) {
        size_t end = tags.find(';', start);
        if (end == std::string::npos) end = tags.size();
        std::string t = ascii_lower(tags.substr(start, end - start));
        t.erase(0, t.find_first_not_of(' '));
        t.erase(t.find_last_not_of(' ') + 1);
        if (t == "relocated") bits |= kRelocated;
        if (t == "risk") bits |= kRisk;
        if (t == "newcomer") bits |= kNewcomer;
        if (t == "camera") bits |= kCameraTag;
        start = end + 1;
    }
    return bits;
}

/**
 * The records of a point layer read in FID ranges by several tasks, each written straight into its
 * place (FID − first FID) in one vector made once, instead of into parts joined afterwards: joining
 * a county's month of reports (274k, 3/4 of them moved into fresh memory, 57 MB) took 70–120 ms of
 * a 0.7 s `checks`. For a GeoPackage table (its FID the INTEGER PRIMARY KEY: each once) whose FIDs
 * are dense (gridwatch writes 1…n); a view, or a table with sparse FIDs, is read in parts as any
 * other layer. A place with fid -1 holds no record (a gap, a feature left out) and is dropped when
 * the layer is taken.
 */
template <typename T>
struct InPlace {
    int64_t first_fid = 0;
    size_t places = 0;
    std::vector<T> rows;
    std::once_flag made;
    // Records written, added by each part when it is done (not row by row: two cores adding to one
    // counter beside first_fid and rows, which every row reads, took a fifth of the reading).
    std::atomic<int64_t> filled{0};

    /** Room for the vector, its pages faulted in over the cores before the reading starts. */
    void reserve() { reserve_prefaulted(rows, places); }
    /** The vector, default-made by the first task that reads a part (beside the others' layers). */
    void make() {
        std::call_once(made, [&] { rows.resize(places); });
    }
    /** The place of FID `fid`, which must be free (the reader `r` names the layer when not). */
    T& at(int64_t fid, const LayerReader& r) {
        if (fid < first_fid || fid - first_fid >= static_cast<int64_t>(rows.size()))
            throw Error("gave FID " + std::to_string(fid) + " outside the range it was read in", r.where(), "try again");
        T& place = rows[static_cast<size_t>(fid - first_fid)];
        if (place.fid != -1) throw Error("gave FID " + std::to_string(fid) + " twice", r.where(), "try again");
        return place;
    }
    /** The places of the FIDs [from, to). */
    std::span<T> range(int64_t from, int64_t to) {
        return std::span<T>(rows).subspan(static_cast<size_t>(from - first_fid), static_cast<size_t>(to - from));
    }
    /** The records, in FID order. */
    std::vector<T> take() {
        if (filled != static_cast<int64_t>(rows.size())) std::erase_if(rows, [](const T& r) { return r.fid == -1; });
        return std::move(rows);
    }
};

/** Where a found layer's records are read in place: the two point layers a county has by the hundred thousand. */
struct Placed {
    std::unique_ptr<InPlace<Check>> checks;
    std::unique_ptr<InPlace<Incident>> incidents;
};

/** The places one task's part of a layer read into (empty: the part is in its own Dataset). */
struct PlacedRange {
    std::span<Check> checks;
    std::span<Incident> incidents;
    bool empty() const { return checks.empty() && incidents.empty(); }
};

/**
 * One reading task's checks from before OpenOptions::checks_from: each grid_id's latest (ties: the
 * lowest FID), per found layer (a layer's points are reprojected from its own CRS).
 */
struct EarlierChecks {
    std::map<size_t, std::unordered_map<std::string, Check>> latest;  // found layer -> grid_id -> check
    /**
     * Every check set aside is transformed to the working CRS as the kept ones are, and one that
     * cannot be is refused alike, though only each cell's last is kept: the last with the layer's
     * (read_layers), each one it replaces, or that loses to it, by `judge`, set while a chunk is
     * read (it throws as reproject_layer does), a batch at a time (flush).
     */
    std::function<void(const std::vector<Vec2>&, const std::vector<std::string>&)> judge;
    std::vector<Vec2> to_judge;  // not each cell's last, not judged yet
    std::vector<std::string> to_judge_ids;
    /** What merge found not to be its cell's last, by found layer: for read_layers to judge. */
    std::map<size_t, std::vector<Check>> merged_out;
    // The latest readable check time any task has read so far (checks_from_latest), shared by the
    // tasks of one reading: INT64_MIN before the first.
    std::atomic<int64_t>* latest_seen = nullptr;

    void offer(size_t layer, Check&& c) {
        if (!keep(layer, c)) return;
        // c is now what is not its cell's last: judged as its id is moved, not copied.
        to_judge.push_back(c.pos), to_judge_ids.push_back(std::move(c.check_id));
        if (to_judge.size() >= 65536) flush();
    }
    /** Judges the points set aside since the last flush. */
    void flush() {
        if (judge && !to_judge.empty()) judge(to_judge, to_judge_ids);
        to_judge.clear(), to_judge_ids.clear();
    }
    /** Adds another task's into these. */
    void merge(EarlierChecks&& other) {
        for (auto& [layer, by_cell] : other.latest)
            for (auto& [id, c] : by_cell)
                if (keep(layer, c)) merged_out[layer].push_back(std::move(c));
    }

    /** Takes out the last of each cell of found layer `layer`, in FID order. */
    std::vector<Check> take_last(size_t layer) {
        std::vector<Check> out;
        for (auto& [id, c] : latest[layer]) out.push_back(std::move(c));
        latest.erase(layer);
        std::sort(out.begin(), out.end(), [](const Check& a, const Check& b) { return a.fid < b.fid; });
        return out;
    }
    /**
     * Keeps c when it is its cell's latest so far (ties: the lowest FID), swapping it with what it
     * replaces. Returns whether c then holds a check that is not its cell's last.
     */
    bool keep(size_t layer, Check& c) {
        auto [it, added] = latest[layer].try_emplace(c.grid_id);
        Check& had = it->second;
        if (added) {
            had = std::move(c);
            return false;
        }
        if (*c.when > *had.when || (*c.when == *had.when && c.fid < had.fid)) std::swap(had, c);
        return true;
    }
};

/** The handle a thread reads a found layer through (its own, on a second thread). */
struct LayerSource {
    const OpenedSource* src;
    OGRLayer* layer;
};

/** What reading one layer's features needs, handed to the reader of each SPEC layer below. */
struct LayerContext {
    LayerReader& r;
    const GeomConverter& conv;
    Dataset& ds;
    const std::string& L;  // the canonical layer name ("" for a layer no role uses)
    int level = 0;         // grids given one layer per level: this layer's level (the field may be absent)
    int invalid = 0;       // polygons repaired
    int null_geoms = 0;    // features without geometry, left out
    int version_field = -1;  // the store's `version` column (-1: not a store table)
    Placed* placed = nullptr;  // where the layer's records are read into their places rather than into ds
    int64_t placed_here =
        0;  // records this part wrote elsewhere than ds: their places, or set aside as earlier
    EarlierChecks* earlier =
        nullptr;             // where checks before OpenOptions::checks_from are set aside (null: kept)
    size_t layer_index = 0;  // the found layer read (EarlierChecks::offer)
    int layer_info = -1;     // its LayerInfo in ds.layers (Camera::source_layer)

    /** A feature without geometry is left out of everything: named, so that it is not left out silently. */
    bool skip_null(OGRFeature& f, const std::string& id) {
        if (f.GetGeometryRef() && (!f.GetGeometryRef()->IsEmpty() || has_nan(f.GetGeometryRef()))) return false;
        ++null_geoms;
        ds.report.no_geometry.push_back(r.issue(id, "no geometry"));
        return true;
    }

    // One reader per SPEC layer: fields by name, then each feature into ds.
    void grids();
    void households();
    void cameras();
    void enterprises();
    void roads();
    void buildings();
    void incidents();
    void facilities();
    void candidates();
    void checks();
    /** Sets aside (earlier) the checks read into ds that are before `from`, the others kept in order. */
    void set_aside_before(int64_t from);
    void patrols();
    void patrol_fixes(int i_id, int i_team, int i_time);
    void other();
    void bad_time(const std::string& id, const std::string& field, const std::string& text) {
        ds.report.bad_times.push_back(
            r.issue(id, text.empty() ? "no " + field : field + " '" + text + "' is not an ISO-8601 date"));
    }
};

void LayerContext::grids() {
    // A layer per level (the project file's "levels"): the level is the layer's, and a missing
    // parent is found by containment after reading (complete_grid_parents).
    const bool by_layer = level > 0;
    int i_id = r.field("grid_id", true), i_level = r.field("level", !by_layer), i_parent = r.field("parent_id", !by_layer);
    int i_name = r.field("name", false), i_mgr = r.field("manager", false), i_phone = r.field("phone", false);
    const int shape_level = r.options ? r.options->grid_shape_level : 0;
    // The cells' own number fields too: Gi* tests one (--value), which must not take text as 0.
    std::vector<int> numbers = r.extra_field_indices();
    numbers.push_back(i_level);
    r.find_text_in_numbers(numbers);
    for_each_feature(r, [&](OGRFeature& f) {
        Grid g;
        g.grid_id = r.id_or_fid(f, i_id);
        if (skip_null(f, g.grid_id)) return;
        auto lv = by_layer ? std::optional<double>(level) : r.number(f, i_level, g.grid_id, LayerReader::Mode::Strict);
        if (!lv || *lv != std::floor(*lv) || *lv < 1 || *lv > 4)
            throw Error("level must be a whole number from 1 to 4", r.where(g.grid_id, "level"),
                        "fix the value");
        g.level = static_cast<int>(*lv);
        g.parent_id = r.str(f, i_parent);
        g.name = r.str(f, i_name), g.manager = r.str(f, i_mgr), g.phone = r.str(f, i_phone);
        if (shape_level > 0 && g.level != shape_level) {
            // An outline the command does not use: its type is checked as a converted one's is.
            const OGRGeometry* geom = f.GetGeometryRef();
            const OGRwkbGeometryType t = wkbFlatten(OGR_GT_GetLinear(geom->getGeometryType()));
            if (t != wkbPolygon && t != wkbMultiPolygon) fail_geometry(r, g.grid_id, "Polygon or MultiPolygon", geom);
            r.fill_extra(g, f);
            ds.grids.push_back(std::move(g));
            return;
        }
        auto mp = conv.polygons(f.GetGeometryRef(), g.grid_id);
        if (!mp) fail_geometry(r, g.grid_id, "Polygon or MultiPolygon", f.GetGeometryRef());
        g.shape = std::move(*mp);
        repair_if_invalid(g.shape, g.grid_id, L, ds, invalid, r.src->path);
        r.fill_extra(g, f);
        ds.grids.push_back(std::move(g));
    });
}

void LayerContext::households() {
    int i_id = r.field("hh_id", false), i_grid = r.field("grid_id", false), i_head = r.field("head", false);
    int i_mem = r.field("members", false), i_tags = r.field("tags", false), i_phone = r.field("phone", false);
    r.find_text_in_numbers({i_mem});
    for_each_feature(r, [&](OGRFeature& f) {
        Household h;
        h.hh_id = r.id_or_fid(f, i_id);
        if (skip_null(f, h.hh_id)) return;
        h.grid_id = r.str(f, i_grid), h.head = r.str(f, i_head), h.tags = r.str(f, i_tags);
        h.phone = r.str(f, i_phone);
        h.members = r.count(f, i_mem, h.hh_id);
        h.tag_bits = parse_tags(h.tags);
        auto p = conv.point(f.GetGeometryRef(), h.hh_id);
        if (!p) fail_geometry(r, h.hh_id, "Point", f.GetGeometryRef());
        h.pos = *p;
        r.fill_extra(h, f);
        ds.households.push_back(std::move(h));
    });
}

void LayerContext::cameras() {
    int i_id = r.field("cam_id", false), i_owner = r.field("owner", false), i_az = r.field("azimuth", true);
    int i_fov = r.field("fov", true), i_range = r.field("range", true), i_h = r.field("height", false);
    int i_res = r.field("resolution_px", false), i_status = r.field("status", false);
    // A file's own `version` field is read too (gridwatch edit raises it) but stays one of its
    // extra fields: it is the user's data there, to be exported as it came.
    const int i_ver = version_field >= 0 ? version_field : r.defn->GetFieldIndex("version");
    const bool ver_int = i_ver >= 0 && (r.defn->GetFieldDefn(i_ver)->GetType() == OFTInteger ||
                                        r.defn->GetFieldDefn(i_ver)->GetType() == OFTInteger64);
    r.find_text_in_numbers({i_az, i_fov, i_range, i_h, i_res});
    const double nan = std::numeric_limits<double>::quiet_NaN();
    for_each_feature(r, [&](OGRFeature& f) {
        Camera c;
        c.cam_id = r.id_or_fid(f, i_id);
        if (skip_null(f, c.cam_id)) return;
        c.owner = r.code(f, i_owner, "owner"), c.status = r.code(f, i_status, "status");
        // Bad camera values are reported by validate_cameras, never fatal (SPEC §3).
        c.azimuth = r.number(f, i_az, c.cam_id, LayerReader::Mode::Quiet).value_or(nan);
        c.fov = r.number(f, i_fov, c.cam_id, LayerReader::Mode::Quiet).value_or(nan);
        c.range = r.number(f, i_range, c.cam_id, LayerReader::Mode::Quiet).value_or(nan);
        // An unusable height (∞, below the ground) is kept for validate_cameras to name.
        if (auto h = r.number(f, i_h, c.cam_id, LayerReader::Mode::Warn)) c.height = *h;
        // A resolution that is none (0 or −1 for "unknown" in some offices' files) is named; the value
        // was dropped without a word. The camera is kept; under --quality it is then left out.
        if (auto px = r.number(f, i_res, c.cam_id, LayerReader::Mode::Warn)) {
            c.resolution_px = pixels_of(*px);
            if (!c.resolution_px)
                r.bad_value(
                    c.cam_id, i_res,
                    "'" + r.as_written(f, i_res) + "' is not a whole number of pixels (1 to 2147483647)");
        }
        auto p = conv.point(f.GetGeometryRef(), c.cam_id);
        if (!p) fail_geometry(r, c.cam_id, "Point", f.GetGeometryRef());
        c.pos = *p;
        if (ver_int && f.IsFieldSetAndNotNull(i_ver)) c.version = f.GetFieldAsInteger64(i_ver);
        c.source_layer = layer_info;
        r.fill_extra(c, f);
        ds.cameras.push_back(std::move(c));
    });
}

void LayerContext::enterprises() {
    int i_id = r.field("ent_id", false), i_name = r.field("name", false), i_ind = r.field("industry", false);
    int i_emp = r.field("employees", false), i_pair = r.field("paired_grid", false);
    r.find_text_in_numbers({i_emp});
    for_each_feature(r, [&](OGRFeature& f) {
        Enterprise e;
        e.ent_id = r.id_or_fid(f, i_id);
        if (skip_null(f, e.ent_id)) return;
        e.name = r.str(f, i_name), e.industry = r.str(f, i_ind), e.paired_grid = r.str(f, i_pair);
        e.employees = r.count(f, i_emp, e.ent_id);
        auto mp = conv.polygons(f.GetGeometryRef(), e.ent_id);
        if (!mp) fail_geometry(r, e.ent_id, "Polygon or MultiPolygon", f.GetGeometryRef());
        e.shape = std::move(*mp);
        repair_if_invalid(e.shape, e.ent_id, L, ds, invalid, r.src->path);
        r.fill_extra(e, f);
        ds.enterprises.push_back(std::move(e));
    });
}

void LayerContext::roads() {
    int i_name = r.field("name", false), i_class = r.field("class", false);
    for_each_feature(r, [&](OGRFeature& f) {
        Road rd;
        std::string id = std::to_string(f.GetFID());
        if (skip_null(f, id)) return;
        rd.name = r.str(f, i_name), rd.road_class = r.code(f, i_class, "class");
        auto ml = conv.lines(f.GetGeometryRef(), id);
        if (!ml) fail_geometry(r, id, "LineString or MultiLineString", f.GetGeometryRef());
        rd.shape = std::move(*ml);
        r.fill_extra(rd, f);
        ds.roads.push_back(std::move(rd));
    });
}

void LayerContext::buildings() {
    int i_h = r.field("height", false);
    r.find_text_in_numbers({i_h});
    for_each_feature(r, [&](OGRFeature& f) {
        Building b;
        std::string id = std::to_string(f.GetFID());
        if (skip_null(f, id)) return;
        // An infinite or negative height was dropped, or kept, without a word: named, read as none.
        if (auto h = r.number(f, i_h, id, LayerReader::Mode::Warn)) {
            if (std::isfinite(*h) && *h >= 0)
                b.height = *h;
            else
                r.bad_value(id, i_h, "'" + r.str(f, i_h) + "' is not a height (0 m or more)");
        }
        auto mp = conv.polygons(f.GetGeometryRef(), id);
        if (!mp) fail_geometry(r, id, "Polygon or MultiPolygon", f.GetGeometryRef());
        b.shape = std::move(*mp);
        repair_if_invalid(b.shape, id, L, ds, invalid, r.src->path);
        r.fill_extra(b, f);
        ds.buildings.push_back(std::move(b));
    });
}

void LayerContext::incidents() {
    int i_id = r.field("inc_id", false), i_type = r.field("type", false), i_time = r.field("time", false);
    int i_color = r.field("color", false), i_settled = r.field("settled_at", false);
    const bool keep_time_text = !r.options || r.options->time_text;
    InPlace<Incident>* const placed = this->placed ? this->placed->incidents.get() : nullptr;
    if (placed) placed->make();
    for_each_feature(r, [&](OGRFeature& f) {
        Incident& in = placed ? placed->at(f.GetFID(), r) : ds.incidents.emplace_back();
        in.inc_id = r.id_or_fid(f, i_id);
        if (skip_null(f, in.inc_id)) return placed ? void(in = Incident{}) : ds.incidents.pop_back();
        in.type = r.code(f, i_type, "type"), in.color = r.code(f, i_color, "color");
        in.when = r.time(f, i_time, in.time, keep_time_text);
        if (!in.when)
            ds.report.bad_times.push_back(
                r.issue(in.inc_id, in.time.empty() ? std::string("no time")
                                                   : "time '" + in.time + "' is not an ISO-8601 date"));
        in.settled_at = r.code(f, i_settled, "settled_at");
        auto p = conv.point(f.GetGeometryRef(), in.inc_id);
        if (!p) fail_geometry(r, in.inc_id, "Point", f.GetGeometryRef());
        in.pos = *p;
        r.fill_extra(in, f);
        if (placed) ++placed_here;
    });
    if (placed) placed->filled += placed_here;
}

void LayerContext::facilities() {
    int i_name = r.field("name", false), i_kind = r.field("kind", false);
    for_each_feature(r, [&](OGRFeature& f) {
        Facility fa;
        std::string id = std::to_string(f.GetFID());
        if (skip_null(f, id)) return;
        fa.name = r.str(f, i_name), fa.kind = r.code(f, i_kind, "kind");
        auto p = conv.point(f.GetGeometryRef(), id);
        if (!p) fail_geometry(r, id, "Point", f.GetGeometryRef());
        fa.pos = *p;
        r.fill_extra(fa, f);
        ds.facilities.push_back(std::move(fa));
    });
}

void LayerContext::candidates() {
    int i_id = r.field("site_id", false);
    for_each_feature(r, [&](OGRFeature& f) {
        Candidate c;
        c.site_id = r.id_or_fid(f, i_id);
        if (skip_null(f, c.site_id)) return;
        auto p = conv.point(f.GetGeometryRef(), c.site_id);
        if (!p) fail_geometry(r, c.site_id, "Point", f.GetGeometryRef());
        c.pos = *p;
        r.fill_extra(c, f);
        ds.candidates.push_back(std::move(c));
    });
}

/** checks_from_latest: the rows a part keeps between its trims (LayerContext::set_aside_before). */
constexpr size_t kTrimEvery = 65536;

void LayerContext::checks() {
    int i_id = r.field("check_id", false), i_grid = r.field("grid_id", false), i_rep = r.field("reporter", false);
    int i_time = r.field("time", false), i_kind = r.field("kind", false), i_people = r.field("people", false);
    int i_note = r.field("note", false);
    r.find_text_in_numbers({i_people});
    const bool keep_time_text = !r.options || r.options->time_text;
    InPlace<Check>* const placed = this->placed ? this->placed->checks.get() : nullptr;
    // Checks before `from` set aside (earlier): OpenOptions::checks_from, or a time that follows the
    // latest read so far (checks_from_latest, `dynamic`).
    const bool dynamic = earlier && !r.options->checks_from;
    int64_t latest = dynamic ? earlier->latest_seen->load() : 0;  // as this task last saw it
    const auto window_from = [&] {
        return latest == std::numeric_limits<int64_t>::min() ? latest : r.options->checks_from_latest(latest);
    };
    int64_t from = !earlier ? 0 : dynamic ? window_from() : *r.options->checks_from;
    size_t kept_since_trim = 0, since_shared = 0;
    const auto share_latest = [&] {
        int64_t seen = earlier->latest_seen->load();
        while (latest > seen && !earlier->latest_seen->compare_exchange_weak(seen, latest)) {
        }
        if (seen > latest) latest = seen, from = window_from();
    };
    if (placed) {
        placed->make();
    } else if (const GIntBig n = r.count_hint >= 0 ? r.count_hint : r.layer->GetFeatureCount(FALSE); n > 0) {
        // A county's month of reports is ~300k: grown by doubling, the vector would move them all about
        // twice over (a third of `gridwatch checks` on a county). The count is free in a GeoPackage.
        // Following the latest report (checks_from_latest), a part keeps what is in the window so far
        // and up to kTrimEvery rows more between its trims: room for that and a part's share of a
        // week (past it the vector doubles), not for the whole part. Measured: a county's `checks`
        // 161 → 143 MB with the warm heap's share below (read_layers).
        ds.checks.reserve(dynamic ? std::min<size_t>(static_cast<size_t>(n), kTrimEvery + kTrimEvery / 8)
                                  : static_cast<size_t>(n));
    }
    for_each_feature(r, [&](OGRFeature& f) {
        // Made in place: a month of a county's reports moved once more costs a tenth of the read.
        Check& c = placed ? placed->at(f.GetFID(), r) : ds.checks.emplace_back();
        c.check_id = r.id_or_fid(f, i_id);
        if (skip_null(f, c.check_id)) return placed ? void(c = Check{}) : ds.checks.pop_back();
        c.grid_id = r.str(f, i_grid), c.reporter = r.str(f, i_rep), c.note = r.str(f, i_note);
        c.kind = r.code(f, i_kind, "kind");
        c.when = r.time(f, i_time, c.time, keep_time_text);
        if (!c.when) bad_time(c.check_id, "time", c.time);
        c.people = r.count(f, i_people, c.check_id);
        auto p = conv.point(f.GetGeometryRef(), c.check_id);
        if (!p) fail_geometry(r, c.check_id, "Point", f.GetGeometryRef());
        c.pos = *p;
        r.fill_extra(c, f);
        if (placed) ++placed_here;
        if (!earlier || !c.when) return;
        if (dynamic) {
            if (*c.when > latest) latest = *c.when, from = window_from();
            // Shared with the other tasks every 4,096 rows (and at the end): their latest counts
            // here too, and a line of memory is not passed between the cores on every row.
            if (++since_shared == 4096) share_latest(), since_shared = 0;
        }
        if (*c.when < from) {
            earlier->offer(layer_index, std::move(c));
            ds.checks.pop_back();
            ++placed_here;
        } else if (dynamic && ++kept_since_trim == kTrimEvery) {
            set_aside_before(from);
            kept_since_trim = 0;
        }
    });
    if (dynamic) share_latest(), set_aside_before(from);
    if (placed) placed->filled += placed_here;
}

/** Whether checks before a window are set aside as they are read (OpenOptions::checks_from,
 * checks_from_latest). */
bool sets_checks_aside(const OpenOptions& options) {
    return options.checks_from || options.checks_from_latest;
}

void LayerContext::set_aside_before(int64_t from) {
    size_t w = 0;
    for (size_t k = 0; k < ds.checks.size(); ++k) {
        Check& c = ds.checks[k];
        if (c.when && *c.when < from) {
            earlier->offer(layer_index, std::move(c));
            ++placed_here;
            continue;
        }
        if (w != k) ds.checks[w] = std::move(c);
        ++w;
    }
    ds.checks.resize(w);
}

void LayerContext::patrols() {
    int i_id = r.field("track_id", false), i_team = r.field("team", false);
    // GPS fixes: a layer of points, or one that does not say (a CSV's WKT column) with a time per
    // feature and no start.
    const OGRwkbGeometryType type = wkbFlatten(r.layer->GetGeomType());
    const bool fixes = type == wkbPoint || type == wkbMultiPoint ||
                       (type == wkbUnknown && find_field(r.defn, "start", r.mapping) < 0 &&
                        find_field(r.defn, "time", r.mapping) >= 0);
    if (fixes) return patrol_fixes(i_id, i_team, r.field("time", true));
    int i_start = r.field("start", false), i_end = r.field("end", false);
    for_each_feature(r, [&](OGRFeature& f) {
        PatrolTrack t;
        t.track_id = r.id_or_fid(f, i_id);
        if (skip_null(f, t.track_id)) return;
        t.team = r.code(f, i_team, "team");
        t.t_start = r.time(f, i_start, t.start);
        t.t_end = r.time(f, i_end, t.end);
        if (!t.t_start) bad_time(t.track_id, "start", t.start);
        if (!t.t_end) bad_time(t.track_id, "end", t.end);
        auto ml = conv.lines(f.GetGeometryRef(), t.track_id);
        if (!ml) fail_geometry(r, t.track_id, "LineString or MultiLineString (or points with track_id and time)",
                               f.GetGeometryRef());
        t.shape = std::move(*ml);
        if (t.t_start && t.t_end && *t.t_end < *t.t_start) {
            ds.report.bad_times.push_back(
                r.issue(t.track_id, "end " + t.end + " is before start " + t.start));
            t.t_start.reset(), t.t_end.reset();
        } else if (t.t_start && t.t_end && *t.t_end == *t.t_start && length(t.shape) >= 1) {
            // A walk of no duration: its metres were all patrolled at one instant (midnight, for
            // times given as dates), night or day as that instant fell, present for 0 s. Under a
            // metre it is a stop, as a single fix is (a repeated vertex read a rounding apart).
            char walked[64];
            std::snprintf(walked, sizeof walked, "%.0f m", length(t.shape));
            ds.report.bad_times.push_back(r.issue(
                t.track_id, "end " + t.end + " is start " + t.start + ": no time to walk its " + walked));
            t.t_start.reset(), t.t_end.reset();
        }
        r.fill_extra(t, f);
        ds.patrols.push_back(std::move(t));
    });
}

/**
 * A patrol layer of GPS fixes (SPEC §3: points with `track_id` and `time`): each track's fixes
 * joined in time order. A fix more than kFixGap after the one before starts a new part, so that a
 * phone switched off for an hour does not draw a straight line across the fields it did not walk.
 * A fix without a readable time cannot be placed in its track: it is named and left out.
 */
void LayerContext::patrol_fixes(int i_id, int i_team, int i_time) {
    constexpr int64_t kFixGap = 10 * 60;
    struct Fix {
        int64_t when;
        Vec2 pos;
    };
    std::map<std::string, std::vector<Fix>> fixes;
    std::map<std::string, PatrolTrack> tracks;
    for_each_feature(r, [&](OGRFeature& f) {
        const std::string fid = std::to_string(f.GetFID());
        const std::string id = r.str(f, i_id);
        if (skip_null(f, fid)) return;
        if (id.empty()) throw Error("a GPS fix has no track_id", r.where(fid, "track_id"), "give every fix its track's id");
        std::string text;
        const auto when = r.time(f, i_time, text);
        if (!when) return bad_time(id + " (fid " + fid + ")", "time", text);
        auto p = conv.point(f.GetGeometryRef(), fid);
        if (!p) fail_geometry(r, fid, "Point", f.GetGeometryRef());
        fixes[id].push_back({*when, *p});
        PatrolTrack& t = tracks[id];
        if (t.track_id.empty()) t.track_id = id, t.team = r.code(f, i_team, "team"), t.fid = f.GetFID();
    });
    for (auto& [id, list] : fixes) {
        std::stable_sort(list.begin(), list.end(), [](const Fix& a, const Fix& b) { return a.when < b.when; });
        PatrolTrack& t = tracks[id];
        for (size_t k = 0; k < list.size(); ++k) {
            if (k == 0 || list[k].when - list[k - 1].when > kFixGap) t.shape.emplace_back(), t.times.emplace_back();
            t.shape.back().push_back(list[k].pos);
            t.times.back().push_back(list[k].when);
        }
        t.t_start = list.front().when, t.t_end = list.back().when;
        t.start = iso_date_time(*t.t_start), t.end = iso_date_time(*t.t_end);
        ds.patrols.push_back(std::move(t));
    }
}

void LayerContext::other() {
    OtherLayer out;
    out.name = r.layer->GetName(), out.source = r.src->path;
    int left_out = 0;
    for_each_feature(r, [&](OGRFeature& f) {
        const std::string id = std::to_string(f.GetFID());
        const OGRGeometry* g = f.GetGeometryRef();
        if (!g || g->IsEmpty()) return;
        if (auto mp = conv.polygons(g, id)) out.polygons.push_back(std::move(*mp));
        else if (auto ml = conv.lines(g, id)) out.lines.push_back(std::move(*ml));
        else if (auto p = conv.point(g, id)) out.points.push_back(*p);
        else if (wkbFlatten(g->getGeometryType()) == wkbMultiPoint)  // drawn only: each of its points
            for (const OGRPoint* q : *g->toMultiPoint()) {
                if (auto each = conv.point(q, id)) out.points.push_back(*each);
            }
        else ++left_out;
    });
    if (left_out > 0)
        ds.report.other.push_back({out.name, "", std::to_string(left_out) + " feature(s) of a geometry that is not drawn left out"});
    ds.other_layers.push_back(std::move(out));
}

/**
 * A part of a layer that one reading task reads: the whole layer, or (a large GeoPackage layer split
 * over the cores) the features whose FID lies in [from, to).
 */
struct Chunk {
    size_t layer = 0;          // index in the found layers
    bool whole = true;
    int64_t from = 0, to = 0;  // FID range when not whole
    int64_t count_hint = -1;   // features expected in it (the first part reserves for the whole layer)
    double cost = 0;           // for the order of the tasks
};

/** What reading a chunk tells the join besides its features. */
/** The SQL condition that selects a chunk's features by FID ("" for a whole layer). */
std::string fid_condition(OGRLayer& layer, const Chunk& chunk) {
    if (chunk.whole) return {};
    const std::string fid = "\"" + std::string(layer.GetFIDColumn()) + "\"";
    return fid + " >= " + std::to_string(chunk.from) + " AND " + fid + " < " + std::to_string(chunk.to);
}

struct ChunkRead {
    int invalid = 0;     // polygons repaired
    int null_geoms = 0;  // features without geometry, left out
    int64_t rows = -1;   // features the source gave (-1: not all the part holds, or not read)
    std::vector<std::pair<std::string, std::string>> fields;  // contract field ← source field
};

ChunkRead read_layer(const Found& fl, LayerSource from, const Chunk& chunk, const GeomConverter& conv,
                     Dataset& ds, CplCapture& cap, const OpenOptions& options, Placed* placed,
                     EarlierChecks* earlier, int64_t& placed_here) {
    LayerReader r{from.src, from.layer, fl.canonical, from.layer->GetLayerDefn(), fl.recode_gbk, {}};
    r.bad_values = &ds.report.bad_values;
    r.cap = &cap;
    r.mapping = fl.mapping;
    r.count_hint = chunk.count_hint;
    r.options = &options;
    r.fid_range = fid_condition(*from.layer, chunk);
    if (!*from.layer->GetFIDColumn() && std::string(from.src->ds->GetDriverName()) == "PostgreSQL")
        r.view_fid = from.layer->GetLayerDefn()->GetFieldIndex("fid");
    LayerContext ctx{r, conv, ds, fl.canonical};
    ctx.level = fl.level;
    ctx.placed = placed;
    ctx.earlier = sets_checks_aside(options) && !placed ? earlier : nullptr;
    ctx.layer_index = chunk.layer;
    ctx.layer_info = fl.layer_info;
    ctx.version_field = r.hide_store_columns();
    if (const auto u = options.unused_fields.find(fl.canonical); u != options.unused_fields.end())
        r.unused = u->second;
    if (fl.canonical.empty()) {
        ctx.other();
        return {0, 0, r.rows, {}};
    }
    static const std::map<std::string, void (LayerContext::*)()> readers = {
        {"grids", &LayerContext::grids},
        {"households", &LayerContext::households},
        {"cameras", &LayerContext::cameras},
        {"enterprises", &LayerContext::enterprises},
        {"roads", &LayerContext::roads},
        {"buildings", &LayerContext::buildings},
        {"incidents", &LayerContext::incidents},
        {"facilities", &LayerContext::facilities},
        {"candidates", &LayerContext::candidates},
        {"checks", &LayerContext::checks},
        {"patrols", &LayerContext::patrols},
    };
    if (const auto it = readers.find(fl.canonical); it != readers.end()) {
        try {
            (ctx.*it->second)();
        } catch (...) {
            placed_here = ctx.placed_here;  // how far this part got, for the error's line
            throw;
        }
    }
    placed_here = ctx.placed_here;
    if (!ds.extra_fields.count(fl.canonical)) ds.extra_fields[fl.canonical] = r.extra_fields();
    return {ctx.invalid, ctx.null_geoms, r.rows, std::move(r.matched)};
}

/**
 * The extent of the layer the working CRS is chosen from. A coordinate far outside what the
 * layer's CRS can hold (or NaN, or infinite) would make that choice a guess: it stops reading,
 * naming the first feature that holds one.
 */
OGREnvelope checked_extent(const Found& fl) {
    OGREnvelope env;
    CplCapture cap;
    if (fl.layer->GetExtent(&env, TRUE) != OGRERR_NONE) {
        // A shared store's table that holds rows row-level security shows this login none of (SPEC §9):
        // a login `db roles` did not make, or a community login whose community holds nothing here.
        if (std::string(fl.src->ds->GetDriverName()) == "PostgreSQL")
            if (const auto row =
                    first_row(*fl.src->ds,
                              "SELECT c.relrowsecurity::int, (c.reltuples > 0)::int, current_user "
                              "FROM pg_class c WHERE c.oid = " +
                                  pg_regclass(fl.layer->GetName()));
                row && row->size() == 3 && (*row)[0] == "1" && (*row)[1] == "1")
                throw Error("holds rows, but row-level security shows login '" + (*row)[2] + "' none of them",
                            {fl.src->path, fl.layer->GetName()},
                            "ask the store's owner to make it a gridwatch login (db roles --community ID --login NAME, "
                            "--county NAME or --wall NAME), or connect as one");
        throw Error("has no extent (no features?)", {fl.src->path, fl.layer->GetName()}, "add features, or pass --work-crs");
    }
    const CoordLimits limits = CoordLimits::of(fl.srs);
    if (limits.holds(env)) return env;
    GeomConverter conv{SourceCoords::Native, limits, fl.src->path, fl.layer->GetName()};
    const int id_field = find_field(fl.layer->GetLayerDefn(), layer_id_field(fl.canonical), fl.mapping);
    fl.layer->ResetReading();
    for (auto& f : *fl.layer) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || g->IsEmpty()) continue;
        const std::string id = id_field >= 0 && f->IsFieldSetAndNotNull(id_field) ? f->GetFieldAsString(id_field)
                                                                                  : std::to_string(f->GetFID());
        // Each conversion checks every coordinate it reads (an envelope passes NaN by).
        conv.polygons(g, id), conv.lines(g, id), conv.point(g, id);
    }
    fl.layer->ResetReading();
    char box[160];
    std::snprintf(box, sizeof box, "(%.9g, %.9g) – (%.9g, %.9g)", env.MinX, env.MinY, env.MaxX, env.MaxY);
    throw Error(std::string("the layer's extent ") + box + " lies far outside what its CRS can hold",
                {fl.src->path, fl.layer->GetName()}, "check the layer's CRS, or pass --work-crs");
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Reprojecting a layer in bulk

template <typename Fn>
void for_each_coordinate(MultiPolygon& mp, Fn&& fn) {
    for (auto& poly : mp)
        for (auto& ring : poly.rings)
            for (auto& p : ring) fn(p);
}
template <typename Fn>
void for_each_coordinate(MultiLineString& ml, Fn&& fn) {
    for (auto& l : ml)
        for (auto& p : l) fn(p);
}

/**
 * Calls fn(id, coordinate&) for every coordinate of the features of `layer` from `first` on, where
 * id() names the feature: made only when asked (on a failure), not once per coordinate. Records
 * read into their places (InPlace) are those of `placed` instead.
 */
template <typename Fn>
void visit_layer(Dataset& ds, const std::string& layer, size_t first, Fn&& fn, PlacedRange placed = {}) {
    if (!placed.empty()) {
        auto visit = [&](auto& records, auto id_of) {
            for (auto& r : records) {
                auto id = [&] { return id_of(r); };
                if (r.fid != -1) fn(id, r.pos);
            }
        };
        visit(placed.checks, [](const Check& c) { return c.check_id; });
        visit(placed.incidents, [](const Incident& i) { return i.inc_id; });
        return;
    }
    auto shapes = [&](auto& v, auto id_of) {
        for (size_t i = first; i < v.size(); ++i) {
            auto id = [&] { return id_of(v[i]); };
            for_each_coordinate(v[i].shape, [&](Vec2& p) { fn(id, p); });
        }
    };
    auto points = [&](auto& v, auto id_of) {
        for (size_t i = first; i < v.size(); ++i) {
            auto id = [&] { return id_of(v[i]); };
            fn(id, v[i].pos);
        }
    };
    auto fid = [](const Feature& f) { return std::to_string(f.fid); };
    if (layer == "grids") shapes(ds.grids, [](const Grid& g) { return g.grid_id; });
    else if (layer == "enterprises") shapes(ds.enterprises, [](const Enterprise& e) { return e.ent_id; });
    else if (layer == "buildings") shapes(ds.buildings, fid);
    else if (layer == "roads") shapes(ds.roads, fid);
    else if (layer == "patrols") shapes(ds.patrols, [](const PatrolTrack& t) { return t.track_id; });
    else if (layer == "checks") points(ds.checks, [](const Check& c) { return c.check_id; });
    else if (layer == "households") points(ds.households, [](const Household& h) { return h.hh_id; });
    else if (layer == "cameras") points(ds.cameras, [](const Camera& c) { return c.cam_id; });
    else if (layer == "incidents") points(ds.incidents, [](const Incident& i) { return i.inc_id; });
    else if (layer == "facilities") points(ds.facilities, fid);
    else if (layer == "candidates") points(ds.candidates, [](const Candidate& c) { return c.site_id; });
    else if (layer.empty())
        for (auto& o : ds.other_layers) {
            auto id = [&] { return o.name; };
            for (auto& p : o.points) fn(id, p);
            for (auto& l : o.lines) for_each_coordinate(l, [&](Vec2& p) { fn(id, p); });
            for (auto& mp : o.polygons) for_each_coordinate(mp, [&](Vec2& p) { fn(id, p); });
        }
}

/**
 * Takes the features of a layer read from `first` on from the source CRS to the working CRS,
 * every distinct point once, over the cores. A failure names the first feature that fails.
 */
/**
 * After the projector refused a batch, in the handler of its error: the first point `each` gives
 * (each(fn) calls fn(id, p) for every point, `id()` its feature's name) that it cannot take on its
 * own, or makes non-finite, named as one line; the error rethrown when no point fails on its own
 * (what failed was not the layer's coordinates).
 */
template <typename Each>
[[noreturn]] void name_untransformable(const Projector& proj, Each&& each, const OGRSpatialReference& to,
                                       const std::string& file, const std::string& source_layer) {
    std::string bad;
    each([&](auto& id, Vec2 p) {
        if (!bad.empty()) return;
        std::vector<Vec2> one{p};
        try {
            proj.apply_one(one);
            if (!std::isfinite(one[0].x) || !std::isfinite(one[0].y)) bad = id();
        } catch (const Error&) {
            bad = id();
        }
    });
    if (bad.empty()) throw;
    throw Error("coordinates cannot be transformed to the working CRS " + crs_label(to),
                {file, source_layer, bad}, "check the layer's CRS (or --assume-crs)");
}

void reproject_layer(Dataset& ds, const std::string& layer, size_t first, const OGRSpatialReference& from,
                     const OGRSpatialReference& to, const std::string& file, const std::string& source_layer,
                     PlacedRange placed = {}) {
    Projector proj(from, to);
    if (proj.by_series()) {
        // Krüger's series through its tiles makes of a point what it makes of it in any batch (a
        // vertex several cells share stays one point): each is taken in place, no copy, as long as
        // every one is within the lattice the series was checked on.
        const Transform& t = proj.transform();
        bool takes = true;
        visit_layer(
            ds, layer, first, [&](auto&, Vec2& p) { takes = takes && t.series_takes(p); }, placed);
        if (takes) {
            TiledTransverseMercator::Cursor forward(t.series());
            visit_layer(
                ds, layer, first, [&](auto&, Vec2& p) { p = forward(p); }, placed);
            return;
        }
    }
    size_t count = 0;
    visit_layer(ds, layer, first, [&](auto&, Vec2&) { ++count; }, placed);
    std::vector<Vec2> pts;
    pts.reserve(count);
    visit_layer(ds, layer, first, [&](auto&, Vec2& p) { pts.push_back(p); }, placed);
    // Through PROJ, cells share each vertex with three or four rings (a neighbour's, the parent's):
    // each is transformed once, and so are the few roads, parcels and buildings share.
    const bool shared =
        layer == "grids" || layer == "roads" || layer == "enterprises" || layer == "buildings";
    try {
        shared ? proj.apply_shared(pts) : proj.apply(pts);
    } catch (const Error&) {
        name_untransformable(
            proj,
            [&](auto&& fn) {
                visit_layer(
                    ds, layer, first, [&](auto& id, Vec2& p) { fn(id, p); }, placed);
            },
            to, file, source_layer);
    }
    size_t k = 0;
    visit_layer(ds, layer, first, [&](auto&, Vec2& p) { p = pts[k++]; }, placed);
}

/**
 * The points of checks set aside (EarlierChecks::judge) transformed as reproject_layer transforms
 * the kept ones, the result let go: a point it cannot take throws alike, naming its check.
 */
void judge_set_aside(const Projector& proj, const std::vector<Vec2>& pts, const std::vector<std::string>& ids,
                     const OGRSpatialReference& to, const std::string& file,
                     const std::string& source_layer) {
    std::vector<Vec2> moved = pts;
    try {
        proj.apply(moved);
    } catch (const Error&) {
        name_untransformable(
            proj,
            [&](auto&& fn) {
                for (size_t k = 0; k < pts.size(); ++k) {
                    const auto id = [&] { return ids[k]; };
                    fn(id, pts[k]);
                }
            },
            to, file, source_layer);
    }
}

template <typename T>
void append(std::vector<T>& to, std::vector<T>&& from) {
    if (to.empty() && to.capacity() < from.size()) {
        to = std::move(from);
        return;
    }
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
}

/**
 * Adds the records of every part, kind by kind over the cores (a prefecture's 414,000 households
 * are moved while its buildings are), each kind's parts in their order, into room made for all of
 * them at once: appended part by part, a layer read in 16 FID parts had each record moved up to 16
 * times (0.1 s of a prefecture's reading). Incidents and checks are joined in join_layers' order.
 */
void join_records(Dataset& ds, std::vector<Dataset>& parts) {
    auto join = [&](auto member) {
        auto& to = ds.*member;
        size_t n = to.size(), nonempty = 0;
        for (const Dataset& part : parts) n += (part.*member).size(), nonempty += !(part.*member).empty();
        if (nonempty > 1) to.reserve(n);
        for (Dataset& part : parts) append(to, std::move(part.*member));
    };
    parallel_for(8, [&](size_t kind) {
        switch (kind) {
            case 0:
                return join(&Dataset::grids);
            case 1:
                return join(&Dataset::households);
            case 2:
                return join(&Dataset::cameras);
            case 3:
                return join(&Dataset::enterprises), join(&Dataset::roads);
            case 4:
                return join(&Dataset::buildings);
            case 5:
                return join(&Dataset::facilities), join(&Dataset::candidates);
            case 6:
                return join(&Dataset::patrols);
            default:
                return join(&Dataset::other_layers);
        }
    });
}

/** Adds what reading a part reported, and its incidents and checks not read into their places, to the
 * dataset. */
void join_part(Dataset& ds, Dataset&& part) {
    append(ds.incidents, std::move(part.incidents));
    append(ds.checks, std::move(part.checks));
    for (auto& [layer, fields] : part.extra_fields)
        if (!ds.extra_fields.count(layer)) ds.extra_fields[layer] = std::move(fields);
    for (auto& [layer, ids] : part.report.repaired) append(ds.report.repaired[layer], std::move(ids));
    append(ds.report.other, std::move(part.report.other));
    append(ds.report.bad_times, std::move(part.report.bad_times));
    append(ds.report.bad_values, std::move(part.report.bad_values));
    append(ds.report.gdal_warnings, std::move(part.report.gdal_warnings));
    append(ds.report.no_geometry, std::move(part.report.no_geometry));
}

size_t feature_count(const Dataset& part) {
    return part.grids.size() + part.households.size() + part.cameras.size() + part.enterprises.size() +
           part.roads.size() + part.buildings.size() + part.incidents.size() + part.facilities.size() +
           part.candidates.size() + part.checks.size() + part.patrols.size() + (part.other_layers.empty() ? 0 : part.other_layers.front().size());
}

/**
 * After a read that GDAL failed: the feature it fails on, read again one at a time under the
 * layer's filters ("FID 5", or "after FID 4" where GDAL gives no feature back), or "" where this
 * reading raises no error.
 */
std::string failing_feature(OGRLayer& layer) {
    CplCapture again;
    layer.ResetReading();
    GIntBig last = OGRNullFID;
    for (;;) {
        const size_t before = again.failures.size();
        OGRFeatureUniquePtr f(layer.GetNextFeature());
        if (again.failures.size() > before) {
            if (f) return "FID " + std::to_string(f->GetFID());
            return last == OGRNullFID ? "" : "after FID " + std::to_string(last);
        }
        if (!f) return {};
        last = f->GetFID();
    }
}

/**
 * Reads a layer whole or not at all (SPEC §3): any GDAL error while reading it (a damaged page, a
 * .dbf cut short) stops the command, naming the file and layer and how far reading got. GDAL's
 * warnings are kept in the report.
 */
ChunkRead read_layer_whole(const Found& fl, LayerSource from, const Chunk& chunk, const GeomConverter& conv,
                           Dataset& part, const std::string& layer_name, const OpenOptions& options,
                           Placed* placed, EarlierChecks* earlier) {
    CplCapture cap;
    // GDAL says when it reads text in a number field as 0 (LayerReader::take_numeric_warnings).
    const std::string numeric_warning = CPLGetThreadLocalConfigOption("OGR_SETFIELD_NUMERIC_WARNING", "");
    CPLSetThreadLocalConfigOption("OGR_SETFIELD_NUMERIC_WARNING", "YES");
    // A part's FIDs, and the filter the layer had (a grid level: filter_grid_level) kept beside them.
    const char* had = from.layer->GetAttrQueryString();
    const std::string before = had ? had : "";
    struct Restore {
        std::string was, filter;
        OGRLayer* filtered;
        ~Restore() {
            CPLSetThreadLocalConfigOption("OGR_SETFIELD_NUMERIC_WARNING", was.empty() ? nullptr : was.c_str());
            if (filtered) filtered->SetAttributeFilter(filter.empty() ? nullptr : filter.c_str());
        }
    } restore{numeric_warning, before, chunk.whole ? nullptr : from.layer};
    if (!chunk.whole) {
        std::string filter = fid_condition(*from.layer, chunk);
        if (!before.empty()) filter = "(" + before + ") AND " + filter;
        if (from.layer->SetAttributeFilter(filter.c_str()) != OGRERR_NONE)
            throw Error("could not be read in parts (" + cap.failure_summary() + ")", {fl.src->path, layer_name}, "try again");
    }
    ChunkRead read;
    int64_t placed_here = 0;
    try {
        read = read_layer(fl, from, chunk, conv, part, cap, options, placed, earlier, placed_here);
    } catch (const Error&) {
        if (cap.failures.empty()) throw;  // ours alone; else GDAL's error is the cause
    }
    if (!cap.failures.empty()) {
        // A login of the shared store without the right to read a table (SPEC §9): not a damaged file.
        const std::string& first = cap.failures.front();
        if (const size_t denied = first.find("permission denied"); denied != std::string::npos)
            throw Error("this login may not read it: " + first.substr(denied, first.find('\n', denied) - denied),
                        {fl.src->path, layer_name},
                        "connect as a login that may, or ask the store's owner to grant it with gridwatch db roles "
                        "(README: Sharing one database)");
        const GIntBig total = chunk.whole ? from.layer->GetFeatureCount(FALSE) : -1;
        std::string got = std::to_string(feature_count(part) + static_cast<size_t>(placed_here));
        if (total > 0) got += " of " + std::to_string(total);
        got += " features";
        if (!chunk.whole) got += " from FID " + std::to_string(chunk.from) + " on";
        // The count says how far the batches got, not which feature: that is found again, one by one.
        const std::string bad = failing_feature(*from.layer);
        throw Error(
            (bad.empty() ? "reading stopped after " + got + ": " : "could not be read, " + got + " read: ") +
                cap.failure_summary(),
            {fl.src->path, layer_name, bad}, hint_for_gdal(cap.failures.front()));
    }
    for (const auto& w : cap.warnings())
        part.report.gdal_warnings.push_back({fl.canonical, "", w, fl.src->path, layer_name});
    return read;
}

/** The .shp of a shapefile layer: the source itself, or the layer's file in a folder. */
fs::path shapefile_of(const std::string& path, OGRLayer* layer) {
    return fs::is_directory(path) ? fs::path(path) / (std::string(layer->GetName()) + ".shp") : fs::path(path);
}

/**
 * Whether GDAL lists layer `name`'s .dbf (any case) among the dataset's files. A layer read from a
 * zip lists only the zip: callers ask only of a layer without fields, which one with a .dbf is not.
 */
bool has_dbf(GDALDataset& ds, const std::string& name) {
    const CPLStringList files(ds.GetFileList());
    for (int i = 0; i < files.size(); ++i)
        if (ascii_lower(CPLGetExtension(files[i])) == "dbf" &&
            ascii_lower(CPLGetBasename(files[i])) == ascii_lower(name))
            return true;
    return false;
}

}  // namespace

bool gbk_shapefile(const std::string& path, OGRLayer* layer) {
    fs::path cpg = shapefile_of(path, layer);
    cpg.replace_extension(".cpg");
    if (fs::exists(cpg) || fs::exists(fs::path(cpg).replace_extension(".CPG"))) return false;
    OGRFeatureDefn* defn = layer->GetLayerDefn();
    for (int k = 0; k < defn->GetFieldCount(); ++k)
        if (!CPLIsUTF8(defn->GetFieldDefn(k)->GetNameRef(), -1)) return true;
    return has_non_utf8(layer);
}

namespace {

/**
 * Which role a layer plays (SPEC §3 "Names users bring"): the project file's mapping first, then
 * its name (contract, grids_lN, Chinese; a CSV by its file's stem), then the fields it holds.
 */
void recognise(LayerInfo& info, Found& fl, const NameMapping& mapping, const std::string& csv_stem) {
    for (const auto& [role, m] : mapping) {
        if (m.layer == info.source_name) fl.canonical = role;
        for (const auto& [level, layer] : m.levels)
            if (layer == info.source_name) fl.canonical = role, fl.level = level;
        if (!fl.canonical.empty()) {
            info.recognised_by = "mapping";
            break;
        }
    }
    if (fl.canonical.empty()) {
        fl.canonical = role_of_layer_name(info.source_name);
        if (fl.canonical.empty() && !csv_stem.empty()) fl.canonical = role_of_layer_name(csv_stem);
        if (!fl.canonical.empty())
            info.recognised_by = CPLIsASCII(info.source_name.c_str(), info.source_name.size()) || !csv_stem.empty() ? "name" : "chinese name";
    }
    if (fl.canonical.empty()) {
        fl.canonical = role_by_fields(info.source_fields, info.geometry);
        if (!fl.canonical.empty()) info.recognised_by = "fields";
    }
    if (const auto it = mapping.find(fl.canonical); it != mapping.end()) fl.mapping = &it->second;
    info.level = fl.level;
}

/** What phase 1 found: the opened sources, the SPEC layers in them, and the first DEM. */
struct Sources {
    std::vector<std::unique_ptr<OpenedSource>> opened;
    std::vector<Found> found;
    std::string dem_name, dem_file;  // the first source's DEM (terrain occlusion, SPEC §5.1)
    std::shared_ptr<const NameMapping> mapping;  // the layers' Found::mapping point into it
};

/** Phase 1: opens every source, finds its layers and their CRSs (ds.layers lists them all). */
Sources find_layers(const std::vector<std::string>& sources, const OpenOptions& options, Dataset& ds) {
    Sources out;
    auto& opened = out.opened;
    auto& found = out.found;
    std::optional<OGRSpatialReference> assumed;
    if (!options.assume_crs.empty()) assumed = parse_crs(options.assume_crs, "--assume-crs");
    std::string& dem_name = out.dem_name;
    std::string& dem_file = out.dem_file;
    int phone_layers_in_degrees = 0;  // --from-gcj02 / --from-bd09: the layers it shifts
    std::string first_in_metres;      // the first it leaves as it is, named
    // The project file's names for layers and fields (SPEC §3), beside the first source.
    const std::string project_file = project_path_for(sources.front());
    out.mapping = std::make_shared<const NameMapping>(options.mapping ? *options.mapping : load_mapping(project_file));
    const NameMapping& mapping = *out.mapping;
    // Terrain only cuts camera views: a command that reads no cameras does not read the DEM either.
    const bool wants_terrain =
        options.dem && (options.layers.empty() || std::find(options.layers.begin(), options.layers.end(),
                                                            "cameras") != options.layers.end());
    // A folder GDAL does not open is read as its files, each in its place in the list.
    std::vector<std::string> paths = sources;
    for (size_t next = 0; next < paths.size(); ++next) {
        const std::string path = paths[next];  // a copy: a folder's files are inserted after it
        gdal_setup();
        if (path.rfind("PG:", 0) != 0) finish_interrupted_outputs(path);
        check_readable(path);
        const auto take_dem = [&](GDALDataset* vector) {
            const std::string dem = wants_terrain ? find_dem(path, vector) : std::string();
            if (dem.empty()) return;
            if (!dem_name.empty()) {
                ds.report.other.push_back(
                    {"dem", "", "a second DEM in " + path + " is left out; " + dem_file + " is used"});
                return;
            }
            dem_name = dem, dem_file = path;
        };
        std::unique_ptr<OpenedSource> vec;
        try {
            vec = std::make_unique<OpenedSource>(open_source(path));
        } catch (const NotOpened&) {  // a source GDAL opened but could not read whole stops here
            if (const auto files = vector_files_in_folder(path); !files.empty()) {
                paths.insert(paths.begin() + static_cast<std::ptrdiff_t>(next) + 1, files.begin(),
                             files.end());
                continue;
            }
            if (!raster_only(path)) throw;
            take_dem(nullptr);  // a DEM or a basemap: no layers in it
            continue;
        }
        // A folder GDAL read as shapefiles (or CSVs, FlatGeobufs): its GeoJSON files after it.
        if (const auto files = vector_files_in_folder(path); !files.empty())
            paths.insert(paths.begin() + static_cast<std::ptrdiff_t>(next) + 1, files.begin(), files.end());
        opened.push_back(std::move(vec));
        OpenedSource& src = *opened.back();
        take_dem(src.ds.get());
        for (auto* layer : list_layers(src, ds.report)) {
            LayerInfo info;
            info.source_name = layer->GetName();
            info.source = path;
            info.geometry = OGRGeometryTypeToName(layer->GetGeomType());
            Found fl{&src, layer, "", OGRSpatialReference(), false, nullptr};
            if (std::string(src.ds->GetDriverName()) == "PostgreSQL") {
                fl.count = pg_estimated_rows(*layer, *src.ds);
                // Counted as it is read (counted_rows); a layer the command does not read is not.
                info.count = -1;
                fl.info = ds.layers.size();
            } else {
                info.count = layer->GetFeatureCount();
                fl.count = info.count;
            }
            // GBK fallback (SPEC §3): a shapefile without .cpg whose text is not UTF-8 is CP936;
            // its field names too, which recognising the layer by its fields reads.
            if (std::string(src.ds->GetDriverName()) == "ESRI Shapefile" && gbk_shapefile(path, layer)) {
                fl.reopened = std::make_unique<OpenedSource>(open_source(shapefile_of(path, layer).string(), true));
                fl.src = fl.reopened.get();
                fl.layer = fl.reopened->ds->GetLayer(0);
            }
            OGRFeatureDefn* defn = fl.layer->GetLayerDefn();
            for (int k = 0; k < defn->GetFieldCount(); ++k) info.source_fields.push_back(defn->GetFieldDefn(k)->GetNameRef());
            recognise(info, fl, mapping, src.is_csv ? fs::path(path).stem().string() : std::string());
            if (std::string(fl.src->ds->GetDriverName()) == "PostgreSQL")
                for (const auto& [table, masked] : store::masked_columns())
                    if (info.source_name == table + "_public")
                        fl.canonical = table,
                        info.recognised_by = "name";  // the store's masked view (list_layers)
            info.name = fl.canonical.empty() ? info.source_name : fl.canonical;
            const bool wanted = options.layers.empty() ||
                                std::find(options.layers.begin(), options.layers.end(), fl.canonical) != options.layers.end();
            if (!wanted) {
                if (const OGRSpatialReference* s = layer_crs(*layer)) info.crs = crs_label(*s);
                ds.layers.push_back(info);
                continue;
            }
            // GDAL opens a .shp whose .dbf is gone as a layer without fields: every id, name, code
            // and count would read as empty or 0.
            if (std::string(src.ds->GetDriverName()) == "ESRI Shapefile" &&
                layer->GetLayerDefn()->GetFieldCount() == 0 && !has_dbf(*src.ds, layer->GetName()))
                throw Error(
                    "has no .dbf beside its .shp: its fields (ids, names, codes, counts) cannot be read",
                    {path, layer->GetName()}, "copy the layer's .dbf file beside its .shp");
            if (const OGRSpatialReference* s = layer_crs(*layer)) {
                fl.srs = *s;
            } else if (assumed) {
                fl.srs = *assumed;
            } else if (options.coords != SourceCoords::Native) {
                fl.srs = parse_crs("EPSG:4326");
            } else {
                const OGRSpatialReference* undefined = layer->GetSpatialRef();
                throw Error(
                    undefined ? std::string("has no CRS (its CRS is '") +
                                    (undefined->GetName() ? undefined->GetName() : "") + "', which says none)"
                              : std::string("has no CRS"),
                    {path, layer->GetName()},
                    "give the layer a CRS, a .prj beside a shapefile, or pass --assume-crs EPSG:4490");
            }
            fl.srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            info.crs = crs_label(fl.srs);
            // GCJ-02 and BD-09 shift longitude and latitude: a layer in metres (the office's own,
            // beside the phones' file) is left as it is and named; shifted by the formulas, it moved
            // not at all, or a few metres of nonsense, without a word.
            if (options.coords != SourceCoords::Native && from_phones(fl.canonical)) {
                if (fl.srs.IsGeographic()) {
                    ++phone_layers_in_degrees;
                } else {
                    if (first_in_metres.empty())
                        first_in_metres = path + ": layer '" + layer->GetName() + "' is in " + info.crs;
                    ds.report.not_shifted.push_back(
                        {info.name, "",
                         std::string("in ") + info.crs + ", not longitude and latitude: " +
                             (options.coords == SourceCoords::Gcj02 ? "--from-gcj02" : "--from-bd09") +
                             " leaves it as it is",
                         path, layer->GetName()});
                }
            }
            if (fl.reopened)
                ds.report.other.push_back({info.name, "", "no .cpg and text not UTF-8: read as GBK (CP936)",
                                           fl.src->path, layer->GetName()});
            fl.layer_info = static_cast<int>(ds.layers.size());
            ds.layers.push_back(info);
            found.push_back(std::move(fl));
        }
    }
    if (options.coords != SourceCoords::Native && phone_layers_in_degrees == 0 && !first_in_metres.empty())
        throw Error(first_in_metres + ", not longitude and latitude, as is every layer phones record here: " +
                        (options.coords == SourceCoords::Gcj02 ? "--from-gcj02" : "--from-bd09") +
                        " shifts longitudes and latitudes as phone maps record them",
                    {},
                    "leave the option out, or give the phones' positions as they recorded them, in longitude "
                    "and latitude");
    for (const auto& [role, m] : mapping) {
        auto missing = [&](const std::string& layer) {
            return std::none_of(ds.layers.begin(), ds.layers.end(), [&](const LayerInfo& l) { return l.source_name == layer; });
        };
        if (!m.layer.empty() && missing(m.layer))
            throw Error("the project file maps " + role + " to layer '" + m.layer + "', which no source has",
                        {project_file, "", "", "mapping." + role + ".layer"}, "fix the layer name (gridwatch info lists them)");
        for (const auto& [level, layer] : m.levels)
            if (missing(layer))
                throw Error("the project file maps grid level " + std::to_string(level) + " to layer '" + layer +
                                "', which no source has",
                            {project_file, "", "", "mapping.grids.levels"}, "fix the layer name (gridwatch info lists them)");
    }

    return out;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] CRS and the working CRS

/**
 * Whether a layer may have features to place: false only where the source counts none without
 * reading (a GeoPackage's, a shapefile's count); a count it would have to scan for is not asked,
 * nor a PostgreSQL table's (checked_extent asks once, and names rows row-level security hides).
 */
bool has_features(const Found& fl) {
    if (std::string(fl.src->ds->GetDriverName()) == "PostgreSQL") return true;
    CplCapture quiet;
    return fl.layer->GetFeatureCount(FALSE) != 0;
}

/**
 * The layer whose CRS is the data's: the grids, else the first layer found; of those, one with
 * features first (an office's empty cameras layer beside its cells: `export --layers cameras`
 * stopped at "has no extent").
 */
const Found* primary_layer(const std::vector<Found>& found) {
    const Found* grids = nullptr;
    for (const auto& f : found)
        if (f.canonical == "grids") grids = &f;
    if (grids && has_features(*grids)) return grids;
    for (const auto& f : found)
        if (&f != grids && has_features(f)) return &f;
    return grids ? grids : found.empty() ? nullptr : &found.front();
}

std::string srs_wkt(const OGRSpatialReference& srs) {
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

/** Phase 2: the working CRS (SPEC §3), and the data's CRS labels and WKT in ds. */
OGRSpatialReference choose_work_crs(const Found* primary, const OpenOptions& options, Dataset& ds) {
    OGRSpatialReference work;
    if (!options.work_crs.empty()) {
        work = parse_crs(options.work_crs, "--work-crs");
        if (!is_metric_projected(work))
            throw Error("working CRS " + options.work_crs + " is not projected in metres", {"", "", "", "--work-crs"},
                        "give a metric CRS such as EPSG:4542");
        ds.work_crs_reason = "given by --work-crs";
    } else if (primary && is_metric_projected(primary->srs) && options.coords == SourceCoords::Native) {
        work = primary->srs;
        ds.work_crs_reason = "the data's own CRS, projected in metres";
    } else if (primary && !has_features(*primary)) {
        // No layer has a feature: nothing is placed, measured or drawn in the working CRS.
        work = parse_crs("EPSG:4542");
        ds.work_crs_reason = "no feature to place: the bundled data's zone";
    } else if (primary) {
        const OGREnvelope env = checked_extent(*primary);
        OGRSpatialReference geo = parse_crs("EPSG:4490");
        Transform t(primary->srs, geo);
        Vec2 c = t.apply(Vec2{(env.MinX + env.MaxX) / 2, (env.MinY + env.MaxY) / 2});
        // The extent in degrees: its corners and edges sampled (a projected box's edges curve in
        // degrees); a point PROJ cannot take is left out, the centre above stands for the rest.
        double lon0 = c.x, lon1 = c.x, lat0 = c.y, lat1 = c.y;
        for (int i = 0; i <= 8; ++i)
            for (int k = 0; k <= 8; k += (i == 0 || i == 8 ? 1 : 8)) {
                try {
                    const Vec2 p = t.apply(Vec2{env.MinX + (env.MaxX - env.MinX) * i / 8, env.MinY + (env.MaxY - env.MinY) * k / 8});
                    lon0 = std::min(lon0, p.x), lon1 = std::max(lon1, p.x), lat0 = std::min(lat0, p.y), lat1 = std::max(lat1, p.y);
                } catch (const Error&) {
                }
            }
        WorkCrsChoice choice = choose_working_crs(lon0, lat0, lon1, lat1);
        work = std::move(choice.srs);
        ds.work_crs_reason = choice.reason;
        ds.work_crs_wide = choice.wide;
    } else {
        work = parse_crs("EPSG:4542");
        ds.work_crs_reason = "no layer to place: the bundled data's zone";
    }
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    ds.work_crs = crs_label(work);
    ds.point_coords = options.coords == SourceCoords::Gcj02 ? "gcj02" : options.coords == SourceCoords::Bd09 ? "bd09" : "";
    ds.work_crs_wkt = srs_wkt(work);
    if (primary) {
        ds.crs = crs_label(primary->srs);
        ds.source_crs_wkt = srs_wkt(primary->srs);
    } else {
        ds.crs = ds.work_crs;
        ds.source_crs_wkt = ds.work_crs_wkt;
    }

    return work;
}

/** What the reading threads need of each layer, taken on the opening thread (GDAL objects serve one thread). */
struct ReadPlan {
    std::vector<std::string> names;  // the layers' own names
    std::vector<int> index;          // each layer's index in its source (to open it again on a second handle)
    std::vector<Chunk> chunks;       // what the tasks read, in layer order and FID order within a layer
    std::vector<size_t> order;       // chunks longest first, so that the reading tasks finish together
    int64_t features = 0;
};

/**
 * The FID range [first, last] of a GeoPackage layer whose features are many enough to be read in
 * parts by several tasks, or nullopt. Points, buildings and cells: a part of such a layer reads as
 * the whole does, feature by feature (a part of the cells is filtered by level as the whole is:
 * read_layer_whole), where GPS fixes are joined. Cells count by their cost (feature_cost: an
 * outline of some thirty vertices weighs as five points, a county's 10,900 as 55,000), points by
 * their number; cells are split only when they are more than a task's share of all that is read
 * (`share`: Gi*'s cells beside the incidents, not `checks`' beside a month of reports, which the
 * parts of the cells slowed by 10 ms). Not a PostgreSQL table: its parts as ranges of blocks (ctid, a TID
 * range scan each, in the whole table's order) cost a prefecture's render on 2 cores 0.6 s more than whole
 * tables read by the two tasks (BENCHMARKS.md, "Prefecture on PG").
 */
std::optional<std::pair<int64_t, int64_t>> splittable(const Found& fl, int64_t count, double cost,
                                                      double share) {
    static const std::set<std::string> kinds = {"households", "cameras",   "incidents", "facilities",
                                                "candidates", "buildings", "checks",    "grids"};
    constexpr int64_t kWorthIt = 50000;  // below this, opening the file a second time costs more than it saves
    const bool cells = fl.canonical == "grids";
    if ((cells ? cost : static_cast<double>(count)) < kWorthIt || (cells && cost <= share) ||
        !kinds.count(fl.canonical) || fl.reopened)
        return std::nullopt;
    if (std::string(fl.src->ds->GetDriverName()) != "GPKG" || !*fl.layer->GetFIDColumn()) return std::nullopt;
    // Each bound in a query of its own: SQLite finds a lone MIN or MAX of the rowid at one end of the
    // table, but scans every row for the two together (45 ms for 500,000 incidents, before reading).
    const std::string fid = "\"" + std::string(fl.layer->GetFIDColumn()) + "\"";
    const std::string table = "\"" + std::string(fl.layer->GetName()) + "\"";
    const std::string sql = "SELECT (SELECT MIN(" + fid + ") FROM " + table + ") AS lo, (SELECT MAX(" + fid + ") FROM " +
                            table + ") AS hi";
    const auto row = first_row(*fl.src->ds, sql, "SQLITE");
    if (!row || row->size() != 2 || (*row)[0].empty() || (*row)[1].empty())
        return std::nullopt;  // failed, or empty
    const std::pair<int64_t, int64_t> range{std::strtoll((*row)[0].c_str(), nullptr, 10),
                                            std::strtoll((*row)[1].c_str(), nullptr, 10)};
    // The parts' bounds go one past the last FID (plan_reading): the largest FID there is cannot.
    if (range.second < range.first || range.second == std::numeric_limits<int64_t>::max())
        return std::nullopt;
    return range;
}

/**
 * The mean size in bytes of the geometries of a GeoPackage layer's first rows (their blobs' lengths,
 * which SQLite reads from each row's header), or nullopt for another source or an empty layer.
 */
std::optional<double> sampled_geometry_bytes(const Found& fl) {
    const char* geom = fl.layer->GetGeometryColumn();
    if (std::string(fl.src->ds->GetDriverName()) != "GPKG" || !geom || !*geom) return std::nullopt;
    const std::string sql = "SELECT avg(length(" + quote_ident(geom) + ")) FROM (SELECT " +
                            quote_ident(geom) + " FROM " + quote_ident(fl.layer->GetName()) + " LIMIT 256)";
    const auto row = first_row(*fl.src->ds, sql, "SQLITE");
    if (!row || row->empty() || row->front().empty()) return std::nullopt;  // failed, or no geometry
    return std::strtod(row->front().c_str(), nullptr);
}

/**
 * What reading one feature of a layer costs, in point features. In a GeoPackage, from the size of
 * its geometries: the demo county's cells (65 vertices) cost ~10 points, its patrol tracks (350 GPS
 * fixes) 45; taken for one point each, the tracks were read last, by one core alone for 0.15 s.
 * Elsewhere a guess by the kind of layer, as measured on the demo county.
 */
double feature_cost(const Found& fl) {
    if (const auto bytes = sampled_geometry_bytes(fl)) return 1 + *bytes / 128;
    const std::string& L = fl.canonical;
    return L == "patrols"                 ? 40
           : L == "grids" || L == "roads" ? 9
           : L == "enterprises"           ? 7
           : L == "buildings"             ? 2
                                          : 1;
}

ReadPlan plan_reading(const std::vector<Found>& found, size_t tasks, const OpenOptions& options) {
    ReadPlan plan;
    plan.names.resize(found.size());
    plan.index.assign(found.size(), -1);
    std::vector<int64_t> counts(found.size());
    std::vector<double> costs(found.size());
    double total = 0;
    for (size_t i = 0; i < found.size(); ++i) {
        counts[i] = planned_count(found[i]);
        costs[i] = feature_cost(found[i]) * static_cast<double>(counts[i]);
        total += costs[i];
    }
    for (size_t i = 0; i < found.size(); ++i) {
        const Found& fl = found[i];
        plan.names[i] = fl.layer->GetName();
        for (int k = 0; k < fl.src->ds->GetLayerCount(); ++k)
            if (fl.src->ds->GetLayer(k) == fl.layer) plan.index[i] = k;
        const int64_t n = counts[i];
        plan.features += n;
        const double cost = costs[i];
        // A part's filter would take the place of the FIDs asked for (filter_fids).
        const auto range = tasks > 1 && !options.fids
                               ? splittable(fl, n, cost, total / static_cast<double>(tasks))
                               : std::nullopt;
        if (!range) {
            // PostgreSQL's count is an estimate: it only reserves (checks), never a count(*) again.
            const bool pg = std::string(fl.src->ds->GetDriverName()) == "PostgreSQL";
            plan.chunks.push_back({i, true, 0, 0, pg ? n : -1, cost});
            continue;
        }
        // Up to eight parts a task, of 10,000 features or more: a task that finishes early takes
        // another part, and the last part read keeps one core waiting ~30 ms on a county's checks
        // (~60 ms with four parts a task, ~70 with two); a part costs little more than its queries.
        const int64_t parts =
            std::clamp<int64_t>(n / 10000, static_cast<int64_t>(2 * tasks), static_cast<int64_t>(8 * tasks));
        // In unsigned arithmetic: FIDs may span most of int64 (splittable refuses the whole of it).
        const uint64_t lo = static_cast<uint64_t>(range->first),
                       span = static_cast<uint64_t>(range->second) - lo + 1;
        const auto bound = [&](int64_t k) {
            const uint64_t u = static_cast<uint64_t>(k), p = static_cast<uint64_t>(parts);
            return static_cast<int64_t>(lo + span / p * u + span % p * u / p);
        };
        for (int64_t k = 0; k < parts; ++k) {
            const int64_t from = bound(k), to = bound(k + 1);
            const double share =
                static_cast<double>(static_cast<uint64_t>(to) - static_cast<uint64_t>(from)) /
                static_cast<double>(span);
            const int64_t hint =
                k == 0 ? n : std::min<int64_t>(n, static_cast<int64_t>(static_cast<double>(n) * share) + 1);
            plan.chunks.push_back({i, false, from, to, hint, cost * share});
        }
    }
    plan.order.resize(plan.chunks.size());
    std::iota(plan.order.begin(), plan.order.end(), 0);
    std::stable_sort(plan.order.begin(), plan.order.end(),
                     [&](size_t a, size_t b) { return plan.chunks[a].cost > plan.chunks[b].cost; });
    return plan;
}

/** Each chunk's features, read into a part of its own and in the working CRS (ReadPlan::chunks). */
struct LayerParts {
    std::vector<Chunk> chunks;
    std::vector<Dataset> parts;
    std::vector<ChunkRead> read;
    std::vector<Placed> placed;  // by found layer: where its records are read in place (both null: not)
    std::vector<std::vector<Check>>
        earlier;  // by found layer: the checks set aside (OpenOptions::checks_from)
};

/** Whether a GeoPackage layer is a table (not a view): its FID, the INTEGER PRIMARY KEY, is each row's own. */
bool sqlite_table(const Found& fl) {
    const auto row = first_row(
        *fl.src->ds, "SELECT type FROM sqlite_master WHERE name = " + quote_literal(fl.layer->GetName()),
        "SQLITE");
    return row && !row->empty() && row->front() == "table";
}

/**
 * Per found layer, where its checks or incidents are read into their places (InPlace) when it is
 * read in parts and its FIDs are dense (at most an eighth more places than features).
 */
std::vector<Placed> in_place(const std::vector<Found>& found, const std::vector<Chunk>& chunks,
                             const OpenOptions& options) {
    std::vector<Placed> out(found.size());
    std::vector<std::pair<int64_t, int64_t>> range(found.size(), {INT64_MAX, INT64_MIN});
    for (const Chunk& c : chunks)
        if (!c.whole && (found[c.layer].canonical == "checks" || found[c.layer].canonical == "incidents"))
            range[c.layer] = {std::min(range[c.layer].first, c.from), std::max(range[c.layer].second, c.to)};
    auto make = [](auto& p, int64_t lo, int64_t hi) {
        p = std::make_unique<typename std::decay_t<decltype(p)>::element_type>();
        p->first_fid = lo;
        p->places = static_cast<size_t>(hi - lo);
    };
    for (size_t i = 0; i < found.size(); ++i) {
        const auto [lo, hi] = range[i];
        if (lo > hi) continue;
        const int64_t n = planned_count(found[i]);
        if (hi - lo > n + n / 8 + 1024 || !sqlite_table(found[i])) continue;
        // Checks some of which are set aside (OpenOptions::checks_from) take fewer places than rows.
        if (found[i].canonical == "checks" && !sets_checks_aside(options)) make(out[i].checks, lo, hi);
        if (found[i].canonical == "incidents") make(out[i].incidents, lo, hi);
    }
    // Faulting a county's 120 MB in on first write was a tenth of a second on one core, the other
    // task waiting for it in make(); here both cores fault it in before either reads.
    for (Placed& p : out) {
        if (p.checks) p.checks->reserve();
        if (p.incidents) p.incidents->reserve();
    }
    return out;
}

/**
 * What one reading task reads with: GDAL handles of the sources and the working CRS, used by one
 * task at a time (a GDAL dataset or an OGRSpatialReference serves one thread at a time). The first
 * set is the sources' own handles; another set opens the sources again as it needs them.
 */
struct ReaderHandles {
    bool first = true;
    std::map<std::string, std::unique_ptr<OpenedSource>> reopened;  // by path
    OGRSpatialReference work;
    // By found layer: the transformation the checks set aside are judged with (EarlierChecks::judge),
    // made once for all the layer's chunks this set reads (a transformation takes milliseconds to make).
    std::map<size_t, std::unique_ptr<Projector>> judging;

    /** The layer found as `fl` (index `index` in its source), on this set's handles. */
    LayerSource layer(const Found& fl, int index, const std::string& name) {
        // A GBK shapefile's own handle serves its one layer alone, in whichever task reads it.
        if (first || fl.reopened) return {fl.src, fl.layer};
        auto& h = reopened[fl.src->path];
        if (!h) h = std::make_unique<OpenedSource>(open_source(fl.src->path));
        OGRLayer* l = index >= 0 ? h->ds->GetLayer(index) : nullptr;
        if (!l) throw Error("could not be opened a second time", {fl.src->path, name}, "try again");
        return {h.get(), l};
    }
};

/** One level's cells: the source skips the others when the level is a number field it can filter on. */
void filter_grid_level(OGRLayer& layer, int level, const RoleMapping* mapping) {
    const int f = find_field(layer.GetLayerDefn(), "level", mapping);
    if (f < 0) return;
    const OGRFieldDefn* def = layer.GetLayerDefn()->GetFieldDefn(f);
    const OGRFieldType t = def->GetType();
    // A text level such as "4.0" is read and judged as ever, and so is a filter the source cannot run.
    if (t != OFTInteger && t != OFTInteger64 && t != OFTReal) return;
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    // The cells of the other levels are left out; a level that is none of 1-4 (or none at all) is
    // read, and stops the command as it would without the filter.
    const std::string col = "\"" + std::string(def->GetNameRef()) + "\"";
    std::string others;
    for (int l = 1; l <= 4; ++l)
        if (l != level) others += (others.empty() ? "" : ",") + std::to_string(l);
    const std::string filter = col + " IS NULL OR " + col + " NOT IN (" + others + ")";
    if (layer.SetAttributeFilter(filter.c_str()) != OGRERR_NONE) layer.SetAttributeFilter(nullptr);
}

/**
 * Only the features whose FID is one of `fids`: an attribute filter on the layer's FID column (a
 * view, which GDAL gives no FID column, by its `fid` field).
 */
void filter_fids(OGRLayer& layer, const std::vector<int64_t>& fids, const std::string& path, const std::string& name) {
    std::string col = layer.GetFIDColumn();
    if (col.empty() && layer.GetLayerDefn()->GetFieldIndex("fid") >= 0) col = "fid";
    if (col.empty())
        throw Error("has no FID column to read some of its features by", {path, name},
                    "read the whole layer instead");
    std::string filter;
    if (fids.empty()) {
        filter = "\"" + col + "\" IS NULL AND \"" + col + "\" IS NOT NULL";  // none
    } else {
        filter = "\"" + col + "\" IN (";
        for (size_t i = 0; i < fids.size(); ++i) filter += (i ? "," : "") + std::to_string(fids[i]);
        filter += ")";
    }
    CplCapture cap;
    if (layer.SetAttributeFilter(filter.c_str()) != OGRERR_NONE)
        throw Error("cannot be read by FID: " + cap.last(), {path, name}, "read the whole layer instead");
}

/**
 * checks_from_latest's last step, when every row is read and the latest report known: the checks
 * the parts kept that are before the window (read before a later report was) set aside as the
 * others were, in the working CRS as they now are; of them and of those set aside before, each
 * cell's last is kept (ties: the lowest FID), in FID order.
 */
void set_aside_before_window(LayerParts& out, int64_t from) {
    std::map<size_t, std::vector<Check>> aside;  // by found layer
    for (size_t c = 0; c < out.parts.size(); ++c) {
        std::vector<Check>& kept = out.parts[c].checks;
        const auto before = [&](const Check& k) { return k.when && *k.when < from; };
        if (std::none_of(kept.begin(), kept.end(), before)) continue;
        std::vector<Check>& to = aside[out.chunks[c].layer];
        std::vector<Check> still;
        for (Check& k : kept) (before(k) ? to : still).push_back(std::move(k));
        kept = std::move(still);
    }
    for (auto& [layer, checks] : aside) {
        if (layer < out.earlier.size())
            for (Check& k : out.earlier[layer]) checks.push_back(std::move(k));
        EarlierChecks last;  // its rule of a cell's last, and no judging: these are in the working CRS
        for (Check& k : checks) last.keep(layer, k);
        if (out.earlier.size() <= layer) out.earlier.resize(layer + 1);
        out.earlier[layer] = last.take_last(layer);
    }
}

/**
 * Phase 3: reads the features of each layer into a part of its own and takes it to the working
 * CRS in bulk. With much to read, layers are read by as many tasks as there are cores, longest
 * first (geo/core/parallel.h), each task with its own handles. Throws the error of the first failed
 * layer in layer order; a failure stops the reading (no layer more is started).
 */
LayerParts read_layers(std::vector<Found>& found, const OGRSpatialReference& work, const OpenOptions& options,
                       const std::function<void(double, const std::string&)>& progress) {
    int64_t features = 0;
    for (const Found& fl : found) features += planned_count(fl);
    const size_t tasks = features > 20000 ? parallel_width() : 1;
    const ReadPlan plan = plan_reading(found, tasks, options);
    const size_t n_tasks = std::min(tasks, plan.chunks.size());
    LayerParts out;
    out.chunks = plan.chunks;
    out.parts.resize(plan.chunks.size()), out.read.resize(plan.chunks.size());
    out.placed = in_place(found, plan.chunks, options);
    // About what a task's records take on its heap: ~256 bytes a point feature (feature_cost's
    // unit). Records read into their places are in a vector made beforehand.
    double on_heaps = 0;
    for (const Chunk& chunk : plan.chunks)
        if (!out.placed[chunk.layer].checks && !out.placed[chunk.layer].incidents &&
            !(found[chunk.layer].canonical == "checks" && sets_checks_aside(options)))
            on_heaps += chunk.cost;
    const size_t heap_share =
        n_tasks ? static_cast<size_t>(on_heaps * 256 / static_cast<double>(n_tasks)) : 0;
    std::vector<std::exception_ptr> failed(plan.chunks.size());
    std::vector<ReaderHandles> handles(n_tasks);
    for (size_t t = 0; t < n_tasks; ++t) handles[t].first = t == 0, handles[t].work = work;
    std::vector<EarlierChecks> earlier(n_tasks);  // each task's, merged when all are read
    std::atomic<int64_t> latest_check{
        std::numeric_limits<int64_t>::min()};  // OpenOptions::checks_from_latest
    for (EarlierChecks& e : earlier) e.latest_seen = &latest_check;
    std::atomic<size_t> next{0}, done{0};
    std::mutex progress_mutex;  // the callback is not made for calls from two threads at once
    auto read_part = [&](size_t c, ReaderHandles& h, EarlierChecks& set_aside) {
        const Chunk& chunk = plan.chunks[c];
        const Found& fl = found[chunk.layer];
        const std::string& name = plan.names[chunk.layer];
        LayerSource mine = h.layer(fl, plan.index[chunk.layer], name);
        GeomConverter conv{
            from_phones(fl.canonical) && fl.srs.IsGeographic() ? options.coords : SourceCoords::Native,
            CoordLimits::of(fl.srs), fl.src->path, name, from_phones(fl.canonical)};
        if (fl.canonical == "grids" && options.grid_level > 0) {
            if (fl.level > 0 && fl.level != options.grid_level) return;  // another level's layer
            if (fl.level == 0) filter_grid_level(*mine.layer, options.grid_level, fl.mapping);
        }
        if (options.fids) filter_fids(*mine.layer, *options.fids, fl.src->path, name);
        Dataset& part = out.parts[c];
        Placed& placed = out.placed[chunk.layer];
        const bool in_place = placed.checks || placed.incidents;
        // The checks this chunk sets aside are transformed as the kept ones are, and let go.
        struct StopJudging {
            EarlierChecks& e;
            ~StopJudging() { e.judge = nullptr, e.to_judge.clear(), e.to_judge_ids.clear(); }
        } stop{set_aside};
        if (fl.canonical == "checks" && sets_checks_aside(options))
            set_aside.judge = [&](const std::vector<Vec2>& pts, const std::vector<std::string>& ids) {
                auto& proj = h.judging[chunk.layer];
                if (!proj) proj = std::make_unique<Projector>(fl.srs, h.work);
                judge_set_aside(*proj, pts, ids, h.work, fl.src->path, name);
            };
        out.read[c] = read_layer_whole(fl, mine, chunk, conv, part, name, options,
                                       in_place ? &placed : nullptr, &set_aside);
        set_aside.flush();
        // Rows the layer holds (LayerInfo::count), when nothing of ours filtered them.
        const bool filtered = options.fids || (fl.canonical == "grids" && options.grid_level > 0);
        if (filtered) out.read[c].rows = -1;
        PlacedRange mine_placed;
        if (placed.checks) mine_placed.checks = placed.checks->range(chunk.from, chunk.to);
        if (placed.incidents) mine_placed.incidents = placed.incidents->range(chunk.from, chunk.to);
        reproject_layer(part, fl.canonical, 0, fl.srs, h.work, fl.src->path, name, mine_placed);
    };
    parallel_for(n_tasks, [&](size_t t) {
        warm_heap(heap_share);
        for (size_t k; (k = next.fetch_add(1)) < plan.order.size();) {
            const size_t c = plan.order[k];
            try {
                {
                    std::lock_guard lock(progress_mutex);
                    progress(0.1 + 0.7 * done / plan.chunks.size(), "reading " + found[plan.chunks[c].layer].canonical);
                }
                read_part(c, handles[t], earlier[t]);
            } catch (...) {
                failed[c] = std::current_exception();
                next = plan.order.size();
            }
            ++done;
        }
    });
    for (const auto& f : failed)
        if (f) std::rethrow_exception(f);
    // The checks set aside: each grid_id's latest over the tasks, in FID order, in the working CRS.
    for (size_t t = 1; t < earlier.size(); ++t) earlier[0].merge(std::move(earlier[t]));
    out.earlier.resize(found.size());
    if (!earlier.empty())
        for (size_t i = 0; i < found.size(); ++i) {
            if (!earlier[0].latest.count(i)) continue;
            Dataset aside;
            aside.checks = earlier[0].take_last(i);
            reproject_layer(aside, "checks", 0, found[i].srs, work, found[i].src->path, plan.names[i]);
            out.earlier[i] = std::move(aside.checks);
            // Those another task's last replaced, judged alike and let go.
            if (auto m = earlier[0].merged_out.find(i); m != earlier[0].merged_out.end()) {
                Dataset judged;
                judged.checks = std::move(m->second);
                reproject_layer(judged, "checks", 0, found[i].srs, work, found[i].src->path, plan.names[i]);
            }
        }
    if (!options.checks_from && options.checks_from_latest &&
        latest_check != std::numeric_limits<int64_t>::min())
        set_aside_before_window(out, options.checks_from_latest(latest_check));
    return out;
}

/**
 * A PostgreSQL layer's row count (LayerInfo::count): the rows its reading was given, all of the
 * table (or view) the login may read, in the snapshot it was read in; else, when something of ours
 * filtered them (a grid level, FIDs), a count(*) as before.
 */
int64_t counted_rows(const Found& fl, int64_t rows) {
    if (rows >= 0) return rows;
    fl.layer->SetAttributeFilter(nullptr);  // a grid level's (filter_grid_level)
    return std::max<int64_t>(0, fl.layer->GetFeatureCount());
}

/**
 * Joins the chunks' parts into ds in layer order (a layer's parts in FID order, as one task would
 * have read them), and counts each layer's repairs and features left out without geometry.
 */
void join_layers(std::vector<Found>& found, LayerParts& read, Dataset& ds) {
    join_records(ds, read.parts);
    std::vector<int64_t> rows(found.size(), 0);
    for (size_t c = 0; c < read.chunks.size(); ++c) {
        const size_t i = read.chunks[c].layer;
        Found& fl = found[i];
        rows[i] = rows[i] < 0 || read.read[c].rows < 0 ? -1 : rows[i] + read.read[c].rows;
        const bool first = c == 0 || read.chunks[c - 1].layer != i;
        if (first && read.placed[i].checks) append(ds.checks, read.placed[i].checks->take());
        if (first && read.placed[i].incidents) append(ds.incidents, read.placed[i].incidents->take());
        join_part(ds, std::move(read.parts[c]));
        const bool last = c + 1 == read.chunks.size() || read.chunks[c + 1].layer != i;
        if (first) fl.fields = std::move(read.read[c].fields);
        for (auto& info : ds.layers)
            if (info.source == fl.src->path || fl.reopened)
                if (info.source_name == fl.layer->GetName() || (fl.reopened && info.name == fl.canonical)) {
                    info.invalid += read.read[c].invalid;
                    if (info.fields.empty()) info.fields = fl.fields;
                }
        if (!first) read.read[c].null_geoms += read.read[c - 1].null_geoms;
        if (last)
            append(ds.checks,
                   std::move(read.earlier[i]));  // after the layer's others (OpenOptions::checks_from)
        if (last && fl.info < ds.layers.size()) ds.layers[fl.info].count = counted_rows(fl, rows[i]);
        if (last && read.read[c].null_geoms > 0)
            ds.report.other.push_back(
                {fl.canonical, "", std::to_string(read.read[c].null_geoms) + " feature(s) without geometry left out"});
    }
}

/** The DEM, in the working CRS, over the data and as far around it as any camera reaches. */
void load_dem(const std::string& dem_name, const std::string& dem_file, Dataset& ds) {
    Box area = ds.extent();
    if (!area.empty()) {
        double reach = 1000;
        for (const auto& c : ds.cameras)
            if (std::isfinite(c.range) && c.range > 0 && c.range <= 10000) reach = std::max(reach, c.range);
        area = area.grown(reach);
    }
    ds.dem = read_dem(dem_name, dem_file, ds.work_crs_wkt, area);
}

/**
 * Grids given without parent ids (one layer per level, SPEC §3): a cell of level 2–4 whose
 * parent_id is empty gets the cell of the level above that contains its interior point (GEOS
 * PointOnSurface, so a C-shaped cell is not judged by a centroid outside it). A cell no cell
 * contains is named in the report (`info` lists it), its parent left empty.
 */
void complete_grid_parents(Dataset& ds) {
    std::map<int, std::vector<size_t>> by_level;
    bool any_missing = false;
    for (size_t i = 0; i < ds.grids.size(); ++i) {
        by_level[ds.grids[i].level].push_back(i);
        any_missing |= ds.grids[i].level > 1 && ds.grids[i].parent_id.empty();
    }
    if (!any_missing) return;
    for (int level = 2; level <= 4; ++level) {
        const auto& upper = by_level[level - 1];
        std::vector<Box> boxes;
        for (size_t u : upper) boxes.push_back(bounds(ds.grids[u].shape));
        const BoxIndex index(boxes, 200);
        for (size_t i : by_level[level]) {
            Grid& g = ds.grids[i];
            if (!g.parent_id.empty()) continue;
            geos::Geom shape = geos::to_geos(g.shape);
            geos::Geom at(GEOSPointOnSurface_r(geos::ctx(), shape.get()));
            double x = 0, y = 0;
            if (!at || GEOSGeomGetX_r(geos::ctx(), at.get(), &x) != 1 || GEOSGeomGetY_r(geos::ctx(), at.get(), &y) != 1) continue;
            const Vec2 p{x, y};
            for (int k : index.query(Box{p.x, p.y, p.x, p.y}))
                if (inside(ds.grids[upper[k]].shape, p)) {
                    g.parent_id = ds.grids[upper[k]].grid_id;
                    break;
                }
            if (g.parent_id.empty())
                ds.report.orphan_cells.push_back({"grids", g.grid_id,
                                                  "no cell of level " + std::to_string(level - 1) +
                                                      " contains it: its parent is unknown"});
        }
    }
}

/**
 * Patrol tracks given as lines with `start` and `end` (SPEC §3): each vertex gets its time in
 * proportion to the distance walked, in the working CRS (metres, where a steady walk is steady).
 * Tracks given as fixes already carry their times; a track without both times gets none.
 */
void time_patrol_tracks(Dataset& ds) {
    parallel_for(ds.patrols.size(), [&](size_t i) { spread_track_times(ds.patrols[i]); });
}

/** Phase 4: the cameras' values checked (SPEC §3: bad ones are named and left out, never fatal). */
void check_read(Dataset& ds) {
    drop_repeated_cameras(ds);
    run_beside([&] { ds.report.bad_cameras = validate_cameras(ds.cameras, ds.layers); },
               [&] { ds.report.unknown_codes = validate_codes(ds); });
}

/**
 * What reading leaves to whole layers, on all of them or on one: cells' parents found by
 * containment, patrol tracks timed, the cameras' values and the codes checked.
 */
void complete_read(Dataset& ds) {
    complete_grid_parents(ds);
    time_patrol_tracks(ds);
    check_read(ds);
}

/** options.progress, or nothing when it is unset. */
std::function<void(double, const std::string&)> progress_of(const OpenOptions& options) {
    return [progress = options.progress](double f, const std::string& s) {
        if (progress) progress(f, s);
    };
}

void need_sources(const std::vector<std::string>& sources) {
    if (sources.empty()) throw Error("no dataset given", {}, "give a DATASET path");
}

}  // namespace

/** (dataset.h) A camera row that repeats an earlier one whole (its cam_id, place and values: a row pasted
 * twice, two files merged) is one camera: the later rows are left out and named. Rows sharing a cam_id but
 * not the rest are kept (two cameras, or one moved without its old row deleted) and named, for an id should
 * name one camera (`edit --camera`).
 */
void drop_repeated_cameras(Dataset& ds) {
    // The earlier row, by its FID, and by its file and layer when another than the later row's.
    const auto row_of = [&](const Camera& earlier, const Camera& later) {
        std::string s = "FID " + std::to_string(earlier.fid);
        const auto in = [&](int k) { return k >= 0 && static_cast<size_t>(k) < ds.layers.size(); };
        if (earlier.source_layer != later.source_layer && in(earlier.source_layer)) {
            const LayerInfo& l = ds.layers[static_cast<size_t>(earlier.source_layer)];
            s += " in " + l.source + " (layer '" + l.source_name + "')";
        }
        return s;
    };
    ds.report.repeated.clear(), ds.report.shared_ids.clear();
    std::unordered_map<std::string, std::vector<size_t>> kept_of;  // cam_id -> the rows kept with it
    kept_of.reserve(ds.cameras.size());
    std::vector<char> drop(ds.cameras.size(), 0);
    bool any = false;
    for (size_t k = 0; k < ds.cameras.size(); ++k) {
        const Camera& c = ds.cameras[k];
        std::vector<size_t>& kept = kept_of[c.cam_id];
        const auto same = std::find_if(kept.begin(), kept.end(),
                                       [&](size_t j) { return same_camera_values(ds.cameras[j], c); });
        if (same != kept.end()) {
            drop[k] = 1, any = true;
            ds.report.repeated.push_back(
                {"cameras", c.cam_id, "repeats the row of " + row_of(ds.cameras[*same], c) + " whole"});
            locate(ds.report.repeated.back(), c, ds.layers);
            continue;
        }
        if (!kept.empty()) {
            ds.report.shared_ids.push_back(
                {"cameras", c.cam_id, "also the cam_id of the camera of " + row_of(ds.cameras[kept[0]], c)});
            locate(ds.report.shared_ids.back(), c, ds.layers);
        }
        kept.push_back(k);
    }
    if (!any) return;
    size_t kept = 0;
    for (size_t k = 0; k < ds.cameras.size(); ++k)
        if (!drop[k]) {
            if (kept != k)
                ds.cameras[kept] = std::move(ds.cameras[k]);  // not onto itself: that empties its strings
            ++kept;
        }
    ds.cameras.resize(kept);
}

// ---------------------------------------------------------------------------------------------
// [SECTION] open_dataset

std::string bundled_dataset_path() {
    std::vector<fs::path> tries;
    char buf[4096];
    ssize_t n = readlink("/proc/self/exe", buf, sizeof buf - 1);
    if (n > 0) {
        fs::path exe = fs::path(std::string(buf, n)).parent_path();
        tries.push_back(exe / "data/dapingzi.gpkg");
        tries.push_back(exe / "../data/dapingzi.gpkg");
        tries.push_back(exe / "../share/gridwatch/dapingzi.gpkg");
    }
#ifdef GRIDWATCH_DATA_DIR
    tries.push_back(fs::path(GRIDWATCH_DATA_DIR) / "dapingzi.gpkg");
#endif
    tries.push_back("data/dapingzi.gpkg");
    for (const auto& p : tries)
        if (fs::exists(p)) return fs::weakly_canonical(p).string();
    throw Error("the bundled dataset data/dapingzi.gpkg was not found", {}, "give a DATASET path");
}

Dataset open_dataset(const std::vector<std::string>& sources, const OpenOptions& options) {
    need_sources(sources);
    Dataset ds;
    ds.source = sources.front();
    const auto progress = progress_of(options);
    progress(0, "opening");
    Sources src = find_layers(sources, options, ds);
    const Found* primary = primary_layer(src.found);
    const OGRSpatialReference work = choose_work_crs(primary, options, ds);
    LayerParts parts = read_layers(src.found, work, options, progress);
    join_layers(src.found, parts, ds);
    if (options.grid_shape_level > 0 &&
        std::any_of(ds.grids.begin(), ds.grids.end(), [](const Grid& g) { return g.level > 1 && g.parent_id.empty(); })) {
        // Parents found by containment (complete_grid_parents) need every level's outline.
        OpenOptions every_outline = options;
        every_outline.grid_shape_level = 0;
        return open_dataset(sources, every_outline);
    }
    complete_read(ds);
    if (!src.dem_name.empty()) {
        progress(0.82, "reading the DEM");
        load_dem(src.dem_name, src.dem_file, ds);
    }
    progress(1, "done");
    return ds;
}

Dataset open_dataset_by_layer(
    const std::vector<std::string>& sources, const OpenOptions& options,
    const std::function<void(Dataset&& layer, const std::string& canonical)>& each) {
    need_sources(sources);
    OpenOptions o = options;
    o.grid_shape_level = 0;  // every outline: a cell's parent may be found by containment
    o.dem = false;
    const auto progress = progress_of(o);
    Dataset head;
    head.source = sources.front();
    progress(0, "opening");
    Sources src = find_layers(sources, o, head);
    const OGRSpatialReference work = choose_work_crs(primary_layer(src.found), o, head);
    // The found layers by canonical name, each group in the order found (a later source's after).
    std::map<std::string, std::vector<Found>> groups;
    for (auto& fl : src.found) groups[fl.canonical].push_back(std::move(fl));
    std::vector<std::string> order(canonical_layers().begin(), canonical_layers().end());
    order.push_back("");  // the layers no role uses, last
    bool first = true;
    const double layers = static_cast<double>(groups.size());
    double done = 0;  // layers read
    for (const std::string& name : order) {
        auto it = groups.find(name);
        if (name.empty() && it == groups.end()) continue;
        Dataset part = head;  // no features yet: its CRSs and the layer list
        // What finding the layers reported comes with the first layer, once.
        if (!first) part.report = {};
        first = false;
        if (it != groups.end()) {
            // Each layer's reading a share of the whole.
            const auto share = [&](double f, const std::string& s) { progress((done + f) / layers, s); };
            LayerParts read = read_layers(it->second, work, o, share);
            ++done;
            join_layers(it->second, read, part);
            groups.erase(it);           // a GBK shapefile's own handle goes with it
            head.layers = part.layers;  // counted as read
            complete_read(part);
        }
        each(std::move(part), name);
    }
    progress(1, "done");
    return head;
}

}  // namespace gw
