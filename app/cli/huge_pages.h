#pragma once
/**
 * Large inputs on transparent huge pages. A county's layers become hundreds of megabytes of
 * records, vertices and buffers, each touched first right after it is allocated; on the virtual
 * machines gridwatch is measured on, every 4 KiB page fault is an exit to the hypervisor, and a
 * county `render` spent a third of its CPU time in them. glibc backs its heap with 2 MiB pages
 * when asked (its tunable glibc.malloc.hugetlb=1), but reads that only from the environment at
 * start: so `gridwatch`, the command users type, is a small launcher (app/launch.cpp) that sets
 * it when the files it is given are large and starts gridwatch-core, the program itself, beside it.
 * The launcher loads libc and libstdc++ alone (~1 ms); gridwatch-core loads 132 libraries (~75 ms),
 * which a program that restarted itself would load twice.
 */
#include <cstdint>
#include <string>
#include <vector>

namespace gw::app {

/** Inputs at least this large (the files named on the command line together) are worth huge pages. */
constexpr std::uintmax_t kHugePagesFrom = 32ull << 20;

/**
 * Whether to ask for huge pages: the files among `args` (regular files only; a `PG:` source or a
 * folder is not sized) add up to kHugePagesFrom, and GLIBC_TUNABLES (`tunables`, null when unset)
 * does not mention glibc.malloc.hugetlb yet (a user who set it either way is left as they chose).
 */
bool wants_huge_pages(const std::vector<std::string>& args, const char* tunables);

/**
 * Starts gridwatch-core from this program's folder with the same arguments, glibc.malloc.hugetlb=1
 * added to GLIBC_TUNABLES when wants_huge_pages says so. Returns only when it cannot be started,
 * with the line to print (naming the path tried and why).
 */
std::string start_core(int argc, char** argv);

}  // namespace gw::app
