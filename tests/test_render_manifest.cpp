// Render tests driven by a manifest, the MapLibre Native way: each folder tests/render/<case>/ holds
// case.json (the dataset, the `gridwatch render` arguments, the tolerance) and expected.png. This
// one driver finds the folders when it runs and renders each case through the real binary, so a new
// case is a new folder, not new code. GRIDWATCH_UPDATE_RENDER=1 writes the images the current code
// makes as the new expected.png (look at them before committing).
//
// case.json:
//   "description": what the case shows (for the reader),
//   "dataset":     a path relative to the repository (e.g. "data/dapingzi.gpkg"), or
//   "demo":        arguments of `gridwatch demo` making the dataset in a temporary folder,
//   "args":        the render arguments after the dataset, without --out,
//   "tolerance":   {"channel": N, "max_share": S}: at most the share S of the pixels may differ
//                  by more than N in some channel.
#include <gdal_priv.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <iomanip>
#include <nlohmann/json.hpp>

#include "tests/cli_run.h"
#include "tests/viewer_run.h"

namespace fs = std::filesystem;
using gwtest::run_gridwatch;
using Image = gwtest::Shot;  // RGB, rows from the top

namespace {

const fs::path kCasesDir = fs::path(GRIDWATCH_SOURCE_DIR) / "tests" / "render";

/** Where a failing case leaves its actual and diff images: the build folder. */
fs::path results_dir(const std::string& name) {
    return fs::path(GRIDWATCH_BIN).parent_path() / "render-results" / name;
}

struct RenderCase {
    std::string name;  // the folder's name
    fs::path dir;
};

// Failure messages name the case, not its bytes.
void PrintTo(const RenderCase& k, std::ostream* os) { *os << k.name; }

std::vector<RenderCase> discover_cases() {
    std::vector<RenderCase> cases;
    std::error_code ec;
    for (const auto& e : fs::directory_iterator(kCasesDir, ec))
        if (e.is_directory() && fs::exists(e.path() / "case.json"))
            cases.push_back({e.path().filename().string(), e.path()});
    std::sort(cases.begin(), cases.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
    return cases;
}

/** Single-quoted for the shell (run_gridwatch takes shell text). */
std::string shell_quoted(const std::string& s) {
    std::string q = "'";
    for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
    return q + "'";
}

void write_png(const fs::path& p, const Image& img) {
    GDALAllRegister();
    GDALDatasetUniquePtr mem(GetGDALDriverManager()->GetDriverByName("MEM")->Create("", img.w, img.h, 3, GDT_Byte,
                                                                                      nullptr));
    int bands[3] = {1, 2, 3};
    if (mem->RasterIO(GF_Write, 0, 0, img.w, img.h, const_cast<uint8_t*>(img.rgb.data()), img.w, img.h, GDT_Byte,
                      3, bands, 3, 3 * img.w, 1, nullptr) != CE_None)
        return;
    GDALDatasetUniquePtr png(
        GetGDALDriverManager()->GetDriverByName("PNG")->CreateCopy(p.c_str(), mem.get(), false, nullptr, nullptr, nullptr));
}

/** The MapLibre look: the expected image faded to grey, differing pixels red. */
Image diff_image(const Image& want, const Image& got, int channel, size_t* differing) {
    Image d{want.w, want.h, std::vector<uint8_t>(want.rgb.size())};
    *differing = 0;
    for (size_t i = 0; i < want.rgb.size(); i += 3) {
        int worst = 0;
        for (int c = 0; c < 3; ++c) worst = std::max(worst, std::abs(int(want.rgb[i + c]) - int(got.rgb[i + c])));
        if (worst > channel) {
            ++*differing;
            d.rgb[i] = 255, d.rgb[i + 1] = 0, d.rgb[i + 2] = 0;
        } else {
            const int grey = (want.rgb[i] + want.rgb[i + 1] + want.rgb[i + 2]) / 3;
            d.rgb[i] = d.rgb[i + 1] = d.rgb[i + 2] = uint8_t(255 - (255 - grey) / 4);
        }
    }
    return d;
}

bool updating() {
    const char* u = std::getenv("GRIDWATCH_UPDATE_RENDER");
    return u && std::string(u) == "1";
}

}  // namespace

TEST(RenderManifest, CasesAreFound) {
    // The driver must not pass by testing nothing (a moved folder, a wrong path).
    EXPECT_GE(discover_cases().size(), 3u) << "no render cases under " << kCasesDir;
}

class RenderManifest : public ::testing::TestWithParam<RenderCase> {};

TEST_P(RenderManifest, MatchesExpectedImage) {
    const RenderCase& k = GetParam();
    const nlohmann::json spec = nlohmann::json::parse(gwtest::slurp(k.dir / "case.json"), nullptr, false);
    ASSERT_FALSE(spec.is_discarded()) << k.dir / "case.json" << " is not JSON";
    ASSERT_TRUE(spec.contains("dataset") != spec.contains("demo"))
        << k.dir / "case.json" << ": give either \"dataset\" or \"demo\"";
    ASSERT_TRUE(spec.contains("args") && spec["args"].is_array()) << k.dir / "case.json" << ": \"args\" list missing";
    const int channel = spec.at("tolerance").at("channel").get<int>();
    const double max_share = spec.at("tolerance").at("max_share").get<double>();

    gwtest::TempDir tmp("render_manifest_" + k.name);
    std::string dataset;
    if (spec.contains("demo")) {
        dataset = tmp / "demo.gpkg";
        std::string demo = "demo --out " + shell_quoted(dataset);
        for (const auto& a : spec["demo"]) demo += " " + shell_quoted(a.get<std::string>());
        auto r = run_gridwatch(demo);
        ASSERT_EQ(r.status, 0) << "gridwatch " << demo << "\n" << r.err;
    } else {
        dataset = (fs::path(GRIDWATCH_SOURCE_DIR) / spec["dataset"].get<std::string>()).string();
    }
    const std::string actual_path = tmp / "actual.png";
    std::string args = "render " + shell_quoted(dataset) + " --out " + shell_quoted(actual_path);
    for (const auto& a : spec["args"]) args += " " + shell_quoted(a.get<std::string>());
    // No display: the off-screen path every user of `render` on a server gets.
    auto r = run_gridwatch(args, "env -u DISPLAY -u WAYLAND_DISPLAY");
    ASSERT_EQ(r.status, 0) << "gridwatch " << args << "\n" << r.err;
    const Image got = gwtest::load_shot(actual_path);
    ASSERT_FALSE(got.rgb.empty()) << "cannot read " << actual_path;

    const fs::path expected_path = k.dir / "expected.png";
    if (updating()) {
        fs::copy_file(actual_path, expected_path, fs::copy_options::overwrite_existing);
        std::cout << "[ updated  ] " << expected_path.string() << "\n";
        return;
    }
    const fs::path out = results_dir(k.name);
    fs::remove_all(out);  // no stale images from an earlier failure
    ASSERT_TRUE(fs::exists(expected_path)) << expected_path << " missing: make it with GRIDWATCH_UPDATE_RENDER=1";
    const Image want = gwtest::load_shot(expected_path.string());
    ASSERT_FALSE(want.rgb.empty()) << "cannot read " << expected_path;

    auto keep_results = [&](const Image* diff) {
        fs::create_directories(out);
        write_png(out / "actual.png", got);
        if (diff) write_png(out / "diff.png", *diff);
        return out;
    };
    if (want.w != got.w || want.h != got.h) {
        keep_results(nullptr);
        FAIL() << k.name << ": " << got.w << "x" << got.h << " rendered, " << want.w << "x" << want.h
               << " expected; actual image " << (out / "actual.png");
    }
    size_t differing = 0;
    const Image diff = diff_image(want, got, channel, &differing);
    const double share = double(differing) / (size_t(want.w) * want.h);
    if (share > max_share) {
        keep_results(&diff);
        ADD_FAILURE() << std::setprecision(3) << k.name << ": " << differing << " pixels (" << share * 100
                      << "%) differ by more than " << channel << " in some channel, at most " << max_share * 100
                      << "% allowed\n"
                      << "  expected " << expected_path << "\n  actual   " << (out / "actual.png") << "\n  diff     "
                      << (out / "diff.png") << " (red: differing pixels)\n"
                      << "  if the change is intended: GRIDWATCH_UPDATE_RENDER=1 ctest -R RenderManifest";
    }
}

INSTANTIATE_TEST_SUITE_P(Cases, RenderManifest, ::testing::ValuesIn(discover_cases()),
                         [](const ::testing::TestParamInfo<RenderCase>& info) {
                             std::string n = info.param.name;  // test names take letters, digits and _
                             for (char& c : n)
                                 if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                             return n;
                         });
