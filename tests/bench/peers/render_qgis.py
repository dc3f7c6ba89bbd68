"""QGIS peer for bench_render.sh: draws the county GeoPackage to a PNG with PyQGIS, styled like
gridwatch (grid outlines by level, camera view wedges through a geometry generator, households,
incidents, roads, enterprises, buildings), and prints the load and render times in seconds.
    QT_QPA_PLATFORM=offscreen /usr/bin/python3 render_qgis.py COUNTY.gpkg OUT.png 1920 1080
"""
import os
import sys
import time

from qgis.core import (QgsApplication, QgsGeometryGeneratorSymbolLayer, QgsMapRendererParallelJob,
                       QgsMapSettings, QgsRuleBasedRenderer, QgsSymbol, QgsVectorLayer, QgsWkbTypes)
from qgis.PyQt.QtCore import QSize
from qgis.PyQt.QtGui import QColor

path, out, w, h = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
app = QgsApplication([], False)
app.initQgis()
t0 = time.perf_counter()


def layer(name):
    lyr = QgsVectorLayer(f"{path}|layername={name}", name, "ogr")
    return lyr if lyr.isValid() else None


def simple(lyr, **props):
    sym = QgsSymbol.defaultSymbol(lyr.geometryType())
    sl = sym.symbolLayer(0)
    for k, v in props.items():
        getattr(sl, k)(v)
    lyr.renderer().setSymbol(sym)


layers = []
grids = layer("grids")
if grids:
    root = QgsRuleBasedRenderer.Rule(None)
    for level, colour, width, dash in [(4, "#8c94a0", 0.25, False), (3, "#38465e", 0.5, True),
                                       (2, "#28344e", 0.75, False), (1, "#14141c", 1.0, False)]:
        sym = QgsSymbol.defaultSymbol(QgsWkbTypes.PolygonGeometry)
        sl = sym.symbolLayer(0)
        sl.setBrushStyle(0)  # no fill
        sl.setStrokeColor(QColor(colour))
        sl.setStrokeWidth(width)
        if dash:
            sl.setStrokeStyle(2)  # dash
        root.appendChild(QgsRuleBasedRenderer.Rule(sym, 0, 0, f'"level" = {level}'))
    grids.setRenderer(QgsRuleBasedRenderer(root))
for name, style in [("buildings", dict(setColor=QColor("#d8d0c4"))),
                    ("enterprises", dict(setColor=QColor("#cebef0"))),
                    ("roads", dict(setColor=QColor("#faB250"), setWidth=0.8)),
                    ("households", dict(setColor=QColor("#6c757d"), setSize=1.4)),
                    ("incidents", dict(setColor=QColor("#e03131"), setSize=2.0)),
                    ("facilities", dict(setColor=QColor("#212529"), setSize=3.0))]:
    lyr = layer(name)
    if lyr:
        simple(lyr, **style)
        layers.append(lyr)
cams = layer("cameras")
if cams:
    # The view sectors, as gridwatch draws them: a wedge per camera.
    sym = QgsSymbol.defaultSymbol(QgsWkbTypes.PointGeometry)
    gen = QgsGeometryGeneratorSymbolLayer.create({"geometryModifier": 'wedge_buffer($geometry, "azimuth", "fov", "range" / 111320.0)',
                                                  "SymbolType": "Fill"})
    gen.subSymbol().setColor(QColor(232, 89, 12, 64))
    gen.subSymbol().symbolLayer(0).setStrokeStyle(0)
    sym.appendSymbolLayer(gen)
    cams.renderer().setSymbol(sym)
    layers.append(cams)
if grids:
    layers.append(grids)
order = {"facilities": 0, "incidents": 1, "cameras": 2, "households": 3, "grids": 4, "roads": 5, "buildings": 6,
         "enterprises": 7}
layers.sort(key=lambda l: order.get(l.name(), 9))
t1 = time.perf_counter()

settings = QgsMapSettings()
settings.setLayers(layers)
settings.setDestinationCrs(layers[0].crs())
extent = grids.extent() if grids else layers[0].extent()
settings.setExtent(extent)
settings.setOutputSize(QSize(w, h))
settings.setBackgroundColor(QColor(244, 241, 234))
job = QgsMapRendererParallelJob(settings)
job.start()
job.waitForFinished()
job.renderedImage().save(out, "PNG")
t2 = time.perf_counter()
print(f"load {t1 - t0:.3f} render {t2 - t1:.3f}", flush=True)
# exitQgis() with layers still referenced crashes PyQGIS 3.22 on the way out; the work is done.
os._exit(0)
