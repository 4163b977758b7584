"""ranking.xlsx: the rows of ranking.csv for spreadsheet users.

A Norwegian Excel opens ranking.csv (``,`` between fields, ``.`` in numbers,
UTF-8) as one column; the workbook has typed cells instead: numbers as numbers
(Excel shows them with the reader's decimal comma), text as text (``0301``
keeps its zero), headers in the run's language with the column's name in
ranking.csv beside it, a frozen header row and filters, and the data-gap report
on a second sheet. Written with XlsxWriter.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .catalogue import criterion_label, t
from .results import Analysis

# Number formats by column name (then by suffix); Excel shows them in the reader's locale.
_FORMATS = {"lon": "0.000000", "lat": "0.000000", "rank": "0", "rank_p10": "0", "rank_p90": "0", "benches_near": "0",
            "score": "0.00", "tiebreak_min": "0.00"}
_SUFFIX_FORMATS = {"_score": "0.0", "_min": "0.0", "_m": "0", "_share": "0%"}
# Per-criterion columns: the catalogue key of their header, longest suffix first.
_SUFFIXES = ("_known_share", "_steps_m", "_steep_m", "_gap_m", "_share", "_score", "_name", "_min", "_id", "_m")


def column_title(col: str, a: Analysis, lang: str) -> str:
    """The header of a ranking column in ``lang``, its name in ranking.csv in brackets."""
    if col in a.input_columns:
        return col
    key = f"xlsx.col.{col}"
    for suffix in _SUFFIXES:
        owner = col.removesuffix(suffix)
        if col.endswith(suffix) and owner in a.criteria.keys():
            return t(f"xlsx.suffix.{suffix[1:]}", lang, label=criterion_label(owner, lang)) + f" ({col})"
    return f"{t(key, lang)} ({col})"


def _number_format(col: str) -> str | None:
    return _FORMATS.get(col) or next((f for s, f in _SUFFIX_FORMATS.items() if col.endswith(s)), None)


def _cells(values: pd.Series) -> tuple[str, list]:
    """A column's kind (number, text or other) and its values as cells, missing as None."""
    if values.dtype.kind in "iuf" or isinstance(values.dtype, pd.Int64Dtype):
        v = values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        return "number", [None if x != x else float(x) for x in v]
    if values.dtype.kind == "M":
        return "other", [None if pd.isna(x) else x.to_pydatetime() for x in values]
    if values.dtype.kind == "b":
        return "other", values.tolist()
    return "text", [None if pd.isna(x) else str(x) for x in values]


def write_xlsx(a: Analysis, table: pd.DataFrame, quality: pd.DataFrame, path: Path, lang: str) -> None:
    """Write the ranking rows ``table`` (as ranking.csv) and the data-gap report ``quality``."""
    import xlsxwriter

    with xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                                          "strings_to_urls": False, "default_date_format": "yyyy-mm-dd"}) as wb:
        head = wb.add_format({"bold": True, "text_wrap": True, "valign": "top", "bottom": 1})
        formats = {col: wb.add_format({"num_format": f}) for col in table.columns if (f := _number_format(col))}
        ws = wb.add_worksheet(t("xlsx.sheet.ranking", lang))
        ws.freeze_panes(1, 0)
        ws.set_row(0, 45)
        titles = [column_title(c, a, lang) for c in table.columns]
        for j, (col, title) in enumerate(zip(table.columns, titles, strict=True)):
            ws.set_column(j, j, min(max(len(col), 10) + 2, 40), formats.get(col))
            ws.write_string(0, j, title, head)
        writers = {"number": ws.write_number, "text": ws.write_string, "other": ws.write}
        columns = []
        for j, col in enumerate(table.columns):
            kind, cells = _cells(table[col])
            columns.append((j, cells, writers[kind], formats.get(col)))
        for i in range(len(table)):  # constant_memory: rows in order; about 10 us a cell (XlsxWriter)
            row = i + 1
            for j, cells, write, fmt in columns:
                v = cells[i]
                if v is not None:
                    write(row, j, v, fmt)
        if len(table):
            ws.autofilter(0, 0, len(table), len(table.columns) - 1)
        gaps = wb.add_worksheet(t("xlsx.sheet.gaps", lang))
        gaps.freeze_panes(1, 0)
        gaps.set_column(0, 0, 32)
        gaps.set_column(1, 1, 12)
        gaps.set_column(2, 2, 90)
        for j, key in enumerate(("measure", "value", "note")):
            gaps.write_string(0, j, t(f"xlsx.gaps.{key}", lang), head)
        for i, row in enumerate(quality.itertuples(index=False), start=1):
            gaps.write_string(i, 0, str(row.measure))
            if pd.notna(row.value):
                gaps.write_number(i, 1, float(row.value))
            gaps.write_string(i, 2, str(row.note))
