#pragma once
/**
 * China's obfuscated coordinates: GCJ-02 (phone apps, AMap, Tencent) and BD-09 (Baidu).
 * PROJ knows neither. The forward WGS84 -> GCJ-02 is the published closed form; the inverses
 * are iterated until the forward image matches to below 1e-9 degrees (SPEC asks for < 1e-6).
 * Outside China the offset is zero and points pass through unchanged.
 */
#include "geo/core/geometry.h"

namespace gw::gcj02 {

/** True where GCJ-02 applies its offset (the conventional rectangle around China). */
bool applies(double lon, double lat);

Vec2 from_wgs84(Vec2 lonlat);
Vec2 to_wgs84(Vec2 gcj);
Vec2 bd09_from_gcj02(Vec2 gcj);
Vec2 bd09_to_gcj02(Vec2 bd);
inline Vec2 bd09_to_wgs84(Vec2 bd) { return to_wgs84(bd09_to_gcj02(bd)); }

}  // namespace gw::gcj02
