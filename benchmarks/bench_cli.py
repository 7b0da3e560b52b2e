"""One `cchc-xl validate` CLI call on a sample, side by side with its floor and its parts.

Floor: `python -c pass` (interpreter start) and a bare python-calamine read of the same file in a fresh
process. Parts, measured in one process: the import of the CLI, and the first-call costs (catalog load,
rule generation, layout) that a single call pays once. Target (issue 9): one validate call ≤ 150 ms.

    .venv/bin/python benchmarks/bench_cli.py [RUNS]
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "samples" / "hoang-truong-nam-2023.xlsx"
PY = sys.executable
# Installed packages run from compiled .pyc files (pip compiles them); a shell that sets
# PYTHONDONTWRITEBYTECODE would make every run recompile every module, which no user pays.
ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def timed(cmd: list[str], runs: int) -> float:
    """Median wall time of ``cmd`` in ms (one warm-up run first, so .pyc files exist)."""
    subprocess.run(cmd, capture_output=True, check=False, env=ENV)
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        subprocess.run(cmd, capture_output=True, check=False, env=ENV)
        times.append((time.perf_counter() - t) * 1000)
    return statistics.median(times)


def in_process(code: str, runs: int) -> float:
    return timed([PY, "-c", code], runs)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 15
    rows = [
        ("python -c pass (floor)", in_process("pass", runs)),
        ("bare calamine read of the sample (floor)", in_process(
            f"from python_calamine import CalamineWorkbook as W; w = W.from_path({str(SAMPLE)!r});"
            "[w.get_sheet_by_name(n).to_python() for n in w.sheet_names]", runs)),
        ("import cchc_xl.cli", in_process("import cchc_xl.cli", runs)),
        ("import + first catalog/rules/layout", in_process(
            "import cchc_xl.cli; from cchc_xl.model.catalog import load_form, framework_for;"
            "from cchc_xl.engine.rules import rules_for; from cchc_xl.model.layout import layout_of;"
            "f = load_form('phu-luc-01b'); fw = framework_for(f); rules_for(f, fw); layout_of(f, fw)", runs)),
        ("cchc-xl validate SAMPLE (the call)", timed([PY, "-m", "cchc_xl.cli", "validate", str(SAMPLE)], runs)),
        ("naive: openpyxl load of the sample", in_process(
            f"import openpyxl; openpyxl.load_workbook({str(SAMPLE)!r}, data_only=True)", runs)),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'what':<{width}}  median ms ({runs} runs)")
    for label, ms in rows:
        print(f"{label:<{width}}  {ms:8.1f}")


if __name__ == "__main__":
    main()
