"""A province's own form defined in a spreadsheet (in the spirit of XLSForm), checked row by row.

A clerk who cannot write YAML describes a form in a workbook (.xlsx/.ods/.xls) with three sheets:

* **chi_tieu** (indicators, required; the first sheet when none has that name), one row per indicator:
  ``ma`` (code), ``chi_tieu`` (label), ``don_vi_tinh`` (unit), ``loai`` (kind: group/count/amount/percent/coded or
  nhom/so_dem/so_luong/ty_le/ma_tra_loi), ``gia_tri`` (allowed answers "Có = 1; Không = 0"), ``ma_cha`` (parent),
  ``cong_thuc`` (derived: "A / B" for a ratio ×100, "A + B + C" for a sum), optional ``stt`` (as printed),
  ``tieu_de`` (1 for a heading row that carries a value), ``ghi_chu``. English headers (code, label, unit,
  kind, allowed, parent, formula, printed, header, note) are accepted too.
* **thong_tin** (key | value): ``id``, ``version``, ``name``, ``title``, ``province``, ``periods`` ("quy1, 6thang,
  nam"), ``framework``, ``value_header``, ``label_header``, ``total_procedures``.
* **quy_tac** (rules, optional): ``id``, ``left``, ``op``, ``right``, ``severity``, ``missing``, ``message``.

Every problem is reported in Vietnamese with its sheet and row number; then the document goes through the
same checks as a bundled YAML catalog (:func:`cchc_xl.model.catalog.parse_form`).
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from cchc_xl.errors import CatalogError
from cchc_xl.messages import say
from cchc_xl.model.catalog import KINDS, Form, parse_form

_INDICATOR_COLUMNS = {
    "code": ("ma", "ma chi tieu", "code"),
    "label": ("chi tieu", "ten chi tieu", "noi dung", "label"),
    "unit": ("don vi tinh", "dvt", "unit"),
    "kind": ("loai", "kind"),
    "allowed": ("gia tri", "gia tri cho phep", "allowed"),
    "parent": ("ma cha", "parent"),
    "formula": ("cong thuc", "formula", "derive"),
    "printed": ("stt", "printed"),
    "header": ("tieu de", "header"),
    "note": ("ghi chu", "note"),
}
_KIND_ALIASES = {"nhom": "group", "so dem": "count", "so luong": "amount", "ty le": "percent",
                 "ma tra loi": "coded", **{k: k for k in KINDS}}
_RULE_COLUMNS = ("id", "left", "op", "right", "severity", "missing", "message", "periods", "note")
_CODE = re.compile(r"[^\s+/*()]+")


def _fold(text: object) -> str:
    s = unicodedata.normalize("NFD", str(text or "").lower().replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return re.sub(r"[^0-9a-z]+", " ", s).strip()


def _cell(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return unicodedata.normalize("NFC", "" if v is None else str(v)).strip()


def _sheets(path: Path) -> dict[str, list[list[str]]]:
    from python_calamine import CalamineWorkbook

    from cchc_xl.sources.foreign import gate

    gate(path)
    wb = CalamineWorkbook.from_path(str(path))
    try:
        return {_fold(name).replace(" ", "_"): [[_cell(v) for v in row] for row in
                                                 wb.get_sheet_by_name(name).to_python(nrows=5000)]
                for name in wb.sheet_names}
    finally:
        wb.close()


def _columns(header: list[str], spec: dict[str, tuple[str, ...]]) -> dict[str, int]:
    folded = [_fold(h) for h in header]
    return {key: folded.index(a) for key, aliases in spec.items() for a in aliases if a in folded}


def _allowed(text: str) -> dict[str, int] | None:
    out: dict[str, int] = {}
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        label, sep, value = part.rpartition("=")
        if not sep or not label.strip() or not value.strip().lstrip("-").isdigit():
            return None
        out[label.strip()] = int(value.strip())
    return out or None


def _formula(text: str) -> dict | None:
    s = text.replace("×", "*").strip()
    s = re.sub(r"\s*\*\s*100\s*$", "", s)
    if "/" in s and "+" not in s:
        parts = [p.strip() for p in s.split("/")]
        if len(parts) == 2 and all(_CODE.fullmatch(p) for p in parts):
            return {"ratio": parts}
    if "+" in s and "/" not in s:
        parts = [p.strip() for p in s.split("+")]
        if all(_CODE.fullmatch(p) for p in parts):
            return {"sum": parts}
    return None


def form_document(path: str | Path) -> dict:
    """The catalog document (the YAML format as a dict) a form spreadsheet describes; CatalogError lists
    every problem with its sheet and row."""
    p = Path(path)
    sheets = _sheets(p)
    problems: list[str] = []
    name = p.name

    def bad(sheet: str, row: int, detail: str) -> None:
        problems.append(say("form-sheet-row", path=name, sheet=sheet, row=row, detail=detail))

    ind_sheet = "chi_tieu" if "chi_tieu" in sheets else next(iter(sheets), None)
    rows = sheets.get(ind_sheet, []) if ind_sheet else []
    if not rows:
        raise CatalogError([say("form-sheet-missing", path=name, sheet="chi_tieu")])
    cols = _columns(rows[0], _INDICATOR_COLUMNS)
    for required in ("code", "label", "kind"):
        if required not in cols:
            problems.append(say("form-sheet-column", path=name, sheet=ind_sheet,
                                column="/".join(_INDICATOR_COLUMNS[required])))
    if problems:
        raise CatalogError(problems)
    indicators: list[dict] = []
    seen: dict[str, int] = {}
    for n, row in enumerate(rows[1:], start=2):
        def get(key: str, row: list[str] = row) -> str:
            i = cols.get(key)
            return row[i] if i is not None and i < len(row) else ""

        code = get("code")
        if not any(row):
            continue
        if not code:
            bad(ind_sheet, n, "thiếu mã chỉ tiêu")
            continue
        if code in seen:
            bad(ind_sheet, n, f"mã '{code}' trùng với dòng {seen[code]}")
            continue
        seen[code] = n
        kind = _KIND_ALIASES.get(_fold(get("kind")))
        if kind is None:
            bad(ind_sheet, n, f"loại '{get('kind')}' không hợp lệ (nhom, so_dem, so_luong, ty_le, ma_tra_loi)")
            continue
        item: dict = {"code": code, "label": get("label"), "unit": get("unit"), "kind": kind}
        if not item["label"]:
            bad(ind_sheet, n, f"chỉ tiêu '{code}' thiếu nhãn")
        if get("printed"):
            item["printed"] = get("printed")
        if get("parent"):
            item["parent"] = get("parent")
        if get("note"):
            item["note"] = get("note")
        if _fold(get("header")) in ("1", "co", "x", "true"):
            item["header"] = True
        if kind == "coded":
            allowed = _allowed(get("allowed"))
            if allowed is None:
                bad(ind_sheet, n, f"chỉ tiêu '{code}': giá trị cho phép phải có dạng \"Có = 1; Không = 0\"")
            else:
                item["allowed"] = allowed
        if get("formula"):
            derive = _formula(get("formula"))
            if derive is None:
                bad(ind_sheet, n, f"công thức '{get('formula')}' không hiểu được (dạng \"A / B\" hoặc \"A + B\")")
            else:
                item["derive"] = derive
        indicators.append(item)
    for item in indicators:
        for ref in [item.get("parent"), *next(iter(item.get("derive", {}).values()), [])]:
            if ref and ref not in seen:
                bad(ind_sheet, seen[item["code"]], f"chỉ tiêu '{item['code']}' tham chiếu mã không có '{ref}'")
    info: dict[str, str] = {}
    for row in sheets.get("thong_tin", []):
        if len(row) >= 2 and row[0]:
            info[_fold(row[0]).replace(" ", "_")] = row[1]
    if not info.get("id"):
        problems.append(say("form-sheet-missing-id", path=name))
    rules = []
    rule_rows = sheets.get("quy_tac", [])
    if rule_rows:
        rc = {c: i for i, c in enumerate(_fold(h) for h in rule_rows[0]) if c in _RULE_COLUMNS}
        for n, row in enumerate(rule_rows[1:], start=2):
            if not any(row):
                continue
            rule = {c: row[i] for c, i in rc.items() if i < len(row) and row[i]}
            if not rule.get("id") or not rule.get("left") or not rule.get("op"):
                bad("quy_tac", n, "quy tắc phải có id, left và op")
                continue
            if "periods" in rule:
                rule["periods"] = [x.strip() for x in rule["periods"].split(",") if x.strip()]
            rules.append(rule)
    if problems:
        raise CatalogError(problems)
    doc = {k: v for k, v in info.items() if k != "periods"}
    if info.get("periods"):
        doc["periods"] = [x.strip() for x in info["periods"].split(",") if x.strip()]
    doc["indicators"] = indicators
    doc["rules"] = rules
    doc.setdefault("source", name)
    return doc


def load_form_sheet(path: str | Path) -> Form:
    """Load and check a form spreadsheet (see the module docstring)."""
    return parse_form(form_document(path))
