#pragma once
/**
 * Files GDAL writes through a buffer of our own: the shapefile driver seeks and writes a few bytes
 * per record in each of .shp and .dbf (a record, the end-of-file mark after it, the next record
 * over that mark), and each of those is a system call on a file GDAL opens itself. A file created
 * under write_back_path() keeps a window of up to 4 MiB in memory that writes fill and seeks move
 * within; it goes to the disk when a write falls outside it, before any read, and on close.
 *
 * Only files opened to be written ("w" and "r+" modes) are buffered; every other open, and every stat,
 * listing, rename and removal, is the plain file's. A write the disk refuses (full, quota) is a GDAL
 * error (CPLError, CPLE_FileIO) naming the file, raised when the window goes to the disk: on a
 * later write (which then writes nothing), on a read, a flush or the close; and it is kept for
 * take_write_back_failure().
 */
#include <filesystem>
#include <string>

namespace gw {

/** The GDAL path of `disk` (made absolute) through the write-back buffer. */
std::string write_back_path(const std::filesystem::path& disk);

/**
 * The first write the disk refused ("PATH: reason") since the last call, and forgets it; "" when
 * none. A driver may drop the GDAL error of a failed close (the shapefile driver does); this one
 * stays until asked.
 */
std::string take_write_back_failure();

/** Installs the handler behind write_back_path(); gdal_setup() calls it once, before any file is opened. */
void install_write_back_files();

}  // namespace gw
