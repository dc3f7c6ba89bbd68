#!/usr/bin/python3
"""Compare gridwatch's KDE GeoTIFF with QGIS's heatmap (Raw output) and with the exact sum.

    /usr/bin/python3 kde_compare.py GW.tif QGIS_RAW.tif POINTS_4542.gpkg RADIUS [SAMPLES] [SEED] [GDAL_COUNT.tif]

QGIS's Raw output is Σ(1 − d²/r²)² (−9999 where no point reaches); gridwatch's is
3/(π r²) · Σ(1 − d²/r²)² in incidents per km². QGIS values are converted, cells matched by their
centres (the two grids must share cell centres), then (1) over every shared cell and (2) at
SAMPLES cells (two thirds where gridwatch is > 0, one third anywhere) against the exact sum
from the points (scipy cKDTree). With GDAL_COUNT.tif (gdal_grid -a count, radius RADIUS, on
gridwatch's grid), its counts at the same cells against the exact number of points within RADIUS.
Prints markdown table rows.
"""
import math
import sys

import numpy as np
from osgeo import gdal, ogr
from scipy.spatial import cKDTree

from pointio import read_points

gdal.UseExceptions()


def load(path):
    ds = gdal.Open(path)
    gt = ds.GetGeoTransform()
    a = ds.GetRasterBand(1).ReadAsArray().astype(np.float64)
    return a, gt


def points(path):
    _, x, y = read_points(path, "incidents", 4542)
    return np.column_stack([x, y])


def main():
    gw, ggt = load(sys.argv[1])
    qg, qgt = load(sys.argv[2])
    pts = points(sys.argv[3])
    h = float(sys.argv[4])
    nsamp = int(sys.argv[5]) if len(sys.argv) > 5 else 300
    rng = np.random.default_rng(int(sys.argv[6]) if len(sys.argv) > 6 else 1)
    k = 3.0 / (math.pi * h * h) * 1e6
    qg = np.where(qg == -9999, 0.0, qg) * k
    cell = ggt[1]
    assert abs(qgt[1] - cell) < 1e-9 and abs(ggt[5] + cell) < 1e-9 and abs(qgt[5] + cell) < 1e-9
    # Offsets of QGIS's grid in whole cells from ours; they must be whole.
    dc, dr = (qgt[0] - ggt[0]) / cell, (ggt[3] - qgt[3]) / cell
    shift = max(abs(dc - round(dc)), abs(dr - round(dr))) * cell
    dc, dr = int(round(dc)), int(round(dr))
    # Shared window: our (row, col) = QGIS (row + dr, col + dc).
    r0, c0 = max(0, dr), max(0, dc)
    r1, c1 = min(gw.shape[0], qg.shape[0] + dr), min(gw.shape[1], qg.shape[1] + dc)
    a = gw[r0:r1, c0:c1]
    b = qg[r0 - dr:r1 - dr, c0 - dc:c1 - dc]
    peak = gw.max()
    d = np.abs(a - b)
    worst = d.max()
    mg = np.ones(gw.shape, dtype=bool)
    mg[r0:r1, c0:c1] = False
    mq = np.ones(qg.shape, dtype=bool)
    mq[r0 - dr:r1 - dr, c0 - dc:c1 - dc] = False
    outside_gw, outside_q = gw[mg].sum(), qg[mq].sum()
    # Samples against the exact sum.
    nz = np.argwhere(a > 0)
    pick = np.concatenate([nz[rng.choice(len(nz), 2 * nsamp // 3, replace=False)],
                           np.stack([rng.integers(0, a.shape[0], nsamp - 2 * nsamp // 3),
                                     rng.integers(0, a.shape[1], nsamp - 2 * nsamp // 3)], axis=1)])
    cx = ggt[0] + (pick[:, 1] + c0 + 0.5) * cell
    cy = ggt[3] - (pick[:, 0] + r0 + 0.5) * cell

    def exact_sum(p):
        tree = cKDTree(p)
        out = np.empty(len(pick))
        for i, (x, y) in enumerate(zip(cx, cy)):
            idx = tree.query_ball_point((x, y), h)
            d2 = ((p[idx] - (x, y)) ** 2).sum(1) / (h * h)
            out[i] = k * ((1 - d2[d2 < 1]) ** 2).sum()
        return out

    exact = exact_sum(pts)
    tree = cKDTree(pts)
    exact_count = np.array([len(tree.query_ball_point((x, y), h)) for x, y in zip(cx, cy)])
    # QGIS 3.22 computes each point's kernel block with rows counted upwards from the point's pixel
    # and writes it with rows counted downwards: the same as the point's y mirrored about the centre
    # of its pixel row. The exact sum for those mirrored points shows whether that explains QGIS.
    qymin = qgt[3] - qg.shape[0] * cell
    mirrored = pts.copy()
    yc = qymin + (np.floor((pts[:, 1] - qymin) / cell) + 0.5) * cell
    mirrored[:, 1] = 2 * yc - pts[:, 1]
    exact_m = exact_sum(mirrored)
    sa, sb = a[pick[:, 0], pick[:, 1]], b[pick[:, 0], pick[:, 1]]
    rel = lambda u, v: np.max(np.abs(u - v) / np.maximum(np.abs(v), peak * 1e-6))
    print(f"| grids | gridwatch {gw.shape[1]}×{gw.shape[0]} cells, QGIS {qg.shape[1]}×{qg.shape[0]}; "
          f"QGIS offset ({dc}, {dr}) cells, centres {shift:.1e} m apart; density outside the shared window: "
          f"gridwatch Σ {outside_gw:.3g}, QGIS Σ {outside_q:.3g} |")
    print(f"| every shared cell ({a.size:,}) | max abs Δ {worst:.4g} per km² (peak {peak:.1f}; relative to peak {worst / peak:.1e}); "
          f"Σ density × cell area: gridwatch {a.sum() * cell * cell / 1e6:,.2f}, QGIS {b.sum() * cell * cell / 1e6:,.2f} incidents (of {len(pts):,}) |")
    print(f"| {len(pick)} sampled cells vs the exact sum (float64, cKDTree) | gridwatch max rel. error {rel(sa, exact):.1e}, "
          f"QGIS {rel(sb, exact):.1e}; gridwatch vs QGIS {rel(sa, sb):.1e} |")
    print(f"| the same cells, QGIS vs the exact sum of the points with y mirrored within their pixel row | "
          f"max rel. error {rel(sb, exact_m):.1e} (QGIS 3.22 writes each point's kernel block upside down) |")
    if len(sys.argv) > 7:
        gc, cgt = load(sys.argv[7])
        assert max(abs(cgt[0] - ggt[0]), abs(cgt[3] - ggt[3])) < 1e-6 and gc.shape == gw.shape
        sc = gc[pick[:, 0] + r0, pick[:, 1] + c0]
        print(f"| gdal_grid count (a different estimator: points within {h:g} m, uniform kernel), same cells | "
              f"max abs Δ from the exact count {np.abs(sc - exact_count).max():g} points "
              f"(counts up to {exact_count.max()}) |")


if __name__ == "__main__":
    main()
