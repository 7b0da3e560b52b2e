"""Benchmark the history checks: consolidation with vs without ``--history``, and one commune's series query.

    .venv/bin/python benchmarks/bench_history.py [--n 3321] [--jobs 2] [--periods 10]

Generates N Hải Dương commune workbooks (the generator of ``bench_consolidate.py``), then, from one run:

* consolidation end to end (scan + validate + consolidate + write the workbook) **without** history, and
  the same **with** history in its steady state: the previous period already stored, so the run computes
  the outliers across the N communes, compares every commune with its previous period, takes the rank
  change from the history, stores the run (N × ~100 values in one transaction) and writes the two extra
  sheets. Target: at most +20 %.
* the history step alone against a floor (bare ``executemany`` of the same value rows into an empty table
  in one transaction) and a naive alternative (one INSERT per value, committed one by one — extrapolated
  from a subset);
* with ``--periods`` periods of N communes stored, the query for one commune's series (``history show``'s
  library call: find the commune, read its periods, values, field scores and marks): median of 21 runs,
  target < 50 ms; and the same query without the indexes, for comparison.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))


def _consolidate(folder: Path, jobs: int):
    from cchc_xl.commands.consolidate import consolidate

    return consolidate(folder, jobs=jobs)


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--n", type=int, default=3321)
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--periods", type=int, default=10)
    ap.add_argument("--keep", type=Path, help="Generate into this folder and keep it.")
    args = ap.parse_args()

    from bench_consolidate import generate

    from cchc_xl.commands.history import check_consolidation, unit_series
    from cchc_xl.render.consolidate_report import write_workbook
    from cchc_xl.render.history_xlsx import consolidation_sheets
    from cchc_xl.sources.history_db import open_store

    base = args.keep or Path(tempfile.mkdtemp(prefix="cchc-bench-history-"))
    try:
        folder = base / f"n{args.n}"
        if not folder.exists():
            _, s = timed(lambda: generate(folder, args.n, args.jobs))
            print(f"generated {args.n} workbooks in {s:.1f} s, {args.jobs} cores")
        db = base / "lich-su.sqlite"
        db.unlink(missing_ok=True)

        # the previous period, stored once (not timed as part of the comparison)
        prev = _consolidate(folder, args.jobs)
        prev.nam = 2021
        check_consolidation(prev, db)

        # without history
        def plain():
            r = _consolidate(folder, args.jobs)
            write_workbook(r, base / "plain.xlsx", force=True)
            return r

        _r_plain, t_plain = timed(plain)

        # with history (steady state: compares with 2021, stores 2022)
        history_step = {}

        def with_history():
            r = _consolidate(folder, args.jobs)
            t = time.perf_counter()
            outcome = check_consolidation(r, db)
            history_step["s"] = time.perf_counter() - t
            write_workbook(r, base / "hist.xlsx", force=True, extra=consolidation_sheets(r, outcome))
            history_step["followups"] = len(outcome.followups)
            return r

        r_hist, t_hist = timed(with_history)
        n_units = len(r_hist.units)
        n_values = sum(sum(v is not None and v != "" for v in u.row) for u in r_hist.units)
        print(f"consolidate N={args.n} without --history: {t_plain:6.2f} s")
        print(f"consolidate N={args.n} with    --history: {t_hist:6.2f} s  ({(t_hist / t_plain - 1) * 100:+.1f} %; "
              f"history step {history_step['s']:.2f} s = {history_step['s'] / t_plain * 100:.1f} % of the run; "
              f"{n_units} communes, {n_values} values stored, {history_step['followups']} follow-ups)  "
              "target ≤ +20 %")

        # floor and naive for the storing part
        rows = [(i, u.xa, code, v) for i, u in enumerate(r_hist.units) for code, v in u.values.items()
                if v is not None and v != ""]
        floor_db = base / "floor.sqlite"
        floor_db.unlink(missing_ok=True)
        c = sqlite3.connect(floor_db, isolation_level=None)
        c.execute("PRAGMA journal_mode = WAL")
        c.execute("CREATE TABLE v(sub INTEGER, xa TEXT, code TEXT, value, PRIMARY KEY(sub, code)) WITHOUT ROWID")
        t = time.perf_counter()
        c.execute("BEGIN")
        c.executemany("INSERT INTO v VALUES (?, ?, ?, ?)", rows)
        c.execute("COMMIT")
        floor = time.perf_counter() - t
        sample = rows[:2000]
        c.execute("DELETE FROM v")
        t = time.perf_counter()
        for row in sample:
            c.execute("INSERT INTO v VALUES (?, ?, ?, ?)", row)  # autocommit: one transaction per value
        naive = (time.perf_counter() - t) / len(sample) * len(rows)
        c.close()
        print(f"storing {len(rows)} values: history step {history_step['s']:.2f} s (outliers + changes + ranks + "
              f"store + sha256 of every file); floor executemany in one transaction {floor:.2f} s; naive one "
              f"commit per value {naive:.1f} s (extrapolated from {len(sample)})")

        # query: one commune with `periods` periods stored
        for k in range(args.periods - 2):
            r_hist.nam = 2020 - k
            check_consolidation(r_hist, db)
        with open_store(db) as store:
            n_periods = len(store.periods())
        target = r_hist.units[len(r_hist.units) // 2].ma_xa
        times = []
        for _ in range(21):
            _, s = timed(lambda: unit_series(db, target))
            times.append(s)
        _unit, points, _marks = unit_series(db, target)
        print(f"history query, one commune of {n_units} with {len(points)} periods ({n_periods} stored, "
              f"{db.stat().st_size / 1e6:.0f} MB): median {statistics.median(times) * 1000:.1f} ms, max "
              f"{max(times) * 1000:.1f} ms (open + find + series + marks)  target < 50 ms")
        noidx = base / "noidx.sqlite"
        shutil.copy(db, noidx)
        with sqlite3.connect(noidx) as c:
            c.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            c.execute("DROP INDEX submissions_unit")
            c.execute("DROP INDEX submissions_period")
        times = []
        for _ in range(5):
            _, s = timed(lambda: unit_series(noidx, target))
            times.append(s)
        print(f"same query without the indexes: median {statistics.median(times) * 1000:.1f} ms")
    finally:
        if args.keep is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
