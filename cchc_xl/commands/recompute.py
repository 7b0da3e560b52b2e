"""Recompute a workbook: every derived cell from its inputs, in Python, with formulas restored.

Staff sometimes type a number over a formula. ``recompute_workbook`` puts the catalog's formula back in
every derived cell that lost it (reporting each one), and refreshes every cached value — derived rows,
totals, the Kiểm tra sheet and the highlight flags — so readers that do not recalculate see true numbers.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from cchc_xl.engine.derive import formula_of, score_formula, total_formula
from cchc_xl.engine.state import data_from_report, derived_names
from cchc_xl.engine.validation import _value_by_name
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.numbers import format_vn
from cchc_xl.model.report import CellRef
from cchc_xl.ooxml.publish import in_place as in_place_session
from cchc_xl.ooxml.publish import refuse_input_overwrite
from cchc_xl.ooxml.reader import read_formulas, read_report
from cchc_xl.ooxml.writer import CellWrite, neutralise_writes, refresh_writes, write_cells


@dataclass(frozen=True)
class Restored:
    code: str
    sheet: str
    cell: str
    was: object
    formula: str

    @property
    def message(self) -> str:
        return say("finding-restored", code=self.code, cell=f"{self.sheet}!{self.cell}", value=format_vn(self.was))


@dataclass(frozen=True)
class RecomputeResult:
    path: Path | None
    restored: tuple[Restored, ...]
    refreshed: int


def expected_formula(report, name: str) -> str:
    form, fw = report.form, report.framework
    for ind in form.derived:
        if ind.name == name:
            return formula_of(ind.derive)
    ref = names.decode(name, form, fw)
    if ref is None or ref.kind not in ("self", "appraised", "total"):
        raise KeyError(name)  # a caller asked for a name that is not a formula cell of this form
    if ref.kind == "total":
        return total_formula(fw, ref.appraised)
    return score_formula(fw, ref.code, ref.appraised)


def recompute_workbook(workbook: str | Path, out: str | Path | None = None, in_place: bool = False,
                       force: bool = False) -> RecomputeResult:
    """Restore formulas and refresh cached values; in place under a lock, with numbered backups."""
    if out is not None:
        refuse_input_overwrite(out, [workbook])
    if in_place:
        with in_place_session(workbook):
            return _recompute(workbook, Path(workbook), force=True)
    return _recompute(workbook, Path(out) if out else None, force=force)


def _recompute(workbook: str | Path, target: Path | None, force: bool) -> RecomputeResult:
    report = read_report(workbook)
    names = derived_names(report.form, report.framework)
    refs = {name: report.cells[name] for name in names if name in report.cells}
    formulas = read_formulas(report.package or report.path, list(refs.values()))
    state = data_from_report(report)
    writes = {**refresh_writes(report, state), **neutralise_writes(report)}
    restored = []
    for name, ref in refs.items():
        if formulas.get(ref):
            continue
        formula = expected_formula(report, name)
        cached = writes.get(ref)
        writes[ref] = CellWrite(cached.value if cached else None, formula=formula)
        was = _value_by_name(report, name)  # what the overwritten cell held (a total too, not only CT_)
        restored.append(Restored(names[name], ref.sheet, ref.address, was, formula))
    if target is None:
        return RecomputeResult(None, tuple(restored), len(writes))
    write_cells(report.package or workbook, target, writes, force=force)
    return RecomputeResult(target, tuple(restored), len(writes))


__all__ = ["CellRef", "RecomputeResult", "Restored", "recompute_workbook"]
