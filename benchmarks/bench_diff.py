"""Process time of one ``cchc-xl diff`` of two workbooks, next to a naive cell-by-cell openpyxl comparison.

Run: ``.venv/bin/python benchmarks/bench_diff.py``. Builds two versions of the Lê Hồng sample (hai-duong
Biểu mẫu 1–7, one input changed) in a temporary directory, then times ``diff_files`` (read both files by
defined names, formulas, core properties, validation of both, other-cells comparison) and the naive
approach (openpyxl load of both files and a comparison of every cell by address).
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

import openpyxl
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xl.commands.diff import diff_files  # noqa: E402
from cchc_xl.commands.new import new_workbook  # noqa: E402

RUNS = 7


def naive(old: Path, new: Path) -> int:
    a, b = openpyxl.load_workbook(old), openpyxl.load_workbook(new)
    changed = 0
    for ws in a.worksheets:
        other = b[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.value != other[cell.coordinate].value:
                    changed += 1
    return changed


def timed(fn, *args) -> tuple[float, object]:
    times, result = [], None
    for _ in range(RUNS):
        start = time.process_time()
        result = fn(*args)
        times.append(time.process_time() - start)
    return statistics.median(times), result


def main() -> None:
    doc = yaml.safe_load((ROOT / "samples" / "data" / "le-hong-6thang-2022.yaml").read_text(encoding="utf-8"))
    with tempfile.TemporaryDirectory() as tmp:
        old, new = Path(tmp) / "lan-1.xlsx", Path(tmp) / "lan-2.xlsx"
        new_workbook(doc, old)
        doc["values"]["BM1-2.2"] = 25
        new_workbook(doc, new)
        diff_files(old, new)  # warm imports and catalog caches; the first-run time is printed separately
        first = time.process_time()
        diff_files(old, new)
        first = time.process_time() - first
        t_diff, result = timed(diff_files, old, new)
        t_naive, cells = timed(naive, old, new)
    print(f"cchc-xl diff (by code, with validation): {t_diff * 1000:.0f} ms process time "
          f"(median of {RUNS}; {first * 1000:.0f} ms single run); {len(result.changes)} changes")
    print(f"naive openpyxl cell-by-cell:             {t_naive * 1000:.0f} ms process time "
          f"(median of {RUNS}); {cells} cells differ by address")


if __name__ == "__main__":
    main()
