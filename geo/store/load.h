#pragma once
/**
 * `gridwatch db init` (SPEC §9): the PostGIS extension where missing, one table per SPEC §3 layer
 * in the connection's default schema, and the dataset's rows, all in one transaction: a failure
 * leaves the database as it was (an extension created for the load is dropped again).
 */
#include <algorithm>
#include <future>
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw::store {

/**
 * Layers of the same dataset still being read when the load starts (`model` holds them once read,
 * or throws what stopped the reading): db init fills the tables of the layers at hand meanwhile.
 * Their rows come from `model`, every other layer's from the dataset given to init_store.
 */
struct LaterLayers {
    std::vector<std::string> names;
    std::shared_future<Dataset> model;
    bool has(const std::string& t) const { return model.valid() && std::find(names.begin(), names.end(), t) != names.end(); }
};

struct InitResult {
    std::string source;    // printable (no password)
    std::string schema;    // where the tables are
    bool created_postgis = false;
    std::string postgis_version;
    int srid = 0;          // declared on every geometry column
    std::vector<std::pair<std::string, size_t>> tables;  // table, rows loaded
    double seconds = 0;
};

/**
 * Makes the store in `pg_source` ("PG:…") and loads `ds` into it (nullptr: empty tables, SRID
 * 4490). Rows keep the model's order; each gets `community`, the grid_id of the L1 cell it lies
 * in (grid cells by their parent chain, other rows by their point on surface; null outside
 * every L1 cell). The tables are made and filled (binary COPY) on one libpq connection, as GDAL's
 * PG driver would make them; a CRS spatial_ref_sys has no code for goes through that driver, which
 * adds it there.
 * With `later`, the tables are still made in the store's order, a table after a later layer's once
 * that layer is read, and filled as their rows are at hand.
 * Throws gw::Error naming the database and what to do: a wrong connection string, PostGIS
 * missing and not creatable, tables that exist already, a right missing; or what stopped the
 * reading of a later layer (nothing is left in the database then).
 */
InitResult init_store(const std::string& pg_source, const Dataset* ds, const Progress& progress = {},
                      LaterLayers later = {});


}  // namespace gw::store
