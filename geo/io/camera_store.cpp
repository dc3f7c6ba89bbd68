// Saving cameras back into their source (see camera_store.h).
#include "geo/io/camera_store.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "geo/io/gcj02.h"
#include "geo/io/names.h"
#include "geo/io/project.h"

namespace gw {

// ---------------------------------------------------------------------------------------------
// [SECTION] CodeSpelling

CodeSpelling::CodeSpelling(OGRLayer& layer, int field, const std::string& contract_field,
                           const RoleMapping* mapping)
    : field_(contract_field) {
    RoleMapping values;  // the project file's values of this field alone
    if (mapping)
        if (const auto v = mapping->values.find(contract_field); v != mapping->values.end())
            mapped_ = v->second, values.values[field_] = v->second;
    if (field < 0) return;
    layer.ResetReading();
    for (auto& f : layer) {
        if (!f->IsFieldSetAndNotNull(field)) continue;
        const std::string text = f->GetFieldAsString(field);
        chinese_ |= chinese_value(field_, text).has_value();
        ++uses_[contract_code(field_, text, &values)][text];
    }
    layer.ResetReading();
}

std::string CodeSpelling::operator()(const std::string& code) const {
    if (const auto u = uses_.find(code); u != uses_.end())
        return std::max_element(u->second.begin(), u->second.end(),
                                [](const auto& a, const auto& b) { return a.second < b.second; })
            ->first;
    if (const auto zh = chinese_ ? chinese_word(field_, code) : std::nullopt) return *zh;
    std::string word = code;
    for (const auto& [raw, c] : mapped_)
        if (c == code) word = raw;  // the last of the project file's values for it, as ever
    return word;
}

std::map<std::string, std::string> camera_field_names(const Dataset& ds) {
    std::map<std::string, std::string> name;
    for (const char* f : {"cam_id", "owner", "status", "azimuth", "fov", "range", "height", "resolution_px"})
        name[f] = f;
    for (const auto& info : ds.layers)
        if (info.name == "cameras")
            for (const auto& [contract, source] : info.fields) name[contract] = source;
    return name;
}

RoleMapping camera_mapping(const std::string& source) {
    const NameMapping all = load_mapping(project_path_for(source));
    const auto m = all.find("cameras");
    return m == all.end() ? RoleMapping{} : m->second;
}

GDALDatasetUniquePtr open_cameras_source(const std::string& file, bool update, bool gbk) {
    const char* cp936[] = {"ENCODING=CP936", nullptr};
    const unsigned flags = GDAL_OF_VECTOR | (update ? GDAL_OF_UPDATE : GDAL_OF_READONLY);
    return GDALDatasetUniquePtr(
        GDALDataset::Open(file.c_str(), flags, nullptr, gbk ? cp936 : nullptr, nullptr));
}

namespace {

namespace fs = std::filesystem;

/**
 * The file and layer name the cameras were read from. Cameras read from several layers (an office's
 * file and a second one beside it) are refused: a save writes one layer, and would have written the
 * second file's cameras into the first, over rows whose FIDs they share.
 */
std::pair<std::string, std::string> cameras_origin(const std::string& source, const Dataset& ds) {
    std::vector<const LayerInfo*> from;
    for (const auto& info : ds.layers)
        if (info.name == "cameras" && !info.source.empty()) from.push_back(&info);
    if (from.size() > 1) {
        std::string list;
        for (const LayerInfo* l : from)
            list +=
                (list.empty() ? "" : ", ") + without_secrets(l->source) + " (layer '" + l->source_name + "')";
        throw Error("the cameras were read from " + std::to_string(from.size()) + " layers, " + list +
                        ": a save writes one layer; nothing was saved",
                    {source, "cameras"},
                    "open the file whose cameras you change on its own (gridwatch view FILE), or change "
                    "them with gridwatch edit FILE --camera ID");
    }
    if (!from.empty()) return {from[0]->source, from[0]->source_name};
    return {source, "cameras"};
}

/** What a cameras feature is written with: the layer's field names and its spelling of codes. */
struct CameraFields {
    std::map<std::string, std::string> name;  // contract field → the layer's
    CodeSpelling status, owner;

    CameraFields(OGRLayer& layer, const Dataset& ds, const RoleMapping* mapping)
        : name(camera_field_names(ds)),
          status(layer, layer.GetLayerDefn()->GetFieldIndex(name["status"].c_str()), "status", mapping),
          owner(layer, layer.GetLayerDefn()->GetFieldIndex(name["owner"].c_str()), "owner", mapping) {}

    void set(OGRFeature& f, const char* contract, const std::string& v) const {
        if (int i = f.GetFieldIndex(name.at(contract).c_str()); i >= 0) f.SetField(i, v.c_str());
    }
    void set(OGRFeature& f, const char* contract, double v) const {
        if (int i = f.GetFieldIndex(name.at(contract).c_str()); i >= 0) f.SetField(i, v);
    }
};

/**
 * The encoding a shapefile's cameras are written back in: GBK for a GBK one (gbk_shapefile), else
 * the one GDAL read them in (a .cpg's or the .dbf's code page) when it holds Chinese, else UTF-8. The driver
 * is handed UTF-8 either way and encodes it; a .cpg says which it wrote.
 */
std::string shapefile_encoding(OGRLayer& src, bool gbk) {
    if (gbk) return "CP936";
    // Kept only where it can hold Chinese: a .dbf marked Latin-1 (ogr2ogr's default) turns
    // 东口 into "??".
    const char* e = src.GetMetadataItem("SOURCE_ENCODING", "SHAPEFILE");
    const std::string code = e ? ascii_lower(e) : "";
    for (const char* chinese : {"utf-8", "utf8", "cp936", "936", "gbk", "gb18030"})
        if (code == chinese) return e;
    return "UTF-8";
}

/** The transformation from the working CRS back to the layer's CRS. */
Transform back_transform(const OGRLayer& layer, const Dataset& ds) {
    const OGRSpatialReference* layer_srs = layer_crs(const_cast<OGRLayer&>(layer));
    const OGRSpatialReference work = parse_crs(ds.work_crs_wkt.empty() ? ds.work_crs : ds.work_crs_wkt);
    // A layer without a CRS goes back to the CRS it was read as (--assume-crs, or WGS84 for
    // --from-gcj02/--from-bd09), not to the grids' CRS.
    std::string read_as;
    for (const auto& info : ds.layers)
        if (info.name == "cameras" && info.crs.rfind("EPSG:", 0) == 0) read_as = info.crs;
    const OGRSpatialReference target =
        layer_srs ? *layer_srs
                  : parse_crs(!read_as.empty() ? read_as : ds.source_crs_wkt.empty() ? ds.work_crs : ds.source_crs_wkt);
    return Transform(work, target);
}

/**
 * Sets the camera's fields (those the layer has) and its point in the layer's CRS, obfuscated
 * again when the layer was read as GCJ-02 or BD-09 (`point_coords`), so a save moves nothing.
 */
/**
 * What the layer's points were read through (Dataset::point_coords): nothing for a layer not in
 * longitude and latitude, which --from-gcj02 / --from-bd09 leave as it is.
 */
std::string read_through(OGRLayer& layer, const Dataset& ds) {
    const OGRSpatialReference* s = layer_crs(layer);
    return s && !s->IsGeographic() ? std::string() : ds.point_coords;
}

void fill_feature(OGRFeature& f, const Camera& cam, const Transform& back, const std::string& point_coords,
                  const CameraFields& fields) {
    fields.set(f, "cam_id", cam.cam_id);
    fields.set(f, "owner", fields.owner(cam.owner));
    fields.set(f, "status", fields.status(cam.status));
    fields.set(f, "azimuth", cam.azimuth);
    fields.set(f, "fov", cam.fov);
    fields.set(f, "range", cam.range);
    if (cam.height) fields.set(f, "height", *cam.height);
    if (cam.resolution_px) fields.set(f, "resolution_px", double(*cam.resolution_px));
    std::vector<Vec2> p{cam.pos};
    back.apply(p, cam.cam_id);
    if (point_coords == "gcj02") p[0] = gcj02::from_wgs84(p[0]);
    if (point_coords == "bd09") p[0] = gcj02::bd09_from_gcj02(gcj02::from_wgs84(p[0]));
    OGRPoint pt(p[0].x, p[0].y);
    f.SetGeometry(&pt);
}

/**
 * Updates, inserts and deletes features of `layer` so it holds ds.cameras. Given the cameras as
 * read (`as_read`, the viewer's save), only what changed since is written, each changed or deleted
 * camera checked against its version as read, and each written one's version raised by 1 where
 * the layer has an integer `version` field; cameras others added since stay. Fills `versions`
 * (parallel to the fids) when the layer keeps versions, else leaves it empty.
 */
std::vector<int64_t> write_cameras(OGRLayer& layer, const Dataset& ds, const std::string& file,
                                   const RoleMapping& mapping, const std::vector<Camera>* as_read,
                                   std::vector<int64_t>& versions) {
    const Error::Where where{file, layer.GetName(), "", ""};
    const Transform back = back_transform(layer, ds);
    const CameraFields fields(layer, ds, &mapping);
    OGRFeatureDefn* defn = layer.GetLayerDefn();
    const int iv = defn->GetFieldIndex("version");
    const bool versioned = as_read && iv >= 0 &&
                           (defn->GetFieldDefn(iv)->GetType() == OFTInteger ||
                            defn->GetFieldDefn(iv)->GetType() == OFTInteger64);
    const CamerasSinceRead since = as_read ? cameras_since_read(*as_read, ds.cameras) : CamerasSinceRead{};
    // The feature of a camera read at `read_version`, refused when someone else changed or deleted it since.
    const auto unchanged_since = [&](OGRFeature* f, const std::string& cam_id, int64_t read_version) {
        const Error::Where at{file, layer.GetName(), cam_id, ""};
        if (!f)
            throw Error("the camera was deleted by someone else since it was read; nothing was saved", at,
                        "reopen the dataset, then make your change again");
        const int64_t now = versioned && f->IsFieldSetAndNotNull(iv) ? f->GetFieldAsInteger64(iv) : 1;
        if (versioned && now != read_version)
            throw Error("the camera was changed by someone else since it was read (version " +
                            std::to_string(now) + " now, " + std::to_string(read_version) +
                            " when read); nothing was saved",
                        at, "reopen the dataset to see their change, then make yours again");
        return now;
    };
    std::vector<int64_t> fids;
    std::set<int64_t> kept;
    for (size_t i = 0; i < ds.cameras.size(); ++i) {
        const Camera& cam = ds.cameras[i];
        const Camera* read = as_read ? since.read[i] : nullptr;
        if (read && same_camera_values(*read, cam)) {
            fids.push_back(cam.fid), versions.push_back(read->version.value_or(1)), kept.insert(cam.fid);
            continue;  // as it was read: not written, its version stays
        }
        // Checked against the version it was read at (the camera's own may be an undo record's,
        // older than the last save). A fid the cameras as read do not hold (a camera added, taken
        // back and saved, then redone) is a new feature: a table may give its old fid to another.
        const bool known = as_read ? read != nullptr : cam.fid >= 0;
        OGRFeatureUniquePtr f(known ? layer.GetFeature(cam.fid) : nullptr);
        int64_t version = 1;
        if (read) version = unchanged_since(f.get(), cam.cam_id, read->version.value_or(1)) + 1;
        const bool insert = !f;
        if (insert) f.reset(OGRFeature::CreateFeature(defn));
        fill_feature(*f, cam, back, read_through(layer, ds), fields);
        if (versioned) f->SetField(iv, static_cast<GIntBig>(version));
        const OGRErr err = insert ? layer.CreateFeature(f.get()) : layer.SetFeature(f.get());
        if (err != OGRERR_NONE)
            throw Error(std::string("cannot write the camera: ") + CPLGetLastErrorMsg(),
                        {file, layer.GetName(), cam.cam_id, ""}, "check the file is writable");
        fids.push_back(f->GetFID()), versions.push_back(versioned ? version : cam.version.value_or(1));
        kept.insert(f->GetFID());
    }
    // Cameras removed in the editor: delete their features (given what was read, only those it held,
    // each as it was read).
    std::vector<int64_t> gone;
    if (as_read) {
        for (const Camera* c : since.gone) {
            OGRFeatureUniquePtr f(layer.GetFeature(c->fid));
            if (!f) continue;  // deleted here and there alike
            unchanged_since(f.get(), c->cam_id, c->version.value_or(1));
            gone.push_back(c->fid);
        }
    } else {
        layer.ResetReading();
        for (auto& f : layer)
            if (!kept.count(f->GetFID())) gone.push_back(f->GetFID());
    }
    for (int64_t fid : gone)
        if (layer.DeleteFeature(fid) != OGRERR_NONE)
            throw Error(std::string("cannot delete a removed camera: ") + CPLGetLastErrorMsg(), where);
    if (!versioned) versions.clear();
    return fids;
}

OGRLayer& find_layer(GDALDataset& gds, const std::string& name, const std::string& file) {
    OGRLayer* layer = gds.GetLayerByName(name.c_str());
    if (!layer && gds.GetLayerCount() == 1) layer = gds.GetLayer(0);
    if (!layer) throw Error("has no cameras layer to save into", {file, name, "", ""});
    return *layer;
}

}  // namespace

namespace {

/** GeoPackage, SQLite, PostGIS: in place, in one transaction. */
std::vector<int64_t> save_in_transaction(const std::string& file, const std::string& layer_name,
                                         const Dataset& ds, const RoleMapping& mapping,
                                         const std::vector<Camera>* as_read, std::vector<int64_t>& versions) {
    const Error::Where where{file, layer_name, "", ""};
    // SQLite's journal keeps the old data whole until commit.
    GDALDatasetUniquePtr gds(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    if (!gds)
        throw Error("cannot be opened for writing: " + std::string(CPLGetLastErrorMsg()), where,
                    "check the file is not read-only");
    OGRLayer& layer = find_layer(*gds, layer_name, file);
    if (gds->StartTransaction(FALSE) != OGRERR_NONE)
        throw Error("cannot start a transaction: " + std::string(CPLGetLastErrorMsg()), where);
    std::vector<int64_t> fids;
    try {
        fids = write_cameras(layer, ds, file, mapping, as_read, versions);
    } catch (...) {
        gds->RollbackTransaction();
        throw;
    }
    if (gds->CommitTransaction() != OGRERR_NONE)
        throw Error("cannot commit the cameras: " + std::string(CPLGetLastErrorMsg()), where,
                    "check the disk is not full and the file is writable");
    return fids;
}

/** The old layer's fields on the new one; fixed-width text widened to fit the new values. */
void copy_camera_fields(OGRLayer& src, OGRLayer& dst, const Dataset& ds, const CameraFields& fields,
                        const std::string& file, const std::string& layer_name) {
    OGRFeatureDefn* defn = src.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        OGRFieldDefn field(defn->GetFieldDefn(i));
        // A fixed-width text field (.dbf) is widened to the longest new value in bytes: a
        // UTF-8 Chinese name cut short would be garbage.
        if (field.GetType() == OFTString && field.GetWidth() > 0)
            for (const Camera& cam : ds.cameras) {
                const std::string name = field.GetNameRef();
                const size_t len = name == fields.name.at("cam_id")   ? cam.cam_id.size()
                                   : name == fields.name.at("owner")  ? fields.owner(cam.owner).size()
                                   : name == fields.name.at("status") ? fields.status(cam.status).size()
                                                                      : 0;
                if (int(len) > field.GetWidth()) field.SetWidth(std::min<int>(int(len), 254));
            }
        if (dst.CreateField(&field) != OGRERR_NONE)
            throw Error("cannot create the field: " + std::string(CPLGetLastErrorMsg()),
                        {file, layer_name, "", field.GetNameRef()});
    }
}

/**
 * Formats without transactions: written anew beside the old (the cameras layer from ds, its
 * other fields from the old features, any other layer of the file copied) and switched in
 * whole (geo/io/atomic_output.h). A shapefile folder: only the cameras' file set is new, the
 * folder is swapped with one that holds it and the folder's other files; a lone .shp: its
 * file set is committed together.
 */
std::vector<int64_t> save_by_copy(GDALDatasetUniquePtr probe, bool gbk, const std::string& file,
                                  const std::string& layer_name, const Dataset& ds,
                                  const RoleMapping& mapping) {
    const Error::Where where{file, layer_name, "", ""};
    const fs::path path(file);
    std::error_code ec;
    const bool folder = fs::is_directory(path, ec);
    const bool shapefile = std::string(probe->GetDriverName()) == "ESRI Shapefile";
    GDALDriver* drv = probe->GetDriver();
    OGRLayer& src = find_layer(*probe, layer_name, file);
    AtomicOutput out(path, folder ? AtomicOutput::Kind::Folder : AtomicOutput::Kind::File);
    const std::string stem = folder ? std::string(src.GetName()) : path.stem().string();
    if (folder) {
        const std::vector<std::string> set = shapefile_set(stem);
        out.keep_old_if([set](const std::string& n) { return std::find(set.begin(), set.end(), n) == set.end(); });
    } else if (shapefile) {
        out.replaces(shapefile_set(stem));
    }
    const fs::path dest = folder ? out.temp() / (stem + ".shp") : out.temp();
    std::vector<int64_t> fids;
    {
        GDALDatasetUniquePtr o(drv->Create(dest.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
        if (!o)
            throw Error("cannot write a temporary copy: " + std::string(CPLGetLastErrorMsg()), {dest.string()},
                        "check the folder is writable");
        if (!folder)
            for (auto* other : probe->GetLayers())
                if (other != &src && !o->CopyLayer(other, other->GetName()))
                    throw Error("cannot copy layer: " + std::string(CPLGetLastErrorMsg()), {file, other->GetName()});
        CPLStringList lco;
        // A .dbf keeps its encoding (an office's GBK, with a .cpg now saying so), else UTF-8: without
        // one the driver writes Latin-1 and Chinese names come back as "??????".
        if (shapefile) lco.SetNameValue("ENCODING", shapefile_encoding(src, gbk).c_str());
        OGRLayer* dst = o->CreateLayer(shapefile ? stem.c_str() : src.GetName(), src.GetSpatialRef(),
                                       src.GetGeomType(), lco.List());
        if (!dst) throw Error("cannot create the layer: " + std::string(CPLGetLastErrorMsg()), where);
        const CameraFields fields(src, ds, &mapping);
        copy_camera_fields(src, *dst, ds, fields, file, layer_name);
        const Transform back = back_transform(src, ds);
        for (size_t i = 0; i < ds.cameras.size(); ++i) {
            const Camera& cam = ds.cameras[i];
            OGRFeatureUniquePtr f(OGRFeature::CreateFeature(dst->GetLayerDefn()));
            if (cam.fid >= 0)
                if (OGRFeatureUniquePtr old{src.GetFeature(cam.fid)}) f->SetFrom(old.get(), TRUE);
            fill_feature(*f, cam, back, read_through(src, ds), fields);
            f->SetFID(OGRNullFID);
            if (dst->CreateFeature(f.get()) != OGRERR_NONE)
                throw Error(std::string("cannot write the camera: ") + CPLGetLastErrorMsg(),
                            {file, layer_name, cam.cam_id, ""});
            fids.push_back(int64_t(i));  // files without stored fids number features in order
        }
        CPLErrorReset();
        o.reset();  // the driver finishes the files on close
        if (CPLGetLastErrorType() >= CE_Failure)
            throw Error(std::string("cannot write the cameras: ") + CPLGetLastErrorMsg(), where, "check free space");
    }
    probe.reset();
    out.commit();
    return fids;
}

}  // namespace

std::vector<int64_t> save_cameras(const std::string& source, const Dataset& ds) {
    gdal_setup();
    CPLErrorReset();
    const auto [file, layer_name] = cameras_origin(source, ds);
    GDALDatasetUniquePtr probe(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
    if (!probe) throw Error("cannot be opened to save the cameras", {file, layer_name, "", ""});
    const RoleMapping mapping = camera_mapping(source);
    const std::string driver = probe->GetDriverName();
    if (driver == "GPKG" || driver == "SQLite" || driver == "PostgreSQL") {
        probe.reset();
        std::vector<int64_t> versions;
        return save_in_transaction(file, layer_name, ds, mapping, nullptr, versions);
    }
    // A GBK shapefile read and written as UTF-8 text, as the reader reads it.
    const bool gbk = driver == "ESRI Shapefile" && gbk_shapefile(file, &find_layer(*probe, layer_name, file));
    if (gbk) {
        probe = open_cameras_source(file, false, true);
        if (!probe) throw Error("cannot be opened to save the cameras", {file, layer_name, "", ""});
    }
    return save_by_copy(std::move(probe), gbk, file, layer_name, ds, mapping);
}

std::vector<int64_t> save_changed_cameras(const std::string& source, Dataset& ds,
                                          std::vector<Camera>& as_read) {
    gdal_setup();
    CPLErrorReset();
    const auto [file, layer_name] = cameras_origin(source, ds);
    std::string driver;
    {
        GDALDatasetUniquePtr probe(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        if (!probe) throw Error("cannot be opened to save the cameras", {file, layer_name, "", ""});
        driver = probe->GetDriverName();
    }
    std::vector<int64_t> fids, versions;
    if (driver == "GPKG" || driver == "SQLite") {
        fids = save_in_transaction(file, layer_name, ds, camera_mapping(source), &as_read, versions);
        for (size_t i = 0; i < versions.size() && i < ds.cameras.size(); ++i)
            ds.cameras[i].version = versions[i];
    } else {
        fids = save_cameras(source, ds);  // written whole (save_by_copy): what ds holds
    }
    for (size_t i = 0; i < fids.size() && i < ds.cameras.size(); ++i) ds.cameras[i].fid = fids[i];
    as_read = ds.cameras;
    return fids;
}

}  // namespace gw
