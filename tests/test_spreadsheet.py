"""Issue 18: ranking.xlsx holds the rows of ranking.csv, typed, headers in the run's
language, a frozen header row, and the data-gap report on a second sheet."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pyogrio

from conftest import line_town, run_cli
from test_site_columns import excel_csv


def test_the_workbook_has_the_rows_of_ranking_csv_typed(tmp_path):
    osm = line_town(tmp_path)
    out = tmp_path / "out"
    r = run_cli("run", "--osm", str(osm), "--sites", str(excel_csv(tmp_path / "tomter.csv")), "--out", str(out))
    assert r.returncode == 0, r.stderr
    ranking = pd.read_csv(out / "ranking.csv", dtype={"site_id": str, "kommunenr": str})
    wb = openpyxl.load_workbook(out / "ranking.xlsx", read_only=False)
    assert wb.sheetnames == ["Rangering", "Datamangler"]
    ws = wb["Rangering"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:3] == ["Tomt (site_id)", "Lengdegrad (lon)", "Breddegrad (lat)"]
    assert "Dagligvare: minutter å gå (grocery_min)" in header and header[-5:] == ["navn", "gnr_bnr", "kommunenr", "input_Score", "input_node"]
    rows = pd.DataFrame([list(r) for r in ws.iter_rows(min_row=2, values_only=True)], columns=ranking.columns)
    assert rows["site_id"].tolist() == ranking["site_id"].tolist()
    assert rows["score"].tolist() == ranking["score"].tolist()  # numbers, not text
    assert all(isinstance(v, (int, float)) for v in rows["grocery_m"])
    assert rows["kommunenr"].tolist() == ["0301", "0301"]  # text stays text
    assert ws.cell(2, header.index("Samlet poeng (score)") + 1).number_format == "0.00"
    gdal = pyogrio.read_dataframe(out / "ranking.xlsx", layer="Rangering", read_geometry=False)  # a second reader
    assert len(gdal) == len(ranking) and list(gdal.columns)[:2] == ["Tomt (site_id)", "Lengdegrad (lon)"]
    gaps = [[c.value for c in row] for row in wb["Datamangler"].iter_rows()]
    assert gaps[0] == ["Mål", "Verdi", "Forklaring"] and any(row[0] == "walkable_km" for row in gaps)
    r = run_cli("--lang", "en", "run", "--osm", str(osm), "--sites", str(excel_csv(tmp_path / "tomter.csv")), "--out", str(out))
    wb = openpyxl.load_workbook(out / "ranking.xlsx")
    assert wb.sheetnames == ["Ranking", "Data gaps"] and wb["Ranking"]["A1"].value == "Site (site_id)"
