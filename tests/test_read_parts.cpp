// A large GeoPackage layer is read in FID ranges by several tasks at once (geo/io/dataset.cpp,
// plan_reading). What is read must not depend on it: the same features in FID order, the same
// features left out and named, the same reports, as one task reading the layer whole.
#include <gdal_priv.h>
#include <gdal_utils.h>
#include <gtest/gtest.h>
#include <ogr_spatialref.h>
#include <ogrsf_frmts.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <filesystem>
#include <limits>
#include <map>
#include <memory>
#include <numeric>
#include <optional>
#include <random>
#include <tuple>

#include "geo/analysis/checks.h"
#include "geo/core/error.h"
#include "geo/core/gdal_setup.h"
#include "geo/core/times.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"

using namespace gw;
using gwtest::TempDir;

namespace {

/** A new, empty GeoPackage at `path`. */
std::unique_ptr<GDALDataset> new_gpkg(const std::string& path) {
    gdal_setup();
    GDALDriver* gpkg = GetGDALDriverManager()->GetDriverByName("GPKG");
    return std::unique_ptr<GDALDataset>(gpkg->Create(path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
}

/** A layer of `ds` in EPSG `epsg` (GIS axis order) with text fields `text`. */
OGRLayer* add_layer(GDALDataset& ds, const char* name, int epsg, OGRwkbGeometryType type,
                    std::initializer_list<const char*> text) {
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    srs.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
    OGRLayer* layer = ds.CreateLayer(name, &srs, type, nullptr);
    for (const char* field : text) {
        OGRFieldDefn f(field, OFTString);
        EXPECT_EQ(layer->CreateField(&f), OGRERR_NONE);
    }
    return layer;
}

/**
 * 60,000 check points (more than a part is worth splitting for) with what reading must name:
 * features without geometry at the ends of the likely parts, unreadable times, a gap of deleted
 * FIDs (100 to `deleted_to`: none when below 100), and text in the integer field `people` (SQLite
 * keeps it, GDAL reads it as 0); `no_geometry` false: every feature has one. In EPSG:4542 (the working CRS) or, `geographic`, in CGCS2000 lon/lat (reprojected).
 * An incidents layer beside it holds the same points, times and gap.
 */
std::string write_checks(const std::string& path, int n, int deleted_to = 5000, bool geographic = false,
                         bool some_without_geometry = true) {
    std::unique_ptr<GDALDataset> ds = new_gpkg(path);
    OGRLayer* layer = add_layer(*ds, "checks", geographic ? 4490 : 4542, wkbPoint,
                                {"check_id", "grid_id", "reporter", "time", "kind", "note"});
    OGRFieldDefn people("people", OFTInteger);
    EXPECT_EQ(layer->CreateField(&people), OGRERR_NONE);
    EXPECT_EQ(layer->StartTransaction(), OGRERR_NONE);
    for (int i = 1; i <= n; ++i) {
        OGRFeature f(layer->GetLayerDefn());
        f.SetField("check_id", ("K" + std::to_string(i)).c_str());
        f.SetField("grid_id", ("G" + std::to_string(i % 97)).c_str());
        f.SetField("reporter", i % 3 ? "张三" : "李四");
        f.SetField("time", i % 1000 == 17 ? "yesterday" : ("2026-10-" + std::to_string(10 + i % 20) + "T08:00:00").c_str());
        f.SetField("kind", i % 50 == 0 ? "newcomer" : "routine");
        if (i % 7 == 0) f.SetField("people", i % 5);
        if (i % 11 == 0) f.SetField("note", "门口有车");
        const bool no_geometry =
            some_without_geometry && (i == 7 || i == n / 4 || i == n / 2 || i == n / 2 + 1 || i == n - 3);
        if (!no_geometry) {
            OGRPoint p = geographic ? OGRPoint(104.5 + (i % 400) * 2.5e-5, 24.6 + (i / 400) * 2.5e-5)
                                    : OGRPoint(466000 + (i % 400) * 2.5, 2720000 + (i / 400) * 2.5);
            f.SetGeometry(&p);
        }
        EXPECT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    }
    EXPECT_EQ(layer->CommitTransaction(), OGRERR_NONE);
    OGRLayer* incidents = add_layer(*ds, "incidents", geographic ? 4490 : 4542, wkbPoint,
                                    {"inc_id", "type", "time", "color", "settled_at"});
    EXPECT_EQ(incidents->StartTransaction(), OGRERR_NONE);
    for (auto& c : *layer) {
        OGRFeature f(incidents->GetLayerDefn());
        f.SetField("inc_id", ("I" + std::to_string(c->GetFID())).c_str());
        f.SetField("type", c->GetFID() % 3 ? "theft" : "fire");
        f.SetField("time", c->GetFieldAsString("time"));
        f.SetField("color", c->GetFID() % 5 ? "blue" : "red");
        if (c->GetFID() % 13 == 0) f.SetField("settled_at", "2026-10-20T10:00:00");
        f.SetGeometry(c->GetGeometryRef());
        EXPECT_EQ(incidents->CreateFeature(&f), OGRERR_NONE);
    }
    EXPECT_EQ(incidents->CommitTransaction(), OGRERR_NONE);
    for (const char* l : {"checks", "incidents"})
        ds->ReleaseResultSet(ds->ExecuteSQL(
            ("DELETE FROM " + std::string(l) + " WHERE fid BETWEEN 100 AND " + std::to_string(deleted_to)).c_str(), nullptr, nullptr));
    ds->ReleaseResultSet(ds->ExecuteSQL(
        ("UPDATE checks SET people = 'lots' WHERE fid IN (14, " + std::to_string(n - 7) + ")").c_str(), nullptr, nullptr));
    return path;
}

Dataset read_with(size_t threads, const std::vector<std::string>& sources, const OpenOptions& options = {}) {
    tbb::task_arena arena(static_cast<int>(threads));  // its own width, whatever the machine has
    Dataset ds;
    arena.execute([&] { ds = open_dataset(sources, options); });
    return ds;
}
Dataset read_with(size_t threads, const std::string& path, const OpenOptions& options = {}) {
    return read_with(threads, std::vector<std::string>{path}, options);
}

void expect_same(const std::vector<Issue>& a, const std::vector<Issue>& b, const char* what) {
    ASSERT_EQ(a.size(), b.size()) << what;
    for (size_t i = 0; i < a.size(); ++i) {
        EXPECT_EQ(a[i].layer, b[i].layer) << what << " " << i;
        EXPECT_EQ(a[i].feature, b[i].feature) << what << " " << i;
        EXPECT_EQ(a[i].problem, b[i].problem) << what << " " << i;
    }
}

/** b holds a's records in the same order: FID, point and extra fields equal, and what `same` compares. */
template <typename T, typename Same>
void expect_same_records(const std::vector<T>& a, const std::vector<T>& b, Same same) {
    ASSERT_EQ(b.size(), a.size());
    for (size_t i = 0; i < a.size(); ++i) {
        ASSERT_EQ(a[i].fid, b[i].fid) << i;
        EXPECT_EQ(a[i].pos.x, b[i].pos.x) << i;
        EXPECT_EQ(a[i].pos.y, b[i].pos.y) << i;
        EXPECT_EQ(a[i].extra, b[i].extra) << i;
        same(a[i], b[i]);
    }
}

}  // namespace

/**
 * Checks and incidents read in parts: into their places in one vector where the FIDs are dense (a
 * gap of 4,901 of 60,000, reprojected or not; no gap and every place filled), into parts joined
 * afterwards where they are not (a gap of 29,901).
 */
class ReadPointsInParts : public ::testing::TestWithParam<std::tuple<int, bool, bool>> {};

TEST_P(ReadPointsInParts, ALayerReadInPartsIsTheLayerReadWhole) {
    TempDir dir("read_parts");
    const int n = 60000;
    const auto [deleted_to, geographic, some_without_geometry] = GetParam();
    const std::string path = write_checks(dir / "checks.gpkg", n, deleted_to, geographic, some_without_geometry);
    const Dataset whole = read_with(1, path), parts = read_with(2, path);

    // What one task reads, checked against the file as written.
    const size_t deleted = std::max(0, deleted_to - 100 + 1);
    size_t no_geometry = 0;  // those write_checks left without one and did not delete
    for (int i : {7, n / 4, n / 2, n / 2 + 1, n - 3}) no_geometry += some_without_geometry && (i < 100 || i > deleted_to);
    ASSERT_EQ(whole.checks.size(), n - deleted - no_geometry);
    ASSERT_EQ(whole.incidents.size(), n - deleted - no_geometry);
    EXPECT_EQ(whole.report.no_geometry.size(), 2 * no_geometry);
    EXPECT_EQ(whole.report.bad_values.size(), 2u);
    EXPECT_EQ(whole.checks.front().check_id, "K1");
    EXPECT_EQ(whole.checks.back().check_id, "K" + std::to_string(n));

    expect_same_records(whole.checks, parts.checks, [](const Check& a, const Check& b) {
        EXPECT_EQ(std::tie(a.check_id, a.grid_id, a.reporter, a.kind, a.note, a.time, a.when, a.people),
                  std::tie(b.check_id, b.grid_id, b.reporter, b.kind, b.note, b.time, b.when, b.people));
    });
    expect_same_records(whole.incidents, parts.incidents, [](const Incident& a, const Incident& b) {
        EXPECT_EQ(std::tie(a.inc_id, a.type, a.time, a.when, a.color, a.settled_at),
                  std::tie(b.inc_id, b.type, b.time, b.when, b.color, b.settled_at));
    });
    expect_same(whole.report.no_geometry, parts.report.no_geometry, "no_geometry");
    expect_same(whole.report.bad_times, parts.report.bad_times, "bad_times");
    expect_same(whole.report.bad_values, parts.report.bad_values, "bad_values");
    expect_same(whole.report.other, parts.report.other, "other");
    expect_same(whole.report.gdal_warnings, parts.report.gdal_warnings, "gdal_warnings");
    ASSERT_EQ(whole.layers.size(), parts.layers.size());
    EXPECT_EQ(whole.layers[0].fields, parts.layers[0].fields);
    EXPECT_EQ(whole.layers[0].count, parts.layers[0].count);
}

INSTANTIATE_TEST_SUITE_P(DenseAndSparse, ReadPointsInParts,
                         ::testing::Values(std::make_tuple(5000, false, true), std::make_tuple(5000, true, true),
                                           std::make_tuple(30000, false, true), std::make_tuple(0, false, false)));

namespace {

/** b's outline is a's, vertex for vertex, bit for bit. */
void expect_same_outline(const Grid& a, const Grid& b) {
    ASSERT_EQ(a.shape.size(), b.shape.size()) << a.grid_id;
    for (size_t p = 0; p < a.shape.size(); ++p) {
        ASSERT_EQ(a.shape[p].rings.size(), b.shape[p].rings.size()) << a.grid_id;
        for (size_t r = 0; r < a.shape[p].rings.size(); ++r) {
            const Ring &ra = a.shape[p].rings[r], &rb = b.shape[p].rings[r];
            ASSERT_EQ(ra.size(), rb.size()) << a.grid_id;
            for (size_t k = 0; k < ra.size(); ++k)
                EXPECT_TRUE(ra[k].x == rb[k].x && ra[k].y == rb[k].y) << a.grid_id;
        }
    }
}

/** What `checks` reads with (OpenOptions::grid_shape_level, time_text) against everything. */
void expect_less_is_the_same(const std::string& path) {
    const Dataset all = open_dataset({path});
    OpenOptions o;
    o.grid_shape_level = 4, o.time_text = false;
    const Dataset less = open_dataset({path}, o);
    ASSERT_EQ(all.grids.size(), less.grids.size());
    int outlines = 0;
    for (size_t i = 0; i < all.grids.size(); ++i) {
        const Grid &a = all.grids[i], &b = less.grids[i];
        EXPECT_EQ(a.grid_id, b.grid_id);
        EXPECT_EQ(a.level, b.level);
        EXPECT_EQ(a.parent_id, b.parent_id);
        EXPECT_EQ(a.name, b.name);
        EXPECT_EQ(a.manager, b.manager);
        EXPECT_EQ(a.fid, b.fid);
        if (a.level != 4) {
            EXPECT_TRUE(b.shape.empty()) << b.grid_id;
            continue;
        }
        ++outlines;
        expect_same_outline(a, b);
    }
    EXPECT_GT(outlines, 0);
    ASSERT_EQ(all.checks.size(), less.checks.size());
    int texts = 0;
    for (size_t i = 0; i < all.checks.size(); ++i) {
        const Check &a = all.checks[i], &b = less.checks[i];
        EXPECT_EQ(a.check_id, b.check_id);
        EXPECT_EQ(a.grid_id, b.grid_id);
        EXPECT_EQ(a.reporter, b.reporter);
        EXPECT_EQ(a.kind, b.kind);
        EXPECT_EQ(a.note, b.note);
        EXPECT_EQ(a.when, b.when);
        EXPECT_EQ(a.people, b.people);
        EXPECT_TRUE(a.pos.x == b.pos.x && a.pos.y == b.pos.y) << a.check_id;
        // The text is kept only where it says something `when` cannot: an unreadable time.
        EXPECT_EQ(b.time, a.when ? std::string() : a.time) << a.check_id;
        texts += !b.time.empty();
    }
    EXPECT_EQ(texts, static_cast<int>(std::count_if(all.checks.begin(), all.checks.end(), [](const Check& c) {
                  return !c.when && !c.time.empty();
              })));
    // Incidents the same way (what hotspots reads with).
    ASSERT_EQ(all.incidents.size(), less.incidents.size());
    for (size_t i = 0; i < all.incidents.size(); ++i) {
        const Incident &a = all.incidents[i], &b = less.incidents[i];
        EXPECT_EQ(std::tie(a.inc_id, a.type, a.color, a.settled_at, a.when, a.fid),
                  std::tie(b.inc_id, b.type, b.color, b.settled_at, b.when, b.fid));
        EXPECT_TRUE(a.pos.x == b.pos.x && a.pos.y == b.pos.y) << a.inc_id;
        EXPECT_EQ(b.time, a.when ? std::string() : a.time) << a.inc_id;
    }
    expect_same(all.report.bad_times, less.report.bad_times, "bad_times");
    expect_same(all.report.bad_values, less.report.bad_values, "bad_values");
    expect_same(all.report.no_geometry, less.report.no_geometry, "no_geometry");
}

}  // namespace

// The reading tasks take the layers longest first (plan_reading): ten patrol tracks of 2,000 GPS
// fixes each before 300 cells of four corners, which their counts alone put first.
TEST(ReadParts, AFewLongTracksAreReadBeforeManySmallCells) {
    TempDir dir("read_order");
    gdal_setup();
    const std::string path = dir / "order.gpkg";
    {
        std::unique_ptr<GDALDataset> ds = new_gpkg(path);
        OGRLayer* grids = add_layer(*ds, "grids", 4542, wkbPolygon, {"grid_id", "parent_id"});
        OGRFieldDefn level("level", OFTInteger);
        ASSERT_EQ(grids->CreateField(&level), OGRERR_NONE);
        for (int i = 0; i < 300; ++i) {
            OGRFeature f(grids->GetLayerDefn());
            f.SetField("grid_id", ("G" + std::to_string(i)).c_str());
            f.SetField("level", 1);
            OGRLinearRing ring;
            const double x = 466000 + i * 10, y = 2720000;
            for (auto [dx, dy] : {std::pair{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}})
                ring.addPoint(x + dx, y + dy);
            OGRPolygon cell;
            cell.addRing(&ring);
            f.SetGeometry(&cell);
            ASSERT_EQ(grids->CreateFeature(&f), OGRERR_NONE);
        }
        OGRLayer* patrols =
            add_layer(*ds, "patrols", 4542, wkbLineString, {"track_id", "team", "start", "end"});
        for (int t = 0; t < 10; ++t) {
            OGRFeature f(patrols->GetLayerDefn());
            f.SetField("track_id", ("T" + std::to_string(t)).c_str());
            f.SetField("team", "一队");
            f.SetField("start", "2026-10-10T08:00:00");
            f.SetField("end", "2026-10-10T10:00:00");
            OGRLineString track;
            for (int k = 0; k < 2000; ++k) track.addPoint(466000 + k * 1.5, 2720100 + t * 20 + k % 2);
            f.SetGeometry(&track);
            ASSERT_EQ(patrols->CreateFeature(&f), OGRERR_NONE);
        }
    }
    OpenOptions options;
    std::vector<std::string> steps;
    options.progress = [&](double, const std::string& what) { steps.push_back(what); };
    const Dataset ds = read_with(2, path, options);
    ASSERT_EQ(ds.grids.size(), 300u);
    ASSERT_EQ(ds.patrols.size(), 10u);
    const auto first = std::find_if(steps.begin(), steps.end(),
                                    [](const std::string& s) { return s.rfind("reading ", 0) == 0; });
    ASSERT_NE(first, steps.end());
    EXPECT_EQ(*first, "reading patrols");
    // Each track's fixes timed by the distance walked (time_patrol_tracks, over the cores).
    ASSERT_EQ(ds.patrols[3].times.size(), 1u);
    ASSERT_EQ(ds.patrols[3].times[0].size(), 2000u);
    EXPECT_EQ(ds.patrols[3].times[0].front(), *ds.patrols[3].t_start);
    EXPECT_EQ(ds.patrols[3].times[0].back(), *ds.patrols[3].t_end);
}

TEST(ReadParts, LeavingOutOutlinesAndTimeTextsChangesNothingElse) {
    expect_less_is_the_same(bundled_dataset_path());
    // Checks with unreadable times, no geometry and text in `people`, beside the bundled cells.
    TempDir dir("read_less");
    const std::string path = write_checks(dir / "checks.gpkg", 60000);
    gwtest::translate_bundled(path, "GPKG", "grids", "SELECT * FROM grids");
    expect_less_is_the_same(path);
}

// Times in OGR Date and DateTime fields (with and without a zone) are read to the same `when`
// whether their text is kept or not; the text kept is ISO-8601 as before.
TEST(ReadParts, DateTimeFieldsGiveTheSameTimesWithoutTheirText) {
    TempDir dir("read_datetime");
    gdal_setup();
    for (const auto type : {OFTDateTime, OFTDate}) {
        const std::string path = dir / (type == OFTDate ? "dates.gpkg" : "times.gpkg");
        {
            std::unique_ptr<GDALDataset> ds(GetGDALDriverManager()->GetDriverByName("GPKG")->Create(
                path.c_str(), 0, 0, 0, GDT_Unknown, nullptr));
            OGRSpatialReference srs;
            srs.importFromEPSG(4542);
            OGRLayer* layer = ds->CreateLayer("incidents", &srs, wkbPoint, nullptr);
            OGRFieldDefn id("inc_id", OFTString), time("time", type);
            EXPECT_EQ(layer->CreateField(&id), OGRERR_NONE);
            EXPECT_EQ(layer->CreateField(&time), OGRERR_NONE);
            for (int i = 0; i < 12; ++i) {
                OGRFeature f(layer->GetLayerDefn());
                f.SetField("inc_id", ("I" + std::to_string(i)).c_str());
                // No zone, UTC, +08:00 and −05:30 (OGR's zone flags 0, 100, 132, 78); one without a time.
                const int zone = i % 4 == 0 ? 0 : i % 4 == 1 ? 100 : i % 4 == 2 ? 132 : 78;
                if (i != 5) f.SetField("time", 2026, 1 + i % 12, 1 + 2 * i, i, (7 * i) % 60, 13.0f, zone);
                OGRPoint p(466000 + i, 2720000 + i);
                f.SetGeometry(&p);
                EXPECT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
            }
            // A date GDAL reads (with a warning) that is none: the text stays, for the warning.
            ds->ReleaseResultSet(ds->ExecuteSQL(
                type == OFTDate ? "UPDATE incidents SET time = '2026-02-30' WHERE fid = 8"
                                : "UPDATE incidents SET time = '2026-02-30T10:00:00Z' WHERE fid = 8",
                nullptr, nullptr));
        }
        OpenOptions without;
        without.time_text = false;
        const Dataset a = open_dataset({path}), b = open_dataset({path}, without);
        ASSERT_EQ(a.incidents.size(), 12u) << path;
        ASSERT_EQ(b.incidents.size(), 12u) << path;
        for (size_t i = 0; i < 12; ++i) {
            EXPECT_EQ(a.incidents[i].when, b.incidents[i].when) << path << " " << i;
            // FID 8 is the eighth incident: its unreadable date keeps its text either way.
            EXPECT_EQ(b.incidents[i].time, i == 7 ? a.incidents[i].time : "") << path << " " << i;
            EXPECT_EQ(a.incidents[i].when.has_value(), i != 5 && i != 7) << path << " " << i;
            if (a.incidents[i].when) {
                EXPECT_EQ(parse_incident_time(a.incidents[i].time), a.incidents[i].when)
                    << a.incidents[i].time;
            }
        }
        EXPECT_FALSE(a.incidents[7].time.empty()) << path;
        EXPECT_EQ(a.report.bad_times.size(), 2u) << path;
        EXPECT_EQ(a.report.bad_times.size(), b.report.bad_times.size()) << path;
    }
}

TEST(ReadParts, CellsWithoutParentIdsAreReadWithEveryOutline) {
    // Parents are then found by containment, which needs the upper levels' outlines: read whole.
    TempDir dir("read_less_parents");
    const std::string path = dir / "grids.gpkg";
    gwtest::translate_bundled(path, "GPKG", "grids",
                              "SELECT grid_id, level, CASE WHEN level = 3 THEN NULL ELSE parent_id END AS parent_id, "
                              "name, manager, geom FROM grids");
    gwtest::translate_bundled(path, "GPKG", "checks", "SELECT * FROM checks");
    OpenOptions o;
    o.grid_shape_level = 4;
    const Dataset all = open_dataset({path}), less = open_dataset({path}, o);
    ASSERT_EQ(all.grids.size(), less.grids.size());
    int found = 0;
    for (size_t i = 0; i < all.grids.size(); ++i) {
        EXPECT_EQ(all.grids[i].parent_id, less.grids[i].parent_id) << all.grids[i].grid_id;
        EXPECT_FALSE(less.grids[i].shape.empty()) << less.grids[i].grid_id;
        found += all.grids[i].level == 3 && !all.grids[i].parent_id.empty();
    }
    EXPECT_GT(found, 0);
}

// Fields a command does not use (OpenOptions::unused_fields) are left empty and change nothing
// else: the same incidents in the same order, the same points, times and ids, the same reports,
// read in parts (60,000 incidents and checks) and whole (the bundled community).
TEST(ReadParts, FieldsLeftUnreadAreEmptyAndNothingElseChanges) {
    TempDir dir("unused_fields");
    const std::string big = write_checks(dir / "incidents.gpkg", 60000);
    for (const std::string& path : {big, bundled_dataset_path()}) {
        OpenOptions o;
        o.unused_fields["incidents"] = {"type", "color", "settled_at"};
        o.unused_fields["checks"] = {"note"};
        // Two tasks, whatever the machine has: the 60,000 are read in parts.
        const Dataset all = read_with(2, path), less = read_with(2, path, o);
        ASSERT_GT(all.incidents.size(), 0u) << path;
        int had_type = 0, had_note = 0, had_settled = 0;
        expect_same_records(all.incidents, less.incidents, [&](const Incident& a, const Incident& b) {
            EXPECT_EQ(std::tie(a.inc_id, a.time, a.when), std::tie(b.inc_id, b.time, b.when)) << a.inc_id;
            EXPECT_EQ(std::tie(b.type, b.color, b.settled_at), std::make_tuple("", "", "")) << a.inc_id;
            had_type += !a.type.empty();
            had_settled += !a.settled_at.empty();
        });
        expect_same_records(all.checks, less.checks, [&](const Check& a, const Check& b) {
            EXPECT_EQ(std::tie(a.check_id, a.kind, a.when, a.people),
                      std::tie(b.check_id, b.kind, b.when, b.people));
            EXPECT_EQ(b.note, "") << a.check_id;
            had_note += !a.note.empty();
        });
        EXPECT_GT(had_type, 0) << path;
        if (path == big) {
            EXPECT_GT(had_settled, 0);
        }
        EXPECT_GT(had_note, 0) << path;
        expect_same(all.report.bad_times, less.report.bad_times, "bad times");
        expect_same(all.report.bad_values, less.report.bad_values, "bad values");
        expect_same(all.report.no_geometry, less.report.no_geometry, "no geometry");
    }
}

// A field left unread is not one a used field is read from: mapped onto the same source column
// (a project file's "mapping"), the column is read, and the incidents keep their times.
TEST(ReadParts, AFieldLeftUnreadThatAUsedFieldSharesIsRead) {
    TempDir dir("unused_shared");
    const std::string path = write_checks(dir / "incidents.gpkg", 60000);
    NameMapping mapping;
    mapping["incidents"].fields["settled_at"] = "time";
    OpenOptions o;
    o.mapping = &mapping;
    const Dataset all = read_with(2, path, o);
    o.unused_fields["incidents"] = {"settled_at", "color"};
    const Dataset less = read_with(2, path, o);
    int timed = 0;
    expect_same_records(all.incidents, less.incidents, [&](const Incident& a, const Incident& b) {
        EXPECT_EQ(std::tie(a.inc_id, a.time, a.when, a.type), std::tie(b.inc_id, b.time, b.when, b.type));
        EXPECT_EQ(b.color, "") << a.inc_id;
        timed += b.when.has_value();
    });
    EXPECT_GT(timed, 50000);
}

// OpenOptions::checks_from: the checks from the time on and those without a readable time, in
// FID order as read whole, then of the earlier ones each grid_id's latest (ties: the lowest FID),
// whether one task reads the layer or two read it in parts; every row judged as ever.
TEST(ReadParts, ChecksBeforeAWindowAreEachCellsLastAlone) {
    TempDir dir("read_from");
    // Times unordered by FID, twenty dates at one hour (ties in every cell), unreadable ones, no geometry.
    const std::string path = write_checks(dir / "checks.gpkg", 60000);
    const int64_t from = parse_iso_span("2026-10-25")->begin;
    for (size_t threads : {1u, 2u}) {
        const Dataset all = read_with(threads, path);
        OpenOptions o;
        o.checks_from = from;
        const Dataset some = read_with(threads, path, o);
        std::vector<const Check*> expect;
        std::map<std::string, const Check*> last;
        for (const Check& c : all.checks) {
            if (!c.when || *c.when >= from) {
                expect.push_back(&c);
                continue;
            }
            const Check*& l = last[c.grid_id];
            if (!l || *c.when > *l->when) l = &c;  // FID order: the first of equal times stays
        }
        const size_t kept = expect.size();
        std::vector<const Check*> earlier;
        for (const auto& [id, c] : last) earlier.push_back(c);
        std::sort(earlier.begin(), earlier.end(),
                  [](const Check* a, const Check* b) { return a->fid < b->fid; });
        expect.insert(expect.end(), earlier.begin(), earlier.end());
        ASSERT_EQ(some.checks.size(), expect.size()) << threads;
        EXPECT_LT(some.checks.size(), all.checks.size() / 2) << threads;
        EXPECT_EQ(last.size(), 97u);
        for (size_t i = 0; i < expect.size(); ++i) {
            const Check &a = *expect[i], &b = some.checks[i];
            ASSERT_EQ(a.fid, b.fid) << threads << " " << i << (i < kept ? " kept" : " earlier");
            EXPECT_EQ(std::tie(a.check_id, a.grid_id, a.reporter, a.kind, a.note, a.time, a.when, a.people),
                      std::tie(b.check_id, b.grid_id, b.reporter, b.kind, b.note, b.time, b.when, b.people));
            EXPECT_TRUE(a.pos.x == b.pos.x && a.pos.y == b.pos.y) << a.check_id;
        }
        // Every row read and judged: the same times, values and geometries named, the same count.
        expect_same(all.report.bad_times, some.report.bad_times, "bad_times");
        expect_same(all.report.bad_values, some.report.bad_values, "bad_values");
        expect_same(all.report.no_geometry, some.report.no_geometry, "no_geometry");
        auto count = [](const Dataset& d) {
            for (const LayerInfo& l : d.layers)
                if (l.name == "checks") return l.count;
            return int64_t(-2);
        };
        EXPECT_EQ(count(all), count(some));
        EXPECT_EQ(count(all), 60000 - 4901);
    }
}

/**
 * The bundled community with `n` more checks of its level-4 cells over the 30 days before
 * 2026-11-01, in time order or shuffled (`seed` > 0), some with times unreadable or at midnight.
 */
std::string bundled_with_checks(const TempDir& dir, int n, unsigned seed) {
    const std::string path = dir / ("many" + std::to_string(seed) + ".gpkg");
    std::filesystem::copy_file(gwtest::kBundledGpkg, path);
    const Dataset cells = open_dataset({gwtest::kBundledGpkg}, [] {
        OpenOptions o;
        o.grid_shape_level = 4;
        return o;
    }());
    std::vector<const Grid*> l4 = cells.grids_of_level(4);
    std::vector<int> order(static_cast<size_t>(n));
    std::iota(order.begin(), order.end(), 0);
    if (seed) std::shuffle(order.begin(), order.end(), std::mt19937(seed));
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    OGRLayer* layer = ds->GetLayerByName("checks");
    EXPECT_EQ(layer->StartTransaction(), OGRERR_NONE);
    for (int i : order) {
        OGRFeature f(layer->GetLayerDefn());
        const Grid& g = *l4[static_cast<size_t>(i * 7919) % l4.size()];
        f.SetField("check_id", ("M" + std::to_string(i)).c_str());
        f.SetField("grid_id", g.grid_id.c_str());
        f.SetField("reporter", i % 3 ? "张三" : "李四");
        f.SetField("kind", i % 40 == 0 ? "newcomer" : "routine");
        const int minute = i * 30 / n * 1440 + i % 1440;  // 30 days, in time order of i
        char t[32];
        std::snprintf(t, sizeof t, "2026-10-%02dT%02d:%02d:00", 2 + minute / 1440, minute % 1440 / 60,
                      minute % 60);
        f.SetField("time", i % 5000 == 3 ? "yesterday" : t);
        OGRPoint p(99.01 + (i % 97) * 1e-4, 24.6 + (i % 89) * 1e-4);
        f.SetGeometry(&p);
        EXPECT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
    }
    EXPECT_EQ(layer->CommitTransaction(), OGRERR_NONE);
    return path;
}

TEST(ReadParts, AWindowEndingOnTheLatestReportGivesTheWholeReadsFigures) {
    // `checks` without --date: the window ends on the latest report's date, known only at the end;
    // checks before the window as read so far are set aside (each cell's last kept), and those the
    // date read later leaves before it as the tasks read and when all is read. 150,000 checks over
    // 30 days, in time order and shuffled, read by one task and by two: the records those of a read
    // from the window's first time, and the figures of every window length and level the whole
    // read's.
    TempDir dir("read_latest");
    for (unsigned seed : {0u, 7u}) {
        const std::string path = bundled_with_checks(dir, 150000, seed);
        const Dataset whole = open_dataset({path});
        for (size_t threads : {1u, 2u})
            for (int days : {1, 7, 30}) {
                SCOPED_TRACE("seed " + std::to_string(seed) + ", " + std::to_string(threads) + " task(s), " +
                             std::to_string(days) + " days");
                OpenOptions o;
                o.checks_from_latest = [days](int64_t latest) { return checks_window_begin(latest, days); };
                const Dataset some = read_with(threads, path, o);
                // The records of a read from the window's first time, which the whole read gives.
                int64_t latest = std::numeric_limits<int64_t>::min();
                for (const Check& c : whole.checks)
                    if (c.when) latest = std::max(latest, *c.when);
                OpenOptions fixed;
                fixed.checks_from = checks_window_begin(latest, days);
                const Dataset from = read_with(threads, path, fixed);
                ASSERT_EQ(some.checks.size(), from.checks.size());
                for (size_t i = 0; i < from.checks.size(); ++i)
                    ASSERT_EQ(std::tie(some.checks[i].fid, some.checks[i].check_id, some.checks[i].when),
                              std::tie(from.checks[i].fid, from.checks[i].check_id, from.checks[i].when))
                        << i;
                if (days < 30) {
                    EXPECT_LT(some.checks.size(), whole.checks.size() / 2);
                }
                expect_same(whole.report.bad_times, some.report.bad_times, "bad_times");
                for (int level : {4, 2}) {
                    ChecksOptions co;
                    co.days = days, co.level = level;
                    const ChecksReport a = compute_checks(whole, co), b = compute_checks(some, co);
                    ASSERT_EQ(a.date, b.date);
                    ASSERT_EQ(a.cells.size(), b.cells.size());
                    for (size_t i = 0; i < a.cells.size(); ++i) {
                        const CellChecks &x = a.cells[i], &y = b.cells[i];
                        ASSERT_EQ(std::tie(x.grid_id, x.last_check, x.days_since, x.checks, x.kinds,
                                           x.outside, x.reporters),
                                  std::tie(y.grid_id, y.last_check, y.days_since, y.checks, y.kinds,
                                           y.outside, y.reporters))
                            << x.grid_id;
                    }
                    EXPECT_EQ(a.today.size(), b.today.size());
                    EXPECT_EQ(a.untimed, b.untimed);
                    EXPECT_EQ(a.after_date, b.after_date);
                }
            }
    }
}

TEST(ReadParts, EveryCheckSetAsideIsTransformedAsTheKeptOnesAre) {
    // A check before the window that is not its cell's last is let go, but only after its point was
    // transformed to the working CRS: one PROJ cannot take (30,000 km east in EPSG:4547) stops the
    // read as the whole read stops. Cell GX has two checks before the window: FID 1,000 on the 24th
    // (its last) and FID 59,000 on the 12th, far out. Read by one task the 12th loses to the 24th
    // as it is read; by two, as it is read or when the tasks' parts are joined, as the parts of
    // 10,000 fall to the tasks (EarlierChecks::merge; both ways judge it).
    TempDir dir("read_far");
    const std::string path = dir / "checks.gpkg";
    {
        std::unique_ptr<GDALDataset> ds = new_gpkg(path);
        OGRLayer* layer = add_layer(*ds, "checks", 4547, wkbPoint, {"check_id", "grid_id", "time"});
        ASSERT_EQ(layer->StartTransaction(), OGRERR_NONE);
        for (int i = 1; i <= 60000; ++i) {
            OGRFeature f(layer->GetLayerDefn());
            const bool gx = i == 1000 || i == 59000;
            f.SetField("check_id", ("K" + std::to_string(i)).c_str());
            f.SetField("grid_id", gx ? "GX" : ("G" + std::to_string(i % 97)).c_str());
            const int day = i == 1000 ? 24 : i == 59000 ? 12 : 10 + i % 20;
            f.SetField("time", ("2026-10-" + std::to_string(day) + "T08:00:00").c_str());
            OGRPoint p = i == 59000 ? OGRPoint(30000000, 2700000)
                                    : OGRPoint(-100000 + (i % 400) * 2.5, 2720000 + (i / 400) * 2.5);
            f.SetGeometry(&p);
            ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
        }
        ASSERT_EQ(layer->CommitTransaction(), OGRERR_NONE);
    }
    for (const bool latest : {false, true}) {  // the window's first time given, or from the latest report
        OpenOptions o;
        o.work_crs = "EPSG:4542";
        if (latest)
            o.checks_from_latest = [](int64_t t) {
                return checks_window_begin(t, 3);
            };  // the 27th to the 29th
        else
            o.checks_from = parse_iso_span("2026-10-25")->begin;
        for (size_t threads : {1u, 2u}) {
            try {
                read_with(threads, path, o);
                ADD_FAILURE() << threads << ": a point PROJ cannot transform was let go unjudged";
            } catch (const Error& e) {
                EXPECT_NE(std::string(e.what()).find("cannot be transformed"), std::string::npos) << e.what();
                EXPECT_NE(std::string(e.what()).find("K59000"), std::string::npos)
                    << threads << ": " << e.what();
            }
        }
    }
    // The whole read names it alike.
    OpenOptions o;
    o.work_crs = "EPSG:4542";
    EXPECT_THROW(read_with(2, path, o), Error);
}

namespace {

/** ogr2ogr in process: `src` (every layer, or those named in `args`) into `out` as `format`. */
void translate(const std::string& src, const std::string& out, const std::string& format,
               std::vector<std::string> args = {}) {
    args.insert(args.begin(), {"-f", format});
    gwtest::translate(src, out, args);
}

bool same_points(const std::vector<Vec2>& a, const std::vector<Vec2>& b) {
    return a.size() == b.size() &&
           std::equal(a.begin(), a.end(), b.begin(), [](Vec2 p, Vec2 q) { return p.x == q.x && p.y == q.y; });
}
bool same_shape(const MultiPolygon& a, const MultiPolygon& b) {
    if (a.size() != b.size()) return false;
    for (size_t p = 0; p < a.size(); ++p) {
        if (a[p].rings.size() != b[p].rings.size()) return false;
        for (size_t r = 0; r < a[p].rings.size(); ++r)
            if (!same_points(a[p].rings[r], b[p].rings[r])) return false;
    }
    return true;
}
bool same_shape(const MultiLineString& a, const MultiLineString& b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), same_points);
}

/** Everything `one` read is what `two` read: the same records in the same order, bit for bit. */
void expect_same_read(const Dataset& one, const Dataset& two, const std::string& what) {
    SCOPED_TRACE(what);
    EXPECT_EQ(one.work_crs, two.work_crs);
    ASSERT_EQ(one.grids.size(), two.grids.size());
    for (size_t i = 0; i < one.grids.size(); ++i) {
        const Grid &a = one.grids[i], &b = two.grids[i];
        EXPECT_EQ(std::tie(a.fid, a.grid_id, a.level, a.parent_id, a.name, a.manager, a.phone),
                  std::tie(b.fid, b.grid_id, b.level, b.parent_id, b.name, b.manager, b.phone));
        EXPECT_TRUE(same_shape(a.shape, b.shape)) << a.grid_id;
    }
    expect_same_records(one.households, two.households, [](const Household& a, const Household& b) {
        EXPECT_EQ(std::tie(a.hh_id, a.grid_id, a.head, a.members, a.tags, a.phone),
                  std::tie(b.hh_id, b.grid_id, b.head, b.members, b.tags, b.phone));
    });
    expect_same_records(one.incidents, two.incidents, [](const Incident& a, const Incident& b) {
        EXPECT_EQ(std::tie(a.inc_id, a.type, a.time, a.when, a.color, a.settled_at),
                  std::tie(b.inc_id, b.type, b.time, b.when, b.color, b.settled_at));
    });
    ASSERT_EQ(one.roads.size(), two.roads.size());
    for (size_t i = 0; i < one.roads.size(); ++i) {
        EXPECT_EQ(std::tie(one.roads[i].fid, one.roads[i].name),
                  std::tie(two.roads[i].fid, two.roads[i].name));
        EXPECT_TRUE(same_shape(one.roads[i].shape, two.roads[i].shape)) << one.roads[i].name;
    }
    EXPECT_EQ(one.facilities.size(), two.facilities.size());
    expect_same(one.report.no_geometry, two.report.no_geometry, "no_geometry");
    expect_same(one.report.bad_times, two.report.bad_times, "bad_times");
    expect_same(one.report.bad_values, two.report.bad_values, "bad_values");
}

}  // namespace

/**
 * Every format the tests use, read by one task and by two (the layers read side by side and joined;
 * these are too small to be split, a GeoPackage's large layers read in FID ranges are
 * ReadPointsInParts'): the same records. And against GDAL
 * itself, feature by feature: every feature with a geometry read, at the point GDAL gives
 * transformed to the working CRS, the rest named. The community carries an incident without
 * geometry, multi-geometries (cells, roads; points as MultiPoints in shapefiles), households
 * without their `phone` field and an empty facilities layer; the shapefiles are GBK without .cpg.
 */
TEST(ReadParts, EveryFormatReadsTheSameByOneTaskAndByTwoAndAsGdalReadsIt) {
    TempDir dir("read_formats");
    gdal_setup();
    const std::string base = dir / "base.gpkg";
    using gwtest::translate_bundled;
    translate_bundled(base, "GPKG", "grids", "SELECT * FROM grids");
    translate_bundled(base, "GPKG", "households",
                      "SELECT hh_id, grid_id, head, members, tags, geom FROM households");
    translate_bundled(
        base, "GPKG", "incidents",
        "SELECT inc_id, type, time, color, settled_at, CASE WHEN inc_id = 'DPZ-I0005' THEN NULL "
        "WHEN substr(inc_id, -1) = '7' THEN CastToMultiPoint(geom) ELSE geom END AS geom FROM incidents",
        {"-nlt", "GEOMETRY"});
    translate_bundled(base, "GPKG", "roads", "SELECT * FROM roads");
    translate_bundled(base, "GPKG", "facilities", "SELECT * FROM facilities WHERE 0");

    std::map<std::string, std::vector<std::string>> formats;
    formats["GeoPackage"] = {base};
    translate(base, dir / "shp", "ESRI Shapefile", {"-nlt", "PROMOTE_TO_MULTI", "-lco", "ENCODING=CP936"});
    for (const auto& e : std::filesystem::directory_iterator(dir / "shp"))
        if (e.path().extension() == ".cpg") std::filesystem::remove(e.path());  // GBK as offices have it
    formats["Shapefile (GBK)"] = {dir / "shp"};
    // Without the index: GDAL's writer would sort the features along a curve and drop the one
    // without geometry. With it for the empty layer: GDAL 3.6 writes an empty layer without the
    // index as a file of 0 bytes, which it cannot open again.
    translate(base, dir / "fgb", "FlatGeobuf",
              {"-lco", "SPATIAL_INDEX=NO", "grids", "households", "incidents", "roads"});
    translate(base, dir / "fgb/facilities.fgb", "FlatGeobuf", {"facilities"});
    formats["FlatGeobuf"] = {dir / "fgb"};
    for (const char* l : {"grids", "households", "incidents", "roads", "facilities"}) {
        translate(base, dir / (std::string(l) + ".geojson"), "GeoJSON", {l});
        formats["GeoJSON"].push_back(dir / (std::string(l) + ".geojson"));
    }
    // CSV: the point layers with lon/lat columns, beside the cells from the GeoPackage.
    std::filesystem::create_directory(dir / "csv");
    for (const char* l : {"households", "incidents"})
        translate(base, dir / ("csv/" + std::string(l) + ".csv"), "CSV",
                  {"-lco", "GEOMETRY=AS_XY", "-nlt", "POINT", l});
    translate(base, dir / "cells.gpkg", "GPKG", {"grids", "roads", "facilities"});
    formats["CSV"] = {dir / "csv/households.csv", dir / "csv/incidents.csv", dir / "cells.gpkg"};

    OpenOptions o;
    o.assume_crs = "EPSG:4490";  // a CSV carries none
    const Dataset reference = read_with(1, std::vector<std::string>{base}, o);
    ASSERT_EQ(reference.report.no_geometry.size(), 1u);
    for (const auto& [name, sources] : formats) {
        const Dataset one = read_with(1, sources, o), two = read_with(2, sources, o);
        expect_same_read(one, two, name);
        // Against the reference and GDAL: the same incidents, each where GDAL puts it.
        ASSERT_EQ(one.incidents.size(), reference.incidents.size()) << name;
        ASSERT_EQ(one.households.size(), reference.households.size()) << name;
        EXPECT_TRUE(one.facilities.empty()) << name;
        OGRSpatialReference work;
        work.importFromWkt(one.work_crs_wkt.c_str());
        work.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        const std::string inc_source = name == "CSV"               ? dir / "csv/incidents.csv"
                                       : name == "GeoJSON"         ? dir / "incidents.geojson"
                                       : name == "Shapefile (GBK)" ? dir / "shp/incidents.shp"
                                       : name == "FlatGeobuf"      ? dir / "fgb/incidents.fgb"
                                                                   : base;
        GDALDatasetUniquePtr g(GDALDataset::Open(inc_source.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY));
        ASSERT_TRUE(g) << inc_source;
        OGRLayer* layer = g->GetLayerByName("incidents");
        ASSERT_TRUE(layer) << inc_source;
        OGRSpatialReference from;
        from.importFromEPSG(4490);
        from.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        std::unique_ptr<OGRCoordinateTransformation> ct(OGRCreateCoordinateTransformation(&from, &work));
        std::map<std::string, Vec2> gdal_points;
        for (auto& f : *layer) {
            const OGRGeometry* geom = f->GetGeometryRef();
            double x = 0, y = 0;
            if (name == "CSV") {
                if (!*f->GetFieldAsString("X")) continue;  // the incident without geometry: X and Y empty
                x = f->GetFieldAsDouble("X"), y = f->GetFieldAsDouble("Y");
            } else {
                if (!geom || geom->IsEmpty()) continue;
                const OGRPoint* p = wkbFlatten(geom->getGeometryType()) == wkbMultiPoint
                                        ? geom->toMultiPoint()->getGeometryRef(0)
                                        : geom->toPoint();
                x = p->getX(), y = p->getY();
            }
            ASSERT_TRUE(ct->Transform(1, &x, &y)) << name << " " << x << " " << y;
            gdal_points[f->GetFieldAsString("inc_id")] = {x, y};
        }
        ASSERT_EQ(gdal_points.size(), one.incidents.size()) << name;
        // The one without geometry named (GDAL 3.6's FlatGeobuf writer leaves it out of the file).
        EXPECT_EQ(one.report.no_geometry.size(),
                  static_cast<size_t>(layer->GetFeatureCount()) - gdal_points.size())
            << name;
        EXPECT_EQ(one.report.no_geometry.size(), name == "FlatGeobuf" ? 0u : 1u) << name;
        for (size_t i = 0; i < one.incidents.size(); ++i) {
            const Incident& in = one.incidents[i];
            ASSERT_TRUE(gdal_points.count(in.inc_id)) << name << " " << in.inc_id;
            EXPECT_NEAR(in.pos.x, gdal_points[in.inc_id].x, 1e-6) << name << " " << in.inc_id;
            EXPECT_NEAR(in.pos.y, gdal_points[in.inc_id].y, 1e-6) << name << " " << in.inc_id;
            EXPECT_EQ(in.inc_id, reference.incidents[i].inc_id) << name;
            EXPECT_EQ(in.when, reference.incidents[i].when) << name << " " << in.inc_id;
            EXPECT_NEAR(in.pos.x, reference.incidents[i].pos.x, 1e-3) << name << " " << in.inc_id;
        }
        for (size_t i = 0; i < one.households.size(); ++i) {
            EXPECT_EQ(one.households[i].head, reference.households[i].head)
                << name;                                     // GBK read back as written
            EXPECT_EQ(one.households[i].phone, "") << name;  // the field is missing
        }
    }
}

namespace {

/**
 * open_dataset_by_layer's layers joined into one Dataset, each checked to hold its own layer
 * alone; `head` gets what it returns.
 */
Dataset read_by_layer(const std::vector<std::string>& sources, const OpenOptions& o, Dataset& head,
                      std::vector<std::string>& seen) {
    Dataset all;
    seen.clear();
    std::vector<std::string> crs;  // each layer's working CRS: the writer takes it from the first
    head = open_dataset_by_layer(sources, o, [&](Dataset&& part, const std::string& canonical) {
        seen.push_back(canonical);
        crs.push_back(part.work_crs_wkt);
        SCOPED_TRACE(canonical);
        auto alone = [&](const char* layer, size_t n) {
            if (canonical != layer) {
                EXPECT_EQ(n, 0u) << layer;
            }
        };
        alone("grids", part.grids.size()), alone("households", part.households.size());
        alone("cameras", part.cameras.size()), alone("enterprises", part.enterprises.size());
        alone("roads", part.roads.size()), alone("buildings", part.buildings.size());
        alone("incidents", part.incidents.size()), alone("facilities", part.facilities.size());
        alone("candidates", part.candidates.size()), alone("checks", part.checks.size());
        alone("patrols", part.patrols.size()), alone("", part.other_layers.size());
        auto take = [](auto& to, auto& from) {
            for (auto& x : from) to.push_back(std::move(x));
        };
        take(all.grids, part.grids), take(all.households, part.households), take(all.cameras, part.cameras);
        take(all.enterprises, part.enterprises), take(all.roads, part.roads),
            take(all.buildings, part.buildings);
        take(all.incidents, part.incidents), take(all.facilities, part.facilities);
        take(all.candidates, part.candidates), take(all.checks, part.checks), take(all.patrols, part.patrols);
        take(all.other_layers, part.other_layers);
        for (auto& [l, ex] : part.extra_fields) all.extra_fields[l] = ex;
        auto& r = all.report;
        take(r.no_geometry, part.report.no_geometry), take(r.bad_times, part.report.bad_times);
        take(r.bad_values, part.report.bad_values), take(r.bad_cameras, part.report.bad_cameras);
        take(r.unknown_codes, part.report.unknown_codes), take(r.orphan_cells, part.report.orphan_cells);
        take(r.other, part.report.other), take(r.gdal_warnings, part.report.gdal_warnings);
        for (auto& [l, ids] : part.report.repaired) r.repaired[l] = ids;
        all.work_crs = part.work_crs, all.work_crs_wkt = part.work_crs_wkt, all.crs = part.crs;
        all.source_crs_wkt = part.source_crs_wkt;
    });
    for (const auto& c : crs) EXPECT_EQ(c, head.work_crs_wkt);
    EXPECT_TRUE(head.grids.empty() && head.checks.empty() && head.cameras.empty() && head.patrols.empty());
    return all;
}

/**
 * A report's issues layer by layer, each layer's in their order: the whole read lists the layers'
 * as the sources hold them, a read a layer at a time in canonical order.
 */
std::vector<Issue> by_layer(std::vector<Issue> issues) {
    std::stable_sort(issues.begin(), issues.end(),
                     [](const Issue& a, const Issue& b) { return a.layer < b.layer; });
    return issues;
}

/** What by_layer read (joined) is what the whole read read, record for record, report for report. */
void expect_same_as_whole(Dataset whole, Dataset joined, const Dataset& head, const std::string& what) {
    SCOPED_TRACE(what);
    for (Dataset* d : {&whole, &joined}) {
        auto& r = d->report;
        for (auto* issues : {&r.no_geometry, &r.bad_times, &r.bad_values, &r.bad_cameras, &r.unknown_codes,
                             &r.orphan_cells, &r.other, &r.gdal_warnings})
            *issues = by_layer(std::move(*issues));
    }
    expect_same_read(whole, joined, what);
    EXPECT_EQ(whole.work_crs_wkt, head.work_crs_wkt);
    EXPECT_EQ(whole.source_crs_wkt, head.source_crs_wkt);
    EXPECT_EQ(whole.crs, head.crs);
    EXPECT_EQ(whole.work_crs_wkt, joined.work_crs_wkt);
    ASSERT_EQ(whole.layers.size(), head.layers.size());
    for (size_t i = 0; i < whole.layers.size(); ++i) {
        EXPECT_EQ(whole.layers[i].name, head.layers[i].name);
        EXPECT_EQ(whole.layers[i].count, head.layers[i].count) << whole.layers[i].name;
        EXPECT_EQ(whole.layers[i].invalid, head.layers[i].invalid) << whole.layers[i].name;
        EXPECT_EQ(whole.layers[i].fields, head.layers[i].fields) << whole.layers[i].name;
    }
    expect_same_records(whole.cameras, joined.cameras, [](const Camera& a, const Camera& b) {
        EXPECT_EQ(std::tie(a.cam_id, a.owner, a.status, a.height, a.resolution_px),
                  std::tie(b.cam_id, b.owner, b.status, b.height, b.resolution_px));
        EXPECT_TRUE((a.azimuth == b.azimuth || (std::isnan(a.azimuth) && std::isnan(b.azimuth))) &&
                    (a.fov == b.fov || (std::isnan(a.fov) && std::isnan(b.fov))) &&
                    (a.range == b.range || (std::isnan(a.range) && std::isnan(b.range))))
            << a.cam_id;
    });
    expect_same_records(whole.checks, joined.checks, [](const Check& a, const Check& b) {
        EXPECT_EQ(std::tie(a.check_id, a.grid_id, a.reporter, a.kind, a.note, a.time, a.when, a.people),
                  std::tie(b.check_id, b.grid_id, b.reporter, b.kind, b.note, b.time, b.when, b.people));
    });
    expect_same_records(whole.candidates, joined.candidates,
                        [](const Candidate& a, const Candidate& b) { EXPECT_EQ(a.site_id, b.site_id); });
    ASSERT_EQ(whole.buildings.size(), joined.buildings.size());
    for (size_t i = 0; i < whole.buildings.size(); ++i) {
        EXPECT_EQ(whole.buildings[i].fid, joined.buildings[i].fid);
        EXPECT_EQ(whole.buildings[i].height, joined.buildings[i].height);
        EXPECT_TRUE(same_shape(whole.buildings[i].shape, joined.buildings[i].shape)) << i;
    }
    ASSERT_EQ(whole.enterprises.size(), joined.enterprises.size());
    for (size_t i = 0; i < whole.enterprises.size(); ++i) {
        EXPECT_EQ(whole.enterprises[i].ent_id, joined.enterprises[i].ent_id);
        EXPECT_TRUE(same_shape(whole.enterprises[i].shape, joined.enterprises[i].shape)) << i;
    }
    ASSERT_EQ(whole.patrols.size(), joined.patrols.size());
    for (size_t i = 0; i < whole.patrols.size(); ++i) {
        const PatrolTrack &a = whole.patrols[i], &b = joined.patrols[i];
        EXPECT_EQ(std::tie(a.fid, a.track_id, a.team, a.start, a.end, a.t_start, a.t_end, a.times),
                  std::tie(b.fid, b.track_id, b.team, b.start, b.end, b.t_start, b.t_end, b.times));
        EXPECT_TRUE(same_shape(a.shape, b.shape)) << a.track_id;
    }
    EXPECT_EQ(whole.other_layers.size(), joined.other_layers.size());
    ASSERT_EQ(whole.extra_fields.size(), joined.extra_fields.size());
    for (const auto& [l, ex] : whole.extra_fields) {
        ASSERT_TRUE(joined.extra_fields.count(l)) << l;
        EXPECT_EQ(ex.names, joined.extra_fields.at(l).names) << l;
    }
    expect_same(whole.report.bad_cameras, joined.report.bad_cameras, "bad_cameras");
    expect_same(whole.report.unknown_codes, joined.report.unknown_codes, "unknown_codes");
    expect_same(whole.report.orphan_cells, joined.report.orphan_cells, "orphan_cells");
    expect_same(whole.report.gdal_warnings, joined.report.gdal_warnings, "gdal_warnings");
    EXPECT_EQ(whole.report.repaired, joined.report.repaired);
    // What finding the layers reported comes once, with the first layer.
    expect_same(whole.report.other, joined.report.other, "other");
}

}  // namespace

/**
 * A layer at a time (open_dataset_by_layer, what `export` reads with): each layer handed over alone,
 * and together they are what the whole read reads, record for record, with the same working CRS,
 * counts and reports. The bundled community (every layer, patrols timed along their lines); it
 * beside 60,000 checks of another GeoPackage that are read in parts (a second source adding to a
 * layer the first has), whole and two of its layers alone; its shapefiles in GBK without .cpg,
 * with cells one layer per level without parent ids (found by containment); and in lon/lat,
 * reprojected, with a camera of bad values, a code outside the contract's and a layer no role uses.
 */
TEST(ReadParts, ALayerAtATimeIsWhatTheWholeReadReads) {
    TempDir dir("read_by_layer");
    gdal_setup();
    const std::string bundled = bundled_dataset_path();
    const std::string checks = write_checks(dir / "checks.gpkg", 60000, 5000, /*geographic=*/true);
    translate(bundled, dir / "shp", "ESRI Shapefile", {"-nlt", "PROMOTE_TO_MULTI", "-lco", "ENCODING=CP936"});
    for (const auto& e : std::filesystem::directory_iterator(dir / "shp"))
        if (e.path().extension() == ".cpg") std::filesystem::remove(e.path());
    // The cells as one layer a level, without parent ids.
    std::filesystem::create_directory(dir / "levels");
    for (int level = 1; level <= 4; ++level)
        translate(
            bundled, dir / ("levels/grids_L" + std::to_string(level) + ".shp"), "ESRI Shapefile",
            {"-sql",
             "SELECT grid_id, level, '' AS parent_id, name, manager, phone, geom FROM grids WHERE level = " +
                 std::to_string(level)});
    translate(bundled, dir / "levels", "ESRI Shapefile", {"households", "cameras", "patrols"});
    translate(bundled, dir / "lonlat.gpkg", "GPKG", {"-t_srs", "EPSG:4326"});
    {  // a camera with a bad value, one with a status outside the contract's codes
        GDALDatasetUniquePtr g(
            GDALDataset::Open((dir / "lonlat.gpkg").c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(g);
        g->ReleaseResultSet(g->ExecuteSQL("UPDATE cameras SET fov = 0 WHERE fid = 3", nullptr, nullptr));
        g->ReleaseResultSet(
            g->ExecuteSQL("UPDATE cameras SET status = 'broken' WHERE fid = 5", nullptr, nullptr));
        gwtest::add_river_layer(*g, 4326);
    }

    struct Case {
        std::string what;
        std::vector<std::string> sources, layers;
    };
    const std::vector<Case> cases = {
        {"bundled", {bundled}, {}},
        {"bundled and 60,000 checks", {bundled, checks}, {}},
        {"cameras and checks of both", {bundled, checks}, {"cameras", "checks"}},
        {"shapefiles in GBK", {dir / "shp"}, {}},
        {"a layer a level", {dir / "levels"}, {}},
        {"lon/lat", {dir / "lonlat.gpkg"}, {}},
    };
    for (const auto& [what, sources, layers] : cases) {
        OpenOptions o;
        o.layers = layers;
        const Dataset whole = read_with(2, sources, o);
        Dataset head, joined;
        std::vector<std::string> seen;
        tbb::task_arena arena(2);
        arena.execute([&] { joined = read_by_layer(sources, o, head, seen); });
        expect_same_as_whole(whole, joined, head, what);
        // Every canonical layer handed over, found or not, then the layers no role uses, when read.
        std::vector<std::string> every(canonical_layers().begin(), canonical_layers().end());
        if (what == "lon/lat") every.push_back("");
        EXPECT_EQ(seen, every) << what;
        EXPECT_EQ(joined.other_layers.size(), what == "lon/lat" ? 1u : 0u) << what;
        EXPECT_EQ(joined.grids.empty(), !layers.empty()) << what;
        EXPECT_TRUE(std::all_of(joined.grids.begin(), joined.grids.end(), [](const Grid& g) {
            return g.level == 1 || !g.parent_id.empty();
        })) << what;
        EXPECT_EQ(joined.report.bad_cameras.size(), what == "lon/lat" ? 1u : 0u) << what;
        EXPECT_EQ(joined.report.unknown_codes.size(), what == "lon/lat" ? 1u : 0u) << what;
        EXPECT_EQ(joined.patrols.empty() || joined.patrols.front().times.empty(), !layers.empty()) << what;
        EXPECT_EQ(joined.checks.size(), whole.checks.size()) << what;
        if (what == "cameras and checks of both") {
            EXPECT_GT(joined.checks.size(), 50000u);
        }
    }
}

// Cells read in parts (their cost past a task's share: plan_reading), with and without a level
// filter, which a part keeps beside its FID range: the cells, their outlines, the repaired ones
// and those without an outline as one task reads them. A part that let the level filter go would
// give every level's cells; one that dropped its own range would give each cell once per part.
TEST(ReadParts, CellsReadInPartsAreTheCellsReadWholeWithTheirLevelFilter) {
    TempDir dir("read_cells_in_parts");
    const std::string path = dir / "cells.gpkg";
    // More features than one task reads alone (read_layers: 20,000); outlines of 33 vertices, ~560
    // bytes each, the cost of 5 points: 105,000 in all.
    const int n = 21000;
    {
        std::unique_ptr<GDALDataset> ds = new_gpkg(path);
        OGRLayer* layer = add_layer(*ds, "grids", 4542, wkbPolygon, {"grid_id", "parent_id", "name"});
        OGRFieldDefn level("level", OFTInteger);
        ASSERT_EQ(layer->CreateField(&level), OGRERR_NONE);
        ASSERT_EQ(layer->StartTransaction(), OGRERR_NONE);
        for (int i = 0; i < n; ++i) {
            OGRFeature f(layer->GetLayerDefn());
            f.SetField("grid_id", ("G" + std::to_string(i)).c_str());
            f.SetField("name", ("网格" + std::to_string(i)).c_str());
            f.SetField("level", 1 + i % 4);
            const double x0 = 468000 + 20.0 * (i % 100), y0 = 2720000 + 20.0 * (i / 100);
            OGRLinearRing ring;
            for (int k = 0; k < 32; ++k) {  // a square of 32 vertices; every 997th a bow tie (repaired)
                const double t = k / 8.0;
                const int side = k / 8;
                const double u = t - side;
                const double x = side == 0 ? u : side == 1 ? 1 : side == 2 ? 1 - u : 0;
                const double y = side == 0 ? 0 : side == 1 ? u : side == 2 ? 1 : 1 - u;
                ring.addPoint(x0 + 10 * (i % 997 == 5 && side == 1 ? 1 - x : x), y0 + 10 * y);
            }
            ring.closeRings();
            OGRPolygon poly;
            poly.addRing(&ring);
            if (i % 1000 != 999) f.SetGeometry(&poly);  // some without an outline
            ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
        }
        ASSERT_EQ(layer->CommitTransaction(), OGRERR_NONE);
    }
    for (const int level : {0, 4, 2}) {
        OpenOptions o;
        o.grid_level = level;
        const Dataset whole = read_with(1, path, o), parts = read_with(2, path, o);
        size_t expected = 0;  // those of the level with an outline
        for (int i = 0; i < n; ++i) expected += (level == 0 || 1 + i % 4 == level) && i % 1000 != 999;
        ASSERT_EQ(whole.grids.size(), expected) << level;
        ASSERT_EQ(parts.grids.size(), whole.grids.size()) << level;
        for (size_t i = 0; i < whole.grids.size(); ++i) {
            const Grid &a = whole.grids[i], &b = parts.grids[i];
            ASSERT_EQ(std::tie(a.fid, a.grid_id, a.level, a.name),
                      std::tie(b.fid, b.grid_id, b.level, b.name))
                << i;
            if (level) {
                ASSERT_EQ(b.level, level) << b.grid_id;
            }
            expect_same_outline(a, b);
        }
        expect_same(whole.report.no_geometry, parts.report.no_geometry, "no_geometry");
        expect_same(whole.report.other, parts.report.other, "other");
        ASSERT_EQ(whole.layers.size(), parts.layers.size());
        EXPECT_EQ(whole.layers[0].count, n);
        EXPECT_EQ(parts.layers[0].count, n);
        EXPECT_EQ(whole.layers[0].invalid, parts.layers[0].invalid) << level;
        if (level == 0) {
            EXPECT_GT(whole.layers[0].invalid, 0);
        }
    }
}

/**
 * A command that reads one level (Gi*, the warning) stops on a cell whose level is none of 1-4 or
 * is missing, as the commands that read every level do: the level filter does not leave it out.
 */
TEST(ReadParts, ACellOfNoLevelStopsTheReadOfOneLevel) {
    TempDir dir("cell_of_no_level");
    // 40 square cells, G0 … G39, of levels 1–4 in turn but G17, whose level is `g17` (none: null).
    auto write_cells = [](const std::string& path, OGRFieldType type, std::optional<double> g17) {
        std::unique_ptr<GDALDataset> ds = new_gpkg(path);
        OGRLayer* layer = add_layer(*ds, "grids", 4542, wkbPolygon, {"grid_id", "parent_id"});
        OGRFieldDefn level("level", type);
        ASSERT_EQ(layer->CreateField(&level), OGRERR_NONE);
        for (int i = 0; i < 40; ++i) {
            OGRFeature f(layer->GetLayerDefn());
            f.SetField("grid_id", ("G" + std::to_string(i)).c_str());
            if (i != 17)
                f.SetField("level", 1 + i % 4);
            else if (g17)
                f.SetField("level", *g17);
            OGRLinearRing ring;
            for (auto [x, y] : {std::pair{0, 0}, {10, 0}, {10, 10}, {0, 10}, {0, 0}})
                ring.addPoint(468000 + 20.0 * i + x, 2720000 + y);
            OGRPolygon poly;
            poly.addRing(&ring);
            f.SetGeometry(&poly);
            ASSERT_EQ(layer->CreateFeature(&f), OGRERR_NONE);
        }
    };
    struct Bad {
        const char* what;
        std::optional<double> level;
    };
    for (const Bad& bad : {Bad{"7", 7.0}, Bad{"none", std::nullopt}, Bad{"2.5", 2.5}, Bad{"0", 0.0}}) {
        const std::string path = dir / ("cells_" + std::string(bad.what) + ".gpkg");
        write_cells(path, OFTReal, bad.level);
        const std::string shp = dir / ("shp_" + std::string(bad.what));
        translate(path, shp, "ESRI Shapefile");  // OGR's own SQL runs the filter there
        for (const std::string& source : {path, shp + "/grids.shp"})
            for (const int level : {4, 2}) {
                OpenOptions o;
                o.grid_level = level;
                try {
                    const Dataset ds = read_with(2, source, o);
                    ADD_FAILURE() << source << " at level " << level << ": the cell of level " << bad.what
                                  << " was left out in silence (" << ds.grids.size() << " cells read)";
                } catch (const Error& e) {
                    const std::string m = e.what();
                    EXPECT_NE(m.find("feature G17, field 'level': level must be a whole number from 1 to 4"),
                              std::string::npos)
                        << source << ": " << m;
                }
            }
    }
    // A good file's cells of one level are read, and only those.
    const std::string good = dir / "good.gpkg";
    write_cells(good, OFTInteger, 2.0);  // G17 of level 2, as 1 + 17 % 4 gives
    for (const int level : {1, 2, 3, 4}) {
        OpenOptions o;
        o.grid_level = level;
        const Dataset ds = read_with(2, good, o);
        ASSERT_EQ(ds.grids.size(), 10u) << level;
        for (const Grid& g : ds.grids) EXPECT_EQ(g.level, level) << g.grid_id;
    }
}
