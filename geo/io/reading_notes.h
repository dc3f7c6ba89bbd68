#pragma once
/**
 * What reading a dataset left out, read as nothing or repaired, as lines for the user: each names
 * the file and layer, the features and what to do. The command line prints them on stderr
 * (warn_reading); the viewer lists them in its 读取提示 / Reading notes window.
 */
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw {

/**
 * A line each: features without a readable time, number values not used, features without
 * geometry, repeated and shared cameras, cameras with bad values, codes outside the contract's,
 * the store's masks, layers --from-gcj02 left as they are and, with `report_repairs`, the invalid
 * geometries repaired and GDAL's warnings. Empty when reading found nothing to tell.
 */
std::vector<std::string> reading_notes(const Dataset& ds, bool report_repairs = true);

/** The file or connection a layer of `ds` came from (a dataset may be several files); ds.source when unknown. */
std::string file_of(const Dataset& ds, const std::string& layer);

/** One line for a list of features: the first few named ("INC-1: time 'yesterday' …; …"), the rest counted.
 */
std::string name_some(const std::vector<Issue>& issues);

/** The first `shown` of `ids` joined by ", ", the rest counted ("A, B, C and 7 more"). */
std::string list_some(const std::vector<std::string>& ids, size_t shown);

}  // namespace gw
