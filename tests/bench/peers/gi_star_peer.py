#!/usr/bin/python3
"""Peer for `gridwatch hotspots --method gi --level L --permutations N`: Getis-Ord Gi* on the
grid cells of a level with libpysal queen weights and esda's formulas in numpy.

    /usr/bin/python3 gi_star_peer.py GRIDS.gpkg INCIDENTS.gpkg LEVEL PERMUTATIONS SEED OUT.json

esda is not packaged for Debian 12, so this is esda 2.4's G_Local(star=True, transform='B')
written out in numpy: G_i = Σ_j w_ij y_j / Σ y, E = W_i / n, V = W_i (n − W_i) / (n − 1) / n² ·
s² / ȳ² with s² = mean(y²) − ȳ², z = (G − E) / √V; and its conditional permutation (one random
(N × max k) draw of positions among the other n − 1 cells shared by every cell, as esda's crand),
with esda's folded pseudo p (p_sim = (min(#≥, N − #≥) + 1) / (N + 1)) and the two-sided
(2 · min(#≥, #≤) + 1) / (N + 1). Counts: incidents (EPSG:4542) inside each cell, counted here (points read through GDAL's Arrow
stream, pointio.py: geopandas.read_file takes about a minute for 500k points here).
Weights: libpysal.weights.Queen.from_dataframe (shared vertices), each cell its own neighbour.
"""
import json
import sys
import time
import warnings

import numpy as np
import geopandas as gpd
from shapely import vectorized

warnings.filterwarnings("ignore")
import libpysal  # noqa: E402

from pointio import read_points  # noqa: E402


def gi_star_z(y, nbrs):
    """esda 2.4 G_Local(star=True, transform='B') z-scores; nbrs[i] includes i."""
    n = y.size
    card = np.array([len(v) for v in nbrs], dtype=float)
    stat = np.array([y[v].sum() for v in nbrs]) / y.sum()
    mean = y.sum() / n
    var = (y ** 2).sum() / n - mean ** 2
    ev = card / n
    vv = card * (n - card) / (n - 1) / n ** 2 * var / mean ** 2
    return (stat - ev) / np.sqrt(vv)


def count_points(cells, x, y, binsize=200.0):
    """Incidents inside each cell: points sorted into square bins, then shapely.vectorized.contains
    on the points of the bins under the cell's box."""
    x0, y0 = x.min(), y.min()
    nx = int((x.max() - x0) // binsize) + 1
    ny = int((y.max() - y0) // binsize) + 1
    key = ((y - y0) // binsize).astype(np.int64) * nx + ((x - x0) // binsize).astype(np.int64)
    order = np.argsort(key, kind="stable")
    skey = key[order]
    counts = np.zeros(len(cells), dtype=np.int64)
    for i, g in enumerate(cells):
        bx0, by0, bx1, by1 = g.bounds
        c0, c1 = max(0, int((bx0 - x0) // binsize)), min(nx - 1, int((bx1 - x0) // binsize))
        r0, r1 = max(0, int((by0 - y0) // binsize)), min(ny - 1, int((by1 - y0) // binsize))
        if c0 > c1 or r0 > r1:
            continue
        rows = np.arange(r0, r1 + 1) * nx
        lo = np.searchsorted(skey, rows + c0, side="left")
        hi = np.searchsorted(skey, rows + c1, side="right")
        idx = np.concatenate([order[a:b] for a, b in zip(lo, hi)])
        if idx.size:
            counts[i] = vectorized.contains(g, x[idx], y[idx]).sum()
    return counts


def main():
    gpath, ipath, level, perms, seed, out = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), \
        int(sys.argv[5]), sys.argv[6]
    t = {"start": time.time()}
    cells = gpd.read_file(gpath, layer="grids")
    cells = cells[cells["level"] == level].to_crs(4542).reset_index(drop=True)
    _, x, y = read_points(ipath, "incidents", 4542)
    t["read"] = time.time()
    counts = count_points(list(cells.geometry), x, y)
    t["count"] = time.time()
    w = libpysal.weights.Queen.from_dataframe(cells, silence_warnings=True)
    nbrs = [np.array(sorted([i] + list(w.neighbors[i])), dtype=np.int64) for i in range(len(cells))]
    t["weights"] = time.time()
    yv = counts.astype(float)
    z = gi_star_z(yv, nbrs)
    t["z"] = time.time()
    n = yv.size
    rng = np.random.default_rng(seed)
    kmax = max(len(v) for v in nbrs) - 1
    rids = np.array([rng.permutation(n - 1)[:kmax] for _ in range(perms)])  # (perms, kmax)
    ge = np.zeros(n, dtype=np.int64)
    le = np.zeros(n, dtype=np.int64)
    for i in range(n):
        k = len(nbrs[i]) - 1
        if k == 0:
            continue
        j = rids[:, :k]
        j = j + (j >= i)  # positions among the other n − 1 cells
        sims = yv[i] + yv[j].sum(1)
        obs = yv[nbrs[i]].sum()
        ge[i] = (sims >= obs - 1e-12).sum()
        le[i] = (sims <= obs + 1e-12).sum()
    larger = np.where(perms - ge < ge, perms - ge, ge)
    p_sim = (larger + 1) / (perms + 1)
    p_two = np.minimum(1.0, (2 * np.minimum(ge, le) + 1) / (perms + 1))
    t["perm"] = time.time()
    res = {"cells": {gid: {"count": int(c), "z": float(zz), "p_sim": float(a), "p_two": float(b),
                           "neighbours": [cells["grid_id"][j] for j in nb]}
                     for gid, c, zz, a, b, nb in zip(cells["grid_id"], counts, z, p_sim, p_two, nbrs)},
           "incidents": int(x.size)}
    json.dump(res, open(out, "w"))
    keys = list(t)
    print("peer phases: " + ", ".join(f"{b} {t[b] - t[a]:.1f} s" for a, b in zip(keys, keys[1:])),
          file=sys.stderr)


if __name__ == "__main__":
    main()
