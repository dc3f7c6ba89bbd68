#include "geo/io/gcj02.h"

#include <cmath>

namespace gw::gcj02 {
namespace {

constexpr double kA = 6378245.0;                // Krasovsky 1940 semi-major axis
constexpr double kEE = 0.00669342162296594323;  // its first eccentricity squared
constexpr double kPi = 3.14159265358979324;
constexpr double kXPi = kPi * 3000.0 / 180.0;

double offset_lat(double x, double y) {
    double r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(y * kPi) + 40.0 * std::sin(y / 3.0 * kPi)) * 2.0 / 3.0;
    r += (160.0 * std::sin(y / 12.0 * kPi) + 320.0 * std::sin(y * kPi / 30.0)) * 2.0 / 3.0;
    return r;
}

double offset_lon(double x, double y) {
    double r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
    r += (20.0 * std::sin(6.0 * x * kPi) + 20.0 * std::sin(2.0 * x * kPi)) * 2.0 / 3.0;
    r += (20.0 * std::sin(x * kPi) + 40.0 * std::sin(x / 3.0 * kPi)) * 2.0 / 3.0;
    r += (150.0 * std::sin(x / 12.0 * kPi) + 300.0 * std::sin(x / 30.0 * kPi)) * 2.0 / 3.0;
    return r;
}

}  // namespace

bool applies(double lon, double lat) { return lon >= 72.004 && lon <= 137.8347 && lat >= 0.8293 && lat <= 55.8271; }

Vec2 from_wgs84(Vec2 p) {
    if (!applies(p.x, p.y)) return p;
    double dlat = offset_lat(p.x - 105.0, p.y - 35.0);
    double dlon = offset_lon(p.x - 105.0, p.y - 35.0);
    const double radlat = p.y / 180.0 * kPi;
    double magic = std::sin(radlat);
    magic = 1 - kEE * magic * magic;
    const double sqrtmagic = std::sqrt(magic);
    dlat = (dlat * 180.0) / ((kA * (1 - kEE)) / (magic * sqrtmagic) * kPi);
    dlon = (dlon * 180.0) / (kA / sqrtmagic * std::cos(radlat) * kPi);
    return {p.x + dlon, p.y + dlat};
}

Vec2 to_wgs84(Vec2 g) {
    if (!applies(g.x, g.y)) return g;
    // Fixed-point iteration: the offset varies slowly, so each step gains several digits.
    Vec2 w = g;
    for (int i = 0; i < 30; ++i) {
        const Vec2 f = from_wgs84(w);
        const Vec2 d = f - g;
        w = w - d;
        if (std::abs(d.x) < 1e-12 && std::abs(d.y) < 1e-12) break;
    }
    return w;
}

Vec2 bd09_from_gcj02(Vec2 g) {
    const double z = std::sqrt(g.x * g.x + g.y * g.y) + 0.00002 * std::sin(g.y * kXPi);
    const double theta = std::atan2(g.y, g.x) + 0.000003 * std::cos(g.x * kXPi);
    return {z * std::cos(theta) + 0.0065, z * std::sin(theta) + 0.006};
}

Vec2 bd09_to_gcj02(Vec2 b) {
    // Closed-form approximation, then refined so that bd09_from_gcj02 reproduces the input.
    const double x = b.x - 0.0065, y = b.y - 0.006;
    const double z = std::sqrt(x * x + y * y) - 0.00002 * std::sin(y * kXPi);
    const double theta = std::atan2(y, x) - 0.000003 * std::cos(x * kXPi);
    Vec2 g{z * std::cos(theta), z * std::sin(theta)};
    for (int i = 0; i < 20; ++i) {
        const Vec2 d = bd09_from_gcj02(g) - b;
        g = g - d;
        if (std::abs(d.x) < 1e-12 && std::abs(d.y) < 1e-12) break;
    }
    return g;
}

}  // namespace gw::gcj02
