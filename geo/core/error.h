#pragma once
/**
 * Errors thrown by geo/. Each carries where it happened (file, layer, feature id, field) so that
 * main and every viewer action can print one clear line: where, what is wrong, what to do.
 */
#include <stdexcept>
#include <string>

namespace gw {

class Error : public std::runtime_error {
public:
    struct Where {
        std::string file, layer, feature, field;
    };
    Error(std::string what_is_wrong, Where where = {}, std::string what_to_do = {})
        : std::runtime_error(compose(what_is_wrong, where, what_to_do)),
          where_(std::move(where)),
          problem_(std::move(what_is_wrong)),
          hint_(std::move(what_to_do)) {}

    const Where& where() const { return where_; }
    const std::string& problem() const { return problem_; }
    const std::string& hint() const { return hint_; }

private:
    static std::string compose(const std::string& what, const Where& w, const std::string& todo) {
        std::string s;
        if (!w.file.empty()) s += w.file;
        if (!w.layer.empty()) s += (s.empty() ? "" : ": ") + std::string("layer '") + w.layer + "'";
        if (!w.feature.empty()) s += (s.empty() ? "" : ", ") + std::string("feature ") + w.feature;
        if (!w.field.empty()) s += (s.empty() ? "" : ", ") + std::string("field '") + w.field + "'";
        if (!s.empty()) s += ": ";
        s += what;
        if (!todo.empty()) s += " (" + todo + ")";
        return s;
    }
    Where where_;
    std::string problem_, hint_;
};

}  // namespace gw
