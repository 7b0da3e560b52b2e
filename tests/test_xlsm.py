"""The macro-enabled templates: VBA project from cchc_xl/macros/*.bas, the two buttons, and safe reading.

LibreOffice checks (opening without repair, buttons bound after `new --xlsm` and after `fill`) are
marked ``libreoffice``; the VBA's behaviour is tested in test_excel_button.py.
"""

from __future__ import annotations

import hashlib
import subprocess
import zipfile
from pathlib import Path

import pytest

from cchc_xl.cli import main
from cchc_xl.model.layout import stat_sheet_name
from cchc_xl.ooxml.reader import read_report
from cchc_xl.ooxml.vba import (
    BUTTONS,
    MACROS_DIR,
    build_xlsm,
    buttons,
    module_sources,
    normalise_source,
    vba_modules,
    xlsm_differences,
)

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")  # oletools' pyparsing calls

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "workbook_templates"
FORMS = ("phu-luc-01b", "hai-duong-bieu-mau-2022")
SAMPLE = ROOT / "samples" / "data" / "hoang-truong-nam-2023.yaml"
EXPECTED_BUTTONS = [(b.name, b.text, b.macro) for b in BUTTONS]


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _olevba_modules(path: Path) -> dict[str, str]:
    """Module sources as oletools extracts them (an independent reader of the VBA project)."""
    from oletools.olevba import VBA_Parser

    parser = VBA_Parser(str(path))
    try:
        return {name.rsplit(".", 1)[0]: normalise_source(code)
                for _, _, name, code in parser.extract_macros() if name.endswith(".bas")}
    finally:
        parser.close()


def test_bas_sources_are_ascii_with_both_public_macros() -> None:
    sources = list(MACROS_DIR.glob("*.bas"))
    assert sources
    for path in sources:
        raw = path.read_bytes()
        assert raw.isascii(), f"{path.name}: VBA would turn non-ASCII characters into '?'"
    text = (MACROS_DIR / "CchcKiemTra.bas").read_text(encoding="ascii")
    assert "Public Sub KiemTra()" in text and "Public Sub XoaDanhDau()" in text


@pytest.mark.parametrize("form_id", FORMS)
def test_committed_xlsm_carries_exactly_the_bas_sources(form_id: str) -> None:
    path = TEMPLATES / f"{form_id}.xlsm"
    expected = module_sources()
    assert _olevba_modules(path) == expected
    assert vba_modules(path) == expected


@pytest.mark.parametrize("form_id", FORMS)
def test_committed_xlsm_is_up_to_date(form_id: str, tmp_path: Path) -> None:
    fresh = build_xlsm(TEMPLATES / f"{form_id}.xlsx", tmp_path / f"{form_id}.xlsm")
    assert xlsm_differences(TEMPLATES / f"{form_id}.xlsm", fresh) == []


def test_differences_name_a_changed_module(tmp_path: Path) -> None:
    macros = tmp_path / "macros"
    macros.mkdir()
    text = (MACROS_DIR / "CchcKiemTra.bas").read_text(encoding="ascii")
    (macros / "CchcKiemTra.bas").write_text(text.replace("Option Explicit", "Option Explicit\n' changed"),
                                            encoding="ascii")
    changed = build_xlsm(TEMPLATES / "phu-luc-01b.xlsx", tmp_path / "changed.xlsm", macros_dir=macros)
    assert xlsm_differences(TEMPLATES / "phu-luc-01b.xlsm", changed) == ["module CchcKiemTra"]


def test_build_is_deterministic(tmp_path: Path) -> None:
    a = build_xlsm(TEMPLATES / "phu-luc-01b.xlsx", tmp_path / "a.xlsm")
    b = build_xlsm(TEMPLATES / "phu-luc-01b.xlsx", tmp_path / "b.xlsm")
    assert _sha(a) == _sha(b)


@pytest.mark.parametrize("form_id", FORMS)
def test_buttons_on_the_statistical_and_scoring_sheets(form_id: str) -> None:
    from cchc_xl.model.catalog import load_form

    found = buttons(TEMPLATES / f"{form_id}.xlsm")
    assert found == {stat_sheet_name(load_form(form_id)): EXPECTED_BUTTONS, "Chấm điểm": EXPECTED_BUTTONS}


def test_xlsm_keeps_the_workbook_as_built(tmp_path: Path) -> None:
    """Only the parts a VBA project and buttons need change; cells, names, styles stay byte-identical."""
    source = TEMPLATES / "phu-luc-01b.xlsx"
    with zipfile.ZipFile(source) as a, zipfile.ZipFile(TEMPLATES / "phu-luc-01b.xlsm") as b:
        before = {n: a.read(n) for n in a.namelist()}
        after = {n: b.read(n) for n in b.namelist()}
    assert set(before) <= set(after)
    changed = {n for n in before if before[n] != after[n]}
    assert changed <= {"[Content_Types].xml", "xl/workbook.xml", "xl/_rels/workbook.xml.rels",
                       *(n for n in before if n.startswith("xl/worksheets/sheet"))}
    for name in ("xl/styles.xml", "xl/sharedStrings.xml"):
        assert before[name] == after[name]
    for name in changed & {n for n in before if n.startswith("xl/worksheets/sheet")}:
        # sheetData (every cell) and the protection element are untouched
        for element in (b"<sheetData", b"<sheetProtection", b"<cols>"):
            start_a, start_b = before[name].find(element), after[name].find(element)
            if start_a < 0:
                continue
            end = b"</sheetData>" if element == b"<sheetData" else b">"
            chunk_a = before[name][start_a:before[name].index(end, start_a)]
            chunk_b = after[name][start_b:after[name].index(end, start_b)]
            assert chunk_a == chunk_b, (name, element)
    assert b"macroEnabled" in after["[Content_Types].xml"]
    xlsx, xlsm = read_report(source), read_report(TEMPLATES / "phu-luc-01b.xlsm")
    assert xlsm.kind == "xlsm" and xlsx.cells == xlsm.cells and xlsx.values == xlsm.values


def test_new_xlsm_creates_a_macro_enabled_commune_workbook(tmp_path: Path) -> None:
    out = tmp_path / "xa.xlsm"
    assert main(["new", str(SAMPLE), "-o", str(out), "--xlsm"]) == 0
    assert vba_modules(out) == module_sources()
    assert buttons(out)["Phụ lục"] == EXPECTED_BUTTONS
    plain = tmp_path / "xa.xlsx"
    assert main(["new", str(SAMPLE), "-o", str(plain)]) == 0
    assert read_report(out).values == read_report(plain).values


def test_new_xlsm_refuses_another_suffix(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "xa.xlsx"
    assert main(["new", str(SAMPLE), "-o", str(out), "--xlsm"]) == 2
    assert ".xlsm" in capsys.readouterr().err
    assert not out.exists()


def test_fill_keeps_vba_and_buttons(tmp_path: Path) -> None:
    src = tmp_path / "xa.xlsm"
    assert main(["new", str(SAMPLE), "-o", str(src), "--xlsm"]) == 0
    data = tmp_path / "more.yaml"
    data.write_text('values: {"1.1.3": 18}\n', encoding="utf-8")
    out = tmp_path / "filled.xlsm"
    main(["fill", str(src), str(data), "-o", str(out)])
    assert read_report(out).values["1.1.3"] == 18
    assert vba_modules(out) == module_sources()
    assert buttons(out) == buttons(src)


def test_validate_and_consolidate_read_xlsm_without_running_macros(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "bao-cao"
    folder.mkdir()
    workbook = folder / "xa.xlsm"
    assert main(["new", str(SAMPLE), "-o", str(workbook), "--xlsm"]) == 0
    before = _sha(workbook)

    def no_process(*args, **kwargs):  # LibreOffice (or anything else) would be a subprocess
        raise AssertionError(f"a process was started: {args!r}")

    monkeypatch.setattr(subprocess, "Popen", no_process)
    monkeypatch.setattr(subprocess, "run", no_process)
    assert main(["validate", str(workbook)]) == 1  # the sample's known errors, read from the .xlsm
    assert main(["consolidate", str(folder), "-o", str(tmp_path / "tong-hop.xlsx"), "--jobs", "1", "-q"]) in (0, 1)
    assert (tmp_path / "tong-hop.xlsx").is_file()
    assert _sha(workbook) == before
    assert sorted(p.name for p in folder.iterdir()) == ["xa.xlsm"]


@pytest.mark.libreoffice
def test_template_opens_in_libreoffice_with_bound_buttons(soffice: str, tmp_path: Path) -> None:
    from tests.support.libreoffice import form_buttons, run_macro

    path = TEMPLATES / "phu-luc-01b.xlsm"
    seen = form_buttons(path)
    for sheet in ("Phụ lục", "Chấm điểm"):
        assert [(b["name"], b["label"], b["script"]) for b in seen[sheet]] == [
            (b.name, b.text, f"vnd.sun.star.script:VBAProject.CchcKiemTra.{b.macro}?language=Basic&location=document")
            for b in BUTTONS]
    # a LibreOffice round trip reads it without repair and keeps every defined name and value
    out = run_macro(path, None, tmp_path / "round.xlsm")
    assert read_report(out).cells == read_report(path).cells


@pytest.mark.libreoffice
def test_buttons_survive_new_and_fill_in_libreoffice(soffice: str, tmp_path: Path) -> None:
    from tests.support.libreoffice import form_buttons

    src = tmp_path / "xa.xlsm"
    assert main(["new", str(SAMPLE), "-o", str(src), "--xlsm"]) == 0
    data = tmp_path / "more.yaml"
    data.write_text('values: {"1.1.3": 18}\n', encoding="utf-8")
    filled = tmp_path / "filled.xlsm"
    main(["fill", str(src), str(data), "-o", str(filled)])
    for path in (src, filled):
        seen = form_buttons(path)
        assert {b["name"]: b["label"] for b in seen["Phụ lục"]} == {b.name: b.text for b in BUTTONS}
        assert all(b["script"] for sheet in seen.values() for b in sheet)
