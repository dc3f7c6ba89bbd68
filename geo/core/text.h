#pragma once
/** Small text helpers shared by the readers, the writers and the shared store. */
#include <algorithm>
#include <string>

namespace gw {

/** ASCII letters to lower case; other bytes (UTF-8 Chinese included) as they are. */
inline std::string ascii_lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c < 0x80 ? std::tolower(c) : c; });
    return s;
}

/**
 * Text on one line: each run of white space that holds a line break or a tab (libpq's and GDAL's
 * messages run over lines) becomes one space, and none is left at the ends.
 */
inline std::string one_line(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size();) {
        if (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' || text[i] == '\t') {
            size_t k = i;
            while (k < text.size() &&
                   (text[k] == ' ' || text[k] == '\n' || text[k] == '\r' || text[k] == '\t'))
                ++k;
            const bool broken = text.find_first_of("\n\r\t", i) < k;
            if (!out.empty() && k < text.size()) out += broken ? std::string(" ") : text.substr(i, k - i);
            i = k;
        } else {
            out += text[i++];
        }
    }
    return out;
}

/**
 * Text with a database login's password masked (`password=***`, `postgresql://user:***@host`):
 * every line gridwatch prints passes through it, since a `PG:` source is named as it was given.
 */
std::string without_secrets(const std::string& text);

/** A SQL identifier, double-quoted (standard SQL: SQLite and PostgreSQL alike). */
inline std::string quote_ident(const std::string& name) {
    std::string out = "\"";
    for (char c : name) out += c == '"' ? std::string("\"\"") : std::string(1, c);
    return out + "\"";
}

/** A SQL string literal, single-quoted (PostgreSQL with standard_conforming_strings on, its default; SQLite).
 */
inline std::string quote_literal(const std::string& text) {
    std::string out = "'";
    for (char c : text) out += c == '\'' ? std::string("''") : std::string(1, c);
    return out + "'";
}

/** A layer name as GDAL gives it, `table` or `schema.table` (outside the search path), quoted. */
inline std::string quote_relation(const std::string& layer) {
    const size_t dot = layer.find('.');
    return dot == std::string::npos
               ? quote_ident(layer)
               : quote_ident(layer.substr(0, dot)) + "." + quote_ident(layer.substr(dot + 1));
}

}  // namespace gw
