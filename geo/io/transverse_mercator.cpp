#include "geo/io/transverse_mercator.h"

#include <algorithm>
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
    // Eq. 36.
    beta_[0] =
        n * (1.0 / 2 +
             n * (-2.0 / 3 + n * (37.0 / 96 + n * (-1.0 / 360 + n * (-81.0 / 512 + n * 96199.0 / 604800)))));
    beta_[1] =
        n2 * (1.0 / 48 + n * (1.0 / 15 + n * (-437.0 / 1440 + n * (46.0 / 105 + n * -1118711.0 / 3870720))));
    beta_[2] = n2 * n * (17.0 / 480 + n * (-37.0 / 840 + n * (-209.0 / 4480 + n * 5569.0 / 90720)));
    beta_[3] = n2 * n2 * (4397.0 / 161280 + n * (-11.0 / 504 + n * -830251.0 / 7257600));
    beta_[4] = n2 * n2 * n * (4583.0 / 161280 + n * -108847.0 / 3991680);
    beta_[5] = n2 * n2 * n2 * (20648693.0 / 638668800);
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

Vec2 TransverseMercator::inverse(double x, double y) const {
    const double xi = (y - y0_) / scale_, eta = (x - x0_) / scale_;
    // ζ′ = ζ − Σ βⱼ sin 2jζ (eq. 11 inverted, eq. 36).
    const double s2 = std::sin(2 * xi), c2 = std::cos(2 * xi);
    const double e2 = std::exp(2 * eta), sh2 = (e2 - 1 / e2) / 2, ch2 = (e2 + 1 / e2) / 2;
    const Vec2 d = sin_series(beta_, s2, c2, sh2, ch2);
    const double xip = xi - d.x, etap = eta - d.y;
    // Back from the sphere: τ′ = sin ξ′ / √(sinh² η′ + cos² ξ′), λ = atan2(sinh η′, cos ξ′).
    const double sx = std::sin(xip), cx = std::cos(xip), sh = std::sinh(etap);
    const double taup = sx / std::sqrt(sh * sh + cx * cx);
    const double lam = std::atan2(sh, cx);
    // τ from τ′ by Newton's method (eqs. 19–21), from τ = τ′; two or three steps reach double precision.
    const double e2m = 1 - e_ * e_;
    double tau = taup;
    for (int i = 0; i < 6; ++i) {
        const double root = std::sqrt(1 + tau * tau);
        const double sigma = std::sinh(e_ * std::atanh(e_ * tau / root));
        const double taupi = tau * std::sqrt(1 + sigma * sigma) - sigma * root;
        const double step =
            (taup - taupi) / std::sqrt(1 + taupi * taupi) * (1 + e2m * tau * tau) / (e2m * root);
        tau += step;
        if (!(std::abs(step) > 1e-16 * std::max(1.0, std::abs(tau)))) break;
    }
    return {lon0_deg_ + lam / kDeg, std::atan(tau) / kDeg};
}

}  // namespace gw
