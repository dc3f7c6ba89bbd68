#!/usr/bin/python3
"""Per-cell agreement of a peer's coverage CSV (grid_id,area_m2,covered_m2) with gridwatch's
`coverage --json`. Prints one markdown-ready line:
    cells N, missing M, max |Δ covered| X m² (cell ID), cells |Δ| > 1 m²: K, total gw G m² peer P m² (Δ D m², R %)
"""
import csv
import json
import sys


def main():
    gw = {g["grid_id"]: g for g in json.load(open(sys.argv[1]))["grids"]}
    peer = {r["grid_id"]: r for r in csv.DictReader(open(sys.argv[2]))}
    common = sorted(set(gw) & set(peer))
    missing = len(set(gw) ^ set(peer))
    worst, worst_id, over1, area_worst = 0.0, "-", 0, 0.0
    tg = tp = 0.0
    for k in common:
        a, b = float(gw[k]["covered_m2"]), float(peer[k]["covered_m2"])
        tg += a
        tp += b
        d = abs(a - b)
        if d > worst:
            worst, worst_id = d, k
        over1 += d > 1.0
        area_worst = max(area_worst, abs(float(gw[k]["area_m2"]) - float(peer[k]["area_m2"])))
    rel = 100 * (tp - tg) / tg if tg else 0.0
    print(f"cells {len(common)}, ids not in both {missing}, max abs Δ covered {worst:.4g} m² ({worst_id}), "
          f"cells with abs Δ > 1 m²: {over1}, max abs Δ cell area {area_worst:.3g} m², "
          f"total covered gridwatch {tg:.1f} m², peer {tp:.1f} m² (Δ {tp - tg:+.3f} m², {rel:+.2e} %)")


if __name__ == "__main__":
    main()
