#include "geo/io/transverse_mercator.h"

#include <algorithm>
#include <cmath>
#include <limits>

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

Vec2 TransverseMercator::inverse(double x, double y) const {
    // On the plane less its origin: with the false easting a zone number's millions (39,500,000 m
    // in CGCS2000's zone 39), forward() moves in steps of 7.5e-9 m, too coarse a residual for the
    // tiles' 10 nm.
    const double X = x - x0_, Y = y - y0_;
    auto plane = [&](double lon, double lat) {
        const Vec2 xe = xi_eta(lat * kDeg, (lon - lon0_deg_) * kDeg);
        return Vec2{scale_ * xe.y, scale_ * xe.x};
    };
    // A start within a degree or so (the northing on the central meridian is A·k0 times the
    // rectifying latitude, within 0.2° of the latitude, and a degree of longitude is cos φ of one
    // of latitude, less so far east), then Newton's steps, the Jacobian by central differences of
    // 10⁻⁶° (its relative error ~10⁻⁸ slows the steps, never where they go: the residual is the
    // series itself).
    const double deg = scale_ * kDeg;  // metres a degree along the central meridian, about
    double lat = std::clamp(Y / deg, -89.0, 89.0);
    double lon = lon0_deg_ + std::clamp(X / (deg * std::max(std::cos(lat * kDeg), 0.05)), -60.0, 60.0);
    constexpr double h = 1e-6;
    // Until a step moves less than 10⁻¹⁴° (a nanometre; the residual is then the northing's
    // rounding, ~10⁻⁹ m, below which no step can go).
    for (int it = 0; it < 20; ++it) {
        const Vec2 f = plane(lon, lat);
        const double rx = X - f.x, ry = Y - f.y;
        const Vec2 fe = plane(lon + h, lat), fw = plane(lon - h, lat);
        const Vec2 fn = plane(lon, lat + h), fs = plane(lon, lat - h);
        const double a = (fe.x - fw.x) / (2 * h), b = (fn.x - fs.x) / (2 * h);
        const double c = (fe.y - fw.y) / (2 * h), d = (fn.y - fs.y) / (2 * h);
        const double det = a * d - b * c;
        if (!(std::abs(det) > 0)) break;
        const double dlon = (d * rx - b * ry) / det, dlat = (a * ry - c * rx) / det;
        lon += dlon, lat = std::clamp(lat + dlat, -89.999, 89.999);
        if (std::abs(dlon) < 1e-14 && std::abs(dlat) < 1e-14) break;
    }
    const Vec2 f = plane(lon, lat);
    if (std::abs(X - f.x) <= 1e-8 && std::abs(Y - f.y) <= 1e-8) return {lon, lat};
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan};
}

namespace {
constexpr int kDegree = 4, kNodes = kDegree + 1;
constexpr int kTerms = (kDegree + 1) * (kDegree + 2) / 2;  // Tₘ(u) Tₙ(v) with m + n ≤ kDegree
constexpr int kBlock = 16;                                 // tiles a block has across and down
constexpr double kTiles = TiledTransverseMercator::kTilesPerDegree;
constexpr double kLon = 9, kLat = 84;  // the table: the lattice Transform checks the series on

/** T₀(t) … T₄(t), Chebyshev's polynomials. */
std::array<double, kNodes> chebyshev(double t) {
    std::array<double, kNodes> c{1, t};
    for (int k = 2; k < kNodes; ++k) c[k] = 2 * t * c[k - 1] - c[k - 2];
    return c;
}

/**
 * The fit's nodes in a tile's own coordinate t ∈ [−1, 1]: Chebyshev's points cos(π(k + ½)/5),
 * rounded to a multiple of 2⁻²⁰ so that the degrees of a node, (i + (1 + t)/2)/16, are a double
 * exactly; and the inverse of V, Vₐₘ = Tₘ(tₐ), that takes values at the nodes to coefficients.
 */
struct Nodes {
    std::array<double, kNodes> t;
    std::array<std::array<double, kNodes>, kNodes> inv;  // inv[m][a]
};

Nodes make_nodes() {
    Nodes n;
    for (int a = 0; a < kNodes; ++a)
        n.t[a] = std::ldexp(std::round(std::ldexp(std::cos(M_PI * (a + 0.5) / kNodes), 20)), -20);
    // Gauss-Jordan on [V | I] with partial pivoting; V is well conditioned (Chebyshev's points).
    std::array<std::array<double, 2 * kNodes>, kNodes> m{};
    for (int a = 0; a < kNodes; ++a) {
        const auto c = chebyshev(n.t[a]);
        for (int k = 0; k < kNodes; ++k) m[a][k] = c[k];
        m[a][kNodes + a] = 1;
    }
    for (int col = 0; col < kNodes; ++col) {
        int piv = col;
        for (int r = col + 1; r < kNodes; ++r)
            if (std::abs(m[r][col]) > std::abs(m[piv][col])) piv = r;
        std::swap(m[col], m[piv]);
        const double d = m[col][col];
        for (double& v : m[col]) v /= d;
        for (int r = 0; r < kNodes; ++r) {
            if (r == col) continue;
            const double f = m[r][col];
            for (int k = 0; k < 2 * kNodes; ++k) m[r][k] -= f * m[col][k];
        }
    }
    // [I | V⁻¹]: row k of V⁻¹ gives coefficient k from the values at the nodes.
    for (int k = 0; k < kNodes; ++k)
        for (int a = 0; a < kNodes; ++a) n.inv[k][a] = m[k][kNodes + a];
    return n;
}

const Nodes& nodes() {
    static const Nodes n = make_nodes();
    return n;
}

/**
 * The degrees (or metres) of tile coordinate t in tile i, tiles `per` across (a power of two): exact
 * for the nodes and for t = −1, −½, 0, ½, 1.
 */
double coord(int i, double t, double per) { return (i + (1 + t) / 2) * per; }
}  // namespace

struct TiledTransverseMercator::Tile {
    // The polynomial in powers of the tile's coordinates, Σ aₖₗ uᵏ vˡ (k + l ≤ kDegree), easting and
    // northing side by side, in the order Horner's scheme takes them: k from kDegree down, l too.
    std::array<Vec2, kTerms> a{};
    Vec2 centre;             // the series at the tile's centre; the polynomial adds to it
    bool by_series = false;  // the polynomial missed kTileAgrees: the series serves

    Vec2 at(double u, double v) const {
        double x = 0, y = 0;
        int i = 0;
        // Unrolled whole (g++ -O2 keeps the loops, a tenth of reading a county's tracks), in the same order.
#pragma GCC unroll 8
        for (int k = kDegree; k >= 0; --k) {
            double px = a[i].x, py = a[i].y;
            ++i;
#pragma GCC unroll 8
            for (int l = kDegree - k - 1; l >= 0; --l, ++i) px = px * v + a[i].x, py = py * v + a[i].y;
            x = x * u + px, y = y * u + py;
        }
        return {centre.x + x, centre.y + y};
    }
};

struct TiledTransverseMercator::Block {
    std::array<std::atomic<const Tile*>, kBlock * kBlock> tiles{};
    ~Block() {
        for (auto& t : tiles) delete t.load(std::memory_order_relaxed);
    }
};

TiledTransverseMercator::TiledTransverseMercator(const TransverseMercator& tm, Way way) : tm_(tm), way_(way) {
    // The table: ±kLon and ±kLat, or on the plane 1,000 km either side of the central meridian and
    // the northings of ±kLat on it.
    Box t{tm.lon0() - kLon, -kLat, tm.lon0() + kLon, kLat};
    per_tile_ = 1 / kTiles, tolerance_ = kTileAgrees;
    if (way == Way::Inverse) {
        const Vec2 o = tm.origin();
        t = {o.x - 1e6, tm.forward(tm.lon0(), -kLat).y, o.x + 1e6, tm.forward(tm.lon0(), kLat).y};
        // Half the forward's: checked at 25 points, a tile strays ~2 % further between them.
        per_tile_ = kMetresPerTile, tolerance_ = kTileAgrees / 2 / 111319.49;
    }
    tiles_per_ = 1 / per_tile_;  // powers of two both: x · tiles_per_ is x / per_tile_ exactly
    i0_ = static_cast<int>(std::floor(t.xmin / per_tile_));
    ni_ = static_cast<int>(std::floor(t.xmax / per_tile_)) - i0_ + 1;
    j0_ = static_cast<int>(std::floor(t.ymin / per_tile_));
    nj_ = static_cast<int>(std::floor(t.ymax / per_tile_)) - j0_ + 1;
    blocks_x_ = (ni_ + kBlock - 1) / kBlock;
    blocks_ = std::make_unique<std::atomic<Block*>[]>(static_cast<size_t>(blocks_x_) *
                                                      ((nj_ + kBlock - 1) / kBlock));
}

TiledTransverseMercator::~TiledTransverseMercator() {
    const size_t n = static_cast<size_t>(blocks_x_) * ((nj_ + kBlock - 1) / kBlock);
    for (size_t b = 0; b < n; ++b) delete blocks_[b].load(std::memory_order_relaxed);
}

TiledTransverseMercator::Tile TiledTransverseMercator::fit(int i, int j) const {
    const Nodes& nd = nodes();
    const int ti = i0_ + i, tj = j0_ + j;  // in tiles from (0, 0)
    const double per = per_tile_;
    Tile tile;
    tile.centre = exact({coord(ti, 0, per), coord(tj, 0, per)});
    // The series less the centre at the nodes (small numbers: the fit keeps their last bits).
    std::array<std::array<Vec2, kNodes>, kNodes> f;
    for (int a = 0; a < kNodes; ++a)
        for (int b = 0; b < kNodes; ++b) {
            const Vec2 p = exact({coord(ti, nd.t[a], per), coord(tj, nd.t[b], per)});
            f[a][b] = {p.x - tile.centre.x, p.y - tile.centre.y};
        }
    // Chebyshev's coefficients C = V⁻¹ F V⁻ᵀ, of which those with m + n ≤ kDegree are kept (the rest
    // are of the size of the error of degree 4), then taken to powers: Tₘ(u) = Σ tₘₖ uᵏ.
    static constexpr double kPowers[kNodes][kNodes] = {
        {1, 0, 0, 0, 0}, {0, 1, 0, 0, 0}, {-1, 0, 2, 0, 0}, {0, -3, 0, 4, 0}, {1, 0, -8, 0, 8}};
    std::array<std::array<Vec2, kNodes>, kNodes> power{};  // [k][l]
    for (int m = 0; m <= kDegree; ++m)
        for (int n = 0; n <= kDegree - m; ++n) {
            Vec2 c{0, 0};
            for (int a = 0; a < kNodes; ++a)
                for (int b = 0; b < kNodes; ++b) {
                    const double w = nd.inv[m][a] * nd.inv[n][b];
                    c.x += w * f[a][b].x, c.y += w * f[a][b].y;
                }
            for (int k = 0; k <= m; ++k)
                for (int l = 0; l <= n; ++l) {
                    const double w = kPowers[m][k] * kPowers[n][l];
                    power[k][l].x += w * c.x, power[k][l].y += w * c.y;
                }
        }
    int next = 0;
    for (int k = kDegree; k >= 0; --k)
        for (int l = kDegree - k; l >= 0; --l) tile.a[next++] = power[k][l];
    // Checked at the 25 points of a grid of quarter tiles, corners and edges included.
    for (double u : {-1.0, -0.5, 0.0, 0.5, 1.0})
        for (double v : {-1.0, -0.5, 0.0, 0.5, 1.0}) {
            const Vec2 s = exact({coord(ti, u, per), coord(tj, v, per)}), p = tile.at(u, v);
            // The way back, in degrees: one of longitude is cos φ of one of latitude on the ground.
            const double across = way_ == Way::Inverse ? std::cos(s.y * kDeg) : 1;
            if (!(std::abs(p.x - s.x) * across <= tolerance_ && std::abs(p.y - s.y) <= tolerance_))
                tile.by_series = true;
        }
    if (tile.by_series) series_tiles_.fetch_add(1, std::memory_order_relaxed);
    return tile;
}

const TiledTransverseMercator::Tile& TiledTransverseMercator::tile(int i, int j) const {
    std::atomic<Block*>& slot = blocks_[static_cast<size_t>(j / kBlock) * blocks_x_ + i / kBlock];
    Block* block = slot.load(std::memory_order_acquire);
    if (!block) {
        auto made = std::make_unique<Block>();
        if (slot.compare_exchange_strong(block, made.get(), std::memory_order_acq_rel))
            block = made.release();
    }
    std::atomic<const Tile*>& at = block->tiles[(j % kBlock) * kBlock + i % kBlock];
    const Tile* t = at.load(std::memory_order_acquire);
    if (!t) {
        auto made = std::make_unique<const Tile>(fit(i, j));
        if (at.compare_exchange_strong(t, made.get(), std::memory_order_acq_rel)) t = made.release();
    }
    return *t;
}

Vec2 TiledTransverseMercator::missed(Vec2 p) const {
    if (way_ == Way::Forward) return tm_.forward(p.x, p.y);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    return {nan, nan};
}

Vec2 TiledTransverseMercator::at(Vec2 p) const {
    // lon · 16 (or x / 8192) and its floor are exact, and so the tile coordinate u = 2 (lon · 16 − i) − 1.
    const double x = p.x * tiles_per_, y = p.y * tiles_per_, fx = std::floor(x), fy = std::floor(y);
    const double i = fx - i0_, j = fy - j0_;
    if (!(i >= 0 && i < ni_ && j >= 0 && j < nj_)) return missed(p);
    const Tile& t = tile(static_cast<int>(i), static_cast<int>(j));
    return t.by_series ? missed(p) : t.at(2 * (x - fx) - 1, 2 * (y - fy) - 1);
}

void TiledTransverseMercator::forward(std::span<Vec2> pts) const {
    Cursor cursor(*this);
    for (Vec2& p : pts) p = cursor(p);
}

Vec2 TiledTransverseMercator::Cursor::operator()(Vec2 p) {
    const double x = p.x * tiles_.tiles_per_, y = p.y * tiles_.tiles_per_, fx = std::floor(x),
                 fy = std::floor(y);
    const double i = fx - tiles_.i0_, j = fy - tiles_.j0_;
    if (!tile_ || i != i_ || j != j_) {
        if (!(i >= 0 && i < tiles_.ni_ && j >= 0 && j < tiles_.nj_)) return tiles_.missed(p);
        tile_ = &tiles_.tile(static_cast<int>(i), static_cast<int>(j)), i_ = i, j_ = j;
    }
    return tile_->by_series ? tiles_.missed(p) : tile_->at(2 * (x - fx) - 1, 2 * (y - fy) - 1);
}

}  // namespace gw
