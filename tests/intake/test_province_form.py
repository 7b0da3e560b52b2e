"""A third, made-up province form added without code: a form spreadsheet passed with --form FILE, end to end
(template build, new, fill, validate, consolidate, diff, import), and its row-numbered checks."""

from __future__ import annotations

import json

import pytest
import yaml
from openpyxl import Workbook

from cchc_xl.cli import main
from cchc_xl.model.catalog import _REGISTERED
from cchc_xl.ooxml.reader import read_report
from cchc_xl.sources.form_sheet import load_form_sheet

from .corpus import form_rows, write_xlsx

FORM_ID = "bieu-mau-tinh-an-lac-2024"
INDICATORS = [
    ("ma", "stt", "chi_tieu", "don_vi_tinh", "loai", "gia_tri", "ma_cha", "cong_thuc"),
    ("1", "I", "Công tác chỉ đạo điều hành CCHC", "", "nhom", "", "", ""),
    ("1.1", "1", "Số văn bản chỉ đạo CCHC đã ban hành", "Văn bản", "so_dem", "", "", ""),
    ("1.2", "2", "Tỷ lệ hoàn thành kế hoạch CCHC", "%", "ty_le", "", "", "1.2.2 / 1.2.1"),
    ("1.2.1", "2.1", "Số nhiệm vụ đề ra trong kế hoạch", "Nhiệm vụ", "so_dem", "", "", ""),
    ("1.2.2", "2.2", "Số nhiệm vụ đã hoàn thành", "Nhiệm vụ", "so_dem", "", "", ""),
    ("2", "II", "Cải cách thủ tục hành chính", "", "nhom", "", "", ""),
    ("2.1", "3", "Tổng số TTHC thuộc thẩm quyền giải quyết của xã", "Thủ tục", "so_dem", "", "", ""),
    ("2.2", "4", "Niêm yết công khai TTHC tại bộ phận một cửa", "", "ma_tra_loi", "Có = 1; Không = 0", "", ""),
]
INFO = [("id", FORM_ID), ("version", "2024.1"), ("name", "Biểu mẫu CCHC tỉnh An Lạc"),
        ("title", "THỐNG KÊ SỐ LIỆU CẢI CÁCH HÀNH CHÍNH CẤP XÃ"), ("province", "An Lạc"),
        ("periods", "6thang, nam"), ("framework", "chi-so-cchc-xa-hai-duong-2022"), ("total_procedures", "2.1")]
RULES = [("id", "left", "op", "right", "severity", "message"),
         ("van-ban-toi-da", "1.1", "<=", "2.1 * 10", "warning", "Số văn bản chỉ đạo nhiều bất thường")]


def write_form(path, indicators=INDICATORS, info=INFO, rules=RULES):
    wb = Workbook()
    ws = wb.active
    ws.title = "chi_tieu"
    for row in indicators:
        ws.append(list(row))
    ws2 = wb.create_sheet("thong_tin")
    for row in info:
        ws2.append(list(row))
    ws3 = wb.create_sheet("quy_tac")
    for row in rules:
        ws3.append(list(row))
    wb.save(path)
    return path


@pytest.fixture(autouse=True)
def _forget_registered():
    yield
    _REGISTERED.pop(FORM_ID, None)


def data(xa: str, code: str, values: dict) -> dict:
    return {"form": FORM_ID, "meta": {"tinh": "An Lạc", "huyen": "Bình Sơn", "xa": xa, "ma_xa": code, "ky": "nam",
                                      "nam": 2024}, "values": values}


def test_made_up_province_form_end_to_end(tmp_path, capsys):
    form_file = write_form(tmp_path / "an-lac.xlsx")
    form = load_form_sheet(form_file)
    assert form.by_code["1.2"].derive.codes == ("1.2.2", "1.2.1")
    assert form.by_code["2.2"].allowed == (("Có", 1), ("Không", 0))

    assert main(["template", "build", "--form", str(form_file), "-o", str(tmp_path / "mau.xlsx")]) == 0
    assert read_report(tmp_path / "mau.xlsx").form.id == FORM_ID  # the id main() registered from the file

    folder = tmp_path / "xa"
    folder.mkdir()
    for name, code, values in (("An Bình", "1", {"1.1": 4, "1.2.1": 10, "1.2.2": 8, "2.1": 120, "2.2": 1}),
                               ("An Phú", "2", {"1.1": 2, "1.2.1": 5, "1.2.2": 5, "2.1": 110, "2.2": 0})):
        src = tmp_path / f"{code}.yaml"
        src.write_text(yaml.safe_dump(data(name, code, values), allow_unicode=True), encoding="utf-8")
        assert main(["new", str(src), "-o", str(folder / f"{code}.xlsx"), "--form", str(form_file)]) == 0
    change = tmp_path / "sua.yaml"
    change.write_text(yaml.safe_dump({"form": FORM_ID, "values": {"1.2.2": 9}}), encoding="utf-8")
    assert main(["fill", str(folder / "1.xlsx"), str(change), "-o", str(tmp_path / "1-moi.xlsx"),
                 "--form", str(form_file)]) == 0
    capsys.readouterr()

    assert main(["validate", str(folder / "1.xlsx"), "--form", str(form_file)]) == 0
    broken = tmp_path / "sai.yaml"
    broken.write_text(yaml.safe_dump({"form": FORM_ID, "values": {"1.2.2": 30}}), encoding="utf-8")
    assert main(["fill", str(folder / "2.xlsx"), str(broken), "-o", str(tmp_path / "2-sai.xlsx"),
                 "--form", str(form_file)]) == 0
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "2-sai.xlsx"), "--form", str(form_file), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert any(f["rule"] == "part-whole:1.2" for f in doc["findings"])

    assert main(["diff", str(folder / "1.xlsx"), str(tmp_path / "1-moi.xlsx"), "--form", str(form_file),
                 "--format", "json"]) == 1
    changes = json.loads(capsys.readouterr().out)["changes"]
    assert any(c["kind"] == "value" and c["code"] == "1.2.2" for c in changes)

    assert main(["consolidate", str(folder), "-o", str(tmp_path / "tong-hop.xlsx"), "--json",
                 str(tmp_path / "tong-hop.json"), "--form", str(form_file), "--quiet"]) == 0
    totals = json.loads((tmp_path / "tong-hop.json").read_text(encoding="utf-8"))["totals"]
    assert totals["1.1"] == 6 and totals["1.2"] == round(13 / 15 * 100, 2)

    appendix = tmp_path / "phu-luc-an-binh.xlsx"
    write_xlsx(appendix, form, form_rows(form, {"1.1": 4, "1.2.1": 10, "1.2.2": 8, "2.1": 120, "2.2": 1}))
    out = tmp_path / "nhap.xlsx"
    assert main(["import", str(appendix), "-o", str(out), "--form", str(form_file), "--meta", "nam=2024"]) == 0
    report = read_report(out)
    assert report.form.id == FORM_ID and report.values["2.1"] == 120 and report.values["2.2"] == 1


def test_form_spreadsheet_problems_are_listed_with_row_numbers(tmp_path, capsys):
    rows = [*INDICATORS, ("1.1", "", "Trùng mã", "", "so_dem", "", "", ""),
            ("3", "", "Loại sai", "", "phan_tram", "", "", ""),
            ("4", "", "Mã trả lời sai", "", "ma_tra_loi", "Có/Không", "", ""),
            ("5", "", "Công thức sai", "", "ty_le", "", "", "tỷ lệ của 1.2.2"),
            ("6", "", "Cha không có", "", "so_dem", "", "9", "")]
    path = write_form(tmp_path / "sai.xlsx", indicators=rows)
    code = main(["template", "build", "--form", str(path), "-o", str(tmp_path / "x.xlsx")])
    err = capsys.readouterr().err
    assert code == 2 and not (tmp_path / "x.xlsx").exists()
    for fragment in ("dòng 10: mã '1.1' trùng với dòng 3", "dòng 11: loại 'phan_tram'", "dòng 12",
                     "dòng 13: công thức", "dòng 14: chỉ tiêu '6' tham chiếu mã không có '9'"):
        assert fragment in err, fragment
    assert "Traceback" not in err


def test_yaml_catalog_outside_the_package(tmp_path, capsys):
    doc = {"id": "bieu-thu", "version": "1", "name": "Biểu thử", "title": "BIỂU THỬ", "province": "An Lạc",
           "periods": ["nam"], "framework": "chi-so-cchc-xa-hai-duong-2022",
           "indicators": [{"code": "1", "label": "Số văn bản", "unit": "Văn bản", "kind": "count"}]}
    path = tmp_path / "bieu.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    try:
        assert main(["template", "build", "--form", str(path), "-o", str(tmp_path / "t.xlsx")]) == 0
    finally:
        _REGISTERED.pop("bieu-thu", None)
    path.write_text("id: x\nindicators: [{code: '1'}]\nrules: [{left: '1'}]\n", encoding="utf-8")
    assert main(["template", "build", "--form", str(path), "-o", str(tmp_path / "u.xlsx")]) == 2
    assert "Traceback" not in capsys.readouterr().err
