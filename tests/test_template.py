"""The generated templates: committed copies are current, and their anatomy is what every tool relies on."""

from __future__ import annotations

import re

import openpyxl
import pytest
from openpyxl.worksheet.cell_range import MultiCellRange

from cchc_xl.commands.template import stale_templates, template_path
from cchc_xl.model.catalog import framework_for, list_forms, load_form
from cchc_xl.model.data import META_FIELDS
from cchc_xl.model.layout import CHECK_SHEET, INFO_SHEET, SCORE_SHEET, stat_sheet_name
from cchc_xl.model.report import parse_ref
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.ooxml.reader import workbook_index, zip_parts
from tests.conftest import TEMPLATES

FORMS = list_forms()


def test_committed_templates_are_current():
    assert stale_templates(TEMPLATES, FORMS) == []


def test_build_is_deterministic(tmp_path):
    form = load_form("phu-luc-01b")
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    build_workbook(a, form, framework_for(form))
    build_workbook(b, form, framework_for(form))
    assert a.read_bytes() == b.read_bytes()


@pytest.fixture(scope="module", params=FORMS)
def template(request):
    form = load_form(request.param)
    path = template_path(TEMPLATES, form.id)
    return form, framework_for(form), openpyxl.load_workbook(path), path


def test_sheets(template):
    form, _, wb, _ = template
    assert wb.sheetnames == [INFO_SHEET, stat_sheet_name(form), SCORE_SHEET, CHECK_SHEET]


def test_every_defined_name_points_at_the_row_of_its_code(template):
    form, fw, wb, path = template
    names = workbook_index(path).names
    stat = wb[stat_sheet_name(form)]
    for ind in form.cells:
        ref = names[ind.name]
        assert ref.sheet == stat.title
        assert stat.cell(ref.row + 1, 6).value == ind.code  # hidden code column
        assert ref.col == 3
    scores = wb[SCORE_SHEET]
    for crit in fw.criteria:
        ref = names[crit.appraised_name]
        assert scores.cell(ref.row + 1, 1).value == crit.code and ref.col == 4
        if crit.self_assessed:
            assert names[crit.self_name] == type(ref)(ref.sheet, ref.row, 3)
        else:
            assert crit.self_name not in names  # survey fields have no self-score
    info = wb[INFO_SHEET]
    for key, label, _ in META_FIELDS:
        ref = names["TT_" + key.upper()]
        assert info.cell(ref.row + 1, 1).value.startswith(label)
    assert info[names["TT_TEMPLATE_ID"].address].value == form.id
    assert info[names["TT_TEMPLATE_VERSION"].address].value == form.version


def test_inputs_unlocked_validated_formulas_locked(template):
    form, _fw, wb, path = template
    names = workbook_index(path).names
    stat = wb[stat_sheet_name(form)]
    assert stat.protection.sheet and wb[SCORE_SHEET].protection.sheet and wb[INFO_SHEET].protection.sheet
    validated = MultiCellRange()
    for dv in stat.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            validated.add(rng.coord)
    for ind in form.cells:
        cell = stat[names[ind.name].address]
        if ind.is_input:
            assert cell.protection.locked is False, ind.code
            assert cell.coordinate in validated, f"{ind.code} has no data validation"
        else:
            assert cell.protection.locked is not False
            assert isinstance(cell.value, str) and cell.value.startswith("="), ind.code
    coded = [dv for dv in stat.data_validations.dataValidation if dv.type == "list"]
    assert len(coded) == sum(1 for i in form.cells if i.kind == "coded")
    assert all(dv.error and dv.errorTitle == "Giá trị không hợp lệ" for dv in stat.data_validations.dataValidation)


def test_print_setup_a4_fit_width_repeated_header(template):
    form, _, wb, _ = template
    ws = wb[stat_sheet_name(form)]
    assert ws.page_setup.paperSize == 9
    assert ws.sheet_properties.pageSetUpPr.fitToPage and ws.page_setup.fitToWidth in (None, 1)  # 1 is the default
    assert ws.page_setup.fitToHeight == 0
    assert ws.print_title_rows == "$5:$6"
    assert ws.column_dimensions["F"].hidden  # the code column never prints
    for row in ws.iter_rows(min_row=1, max_row=ws.max_row):
        for cell in row:
            if isinstance(cell.value, str) and not cell.value.startswith("="):
                assert cell.font.name == "Times New Roman"


def test_scoring_sheet_formulas(template):
    _, _fw, wb, path = template
    names = workbook_index(path).names
    ws = wb[SCORE_SHEET]
    total = ws[names["THAMDINH_TONG"].address].value
    assert total == "=SUM(" + ",".join(f"THAMDINH_{n}" for n in range(1, 11)) + ")"
    assert ws[names["DIEM_TONG"].address].value == "=SUM(" + ",".join(f"DIEM_{n}" for n in range(1, 9)) + ")"


def test_parse_ref():
    ref = parse_ref("'Phụ lục'!$D$7")
    assert (ref.sheet, ref.row, ref.col, ref.address) == ("Phụ lục", 6, 3, "D7")
    assert parse_ref("'It''s'!$AA$10").sheet == "It's"
    assert parse_ref("#REF!") is None and parse_ref("Sheet1!$A$1:$B$2") is None


def test_templates_have_cached_values_for_every_formula(template):
    *_, path = template
    for name, xml in zip_parts(path).items():
        if name.startswith("xl/worksheets/sheet"):
            cells = re.findall(rb"<c [^>]*>(.*?)</c>", xml)
            with_formula = [c for c in cells if b"<f>" in c]
            assert all(b"<v>" in c for c in with_formula), name
