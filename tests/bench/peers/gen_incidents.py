#!/usr/bin/python3
"""500k synthetic incidents over the county for the hotspot benchmark (deterministic).

    /usr/bin/python3 gen_incidents.py COUNTY.gpkg OUT.gpkg [N] [SEED]

30 % uniform over the level-1 cells (the county's land), 70 % in 400 Gaussian clusters
(σ 30–150 m, 200–2,000 points weighted) centred on households. Types, times in 2024 and
colours drawn at random. The four points that set the extent in EPSG:4542 are nudged (< 10 m)
onto whole multiples of 10 m, so a 10 m raster grown by a 50 m radius from that extent (QGIS's
heatmap) and gridwatch's grid (snapped to whole cells) share cell centres. Written in
EPSG:4490, layer `incidents` (inc_id, type, time, color), like the demo's incidents.
"""
import sys

import numpy as np
from osgeo import ogr, osr
import geopandas as gpd
from pyproj import Transformer
from shapely import vectorized
from shapely.ops import unary_union

ogr.UseExceptions()
osr.UseExceptions()


def main():
    src, out = sys.argv[1], sys.argv[2]
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 500_000
    seed = int(sys.argv[4]) if len(sys.argv) > 4 else 20240601
    rng = np.random.default_rng(seed)
    grids = gpd.read_file(src, layer="grids")
    land = unary_union(list(grids[grids["level"] == 1].to_crs(4542).geometry))
    hh = gpd.read_file(src, layer="households").to_crs(4542)
    hx, hy = hh.geometry.x.to_numpy(), hh.geometry.y.to_numpy()

    n_uniform = int(n * 0.3)
    xmin, ymin, xmax, ymax = land.bounds
    ux, uy = np.empty(0), np.empty(0)
    while ux.size < n_uniform:
        cx = rng.uniform(xmin, xmax, 400_000)
        cy = rng.uniform(ymin, ymax, 400_000)
        keep = vectorized.contains(land, cx, cy)
        ux, uy = np.concatenate([ux, cx[keep]]), np.concatenate([uy, cy[keep]])
    ux, uy = ux[:n_uniform], uy[:n_uniform]

    n_clustered = n - n_uniform
    k = 400
    centre = rng.choice(hx.size, k, replace=False)
    sigma = rng.uniform(30, 150, k)
    weight = rng.uniform(200, 2000, k)
    sizes = np.floor(weight / weight.sum() * n_clustered).astype(int)
    sizes[: n_clustered - sizes.sum()] += 1
    which = np.repeat(np.arange(k), sizes)
    cx = hx[centre][which] + rng.normal(0, 1, which.size) * sigma[which]
    cy = hy[centre][which] + rng.normal(0, 1, which.size) * sigma[which]

    x = np.concatenate([ux, cx])
    y = np.concatenate([uy, cy])
    order = rng.permutation(x.size)
    x, y = x[order], y[order]
    # The extent onto whole 10 m multiples.
    i = np.argmin(x); x[i] = np.floor(x[i] / 10) * 10
    i = np.argmax(x); x[i] = np.ceil(x[i] / 10) * 10
    i = np.argmin(y); y[i] = np.floor(y[i] / 10) * 10
    i = np.argmax(y); y[i] = np.ceil(y[i] / 10) * 10

    lon, lat = Transformer.from_crs(4542, 4490, always_xy=True).transform(x, y)
    types = np.array(["fire", "traffic", "dispute", "theft", "fraud", "other"])
    t = types[rng.choice(6, x.size, p=[0.05, 0.25, 0.3, 0.2, 0.1, 0.1])]
    colours = np.array(["red", "yellow", "blue", "green"])
    c = colours[rng.choice(4, x.size, p=[0.05, 0.15, 0.3, 0.5])]
    t0 = np.datetime64("2024-01-01T00:00")
    times = (t0 + rng.integers(0, 366 * 24 * 60, x.size).astype("timedelta64[m]")).astype(str)

    srs = osr.SpatialReference()
    srs.ImportFromEPSG(4490)
    srs.SetAxisMappingStrategy(osr.OAMS_TRADITIONAL_GIS_ORDER)
    drv = ogr.GetDriverByName("GPKG")
    ds = drv.CreateDataSource(out)
    lyr = ds.CreateLayer("incidents", srs, ogr.wkbPoint)
    for name in ("inc_id", "type", "time", "color"):
        lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
    defn = lyr.GetLayerDefn()
    lyr.StartTransaction()
    for j in range(x.size):
        f = ogr.Feature(defn)
        f.SetField(0, f"B{j:06d}")
        f.SetField(1, str(t[j]))
        f.SetField(2, str(times[j]) + ":00")
        f.SetField(3, str(c[j]))
        g = ogr.Geometry(ogr.wkbPoint)
        g.AddPoint_2D(float(lon[j]), float(lat[j]))
        f.SetGeometryDirectly(g)
        lyr.CreateFeature(f)
    lyr.CommitTransaction()
    ds = None
    print(f"{x.size} incidents ({n_uniform} uniform, {n_clustered} in {k} clusters), "
          f"extent {x.min():.1f} {y.min():.1f} {x.max():.1f} {y.max():.1f} (EPSG:4542)", file=sys.stderr)


if __name__ == "__main__":
    main()
