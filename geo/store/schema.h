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
 * Statements run on one table once its rows are in: `version` and `updated_at`, its indexes.
 */
std::string table_sql(const std::string& schema, const std::string& table);

/**
 * Statements run after every table's rows are in and table_sql ran on each: everything else for `tables` in `schema` (quoted
 * here); `postgis_schema` is where the PostGIS functions live (for the search_path of the
 * SECURITY DEFINER functions).
 */
std::string post_load_sql(const std::string& schema, const std::string& postgis_schema,
                          const std::vector<std::string>& tables);

}  // namespace gw::store
