"""A third engine agrees (issue 11 item 8): Gnumeric recalculates every formula cell to the cached value.

Measured on main: Gnumeric returns #NUM! for ``N(name)`` when the named cell is empty (29 cells of the
Chấm điểm "Tỷ lệ đạt" column); the formulas now use SUM(ref) and COUNT instead of N() over references.
One engine difference is not about values: Gnumeric renders a double in text concatenation with 17
significant digits (99,9 → "99.90000000000001") where Excel and LibreOffice use 15, so the numbers inside
Kiểm tra messages are compared at 15 significant digits.
"""

from __future__ import annotations

import re
import warnings

import openpyxl
import pytest

from tests.conftest import TEMPLATES
from tests.support.gnumeric import recalc_gnumeric, ssconvert
from tests.test_rules_parity import damaged

pytestmark = pytest.mark.gnumeric
_FLOAT = re.compile(r"\d+\.\d+")


def _text(v: str) -> str:
    return _FLOAT.sub(lambda m: format(float(m.group()), ".15g"), v)


def _same(ours: object, theirs: object) -> bool:
    if ours in ("", None):
        return theirs in ("", None)
    if isinstance(ours, bool) or isinstance(theirs, bool):
        return ours == theirs
    if isinstance(ours, int | float) and isinstance(theirs, int | float):
        return abs(ours - theirs) <= 1e-9 * max(1.0, abs(ours))
    if isinstance(ours, str) and isinstance(theirs, str):
        return _text(ours) == _text(theirs)
    return False


def mismatches(path, tmp_path) -> tuple[int, list]:
    out = recalc_gnumeric(path, tmp_path / f"gn-{path.name}")
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # Gnumeric writes no default style; openpyxl says so
        theirs = openpyxl.load_workbook(out, data_only=True)
    checked, bad = 0, []
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                checked += 1
                a, b = cached[ws.title][cell.coordinate].value, theirs[ws.title][cell.coordinate].value
                if not _same(a, b):
                    bad.append((path.name, ws.title, cell.coordinate, a, b, cell.value[:80]))
    return checked, bad


def test_gnumeric_recalculation_matches_cached_values(built_samples, tmp_path):
    if ssconvert() is None:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    files = [*built_samples.values(), *sorted(TEMPLATES.glob("*.xlsx"))]
    total = 0
    for path in files:
        checked, bad = mismatches(path, tmp_path)
        assert bad == [], bad[:5]
        total += checked
    assert total > 2000


def test_gnumeric_agrees_on_damaged_workbooks(built_samples, tmp_path):
    """Damaged workbooks are written by raw_write (cached values stale): recalculating them in Gnumeric and
    in Python's rules must give the same Kiểm tra verdicts."""
    if ssconvert() is None:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    from cchc_xl.commands.validate import validate_file
    from tests.test_rules_parity import BAD, PYTHON_ONLY, kiem_tra

    for src in damaged(built_samples, tmp_path):
        out = recalc_gnumeric(src, tmp_path / "gn" / src.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            gn_bad = {rule for rule, status in kiem_tra(out).items() if status == BAD}
        python_bad = {f.rule for f in validate_file(src).findings if not f.rule.startswith(PYTHON_ONLY)}
        assert gn_bad == python_bad, (src.name, gn_bad ^ python_bad)


def test_measured_gnumeric_num_error_on_n_of_an_empty_name(built_samples, tmp_path):
    """The templates (every score blank) are where N(empty name) failed: no #NUM! anywhere now."""
    if ssconvert() is None:
        pytest.skip("Gnumeric (ssconvert) is not installed")
    for path in sorted(TEMPLATES.glob("*.xlsx")):
        out = recalc_gnumeric(path, tmp_path / path.name)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            wb = openpyxl.load_workbook(out, data_only=True)
        errors = [(ws.title, c.coordinate) for ws in wb.worksheets for row in ws.iter_rows() for c in row
                  if isinstance(c.value, str) and c.value.startswith("#")]
        assert errors == []
    formulas = [c.value for p in TEMPLATES.glob("*.xlsx") for ws in openpyxl.load_workbook(p).worksheets
                for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas and not any(re.search(r"(?<![A-Z])N\(", f) for f in formulas)
