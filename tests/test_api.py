"""The Python API (issue 16): functions, to_dict() = the CLI's JSON, to_frame() columns and dtypes,
DataFrames in, and ``new --batch`` writing one prefilled, identity-locked workbook per commune."""

from __future__ import annotations

import json
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from openpyxl import load_workbook

import cchc_xl
from cchc_xl.cli import main
from cchc_xl.commands.batch import slug
from tests.conftest import ROOT, SAMPLES

pd = pytest.importorskip("pandas")

FORM = "hai-duong-bieu-mau-2022"
EXPECTED = SAMPLES / "province" / "expected.csv"
HOANG_TRUONG = SAMPLES / "hoang-truong-nam-2023.xlsx"
INFO_ROWS = {"tinh": 4, "huyen": 5, "xa": 6, "ma_xa": 7, "ky": 8, "nam": 9, "nguoi_lap": 10, "ngay_lap": 11}


def cli_json(capsys, args: list[str]) -> object:
    capsys.readouterr()
    main(args)
    return json.loads(capsys.readouterr().out)


def plain(doc: object) -> object:
    """A document as it looks after a JSON round trip (dates as text, tuples as lists)."""
    return json.loads(json.dumps(doc, ensure_ascii=False, default=str))


def locked(path: Path) -> dict[str, bool]:
    ws = load_workbook(path)["Thông tin"]
    return {k: ws.cell(row, 2).protection.locked for k, row in INFO_ROWS.items()}


@pytest.fixture(scope="module")
def sent(tmp_path_factory) -> Path:
    """The demo province's expected list sent out as prefilled workbooks (once per module)."""
    out = tmp_path_factory.mktemp("api") / "gui-xa"
    assert main(["new", "--batch", str(EXPECTED), "--form", FORM, "--tinh", "Hải Dương", "--ky", "nam",
                 "--nam", "2022", "-o", str(out)]) == 0
    return out


@pytest.fixture
def small(tmp_path) -> Path:
    """Three communes of the expected list (keeps tests that need no full list fast)."""
    lines = EXPECTED.read_text(encoding="utf-8").splitlines()
    path = tmp_path / "ba-xa.csv"
    path.write_text("\n".join([lines[0], lines[1], lines[21], lines[25]]) + "\n", encoding="utf-8")
    return path


def batch(tmp_path: Path, table: Path, *extra: str, out: str = "gui-xa") -> tuple[int, Path]:
    target = tmp_path / out
    code = main(["new", "--batch", str(table), "--form", FORM, "-o", str(target), *extra])
    return code, target


# ---------------------------------------------------------------------------------------- the functions


def test_api_functions_stay_functions_after_the_commands_are_imported():
    import cchc_xl.commands.consolidate
    import cchc_xl.commands.diff
    import cchc_xl.commands.fill
    import cchc_xl.commands.validate

    for name in ("read", "validate", "fill", "new", "consolidate", "diff"):
        assert callable(getattr(cchc_xl, name)), name
    assert cchc_xl.Report.__name__ == "Report" and issubclass(cchc_xl.DataError, cchc_xl.CchcError)


def test_report_to_dict_is_the_show_json(capsys):
    report = cchc_xl.read(HOANG_TRUONG)
    shown = cli_json(capsys, ["show", str(HOANG_TRUONG), "--format", "json"])
    shown.pop("index")  # the standing index is the engine's reading of the scores (engine/scores.py), added by show
    assert plain(report.to_dict()) == shown


def test_report_to_frame_codes_text_labels_nfc_blanks_na():
    report = cchc_xl.read(HOANG_TRUONG)
    df = report.to_frame()
    assert list(df.columns) == ["code", "label", "unit", "value"]
    assert list(df.code) == [i.code for i in report.form.cells]
    assert str(df.code.dtype) == "string" and "3.3.1.a" in set(df.code)
    assert all(unicodedata.is_normalized("NFC", label) for label in df.label)
    by_code = df.set_index("code").value
    assert by_code["3.3.1"] == 1603
    blank = [c for c, v in report.values.items() if v is None]
    assert blank and all(pd.isna(by_code[c]) for c in blank)  # NA, never 0
    assert str(df.value.dtype) in ("Int64", "Float64")


def test_validation_to_dict_is_the_validate_json_and_frame_has_the_finding_columns(capsys):
    result = cchc_xl.validate(HOANG_TRUONG)
    assert plain(result.to_dict()) == cli_json(capsys, ["validate", str(HOANG_TRUONG), "--format", "json"])
    df = result.to_frame()
    assert list(df.columns) == ["rule", "severity", "codes", "sheet", "cell", "message"]
    assert len(df) == len(result.findings) > 0
    assert list(df.codes) == [list(f.codes) for f in result.findings]
    assert cchc_xl.validate(cchc_xl.read(HOANG_TRUONG)).to_dict() == result.to_dict()  # a Report works too


def test_validation_of_an_unusable_file_gives_an_empty_frame(tmp_path):
    bad = tmp_path / "hong.xlsx"
    bad.write_bytes(b"not a workbook")
    result = cchc_xl.validate(bad)
    assert result.status == "unusable"
    df = result.to_frame()
    assert df.empty and list(df.columns) == ["rule", "severity", "codes", "sheet", "cell", "message"]


def test_diff_to_dict_is_the_diff_json_and_frame_has_a_row_per_change(capsys):
    old, new = SAMPLES / "quang-khai-nam-2022.xlsx", SAMPLES / "dong-tam-nam-2022.xlsx"
    result = cchc_xl.diff(old, new)
    assert plain(result.to_dict()) == cli_json(capsys, ["diff", str(old), str(new), "--format", "json"])
    df = result.to_frame()
    assert len(df) == len(result.changes)
    assert {"kind", "code", "old", "new", "abs_change", "caused_by"} <= set(df.columns)
    assert str(df.abs_change.dtype) == "Float64"
    scores = cchc_xl.diff(SAMPLES / "dong-tam-nam-2022.xlsx", scores=True)
    assert scores.mode == "scores"


def test_consolidation_to_dict_is_the_json_report_and_frame_is_one_row_per_commune(tmp_path, capsys):
    out = tmp_path / "tong-hop.json"
    main(["consolidate", str(SAMPLES / "province"), "-o", str(tmp_path / "t.xlsx"), "--json", str(out),
          "--expected", str(EXPECTED), "--jobs", "1", "-q"])
    result = cchc_xl.consolidate(SAMPLES / "province", expected=EXPECTED, jobs=1)
    doc = plain(result.to_dict())
    written = json.loads(out.read_text(encoding="utf-8"))
    # the published JSON also carries the hash of the workbook published with it (issue 10)
    assert len(written.pop("workbook_sha256")) == 64
    assert doc == written
    df = result.to_frame()
    assert len(df) == len(result.units)
    codes = [i.code for i in result.form.cells]
    assert list(df.columns[:8]) == ["ma_xa", "xa", "huyen", "tinh", "file", "status", "errors", "warnings"]
    assert list(df.columns[8:8 + len(codes)]) == codes
    tail = ["basis", "score_total", *(f"score_{f.code}" for f in result.framework.fields), "rank_total",
            *(f"rank_{f.code}" for f in result.framework.fields), "rank_change", "rating"]
    assert list(df.columns[8 + len(codes):]) == tail
    first = df.iloc[0]
    unit = written["units"][0]
    assert first.ma_xa == unit["ma_xa"] and first.score_total == unit["scores"]["total"]
    assert first.rank_total == unit["rank"]["total"]["position"]
    assert set(df.basis.dropna()) == {"final"}  # every field appraised: the final index (issue 11)
    blank = [(i, c) for i, u in enumerate(written["units"]) for c, v in u["values"].items() if v is None]
    assert blank and all(pd.isna(df.iloc[i][c]) for i, c in blank)  # NA, not 0
    assert str(df["BM1-1"].dtype) == "Int64" and str(df["ma_xa"].dtype) == "string"


# ----------------------------------------------------------------------------------------- pandas stays out


def test_cli_start_up_and_commands_never_import_pandas(tmp_path, small):
    """The CLI's import time does not grow: pandas (and numpy) are not loaded by importing the CLI or by
    running show, validate and new --batch."""
    script = f"""
import sys
import cchc_xl.cli
assert "pandas" not in sys.modules and "numpy" not in sys.modules, "import"
from cchc_xl.cli import main
main(["show", {str(HOANG_TRUONG)!r}])
main(["validate", {str(HOANG_TRUONG)!r}])
main(["new", "--batch", {str(small)!r}, "--form", "{FORM}", "-o", {str(tmp_path / "out")!r}])
print(sorted(m for m in ("pandas", "numpy") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip().splitlines()[-1] == "[]"
    assert len(list((tmp_path / "out").glob("*.xlsx"))) == 3


def test_importtime_of_the_cli_has_no_pandas():
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", "import cchc_xl.cli"], capture_output=True,
                          text=True, cwd=ROOT, timeout=60)
    assert done.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if "|" in line}
    assert "cchc_xl.cli" in imported
    assert not {m for m in imported if m.split(".")[0] in ("pandas", "numpy")}


def test_to_frame_without_pandas_says_how_to_install(monkeypatch):
    report = cchc_xl.read(HOANG_TRUONG)
    monkeypatch.setitem(sys.modules, "pandas", None)
    with pytest.raises(ImportError, match=r"cchc-xl\[pandas\]"):
        report.to_frame()


# -------------------------------------------------------------------------------------- new --batch


def test_slug_safe_file_names():
    assert slug("Ứng Hòe") == "ung-hoe"
    assert slug("Đồng Tâm") == "dong-tam"
    assert slug("Thị trấn Tứ Kỳ / Khu 2") == "thi-tran-tu-ky-khu-2"


def test_new_batch_from_expected_list_then_consolidate_matches_every_commune_by_code(tmp_path, sent):
    out = sent
    expected = pd.read_csv(EXPECTED, dtype=str)
    files = sorted(out.glob("*.xlsx"))
    assert len(files) == len(expected) == 25
    assert (out / "ung-hoe-11206.xlsx").exists() and (out / "dong-tam-11201.xlsx").exists()
    for row in expected.itertuples():
        report = cchc_xl.read(out / f"{slug(row.xa)}-{row.ma_xa}.xlsx")
        assert report.meta["xa"] == row.xa and report.meta["ma_xa"] == row.ma_xa
        assert report.meta["huyen"] == row.huyen and report.meta["tinh"] == "Hải Dương"
        assert report.meta["ky"] == "nam" and report.meta["nam"] == 2022
    # The communes fill their copies (three of them with figures); the district consolidates them.
    back = tmp_path / "nhan-ve"
    figures = pd.DataFrame({"ma_xa": ["11101", "11206", "11210"], "BM1-1": [4, 7, 2], "BM1-2.1": [20, 12, 9],
                            "BM1-2.2": [18, 12, 9]})
    for path in files:
        if any(path.stem.endswith(c) for c in figures.ma_xa):
            result = cchc_xl.fill(path, figures, back / path.name)
            assert result.path == back / path.name and "BM1-1" in result.written
        else:
            (back / path.name).parent.mkdir(exist_ok=True)
            (back / path.name).write_bytes(path.read_bytes())
    result = cchc_xl.consolidate(back, expected=EXPECTED, jobs=1)
    assert not result.missing and not result.rejected
    assert all(s.received is not None and not s.folded and s.received.ma_xa == s.unit.ma_xa
               for s in result.expected)
    assert not [f for u in result.units for f in u.findings if f["rule"].startswith(("expected-", "unexpected"))]
    df = result.to_frame().set_index("ma_xa")
    assert df.loc["11206", "BM1-1"] == 7 and df.loc["11101", "BM1-2"] == 90.0
    assert pd.isna(df.loc["11102", "BM1-1"])
    # A workbook sent out, untouched or filled consistently, has nothing to report (no false alarm).
    assert set(df.status) == {"ok"} and df.errors.sum() == 0 and df.warnings.sum() == 0


def test_new_batch_matches_by_code_even_when_the_list_spells_names_differently(tmp_path, sent):
    out = sent
    retyped = tmp_path / "ds-khac.csv"
    retyped.write_text(EXPECTED.read_text(encoding="utf-8").replace("Ứng Hòe", "Ung Hoe"), encoding="utf-8")
    result = cchc_xl.consolidate(out, expected=retyped, jobs=1)
    status = next(s for s in result.expected if s.unit.ma_xa == "11206")
    # Matched by code; every output then uses the list's spelling (issue 12), the file's own is kept beside it.
    assert status.received is not None and not status.folded and status.received.xa == "Ung Hoe"
    assert status.received.xa_in_file == "Ứng Hòe"


def test_new_batch_locks_the_prefilled_identity_and_leaves_other_cells_input(tmp_path, sent, small):
    out = sent
    flags = locked(out / "ung-hoe-11206.xlsx")
    assert all(flags[k] for k in ("tinh", "huyen", "xa", "ma_xa", "ky", "nam"))
    assert not flags["nguoi_lap"] and not flags["ngay_lap"]
    ws = load_workbook(out / "ung-hoe-11206.xlsx")["Thông tin"]
    assert ws.protection.sheet
    assert any("điền sẵn" in str(c.value) for row in ws.iter_rows() for c in row if c.value)
    # Without --tinh the province is not prefilled: that cell stays an input cell, with a warning.
    code, out2 = batch(tmp_path, small, "--ky", "quy1", "--nam", "2025", out="khong-tinh")
    assert code == 0
    flags = locked(out2 / "ung-hoe-11206.xlsx")
    assert not flags["tinh"] and flags["xa"] and flags["ky"]


def test_template_builder_without_lock_request_is_byte_identical(tmp_path):
    from cchc_xl.model.catalog import framework_for, load_form
    from cchc_xl.ooxml.builder import build_workbook

    form = load_form(FORM)
    fw = framework_for(form)
    build_workbook(tmp_path / "a.xlsx", form, fw)
    build_workbook(tmp_path / "b.xlsx", form, fw, lock_meta=["xa", "ky"])  # nothing prefilled: nothing locked
    assert (tmp_path / "a.xlsx").read_bytes() == (ROOT / "workbook_templates" / f"{FORM}.xlsx").read_bytes()
    assert (tmp_path / "b.xlsx").read_bytes() == (tmp_path / "a.xlsx").read_bytes()


def test_new_batch_reports_bad_rows_per_row_and_cell_and_writes_the_others(tmp_path, capsys):
    table = tmp_path / "ds.csv"
    table.write_text(
        "stt,ma_xa,xa,huyen,BM1-1,BM1-2.1,ghi chu,BM9-9\n"
        "1,11101,Quang Khải,Tứ Kỳ,4,20,,\n"
        "2,11102,Quang Phục,Tứ Kỳ,abc,20,,\n"  # wrong kind
        "3,11103,Tân Kỳ,Tứ Kỳ,3,,,5\n"  # a value in an unknown column
        "4,11101,Quang Khải B,Tứ Kỳ,2,,,\n"  # the same code as row 2
        "5,11105,Dân Chủ,Tứ Kỳ,2.5,,,\n"  # a count must be whole
        "6,11106,,Tứ Kỳ,1,,,\n"  # no commune name
        "7,11107,Kỳ Sơn,Tứ Kỳ,1,,,\n",
        encoding="utf-8")
    capsys.readouterr()
    code, out = batch(tmp_path, table, "--tinh", "Hải Dương", "--ky", "nam", "--nam", "2022")
    err = capsys.readouterr().err
    assert code == 1
    assert sorted(p.name for p in out.glob("*.xlsx")) == ["ky-son-11107.xlsx"]
    assert "ds.csv, dòng 3 (Quang Phục), cột E “BM1-1”" in err and "không phải là số" in err
    assert "dòng 4 (Tân Kỳ), cột H “BM9-9”" in err
    assert "Dòng 2 (Quang Khải) trùng xã với dòng 5" in err and "Dòng 5 (Quang Khải B)" in err
    assert "dòng 6 (Dân Chủ), cột E “BM1-1”" in err and "số nguyên" in err
    assert "dòng 7: thiếu tên xã" in err
    assert "Traceback" not in err


def test_new_batch_unusable_table_exit_2_nothing_written(tmp_path, capsys):
    no_commune = tmp_path / "a.csv"
    no_commune.write_text("ma,gia_tri_khac\n1,2\n", encoding="utf-8")
    cp1258 = tmp_path / "b.csv"
    cp1258.write_bytes(b"ma_xa,xa\n1,\xd0\xf4\xccng T\xe2m\n")  # "Đồng Tâm" as Excel's plain "CSV" saves it
    twice = tmp_path / "c.csv"
    twice.write_text("xa,Tên xã\nA,B\n", encoding="utf-8")
    long = tmp_path / "d.csv"
    long.write_text("code,value\nBM1-1,3\n", encoding="utf-8")
    for table, words in ((no_commune, "--batch cần tên xã"), (cp1258, "UTF-8"), (twice, "hai lần"),
                         (long, "--batch cần mỗi dòng một xã"), (tmp_path / "khong-co.csv", "Không đọc được")):
        capsys.readouterr()
        code, out = batch(tmp_path, table)
        err = capsys.readouterr().err
        assert code == 2, table
        assert words in err and "Traceback" not in err
        assert not out.exists()
    code, out = batch(tmp_path, EXPECTED, "--ky", "quy7")  # checked before any row is built
    assert code == 2 and not out.exists()
    assert "kỳ báo cáo phải là một trong" in capsys.readouterr().err


def test_new_batch_refuses_existing_files_without_force(tmp_path, capsys, small):
    code, out = batch(tmp_path, small)
    assert code == 0
    before = (out / "an-duc-11210.xlsx").stat().st_mtime_ns
    capsys.readouterr()
    code, _ = batch(tmp_path, small)
    assert code == 2 and "--force" in capsys.readouterr().err
    assert (out / "an-duc-11210.xlsx").stat().st_mtime_ns == before
    code, _ = batch(tmp_path, small, "--force")
    assert code == 0


def test_new_batch_reads_xlsx_and_semicolon_csv_with_numeric_codes(tmp_path):
    import xlsxwriter

    book = tmp_path / "ds.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet()
    for r, row in enumerate([["Mã xã", "Tên xã", "Huyện", "Tỉnh", "BM1-1"], [11206, "Ứng Hòe", "Ninh Giang",
                                                                            "Hải Dương", 3]]):
        ws.write_row(r, 0, row)
    wb.close()
    code, out = batch(tmp_path, book, "--ky", "nam", "--nam", "2022")
    assert code == 0
    report = cchc_xl.read(out / "ung-hoe-11206.xlsx")
    assert report.meta["ma_xa"] == "11206" and report.meta["tinh"] == "Hải Dương"
    assert report.values["BM1-1"] == 3
    semi = tmp_path / "ds2.csv"
    semi.write_text("ma_xa;xa;huyen;BM1-2.1\n00042;Hà Kỳ;Tứ Kỳ;1.224\n", encoding="utf-8-sig")
    code, out = batch(tmp_path, semi, out="semi")
    assert code == 0
    report = cchc_xl.read(out / "ha-ky-00042.xlsx")
    assert report.meta["ma_xa"] == "00042"  # leading zeros kept: the code stays text
    assert report.values["BM1-2.1"] == 1224  # Vietnamese thousands separator


def test_new_usage_errors(tmp_path, capsys):
    assert main(["new", "--batch", str(EXPECTED), str(SAMPLES / "data" / "dong-tam-nam-2022.yaml"),
                 "-o", str(tmp_path / "x")]) == 2
    assert main(["new", str(SAMPLES / "data" / "dong-tam-nam-2022.yaml"), "--ky", "nam",
                 "-o", str(tmp_path / "x.xlsx")]) == 2
    assert main(["new", str(SAMPLES / "data" / "dong-tam-nam-2022.yaml"), "-o", str(tmp_path)]) == 2
    assert main(["new", "--batch", str(EXPECTED), "--xlsm", "-o", str(tmp_path / "y")]) == 2
    err = capsys.readouterr().err
    assert "chỉ dùng cùng --batch" in err and "là một thư mục" in err and "Traceback" not in err


# ------------------------------------------------------------------------------------ DataFrames in


def test_new_from_a_wide_dataframe_writes_one_workbook_per_row(tmp_path):
    df = pd.DataFrame({"ma_xa": ["11101", "11102"], "xa": ["Quang Khải", "Quang Phục"], "huyen": ["Tứ Kỳ"] * 2,
                       "BM1-1": [4, pd.NA], "BM1-2.1": [20.0, float("nan")]})
    result = cchc_xl.new(df, tmp_path / "gui", form=FORM, meta={"tinh": "Hải Dương", "ky": "nam", "nam": 2022})
    assert result.exit_code == 0 and len(result.written) == 2
    second = cchc_xl.read(tmp_path / "gui" / "quang-phuc-11102.xlsx")
    assert second.values["BM1-1"] is None and second.values["BM1-2.1"] is None  # NA/NaN stay blank
    frame = result.to_frame()
    assert list(frame.columns) == ["row", "xa", "ma_xa", "file", "problems"]
    assert result.to_dict()["written"] == 2


def test_new_from_a_wide_dataframe_reports_wrong_kinds_by_index_and_column(tmp_path):
    df = pd.DataFrame({"ma_xa": ["1", "2"], "xa": ["A", "B"], "BM1-1": ["ba", 3], "lạ": [None, "x"]},
                      index=["r1", "r2"])
    result = cchc_xl.new(df, tmp_path / "gui", form=FORM)
    assert result.exit_code == 1 and not result.written
    first, second = result.rows
    assert first.problems[0].startswith("DataFrame, dòng r1 (A), cột BM1-1:")
    assert "cột lạ" in second.problems[0] and "'lạ'" in second.problems[0]
    assert not list((tmp_path / "gui").glob("*.xlsx"))


def test_new_from_a_long_dataframe_writes_one_workbook(tmp_path):
    df = pd.DataFrame({"code": ["BM1-1", "BM1-2.1", "BM1-2.2", "BM1-3.3.1"], "value": [3, 10, 9, pd.NA]})
    out = tmp_path / "mot.xlsx"
    result = cchc_xl.new(df, out, form=FORM, meta={"xa": "Hà Kỳ", "tinh": "Hải Dương", "ky": "nam", "nam": 2022})
    assert result.path == out and result.values == 3
    report = cchc_xl.read(out)
    assert report.values["BM1-2"] == 90.0 and report.meta["xa"] == "Hà Kỳ"
    with pytest.raises(FileExistsError):
        cchc_xl.new(df, out, form=FORM)
    bad = pd.DataFrame({"code": ["BM1-1", "BM1-1", "XX"], "value": [1, 2, 3]})
    with pytest.raises(cchc_xl.DataError) as exc:
        cchc_xl.new(bad, tmp_path / "x.xlsx", form=FORM)
    text = "\n".join(exc.value.problems)
    assert "đã có ở dòng 0" in text and "'XX'" in text
    assert not (tmp_path / "x.xlsx").exists()


def test_fill_from_dataframes_long_and_wide(tmp_path, sent):
    target = sent / "ung-hoe-11206.xlsx"
    long = pd.DataFrame({"code": ["BM1-1"], "value": [5]})
    cchc_xl.fill(target, long, tmp_path / "a.xlsx")
    assert cchc_xl.read(tmp_path / "a.xlsx").values["BM1-1"] == 5
    wide = pd.DataFrame({"ma_xa": ["11101", "11206"], "xa": ["Quang Khải", "Ung Hoe (gõ khác)"],
                         "BM1-1": [1, 6]})
    result = cchc_xl.fill(target, wide, tmp_path / "b.xlsx")
    filled = cchc_xl.read(tmp_path / "b.xlsx")
    assert filled.values["BM1-1"] == 6 and filled.meta["xa"] == "Ứng Hòe"  # matched by code; name untouched
    assert not [w for w in result.written if w.startswith("meta:")]
    with pytest.raises(cchc_xl.DataError, match="không có dòng nào cho xã 'Ứng Hòe'"):
        cchc_xl.fill(target, wide[wide.ma_xa == "11101"], tmp_path / "c.xlsx")
    assert not (tmp_path / "c.xlsx").exists()
    # The same wide table as a CSV file.
    csv_table = tmp_path / "so-lieu.csv"
    wide.to_csv(csv_table, index=False)
    cchc_xl.fill(target, csv_table, tmp_path / "d.xlsx")
    assert cchc_xl.read(tmp_path / "d.xlsx").values["BM1-1"] == 6


def test_cli_fill_takes_a_wide_xlsx_table_and_picks_the_row_by_code(tmp_path, sent, capsys):
    import xlsxwriter

    book = tmp_path / "so-lieu.xlsx"
    wb = xlsxwriter.Workbook(str(book))
    ws = wb.add_worksheet()
    for r, row in enumerate([["Mã xã", "Tên xã", "BM1-1", "BM1-2.1"], [11101, "Quang Khải", 2, 8],
                             [11206, "Ứng Hòe", 5, 10]]):
        ws.write_row(r, 0, row)
    wb.close()
    out = tmp_path / "ung-hoe.xlsx"
    assert main(["fill", str(sent / "ung-hoe-11206.xlsx"), str(book), "-o", str(out)]) == 0
    report = cchc_xl.read(out)
    assert report.values["BM1-1"] == 5 and report.values["BM1-2.1"] == 10
    bad = tmp_path / "sai.csv"
    bad.write_text("ma_xa,xa,BM1-1\n11206,Ứng Hòe,năm\n", encoding="utf-8")
    capsys.readouterr()
    assert main(["fill", str(sent / "ung-hoe-11206.xlsx"), str(bad), "-o", str(tmp_path / "x.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "sai.csv, dòng 2 (Ứng Hòe), cột C “BM1-1”" in err and not (tmp_path / "x.xlsx").exists()


def test_new_batch_needs_a_table(tmp_path):
    with pytest.raises(cchc_xl.DataError):
        cchc_xl.new({"values": {}}, tmp_path / "gui", batch=True)
