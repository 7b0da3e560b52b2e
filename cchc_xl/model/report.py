"""A workbook as read, by code: the Report record and cell references. Pure data; the readers fill it."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from cchc_xl.model.catalog import Form, Framework, nfc
from cchc_xl.model.tabular import Tabular

_REF = re.compile(r"^(?:'((?:[^']|'')+)'|([^'!]+))!\$?([A-Z]{1,3})\$?([0-9]+)$")


@dataclass(frozen=True)
class CellRef:
    """A single cell: sheet name and 0-based row/column."""

    sheet: str
    row: int
    col: int

    @property
    def address(self) -> str:
        return f"{col_letters(self.col)}{self.row + 1}"

    def __str__(self) -> str:
        return f"{self.sheet}!{self.address}"


def parse_ref(text: str) -> CellRef | None:
    """``'Phụ lục'!$D$7`` → CellRef; ``None`` for ranges, #REF! and anything that is not one cell."""
    m = _REF.match(text.strip().lstrip("="))
    if not m:
        return None
    sheet = (m.group(1) or "").replace("''", "'") or m.group(2)
    return CellRef(nfc(sheet), int(m.group(4)) - 1, col_index(m.group(3)))


def col_letters(col: int) -> str:
    """0-based column → letters (0 → A, 27 → AB): the one A1 converter of the project."""
    out, n = "", col + 1
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(65 + r) + out
    return out


def col_index(letters: str) -> int:
    """Column letters → 0-based column (A → 0), case-insensitive."""
    col = 0
    for ch in letters.upper():
        col = col * 26 + ord(ch) - 64
    return col - 1


@dataclass(frozen=True)
class ReadNote:
    """Something the reader noticed about the file's structure (validation turns it into a finding)."""

    rule: str
    severity: str
    codes: tuple[str, ...]
    sheet: str | None
    cell: str | None
    message: str
    shift: tuple[str, int] | None = None  # (sheet, rows moved) for a relocated name, to report blocks once


@dataclass
class Report(Tabular):
    """A commune workbook as read: metadata and every indicator and score, by code, with their cells.

    ``to_frame()``: code, label, unit, value.
    """

    frame_kind: ClassVar[str] = "report"

    path: Path
    kind: str
    form: Form
    framework: Framework
    template_id: str
    template_version: str
    sheets: tuple[str, ...]
    meta: dict[str, object] = field(default_factory=dict)
    values: dict[str, object] = field(default_factory=dict)
    scores: dict[str, object] = field(default_factory=dict)
    appraised: dict[str, object] = field(default_factory=dict)
    totals: dict[str, object] = field(default_factory=dict)
    cells: dict[str, CellRef] = field(default_factory=dict)  # defined name → cell
    missing: list[str] = field(default_factory=list)  # defined names the form needs but the file lacks
    parts: dict[str, str] = field(default_factory=dict)  # sheet name → package part
    names: dict[str, CellRef] = field(default_factory=dict)  # every workbook-level defined name (KT_… too)
    stated: dict[str, object] = field(default_factory=dict)  # GHI_… name → figure a source printed (issue 11)
    framework_note: str = ""  # a --framework that disagrees with the one the workbook carries (Vietnamese)
    notes: list[ReadNote] = field(default_factory=list)  # structure the reader noticed (moved names, far cells)
    input_formulas: dict[str, str] = field(default_factory=dict)  # typed cell's name → the formula found there
    package: object = field(default=None, repr=False, compare=False)  # the opened ooxml Package it came from

    def cell_of(self, code: str) -> CellRef | None:
        return self.cells.get(self.form.indicator(code).name)

    def to_json(self) -> dict:
        """The document ``cchc-xl show --format json`` prints."""
        return {
            "file": str(self.path), "form": self.template_id, "version": self.template_version,
            "meta": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in self.meta.items()},
            "values": self.values, "scores": self.scores, "appraised": self.appraised, "totals": self.totals,
        }

    to_dict = to_json
