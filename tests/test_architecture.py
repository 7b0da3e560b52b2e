"""The architecture holds: one naming scheme, one layout, the VBA tied to it, errors mapped to exit codes.

Each ``test_mutant_*`` pins a behaviour that was once broken on purpose while the whole suite stayed green.
"""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import openpyxl
import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cchc_xl.cli import INTERNAL_ERROR, main
from cchc_xl.commands.diff import diff_files
from cchc_xl.commands.fill import fill_workbook
from cchc_xl.commands.new import new_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.engine.rules import SEVERITY_LABELS
from cchc_xl.messages import say
from cchc_xl.model import layout, names
from cchc_xl.model.catalog import framework_for, list_forms, load_form
from cchc_xl.ooxml.builder import _write
from tests.wbtools import raw_write, rewrite_part

ROOT = Path(__file__).resolve().parents[1]
BAS = ROOT / "cchc_xl" / "macros" / "CchcKiemTra.bas"
LE_HONG = ROOT / "samples" / "data" / "le-hong-6thang-2022.yaml"
HOANG_TRUONG = ROOT / "samples" / "data" / "hoang-truong-nam-2023.yaml"

FORMS = [load_form(f) for f in list_forms()]
ALL_CODES = [(form, ind.code) for form in FORMS for ind in form.indicators]
ALL_CRITERIA = [(form, crit.code) for form in FORMS for crit in framework_for(form).criteria]


# ------------------------------------------------------------------------------------------- names


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(ALL_CODES))
def test_every_indicator_code_round_trips_through_its_defined_name(item) -> None:
    form, code = item
    name = names.indicator_name(code)
    ref = names.decode(name, form, framework_for(form))
    assert ref is not None and ref.kind == "indicator" and ref.code == code  # 3.3.1.a stays 3.3.1.a
    assert form.indicator(code).name == name


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(ALL_CRITERIA), st.booleans())
def test_every_criterion_code_round_trips_through_both_score_names(item, appraised: bool) -> None:
    form, code = item
    fw = framework_for(form)
    ref = names.decode(names.score_name(code, appraised), form, fw)
    assert ref is not None and ref.code == code and ref.appraised == appraised
    assert ref.kind == ("appraised" if appraised else "self")


def test_totals_meta_and_package_names_decode() -> None:
    form = FORMS[0]
    fw = framework_for(form)
    assert names.decode(names.SELF_TOTAL, form, fw) == names.NameRef("total", "total", False)
    assert names.decode(names.APPRAISED_TOTAL, form, fw) == names.NameRef("total", "total", True)
    assert names.decode(names.meta_name("ma_xa"), form, fw) == names.NameRef("meta", "ma_xa")
    assert names.decode("CT_KHONG_CO", form, fw) is None
    assert names.code_of("CT_KHONG_CO", form, fw) == "CT_KHONG_CO"


# ------------------------------------------------------------------------------------------ layout


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_layout_is_exactly_where_the_builder_writes(form) -> None:
    fw = framework_for(form)
    built = _write(io.BytesIO(), form, fw, None)
    planned = layout.layout_of(form, fw)
    assert built.cells == planned.cells
    assert built.rows == planned.rows_of_codes()


@pytest.mark.parametrize("form", FORMS, ids=lambda f: f.id)
def test_hidden_code_column_and_note_column_sit_where_layout_says(form) -> None:
    fw = framework_for(form)
    buffer = io.BytesIO()
    _write(buffer, form, fw, None)
    ws = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))[layout.stat_sheet_name(form)]
    for planned in layout.layout_of(form, fw).stat_rows:
        if planned.indicator is not None:
            assert ws.cell(planned.row + 1, layout.STAT_CODE_COL + 1).value == planned.indicator.code
    assert ws.cell(layout.STAT_HEADER_ROWS[0] + 1, layout.STAT_NOTE_COL + 1).value == "Ghi chú"
    assert ws.column_dimensions["F"].hidden  # the code column is a helper: hidden, never printed


def _bas_constants() -> dict[str, str]:
    text = BAS.read_text(encoding="ascii")
    return dict(re.findall(r"^Private Const (\w+) As \w+ = (\S+)", text, flags=re.M))


def test_vba_fallback_constants_equal_the_layout() -> None:
    const = _bas_constants()
    assert int(const["FIRST_RULE_ROW"]) == layout.CHECK_FIRST_ROW + 1  # VBA counts rows from 1
    assert int(const["COL_STATUS"]) == layout.CHECK_STATUS_COL + 1
    assert int(const["COL_CELLS"]) == layout.CHECK_CELLS_COL + 1
    assert int(const["COL_SEVERITY"]) == layout.CHECK_SEVERITY_COL + 1
    assert const["RESULT_NAME"].strip('"') == names.CHECK_RESULT


# ----------------------------------------------------------------------------------------- mutants


def test_mutant_unknown_form_id_is_a_clean_refusal(tmp_path, capsys) -> None:
    data = tmp_path / "x.yaml"
    data.write_text("form: mau-khong-co\nmeta: {tinh: A, xa: B, ky: nam, nam: 2024}\n", encoding="utf-8")
    assert main(["new", str(data), "-o", str(tmp_path / "x.xlsx")]) == 2  # 3 would be a crash
    err = capsys.readouterr().err
    assert "Không có mẫu biểu 'mau-khong-co'" in err and "Traceback" not in err and "KeyError" not in err
    assert not (tmp_path / "x.xlsx").exists()


def test_mutant_missing_name_finding_keeps_the_code_and_its_message(tmp_path) -> None:
    src = tmp_path / "a.xlsx"
    new_workbook(HOANG_TRUONG, src)
    nameless = rewrite_part(src, tmp_path / "n.xlsx", "xl/workbook.xml",
                            lambda x: re.sub(rb'<definedName name="CT_3_3_1_a">[^<]*</definedName>', b"", x))
    # With only the name gone the reader finds the row again by its hidden code: a structure warning.
    assert any(f.rule == "structure:name-missing" and f.codes == ("3.3.1.a",)
               for f in validate_file(nameless).findings)
    # With the hidden code gone too, nothing locates it: the missing-name error, with its code and message.
    row = validate_file(src).report.cells["CT_3_3_1_a"].row + 1
    code_cell = f"{chr(65 + layout.STAT_CODE_COL)}{row}".encode()
    broken = rewrite_part(nameless, tmp_path / "b.xlsx", "xl/worksheets/sheet2.xml",
                          lambda x: re.sub(rb'<c r="%s"[^>]*?(?:/>|>.*?</c>)' % code_cell, b"", x, count=1, flags=re.S))
    result = validate_file(broken)
    found = [f for f in result.findings if f.rule == "missing-name:CT_3_3_1_a"]
    assert len(found) == 1
    assert found[0].codes == ("3.3.1.a",)
    assert found[0].message == say("finding-missing-name", code="3.3.1.a", name="CT_3_3_1_a")


def test_mutant_diff_numeric_tolerance(tmp_path) -> None:
    doc = yaml.safe_load(HOANG_TRUONG.read_text(encoding="utf-8"))
    a = tmp_path / "a.xlsx"
    new_workbook(doc, a)
    noise = raw_write(a, tmp_path / "noise.xlsx", {"CT_3_3_1": 1603 + 1e-12})
    real = raw_write(a, tmp_path / "real.xlsx", {"CT_3_3_1": 1603.001})
    assert not [c for c in diff_files(a, noise).changes if c.kind == "value"]  # float noise of a re-save
    assert [c.code for c in diff_files(a, real).changes if c.kind == "value"] == ["3.3.1"]


def test_mutant_fill_writes_a_note_into_ghi_chu_not_the_code_column(tmp_path) -> None:
    src = tmp_path / "a.xlsx"
    new_workbook(HOANG_TRUONG, src)
    out = tmp_path / "b.xlsx"
    fill_workbook(src, {"values": {"3.3.1": 1603}, "notes": {"3.3.1": "đã đối chiếu"}}, out)
    form = load_form("phu-luc-01b")
    row = layout.layout_of(form, framework_for(form)).rows_of_codes()["3.3.1"] + 1
    ws = openpyxl.load_workbook(out)[layout.stat_sheet_name(form)]
    assert ws.cell(row, layout.STAT_NOTE_COL + 1).value == "đã đối chiếu"
    assert ws.cell(row, layout.STAT_CODE_COL + 1).value == "3.3.1"


def test_mutant_check_sheet_error_count_matches_the_severity_label_it_counts() -> None:
    form = FORMS[0]
    buffer = io.BytesIO()
    _write(buffer, form, framework_for(form), None)
    with zipfile.ZipFile(io.BytesIO(buffer.getvalue())) as z:
        wb = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
        ws = wb[layout.CHECK_SHEET]
        formula = ws.cell(layout.CHECK_SUMMARY_ROW + 1, layout.SUMMARY_CELLS[names.CHECK_ERRORS] + 1).value
        assert z.namelist()
    criterion = re.findall(r'"([^"]+)"\)$', formula)
    assert criterion == [SEVERITY_LABELS["error"]], formula
    severities = {ws.cell(r, layout.CHECK_SEVERITY_COL + 1).value
                  for r in range(layout.CHECK_FIRST_ROW + 1, ws.max_row + 1)}
    assert SEVERITY_LABELS["error"] in severities  # the word counted is the word written


# ------------------------------------------------------------------------------------ exit codes


def test_internal_error_is_exit_3_never_disguised_as_unusable_input(monkeypatch, tmp_path, capsys) -> None:
    def boom(*_a, **_k):
        raise RuntimeError("bug inside cchc-xl")

    import cchc_xl.commands.validate as validate_module

    monkeypatch.setattr(validate_module, "validate_file", boom)
    sample = ROOT / "samples" / "le-hong-6thang-2022.xlsx"
    assert main(["validate", str(sample)]) == INTERNAL_ERROR == 3
    err = capsys.readouterr().err
    assert "RuntimeError" not in err and "bug inside" not in err and "Traceback" not in err
    assert "Lỗi nội bộ" in err and "CCHC_XL_DEBUG" in err


def test_missing_macros_never_yield_an_xlsm_with_unbound_buttons(tmp_path) -> None:
    from cchc_xl.ooxml.vba import build_xlsm

    empty = tmp_path / "macros"
    empty.mkdir()
    with pytest.raises(FileNotFoundError):
        build_xlsm(ROOT / "workbook_templates" / "phu-luc-01b.xlsx", tmp_path / "x.xlsm", macros_dir=empty)
    assert not (tmp_path / "x.xlsm").exists()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_xml_text_escaping_matches_the_standard_library(text: str) -> None:
    from xml.sax.saxutils import escape as std_escape
    from xml.sax.saxutils import unescape as std_unescape

    from cchc_xl.ooxml.xmltext import escape, unescape

    assert escape(text) == std_escape(text)
    assert unescape(text) == std_unescape(text, {"&quot;": '"', "&apos;": "'"})
    assert unescape(escape(text)) == text


def test_cli_runner_sees_refusals_as_exit_codes_and_crashes_as_exceptions(tmp_path, monkeypatch) -> None:
    from click.testing import CliRunner

    from cchc_xl.cli import cli

    runner = CliRunner()
    refused = runner.invoke(cli, ["show", str(tmp_path / "khong-co.xlsx")], catch_exceptions=False)
    assert refused.exit_code == 2 and "Traceback" not in refused.output

    import cchc_xl.ooxml.reader as reader

    def boom(*_a, **_k):
        raise RuntimeError("bug")

    monkeypatch.setattr(reader, "read_report", boom)
    with pytest.raises(RuntimeError):
        runner.invoke(cli, ["show", str(ROOT / "samples" / "le-hong-6thang-2022.xlsx")], catch_exceptions=False)
