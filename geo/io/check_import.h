#pragma once
/**
 * `gridwatch import DATASET --checks FILE` (SPEC §5.5): phone reports appended to the dataset's
 * `checks` layer, all or nothing, safe against a kill and against a second import at the same time.
 */
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/io/check_file.h"

namespace gw {

struct ImportOptions {
    bool from_gcj02 = false;  // FILE's positions are GCJ-02 (the dataset's are left as they are)
    bool skip_bad = false;    // write the good rows when some are bad (otherwise nothing is written)
    Progress progress;
};

struct ImportReport {
    int read = 0, added = 0, skipped_existing = 0;
    std::vector<BadRow> bad;  // one per bad field
    int bad_rows = 0;
    // Rows added dated after this computer's date (a phone's wrong clock, a typo): imported as
    // given, and named (field "time"); not those skipped as already stored.
    std::vector<BadRow> future;
    bool geojson = false;     // BadRow::line counts features, not lines
    bool written = false;     // a transaction was committed
    bool created_layer = false;
    std::string layer;        // the layer written (as named in the dataset)
    std::string crs;          // the layer's CRS ("EPSG:4490")
    double write_seconds = 0; // the transaction, from its start to its commit (0 when none was committed)
};

/**
 * Reads and validates FILE (geo/io/check_file.h) against the cells of `dataset`, then, unless a
 * row is bad and !skip_bad, appends the good rows whose check_id the layer does not hold yet to
 * the checks layer (created with SPEC §3's fields and the grids' CRS when the dataset has none),
 * positions transformed from WGS84 into the layer's CRS.
 *
 * One transaction: a kill at any moment leaves the dataset as it was or with every row. Two imports
 * at once: the write lock is taken before the layer's check_ids are read (a GeoPackage: BEGIN,
 * then a write that takes SQLite's RESERVED lock; the other waits up to a minute), so a check_id both
 * carry is stored once. Works on a GeoPackage and on a PostGIS store made by `db init` (`PG:…`: one
 * transaction, INSERT … ON CONFLICT (check_id) DO NOTHING against its unique index on check_id; see
 * write_rows_pg); any other format is refused with a line saying how to get a GeoPackage:
 * appending to a shapefile or GeoJSON cannot be one transaction.
 * Throws gw::Error naming the file, layer or field when it cannot read or write.
 */
ImportReport import_checks(const std::string& dataset, const std::string& file, const ImportOptions& options);

}  // namespace gw
