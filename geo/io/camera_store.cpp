// Saving cameras back into their source (see camera_store.h).
#include "geo/io/camera_store.h"

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/gcj02.h"
#include "geo/core/gdal_setup.h"

namespace gw {
namespace {

namespace fs = std::filesystem;

/** The file and layer name the cameras were read from. */
std::pair<std::string, std::string> cameras_origin(const std::string& source, const Dataset& ds) {
    for (const auto& info : ds.layers)
        if (info.name == "cameras" && !info.source.empty()) return {info.source, info.source_name};
    return {source, "cameras"};
}

void set_field(OGRFeature& f, const char* name, const std::string& v) {
    if (int i = f.GetFieldIndex(name); i >= 0) f.SetField(i, v.c_str());
}
void set_field(OGRFeature& f, const char* name, double v) {
    if (int i = f.GetFieldIndex(name); i >= 0) f.SetField(i, v);
}

/** The transformation from the working CRS back to the layer's CRS. */
Transform back_transform(const OGRLayer& layer, const Dataset& ds) {
    const OGRSpatialReference* layer_srs = const_cast<OGRLayer&>(layer).GetSpatialRef();
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
void fill_feature(OGRFeature& f, const Camera& cam, const Transform& back, const std::string& point_coords) {
    set_field(f, "cam_id", cam.cam_id);
    set_field(f, "owner", cam.owner);
    set_field(f, "status", cam.status);
    set_field(f, "azimuth", cam.azimuth);
    set_field(f, "fov", cam.fov);
    set_field(f, "range", cam.range);
    if (cam.height) set_field(f, "height", *cam.height);
    if (cam.resolution_px) set_field(f, "resolution_px", double(*cam.resolution_px));
    std::vector<Vec2> p{cam.pos};
    back.apply(p, cam.cam_id);
    if (point_coords == "gcj02") p[0] = gcj02::from_wgs84(p[0]);
    if (point_coords == "bd09") p[0] = gcj02::bd09_from_gcj02(gcj02::from_wgs84(p[0]));
    OGRPoint pt(p[0].x, p[0].y);
    f.SetGeometry(&pt);
}

/** Updates, inserts and deletes features of `layer` so it holds exactly ds.cameras. */
std::vector<int64_t> write_cameras(OGRLayer& layer, const Dataset& ds, const std::string& file) {
    const Error::Where where{file, layer.GetName(), "", ""};
    const Transform back = back_transform(layer, ds);
    std::vector<int64_t> fids;
    std::set<int64_t> kept;
    for (const Camera& cam : ds.cameras) {
        OGRFeatureUniquePtr f(cam.fid >= 0 ? layer.GetFeature(cam.fid) : nullptr);
        const bool insert = !f;
        if (insert) f.reset(OGRFeature::CreateFeature(layer.GetLayerDefn()));
        fill_feature(*f, cam, back, ds.point_coords);
        const OGRErr err = insert ? layer.CreateFeature(f.get()) : layer.SetFeature(f.get());
        if (err != OGRERR_NONE)
            throw Error(std::string("cannot write the camera: ") + CPLGetLastErrorMsg(),
                        {file, layer.GetName(), cam.cam_id, ""}, "check the file is writable");
        fids.push_back(f->GetFID());
        kept.insert(f->GetFID());
    }
    // Cameras removed in the editor: delete their features.
    std::vector<int64_t> gone;
    layer.ResetReading();
    for (auto& f : layer)
        if (!kept.count(f->GetFID())) gone.push_back(f->GetFID());
    for (int64_t fid : gone)
        if (layer.DeleteFeature(fid) != OGRERR_NONE)
            throw Error(std::string("cannot delete a removed camera: ") + CPLGetLastErrorMsg(), where);
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
std::vector<int64_t> save_in_transaction(const std::string& file, const std::string& layer_name, const Dataset& ds) {
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
        fids = write_cameras(layer, ds, file);
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
void copy_camera_fields(OGRLayer& src, OGRLayer& dst, const Dataset& ds, const std::string& file,
                        const std::string& layer_name) {
    OGRFeatureDefn* defn = src.GetLayerDefn();
    for (int i = 0; i < defn->GetFieldCount(); ++i) {
        OGRFieldDefn field(defn->GetFieldDefn(i));
        // A fixed-width text field (.dbf) is widened to the longest new value in bytes: a
        // UTF-8 Chinese name cut short would be garbage.
        if (field.GetType() == OFTString && field.GetWidth() > 0)
            for (const Camera& cam : ds.cameras) {
                const std::string name = field.GetNameRef();
                const size_t len = name == "cam_id" ? cam.cam_id.size()
                                   : name == "owner" ? cam.owner.size()
                                   : name == "status" ? cam.status.size()
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
std::vector<int64_t> save_by_copy(GDALDatasetUniquePtr probe, const std::string& file, const std::string& layer_name,
                                  const Dataset& ds) {
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
        // Text as UTF-8 with a .cpg saying so: without it the driver writes Latin-1 and Chinese
        // names come back as "??????".
        if (shapefile) lco.SetNameValue("ENCODING", "UTF-8");
        OGRLayer* dst = o->CreateLayer(shapefile ? stem.c_str() : src.GetName(), src.GetSpatialRef(),
                                       src.GetGeomType(), lco.List());
        if (!dst) throw Error("cannot create the layer: " + std::string(CPLGetLastErrorMsg()), where);
        copy_camera_fields(src, *dst, ds, file, layer_name);
        const Transform back = back_transform(src, ds);
        for (size_t i = 0; i < ds.cameras.size(); ++i) {
            const Camera& cam = ds.cameras[i];
            OGRFeatureUniquePtr f(OGRFeature::CreateFeature(dst->GetLayerDefn()));
            if (cam.fid >= 0)
                if (OGRFeatureUniquePtr old{src.GetFeature(cam.fid)}) f->SetFrom(old.get(), TRUE);
            fill_feature(*f, cam, back, ds.point_coords);
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
    const std::string driver = probe->GetDriverName();
    if (driver == "GPKG" || driver == "SQLite" || driver == "PostgreSQL") {
        probe.reset();
        return save_in_transaction(file, layer_name, ds);
    }
    return save_by_copy(std::move(probe), file, layer_name, ds);
}

}  // namespace gw
