"""Build the official workbooks from the catalog: the master templates and every commune workbook.

One builder serves both: a template is a workbook built with no data. The anatomy (sheet names, defined
names, styles, protection, validation, print setup) is decided here and nowhere else; other modules find
cells through the defined names this module writes (``CT_<code>``, ``DIEM_<code>``, ``THAMDINH_<code>``,
``TT_<key>``), never through addresses. Derived cells are live formulas written together with the value
Python computes for them, so readers that do not recalculate see the same numbers as Excel.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter
from xlsxwriter.utility import xl_rowcol_to_cell

from cchc_xl.engine import derive, scores
from cchc_xl.engine.rules import BAD, SEVERITY_LABELS, Env, rules_for, stated_name
from cchc_xl.engine.state import (
    SOURCE_CODES,
    _cached_message,
    _flag_value,
    _plan_checks,
    _summary,
    basis_cached,
    env_from_data,
)
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.catalog import (
    APPRAISED_TOTAL_NAME,
    ASSESSMENTS,
    PERIODS,
    SELF_TOTAL_NAME,
    Form,
    Framework,
    Indicator,
    name_for,
)
from cchc_xl.model.data import META_FIELDS, WorkbookData
from cchc_xl.model.layout import (
    CHECK_FIRST_ROW,
    CHECK_SHEET,
    FLAG_COLUMNS,
    FRAMEWORK_COLUMNS,
    FRAMEWORK_HEADER_ROW,
    FRAMEWORK_ID_CELL,
    FRAMEWORK_SHEET,
    FRAMEWORK_TITLE_CELL,
    INFO_LABEL_COL,
    INFO_SHEET,
    INFO_VALUE_COL,
    SCORE_HEADER_ROW,
    SCORE_SHEET,
    STAT_FIRST_ROW,
    STAT_HEADER_ROWS,
    STAT_NOTE_COL,
    STAT_VALUE_COL,
    layout_of,
    stat_sheet_name,
)
from cchc_xl.model.names import meta_name
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.reader import atomic_output

FONT = "Times New Roman"
PASSWORD = ""  # sheets are protected against accidents, not against people: no password (documented)
CREATED = dt.datetime(2025, 1, 1)  # fixed so a rebuild is byte-identical; the version says what changed
NO_MACRO_NOTE = (
    "Sổ làm việc này tự kiểm tra bằng công thức ở trang Kiểm tra và tô màu ô sai, "
    "kể cả khi macro bị chặn hoặc máy không có Python."
)


TEMPLATE_ID_NAME, TEMPLATE_VERSION_NAME, FRAMEWORK_NAME = names.PACKAGE_NAMES


@dataclass
class Layout:
    """The positions of :func:`cchc_xl.model.layout.layout_of` plus the check plan of this build."""

    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # name → (sheet, row, col)
    rows: dict[str, int] = field(default_factory=dict)  # indicator code → row on the statistical sheet
    checks: dict[str, list[tuple[int, str, bool]]] = field(default_factory=dict)  # name → [(check row, severity, bad)]
    env: Env | None = None
    form: Form | None = None

    def ref(self, name: str) -> str:
        sheet, row, col = self.cells[name]
        return f"'{sheet}'!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}"


class _Styles:
    """All cell formats of the anatomy, created once per workbook."""

    def __init__(self, wb: xlsxwriter.Workbook):
        base = {"font_name": FONT, "font_size": 12, "valign": "vcenter", "text_wrap": True}
        border = {**base, "border": 1}

        def f(**kw: object) -> xlsxwriter.format.Format:
            return wb.add_format({**border, **kw})

        self.title = wb.add_format({**base, "bold": True, "font_size": 13, "align": "center"})
        self.subtitle = wb.add_format({**base, "italic": True, "align": "center"})
        self.plain = wb.add_format(base)
        self.note = wb.add_format({**base, "italic": True, "font_color": "#555555"})
        self.header = f(bold=True, align="center", bg_color="#D9E1F2")
        self.stt = f(align="center")
        self.stt_group = f(align="center", bold=True)
        self.label = f()
        self.label_group = f(bold=True)
        self.section = f(bold=True, bg_color="#EDEDED")
        self.unit = f(align="center")
        self.locked = f(bg_color="#F2F2F2", locked=True)
        inputs = {"bg_color": "#FFF2CC", "locked": False}
        self.input = {
            "count": f(num_format="#,##0", **inputs),
            "amount": f(num_format="#,##0.###", **inputs),
            "percent": f(num_format="0.##", **inputs),
            "coded": f(num_format="0", align="center", **inputs),
            "score": f(num_format="0.0##", **inputs),
            "text": f(num_format="@", **inputs),
            "date": f(num_format="dd/mm/yyyy", align="left", **inputs),
            "year": f(num_format="0", align="left", **inputs),
            "note": f(**inputs),
        }
        self.derived = f(num_format="0.##", bg_color="#E2EFDA", locked=True)
        self.score_formula = f(num_format="0.0##", bg_color="#E2EFDA", locked=True, bold=True)
        self.index_formula = f(num_format="0.0##", bg_color="#E2EFDA", locked=True, bold=True, align="center")
        self.score_max = f(num_format="0.0##", align="center")
        self.score_max_bold = f(num_format="0.0##", align="center", bold=True)
        self.percent_formula = f(num_format="0.00", bg_color="#E2EFDA", locked=True)
        self.flag = f(num_format="0", locked=True, font_color="#808080")
        self.status = f(align="center", bold=True, locked=True)
        self.link = f(font_color="#0563C1", underline=1)
        self.cf_error = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
        self.cf_warning = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
        self.info_label = f(bold=True)
        self.info_locked = f(bg_color="#F2F2F2", locked=True)
        self.count_violations = f(bg_color="#F2F2F2", locked=True, bold=True, align="center",
                                  num_format='0" vi phạm"')
        self.count_errors = f(bg_color="#F2F2F2", locked=True, bold=True, align="center", num_format='0" lỗi"')
        self._wb, self._border, self._prefilled = wb, border, {}

    def prefilled(self, kind: str) -> xlsxwriter.format.Format:
        """Locked grey metadata cell filled in by the district (created only when used: templates unchanged)."""
        if kind not in self._prefilled:
            extra = {"text": {"num_format": "@"}, "year": {"num_format": "0", "align": "left"},
                     "date": {"num_format": "dd/mm/yyyy", "align": "left"}}[kind]
            self._prefilled[kind] = self._wb.add_format({**self._border, "bg_color": "#F2F2F2", "locked": True,
                                                         **extra})
        return self._prefilled[kind]


def _input_validation(ind: Indicator) -> dict:
    """Excel data validation for one input cell, with Vietnamese prompts and errors."""
    common = {"input_title": ind.code[:32], "error_title": "Giá trị không hợp lệ", "ignore_blank": True}
    if ind.kind == "count":
        return {**common, "validate": "integer", "criteria": ">=", "value": 0,
                "input_message": "Nhập số nguyên không âm.", "error_message": "Chỉ nhập số nguyên ≥ 0."}
    if ind.kind == "amount":
        return {**common, "validate": "decimal", "criteria": ">=", "value": 0,
                "input_message": f"Nhập số không âm ({ind.unit}).", "error_message": "Chỉ nhập số ≥ 0."}
    if ind.kind == "percent":
        return {**common, "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": 100,
                "input_message": "Nhập tỷ lệ từ 0 đến 100 (không nhập dấu %).",
                "error_message": "Tỷ lệ phải nằm trong khoảng 0–100."}
    allowed = "; ".join(f"{label} = {v}" for label, v in ind.allowed)
    return {**common, "validate": "list", "source": [str(v) for v in ind.allowed_values],
            "input_message": allowed[:255], "error_message": f"Chỉ nhận: {allowed}"[:255]}


def build_workbook(
    path: str | Path,
    form: Form,
    framework: Framework,
    data: WorkbookData | None = None,
    lock_meta: Iterable[str] = (),
) -> Layout:
    """Write a complete workbook for ``form`` (a template when ``data`` is None) atomically to ``path``.

    ``lock_meta``: metadata keys (``tinh``, ``xa``, ``ky`` …) whose prefilled Thông tin cells are locked, so
    a commune cannot retype the identity the district sent it (the other cells stay input cells).
    """
    data = data or WorkbookData(form=form.id)
    with atomic_output(path) as tmp:
        layout = _write(str(tmp), form, framework, data, frozenset(lock_meta))
    return layout


def _write(path, form: Form, framework: Framework, data: WorkbookData | None,
           lock_meta: frozenset[str] = frozenset()) -> Layout:
    data = data or WorkbookData(form=form.id)
    options = {"strings_to_formulas": False, "strings_to_urls": False, "in_memory": not isinstance(path, str)}
    wb = xlsxwriter.Workbook(path, options)
    wb.set_properties({
        "title": f"{form.name} — {form.title}",
        "subject": f"{form.id} {form.version}",
        "author": "cchc-xl",
        "company": "",
        "created": CREATED,
        "comments": "Tạo bởi cchc-xl từ danh mục chỉ tiêu; không sửa công thức.",
    })
    wb.set_calc_mode("auto")
    styles = _Styles(wb)
    plan = layout_of(form, framework)
    layout = Layout(cells=dict(plan.cells), rows=plan.rows_of_codes(), form=form)
    rule_list = rules_for(form, framework)
    env = env_from_data(form, framework, data)
    verdicts = [(rule, rule.verdict(env)) for rule in rule_list]
    layout.env = env
    layout.checks = _plan_checks(verdicts)
    _info_sheet(wb, styles, layout, form, framework, data, lock_meta)
    _stat_sheet(wb, styles, layout, form, framework, data)
    _score_sheet(wb, styles, layout, framework, data)
    _check_sheet(wb, styles, layout, verdicts)
    _framework_sheet(wb, styles, framework)
    for name, (sheet, row, col) in sorted(layout.cells.items()):
        wb.define_name(name, "=" + f"'{sheet}'!{xl_rowcol_to_cell(row, col, row_abs=True, col_abs=True)}")
    wb.close()
    return layout


def _page_setup(ws, last_col: int, header_rows: tuple[int, int] | None, landscape: bool = False) -> None:
    ws.set_paper(9)  # A4
    ws.set_landscape() if landscape else ws.set_portrait()
    ws.fit_to_pages(1, 0)
    ws.set_margins(left=0.6, right=0.4, top=0.6, bottom=0.6)
    ws.center_horizontally()
    ws.set_footer("&C&\"Times New Roman\"Trang &P/&N")
    if header_rows:
        ws.repeat_rows(*header_rows)


def _protect(ws) -> None:
    ws.protect(PASSWORD, {"select_locked_cells": True, "select_unlocked_cells": True,
                          "format_columns": True, "format_rows": True})


# ------------------------------------------------------------------------------------------ Thông tin


def _info_sheet(wb, st: _Styles, layout: Layout, form: Form, framework: Framework, data: WorkbookData,
                lock_meta: frozenset[str] = frozenset()) -> None:
    ws = wb.add_worksheet(INFO_SHEET)
    ws.set_column(0, 0, 38)
    ws.set_column(1, 1, 46)
    ws.set_column(2, 2, 4, None, {"hidden": True})
    ws.merge_range(0, 0, 0, 1, "THÔNG TIN BÁO CÁO", st.title)
    ws.merge_range(1, 0, 1, 1, f"{form.name} — {form.title}", st.subtitle)
    ws.set_row(1, 36)
    for (row, key), (_key, label, required) in zip(layout_of(form, framework).info_rows, META_FIELDS, strict=True):
        ws.write_string(row, 0, label + (" *" if required else ""), st.info_label)
        value = data.meta.get(key)
        locked = key in lock_meta and value not in (None, "")

        def fmt(kind: str, locked: bool = locked):
            return st.prefilled(kind) if locked else st.input[kind]

        if key == "ky":
            labels = [PERIODS[p] for p in form.periods]
            ws.data_validation(row, 1, row, 1, {"validate": "list", "source": labels,
                                               "input_title": "Kỳ báo cáo", "input_message": "Chọn kỳ báo cáo.",
                                               "error_title": "Kỳ không hợp lệ",
                                               "error_message": "Chọn một kỳ trong danh sách."})
            _write_text(ws, row, 1, PERIODS[value] if value else None, fmt("text"))
        elif key == "nam":
            ws.data_validation(row, 1, row, 1, {"validate": "integer", "criteria": "between", "minimum": 2000,
                                               "maximum": 2100, "error_title": "Năm không hợp lệ",
                                               "error_message": "Nhập năm từ 2000 đến 2100."})
            ws.write_number(row, 1, value, fmt("year")) if value else ws.write_blank(row, 1, None, fmt("year"))
        elif key == "ngay_lap":
            if isinstance(value, dt.date):
                ws.write_datetime(row, 1, dt.datetime.combine(value, dt.time()), fmt("date"))
            else:
                ws.write_blank(row, 1, None, fmt("date"))
        else:
            _write_text(ws, row, 1, value, fmt("text"))
        _flag(ws, st, layout, meta_name(key), row, INFO_VALUE_COL, FLAG_COLUMNS["info"])
    package = {TEMPLATE_ID_NAME: ("Mẫu biểu (mã)", form.id), TEMPLATE_VERSION_NAME: ("Phiên bản mẫu", form.version),
               FRAMEWORK_NAME: ("Khung chỉ số CCHC", framework.id)}
    for row, name in layout_of(form, framework).package_rows:
        label, value = package[name]
        ws.write_string(row, INFO_LABEL_COL, label, st.info_label)
        ws.write_string(row, INFO_VALUE_COL, value, st.info_locked)
    row += 2
    notes = (
        "Ô nền vàng là ô nhập liệu; ô nền xanh là công thức tự tính, không sửa.",
        "Các trang được khóa để tránh ghi đè công thức (không đặt mật khẩu).",
        say("info-prefilled-note") if lock_meta & {k for k, v in data.meta.items() if v not in (None, "")} else "",
        NO_MACRO_NOTE,
        f"Nguồn mẫu biểu: {form.source}" if form.source else "",
    )
    for text in filter(None, notes):
        ws.merge_range(row, 0, row, 1, text, st.note)
        ws.set_row(row, 32)
        row += 1
    _page_setup(ws, 1, None)
    _protect(ws)
    ws.activate()


def _lines(text: str, width: float) -> int:
    """Estimated wrapped line count: neither Excel nor LibreOffice re-fits row heights on open."""
    chars_per_line = max(width * 1.05, 1)
    return max(1, -(-len(text) // int(chars_per_line)))


def _fit_row(ws, row: int, *cells: tuple[str, float]) -> None:
    lines = max(_lines(text, width) for text, width in cells)
    if lines > 1:
        ws.set_row(row, 16.5 * lines)


def _note(data: WorkbookData, code: str, notes: dict[str, str]) -> str | None:
    """The Ghi chú text: the user's note plus, for derived rows and scores, the figure the source printed."""
    parts = [notes.get(code)]
    if code in data.stated:
        parts.append(say("stated-note", value=format_vn(data.stated[code])))
    return "; ".join(p for p in parts if p) or None


def _write_text(ws, row: int, col: int, value: object, fmt) -> None:
    # write_string never turns "=..." into a formula: text typed by users stays text.
    if value is None or value == "":
        ws.write_blank(row, col, None, fmt)
    else:
        ws.write_string(row, col, str(value), fmt)


# ------------------------------------------------------------------------------------ statistical sheet


def _stat_sheet(wb, st: _Styles, layout: Layout, form: Form, framework: Framework, data: WorkbookData) -> None:
    sheet = stat_sheet_name(form)
    ws = wb.add_worksheet(sheet)
    # column H (hidden) holds the printed figures of derived rows; a form without any has no column H
    widths = (8, 62, 16, 14, 22, 12, 4, 12) if form.derived else (8, 62, 16, 14, 22, 12, 4)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width, None, {"hidden": col >= 5})
    ws.merge_range(0, 0, 0, 4, form.name, st.title)
    ws.merge_range(1, 0, 1, 4, form.title, st.title)
    ws.set_row(1, 34)
    ws.merge_range(2, 0, 2, 4, "(Đơn vị, kỳ và năm báo cáo ghi tại trang Thông tin)", st.subtitle)
    h1, h2 = STAT_HEADER_ROWS
    ws.merge_range(h1, 0, h2, 0, "STT", st.header)
    ws.merge_range(h1, 1, h2, 1, form.label_header, st.header)
    ws.merge_range(h1, 2, h1, 3, "Kết quả thống kê", st.header)
    ws.write_string(h2, 2, "Đơn vị tính", st.header)
    ws.write_string(h2, 3, form.value_header, st.header)
    ws.merge_range(h1, 4, h2, 4, "Ghi chú", st.header)
    ws.merge_range(h1, 5, h2, 5, "Mã chỉ tiêu", st.header)
    ws.set_row(h1, 30)
    ws.freeze_panes(h2 + 1, 2)
    derived = derive.derived_values(form, data.values)
    row = STAT_FIRST_ROW
    for planned in layout_of(form, framework).stat_rows:
        row = planned.row
        if planned.section is not None:
            s = planned.section
            ws.merge_range(row, 0, row, STAT_NOTE_COL, f"{s.title}: {s.subtitle}", st.section)
            continue
        ind = planned.indicator
        group_style = ind.kind == "group" or ind.header
        stt = ind.printed if ind.printed in ("Trong đó", "") else ind.code.split("-", 1)[-1]
        ws.write_string(row, 0, stt, st.stt_group if group_style else st.stt)
        ws.write_string(row, 1, "   " * max(ind.level - 1, 0) + ind.label, st.label_group if group_style else st.label)
        ws.write_string(row, 2, ind.unit, st.unit) if ind.unit else ws.write_blank(row, 2, None, st.unit)
        ws.write_string(row, 5, ind.code, st.unit)
        _fit_row(ws, row, ("   " * max(ind.level - 1, 0) + ind.label, widths[1]), (ind.unit, widths[2]),
                 (data.notes.get(ind.code, ""), widths[4]))
        if ind.kind == "group":
            ws.write_blank(row, 3, None, st.locked)
            ws.write_blank(row, 4, None, st.locked)
        else:
            if ind.derive is not None:
                ws.write_formula(row, 3, derive.formula_of(ind.derive), st.derived, derived[ind.code])
                _stated_cell(ws, st, layout, sheet, row, STATED_COLUMNS["stat"], ind.code, data)
            else:
                fmt = st.input[ind.kind]
                value = data.values.get(ind.code)
                if value is not None:
                    ws.write_number(row, 3, value, fmt)
                else:
                    _write_text(ws, row, 3, data.text.get(ind.code), fmt)
                ws.data_validation(row, 3, row, 3, _input_validation(ind))
            _write_text(ws, row, 4, _note(data, ind.code, data.notes), st.input["note"])
            _flag(ws, st, layout, ind.name, row, STAT_VALUE_COL, FLAG_COLUMNS["stat"])
    ws.print_area(0, 0, row, STAT_NOTE_COL)
    _page_setup(ws, 4, (h1, h2))
    _protect(ws)


# ----------------------------------------------------------------------------------------- Chấm điểm


def _score_sheet(wb, st: _Styles, layout: Layout, framework: Framework, data: WorkbookData) -> None:
    """Chấm điểm: self and appraised columns, their totals, and the index with its basis (engine/scores.py).

    Hidden columns J–K hold, per field, the standing score and where it comes from (2 appraised, 1 self,
    0 none); "Tỷ lệ đạt" and the index read them, so the sheet applies the same definition as Python.
    """
    ws = wb.add_worksheet(SCORE_SHEET)
    for col, width in enumerate((8, 58, 11, 11, 11, 10, 34, 4, 4, 9, 4)):
        ws.set_column(col, col, width, None, {"hidden": col >= 7})
    ws.merge_range(0, 0, 0, 6, "CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH", st.title)
    ws.merge_range(1, 0, 1, 6, framework.title, st.subtitle)
    headers = ("Mã", "Lĩnh vực / tiêu chí", "Điểm tối đa", "Điểm tự chấm", "Điểm thẩm định", "Tỷ lệ đạt (%)",
               "Tài liệu kiểm chứng / ghi chú", "", "", "Điểm được tính", "Nguồn")
    h = SCORE_HEADER_ROW
    for col, text in enumerate(headers):
        if text:
            ws.write_string(h, col, text, st.header)
    ws.set_row(h, 32)
    ws.freeze_panes(h + 1, 2)
    self_calc = derive.score_values(framework, data.scores, appraised=False)
    appr_calc = derive.score_values(framework, data.appraised, appraised=True)
    standing = scores.standing(framework, data.scores, data.appraised)
    plan = layout_of(layout.form, framework)
    for row, crit in plan.score_rows:
        bold = crit.is_field
        ws.write_string(row, 0, crit.code, st.stt_group if bold else st.stt)
        label = "   " * crit.level + crit.label
        if crit.is_field and not crit.self_assessed:
            label += f" ({ASSESSMENTS[crit.assessment].lower()})"
        ws.write_string(row, 1, label, st.label_group if bold else st.label)
        _fit_row(ws, row, (label, 58), (data.evidence.get(crit.code, ""), 34))
        if crit.max is not None:
            ws.write_number(row, 2, float(crit.max), st.score_max_bold if bold else st.score_max)
        else:
            ws.write_blank(row, 2, None, st.score_max)
        for col, appraised, entered, calc, name in (
            (3, False, data.scores, self_calc, crit.self_name),
            (4, True, data.appraised, appr_calc, crit.appraised_name),
        ):
            if not appraised and not crit.self_assessed:
                ws.write_blank(row, col, None, st.locked)
                continue
            if crit.computed:
                ws.write_formula(row, col, derive.score_formula(framework, crit.code, appraised), st.score_formula,
                                 calc[crit.code])
                if appraised:
                    _stated_cell(ws, st, layout, SCORE_SHEET, row, STATED_COLUMNS["score"], crit.code, data,
                                 score=True)
            else:
                value = entered.get(crit.code)
                fmt = st.input["score"]
                ws.write_number(row, col, float(value), fmt) if value is not None else ws.write_blank(row, col,
                                                                                                      None, fmt)
                rule = {"validate": "decimal", "criteria": ">=", "value": 0} if crit.max is None else {
                    "validate": "decimal", "criteria": "between", "minimum": 0, "maximum": float(crit.max)}
                ws.data_validation(row, col, row, col, {
                    **rule, "ignore_blank": True, "error_title": "Điểm không hợp lệ",
                    "error_message": "Điểm phải ≥ 0" + (f" và ≤ {crit.max}" if crit.max is not None else "") + "."})
            _flag(ws, st, layout, name, row, col, FLAG_COLUMNS["score"][col])
        if crit.is_field:
            fs = standing.field(crit.code)
            ws.write_formula(row, STANDING_COL, derive.standing_formula(framework, crit.code), st.score_formula,
                             _blank(fs.points))
            ws.write_formula(row, SOURCE_COL, derive.source_formula(framework, crit.code), st.flag,
                             SOURCE_CODES[fs.source])
            layout.cells[name_for(crit.code, derive.STANDING_PREFIX)] = (SCORE_SHEET, row, STANDING_COL)
            layout.cells[name_for(crit.code, derive.SOURCE_PREFIX)] = (SCORE_SHEET, row, SOURCE_COL)
        if crit.is_field and crit.max:
            ws.write_formula(row, 5, derive.percent_formula(framework, crit.code), st.percent_formula,
                             _blank(standing.field(crit.code).percent))
        else:
            ws.write_blank(row, 5, None, st.locked)
        _write_text(ws, row, 6, _note(data, crit.code, data.evidence), st.input["note"])
    row = plan.score_total_row
    ws.write_blank(row, 0, None, st.stt_group)
    ws.write_string(row, 1, "TỔNG ĐIỂM TỰ CHẤM / THẨM ĐỊNH", st.label_group)
    fields_max = [f.max for f in framework.fields if f.max is not None]
    ws.write_number(row, 2, float(sum(fields_max)), st.score_max_bold)
    ws.write_formula(row, 3, derive.total_formula(framework, appraised=False), st.score_formula,
                     self_calc[SELF_TOTAL_NAME])
    ws.write_formula(row, 4, derive.total_formula(framework, appraised=True), st.score_formula,
                     appr_calc[APPRAISED_TOTAL_NAME])
    ws.write_blank(row, 5, None, st.locked)
    _write_text(ws, row, 6, _note(data, "total", data.evidence), st.input["note"])
    _flag(ws, st, layout, SELF_TOTAL_NAME, row, 3, FLAG_COLUMNS["score"][3])
    _flag(ws, st, layout, APPRAISED_TOTAL_NAME, row, 4, FLAG_COLUMNS["score"][4])
    row += 1
    ws.write_blank(row, 0, None, st.stt_group)
    ws.write_string(row, 1, "CHỈ SỐ CCHC (điểm thẩm định nếu có, nếu chưa có thì điểm tự chấm)", st.label_group)
    ws.write_number(row, 2, float(sum(fields_max)), st.score_max_bold)
    ws.merge_range(row, 3, row, 4, "", st.index_formula)
    ws.write_formula(row, 3, derive.index_formula(framework), st.index_formula, _blank(standing.total))
    ws.merge_range(row, 5, row, 6, "", st.status)
    ws.write_formula(row, 5, derive.basis_formula(framework), st.status, basis_cached(standing))
    ws.set_row(row, 33)
    layout.cells[derive.INDEX_NAME] = (SCORE_SHEET, row, 3)
    layout.cells[derive.BASIS_NAME] = (SCORE_SHEET, row, 5)
    _stated_cell(ws, st, layout, SCORE_SHEET, row, STATED_COLUMNS["score"], "total", data)
    row += 2
    for text in (
        "Điểm tự chấm gồm các lĩnh vực tự đánh giá; lĩnh vực điều tra xã hội học chỉ có điểm thẩm định "
        "(kết quả điều tra).",
        "Chỉ số chính thức khi mọi lĩnh vực đã có điểm thẩm định; tạm tính khi còn lĩnh vực theo điểm tự chấm; "
        "chưa đủ điểm (không xếp hạng, xếp loại) khi còn lĩnh vực chưa có điểm.",
    ):
        ws.merge_range(row, 0, row, 6, text, st.note)
        ws.set_row(row, 33)
        row += 1
    ws.print_area(0, 0, row - 1, 6)
    _page_setup(ws, 6, (h, h), landscape=True)
    if len(framework.criteria) <= 45:
        ws.fit_to_pages(1, 1)  # the index row belongs on the page of its fields
    _protect(ws)


STANDING_COL, SOURCE_COL = 9, 10  # hidden helper columns J and K of Chấm điểm
STATED_COLUMNS = {"stat": 7, "score": 11}  # hidden "Số liệu báo cáo ghi" cells (H of the statistics sheet, L)


def _stated_cell(ws, st: _Styles, layout: Layout, sheet: str, row: int, col: int, code: str,
                 data: WorkbookData, score: bool = False) -> None:
    """The figure a source printed for a derived row, computed score or the index: data, not a note."""
    value = data.stated.get(code)
    if value is None:
        ws.write_blank(row, col, None, st.input["amount"])
    else:
        ws.write_number(row, col, float(value), st.input["amount"])
    layout.cells[stated_name(code, score)] = (sheet, row, col)


def _blank(v: object) -> object:
    return "" if v is None else v


def _float(v: object) -> float | int:
    return float(v) if v is not None and not isinstance(v, int | float) else (v or 0)


# ------------------------------------------------------------------------------------------- Kiểm tra











def _flag(ws, st: _Styles, layout: Layout, name: str, row: int, value_col: int, flag_col: int) -> None:
    """Hidden flag cell (2 error / 1 warning / 0) + conditional formatting on the cell it describes."""
    checks = layout.checks.get(name)
    if not checks:
        return

    def any_bad(severity: str) -> str:
        cells = [f"'{CHECK_SHEET}'!$C${r + 1}=\"{BAD}\"" for r, sev, _ in checks if sev == severity]
        return "OR(" + ",".join(cells) + ")" if cells else "FALSE"

    formula = f"=IF({any_bad('error')},2,IF({any_bad('warning')},1,0))"
    ws.write_formula(row, flag_col, formula, st.flag, _flag_value(checks))
    flag_ref = xl_rowcol_to_cell(row, flag_col, row_abs=True, col_abs=True)
    ws.conditional_format(row, value_col, row, value_col,
                          {"type": "formula", "criteria": f"={flag_ref}=2", "format": st.cf_error})
    ws.conditional_format(row, value_col, row, value_col,
                          {"type": "formula", "criteria": f"={flag_ref}=1", "format": st.cf_warning})








def _check_sheet(wb, st: _Styles, layout: Layout, verdicts: list) -> None:
    """The checks sheet: one row per rule — live status, message with the numbers, link to the cell."""
    ws = wb.add_worksheet(CHECK_SHEET)
    for col, width in enumerate((6, 30, 9, 100, 18, 30, 10)):
        ws.set_column(col, col, width, None, {"hidden": col == 5})
    ws.merge_range(0, 0, 0, 4, "KIỂM TRA SỐ LIỆU", st.title)
    last = CHECK_FIRST_ROW + len(verdicts)
    status_range = f"C{CHECK_FIRST_ROW + 1}:C{last}"
    severity_range = f"G{CHECK_FIRST_ROW + 1}:G{last}"
    bad, bad_errors, summary = _summary(verdicts)
    # each count carries its own word ("5 vi phạm", "2 lỗi"): side by side, bare numbers read as "52 lỗi"
    ws.write_string(1, 0, "Kết quả", st.info_label)
    ws.write_formula(1, 1, f'=COUNTIF({status_range},"{BAD}")', st.count_violations, bad)
    ws.write_formula(1, 2, f'=COUNTIFS({status_range},"{BAD}",{severity_range},"Lỗi")', st.count_errors,
                     bad_errors)
    ws.write_formula(1, 3, f'=IF(B2=0,"{say("check-summary-ok")}",C2&" lỗi, "&(B2-C2)&" cảnh báo — xem các dòng '
                           f'{BAD} bên dưới.")', st.info_locked, summary)
    for col, text in enumerate(("STT", "Mã quy tắc", "Kết quả", "Nội dung", "Ô", "Ô liên quan", "Mức độ")):
        ws.write_string(2, col, text, st.header)
    env_holder = layout.env
    for i, (rule, outcome) in enumerate(verdicts):
        row = CHECK_FIRST_ROW + i
        ws.write_number(row, 0, i + 1, st.stt)
        ws.write_string(row, 1, rule.id, st.label)
        ws.write_formula(row, 2, rule.excel_verdict(), st.status, outcome.status)
        ws.write_formula(row, 3, rule.excel_message(f"C{row + 1}"), st.label,
                         _cached_message(rule, outcome, env_holder))
        target = layout.cells.get(rule.target)
        if target:
            sheet, r, c = target
            address = xl_rowcol_to_cell(r, c)
            ws.write_url(row, 4, f"internal:'{sheet}'!{address}", st.link, f"{sheet}!{address}")
        else:
            ws.write_blank(row, 4, None, st.label)
        refs = ";".join(layout.ref(n) for n in rule.names if n in layout.cells)
        ws.write_string(row, 5, refs, st.label)
        ws.write_string(row, 6, SEVERITY_LABELS[rule.severity], st.unit)
    ws.conditional_format(CHECK_FIRST_ROW, 2, max(last - 1, CHECK_FIRST_ROW), 2,
                          {"type": "cell", "criteria": "==", "value": f'"{BAD}"', "format": st.cf_error})
    ws.freeze_panes(CHECK_FIRST_ROW, 0)
    ws.print_area(0, 0, max(last - 1, 2), 4)
    _page_setup(ws, 4, (2, 2), landscape=True)
    _protect(ws)


# ------------------------------------------------------------------------------------------ framework


def _framework_sheet(wb, st: _Styles, framework: Framework) -> None:
    """The scoring framework travels with the workbook: a hidden, protected sheet every reader uses, so a
    clerk's own framework file is not needed again (and a different one given later is reported)."""
    ws = wb.add_worksheet(FRAMEWORK_SHEET)
    ws.write_string(0, 0, "Mã khung", st.info_label)
    ws.write_string(*FRAMEWORK_ID_CELL, framework.id, st.info_locked)
    ws.write_string(1, 0, "Tên khung", st.info_label)
    ws.write_string(*FRAMEWORK_TITLE_CELL, framework.title, st.info_locked)
    for col, key in enumerate(FRAMEWORK_COLUMNS):
        ws.write_string(FRAMEWORK_HEADER_ROW, col, key, st.header)
    for row, crit in enumerate(framework.criteria, start=FRAMEWORK_HEADER_ROW + 1):
        mx = "" if crit.max is None else format(crit.max.normalize(), "f")
        for col, value in enumerate((crit.code, crit.label, mx, crit.parent or "", crit.assessment, crit.note)):
            _write_text(ws, row, col, value, st.label)
    ws.set_column(0, 0, 10)
    ws.set_column(1, 1, 60)
    ws.set_column(2, 5, 14)
    ws.hide()
    _protect(ws)


# --------------------------------------------------------------------------------------- templates dir








# ------------------------------------------------------------------------------- cached values of a state


