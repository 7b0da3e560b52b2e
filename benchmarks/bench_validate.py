"""Validation and recompute speed, side by side with a naive openpyxl-load-and-check baseline.

Generates N commune workbooks (varied data, both forms) and prints per-workbook times for:
our validator in-process, the whole CLI process, recompute (read + recompute + surgical write), and the
naive baseline (openpyxl load, read every indicator by defined name, check kinds). Targets: validation
≤ 20 ms and recompute ≤ 50 ms per workbook in-process.

Usage: python benchmarks/bench_validate.py [N]
"""

from __future__ import annotations

import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cchc_xl.commands.new import new_workbook
from cchc_xl.commands.recompute import recompute_workbook
from cchc_xl.commands.validate import validate_file
from cchc_xl.model.catalog import load_form


def make(directory: Path, n: int) -> list[Path]:
    rng = random.Random(7)
    paths = []
    for i in range(n):
        form = load_form(("phu-luc-01b", "hai-duong-bieu-mau-2022")[i % 2])
        values = {}
        for ind in form.inputs:
            if rng.random() < 0.7:
                values[ind.code] = (rng.choice(ind.allowed_values) if ind.kind == "coded" else
                                    rng.randint(0, 100) if ind.kind == "percent" else rng.randint(0, 2000))
        path = directory / f"xa-{i:04d}.xlsx"
        new_workbook({"form": form.id, "meta": {"tinh": "T", "xa": f"Xã {i}", "ky": "nam", "nam": 2025},
                      "values": values, "appraised": {"2": round(rng.uniform(0, 5), 3)}}, path)
        paths.append(path)
    return paths


def naive(path: Path) -> int:
    import openpyxl

    wb = openpyxl.load_workbook(path, data_only=True)
    bad = 0
    for name, dn in wb.defined_names.items():
        if not name.startswith("CT_"):
            continue
        sheet, cell = next(iter(dn.destinations))
        value = wb[sheet][cell.replace("$", "")].value
        if isinstance(value, int | float) and value < 0:
            bad += 1
    return bad


def per_file(fn, paths) -> float:
    t = time.perf_counter()
    for p in paths:
        fn(p)
    return (time.perf_counter() - t) / len(paths) * 1000


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    with tempfile.TemporaryDirectory() as tmp:
        paths = make(Path(tmp), n)
        validate_file(paths[0])  # warm the per-form caches (rules, template positions) once
        ours = per_file(validate_file, paths)
        out = Path(tmp) / "out"
        out.mkdir()
        rec = per_file(lambda p: recompute_workbook(p, out / p.name, force=True), paths[: min(n, 100)])
        base = per_file(naive, paths[: min(n, 50)])
        t = time.perf_counter()
        runs = 5
        for p in paths[:runs]:
            subprocess.run([sys.executable, "-m", "cchc_xl.cli", "validate", str(p)], capture_output=True)
        cli = (time.perf_counter() - t) / runs * 1000
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "cchc_xl.cli", "validate", *map(str, paths)], capture_output=True)
        cli_batch = (time.perf_counter() - t) / n * 1000
    print(f"workbooks: {n} (both forms, ~70% of inputs filled)")
    print(f"{'validate in-process':<40} {ours:8.2f} ms/workbook   (target ≤ 20)")
    print(f"{'recompute (read+compute+write)':<40} {rec:8.2f} ms/workbook   (target ≤ 50)")
    print(f"{'CLI process, one file per process':<40} {cli:8.2f} ms/workbook")
    print(f"{'CLI process, all files in one call':<40} {cli_batch:8.2f} ms/workbook")
    print(f"{'naive openpyxl load + check':<40} {base:8.2f} ms/workbook   ({base / ours:.1f}× slower)")


if __name__ == "__main__":
    main()
