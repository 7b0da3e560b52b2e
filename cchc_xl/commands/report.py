"""The narrative báo cáo CCHC, written from the numbers cchc-xl has just read and validated.

``commune_report`` turns a commune workbook into a :class:`ReportDocument` (a plain data model of an
administrative document per Nghị định 30/2020/NĐ-CP: header, trích yếu, body in the seeds' structure,
Nơi nhận, signer, annexes); ``consolidation_report`` does the same for a consolidation (its JSON report).
Rendering to .docx is ``render.docx_report``. Every sentence that carries a figure comes from a wording
template filled with the workbook's values, so the text and the appendix cannot disagree: ratios are
computed here, blank indicators are left out, and where only a person can write a marked placeholder
("[Đơn vị bổ sung: …]") stands in.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from cchc_xl.engine import derive, rank
from cchc_xl.engine.scores import standing
from cchc_xl.engine.validation import ValidationResult
from cchc_xl.errors import CchcError, UnusableInput
from cchc_xl.messages import say
from cchc_xl.model.catalog import PERIODS, Form, Framework, framework_for, nfc
from cchc_xl.model.numbers import excel_round, format_vn
from cchc_xl.model.report import Report
from cchc_xl.model.units import fold_name, norm_code, norm_name
from cchc_xl.model.wording import Template, Wording, context_lookup, fill, wording_for
from cchc_xl.ooxml.reader import read_report
from cchc_xl.sources.consolidation import Consolidation, load_consolidation, read_consolidation_xlsx
from cchc_xl.sources.workbook import validate_report

ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII")


# ------------------------------------------------------------------------------------------ the model


@dataclass(frozen=True)
class Para:
    """A paragraph. ``style``: heading1 (I. …), heading2 (1. …), heading3 (a) …), body, bullet, placeholder,
    title (centred bold), subtitle (centred), note (centred italic)."""

    text: str
    style: str = "body"


@dataclass(frozen=True)
class Row:
    cells: tuple[str, ...]
    style: str = ""  # "" | "group" (bold) | "section" (one merged bold cell) | "total" (bold)


@dataclass(frozen=True)
class Table:
    header: tuple[str, ...]
    widths: tuple[float, ...]  # centimetres
    rows: tuple[Row, ...]
    align: tuple[str, ...] = ()  # per column: "left" | "center" | "right"
    kind: str = ""  # "appendix" | "findings" | "ranking" | … (tests find tables by kind)


Block = Para | Table


@dataclass(frozen=True)
class Annex:
    title: str
    subtitle: tuple[str, ...]
    blocks: tuple[Block, ...]


@dataclass
class ReportDocument:
    """An administrative report (văn bản hành chính) ready to render."""

    kind: str  # "commune" | "consolidation"
    issuer_parent: str  # cơ quan chủ quản (upper line), may be ""
    issuer: str  # cơ quan ban hành, upper case, may hold a line break
    number: str  # "Số:      /BC-UBND"
    place_date: str
    doc_type: str  # "BÁO CÁO"
    subject: str
    body: list[Block]
    recipients: list[str]
    signer_authority: str
    signer_title: str
    signer_name: str
    annexes: list[Annex] = field(default_factory=list)
    errors: int = 0
    warnings: int = 0
    notes: list[str] = field(default_factory=list)  # Vietnamese remarks for the command line


class ReportRefused(CchcError):
    """``--strict`` and the workbook has errors: nothing is written (exit 1, like validate with errors)."""

    exit_code = 1

    def __init__(self, result: ValidationResult):
        super().__init__(say("report-refused", name=Path(result.file).name, errors=result.errors))
        self.result = result

    def __reduce__(self):
        return (type(self), (self.result,))


# -------------------------------------------------------------------------------------------- wording


def period_words(ky: str | None, nam: object) -> tuple[str, str]:
    """(this period, the next one) as the reports write them: "6 tháng đầu năm 2022" → "6 tháng cuối năm 2022".

    The period words come only from the workbook's kỳ, so an annual report can never say "Chín tháng".
    """
    try:
        year = int(nam)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        year = None
    y = f" năm {year}" if year else ""
    y_next = f" năm {year + 1}" if year else " năm sau"
    table = {
        "nam": ("năm" + (f" {year}" if year else ""), "năm" + (f" {year + 1}" if year else " tới")),
        "6thang": ("6 tháng đầu" + (y or " năm"), "6 tháng cuối" + (y or " năm")),
        "9thang": ("9 tháng đầu" + (y or " năm"), "quý IV" + y),
        "quy1": ("quý I" + y, "quý II" + y),
        "quy2": ("quý II" + y, "quý III" + y),
        "quy3": ("quý III" + y, "quý IV" + y),
        "quy4": ("quý IV" + y, "quý I" + y_next),
    }
    return table.get(ky or "", (PERIODS.get(ky or "", "kỳ báo cáo").lower() + y, "kỳ tới"))


def date_words(place: str, day: dt.date | None, year: object) -> str:
    """"Đồng Tâm, ngày 04 tháng 4 năm 2023" (NĐ 30: a leading zero for days 1–9 and months 1–2)."""
    if day is None:
        return say("report-date-blank", place=place, year=year or "…")
    d = f"{day.day:02d}"
    m = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return say("report-date", place=place, day=d, month=m, year=day.year)


def vn(value: object, decimals: int | None = None) -> str:
    """A number in Vietnamese format for the text: 1.603; 99,06; 1,577 (never "(trống)")."""
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if decimals is not None and not isinstance(value, Decimal):
        value = excel_round(value, decimals)  # half away from zero, as the workbook's ROUND shows it
    return format_vn(value, decimals)


def _number(v: object) -> int | float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return v


def ratio(num: object, den: object) -> float | int | None:
    """num/den × 100 at 2 decimals (Excel rounding); None when either is blank or the denominator is 0."""
    n, d = _number(num), _number(den)
    if n is None or d is None or d == 0:
        return None
    return excel_round(n / d * 100, 2)


def value_lookup(form: Form, values: Mapping[str, object], context: Mapping[str, object]
                 ) -> Callable[[str], str | None]:
    """What a placeholder reads: an indicator (coded answers by label), a ratio ``a/b``, or ``@context``."""
    ctx = context_lookup(context)

    def one(code: str) -> str | None:
        v = values.get(code)
        ind = form.by_code.get(code)
        if isinstance(v, dict):  # consolidated coded answer: {label: communes}
            parts = [say("report-c-coded-part", label=label, n=vn(n)) for label, n in v.items() if n]
            return f"({'; '.join(parts)})" if parts else None
        n = _number(v)
        if n is None:
            return None
        if ind is not None and ind.kind == "coded":
            labels = {value: label for label, value in ind.allowed}
            return labels.get(int(n)) if float(n).is_integer() else None
        return vn(n)

    def lookup(key: str) -> str | None:
        if key.startswith("@"):
            return ctx(key)
        if "/" in key:
            a, _, b = key.partition("/")
            r = ratio(values.get(a.strip()), values.get(b.strip()))
            return None if r is None else vn(r)
        return one(key)

    return lookup


def _sentences(templates: tuple[Template, ...], lookup: Callable[[str], str | None]) -> list[str]:
    out = []
    for tpl in templates:
        text = fill(tpl.text, lookup)
        if text:
            out.append(_tidy(text))
    return out


def _tidy(text: str) -> str:
    text = text.strip()
    if text.endswith(";"):  # a "[[+ … ;]]" list ends with its last item's separator
        text = text[:-1] + "."
    return text.replace(":.", ".").replace(" ,", ",")


def placeholder(what: str) -> Para:
    return Para(say("report-placeholder", what=what), "placeholder")


# --------------------------------------------------------------------------------------------- scores


@dataclass(frozen=True)
class FieldScore:
    code: str
    label: str
    points: float | int | None
    max: Decimal | None
    percent: float | int | None
    level: int | None = None
    levels: int | None = None
    change: int | None = None


@dataclass(frozen=True)
class ParScores:
    """The PAR Index as the report states it. ``basis``: final (every field appraised), provisional
    (self-assessed) or incomplete (some field has no points yet).

    Per field the standing score (appraised, else self-assessed) from :func:`cchc_xl.engine.scores.standing`.
    """

    basis: str
    column: str  # "appraised" | "self"
    fields: tuple[FieldScore, ...]
    total: float | int
    max: Decimal
    rank: int | None = None
    ranked: int | None = None
    change: int | None = None
    rating: str = ""


def par_scores(report: Report) -> ParScores | None:
    """The standing index as the report states it (engine/scores.py, the one definition); None unscored."""
    fw = report.framework
    st = standing(fw, report.scores, report.appraised)
    if not st.scored:
        return None
    fields = tuple(FieldScore(f.code, f.label, st.field(f.code).points, f.max,
                              st.field(f.code).percent) for f in fw.fields)
    scored = [x for x in fields if x.points is not None]
    total = derive._clean(sum(x.points for x in scored))  # type: ignore[misc]
    maximum = sum((x.max or Decimal(0)) for x in scored) if not st.complete else sum(
        (f.max or Decimal(0)) for f in fw.fields)
    basis = st.basis if st.complete else "incomplete"
    return ParScores(basis, "self" if st.self_fields else "appraised", fields, total, maximum)  # type: ignore[arg-type]


def _leaves(fw: Framework, code: str) -> list[str]:
    crit = fw.criterion(code)
    if not crit.children:
        return [code]
    return [leaf for c in crit.children for leaf in _leaves(fw, c)]


def with_ranking(scores: ParScores, report: Report, ranking: Mapping | None,
                 classes: tuple[rank.RatingClass, ...] | None, notes: list[str]) -> ParScores:
    """Attach the commune's ranks from a consolidation JSON — only when its total is the workbook's own."""
    rating = rank.classify(scores.total, classes) if classes and scores.basis != "incomplete" else ""
    if not ranking:
        return ParScores(**{**scores.__dict__, "rating": rating})
    unit = _find_unit(ranking, report.meta)
    if unit is None:
        notes.append(say("report-ranking-not-found", xa=report.meta.get("xa") or "?"))
        return ParScores(**{**scores.__dict__, "rating": rating})
    theirs = rank.quantize((unit.get("scores") or {}).get("total"))
    if theirs is None or theirs != rank.quantize(scores.total):
        notes.append(say("report-ranking-mismatch", xa=report.meta.get("xa") or "?",
                         theirs=vn(float(theirs)) if theirs is not None else "(trống)", ours=vn(scores.total)))
        return ParScores(**{**scores.__dict__, "rating": rating})
    r = unit.get("rank") or {}
    total = r.get("total") or {}
    franks = r.get("fields") or {}
    fields = tuple(FieldScore(f.code, f.label, f.points, f.max, f.percent,
                              (franks.get(f.code) or {}).get("position"), (franks.get(f.code) or {}).get("levels"))
                   for f in scores.fields)
    return ParScores(scores.basis, scores.column, fields, scores.total, scores.max, total.get("position"),
                     total.get("of"), unit.get("rank_change"), rating)


def _find_unit(ranking: Mapping, meta: Mapping[str, object]) -> Mapping | None:
    units = ranking.get("units") or []
    code = norm_code(meta.get("ma_xa")) if meta.get("ma_xa") else ""
    for u in units:
        if code and norm_code(u.get("ma_xa")) == code:
            return u
    name = norm_name(meta.get("xa"))
    same = [u for u in units if norm_name(u.get("xa")) == name]
    if len(same) == 1:
        return same[0]
    folded = [u for u in units if fold_name(u.get("xa")) == fold_name(meta.get("xa"))]
    return folded[0] if len(folded) == 1 and not same else None


def _basis_words(scores: ParScores) -> str:
    return say("report-basis-appraised") if scores.column == "appraised" else say("report-basis-self")


def par_paragraphs(scores: ParScores, wording: Wording, context: Mapping[str, object]) -> list[Block]:
    """The index, its basis, each field's points, % of maximum and rank, in the seeds' phrasing."""
    ctx = context_lookup(context)
    out: list[Block] = []
    if scores.basis == "incomplete":
        missing = [f for f in scores.fields if f.points is None]
        values = {"basis": _basis_words(scores), "total": vn(scores.total), "max": vn(scores.max),
                  "scored": str(len(scores.fields) - len(missing)), "fields_count": str(len(scores.fields)),
                  "missing": "; ".join(f.label for f in missing)}
        out.append(Para(fill(wording.par["incomplete"].text, lambda k: values.get(k) or ctx(k)) or "", "body"))
    else:
        values = {"basis": _basis_words(scores), "total": vn(scores.total, 2), "max": vn(scores.max),
                  "rank": vn(scores.rank) if scores.rank else None,
                  "ranked": vn(scores.ranked) if scores.ranked else None,
                  "change": rank.change_text(scores.change) or None, "rating": scores.rating or None,
                  "fields_count": str(len(scores.fields))}
        out.append(Para(fill(wording.par["intro"].text, lambda k: values.get(k) or ctx(k)) or "", "body"))
        if scores.basis == "provisional":
            out.append(Para(say("report-basis-provisional-note"), "body"))
    for f in scores.fields:
        if f.points is None:
            continue
        values = {"label": f.label, "points": vn(f.points), "max": vn(f.max), "percent": vn(f.percent),
                  "level": vn(f.level) if f.level else None, "levels": vn(f.levels) if f.levels else None,
                  "change": rank.change_text(f.change) or None}
        out.append(Para(fill(wording.par["field"].text, lambda k, v=values: v.get(k) or ctx(k)) or "", "bullet"))
    if out and isinstance(out[-1], Para) and out[-1].style == "bullet" and out[-1].text.endswith(";"):
        out[-1] = Para(out[-1].text[:-1] + ".", "bullet")
    return out


def _field_list(fields: list[FieldScore]) -> str:
    return "; ".join(say("report-field-points", label=f.label, points=vn(f.points), max=vn(f.max),
                         percent=vn(f.percent)) for f in fields)


# --------------------------------------------------------------------------------------------- commune


def _context(meta: Mapping[str, object]) -> dict[str, object]:
    ky, ky_next = period_words(meta.get("ky"), meta.get("nam"))  # type: ignore[arg-type]
    nam = meta.get("nam")
    huyen, tinh = nfc(meta.get("huyen")), nfc(meta.get("tinh"))
    # The level a commune reports to: its huyện, or since 2025 (no huyện) its tỉnh.
    above = say("report-above", level="huyện", name=huyen) if huyen else (
        say("report-above", level="tỉnh", name=tinh) if tinh else "")
    return {"xa": meta.get("xa"), "huyen": huyen, "tinh": tinh, "nam": nam, "ky": ky,
            "ky_toi": ky_next, "nam_toi": (nam + 1) if isinstance(nam, int) else None, "cap_tren": above}


def _all_values(report: Report) -> dict[str, object]:
    """Inputs as read plus every derived value recomputed in Python (never a cached value)."""
    numeric = {c: v for c, v in report.values.items() if _number(v) is not None}
    values: dict[str, object] = {c: (v if _number(v) is not None else None) for c, v in report.values.items()}
    for code, v in derive.derived_values(report.form, numeric).items():
        values[code] = None if v == "" else v
    return values


def commune_report(path: str | Path, wording_file: str | Path | None = None, strict: bool = False,
                   ranking_file: str | Path | None = None, classes_file: str | Path | None = None,
                   framework: str | None = None) -> ReportDocument:
    """Read, validate and write up one commune workbook. Raises UnusableInput, WordingError, ReportRefused."""
    report = read_report(path, framework=framework)
    result = validate_report(report)
    if strict and result.errors:
        raise ReportRefused(result)
    wording = wording_for(report.form, wording_file)
    ranking = _load_ranking(ranking_file) if ranking_file else None
    classes = rank.load_classes(classes_file) if classes_file else None
    return build_commune(report, result, wording, ranking, classes)


def build_commune(report: Report, result: ValidationResult, wording: Wording, ranking: Mapping | None = None,
                  classes: tuple[rank.RatingClass, ...] | None = None) -> ReportDocument:
    """The document model of one commune's report (pure: no file is read or written here)."""
    meta, form = report.meta, report.form
    context = _context(meta)
    values = _all_values(report)
    lookup = value_lookup(form, values, context)
    xa = nfc(meta.get("xa")) or say("report-unknown-commune")
    notes: list[str] = []
    body: list[Block] = []
    opening = fill(wording.opening.text, lookup)
    if opening:
        body.append(Para(opening))

    # I. Công tác chỉ đạo, điều hành
    body.append(Para(f"I. {wording.direction.title}", "heading1"))
    body += [Para(s) for s in _sentences(wording.direction.sentences, lookup)]
    body.append(placeholder(wording.direction.placeholder or wording.texts["strengths"]))

    # II. Kết quả thực hiện: one subsection per field of the form
    body.append(Para(say("report-results-heading"), "heading1"))
    n = 0
    for n, part in enumerate(wording.fields, start=1):
        body.append(Para(f"{n}. {part.title}", "heading2"))
        sentences = _sentences(part.sentences, lookup)
        body += [Para(s) for s in sentences]
        if not sentences:
            body.append(Para(say("report-no-figures")))
        if part.placeholder:
            body.append(placeholder(part.placeholder))
    scores = par_scores(report)
    if scores is not None:
        scores = with_ranking(scores, report, ranking, classes, notes)
        body.append(Para(say("report-par-heading", n=n + 1, nam=meta.get("nam") or ""), "heading2"))
        body += par_paragraphs(scores, wording, context)

    # III. Đánh giá chung
    body.append(Para(say("report-evaluation-heading"), "heading1"))
    strong = [f for f in (scores.fields if scores else ()) if f.percent is not None
              and f.percent >= wording.strong_threshold]
    weak = [f for f in (scores.fields if scores else ()) if f.percent is not None
            and f.percent < wording.weak_threshold]
    body.append(Para(say("report-strengths-heading"), "heading2"))
    if strong:
        body.append(Para(say("report-strong-fields", threshold=vn(wording.strong_threshold),
                             fields=_field_list(strong))))
    body.append(placeholder(wording.texts["strengths"]))
    body.append(Para(say("report-weaknesses-heading"), "heading2"))
    if weak:
        body.append(Para(say("report-weak-fields", threshold=vn(wording.weak_threshold), fields=_field_list(weak))))
    if result.errors or result.warnings:
        body.append(Para(say("report-findings-sentence", errors=result.errors, warnings=result.warnings)))
    body.append(placeholder(wording.texts["weaknesses"]))
    body.append(Para(say("report-causes-heading"), "heading2"))
    body.append(placeholder(wording.texts["causes"]))

    # IV. Phương hướng, nhiệm vụ — V. Kiến nghị
    body.append(Para(say("report-tasks-heading", period=str(context["ky_toi"]).upper()), "heading1"))
    if weak:
        body.append(Para(say("report-weak-tasks", threshold=vn(wording.weak_threshold),
                             fields=", ".join(f.label for f in weak))))
    body.append(placeholder(wording.texts["tasks"]))
    body.append(Para(say("report-proposals-heading"), "heading1"))
    body.append(placeholder(wording.texts["proposals"]))
    closing = fill(wording.closing.text, lookup)
    if closing:
        body.append(Para(closing))

    annexes = [appendix(form, values, meta, say("report-annex-title", n=1), context["ky"],
                        say("report-unit-xa", name=xa), raw=report.values)]
    if result.findings:
        annexes.append(findings_annex(result, say("report-annex-title", n=2)))
    recipients = [t for t in (fill(r.text, lookup) for r in wording.recipients) if t]
    return ReportDocument(
        kind="commune",
        issuer_parent="",  # NĐ 30: a UBND has no governing body line (the seeds print none)
        issuer=say("report-issuer", unit=say("report-unit-xa", name=xa).upper()),
        number=say("report-number"),
        place_date=date_words(xa, _date(meta.get("ngay_lap")), meta.get("nam")),
        doc_type=say("report-doc-type"),
        subject=fill(wording.subject.text, lookup) or "",
        body=body,
        recipients=recipients,
        signer_authority=wording.signer_authority,
        signer_title=wording.signer_title,
        signer_name=nfc(meta.get("nguoi_lap")),
        annexes=annexes,
        errors=result.errors,
        warnings=result.warnings,
        notes=notes,
    )


def _date(v: object) -> dt.date | None:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str):
        try:
            return dt.date.fromisoformat(v.strip()[:10])
        except ValueError:
            return None
    return None


def _load_ranking(path: str | Path) -> dict:
    """Units with their ranks, from a consolidation's JSON report or its workbook."""
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        return {"units": read_consolidation_xlsx(path).units}
    try:
        doc = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        raise UnusableInput("bad-ranking", say("report-bad-consolidation", path=str(path)), str(path)) from None
    if not isinstance(doc, dict) or not isinstance(doc.get("units"), list):
        raise UnusableInput("bad-ranking", say("report-bad-consolidation", path=str(path)), str(path))
    return doc


# ------------------------------------------------------------------------------------------- annexes


def _cell(ind, v: object) -> str:
    if v is None or v == "":
        return ""
    if isinstance(v, dict):  # consolidated coded answer: one line per answer
        return "\n".join(f"{label}: {vn(n)}" for label, n in v.items() if n)
    if _number(v) is None:
        return nfc(v)  # text typed into a number cell stays visible, exactly as typed
    return vn(v)


def _unit_text(ind) -> str:
    if ind.kind == "coded":
        return "; ".join(f"{label} = {value}" for label, value in ind.allowed)
    return ind.unit


def appendix(form: Form, values: Mapping[str, object], meta: Mapping[str, object], title: str, period: object,
             unit: str, raw: Mapping[str, object] | None = None) -> Annex:
    """The form's table in the official layout (STT | Chỉ tiêu | Đơn vị tính | Số liệu | Ghi chú)."""
    rows: list[Row] = []
    section = None
    titles = {s.id: f"{s.title}: {s.subtitle}" for s in form.sections}
    for ind in form.indicators:
        if ind.section and ind.section != section:
            section = ind.section
            rows.append(Row((titles.get(section, section),), "section"))
        v = values.get(ind.code) if ind.has_cell else None
        if raw is not None and ind.has_cell and v is None and raw.get(ind.code) not in (None, ""):
            v = raw.get(ind.code)
        rows.append(Row((ind.printed.split("-", 1)[-1] if ind.section else ind.printed, ind.label,
                         _unit_text(ind), _cell(ind, v), ""),
                        "group" if ind.level == 0 or ind.kind == "group" else ""))
    # A zero-width space after "/" lets a narrow header ("Số lượng/Tỷ lệ") break between words.
    table = Table((say("report-col-stt"), form.label_header, say("report-col-unit"),
                   form.value_header.replace("/", "/\u200b"),
                   say("report-col-note")), (1.7, 7.2, 3.0, 2.4, 1.9), tuple(rows),
                  ("center", "left", "center", "right", "left"), "appendix")
    return Annex(title, (form.title.upper() if form.title.isupper() else form.title,
                         say("report-annex-period", period=period),
                         say("report-annex-attached", unit=unit)), (table,))


def findings_annex(result: ValidationResult, title: str) -> Annex:
    """Open findings of ``validate`` exactly as validate words them."""
    rows = []
    for i, f in enumerate(sorted(result.findings, key=lambda f: (f.severity != "error", f.sheet or "",
                                                                  f.cell or "")), start=1):
        where = f"{f.sheet}!{f.cell}" if f.sheet and f.cell else (f.sheet or "")
        rows.append(Row((str(i), say("report-severity-" + f.severity), where, f.message)))
    table = Table((say("report-col-stt"), say("report-col-severity"), say("report-col-cell"),
                   say("report-col-message")), (1.2, 2.0, 3.1, 9.9), tuple(rows),
                  ("center", "center", "left", "left"), "findings")
    return Annex(title, (say("report-findings-title"),
                         say("report-findings-summary", errors=result.errors, warnings=result.warnings)), (table,))


# --------------------------------------------------------------------------------------- consolidation


def consolidation_report(path: str | Path, wording_file: str | Path | None = None,
                         classes_file: str | Path | None = None) -> ReportDocument:
    if Path(path).suffix.lower() in (".xlsx", ".xlsm"):
        data = read_consolidation_xlsx(path)
    else:
        data = load_consolidation(path)
    wording = wording_for(data.form, wording_file)
    classes = rank.load_classes(classes_file) if classes_file else rank.DEFAULT_CLASSES
    return build_consolidation(data, wording, classes)


def _names(items: list[str]) -> str:
    return ", ".join(items)


def build_consolidation(data: Consolidation, wording: Wording,
                        classes: tuple[rank.RatingClass, ...] = rank.DEFAULT_CLASSES) -> ReportDocument:
    form = data.form
    fw = framework_for(form)
    ky, ky_next = period_words(data.ky, data.nam)
    # The JSON report does not say which huyện/tỉnh consolidated (the workbook does): never guess it.
    huyens = {nfc(u.get("huyen")) for u in data.units if u.get("huyen")}
    level = data.level or ("huyện" if len(huyens) == 1 else "tỉnh" if data.tinh else "")
    name = data.unit_name or (next(iter(huyens)) if len(huyens) == 1 and level == "huyện" else data.tinh)
    tinh = data.tinh or (name if level == "tỉnh" else "")
    if level == "huyện":  # a huyện reports to its tỉnh; a tỉnh (since 2025 it consolidates communes) to the Bộ
        above = say("report-above", level="tỉnh", name=tinh) if tinh else say("report-above-province")
    else:
        above = say("report-above-ministry") if level == "tỉnh" else ""
    context = {"ky": ky, "ky_toi": ky_next, "nam": data.nam, "cap": level or say("report-unit-unknown"),
               "don_vi": name if level else "", "tinh": tinh, "cap_tren": above,
               "huyen": name if level == "huyện" else ""}
    lookup = value_lookup(form, data.totals, context)
    body: list[Block] = []
    cons = wording.consolidation
    if cons.get("opening") and (t := fill(cons["opening"].text, lookup)):
        body.append(Para(t))

    # I. Tình hình gửi báo cáo
    body.append(Para(say("report-c-completeness-heading"), "heading1"))
    units = data.units
    with_errors = [u for u in units if (u.get("errors") or 0) > 0]
    excluded = [u for u in units if u.get("status") == "excluded"]
    valid = len(units) - len(with_errors)
    if data.expected:
        body.append(Para(say("report-c-received", expected=data.expected, received=len(units), valid=valid,
                             ratio=vn(ratio(len(units), data.expected) or 0))))
    else:
        body.append(Para(say("report-c-received-only", received=len(units), valid=valid)))
    if with_errors:
        body.append(Para(say("report-c-with-errors", count=len(with_errors), names=_names(
            [say("report-c-unit-errors", xa=u.get("xa"), errors=u.get("errors")) for u in with_errors]))))
    if excluded:
        body.append(Para(say("report-c-excluded", count=len(excluded), names=_names([u.get("xa") for u in excluded]))))
    # Lateness is known only when the consolidation had a deadline (the rows then say Có/Không).
    # Lateness is known only when the consolidation had a --deadline (its JSON says which).
    judged = [c for c in (data.completeness or []) if c.get("late") is not None] if data.deadline_known else []
    late = [c for c in judged if c.get("late")]
    if late:
        body.append(Para(say("report-c-late", count=len(late), names=_names([nfc(c.get("xa")) for c in late]))))
    elif judged:
        body.append(Para(say("report-c-none-late")))
    if data.missing:
        body.append(Para(say("report-c-missing", count=len(data.missing),
                             names=_names([nfc(m.get("xa")) for m in data.missing]))))
    if data.rejected:
        body.append(Para(say("report-c-rejected", count=len(data.rejected))))
        body += [Para(nfc(r.get("reason")), "bullet") for r in data.rejected]

    # II. Kết quả tổng hợp số liệu
    body.append(Para(say("report-c-figures-heading"), "heading1"))
    body.append(Para(say("report-c-figures-note")))
    body.append(Para(f"1. {wording.direction.title[:1]}{wording.direction.title[1:].lower()}", "heading2"))
    body += [Para(s) for s in _sentences(wording.direction.sentences, lookup)] or [Para(say("report-no-figures"))]
    for n, part in enumerate(wording.fields, start=2):
        body.append(Para(f"{n}. {part.title}", "heading2"))
        body += [Para(s) for s in _sentences(part.sentences, lookup)] or [Para(say("report-no-figures"))]

    # III. Chỉ số CCHC: ranking table, leaders and laggards, trend
    ranked = [u for u in units if ((u.get("rank") or {}).get("total") or {}).get("position")]
    if ranked:
        body.append(Para(say("report-c-par-heading", nam=data.nam or ""), "heading1"))
        totals = [u["scores"]["total"] for u in ranked]
        ranked.sort(key=lambda u: (u["rank"]["total"]["position"], norm_name(u.get("xa"))))
        best, worst = ranked[0], ranked[-1]
        body.append(Para(say("report-c-par-summary", count=len(ranked), mean=vn(excel_round(sum(totals) / len(totals), 2), 2),
                             best=best.get("xa"), best_total=vn(best["scores"]["total"], 2),
                             worst=worst.get("xa"), worst_total=vn(worst["scores"]["total"], 2))))
        classes_count: dict[str, int] = {}
        for u in ranked:
            c = rank.classify(u["scores"]["total"], classes)
            classes_count[c] = classes_count.get(c, 0) + 1
        body.append(Para(say("report-c-classes", parts="; ".join(
            f"{c}: {vn(k)} xã" for c, k in classes_count.items()))))
        if classes is rank.DEFAULT_CLASSES:
            body.append(Para(say("report-c-classes-default"), "placeholder"))
        has_change = any(u.get("rank_change") is not None for u in ranked)
        rows = []
        for i, u in enumerate(ranked, start=1):
            pos = u["rank"]["total"]
            cells = [str(i), nfc(u.get("xa")), vn(u["scores"]["total"], 2),
                     f"{pos['position']}/{pos['of']}", rank.classify(u["scores"]["total"], classes)]
            if has_change:
                cells.append(rank.change_text(u.get("rank_change")))
            rows.append(Row(tuple(cells)))
        header = [say("report-col-stt"), say("report-col-unit-name"), say("report-col-points"),
                  say("report-col-rank"), say("report-col-class")]
        widths = [1.2, 5.6, 2.4, 2.4, 2.8]
        if has_change:
            header.append(say("report-col-change"))
            widths = [1.2, 4.4, 2.2, 2.2, 2.6, 3.0]
        body.append(Para(say("report-c-ranking-caption"), "heading2"))
        body.append(Table(tuple(header), tuple(widths), tuple(rows), ("center", "left", "right", "center", "left",
                                                                       "left"), "ranking"))
        body.append(Para(say("report-c-fields-caption"), "heading2"))
        frows = []
        weak_fields = []
        for f in fw.fields:
            pts = [(u, (u["scores"].get("fields") or {}).get(f.code)) for u in ranked]
            pts = [(u, p) for u, p in pts if isinstance(p, int | float)]
            if not pts:
                continue
            top = max(p for _, p in pts)
            low = min(p for _, p in pts)
            leaders = [nfc(u.get("xa")) for u, p in pts if rank.quantize(p) == rank.quantize(top)]
            laggards = [nfc(u.get("xa")) for u, p in pts if rank.quantize(p) == rank.quantize(low)]
            mean = excel_round(sum(p for _, p in pts) / len(pts), 2)
            pct = derive.field_percent(fw, f.code, mean) if f.max else None
            if pct is not None and pct < wording.weak_threshold:
                weak_fields.append(say("report-field-points", label=f.label, points=vn(mean), max=vn(f.max),
                                       percent=vn(pct)))
            frows.append(Row((f.code, f.label, vn(f.max), vn(mean), _who(leaders, top), _who(laggards, low)
                              if rank.quantize(low) != rank.quantize(top) else say("report-c-all-equal"))))
        body.append(Table((say("report-col-field"), say("report-col-field-name"), say("report-col-max"),
                           say("report-col-mean"), say("report-col-leaders"), say("report-col-laggards")),
                          (1.6, 4.0, 1.5, 1.7, 3.7, 3.7), tuple(frows),
                          ("center", "left", "right", "right", "left", "left"), "fields"))
        if weak_fields:
            body.append(Para(say("report-c-weak-fields", threshold=vn(wording.weak_threshold),
                                 fields="; ".join(weak_fields))))
        if has_change:
            up = [u for u in ranked if (u.get("rank_change") or 0) > 0]
            down = [u for u in ranked if (u.get("rank_change") or 0) < 0]
            body.append(Para(say("report-c-trend-heading"), "heading2"))
            body.append(Para(say("report-c-trend", up=len(up), down=len(down),
                                 same=sum(1 for u in ranked if u.get("rank_change") == 0))))
            if up:
                best_up = max(up, key=lambda u: u["rank_change"])
                body.append(Para(say("report-c-trend-best", xa=best_up.get("xa"), n=best_up["rank_change"])))
        n_next = 4
    else:
        n_next = 3
    body.append(Para(say("report-c-evaluation-heading", roman=ROMAN[n_next - 1]), "heading1"))
    for heading, key in (("report-strengths-heading", "strengths"), ("report-weaknesses-heading", "weaknesses"),
                         ("report-causes-heading", "causes")):
        body.append(Para(say(heading), "heading2"))
        body.append(placeholder(wording.texts[key]))
    body.append(Para(say("report-c-tasks-heading", roman=ROMAN[n_next], period=ky_next.upper()), "heading1"))
    body.append(placeholder(wording.texts["tasks"]))
    body.append(Para(say("report-c-proposals-heading", roman=ROMAN[n_next + 1]), "heading1"))
    body.append(placeholder(wording.texts["proposals"]))
    if cons.get("closing") and (t := fill(cons["closing"].text, lookup)):
        body.append(Para(t))
    unit_label = say("report-unit-level", level=level, name=name) if name and level else say("report-unit-unknown")
    annexes = [appendix(form, data.totals, {}, say("report-annex-title", n=1), ky, unit_label)]
    recipients = [t for t in (fill(r.text, lookup) for r in wording.consolidation_recipients) if t]
    return ReportDocument(
        kind="consolidation",
        issuer_parent="",
        issuer=say("report-issuer", unit=unit_label.upper()),
        number=say("report-number"),
        place_date=date_words(name if level and name else "…", None, (data.nam + 1) if data.ky == "nam" and data.nam else data.nam),
        doc_type=say("report-doc-type"),
        subject=fill(cons["subject"].text, lookup) if cons.get("subject") else "",
        body=body,
        recipients=recipients,
        signer_authority=wording.signer_authority,
        signer_title=wording.signer_title,
        signer_name="",
        annexes=annexes,
    )


def _who(names: list[str], points: float) -> str:
    if len(names) > 3:
        return say("report-c-many", count=len(names), points=vn(points))
    return f"{', '.join(names)} ({vn(points)})"
