#!/usr/bin/python3
"""Agreement of gridwatch's DBSCAN (`hotspots --method dbscan --json`) with dbscan_sklearn.py.

    /usr/bin/python3 dbscan_compare.py GW.json PEER.npz

Cluster and noise counts must match (DBSCAN's clusters and noise are unique); border points
reachable from two clusters may go to either, so the partition is compared up to those.
Prints markdown table rows.
"""
import json
import sys
from collections import Counter, defaultdict

import numpy as np


def main():
    gw = json.load(open(sys.argv[1]))
    peer = np.load(sys.argv[2])
    label = dict(zip(peer["ids"], peer["labels"]))
    core = dict(zip(peer["ids"], peer["core"]))
    n_sk = int(peer["labels"].max()) + 1
    noise_sk = int((peer["labels"] < 0).sum())
    gw_label = {}
    for c in gw["clusters"]:
        for m in c["members"]:
            gw_label[m] = c["id"]
    # Each gridwatch cluster against the sklearn labels of its core points, and of all its points.
    core_map = defaultdict(Counter)
    moved = 0
    noise_mismatch = 0
    for m, sk in label.items():
        g = gw_label.get(m)
        if (g is None) != (sk < 0):
            noise_mismatch += 1
            continue
        if g is not None and core[m]:
            core_map[g][int(sk)] += 1
    split = sum(len(v) > 1 for v in core_map.values())
    target = {g: v.most_common(1)[0][0] for g, v in core_map.items()}
    merged = len(target) - len(set(target.values()))
    for m, g in gw_label.items():
        if label.get(m, -1) != target.get(g, -2):
            moved += 1
    sizes_gw = sorted((c["count"] for c in gw["clusters"]), reverse=True)
    sizes_sk = sorted(np.bincount(peer["labels"][peer["labels"] >= 0]), reverse=True)
    print(f"| clusters | gridwatch {len(gw['clusters'])}, scikit-learn {n_sk} — {'equal' if len(gw['clusters']) == n_sk else 'DIFFERENT'} |")
    print(f"| noise points | gridwatch {gw['noise']}, scikit-learn {noise_sk}; points noise in one and not the other: {noise_mismatch} |")
    print(f"| partition | core points: {split} gridwatch clusters split across sklearn labels, {merged} merged; "
          f"border points in another cluster than their core points' match: {moved}; "
          f"largest clusters gridwatch {sizes_gw[:3]}, sklearn {[int(s) for s in sizes_sk[:3]]} |")


if __name__ == "__main__":
    main()
