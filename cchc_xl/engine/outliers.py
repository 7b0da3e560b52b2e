"""Outliers across the communes of one run: the modified z-score (median / MAD), pure functions.

Definition used (documented in the README, proved by a hypothesis test):

* ``m`` is the median of the communes' values of one indicator.
* The scale is **MAD***, the median of ``|x − m|`` over the communes whose value *differs* from ``m``.
  A commune exactly at the median says nothing about the spread; leaving it out is what makes the check
  invariant to adding communes equal to the median (the median stays ``m`` and MAD* keeps its value,
  so every z-score stays the same — the plain MAD would shrink towards 0 and flag more and more communes).
* ``z = 0.6745 · (x − m) / MAD*`` (Iglewicz & Hoaglin); ``|z| > threshold`` (3,5 by default) is an outlier.
* Zero-inflated indicators need no special case and never give an infinite z: when most communes report 0
  the median is 0 and MAD* is the median of the non-zero values, so a value is flagged when it exceeds
  about 5,2 times the typical non-zero value (3,5 / 0,6745). When every commune has the same value,
  nothing is flagged. At least ``min_spread`` (3) communes must differ from the median — a count that
  adding median-valued communes does not change either — otherwise nothing is flagged: two odd values
  among equal ones cannot say which of them is the typo.
* A value within ±50 % of the median (``MIN_RELATIVE``) is never an outlier, whatever its z: on nearly
  constant data (on-time rates of 99,9 % … 100 %) MAD* is tiny and z would flag rounding noise. This
  guard depends on the median only, so the invariance above still holds.

For counts, a second check runs on the value per unit of a size indicator (``SIZE_INDICATORS``): the
number of files (hồ sơ) per administrative procedure (TTHC) of the commune, so a big ward with many files
is compared with its peers by workload, not by raw size.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)

DEFAULT_THRESHOLD = 3.5
MIN_SPREAD = 3
MIN_RELATIVE = 0.5
CONSISTENCY = 0.6745  # Φ⁻¹(0,75): makes MAD comparable to a standard deviation for normal data

# form id → (size indicator code, word that the unit of the counts measured per size contains).
# Phụ lục 01b: 3.1.3 "Tổng số TTHC đang áp dụng"; Hải Dương BM3-1.4.3 "Số TTHC cấp xã". Every count whose
# unit is "hồ sơ" (files received / settled / published) is also checked per procedure.
SIZE_INDICATORS: dict[str, tuple[str, str]] = {
    "phu-luc-01b": ("3.1.3", "hồ sơ"),
    "hai-duong-bieu-mau-2022": ("BM3-1.4.3", "hồ sơ"),
}


@dataclass(frozen=True)
class Outlier(Generic[K]):
    key: K
    value: float
    median: float
    scale: float  # MAD*
    z: float


def _median(sorted_values: list[float]) -> float:
    n = len(sorted_values)
    mid = n // 2
    return sorted_values[mid] if n % 2 else (sorted_values[mid - 1] + sorted_values[mid]) / 2


def center_scale(values: Iterable[float]) -> tuple[float, float, int] | None:
    """(median, MAD*, communes differing from the median); None for no values."""
    xs = sorted(values)
    if not xs:
        return None
    m = _median(xs)
    devs = sorted(abs(x - m) for x in xs if x != m)
    return m, (_median(devs) if devs else 0.0), len(devs)


def modified_z(values: Mapping[K, float], threshold: float = DEFAULT_THRESHOLD,
               min_spread: int = MIN_SPREAD, min_relative: float = MIN_RELATIVE) -> list[Outlier[K]]:
    """Every key whose modified z-score (MAD* scale, see the module docstring) exceeds ``threshold``."""
    stats = center_scale(values.values())
    if stats is None:
        return []
    m, scale, spread = stats
    if spread < min_spread or scale <= 0:
        return []
    out = []
    for key, x in values.items():
        z = CONSISTENCY * (x - m) / scale
        if abs(z) > threshold and abs(x - m) >= min_relative * abs(m):
            out.append(Outlier(key, x, m, scale, z))
    return out


_NUMERIC = (int, float)  # exact types: bool (a subclass of int) is not a number here


def _number(v: object) -> float | None:
    return float(v) if type(v) in _NUMERIC else None  # type: ignore[arg-type]


@dataclass(frozen=True)
class IndicatorOutlier(Generic[K]):
    """An outlier of one indicator (``per`` = the size code when it is the per-size check)."""

    unit: K
    code: str
    per: str | None
    value: float  # the value checked (a ratio for the per-size check)
    raw: float  # the indicator's own value
    size: float | None
    median: float
    z: float


def run_outliers(rows: Mapping[K, Mapping[str, object]], codes: Iterable[str], per_size: Iterable[str] = (),
                 size_code: str | None = None, threshold: float = DEFAULT_THRESHOLD,
                 min_spread: int = MIN_SPREAD) -> list[IndicatorOutlier[K]]:
    """Outliers of every indicator in ``codes`` over the units in ``rows`` (unit → code → value); the codes
    in ``per_size`` are also checked as value / size where the unit's size is > 0. Blanks are skipped."""
    out: list[IndicatorOutlier[K]] = []
    items = list(rows.items())
    for code in codes:
        column = {u: x for u, r in items if type(x := r.get(code)) in _NUMERIC}
        for o in modified_z(column, threshold, min_spread):
            out.append(IndicatorOutlier(o.key, code, None, float(o.value), float(o.value), None, o.median, o.z))
    if size_code:
        sizes = {u: float(s) for u, r in items if type(s := r.get(size_code)) in _NUMERIC and s > 0}
        for code in per_size:
            raw = {u: x for u, r in items if u in sizes and type(x := r.get(code)) in _NUMERIC}
            ratio = {u: x / sizes[u] for u, x in raw.items()}
            for o in modified_z(ratio, threshold, min_spread):
                out.append(IndicatorOutlier(o.key, code, size_code, o.value, float(raw[o.key]), sizes[o.key],
                                            o.median, o.z))
    return out
