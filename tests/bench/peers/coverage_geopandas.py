#!/usr/bin/python3
"""Peer for `gridwatch coverage --occlusion none`: per-cell camera coverage with geopandas + shapely.

    /usr/bin/python3 coverage_geopandas.py COUNTY.gpkg LEVEL OUT.csv

Each usable online camera's view is the sector of SPEC §5.1 (apex at the camera, bisector at the
azimuth clockwise from north, opening fov, radius range, arc vertices at most 2° apart (kArcStep); fov 360 a
disc), built in EPSG:4542. Per cell of the level: the union of the sectors that intersect it,
intersected with the cell, and its area. No occlusion. Writes grid_id,area_m2,covered_m2.
Single-threaded (shapely 1.8 / GEOS); geopandas 0.12 here has no rtree, so shapely's STRtree.
"""
import csv
import math
import sys

import geopandas as gpd
from shapely.geometry import Polygon
from shapely.ops import unary_union
from shapely.prepared import prep
from shapely.strtree import STRtree
from shapely.validation import make_valid

ARC_STEP = 2.0 * math.pi / 180.0  # geo/analysis/camera_view.h kArcStep: within 0.1 % of the true sector


def sector(x, y, azimuth, fov, radius):
    a0 = (90.0 - azimuth - fov / 2) * (math.pi / 180.0)
    a1 = a0 + fov * (math.pi / 180.0)
    disc = fov >= 360
    ring = [] if disc else [(x, y)]
    n = max(1, math.ceil((a1 - a0) / ARC_STEP))
    for i in range(n + 1):
        a = a0 + (a1 - a0) * i / n
        p = (x + radius * math.cos(a), y + radius * math.sin(a))
        if not ring or abs(ring[-1][0] - p[0]) > 1e-9 or abs(ring[-1][1] - p[1]) > 1e-9:
            ring.append(p)
    if disc and len(ring) > 1:
        ring.pop()
    return Polygon(ring)


def usable(row):
    vals = (row.azimuth, row.fov, row["range"])
    if any(v is None or not math.isfinite(float(v)) for v in vals):
        return False
    if not (0 < row.fov <= 360) or not (0 < row["range"] <= 10000):
        return False
    st = row.get("status")
    return st is None or (isinstance(st, float) and math.isnan(st)) or st == "" or st == "online"


def main():
    src, level, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    grids = gpd.read_file(src, layer="grids")
    grids = grids[grids["level"] == level].to_crs(4542)
    cams = gpd.read_file(src, layer="cameras").to_crs(4542)
    sectors = [sector(r.geometry.x, r.geometry.y, float(r.azimuth), float(r.fov), float(r["range"]))
               for _, r in cams.iterrows() if r.geometry is not None and usable(r)]
    tree = STRtree(sectors)
    with open(out, "w", newline="") as f:
        w = csv.writer(f)
        w.writerow(["grid_id", "area_m2", "covered_m2"])
        for gid, cell in zip(grids["grid_id"], grids.geometry):
            if not cell.is_valid:
                cell = make_valid(cell)
            pc = prep(cell)
            near = [s for s in tree.query(cell) if pc.intersects(s)]
            covered = cell.intersection(unary_union(near)).area if near else 0.0
            w.writerow([gid, repr(cell.area), repr(covered)])
    print(f"{len(grids)} cells, {len(sectors)} sectors", file=sys.stderr)


if __name__ == "__main__":
    main()
