// Saving edited cameras back into a GeoPackage: edits survive a reopen, and a failed save
// leaves the file exactly as it was.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "geo/core/error.h"
#include "geo/io/camera_store.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"

namespace {

const gw::Camera* find(const gw::Dataset& ds, const std::string& id) {
    for (const auto& c : ds.cameras)
        if (c.cam_id == id) return &c;
    return nullptr;
}

/** A copy of the bundled community in a temp dir: data/ is never written. */
std::string copy_bundled(const gwtest::TempDir& dir) {
    const std::string path = dir / "community.gpkg";
    std::filesystem::copy_file(gw::bundled_dataset_path(), path);
    return path;
}

/** copy_bundled with an integer `version` field on the cameras, every one at 3. */
std::string copy_bundled_versioned(const gwtest::TempDir& dir) {
    const std::string path = copy_bundled(dir);
    GDALAllRegister();
    GDALDatasetUniquePtr g(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    EXPECT_TRUE(g) << path;
    if (!g) return path;
    for (const char* sql :
         {"ALTER TABLE cameras ADD COLUMN version INTEGER", "UPDATE cameras SET version = 3"})
        if (OGRLayer* rs = g->ExecuteSQL(sql, nullptr, nullptr)) g->ReleaseResultSet(rs);
    return path;
}

/** One camera at 98.69, 24.59 in a GeoJSON file of its own; returns its path. */
std::string one_camera_geojson(const gwtest::TempDir& dir) {
    dir.write(
        "cameras.geojson",
        R"({"type":"FeatureCollection","features":[{"type":"Feature","properties":{"cam_id":"K1","owner":"road","azimuth":45,"fov":90,"range":400,"status":"online"},)"
        R"("geometry":{"type":"Point","coordinates":[98.69,24.59]}}]})");
    return dir / "cameras.geojson";
}

}  // namespace

TEST(CameraStore, EditsSurviveSaveAndReopen) {
    gwtest::TempDir dir("camstore");
    const std::string path = copy_bundled(dir);
    gw::Dataset ds = gw::open_dataset({path});
    ASSERT_GE(ds.cameras.size(), 2u);
    const size_t n = ds.cameras.size();
    gw::Camera& moved = ds.cameras[0];
    const std::string moved_id = moved.cam_id, removed_id = ds.cameras.back().cam_id;
    const gw::Vec2 target = moved.pos + gw::Vec2{12.5, -7.25};
    moved.pos = target;
    moved.azimuth = 123;
    moved.fov = 75;
    ds.cameras.pop_back();  // removed in the editor
    gw::Camera added = ds.cameras[0];
    added.fid = -1;
    added.cam_id = "NEW-1";
    added.pos = target + gw::Vec2{30, 30};
    ds.cameras.push_back(added);

    const auto fids = gw::save_cameras(path, ds);
    ASSERT_EQ(fids.size(), n);
    EXPECT_GE(fids.back(), 0);

    gw::Dataset again = gw::open_dataset({path});
    EXPECT_EQ(again.cameras.size(), n);
    const gw::Camera* m = find(again, moved_id);
    ASSERT_NE(m, nullptr);
    EXPECT_NEAR(m->pos.x, target.x, 0.01);  // back through EPSG:4490 and forward again
    EXPECT_NEAR(m->pos.y, target.y, 0.01);
    EXPECT_DOUBLE_EQ(m->azimuth, 123);
    EXPECT_DOUBLE_EQ(m->fov, 75);
    EXPECT_EQ(find(again, removed_id), nullptr);
    const gw::Camera* a = find(again, "NEW-1");
    ASSERT_NE(a, nullptr);
    EXPECT_NEAR(a->pos.x, target.x + 30, 0.01);
    // Other layers are untouched.
    gw::Dataset original = gw::open_dataset({gw::bundled_dataset_path()});
    EXPECT_EQ(again.households.size(), original.households.size());
    EXPECT_EQ(again.grids.size(), original.grids.size());
}

// The viewer's save into a GeoPackage whose cameras keep a `version` (SPEC §9: a row's version
// rises by exactly 1 per change): it wrote every camera without raising one, overwrote a change
// `gridwatch edit` made after the viewer read the layer, and deleted cameras others had added.
TEST(CameraStore, TheViewersSaveRaisesChangedVersionsAndRefusesAStaleCamera) {
    gwtest::TempDir dir("camstore_versions");
    const std::string path = copy_bundled_versioned(dir);
    gw::Dataset ds = gw::open_dataset({path});
    ASSERT_GE(ds.cameras.size(), 4u);
    std::vector<gw::Camera> as_read = ds.cameras;
    const std::string moved = ds.cameras[0].cam_id, removed = ds.cameras.back().cam_id;
    const std::string theirs = ds.cameras[1].cam_id, mine_later = ds.cameras[2].cam_id;

    // Someone else adds a camera after the viewer read the layer (the plain save writes what its ds holds).
    {
        gw::Dataset other = gw::open_dataset({path});
        gw::Camera added = other.cameras[0];
        added.fid = -1, added.cam_id = "THEIRS-1", added.version.reset();
        other.cameras.push_back(added);
        gw::save_cameras(path, other);
    }
    ds.cameras[0].azimuth += 10;
    ds.cameras.pop_back();
    gw::save_changed_cameras(path, ds, as_read);
    EXPECT_EQ(ds.cameras[0].version, 4);
    EXPECT_EQ(ds.cameras[1].version, 3);
    ASSERT_EQ(as_read.size(), ds.cameras.size());
    {
        const gw::Dataset again = gw::open_dataset({path});
        EXPECT_EQ(find(again, removed), nullptr);
        ASSERT_NE(find(again, "THEIRS-1"), nullptr) << "a camera added by someone else since was deleted";
        for (const auto& c : again.cameras) {
            if (c.cam_id == "THEIRS-1") continue;
            ASSERT_TRUE(c.version) << c.cam_id;
            EXPECT_EQ(*c.version, c.cam_id == moved ? 4 : 3) << c.cam_id;
        }
    }

    // `gridwatch edit` changes a camera the viewer still holds at version 3: the viewer's change
    // to it is refused, naming both versions, and nothing of the save is written.
    const auto r = gwtest::run_gridwatch("edit " + path + " --camera " + theirs + " --range 99");
    ASSERT_EQ(r.status, 0) << r.err;
    const std::string before = gwtest::slurp(path);
    ds.cameras[0].fov = 32;  // written first, then taken back with the rest
    ds.cameras[1].fov = 33;
    ds.cameras[2].fov = 34;
    try {
        gw::save_changed_cameras(path, ds, as_read);
        FAIL() << "a stale camera was written over";
    } catch (const gw::Error& e) {
        const std::string m = e.what();
        EXPECT_NE(m.find(theirs), std::string::npos) << m;
        EXPECT_NE(m.find("version 4 now, 3 when read"), std::string::npos) << m;
    }
    EXPECT_EQ(gwtest::slurp(path), before);
    const gw::Dataset now = gw::open_dataset({path});
    EXPECT_DOUBLE_EQ(find(now, theirs)->range, 99);
    EXPECT_NE(find(now, mine_later)->fov, 34);
    EXPECT_NE(find(now, moved)->fov, 32);
}

// The editor's undo and redo after a save: a camera put back as it was before the save (its undo
// record still says version 3) is the saved row's next change, not someone else's; a camera added,
// saved, taken back, saved and redone (its record keeps the fid its feature had) is inserted anew.
TEST(CameraStore, UndoAndRedoAfterASaveAreSavedAsChanges) {
    gwtest::TempDir dir("camstore_undo");
    const std::string path = copy_bundled_versioned(dir);
    gw::Dataset ds = gw::open_dataset({path});
    std::vector<gw::Camera> as_read = ds.cameras;
    const gw::Camera first = ds.cameras[0];
    ds.cameras[0].azimuth += 10;
    gw::save_changed_cameras(path, ds, as_read);
    ASSERT_EQ(ds.cameras[0].version, 4);
    ds.cameras[0] = first;  // undo, as the record held it: version 3
    gw::save_changed_cameras(path, ds, as_read);
    EXPECT_EQ(ds.cameras[0].version, 5);
    EXPECT_DOUBLE_EQ(find(gw::open_dataset({path}), first.cam_id)->azimuth, first.azimuth);

    gw::Camera added = ds.cameras[0];
    added.fid = -1, added.cam_id = "NEW-1", added.version.reset();
    ds.cameras.push_back(added);
    gw::save_changed_cameras(path, ds, as_read);
    const gw::Camera saved = ds.cameras.back();
    ASSERT_GE(saved.fid, 0);
    ds.cameras.pop_back();  // undo the addition
    gw::save_changed_cameras(path, ds, as_read);
    EXPECT_EQ(find(gw::open_dataset({path}), "NEW-1"), nullptr);
    ds.cameras.push_back(saved);  // redo: the record keeps the fid of the feature now deleted
    gw::save_changed_cameras(path, ds, as_read);
    const gw::Dataset again = gw::open_dataset({path});
    ASSERT_NE(find(again, "NEW-1"), nullptr);
    EXPECT_EQ(again.cameras.size(), ds.cameras.size());
}

TEST(CameraStore, FailedSaveLeavesTheFileWhole) {
    gwtest::TempDir dir("camstore_fail");
    const std::string path = copy_bundled(dir);
    gw::Dataset ds = gw::open_dataset({path});
    ASSERT_GE(ds.cameras.size(), 2u);
    const gw::Camera first = ds.cameras[0];
    const std::string before = gwtest::slurp(path);

    // A failure half-way: the first camera is written, the last cannot be taken back to the
    // layer's CRS. The transaction must take the first one back too.
    ds.cameras[0].azimuth = first.azimuth + 90;
    ds.cameras[0].pos = first.pos + gw::Vec2{100, 100};
    ds.cameras.back().pos = {1e300, -1e300};
    EXPECT_THROW(gw::save_cameras(path, ds), gw::Error);
    gw::Dataset again = gw::open_dataset({path});
    ASSERT_EQ(again.cameras.size(), ds.cameras.size());
    EXPECT_DOUBLE_EQ(again.cameras[0].azimuth, first.azimuth);
    EXPECT_NEAR(again.cameras[0].pos.x, first.pos.x, 1e-6);

    // Not a byte of the file changed: the transaction never committed.
    EXPECT_EQ(gwtest::slurp(path), before);
}

// Cameras read from two files (the office's GeoPackage and a second list beside it): a save wrote
// every camera into the first file's layer, the second file's over the rows whose FIDs they share.
// Refused, naming both, and neither file changes.
TEST(CameraStore, CamerasFromTwoFilesAreNotSavedIntoOne) {
    gwtest::TempDir dir("camstore_two");
    const std::string path = copy_bundled(dir);
    const std::string second = one_camera_geojson(dir);
    gw::Dataset ds = gw::open_dataset({path, second});
    const std::string before = gwtest::slurp(path), before_second = gwtest::slurp(second);
    ds.cameras.back().azimuth = 123;
    try {
        gw::save_cameras(path, ds);
        ADD_FAILURE() << "saved cameras of two files into one";
    } catch (const gw::Error& e) {
        EXPECT_NE(std::string(e.what()).find("the cameras were read from 2 layers"), std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find(second), std::string::npos) << e.what();
    }
    std::vector<gw::Camera> as_read = gw::open_dataset({path, second}).cameras;
    EXPECT_THROW(gw::save_changed_cameras(path, ds, as_read), gw::Error);
    EXPECT_TRUE(gwtest::slurp(path) == before) << "the GeoPackage changed";  // not its bytes in the log
    EXPECT_TRUE(gwtest::slurp(second) == before_second) << "the GeoJSON file changed";
}

TEST(CameraStore, GeoJsonIsRewrittenWhole) {
    gwtest::TempDir dir("camstore_json");
    const std::string path = one_camera_geojson(dir);
    gw::Dataset ds = gw::open_dataset({path});
    ASSERT_EQ(ds.cameras.size(), 1u);
    ds.cameras[0].azimuth = 200;
    gw::save_cameras(path, ds);
    gw::Dataset again = gw::open_dataset({path});
    ASSERT_EQ(again.cameras.size(), 1u);
    EXPECT_DOUBLE_EQ(again.cameras[0].azimuth, 200);
    EXPECT_NEAR(again.cameras[0].pos.x, ds.cameras[0].pos.x, 0.01);
    EXPECT_FALSE(std::filesystem::exists(dir / ".saving_cameras.geojson"));
}

// Cameras read with --from-gcj02 / --from-bd09 are written back in the coordinates they came in:
// saving without a move leaves every point where it was (the forward GCJ-02 / BD-09 formulas are
// independent of the iterated inverses used when reading).
TEST(CameraStore, ObfuscatedCoordinatesAreWrittenBackObfuscated) {
    for (auto coords : {gw::SourceCoords::Gcj02, gw::SourceCoords::Bd09}) {
        gwtest::TempDir dir("camstore_gcj");
        const std::string path = one_camera_geojson(dir);
        gw::OpenOptions o;
        o.coords = coords;
        gw::Dataset ds = gw::open_dataset({path}, o);
        ASSERT_EQ(ds.cameras.size(), 1u);
        ds.cameras[0].azimuth = 200;
        gw::save_cameras(path, ds);
        const std::string saved = gwtest::slurp(path);
        // Written back as read: 98.69, 24.59 (to 1e-7°, about 1 cm), not the WGS84 point ~500 m away.
        GDALDatasetUniquePtr f(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR));
        ASSERT_TRUE(f);
        OGRFeatureUniquePtr feat(f->GetLayer(0)->GetNextFeature());
        ASSERT_TRUE(feat);
        const auto* pt = feat->GetGeometryRef()->toPoint();
        EXPECT_NEAR(pt->getX(), 98.69, 1e-7) << saved;
        EXPECT_NEAR(pt->getY(), 24.59, 1e-7) << saved;
        EXPECT_DOUBLE_EQ(feat->GetFieldAsDouble("azimuth"), 200);
    }
}

namespace {

/** The bundled cameras as a grid office writes them: Chinese field names, 在线 and 离线, a note. */
const char* kChineseCameras =
    "SELECT cam_id AS 点位编号, owner AS 权属, azimuth AS 方位角, fov AS 视场角, \"range\" AS 视距, "
    "CASE status WHEN 'online' THEN '在线' ELSE '离线' END AS 状态, '东口值守' AS 备注, geom FROM cameras";

/** Every value of the layer's field `name`, as GDAL reads it (a .cpg's UTF-8, else the raw bytes). */
std::vector<std::string> column(const std::string& file, const std::string& layer, const std::string& name) {
    GDALDatasetUniquePtr d(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR));
    std::vector<std::string> out;
    if (!d) return out;
    OGRLayer* l = d->GetLayerByName(layer.c_str());
    if (!l) return out;
    for (auto& f : *l) {
        const int i = f->GetFieldIndex(name.c_str());
        out.push_back(i >= 0 && f->IsFieldSetAndNotNull(i) ? f->GetFieldAsString(i) : "<none>");
    }
    return out;
}

std::vector<std::string> field_names(const std::string& file, const std::string& layer) {
    GDALDatasetUniquePtr d(GDALDataset::Open(file.c_str(), GDAL_OF_VECTOR));
    std::vector<std::string> out;
    if (OGRLayer* l = d ? d->GetLayerByName(layer.c_str()) : nullptr)
        for (int i = 0; i < l->GetLayerDefn()->GetFieldCount(); ++i)
            out.push_back(l->GetLayerDefn()->GetFieldDefn(i)->GetNameRef());
    return out;
}

/**
 * The viewer's edits to a grid office's own cameras layer: camera 0 turned and taken offline (or
 * online), one added, the last removed. Returns the ids of the turned and the added camera.
 */
std::pair<std::string, std::string> edit_like_the_viewer(gw::Dataset& ds) {
    gw::Camera& turned = ds.cameras[0];
    turned.azimuth = 123, turned.fov = 75;
    turned.status = turned.online() ? "offline" : "online";
    ds.cameras.pop_back();
    gw::Camera added = ds.cameras[1];
    added.fid = -1, added.cam_id = "NEW-1", added.status = "online", added.owner = "road";
    added.pos = added.pos + gw::Vec2{30, 30};
    ds.cameras.push_back(added);
    return {turned.cam_id, added.cam_id};
}

/** What reading the saved cameras again must give, and the layer as the office's tools see it. */
void expect_saved_as_the_office_writes(const std::string& path, const std::string& file,
                                       const std::string& layer, const gw::Dataset& edited,
                                       const std::vector<std::string>& fields_before) {
    const gw::Dataset back = gw::open_dataset({path});
    ASSERT_EQ(back.cameras.size(), edited.cameras.size());
    const gw::Camera* t = find(back, edited.cameras[0].cam_id);
    ASSERT_NE(t, nullptr);
    EXPECT_DOUBLE_EQ(t->azimuth, 123) << "方位角 was not written";
    EXPECT_DOUBLE_EQ(t->fov, 75) << "视场角 was not written";
    EXPECT_EQ(t->status, edited.cameras[0].status) << "状态 was not written";
    const gw::Camera* a = find(back, "NEW-1");
    ASSERT_NE(a, nullptr) << "点位编号 was not written";
    EXPECT_DOUBLE_EQ(a->azimuth, edited.cameras.back().azimuth);
    EXPECT_EQ(a->owner, "road");
    // No contract column added beside the office's, no `offline` among 在线 and 离线.
    EXPECT_EQ(field_names(file, layer), fields_before);
    for (const std::string& v : column(file, layer, "状态")) EXPECT_TRUE(v == "在线" || v == "离线") << v;
    // The old cameras' note kept (the new camera has none).
    const std::vector<std::string> notes = column(file, layer, "备注");
    EXPECT_EQ(std::count(notes.begin(), notes.end(), "东口值守"), static_cast<long>(notes.size()) - 1);
}

}  // namespace

// A grid office's GeoPackage names its fields 方位角, 视场角, 状态 … and writes 在线 and 离线. The
// viewer's save wrote the contract's names (none of which the layer has: only the point moved, the
// new camera came without an id) and the contract's codes.
TEST(CameraStore, ASaveWritesTheLayersOwnFieldNamesAndWordsIntoAGeoPackage) {
    gwtest::TempDir dir("camstore_zh");
    const std::string path = dir / "社区.gpkg";
    gwtest::translate_bundled(
        path, "GPKG", "网格",
        "SELECT grid_id AS 网格编码, level AS 层级, parent_id AS 上级编码, name AS 名称, geom FROM grids");
    gwtest::translate_bundled(path, "GPKG", "摄像头", kChineseCameras);
    const std::vector<std::string> fields_before = field_names(path, "摄像头");
    gw::Dataset ds = gw::open_dataset({path});
    ASSERT_GE(ds.cameras.size(), 3u);
    edit_like_the_viewer(ds);
    gw::save_cameras(path, ds);
    expect_saved_as_the_office_writes(path, path, "摄像头", ds, fields_before);
}

// The same in a GBK shapefile folder without .cpg (how such folders come): the layer is written anew
// in GBK (its 4-character names fit a .dbf's 10 bytes; in UTF-8 they would not) with a .cpg saying
// so, the old features' other text (备注) taken from GBK, not copied as bytes.
TEST(CameraStore, ASaveWritesTheLayersOwnFieldNamesAndWordsIntoAGbkShapefileFolder) {
    gwtest::TempDir dir("camstore_gbk");
    const std::string folder = dir / "社区";
    std::filesystem::create_directories(folder);
    const std::vector<std::string> gbk = {"-lco", "ENCODING=CP936"};
    gwtest::translate_bundled(
        folder + "/网格.shp", "ESRI Shapefile", "网格",
        "SELECT grid_id AS 网格编码, level AS 层级, parent_id AS 上级编码, name AS 名称, geom FROM grids",
        gbk);
    gwtest::translate_bundled(folder + "/摄像头.shp", "ESRI Shapefile", "摄像头", kChineseCameras, gbk);
    for (const auto& e : std::filesystem::directory_iterator(folder))
        if (e.path().extension() == ".cpg") std::filesystem::remove(e.path());
    const std::string shp = folder + "/摄像头.shp";
    std::vector<std::string> fields_before = field_names(shp, "摄像头");
    ASSERT_FALSE(CPLIsUTF8(fields_before.front().c_str(), -1)) << "the test's .dbf should read as GBK bytes";
    gw::Dataset ds = gw::open_dataset({folder});
    ASSERT_GE(ds.cameras.size(), 3u);
    edit_like_the_viewer(ds);
    gw::save_cameras(folder, ds);
    ASSERT_TRUE(
        std::filesystem::exists(folder + "/摄像头.cpg"));  // saying GBK now: the names fit 10 bytes as before
    // The .dbf's names are GBK bytes before and UTF-8 after: compared as the reader decodes them.
    for (auto& n : fields_before) {
        char* u = CPLRecode(n.c_str(), "CP936", CPL_ENC_UTF8);
        n = u;
        CPLFree(u);
    }
    expect_saved_as_the_office_writes(folder, shp, "摄像头", ds, fields_before);
}

// A shapefile ogr2ogr wrote with its defaults (its .dbf marked Latin-1): a camera named in Chinese
// came back as "??-1" when the save kept Latin-1. It is written as UTF-8 instead, with a .cpg.
TEST(CameraStore, ASaveIntoALatin1ShapefileWritesUtf8) {
    gwtest::TempDir dir("camstore_latin1");
    const std::string folder = dir / "cams";
    std::filesystem::create_directories(folder);
    gwtest::translate_bundled(folder + "/cameras.shp", "ESRI Shapefile", "cameras",
                              "SELECT cam_id, owner, azimuth, fov, \"range\", status, geom FROM cameras");
    gw::Dataset ds = gw::open_dataset({folder});
    ASSERT_GE(ds.cameras.size(), 1u);
    ds.cameras[0].cam_id = "东口-1";
    gw::save_cameras(folder, ds);
    const gw::Dataset back = gw::open_dataset({folder});
    EXPECT_NE(find(back, "东口-1"), nullptr);
    EXPECT_EQ(gwtest::slurp(folder + "/cameras.cpg").substr(0, 5), "UTF-8");
}
