"""Outputs compared part by part with reviewed reference workbooks in tests/reference/ (XlsxWriter style).

Each test declares what it ignores. After an intended change, regenerate with
``.venv/bin/python -m tests.test_reference`` and review the new references (render them) before committing.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from cchc_xl.commands.fill import fill_workbook
from cchc_xl.commands.recompute import recompute_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.render.validate_report import annotate
from tests.support.compare import compare_xlsx
from tests.wbtools import raw_write

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "tests" / "reference"
LE_HONG = ROOT / "samples" / "le-hong-6thang-2022.xlsx"
HOANG_TRUONG = ROOT / "samples" / "hoang-truong-nam-2023.xlsx"


def make_fill(out: Path) -> Path:
    fill_workbook(LE_HONG, {"values": {"BM1-2.2": 26}, "notes": {"BM1-2.2": "bổ sung 1 nhiệm vụ"}}, out)
    return out


def make_recompute(out: Path, tmp: Path) -> Path:
    tampered = raw_write(HOANG_TRUONG, tmp / "tampered.xlsx", {"CT_3_3_3": 50, "DIEM_TONG": 99})
    recompute_workbook(tampered, out)
    return out


def make_annotate(out: Path) -> Path:
    annotate(validate_file(HOANG_TRUONG), out)
    return out


CASES = {
    # name: (builder, parts ignored, elements ignored by part)
    "fill-le-hong.xlsx": (lambda out, tmp: make_fill(out), (), {}),
    "recompute-hoang-truong.xlsx": (make_recompute, (), {}),
    # openpyxl re-serialises the whole package: its own stamps are volatile, the cells and styles are not.
    "annotate-hoang-truong.xlsx": (lambda out, tmp: make_annotate(out), (), {}),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_output_equals_reviewed_reference(name: str, tmp_path: Path) -> None:
    build, ignore_parts, ignore_elements = CASES[name]
    got = build(tmp_path / name, tmp_path)
    assert compare_xlsx(got, REFERENCE / name, ignore_parts, ignore_elements) == []


def test_comparison_names_the_part_and_element(tmp_path: Path) -> None:
    """The comparer itself: a one-cell change is reported with its part and cell, nothing else."""
    changed = raw_write(LE_HONG, tmp_path / "changed.xlsx", {"CT_BM1_2_2": 27})
    diffs = compare_xlsx(changed, LE_HONG)
    assert len(diffs) == 1 and diffs[0].startswith("xl/worksheets/sheet2.xml: ") and 'r="D' in diffs[0]


if __name__ == "__main__":  # regenerate the references (review them before committing)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for name, (build, _parts, _elements) in CASES.items():
            target = REFERENCE / name
            target.unlink(missing_ok=True)
            built = build(Path(tmp) / name, Path(tmp))
            shutil.copyfile(built, target)
            print("wrote", target, file=sys.stderr)
