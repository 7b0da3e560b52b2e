"""Derived values, computed in Python from the catalog — the twin of the live Excel formulas.

Each derivation has two renderings kept side by side here so they cannot drift apart: ``value_of`` computes
the number in Python, ``formula_of`` writes the Excel formula over defined names. Tests recalculate the
generated workbooks in LibreOffice and check both agree.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from cchc_xl.model import names
from cchc_xl.model.catalog import APPRAISED_TOTAL_NAME, SELF_TOTAL_NAME, Derivation, Form, Framework, name_for
from cchc_xl.model.numbers import excel_round

Number = int | float
NA = ""  # what Excel shows for "not applicable" (0/0): an empty string result


def _num(v: object) -> Number:
    """Excel's N(): numbers stay, anything else (blank, text) is 0."""
    if isinstance(v, bool):
        return int(v)
    if isinstance(v, Decimal):
        return int(v) if v == v.to_integral_value() else float(v)
    return v if isinstance(v, int | float) else 0


def value_of(d: Derivation, values: Mapping[str, object]) -> Number | str:
    if d.kind == "ratio":
        num, den = (values.get(c) for c in d.codes)
        if _num(den) == 0:
            return NA
        return excel_round(_num(num) / _num(den) * 100, d.decimals)
    return _clean(sum(_num(values.get(c)) for c in d.codes))


def formula_of(d: Derivation) -> str:
    if d.kind == "ratio":
        num, den = (name_for(c) for c in d.codes)
        return f'=IF(N({den})=0,"",ROUND(N({num})/{den}*100,{d.decimals}))'
    return "=SUM(" + ",".join(name_for(c) for c in d.codes) + ")"


def derived_values(form: Form, values: Mapping[str, object]) -> dict[str, Number | str]:
    """Every derived indicator of ``form`` computed from input ``values`` (derivations may chain)."""
    known: dict[str, object] = dict(values)
    out: dict[str, Number | str] = {}
    # Derived rows only read inputs today, but evaluating in dependency order keeps chains correct.
    pending = list(form.derived)
    for _ in range(len(pending) + 1):
        if not pending:
            break
        still = []
        for ind in pending:
            assert ind.derive is not None
            if any(c in {p.code for p in pending} and c != ind.code for c in ind.derive.codes):
                still.append(ind)
                continue
            out[ind.code] = known[ind.code] = value_of(ind.derive, known)
        pending = still
    return out


def _clean(x: Number) -> Number:
    if isinstance(x, float):
        x = excel_round(x, 9)
    return x


# ------------------------------------------------------------------------------------------- scores


def score_formula(framework: Framework, code: str, appraised: bool) -> str:
    """Formula of a computed criterion: the sum of its children in the same column."""
    crit = framework.criterion(code)
    return "=SUM(" + ",".join(names.score_name(c, appraised) for c in crit.children) + ")"


def total_formula(framework: Framework, appraised: bool) -> str:
    fields = [f for f in framework.fields if appraised or f.self_assessed]
    return "=SUM(" + ",".join(names.score_name(f.code, appraised) for f in fields) + ")"


def percent_formula(framework: Framework, code: str) -> str:
    crit = framework.criterion(code)
    return f"=ROUND(N({crit.appraised_name})/{_plain(crit.max)}*100,2)"


def _plain(d: Decimal | None) -> str:
    return format(d.normalize(), "f") if d is not None else "0"


def score_values(framework: Framework, scores: Mapping[str, object], appraised: bool) -> dict[str, Number]:
    """Computed criteria and the total from entered ``scores`` (one column: self-assessed or appraised)."""
    out: dict[str, Number] = {}

    def get(code: str) -> Number:
        crit = framework.criterion(code)
        if crit.computed:
            if code not in out:
                out[code] = _clean(sum(get(c) for c in crit.children))
            return out[code]
        return _num(scores.get(code))

    for crit in framework.criteria:
        if crit.computed:
            get(crit.code)
    fields = [f for f in framework.fields if appraised or f.self_assessed]
    out[APPRAISED_TOTAL_NAME if appraised else SELF_TOTAL_NAME] = _clean(sum(get(f.code) for f in fields))
    return out


def field_percent(framework: Framework, code: str, points: object) -> Number:
    crit = framework.criterion(code)
    if not crit.max:
        return 0
    return excel_round(_num(points) / float(crit.max) * 100, 2)
