"""Which score stands, all season (issue 11 items 1–2): one definition in engine/scores.py, used everywhere.

Each ``test_measured_*`` reproduces one failure measured on main before this change.
"""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as hs

from cchc_xl.cli import cli
from cchc_xl.commands.consolidate import consolidate
from cchc_xl.commands.new import new_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.engine import scores
from cchc_xl.model.catalog import load_framework
from cchc_xl.model.layout import SCORE_SHEET
from cchc_xl.ooxml.reader import read_report, workbook_index

ROOT = Path(__file__).resolve().parents[1]
FORM = "hai-duong-bieu-mau-2022"
FW = load_framework("chi-so-cchc-xa-hai-duong-2022")
MAXIMA = {"1": 15, "2": 5, "3": 18.5, "4": 6, "5": 11, "6": 7, "7": 11.5, "8": 2, "9": 14, "10": 10}
SELF_FIELDS = [c for c in MAXIMA if c not in ("9", "10")]


def doc(xa: str, ma: str, own: dict | None = None, appraised: dict | None = None) -> dict:
    return {"form": FORM, "meta": {"tinh": "Hải Dương", "huyen": "Tứ Kỳ", "xa": xa, "ma_xa": ma, "ky": "nam",
                                   "nam": 2022},
            "values": {"BM1-1": 3}, "scores": own or {}, "appraised": appraised or {}}


def share(s: float, codes) -> dict:
    return {c: round(MAXIMA[c] * s, 2) for c in codes}


# ------------------------------------------------------------------------------------------ pure function


def test_standing_prefers_appraised_then_self_and_survey_only_appraised():
    st = scores.standing(FW, {"1": 10, "2": 4, "8": 2}, {"2": 3, "9": 12})
    assert st.field("1").points == 10 and st.field("1").source == "self"
    assert st.field("2").points == 3 and st.field("2").source == "appraised"
    assert st.field("9").points == 12
    assert st.total == 10 + 3 + 2 + 12 and st.basis == "provisional"
    assert st.missing == ("3", "4", "5", "6", "7", "10") and not st.complete
    assert st.self_total == 16 and st.appraised_total == 15


def test_standing_final_only_when_every_field_is_appraised():
    full = share(0.9, MAXIMA)
    assert scores.standing(FW, {}, full).basis == "final"
    assert scores.standing(FW, {}, full).complete
    partial = {**full}
    del partial["4"]
    st = scores.standing(FW, {"4": 5}, partial)
    assert st.basis == "provisional" and st.complete and st.self_fields == ("4",)


def test_unscored_report_has_no_basis():
    st = scores.standing(FW, {}, {})
    assert st.basis is None and st.total is None and not st.scored


def _computed_framework():
    from cchc_xl.model.catalog import parse_framework

    rows = [{"code": "1", "label": "A", "max": "60", "parent": "", "assessment": "tu_cham"},
            {"code": "1.1", "label": "A1", "max": "20", "parent": "1", "assessment": ""},
            {"code": "1.2", "label": "A2", "max": "40", "parent": "1", "assessment": ""},
            {"code": "2", "label": "B", "max": "40", "parent": "", "assessment": "dieu_tra"}]
    return parse_framework("thu", rows)


def test_computed_subtotals_given_as_values_do_not_make_a_field_scored():
    fw = _computed_framework()
    assert fw.criterion("1").computed
    # a cached 0 in the formula cell of field 1 is not a score: only entered leaves count
    st = scores.standing(fw, {"1": 0}, {"1": 0})
    assert st.field("1").source is None and not st.scored
    st = scores.standing(fw, {"1.1": 15}, {"2": 30})
    assert st.field("1").points == 15 and st.total == 45 and st.basis == "provisional" and st.complete


@given(hs.dictionaries(hs.sampled_from(list(MAXIMA)), hs.floats(0, 10, allow_nan=False), max_size=10),
       hs.dictionaries(hs.sampled_from(list(MAXIMA)), hs.floats(0, 10, allow_nan=False), max_size=10))
def test_standing_total_is_the_sum_of_standing_fields(own, appraised):
    st = scores.standing(FW, own, appraised)
    expected = {}
    for code in MAXIMA:
        if code in appraised:
            expected[code] = appraised[code]
        elif code in own and code not in ("9", "10"):
            expected[code] = own[code]
    assert set(st.points) == set(expected)
    assert st.complete == (len(expected) == 10)
    if expected:
        assert st.total == pytest.approx(sum(expected.values()), abs=1e-8)
    assert st.basis == (None if not expected else "final" if all(c in appraised for c in MAXIMA)
                        else "provisional")


# ------------------------------------------------------------------------------------ measured failures


@pytest.fixture(scope="module")
def mid_season(tmp_path_factory) -> Path:
    """Fields 1–8 self-assessed only, 9–10 with their survey score: the best self scores are Quang Khải's."""
    folder = tmp_path_factory.mktemp("mid")
    for n, (xa, s) in enumerate((("Quang Khải", 0.95), ("Đại Hợp", 0.7), ("Tân Kỳ", 0.8))):
        survey = share(0.5 + n * 0.1, ("9", "10"))
        new_workbook(doc(xa, f"10{n}", share(s, SELF_FIELDS), survey), folder / f"xa-{n}.xlsx")
    return folder


def test_measured_mid_season_consolidation_ranks_on_survey_points_only(mid_season):
    result = consolidate(mid_season, jobs=1)
    by = {u.xa: u for u in result.units}
    assert result.score_basis == "provisional"
    assert by["Quang Khải"].rank_total == 1  # best self scores, was 2nd on survey points alone
    assert by["Quang Khải"].total == pytest.approx(sum(share(0.95, SELF_FIELDS).values()) + 7 + 5)
    assert all(u.total > 60 for u in result.units)  # not the ≈ 19–21 survey points
    assert by["Quang Khải"].rating.endswith("(tạm tính)")  # provisional: marked
    assert all(u.basis == "provisional" and u.complete for u in result.units)


def test_measured_one_appraised_one_self_only_commune_left_unranked(tmp_path):
    new_workbook(doc("Quang Khải", "101", appraised=share(0.9, MAXIMA)), tmp_path / "a.xlsx")
    new_workbook(doc("Đại Hợp", "102", own=share(0.8, SELF_FIELDS), appraised=share(0.8, ("9", "10"))),
                 tmp_path / "b.xlsx")
    result = consolidate(tmp_path, jobs=1)
    by = {u.xa: u for u in result.units}
    assert by["Đại Hợp"].rank_total == 2 and by["Quang Khải"].rank_total == 1
    assert by["Quang Khải"].basis == "final" and by["Đại Hợp"].basis == "provisional"
    assert by["Quang Khải"].rating == "Xuất sắc" and by["Đại Hợp"].rating == "Tốt (tạm tính)"


def test_measured_self_only_folder_classes_76_point_sums_against_100_point_thresholds(tmp_path):
    new_workbook(doc("Quang Khải", "101", own=share(1.0, SELF_FIELDS)), tmp_path / "a.xlsx")
    result = consolidate(tmp_path, jobs=1)
    u = result.units[0]
    assert u.total == 76 and not u.complete and u.missing == ("9", "10")
    assert u.rating == "chưa đủ điểm" and u.rank_total is None  # not "Khá" on 76/100
    assert result.exit_code == 1


def test_measured_incomplete_commune_validates_clean(tmp_path):
    r = validate_file(ROOT / "samples" / "hiep-hoa-nam-2022.xlsx")
    found = [f for f in r.findings if f.rule == "score-incomplete"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert found[0].codes == ("4", "5", "6", "8", "9", "10") and "4, 5, 6, 8, 9, 10" in found[0].message
    assert found[0].values["missing"] == ["4", "5", "6", "8", "9", "10"]


def test_measured_incomplete_commune_shows_a_total_of_zero():
    result = CliRunner().invoke(cli, ["show", str(ROOT / "samples" / "hiep-hoa-nam-2022.xlsx")])
    assert "Tổng: 0 /" not in result.output
    assert "Chỉ số CCHC: 37,685" in result.output and "chưa đủ điểm" in result.output
    assert "4, 5, 6, 8, 9, 10" in result.output


def test_measured_incomplete_commune_is_ranked_and_classed_with_exit_0(tmp_path):
    new_workbook(doc("Quang Khải", "101", appraised=share(0.9, MAXIMA)), tmp_path / "a.xlsx")
    new_workbook(doc("Hiệp Hòa", "102", appraised=share(0.9, ("1", "2", "3", "7"))), tmp_path / "b.xlsx")
    out = tmp_path / "out"
    out.mkdir()
    run = CliRunner().invoke(cli, ["consolidate", str(tmp_path), "-o", str(out / "t.xlsx"), "--json",
                                   str(out / "t.json"), "-q"])
    assert run.exit_code == 1
    d = json.loads((out / "t.json").read_text(encoding="utf-8"))
    hh = next(u for u in d["units"] if u["xa"] == "Hiệp Hòa")
    assert hh["rank"]["total"]["position"] is None
    assert hh["scores"]["complete"] is False and hh["scores"]["missing"] == ["4", "5", "6", "8", "9", "10"]
    assert hh["scores"]["basis"] == "provisional"
    qk = next(u for u in d["units"] if u["xa"] == "Quang Khải")
    assert qk["scores"] | {"fields": None} == {"total": 90.0, "basis": "final", "complete": True, "missing": [],
                                               "fields": None}
    ranked = CliRunner().invoke(cli, ["consolidate", str(tmp_path), "-o", str(out / "r.xlsx"), "--json",
                                      str(out / "r.json"), "-q", "--rank-incomplete"])
    assert ranked.exit_code == 1
    d = json.loads((out / "r.json").read_text(encoding="utf-8"))
    hh = next(u for u in d["units"] if u["xa"] == "Hiệp Hòa")
    assert hh["rank"]["total"]["position"] == 2  # ranked on request, still not classed
    wb = openpyxl.load_workbook(out / "r.xlsx", read_only=True)
    texts = {c for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for c in row if isinstance(c, str)}
    assert "chưa đủ điểm" in texts


def test_measured_score_sheet_shows_zero_percent_where_the_appraised_column_is_blank(tmp_path):
    path = tmp_path / "x.xlsx"
    new_workbook(doc("Quang Khải", "101", own=share(0.8, SELF_FIELDS)), path)
    names = workbook_index(path).names
    ws = openpyxl.load_workbook(path, data_only=True)[SCORE_SHEET]
    formulas = openpyxl.load_workbook(path)[SCORE_SHEET]
    one = names["THAMDINH_1"]
    pct = ws.cell(one.row + 1, 6)
    assert pct.value == 80  # the standing (self) score, not 0 %
    nine = names["THAMDINH_9"]
    assert ws.cell(nine.row + 1, 6).value in (None, "")  # no score: blank, not 0 %
    assert "N(" not in formulas.cell(one.row + 1, 6).value
    assert ws[names["THAMDINH_TONG"].address].value in (None, "")  # empty total blank, not 0
    assert ws[names["CHISO_TONG"].address].value == pytest.approx(76 * 0.8)
    assert ws[names["CHISO_CO_SO"].address].value.startswith("Chưa đủ điểm")


def test_measured_empty_self_total_prints_as_zero(tmp_path):
    path = tmp_path / "x.xlsx"
    new_workbook(doc("Quang Khải", "101"), path)
    names = workbook_index(path).names
    ws = openpyxl.load_workbook(path, data_only=True)[SCORE_SHEET]
    assert ws[names["DIEM_TONG"].address].value in (None, "")
    assert ws[names["DIEM_1"].address].value in (None, "")  # computed field, nothing entered
    assert read_report(path).totals["DIEM_TONG"] is None
