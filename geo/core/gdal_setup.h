#pragma once
/**
 * The one GDAL set-up of gridwatch: every reader and writer calls gdal_setup() before it asks
 * GDAL for a driver, so that drivers are registered once and the same configuration holds for
 * every open, whichever command or panel runs first.
 */

#include <cpl_conv.h>

class GDALDataset;

namespace gw {

/** Registers GDAL's drivers and sets gridwatch's GDAL configuration, once per process. Thread-safe. */
void gdal_setup();

/**
 * While in scope, a GeoPackage GDAL opens on this thread waits up to two minutes for another
 * writer's lock (SQLite's busy timeout; GDAL applies OGR_SQLITE_PRAGMA to GeoPackages) instead of
 * failing at once with "database is locked": an import, an edit, a rollback beside each other.
 */
class WaitForOtherWriters {
    CPLConfigOptionSetter busy_{"OGR_SQLITE_PRAGMA", "busy_timeout=120000", false};

public:
    /** The same for a GeoPackage or SQLite file already open (GDAL's update connection may not take the
     * option). */
    static void on(GDALDataset& ds);
};

}  // namespace gw
