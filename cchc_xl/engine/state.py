"""The expected state of a workbook: every value the rules see and every formula cell's value.

One builder of that state serves the template builder (cached values written with the formulas), fill and
recompute (cached values refreshed after inputs change), validate (what the cached values should be) and
consolidate. Pure: positions come from :mod:`cchc_xl.model.layout` or from a ``locate`` callback.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from cchc_xl.engine import derive
from cchc_xl.engine.rules import BAD, Env, Finding, RatioStatedRule, rules_for
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
from cchc_xl.model.numbers import excel_round, format_vn
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
    formulas = {ind.name for ind in form.derived} | {SELF_TOTAL_NAME, APPRAISED_TOTAL_NAME}
    for crit in framework.criteria:
        if crit.computed:
            formulas |= {crit.self_name, crit.appraised_name}
    return Env(values, formulas)


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
    for crit in framework.fields:
        if crit.max:
            points = env.get(crit.appraised_name)
            put(crit.appraised_name, derive.field_percent(framework, crit.code, points or 0), col=SCORE_PERCENT_COL)
    for name, checks in plan.items():
        where = locate(name)
        if where is None:
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
    return data


def _locator(report: Report):
    def locate(name: str) -> tuple[str, int, int] | None:
        ref = report.cells.get(name) or report.names.get(name)
        return (ref.sheet, ref.row, ref.col) if ref else None

    return locate


def stated_findings(report: Report, data: WorkbookData) -> list[Finding]:
    """Figures supplied for derived rows or computed scores, compared with what the inputs give."""
    form, fw = report.form, report.framework
    found: list[Finding] = []
    env = env_from_data(form, fw, data)
    where = _locator(report)

    def place(name: str) -> tuple[str | None, str | None]:
        w = where(name)
        return (w[0], CellRef(*w).address) if w else (None, None)

    for code, stated in data.stated.items():
        ind = form.by_code.get(code)
        if ind is not None and ind.derive is not None and ind.derive.kind == "ratio":
            values = dict(env.values)
            values[ind.name] = stated
            stated_env = Env(values, env.formulas - {ind.name})
            for rule in rules_for(form, fw):
                if isinstance(rule, RatioStatedRule) and rule.ind.code == code:
                    outcome = rule.verdict(stated_env)
                    if outcome.status == BAD:
                        found.append(rule.finding(outcome, place))
            continue
        name = (APPRAISED_TOTAL_NAME if code == "total" else ind.name if ind is not None
                else fw.criterion(code).appraised_name)
        computed = env.num(name) or 0
        digits = _decimals(stated)
        if excel_round(computed, digits) != excel_round(stated, digits):
            sheet, cell = place(name)
            found.append(Finding(f"stated:{code}", "error", (code,), sheet, cell,
                                 say("finding-stated", code=code, stated=format_vn(stated),
                                     computed=format_vn(excel_round(computed, 3))),
                                 {"stated": stated, "computed": computed}))
    return found


def _decimals(v: float | int) -> int:
    text = repr(float(v)).rstrip("0").rstrip(".")
    return len(text.split(".")[1]) if "." in text else 0
