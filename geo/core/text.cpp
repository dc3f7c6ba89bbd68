#include "geo/core/text.h"

#include <regex>

namespace gw {

std::string without_secrets(const std::string& text) {
    // key=value conninfo as libpq reads it: a value in single quotes with \' and \\ inside, or up to
    // white space with \-escapes (password=a\ b); a colon that ends an unquoted value is taken as
    // the message's own ("PG:… password=x: cannot be opened"). And URIs (postgresql://user:secret@host).
    static const std::regex kv(
        R"((password\s*=\s*)('(?:\\.|[^'\\])*'?|(?:\\.|[^\s\\])*(?:\\.|[^\s\\:])|(?:\\.|[^\s\\])+))",
        std::regex::icase);
    static const std::regex uri(R"((postgres(?:ql)?://[^:/@\s]*:)[^@\s]*@)", std::regex::icase);
    const std::string lower = ascii_lower(text);
    if (lower.find("password") == std::string::npos && lower.find("://") == std::string::npos) return text;
    return std::regex_replace(std::regex_replace(text, kv, "$1***"), uri, "$1***@");
}

}  // namespace gw
