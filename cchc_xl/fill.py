"""Put a commune's figures into a workbook by code.

``new_workbook`` creates a commune workbook from the form's template anatomy and a data file.
``fill_workbook`` writes into an existing workbook surgically (only the cells that change, plus refreshed
cached values), so logos, charts and notes staff added survive. Data is checked completely first: a bad
file writes nothing. A figure supplied for a derived row is never written; it is compared with the value
the inputs give, which is how stated figures in legacy reports are caught.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .catalog import APPRAISED_TOTAL_NAME, DEFAULT_FORM, PERIODS, framework_for, load_form, name_for, nfc
from .datafile import WorkbookData, check_data, load_data
from .io import CellRef, Report, read_report
from .messages import say
from .numbers import excel_round, format_vn
from .ooxml.publish import in_place as in_place_session
from .ooxml.publish import refuse_input_overwrite
from .rules import BAD, Env, Finding, RatioStatedRule, rules_for
from .template import build_workbook, computed_cells, env_from_data
from .writer import CellWrite, write_cells


@dataclass(frozen=True)
class NewResult:
    path: Path
    form: str
    values: int
    scores: int
    warnings: tuple[str, ...]


def new_workbook(
    data: str | Path | dict,
    out: str | Path,
    form_id: str | None = None,
    framework: str | None = None,
) -> NewResult:
    """Create ``out`` from the template of the data's form, filled with the data's values and scores.

    ``data`` is a path to a YAML/JSON/CSV data file or an already parsed document. Raises ``DataError``
    (nothing written) when any code or value is wrong.
    """
    doc = load_data(data) if not isinstance(data, dict) else data
    form = load_form(form_id or nfc(doc.get("form")) or DEFAULT_FORM)
    fw = framework_for(form, framework)
    checked: WorkbookData = check_data({**doc, "form": doc.get("form") or form.id}, form, fw)
    build_workbook(out, form, fw, checked)
    return NewResult(Path(out), form.id, len(checked.values), len(checked.scores) + len(checked.appraised),
                     tuple(checked.warnings))


# ------------------------------------------------------------------------------ fill an existing workbook


@dataclass(frozen=True)
class FillResult:
    path: Path | None  # None when nothing was written (dry run)
    written: tuple[str, ...]  # codes whose cells changed
    findings: tuple[Finding, ...]  # stated figures that disagree with the computed ones
    warnings: tuple[str, ...]

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)


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


def refresh_writes(report: Report, data: WorkbookData) -> dict[CellRef, CellWrite]:
    """Cached-value updates for every formula cell of ``report``'s workbook in state ``data``."""
    cells = computed_cells(report.form, report.framework, data, _locator(report))
    return {CellRef(sheet, row, col): CellWrite(value, cached_only=True) for (sheet, row, col), value in cells.items()}


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


def fill_workbook(workbook: str | Path, data: str | Path | dict, out: str | Path | None = None,
                  in_place: bool = False, force: bool = False) -> FillResult:
    """Write values and scores by code into an existing workbook, surgically, refreshing cached values.

    Without ``out`` and without ``in_place`` nothing is written (a dry run that still reports findings).
    In place, the workbook is locked for the whole change, the original is kept as ``WORKBOOK.bak`` (then
    ``.bak.1``, ``.bak.2``…) and replaced atomically. Formulas found in cells the template keeps for typed
    values (a DDE call, a HYPERLINK, an external reference) are written back as their cached value.
    """
    if out is not None:
        refuse_input_overwrite(out, [workbook, data] if not isinstance(data, dict) else [workbook])
    if in_place:
        with in_place_session(workbook):
            return _fill(workbook, data, Path(workbook), force=True)
    return _fill(workbook, data, Path(out) if out else None, force=force)


def neutralise_writes(report: Report) -> dict[CellRef, CellWrite]:
    """Constant writes that replace every formula found in a typed cell by the value it showed."""
    writes = {}
    for name, _formula in report.input_formulas.items():
        ref = report.cells[name]
        value = _shown_value(report, name)
        writes[ref] = CellWrite(value if not isinstance(value, str) else str(value))
    return writes


def _shown_value(report: Report, name: str) -> object:
    if name.startswith("TT_"):
        return report.meta.get(name[3:].lower())
    if name in report.form.by_name:
        return report.values.get(report.form.by_name[name].code)
    for crit in report.framework.criteria:
        if name == crit.self_name:
            return report.scores.get(crit.code)
        if name == crit.appraised_name:
            return report.appraised.get(crit.code)
    return None


def _fill(workbook, data, target: Path | None, force: bool) -> FillResult:
    report = read_report(workbook)
    doc = load_data(data) if not isinstance(data, dict) else data
    doc = {**doc, "form": doc.get("form") or report.form.id}
    incoming = check_data(doc, report.form, report.framework, derived_as_stated=True)
    state = data_from_report(report)
    state.values.update(incoming.values)
    for code in incoming.values:
        state.text.pop(code, None)
    for code, text in incoming.text.items():
        state.values.pop(code, None)
        state.text[code] = text
    state.scores.update(incoming.scores)
    state.appraised.update(incoming.appraised)
    state.meta.update(incoming.meta)
    state.stated = incoming.stated
    findings = stated_findings(report, state)

    writes: dict[CellRef, CellWrite] = {}
    written = []
    for code, value in {**incoming.values, **incoming.text}.items():
        writes[report.cells[report.form.indicator(code).name]] = CellWrite(value)
        written.append(code)
    for prefix, entered in (("DIEM", incoming.scores), ("THAMDINH", incoming.appraised)):
        for code, value in entered.items():
            writes[report.cells[name_for(code, prefix)]] = CellWrite(float(value))
            written.append(f"{prefix}:{code}")
    for key, value in incoming.meta.items():
        ref = report.cells.get("TT_" + key.upper())
        if ref is not None:
            shown = PERIODS[value] if key == "ky" else value
            if isinstance(shown, dt.date):
                shown = (shown - dt.date(1899, 12, 30)).days  # Excel serial date; the cell is date-formatted
            writes[ref] = CellWrite(shown)
            written.append(f"meta:{key}")
    for code, note in incoming.notes.items():
        ref = report.cells[report.form.indicator(code).name]
        writes[CellRef(ref.sheet, ref.row, ref.col + 1)] = CellWrite(note)
    refresh = refresh_writes(report, state)
    writes = {**refresh, **neutralise_writes(report), **writes}
    if target is None:
        return FillResult(None, tuple(written), tuple(findings), tuple(incoming.warnings))
    write_cells(report.package or workbook, target, writes, force=force)
    return FillResult(target, tuple(written), tuple(findings), tuple(incoming.warnings))
