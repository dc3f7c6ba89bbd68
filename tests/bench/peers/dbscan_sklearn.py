#!/usr/bin/python3
"""Peer for `gridwatch hotspots --method dbscan --eps E --min-pts M`: scikit-learn's DBSCAN on the
incidents in EPSG:4542 (min_samples counts the point itself, as gridwatch's --min-pts does).

    /usr/bin/python3 dbscan_sklearn.py INCIDENTS.gpkg EPS MIN_PTS OUT.npz [ALGORITHM]

Writes inc_id, label (−1 noise) and the core-point flags. One thread (n_jobs=1).
"""
import sys
import time

import numpy as np
from sklearn.cluster import DBSCAN

from pointio import read_points


def main():
    path, eps, min_pts, out = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    algo = sys.argv[5] if len(sys.argv) > 5 else "auto"
    t0 = time.time()
    ids, x, y = read_points(path, "incidents", 4542)
    t1 = time.time()
    db = DBSCAN(eps=eps, min_samples=min_pts, algorithm=algo, n_jobs=1).fit(np.column_stack([x, y]))
    t2 = time.time()
    core = np.zeros(x.size, dtype=bool)
    core[db.core_sample_indices_] = True
    np.savez(out, ids=ids, labels=db.labels_, core=core)
    print(f"peer phases: read {t1 - t0:.1f} s, DBSCAN {t2 - t1:.1f} s; "
          f"{db.labels_.max() + 1} clusters, {(db.labels_ < 0).sum()} noise", file=sys.stderr)


if __name__ == "__main__":
    main()
