// The one atomic-output helper (geo/io/atomic_output.h): a file, a folder and a file set replace
// the old output whole; a commit cut short is finished by the next run; temporaries of a dead
// process are removed; an output onto an input is recognised.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "geo/core/error.h"
#include "geo/io/atomic_output.h"
#include "geo/io/dataset.h"
#include "tests/cli_run.h"

namespace fs = std::filesystem;

namespace {

int temporaries(const fs::path& dir) {
    int n = 0;
    for (const auto& e : fs::directory_iterator(dir))
        n += e.path().filename().string().rfind(".gw-", 0) == 0;
    return n;
}

/** Runs `body` in a child process that then exits at once (its pid is dead when this returns). */
template <class F>
void in_dead_child(F body) {
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
        try {
            body();
        } catch (...) {
        }
        _exit(0);
    }
    int status = 0;
    waitpid(pid, &status, 0);
}

}  // namespace

TEST(AtomicOutput, FileReplacedWholeAndNoTemporaryLeft) {
    gwtest::TempDir dir("atomic_file");
    const fs::path target = dir / "a.json";
    gw::write_file_atomically(target, "old");
    gw::write_file_atomically(target, "new text");
    EXPECT_EQ(gwtest::slurp(target), "new text");
    EXPECT_EQ(temporaries(dir.path), 0);
}

TEST(AtomicOutput, UncommittedOutputLeavesTheOldFile) {
    gwtest::TempDir dir("atomic_uncommitted");
    const fs::path target = dir / "a.tif";
    gw::write_file_atomically(target, "old");
    {
        gw::AtomicOutput out(target);
        std::ofstream(out.temp()) << "half";
    }
    EXPECT_EQ(gwtest::slurp(target), "old");
    EXPECT_EQ(temporaries(dir.path), 0);
}

TEST(AtomicOutput, FolderSwappedKeepingOtherFilesAndDroppingReplacedSets) {
    gwtest::TempDir dir("atomic_folder");
    const fs::path target = dir.path / "out";
    fs::create_directory(target);
    std::ofstream(target / "notes.txt") << "mine";
    std::ofstream(target / "grids.shp") << "old shp";
    std::ofstream(target / "grids.qix") << "stale index";
    fs::create_directory(target / "sub");
    std::ofstream(target / "sub" / "x.txt") << "deep";
    struct stat before {};
    ASSERT_EQ(stat((target / "notes.txt").c_str(), &before), 0);
    {
        gw::AtomicOutput out(target, gw::AtomicOutput::Kind::Folder);
        out.keep_old_if([](const std::string& n) { return n.rfind("grids.", 0) != 0; });
        std::ofstream(out.temp() / "grids.shp") << "new shp";
        out.commit();
    }
    EXPECT_EQ(gwtest::slurp(target / "grids.shp"), "new shp");
    EXPECT_FALSE(fs::exists(target / "grids.qix"));
    EXPECT_EQ(gwtest::slurp(target / "notes.txt"), "mine");
    EXPECT_EQ(gwtest::slurp(target / "sub" / "x.txt"), "deep");
    struct stat after {};
    ASSERT_EQ(stat((target / "notes.txt").c_str(), &after), 0);
    EXPECT_EQ(before.st_ino, after.st_ino) << "the user's file is linked, not copied";
    EXPECT_EQ(temporaries(dir.path), 0);
}

TEST(AtomicOutput, FolderReplacingTheEarlierOutputDropsTheFilesItsRecordLists) {
    gwtest::TempDir dir("atomic_record");
    const fs::path target = dir.path / "out";
    auto write = [&](const std::vector<std::string>& names, bool replace) {
        gw::AtomicOutput out(target, gw::AtomicOutput::Kind::Folder);
        if (replace) out.replaces_earlier_output();
        for (const auto& n : names) std::ofstream(out.temp() / n) << "new " << n;
        out.commit();
    };
    auto files = [&] {
        std::vector<std::string> v;
        for (const auto& e : fs::directory_iterator(target)) v.push_back(e.path().filename().string());
        std::sort(v.begin(), v.end());
        return v;
    };
    const std::string record = gw::kOutputRecord;
    write({"a.shp", "a.dbf", "b.shp"}, true);
    std::ofstream(target / "notes.txt") << "mine";
    write({"c.shp"}, true);
    EXPECT_EQ(files(), (std::vector<std::string>{record, "c.shp", "notes.txt"}));
    EXPECT_EQ(gwtest::slurp(target / record), "gridwatch output files 1\nc.shp\n");
    // An output that adds to the folder (a camera save) keeps the record as it is: what it wrote
    // there is not the earlier output's, and stays with the user's files.
    write({"d.shp"}, false);
    EXPECT_EQ(files(), (std::vector<std::string>{record, "c.shp", "d.shp", "notes.txt"}));
    write({"e.shp"}, true);
    EXPECT_EQ(files(), (std::vector<std::string>{record, "d.shp", "e.shp", "notes.txt"}));
    EXPECT_EQ(gwtest::slurp(target / "notes.txt"), "mine");
    EXPECT_EQ(temporaries(dir.path), 0);
}

TEST(AtomicOutput, FileSetReplacesEveryMemberAndRemovesStaleOnes) {
    gwtest::TempDir dir("atomic_set");
    const fs::path target = dir.path / "cov.shp";
    for (const char* ext : {".shp", ".shx", ".dbf", ".qix"}) std::ofstream(dir.path / (std::string("cov") + ext)) << "old";
    std::ofstream(dir.path / "other.txt") << "mine";
    gw::AtomicOutput out(target);
    out.replaces(gw::shapefile_set("cov"));
    for (const char* ext : {".shp", ".shx", ".dbf"}) std::ofstream(out.temp_of(std::string("cov") + ext)) << "new";
    out.commit();
    for (const char* ext : {".shp", ".shx", ".dbf"})
        EXPECT_EQ(gwtest::slurp(dir.path / (std::string("cov") + ext)), "new") << ext;
    EXPECT_FALSE(fs::exists(dir.path / "cov.qix"));
    EXPECT_EQ(gwtest::slurp(dir.path / "other.txt"), "mine");
    EXPECT_EQ(temporaries(dir.path), 0);
}

TEST(AtomicOutput, CommitCutShortIsFinishedByTheNextRun) {
    gwtest::TempDir dir("atomic_journal");
    const fs::path target = dir.path / "cov.shp";
    for (const char* ext : {".shp", ".dbf"}) std::ofstream(dir.path / (std::string("cov") + ext)) << "old";
    // A folder where the new .dbf is to go makes the commit stop after its journal, as a kill
    // there would; the process then exits.
    fs::remove(dir.path / "cov.dbf");
    fs::create_directories(dir.path / "cov.dbf" / "x");
    in_dead_child([&] {
        gw::AtomicOutput out(target);
        for (const char* ext : {".shp", ".dbf"}) std::ofstream(out.temp_of(std::string("cov") + ext)) << "new";
        out.commit();
    });
    EXPECT_FALSE(fs::exists(target)) << "mid-commit the set has no .shp: unreadable, never mixed";
    fs::remove_all(dir.path / "cov.dbf");
    EXPECT_TRUE(gw::recover_output(target));
    EXPECT_EQ(gwtest::slurp(target), "new");
    EXPECT_EQ(gwtest::slurp(dir.path / "cov.dbf"), "new");
    EXPECT_EQ(temporaries(dir.path), 0);
}

namespace {

/** Leaves a set (the primary first) whose commit a kill cut short: the primary gone. */
void commit_cut_short(const fs::path& dir, const std::vector<std::pair<std::string, std::string>>& name_text) {
    const std::string blocked = name_text.back().first;
    fs::create_directories(dir / blocked / "x");  // the last secondary's rename fails, as a kill there
    in_dead_child([&] {
        gw::AtomicOutput out(dir / name_text.front().first);
        for (const auto& [name, text] : name_text) std::ofstream(out.temp_of(name)) << text;
        out.commit();
    });
    fs::remove_all(dir / blocked);
}

}  // namespace

TEST(AtomicOutput, ReadingASetWhoseCommitWasCutShortFinishesItFirst) {
    gwtest::TempDir dir("atomic_read_journal");
    const std::string grids = R"({"type":"FeatureCollection","features":[
{"type":"Feature","properties":{"grid_id":"A","level":1,"parent_id":""},"geometry":{"type":"Polygon","coordinates":[[[98.60,24.50],[98.61,24.50],[98.61,24.51],[98.60,24.51],[98.60,24.50]]]}}]})";
    std::ofstream(dir.path / "grids.geojson") << "old, unreadable";
    commit_cut_short(dir.path, {{"grids.geojson", grids}, {"grids.geojson.aux.xml", "<PAMDataset/>"}});
    ASSERT_FALSE(fs::exists(dir.path / "grids.geojson")) << "the commit was to stop before the primary";

    // The reader finishes the switch, then reads the whole new set.
    const gw::Dataset ds = gw::open_dataset({(dir.path / "grids.geojson").string()});
    ASSERT_EQ(ds.grids.size(), 1u);
    EXPECT_EQ(ds.grids[0].grid_id, "A");
    EXPECT_EQ(temporaries(dir.path), 0);
}

TEST(AtomicOutput, ReadingAFolderFinishesTheCutShortCommitsInIt) {
    gwtest::TempDir dir("atomic_read_folder");
    commit_cut_short(dir.path, {{"a.shp", "new"}, {"a.dbf", "new"}});
    commit_cut_short(dir.path, {{"b.png", "new"}, {"b.wld", "new"}});
    EXPECT_TRUE(gw::finish_interrupted_outputs(dir.path));
    EXPECT_EQ(gwtest::slurp(dir.path / "a.shp"), "new");
    EXPECT_EQ(gwtest::slurp(dir.path / "b.png"), "new");
    EXPECT_EQ(temporaries(dir.path), 0);
    EXPECT_FALSE(gw::finish_interrupted_outputs(dir.path)) << "nothing left to finish";
}

TEST(AtomicOutput, ReadingOneFileLeavesOtherSetsCutShortAlone) {
    gwtest::TempDir dir("atomic_read_other");
    commit_cut_short(dir.path, {{"a.shp", "new"}, {"a.dbf", "new"}});
    std::ofstream(dir.path / "c.geojson") << "{}";
    EXPECT_FALSE(gw::finish_interrupted_outputs(dir.path / "c.geojson"));
    EXPECT_FALSE(fs::exists(dir.path / "a.shp"));
    EXPECT_TRUE(gw::finish_interrupted_outputs(dir.path / "a.dbf")) << "a member names its set";
    EXPECT_EQ(gwtest::slurp(dir.path / "a.shp"), "new");
}

TEST(AtomicOutput, TemporariesOfADeadProcessAreRemovedByTheNextRun) {
    gwtest::TempDir dir("atomic_stale");
    const fs::path target = dir.path / "k.tif";
    in_dead_child([&] {
        static gw::AtomicOutput* leaked = new gw::AtomicOutput(target);  // never destroyed: as a kill
        std::ofstream(leaked->temp()) << "half";
        gw::AtomicOutput folder(dir.path / "f", gw::AtomicOutput::Kind::Folder);
        std::ofstream(folder.temp() / "x") << "half";
        _exit(0);
    });
    EXPECT_EQ(temporaries(dir.path), 2);
    gw::write_file_atomically(target, "whole");
    EXPECT_EQ(temporaries(dir.path), 0);
    EXPECT_EQ(gwtest::slurp(target), "whole");
}

TEST(AtomicOutput, TemporariesOfALiveProcessAreLeftAlone) {
    gwtest::TempDir dir("atomic_live");
    gw::AtomicOutput mine(dir.path / "a.tif");
    std::ofstream(mine.temp()) << "writing";
    gw::write_file_atomically(dir.path / "b.tif", "other");
    EXPECT_TRUE(fs::exists(mine.temp()));
}

TEST(AtomicOutput, OutputOntoAnInputIsRecognised) {
    gwtest::TempDir dir("atomic_onto");
    const fs::path data = dir.path / "data";
    fs::create_directory(data);
    for (const char* f : {"grids.shp", "grids.dbf", "grids.shx"}) std::ofstream(data / f) << "x";
    std::ofstream(dir.path / "c.gpkg") << "x";
    using gw::output_would_overwrite;
    EXPECT_TRUE(output_would_overwrite(dir.path / "c.gpkg", dir.path / "c.gpkg"));
    EXPECT_TRUE(output_would_overwrite(dir.path / "." / "c.gpkg", dir.path / "c.gpkg"));
    EXPECT_TRUE(output_would_overwrite(data / "grids.shp", data));          // a file of the dataset folder
    EXPECT_TRUE(output_would_overwrite(data / "grids.shp", data / "grids.dbf"));  // a sibling of its set
    EXPECT_TRUE(output_would_overwrite(data, data));                        // export into the folder itself
    EXPECT_TRUE(output_would_overwrite(dir.path, data));                    // a folder holding the dataset
    EXPECT_TRUE(output_would_overwrite(dir.path, dir.path / "c.gpkg"));
    fs::create_symlink(dir.path / "c.gpkg", dir.path / "link.gpkg");
    EXPECT_TRUE(output_would_overwrite(dir.path / "link.gpkg", dir.path / "c.gpkg"));
    // A new file in the dataset folder is a new layer of the dataset, read with it next time.
    EXPECT_TRUE(output_would_overwrite(data / "new.shp", data));
    EXPECT_TRUE(output_would_overwrite(data / "map.png", data));
    EXPECT_FALSE(output_would_overwrite(dir.path / "d.gpkg", dir.path / "c.gpkg"));
    EXPECT_FALSE(output_would_overwrite(dir.path / "out", data));
    EXPECT_FALSE(output_would_overwrite(dir.path / "c.gpkg", "PG:dbname=x"));
}
