#pragma once
/** Writing rendered map images through GDAL: PNG with a world file, GeoTIFF, geospatial PDF. */
#include <array>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace gw::app {

/** GDAL geotransform: x0, pixel width, 0, y0, 0, −pixel height (top-left corner of the image). */
using GeoTransform = std::array<double, 6>;

/**
 * Writes RGBA rows (top first) as an RGB image; the format follows the extension (.png, .tif,
 * .tiff, .pdf). With a geotransform a PNG gets a .wld world file and the CRS in .png.aux.xml, a
 * GeoTIFF and a PDF carry both inside. The image and its sidecars replace the old ones as one set
 * (geo/io/atomic_output.h). Throws gw::Error (exit 1) when the image does not fit in memory.
 * `creation_options` ("NAME=VALUE") go to the driver as well (e.g. the PDF driver's OGR_DATASOURCE).
 * Throws gw::Error naming the file when GDAL fails.
 */
void write_image(const std::string& path, const std::vector<uint8_t>& rgba, int width, int height,
                 const std::optional<GeoTransform>& geo = std::nullopt, const std::string& crs_wkt = {},
                 const std::vector<std::string>& creation_options = {});

/**
 * Every file write_image(path, …) writes or replaces: the image, its world file (.wld) and its
 * .aux.xml, whatever the format (an old sidecar of another format's image of that name goes too).
 */
std::vector<std::filesystem::path> image_files(const std::string& path);

/** True when write_image knows the extension of `path`. */
bool image_format_supported(const std::string& path);

}  // namespace gw::app
