"""A workbook file opened once: its bytes, its parts, its sheets, defined names and formulas.

Every command looks inside a workbook through one :class:`Package`: the file is opened read-only once and
read into memory (it is at most ``Limits.max_file_bytes``), the zip is listed with the public
:mod:`zipfile` API, every member is decompressed once under hard caps (``safety``), ``workbook.xml``, its
relationships and ``sharedStrings.xml`` are parsed once, and each sheet part is scanned once (streaming,
with expat) for its used range, its cell count and its formulas — shared formulas included.

The scan is also the guard in front of python-calamine: calamine builds a dense grid of a sheet's used
range, so one cell at ``XFD1048576`` asks it for 512 GiB and aborts the process (tafia/calamine#693).
Cells beyond :data:`MAX_ROWS` × :data:`MAX_COLS` are cut out of the copy of the package calamine reads
(and reported), a sheet with more than :data:`MAX_CELLS` cells is refused; calamine never sees either.
Odd but valid packages are read the way Excel reads them: part names with backslashes or in another
case, a lower-case ``[content_types].xml``, namespace-prefixed elements (``x:worksheet``), cells without
an ``r`` attribute.
"""

from __future__ import annotations

import io
import os
import re
import struct
import zipfile
from dataclasses import dataclass, field
from xml.parsers import expat

from cchc_xl.model.report import col_index, col_letters
from cchc_xl.ooxml.safety import (
    Limits,
    UnusableInput,
    _fail,
    _open_readonly,
    _stream_member,
    parse_xml,
    sniff_head,
)

MAX_ROWS = 10_000  # the forms use < 400 rows; more is damage, not data
MAX_COLS = 64  # column BL; the forms use < 20 columns
MAX_CELLS = 200_000  # per sheet part, counted while streaming

_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_STRICT_NS = "http://purl.oclc.org/ooxml/spreadsheetml/main"
_CONTENT_TYPES = "[Content_Types].xml"
_WORKBOOK = "xl/workbook.xml"
_CONTROL = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_A1 = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")

# opens of a workbook's zip, for the "opened once" test
OPEN_COUNT = [0]


def split_a1(text: str) -> tuple[int, int] | None:
    """``"D8"`` / ``"$D$8"`` → 0-based (row, col); ``None`` if not one cell address."""
    m = _A1.match(text.strip())
    if not m:
        return None
    return int(m.group(2)) - 1, col_index(m.group(1))


def norm_part(name: str) -> str:
    """Part name as Excel resolves it: forward slashes, no leading slash, no ``./`` or ``../``."""
    name = name.replace("\\", "/")
    out: list[str] = []
    for piece in name.split("/"):
        if piece in ("", "."):
            continue
        if piece == "..":
            if out:
                out.pop()
            continue
        out.append(piece)
    return "/".join(out)


def _local(tag: str) -> str:
    return tag.rsplit("}", 1)[-1] if "}" in tag else tag.rsplit(":", 1)[-1]


@dataclass(frozen=True)
class Sheet:
    name: str
    part: str  # normalized part name ("" when the relationship is missing)
    state: str = "visible"  # visible | hidden | veryHidden


@dataclass(frozen=True)
class DefinedName:
    name: str
    text: str
    local_sheet: int | None = None


@dataclass
class SheetScan:
    """What one streaming pass over a sheet part learned."""

    cells: int = 0
    max_row: int = -1
    max_col: int = -1
    far: int = 0  # cells outside MAX_ROWS × MAX_COLS (cut from what calamine reads)
    first_far: str = ""
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "=…"
    cut: list[tuple[int, int]] = field(default_factory=list)  # byte spans to drop for calamine
    lazy_formulas: bool = False  # formulas not read yet (fast path); Package.formulas reads them
    dimension: tuple[int, int] | None = None  # byte span of an out-of-bounds <dimension>


class _Scanner:
    """expat handlers for one sheet part: positions (with or without ``r=``), bounds, formulas."""

    def __init__(self, data: bytes, limits_rows: int, limits_cols: int, max_cells: int):
        self.data = data
        self.out = SheetScan()
        self.rows, self.cols, self.max_cells = limits_rows, limits_cols, max_cells
        self.row = -1
        self.col = -1
        self.cell: tuple[int, int] | None = None
        self.cell_start = 0
        self.row_start = 0
        self.row_far = False
        self.in_f = False
        self.f_attrs: dict[str, str] = {}
        self.f_text: list[str] = []
        self.shared: dict[str, tuple[int, int, str]] = {}  # si → (row, col, master text)
        self.parser: expat.XMLParserType | None = None
        self.in_data = False

    def _end_of_tag(self, at: int) -> int:
        return self.data.index(b">", at) + 1

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        name = _local(tag)
        pos = self.parser.CurrentByteIndex  # type: ignore[union-attr]
        if name == "sheetData":
            self.in_data = True
            return
        if not self.in_data and name != "dimension":
            return  # rows and cells of drawings or controls (xdr:row …) are not the sheet's
        if name == "row":
            r = attrs.get("r")
            self.row = int(r) - 1 if r and r.isdigit() else self.row + 1
            self.col = -1
            self.row_start = pos
            self.row_far = self.row >= self.rows
        elif name == "c":
            where = split_a1(attrs["r"]) if attrs.get("r") else None
            if where is None:
                where = (max(self.row, 0), self.col + 1)
            else:
                self.row = where[0]
            self.col = where[1]
            self.cell = where
            self.cell_start = pos
            out = self.out
            out.cells += 1
            if out.cells > self.max_cells:
                raise _TooManyCells
            if where[0] >= self.rows or where[1] >= self.cols:
                out.far += 1
                if not out.first_far:
                    out.first_far = f"{col_letters(where[1])}{where[0] + 1}"
                if not self.row_far:
                    self.out.cut.append((pos, -1))  # end filled in at </c>
            else:
                out.max_row = max(out.max_row, where[0])
                out.max_col = max(out.max_col, where[1])
        elif name == "f" and self.cell is not None:
            self.in_f = True
            self.f_attrs = attrs
            self.f_text = []
        elif name == "dimension":
            ref = attrs.get("ref", "")
            last = split_a1(ref.split(":")[-1]) if ref else None
            if last is None or last[0] >= self.rows or last[1] >= self.cols:
                self.out.dimension = (pos, self._end_of_tag(pos))

    def end(self, tag: str) -> None:
        name = _local(tag)
        if name == "sheetData":
            self.in_data = False
            return
        if not self.in_data:
            return
        if name == "f" and self.in_f:
            self.in_f = False
            self._formula()
        elif name == "c":
            cut = self.out.cut
            if cut and cut[-1][1] == -1:
                cut[-1] = (cut[-1][0], self._end_of_tag(self.parser.CurrentByteIndex))  # type: ignore[union-attr]
            self.cell = None
        elif name == "row" and self.row_far:
            self.out.cut.append((self.row_start, self._end_of_tag(self.parser.CurrentByteIndex)))  # type: ignore[union-attr]
            self.row_far = False

    def text(self, data: str) -> None:
        if self.in_f:
            self.f_text.append(data)

    def _formula(self) -> None:
        assert self.cell is not None
        text = "".join(self.f_text)
        attrs = self.f_attrs
        if attrs.get("t") == "shared" and attrs.get("si") is not None:
            si = attrs["si"]
            if text:
                self.shared[si] = (self.cell[0], self.cell[1], text)
            elif si in self.shared:
                r0, c0, master = self.shared[si]
                text = shift_formula(master, self.cell[0] - r0, self.cell[1] - c0)
        if text:
            self.out.formulas[self.cell] = "=" + text


class _TooManyCells(Exception):
    pass


_REF_TOKEN = re.compile(r"(\"[^\"]*\"|'[^']*'!)|(\$?)([A-Z]{1,3})(\$?)([0-9]{1,7})(?![0-9A-Za-z_(])")


def shift_formula(text: str, drow: int, dcol: int) -> str:
    """A shared formula's text as seen from a cell ``drow`` rows and ``dcol`` columns from its master."""

    def move(m: re.Match) -> str:
        if m.group(1):
            return m.group(1)
        col_abs, letters, row_abs, digits = m.group(2), m.group(3), m.group(4), m.group(5)
        col = col_index(letters) + (0 if col_abs else dcol)
        row = int(digits) if row_abs else int(digits) + drow
        return f"{col_abs}{col_letters(max(col, 0))}{row_abs}{max(row, 1)}"

    return _REF_TOKEN.sub(move, text)


_C_OPEN = re.compile(rb"<c[\s>/]")
_C_R = re.compile(rb'<c\s[^>]*?\br="([A-Z]{1,3})([0-9]{1,7})"[^>]*?(/?)>')
_R_ATTR = re.compile(rb'\br="([A-Z]{1,3})([0-9]{1,7})"')
_ROW_OPEN = re.compile(rb"<row\b")
_ROW_EMPTY = re.compile(rb"<row\b[^>]*/>")
_F_ELEM = re.compile(rb"<f\b([^>]*?)(?:/>|>(.*?)</f>)", re.S)
_F_ATTR = re.compile(rb'\b(t|si)="([^"]*)"')
_PREFIXED = re.compile(rb"<[A-Za-z_][\w.-]*:(?:worksheet|sheetData)\b")
_DIMENSION = re.compile(rb'<dimension\b[^>]*\bref="([^"]*)"')
_CHAR_REF = re.compile(r"&#(x?)([0-9A-Fa-f]+);")


def _col_number(letters: bytes) -> int:
    col = 0
    for ch in letters:
        col = col * 26 + ch - 64
    return col - 1


def _text(raw: bytes) -> str:
    from cchc_xl.ooxml.xmltext import unescape

    text = unescape(raw.decode("utf-8"))
    if "&#" in text:
        text = _CHAR_REF.sub(lambda m: chr(int(m.group(2), 16 if m.group(1) else 10)), text)
    return text


def _fast_scan(data: bytes, rows: int, cols: int, max_cells: int) -> SheetScan | None:
    """The common case at C speed (regexes over the bytes): a plain, complete sheet whose every cell has
    ``r=`` and lies inside the bounds. ``None`` sends anything else to the expat scanner, which reads odd
    sheets exactly and names the reason for bad ones."""
    tail = data.rstrip()
    if not tail.endswith(b"</worksheet>") or _PREFIXED.search(data) or _CONTROL.search(data):
        return None
    dim = _DIMENSION.search(data)
    if dim is not None:
        last = split_a1(dim.group(1).decode("ascii", "replace").split(":")[-1])
        if last is None or last[0] >= rows or last[1] >= cols:
            return None
    out = SheetScan()
    cells = _C_R.findall(data)  # (letters, digits, "/" or "") per cell, at C speed
    if len(cells) != len(_C_OPEN.findall(data)):
        return None  # a cell without r=
    out.cells = len(cells)
    if out.cells > max_cells:
        raise _TooManyCells
    if cells:
        letters = {c[0] for c in cells}
        col_of = {x: _col_number(x) for x in letters}
        out.max_row = max(int(c[1]) for c in cells) - 1
        out.max_col = max(col_of.values())
        if out.max_row >= rows or out.max_col >= cols:
            return None  # far cells: the expat scan finds their spans to cut
    open_cells = sum(1 for c in cells if not c[2])
    if data.count(b"</c>") != open_cells or len(_ROW_OPEN.findall(data)) != data.count(b"</row>") + len(
            _ROW_EMPTY.findall(data)):
        return None  # unbalanced: let expat say where
    out.lazy_formulas = b"<f" in data  # read on first use: most formulas (Kiểm tra, flags) are never asked
    return out


def _fast_formulas(data: bytes) -> dict[tuple[int, int], str]:
    """Every formula of a plain sheet (all cells have ``r=``), shared formulas expanded."""
    out = SheetScan()
    shared: dict[bytes, tuple[int, int, str]] = {}
    for m in _F_ELEM.finditer(data):
        # every cell here has r=, so its tag starts "<c " just before the formula (look close first)
        at = data.rfind(b"<c ", max(0, m.start() - 512), m.start())
        if at < 0:
            at = data.rfind(b"<c ", 0, m.start())
        r = _R_ATTR.search(data, at, data.index(b">", at)) if at >= 0 else None
        if r is None:
            continue
        cell = (int(r.group(2)) - 1, _col_number(r.group(1)))
        attrs = dict(_F_ATTR.findall(m.group(1)))
        text = _text(m.group(2)) if m.group(2) else ""
        if attrs.get(b"t") == b"shared" and b"si" in attrs:
            si = attrs[b"si"]
            if text:
                shared[si] = (cell[0], cell[1], text)
            elif si in shared:
                r0, c0, master = shared[si]
                text = shift_formula(master, cell[0] - r0, cell[1] - c0)
        if text:
            out.formulas[cell] = "=" + text
    return out.formulas


def scan_sheet(data: bytes, rows: int = MAX_ROWS, cols: int = MAX_COLS, max_cells: int = MAX_CELLS,
               formulas: bool = True) -> SheetScan:
    """One pass over a sheet part; raises ``_TooManyCells`` or ``expat.ExpatError``.

    With ``formulas=False`` a plain sheet's formulas are left for :meth:`Package.formulas` to read on demand.
    """
    fast = _fast_scan(data, rows, cols, max_cells)
    if fast is not None:
        if formulas and fast.lazy_formulas:
            fast.formulas, fast.lazy_formulas = _fast_formulas(data), False
        return fast
    return expat_scan(data, rows, cols, max_cells)


def expat_scan(data: bytes, rows: int = MAX_ROWS, cols: int = MAX_COLS, max_cells: int = MAX_CELLS) -> SheetScan:
    """The exact streaming scan (expat): cells without ``r=``, prefixes, far cells and their byte spans."""
    sc = _Scanner(data, rows, cols, max_cells)
    p = expat.ParserCreate()  # no namespace processing: prefixes are stripped by _local
    p.StartElementHandler = sc.start
    p.EndElementHandler = sc.end
    p.CharacterDataHandler = sc.text
    sc.parser = p
    p.Parse(data, True)
    return sc.out


def _cut(data: bytes, scan: SheetScan) -> bytes:
    spans = sorted(scan.cut + ([scan.dimension] if scan.dimension else []))
    out, pos = [], 0
    for a, b in spans:
        if a < pos:
            continue
        out.append(data[pos:a])
        pos = b
    out.append(data[pos:])
    return b"".join(out)


class Package:
    """One workbook file, opened and parsed once. Build with :meth:`open`; every failure is UnusableInput."""

    def __init__(self, path, raw: bytes, kind: str, parts: dict[str, bytes], infos: dict[str, zipfile.ZipInfo],
                 renamed: bool):
        self.path = path
        self.raw = raw
        self.kind = kind
        self.parts = parts  # normalized, case as stored → bytes
        self.infos = infos
        self._lower = {name.lower(): name for name in parts}
        self._renamed = renamed  # some member name was not in Excel's canonical form
        self._scans: dict[str, SheetScan] = {}
        self._shared: list[str] | None = None
        self._read_workbook()

    # ----------------------------------------------------------------------------------------- opening

    @classmethod
    def open(cls, path, limits: Limits | None = None) -> Package:
        """Sniff, open, check and read ``path`` once; raise UnusableInput with the reason otherwise."""
        from cchc_xl.ooxml import safety

        limits = limits or Limits()
        safety.precheck(path)
        f, size = _open_readonly(path)
        with f:
            if size == 0:
                raise _fail("empty-file", path)
            if size > limits.max_file_bytes:
                raise _fail("too-large", path)
            try:
                raw = f.read(limits.max_file_bytes + 1)
            except OSError:
                raise _fail("unreadable", path) from None
        if not raw:
            raise _fail("empty-file", path)
        if len(raw) > limits.max_file_bytes:
            raise _fail("too-large", path)
        sniff_head(raw, path)  # raises for OLE, PDF, text, …: anything that is not a zip
        try:
            return cls._from_zip(path, raw, limits)
        except UnusableInput:
            raise
        except Exception:  # last line of defence: a malformed package must never crash the caller
            raise _fail("truncated-zip", path) from None

    @classmethod
    def _from_zip(cls, path, raw: bytes, limits: Limits) -> Package:
        from cchc_xl.ooxml import safety

        count = _end_record_entries(raw)
        if count is not None and count > limits.max_members:
            raise _fail("zip-bomb", path)
        OPEN_COUNT[0] += 1
        buf = io.BytesIO(raw)
        try:
            zf = zipfile.ZipFile(buf)
        except Exception:
            raise _fail("truncated-zip", path) from None
        with zf:
            infos = zf.infolist()
        if len(infos) > limits.max_members:
            raise _fail("zip-bomb", path)
        declared = 0
        by_norm: dict[str, zipfile.ZipInfo] = {}
        renamed = False
        for info in infos:
            safety._check_declared(info, limits, path)
            declared += info.file_size
            if declared > limits.max_total_bytes:
                raise _fail("zip-bomb", path)
            if info.is_dir():
                continue
            name = norm_part(info.filename)
            renamed |= name != info.filename
            if name.lower() in {n.lower() for n in by_norm}:
                # Two members with one (case-insensitive) name: readers would disagree on which is "the" part.
                raise _fail("not-a-workbook", path, "damaged")
            by_norm[name] = info
        lower = {n.lower(): n for n in by_norm}
        if _WORKBOOK not in lower or _CONTENT_TYPES.lower() not in lower:
            raise safety.other_package_verdict(lower, lambda n: _read(buf, by_norm[lower[n]], limits, path, None),
                                               path)
        renamed |= lower[_CONTENT_TYPES.lower()] != _CONTENT_TYPES or lower[_WORKBOOK] != _WORKBOOK
        parts: dict[str, bytes] = {}
        total = [0]
        for name, info in by_norm.items():
            data = _read(buf, info, limits, path, total)
            if name.lower().endswith((".xml", ".rels", ".vml")) and safety._has_dtd(data[:4096]):
                raise _fail("xml-bomb", path)
            parts[name] = data
        content_types = parse_xml(parts[lower[_CONTENT_TYPES.lower()]], path=path)
        kind = safety._main_kind(content_types, lower[_WORKBOOK])
        if kind is None:
            raise _fail("not-a-workbook", path)
        return cls(path, raw, kind, parts, by_norm, renamed)

    # --------------------------------------------------------------------------------------- the parts

    def has(self, name: str) -> bool:
        return norm_part(name).lower() in self._lower

    def part(self, name: str) -> bytes:
        """A part's bytes by (case-insensitive) name; a missing part is UnusableInput('missing-part')."""
        key = self._lower.get(norm_part(name).lower())
        if key is None:
            raise missing_part(self.path, name)
        return self.parts[key]

    def xml(self, name: str):
        return parse_xml(self.part(name), path=self.path)

    def _read_workbook(self) -> None:
        root = self.xml(_WORKBOOK)
        rels_name = "xl/_rels/workbook.xml.rels"
        targets: dict[str, str] = {}
        if self.has(rels_name):
            for rel in self.xml(rels_name):
                target = (rel.get("Target") or "").replace("\\", "/")
                if rel.get("TargetMode") == "External":
                    continue
                target = norm_part(target) if target.startswith("/") else norm_part("xl/" + target)
                targets[rel.get("Id") or ""] = target
        sheets = []
        names = []
        for el in root.iter():
            tag = _local(el.tag) if isinstance(el.tag, str) else ""
            if tag == "sheet":
                rid = next((v for k, v in el.attrib.items() if _local(k) == "id"), "")
                sheets.append(Sheet(_nfc(el.get("name") or ""), targets.get(rid, ""), el.get("state") or "visible"))
            elif tag == "definedName":
                local = el.get("localSheetId")
                names.append(DefinedName(el.get("name") or "", (el.text or "").strip(),
                                         int(local) if local and local.isdigit() else None))
        self.sheets: tuple[Sheet, ...] = tuple(sheets)
        self.defined_names: tuple[DefinedName, ...] = tuple(names)

    @property
    def sheet_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sheets)

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)

    def sheet_parts(self) -> dict[str, str]:
        return {s.name: s.part for s in self.sheets}

    def sheet_xml(self, name: str) -> bytes:
        sheet = self.sheet(name)
        if sheet is None or not sheet.part or not self.has(sheet.part):
            raise missing_part(self.path, sheet.part if sheet and sheet.part else name, sheet=name)
        return self.part(sheet.part)

    def scan(self, name: str) -> SheetScan:
        """The streaming scan of sheet ``name`` (cached); bad XML or too many cells is UnusableInput."""
        if name not in self._scans:
            data = self.sheet_xml(name)
            try:
                self._scans[name] = scan_sheet(data, formulas=False)
            except _TooManyCells:
                raise sheet_too_big(self.path, name) from None
            except expat.ExpatError as exc:
                raise bad_sheet_xml(self.path, name, data, exc) from None
            except (ValueError, KeyError, IndexError):
                raise bad_sheet_xml(self.path, name, data, None) from None
        return self._scans[name]

    def formulas(self, sheet: str) -> dict[tuple[int, int], str]:
        scan = self.scan(sheet)
        if scan.lazy_formulas:
            scan.formulas = _fast_formulas(self.sheet_xml(sheet))
            scan.lazy_formulas = False
        return scan.formulas

    def shared_strings(self) -> list[str]:
        if self._shared is None:
            self._shared = []
            if self.has("xl/sharedStrings.xml"):
                for si in self.xml("xl/sharedStrings.xml"):
                    self._shared.append("".join(t.text or "" for t in si.iter() if _local(str(t.tag)) == "t"))
        return self._shared

    # ------------------------------------------------------------------------------ what calamine reads

    def calamine_bytes(self, sheets) -> bytes:
        """The package as calamine may read it: far cells cut from ``sheets``, part names canonical."""
        changed: dict[str, bytes] = {}
        for name in sheets:
            scan = self.scan(name)
            if scan.cut or scan.dimension:
                part = self._lower[norm_part(self.sheet(name).part).lower()]  # type: ignore[union-attr]
                changed[part] = _cut(self.parts[part], scan)
        if not changed and not self._renamed:
            return self.raw
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for name, data in self.parts.items():
                canonical = _CONTENT_TYPES if name.lower() == _CONTENT_TYPES.lower() else name
                canonical = _WORKBOOK if canonical.lower() == _WORKBOOK else canonical
                zout.writestr(canonical, changed.get(name, data))
        return out.getvalue()


def _nfc(text: str) -> str:
    import unicodedata

    return unicodedata.normalize("NFC", text)


def _read(buf, info: zipfile.ZipInfo, limits: Limits, path, total) -> bytes:
    chunks: list[bytes] = []
    try:
        _stream_member(buf, info, limits, path, chunks.append, total)
    except UnusableInput:
        raise
    except Exception:
        raise _fail("truncated-zip", path) from None
    return b"".join(chunks)


def _end_record_entries(raw: bytes) -> int | None:
    """Total entries announced by the end-of-central-directory record (zip64 aware), or None."""
    at = raw.rfind(b"PK\x05\x06", max(0, len(raw) - 65_557))
    if at < 0 or at + 22 > len(raw):
        return None
    total = struct.unpack_from("<H", raw, at + 10)[0]
    if total == 0xFFFF:
        loc = raw.rfind(b"PK\x06\x07", max(0, at - 20), at)
        if loc >= 0:
            (offset,) = struct.unpack_from("<Q", raw, loc + 8)
            if offset + 56 <= len(raw) and raw[offset:offset + 4] == b"PK\x06\x06":
                return struct.unpack_from("<Q", raw, offset + 32)[0]
    return total


# ------------------------------------------------------------------------------------------- reasons


def _name(path) -> str:
    from cchc_xl.ooxml.safety import _display_name

    return _display_name(path)


def missing_part(path, part: str, sheet: str | None = None) -> UnusableInput:
    from cchc_xl.messages import say

    if sheet is not None:
        return UnusableInput("missing-part", say("package-missing-sheet-part", name=_name(path), sheet=sheet,
                                                 part=part), _path(path))
    return UnusableInput("missing-part", say("package-missing-part", name=_name(path), part=part), _path(path))


def sheet_too_big(path, sheet: str) -> UnusableInput:
    from cchc_xl.messages import say

    return UnusableInput("too-many-cells", say("package-too-many-cells", name=_name(path), sheet=sheet,
                                               limit=f"{MAX_CELLS:,}".replace(",", ".")), _path(path))


def bad_sheet_xml(path, sheet: str, data: bytes, exc: expat.ExpatError | None) -> UnusableInput:
    from cchc_xl.messages import say

    control = _CONTROL.search(data)
    if control is not None:  # the usual cause of an invalid token in a sheet: a raw control character
        return UnusableInput("bad-sheet", say("package-control-char", name=_name(path), sheet=sheet,
                                              code=f"U+{control.group(0)[0]:04X}"), _path(path))
    unfinished = (expat.errors.codes[expat.errors.XML_ERROR_NO_ELEMENTS],
                  expat.errors.codes[expat.errors.XML_ERROR_UNCLOSED_TOKEN])
    if exc is not None and exc.code in unfinished:
        return UnusableInput("bad-sheet", say("workbook-bad-sheet", name=_name(path), sheet=sheet), _path(path))
    return UnusableInput("bad-sheet", say("workbook-bad-sheet", name=_name(path), sheet=sheet), _path(path))


def _path(path) -> str | None:
    try:
        return os.fsdecode(os.fspath(path))
    except TypeError:
        return None
