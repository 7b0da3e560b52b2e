"""Read the print setup and the chart anchors of any .xlsx straight from its parts (no writer library).

``print_setups(path)`` → {sheet name: PrintSetup}, for worksheets and chart sheets alike;
``chart_overlaps(path)`` → every (sheet, anchor cell range, non-empty cell) where a drawing covers content.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree as ET

NS = {"m": "http://schemas.openxmlformats.org/spreadsheetml/2006/main",
      "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
      "pr": "http://schemas.openxmlformats.org/package/2006/relationships",
      "xdr": "http://schemas.openxmlformats.org/drawingml/2006/spreadsheetDrawing"}
R_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"


@dataclass
class PrintSetup:
    kind: str  # "worksheet" or "chartsheet"
    paper: str | None
    orientation: str | None
    fit_width: str | None  # fitToWidth when fitToPage is on
    scale: str | None
    print_titles: bool
    print_area: str | None
    freeze: bool
    hidden_cols: list[int]


def _rels(zf: zipfile.ZipFile, part: str) -> dict[str, str]:
    d, name = posixpath.split(part)
    rels = posixpath.join(d, "_rels", name + ".rels")
    if rels not in zf.namelist():
        return {}
    root = ET.fromstring(zf.read(rels))
    return {r.get("Id"): (r.get("Target").lstrip("/") if r.get("Target").startswith("/")
                          else posixpath.normpath(posixpath.join(d, r.get("Target")))) for r in root}


def sheets(path: Path) -> list[tuple[str, str, int]]:
    """(name, part, local sheet index) in workbook order."""
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        rels = _rels(zf, "xl/workbook.xml")
    return [(s.get("name"), rels[s.get(R_ID)], i) for i, s in enumerate(wb.find("m:sheets", NS))]


def print_setups(path: Path) -> dict[str, PrintSetup]:
    out = {}
    with zipfile.ZipFile(path) as zf:
        wb = ET.fromstring(zf.read("xl/workbook.xml"))
        names = {}
        for dn in wb.iter(f"{{{NS['m']}}}definedName"):
            if dn.get("localSheetId") is not None:
                names.setdefault(int(dn.get("localSheetId")), {})[dn.get("name")] = dn.text
        for name, part, idx in sheets(path):
            root = ET.fromstring(zf.read(part))
            kind = "chartsheet" if root.tag.endswith("chartsheet") else "worksheet"
            ps = root.find("m:pageSetup", NS)
            fit = root.find("m:sheetPr/m:pageSetUpPr", NS)
            fit_on = fit is not None and fit.get("fitToPage") in ("1", "true")
            hidden = []
            for col in root.iterfind("m:cols/m:col", NS):
                if col.get("hidden") in ("1", "true"):
                    hidden += list(range(int(col.get("min")) - 1, int(col.get("max"))))
            local = names.get(idx, {})
            out[name] = PrintSetup(
                kind=kind, paper=ps.get("paperSize") if ps is not None else None,
                orientation=ps.get("orientation") if ps is not None else None,
                fit_width=(ps.get("fitToWidth", "1") if ps is not None else None) if fit_on else None,
                scale=ps.get("scale") if ps is not None else None,
                print_titles="_xlnm.Print_Titles" in local, print_area=local.get("_xlnm.Print_Area"),
                freeze=root.find("m:sheetViews/m:sheetView/m:pane", NS) is not None, hidden_cols=hidden)
    return out


def _cells_with_content(zf: zipfile.ZipFile, part: str) -> set[tuple[int, int]]:
    root = ET.fromstring(zf.read(part))
    out = set()
    for c in root.iterfind("m:sheetData/m:row/m:c", NS):
        v, inline = c.find("m:v", NS), c.find("m:is", NS)
        text = v.text if v is not None else ("".join(inline.itertext()) if inline is not None else None)
        if text not in (None, ""):
            m = re.match(r"([A-Z]+)(\d+)", c.get("r"))
            col = 0
            for ch in m.group(1):
                col = col * 26 + ord(ch) - 64
            out.add((int(m.group(2)) - 1, col - 1))
    return out


def chart_overlaps(path: Path) -> list[tuple[str, tuple[int, int, int, int], tuple[int, int]]]:
    """Drawings (charts, pictures) on worksheets whose anchor range holds a non-empty cell."""
    found = []
    with zipfile.ZipFile(path) as zf:
        for name, part, _idx in sheets(path):
            root = ET.fromstring(zf.read(part))
            if root.tag.endswith("chartsheet"):
                continue  # a chart sheet holds nothing else
            rels = _rels(zf, part)
            for d in root.iterfind("m:drawing", NS):
                drawing = ET.fromstring(zf.read(rels[d.get(R_ID)]))
                content = _cells_with_content(zf, part)
                for anchor in drawing:
                    frm, to = anchor.find("xdr:from", NS), anchor.find("xdr:to", NS)
                    if frm is None:
                        continue
                    r0, c0 = int(frm.find("xdr:row", NS).text), int(frm.find("xdr:col", NS).text)
                    if to is not None:
                        r1, c1 = int(to.find("xdr:row", NS).text), int(to.find("xdr:col", NS).text)
                    else:
                        r1, c1 = r0 + 15, c0 + 8  # oneCellAnchor: a chart is at least this big
                    for cell in sorted(content):
                        if r0 <= cell[0] <= r1 and c0 <= cell[1] <= c1:
                            found.append((name, (r0, c0, r1, c1), cell))
                            break
    return found
