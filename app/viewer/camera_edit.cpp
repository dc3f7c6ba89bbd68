// Camera editing with live coverage (see camera_edit.h).
#include "app/viewer/camera_edit.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "geo/analysis/validate.h"
#include "geo/io/camera_store.h"
#include "geo/store/pg.h"

namespace gw::app {
namespace {

constexpr double kDeg = std::numbers::pi / 180;

/** Compass bearing (degrees clockwise from north, 0..360) from a to b. */
double bearing(Vec2 a, Vec2 b) {
    const double d = std::atan2(b.x - a.x, b.y - a.y) / kDeg;
    return d < 0 ? d + 360 : d;
}
Vec2 along(Vec2 from, double azimuth_deg, double dist) {
    return {from.x + dist * std::sin(azimuth_deg * kDeg), from.y + dist * std::cos(azimuth_deg * kDeg)};
}

}  // namespace

CameraWorkbench::CameraWorkbench(Dataset& ds, int level) : ds_(ds), level_(level) {
    // LiveCoverage keeps pointers to the cameras: room for added ones keeps them valid.
    ds_.cameras.reserve(ds_.cameras.size() + 1024);
    as_read_ = ds_.cameras;
    rebuild();
}
CameraWorkbench::~CameraWorkbench() = default;

void CameraWorkbench::rebuild() {
    CoverageOptions o;
    o.level = level_;
    live_ = std::make_unique<LiveCoverage>(ds_, o);
    slot_.assign(ds_.cameras.size(), -1);
    const auto& cams = live_->report().cameras;
    for (size_t s = 0; s < cams.size(); ++s)
        if (cams[s]) slot_[size_t(cams[s] - ds_.cameras.data())] = int(s);
    ++revision_;
}

void CameraWorkbench::set_level(int level) {
    const int was = level_;
    level_ = level;
    try {
        rebuild();  // a level whose cells cannot be told apart throws: the level shown stays
    } catch (...) {
        level_ = was;
        throw;
    }
}

void CameraWorkbench::refresh(size_t index) {
    if (slot_.size() < ds_.cameras.size()) slot_.resize(ds_.cameras.size(), -1);
    const bool exists = index < ds_.cameras.size();
    const Camera* cam = exists ? &ds_.cameras[index] : nullptr;
    const bool usable = cam && camera_problem(*cam).empty() && cam->online();
    int& slot = slot_[index];
    if (usable || slot >= 0) {
        // A slot past the end adds one; LiveCoverage returns it as the last.
        const size_t s = slot >= 0 ? size_t(slot) : live_->report().views.size();
        live_->set_camera(s, usable ? cam : nullptr);
        slot = int(s);
    }
    ++revision_;
}

void CameraWorkbench::set_camera(const CameraChange& c, bool forward) {
    if (forward) {
        if (c.before) {
            ds_.cameras[c.index] = c.after;
        } else {
            const bool moves = ds_.cameras.size() == ds_.cameras.capacity();
            ds_.cameras.push_back(c.after);
            if (moves) {  // the vector moved: every pointer LiveCoverage holds is stale
                rebuild();
                return;
            }
        }
        refresh(c.index);
    } else if (c.before) {
        ds_.cameras[c.index] = *c.before;
        refresh(c.index);
    } else {
        // Taking back an added camera: it is the last one (edits are undone in reverse order).
        if (c.index < slot_.size() && slot_[c.index] >= 0) live_->set_camera(size_t(slot_[c.index]), nullptr);
        ds_.cameras.pop_back();
        ++revision_;
    }
}

void CameraWorkbench::apply(CameraEdit edit) {
    if (edit.empty()) return;
    for (const auto& c : edit) set_camera(c, true);
    undo_.push_back(std::move(edit));
    redo_.clear();
    dirty_ = true;
}

void CameraWorkbench::undo() {
    if (undo_.empty()) return;
    CameraEdit e = std::move(undo_.back());
    undo_.pop_back();
    for (auto it = e.rbegin(); it != e.rend(); ++it) set_camera(*it, false);
    redo_.push_back(std::move(e));
    dirty_ = true;
}

void CameraWorkbench::redo() {
    if (redo_.empty()) return;
    CameraEdit e = std::move(redo_.back());
    redo_.pop_back();
    for (const auto& c : e) set_camera(c, true);
    undo_.push_back(std::move(e));
    dirty_ = true;
}

size_t CameraWorkbench::add_camera(Vec2 pos) {
    Camera c;
    c.cam_id = "NEW-" + std::to_string(++added_);
    c.owner = "public";
    c.status = "online";
    c.azimuth = 0, c.fov = 90, c.range = 50;
    c.pos = pos;
    const size_t index = ds_.cameras.size();
    apply({CameraChange{index, std::nullopt, c}});
    return index;
}

Vec2 CameraWorkbench::azimuth_handle(const Camera& cam) const {
    return along(cam.pos, cam.azimuth, cam.range * 0.6);
}
Vec2 CameraWorkbench::fov_handle(const Camera& cam) const {
    return along(cam.pos, cam.azimuth + std::min(cam.fov, 359.0) / 2, cam.range);
}

CameraHandle CameraWorkbench::hit(size_t index, Vec2 world, double tolerance) const {
    if (index >= ds_.cameras.size()) return CameraHandle::None;
    const Camera& cam = ds_.cameras[index];
    // The small handles first: they sit inside the view, where a body drag would also match.
    if (std::isfinite(cam.range) && cam.range > 0) {
        if (distance(world, azimuth_handle(cam)) <= tolerance) return CameraHandle::Azimuth;
        if (distance(world, fov_handle(cam)) <= tolerance) return CameraHandle::Fov;
    }
    if (distance(world, cam.pos) <= tolerance) return CameraHandle::Body;
    return CameraHandle::None;
}

void CameraWorkbench::drag_begin(size_t index, CameraHandle handle, Vec2 world) {
    if (index >= ds_.cameras.size() || handle == CameraHandle::None) return;
    drag_index_ = index;
    drag_handle_ = handle;
    drag_start_ = ds_.cameras[index];
    drag_grab_ = drag_start_.pos - world;
}

void CameraWorkbench::drag_to(Vec2 world) {
    if (!dragging()) return;
    Camera& cam = ds_.cameras[drag_index_];
    switch (drag_handle_) {
        case CameraHandle::Body:
            cam.pos = world + drag_grab_;
            break;
        case CameraHandle::Azimuth:
            cam.azimuth = std::round(bearing(cam.pos, world));
            break;
        case CameraHandle::Fov: {
            // Half the opening is the angle between the bisector and the cursor.
            double half = std::abs(std::remainder(bearing(cam.pos, world) - cam.azimuth, 360.0));
            cam.fov = std::clamp(std::round(2 * half), 5.0, 360.0);
            break;
        }
        case CameraHandle::None:
            break;
    }
    refresh(drag_index_);
}

void CameraWorkbench::drag_end() {
    if (!dragging()) return;
    drag_handle_ = CameraHandle::None;
    const Camera after = ds_.cameras[drag_index_];
    if (after.pos == drag_start_.pos && after.azimuth == drag_start_.azimuth && after.fov == drag_start_.fov)
        return;
    // The camera already holds the result (each step was applied live); record the whole drag.
    undo_.push_back({CameraChange{drag_index_, drag_start_, after}});
    redo_.clear();
    dirty_ = true;
}

bool CameraWorkbench::save() {
    // A row repeated whole was read once (drop_repeated_cameras): a save would change one row of the
    // two, and the other would come back; `gridwatch edit` refuses such a camera alike.
    if (!ds_.report.repeated.empty()) {
        const Issue& first = ds_.report.repeated[0];  // named in its own file where the reader said
        throw Error(std::to_string(ds_.report.repeated.size()) +
                        " camera row(s) repeat an earlier row whole (" + first.feature +
                        " …); nothing was saved",
                    {first.file.empty() ? ds_.source : first.file,
                     first.source_layer.empty() ? "cameras" : first.source_layer},
                    "delete the repeated rows, then reopen and save");
    }
    std::vector<int64_t> fids;
    if (store::is_pg_source(ds_.source)) {
        const size_t before = ds_.cameras.capacity();
        auto r = store::save_cameras_to_store(ds_.source, ds_, as_read_);
        if (!r.conflicts.empty()) {
            conflicts_ = std::move(r.conflicts);
            return false;
        }
        conflicts_.clear();
        if (ds_.cameras.capacity() != before) rebuild();
        for (const auto& c : ds_.cameras) fids.push_back(c.fid);
    } else {
        fids = save_changed_cameras(ds_.source, ds_, as_read_);
    }
    // Undo records hold fids and versions too: an added camera taken back and redone must update,
    // not insert, and a camera undone after a save is the saved row's next change.
    for (auto* stack : {&undo_, &redo_})
        for (auto& e : *stack)
            for (auto& c : e)
                if (c.index < fids.size()) {
                    const std::optional<int64_t> version =
                        c.index < ds_.cameras.size() ? ds_.cameras[c.index].version : std::nullopt;
                    c.after.fid = fids[c.index], c.after.version = version;
                    if (c.before) c.before->fid = fids[c.index], c.before->version = version;
                }
    dirty_ = false;
    return true;
}

bool CameraWorkbench::resolve(size_t i, bool keep_mine) {
    if (i >= conflicts_.size()) return false;
    const store::CameraConflict c = conflicts_[i];
    conflicts_.erase(conflicts_.begin() + long(i));
    if (keep_mine)
        store::keep_mine(c, ds_, as_read_);
    else
        store::take_theirs(c, ds_, as_read_);
    // Cameras may have been replaced, removed or brought back: the history's indices and
    // values no longer match, and the coverage is recomputed from what is there now.
    undo_.clear();
    redo_.clear();
    ds_.cameras.reserve(ds_.cameras.size() + 1024);
    rebuild();
    if (!conflicts_.empty()) return false;
    return save();
}

}  // namespace gw::app
