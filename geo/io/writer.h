#pragma once
/**
 * Writing the model back out through GDAL (SPEC §7): shapefiles by default, or any vector
 * driver. Used by `gridwatch export` and by `gridwatch demo`.
 */
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "geo/core/model.h"

namespace gw {

struct StatsTable;

struct WriteOptions {
    std::string path;                        // output file, or folder for one-file-per-layer formats
    std::string format = "ESRI Shapefile";   // GDAL driver short name (GPKG, GeoJSON, KML, FlatGeobuf…)
    std::vector<std::string> layers;         // canonical layer names to write; empty = all present
    int level = 0;                           // only grid cells of this level (0 = every level)
    std::string crs;                         // target CRS ("" = the dataset's own CRS, ds.crs)
    std::string encoding = "UTF-8";          // shapefile text: "UTF-8" or "GBK"
    bool split_grid_levels = true;           // shapefile: grids as grids_L1 … grids_L4
    bool mask_personal = false;              // 张*三, 138****1234 for names and phones
    std::vector<const StatsTable*> stats;    // each joined to the grid cells of its level (one table a level,
                                             // made alike: the same columns)
    std::function<void(const std::string&)> on_message;  // field-name mapping, GDAL warnings
};

/**
 * Writes the dataset's layers. Everything is written to a temporary name beside `path` and
 * moved into place only on success, so a failed run leaves no half-written output.
 * Throws gw::Error naming the output, layer and field on failure.
 */
void write_dataset(const Dataset& ds, const WriteOptions& options);

/** What parts the names of several people in one field (张三、李四; John Smith): mask_name masks each. */
inline constexpr std::string_view kNameSeparators[] = {" ", "\t", "\u3000", "、", "，", ",", ";", "；", "/"};
/**
 * 张三丰 -> 张*丰 style masking of a personal name (keeps the first and last character of a name
 * of three and more, the first of two), each name of a list on its own: 张三、李四 -> 张*、李*.
 * The shared store's gridwatch_mask_name (geo/store/schema.cpp) is the same in SQL.
 */
std::string mask_name(const std::string& utf8_name);
/** 13812341234 -> 138****1234. */
std::string mask_phone(const std::string& phone);

}  // namespace gw
