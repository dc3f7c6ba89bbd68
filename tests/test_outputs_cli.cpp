// Outputs that cannot hurt (issue 12 §3): --out onto an input is refused before any work,
// a huge render is refused with one line, export --format CSV works, and a camera save into a
// shapefile folder keeps Chinese text.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>

#include <cmath>
#include <filesystem>
#include <map>

#include "geo/io/camera_store.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"

namespace fs = std::filesystem;
using gwtest::run_gridwatch;

namespace {

std::string bundled() { return std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg"; }

/** Every file under `dir` with its bytes, for "nothing changed" checks. */
std::map<std::string, size_t> snapshot(const fs::path& dir) {
    std::map<std::string, size_t> m;
    for (const auto& e : fs::recursive_directory_iterator(dir))
        if (e.is_regular_file()) m[fs::relative(e.path(), dir).string()] = std::hash<std::string>{}(gwtest::slurp(e.path()));
    return m;
}

}  // namespace

TEST(OutputsCli, OutOntoAnInputIsRefusedBeforeAnyWork) {
    gwtest::TempDir dir("out_onto_input");
    const std::string gpkg = dir / "c.gpkg";
    fs::copy_file(bundled(), gpkg);
    // A shapefile folder of the same data: its grids_L4.shp is an input file.
    ASSERT_EQ(run_gridwatch("export " + gpkg + " --out " + dir / "shp").status, 0);
    std::ofstream(dir.path / "shp" / "map.png") << "the user's picture, kept beside the data";
    const auto before_gpkg = gwtest::slurp(gpkg);
    const auto before_shp = snapshot(dir.path / "shp");
    const std::string shp = dir / "shp";
    const std::vector<std::string> cases = {
        "coverage " + gpkg + " --level 3 --out " + gpkg,
        "coverage " + shp + " --level 3 --out " + shp + "/grids_L4.shp",
        "coverage " + shp + " --level 3 --out " + shp + "/grids_L4.dbf",
        "hotspots " + gpkg + " --method kde --out " + gpkg,
        "hotspots " + gpkg + " --method gi --out " + dir.path.string() + "/./c.gpkg",
        "plan " + gpkg + " --add 1 --out " + gpkg,
        "export " + gpkg + " --format GPKG --out " + gpkg,
        "export " + shp + " --out " + shp,
        "export " + shp + " --out " + dir.path.string(),  // a folder holding the dataset
        "render " + shp + " --out " + shp + "/map.png",
        // New files in the dataset folder: read with it next time (a second cameras layer).
        "plan " + shp + " --add 1 --out " + shp + "/Cameras.shp",
        "coverage " + shp + " --level 3 --out " + shp + "/cov.shp",
        "render " + shp + " --out " + shp + "/new.png",
    };
    for (const auto& args : cases) {
        const auto r = run_gridwatch(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
        EXPECT_NE(r.err.find("would write onto or into the input"), std::string::npos) << r.err;
    }
    EXPECT_EQ(gwtest::slurp(gpkg), before_gpkg);
    EXPECT_EQ(snapshot(dir.path / "shp"), before_shp);
    // An output beside the input, under another name, is fine.
    EXPECT_EQ(run_gridwatch("coverage " + gpkg + " --level 3 --occlusion none --out " + dir / "cov.gpkg").status, 0);
}

// The files an output writes beside --out (coverage's X_gaps and X_views, a plan's X_planned_views,
// a map's world file, any .aux.xml it replaces) are checked against the inputs as --out is: GDAL
// reads a GeoJSON whatever its name, so each of them can be an input.
TEST(OutputsCli, SideFilesOfAnOutputOntoAnInputAreRefusedBeforeAnyWork) {
    gwtest::TempDir dir("side_onto_input");
    ASSERT_EQ(run_gridwatch("export " + bundled() + " --format GeoJSON --out " + dir / "src").status, 0);
    const fs::path src = dir.path / "src", in = dir.path / "in";
    fs::create_directories(in / "sub");
    const std::string grids = (src / "grids.geojson").string(), cams = (src / "cameras.geojson").string();
    // A copy of the cells under each name an output writes beside its --out.
    for (const char* name : {"foo_gaps.geojson", "foo_views.geojson", "p_planned_views.geojson", "map.wld",
                             "map.png.aux.xml", "d.tif.aux.xml", "h.gpkg.aux.xml"})
        fs::copy_file(grids, in / name);
    fs::create_symlink(in / "foo_gaps.geojson", in / "link.geojson");
    fs::create_hard_link(in / "foo_views.geojson", in / "hard.geojson");
    const auto before = snapshot(in);
    const std::string d = in.string() + "/";
    const std::vector<std::string> cases = {
        "coverage " + d + "foo_gaps.geojson " + cams + " --level 3 --occlusion none --out " + d +
            "foo.geojson",
        "coverage " + d + "foo_views.geojson " + cams + " --level 3 --occlusion none --out " + d +
            "foo.geojson",
        "coverage " + d + "foo_gaps.geojson " + cams + " --level 3 --out " + d + "sub/../foo.geojson",
        "coverage " + d + "link.geojson " + cams + " --level 3 --out " + d +
            "foo.geojson",  // a symlink to it
        "coverage " + d + "hard.geojson " + cams + " --level 3 --out " + d +
            "foo.geojson",  // a hard link to it
        "plan " + d + "p_planned_views.geojson " + cams + " --add 1 --out " + d + "p.geojson",
        "render " + d + "map.wld " + cams + " --out " + d + "map.png",
        "render " + d + "map.wld " + cams + " --out " + d + "map.tif",  // the old map.wld goes with it
        "render " + d + "map.png.aux.xml " + cams + " --out " + d + "map.png",
        "hotspots " + d + "d.tif.aux.xml --method kde --out " + d + "d.tif",
        "hotspots " + d + "h.gpkg.aux.xml " + grids + " --method gi --level 3 --out " + d + "h.gpkg",
    };
    for (const auto& args : cases) {
        const auto r = run_gridwatch(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
        EXPECT_NE(r.err.find("would write onto or into the input"), std::string::npos) << args << "\n"
                                                                                       << r.err;
    }
    EXPECT_EQ(snapshot(in), before) << "an input was changed, or a file added beside them";
    // Side files of other names are fine.
    const auto r = run_gridwatch("coverage " + d + "foo_gaps.geojson " + cams +
                                 " --level 3 --occlusion none --out " + d + "bar.geojson");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(fs::exists(in / "bar_gaps.geojson"));
    EXPECT_TRUE(fs::exists(in / "bar_views.geojson"));
}

// A dataset's project file (its names for layers and fields) is an input too, there or not yet:
// `hotspots c.gpkg --out c.gpkg.gridwatch.json` wrote GeoJSON over it, and c.gpkg opened no more.
TEST(OutputsCli, AnOutputOntoTheProjectFileIsRefusedBeforeAnyWork) {
    gwtest::TempDir dir("onto_project");
    const std::string gpkg = dir / "c.gpkg";
    fs::copy_file(bundled(), gpkg);
    const std::string project = gpkg + ".gridwatch.json";
    for (const bool there : {true, false}) {
        if (there) std::ofstream(project) << R"({"mapping": {}})";
        const auto before = snapshot(dir.path);
        for (const std::string& args :
             {"hotspots " + gpkg + " --method gi --out " + project,
              "coverage " + gpkg + " --no-gaps --out " + project,
              "export " + gpkg + " --format GeoJSON --layers cameras --out " + project,
              "export " + gpkg + " --format GeoJSON --layers cameras --out " + dir.path.string() +
                  "/./c.gpkg.gridwatch.json"}) {
            const auto r = run_gridwatch(args);
            EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
            EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
            EXPECT_NE(r.err.find("the project file of"), std::string::npos) << args << "\n" << r.err;
        }
        EXPECT_EQ(snapshot(dir.path), before)
            << (there ? "the project file was changed" : "a project file was made");
        fs::remove(project);
    }
    // hotspots --method warning reads the --project file it is given.
    const std::string thresholds = dir / "warn.json";
    std::ofstream(thresholds) << "{}";
    const auto r = run_gridwatch("hotspots " + gpkg + " --method warning --project " + thresholds +
                                 " --out " + thresholds);
    EXPECT_EQ(r.status, 2) << r.err;
    EXPECT_EQ(gwtest::slurp(thresholds), "{}");
}

// A --basemap is an input too: `render --out v.tif --basemap v.tif` wrote the map over it.
TEST(OutputsCli, RenderOntoItsBasemapIsRefusedBeforeAnyWork) {
    gwtest::TempDir dir("onto_basemap");
    const fs::path bm = dir.path / "v.tif";
    ASSERT_EQ(run_gridwatch("render " + bundled() + " --out " + bm.string() + " --size 120x90").status, 0);
    fs::create_symlink(bm, dir.path / "link.tif");
    const auto before = snapshot(dir.path);
    const std::string d = dir.path.string() + "/";
    for (const std::string& args :
         {"--basemap " + d + "v.tif --out " + d + "v.tif", "--basemap " + d + "v.tif --out " + d + "./v.tif",
          "--basemap " + d + "v.tif --out " + d + "link.tif",
          "--basemap " + d + "link.tif --out " + d + "v.tif"}) {
        const auto r = run_gridwatch("render " + bundled() + " --size 120x90 " + args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
        EXPECT_NE(r.err.find("would write onto or into the input"), std::string::npos) << args << "\n"
                                                                                       << r.err;
    }
    EXPECT_EQ(snapshot(dir.path), before) << "the basemap was changed";
}

// `--basemap B --layers facilities` drew no basemap without a word: --layers had to list basemap too.
TEST(OutputsCli, RenderDrawsAGivenBasemapWhateverLayersAreListed) {
    gwtest::TempDir dir("basemap_layers");
    const std::string bm = dir / "bm.tif";
    ASSERT_EQ(run_gridwatch("render " + bundled() + " --out " + bm + " --size 200x150").status, 0);
    const std::string args = "render " + bundled() + " --layers facilities --size 200x150 --out ";
    ASSERT_EQ(run_gridwatch(args + dir / "without.png").status, 0);
    ASSERT_EQ(run_gridwatch(args + dir / "with.png --basemap " + bm).status, 0);
    EXPECT_NE(gwtest::slurp(dir.path / "with.png"), gwtest::slurp(dir.path / "without.png"));
}

// A source with no feature (every layer empty; a PG: database without gridwatch's tables) drew a
// blank image at a made-up spot, the wall a "0 m" scale bar, each with exit 0.
TEST(OutputsCli, RenderOfNothingIsOneLineExit1) {
    gwtest::TempDir dir("render_nothing");
    const std::string empty = dir / "e.gpkg";
    ASSERT_EQ(
        run_gridwatch("export " + bundled() + " --format GPKG --layers grids,cameras --out " + empty).status,
        0);
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(empty.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        for (const char* sql : {"DELETE FROM grids", "DELETE FROM cameras"})
            ds->ExecuteSQL(sql, nullptr, nullptr);
    }
    for (const char* how : {"", " --wall"}) {
        const auto r = run_gridwatch("render " + empty + how + " --out " + dir / "e.png");
        EXPECT_EQ(r.status, 1) << how << r.out;
        EXPECT_EQ(r.error_lines(), 1) << r.err;
        EXPECT_NE(r.err.find("e.gpkg: has nothing to draw"), std::string::npos) << r.err;
    }
    EXPECT_FALSE(fs::exists(dir.path / "e.png"));
    // An extent asked for is drawn, empty: a basemap may be what is wanted there.
    EXPECT_EQ(
        run_gridwatch("render " + empty + " --extent 467000,2720000,469000,2721000 --out " + dir / "e.png")
            .status,
        0);
}

TEST(OutputsCli, RenderTooBigForMemoryIsOneLineExit1) {
    gwtest::TempDir dir("render_huge");
    const auto r = run_gridwatch("render " + bundled() + " --out " + dir / "a.png" + " --size 200000x200000");
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("200000x200000"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("smaller --size"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "a.png"));
}

// EGL is loaded on a thread of its own while the layers are read: a machine without it still gets
// one line and exit 1, and no image.
TEST(OutputsCli, RenderWithoutEglIsOneLineExit1) {
    gwtest::TempDir dir("render_no_egl");
    const auto r = run_gridwatch("render " + bundled() + " --out " + dir / "a.png",
                                 "__EGL_VENDOR_LIBRARY_FILENAMES=" + dir / "none.json");
    EXPECT_EQ(r.status, 1) << r.err;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("EGL"), std::string::npos) << r.err;
    EXPECT_FALSE(fs::exists(dir / "a.png"));
}

// Without a readable CJK font every Chinese character was drawn as '?', the wall's title and
// tiles too, with exit 0. A font named in GRIDWATCH_CJK_FONT that is missing, or no font, stops it.
TEST(OutputsCli, RenderWithoutTheChineseFontIsOneLineExit1) {
    gwtest::TempDir dir("render_no_font");
    dir.write("not_a_font.ttc", "hello");
    for (const std::string& font : {dir / "none.ttc", dir / "not_a_font.ttc"})
        for (const char* how : {"", " --wall"}) {
            const auto r =
                run_gridwatch("render " + bundled() + how + " --size 480x270 --out " + dir / "a.png",
                              "GRIDWATCH_CJK_FONT=" + font);
            EXPECT_EQ(r.status, 1) << how << r.err;
            EXPECT_EQ(r.error_lines(), 1) << r.err;
            EXPECT_NE(r.err.find("font " + font + " cannot be read"), std::string::npos) << r.err;
            EXPECT_FALSE(fs::exists(dir / "a.png"));
        }
}

// A character past U+FFFF (𠮷) shows as '?': ImGui 1.86's glyphs are 16-bit. Said on stderr.
TEST(OutputsCli, RenderNamesTheCharactersItCannotDraw) {
    gwtest::TempDir dir("render_beyond_bmp");
    const std::string data = dir / "d.gpkg";
    fs::copy_file(bundled(), data);
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        ds->ExecuteSQL("UPDATE grids SET name = '𠮷大坪子社区' WHERE level = 1", nullptr, nullptr);
    }
    for (const char* how : {"", " --wall"}) {
        const auto r = run_gridwatch("render " + data + how + " --size 960x540 --out " + dir / "a.png");
        EXPECT_EQ(r.status, 0) << how << r.err;
        EXPECT_NE(r.err.find("past U+FFFF cannot be drawn, and show as '?' on the map: 𠮷"),
                  std::string::npos)
            << how << r.err;
    }
    const auto plain = run_gridwatch("render " + bundled() + " --wall --size 960x540 --out " + dir / "b.png");
    EXPECT_EQ(plain.err.find("U+FFFF"), std::string::npos) << plain.err;  // 坪 is within the 16 bits
}

TEST(OutputsCli, ExportCsvWritesGeometryAsWkt) {
    gwtest::TempDir dir("export_csv");
    const auto r = run_gridwatch("export " + bundled() + " --format CSV --out " + dir / "csv");
    ASSERT_EQ(r.status, 0) << r.err;
    GDALAllRegister();
    const gw::Dataset ds = gw::open_dataset({bundled()});
    GDALDatasetUniquePtr cams(GDALDataset::Open((dir / "csv/cameras.csv").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(cams);
    OGRLayer* L = cams->GetLayer(0);
    EXPECT_EQ(size_t(L->GetFeatureCount()), ds.cameras.size());
    OGRFeatureUniquePtr f(L->GetNextFeature());
    ASSERT_TRUE(f && f->GetGeometryRef()) << "no WKT geometry in the CSV";
    EXPECT_EQ(wkbFlatten(f->GetGeometryRef()->getGeometryType()), wkbPoint);
    GDALDatasetUniquePtr grids(GDALDataset::Open((dir / "csv/grids.csv").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(grids);
    OGRFeatureUniquePtr g(grids->GetLayer(0)->GetNextFeature());
    ASSERT_TRUE(g && g->GetGeometryRef());
    EXPECT_GT(g->GetGeometryRef()->toMultiPolygon()->get_Area() + 0, 0);
    // The analyses' --out takes .csv too.
    EXPECT_EQ(run_gridwatch("coverage " + bundled() + " --level 3 --occlusion none --out " + dir / "cov.csv").status, 0);
    EXPECT_TRUE(fs::exists(dir / "cov.csv"));
}

TEST(OutputsCli, CameraSaveIntoAShapefileFolderKeepsChineseText) {
    gwtest::TempDir dir("camsave_shp");
    ASSERT_EQ(run_gridwatch("export " + bundled() + " --out " + dir / "shp").status, 0);
    std::ofstream(dir.path / "shp" / "notes.txt") << "the user's own file";
    const std::string folder = dir / "shp";
    gw::Dataset ds = gw::open_dataset({folder});
    ASSERT_GE(ds.cameras.size(), 2u);
    ds.cameras[0].cam_id = "大坪子-东口-01";
    ds.cameras[0].owner = "罗家大坡村委会";
    ds.cameras[0].azimuth = 200;
    gw::Camera added = ds.cameras[1];
    added.fid = -1;
    added.cam_id = "新增摄像头";
    added.owner = "张三";
    ds.cameras.push_back(added);
    gw::save_cameras(folder, ds);
    EXPECT_EQ(gwtest::slurp(dir.path / "shp" / "cameras.cpg").substr(0, 5), "UTF-8");
    EXPECT_EQ(gwtest::slurp(dir.path / "shp" / "notes.txt"), "the user's own file");
    const gw::Dataset back = gw::open_dataset({folder});
    ASSERT_EQ(back.cameras.size(), ds.cameras.size());
    bool first = false, second = false;
    for (const auto& c : back.cameras) {
        if (c.cam_id == "大坪子-东口-01") first = c.owner == "罗家大坡村委会" && std::abs(c.azimuth - 200) < 1e-6;
        if (c.cam_id == "新增摄像头") second = c.owner == "张三";
    }
    EXPECT_TRUE(first);
    EXPECT_TRUE(second);
    EXPECT_EQ(back.grids.size(), ds.grids.size()) << "the folder's other layers stay";
    for (const auto& e : fs::directory_iterator(dir.path))
        EXPECT_NE(e.path().filename().string().rfind(".gw-", 0), 0u) << e.path();
}

// The plain map reads the daily work's layers only when it draws them (--layers): a county's month
// of reports was most of `render`'s reading. Here a checks layer of polygons, which reading refuses,
// shows what is read: nothing of it for the default map, all of it when asked for.
TEST(OutputsCli, RenderReadsTheDailyLayersOnlyWhenItDrawsThem) {
    gwtest::TempDir dir("render_daily");
    const std::string checks = dir / "checks.geojson";
    std::ofstream(checks) << R"({"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::4542"}},
      "features": [{"type": "Feature", "properties": {"check_id": "K1", "grid_id": "x", "time": "2026-10-02T08:00:00", "kind": "routine"},
        "geometry": {"type": "Polygon", "coordinates": [[[466000, 2720000], [466010, 2720000], [466010, 2720010], [466000, 2720000]]]}}]})";
    const auto plain = run_gridwatch("render " + bundled() + " " + checks + " --out " + dir / "a.png" + " --size 300x200");
    EXPECT_EQ(plain.status, 0) << plain.err;
    EXPECT_TRUE(fs::exists(dir / "a.png"));
    const auto drawn = run_gridwatch("render " + bundled() + " " + checks + " --out " + dir / "b.png" +
                                     " --size 300x200 --layers grids,checks");
    EXPECT_EQ(drawn.status, 1);
    EXPECT_NE(drawn.err.find("expected Point"), std::string::npos) << drawn.err;
    EXPECT_FALSE(fs::exists(dir / "b.png"));
}

// A driver with fields of its own before ours (KML's Name and Description) took every value one
// field along: a cell's area in grid_id, its coverage in area_m2, a planned camera's azimuth in
// cam_id. Every analysis's KML now carries what its GeoPackage does, field by field.
TEST(OutputsCli, AKmlCarriesEveryFieldItsGeoPackageDoes) {
    gwtest::TempDir dir("out_kml");
    GDALAllRegister();
    const std::vector<std::pair<std::string, std::string>> runs = {
        {"coverage", "coverage " + bundled() + " --level 3 --occlusion none --out "},
        {"plan", "plan " + bundled() + " --add 2 --out "},
        {"gi", "hotspots " + bundled() + " --method gi --out "}};
    for (const auto& [name, args] : runs) {
        for (const char* ext : {".gpkg", ".kml"}) {
            const auto r = run_gridwatch(args + (dir / (name + ext)));
            ASSERT_EQ(r.status, 0) << args << ext << "\n" << r.err;
            EXPECT_EQ(r.err.find("parsed incompletely"), std::string::npos) << r.err;
        }
        GDALDatasetUniquePtr gpkg(GDALDataset::Open((dir / (name + ".gpkg")).c_str(), GDAL_OF_VECTOR));
        GDALDatasetUniquePtr kml(GDALDataset::Open((dir / (name + ".kml")).c_str(), GDAL_OF_VECTOR));
        ASSERT_TRUE(gpkg && kml) << name;
        int compared = 0;
        for (OGRLayer* want : gpkg->GetLayers()) {
            OGRLayer* got = kml->GetLayerByName(want->GetName());
            ASSERT_TRUE(got) << name << " " << want->GetName();
            ASSERT_EQ(got->GetFeatureCount(), want->GetFeatureCount()) << name << " " << want->GetName();
            for (auto& w : *want) {
                OGRFeatureUniquePtr g(got->GetNextFeature());
                ASSERT_TRUE(g);
                for (int i = 0; i < w->GetFieldCount(); ++i) {
                    const char* field = w->GetFieldDefnRef(i)->GetNameRef();
                    const int k = g->GetFieldIndex(field);
                    ASSERT_GE(k, 0) << name << " " << want->GetName() << " " << field;
                    const std::string at = name + " " + want->GetName() + " " + field;
                    if (w->GetFieldDefnRef(i)->GetType() == OFTReal)
                        EXPECT_NEAR(g->GetFieldAsDouble(k), w->GetFieldAsDouble(i),
                                    1e-9 * (1 + std::abs(w->GetFieldAsDouble(i))))
                            << at;
                    else
                        EXPECT_STREQ(g->GetFieldAsString(k), w->GetFieldAsString(i)) << at;
                    ++compared;
                }
            }
        }
        EXPECT_GT(compared, 20) << name;
    }
}
