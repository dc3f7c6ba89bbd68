#pragma once
/**
 * Bulk coordinate transformation: PROJ over many points, split across threads, and each distinct
 * point transformed once (grid cells share every edge with a neighbour and with their parent, so
 * a county's 690,000 grid vertices are 185,000 distinct points). Used by reading and writing.
 */
#include <cpl_conv.h>
#include <cpl_error.h>
#include <ogr_spatialref.h>
#include <tbb/enumerable_thread_specific.h>
#include <tbb/task_arena.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "geo/core/geometry.h"
#include "geo/core/parallel.h"
#include "geo/io/crs.h"

namespace gw {

/**
 * Distinct points, numbered in first-seen order: an open-addressing table keyed by the exact bits
 * of the coordinates (a node-based map costs more in allocation than the PROJ calls it saves).
 */
class PointIndex {
public:
    /** The number of p, adding it when new. */
    uint32_t find_or_add(Vec2 p) {
        if ((points_.size() + 1) * 2 > slots_.size()) grow(slots_.size() * 2);
        const uint64_t x = std::bit_cast<uint64_t>(p.x), y = std::bit_cast<uint64_t>(p.y);
        for (size_t s = hash(x, y) & (slots_.size() - 1);; s = (s + 1) & (slots_.size() - 1)) {
            if (slots_[s] == 0) {
                points_.push_back(p);
                slots_[s] = static_cast<uint32_t>(points_.size());
                return slots_[s] - 1;
            }
            const Vec2 q = points_[slots_[s] - 1];
            if (std::bit_cast<uint64_t>(q.x) == x && std::bit_cast<uint64_t>(q.y) == y) return slots_[s] - 1;
        }
    }
    const std::vector<Vec2>& points() const { return points_; }
    /** Makes room for n more points without growing on the way. */
    void reserve(size_t n) {
        points_.reserve(points_.size() + n);
        if ((points_.size() + n) * 2 > slots_.size()) grow((points_.size() + n) * 2);
    }

private:
    static uint64_t mix(uint64_t z) {  // splitmix64's finalizer: nearby coordinates spread out
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
        return z ^ (z >> 31);
    }
    static uint64_t hash(uint64_t x, uint64_t y) { return mix(x ^ mix(y)); }
    /** Rehashes into at least `want` slots (a power of two, so that a mask picks the slot). */
    void grow(size_t want) {
        std::vector<uint32_t> old = std::move(slots_);
        slots_.assign(std::bit_ceil(std::max<size_t>(1024, want)), 0);
        for (uint32_t v : old) {
            if (v == 0) continue;
            const Vec2 q = points_[v - 1];
            size_t s = hash(std::bit_cast<uint64_t>(q.x), std::bit_cast<uint64_t>(q.y)) & (slots_.size() - 1);
            while (slots_[s] != 0) s = (s + 1) & (slots_.size() - 1);
            slots_[s] = v;
        }
    }
    std::vector<uint32_t> slots_;  // 1 + index into points_, 0 = empty
    std::vector<Vec2> points_;
};

/**
 * Takes coordinates from one CRS to another through PROJ (an inverse Gauss-Kruger projection per
 * vertex is most of an export's CPU time, a forward one most of reading's). Large batches are
 * split over the cores (geo/core/parallel.h), each thread with its own transformation (a PROJ
 * object serves one thread); every point is transformed on its own, so the result does not depend
 * on the split.
 */
class Projector {
public:
    Projector(const OGRSpatialReference& from, const OGRSpatialReference& to)
        : main_(from, to), from_wkt_(crs_wkt2(from)), to_wkt_(crs_wkt2(to)) {}

    /** Transforms in place; throws gw::Error when a point fails. */
    void apply(std::vector<Vec2>& pts) const {
        if (main_.identity() || pts.empty()) return;
        constexpr size_t kPerChunk = 50000;  // below this a transformation's setup (~1 ms) is not worth it
        const size_t chunks = (pts.size() + kPerChunk - 1) / kPerChunk;
        if (main_.try_series(pts))
            return;  // Krüger's series through its tiles, either way: ~10–20 ns a point
        if (chunks <= 1) {
            main_.apply_by_proj(pts);
            return;
        }
        // Each thread's own transformation, made on its first chunk. Isolated: a thread waiting
        // here takes no other work that could reach for the same transformation meanwhile.
        tbb::enumerable_thread_specific<std::optional<Transform>> own;
        tbb::this_task_arena::isolate([&] {
            parallel_for(chunks, [&](size_t c) {
                std::optional<Transform>& t = own.local();
                // A failure comes back as the exception; GDAL's own report of it would go to the
                // default handler (handlers are per thread) and print on stderr.
                CPLErrorHandlerPusher quiet(CPLQuietErrorHandler);
                if (!t) t.emplace(srs(from_wkt_), srs(to_wkt_));
                std::vector<Vec2> part(pts.begin() + c * kPerChunk, pts.begin() + std::min(pts.size(), (c + 1) * kPerChunk));
                t->apply_by_proj(part);
                std::copy(part.begin(), part.end(), pts.begin() + c * kPerChunk);
            });
        });
    }

    /**
     * Like apply, transforming each distinct point once over the whole export: grid cells share
     * every edge with a neighbour and with their parent, so a county's 690,000 grid vertices are
     * 185,000 distinct points.
     */
    void apply_shared(std::vector<Vec2>& pts) {
        if (main_.identity() || pts.empty()) return;
        std::vector<uint32_t> number(pts.size());
        seen_.reserve(pts.size());
        for (size_t i = 0; i < pts.size(); ++i) number[i] = seen_.find_or_add(pts[i]);
        std::vector<Vec2> fresh(seen_.points().begin() + static_cast<std::ptrdiff_t>(projected_.size()),
                                seen_.points().end());
        apply(fresh);
        projected_.insert(projected_.end(), fresh.begin(), fresh.end());
        for (size_t i = 0; i < pts.size(); ++i) pts[i] = projected_[number[i]];
    }

    /** Whether Krüger's series stands in for PROJ (Transform::by_series): a point costs ~10–20 ns, not ~190.
     */
    bool by_series() const { return main_.by_series(); }

    /** The transformation itself (its series, where by_series()). */
    const Transform& transform() const { return main_; }

    /** Transforms one feature's points with the main transformation (to name a failing feature). */
    void apply_one(std::vector<Vec2>& pts) const { main_.apply(pts); }

private:
    static OGRSpatialReference srs(const std::string& wkt) {
        OGRSpatialReference s;
        s.SetAxisMappingStrategy(OAMS_TRADITIONAL_GIS_ORDER);
        s.importFromWkt(wkt.c_str());
        return s;
    }

    Transform main_;
    std::string from_wkt_, to_wkt_;
    PointIndex seen_;              // distinct points given to apply_shared
    std::vector<Vec2> projected_;  // their transforms, in the same order
};


}  // namespace gw
