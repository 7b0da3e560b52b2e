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
        return f'=IF(SUM({den})=0,"",ROUND(SUM({num})/{den}*100,{d.decimals}))'  # SUM, not N(): Gnumeric
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
    """Formula of a computed criterion: the sum of its children in the same column, blank when none is entered.

    Blank, not 0: an empty subtotal must not read as a score of 0 (``engine/scores.py``), and COUNT over it
    then tells whether the field has any score in that column.
    """
    crit = framework.criterion(code)
    refs = ",".join(names.score_name(c, appraised) for c in crit.children)
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def total_formula(framework: Framework, appraised: bool) -> str:
    """A column total (self-assessed fields, or every field when appraised); blank when the column is empty."""
    fields = [f for f in framework.fields if appraised or f.self_assessed]
    refs = ",".join(names.score_name(f.code, appraised) for f in fields)
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


STANDING_PREFIX = "CHISO"  # the standing score of a field (engine/scores.py), a hidden helper cell
SOURCE_PREFIX = "CHISO_NGUON"  # where it comes from: 2 appraised, 1 self, 0 none
INDEX_NAME = "CHISO_TONG"  # the index: sum of the standing scores
BASIS_NAME = "CHISO_CO_SO"  # how to read it: chính thức / tạm tính / chưa đủ điểm


def standing_formula(framework: Framework, code: str) -> str:
    """The field's standing score: appraised when entered, else self (survey fields: appraised only)."""
    crit = framework.criterion(code)
    appr = crit.appraised_name
    inner = f"IF(COUNT({crit.self_name})>0,{crit.self_name},\"\")" if crit.self_assessed else '""'
    return f"=IF(COUNT({appr})>0,{appr},{inner})"


def source_formula(framework: Framework, code: str) -> str:
    crit = framework.criterion(code)
    inner = f"IF(COUNT({crit.self_name})>0,1,0)" if crit.self_assessed else "0"
    return f"=IF(COUNT({crit.appraised_name})>0,2,{inner})"


def index_formula(framework: Framework) -> str:
    refs = ",".join(name_for(f.code, STANDING_PREFIX) for f in framework.fields)
    return f'=IF(COUNT({refs})=0,"",SUM({refs}))'


def basis_formula(framework: Framework) -> str:
    """The basis sentence, live: the same words as :func:`basis_text` (cached value)."""
    srcs = [name_for(f.code, SOURCE_PREFIX) for f in framework.fields]
    missing = "+".join(f"({s}=0)" for s in srcs)
    on_self = "+".join(f"({s}=1)" for s in srcs)
    scored = "+".join(f"({s}>0)" for s in srcs)
    return (f'=IF({scored}=0,"",IF({missing}>0,"Chưa đủ điểm: còn "&({missing})&" lĩnh vực chưa có điểm",'
            f'IF({on_self}>0,"Tạm tính: "&({on_self})&" lĩnh vực theo điểm tự chấm","Chính thức: '
            f'toàn bộ theo điểm thẩm định")))')


def basis_text(missing: int, on_self: int, scored: int) -> str:
    if scored == 0:
        return ""
    if missing:
        return f"Chưa đủ điểm: còn {missing} lĩnh vực chưa có điểm"
    if on_self:
        return f"Tạm tính: {on_self} lĩnh vực theo điểm tự chấm"
    return "Chính thức: toàn bộ theo điểm thẩm định"


def percent_formula(framework: Framework, code: str) -> str:
    """Tỷ lệ đạt of the standing score; blank (not 0 %) when the field has no score. No N() over references:
    Gnumeric returns #NUM! for N(empty name)."""
    crit = framework.criterion(code)
    ref = name_for(code, STANDING_PREFIX)
    return f'=IF(COUNT({ref})=0,"",ROUND({ref}/{_plain(crit.max)}*100,2))'


def _plain(d: Decimal | None) -> str:
    return format(d.normalize(), "f") if d is not None else "0"


def score_values(framework: Framework, scores: Mapping[str, object], appraised: bool) -> dict[str, Number | str]:
    """Computed criteria and the total from entered ``scores`` (one column: self-assessed or appraised).

    A computed criterion (and the total) with nothing entered under it is blank (``NA``), as in the sheet.
    """
    from cchc_xl.engine.scores import column_sum

    out: dict[str, Number | str] = {}
    for crit in framework.criteria:
        if crit.computed and (appraised or crit.self_assessed):
            v = column_sum(framework, crit.code, scores)
            out[crit.code] = NA if v is None else v
    fields = [f for f in framework.fields if appraised or f.self_assessed]
    present = [v for v in (column_sum(framework, f.code, scores) for f in fields) if v is not None]
    out[APPRAISED_TOTAL_NAME if appraised else SELF_TOTAL_NAME] = _clean(sum(present)) if present else NA
    return out


def field_percent(framework: Framework, code: str, points: object) -> Number | str:
    """Tỷ lệ đạt of ``points`` on the field's maximum; blank (``NA``) when there are no points."""
    crit = framework.criterion(code)
    if not crit.max or points is None or points == "":
        return NA
    return excel_round(_num(points) / float(crit.max) * 100, 2)
