// [SECTION] Finding a DEM among the dataset's sources
// [SECTION] Loading: read as it is, or warp into the working CRS
// [SECTION] The viewshed of one camera
#include "geo/analysis/terrain.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_alg.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "geo/analysis/camera_view.h"
#include "geo/core/error.h"
#include "geo/core/geos.h"
#include "geo/io/crs.h"
#include "geo/io/gdal_setup.h"

namespace fs = std::filesystem;

namespace gw {

namespace {

constexpr float kNoData = std::numeric_limits<float>::quiet_NaN();

/** Heights from stored values: a band may store e.g. decimetres as Int16 with scale 0.1 (NaN stays NaN). */
void apply_scale_offset(GDALRasterBand& band, std::vector<float>& z) {
    int has_scale = 0, has_offset = 0;
    const double scale = band.GetScale(&has_scale), offset = band.GetOffset(&has_offset);
    if ((!has_scale || scale == 1) && (!has_offset || offset == 0)) return;
    for (float& v : z) v = static_cast<float>(v * (has_scale ? scale : 1) + (has_offset ? offset : 0));
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
}

bool stem_is_dem(const std::string& source) { return lower(fs::path(source).stem().string()) == "dem"; }

GDALDatasetUniquePtr open_quiet(const std::string& name, unsigned flags) {
    gdal_setup();
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    return GDALDatasetUniquePtr(GDALDataset::Open(name.c_str(), flags | GDAL_OF_READONLY));
}

/** Names of the raster tables (tiles, gridded coverages) of an open GeoPackage. */
std::vector<std::string> gpkg_raster_tables(GDALDataset& ds) {
    std::vector<std::string> out;
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    OGRLayer* rs = ds.ExecuteSQL(
        "SELECT table_name FROM gpkg_contents WHERE data_type IN ('tiles', '2d-gridded-coverage')", nullptr, nullptr);
    if (!rs) return out;
    for (auto& f : *rs) out.push_back(f->GetFieldAsString(0));
    ds.ReleaseResultSet(rs);
    return out;
}

bool is_gpkg(GDALDataset& ds) { return EQUAL(ds.GetDriverName(), "GPKG"); }

}  // namespace

double camera_height(const Camera& cam) {
    return cam.height && std::isfinite(*cam.height) && *cam.height >= 0 ? *cam.height : kDefaultCameraHeight;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Finding a DEM among the dataset's sources

std::string find_dem(const std::string& source) {
    if (source.rfind("PG:", 0) == 0 || !fs::exists(source)) return {};
    // Only a file named dem… or a GeoPackage can hold one: other sources are not opened here (a
    // large GeoJSON costs a scan of the whole file each time GDAL opens it).
    if (!stem_is_dem(source) && lower(fs::path(source).extension().string()) != ".gpkg") return {};
    auto ds = open_quiet(source, GDAL_OF_RASTER | GDAL_OF_VECTOR);
    if (!ds) return {};
    if (is_gpkg(*ds))
        for (const auto& t : gpkg_raster_tables(*ds))
            if (lower(t) == "dem") return "GPKG:" + source + ":" + t;
    if (stem_is_dem(source) && ds->GetRasterCount() > 0) return source;
    return {};
}

bool raster_is_dem(const std::string& source) {
    if (source.rfind("PG:", 0) == 0 || !fs::exists(source)) return false;
    auto ds = open_quiet(source, GDAL_OF_RASTER);
    if (!ds || ds->GetRasterCount() == 0) return false;
    if (stem_is_dem(source)) return true;
    if (!is_gpkg(*ds)) return false;
    const auto tables = gpkg_raster_tables(*ds);
    return tables.size() == 1 && lower(tables[0]) == "dem";
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Loading: read as it is, or warp into the working CRS

Terrain::Terrain(int width, int height, const double gt[6], std::vector<float> z, TerrainInfo info)
    : w_(width), h_(height), z_(std::move(z)), info_(std::move(info)) {
    std::copy(gt, gt + 6, gt_);
    if (w_ < 0 || h_ < 0 || z_.size() != static_cast<size_t>(w_) * h_ || gt_[2] != 0 || gt_[4] != 0 ||
        !(gt_[1] > 0) || !(gt_[5] < 0))
        throw Error("DEM grid is not north-up or its size does not match", {info_.file});
    info_.work_width = w_, info_.work_height = h_, info_.work_cell = gt_[1];
}

Box Terrain::extent() const {
    Box b;
    if (w_ == 0 || h_ == 0) return b;
    b.add(Vec2{gt_[0], gt_[3] + gt_[5] * h_});
    b.add(Vec2{gt_[0] + gt_[1] * w_, gt_[3]});
    return b;
}

double Terrain::ground(Vec2 p) const {
    const double fc = std::floor((p.x - gt_[0]) / gt_[1]), fr = std::floor((p.y - gt_[3]) / gt_[5]);
    if (!(fc >= 0 && fr >= 0 && fc < w_ && fr < h_)) return std::numeric_limits<double>::quiet_NaN();
    return z_[static_cast<size_t>(fr) * w_ + static_cast<size_t>(fc)];
}

std::shared_ptr<const Terrain> Terrain::load(const std::string& gdal_name, const std::string& file,
                                             const std::string& work_wkt, const Box& area) {
    const std::string fix = "give a DEM GeoTIFF (or a GeoPackage raster table 'dem') with a geotransform and CRS";
    auto src = open_quiet(gdal_name, GDAL_OF_RASTER);
    if (!src || src->GetRasterCount() == 0)
        throw Error("the DEM cannot be opened as a raster", {file}, fix);
    double gt[6];
    if (src->GetGeoTransform(gt) != CE_None)
        throw Error("the DEM has no georeferencing (no geotransform)", {file},
                    "georeference it with gdal_translate -a_ullr … -a_srs EPSG:4542, or leave it out");
    const OGRSpatialReference* srs = src->GetSpatialRef();
    if (!srs || srs->IsEmpty())
        throw Error("the DEM has no CRS", {file},
                    "assign one with gdal_edit.py -a_srs EPSG:4542 " + fs::path(file).filename().string() +
                        ", or leave it out");
    TerrainInfo info;
    info.file = file, info.gdal_name = gdal_name;
    info.width = src->GetRasterXSize(), info.height = src->GetRasterYSize();
    info.res_x = std::hypot(gt[1], gt[4]), info.res_y = std::hypot(gt[2], gt[5]);
    info.crs = crs_label(*srs);
    {
        const char* u = nullptr;
        if (srs->IsProjected() || srs->IsLocal()) srs->GetLinearUnits(&u);
        else srs->GetAngularUnits(&u);
        info.units = u ? u : "";
    }
    OGRSpatialReference work;
    work.importFromWkt(work_wkt.c_str());
    work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    const bool on_grid = srs->IsSame(&work) && gt[2] == 0 && gt[4] == 0 && gt[1] > 0 && gt[5] < 0;

    if (on_grid) {
        // Already in the working CRS, north-up: read the cells as they are (no resampling).
        int c0 = 0, r0 = 0, c1 = info.width, r1 = info.height;
        if (!area.empty()) {
            // Clamped as doubles first: an area far off the DEM must not overflow the int casts.
            auto cell = [](double v, int lo, int hi) { return static_cast<int>(std::clamp(v, double(lo), double(hi))); };
            c0 = cell(std::floor((area.xmin - gt[0]) / gt[1]) - 1, 0, info.width);
            c1 = cell(std::ceil((area.xmax - gt[0]) / gt[1]) + 1, 0, info.width);
            r0 = cell(std::floor((area.ymax - gt[3]) / gt[5]) - 1, 0, info.height);
            r1 = cell(std::ceil((area.ymin - gt[3]) / gt[5]) + 1, 0, info.height);
        }
        const int w = std::max(0, c1 - c0), h = std::max(0, r1 - r0);
        std::vector<float> z(static_cast<size_t>(w) * h);
        GDALRasterBand* band = src->GetRasterBand(1);
        if (w > 0 && h > 0) {
            if (band->RasterIO(GF_Read, c0, r0, w, h, z.data(), w, h, GDT_Float32, 0, 0, nullptr) != CE_None)
                throw Error(std::string("the DEM cannot be read: ") + CPLGetLastErrorMsg(), {file});
            apply_scale_offset(*band, z);
            if (!(band->GetMaskFlags() & GMF_ALL_VALID)) {
                std::vector<GByte> mask(z.size());
                if (band->GetMaskBand()->RasterIO(GF_Read, c0, r0, w, h, mask.data(), w, h, GDT_Byte, 0, 0,
                                                  nullptr) == CE_None)
                    for (size_t i = 0; i < z.size(); ++i)
                        if (mask[i] == 0) z[i] = kNoData;
            }
        }
        const double wgt[6] = {gt[0] + c0 * gt[1], gt[1], 0, gt[3] + r0 * gt[5], 0, gt[5]};
        return std::make_shared<const Terrain>(w, h, wgt, std::move(z), std::move(info));
    }

    // Any other CRS or grid: GDALWarp into the working CRS, bilinear, at the resolution GDAL
    // suggests (close to the native one), nodata and the outside as NaN.
    CPLStringList argv;
    for (const char* a : {"-of", "MEM", "-r", "bilinear", "-ot", "Float32", "-dstnodata", "nan", "-t_srs"})
        argv.AddString(a);
    argv.AddString(work_wkt.c_str());
    if (!area.empty()) {
        argv.AddString("-te");
        for (double v : {area.xmin, area.ymin, area.xmax, area.ymax}) argv.AddString(CPLSPrintf("%.3f", v));
    }
    GDALWarpAppOptions* wo = GDALWarpAppOptionsNew(argv.List(), nullptr);
    if (!wo) throw Error("cannot set up warping of the DEM", {file});
    GDALDatasetH in = GDALDataset::ToHandle(src.get());
    int usage_error = 0;
    GDALDatasetH out;
    {
        CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
        CPLErrorReset();
        out = GDALWarp("", nullptr, 1, &in, wo, &usage_error);
    }
    GDALWarpAppOptionsFree(wo);
    if (!out)
        throw Error(std::string("the DEM cannot be warped to the working CRS: ") + CPLGetLastErrorMsg(), {file},
                    "check its CRS");
    GDALDatasetUniquePtr warped(GDALDataset::FromHandle(out));
    double wgt[6];
    warped->GetGeoTransform(wgt);
    const int w = warped->GetRasterXSize(), h = warped->GetRasterYSize();
    std::vector<float> z(static_cast<size_t>(w) * h);
    if (warped->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, w, h, z.data(), w, h, GDT_Float32, 0, 0, nullptr) != CE_None)
        throw Error(std::string("the warped DEM cannot be read: ") + CPLGetLastErrorMsg(), {file});
    apply_scale_offset(*src->GetRasterBand(1), z);  // gdalwarp carries raw values, not the source's scale
    info.warped = true;
    return std::make_shared<const Terrain>(w, h, wgt, std::move(z), std::move(info));
}

// ---------------------------------------------------------------------------------------------
// [SECTION] The viewshed of one camera
//
// GDAL 3.6's viewshed treats every DEM value as the height at its cell's centre and the observer
// as standing at the centre of the cell holding (observer x, y); it has no nodata handling of its
// own. So the window copied for one call puts unknown ground (outside the DEM, nodata) at a pit far
// below everything else (a pit never hides what lies behind it: the sight line carries over it)
// and those cells are never reported hidden.

namespace {

/** Removes vertices where the ring runs straight on (polygonised rings have one per cell edge). */
Ring drop_collinear(Ring r, double eps) {
    if (r.size() < 4) return r;
    bool changed = true;
    while (changed && r.size() > 3) {
        changed = false;
        Ring out;
        out.reserve(r.size());
        const size_t n = r.size();
        for (size_t i = 0; i < n; ++i) {
            const Vec2 a = out.empty() ? r[(i + n - 1) % n] : out.back(), b = r[i], c = r[(i + 1) % n];
            if (std::abs(cross(b - a, c - b)) <= eps) {
                changed = true;
                continue;
            }
            out.push_back(b);
        }
        if (out.size() < 3) return r;
        r = std::move(out);
    }
    return r;
}

Ring ring_of(const OGRLinearRing* lr, double eps) {
    Ring r;
    const int n = lr->getNumPoints();
    r.reserve(n);
    for (int i = 0; i < n; ++i) r.push_back({lr->getX(i), lr->getY(i)});
    if (r.size() > 1 && r.front() == r.back()) r.pop_back();
    return drop_collinear(std::move(r), eps);
}

GDALDatasetUniquePtr mem_raster(int w, int h, GDALDataType type, const double gt[6]) {
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDatasetUniquePtr ds(mem->Create("", w, h, 1, type, nullptr));
    if (ds) ds->SetGeoTransform(const_cast<double*>(gt));
    return ds;
}

}  // namespace

MultiPolygon Terrain::hidden(Vec2 apex, double camera_height_m, double radius_m) const {
    if (w_ == 0 || h_ == 0 || !(radius_m > 0)) return {};
    const double cw = gt_[1], ch = -gt_[5];
    const double fc = std::floor((apex.x - gt_[0]) / cw), fr = std::floor((apex.y - gt_[3]) / gt_[5]);
    if (!(fc >= 0 && fr >= 0 && fc < w_ && fr < h_)) return {};
    const int col = static_cast<int>(fc), row = static_cast<int>(fr);
    if (std::isnan(z_[static_cast<size_t>(row) * w_ + col])) return {};

    // The window: every cell that can meet the disc, the camera's cell in the middle; at most
    // kMaxReachCells cells each way (a 10 km range on a 1 m DEM would be 1.6 GB a window).
    radius_m = std::min(radius_m, kMaxReachCells * std::min(cw, ch));
    const int nx = static_cast<int>(std::ceil(radius_m / cw)) + 1, ny = static_cast<int>(std::ceil(radius_m / ch)) + 1;
    const int W = 2 * nx + 1, H = 2 * ny + 1, c0 = col - nx, r0 = row - ny;
    std::vector<float> win(static_cast<size_t>(W) * H, kNoData);
    float lowest = std::numeric_limits<float>::infinity();
    for (int j = 0; j < H; ++j) {
        const int r = r0 + j;
        if (r < 0 || r >= h_) continue;
        for (int i = std::max(0, -c0); i < W && c0 + i < w_; ++i) {
            const float v = z_[static_cast<size_t>(r) * w_ + (c0 + i)];
            win[static_cast<size_t>(j) * W + i] = v;
            if (!std::isnan(v)) lowest = std::min(lowest, v);
        }
    }
    std::vector<bool> known(win.size());
    for (size_t k = 0; k < win.size(); ++k) {
        known[k] = !std::isnan(win[k]);
        if (!known[k]) win[k] = lowest - 1000.0f;
    }

    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    const double wgt[6] = {gt_[0] + c0 * cw, cw, 0, gt_[3] + r0 * gt_[5], 0, gt_[5]};
    GDALDatasetUniquePtr dem = mem_raster(W, H, GDT_Float32, wgt);
    if (!dem || dem->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, W, H, win.data(), W, H, GDT_Float32, 0, 0, nullptr) !=
                    CE_None)
        throw Error(std::string("terrain window cannot be made: ") + CPLGetLastErrorMsg(), {info_.file});
    // The observer a quarter cell into its cell: GDAL 3.6 truncates the pixel coordinate (older
    // releases rounded it); both land on the camera's own cell.
    const double ox = wgt[0] + (nx + 0.25) * cw, oy = wgt[3] + (ny + 0.25) * gt_[5];
    // dfCurvCoeff 0: GDAL lowers each cell by dfCurvCoeff · d² / earth diameter, so 0 means no
    // curvature or refraction correction (gdal_viewshed's own default is 0.85714); at a few hundred
    // metres it would be millimetres anyway. dfMaxDistance 0: the whole window (it is the disc's box).
    GDALDatasetUniquePtr vs(GDALDataset::FromHandle(GDALViewshedGenerate(
        GDALRasterBand::ToHandle(dem->GetRasterBand(1)), "MEM", "", nullptr, ox, oy, camera_height_m, 0.0, 255.0, 0.0,
        255.0, -1.0, 0.0, GVM_Edge, 0.0, nullptr, nullptr, GVOT_NORMAL, nullptr)));
    if (!vs) throw Error(std::string("terrain viewshed failed: ") + CPLGetLastErrorMsg(), {info_.file});
    double vgt[6];
    vs->GetGeoTransform(vgt);
    const int VW = vs->GetRasterXSize(), VH = vs->GetRasterYSize();
    const int dx = static_cast<int>(std::lround((vgt[0] - wgt[0]) / cw)), dy = static_cast<int>(std::lround((vgt[3] - wgt[3]) / gt_[5]));
    std::vector<GByte> seen(static_cast<size_t>(VW) * VH);
    if (vs->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, VW, VH, seen.data(), VW, VH, GDT_Byte, 0, 0, nullptr) != CE_None)
        throw Error(std::string("terrain viewshed cannot be read: ") + CPLGetLastErrorMsg(), {info_.file});

    // Hidden: known ground the viewshed marks invisible, in cells that reach into the disc.
    const double reach = radius_m + 0.5 * std::hypot(cw, ch);
    size_t n_hidden = 0;
    for (int j = 0; j < VH; ++j)
        for (int i = 0; i < VW; ++i) {
            GByte& s = seen[static_cast<size_t>(j) * VW + i];
            const int wi = i + dx, wj = j + dy;
            const bool in_win = wi >= 0 && wj >= 0 && wi < W && wj < H;
            const Vec2 c{vgt[0] + (i + 0.5) * cw, vgt[3] + (j + 0.5) * gt_[5]};
            const bool hid = s == 0 && in_win && known[static_cast<size_t>(wj) * W + wi] && distance(c, apex) <= reach;
            s = hid ? 1 : 0;
            n_hidden += hid;
        }
    if (n_hidden == 0) return {};

    GDALDatasetUniquePtr mask = mem_raster(VW, VH, GDT_Byte, vgt);
    if (!mask || mask->GetRasterBand(1)->RasterIO(GF_Write, 0, 0, VW, VH, seen.data(), VW, VH, GDT_Byte, 0, 0,
                                                  nullptr) != CE_None)
        throw Error(std::string("terrain mask cannot be made: ") + CPLGetLastErrorMsg(), {info_.file});
    GDALDriver* mem_vec = GetGDALDriverManager()->GetDriverByName("Memory");
    GDALDatasetUniquePtr vec(mem_vec->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = vec ? vec->CreateLayer("hidden", nullptr, wkbPolygon, nullptr) : nullptr;
    if (!layer) throw Error("terrain polygons cannot be made", {info_.file});
    OGRFieldDefn field("v", OFTInteger);
    layer->CreateField(&field);
    GDALRasterBandH mb = GDALRasterBand::ToHandle(mask->GetRasterBand(1));
    if (GDALPolygonize(mb, mb, OGRLayer::ToHandle(layer), 0, nullptr, nullptr, nullptr) != CE_None)
        throw Error(std::string("terrain polygonising failed: ") + CPLGetLastErrorMsg(), {info_.file});

    MultiPolygon out;
    const double eps = 1e-6 * cw * ch;
    layer->ResetReading();
    for (auto& f : *layer) {
        const OGRGeometry* g = f->GetGeometryRef();
        if (!g || wkbFlatten(g->getGeometryType()) != wkbPolygon) continue;
        const OGRPolygon* p = g->toPolygon();
        Polygon poly;
        poly.rings.push_back(ring_of(p->getExteriorRing(), eps));
        for (int k = 0; k < p->getNumInteriorRings(); ++k) poly.rings.push_back(ring_of(p->getInteriorRing(k), eps));
        out.push_back(std::move(poly));
    }
    return out;
}

MultiPolygon Terrain::visible(Vec2 apex, double camera_height_m, double radius_m) const {
    Polygon disc = sector_polygon(apex, 0, 360, radius_m);
    MultiPolygon hid = hidden(apex, camera_height_m, radius_m);
    if (hid.empty()) return {std::move(disc)};
    geos::Geom d = geos::to_geos(disc), h = geos::to_geos(hid);
    try {
        return geos::to_multipolygon(geos::difference(d.get(), h.get()).get());
    } catch (const Error&) {
        h = geos::to_geos(geos::make_valid(hid));
        return geos::to_multipolygon(geos::difference(d.get(), h.get()).get());
    }
}

}  // namespace gw
