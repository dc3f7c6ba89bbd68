#!/usr/bin/env python3
"""Packs a shapefile set into one fuzz input of the `shapefile` target (tests/fuzz/fuzz_dataset.cpp):
byte 0 = selector (layer name index, +16 to open the .shp instead of the folder), then for each part
[kind][length u16 LE][bytes], kind 0..4 = .shp .shx .dbf .prj .cpg.
  pack_shapefile.py SELECTOR OUT STEM.shp   (the .shx .dbf .prj .cpg beside it are taken when present)
  pack_shapefile.py --unpack IN DIR         (the other way: writes DIR/layer.shp ... for a look in ogrinfo)"""
import os, struct, sys

EXTS = [".shp", ".shx", ".dbf", ".prj", ".cpg"]

if sys.argv[1] == "--unpack":
    data = open(sys.argv[2], "rb").read()
    os.makedirs(sys.argv[3], exist_ok=True)
    at = 1
    while at + 3 <= len(data):
        kind, n = data[at] % 5, data[at + 1] | data[at + 2] << 8
        part = data[at + 3: at + 3 + n]
        open(os.path.join(sys.argv[3], "layer" + EXTS[kind]), "wb").write(part)
        at += 3 + len(part)
    sys.exit(0)

sel, out, shp = int(sys.argv[1]), sys.argv[2], sys.argv[3]
stem = shp[:-4]
blob = bytes([sel])
for kind, ext in enumerate(EXTS):
    if os.path.exists(stem + ext):
        part = open(stem + ext, "rb").read()
        assert len(part) < 65536, stem + ext + " is too big for a u16 length"
        blob += bytes([kind]) + struct.pack("<H", len(part)) + part
open(out, "wb").write(blob)
