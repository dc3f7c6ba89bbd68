#pragma once
/**
 * Version-checked camera writes (SPEC §9 "Concurrent edits"): `gridwatch edit` and the viewer's
 * "save cameras" on PG: both go through write_cameras_checked, which sends each changed camera
 * with the version it was read at. A row changed (or deleted) by someone else since is a
 * conflict: then nothing at all is written, and the conflicts say field by field what the row
 * holds now (theirs) and what was to be written (mine). The caller chooses per camera: keep mine
 * (write again expecting the row's current version) or take theirs.
 */
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/error.h"
#include "geo/core/model.h"

namespace gw::store {

class Connection;

/** One camera as its table holds it: position in the table's own CRS, version as stored. */
struct StoredCamera {
    int64_t fid = -1;
    std::string cam_id, owner, status;
    double azimuth = 0, fov = 0, range = 0;
    std::optional<double> height;
    std::optional<int> resolution_px;
    double x = 0, y = 0;
    int srid = 0;  // the table's (0 for a file layer)
    int64_t version = 1;
};

/** A field whose value differs: what the store holds now and what was to be written. */
struct FieldDiff {
    std::string field, theirs, mine;
};

/** Fields of theirs and mine that differ (cam_id, owner, status, azimuth, fov, range, height, resolution_px, position). */
std::vector<FieldDiff> diff_fields(const StoredCamera& theirs, const StoredCamera& mine);

struct CameraConflict {
    std::string cam_id;
    int64_t fid = -1;
    int64_t read_version = 0;            // the version mine was read at (expected)
    int64_t current_version = 0;         // the row's version now; 0 when it is gone (or not visible to this login)
    std::optional<StoredCamera> theirs;  // the row now
    std::optional<StoredCamera> mine;    // what was to be written; nullopt: mine deleted it
    std::vector<FieldDiff> fields;       // theirs vs mine
    /** One line for a terminal: the camera, both versions, the fields that differ. */
    std::string line() const;
};

/** One camera to write: an update or delete checked against expect_version, or an insert (fid -1). */
struct CameraWrite {
    int64_t fid = -1;
    int64_t expect_version = 0;
    std::optional<StoredCamera> mine;  // nullopt: delete the row
};

struct CheckedSave {
    std::vector<CameraConflict> conflicts;  // not empty: nothing was written
    std::vector<StoredCamera> written;      // parallel to the writes when saved: rows as they are now
                                            // (fid and version filled in; a deleted row's version is 0)
};

/**
 * Writes in one transaction on the store's `cameras` table: the rows to change are locked
 * (SELECT … FOR UPDATE) and their versions compared first; any difference, or a row not there,
 * rolls everything back and returns the conflicts. A lost connection or a refused right throws
 * gw::Error and leaves the table as it was.
 */
CheckedSave write_cameras_checked(Connection& pg, const std::vector<CameraWrite>& writes);

/** The store's cameras with this cam_id (row-level security hides other communities' rows). */
std::vector<StoredCamera> read_cameras_by_id(Connection& pg, const std::string& cam_id);

// ---------------------------------------------------------------------------------------------
// gridwatch edit

/** What `gridwatch edit` changes; unset fields are left as they are. */
struct CameraEditRequest {
    std::string cam_id;
    std::optional<double> azimuth, fov, range;
    std::optional<std::pair<double, double>> move;  // x, y in the layer's CRS
    std::optional<std::string> status;              // online / offline
    std::optional<int64_t> expect_version;          // default: the version just read
    std::string assume_crs;  // a file layer without a CRS read in this one (--assume-crs)
};

struct CameraEditResult {
    std::string cam_id;
    int64_t version = 1;
    bool changed = false;
    bool versioned = true;  // false: a file layer without a `version` field (its version reads as 1)
};

/** Thrown for a conflict: a gw::Error whose message is the conflict's line. */
class ConflictError : public Error {
public:
    ConflictError(const std::string& source, CameraConflict c);
    const CameraConflict& conflict() const { return conflict_; }

private:
    CameraConflict conflict_;
};

/**
 * Changes one camera of `source` in one transaction. On PG: checked by write_cameras_checked.
 * On a file (GeoPackage, …) the feature is changed in place; a `version` integer field, when
 * the layer has one, is its version and is raised by 1; without one the version reads as 1.
 * --expect-version is checked against that version either way. Throws ConflictError, or
 * gw::Error for an unknown camera ("not found or not yours" on PG:) and failed writes.
 */
CameraEditResult edit_camera(const std::string& source, const CameraEditRequest& req);

// ---------------------------------------------------------------------------------------------
// The viewer's save on PG:

/**
 * Saves the cameras of ds (read from the PG: store `source`) that differ from `as_read` (the
 * cameras as last read or saved, matched by fid): changed ones are updated expecting their
 * version, new ones (fid < 0) inserted, ones no longer in ds deleted. On success ds.cameras get
 * their fids and versions and as_read becomes ds.cameras; on a conflict nothing is written and
 * ds and as_read are left alone. Positions go between the working CRS and the table's SRID.
 */
CheckedSave save_cameras_to_store(const std::string& source, Dataset& ds, std::vector<Camera>& as_read);

/** Keep mine: the camera is written again expecting the row's current version at the next save. */
void keep_mine(const CameraConflict& c, Dataset& ds, std::vector<Camera>& as_read);
/**
 * Take theirs: the local camera becomes the store's row (converted to the working CRS), and
 * counts as unchanged; a row gone from the store is removed locally.
 */
void take_theirs(const CameraConflict& c, Dataset& ds, std::vector<Camera>& as_read);

}  // namespace gw::store
