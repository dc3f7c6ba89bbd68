#pragma once
/**
 * Large inputs on transparent huge pages. A county's layers become hundreds of megabytes of
 * records, vertices and buffers, each touched first right after it is allocated; on the virtual
 * machines gridwatch is measured on, every 4 KiB page fault is an exit to the hypervisor, and a
 * county `render` spent a third of its CPU time in them. glibc backs its heap with 2 MiB pages
 * when asked (its tunable glibc.malloc.hugetlb=1), but reads that only from the environment at
 * start: so a process that is about to read large files runs itself again with it set.
 */
#include <cstdint>
#include <string>
#include <vector>

namespace gw::app {

/** Inputs at least this large (the files named on the command line together) are worth a restart. */
constexpr std::uintmax_t kHugePagesFrom = 32ull << 20;

/**
 * Whether to restart with huge pages: the files among `args` (regular files only; a `PG:` source
 * or a folder is not sized) add up to kHugePagesFrom, and GLIBC_TUNABLES (`tunables`, null when
 * unset) does not mention glibc.malloc.hugetlb yet (so a restarted process, or a user who set it
 * either way, is left as it is).
 */
bool wants_huge_pages(const std::vector<std::string>& args, const char* tunables);

/**
 * Runs this program again (/proc/self/exe, same arguments) with glibc.malloc.hugetlb=1 added to
 * GLIBC_TUNABLES when wants_huge_pages says so. Returns only when it does not restart, or when
 * the restart fails (the process then goes on as it is).
 */
void restart_with_huge_pages(int argc, char** argv);

}  // namespace gw::app
