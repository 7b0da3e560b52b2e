"""The expected state of a workbook: every value the rules see and every formula cell's value.

One builder of that state serves the template builder (cached values written with the formulas), fill and
recompute (cached values refreshed after inputs change), validate (what the cached values should be) and
consolidate. Pure: positions come from :mod:`cchc_xl.model.layout` or from a ``locate`` callback.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from cchc_xl.engine import derive, scores
from cchc_xl.engine.rules import BAD, Env, Finding, rules_for, stated_name, stated_rules
from cchc_xl.engine.rules import findings as rule_findings
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.catalog import APPRAISED_TOTAL_NAME, PERIODS, SELF_TOTAL_NAME, Form, Framework
from cchc_xl.model.data import WorkbookData
from cchc_xl.model.layout import (
    CHECK_FIRST_ROW,
    CHECK_MESSAGE_COL,
    CHECK_SHEET,
    CHECK_STATUS_COL,
    CHECK_SUMMARY_ROW,
    SCORE_PERCENT_COL,
    SUMMARY_CELLS,
    flag_column,
)
from cchc_xl.model.report import CellRef, Report


def env_from_data(form: Form, framework: Framework, data: WorkbookData) -> Env:
    """What the rules will see in the workbook being built (cell values by defined name)."""
    values: dict[str, object] = {}
    for ind in form.cells:
        values[ind.name] = data.values.get(ind.code, data.text.get(ind.code))
    for code, value in derive.derived_values(form, data.values).items():
        values[form.indicator(code).name] = value if value != "" else None
    for appraised, entered in ((False, data.scores), (True, data.appraised)):
        for code, value in entered.items():
            values[names.score_name(code, appraised)] = float(value)
        for key, value in derive.score_values(framework, entered, appraised).items():
            values[key if key in (SELF_TOTAL_NAME, APPRAISED_TOTAL_NAME) else names.score_name(key, appraised)] = value
    for key, value in data.meta.items():
        values[names.meta_name(key)] = PERIODS[value] if key == "ky" else value
    values.update(standing_cells(framework, scores.standing(framework, data.scores, data.appraised)))
    values.update(stated_cells(form, data.stated))
    formulas = {ind.name for ind in form.derived} | {SELF_TOTAL_NAME, APPRAISED_TOTAL_NAME}
    formulas |= set(standing_cells(framework, None))
    for crit in framework.criteria:
        if crit.computed:
            formulas |= {crit.self_name, crit.appraised_name}
    return Env(values, formulas)


SOURCE_CODES = {scores.APPRAISED: 2, scores.SELF: 1, None: 0}  # the hidden "Nguồn" cell of a field


def basis_cached(st: scores.Standing) -> str:
    """The Chấm điểm basis sentence as its live formula computes it (derive.basis_formula)."""
    srcs = [SOURCE_CODES[f.source] for f in st.fields]
    return derive.basis_text(srcs.count(0), srcs.count(1), sum(s > 0 for s in srcs))


def stated_cells(form: Form, stated: dict) -> dict[str, object]:
    """Printed figures by the defined name of their hidden cell."""
    out: dict[str, object] = {}
    for code, value in stated.items():
        ind = form.by_code.get(code)
        score = (ind is None or not ind.is_derived) and code != "total"
        out[stated_name(code, score)] = value
    return out


def stated_codes(form: Form, framework: Framework) -> dict[str, str]:
    """Hidden printed-figure cells (GHI_…) → the code their figure is for (``total`` for the index)."""
    out = {stated_name(ind.code): ind.code for ind in form.derived}
    out.update({stated_name(c.code, score=True): c.code for c in framework.criteria if c.computed})
    out[stated_name("total")] = "total"
    return out


def standing_cells(framework: Framework, standing: scores.Standing | None) -> dict[str, object]:
    """The Chấm điểm helper cells of the standing index (names → cached values; None values when no state)."""
    out: dict[str, object] = {}
    for f in framework.fields:
        fs = standing.field(f.code) if standing else None
        out[names.name_for(f.code, derive.STANDING_PREFIX)] = fs.points if fs else None
        out[names.name_for(f.code, derive.SOURCE_PREFIX)] = SOURCE_CODES[fs.source] if fs else None
    out[derive.INDEX_NAME] = standing.total if standing else None
    out[derive.BASIS_NAME] = (basis_cached(standing) or None) if standing else None
    return out


def _plan_checks(verdicts: list) -> dict[str, list[tuple[int, str, bool]]]:
    plan: dict[str, list[tuple[int, str, bool]]] = {}
    for i, (rule, outcome) in enumerate(verdicts):
        for name in rule.names:
            plan.setdefault(name, []).append((CHECK_FIRST_ROW + i, rule.severity, outcome.status == BAD))
    return plan


def _flag_value(checks: list[tuple[int, str, bool]]) -> int:
    """2 when a violated rule reading the cell is an error, 1 when only warnings, else 0."""
    if any(bad for _, sev, bad in checks if sev == "error"):
        return 2
    return 1 if any(bad for _, sev, bad in checks if sev == "warning") else 0


def _summary(verdicts: list) -> tuple[int, int, str]:
    """Violated rules, violated error rules, and the Kiểm tra summary sentence."""
    bad = sum(o.status == BAD for _, o in verdicts)
    errors = sum(o.status == BAD and r.severity == "error" for r, o in verdicts)
    text = say("check-summary-ok") if bad == 0 else say("check-summary", errors=errors, warnings=bad - errors)
    return bad, errors, text


def _xl_general(value: object) -> str:
    """How Excel's & renders a value (General format), so cached messages equal recalculated ones."""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else format(value, ".15g")
    return "" if value is None else str(value)


def _cached_message(rule, outcome, env: Env) -> str:
    if outcome.status != BAD:
        return ""
    labels = [label for label, _xl in rule.excel_numbers()]
    numbers = list(zip(labels, rule.number_values(env), strict=True))
    text = rule.describe
    if numbers:
        text += ": " + "; ".join(f"{label} = {_xl_general(v)}" for label, v in numbers)
    return text




def computed_cells(form: Form, framework: Framework, data: WorkbookData,
                   locate: Callable[[str], tuple[str, int, int] | None]) -> dict[tuple[str, int, int], object]:
    """Every formula cell's value for the workbook state ``data``, positioned through ``locate(name)``.

    Used to refresh cached values after writing inputs into an existing workbook: derived indicators,
    computed criteria and totals, field percentages, the hidden flag cells and every Kiểm tra row. Cells
    are located from defined names (so inserted rows are followed); the Kiểm tra sheet keeps the template's
    rows (it is protected and rebuilt, never edited by hand).
    """
    out: dict[tuple[str, int, int], object] = {}
    env = env_from_data(form, framework, data)
    verdicts = [(rule, rule.verdict(env)) for rule in rules_for(form, framework)]
    plan = _plan_checks(verdicts)

    def put(name: str, value: object, col: int | None = None) -> None:
        where = locate(name)
        if where is not None:
            sheet, row, c = where
            out[(sheet, row, c if col is None else col)] = value

    for name in env.formulas:
        value = env.get(name)
        put(name, "" if value is None else value)
    standing = scores.standing(framework, data.scores, data.appraised)
    for crit in framework.fields:
        if crit.max:
            pct = standing.field(crit.code).percent
            put(crit.appraised_name, "" if pct is None else pct, col=SCORE_PERCENT_COL)
    for name, checks in plan.items():
        where = locate(name)
        if where is None or name.startswith("GHI_"):  # printed figures are hidden cells with no flag
            continue
        sheet, _row, col = where
        put(name, _flag_value(checks), col=flag_column(sheet, col))
    for col, value in zip(SUMMARY_CELLS.values(), _summary(verdicts), strict=True):
        out[(CHECK_SHEET, CHECK_SUMMARY_ROW, col)] = value
    for i, (rule, outcome) in enumerate(verdicts):
        out[(CHECK_SHEET, CHECK_FIRST_ROW + i, CHECK_STATUS_COL)] = outcome.status
        out[(CHECK_SHEET, CHECK_FIRST_ROW + i, CHECK_MESSAGE_COL)] = _cached_message(rule, outcome, env)
    return out


def derived_names(form: Form, framework: Framework) -> dict[str, str]:
    """Every cell that must hold a formula: defined name → code shown in messages."""
    names = {ind.name: ind.code for ind in form.derived}
    for crit in framework.criteria:
        if crit.computed:
            if crit.self_assessed:
                names[crit.self_name] = crit.code
            names[crit.appraised_name] = crit.code
    names[SELF_TOTAL_NAME] = "total"
    names[APPRAISED_TOTAL_NAME] = "total"
    return names


def data_from_report(report: Report) -> WorkbookData:
    """The workbook's current inputs as typed data (what a rebuild or a refresh starts from)."""
    data = WorkbookData(form=report.form.id)
    for ind in report.form.inputs:
        v = report.values.get(ind.code)
        if isinstance(v, int | float) and not isinstance(v, bool):
            data.values[ind.code] = v
        elif isinstance(v, str):
            data.text[ind.code] = v
    for source, target in ((report.scores, data.scores), (report.appraised, data.appraised)):
        for code, v in source.items():
            if isinstance(v, int | float) and not report.framework.criterion(code).computed:
                target[code] = Decimal(repr(v)) if isinstance(v, float) else Decimal(v)
    data.meta = {k: v for k, v in report.meta.items() if v is not None}
    for name, code in stated_codes(report.form, report.framework).items():
        v = report.stated.get(name)
        if isinstance(v, int | float) and not isinstance(v, bool):
            data.stated[code] = v
    return data


def _locator(report: Report):
    def locate(name: str) -> tuple[str, int, int] | None:
        ref = report.cells.get(name) or report.names.get(name)
        return (ref.sheet, ref.row, ref.col) if ref else None

    return locate


def stated_findings(report: Report, data: WorkbookData) -> list[Finding]:
    """Figures supplied for derived rows or computed scores, compared with what the inputs give.

    The same rules (``rules.stated_rules``) run in the Kiểm tra sheet and in ``validate`` once the figures
    are stored in their hidden cells, so ``new`` + ``validate`` and ``fill`` give the same verdicts.
    """
    form, fw = report.form, report.framework
    env = env_from_data(form, fw, data)
    where = _locator(report)

    def place(name: str) -> tuple[str | None, str | None]:
        w = where(name)
        return (w[0], CellRef(*w).address) if w else (None, None)

    return rule_findings(stated_rules(form, fw), env, place)


def _decimals(v: float | int) -> int:
    text = repr(float(v)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0
