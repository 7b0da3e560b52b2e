"""Read the tables of a Word report (.docx) as grids, with the paragraphs printed before each one.

The five seed reports are narrative Word documents whose appendix (Phụ lục / Biểu mẫu 1–7) is one or several
Word tables. The body is walked in document order straight from the XML (python-docx opens the package):
a horizontally merged cell (``gridSpan``) fills its first grid column only and a vertically merged
continuation (``vMerge`` without ``restart``) is empty, so a merged label is never read twice — once as a
label and once as a value. Each cell keeps the font of its first run (TCVN3 / VNI detection).
"""

from __future__ import annotations

from pathlib import Path

from cchc_xl.sources.grid import Grid

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_ROWS = 5_000
MAX_COLS = 60
BEFORE_KEPT = 12  # paragraphs kept before each table (title, "Biểu mẫu N", heading)


def _text(el) -> str:
    parts: list[str] = []
    for node in el.iter():
        if node.tag == _W + "t" and node.text:
            parts.append(node.text)
        elif node.tag in (_W + "br", _W + "cr"):
            parts.append("\n")
        elif node.tag == _W + "tab":
            parts.append(" ")
        elif node.tag == _W + "p" and parts and parts[-1] != "\n":
            parts.append("\n")
    return "".join(parts).strip()


def _font(tc) -> str | None:
    for rfonts in tc.iter(_W + "rFonts"):
        for attr in ("ascii", "hAnsi", "cs"):
            name = rfonts.get(_W + attr)
            if name:
                return name
    return None


def _table_grid(tbl, index: int, before: list[str]) -> Grid:
    rows: list[list[object]] = []
    fonts: dict[tuple[int, int], str] = {}
    for r, tr in enumerate(tbl.findall(_W + "tr")[:MAX_ROWS]):
        row: list[object] = []
        for tc in tr.findall(_W + "tc"):
            tcpr = tc.find(_W + "tcPr")
            span, continued = 1, False
            if tcpr is not None:
                gs = tcpr.find(_W + "gridSpan")
                if gs is not None:
                    try:
                        span = max(1, int(gs.get(_W + "val", "1")))
                    except ValueError:
                        span = 1
                vm = tcpr.find(_W + "vMerge")
                continued = vm is not None and vm.get(_W + "val", "continue") != "restart"
            text = None if continued else (_text(tc) or None)
            if text is not None:
                font = _font(tc)
                if font:
                    fonts[(r, len(row))] = font
            row.append(text)
            row.extend([None] * (span - 1))
        rows.append(row[:MAX_COLS])
    return Grid(name=f"bảng {index}", kind="table", rows=rows, fonts=fonts, before=before[-BEFORE_KEPT:])


def read_docx(path: str | Path) -> tuple[list[Grid], list[str]]:
    """Every top-level table of the document as a grid, and all body paragraphs (for the metadata)."""
    import docx

    body = docx.Document(str(path)).element.body
    grids: list[Grid] = []
    paragraphs: list[str] = []
    since_table: list[str] = []
    for child in body.iterchildren():
        if child.tag == _W + "p":
            t = _text(child)
            if t:
                paragraphs.append(t)
                since_table.append(t)
        elif child.tag == _W + "tbl":
            grids.append(_table_grid(child, len(grids) + 1, since_table))
            since_table = []
    return grids, paragraphs
