"""Reading commune workbooks by code, and writing outputs atomically.

``read_report`` is the one entry point every command uses to look inside a workbook: it opens the file once
(:class:`~cchc_xl.ooxml.package.Package`: sniffed, checked, sheet parts bounded), reads the defined names,
and reads cell values with python-calamine from the package's bounded copy (fast, never runs macros, never
writes). A defined name is trusted only when its row still carries the code (or label) the template put
there; otherwise the indicator is relocated by that key and the move is reported, and a position that
cannot be established unambiguously refuses the file — never a value read under the wrong code.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io as _io
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from python_calamine import CalamineWorkbook

from cchc_xl.errors import CatalogError, OutputRefused, UnusableInput
from cchc_xl.messages import say
from cchc_xl.model import names as naming
from cchc_xl.model.catalog import (
    APPRAISED_TOTAL_NAME,
    PERIODS,
    SELF_TOTAL_NAME,
    Form,
    Framework,
    framework_for,
    list_forms,
    load_form,
    nfc,
)
from cchc_xl.model.data import META_FIELDS, META_KEYS
from cchc_xl.model.report import CellRef, ReadNote, Report, parse_ref
from cchc_xl.ooxml.package import DefinedName, Package
from cchc_xl.ooxml.safety import _display_name


@dataclass(frozen=True)
class WorkbookIndex:
    """The package-level facts of a workbook: sheet names, their parts, and workbook-scoped defined names.

    ``names`` holds every usable single-cell workbook name as spelled in the file; ``problems`` says, for
    each name that cannot be used as it stands, why (a key of ``name-why-*``, and for a stale sheet the
    sheet's name). :meth:`lookup` finds a name the way Excel does, without regard to case.
    """

    sheets: tuple[str, ...]
    names: dict[str, CellRef]
    broken_names: tuple[str, ...] = ()
    parts: dict[str, str] = field(default_factory=dict)  # sheet name → package part
    problems: dict[str, tuple[str, str]] = field(default_factory=dict)  # name → (why key, sheet)

    def lookup(self, name: str) -> tuple[CellRef | None, tuple[str, str] | None]:
        """The cell of ``name`` (caseless, as Excel) and why it is doubtful, if it is."""
        if name in self.names:
            return self.names[name], self.problems.get(name)
        folded = name.upper()
        for other, ref in self.names.items():
            if other.upper() == folded:
                return ref, ("name-why-case", "")
        for other, problem in self.problems.items():
            if other.upper() == folded:
                return None, problem
        return None, None


def index_of(package: Package) -> WorkbookIndex:
    """Sheet names, parts and defined names of an opened package (no further reads)."""
    sheets = package.sheet_names
    present = set(sheets)
    names: dict[str, CellRef] = {}
    problems: dict[str, tuple[str, str]] = {}
    local: dict[str, DefinedName] = {}
    for dn in package.defined_names:
        if dn.name.lower().startswith("_xlnm"):
            continue
        key = dn.name
        if dn.local_sheet is not None:
            local.setdefault(key, dn)
            continue
        text = dn.text.strip().lstrip("=")
        ref = parse_ref(text)
        if ref is not None and ref.sheet in present:
            names[key] = ref
            continue
        if text.startswith("[") or re.match(r"^'?\[", text):
            problems[key] = ("name-why-external", "")
        elif "#REF!" in text.upper():
            problems[key] = ("name-why-ref", "")
        elif ref is not None:
            problems[key] = ("name-why-sheet", ref.sheet)
        elif ":" in text:
            problems[key] = ("name-why-range", "")
        else:
            problems[key] = ("name-why-ref", "")
    for key in local:
        if key not in names:
            problems.setdefault(key, ("name-why-local", ""))
    broken = tuple(problems)
    return WorkbookIndex(sheets, names, broken, package.sheet_parts(), problems)


def workbook_index(path: str | Path | Package) -> WorkbookIndex:
    """Read sheet names, parts and defined names from the package (hardened parser, size-capped reads)."""
    return index_of(path if isinstance(path, Package) else Package.open(path))


def sheet_parts(path: str | Path | Package) -> dict[str, str]:
    """Sheet name → package part (``xl/worksheets/sheet2.xml``), from the workbook relationships."""
    return (path if isinstance(path, Package) else Package.open(path)).sheet_parts()


def read_formulas(path: str | Path | Package, refs: list[CellRef], parts: dict[str, str] | None = None
                  ) -> dict[CellRef, str | None]:
    """The formula text (with a leading "=") of each cell in ``refs``; ``None`` when the cell holds a constant.

    python-calamine does not expose formulas; the package's one streaming scan of each sheet part does
    (shared formulas are expanded to each cell's own text, cells without ``r=`` are placed as Excel does).
    """
    package = path if isinstance(path, Package) else Package.open(path)
    out: dict[CellRef, str | None] = {}
    present = set(package.sheet_names)
    for ref in refs:
        out[ref] = package.formulas(ref.sheet).get((ref.row, ref.col)) if ref.sheet in present else None
    return out


EXCEL_TEXT_LIMIT = 32_767  # characters in one cell (Excel's limit; XlsxWriter cuts there too)


def _clean(v: object) -> object:
    if v == "" or v is None:
        return None
    if isinstance(v, float) and v.is_integer() and abs(v) < 2**53:
        return int(v)
    if isinstance(v, str):
        return nfc(v) if v.strip() else None
    return v


class _Grids:
    """Sheets read once each with calamine, addressed from A1 (no empty-area trimming).

    calamine reads the package's bounded copy (far cells cut, part names canonical) from memory, so it
    never densifies a range the forms cannot use and never opens the file again; the package's scan has
    already proved every sheet's XML complete.
    """

    def __init__(self, package: Package):
        self._package = package
        self._path = package.path
        readable = [s.name for s in package.sheets]
        for name in readable:
            package.scan(name)  # bad XML, missing parts, too many cells: the reason, before calamine
        try:
            self._wb = CalamineWorkbook.from_filelike(_io.BytesIO(package.calamine_bytes(readable)))
        except Exception:  # calamine raises its own error types for damaged packages
            raise _bad_sheet(self._path, "") from None
        self._grids: dict[str, list[list[object]]] = {}
        self._names = {nfc(n): n for n in self._wb.sheet_names}
        self.long_texts: list[tuple[CellRef, int]] = []

    def grid(self, sheet: str) -> list[list[object]]:
        if sheet not in self._grids:
            raw = self._names.get(sheet)
            if raw is None:
                self._grids[sheet] = []
            else:
                try:
                    self._grids[sheet] = self._wb.get_sheet_by_name(raw).to_python(skip_empty_area=False)
                except Exception:
                    raise _bad_sheet(self._path, sheet) from None
        return self._grids[sheet]

    def raw(self, sheet: str, row: int, col: int) -> object:
        grid = self.grid(sheet)
        if row < len(grid) and col < len(grid[row]):
            return grid[row][col]
        return None

    def get(self, ref: CellRef) -> object:
        v = _clean(self.raw(ref.sheet, ref.row, ref.col))
        if isinstance(v, str) and len(v) > EXCEL_TEXT_LIMIT:
            self.long_texts.append((ref, len(v)))
            v = v[:EXCEL_TEXT_LIMIT]
        return v

    def close(self) -> None:
        self._wb.close()


def _bad_sheet(path, sheet: str) -> UnusableInput:
    return UnusableInput("bad-sheet", say("workbook-bad-sheet", name=_display_name(path), sheet=sheet or "?"),
                         str(path))


def open_package(path: str | Path | Package) -> Package:
    return path if isinstance(path, Package) else Package.open(path)


def identify(path: str | Path | Package) -> tuple[str, WorkbookIndex]:
    """Sniff the file and read its index; raise UnusableInput when it is not a cchc-xl workbook."""
    package = open_package(path)
    index = index_of(package)
    if naming.TEMPLATE_ID not in index.names:
        raise UnusableInput("not-ours", say("workbook-not-ours", name=_display_name(package.path)),
                            str(package.path))
    return package.kind, index


# ------------------------------------------------------------------------------- trust, but verify

@dataclass(frozen=True)
class _Expected:
    sheet: str
    row: int
    col: int
    key_col: int
    key: str


def _key_text(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return " ".join(nfc(str(v)).split()).casefold()


@cache
def template_layout(form: Form, framework: Framework) -> dict[str, _Expected]:
    """Where the form's template puts every defined name, and the key text on that name's row."""
    from cchc_xl.model import layout as lay

    layout = lay.layout_of(form, framework)
    keys: dict[str, tuple[int, str]] = {}
    for row in layout.stat_rows:
        if row.indicator is not None and row.indicator.has_cell:
            keys[row.indicator.name] = (lay.STAT_CODE_COL, row.indicator.code)
    for _row, crit in layout.score_rows:
        for name in (crit.self_name, crit.appraised_name):
            keys[name] = (lay.SCORE_CODE_COL, crit.code)
    labels = {key: label + (" *" if required else "") for key, label, required in META_FIELDS}
    for _row, key in layout.info_rows:
        keys[naming.meta_name(key)] = (lay.INFO_LABEL_COL, labels[key])
    out = {}
    for name, (sheet, row, col) in layout.cells.items():
        key_col, key = keys.get(name, (-1, ""))
        out[name] = _Expected(sheet, row, col, key_col, _key_text(key))
    return out


def _what(report: Report, name: str) -> str:
    ref = naming.decode(name, report.form, report.framework)
    if ref is None or ref.kind == "package":
        return name
    if ref.kind == "indicator":
        return say("what-indicator", code=ref.code)
    if ref.kind == "total":
        return say("what-total")
    if ref.kind == "meta":
        return say("what-meta", label=ref.code)
    return say("what-criterion", code=ref.code)


def _codes_of(report: Report, name: str) -> tuple[str, ...]:
    ref = naming.decode(name, report.form, report.framework)
    return (ref.code,) if ref is not None and ref.kind in ("indicator", "self", "appraised") else ()


def _locate(report: Report, index: WorkbookIndex, grids: _Grids, wanted: list[str]) -> None:
    """Fill ``report.cells`` with verified or relocated positions; refuse when a position is uncertain."""
    expected = template_layout(report.form, report.framework)
    present = set(index.sheets)
    key_rows: dict[tuple[str, int], dict[str, list[int]]] = {}

    def rows_with(sheet: str, key_col: int, key: str) -> list[int]:
        if (sheet, key_col) not in key_rows:
            table: dict[str, list[int]] = {}
            for r, row in enumerate(grids.grid(sheet)):
                if key_col < len(row):
                    text = _key_text(row[key_col])
                    if text:
                        table.setdefault(text, []).append(r)
            key_rows[(sheet, key_col)] = table
        return key_rows[(sheet, key_col)].get(key, [])

    uncertain: list[str] = []
    for name in wanted:
        ref, problem = index.lookup(name)
        exp = expected.get(name)
        if exp is None or exp.key_col < 0:
            if ref is not None:
                report.cells[name] = ref
            else:
                report.missing.append(name)
            continue
        if ref is not None:
            here = _key_text(grids.raw(ref.sheet, ref.row, exp.key_col))
            if here == exp.key:
                report.cells[name] = ref
                if problem:
                    _note_name(report, name, problem, ref, ref)
                continue
        # Find the key: in the name's own sheet, else the template's sheet, else anywhere.
        candidates: list[tuple[str, int]] = []
        order = [s for s in dict.fromkeys([ref.sheet if ref else "", exp.sheet]) if s in present]
        for sheet in order:
            candidates = [(sheet, r) for r in rows_with(sheet, exp.key_col, exp.key)]
            if candidates:
                break
        if not candidates:
            for sheet in index.sheets:
                candidates += [(sheet, r) for r in rows_with(sheet, exp.key_col, exp.key)]
        if len(candidates) == 1:
            sheet, row = candidates[0]
            col = ref.col if ref is not None and ref.sheet == sheet else exp.col
            new = CellRef(sheet, row, col)
            report.cells[name] = new
            _note_name(report, name, problem, ref, new)
        elif not candidates and ref is not None and here == "":
            report.cells[name] = ref  # nothing contradicts the name (an older layout without the key)
        elif not candidates and ref is None:
            report.missing.append(name)
        elif not candidates:
            uncertain.append(say("unlocatable-none", what=_what(report, name)))
        else:
            places = ", ".join(f"{s}!{CellRef(s, r, exp.col).address}" for s, r in candidates[:4])
            uncertain.append(say("unlocatable-many", what=_what(report, name), places=places))
    if uncertain:
        detail = "; ".join(uncertain[:8]) + (" …" if len(uncertain) > 8 else "")
        raise UnusableInput("names-unlocatable", say("workbook-names-unlocatable", name=_display_name(report.path),
                                                     count=len(uncertain), detail=detail), str(report.path))


def _note_name(report: Report, name: str, problem: tuple[str, str] | None, old: CellRef | None,
               new: CellRef) -> None:
    what = _what(report, name)
    if problem is None and old is None:
        problem = ("name-why-missing", "")
    if problem is not None:
        why = say(problem[0], sheet=problem[1]) if problem[0] == "name-why-sheet" else say(problem[0])
        message = say("finding-name-broken", name=name, what=what, why=why, new=str(new))
        rule = f"structure:name-{problem[0].removeprefix('name-why-')}"
    else:
        message = say("finding-name-moved", name=name, what=what, old=str(old), new=str(new))
        rule = "structure:name-moved"
    shift = (new.sheet, new.row - old.row) if old is not None and old.sheet == new.sheet else None
    report.notes.append(ReadNote(rule, "warning", _codes_of(report, name), new.sheet, new.address, message, shift))


def read_report(path: str | Path | Package, framework: str | None = None, strict_version: bool = True) -> Report:
    """Read a commune workbook by verified defined names. Raises ``UnusableInput`` for anything unusable."""
    package = open_package(path)
    path = Path(package.path)
    kind, index = identify(package)
    grids = _Grids(package)
    name = _display_name(path)
    try:
        template_id = nfc(grids.get(index.names[naming.TEMPLATE_ID]))
        version_ref = index.names.get(naming.TEMPLATE_VERSION)
        version = nfc(grids.get(version_ref)) if version_ref else ""
        if template_id not in list_forms():
            raise UnusableInput("unknown-form", say("workbook-unknown-form", name=name, form=template_id),
                                str(path))
        form = load_form(template_id)
        if strict_version and version != form.version:
            raise UnusableInput("old-version", say("workbook-old-version", name=name, form=template_id,
                                                   version=version or "?", current=form.version), str(path))
        fw_ref = index.names.get(naming.FRAMEWORK)
        embedded = _embedded_framework(grids, index.sheets)
        note = ""
        if framework:
            fw = framework_for(form, framework)
            if embedded is not None and embedded.criteria != fw.criteria:
                note = say("framework-differs", given=framework, inside=embedded.id)
                fw = embedded  # reported, never silently applied: the workbook was built on its own framework
        elif embedded is not None:
            fw = embedded
        else:
            try:
                named = nfc(grids.get(fw_ref)) if fw_ref else None
                fw = framework_for(form, named if named and _bundled_id(named) else None)
            except CatalogError:
                fw = framework_for(form)
        report = Report(path, kind, form, fw, template_id, version, index.sheets, parts=index.parts,
                        names=index.names, package=package, framework_note=note)
        meta_names = [naming.meta_name(key) for key in META_KEYS]
        value_names = [ind.name for ind in form.cells]
        score_names = []
        for crit in fw.criteria:
            if crit.self_assessed:
                score_names.append(crit.self_name)
            score_names.append(crit.appraised_name)
        wanted = meta_names + value_names + score_names + [SELF_TOTAL_NAME, APPRAISED_TOTAL_NAME]
        _locate(report, index, grids, wanted)
        missing = set(report.missing)
        report.missing = [n for n in report.missing if n not in meta_names]  # absent metadata is optional
        for key, meta in zip(META_KEYS, meta_names, strict=True):
            if meta in report.cells:
                report.meta[key] = _meta(key, grids.get(report.cells[meta]))
        for ind in form.cells:
            if ind.name not in missing:
                report.values[ind.code] = grids.get(report.cells[ind.name])
        for crit in fw.criteria:
            if crit.self_assessed and crit.self_name not in missing:
                report.scores[crit.code] = grids.get(report.cells[crit.self_name])
            if crit.appraised_name not in missing:
                report.appraised[crit.code] = grids.get(report.cells[crit.appraised_name])
        for total in (SELF_TOTAL_NAME, APPRAISED_TOTAL_NAME):
            if total not in missing:
                report.totals[total] = grids.get(report.cells[total])
        _package_notes(report, package, grids)
        for name, ref in index.names.items():  # printed figures of derived rows and scores (hidden cells)
            if name.startswith("GHI_"):
                report.stated[name] = grids.get(ref)
        return report
    finally:
        grids.close()


def _embedded_framework(grids: _Grids, sheets) -> Framework | None:
    """The framework a workbook carries on its hidden sheet (None for a workbook without one)."""
    from cchc_xl.model.catalog import parse_framework
    from cchc_xl.model.layout import (
        FRAMEWORK_COLUMNS,
        FRAMEWORK_HEADER_ROW,
        FRAMEWORK_ID_CELL,
        FRAMEWORK_SHEET,
        FRAMEWORK_TITLE_CELL,
    )

    if FRAMEWORK_SHEET not in sheets:
        return None
    fw_id = nfc(grids.get(CellRef(FRAMEWORK_SHEET, *FRAMEWORK_ID_CELL)))
    title = nfc(grids.get(CellRef(FRAMEWORK_SHEET, *FRAMEWORK_TITLE_CELL)))
    rows = []
    row = FRAMEWORK_HEADER_ROW + 1
    while row < FRAMEWORK_HEADER_ROW + 2000:
        values = [grids.get(CellRef(FRAMEWORK_SHEET, row, col)) for col in range(len(FRAMEWORK_COLUMNS))]
        if values[0] is None:
            break
        rows.append({k: _text_of(v) for k, v in zip(FRAMEWORK_COLUMNS, values, strict=True)})
        row += 1
    if not fw_id or not rows:
        return None
    # Every workbook of a run carries the same framework: parse it once and hand out one object, so the
    # per-form caches (rules, layout, names) hit instead of growing with every file read.
    key = (fw_id, title, tuple(tuple(sorted(r.items())) for r in rows))
    if key not in _EMBEDDED:
        try:
            parsed = parse_framework(fw_id, rows, source=FRAMEWORK_SHEET, title=title)
        except CatalogError:
            parsed = None  # a damaged copy: fall back to the framework id the workbook names
        try:  # the bundled framework itself: the very object every other path uses
            bundled = framework_for(None, fw_id) if _bundled_id(fw_id) else None  # type: ignore[arg-type]
        except CatalogError:
            bundled = None
        if parsed is not None and bundled is not None and bundled.criteria == parsed.criteria:
            parsed = bundled
        if len(_EMBEDDED) > 64:  # a folder of many different frameworks is not a reason to grow without end
            _EMBEDDED.clear()
        _EMBEDDED[key] = parsed
    return _EMBEDDED[key]


_EMBEDDED: dict[tuple, Framework | None] = {}


def _bundled_id(text: str) -> bool:
    """A framework id a workbook may name: a bundled id, never a path (a workbook must not make us read
    a file of its choosing)."""
    return bool(re.fullmatch(r"[a-z0-9][a-z0-9-]*", text))


def _text_of(v: object) -> str:
    if v is None:
        return ""
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return nfc(str(v))


def _package_notes(report: Report, package: Package, grids: _Grids) -> None:
    """Far cells cut, over-long texts, and formulas in cells the template keeps for typed values."""
    from cchc_xl.ooxml.package import MAX_COLS, MAX_ROWS, col_letters

    limit = f"{col_letters(MAX_COLS - 1)}{MAX_ROWS}"
    for sheet in package.sheet_names:
        scan = package.scan(sheet)
        if scan.far:
            report.notes.append(ReadNote("structure:far-cells", "warning", (), sheet, scan.first_far,
                                         say("finding-far-cells", sheet=sheet, count=scan.far, limit=limit,
                                             cell=scan.first_far)))
    for ref, length in grids.long_texts:
        report.notes.append(ReadNote("structure:long-text", "warning", (), ref.sheet, ref.address,
                                     say("finding-long-text", cell=str(ref), length=f"{length:,}".replace(",", "."))))
    # the cells that must hold formulas; every other named cell is typed
    from cchc_xl.engine.state import derived_names

    derived = derived_names(report.form, report.framework)
    for name, ref in report.cells.items():
        if name in derived:
            continue
        formula = package.formulas(ref.sheet).get((ref.row, ref.col)) if ref.sheet in report.sheets else None
        if formula:
            report.input_formulas[name] = formula


def _meta(key: str, value: object) -> object:
    if key == "ky" and isinstance(value, str):
        by_label = {label.lower(): code for code, label in PERIODS.items()}
        return by_label.get(value.lower(), value)
    if key == "nam" and isinstance(value, float) and value.is_integer():
        return int(value)
    if key == "ngay_lap" and isinstance(value, dt.datetime):
        return value.date()
    if key == "ma_xa" and isinstance(value, int | float):
        return str(int(value))
    return value


# ---------------------------------------------------------------------------------------------- writing


@contextlib.contextmanager
def atomic_output(target: str | Path, force: bool = True, publish: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one rename.

    A crash, an exception, Ctrl-C or SIGTERM (the CLI turns it into an exception) leaves ``target`` as it
    was and removes the temporary. ``force=False`` refuses to replace an existing file. With
    ``publish=False`` the caller renames the temporary itself (see ``ooxml.publish.publish_together``);
    it is still removed if it is left behind.
    """
    target = Path(target)
    if not force and target.exists():
        raise OutputRefused(say("output-exists", path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cchc-", suffix=target.suffix or ".tmp", dir=target.parent)
    os.close(fd)
    try:
        # mkstemp creates 0600; give the output the mode a normal file (or the replaced one) would have.
        umask = os.umask(0)
        os.umask(umask)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~umask
        os.chmod(tmp, mode)
        yield Path(tmp)
        if publish:
            os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)


def zip_parts(path: str | Path) -> dict[str, bytes]:
    """Every part of an OOXML package, by name (for part-by-part comparisons)."""
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
