"""The hostile corpus: every kind of damage users and other tools do, built by code, through every command.

For each case: the exit code of validate/show/fill/recompute, a Vietnamese reason when refused, no
traceback, no "Lỗi nội bộ", the input unchanged, no formula created from input text; and one consolidation
of the whole corpus beside a good commune: the good one is consolidated, every damaged file is either used
or rejected with its reason. ``CASES`` is the corpus; the README reports its size and outcomes.
"""

from __future__ import annotations

import json
import random
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from cchc_xl.ooxml.reader import workbook_index
from tests.hostile import damage as d
from tests.hostile.helpers import assert_clean, formulas_in, run, sha
from tests.wbtools import rename_sheet

NAMES = workbook_index(d.BASE).names
XA, NGUOI_LAP, CT11, CT31 = NAMES["TT_XA"], NAMES["TT_NGUOI_LAP"], NAMES["CT_1_1"], NAMES["CT_3_1"]


def _openpyxl_resave(src: Path, dst: Path) -> Path:
    import openpyxl

    wb = openpyxl.load_workbook(src)
    wb.save(dst)
    return dst


def _varied(n: int) -> str:
    rng = random.Random(3)
    return "".join(rng.choice("abcdeghiklmnopqrstuvxyăâđêôơư ") for _ in range(n))


def _ambiguous(src: Path, dst: Path) -> Path:
    tmp = dst.with_name("tmp-" + dst.name)
    d.swap_rows(src, tmp, d.STAT, CT11.row + 1, CT31.row + 1)
    d.set_inline_text(tmp, dst, d.STAT, f"F{NAMES['CT_2_5'].row + 1}", "1.1")
    tmp.unlink()
    return dst


# case → (builder, validate exit codes allowed, needle in the validate output, fill exit code or None = as validate)
CASES: dict[str, tuple] = {
    "openpyxl-resave": (_openpyxl_resave, (0,), "", None),
    "sorted-rows": (lambda s, o: d.swap_rows(s, o, d.STAT, CT11.row + 1, CT31.row + 1), (0,), "CT_1_1", None),
    "inserted-row": (lambda s, o: d.shift_rows(s, o, d.STAT, 21, 1), (0,), "cùng tình trạng", None),
    # the deleted row held 1.4.1: its name now points at another code and the code is nowhere: refused
    "deleted-row": (lambda s, o: d.shift_rows(s, o, d.STAT, 22, -1), (2,), "1.4.1", None),
    "sheet-renamed-names-stale": (lambda s, o: d.rename_sheet_only(s, o, d.STAT, "PL01"), (0,), "không còn tồn tại",
                                  None),
    "sheet-renamed-by-excel": (lambda s, o: rename_sheet(s, o, d.STAT, "Biểu 01"), (0,), "đổi tên", None),
    "sheet-hidden": (lambda s, o: d.hide_sheet(s, o, d.STAT), (0,), "0 lỗi", None),
    "sheet-duplicated": (lambda s, o: d.duplicate_sheet(s, o, d.STAT, "Phụ lục (2)"), (0,), "0 lỗi", None),
    "names-deleted": (lambda s, o: d.delete_names(s, o, "CT_"), (0,), "không có trong tệp", None),
    "name-ref": (lambda s, o: d.set_name(s, o, "CT_1_1", "#REF!"), (0,), "#REF!", None),
    "text-in-number-cell": (lambda s, o: d.set_inline_text(s, o, d.STAT, CT11.address, "mười"), (1,), "1.1", None),
    "mb-string-repetitive": (lambda s, o: d.set_inline_text(s, o, d.INFO, NGUOI_LAP.address, "x" * 1_000_000),
                             (0,), "32.767", None),
    "mb-string-varied": (lambda s, o: d.set_inline_text(s, o, d.INFO, NGUOI_LAP.address, _varied(1_000_000)),
                         (0,), "32.767", None),
    "control-chars": (lambda s, o: d.control_char(s, o, d.INFO, XA.address), (2,), "ký tự điều khiển", None),
    "rtl-chars": (lambda s, o: d.set_inline_text(s, o, d.INFO, NGUOI_LAP.address, "\u202eNguyễn \u05d0\u0627"),
                  (0,), "0 lỗi", None),
    "far-cell": (lambda s, o: d.add_cell(s, o, d.SCORE, "XFD1048576"), (0,), "XFD1048576", None),
    "dde-formula": (lambda s, o: d.put_formula(s, o, d.INFO, XA.address, "cmd|'/c calc'!A1", "An Đức"), (1,),
                    "cmd|", 0),
    "hyperlink-formula": (lambda s, o: d.put_formula(s, o, d.INFO, NGUOI_LAP.address,
                                                     'HYPERLINK("http://x.example/","Bấm vào")', "Bấm vào"),
                          (1,), "HYPERLINK", 0),
    "external-reference": (lambda s, o: d.put_formula(s, o, d.STAT, CT11.address, "[1]Sheet1!A1", "5"), (1,),
                           "[1]Sheet1", 0),
    "namespace-prefixed": (lambda s, o: d.prefix_namespace(s, o, d.STAT), (0,), "0 lỗi", 2),
    "cells-without-r": (lambda s, o: d.drop_cell_refs(s, o, d.SCORE), (0,), "0 lỗi", 2),
    "backslash-part-names": (lambda s, o: d.backslash_names(s, o), (0,), "0 lỗi", None),
    "lower-case-content-types": (lambda s, o: d.lower_content_types(s, o), (0,), "0 lỗi", None),
    "renamed-to-xls": (d.copy_as, (0,), "0 lỗi", None),
    "bad-crc": (lambda s, o: d.bad_crc(s, o), (2,), "CRC", None),
    "missing-sheet-part": (lambda s, o: d.edit(s, o, {d.sheet_part(s, "Kiểm tra"): None}), (2,), "thiếu nội dung",
                           None),
    "ambiguous-codes": (_ambiguous, (2,), "1.1", None),
}
SUFFIX = {"renamed-to-xls": ".xls"}


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("corpus") / "bao-cao"
    folder.mkdir()
    out = {}
    for case, (build, *_rest) in CASES.items():
        out[case] = build(d.BASE, folder / f"{case}{SUFFIX.get(case, '.xlsx')}")
    return out


@pytest.mark.parametrize("case", list(CASES))
def test_corpus_case_keeps_every_promise(corpus, case, tmp_path, capsys):
    _build, codes, needle, fill_code = CASES[case]
    path = corpus[case]
    before = sha(path)
    r = run(capsys, "validate", path)
    assert_clean(r, codes, needle)
    usable = r.rc != 2
    assert_clean(run(capsys, "show", path), 0 if usable else 2)
    data = tmp_path / "so-lieu.yaml"
    data.write_text("values:\n  '1.2': 2\n", encoding="utf-8")
    filled = tmp_path / "filled.xlsx"
    want = fill_code if fill_code is not None else (0 if usable else 2)
    assert_clean(run(capsys, "fill", path, data, "-o", filled), want)
    recomputed = tmp_path / "recomputed.xlsx"
    assert_clean(run(capsys, "recompute", path, "-o", recomputed), want)
    assert sha(path) == before, "the input must never change"
    if usable and want == 0:
        theirs = set(formulas_in(path))
        template = set(formulas_in(d.BASE))
        assert set(formulas_in(filled)) <= theirs | template
        assert set(formulas_in(recomputed)) <= template | theirs
        for out in (filled, recomputed):  # formulas typed into input cells are gone from what we write
            assert not [f for f in formulas_in(out) if f not in template], case
    else:
        assert not filled.exists() and not recomputed.exists()


def test_the_corpus_folder_consolidates_the_good_commune(corpus, tmp_path, capsys):
    folder = next(iter(corpus.values())).parent
    good = d.other_commune(folder / d.OTHER.name)
    try:
        r = run(capsys, "consolidate", folder, "-o", tmp_path / "t.xlsx", "--json", tmp_path / "t.json",
                "--jobs", "2", "-q")
        assert_clean(r, 1)
        doc = json.loads((tmp_path / "t.json").read_text(encoding="utf-8"))
        used = {u["file"] for u in doc["units"]}
        rejected = {x["file"]: x["reason"] for x in doc["rejected"]}
        assert good.name in used
        assert used | set(rejected) == {p.name for p in folder.iterdir()}
        assert all("Lỗi nội bộ" not in why and why for why in rejected.values())
        outcome = Counter("used" if p.name in used else "rejected" for p in corpus.values())
        assert outcome["rejected"] >= 3  # control characters, bad CRC, missing part, ambiguous codes …
    finally:
        good.unlink()


@pytest.mark.libreoffice
@pytest.mark.parametrize("tool", ["libreoffice", "gnumeric"])
def test_resaved_by_office_tools_reads_the_same(tool, soffice, tmp_path, capsys):
    from cchc_xl.ooxml.reader import read_report

    if tool == "libreoffice":
        from tests.support.libreoffice import recalc_xlsx

        out = recalc_xlsx([d.BASE], tmp_path)[0]
    else:
        out = tmp_path / "gnumeric.xlsx"
        subprocess.run(["ssconvert", str(d.BASE), str(out)], check=True, capture_output=True, timeout=120)
    assert_clean(run(capsys, "validate", out), 0, "0 lỗi")
    assert read_report(out).values == read_report(d.BASE).values
