#pragma once
/**
 * Names users bring (SPEC §3): a grid office's data rarely carries the contract's English layer
 * and field names. A layer or field is recognised by its contract name (any case), by the Chinese
 * names of SPEC §3, by the fields it holds (a point layer with azimuth, fov and range is cameras
 * whatever it is called), or by the project file's "mapping"; values such as 在线/离线 or 纠纷 are
 * read as the contract's. Used by reading (geo/io/dataset) and by `info` to say what it did.
 */
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace gw {

/** One role's mapping from the project file: "cameras": {"layer": …, "fields": {…}, "values": {…}}. */
struct RoleMapping {
    std::string layer;                                               // the source layer that plays the role
    std::map<int, std::string> levels;                               // grids only: level → the layer of that level
    std::map<std::string, std::string> fields;                       // contract field → source field
    std::map<std::string, std::map<std::string, std::string>> values;  // contract field → (source value → contract value)
    bool empty() const { return layer.empty() && levels.empty() && fields.empty() && values.empty(); }
};

/** The project file's "mapping": role (grids, cameras, …) → its mapping. */
using NameMapping = std::map<std::string, RoleMapping>;

/** Reads a "mapping" object; throws gw::Error naming `file` and the key when it is malformed. */
NameMapping mapping_from_json(const nlohmann::json& j, const std::string& file);
nlohmann::json mapping_to_json(const NameMapping& m);
/**
 * A project file's JSON, its keys checked (scenes, warning, mapping; scenes a list, warning an
 * object): a key it does not have (a typo such as "thresholds" for "warning") would otherwise be
 * passed over and its settings silently not applied. Throws gw::Error naming the file and field.
 */
nlohmann::json read_project_json(const std::string& path);

/** The "mapping" of the project file at `path`; empty when there is no file or no mapping in it. */
NameMapping load_mapping(const std::string& path);

/** The role a layer name stands for by itself (contract name, grids_l1…l4, a Chinese name); "" when none. */
std::string role_of_layer_name(const std::string& source_name);

/** The level a grids layer's name gives (grids_l3 → 3), 0 when none. */
int level_of_layer_name(const std::string& source_name);

/** What a field outside the contract holds of a person, by its name (masked exports mask it). */
enum class PersonalField { none, name, number };
/**
 * Whether a field's name says it holds people's names (户主姓名, 联系人, contact, the pinyin XM) or
 * their numbers (联系电话, 手机, 身份证号, phone, LXDH, SFZH); `none` when it says neither.
 */
PersonalField personal_field(const std::string& field_name);

/** The Chinese names of a contract field (SPEC §3), e.g. azimuth → {方位角}. */
const std::vector<std::string>& chinese_field_names(const std::string& field);

/** A contract value for a source value of `field` by SPEC §3's Chinese values (在线 → online), or nullopt. */
std::optional<std::string> chinese_value(const std::string& field, const std::string& value);

/** The Chinese word chinese_value reads as `code` (在线 for status online), or nullopt. */
std::optional<std::string> chinese_word(const std::string& field, const std::string& code);

/**
 * The contract's code for a code field's value (UTF-8) as a layer writes it: the project file's
 * value mapping, else its Chinese word (chinese_value), else the value in lower case.
 */
std::string contract_code(const std::string& field, const std::string& value, const RoleMapping* mapping);

/** The fields a role cannot be read without (SPEC §3 "Required fields"). */
const std::vector<std::string>& required_fields(const std::string& role);

/** The roles a layer of this OGR geometry type name can play ("Point", "Multi Polygon", …). */
std::vector<std::string> roles_for_geometry(const std::string& geometry);

/**
 * The role a layer no name recognises plays by the fields it holds: every required field of a
 * role found among `fields` (contract or Chinese names) and a geometry that fits; "" when none
 * or more than one fits.
 */
std::string role_by_fields(const std::vector<std::string>& fields, const std::string& geometry);

/** Whether a source field name stands for `want` (any case; a shapefile's 10-byte cut counts). */
bool field_name_matches(const std::string& have, const std::string& want);

/**
 * The mapping line that makes `layer` play `role`, naming each of `fields` ("?" where the layer
 * has no field of that name): "cameras": {"layer": "2023年点位", "fields": {"azimuth": "?", …}}.
 */
std::string mapping_line(const std::string& role, const std::string& layer,
                         const std::vector<std::pair<std::string, std::string>>& fields);

struct LayerInfo;

/**
 * What `info` proposes for a layer no role uses: the first role that fits its geometry and that
 * no layer plays yet (else the first that fits), and that role's required fields, each with the
 * layer's field that carries its contract or Chinese name, or "?". Empty role when none fits.
 */
std::pair<std::string, std::vector<std::pair<std::string, std::string>>> suggest_role(
    const LayerInfo& layer, const std::vector<LayerInfo>& all);

}  // namespace gw
