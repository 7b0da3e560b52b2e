"""Write a :class:`~cchc_xl.commands.consolidate.ConsolidationResult`: the consolidated workbook, the JSON report and
the CLI summary lines.

The workbook is built with XlsxWriter in ``constant_memory`` mode (every sheet is written strictly row by
row, so memory stays flat for 3,321 communes), with every text written by ``write_string`` (a commune
name that begins with "=" stays text). Every sheet is set up to print (A4, orientation for its shape, fit
to width, repeated header rows, row heights for wrapped text, hidden helper columns outside the print
area); the charts live on their own chart sheets so they never cover a table and never split across
pages. The completeness counts come from one place (``ConsolidationResult.counts``) so the CLI summary,
the JSON, the sheet, the header note and the chart always agree. Outputs are written atomically and never
replace an existing file unless ``force``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cchc_xl.commands.consolidate import (
    C_CONFLICT,
    C_FINDINGS,
    C_MISSING,
    C_OK,
    C_UNUSABLE,
    ERRORS,
    EXCLUDED,
    FIELDS_SHEET,
    HEAD_CODE,
    HEAD_DISTRICT,
    HEAD_FIELD,
    HEAD_FIELD_POSITION,
    HEAD_NAME,
    HEAD_POSITION,
    INDEX_SHEET,
    OK,
    WARNINGS,
    ConsolidationResult,
    UnitResult,
)
from cchc_xl.engine import rank
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form
from cchc_xl.model.layout import stat_sheet_name
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.render.printing import row_height, setup_xlsxwriter

UNITS_SHEET = "Tổng hợp theo xã"
CHECK_SHEET = "Kiểm tra"
COMPLETENESS_SHEET = "Tình trạng nộp"
CHART_INDEX_SHEET = "Biểu đồ Chỉ số"
CHART_FIELDS_SHEET = "Biểu đồ lĩnh vực"
CHART_COMPLETENESS_SHEET = "Biểu đồ nộp"
FONT = "Times New Roman"
STATUS_LABELS = {OK: "Hợp lệ", WARNINGS: "Có cảnh báo", ERRORS: "Có lỗi", EXCLUDED: "Có lỗi — không tính"}
STATUS_WORDS = {C_OK: "Hợp lệ", C_FINDINGS: "Có lỗi", C_UNUSABLE: "Không dùng được", C_CONFLICT: "Trùng tệp",
                C_MISSING: "Chưa nộp"}
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo", "followup": "Cần xem lại"}
SOURCE_LABELS = {"ngay_lap": "Ngày lập trong tệp", "mtime": "Ngày sửa tệp"}
SOURCE_SHORT = {"ngay_lap": "theo ngày lập ghi trong tệp", "mtime": "theo ngày sửa tệp"}
# Above this many ranked communes a bar per commune is unreadable: the charts show the rating classes.
MAX_BARS = 100


# ------------------------------------------------------------------------------------------ summaries


def summary_lines(result: ConsolidationResult, verbose: bool = True) -> list[str]:
    """The CLI summary: totals line, completeness counts (same numbers as JSON and sheets), late communes."""
    c = result.counts()
    lines = [say("consolidate-summary", period=result.period_label or "?",
                 form=result.form.id if result.form else "?", units=sum(u.included for u in result.units),
                 errors=sum(1 for u in result.units if u.errors), rejected=len(result.rejected),
                 missing=c[C_MISSING])]
    lines.append(say("consolidate-completeness-summary", **c))
    if verbose:
        for e in result.completeness:
            if e.late:
                lines.append(say("consolidate-late-line", xa=e.xa, code=f" ({e.ma_xa})" if e.ma_xa else "",
                                 date=e.date.strftime("%d/%m/%Y") if e.date else "?",
                                 source=SOURCE_SHORT.get(e.date_source, "")))
    if c["file_time"] and result.deadline:
        lines.append(say("consolidate-file-time-warning", count=c["file_time"]))
    return lines


def completeness_note(result: ConsolidationResult) -> str:
    return say("consolidate-completeness-summary", **result.counts())


def publish(result: ConsolidationResult, out: str | Path, json_out: str | Path | None, force: bool = False,
            extra=()) -> None:
    """Write the workbook and the JSON report as one publication.

    Both are written to temporaries in their target folders first; then the workbook is renamed into
    place and the JSON — which carries the workbook's SHA-256 — last. A run killed anywhere leaves either
    the old pair, or a new workbook beside a JSON whose hash does not match it (detectable), never a JSON
    describing a workbook that is not there; temporaries are removed on every exit path.
    """
    from cchc_xl.ooxml.publish import publish_together, sha256_of

    with atomic_output(out, force=force, publish=False) as tmp_book:
        write_workbook(result, tmp_book, force=True, extra=extra)
        if json_out is None:
            publish_together([(tmp_book, Path(out))])
            return
        with atomic_output(json_out, force=force, publish=False) as tmp_json:
            write_json(result, tmp_json, force=True, workbook_sha256=sha256_of(tmp_book))
            publish_together([(tmp_book, Path(out)), (tmp_json, Path(json_out))])


def write_json(result: ConsolidationResult, out: str | Path, force: bool = False,
               workbook_sha256: str | None = None) -> Path:
    """The JSON report, streamed unit by unit (the same document as ``result.to_json()``)."""

    def dump(value: object) -> str:
        return json.dumps(value, ensure_ascii=False)

    with atomic_output(out, force=force) as tmp, tmp.open("w", encoding="utf-8") as fh:
        head, tail = result.json_head(), result.json_tail()
        if workbook_sha256:
            head = {**head, "workbook_sha256": workbook_sha256}
        fh.write("{" + ", ".join(f"{dump(k)}: {dump(v)}" for k, v in head.items()) + ', "units": [')
        for n, unit in enumerate(result.units):
            fh.write(("," if n else "") + "\n " + dump(result.unit_json(unit)))
        fh.write("\n], " + ",\n".join(f"{dump(k)}: {dump(v)}" for k, v in tail.items()) + "}\n")
    return Path(out)


def write_workbook(result: ConsolidationResult, out: str | Path, force: bool = False, extra=()) -> Path:
    """The consolidated workbook; ``extra``: callables ``f(wb)`` adding sheets at the end (history)."""
    with atomic_output(out, force=force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "constant_memory": True})
        wb.set_properties({"title": "Tổng hợp báo cáo CCHC", "author": "cchc-xl"})
        st = Styles(wb)
        if result.form is not None:
            _stat_sheet(wb, st, result, result.form)
            _units_sheet(wb, st, result, result.form)
        index_rows, class_rows = _index_sheet(wb, st, result)
        _fields_sheet(wb, st, result)
        _check_sheet(wb, st, result)
        _completeness_sheet(wb, st, result)
        _charts(wb, result, index_rows, class_rows)
        for add in extra:  # sheets of other capabilities (history, issue 14)
            add(wb)
        _data_sheet(wb, result)
        wb.close()
    return Path(out)


DATA_SHEET = "cchc_du_lieu"  # very hidden: the JSON report itself, so the workbook can be read back exactly
_CHUNK = 30_000  # characters per cell (Excel keeps at most 32,767)


def _data_sheet(wb: xlsxwriter.Workbook, result: ConsolidationResult) -> None:
    """The machine-readable report inside the workbook (``cchc-xl report TONG-HOP.xlsx`` reads it), so no
    tool ever parses the printed layout back. Written as text chunks; never shown, never printed."""
    doc = {**result.to_json(), "level": result.level, "unit_name": result.unit_name}
    text = json.dumps(doc, ensure_ascii=False, default=str)
    ws = wb.add_worksheet(DATA_SHEET)
    ws.very_hidden()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    for row, start in enumerate(range(0, len(text), _CHUNK)):
        ws.write_string(row, 0, text[start:start + _CHUNK])


class Styles:
    """The cell formats every cchc-xl workbook shares (Times New Roman 12, borders, wrapped text)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center", "text_wrap": True})
        self.title_left = wb.add_format({**base, "bold": True, "font_size": 13, "text_wrap": True})
        self.agency = wb.add_format({**base, "bold": True, "align": "center", "text_wrap": True})
        self.motto = wb.add_format({**base, "bold": True, "align": "center", "underline": 1})
        self.subtitle = wb.add_format({**base, "italic": True, "align": "center", "text_wrap": True})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#444444", "text_wrap": True,
                                   "valign": "top"})
        self.sign = wb.add_format({**base, "bold": True, "align": "center"})
        self.sign_hint = wb.add_format({**base, "italic": True, "align": "center"})
        self.header = wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#D9E1F2",
                                     "text_wrap": True})
        # wrapped: a wrapped cell never overflows into its neighbours (a hidden code column stays hidden)
        self.code = wb.add_format({**cell, "align": "center", "font_color": "#555555", "bg_color": "#F2F2F2",
                                   "text_wrap": True})
        self.text = wb.add_format({**cell, "text_wrap": True})
        self.text_bold = wb.add_format({**cell, "bold": True, "text_wrap": True})
        self.center = wb.add_format({**cell, "align": "center", "text_wrap": True})
        self.number = wb.add_format({**cell, "num_format": "#,##0.###"})
        self.integer = wb.add_format({**cell, "num_format": "#,##0", "align": "center"})
        self.points = wb.add_format({**cell, "num_format": "0.000"})
        self.percent = wb.add_format({**cell, "num_format": "0.00"})
        self.derived = wb.add_format({**cell, "num_format": "0.00", "bg_color": "#E2EFDA"})
        self.bad = wb.add_format({**cell, "font_color": "#C00000", "text_wrap": True})
        self.bad_center = wb.add_format({**cell, "font_color": "#C00000", "align": "center", "text_wrap": True})
        self.date = wb.add_format({**cell, "num_format": "dd/mm/yyyy", "align": "center"})


def _text(ws, row: int, col: int, value: object, fmt) -> None:
    """Every text goes through write_string: "=..." never becomes a formula, "0012" never a number."""
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


def _value(ws, row: int, col: int, value: object, fmt, text_fmt) -> None:
    if isinstance(value, bool) or value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    elif isinstance(value, int | float):
        ws.write_number(row, col, value, fmt)
    else:
        ws.write_string(row, col, str(value), text_fmt)


def _names(names: list[str], limit: int = 30) -> str:
    shown = ", ".join(names[:limit])
    return shown + (f" … (+{len(names) - limit})" if len(names) > limit else "")


def _heading(result: ConsolidationResult) -> str:
    return f"Tổng hợp: {result.level} {result.unit_name} — kỳ {result.period_label}".strip()


def _band(ws, row: int, last_col: int, text: str, fmt, widths: list[float], height: float | None = None) -> None:
    """A full-width merged line (title or note) with a height that fits its wrapped text."""
    if last_col > 0:
        ws.merge_range(row, 0, row, last_col, text, fmt)
    else:
        ws.write_string(row, 0, text, fmt)
    ws.set_row(row, height or row_height([(text, sum(widths[: last_col + 1]))]))


def agency_name(result: ConsolidationResult) -> str:
    """Cơ quan tổng hợp as printed top left: "UBND HUYỆN TỨ KỲ" / "UBND TỈNH HẢI DƯƠNG"."""
    return f"UBND {result.level} {result.unit_name}".upper().strip()


def official_header(ws, st: Styles, row: int, left_cols: tuple[int, int], right_cols: tuple[int, int],
                    agency: str) -> int:
    """Cơ quan (left) and Quốc hiệu / Tiêu ngữ (right) on two rows; returns the next free row."""
    ws.set_row(row, 20)
    ws.merge_range(row, *left_cols[:1], row, left_cols[1], agency, st.agency)
    ws.merge_range(row, right_cols[0], row, right_cols[1], "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", st.agency)
    ws.set_row(row + 1, 20)
    ws.merge_range(row + 1, left_cols[0], row + 1, left_cols[1], "", st.agency)
    ws.merge_range(row + 1, right_cols[0], row + 1, right_cols[1], "Độc lập - Tự do - Hạnh phúc", st.motto)
    return row + 3


def signature_block(ws, st: Styles, row: int, left_cols: tuple[int, int], right_cols: tuple[int, int]) -> int:
    """", ngày … tháng … năm …", Người lập biểu (left) and Thủ trưởng đơn vị (right); returns the next row."""
    ws.merge_range(row, right_cols[0], row, right_cols[1], "……, ngày …… tháng …… năm ……", st.sign_hint)
    ws.merge_range(row + 1, left_cols[0], row + 1, left_cols[1], "NGƯỜI LẬP BIỂU", st.sign)
    ws.merge_range(row + 1, right_cols[0], row + 1, right_cols[1], "THỦ TRƯỞNG ĐƠN VỊ", st.sign)
    ws.merge_range(row + 2, left_cols[0], row + 2, left_cols[1], "(Ký, ghi rõ họ tên)", st.sign_hint)
    ws.merge_range(row + 2, right_cols[0], row + 2, right_cols[1], "(Ký tên, đóng dấu)", st.sign_hint)
    for r in range(row + 3, row + 7):  # room for the signatures
        ws.set_row(r, 18)
    ws.write_blank(row + 6, 0, None)
    return row + 7


def percent_note(result: ConsolidationResult, code: str) -> str:
    basis = result.percent_basis.get(code)
    if not basis or basis.get("method") == "none":
        return ""
    kw = {"n": basis["n"], "min": format_vn(basis["min"]), "max": format_vn(basis["max"]), "base": basis.get("base")}
    if basis["method"] == "weighted":
        return say("consolidate-note-percent-weighted", **kw)
    if basis.get("base"):
        return say("consolidate-note-percent-mean-gap", **kw)
    return say("consolidate-note-percent-mean", **kw)


# --------------------------------------------------------------------------------------------- Phụ lục

_STAT_WIDTHS = [6, 46, 11, 13, 8, 30, 12]


def _stat_sheet(wb, st: Styles, result: ConsolidationResult, form: Form) -> None:
    ws = wb.add_worksheet(stat_sheet_name(form))
    widths = _STAT_WIDTHS
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, None, {"hidden": col == 6})
    included = [u for u in result.units if u.included]
    row = official_header(ws, st, 0, (0, 1), (2, 5), agency_name(result))
    _band(ws, row, 5, form.name, st.title, widths, 20)
    _band(ws, row + 1, 5, form.title, st.title, widths)
    _band(ws, row + 2, 5, f"Kỳ báo cáo: {result.period_label or '?'} — tổng hợp {len(included)} xã "
          f"({result.level} {result.unit_name})", st.subtitle, widths)
    notes = [completeness_note(result)]
    if result.missing:
        notes.append(say("consolidate-note-missing", count=len(result.missing),
                         names=_names([m.xa for m in result.missing])))
    excluded = [u.xa for u in result.units if not u.included]
    if excluded:
        notes.append(say("consolidate-note-excluded", count=len(excluded), names=_names(excluded)))
    _band(ws, row + 3, 5, " ".join(notes), st.note, widths)
    h = row + 5
    ws.set_row(h, 36)
    for col, text in enumerate(("STT", form.label_header, "Đơn vị tính", "Số liệu tổng hợp", "Số xã có số liệu",
                                "Ghi chú", "Mã chỉ tiêu")):
        ws.write_string(h, col, text, st.header)
    ws.freeze_panes(h + 1, 2)
    rows = {}
    sections = {s.id: s for s in form.sections}
    layout: list[tuple[str, object]] = []
    current = None
    for ind in form.indicators:
        if ind.section and ind.section != current:
            current = ind.section
            layout.append(("section", sections[current]))
        layout.append(("indicator", ind))
    r = h + 1
    for kind, item in layout:  # first pass: row numbers (formulas of ratio rows refer to later rows)
        if kind == "indicator":
            rows[item.code] = r  # type: ignore[union-attr]
        r += 1
    r = h + 1
    total = len(included)
    for kind, item in layout:
        if kind == "section":
            text = f"{item.title}: {item.subtitle}"  # type: ignore[union-attr]
            ws.merge_range(r, 0, r, 5, text, st.text_bold)
            ws.set_row(r, row_height([(text, sum(widths[:6]))]))
            r += 1
            continue
        ind = item
        group = ind.kind == "group" or ind.header  # type: ignore[union-attr]
        stt = ind.printed if ind.printed in ("Trong đó", "") else ind.code.split("-", 1)[-1]  # type: ignore[union-attr]
        label = "   " * max(ind.level - 1, 0) + ind.label  # type: ignore[union-attr]
        ws.write_string(r, 0, stt, st.center)
        ws.write_string(r, 1, label, st.text_bold if group else st.text)
        _text(ws, r, 2, ind.unit, st.center)  # type: ignore[union-attr]
        note, shown = "", ""
        if ind.kind == "group":  # type: ignore[union-attr]
            for col in (3, 4, 5):
                ws.write_blank(r, col, None, st.text)
        else:
            value = result.totals.get(ind.code)  # type: ignore[union-attr]
            if ind.derive is not None:  # type: ignore[union-attr]
                d = ind.derive  # type: ignore[union-attr]
                cells = [xl_rowcol_to_cell(rows[c], 3) for c in d.codes]
                if d.kind == "ratio":
                    formula = f'=IF(N({cells[1]})=0,"",ROUND(N({cells[0]})/{cells[1]}*100,{d.decimals}))'
                    note = say("consolidate-note-ratio", formula=d.describe())
                else:
                    formula = "=SUM(" + ",".join(cells) + ")"
                ws.write_formula(r, 3, formula, st.derived, "" if value is None else value)
            elif isinstance(value, dict):
                shown = "; ".join(f"{k}: {n}" for k, n in value.items())
                ws.write_string(r, 3, shown, st.text)
            else:
                if ind.kind == "percent":  # type: ignore[union-attr]
                    note = percent_note(result, ind.code)  # type: ignore[union-attr]
                _value(ws, r, 3, value, st.number, st.text)
            reporting = result.reporting.get(ind.code, 0)  # type: ignore[union-attr]
            ws.write_number(r, 4, reporting, st.integer)
            blank = result.blank_units.get(ind.code, [])  # type: ignore[union-attr]
            if blank and ind.is_input and total:  # type: ignore[union-attr]
                blank_note = say("consolidate-note-none", total=total) if not reporting else say(
                    "consolidate-note-blank", count=reporting, total=total, names=_names(blank, 10))
                note = "; ".join(filter(None, [note, blank_note]))
            _text(ws, r, 5, note, st.text)
        ws.write_string(r, 6, ind.code, st.code)  # type: ignore[union-attr]
        ws.set_row(r, row_height([(label, widths[1]), (ind.unit, widths[2]), (shown, widths[3]),  # type: ignore[union-attr]
                                  (note, widths[5])]))
        r += 1
    last = signature_block(ws, st, r + 1, (0, 1), (2, 5))
    setup_xlsxwriter(ws, landscape=False, header=(h, h), area=(0, 0, last, 5))


# ---------------------------------------------------------------------------------- Tổng hợp theo xã
# Indicators down the page, communes across: a form has ~70–100 rows but a district 20–30 communes, so a
# page holds every label next to ~7 communes and the labels repeat on every page (the old layout, communes
# down and indicators across, printed 27 pages of four columns).

_UNIT_FIXED = [9, 34, 10]
_UNIT_COL = 10
UNIT_SCALE = 75  # print scale of the sheet (%): 8 communes per landscape page, 9 pt text
# Printable width of landscape A4 (0.5" + 0.4" margins) in column-width units at 100 %, as LibreOffice and
# Excel lay out 12 pt Times New Roman (measured on rendered PDFs: ~1.15 in per 11 units).
_UNIT_PAGE_UNITS = 104


def units_per_page() -> int:
    room = _UNIT_PAGE_UNITS * 100 / UNIT_SCALE - sum(_UNIT_FIXED)
    return max(1, int(room // _UNIT_COL))


def _units_sheet(wb, st: Styles, result: ConsolidationResult, form: Form) -> None:
    ws = wb.add_worksheet(UNITS_SHEET)
    units = result.units
    fixed = len(_UNIT_FIXED)
    for col, width in enumerate(_UNIT_FIXED):
        ws.set_column(col, col, width)
    if units:
        ws.set_column(fixed, fixed + len(units) - 1, _UNIT_COL)
    per_page = units_per_page()
    span = fixed - 1 + min(len(units), per_page)
    widths = _UNIT_FIXED + [_UNIT_COL] * max(1, min(len(units), per_page))
    _band(ws, 0, span, f"TỔNG HỢP SỐ LIỆU THEO XÃ — {form.name}", st.title_left, widths, 20)
    _band(ws, 1, span, f"{_heading(result)}. Mỗi cột là một xã; mã chỉ tiêu ở cột STT.", st.note, widths)
    h = 3
    heads = [("Xã/phường", [u.xa for u in units], st.header),
             (HEAD_CODE, [u.ma_xa for u in units], st.center),
             (HEAD_DISTRICT, [u.huyen for u in units], st.center),
             ("Trạng thái", [STATUS_LABELS.get(u.status, u.status) for u in units], st.center)]
    for i, (label, values, fmt) in enumerate(heads):
        r = h + i
        ws.write_string(r, 0, "", st.header) if i else ws.write_string(r, 0, "STT", st.header)
        ws.write_string(r, 1, label, st.header)
        ws.write_string(r, 2, "ĐVT" if i == 0 else "", st.header)
        for n, v in enumerate(values):
            bad = i == 3 and units[n].errors
            _text(ws, r, fixed + n, v, st.bad_center if bad else fmt)
        ws.set_row(r, row_height([(v, _UNIT_COL) for v in values] or [("", _UNIT_COL)]))
    last_head = h + len(heads) - 1
    ws.freeze_panes(last_head + 1, fixed)
    sections = {s.id: s for s in form.sections}
    col_of = {i.code: n for n, i in enumerate(form.cells)}
    r = last_head + 1
    current = None
    for ind in form.indicators:
        if ind.section and ind.section != current:
            current = ind.section
            sec = sections[current]
            ws.write_string(r, 0, "", st.text_bold)
            ws.write_string(r, 1, f"{sec.title}: {sec.subtitle}", st.text_bold)
            ws.write_blank(r, 2, None, st.text_bold)
            for n in range(len(units)):
                ws.write_blank(r, fixed + n, None, st.text_bold)
            ws.set_row(r, row_height([(f"{sec.title}: {sec.subtitle}", _UNIT_FIXED[1])]))
            r += 1
        ws.write_string(r, 0, ind.code, st.code)
        ws.write_string(r, 1, "  " * max(ind.level - 1, 0) + ind.label, st.text_bold if ind.kind == "group" else st.text)
        _text(ws, r, 2, ind.unit, st.center)
        col = col_of.get(ind.code)
        for n, u in enumerate(units):
            v = u.row[col] if col is not None and col < len(u.row) else None
            _value(ws, r, fixed + n, v, st.derived if ind.is_derived else st.number, st.bad)
        ws.set_row(r, row_height([(ind.label, _UNIT_FIXED[1] - 1), (ind.unit, _UNIT_FIXED[2])]))
        r += 1
    if len(units) > per_page:
        ws.set_v_pagebreaks([fixed + k for k in range(per_page, len(units), per_page)])
    setup_xlsxwriter(ws, landscape=True, header=(h, last_head), repeat_cols=(0, fixed - 1), fit_width=False)
    ws.set_print_scale(UNIT_SCALE)


# -------------------------------------------------------------------------------------- Chỉ số CCHC


def _fmt_max(m) -> str:
    return "" if m is None else format(m.normalize(), "f").replace(".", ",")


def _index_sheet(wb, st: Styles, result: ConsolidationResult) -> tuple[int, tuple[int, int]]:
    """One row per commune, best first: points per field, total, overall and within-huyện rank, change,
    class; then the rating-class table with its source. Returns the number of ranked rows and the first and
    last row of the class table (for the charts)."""
    ws = wb.add_worksheet(INDEX_SHEET)
    fw = result.framework
    fields = list(fw.fields) if fw else []
    nf = len(fields)
    huyen = result.huyen_levels
    heads = ["STT", HEAD_CODE, HEAD_NAME, HEAD_DISTRICT]
    heads += [f"LV {f.code} ({_fmt_max(f.max)})" for f in fields] + ["Tổng điểm", HEAD_POSITION, "Xếp hạng chung"]
    heads += ["Xếp hạng trong huyện"] if huyen else []
    heads += ["Thay đổi so với kỳ trước", "Xếp loại"]
    widths = [5, 9, 16, 12] + [7] * nf + [9, 8, 10] + ([11] if huyen else []) + [11, 10]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(heads) - 1
    _band(ws, 0, last, "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ", st.title, widths, 20)
    _band(ws, 1, last, f"{_heading(result)} — {fw.title if fw else ''}", st.subtitle, widths)
    basis = {"final": "consolidate-note-basis-final", "provisional": "consolidate-note-basis-provisional"}.get(
        result.score_basis or "", "consolidate-note-no-scores")
    _band(ws, 2, last, say(basis) + " " + say("consolidate-note-ranks"), st.note, widths)
    h = 4
    ws.set_row(h, 48)
    for col, text in enumerate(heads):
        ws.write_string(h, col, text, st.header)
    ws.freeze_panes(h + 1, 3)
    c_total = 4 + nf
    ordered = sorted(result.units, key=lambda u: (u.rank_total is None, u.rank_total or 0,
                                                 u.xa.casefold(), u.file))
    ranked_rows = 0
    for n, u in enumerate(ordered, start=1):
        r = h + n
        ws.write_number(r, 0, n, st.center)
        _text(ws, r, 1, u.ma_xa, st.center)
        _text(ws, r, 2, u.xa, st.text)
        _text(ws, r, 3, u.huyen, st.text)
        for i, f in enumerate(fields):
            _value(ws, r, 4 + i, u.fields.get(f.code), st.points, st.bad)
        c = c_total
        _value(ws, r, c, u.total, st.points, st.bad)
        _value(ws, r, c + 1, u.rank_total, st.integer, st.text)
        _text(ws, r, c + 2, rank.position_text(u.rank_total, result.ranked), st.center)
        c += 3
        if huyen:
            _text(ws, r, c, rank.position_text(u.rank_huyen, u.rank_huyen_of), st.center)
            c += 1
        _text(ws, r, c, rank.change_text(u.rank_change) if result.previous else "", st.center)
        _text(ws, r, c + 1, u.rating, st.center)
        ws.set_row(r, row_height([(u.xa, widths[2]), (u.huyen, widths[3])]))
        if u.rank_total is not None:
            ranked_rows = n
    r = h + len(ordered) + 2
    source = result.classes_source or say("consolidate-classes-default")
    _band(ws, r, last, say("consolidate-classes-source", source=source), st.note, widths)
    ws.write_string(r + 1, 2, "Xếp loại", st.header)
    ws.write_string(r + 1, 3, "Điểm từ", st.header)
    ws.write_string(r + 1, 4, "Số xã", st.header)
    counts = {c.name: 0 for c in result.classes}
    for u in result.units:
        if u.rating in counts:
            counts[u.rating] += 1
    for i, c in enumerate(sorted(result.classes, key=lambda c: c.minimum, reverse=True)):
        ws.write_string(r + 2 + i, 2, c.name, st.text)
        ws.write_string(r + 2 + i, 3, format_vn(c.minimum), st.center)
        ws.write_number(r + 2 + i, 4, counts[c.name], st.integer)
    setup_xlsxwriter(ws, landscape=True, header=(h, h))
    return ranked_rows, (r + 2, r + 1 + len(result.classes))


# ------------------------------------------------------------------------------------ Xếp hạng lĩnh vực


def field_rank_text(u: UnitResult, code: str) -> str:
    pos, levels = u.rank_fields.get(code, (None, 0))
    return rank.level_text(pos, levels, u.field_tied.get(code, 0))


def _fields_sheet(wb, st: Styles, result: ConsolidationResult) -> int:
    """Long format, one row per commune and field: points, % of the maximum, "hạng x/y, cùng nhóm hạng với
    N xã", change since --previous. Portrait, readable on paper whatever the number of fields; the field
    names and maxima are a legend above the table so each of the 10 × N rows stays one line."""
    ws = wb.add_worksheet(FIELDS_SHEET)
    fw = result.framework
    fields = list(fw.fields) if fw else []
    heads = ["STT", HEAD_CODE, HEAD_NAME, HEAD_FIELD, "Điểm", "Tỷ lệ (%)", HEAD_FIELD_POSITION,
             "Xếp hạng lĩnh vực", "Thay đổi so với kỳ trước"]
    widths = [6, 9, 18, 7, 9, 8, 7, 34, 12]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(heads) - 1
    _band(ws, 0, last, "XẾP HẠNG TỪNG LĨNH VỰC", st.title, widths, 20)
    _band(ws, 1, last, _heading(result), st.subtitle, widths)
    for i, f in enumerate(fields):
        _band(ws, 2 + i, last, f"LV {f.code}: {f.label} (tối đa {_fmt_max(f.max)} điểm)", st.note, widths, 17)
    h = 3 + len(fields)
    ws.set_row(h, 36)
    for col, text in enumerate(heads):
        ws.write_string(h, col, text, st.header)
    ws.freeze_panes(h + 1, 3)
    from cchc_xl.engine.derive import field_percent

    r = h + 1
    n = 0
    name_room = widths[2] * 1.2 - 1
    ordered = sorted(result.units, key=lambda u: (u.rank_total is None, u.rank_total or 0, u.xa.casefold()))
    for u in ordered:
        if not u.fields:
            continue
        tall = row_height([(u.xa, widths[2])]) if len(u.xa) > name_room else None
        for f in fields:
            pts = u.fields.get(f.code)
            n += 1
            ws.write_number(r, 0, n, st.center)
            _text(ws, r, 1, u.ma_xa, st.center)
            _text(ws, r, 2, u.xa, st.text)
            ws.write_string(r, 3, f.code, st.center)
            _value(ws, r, 4, pts, st.points, st.bad)
            pct = field_percent(fw, f.code, pts) if isinstance(pts, int | float) and f.max else None  # type: ignore[arg-type]
            _value(ws, r, 5, pct, st.percent, st.bad)
            pos, _levels = u.rank_fields.get(f.code, (None, 0))
            _value(ws, r, 6, pos, st.integer, st.text)
            _text(ws, r, 7, field_rank_text(u, f.code), st.center)
            _text(ws, r, 8, rank.change_text(u.field_change.get(f.code)) if result.previous else "", st.center)
            if tall:
                ws.set_row(r, tall)
            r += 1
    if not n:
        _band(ws, r, last, say("consolidate-note-no-scores"), st.note, widths)
    setup_xlsxwriter(ws, landscape=False, header=(h, h))
    return n


# ------------------------------------------------------------------------------------------ Kiểm tra


def _check_sheet(wb, st: Styles, result: ConsolidationResult) -> None:
    ws = wb.add_worksheet(CHECK_SHEET)
    heads = ("STT", "Tệp", "Xã/phường", "Mức độ", "Quy tắc", "Trang", "Ô", "Nội dung")
    widths = [5, 22, 14, 9, 18, 10, 6, 60]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    _band(ws, 0, 7, "KIỂM TRA SỐ LIỆU CÁC XÃ", st.title, widths, 20)
    _band(ws, 1, 7, _heading(result), st.subtitle, widths)
    ws.set_row(3, 20)
    for col, text in enumerate(heads):
        ws.write_string(3, col, text, st.header)
    ws.freeze_panes(4, 0)
    # follow-up findings (history, issue 14) get a drop-down "Xác minh" the next run reads back
    marks = any(f.get("follow_up_key") for u in result.units for f in u.findings)
    if marks:
        for col, (text, width) in enumerate((("Xác minh", 14), ("Ghi chú xác minh", 30), ("Khóa theo dõi", 10)),
                                            start=len(heads)):
            ws.set_column(col, col, width, None, {"hidden": text == "Khóa theo dõi"})
            ws.write_string(3, col, text, st.header)
    r, n = 4, 0

    def line(file: str, xa: str, sev_text: str, bad: bool, rule: str, sheet: str, cell: str, msg: str) -> None:
        nonlocal r, n
        n += 1
        ws.write_number(r, 0, n, st.center)
        _text(ws, r, 1, file, st.text)
        _text(ws, r, 2, xa, st.text)
        _text(ws, r, 3, sev_text, st.bad if bad else st.text)
        _text(ws, r, 4, rule, st.text)
        _text(ws, r, 5, sheet, st.text)
        _text(ws, r, 6, cell, st.center)
        _text(ws, r, 7, msg, st.text)
        ws.set_row(r, row_height([(file, widths[1]), (xa, widths[2]), (rule, widths[4]), (sheet, widths[5]),
                                  (msg, widths[7])]))
        r += 1

    for u in result.units:
        for f in u.findings:
            sev = f.get("severity")
            if marks and f.get("follow_up_key"):  # same row as the line() below
                ws.write_blank(r, len(heads), None, st.text)
                ws.write_blank(r, len(heads) + 1, None, st.text)
                ws.write_string(r, len(heads) + 2, f["follow_up_key"], st.text)
                ws.data_validation(r, len(heads), r, len(heads), {
                    "validate": "list", "source": ["Đã xác minh", "Báo nhầm"],
                    "input_title": "Xác minh", "input_message": "Đã xác minh: số liệu đúng; Báo nhầm: không phải lỗi"})
            line(u.file, u.xa, SEVERITY_LABELS.get(sev, sev), sev == "error", f.get("rule") or "",
                 f.get("sheet") or "", f.get("cell") or "", f.get("message") or "")
    for rej in result.rejected:
        line(rej.file, rej.xa, "Bị loại", True, rej.kind, "", "", rej.reason)
    for rej in result.skipped:
        line(rej.file, "", "Bỏ qua", False, rej.kind, "", "", rej.reason)
    if n:
        ws.autofilter(3, 0, r - 1, len(heads) - 1)
    else:
        ws.write_string(r, 1, "Không có phát hiện nào.", st.note)
    setup_xlsxwriter(ws, landscape=True, header=(3, 3))


# ------------------------------------------------------------------------------------ Tình trạng nộp


def _completeness_sheet(wb, st: Styles, result: ConsolidationResult) -> None:
    ws = wb.add_worksheet(COMPLETENESS_SHEET)
    widths = [5, 9, 15, 12, 13, 8, 11, 17, 23, 37]
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    last = len(widths) - 1
    _band(ws, 0, last, "TÌNH TRẠNG NỘP BÁO CÁO", st.title, widths, 20)
    deadline = result.deadline.strftime("%d/%m/%Y") if result.deadline else "không đặt (--deadline)"
    _band(ws, 1, last, f"{_heading(result)}; hạn nộp: {deadline}", st.subtitle, widths)
    _band(ws, 2, last, completeness_note(result), st.note, widths)
    c = result.counts()
    summary = completeness_rows(result)
    ws.merge_range(4, 1, 4, 3, "Tình trạng", st.header)
    ws.write_string(4, 4, "Số xã", st.header)
    for i, (label, value) in enumerate(summary):
        ws.merge_range(5 + i, 1, 5 + i, 3, label, st.text)
        _value(ws, 5 + i, 4, value, st.integer, st.text)
    extra = 5 + len(summary)
    ws.merge_range(extra, 1, extra, 3, "Nộp muộn (trong các xã đã nộp)", st.text)
    _value(ws, extra, 4, c["late"] if result.deadline else None, st.integer, st.text)
    ws.merge_range(extra + 1, 1, extra + 1, 3, "Tệp bị loại / bỏ qua (tệp khóa, tệp tạm)", st.text)
    ws.write_string(extra + 1, 4, f"{len(result.rejected)} / {len(result.skipped)}", st.center)
    h = extra + 3
    heads = ("STT", HEAD_CODE, HEAD_NAME, HEAD_DISTRICT, "Tình trạng", "Nộp muộn", "Ngày nộp", "Căn cứ ngày nộp",
             "Tệp", "Lý do / ghi chú")
    ws.set_row(h, 36)
    for col, text in enumerate(heads):
        ws.write_string(h, col, text, st.header)
    ws.freeze_panes(h + 1, 3)
    rows = list(result.completeness)
    r = h + 1
    for n, e in enumerate(rows, start=1):
        notes = [e.reason] if e.reason else []
        if e.unit is not None and e.unit.xa_in_file:
            notes.append(say("completeness-name-in-file", name=e.unit.xa_in_file))
        if e.by_file_name:
            notes.append(say("completeness-by-file-name"))
        if e.date_source == "mtime":
            notes.append(say("completeness-file-time"))
        note = " ".join(notes)
        files = "\n".join(e.files)
        bad = e.status != C_OK
        ws.write_number(r, 0, n, st.center)
        _text(ws, r, 1, e.ma_xa, st.center)
        _text(ws, r, 2, e.xa, st.text)
        _text(ws, r, 3, e.huyen, st.text)
        ws.write_string(r, 4, STATUS_WORDS[e.status], st.bad_center if bad else st.center)
        _text(ws, r, 5, ("Có" if e.late else "Không") if result.deadline and e.status != C_MISSING else "",
              st.bad_center if e.late else st.center)
        _text(ws, r, 6, e.date.strftime("%d/%m/%Y") if e.date else "", st.center)
        _text(ws, r, 7, SOURCE_LABELS.get(e.date_source, ""), st.bad if e.date_source == "mtime" else st.text)
        _text(ws, r, 8, files, st.text)
        _text(ws, r, 9, note, st.text)
        ws.set_row(r, row_height([(e.xa, widths[2]), (e.huyen, widths[3]), (files, widths[8]), (note, widths[9]),
                                  (SOURCE_LABELS.get(e.date_source, ""), widths[7])]))
        r += 1
    for u in result.units:
        if u.expected is False:
            ws.write_number(r, 0, r - h, st.center)
            _text(ws, r, 1, u.ma_xa, st.center)
            _text(ws, r, 2, u.xa, st.text)
            _text(ws, r, 3, u.huyen, st.text)
            ws.write_string(r, 4, "Ngoài danh sách", st.bad_center)
            for col in (5, 6, 7):
                ws.write_blank(r, col, None, st.center)
            _text(ws, r, 8, u.file, st.text)
            _text(ws, r, 9, say("completeness-unexpected"), st.text)
            ws.set_row(r, row_height([(u.file, widths[8]), (u.xa, widths[2])]))
            r += 1
    setup_xlsxwriter(ws, landscape=True, header=(h, h))


def completeness_rows(result: ConsolidationResult) -> list[tuple[str, int]]:
    """(label, count) per completeness status, in the order the sheet and the chart show them."""
    c = result.counts()
    return [("Số xã phải nộp" if result.expected is not None else "Số xã xác định được", c["expected"])] + [
        (STATUS_WORDS[s], c[s]) for s in (C_OK, C_FINDINGS, C_UNUSABLE, C_CONFLICT, C_MISSING)]


# ------------------------------------------------------------------------------------------------ charts


def _axis_min(values: list[float]) -> float:
    """A value axis that starts near the data (83–93 → 80), a multiple of 5, never below 0."""
    low = min(values)
    return max(0.0, math.floor((low - 2) / 5) * 5)


def _charts(wb, result: ConsolidationResult, index_rows: int, class_rows: tuple[int, int]) -> None:
    """Charts on their own chart sheets (A4, one page each): they cover no cell and never split. Up to
    MAX_BARS communes a bar each; beyond, the number of communes per rating class."""
    fw = result.framework
    totals = [u.total for u in result.units if u.rank_total is not None and isinstance(u.total, int | float)]
    h = 4
    if index_rows and fw and index_rows <= MAX_BARS:
        first, last = h + 1, h + index_rows
        cs = wb.add_chartsheet(CHART_INDEX_SHEET)
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({"name": "Tổng điểm", "categories": [INDEX_SHEET, first, 2, last, 2],
                        "values": [INDEX_SHEET, first, 4 + len(fw.fields), last, 4 + len(fw.fields)],
                        "fill": {"color": "#2F5597"}, "gap": 40,
                        "data_labels": {"value": True, "num_format": "0.00",
                                        "font": {"name": FONT, "size": 9}}})
        bar.set_title({"name": "Chỉ số CCHC theo xã (xếp từ cao xuống thấp)", "name_font": {"name": FONT,
                                                                                          "size": 13}})
        bar.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9 if index_rows > 30 else 10}})
        bar.set_x_axis({"min": _axis_min(totals), "max": 100, "name": "Điểm", "major_gridlines": {"visible": True},
                        "num_font": {"name": FONT}})
        bar.set_legend({"none": True})
        cs.set_chart(bar)
        cs.set_paper(9)
        cs.set_portrait() if index_rows > 30 else cs.set_landscape()
        stacked = wb.add_chart({"type": "bar", "subtype": "stacked"})
        for i in range(len(fw.fields)):
            stacked.add_series({"name": [INDEX_SHEET, h, 4 + i], "categories": [INDEX_SHEET, first, 2, last, 2],
                                "values": [INDEX_SHEET, first, 4 + i, last, 4 + i], "gap": 40})
        stacked.set_title({"name": "Điểm từng lĩnh vực theo xã", "name_font": {"name": FONT, "size": 13}})
        stacked.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9 if index_rows > 30 else 10}})
        stacked.set_x_axis({"min": 0, "max": 100, "num_font": {"name": FONT}})
        stacked.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
        cs2 = wb.add_chartsheet(CHART_FIELDS_SHEET)
        cs2.set_chart(stacked)
        cs2.set_paper(9)
        cs2.set_portrait() if index_rows > 30 else cs2.set_landscape()
    elif index_rows and fw:
        classes = wb.add_chart({"type": "column"})
        classes.add_series({"name": "Số xã", "categories": [INDEX_SHEET, class_rows[0], 2, class_rows[1], 2],
                            "values": [INDEX_SHEET, class_rows[0], 4, class_rows[1], 4],
                            "data_labels": {"value": True}, "fill": {"color": "#2F5597"}})
        classes.set_title({"name": f"Số xã theo xếp loại ({index_rows} xã được xếp hạng)",
                           "name_font": {"name": FONT, "size": 13}})
        classes.set_legend({"none": True})
        classes.set_y_axis({"min": 0, "num_font": {"name": FONT}})
        cs = wb.add_chartsheet(CHART_INDEX_SHEET)
        cs.set_chart(classes)
        cs.set_paper(9)
        cs.set_landscape()
    summary = completeness_rows(result)
    col = wb.add_chart({"type": "column"})
    col.add_series({"name": "Số xã", "categories": [COMPLETENESS_SHEET, 5, 1, 4 + len(summary), 1],
                    "values": [COMPLETENESS_SHEET, 5, 4, 4 + len(summary), 4],
                    "data_labels": {"value": True}, "fill": {"color": "#548235"}})
    col.set_title({"name": "Tình trạng nộp báo cáo", "name_font": {"name": FONT, "size": 13}})
    col.set_legend({"none": True})
    col.set_y_axis({"min": 0, "num_font": {"name": FONT}})
    col.set_x_axis({"num_font": {"name": FONT}})
    cs3 = wb.add_chartsheet(CHART_COMPLETENESS_SHEET)
    cs3.set_chart(col)
    cs3.set_paper(9)
    cs3.set_landscape()
