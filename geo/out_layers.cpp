#include "geo/out_layers.h"

#include <cpl_conv.h>
#include <gdal_priv.h>
#include <ogrsf_frmts.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "geo/crs.h"
#include "geo/error.h"

namespace fs = std::filesystem;

namespace gw {

namespace {

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

struct Format {
    const char* driver;
    bool one_file_per_layer;
    bool wgs84;
};

Format format_for(const std::string& path) {
    const std::string ext = lower(fs::path(path).extension().string());
    if (ext == ".gpkg") return {"GPKG", false, false};
    if (ext == ".geojson" || ext == ".json") return {"GeoJSON", true, true};
    if (ext == ".shp") return {"ESRI Shapefile", true, false};
    if (ext == ".fgb") return {"FlatGeobuf", true, false};
    if (ext == ".kml") return {"KML", false, true};
    if (ext == ".csv") return {"CSV", true, false};
    throw Error("unknown output format '" + ext + "'", {path}, "end the name in .gpkg, .geojson, .shp, .fgb, .kml or .csv");
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

void write_one(const std::string& file, const Format& fmt, const std::vector<const OutLayer*>& layers,
               const OGRSpatialReference& srs, const Transform& t) {
    GDALDriver* drv = GetGDALDriverManager()->GetDriverByName(fmt.driver);
    if (!drv) throw Error(std::string("GDAL has no ") + fmt.driver + " driver", {file});
    GDALDatasetUniquePtr ds(drv->Create(file.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
    if (!ds) throw Error(std::string("cannot be created: ") + CPLGetLastErrorMsg(), {file}, "check the folder is writable");
    const bool tx = ds->StartTransaction() == OGRERR_NONE;
    for (const OutLayer* L : layers) {
        CPLStringList lco;
        if (std::string(fmt.driver) == "ESRI Shapefile") lco.AddString("ENCODING=UTF-8");
        if (std::string(fmt.driver) == "CSV") lco.AddString("GEOMETRY=AS_WKT");
        if (std::string(fmt.driver) == "GeoJSON") lco.AddString("RFC7946=YES");
        OGRLayer* ol = ds->CreateLayer(L->name.c_str(), const_cast<OGRSpatialReference*>(&srs), L->points ? wkbPoint : wkbMultiPolygon, lco.List());
        if (!ol) throw Error(std::string("layer cannot be created: ") + CPLGetLastErrorMsg(), {file, L->name});
        for (const auto& f : L->fields) {
            OGRFieldDefn fd(f.name.c_str(), f.type == OutField::Integer ? OFTInteger64
                                            : f.type == OutField::Real  ? OFTReal
                                                                        : OFTString);
            if (ol->CreateField(&fd) != OGRERR_NONE)
                throw Error("field cannot be created", {file, L->name, "", f.name});
        }
        for (const auto& f : L->features) {
            OGRFeature feat(ol->GetLayerDefn());
            for (size_t i = 0; i < f.values.size() && i < L->fields.size(); ++i) {
                const OutValue& v = f.values[i];
                if (auto* n = std::get_if<long long>(&v)) feat.SetField(static_cast<int>(i), static_cast<GIntBig>(*n));
                else if (auto* d = std::get_if<double>(&v)) feat.SetField(static_cast<int>(i), *d);
                else if (auto* s = std::get_if<std::string>(&v)) feat.SetField(static_cast<int>(i), s->c_str());
            }
            feat.SetGeometryDirectly(to_ogr(f, L->points, t));
            if (ol->CreateFeature(&feat) != OGRERR_NONE)
                throw Error(std::string("feature cannot be written: ") + CPLGetLastErrorMsg(), {file, L->name});
        }
    }
    if (tx && ds->CommitTransaction() != OGRERR_NONE)
        throw Error(std::string("cannot be committed: ") + CPLGetLastErrorMsg(), {file});
}

}  // namespace

void write_out_layers(const std::string& path, const std::vector<OutLayer>& layers, const std::string& work_wkt,
                      const std::string& target_wkt) {
    GDALAllRegister();
    const Format fmt = format_for(path);
    OGRSpatialReference work;
    work.importFromWkt(work_wkt.c_str());
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRSpatialReference target = work;
    if (fmt.wgs84) target = parse_crs("EPSG:4326");
    else if (!target_wkt.empty()) target.importFromWkt(target_wkt.c_str());
    target.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    Transform t(work, target);

    // Each file goes to a temporary name in the same folder, renamed when all are written.
    const fs::path base(path);
    std::vector<std::pair<fs::path, fs::path>> moves;  // tmp -> final
    auto tmp_for = [&](const fs::path& final_path) {
        fs::path tmp = final_path.parent_path() / (".tmp-" + std::to_string(getpid()) + "-" + final_path.filename().string());
        return tmp;
    };
    auto cleanup = [&] {
        std::error_code ec;
        for (auto& [tmp, fin] : moves) {
            fs::path stem = tmp;
            for (const char* ext : {"", ".shp", ".shx", ".dbf", ".prj", ".cpg"}) {
                fs::path p = stem;
                if (*ext) p.replace_extension(ext);
                fs::remove(p, ec);
            }
        }
    };
    try {
        if (fmt.one_file_per_layer) {
            for (size_t i = 0; i < layers.size(); ++i) {
                fs::path fin = i == 0 ? base
                                      : base.parent_path() / (base.stem().string() + "_" + layers[i].name +
                                                              base.extension().string());
                moves.push_back({tmp_for(fin), fin});
                write_one(moves.back().first.string(), fmt, {&layers[i]}, target, t);
            }
        } else {
            std::vector<const OutLayer*> all;
            for (const auto& l : layers) all.push_back(&l);
            moves.push_back({tmp_for(base), base});
            write_one(moves.back().first.string(), fmt, all, target, t);
        }
    } catch (...) {
        cleanup();
        throw;
    }
    for (auto& [tmp, fin] : moves) {
        std::error_code ec;
        if (std::string(fmt.driver) == "ESRI Shapefile") {
            for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"}) {
                fs::path a = tmp, b = fin;
                a.replace_extension(ext), b.replace_extension(ext);
                if (fs::exists(a)) fs::rename(a, b, ec);
            }
        } else {
            fs::rename(tmp, fin, ec);
        }
        if (ec) {
            cleanup();
            throw Error("cannot be moved into place: " + ec.message(), {fin.string()});
        }
    }
}

}  // namespace gw
