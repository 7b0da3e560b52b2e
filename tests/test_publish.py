"""Consolidation the clerk can print, publish and send back (issue 12): completeness, canonical names, ranks
as the reports write them, percent rows, print setup of every output, the return pack.

Each test is named for a failure measured on the consolidation of the 25-commune province sample."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pytest
from openpyxl import load_workbook

import cchc_xl.commands.consolidate as cmod
from cchc_xl.cli import main
from cchc_xl.commands.consolidate import consolidate
from cchc_xl.commands.new import new_workbook
from cchc_xl.engine import rank
from cchc_xl.render.consolidate_report import write_json, write_workbook
from tests.support.printcheck import chart_overlaps, print_setups
from tests.test_consolidate import DATA, build, commune

ROOT = Path(__file__).resolve().parents[1]
PROVINCE = ROOT / "samples" / "province"
EXPECTED = PROVINCE / "expected.csv"


@pytest.fixture(scope="module")
def province():
    return consolidate(PROVINCE, expected=EXPECTED, deadline=dt.date(2023, 1, 15), jobs=1)


@pytest.fixture(scope="module")
def province_xlsx(province, tmp_path_factory) -> Path:
    return write_workbook(province, tmp_path_factory.mktemp("th") / "tong-hop.xlsx")


def _by(result) -> dict:
    return {c.xa: c for c in result.completeness}


def _grid(path: Path, sheet: str) -> list[list[object]]:
    ws = load_workbook(path, data_only=True)[sheet]
    return [[c.value for c in row] for row in ws.iter_rows()]


# ----------------------------------------------------------------------------------------- completeness


def test_truncated_or_other_form_file_is_unusable_not_missing(province):
    by = _by(province)
    assert by["Hồng Đức"].status == "unusable" and by["Hồng Đức"].files == ["hong-duc-nam-2022.xlsx"]
    assert by["Hồng Đức"].by_file_name  # unreadable: attributed by its file name, and the sheet says so
    assert by["An Đức"].status == "unusable" and "phu-luc-01b" in by["An Đức"].reason
    assert by["Tân Hương"].status == "missing" and by["Tân Hương"].files == []
    assert [m.xa for m in province.missing] == ["Tân Hương"]
    doc = province.to_json()
    assert doc["missing"] == [{"ma_xa": "11207", "xa": "Tân Hương", "huyen": "Ninh Giang"}]
    # every expected commune exactly once; the counts add up to the expected list
    assert len(doc["completeness"]) == 25 == len({c["ma_xa"] for c in doc["completeness"]})
    c = province.counts()
    assert c["ok"] + c["findings"] + c["unusable"] + c["conflict"] + c["missing"] == 25
    assert (c["ok"], c["findings"], c["unusable"], c["conflict"], c["missing"]) == (21, 1, 2, 0, 1)


def test_commune_that_sent_two_files_is_conflict_not_missing(tmp_path):
    folder = tmp_path / "hai-tep"
    build(folder, DATA)
    new_workbook(DATA[2], folder / "tan-ky-ban-sua.xlsx")
    expected = tmp_path / "ds.csv"
    expected.write_text("ma_xa,xa,huyen\n101,Quang Khải,Tứ Kỳ\n102,Đại Hợp,Tứ Kỳ\n103,Tân Kỳ,Tứ Kỳ\n",
                        encoding="utf-8")
    result = consolidate(folder, expected=expected, jobs=1)
    tk = _by(result)["Tân Kỳ"]
    assert tk.status == "conflict" and sorted(tk.files) == ["tan-ky-ban-sua.xlsx", "xa-02.xlsx"]
    assert "--prefer-newest" in tk.reason
    assert result.missing == []
    # without an expected list the conflicting commune is still listed, once
    assert [c.status for c in consolidate(folder, jobs=1).completeness if c.xa == "Tân Kỳ"] == ["conflict"]


def test_lock_file_is_skipped_not_counted_as_rejected(province):
    assert [r.kind for r in province.rejected if r.kind == "lock-file"] == []
    assert [r.file for r in province.skipped] == ["~$quang-khai-nam-2022.xlsx"]
    assert province.to_json()["skipped"][0]["file"] == "~$quang-khai-nam-2022.xlsx"
    assert {r["file"] for r in province.to_json()["rejected"]} == {"hong-duc-nam-2022.xlsx", "an-duc-nam-2022.xlsx"}


def test_deadline_accepts_dd_mm_yyyy_as_well_as_iso():
    parse_deadline = cmod.parse_deadline
    assert parse_deadline("15/01/2023") == parse_deadline("2023-01-15") == dt.date(2023, 1, 15)
    assert parse_deadline("5/1/2023") == parse_deadline("05-01-2023") == dt.date(2023, 1, 5)
    for bad in ("31/02/2023", "2023/13/01", "hôm qua", ""):
        with pytest.raises(ValueError):
            parse_deadline(bad)


def test_late_communes_are_in_the_cli_summary_and_json(tmp_path, capsys):
    out, js = tmp_path / "th.xlsx", tmp_path / "th.json"
    code = main(["consolidate", str(PROVINCE), "-o", str(out), "--json", str(js), "--expected", str(EXPECTED),
                 "--deadline", "15/01/2023"])
    assert code == 1
    printed = capsys.readouterr().out
    doc = json.loads(js.read_text(encoding="utf-8"))
    late = [c["xa"] for c in doc["completeness"] if c["late"]]
    assert len(late) == 10 and "Nghĩa An" in late and "Quang Khải" not in late
    assert f"{len(late)} nộp muộn" in printed
    assert "Nộp muộn: Nghĩa An (11205), ngày 24/01/2023" in printed
    assert all(isinstance(c["late"], bool) for c in doc["completeness"])


def test_same_completeness_numbers_in_cli_json_sheet_header_and_chart(province, province_xlsx, tmp_path, capsys):
    from cchc_xl.render.consolidate_report import summary_lines

    c = province.counts()
    line = f"{c['ok']} hợp lệ, {c['findings']} có lỗi, {c['unusable']} không dùng được, {c['conflict']} trùng tệp, " \
           f"{c['missing']} chưa nộp; {c['late']} nộp muộn"
    assert any(line in s for s in summary_lines(province))
    statuses = [x["status"] for x in province.to_json()["completeness"]]
    assert [statuses.count(s) for s in ("ok", "findings", "unusable", "conflict", "missing")] == \
        [c["ok"], c["findings"], c["unusable"], c["conflict"], c["missing"]]
    stat = _grid(province_xlsx, "Biểu mẫu")
    assert any(isinstance(v, str) and line in v for row in stat[:12] for v in row)  # the header note
    sheet = _grid(province_xlsx, "Tình trạng nộp")
    table = {row[1]: row[4] for row in sheet[5:11]}
    assert table == {"Số xã phải nộp": 25, "Hợp lệ": c["ok"], "Có lỗi": c["findings"],
                     "Không dùng được": c["unusable"], "Trùng tệp": c["conflict"], "Chưa nộp": c["missing"]}
    assert [row[4] for row in sheet[14:]].count("Không dùng được") == c["unusable"]
    # the chart plots exactly those cells
    with zipfile.ZipFile(province_xlsx) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    refs = [re.findall(r"<c:f>([^<]+)</c:f>", x) for x in charts if "Tình trạng nộp báo cáo" in x]
    assert refs and "'Tình trạng nộp'!$E$6:$E$11" in refs[0]


def test_submission_date_source_is_shown_and_file_time_is_warned(province, province_xlsx):
    by = _by(province)
    assert by["Quang Khải"].date_source == "ngay_lap" and by["Quang Khải"].date == dt.date(2023, 1, 5)
    assert by["Hồng Đức"].date_source == "mtime"  # unreadable file: only its file time is known
    sheet = _grid(province_xlsx, "Tình trạng nộp")
    row = next(r for r in sheet if r[2] == "Hồng Đức")
    assert row[7] == "Ngày sửa tệp" and "ngày sửa tệp" in row[9]
    from cchc_xl.render.consolidate_report import summary_lines

    assert any("ngày sửa tệp" in s for s in summary_lines(province))


# ----------------------------------------------------------------------------------------- names


def test_expected_list_spelling_is_used_in_every_sheet_and_chart(province, province_xlsx):
    u = next(u for u in province.units if u.ma_xa == "11206")
    assert u.xa == "Ứng Hòe" and u.xa_in_file == "Ung Hoe"
    assert next(x for x in province.to_json()["units"] if x["ma_xa"] == "11206")["xa_in_file"] == "Ung Hoe"
    wb = load_workbook(province_xlsx, data_only=True)
    for ws in wb.worksheets:
        values = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
        assert "Ung Hoe" not in values, ws.title  # only inside notes and messages
    index = _grid(province_xlsx, "Chỉ số CCHC")
    assert any(r[2] == "Ứng Hòe" for r in index)  # the chart's categories are this column
    note = next(r for r in _grid(province_xlsx, "Tình trạng nộp") if r[2] == "Ứng Hòe")[9]
    assert "Tên trong tệp: Ung Hoe" in note


# ----------------------------------------------------------------------------------------- ranks


def test_province_run_ranks_each_commune_within_its_huyen(province, province_xlsx):
    assert province.level == "tỉnh" and province.huyen_levels
    for district, n in (("Tứ Kỳ", 15), ("Ninh Giang", 7)):
        members = [u for u in province.units if u.huyen == district and u.rank_total]
        assert len(members) == n and {u.rank_huyen_of for u in members} == {n}
        best = min(members, key=lambda u: u.rank_total)
        assert best.rank_huyen == 1
        assert sorted(u.rank_huyen for u in members)[-1] <= n
    doc = province.to_json()
    ng = [u for u in doc["units"] if u["huyen"] == "Ninh Giang"]
    assert all(u["rank"]["huyen"]["of"] == 7 for u in ng)
    index = _grid(province_xlsx, "Chỉ số CCHC")
    head = next(r for r in index if "Xếp hạng trong huyện" in r)
    col = head.index("Xếp hạng trong huyện")
    assert {r[col] for r in index if r[3] == "Ninh Giang"} >= {"thứ 1/7"}


def test_field_rank_ties_are_written_cung_nhom_hang_voi_n_xa(province, province_xlsx):
    assert rank.level_text(1, 3, 20) == "hạng 1/3, cùng nhóm hạng với 20 xã"
    assert rank.level_text(2, 3, 0) == "hạng 2/3"
    u = next(u for u in province.units if u.rank_fields.get("2") == (1, province.field_levels["2"]))
    tied = sum(1 for v in province.units if v.rank_fields.get("2") == u.rank_fields["2"]) - 1
    assert tied > 0 and u.field_tied["2"] == tied
    texts = {r[7] for r in _grid(province_xlsx, "Xếp hạng lĩnh vực") if r[2] == u.xa and r[3] == "2"}
    assert texts == {f"hạng 1/{province.field_levels['2']}, cùng nhóm hạng với {tied} xã"}


def test_previous_gives_per_field_rank_change(tmp_path):
    folder = tmp_path / "truoc"
    build(folder, DATA)
    first = consolidate(folder, jobs=1)
    last_json, last_xlsx = write_json(first, tmp_path / "last.json"), write_workbook(first, tmp_path / "last.xlsx")
    docs = [dict(d) for d in DATA]  # Tân Kỳ climbs to the top level of field 1 (13 → 15)
    docs[2] = commune("Tân Kỳ", "103", DATA[2]["values"], (15, 4.75, 15, 6, 9, 6, 9, 1.5, 11, 8.5))
    now = tmp_path / "nay"
    build(now, docs)
    for previous in (last_json, last_xlsx):
        result = consolidate(now, previous=previous, jobs=1)
        tk = next(u for u in result.units if u.xa == "Tân Kỳ")
        assert first.units[[u.xa for u in first.units].index("Tân Kỳ")].rank_fields["1"] == (2, 2)
        assert tk.rank_fields["1"] == (1, 2) and tk.field_change["1"] == 1, previous.suffix
        assert tk.field_change["4"] == 0
        doc = result.to_json()
        assert next(u for u in doc["units"] if u["xa"] == "Tân Kỳ")["rank"]["fields"]["1"]["change"] == 1
    rows = _grid(write_workbook(result, tmp_path / "nay.xlsx"), "Xếp hạng lĩnh vực")
    assert any(r[2] == "Tân Kỳ" and r[3] == "1" and r[8] == "tăng 1 bậc" for r in rows)


def test_rating_class_table_is_printed_with_its_source(good_result, tmp_path):
    rows = _grid(write_workbook(good_result, tmp_path / "a.xlsx"), "Chỉ số CCHC")
    texts = [v for r in rows for v in r if isinstance(v, str)]
    assert any(t.startswith("Bảng xếp loại: mặc định") for t in texts)
    assert ["Xuất sắc", "90", 2] in [r[2:5] for r in rows]
    classes = tmp_path / "xep-loai.csv"
    classes.write_text("ten,tu\nTốt,85\nĐạt,0\n", encoding="utf-8")
    out = tmp_path / "b.xlsx"
    assert main(["consolidate", str(good_result.directory), "-o", str(out), "--classes", str(classes), "-q"]) == 0
    rows = _grid(out, "Chỉ số CCHC")
    assert any(isinstance(v, str) and v == f"Bảng xếp loại: {classes}." for r in rows for v in r)
    assert ["Tốt", "85", 2] in [r[2:5] for r in rows] and ["Đạt", "0", 1] in [r[2:5] for r in rows]


@pytest.fixture(scope="module")
def good_result(tmp_path_factory):
    folder = tmp_path_factory.mktemp("tot")
    build(folder, DATA)
    return consolidate(folder, jobs=1)


# ----------------------------------------------------------------------------------------- percent rows


def _01b(xa: str, ma: str, values: dict) -> dict:
    return {"form": "phu-luc-01b", "meta": {"tinh": "Thanh Hóa", "huyen": "Hoằng Hóa", "xa": xa, "ma_xa": ma,
                                           "ky": "nam", "nam": 2023}, "values": values}


def test_entered_percent_rows_are_consolidated_not_left_blank(tmp_path):
    folder = tmp_path / "01b"
    folder.mkdir()
    docs = [_01b("Hoằng Trường", "1", {"3.1.3": 200, "3.2.4": 90, "4.1.4": 10, "7.2.3": 1000, "7.2.3.a": 80}),
            _01b("Hoằng Hải", "2", {"3.1.3": 100, "3.2.4": 60, "4.1.4": 4, "7.2.3": 3000, "7.2.3.a": 40}),
            _01b("Hoằng Tiến", "3", {"3.2.4": 30, "4.1.4": 7})]  # no 3.1.3: 3.2.4 cannot be weighted
    for n, d in enumerate(docs):
        new_workbook(d, folder / f"x{n}.xlsx")
    result = consolidate(folder, jobs=1)

    def r2(x: Decimal) -> float:
        return float(x.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))

    # 7.2.3.a weighted by the documents sent (7.2.3): (80·1000 + 40·3000) / 4000 = 50, not the mean 60
    assert result.totals["7.2.3.a"] == 50.0 and result.percent_basis["7.2.3.a"]["method"] == "weighted"
    # 4.1.4 has no base in the form: mean with min–max
    assert result.totals["4.1.4"] == r2(Decimal(21) / 3) and result.percent_basis["4.1.4"]["method"] == "mean"
    # 3.2.4 has a base but one commune left it blank: mean, and the note says why
    assert result.totals["3.2.4"] == 60.0 and result.percent_basis["3.2.4"]["method"] == "mean"
    rows = _grid(write_workbook(result, tmp_path / "th.xlsx"), "Phụ lục")
    note = {r[6]: (r[3], r[5]) for r in rows if r[6]}
    assert note["7.2.3.a"][0] == 50 and "Bình quân gia quyền theo chỉ tiêu 7.2.3" in note["7.2.3.a"][1]
    assert "thấp nhất 4, cao nhất 10" in note["4.1.4"][1]
    assert "bỏ trống" in note["3.2.4"][1] and "3.1.3" in note["3.2.4"][1]
    assert not any("xem từng xã" in (n or "") for _v, n in note.values())


# ----------------------------------------------------------------------------------------- printing


def _outputs(tmp_path: Path, province) -> dict[str, Path]:
    out = {"tong-hop": write_workbook(province, tmp_path / "th.xlsx")}
    first = PROVINCE / "dan-chu-nam-2022.xlsx"
    second = ROOT / "samples" / "resubmission" / "dan-chu-nam-2022-lan-2.xlsx"
    main(["diff", str(first), str(second), "-o", str(tmp_path / "diff.xlsx")])
    out["diff"] = tmp_path / "diff.xlsx"
    main(["validate", str(first), "--annotate", str(tmp_path / "annotate.xlsx")])
    out["annotate"] = tmp_path / "annotate.xlsx"
    return out


@pytest.fixture(scope="module")
def outputs(province, tmp_path_factory):
    return _outputs(tmp_path_factory.mktemp("out"), province)


def test_every_sheet_of_every_output_has_a_print_setup(outputs):
    for what, path in outputs.items():
        for name, ps in print_setups(path).items():
            where = f"{what}: {name}"
            assert ps.paper == "9", where  # A4
            assert ps.orientation in ("portrait", "landscape"), where
            if ps.kind == "chartsheet":
                continue
            assert ps.fit_width == "1" or ps.scale, where  # fit to width, or a scale chosen with page breaks
            assert ps.freeze or what == "annotate", where


def test_no_chart_anchor_overlaps_a_non_empty_cell(outputs):
    for what, path in outputs.items():
        assert chart_overlaps(path) == [], what


def test_hidden_helper_columns_are_not_printed(outputs):
    for what, path in outputs.items():
        for name, ps in print_setups(path).items():
            if ps.hidden_cols:
                assert ps.print_area, f"{what}: {name}"
                last = re.findall(r"\$([A-Z]+)\$\d+", ps.print_area)[-1]
                last_col = sum((ord(ch) - 64) * 26 ** i for i, ch in enumerate(reversed(last))) - 1
                assert all(c > last_col for c in ps.hidden_cols), f"{what}: {name}"


def test_long_tables_repeat_their_header_rows(outputs):
    for what in ("tong-hop", "diff"):
        for name, ps in print_setups(outputs[what]).items():
            if ps.kind == "worksheet":
                assert ps.print_titles, f"{what}: {name}"


def test_wrapped_text_rows_get_a_height_so_nothing_overprints(outputs):
    for what in ("tong-hop", "diff"):
        assert_wrapped_rows_have_heights(outputs[what])


def assert_wrapped_rows_have_heights(path: Path) -> None:
    """Every wrapped text that needs more than one line sits in a row tall enough for it (a lenient,
    independent estimate: 1.4 characters per width unit, 12 pt lines of 15 pt)."""
    import math

    def lines_needed(text: str, width: float) -> int:
        return sum(max(1, math.ceil(len(part) / (width * 1.4))) for part in text.split("\n"))

    if True:
        wb = load_workbook(path)
        for ws in wb.worksheets:
            merged = {(m.min_row, m.min_col): sum((ws.column_dimensions[chr(64 + c)].width or 8.43)
                                                  for c in range(m.min_col, m.max_col + 1))
                      for m in ws.merged_cells.ranges if m.max_col <= 26}
            for row in ws.iter_rows():
                for c in row:
                    if not isinstance(c.value, str) or not (c.alignment and c.alignment.wrap_text):
                        continue
                    if c.column > 26:
                        continue
                    width = merged.get((c.row, c.column)) or ws.column_dimensions[c.column_letter].width or 8.43
                    need = lines_needed(c.value, width)
                    if need > 1:
                        height = ws.row_dimensions[c.row].height
                        assert height and height >= need * 14.5, (path.name, ws.title, c.coordinate, c.value[:40])


def test_per_commune_table_has_indicators_down_and_communes_across(province, province_xlsx):
    from cchc_xl.render.consolidate_report import UNITS_SHEET, units_per_page

    rows = _grid(province_xlsx, UNITS_SHEET)
    head = rows[3]
    assert head[1] == "Xã/phường" and head[3:3 + len(province.units)] == [u.xa for u in province.units]
    codes = [r[0] for r in rows[7:] if r[0]]
    assert len(codes) == len(province.form.indicators)
    ws = load_workbook(province_xlsx)[UNITS_SHEET]
    breaks = [b.id for b in ws.col_breaks.brk]
    per = units_per_page()
    assert per >= 7 and breaks == [3 + k for k in range(per, len(province.units), per)]


def test_phu_luc_has_the_official_header_and_signature_block(province_xlsx):
    rows = _grid(province_xlsx, "Biểu mẫu")
    top = [v for r in rows[:8] for v in r if isinstance(v, str)]
    assert "UBND TỈNH HẢI DƯƠNG" in top and "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in top
    assert "Độc lập - Tự do - Hạnh phúc" in top and any(t.startswith("Kỳ báo cáo: Năm 2022") for t in top)
    tail = [v for r in rows[-10:] for v in r if isinstance(v, str)]
    assert {"NGƯỜI LẬP BIỂU", "THỦ TRƯỞNG ĐƠN VỊ", "(Ký, ghi rõ họ tên)", "(Ký tên, đóng dấu)"} <= set(tail)


# ----------------------------------------------------------------------------------------- return pack


def test_return_pack_has_one_workbook_per_commune_that_sent_a_file(province, tmp_path):
    from cchc_xl.render.return_pack import write_return_pack

    pack = write_return_pack(province, tmp_path / "tra-ve")
    assert len(pack) == 24  # 25 expected, Tân Hương sent nothing
    assert "11207-tan-huong.xlsx" not in {p.name for p in pack}
    rows = _grid(tmp_path / "tra-ve" / "11105-dan-chu.xlsx", "Kết quả gửi xã")
    texts = [v for r in rows for v in r if isinstance(v, str)]
    assert any(t.startswith("CÓ — tệp còn 1 lỗi") for t in texts)  # must resend, and why
    assert any("BM1-2.2" in t and "không được lớn hơn" in t for t in texts)  # the finding
    assert any(t.startswith("Sửa số liệu ở ô này") for t in texts)  # what to do
    dc = next(u for u in province.units if u.xa == "Dân Chủ")
    assert any(t.startswith(rank.position_text(dc.rank_total, province.ranked)) for t in texts)
    assert any(t.startswith(rank.position_text(dc.rank_huyen, dc.rank_huyen_of)) for t in texts)
    assert any(t.startswith("hạng ") for t in texts)
    # self vs appraised: the criteria that differ, with the difference
    diffs = [r for r in rows if r[0] == "1" and isinstance(r[5], int | float)]
    assert diffs and diffs[0][5] == pytest.approx(dc.appraised_criteria["1"] - dc.self_criteria["1"])
    ok = [v for r in _grid(tmp_path / "tra-ve" / "11101-quang-khai.xlsx", "Kết quả gửi xã") for v in r
          if isinstance(v, str)]
    assert any(t.startswith("Không — ") for t in ok)
    # print-ready like the rest: A4 portrait on one page width, nothing overprinting
    for p in pack:
        (ps,) = print_setups(p).values()
        assert (ps.paper, ps.orientation, ps.fit_width) == ("9", "portrait", "1"), p.name
        assert chart_overlaps(p) == []
    for name in ("11105-dan-chu.xlsx", "11209-hong-duc.xlsx"):
        assert_wrapped_rows_have_heights(tmp_path / "tra-ve" / name)


def test_return_pack_for_an_unusable_file_gives_the_reason_and_what_to_do(province, tmp_path):
    from cchc_xl.render.return_pack import write_return_pack

    write_return_pack(province, tmp_path / "tra-ve")
    texts = [v for r in _grid(tmp_path / "tra-ve" / "11210-an-duc.xlsx", "Kết quả gửi xã") for v in r
             if isinstance(v, str)]
    assert "Không dùng được" in texts
    assert any("phu-luc-01b" in t for t in texts)
    assert any(t.startswith("Mở lại tệp") and "Biểu mẫu 1–7" in t for t in texts)


def test_return_dir_refuses_to_overwrite_without_force(good_result, tmp_path, capsys):
    out, back = tmp_path / "th.xlsx", tmp_path / "tra-ve"
    args = ["consolidate", str(good_result.directory), "-o", str(out), "--return-dir", str(back), "-q"]
    assert main(args) == 0
    assert sorted(p.name for p in back.iterdir()) == ["101-quang-khai.xlsx", "102-dai-hop.xlsx", "103-tan-ky.xlsx"]
    before = {p.name: p.stat().st_mtime_ns for p in back.iterdir()}
    os.remove(out)
    assert main(args) == 2
    assert "--force" in capsys.readouterr().err
    assert not out.exists()  # refused before anything was written
    assert {p.name: p.stat().st_mtime_ns for p in back.iterdir()} == before
    assert main([*args, "--force"]) == 0
    (tmp_path / "tep").write_text("x")
    assert main(["consolidate", str(good_result.directory), "-o", str(tmp_path / "y.xlsx"), "--return-dir",
                 str(tmp_path / "tep"), "-q"]) == 2


# ----------------------------------------------------------------------------------------- demo


def test_demo_resubmission_is_the_same_commune_with_the_correction():
    from cchc_xl.commands.diff import diff_files

    first = PROVINCE / "dan-chu-nam-2022.xlsx"
    second = ROOT / "samples" / "resubmission" / "dan-chu-nam-2022-lan-2.xlsx"
    result = diff_files(str(first), str(second))
    changed = {c.code for c in result.changes if c.kind == "value"}
    assert changed == {"BM1-1", "BM1-2.2"}
    assert any(c.kind == "validation" and c.detail == "fixed" for c in result.changes)
    assert not any(c.kind == "metadata" and c.code in ("xa", "ma_xa", "huyen") for c in result.changes)


# ----------------------------------------------------------------------------------------- LibreOffice


@pytest.mark.libreoffice
def test_consolidated_and_diff_workbooks_print_on_readable_pages(outputs, tmp_path, soffice):
    import subprocess

    pdf_dir = tmp_path / "pdf"
    for what in ("tong-hop", "diff"):
        subprocess.run([soffice, f"-env:UserInstallation=file://{tmp_path / 'lo'}", "--headless", "--convert-to",
                        "pdf", "--outdir", str(pdf_dir), str(outputs[what])], check=True, capture_output=True,
                       timeout=300)
    th = (pdf_dir / "th.pdf").read_bytes()
    pages = len(re.findall(rb"/Type\s*/Page[^s]", th))
    assert pages < 47  # measured on main: 47 pages, the per-commune table alone 27
    diff_pages = len(re.findall(rb"/Type\s*/Page[^s]", (pdf_dir / "diff.pdf").read_bytes()))
    assert diff_pages < 20  # measured on main: 20 pages, 4 page-widths wide


def test_return_pack_keeps_text_as_text_and_writes_the_same_in_parallel(province, tmp_path):
    import dataclasses

    from cchc_xl.render.return_pack import write_return_pack

    base = next(c for c in province.completeness if c.xa == "Dân Chủ")
    many = [dataclasses.replace(base, ma_xa=f"{90000 + i}", xa=f"=HYPERLINK(\"x\",\"{i}\")\x07")
            for i in range(240)]
    fake = dataclasses.replace(province, completeness=many, units=[base.unit])
    serial = write_return_pack(fake, tmp_path / "mot", jobs=1)
    parallel = write_return_pack(fake, tmp_path / "hai", jobs=2)
    assert [p.name for p in serial] == [p.name for p in parallel] and len(serial) == 240
    for a, b in zip(serial[:: 60], parallel[:: 60], strict=True):
        ga, gb = _grid(a, "Kết quả gửi xã"), _grid(b, "Kết quả gửi xã")
        assert ga == gb
        wb = load_workbook(a)
        cells = [c for row in wb["Kết quả gửi xã"].iter_rows() for c in row if c.value is not None]
        assert not [c for c in cells if c.data_type == "f"]  # "=HYPERLINK(...)" stayed text
        assert any(isinstance(c.value, str) and "=HYPERLINK" in c.value and "\x07" not in c.value for c in cells)


def test_many_communes_chart_the_rating_classes_not_one_bar_each(good_result, tmp_path, monkeypatch):
    import cchc_xl.render.consolidate_report as report

    monkeypatch.setattr(report, "MAX_BARS", 2)  # as if there were more communes than bars can show
    out = write_workbook(good_result, tmp_path / "nhieu.xlsx")
    with zipfile.ZipFile(out) as zf:
        charts = [zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 2 and not any("theo xã (xếp" in c for c in charts)
    (classes,) = [c for c in charts if "theo xếp loại" in c]
    cats, vals = re.findall(r"<c:f>([^<]+)</c:f>", classes)[:2]
    rows = _grid(out, "Chỉ số CCHC")
    first = int(re.search(r"\$(\d+):", cats).group(1)) - 1
    assert [r[2] for r in rows[first:first + 5]] == ["Xuất sắc", "Tốt", "Khá", "Trung bình", "Yếu"]
    assert [r[4] for r in rows[first:first + 5]] == [2, 1, 0, 0, 0] and "$E$" in vals
