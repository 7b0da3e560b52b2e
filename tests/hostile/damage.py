"""Build damaged workbooks by code: the things users and other tools do to a commune workbook.

Every builder takes a good workbook and a destination and writes a damaged copy (never touching the
source). They edit the package directly (zip members, sheet XML, workbook.xml), so what they produce does
not depend on the code under test. ``BASE`` is a consistent sample (zero findings) of Phụ lục 01b.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BASE = ROOT / "samples" / "province" / "an-duc-nam-2022.xlsx"  # phu-luc-01b, 0 errors, 0 warnings
OTHER = Path("an-phu-nam-2022.xlsx")  # the name of the second commune built by other_commune
STAT = "Phụ lục"
INFO = "Thông tin"
SCORE = "Chấm điểm"
NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def members(src: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(src) as zf:
        return {i.filename: zf.read(i.filename) for i in zf.infolist()}


def write_members(dst: Path, parts: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return dst


def edit(src: Path, dst: Path, changes: dict[str, Callable[[bytes], bytes] | None]) -> Path:
    """Copy with some members edited (a function) or removed (None)."""
    parts = members(src)
    for name, fn in changes.items():
        if fn is None:
            parts.pop(name)
        else:
            parts[name] = fn(parts[name])
    return write_members(dst, parts)


def sheet_part(src: Path, sheet: str) -> str:
    """The member holding ``sheet`` (through workbook.xml and its relationships, read naively)."""
    parts = members(src)
    wb = parts["xl/workbook.xml"].decode()
    rid = re.search(rf'<sheet name="{re.escape(sheet)}"[^>]*r:id="([^"]+)"', wb).group(1)
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(rf'Id="{rid}"[^>]*Target="([^"]+)"', rels) or re.search(
        rf'Target="([^"]+)"[^>]*Id="{rid}"', rels)
    return "xl/" + target.group(1).lstrip("/").removeprefix("xl/")


# --------------------------------------------------------------------------------------------- cells


def add_cell(src: Path, dst: Path, sheet: str, address: str, value: str = "1") -> Path:
    """A number in one more cell, anywhere (XFD1048576 included), as a new row or in the existing row."""
    row = int(re.search(r"\d+", address).group(0))
    cell = f'<c r="{address}"><v>{value}</v></c>'.encode()

    def fn(xml: bytes) -> bytes:
        m = re.search(rb'<row r="%d"[^>]*?(/>|>)' % row, xml)
        if m:
            if m.group(1) == b"/>":
                return xml[:m.start()] + xml[m.start():m.end() - 2] + b">" + cell + b"</row>" + xml[m.end():]
            end = xml.index(b"</row>", m.end())
            return xml[:end] + cell + xml[end:]
        later = [x for x in re.finditer(rb'<row r="(\d+)"', xml) if int(x.group(1)) > row]
        new_row = b'<row r="%d">%s</row>' % (row, cell)
        if later:
            return xml[:later[0].start()] + new_row + xml[later[0].start():]
        return xml.replace(b"</sheetData>", new_row + b"</sheetData>", 1)

    return edit(src, dst, {sheet_part(src, sheet): fn})


def put_formula(src: Path, dst: Path, sheet: str, address: str, formula: str, cached: str) -> Path:
    """Replace cell ``address`` with a formula and a cached text result (a DDE call, a HYPERLINK …)."""
    from xml.sax.saxutils import escape

    def fn(xml: bytes) -> bytes:
        new = f'<c r="{address}" t="str"><f>{escape(formula)}</f><v>{escape(cached)}</v></c>'.encode()
        pat = re.compile(rb'<c r="%s"(?:[^>]*?/>|[^>]*?>.*?</c>)' % address.encode(), re.S)
        assert pat.search(xml), address
        return pat.sub(lambda m: new, xml, count=1)

    return edit(src, dst, {sheet_part(src, sheet): fn})


def set_inline_text(src: Path, dst: Path, sheet: str, address: str, text: str) -> Path:
    from xml.sax.saxutils import escape

    def fn(xml: bytes) -> bytes:
        new = f'<c r="{address}" t="inlineStr"><is><t>{escape(text)}</t></is></c>'.encode()
        pat = re.compile(rb'<c r="%s"(?:[^>]*?/>|[^>]*?>.*?</c>)' % address.encode(), re.S)
        assert pat.search(xml), address
        return pat.sub(lambda m: new, xml, count=1)

    return edit(src, dst, {sheet_part(src, sheet): fn})


def set_number(src: Path, dst: Path, sheet: str, address: str, value: str) -> Path:
    """A constant number over whatever the cell held (a formula included)."""

    def fn(xml: bytes) -> bytes:
        pat = re.compile(rb'<c r="%s"((?:\s+s="\d+")?)[^>]*?(?:/>|>.*?</c>)' % address.encode(), re.S)
        assert pat.search(xml), address
        return pat.sub(lambda m: b'<c r="%s"%s><v>%s</v></c>' % (address.encode(), m.group(1), value.encode()),
                       xml, count=1)

    return edit(src, dst, {sheet_part(src, sheet): fn})


# ----------------------------------------------------------------------------------------------- rows


def _rows(xml: bytes) -> dict[int, re.Match]:
    return {int(m.group(1)): m for m in re.finditer(rb'<row r="(\d+)"[^>]*?(?:/>|>.*?</row>)', xml, re.S)}


def _renumber(row_xml: bytes, new: int) -> bytes:
    row_xml = re.sub(rb'^<row r="\d+"', b'<row r="%d"' % new, row_xml)
    return re.sub(rb'(<c r="[A-Z]+)\d+"', lambda m: m.group(1) + b'%d"' % new, row_xml)


def swap_rows(src: Path, dst: Path, sheet: str, a: int, b: int) -> Path:
    """What a sort does to two rows: their cells trade places; the defined names stay where they were."""

    def fn(xml: bytes) -> bytes:
        rows = _rows(xml)
        ma, mb = rows[a], rows[b]
        first, second = sorted((ma, mb), key=lambda m: m.start())
        new_first = _renumber(second.group(0), int(first.group(1)))
        new_second = _renumber(first.group(0), int(second.group(1)))
        return (xml[:first.start()] + new_first + xml[first.end():second.start()] + new_second
                + xml[second.end():])

    return edit(src, dst, {sheet_part(src, sheet): fn})


def shift_rows(src: Path, dst: Path, sheet: str, from_row: int, by: int = 1) -> Path:
    """Rows inserted (by > 0) or deleted (< 0) above ``from_row`` without updating the defined names."""

    def fn(xml: bytes) -> bytes:
        rows = _rows(xml)
        out, pos = [], 0
        for r in sorted(rows):
            m = rows[r]
            out.append(xml[pos:m.start()])
            if by < 0 and from_row + by <= r < from_row:
                pos = m.end()
                continue  # deleted
            out.append(_renumber(m.group(0), r + by) if r >= from_row else m.group(0))
            pos = m.end()
        out.append(xml[pos:])
        xml = b"".join(out)
        return re.sub(rb'<mergeCell ref="[^"]*"/>', b"", xml)  # merges no longer match; Excel drops them too

    return edit(src, dst, {sheet_part(src, sheet): fn})


# -------------------------------------------------------------------------------------- workbook.xml


def workbook_xml(src: Path, dst: Path, fn: Callable[[str], str]) -> Path:
    return edit(src, dst, {"xl/workbook.xml": lambda x: fn(x.decode()).encode()})


def rename_sheet_only(src: Path, dst: Path, old: str, new: str) -> Path:
    """The sheet renamed in the XML (or by a tool) with the defined names left pointing at the old name."""
    return workbook_xml(src, dst, lambda x: x.replace(f'<sheet name="{old}"', f'<sheet name="{new}"'))


def set_name(src: Path, dst: Path, name: str, text: str | None, attrs: str = "", new_name: str | None = None
             ) -> Path:
    """Change (or with ``text=None`` delete) one defined name."""

    def fn(x: str) -> str:
        pat = re.compile(rf'<definedName name="{re.escape(name)}"[^>]*>[^<]*</definedName>')
        assert pat.search(x), name
        if text is None:
            return pat.sub("", x, count=1)
        return pat.sub(f'<definedName name="{new_name or name}"{attrs}>{text}</definedName>', x, count=1)

    return workbook_xml(src, dst, fn)


def delete_names(src: Path, dst: Path, prefix: str) -> Path:
    return workbook_xml(src, dst, lambda x: re.sub(
        rf'<definedName name="{re.escape(prefix)}[^"]*"[^>]*>[^<]*</definedName>', "", x))


def hide_sheet(src: Path, dst: Path, sheet: str) -> Path:
    return workbook_xml(src, dst, lambda x: x.replace(f'<sheet name="{sheet}"', f'<sheet name="{sheet}" state="hidden"'))


def duplicate_sheet(src: Path, dst: Path, sheet: str, copy_name: str) -> Path:
    """A copy of a sheet added at the end (as 'Move or Copy…' does), names untouched."""
    parts = members(src)
    part = sheet_part(src, sheet)
    new_part = "xl/worksheets/sheet99.xml"
    parts[new_part] = parts[part]
    parts["xl/workbook.xml"] = parts["xl/workbook.xml"].replace(
        b"</sheets>", f'<sheet name="{copy_name}" sheetId="99" r:id="rId99"/></sheets>'.encode())
    parts["xl/_rels/workbook.xml.rels"] = parts["xl/_rels/workbook.xml.rels"].replace(
        b"</Relationships>", b'<Relationship Id="rId99" Type="http://schemas.openxmlformats.org/officeDocument/'
        b'2006/relationships/worksheet" Target="worksheets/sheet99.xml"/></Relationships>')
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>", b'<Override PartName="/xl/worksheets/sheet99.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
    return write_members(dst, parts)


# ---------------------------------------------------------------------------------------- the package


def prefix_namespace(src: Path, dst: Path, sheet: str) -> Path:
    """Every element of a sheet written with an ``x:`` prefix (valid XML, read by Gnumeric and calamine)."""

    def fn(xml: bytes) -> bytes:
        xml = re.sub(rb"<(/?)(?![?!])([A-Za-z][\w.-]*)(?=[\s>/])", lambda m: b"<" + m.group(1) + b"x:" + m.group(2)
                     if b":" not in m.group(2) else m.group(0), xml)
        return xml.replace(b'xmlns="%s"' % NS.encode(), b'xmlns:x="%s"' % NS.encode(), 1)

    return edit(src, dst, {sheet_part(src, sheet): fn})


def drop_cell_refs(src: Path, dst: Path, sheet: str) -> Path:
    """Cells without ``r=`` (allowed by the format) in every row whose cells are contiguous from column A."""

    def row_fn(m: re.Match) -> bytes:
        row = m.group(0)
        refs = re.findall(rb'<c r="([A-Z]+)\d+"', row)
        cols = [sum((ch - 64) * 26 ** i for i, ch in enumerate(reversed(r))) for r in refs]
        if cols != list(range(1, len(cols) + 1)):
            return row
        return re.sub(rb'<c r="[A-Z]+\d+"', b"<c", row)

    def fn(xml: bytes) -> bytes:
        return re.sub(rb'<row r="\d+"[^>]*?>.*?</row>', row_fn, xml, flags=re.S)

    return edit(src, dst, {sheet_part(src, sheet): fn})


def backslash_names(src: Path, dst: Path) -> Path:
    parts = members(src)
    return write_members(dst, {name.replace("/", "\\"): data for name, data in parts.items()})


def lower_content_types(src: Path, dst: Path) -> Path:
    parts = members(src)
    return write_members(dst, {("[content_types].xml" if n == "[Content_Types].xml" else n): d
                               for n, d in parts.items()})


def bad_crc(src: Path, dst: Path, member: str = "docProps/app.xml") -> Path:
    """One stored byte of a member flipped (so its CRC fails): a copy damaged on the way."""
    data = bytearray(Path(src).read_bytes())
    with zipfile.ZipFile(src) as zf:
        info = zf.getinfo(member)
    out = bytearray()
    with zipfile.ZipFile(src) as zf, zipfile.ZipFile(dst, "w") as zout:
        for i in zf.infolist():
            zout.writestr(i.filename, zf.read(i.filename), compress_type=zipfile.ZIP_STORED)
    data = bytearray(Path(dst).read_bytes())
    with zipfile.ZipFile(dst) as zf:
        info = zf.getinfo(member)
    start = info.header_offset + 30 + len(info.filename.encode())
    data[start + 10] ^= 0x01
    out = data
    Path(dst).write_bytes(bytes(out))
    return dst


def control_char(src: Path, dst: Path, sheet: str, address: str) -> Path:
    """A raw control character (U+0001) inside a text cell, as pasted from another program."""

    def fn(xml: bytes) -> bytes:
        new = b'<c r="%s" t="inlineStr"><is><t>Xa\x01</t></is></c>' % address.encode()
        pat = re.compile(rb'<c r="%s"(?:[^>]*?/>|[^>]*?>.*?</c>)' % address.encode(), re.S)
        return pat.sub(lambda m: new, xml, count=1)

    return edit(src, dst, {sheet_part(src, sheet): fn})


def other_commune(dst: Path) -> Path:
    """A second consistent commune of BASE's form and period (another name and code, same figures)."""
    tmp = Path(str(dst) + ".tmp")
    set_inline_text(BASE, tmp, INFO, "B6", "An Phú")
    set_inline_text(tmp, dst, INFO, "B7", "11299")
    tmp.unlink()
    return dst


def copy_as(src: Path, dst: Path) -> Path:
    shutil.copyfile(src, dst)
    return dst
