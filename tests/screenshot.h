#pragma once
// Screenshots the viewer tests write (PNG), read back as RGB through GDAL.
#include <gdal_priv.h>

#include <cstdint>
#include <string>
#include <vector>

namespace gwtest {

struct Shot {
    int w = 0, h = 0;
    std::vector<uint8_t> rgb;  // rows from the top, 3 bytes a pixel; empty when the file is unreadable
};

inline Shot load_shot(const std::string& path) {
    GDALAllRegister();
    Shot s;
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_RASTER));
    if (!ds) return s;
    s.w = ds->GetRasterXSize(), s.h = ds->GetRasterYSize();
    s.rgb.resize(size_t(s.w) * s.h * 3);
    int bands[] = {1, 2, 3};
    if (ds->RasterIO(GF_Read, 0, 0, s.w, s.h, s.rgb.data(), s.w, s.h, GDT_Byte, 3, bands, 3, GSpacing(s.w) * 3, 1,
                     nullptr) != CE_None)
        s.rgb.clear();
    return s;
}

}  // namespace gwtest
