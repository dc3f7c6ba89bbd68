#pragma once
/**
 * Copying between a dataset and the shared store both ways (SPEC §9): `db push DATASET PG:…` and
 * `db pull PG:… FILE.gpkg [--community ID]`.
 */
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw::store {

/**
 * The field of a pulled file that holds each row's version in the store when it was pulled, for
 * the push to check against (not `version`: gridwatch edit raises a file's own `version`).
 */
constexpr const char* kPulledVersion = "store_version";

/** The column a layer's rows are matched by on a push (SPEC §3's id); "" for roads, buildings, facilities. */
std::string push_key(const std::string& table);

struct PushOptions {
    bool delete_missing = false;  // --delete: rows of the store that the file lacks are deleted
    bool overwrite =
        false;  // --overwrite: rows changed in the store since the pull are replaced all the same
    std::string file;             // the dataset as the user named it (for messages)
};

struct PushLayer {
    std::string name;
    std::string key;                 // "" when rows are matched by their whole content
    bool versioned = false;          // the file's rows carry the version they were pulled at
    std::vector<std::pair<std::string, long long>> versions;  // versioned: each id's version as committed
    size_t rows = 0;                 // in the file
    long long inserted = 0, updated = 0, unchanged = 0;
    long long missing = 0;           // in the store (as this login sees it), not in the file
    long long deleted = 0;           // of those, deleted (--delete)
    std::vector<std::string> columns_left_out;  // the file's other fields the table has no column for
};

struct PushResult {
    std::string source;               // printable
    std::vector<PushLayer> layers;    // the layers the file has
    std::vector<std::string> absent;  // store tables the file has no layer for: left as they are
    std::vector<std::string> notes;   // said on stderr: the file's versions not brought up to date
    bool delete_missing = false;
    double seconds = 0;
};

/**
 * Loads `ds` into an existing store, in one transaction (each table locked against other writers
 * while it is merged). A layer with an id (push_key) is matched by it: a stored row whose fields or
 * geometry differ is updated (its version rises by 1, by the store's trigger), an id the store
 * lacks is inserted; an id twice in the file is an error. Roads, buildings and facilities have no
 * id: a row is the same row when every field and the geometry are equal, and only inserted.
 * Rows of the store that the file lacks are kept and counted (`missing`), or deleted with
 * delete_missing. A table whose layer the file does not have is left alone. Under row-level
 * security a community login sees and writes only its community: rows of another are refused by
 * the database, and nothing is written.
 *
 * A file made by pull_store carries each row's version in the store (kPulledVersion; SPEC §9:
 * every write checks the version it was read at). A row whose store version is no longer the file's, and
 * whose fields differ, was changed by someone else since the pull: the push stops (ConflictError-like
 * gw::Error naming the id, both versions and the fields, theirs vs the file's), nothing written, unless
 * overwrite. After the commit the file's store versions are set to the store's, so that the next push from it
 * checks against what this one wrote (a GeoPackage; another format keeps its old versions).
 */
PushResult push_store(const std::string& pg_source, const Dataset& ds, const PushOptions& options,
                      const Progress& progress = {});

struct PullOptions {
    std::string community;  // an L1 grid_id: only that community's rows (its cells: the L1 cell and below)
};

struct PullResult {
    std::string source;  // printable
    std::string file;
    std::string community;
    std::vector<std::pair<std::string, size_t>> layers;  // layer, rows written
    double seconds = 0;
};

/**
 * Writes a GeoPackage of the store: one layer per store table, its rows with their fid, fields and
 * geometry as stored (the store's CRS), read in one snapshot. Each row's `version` comes along as
 * kPulledVersion, for a later push to check against (push_store); the store's other bookkeeping columns
 * (`community`, `updated_at`) stay behind, and a push recomputes them. Written whole or not at all
 * (geo/io/atomic_output.h).
 */
PullResult pull_store(const std::string& pg_source, const std::string& file, const PullOptions& options,
                      const Progress& progress = {});

}  // namespace gw::store
