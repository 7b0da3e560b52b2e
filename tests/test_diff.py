"""diff: compare two versions of a report by indicator code (issue 5)."""

from __future__ import annotations

import copy
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cchc_xl.cli import main
from cchc_xl.commands.diff import diff_files, diff_scores
from cchc_xl.commands.new import new_workbook
from cchc_xl.errors import OutputRefused, UnusableInput
from cchc_xl.model.catalog import framework_for, load_form, parse_form
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.ooxml.safety import sniff
from cchc_xl.render.diff_report import render_json, render_text, summary_line, write_xlsx
from cchc_xl.sources.datafile import check_data

ROOT = Path(__file__).resolve().parents[1]
LE_HONG = ROOT / "samples" / "data" / "le-hong-6thang-2022.yaml"
HD_FORM = ROOT / "cchc_xl" / "catalogs" / "forms" / "hai-duong-bieu-mau-2022.yaml"
STAT_SHEET = "Biểu mẫu"
CORE_KINDS = ("value", "derived", "type", "formula", "structure", "other", "added", "removed", "scores", "note")


def le_hong() -> dict:
    return yaml.safe_load(LE_HONG.read_text(encoding="utf-8"))


def build(tmp_path: Path, name: str, doc: dict) -> Path:
    path = tmp_path / f"{name}.xlsx"
    new_workbook(doc, path)
    return path


def kinds(result, kind: str) -> list:
    return [c for c in result.changes if c.kind == kind]


def codes(result, kind: str) -> set:
    return {c.code for c in kinds(result, kind)}


def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(["diff", *map(str, args)])
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    return build(tmp_path_factory.mktemp("base"), "le-hong", le_hong())


def name_ref(wb, name: str) -> tuple[str, str]:
    sheet, ref = wb.defined_names[name].attr_text.split("!")
    return sheet.strip("'"), ref.replace("$", "")


# ------------------------------------------------------------------------------------------ identical


def test_identical_files_exit_0_and_only_the_summary(base, tmp_path, capsys):
    copy_path = tmp_path / "copy.xlsx"
    shutil.copyfile(base, copy_path)
    code, out, err = run(capsys, base, copy_path)
    assert code == 0
    assert out.strip().splitlines() == [f"Không có khác biệt giữa '{base.name}' và 'copy.xlsx'."]
    assert err == ""
    result = diff_files(base, copy_path)
    assert not result.changes and set(result.summary.values()) == {0}


# --------------------------------------------------------------------------------- one input change


def test_one_input_change_gives_one_value_change_and_its_derived_consequences(base, tmp_path, capsys):
    doc = le_hong()
    doc["values"]["BM1-2.2"] = 25
    changed = build(tmp_path, "changed", doc)
    result = diff_files(base, changed)
    [value] = kinds(result, "value")
    assert (value.code, value.old, value.new, value.abs_change) == ("BM1-2.2", 24, 25, 1)
    assert value.rel_change == pytest.approx(1 / 24, abs=1e-6)
    assert value.label == "Số nhiệm vụ đã hoàn thành" and value.cell_old == value.cell_new
    [derived] = kinds(result, "derived")
    assert (derived.code, derived.old, derived.new, derived.caused_by) == ("BM1-2", 85.71, 89.29, ("BM1-2.2",))
    for kind in ("type", "formula", "structure", "other", "added", "removed", "metadata", "note", "scores"):
        assert not kinds(result, kind), kind
    # Text: the summary first; derived hidden by default, listed under its input with --all.
    code, out, _ = run(capsys, base, changed)
    assert code == 1
    lines = out.splitlines()
    assert lines[0].startswith("1 chỉ tiêu thay đổi")
    assert "Biểu mẫu 1: Công tác chỉ đạo điều hành CCHC" in lines
    assert not any("BM1-2 " in line and "85,71" in line for line in lines)
    assert "--all" in out
    code, out_all, _ = run(capsys, base, changed, "--all")
    [arrow] = [line for line in out_all.splitlines() if "↳" in line]
    assert "BM1-2" in arrow and "85,71" in arrow and "89,29" in arrow and "do BM1-2.2" in arrow
    assert "\x1b[" not in out_all  # plain in a pipe


def test_json_output_has_stable_keys(base, tmp_path, capsys):
    doc = le_hong()
    doc["values"]["BM1-2.2"] = 25
    changed = build(tmp_path, "changed", doc)
    code, out, _ = run(capsys, base, changed, "--format", "json")
    assert code == 1
    data = json.loads(out)
    assert {"old", "new", "summary", "changes"} <= set(data)
    assert data["summary"]["value"] == 1 and data["summary"]["derived"] == 1
    assert set(data["summary"]) >= {"value", "derived", "formula", "type", "added", "removed", "structure",
                                    "metadata", "scores", "validation", "note", "other"}
    for change in data["changes"]:
        assert {"kind", "code", "label", "sheet", "cell_old", "cell_new", "old", "new"} <= set(change)
    [value] = [c for c in data["changes"] if c["kind"] == "value"]
    assert value["old"] == 24 and value["new"] == 25 and value["abs_change"] == 1


# ---------------------------------------------------------------------------------------- row insert


def _shift_names(wb, sheet: str, at_row: int, by: int) -> None:
    """Move every defined name on ``sheet`` at/after ``at_row`` (1-based) by ``by`` rows, as Excel does."""
    for dn in wb.defined_names.values():
        m = re.fullmatch(r"'?(.+?)'?!\$([A-Z]+)\$(\d+)", dn.attr_text or "")
        if m and m.group(1) == sheet and int(m.group(3)) >= at_row:
            dn.attr_text = f"'{sheet}'!${m.group(2)}${int(m.group(3)) + by}"


def insert_row(src: Path, out: Path, at_row: int) -> Path:
    wb = openpyxl.load_workbook(src)
    ws = wb[STAT_SHEET]
    ws.insert_rows(at_row)
    for merged in list(ws.merged_cells.ranges):  # openpyxl leaves merges behind; Excel moves them
        if merged.min_row >= at_row:
            merged.shift(0, 1)
    _shift_names(wb, STAT_SHEET, at_row, 1)
    wb.save(out)
    return out


def test_inserted_row_is_one_structure_change_and_no_spurious_value_changes(base, tmp_path):
    wb = openpyxl.load_workbook(base)
    _, ref = name_ref(wb, "CT_BM3_1_1")
    at_row = int(re.sub(r"[A-Z]", "", ref))
    inserted = insert_row(base, tmp_path / "inserted.xlsx", at_row)
    result = diff_files(base, inserted)
    [structure] = kinds(result, "structure")
    assert "Chèn 1 dòng" in structure.detail and f"dòng {at_row} cũ" in structure.detail
    assert structure.label.startswith("BM3-1.1")
    for kind in ("value", "derived", "type", "formula", "other", "added", "removed", "note", "scores"):
        assert not kinds(result, kind), (kind, kinds(result, kind)[:3])


def test_text_typed_into_an_inserted_row_is_an_other_change(base, tmp_path):
    wb = openpyxl.load_workbook(base)
    _, ref = name_ref(wb, "CT_BM3_1_1")
    at_row = int(re.sub(r"[A-Z]", "", ref))
    inserted = insert_row(base, tmp_path / "inserted.xlsx", at_row)
    wb = openpyxl.load_workbook(inserted)
    wb[STAT_SHEET].cell(at_row, 2).value = "Dòng thêm tay"
    wb.save(inserted)
    result = diff_files(base, inserted)
    [other] = kinds(result, "other")
    assert other.new == "Dòng thêm tay" and other.cell_new == f"B{at_row}" and other.old is None
    assert len(kinds(result, "structure")) == 1 and not kinds(result, "value")


def test_deleted_row_is_one_structure_change_and_one_removed_indicator(base, tmp_path):
    wb = openpyxl.load_workbook(base)
    _, ref = name_ref(wb, "CT_BM3_1_2")
    at_row = int(re.sub(r"[A-Z]", "", ref))
    ws = wb[STAT_SHEET]
    ws.delete_rows(at_row)
    for merged in list(ws.merged_cells.ranges):
        if merged.min_row > at_row:
            merged.shift(0, -1)
    wb.defined_names["CT_BM3_1_2"].attr_text = f"'{STAT_SHEET}'!#REF!"
    _shift_names(wb, STAT_SHEET, at_row + 1, -1)
    out = tmp_path / "deleted.xlsx"
    wb.save(out)
    result = diff_files(base, out)
    [structure] = kinds(result, "structure")
    assert "Xóa 1 dòng" in structure.detail and structure.label.startswith("BM3-1.3")
    assert codes(result, "removed") == {"BM3-1.2"}
    assert not any(kinds(result, k) for k in ("value", "type", "formula", "other", "added"))


def test_renamed_sheet_is_one_structure_change(base, tmp_path):
    wb = openpyxl.load_workbook(base)
    wb["Chấm điểm"].title = "Điểm"
    for dn in wb.defined_names.values():
        dn.attr_text = dn.attr_text.replace("'Chấm điểm'!", "'Điểm'!")
    out = tmp_path / "renamed.xlsx"
    wb.save(out)
    result = diff_files(base, out)
    [structure] = kinds(result, "structure")
    assert structure.detail == "Đổi tên trang 'Chấm điểm' thành 'Điểm'."
    assert not any(kinds(result, k) for k in ("value", "derived", "removed", "added", "other", "scores"))


# ----------------------------------------------------------------------------------- formula / type


def test_formula_overwritten_by_a_constant_is_a_formula_change(base, tmp_path, capsys):
    wb = openpyxl.load_workbook(base)
    sheet, ref = name_ref(wb, "CT_BM1_2")
    wb[sheet][ref] = 85
    out = tmp_path / "overwritten.xlsx"
    wb.save(out)
    result = diff_files(base, out)
    [formula] = kinds(result, "formula")
    assert formula.code == "BM1-2" and formula.overwritten and formula.new == 85
    assert formula.old == formula.expected == '=IF(N(CT_BM1_2_1)=0,"",ROUND(N(CT_BM1_2_2)/CT_BM1_2_1*100,2))'
    assert not any(kinds(result, k) for k in ("value", "derived", "type", "other", "structure"))
    assert "1 công thức bị ghi đè" in summary_line(result)
    code, out_text, _ = run(capsys, base, out)
    assert code == 1 and "công thức bị ghi đè bằng giá trị 85" in out_text


def test_same_number_stored_as_text_is_a_type_change(tmp_path):
    doc = le_hong()
    doc["values"]["BM4-1.2"] = 12.5
    as_number = build(tmp_path, "number", doc)
    doc = le_hong()
    del doc["values"]["BM4-1.2"]
    doc["text"]["BM4-1.2"] = "12,5"
    as_text = build(tmp_path, "text", doc)
    result = diff_files(as_number, as_text)
    [typed] = kinds(result, "type")
    assert (typed.code, typed.old, typed.new) == ("BM4-1.2", 12.5, "12,5")
    assert not kinds(result, "value") and not kinds(result, "other")
    assert "1 ô đổi kiểu dữ liệu (số/chữ)" in summary_line(result)


# ------------------------------------------------------------------------------------------ LibreOffice


@pytest.mark.libreoffice
def test_libreoffice_resave_gives_no_value_differences(base, tmp_path, soffice):
    from tests.support.libreoffice import run_macro

    resaved = run_macro(base, None, tmp_path / "resaved.xlsx")
    result = diff_files(base, resaved)
    for kind in CORE_KINDS:
        assert not kinds(result, kind), (kind, kinds(result, kind)[:3])


# -------------------------------------------------------------------------------- versions and forms


def _modified_form(removed: str, added: str) -> tuple[dict, str]:
    doc = yaml.safe_load(HD_FORM.read_text(encoding="utf-8"))
    doc = copy.deepcopy(doc)
    doc["version"] = doc["version"] + "-thu"
    doc["indicators"] = [i for i in doc["indicators"] if i["code"] != removed]
    last_bm1 = max(n for n, i in enumerate(doc["indicators"]) if i["code"].startswith("BM1-"))
    doc["indicators"].insert(last_bm1 + 1, {"code": added, "label": "Số sáng kiến CCHC được công nhận",
                                            "unit": "Sáng kiến", "kind": "count"})
    return doc, doc["version"]


def _unreferenced_leaf(form_text: str) -> str:
    form = load_form("hai-duong-bieu-mau-2022")
    for ind in form.inputs:
        uses = re.findall(rf"(?<![\w.-]){re.escape(ind.code)}(?![\w.])", form_text)
        if len(uses) == 1 and not form.children(ind.code) and ind.code.startswith("BM5-"):
            return ind.code
    raise AssertionError("no unreferenced input indicator")


def test_two_template_versions_give_added_and_removed_indicators(base, tmp_path):
    removed = _unreferenced_leaf(HD_FORM.read_text(encoding="utf-8"))
    form_doc, version = _modified_form(removed, "BM1-9")
    form = parse_form(form_doc)
    fw = framework_for(form)
    data = le_hong()
    data["values"].pop(removed, None)
    data["values"]["BM1-9"] = 3
    other = tmp_path / "other-version.xlsx"
    build_workbook(other, form, fw, check_data(data, form, fw))
    result = diff_files(base, other)
    [added] = kinds(result, "added")
    assert (added.code, added.label, added.new) == ("BM1-9", "Số sáng kiến CCHC được công nhận", 3)
    [gone] = kinds(result, "removed")
    assert gone.code == removed and gone.label == load_form("hai-duong-bieu-mau-2022").indicator(removed).label
    [meta] = [c for c in kinds(result, "metadata") if c.code == "template_version"]
    assert meta.new == version
    assert not kinds(result, "value") and not kinds(result, "derived")
    # Rows moved by the extra indicator are reported as structure, not as shifted cells.
    assert kinds(result, "structure")


def test_entirely_different_forms_are_said_once(base):
    other = ROOT / "samples" / "hoang-truong-nam-2023.xlsx"
    result = diff_files(base, other)
    assert any("mẫu biểu khác hẳn nhau" in c.detail for c in kinds(result, "structure"))
    assert not kinds(result, "added") and not kinds(result, "removed") and not kinds(result, "value")


# ------------------------------------------------------------------------------------------ scores etc.


def test_scores_option_compares_self_assessed_and_appraised(tmp_path, capsys):
    doc = {"form": "hai-duong-bieu-mau-2022", "meta": {"tinh": "Hải Dương", "xa": "Thử", "ky": "nam", "nam": 2022},
           "scores": {"1.5": 0.5, "2": 4.75, "3": 16}, "appraised": {"1.5": 0.25, "2": 4.75, "3": 15.5}}
    path = build(tmp_path, "scores", doc)
    result = diff_scores(path)
    assert result.mode == "scores"
    assert {(c.code, c.old, c.new) for c in result.changes} == {("1.5", 0.5, 0.25), ("3", 16, 15.5)}
    [c15] = [c for c in result.changes if c.code == "1.5"]
    assert c15.abs_change == -0.25 and c15.rel_change == -0.5
    code, out, _ = run(capsys, path, "--scores")
    assert code == 1 and out.splitlines()[0] == "2 tiêu chí có điểm thẩm định khác điểm tự chấm"
    code, _, err = run(capsys, path)
    assert code == 2 and "--scores" in err


def test_scores_notes_and_metadata_between_files(base, tmp_path):
    doc = le_hong()
    doc["meta"]["nguoi_lap"] = "Nguyễn Thị Lan"
    doc["notes"] = {"BM1-1": "Theo Kế hoạch số 12/KH-UBND"}
    doc["appraised"] = {"2": 4.5}
    changed = build(tmp_path, "changed", doc)
    result = diff_files(base, changed)
    [meta] = kinds(result, "metadata")
    assert (meta.code, meta.old, meta.new) == ("nguoi_lap", "Bùi Văn Tiến", "Nguyễn Thị Lan")
    [note] = kinds(result, "note")
    assert note.code == "BM1-1" and note.new == "Theo Kế hoạch số 12/KH-UBND" and note.cell_new.startswith("E")
    [score] = kinds(result, "scores")
    assert (score.code, score.column, score.old, score.new) == ("2", "tham_dinh", None, 4.5)
    [total] = [c for c in kinds(result, "derived") if c.code == "total"]
    assert total.caused_by == ("2",) and total.new == 4.5


def test_validation_errors_introduced_and_fixed(base, tmp_path):
    pytest.importorskip("cchc_xl.commands.validate")
    doc = le_hong()
    doc["values"]["BM1-2.2"] = 40  # more tasks done than planned (28)
    worse = build(tmp_path, "worse", doc)
    result = diff_files(base, worse)
    new_errors = [c for c in kinds(result, "validation") if c.detail == "new" and c.severity == "error"]
    assert new_errors and all("BM1-2.2" in (c.code or "") for c in new_errors)
    assert "lỗi mới" in summary_line(result)
    back = diff_files(worse, base)
    fixed = [c for c in kinds(back, "validation") if c.detail == "fixed"]
    assert {c.rule for c in fixed} >= {c.rule for c in new_errors}


# ------------------------------------------------------------------------------------------ outputs


def test_xlsx_report_has_summary_and_side_by_side_with_old_value_comments(base, tmp_path, capsys):
    doc = le_hong()
    doc["values"]["BM1-2.2"] = 25
    doc["meta"]["nguoi_lap"] = "=HYPERLINK(\"x\")"
    changed = build(tmp_path, "changed", doc)
    report = tmp_path / "so-sanh.xlsx"
    code, _, err = run(capsys, base, changed, "-o", report)
    assert code == 1 and report.is_file() and "Đã ghi báo cáo so sánh" in err
    wb = openpyxl.load_workbook(report)
    assert wb.sheetnames == ["Tóm tắt", "Đối chiếu"]
    side = wb["Đối chiếu"]
    rows = {r[7].value: r for r in side.iter_rows(min_row=4) if len(r) > 7 and r[7].value}
    row = rows["BM1-2.2"]
    assert row[0].value == "->" and row[4].value == 24 and row[5].value == 25
    assert row[5].comment is not None and "Giá trị cũ: 24" in row[5].comment.text
    assert row[5].fill.fgColor.rgb.endswith("FFC7CE")
    assert rows["BM1-1"][0].value in ("", None) and rows["BM1-1"][5].comment is None
    texts = [c.value for r in wb["Tóm tắt"].iter_rows() for c in r if isinstance(c.value, str)]
    assert '"=HYPERLINK(\\"x\\")"' not in texts and "=HYPERLINK(\"x\")" in texts  # text, never a formula
    assert all(c.data_type != "f" for r in wb["Tóm tắt"].iter_rows() for c in r)
    code, _, err = run(capsys, base, changed, "-o", report)
    assert code == 2 and "--force" in err
    assert run(capsys, base, changed, "-o", report, "--force")[0] == 1


def test_colour_only_when_asked(base, tmp_path):
    doc = le_hong()
    doc["values"]["BM1-2.2"] = 25
    result = diff_files(base, build(tmp_path, "changed", doc))
    assert "\x1b[" in render_text(result, color=True)
    assert "\x1b[" not in render_text(result, color=False)
    assert json.loads(render_json(result))["summary"]["value"] == 1


def test_unusable_input_exits_2_with_the_validate_message(base, tmp_path, capsys):
    bad = tmp_path / "bao-cao.xlsx"
    bad.write_text("not a workbook", encoding="utf-8")
    with pytest.raises(UnusableInput) as exc:
        sniff(bad)
    code, out, err = run(capsys, base, bad)
    assert code == 2 and out == "" and err.strip() == exc.value.message
    assert not list(tmp_path.glob("*.tmp"))


def test_write_xlsx_never_replaces_without_force(base, tmp_path):
    result = diff_files(base, base)
    target = tmp_path / "r.xlsx"
    write_xlsx(result, target)
    with pytest.raises(OutputRefused):
        write_xlsx(result, target)


# ------------------------------------------------------------------------------------------ property


INPUT_CODES = [i.code for i in load_form("hai-duong-bieu-mau-2022").inputs
               if i.kind == "count" and i.code in le_hong()["values"]]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.dictionaries(st.sampled_from(INPUT_CODES), st.integers(min_value=0, max_value=5000), max_size=5))
def test_random_value_edits_are_exactly_the_value_changes(base, tmp_path_factory, edits):
    doc = le_hong()
    doc["values"].update(edits)
    edited = build(tmp_path_factory.mktemp("edit"), "edited", doc)
    original = le_hong()["values"]
    expected = {c for c, v in edits.items() if int(original[c]) != v}
    result = diff_files(base, edited)
    assert codes(result, "value") == expected
    assert result.exit_code == (1 if expected else 0)
    for change in kinds(result, "derived"):
        assert set(change.caused_by) <= expected and change.caused_by
