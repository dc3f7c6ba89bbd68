/**
 * Fuzz target: the project file (DATASET.gridwatch.json, geo/io/project.cpp): scenes and warning
 * thresholds. The bytes are the file. A project that loads must also survive being saved and
 * loaded again unchanged, since the viewer saves what it loaded (SPEC §6).
 */
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include "geo/core/error.h"
#include "geo/io/project.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

bool same(double a, double b) { return a == b || (std::isnan(a) && std::isnan(b)); }

bool same(const gw::Project& a, const gw::Project& b) {
    if (a.scenes.size() != b.scenes.size()) return false;
    for (size_t i = 0; i < a.scenes.size(); ++i) {
        const auto &s = a.scenes[i], &t = b.scenes[i];
        if (s.name != t.name || s.title != t.title || s.subtitle != t.subtitle || s.layers != t.layers ||
            s.overlay != t.overlay || !same(s.extent.xmin, t.extent.xmin) || !same(s.extent.ymin, t.extent.ymin) ||
            !same(s.extent.xmax, t.extent.xmax) || !same(s.extent.ymax, t.extent.ymax))
            return false;
    }
    const auto &w = a.warning, &v = b.warning;
    return same(w.red, v.red) && same(w.yellow, v.yellow) && same(w.blue, v.blue) && same(w.w_red, v.w_red) &&
           same(w.w_yellow, v.w_yellow) && same(w.w_blue, v.w_blue) && same(w.w_green, v.w_green) &&
           same(w.w_none, v.w_none);
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    (void)gw::fuzz::scratch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    const auto dir = gw::fuzz::fresh_dir("project");
    const auto file = dir / "d.gpkg.gridwatch.json";
    gw::fuzz::write_file(file, data, size);
    gw::Project p;
    try {
        p = gw::load_project(file.string());
    } catch (const gw::Error&) {
        return 0;  // refused with a message: fine
    }
    const auto again = dir / "saved.gridwatch.json";
    gw::save_project(p, again.string());
    gw::Project q;
    try {
        q = gw::load_project(again.string());
    } catch (const gw::Error& e) {
        std::fprintf(stderr, "a loaded project does not load after saving: %s\n", e.what());
        std::abort();
    }
    if (!same(p, q)) {
        std::fprintf(stderr, "a loaded project changes when saved and loaded again\n");
        std::abort();
    }
    return 0;
}
