#pragma once
/**
 * The SQL of the shared store (SPEC §9) beyond the tables GDAL creates: per row `version` and
 * `updated_at`, GiST and community indexes, the triggers that stamp rows and NOTIFY gridwatch,
 * row-level security driven by the table `gridwatch_logins`, the masking functions and the view
 * `households_public`. All of it runs inside the load's transaction (geo/store/load.h).
 */
#include <string>
#include <vector>

namespace gw::store {

/** The tables `db init` makes: one per SPEC §3 layer, named as the layer. */
const std::vector<std::string>& store_tables();

/**
 * Statements run on one table once its rows are in: `version` and `updated_at`, its indexes;
 * with `lz4`, its geometries compressed by LZ4 from then on (see toast_lz4_sql).
 */
std::string table_sql(const std::string& schema, const std::string& table, bool lz4 = false);

/**
 * The query that says whether the server can compress by LZ4 ("t"): PostgreSQL 14+ built with
 * it, as Debian's is. Long geometries (a patrol's track, a community's outline) are stored
 * compressed; LZ4 writes them several times faster than the default pglz and reads them faster.
 */
std::string toast_lz4_query();

/**
 * The query that says ("t") whether the store in `schema` masks names by the rule of stores made
 * before 2026-12-06: a list of names in one field (张三、李四) masked as one name, which shows a
 * character of the last (张***四). Such a store has no gridwatch_mask_one_name. Without a schema:
 * the store whose households_public the search path finds (a wall's reader); "f" where none.
 */
std::string masks_outdated_query(const std::string& schema = {});

/**
 * Statements that bring the masking functions of the store in `schema` up to date (CREATE OR
 * REPLACE: households_public keeps using them). `db roles` runs them where masks_outdated_query
 * says so; the store's owner may.
 */
std::string masks_update_sql(const std::string& schema);

/**
 * The tables a wall login reads only through a view `TABLE_public` (SPEC §9, and the rule that
 * names and phones are masked wherever leaders or the public look), each with its columns masked
 * and the masking function: households (head, phone), grids (manager, phone), checks (reporter).
 */
struct MaskedTable {
    std::string table;
    std::vector<std::pair<std::string, std::string>> columns;  // column, masking function
};
const std::vector<MaskedTable>& masked_columns();

/**
 * Statements (re)making grids_public and checks_public in the schema `S` (quoted, with a dot):
 * every column of the table, the masked ones through the masking functions. Plain views (not
 * security_invoker), as households_public: the wall needs no right on the tables. Run by the
 * load, and by `db roles --wall` on a store made before them.
 */
std::string public_views_sql(const std::string& S);

/**
 * Statements run after every table's rows are in and table_sql ran on each: everything else for `tables` in
 * `schema` (quoted here); `postgis_schema` is where the PostGIS functions live (for the search_path of the
 * SECURITY DEFINER functions).
 */
std::string post_load_sql(const std::string& schema, const std::string& postgis_schema,
                          const std::vector<std::string>& tables);

}  // namespace gw::store
