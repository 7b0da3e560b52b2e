"""The template-workbook source: a cchc-xl workbook file → Report, and its validation as read.

This is the first source behind the reader seam; other sources (data files, foreign layouts) produce the
same model records. ``validate_file`` never raises for bad input: an unusable file becomes a result with
status "unusable" and its Vietnamese message, so one broken workbook never stops a folder of 170.
"""

from __future__ import annotations

from pathlib import Path

from cchc_xl.engine.state import derived_names
from cchc_xl.engine.validation import ValidationResult, check_report
from cchc_xl.errors import UnusableInput
from cchc_xl.model.report import Report
from cchc_xl.ooxml.reader import read_formulas, read_report


def formula_cells(report: Report) -> set[str]:
    """The defined names whose cells must hold a formula and still do (a constant there is tampering)."""
    must_be_formulas = derived_names(report.form, report.framework)
    refs = {name: report.cells[name] for name in must_be_formulas if name in report.cells}
    formulas = read_formulas(report.package or report.path, list(refs.values()))
    return {name for name, ref in refs.items() if formulas.get(ref)}


def validate_report(report: Report) -> ValidationResult:
    """Validate an already-read workbook (no second read of the values)."""
    return check_report(report, formula_cells(report))


def validate_file(path: str | Path, framework: str | None = None) -> ValidationResult:
    """Read and validate one file; never raises for bad input."""
    try:
        report = read_report(path, framework=framework)
    except UnusableInput as exc:
        return ValidationResult(str(path), None, "unusable", unusable=exc)
    return validate_report(report)
