-- PostGIS peer of `gridwatch checks --json` (SPEC §5.5): the same per-cell work in SQL, on the
-- `grids` and `checks` tables as ogr2ogr loads them from the GeoPackage (geometry column geom,
-- the data's own CRS, time as ISO-8601 text).
--   psql -v date=YYYY-MM-DD -v days=N -v work_srid=4542 -f checks_postgis.sql
-- (work_srid: the metric CRS distances are measured in, gridwatch's working CRS)
-- Results: tables checks_cells (one row per L4 cell) and checks_levels (one per level).
--
-- The same rules as gridwatch: a time written with "Z" or an offset is moved onto the community's
-- clock (Asia/Shanghai, UTC+8 since 1991), one without stays as written; reports after :date count
-- nowhere; the window is the :days calendar dates ending on :date; a report counts for the cell
-- its grid_id names and is `outside` when that cell does not cover its point (ST_Covers: a point
-- on the outline is inside); levels: for each level, of the L4 cells under one of its cells
-- (parent_id chain), the share with a report on :date.
\set ON_ERROR_STOP on
SET client_min_messages = warning;

DROP TABLE IF EXISTS checks_cells, checks_levels;

CREATE TEMP TABLE c AS
SELECT *, t::date AS d FROM (
SELECT check_id, grid_id, reporter, kind, geom,
       CASE WHEN "time" ~ '(Z|[+-][0-9]{2}(:?[0-9]{2})?)$'
            THEN ("time"::timestamptz AT TIME ZONE 'Asia/Shanghai')
            ELSE "time"::timestamp END AS t
FROM checks
WHERE "time" ~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}([T ][0-9]{2}:[0-9]{2}(:[0-9]{2}(\.[0-9]+)?)?)?(Z|[+-][0-9]{2}(:?[0-9]{2})?)?$'
) AS timed;

CREATE TEMP TABLE l4 AS SELECT grid_id, geom FROM grids WHERE level = 4;
-- Temporary tables are never analysed by autovacuum: without statistics the planner picks nested
-- loops over 290k rows (8 s instead of 1 s here).
ANALYZE c;
ANALYZE l4;

CREATE TABLE checks_cells AS
WITH upto AS (
    SELECT * FROM c WHERE d <= :'date'::date
), last AS (
    SELECT grid_id, max(t) AS last_check, bool_or(d = :'date'::date) AS today FROM upto GROUP BY grid_id
), win AS (
    SELECT u.grid_id,
           count(*) AS checks,
           count(*) FILTER (WHERE kind = 'routine') AS routine,
           count(*) FILTER (WHERE kind = 'newcomer') AS newcomer,
           count(*) FILTER (WHERE kind = 'returnee') AS returnee,
           count(*) FILTER (WHERE kind = 'hazard') AS hazard,
           count(*) FILTER (WHERE kind = 'dispute') AS dispute,
           count(*) FILTER (WHERE kind = 'other') AS other,
           count(DISTINCT NULLIF(reporter, '')) AS reporters,
           count(*) FILTER (WHERE NOT ST_Covers(l4.geom, u.geom)) AS outside
    FROM upto u JOIN l4 USING (grid_id)
    WHERE u.d > :'date'::date - :days
    GROUP BY u.grid_id
)
SELECT l4.grid_id,
       to_char(last.last_check, 'YYYY-MM-DD"T"HH24:MI:SS') AS last_check,
       :'date'::date - last.last_check::date AS days_since,
       coalesce(last.today, false) AS checked_today,
       coalesce(win.checks, 0) AS checks,
       coalesce(win.routine, 0) AS routine, coalesce(win.newcomer, 0) AS newcomer,
       coalesce(win.returnee, 0) AS returnee, coalesce(win.hazard, 0) AS hazard,
       coalesce(win.dispute, 0) AS dispute, coalesce(win.other, 0) AS other,
       coalesce(win.reporters, 0) AS reporters,
       coalesce(win.outside, 0) AS outside
FROM l4 LEFT JOIN last USING (grid_id) LEFT JOIN win USING (grid_id);

-- Every L4 cell with its ancestors (itself at level 4), through parent_id.
CREATE TABLE checks_levels AS
WITH RECURSIVE up AS (
    SELECT grid_id AS l4, grid_id, parent_id, level, 0 AS depth FROM grids WHERE level = 4
    UNION ALL
    SELECT up.l4, g.grid_id, g.parent_id, g.level, up.depth + 1
    FROM up JOIN grids g ON g.grid_id = up.parent_id
    WHERE up.depth < 8
)
SELECT up.level,
       avg(cc.checked_today::int)::float8 AS checked_today_share,
       count(*) AS l4_cells,
       count(*) FILTER (WHERE cc.checked_today) AS l4_checked_today
FROM up JOIN checks_cells cc ON cc.grid_id = up.l4
GROUP BY up.level
ORDER BY up.level DESC;

-- The overdue cells worst first and the reports naming no L4 cell, as gridwatch lists them.
CREATE TEMP TABLE overdue AS
SELECT grid_id, days_since FROM checks_cells WHERE NOT checked_today
ORDER BY days_since DESC NULLS FIRST, grid_id;
CREATE TEMP TABLE unknown AS
SELECT c.grid_id, count(*) AS reports FROM c LEFT JOIN l4 USING (grid_id)
WHERE l4.grid_id IS NULL AND c.t::date <= :'date'::date AND c.t::date > :'date'::date - :days
GROUP BY c.grid_id;
-- The reports from outside the cell they name, with their distance to it in metres, farthest first.
CREATE TEMP TABLE outside_reports AS
SELECT c.check_id, c.grid_id,
       ST_Distance(ST_Transform(c.geom, :work_srid), ST_Transform(l4.geom, :work_srid)) AS distance_m
FROM c JOIN l4 USING (grid_id)
WHERE c.d <= :'date'::date AND c.d > :'date'::date - :days AND NOT ST_Covers(l4.geom, c.geom)
ORDER BY distance_m DESC;
