// gridwatch db roles (SPEC §9): what each login sees and may change, checked by connecting as it
// with plain libpq (row-level security is the database's, not gridwatch's).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <algorithm>

#include "../cli_run.h"
#include "geo/io/dataset.h"
#include "geo/io/writer.h"
#include "pg_cluster.h"

using gwtest::PgClient;
using gwtest::run_gridwatch;

namespace {
using gwtest::pg;
using gwtest::as_user;


/** A store of two communities (demo --scale 2) with a login of each kind, made once. */
struct TwoCommunities {
    std::string conninfo, a, b;  // the owner's conninfo; the two L1 grid_ids
};

const TwoCommunities& store() {
    static const TwoCommunities s = [] {
        TwoCommunities t;
        gwtest::TempDir tmp("pg_roles");
        EXPECT_EQ(run_gridwatch("demo --scale 2 --out " + tmp / "two.gpkg").status, 0);
        t.conninfo = gwtest::pg_new_database("gw_roles");
        const auto r = run_gridwatch("db init " + pg(t.conninfo) + " --from " + tmp / "two.gpkg");
        EXPECT_EQ(r.status, 0) << r.err;
        PgClient db(t.conninfo);
        const auto ids = db.query("SELECT grid_id FROM grids WHERE level = 1 ORDER BY grid_id");
        EXPECT_EQ(ids.size(), 2u);
        if (ids.size() == 2) t.a = ids[0][0], t.b = ids[1][0];
        for (const std::string& args : {"--community " + t.a + " --login office_a", "--community " + t.b + " --login office_b",
                                       std::string("--county county"), std::string("--wall wall")}) {
            const auto rr = run_gridwatch("db roles " + pg(t.conninfo) + " " + args + " --json");
            EXPECT_EQ(rr.status, 0) << args << ": " << rr.err;
        }
        return t;
    }();
    return s;
}

}  // namespace

TEST(DbRoles, CommunityLoginSeesAndChangesOnlyItsRows) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient owner(s.conninfo), a(as_user(s.conninfo, "office_a"));
    for (const char* t : {"grids", "households", "cameras", "checks", "incidents", "roads"}) {
        const std::string mine = owner.scalar(std::string("SELECT count(*) FROM ") + t + " WHERE community = '" + s.a + "'");
        EXPECT_NE(mine, "0") << t;
        EXPECT_EQ(a.scalar(std::string("SELECT count(*) FROM ") + t), mine) << t;
        EXPECT_EQ(a.scalar(std::string("SELECT count(*) FROM ") + t + " WHERE community IS DISTINCT FROM '" + s.a + "'"), "0") << t;
    }
    // Another community's camera: invisible, so an update touches nothing.
    const std::string theirs = owner.scalar("SELECT cam_id FROM cameras WHERE community = '" + s.b + "' LIMIT 1");
    EXPECT_EQ(a.query("UPDATE cameras SET azimuth = 1 WHERE cam_id = '" + theirs + "' RETURNING cam_id").size(), 0u);
    EXPECT_EQ(owner.scalar("SELECT version FROM cameras WHERE cam_id = '" + theirs + "'"), "1");
    // Its own: changed, version 2.
    const std::string own = owner.scalar("SELECT cam_id FROM cameras WHERE community = '" + s.a + "' LIMIT 1");
    EXPECT_EQ(a.scalar("UPDATE cameras SET azimuth = 1 WHERE cam_id = '" + own + "' RETURNING version"), "2");
    // A report placed in the other community is refused by the policy; one in its own is taken.
    std::string err;
    // (The point is taken by the owner: B's cells are not there for office_a to select from.)
    const std::string in_b = owner.scalar("SELECT ST_AsEWKT(ST_PointOnSurface(geom)) FROM grids WHERE grid_id = '" + s.b + "'");
    a.query("INSERT INTO checks (check_id, kind, geom) VALUES ('X-B', 'routine', '" + in_b + "')", &err);
    EXPECT_NE(err.find("row-level security"), std::string::npos) << err;
    EXPECT_EQ(a.exec("INSERT INTO checks (check_id, kind, geom) SELECT 'X-A', 'routine', ST_PointOnSurface(geom) FROM "
                     "grids WHERE grid_id = '" + s.a + "'"),
              "");
    EXPECT_EQ(owner.scalar("SELECT community FROM checks WHERE check_id = 'X-A'"), s.a);
    // Moving its row into the other community is refused as well.
    a.query("UPDATE cameras SET community = '" + s.b + "' WHERE cam_id = '" + own + "'", &err);
    EXPECT_NE(err.find("row-level security"), std::string::npos) << err;
}

TEST(DbRoles, CountySeesEverything) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient owner(s.conninfo), county(as_user(s.conninfo, "county"));
    for (const char* t : {"grids", "households", "cameras", "checks", "patrols"})
        EXPECT_EQ(county.scalar(std::string("SELECT count(*) FROM ") + t),
                  owner.scalar(std::string("SELECT count(*) FROM ") + t))
            << t;
    EXPECT_EQ(county.exec("UPDATE cameras SET status = 'offline' WHERE community = '" + s.b + "'"), "");
}

TEST(DbRoles, WallReadsHouseholdsOnlyMasked) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient owner(s.conninfo), wall(as_user(s.conninfo, "wall"));
    std::string err;
    wall.query("SELECT count(*) FROM households", &err);
    EXPECT_NE(err.find("permission denied"), std::string::npos) << err;
    EXPECT_EQ(wall.scalar("SELECT count(*) FROM cameras"), owner.scalar("SELECT count(*) FROM cameras"));
    EXPECT_NE(wall.exec("UPDATE cameras SET status = 'offline'").find("permission denied"), std::string::npos);
    // Every household, masked as gridwatch masks on the wall (mask_name, mask_phone).
    const auto plain = owner.query("SELECT fid, head, phone FROM households ORDER BY fid");
    const auto masked = wall.query("SELECT fid, head, phone FROM households_public ORDER BY fid");
    ASSERT_EQ(masked.size(), plain.size());
    ASSERT_FALSE(plain.empty());
    for (size_t i = 0; i < plain.size(); ++i) {
        EXPECT_EQ(masked[i][1], gw::mask_name(plain[i][1])) << plain[i][1];
        EXPECT_EQ(masked[i][2], gw::mask_phone(plain[i][2])) << plain[i][2];
    }
    // The SQL masks and gridwatch's agree on every length.
    for (const std::string v : {"",
                                "张",
                                "张三",
                                "张三丰",
                                "欧阳娜娜",
                                "A",
                                "Li",
                                "0875",
                                "12345",
                                "0875-6123456",
                                "13812341234",
                                "+8613812341234",
                                "张三、李四",
                                "张三丰,李四",
                                "欧阳娜娜 / 王五",
                                "John Smith",
                                "张三\u3000李四",
                                "、张三、",
                                "张，",
                                " ",
                                "a\tb"}) {
        EXPECT_EQ(owner.scalar("SELECT gridwatch_mask_name('" + v + "')"), gw::mask_name(v)) << v;
        EXPECT_EQ(owner.scalar("SELECT gridwatch_mask_phone('" + v + "')"), gw::mask_phone(v)) << v;
    }
}

// The wall login read the grid managers' names and phones and the reporters' names in clear
// (only households were masked); the wall itself shows them masked. grids and checks are read
// only through grids_public and checks_public, every column of the table, those masked; the
// commands read them in the tables' place. A store made before the views gets them from db roles.
TEST(DbRoles, WallReadsManagersAndReportersOnlyMasked) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient owner(s.conninfo), wall(as_user(s.conninfo, "wall"));
    for (const char* sql : {"SELECT manager FROM grids", "SELECT reporter FROM checks"}) {
        std::string err;
        wall.query(sql, &err);
        EXPECT_NE(err.find("permission denied"), std::string::npos) << sql << ": " << err;
    }
    const auto grids = owner.query("SELECT manager, phone, grid_id, level FROM grids ORDER BY fid");
    const auto public_grids =
        wall.query("SELECT manager, phone, grid_id, level FROM grids_public ORDER BY fid");
    ASSERT_EQ(public_grids.size(), grids.size());
    for (size_t i = 0; i < grids.size(); ++i) {
        EXPECT_EQ(public_grids[i][0], gw::mask_name(grids[i][0]));
        EXPECT_EQ(public_grids[i][1], gw::mask_phone(grids[i][1]));
        EXPECT_EQ(public_grids[i][2], grids[i][2]);
        EXPECT_EQ(public_grids[i][3], grids[i][3]);
    }
    EXPECT_EQ(wall.scalar("SELECT count(*) FROM checks_public WHERE reporter IS DISTINCT FROM "
                          "gridwatch_mask_name(reporter)"),
              "0");
    EXPECT_EQ(wall.scalar("SELECT count(*) FROM checks_public"), owner.scalar("SELECT count(*) FROM checks"));
    const gw::Dataset ds = gw::open_dataset({"PG:" + as_user(s.conninfo, "wall")});
    ASSERT_EQ(ds.grids.size(), grids.size());
    for (size_t i = 0; i < grids.size(); ++i) EXPECT_EQ(ds.grids[i].manager, gw::mask_name(grids[i][0]));
    for (const char* cmd : {"checks", "stats --with-checks", "coverage --no-gaps"})
        EXPECT_EQ(run_gridwatch(std::string(cmd) + " " + pg(as_user(s.conninfo, "wall")) + " --json").status,
                  0)
            << cmd;
    // A store of before: no views, a wall login reading grids and checks as it then could. The
    // owner's next db roles, for another login, makes the views and moves the wall onto them.
    const std::string c = gwtest::pg_new_database("gw_roles_old_views");
    ASSERT_EQ(run_gridwatch("db init " + pg(c) + " --from " + gwtest::data()).status, 0);
    ASSERT_EQ(run_gridwatch("db roles " + pg(c) + " --wall old_wall").status, 0);
    PgClient old(c);
    ASSERT_EQ(
        old.exec(
            "DROP VIEW grids_public; DROP VIEW checks_public; GRANT SELECT ON grids, checks TO old_wall"),
        "");
    PgClient old_wall(as_user(c, "old_wall"));
    ASSERT_EQ(old_wall.scalar("SELECT count(*) FROM grids WHERE manager <> ''"),
              old.scalar("SELECT count(*) FROM grids WHERE manager <> ''"));
    ASSERT_EQ(run_gridwatch("db roles " + pg(c) + " --county old_county").status, 0);
    EXPECT_EQ(old_wall.scalar("SELECT count(*) FROM grids_public"), old.scalar("SELECT count(*) FROM grids"));
    for (const char* sql : {"SELECT manager FROM grids", "SELECT reporter FROM checks"}) {
        std::string err;
        old_wall.query(sql, &err);
        EXPECT_NE(err.find("permission denied"), std::string::npos) << sql << ": " << err;
    }
}

// `db roles --wall postgres` made the superuser a "wall" login, though it sees every row unmasked
// whatever it is granted; so would a role with BYPASSRLS as a community's login.
TEST(DbRoles, ASuperuserOrARoleBypassingSecurityIsNoWallNorCommunity) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient owner(s.conninfo);
    const std::string su = owner.scalar("SELECT current_user");
    ASSERT_EQ(owner.scalar("SELECT rolsuper FROM pg_roles WHERE rolname = current_user"), "t");
    auto r = run_gridwatch("db roles " + pg(s.conninfo) + " --wall " + su);
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(r.error_lines(), 1) << r.err;
    EXPECT_NE(r.err.find("is a superuser or bypasses row-level security"), std::string::npos) << r.err;
    owner.exec("DROP ROLE IF EXISTS bypass_office");
    ASSERT_EQ(owner.exec("CREATE ROLE bypass_office LOGIN BYPASSRLS"), "");
    r = run_gridwatch("db roles " + pg(s.conninfo) + " --community " + s.a + " --login bypass_office");
    EXPECT_EQ(r.status, 1) << r.out;
    EXPECT_EQ(
        owner.scalar("SELECT count(*) FROM gridwatch_logins WHERE login IN ('bypass_office', '" + su + "')"),
        "0");
}

TEST(DbRoles, ExistingLoginIsUpdatedNotDuplicated) {
    GW_REQUIRE_PG();
    const auto& s = store();
    gwtest::PgClient owner(s.conninfo);
    owner.exec("DROP ROLE IF EXISTS office_move");
    auto r = run_gridwatch("db roles " + pg(s.conninfo) + " --community " + s.a + " --login office_move --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::parse(r.out)["created"].get<bool>());
    r = run_gridwatch("db roles " + pg(s.conninfo) + " --community " + s.b + " --login office_move --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(nlohmann::json::parse(r.out)["created"].get<bool>());
    EXPECT_EQ(owner.scalar("SELECT count(*) FROM pg_roles WHERE rolname = 'office_move'"), "1");
    EXPECT_EQ(owner.scalar("SELECT count(*) FROM gridwatch_logins WHERE login = 'office_move'"), "1");
    PgClient moved(as_user(s.conninfo, "office_move"));
    EXPECT_EQ(moved.scalar("SELECT count(*) FROM cameras WHERE community = '" + s.a + "'"), "0");
    EXPECT_EQ(moved.scalar("SELECT count(*) FROM cameras"),
              owner.scalar("SELECT count(*) FROM cameras WHERE community = '" + s.b + "'"));
    // Made a wall: its write rights go.
    ASSERT_EQ(run_gridwatch("db roles " + pg(s.conninfo) + " --wall office_move").status, 0);
    EXPECT_NE(moved.exec("DELETE FROM checks").find("permission denied"), std::string::npos);
}

// The wall's login opens the store as any dataset: its households are the masked view's (the
// table is not even listed to it), and every other layer is read whole.
TEST(DbRoles, WallLoginOpensTheStoreWithHouseholdsMasked) {
    GW_REQUIRE_PG();
    const auto& s = store();
    PgClient owner(s.conninfo);
    const gw::Dataset ds = gw::open_dataset({"PG:" + as_user(s.conninfo, "wall")});
    EXPECT_EQ(std::to_string(ds.households.size()), owner.scalar("SELECT count(*) FROM households"));
    EXPECT_EQ(std::to_string(ds.cameras.size()), owner.scalar("SELECT count(*) FROM cameras"));
    const auto plain = owner.query("SELECT head, phone FROM households ORDER BY fid");
    ASSERT_EQ(plain.size(), ds.households.size());
    for (size_t i = 0; i < plain.size(); ++i) {
        EXPECT_EQ(ds.households[i].head, gw::mask_name(plain[i][0]));
        EXPECT_EQ(ds.households[i].phone, gw::mask_phone(plain[i][1]));
    }
    const auto r = run_gridwatch("stats " + pg(as_user(s.conninfo, "wall")) + " --level 1 --json");
    EXPECT_EQ(r.status, 0) << r.err;
}

TEST(DbRoles, ALoginThatMayNotReadATableIsToldWhichAndWhatToDo) {
    GW_REQUIRE_PG();
    const std::string c = gwtest::pg_new_database("gw_roles_rights");
    ASSERT_EQ(run_gridwatch("db init " + pg(c) + " --from " + gwtest::data()).status, 0);
    ASSERT_EQ(run_gridwatch("db roles " + pg(c) + " --county norights_county").status, 0);
    PgClient owner(c);
    ASSERT_EQ(owner.exec("REVOKE SELECT ON checks FROM norights_county"), "");
    // A login `db roles` did not make: it may read the tables, but row-level security shows it no row.
    owner.exec("DROP ROLE IF EXISTS norights_stranger");
    ASSERT_EQ(owner.exec("CREATE ROLE norights_stranger LOGIN"), "");
    ASSERT_EQ(owner.exec("GRANT SELECT ON ALL TABLES IN SCHEMA public TO norights_stranger"), "");

    const std::string county = pg(as_user(c, "norights_county"));
    auto r = run_gridwatch("checks " + county + " --json");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("layer 'checks': this login may not read it: permission denied for table checks"), std::string::npos)
        << r.err;
    EXPECT_NE(r.err.find("grant it with gridwatch db roles"), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find("re-export the file"), std::string::npos) << "not a damaged file: " << r.err;
    // What does not need the table still runs.
    EXPECT_EQ(run_gridwatch("stats " + county + " --json").status, 0);

    r = run_gridwatch("stats " + pg(as_user(c, "norights_stranger")) + " --json");
    EXPECT_EQ(r.status, 1);
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << r.err;
    EXPECT_NE(r.err.find("row-level security shows login 'norights_stranger' none of them"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("db roles --community ID --login NAME"), std::string::npos) << r.err;
}

// A store made before names in a list were masked one by one (its gridwatch_mask_name took the
// list as one name and showed a character of the last): a wall reading it is warned, and the
// owner's next `db roles` brings the masks up to date.
TEST(DbRoles, AnOlderStoresMasksAreNamedToTheWallAndUpdatedByDbRoles) {
    GW_REQUIRE_PG();
    gwtest::TempDir tmp("pg_roles_old");
    ASSERT_EQ(run_gridwatch("demo --scale 1 --out " + tmp / "one.gpkg").status, 0);
    const std::string conninfo = gwtest::pg_new_database("gw_roles_old");
    auto r = run_gridwatch("db init " + pg(conninfo) + " --from " + tmp / "one.gpkg");
    ASSERT_EQ(r.status, 0) << r.err;
    r = run_gridwatch("db roles " + pg(conninfo) + " --wall wall_old --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_FALSE(nlohmann::json::parse(r.out)["masks_updated"].get<bool>());  // a new store's are
    PgClient owner(conninfo), wall(as_user(conninfo, "wall_old"));
    owner.exec("UPDATE households SET head = '张三、李四' WHERE fid = (SELECT min(fid) FROM households)");
    const std::string first =
        "SELECT head FROM households_public WHERE fid = (SELECT min(fid) FROM households_public)";
    EXPECT_EQ(wall.scalar(first), "张*、李*");
    // The functions as stores made before 2026-12-06 have them.
    auto make_old = [&] {
        owner.exec("DROP FUNCTION gridwatch_mask_one_name(text)");
        EXPECT_EQ(
            owner.exec(
                R"(CREATE OR REPLACE FUNCTION gridwatch_mask_name(t text) RETURNS text LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t IS NULL THEN NULL WHEN char_length(t) = 0 THEN '' WHEN char_length(t) = 1 THEN '*'
              WHEN char_length(t) = 2 THEN left(t, 1) || '*'
              ELSE left(t, 1) || repeat('*', char_length(t) - 2) || right(t, 1) END $$)"),
            "");
        EXPECT_EQ(wall.scalar(first), "张***四");
    };
    make_old();
    const std::string wall_src = pg(as_user(conninfo, "wall_old"));
    r = run_gridwatch("stats " + wall_src + " --level 1 --json");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_NE(r.err.find("张***四"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("gridwatch db roles"), std::string::npos) << r.err;
    // Any login's `db roles`, run by the owner, updates them once.
    r = run_gridwatch("db roles " + pg(conninfo) + " --county county_old --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::parse(r.out)["masks_updated"].get<bool>());
    EXPECT_EQ(wall.scalar(first), "张*、李*");
    r = run_gridwatch("stats " + wall_src + " --level 1 --json");
    EXPECT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.err.find("gridwatch db roles"), std::string::npos) << r.err;
    r = run_gridwatch("db roles " + pg(conninfo) + " --county county_old");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_EQ(r.out.find("masks brought up to date"), std::string::npos) << r.out;
    // A superuser who does not own the store updates them too, and the new function is given the
    // store's owner (left the superuser's, the owner could not replace it at the next update).
    make_old();
    owner.exec(
        "DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'gw_admin_old') THEN "
        "CREATE ROLE gw_admin_old SUPERUSER LOGIN; END IF; END $$");
    r = run_gridwatch("db roles " + pg(as_user(conninfo, "gw_admin_old")) + " --county county_old2 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::parse(r.out)["masks_updated"].get<bool>());
    const std::string owner_of = "SELECT pg_get_userbyid(proowner) FROM pg_proc WHERE proname = ";
    EXPECT_EQ(owner.scalar(owner_of + "'gridwatch_mask_one_name'"), "postgres");
    EXPECT_EQ(owner.scalar(owner_of + "'gridwatch_mask_name'"), "postgres");
    EXPECT_EQ(wall.scalar(first), "张*、李*");
    make_old();  // the owner may drop and replace it again
    r = run_gridwatch("db roles " + pg(conninfo) + " --county county_old3 --json");
    ASSERT_EQ(r.status, 0) << r.err;
    EXPECT_TRUE(nlohmann::json::parse(r.out)["masks_updated"].get<bool>());
    EXPECT_EQ(wall.scalar(first), "张*、李*");
}
