"""Validation rules: defined once, evaluated in Python and rendered as live Excel formulas.

Every rule reads cells by defined name. ``Rule.check(env)`` gives the Python verdict; ``Rule.excel_status()``
gives the Excel formula that yields the same verdict in the workbook's Kiểm tra sheet ("✓" holds, "✗"
violated, "–" not applicable); ``Rule.describe`` is the shared Vietnamese sentence, and each engine appends
the numbers it sees. Explicit rules come from the catalog; families (kinds, ratios, bounds, breakdowns,
scores, formulas, metadata) are generated from it, never hand-copied.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from cchc_xl.engine import derive
from cchc_xl.messages import say
from cchc_xl.model import expr, names
from cchc_xl.model.catalog import (
    APPRAISED_TOTAL_NAME,
    PERIODS,
    SELF_TOTAL_NAME,
    Form,
    Framework,
    Indicator,
    RuleSpec,
    name_for,
)
from cchc_xl.model.memo import by_identity
from cchc_xl.model.numbers import excel_round, format_vn, parse_number, suggest_amount

OK, BAD, NA = "✓", "✗", "–"
EPS = 1e-6
SEVERITY_LABELS = {"error": "Lỗi", "warning": "Cảnh báo", "followup": "Cần xem lại"}
PROCEDURE_UNITS = ("thủ tục", "tthc")
META_REQUIRED = ("tinh", "xa", "ky", "nam")


@dataclass(frozen=True)
class Finding:
    """One problem found in a workbook: which rule, how serious, which codes, where, and what it says."""

    rule: str
    severity: str
    codes: tuple[str, ...]
    sheet: str | None
    cell: str | None
    message: str
    values: dict[str, object] = field(default_factory=dict)

    def to_json(self) -> dict:
        return {"rule": self.rule, "severity": self.severity, "codes": list(self.codes), "sheet": self.sheet,
                "cell": self.cell, "message": self.message,
                "values": {k: _jsonable(v) for k, v in self.values.items()}}


def _jsonable(v: object) -> object:
    return float(v) if isinstance(v, Decimal) else v


@dataclass
class Env:
    """What rules read: cell values by defined name, and which of those cells hold formulas."""

    values: Mapping[str, object]
    formulas: set[str]
    labels: Mapping[str, str] = field(default_factory=dict)  # defined name → "code (label)" for messages

    def get(self, name: str) -> object:
        return self.values.get(name)

    def num(self, name: str) -> float | None:
        v = self.values.get(name)
        return v if isinstance(v, int | float) and not isinstance(v, bool) else None


def _n(v: float | None) -> float:
    return 0 if v is None else v


@dataclass(frozen=True)
class Outcome:
    status: str  # OK, BAD or NA
    numbers: tuple[tuple[str, object], ...] = ()  # (label, value) pairs shown in the message
    detail: str = ""  # extra Python-only explanation (e.g. a parsed suggestion)
    extra: tuple[tuple[str, object], ...] = ()  # finding values not shown in the message


class Rule:
    """Base class. Subclasses set the fields below and implement ``check`` and ``excel_status``."""

    id: str
    severity: str
    codes: tuple[str, ...]
    names: tuple[str, ...]  # defined names read (cells to highlight)
    target: str  # defined name of the cell a finding points at
    describe: str  # Vietnamese sentence, the same in Python and Excel
    periods: tuple[str, ...] = ()

    def check(self, env: Env) -> Outcome:
        raise NotImplementedError

    def excel_status(self) -> str:
        raise NotImplementedError

    def excel_numbers(self) -> list[tuple[str, str]]:
        """(label, Excel expression) pairs appended to the message in the workbook."""
        return []

    def number_values(self, env: Env) -> list[object]:
        """What each of :meth:`excel_numbers` evaluates to in Excel, computed in Python (the cached message)."""
        return []

    # -- shared rendering ---------------------------------------------------------------------------

    def applies(self, env: Env) -> bool:
        if not self.periods:
            return True
        ky = env.get("TT_KY")
        labels = {PERIODS[p] for p in self.periods}
        return ky in labels or ky in self.periods

    def verdict(self, env: Env) -> Outcome:
        return self.check(env) if self.applies(env) else Outcome(NA)

    def excel_verdict(self) -> str:
        body = self.excel_status()
        if self.periods:
            cond = ",".join(f'TT_KY="{PERIODS[p]}"' for p in self.periods)
            body = f'IF(OR({cond}),{body},"{NA}")'
        return "=" + body

    def message(self, outcome: Outcome) -> str:
        parts = [self.describe]
        if outcome.numbers:
            parts.append("; ".join(f"{label} = {format_vn(v) if not isinstance(v, str) else repr(v)}"
                                   for label, v in outcome.numbers))
        text = ": ".join(parts)
        return text + (f" ({outcome.detail})" if outcome.detail else "")

    def excel_message(self, status_cell: str) -> str:
        pieces = [_xl_text(self.describe)]
        numbers = self.excel_numbers()
        if numbers:
            pieces.append(_xl_text(": "))
            for i, (label, xl) in enumerate(numbers):
                if i:
                    pieces.append(_xl_text("; "))
                pieces.append(_xl_text(f"{label} = "))
                pieces.append(xl)
        return f'=IF({status_cell}="{BAD}",' + "&".join(pieces) + ',"")'

    def finding(self, outcome: Outcome, where: Callable[[str], tuple[str | None, str | None]]) -> Finding:
        sheet, cell = where(self.target)
        return Finding(self.id, self.severity, self.codes, sheet, cell, self.message(outcome),
                       {label: v for label, v in (*outcome.numbers, *outcome.extra)})


def _xl_text(s: str) -> str:
    return '"' + s.replace('"', '""') + '"'


def _count(names: tuple[str, ...] | list[str]) -> str:
    return "COUNT(" + ",".join(names) + ")"


# ------------------------------------------------------------------------------------- expression rules

_OPS = {"==": "bằng", "!=": "khác", "<=": "không lớn hơn", ">=": "không nhỏ hơn", "<": "nhỏ hơn", ">": "lớn hơn"}


@dataclass(eq=False)
class ExprRule(Rule):
    """``left op right`` over codes (DHIS2 style), with a missing-value strategy."""

    id: str
    severity: str
    left: expr.Expr
    op: str
    right: expr.Expr | None
    missing: str
    resolve: Callable[[str], str]
    describe: str
    periods: tuple[str, ...] = ()
    codes: tuple[str, ...] = ()
    names: tuple[str, ...] = ()
    target: str = ""

    def __post_init__(self) -> None:
        codes = expr.refs(self.left) + ([c for c in expr.refs(self.right) if c not in expr.refs(self.left)]
                                        if self.right is not None else [])
        self.codes = tuple(codes)
        self.names = tuple(self.resolve(c) for c in codes)
        self.target = self.names[0]

    def check(self, env: Env) -> Outcome:
        nums = {c: env.num(self.resolve(c)) for c in self.codes}
        present = sum(v is not None for v in nums.values())
        if self.op in ("both", "not-both"):
            a, b = (nums[c] is not None for c in self.codes[:2])
            holds = (a == b) if self.op == "both" else not (a and b)
            shown = tuple((c, env.get(self.resolve(c))) for c in self.codes[:2])
            return Outcome(OK if holds else BAD, shown)
        if (self.missing == "skip-if-any" and present < len(nums)) or (self.missing == "skip-if-all" and present == 0):
            return Outcome(NA)
        try:
            lv = expr.evaluate(self.left, lambda c: _n(nums[c]))
            rv = expr.evaluate(self.right, lambda c: _n(nums[c]))  # type: ignore[arg-type]
        except ZeroDivisionError:
            return Outcome(NA)
        holds = {
            "==": abs(lv - rv) <= EPS, "!=": abs(lv - rv) > EPS, "<=": lv <= rv + EPS, ">=": lv >= rv - EPS,
            "<": lv < rv - EPS, ">": lv > rv + EPS,
        }[self.op]
        return Outcome(OK if holds else BAD, ((expr.to_text(self.left), _clean(lv)),
                                               (expr.to_text(self.right), _clean(rv))))  # type: ignore[arg-type]

    def excel_status(self) -> str:
        if self.op in ("both", "not-both"):
            a, b = self.names[:2]
            cond = f"COUNT({a})=COUNT({b})" if self.op == "both" else f"COUNT({a})+COUNT({b})<2"
            return f'IF({cond},"{OK}","{BAD}")'
        lx = expr.to_excel(self.left, self.resolve)
        rx = expr.to_excel(self.right, self.resolve)  # type: ignore[arg-type]
        cmp = {
            "==": f"ABS({lx}-{rx})<={EPS}", "!=": f"ABS({lx}-{rx})>{EPS}", "<=": f"{lx}<={rx}+{EPS}",
            ">=": f"{lx}>={rx}-{EPS}", "<": f"{lx}<{rx}-{EPS}", ">": f"{lx}>{rx}+{EPS}",
        }[self.op]
        body = f'IFERROR(IF({cmp},"{OK}","{BAD}"),"{NA}")'
        if self.missing == "skip-if-any":
            body = f'IF({_count(self.names)}<{len(self.names)},"{NA}",{body})'
        elif self.missing == "skip-if-all":
            body = f'IF({_count(self.names)}=0,"{NA}",{body})'
        return body

    def excel_numbers(self) -> list[tuple[str, str]]:
        if self.op in ("both", "not-both"):
            return [(c, f'IF(COUNT({n})=0,"(trống)",{n})') for c, n in zip(self.codes[:2], self.names[:2],
                                                                          strict=True)]
        return [(expr.to_text(self.left), f"ROUND({expr.to_excel(self.left, self.resolve)},3)"),
                (expr.to_text(self.right), f"ROUND({expr.to_excel(self.right, self.resolve)},3)")]  # type: ignore

    def number_values(self, env: Env) -> list[object]:
        if self.op in ("both", "not-both"):
            return ["(trống)" if env.num(n) is None else env.num(n) for n in self.names[:2]]
        out: list[object] = []
        for side in (self.left, self.right):
            try:  # blanks read as 0, as N() does in the Excel rendering
                out.append(_clean(expr.evaluate(side, lambda code: env.num(self.resolve(code)) or 0)))  # type: ignore
            except ZeroDivisionError:
                out.append("#DIV/0!")
        return out


def _as_shown(value: object) -> object:
    """A cell referenced in a message: its value, 0 when blank (as the cached messages always wrote it)."""
    return value if value is not None else 0


def _clean(v: float) -> float | int:
    r = excel_round(v, 3)
    return int(r) if float(r).is_integer() else r


# ------------------------------------------------------------------------------------------ value kinds


@dataclass(eq=False)
class ValueRule(Rule):
    """One input cell holds a value of its kind: whole ≥ 0, ≥ 0, 0–100, an allowed code, or a score ≤ max."""

    id: str
    severity: str
    code: str
    name: str
    describe: str
    low: float | None = 0
    high: float | None = None
    whole: bool = False
    allowed: tuple[int, ...] = ()
    decimals: int | None = None
    unit: str = ""
    periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.codes, self.names, self.target = (self.code,), (self.name,), self.name

    def check(self, env: Env) -> Outcome:
        raw = env.get(self.name)
        if isinstance(raw, str):
            parsed = parse_number(raw)
            suggestion = suggest_amount(raw, self.unit) if parsed is None else parsed.value
            detail = say("finding-text-in-number")
            if suggestion is not None:
                unit = f" {self.unit}" if self.unit and parsed is None else ""
                detail += "; " + say("finding-text-suggestion", value=format_vn(suggestion) + unit)
            return Outcome(BAD, ((self.code, raw),), detail)
        v = env.num(self.name)
        if v is None:
            return Outcome(NA)
        bad = (
            (self.low is not None and v < self.low)
            or (self.high is not None and v > self.high)
            or (self.whole and v != int(v))
            or (bool(self.allowed) and v not in self.allowed)
            or (self.decimals is not None and abs(excel_round(v, self.decimals) - v) >= 1e-9)
        )
        return Outcome(BAD if bad else OK, ((self.code, v),))

    def excel_status(self) -> str:
        x = self.name
        conds = []
        if self.low is not None:
            conds.append(f"{x}>={format(self.low, 'g')}")
        if self.high is not None:
            conds.append(f"{x}<={format(self.high, 'g')}")
        if self.whole:
            conds.append(f"{x}=INT({x})")
        if self.allowed:
            conds.append("OR(" + ",".join(f"{x}={v}" for v in self.allowed) + ")")
        if self.decimals is not None:
            conds.append(f"ABS(ROUND({x},{self.decimals})-{x})<1E-9")  # Gnumeric: ROUND(9.28,3)≠9.28 bit for bit
        ok = "AND(" + ",".join(conds) + ")" if conds else "TRUE"
        return f'IF(ISTEXT({x}),"{BAD}",IF(COUNT({x})=0,"{NA}",IF({ok},"{OK}","{BAD}")))'

    def excel_numbers(self) -> list[tuple[str, str]]:
        return [(self.code, self.name)]

    def number_values(self, env: Env) -> list[object]:
        return [_as_shown(env.get(self.name))]


# ------------------------------------------------------------------------------------ derived cells


@dataclass(eq=False)
class FormulaRule(Rule):
    """A derived cell still holds its formula (a constant there means the file was tampered with)."""

    id: str
    code: str
    name: str
    formula: str
    describe: str
    severity: str = "error"
    periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.codes, self.names, self.target = (self.code,), (self.name,), self.name

    def check(self, env: Env) -> Outcome:
        if self.name in env.formulas:
            return Outcome(OK)
        return Outcome(BAD, ((self.code, env.get(self.name)),), say("finding-expected-formula", formula=self.formula))

    def excel_status(self) -> str:
        return f'IF(_xlfn.ISFORMULA({self.name}),"{OK}","{BAD}")'

    def excel_numbers(self) -> list[tuple[str, str]]:
        return [(self.code, self.name)]

    def number_values(self, env: Env) -> list[object]:
        return [_as_shown(env.get(self.name))]


@dataclass(eq=False)
class RatioStatedRule(Rule):
    """A ratio row holding a typed figure instead of its formula: is the figure the ratio of its parts?

    ``mode``: ``consistent`` (error unless it equals num/den×100 rounded or truncated to 0–2 decimals),
    ``rounding`` (warning when it only matches truncation, e.g. 85 for 85,71), ``not-applicable``
    (warning when the denominator is 0 or blank, i.e. 0/0 written as a number).
    """

    id: str
    severity: str
    ind: Indicator
    mode: str
    describe: str
    periods: tuple[str, ...] = ()
    stated: bool = False  # compare the figure the source printed (hidden GHI_ cell), not the cell itself

    def __post_init__(self) -> None:
        num, den = self.ind.derive.codes  # type: ignore[union-attr]
        self.codes = (self.ind.code, num, den)
        self.names = (stated_name(self.ind.code) if self.stated else self.ind.name, name_for(num), name_for(den))
        self.target = self.ind.name

    def check(self, env: Env) -> Outcome:
        x, num, den = (env.num(n) for n in self.names)
        if (not self.stated and self.ind.name in env.formulas) or x is None:
            return Outcome(NA)
        shown = ((self.ind.code, x), (self.codes[1], env.get(self.names[1])), (self.codes[2], env.get(self.names[2])))
        if _n(den) == 0:
            return Outcome(BAD if self.mode == "not-applicable" else NA, shown)
        if self.mode == "not-applicable":
            return Outcome(OK, shown)
        exact = _n(num) / den * 100  # type: ignore[operator]
        rounded = [excel_round(exact, d) for d in (0, 1, 2)]
        truncated = [_truncate(exact, d) for d in (0, 1, 2)]
        matches_round = any(abs(x - r) < 1e-9 for r in rounded)
        matches_trunc = any(abs(x - t) < 1e-9 for t in truncated)
        computed = (say("finding-computed"), excel_round(exact, 2))
        if self.mode == "consistent":
            return Outcome(OK if matches_round or matches_trunc else BAD, (*shown, computed))
        return Outcome(BAD if matches_trunc and not matches_round else OK, (*shown, computed))

    def excel_status(self) -> str:
        x, num, den = self.names
        exact = f"SUM({num})/{den}*100"  # SUM, not N(): Gnumeric's N(empty name) is #NUM!
        rnd = ",".join(f"ABS({x}-ROUND({exact},{d}))<1E-9" for d in (0, 1, 2))
        trunc = ",".join(f"ABS({x}-ROUNDDOWN({exact},{d}))<1E-9" for d in (0, 1, 2))
        skip = f"COUNT({x})=0" if self.stated else f'OR(_xlfn.ISFORMULA({x}),COUNT({x})=0)'
        if self.mode == "not-applicable":
            return f'IF({skip},"{NA}",IF(SUM({den})=0,"{BAD}","{OK}"))'
        if self.mode == "consistent":
            return f'IF({skip},"{NA}",IF(SUM({den})=0,"{NA}",IF(OR({rnd},{trunc}),"{OK}","{BAD}")))'
        return f'IF({skip},"{NA}",IF(SUM({den})=0,"{NA}",IF(AND(OR({trunc}),NOT(OR({rnd}))),"{BAD}","{OK}")))'

    def excel_numbers(self) -> list[tuple[str, str]]:
        x, num, den = self.names
        return [(self.codes[0], x), (self.codes[1], f"SUM({num})"), (self.codes[2], f"SUM({den})")]

    def number_values(self, env: Env) -> list[object]:
        x, num, den = self.names
        return [_as_shown(env.get(x)), env.num(num) or 0, env.num(den) or 0]


def stated_name(code: str, score: bool = False) -> str:
    """Defined name of the hidden cell holding the figure a source printed for a derived row or score."""
    if code == "total":
        return "GHI_TONG"
    return name_for(code, "GHI_DIEM" if score else "GHI_CT")


@dataclass(eq=False)
class StatedValueRule(Rule):
    """A printed figure for a derived sum, a computed score or the index equals the computed value, at the
    precision it was printed with (0–3 decimals: 87,75 for 87,747 holds)."""

    id: str
    severity: str
    code: str
    stated_cell: str
    computed_cell: str
    describe: str
    periods: tuple[str, ...] = ()
    complete_when: ScoreCompleteRule | None = None  # the index: only compared when every field has a score

    def __post_init__(self) -> None:
        self.codes = (self.code,)
        self.names = (self.stated_cell, self.computed_cell)
        self.target = self.computed_cell

    def check(self, env: Env) -> Outcome:
        s, c = env.num(self.stated_cell), env.num(self.computed_cell)
        if s is None:
            return Outcome(NA)
        if self.complete_when is not None and not self.complete_when.standing(env).complete:
            return Outcome(NA)
        c = _n(c)
        holds = any(abs(excel_round(c, d) - s) < 1e-9 for d in (0, 1, 2, 3))
        return Outcome(OK if holds else BAD, ((say("finding-stated-label"), s),
                                              (say("finding-computed"), _clean(c))))

    def excel_status(self) -> str:
        s, c = self.names
        ok = ",".join(f"ABS(ROUND(SUM({c}),{d})-{s})<1E-9" for d in (0, 1, 2, 3))
        body = f'IF(COUNT({s})=0,"{NA}",IF(OR({ok}),"{OK}","{BAD}"))'
        if self.complete_when is not None:
            body = f'IF({self.complete_when.missing_count()}>0,"{NA}",{body})'
        return body

    def excel_numbers(self) -> list[tuple[str, str]]:
        s, c = self.names
        return [(say("finding-stated-label"), s), (say("finding-computed"), f"ROUND(SUM({c}),3)")]

    def number_values(self, env: Env) -> list[object]:
        s, c = self.names
        return [_as_shown(env.get(s)), _clean(_n(env.num(c)))]


@dataclass(eq=False)
class StatedTotalMissingRule(Rule):
    """A printed index (total) cannot be checked while fields lack a score: say so, not that it is wrong."""

    complete: ScoreCompleteRule
    id: str = "stated-total-fields-missing"
    severity: str = "warning"
    describe: str = ""
    periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        self.codes = ("total",)
        self.names = (stated_name("total"),)
        self.target = derive.INDEX_NAME
        self.describe = say("rule-stated-total-missing")

    def check(self, env: Env) -> Outcome:
        s = env.num(self.names[0])
        if s is None:
            return Outcome(NA)
        st = self.complete.standing(env)
        if st.complete:
            return Outcome(OK)
        return Outcome(BAD, ((say("finding-stated-label"), s),),
                       detail=say("finding-score-missing-fields", fields=", ".join(st.missing)),
                       extra=(("missing", list(st.missing)),))

    def excel_status(self) -> str:
        s = self.names[0]
        return f'IF(COUNT({s})=0,"{NA}",IF({self.complete.missing_count()}>0,"{BAD}","{OK}"))'

    def excel_numbers(self) -> list[tuple[str, str]]:
        return [(say("finding-stated-label"), self.names[0])]

    def number_values(self, env: Env) -> list[object]:
        return [_as_shown(env.get(self.names[0]))]


def stated_rules(form: Form, framework: Framework) -> list[Rule]:
    """Printed figures (``stated:``) compared with the computed ones — the same rules under new and fill."""
    rules: list[Rule] = []
    for ind in form.derived:
        assert ind.derive is not None
        if ind.derive.kind == "ratio":
            num, den = ind.derive.codes
            for mode, severity in (("consistent", "error"), ("rounding", "warning"), ("not-applicable", "warning")):
                rules.append(RatioStatedRule(f"stated-ratio-{mode}:{ind.code}", severity, ind, mode,
                                             say(f"rule-ratio-{mode}", label=_label(ind), num=num, den=den)
                                             .replace("ghi tay", "báo cáo ghi"), stated=True))
        else:
            rules.append(StatedValueRule(f"stated:{ind.code}", "error", ind.code, stated_name(ind.code), ind.name,
                                         say("rule-stated", label=_label(ind))))
    for crit in framework.criteria:
        if crit.computed:
            rules.append(StatedValueRule(f"stated:{crit.code}", "error", crit.code,
                                         stated_name(crit.code, score=True), crit.appraised_name,
                                         say("rule-stated", label=f"{crit.code} ({crit.label})")))
    complete = ScoreCompleteRule(framework)
    rules.append(StatedValueRule("stated:total", "error", "total", stated_name("total"), derive.INDEX_NAME,
                                 say("rule-stated", label=say("stated-total-label")), complete_when=complete))
    rules.append(StatedTotalMissingRule(complete))
    return rules


def _truncate(v: float, digits: int) -> float:
    q = Decimal(1).scaleb(-digits)
    from decimal import ROUND_DOWN

    return float(Decimal(repr(v)).quantize(q, rounding=ROUND_DOWN))


# ---------------------------------------------------------------------------------------------- metadata


@dataclass(eq=False)
class MetaRule(Rule):
    """A required metadata cell is filled (and the period is one this form uses)."""

    id: str
    key: str
    describe: str
    allowed: tuple[str, ...] = ()
    severity: str = "error"
    periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        name = names.meta_name(self.key)
        self.codes, self.names, self.target = (self.key,), (name,), name

    def check(self, env: Env) -> Outcome:
        v = env.get(self.names[0])
        if v is None or (isinstance(v, str) and not v.strip()):
            return Outcome(BAD)
        if self.allowed and v not in self.allowed:
            return Outcome(BAD, ((self.key, v),))
        return Outcome(OK)

    def excel_status(self) -> str:
        x = self.names[0]
        cond = f'LEN(TRIM({x}&""))=0'
        if self.allowed:
            cond = f"OR({cond},NOT(OR(" + ",".join(f'{x}="{a}"' for a in self.allowed) + ")))"
        return f'IF({cond},"{BAD}","{OK}")'


# ------------------------------------------------------------------------------------------- catalogue


def _label(ind: Indicator) -> str:
    return f"{ind.code} ({ind.label})"


def _spec_rule(spec: RuleSpec, form: Form) -> ExprRule:
    known = {i.code for i in form.cells}
    left = expr.parse(spec.left, known)
    right = expr.parse(spec.right, known) if spec.right else None
    if spec.message:
        describe = spec.message
    elif spec.op == "both":
        describe = say("rule-both", left=spec.left, right=spec.right)
    elif spec.op == "not-both":
        describe = say("rule-not-both", left=spec.left, right=spec.right)
    else:
        describe = say("rule-compare", left=expr.to_text(left), op=_OPS[spec.op], right=expr.to_text(right))
    return ExprRule(spec.id, spec.severity, left, spec.op, right, spec.missing, name_for, describe, spec.periods)


def _is_procedure_count(ind: Indicator) -> bool:
    return ind.kind == "count" and ind.unit.strip().lower() in PROCEDURE_UNITS


def form_rules(form: Form) -> list[Rule]:
    """Every rule of a form's statistical sheet: value kinds, ratios, bounds, breakdowns, catalog rules."""
    rules: list[Rule] = []
    known = {i.code for i in form.cells}
    for ind in form.inputs:
        common = {"code": ind.code, "name": ind.name, "unit": ind.unit, "severity": "error"}
        if ind.kind == "count":
            rules.append(ValueRule(f"count:{ind.code}", describe=say("rule-count", label=_label(ind)), whole=True,
                                   **common))
        elif ind.kind == "amount":
            rules.append(ValueRule(f"amount:{ind.code}", describe=say("rule-amount", label=_label(ind)), **common))
        elif ind.kind == "percent":
            rules.append(ValueRule(f"percent:{ind.code}", describe=say("rule-percent", label=_label(ind)), high=100,
                                   **common))
        elif ind.kind == "coded":
            allowed = "; ".join(f"{lbl} = {v}" for lbl, v in ind.allowed)
            rules.append(ValueRule(f"coded:{ind.code}", describe=say("rule-coded", label=_label(ind),
                                                                      allowed=allowed),
                                   low=None, allowed=ind.allowed_values, **common))
    for ind in form.derived:
        assert ind.derive is not None
        rules.append(FormulaRule(f"formula:{ind.code}", ind.code, ind.name, derive.formula_of(ind.derive),
                                 say("rule-formula", label=_label(ind))))
        if ind.derive.kind == "ratio":
            num, den = ind.derive.codes
            severity = "warning" if form.by_code[num].kind == "amount" else "error"
            rules.append(ExprRule(f"part-whole:{ind.code}", severity, expr.Ref(num), "<=", expr.Ref(den),
                                  "skip-if-any", name_for,
                                  say("rule-part-whole", part=_label(form.by_code[num]), whole=den)))
            for mode, severity in (("consistent", "error"), ("rounding", "warning"), ("not-applicable", "warning")):
                rules.append(RatioStatedRule(f"ratio-{mode}:{ind.code}", severity, ind, mode,
                                             say(f"rule-ratio-{mode}", label=_label(ind), num=num, den=den)))
    total = form.total_procedures
    if total:
        for ind in form.inputs:
            if _is_procedure_count(ind) and ind.code != total:
                rules.append(ExprRule(f"procedures:{ind.code}", "error", expr.Ref(ind.code), "<=", expr.Ref(total),
                                      "skip-if-any", name_for,
                                      say("rule-procedures", label=_label(ind), total=total)))
    for ind in form.inputs:
        parent = form.by_code.get(ind.parent or "")
        breakdown = ind.code[-2:-1] == "." and ind.code[-1].isalpha()
        if breakdown and parent is not None and parent.is_input and parent.kind == ind.kind == "count":
            rules.append(ExprRule(f"part-of:{ind.code}", "error", expr.Ref(ind.code), "<=", expr.Ref(parent.code),
                                  "skip-if-any", name_for,
                                  say("rule-part-whole", part=_label(ind), whole=parent.code)))
    for spec in form.rules:
        if {c for c in expr.refs(expr.parse(spec.left, known))} <= known:
            rules.append(_spec_rule(spec, form))
    return rules


def score_rules(framework: Framework) -> list[Rule]:
    """Rules of the scoring sheet, for the self-assessed and the appraised column."""
    rules: list[Rule] = []
    for appraised, col in ((False, "tự chấm"), (True, "thẩm định")):
        prefix = names.APPRAISED if appraised else names.SELF  # part of the stable rule id
        for crit in framework.criteria:
            if not appraised and not crit.self_assessed:
                continue
            name = names.score_name(crit.code, appraised)
            label = f"{crit.code} ({crit.label})"
            if crit.computed:
                formula = derive.score_formula(framework, crit.code, appraised)
                rules.append(FormulaRule(f"score-formula:{prefix}:{crit.code}", crit.code, name, formula,
                                         say("rule-formula-score", label=label, column=col)))
                continue
            high = float(crit.max) if crit.max is not None else None
            rules.append(ValueRule(f"score:{prefix}:{crit.code}", "error", crit.code, name,
                                   say("rule-score", label=label, column=col,
                                       max=format_vn(high) if high is not None else "—"),
                                   high=high, decimals=3))
            if crit.children:
                def resolve(code: str, p: str = prefix) -> str:
                    return name_for(code, p)

                parts = expr.Ref(crit.children[0])
                for child in crit.children[1:]:
                    parts = expr.BinOp("+", parts, expr.Ref(child))
                rules.append(ExprRule(f"subtotal:{prefix}:{crit.code}", "error", expr.Ref(crit.code), "==", parts,
                                      "skip-if-any", resolve,
                                      say("rule-subtotal", label=label, column=col)))
        total = APPRAISED_TOTAL_NAME if appraised else SELF_TOTAL_NAME
        rules.append(FormulaRule(f"score-formula:{prefix}:total", "total", total,
                                 derive.total_formula(framework, appraised),
                                 say("rule-formula-total", column=col)))
    return rules


@dataclass(eq=False)
class ScoreCompleteRule(Rule):
    """Every field has a score once scoring has started (engine/scores.py): else the index is incomplete.

    Not applicable while no field has any score (a statistics-only report is not an incomplete index).
    The Python side asks :func:`engine.scores.standing`; the Excel side counts the field cells, whose
    subtotal formulas are blank when nothing is entered under them.
    """

    framework: Framework
    id: str = "score-incomplete"
    severity: str = "warning"
    describe: str = ""
    periods: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        fw = self.framework
        self.codes = tuple(f.code for f in fw.fields)
        # no cells to highlight: a missing score is a blank cell, and the filled ones are not at fault
        self.names = ()
        self.target = derive.INDEX_NAME
        self.describe = say("rule-score-incomplete")

    def _field_cells(self, f) -> str:
        return ",".join(((f.self_name,) if f.self_assessed else ()) + (f.appraised_name,))

    def standing(self, env: Env):
        from cchc_xl.engine.scores import standing

        fw = self.framework
        own = {c.code: env.get(c.self_name) for c in fw.criteria if c.self_assessed and not c.computed}
        appr = {c.code: env.get(c.appraised_name) for c in fw.criteria if not c.computed}
        return standing(fw, own, appr)

    def check(self, env: Env) -> Outcome:
        st = self.standing(env)
        if not st.scored:
            return Outcome(NA)
        if st.complete:
            return Outcome(OK)
        return Outcome(BAD, detail=say("finding-score-missing-fields", fields=", ".join(st.missing)),
                       extra=(("missing", list(st.missing)),))

    def finding(self, outcome: Outcome, where: Callable[[str], tuple[str | None, str | None]]) -> Finding:
        f = super().finding(outcome, where)  # the codes of a finding are the fields that lack a score
        missing = tuple(dict(outcome.extra).get("missing", ()))
        return Finding(f.rule, f.severity, missing or f.codes, f.sheet, f.cell, f.message, f.values)

    def missing_count(self) -> str:
        """Excel: how many fields have no score in either column."""
        return "(" + "+".join(f"(COUNT({self._field_cells(f)})=0)" for f in self.framework.fields) + ")"

    def excel_status(self) -> str:
        scored = "+".join(f"COUNT({self._field_cells(f)})" for f in self.framework.fields)
        return f'IF({scored}=0,"{NA}",IF({self.missing_count()}>0,"{BAD}","{OK}"))'


def meta_rules(form: Form) -> list[Rule]:
    rules: list[Rule] = []
    labels = {"tinh": "Tỉnh/thành phố", "xa": "Xã/phường/thị trấn", "ky": "Kỳ báo cáo", "nam": "Năm"}
    for key in META_REQUIRED:
        allowed = tuple(PERIODS[p] for p in form.periods) if key == "ky" else ()
        rules.append(MetaRule(f"meta:{key}", key, say("rule-meta", label=labels[key]), allowed))
    return rules


@by_identity()
def rules_for(form: Form, framework: Framework) -> tuple[Rule, ...]:
    """The complete, ordered rule list of a workbook (cached per form and framework)."""
    return tuple(meta_rules(form) + form_rules(form) + score_rules(framework) + [ScoreCompleteRule(framework)]
                 + stated_rules(form, framework))


def findings(rules: tuple[Rule, ...] | list[Rule], env: Env,
             where: Callable[[str], tuple[str | None, str | None]]) -> list[Finding]:
    """The findings of every violated rule, positioned by ``where(defined name) → (sheet, cell)``."""
    found = []
    for rule in rules:
        outcome = rule.verdict(env)
        if outcome.status == BAD:
            found.append(rule.finding(outcome, where))
    return found
