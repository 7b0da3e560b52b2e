"""A rectangular table of cell values read from a foreign file: a worksheet or a Word table.

Both readers (:mod:`.tabular`, :mod:`.docx_tables`) produce :class:`Grid` records so the appendix finder
never knows which format a table came from. Each grid can say where a cell is, in words a clerk can find
("Phụ lục!B12", "bảng 2, dòng 5"), and carries the text printed before it (title, "UBND xã …" heading,
"Biểu mẫu 3"), which is where metadata and section titles live in a Word report.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def column_letters(col: int) -> str:
    """0-based column index → Excel letters (0 → A)."""
    out = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out


@dataclass
class Grid:
    """Cell values by (row, column), 0-based; ``fonts`` holds the font name of cells that have one."""

    name: str  # sheet name, or "bảng N" for the N-th Word table
    kind: str  # "sheet" | "table"
    rows: list[list[object]]
    fonts: dict[tuple[int, int], str] = field(default_factory=dict)
    before: list[str] = field(default_factory=list)  # paragraphs printed before a Word table
    origin: tuple[int, int] = (0, 0)  # sheet position of rows[0][0]
    encoding: str | None = None  # legacy encoding of the grid's text as a whole (TCVN3/VNI), once detected

    def where(self, row: int, col: int | None = None) -> str:
        if self.kind == "sheet":
            r, c = row + self.origin[0] + 1, (col or 0) + self.origin[1]
            return f"{self.name}!{column_letters(c)}{r}"
        return f"{self.name}, dòng {row + 1}"

    def cell(self, row: int, col: int) -> object:
        r = self.rows[row]
        return r[col] if col < len(r) else None
