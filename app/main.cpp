// gridwatch: one binary, one subcommand per job (SPEC §4).
// Exit status: 0 success, 1 runtime error (one line naming where and what), 2 usage error.
#include <CLI/CLI.hpp>
#include <cpl_conv.h>
#include <gdal.h>

#include <malloc.h>

#include <clocale>
#include <cstdio>
#include <exception>

#include "app/commands.h"
#include "geo/error.h"

int main(int argc, char** argv) {
    // A county's layers are large arrays read, reprojected and freed in turn: glibc hands blocks
    // over 128 KB back to the kernel at once and faults every page in again for the next one.
    // Keeping freed memory in the heap takes 2-3 % off a county coverage run.
    if (!mallopt(M_MMAP_THRESHOLD, 64 << 20)) mallopt(M_MMAP_THRESHOLD, 32 << 20);  // 32 MB: older glibc's most
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    std::setlocale(LC_ALL, "C.UTF-8");
    CLI::App app{"gridwatch — grid governance GIS (网格化管理): map viewer, coverage, hotspots, camera placement"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "gridwatch 0.1");
    gw::app::setup_info(app);
    gw::app::setup_stats(app);
    gw::app::setup_export(app);
    gw::app::setup_demo(app);
    gw::app::setup_view(app);
    gw::app::setup_render(app);
    gw::app::setup_coverage(app);
    gw::app::setup_hotspots(app);
    gw::app::setup_plan(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "gridwatch: %s (see gridwatch --help)\n", e.what());
        return 2;
    } catch (const gw::Error& e) {
        std::fprintf(stderr, "gridwatch: %s\n", e.what());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "gridwatch: out of memory (try a smaller extent or level)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gridwatch: %s\n", e.what());
        return 1;
    }
    GDALDestroyDriverManager();
    return 0;
}
