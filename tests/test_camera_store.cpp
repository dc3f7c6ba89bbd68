// Saving edited cameras back into a GeoPackage: edits survive a reopen, and a failed save
// leaves the file exactly as it was.
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

#include "geo/core/error.h"
#include "geo/io/camera_store.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"

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
