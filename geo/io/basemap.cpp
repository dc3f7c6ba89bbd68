#include "geo/io/basemap.h"

#include <gdal_priv.h>
#include <gdalwarper.h>

#include <algorithm>
#include <cmath>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"

namespace gw {

namespace {

GDALDatasetUniquePtr open_raster(const std::string& path) {
    gdal_setup();
    CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
    return GDALDatasetUniquePtr(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER | GDAL_OF_READONLY));
}

}  // namespace

bool has_raster(const std::string& path) {
    auto ds = open_raster(path);
    double gt[6];
    return ds && ds->GetRasterCount() > 0 && ds->GetGeoTransform(gt) == CE_None;
}

RasterImage load_basemap(const std::string& path, const std::string& work_wkt, int max_px) {
    auto src = open_raster(path);
    if (!src || src->GetRasterCount() == 0)
        throw Error("is not a raster GDAL can open", {path}, "give a GeoTIFF, MBTiles or GeoPackage with tiles");
    double gt[6];
    if (src->GetGeoTransform(gt) != CE_None || !src->GetSpatialRef())
        throw Error("has no georeferencing (geotransform and CRS)", {path}, "georeference the raster first");
    // Warp into the working CRS through a virtual dataset: only what is read is computed.
    GDALDatasetH warped = GDALAutoCreateWarpedVRT(GDALDataset::ToHandle(src.get()), nullptr, work_wkt.c_str(),
                                                  GRA_Bilinear, 0.125, nullptr);
    if (!warped) throw Error(std::string("cannot be warped to the working CRS: ") + CPLGetLastErrorMsg(), {path});
    GDALDatasetUniquePtr vrt(GDALDataset::FromHandle(warped));
    const int W = vrt->GetRasterXSize(), H = vrt->GetRasterYSize();
    vrt->GetGeoTransform(gt);
    const double scale = std::min(1.0, static_cast<double>(max_px) / std::max(W, H));
    RasterImage img;
    img.source = path;
    img.width = std::max(1, static_cast<int>(std::lround(W * scale)));
    img.height = std::max(1, static_cast<int>(std::lround(H * scale)));
    img.extent.add(Vec2{gt[0], gt[3] + gt[5] * H});
    img.extent.add(Vec2{gt[0] + gt[1] * W, gt[3]});
    const int bands = vrt->GetRasterCount();
    const size_t n = static_cast<size_t>(img.width) * img.height;
    img.rgba.assign(n * 4, 255);
    std::vector<uint8_t> buf(n);
    GDALRasterIOExtraArg extra;
    INIT_RASTERIO_EXTRA_ARG(extra);
    extra.eResampleAlg = GRIORA_Average;
    auto read = [&](int band, int channel) {
        GDALRasterBand* b = vrt->GetRasterBand(band);
        if (b->RasterIO(GF_Read, 0, 0, W, H, buf.data(), img.width, img.height, GDT_Byte, 0, 0, &extra) != CE_None)
            throw Error(std::string("read failed: ") + CPLGetLastErrorMsg(), {path});
        for (size_t i = 0; i < n; ++i) img.rgba[i * 4 + channel] = buf[i];
    };
    GDALRasterBand* first = vrt->GetRasterBand(1);
    const GDALColorTable* ct = first->GetColorTable();
    if (bands >= 3) {
        read(1, 0), read(2, 1), read(3, 2);
        if (bands >= 4) read(4, 3);
    } else {
        read(1, 0);
        for (size_t i = 0; i < n; ++i) {
            const uint8_t v = img.rgba[i * 4];
            if (ct && v < ct->GetColorEntryCount()) {
                const GDALColorEntry* e = ct->GetColorEntry(v);
                img.rgba[i * 4] = static_cast<uint8_t>(e->c1), img.rgba[i * 4 + 1] = static_cast<uint8_t>(e->c2);
                img.rgba[i * 4 + 2] = static_cast<uint8_t>(e->c3), img.rgba[i * 4 + 3] = static_cast<uint8_t>(e->c4);
            } else {
                img.rgba[i * 4 + 1] = img.rgba[i * 4 + 2] = v;
            }
        }
        if (bands == 2) read(2, 3);
    }
    // Outside the source after warping (and nodata) becomes transparent: the warped VRT's mask.
    if (bands < 4) {
        GDALRasterBand* mask = first->GetMaskBand();
        if (mask && mask->RasterIO(GF_Read, 0, 0, W, H, buf.data(), img.width, img.height, GDT_Byte, 0, 0, nullptr) == CE_None)
            for (size_t i = 0; i < n; ++i)
                if (buf[i] == 0) img.rgba[i * 4 + 3] = 0;
    }
    return img;
}

}  // namespace gw
