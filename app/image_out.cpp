// Map images through GDAL (see image_out.h): a MEM dataset copied with the target driver.
#include "app/image_out.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "geo/error.h"

namespace fs = std::filesystem;

namespace gw::app {
namespace {

std::string lower_ext(const std::string& path) {
    std::string e = fs::path(path).extension().string();
    std::transform(e.begin(), e.end(), e.begin(), [](unsigned char c) { return char(std::tolower(c)); });
    return e;
}

const char* driver_for(const std::string& ext) {
    if (ext == ".png") return "PNG";
    if (ext == ".tif" || ext == ".tiff") return "GTiff";
    if (ext == ".pdf") return "PDF";
    return nullptr;
}

/** Files a driver writes beside `base`: the image, its world file and its PAM sidecar. */
std::vector<fs::path> sidecars(const fs::path& base) {
    fs::path wld = base;
    wld.replace_extension(".wld");
    fs::path aux = base;
    aux += ".aux.xml";
    return {wld, aux};
}

}  // namespace

bool image_format_supported(const std::string& path) { return driver_for(lower_ext(path)) != nullptr; }

void write_image(const std::string& path, const std::vector<uint8_t>& rgba, int width, int height,
                 const std::optional<GeoTransform>& geo, const std::string& crs_wkt,
                 const std::vector<std::string>& creation_options) {
    GDALAllRegister();
    const std::string ext = lower_ext(path);
    const char* driver_name = driver_for(ext);
    if (!driver_name) throw Error("unknown image format '" + ext + "'", {path}, "use .png, .tif or .pdf");
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    if (!mem || !driver) throw Error(std::string("GDAL lacks the ") + driver_name + " driver", {path});

    GDALDatasetUniquePtr src(mem->Create("", width, height, 3, GDT_Byte, nullptr));
    // RGBA interleaved in memory: pixel stride 4, the three colour bands 1 byte apart.
    int bands[] = {1, 2, 3};
    if (src->RasterIO(GF_Write, 0, 0, width, height, const_cast<uint8_t*>(rgba.data()), width, height,
                      GDT_Byte, 3, bands, 4, GSpacing(width) * 4, 1, nullptr) != CE_None)
        throw Error("cannot stage the image in memory", {path});
    if (geo) {
        GeoTransform gt = *geo;
        src->SetGeoTransform(gt.data());
        if (!crs_wkt.empty()) {
            OGRSpatialReference srs;
            // x = easting: without this a northing-first CRS (the Gauss-Kruger EPSG codes) swaps
            // the axes of vectors the PDF driver reprojects onto the page.
            srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
            if (srs.importFromWkt(crs_wkt.c_str()) == OGRERR_NONE) src->SetSpatialRef(&srs);
        }
    }

    // The temporary name keeps the real extension so the driver names its world file after it.
    const fs::path target(path);
    fs::path tmp =
        target.parent_path() / ("." + target.stem().string() + ".tmp" + std::to_string(getpid()) + ext);
    CPLStringList options;
    if (ext == ".png" && geo) options.SetNameValue("WORLDFILE", "YES");
    if (ext == ".tif" || ext == ".tiff") {
        options.SetNameValue("COMPRESS", "DEFLATE");
        options.SetNameValue("PHOTOMETRIC", "RGB");
        options.SetNameValue("TILED", "YES");
    }
    if (ext == ".pdf") options.SetNameValue("DPI", "150");
    for (const auto& o : creation_options) options.AddString(o.c_str());
    std::string gdal_msg;
    {
        CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
        GDALDatasetUniquePtr out(
            driver->CreateCopy(tmp.string().c_str(), src.get(), FALSE, options.List(), nullptr, nullptr));
        if (!out) gdal_msg = CPLGetLastErrorMsg();
    }
    std::error_code ec;
    if (!gdal_msg.empty() || !fs::exists(tmp)) {
        fs::remove(tmp, ec);
        for (const auto& s : sidecars(tmp)) fs::remove(s, ec);
        throw Error("cannot be written: " + (gdal_msg.empty() ? std::string("GDAL failed") : gdal_msg),
                    {path}, "check the folder exists and is writable");
    }
    const auto tmp_side = sidecars(tmp), target_side = sidecars(target);
    for (size_t i = 0; i < tmp_side.size(); ++i) {
        if (fs::exists(tmp_side[i]))
            fs::rename(tmp_side[i], target_side[i], ec);
        else if (i == 0 && ext == ".png")
            fs::remove(target_side[i], ec);  // a stale world file would misplace the new image
    }
    fs::rename(tmp, target, ec);
    if (ec) {
        fs::remove(tmp, ec);
        throw Error("cannot be renamed into place: " + ec.message(), {path});
    }
}

}  // namespace gw::app
