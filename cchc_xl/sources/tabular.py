"""Read every sheet of a spreadsheet a commune made by hand (.xlsx, .xlsm, .xls, .ods) as plain grids.

python-calamine reads all four formats without evaluating anything. It builds a dense range from the
first to the last used cell, so a stray cell at XFD1048576 would ask for billions of cells: for OOXML files
the real extent is measured first from the sheet XML (through :mod:`cchc_xl.safety`, which caps
decompression) and such a sheet is skipped with a note; for every format the rows and columns requested
are capped.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from cchc_xl.sources.grid import Grid

MAX_ROWS = 5_000  # an appendix has ~150 rows; anything past this is not a table a person typed
MAX_COLS = 60
MAX_CELLS = 2_000_000  # dense cells calamine may allocate for one sheet

_CELL_REF = re.compile(rb'<c r="([A-Z]{1,3})([0-9]{1,7})"([^>]*)')
_STYLE_ATTR = re.compile(rb'\bs="([0-9]+)"')
_LEGACY_FONT = re.compile(r"^(\.vn|vni[- ])", re.IGNORECASE)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ch - 64
    return n


def _style_fonts(zf: zipfile.ZipFile) -> dict[int, str]:
    """Cell style index → font name, for the styles whose font is a legacy Vietnamese one (.VnTime, VNI-…)."""
    from cchc_xl.ooxml.safety import parse_xml, read_part

    try:
        root = parse_xml(read_part(zf, "xl/styles.xml"))
    except Exception:  # no or odd styles part: detection falls back to the text itself
        return {}
    ns = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
    fonts = []
    for font in root.iter(ns + "font"):
        name = font.find(ns + "name")
        fonts.append(name.get("val", "") if name is not None else "")
    out: dict[int, str] = {}
    xfs = root.find(ns + "cellXfs")
    for i, xf in enumerate(xfs.findall(ns + "xf") if xfs is not None else []):
        try:
            name = fonts[int(xf.get("fontId", "0"))]
        except (ValueError, IndexError):
            continue
        if _LEGACY_FONT.match(name):
            out[i] = name
    return out


def ooxml_scan(path: str | Path) -> tuple[dict[str, tuple[int, int]], dict[str, dict[tuple[int, int], str]]]:
    """From the sheet XML of an .xlsx/.xlsm: sheet → (last row, last column) actually used, and sheet →
    {(row, col) 0-based: legacy font name} for cells styled with a TCVN3/VNI font."""
    from cchc_xl.ooxml.reader import sheet_parts
    from cchc_xl.ooxml.safety import read_part

    extents: dict[str, tuple[int, int]] = {}
    fonts: dict[str, dict[tuple[int, int], str]] = {}
    with zipfile.ZipFile(path) as zf:
        legacy = _style_fonts(zf)
        for sheet, part in sheet_parts(path).items():
            data = read_part(zf, part)
            rows = cols = 0
            cells: dict[tuple[int, int], str] = {}
            for m in _CELL_REF.finditer(data):
                r, c = int(m.group(2)), _col_index(m.group(1))
                rows, cols = max(rows, r), max(cols, c)
                if legacy:
                    st = _STYLE_ATTR.search(m.group(3))
                    if st and int(st.group(1)) in legacy:
                        cells[(r - 1, c - 1)] = legacy[int(st.group(1))]
            extents[sheet] = (rows, cols)
            fonts[sheet] = cells
    return extents, fonts


def ooxml_extents(path: str | Path) -> dict[str, tuple[int, int]]:
    """Sheet name → (last row, last column) actually used, from the sheet XML of an .xlsx/.xlsm."""
    return ooxml_scan(path)[0]


def _clean(v: object) -> object:
    if isinstance(v, str):
        v = v.strip()
        return v or None
    return v


def read_grids(path: str | Path, fmt: str) -> tuple[list[Grid], list[str]]:
    """All sheets of ``path`` as grids, and the names of sheets skipped because they are too large."""
    from python_calamine import CalamineWorkbook

    skipped: list[str] = []
    extents, fonts = ooxml_scan(path) if fmt in ("xlsx", "xlsm") else ({}, {})
    wb = CalamineWorkbook.from_path(str(path))
    grids: list[Grid] = []
    for name in wb.sheet_names:
        rows_cols = extents.get(name)
        if rows_cols and rows_cols[0] * rows_cols[1] > MAX_CELLS:
            skipped.append(name)
            continue
        sheet = wb.get_sheet_by_name(name)
        if sheet.total_height * max(sheet.total_width, 1) > MAX_CELLS:
            skipped.append(name)
            continue
        raw = sheet.to_python(skip_empty_area=False, nrows=MAX_ROWS)
        rows = [[_clean(v) for v in r[:MAX_COLS]] for r in raw]
        grids.append(Grid(name=name, kind="sheet", rows=rows, fonts=fonts.get(name, {})))
    return grids, skipped
