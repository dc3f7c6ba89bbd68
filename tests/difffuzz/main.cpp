// gridwatch_difffuzz: differential fuzzing of coverage geometry (tests/difffuzz/difffuzz.h).
//   gridwatch_difffuzz --seed S --cases N        N cases from seed S (CTest runs a fixed slice)
//   gridwatch_difffuzz --seed S --time SEC       as many cases as fit in SEC seconds
//   gridwatch_difffuzz --seed S --only I --print replay case I, print it as a C++ literal
// Of every 100 cases, 96 are union_area_within cases, 3 whole-dataset coverage cases and 1 an
// occlusion case. Exit status 1 when any case fails, 2 on bad usage.
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "geo/core/geos.h"
#include "tests/difffuzz/difffuzz.h"

using namespace gw;
using namespace gw::fuzz;

namespace {

enum Kind { kUnion, kCoverage, kOcclusion };
Kind kind_of(uint64_t i) {
    const uint64_t k = i % 100;
    return k < 3 ? kCoverage : k == 3 ? kOcclusion : kUnion;
}

void usage() {
    std::fprintf(stderr, "usage: gridwatch_difffuzz [--seed S] [--cases N | --time SEC] [--first I] [--only I] [--print]\n"
                         "                          [--lattice M] [--max-failures K]\n");
}

}  // namespace

int main(int argc, char** argv) {
    uint64_t seed = 1, cases = 1000, first = 0;
    double time_limit = 0, lattice = 0.5;
    bool print = false, only = false;
    int max_failures = 20;
    for (int i = 1; i < argc; ++i) {
        auto arg = [&](const char* name) { return std::strcmp(argv[i], name) == 0 && i + 1 < argc; };
        if (arg("--seed")) seed = std::strtoull(argv[++i], nullptr, 10);
        else if (arg("--cases")) cases = std::strtoull(argv[++i], nullptr, 10);
        else if (arg("--first")) first = std::strtoull(argv[++i], nullptr, 10);
        else if (arg("--only")) first = std::strtoull(argv[++i], nullptr, 10), cases = 1, only = true;
        else if (arg("--time")) time_limit = std::atof(argv[++i]), cases = UINT64_MAX;
        else if (arg("--lattice")) lattice = std::atof(argv[++i]);
        else if (arg("--max-failures")) max_failures = std::atoi(argv[++i]);
        else if (std::strcmp(argv[i], "--print") == 0) print = true;
        else {
            usage();
            return 2;
        }
    }
    const auto t0 = std::chrono::steady_clock::now();
    auto elapsed = [&] { return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count(); };
    uint64_t done[3] = {}, failed = 0;
    double worst = 0;  // largest |ours − want| / tol among the area checks
    for (uint64_t i = first; i - first < cases; ++i) {
        if (time_limit > 0 && (i - first) % 64 == 0 && elapsed() > time_limit) break;
        const Kind kind = only ? kind_of(i) : kind_of(i);
        std::vector<Verdict> vs;
        std::string shown;
        try {
            if (kind == kUnion) {
                UnionCase c = make_union_case(seed, i);
                Verdict v = check_union(c);
                vs.push_back(v);
                if (!v.ok || print) {
                    UnionCase m = v.ok ? c : minimise(c);
                    shown = to_literal(m, "seed " + std::to_string(seed) + " case " + std::to_string(i));
                    if (!v.ok) {
                        Verdict mv = check_union(m);
                        char buf[200];
                        std::snprintf(buf, sizeof buf, "\n  minimised: ours %.9f, GEOS %.9f, tolerance %.3g", mv.ours, mv.want, mv.tol);
                        shown = buf + std::string("\n") + shown;
                    }
                }
            } else if (kind == kCoverage) {
                vs = check_coverage(make_coverage_dataset(seed, i));
            } else {
                OcclusionCase c = make_occlusion_case(seed, i);
                vs.push_back(check_occlusion(c, lattice));
                if (print || !vs.back().ok) shown = "  " + c.recipe;
            }
        } catch (const std::exception& e) {
            Verdict v;
            v.ok = false;
            v.what = std::string("exception: ") + e.what();
            vs.push_back(v);
        }
        ++done[kind];
        bool ok = true;
        for (const auto& v : vs) {
            if (v.tol > 0) worst = std::max(worst, std::abs(v.ours - v.want) / v.tol);
            if (!v.ok) {
                ok = false;
                std::printf("FAIL seed %llu case %llu: %s: ours %.9f, want %.9f, |diff| %.3g > tolerance %.3g\n",
                            static_cast<unsigned long long>(seed), static_cast<unsigned long long>(i), v.what.c_str(), v.ours,
                            v.want, std::abs(v.ours - v.want), v.tol);
            }
        }
        if (!ok || print) std::printf("%s\n", shown.c_str());
        if (!ok && ++failed >= static_cast<uint64_t>(max_failures)) break;
        std::fflush(stdout);
    }
    std::printf("difffuzz seed %llu: %llu union, %llu coverage, %llu occlusion cases in %.1f s; %llu failed; worst |diff|/tolerance %.3g\n",
                static_cast<unsigned long long>(seed), static_cast<unsigned long long>(done[0]),
                static_cast<unsigned long long>(done[1]), static_cast<unsigned long long>(done[2]), elapsed(),
                static_cast<unsigned long long>(failed), worst);
    return failed ? 1 : 0;
}
