#pragma once
/**
 * The vector formats gridwatch writes, in one table: `export --format` (geo/writer), the
 * analyses' --out (geo/out_layers, chosen by extension) and the names the CLI accepts all
 * read it, so a format added here works everywhere.
 */
#include <string>
#include <vector>

namespace gw {

struct OutFormat {
    std::string driver;                      // GDAL short name
    std::string ext;                         // extension of the files written, without the dot
    std::vector<std::string> names;          // what a user may type for --format (lower case)
    std::vector<std::string> extensions;     // extensions --out may end in (lower case, with dot)
    bool per_layer = false;                  // one file per layer (else every layer in one file)
    bool wgs84 = false;                      // the format mandates WGS84 longitude/latitude
    std::vector<std::string> layer_options;  // GDAL layer creation options always given
};

/** Every format of the table. */
const std::vector<OutFormat>& out_formats();

/** The entry for a typed --format name or a GDAL driver name (any case); nullptr when none. */
const OutFormat* out_format_named(const std::string& name);

/** The entry for the extension of `path` (.gpkg, .shp, .csv …); nullptr when none. */
const OutFormat* out_format_for_path(const std::string& path);

/** "ESRI Shapefile, GPKG, GeoJSON, …" for messages. */
std::string out_format_list();

}  // namespace gw
