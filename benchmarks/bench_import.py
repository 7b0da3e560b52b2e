"""Import throughput (files/s) for hand-made .xlsx appendices and Word reports, side by side with the plain
template reader (``read_report`` on cchc-xl's own workbooks, the floor) and a naive alternative (openpyxl
loading the whole sheet and looking every label up exactly, which finds far fewer rows).

Usage: python benchmarks/bench_import.py [N]    (N files of each kind, default 60)
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cchc_xl.commands.new import new_workbook  # noqa: E402
from cchc_xl.model.catalog import load_form  # noqa: E402
from cchc_xl.ooxml.reader import read_report  # noqa: E402
from cchc_xl.sources.imported import import_document  # noqa: E402
from tests.intake.corpus import SEED_004, build_corpus, figures  # noqa: E402


def rate(fn, paths) -> tuple[float, object]:
    t = time.perf_counter()
    last = None
    for p in paths:
        last = fn(p)
    return len(paths) / (time.perf_counter() - t), last


def naive(path: Path) -> int:
    """openpyxl: load the sheet, match labels exactly to the catalog (no STT, no folding, no typos)."""
    import openpyxl

    labels = {i.label: i.code for i in load_form("phu-luc-01b").indicators}
    wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    found = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            found += any(isinstance(c, str) and c.strip() in labels for c in row)
    wb.close()
    return found


def main(n: int) -> None:
    with tempfile.TemporaryDirectory(prefix="bench_import_") as tmp:
        folder = Path(tmp)
        corpus = {v.name: v.path for v in build_corpus(folder / "c")}
        xlsx, docx = corpus["x004-tieu-de-dong-9"], corpus["w004-phu-luc-word"]
        ours = folder / "ours.xlsx"
        new_workbook({"form": "phu-luc-01b", "meta": {"tinh": "Thanh Hóa", "xa": "X", "ky": "nam", "nam": 2023},
                      "values": {k: v for k, v in figures(SEED_004).items() if k in {i.code for i in
                                                                                     load_form().inputs}}}, ours)
        xs, ds, os_ = [xlsx] * n, [docx] * n, [ours] * n
        rows = [
            ("plain template reader (read_report, our .xlsx)", *rate(read_report, os_)),
            ("import .xlsx (title block, two-row header)", *rate(import_document, xs)),
            ("import .docx (Word report, one table)", *rate(import_document, ds)),
            ("naive openpyxl exact-label lookup (.xlsx)", *rate(naive, xs)),
        ]
        print(f"{'what':52} {'files/s':>8}")
        for what, r, _ in rows:
            print(f"{what:52} {r:8.1f}")
        imp = rows[1][2]
        print(f"\nimport maps {imp.counts['matched']} rows, {imp.values} figures; "
              f"naive finds {rows[3][2]} label rows (no STT, typo, TCVN3 or 'Trong đó' handling)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60)
