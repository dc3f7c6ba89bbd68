// gridwatch-core: the program `gridwatch` starts (app/launch.cpp), one subcommand per job (SPEC §4);
// built again as gridwatch-lean without the commands that draw or solve (app/cli/huge_pages.h).
// Exit status: 0 success, 1 runtime error (one line naming where and what), 2 usage error.
#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>
#include <malloc.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <clocale>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <mutex>
#include <string>
#include <vector>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/core/error.h"
#include "geo/core/text.h"

namespace {

/**
 * GDAL's messages that no reader collected into its own error (geo/io/dataset.cpp does, for every
 * file and layer it reads): never printed as GDAL's own "ERROR n:" lines beside gridwatch's one
 * line (SPEC §4). A failed command prints its line alone; a finished one tells GDAL's errors and
 * warnings as "warning:" lines at the end, each once.
 */
struct GdalMessages {
    std::mutex mutex;
    std::vector<std::string> lines;
    size_t repeats = 0;

    static void CPL_STDCALL handler(CPLErr cls, CPLErrorNum, const char* msg) {
        if (cls == CE_Debug) {
            std::fprintf(stderr, "GDAL debug: %s\n", gw::without_secrets(msg ? msg : "").c_str());
            return;
        }
        auto& self = instance();
        std::lock_guard lock(self.mutex);
        std::string line = std::string(cls >= CE_Failure ? "GDAL error: " : "GDAL: ") + (msg ? msg : "");
        if (std::find(self.lines.begin(), self.lines.end(), line) != self.lines.end() || self.lines.size() >= 5)
            ++self.repeats;
        else
            self.lines.push_back(std::move(line));
    }
    static GdalMessages& instance() {
        static GdalMessages m;
        return m;
    }
    void print_as_warnings() {
        std::lock_guard lock(mutex);
        for (const auto& l : lines) std::fprintf(stderr, "warning: %s\n", gw::without_secrets(l).c_str());
        if (repeats) std::fprintf(stderr, "warning: GDAL: %zu more message(s) like these\n", repeats);
    }
};

/** std::filesystem's text ("filesystem error: status: Permission denied [x]") as one of our lines. */
std::string filesystem_line(const std::filesystem::filesystem_error& e) {
    std::string where = e.path1().string();
    if (where.empty()) where = "a file";
    return where + ": " + e.code().message() + " (check the path and the permissions of its folders)";
}

}  // namespace

int main(int argc, char** argv) {
    // A county's layers are large arrays read, reprojected and freed in turn: glibc hands blocks
    // over 128 KB back to the kernel at once and faults every page in again for the next one.
    // Keeping freed memory in the heap takes 2-3 % off a county coverage run.
    if (!mallopt(M_MMAP_THRESHOLD, 64 << 20)) mallopt(M_MMAP_THRESHOLD, 32 << 20);  // 32 MB: older glibc's most
    mallopt(M_TRIM_THRESHOLD, 256 << 20);
    std::setlocale(LC_ALL, "C.UTF-8");
    CPLSetErrorHandler(&GdalMessages::handler);
    CLI::App app{"gridwatch — grid governance GIS (网格化管理): map viewer, coverage, hotspots, camera placement"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "gridwatch 0.1");
    gw::app::setup_info(app);
    gw::app::setup_stats(app);
    gw::app::setup_export(app);
    gw::app::setup_demo(app);
#ifndef GRIDWATCH_LEAN  // gridwatch-lean: the commands that neither draw nor solve (app/cli/huge_pages.h)
    gw::app::setup_view(app);
    gw::app::setup_render(app);
#endif
    gw::app::setup_coverage(app);
    gw::app::setup_hotspots(app);
#ifndef GRIDWATCH_LEAN
    gw::app::setup_plan(app);
#endif
    gw::app::setup_checks(app);
    gw::app::setup_import(app);
    gw::app::setup_patrols(app);
    gw::app::setup_db(app);
    gw::app::setup_edit(app);
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        std::fprintf(stderr, "gridwatch: %s (see gridwatch --help)\n",
                     gw::without_secrets(gw::one_line(e.what())).c_str());
        return 2;
    } catch (const gw::Error& e) {
        std::fprintf(stderr, "gridwatch: %s\n", gw::without_secrets(gw::one_line(e.what())).c_str());
        return 1;
    } catch (const std::filesystem::filesystem_error& e) {
        std::fprintf(stderr, "gridwatch: %s\n", gw::without_secrets(filesystem_line(e)).c_str());
        return 1;
    } catch (const std::bad_alloc&) {
        std::fprintf(stderr, "gridwatch: out of memory (try a smaller extent or level)\n");
        return 1;
    } catch (const std::exception& e) {
        std::fprintf(stderr, "gridwatch: %s\n", gw::without_secrets(gw::one_line(e.what())).c_str());
        return 1;
    }
    gw::app::release_warnings();
    GdalMessages::instance().print_as_warnings();
    GDALDestroyDriverManager();
    return 0;
}
