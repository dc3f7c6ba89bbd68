#include "geo/io/reading_notes.h"

#include <algorithm>
#include <map>

namespace gw {

std::string name_some(const std::vector<Issue>& issues) {
    std::string s;
    const size_t shown = std::min<size_t>(issues.size(), 5);
    for (size_t i = 0; i < shown; ++i)
        s += (i ? "; " : "") + (issues[i].feature.empty() ? "" : issues[i].feature + ": ") + issues[i].problem;
    if (issues.size() > shown) s += "; and " + std::to_string(issues.size() - shown) + " more";
    return s;
}

std::string list_some(const std::vector<std::string>& ids, size_t shown) {
    std::string s;
    for (size_t i = 0; i < ids.size() && i < shown; ++i) s += (i ? ", " : "") + ids[i];
    if (ids.size() > shown) s += " and " + std::to_string(ids.size() - shown) + " more";
    return s;
}

std::string file_of(const Dataset& ds, const std::string& layer) {
    for (const auto& l : ds.layers)
        if (l.name == layer && !l.source.empty()) return l.source;
    return ds.source;
}

namespace {

/** "FILE: layer 'NAME'": the file and the layer's own name where the reader said, else the role's first file.
 */
std::string where_of(const Dataset& ds, const Issue& i, const std::string& layer) {
    if (!i.file.empty()) return i.file + ": layer '" + i.source_layer + "'";
    return file_of(ds, layer) + ": layer '" + layer + "'";
}

/** Issues of one role found in one place (where_of). */
struct IssuesAt {
    std::string role, where;
    std::vector<Issue> issues;
};

/** Issues grouped by their role and by where they were found. */
std::vector<IssuesAt> by_where(const Dataset& ds, const std::vector<Issue>& issues,
                               const std::string& role_if_none = {}) {
    std::map<std::pair<std::string, std::string>, std::vector<Issue>> groups;
    for (const Issue& i : issues) {
        const std::string role = i.layer.empty() ? role_if_none : i.layer;
        groups[{role, where_of(ds, i, role)}].push_back(i);
    }
    std::vector<IssuesAt> out;
    for (auto& [key, list] : groups) out.push_back({key.first, key.second, std::move(list)});
    return out;
}

}  // namespace

std::vector<std::string> reading_notes(const Dataset& ds, bool report_repairs) {
    std::vector<std::string> notes;
    const auto note = [&](std::string line) { notes.push_back(std::move(line)); };
    const auto& r = ds.report;
    // Incidents, checks and patrols each named under their own layer, in the file they came from.
    for (const auto& [layer, where, issues] : by_where(ds, r.bad_times, "incidents")) {
        const std::string what = layer == "incidents" ? " incident(s)"
                                 : layer == "checks"  ? " check(s)"
                                 : layer == "patrols" ? " patrol track(s) or fix(es)"
                                                      : " feature(s)";
        note(where + ": " + std::to_string(issues.size()) + what +
             " without a readable time, left out of time windows: " + name_some(issues) +
             (layer == "patrols"
                  ? " (write times as ISO-8601 with the time of day, e.g. 2024-03-05T14:30, each "
                    "track's end after its start)"
                  : " (write times as ISO-8601, e.g. 2024-03-05T14:30)"));
    }
    for (const auto& [layer, where, issues] : by_where(ds, r.bad_values))
        note(where + ": " + std::to_string(issues.size()) +
             " number field value(s) not used (text, or out of the field's range; read as none): " +
             name_some(issues) + " (fix the values)");
    for (const auto& [layer, where, issues] : by_where(ds, r.no_geometry)) {
        std::vector<std::string> ids;
        for (const Issue& i : issues) ids.push_back(i.feature);
        note(where + ": " + std::to_string(issues.size()) + " feature(s) without geometry left out: " +
             list_some(ids, 10) + " (give them a geometry, or delete them)");
    }
    // Cameras, each group in the file and layer its rows are in.
    for (const auto& [layer, where, issues] : by_where(ds, r.repeated, "cameras"))
        note(where + ": " + std::to_string(issues.size()) +
             " camera row(s) repeat an earlier row whole and are counted once: " + name_some(issues) +
             " (delete the repeated rows)");
    for (const auto& [layer, where, issues] : by_where(ds, r.shared_ids, "cameras"))
        note(where + ": " + std::to_string(issues.size()) +
             " camera(s) share a cam_id with another at another place or with other values, each counted: " +
             name_some(issues) + " (give each camera its own cam_id)");
    // Cameras a value of which cannot be (SPEC §3): left out of every analysis, named here once for all.
    for (const auto& [layer, where, issues] : by_where(ds, r.bad_cameras, "cameras"))
        note(where + ": " + std::to_string(issues.size()) +
             " camera(s) with bad values left out of the analyses: " + name_some(issues) +
             " (fix the values, e.g. gridwatch edit DATASET --camera ID --fov 90)");
    for (const auto& [layer, where, issues] : by_where(ds, r.unknown_codes))
        note(where + ": " + std::to_string(issues.size()) +
             " value(s) outside the contract's codes: " + name_some(issues) +
             " (correct them, or map them in the project file's \"values\", README: Using your own data)");
    for (const auto& i : r.store) note(file_of(ds, i.layer) + ": layer '" + i.layer + "': " + i.problem);
    for (const auto& i : r.not_shifted) note(where_of(ds, i, i.layer) + ": " + i.problem);
    // SPEC §3: repaired, counted and named (info lists them all in its validity report).
    if (!report_repairs) return notes;
    for (const auto& [layer, ids] : r.repaired) {
        note(file_of(ds, layer) + ": layer '" + layer + "': " + std::to_string(ids.size()) +
             " invalid geometr" + (ids.size() == 1 ? "y" : "ies") + " repaired (GEOS MakeValid): " +
             list_some(ids, 10) + " (fix them at the source; gridwatch info lists them)");
    }
    for (const auto& [layer, where, issues] : by_where(ds, r.gdal_warnings))
        note(where + ": GDAL: " + name_some(issues));
    return notes;
}

}  // namespace gw
