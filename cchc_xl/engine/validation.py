"""Validation of a workbook already read: the catalog's rules, cached values and structure, in Python.

Pure: the Report and the set of cells that still hold their formulas come in, findings come out. Reading
the file (and its formulas) is the source's job (:mod:`cchc_xl.sources.workbook`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from cchc_xl.engine import derive
from cchc_xl.engine.rules import Env, Finding, rules_for
from cchc_xl.engine.rules import findings as rule_findings
from cchc_xl.engine.state import derived_names
from cchc_xl.errors import UnusableInput
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.catalog import APPRAISED_TOTAL_NAME, PERIODS, SELF_TOTAL_NAME, Form, Framework
from cchc_xl.model.layout import layout_of
from cchc_xl.model.memo import by_identity
from cchc_xl.model.report import CellRef, Report
from cchc_xl.model.tabular import Tabular


@dataclass
class ValidationResult(Tabular):
    """The outcome for one file (frictionless-style: problems are data, not exceptions)."""

    frame_kind: ClassVar[str] = "findings"  # to_frame(): rule, severity, codes, sheet, cell, message

    file: str
    form: str | None
    status: str  # "ok" | "findings" | "unusable"
    findings: list[Finding] = field(default_factory=list)
    report: Report | None = None
    unusable: UnusableInput | None = None

    @property
    def errors(self) -> int:
        return sum(f.severity == "error" for f in self.findings)

    @property
    def warnings(self) -> int:
        return sum(f.severity == "warning" for f in self.findings)

    @property
    def exit_code(self) -> int:
        return 2 if self.status == "unusable" else (1 if self.errors else 0)

    def to_json(self) -> dict:
        out = {"file": self.file, "form": self.form, "status": self.status, "errors": self.errors,
               "warnings": self.warnings, "findings": [f.to_json() for f in self.findings]}
        if self.unusable is not None:
            out["reason"] = {"kind": self.unusable.kind, "message": self.unusable.message}
        return out

    to_dict = to_json

def env_from_report(report: Report, formulas: set[str]) -> Env:
    """Rule inputs by defined name, as the workbook holds them (metadata as displayed)."""
    values: dict[str, object] = {}
    for ind in report.form.cells:
        values[ind.name] = report.values.get(ind.code)
    fw = report.framework
    for crit in fw.criteria:
        if crit.self_assessed:
            values[crit.self_name] = report.scores.get(crit.code)
        values[crit.appraised_name] = report.appraised.get(crit.code)
    values.update(report.totals)
    values.update(report.stated)
    from cchc_xl.engine.scores import standing
    from cchc_xl.engine.state import standing_cells

    values.update(standing_cells(fw, standing(fw, report.scores, report.appraised)))
    for key, value in report.meta.items():
        values[names.meta_name(key)] = PERIODS.get(value, value) if key == "ky" and isinstance(value, str) else value
    return Env(values, formulas)


def _where(report: Report):
    def where(name: str) -> tuple[str | None, str | None]:
        ref = report.cells.get(name) or report.names.get(name)
        return (ref.sheet, ref.address) if ref else (None, None)

    return where


def _cached_mismatches(report: Report, formula_names: set[str], where) -> list[Finding]:
    """Cached results that differ from the Python recomputation of the same formula."""
    form, fw = report.form, report.framework
    numeric = {c: v for c, v in report.values.items() if isinstance(v, int | float)}
    expected: dict[str, object] = {}
    for code, value in derive.derived_values(form, numeric).items():
        expected[form.indicator(code).name] = value
    for appraised, entered in ((False, report.scores), (True, report.appraised)):
        nums = {c: v for c, v in entered.items() if isinstance(v, int | float)}
        for key, value in derive.score_values(fw, nums, appraised).items():
            expected[key if key in (SELF_TOTAL_NAME, APPRAISED_TOTAL_NAME) else names.score_name(key, appraised)] = value
    found = []
    labels = derived_names(form, fw)
    for name, want in expected.items():
        if name not in formula_names or name not in report.cells:
            continue  # overwritten formulas are reported by the formula rules
        got = _value_by_name(report, name)
        if _same(got, want):
            continue
        sheet, cell = where(name)
        code = labels.get(name, name)
        found.append(Finding(f"cached-mismatch:{code}", "warning", (code,), sheet, cell,
                             say("finding-cached-mismatch", label=code, cached=_show(got), computed=_show(want)),
                             {"cached": got, "computed": want}))
    return found


def _value_by_name(report: Report, name: str) -> object:
    if name in report.totals:
        return report.totals[name]
    ref = names.decode(name, report.form, report.framework)
    if ref is None:
        return None
    if ref.kind == "indicator":
        return report.values.get(ref.code)
    return (report.appraised if ref.appraised else report.scores).get(ref.code)


def _same(got: object, want: object) -> bool:
    if want in ("", None):
        return got in ("", None)
    if isinstance(got, int | float) and isinstance(want, int | float):
        return abs(got - want) <= 1e-9 * max(1.0, abs(want))
    return False


def _show(v: object) -> str:
    from cchc_xl.model.numbers import format_vn

    return format_vn(v)


@by_identity()
def template_positions(form: Form, framework: Framework) -> dict[str, CellRef]:
    """Where the generated template puts every defined name (computed from the catalog, no workbook built)."""
    return {name: CellRef(sheet, row, col) for name, (sheet, row, col) in layout_of(form, framework).cells.items()}


def _read_notes(report: Report) -> list[Finding]:
    """What the reader noticed (names relocated, far cells, long texts) and formulas in typed cells."""
    found = []
    blocks: dict[tuple, list] = {}  # names moved by the same rows in one sheet: one finding per block
    for n in report.notes:
        if n.shift is not None:
            blocks.setdefault((n.rule, n.shift), []).append(n)
        elif n.rule.startswith("structure:name-"):
            blocks.setdefault((n.rule, n.sheet), []).append(n)
        else:
            found.append(Finding(n.rule, n.severity, n.codes, n.sheet, n.cell, n.message))
    for items in blocks.values():
        first = items[0]
        codes = tuple(c for n in items for c in n.codes)
        more = say("finding-name-more", count=len(items) - 1) if len(items) > 1 else ""
        found.append(Finding(first.rule, first.severity, codes, first.sheet, first.cell, first.message + more))
    for name, formula in report.input_formulas.items():
        ref = report.cells[name]
        shown = formula if len(formula) <= 80 else formula[:77] + "…"
        code = names.code_of(name, report.form, report.framework)
        found.append(Finding(f"input-formula:{code}", "error", (code,), ref.sheet, ref.address,
                             say("finding-input-formula", cell=str(ref), formula=shown), {"formula": formula}))
    return found


def _structure(report: Report) -> list[Finding]:
    """Names the file lost, sheets renamed and rows moved compared with the template."""
    found: list[Finding] = []
    for name in report.missing:
        code = names.code_of(name, report.form, report.framework)
        found.append(Finding(f"missing-name:{name}", "error", (code,), None, None,
                             say("finding-missing-name", code=code, name=name)))
    expected = template_positions(report.form, report.framework)
    renamed: dict[str, str] = {}
    moved: list[tuple[str, CellRef, CellRef]] = []
    relocated = {c for n in report.notes if n.rule.startswith("structure:name-") for c in n.codes}
    for name, ref in report.cells.items():
        want = expected.get(name)
        if want is None:
            continue
        if name in report.form.by_name and report.form.by_name[name].code in relocated:
            continue  # reported (once per block) by the reader's note
        if ref.sheet != want.sheet:
            renamed.setdefault(want.sheet, ref.sheet)
        if ref.row != want.row:
            moved.append((name, ref, want))
    for old, new in renamed.items():
        found.append(Finding("structure:sheet-renamed", "warning", (), new, None,
                             say("finding-moved", detail=say("finding-moved-sheet", expected=old, sheet=new))))
    if moved:
        # One finding per block of rows that moved by the same offset, not one per shifted cell.
        blocks: dict[tuple[str, int], list[tuple[str, CellRef, CellRef]]] = {}
        for item in sorted(moved, key=lambda m: (m[1].sheet, m[2].row)):
            blocks.setdefault((item[1].sheet, item[1].row - item[2].row), []).append(item)
        for (sheet, _offset), items in blocks.items():
            name, ref, want = items[0]
            code = names.code_of(name, report.form, report.framework)
            codes = tuple(names.code_of(n, report.form, report.framework) for n, _, _ in items)
            found.append(Finding("structure:rows-moved", "warning", codes,
                                 sheet, ref.address,
                                 say("finding-moved", detail=say("finding-moved-rows", code=code, row=ref.row + 1,
                                                                 expected=want.row + 1))))
    return found


def check_report(report: Report, formula_names: set[str]) -> ValidationResult:
    """Every finding for an already-read workbook whose cells in ``formula_names`` still hold formulas."""
    form, fw = report.form, report.framework
    env = env_from_report(report, formula_names)
    where = _where(report)
    found = rule_findings(rules_for(form, fw), env, where)
    found += _cached_mismatches(report, formula_names, where)
    found += _structure(report)
    if report.framework_note:
        found.append(Finding("framework-differs", "warning", (), None, None, report.framework_note))
    found += _read_notes(report)
    status = "findings" if found else "ok"
    return ValidationResult(str(report.path), form.id, status, found, report)
