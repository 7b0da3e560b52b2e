"""Turn a built workbook (.xlsx) into its macro-enabled twin (.xlsm) with the Kiểm tra buttons.

The VBA lives as text in ``cchc_xl/macros/*.bas`` (ASCII only: VBA stores source in the ANSI code page). The
project is written with pyOpenVBA, the pure-Python VBA writer: it creates the project as Excel does for
a first macro (document modules for the workbook and each sheet), adds our standard modules, and adds
form-control buttons — "Kiểm tra" and "Xóa đánh dấu" on the statistical and scoring sheets — bound to
the macros. Every other part of the package is carried over byte for byte, so the .xlsm keeps the
formulas, cached values, validation and protection of the .xlsx it was made from.

The build is deterministic (fixed zip timestamps, sorted modules), and :func:`xlsm_differences` compares
a committed .xlsm with a fresh one part by part, and the VBA by module source, so a stale macro template
is caught like a stale .xlsx.
"""

from __future__ import annotations

import re
import tempfile
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from cchc_xl.ooxml.reader import atomic_output

# Package data (importlib.resources), so a non-editable install builds .xlsm files with their macros too.
MACROS_DIR = Path(str(resources.files("cchc_xl") / "macros"))
XLSX_MAIN = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
XLSM_MAIN = b"application/vnd.ms-excel.sheet.macroEnabled.main+xml"
FIXED_TIME = (2025, 1, 1, 0, 0, 0)  # same as the template's creation date: rebuilds are byte-identical
VBA_PART = "xl/vbaProject.bin"


@dataclass(frozen=True)
class Button:
    name: str  # shape name (ASCII, stable: tests and the rebuild check find buttons by it)
    text: str  # caption the user reads
    macro: str  # public Sub in cchc_xl/macros/*.bas


BUTTONS = (
    Button("btnKiemTra", "Kiểm tra", "KiemTra"),
    Button("btnXoaDanhDau", "Xóa đánh dấu", "XoaDanhDau"),
)
# The buttons go right of the table, beside the frozen header rows: visible while scrolling down, never
# covering a cell, never printed.
BUTTON_SHEETS = ("Phụ lục", "Biểu mẫu", "Chấm điểm")
BUTTON_WIDTH, BUTTON_HEIGHT, BUTTON_GAP, MARGIN = 120.0, 24.0, 6.0, 8.0
CAPTION_FONT = "Times New Roman"  # the workbook's font


def module_sources(macros_dir: str | Path = MACROS_DIR) -> dict[str, str]:
    """Module name (its ``Attribute VB_Name``) → source with CRLF line endings, for every ``.bas``."""
    out = {}
    paths = sorted(Path(macros_dir).glob("*.bas"))
    if not paths:  # an .xlsm whose buttons are bound to no macro must never be written
        raise FileNotFoundError(f"no VBA modules (*.bas) in {macros_dir}")
    for path in paths:
        text = path.read_text(encoding="ascii")  # a non-ASCII literal would turn into "?" in VBA
        found = re.search(r'^Attribute VB_Name = "([^"]+)"', text, re.MULTILINE)
        name = found.group(1) if found else path.stem
        out[name] = normalise_source(text)
    return out


def normalise_source(text: str) -> str:
    """CRLF line endings and exactly one final line break: how VBA stores and olevba prints a module."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
    return "\r\n".join(lines) + "\r\n"


def build_xlsm(xlsx: str | Path, out: str | Path, macros_dir: str | Path = MACROS_DIR,
               force: bool = True) -> Path:
    """Write ``out`` (.xlsm): the workbook ``xlsx`` plus the VBA project and the buttons."""
    sources = module_sources(macros_dir)
    with tempfile.TemporaryDirectory(prefix="cchc_xl_xlsm_") as tmp:
        work = Path(tmp)
        plain, with_vba, with_buttons = work / "a.xlsm", work / "b.xlsm", work / "c.xlsm"
        _as_macro_enabled(Path(xlsx), plain)
        _add_project(plain, with_vba, sources)
        restore = _add_buttons(with_vba, with_buttons)
        with atomic_output(out, force=force) as target:
            _repack(with_buttons, Path(target), restore)
    return Path(out)


def _as_macro_enabled(xlsx: Path, target: Path) -> None:
    """Copy the package, declaring the workbook part macro-enabled (the only change Excel needs)."""
    with zipfile.ZipFile(xlsx) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "[Content_Types].xml":
                data = data.replace(XLSX_MAIN, XLSM_MAIN)
            zout.writestr(info, data)


def _add_project(source: Path, target: Path, modules: dict[str, str]) -> None:
    from pyopenvba import ExcelFile

    with ExcelFile(source) as book:
        project = book.add_vba_project()
        for name, text in modules.items():
            project.add_module(name, text)
        book.save(target)


def _add_buttons(source: Path, target: Path) -> dict[str, bytes]:
    """Add the buttons; return sheet part → its original ``<cols>`` element, to put back when repacking.

    pyOpenVBA anchors a control at save time by walking the column widths and stops at the first
    zero-width column, so a button right of a hidden column would get zero width in Excel. The hidden
    columns are therefore shown in the copy pyOpenVBA reads (so its model sees no change and rewrites no
    cell), and the original ``<cols>`` element is restored afterwards.
    """
    from pyopenvba.apps.excel import ExcelApplication

    with zipfile.ZipFile(source) as z:
        parts = {name: _sheet_part(z, name) for name in BUTTON_SHEETS if _has_sheet(z, name)}
        restore: dict[str, bytes] = {}
        for part in parts.values():
            cols = re.search(rb"<cols>.*?</cols>", z.read(part), re.DOTALL)
            if cols:
                restore[part] = cols.group()
    shown = target.with_name("shown.xlsm")
    _copy_package(source, shown, {part: re.sub(rb'\s+hidden="(?:1|true)"', b"", cols)
                                  for part, cols in restore.items()})
    app = ExcelApplication.open(shown, with_vba=False)
    for name, part in parts.items():
        view = app.sheet(name)
        with zipfile.ZipFile(shown) as z:
            columns = _defined_columns(z.read(part).decode("utf-8"))
        left = view.sheet.drawing_grid().x(columns, 0) + MARGIN
        sheet = view.sheet
        # pyOpenVBA refuses to draw on a sheet whose drawing objects are protected (Excel would too);
        # the protection object is put back untouched, so the file keeps the template's settings.
        protection, sheet.protection = sheet.protection, None
        try:
            for index, button in enumerate(BUTTONS):
                view.add_button(name=button.name, left=left, top=MARGIN + index * (BUTTON_HEIGHT + BUTTON_GAP),
                                width=BUTTON_WIDTH, height=BUTTON_HEIGHT, text=button.text, macro=button.macro)
        finally:
            sheet.protection = protection
    app.save(target)
    return restore


def _copy_package(source: Path, target: Path, cols: dict[str, bytes]) -> None:
    """Copy a package, replacing the ``<cols>`` element of the given parts."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename in cols:
                data = re.sub(rb"<cols>.*?</cols>", lambda _m, part=info.filename: cols[part], data, count=1,
                              flags=re.DOTALL)
            zout.writestr(info, data)


def _has_sheet(z: zipfile.ZipFile, sheet_name: str) -> bool:
    try:
        _sheet_part(z, sheet_name)
    except KeyError:
        return False
    return True


def _sheet_part(z: zipfile.ZipFile, sheet_name: str) -> str:
    """The worksheet part named ``sheet_name`` (through workbook.xml and its relationships)."""
    from xml.sax.saxutils import quoteattr

    workbook = z.read("xl/workbook.xml").decode("utf-8")
    rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8")
    found = re.search(r"<sheet\b[^>]*\bname=" + re.escape(quoteattr(sheet_name)) + r"[^>]*/>", workbook)
    if not found:
        raise KeyError(sheet_name)
    rid = re.search(r'r:id="([^"]+)"', found.group()).group(1)
    for rel in re.findall(r"<Relationship\b[^>]*/>", rels):
        attrs = dict(re.findall(r'(\w+)="([^"]*)"', rel))
        if attrs.get("Id") == rid:
            target = attrs["Target"]
            return target.lstrip("/") if target.startswith("/") else "xl/" + target
    raise KeyError(sheet_name)


def _defined_columns(sheet_xml: str) -> int:
    """How many columns the sheet defines (hidden ones included): the buttons go right of them."""
    ends = [int(m) for m in re.findall(r'<col\b[^>]*?\bmax="(\d+)"', sheet_xml)]
    return max(ends, default=0)


_VML_CAPTION = re.compile(r"(<v:textbox\b[^>]*>\s*<div\b[^>]*>)([^<]*)(</div>)")


def _vml_with_fonts(vml: bytes) -> bytes:
    """Wrap each button caption in the ``<font>`` element Excel writes around it.

    pyOpenVBA writes the caption as bare text in the VML text box; Excel shows it, but LibreOffice only
    takes a caption from a ``<font>`` run and would show blank buttons.
    """
    text = vml.decode("utf-8")
    text = _VML_CAPTION.sub(
        lambda m: f'{m.group(1)}<font face="{CAPTION_FONT}" size="220" color="#000000">{m.group(2)}</font>{m.group(3)}',
        text)
    return text.encode("utf-8")


def _repack(source: Path, target: Path, restore: dict[str, bytes]) -> None:
    """Rewrite the zip with fixed timestamps (byte-identical rebuilds), button captions as Excel writes
    them, and the original ``<cols>`` of the sheets whose hidden columns were shown for the anchors."""
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, FIXED_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            data = zin.read(info)
            if info.filename.startswith("xl/drawings/") and info.filename.endswith(".vml"):
                data = _vml_with_fonts(data)
            if info.filename in restore:
                data = re.sub(rb"<cols>.*?</cols>", lambda _m, part=info.filename: restore[part], data,
                              count=1, flags=re.DOTALL)
            zout.writestr(fixed, data)


# ------------------------------------------------------------------------------------------- reading


def vba_modules(path: str | Path) -> dict[str, str]:
    """Standard modules of a workbook's VBA project, name → source (CRLF), without document modules."""
    from pyopenvba import ExcelFile
    from pyopenvba.vba import VBAModuleKind

    with ExcelFile(path) as book:
        if not book.has_vba_project():
            return {}
        return {m.name: normalise_source(m.source) for m in book.vba_project().modules
                if m.kind is VBAModuleKind.standard}


def buttons(path: str | Path) -> dict[str, list[tuple[str, str, str]]]:
    """Sheet name → [(shape name, caption, macro)] of the form-control buttons in a workbook."""
    from pyopenvba.apps.excel import ExcelApplication

    app = ExcelApplication.open(path, with_vba=False)
    out: dict[str, list[tuple[str, str, str]]] = {}
    for view in app.sheets():
        found = [(s.name, s.text, s.macro) for s in view.shapes() if s.kind == "formControl"]
        if found:
            out[view.name] = found
    return out


def xlsm_differences(committed: str | Path, fresh: str | Path) -> list[str]:
    """What differs between two .xlsm builds: module sources by name, other parts byte for byte."""
    problems = []
    old, new = vba_modules(committed), vba_modules(fresh)
    for name in sorted(old.keys() | new.keys()):
        if old.get(name) != new.get(name):
            problems.append(f"module {name}")
    with zipfile.ZipFile(committed) as a, zipfile.ZipFile(fresh) as b:
        parts_a = {i.filename for i in a.infolist()} - {VBA_PART}
        parts_b = {i.filename for i in b.infolist()} - {VBA_PART}
        for part in sorted(parts_a ^ parts_b):
            problems.append(f"part {part}")
        problems += [f"part {p}" for p in sorted(parts_a & parts_b) if a.read(p) != b.read(p)]
    return problems


