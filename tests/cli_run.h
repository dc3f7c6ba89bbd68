#pragma once
// Runs the gridwatch binary for end-to-end tests and captures exit status, stdout and stderr.
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

namespace gwtest {

struct RunResult {
    int status = -1;
    std::string out, err;
    /** Lines of stderr that are not progress or warnings. */
    int error_lines() const {
        std::istringstream s(err);
        std::string line;
        int n = 0;
        while (std::getline(s, line))
            if (!line.empty() && line.rfind("warning:", 0) != 0) ++n;
        return n;
    }
};

inline std::string slurp(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

/** Runs `gridwatch ARGS` through the shell (ARGS is shell text). */
inline RunResult run_gridwatch(const std::string& args, const std::string& env = "") {
    static int counter = 0;
    auto base = std::filesystem::temp_directory_path() /
                ("gw_run_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    // A configuration folder of its own (the viewer keeps layer looks there): no run sees another's,
    // nor the user's. An `env` that sets XDG_CONFIG_HOME itself comes later on the line and wins.
    std::string cmd = "XDG_CONFIG_HOME=" + base.string() + ".cfg " + env + (env.empty() ? "" : " ") +
                      std::string(GRIDWATCH_BIN) + " " + args + " >" + base.string() + ".out 2>" + base.string() +
                      ".err </dev/null";
    int rc = std::system(cmd.c_str());
    RunResult r;
    r.status = WIFEXITED(rc) ? WEXITSTATUS(rc) : 128 + WTERMSIG(rc);
    r.out = slurp(base.string() + ".out");
    r.err = slurp(base.string() + ".err");
    std::filesystem::remove(base.string() + ".out");
    std::filesystem::remove(base.string() + ".err");
    std::filesystem::remove_all(base.string() + ".cfg");
    return r;
}

/** A fresh temporary folder, removed when the object goes. */
struct TempDir {
    std::filesystem::path path;
    explicit TempDir(const std::string& tag) {
        path = std::filesystem::temp_directory_path() / ("gw_" + tag + "_" + std::to_string(getpid()));
        std::filesystem::remove_all(path);
        std::filesystem::create_directories(path);
    }
    ~TempDir() { std::filesystem::remove_all(path); }
    std::string operator/(const std::string& name) const { return (path / name).string(); }
    void write(const std::string& name, const std::string& text) const {
        std::ofstream(path / name, std::ios::binary) << text;
    }
};

}  // namespace gwtest
