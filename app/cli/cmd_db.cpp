// gridwatch db init|roles: the shared PostGIS store (SPEC §9).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/core/error.h"
#include "geo/store/load.h"
#include "geo/store/pg.h"
#include "geo/store/roles.h"

namespace gw::app {
namespace {

struct DbInitArgs {
    std::string target;
    DatasetArgs from;
    bool json = false;
};

struct DbRolesArgs {
    std::string target;
    std::string community, login, county, wall;
    bool json = false;
};

void need_pg(const std::string& target) {
    if (!store::is_pg_source(target))
        throw CLI::ValidationError("DATABASE", "'" + target + "' is not a PG: connection string (give PG:\"dbname=NAME …\")");
}

void run_db_init(const DbInitArgs& a) {
    need_pg(a.target);
    Dataset ds;
    const bool load = !a.from.sources.empty();
    if (load) ds = a.from.open({}, false);
    const auto r = store::init_store(a.target, load ? &ds : nullptr, stderr_progress());
    if (a.json) {
        nlohmann::json tables = nlohmann::json::array();
        for (const auto& [t, n] : r.tables) tables.push_back({{"name", t}, {"rows", n}});
        nlohmann::json j{{"source", r.source},
                         {"schema", r.schema},
                         {"postgis", r.postgis_version},
                         {"postgis_created", r.created_postgis},
                         {"srid", r.srid},
                         {"tables", tables},
                         {"seconds", r.seconds}};
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("%s: store made in schema %s (PostGIS %s%s), SRID %d, in %.1f s\n", r.source.c_str(), r.schema.c_str(),
                r.postgis_version.c_str(), r.created_postgis ? ", created" : "", r.srid, r.seconds);
    for (const auto& [t, n] : r.tables) std::printf("  %-12s %zu rows\n", t.c_str(), n);
}

void run_db_roles(const DbRolesArgs& a) {
    need_pg(a.target);
    store::RoleRequest req;
    const int given = !a.login.empty() + !a.county.empty() + !a.wall.empty();
    if (given != 1) throw CLI::ValidationError("db roles", "give one of --community ID --login NAME, --county NAME, --wall NAME");
    if (!a.login.empty()) {
        if (a.community.empty()) throw CLI::ValidationError("--login", "needs --community ID (the L1 grid_id)");
        req = {store::RoleKind::Community, a.login, a.community};
    } else if (!a.community.empty()) {
        throw CLI::ValidationError("--community", "goes with --login NAME");
    } else if (!a.county.empty()) {
        req = {store::RoleKind::County, a.county, {}};
    } else {
        req = {store::RoleKind::Wall, a.wall, {}};
    }
    const auto r = store::set_role(a.target, req);
    if (a.json) {
        nlohmann::json j{{"login", r.login}, {"kind", r.kind}, {"created", r.created}};
        j["community"] = r.community.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.community);
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    const std::string scope = r.kind == "community" ? "reads and writes community " + r.community
                              : r.kind == "county"  ? "reads and writes every community"
                                                    : "reads every table, households only masked (households_public)";
    std::printf("%s login '%s': %s (set its password: psql -c \"\\password %s\")\n", r.created ? "created" : "updated",
                r.login.c_str(), scope.c_str(), r.login.c_str());
}

}  // namespace

void setup_db(CLI::App& root) {
    auto* db = root.add_subcommand("db", "the shared PostGIS store (SPEC §9): init, roles");
    db->require_subcommand(1);

    auto ia = std::make_shared<DbInitArgs>();
    auto* init = db->add_subcommand("init", "make the store's tables in PG:… and load a dataset in one transaction");
    init->add_option("DATABASE", ia->target, "PG:\"host=… dbname=… user=…\"")->required();
    init->add_option("--from", ia->from.sources, "the dataset to load (any GDAL source gridwatch reads)");
    init->add_option("--assume-crs", ia->from.assume_crs, "CRS for layers of --from that carry none, e.g. EPSG:4490");
    init->add_flag("--json", ia->json, "print one JSON document on stdout");
    init->callback([ia] { run_db_init(*ia); });

    auto ra = std::make_shared<DbRolesArgs>();
    auto* roles = db->add_subcommand("roles", "create or update a login: one community's rows, the county's, or the wall's");
    roles->add_option("DATABASE", ra->target, "PG:\"host=… dbname=… user=…\" (as the store's owner)")->required();
    roles->add_option("--community", ra->community, "the L1 grid_id a --login reads and writes");
    roles->add_option("--login", ra->login, "a community office's login (with --community)");
    roles->add_option("--county", ra->county, "a login that reads and writes everything");
    roles->add_option("--wall", ra->wall, "a control-room wall's login: reads everything, households masked");
    roles->add_flag("--json", ra->json, "print one JSON document on stdout");
    roles->callback([ra] { run_db_roles(*ra); });
}

}  // namespace gw::app
