// [SECTION] A DEM in the working CRS
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
#include "geo/core/gdal_setup.h"

namespace fs = std::filesystem;

namespace gw {

namespace {

constexpr float kNoData = std::numeric_limits<float>::quiet_NaN();

}  // namespace

double camera_height(const Camera& cam) {
    return cam.height && std::isfinite(*cam.height) && *cam.height >= 0 ? *cam.height : kDefaultCameraHeight;
}

// ---------------------------------------------------------------------------------------------
// [SECTION] A DEM in the working CRS

Terrain::Terrain(std::shared_ptr<const Dem> dem) : dem_(std::move(dem)) {
    if (!dem_) throw Error("no DEM given for terrain occlusion");
    const Dem& d = *dem_;
    if (d.width < 0 || d.height < 0 || d.z.size() != static_cast<size_t>(d.width) * d.height || d.gt[2] != 0 ||
        d.gt[4] != 0 || !(d.gt[1] > 0) || !(d.gt[5] < 0))
        throw Error("DEM grid is not north-up or its size does not match", {d.info.file});
    w_ = d.width, h_ = d.height, gt_ = d.gt, z_ = d.z.data();
}

std::optional<Terrain> terrain_of(const Dataset& ds) {
    if (!ds.dem) return std::nullopt;
    return Terrain(ds.dem);
}

Terrain::Terrain(int width, int height, const double gt[6], std::vector<float> z, DemInfo info)
    : Terrain(std::make_shared<const Dem>(width, height, gt, std::move(z), std::move(info))) {}

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
    gdal_setup();
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
        throw Error(std::string("terrain window cannot be made: ") + CPLGetLastErrorMsg(), {dem_->info.file});
    // The observer a quarter cell into its cell: GDAL 3.6 truncates the pixel coordinate (older
    // releases rounded it); both land on the camera's own cell.
    const double ox = wgt[0] + (nx + 0.25) * cw, oy = wgt[3] + (ny + 0.25) * gt_[5];
    // dfCurvCoeff 0: GDAL lowers each cell by dfCurvCoeff · d² / earth diameter, so 0 means no
    // curvature or refraction correction (gdal_viewshed's own default is 0.85714); at a few hundred
    // metres it would be millimetres anyway. dfMaxDistance 0: the whole window (it is the disc's box).
    GDALDatasetUniquePtr vs(GDALDataset::FromHandle(GDALViewshedGenerate(
        GDALRasterBand::ToHandle(dem->GetRasterBand(1)), "MEM", "", nullptr, ox, oy, camera_height_m, 0.0, 255.0, 0.0,
        255.0, -1.0, 0.0, GVM_Edge, 0.0, nullptr, nullptr, GVOT_NORMAL, nullptr)));
    if (!vs) throw Error(std::string("terrain viewshed failed: ") + CPLGetLastErrorMsg(), {dem_->info.file});
    double vgt[6];
    vs->GetGeoTransform(vgt);
    const int VW = vs->GetRasterXSize(), VH = vs->GetRasterYSize();
    const int dx = static_cast<int>(std::lround((vgt[0] - wgt[0]) / cw)), dy = static_cast<int>(std::lround((vgt[3] - wgt[3]) / gt_[5]));
    std::vector<GByte> seen(static_cast<size_t>(VW) * VH);
    if (vs->GetRasterBand(1)->RasterIO(GF_Read, 0, 0, VW, VH, seen.data(), VW, VH, GDT_Byte, 0, 0, nullptr) != CE_None)
        throw Error(std::string("terrain viewshed cannot be read: ") + CPLGetLastErrorMsg(), {dem_->info.file});

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
        throw Error(std::string("terrain mask cannot be made: ") + CPLGetLastErrorMsg(), {dem_->info.file});
    GDALDriver* mem_vec = GetGDALDriverManager()->GetDriverByName("Memory");
    GDALDatasetUniquePtr vec(mem_vec->Create("", 0, 0, 0, GDT_Unknown, nullptr));
    OGRLayer* layer = vec ? vec->CreateLayer("hidden", nullptr, wkbPolygon, nullptr) : nullptr;
    if (!layer) throw Error("terrain polygons cannot be made", {dem_->info.file});
    OGRFieldDefn field("v", OFTInteger);
    layer->CreateField(&field);
    GDALRasterBandH mb = GDALRasterBand::ToHandle(mask->GetRasterBand(1));
    if (GDALPolygonize(mb, mb, OGRLayer::ToHandle(layer), 0, nullptr, nullptr, nullptr) != CE_None)
        throw Error(std::string("terrain polygonising failed: ") + CPLGetLastErrorMsg(), {dem_->info.file});

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
