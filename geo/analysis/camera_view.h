#pragma once
/**
 * What a camera sees (SPEC §5.1): the circular sector at the camera, bisected by its azimuth,
 * cut by buildings into an exact 2-D visibility polygon, and optionally shortened to an IEC
 * 62676-4 pixel-density zone. Geometry in the metric working CRS.
 */
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/model.h"

namespace gw {

class BoxIndex;
class Terrain;

/** IEC 62676-4 pixel-density zones, px/m at the target. */
enum class Quality { Any = 0, Detect, Observe, Recognise, Identify };
double quality_px_per_m(Quality q);  // 0, 25, 62.5, 125, 250
/** Parses "detect|observe|recognise|recognize|identify|any"; throws gw::Error otherwise. */
Quality parse_quality(const std::string& s);
const char* quality_name(Quality q);

/**
 * Distance up to which a camera reaches `q` (m): resolution_px / (2 tan(fov/2) · density); for
 * fov ≥ 180° the horizontal pixels spread over the arc, resolution_px / (fov_rad · density).
 * Infinite for Quality::Any or a camera without resolution_px (no limit known).
 */
double quality_distance(const Camera& cam, Quality q);

/** Largest angular step of an arc (radians) keeping a polygon within 0.1% of the true sector. */
inline constexpr double kArcStep = 2.0 * 3.14159265358979323846 / 180.0;  // area short by δ²/6 = 0.02%

/**
 * The open sector: apex, azimuth (degrees clockwise from north), fov (degrees, 360 = disc), radius
 * (m). Arc vertices at most kArcStep apart.
 */
Polygon sector_polygon(Vec2 apex, double azimuth_deg, double fov_deg, double radius);

/** The exact area of a sector, fov/360 · π r². */
double sector_area(double fov_deg, double radius);

/** Buildings indexed for visibility queries. */
class Occluders {
public:
    /**
     * From how many edges near a camera its rays ask only the edges whose angular spans hold them
     * (and crossings only pairs whose boxes meet) rather than every edge: the same polygon either
     * way. Tests set 0 or SIZE_MAX to compare the two.
     */
    static constexpr size_t kSpanSweepFrom = 32;
    explicit Occluders(const std::vector<Building>& buildings, size_t span_sweep_from = kSpanSweepFrom);
    ~Occluders();
    bool empty() const { return polys_.empty(); }
    /**
     * The visibility polygon from `apex` within the sector: every point q with |q − apex| ≤ radius,
     * inside the sector, and the open segment apex→q crossing no building edge. Exact up to the
     * arc discretisation (kArcStep). The building the apex stands in or on (a camera on its own
     * wall) is not an occluder but its interior is removed afterwards by camera_view; `holding`,
     * when given, gets those buildings (holds).
     */
    Polygon visibility(Vec2 apex, double azimuth_deg, double fov_deg, double radius,
                       std::vector<int>* holding = nullptr) const;
    /**
     * Whether building i holds `apex`: inside it or within a micrometre of its outline (a camera
     * on its wall). Such a building does not occlude; every other one bounds the view.
     */
    bool holds(int i, Vec2 apex) const;
    /** Indices of buildings whose box meets the disc (apex, radius). */
    std::vector<int> near(Vec2 apex, double radius) const;
    const MultiPolygon& shape(int i) const { return polys_[i]; }
    const Box& box(int i) const { return boxes_[i]; }

private:
    std::vector<MultiPolygon> polys_;
    std::vector<Box> boxes_;
    std::unique_ptr<BoxIndex> index_;
    size_t span_sweep_from_;
};

/**
 * The sweep's polygon of a sector camera (Occluders::visibility: its apex first, then its outline
 * in the order of the angle around the apex) less the convex building `house` (a ring either way
 * round) that holds the apex inside, clear of its walls by 10 µm: a GEOS difference made by hand,
 * as camera_view cuts a camera's own house. Null where what is left is not one simple ring (a wall
 * reaching the outline or beyond it, the apex on or by a wall, a disc): GEOS cuts those.
 */
std::optional<Polygon> sweep_less_house(const Polygon& sweep, Vec2 apex, const Ring& house,
                                        double azimuth_deg, double fov_deg);

struct ViewOptions {
    bool occlusion = true;
    Quality quality = Quality::Any;
    const Terrain* terrain = nullptr;  // the dataset's DEM (geo/analysis/terrain.h), used when occlusion is on
};

/**
 * Whether the zones of quality q can be told for the camera: any quality, or a resolution_px that
 * is a positive number (the file reader drops others; a store keeps what it holds). A camera that
 * cannot be rated has no view under q: the zone it reaches is unknown, and its whole range would
 * claim what it may not see.
 */
bool rated_for(const Camera& cam, Quality q);

/**
 * Takes out of `cams` those not rated_for q, each named in `unrated` ("resolution_px missing or
 * under 1"): what coverage and placement leave out under a quality, and say so.
 */
void leave_out_unrated(std::vector<const Camera*>& cams, Quality q, std::vector<Issue>& unrated);

/**
 * The view of one camera: the sector (radius shortened to the quality zone), with building
 * occlusion when `occluders` is given and non-empty, minus every building interior it reaches,
 * and, when options.occlusion and options.terrain, minus the ground the DEM hides from the lens
 * (Terrain::hidden from camera_height(cam), geo/analysis/terrain.h).
 * Empty for a camera whose values are unusable (see camera_problem) or that is not rated_for the quality.
 */
MultiPolygon camera_view(const Camera& cam, const Occluders* occluders, const ViewOptions& options = {});

}  // namespace gw
