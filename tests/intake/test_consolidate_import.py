"""``consolidate --import`` / ``--migrate``: foreign layouts and older versions taken on the fly, marked, with the
mapping problems counted as findings; without the options the rejection names them."""

from __future__ import annotations

import json

from openpyxl import load_workbook

from cchc_xl.cli import main
from cchc_xl.commands.new import new_workbook
from cchc_xl.model.catalog import load_form

from .corpus import SEED_001, build_corpus, figures, form_rows, write_xlsx


def _folder(tmp_path):
    folder = tmp_path / "xa"
    folder.mkdir()
    for name, code in (("Ngũ Hùng", "101"), ("Chi Lăng Bắc", "102")):
        new_workbook({"form": "hai-duong-bieu-mau-2022",
                      "meta": {"tinh": "Hải Dương", "huyen": "Thanh Miện", "xa": name, "ma_xa": code, "ky": "6thang",
                               "nam": 2022}, "values": {"BM1-1": 5, "BM1-2.1": 10, "BM1-2.2": 9}},
                     folder / f"{code}.xlsx")
    word = next(v for v in build_corpus(tmp_path / "corpus") if v.name == "w001-bay-bang-word")
    (folder / "le-hong.docx").write_bytes(word.path.read_bytes())
    form = load_form("hai-duong-bieu-mau-2022")
    rows = form_rows(form, figures(SEED_001), extra_after="BM1-1")
    sheet = folder / "doan-tung.xlsx"
    write_xlsx(sheet, form, rows, sections=True)
    wb = load_workbook(sheet)
    wb.active["A2"] = "UBND XÃ ĐOÀN TÙNG"
    wb.save(sheet)
    return folder


def test_foreign_files_are_rejected_naming_the_import_option(tmp_path, capsys):
    folder = _folder(tmp_path)
    js = tmp_path / "th.json"
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "th.xlsx"), "--json", str(js), "--quiet"]) == 1
    rejected = {r["file"]: r["reason"] for r in json.loads(js.read_text(encoding="utf-8"))["rejected"]}
    assert set(rejected) == {"le-hong.docx", "doan-tung.xlsx"}
    assert all("--import" in reason for reason in rejected.values())


def test_consolidate_import_takes_them_marked_with_their_mapping_problems(tmp_path, capsys):
    folder = _folder(tmp_path)
    js = tmp_path / "th.json"
    code = main(["consolidate", str(folder), "-o", str(tmp_path / "th.xlsx"), "--json", str(js), "--quiet",
                 "--import"])
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["rejected"] == []
    units = {u["xa"]: u for u in doc["units"]}
    assert set(units) == {"Ngũ Hùng", "Chi Lăng Bắc", "Lê Hồng", "Đoàn Tùng"}
    assert units["Lê Hồng"]["values"]["BM3-3.3.1"] == 1221
    assert doc["totals"]["BM1-1"] == 5 + 5 + 20 + 20
    assert code == 1  # the extra row of Đoàn Tùng is an unmatched figure: a finding
    wb = load_workbook(tmp_path / "th.xlsx", read_only=True)
    check = [" ".join(str(c) for c in row if c is not None) for row in wb["Kiểm tra"].iter_rows(values_only=True)]
    assert any("nhập từ tệp ngoài mẫu 'le-hong.docx'" in line for line in check)
    assert any("nhập từ tệp ngoài mẫu 'doan-tung.xlsx'" in line for line in check)
    assert any("Số cuộc họp giao ban về CCHC" in line and "không khớp" in line for line in check)
    assert units["Đoàn Tùng"]["errors"] >= 1
