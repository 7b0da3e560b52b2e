"""Benchmark ``cchc-xl consolidate`` against the floor (raw python-calamine reads) and the naive loop.

    .venv/bin/python benchmarks/bench_consolidate.py [--n 3321] [--small 500] [--jobs 2] [--keep DIR]

Generates N commune workbooks of the Hải Dương form into a temporary folder (48 distinct workbooks built
with ``new_workbook`` in a process pool, then copied with a unique commune name and code patched into the
shared-strings part — every file is a valid, distinct commune), plus a few broken ones (truncated files, a
lock file). Then, from one run, prints:

* our consolidation end-to-end (scan + validate + consolidate + write the workbook, the JSON and the
  return pack of one workbook per commune), run in a fresh process for N=small and N=n so peak memory (max
  RSS of the parent and of the pool workers) can be compared: memory must stay flat in N; with the time of
  each phase, so the share of writing the outputs is visible (it must not dominate);
* the naive way to write the return pack: one XlsxWriter workbook per commune (a sample, extrapolated);
* raw python-calamine throughput on the same files (open + read every sheet), one process and a pool;
* the naive loop ``pandas.read_excel(path, sheet_name=None, engine="openpyxl")`` on a subset, extrapolated.
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "samples"))

VARIANTS = 48
NAME_MARK, CODE_MARK = "XAMAU0000000", "MAMAU0000000"


def _variant(i: int) -> bytes:
    from make_province import scores, values

    from cchc_xl.commands.new import new_workbook

    rng = random.Random(1000 + i)
    own, appraised = scores(rng, rng.random())
    doc = {"form": "hai-duong-bieu-mau-2022",
           "meta": {"tinh": "Hải Dương", "huyen": f"Huyện {i % 12 + 1}", "xa": NAME_MARK, "ma_xa": CODE_MARK,
                    "ky": "nam", "nam": 2022, "ngay_lap": f"2023-01-{1 + i % 28:02d}"},
           "values": values(rng), "scores": own, "appraised": appraised}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "v.xlsx"
        new_workbook(doc, path)
        return path.read_bytes()


def _patch(args: tuple[bytes, Path, str, str]) -> None:
    data, out, name, code = args
    src = zipfile.ZipFile(io.BytesIO(data))
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "xl/sharedStrings.xml":
                body = body.replace(NAME_MARK.encode(), escape(name).encode()).replace(CODE_MARK.encode(),
                                                                                        code.encode())
            dst.writestr(info, body)
    out.write_bytes(buf.getvalue())


def generate(folder: Path, n: int, jobs: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        variants = pool.map(_variant, range(VARIANTS))
        jobs_args = []
        for i in range(n):
            sub = folder / f"huyen-{i % 12 + 1:02d}"
            sub.mkdir(exist_ok=True)
            jobs_args.append((variants[i % VARIANTS], sub / f"xa-{i:05d}.xlsx", f"Xã Thử {i:05d}", f"{i:05d}"))
        pool.map(_patch, jobs_args, chunksize=64)
    paths = [a[1] for a in jobs_args]
    for i in range(0, n, 997):  # a few broken files among them
        data = paths[i].read_bytes()
        paths[i].write_bytes(data[: len(data) // 3])
    (folder / "~$xa-00001.xlsx").write_bytes(b"\x0cNguyen Van A" + b" " * 150)
    return paths


def _raw_read(path: Path) -> int:
    from python_calamine import CalamineWorkbook

    try:
        wb = CalamineWorkbook.from_path(str(path))
    except Exception:
        return 0
    cells = 0
    try:
        for name in wb.sheet_names:
            cells += sum(len(r) for r in wb.get_sheet_by_name(name).to_python())
    finally:
        wb.close()
    return cells


def raw_throughput(paths: list[Path], jobs: int) -> tuple[float, float]:
    t = time.perf_counter()
    for p in paths:
        _raw_read(p)
    one = len(paths) / (time.perf_counter() - t)
    t = time.perf_counter()
    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pool.map(_raw_read, paths, chunksize=32)
    return one, len(paths) / (time.perf_counter() - t)


def naive_throughput(paths: list[Path], sample: int) -> float:
    import pandas as pd

    subset = paths[1: sample + 1]
    t = time.perf_counter()
    for p in subset:
        pd.read_excel(p, sheet_name=None, engine="openpyxl")
    return len(subset) / (time.perf_counter() - t)


def run_ours(folder: Path, jobs: int) -> dict:
    """One end-to-end consolidation in a fresh interpreter (so max RSS belongs to this run only)."""
    code = f"""
import json, resource, time, sys
sys.path.insert(0, {str(ROOT)!r})
from cchc_xl.commands.consolidate import consolidate
from cchc_xl.render.consolidate_report import write_json, write_workbook
from cchc_xl.render.return_pack import write_return_pack
t = time.perf_counter()
r = consolidate({str(folder)!r}, jobs={jobs})
t1 = time.perf_counter()
write_workbook(r, {str(folder)!r} + ".xlsx", force=True)
t2 = time.perf_counter()
write_json(r, {str(folder)!r} + ".json", force=True)
t3 = time.perf_counter()
pack = write_return_pack(r, {str(folder)!r} + "-tra-ve", force=True, jobs={jobs})
t4 = time.perf_counter()
s = t4 - t
print(json.dumps({{"seconds": s, "files": r.files_read + len(r.skipped),
  "read": t1 - t, "workbook": t2 - t1, "json": t3 - t2, "pack": t4 - t3, "pack_files": len(pack),
  "units": len(r.units), "rejected": len(r.rejected),
  "rss_parent_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
  "rss_worker_mb": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024}}))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def naive_pack_seconds(folder: Path, sample: int) -> float:
    """Seconds per commune of the same return-pack layout written by XlsxWriter, one workbook each."""
    from cchc_xl.commands.consolidate import consolidate
    from cchc_xl.render import return_pack
    from cchc_xl.render.consolidate_report import Styles

    sub = folder / "huyen-01"
    result = consolidate(sub, jobs=1)
    entries = [e for e in result.completeness if e.unit is not None][:sample]
    import xlsxwriter

    with tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        for n, e in enumerate(entries):
            wb = xlsxwriter.Workbook(str(Path(tmp) / f"{n}.xlsx"), {"in_memory": True})
            ws = wb.add_worksheet(return_pack.SHEET)
            return_pack.layout(result, e, ws, Styles(wb))
            wb.close()
        return (time.perf_counter() - t) / max(1, len(entries))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3321)
    ap.add_argument("--small", type=int, default=500)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--naive-sample", type=int, default=40)
    ap.add_argument("--keep", type=Path, help="Generate into this folder and keep it.")
    args = ap.parse_args()
    base = args.keep or Path(tempfile.mkdtemp(prefix="cchc-bench-"))
    try:
        t = time.perf_counter()
        big = generate(base / f"n{args.n}", args.n, args.jobs)
        small_dir = base / f"n{args.small}"
        small_dir.mkdir(parents=True, exist_ok=True)
        for p in big[: args.small]:
            dest = small_dir / p.relative_to(base / f"n{args.n}")
            dest.parent.mkdir(exist_ok=True)
            shutil.copy2(p, dest)
        print(f"generated {args.n} workbooks in {time.perf_counter() - t:.1f} s "
              f"({sum(p.stat().st_size for p in big) / len(big) / 1024:.0f} KB each), {args.jobs} cores")
        results = {}
        for label, folder in ((args.small, small_dir), (args.n, base / f"n{args.n}")):
            r = run_ours(folder, args.jobs)
            results[label] = r
            print(f"ours   N={label:>5}: {r['seconds']:6.2f} s  {r['files'] / r['seconds']:6.0f} workbooks/s  "
                  f"({r['units']} consolidated, {r['rejected']} rejected)  peak RSS parent "
                  f"{r['rss_parent_mb']:.0f} MB, per worker {r['rss_worker_mb']:.0f} MB")
            out = r["workbook"] + r["json"] + r["pack"]
            print(f"       phases: read+validate+consolidate {r['read']:.2f} s, workbook {r['workbook']:.2f} s, "
                  f"JSON {r['json']:.2f} s, return pack {r['pack']:.2f} s ({r['pack_files']} workbooks); "
                  f"writing the outputs = {out / r['seconds']:.0%} of the run")
        naive_pack = naive_pack_seconds(base / f"n{args.n}", args.naive_sample)
        print(f"naive return pack (one XlsxWriter workbook per commune), {args.naive_sample} communes: "
              f"{naive_pack * 1000:.1f} ms each → {naive_pack * results[args.n]['pack_files']:.0f} s for "
              f"N={args.n} in one process")
        raw_one, raw_pool = raw_throughput(big, args.jobs)
        naive = naive_throughput(big, args.naive_sample)
        ours = results[args.n]["files"] / results[args.n]["seconds"]
        print(f"raw python-calamine (open + read every sheet): {raw_one:.0f} wb/s one process, "
              f"{raw_pool:.0f} wb/s with {args.jobs} processes")
        print(f"naive pandas.read_excel(engine='openpyxl'), {args.naive_sample} files: {naive:.1f} wb/s "
              f"→ {args.n / naive:.0f} s extrapolated for N={args.n}")
        print(f"ours / raw (pool) = {ours / raw_pool:.2f}, ours / raw (one process) = {ours / raw_one:.2f}, "
              f"ours / naive = {ours / naive:.0f}×, targets: ≥ 200 wb/s, ≥ 0.5 × raw, ≥ 10 × naive")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
