"""Indicator catalogs and PAR Index scoring frameworks: load, check, and expose them as immutable records.

The catalog files under ``catalogs/`` are the single description of each official form (see
``catalogs/FORMAT.md``). Everything else — templates, defined names, rules, consolidation, diff — is
derived from the records built here. Loading checks the data and reports every problem in Vietnamese.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

from cchc_xl.errors import CatalogError
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.names import name_for

KINDS = ("group", "count", "amount", "percent", "coded")
PERIODS = {
    "quy1": "Quý I",
    "quy2": "Quý II",
    "quy3": "Quý III",
    "quy4": "Quý IV",
    "6thang": "6 tháng",
    "9thang": "9 tháng",
    "nam": "Năm",
}
RULE_OPS = ("==", "!=", "<=", ">=", "<", ">", "both", "not-both")
MISSING = ("skip-if-any", "skip-if-all", "zero")
ASSESSMENTS = {"tu_cham": "Tự chấm, thẩm định", "dieu_tra": "Điều tra xã hội học"}
SCORE_DECIMALS = 3
DEFAULT_FORM = "phu-luc-01b"




def nfc(text: object) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text)).strip()


@cache


@dataclass(frozen=True)
class Derivation:
    """How a derived indicator is computed: ``ratio`` (num/den×100, 2 dp, blank if den is 0) or ``sum``."""

    kind: str
    codes: tuple[str, ...]
    decimals: int = 2

    def describe(self) -> str:
        if self.kind == "ratio":
            return f"{self.codes[0]} / {self.codes[1]} × 100"
        return " + ".join(self.codes)


@dataclass(frozen=True)
class Indicator:
    """One row of an official form."""

    code: str
    label: str
    unit: str
    kind: str
    printed: str
    parent: str | None
    level: int
    section: str | None = None
    header: bool = False
    allowed: tuple[tuple[str, int], ...] = ()
    derive: Derivation | None = None
    note: str = ""
    weight: str = ""  # kind percent only: the code whose count is the percentage's base (for consolidation)

    @property
    def has_cell(self) -> bool:
        return self.kind != "group"

    @property
    def is_input(self) -> bool:
        return self.kind != "group" and self.derive is None

    @property
    def is_derived(self) -> bool:
        return self.derive is not None

    @property
    def name(self) -> str:
        return name_for(self.code)

    @property
    def allowed_values(self) -> tuple[int, ...]:
        return tuple(v for _, v in self.allowed)


@dataclass(frozen=True)
class RuleSpec:
    """An explicit cross-row rule as written in the catalog (DHIS2 style)."""

    id: str
    left: str
    op: str
    right: str
    severity: str = "error"
    missing: str = "skip-if-any"
    periods: tuple[str, ...] = ()
    note: str = ""
    message: str = ""


@dataclass(frozen=True)
class Section:
    id: str
    title: str
    subtitle: str


@dataclass(frozen=True)
class Fix:
    code: str
    printed: str
    note: str


@dataclass(frozen=True)
class Form:
    """An official statistical form: its rows in printed order plus metadata and explicit rules."""

    id: str
    version: str
    name: str
    title: str
    province: str
    source: str
    periods: tuple[str, ...]
    label_header: str
    value_header: str
    framework_id: str
    total_procedures: str | None
    indicators: tuple[Indicator, ...]
    sections: tuple[Section, ...] = ()
    fixes: tuple[Fix, ...] = ()
    rules: tuple[RuleSpec, ...] = ()
    # Codes of older versions that were renamed (old → new) or removed (old → None): what `migrate` follows.
    crosswalk: tuple[tuple[str, str, str | None], ...] = ()  # (from version, old code, new code or None)
    by_code: dict[str, Indicator] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_code.update({i.code: i for i in self.indicators})

    def indicator(self, code: str) -> Indicator:
        return self.by_code[code]

    # Cached: these are read on every validation of every file (a frozen dataclass still allows it).
    @cached_property
    def cells(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.has_cell)

    @cached_property
    def inputs(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.is_input)

    @cached_property
    def derived(self) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.is_derived)

    @cached_property
    def by_name(self) -> dict[str, Indicator]:
        return {i.name: i for i in self.cells}

    def children(self, code: str) -> tuple[Indicator, ...]:
        return tuple(i for i in self.indicators if i.parent == code)


@dataclass(frozen=True)
class Criterion:
    """One node of a PAR Index framework: a field (lĩnh vực) or a sub-criterion."""

    code: str
    label: str
    max: Decimal | None
    parent: str | None
    assessment: str
    level: int
    children: tuple[str, ...] = ()
    computed: bool = False
    note: str = ""

    @property
    def is_field(self) -> bool:
        return self.parent is None

    @property
    def self_assessed(self) -> bool:
        return self.assessment == "tu_cham"

    @property
    def self_name(self) -> str:
        return names.score_name(self.code, appraised=False)

    @property
    def appraised_name(self) -> str:
        return names.score_name(self.code, appraised=True)


SELF_TOTAL_NAME = names.SELF_TOTAL
APPRAISED_TOTAL_NAME = names.APPRAISED_TOTAL


@dataclass(frozen=True)
class Framework:
    """A PAR Index scoring framework (criterion tree with maxima). ``computed`` nodes are sums of children."""

    id: str
    title: str
    criteria: tuple[Criterion, ...]
    source: str = ""
    by_code: dict[str, Criterion] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self.by_code.update({c.code: c for c in self.criteria})

    @property
    def fields(self) -> tuple[Criterion, ...]:
        return tuple(c for c in self.criteria if c.is_field)

    def criterion(self, code: str) -> Criterion:
        return self.by_code[code]


# ---------------------------------------------------------------------------------------------- forms


def _parent_of(code: str, known: set[str]) -> str | None:
    prefix, _, rest = code.rpartition("-") if re.match(r"^[A-Z]+\d+-", code) else ("", "", code)
    parts = rest.split(".")
    for n in range(len(parts) - 1, 0, -1):
        candidate = (prefix + "-" if prefix else "") + ".".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def _catalog_dir() -> Path:
    return Path(str(resources.files("cchc_xl") / "catalogs"))


# Forms loaded from a catalog file outside the package (``--form FILE``) for this process; a pool worker
# started by fork inherits them. They are found by id exactly like the bundled ones.
_REGISTERED: dict[str, Form] = {}


def register_form(form: Form) -> None:
    """Make ``form`` (loaded from a file outside the package) known to :func:`load_form` by its id."""
    _REGISTERED[form.id] = form


def list_forms() -> list[str]:
    return sorted({p.stem for p in (_catalog_dir() / "forms").glob("*.yaml")} | set(_REGISTERED))


def load_form(form_id: str = DEFAULT_FORM) -> Form:
    """A form by id: one registered from a file (``--form FILE``), else the bundled catalog."""
    registered = _REGISTERED.get(form_id)
    return registered if registered is not None else _load_bundled(form_id)


def load_yaml(text: str) -> object:
    """Parse YAML with libyaml's safe loader (~5 ms a form, the pure-Python one ~40 ms; the same safe subset).

    Imported here, not at module level: a CLI call that never reads a form does not pay for PyYAML.
    """
    import yaml

    return yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


@cache
def _load_bundled(form_id: str) -> Form:
    """Load a bundled form catalog by id (cached: catalogs are immutable)."""
    path = _catalog_dir() / "forms" / f"{form_id}.yaml"
    if not path.is_file():
        raise CatalogError([say("catalog-unknown-form", form=form_id, known=", ".join(list_forms()))])
    return parse_form(load_yaml(path.read_text(encoding="utf-8")))


def parse_form(doc: dict) -> Form:
    """Build and check a :class:`Form` from a parsed catalog document."""
    form_id = nfc(doc.get("id"))
    problems: list[str] = []
    rows = doc.get("indicators") or []
    codes = [nfc(r.get("code")) for r in rows]
    known: set[str] = set()
    for code in codes:
        if code in known:
            problems.append(say("catalog-duplicate-code", form=form_id, code=code))
        known.add(code)
    names: dict[str, str] = {}
    for code in known:
        other = names.setdefault(name_for(code), code)
        if other != code:
            problems.append(say("catalog-duplicate-name", form=form_id, code=code, other=other, name=name_for(code)))

    sections = tuple(
        Section(nfc(s["id"]), nfc(s.get("title")), nfc(s.get("subtitle"))) for s in doc.get("sections") or []
    )
    indicators: list[Indicator] = []
    levels: dict[str, int] = {}
    for row, code in zip(rows, codes, strict=True):
        kind = nfc(row.get("kind"))
        if kind not in KINDS:
            problems.append(say("catalog-bad-kind", form=form_id, code=code, kind=kind))
        parent = nfc(row["parent"]) if row.get("parent") else _parent_of(code, known)
        if parent and parent not in known:
            problems.append(say("catalog-missing-parent", form=form_id, code=code, parent=parent))
        levels[code] = levels.get(parent, -1) + 1 if parent else 0
        derive = None
        if row.get("derive"):
            (dkind, dcodes), *_ = dict(row["derive"]).items()
            derive = Derivation(dkind, tuple(nfc(c) for c in dcodes))
            if dkind not in ("ratio", "sum") or (dkind == "ratio" and len(derive.codes) != 2):
                problems.append(say("catalog-bad-field", form=form_id, detail=f"{code}: derive {dkind} sai"))
            for c in derive.codes:
                if c not in known:
                    problems.append(say("catalog-unknown-ref", form=form_id, where=code, code=c))
        allowed = tuple((nfc(k), int(v)) for k, v in (row.get("allowed") or {}).items())
        if kind == "coded" and not allowed:
            problems.append(say("catalog-bad-field", form=form_id, detail=f"{code}: thiếu danh sách giá trị"))
        weight = nfc(row.get("weight"))
        if weight and (weight not in known or kind != "percent"):
            problems.append(say("catalog-unknown-ref", form=form_id, where=code, code=weight))
        section = code.split("-")[0] if sections and "-" in code else None
        printed = nfc(row["printed"]) if "printed" in row else code
        indicators.append(
            Indicator(
                code=code,
                label=nfc(row.get("label")),
                unit=nfc(row.get("unit")),
                kind=kind,
                printed=printed,
                parent=parent,
                level=levels[code],
                section=section,
                header=bool(row.get("header")),
                allowed=allowed,
                derive=derive,
                note=nfc(row.get("note")),
                weight=weight,
            )
        )
    rules = []
    for r in doc.get("rules") or []:
        periods = r.get("periods", "all")
        spec = RuleSpec(
            id=nfc(r["id"]),
            left=nfc(r["left"]),
            op=nfc(r["op"]),
            right=nfc(r.get("right", "")),
            severity=nfc(r.get("severity", "error")),
            missing=nfc(r.get("missing", "skip-if-any")),
            periods=() if periods in ("all", None) else tuple(nfc(p) for p in periods),
            note=nfc(r.get("note")),
            message=nfc(r.get("message")),
        )
        if spec.op not in RULE_OPS or spec.missing not in MISSING or spec.severity not in ("error", "warning"):
            problems.append(say("catalog-bad-field", form=form_id, detail=f"quy tắc {spec.id} sai cú pháp"))
        rules.append(spec)
    if len({r.id for r in rules}) != len(rules):
        problems.append(say("catalog-bad-field", form=form_id, detail="mã quy tắc bị trùng"))
    total = nfc(doc.get("total_procedures")) or None
    if total and total not in known:
        problems.append(say("catalog-unknown-ref", form=form_id, where="total_procedures", code=total))
    periods = tuple(nfc(p) for p in doc.get("periods") or PERIODS)
    for p in periods:
        if p not in PERIODS:
            problems.append(say("catalog-bad-field", form=form_id, detail=f"kỳ báo cáo '{p}' không hợp lệ"))
    crosswalk = []
    for entry in doc.get("crosswalk") or []:
        version = nfc(entry.get("from")) if isinstance(entry, dict) else ""
        for old_code, new_code in ((entry.get("codes") or {}).items() if isinstance(entry, dict) else ()):
            target = nfc(new_code) or None
            if target is not None and target not in known:
                problems.append(say("catalog-unknown-ref", form=form_id, where=f"crosswalk {version}", code=target))
            crosswalk.append((version, nfc(old_code), target))
    if problems:
        raise CatalogError(problems)
    return Form(
        id=form_id,
        version=nfc(doc.get("version")),
        name=nfc(doc.get("name")),
        title=nfc(doc.get("title")),
        province=nfc(doc.get("province")),
        source=nfc(doc.get("source")),
        periods=periods,
        label_header=nfc(doc.get("label_header")) or "Chỉ tiêu thống kê",
        value_header=nfc(doc.get("value_header")) or "Số liệu",
        framework_id=nfc(doc.get("framework")),
        total_procedures=total,
        indicators=tuple(indicators),
        sections=sections,
        fixes=tuple(Fix(nfc(f.get("code")), nfc(f.get("printed")), nfc(f.get("note"))) for f in doc.get("fixes") or []),
        crosswalk=tuple(crosswalk),
        rules=tuple(rules),
    )


# ----------------------------------------------------------------------------------------- frameworks

_COLUMNS = {
    "code": ("code", "ma", "mã"),
    "label": ("label", "noi_dung", "nội dung", "noi dung"),
    "max": ("max", "diem_toi_da", "điểm tối đa", "diem toi da"),
    "parent": ("parent", "ma_cha", "mã cha", "ma cha"),
    "assessment": ("assessment", "hinh_thuc", "hình thức", "hinh thuc"),
    "note": ("note", "ghi_chu", "ghi chú", "ghi chu"),
}
_REQUIRED = ("code", "label", "max", "parent")


def _read_table(path: Path) -> list[dict[str, str]]:
    """Read a framework table from CSV (UTF-8, with or without BOM) or the first sheet of an XLSX."""
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_index(0).to_python(skip_empty_area=False)
        wb.close()
        header = [nfc(h).lower() for h in rows[0]] if rows else []
        out = []
        for r in rows[1:]:
            cells = ["" if v is None else (format(v, "g") if isinstance(v, float) else str(v)) for v in r]
            out.append(dict(zip(header, cells, strict=False)))
        return out
    text = path.read_text(encoding="utf-8-sig")
    reader = csv.DictReader(io.StringIO(text))
    return [{nfc(k).lower(): (v or "") for k, v in row.items() if k is not None} for row in reader]


def list_frameworks() -> list[str]:
    return sorted(p.stem for p in (_catalog_dir() / "frameworks").glob("*.csv"))


@cache
def load_framework(id_or_path: str) -> Framework:
    """Load a bundled framework by id, or a clerk's own ``.csv``/``.xlsx`` file by path."""
    path = Path(id_or_path)
    if not path.suffix:
        path = _catalog_dir() / "frameworks" / f"{id_or_path}.csv"
    try:
        rows = _read_table(path)
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise CatalogError([say("framework-unreadable", path=str(id_or_path), detail=exc)]) from None
    return parse_framework(path.stem, rows, source=str(path))


def parse_framework(framework_id: str, rows: list[dict[str, str]], source: str = "", title: str = "") -> Framework:
    """Build and check a :class:`Framework` from table rows (header names in English or Vietnamese)."""
    problems: list[str] = []
    header = set(rows[0]) if rows else set()
    col: dict[str, str | None] = {}
    for key, aliases in _COLUMNS.items():
        col[key] = next((a for a in aliases if a in header), None)
        if col[key] is None and key in _REQUIRED:
            problems.append(
                say("framework-missing-column", path=source or framework_id, column=key, accepted=", ".join(aliases))
            )
    if problems:
        raise CatalogError(problems)

    def get(row: dict[str, str], key: str) -> str:
        name = col[key]
        return nfc(row.get(name, "")) if name else ""

    def bad(row_no: int, key: str, **fields: object) -> None:
        problems.append(say("framework-row", framework=framework_id, row=row_no, detail=say(key, **fields)))

    parsed: list[tuple[int, str, str, Decimal | None, str | None, str, str]] = []
    seen: set[str] = set()
    for n, row in enumerate(rows, start=2):
        code = get(row, "code")
        if not code and not any(row.values()):
            continue
        if not code:
            bad(n, "framework-empty-code")
            continue
        if code in seen:
            bad(n, "framework-duplicate-code", code=code)
        seen.add(code)
        raw_max = get(row, "max").replace(",", ".")
        maximum = None
        if raw_max:
            try:
                maximum = Decimal(raw_max)
                if maximum < 0 or not maximum.is_finite():
                    raise InvalidOperation
            except InvalidOperation:
                bad(n, "framework-bad-max", value=get(row, "max"), code=code)
                maximum = None
        parsed.append((n, code, get(row, "label"), maximum, get(row, "parent") or None, get(row, "assessment"),
                       get(row, "note")))

    by_code = {p[1]: p for p in parsed}
    children: dict[str, list[str]] = {}
    for n, code, _label, _mx, parent, _a, _note in parsed:
        if parent is not None:
            if parent not in by_code:
                bad(n, "framework-missing-parent", code=code, parent=parent)
            else:
                children.setdefault(parent, []).append(code)

    def field_of(code: str) -> str:
        seen_path = set()
        while by_code[code][4] in by_code and code not in seen_path:
            seen_path.add(code)
            code = by_code[code][4]
        return code

    criteria: list[Criterion] = []
    for n, code, label, maximum, parent, assessment, note in parsed:
        if not assessment and parent in by_code:
            assessment = by_code[field_of(code)][5] or "tu_cham"
        assessment = assessment or "tu_cham"
        if assessment not in ASSESSMENTS:
            bad(n, "framework-bad-assessment", value=assessment, code=code)
        kids = tuple(children.get(code, ()))
        kid_max = [by_code[k][3] for k in kids]
        complete = bool(kids) and all(m is not None for m in kid_max)
        if complete and maximum is not None and sum(kid_max) != maximum:  # type: ignore[arg-type]
            bad(n, "framework-children-sum", code=code, children=_fmt(sum(kid_max)), max=_fmt(maximum))
        level, p = 0, parent
        while p in by_code and level < 10:
            level, p = level + 1, by_code[p][4]
        criteria.append(
            Criterion(code, label, maximum, parent, assessment, level, kids, computed=complete, note=note)
        )
    fields = [c for c in criteria if c.parent is None]
    if fields and all(c.max is not None for c in fields):
        total = sum(c.max for c in fields)  # type: ignore[misc]
        if total != 100:
            problems.append(say("framework-row", framework=framework_id, row="—",
                                detail=say("framework-total", total=_fmt(total))))
    if problems:
        raise CatalogError(problems)
    ordered = _depth_first(criteria)
    return Framework(framework_id, title or framework_id, tuple(ordered), source=source)


def _depth_first(criteria: list[Criterion]) -> list[Criterion]:
    by_parent: dict[str | None, list[Criterion]] = {}
    for c in criteria:
        by_parent.setdefault(c.parent, []).append(c)
    out: list[Criterion] = []

    def walk(parent: str | None) -> None:
        for c in by_parent.get(parent, []):
            out.append(c)
            walk(c.code)

    walk(None)
    return out


def _fmt(d: Decimal | None) -> str:
    return "" if d is None else format(d.normalize(), "f").replace(".", ",")


FRAMEWORK_TITLES = {
    "chi-so-cchc-xa-hai-duong-2022": "Chỉ số cải cách hành chính của UBND cấp xã tỉnh Hải Dương (giai đoạn 2022–2030)",
}


def framework_for(form: Form, override: str | None = None) -> Framework:
    fw = load_framework(override or form.framework_id)
    if fw.id in FRAMEWORK_TITLES and fw.title == fw.id:
        return Framework(fw.id, FRAMEWORK_TITLES[fw.id], fw.criteria, fw.source)
    return fw
