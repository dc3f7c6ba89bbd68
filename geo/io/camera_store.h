#pragma once
/**
 * Writing edited cameras back into the dataset they came from (SPEC §6: "save back into the
 * dataset in one transaction"). The viewer's camera editor calls this; nothing else writes the
 * source data.
 */
#include <gdal_priv.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/io/names.h"

namespace gw {

/**
 * How a cameras layer spells the contract's codes of one code field (status: online, offline;
 * owner: road, enterprise, …), so that a write leaves no `offline` among 在线 and 离线 (SPEC §3
 * reads both, the office's own tools may not): the spelling its features already use most for
 * that code (a project file's value such as ON, or 在线), else SPEC §3's Chinese word when the
 * column is written in Chinese, else the project file's value for it, else the code. The column
 * is read once, as UTF-8 text (a GBK shapefile opened as gbk_shapefile says).
 */
class CodeSpelling {
public:
    /** `field`: the column's index in the layer (−1: none; every code is then spelled as itself). */
    CodeSpelling(OGRLayer& layer, int field, const std::string& contract_field, const RoleMapping* mapping);
    /** The spelling of `code`. */
    std::string operator()(const std::string& code) const;

private:
    std::string field_;
    std::map<std::string, std::string> mapped_;               // the project file's: source value → code
    std::map<std::string, std::map<std::string, int>> uses_;  // code → (spelling → features using it)
    bool chinese_ = false;
};

/** The cameras layer's own name of each contract field (方位角, or the project file's), as ds read it. */
std::map<std::string, std::string> camera_field_names(const Dataset& ds);

/** The project file's mapping for cameras, beside the dataset `source` (empty when none). */
RoleMapping camera_mapping(const std::string& source);

/**
 * The cameras' file opened to read or to write; a GBK shapefile (gbk_shapefile) with the open
 * option ENCODING=CP936: names and text as UTF-8, written back in GBK. Null when GDAL cannot.
 */
GDALDatasetUniquePtr open_cameras_source(const std::string& file, bool update, bool gbk);

/**
 * Writes ds.cameras back into the cameras layer of `source` (the file ds was read from): cameras
 * with a fid update that feature, cameras without one (fid < 0) are inserted, and features of
 * the layer that no camera holds any more are deleted. Positions go from the working CRS back
 * to the layer's CRS; only the fields the layer has are written, under the layer's own names
 * (方位角 for azimuth, or what the project file maps) and codes spelled as the layer spells them
 * (CodeSpelling).
 *
 * All or nothing: a GeoPackage is changed inside one transaction; any other format is written
 * whole beside it and switched in by geo/io/atomic_output.h (a shapefile folder: the folder swapped
 * with one holding the new cameras set and the other files; a .shp: its file set together), so a
 * failure (or a kill) leaves the old data whole. A shapefile is written in the encoding it came in
 * (a GBK one stays GBK), with a .cpg saying so; UTF-8 when it was neither. Returns the fid of every camera,
 * parallel to ds.cameras (new ones filled in). Throws gw::Error naming the file, layer and camera when it
 * cannot write.
 */
std::vector<int64_t> save_cameras(const std::string& source, const Dataset& ds);

/**
 * The viewer's save (SPEC §9: a row's `version` rises by exactly 1 per change): `as_read` is the
 * cameras as last read or saved. In a GeoPackage or SQLite file only the cameras changed since are
 * written, in one transaction; where the layer keeps an integer `version` field, each changed or
 * deleted camera must still hold the version it was read at (else gw::Error naming the camera and
 * both versions, and nothing is written) and each written one's rises by 1; cameras others added
 * since are kept. Other formats are written whole (save_cameras). On success ds.cameras get their
 * fids and versions, and as_read becomes ds.cameras.
 */
std::vector<int64_t> save_changed_cameras(const std::string& source, Dataset& ds,
                                          std::vector<Camera>& as_read);

}  // namespace gw
