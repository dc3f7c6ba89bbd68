/**
 * Fuzz target: the dataset reader (open_dataset, geo/io/dataset.cpp) over one format, chosen at
 * build time (tests/fuzz/targets.cmake):
 *   GW_FUZZ_GPKG       the bytes are a GeoPackage             (corpus: plain .gpkg files)
 *   GW_FUZZ_GEOJSON    the bytes are grids.geojson            (a "name" member names the layer)
 *   GW_FUZZ_KML        the bytes are a KML file               (folders name the layers)
 *   GW_FUZZ_CSV        byte 0 chooses the layer and the coordinates, the rest is the CSV
 *                      (phone reports: lon/lat columns, native, GCJ-02 or BD-09)
 *   GW_FUZZ_SHAPEFILE  byte 0 chooses the layer name and whether the folder or the .shp is
 *                      opened; then parts [kind][length u16 LE][bytes], kind 0..4 = .shp .shx
 *                      .dbf .prj .cpg (tests/fuzz/pack_shapefile.py makes them from a set)
 * A gw::Error is the reader refusing the input, which is fine; anything else that escapes, a
 * crash, a leak or a sanitizer report is a bug.
 */
#include <cstdint>
#include <string>
#include <vector>

#include "geo/core/error.h"
#include "geo/io/dataset.h"
#include "geo/io/project.h"
#include "tests/fuzz/fuzz_common.h"

namespace {

using gw::fuzz::fs::path;

void read(const std::vector<std::string>& sources, const gw::OpenOptions& options) {
    try {
        gw::Dataset ds = gw::open_dataset(sources, options);
        // What every command does next with a dataset it read.
        (void)ds.extent();
        (void)gw::default_scenes(ds);
    } catch (const gw::Error&) {
    }
}

#if defined(GW_FUZZ_CSV)
void run_csv(const uint8_t* data, size_t size) {
    if (size < 1) return;
    const uint8_t sel = data[0];
    // Phone reports are point files: the stems that are point layers, and one that is none.
    static const char* const points[] = {"incidents", "households", "cameras", "facilities", "candidates", "reports"};
    gw::OpenOptions o;
    switch (sel & 3) {
        case 0: o.assume_crs = "EPSG:4326"; break;
        case 1: o.coords = gw::SourceCoords::Gcj02; break;
        case 2: o.coords = gw::SourceCoords::Bd09; break;
        default: break;  // no CRS: refused unless the file brings one
    }
    const path dir = gw::fuzz::fresh_dir("csv");
    const path file = dir / (std::string(points[(sel >> 2) % 6]) + ".csv");
    gw::fuzz::write_file(file, data + 1, size - 1);
    read({file.string()}, o);
}
#endif

#if defined(GW_FUZZ_SHAPEFILE)
/** The shapefile layer stems a selector byte picks from: SPEC §3's layers and one other. */
const char* const kLayers[] = {"grids",     "households", "cameras",    "enterprises", "roads",
                               "buildings", "incidents",  "facilities", "candidates",  "reports"};
constexpr size_t kLayerCount = sizeof kLayers / sizeof kLayers[0];

void run_shapefile(const uint8_t* data, size_t size) {
    if (size < 1) return;
    const uint8_t sel = data[0];
    static const char* const exts[] = {".shp", ".shx", ".dbf", ".prj", ".cpg"};
    const path dir = gw::fuzz::fresh_dir("shp");
    const std::string stem = kLayers[(sel & 15) % kLayerCount];
    size_t at = 1;
    while (at + 3 <= size) {
        const uint8_t kind = data[at] % 5;
        const size_t len = std::min<size_t>(data[at + 1] | data[at + 2] << 8, size - at - 3);
        gw::fuzz::write_file(dir / (stem + exts[kind]), data + at + 3, len);
        at += 3 + len;
    }
    const path source = sel & 16 ? dir / (stem + ".shp") : dir;
    read({source.string()}, {});
}
#endif

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
    gw::fuzz::quiet_gdal();
    (void)gw::fuzz::scratch();
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
#if defined(GW_FUZZ_GPKG) || defined(GW_FUZZ_GEOJSON) || defined(GW_FUZZ_KML)
#if defined(GW_FUZZ_GPKG)
    const char* name = "d.gpkg";
#elif defined(GW_FUZZ_GEOJSON)
    const char* name = "grids.geojson";
#else
    const char* name = "d.kml";
#endif
    const path dir = gw::fuzz::fresh_dir("in");
    gw::fuzz::write_file(dir / name, data, size);
    read({(dir / name).string()}, {});
#elif defined(GW_FUZZ_CSV)
    run_csv(data, size);
#elif defined(GW_FUZZ_SHAPEFILE)
    run_shapefile(data, size);
#else
#error "define the format: GW_FUZZ_GPKG, GW_FUZZ_GEOJSON, GW_FUZZ_KML, GW_FUZZ_CSV or GW_FUZZ_SHAPEFILE"
#endif
    return 0;
}
