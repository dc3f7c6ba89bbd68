// The synthetic model community 大坪子社区 (SPEC §2) and its scaled-up copies (SPEC §8).
//
// One community is built stage by stage by CommunityBuilder (geo/demo/community.h: what each stage
// does and which file it is in). Here: N communities side by side (--scale N), each from its own
// seed, built in parallel and joined into one Dataset.
#include "geo/demo/demo.h"

#include <cpl_conv.h>
#include <ogr_core.h>
#include <ogr_spatialref.h>

#include <atomic>
#include <cmath>
#include <iterator>
#include <mutex>

#include "geo/core/error.h"
#include "geo/core/parallel.h"
#include "geo/demo/community.h"
#include "geo/io/crs.h"

namespace gw {
namespace {

/** The community's centre, 24.59°N 98.69°E, in EPSG:4542, rounded to the metre (tidy coordinates). */
Vec2 community_centre() {
    Transform t(parse_crs("EPSG:4490"), parse_crs("EPSG:4542"));
    const Vec2 c = t.apply(Vec2{98.69, 24.59});
    return {std::round(c.x), std::round(c.y)};
}

std::string wkt_of(const std::string& crs) {
    OGRSpatialReference srs = parse_crs(crs);
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string s = wkt ? wkt : "";
    CPLFree(wkt);
    return s;
}

template <class T>
void append(std::vector<T>& to, std::vector<T>& from) {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    from.clear();
}

template <class T>
void number(std::vector<T>& v) {
    for (size_t k = 0; k < v.size(); ++k) v[k].fid = static_cast<int64_t>(k + 1);
}

}  // namespace

Dataset generate_demo(const DemoOptions& options, const Progress& progress) {
    using namespace demo_detail;
    if (options.scale < 1)
        throw Error("scale " + std::to_string(options.scale) + " is less than 1", {"", "", "", "--scale"},
                    "give --scale 1 or more");
    auto report = [&](double f, const std::string& label) {
        if (progress) progress(f, label);
    };
    const int n = options.scale;
    const int cols = static_cast<int>(std::ceil(std::sqrt(static_cast<double>(n))));
    const int rows = (n + cols - 1) / cols;
    const Vec2 centre = community_centre();
    int digits = 3;
    for (int m = n - 1; m >= 1000; m /= 10) ++digits;

    auto spec_of = [&](int k) {
        CommunitySpec s;
        // Copy 0 keeps the user's seed, so the first community of any scale is the model community.
        s.seed = k == 0 ? options.seed : mix(options.seed, static_cast<uint64_t>(k));
        s.prefix = n > 1 ? strf("C%0*d-", digits, k) : "";
        s.l1_name = n > 1 ? strf("大坪子社区（C%0*d）", digits, k) : "大坪子社区";
        const int col = k % cols, row = k / cols;
        s.origin =
            centre + Vec2{(col - (cols - 1) / 2.0) * kCopyStrideX, ((rows - 1) / 2.0 - row) * kCopyStrideY};
        return s;
    };

    // Communities are independent: built in parallel (each thread with its own GEOS context),
    // then joined in index order, so the result does not depend on the thread count.
    std::vector<Dataset> parts(n);
    std::atomic<int> done{0};
    std::mutex report_mutex;
    report(0, n > 1 ? "generating communities" : "generating the community");
    parallel_for(static_cast<size_t>(n), [&](size_t k) {
        parts[k] = CommunityBuilder(spec_of(static_cast<int>(k))).build();
        std::lock_guard<std::mutex> lock(report_mutex);
        const int d = ++done;
        report(0.95 * d / n, n > 1 ? "generating communities" : "generating the community");
    });

    Dataset ds;
    ds.source =
        strf("gridwatch demo --seed %llu --scale %d", static_cast<unsigned long long>(options.seed), n);
    ds.crs = "EPSG:4490";
    ds.work_crs = "EPSG:4542";
    ds.source_crs_wkt = wkt_of(ds.crs);
    ds.work_crs_wkt = wkt_of(ds.work_crs);
    // Layer by layer, community by community: grids of copy 0, then of copy 1, …
    for (auto& p : parts) append(ds.grids, p.grids);
    for (auto& p : parts) append(ds.households, p.households);
    for (auto& p : parts) append(ds.cameras, p.cameras);
    for (auto& p : parts) append(ds.enterprises, p.enterprises);
    for (auto& p : parts) append(ds.roads, p.roads);
    for (auto& p : parts) append(ds.buildings, p.buildings);
    for (auto& p : parts) append(ds.incidents, p.incidents);
    for (auto& p : parts) append(ds.facilities, p.facilities);
    for (auto& p : parts) append(ds.candidates, p.candidates);
    for (auto& p : parts) append(ds.patrols, p.patrols);
    for (auto& p : parts) append(ds.checks, p.checks);
    number(ds.grids), number(ds.households), number(ds.cameras), number(ds.enterprises), number(ds.roads);
    number(ds.buildings), number(ds.incidents), number(ds.facilities), number(ds.candidates);
    number(ds.patrols), number(ds.checks);

    auto layer = [&](const std::string& name, const char* geometry, size_t count) {
        LayerInfo info;
        info.name = info.source_name = name;
        info.source = ds.source;
        info.geometry = geometry;
        info.crs = ds.crs;
        info.count = static_cast<int64_t>(count);
        ds.layers.push_back(info);
    };
    // In canonical_layers() order, with the geometry types the writer gives them.
    layer("grids", OGRGeometryTypeToName(wkbMultiPolygon), ds.grids.size());
    layer("enterprises", OGRGeometryTypeToName(wkbMultiPolygon), ds.enterprises.size());
    layer("buildings", OGRGeometryTypeToName(wkbMultiPolygon), ds.buildings.size());
    layer("roads", OGRGeometryTypeToName(wkbMultiLineString), ds.roads.size());
    layer("households", OGRGeometryTypeToName(wkbPoint), ds.households.size());
    layer("cameras", OGRGeometryTypeToName(wkbPoint), ds.cameras.size());
    layer("incidents", OGRGeometryTypeToName(wkbPoint), ds.incidents.size());
    layer("facilities", OGRGeometryTypeToName(wkbPoint), ds.facilities.size());
    layer("candidates", OGRGeometryTypeToName(wkbPoint), ds.candidates.size());
    layer("patrols", OGRGeometryTypeToName(wkbLineString), ds.patrols.size());
    layer("checks", OGRGeometryTypeToName(wkbPoint), ds.checks.size());
    report(1, "generated");
    return ds;
}

}  // namespace gw
