// gridwatch, the command users type: starts gridwatch-core (app/main.cpp) beside it with the same
// arguments, or gridwatch-lean for the commands that neither draw nor solve, on huge pages when asked
// and the input files are large (app/cli/huge_pages.h). It links nothing but the C++ runtime, so that
// the program's libraries are loaded once.
#include <cstdio>

#include "app/cli/huge_pages.h"

int main(int argc, char** argv) {
    const std::string why = gw::app::start_core(argc, argv);
    std::fprintf(stderr, "gridwatch: %s\n", why.c_str());
    return 1;
}
