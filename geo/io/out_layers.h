#pragma once
/**
 * Result layers of the analyses (coverage cells and gaps, hotspot cells, clusters, planned
 * cameras) written through GDAL by file extension: .gpkg (every layer in one file), .geojson
 * (WGS84, one file per layer beside the first), .shp (one set per layer), .fgb, .kml, .csv.
 * Written to a temporary name and renamed on success.
 */
#include <filesystem>
#include <string>
#include <variant>
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

using OutValue = std::variant<std::monostate, long long, double, std::string>;

struct OutField {
    std::string name;
    enum Type { Integer, Real, Text } type = Text;
};

struct OutFeature {
    MultiPolygon polygons;  // when the layer is polygonal
    Vec2 point;             // when the layer is of points
    std::vector<OutValue> values;
};

struct OutLayer {
    std::string name;
    bool points = false;
    std::vector<OutField> fields;
    std::vector<OutFeature> features;
};

/**
 * Writes the layers, transforming from the working CRS (`work_crs_wkt`) to `target_crs_wkt`
 * (empty: stay in the working CRS). `not_written`: layers of the output set left out this time
 * (coverage --no-gaps: the gaps), whose files of an earlier run are removed with the commit.
 * Returns the file each layer went to, in order (one file for all in a GeoPackage; a file per
 * layer beside `path` in one-file-per-layer formats, which the user must be told of), the
 * fields written under another name (a shapefile's 10 bytes) and the text values cut (its 254).
 * Throws gw::Error naming the output on failure.
 */
struct RenamedField {
    std::string name, written_as;  // resolution_px, written to a shapefile as resolution
};
struct CutField {
    std::string name;  // a text field, values of which the format cannot hold whole (a shapefile's 254 bytes)
    size_t values = 0;  // how many were cut, on a character boundary
};
struct WrittenLayer {
    std::string layer;
    std::filesystem::path file;
    std::vector<RenamedField> renamed;  // the fields the format holds under another name
    std::vector<CutField> cut;          // the text fields the format holds cut
};
std::vector<WrittenLayer> write_out_layers(const std::string& path, const std::vector<OutLayer>& layers,
                                           const std::string& work_crs_wkt,
                                           const std::string& target_crs_wkt = {},
                                           const std::vector<std::string>& not_written = {});

/**
 * Every file write_out_layers(path, layers named `layer_names`) writes or replaces: `path`, for a
 * one-file-per-layer format each further layer's file beside it (STEM_LAYER.EXT), and beside each
 * a shapefile's whole set or the file's .aux.xml. Known before anything is read, so that a command
 * can refuse an output that would replace one of its inputs. An unknown format: `path` alone
 * (write_out_layers refuses to write it).
 */
std::vector<std::filesystem::path> out_layer_files(const std::string& path,
                                                   const std::vector<std::string>& layer_names);

}  // namespace gw
