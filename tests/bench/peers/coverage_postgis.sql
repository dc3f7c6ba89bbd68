-- Peer for `gridwatch coverage --occlusion none`: per-cell camera coverage in PostGIS.
-- Expects tables `grids` and `cameras` as ogr2ogr loads them from the dataset (EPSG:4490,
-- geometry column `geom`); :level is the grid level. Builds each usable online camera's sector
-- (SPEC §5.1: apex, azimuth clockwise from north, opening fov, radius range, arc vertices at most
-- 2° apart as geo/analysis/camera_view.h kArcStep, fov 360 a disc) in EPSG:4542, GiST indexes, then per cell
-- ST_Area(ST_Intersection(cell, ST_Union(sectors intersecting the cell))). No occlusion.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS cells, sectors, cov;

CREATE TABLE cells AS
SELECT grid_id, ST_MakeValid(ST_Transform(geom, 4542)) AS geom
FROM grids WHERE level = :level;

CREATE TABLE sectors AS
WITH c AS (
    SELECT cam_id, ST_Transform(geom, 4542) AS p, fov, "range" AS r,
           (90.0 - azimuth - fov / 2) * (pi() / 180.0) AS a0,
           (90.0 - azimuth - fov / 2) * (pi() / 180.0) + fov * (pi() / 180.0) AS a1
    FROM cameras
    WHERE geom IS NOT NULL
      AND (status IS NULL OR status = '' OR status = 'online')
      AND azimuth IS NOT NULL AND azimuth NOT IN ('NaN'::float8, 'Infinity'::float8, '-Infinity'::float8)
      AND fov > 0 AND fov <= 360 AND "range" > 0 AND "range" <= 10000
), n AS (
    SELECT *, greatest(1, ceil((a1 - a0) / (2.0 * pi() / 180.0)))::int AS n FROM c
)
SELECT cam_id, ST_SetSRID(ST_MakePolygon(ST_MakeLine(
    CASE WHEN fov >= 360 THEN
        array(SELECT ST_MakePoint(ST_X(p) + r * cos(a0 + (a1 - a0) * i / n), ST_Y(p) + r * sin(a0 + (a1 - a0) * i / n))
              FROM generate_series(0, n - 1) i ORDER BY i)
        || ST_MakePoint(ST_X(p) + r * cos(a0), ST_Y(p) + r * sin(a0))
    ELSE
        ARRAY[ST_MakePoint(ST_X(p), ST_Y(p))]
        || array(SELECT ST_MakePoint(ST_X(p) + r * cos(a0 + (a1 - a0) * i / n), ST_Y(p) + r * sin(a0 + (a1 - a0) * i / n))
                 FROM generate_series(0, n) i ORDER BY i)
        || ST_MakePoint(ST_X(p), ST_Y(p))
    END)), 4542) AS geom
FROM n;

CREATE INDEX cells_gix ON cells USING gist (geom);
CREATE INDEX sectors_gix ON sectors USING gist (geom);
ANALYZE cells;
ANALYZE sectors;

CREATE TABLE cov AS
SELECT c.grid_id, ST_Area(c.geom) AS area_m2,
       COALESCE((SELECT ST_Area(ST_Intersection(c.geom, ST_Union(s.geom)))
                 FROM sectors s WHERE ST_Intersects(c.geom, s.geom)), 0) AS covered_m2
FROM cells c;
