#pragma once
/**
 * What a source layer holds, read for the viewer's mapping dialog (SPEC §3 "Names users bring"):
 * a few values of each field, so a user can tell 方位角 from 视距 when the fields are called JD
 * and SJ, and the distinct values of a field such as status, to map Y/N onto online/offline.
 */
#include <map>
#include <string>
#include <vector>

namespace gw {

/**
 * The first `n` non-empty values of each field of `layer` in `source` (a file or connection as
 * LayerInfo::source names it), keyed by field name as LayerInfo::source_fields has them; text
 * that is not UTF-8 is read as GBK. Reads at most `max_features` features.
 * Throws gw::Error when the source cannot be opened or has no such layer.
 */
std::map<std::string, std::vector<std::string>> sample_field_values(const std::string& source,
                                                                    const std::string& layer, size_t n = 3,
                                                                    size_t max_features = 2000);

/**
 * Up to `max` distinct non-empty values of `field`, in order of first appearance; `more` tells
 * whether the layer holds others. Throws gw::Error as sample_field_values, and when the layer has
 * no such field.
 */
std::vector<std::string> distinct_field_values(const std::string& source, const std::string& layer,
                                               const std::string& field, size_t max = 20, bool* more = nullptr);

}  // namespace gw
