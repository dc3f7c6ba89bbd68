#include "geo/io/out_layers.h"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <filesystem>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/out_formats.h"
#include "geo/io/writer.h"

namespace fs = std::filesystem;

namespace gw {

namespace {

const OutFormat& format_for(const std::string& path) {
    if (const OutFormat* f = out_format_for_path(path)) return *f;
    std::string exts;
    for (const auto& f : out_formats()) exts += (exts.empty() ? "" : ", ") + f.extensions[0];
    throw Error("unknown output format '" + ascii_lower(fs::path(path).extension().string()) + "'", {path},
                "end the name in " + exts);
}

OGRGeometry* to_ogr(const OutFeature& f, bool points, const Transform& t) {
    if (points) {
        Vec2 p = t.apply(f.point);
        return new OGRPoint(p.x, p.y);
    }
    auto* mp = new OGRMultiPolygon();
    for (const auto& poly : f.polygons) {
        OGRPolygon op;
        for (const auto& ring : poly.rings) {
            std::vector<Vec2> pts = ring;
            t.apply(pts);
            OGRLinearRing r;
            for (auto p : pts) r.addPoint(p.x, p.y);
            if (!pts.empty()) r.addPoint(pts[0].x, pts[0].y);
            op.addRing(&r);
        }
        mp->addGeometry(&op);
    }
    return mp;
}

/** What write_one changed of a layer: its fields renamed, its text values cut. */
struct LayerChanges {
    std::vector<RenamedField> renamed;
    std::vector<CutField> cut;
};

/**
 * The first bytes of UTF-8 `s` that fit in `bytes`, cut on a character boundary, and for a list
 * (items joined by ';', a cluster's members) after its last whole item: "…;DPZ-I012" of
 * "…;DPZ-I0123" would name another incident.
 */
std::string utf8_prefix(const std::string& s, size_t bytes) {
    if (s.size() <= bytes) return s;
    size_t k = utf8_fit(s, bytes);  // s[k] starts the first character left out
    if (s[k] != ';')
        if (const size_t semi = s.rfind(';', k); semi != std::string::npos) k = semi;
    return s.substr(0, k);
}

// A DBF text field holds at most 254 bytes: a longer value is cut here and told, not by GDAL with
// a warning of its own beside the output's line.
constexpr size_t kDbfValueBytes = 254;

/** Writes `layers` into one file; returns what it changed of each. */
std::vector<LayerChanges> write_one(const std::string& file, const OutFormat& fmt,
                                    const std::vector<const OutLayer*>& layers,
                                    const OGRSpatialReference& srs, const Transform& t) {
    const bool shapefile = fmt.driver == "ESRI Shapefile";
    std::vector<LayerChanges> changes;
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(fmt.driver.c_str());
    if (!drv) throw Error("GDAL has no " + fmt.driver + " driver", {file});
    GDALDatasetUniquePtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw Error(std::string("cannot be created: ") + CPLGetLastErrorMsg(), {file}, "check the folder is writable");
    const bool tx = ds->StartTransaction() == OGRERR_NONE;
    for (const OutLayer* L : layers) {
        CPLStringList lco;
        if (fmt.driver == "ESRI Shapefile") lco.AddString("ENCODING=UTF-8");
        for (const auto& option : fmt.layer_options) lco.AddString(option.c_str());
        OGRLayer* ol = ds->CreateLayer(L->name.c_str(), const_cast<OGRSpatialReference*>(&srs), L->points ? wkbPoint : wkbMultiPolygon, lco.List());
        if (!ol) throw Error(std::string("layer cannot be created: ") + CPLGetLastErrorMsg(), {file, L->name});
        // Where each field lands: a driver may hold fields of its own before ours (KML's Name and
        // Description) or launder our names (a shapefile's ten characters), so neither our order
        // nor our names find them; the count before each is added does.
        // Named as export names them: a shapefile's are cut to 10 bytes by us, not laundered by GDAL
        // with a warning of its own beside the output's line.
        std::vector<std::string> names;
        for (const auto& f : L->fields) names.push_back(f.name);
        names = out_field_names(names, shapefile);
        changes.emplace_back();
        std::vector<size_t> cut(L->fields.size(), 0);
        std::vector<int> index;
        for (size_t i = 0; i < L->fields.size(); ++i) {
            const OutField& f = L->fields[i];
            OGRFieldDefn fd(names[i].c_str(), f.type == OutField::Integer ? OFTInteger64
                                              : f.type == OutField::Real  ? OFTReal
                                                                          : OFTString);
            const int before = ol->GetLayerDefn()->GetFieldCount();
            if (ol->CreateField(&fd) != OGRERR_NONE || ol->GetLayerDefn()->GetFieldCount() != before + 1)
                throw Error("field cannot be created", {file, L->name, "", f.name});
            index.push_back(before);
            if (names[i] != f.name) changes.back().renamed.push_back({f.name, names[i]});
        }
        for (const auto& f : L->features) {
            OGRFeature feat(ol->GetLayerDefn());
            for (size_t i = 0; i < f.values.size() && i < L->fields.size(); ++i) {
                const OutValue& v = f.values[i];
                if (auto* n = std::get_if<long long>(&v))
                    feat.SetField(index[i], static_cast<GIntBig>(*n));
                else if (auto* d = std::get_if<double>(&v))
                    feat.SetField(index[i], *d);
                else if (auto* s = std::get_if<std::string>(&v)) {
                    if (shapefile && s->size() > kDbfValueBytes) {
                        feat.SetField(index[i], utf8_prefix(*s, kDbfValueBytes).c_str());
                        ++cut[i];
                    } else {
                        feat.SetField(index[i], s->c_str());
                    }
                }
            }
            feat.SetGeometryDirectly(to_ogr(f, L->points, t));
            if (ol->CreateFeature(&feat) != OGRERR_NONE)
                throw Error(std::string("feature cannot be written: ") + CPLGetLastErrorMsg(), {file, L->name});
        }
        for (size_t i = 0; i < cut.size(); ++i)
            if (cut[i]) changes.back().cut.push_back({L->fields[i].name, cut[i]});
    }
    if (tx && ds->CommitTransaction() != OGRERR_NONE)
        throw Error(std::string("cannot be committed: ") + CPLGetLastErrorMsg(), {file});
    // GDAL finishes the file on close; a failure there (disk full) must not be committed.
    CPLErrorReset();
    ds.reset();
    if (CPLGetLastErrorType() >= CE_Failure) throw Error(std::string("cannot be written: ") + CPLGetLastErrorMsg(), {file}, "check free space");
    return changes;
}

/** The file each layer goes to: all to `path`, or for a one-file-per-layer format the first to
 *  `path` and each other beside it as STEM_LAYER.EXT. */
std::vector<fs::path> layer_files(const fs::path& base, const OutFormat& fmt,
                                  const std::vector<std::string>& names) {
    if (!fmt.per_layer) return {base};
    std::vector<fs::path> files;
    for (size_t i = 0; i < names.size(); ++i)
        files.push_back(i == 0 ? base
                               : base.parent_path() /
                                     (base.stem().string() + "_" + names[i] + base.extension().string()));
    return files;
}

/** The old files beside `file` that writing it replaces: a shapefile's set, else a stale .aux.xml. */
std::vector<std::string> replaced_beside(const fs::path& file, const OutFormat& fmt) {
    if (fmt.driver == "ESRI Shapefile") return shapefile_set(file.stem().string());
    return {file.filename().string() + ".aux.xml"};
}

}  // namespace

std::vector<fs::path> out_layer_files(const std::string& path, const std::vector<std::string>& layer_names) {
    const OutFormat* known = out_format_for_path(path);
    if (!known) return {path};  // write_out_layers refuses it
    const OutFormat& fmt = *known;
    std::vector<fs::path> files;
    for (const auto& file : layer_files(path, fmt, layer_names)) {
        files.push_back(file);
        for (const auto& name : replaced_beside(file, fmt))
            if (name != file.filename().string()) files.push_back(file.parent_path() / name);
    }
    return files;
}

std::vector<WrittenLayer> write_out_layers(const std::string& path, const std::vector<OutLayer>& layers,
                                           const std::string& work_wkt, const std::string& target_wkt,
                                           const std::vector<std::string>& not_written) {
    gdal_setup();
    const OutFormat& fmt = format_for(path);
    OGRSpatialReference work;
    work.importFromWkt(work_wkt.c_str());
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference target = work;
    if (fmt.wgs84) target = parse_crs("EPSG:4326");
    else if (!target_wkt.empty()) target.importFromWkt(target_wkt.c_str());
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    Transform t(work, target);

    // Every file written (one per layer beside the first, for one-file-per-layer formats) is one
    // set: they replace the old ones together (geo/io/atomic_output.h).
    // Their names are out_layer_files', by which commands refuse an output onto an input.
    const fs::path base(path);
    AtomicOutput out(base);
    auto add = [&](const fs::path& fin) {
        out.replaces(replaced_beside(fin, fmt));
        return out.temp_for(fin).string();
    };
    std::vector<std::string> names;
    for (const auto& l : layers) names.push_back(l.name);
    const std::vector<fs::path> files = layer_files(base, fmt, names);
    std::vector<LayerChanges> changes;
    if (fmt.per_layer) {
        for (size_t i = 0; i < layers.size(); ++i)
            changes.push_back(write_one(add(files[i]), fmt, {&layers[i]}, target, t).front());
        // A layer of the set not written this time: its file of an earlier run goes with the set.
        for (const auto& name : not_written) {
            if (names.empty()) break;
            const fs::path gone = layer_files(base, fmt, {names[0], name})[1];
            out.replaces({gone.filename().string()});
            out.replaces(replaced_beside(gone, fmt));
        }
    } else {
        std::vector<const OutLayer*> all;
        for (const auto& l : layers) all.push_back(&l);
        changes = write_one(add(files[0]), fmt, all, target, t);
    }
    out.commit();
    std::vector<WrittenLayer> written;
    for (size_t i = 0; i < layers.size(); ++i)
        written.push_back({layers[i].name, fmt.per_layer ? files[i] : files[0], std::move(changes[i].renamed),
                           std::move(changes[i].cut)});
    return written;
}

}  // namespace gw
