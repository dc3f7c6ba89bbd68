// What a user meets when the store cannot be made or used (issue 16 §7): exit 1 with one line
// saying which and what to do, and the database left as it was.
#include <gtest/gtest.h>

#include <gdal_priv.h>
#include <ogrsf_frmts.h>

#include <filesystem>
#include <fstream>

#include "../cli_run.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;

namespace {
using gwtest::data;
using gwtest::pg;
using gwtest::as_user;
bool has(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

/** A copy of the bundled community at `path` with `sql` (GDAL's SQLite dialect) run on it. */
void changed_copy(const std::string& path, const std::string& sql) {
    std::filesystem::copy_file(data(), path, std::filesystem::copy_options::overwrite_existing);
    GDALAllRegister();
    GDALDatasetUniquePtr ds(GDALDataset::Open(path.c_str(), GDAL_OF_VECTOR | GDAL_OF_UPDATE));
    ASSERT_TRUE(ds);
    CPLErrorReset();
    ds->ReleaseResultSet(ds->ExecuteSQL(sql.c_str(), nullptr, "SQLITE"));
    ASSERT_EQ(CPLGetLastErrorType(), CE_None) << CPLGetLastErrorMsg();
}

/**
 * `db init` of `file` into a new database `name` that has PostGIS: it must fail with one line, and
 * leave no table behind. Returns its stderr.
 */
std::string failed_init(const std::string& name, const std::string& file) {
    const std::string c = gwtest::pg_new_database(name);
    PgClient admin(c);
    EXPECT_EQ(admin.exec("CREATE EXTENSION postgis"), "");
    const auto r = run_gridwatch("db init " + pg(c) + " --from " + file);
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"), "0");
    return r.err;
}
}  // namespace

TEST(DbErrors, WrongConnectionString) {
    GW_REQUIRE_PG();
    auto r = run_gridwatch("db init 'PG:host=/nonexistent/gw dbname=x user=postgres' --from " + data());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "cannot connect") && has(r.err, "check host, port, dbname")) << r.err;
    r = run_gridwatch("db init 'PG:hots=x' --from " + data());
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(has(r.err, "not a PostgreSQL connection string")) << r.err;
    // A password is never printed back.
    r = run_gridwatch("db roles 'PG:host=/nonexistent/gw password=s3cret' --county c");
    EXPECT_EQ(r.status, 1);
    EXPECT_FALSE(has(r.err, "s3cret")) << r.err;
    r = run_gridwatch("db init some.gpkg");
    EXPECT_EQ(r.status, 2) << r.err;
}

TEST(DbErrors, NoPostgisAndNoRightToCreateIt) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_no_postgis");
    PgClient admin(c);
    admin.exec("DROP ROLE IF EXISTS plain_owner");
    ASSERT_EQ(admin.exec("CREATE ROLE plain_owner LOGIN"), "");
    ASSERT_EQ(admin.exec("ALTER DATABASE gw_no_postgis OWNER TO plain_owner"), "");
    ASSERT_EQ(admin.exec("GRANT CREATE ON SCHEMA public TO plain_owner"), "");
    const auto r = run_gridwatch("db init " + pg(as_user(c, "plain_owner")) + " --from " + data());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "has no PostGIS") && has(r.err, "CREATE EXTENSION postgis")) << r.err;
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"), "0");
}

TEST(DbErrors, RoleWithoutRights) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_no_rights");
    PgClient admin(c);
    ASSERT_EQ(admin.exec("CREATE EXTENSION postgis"), "");
    admin.exec("DROP ROLE IF EXISTS plain_user");
    ASSERT_EQ(admin.exec("CREATE ROLE plain_user LOGIN"), "");
    // PostgreSQL 15 gives PUBLIC no CREATE on schema public: the tables cannot be made.
    auto r = run_gridwatch("db init " + pg(as_user(c, "plain_user")) + " --from " + data());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "permission denied")) << r.err;
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"), "0");
    // Logins are made by the store's owner; another user is told so.
    ASSERT_EQ(run_gridwatch("db init " + pg(c) + " --from " + data()).status, 0);
    r = run_gridwatch("db roles " + pg(as_user(c, "plain_user")) + " --county c2");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_TRUE(has(r.err, "permission denied") && has(r.err, "connect as a role that has this right")) << r.err;
}

TEST(DbErrors, FailedInitLeavesTheDatabaseAsBefore) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_init_fails");
    PgClient admin(c);
    // A function of the store's name already there: the load gets as far as the triggers, then fails.
    ASSERT_EQ(admin.exec("CREATE FUNCTION gridwatch_mask_name(t text) RETURNS text LANGUAGE sql AS $$ SELECT t $$"), "");
    const auto r = run_gridwatch("db init " + pg(c) + " --from " + data());
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"), "0");
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM pg_extension WHERE extname = 'postgis'"), "0")
        << "the extension made for the load goes with it";
    // Tables of an earlier store: refused before anything is made.
    ASSERT_EQ(admin.exec("DROP FUNCTION gridwatch_mask_name(text)"), "");
    ASSERT_EQ(run_gridwatch("db init " + pg(c)).status, 0);
    const auto again = run_gridwatch("db init " + pg(c) + " --from " + data());
    EXPECT_EQ(again.status, 1);
    EXPECT_TRUE(has(again.err, "already has a table")) << again.err;
    EXPECT_EQ(admin.scalar("SELECT count(*) FROM cameras"), "0");
}

// The shared store's parallel paths (geo/store/, found in the sources as tests/test_parallel.cpp
// finds the others): a fault injected on a worker (GRIDWATCH_FAULT_IN_WORKER=FILE:LINE) ends db init
// with exit 1 and one line naming it, and the database is left as it was.
TEST(DbErrors, WorkerFaultLeavesTheDatabaseAsBefore) {
    GW_REQUIRE_PG();
    namespace fs = std::filesystem;
    std::vector<std::string> sites;
    for (const auto& e : fs::directory_iterator(fs::path(GRIDWATCH_SOURCE_DIR) / "geo" / "store")) {
        std::ifstream in(e.path());
        std::string line;
        for (int n = 1; std::getline(in, line); ++n)
            if (line.find("parallel_for(") != std::string::npos || line.find("parallel_ranges(") != std::string::npos)
                sites.push_back(e.path().filename().string() + ":" + std::to_string(n));
    }
    ASSERT_FALSE(sites.empty());
    const std::string c = gwtest::pg_new_database("gw_worker_fault");
    PgClient admin(c);
    ASSERT_EQ(admin.exec("CREATE EXTENSION postgis"), "");
    for (const auto& site : sites) {
        const auto r = run_gridwatch("db init " + pg(c) + " --from " + data(), "GRIDWATCH_FAULT_IN_WORKER=" + site);
        EXPECT_EQ(r.status, 1) << site << "\n" << r.err;
        EXPECT_EQ(r.error_lines(), 1) << site << "\n" << r.err;
        EXPECT_TRUE(has(r.err, "injected on a worker in " + site + " ")) << site << "\n" << r.err;
        EXPECT_EQ(admin.scalar("SELECT count(*) FROM pg_tables WHERE schemaname = 'public' AND tablename <> 'spatial_ref_sys'"), "0")
            << site;
    }
}

// db init reads the month of reports while it loads the other layers (app/cli/cmd_db.cpp): a report
// that stops the reading then stops the load, and nothing is left of it.
TEST(DbErrors, ReportsThatCannotBeReadLeaveTheDatabaseAsBefore) {
    GW_REQUIRE_PG();
    gwtest::TempDir dir("db_bad_report");
    changed_copy(dir / "bad.gpkg", "UPDATE checks SET geom = (SELECT geom FROM roads LIMIT 1) WHERE fid = 5");
    const std::string err = failed_init("gw_bad_report", dir / "bad.gpkg");
    EXPECT_TRUE(has(err, "layer 'checks'") && has(err, "expected Point")) << err;
}

// check_id is unique in the store (SPEC §3): a file that repeats one is refused, the value named.
TEST(DbErrors, RepeatedCheckIdIsNamedAndNothingIsLeft) {
    GW_REQUIRE_PG();
    gwtest::TempDir dir("db_dup_report");
    changed_copy(dir / "dup.gpkg", "UPDATE checks SET check_id = (SELECT check_id FROM checks WHERE fid = 1) WHERE fid = 2");
    GDALDatasetUniquePtr ds(GDALDataset::Open((dir / "dup.gpkg").c_str(), GDAL_OF_VECTOR));
    ASSERT_TRUE(ds);
    std::unique_ptr<OGRFeature> first(ds->GetLayerByName("checks")->GetFeature(1));
    ASSERT_TRUE(first);
    const std::string id = first->GetFieldAsString("check_id");
    const std::string err = failed_init("gw_dup_report", dir / "dup.gpkg");
    EXPECT_TRUE(has(err, "(check_id)=(" + id + ") is duplicated") && has(err, "correct the rows")) << err;
}
