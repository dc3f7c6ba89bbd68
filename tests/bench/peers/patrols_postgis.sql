-- Peer for `gridwatch patrols --json`: the same per-cell work in PostGIS, the closest SQL can say it.
-- Expects, as ogr2ogr loads them: `grids`, `roads`, `patrols` (EPSG:4490, LineStrings with text or
-- timestamp `start`/`end`), and `views`: the online cameras' view polygons exported by gridwatch
-- (`gridwatch coverage --no-gaps --out views.gpkg`, layer views, EPSG:4542, occlusion included):
-- SQL has no visibility polygon, so the peer is given gridwatch's views rather than sectors without
-- occlusion. Variables: :from, :until (the window, 'YYYY-MM-DD HH:MM:SS', until exclusive),
-- :night_from, :night_to (seconds after midnight; night wraps midnight when from > to).
--
-- Per L4 cell: road metres (ST_Intersection of roads and the cell); camera metres (road ∩ views);
-- patrolled metres = road ∩ ST_Buffer(track parts in the window, 25) — a buffer, not gridwatch's
-- "along" projection, so a track crossing a road counts 50 m here and 0 m there; night metres the
-- same with the parts walked at night; both = camera ∩ buffers; neither = road − camera − patrolled
-- + both. Track times are spread along each line by distance in EPSG:4542, as gridwatch reads them.
\set ON_ERROR_STOP on
DROP TABLE IF EXISTS cells, rds, rseg, trk, walked, night_walked, wbuf, nbuf, rc, rc_cam, rc_pat, rc_night, result;

CREATE TABLE cells AS
SELECT fid AS ord, grid_id, ST_MakeValid(ST_Transform(geom, 4542)) AS geom FROM grids WHERE level = 4;
CREATE TABLE rds AS SELECT fid AS id, ST_Transform(geom, 4542) AS geom FROM roads WHERE geom IS NOT NULL;

-- A time that does not read is no time (the track is left out, as gridwatch leaves it out).
CREATE FUNCTION pg_temp.ts(t text) RETURNS timestamp AS $$
BEGIN RETURN t::timestamp; EXCEPTION WHEN others THEN RETURN NULL; END $$ LANGUAGE plpgsql IMMUTABLE;

-- The tracks overlapping the window, with their times as civil seconds.
CREATE TABLE trk AS
SELECT track_id, geom, extract(epoch FROM s) AS t0, extract(epoch FROM e) AS t1
FROM (SELECT track_id, ST_Transform(geom, 4542) AS geom, pg_temp.ts(start::text) AS s, pg_temp.ts("end"::text) AS e
      FROM patrols WHERE geom IS NOT NULL) p
WHERE s <= e AND s < :'until'::timestamp AND e >= :'from'::timestamp;

-- Each cut to the part walked in the window.
CREATE TABLE walked AS
SELECT track_id, t0, t1, f0, f1, ST_LineSubstring(geom, f0, f1) AS geom
FROM (SELECT *, CASE WHEN t1 > t0 THEN greatest(0, (extract(epoch FROM :'from'::timestamp) - t0) / (t1 - t0)) ELSE 0 END AS f0,
                CASE WHEN t1 > t0 THEN least(1, (extract(epoch FROM :'until'::timestamp) - t0) / (t1 - t0)) ELSE 1 END AS f1
      FROM trk) s
WHERE f1 > f0;

-- Their night parts: each day's night interval met with the part's times.
CREATE TABLE night_walked AS
WITH n AS (
    SELECT w.track_id, t.geom, w.t0, w.t1,
           greatest(w.t0 + (w.t1 - w.t0) * w.f0, d * 86400.0 + :night_from) AS a,
           least(w.t0 + (w.t1 - w.t0) * w.f1,
                 d * 86400.0 + :night_to + CASE WHEN :night_from > :night_to THEN 86400 ELSE 0 END) AS b
    FROM walked w JOIN trk t USING (track_id),
         generate_series(floor((w.t0 + (w.t1 - w.t0) * w.f0) / 86400)::bigint - 1,
                         floor((w.t0 + (w.t1 - w.t0) * w.f1) / 86400)::bigint) d
    WHERE w.t1 > w.t0
)
SELECT track_id, ST_LineSubstring(geom, (a - t0) / (t1 - t0), (b - t0) / (t1 - t0)) AS geom FROM n WHERE b > a;

CREATE TABLE wbuf AS SELECT ST_Buffer(geom, 25) AS geom FROM walked;
CREATE TABLE nbuf AS SELECT ST_Buffer(geom, 25) AS geom FROM night_walked;
UPDATE views SET geom = ST_SetSRID(geom, 4542) WHERE ST_SRID(geom) <> 4542;

CREATE INDEX ON cells USING gist (geom);
CREATE INDEX ON rds USING gist (geom);
CREATE INDEX ON wbuf USING gist (geom);
CREATE INDEX ON nbuf USING gist (geom);
CREATE INDEX ON views USING gist (geom);
ANALYZE cells; ANALYZE rds; ANALYZE wbuf; ANALYZE nbuf; ANALYZE views;

-- Roads cut by the cells, segment by segment (each road segment met with each cell on its own, so
-- that a segment along an edge two cells share comes out the same from both). A segment counts for the first cell in the layer
-- whose closed area holds its middle (as gridwatch counts it: a road along an edge two cells share
-- counts once). Then joined again per road and cell.
CREATE TABLE rseg AS SELECT id, (ST_DumpSegments(geom)).geom AS geom FROM rds;
CREATE INDEX ON rseg USING gist (geom);
ANALYZE rseg;
CREATE TABLE rc AS
SELECT row_number() OVER () AS id, grid_id, geom FROM (
    SELECT grid_id, ST_Collect(geom) AS geom FROM (
        SELECT p.*, ST_LineInterpolatePoint(p.geom, 0.5) AS mid FROM (
            SELECT c.ord, c.grid_id, c.geom AS cell, r.id AS road,
                   (ST_Dump(ST_CollectionExtract(ST_Intersection(r.geom, c.geom), 2))).geom AS geom
            FROM rseg r JOIN cells c ON ST_Intersects(r.geom, c.geom)) p) s
    WHERE ST_Covers(cell, mid) AND NOT EXISTS (SELECT 1 FROM cells o WHERE o.ord < s.ord AND ST_Covers(o.geom, mid))
    GROUP BY grid_id, road) q;
CREATE INDEX ON rc USING gist (geom);
ANALYZE rc;

CREATE TABLE rc_cam AS
SELECT rc.id, ST_Union(ST_CollectionExtract(ST_Intersection(rc.geom, v.geom), 2)) AS geom
FROM rc JOIN views v ON ST_Intersects(rc.geom, v.geom) GROUP BY rc.id;
CREATE TABLE rc_pat AS
SELECT rc.id, ST_Length(ST_Union(ST_CollectionExtract(ST_Intersection(rc.geom, b.geom), 2))) AS patrolled_m,
       ST_Length(ST_Union(ST_CollectionExtract(ST_Intersection(cam.geom, b.geom), 2))) AS both_m
FROM rc JOIN wbuf b ON ST_Intersects(rc.geom, b.geom) LEFT JOIN rc_cam cam ON cam.id = rc.id GROUP BY rc.id;
CREATE TABLE rc_night AS
SELECT rc.id, ST_Length(ST_Union(ST_CollectionExtract(ST_Intersection(rc.geom, b.geom), 2))) AS night_m
FROM rc JOIN nbuf b ON ST_Intersects(rc.geom, b.geom) GROUP BY rc.id;

-- Every cell, roads or not.
CREATE TABLE result AS
SELECT c.grid_id, COALESCE(s.road_m, 0) AS road_m, COALESCE(s.camera_m, 0) AS camera_m,
       COALESCE(s.patrolled_m, 0) AS patrolled_m, COALESCE(s.both_m, 0) AS both_m,
       COALESCE(s.road_m - s.camera_m - s.patrolled_m + s.both_m, 0) AS neither_m,
       CASE WHEN COALESCE(s.patrolled_m, 0) > 0 THEN s.night_m / s.patrolled_m ELSE 0 END AS night_share
FROM cells c LEFT JOIN (
    SELECT rc.grid_id, sum(ST_Length(rc.geom)) AS road_m, sum(COALESCE(ST_Length(cam.geom), 0)) AS camera_m,
           sum(COALESCE(p.patrolled_m, 0)) AS patrolled_m, sum(COALESCE(p.both_m, 0)) AS both_m,
           sum(COALESCE(n.night_m, 0)) AS night_m
    FROM rc LEFT JOIN rc_cam cam ON cam.id = rc.id LEFT JOIN rc_pat p ON p.id = rc.id LEFT JOIN rc_night n ON n.id = rc.id
    GROUP BY rc.grid_id) s ON s.grid_id = c.grid_id;
