#pragma once
// ogr2ogr in process, for tests that rewrite the bundled community as a grid office's own data
// would come (other layer and field names, other values).
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <string>
#include <vector>

#include "geo/core/gdal_setup.h"

namespace gwtest {

inline const std::string kBundledGpkg = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";

/** ogr2ogr in process: `src` into `out` with ogr2ogr's arguments (`-f`, layer names, …). */
inline void translate(const std::string& src, const std::string& out, std::vector<std::string> args) {
    gw::gdal_setup();
    GDALDatasetH in = GDALOpenEx(src.c_str(), GDAL_OF_VECTOR, nullptr, nullptr, nullptr);
    ASSERT_TRUE(in) << src;
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    GDALVectorTranslateOptions* o = GDALVectorTranslateOptionsNew(argv.data(), nullptr);
    int usage = 0;
    GDALDatasetH d = GDALVectorTranslate(out.c_str(), nullptr, 1, &in, o, &usage);
    GDALVectorTranslateOptionsFree(o);
    ASSERT_TRUE(d) << out << ": " << CPLGetLastErrorMsg();
    GDALClose(d);
    GDALClose(in);
}

/**
 * Adds to `ds` a layer no role of SPEC §3 uses (a river, 县界河流, one line near the bundled
 * community, in `epsg`'s lon/lat), as an office's own data brings them.
 */
inline void add_river_layer(GDALDataset& ds, int epsg) {
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    OGRLayer* river = ds.CreateLayer("县界河流", &srs, wkbLineString, nullptr);
    ASSERT_TRUE(river);
    OGRFeature f(river->GetLayerDefn());
    OGRLineString line;
    line.addPoint(98.68, 24.58);
    line.addPoint(98.69, 24.59);
    f.SetGeometry(&line);
    ASSERT_EQ(river->CreateFeature(&f), OGRERR_NONE);
}

/** One layer of the bundled community through SQLite SQL into `out` (added when `out` exists). */
inline void translate_bundled(const std::string& out, const std::string& format, const std::string& layer,
                              const std::string& sql, std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"-f", format, "-nln", layer, "-sql", sql, "-dialect", "SQLITE"};
    if (std::filesystem::exists(out)) args.insert(args.begin(), "-update");
    args.insert(args.end(), extra.begin(), extra.end());
    translate(kBundledGpkg, out, args);
}

}  // namespace gwtest
