"""Write a :class:`~cchc_xl.commands.consolidate.ConsolidationResult`: the consolidated workbook and the JSON report.

The workbook is built with XlsxWriter in ``constant_memory`` mode (every sheet is written strictly row by
row, so memory stays flat for 3,321 communes), with every text written by ``write_string`` (a commune
name that begins with "=" stays text) and native charts. Both outputs are written atomically and never
replace an existing file unless ``force``.
"""

from __future__ import annotations

import json
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cchc_xl.commands.consolidate import (
    ERRORS,
    EXCLUDED,
    HEAD_CODE,
    HEAD_DISTRICT,
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
from cchc_xl.ooxml.reader import atomic_output

UNITS_SHEET = "Tổng hợp theo xã"
CHECK_SHEET = "Kiểm tra"
COMPLETENESS_SHEET = "Tình trạng nộp"
FONT = "Times New Roman"
STATUS_LABELS = {OK: "Hợp lệ", WARNINGS: "Có cảnh báo", ERRORS: "Có lỗi", EXCLUDED: "Có lỗi — không tính"}
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo"}
SOURCE_LABELS = {"ngay_lap": "Ngày lập (trang Thông tin)", "mtime": "Ngày sửa tệp"}


def publish(result: ConsolidationResult, out: str | Path, json_out: str | Path | None, force: bool = False
            ) -> None:
    """Write the workbook and the JSON report as one publication.

    Both are written to temporaries in their target folders first; then the workbook is renamed into
    place and the JSON — which carries the workbook's SHA-256 — last. A run killed anywhere leaves either
    the old pair, or a new workbook beside a JSON whose hash does not match it (detectable), never a JSON
    describing a workbook that is not there; temporaries are removed on every exit path.
    """
    from cchc_xl.ooxml.publish import publish_together, sha256_of

    with atomic_output(out, force=force, publish=False) as tmp_book:
        write_workbook(result, tmp_book, force=True)
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


def write_workbook(result: ConsolidationResult, out: str | Path, force: bool = False) -> Path:
    with atomic_output(out, force=force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False, "constant_memory": True})
        wb.set_properties({"title": "Tổng hợp báo cáo CCHC", "author": "cchc-xl"})
        st = _Styles(wb)
        if result.form is not None:
            _stat_sheet(wb, st, result, result.form)
            _units_sheet(wb, st, result, result.form)
        _index_sheet(wb, st, result)
        _check_sheet(wb, st, result)
        _completeness_sheet(wb, st, result)
        wb.close()
    return Path(out)


class _Styles:
    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
        self.subtitle = wb.add_format({**base, "italic": True, "align": "center", "text_wrap": True})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#555555"})
        self.header = wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#D9E1F2",
                                     "text_wrap": True})
        self.code = wb.add_format({**cell, "align": "center", "font_color": "#555555", "bg_color": "#F2F2F2"})
        self.text = wb.add_format({**cell, "text_wrap": True})
        self.text_bold = wb.add_format({**cell, "bold": True, "text_wrap": True})
        self.center = wb.add_format({**cell, "align": "center"})
        self.number = wb.add_format({**cell, "num_format": "#,##0.###"})
        self.integer = wb.add_format({**cell, "num_format": "#,##0"})
        self.points = wb.add_format({**cell, "num_format": "0.000"})
        self.percent = wb.add_format({**cell, "num_format": "0.00"})
        self.derived = wb.add_format({**cell, "num_format": "0.00", "bg_color": "#E2EFDA"})
        self.bad = wb.add_format({**cell, "font_color": "#C00000", "text_wrap": True})
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


# --------------------------------------------------------------------------------------------- Phụ lục


def _stat_sheet(wb, st: _Styles, result: ConsolidationResult, form: Form) -> None:
    ws = wb.add_worksheet(stat_sheet_name(form))
    for col, width in enumerate((8, 62, 16, 16, 12, 40, 12)):
        ws.set_column(col, col, width, None, {"hidden": col == 6})
    included = [u for u in result.units if u.included]
    ws.merge_range(0, 0, 0, 5, form.name, st.title)
    ws.merge_range(1, 0, 1, 5, form.title, st.title)
    ws.merge_range(2, 0, 2, 5, f"{_heading(result)}; {len(included)} xã", st.subtitle)
    notes = []
    if result.missing:
        notes.append(say("consolidate-note-missing", count=len(result.missing),
                         names=_names([m.xa for m in result.missing])))
    excluded = [u.xa for u in result.units if not u.included]
    if excluded:
        notes.append(say("consolidate-note-excluded", count=len(excluded), names=_names(excluded)))
    ws.merge_range(3, 0, 3, 5, " ".join(notes), st.note) if notes else ws.write_blank(3, 0, None)
    h = 5
    for col, text in enumerate(("STT", form.label_header, "Đơn vị tính", "Số liệu tổng hợp", "Số xã có số liệu",
                                "Ghi chú", "Mã chỉ tiêu")):
        ws.write_string(h, col, text, st.header)
    ws.freeze_panes(h + 1, 2)
    rows = {}
    row = h + 1
    sections = {s.id: s for s in form.sections}
    layout: list[tuple[str, object]] = []
    current = None
    for ind in form.indicators:
        if ind.section and ind.section != current:
            current = ind.section
            layout.append(("section", sections[current]))
        layout.append(("indicator", ind))
    for kind, item in layout:  # first pass: row numbers (formulas of ratio rows refer to later rows)
        if kind == "indicator":
            rows[item.code] = row  # type: ignore[union-attr]
        row += 1
    row = h + 1
    total = len(included)
    for kind, item in layout:
        if kind == "section":
            ws.merge_range(row, 0, row, 5, f"{item.title}: {item.subtitle}", st.text_bold)  # type: ignore[union-attr]
            row += 1
            continue
        ind = item
        group = ind.kind == "group" or ind.header  # type: ignore[union-attr]
        stt = ind.printed if ind.printed in ("Trong đó", "") else ind.code.split("-", 1)[-1]  # type: ignore[union-attr]
        ws.write_string(row, 0, stt, st.center)
        ws.write_string(row, 1, "   " * max(ind.level - 1, 0) + ind.label, st.text_bold if group else st.text)  # type: ignore[union-attr]
        _text(ws, row, 2, ind.unit, st.center)  # type: ignore[union-attr]
        note = ""
        if ind.kind == "group":  # type: ignore[union-attr]
            for col in (3, 4, 5):
                ws.write_blank(row, col, None, st.text)
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
                ws.write_formula(row, 3, formula, st.derived, "" if value is None else value)
            elif isinstance(value, dict):
                ws.write_string(row, 3, "; ".join(f"{k}: {n}" for k, n in value.items()), st.text)
            elif ind.kind == "percent":  # type: ignore[union-attr]
                ws.write_blank(row, 3, None, st.number)
                note = say("consolidate-note-percent")
            else:
                _value(ws, row, 3, value, st.number, st.text)
            reporting = result.reporting.get(ind.code, 0)  # type: ignore[union-attr]
            ws.write_number(row, 4, reporting, st.center)
            blank = result.blank_units.get(ind.code, [])  # type: ignore[union-attr]
            if blank and ind.is_input and total:  # type: ignore[union-attr]
                note = "; ".join(filter(None, [note, say("consolidate-note-blank", count=reporting, total=total,
                                                         names=_names(blank, 10))]))
            _text(ws, row, 5, note, st.text)
        ws.write_string(row, 6, ind.code, st.code)  # type: ignore[union-attr]
        row += 1
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(h, h)


# ---------------------------------------------------------------------------------- Tổng hợp theo xã

_UNIT_HEAD = ("STT", HEAD_CODE, HEAD_NAME, HEAD_DISTRICT, "Tệp", "Trạng thái", "Số lỗi", "Số cảnh báo")


def _units_sheet(wb, st: _Styles, result: ConsolidationResult, form: Form) -> None:
    ws = wb.add_worksheet(UNITS_SHEET)
    cells = form.cells
    fixed = len(_UNIT_HEAD)
    for col, width in enumerate((6, 10, 22, 16, 28, 16, 8, 10)):
        ws.set_column(col, col, width)
    ws.set_column(fixed, fixed + len(cells) - 1, 14)
    ws.write_string(0, 0, f"TỔNG HỢP SỐ LIỆU THEO XÃ — {form.name}", st.title)
    ws.write_string(1, 0, _heading(result), st.note)
    ws.set_row(3, 90)
    for col, text in enumerate(_UNIT_HEAD):
        ws.write_string(3, col, text, st.header)
    for i, ind in enumerate(cells):
        ws.write_string(3, fixed + i, ind.label[:120], st.header)
    for col in range(fixed):
        ws.write_blank(4, col, None, st.code)
    ws.write_string(4, 0, "Mã chỉ tiêu", st.code)
    for i, ind in enumerate(cells):
        ws.write_string(4, fixed + i, ind.code, st.code)
    ws.freeze_panes(5, 3)
    for n, u in enumerate(result.units, start=1):
        r = 4 + n
        ws.write_number(r, 0, n, st.center)
        _text(ws, r, 1, u.ma_xa, st.center)
        _text(ws, r, 2, u.xa, st.text)
        _text(ws, r, 3, u.huyen, st.text)
        _text(ws, r, 4, u.file, st.text)
        _text(ws, r, 5, STATUS_LABELS.get(u.status, u.status), st.bad if u.errors else st.text)
        ws.write_number(r, 6, u.errors, st.center)
        ws.write_number(r, 7, u.warnings, st.center)
        for i, ind in enumerate(cells):
            _value(ws, r, fixed + i, u.values.get(ind.code), st.derived if ind.is_derived else st.number, st.bad)
    ws.autofilter(4, 0, 4 + max(len(result.units), 1), fixed + len(cells) - 1)


# -------------------------------------------------------------------------------------- Chỉ số CCHC


def _index_sheet(wb, st: _Styles, result: ConsolidationResult) -> None:
    ws = wb.add_worksheet(INDEX_SHEET)
    fw = result.framework
    fields = list(fw.fields) if fw else []
    nf = len(fields)
    ws.write_string(0, 0, "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH CẤP XÃ", st.title)
    ws.write_string(1, 0, f"{_heading(result)} — {fw.title if fw else ''}", st.note)
    basis = {"appraised": "consolidate-note-basis-appraised", "self": "consolidate-note-basis-self"}.get(
        result.score_basis or "", "consolidate-note-no-scores")
    ws.write_string(2, 0, say(basis) + " " + say("consolidate-note-ranks"), st.note)
    h = 4
    # columns: STT, code, name, district | points per field | total | % per field | position, "thứ x/n" |
    # "hạng x/y" per field | change | class
    c_points, c_total = 4, 4 + nf
    c_pct = c_total + 1
    c_pos = c_pct + nf
    c_text = c_pos + 1
    c_levels = c_text + 1
    c_change = c_levels + nf
    c_class = c_change + 1
    heads = ["STT", HEAD_CODE, HEAD_NAME, HEAD_DISTRICT]
    heads += [f"LV {f.code} ({_fmt_max(f.max)})" for f in fields] + ["Tổng điểm"]
    heads += [f"LV {f.code} (%)" for f in fields] + [HEAD_POSITION, "Xếp hạng chung"]
    heads += [f"LV {f.code} xếp hạng" for f in fields] + ["Thay đổi so với kỳ trước", "Xếp loại"]
    widths = [6, 10, 22, 16] + [9] * nf + [10] + [9] * nf + [9, 13] + [11] * nf + [14, 12]
    ws.set_row(h, 48)
    for col, (text, width) in enumerate(zip(heads, widths, strict=True)):
        ws.set_column(col, col, width)
        ws.write_string(h, col, text, st.header)
    ws.freeze_panes(h + 1, 3)
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
            pts = u.fields.get(f.code)
            _value(ws, r, c_points + i, pts, st.points, st.bad)
            pct = None
            if isinstance(pts, int | float) and f.max:
                from cchc_xl.engine.derive import field_percent

                pct = field_percent(fw, f.code, pts)  # type: ignore[arg-type]
            _value(ws, r, c_pct + i, pct, st.percent, st.bad)
        _value(ws, r, c_total, u.total, st.points, st.bad)
        _value(ws, r, c_pos, u.rank_total, st.center, st.text)
        _text(ws, r, c_text, rank.position_text(u.rank_total, result.ranked), st.center)
        for i, f in enumerate(fields):
            pos, levels = u.rank_fields.get(f.code, (None, 0))
            _text(ws, r, c_levels + i, rank.level_text(pos, levels), st.center)
        _text(ws, r, c_change, rank.change_text(u.rank_change) if result.previous else "", st.center)
        _text(ws, r, c_class, u.rating, st.center)
        if u.rank_total is not None:
            ranked_rows = n
    if ranked_rows and fields:
        first, last = h + 1, h + ranked_rows
        height = min(max(320, 18 * ranked_rows + 80), 4000)
        bar = wb.add_chart({"type": "bar"})
        bar.add_series({"name": "Tổng điểm", "categories": [INDEX_SHEET, first, 2, last, 2],
                        "values": [INDEX_SHEET, first, c_total, last, c_total], "fill": {"color": "#2F5597"},
                        "data_labels": {"value": ranked_rows <= 60, "num_format": "0.00"}})
        bar.set_title({"name": "Chỉ số CCHC theo xã (xếp từ cao xuống thấp)"})
        bar.set_y_axis({"reverse": True})
        bar.set_x_axis({"min": 0, "max": 100, "name": "Điểm"})
        bar.set_legend({"none": True})
        bar.set_size({"width": 720, "height": height})
        ws.insert_chart(h + len(ordered) + 2, 1, bar)
        stacked = wb.add_chart({"type": "bar", "subtype": "stacked"})
        for i in range(nf):
            stacked.add_series({"name": [INDEX_SHEET, h, c_points + i],
                                "categories": [INDEX_SHEET, first, 2, last, 2],
                                "values": [INDEX_SHEET, first, c_points + i, last, c_points + i]})
        stacked.set_title({"name": "Điểm từng lĩnh vực theo xã"})
        stacked.set_y_axis({"reverse": True})
        stacked.set_x_axis({"min": 0, "max": 100})
        stacked.set_legend({"position": "bottom"})
        stacked.set_size({"width": 900, "height": height})
        ws.insert_chart(h + len(ordered) + 2, 9, stacked)


def _fmt_max(m) -> str:
    return "" if m is None else format(m.normalize(), "f").replace(".", ",")


# ------------------------------------------------------------------------------------------ Kiểm tra


def _check_sheet(wb, st: _Styles, result: ConsolidationResult) -> None:
    ws = wb.add_worksheet(CHECK_SHEET)
    heads = ("STT", "Tệp", "Xã/phường", "Mức độ", "Quy tắc", "Trang", "Ô", "Nội dung")
    for col, width in enumerate((6, 28, 20, 11, 22, 12, 8, 90)):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "KIỂM TRA SỐ LIỆU CÁC XÃ", st.title)
    ws.write_string(1, 0, _heading(result), st.note)
    for col, text in enumerate(heads):
        ws.write_string(3, col, text, st.header)
    ws.freeze_panes(4, 0)
    r, n = 4, 0
    for u in result.units:
        for f in u.findings:
            n += 1
            ws.write_number(r, 0, n, st.center)
            _text(ws, r, 1, u.file, st.text)
            _text(ws, r, 2, u.xa, st.text)
            sev = f.get("severity")
            _text(ws, r, 3, SEVERITY_LABELS.get(sev, sev), st.bad if sev == "error" else st.text)
            _text(ws, r, 4, f.get("rule"), st.text)
            _text(ws, r, 5, f.get("sheet"), st.text)
            _text(ws, r, 6, f.get("cell"), st.center)
            _text(ws, r, 7, f.get("message"), st.text)
            r += 1
    for rej in result.rejected:
        n += 1
        ws.write_number(r, 0, n, st.center)
        _text(ws, r, 1, rej.file, st.text)
        ws.write_blank(r, 2, None, st.text)
        ws.write_string(r, 3, "Bị loại", st.bad)
        _text(ws, r, 4, rej.kind, st.text)
        ws.write_blank(r, 5, None, st.text)
        ws.write_blank(r, 6, None, st.text)
        _text(ws, r, 7, rej.reason, st.text)
        r += 1
    if n:
        ws.autofilter(3, 0, r - 1, len(heads) - 1)
    else:
        ws.write_string(r, 1, "Không có phát hiện nào.", st.note)


# ------------------------------------------------------------------------------------ Tình trạng nộp


def _completeness_sheet(wb, st: _Styles, result: ConsolidationResult) -> None:
    ws = wb.add_worksheet(COMPLETENESS_SHEET)
    for col, width in enumerate((6, 10, 22, 16, 9, 9, 9, 12, 24, 28, 48)):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "TÌNH TRẠNG NỘP BÁO CÁO", st.title)
    deadline = result.deadline.strftime("%d/%m/%Y") if result.deadline else "không đặt (--deadline)"
    ws.write_string(1, 0, f"{_heading(result)}; hạn nộp: {deadline}", st.note)
    units = result.units
    if result.expected is not None:
        expected_n = len(result.expected)
        received = [s.received for s in result.expected if s.received is not None]
    else:
        expected_n = None
        received = list(units)
    valid = [u for u in received if u.status in (OK, WARNINGS)]
    late = [u for u in received if u.late]
    summary = [
        ("Số xã phải nộp", expected_n),
        ("Đã nộp", len(received)),
        ("Hợp lệ (không có lỗi)", len(valid)),
        ("Có lỗi", len(received) - len(valid)),
        ("Nộp muộn", len(late) if result.deadline else None),
        ("Chưa nộp", len(result.missing) if result.expected is not None else None),
        ("Tệp bị loại", len(result.rejected)),
    ]
    ws.write_string(3, 1, "Chỉ tiêu", st.header)
    ws.write_string(3, 2, "Số lượng", st.header)
    for i, (label, value) in enumerate(summary):
        ws.write_string(4 + i, 1, label, st.text)
        _value(ws, 4 + i, 2, value, st.integer, st.text)
    h = 4 + len(summary) + 1
    heads = ("STT", HEAD_CODE, HEAD_NAME, HEAD_DISTRICT, "Đã nộp", "Hợp lệ", "Nộp muộn", "Ngày nộp",
             "Căn cứ ngày nộp", "Tệp", "Ghi chú")
    for col, text in enumerate(heads):
        ws.write_string(h, col, text, st.header)
    rows: list[tuple[str, str, str, UnitResult | None, str]] = []
    if result.expected is not None:
        for s in result.expected:
            note = "Khớp tên khi bỏ dấu" if s.folded else ("Chưa nộp" if s.received is None else "")
            rows.append((s.unit.ma_xa, s.unit.xa, s.unit.huyen, s.received, note))
        for u in units:
            if u.expected is False:
                rows.append((u.ma_xa, u.xa, u.huyen, u, "Không có trong danh sách phải nộp"))
    else:
        rows = [(u.ma_xa, u.xa, u.huyen, u, "") for u in units]
    r = h + 1
    for n, (code, name, district, u, note) in enumerate(rows, start=1):
        ws.write_number(r, 0, n, st.center)
        _text(ws, r, 1, code, st.center)
        _text(ws, r, 2, name, st.text)
        _text(ws, r, 3, district, st.text)
        ws.write_string(r, 4, "Có" if u else "Không", st.center if u else st.bad)
        _text(ws, r, 5, ("Có" if u.status in (OK, WARNINGS) else "Không") if u else "", st.center)
        _text(ws, r, 6, ("Có" if u.late else "Không") if u and u.late is not None else "", st.center)
        if u and u.submitted:
            ws.write_string(r, 7, u.submitted.strftime("%d/%m/%Y"), st.center)
        else:
            ws.write_blank(r, 7, None, st.center)
        _text(ws, r, 8, SOURCE_LABELS.get(u.submitted_source, "") if u else "", st.text)
        _text(ws, r, 9, u.file if u else "", st.text)
        _text(ws, r, 10, note, st.bad if note else st.text)
        r += 1
    chart = wb.add_chart({"type": "column"})
    chart.add_series({"name": "Số lượng", "categories": [COMPLETENESS_SHEET, 4, 1, 3 + len(summary), 1],
                      "values": [COMPLETENESS_SHEET, 4, 2, 3 + len(summary), 2],
                      "data_labels": {"value": True}, "fill": {"color": "#548235"}})
    chart.set_title({"name": "Tình trạng nộp báo cáo"})
    chart.set_legend({"none": True})
    chart.set_size({"width": 560, "height": 300})
    ws.insert_chart(3, 4, chart)
