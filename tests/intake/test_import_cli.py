"""``cchc-xl import`` end to end: exit codes, Vietnamese messages, the mapping report, options."""

from __future__ import annotations

import json

import pytest

from cchc_xl.cli import main
from cchc_xl.ooxml.reader import read_report

from .corpus import build_corpus


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    return {v.name: v.path for v in build_corpus(tmp_path_factory.mktemp("cli"))}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_word_report_is_imported_not_refused(files, tmp_path, capsys):
    """Before: any file not made by cchc-xl was refused; a Word report had no way in."""
    out = tmp_path / "xa.xlsx"
    code, text, err = run(capsys, "import", str(files["w004-phu-luc-word"]), "-o", str(out))
    assert code == 0, err
    assert "81 dòng khớp" in text and "47 số liệu" in text
    assert read_report(out).values["3.3.1"] == 1603
    assert main(["validate", str(out)]) == 1  # the seed's own inconsistencies, found as usual


def test_mapping_report_lists_every_row_with_the_documented_fields(files, tmp_path, capsys):
    report = tmp_path / "map.json"
    code, _, _ = run(capsys, "import", str(files["x004-dong-thua"]), "-o", str(tmp_path / "o.xlsx"),
                     "--report", str(report))
    assert code == 1
    doc = json.loads(report.read_text(encoding="utf-8"))
    assert set(doc) == {"source", "format", "form", "output", "tables", "encodings", "meta", "summary",
                        "warnings", "rows"}
    assert set(doc["summary"]) == {"matched", "ambiguous", "unmatched", "ignored", "values"}
    for row in doc["rows"]:
        assert set(row) == {"where", "table", "stt", "label", "code", "how", "value", "status", "reason",
                            "candidates", "score"}
        assert row["status"] in ("matched", "ambiguous", "unmatched", "ignored")
        assert row["how"] in (None, "code", "label", "order")
    extra = [r for r in doc["rows"] if r["status"] == "unmatched"]
    assert len(extra) == 1 and extra[0]["where"].startswith("Phu luc!B") and extra[0]["value"] == 4
    assert extra[0]["reason"]


def test_no_appendix_table_is_exit_2_with_what_was_looked_for(tmp_path, capsys):
    import docx

    d = docx.Document()
    d.add_paragraph("Báo cáo không có phụ lục")
    t = d.add_table(rows=2, cols=2)
    t.cell(0, 0).text, t.cell(0, 1).text = "Họ và tên", "Chức vụ"
    path = tmp_path / "khong-phu-luc.docx"
    d.save(path)
    code, _out, err = run(capsys, "import", str(path), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2
    assert "Không tìm thấy bảng phụ lục" in err and "STT" in err and "Chỉ tiêu" in err and "--column" in err
    assert "Traceback" not in err and not (tmp_path / "o.xlsx").exists()


def test_meta_option_overrides_the_heading(files, tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    code, _, _ = run(capsys, "import", str(files["x004-tieu-de-dong-9"]), "-o", str(out), "--meta", "ky=6thang",
                     "--meta", "xa=Hoằng Lộc")
    assert code == 0
    meta = read_report(out).meta
    assert (meta["ky"], meta["xa"], meta["huyen"]) == ("6thang", "Hoằng Lộc", "Hoằng Hóa")


def test_bad_meta_option_is_exit_2(files, tmp_path, capsys):
    code, _, err = run(capsys, "import", str(files["x004-tieu-de-dong-9"]), "-o", str(tmp_path / "o.xlsx"),
                       "--meta", "tinhthanh")
    assert code == 2 and "--meta" in err


def test_column_option_picks_another_value_column(files, tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    code, _, _ = run(capsys, "import", str(files["x004-cot-dao-ky-truoc"]), "-o", str(out), "--column", "Kỳ trước")
    assert code == 0
    assert read_report(out).values["3.3.1"] == 1610  # the Kỳ trước figure, on request


def test_existing_output_is_not_replaced_without_force(files, tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"keep")
    code, _, _err = run(capsys, "import", str(files["x004-tieu-de-dong-9"]), "-o", str(out))
    assert code == 2 and out.read_bytes() == b"keep"
    assert run(capsys, "import", str(files["x004-tieu-de-dong-9"]), "-o", str(out), "--force")[0] == 0


def test_without_output_only_the_mapping_is_reported(files, capsys):
    code, text, _ = run(capsys, "import", str(files["w001-bay-bang-word"]), "--format", "json")
    doc = json.loads(text)
    assert code == 0 and doc["output"] is None and doc["form"] == "hai-duong-bieu-mau-2022"


def test_damaged_docx_is_one_vietnamese_sentence(tmp_path, capsys):
    path = tmp_path / "hong.docx"
    path.write_bytes(b"PK\x03\x04" + b"\x00" * 100)
    code, _, err = run(capsys, "import", str(path), "-o", str(tmp_path / "o.xlsx"))
    assert code == 2 and "Traceback" not in err and err.strip()


def test_form_is_detected_or_forced(files, capsys):
    code, text, _ = run(capsys, "import", str(files["x004-tieu-de-dong-9"]), "--format", "json")
    assert json.loads(text)["form"] == "phu-luc-01b"
    code, text, _ = run(capsys, "import", str(files["x004-tieu-de-dong-9"]), "--form", "hai-duong-bieu-mau-2022",
                        "--format", "json")
    doc = json.loads(text)
    # Forced onto the other province's form: only the indicators both forms share are matched, by label.
    assert code == 1 and doc["form"] == "hai-duong-bieu-mau-2022"
    assert all(r["how"] in ("label", "order") for r in doc["rows"] if r["status"] == "matched" and r["stt"])
