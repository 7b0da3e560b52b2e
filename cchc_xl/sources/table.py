"""Tables of figures by code — a CSV or XLSX file, or a pandas DataFrame — as data documents for new and fill.

Two shapes, told apart by their columns:

* **long**: columns ``code, value`` (or ``ma, gia_tri``): one commune's values, one row per indicator.
  ``label`` and ``unit`` columns (as ``Report.to_frame()`` gives them) are ignored;
* **wide**: one row per commune: ``ma_xa``/``xa`` (and ``huyen``, ``tinh``, ``ky``, ``nam``, ``nguoi_lap``,
  ``ngay_lap``; Vietnamese headers such as "Mã xã", "Tên xã", "Huyện" too) plus one column per indicator code.
  The expected list ``consolidate --expected`` reads is a wide table without figures.

Every cell is checked with the data-file checks (``datafile.check_data``) one at a time, so each problem
names its row and column in Vietnamese; a row with any problem yields no document. Problems that make the
whole table unusable (unreadable file, no commune column, a column given twice) raise ``DataError``.
pandas is never imported here: a DataFrame is read through its own methods.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from cchc_xl.errors import DataError, UnusableInput
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form, Framework, nfc
from cchc_xl.model.report import col_letters
from cchc_xl.ooxml.safety import sniff
from cchc_xl.sources.datafile import check_data

META_ALIASES: dict[str, tuple[str, ...]] = {
    "ma_xa": ("ma_xa", "mã_xã", "ma", "mã", "ma_don_vi", "mã_đơn_vị", "mã_đơn_vị_hành_chính", "ma_dvhc",
              "mã_đvhc"),
    "xa": ("xa", "xã", "ten_xa", "tên_xã", "ten", "tên", "xa_phuong", "xã/phường", "xã_phường"),
    "huyen": ("huyen", "huyện", "ten_huyen", "tên_huyện"),
    "tinh": ("tinh", "tỉnh", "ten_tinh", "tên_tỉnh"),
    "ky": ("ky", "kỳ", "ky_bao_cao", "kỳ_báo_cáo"),
    "nam": ("nam", "năm"),
    "nguoi_lap": ("nguoi_lap", "người_lập", "người_lập_biểu"),
    "ngay_lap": ("ngay_lap", "ngày_lập"),
}
IDENTITY_KEYS = ("tinh", "huyen", "xa", "ma_xa")  # who the row is; the period keys are ky, nam
IGNORED_COLUMNS = ("stt", "ghi_chu", "ghi_chú")  # row numbers and the clerk's own remarks
LONG_HEADERS = (("code", "value"), ("ma", "gia_tri"), ("mã", "giá_trị"))
LONG_IGNORED = ("label", "unit", "noi_dung", "nội_dung", "don_vi", "đơn_vị")
_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"^(ubnd\s+)?(xã|phường|thị trấn)\s+", re.IGNORECASE)


@dataclass(frozen=True)
class Table:
    """A rectangular table as read: headers, rows of plain Python values, and how to name rows/columns."""

    source: str  # file name, or "DataFrame"
    headers: tuple[str, ...]
    rows: tuple[tuple[object, ...], ...]
    row_names: tuple[str, ...]  # the row as a user finds it: file line / sheet row, or the DataFrame index
    col_names: tuple[str, ...]  # "C" in a file (as Excel shows it), the header in a DataFrame

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(header_key(h) for h in self.headers)

    @property
    def is_long(self) -> bool:
        keys = set(self.keys)
        return any(set(pair) <= keys for pair in LONG_HEADERS)


@dataclass
class TableRow:
    """One commune row of a wide table: its data document, or the problems that stop it."""

    number: str  # as in ``Table.row_names``
    meta: dict[str, object] = field(default_factory=dict)  # the row's own metadata cells, raw
    doc: dict | None = None  # a data document (``meta``, ``values``) ready for new/fill; None on problems
    problems: list[str] = field(default_factory=list)

    @property
    def xa(self) -> str:
        return nfc(self.meta.get("xa"))

    @property
    def ma_xa(self) -> str:
        return nfc(self.meta.get("ma_xa"))

    @property
    def huyen(self) -> str:
        return nfc(self.meta.get("huyen"))


def header_key(header: object) -> str:
    """A header as compared: NFC, case folded, spaces as underscores ("Mã xã" → "mã_xã")."""
    return _SPACE.sub("_", nfc(header).strip().casefold())


def meta_key(header: object) -> str | None:
    key = header_key(header)
    return next((k for k, names in META_ALIASES.items() if key in names), None)


# -------------------------------------------------------------------------------------------- reading


def is_frame(obj: object) -> bool:
    """Whether ``obj`` is a pandas DataFrame, decided without importing pandas."""
    cls = type(obj)
    return cls.__name__ == "DataFrame" and cls.__module__.split(".")[0] == "pandas"


def read_table(source: object) -> Table:
    """A CSV (UTF-8, "," or ";") or XLSX (first sheet) file, or a DataFrame, as a :class:`Table`."""
    if is_frame(source):
        return _frame_table(source)
    if not isinstance(source, str | Path):
        raise DataError([say("table-bad-format", path=type(source).__name__)])
    path = Path(source)
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _xlsx_table(path)
    if suffix in (".csv", ".txt"):
        return _csv_table(path)
    raise DataError([say("table-bad-format", path=str(path))])


def _csv_table(path: Path) -> Table:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        raise DataError([say("table-not-utf8", path=str(path))]) from None
    except OSError as exc:
        raise DataError([say("table-unreadable", path=str(path), detail=exc.strerror or type(exc).__name__)]
                        ) from None
    first = text.split("\n", 1)[0]
    # Excel on a Vietnamese Windows (decimal comma) saves CSV with ";" between fields.
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    lines: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            lines.append((reader.line_num, row))
    except csv.Error as exc:
        raise DataError([say("table-unreadable", path=str(path), detail=exc)]) from None
    return _grid_table(path.name, str(path), lines)


def _xlsx_table(path: Path) -> Table:
    try:
        sniff(path)
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        try:
            grid = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        finally:
            wb.close()
    except UnusableInput as exc:
        raise DataError([exc.message]) from None
    except Exception:  # calamine's own error types for damaged sheets
        raise DataError([say("table-unreadable", path=str(path), detail="bảng tính bị hỏng")]) from None
    return _grid_table(path.name, str(path), [(i + 1, list(r)) for i, r in enumerate(grid)])


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _grid_table(name: str, path: str, lines: list[tuple[int, list[object]]]) -> Table:
    lines = [(n, r) for n, r in lines if not all(_blank(v) for v in r)]
    if not lines:
        raise DataError([say("table-empty", path=path)])
    width = max(len(r) for _, r in lines)
    while width and all(width > len(r) or _blank(r[width - 1]) for _, r in lines):
        width -= 1
    head = lines[0][1]
    headers = tuple(nfc(_text(head[c])).strip() if c < len(head) else "" for c in range(width))
    rows = [tuple(_cell(r[c]) if c < len(r) else None for c in range(width)) for _, r in lines[1:]]
    names = [str(n) for n, _ in lines[1:]]
    return Table(name, headers, tuple(rows), tuple(names), tuple(col_letters(i) for i in range(len(headers))))


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


def _cell(v: object) -> object:
    if isinstance(v, str):
        return nfc(v) if v.strip() else None
    if isinstance(v, float) and v != v:
        return None
    return v


def _plain(v: object) -> object:
    """numpy/pandas scalars → Python values; NA, NaN and NaT → None."""
    if v is None:
        return None
    module = type(v).__module__.split(".")[0]
    if module in ("numpy", "pandas"):
        import pandas as pd  # only reached with a DataFrame in hand, so pandas is installed

        try:
            if pd.isna(v):
                return None
        except (TypeError, ValueError):
            pass
        if hasattr(v, "to_pydatetime"):
            return v.to_pydatetime()
        if hasattr(v, "item"):
            return v.item()
    return _cell(v)


def _frame_table(df) -> Table:
    headers = tuple(nfc(str(c)) for c in df.columns)
    if len(set(headers)) != len(headers):
        dupes = sorted({h for h in headers if headers.count(h) > 1})
        raise DataError([say("table-duplicate-column", path="DataFrame", column=", ".join(dupes))])
    rows = tuple(tuple(_plain(v) for v in row) for row in df.itertuples(index=False, name=None))
    return Table("DataFrame", headers, rows, tuple(str(i) for i in df.index), headers)


# --------------------------------------------------------------------------------------------- checks


def _where(table: Table, i: int, col: int, xa: str = "") -> str:
    who = f" ({xa})" if xa else ""
    header = table.headers[col] if col < len(table.headers) else ""
    name = table.col_names[col] if col < len(table.col_names) else col_letters(col)
    column = name if name == header else f"{name} “{header}”" if header else name
    return say("table-where", source=table.source, row=table.row_names[i], who=who, column=column)


def _cell_problems(doc: dict, form: Form, framework: Framework, derived_as_stated: bool) -> list[str]:
    try:
        check_data({"form": form.id, **doc}, form, framework, derived_as_stated=derived_as_stated)
    except DataError as exc:
        return exc.problems
    return []


def long_document(table: Table, form: Form, framework: Framework, derived_as_stated: bool = False) -> dict:
    """One commune's ``values`` from a long table; raises ``DataError`` naming every bad row."""
    keys = table.keys
    pair = next(p for p in LONG_HEADERS if set(p) <= set(keys))
    c_code, c_value = keys.index(pair[0]), keys.index(pair[1])
    problems: list[str] = []
    for col, key in enumerate(keys):
        if col not in (c_code, c_value) and key not in LONG_IGNORED and any(
                not _blank(r[col]) for r in table.rows):
            problems.append(say("table-unknown-long-column", source=table.source, header=table.headers[col]))
    values: dict[str, object] = {}
    seen: dict[str, str] = {}
    for i, r in enumerate(table.rows):
        code, raw = nfc(_text(r[c_code])).strip(), r[c_value]
        if not code:
            if not _blank(raw):
                problems.append(_where(table, i, c_code) + ": " + say("table-no-code"))
            continue
        if code in seen:
            problems.append(_where(table, i, c_code) + ": " + say("table-duplicate-code", code=code,
                                                                   other=seen[code]))
            continue
        seen[code] = table.row_names[i]
        if _blank(raw) and code in form.by_code:
            continue
        found = _cell_problems({"values": {code: raw}}, form, framework, derived_as_stated)
        problems += [_where(table, i, c_value) + ": " + p for p in found]
        if not found and not _blank(raw):
            values[code] = raw
    if problems:
        raise DataError(problems)
    return {"form": form.id, "values": values}


def _columns(table: Table, form: Form) -> tuple[dict[str, int], dict[int, str], list[int], list[int]]:
    """(meta key → column, column → indicator code, ignored columns, unknown columns); DataError when a
    column is given twice or no column names the commune."""
    meta: dict[str, int] = {}
    codes: dict[int, str] = {}
    ignored, unknown = [], []
    problems = []
    for col, header in enumerate(table.headers):
        key = meta_key(header)
        code = nfc(header).strip()
        if key is not None:
            if key in meta:
                problems.append(say("table-duplicate-column", path=table.source, column=header))
            meta[key] = col
        elif code in form.by_code:
            if code in codes.values():
                problems.append(say("table-duplicate-column", path=table.source, column=header))
            codes[col] = code
        elif header_key(header) in IGNORED_COLUMNS:
            ignored.append(col)
        else:
            unknown.append(col)
    if "xa" not in meta and "ma_xa" not in meta:
        problems.append(say("table-no-commune-column", path=table.source))
    if problems:
        raise DataError(problems)
    return meta, codes, ignored, unknown


def wide_rows(table: Table, form: Form, framework: Framework, defaults: dict[str, object] | None = None,
              derived_as_stated: bool = False) -> list[TableRow]:
    """One :class:`TableRow` per row of a wide table. ``defaults`` fill metadata a row leaves blank (a bad
    default, e.g. an unknown period, makes the table unusable: it would fail every row)."""
    defaults = {k: v for k, v in (defaults or {}).items() if not _blank(v)}
    if defaults:
        bad = _cell_problems({"meta": defaults}, form, framework, derived_as_stated)
        if bad:
            raise DataError(bad)
    meta_cols, code_cols, _ignored, unknown = _columns(table, form)
    out = []
    for i, r in enumerate(table.rows):
        row = TableRow(table.row_names[i])
        for key, col in meta_cols.items():
            v = r[col]
            if key == "ma_xa" and isinstance(v, int | float) and not isinstance(v, bool) and v == int(v):
                v = str(int(v))
            elif key in ("xa", "huyen", "tinh") and isinstance(v, int | float) and not isinstance(v, bool):
                v = _text(v)
            if not _blank(v):
                row.meta[key] = v
        xa = row.xa
        for key, col in meta_cols.items():
            if key in row.meta:
                row.problems += [_where(table, i, col, xa) + ": " + p
                                 for p in _cell_problems({"meta": {key: row.meta[key]}}, form, framework,
                                                         derived_as_stated)]
        values = {}
        for col, code in code_cols.items():
            raw = r[col]
            if _blank(raw):
                continue
            found = _cell_problems({"values": {code: raw}}, form, framework, derived_as_stated)
            row.problems += [_where(table, i, col, xa) + ": " + p for p in found]
            values[code] = raw
        for col in unknown:
            if not _blank(r[col]):
                row.problems.append(_where(table, i, col, xa) + ": " + say(
                    "table-unknown-column", header=table.headers[col], form=form.id))
        if not row.problems:
            row.doc = {"form": form.id, "meta": {**defaults, **row.meta}, "values": values}
        out.append(row)
    return out


# ------------------------------------------------------------------------------------------ matching


def norm_name(text: object) -> str:
    """A commune name as compared: NFC, spaces collapsed, case folded, "xã "/"phường " dropped."""
    return _PREFIX.sub("", _SPACE.sub(" ", unicodedata.normalize("NFC", _text(text))).strip().casefold())


def norm_code(text: object) -> str:
    s = _SPACE.sub("", nfc(_text(text)))
    return (s.lstrip("0") or s) if s.isdigit() else s.casefold()


def matching_rows(rows: list[TableRow], meta: dict[str, object]) -> list[TableRow]:
    """The rows naming the commune ``meta`` describes: by code when both have one, else by name (and
    district when both give one)."""
    code = norm_code(meta.get("ma_xa")) if not _blank(meta.get("ma_xa")) else ""
    if code:
        by_code = [r for r in rows if r.ma_xa and norm_code(r.ma_xa) == code]
        if by_code:
            return by_code
    name, district = norm_name(meta.get("xa")), norm_name(meta.get("huyen"))
    return [r for r in rows if name and norm_name(r.xa) == name and (not (code and r.ma_xa))
            and (not district or not r.huyen or norm_name(r.huyen) == district)]

