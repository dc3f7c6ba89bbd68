#pragma once
/**
 * The files a phone reporting app exports (SPEC §5.5 import): CSV with lon/lat columns, or GeoJSON
 * points, holding the `checks` fields of SPEC §3. Read and every row validated here; writing them
 * into a dataset is geo/io/check_import.h.
 */
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

/** One report of the file, validated: its position in WGS84 (converted from GCJ-02 when asked). */
struct CheckRow {
    int line = 0;  // CSV: the file's line the row starts on (header = 1); GeoJSON: feature number from 1
    std::string check_id, grid_id, reporter, time, kind, note;  // kind: SPEC §3's value (新增人员 → newcomer)
    std::optional<int64_t> people;
    Vec2 lonlat;
};

/** A row that cannot be imported: where, which field, what is wrong with which value. */
struct BadRow {
    int line = 0;
    std::string field, problem;
};

struct CheckFile {
    std::string path;
    bool geojson = false;          // rows are numbered by feature, not by line
    int read = 0;                  // rows in the file
    std::vector<CheckRow> good;    // every field valid, in file order
    std::vector<BadRow> bad;       // one entry per bad field, in file order
    int bad_rows = 0;              // rows with at least one bad field
};

struct CheckFileOptions {
    bool from_gcj02 = false;                // positions are GCJ-02 (phone apps): converted to WGS84
    const std::map<std::string, int>* cells = nullptr;  // grid_id → level of the dataset's cells
    std::string dataset;                    // named in "no such cell" problems
};

/**
 * Reads FILE (CSV, or GeoJSON when it ends in .geojson/.json or starts with '{') and checks every
 * row: check_id present and not repeated in the file; grid_id an L4 cell of `cells`; time ISO-8601
 * (geo/core/times.h parse_incident_time; "Z" and "+08:00" allowed); kind one of check_kinds() or
 * its Chinese value; lon −180…180 and lat −90…90, finite; people, when given, an integer 0…1,000,000.
 * Columns are found by contract name (any case), the Chinese names of geo/io/names.h, and the
 * usual spellings of coordinates (lng, longitude, 经度, latitude, 纬度, x, y). Text that is not
 * UTF-8 is read as GBK (Excel in China saves CSV so). Throws gw::Error naming the file for what
 * stops reading altogether: unreadable, not CSV/GeoJSON, a required column missing.
 */
CheckFile read_check_file(const std::string& path, const CheckFileOptions& options);

}  // namespace gw
