#pragma once
/** Small text helpers shared by the readers and writers. */
#include <algorithm>
#include <string>

namespace gw {

/** ASCII letters to lower case; other bytes (UTF-8 Chinese included) as they are. */
inline std::string ascii_lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return c < 0x80 ? std::tolower(c) : c; });
    return s;
}

}  // namespace gw
