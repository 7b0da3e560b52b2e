"""Where everything sits in a cchc-xl workbook, computed once from the catalog.

The builder writes cells at these positions; fill, recompute, diff, validate and the VBA fallback
(``cchc_xl/macros/CchcKiemTra.bas``, whose constants a test ties to this module) read them from here. Rows
and columns are 0-based, as XlsxWriter counts them. Readers still locate indicators through defined names
(a user may insert rows); this module says where the template puts them and which columns sit beside.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from cchc_xl.model import names
from cchc_xl.model.catalog import Criterion, Form, Framework, Indicator, Section
from cchc_xl.model.data import META_FIELDS
from cchc_xl.model.memo import by_identity

INFO_SHEET = "Thông tin"
SCORE_SHEET = "Chấm điểm"
CHECK_SHEET = "Kiểm tra"
FRAMEWORK_SHEET = "Khung chỉ số"  # hidden: the scoring framework the workbook was built with (issue 11)
FRAMEWORK_COLUMNS = ("code", "label", "max", "parent", "assessment", "note")
FRAMEWORK_ID_CELL, FRAMEWORK_TITLE_CELL, FRAMEWORK_HEADER_ROW = (0, 1), (1, 1), 3


def stat_sheet_name(form: Form) -> str:
    """The statistical sheet is called as the form prints it: Biểu mẫu (sectioned forms) or Phụ lục."""
    return "Biểu mẫu" if form.sections else "Phụ lục"


# Thông tin: label | value | hidden flag
INFO_LABEL_COL, INFO_VALUE_COL, INFO_FLAG_COL = 0, 1, 2
INFO_FIRST_ROW = 3

# Phụ lục / Biểu mẫu: STT | Chỉ tiêu | Đơn vị tính | Số liệu | Ghi chú | hidden code | hidden flag
STAT_STT_COL, STAT_LABEL_COL, STAT_UNIT_COL, STAT_VALUE_COL, STAT_NOTE_COL, STAT_CODE_COL, STAT_FLAG_COL = range(7)
STAT_HEADER_ROWS = (4, 5)
STAT_FIRST_ROW = STAT_HEADER_ROWS[1] + 1

# Chấm điểm: Mã | tiêu chí | tối đa | tự chấm | thẩm định | tỷ lệ | ghi chú | hidden flags (self, appraised)
SCORE_CODE_COL, SCORE_LABEL_COL, SCORE_MAX_COL, SCORE_SELF_COL, SCORE_APPRAISED_COL = range(5)
SCORE_PERCENT_COL, SCORE_NOTE_COL, SCORE_SELF_FLAG_COL, SCORE_APPRAISED_FLAG_COL = 5, 6, 7, 8
SCORE_HEADER_ROW = 3
SCORE_FIRST_ROW = SCORE_HEADER_ROW + 1
# hidden helpers (issue 11): a field's standing score and its source (2 appraised, 1 self, 0 none), and the
# printed figures (stated:) of computed scores and of the index; the index row sits below the totals row
SCORE_STANDING_COL, SCORE_SOURCE_COL, SCORE_STATED_COL = 9, 10, 11
STAT_STATED_COL = 7  # hidden printed figure of a derived row

# Kiểm tra: one row per rule from CHECK_FIRST_ROW; summary cells on row CHECK_SUMMARY_ROW.
CHECK_SUMMARY_ROW, CHECK_HEADER_ROW, CHECK_FIRST_ROW = 1, 2, 3
CHECK_STT_COL, CHECK_RULE_COL, CHECK_STATUS_COL, CHECK_MESSAGE_COL = 0, 1, 2, 3
CHECK_LINK_COL, CHECK_CELLS_COL, CHECK_SEVERITY_COL = 4, 5, 6
SUMMARY_CELLS = {  # defined name → column on the summary row
    names.CHECK_RESULT: 1,  # number of violated rules
    names.CHECK_ERRORS: 2,  # of which errors
    names.CHECK_SUMMARY: 3,  # the summary sentence
}

# Hidden per-row severity flag (2 error, 1 warning) beside every input cell, by the sheet it is on.
FLAG_COLUMNS = {"stat": STAT_FLAG_COL, "info": INFO_FLAG_COL,
                "score": {SCORE_SELF_COL: SCORE_SELF_FLAG_COL, SCORE_APPRAISED_COL: SCORE_APPRAISED_FLAG_COL}}

# Cells beside an indicator's value cell on the statistical sheet, as column offsets from it.
NOTE_OFFSET = STAT_NOTE_COL - STAT_VALUE_COL
CODE_OFFSET = STAT_CODE_COL - STAT_VALUE_COL
LABEL_OFFSET = STAT_LABEL_COL - STAT_VALUE_COL


def flag_column(sheet: str, col: int) -> int:
    """The hidden flag column of an input cell at ``col`` on ``sheet``."""
    if sheet == INFO_SHEET:
        return INFO_FLAG_COL
    if sheet == SCORE_SHEET:
        return FLAG_COLUMNS["score"][col]
    return STAT_FLAG_COL


@dataclass(frozen=True)
class StatRow:
    """One printed row of the statistical sheet: a section title or an indicator."""

    row: int
    indicator: Indicator | None = None
    section: Section | None = None


@dataclass(frozen=True)
class Layout:
    """Every position of one form + framework: defined name → (sheet, row, col), and the row plans."""

    cells: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    stat_rows: tuple[StatRow, ...] = ()
    score_rows: tuple[tuple[int, Criterion], ...] = ()
    score_total_row: int = 0
    info_rows: tuple[tuple[int, str], ...] = ()  # (row, meta key)
    package_rows: tuple[tuple[int, str], ...] = ()  # (row, TT_TEMPLATE_ID / _VERSION / TT_FRAMEWORK)

    def rows_of_codes(self) -> dict[str, int]:
        return {r.indicator.code: r.row for r in self.stat_rows if r.indicator is not None}


@by_identity()
def layout_of(form: Form, framework: Framework) -> Layout:
    """Compute where the template puts everything (no workbook is built)."""
    cells: dict[str, tuple[str, int, int]] = {}
    info_rows, package_rows = [], []
    row = INFO_FIRST_ROW
    for key, _label, _required in META_FIELDS:
        cells[names.meta_name(key)] = (INFO_SHEET, row, INFO_VALUE_COL)
        info_rows.append((row, key))
        row += 1
    row += 1
    for name in names.PACKAGE_NAMES:
        cells[name] = (INFO_SHEET, row, INFO_VALUE_COL)
        package_rows.append((row, name))
        row += 1

    sheet = stat_sheet_name(form)
    stat_rows: list[StatRow] = []
    sections = {s.id: s for s in form.sections}
    current = None
    row = STAT_FIRST_ROW
    for ind in form.indicators:
        if ind.section and ind.section != current:
            current = ind.section
            stat_rows.append(StatRow(row, section=sections[ind.section]))
            row += 1
        if ind.kind != "group":
            cells[ind.name] = (sheet, row, STAT_VALUE_COL)
        stat_rows.append(StatRow(row, indicator=ind))
        row += 1

    score_rows = []
    row = SCORE_FIRST_ROW
    for crit in framework.criteria:
        if crit.self_assessed:
            cells[crit.self_name] = (SCORE_SHEET, row, SCORE_SELF_COL)
        cells[crit.appraised_name] = (SCORE_SHEET, row, SCORE_APPRAISED_COL)
        score_rows.append((row, crit))
        row += 1
    cells[names.SELF_TOTAL] = (SCORE_SHEET, row, SCORE_SELF_COL)
    cells[names.APPRAISED_TOTAL] = (SCORE_SHEET, row, SCORE_APPRAISED_COL)
    for r, crit in score_rows:
        if crit.is_field:
            cells[names.name_for(crit.code, "CHISO")] = (SCORE_SHEET, r, SCORE_STANDING_COL)
            cells[names.name_for(crit.code, "CHISO_NGUON")] = (SCORE_SHEET, r, SCORE_SOURCE_COL)
        if crit.computed:
            cells[names.name_for(crit.code, "GHI_DIEM")] = (SCORE_SHEET, r, SCORE_STATED_COL)
    cells["CHISO_TONG"] = (SCORE_SHEET, row + 1, SCORE_SELF_COL)
    cells["CHISO_CO_SO"] = (SCORE_SHEET, row + 1, SCORE_PERCENT_COL)
    cells["GHI_TONG"] = (SCORE_SHEET, row + 1, SCORE_STATED_COL)
    for r in stat_rows:
        if r.indicator is not None and r.indicator.is_derived:
            cells[names.name_for(r.indicator.code, "GHI_CT")] = (sheet, r.row, STAT_STATED_COL)
    for name, col in SUMMARY_CELLS.items():
        cells[name] = (CHECK_SHEET, CHECK_SUMMARY_ROW, col)
    return Layout(cells, tuple(stat_rows), tuple(score_rows), row, tuple(info_rows), tuple(package_rows))
