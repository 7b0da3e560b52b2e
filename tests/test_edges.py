"""Vietnamese at the data-file edge (issue 11 item 9, the parts done): `;` CSV, period words, no English."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from cchc_xl.errors import DataError
from cchc_xl.sources.datafile import load_data, period_code

ENGLISH = re.compile(r"\b(Errno|No such file|Expecting|line \d+ column|list index|while parsing|Traceback)\b")


def _problems(path) -> str:
    with pytest.raises(DataError) as info:
        load_data(path)
    return "\n".join(info.value.problems)


def test_measured_semicolon_csv_gives_list_index_out_of_range(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("code;value\nBM1-1;3\nBM6-1.1;\"10,5\"\n", encoding="utf-8")
    assert load_data(path) == {"values": {"BM1-1": "3", "BM6-1.1": "10,5"}}


def test_csv_row_without_a_value_is_named(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("code,value\nBM1-1,3\nBM1-2\n", encoding="utf-8")
    text = _problems(path)
    assert "dòng 3" in text and not ENGLISH.search(text)


def test_measured_missing_file_gives_errno(tmp_path):
    text = _problems(tmp_path / "khong-co.yaml")
    assert "không tìm thấy tệp" in text and not ENGLISH.search(text)


@pytest.mark.parametrize(("name", "body"), [("d.json", '{"values": {"BM1-1": 3,}}'), ("d.yaml", "meta:\n  ky: [\n")])
def test_measured_json_syntax_error_in_english(tmp_path, name, body):
    path = tmp_path / name
    path.write_text(body, encoding="utf-8")
    text = _problems(path)
    assert "sai cú pháp ở dòng" in text and not ENGLISH.search(text)


@pytest.mark.parametrize(("text", "code"), [
    ("quý 1", "quy1"), ("Quý II", "quy2"), ("quy 3", "quy3"), ("Quý IV", "quy4"), ("6 tháng", "6thang"),
    ("9 tháng", "9thang"), ("cả năm", "nam"), ("năm", "nam"), ("Năm", "nam"), ("6thang", "6thang")])
def test_measured_period_words_refused(text, code):
    assert period_code(text) == code


@pytest.mark.parametrize("text", ["quý 5", "tháng 13", "", "năm 2022"])
def test_unknown_period_words_stay_refused(text):
    assert period_code(text) is None


def test_measured_output_suffix_mismatch_written_anyway(tmp_path):
    import zipfile

    from click.testing import CliRunner

    from cchc_xl.cli import cli

    data = Path(__file__).resolve().parents[1] / "samples" / "data" / "hoang-truong-nam-2023.yaml"
    csv_out = tmp_path / "out.csv"
    run = CliRunner().invoke(cli, ["new", str(data), "-o", str(csv_out)])
    assert run.exit_code == 2 and not csv_out.exists() and ".xlsx" in run.output
    pytest.importorskip("pyopenvba")
    xlsm_out = tmp_path / "out.xlsm"
    run = CliRunner().invoke(cli, ["new", str(data), "-o", str(xlsm_out)])
    assert run.exit_code == 0, run.output
    with zipfile.ZipFile(xlsm_out) as z:
        assert "xl/vbaProject.bin" in z.namelist()  # honoured: a real macro-enabled package
