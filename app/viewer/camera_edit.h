#pragma once
/**
 * Camera editing with live coverage (SPEC §6): the viewer's cameras under a gw::LiveCoverage,
 * drag handles (move, rotate, widen), added cameras, undo/redo of whole edits, and saving back
 * through gw::save_cameras. No ImGui here: the panel (panel_coverage.cpp) and the map input
 * (camera_handles.cpp) drive it.
 */
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geo/analysis/coverage.h"
#include "geo/store/camera_save.h"

namespace gw::app {

/** One camera before and after an edit; no `before` means the edit added it at the end. */
struct CameraChange {
    size_t index = 0;
    std::optional<Camera> before;
    Camera after;
};
/** What one undo step takes back: a whole drag, an added camera, an accepted plan. */
using CameraEdit = std::vector<CameraChange>;

/** The part of a selected camera a drag holds. */
enum class CameraHandle { None, Body, Azimuth, Fov };

class CameraWorkbench {
public:
    /** Computes coverage of `level` for ds's cameras; ds must outlive the workbench. Throws gw::Error. */
    CameraWorkbench(Dataset& ds, int level);
    ~CameraWorkbench();

    const CoverageReport& report() const { return live_->report(); }
    int level() const { return level_; }
    /** Recomputes everything for another grid level (undo history kept). */
    void set_level(int level);
    /** Bumped whenever cameras or figures change, so the map knows to rebuild its layers. */
    uint64_t revision() const { return revision_; }

    /** Applies an edit to the dataset and the coverage, and records it for undo. */
    void apply(CameraEdit edit);
    bool can_undo() const { return !undo_.empty(); }
    bool can_redo() const { return !redo_.empty(); }
    void undo();
    void redo();
    /** Edits not yet saved. */
    bool dirty() const { return dirty_; }

    /** Adds a camera at `pos` (working CRS) with a default 90° view of 50 m; returns its index. */
    size_t add_camera(Vec2 pos);

    /** Which handle of camera `index` lies within `tolerance` metres of `world`. */
    CameraHandle hit(size_t index, Vec2 world, double tolerance) const;
    /** Where the rotation and fov handles of a camera sit (working CRS). */
    Vec2 azimuth_handle(const Camera& cam) const;
    Vec2 fov_handle(const Camera& cam) const;
    /** A drag in progress: each step updates the camera and the coverage; end records one undo step. */
    void drag_begin(size_t index, CameraHandle handle, Vec2 world);
    void drag_to(Vec2 world);
    void drag_end();
    bool dragging() const { return drag_handle_ != CameraHandle::None; }

    /**
     * Writes the cameras back into ds.source in one transaction (gw::save_cameras). On a PG:
     * store only the cameras changed since they were read are sent, each with its read version
     * (gw::store::save_cameras_to_store); rows changed by someone else since are conflicts:
     * nothing is written, conflicts() lists them and false is returned. Throws gw::Error.
     */
    bool save();
    /** Conflicts of the last save on PG:, each waiting for keep mine / take theirs. */
    const std::vector<store::CameraConflict>& conflicts() const { return conflicts_; }
    /**
     * Resolves conflict `i`: keep mine (written again over the row's current version) or take
     * theirs (the local camera becomes the store's). When the last is resolved the save runs
     * again, and may find new conflicts. The undo history is dropped: it no longer matches.
     */
    bool resolve(size_t i, bool keep_mine);

private:
    /** Re-reads camera `index` into its coverage slot after ds.cameras[index] changed. */
    void refresh(size_t index);
    void rebuild();
    void set_camera(const CameraChange& c, bool forward);

    Dataset& ds_;
    int level_;
    std::unique_ptr<LiveCoverage> live_;
    std::vector<int> slot_;  // per camera index: its view slot in live_, -1 for none yet
    std::vector<CameraEdit> undo_, redo_;
    uint64_t revision_ = 1;
    bool dirty_ = false;
    size_t drag_index_ = 0;
    CameraHandle drag_handle_ = CameraHandle::None;
    Camera drag_start_;
    Vec2 drag_grab_;  // body drags: the camera's offset from the cursor
    int added_ = 0;
    std::vector<Camera> as_read_;  // the cameras as last read or saved: a save writes only what changed since
    std::vector<store::CameraConflict> conflicts_;
};

}  // namespace gw::app
