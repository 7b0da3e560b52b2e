"""fill and recompute: only the cells that must change change; Excel-less readers see correct numbers."""

from __future__ import annotations

import pytest
import yaml

from cchc_xl.cli import main
from cchc_xl.commands.fill import fill_workbook
from cchc_xl.commands.recompute import recompute_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.ooxml.reader import read_formulas, read_report, workbook_index, zip_parts
from tests.wbtools import raw_write, rewrite_part


def _data(tmp_path, doc) -> str:
    p = tmp_path / "data.yaml"
    p.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return str(p)


def test_untouched_parts_byte_identical_and_derived_values_fresh(built_samples, tmp_path):
    src = built_samples["le-hong-6thang-2022"]
    out = tmp_path / "out.xlsx"
    fill_workbook(src, {"values": {"BM1-2.2": 26}}, out)
    before, after = zip_parts(src), zip_parts(out)
    assert set(before) == set(after)
    changed = {name for name in before if before[name] != after[name]}
    assert changed == {"xl/worksheets/sheet2.xml", "xl/worksheets/sheet4.xml"}  # Biểu mẫu, Kiểm tra
    report = read_report(out)  # python-calamine reads cached values only
    assert report.values["BM1-2.2"] == 26 and report.values["BM1-2"] == 92.86
    assert validate_file(out).findings == validate_file(src).findings


def test_fill_keeps_user_additions(built_samples, tmp_path):
    """A part staff added (a picture's media file, a comment part) survives byte for byte."""
    src = built_samples["hoang-truong-nam-2023"]
    with_logo = rewrite_part(src, tmp_path / "logo.xlsx", "docProps/app.xml", lambda x: x)
    import zipfile

    with zipfile.ZipFile(with_logo, "a") as zf:
        zf.writestr("xl/media/logo.png", b"\x89PNG fake logo bytes")
    out = tmp_path / "out.xlsx"
    fill_workbook(with_logo, {"values": {"3.3.1": 1597}}, out)
    assert zip_parts(out)["xl/media/logo.png"] == b"\x89PNG fake logo bytes"
    assert validate_file(out).errors == 1  # the sum now holds; only 3.4.3 remains


def test_fill_cli_in_place_keeps_backup(built_samples, tmp_path, capsys):
    work = tmp_path / "xa.xlsx"
    work.write_bytes(built_samples["hoang-truong-nam-2023"].read_bytes())
    original = work.read_bytes()
    assert main(["fill", str(work), _data(tmp_path, {"values": {"3.3.1": "1.597"}}), "--in-place"]) == 0
    assert (tmp_path / "xa.xlsx.bak").read_bytes() == original
    assert read_report(work).values["3.3.1"] == 1597
    assert "'1.597' có thể hiểu nhiều cách" in capsys.readouterr().err


def test_fill_dry_run_and_bad_data_write_nothing(built_samples, tmp_path, capsys):
    src = built_samples["hoang-truong-nam-2023"]
    before = src.read_bytes()
    assert main(["fill", str(src), _data(tmp_path, {"values": {"3.3.1": 5}})]) == 0
    assert "Chưa ghi gì" in capsys.readouterr().err
    out = tmp_path / "o.xlsx"
    assert main(["fill", str(src), _data(tmp_path, {"values": {"9.9": 5}}), "-o", str(out)]) == 2
    assert "Mã chỉ tiêu '9.9' không có trong mẫu" in capsys.readouterr().err
    assert not out.exists() and src.read_bytes() == before


def test_fill_stated_mismatch_exit_1(built_samples, tmp_path, capsys):
    code = main(["fill", str(built_samples["le-hong-6thang-2022"]), _data(tmp_path, {"values": {"BM3-3.3": "99,9"}}),
                 "-o", str(tmp_path / "o.xlsx")])
    assert code == 1
    out = capsys.readouterr().out
    assert "[Lỗi]" in out and "BM3-3.3 = 99,9" in out and "tính lại = 100" in out
    # the stated figure is never written over the formula
    assert read_formulas(tmp_path / "o.xlsx", [workbook_index(tmp_path / "o.xlsx").names["CT_BM3_3_3"]])


def test_formula_text_is_written_as_text(built_samples, tmp_path):
    out = tmp_path / "o.xlsx"
    fill_workbook(built_samples["hoang-truong-nam-2023"], {"meta": {"xa": "=HYPERLINK(\"x\")"},
                                                           "notes": {"3.3.1": "=1+1"}}, out)
    ref = workbook_index(out).names["TT_XA"]
    assert read_formulas(out, [ref])[ref] is None
    assert read_report(out).meta["xa"] == '=HYPERLINK("x")'


def test_recompute_restores_overwritten_formulas(built_samples, tmp_path, capsys):
    bad = raw_write(built_samples["le-hong-6thang-2022"], tmp_path / "t.xlsx", {"CT_BM1_2": 85, "THAMDINH_TONG": 1})
    assert main(["recompute", str(bad), "-o", str(tmp_path / "fixed.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "Đã khôi phục công thức của BM1-2" in out and "total" in out
    fixed = validate_file(tmp_path / "fixed.xlsx")
    assert not any(f.rule.startswith(("formula:", "score-formula:")) for f in fixed.findings)
    assert read_report(tmp_path / "fixed.xlsx").values["BM1-2"] == 85.71


def test_recompute_refreshes_missing_cached_values(built_samples, tmp_path):
    """A file last saved by openpyxl has no cached values; recompute puts them back."""
    import openpyxl

    saved = tmp_path / "openpyxl.xlsx"
    openpyxl.load_workbook(built_samples["le-hong-6thang-2022"]).save(saved)
    stale = validate_file(saved)
    assert any(f.rule.startswith("cached-mismatch:") for f in stale.findings)
    recompute_workbook(saved, tmp_path / "fresh.xlsx")
    fresh = read_report(tmp_path / "fresh.xlsx")
    assert fresh.values["BM1-2"] == 85.71 and fresh.values["BM3-3.3"] == 100
    assert not any(f.rule.startswith("cached-mismatch:") for f in validate_file(tmp_path / "fresh.xlsx").findings)


@pytest.mark.libreoffice
def test_filled_workbook_recalculates_to_the_same_values(soffice, built_samples, tmp_path):
    import openpyxl

    from tests.support.libreoffice import recalc_xlsx

    out = tmp_path / "filled.xlsx"
    fill_workbook(built_samples["hoang-truong-nam-2023"], {"values": {"3.3.1": 1597, "7.5.1": 70, "3.2.4": 99.5},
                                                           "appraised": {"2": 4.5}}, out)
    (lo,) = recalc_xlsx([out], tmp_path / "lo")
    ours = openpyxl.load_workbook(out, data_only=True)
    formulas = openpyxl.load_workbook(out)
    theirs = openpyxl.load_workbook(lo, data_only=True)
    n = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    a, b = ours[ws.title][cell.coordinate].value, theirs[ws.title][cell.coordinate].value
                    assert (a in ("", None) and b in ("", None)) or a == pytest.approx(b), (ws.title, cell.coordinate)
                    n += 1
    assert n > 100
