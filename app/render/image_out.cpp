// Map images through GDAL (see image_out.h): a MEM dataset copied with the target driver.
#include "app/render/image_out.h"

#include <cpl_error.h>
#include <cpl_string.h>
#include <gdal_priv.h>

#include <algorithm>
#include <filesystem>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/core/gdal_setup.h"

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

/** Files a driver writes beside `base`: its world file and its PAM sidecar. */
std::vector<std::string> sidecars(const fs::path& base) {
    fs::path wld = base.filename();
    wld.replace_extension(".wld");
    return {wld.string(), base.filename().string() + ".aux.xml"};
}

}  // namespace

std::vector<fs::path> image_files(const std::string& path) {
    std::vector<fs::path> files{path};
    for (const auto& name : sidecars(path)) files.push_back(fs::path(path).parent_path() / name);
    return files;
}

bool image_format_supported(const std::string& path) { return driver_for(lower_ext(path)) != nullptr; }

void write_image(const std::string& path, const std::vector<uint8_t>& rgba, int width, int height,
                 const std::optional<GeoTransform>& geo, const std::string& crs_wkt,
                 const std::vector<std::string>& creation_options) {
    gdal_setup();
    const std::string ext = lower_ext(path);
    const char* driver_name = driver_for(ext);
    if (!driver_name) throw Error("unknown image format '" + ext + "'", {path}, "use .png, .tif or .pdf");
    GDALDriver* mem = GetGDALDriverManager()->GetDriverByName("MEM");
    GDALDriver* driver = GetGDALDriverManager()->GetDriverByName(driver_name);
    if (!mem || !driver) throw Error(std::string("GDAL lacks the ") + driver_name + " driver", {path});

    GDALDatasetUniquePtr src;
    {
        CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
        src.reset(mem->Create("", width, height, 3, GDT_Byte, nullptr));
    }
    if (!src)
        throw Error("an image of " + std::to_string(width) + "x" + std::to_string(height) +
                        " pixels does not fit in memory",
                    {path}, "give a smaller --size");
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

    // The image, its world file and its .aux.xml are one set: they replace the old set together
    // (a new world file beside an old image would misplace it). The temporary name keeps the real
    // extension so the driver names its world file after it.
    AtomicOutput out(path);
    out.replaces(sidecars(path));
    CPLStringList options;
    if (ext == ".png" && geo) options.SetNameValue("WORLDFILE", "YES");
    // zlib level 3, not GDAL's 6: a county map at 1600×1200 is written in 80 ms instead of 118 and
    // is no larger (1.348 MB against 1.360; level 1 and 2: 73 ms, 1.36–1.38 MB).
    if (ext == ".png") options.SetNameValue("ZLEVEL", "3");
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
        CPLErrorReset();
        GDALDatasetUniquePtr copy(
            driver->CreateCopy(out.temp().c_str(), src.get(), FALSE, options.List(), nullptr, nullptr));
        const bool created = copy != nullptr;
        copy.reset();  // closing finishes the file; its errors count too
        if (!created || CPLGetLastErrorType() >= CE_Failure) gdal_msg = CPLGetLastErrorMsg();
        if (!created && gdal_msg.empty()) gdal_msg = "GDAL failed";
    }
    std::error_code ec;
    if (!gdal_msg.empty() || !fs::exists(out.temp(), ec))
        throw Error("cannot be written: " + (gdal_msg.empty() ? std::string("GDAL failed") : gdal_msg), {path},
                    "check the folder exists and is writable");
    out.commit();
}

}  // namespace gw::app
