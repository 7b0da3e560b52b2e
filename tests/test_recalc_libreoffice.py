"""A real spreadsheet engine agrees: LibreOffice recalculates every formula to the cached value we wrote."""

from __future__ import annotations

import openpyxl
import pytest

from tests.conftest import TEMPLATES

pytestmark = pytest.mark.libreoffice


def _formula_cells(path):
    formulas = openpyxl.load_workbook(path)
    cached = openpyxl.load_workbook(path, data_only=True)
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    yield ws.title, cell.coordinate, cached[ws.title][cell.coordinate].value


def test_libreoffice_recalculation_matches_cached_values(soffice, built_samples, tmp_path):
    from tests.support.libreoffice import recalc_xlsx

    inputs = [*built_samples.values(), *sorted(TEMPLATES.glob("*.xlsx"))]
    outputs = recalc_xlsx(inputs, tmp_path / "recalc")
    assert len(outputs) == len(inputs) and all(p.is_file() for p in outputs)
    checked = 0
    for source, recalculated in zip(inputs, outputs, strict=True):
        lo = openpyxl.load_workbook(recalculated, data_only=True)
        for sheet, coord, ours in _formula_cells(source):
            theirs = lo[sheet][coord].value
            if ours in ("", None):
                assert theirs in ("", None), (source.name, sheet, coord, theirs)
            else:
                assert theirs == pytest.approx(ours, abs=1e-9), (source.name, sheet, coord, ours, theirs)
            checked += 1
    assert checked > 100
