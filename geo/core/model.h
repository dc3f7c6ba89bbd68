#pragma once
/**
 * The dataset model of SPEC §3: every layer read into plain structs, geometry in the metric
 * working CRS. Built by open_dataset() (dataset.h) and by the demo generator (demo.h).
 */
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/geometry.h"

namespace gw {

/** Called with a fraction 0..1 and a short label while long work runs. */
using Progress = std::function<void(double, const std::string&)>;

/** Attributes a layer carried beyond the ones SPEC §3 names, kept for inspection and export. */
struct ExtraFields {
    std::vector<std::string> names;
    std::vector<int> ogr_types;  // OGRFieldType of each, to write them back as they came
};

struct Feature {
    int64_t fid = -1;                 // feature id in the source layer
    std::vector<std::string> extra;  // values of the layer's ExtraFields, as text
    // The row's version when it was read: the shared store's `version` column (SPEC §9), or a
    // `version` field a file's cameras layer carries; unset when the layer has none. Saves to the
    // store send it, so that a row changed by someone else since is a conflict, not overwritten;
    // the live listener compares it with the store's to read again only what changed.
    std::optional<int64_t> version;
};

struct Grid : Feature {
    std::string grid_id, parent_id, name, manager, phone;
    int level = 0;
    MultiPolygon shape;
};

enum HouseholdTag : unsigned { kRelocated = 1, kRisk = 2, kNewcomer = 4, kCameraTag = 8 };

struct Household : Feature {
    std::string hh_id, grid_id, head, tags, phone;
    std::optional<int> members;  // unset where the source has none, or one that is not a count
    unsigned tag_bits = 0;  // HouseholdTag flags parsed from tags
    Vec2 pos;
};

struct Camera : Feature {
    std::string cam_id, owner, status;
    double azimuth = 0, fov = 0, range = 0;
    std::optional<double> height;
    std::optional<int> resolution_px;
    Vec2 pos;
    // Its layer's LayerInfo in Dataset::layers, as read (a dataset may hold a role in several files:
    // a warning names the file the camera is in); −1 for one not read from a layer.
    int source_layer = -1;
    bool online() const { return status.empty() || status == "online"; }
};

struct Enterprise : Feature {
    std::string ent_id, name, industry, paired_grid;
    std::optional<int> employees;  // unset where the source has none, or one that is not a count
    MultiPolygon shape;
};

struct Road : Feature {
    std::string name, road_class;
    MultiLineString shape;
};

struct Building : Feature {
    std::optional<double> height;
    MultiPolygon shape;
};

struct Incident : Feature {
    std::string inc_id, type, time, color, settled_at;  // time: as written (ISO-8601 for Date/DateTime fields)
    std::optional<int64_t> when;  // time read once (geo/core/times.h); unset when empty or unreadable
    Vec2 pos;
};

struct Facility : Feature {
    std::string name, kind;
    Vec2 pos;
};

struct Candidate : Feature {
    std::string site_id;
    Vec2 pos;
};

/** The check kinds of SPEC §3, in the order tables list them. */
inline const std::vector<std::string>& check_kinds() {
    static const std::vector<std::string> kinds = {"routine", "newcomer", "returnee", "hazard", "dispute", "other"};
    return kinds;
}

/** A daily check a grid leader reported from a phone (SPEC §3 `checks`, §5.5). */
struct Check : Feature {
    std::string check_id, grid_id, reporter, kind, note;
    std::string time;             // as written
    std::optional<int64_t> when;  // on the community's clock (geo/core/times.h); unset: left out, named in bad_times
    std::optional<int> people;
    Vec2 pos;
};

/**
 * A patrol's GPS track (SPEC §3 `patrols`). Every vertex carries the time the patrol was there:
 * from the fixes when the track was given as points with `time`, else spread along the line
 * between `start` and `end` in proportion to distance (a steady walk).
 */
struct PatrolTrack : Feature {
    std::string track_id, team;
    std::string start, end;                   // as written ("" when the track came as fixes)
    std::optional<int64_t> t_start, t_end;    // on the community's clock; unset when unreadable
    MultiLineString shape;
    std::vector<std::vector<int64_t>> times;  // times[part][vertex]; empty when the track has no readable times
    bool timed() const { return !times.empty(); }
};

/**
 * Gives every vertex of a track with t_start and t_end (and no times yet) its time, in proportion
 * to the distance walked from the start (a steady walk): how a track given as a line is timed, by
 * the reader and by the demo generator alike. Distances are in the model's working CRS (metres).
 */
void spread_track_times(PatrolTrack& t);

/** One line of the validity report: what is wrong, where, and whether it was repaired. */
struct Issue {
    std::string layer, feature, problem;
    // Where the reader found it, when known: the source file and its layer's own name (a second
    // file given for the same role, 巡逻轨迹 for patrols). Empty: the role's first file.
    std::string file, source_layer;
};

/** What reading and checking a dataset found. */
struct ValidityReport {
    std::map<std::string, std::vector<std::string>> repaired;  // layer -> feature ids repaired by MakeValid
    std::vector<Issue> bad_cameras;                             // left out of analyses
    std::vector<Issue> tiling;                                  // grid hierarchy breaks
    std::vector<Issue> bad_times;    // incidents, checks and patrols whose time is empty or unreadable: left out of time windows
    std::vector<Issue> bad_values;  // text in a number field, or a count or resolution out of its range: read
                                    // as 0 or unset (feature, "field: what")
    std::vector<Issue> gdal_warnings;  // what GDAL warned of while reading a layer
    std::vector<Issue> no_geometry;    // features without geometry: left out of everything
    std::vector<Issue> repeated;       // cameras repeating an earlier row whole (id, place, values): left out
    std::vector<Issue>
        shared_ids;  // cameras sharing a cam_id at other places or with other values: both kept
    std::vector<Issue> orphan_cells;   // cells given without parent_id that no cell of the level above contains
    std::vector<Issue> unknown_codes;  // a coded value outside SPEC §3's (validate_codes): what it counts as
    std::vector<Issue> store;          // what a shared store's own state means for what was read (its masks)
    std::vector<Issue> not_shifted;    // layers --from-gcj02 / --from-bd09 left as they are (not in degrees)
    std::vector<Issue> other;                                   // everything else worth telling
    bool tiling_checked = false;
};

/** A source layer as it was found. */
struct LayerInfo {
    std::string name;         // canonical SPEC name (grids, households, …) or the source name
    std::string source_name;  // as named in the source
    std::string source;       // file or connection it came from
    std::string geometry;     // OGR geometry type name
    std::string crs;          // "EPSG:4490", or WKT name when no code
    int64_t count = 0;        // its features; -1 for a PostgreSQL layer the command did not read (a count is a scan)
    int invalid = 0;  // geometries repaired
    // How the layer was recognised (geo/io/names.h): "name", "chinese name", "fields", "mapping";
    // "" when no role uses it (it is drawn, not analysed).
    std::string recognised_by;
    int level = 0;  // grids given one layer per level: the level this layer holds
    std::vector<std::pair<std::string, std::string>> fields;  // contract field ← source field, as read
    std::vector<std::string> source_fields;                   // every field the layer has
};

/**
 * A source layer no role uses (SPEC §3: every vector layer is still drawn): its geometry in the
 * working CRS, styled by geometry type, left out of analyses.
 */
struct OtherLayer {
    std::string name;    // as named in the source
    std::string source;  // file or connection it came from
    std::vector<Vec2> points;
    std::vector<MultiLineString> lines;
    std::vector<MultiPolygon> polygons;
    size_t size() const { return points.size() + lines.size() + polygons.size(); }
};

/** What `gridwatch info` shows of a DEM. */
struct DemInfo {
    std::string file;          // the source the user named (a .tif, or the GeoPackage holding the table)
    std::string gdal_name;     // what GDAL opened: the file, or GPKG:path:table
    int width = 0, height = 0;  // native size in cells
    double res_x = 0, res_y = 0;  // native cell size, in the units of the DEM's CRS (positive)
    std::string crs;            // the DEM's own CRS ("EPSG:4542", or its name)
    std::string units;          // linear units of that CRS ("metre", "degree", …)
    int work_width = 0, work_height = 0;  // held in the working CRS
    double work_cell = 0;                 // cell size there (m)
    bool warped = false;                  // false when the DEM was already on the working CRS's grid
};

/**
 * A DEM (SPEC §3 `dem`) as read into the working CRS: a north-up grid, `z` row-major from the
 * top, NaN = unknown ground (nodata, outside the source). Read by geo/io/dem; terrain occlusion
 * over it is geo/analysis/terrain.
 */
struct Dem {
    Dem() = default;
    /** A grid as read; its working-CRS size is noted in its info. */
    Dem(int w, int h, const double geotransform[6], std::vector<float> heights, DemInfo about)
        : width(w), height(h), z(std::move(heights)), info(std::move(about)) {
        for (int i = 0; i < 6; ++i) gt[i] = geotransform[i];
        info.work_width = w, info.work_height = h, info.work_cell = gt[1];
    }
    int width = 0, height = 0;
    double gt[6] = {0, 1, 0, 0, 0, -1};  // GDAL geotransform: gt[2] = gt[4] = 0, gt[1] > 0, gt[5] < 0
    std::vector<float> z;
    DemInfo info;
};

/** The four-colour warning's settings (SPEC §5.3), from the project file or these defaults. */
struct WarningThresholds {
    // A cell's score is Σ weight(colour of incident) over its incidents in the window.
    double w_red = 3, w_yellow = 2, w_blue = 1, w_green = 0.5, w_none = 1;
    double red = 6, yellow = 3, blue = 1;  // score ≥ red → red, ≥ yellow → yellow, ≥ blue → blue, else green
};

struct Dataset {
    std::string source;    // what the user named
    std::string crs;       // the data's CRS (of the grids layer, else the first layer)
    std::string work_crs;  // "EPSG:4542"
    std::string work_crs_wkt;
    std::string work_crs_reason;  // why that working CRS (geo/io/crs.h choose_working_crs), for `info`
    // The extent is too wide for one zone: the working CRS keeps areas true but distorts
    // distances and angles, so camera ranges and view sectors are not true metres everywhere.
    bool work_crs_wide = false;
    std::string source_crs_wkt;  // WKT of `crs`, for export back to it
    std::string point_coords;    // "gcj02" / "bd09": the point layers were read from those (--from-…)
    std::vector<LayerInfo> layers;

    std::vector<Grid> grids;
    std::vector<Household> households;
    std::vector<Camera> cameras;
    std::vector<Enterprise> enterprises;
    std::vector<Road> roads;
    std::vector<Building> buildings;
    std::vector<Incident> incidents;
    std::vector<Facility> facilities;
    std::vector<Candidate> candidates;
    std::vector<Check> checks;
    std::vector<PatrolTrack> patrols;
    std::map<std::string, ExtraFields> extra_fields;  // per canonical layer name
    std::vector<OtherLayer> other_layers;              // layers no role uses: drawn only
    std::shared_ptr<const Dem> dem;                    // the `dem` raster, when a source has one

    ValidityReport report;

    bool has_layer(const std::string& canonical) const;
    Box extent() const;
    /** Grid cells of one level, in source order. */
    std::vector<const Grid*> grids_of_level(int level) const;
    /**
     * The cells of one level an analysis gives figures for, in source order. Throws gw::Error
     * where the dataset has no grids layer, and where two of them share a grid_id (SPEC §3:
     * unique; two layers of cells, or one exported twice into a folder): their figures could not
     * be told apart, nor the other's kept.
     */
    std::vector<const Grid*> cells_to_report(int level) const;
    /** Cameras fit for analysis: valid values (see validate_cameras), online unless include_offline. */
    std::vector<const Camera*> usable_cameras(bool include_offline = false) const;
};

/** Why a camera cannot be used (azimuth not finite, fov outside (0, 360], range outside (0, 10000]); "" if usable. */
std::string camera_problem(const Camera& cam);
/**
 * A resolution_px as stored: horizontal pixels, a whole number from 1 up, or none. Anything else
 * (0, negative, fractional under 1, past an int, not finite) is no resolution: the camera reaches
 * no zone that can be told (rated_for), and the readers name the value.
 */
std::optional<int> pixels_of(double v);

/**
 * Lists every unusable camera by cam_id (SPEC §3: left out of analyses, never fatal), each named in
 * its file and layer where `layers` (the dataset's) tells them (locate).
 */
std::vector<Issue> validate_cameras(const std::vector<Camera>& cameras,
                                    const std::vector<LayerInfo>& layers = {});

/** Sets the file and layer an issue of camera `c` is found in, from its source_layer in `layers`. */
void locate(Issue& issue, const Camera& c, const std::vector<LayerInfo>& layers);
/** True when the two cameras hold the same values (fid and version aside). */
bool same_camera_values(const Camera& a, const Camera& b);

/** The cameras an editor holds now, matched by fid with the cameras as it read (or last saved) them. */
struct CamerasSinceRead {
    std::vector<const Camera*>
        read;  // parallel to now: the camera as read; null for one not read (a new one)
    std::vector<const Camera*>
        gone;  // cameras as read that now holds no more (deleted in the editor), by fid
};
CamerasSinceRead cameras_since_read(const std::vector<Camera>& as_read, const std::vector<Camera>& now);

/**
 * Lists the coded values outside SPEC §3's that an analysis counts by, and what each counts as: a
 * camera's status (offline) or owner, an incident's type or colour (in no column of its own). A
 * project file's "values", and the Chinese names, map a source's own codes before this sees them.
 */
std::vector<Issue> validate_codes(const Dataset& ds);

/** The field that names a feature of a SPEC §3 layer ("" for roads, buildings, facilities: none). */
inline std::string layer_id_field(const std::string& canonical) {
    static const std::map<std::string, std::string> ids = {{"grids", "grid_id"},   {"households", "hh_id"},
                                                           {"cameras", "cam_id"},  {"enterprises", "ent_id"},
                                                           {"incidents", "inc_id"}, {"candidates", "site_id"},
                                                           {"checks", "check_id"},  {"patrols", "track_id"}};
    const auto it = ids.find(canonical);
    return it == ids.end() ? std::string() : it->second;
}

/**
 * Calls fn(rows) with the Dataset's vector for the SPEC §3 layer `canonical` (const or not, as
 * `ds` is); false, and no call, for any other name.
 */
template <class D, class Fn>
bool with_layer_rows(D& ds, const std::string& canonical, Fn&& fn) {
    const std::string& t = canonical;
    if (t == "grids") fn(ds.grids);
    else if (t == "households") fn(ds.households);
    else if (t == "cameras") fn(ds.cameras);
    else if (t == "enterprises") fn(ds.enterprises);
    else if (t == "roads") fn(ds.roads);
    else if (t == "buildings") fn(ds.buildings);
    else if (t == "incidents") fn(ds.incidents);
    else if (t == "facilities") fn(ds.facilities);
    else if (t == "candidates") fn(ds.candidates);
    else if (t == "patrols") fn(ds.patrols);
    else if (t == "checks") fn(ds.checks);
    else return false;
    return true;
}

/** The layer names of SPEC §3, in drawing order from the bottom. */
inline const std::vector<std::string>& canonical_layers() {
    static const std::vector<std::string> names = {"grids",     "enterprises", "buildings",  "roads",
                                                   "households", "cameras",     "incidents", "facilities",
                                                   "candidates", "patrols",    "checks"};
    return names;
}

/**
 * The project file beside a dataset: DATASET + ".gridwatch.json" (geo/io/project.h reads it), for a
 * folder typed with its slash beside the folder too.
 */
std::string project_path_for(const std::string& dataset);

}  // namespace gw
