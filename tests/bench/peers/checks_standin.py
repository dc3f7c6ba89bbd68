#!/usr/bin/env python3
# A stand-in `checks` layer for a county made before the demo wrote checks: 30 days of reports for
# every L4 cell (3 % of cells silent all month, 5 % of days missed, 10 % of days two reports; 0.3 %
# of phones 1 km east of their cell, 5 % writing UTC with "Z", 0.05 % naming no cell), at a point a
# few metres from the cell's interior point. Fixed seed.
#   ogr2ogr -f CSV cells.csv COUNTY.gpkg -dialect SQLite \
#     -sql "SELECT grid_id, ST_X(ST_PointOnSurface(geom)) AS x, ST_Y(ST_PointOnSurface(geom)) AS y FROM grids WHERE level=4"
#   checks_standin.py cells.csv checks.csv   (writes checks.csvt beside it)
#   ogr2ogr -update COUNTY.gpkg checks.csv -nln checks -a_srs EPSG:4490 -oo GEOM_POSSIBLE_NAMES=WKT -oo KEEP_GEOM_COLUMNS=NO -nlt POINT
import csv, random, sys
random.seed(15)
cells = list(csv.DictReader(open(sys.argv[1])))
out = sys.argv[2]
open(out[:-4] + '.csvt', 'w').write('"String","String","String","String","String","Integer","String"\n')
w = csv.writer(open(out, 'w', newline=''))
w.writerow(['check_id', 'grid_id', 'reporter', 'time', 'kind', 'people', 'WKT'])
n = 0
kinds = ['routine'] * 90 + ['newcomer'] * 3 + ['returnee'] * 3 + ['hazard', 'dispute', 'other', 'other']
for c in cells:
    skip = random.random() < 0.03
    for d in range(1, 31):
        if skip or random.random() < 0.05: continue
        for _ in range(1 if random.random() < 0.9 else 2):
            n += 1
            x, y = float(c['x']), float(c['y'])
            if random.random() < 0.003: x += 0.01  # a phone far away
            else: x += random.uniform(-2e-5, 2e-5); y += random.uniform(-2e-5, 2e-5)
            h, m = random.randint(7, 21), random.randint(0, 59)
            t = f'2026-11-{d:02d}T{h:02d}:{m:02d}:00'
            if random.random() < 0.05:  # a phone writing UTC
                hh = h - 8; dd = d
                if hh < 0: hh += 24; dd -= 1
                if dd >= 1: t = f'2026-11-{dd:02d}T{hh:02d}:{m:02d}:00Z'
            k = random.choice(kinds)
            w.writerow([f'CK{n:07d}', c['grid_id'] if random.random() > 0.0005 else 'NOPE-' + c['grid_id'],
                        'R' + c['grid_id'][-5:], t, k, random.randint(1, 4) if k in ('newcomer', 'returnee') else '',
                        f'POINT ({x:.7f} {y:.7f})'])
print(n)
