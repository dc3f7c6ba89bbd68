#pragma once
/**
 * A PostGIS table's rows read by `COPY (SELECT …) TO STDOUT (FORMAT binary)` on gridwatch's own
 * libpq connection, as OGRFeatures of the definition GDAL's PostgreSQL driver gave the layer: the
 * rows that driver would give, in the order it would give them, with the same values, but with
 * nothing formatted as text by the server nor parsed from text here (GDAL 3.6's driver reads every
 * value, geometries as hex, through a text cursor). The dataset reader (geo/io/dataset.cpp) reads
 * a `PG:` layer this way when it can, and through GDAL's driver when not: a view or a table whose
 * FID column is not its primary key (GDAL's ogc_fid where there is none), a column of a type this
 * reader does not take (timestamps, float4, arrays, …), or a server that refuses the COPY before
 * its first row (GDAL's driver then reads, and fails, as before).
 */
#include <memory>
#include <string>
#include <vector>

class OGRFeature;
class OGRLayer;
class OGRSpatialReference;

namespace gw::store {

class Connection;

class TableRows {
public:
    /**
     * Starts reading `layer` (a layer of GDAL's PostgreSQL driver on the same database as `pg`),
     * under the layer's attribute filter, if any. `skip` are field indices not read (they stay
     * unset). Returns null, having sent nothing, or with the server's refusal before the first
     * row, when the layer is not one this reader takes (also: under a spatial filter, or with
     * GDAL's PGCLIENTENCODING or PG_USE_TEXT set). Turns parallel plans and the statement
     * timeout off on `pg`.
     */
    static std::unique_ptr<TableRows> start(Connection& pg, OGRLayer& layer, const std::vector<int>& skip);
    ~TableRows();
    TableRows(const TableRows&) = delete;
    TableRows& operator=(const TableRows&) = delete;

    /**
     * The next row into `f` (a feature of the layer's definition: every field read is set or set
     * null, the geometry replaced, the FID set); false after the last. A failure on the way (the
     * connection lost, a row that cannot be decoded) throws gw::Error naming the table and how many
     * rows had come.
     */
    bool next(OGRFeature& f);

    struct Column;

private:
    TableRows(Connection& pg, std::string table);
    bool fill();  // more bytes from the server into buf_; false at the end of the COPY
    [[noreturn]] void fail(const std::string& why);

    Connection& pg_;
    std::string table_;  // as named in errors
    std::vector<Column> columns_;
    OGRSpatialReference* srs_ = nullptr;  // the geometry column's, given to each geometry (as GDAL's driver does)
    char* msg_ = nullptr;     // libpq's buffer of the last CopyData message
    std::string carry_;       // bytes of a row cut between two messages
    const char* at_ = nullptr, *end_ = nullptr;
    // done_: no COPY under way on pg_ (not started yet, or its result taken): nothing to cancel.
    bool header_ = false, trailer_ = false, done_ = true;
    long long rows_ = 0;
    std::string text_;  // one text value, NUL-terminated for OGRFeature::SetField
};

}  // namespace gw::store
