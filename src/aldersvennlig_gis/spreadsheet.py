"""ranking.xlsx: the rows of ranking.csv for spreadsheet users.

A Norwegian Excel opens ranking.csv (``,`` between fields, ``.`` in numbers,
UTF-8) as one column; the workbook has typed cells instead: numbers as numbers
(Excel shows them with the reader's decimal comma), text as text (``0301``
keeps its zero), headers in the run's language with the column's name in
ranking.csv beside it, a frozen header row and filters, and the data-gap report
on a second sheet.

The sheets are written as Office Open XML (ECMA-376) built a column at a time
with pandas, not by a cell-by-cell writer: XlsxWriter took 12 s for the 28 500
sites of the 8 x 8 benchmark city (1.2 million cells, about 10 us a cell),
making the whole run 37 % slower; this takes well under a second there.
``tests/test_spreadsheet.py`` reads the file back with openpyxl and GDAL.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

import numpy as np
import pandas as pd

from .catalogue import t
from .results import Analysis

# Number formats by column name (then by suffix); Excel shows them in the reader's locale.
_FORMATS = {"lon": "0.000000", "lat": "0.000000", "rank": "0", "rank_p10": "0", "rank_p90": "0", "benches_near": "0",
            "score": "0.00", "tiebreak_min": "0.00"}
_SUFFIX_FORMATS = {"_score": "0.0", "_min": "0.0", "_m": "0", "_share": "0%", "_per_hour": "0.0"}
_DATE_FORMAT = "yyyy-mm-dd"
# Per-criterion columns: the catalogue key of their header, longest suffix first.
_SUFFIXES = ("_frequent_min", "_known_share", "_per_hour", "_steps_m", "_steep_m", "_gap_m", "_share", "_score", "_name", "_min", "_id", "_m")
# Characters XML 1.0 cannot hold (control characters but tab, line feed, carriage return).
_INVALID_XML = r"[\x00-\x08\x0b\x0c\x0e-\x1f]"


def column_title(col: str, a: Analysis, lang: str) -> str:
    """The header of a ranking column in ``lang``, its name in ranking.csv in brackets."""
    if col in a.input_columns:
        return col
    for suffix in _SUFFIXES:
        owner = col.removesuffix(suffix)
        if col.endswith(suffix) and owner in a.criteria.keys():
            return t(f"xlsx.suffix.{suffix[1:]}", lang, label=a.criteria.label(owner, lang)) + f" ({col})"
    return f"{t(f'xlsx.col.{col}', lang)} ({col})"


def _number_format(col: str, a: Analysis) -> str | None:
    if col in a.input_columns:
        return None
    return _FORMATS.get(col) or next((f for s, f in _SUFFIX_FORMATS.items() if col.endswith(s)), None)


def _letters(j: int) -> str:
    """The spreadsheet name of column ``j`` (0 -> A, 26 -> AA)."""
    name = ""
    j += 1
    while j:
        j, r = divmod(j - 1, 26)
        name = chr(65 + r) + name
    return name


def _text(values: pd.Series) -> pd.Series:
    """Text for XML: characters XML cannot hold dropped, ``&``, ``<`` and ``>`` escaped."""
    text = values.astype("string").fillna("").str.replace(_INVALID_XML, "", regex=True)
    return text.str.replace("&", "&amp;").str.replace("<", "&lt;").str.replace(">", "&gt;").astype(object)


def _cells(values: pd.Series, ref: pd.Series, style: int, date_style: int) -> pd.Series:
    """One column as ``<c>`` elements (empty where the value is missing)."""
    missing = values.isna().to_numpy()
    kind = values.dtype.kind
    if kind in "iuf" or isinstance(values.dtype, pd.Int64Dtype):
        v = values.astype("Float64").astype(str)
        cells = '<c r="' + ref + f'" s="{style}"><v>' + v + "</v></c>"
    elif kind == "b":
        cells = '<c r="' + ref + '" t="b"><v>' + values.astype(int).astype(str) + "</v></c>"
    elif kind == "M":  # days since 1899-12-30, Excel's date numbers
        days = (values - pd.Timestamp("1899-12-30")) / pd.Timedelta(days=1)
        cells = '<c r="' + ref + f'" s="{date_style}"><v>' + days.astype(str) + "</v></c>"
    else:
        cells = '<c r="' + ref + '" t="inlineStr"><is><t xml:space="preserve">' + _text(values) + "</t></is></c>"
    return cells.where(~missing, "")


_CHUNK = 5000  # rows built at once: bounds the memory of the cells' text


def _sheet(header: list[str], columns: list[pd.Series], styles: list[int], widths: list[float], date_style: int,
           header_style: int) -> Iterator[str]:
    """A worksheet, in pieces: a bold frozen header row with filters, then the columns."""
    n, letters = len(columns[0]) if columns else 0, [_letters(j) for j in range(len(header))]
    head = "".join(f'<c r="{letters[j]}1" s="{header_style}" t="inlineStr"><is><t>{escape(h)}</t></is></c>' for j, h in enumerate(header))
    cols = "".join(f'<col min="{j + 1}" max="{j + 1}" width="{w:g}" customWidth="1"/>' for j, w in enumerate(widths))
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
        '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        f'<sheetFormatPr defaultRowHeight="15"/><cols>{cols}</cols>'
        f'<sheetData><row r="1" ht="45" customHeight="1">{head}</row>'
    )
    for lo in range(0, n, _CHUNK):
        rows = pd.Series(np.arange(lo + 2, min(lo + _CHUNK, n) + 2).astype(str))
        body = pd.Series([""] * len(rows), dtype=object)
        for j, col in enumerate(columns):
            body = body + _cells(col.iloc[lo : lo + _CHUNK].reset_index(drop=True), letters[j] + rows, styles[j], date_style)
        yield ('<row r="' + rows + '">' + body + "</row>").str.cat()
    yield f'</sheetData><autoFilter ref="A1:{letters[-1] if header else "A"}{n + 1}"/></worksheet>'


def _styles(formats: list[str]) -> str:
    """styles.xml: style 0 plain, 1 the header (bold, wrapped, ruled), then one per number format."""
    fmts = "".join(f"<numFmt numFmtId=\"{164 + i}\" formatCode={quoteattr(f)}/>" for i, f in enumerate(formats))
    xfs = "".join(f'<xf numFmtId="{164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
                  for i in range(len(formats)))
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f'<numFmts count="{len(formats)}">{fmts}</numFmts>'
        '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
        '<borders count="2"><border><left/><right/><top/><bottom/><diagonal/></border>'
        '<border><left/><right/><top/><bottom style="thin"><color auto="1"/></bottom><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        f'<cellXfs count="{2 + len(formats)}"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="0" fontId="1" fillId="0" borderId="1" xfId="0" applyFont="1" applyBorder="1" applyAlignment="1">'
        f'<alignment vertical="top" wrapText="1"/></xf>{xfs}</cellXfs>'
        '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    )


def _workbook(names: list[str], rows: list[int], widths: list[int]) -> dict[str, str]:
    """The workbook's other parts: content types, relationships, sheet names and filter ranges."""
    main = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = "".join(f'<sheet name={quoteattr(n)} sheetId="{i + 1}" r:id="rId{i + 1}"/>' for i, n in enumerate(names))
    filters = "".join(
        f'<definedName name="_xlnm._FilterDatabase" localSheetId="{i}" hidden="1">'
        f"{escape(repr(n))}!$A$1:${_letters(max(w, 1) - 1)}${r + 1}</definedName>"
        for i, (n, r, w) in enumerate(zip(names, rows, widths, strict=True))
    )
    rels = "".join(
        f'<Relationship Id="rId{i + 1}" Type="{main}/worksheet" Target="worksheets/sheet{i + 1}.xml"/>' for i in range(len(names))
    )
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i + 1}.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>' for i in range(len(names))
    )
    head = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    return {
        "[Content_Types].xml": head + '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        f"{overrides}</Types>",
        "_rels/.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'<Relationship Id="rId1" Type="{main}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": head + '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        f'xmlns:r="{main}"><sheets>{sheets}</sheets><definedNames>{filters}</definedNames></workbook>',
        "xl/_rels/workbook.xml.rels": head + '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        f'{rels}<Relationship Id="rId{len(names) + 1}" Type="{main}/styles" Target="styles.xml"/></Relationships>',
    }


def write_xlsx(a: Analysis, table: pd.DataFrame, quality: pd.DataFrame, path: Path, lang: str) -> None:
    """Write the ranking rows ``table`` (as ranking.csv) and the data-gap report ``quality``."""
    formats = sorted({f for c in table.columns if (f := _number_format(c, a))}) + [_DATE_FORMAT]
    style = {f: 2 + i for i, f in enumerate(formats)}
    date_style = style[_DATE_FORMAT]
    ranking = _sheet(
        [column_title(c, a, lang) for c in table.columns], [table[c] for c in table.columns],
        [style.get(_number_format(c, a), 0) for c in table.columns], [min(max(len(c), 10) + 2, 40) for c in table.columns],
        date_style, 1,
    )
    gaps = _sheet(
        [t(f"xlsx.gaps.{k}", lang) for k in ("measure", "value", "note")],
        [quality["measure"].astype(str), quality["value"].astype(float), quality["note"].astype(str)], [0, 0, 0],
        [32, 12, 90], date_style, 1,
    )
    names = [t("xlsx.sheet.ranking", lang), t("xlsx.sheet.gaps", lang)]
    parts = _workbook(names, [len(table), len(quality)], [len(table.columns), 3])
    parts |= {"xl/styles.xml": [_styles(formats)], "xl/worksheets/sheet1.xml": ranking, "xl/worksheets/sheet2.xml": gaps}
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
        for name, pieces in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))  # identical runs, identical bytes
            info.compress_type = zipfile.ZIP_DEFLATED
            with z.open(info, "w", force_zip64=True) as f:
                for piece in [pieces] if isinstance(pieces, str) else pieces:
                    f.write(piece.encode("utf-8"))
