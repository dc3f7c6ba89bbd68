// Restarting on huge pages for large inputs (see huge_pages.h).
#include "app/cli/huge_pages.h"

#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <system_error>

namespace gw::app {

bool wants_huge_pages(const std::vector<std::string>& args, const char* tunables) {
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

void restart_with_huge_pages(int argc, char** argv) {
    const char* tunables = std::getenv("GLIBC_TUNABLES");
    if (!wants_huge_pages(std::vector<std::string>(argv + 1, argv + argc), tunables)) return;
    std::string value = tunables && *tunables ? std::string(tunables) + ":" : std::string();
    value += "glibc.malloc.hugetlb=1";
    if (setenv("GLIBC_TUNABLES", value.c_str(), 1) != 0) return;
    execv("/proc/self/exe", argv);
    // No /proc, or the binary replaced meanwhile: go on with small pages, and keep the
    // environment as it was for any program this one starts.
    if (tunables) setenv("GLIBC_TUNABLES", tunables, 1);
    else unsetenv("GLIBC_TUNABLES");
}

}  // namespace gw::app
