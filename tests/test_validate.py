"""validate: the seeds' own inconsistencies are caught at their severity, nothing else fires; bad files exit 2."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from pathlib import Path

import pytest

from cchc_xl.cli import main
from cchc_xl.commands.fill import fill_workbook
from cchc_xl.commands.validate import validate_file
from tests.badfiles import EXPECTED, make_corpus
from tests.wbtools import insert_rows, raw_write, rename_sheet, rewrite_part

ROOT = Path(__file__).resolve().parents[1]


def rules_of(result, severity=None):
    return {f.rule for f in result.findings if severity is None or f.severity == severity}


def test_seed_004_hoang_truong(built_samples):
    r = validate_file(built_samples["hoang-truong-nam-2023"])
    assert rules_of(r, "error") == {"sum-3.3.1-channels", "procedures:3.4.3"}  # S4-01, S4-03
    # S4-09; S4-02 (a + b = 3.3.2 = 1588, c, d online levels within 3.3.1.c/d) holds: no finding
    assert rules_of(r, "warning") == {"online-level3-procedures-reported", "online-level4-procedures-reported"}
    by_rule = {f.rule: f for f in r.findings}
    f = by_rule["sum-3.3.1-channels"]
    assert f.sheet == "Phụ lục" and f.codes == ("3.3.1", "3.3.1.a", "3.3.1.b", "3.3.1.c", "3.3.1.d")
    assert "1.603" in f.message and "1.597" in f.message
    assert by_rule["procedures:3.4.3"].codes == ("3.4.3", "3.1.3")


def test_seed_001_le_hong(built_samples):
    r = validate_file(built_samples["le-hong-6thang-2022"])
    assert rules_of(r, "error") == {"amount:BM6-1.1",  # S1-18: text in a Triệu đồng cell
                                    "stated-ratio-consistent:BM3-3.3"}  # S1-02: printed 99,9 for 1221/1221
    assert rules_of(r, "warning") == {"bm3-commune-procedures-equal-total",  # S1-17
                                      "stated-ratio-rounding:BM1-2",  # S1-01: 85 for 85,71
                                      *(f"stated-ratio-not-applicable:{c}"  # S1-04/05/06: 0 written for 0/0
                                        for c in ("BM2-2.2", "BM2-3.2", "BM3-3.4", "BM7-6.7", "BM7-6.8"))}
    text = next(f for f in r.findings if f.rule == "amount:BM6-1.1")
    assert "ô chứa chữ thay vì số" in text.message and "10.000 Triệu đồng" in text.message


def test_seed_001_stated_ratios_through_fill(built_samples, tmp_path):
    stated = {"BM1-2": 85, "BM3-3.3": 99.9, "BM2-2.2": 0, "BM2-3.2": 0, "BM3-3.4": 0, "BM7-6.8": 0, "BM7-6.6": 100}
    result = fill_workbook(built_samples["le-hong-6thang-2022"], {"values": stated})
    found = {(f.rule, f.severity) for f in result.findings}
    assert found == {
        ("stated-ratio-rounding:BM1-2", "warning"),  # S1-01: 24/28 = 85,71 written as 85
        ("stated-ratio-consistent:BM3-3.3", "error"),  # S1-02: 99,9 with 1221/1221
        ("stated-ratio-not-applicable:BM2-2.2", "warning"),  # S1-04
        ("stated-ratio-not-applicable:BM2-3.2", "warning"),
        ("stated-ratio-not-applicable:BM3-3.4", "warning"),  # S1-05
        ("stated-ratio-not-applicable:BM7-6.7", "warning"),  # kept from the sample's own stated figures
        ("stated-ratio-not-applicable:BM7-6.8", "warning"),  # S1-06
    }  # BM7-6.6 = 100 = 116/116 holds: no finding


def test_measured_stated_figures_reach_validate_only_through_fill(tmp_path):
    """The same data gives the same verdict whichever command wrote it (new + validate vs fill)."""
    from cchc_xl.commands.new import new_workbook
    from cchc_xl.sources.datafile import load_data

    doc = load_data(ROOT / "samples" / "data" / "le-hong-6thang-2022.yaml")
    new_workbook(doc, tmp_path / "new.xlsx")
    via_validate = {(f.rule, f.severity, f.message) for f in validate_file(tmp_path / "new.xlsx").findings
                    if f.rule.startswith("stated")}
    bare = {k: v for k, v in doc.items() if k != "stated"}
    new_workbook(bare, tmp_path / "bare.xlsx")
    via_fill = fill_workbook(tmp_path / "bare.xlsx", {"stated": doc["stated"]}, tmp_path / "filled.xlsx")
    assert {(f.rule, f.severity, f.message) for f in via_fill.findings} == via_validate
    assert sum(s == "error" for _, s, _ in via_validate) == 1 and sum(s == "warning" for _, s, _ in via_validate) == 6
    refilled = {(f.rule, f.severity, f.message) for f in validate_file(tmp_path / "filled.xlsx").findings
                if f.rule.startswith("stated")}
    assert refilled == via_validate


def test_par_samples_are_clean_and_stated_totals_checked(built_samples):
    for stem in ("quang-khai-nam-2022", "dong-tam-nam-2022"):
        assert validate_file(built_samples[stem]).status == "ok"
    dong_tam = fill_workbook(built_samples["dong-tam-nam-2022"], {"stated": {"total": 87.75}})
    assert dong_tam.findings == ()  # 87,747 published as 87,75
    hiep_hoa = fill_workbook(built_samples["hiep-hoa-nam-2022"], {"stated": {"total": 84.40}})
    # six fields are not in the seed: the finding says so, not that 84,4 is wrong
    assert [f.rule for f in hiep_hoa.findings] == ["stated-total-fields-missing"]
    assert "4, 5, 6, 8, 9, 10" in hiep_hoa.findings[0].message


def test_measured_stated_total_with_missing_fields_reported_as_wrong_total(built_samples):
    r = validate_file(built_samples["hiep-hoa-nam-2022"])  # its data file states total: 84,40
    rules = {f.rule for f in r.findings}
    assert "stated:total" not in rules and {"stated-total-fields-missing", "score-incomplete"} <= rules


def test_formula_overwritten_by_constant(built_samples, tmp_path):
    bad = raw_write(built_samples["le-hong-6thang-2022"], tmp_path / "t.xlsx", {"CT_BM1_2": 85, "THAMDINH_TONG": 90})
    r = validate_file(bad)
    assert {"formula:BM1-2", "ratio-rounding:BM1-2", "score-formula:THAMDINH:total"} <= rules_of(r)
    f = next(f for f in r.findings if f.rule == "formula:BM1-2")
    assert f.severity == "error" and "=IF(SUM(CT_BM1_2_1)=0" in f.message and f.cell == "D9"


def test_text_in_number_cells(built_samples, tmp_path):
    bad = raw_write(built_samples["hoang-truong-nam-2023"], tmp_path / "t.xlsx",
                    {"CT_3_2_4": "12,5", "CT_1_3_1": "1.224", "CT_3_2_5": "85%"})
    msgs = {f.rule: f.message for f in validate_file(bad).findings}
    assert "có thể là 12,5" in msgs["percent:3.2.4"]
    assert "có thể là 1.224" in msgs["count:1.3.1"]
    assert "có thể là 85" in msgs["percent:3.2.5"]


def test_kind_families(built_samples, tmp_path):
    bad = raw_write(built_samples["hoang-truong-nam-2023"], tmp_path / "t.xlsx",
                    {"CT_3_2_4": 150, "CT_1_3_1": 2.5, "CT_1_4_2": 7, "CT_3_3_1_a": -1, "THAMDINH_2": 6})
    assert {"percent:3.2.4", "count:1.3.1", "coded:1.4.2", "count:3.3.1.a", "score:THAMDINH:2"} <= rules_of(
        validate_file(bad), "error")


def test_renamed_sheet_still_validates(built_samples, tmp_path):
    moved = rename_sheet(built_samples["hoang-truong-nam-2023"], tmp_path / "r.xlsx", "Phụ lục", "PL 01b")
    r = validate_file(moved)
    assert r.status == "findings"
    assert {"sum-3.3.1-channels", "procedures:3.4.3", "structure:sheet-renamed"} <= rules_of(r)
    renamed = next(f for f in r.findings if f.rule == "structure:sheet-renamed")
    assert "'Phụ lục' đã được đổi tên thành 'PL 01b'" in renamed.message


def test_inserted_rows_reported_once_and_still_validated(built_samples, tmp_path):
    moved = insert_rows(built_samples["hoang-truong-nam-2023"], tmp_path / "i.xlsx", "Phụ lục", 20, 2)
    r = validate_file(moved)
    structure = [f for f in r.findings if f.rule == "structure:rows-moved"]
    assert len(structure) == 1 and "(có dòng bị chèn hoặc xóa)" in structure[0].message
    assert {"sum-3.3.1-channels", "procedures:3.4.3"} <= rules_of(r, "error")
    assert next(f for f in r.findings if f.rule == "sum-3.3.1-channels").cell == "D45"


def test_older_template_version_is_unusable(built_samples, tmp_path, capsys):
    old = raw_write(built_samples["hoang-truong-nam-2023"], tmp_path / "old.xlsx", {"TT_TEMPLATE_VERSION": "2020.1"})
    r = validate_file(old)
    assert r.status == "unusable" and r.unusable.kind == "old-version"
    assert main(["validate", str(old)]) == 2
    assert "phiên bản 2020.1" in capsys.readouterr().out


def test_lost_defined_name(built_samples, tmp_path):
    lost = rewrite_part(built_samples["hoang-truong-nam-2023"], tmp_path / "n.xlsx", "xl/workbook.xml",
                        lambda x: x.replace(b'<definedName name="CT_3_3_5">', b'<definedName name="XX_3_3_5">'))
    r = validate_file(lost)
    # The indicator is found again by its code in the hidden code column: read, and the lost name reported.
    assert "structure:name-missing" in rules_of(r, "warning")
    assert r.report.cells["CT_3_3_5"] == validate_file(built_samples["hoang-truong-nam-2023"]).report.cells["CT_3_3_5"]


def test_every_bad_file_kind_exit_2_no_traceback_input_untouched(tmp_path, capsys):
    corpus = make_corpus(tmp_path)
    for case, path in corpus.items():
        if EXPECTED[case] in ("xlsx", "xlsm"):
            continue
        before = hashlib.sha256(path.read_bytes()).hexdigest()
        assert main(["validate", str(path)]) == 2, case
        out = capsys.readouterr().out
        assert "Traceback" not in out and out.count("\n") == 1, (case, out)
        assert unicodedata.is_normalized("NFC", out)
        assert hashlib.sha256(path.read_bytes()).hexdigest() == before
    # a valid workbook that is not ours
    assert main(["validate", str(corpus["good-xlsx"])]) == 2
    assert "không phải là sổ làm việc do cchc-xl tạo" in capsys.readouterr().out


def test_json_output_shape(built_samples, capsys):
    assert main(["validate", str(built_samples["hoang-truong-nam-2023"]), "--format", "json"]) == 1
    doc = json.loads(capsys.readouterr().out)
    assert set(doc) == {"file", "form", "status", "errors", "warnings", "findings"}
    assert doc["status"] == "findings" and doc["errors"] == 2 and doc["warnings"] == 2
    assert set(doc["findings"][0]) == {"rule", "severity", "codes", "sheet", "cell", "message", "values"}


def test_json_many_files_and_exit_codes(built_samples, capsys):
    files = [str(built_samples["quang-khai-nam-2022"]), str(built_samples["dong-tam-nam-2022"])]
    assert main(["validate", *files, "--format", "json"]) == 0
    docs = json.loads(capsys.readouterr().out)
    assert [d["status"] for d in docs] == ["ok", "ok"]


def test_text_output_grouped_by_sheet(built_samples, capsys):
    main(["validate", str(built_samples["le-hong-6thang-2022"])])
    out = capsys.readouterr().out
    assert "2 lỗi, 7 cảnh báo" in out and "  Biểu mẫu:" in out and "[Lỗi] D87" in out


def test_annotate(built_samples, tmp_path, capsys):
    import openpyxl

    out = tmp_path / "danh-dau.xlsx"
    src = built_samples["hoang-truong-nam-2023"]
    before = src.read_bytes()
    assert main(["validate", str(src), "--annotate", str(out)]) == 1
    assert src.read_bytes() == before
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames[0] == "Kết quả kiểm tra"
    ws = wb["Phụ lục"]
    assert ws["D43"].fill.fgColor.rgb.endswith("FFC7CE") and "3.3.1" in ws["D43"].comment.text
    results = wb["Kết quả kiểm tra"]
    assert results["D3"].hyperlink is not None and results.max_row == 2 + 4


def test_lock_file_in_cli(tmp_path, capsys):
    lock = tmp_path / "~$bao-cao.xlsx"
    lock.write_bytes(b"\x00" * 162)
    assert main(["validate", str(lock)]) == 2
    assert "~$bao-cao.xlsx" in capsys.readouterr().out


@pytest.mark.parametrize("stem", ["quang-khai-nam-2022", "hoang-truong-nam-2023"])
def test_validation_does_not_modify_input(built_samples, stem):
    path = built_samples[stem]
    before = path.read_bytes()
    validate_file(path)
    assert path.read_bytes() == before


@pytest.mark.parametrize(
    ("part", "edit"),
    [
        ("xl/worksheets/sheet2.xml", lambda x: x[: len(x) // 2]),  # truncated sheet XML
        ("xl/worksheets/sheet1.xml", lambda x: b'<worksheet><sheetData><row r="1"><c r="A1"><v>1</v></row>'
                                               b"</sheetData></worksheet>"),  # malformed
    ],
)
def test_unreadable_sheet_xml_is_unusable(built_samples, tmp_path, capsys, part, edit):
    bad = rewrite_part(built_samples["hoang-truong-nam-2023"], tmp_path / "bad.xlsx", part, edit)
    r = validate_file(bad)
    assert r.status == "unusable" and r.unusable.kind == "bad-sheet"
    assert main(["validate", str(bad)]) == 2
    out = capsys.readouterr().out
    assert "bị hỏng: nội dung trang" in out and "Traceback" not in out
