#include "geo/core/parallel.h"

#include <cstdlib>
#include <filesystem>
#include <string>

#include "geo/core/error.h"

namespace gw {

const char* injected_fault_site() {
    static const char* site = [] {
        const char* v = std::getenv("GRIDWATCH_FAULT_IN_WORKER");
        return v && *v ? v : nullptr;
    }();
    return site;
}

bool fault_injected_at_site(const CallSite& where) {
    const std::string file = std::filesystem::path(where.file).filename().string();
    const std::string site = injected_fault_site();
    return site == file || site == file + ":" + std::to_string(where.line);
}

void throw_injected_fault(const CallSite& where) {
    throw Error("a fault injected on a worker in " + std::filesystem::path(where.file).filename().string() + ":" +
                    std::to_string(where.line) + " (GRIDWATCH_FAULT_IN_WORKER)",
                {}, "unset GRIDWATCH_FAULT_IN_WORKER");
}

}  // namespace gw
