"""The command line: help with examples, JSON catalog, template check, and exit codes without tracebacks."""

from __future__ import annotations

import json

import pytest

from cchc_xl.cli import cli, main


def test_every_command_has_help_with_an_example(capsys):
    for name, command in cli.commands.items():
        if name == "template":
            command = command.commands["build"]
        assert command.help and "Example:" in command.help, name


def test_catalog_json(capsys):
    assert main(["catalog", "phu-luc-01b", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    rows = {r["code"]: r for r in doc["indicators"]}
    assert rows["3.3.1.a"]["name"] == "CT_3_3_1_a" and rows["3.3.1.a"]["parent"] == "3.3.1"
    assert rows["1.4.2"]["allowed"] == {"Trực tuyến": 0, "Phát phiếu": 1, "Kết hợp": 2}


def test_catalog_table_and_list(capsys):
    assert main(["catalog", "--list"]) == 0
    assert "phu-luc-01b" in capsys.readouterr().out
    assert main(["catalog", "hai-duong-bieu-mau-2022"]) == 0
    assert "BM3-3.3" in capsys.readouterr().out


def test_template_check_is_clean(capsys):
    assert main(["template", "build", "--check"]) == 0


def test_template_check_detects_stale(tmp_path, capsys):
    (tmp_path / "phu-luc-01b.xlsx").write_bytes(b"old")
    assert main(["template", "build", "--check", "--dir", str(tmp_path), "--form", "phu-luc-01b"]) == 1
    assert "đã cũ so với danh mục" in capsys.readouterr().err


def test_framework_from_a_clerks_csv(tmp_path, capsys):
    good = tmp_path / "khung.csv"
    good.write_text("ma,noi_dung,diem_toi_da,ma_cha,hinh_thuc\n1,A,\"60,5\",,tu_cham\n2,B,\"39,5\",,dieu_tra\n",
                    encoding="utf-8")
    assert main(["framework", str(good)]) == 0
    assert "2 lĩnh vực" in capsys.readouterr().out
    bad = tmp_path / "sai.csv"
    bad.write_text("ma,noi_dung,diem_toi_da,ma_cha\n1,A,60,\n", encoding="utf-8")
    assert main(["framework", str(bad)]) == 2
    assert "phải bằng 100" in capsys.readouterr().err


@pytest.mark.parametrize("args", [["show", "/nonexistent.xlsx"], ["show", "/etc"], ["catalog", "khong-co"]])
def test_unusable_input_exit_2_one_sentence(args, capsys):
    assert main(args) == 2
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err and len(captured.err.strip().splitlines()) == 1


def test_show_not_our_workbook(tmp_path, capsys):
    import xlsxwriter

    path = tmp_path / "la.xlsx"
    xlsxwriter.Workbook(path).close()
    assert main(["show", str(path)]) == 2
    assert "không phải là sổ làm việc do cchc-xl tạo" in capsys.readouterr().err


def test_show_sample(capsys):
    from tests.conftest import SAMPLES

    assert main(["show", str(SAMPLES / "hoang-truong-nam-2023.xlsx")]) == 0
    out = capsys.readouterr().out
    assert "Hoằng Trường" in out and "1.603" in out
