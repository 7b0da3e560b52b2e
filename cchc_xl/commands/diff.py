"""Compare two versions of a commune report by indicator code, never by cell address.

The model follows daff: **align, then diff, then render**. Both workbooks are aligned through their defined
names (``CT_<code>``, ``DIEM_<code>``, ``THAMDINH_<code>``, ``TT_<key>``), so a row inserted into the official
table moves every name below it and is reported once, as structure, instead of as hundreds of shifted cells.
Each difference becomes a :class:`Change` of one kind (value, derived, formula, type, added, removed,
structure, metadata, scores, validation, note, other); :class:`DiffResult` keeps them with a count per kind,
and that one summary drives both the one-line summary and the exit code. Rendering lives in
``report_diff``; nothing here prints.

Like Spreadsheet Compare, entered values, calculated values and formulas are kept apart: a changed input
is a *value* change, the derived rows it moves are *derived* changes listing it in ``caused_by``, and a
derived cell whose formula was replaced by a constant is a *formula* change whatever its value.

Documented tolerances (each a separate, deliberate choice):

- numbers equal within 1e-9 (relative, absolute below 1) are equal: float noise from a re-save is not a change;
- a blank cell and an empty string are the same; text is compared after Unicode NFC and trimming;
- the same number stored as text and as a number ("12,5" vs 12.5, read with ``numbers.parse_number``) is a
  *type* change, not a value change;
- a derived cell that holds its formula but no cached result (files saved by tools that do not calculate,
  such as openpyxl) takes its Python recomputation (``derive``) instead of "blank", so such a save is not a
  value change.

Layout knowledge used besides the defined names (from ``template``): the Ghi chú of an indicator is the
cell right of its value cell; the tài liệu kiểm chứng of a criterion is two cells right of its appraised
score (column G), and the Tỷ lệ đạt cell one cell right of it; an indicator unknown to the catalog (another
template version) is named by the hidden code column two cells right of its value cell and labelled by the
cell two to the left. The Kiểm tra sheet is compared through validation, not cell by cell.
"""

from __future__ import annotations

import datetime as dt
import difflib
import io
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from decimal import Decimal
from pathlib import Path
from typing import ClassVar

from python_calamine import CalamineWorkbook

from cchc_xl.engine import derive
from cchc_xl.messages import say
from cchc_xl.model import layout, names
from cchc_xl.model.catalog import (
    APPRAISED_TOTAL_NAME,
    SELF_TOTAL_NAME,
    Form,
    Framework,
    nfc,
)
from cchc_xl.model.data import META_FIELDS
from cchc_xl.model.numbers import parse_number
from cchc_xl.model.report import CellRef, Report
from cchc_xl.model.tabular import Tabular
from cchc_xl.ooxml.package import Package
from cchc_xl.ooxml.reader import WorkbookIndex, index_of, read_formulas, read_report
from cchc_xl.sources.workbook import validate_report

KINDS = ("structure", "metadata", "value", "derived", "formula", "type", "added", "removed", "scores", "note",
         "validation", "other")
TOLERANCE = 1e-9
CHECK_SHEET = layout.CHECK_SHEET
SELF, APPRAISED = "tu_cham", "tham_dinh"
TOTAL_CODE = "total"
_CORE_NS = {
    "cp": "http://schemas.openxmlformats.org/package/2006/metadata/core-properties",
    "dcterms": "http://purl.org/dc/terms/",
}


@dataclass(frozen=True)
class Change:
    """One difference. ``old``/``new`` are cell values (numbers, text, None for blank), never arrows."""

    kind: str
    code: str | None = None
    label: str = ""
    sheet: str | None = None
    cell_old: str | None = None
    cell_new: str | None = None
    old: object = None
    new: object = None
    abs_change: float | int | None = None
    rel_change: float | None = None  # (new - old) / |old|, None when old is 0, blank or not a number
    caused_by: tuple[str, ...] = ()  # derived: codes of the changed inputs it reads (same column)
    column: str | None = None  # scores: "tu_cham" | "tham_dinh"; None for indicators
    section: str = ""  # Vietnamese heading the change is grouped under (section of the form)
    expected: str | None = None  # formula: the formula the catalog prescribes
    overwritten: bool = False  # formula: the new file holds a constant where the formula belongs
    detail: str = ""  # a Vietnamese sentence for changes that are not old → new of one cell
    severity: str | None = None  # validation: "error" | "warning"
    rule: str | None = None  # validation: rule id

    def to_json(self) -> dict:
        out = {
            "kind": self.kind, "code": self.code, "label": self.label, "sheet": self.sheet,
            "cell_old": self.cell_old, "cell_new": self.cell_new, "old": _jsonable(self.old),
            "new": _jsonable(self.new),
        }
        extras = {
            "abs_change": self.abs_change, "rel_change": self.rel_change,
            "caused_by": list(self.caused_by) or None, "column": self.column, "section": self.section or None,
            "expected": self.expected, "overwritten": self.overwritten or None, "detail": self.detail or None,
            "severity": self.severity, "rule": self.rule,
        }
        out.update({k: v for k, v in extras.items() if v is not None})
        return out


@dataclass
class DiffResult(Tabular):
    """All changes between ``old`` and ``new`` plus their count per kind (every kind present, 0 included)."""

    frame_kind: ClassVar[str] = "diff"  # to_frame(): one row per change

    old: str
    new: str
    changes: list[Change]
    summary: dict[str, int]
    mode: str = "files"  # "files" | "scores" (self-assessed vs appraised columns of one workbook)
    remarks: list[str] = field(default_factory=list)  # Vietnamese notes on what could not be compared
    old_report: Report | None = field(default=None, repr=False, compare=False)
    new_report: Report | None = field(default=None, repr=False, compare=False)
    sides: tuple[Side, Side] | None = field(default=None, repr=False, compare=False)  # for renderers

    @property
    def different(self) -> bool:
        return bool(self.changes)

    @property
    def exit_code(self) -> int:
        return 1 if self.changes else 0

    def visible(self, show_all: bool = False) -> list[Change]:
        """Changes shown by default: derived changes explained by a shown input are hidden unless ``show_all``."""
        if show_all:
            return list(self.changes)
        return [c for c in self.changes if not (c.kind == "derived" and c.caused_by)]

    def to_json(self) -> dict:
        return {"old": self.old, "new": self.new, "mode": self.mode, "summary": dict(self.summary),
                "remarks": list(self.remarks), "changes": [c.to_json() for c in self.changes]}

    to_dict = to_json


def summarize(changes: Iterable[Change]) -> dict[str, int]:
    counts = dict.fromkeys(KINDS, 0)
    for c in changes:
        counts[c.kind] += 1
    return counts


# ---------------------------------------------------------------------------------------------- values


def _jsonable(v: object) -> object:
    if isinstance(v, dt.datetime | dt.date):
        return v.isoformat()
    if isinstance(v, Decimal):
        return float(v)
    return v


def norm(v: object) -> object:
    """A cell value as compared: blank and "" are None, integral floats are ints, text is NFC and trimmed."""
    if v is None:
        return None
    if isinstance(v, str):
        text = nfc(v)
        return text or None
    if isinstance(v, Decimal):
        v = float(v)
    if isinstance(v, float):
        if math.isnan(v):
            return None
        if v.is_integer() and abs(v) < 2**53:
            return int(v)
    if isinstance(v, dt.datetime) and v.time() == dt.time():
        return v.date()
    return v


def _is_num(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def same(a: object, b: object) -> bool:
    """Equal under the documented tolerances."""
    a, b = norm(a), norm(b)
    if _is_num(a) and _is_num(b):
        return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))  # type: ignore[operator]
    return a == b


def classify(old: object, new: object) -> str | None:
    """None when equal, "type" when the same number is stored as text on one side only, else "value"."""
    if same(old, new):
        return None
    a, b = norm(old), norm(new)
    if isinstance(a, str) != isinstance(b, str) and a is not None and b is not None:
        text, number = (a, b) if isinstance(a, str) else (b, a)
        parsed = parse_number(text)
        if parsed is not None and _is_num(number) and same(parsed.value, number):
            return "type"
    return "value"


def _as_number(v: object) -> float | int | None:
    v = norm(v)
    if _is_num(v):
        return v  # type: ignore[return-value]
    if isinstance(v, str):
        parsed = parse_number(v)
        return parsed.value if parsed else None
    return None


def deltas(old: object, new: object) -> tuple[float | int | None, float | None]:
    """Absolute and relative change when both sides read as numbers (rounded to keep float noise out)."""
    a, b = _as_number(old), _as_number(new)
    if a is None or b is None:
        return None, None
    change = b - a
    change = int(change) if isinstance(change, float) and change.is_integer() else round(change, 9)
    rel = round(change / abs(a), 6) if a else None
    return change, rel


# --------------------------------------------------------------------------------------------- reading


@dataclass
class Entry:
    """One aligned cell: an indicator, a criterion score or a total, by code."""

    code: str
    label: str
    name: str
    ref: CellRef
    value: object
    section: str
    derived: bool = False
    sources: tuple[str, ...] = ()  # derived: every input code it reads (transitively)
    expected: str | None = None  # derived: the formula the catalog prescribes
    column: str | None = None
    note_ref: CellRef | None = None
    order: int = 0


@dataclass
class Side:
    """A workbook as aligned for the diff: its report, index, raw grids, entries and formulas."""

    path: Path
    report: Report
    index: WorkbookIndex
    grids: dict[str, list[list[object]]]
    indicators: dict[str, Entry]
    scores: dict[tuple[str, str], Entry]
    formulas: dict[CellRef, str | None]
    core: dict[str, object]

    def cell(self, ref: CellRef | None) -> object:
        if ref is None:
            return None
        grid = self.grids.get(ref.sheet, [])
        if ref.row < len(grid) and ref.col < len(grid[ref.row]):
            return norm(grid[ref.row][ref.col])
        return None


def _read_grids(package: Package) -> dict[str, list[list[object]]]:
    """Every sheet's grid, read by calamine from the package's bounded copy (far cells already cut)."""
    wb = CalamineWorkbook.from_filelike(io.BytesIO(package.calamine_bytes(package.sheet_names)))
    try:
        return {nfc(name): wb.get_sheet_by_name(name).to_python(skip_empty_area=False) for name in wb.sheet_names}
    finally:
        wb.close()


def _read_core(package: Package) -> dict[str, object]:
    """lastModifiedBy and modified from docProps/core.xml (absent part or element → None)."""
    if not package.has("docProps/core.xml"):
        return {"last_modified_by": None, "modified": None}
    root = package.xml("docProps/core.xml")
    by = root.find("cp:lastModifiedBy", _CORE_NS)
    modified = root.find("dcterms:modified", _CORE_NS)
    return {"last_modified_by": nfc(by.text) if by is not None and by.text else None,
            "modified": nfc(modified.text) if modified is not None and modified.text else None}


def _section_of(form: Form, code: str) -> str:
    """The heading of the top-level code group (Biểu mẫu N for sectioned forms) a code belongs to."""
    sections = {s.id: s for s in form.sections}
    prefix = code.split("-", 1)[0] if "-" in code else None
    if prefix in sections:
        s = sections[prefix]
        return f"{s.title}: {s.subtitle}"
    top = code.split(".", 1)[0]
    ind = form.by_code.get(top)
    return f"{top}. {ind.label}" if ind is not None else top


def _sources(form: Form, code: str) -> tuple[str, ...]:
    out: list[str] = []

    def walk(c: str, depth: int = 0) -> None:
        ind = form.by_code.get(c)
        if ind is None or ind.derive is None or depth > 20:
            if c not in out:
                out.append(c)
            return
        for src in ind.derive.codes:
            walk(src, depth + 1)

    ind = form.by_code.get(code)
    for src in ind.derive.codes if ind is not None and ind.derive is not None else ():
        walk(src)
    return tuple(out)


def _score_sources(fw: Framework, code: str, column: str) -> tuple[str, ...]:
    if code == TOTAL_CODE:
        roots = [f.code for f in fw.fields if column == APPRAISED or f.self_assessed]
    else:
        roots = list(fw.criterion(code).children)
    out: list[str] = []
    while roots:
        c = roots.pop(0)
        crit = fw.criterion(c)
        if crit.computed:
            roots.extend(crit.children)
        else:
            out.append(c)
    return tuple(out)


def read_side(path: str | Path, framework: str | None = None) -> Side:
    """Read and align one workbook. Raises ``UnusableInput`` (from ``read_report``) for unusable files."""
    path = Path(path)
    report = read_report(path, framework, strict_version=False)
    package = report.package
    index = index_of(package)
    grids = _read_grids(package)
    form, fw = report.form, report.framework
    side = Side(path, report, index, grids, {}, {}, {}, _read_core(package))
    order = 0
    for ind in form.cells:
        ref = report.cells.get(ind.name)
        if ref is None:
            continue
        order += 1
        side.indicators[ind.code] = Entry(
            ind.code, ind.label, ind.name, ref, norm(report.values.get(ind.code)), _section_of(form, ind.code),
            derived=ind.is_derived, sources=_sources(form, ind.code),
            expected=derive.formula_of(ind.derive) if ind.derive is not None else None,
            note_ref=CellRef(ref.sheet, ref.row, ref.col + layout.NOTE_OFFSET), order=order)
    known = {ind.name for ind in form.cells}
    # Indicators of another template version: named in the file but unknown to this catalog.
    for name, ref in sorted(index.names.items(), key=lambda kv: (kv[1].sheet, kv[1].row, kv[1].col)):
        if not name.startswith("CT_") or name in known:
            continue
        code = side.cell(CellRef(ref.sheet, ref.row, ref.col + layout.CODE_OFFSET))
        code = code if isinstance(code, str) and code else name
        label = side.cell(CellRef(ref.sheet, ref.row, ref.col + layout.LABEL_OFFSET)) if ref.col >= -layout.LABEL_OFFSET else None
        order += 1
        side.indicators.setdefault(code, Entry(
            code, nfc(label) if label else code, name, ref, side.cell(ref), _section_of(form, code),
            note_ref=CellRef(ref.sheet, ref.row, ref.col + layout.NOTE_OFFSET), order=order))
    for crit in fw.criteria:
        field_code = crit.code.split(".", 1)[0]
        field_crit = fw.by_code.get(field_code)
        section = say("diff-section-scores", field=f"{field_code}. {field_crit.label if field_crit else ''}")
        for column, name, values, appraised in ((SELF, crit.self_name, report.scores, False),
                                                (APPRAISED, crit.appraised_name, report.appraised, True)):
            ref = report.cells.get(name)
            if ref is None or (column == SELF and not crit.self_assessed):
                continue
            order += 1
            side.scores[(column, crit.code)] = Entry(
                crit.code, crit.label, name, ref, norm(values.get(crit.code)), section, derived=crit.computed,
                sources=_score_sources(fw, crit.code, column) if crit.computed else (),
                expected=derive.score_formula(fw, crit.code, appraised) if crit.computed else None,
                column=column, order=order)
    for column, name, appraised in ((SELF, SELF_TOTAL_NAME, False), (APPRAISED, APPRAISED_TOTAL_NAME, True)):
        ref = report.cells.get(name)
        if ref is None:
            continue
        order += 1
        side.scores[(column, TOTAL_CODE)] = Entry(
            TOTAL_CODE, say("diff-total-label"), name, ref, norm(report.totals.get(name)),
            say("diff-section-total"), derived=True, sources=_score_sources(fw, TOTAL_CODE, column),
            expected=derive.total_formula(fw, appraised), column=column, order=order)
    derived_refs = [e.ref for e in (*side.indicators.values(), *side.scores.values()) if e.derived]
    side.formulas = read_formulas(package, derived_refs)
    _fill_uncalculated(side)
    return side


def _fill_uncalculated(side: Side) -> None:
    """Give formula cells saved without a cached result their Python recomputation (see module docstring)."""
    form, fw = side.report.form, side.report.framework
    missing = [e for e in side.indicators.values()
               if e.derived and e.value is None and side.formulas.get(e.ref) is not None]
    if missing:
        inputs = {c: e.value for c, e in side.indicators.items() if not e.derived}
        computed = derive.derived_values(form, inputs)
        for e in missing:
            e.value = norm(computed.get(e.code))
    for column, appraised in ((SELF, False), (APPRAISED, True)):
        gaps = [e for (col, _), e in side.scores.items()
                if col == column and e.derived and e.value is None and side.formulas.get(e.ref) is not None]
        if not gaps:
            continue
        entered = {c: e.value for (col, c), e in side.scores.items() if col == column and not e.derived}
        computed = derive.score_values(fw, entered, appraised)
        for e in gaps:
            key = (APPRAISED_TOTAL_NAME if appraised else SELF_TOTAL_NAME) if e.code == TOTAL_CODE else e.code
            e.value = norm(computed.get(key))


# ------------------------------------------------------------------------------------------- structure


def _sheet_map(old: Side, new: Side) -> tuple[dict[str, str], list[Change]]:
    """Old sheet → new sheet. A sheet missing from ``new`` whose defined names now point at one sheet that
    is new in ``new`` was renamed; otherwise it was removed."""
    section = say("diff-section-structure")
    mapping = {s: s for s in old.index.sheets if s in new.index.sheets}
    changes: list[Change] = []
    new_only = [s for s in new.index.sheets if s not in old.index.sheets]
    for sheet in old.index.sheets:
        if sheet in mapping:
            continue
        targets = {new.index.names[n].sheet for n, ref in old.index.names.items()
                   if ref.sheet == sheet and n in new.index.names}
        target = next(iter(targets)) if len(targets) == 1 else None
        if target in new_only and target not in mapping.values():
            mapping[sheet] = target
            changes.append(Change("structure", sheet=target, old=sheet, new=target, section=section,
                                  detail=say("diff-sheet-renamed", old=sheet, new=target)))
        else:
            changes.append(Change("structure", sheet=sheet, old=sheet, section=section,
                                  detail=say("diff-sheet-removed", sheet=sheet)))
    for sheet in new_only:
        if sheet not in mapping.values():
            changes.append(Change("structure", sheet=sheet, new=sheet, section=section,
                                  detail=say("diff-sheet-added", sheet=sheet)))
    return mapping, changes


def _anchors(old: Side, new: Side, sheets: Mapping[str, str]) -> dict[str, list[tuple[CellRef, CellRef, str]]]:
    """Per old sheet, the (old cell, new cell, name) of every defined name present in both, by old position."""
    out: dict[str, list[tuple[CellRef, CellRef, str]]] = {}
    for name, ref in old.index.names.items():
        other = new.index.names.get(name)
        if other is None or sheets.get(ref.sheet) != other.sheet:
            continue
        out.setdefault(ref.sheet, []).append((ref, other, name))
    for items in out.values():
        items.sort(key=lambda t: (t[0].row, t[0].col))
    return out


def _describe_name(side: Side, name: str) -> str:
    for e in (*side.indicators.values(), *side.scores.values()):
        if e.name == name:
            return f"{e.code} {e.label}"[:80]
    return name


def _row_shifts(old: Side, anchors: Mapping[str, list[tuple[CellRef, CellRef, str]]],
                sheets: Mapping[str, str]) -> list[Change]:
    """One structure change per block of inserted or deleted rows (and per column shift), from name moves."""
    section = say("diff-section-structure")
    changes = []
    for sheet, items in anchors.items():
        prev_row, prev_col = 0, 0
        for ref_old, ref_new, name in items:
            drow, dcol = ref_new.row - ref_old.row, ref_new.col - ref_old.col
            if drow != prev_row:
                n = drow - prev_row
                key = "diff-rows-inserted" if n > 0 else "diff-rows-deleted"
                changes.append(Change(
                    "structure", code=None, label=_describe_name(old, name), sheet=sheets[sheet],
                    cell_old=ref_old.address, cell_new=ref_new.address, old=ref_old.row + 1, new=ref_new.row + 1,
                    section=section, detail=say(key, n=abs(n), sheet=sheets[sheet], row=ref_old.row + 1,
                                                what=_describe_name(old, name))))
                prev_row = drow
            if dcol != prev_col:
                n = dcol - prev_col
                key = "diff-cols-inserted" if n > 0 else "diff-cols-deleted"
                changes.append(Change(
                    "structure", sheet=sheets[sheet], cell_old=ref_old.address, cell_new=ref_new.address,
                    section=section, detail=say(key, n=abs(n), sheet=sheets[sheet], cell=ref_old.address)))
                prev_col = dcol
    return changes


# ----------------------------------------------------------------------------------------- comparisons


def _compare_indicators(old: Side, new: Side, forms_disjoint: bool) -> list[Change]:
    changes: list[Change] = []
    changed_inputs: set[str] = set()
    order = {c: e.order for c, e in new.indicators.items()}
    order.update({c: e.order - 0.5 for c, e in old.indicators.items() if c not in order})
    pending: list[tuple[float, Change]] = []

    def add(code: str, change: Change) -> None:
        pending.append((order.get(code, 0), change))

    formula_changed = _formula_changes(old, new, old.indicators, new.indicators, None, add)
    for code in order:
        a, b = old.indicators.get(code), new.indicators.get(code)
        if a is None or b is None:
            if forms_disjoint:
                continue
            e = a or b
            assert e is not None
            kind = "removed" if b is None else "added"
            add(code, Change(kind, code, e.label, e.ref.sheet, a.ref.address if a else None,
                             b.ref.address if b else None, a.value if a else None, b.value if b else None,
                             section=e.section))
            changed_inputs.add(code)
            continue
        kind = classify(a.value, b.value)
        if kind and not (b.derived and b.ref in formula_changed):
            if kind == "value" and b.derived:
                kind = "derived"
            ab, rel = deltas(a.value, b.value)
            add(code, Change(kind, code, b.label, b.ref.sheet, a.ref.address, b.ref.address, a.value, b.value,
                             ab, rel, section=b.section))
            if not b.derived:
                changed_inputs.add(code)
        note_a, note_b = old.cell(a.note_ref), new.cell(b.note_ref)
        if not same(note_a, note_b) and a.note_ref and b.note_ref:
            add(code, Change("note", code, b.label, b.ref.sheet, a.note_ref.address, b.note_ref.address, note_a,
                             note_b, section=b.section))
    changes = [c for _, c in sorted(pending, key=lambda t: t[0])]
    return _attach_causes(changes, changed_inputs, new.indicators, None)


def _attach_causes(changes: list[Change], changed: set[str], entries: Mapping, column: str | None) -> list[Change]:
    out = []
    for c in changes:
        if c.kind == "derived":
            key = c.code if column is None else (column, c.code)
            entry = entries.get(key)
            causes = tuple(s for s in (entry.sources if entry else ()) if s in changed)
            c = replace(c, caused_by=causes)
        out.append(c)
    return out


def _norm_formula(f: str | None) -> str | None:
    """Formula text compared without "=", "_xlfn." prefixes, spaces and case outside string literals.

    LibreOffice writes the constants TRUE and FALSE as the functions TRUE() and FALSE(); both read the same.
    """
    if f is None:
        return None
    parts = re.split(r'("(?:[^"]|"")*")', f.strip().lstrip("="))

    def clean(p: str) -> str:
        p = re.sub(r"\s+", "", p).upper().replace("_XLFN.", "")
        return re.sub(r"\b(TRUE|FALSE)\(\)", r"\1", p)

    return "".join(p if p.startswith('"') else clean(p) for p in parts)


def _formula_changes(old: Side, new: Side, a_entries: Mapping, b_entries: Mapping, column: str | None,
                     add) -> set[CellRef]:
    """Formula changes of derived cells present in both files; returns the new cells that changed."""
    touched: set[CellRef] = set()
    for key, b in b_entries.items():
        a = a_entries.get(key)
        if a is None or not b.derived:
            continue
        fa, fb = old.formulas.get(a.ref), new.formulas.get(b.ref)
        if _norm_formula(fa) == _norm_formula(fb):
            continue
        touched.add(b.ref)
        if fb is None:
            detail = say("diff-formula-overwritten", value=_show(b.value), expected=b.expected)
        elif fa is None:
            detail = say("diff-formula-restored", value=_show(a.value))
        else:
            detail = say("diff-formula-changed", expected=b.expected)
        add(b.code, Change("formula", b.code, b.label, b.ref.sheet, a.ref.address, b.ref.address,
                           fa if fa is not None else a.value, fb if fb is not None else b.value,
                           column=column, section=b.section, expected=b.expected, overwritten=fb is None,
                           detail=detail))
    return touched


def _show(v: object) -> str:
    from cchc_xl.model.numbers import format_vn

    return format_vn(v) if _is_num(v) or v is None else f"'{v}'"


def _compare_scores(old: Side, new: Side) -> list[Change]:
    pending: list[tuple[float, Change]] = []
    order = {k: e.order for k, e in new.scores.items()}
    order.update({k: e.order - 0.5 for k, e in old.scores.items() if k not in order})

    def adder(column: str):
        def add(code: str, change: Change) -> None:
            pending.append((order.get((column, code), 0), change))
        return add

    changed: dict[str, set[str]] = {SELF: set(), APPRAISED: set()}
    touched: set[CellRef] = set()
    for column in (SELF, APPRAISED):
        a_col = {k[1]: e for k, e in old.scores.items() if k[0] == column}
        b_col = {k[1]: e for k, e in new.scores.items() if k[0] == column}
        touched |= _formula_changes(old, new, a_col, b_col, column, adder(column))
    for key in order:
        column, code = key
        a, b = old.scores.get(key), new.scores.get(key)
        if a is None or b is None:
            e = a or b
            assert e is not None
            pending.append((order[key], Change("removed" if b is None else "added", code, e.label, e.ref.sheet,
                                               a.ref.address if a else None, b.ref.address if b else None,
                                               a.value if a else None, b.value if b else None, column=column,
                                               section=e.section)))
            continue
        kind = classify(a.value, b.value)
        if kind is None or b.ref in touched:
            continue
        if kind == "value":
            kind = "derived" if b.derived else "scores"
        if not b.derived:
            changed[column].add(code)
        ab, rel = deltas(a.value, b.value)
        pending.append((order[key], Change(kind, code, b.label, b.ref.sheet, a.ref.address, b.ref.address, a.value,
                                           b.value, ab, rel, column=column, section=b.section)))
    changes = [c for _, c in sorted(pending, key=lambda t: t[0])]
    out = []
    for c in changes:
        if c.kind == "derived" and c.column:
            entry = new.scores.get((c.column, c.code))
            causes = tuple(s for s in (entry.sources if entry else ()) if s in changed[c.column])
            c = replace(c, caused_by=causes)
        out.append(c)
    return out


def _compare_index(old: Side, new: Side) -> list[Change]:
    """The standing index (engine/scores.py) and its basis: one change when either differs."""
    from cchc_xl.engine.scores import standing

    sa = standing(old.report.framework, old.report.scores, old.report.appraised)
    sb = standing(new.report.framework, new.report.scores, new.report.appraised)
    if same(sa.total, sb.total) and sa.basis_text() == sb.basis_text():
        return []
    ab, rel = deltas(sa.total, sb.total)
    causes = tuple(f.code for f, g in zip(sa.fields, sb.fields, strict=False) if not same(f.points, g.points))
    return [Change("derived", INDEX_CODE, say("diff-index-label"), None, None, None, sa.total, sb.total, ab, rel,
                   caused_by=causes, section=say("diff-section-total"),
                   detail=say("diff-index-basis", old=sa.basis_text() or "–", new=sb.basis_text() or "–"))]


INDEX_CODE = "index"


def _compare_evidence(old: Side, new: Side) -> list[Change]:
    """Tài liệu kiểm chứng / ghi chú of each criterion: the note column of its appraised score's row."""
    changes = []
    for key, b in new.scores.items():
        a = old.scores.get(key)
        if key[0] != APPRAISED or a is None:
            continue
        ra, rb = CellRef(a.ref.sheet, a.ref.row, layout.SCORE_NOTE_COL), CellRef(b.ref.sheet, b.ref.row, layout.SCORE_NOTE_COL)
        va, vb = old.cell(ra), new.cell(rb)
        if not same(va, vb):
            changes.append(Change("note", b.code, b.label, b.ref.sheet, ra.address, rb.address, va, vb,
                                  section=b.section))
    return changes


def _compare_meta(old: Side, new: Side) -> list[Change]:
    section = say("diff-section-metadata")
    labels = {k: label for k, label, _ in META_FIELDS}
    changes = []
    ro, rn = old.report, new.report
    for key in labels:
        a, b = ro.meta.get(key), rn.meta.get(key)
        if not same(a, b):
            ref_a, ref_b = ro.cells.get(names.meta_name(key)), rn.cells.get(names.meta_name(key))
            changes.append(Change("metadata", key, labels[key], ref_b.sheet if ref_b else None,
                                  ref_a.address if ref_a else None, ref_b.address if ref_b else None, norm(a),
                                  norm(b), section=section))
    for key, label_key, a, b in (
        ("template_id", "diff-meta-template", ro.template_id, rn.template_id),
        ("template_version", "diff-meta-version", ro.template_version, rn.template_version),
        ("framework", "diff-meta-framework", ro.framework.id, rn.framework.id),
        ("last_modified_by", "diff-meta-modified-by", old.core["last_modified_by"], new.core["last_modified_by"]),
        ("modified", "diff-meta-modified", old.core["modified"], new.core["modified"]),
    ):
        if not same(a, b):
            changes.append(Change("metadata", key, say(label_key), None, None, None, norm(a), norm(b),
                                  section=section))
    return changes


def _compare_validation(old: Side, new: Side) -> tuple[list[Change], bool]:
    """Errors and warnings introduced and fixed, matched by (rule, codes) as multisets."""
    found_old = validate_report(old.report).findings
    found_new = validate_report(new.report).findings
    section = say("diff-section-validation")

    def key(f) -> tuple[str, tuple[str, ...]]:
        return (f.rule, tuple(f.codes))

    remaining_old: dict[tuple, list] = {}
    for f in found_old:
        remaining_old.setdefault(key(f), []).append(f)
    introduced = []
    for f in found_new:
        bucket = remaining_old.get(key(f))
        if bucket:
            bucket.pop()
        else:
            introduced.append(f)
    fixed = [f for bucket in remaining_old.values() for f in bucket]
    changes = [Change("validation", ",".join(f.codes) or None, f.message, f.sheet, None, f.cell, None, f.message,
                      section=section, severity=f.severity, rule=f.rule, detail="new") for f in introduced]
    changes += [Change("validation", ",".join(f.codes) or None, f.message, f.sheet, f.cell, None, f.message, None,
                       section=section, severity=f.severity, rule=f.rule, detail="fixed") for f in fixed]
    return changes, True


# ----------------------------------------------------------------------------------------- other cells


def _excluded(side: Side) -> set[tuple[str, int, int]]:
    """Cells compared elsewhere: every defined-name cell, notes, evidence and Tỷ lệ đạt cells."""
    out = {(r.sheet, r.row, r.col) for r in side.index.names.values()}
    for e in side.indicators.values():
        if e.note_ref is not None:
            out.add((e.note_ref.sheet, e.note_ref.row, e.note_ref.col))
    for (column, _), e in side.scores.items():
        if column == APPRAISED:
            out.add((e.ref.sheet, e.ref.row, layout.SCORE_PERCENT_COL))
            out.add((e.ref.sheet, e.ref.row, layout.SCORE_NOTE_COL))
    return out


def _signature(grid: list[list[object]], row: int, sheet: str, excluded: set) -> tuple:
    cells = grid[row] if row < len(grid) else []
    return tuple(norm(v) for c, v in enumerate(cells) if (sheet, row, c) not in excluded)


def _row_map(old_grid, new_grid, old_sheet, new_sheet, anchors, ex_old, ex_new) -> dict[int, int]:
    """Old row → new row: anchored by the defined names, gaps between anchors aligned by content."""
    pairs: list[tuple[int, int]] = []
    last_new = -1
    for ref_old, ref_new, _ in anchors:
        if pairs and ref_old.row == pairs[-1][0]:
            continue
        if ref_new.row > last_new:
            pairs.append((ref_old.row, ref_new.row))
            last_new = ref_new.row
    mapping = dict(pairs)
    bounds = [(-1, -1), *pairs, (max(len(old_grid), 1 + (pairs[-1][0] if pairs else 0)),
                                 max(len(new_grid), 1 + (pairs[-1][1] if pairs else 0)))]
    for (oa, na), (ob, nb) in itertools.pairwise(bounds):
        olds, news = list(range(oa + 1, ob)), list(range(na + 1, nb))
        if not olds or not news:
            continue
        if len(olds) == len(news):
            mapping.update(zip(olds, news, strict=True))
            continue
        sig_old = [_signature(old_grid, r, old_sheet, ex_old) for r in olds]
        sig_new = [_signature(new_grid, r, new_sheet, ex_new) for r in news]
        matcher = difflib.SequenceMatcher(None, sig_old, sig_new, autojunk=False)
        for op, i1, i2, j1, j2 in matcher.get_opcodes():
            if op in ("equal", "replace"):
                for i, j in zip(range(i1, i2), range(j1, j2), strict=False):
                    mapping[olds[i]] = news[j]
    return mapping


def _address(row: int, col: int) -> str:
    return CellRef("", row, col).address


_CELL = re.compile(r"^([A-Z]{1,3})([0-9]+)$")


def formula_cells(package: Package, sheet: str) -> dict[tuple[int, int], str]:
    """(row, col) → formula text of every formula cell of ``sheet`` (shared-formula children included).

    ``read_formulas`` answers for known cells; the "other" section needs every formula of a sheet so that
    computed results (layout formulas such as the Kiểm tra status column) are compared by formula, not by a
    cached value a non-calculating tool may have dropped. Both come from the package's one scan.
    """
    if sheet not in package.sheet_names:
        return {}
    return dict(package.formulas(sheet))


def _compare_other(old: Side, new: Side, sheets: Mapping[str, str], anchors) -> list[Change]:
    """Cells outside the catalog, by address, after row alignment; formula cells compare by formula."""
    section = say("diff-section-other")
    ex_old, ex_new = _excluded(old), _excluded(new)
    changes = []
    for sheet_old, sheet_new in sheets.items():
        if CHECK_SHEET in (sheet_old, sheet_new):
            continue
        grid_old, grid_new = old.grids.get(sheet_old, []), new.grids.get(sheet_new, [])
        f_old, f_new = formula_cells(old.report.package, sheet_old), formula_cells(new.report.package, sheet_new)
        mapping = _row_map(grid_old, grid_new, sheet_old, sheet_new, anchors.get(sheet_old, []), ex_old, ex_new)
        for r_old, r_new in sorted(mapping.items()):
            row_a = grid_old[r_old] if r_old < len(grid_old) else []
            row_b = grid_new[r_new] if r_new < len(grid_new) else []
            for c in range(max(len(row_a), len(row_b))):
                if (sheet_old, r_old, c) in ex_old or (sheet_new, r_new, c) in ex_new:
                    continue
                va = norm(row_a[c]) if c < len(row_a) else None
                vb = norm(row_b[c]) if c < len(row_b) else None
                fa, fb = f_old.get((r_old, c)), f_new.get((r_new, c))
                if fa is not None or fb is not None:
                    if _norm_formula(fa) == _norm_formula(fb):
                        continue
                    va, vb = fa if fa is not None else va, fb if fb is not None else vb
                if not same(va, vb):
                    changes.append(Change("other", None, "", sheet_new, _address(r_old, c), _address(r_new, c),
                                          va, vb, *deltas(va, vb), section=section))
        inserted = sorted(set(range(len(grid_new))) - set(mapping.values()))
        for r_new in inserted:
            for c, v in enumerate(grid_new[r_new]):
                if (sheet_new, r_new, c) not in ex_new and norm(v) is not None:
                    changes.append(Change("other", None, "", sheet_new, None, _address(r_new, c), None, norm(v),
                                          section=section))
    return changes


# ------------------------------------------------------------------------------------------ public API


def diff_files(old: str | Path, new: str | Path, *, framework: str | None = None) -> DiffResult:
    """Compare two commune workbooks by code. Raises ``UnusableInput`` when either file is unusable."""
    a, b = read_side(old, framework), read_side(new, framework)
    remarks: list[str] = []
    changes: list[Change] = []
    sheets, sheet_changes = _sheet_map(a, b)
    anchors = _anchors(a, b, sheets)
    changes += sheet_changes
    changes += _row_shifts(a, anchors, sheets)
    common = set(a.indicators) & set(b.indicators)
    forms_disjoint = not common and bool(a.indicators) and bool(b.indicators)
    if forms_disjoint:
        changes.append(Change("structure", section=say("diff-section-structure"), old=a.report.template_id,
                              new=b.report.template_id,
                              detail=say("diff-forms-differ", old=a.report.template_id, new=b.report.template_id)))
    changes += _compare_meta(a, b)
    changes += _compare_indicators(a, b, forms_disjoint)
    changes += _compare_scores(a, b)
    changes += _compare_index(a, b)
    changes += _compare_evidence(a, b)
    validation, checked = _compare_validation(a, b)
    if not checked:
        remarks.append(say("diff-validation-unavailable"))
    changes += validation
    same_layout = (a.report.template_id, a.report.template_version) == (b.report.template_id,
                                                                         b.report.template_version)
    if same_layout:
        changes += _compare_other(a, b, sheets, anchors)
    else:
        remarks.append(say("diff-other-skipped"))
    return DiffResult(str(old), str(new), changes, summarize(changes), remarks=remarks, old_report=a.report,
                      new_report=b.report, sides=(a, b))


def diff_scores(workbook: str | Path, *, framework: str | None = None) -> DiffResult:
    """Self-assessed (old) vs appraised (new) score of every self-assessed criterion of one workbook.

    Survey fields (điều tra xã hội học) have no self-score and are left out; so are the totals, which
    cover different fields in the two columns.
    """
    side = read_side(workbook, framework)
    fw = side.report.framework
    changes = []
    for crit in fw.criteria:
        own, appr = side.scores.get((SELF, crit.code)), side.scores.get((APPRAISED, crit.code))
        if own is None or appr is None or same(own.value, appr.value):
            continue
        ab, rel = deltas(own.value, appr.value)
        changes.append(Change("scores", crit.code, crit.label, appr.ref.sheet, own.ref.address, appr.ref.address,
                              own.value, appr.value, ab, rel, section=appr.section,
                              detail=say("diff-score-computed") if crit.computed else ""))
    name = Path(workbook).name
    return DiffResult(say("diff-scores-old", name=name), say("diff-scores-new", name=name), changes,
                      summarize(changes), mode="scores", old_report=side.report, new_report=side.report,
                      sides=(side, side))
