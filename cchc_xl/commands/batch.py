"""One prefilled workbook per commune from a table (``cchc-xl new --batch``).

The district clerk starts each period by sending every commune its own workbook. The table is wide: one
row per commune with ``ma_xa``, ``xa``, ``huyen``[, ``tinh``] — the expected list ``consolidate --expected``
reads — and optionally figures by code. Each workbook gets tỉnh, huyện, xã, mã đơn vị, kỳ and năm filled
in and locked on the Thông tin sheet (the other cells stay input cells), and is named after the commune
("ung-hoe-11206.xlsx"), so what comes back matches the list by code rather than by a retyped name.

Rows with any problem are reported (row and column, in Vietnamese) and produce no file; the others are
written. A table that cannot be used at all raises ``DataError`` before anything is written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from cchc_xl.errors import DataError
from cchc_xl.messages import say
from cchc_xl.model.catalog import DEFAULT_FORM, framework_for, load_form
from cchc_xl.model.tabular import Tabular
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.sources.datafile import check_data
from cchc_xl.sources.table import TableRow, meta_key, norm_code, norm_name, read_table, wide_rows

LOCKED_META = ("tinh", "huyen", "xa", "ma_xa", "ky", "nam")  # the district's identity of the report
NEEDED_META = ("tinh", "ky", "nam")  # required on the Thông tin sheet; without them each commune types them


def slug(text: str) -> str:
    """A safe, portable file name part: "Ứng Hòe" → "ung-hoe" (no diacritics, spaces or symbols)."""
    s = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    s = "".join(ch for ch in s if unicodedata.category(ch) != "Mn").lower()
    return re.sub(r"[^a-z0-9]+", "-", s).strip("-")


@dataclass(frozen=True)
class BatchRow:
    """The outcome for one row of the table."""

    row: str  # row as the user finds it (file line / sheet row, or the DataFrame index)
    xa: str
    ma_xa: str
    path: Path | None  # the workbook written; None when the row failed
    problems: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"row": self.row, "xa": self.xa, "ma_xa": self.ma_xa or None,
                "file": str(self.path) if self.path else None, "problems": list(self.problems),
                "warnings": list(self.warnings)}


@dataclass
class BatchResult(Tabular):
    """Every row's outcome; ``exit_code`` 1 when a row failed (nothing was written for it)."""

    frame_kind: ClassVar[str] = "batch"  # to_frame(): row, xa, ma_xa, file, problems

    directory: Path
    form: str
    rows: list[BatchRow]
    warnings: list[str] = field(default_factory=list)  # about the whole table

    @property
    def written(self) -> list[BatchRow]:
        return [r for r in self.rows if r.path is not None]

    @property
    def failed(self) -> list[BatchRow]:
        return [r for r in self.rows if r.path is None]

    @property
    def exit_code(self) -> int:
        return 1 if self.failed else 0

    def to_json(self) -> dict:
        return {"directory": str(self.directory), "form": self.form, "written": len(self.written),
                "failed": len(self.failed), "warnings": list(self.warnings),
                "rows": [r.to_json() for r in self.rows]}

    to_dict = to_json


def _check_duplicates(rows: list[TableRow]) -> None:
    """Two rows for the same commune (same code, or same name in the same district) both fail."""
    seen: dict[tuple, TableRow] = {}
    for r in rows:
        if r.doc is None:
            continue
        key = ("code", norm_code(r.ma_xa)) if r.ma_xa else ("name", norm_name(r.huyen), norm_name(r.xa))
        first = seen.setdefault(key, r)
        if first is not r:
            for a, b in ((r, first), (first, r)):
                a.problems.append(say("batch-duplicate-row", row=a.number, other=b.number, xa=a.xa))
                a.doc = None


def _file_names(rows: list[TableRow], suffix: str) -> dict[int, str]:
    """File name per usable row: the commune's name, plus its code when it has one, plus the district
    when two communes without codes share a name."""
    names: dict[int, str] = {}
    for i, r in enumerate(rows):
        if r.doc is not None:
            base = slug(r.xa) or f"xa-dong-{slug(r.number)}"
            names[i] = base + (f"-{slug(r.ma_xa)}" if r.ma_xa and slug(r.ma_xa) else "")
    counts: dict[str, int] = {}
    for n in names.values():
        counts[n] = counts.get(n, 0) + 1
    for i, n in names.items():
        if counts[n] > 1 and rows[i].huyen:
            names[i] = f"{n}-{slug(rows[i].huyen)}"
    return {i: n + suffix for i, n in names.items()}


def new_batch(table: object, out_dir: str | Path, *, form: str | None = None, framework: str | None = None,
              meta: dict[str, object] | None = None, force: bool = False) -> BatchResult:
    """Write one prefilled, identity-locked workbook per row of ``table`` into ``out_dir``.

    ``table``: a CSV/XLSX path or a pandas DataFrame (wide: ``ma_xa``, ``xa``, … plus code columns).
    ``meta``: metadata for rows that leave it blank (``{"ky": "quy1", "nam": 2025, "tinh": "Hải Dương"}``).
    Raises ``DataError`` when the table is unusable or (without ``force``) a target file exists.
    """
    form_obj = load_form(form or DEFAULT_FORM)
    fw = framework_for(form_obj, framework)
    tab = read_table(table)
    if tab.is_long:
        raise DataError([say("batch-long-table", source=tab.source)])
    if "xa" not in {meta_key(h) for h in tab.headers}:  # the name makes the file name and the Thông tin
        raise DataError([say("batch-no-name-column", path=tab.source)])
    rows = wide_rows(tab, form_obj, fw, defaults=meta)
    for r in rows:
        if r.doc is not None and not r.xa:
            r.problems.append(say("batch-no-commune", source=tab.source, row=r.number))
            r.doc = None
    _check_duplicates(rows)
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise DataError([say("batch-out-not-dir", path=str(out))])
    names = _file_names(rows, ".xlsx")
    existing = [out / n for n in names.values() if (out / n).exists()]
    if existing and not force:
        shown = ", ".join(p.name for p in existing[:5]) + (" …" if len(existing) > 5 else "")
        raise DataError([say("batch-outputs-exist", count=len(existing), dir=str(out), files=shown)])
    warnings = [say("batch-meta-missing", field=key) for key in NEEDED_META
                if rows and not any(r.doc and r.doc["meta"].get(key) not in (None, "") for r in rows)]
    out.mkdir(parents=True, exist_ok=True)
    results = []
    for i, r in enumerate(rows):
        if r.doc is None:
            results.append(BatchRow(r.number, r.xa, r.ma_xa, None, tuple(r.problems)))
            continue
        data = check_data(r.doc, form_obj, fw)
        target = out / names[i]
        build_workbook(target, form_obj, fw, data, lock_meta=[k for k in LOCKED_META if k in data.meta])
        results.append(BatchRow(r.number, r.xa, r.ma_xa, target, (), tuple(data.warnings)))
    return BatchResult(out, form_obj.id, results, warnings)
