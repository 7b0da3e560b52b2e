"""``new``: values written by code are read back by code (python-calamine and openpyxl); bad data writes nothing."""

from __future__ import annotations

import openpyxl
import pytest
import yaml

from cchc_xl.cli import main
from cchc_xl.model.catalog import load_form
from cchc_xl.ooxml.reader import read_report, workbook_index
from tests.conftest import SAMPLE_DATA


def _doc(stem: str) -> dict:
    return yaml.safe_load(next(p for p in SAMPLE_DATA if p.stem == stem).read_text(encoding="utf-8"))


@pytest.mark.parametrize("stem", [p.stem for p in SAMPLE_DATA])
def test_round_trip_by_code_with_calamine_and_openpyxl(built_samples, stem):
    doc = _doc(stem)
    path = built_samples[stem]
    report = read_report(path)  # python-calamine
    values = {k: v for k, v in report.values.items() if v is not None}
    from cchc_xl.model.numbers import parse_number

    expected = {k: parse_number(v).value for k, v in (doc.get("values") or {}).items()}
    expected.update(doc.get("text") or {})
    derived = {i.code for i in report.form.derived}
    assert {k: v for k, v in values.items() if k not in derived} == expected
    assert {k: v for k, v in report.appraised.items() if v is not None} == pytest.approx(doc.get("appraised") or {})
    for key, value in (doc.get("meta") or {}).items():
        assert report.meta[key] == value

    # The same through openpyxl, following the defined names ourselves.
    wb = openpyxl.load_workbook(path, data_only=True)
    names = workbook_index(path).names
    for code, value in expected.items():
        ref = names[report.form.indicator(code).name]
        assert wb[ref.sheet][ref.address].value == value, code


def test_derived_cells_carry_correct_cached_values(built_samples):
    report = read_report(built_samples["le-hong-6thang-2022"])
    assert report.values["BM1-2"] == 85.71  # 24/28 — the report printed 85
    assert report.values["BM3-3.3"] == 100  # 1221/1221 — the report printed 99,9
    assert report.values["BM2-2.2"] is None  # 0/0 is "not applicable", not 0
    assert report.values["BM7-6.6"] == 100
    assert report.values["BM6-1.1"] == "10 tỷ đồng/0%"  # kept as text for validation to report
    assert report.totals["THAMDINH_TONG"] == 0
    dong_tam = read_report(built_samples["dong-tam-nam-2022"])
    assert dong_tam.totals["THAMDINH_TONG"] == pytest.approx(87.747)
    quang_khai = read_report(built_samples["quang-khai-nam-2022"])
    assert quang_khai.totals["THAMDINH_TONG"] == pytest.approx(85.68)


def test_stated_figures_are_kept_in_the_note(built_samples):
    path = built_samples["le-hong-6thang-2022"]
    ref = workbook_index(path).names["CT_BM3_3_3"]
    ws = openpyxl.load_workbook(path)[ref.sheet]
    assert ws.cell(ref.row + 1, ref.col + 2).value == "Đơn vị báo cáo: 99,9"


def _write(tmp_path, doc: dict):
    path = tmp_path / "data.yaml"
    path.write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        ({"values": {"9.9.9": 1}}, "Mã chỉ tiêu '9.9.9' không có trong mẫu 'phu-luc-01b'."),
        ({"values": {"3.3.1": "abc"}}, "Giá trị 'abc' của chỉ tiêu '3.3.1' (Số lượng hồ sơ đã tiếp nhận) không hợp lệ: không phải là số"),
        ({"values": {"3.3.1": 12.5}}, "phải là số nguyên"),
        ({"values": {"3.3.1": -1}}, "phải là số không âm"),
        ({"values": {"3.2.4": 101}}, "tỷ lệ phải nằm trong khoảng 0–100"),
        ({"values": {"1.5": 3}}, "chỉ nhận các giá trị Không = 0; Có = 1"),
        ({"values": {"3.3": 5}}, "là dòng tiêu đề nhóm"),
        ({"form": "hai-duong-bieu-mau-2022", "values": {"BM1-2": 85}}, "được tính tự động từ công thức BM1-2.2 / BM1-2.1 × 100"),
        ({"scores": {"9": 5}}, "được đánh giá qua điều tra xã hội học, không có điểm tự chấm"),
        ({"appraised": {"2": 5.5}}, "vượt quá điểm tối đa 5"),
        ({"appraised": {"8": 1.5771}}, "tối đa 3 chữ số thập phân"),
        ({"appraised": {"11": 1}}, "Mã tiêu chí '11' không có trong khung chỉ số"),
        ({"meta": {"ky": "quy5"}}, "kỳ báo cáo phải là một trong"),
        ({"meta": {"ky": "9thang"}, "form": "hai-duong-bieu-mau-2022"}, "kỳ báo cáo phải là một trong"),
        ({"form": "khong-co"}, "Không có mẫu biểu 'khong-co'"),
    ],
)
def test_bad_data_exit_2_nothing_written(tmp_path, capsys, doc, message):
    out = tmp_path / "out.xlsx"
    assert main(["new", str(_write(tmp_path, doc)), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert message in err
    assert not out.exists() and list(tmp_path.glob("*.xlsx")) == []


def test_all_problems_reported_at_once(tmp_path, capsys):
    doc = {"values": {"9.9.9": 1, "3.3.1": "x"}, "appraised": {"2": 99}}
    assert main(["new", str(_write(tmp_path, doc)), "-o", str(tmp_path / "o.xlsx")]) == 2
    assert len(capsys.readouterr().err.strip().splitlines()) == 3


def test_vietnamese_strings_are_understood_and_ambiguity_warned(tmp_path, capsys):
    doc = {"values": {"3.3.1": "1.224", "3.2.4": "85%", "1.3.1": " 12 ", "3.3.1.b": "02"}}
    out = tmp_path / "o.xlsx"
    assert main(["new", str(_write(tmp_path, doc)), "-o", str(out)]) == 0
    assert "'1.224' có thể hiểu nhiều cách; đã hiểu là 1.224" in capsys.readouterr().err
    values = read_report(out).values
    assert (values["3.3.1"], values["3.2.4"], values["1.3.1"], values["3.3.1.b"]) == (1224, 85, 12, 2)


def test_text_starting_with_equals_stays_text(tmp_path):
    doc = {"meta": {"xa": "=HYPERLINK(\"http://x\")", "nguoi_lap": "=1+1"}, "values": {"3.3.1": 5},
           "notes": {"3.3.1": "=SUM(A1:A9)"}}
    out = tmp_path / "o.xlsx"
    assert main(["new", str(_write(tmp_path, doc)), "-o", str(out)]) == 0
    report = read_report(out)
    assert report.meta["xa"] == "=HYPERLINK(\"http://x\")" and report.meta["nguoi_lap"] == "=1+1"
    wb = openpyxl.load_workbook(out)
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") and cell.data_type == "f":
                    assert "HYPERLINK" not in cell.value and "A1:A9" not in cell.value and cell.value != "=1+1"


def test_csv_values_file(tmp_path):
    data = tmp_path / "values.csv"
    data.write_text("code,value\n3.3.1,1603\n3.3.1.a,581\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    assert main(["new", str(data), "-o", str(out)]) == 0
    assert read_report(out).values["3.3.1.a"] == 581


def test_refuses_to_overwrite_without_force(tmp_path, capsys):
    out = tmp_path / "o.xlsx"
    out.write_bytes(b"keep")
    data = _write(tmp_path, {"values": {"3.3.1": 1}})
    assert main(["new", str(data), "-o", str(out)]) == 2
    assert out.read_bytes() == b"keep"
    assert "đã tồn tại; dùng --force" in capsys.readouterr().err
    assert main(["new", str(data), "-o", str(out), "--force"]) == 0


def test_every_input_code_round_trips(tmp_path):
    """Property-style sweep: a distinct valid value in every input cell of every form comes back by code."""
    for form_id in ("phu-luc-01b", "hai-duong-bieu-mau-2022"):
        form = load_form(form_id)
        values = {}
        for n, ind in enumerate(form.inputs):
            values[ind.code] = ind.allowed_values[-1] if ind.kind == "coded" else (n % 100 if ind.kind == "percent" else n)
        out = tmp_path / f"{form_id}.xlsx"
        from cchc_xl.commands.new import new_workbook

        new_workbook({"form": form_id, "values": values}, out)
        got = read_report(out).values
        assert {k: got[k] for k in values} == values
