#include "geo/io/transverse_mercator.h"

#include <cmath>

namespace gw {

namespace {
constexpr double kDeg = 3.14159265358979323846 / 180;

/**
 * Σ cⱼ sin 2jζ for ζ = ξ + iη, given sin 2ξ, cos 2ξ, sinh 2η, cosh 2η: Clenshaw's recurrence in
 * complex numbers, bⱼ = cⱼ + 2 cos 2ζ · bⱼ₊₁ − bⱼ₊₂, the sum sin 2ζ · b₁. Real and imaginary parts.
 */
Vec2 sin_series(const std::array<double, 6>& c, double s2, double c2, double sh2, double ch2) {
    const double ar = 2 * c2 * ch2, ai = -2 * s2 * sh2;  // 2 cos 2ζ
    double br = 0, bi = 0, br1 = 0, bi1 = 0;             // bⱼ and bⱼ₊₁
    for (int j = 5; j >= 0; --j) {
        const double nr = c[j] + ar * br - ai * bi - br1, ni = ar * bi + ai * br - bi1;
        br1 = br, bi1 = bi, br = nr, bi = ni;
    }
    const double sr = s2 * ch2, si = c2 * sh2;  // sin 2ζ
    return {sr * br - si * bi, sr * bi + si * br};
}
}  // namespace

TransverseMercator::TransverseMercator(const Params& p) {
    const double f = 1 / p.inv_flattening;
    e_ = std::sqrt(f * (2 - f));
    const double n = f / (2 - f), n2 = n * n;
    // Karney (2011) eq. 14: the rectifying radius A = a / (1 + n) · (1 + n²/4 + n⁴/64 + n⁶/256).
    scale_ = p.k0 * p.a / (1 + n) * (1 + n2 * (1.0 / 4 + n2 * (1.0 / 64 + n2 / 256)));
    // Eq. 35, each αⱼ a polynomial in n (Horner's form).
    alpha_[0] =
        n * (1.0 / 2 +
             n * (-2.0 / 3 + n * (5.0 / 16 + n * (41.0 / 180 + n * (-127.0 / 288 + n * 7891.0 / 37800)))));
    alpha_[1] =
        n2 * (13.0 / 48 + n * (-3.0 / 5 + n * (557.0 / 1440 + n * (281.0 / 630 + n * -1983433.0 / 1935360))));
    alpha_[2] = n2 * n * (61.0 / 240 + n * (-103.0 / 140 + n * (15061.0 / 26880 + n * 167603.0 / 181440)));
    alpha_[3] = n2 * n2 * (49561.0 / 161280 + n * (-179.0 / 168 + n * 6601661.0 / 7257600));
    alpha_[4] = n2 * n2 * n * (34729.0 / 80640 + n * -3418889.0 / 1995840);
    alpha_[5] = n2 * n2 * n2 * (212378941.0 / 319334400);
    lon0_deg_ = p.lon0;
    x0_ = p.false_easting;
    // The false northing less the meridian's own northing at the origin's latitude.
    y0_ = p.false_northing - scale_ * xi_eta(p.lat0 * kDeg, 0).x;
}

Vec2 TransverseMercator::xi_eta(double phi, double lam) const {
    // The conformal latitude φ′ as τ′ = tan φ′ (eq. 7–9): τ′ = τ √(1 + σ²) − σ √(1 + τ²), with
    // τ = tan φ, σ = sinh(e atanh(e sin φ)); √(1 + τ²) = 1 / cos φ.
    const double s = std::sin(phi), c = std::cos(phi);
    const double sigma = std::sinh(e_ * std::atanh(e_ * s));
    const double taup = s / c * std::sqrt(1 + sigma * sigma) - sigma / c;
    // On the sphere (Gauss-Schreiber): ξ′ = atan2(τ′, cos λ), η′ = asinh(sin λ / √(τ′² + cos² λ)).
    const double sl = std::sin(lam), cl = std::cos(lam);
    const double r2 = taup * taup + cl * cl, r = std::sqrt(r2);
    const double xip = std::atan2(taup, cl), etap = std::asinh(sl / r);
    // ξ + iη = ζ′ + Σ αⱼ sin 2jζ′ (eq. 11). The double angles come from the half angles without
    // more calls: sin ξ′ = τ′/r, cos ξ′ = cos λ/r, sinh η′ = sin λ/r, cosh η′ = √(1 + τ′²)/r.
    const double s2 = 2 * taup * cl / r2, c2 = (cl * cl - taup * taup) / r2;
    const double sh = sl / r, ch = std::sqrt(1 + taup * taup) / r;
    const Vec2 d = sin_series(alpha_, s2, c2, 2 * sh * ch, 1 + 2 * sh * sh);
    return {xip + d.x, etap + d.y};
}

Vec2 TransverseMercator::forward(double lon, double lat) const {
    const Vec2 xe = xi_eta(lat * kDeg, (lon - lon0_deg_) * kDeg);
    return {x0_ + scale_ * xe.y, y0_ + scale_ * xe.x};
}

}  // namespace gw
