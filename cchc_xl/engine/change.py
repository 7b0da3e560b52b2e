"""Change of a commune's values against an earlier period, and which earlier periods count: pure functions.

A value is flagged when, against the baseline (the previous period, or the same period last year):

* both are non-zero and ``new / old`` leaves the band ``[1/ratio, ratio]`` (default ratio 5), or
* one of them is zero and the other is not (zero ↔ non-zero),

and in both cases the absolute change is at least ``floor`` (default 10, in the indicator's own unit) —
a commune going from 1 to 6 disciplined officials is news, not a typo to chase. Blanks are never compared.

Periods are ordered by their end (quý I → March, 6 tháng → June, 9 tháng → September, năm → December);
the previous period of a report is the latest stored period of the same form that ends before it (for an
equal end the shorter period counts as earlier); the same period last year has the same kỳ and năm − 1.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

DEFAULT_RATIO = 5.0
DEFAULT_FLOOR = 10.0

# kỳ → (end month, months covered): the order of periods within a year.
PERIOD_END = {"quy1": (3, 3), "quy2": (6, 3), "6thang": (6, 6), "quy3": (9, 3), "9thang": (9, 9),
              "quy4": (12, 3), "nam": (12, 12)}


def period_key(ky: str, nam: int) -> tuple[int, int, int]:
    end, length = PERIOD_END.get(ky, (12, 12))
    return nam, end, length


def previous_period(current: tuple[str, int], stored: Iterable[tuple[str, int]]) -> tuple[str, int] | None:
    """The latest stored period that ends before ``current`` (see the module docstring)."""
    key = period_key(*current)
    earlier = [p for p in stored if period_key(*p) < key]
    return max(earlier, key=lambda p: period_key(*p)) if earlier else None


def same_period_last_year(current: tuple[str, int], stored: Iterable[tuple[str, int]]) -> tuple[str, int] | None:
    want = (current[0], current[1] - 1)
    return want if want in set(stored) else None


@dataclass(frozen=True)
class Change:
    code: str
    old: float
    new: float
    ratio: float | None  # None for zero ↔ non-zero
    kind: str  # "ratio" or "zero"


_NUMERIC = (int, float)  # exact types: bool is not a number here


def compare(current: Mapping[str, object], baseline: Mapping[str, object], codes: Iterable[str],
            ratio: float = DEFAULT_RATIO, floor: float = DEFAULT_FLOOR) -> list[Change]:
    """The changes of ``codes`` from ``baseline`` to ``current`` that leave the band (module docstring)."""
    out = []
    lo, hi = (1 / ratio, ratio) if ratio >= 1 else (ratio, 1 / ratio)
    if not baseline:
        return out
    wanted = codes if isinstance(codes, set | frozenset) else set(codes)
    for code, old in baseline.items():
        if code not in wanted:
            continue
        new = current.get(code)
        if type(new) not in _NUMERIC or type(old) not in _NUMERIC or new == old or abs(new - old) < floor:
            continue
        if (new == 0) != (old == 0):
            out.append(Change(code, float(old), float(new), None, "zero"))
        elif old != 0:
            r = new / old
            if r < lo or r > hi:
                out.append(Change(code, float(old), float(new), r, "ratio"))
    return out
