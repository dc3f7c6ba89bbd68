// The write-back buffer GDAL writes per-layer files through (geo/core/write_back_file.h): against the
// plain file on the same calls, and a disk that refuses the writes.
#include <cpl_error.h>
#include <cpl_vsi.h>
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <iterator>
#include <random>
#include <string>
#include <vector>

#include "geo/core/gdal_setup.h"
#include "geo/core/write_back_file.h"
#include "tests/cli_run.h"

using namespace gw;

namespace {

std::string file_bytes(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

}  // namespace

// The shapefile driver's pattern and worse: writes after seeks inside, before, after and far past
// the window, writes larger than it, reads between writes, seeks from the end, a reopen in "r+b",
// a truncation. The same calls on the plain file give the same bytes, reads and positions.
TEST(WriteBackFile, GivesThePlainFilesBytesReadsAndPositionsOnTheSameCalls) {
    gdal_setup();
    gwtest::TempDir dir("write_back");
    for (uint64_t seed = 1; seed <= 16; ++seed) {
        std::mt19937_64 rng(seed);
        const auto plain = dir / ("plain" + std::to_string(seed));
        const auto ours = dir / ("ours" + std::to_string(seed));
        const std::string paths[2] = {plain, write_back_path(ours)};
        for (const auto& p : {plain, ours}) std::ofstream(p, std::ios::binary) << std::string(10000, 'z');  // "w" empties
        VSILFILE* f[2] = {VSIFOpenL(paths[0].c_str(), "wb+"), VSIFOpenL(paths[1].c_str(), "wb+")};
        ASSERT_TRUE(f[0] && f[1]);
        std::vector<char> data;
        for (int step = 0; step < 300; ++step) {
            const int op = static_cast<int>(rng() % 10);
            if (op == 9 && step % 50 == 49) {  // closed and reopened for update
                for (int k = 0; k < 2; ++k) {
                    ASSERT_EQ(VSIFCloseL(f[k]), 0);
                    f[k] = VSIFOpenL(paths[k].c_str(), "r+b");
                    ASSERT_TRUE(f[k]);
                }
                continue;
            }
            vsi_l_offset at = 0;
            int whence = SEEK_SET;
            switch (rng() % 7) {
                case 0: at = rng() % 64, whence = SEEK_CUR; break;          // a little ahead
                case 6:  // a little back, as a negative offset's two's complement (before 0: refused)
                    at = static_cast<vsi_l_offset>(-static_cast<int64_t>(rng() % 600)), whence = SEEK_CUR;
                    break;
                case 1: at = 0, whence = SEEK_END; break;                   // the end
                case 2: at = rng() % (8u << 20), whence = SEEK_SET; break;  // anywhere, past the end too
                default: at = rng() % 4096, whence = SEEK_SET; break;       // near the start
            }
            size_t n = rng() % 3 == 0 ? rng() % 300 : rng() % 16;
            if (rng() % 40 == 0) n = (4u << 20) + rng() % 100000;  // larger than the window
            data.resize(n);
            for (size_t i = 0; i < n; i += 8) {
                const uint64_t r = rng();
                std::memcpy(data.data() + i, &r, std::min<size_t>(8, n - i));
            }
            if (op == 8 && step % 97 == 3) {
                const vsi_l_offset size = rng() % (1u << 20);
                EXPECT_EQ(VSIFTruncateL(f[0], size), VSIFTruncateL(f[1], size));
                continue;
            }
            const int sought = VSIFSeekL(f[0], at, whence);
            ASSERT_EQ(VSIFSeekL(f[1], at, whence), sought) << "seed " << seed << " step " << step;
            ASSERT_EQ(VSIFTellL(f[0]), VSIFTellL(f[1])) << "seed " << seed << " step " << step;
            // In elements of 1, 4 or 8 bytes (the shapefile library writes a record as one element).
            const size_t unit = size_t{1} << (rng() % 3 == 0 ? 0 : 2 + rng() % 2), count = n / unit;
            if (op < 2) {  // a read
                std::vector<char> got[2] = {std::vector<char>(n), std::vector<char>(n)};
                const size_t r0 = VSIFReadL(got[0].data(), unit, count, f[0]);
                const size_t r1 = VSIFReadL(got[1].data(), unit, count, f[1]);
                ASSERT_EQ(r0, r1) << "seed " << seed << " step " << step;
                got[0].resize(r0 * unit), got[1].resize(r1 * unit);
                ASSERT_EQ(got[0], got[1]) << "seed " << seed << " step " << step;
                EXPECT_EQ(VSIFEofL(f[0]) != 0, VSIFEofL(f[1]) != 0)
                    << "seed " << seed << " step " << step << " unit " << unit << " count " << count
                    << " read " << r0 << " at " << VSIFTellL(f[0]);
            } else {
                ASSERT_EQ(VSIFWriteL(data.data(), unit, count, f[0]), count);
                ASSERT_EQ(VSIFWriteL(data.data(), unit, count, f[1]), count);
            }
            ASSERT_EQ(VSIFTellL(f[0]), VSIFTellL(f[1])) << "seed " << seed << " step " << step;
        }
        ASSERT_EQ(VSIFCloseL(f[0]), 0);
        ASSERT_EQ(VSIFCloseL(f[1]), 0);
        ASSERT_EQ(file_bytes(plain), file_bytes(ours)) << "seed " << seed;
        VSIStatBufL st;
        ASSERT_EQ(VSIStatL(paths[1].c_str(), &st), 0) << "a stat through the prefix sees the disk's file";
        EXPECT_EQ(static_cast<uintmax_t>(st.st_size), std::filesystem::file_size(ours));
    }
}

// A disk that refuses every write (/dev/full): a buffered write is taken, and its refusal is a GDAL
// error naming the file when the window goes to the disk; a write larger than the window is refused
// at once.
TEST(WriteBackFile, ADiskThatRefusesTheWritesIsAGdalErrorNamingTheFile) {
    gdal_setup();
    CPLErrorReset();
    CPLPushErrorHandler(CPLQuietErrorHandler);
    VSILFILE* f = VSIFOpenL(write_back_path("/dev/full").c_str(), "wb");
    ASSERT_TRUE(f);
    const std::string small(100, 'x');
    EXPECT_EQ(VSIFWriteL(small.data(), 1, small.size(), f), small.size());
    EXPECT_EQ(CPLGetLastErrorType(), CE_None);
    EXPECT_NE(VSIFCloseL(f), 0);
    EXPECT_EQ(CPLGetLastErrorType(), CE_Failure);
    EXPECT_NE(std::string(CPLGetLastErrorMsg()).find("/dev/full"), std::string::npos) << CPLGetLastErrorMsg();
    EXPECT_NE(std::string(CPLGetLastErrorMsg()).find("No space"), std::string::npos) << CPLGetLastErrorMsg();

    EXPECT_NE(take_write_back_failure().find("/dev/full"), std::string::npos) << "kept until asked";
    EXPECT_EQ(take_write_back_failure(), "") << "and forgotten then";

    // A buffered write taken, the next one elsewhere refused when the first goes to the disk.
    CPLErrorReset();
    f = VSIFOpenL(write_back_path("/dev/full").c_str(), "wb");
    ASSERT_TRUE(f);
    EXPECT_EQ(VSIFWriteL(small.data(), 1, small.size(), f), small.size());
    ASSERT_EQ(VSIFSeekL(f, 1u << 24, SEEK_SET), 0);
    EXPECT_EQ(VSIFWriteL(small.data(), 1, small.size(), f), 0u);
    EXPECT_EQ(CPLGetLastErrorType(), CE_Failure);
    VSIFCloseL(f);
    take_write_back_failure();

    CPLErrorReset();
    f = VSIFOpenL(write_back_path("/dev/full").c_str(), "wb");
    ASSERT_TRUE(f);
    const std::string large(5u << 20, 'y');
    EXPECT_EQ(VSIFWriteL(large.data(), 1, large.size(), f), 0u);
    EXPECT_EQ(CPLGetLastErrorType(), CE_Failure);
    VSIFCloseL(f);
    take_write_back_failure();
    CPLPopErrorHandler();
}

// The export on a disk that takes no file over 32 KB (RLIMIT_FSIZE, SIGXFSZ ignored: writes past
// it fail with EFBIG, as on a full disk): exit 1 and one line naming the layer and the refusal, no
// output and no temporary left behind.
TEST(WriteBackFile, AnExportTheDiskRefusesEndsWithOneLineAndLeavesNothing) {
    gwtest::TempDir dir("write_back_full");
    const std::string data = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    const std::string cmd = "(trap '' XFSZ; ulimit -f 64; exec " + std::string(GRIDWATCH_BIN) + " export " +
                            data + " --out " + (dir / "out") + ") >" + (dir / "o.txt") + " 2>" +
                            (dir / "e.txt");
    const int rc = std::system(cmd.c_str());
    ASSERT_TRUE(WIFEXITED(rc));
    EXPECT_EQ(WEXITSTATUS(rc), 1);
    const std::string err = file_bytes(dir / "e.txt");
    EXPECT_EQ(std::count(err.begin(), err.end(), '\n'), 1) << err;
    EXPECT_NE(err.find("layer 'grids_L4'"), std::string::npos) << err;
    EXPECT_NE(err.find("File too large"), std::string::npos) << err;
    std::vector<std::string> left;
    for (const auto& e : std::filesystem::directory_iterator(dir.path))
        left.push_back(e.path().filename().string());
    std::sort(left.begin(), left.end());
    EXPECT_EQ(left, (std::vector<std::string>{"e.txt", "o.txt"}));
}
