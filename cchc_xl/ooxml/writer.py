"""Write into an existing workbook surgically: rewrite only the cells that change, keep every other part.

openpyxl's load/save drops shapes, sparklines, 2010 conditional formats, cached values and comment
formatting, so this module edits the package instead: each target ``<c>`` element of a sheet part is replaced
(keeping its style index), every other zip member is copied unchanged, and ``xl/calcChain.xml`` is dropped only
when formulas are added. Inputs are never modified; outputs are written atomically.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from cchc_xl.engine.state import _locator, computed_cells
from cchc_xl.errors import WriteRefused
from cchc_xl.messages import say
from cchc_xl.model.data import WorkbookData
from cchc_xl.model.report import CellRef, Report
from cchc_xl.ooxml.package import Package
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.ooxml.xmltext import escape


@dataclass(frozen=True)
class CellWrite:
    """New content of one cell: a value (number, text or None for blank) and optionally a formula."""

    value: object
    formula: str | None = None  # with or without the leading "="
    cached_only: bool = False  # keep the cell's existing formula, refresh only its cached value




def _col_index(address: bytes) -> int:
    n = 0
    for ch in re.match(rb"[A-Z]+", address).group(0):  # type: ignore[union-attr]
        n = n * 26 + ch - 64
    return n


def _cell_xml(address: str, style: bytes | None, write: CellWrite) -> bytes:
    s = b' s="' + style + b'"' if style else b""
    r = address.encode()
    v = write.value
    if write.formula is not None:
        f = escape(write.formula.lstrip("=")).encode()
        if isinstance(v, bool):
            return b'<c r="%s"%s t="b"><f>%s</f><v>%d</v></c>' % (r, s, f, int(v))
        if isinstance(v, int | float):
            return b'<c r="%s"%s><f>%s</f><v>%s</v></c>' % (r, s, f, _num(v))
        text = escape("" if v is None else str(v)).encode()
        return b'<c r="%s"%s t="str"><f>%s</f><v>%s</v></c>' % (r, s, f, text)
    if v is None or v == "":
        return b'<c r="%s"%s/>' % (r, s)
    if isinstance(v, bool):
        return b'<c r="%s"%s t="b"><v>%d</v></c>' % (r, s, int(v))
    if isinstance(v, int | float):
        return b'<c r="%s"%s><v>%s</v></c>' % (r, s, _num(v))
    # Inline strings leave sharedStrings.xml untouched; text is always text, never a formula.
    text = escape(str(v)).encode()
    return b'<c r="%s"%s t="inlineStr"><is><t xml:space="preserve">%s</t></is></c>' % (r, s, text)


def _cached_xml(address: str, style: bytes | None, f: bytes, v: object) -> bytes:
    s = b' s="' + style + b'"' if style else b""
    r = address.encode()
    if isinstance(v, bool):
        return b'<c r="%s"%s t="b">%s<v>%d</v></c>' % (r, s, f, int(v))
    if isinstance(v, int | float):
        return b'<c r="%s"%s>%s<v>%s</v></c>' % (r, s, f, _num(v))
    if v is None or v == "":  # an empty result is written untyped, as the template builder (XlsxWriter) does
        return b'<c r="%s"%s>%s<v></v></c>' % (r, s, f)
    return b'<c r="%s"%s t="str">%s<v>%s</v></c>' % (r, s, f, escape(str(v)).encode())


def _num(v: int | float) -> bytes:
    return str(v).encode() if isinstance(v, int) else repr(float(v)).encode()


_ROW = re.compile(rb'<row\b[^>]*?\br="(\d+)"[^>]*?(?:/>|>(.*?)</row>)', re.S)
_CELL = re.compile(rb'<c\b[^>]*?\br="([A-Z]+\d+)"[^>]*?(?:/>|>.*?</c>)', re.S)
_STYLE = re.compile(rb'\bs="(\d+)"')
_FORMULA = re.compile(rb"<f\b[^>]*?(?:/>|>.*?</f>)", re.S)
_SPANS = re.compile(rb'\sspans="[^"]*"')


def patch_sheet(xml: bytes, writes: dict[str, CellWrite]) -> bytes:
    """Return ``xml`` with the given cells (A1 addresses) replaced or inserted; everything else untouched."""
    if re.search(rb"<[A-Za-z_][\w.-]*:sheetData\b", xml):
        raise WriteRefused(say("prefixed-xml-write"))
    if re.search(rb"<c(?=[\s>/])(?![^>]*\br=)[^>]*>", xml):
        raise WriteRefused(say("no-r-write"))
    by_row: dict[int, dict[str, CellWrite]] = {}
    for address, write in writes.items():
        by_row.setdefault(int(re.search(r"\d+", address).group(0)), {})[address] = write  # type: ignore[union-attr]
    rows = {int(m.group(1)): m for m in _ROW.finditer(xml)}
    pieces: list[bytes] = []
    pos = 0
    pending = sorted(by_row)
    for row_no in pending:
        m = rows.get(row_no)
        if m is None:
            continue
        pieces.append(xml[pos: m.start()])
        pieces.append(_patch_row(m.group(0), by_row[row_no]))
        pos = m.end()
    pieces.append(xml[pos:])
    out = b"".join(pieces)
    missing = [r for r in pending if r not in rows]
    for row_no in missing:
        out = _insert_row(out, row_no, by_row[row_no])
    return out


def _insert_row(xml: bytes, row_no: int, writes: dict[str, CellWrite]) -> bytes:
    cells = b"".join(_cell_xml(a, None, w) for a, w in sorted(writes.items(), key=lambda x: _col_index(x[0].encode()))
                     if not w.cached_only)
    if not cells:
        return xml
    new_row = b'<row r="%d">%s</row>' % (row_no, cells)
    for later in _ROW.finditer(xml):
        if int(later.group(1)) > row_no:
            return xml[: later.start()] + new_row + xml[later.start():]
    if b"<sheetData/>" in xml:
        return xml.replace(b"<sheetData/>", b"<sheetData>" + new_row + b"</sheetData>", 1)
    end = xml.index(b"</sheetData>")
    return xml[:end] + new_row + xml[end:]


def _patch_row(row_xml: bytes, writes: dict[str, CellWrite]) -> bytes:
    if row_xml.endswith(b"/>"):
        head, body = row_xml[:-2] + b">", b""
    else:
        open_end = row_xml.index(b">") + 1
        head, body = row_xml[:open_end], row_xml[open_end:-len(b"</row>")]
    cells = {m.group(1).decode(): m for m in _CELL.finditer(body)}
    replacements: list[tuple[int, int, bytes]] = []
    inserts: list[tuple[int, bytes]] = []
    for address, write in writes.items():
        m = cells.get(address)
        if m is not None:
            old = m.group(0)
            style = _STYLE.search(old[: old.index(b">") + 1])
            st = style.group(1) if style else None
            if write.cached_only:
                fm = _FORMULA.search(old)
                if fm is None:
                    continue  # a constant where a formula belongs: leave it for validate to report
                new = _cached_xml(address, st, fm.group(0), write.value)
            else:
                new = _cell_xml(address, st, write)
            if new != old:
                replacements.append((m.start(), m.end(), new))
            continue
        if write.cached_only:
            continue
        col = _col_index(address.encode())
        at = len(body)
        for other in cells.values():
            if _col_index(other.group(1)) > col:
                at = min(at, other.start())
        inserts.append((at, _cell_xml(address, None, write)))
    if not replacements and not inserts:
        return row_xml
    edits = sorted([(a, b, x) for a, b, x in replacements] + [(a, a, x) for a, x in inserts], key=lambda e: e[0])
    out, pos = [], 0
    for a, b, x in edits:
        out.append(body[pos:a])
        out.append(x)
        pos = b
    out.append(body[pos:])
    if inserts:
        # A row's "spans" hint is optional; drop it rather than let it disagree with the new cells.
        head = _SPANS.sub(b"", head)
    return head + b"".join(out) + b"</row>"


def write_cells(src: str | Path | Package, dst: str | Path, writes: dict[CellRef, CellWrite],
                force: bool = True) -> None:
    """Copy ``src`` to ``dst`` changing only ``writes``; drop calcChain when formulas were written.

    ``src`` may be the already opened :class:`Package` of the workbook (nothing is read twice).
    """
    package = src if isinstance(src, Package) else Package.open(src)
    parts = package.sheet_parts()
    by_part: dict[str, dict[str, CellWrite]] = {}
    for ref, write in writes.items():
        part = parts.get(ref.sheet)
        if not part or not package.has(part):
            raise WriteRefused(ref.sheet)
        by_part.setdefault(part, {})[ref.address] = write
    patched = {part: patch_sheet(package.part(part), cells) for part, cells in by_part.items()}
    adds_formulas = any(w.formula is not None for w in writes.values())
    lowered = {n.lower() for n in package.parts}
    drop_chain = adds_formulas and "xl/calcchain.xml" in lowered
    with atomic_output(dst, force=force) as tmp, zipfile.ZipFile(tmp, "w") as zout:
        for name, data in package.parts.items():
            lower = name.lower()
            if drop_chain and lower == "xl/calcchain.xml":
                continue
            data = patched.get(name, data)
            if drop_chain and lower == "[content_types].xml":
                data = re.sub(rb'<Override[^>]*PartName="/xl/calcChain.xml"[^>]*/>', b"", data)
            if drop_chain and lower == "xl/_rels/workbook.xml.rels":
                data = re.sub(rb'<Relationship[^>]*Target="[^"]*calcChain.xml"[^>]*/>', b"", data)
            info = package.infos[name]
            out = zipfile.ZipInfo(name, date_time=info.date_time)
            out.external_attr = info.external_attr
            zout.writestr(out, data, compress_type=info.compress_type)


def shown_value(report: Report, name: str) -> object:
    """The value a named cell showed when read (its cached result, for a formula cell)."""
    from cchc_xl.model import names as naming

    ref = naming.decode(name, report.form, report.framework)
    if ref is None:
        return None
    if ref.kind == "meta":
        return report.meta.get(ref.code)
    if ref.kind == "indicator":
        return report.values.get(ref.code)
    if ref.kind == "self":
        return report.scores.get(ref.code)
    if ref.kind == "appraised":
        return report.appraised.get(ref.code)
    return report.totals.get(name)


def neutralise_writes(report: Report) -> dict[CellRef, CellWrite]:
    """Constant writes replacing every formula found in a typed cell (DDE, HYPERLINK, external reference)
    by the value it showed."""
    return {report.cells[name]: CellWrite(shown_value(report, name)) for name in report.input_formulas}


def refresh_writes(report: Report, data: WorkbookData) -> dict[CellRef, CellWrite]:
    """Cached-value updates for every formula cell of ``report``'s workbook in state ``data``."""
    cells = computed_cells(report.form, report.framework, data, _locator(report))
    return {CellRef(sheet, row, col): CellWrite(value, cached_only=True) for (sheet, row, col), value in cells.items()}
