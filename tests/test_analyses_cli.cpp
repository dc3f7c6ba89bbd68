// End-to-end tests of coverage, hotspots and plan on the model community (SPEC §4 JSON shapes).
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "tests/cli_run.h"

using gwtest::run_gridwatch;
using gwtest::TempDir;
using nlohmann::json;

namespace {

/** The model community, written once per test binary run by `gridwatch demo`. */
const std::string& community() {
    static TempDir dir("analyses");
    static std::string path = [] {
        std::string p = dir / "dpz.gpkg";
        auto r = run_gridwatch("demo --out " + p);
        EXPECT_EQ(r.status, 0) << r.err;
        return p;
    }();
    return path;
}

}  // namespace

TEST(CliCoverage, TheTableNamesEachCellBesideItsId) {
    auto r = run_gridwatch("coverage " + community() + " --level 3");
    ASSERT_EQ(r.status, 0) << r.err;
    auto line_at = [&](size_t at) { return r.out.substr(at, r.out.find('\n', at) - at); };
    auto display_width = [](const std::string& s) {  // a CJK character takes two columns
        size_t w = 0;
        for (unsigned char c : s) w += (c & 0xC0) == 0x80 ? 0 : c >= 0xE0 ? 2 : 1;
        return w;
    };
    const size_t head = r.out.find("grid_id          name ");
    const size_t row = r.out.find("\nDPZ-G01          大坪子一组 ");
    ASSERT_NE(head, std::string::npos) << r.out;
    ASSERT_NE(row, std::string::npos) << r.out;
    // Padded by display width: the figures line up under their headers.
    EXPECT_EQ(display_width(line_at(row + 1)), display_width(line_at(head))) << r.out;
    EXPECT_NE(r.out.find("  in DPZ-G0"), std::string::npos) << r.out;  // blind spots name their cell too
}

TEST(CliCoverage, JsonShapeAndTotalsAddUp) {
    auto r = run_gridwatch("coverage " + community() + " --level 3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    json j = json::parse(r.out);
    EXPECT_EQ(j["level"], 3);
    ASSERT_EQ(j["grids"].size(), 8u);
    double area = 0, covered = 0;
    int hh = 0, hh_cov = 0;
    for (auto& g : j["grids"]) {
        for (const char* k : {"grid_id", "area_m2", "covered_m2", "coverage", "households", "households_covered"})
            EXPECT_TRUE(g.contains(k)) << k;
        EXPECT_GE(g["coverage"].get<double>(), 0.0);
        EXPECT_LE(g["coverage"].get<double>(), 1.0);
        area += g["area_m2"].get<double>(), covered += g["covered_m2"].get<double>();
        hh += g["households"].get<int>(), hh_cov += g["households_covered"].get<int>();
    }
    EXPECT_NEAR(j["total"]["area_m2"].get<double>(), area, 1e-3);
    EXPECT_NEAR(j["total"]["covered_m2"].get<double>(), covered, 1e-3);
    EXPECT_EQ(j["total"]["households"], hh);
    EXPECT_EQ(j["total"]["households_covered"], hh_cov);
    EXPECT_GT(j["gaps"].get<int>(), 0);
    EXPECT_TRUE(j["skipped_cameras"].is_array());
    // Occlusion can only take coverage away.
    auto no = run_gridwatch("coverage " + community() + " --level 3 --occlusion none --json");
    ASSERT_EQ(no.status, 0);
    EXPECT_GE(json::parse(no.out)["total"]["covered_m2"].get<double>(), covered - 1e-6);
    // Offline cameras add coverage when included.
    auto off = run_gridwatch("coverage " + community() + " --level 3 --include-offline --json");
    EXPECT_GE(json::parse(off.out)["total"]["covered_m2"].get<double>(), covered - 1e-6);
}

TEST(CliCoverage, NoGapsKeepsThePerCellTable) {
    auto full = run_gridwatch("coverage " + community() + " --json");
    auto quick = run_gridwatch("coverage " + community() + " --no-gaps --json");
    ASSERT_EQ(full.status, 0) << full.err;
    ASSERT_EQ(quick.status, 0) << quick.err;
    const json f = json::parse(full.out), q = json::parse(quick.out);
    EXPECT_GT(f["gaps"].get<int>(), 0);
    EXPECT_TRUE(q["gaps"].is_null());  // not looked for: not "0 blind spots"
    EXPECT_TRUE(q["gap_list"].is_null());
    ASSERT_EQ(f["grids"].size(), q["grids"].size());
    for (size_t i = 0; i < f["grids"].size(); ++i) {
        EXPECT_EQ(f["grids"][i]["grid_id"], q["grids"][i]["grid_id"]);
        EXPECT_DOUBLE_EQ(f["grids"][i]["covered_m2"].get<double>(), q["grids"][i]["covered_m2"].get<double>());
        EXPECT_EQ(f["grids"][i]["households_covered"], q["grids"][i]["households_covered"]);
    }
}

TEST(CliCoverage, NoGapsOutLeavesNoGapsFileOfAnEarlierRun) {
    TempDir d("cov_no_gaps_out");
    ASSERT_EQ(run_gridwatch("coverage " + community() + " --out " + d / "c.geojson").status, 0);
    ASSERT_TRUE(std::filesystem::exists(d / "c_gaps.geojson"));
    // Gaps not looked for: the earlier run's would stand beside today's cells as if they were its.
    auto r = run_gridwatch("coverage " + community() + " --no-gaps --out " + d / "c.geojson");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(std::filesystem::exists(d / "c_gaps.geojson"));
    EXPECT_TRUE(std::filesystem::exists(d / "c.geojson"));
    EXPECT_TRUE(std::filesystem::exists(d / "c_views.geojson"));
}

// A .shp or .geojson output writes its other layers in files beside it, and nothing said so: a
// user copying "the output" left the views (plan) or the gaps (coverage) behind. Each file is named.
TEST(CliOut, EveryFileOfAMultiLayerOutputIsNamed) {
    TempDir d("out_named");
    auto r = run_gridwatch("plan " + community() + " --add 1 --out " + d / "plan.shp");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("wrote " + d / "plan.shp (planned_cameras; resolution_px as resolution), " +
                         d / "plan_planned_views.shp (planned_views)"),
              std::string::npos)
        << r.out;
    EXPECT_TRUE(std::filesystem::exists(d / "plan_planned_views.shp"));
    // A shapefile's 10-byte names are cut as export cuts them and told in the output's line, not
    // laundered by GDAL with a bare "GDAL: Normalized/laundered field name" warning beside it.
    EXPECT_EQ(r.err.find("GDAL"), std::string::npos) << r.err;
    r = run_gridwatch("plan " + community() + " --add 1 --json --out " + d / "plan.shp");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["fields_renamed"], json({{"planned_cameras.resolution_px", "resolution"}}));
    EXPECT_EQ(r.err.find("GDAL"), std::string::npos) << r.err;
    r = run_gridwatch("coverage " + community() + " --out " + d / "c.geojson --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["files"], json({{"coverage_L4", d / "c.geojson"},
                                                 {"gaps", d / "c_gaps.geojson"},
                                                 {"views", d / "c_views.geojson"}}));
    r = run_gridwatch("plan " + community() + " --add 1 --json --out " + d / "p.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["files"],
              json({{"planned_cameras", d / "p.gpkg"}, {"planned_views", d / "p.gpkg"}}));
    EXPECT_FALSE(json::parse(r.out).contains("fields_renamed")) << r.out;
    // A cluster's members (its incidents' ids) past a DBF field's 254 bytes were cut by GDAL with a
    // bare warning of its own, and the output said nothing. Cut on a character boundary and told.
    r = run_gridwatch("hotspots " + community() + " --method dbscan --eps 300 --out " + d / "k.shp");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("wrote " + d / "k.shp (clusters; members cut to 254 bytes in "), std::string::npos) << r.out;
    EXPECT_EQ(r.err.find("GDAL"), std::string::npos) << r.err;
    r = run_gridwatch("hotspots " + community() + " --method dbscan --eps 300 --json --out " + d / "k.shp");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_GT(json::parse(r.out)["values_cut"]["clusters.members"].get<int>(), 0) << r.out;
    r = run_gridwatch("hotspots " + community() + " --method dbscan --eps 300 --json --out " + d / "k.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(json::parse(r.out).contains("values_cut")) << r.out;
    // Gi*, DBSCAN and the four-colour warning wrote their layer and said nothing of it.
    r = run_gridwatch("hotspots " + community() + " --method gi --out " + d / "gi.shp");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.out.find("wrote " + d / "gi.shp (gi_star)"), std::string::npos) << r.out;
    r = run_gridwatch("hotspots " + community() + " --method warning --json --out " + d / "w.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(json::parse(r.out)["files"], json({{"warning", d / "w.gpkg"}}));
}

TEST(CliCoverage, OutWritesCellsGapsAndViews) {
    TempDir d("cov_out");
    auto r = run_gridwatch("coverage " + community() + " --out " + d / "cov.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    auto info = run_gridwatch("info " + d / "cov.gpkg" + " --json");
    ASSERT_EQ(info.status, 0) << info.err;
    std::set<std::string> names;
    const json j = json::parse(info.out);
    for (auto& l : j["layers"]) names.insert(l["name"].get<std::string>());
    EXPECT_TRUE(names.count("coverage_L4") && names.count("gaps") && names.count("views"));
    EXPECT_EQ(run_gridwatch("coverage " + community() + " --out " + d / "x.unknown").status, 2);
    EXPECT_FALSE(std::filesystem::exists(d / "x.unknown"));
}

TEST(CliHotspots, JsonShapesOfEachMethod) {
    TempDir d("hot");
    auto gi = run_gridwatch("hotspots " + community() + " --method gi --level 4 --json");
    ASSERT_EQ(gi.status, 0) << gi.err;
    json g = json::parse(gi.out);
    ASSERT_EQ(g["cells"].size(), 97u);
    std::set<std::string> classes = {"hot99", "hot95", "hot90", "cold99", "cold95", "cold90", "ns"};
    int total = 0;
    for (auto& c : g["cells"]) {
        EXPECT_TRUE(classes.count(c["class"].get<std::string>()));
        for (const char* k : {"id", "count", "z", "p"}) EXPECT_TRUE(c.contains(k));
        total += c["count"].get<int>();
    }
    EXPECT_GT(total, 200);

    auto kde = run_gridwatch("hotspots " + community() + " --method kde --out " + d / "kde.tif" + " --json");
    ASSERT_EQ(kde.status, 0) << kde.err;
    json k = json::parse(kde.out);
    EXPECT_EQ(k["cell_m"], 10.0);
    EXPECT_GT(k["bandwidth_m"].get<double>(), 0);
    EXPECT_GT(k["max_density_per_km2"].get<double>(), 0);
    EXPECT_EQ(k["raster"], d / "kde.tif");
    EXPECT_TRUE(std::filesystem::exists(d / "kde.tif"));

    auto db = run_gridwatch("hotspots " + community() + " --method dbscan --eps 60 --min-pts 4 --type theft,fraud --json");
    ASSERT_EQ(db.status, 0) << db.err;
    json c = json::parse(db.out);
    int members = c["noise"].get<int>();
    for (auto& cl : c["clusters"]) {
        EXPECT_EQ(cl["count"].get<size_t>(), cl["members"].size());
        members += cl["count"].get<int>();
    }
    EXPECT_GT(members, 0);

    // No incident in the window: every cell counts 0, and Gi* has nothing to tell apart (it gave
    // z 0, p 1 in every cell, exit 0).
    const auto none =
        run_gridwatch("hotspots " + community() + " --method gi --level 4 --from 2030-01-01 --json");
    EXPECT_EQ(none.status, 1);
    EXPECT_EQ(none.error_lines(), 1) << none.err;
    EXPECT_NE(none.err.find("every unit holds the same count, 0"), std::string::npos) << none.err;
    EXPECT_EQ(run_gridwatch("hotspots " + community() + " --method voodoo").status, 2);
}

TEST(CliHotspots, TypesAreTheContractsInAnyCaseOrChineseAndATypoIsAUsageError) {
    auto count = [](const std::string& types) {
        auto r = run_gridwatch("hotspots " + community() + " --method gi --type " + types + " --json");
        EXPECT_EQ(r.status, 0) << types << ": " << r.err;
        const json j = json::parse(r.out);
        int n = 0;
        for (auto& c : j["cells"]) n += c["count"].get<int>();
        return n;
    };
    const int fire = count("fire");
    EXPECT_GT(fire, 0);
    EXPECT_EQ(count("FIRE"), fire);
    EXPECT_EQ(count("火灾"), fire);  // SPEC §3's Chinese, as the data may write it
    EXPECT_EQ(count("火灾,traffic"), fire + count("traffic"));
    EXPECT_EQ(count("\"fire, traffic\""), fire + count("traffic"));
    // A typo found no incident and answered "all clear".
    auto typo = run_gridwatch("hotspots " + community() + " --method warning --type fier --json");
    EXPECT_EQ(typo.status, 2) << typo.out;
    EXPECT_NE(typo.err.find("'fier' is no incident type"), std::string::npos) << typo.err;
}

TEST(CliHotspots, AnOptionOfAnotherMethodIsAUsageErrorNotIgnored) {
    TempDir d("other_method");
    d.write("p.json", "{}");
    for (const std::string args :
         {"--method kde --band 200", "--method kde --level 3", "--method warning --hex 100",
          "--method dbscan --permutations 99", "--method gi --eps 30", "--method warning --bandwidth 50",
          "--method kde --project @p.json", "--method gi --hex 100 --band 200",
          "--method gi --hex 100 --level 2", "--method kde --out k.gpkg", "--method kde --out k.png"}) {
        std::string line = args;
        if (const size_t at = line.find('@'); at != std::string::npos)
            line.replace(at, 1, d.path.string() + "/");
        auto r = run_gridwatch("hotspots " + community() + " " + line + " --json");
        EXPECT_EQ(r.status, 2) << args << ": " << r.out;
        EXPECT_TRUE(r.out.empty()) << args;
        EXPECT_TRUE(r.err.find("is for --method") != std::string::npos ||
                    r.err.find("does not go with --hex") != std::string::npos ||
                    r.err.find("the density raster is a GeoTIFF") != std::string::npos)
            << args << ": " << r.err;
    }
    // With their own method they run.
    EXPECT_EQ(run_gridwatch("hotspots " + community() + " --method gi --band 200 --json").status, 0);
    EXPECT_EQ(run_gridwatch("hotspots " + community() + " --method warning --level 3 --json").status, 0);
}

TEST(CliPlan, TenCamerasWithGainsAndABound) {
    auto r = run_gridwatch("plan " + community() + " --add 10 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    json j = json::parse(r.out);
    ASSERT_EQ(j["picks"].size(), 10u);
    double sum = j["covered_before"].get<double>();
    for (auto& p : j["picks"]) {
        for (const char* k : {"x", "y", "azimuth", "gain"}) EXPECT_TRUE(p.contains(k));
        EXPECT_GT(p["gain"].get<double>(), 0);
        sum += p["gain"].get<double>();
    }
    EXPECT_NEAR(sum, j["covered_after"].get<double>(), 1e-6);
    EXPECT_GE(j["upper_bound"].get<double>(), j["covered_after"].get<double>() - 1e-9);
    EXPECT_EQ(run_gridwatch("plan " + community()).status, 2);  // --add is required
}

TEST(CliHotspots, PerHouseholdRatesAreIncidentsOverHouseholds) {
    auto gi = run_gridwatch("hotspots " + community() + " --method gi --level 3 --per households --json");
    ASSERT_EQ(gi.status, 0) << gi.err;
    auto st = run_gridwatch("stats " + community() + " --level 3 --no-coverage --json");
    ASSERT_EQ(st.status, 0) << st.err;
    const json g = json::parse(gi.out), s = json::parse(st.out);
    EXPECT_EQ(g["per"], "households");
    ASSERT_EQ(g["cells"].size(), s["grids"].size());
    for (size_t i = 0; i < s["grids"].size(); ++i) {
        const auto& row = s["grids"][i];
        ASSERT_EQ(g["cells"][i]["id"], row["grid_id"]);
        ASSERT_GT(row["households"].get<int>(), 0);
        EXPECT_NEAR(g["cells"][i]["value"].get<double>(),
                    row["incidents"].get<double>() / row["households"].get<double>(), 1e-12);
    }
    EXPECT_EQ(run_gridwatch("hotspots " + community() + " --method gi --per people").status, 2);
}
