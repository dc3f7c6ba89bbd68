// Export (SPEC §7): Chinese text through shapefiles (UTF-8 and GBK), GeoPackage, GeoJSON, KML and
// FlatGeobuf and back through raw OGR; field names, value cuts, masking, levels, stats, atomic
// output; and the `gridwatch export` command end to end.
#include <cpl_conv.h>
#include <cpl_string.h>
#include <gdal_priv.h>
#include <gtest/gtest.h>
#include <ogrsf_frmts.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "geo/analysis/stats.h"
#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/io/crs.h"
#include "geo/io/dataset.h"
#include "geo/io/names.h"
#include "geo/io/out_layers.h"
#include "geo/io/writer.h"
#include "tests/cli_run.h"
#include "tests/gpkg_translate.h"

namespace fs = std::filesystem;
using gwtest::TempDir;

namespace {

// ---------------------------------------------------------------------------------------------
// A small community built by hand in EPSG:4542 (CGCS2000 / 3-degree GK CM 99E), source CRS 4490.

const double kX0 = 468600.123456, kY0 = 2720300.654321;  // near Longling, odd decimals on purpose

std::string long_name() {  // 100 Chinese characters: 300 bytes of UTF-8, 200 of GBK
    std::string s;
    for (int i = 0; i < 50; ++i) s += "网格";
    return s;
}

std::string wkt_of(int epsg) {
    OGRSpatialReference srs;
    srs.importFromEPSG(epsg);
    char* wkt = nullptr;
    srs.exportToWkt(&wkt);
    std::string s = wkt;
    CPLFree(wkt);
    return s;
}

gw::MultiPolygon square(double x0, double y0, double x1, double y1) {
    // Clockwise shell (shapefile order), so no driver needs to reorder it.
    return {gw::Polygon{
        {{{kX0 + x0, kY0 + y0}, {kX0 + x0, kY0 + y1}, {kX0 + x1, kY0 + y1}, {kX0 + x1, kY0 + y0}}}}};
}
gw::Vec2 at(double x, double y) { return {kX0 + x, kY0 + y}; }

gw::Dataset make_dataset() {
    gw::Dataset ds;
    ds.source = "hand-made";
    ds.crs = "EPSG:4490";
    ds.work_crs = "EPSG:4542";
    ds.work_crs_wkt = wkt_of(4542);
    ds.source_crs_wkt = wkt_of(4490);

    auto grid = [&](std::string id, int level, std::string parent, std::string name, std::string manager,
                    std::string phone, gw::MultiPolygon shape, std::vector<std::string> extra) {
        gw::Grid g;
        g.fid = static_cast<int64_t>(ds.grids.size()) + 1;
        g.grid_id = std::move(id), g.level = level, g.parent_id = std::move(parent), g.name = std::move(name);
        g.manager = std::move(manager), g.phone = std::move(phone), g.shape = std::move(shape);
        g.extra = std::move(extra);
        ds.grids.push_back(std::move(g));
    };
    grid("C", 1, "", "大坪子社区", "张三丰", "13812341234", square(0, 0, 2000, 2000), {"1150.5", "一号备注"});
    grid("W", 2, "C", "西片", "李四", "", square(0, 0, 1000, 2000), {"", ""});
    grid("E", 2, "C", "罗家大坡", "王五", "13900002222", square(1000, 0, 2000, 2000), {"89", "安置点"});
    grid("W1", 4, "W", long_name(), "赵六", "13700003333", square(0, 0, 1000, 1000), {"", "长名"});
    grid("E1", 4, "E", "𠀋村", "钱七", "", square(1000, 0, 2000, 1000), {"", ""});
    ds.extra_fields["grids"] = {{"area_mu", "备注说明文字"}, {OFTReal, OFTString}};

    auto household = [&](std::string id, std::string grid_id, std::string head, int members, std::string tags,
                         std::string phone, gw::Vec2 pos) {
        gw::Household h;
        h.fid = static_cast<int64_t>(ds.households.size()) + 1;
        h.hh_id = std::move(id), h.grid_id = std::move(grid_id), h.head = std::move(head),
        h.members = members;
        h.tags = std::move(tags), h.phone = std::move(phone), h.pos = pos;
        ds.households.push_back(std::move(h));
    };
    household("H1", "W1", "赵一", 3, "camera", "13900001111", at(200.25, 300.5));
    household("H2", "W1", "钱二多", 4, "risk;newcomer", "", at(600.75, 700.125));
    household("H3", "E1", "孙𠀋", 5, "relocated", "13600004444", at(1500.5, 500.5));
    // An integer field from another system with a value that is not one: GDAL warns on writing.
    ds.households[0].extra = {"2"}, ds.households[1].extra = {"3层"}, ds.households[2].extra = {""};
    ds.extra_fields["households"] = {{"floors"}, {OFTInteger}};

    auto camera = [&](std::string id, std::string owner, double az, double fov, double range,
                      std::optional<double> height, std::optional<int> px, std::string status, gw::Vec2 pos,
                      std::vector<std::string> extra) {
        gw::Camera c;
        c.fid = static_cast<int64_t>(ds.cameras.size()) + 1;
        c.cam_id = std::move(id), c.owner = std::move(owner), c.azimuth = az, c.fov = fov, c.range = range;
        c.height = height, c.resolution_px = px, c.status = std::move(status), c.pos = pos;
        c.extra = std::move(extra);
        ds.cameras.push_back(std::move(c));
    };
    camera("K1", "household", 90, 90, 30, 3.5, 1080, "online", at(210, 310), {"门口", "龙山镇派出所"});
    camera("K2", "road", 0, 60, 100, std::nullopt, std::nullopt, "offline", at(1200, 100), {"", ""});
    camera("K3", "road", 0, std::nan(""), 100, std::nullopt, std::nullopt, "", at(1300, 100), {"", ""});
    // resolution_note collides with resolution_px once both are cut to 10 bytes.
    ds.extra_fields["cameras"] = {{"resolution_note", "安装单位名称"}, {OFTString, OFTString}};

    gw::Enterprise e;
    e.fid = 1, e.ent_id = "Q1", e.name = "龙山茶叶公司", e.industry = "tea", e.employees = 25,
    e.paired_grid = "W";
    e.shape = square(100, 1200, 400, 1500);
    ds.enterprises.push_back(e);

    gw::Road r;
    r.fid = 1, r.name = "G320", r.road_class = "national";
    r.shape = {{at(0, 1900), at(1000, 1950), at(2000, 1900)}, {at(1000, 1950), at(1000, 1000)}};
    ds.roads.push_back(r);

    gw::Building b1;
    b1.fid = 1, b1.height = 9.5;
    b1.shape = square(150, 250, 250, 350);
    b1.shape[0].rings.push_back({at(180, 280), at(220, 280), at(220, 320), at(180, 320)});  // a courtyard
    gw::Building b2;
    b2.fid = 2;
    b2.shape = square(1400, 400, 1450, 450);
    ds.buildings = {b1, b2};

    gw::Incident in;
    in.fid = 1, in.inc_id = "I1", in.type = "dispute", in.time = "2024-01-02T10:00:00", in.color = "yellow";
    in.settled_at = "group", in.pos = at(300, 300);
    ds.incidents.push_back(in);

    gw::Facility fa;
    fa.fid = 1, fa.name = "交通安全劝导站", fa.kind = "persuasion_station", fa.pos = at(1000, 1900);
    ds.facilities.push_back(fa);

    gw::Candidate cand;
    cand.fid = 1, cand.site_id = "S1", cand.pos = at(500, 500);
    ds.candidates.push_back(cand);
    return ds;
}

// ---------------------------------------------------------------------------------------------
// Reading back through raw OGR.

GDALDatasetUniquePtr open_vector(const std::string& path) {
    GDALAllRegister();
    return GDALDatasetUniquePtr(
        GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_READONLY, nullptr, nullptr, nullptr));
}

/** Every vertex of a geometry (rings without their closing point). */
void collect(const OGRGeometry* g, std::vector<gw::Vec2>& out) {
    if (!g) return;
    switch (wkbFlatten(g->getGeometryType())) {
        case wkbPoint:
            out.push_back({g->toPoint()->getX(), g->toPoint()->getY()});
            break;
        case wkbLineString: {
            auto* l = g->toLineString();
            for (int i = 0; i < l->getNumPoints(); ++i) out.push_back({l->getX(i), l->getY(i)});
            break;
        }
        case wkbPolygon: {
            auto* p = g->toPolygon();
            for (int r = 0; r <= p->getNumInteriorRings(); ++r) {
                auto* ring = r == 0 ? p->getExteriorRing() : p->getInteriorRing(r - 1);
                for (int i = 0; i + 1 < ring->getNumPoints(); ++i)
                    out.push_back({ring->getX(i), ring->getY(i)});
            }
            break;
        }
        default:
            if (auto* c = dynamic_cast<const OGRGeometryCollection*>(g))
                for (int i = 0; i < c->getNumGeometries(); ++i) collect(c->getGeometryRef(i), out);
    }
}

std::vector<gw::Vec2> vertices(const gw::MultiPolygon& mp) {
    std::vector<gw::Vec2> v;
    for (const auto& p : mp)
        for (const auto& r : p.rings) v.insert(v.end(), r.begin(), r.end());
    return v;
}

/** Checks a feature's geometry, brought back into EPSG:4542, has the expected vertices (any order). */
void expect_vertices(OGRLayer* layer, OGRFeature& f, std::vector<gw::Vec2> want, double tol) {
    std::vector<gw::Vec2> got;
    collect(f.GetGeometryRef(), got);
    ASSERT_TRUE(layer->GetSpatialRef()) << layer->GetName() << " has no CRS";
    gw::Transform back(*layer->GetSpatialRef(), gw::parse_crs("EPSG:4542"));
    back.apply(got);
    ASSERT_EQ(got.size(), want.size()) << layer->GetName();
    for (auto w : want) {
        double best = 1e300;
        for (auto g : got) best = std::min(best, gw::distance(g, w));
        EXPECT_LT(best, tol) << layer->GetName() << " vertex " << w.x << ", " << w.y;
    }
}

/** The feature whose `field` is `value`; fails the test when there is none. */
OGRFeatureUniquePtr find(OGRLayer* layer, const char* field, const std::string& value) {
    layer->ResetReading();
    const int i = layer->GetLayerDefn()->GetFieldIndex(field);
    EXPECT_GE(i, 0) << layer->GetName() << " lacks " << field;
    if (i < 0) return nullptr;
    for (auto& f : *layer)
        if (value == f->GetFieldAsString(i)) return OGRFeatureUniquePtr(f.release());
    ADD_FAILURE() << layer->GetName() << ": no feature with " << field << " = " << value;
    return nullptr;
}

std::vector<std::string> field_names(OGRLayer* layer) {
    std::vector<std::string> v;
    for (int i = 0; i < layer->GetLayerDefn()->GetFieldCount(); ++i)
        v.push_back(layer->GetLayerDefn()->GetFieldDefn(i)->GetNameRef());
    return v;
}

std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

struct Written {
    std::vector<std::string> messages;
    bool said(const std::string& part) const {
        for (const auto& m : messages)
            if (m.find(part) != std::string::npos) return true;
        return false;
    }
};

Written write(const gw::Dataset& ds, gw::WriteOptions o) {
    Written w;
    o.on_message = [&w](const std::string& m) { w.messages.push_back(m); };
    gw::write_dataset(ds, o);
    return w;
}

/** The files in `dir`, sorted; an export folder's record of its files (ExportAtomic tests it) left out. */
std::vector<std::string> listing(const fs::path& dir) {
    std::vector<std::string> v;
    for (const auto& e : fs::directory_iterator(dir))
        if (e.path().filename() != gw::kOutputRecord) v.push_back(e.path().filename().string());
    std::sort(v.begin(), v.end());
    return v;
}

/** Checks the features of every point and line layer come back where they were (4542, tol m). */
void expect_all_geometry(const std::function<OGRLayer*(const std::string&)>& layer_of, const gw::Dataset& ds,
                         double tol, bool split_grids) {
    for (const auto& g : ds.grids) {
        OGRLayer* l = layer_of(split_grids ? "grids_L" + std::to_string(g.level) : "grids");
        ASSERT_TRUE(l);
        auto f = find(l, "grid_id", g.grid_id);
        ASSERT_TRUE(f);
        expect_vertices(l, *f, vertices(g.shape), tol);
    }
    OGRLayer* hh = layer_of("households");
    ASSERT_TRUE(hh);
    for (const auto& h : ds.households) {
        auto f = find(hh, "hh_id", h.hh_id);
        ASSERT_TRUE(f);
        expect_vertices(hh, *f, {h.pos}, tol);
    }
    OGRLayer* roads = layer_of("roads");
    ASSERT_TRUE(roads);
    roads->ResetReading();
    OGRFeatureUniquePtr road(roads->GetNextFeature());
    ASSERT_TRUE(road);
    std::vector<gw::Vec2> want;
    for (const auto& line : ds.roads[0].shape) want.insert(want.end(), line.begin(), line.end());
    expect_vertices(roads, *road, want, tol);
    OGRLayer* bl = layer_of("buildings");
    ASSERT_TRUE(bl);
    EXPECT_EQ(bl->GetFeatureCount(), 2);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Masking

TEST(Mask, NamesKeepFirstAndLastCharacter) {
    const std::vector<std::pair<std::string, std::string>> cases = {
        {"张三丰", "张*丰"}, {"张三", "张*"}, {"欧阳娜娜", "欧**娜"},
        {"张", "*"},         {"", ""},        {"John", "J**n"}};
    for (const auto& [in, want] : cases) EXPECT_EQ(gw::mask_name(in), want) << in;
}

TEST(Mask, EachNameOfAListIsMaskedOnItsOwn) {
    // A cell's managers in one field: as one name, 张三、李四 showed 张***四, the 四 of 李四.
    const std::vector<std::pair<std::string, std::string>> cases = {{"张三、李四", "张*、李*"},
                                                                    {"张三丰,李四", "张*丰,李*"},
                                                                    {"欧阳娜娜 / 王五", "欧**娜 / 王*"},
                                                                    {"张三；李四；王小五", "张*；李*；王*五"},
                                                                    {"John Smith", "J**n S***h"},
                                                                    {"张三\u3000李四", "张*\u3000李*"},
                                                                    {"、张三、", "、张*、"},
                                                                    {"张，", "*，"},
                                                                    {" ", " "}};
    for (const auto& [in, want] : cases) EXPECT_EQ(gw::mask_name(in), want) << in;
}

TEST(Mask, PhonesKeepPrefixAndLastFour) {
    EXPECT_EQ(gw::mask_phone("13812341234"), "138****1234");
    EXPECT_EQ(gw::mask_phone("0875-6123456"), "087*****3456");
    EXPECT_EQ(gw::mask_phone("61234567"), "****4567");
    EXPECT_EQ(gw::mask_phone(""), "");
}

// ---------------------------------------------------------------------------------------------
// Shapefiles

TEST(ExportShapefile, Utf8RoundTrip) {
    TempDir tmp("export_utf8");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    Written w = write(ds, o);

    // One file set per layer; grids split by level; nothing temporary left beside the output.
    const auto files = listing(tmp.path / "out");
    for (const char* stem : {"grids_L1", "grids_L2", "grids_L4", "households", "cameras", "enterprises",
                             "roads", "buildings", "incidents", "facilities", "candidates"})
        for (const char* ext : {".shp", ".shx", ".dbf", ".prj", ".cpg"})
            EXPECT_TRUE(std::count(files.begin(), files.end(), std::string(stem) + ext)) << stem << ext;
    EXPECT_FALSE(fs::exists(tmp.path / "out" / "grids_L3.shp"));
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"out"});
    EXPECT_EQ(gwtest::slurp(tmp.path / "out" / "grids_L1.cpg"), "UTF-8");

    // The field-name mapping is told, collisions made unique.
    EXPECT_TRUE(w.said("cameras.resolution_px → resolution")) << testing::PrintToString(w.messages);
    EXPECT_TRUE(w.said("cameras.resolution_note → resolutio1"));
    EXPECT_TRUE(w.said("cameras.安装单位名称 → 安装单"));
    EXPECT_TRUE(w.said("grids.备注说明文字 → 备注说"));
    EXPECT_TRUE(w.said("enterprises.paired_grid → paired_gri"));
    EXPECT_TRUE(w.said("warning: grids_L4.name: 1 value(s) cut to 254 bytes"));
    EXPECT_TRUE(w.said("warning: households: ") && w.said("3层")) << "GDAL's warning was lost";

    for (const auto& file : files) {
        if (fs::path(file).extension() != ".shp") continue;
        auto src = open_vector((tmp.path / "out" / file).string());
        ASSERT_TRUE(src) << file;
        OGRLayer* l = src->GetLayer(0);
        std::set<std::string> seen;
        for (const auto& n : field_names(l)) {
            EXPECT_LE(n.size(), 10u) << file << " " << n;
            EXPECT_TRUE(CPLIsUTF8(n.c_str(), -1)) << file << " " << n;
            EXPECT_TRUE(seen.insert(lower(n)).second) << file << " duplicate " << n;
        }
    }

    auto l1 = open_vector(tmp / "out/grids_L1.shp");
    auto f = find(l1->GetLayer(0), "grid_id", "C");
    ASSERT_TRUE(f);
    EXPECT_STREQ(f->GetFieldAsString("name"), "大坪子社区");
    EXPECT_STREQ(f->GetFieldAsString("manager"), "张三丰");
    EXPECT_EQ(f->GetFieldAsInteger("level"), 1);
    EXPECT_DOUBLE_EQ(f->GetFieldAsDouble("area_mu"), 1150.5);
    EXPECT_STREQ(f->GetFieldAsString("备注说"), "一号备注");
    EXPECT_EQ(l1->GetLayer(0)
                  ->GetLayerDefn()
                  ->GetFieldDefn(l1->GetLayer(0)->GetLayerDefn()->GetFieldIndex("level"))
                  ->GetType(),
              OFTInteger);

    auto l2 = open_vector(tmp / "out/grids_L2.shp");
    EXPECT_EQ(l2->GetLayer(0)->GetFeatureCount(), 2);
    auto east = find(l2->GetLayer(0), "grid_id", "E");
    ASSERT_TRUE(east);
    EXPECT_STREQ(east->GetFieldAsString("name"), "罗家大坡");

    // The 300-byte name: cut to ≤254 bytes on a character boundary, a prefix of the original.
    auto l4 = open_vector(tmp / "out/grids_L4.shp");
    auto w1 = find(l4->GetLayer(0), "grid_id", "W1");
    ASSERT_TRUE(w1);
    const std::string cut = w1->GetFieldAsString("name");
    EXPECT_EQ(cut.size(), 252u);
    EXPECT_TRUE(CPLIsUTF8(cut.c_str(), -1));
    EXPECT_EQ(long_name().compare(0, cut.size(), cut), 0);
    auto e1 = find(l4->GetLayer(0), "grid_id", "E1");
    ASSERT_TRUE(e1);
    EXPECT_STREQ(e1->GetFieldAsString("name"), "𠀋村");  // UTF-8 holds every character

    auto cams = open_vector(tmp / "out/cameras.shp");
    OGRLayer* cl = cams->GetLayer(0);
    auto k1 = find(cl, "cam_id", "K1");
    ASSERT_TRUE(k1);
    EXPECT_EQ(k1->GetFieldAsInteger("resolution"), 1080);
    EXPECT_DOUBLE_EQ(k1->GetFieldAsDouble("height"), 3.5);
    EXPECT_STREQ(k1->GetFieldAsString("resolutio1"), "门口");
    EXPECT_STREQ(k1->GetFieldAsString("安装单"), "龙山镇派出所");
    EXPECT_EQ(cl->GetLayerDefn()->GetFieldDefn(cl->GetLayerDefn()->GetFieldIndex("azimuth"))->GetType(),
              OFTReal);
    auto k2 = find(cl, "cam_id", "K2");
    ASSERT_TRUE(k2);
    EXPECT_FALSE(k2->IsFieldSetAndNotNull(k2->GetFieldIndex("resolution")));
    auto k3 = find(cl, "cam_id", "K3");
    ASSERT_TRUE(k3);
    EXPECT_FALSE(k3->IsFieldSetAndNotNull(k3->GetFieldIndex("fov")));  // NaN is written as null

    auto fac = open_vector(tmp / "out/facilities.shp");
    auto station = find(fac->GetLayer(0), "kind", "persuasion_station");
    ASSERT_TRUE(station);
    EXPECT_STREQ(station->GetFieldAsString("name"), "交通安全劝导站");

    // Geometry in the source CRS (EPSG:4490), back in 4542 within a micrometre.
    EXPECT_EQ(gw::crs_label(*cl->GetSpatialRef()), "EPSG:4490");
    std::vector<GDALDatasetUniquePtr> keep;
    expect_all_geometry(
        [&](const std::string& name) {
            keep.push_back(open_vector(tmp / ("out/" + name + ".shp")));
            return keep.back() ? keep.back()->GetLayer(0) : nullptr;
        },
        ds, 1e-6, true);
}

TEST(ExportShapefile, GbkRoundTrip) {
    TempDir tmp("export_gbk");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    o.encoding = "GBK";
    Written w = write(ds, o);

    const std::string cpg = gwtest::slurp(tmp.path / "out" / "grids_L1.cpg");
    EXPECT_TRUE(cpg == "CP936" || cpg == "936" || cpg == "GBK") << cpg;
    // 𠀋 is outside GBK: the user is told, naming the layer, field and feature.
    EXPECT_TRUE(
        w.said("warning: grids_L4.name: 1 value(s) with characters GBK (CP936) cannot hold, such as '𠀋' "
               "(first: E1)"))
        << testing::PrintToString(w.messages);
    EXPECT_TRUE(w.said("warning: households.head"));
    // GBK names are 2 bytes a character: 5 of them fit in 10 bytes.
    EXPECT_TRUE(w.said("cameras.安装单位名称 → 安装单位名"));
    EXPECT_FALSE(w.said("cut to 254 bytes"));  // 100 characters are 200 bytes in GBK

    auto l1 = open_vector(tmp / "out/grids_L1.shp");
    auto c = find(l1->GetLayer(0), "grid_id", "C");
    ASSERT_TRUE(c);
    EXPECT_STREQ(c->GetFieldAsString("name"), "大坪子社区");
    EXPECT_STREQ(c->GetFieldAsString("manager"), "张三丰");
    EXPECT_STREQ(c->GetFieldAsString("备注说明文"), "一号备注");
    // The bytes on disk are GBK: 大 is B4 F3.
    const std::string dbf = gwtest::slurp(tmp.path / "out" / "grids_L1.dbf");
    EXPECT_NE(dbf.find("\xB4\xF3"), std::string::npos);

    auto l4 = open_vector(tmp / "out/grids_L4.shp");
    auto w1 = find(l4->GetLayer(0), "grid_id", "W1");
    ASSERT_TRUE(w1);
    EXPECT_EQ(std::string(w1->GetFieldAsString("name")), long_name());
    auto e1 = find(l4->GetLayer(0), "grid_id", "E1");
    ASSERT_TRUE(e1);
    EXPECT_STREQ(e1->GetFieldAsString("name"), "村");  // what GBK can hold of 𠀋村

    auto cams = open_vector(tmp / "out/cameras.shp");
    auto k1 = find(cams->GetLayer(0), "cam_id", "K1");
    ASSERT_TRUE(k1);
    EXPECT_STREQ(k1->GetFieldAsString("安装单位名"), "龙山镇派出所");
    for (const auto& n : field_names(cams->GetLayer(0))) EXPECT_TRUE(CPLIsUTF8(n.c_str(), -1)) << n;
}

TEST(ExportShapefile, LevelKeepsOnlyThatLevel) {
    TempDir tmp("export_level");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    o.level = 4;
    o.layers = {"grids"};
    write(ds, o);
    const auto files = listing(tmp.path / "out");
    EXPECT_EQ(files, (std::vector<std::string>{"grids_L4.cpg", "grids_L4.dbf", "grids_L4.prj", "grids_L4.shp",
                                               "grids_L4.shx"}));
    auto l4 = open_vector(tmp / "out/grids_L4.shp");
    EXPECT_EQ(l4->GetLayer(0)->GetFeatureCount(), 2);

    // One grids layer with level, when not split.
    o.path = tmp / "one";
    o.level = 2;
    o.split_grid_levels = false;
    write(ds, o);
    auto g = open_vector(tmp / "one/grids.shp");
    ASSERT_TRUE(g);
    EXPECT_EQ(g->GetLayer(0)->GetFeatureCount(), 2);
}

TEST(ExportShapefile, OneLayerToAShpFileName) {
    TempDir tmp("export_one_shp");
    tmp.write("notes.txt", "the user's");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "cams.shp";
    o.layers = {"cameras"};
    write(ds, o);
    EXPECT_EQ(listing(tmp.path), (std::vector<std::string>{"cams.cpg", "cams.dbf", "cams.prj", "cams.shp",
                                                           "cams.shx", "notes.txt"}));
    auto cams = open_vector(tmp / "cams.shp");
    ASSERT_TRUE(cams);
    EXPECT_EQ(cams->GetLayer(0)->GetFeatureCount(), 3);
    // Grids split by level are several file sets: no single name for them.
    o.layers = {"grids"};
    o.path = tmp / "grids.shp";
    EXPECT_THROW(write(ds, o), gw::Error);
    EXPECT_FALSE(fs::exists(tmp.path / "grids.shp"));
}

TEST(ExportShapefile, MasksPersonalData) {
    TempDir tmp("export_mask");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    o.mask_personal = true;
    write(ds, o);
    auto l1 = open_vector(tmp / "out/grids_L1.shp");
    auto c = find(l1->GetLayer(0), "grid_id", "C");
    ASSERT_TRUE(c);
    EXPECT_STREQ(c->GetFieldAsString("manager"), "张*丰");
    EXPECT_STREQ(c->GetFieldAsString("phone"), "138****1234");
    EXPECT_STREQ(c->GetFieldAsString("name"), "大坪子社区");  // place names are not personal
    auto hh = open_vector(tmp / "out/households.shp");
    auto h2 = find(hh->GetLayer(0), "hh_id", "H2");
    ASSERT_TRUE(h2);
    EXPECT_STREQ(h2->GetFieldAsString("head"), "钱*多");
    auto h1 = find(hh->GetLayer(0), "hh_id", "H1");
    ASSERT_TRUE(h1);
    EXPECT_STREQ(h1->GetFieldAsString("head"), "赵*");
    EXPECT_STREQ(h1->GetFieldAsString("phone"), "139****1111");
}

TEST(ExportMasked, MasksTheSourcesOwnColumnsOfNamesAndNumbers) {
    // Office data carries its own columns beside the contract's (户主姓名, 联系电话, a note with a
    // number in it): a masked export masked the contract's head and phone and wrote these in clear.
    TempDir tmp("export_mask_extra");
    gw::Dataset ds = make_dataset();
    ds.extra_fields["households"] = {
        {"户主姓名", "联系电话", "SFZH", "备注", "楼栋", "区划代码", "居民人数"},
        {OFTString, OFTInteger64, OFTString, OFTString, OFTString, OFTString, OFTInteger}};
    for (auto& h : ds.households)
        h.extra = {"王大富",
                   "13987654321",
                   "530524199001011234",
                   "房东电话13800001111，已登记，座机0871-6512345，20240601入住",
                   "3栋",
                   "530523100001",
                   "4"};
    gw::WriteOptions o;
    o.path = tmp / "out.gpkg";
    o.format = "GPKG";
    o.mask_personal = true;
    write(ds, o);
    auto out = open_vector(tmp / "out.gpkg");
    OGRLayer* hh = out->GetLayerByName("households");
    ASSERT_TRUE(hh);
    auto h1 = find(hh, "hh_id", "H1");
    ASSERT_TRUE(h1);
    EXPECT_STREQ(h1->GetFieldAsString("户主姓名"), "王*富");
    EXPECT_STREQ(h1->GetFieldAsString("联系电话"), "139****4321");  // written as text, not the number
    EXPECT_STREQ(h1->GetFieldAsString("SFZH"), "530***********1234");
    EXPECT_STREQ(h1->GetFieldAsString("备注"), "房东电话138****1111，已登记，座机087*****2345，20240601入住");
    EXPECT_STREQ(h1->GetFieldAsString("楼栋"), "3栋");
    // A code of the region, a date and a count of residents are no one's number or name.
    EXPECT_STREQ(h1->GetFieldAsString("区划代码"), "530523100001");
    EXPECT_EQ(h1->GetFieldAsInteger("居民人数"), 4);
    // Unmasked, they are as they were, the number a number.
    gw::WriteOptions plain = o;
    plain.path = tmp / "plain.gpkg";
    plain.mask_personal = false;
    write(ds, plain);
    auto p = open_vector(tmp / "plain.gpkg");
    auto p1 = find(p->GetLayerByName("households"), "hh_id", "H1");
    ASSERT_TRUE(p1);
    EXPECT_EQ(p1->GetFieldAsInteger64("联系电话"), 13987654321);
    EXPECT_STREQ(p1->GetFieldAsString("户主姓名"), "王大富");
}

TEST(ExportMasked, FieldNamesTellNamesFromNumbers) {
    using gw::PersonalField;
    const std::pair<const char*, PersonalField> cases[] = {
        {"户主姓名", PersonalField::name},     {"联系人", PersonalField::name},
        {"联系人电话", PersonalField::number}, {"手机号码", PersonalField::number},
        {"身份证号", PersonalField::number},   {"contact_phone", PersonalField::number},
        {"OwnerName", PersonalField::name},    {"LXDH", PersonalField::number},
        {"XM", PersonalField::name},           {"楼栋", PersonalField::none},
        {"name", PersonalField::none},         {"header_no", PersonalField::none},
        {"TELECOM", PersonalField::none},      {"area_m2", PersonalField::none},
        {"从业人员数", PersonalField::none},   {"居民人数", PersonalField::none},
        {"人员类型", PersonalField::none},     {"cell_id", PersonalField::none},
        {"head_count", PersonalField::none},   {"owner_type", PersonalField::none},
    };
    for (const auto& [name, want] : cases) EXPECT_EQ(gw::personal_field(name), want) << name;
}

TEST(ExportShapefile, StatsJoinedToCellsOfTheirLevel) {
    TempDir tmp("export_stats");
    const gw::Dataset ds = make_dataset();
    gw::StatsTable st;
    st.level = 4;
    gw::GridStats w1;
    w1.grid_id = "W1", w1.level = 4, w1.households = 2, w1.people = 7, w1.cameras = 1, w1.cameras_online = 1;
    w1.cameras_by_owner = {0, 0, 1, 0};
    w1.incidents = 1, w1.incidents_by_type = {0, 0, 1, 0, 0, 0}, w1.incidents_by_color = {0, 1, 0, 0};
    st.rows = {w1};  // E1 has no row: its figures are null
    gw::WriteOptions o;
    o.path = tmp / "out";
    o.stats = {&st};
    Written w = write(ds, o);
    EXPECT_FALSE(w.said("households →")) << "stats names must fit without a mapping";

    auto l4 = open_vector(tmp / "out/grids_L4.shp");
    OGRLayer* l = l4->GetLayer(0);
    for (const char* col :
         {"households", "people",     "cameras",   "cam_online", "cam_off",   "cam_road",   "cam_ent",
          "cam_house",  "cam_public", "incidents", "inc_fire",   "inc_traff", "inc_disput", "inc_theft",
          "inc_fraud",  "inc_other",  "inc_red",   "inc_yellow", "inc_blue",  "inc_green"})
        EXPECT_GE(l->GetLayerDefn()->GetFieldIndex(col), 0) << col;
    auto f = find(l, "grid_id", "W1");
    ASSERT_TRUE(f);
    EXPECT_EQ(f->GetFieldAsInteger("households"), 2);
    EXPECT_EQ(f->GetFieldAsInteger("people"), 7);
    EXPECT_EQ(f->GetFieldAsInteger("cam_house"), 1);
    EXPECT_EQ(f->GetFieldAsInteger("inc_disput"), 1);
    EXPECT_EQ(f->GetFieldAsInteger("inc_yellow"), 1);
    auto e1 = find(l, "grid_id", "E1");
    ASSERT_TRUE(e1);
    EXPECT_FALSE(e1->IsFieldSetAndNotNull(e1->GetFieldIndex("households")));
    // Other levels carry no stats columns.
    auto l1 = open_vector(tmp / "out/grids_L1.shp");
    EXPECT_LT(l1->GetLayer(0)->GetLayerDefn()->GetFieldIndex("households"), 0);
}

// ---------------------------------------------------------------------------------------------
// Other formats

TEST(ExportFormats, GeoPackageRoundTripAndSameBytes) {
    TempDir tmp("export_gpkg");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.format = "GPKG";
    o.path = tmp / "a.gpkg";
    CPLSetConfigOption("OGR_CURRENT_DATE", "2024-01-01T00:00:00Z");
    write(ds, o);
    o.path = tmp / "b.gpkg";
    write(ds, o);
    CPLSetConfigOption("OGR_CURRENT_DATE", nullptr);
    EXPECT_EQ(listing(tmp.path), (std::vector<std::string>{"a.gpkg", "b.gpkg"}));
    EXPECT_TRUE(gwtest::slurp(tmp.path / "a.gpkg") == gwtest::slurp(tmp.path / "b.gpkg"))
        << "two writes of one dataset differ";

    auto src = open_vector(tmp / "a.gpkg");
    ASSERT_TRUE(src);
    OGRLayer* grids = src->GetLayerByName("grids");
    ASSERT_TRUE(grids);
    EXPECT_EQ(grids->GetFeatureCount(), 5);
    EXPECT_EQ(wkbFlatten(grids->GetGeomType()), wkbMultiPolygon);
    auto w1 = find(grids, "grid_id", "W1");
    ASSERT_TRUE(w1);
    EXPECT_EQ(std::string(w1->GetFieldAsString("name")), long_name());  // no cut outside shapefiles
    auto fields = field_names(src->GetLayerByName("cameras"));
    EXPECT_TRUE(std::count(fields.begin(), fields.end(), "resolution_px"));
    EXPECT_TRUE(std::count(fields.begin(), fields.end(), "安装单位名称"));
    auto inc = find(src->GetLayerByName("incidents"), "inc_id", "I1");
    ASSERT_TRUE(inc);
    EXPECT_STREQ(inc->GetFieldAsString("time"), "2024-01-02T10:00:00");
    expect_all_geometry([&](const std::string& n) { return src->GetLayerByName(n.c_str()); }, ds, 1e-6,
                        false);

    // gw::open_dataset reads it back into the same model.
    gw::OpenOptions oo;
    gw::Dataset back = gw::open_dataset({tmp / "a.gpkg"}, oo);
    EXPECT_EQ(back.crs, "EPSG:4490");
    EXPECT_EQ(back.grids.size(), ds.grids.size());
    EXPECT_EQ(back.households.size(), ds.households.size());
    ASSERT_EQ(back.cameras.size(), 3u);
    EXPECT_EQ(back.cameras[0].resolution_px, 1080);
    EXPECT_EQ(back.extra_fields["cameras"].names, ds.extra_fields.at("cameras").names);
}

TEST(ExportFormats, GeoJsonIsWgs84FolderOfFiles) {
    TempDir tmp("export_geojson");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.format = "GeoJSON";
    o.path = tmp / "out";
    o.crs = "EPSG:4542";  // ignored: RFC 7946 is WGS84
    Written w = write(ds, o);
    EXPECT_TRUE(w.said("WGS84"));
    auto files = listing(tmp.path / "out");
    EXPECT_TRUE(std::count(files.begin(), files.end(), "grids.geojson"));
    EXPECT_TRUE(std::count(files.begin(), files.end(), "households.geojson"));
    const std::string text = gwtest::slurp(tmp.path / "out" / "grids.geojson");
    EXPECT_NE(text.find("大坪子社区"), std::string::npos);
    EXPECT_EQ(text.find("\"crs\""), std::string::npos);  // RFC 7946: no crs member
    auto g = open_vector(tmp / "out/grids.geojson");
    ASSERT_TRUE(g);
    EXPECT_EQ(gw::crs_label(*g->GetLayer(0)->GetSpatialRef()), "EPSG:4326");
    std::vector<GDALDatasetUniquePtr> keep;
    // RFC 7946 keeps 7 decimals of a degree: about a centimetre.
    expect_all_geometry(
        [&](const std::string& name) {
            keep.push_back(open_vector(tmp / ("out/" + name + ".geojson")));
            return keep.back() ? keep.back()->GetLayer(0) : nullptr;
        },
        ds, 0.02, false);

    // One layer to a file name: that one file.
    o.path = tmp / "cams.geojson";
    o.layers = {"cameras"};
    write(ds, o);
    auto cams = open_vector(tmp / "cams.geojson");
    ASSERT_TRUE(cams);
    EXPECT_EQ(cams->GetLayer(0)->GetFeatureCount(), 3);
    // Several layers to a file name: refused, nothing written.
    o.path = tmp / "all.geojson";
    o.layers = {};
    EXPECT_THROW(write(ds, o), gw::Error);
    EXPECT_FALSE(fs::exists(tmp.path / "all.geojson"));
}

TEST(ExportFormats, FlatGeobufRoundTrip) {
    TempDir tmp("export_fgb");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.format = "FlatGeobuf";
    o.path = tmp / "out";
    write(ds, o);
    std::vector<GDALDatasetUniquePtr> keep;
    expect_all_geometry(
        [&](const std::string& name) {
            keep.push_back(open_vector(tmp / ("out/" + name + ".fgb")));
            return keep.back() ? keep.back()->GetLayer(0) : nullptr;
        },
        ds, 1e-6, false);
    auto g = open_vector(tmp / "out/grids.fgb");
    auto e = find(g->GetLayer(0), "grid_id", "E");
    ASSERT_TRUE(e);
    EXPECT_STREQ(e->GetFieldAsString("name"), "罗家大坡");
}

TEST(ExportFormats, KmlOneFileInWgs84) {
    TempDir tmp("export_kml");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.format = "KML";
    o.path = tmp / "map.kml";
    write(ds, o);
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"map.kml"});
    auto src = open_vector(tmp / "map.kml");
    ASSERT_TRUE(src);
    OGRLayer* grids = src->GetLayerByName("grids");
    ASSERT_TRUE(grids);
    EXPECT_EQ(grids->GetFeatureCount(), 5);
    auto c = find(grids, "grid_id", "C");
    ASSERT_TRUE(c);
    EXPECT_STREQ(c->GetFieldAsString("Name"), "大坪子社区");
    expect_vertices(grids, *c, vertices(ds.grids[0].shape), 0.01);
}

TEST(WriterProjection, LargeBatchesMatchPointByPoint) {
    // Past 50,000 points the projection runs on several threads and grid vertices are projected
    // once each: the file must hold exactly what one transformation gives point by point.
    TempDir tmp("export_proj");
    gw::Dataset ds = make_dataset();
    ds.grids.resize(1);
    ds.extra_fields.clear();
    gw::Ring circle;
    for (int i = 0; i < 60000; ++i) {
        const double a = -2 * M_PI * i / 60000;  // clockwise
        circle.push_back(at(1000 + 900 * std::cos(a), 1000 + 900 * std::sin(a)));
    }
    ds.grids[0].shape = {gw::Polygon{{circle}}};
    ds.households.clear();
    for (int i = 0; i < 70000; ++i) {
        gw::Household h;
        h.hh_id = "H" + std::to_string(i);
        h.pos = at(i % 400 * 5.001, i / 400 * 6.003);
        ds.households.push_back(h);
    }
    gw::WriteOptions o;
    o.format = "GPKG";
    o.path = tmp / "big.gpkg";
    o.layers = {"grids", "households"};
    write(ds, o);

    auto src = open_vector(o.path);
    ASSERT_TRUE(src);
    gw::Transform to_4490(gw::parse_crs("EPSG:4542"), gw::parse_crs("EPSG:4490"));
    OGRLayer* hh = src->GetLayerByName("households");
    ASSERT_EQ(hh->GetFeatureCount(), 70000);
    size_t i = 0, mismatches = 0;
    for (auto& f : *hh) {
        const gw::Vec2 want = to_4490.apply(ds.households[i++].pos);
        const auto* p = f->GetGeometryRef()->toPoint();
        mismatches += p->getX() != want.x || p->getY() != want.y;
    }
    EXPECT_EQ(mismatches, 0u);
    OGRLayer* grids = src->GetLayerByName("grids");
    OGRFeatureUniquePtr g(grids->GetNextFeature());
    ASSERT_TRUE(g);
    std::vector<gw::Vec2> got;
    collect(g->GetGeometryRef(), got);
    std::vector<gw::Vec2> want = circle;
    to_4490.apply(want);
    ASSERT_EQ(got.size(), want.size());
    mismatches = 0;
    for (size_t k = 0; k < want.size(); ++k) mismatches += !(got[k] == want[k]);
    EXPECT_EQ(mismatches, 0u);
}

// ---------------------------------------------------------------------------------------------
// Atomic output

TEST(ExportAtomic, MissingFolderLeavesNothing) {
    TempDir tmp("export_missing");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "no/such/out";
    EXPECT_THROW(write(ds, o), gw::Error);
    o.format = "GPKG";
    o.path = tmp / "no/out.gpkg";
    EXPECT_THROW(write(ds, o), gw::Error);
    EXPECT_TRUE(listing(tmp.path).empty());
}

TEST(ExportAtomic, FileWhereFolderIsNeeded) {
    TempDir tmp("export_file");
    tmp.write("out", "not a folder");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    try {
        write(ds, o);
        ADD_FAILURE() << "no error";
    } catch (const gw::Error& e) {
        EXPECT_NE(std::string(e.what()).find("is a file"), std::string::npos) << e.what();
    }
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"out"});
    EXPECT_EQ(gwtest::slurp(tmp.path / "out"), "not a folder");
}

TEST(ExportAtomic, ReadOnlyFolderLeavesNothing) {
    TempDir tmp("export_ro");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    // Root writes into any folder whatever its mode, but not into /proc.
    const bool root = geteuid() == 0;
    const fs::path ro = root ? fs::path("/proc") : tmp.path / "ro";
    if (!root) {
        fs::create_directory(ro);
        chmod(ro.c_str(), 0555);
    }
    o.path = (ro / "gw_export_out").string();
    EXPECT_THROW(write(ds, o), gw::Error);
    o.format = "GPKG";
    o.path = (ro / "gw_export_out.gpkg").string();
    EXPECT_THROW(write(ds, o), gw::Error);
    o.format = "GeoJSON";
    o.path = (ro / "gw_export_out.geojson").string();
    o.layers = {"cameras"};
    EXPECT_THROW(write(ds, o), gw::Error);
    for (const auto& e : fs::directory_iterator(ro))
        EXPECT_EQ(e.path().filename().string().find("gw_export_out"), std::string::npos) << e.path();
    if (!root) chmod(ro.c_str(), 0755);
}

TEST(ExportAtomic, FailureMidWayRemovesTheTemporaryOutput) {
    // A per-layer file name taken by a folder: found only when the files move into place.
    TempDir tmp("export_mid");
    fs::create_directories(tmp.path / "out" / "households.shp");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    EXPECT_THROW(write(ds, o), gw::Error);
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"out"});  // no temporary folder left
}

TEST(ExportAtomic, ExistingFolderKeepsOtherFiles) {
    TempDir tmp("export_keep");
    fs::create_directory(tmp.path / "out");
    tmp.write("out/readme.txt", "the user's notes");
    tmp.write("out/grids_L1.qix", "stale index");
    tmp.write("out/grids_L1.dbf", "old");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    write(ds, o);
    EXPECT_EQ(gwtest::slurp(tmp.path / "out" / "readme.txt"), "the user's notes");
    EXPECT_FALSE(fs::exists(tmp.path / "out" / "grids_L1.qix"));
    auto l1 = open_vector(tmp / "out/grids_L1.shp");
    ASSERT_TRUE(l1);
    EXPECT_EQ(l1->GetLayer(0)->GetFeatureCount(), 1);
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"out"});
}

TEST(ExportAtomic, ExportAgainReplacesTheOldExportWholeAndKeepsTheUsersFiles) {
    TempDir tmp("export_again");
    const gw::Dataset ds = make_dataset();
    gw::WriteOptions o;
    o.path = tmp / "out";
    o.layers = {"households"};
    write(ds, o);
    tmp.write("out/readme.txt", "the user's notes");
    // Another layer: the old export's households do not stay beside it.
    o.layers = {"grids"};
    write(ds, o);
    EXPECT_EQ(listing(tmp.path / "out"),
              (std::vector<std::string>{"grids_L1.cpg", "grids_L1.dbf", "grids_L1.prj", "grids_L1.shp",
                                        "grids_L1.shx", "grids_L2.cpg", "grids_L2.dbf", "grids_L2.prj",
                                        "grids_L2.shp", "grids_L2.shx", "grids_L4.cpg", "grids_L4.dbf",
                                        "grids_L4.prj", "grids_L4.shp", "grids_L4.shx", "readme.txt"}));
    // The grids once split by level, then in one layer: read back, each cell once.
    o.split_grid_levels = false;
    write(ds, o);
    EXPECT_FALSE(fs::exists(tmp.path / "out" / "grids_L1.shp"));
    EXPECT_TRUE(fs::exists(tmp.path / "out" / "grids.shp"));
    EXPECT_EQ(gw::open_dataset({tmp / "out"}).grids.size(), ds.grids.size());
    EXPECT_EQ(gwtest::slurp(tmp.path / "out" / "readme.txt"), "the user's notes");
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"out"});
}

// ---------------------------------------------------------------------------------------------
// The command, end to end

namespace {
/** A GeoPackage of the hand-made community, written once per test binary run. */
std::string community_gpkg() {
    static TempDir dir("export_e2e_src");
    static std::string path = [] {
        gw::WriteOptions o;
        o.format = "GPKG";
        o.path = dir / "community.gpkg";
        gw::write_dataset(make_dataset(), o);
        return o.path;
    }();
    return path;
}
std::string shell_quote(const std::string& s) { return "'" + s + "'"; }
/** What the ogrinfo tool prints: the user's own way to check the output. */
std::string ogrinfo(const std::string& args) {
    std::string text;
    if (FILE* p = popen(("ogrinfo " + args + " 2>&1").c_str(), "r")) {
        char buf[4096];
        while (size_t n = fread(buf, 1, sizeof buf, p)) text.append(buf, n);
        pclose(p);
    }
    return text;
}
}  // namespace

TEST(ExportCli, ShapefilesWithChineseText) {
    TempDir tmp("export_cli");
    const std::string out = tmp / "shp";
    auto r = gwtest::run_gridwatch("export " + shell_quote(community_gpkg()) + " --out " + shell_quote(out) +
                                   " --with-stats --mask-personal");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("wrote 11 layers, 18 features to " + out), std::string::npos) << r.out;
    EXPECT_NE(r.err.find("cameras.resolution_px → resolution"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("warning: grids_L4.name"), std::string::npos) << r.err;

    const std::string l1 = ogrinfo("-ro -al " + shell_quote(out + "/grids_L1.shp"));
    EXPECT_NE(l1.find("大坪子社区"), std::string::npos) << l1;
    EXPECT_NE(l1.find("张*丰"), std::string::npos) << l1;
    const std::string l4 = ogrinfo("-ro -al -so " + shell_quote(out + "/grids_L4.shp"));
    EXPECT_NE(l4.find("households: Integer"), std::string::npos) << l4;
    EXPECT_NE(l4.find("inc_yellow: Integer"), std::string::npos) << l4;
}

TEST(ExportCli, WithStatsFillsTheCellsOfEveryLevelWritten) {
    // Only the level-4 cells had figures: levels 1–3 were written without them, and with
    // --one-grids-layer their rows were null, exit 0. A level-4 cell that shares its id with a
    // level-3 cell (ids are unique within a level only) must get its own figures, not the other's.
    TempDir tmp("export_cli_levels");
    const std::string bundled = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    const std::string shared = tmp / "shared_id.gpkg";
    std::filesystem::copy_file(bundled, shared);
    {
        GDALAllRegister();
        GDALDatasetUniquePtr ds(GDALDataset::Open(shared.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        ds->ReleaseResultSet(ds->ExecuteSQL(
            "UPDATE grids SET grid_id = 'DPZ-G02' WHERE grid_id = 'DPZ-G01-01'", nullptr, nullptr));
    }
    for (const std::string& data : {bundled, shared}) {
        std::map<int, std::map<std::string, int>>
            want;  // level -> grid_id -> households, from gridwatch stats
        for (int level = 1; level <= 4; ++level) {
            auto st = gwtest::run_gridwatch("stats " + data + " --level " + std::to_string(level) +
                                            " --no-coverage --json");
            ASSERT_EQ(st.status, 0) << st.err;
            const auto table = nlohmann::json::parse(st.out);
            for (const auto& row : table["grids"])
                want[level][row["grid_id"].get<std::string>()] = row["households"].get<int>();
        }
        for (const bool one_layer : {false, true}) {
            const std::string out =
                tmp / ((data == shared ? "s_" : "b_") + std::string(one_layer ? "one" : "split"));
            auto r = gwtest::run_gridwatch("export " + data + " --out " + out + " --with-stats" +
                                           (one_layer ? " --one-grids-layer" : ""));
            ASSERT_EQ(r.status, 0) << r.err;
            EXPECT_NE(r.err.find("coverage columns are not joined"), std::string::npos) << r.err;
            for (int level = 1; level <= 4; ++level) {
                auto v = open_vector(
                    out + (one_layer ? "/grids.shp" : "/grids_L" + std::to_string(level) + ".shp"));
                ASSERT_TRUE(v);
                size_t seen = 0;
                for (auto& f : *v->GetLayer(0)) {
                    if (one_layer && f->GetFieldAsInteger("level") != level) continue;
                    ++seen;
                    const std::string id = f->GetFieldAsString("grid_id");
                    ASSERT_TRUE(f->IsFieldSetAndNotNull(f->GetFieldIndex("households"))) << id;
                    ASSERT_TRUE(want[level].count(id)) << data << " level " << level << " " << id;
                    EXPECT_EQ(f->GetFieldAsInteger("households"), want[level][id])
                        << data << " level " << level << " " << id;
                }
                EXPECT_EQ(seen, want[level].size()) << "level " << level;
            }
        }
    }
}

TEST(ExportCli, FormatsLayersAndLevel) {
    TempDir tmp("export_cli2");
    auto r = gwtest::run_gridwatch("export " + shell_quote(community_gpkg()) + " --out " +
                                   shell_quote(tmp / "x.gpkg") +
                                   " --format gpkg --layers grids,cameras --level 4 --crs EPSG:4542");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("wrote 2 layers, 5 features"), std::string::npos) << r.out;
    auto src = open_vector(tmp / "x.gpkg");
    ASSERT_TRUE(src);
    EXPECT_EQ(src->GetLayerCount(), 2);
    EXPECT_EQ(src->GetLayerByName("grids")->GetFeatureCount(), 2);
    EXPECT_EQ(gw::crs_label(*src->GetLayerByName("grids")->GetSpatialRef()), "EPSG:4542");

    r = gwtest::run_gridwatch("export " + shell_quote(community_gpkg()) + " --out " +
                              shell_quote(tmp / "gbk") + " --encoding gbk --layers grids");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("warning: grids_L4.name"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("𠀋"), std::string::npos) << r.err;
}

TEST(ExportCli, UsageErrorsExitTwo) {
    TempDir tmp("export_cli_usage");
    const std::string src = shell_quote(community_gpkg());
    for (const std::string& args : {"export " + src,  // no --out
                                    "export " + src + " --out " + tmp / "o" + " --format NOPE",
                                    "export " + src + " --out " + tmp / "o" + " --layers grids,nope",
                                    "export " + src + " --out " + tmp / "o" + " --encoding latin1",
                                    "export " + src + " --out " + tmp / "o" + " --level 7",
                                    "export " + src + " --out " + tmp / "o" + " --crs EPSG:999999"}) {
        auto r = gwtest::run_gridwatch(args);
        EXPECT_EQ(r.status, 2) << args << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << args << "\n" << r.err;
    }
    EXPECT_TRUE(listing(tmp.path).empty());
}

TEST(ExportCli, MissingInputExitsOneWithOneLine) {
    TempDir tmp("export_cli_missing");
    auto r = gwtest::run_gridwatch("export " + tmp / "nope.gpkg" + " --out " + tmp / "o");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("nope.gpkg"), std::string::npos) << r.err;
    EXPECT_TRUE(listing(tmp.path).empty());

    // A runtime failure while writing: a file where the output folder should be.
    tmp.write("o", "x");
    r = gwtest::run_gridwatch("export " + shell_quote(community_gpkg()) + " --out " + tmp / "o");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_EQ(listing(tmp.path), std::vector<std::string>{"o"});
}

TEST(ExportCli, BundledDataset) {
    const std::string bundled = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    ASSERT_TRUE(fs::exists(bundled)) << "data/dapingzi.gpkg is missing: run gridwatch demo --out data/dapingzi.gpkg";
    TempDir tmp("export_cli_bundled");
    auto r = gwtest::run_gridwatch("export " + shell_quote(bundled) + " --out " + tmp / "shp");
    ASSERT_EQ(r.status, 0) << r.err;
    auto l1 = open_vector(tmp / "shp/grids_L1.shp");
    ASSERT_TRUE(l1);
    l1->GetLayer(0)->ResetReading();
    OGRFeatureUniquePtr f(l1->GetLayer(0)->GetNextFeature());
    ASSERT_TRUE(f);
    EXPECT_NE(std::string(f->GetFieldAsString("name")).find("大坪子"), std::string::npos);
    auto l4 = open_vector(tmp / "shp/grids_L4.shp");
    ASSERT_TRUE(l4);
    EXPECT_EQ(l4->GetLayer(0)->GetFeatureCount(), 97);
}

// A layer no role uses is drawn, not exported: it was left out of the export without a word.
TEST(ExportCli, ALayerNoRoleUsesIsNamedAsNotExported) {
    gwtest::TempDir dir("export_other");
    const std::string data = dir / "d.gpkg";
    std::filesystem::copy_file(std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg", data);
    GDALAllRegister();
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        gwtest::add_river_layer(*ds, 4490);
    }
    const auto r = gwtest::run_gridwatch("export " + data + " --out " + (dir / "shp"));
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("layer '县界河流' (1 features) plays no role"), std::string::npos) << r.err;
    // Named only when every layer is asked for.
    const auto some = gwtest::run_gridwatch("export " + data + " --layers cameras --out " + (dir / "cams"));
    ASSERT_EQ(some.status, 0) << some.err;
    EXPECT_EQ(some.err.find("县界河流"), std::string::npos) << some.err;
}

// A layer the source has but holds nothing yet (an office's cameras before the first camera) is
// exported as an empty layer with its fields, text as wide as a DBF allows; it was left out
// without a word. Both ways of reading (a layer at a time, and whole for --with-stats) write it.
// A file that names one layer (x.geojson) still takes the layers holding features alone.
TEST(ExportCli, ALayerThatIsEmptyIsExportedEmpty) {
    gwtest::TempDir dir("export_empty");
    const std::string data = dir / "d.gpkg";
    std::filesystem::copy_file(std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg", data);
    GDALAllRegister();
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        ds->ExecuteSQL("DELETE FROM cameras", nullptr, nullptr);
    }
    for (const std::string extra : {"", " --with-stats"}) {
        const std::string out = dir / ("shp" + std::to_string(extra.size()));
        const auto r = gwtest::run_gridwatch("export " + data + " --out " + out + extra);
        ASSERT_EQ(r.status, 0) << r.err;
        GDALDatasetUniquePtr shp(GDALDataset::Open((out + "/cameras.shp").c_str(), GDAL_OF_VECTOR));
        ASSERT_TRUE(shp) << extra << ": no cameras.shp\n" << r.out;
        OGRLayer* l = shp->GetLayer(0);
        EXPECT_EQ(l->GetFeatureCount(), 0);
        EXPECT_EQ(wkbFlatten(l->GetGeomType()), wkbPoint);
        const int cam_id = l->GetLayerDefn()->GetFieldIndex("cam_id");
        ASSERT_GE(cam_id, 0);
        EXPECT_EQ(l->GetLayerDefn()->GetFieldDefn(cam_id)->GetWidth(), 254);
        EXPECT_GE(l->GetLayerDefn()->GetFieldIndex("azimuth"), 0);
    }
    const auto g = gwtest::run_gridwatch("export " + data + " --format GPKG --out " + (dir / "o.gpkg"));
    ASSERT_EQ(g.status, 0) << g.err;
    GDALDatasetUniquePtr gpkg(GDALDataset::Open((dir / "o.gpkg").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(gpkg);
    ASSERT_TRUE(gpkg->GetLayerByName("cameras"));
    EXPECT_EQ(gpkg->GetLayerByName("cameras")->GetFeatureCount(), 0);
    // One layer's file, from grids and the empty cameras: the grids, the one layer holding features.
    {
        GDALDatasetUniquePtr ds(GDALDataset::Open(data.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
        ASSERT_TRUE(ds);
        for (int i = ds->GetLayerCount() - 1; i >= 0; --i) {
            const std::string name = ds->GetLayer(i)->GetName();
            if (name == "grids" || name == "cameras") continue;
            ASSERT_EQ(ds->DeleteLayer(i), OGRERR_NONE) << name;
        }
    }
    const auto one =
        gwtest::run_gridwatch("export " + data + " --format GeoJSON --out " + (dir / "g.geojson"));
    EXPECT_EQ(one.status, 0) << one.err;
    EXPECT_NE(one.out.find("wrote 1 layer,"), std::string::npos) << one.out;
}

// `export` reads a layer at a time (open_dataset_by_layer), each let go once written, unless it
// joins figures or writes one named file. What it writes is what write_dataset writes of the whole
// read (shapefiles, FlatGeobuf, GeoJSON byte for byte but a .dbf's date; a GeoPackage, one file kept
// open while the next layer is read, feature for feature as ogrinfo lists it), and its summary
// counts the features the files hold.
TEST(ExportCli, ALayerAtATimeWritesWhatTheWholeReadWrites) {
    const std::string bundled = std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg";
    TempDir tmp("export_by_layer");
    struct Case {
        std::string args, file;  // file: the one output file, "" for a folder
        std::function<void(gw::WriteOptions&)> set;
    };
    const std::vector<Case> cases = {
        {"", "", [](gw::WriteOptions&) {}},
        {"--format FlatGeobuf --layers grids,cameras,checks,facilities --level 4", "",
         [](gw::WriteOptions& o) {
             o.format = "FlatGeobuf", o.layers = {"grids", "cameras", "checks", "facilities"}, o.level = 4;
         }},
        {"--mask-personal --encoding GBK --crs EPSG:4547 --one-grids-layer", "",
         [](gw::WriteOptions& o) {
             o.mask_personal = true, o.encoding = "GBK", o.crs = "EPSG:4547", o.split_grid_levels = false;
         }},
        {"--format GeoJSON --layers households,patrols", "",
         [](gw::WriteOptions& o) {
             o.format = "GeoJSON", o.layers = {"households", "patrols"};
         }},
        {"--format GPKG", "all.gpkg", [](gw::WriteOptions& o) { o.format = "GPKG"; }},
    };
    int k = 0;
    for (const auto& c : cases) {
        SCOPED_TRACE(c.args);
        const fs::path cli_dir = tmp / ("cli" + std::to_string(k)),
                       whole_dir = tmp / ("whole" + std::to_string(k));
        ++k;
        const std::string cli = c.file.empty() ? cli_dir.string() : (cli_dir / c.file).string();
        const std::string whole = c.file.empty() ? whole_dir.string() : (whole_dir / c.file).string();
        if (!c.file.empty()) fs::create_directories(cli_dir), fs::create_directories(whole_dir);
        const auto r = gwtest::run_gridwatch("export " + bundled + " --out " + cli + " " + c.args);
        ASSERT_EQ(r.status, 0) << r.err;
        gw::WriteOptions o;
        o.path = whole;
        c.set(o);
        const gw::Written w = gw::write_dataset(gw::open_dataset({bundled}), o);
        EXPECT_NE(r.out.find("wrote " + std::to_string(w.layers) + " layers, " + std::to_string(w.features) +
                             " features to " + cli),
                  std::string::npos)
            << r.out;
        // The features the command's files hold, counted by GDAL.
        size_t layers = 0, features = 0;
        for (const auto& f : c.file.empty() ? listing(cli_dir) : std::vector<std::string>{c.file}) {
            const std::string ext = fs::path(f).extension().string();
            if (ext != ".shp" && ext != ".fgb" && ext != ".geojson" && ext != ".gpkg") continue;
            auto ds = open_vector(cli_dir / f);
            ASSERT_TRUE(ds) << f;
            for (int i = 0; i < ds->GetLayerCount(); ++i)
                ++layers, features += static_cast<size_t>(ds->GetLayer(i)->GetFeatureCount());
        }
        EXPECT_EQ(layers, w.layers);
        EXPECT_EQ(features, w.features);
        EXPECT_GT(w.features, 0u);
        if (!c.file.empty()) {
            std::string listed = ogrinfo("-ro -al " + shell_quote(cli)),
                        expected = ogrinfo("-ro -al " + shell_quote(whole));
            for (size_t at; (at = listed.find(cli)) != std::string::npos;)
                listed.replace(at, cli.size(), whole);
            EXPECT_EQ(listed, expected);
            EXPECT_GT(listed.size(), 10000u);
            continue;
        }
        const auto files = listing(cli_dir);
        EXPECT_EQ(files, listing(whole_dir));
        for (const auto& f : files) {
            std::string a = gwtest::slurp(cli_dir / f), b = gwtest::slurp(whole_dir / f);
            if (fs::path(f).extension() == ".dbf" && a.size() > 4 && b.size() > 4)
                a.replace(1, 3, "YMD"), b.replace(1, 3, "YMD");  // the day it was written
            EXPECT_EQ(a, b) << f;
        }
    }
}

// A DatasetWriter lives while later layers are read: GDAL's messages between its writes are the
// reading's, and reach neither its warnings nor, as a failure's reason, a later layer's error; its
// own handler is popped after each call (the thread's handler is the test's again).
TEST(ExportWriter, GdalMessagesBetweenWritesAreNotTheWritersOwn) {
    TempDir tmp("writer_messages");
    const gw::Dataset ds = gw::open_dataset({std::string(GRIDWATCH_SOURCE_DIR) + "/data/dapingzi.gpkg"});
    std::vector<std::string> told;
    gw::WriteOptions o;
    o.path = tmp / "out";
    o.on_message = [&](const std::string& line) { told.push_back(line); };
    std::vector<std::string> caught;
    auto catcher = [](CPLErr, CPLErrorNum, const char* msg) {
        static_cast<std::vector<std::string>*>(CPLGetErrorHandlerUserData())->push_back(msg);
    };
    CPLErrorHandlerPusher mine(catcher, &caught);
    {
        gw::DatasetWriter w(ds, o);
        CPLError(CE_Warning, CPLE_AppDefined, "reading: a warning before any layer");
        w.write(ds, "grids");
        CPLError(CE_Failure, CPLE_AppDefined, "reading: a failure between layers");
        CPLError(CE_Warning, CPLE_AppDefined, "reading: a warning between layers");
        w.write(ds, "cameras");
        CPLError(CE_Failure, CPLE_AppDefined, "reading: a failure before the end");
        const gw::Written written = w.finish();
        EXPECT_EQ(written.layers, 5u);  // grids_L1 … L4, cameras
    }
    CPLError(CE_Warning, CPLE_AppDefined, "after the writer");
    EXPECT_EQ(caught, (std::vector<std::string>{"reading: a warning before any layer",
                                                "reading: a failure between layers",
                                                "reading: a warning between layers",
                                                "reading: a failure before the end", "after the writer"}));
    for (const auto& line : told) EXPECT_EQ(line.find("reading:"), std::string::npos) << line;
    EXPECT_TRUE(fs::exists(tmp / "out/cameras.shp"));
}

// `export --out grids.gpkg` without --format wrote a folder of shapefiles named grids.gpkg: the
// extension says the format, as it does for the analyses' --out.
TEST(ExportCli, TheOutputsExtensionSaysItsFormatWithoutFormat) {
    TempDir tmp("export_by_extension");
    const std::string data = shell_quote(community_gpkg());
    for (const auto& [name, driver] : std::vector<std::pair<std::string, std::string>>{
             {"g.gpkg", "GPKG"}, {"g.geojson", "GeoJSON"}, {"g.fgb", "FlatGeobuf"}, {"g.kml", "KML"}}) {
        const auto r = gwtest::run_gridwatch("export " + data + " --layers cameras --out " + (tmp / name));
        ASSERT_EQ(r.status, 0) << name << ": " << r.err;
        ASSERT_TRUE(fs::is_regular_file(tmp.path / name)) << name << " is no file";
        auto out = open_vector(tmp / name);
        ASSERT_TRUE(out) << name;
        const std::string read_by = out->GetDriverName();
        EXPECT_TRUE(read_by == driver || (driver == "KML" && read_by == "LIBKML")) << name << ": " << read_by;
    }
    // No extension: a folder of shapefiles, as before.
    ASSERT_EQ(gwtest::run_gridwatch("export " + data + " --layers cameras --out " + (tmp / "shp")).status, 0);
    EXPECT_TRUE(fs::exists(tmp.path / "shp" / "cameras.shp"));
}

// The analyses' outputs cut a shapefile's text values past the DBF's 254 bytes themselves: on a
// character boundary (3-byte Chinese characters ending at bytes 253, 254 and 255), and a list of
// items joined by ';' after its last whole item, so that no cut item reads as another id.
TEST(OutLayers, AShapefilesLongTextIsCutOnACharacterAndAnItem) {
    gwtest::TempDir d("out_layers_cut");
    gw::OutLayer L;
    L.name = "cut";
    L.points = true;
    L.fields = {{"text"}};
    const std::string han = "网";  // 3 bytes
    const auto text_of = [&](size_t ascii, size_t chars) {
        std::string s(ascii, 'a');
        for (size_t k = 0; k < chars; ++k) s += han;
        return s;
    };
    // 250 to 253 letters, then characters of 3 bytes: one more fits after 250 (to 253 bytes) and 251
    // (to 254), none after 252 (it would end on 255) and 253.
    for (size_t ascii : {250u, 251u, 252u, 253u}) L.features.push_back({{}, {0, 0}, {text_of(ascii, 10)}});
    std::string list;
    for (int k = 0; k < 40; ++k) list += (k ? ";" : "") + std::string("DPZ-I0") + std::to_string(100 + k);
    L.features.push_back({{}, {0, 0}, {list}});
    L.features.push_back({{}, {0, 0}, {std::string("short")}});
    OGRSpatialReference work;
    work.importFromEPSG(4542);
    char* wkt = nullptr;
    work.exportToWkt(&wkt);
    const auto written = gw::write_out_layers(d / "cut.shp", {L}, wkt);
    CPLFree(wkt);
    ASSERT_EQ(written.size(), 1u);
    ASSERT_EQ(written[0].cut.size(), 1u);
    EXPECT_EQ(written[0].cut[0].name, "text");
    EXPECT_EQ(written[0].cut[0].values, 5u);
    GDALDatasetUniquePtr ds(GDALDataset::Open((d / "cut.shp").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    std::vector<std::string> got;
    for (auto& f : ds->GetLayer(0)) got.push_back(f->GetFieldAsString(0));
    ASSERT_EQ(got.size(), 6u);
    EXPECT_EQ(got[0], text_of(250, 1));
    EXPECT_EQ(got[1], text_of(251, 1));
    EXPECT_EQ(got[2], text_of(252, 0));
    EXPECT_EQ(got[3], text_of(253, 0));
    for (const auto& v : got) EXPECT_TRUE(CPLIsUTF8(v.c_str(), -1)) << v;
    // The list: its whole items that fit (25 of 10 bytes with their ';', less the last ';').
    EXPECT_EQ(got[4].size(), 249u) << got[4];
    EXPECT_EQ(list.rfind(got[4], 0), 0u);
    EXPECT_EQ(list[got[4].size()], ';');
    EXPECT_EQ(got[5], "short");
}
