"""Consolidation of a folder of commune workbooks: totals, ranks, completeness, bad files, safe output."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

from cchc_xl.cli import main
from cchc_xl.commands.consolidate import consolidate, fold_name, norm_name
from cchc_xl.commands.new import new_workbook
from cchc_xl.render.consolidate_report import write_json, write_workbook
from tests.badfiles import make_corpus

ROOT = Path(__file__).resolve().parents[1]
FORM = "hai-duong-bieu-mau-2022"
FIELDS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "10")
MAXIMA = (15, 5, 18.5, 6, 11, 7, 11.5, 2, 14, 10)


def pts(share: float) -> tuple:
    """Every field at ``share`` of its maximum."""
    return tuple(round(m * share, 3) for m in MAXIMA)


def commune(xa: str, ma: str, values: dict, points: tuple, huyen: str = "Tứ Kỳ", **meta) -> dict:
    return {"form": FORM, "meta": {"tinh": "Hải Dương", "huyen": huyen, "xa": xa, "ma_xa": ma, "ky": "nam",
                                   "nam": 2022, **meta},
            "values": values, "appraised": dict(zip(FIELDS, points, strict=True))}


# Totals: A and B both 90 from different fields (competition rank 1, 1, 3); field 2 has levels 5 / 4,75.
DATA = [
    commune("Quang Khải", "101", {"BM1-2.1": 1, "BM1-2.2": 1, "BM3-3.3.1": 120, "BM3-3.3.2": 118, "BM1-5": 1,
                                  "BM6-1.1": 1000.5, "BM6-1.2": 900.25, "BM7-2": 2},
            (13, 5, 16, 6, 10, 7, 10, 2, 12, 9)),
    commune("Đại Hợp", "102", {"BM1-2.1": 9, "BM1-2.2": 1, "BM3-3.3.1": 80, "BM3-3.3.2": 71, "BM1-5": 0,
                               "BM6-1.1": 2000, "BM6-1.2": 1999.75, "BM7-2": 1},
            (13, 5, 16, 6, 10, 7, 10, 2, 12.5, 8.5)),
    commune("Tân Kỳ", "103", {"BM1-2.1": 20, "BM1-2.2": 15, "BM3-3.3.1": 300, "BM3-3.3.2": 250, "BM1-5": 1,
                              "BM7-2": 2},
            (12, 4.75, 15, 6, 9, 6, 9, 1.5, 11, 8.5)),
]


def build(folder: Path, docs: list[dict]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n, doc in enumerate(docs):
        path = folder / f"xa-{n:02d}.xlsx"
        new_workbook(doc, path)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("good")
    build(folder, DATA)
    return folder


def _round2(x: Decimal) -> float:
    return float(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def test_totals_match_an_independent_computation(good, tmp_path):
    result = consolidate(good, jobs=1)
    assert result.exit_code == 0, [(r.file, r.reason) for r in result.rejected]
    assert len(result.units) == 3
    # independent: straight from the data dicts
    for code in ("BM1-2.1", "BM1-2.2", "BM3-3.3.1", "BM3-3.3.2", "BM6-1.1", "BM6-1.2"):
        have = [Decimal(str(d["values"][code])) for d in DATA if code in d["values"]]
        assert Decimal(str(result.totals[code])) == sum(have), code
    assert result.totals["BM3-3.3"] == _round2(Decimal(118 + 71 + 250) / Decimal(120 + 80 + 300) * 100)
    assert result.totals["BM1-3.1"] is None  # nobody reported it: blank, not 0
    assert result.totals["BM1-5"] == {"Có": 2, "Không": 1}
    assert result.totals["BM7-2"] == {"Chưa có": 0, "2 cấp": 1, "3 cấp": 2}
    assert result.reporting["BM6-1.1"] == 2 and result.blank_units["BM6-1.1"] == ["Tân Kỳ"]
    # the workbook carries the same figures (cached values, read back by code from the hidden code column)
    out = write_workbook(result, tmp_path / "th.xlsx")
    ws = load_workbook(out, data_only=True)["Biểu mẫu"]
    by_code = {row[6].value: row[3].value for row in ws.iter_rows(min_row=7) if row[6].value}
    assert by_code["BM3-3.3.2"] == 118 + 71 + 250
    assert by_code["BM3-3.3"] == result.totals["BM3-3.3"]
    assert by_code["BM1-5"] == "Có: 2; Không: 1"


def test_ratios_are_recomputed_from_summed_parts_never_averaged(good):
    result = consolidate(good, jobs=1)
    # BM1-2 per commune: 100 % (1/1), 11,11 % (1/9), 75 % (15/20); mean 62,04 — the pooled ratio is 17/30.
    per_unit = [u.values["BM1-2"] for u in result.units]
    assert sorted(per_unit) == [11.11, 75, 100]
    assert result.totals["BM1-2"] == _round2(Decimal(17) / Decimal(30) * 100) == 56.67
    assert result.totals["BM1-2"] != round(sum(per_unit) / 3, 2)


def test_competition_and_dense_ranks_on_constructed_ties(good):
    result = consolidate(good, jobs=1)
    by = {u.xa: u for u in result.units}
    assert result.score_basis == "appraised" and result.ranked == 3
    assert by["Quang Khải"].total == pytest.approx(90) and by["Đại Hợp"].total == pytest.approx(90)
    assert (by["Quang Khải"].rank_total, by["Đại Hợp"].rank_total, by["Tân Kỳ"].rank_total) == (1, 1, 3)
    assert by["Tân Kỳ"].rank_fields["2"] == (2, 2) and by["Quang Khải"].rank_fields["2"] == (1, 2)
    assert by["Quang Khải"].rank_fields["4"] == (1, 1)  # everybody on 6 → one level
    assert by["Quang Khải"].rating == "Xuất sắc" and by["Tân Kỳ"].rating == "Tốt"
    doc = result.to_json()
    qk = next(u for u in doc["units"] if u["xa"] == "Quang Khải")
    assert qk["rank"] == {"total": {"position": 1, "of": 3}, "huyen": {"position": 1, "of": 3},
                          "fields": {c: {"position": p, "levels": n, "tied": by["Quang Khải"].field_tied[c],
                                         "change": None}
                                     for c, (p, n) in by["Quang Khải"].rank_fields.items()}}
    assert qk["rank"]["fields"]["4"]["tied"] == 2  # all three on one level: tied with the 2 others


def test_rank_change_with_previous_json_and_xlsx(good, tmp_path):
    first = consolidate(good, jobs=1)
    last_json = write_json(first, tmp_path / "last.json")
    last_xlsx = write_workbook(first, tmp_path / "last.xlsx")
    # next year: Tân Kỳ jumps to the top, the two others tie behind it
    docs = [dict(d) for d in DATA]
    docs[2] = commune("Tân Kỳ", "103", DATA[2]["values"], (15, 5, 18.5, 6, 11, 7, 11.5, 2, 14, 10))
    folder = tmp_path / "next"
    build(folder, docs)
    for previous in (last_json, last_xlsx):
        result = consolidate(folder, previous=previous, jobs=1)
        change = {u.xa: u.rank_change for u in result.units}
        assert change == {"Tân Kỳ": 2, "Quang Khải": -1, "Đại Hợp": -1}, previous.suffix
    ws = load_workbook(write_workbook(result, tmp_path / "now.xlsx"), data_only=True)["Chỉ số CCHC"]
    texts = {c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)}
    assert {"tăng 2 bậc", "giảm 1 bậc", "thứ 1/3", "thứ 2/3"} <= texts


def test_every_bad_file_kind_is_reported_while_good_files_are_consolidated(tmp_path):
    folder = tmp_path / "bao-cao"
    build(folder, DATA)
    corpus = make_corpus(folder / "hop-thu")
    (folder / ".an.xlsx").write_bytes((folder / "xa-00.xlsx").read_bytes())
    (folder / "nhap.tmp").write_bytes(b"x")
    (folder / "ghi-chu.txt").write_text("Báo cáo gửi chậm", encoding="utf-8")
    # another period, another form, and the same commune twice
    new_workbook(commune("Hà Kỳ", "104", {"BM1-1": 2}, pts(0.9), ky="6thang"), folder / "ha-ky-6thang.xlsx")
    new_workbook({"form": "phu-luc-01b", "meta": {"tinh": "Thanh Hóa", "xa": "Hoằng Trường", "ky": "nam",
                                                 "nam": 2022}}, folder / "hoang-truong.xlsx")
    new_workbook(DATA[2], folder / "tan-ky-ban-sua.xlsx")
    result = consolidate(folder, jobs=2)
    rejected = {r.file: r for r in result.rejected}
    passed = {r.file: r for r in result.skipped}
    for path in corpus.values():
        rel = path.relative_to(folder).as_posix()
        assert rel in rejected or rel in passed, rel
        assert (rejected.get(rel) or passed[rel]).reason
    kinds = {r.kind for r in result.rejected}
    assert {"empty-file", "truncated-zip", "encrypted", "legacy-xls", "zip-bomb", "xml-bomb",
            "bad-xml", "not-a-workbook", "not-ours", "other-period", "other-form", "duplicate"} <= kinds
    # lock, hidden and temporary files are not reports: skipped, not rejected
    assert {r.kind for r in result.skipped} == {"lock-file", "hidden-or-temp"}
    assert not {"lock-file", "hidden-or-temp"} & kinds
    assert rejected["ghi-chu.txt"].kind == "not-a-workbook"
    dup = [r for r in result.rejected if r.kind == "duplicate"]
    assert {r.file for r in dup} == {"xa-02.xlsx", "tan-ky-ban-sua.xlsx"}
    assert all("xa-02.xlsx" in r.reason and "tan-ky-ban-sua.xlsx" in r.reason for r in dup)
    assert sorted(u.xa for u in result.units) == sorted(["Quang Khải", "Đại Hợp"])
    assert result.exit_code == 1
    # --prefer-newest keeps the newest file of the two
    os.utime(folder / "xa-02.xlsx", (1_600_000_000, 1_600_000_000))
    newest = consolidate(folder, prefer_newest=True, jobs=1)
    tk = next(u for u in newest.units if u.xa == "Tân Kỳ")
    assert tk.file == "tan-ky-ban-sua.xlsx"
    assert [r.file for r in newest.rejected if r.kind == "superseded"] == ["xa-02.xlsx"]


def test_inputs_are_byte_identical_after_the_run(tmp_path):
    folder = tmp_path / "in"
    build(folder, DATA)
    make_corpus(folder / "rac")

    def digest() -> dict[str, str]:
        return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(folder.rglob("*")) if p.is_file()}

    before = digest()
    code = main(["consolidate", str(folder), "-o", str(folder / "tong-hop.xlsx"), "--json",
                 str(tmp_path / "th.json"), "-q"])
    assert code == 1
    after = digest()
    assert after.pop("tong-hop.xlsx")
    assert after == before


def test_a_name_starting_with_equals_stays_text(tmp_path):
    folder = tmp_path / "eq"
    docs = [commune("=HYPERLINK(\"http://x\",\"bấm\")", "201", {"BM1-1": 1}, pts(0.9)),
            commune("=1+1", "202", {"BM1-1": 2}, pts(0.8))]
    build(folder, docs)
    result = consolidate(folder, jobs=1)
    out = write_workbook(result, tmp_path / "eq.xlsx")
    wb = load_workbook(out)
    strings, formulas = set(), []
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for c in row:
                if c.data_type == "s" and isinstance(c.value, str):
                    strings.add(c.value)
                elif c.data_type == "f":
                    formulas.append(c.value)
    names = {d["meta"]["xa"] for d in docs}
    assert names <= strings
    assert not [f for f in formulas if "HYPERLINK" in f or f == "=1+1"]


def test_expected_list_missing_late_and_folded_names(tmp_path):
    folder = tmp_path / "nop"
    docs = [commune("Quang Khải", "101", {"BM1-1": 1}, pts(0.9), ngay_lap=dt.date(2023, 1, 10)),
            commune("Dai Hop", "", {"BM1-1": 1}, pts(0.8), ngay_lap=dt.date(2023, 1, 20)),
            commune("Hà Thanh", "109", {"BM1-1": 1}, pts(0.8), ngay_lap=dt.date(2023, 1, 2))]
    build(folder, docs)
    expected = tmp_path / "ds.csv"
    expected.write_text("ma_xa,xa,huyen\n101,Quang Khải,Tứ Kỳ\n102,Đại Hợp,Tứ Kỳ\n103,Tân Kỳ,Tứ Kỳ\n",
                        encoding="utf-8")
    result = consolidate(folder, expected=expected, deadline=dt.date(2023, 1, 15), jobs=1)
    assert [m.xa for m in result.missing] == ["Tân Kỳ"]
    by = {u.xa: u for u in result.units}
    assert by["Đại Hợp"].late is True and by["Quang Khải"].late is False
    assert by["Đại Hợp"].submitted_source == "ngay_lap" and by["Đại Hợp"].xa_in_file == "Dai Hop"
    assert any(f["rule"] == "expected-folded-match" for f in by["Đại Hợp"].findings)
    assert by["Hà Thanh"].expected is False
    assert any(f["rule"] == "unexpected-unit" for f in by["Hà Thanh"].findings)
    assert result.exit_code == 1
    doc = result.to_json()
    assert doc["missing"] == [{"ma_xa": "103", "xa": "Tân Kỳ", "huyen": "Tứ Kỳ"}]
    ws = load_workbook(write_workbook(result, tmp_path / "nop.xlsx"), data_only=True)["Tình trạng nộp"]
    rows = [[c.value for c in r] for r in ws.iter_rows()]
    assert ["Số xã phải nộp", 3] in [[r[1], r[4]] for r in rows]
    assert ["Chưa nộp", 1] in [[r[1], r[4]] for r in rows]
    tan_ky = next(r for r in rows if r[2] == "Tân Kỳ")
    assert tan_ky[4] == "Chưa nộp"


def test_exclude_invalid_leaves_erroneous_communes_out(tmp_path):
    folder = tmp_path / "loi"
    bad = commune("Tân Kỳ", "103", {"BM1-2.1": 5, "BM1-2.2": 9}, pts(0.85))
    build(folder, [DATA[0], bad])
    kept = consolidate(folder, jobs=1)
    assert {u.xa: u.status for u in kept.units}["Tân Kỳ"] == "errors" and kept.totals["BM1-2.1"] == 6
    out = consolidate(folder, exclude_invalid=True, jobs=1)
    assert {u.xa: u.status for u in out.units}["Tân Kỳ"] == "excluded"
    assert out.totals["BM1-2.1"] == 1 and out.ranked == 1


def test_json_report_has_exactly_the_documented_keys(good, tmp_path):
    result = consolidate(good, jobs=1)
    doc = json.loads(write_json(result, tmp_path / "r.json").read_text(encoding="utf-8"))
    assert doc == json.loads(json.dumps(result.to_json()))  # the streamed file is the same document
    assert set(doc) == {"form", "period", "units", "totals", "completeness", "missing", "rejected", "skipped"}
    assert doc["period"] == {"ky": "nam", "nam": 2022}
    assert set(doc["units"][0]) == {"xa", "ma_xa", "huyen", "xa_in_file", "file", "status", "errors", "warnings",
                                    "values", "scores", "rank", "rank_change", "rating"}
    assert all(set(c) == {"ma_xa", "xa", "huyen", "status", "late", "files", "reason"} for c in doc["completeness"])
    assert set(doc["units"][0]["scores"]) == {"total", "fields"}


def test_name_normalisation():
    assert norm_name("  Xã  Quang\u00a0Khải ") == norm_name("quang khải")
    assert norm_name("Quang Kha\u0309i") == norm_name("Quang Khải")  # NFD → NFC
    assert norm_name("Đại Hợp") != norm_name("Dai Hop") and fold_name("Đại Hợp") == fold_name("Dai Hop")


def test_cli_exit_codes_and_quiet_output(good, tmp_path, capsys):
    out = tmp_path / "th.xlsx"
    assert main(["consolidate", str(good), "-o", str(out), "--jobs", "2"]) == 0
    err = capsys.readouterr().err
    assert err == ""  # not a terminal: no progress bar
    assert main(["consolidate", str(good), "-o", str(out)]) == 2  # exists, no --force
    assert "--force" in capsys.readouterr().err
    assert main(["consolidate", str(tmp_path / "khong-co"), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "Không tìm thấy thư mục" in capsys.readouterr().err
    assert main(["consolidate", str(good), "-o", str(out), "--force", "--deadline", "31/02/2023"]) == 2
    assert "15/01/2025" in capsys.readouterr().err
    empty = tmp_path / "trong"
    empty.mkdir()
    assert main(["consolidate", str(empty), "-o", str(tmp_path / "y.xlsx")]) == 2
    assert "không có tệp nào" in capsys.readouterr().err
    assert main(["consolidate", str(ROOT / "samples" / "province"), "-o", str(tmp_path / "p.xlsx"), "--expected",
                 str(ROOT / "samples" / "province" / "expected.csv"), "-q"]) == 1
    cap = capsys.readouterr()
    assert cap.err == "" and "22 xã đưa vào" in cap.out


def test_province_sample_is_what_the_readme_says(tmp_path):
    folder = ROOT / "samples" / "province"
    result = consolidate(folder, expected=folder / "expected.csv")
    assert len(result.units) == 22 and result.level == "tỉnh" and result.unit_name == "Hải Dương"
    assert sorted(r.kind for r in result.rejected) == ["other-form", "truncated-zip"]
    assert [r.kind for r in result.skipped] == ["lock-file"]
    assert [m.xa for m in result.missing] == ["Tân Hương"]
    assert sum(1 for u in result.units if u.errors) == 1


@pytest.mark.libreoffice
def test_output_opens_in_libreoffice_with_its_charts(good, tmp_path, soffice):
    from tests.support.libreoffice import recalc_xlsx

    out = write_workbook(consolidate(good, jobs=1), tmp_path / "tong-hop.xlsx")
    with zipfile.ZipFile(out) as zf:
        ours = sorted(n for n in zf.namelist() if n.startswith("xl/charts/chart"))
    assert len(ours) == 3
    (back,) = recalc_xlsx([out], tmp_path / "lo")
    assert back.is_file()
    with zipfile.ZipFile(back) as zf:
        charts = [n for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3
    wb = load_workbook(back)
    assert {"Biểu mẫu", "Tổng hợp theo xã", "Chỉ số CCHC", "Kiểm tra", "Tình trạng nộp"} <= set(wb.sheetnames)
    assert sum(len(ws._charts) for ws in wb.worksheets) == 3
