"""Write thousands of small one-sheet workbooks fast (the return pack: one per commune, 3,321 at province).

XlsxWriter costs ≈ 10 ms per workbook, mostly per-package work (styles, theme, content types, properties)
that is the same for every commune. Here XlsxWriter builds ONE prototype per sheet layout — the shared
formats, the column widths and the whole print setup (paper, orientation, fit, margins, footer) — and each
workbook then only renders its own cells, merges and row heights into the prototype's sheet part and zips
the parts. The code that lays a sheet out talks to :class:`SheetRecorder`, which has the XlsxWriter
worksheet methods it uses (``write_string``, ``merge_range``, ``set_row``, ...), so a layout can be written
by either. Texts are always inline strings (text stays text, "=..." included).
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from xml.sax.saxutils import escape

import xlsxwriter
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
_LETTERS = [xl_col_to_name(c) for c in range(64)]  # a small sheet: column letters looked up, not computed


class _FormatRecorder:
    """Stands in for ``xlsxwriter.Workbook`` while a Styles class creates its formats: the n-th format
    asked for is the n-th format of the prototype."""

    def __init__(self, real: xlsxwriter.Workbook | None = None):
        self.real = real
        self.formats: list[object] = []

    def add_format(self, props: dict | None = None):
        fmt = self.real.add_format(props) if self.real is not None else len(self.formats)
        self.formats.append(fmt)
        return fmt if self.real is not None else _Style(len(self.formats) - 1)


@dataclass(frozen=True)
class _Style:
    n: int


@dataclass
class SheetRecorder:
    """The XlsxWriter worksheet calls a layout makes, recorded (page setup calls are the prototype's)."""

    cells: dict[tuple[int, int], tuple[object, object]] = field(default_factory=dict)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    heights: dict[int, float] = field(default_factory=dict)
    last_row: int = 0

    def write_string(self, row: int, col: int, value: str, fmt=None) -> None:
        self.cells[(row, col)] = (str(value), fmt)

    def write_number(self, row: int, col: int, value: float, fmt=None) -> None:
        self.cells[(row, col)] = (value, fmt)

    def write_blank(self, row: int, col: int, _value=None, fmt=None) -> None:
        self.cells[(row, col)] = (None, fmt)

    def merge_range(self, r0: int, c0: int, r1: int, c1: int, data, fmt=None) -> None:
        self.merges.append((r0, c0, r1, c1))
        for r in range(r0, r1 + 1):
            for c in range(c0, c1 + 1):
                self.cells[(r, c)] = (None, fmt)
        if data is not None and data != "":
            self.cells[(r0, c0)] = (data if isinstance(data, int | float) else str(data), fmt)

    def set_row(self, row: int, height: float | None = None, *_a) -> None:
        if height is not None:
            self.heights[row] = height

    def print_area(self, _r0: int, _c0: int, r1: int, _c1: int) -> None:
        self.last_row = r1

    def __getattr__(self, name: str) -> Callable[..., None]:  # set_paper, set_landscape, ...: prototype's
        if name.startswith(("set_", "fit_", "repeat_", "center_", "hide_", "freeze_")):
            return lambda *a, **k: None
        raise AttributeError(name)


@dataclass
class Prototype:
    """The shared parts of every workbook of one layout, and the xf index of each format."""

    parts: dict[str, bytes]
    sheet_head: str  # the sheet part up to <sheetData>
    sheet_tail: str  # from after </sheetData> to the end
    xf: list[int]
    last_col: int
    sheet_name: str


def build_prototype(sheet_name: str, styles: Callable, widths: list[float],
                    page_setup: Callable[[object], None]) -> Prototype:
    """Render one empty workbook with XlsxWriter: ``styles(wb)`` creates the formats (in a fixed order),
    ``page_setup(ws)`` applies the print setup; its parts become the template of every later workbook."""
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_numbers": False,
                                   "strings_to_urls": False})
    wb.set_properties({"title": "__TITLE__", "author": "cchc-xl"})
    rec = _FormatRecorder(wb)
    styles(rec)
    ws = wb.add_worksheet(sheet_name)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    for n, fmt in enumerate(rec.formats):  # every format used once, so each gets its xf index
        ws.write_number(n, 0, 0, fmt)
    page_setup(ws)
    ws.print_area(0, 0, 999_999, len(widths) - 1)
    wb.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    sheet = parts.pop("xl/worksheets/sheet1.xml").decode("utf-8")
    head, rest = sheet.split("<sheetData>", 1)
    tail = rest.split("</sheetData>", 1)[1]
    head = re.sub(r'<dimension ref="[^"]*"/>', "<dimension/>", head)
    return Prototype(parts, head, tail, [f.xf_index for f in rec.formats], len(widths) - 1, sheet_name)


def recorder_styles(styles: Callable) -> object:
    """The Styles object a layout uses with a :class:`SheetRecorder` (formats are just their number)."""
    return styles(_FormatRecorder())


def _cell_xml(ref: str, value: object, style: int) -> str:
    s = f' s="{style}"' if style else ""
    if value is None:
        return f'<c r="{ref}"{s}/>'
    if isinstance(value, bool):
        value = str(value)
    if isinstance(value, int | float):
        return f'<c r="{ref}"{s}><v>{value!r}</v></c>' if isinstance(value, float) else f'<c r="{ref}"{s}><v>{value}</v></c>'
    text = escape(_CONTROL.sub("", str(value)))
    return f'<c r="{ref}"{s} t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def write(proto: Prototype, sheet: SheetRecorder, path: str | Path, title: str = "") -> None:
    """Write one workbook: the prototype's parts with this sheet's cells, merges, heights and print area."""
    letters = _LETTERS
    rows: dict[int, list[tuple[int, object, object]]] = {}
    for (r, c), (value, fmt) in sheet.cells.items():
        rows.setdefault(r, []).append((c, value, fmt))
    last_row = max([*rows, *sheet.heights, sheet.last_row, 0])
    out = []
    for r in sorted(set(rows) | set(sheet.heights)):
        attrs = f' ht="{sheet.heights[r]}" customHeight="1"' if r in sheet.heights else ""
        n = str(r + 1)
        cells = "".join(_cell_xml(letters[c] + n, v, proto.xf[f.n] if isinstance(f, _Style) else 0)
                        for c, v, f in sorted(rows.get(r, []), key=lambda t: t[0]))
        out.append(f'<row r="{r + 1}"{attrs}>{cells}</row>')
    merges = ""
    if sheet.merges:
        refs = "".join(f'<mergeCell ref="{xl_rowcol_to_cell(a, b)}:{xl_rowcol_to_cell(c, d)}"/>'
                       for a, b, c, d in sheet.merges)
        merges = f'<mergeCells count="{len(sheet.merges)}">{refs}</mergeCells>'
    dim = f'<dimension ref="A1:{xl_col_to_name(proto.last_col)}{last_row + 1}"/>'
    xml = proto.sheet_head.replace("<dimension/>", dim) + "<sheetData>" + "".join(out) + "</sheetData>" + merges \
        + proto.sheet_tail
    workbook = proto.parts["xl/workbook.xml"].decode("utf-8").replace(
        "$1000000", f"${(sheet.last_row or last_row) + 1}")
    core = proto.parts["docProps/core.xml"].decode("utf-8").replace("__TITLE__", escape(_CONTROL.sub("", title)))
    # the shared parts are small and the same everywhere: stored; only the sheet is worth deflating
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as zf:
        for name, body in proto.parts.items():
            if name == "xl/workbook.xml":
                body = workbook.encode("utf-8")
            elif name == "docProps/core.xml":
                body = core.encode("utf-8")
            zf.writestr(name, body)
            if name == "xl/_rels/workbook.xml.rels":
                zf.writestr("xl/worksheets/sheet1.xml", xml.encode("utf-8"), zipfile.ZIP_DEFLATED, 1)
