#pragma once
// Reading pixels of an RGBA image back, for the render tests.
#include <cstdint>
#include <cstdlib>
#include <vector>

#include "app/render/scene.h"

namespace gwtest {

struct Pixel {
    int r, g, b;
};
inline Pixel at(const std::vector<uint8_t>& img, int w, int x, int y) {
    const uint8_t* p = &img[(size_t(y) * w + x) * 4];
    return {p[0], p[1], p[2]};
}
inline Pixel unpack(gw::app::Rgba c) { return {int(c & 255), int(c >> 8 & 255), int(c >> 16 & 255)}; }
inline bool near(Pixel a, Pixel b, int tol = 6) {
    return std::abs(a.r - b.r) <= tol && std::abs(a.g - b.g) <= tol && std::abs(a.b - b.b) <= tol;
}

}  // namespace gwtest
