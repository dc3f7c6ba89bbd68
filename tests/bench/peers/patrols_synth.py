# Adds a synthetic `patrols` layer (tracks along roads, GPS noise, start/end over 30 days; a few end
# on "2026-11-31", a date that does not exist: such tracks are left out) to a copy of the county, for bench_patrols.sh
# until `gridwatch demo` carries patrols: /usr/bin/python3 patrols_synth.py COUNTY.gpkg 3000
import math, random, sys
from osgeo import ogr, osr
src, n_tracks = sys.argv[1], int(sys.argv[2])
random.seed(15)
ds = ogr.Open(src, 1)
roads = []
for f in ds.GetLayerByName("roads"):
    g = f.GetGeometryRef()
    for i in range(g.GetGeometryCount() if g.GetGeometryType() in (ogr.wkbMultiLineString, ogr.wkbMultiLineString25D) else 1):
        line = g.GetGeometryRef(i) if g.GetGeometryType() in (ogr.wkbMultiLineString, ogr.wkbMultiLineString25D) else g
        pts = [(line.GetX(k), line.GetY(k)) for k in range(line.GetPointCount())]
        if len(pts) > 1: roads.append(pts)
mx, my = 1 / (111320 * math.cos(math.radians(24.6))), 1 / 110574
def metres(p): return (p[0] / mx, p[1] / my)
def degrees(p): return (p[0] * mx, p[1] * my)
if ds.GetLayerByName("patrols"): ds.DeleteLayer("patrols")
srs = osr.SpatialReference(); srs.ImportFromEPSG(4490)
lyr = ds.CreateLayer("patrols", srs, ogr.wkbLineString)
for name in ("track_id", "team", "start", "end"): lyr.CreateField(ogr.FieldDefn(name, ogr.OFTString))
ds.StartTransaction()
for t in range(n_tracks):
    road = [metres(p) for p in random.choice(roads)]
    if random.random() < 0.5: road.reverse()
    off = random.uniform(-8, 8)
    walk, want = [], random.uniform(300, 2500)
    done = 0.0
    for a, b in zip(road, road[1:]):
        L = math.dist(a, b)
        if L == 0: continue
        d = ((b[0] - a[0]) / L, (b[1] - a[1]) / L); n = (-d[1], d[0])
        steps = max(1, int(L / 10))
        for s in range(steps):
            f = s / steps
            p = (a[0] + (b[0] - a[0]) * f + n[0] * off + random.gauss(0, 3), a[1] + (b[1] - a[1]) * f + n[1] * off + random.gauss(0, 3))
            walk.append(p)
        done += L
        if done > want: break
    walk.append((road[-1][0] + random.gauss(0, 3), road[-1][1] + random.gauss(0, 3)) if done <= want else walk[-1])
    if len(walk) < 2: continue
    length = sum(math.dist(a, b) for a, b in zip(walk, walk[1:]))
    day = random.randrange(30)
    start = day * 86400 + random.choice([8, 9, 10, 14, 15, 20, 21, 22, 23]) * 3600 + random.randrange(3600)
    end = start + int(length / 1.2)
    def iso(s):
        d, r = divmod(s, 86400)
        return "2026-11-%02dT%02d:%02d:%02d" % (d + 1, r // 3600, r % 3600 // 60, r % 60)
    f = ogr.Feature(lyr.GetLayerDefn())
    f.SetField("track_id", "PT%05d" % t); f.SetField("team", random.choice(["patrol", "joint", "grid"]))
    f.SetField("start", iso(start)); f.SetField("end", iso(end))
    g = ogr.Geometry(ogr.wkbLineString)
    for p in walk:
        x, y = degrees(p); g.AddPoint_2D(x, y)
    f.SetGeometry(g); lyr.CreateFeature(f)
ds.CommitTransaction()
