"""Catalog integrity: codes, parents, formulas, the printed-form fixes, and the scoring framework."""

from __future__ import annotations

import unicodedata
from decimal import Decimal

import pytest

from cchc_xl.errors import CatalogError
from cchc_xl.model.catalog import KINDS, list_forms, load_form, load_framework, name_for, parse_framework

FORMS = list_forms()


def test_required_forms_exist():
    assert {"phu-luc-01b", "hai-duong-bieu-mau-2022"} <= set(FORMS)


@pytest.mark.parametrize("form_id", FORMS)
def test_form_integrity(form_id):
    form = load_form(form_id)
    codes = [i.code for i in form.indicators]
    assert len(codes) == len(set(codes)), "codes are unique"
    assert len({name_for(c) for c in codes}) == len(codes), "defined names are unique"
    for ind in form.indicators:
        assert ind.kind in KINDS
        assert ind.parent is None or ind.parent in form.by_code
        assert codes.index(ind.parent) < codes.index(ind.code) if ind.parent else True
        if ind.derive:
            assert all(c in form.by_code and form.by_code[c].is_input for c in ind.derive.codes)
        if ind.kind == "coded":
            assert ind.allowed and len(set(ind.allowed_values)) == len(ind.allowed)
        for text in (ind.label, ind.unit, ind.note):
            assert unicodedata.is_normalized("NFC", text)
            assert "  " not in text
        assert ind.label
    assert form.total_procedures in form.by_code
    assert len({r.id for r in form.rules}) == len(form.rules)


def test_phu_luc_01b_codes_follow_the_print_with_fixes():
    form = load_form("phu-luc-01b")
    # The repeated "1.1.2"/"1.1.3" under 1.2 become 1.2.2/1.2.3, and the fix is recorded.
    assert form.indicator("1.2.2").label == "Số vấn đề phát hiện qua kiểm tra"
    assert form.indicator("1.2.3").parent == "1.2"
    assert {(f.code, f.printed) for f in form.fixes} >= {("1.2.2", "1.1.2"), ("1.2.3", "1.1.3"), ("7.6", "7.6.")}
    # Printed gaps are kept as they are.
    assert "3.3.5" in form.by_code and "3.3.4" not in form.by_code
    assert "7.2.3" in form.by_code and "7.2.2" not in form.by_code
    # "Trong đó" rows get the parent's code plus a letter, in printed order.
    assert [form.indicator(f"3.3.1.{x}").label for x in "abcd"] == [
        "Tiếp nhận trực tiếp",
        "Tiếp nhận qua BCCI",
        "Tiếp nhận trực tuyến mức độ 3",
        "Tiếp nhận trực tuyến mức độ 4",
    ]
    assert form.indicator("3.3.1.a").printed == "Trong đó"
    assert {form.indicator(c).kind for c in ("7.2.3.a", "7.2.3.b")} == {"percent"}
    # Group rows that carry a value keep an input cell.
    for code in ("1.1", "1.2", "3.1", "3.2", "3.4", "4.1"):
        assert form.indicator(code).header and form.indicator(code).is_input
    assert form.indicator("1.4.2").allowed == (("Trực tuyến", 0), ("Phát phiếu", 1), ("Kết hợp", 2))
    assert form.indicator("7.1").allowed_values == (0, 1, 2)
    assert form.periods == ("quy1", "quy2", "quy3", "quy4", "6thang", "9thang", "nam")


def test_hai_duong_ratios_and_sections():
    form = load_form("hai-duong-bieu-mau-2022")
    assert [s.id for s in form.sections] == [f"BM{n}" for n in range(1, 8)]
    ratios = {i.code: i.derive.codes for i in form.derived}
    assert ratios["BM3-3.3"] == ("BM3-3.3.2", "BM3-3.3.1")
    assert ratios["BM1-2"] == ("BM1-2.2", "BM1-2.1")
    assert len(ratios) == 12
    assert "9thang" not in form.periods
    assert form.indicator("BM6-1.1").kind == "amount"


def test_framework_hai_duong():
    fw = load_framework("chi-so-cchc-xa-hai-duong-2022")
    fields = fw.fields
    assert [f.code for f in fields] == [str(n) for n in range(1, 11)]
    assert [f.max for f in fields] == [Decimal(x) for x in "15 5 18.5 6 11 7 11.5 2 14 10".split()]
    assert sum(f.max for f in fields) == 100
    assert [f.self_assessed for f in fields] == [True] * 8 + [False] * 2
    assert fw.criterion("1.5").max == Decimal("2.5")
    assert fw.criterion("1.6").max == 1 and fw.criterion("1.7").max == 3
    assert {f"7.1.{n}" for n in range(1, 8)} <= set(fw.by_code)
    assert fw.criterion("7.1.3").parent == "7.1"
    # Breakdowns the seeds leave incomplete keep the parent as an input.
    assert not fw.criterion("1").computed and not fw.criterion("7").computed


def _rows(text: str) -> list[dict[str, str]]:
    lines = [line.split(";") for line in text.strip().splitlines()]
    return [dict(zip(lines[0], row, strict=True)) for row in lines[1:]]


def test_framework_vietnamese_headers_and_decimal_comma():
    rows = _rows("ma;noi_dung;diem_toi_da;ma_cha;hinh_thuc\n1;A;60;;tu_cham\n1.1;A1;20,5;1;\n1.2;A2;39,5;1;\n2;B;40;;dieu_tra")
    fw = parse_framework("x", rows)
    assert fw.criterion("1").computed  # children complete: the field is their sum
    assert fw.criterion("1.1").max == Decimal("20.5")
    assert fw.criterion("1.2").assessment == "tu_cham"
    assert fw.criterion("2").assessment == "dieu_tra"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("code;label;max;parent\n1;A;60;\n1.1;A1;20;1\n1.2;A2;30;1\n2;B;40;", "tổng điểm tối đa các tiêu chí con của '1' là 50"),
        ("code;label;max;parent\n1;A;60;\n2;B;30;", "tổng điểm tối đa của các lĩnh vực là 90, phải bằng 100"),
        ("code;label;max;parent\n1;A;abc;\n2;B;100;", "điểm tối đa 'abc' của tiêu chí '1' không phải là số không âm"),
        ("code;label;max;parent\n1;A;100;\n1.1;A1;;9", "tiêu chí '1.1' có tiêu chí cha '9' không tồn tại"),
        ("code;label;max;parent\n1;A;50;\n1;B;50;", "mã tiêu chí '1' bị trùng"),
        ("code;label;max\n1;A;100", "thiếu cột 'parent'"),
    ],
)
def test_framework_errors_are_reported_in_vietnamese(text, expected):
    with pytest.raises(CatalogError) as info:
        parse_framework("khung", _rows(text))
    assert any(expected in p for p in info.value.problems), info.value.problems
    assert all(unicodedata.is_normalized("NFC", p) for p in info.value.problems)


def test_framework_from_xlsx(tmp_path):
    import xlsxwriter

    path = tmp_path / "khung-2025.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Khung")
    rows = [["Mã", "Nội dung", "Điểm tối đa", "Mã cha", "Hình thức"], ["1", "Chỉ đạo", 70, "", "tu_cham"],
            ["2", "Hài lòng", 30, "", "dieu_tra"]]
    for r, row in enumerate(rows):
        ws.write_row(r, 0, row)
    wb.close()
    fw = load_framework(str(path))
    assert fw.id == "khung-2025"
    assert [(c.code, c.max) for c in fw.criteria] == [("1", 70), ("2", 30)]
