"""Read the clerk's follow-up marks back from a consolidated workbook's Kiểm tra sheet.

``consolidate --history`` writes, next to every follow-up finding on the Kiểm tra sheet, a drop-down
column "Xác minh" ("Đã xác minh" / "Báo nhầm"), a note column and a hidden key column (JSON: commune key,
form, kỳ, năm, code, value, rule). The clerk fills the drop-down in Excel; the next run reads the marks
here (the file is only read, never changed) and stores them, so the same value is not flagged again.
"""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from cchc_xl.errors import UnusableInput
from cchc_xl.messages import say
from cchc_xl.ooxml.safety import sniff
from cchc_xl.sources.history_db import Mark

CHECK_SHEET = "Kiểm tra"
HEAD_MARK, HEAD_NOTE, HEAD_KEY = "Xác minh", "Ghi chú xác minh", "Khóa theo dõi"
CONFIRMED, FALSE_ALARM = "Đã xác minh", "Báo nhầm"
STATUS_OF = {CONFIRMED.casefold(): "confirmed", FALSE_ALARM.casefold(): "false-alarm",
             "confirmed": "confirmed", "false-alarm": "false-alarm", "đúng": "confirmed", "sai": "false-alarm"}


def _text(v: object) -> str:
    return unicodedata.normalize("NFC", "" if v is None else str(v)).strip()


def read_marks(path: str | Path) -> list[Mark]:
    """Every marked follow-up row of the workbook's Kiểm tra sheet (none when the sheet has no mark column)."""
    path = Path(path)
    sniff(path)
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            if CHECK_SHEET not in wb.sheet_names:
                return []
            grid = wb.get_sheet_by_name(CHECK_SHEET).to_python(skip_empty_area=False)
        finally:
            wb.close()
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise UnusableInput("marks-unreadable", say("history-marks-unreadable", path=str(path),
                                                    detail=type(exc).__name__)) from None
    out: list[Mark] = []
    for i, row in enumerate(grid):
        cells = [_text(v) for v in row]
        if HEAD_MARK in cells and HEAD_KEY in cells:
            c_mark, c_key = cells.index(HEAD_MARK), cells.index(HEAD_KEY)
            c_note = cells.index(HEAD_NOTE) if HEAD_NOTE in cells else None
            for r in grid[i + 1:]:
                status = STATUS_OF.get(_text(r[c_mark] if c_mark < len(r) else "").casefold())
                raw_key = _text(r[c_key] if c_key < len(r) else "")
                if not status or not raw_key:
                    continue
                try:
                    unit, form, ky, nam, code, value, rule = json.loads(raw_key)
                except (ValueError, TypeError):
                    continue
                note = _text(r[c_note]) if c_note is not None and c_note < len(r) else ""
                out.append(Mark(str(unit), str(form), str(ky), int(nam), str(code), str(value), status, note,
                                str(rule), source=path.name))
            break
    return out
