#include "geo/io/names.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "geo/core/error.h"
#include "geo/core/model.h"
#include "geo/core/text.h"

namespace gw {

namespace {

/** SPEC §3's Chinese layer names. */
const std::map<std::string, std::string>& chinese_layers() {
    static const std::map<std::string, std::string> m = {
        {"网格", "grids"},      {"住户", "households"}, {"户籍", "households"}, {"摄像头", "cameras"},
        {"监控点位", "cameras"}, {"企业", "enterprises"}, {"道路", "roads"},     {"建筑", "buildings"},
        {"房屋", "buildings"},  {"事件", "incidents"},  {"警情", "incidents"},  {"设施", "facilities"},
        {"候选点位", "candidates"}, {"巡查", "checks"},     {"巡逻", "patrols"}};
    return m;
}

}  // namespace

std::string role_of_layer_name(const std::string& source_name) {
    const std::string n = ascii_lower(source_name);
    for (const auto& c : canonical_layers())
        if (n == c) return c;
    if (level_of_layer_name(source_name) > 0) return "grids";
    if (const auto it = chinese_layers().find(source_name); it != chinese_layers().end()) return it->second;
    return {};
}

int level_of_layer_name(const std::string& source_name) {
    const std::string n = ascii_lower(source_name);
    if (n.rfind("grids_l", 0) == 0 && n.size() == 8 && n[7] >= '1' && n[7] <= '4') return n[7] - '0';
    return 0;
}

PersonalField personal_field(const std::string& field_name) {
    // Numbers first: 联系人电话 is a number, not a name.
    static const char* const kNumberWords[] = {"电话", "手机",   "联系方式", "座机",
                                               "传真", "身份证", "证件号"};
    static const char* const kNameWords[] = {
        "姓名", "户主", "联系人", "负责人", "网格员", "网格长", "管理员", "责任人", "法人",  "法定代表人",
        "房东", "业主", "租户",   "住户",   "居民",   "人员",   "上报人", "巡查人", "巡逻员"};
    // Whole words of an ASCII name (contact_phone, OwnerName → owner, name), the pinyin initials
    // offices use in a shapefile's 10 bytes among them (LXDH 联系电话, SFZH 身份证号, XM 姓名).
    static const std::set<std::string> kNumberTokens = {"phone",  "tel",  "telephone", "mobile", "fax",
                                                        "idcard", "lxdh", "dh",        "sjh",    "sjhm",
                                                        "sfz",    "sfzh", "lxfs"};
    static const std::set<std::string> kNameTokens = {
        "person", "contact", "manager",  "head",     "leader", "resident", "reporter", "landlord",
        "tenant", "owner",   "fullname", "realname", "xm",     "hzxm",     "lxr",      "fzr"};
    for (const char* w : kNumberWords)
        if (field_name.find(w) != std::string::npos) return PersonalField::number;
    std::vector<std::string> tokens;
    std::string t;
    for (size_t i = 0; i <= field_name.size(); ++i) {
        const char c = i < field_name.size() ? field_name[i] : '_';
        const bool upper = c >= 'A' && c <= 'Z';
        // A word ends at what is no letter or digit, and where camelCase turns (OwnerName).
        if (!std::isalnum(static_cast<unsigned char>(c)) ||
            (upper && !t.empty() && std::islower(static_cast<unsigned char>(t.back())))) {
            if (!t.empty()) tokens.push_back(ascii_lower(t));
            t.clear();
        }
        if (std::isalnum(static_cast<unsigned char>(c))) t += c;
    }
    for (const auto& k : tokens)
        if (kNumberTokens.count(k)) return PersonalField::number;
    // A figure or a code about people is no person: 从业人员数, 居民人数, 人员类型, head_count, owner_type.
    static const char* const kFigureEnds[] = {"数", "数量", "类型", "类别", "编号", "代码", "面积", "比例"};
    static const std::set<std::string> kFigureTokens = {"count", "num", "no",   "type",
                                                        "kind",  "id",  "code", "area"};
    for (const char* e : kFigureEnds)
        if (field_name.size() >= std::strlen(e) &&
            field_name.compare(field_name.size() - std::strlen(e), std::string::npos, e) == 0)
            return PersonalField::none;
    if (!tokens.empty() && kFigureTokens.count(tokens.back())) return PersonalField::none;
    for (const char* w : kNameWords)
        if (field_name.find(w) != std::string::npos) return PersonalField::name;
    for (const auto& k : tokens)
        if (kNameTokens.count(k)) return PersonalField::name;
    return PersonalField::none;
}

const std::vector<std::string>& chinese_field_names(const std::string& field) {
    static const std::map<std::string, std::vector<std::string>> m = {
        {"grid_id", {"网格编码"}},
        {"level", {"层级"}},
        {"parent_id", {"上级编码"}},
        {"name", {"名称"}},
        {"manager", {"网格员", "网格长"}},
        {"phone", {"电话"}},
        {"hh_id", {"户编号"}},
        {"head", {"户主"}},
        {"members", {"人数"}},
        {"cam_id", {"点位编号"}},
        {"owner", {"权属"}},
        {"azimuth", {"方位角"}},
        {"fov", {"视场角"}},
        {"range", {"视距"}},
        {"height", {"安装高度"}},
        {"resolution_px", {"水平像素"}},
        {"status", {"状态"}},
        {"inc_id", {"事件编号"}},
        {"type", {"类型"}},
        {"time", {"时间"}},
        {"check_id", {"巡查编号"}},
        {"reporter", {"上报人"}},
        {"kind", {"巡查类型"}},
        {"track_id", {"轨迹编号"}},
        {"team", {"队伍"}},
        {"start", {"开始时间"}},
        {"end", {"结束时间"}},
        {"people", {"人数"}},
        {"note", {"备注"}}};  // a report's, as import reads them in a CSV
    static const std::vector<std::string> none;
    const auto it = m.find(field);
    return it == m.end() ? none : it->second;
}

namespace {

/** Field -> (Chinese word -> the contract's code). */
const std::map<std::string, std::map<std::string, std::string>>& chinese_values() {
    static const std::map<std::string, std::map<std::string, std::string>> m = {
        {"status", {{"在线", "online"}, {"离线", "offline"}}},
        {"kind",
         {{"日常", "routine"},
          {"新增人员", "newcomer"},
          {"返乡人员", "returnee"},
          {"隐患", "hazard"},
          {"纠纷", "dispute"},
          {"其他", "other"}}},
        {"team", {{"巡逻队", "patrol"}, {"联防", "joint"}, {"网格员", "grid"}, {"视频巡查", "video"}}},
        {"type",
         {{"纠纷", "dispute"},
          {"火灾", "fire"},
          {"交通", "traffic"},
          {"盗窃", "theft"},
          {"诈骗", "fraud"},
          {"其他", "other"}}},
        // The four-colour warning as the grid office writes it (SPEC §2), one character or two.
        {"color",
         {{"红", "red"},
          {"黄", "yellow"},
          {"蓝", "blue"},
          {"绿", "green"},
          {"红色", "red"},
          {"黄色", "yellow"},
          {"蓝色", "blue"},
          {"绿色", "green"}}},
        {"owner", {{"道路", "road"}, {"企业", "enterprise"}, {"住户", "household"}, {"公共", "public"}}}};
    return m;
}

}  // namespace

std::optional<std::string> chinese_value(const std::string& field, const std::string& value) {
    const auto& m = chinese_values();
    const auto f = m.find(field);
    if (f == m.end()) return std::nullopt;
    const auto v = f->second.find(value);
    if (v == f->second.end()) return std::nullopt;
    return v->second;
}

std::optional<std::string> chinese_word(const std::string& field, const std::string& code) {
    const auto f = chinese_values().find(field);
    if (f == chinese_values().end()) return std::nullopt;
    for (const auto& [word, c] : f->second)
        if (c == code) return word;  // the shortest of a colour's (红 before 红色)
    return std::nullopt;
}

std::string contract_code(const std::string& field, const std::string& value, const RoleMapping* mapping) {
    if (mapping)
        if (const auto m = mapping->values.find(field); m != mapping->values.end())
            if (const auto v = m->second.find(value); v != m->second.end()) return v->second;
    if (auto zh = chinese_value(field, value)) return *zh;
    return ascii_lower(value);
}

const std::vector<std::string>& required_fields(const std::string& role) {
    static const std::map<std::string, std::vector<std::string>> m = {{"grids", {"grid_id", "level", "parent_id"}},
                                                                     {"cameras", {"azimuth", "fov", "range"}}};
    static const std::vector<std::string> none;
    const auto it = m.find(role);
    return it == m.end() ? none : it->second;
}

std::vector<std::string> roles_for_geometry(const std::string& geometry) {
    const std::string g = ascii_lower(geometry);
    if (g.find("polygon") != std::string::npos) return {"grids", "enterprises", "buildings"};
    if (g.find("line") != std::string::npos) return {"roads", "patrols"};
    if (g.find("point") != std::string::npos)
        return {"cameras", "households", "incidents", "facilities", "candidates", "checks", "patrols"};
    // A layer that does not say (a CSV's WKT column, a GeoJSON of mixed kinds): any role, told by
    // its fields; the reader then takes each feature's geometry as the role needs or names it.
    if (g.find("unknown") != std::string::npos)
        return {"grids",      "enterprises", "buildings",  "roads",      "patrols", "cameras",
                "households", "incidents",   "facilities", "candidates", "checks"};
    return {};
}

bool field_name_matches(const std::string& have_raw, const std::string& want_raw) {
    const std::string have = ascii_lower(have_raw), want = ascii_lower(want_raw);
    if (have == want) return true;
    // A shapefile keeps 10 bytes of a name: "resolution_px" is "resolutio", "安装高度" in UTF-8 is
    // cut inside its fourth character (GDAL may keep 9 or 10 of the 12 bytes).
    return want.size() > 10 && have.size() >= 9 && have.size() <= 10 && want.compare(0, have.size(), have) == 0;
}

/** The fields that tell a layer's role when its name does not: the required ones, or those only it has. */
const std::vector<std::string>& signature_fields(const std::string& role) {
    static const std::vector<std::string> checks = {"check_id", "grid_id", "kind"}, patrols = {"track_id"};
    return role == "checks" ? checks : role == "patrols" ? patrols : required_fields(role);
}

std::string role_by_fields(const std::vector<std::string>& fields, const std::string& geometry) {
    std::string found;
    for (const auto& role : roles_for_geometry(geometry)) {
        const auto& need = signature_fields(role);
        if (need.empty()) continue;
        const bool all = std::all_of(need.begin(), need.end(), [&](const std::string& f) {
            return std::any_of(fields.begin(), fields.end(), [&](const std::string& have) {
                if (field_name_matches(have, f)) return true;
                for (const auto& zh : chinese_field_names(f))
                    if (field_name_matches(have, zh)) return true;
                return false;
            });
        });
        if (!all) continue;
        if (!found.empty()) return {};
        found = role;
    }
    return found;
}

std::string mapping_line(const std::string& role, const std::string& layer,
                         const std::vector<std::pair<std::string, std::string>>& fields) {
    nlohmann::json named = nlohmann::json::object();
    for (const auto& [want, have] : fields) named[want] = have.empty() ? "?" : have;
    nlohmann::json m = {{"layer", layer}};
    if (!fields.empty()) m["fields"] = named;
    return "\"" + role + "\": " + m.dump();
}

std::pair<std::string, std::vector<std::pair<std::string, std::string>>> suggest_role(const LayerInfo& layer,
                                                                                      const std::vector<LayerInfo>& all) {
    const auto fits = roles_for_geometry(layer.geometry);
    if (fits.empty()) return {};
    std::string role = fits.front();
    for (const auto& r : fits)
        if (std::none_of(all.begin(), all.end(), [&](const LayerInfo& l) { return l.name == r; })) {
            role = r;
            break;
        }
    std::vector<std::pair<std::string, std::string>> fields;
    for (const auto& want : required_fields(role)) {
        std::string have;
        for (const auto& f : layer.source_fields) {
            bool match = field_name_matches(f, want);
            for (const auto& zh : chinese_field_names(want)) match |= field_name_matches(f, zh);
            if (match && have.empty()) have = f;
        }
        fields.emplace_back(want, have);
    }
    return {role, fields};
}

NameMapping mapping_from_json(const nlohmann::json& j, const std::string& file) {
    NameMapping out;
    if (!j.is_object()) throw Error("\"mapping\" must be an object of roles", {file, "", "", "mapping"}, "fix the project file");
    const auto& roles = canonical_layers();
    for (const auto& [role, v] : j.items()) {
        const std::string key = "mapping." + role;
        if (std::find(roles.begin(), roles.end(), role) == roles.end())
            throw Error("\"" + role + "\" is no layer role of SPEC §3", {file, "", "", key},
                        "use one of grids, households, cameras, enterprises, roads, buildings, incidents, facilities, candidates");
        if (!v.is_object()) throw Error("must be an object", {file, "", "", key}, "fix the project file");
        for (const auto& [k, unused] : v.items())
            if (k != "layer" && k != "levels" && k != "fields" && k != "values")
                throw Error("has a key '" + k + "' a role does not have (layer, levels, fields, values)",
                            {file, "", "", key + "." + k}, "rename or remove it");
        RoleMapping r;
        try {
            r.layer = v.value("layer", "");
            const nlohmann::json levels = v.value("levels", nlohmann::json::object());
            for (const auto& [level, layer] : levels.items()) {
                const int l = level.size() == 1 && level[0] >= '1' && level[0] <= '4' ? level[0] - '0' : 0;
                if (l == 0 || role != "grids")
                    throw Error("levels are 1 to 4, for grids only", {file, "", "", key + ".levels"}, "fix the project file");
                r.levels[l] = layer.get<std::string>();
            }
            r.fields = v.value("fields", std::map<std::string, std::string>{});
            r.values = v.value("values", std::map<std::string, std::map<std::string, std::string>>{});
        } catch (const nlohmann::json::exception& e) {
            throw Error(std::string("is malformed: ") + e.what(), {file, "", "", key}, "fix the project file");
        }
        out[role] = std::move(r);
    }
    return out;
}

nlohmann::json mapping_to_json(const NameMapping& m) {
    nlohmann::json j = nlohmann::json::object();
    for (const auto& [role, r] : m) {
        nlohmann::json v = nlohmann::json::object();
        if (!r.layer.empty()) v["layer"] = r.layer;
        for (const auto& [level, layer] : r.levels) v["levels"][std::to_string(level)] = layer;
        if (!r.fields.empty()) v["fields"] = r.fields;
        if (!r.values.empty()) v["values"] = r.values;
        j[role] = v;
    }
    return j;
}

/**
 * A project file's JSON, its keys checked: a key it does not know (a typo such as "thresholds" for
 * "warning") would otherwise be passed over and its settings silently not applied.
 */
nlohmann::json read_project_json(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw Error("cannot be read", {path}, "check the path");
    nlohmann::json j;
    try {
        j = nlohmann::json::parse(in);
    } catch (const nlohmann::json::exception& e) {
        throw Error(std::string("is not valid JSON: ") + e.what(), {path}, "fix the project file");
    }
    if (!j.is_object())
        throw Error("is not a project file (an object of scenes, warning, mapping)", {path},
                    "fix the project file");
    // The keys an object may have: another is a typo whose setting would silently not apply.
    const auto known = [&](const nlohmann::json& o, std::initializer_list<const char*> keys,
                           const std::string& where) {
        for (const auto& item : o.items()) {
            const std::string& key = item.key();  // not a structured binding: clang 14 cannot capture one
            if (std::none_of(keys.begin(), keys.end(), [&](const char* k) { return key == k; })) {
                std::string list;
                for (const char* k : keys) list += std::string(list.empty() ? "" : ", ") + k;
                const std::string at = where.empty() ? key : where + "." + key;
                throw Error("has a key '" + key + "' " + (where.empty() ? "a project file" : where) +
                                " does not have (" + list + ")",
                            {path, "", "", at}, "rename or remove it");
            }
        }
    };
    known(j, {"scenes", "warning", "mapping"}, "");
    if (j.contains("scenes")) {
        if (!j["scenes"].is_array())
            throw Error("scenes must be a list of scenes", {path, "", "", "scenes"}, "fix the project file");
        for (const auto& sc : j["scenes"]) {
            if (!sc.is_object() || !sc.contains("name") || !sc.contains("extent"))
                throw Error("a scene must be an object with a name and an extent", {path, "", "", "scenes"},
                            "fix the project file");
            known(sc, {"name", "title", "subtitle", "extent", "layers", "overlay"}, "scenes");
        }
    }
    if (j.contains("mapping")) mapping_from_json(j["mapping"], path);  // its roles and keys checked
    if (j.contains("warning")) {
        const auto& w = j["warning"];
        if (!w.is_object())
            throw Error("warning must be an object of thresholds", {path, "", "", "warning"},
                        "fix the project file");
        known(w, {"red", "yellow", "blue", "weights"}, "warning");
        for (const char* k : {"red", "yellow", "blue"})
            if (w.contains(k) && !w[k].is_number())
                throw Error(std::string("warning.") + k + " must be a number",
                            {path, "", "", std::string("warning.") + k}, "fix the project file");
        if (w.contains("weights")) {
            const auto& k = w["weights"];
            if (!k.is_object())
                throw Error("warning.weights must be an object of numbers", {path, "", "", "warning.weights"},
                            "fix the project file");
            known(k, {"red", "yellow", "blue", "green", "none"}, "warning.weights");
            for (const auto& [key, value] : k.items())
                if (!value.is_number())
                    throw Error("warning.weights." + key + " must be a number",
                                {path, "", "", "warning.weights." + key}, "fix the project file");
        }
    }
    return j;
}

NameMapping load_mapping(const std::string& path) {
    if (path.empty() || !std::filesystem::exists(path)) return {};
    const nlohmann::json j = read_project_json(path);
    if (!j.contains("mapping")) return {};
    return mapping_from_json(j["mapping"], path);
}

}  // namespace gw
