// [SECTION] Finding a DEM among the dataset's sources
// [SECTION] Reading: as it is, or warped into the working CRS
#include "geo/io/dem.h"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <ogrsf_frmts.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <limits>

#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/text.h"
#include "geo/io/crs.h"

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

bool stem_is_dem(const std::string& source) { return ascii_lower(fs::path(source).stem().string()) == "dem"; }

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

// ---------------------------------------------------------------------------------------------
// [SECTION] Finding a DEM among the dataset's sources

std::string find_dem(const std::string& source, GDALDataset* opened) {
    if (source.rfind("PG:", 0) == 0 || !fs::exists(source)) return {};
    // Only a file named dem… or a GeoPackage can hold one: other sources are not opened here (a
    // large GeoJSON costs a scan of the whole file each time GDAL opens it).
    const bool named_dem = stem_is_dem(source);
    if (!named_dem && ascii_lower(fs::path(source).extension().string()) != ".gpkg") return {};
    // A GeoPackage's raster tables are listed through the connection its layers are read by:
    // opening it again costs GDAL's reading of every table's definition (20 ms for a county's). A
    // file named dem… is opened as a raster, to count its bands.
    GDALDatasetUniquePtr own;
    GDALDataset* ds = named_dem ? nullptr : opened;
    if (!ds) {
        own = open_quiet(source, GDAL_OF_RASTER | GDAL_OF_VECTOR);
        ds = own.get();
    }
    if (!ds) return {};
    if (is_gpkg(*ds))
        for (const auto& t : gpkg_raster_tables(*ds))
            if (ascii_lower(t) == "dem") return "GPKG:" + source + ":" + t;
    if (named_dem && ds->GetRasterCount() > 0) return source;
    return {};
}

bool raster_is_dem(const std::string& source) {
    if (source.rfind("PG:", 0) == 0 || !fs::exists(source)) return false;
    auto ds = open_quiet(source, GDAL_OF_RASTER);
    if (!ds || ds->GetRasterCount() == 0) return false;
    if (stem_is_dem(source)) return true;
    if (!is_gpkg(*ds)) return false;
    const auto tables = gpkg_raster_tables(*ds);
    return tables.size() == 1 && ascii_lower(tables[0]) == "dem";
}

// ---------------------------------------------------------------------------------------------
// [SECTION] Reading: as it is, or warped into the working CRS

std::shared_ptr<const Dem> read_dem(const std::string& gdal_name, const std::string& file, const std::string& work_wkt,
                                    const Box& area) {
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
    DemInfo info;
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
        return std::make_shared<const Dem>(w, h, wgt, std::move(z), std::move(info));
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
    return std::make_shared<const Dem>(w, h, wgt, std::move(z), std::move(info));
}

}  // namespace gw
