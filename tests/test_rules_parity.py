"""Rules are defined once and rendered twice: the workbook's live formulas and Python give the same verdicts.

LibreOffice headless recalculates damaged workbooks (the Excel stand-in); the ``formulas`` package is a
second, in-process engine. Python-only file checks (cached values, structure) are excluded by design.
"""

from __future__ import annotations

import openpyxl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl.commands.validate import validate_file
from cchc_xl.engine.rules import BAD, NA, OK, Env, ExprRule
from cchc_xl.model import expr
from cchc_xl.model.catalog import name_for
from cchc_xl.model.layout import CHECK_FIRST_ROW, CHECK_SHEET
from tests.wbtools import raw_write

PYTHON_ONLY = ("cached-mismatch:", "structure:", "missing-name:", "stated:")


def kiem_tra(path) -> dict[str, str]:
    ws = openpyxl.load_workbook(path, data_only=True)[CHECK_SHEET]
    out = {}
    for row in ws.iter_rows(min_row=CHECK_FIRST_ROW + 1, values_only=True):
        if row[1] is None:
            break
        out[row[1]] = row[2]
    return out


def damaged(built_samples, tmp_path) -> list:
    return [
        built_samples["hoang-truong-nam-2023"],
        built_samples["le-hong-6thang-2022"],
        raw_write(built_samples["hoang-truong-nam-2023"], tmp_path / "a.xlsx", {
            "CT_3_2_4": 150, "CT_1_3_1": 2.5, "CT_1_4_2": 7, "CT_3_3_1_a": -1, "CT_3_2_5": "12,5",
            "THAMDINH_2": 6, "DIEM_1_5": 1.2345, "THAMDINH_TONG": 50, "TT_XA": None, "CT_2_5": 9, "CT_2_4": 3}),
        raw_write(built_samples["le-hong-6thang-2022"], tmp_path / "b.xlsx", {
            "CT_BM1_2": 85, "CT_BM3_3_3": 99.9, "CT_BM2_2_2": 0, "CT_BM1_3_3_2": 5, "CT_BM1_3_3_1": 3,
            "TT_KY": "Quý V", "CT_BM6_1_2": 20000, "CT_BM6_1_1": 10000}),
    ]


@pytest.mark.libreoffice
def test_libreoffice_and_python_agree_on_every_rule(soffice, built_samples, tmp_path):
    from tests.support.libreoffice import recalc_xlsx

    files = damaged(built_samples, tmp_path)
    recalculated = recalc_xlsx(files, tmp_path / "lo")
    assert len(recalculated) == len(files)
    for src, lo in zip(files, recalculated, strict=True):
        excel_bad = {rule for rule, status in kiem_tra(lo).items() if status == BAD}
        python_bad = {f.rule for f in validate_file(src).findings if not f.rule.startswith(PYTHON_ONLY)}
        assert excel_bad == python_bad, (src.name, excel_bad ^ python_bad)
        assert all(status in (OK, BAD, NA) for status in kiem_tra(lo).values())
    assert len(python_bad) >= 8  # the damaged workbook really exercises many families


@pytest.mark.slow
def test_formulas_engine_agrees_with_cached_verdicts(built_samples):
    """The ``formulas`` package recalculates the template's own formulas in-process."""
    import warnings

    import formulas

    path = built_samples["le-hong-6thang-2022"]
    warnings.filterwarnings("ignore")
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    computed = {}
    for key, value in solution.items():
        sheet, _, cell = key.rpartition("!")
        if ":" in cell:
            continue
        if CHECK_SHEET.upper() in sheet.upper() and cell.startswith("C"):
            computed[int(cell[1:])] = value.value[0][0]
        if "BIỂU MẪU" in sheet.upper() and cell in ("D9", "D64"):
            computed[cell] = value.value[0][0]
    cached = kiem_tra(path)
    compared = 0
    for i, (rule, status) in enumerate(cached.items()):
        theirs = computed.get(CHECK_FIRST_ROW + 1 + i)
        if theirs in (OK, BAD, NA):  # formulas lacks ISFORMULA; those rows come back as errors
            assert theirs == status, rule
            compared += 1
    assert compared >= 0.8 * len(cached)
    assert computed["D9"] == 85.71  # BM1-2 = 24/28


values = st.one_of(st.none(), st.integers(-5, 2000), st.floats(-10, 2000, allow_nan=False), st.text(max_size=3))


@settings(max_examples=300, deadline=None)
@given(a=values, b=values, c=values, op=st.sampled_from(["==", "!=", "<=", ">=", "<", ">", "both", "not-both"]),
       missing=st.sampled_from(["skip-if-any", "skip-if-all", "zero"]))
def test_expression_rule_matches_a_reference_evaluation(a, b, c, op, missing):
    known = {"1.1", "1.2", "1.3"}
    right = "1.2 + 1.3" if op not in ("both", "not-both") else "1.2"
    rule = ExprRule("r", "error", expr.parse("1.1", known), op, expr.parse(right, known), missing, name_for, "")
    env = Env({"CT_1_1": a, "CT_1_2": b, "CT_1_3": c}, set())
    got = rule.check(env).status

    def num(v):
        return v if isinstance(v, int | float) else None

    x, y, z = num(a), num(b), num(c)
    if op == "both":
        want = OK if (x is None) == (y is None) else BAD
    elif op == "not-both":
        want = BAD if x is not None and y is not None else OK
    else:
        present = [v for v in (x, y, z) if v is not None]
        if (missing == "skip-if-any" and len(present) < 3) or (missing == "skip-if-all" and not present):
            want = NA
        else:
            lv, rv = x or 0, (y or 0) + (z or 0)
            holds = {"==": abs(lv - rv) <= 1e-6, "!=": abs(lv - rv) > 1e-6, "<=": lv <= rv + 1e-6,
                     ">=": lv >= rv - 1e-6, "<": lv < rv - 1e-6, ">": lv > rv + 1e-6}[op]
            want = OK if holds else BAD
    assert got == want


@given(st.text(alphabet="0123456789.+-*/() abcBM", max_size=20))
def test_expression_parser_never_crashes_unexpectedly(text):
    try:
        expr.parse(text, {"1", "1.1", "1.1.a"})
    except expr.ExprError:
        pass
