// The table of output formats (see out_formats.h).
#include "geo/io/out_formats.h"

#include <algorithm>
#include <filesystem>

#include "geo/core/text.h"

namespace gw {

const std::vector<OutFormat>& out_formats() {
    static const std::vector<OutFormat> table = {
        {"ESRI Shapefile", "shp", {"shp", "shapefile", "esri shapefile"}, {".shp"}, true, false, {}},
        {"GPKG", "gpkg", {"gpkg", "geopackage"}, {".gpkg"}, false, false, {}},
        {"GeoJSON", "geojson", {"geojson", "json"}, {".geojson", ".json"}, true, true, {"RFC7946=YES"}},
        {"FlatGeobuf", "fgb", {"fgb", "flatgeobuf"}, {".fgb"}, true, false, {}},
        {"KML", "kml", {"kml"}, {".kml"}, false, true, {}},
        // Geometry as WKT in a WKT column: points and polygons alike survive the round trip.
        {"CSV", "csv", {"csv"}, {".csv"}, true, false, {"GEOMETRY=AS_WKT"}},
    };
    return table;
}

const OutFormat* out_format_named(const std::string& name) {
    const std::string key = ascii_lower(name);
    for (const auto& f : out_formats())
        if (ascii_lower(f.driver) == key || std::find(f.names.begin(), f.names.end(), key) != f.names.end()) return &f;
    return nullptr;
}

const OutFormat* out_format_for_path(const std::string& path) {
    const std::string ext = ascii_lower(std::filesystem::path(path).extension().string());
    for (const auto& f : out_formats())
        if (std::find(f.extensions.begin(), f.extensions.end(), ext) != f.extensions.end()) return &f;
    return nullptr;
}

std::string out_format_list() {
    std::string s;
    for (const auto& f : out_formats()) s += (s.empty() ? "" : ", ") + f.driver;
    return s;
}

}  // namespace gw
