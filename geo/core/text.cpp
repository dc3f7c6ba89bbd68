#include "geo/core/text.h"

#include <regex>

namespace gw {

std::string without_secrets(const std::string& text) {
    // key=value conninfo (password=x, password = 'a b') and URIs (postgresql://user:secret@host/db).
    // An unquoted value ends at white space; a colon that ends it is taken as the message's own
    // ("PG:… password=x: cannot be opened").
    static const std::regex kv(R"((password\s*=\s*)('[^']*'|[^\s'"]*[^\s'":]|[^\s'"]+))", std::regex::icase);
    static const std::regex uri(R"((postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@)", std::regex::icase);
    if (text.find("assword") == std::string::npos && text.find("ASSWORD") == std::string::npos &&
        text.find("://") == std::string::npos)
        return text;
    return std::regex_replace(std::regex_replace(text, kv, "$1***"), uri, "$1***@");
}

}  // namespace gw
