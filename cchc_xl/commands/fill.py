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
from pathlib import Path

from cchc_xl.engine.rules import Finding
from cchc_xl.engine.state import data_from_report, stated_codes, stated_findings
from cchc_xl.model import layout, names
from cchc_xl.model.catalog import (
    PERIODS,
)
from cchc_xl.model.report import CellRef
from cchc_xl.ooxml.publish import in_place as in_place_session
from cchc_xl.ooxml.publish import refuse_input_overwrite
from cchc_xl.ooxml.reader import read_report
from cchc_xl.ooxml.writer import CellWrite, neutralise_writes, refresh_writes, write_cells
from cchc_xl.sources.datafile import check_data, load_data

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












def fill_workbook(workbook: str | Path, data: str | Path | dict, out: str | Path | None = None,
                  in_place: bool = False, force: bool = False) -> FillResult:
    """Write values and scores by code into an existing workbook, surgically, refreshing cached values.

    Without ``out`` and without ``in_place`` nothing is written (a dry run that still reports findings).
    In place, the workbook is locked for the whole change, the original is kept as ``WORKBOOK.bak`` (then
    ``.bak.1``, ``.bak.2``…) and replaced atomically. Formulas found in cells the template keeps for typed
    values (a DDE call, a HYPERLINK, an external reference) are written back as the value they showed.
    """
    if out is not None:
        refuse_input_overwrite(out, [workbook, data] if not isinstance(data, dict) else [workbook])
    if in_place:
        with in_place_session(workbook):
            return _fill(workbook, data, Path(workbook), force=True)
    return _fill(workbook, data, Path(out) if out else None, force=force)


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
    state.stated.update(incoming.stated)
    findings = stated_findings(report, state)

    writes: dict[CellRef, CellWrite] = {}
    written = []
    for code, value in {**incoming.values, **incoming.text}.items():
        writes[report.cells[report.form.indicator(code).name]] = CellWrite(value)
        written.append(code)
    for appraised, entered in ((False, incoming.scores), (True, incoming.appraised)):
        prefix = names.APPRAISED if appraised else names.SELF
        for code, value in entered.items():
            writes[report.cells[names.score_name(code, appraised)]] = CellWrite(float(value))
            written.append(f"{prefix}:{code}")
    for key, value in incoming.meta.items():
        ref = report.cells.get(names.meta_name(key))
        if ref is not None:
            shown = PERIODS[value] if key == "ky" else value
            if isinstance(shown, dt.date):
                shown = (shown - dt.date(1899, 12, 30)).days  # Excel serial date; the cell is date-formatted
            writes[ref] = CellWrite(shown)
            written.append(f"meta:{key}")
    for name, code in stated_codes(report.form, report.framework).items():
        if code in incoming.stated and name in report.names:
            writes[report.names[name]] = CellWrite(incoming.stated[code])
    for code, note in incoming.notes.items():
        ref = report.cells[report.form.indicator(code).name]
        writes[CellRef(ref.sheet, ref.row, ref.col + layout.NOTE_OFFSET)] = CellWrite(note)
    refresh = refresh_writes(report, state)
    writes = {**refresh, **neutralise_writes(report), **writes}
    if target is None:
        return FillResult(None, tuple(written), tuple(findings), tuple(incoming.warnings))
    write_cells(report.package or workbook, target, writes, force=force)
    return FillResult(target, tuple(written), tuple(findings), tuple(incoming.warnings))
