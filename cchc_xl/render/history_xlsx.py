"""XLSX renderings of the history: the sheets added to the consolidated workbook and one commune's series.

* ``followup_sheet`` — "Cần xem lại": the open follow-ups (outliers, large changes) per commune.
* ``trend_sheet`` — "Diễn biến chỉ số": per commune the index of the last periods with its change and the
  rank change (overall and per field) from the history, and a chart of the province's index distribution
  over time (minimum, quartiles, median, maximum per period).
* ``write_series`` — ``cchc-xl history FILE show XA -o X.xlsx``: one commune's periods as a table (indicators
  × periods, index, ranks) and a line chart, on A4.

Every text goes through ``write_string`` (a name beginning with "=" stays text).
"""

from __future__ import annotations

from pathlib import Path

import xlsxwriter

from cchc_xl.engine.rank import change_text
from cchc_xl.model.catalog import Form
from cchc_xl.ooxml.reader import atomic_output

FOLLOWUP_SHEET = "Cần xem lại"
TREND_SHEET = "Diễn biến chỉ số"
FONT = "Times New Roman"


class _St:
    def __init__(self, wb):
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}
        cell = {**base, "border": 1}
        self.title = wb.add_format({**base, "bold": True, "font_size": 13})
        self.note = wb.add_format({**base, "italic": True, "font_color": "#555555", "text_wrap": False})
        self.header = wb.add_format({**cell, "bold": True, "align": "center", "bg_color": "#D9E1F2",
                                     "text_wrap": True})
        self.text = wb.add_format({**cell, "text_wrap": True})
        self.center = wb.add_format({**cell, "align": "center"})
        self.number = wb.add_format({**cell, "num_format": "#,##0.###"})
        self.points = wb.add_format({**cell, "num_format": "0.00"})
        self.code = wb.add_format({**cell, "align": "center", "font_color": "#555555", "bg_color": "#F2F2F2"})


def _t(ws, r: int, c: int, v: object, fmt) -> None:
    if v is None or v == "":
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_string(r, c, str(v), fmt)


def _n(ws, r: int, c: int, v: object, fmt) -> None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        ws.write_blank(r, c, None, fmt)
    else:
        ws.write_number(r, c, v, fmt)


def _lines(text: object, width: int) -> int:
    """Rows a wrapped text needs in a column ``width`` characters wide (XlsxWriter does not autofit)."""
    per_line = max(int(width * 1.15) - 2, 1)  # Times New Roman fits ~1,15 characters per unit of width
    return max(1, -(-len(str(text or "")) // per_line))


def _page(ws, landscape: bool, header_row: int) -> None:
    ws.set_paper(9)
    if landscape:
        ws.set_landscape()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.5, right=0.5, top=0.6, bottom=0.6)
    ws.repeat_rows(header_row, header_row)
    ws.set_footer("&CTrang &P/&N")


def followup_sheet(wb, outcome, heading: str) -> None:
    st = _St(wb)
    ws = wb.add_worksheet(FOLLOWUP_SHEET)
    widths = (5, 10, 20, 14, 11, 34, 12, 70)
    for c, w in enumerate(widths):
        ws.set_column(c, c, w)
    ws.write_string(0, 0, "CÁC GIÁ TRỊ CẦN XEM LẠI (khác thường so với các xã khác hoặc thay đổi lớn so với kỳ trước)",
                    st.title)
    ws.write_string(1, 0, heading, st.note)
    note = (f"{len(outcome.followups)} giá trị chưa xác minh; {outcome.suppressed} giá trị đã đánh dấu trước đây "
            "không báo lại. Đánh dấu ở cột Xác minh của trang Kiểm tra hoặc bằng lệnh cchc-xl history … mark.")
    ws.write_string(2, 0, note, st.note)
    h = 4
    for c, text in enumerate(("STT", "Mã xã", "Xã/phường", "Huyện", "Mã chỉ tiêu", "Chỉ tiêu", "Giá trị",
                              "Lý do")):
        ws.write_string(h, c, text, st.header)
    ws.freeze_panes(h + 1, 0)
    rows = sorted(outcome.followups, key=lambda f: (f.huyen.casefold(), f.xa.casefold(), f.code, f.rule))
    for n, f in enumerate(rows, start=1):
        r = h + n
        ws.set_row(r, 15 * max(_lines(f.message, widths[7]), _lines(f.label, widths[5]), _lines(f.xa, widths[2])))
        ws.write_number(r, 0, n, st.center)
        _t(ws, r, 1, f.ma_xa, st.center)
        _t(ws, r, 2, f.xa, st.text)
        _t(ws, r, 3, f.huyen, st.text)
        _t(ws, r, 4, f.code, st.center)
        _t(ws, r, 5, f.label, st.text)
        _n(ws, r, 6, f.value, st.number)
        _t(ws, r, 7, f.message, st.text)
    if not rows:
        ws.write_string(h + 1, 1, "Không có giá trị nào cần xem lại.", st.note)
    _page(ws, True, h)


def trend_sheet(wb, outcome, heading: str, field_codes: list[str]) -> None:
    from cchc_xl.commands.history import period_text  # label helper only (render may read command data)

    st = _St(wb)
    ws = wb.add_worksheet(TREND_SHEET)
    periods = [period_text(*p) for p in outcome.trend_periods]
    np_ = len(periods)
    ws.write_string(0, 0, "DIỄN BIẾN CHỈ SỐ CCHC QUA CÁC KỲ", st.title)
    ws.write_string(1, 0, heading, st.note)
    h = 4
    heads = ["STT", "Mã xã", "Xã/phường", "Huyện", *periods, "Thay đổi điểm so với kỳ trước",
             "Thay đổi thứ hạng", *[f"LV {c}" for c in field_codes]]
    widths = [5, 9, 18, 13] + [9] * np_ + [11, 12] + [5] * len(field_codes)
    ws.set_row(h, 45)
    if field_codes:
        ws.merge_range(h - 1, 6 + np_, h - 1, 5 + np_ + len(field_codes), "Thay đổi hạng theo lĩnh vực (bậc)",
                       st.header)
    for c, (text, w) in enumerate(zip(heads, widths, strict=True)):
        ws.set_column(c, c, w)
        ws.write_string(h, c, text, st.header)
    ws.freeze_panes(h + 1, 3)
    rows = sorted(outcome.trend, key=lambda t: (t.huyen.casefold(), t.xa.casefold()))
    for n, t in enumerate(rows, start=1):
        r = h + n
        ws.write_number(r, 0, n, st.center)
        _t(ws, r, 1, t.ma_xa, st.center)
        _t(ws, r, 2, t.xa, st.text)
        _t(ws, r, 3, t.huyen, st.text)
        for i, v in enumerate(t.totals):
            _n(ws, r, 4 + i, v, st.points)
        _n(ws, r, 4 + np_, t.change, st.points)
        _t(ws, r, 5 + np_, change_text(t.rank_change), st.center)
        for i, c in enumerate(field_codes):
            ch = t.field_rank_change.get(c)
            _t(ws, r, 6 + np_ + i, "" if ch is None else f"{ch:+d}" if ch else "0", st.center)
    # distribution table below, then the chart
    d0 = h + len(rows) + 3
    ws.write_string(d0 - 1, 0, "Phân bố Chỉ số CCHC của các xã theo kỳ", st.title)
    for c, text in enumerate(("Kỳ", "Thấp nhất", "Tứ phân vị 1", "Trung vị", "Tứ phân vị 3", "Cao nhất")):
        ws.write_string(d0, 2 + c, text, st.header)
    for i, (label, q) in enumerate(outcome.distribution, start=1):
        ws.write_string(d0 + i, 2, label, st.text)
        for j, v in enumerate(q):
            ws.write_number(d0 + i, 3 + j, round(v, 3), st.points)
    if outcome.distribution:
        first, last = d0 + 1, d0 + len(outcome.distribution)
        chart = wb.add_chart({"type": "line"})
        colours = ("#A6A6A6", "#8FAADC", "#2F5597", "#8FAADC", "#A6A6A6")
        for j, colour in enumerate(colours):
            chart.add_series({"name": [TREND_SHEET, d0, 3 + j], "categories": [TREND_SHEET, first, 2, last, 2],
                              "values": [TREND_SHEET, first, 3 + j, last, 3 + j],
                              "line": {"color": colour, "width": 2.5 if j == 2 else 1.25,
                                       "dash_type": "solid" if j in (1, 2, 3) else "dash"},
                              "marker": {"type": "circle", "size": 5}})
        chart.set_title({"name": "Phân bố Chỉ số CCHC của các xã qua các kỳ"})
        low = min(q[0] for _l, q in outcome.distribution)
        chart.set_y_axis({"name": "Điểm", "min": max(0, int(low // 10) * 10 - 10), "max": 100,
                          "num_format": "0"})
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 640, "height": 320})
        ws.insert_chart(last + 2, 1, chart)
    _page(ws, True, h)


def consolidation_sheets(result, outcome) -> list:
    """The sheets ``write_workbook(extra=...)`` adds for the history checks (none when nothing ran)."""
    heading = f"Tổng hợp: {result.level} {result.unit_name} — kỳ {result.period_label}".strip()
    sheets = []
    if outcome.followups or outcome.suppressed or outcome.history is not None:
        sheets.append(lambda wb: followup_sheet(wb, outcome, heading))
    if outcome.trend:
        fields = [f.code for f in result.framework.fields] if result.framework else []
        sheets.append(lambda wb: trend_sheet(wb, outcome, heading, fields))
    return sheets


def write_series(unit: dict, points: list, form: Form | None, out: str | Path, force: bool = False,
                 chart_codes: list[str] | None = None) -> Path:
    """One commune's stored periods as a table and a chart (A4 landscape)."""
    from cchc_xl.commands.history import period_text

    with atomic_output(out, force=force) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False,
                                            "strings_to_numbers": False})
        wb.set_properties({"title": f"Diễn biến số liệu — {unit['xa']}", "author": "cchc-xl"})
        st = _St(wb)
        ws = wb.add_worksheet("Diễn biến")
        labels = [period_text(p.ky, p.nam) + ("" if p.current else f" (bản {p.version}, cũ)") for p in points]
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 50)
        ws.set_column(2, 1 + len(points), 12)
        ws.write_string(0, 0, f"DIỄN BIẾN SỐ LIỆU CỦA {unit['xa'].upper()}", st.title)
        where = ", ".join(x for x in (unit.get("huyen"), unit.get("tinh")) if x)
        code = f"mã {unit['ma_xa']}" if unit.get("ma_xa") else ""
        ws.write_string(1, 0, "; ".join(x for x in (where, code, form.name if form else "") if x), st.note)
        h = 3
        ws.set_row(h, 32)
        for c, text in enumerate(["Mã chỉ tiêu", "Chỉ tiêu", *labels]):
            ws.write_string(h, c, text, st.header)
        ws.freeze_panes(h + 1, 2)
        r = h + 1
        head_rows = [("TỔNG", "Chỉ số CCHC (tổng điểm)", [p.total for p in points], st.points),
                     ("THỨ HẠNG", "Thứ hạng chung", [p.rank_total for p in points], st.center)]
        for code_, label, vals, fmt in head_rows:
            _t(ws, r, 0, code_, st.code)
            _t(ws, r, 1, label, st.text)
            for i, v in enumerate(vals):
                _n(ws, r, 2 + i, v, fmt)
            r += 1
        _t(ws, r, 0, "CĂN CỨ", st.code)
        _t(ws, r, 1, "Căn cứ điểm", st.text)
        for i, p in enumerate(points):
            _t(ws, r, 2 + i, {"appraised": "thẩm định", "self": "tự chấm"}.get(p.basis or "", p.basis or ""),
               st.center)
        r += 1
        total_row = h + 1
        used = 60 + 32 + 3 * 15  # points: title rows, header, index/rank/basis rows
        cells = form.cells if form else []
        codes = [i.code for i in cells] or sorted({c for p in points for c in p.values})
        label_of = {i.code: i.label for i in cells}
        row_of: dict[str, int] = {}
        for c in codes:
            if not any(c in p.values for p in points):
                continue
            ws.set_row(r, 15 * _lines(label_of.get(c, ""), 50))
            used += 15 * _lines(label_of.get(c, ""), 50)
            _t(ws, r, 0, c, st.code)
            _t(ws, r, 1, label_of.get(c, ""), st.text)
            for i, p in enumerate(points):
                _n(ws, r, 2 + i, p.values.get(c), st.number)
            row_of[c] = r
            r += 1
        chart = wb.add_chart({"type": "line"})
        series_rows = [(total_row, "Chỉ số CCHC")] if any(isinstance(p.total, int | float) for p in points) else []
        if chart_codes:
            series_rows = [(row_of[c], c) for c in chart_codes if c in row_of]
        elif not series_rows:
            series_rows = [(row_of[c], c) for c in list(row_of)[:3]]
        last_col = 1 + len(points)
        for row, name in series_rows:
            chart.add_series({"name": name, "categories": ["Diễn biến", h, 2, h, last_col],
                              "values": ["Diễn biến", row, 2, row, last_col], "marker": {"type": "circle"},
                              "data_labels": {"value": len(points) <= 12, "position": "above"}})
        if series_rows:
            chart.set_title({"name": f"Diễn biến — {unit['xa']}"})
            chart.set_legend({"position": "bottom"})
            chart.set_size({"width": 640, "height": 300})
            if used + 240 > 500:  # would not fit under the table on an A4 landscape page: own page
                ws.set_h_pagebreaks([r])
            ws.insert_chart(r + 1, 1, chart)
        _page(ws, True, h)
        wb.close()
    return Path(out)
