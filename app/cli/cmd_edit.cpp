// gridwatch edit DATASET --camera ID [...]: one camera changed from a script; on PG: checked against
// the version it was read at (SPEC §9).
#include <cmath>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/core/error.h"
#include "geo/io/names.h"
#include "geo/io/project.h"
#include "geo/store/camera_save.h"

namespace gw::app {
namespace {

struct EditArgs {
    std::string dataset, camera, move, status;
    std::optional<double> azimuth, fov, range;
    std::optional<int64_t> expect_version;
    std::string assume_crs;
    bool json = false;
};

void run_edit(const EditArgs& a) {
    store::CameraEditRequest req;
    req.cam_id = a.camera;
    req.azimuth = a.azimuth, req.fov = a.fov, req.range = a.range;
    if (!a.status.empty()) {
        // The contract's words in any case, SPEC §3's Chinese (在线 / 离线), or the office's own that
        // the project file maps (ON → online): as the layer is read.
        const NameMapping mapping = load_mapping(project_path_for(a.dataset));
        const auto own = mapping.find("cameras");
        const std::string code =
            contract_code("status", a.status, own == mapping.end() ? nullptr : &own->second);
        if (code != "online" && code != "offline")
            throw CLI::ValidationError("--status",
                                       "'" + a.status + "' is neither online nor offline (在线 / 离线)");
        req.status = code;
    }
    req.expect_version = a.expect_version;
    req.assume_crs = a.assume_crs;
    if (!a.move.empty()) {
        double x = 0, y = 0;
        char tail = 0;
        if (std::sscanf(a.move.c_str(), "%lf,%lf%c", &x, &y, &tail) != 2 || !std::isfinite(x) || !std::isfinite(y))
            throw CLI::ValidationError("--move", "'" + a.move + "' is not X,Y (two numbers in the layer's CRS, e.g. 102.5,25.1)");
        req.move = std::make_pair(x, y);
    }
    const auto r = store::edit_camera(a.dataset, req);
    if (a.json) {
        std::printf("%s\n", nlohmann::json{{"cam_id", r.cam_id}, {"version", r.version}, {"changed", r.changed}}.dump(2).c_str());
        return;
    }
    std::printf("camera %s: %s, version %lld%s\n", r.cam_id.c_str(), r.changed ? "changed" : "unchanged",
                static_cast<long long>(r.version), r.versioned ? "" : " (the layer keeps no version field)");
}

}  // namespace

void setup_edit(CLI::App& root) {
    auto a = std::make_shared<EditArgs>();
    auto* cmd = root.add_subcommand("edit", "change one camera from a script; on PG: checked against the version it was read at");
    cmd->footer(
        "On PG: a camera changed by someone else since it was read (or since --expect-version) is a conflict: exit 1 "
        "naming the camera, both versions and the fields that differ (theirs vs mine), nothing written. On a file "
        "(GeoPackage, ...) the version is the cameras layer's integer `version` field, raised by 1 per edit; a layer "
        "without one reads as version 1.");
    cmd->add_option("DATASET", a->dataset, "GeoPackage (or other writable source) or PG:\"…\"")->required();
    cmd->add_option("--camera", a->camera, "the cam_id to change")->required();
    cmd->add_option("--azimuth", a->azimuth, "degrees clockwise from north, 0–360")
        ->check(number_check(0, 360));
    cmd->add_option("--fov", a->fov, "horizontal degrees, above 0 up to 360")
        ->check(number_check(0, 360, true));
    cmd->add_option("--range", a->range, "metres, above 0 up to 10000")->check(number_check(0, 10000, true));
    cmd->add_option("--move", a->move, "X,Y: the new position in the cameras layer's CRS");
    cmd->add_option("--assume-crs", a->assume_crs, "CRS of a cameras layer that carries none, e.g. EPSG:4490")
        ->check(crs_check());
    cmd->add_option("--status", a->status,
                    "online or offline (在线 / 离线, or the project file's own words)");
    cmd->add_option("--expect-version", a->expect_version,
                    "the version the change is based on (default: the version just read); another is a conflict")
        ->check(CLI::PositiveNumber);
    cmd->add_flag("--json", a->json, "print {\"cam_id\", \"version\"} on stdout");
    cmd->callback([a] { run_edit(*a); });
}

}  // namespace gw::app
