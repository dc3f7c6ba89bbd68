/**
 * Runs a fuzz target without libFuzzer: every file in the folders (or the files) given is passed
 * to LLVMFuzzerTestOneInput once, in name order. The ordinary build's CTest uses it to replay the
 * seed corpus and the inputs that once found a bug (tests/fuzz/regressions/).
 */
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <vector>

extern "C" int LLVMFuzzerInitialize(int* argc, char*** argv);
extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

int main(int argc, char** argv) {
    namespace fs = std::filesystem;
    LLVMFuzzerInitialize(&argc, &argv);
    std::vector<fs::path> files;
    for (int i = 1; i < argc; ++i) {
        const fs::path p = argv[i];
        if (fs::is_directory(p)) {
            for (const auto& e : fs::recursive_directory_iterator(p))
                if (e.is_regular_file() && e.path().filename() != "README.md") files.push_back(e.path());
        } else if (fs::exists(p)) {
            files.push_back(p);
        } else {
            // A target without regressions yet has no folder for them: nothing to replay there.
            std::printf("%s: no such file or folder, skipped\n", argv[i]);
        }
    }
    std::sort(files.begin(), files.end());
    for (const auto& f : files) {
        std::ifstream in(f, std::ios::binary);
        std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        std::printf("%s\n", f.string().c_str());
        std::fflush(stdout);
        LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    }
    std::printf("%zu input(s) replayed\n", files.size());
    return 0;
}
