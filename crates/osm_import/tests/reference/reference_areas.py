#!/usr/bin/env python3
"""Independent reference areas for the Munich demo sites (osm_import's integration tests cite these).

Independent of Agora's code: the polygons are assembled by libosmium's area assembler (through
pyosmium's `area` callback) and measured in UTM zone 32N (EPSG:25832) with PROJ (pyproj) and GEOS
(shapely), not with Agora's ring joining, projection or geodesic area.

How it was run (2026-11-23, pyosmium 4.3, pyproj 3.7.2, shapely 2.2.0, Python 3):
    pip install pyproj shapely          # pyosmium was already installed
    python3 crates/osm_import/tests/reference/reference_areas.py data/demo/munich-altstadt-2020.osm.pbf

Output (m², rounded to 0.1): see reference_areas.txt beside this script.

UTM's scale factor at Munich (≈ 190 km east of the 9° E central meridian) is ≈ 1.00005, so UTM areas
exceed true (geodesic) areas by ≈ 0.01 %: far inside the tests' 1 % tolerance.
"""
import sys

import numpy as np
import osmium
import pyproj
import shapely
import shapely.wkb

WANTED = {
    ("relation", 7366154): "Marienplatz",
    ("relation", 4773563): "Kaufingerstraße",
    ("relation", 4775934): "Neuhauser Straße",
    ("way", 240014249): "Viktualienmarkt (amenity=marketplace)",
    ("relation", 7431621): "Viktualienmarkt (highway=pedestrian)",
    ("relation", 4777267): "Platz vor der Feldherrnhalle",
    ("relation", 4867157): "Odeonsplatz, pedestrian area west",
    ("relation", 4867158): "Odeonsplatz, pedestrian area east",
    ("relation", 147144): "Karlsplatz",
    ("way", 24061814): "Max-Joseph-Platz",
}

SITES = {
    "Marienplatz": [("relation", 7366154)],
    "Kaufingerstraße / Neuhauser Straße": [("relation", 4773563), ("relation", 4775934)],
    "Viktualienmarkt": [("way", 240014249), ("relation", 7431621)],
    "Odeonsplatz": [("relation", 4777267), ("relation", 4867157), ("relation", 4867158)],
    "Karlsplatz (Stachus)": [("relation", 147144)],
    "Max-Joseph-Platz": [("way", 24061814)],
}

to_utm = pyproj.Transformer.from_crs(4326, 25832, always_xy=True)
factory = osmium.geom.WKBFactory()
polygons = {}


class AreaHandler(osmium.SimpleHandler):
    def area(self, area):
        key = ("way" if area.from_way() else "relation", area.orig_id())
        if key in WANTED:
            lonlat = shapely.wkb.loads(factory.create_multipolygon(area), hex=True)
            polygons[key] = shapely.transform(
                lonlat, lambda xy: np.array(to_utm.transform(xy[:, 0], xy[:, 1])).T
            )


AreaHandler().apply_file(sys.argv[1], locations=True)
for key, label in WANTED.items():
    print(f"{key[0]}/{key[1]}\t{polygons[key].area:.1f}\t{label}")
for site, refs in SITES.items():
    union = shapely.union_all([polygons[ref] for ref in refs])
    print(f"site\t{union.area:.1f}\t{site}")
