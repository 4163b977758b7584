"""Open layers of a GeoPackage in QGIS and print, as JSON, the style QGIS applied.

Run with Debian's system python (python3-qgis): ``/usr/bin/python3 qgis_probe.py FILE.gpkg LAYER ...``.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import QgsApplication, QgsVectorLayer  # noqa: E402

app = QgsApplication([], False)
app.initQgis()
out = {}
for name in sys.argv[2:]:
    layer = QgsVectorLayer(f"{sys.argv[1]}|layername={name}", name, "ogr")
    r = layer.renderer()
    info = {"valid": layer.isValid(), "features": layer.featureCount(), "renderer": r.type() if r else None,
            "labels": layer.labelsEnabled()}
    if r is not None and r.type() == "graduatedSymbol":
        info["attr"] = r.classAttribute()
        info["ranges"] = [[x.lowerValue(), x.upperValue(), x.label(), x.symbol().color().name()] for x in r.ranges()]
    if r is not None and r.type() == "categorizedSymbol":
        info["attr"] = r.classAttribute()
        info["categories"] = [[c.value(), c.label(), c.symbol().symbolLayer(0).shape()] for c in r.categories()]
    if r is not None and r.type() == "RuleRenderer":
        info["rules"] = [[x.filterExpression(), x.label(), x.symbol().color().name()] for x in r.rootRule().children()]
    if layer.labelsEnabled():
        info["label_expression"] = layer.labeling().settings().fieldName
    out[name] = info
    del layer, r  # QGIS crashes on exit while layers are alive
print(json.dumps(out, ensure_ascii=False))
app.exitQgis()
