#pragma once
/**
 * Writing the model back out through GDAL (SPEC §7): shapefiles by default, or any vector
 * driver. Used by `gridwatch export` and by `gridwatch demo`.
 */
#include <functional>
#include <memory>
#include <optional>
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
                                             // made alike: the same columns), kept by the caller
                                             // until the writing ends
    std::function<void(const std::string&)> on_message;  // field-name mapping, GDAL warnings
};

/** What was written: output layers (a grid level of a shapefile is one), features. */
struct Written {
    size_t layers = 0, features = 0;
};

/**
 * Writes the dataset's layers. Everything is written to a temporary name beside `path` and
 * moved into place only on success, so a failed run leaves no half-written output.
 * Throws gw::Error naming the output, layer and field on failure.
 */
Written write_dataset(const Dataset& ds, const WriteOptions& options);

/**
 * write_dataset a layer at a time, for layers read a layer at a time (open_dataset_by_layer):
 * write() each canonical layer in canonical_layers() order, from a Dataset that may hold that
 * layer alone, then finish(). What is written, and how, is write_dataset's; the output is switched
 * into place by finish() only, and removed when the writer goes without it.
 */
class DatasetWriter {
public:
    /**
     * `head`: the dataset's CRSs (its features are not used). `layer_count`: the output layers to be
     * written, when known beforehand (write_dataset counts them): the output is then made at once,
     * and refuses a file name for several. Unknown, a file name for one layer's file
     * (names_one_layer_file) is refused at the second layer.
     */
    DatasetWriter(const Dataset& head, const WriteOptions& options,
                  std::optional<size_t> layer_count = std::nullopt);
    ~DatasetWriter();
    DatasetWriter(const DatasetWriter&) = delete;
    DatasetWriter& operator=(const DatasetWriter&) = delete;
    /**
     * Writes canonical layer `layer` of ds when it is wanted (listed, or with none listed, not
     * empty). Throws gw::Error naming the output, layer and feature or field, as write_dataset.
     */
    void write(const Dataset& ds, const std::string& layer);
    /**
     * Closes the output and switches it into place; throws gw::Error when nothing was written or
     * closing fails.
     */
    Written finish();

private:
    struct State;
    std::unique_ptr<State> s_;
};

/** Whether `path` names one layer's file (out.shp, out.geojson) of a one-file-per-layer format. */
bool names_one_layer_file(const WriteOptions& options);

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
/** Each run of 7 or more digits in free text (a phone or an ID number in a note) masked as mask_phone does.
 */
std::string mask_digit_runs(const std::string& text);

/**
 * The names UTF-8 fields `names` are written under, as export writes them: unique whatever their
 * case and, for a shapefile, cut to its 10 bytes (resolution_px as resolution). The analyses'
 * outputs (write_out_layers) name their fields so.
 */
std::vector<std::string> out_field_names(const std::vector<std::string>& names, bool shapefile);

/** How many of UTF-8 `text`'s first bytes fit in `bytes`, cut on a character boundary, as export cuts text.
 */
size_t utf8_fit(std::string_view text, size_t bytes);

}  // namespace gw
