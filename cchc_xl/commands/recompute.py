"""Recompute a workbook: every derived cell from its inputs, in Python, with formulas restored.

Staff sometimes type a number over a formula. ``recompute_workbook`` puts the catalog's formula back in
every derived cell that lost it (reporting each one), and refreshes every cached value — derived rows,
totals, the Kiểm tra sheet and the highlight flags — so readers that do not recalculate see true numbers.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from cchc_xl.engine.derive import formula_of, score_formula, total_formula
from cchc_xl.engine.state import data_from_report, derived_names
from cchc_xl.errors import OutputRefused
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.numbers import format_vn
from cchc_xl.model.report import CellRef
from cchc_xl.ooxml.reader import read_formulas, read_report
from cchc_xl.ooxml.writer import CellWrite, refresh_writes, write_cells


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
    report = read_report(workbook)
    names = derived_names(report.form, report.framework)
    refs = {name: report.cells[name] for name in names if name in report.cells}
    formulas = read_formulas(report.path, list(refs.values()))
    state = data_from_report(report)
    writes = refresh_writes(report, state)
    restored = []
    for name, ref in refs.items():
        if formulas.get(ref):
            continue
        formula = expected_formula(report, name)
        cached = writes.get(ref)
        writes[ref] = CellWrite(cached.value if cached else None, formula=formula)
        was = report.values.get(names[name]) if name.startswith("CT_") else None
        restored.append(Restored(names[name], ref.sheet, ref.address, was, formula))
    target = Path(workbook) if in_place else (Path(out) if out else None)
    if target is None:
        return RecomputeResult(None, tuple(restored), len(writes))
    if in_place:
        shutil.copy2(workbook, str(workbook) + ".bak")
        force = True
    elif target.resolve() == Path(workbook).resolve():
        raise OutputRefused(say("output-same-as-input", path=str(target)))
    write_cells(workbook, target, writes, force=force)
    return RecomputeResult(target, tuple(restored), len(writes))


__all__ = ["CellRef", "RecomputeResult", "Restored", "recompute_workbook"]
