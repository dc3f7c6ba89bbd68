// gridwatch db init|push|pull|roles: the shared PostGIS store (SPEC §9).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <future>
#include <nlohmann/json.hpp>

#include "app/cli/cli_common.h"
#include "app/cli/commands.h"
#include "geo/core/error.h"
#include "geo/core/text.h"
#include "geo/store/load.h"
#include "geo/store/pg.h"
#include "geo/store/roles.h"
#include "geo/store/sync.h"

namespace gw::app {
namespace {

struct DbInitArgs {
    std::string target;
    DatasetArgs from;
    bool json = false;
};

struct DbPushArgs {
    std::string dataset;
    DatasetArgs from;
    std::string target;
    bool delete_missing = false, overwrite = false, json = false;
};

struct DbPullArgs {
    std::string target, file, community;
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
    store::LaterLayers later;
    const bool load = !a.from.sources.empty();
    if (load) {
        // The month of reports, most of a county's rows, is read while the other layers are loaded,
        // in the same working CRS, so that its rows are placed as in one reading. That CRS and the
        // store's come from the grids (primary_layer, geo/io/dataset.cpp) whether or not the reports
        // are read with them; without grids they may come from the reports: then one reading.
        std::vector<std::string> first = layers_except({"checks"});
        first.push_back("");  // the layers no role uses: read (and any error in them stops db init) as ever
        ds = a.from.open(first, false);
        const bool grids = std::any_of(ds.layers.begin(), ds.layers.end(),
                                       [](const LayerInfo& l) { return l.name == "grids" && !l.recognised_by.empty(); });
        if (grids) {
            DatasetArgs rest = a.from;
            rest.work_crs = ds.work_crs_wkt;
            later.names = {"checks"};
            later.model = std::async(std::launch::async, [rest] {
                              return rest.open({"checks"}, false, false, 0, [](OpenOptions& o) { o.progress = nullptr; });
                          }).share();
        } else {
            ds = a.from.open({}, false);
        }
    }
    const auto r = store::init_store(a.target, load ? &ds : nullptr, stderr_progress(), later);
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

void run_db_push(DbPushArgs a) {
    need_pg(a.target);
    if (store::is_pg_source(a.dataset))
        throw CLI::ValidationError("DATASET", "push copies a dataset file into the store; to copy between stores, pull "
                                              "one into a GeoPackage and push that");
    a.from.sources = {a.dataset};
    const Dataset ds = a.from.open({}, false);
    store::PushOptions o;
    o.delete_missing = a.delete_missing;
    o.overwrite = a.overwrite;
    o.file = a.dataset;
    const auto r = store::push_store(a.target, ds, o, stderr_progress());
    for (const auto& n : r.notes) warn(n);
    if (a.json) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& l : r.layers)
            layers.push_back({{"name", l.name},
                              {"key", l.key.empty() ? nlohmann::json(nullptr) : nlohmann::json(l.key)},
                              {"rows", l.rows},
                              {"inserted", l.inserted},
                              {"updated", l.updated},
                              {"unchanged", l.unchanged},
                              {"missing", l.missing},
                              {"deleted", l.deleted},
                              {"columns_left_out", l.columns_left_out}});
        nlohmann::json j{{"source", r.source}, {"delete", r.delete_missing}, {"layers", layers},
                         {"absent", r.absent},  {"seconds", r.seconds}};
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("%s: pushed in %.1f s\n", r.source.c_str(), r.seconds);
    long long missing = 0;
    for (const auto& l : r.layers) {
        std::printf("  %-12s %zu rows: %lld new, %lld changed, %lld as they were", l.name.c_str(), l.rows, l.inserted,
                    l.updated, l.unchanged);
        if (l.missing) std::printf(", %lld in the store only%s", l.missing, r.delete_missing ? " (deleted)" : " (kept)");
        for (const auto& c : l.columns_left_out) std::printf(", field '%s' left out (no such column)", c.c_str());
        std::printf("\n");
        if (!r.delete_missing) missing += l.missing;
    }
    if (!r.absent.empty()) {
        std::string list;
        for (const auto& t : r.absent) list += (list.empty() ? "" : ", ") + t;
        std::printf("  not in the file, left as they are: %s\n", list.c_str());
    }
    if (missing) std::printf("rows in the store that the file lacks were kept; --delete removes them\n");
}

void run_db_pull(const DbPullArgs& a) {
    need_pg(a.target);
    if (store::is_pg_source(a.file))
        throw CLI::ValidationError("FILE", "pull writes a GeoPackage file, not a database");
    const std::string ext = ascii_lower(std::filesystem::path(a.file).extension().string());
    if (ext != ".gpkg") throw CLI::ValidationError("FILE", "'" + a.file + "': pull writes a GeoPackage (FILE.gpkg)");
    store::PullOptions o;
    o.community = a.community;
    const auto r = store::pull_store(a.target, a.file, o, stderr_progress());
    if (a.json) {
        nlohmann::json layers = nlohmann::json::array();
        for (const auto& [t, n] : r.layers) layers.push_back({{"name", t}, {"rows", n}});
        nlohmann::json j{{"source", r.source}, {"file", r.file}, {"layers", layers}, {"seconds", r.seconds}};
        j["community"] = r.community.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.community);
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    std::printf("%s: %s written%s in %.1f s\n", r.source.c_str(), r.file.c_str(),
                r.community.empty() ? "" : (" (community " + r.community + ")").c_str(), r.seconds);
    for (const auto& [t, n] : r.layers) std::printf("  %-12s %zu rows\n", t.c_str(), n);
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
        nlohmann::json j{
            {"login", r.login}, {"kind", r.kind}, {"created", r.created}, {"masks_updated", r.masks_updated}};
        j["community"] = r.community.empty() ? nlohmann::json(nullptr) : nlohmann::json(r.community);
        std::printf("%s\n", j.dump(2).c_str());
        return;
    }
    const std::string scope = r.kind == "community" ? "reads and writes community " + r.community
                              : r.kind == "county"
                                  ? "reads and writes every community"
                                  : "reads every table; households, grids and checks with their names and "
                                    "phones masked (households_public, grids_public, checks_public)";
    std::printf("%s login '%s': %s (set its password: psql -c \"\\password %s\")\n", r.created ? "created" : "updated",
                r.login.c_str(), scope.c_str(), r.login.c_str());
    if (r.masks_updated)
        std::printf(
            "the store's name masks brought up to date: each name of a list masked on its own (张三、李四 -> "
            "张*、李*)\n");
}

}  // namespace

void setup_db(CLI::App& root) {
    auto* db = root.add_subcommand("db", "the shared PostGIS store (SPEC §9): init, push, pull, roles");
    db->require_subcommand(1);

    auto ia = std::make_shared<DbInitArgs>();
    auto* init = db->add_subcommand("init", "make the store's tables in PG:… and load a dataset in one transaction");
    init->add_option("DATABASE", ia->target, "PG:\"host=… dbname=… user=…\"")->required();
    init->add_option("--from", ia->from.sources, "the dataset to load (any GDAL source gridwatch reads)");
    init->add_option("--assume-crs", ia->from.assume_crs,
                     "CRS for layers of --from that carry none, e.g. EPSG:4490")
        ->check(crs_check());
    init->add_flag("--json", ia->json, "print one JSON document on stdout");
    init->callback([ia] { run_db_init(*ia); });

    auto pa = std::make_shared<DbPushArgs>();
    auto* push = db->add_subcommand(
        "push", "load a dataset into an existing store in one transaction: rows matched by their id are updated, new "
                "ones inserted; rows only in the store are kept (and counted) unless --delete");
    push->add_option("DATASET", pa->dataset, "the dataset to push (any GDAL source gridwatch reads)")->required();
    push->add_option("DATABASE", pa->target, "PG:\"host=… dbname=… user=…\"")->required();
    push->add_option("--assume-crs", pa->from.assume_crs,
                     "CRS for layers of DATASET that carry none, e.g. EPSG:4490")
        ->check(crs_check());
    push->add_flag("--delete", pa->delete_missing, "delete the store's rows that the file lacks (in the layers the file has)");
    push->add_flag(
        "--overwrite", pa->overwrite,
        "put the file's rows over rows changed in the store since the file was pulled (without it, such "
        "a row stops the push: nothing is written)");
    push->add_flag("--json", pa->json, "print one JSON document on stdout");
    push->callback([pa] { run_db_push(*pa); });

    auto la = std::make_shared<DbPullArgs>();
    auto* pull = db->add_subcommand("pull", "write the store (or one community of it) to a GeoPackage, whole or not at all");
    pull->add_option("DATABASE", la->target, "PG:\"host=… dbname=… user=…\"")->required();
    pull->add_option("FILE", la->file, "the GeoPackage to write (FILE.gpkg; replaced when it exists)")->required();
    pull->add_option("--community", la->community, "only this L1 community's rows (its cells, cameras, reports, …)");
    pull->add_flag("--json", la->json, "print one JSON document on stdout");
    pull->callback([la] { run_db_pull(*la); });

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
