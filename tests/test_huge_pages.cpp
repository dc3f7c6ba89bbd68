// Large inputs run on huge pages when asked (app/cli/huge_pages.h): when the launcher asks for them,
// that a run on them answers exactly as a run without, and a launcher without its core says so.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "app/cli/huge_pages.h"
#include "cli_run.h"

namespace fs = std::filesystem;
using gw::app::kHugePagesFrom;
using gw::app::wants_huge_pages;

namespace {

/** A file of `size` bytes (sparse: nothing is written but its end). */
fs::path sized_file(const gwtest::TempDir& dir, const std::string& name, std::uintmax_t size) {
    const fs::path p = dir.path / name;
    std::ofstream(p).put('x');
    fs::resize_file(p, size);
    return p;
}

}  // namespace

TEST(HugePages, OnlyLargeFilesOnTheCommandLineAskForThemAndOnlyWhenAsked) {
    gwtest::TempDir dir("huge_pages");
    const std::string big = sized_file(dir, "big.gpkg", kHugePagesFrom).string();
    const std::string half = sized_file(dir, "half.gpkg", kHugePagesFrom / 2).string();
    const std::string small = sized_file(dir, "small.gpkg", 4096).string();

    // Not asked (GRIDWATCH_HUGE_PAGES unset, or not 1): small pages.
    EXPECT_FALSE(wants_huge_pages({"checks", big, "--json"}, nullptr, nullptr));
    EXPECT_FALSE(wants_huge_pages({"checks", big, "--json"}, nullptr, "0"));
    EXPECT_FALSE(wants_huge_pages({"checks", big, "--json"}, nullptr, ""));

    EXPECT_TRUE(wants_huge_pages({"checks", big, "--json"}, nullptr, "1"));
    EXPECT_FALSE(wants_huge_pages({"checks", small, "--json"}, nullptr, "1"));
    EXPECT_FALSE(wants_huge_pages({"checks", half}, nullptr, "1"));
    EXPECT_TRUE(wants_huge_pages({"render", half, half, "--out", "x.png"}, nullptr, "1"));  // files add up
    // Not files: a database, a folder, a file that is not there, an option.
    EXPECT_FALSE(wants_huge_pages({"stats", "PG:dbname=county", dir.path.string(), "/no/such.gpkg", "--json"},
                                  nullptr, "1"));
    // Already asked (the restarted process), or set by the user either way: left as it is.
    EXPECT_FALSE(wants_huge_pages({"checks", big}, "glibc.malloc.hugetlb=1", "1"));
    EXPECT_FALSE(
        wants_huge_pages({"checks", big}, "glibc.malloc.trim_threshold=1:glibc.malloc.hugetlb=0", "1"));
    EXPECT_TRUE(wants_huge_pages({"checks", big}, "glibc.malloc.trim_threshold=268435456", "1"));
    EXPECT_TRUE(wants_huge_pages({"checks", big}, "", "1"));
}

TEST(HugePages, ARunOnHugePagesAnswersAsARunWithout) {
    // The bundled community padded past the limit: SQLite reads the pages its header counts and
    // leaves the rest, so huge pages are asked for and the answer must not change.
    gwtest::TempDir dir("huge_pages_run");
    const fs::path padded = dir.path / "padded.gpkg";
    fs::copy_file(std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg", padded);
    fs::resize_file(padded, kHugePagesFrom + 4096);
    ASSERT_TRUE(wants_huge_pages({padded.string()}, nullptr, "1"));

    for (const std::string cmd : {"stats", "checks"}) {
        const auto restarted =
            gwtest::run_gridwatch(cmd + " " + padded.string() + " --json", "GRIDWATCH_HUGE_PAGES=1");
        const auto plain = gwtest::run_gridwatch(cmd + " " + padded.string() + " --json", "GLIBC_TUNABLES=glibc.malloc.hugetlb=0");
        ASSERT_EQ(restarted.status, 0) << cmd << ": " << restarted.err;
        ASSERT_EQ(plain.status, 0) << cmd << ": " << plain.err;
        EXPECT_EQ(restarted.out, plain.out) << cmd;
        EXPECT_EQ(restarted.err, plain.err) << cmd;
    }
    // An error, as one line, the same.
    const auto bad =
        gwtest::run_gridwatch("checks " + padded.string() + " --days 0", "GRIDWATCH_HUGE_PAGES=1");
    const auto bad_plain = gwtest::run_gridwatch("checks " + padded.string() + " --days 0", "GLIBC_TUNABLES=glibc.malloc.hugetlb=0");
    EXPECT_EQ(bad.status, bad_plain.status);
    EXPECT_NE(bad.status, 0);
    EXPECT_EQ(bad.err, bad_plain.err);
}

TEST(HugePages, TheLauncherGivesLargeInputsHugePagesWhenAskedAndSmallOnesNone) {
    // What gridwatch-core is given: its environment and arguments, printed by a script run by
    // the launcher in place of the core (a script named gridwatch-core beside a copy of it).
    gwtest::TempDir dir("launcher");
    fs::copy_file(GRIDWATCH_BIN, dir.path / "gridwatch");
    for (const char* core : {"gridwatch-core", "gridwatch-lean"}) {
        const fs::path probe = dir.path / core;
        std::ofstream(probe) << "#!/bin/sh\necho \"tunables=$GLIBC_TUNABLES args=$*\"\n";
        fs::permissions(probe, fs::perms::owner_all);
    }
    const std::string big = sized_file(dir, "big.gpkg", kHugePagesFrom).string();
    const std::string small = sized_file(dir, "small.gpkg", 4096).string();
    auto run = [&](const std::string& args, const std::string& env = "") {
        const std::string out = (dir.path / "out.txt").string();
        const int rc = std::system((env + " " + (dir.path / "gridwatch").string() + " " + args + " > " + out).c_str());
        EXPECT_EQ(rc, 0) << args;
        return gwtest::slurp(out);
    };
    // Not asked: the environment as it was.
    EXPECT_EQ(run("checks " + big + " --json", "GLIBC_TUNABLES= GRIDWATCH_HUGE_PAGES="),
              "tunables= args=checks " + big + " --json\n");
    const std::string asked = "GRIDWATCH_HUGE_PAGES=1 GLIBC_TUNABLES=";
    EXPECT_EQ(run("checks " + big + " --json", asked),
              "tunables=glibc.malloc.hugetlb=1 args=checks " + big + " --json\n");
    EXPECT_EQ(run("checks " + small, asked), "tunables= args=checks " + small + "\n");
    EXPECT_EQ(run("checks " + big, asked + "glibc.malloc.trim_threshold=1"),
              "tunables=glibc.malloc.trim_threshold=1:glibc.malloc.hugetlb=1 args=checks " + big + "\n");
    EXPECT_EQ(run("checks " + big, asked + "glibc.malloc.hugetlb=0"),
              "tunables=glibc.malloc.hugetlb=0 args=checks " + big + "\n");
    // Installed as a link elsewhere (/usr/local/bin/gridwatch -> …/gridwatch): the core beside the
    // program itself is run, not one beside the link.
    fs::create_directory(dir.path / "bin");
    fs::create_symlink(dir.path / "gridwatch", dir.path / "bin" / "gridwatch");
    const std::string out = (dir.path / "out.txt").string();
    ASSERT_EQ(std::system((dir.path / "bin" / "gridwatch").string().append(" info > ").append(out).c_str()), 0);
    EXPECT_EQ(gwtest::slurp(out), "tunables=" + std::string(std::getenv("GLIBC_TUNABLES") ? std::getenv("GLIBC_TUNABLES") : "") + " args=info\n");
}

TEST(HugePages, ALauncherWithoutItsCoreSaysWhichFileItMissesInOneLine) {
    gwtest::TempDir dir("launcher_alone");
    fs::copy_file(GRIDWATCH_BIN, dir.path / "gridwatch");
    const std::string err = (dir.path / "err.txt").string();
    for (const auto& [command, core] :
         {std::pair{"info", "gridwatch-lean"}, std::pair{"render", "gridwatch-core"}}) {
        const int rc =
            std::system(((dir.path / "gridwatch").string() + " " + command + " 2> " + err).c_str());
        ASSERT_TRUE(WIFEXITED(rc));
        EXPECT_EQ(WEXITSTATUS(rc), 1);
        EXPECT_EQ(gwtest::slurp(err),
                  "gridwatch: cannot start " + (dir.path / core).string() +
                      ": No such file or directory (gridwatch-core and gridwatch-lean are built and "
                      "installed beside gridwatch: build or install all three)\n");
    }
}

namespace {

/** The subcommands a program's --help lists, in its order. */
std::vector<std::string> subcommands_of(const fs::path& program) {
    gwtest::TempDir dir("help");
    const std::string out = (dir.path / "help.txt").string();
    EXPECT_EQ(std::system((program.string() + " --help > " + out).c_str()), 0) << program;
    std::istringstream help(gwtest::slurp(out));
    std::vector<std::string> names;
    bool listed = false;
    for (std::string line; std::getline(help, line);) {
        if (line.rfind("Subcommands:", 0) == 0)
            listed = true;
        else if (listed && line.rfind("  ", 0) == 0)
            names.push_back(line.substr(2, line.find(' ', 2) - 2));
    }
    return names;
}

}  // namespace

TEST(HugePages, TheCommandsThatDrawOrSolveRunInTheCoreEveryOtherInTheLeanProgram) {
    // Which program the launcher starts: probes named as the two, each saying its name.
    gwtest::TempDir dir("launcher_route");
    fs::copy_file(GRIDWATCH_BIN, dir.path / "gridwatch");
    for (const char* core : {"gridwatch-core", "gridwatch-lean"}) {
        std::ofstream(dir.path / core) << "#!/bin/sh\necho " << core << "\n";
        fs::permissions(dir.path / core, fs::perms::owner_all);
    }
    const auto started = [&](const std::string& args) {
        const std::string out = (dir.path / "out.txt").string();
        EXPECT_EQ(std::system(((dir.path / "gridwatch").string() + " " + args + " > " + out).c_str()), 0)
            << args;
        return gwtest::slurp(out);
    };
    // The real programs: the lean one has every command of the core but those that draw or solve.
    const fs::path build = fs::path(GRIDWATCH_BIN).parent_path();
    const std::vector<std::string> all = subcommands_of(build / "gridwatch-core");
    const std::vector<std::string> lean = subcommands_of(build / "gridwatch-lean");
    ASSERT_GE(all.size(), 14u);
    std::vector<std::string> expected;
    for (const auto& name : all) {
        const bool core_only = std::find(std::begin(gw::app::kDrawOrSolve), std::end(gw::app::kDrawOrSolve),
                                         name) != std::end(gw::app::kDrawOrSolve);
        if (!core_only) expected.push_back(name);
        EXPECT_EQ(started(name + " x.gpkg --json"), core_only ? "gridwatch-core\n" : "gridwatch-lean\n")
            << name;
    }
    EXPECT_EQ(lean, expected);
    EXPECT_EQ(expected.size() + std::size(gw::app::kDrawOrSolve), all.size());
    // Options before any command, none, an empty one, and help anywhere: the core, whose help lists
    // every command (a misspelt command with --help prints the whole list).
    EXPECT_EQ(started(""), "gridwatch-core\n");
    EXPECT_EQ(started("''"), "gridwatch-core\n");
    EXPECT_EQ(started("'' info"), "gridwatch-core\n");
    EXPECT_EQ(started("--help"), "gridwatch-core\n");
    EXPECT_EQ(started("--help view"), "gridwatch-core\n");
    EXPECT_EQ(started("--version"), "gridwatch-core\n");
    EXPECT_EQ(started("tyop --help"), "gridwatch-core\n");
    EXPECT_EQ(started("stats x.gpkg -h"), "gridwatch-core\n");
    EXPECT_EQ(started("stats --helpful"), "gridwatch-lean\n");
    // The lean program does not load what only drawing and solving need.
    const std::string libs = (dir.path / "libs.txt").string();
    ASSERT_EQ(std::system(("ldd " + (build / "gridwatch-lean").string() + " > " + libs).c_str()), 0);
    for (const char* lib : {"libglfw", "libepoxy", "libX11", "libCbc", "libClp"})
        EXPECT_EQ(gwtest::slurp(libs).find(lib), std::string::npos) << lib;
}
