#pragma once
/**
 * Large inputs on transparent huge pages, when asked (GRIDWATCH_HUGE_PAGES=1). glibc backs its heap
 * with 2 MiB pages when told to (its tunable glibc.malloc.hugetlb=1), but reads that only from the
 * environment at start: so `gridwatch`, the command users type, is a small launcher
 * (app/launch.cpp) that sets it when asked and the files it is given are large, and starts
 * gridwatch-core (or gridwatch-lean, below), the program itself, beside it. The launcher loads libc
 * and libstdc++ alone (~1 ms); gridwatch-core loads 132 libraries (~50 ms), gridwatch-lean 115,
 * which a program that restarted itself would load twice.
 *
 * Not by default: on the virtual machines gridwatch is measured on (they hand the memory a guest
 * frees back to their host), a huge page taken fresh costs up to 25 ms to fault in, 0.08 GB/s
 * against 2.4–2.9 GB/s in 4 KiB pages. A county `plan --candidates auto` ran 10.0 s on them
 * (6.0 s of it in the kernel) and 4.7 s without; `render` 1.42 against 0.51 s (BENCHMARKS.md,
 * issue 17, fifth session). Where memory is the machine's own, huge pages spare a fault per 4 KiB.
 */
#include <cstdint>
#include <string>
#include <vector>

namespace gw::app {

/** Inputs at least this large (the files named on the command line together) are worth huge pages. */
constexpr std::uintmax_t kHugePagesFrom = 32ull << 20;

/**
 * Whether to ask for huge pages: GRIDWATCH_HUGE_PAGES (`asked`, null when unset) is "1", the files
 * among `args` (regular files only; a `PG:` source or a folder is not sized) add up to
 * kHugePagesFrom, and GLIBC_TUNABLES (`tunables`, null when unset) does not mention
 * glibc.malloc.hugetlb yet (a user who set it either way is left as they chose).
 */
bool wants_huge_pages(const std::vector<std::string>& args, const char* tunables, const char* asked);

/**
 * The commands that draw or solve: only gridwatch-core has them. Every other command runs in
 * gridwatch-lean, the same program (app/main.cpp) without them and without the 17 libraries only
 * they load (GLFW, X11, COIN-OR …): `--version` in 42–43 ms against the core's 50–53, and
 * gdal_floor's (a program that loads GDAL alone) 41 in the same runs (README, For developers).
 */
inline constexpr const char* kDrawOrSolve[] = {"view", "render", "plan"};

/**
 * The program that runs `args` (the arguments after the program's name): "gridwatch-lean" for a
 * command it has, else "gridwatch-core" (the commands that draw or solve, options before any
 * command such as --version, no arguments, and help anywhere: the core's lists every command).
 */
const char* core_for(const std::vector<std::string>& args);

/**
 * Starts the program core_for names from this program's folder with the same arguments,
 * glibc.malloc.hugetlb=1 added to GLIBC_TUNABLES when wants_huge_pages says so. Returns only when
 * it cannot be started, with the line to print (naming the path tried and why).
 */
std::string start_core(int argc, char** argv);

}  // namespace gw::app
