"""Read a consolidation workbook (written by ``cchc-xl consolidate -o``) back into the report's data.

The district clerk may keep only the .xlsx; this reader gives the same :class:`Consolidation` as the JSON
report, plus what only the workbook holds (the completeness table with late files). Sheets and header
texts are those of the consolidation writer (a test pins them to it); the file is sniffed first and read
with python-calamine, never opened for writing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

from python_calamine import CalamineWorkbook

from cchc_xl.errors import UnusableInput
from cchc_xl.messages import say
from cchc_xl.model.catalog import PERIODS, Form, list_forms, load_form, nfc
from cchc_xl.model.layout import stat_sheet_name
from cchc_xl.ooxml.safety import sniff

# Mirrors of the consolidation writer's sheet and column names (pinned by tests/test_report.py).
UNITS_SHEET = "Tổng hợp theo xã"
INDEX_SHEET = "Chỉ số CCHC"
DATA_SHEET = "cchc_du_lieu"  # the very hidden sheet holding the JSON report (render/consolidate_report.py)
CHECK_SHEET = "Kiểm tra"
COMPLETENESS_SHEET = "Tình trạng nộp"
HEAD_POSITION = "Thứ hạng"
STATUS = {"Hợp lệ": "ok", "Có cảnh báo": "warnings", "Có lỗi": "errors", "Có lỗi — không tính": "excluded"}
_HEADING = re.compile(r"^Tổng hợp:\s*(huyện|tỉnh)\s*(.*?)\s*—\s*kỳ\s*(.*)$")
_LEVEL = re.compile(r"hạng\s+(\d+)/(\d+)")
_CHANGE = re.compile(r"(tăng|giảm)\s+(\d+)\s+bậc|giữ nguyên")


@dataclass
class Consolidation:
    """What the district/province report needs from a consolidation (its JSON or its workbook)."""

    form: Form
    ky: str | None
    nam: int | None
    units: list[dict]
    totals: dict[str, object]
    missing: list[dict]
    rejected: list[dict]
    completeness: list[dict] | None = None
    level: str = ""
    unit_name: str = ""
    tinh: str = ""
    expected: int | None = None  # communes that had to report; None when no list of them was given
    deadline_known: bool = True  # whether "late" was judged against a --deadline (JSON "deadline")










def load_consolidation(path: str | Path) -> Consolidation:
    """Read a consolidation's JSON report (README keys; ``completeness`` and ``level`` when present)."""
    path = Path(path)
    try:
        return _from_doc(json.loads(path.read_text(encoding="utf-8")))
    except Exception:
        raise UnusableInput("bad-consolidation", say("report-bad-consolidation", path=path.name), str(path)) from None


def _from_doc(doc: object) -> Consolidation:
    """A Consolidation from the JSON report's document (raises on a document of another shape)."""
    if not isinstance(doc, dict) or not isinstance(doc.get("units"), list):
        raise ValueError
    form = load_form(doc["form"])
    period = doc.get("period") or {}
    missing = doc.get("missing") or []
    # An empty "missing" list does not say whether an expected list was given: then no "phải báo cáo".
    # With an expected list the completeness list has one entry per expected commune (issue 12).
    expected = (len(doc["completeness"]) if doc.get("completeness") else len(doc["units"]) + len(missing)
                ) if missing else None
    return Consolidation(form, period.get("ky"), period.get("nam"), doc["units"], doc.get("totals") or {},
                         missing, doc.get("rejected") or [], doc.get("completeness"),
                         nfc(doc.get("level")), nfc(doc.get("unit_name")), nfc(doc.get("tinh")), expected,
                         deadline_known=bool(doc.get("deadline")) if "deadline" in doc else True)


def is_consolidation_workbook(path: str | Path) -> bool:
    try:
        sniff(path)
        wb = CalamineWorkbook.from_path(str(path))
        try:
            names = {nfc(n) for n in wb.sheet_names}
        finally:
            wb.close()
    except Exception:
        return False
    return DATA_SHEET in names or (UNITS_SHEET in names and COMPLETENESS_SHEET in names)


def _grid(wb, name: str) -> list[list[object]]:
    raw = next((n for n in wb.sheet_names if nfc(n) == name), None)
    if raw is None:
        return []
    return [[nfc(v) if isinstance(v, str) else v for v in row]
            for row in wb.get_sheet_by_name(raw).to_python(skip_empty_area=False)]


def _num(v: object) -> int | float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return int(v) if isinstance(v, float) and v.is_integer() else v


def read_consolidation_xlsx(path: str | Path):
    """The :class:`Consolidation` held by a consolidation workbook."""
    path = Path(path)
    sniff(path)
    try:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            embedded = _grid(wb, DATA_SHEET)
            if embedded:  # the report as written (every workbook since the print layout was redone)
                return _from_doc(json.loads("".join(str(r[0]) for r in embedded if r and r[0])))
            units_g, index_g = _grid(wb, UNITS_SHEET), _grid(wb, INDEX_SHEET)
            check_g, comp_g = _grid(wb, CHECK_SHEET), _grid(wb, COMPLETENESS_SHEET)
            stat = {}
            for form_id in list_forms():
                form = load_form(form_id)
                g = _grid(wb, stat_sheet_name(form))
                if g:
                    stat[form_id] = g
        finally:
            wb.close()
        codes = [c for c in units_g[4][8:] if isinstance(c, str) and c]
        form = next(load_form(f) for f in list_forms() if [i.code for i in load_form(f).cells] == codes)
        heading = next((str(r[0]) for r in units_g[:3] if r and isinstance(r[0], str) and r[0].startswith("Tổng hợp:")),
                       "")
        m = _HEADING.match(heading)
        level, unit_name, period = (m.group(1), m.group(2), m.group(3)) if m else ("", "", "")
        ky = next((k for k, label in PERIODS.items() if period.startswith(label)), None)
        nam_m = re.search(r"(\d{4})", period)
        units = []
        for r in units_g[5:]:
            if len(r) < 8 or not r[2]:
                continue
            values = {c: _num(v) if _num(v) is not None else None for c, v in zip(codes, r[8:], strict=False)}
            units.append({"xa": nfc(r[2]), "ma_xa": nfc(r[1]) or None, "huyen": nfc(r[3]), "file": nfc(r[4]),
                          "status": STATUS.get(nfc(r[5]), "ok"), "errors": _num(r[6]) or 0,
                          "warnings": _num(r[7]) or 0, "values": values,
                          "scores": {"total": None, "fields": {}}, "rank": {"total": {}, "fields": {}},
                          "rank_change": None})
        _scores(index_g, units)
        totals = _totals(stat.get(form.id, []), form)
        completeness, missing, expected = _completeness(comp_g)
        rejected = [{"file": nfc(r[1]), "reason": nfc(r[7])} for r in check_g[4:]
                    if len(r) > 7 and nfc(r[3]) == "Bị loại"]
    except UnusableInput:
        raise
    except Exception:
        raise UnusableInput("bad-consolidation", say("report-bad-consolidation", path=path.name), str(path)) from None
    return Consolidation(form, ky, int(nam_m.group(1)) if nam_m else None, units, totals, missing, rejected,
                         completeness, level, unit_name, expected=expected)


def _scores(grid: list[list[object]], units: list[dict]) -> None:
    head_row = next((i for i, r in enumerate(grid) if HEAD_POSITION in r), None)
    if head_row is None:
        return
    head = [str(h) if h is not None else "" for h in grid[head_row]]
    by_name = {(u["xa"], u["ma_xa"] or ""): u for u in units}
    rows = [r for r in grid[head_row + 1:] if len(r) > 2 and r[2]]
    ranked = sum(1 for r in rows if _num(r[head.index(HEAD_POSITION)]) is not None)
    for r in rows:
        u = by_name.get((nfc(r[2]), nfc(r[1]) or ""))
        if u is None:
            continue
        for col, h in enumerate(head):
            v = r[col] if col < len(r) else None
            if m := re.match(r"^LV (\S+) \(([\d,]+)\)$", h):
                if _num(v) is not None:
                    u["scores"]["fields"][m.group(1)] = _num(v)
            elif h == "Tổng điểm":
                u["scores"]["total"] = _num(v)
            elif h == HEAD_POSITION and _num(v) is not None:
                u["rank"]["total"] = {"position": _num(v), "of": ranked}
            elif (m := re.match(r"^LV (\S+) xếp hạng$", h)) and isinstance(v, str) and (lv := _LEVEL.search(v)):
                u["rank"]["fields"][m.group(1)] = {"position": int(lv.group(1)), "levels": int(lv.group(2))}
            elif h == "Thay đổi so với kỳ trước" and isinstance(v, str) and (ch := _CHANGE.search(v)):
                u["rank_change"] = 0 if not ch.group(1) else (int(ch.group(2)) * (1 if ch.group(1) == "tăng" else -1))


def _totals(grid: list[list[object]], form) -> dict[str, object]:
    out: dict[str, object] = {}
    for r in grid:
        if len(r) < 7 or not isinstance(r[6], str) or r[6] not in form.by_code:
            continue
        v = r[3]
        ind = form.by_code[r[6]]
        if ind.kind == "coded" and isinstance(v, str):
            parts = dict(p.rsplit(":", 1) for p in v.split(";") if ":" in p)
            out[r[6]] = {nfc(k): int(float(n)) for k, n in parts.items()}
        else:
            out[r[6]] = _num(v)
    return out


def _completeness(grid: list[list[object]]) -> tuple[list[dict] | None, list[dict], int | None]:
    expected = next((_num(r[2]) for r in grid if len(r) > 2 and r[1] == "Số xã phải nộp"), None)
    head_row = next((i for i, r in enumerate(grid) if "Đã nộp" in r and "Nộp muộn" in r), None)
    if head_row is None:
        return None, [], expected
    rows, missing = [], []
    for r in grid[head_row + 1:]:
        if len(r) < 7 or not r[2]:
            continue
        item = {"ma_xa": nfc(r[1]) or None, "xa": nfc(r[2]), "huyen": nfc(r[3]) or None,
                "received": nfc(r[4]) == "Có", "valid": nfc(r[5]) == "Có",
                "late": True if nfc(r[6]) == "Có" else (False if nfc(r[6]) == "Không" else None)}
        rows.append(item)
        if not item["received"]:
            missing.append({"ma_xa": item["ma_xa"], "xa": item["xa"], "huyen": item["huyen"]})
    return rows, missing, expected
