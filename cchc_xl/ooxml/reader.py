"""Reading commune workbooks by code, and writing outputs atomically.

``read_report`` is the one entry point every command uses to look inside a workbook: it sniffs the file
safely (``safety``), reads the defined names from ``xl/workbook.xml`` with a hardened XML parser, and reads
cell values with python-calamine (fast, never runs macros, never writes). Indicators are located only
through their defined names, so inserted rows or renamed sheets do not confuse it.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from python_calamine import CalamineWorkbook

from cchc_xl.errors import CatalogError, OutputRefused, UnusableInput
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.catalog import (
    APPRAISED_TOTAL_NAME,
    PERIODS,
    SELF_TOTAL_NAME,
    framework_for,
    list_forms,
    load_form,
    nfc,
)
from cchc_xl.model.data import META_KEYS
from cchc_xl.model.report import CellRef, Report, parse_ref
from cchc_xl.ooxml.safety import parse_xml, read_part, sniff
from cchc_xl.ooxml.xmltext import unescape

_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"






@dataclass(frozen=True)
class WorkbookIndex:
    """The package-level facts of a workbook: sheet names, their parts, and workbook-scoped defined names."""

    sheets: tuple[str, ...]
    names: dict[str, CellRef]
    broken_names: tuple[str, ...] = ()
    parts: dict[str, str] = field(default_factory=dict)  # sheet name → package part


def _sheet_parts(path: str | Path, root) -> dict[str, str]:
    rels = parse_xml(read_part(str(path), "xl/_rels/workbook.xml.rels"), path=str(path))
    targets = {}
    for rel in rels:
        target = rel.get("Target") or ""
        target = target.lstrip("/") if target.startswith("/") else "xl/" + target
        targets[rel.get("Id")] = target
    return {nfc(s.get("name")): targets.get(s.get(f"{_REL_NS}id"), "") for s in root.iter(f"{_NS}sheet")}


def workbook_index(path: str | Path) -> WorkbookIndex:
    """Read sheet names, parts and defined names from the package (hardened parser, size-capped reads)."""
    root = parse_xml(read_part(str(path), "xl/workbook.xml"), path=str(path))
    sheets = tuple(nfc(s.get("name")) for s in root.iter(f"{_NS}sheet"))
    names: dict[str, CellRef] = {}
    broken = []
    for dn in root.iter(f"{_NS}definedName"):
        name = dn.get("name") or ""
        if dn.get("localSheetId") is not None or name.startswith("_xlnm"):
            continue
        ref = parse_ref(dn.text or "")
        if ref is None:
            broken.append(name)
        else:
            names[name] = ref
    return WorkbookIndex(sheets, names, tuple(broken), _sheet_parts(path, root))


def sheet_parts(path: str | Path) -> dict[str, str]:
    """Sheet name → package part (``xl/worksheets/sheet2.xml``), from the workbook relationships."""
    return workbook_index(path).parts


_CELL_XML = re.compile(rb'<c\b[^>]*?\br="([A-Z]{1,3}[0-9]+)"[^>]*?(?:/>|>(.*?)</c>)', re.S)
_F_XML = re.compile(rb"<f\b[^>]*?(?:/>|>(.*?)</f>)", re.S)


def read_formulas(path: str | Path, refs: list[CellRef], parts: dict[str, str] | None = None
                  ) -> dict[CellRef, str | None]:
    """The formula text (with a leading "=") of each cell in ``refs``; ``None`` when the cell holds a constant.

    python-calamine does not expose formulas. Building an XML tree of a whole sheet to look at a few dozen
    cells dominated validation time, so the (size-capped) sheet part is scanned for just those ``<c>``
    elements; no DTD or entity is ever expanded, only the five predefined XML escapes are decoded.
    """
    parts = parts if parts is not None else sheet_parts(path)
    out: dict[CellRef, str | None] = {}
    by_sheet: dict[str, dict[bytes, CellRef]] = {}
    for ref in refs:
        by_sheet.setdefault(ref.sheet, {})[ref.address.encode()] = ref
        out[ref] = None
    for sheet, wanted in by_sheet.items():
        part = parts.get(sheet)
        if not part:
            continue
        for m in _CELL_XML.finditer(read_part(str(path), part)):
            ref = wanted.get(m.group(1))
            if ref is None or not m.group(2):
                continue
            f = _F_XML.search(m.group(2))
            if f is not None and f.group(1):
                out[ref] = "=" + unescape(f.group(1).decode("utf-8"))
    return out




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

    calamine reads a truncated sheet part without complaint (it returns the rows it got), so each sheet's
    XML is first checked to be complete; calamine's own errors become one Vietnamese sentence.
    """

    def __init__(self, path: Path, parts: dict[str, str]):
        self._path = path
        try:
            self._wb = CalamineWorkbook.from_path(str(path))
        except Exception:  # calamine raises its own error types for damaged packages
            raise _bad_sheet(path, "") from None
        self._grids: dict[str, list[list[object]]] = {}
        self._names = {nfc(n): n for n in self._wb.sheet_names}
        self._parts = parts

    def _check_complete(self, sheet: str) -> None:
        part = self._parts.get(sheet)
        if part and not read_part(str(self._path), part).rstrip().endswith(b"</worksheet>"):
            raise _bad_sheet(self._path, sheet)

    def get(self, ref: CellRef) -> object:
        if ref.sheet not in self._grids:
            raw = self._names.get(ref.sheet)
            if raw is None:
                self._grids[ref.sheet] = []
            else:
                self._check_complete(ref.sheet)
                try:
                    self._grids[ref.sheet] = self._wb.get_sheet_by_name(raw).to_python(skip_empty_area=False)
                except Exception:
                    raise _bad_sheet(self._path, ref.sheet) from None
        grid = self._grids[ref.sheet]
        if ref.row < len(grid) and ref.col < len(grid[ref.row]):
            return _clean(grid[ref.row][ref.col])
        return None

    def close(self) -> None:
        self._wb.close()


def _bad_sheet(path: Path, sheet: str) -> UnusableInput:
    return UnusableInput("bad-sheet", say("workbook-bad-sheet", name=Path(path).name, sheet=sheet or "?"), str(path))


def identify(path: str | Path) -> tuple[str, WorkbookIndex]:
    """Sniff the file and read its index; raise UnusableInput when it is not a cchc-xl workbook."""
    kind = sniff(path)
    index = workbook_index(path)
    if "TT_TEMPLATE_ID" not in index.names:
        raise UnusableInput("not-ours", say("workbook-not-ours", name=Path(path).name), str(path))
    return kind, index


def read_report(path: str | Path, framework: str | None = None, strict_version: bool = True) -> Report:
    """Read a commune workbook by defined names. Raises ``UnusableInput`` for anything unusable."""
    path = Path(path)
    kind, index = identify(path)
    grids = _Grids(path, index.parts)
    try:
        template_id = nfc(grids.get(index.names["TT_TEMPLATE_ID"]))
        version_ref = index.names.get("TT_TEMPLATE_VERSION")
        version = nfc(grids.get(version_ref)) if version_ref else ""
        if template_id not in list_forms():
            raise UnusableInput("unknown-form", say("workbook-unknown-form", name=path.name, form=template_id),
                                str(path))
        form = load_form(template_id)
        if strict_version and version != form.version:
            raise UnusableInput("old-version", say("workbook-old-version", name=path.name, form=template_id,
                                                   version=version or "?", current=form.version), str(path))
        fw_ref = index.names.get("TT_FRAMEWORK")
        try:
            fw = framework_for(form, framework or (nfc(grids.get(fw_ref)) if fw_ref else None) or None)
        except CatalogError:
            fw = framework_for(form)
        report = Report(path, kind, form, fw, template_id, version, index.sheets, parts=index.parts,
                        names=index.names)
        for key in META_KEYS:
            ref = index.names.get(names.meta_name(key))
            if ref is None:
                continue
            report.cells[names.meta_name(key)] = ref
            report.meta[key] = _meta(key, grids.get(ref))

        def take(name: str, target: dict[str, object], key: str) -> None:
            ref = index.names.get(name)
            if ref is None:
                report.missing.append(name)
                return
            report.cells[name] = ref
            target[key] = grids.get(ref)

        for ind in form.cells:
            take(ind.name, report.values, ind.code)
        for crit in fw.criteria:
            if crit.self_assessed:
                take(crit.self_name, report.scores, crit.code)
            take(crit.appraised_name, report.appraised, crit.code)
        take(SELF_TOTAL_NAME, report.totals, SELF_TOTAL_NAME)
        take(APPRAISED_TOTAL_NAME, report.totals, APPRAISED_TOTAL_NAME)
        return report
    finally:
        grids.close()


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
def atomic_output(target: str | Path, force: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``target``; on success it replaces ``target`` in one rename.

    A crash, an exception or Ctrl-C leaves ``target`` as it was. ``force=False`` refuses to replace an
    existing file.
    """
    target = Path(target)
    if not force and target.exists():
        raise OutputRefused(say("output-exists", path=str(target)))
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".cchc-", suffix=target.suffix or ".tmp", dir=target.parent)
    os.close(fd)
    try:
        yield Path(tmp)
        # mkstemp creates 0600; give the output the mode a normal file (or the replaced one) would have.
        umask = os.umask(0)
        os.umask(umask)
        mode = target.stat().st_mode & 0o777 if target.exists() else 0o666 & ~umask
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def zip_parts(path: str | Path) -> dict[str, bytes]:
    """Every part of an OOXML package, by name (for part-by-part comparisons)."""
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}
