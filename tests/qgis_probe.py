"""Open layers of a GeoPackage in QGIS and print, as JSON, the style QGIS applied.

Run with Debian's system python (python3-qgis): ``/usr/bin/python3 qgis_probe.py FILE.gpkg LAYER ...``.
"""

import json
import os
import sys

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
from qgis.core import (  # noqa: E402
    QgsApplication, QgsExpression, QgsFeatureRequest, QgsLayerTree, QgsLayerTreeModel, QgsVectorLayer,
)
from qgis.PyQt.QtCore import Qt  # noqa: E402

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
        labeling = layer.labeling()
        providers = labeling.subProviders()  # rule-based labelling: one provider per rule
        info["label_expression"] = labeling.settings(providers[0] if providers else "").fieldName
        if labeling.type() == "rule-based":
            info["label_rules"] = [[x.filterExpression(), x.description()] for x in labeling.rootRule().children()]
            info["labelled"] = [f["site_id"] for f in layer.getFeatures(QgsFeatureRequest(QgsExpression(
                labeling.rootRule().children()[0].filterExpression())))] if "site_id" in layer.fields().names() else []
        del labeling
    tree = QgsLayerTree()
    model = QgsLayerTreeModel(tree)
    node = tree.addLayer(layer)
    info["legend"] = [n.data(Qt.DisplayRole) for n in model.layerLegendNodes(node)]
    out[name] = info
    del layer, r, model, node, tree  # QGIS crashes on exit while layers are alive
print(json.dumps(out, ensure_ascii=False))
app.exitQgis()
