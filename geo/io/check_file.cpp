// Phone reports for `gridwatch import` (see check_file.h).
#include "geo/io/check_file.h"

#include <cpl_string.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <fstream>
#include <sstream>
#include <unordered_map>

#include "geo/core/error.h"
#include "geo/core/model.h"
#include "geo/core/text.h"
#include "geo/core/times.h"
#include "geo/io/gcj02.h"
#include "geo/io/names.h"

namespace gw {
namespace {

/** The fields of a report, in the order the columns are looked up. */
enum Col { kId, kGrid, kReporter, kTime, kKind, kPeople, kNote, kLon, kLat, kCols };
const char* const kColName[kCols] = {"check_id", "grid_id", "reporter", "time", "kind", "people", "note", "lon", "lat"};

/** Names a column of field `c` may carry besides the contract name and the Chinese names of names.cpp. */
const std::vector<std::string>& other_names(int c) {
    static const std::vector<std::string> v[kCols] = {
        {"id", "编号"},
        {"网格编号", "网格"},
        {"上报人员", "网格员"},
        {"上报时间", "巡查时间"},
        {"类型"},
        {"人员数", "人数"},
        {"备注", "说明"},
        {"lng", "long", "longitude", "x", "经度"},
        {"latitude", "y", "纬度"}};
    return v[c];
}

/** Without the spaces a hand-edited spreadsheet leaves around values. */
std::string trim(const std::string& s) {
    const size_t a = s.find_first_not_of(" \t\r\n"), b = s.find_last_not_of(" \t\r\n");
    return a == std::string::npos ? std::string() : s.substr(a, b - a + 1);
}

/** The field a column header stands for, or -1. Contract and Chinese names win over the other spellings. */
int column_of(const std::string& header) {
    const std::string h = ascii_lower(trim(header));
    for (int c = 0; c < kCols; ++c) {
        if (h == kColName[c]) return c;
        for (const auto& zh : chinese_field_names(kColName[c]))
            if (h == zh) return c;
    }
    for (int c = 0; c < kCols; ++c)
        for (const auto& n : other_names(c))
            if (h == n) return c;
    return -1;
}

std::string in_quotes(const std::string& v) { return "'" + v + "'"; }

/** Checks one report's text values (as found in the file) and adds it to `out.good` or `out.bad`. */
class RowChecker {
public:
    RowChecker(CheckFile& out, const CheckFileOptions& opt) : out_(out), opt_(opt) {}

    /** `raw[c]` unset: the file has no such column / property. `lon`, `lat`: numbers when the file gave numbers. */
    void check(int line, const std::optional<std::string> (&raw)[kCols]) {
        ++out_.read;
        const size_t bad_before = out_.bad.size();
        CheckRow r;
        r.line = line;
        auto text = [&](int c) { return raw[c] ? trim(*raw[c]) : std::string(); };
        r.check_id = text(kId);
        if (r.check_id.empty())
            bad(line, kId, "empty (every report needs its check_id)");
        else if (auto [it, fresh] = seen_.emplace(r.check_id, line); !fresh)
            bad(line, kId, in_quotes(r.check_id) + " repeats " + where(it->second));
        r.grid_id = text(kGrid);
        if (r.grid_id.empty()) {
            bad(line, kGrid, "empty (the L4 cell checked)");
        } else if (opt_.cells) {
            const auto it = opt_.cells->find(r.grid_id);
            if (it == opt_.cells->end())
                bad(line, kGrid, in_quotes(r.grid_id) + " is no cell of " + (opt_.dataset.empty() ? "the dataset" : opt_.dataset));
            else if (it->second != 4)
                bad(line, kGrid, in_quotes(r.grid_id) + " is a level-" + std::to_string(it->second) +
                                     " cell; a check names the L4 cell (联防小组) it checked");
        }
        r.reporter = text(kReporter);
        r.time = text(kTime);
        if (r.time.empty())
            bad(line, kTime, "empty (ISO-8601, e.g. 2026-12-01T08:30:00+08:00)");
        else if (!parse_incident_time(r.time))
            bad(line, kTime, in_quotes(r.time) + " is not an ISO-8601 time (e.g. 2026-12-01T08:30:00+08:00)");
        const std::string kind = text(kKind);
        const auto& kinds = check_kinds();
        if (std::find(kinds.begin(), kinds.end(), ascii_lower(kind)) != kinds.end())
            r.kind = ascii_lower(kind);
        else if (auto zh = chinese_value("kind", kind))
            r.kind = *zh;
        else
            bad(line, kKind, (kind.empty() ? std::string("empty") : in_quotes(kind) + " is no kind") +
                                 " (routine, newcomer, returnee, hazard, dispute, other, or 日常, 新增人员, 返乡人员, "
                                 "隐患, 纠纷, 其他)");
        const std::string people = text(kPeople);
        if (!people.empty()) {
            int64_t n = -1;
            const auto [p, ec] = std::from_chars(people.data(), people.data() + people.size(), n);
            // A bound on what one report counts (a crowd, not a county); beyond 2^31 − 1 GDAL would
            // also have stored the count clamped to the layer's 32-bit integer, without a word.
            constexpr int64_t kMostPeople = 1000000;
            if (ec != std::errc() || p != people.data() + people.size() || n < 0)
                bad(line, kPeople, in_quotes(people) + " is not a whole number of people ≥ 0");
            else if (n > kMostPeople)
                bad(line, kPeople,
                    in_quotes(people) + " is more people than one report counts (at most 1,000,000)");
            else
                r.people = n;
        }
        r.note = text(kNote);
        const auto lon = coordinate(line, kLon, text(kLon), 180), lat = coordinate(line, kLat, text(kLat), 90);
        // 0, 0 is no position: a phone without a fix (the reading refuses it: GeomConverter::check).
        if (lon && lat && *lon == 0 && *lat == 0)
            bad(line, kLon, "0, 0 is a position never set (a phone without a fix)");
        if (out_.bad.size() > bad_before) {
            ++out_.bad_rows;
            return;
        }
        r.lonlat = {*lon, *lat};
        if (opt_.from_gcj02) r.lonlat = gcj02::to_wgs84(r.lonlat);
        out_.good.push_back(std::move(r));
    }

private:
    std::string where(int line) const { return (out_.geojson ? "feature " : "line ") + std::to_string(line); }

    void bad(int line, int c, std::string problem) { out_.bad.push_back({line, kColName[c], std::move(problem)}); }

    std::optional<double> coordinate(int line, int c, const std::string& v, double limit) {
        if (v.empty()) {
            bad(line, c, "empty (the report's position in degrees)");
            return std::nullopt;
        }
        double d = 0;
        const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), d);
        if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(d)) {
            bad(line, c, in_quotes(v) + " is not a number of degrees");
            return std::nullopt;
        }
        if (std::abs(d) > limit) {
            bad(line, c, in_quotes(v) + " is outside −" + std::to_string(int(limit)) + "…" + std::to_string(int(limit)) +
                             (c == kLon ? " (lon and lat swapped?)" : ""));
            return std::nullopt;
        }
        return d;
    }

    CheckFile& out_;
    const CheckFileOptions& opt_;
    std::unordered_map<std::string, int> seen_;  // check_id → the line it first came on
};

std::string read_bytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot be read", {path}, "check the path and that the file is readable");
    std::stringstream ss;
    ss << in.rdbuf();
    std::string s = ss.str();
    if (s.rfind("\xEF\xBB\xBF", 0) == 0) s.erase(0, 3);  // Excel's UTF-8 mark
    if (!CPLIsUTF8(s.c_str(), int(s.size()))) {
        // Excel in China saves CSV as GBK.
        char* u = CPLRecode(s.c_str(), "CP936", CPL_ENC_UTF8);
        s = u;
        CPLFree(u);
    }
    return s;
}

/** RFC 4180 records: quoted fields may hold the delimiter, "" and line breaks. */
class CsvReader {
public:
    CsvReader(const std::string& text) : s_(text) {
        // The delimiter is the one the header uses most: Excel writes ';' in some locales, tabs too.
        const std::string head = s_.substr(0, s_.find('\n'));
        size_t best = 0;
        for (char d : {',', ';', '\t'})
            if (size_t n = size_t(std::count(head.begin(), head.end(), d)); n > best) best = n, delim_ = d;
    }

    /** The next record and the line it starts on; false at the end. Blank lines are skipped. */
    bool next(std::vector<std::string>& fields, int& line) {
        fields.clear();
        while (pos_ < s_.size() && (s_[pos_] == '\n' || s_[pos_] == '\r')) {
            if (s_[pos_] == '\n') ++line_;
            ++pos_;
        }
        if (pos_ >= s_.size()) return false;
        line = line_;
        std::string f;
        bool quoted = false;
        for (; pos_ < s_.size(); ++pos_) {
            const char ch = s_[pos_];
            if (quoted) {
                if (ch == '"') {
                    if (pos_ + 1 < s_.size() && s_[pos_ + 1] == '"') f += '"', ++pos_;
                    else quoted = false;
                } else {
                    if (ch == '\n') ++line_;
                    f += ch;
                }
            } else if (ch == '"') {
                quoted = true;
            } else if (ch == delim_) {
                fields.push_back(std::move(f));
                f.clear();
            } else if (ch == '\n') {
                ++line_, ++pos_;
                break;
            } else if (ch != '\r') {
                f += ch;
            }
        }
        fields.push_back(std::move(f));
        return true;
    }

private:
    const std::string& s_;
    size_t pos_ = 0;
    int line_ = 1;
    char delim_ = ',';
};

void read_csv(const std::string& text, CheckFile& out, const CheckFileOptions& opt) {
    CsvReader csv(text);
    std::vector<std::string> fields;
    int line = 0;
    if (!csv.next(fields, line)) throw Error("is empty", {out.path}, "export the reports with a header line");
    int index[kCols];
    std::fill(std::begin(index), std::end(index), -1);
    for (size_t i = 0; i < fields.size(); ++i)
        if (int c = column_of(fields[i]); c >= 0 && index[c] < 0) index[c] = int(i);
    for (int c : {kId, kGrid, kTime, kKind, kLon, kLat})
        if (index[c] < 0) {
            std::string names = kColName[c];
            for (const auto& zh : chinese_field_names(kColName[c])) names += ", " + zh;
            for (const auto& n : other_names(c)) names += ", " + n;
            throw Error("has no column for " + std::string(kColName[c]) + " (looked for " + names + ")", {out.path},
                        "name the header's columns check_id, grid_id, reporter, time, kind, people, note, lon, lat");
        }
    RowChecker checker(out, opt);
    while (csv.next(fields, line)) {
        std::optional<std::string> raw[kCols];
        for (int c = 0; c < kCols; ++c)
            if (index[c] >= 0) raw[c] = size_t(index[c]) < fields.size() ? fields[size_t(index[c])] : std::string();
        checker.check(line, raw);
    }
}

void read_geojson(const std::string& text, CheckFile& out, const CheckFileOptions& opt) {
    nlohmann::json doc;
    try {
        doc = nlohmann::json::parse(text);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("is not valid JSON: ") + e.what(), {out.path}, "export the reports as GeoJSON or CSV");
    }
    nlohmann::json features;
    if (doc.is_object() && doc.value("type", "") == "FeatureCollection" && doc.contains("features") &&
        doc["features"].is_array())
        features = doc["features"];
    else if (doc.is_object() && doc.value("type", "") == "Feature")
        features = nlohmann::json::array({doc});
    else
        throw Error("is not a GeoJSON FeatureCollection", {out.path}, "export the reports as GeoJSON points or CSV");
    if (doc.contains("crs")) {
        // RFC 7946 GeoJSON is WGS84; an old-style "crs" member naming anything else is not ours to guess.
        const std::string name = doc["crs"].value("properties", nlohmann::json::object()).value("name", "");
        if (name.find("CRS84") == std::string::npos && name.find("4326") == std::string::npos)
            throw Error("names the CRS '" + name + "'; import reads WGS84 longitude/latitude (RFC 7946)", {out.path},
                        "reproject it to WGS84 first (ogr2ogr -t_srs EPSG:4326)");
    }
    RowChecker checker(out, opt);
    int n = 0;
    for (const auto& f : features) {
        ++n;
        std::optional<std::string> raw[kCols];
        if (f.is_object() && f.contains("properties") && f["properties"].is_object())
            for (const auto& [key, v] : f["properties"].items()) {
                const int c = column_of(key);
                if (c < 0 || c == kLon || c == kLat || raw[c]) continue;
                raw[c] = v.is_string() ? v.get<std::string>() : v.is_null() ? std::string() : v.dump();
            }
        raw[kLon] = raw[kLat] = std::string();
        const nlohmann::json* g = f.is_object() && f.contains("geometry") ? &f["geometry"] : nullptr;
        if (g && g->is_object() && g->value("type", "") == "Point" && g->contains("coordinates") &&
            (*g)["coordinates"].is_array() && (*g)["coordinates"].size() >= 2) {
            const auto& xy = (*g)["coordinates"];
            raw[kLon] = xy[0].is_number() ? xy[0].dump() : xy[0].is_string() ? xy[0].get<std::string>() : "?";
            raw[kLat] = xy[1].is_number() ? xy[1].dump() : xy[1].is_string() ? xy[1].get<std::string>() : "?";
        }
        checker.check(n, raw);
    }
}

}  // namespace

CheckFile read_check_file(const std::string& path, const CheckFileOptions& options) {
    CheckFile out;
    out.path = path;
    const std::string text = read_bytes(path);
    const std::string ext = ascii_lower(path.substr(path.find_last_of('.') == std::string::npos ? path.size()
                                                                                                  : path.find_last_of('.')));
    const size_t first = text.find_first_not_of(" \t\r\n");
    out.geojson = ext == ".geojson" || ext == ".json" || (first != std::string::npos && text[first] == '{');
    if (out.geojson)
        read_geojson(text, out, options);
    else
        read_csv(text, out, options);
    return out;
}

}  // namespace gw
