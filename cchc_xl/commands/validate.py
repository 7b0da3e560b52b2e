"""``cchc-xl validate``: the same rules the workbook evaluates live, evaluated in Python, for many files.

Beyond the rules it checks the file itself: formulas overwritten by constants, cached values that disagree
with the Python recomputation, indicators whose defined name is lost, and rows or sheets that moved. One
unusable file is a result with its reason, never an exception that stops the others.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from cchc_xl.engine.validation import ValidationResult
from cchc_xl.sources.workbook import validate_file, validate_report

__all__ = ["ValidationResult", "validate_file", "validate_files", "validate_report"]


def validate_files(paths: Iterable[str | Path], framework: str | None = None) -> list[ValidationResult]:
    """Validate every file in order; the exit code of the run is the worst of theirs."""
    return [validate_file(p, framework=framework) for p in paths]
