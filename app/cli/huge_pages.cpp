// Starting gridwatch-core or gridwatch-lean, on huge pages for large inputs when asked (see huge_pages.h).
#include "app/cli/huge_pages.h"

#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace gw::app {

bool wants_huge_pages(const std::vector<std::string>& args, const char* tunables, const char* asked) {
    if (!asked || std::strcmp(asked, "1") != 0) return false;
    if (tunables && std::strstr(tunables, "glibc.malloc.hugetlb")) return false;
    std::uintmax_t total = 0;
    for (const auto& a : args) {
        std::error_code ec;
        if (a.empty() || a[0] == '-' || !std::filesystem::is_regular_file(a, ec)) continue;
        const std::uintmax_t size = std::filesystem::file_size(a, ec);
        if (!ec) total += size;
    }
    return total >= kHugePagesFrom;
}

const char* core_for(const std::vector<std::string>& args) {
    if (args.empty() || args[0].empty() || args[0][0] == '-') return "gridwatch-core";
    for (const char* command : kDrawOrSolve)
        if (args[0] == command) return "gridwatch-core";
    // Help is the core's, which lists every command (`gridwatch tyop --help` prints the whole list).
    for (const auto& a : args)
        if (a == "-h" || a == "--help") return "gridwatch-core";
    return "gridwatch-lean";
}

namespace {

/**
 * The program `name` in the folder of this program (found through /proc, else argv[0]'s folder),
 * or "" when neither says (argv[0] a bare name found on PATH, and no /proc): then it is looked for
 * on PATH as this program was, never in the current folder.
 */
std::string core_path(const char* argv0, const char* name) {
    std::error_code ec;
    std::filesystem::path self = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (ec || self.empty()) self = argv0 ? argv0 : "";
    const std::filesystem::path dir = self.parent_path();
    return dir.empty() ? std::string() : (dir / name).string();
}

}  // namespace

std::string start_core(int argc, char** argv) {
    if (argc < 1) return "started without a program name (argv[0])";
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    const std::vector<std::string> args(argv + 1, argv + argc);
    if (wants_huge_pages(args, tunables, std::getenv("GRIDWATCH_HUGE_PAGES"))) {
        std::string value = tunables && *tunables ? std::string(tunables) + ":" : std::string();
        value += "glibc.malloc.hugetlb=1";
        setenv("GLIBC_TUNABLES", value.c_str(), 1);  // on failure: small pages, the same answers
    }
    const char* name = core_for(args);
    const std::string core = core_path(argv[0], name);
    if (core.empty())
        execvp(name, argv);
    else execv(core.c_str(), argv);
    const int err = errno;
    return "cannot start " + (core.empty() ? name + std::string(" (on PATH)") : core) + ": " +
           std::strerror(err) +
           " (gridwatch-core and gridwatch-lean are built and installed beside gridwatch: build or install "
           "all three)";
}

}  // namespace gw::app
