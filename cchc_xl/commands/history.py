"""Plausibility over time: outliers across communes, change against the history, marks, the history file.

``check_consolidation(result, history=...)`` runs after ``consolidate``: it adds follow-up findings
(severity ``followup``, "Cần xem lại" — never an error, so statuses and exit codes do not change) for
outliers across the run's communes and, with a history file, for large changes against the previous period
and the same period last year; it takes the rank change (overall and per field) from the history, reads
the clerk's marks (a column of the consolidated Kiểm tra sheet, ``--marks``), suppresses values that were
marked before, and stores the run. ``check_validation`` does the same for one commune's workbook.
The other functions back ``cchc-xl history FILE [show|export|mark]``.
"""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cchc_xl.engine import change as change_engine
from cchc_xl.engine import outliers as outlier_engine
from cchc_xl.engine.scores import standing
from cchc_xl.errors import UnusableInput
from cchc_xl.messages import say
from cchc_xl.model.catalog import PERIODS, Form, load_form
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.sources.followup_marks import read_marks
from cchc_xl.sources.history_db import (
    EXPORT_COLUMNS,
    Mark,
    PeriodPoint,
    RunSnapshot,
    RunSummary,
    UnitSnapshot,
    open_store,
    unit_key,
    value_key,
)
from cchc_xl.version import __version__

FOLLOWUP = "followup"
CHECKED_KINDS = ("count", "amount", "percent")
TREND_PERIODS = 5


@dataclass(frozen=True)
class Options:
    outlier_z: float = outlier_engine.DEFAULT_THRESHOLD  # 0 switches the outlier check off
    change_ratio: float = change_engine.DEFAULT_RATIO
    change_floor: float = change_engine.DEFAULT_FLOOR


@dataclass
class FollowUp:
    """One value to look at again: the finding added to the commune and the key a mark is stored under."""

    unit: object  # UnitResult (consolidate) or None (validate)
    ma_xa: str
    xa: str
    huyen: str
    code: str
    label: str
    value: object
    rule: str
    message: str
    mark: Mark  # the mark this value would get (status empty until marked)

    def finding(self, values: dict) -> dict:
        return {"rule": self.rule, "severity": FOLLOWUP, "codes": [self.code], "sheet": None, "cell": None,
                "message": self.message, "values": values,
                "follow_up_key": json.dumps([self.mark.unit, self.mark.form, self.mark.ky, self.mark.nam,
                                             self.code, self.mark.value, self.rule], ensure_ascii=False)}


@dataclass
class TrendRow:
    ma_xa: str
    xa: str
    huyen: str
    totals: list[object]  # one per ``Outcome.trend_periods``
    change: float | None  # current − previous total
    rank_change: int | None
    field_rank_change: dict[str, int] = field(default_factory=dict)


@dataclass
class Outcome:
    """What the checks found and stored (rendered by ``render.history_xlsx``)."""

    followups: list[FollowUp] = field(default_factory=list)
    suppressed: int = 0
    summary: RunSummary | None = None
    history: Path | None = None
    marks_read: int = 0
    trend_periods: list[tuple[str, int]] = field(default_factory=list)
    trend: list[TrendRow] = field(default_factory=list)
    distribution: list[tuple[str, list[float]]] = field(default_factory=list)  # period label → totals
    form: str = ""
    period: str = ""


def period_text(ky: str, nam: int) -> str:
    return f"{PERIODS.get(ky, ky)} {nam}"


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def checked_codes(form: Form) -> tuple[list[str], list[str], str | None]:
    """(numeric codes checked, counts also checked per size, size code) of a form."""
    codes = [i.code for i in form.cells if i.kind in CHECKED_KINDS]
    size_code, word = outlier_engine.SIZE_INDICATORS.get(form.id, (None, ""))
    per = [i.code for i in form.cells if i.kind == "count" and size_code and word in (i.unit or "").casefold()
           and i.code != size_code]
    return codes, per, size_code


def _z(z: float) -> str:
    return format_vn(round(z, 1), 1)


def _num_text(v: float) -> str:
    return format_vn(round(v, 3) if isinstance(v, float) else v)


def _outlier_followups(form: Form, units: list, ky: str, nam: int, threshold: float) -> list[tuple[FollowUp, dict]]:
    codes, per, size_code = checked_codes(form)
    labels = {i.code: i.label for i in form.cells}
    keyed = {unit_key(u.ma_xa, u.xa, u.huyen): u for u in units}
    rows = {k: u.values for k, u in keyed.items()}
    out = []
    for o in outlier_engine.run_outliers(rows, codes, per, size_code, threshold):
        u = keyed[o.unit]
        raw = u.values.get(o.code)
        if o.per is None:
            rule = f"outlier:{o.code}"
            msg = say("outlier-value", label=labels[o.code], code=o.code, value=_num_text(o.raw),
                      median=_num_text(o.median), z=_z(o.z), threshold=format_vn(threshold))
            values = {"value": raw, "median": o.median, "z": round(o.z, 2)}
        else:
            rule = f"outlier-per:{o.code}/{o.per}"
            msg = say("outlier-per-size", label=labels[o.code], code=o.code, raw=_num_text(o.raw),
                      value=format_vn(round(o.value, 2)), size_code=o.per, size=_num_text(o.size or 0),
                      median=format_vn(round(o.median, 2)), z=_z(o.z), threshold=format_vn(threshold))
            values = {"value": raw, "size": o.size, "per_size": round(o.value, 4), "median": round(o.median, 4),
                      "z": round(o.z, 2)}
        mark = Mark(o.unit, form.id, ky, nam, o.code, value_key(raw), "", rule=rule)
        out.append((FollowUp(u, u.ma_xa, u.xa, u.huyen, o.code, labels[o.code], raw, rule, msg, mark), values))
    return out


def _change_followups(form: Form, key: str, values: dict, baselines: list[tuple[str, tuple[str, int], dict]],
                      ky: str, nam: int, options: Options, unit: object, ident: tuple[str, str, str],
                      codes: list[str] | None = None, labels: dict[str, str] | None = None
                      ) -> list[tuple[FollowUp, dict]]:
    if codes is None:
        codes = checked_codes(form)[0]
    if labels is None:
        labels = {i.code: i.label for i in form.cells}
    out = []
    ratio = options.change_ratio
    for tag, (bky, bnam), base in baselines:
        for c in change_engine.compare(values, base, codes, ratio, options.change_floor):
            rule = f"change:{tag}:{c.code}"
            new = values.get(c.code)
            if c.kind == "zero":
                msg = say("change-zero", label=labels[c.code], code=c.code, new=_num_text(c.new),
                          old=_num_text(c.old), period=period_text(bky, bnam))
            else:
                msg = say("change-ratio", label=labels[c.code], code=c.code, new=_num_text(c.new),
                          old=_num_text(c.old), period=period_text(bky, bnam), ratio=format_vn(round(c.ratio, 2)),
                          lo=format_vn(round(1 / ratio, 2)), hi=format_vn(ratio))
            mark = Mark(key, form.id, ky, nam, c.code, value_key(new), "", rule=rule)
            fu = FollowUp(unit, *ident, c.code, labels[c.code], new, rule, msg, mark)
            out.append((fu, {"value": new, "previous": base.get(c.code), "period": period_text(bky, bnam),
                             "ratio": None if c.ratio is None else round(c.ratio, 4)}))
    return out


def _baselines(store, form: str, ky: str, nam: int) -> list[tuple[str, tuple[str, int], dict]]:
    stored = [p for p in store.stored_periods(form) if p != (ky, nam)]
    out = []
    last_year = change_engine.same_period_last_year((ky, nam), stored)
    prev = change_engine.previous_period((ky, nam), stored)
    if prev is not None and prev != last_year:
        out.append(("previous", prev, store.period_values(form, *prev)))
    if last_year is not None:
        out.append(("last-year", last_year, store.period_values(form, *last_year)))
    return out


def _apply(pairs: list[tuple[FollowUp, dict]], known: dict, outcome: Outcome) -> None:
    """Suppress marked values; attach the rest as findings to their unit."""
    for fu, values in pairs:
        if (fu.mark.unit, fu.code, fu.mark.value) in known:
            outcome.suppressed += 1
            continue
        outcome.followups.append(fu)
        if fu.unit is not None:
            fu.unit.findings.append(fu.finding(values))


def _snapshot(u, result) -> UnitSnapshot:
    basis = getattr(u, "basis", None) or getattr(u, "score_basis", None) or result.score_basis
    return UnitSnapshot(
        ma_xa=u.ma_xa, xa=u.xa, huyen=u.huyen, tinh=u.tinh, file=u.file, sha256=sha256_of(u.path),
        values={k: v for k, v in u.values.items() if v is not None and v != ""}, status=u.status,
        basis=basis if u.total is not None else None, total=u.total, rank_total=u.rank_total,
        ranked=result.ranked if u.rank_total else None, rating=u.rating, fields=dict(u.fields),
        field_ranks={c: (p, lv) for c, (p, lv) in u.rank_fields.items()})


def check_consolidation(result, history: str | Path | None = None, options: Options = Options(),
                        marks_from: Iterable[str | Path] = ()) -> Outcome:
    """Add follow-up findings to ``result``'s units; with ``history``, compare, rank-change and store."""
    form = result.form
    outcome = Outcome(history=Path(history) if history else None)
    if form is None or not result.ky or result.nam is None:
        return outcome
    ky, nam = result.ky, result.nam
    outcome.form, outcome.period = form.id, period_text(ky, nam)
    included = [u for u in result.units if u.included]
    pairs = _outlier_followups(form, included, ky, nam, options.outlier_z) if options.outlier_z > 0 else []
    if history is None:
        _apply(pairs, {}, outcome)
        return outcome
    new_marks: list[Mark] = []
    for path in marks_from:
        read = [m for m in read_marks(path) if m.form == form.id]
        outcome.marks_read += len(read)
        new_marks.extend(read)
    with open_store(history, create=True) as store:
        known: dict = store.marks(form.id, ky, nam)
        known.update({(m.unit, m.code, m.value): m for m in new_marks if (m.ky, m.nam) == (ky, nam)})
        baselines = _baselines(store, form.id, ky, nam)
        codes = set(checked_codes(form)[0])
        labels = {i.code: i.label for i in form.cells}
        for u in included if baselines else ():
            key = unit_key(u.ma_xa, u.xa, u.huyen)
            unit_bases = [(tag, p, vals.get(key, {})) for tag, p, vals in baselines]
            pairs += _change_followups(form, key, u.values, unit_bases, ky, nam, options, u, (u.ma_xa, u.xa, u.huyen),
                                       codes, labels)
        field_changes = _rank_changes(store, result, ky, nam)
        _apply(pairs, known, outcome)
        snapshot = RunSnapshot("consolidate", str(result.directory), form.id, ky, nam,
                               [_snapshot(u, result) for u in included], __version__)
        outcome.summary = store.record(snapshot, new_marks)
        _trend(store, result, outcome, field_changes)
    return outcome


def _rank_changes(store, result, ky: str, nam: int) -> dict[int, dict[str, int]]:
    """Rank change from the latest earlier ranked period: overall into ``u.rank_change`` (unless --previous
    gave one), per field returned by unit id."""
    form = result.form.id
    prev = change_engine.previous_period((ky, nam), [p for p in store.ranked_periods(form) if p != (ky, nam)])
    if prev is None:
        return {}
    ranks = store.period_ranks(form, *prev)
    out: dict[int, dict[str, int]] = {}
    from cchc_xl.engine.rank import rank_change

    for u in result.units:
        if u.rank_total is None:
            continue
        before = ranks.get(unit_key(u.ma_xa, u.xa, u.huyen))
        if before is None:
            continue
        if not result.previous:
            u.rank_change = rank_change(u.rank_total, before[0])
        out[id(u)] = {f: before[1][f] - pos for f, (pos, _lv) in u.rank_fields.items() if f in before[1]}
    if not result.previous:
        result.previous = True
    return out


def _quartiles(xs: list[float]) -> list[float]:
    s = sorted(xs)

    def q(p: float) -> float:
        i = (len(s) - 1) * p
        lo = int(i)
        hi = min(lo + 1, len(s) - 1)
        return s[lo] + (s[hi] - s[lo]) * (i - lo)

    return [s[0], q(0.25), q(0.5), q(0.75), s[-1]]


def _trend(store, result, outcome: Outcome, field_changes: dict[int, dict[str, int]]) -> None:
    hist = store.index_history(result.form.id)
    periods = sorted(hist, key=lambda p: change_engine.period_key(*p))
    if not periods:
        return
    outcome.trend_periods = periods[-TREND_PERIODS:]
    outcome.distribution = [(period_text(*p), _quartiles([float(v) for v in hist[p].values()])) for p in periods
                            if hist[p]]
    for u in result.units:
        if not u.included:
            continue
        key = unit_key(u.ma_xa, u.xa, u.huyen)
        totals = [hist[p].get(key) for p in outcome.trend_periods]
        nums = [t for t in totals if isinstance(t, int | float)]
        delta = round(nums[-1] - nums[-2], 3) if len(nums) >= 2 and totals[-1] is not None else None
        outcome.trend.append(TrendRow(u.ma_xa, u.xa, u.huyen, totals, delta, u.rank_change,
                                      field_changes.get(id(u), {})))


# --------------------------------------------------------------------------------------------- validate


def check_validation(vresult, history: str | Path, options: Options = Options()) -> Outcome:
    """Store one commune's workbook in the history and add change findings against its earlier periods."""
    from cchc_xl.engine.rules import Finding

    report = vresult.report
    outcome = Outcome(history=Path(history))
    meta = report.meta
    ky, nam = meta.get("ky"), meta.get("nam")
    if not isinstance(ky, str) or not isinstance(nam, int) or not meta.get("xa"):
        return outcome
    form = report.form
    outcome.form, outcome.period = form.id, period_text(ky, nam)
    from cchc_xl.engine import derive

    inputs = {i.code: report.values.get(i.code) for i in form.inputs}
    values = {**inputs, **derive.derived_values(form, inputs)}
    values = {k: v for k, v in values.items() if v is not None and v != ""}
    ident = (str(meta.get("ma_xa") or ""), str(meta.get("xa") or ""), str(meta.get("huyen") or ""))
    key = unit_key(*ident)
    with open_store(history, create=True) as store:
        known = store.marks(form.id, ky, nam)
        bases = [(tag, p, vals.get(key, {})) for tag, p, vals in _baselines(store, form.id, ky, nam)]
        pairs = _change_followups(form, key, values, bases, ky, nam, options, None, ident)
        _apply(pairs, known, outcome)
        st = standing(report.framework, report.scores, report.appraised)  # the one definition (issue 11)
        basis, total = (st.basis, st.total) if st.total is not None else (None, None)
        snap = UnitSnapshot(*ident, tinh=str(meta.get("tinh") or ""), file=Path(vresult.file).name,
                            sha256=sha256_of(vresult.file), values=values, basis=basis, total=total)
        outcome.summary = store.record(RunSnapshot("validate", str(vresult.file), form.id, ky, nam, [snap],
                                                   __version__, ranks=False))
    cells = {i.code: i.name for i in form.cells}
    for fu in outcome.followups:
        ref = report.cells.get(cells.get(fu.code, ""))
        vresult.findings.append(Finding(fu.rule, FOLLOWUP, (fu.code,), getattr(ref, "sheet", None),
                                        getattr(ref, "address", None), fu.message, {"value": fu.value}))
    return outcome


# ------------------------------------------------------------------------------------- history FILE …


def overview(path: str | Path) -> tuple[list[dict], list[dict]]:
    """(periods, runs) of a history file."""
    with open_store(path) as store:
        return store.periods(), store.runs()


def resolve_unit(store, query: str) -> dict:
    found = store.find_units(query)
    if not found:
        raise UnusableInput("no-unit", say("history-no-unit", query=query))
    if len(found) > 1:
        names = ", ".join(f"{u['xa']} ({u['ma_xa'] or u['huyen'] or '?'})" for u in found[:10])
        raise UnusableInput("ambiguous", say("history-ambiguous", query=query, names=names))
    return found[0]


def unit_series(path: str | Path, query: str, form: str | None = None, all_versions: bool = False
                ) -> tuple[dict, list[PeriodPoint], list[dict]]:
    """(unit, its stored periods, its marks)."""
    with open_store(path) as store:
        unit = resolve_unit(store, query)
        return unit, store.series(unit["key"], form, all_versions), store.all_marks(unit["key"])


def mark(path: str | Path, query: str, code: str, status: str, note: str = "", ky: str | None = None,
         nam: int | None = None, form: str | None = None) -> tuple[dict, Mark]:
    """Mark the stored value of ``code`` for a commune (latest period unless ``ky``/``nam``)."""
    with open_store(path) as store:
        unit = resolve_unit(store, query)
        points = [p for p in store.series(unit["key"], form) if (ky is None or p.ky == ky)
                  and (nam is None or p.nam == nam)]
        if not points:
            raise UnusableInput("no-period", say("history-no-period-unit", xa=unit["xa"],
                                                 period=period_text(ky or "?", nam or 0) if ky else str(nam or "")))
        point = points[-1]
        if code not in point.values:
            raise UnusableInput("no-value", say("history-no-value", xa=unit["xa"], code=code,
                                                period=period_text(point.ky, point.nam)))
        m = Mark(unit["key"], point.form, point.ky, point.nam, code, value_key(point.values[code]), status, note,
                 source="cchc-xl history mark")
        store.add_marks([m])
        return unit, m


def export(path: str | Path, out: str | Path, fmt: str = "csv", all_versions: bool = False,
           force: bool = False) -> int:
    """Long-format export (one row per value) for analysts; returns the number of rows."""
    if fmt == "parquet":
        try:
            import pyarrow  # noqa: F401
        except ImportError:
            raise UnusableInput("no-parquet", say("history-no-parquet")) from None
    with open_store(path) as store:
        rows = list(store.export_rows(all_versions))
    with atomic_output(out, force=force) as tmp:
        if fmt == "parquet":  # pyarrow directly: the commands never import pandas
            import pyarrow as pa
            import pyarrow.parquet as pq

            columns = {c: [r[i] for r in rows] for i, c in enumerate(EXPORT_COLUMNS)}
            columns["value"] = [float(v) if type(v) in (int, float) else None for v in columns["value"]]
            columns["total"] = [float(v) if type(v) in (int, float) else None for v in columns["total"]]
            pq.write_table(pa.table(columns), tmp)
        else:
            with tmp.open("w", encoding="utf-8-sig", newline="") as fh:
                w = csv.writer(fh)
                w.writerow(EXPORT_COLUMNS)
                w.writerows(rows)
    return len(rows)


def load_form_of(points: list[PeriodPoint]) -> Form | None:
    return load_form(points[-1].form) if points else None


# ------------------------------------------------------------------------------------------ CLI glue


def probe(path: str | Path) -> None:
    """Raise the Vietnamese UnusableInput now if ``path`` cannot be used as a history file."""
    with open_store(path, create=not Path(path).exists()):
        pass


def run_checks(result, history: Path | None, marks: Iterable[Path], out: Path | None, outlier_z: float,
               change_ratio: float, change_floor: float) -> Outcome:
    """``consolidate``'s plausibility step: marks from ``--marks`` and from the output being replaced."""
    sources = list(marks)
    if history is not None and out is not None and out.exists() and out not in sources:
        try:
            read_marks(out)
            sources.append(out)
        except UnusableInput:
            pass  # an output that is not a readable workbook simply has no marks
    return check_consolidation(result, history, Options(outlier_z, change_ratio, change_floor), sources)
