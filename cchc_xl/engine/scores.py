"""Which score stands: the one definition of a commune's PAR Index at every stage of the season.

The season runs tự chấm (self-assessment) → thẩm định (appraisal) → điều tra xã hội học (survey) → công bố.
Per field (lĩnh vực) the **standing** score is the appraised score when there is one, else the self score;
survey fields (assessment ``dieu_tra``, 9–10 in Hải Dương) stand only on their appraised/survey score. The
index is the sum of the standing scores and is

* **final** (``basis = "final"``) when every field stands on an appraised/survey score,
* **provisional** (``"provisional"``, *tạm tính*) when at least one field stands on a self score,
* **incomplete** (``complete = False``) when any field has no score at all (``missing`` lists them).

A field "has" a score in a column when at least one entered (non-computed) criterion under it holds a number;
computed criteria are sums of their children and carry no presence of their own. ``show``, ``validate``,
``diff`` and ``consolidate`` all call :func:`standing`; the Chấm điểm sheet writes the same definition as
live formulas (``template.py``). Pure functions, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from cchc_xl.model.catalog import Criterion, Framework
from cchc_xl.model.numbers import excel_round

Number = int | float
FINAL, PROVISIONAL = "final", "provisional"
APPRAISED, SELF = "appraised", "self"
BASIS_LABELS = {FINAL: "chính thức", PROVISIONAL: "tạm tính"}


def number(v: object) -> Number | None:
    """A score as a number, or None for blanks, text and booleans."""
    if isinstance(v, bool):
        return None
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v if isinstance(v, int | float) else None


def _clean(x: Number) -> Number:
    return excel_round(x, 9) if isinstance(x, float) else x


@dataclass(frozen=True)
class FieldScore:
    """One field: its self and appraised points (None when nothing is entered) and which one stands."""

    code: str
    label: str
    max: Number | None
    self_assessed: bool
    self: Number | None
    appraised: Number | None

    @property
    def source(self) -> str | None:
        """``"appraised"``, ``"self"`` or None (no score): where the standing score comes from."""
        if self.appraised is not None:
            return APPRAISED
        if self.self_assessed and self.self is not None:
            return SELF
        return None

    @property
    def points(self) -> Number | None:
        """The standing score of the field."""
        src = self.source
        return self.appraised if src == APPRAISED else self.self if src == SELF else None

    @property
    def percent(self) -> Number | None:
        """Tỷ lệ đạt (%) of the standing score, 2 decimals; None when there is no score or no maximum."""
        pts = self.points
        if pts is None or not self.max:
            return None
        return excel_round(pts / self.max * 100, 2)


@dataclass(frozen=True)
class Standing:
    """The index of one workbook as it stands: per field, the totals and the basis."""

    fields: tuple[FieldScore, ...]

    def field(self, code: str) -> FieldScore:
        return next(f for f in self.fields if f.code == code)

    @property
    def scored(self) -> bool:
        """Whether any field has any score (an unscored statistics report is not "incomplete")."""
        return any(f.source is not None for f in self.fields)

    @property
    def missing(self) -> tuple[str, ...]:
        """Fields with no score at all, in framework order."""
        return tuple(f.code for f in self.fields if f.source is None)

    @property
    def complete(self) -> bool:
        return not self.missing

    @property
    def self_fields(self) -> tuple[str, ...]:
        """Fields whose standing score is a self score (what makes the index provisional)."""
        return tuple(f.code for f in self.fields if f.source == SELF)

    @property
    def basis(self) -> str | None:
        """``"final"`` when every field stands on an appraised score, ``"provisional"`` otherwise; None unscored."""
        if not self.scored:
            return None
        return FINAL if self.complete and not self.self_fields else PROVISIONAL

    @property
    def total(self) -> Number | None:
        """The index on its basis: the sum of the standing scores (None when nothing is scored)."""
        pts = [f.points for f in self.fields if f.points is not None]
        return _clean(sum(pts)) if pts else None

    @property
    def self_total(self) -> Number | None:
        """Sum of the self scores of the self-assessed fields (None when none is entered)."""
        pts = [f.self for f in self.fields if f.self_assessed and f.self is not None]
        return _clean(sum(pts)) if pts else None

    @property
    def appraised_total(self) -> Number | None:
        pts = [f.appraised for f in self.fields if f.appraised is not None]
        return _clean(sum(pts)) if pts else None

    @property
    def maximum(self) -> Number:
        return _clean(sum(f.max for f in self.fields if f.max is not None))

    @property
    def points(self) -> dict[str, Number]:
        """Standing points per field code (fields with no score left out)."""
        return {f.code: f.points for f in self.fields if f.points is not None}

    def basis_text(self) -> str:
        """How a person reads the index: "chính thức", "tạm tính", "chưa đủ điểm (thiếu lĩnh vực 9, 10)"."""
        if not self.scored:
            return ""
        if not self.complete:
            return f"chưa đủ điểm (thiếu lĩnh vực {', '.join(self.missing)})"
        return BASIS_LABELS[self.basis]  # type: ignore[index]


def leaves(framework: Framework, code: str) -> tuple[Criterion, ...]:
    """The entered criteria under ``code`` (itself when it is entered, else its non-computed descendants)."""
    crit = framework.criterion(code)
    if not crit.computed:
        return (crit,)
    out: list[Criterion] = []
    for child in crit.children:
        out.extend(leaves(framework, child))
    return tuple(out)


def column_sum(framework: Framework, code: str, scores: Mapping[str, object]) -> Number | None:
    """A criterion's points in one column from the entered scores; None when none of its leaves is entered."""
    crit = framework.criterion(code)
    if not crit.computed:
        return number(scores.get(code))
    parts = [column_sum(framework, c, scores) for c in crit.children]
    present = [p for p in parts if p is not None]
    return _clean(sum(present)) if present else None


def standing(framework: Framework, self_scores: Mapping[str, object],
             appraised: Mapping[str, object]) -> Standing:
    """The standing index from the entered self and appraised scores (by criterion code).

    Only entered criteria are read; values given for computed criteria (cached sums) are ignored so a
    stale or zero cached subtotal cannot make a field look scored.
    """
    fields = []
    for f in framework.fields:
        own = column_sum(framework, f.code, self_scores) if f.self_assessed else None
        fields.append(FieldScore(f.code, f.label, number(f.max), f.self_assessed, own,
                                 column_sum(framework, f.code, appraised)))
    return Standing(tuple(fields))
