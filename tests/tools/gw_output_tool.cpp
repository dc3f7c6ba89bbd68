// A small driver for the kill harness (tests/kill_harness.sh):
//   gw_output_tool save-cameras SOURCE   the viewer's save path (geo/io/camera_store.cpp) on SOURCE:
//                                        every camera turned by 7° and renamed in Chinese, one added
//   gw_output_tool recover TARGET        what the next write of TARGET does first: finish a commit
//                                        cut short, remove temporaries of dead processes
#include <cmath>
#include <cstdio>
#include <string>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/io/camera_store.h"
#include "geo/io/dataset.h"

int main(int argc, char** argv) {
    if (argc != 3) {
        std::fprintf(stderr, "usage: gw_output_tool save-cameras SOURCE | recover TARGET\n");
        return 2;
    }
    const std::string cmd = argv[1], path = argv[2];
    try {
        if (cmd == "save-cameras") {
            gw::Dataset ds = gw::open_dataset({path});
            for (size_t i = 0; i < ds.cameras.size(); ++i) {
                ds.cameras[i].azimuth = std::fmod(ds.cameras[i].azimuth + 7, 360);
                ds.cameras[i].owner = "网格员" + std::to_string(i % 10);
            }
            if (!ds.cameras.empty()) {
                gw::Camera added = ds.cameras.front();
                added.fid = -1;
                added.cam_id = "新增-1";
                ds.cameras.push_back(added);
            }
            gw::save_cameras(path, ds);
            return 0;
        }
        if (cmd == "recover") {
            const bool finished = gw::recover_output(path);
            { gw::AtomicOutput tidy(path); }  // removes temporaries of dead processes beside it
            std::printf("%s\n", finished ? "finished an interrupted commit" : "nothing to finish");
            return 0;
        }
    } catch (const gw::Error& e) {
        std::fprintf(stderr, "gw_output_tool: %s\n", e.what());
        return 1;
    }
    std::fprintf(stderr, "unknown command %s\n", cmd.c_str());
    return 2;
}
