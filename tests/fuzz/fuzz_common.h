#pragma once
/**
 * What the fuzz targets share: a scratch folder of their own on a RAM disk, where each input is
 * written as the file(s) the reader opens, and GDAL kept quiet.
 *
 * Why files and not GDAL's /vsimem/: open_dataset checks its sources with std::filesystem (a
 * missing path is reported before GDAL is asked, a shapefile's .cpg is looked up beside it), so a
 * /vsimem/ path would never get past the first check. A tmpfs file costs about the same.
 */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>

namespace gw::fuzz {

namespace fs = std::filesystem;

/** This process's scratch folder (created once; emptied by fresh_dir before each input). */
inline const fs::path& scratch() {
    static const fs::path dir = [] {
        fs::path base = fs::exists("/dev/shm") ? fs::path("/dev/shm") : fs::temp_directory_path();
        if (const char* t = std::getenv("GW_FUZZ_SCRATCH")) base = t;
        fs::path d = base / ("gridwatch-fuzz-" + std::to_string(getpid()));
        fs::create_directories(d);
        // Left behind only by a crash; an ordinary exit removes it.
        static struct Cleanup {
            fs::path d;
            ~Cleanup() {
                std::error_code ec;
                fs::remove_all(d, ec);
            }
        } cleanup{d};
        return d;
    }();
    return dir;
}

/** An empty folder `name` inside the scratch folder. */
inline fs::path fresh_dir(const std::string& name) {
    fs::path d = scratch() / name;
    std::error_code ec;
    fs::remove_all(d, ec);
    fs::create_directories(d);
    return d;
}

inline void write_file(const fs::path& p, const uint8_t* data, size_t size) {
    std::ofstream out(p, std::ios::binary);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
}

/** GDAL's messages off stderr (open_dataset still collects them for its errors). */
inline void quiet_gdal() {
    CPLSetErrorHandler(CPLQuietErrorHandler);
    // No network, ever: a crafted file must not make GDAL or PROJ reach out.
    CPLSetConfigOption("GDAL_HTTP_TIMEOUT", "1");
    CPLSetConfigOption("CPL_VSIL_CURL_ALLOWED_EXTENSIONS", "none");
    CPLSetConfigOption("PROJ_NETWORK", "OFF");
}

}  // namespace gw::fuzz
