#pragma once
/**
 * The one GDAL set-up of gridwatch: every reader and writer calls gdal_setup() before it asks
 * GDAL for a driver, so that drivers are registered once and the same configuration holds for
 * every open, whichever command or panel runs first.
 */

namespace gw {

/** Registers GDAL's drivers and sets gridwatch's GDAL configuration, once per process. Thread-safe. */
void gdal_setup();

}  // namespace gw
