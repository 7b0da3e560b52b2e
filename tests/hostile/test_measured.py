"""The eleven failures measured on main (issue 10), one test each, named for what must hold now."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from cchc_xl.commands.validate import validate_file
from cchc_xl.ooxml.reader import read_report, workbook_index
from tests.hostile import damage as d
from tests.hostile.helpers import ROOT, assert_clean, formulas_in, run, run_capped, sha

OTHER = d.OTHER  # a second good commune of the same form and period (built from BASE)


@pytest.fixture(scope="module")
def base_values():
    r = read_report(d.BASE)
    return r.values, r.scores, r.appraised


def folder_with(tmp_path: Path, *files: Path) -> Path:
    folder = tmp_path / "bao-cao"
    folder.mkdir(exist_ok=True)
    d.other_commune(folder / OTHER.name)
    for f in files:
        shutil.copy(f, folder / f.name)
    return folder


def consolidated(tmp_path: Path, folder: Path, capped: bool = False):
    out, js = tmp_path / "tong-hop.xlsx", tmp_path / "tong-hop.json"
    args = ("consolidate", folder, "-o", out, "--json", js, "--force", "--jobs", "1", "-q")
    r = run_capped(*args) if capped else None
    return r, out, js


# 1 ---------------------------------------------------------------------------------------------------


def test_far_cell_xfd1048576_does_not_abort(tmp_path):
    far = d.add_cell(d.BASE, tmp_path / "o-xa.xlsx", d.STAT, "XFD1048576")
    info = d.add_cell(d.BASE, tmp_path / "o-xa-thong-tin.xlsx", d.INFO, "XFD1048576")
    before = sha(far)
    for path in (far, info):
        r = run_capped("validate", path)
        assert_clean(r, 0, "XFD1048576", "bỏ qua")
        assert_clean(run_capped("show", path), 0)
    folder = folder_with(tmp_path, far)
    r, _out, js = consolidated(tmp_path, folder, capped=True)
    assert_clean(r, (0, 1))
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert len(doc["units"]) == 2 and not doc["rejected"]  # the far-cell file and the good one, both used
    assert sha(far) == before


# 2 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", ["D1048576", "AZ1048576"])
def test_far_cell_memory_stays_bounded(tmp_path, address):
    far = d.add_cell(d.BASE, tmp_path / "xa.xlsx", d.STAT, address)
    r = run_capped("validate", far, cap=700 * 2**20)  # main needed 400 MB to 2.24 GB here
    assert_clean(r, 0, address)
    assert "PanicException" not in r.text
    assert r.seconds < 10, r.seconds


# 3 ---------------------------------------------------------------------------------------------------


def test_stale_names_after_sheet_rename_are_not_read_as_blanks(tmp_path, capsys, base_values):
    renamed = d.rename_sheet_only(d.BASE, tmp_path / "doi-ten.xlsx", d.STAT, "Phu luc moi")
    report = read_report(renamed)
    assert (report.values, report.scores, report.appraised) == base_values
    result = validate_file(renamed)
    assert any(f.rule == "structure:name-sheet" for f in result.findings)
    shown = run(capsys, "show", renamed)
    assert_clean(shown, 0, "Kế hoạch CCHC", "Phu luc moi!D8")
    folder = folder_with(tmp_path, renamed)
    assert run(capsys, "consolidate", folder, "-o", tmp_path / "t.xlsx", "--json", tmp_path / "t.json",
               "-q", "--jobs", "1").rc in (0, 1)
    units = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))["units"]
    assert len(units) == 2
    assert all(any(v not in (None, 0) for v in json.dumps(u)) for u in units)


# 4 ---------------------------------------------------------------------------------------------------


def test_sorted_rows_read_under_their_codes(tmp_path, capsys, base_values):
    names = workbook_index(d.BASE).names
    row_a, row_b = names["CT_1_1"].row + 1, names["CT_3_1"].row + 1
    sorted_ = d.swap_rows(d.BASE, tmp_path / "sap-xep.xlsx", d.STAT, row_a, row_b)
    report = read_report(sorted_)
    assert report.values == base_values[0]
    assert report.cells["CT_1_1"].row + 1 == row_b and report.cells["CT_3_1"].row + 1 == row_a
    assert any(f.rule == "structure:name-moved" for f in validate_file(sorted_).findings)
    # fill writes where the code is, not where the stale name points
    data = tmp_path / "so-lieu.yaml"
    data.write_text("values:\n  '1.1': 7\n", encoding="utf-8")
    out = tmp_path / "filled.xlsx"
    assert_clean(run(capsys, "fill", sorted_, data, "-o", out), 0)
    assert read_report(out).values["1.1"] == 7
    assert read_report(out).values["3.1"] == base_values[0]["3.1"]


@pytest.mark.parametrize("by", [1, 2, -1])
def test_rows_inserted_or_deleted_without_names_read_under_their_codes(tmp_path, base_values, by):
    shifted = d.shift_rows(d.BASE, tmp_path / "chen.xlsx", d.STAT, 21, by)
    report = read_report(shifted)
    lost = {c for c in base_values[0] if c not in report.values}
    assert {c: v for c, v in report.values.items()} == {c: v for c, v in base_values[0].items() if c not in lost}
    assert len(lost) <= 1  # a deleted row takes its indicator with it (reported as a missing name)


def test_ambiguous_position_refuses_saying_what_moved(tmp_path, capsys):
    names = workbook_index(d.BASE).names
    sorted_ = d.swap_rows(d.BASE, tmp_path / "s.xlsx", d.STAT, names["CT_1_1"].row + 1, names["CT_3_1"].row + 1)
    twice = d.set_inline_text(sorted_, tmp_path / "hai-lan.xlsx", d.STAT, f"F{names['CT_2_5'].row + 1}", "1.1")
    before = sha(twice)
    for cmd in (("validate", twice), ("show", twice)):
        assert_clean(run(capsys, *cmd), 2, "1.1")
    assert sha(twice) == before


# 5 ---------------------------------------------------------------------------------------------------


def test_missing_sheet_part_is_a_reason_for_every_command(tmp_path, capsys):
    gone = d.edit(d.BASE, tmp_path / "thieu.xlsx", {d.sheet_part(d.BASE, "Kiểm tra"): None})
    data = tmp_path / "d.yaml"
    data.write_text("values:\n  '1.1': 1\n", encoding="utf-8")
    for args in (("validate", gone), ("show", gone), ("fill", gone, data, "-o", tmp_path / "o.xlsx"),
                 ("recompute", gone, "-o", tmp_path / "r.xlsx"), ("diff", d.BASE, gone)):
        assert_clean(run(capsys, *args), 2, "thiếu nội dung", "Kiểm tra")


@pytest.mark.parametrize(("text", "attrs", "rename"), [
    (None, "", None),  # deleted
    ("#REF!", "", None),
    ("'Phụ lục'!$D$8:$D$9", "", None),  # a range
    ("[1]Sheet1!$D$8", "", None),  # external
    ("'Phụ lục'!$D$8", ' localSheetId="1"', None),  # sheet-local
    ("'Phụ lục'!$D$8", "", "ct_1_1"),  # lower case
])
def test_fill_with_a_damaged_name_writes_by_code(tmp_path, capsys, text, attrs, rename):
    bad = d.set_name(d.BASE, tmp_path / "ten.xlsx", "CT_1_1", text, attrs, rename)
    data = tmp_path / "d.yaml"
    data.write_text("values:\n  '1.1': 3\n", encoding="utf-8")
    out = tmp_path / "o.xlsx"
    assert_clean(run(capsys, "fill", bad, data, "-o", out), 0)
    assert read_report(out).values["1.1"] == 3
    result = validate_file(bad)
    assert any(f.rule.startswith("structure:name-") and "1.1" in f.codes for f in result.findings)


def test_annotate_on_control_characters_gives_the_reason(tmp_path, capsys):
    bad = d.control_char(d.BASE, tmp_path / "ky-tu.xlsx", d.INFO, "B6")
    assert_clean(run(capsys, "validate", bad, "--annotate", tmp_path / "a.xlsx"), 2, "ký tự điều khiển")
    assert not (tmp_path / "a.xlsx").exists()


def test_validate_json_prints_one_object_per_file_even_when_one_is_bad(tmp_path, capsys):
    bad = d.edit(d.BASE, tmp_path / "hong.xlsx", {d.sheet_part(d.BASE, d.STAT): None})
    r = run(capsys, "validate", d.BASE, bad, d.other_commune(tmp_path / OTHER.name), "--format", "json")
    assert_clean(r, 2)
    docs = json.loads(r.out)
    assert [doc["status"] for doc in docs] == ["ok", "unusable", "ok"]
    assert docs[1]["reason"]["kind"] == "missing-part" and docs[1]["reason"]["message"]


# 6 ---------------------------------------------------------------------------------------------------


def test_annotate_never_writes_a_formula_from_a_sheet_name(tmp_path, capsys):
    evil = "=calc|'x'"
    quoted = evil.replace("'", "''")

    def rename(x: str) -> str:
        return x.replace(f'<sheet name="{d.STAT}"', f'<sheet name="{evil.replace(chr(39), "&apos;")}"').replace(
            f"'{d.STAT}'!", f"'{quoted}'!")

    total = workbook_index(d.BASE).names["CT_1_1"]  # an input: a text there is a rule finding at its cell
    typed = d.set_inline_text(d.BASE, tmp_path / "chu.xlsx", d.STAT, total.address, "mười")
    broken = d.workbook_xml(typed, tmp_path / "doc.xlsx", rename)
    assert validate_file(broken).findings
    out = tmp_path / "danh-dau.xlsx"
    r = run(capsys, "validate", broken, "--annotate", out)
    assert r.rc in (0, 1) and out.exists(), r.text
    assert not [f for f in formulas_in(out) if "calc" in f]


# 7 ---------------------------------------------------------------------------------------------------


def test_non_utf8_file_name_never_kills_a_consolidation(tmp_path, capsys):
    folder = folder_with(tmp_path)
    odd = os.path.join(os.fsencode(folder), b"x\xe0-bao-cao.xlsx")
    shutil.copy(d.BASE, odd)
    r = run(capsys, "consolidate", folder, "-o", tmp_path / "t.xlsx", "--json", tmp_path / "t.json", "-q",
            "--jobs", "1")
    assert_clean(r, (0, 1))
    doc = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
    assert len(doc["units"]) == 2 and not doc["rejected"]
    r = run(capsys, "validate", os.fsdecode(odd))
    assert_clean(r, 0, "\\xe0")
    assert_clean(run(capsys, "show", os.fsdecode(odd)), 0, "\\xe0")


# 8 ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".xls", ".ods"])
def test_good_workbook_renamed_is_recognised_by_content(tmp_path, capsys, suffix):
    renamed = d.copy_as(d.BASE, tmp_path / f"xa{suffix}")
    assert_clean(run(capsys, "validate", renamed), 0, "0 lỗi")


@pytest.mark.parametrize("damage", ["prefixed", "no-r", "backslash", "lower-content-types"])
def test_odd_but_valid_packages_read_like_excel(tmp_path, capsys, base_values, damage):
    out = tmp_path / "la.xlsx"
    if damage == "prefixed":
        d.prefix_namespace(d.BASE, out, d.STAT)
    elif damage == "no-r":  # the score sheet holds the formulas the no-r reader must still see
        d.drop_cell_refs(d.drop_cell_refs(d.BASE, tmp_path / "n.xlsx", d.STAT), out, d.SCORE)
    elif damage == "backslash":
        d.backslash_names(d.BASE, out)
    else:
        d.lower_content_types(d.BASE, out)
    result = validate_file(out)
    assert result.status == "ok" and not result.findings, [f.message for f in result.findings]
    report = read_report(out)
    assert (report.values, report.scores, report.appraised) == base_values


def test_bad_crc_is_damage_not_a_zip_bomb(tmp_path, capsys):
    bad = d.bad_crc(d.BASE, tmp_path / "crc.xlsx")
    r = run(capsys, "validate", bad)
    assert_clean(r, 2, "CRC")
    assert "giải nén vượt" not in r.text


def test_one_megabyte_strings_are_data_not_a_bomb_and_never_cut_silently(tmp_path, capsys):
    import random

    repetitive = d.set_inline_text(d.BASE, tmp_path / "lap.xlsx", d.INFO, "B10", "a" * 1_000_000)
    r = run(capsys, "validate", repetitive)
    assert_clean(r, 0, "32.767")
    rng = random.Random(7)
    varied = "".join(rng.choice("abcdefghijklmnopqrstuvwxyzăâđêôơư ") for _ in range(1_000_000))
    long = d.set_inline_text(d.BASE, tmp_path / "dai.xlsx", d.INFO, "B10", varied)
    report = read_report(long)
    assert report.meta["nguoi_lap"] == varied[:32_767]
    assert any(n.rule == "structure:long-text" for n in report.notes)


def test_recompute_reports_what_an_overwritten_total_held(tmp_path, capsys):
    total = workbook_index(d.BASE).names["DIEM_TONG"]
    broken = d.set_number(d.BASE, tmp_path / "tong.xlsx", total.sheet, total.address, "99")
    r = run(capsys, "recompute", broken, "-o", tmp_path / "r.xlsx")
    assert_clean(r, 0, "99")
    assert "(trống)" not in r.out


def test_openpyxl_warnings_never_reach_stderr(tmp_path):
    # an x14 conditional-formatting extension (Excel writes them) makes openpyxl warn that it drops it
    ext = (b'<extLst><ext uri="{78C0D931-6437-407d-A8EE-F0AAD7539E65}" xmlns:x14="http://schemas.microsoft.com/'
           b'office/spreadsheetml/2009/9/main"><x14:conditionalFormattings/></ext></extLst></worksheet>')
    part = d.sheet_part(d.BASE, d.STAT)
    warned = d.edit(d.BASE, tmp_path / "mo-rong.xlsx", {part: lambda x: x.replace(b"</worksheet>", ext)})
    r = run_capped("validate", warned, "--annotate", tmp_path / "a.xlsx")
    assert_clean(r, 0)
    assert r.err.strip() == f"Đã ghi bản đánh dấu lỗi vào '{tmp_path / 'a.xlsx'}'.", r.err


# 9 ---------------------------------------------------------------------------------------------------


def test_outputs_never_replace_inputs_even_with_force(tmp_path, capsys):
    folder = folder_with(tmp_path, d.BASE)
    a, b = folder / d.BASE.name, folder / OTHER.name
    before = {p: sha(p) for p in (a, b)}
    link = tmp_path / "lien-ket.xlsx"
    os.link(a, link)
    for args in (("consolidate", folder, "-o", a, "--force", "-q"),
                 ("consolidate", folder, "-o", tmp_path / "t.xlsx", "--json", b, "--force", "-q"),
                 ("diff", a, b, "-o", a, "--force"),
                 ("validate", a, "--annotate", a, "--force"),
                 ("validate", a, "--annotate", link, "--force"),
                 ("recompute", a, "-o", link, "--force")):
        assert_clean(run(capsys, *args), 2, "không bao giờ ghi đè")
    assert {p: sha(p) for p in (a, b)} == before


# 10 --------------------------------------------------------------------------------------------------


def test_formula_in_an_input_cell_is_a_finding_and_is_neutralised(tmp_path, capsys):
    xa = workbook_index(d.BASE).names["TT_XA"]
    dde = d.put_formula(d.BASE, tmp_path / "dde.xlsx", xa.sheet, xa.address, "cmd|'/c calc'!A1", "An Đức")
    result = validate_file(dde)
    assert any(f.rule.startswith("input-formula") for f in result.findings)
    assert_clean(run(capsys, "validate", dde), 1, "cmd|")
    assert_clean(run(capsys, "diff", d.BASE, dde), 1)
    data = tmp_path / "d.yaml"
    data.write_text("values:\n  '1.1': 2\n", encoding="utf-8")
    outs = {"fill": tmp_path / "f.xlsx", "recompute": tmp_path / "r.xlsx", "annotate": tmp_path / "a.xlsx"}
    run(capsys, "fill", dde, data, "-o", outs["fill"])
    run(capsys, "recompute", dde, "-o", outs["recompute"])
    run(capsys, "validate", dde, "--annotate", outs["annotate"])
    for name, out in outs.items():
        assert out.exists(), name
        assert not [f for f in formulas_in(out) if "cmd" in f], name
        assert read_report(out).meta["xa"] == "An Đức", name


# 11 --------------------------------------------------------------------------------------------------


def test_consolidate_publishes_workbook_and_json_together(tmp_path, monkeypatch, capsys):
    folder = folder_with(tmp_path)
    out, js = tmp_path / "t.xlsx", tmp_path / "t.json"
    assert run(capsys, "consolidate", folder, "-o", out, "--json", js, "-q", "--jobs", "1").rc in (0, 1)
    doc = json.loads(js.read_text(encoding="utf-8"))
    assert doc["workbook_sha256"] == sha(out)
    old = (sha(out), sha(js))
    # killed between the two renames: the JSON still describes the workbook it names by hash; no temporary
    import cchc_xl.ooxml.publish as publish

    real = os.replace
    calls = []

    def flaky(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise KeyboardInterrupt
        return real(src, dst)

    monkeypatch.setattr(publish.os, "replace", flaky)
    r = run(capsys, "consolidate", folder, "-o", out, "--json", js, "-q", "--jobs", "1", "--force")
    monkeypatch.undo()
    assert r.rc == 2
    assert sha(js) == old[1]  # the JSON was not replaced …
    assert json.loads(js.read_text(encoding="utf-8"))["workbook_sha256"] != sha(out) or sha(out) == old[0]
    assert not list(tmp_path.glob(".cchc-*"))  # … and no temporary is left


def test_sigterm_leaves_no_temporary(tmp_path):
    code = (
        "import os, signal, sys, time\n"
        "from cchc_xl.ooxml.reader import atomic_output\n"
        "from cchc_xl.ooxml.publish import signals_as_exceptions\n"
        "with signals_as_exceptions():\n"
        "    try:\n"
        "        with atomic_output(sys.argv[1]) as tmp:\n"
        "            tmp.write_bytes(b'x')\n"
        "            os.kill(os.getpid(), signal.SIGTERM)\n"
        "            time.sleep(5)\n"
        "    except KeyboardInterrupt:\n"
        "        sys.exit(3)\n"
    )
    p = subprocess.run([sys.executable, "-c", code, str(tmp_path / "out.xlsx")], env={
        **os.environ, "PYTHONPATH": str(ROOT)}, timeout=30)
    assert p.returncode == 3
    assert list(tmp_path.iterdir()) == []


def test_in_place_is_locked_honours_office_locks_and_keeps_numbered_backups(tmp_path, capsys):
    from cchc_xl.ooxml.publish import in_place

    wb = d.copy_as(d.BASE, tmp_path / "xa.xlsx")
    data = tmp_path / "d.yaml"
    data.write_text("values:\n  '1.1': 4\n", encoding="utf-8")
    original = sha(wb)
    with in_place(wb):  # another run holds the workbook
        assert_clean(run(capsys, "fill", wb, data, "--in-place"), 2, "đang được một lệnh cchc-xl khác sửa")
    (tmp_path / "xa.xlsx.bak").unlink()
    lock = tmp_path / ".~lock.xa.xlsx#"
    lock.write_text("Nguyen Van A,may,may,01.12.2026 08:00,\n")
    assert_clean(run(capsys, "fill", wb, data, "--in-place"), 2, "Excel hoặc LibreOffice")
    lock.unlink()
    assert sha(wb) == original
    assert_clean(run(capsys, "fill", wb, data, "--in-place"), 0)
    first = sha(wb)
    data.write_text("values:\n  '1.1': 5\n", encoding="utf-8")
    assert_clean(run(capsys, "fill", wb, data, "--in-place"), 0)
    assert sha(tmp_path / "xa.xlsx.bak") == original
    assert sha(tmp_path / "xa.xlsx.bak.1") == first
    assert read_report(wb).values["1.1"] == 5
    assert zipfile.is_zipfile(wb)
