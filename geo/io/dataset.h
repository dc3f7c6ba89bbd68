#pragma once
/**
 * Opening datasets: any GDAL vector source (GeoPackage, a folder of shapefiles or of GeoJSON files, GeoJSON,
 * KML, FlatGeobuf, CSV with coordinates, PG:) read into the SPEC §3 model in the working CRS.
 */
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "geo/core/model.h"
#include "geo/io/names.h"

class OGRLayer;

namespace gw {

enum class SourceCoords { Native, Gcj02, Bd09 };

struct OpenOptions {
    std::string assume_crs;                        // CRS for layers that carry none ("" = none)
    std::string work_crs;                          // override of the working CRS ("" = choose)
    SourceCoords coords = SourceCoords::Native;    // --from-gcj02 / --from-bd09 (point layers)
    std::vector<std::string> layers;               // canonical layers to read (empty = all); "" stands for
                                                   // the layers no role uses (drawn, not analysed)
    int grid_level = 0;                            // read only the cells of this level (0: all)
    // What a command that uses less may leave out (a county's `checks` reads 280k reports and
    // 10,900 cells, and makes records only of what it uses; the defaults read everything):
    // the outlines of this level's cells only (0: all): the other cells keep their ids, levels
    // and parents, with an empty shape (a cell without geometry is left out as ever, a cell of
    // another type refused as ever; the outline is not converted, repaired or reprojected).
    int grid_shape_level = 0;
    // false: a check's or an incident's time as written (Check::time, Incident::time) is kept only
    // when it cannot be read; when it can, `when` alone holds it (and no text is made for it).
    bool time_text = true;
    // Checks before this time (the community's clock) a command takes only the last of (`checks`
    // counts a window's reports, and from before it a cell's last check alone): of those, each
    // grid_id's latest is kept (ties: the lowest FID), after the others, and the rest are left
    // out of the records. Every row is still read and judged as ever (a bad time, value or
    // geometry is named or refused alike); rows without a readable time are kept. Unset: all.
    std::optional<int64_t> checks_from;
    // Without checks_from, for a command whose window ends on the latest report's date, known only
    // when every row is read (`checks` without --date): the time checks before are set aside as
    // checks_from sets them aside, given the latest readable time read so far (non-decreasing in
    // it). What the date read later leaves before the window is set aside too, every 65,536 rows
    // a reading task keeps, so a part may still hold some checks from before the window: with each
    // cell's last of the rest, a cell's last check before the window stays what the whole read's is.
    std::function<int64_t(int64_t latest)> checks_from_latest;
    // Contract fields (SPEC §3) a command does not use, by canonical layer: the source is asked not
    // to read them (OGRLayer::SetIgnoredFields), and the records leave them empty. KDE and Gi* use an
    // incident's point and time, and its type only to filter by it.
    std::map<std::string, std::vector<std::string>> unused_fields;
    const NameMapping* mapping = nullptr;          // names for layers and fields (default: the project file's)
    // Only the features with these FIDs (the shared store's live re-reads of changed rows,
    // geo/store/live.h); unset: every feature. Pointless past a few thousand ids.
    std::optional<std::vector<int64_t>> fids;
    // A `PG:` table is read by binary COPY on gridwatch's own connection where it can be
    // (geo/store/table_rows.h); false: through GDAL's PostgreSQL driver alone (the tests compare them).
    bool pg_copy = true;
    // false: no DEM is looked for or read (a command that uses no terrain: export, unless it joins
    // the patrol figures, whose camera views the terrain cuts).
    bool dem = true;
    Progress progress;
};

/**
 * Leaves out the camera rows that repeat an earlier row whole (cam_id, place and values), into
 * report.repeated, and names in report.shared_ids the cameras that share a cam_id otherwise: what
 * every reading does, and the live store's re-read of its cameras.
 */
void drop_repeated_cameras(Dataset& ds);

/**
 * Reads one or more sources (their layers merged; a later source adds features to a layer an
 * earlier one has) into a Dataset in the metric working CRS. Repairs invalid polygons (counted
 * in report.repaired) and lists unusable cameras; the grid tiling check is an analysis
 * (geo/analysis/validate.h), run by `info` on what was read.
 * A source GDAL opens only as a raster holds no layers: when its stem is `dem` (dem.tif) it is the
 * dataset's terrain, otherwise a basemap left to the viewer. A GeoPackage's raster table `dem` is
 * the terrain too (see find_dem, geo/io/dem.h); the first DEM found is used.
 * Throws gw::Error naming the file, layer, feature or field for anything that stops reading:
 * a missing or unreadable file, a layer without CRS, a required field absent or of the wrong type,
 * a DEM without geotransform or CRS.
 */
Dataset open_dataset(const std::vector<std::string>& sources, const OpenOptions& options = {});

/**
 * open_dataset a layer at a time, for a command that uses each layer on its own (export): the
 * sources are opened, their layers found and the working CRS chosen once, as open_dataset does;
 * then each canonical layer, in canonical_layers() order (and last, as "", the layers no role
 * uses, when there are any), is read, repaired and checked as open_dataset does it, and handed to
 * `each` in a Dataset of its own, let go before the next layer is read. `each` is called for
 * every canonical layer, an empty Dataset for one the sources lack. A prefecture's export holds
 * its largest layer in memory instead of all of them. No DEM is looked for (OpenOptions::dem);
 * grid_shape_level is not used (every outline is read).
 * Returns the dataset without features: its CRSs, its layers (LayerInfo, counted as read) and what
 * finding them reported. Throws as open_dataset does.
 */
Dataset open_dataset_by_layer(const std::vector<std::string>& sources, const OpenOptions& options,
                              const std::function<void(Dataset&& layer, const std::string& canonical)>& each);

/** The bundled model community, data/dapingzi.gpkg (found beside the binary or in the source tree). */
std::string bundled_dataset_path();

/**
 * Whether a shapefile's layer is GBK (SPEC §3): no .cpg, and field names or text that are not
 * UTF-8. Such a layer is opened with the open option ENCODING=CP936, so that GDAL reads its names
 * and text as UTF-8 and writes UTF-8 back in GBK. `path`: the .shp, its folder or a zip.
 */
bool gbk_shapefile(const std::string& path, OGRLayer* layer);

}  // namespace gw
