"""Data files that carry a commune's figures by code (YAML, JSON, or CSV ``code,value``), checked against a form.

``load_data`` reads a file; ``check_data`` turns raw values into typed ones and collects every problem
(unknown code, value for a derived or heading row, wrong kind, score over its maximum) as Vietnamese
messages, so a command can refuse the whole file before writing anything.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from pathlib import Path

import yaml

from cchc_xl.errors import DataError
from cchc_xl.messages import say
from cchc_xl.model.catalog import PERIODS, SCORE_DECIMALS, Form, Framework, Indicator, nfc
from cchc_xl.model.data import META_KEYS, WorkbookData
from cchc_xl.model.numbers import format_vn, parse_number


def load_data(path: str | Path) -> dict:
    """Read a data file into a plain dict with the keys of the documented format."""
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([say("data-unreadable", path=str(path), detail=exc)]) from None
    suffix = p.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            doc = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # safe subset, in C
        elif suffix == ".json":
            doc = json.loads(text)
        elif suffix == ".csv":
            rows = list(csv.reader(io.StringIO(text)))
            if rows and [nfc(c).lower() for c in rows[0][:2]] in (["code", "value"], ["ma", "gia_tri"]):
                rows = rows[1:]
            doc = {"values": {nfc(r[0]): r[1] for r in rows if r and nfc(r[0])}}
        else:
            raise DataError([say("data-bad-format", path=str(path))])
    except (yaml.YAMLError, json.JSONDecodeError, csv.Error, IndexError) as exc:
        raise DataError([say("data-unreadable", path=str(path), detail=exc)]) from None
    if not isinstance(doc, dict):
        raise DataError([say("data-bad-shape", path=str(path), detail="nội dung phải là một bảng khóa–giá trị")])
    for key in ("meta", "values", "scores", "appraised", "notes", "evidence", "stated", "text"):
        if doc.get(key) is not None and not isinstance(doc[key], dict):
            raise DataError([say("data-bad-shape", path=str(path), detail=f"mục '{key}' phải là bảng mã–giá trị")])
    return doc


def check_value(ind: Indicator, raw: object) -> tuple[int | float | None, str | None, str | None]:
    """Type ``raw`` for indicator ``ind``: (value, problem, warning). Text is parsed the Vietnamese way."""
    parsed = parse_number(raw)
    if parsed is None:
        return None, say("value-not-number"), None
    value = parsed.value
    warning = None
    if parsed.ambiguous:
        warning = say("value-ambiguous", text=str(raw).strip(), value=format_vn(value))
    if ind.kind == "coded":
        if value not in ind.allowed_values:
            allowed = "; ".join(f"{label} = {v}" for label, v in ind.allowed)
            return None, say("value-not-allowed", allowed=allowed), warning
        return int(value), None, warning
    if value < 0:
        return None, say("value-negative"), warning
    if ind.kind == "count" and value != int(value):
        return None, say("value-not-whole"), warning
    if ind.kind == "percent" and value > 100:
        return None, say("value-percent-range"), warning
    return (int(value) if ind.kind == "count" else value), None, warning


def check_score(code: str, raw: object, maximum: Decimal | None) -> tuple[Decimal | None, str | None]:
    parsed = parse_number(raw)
    if parsed is None:
        return None, say("value-not-number")
    d = Decimal(repr(parsed.value)) if isinstance(parsed.value, float) else Decimal(parsed.value)
    if d < 0:
        return None, say("value-negative")
    if d != d.quantize(Decimal(1).scaleb(-SCORE_DECIMALS)):
        return None, say("value-too-precise")
    if maximum is not None and d > maximum:
        return None, say("value-over-max", max=format_vn(float(maximum)))
    return d, None


def _meta_value(key: str, raw: object, form: Form) -> tuple[object, str | None]:
    if raw is None or raw == "":
        return None, None
    if key == "ky":
        text = nfc(raw)
        by_label = {label.lower(): code for code, label in PERIODS.items()}
        code = text if text in PERIODS else by_label.get(text.lower())
        if code is None or code not in form.periods:
            return None, "kỳ báo cáo phải là một trong " + ", ".join(form.periods)
        return code, None
    if key == "nam":
        parsed = parse_number(raw)
        if parsed is None or parsed.value != int(parsed.value) or not 2000 <= parsed.value <= 2100:
            return None, "năm phải là số nguyên từ 2000 đến 2100"
        return int(parsed.value), None
    if key == "ngay_lap":
        if isinstance(raw, dt.datetime):
            return raw.date(), None
        if isinstance(raw, dt.date):
            return raw, None
        text = nfc(raw)
        for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y"):
            try:
                return dt.datetime.strptime(text, fmt).date(), None
            except ValueError:
                pass
        return None, "ngày phải có dạng YYYY-MM-DD hoặc DD/MM/YYYY"
    return nfc(raw), None


def check_data(doc: dict, form: Form, framework: Framework, derived_as_stated: bool = False) -> WorkbookData:
    """Check a data document against ``form`` and ``framework``; raise :class:`DataError` listing all problems.

    ``derived_as_stated``: a value given for a derived row is taken as a stated figure (compared, never
    written) instead of being refused.
    """
    problems: list[str] = []
    data = WorkbookData(form=form.id)
    data_form = nfc(doc.get("form")) or form.id
    if data_form != form.id:
        problems.append(say("data-form-mismatch", data_form=data_form, form=form.id))
    for key, raw in (doc.get("meta") or {}).items():
        key = nfc(key)
        if key not in META_KEYS:
            problems.append(say("data-unknown-meta", key=key, known=", ".join(META_KEYS)))
            continue
        value, problem = _meta_value(key, raw, form)
        if problem:
            problems.append(say("data-bad-meta", key=key, detail=problem))
        elif value is not None:
            data.meta[key] = value
    for raw_code, raw in (doc.get("values") or {}).items():
        code = nfc(raw_code)
        ind = form.by_code.get(code)
        if ind is None:
            problems.append(say("data-unknown-code", code=code, form=form.id))
        elif ind.kind == "group":
            problems.append(say("data-group-code", code=code, label=ind.label))
        elif ind.is_derived and derived_as_stated:
            parsed = parse_number(raw)
            if parsed is None:
                problems.append(say("data-bad-value", value=raw, code=code, label=ind.label,
                                    detail=say("value-not-number")))
            else:
                data.stated[code] = parsed.value
        elif ind.is_derived:
            problems.append(say("data-derived-code", code=code, label=ind.label, formula=ind.derive.describe()))
        elif raw is None or (isinstance(raw, str) and not raw.strip()):
            continue
        else:
            value, problem, warning = check_value(ind, raw)
            if problem:
                problems.append(say("data-bad-value", value=raw, code=code, label=ind.label, detail=problem))
            else:
                data.values[code] = value  # type: ignore[assignment]
            if warning:
                data.warnings.append(f"{code}: {warning}")
    for raw_code, note in (doc.get("notes") or {}).items():
        code = nfc(raw_code)
        if code not in form.by_code or not form.by_code[code].has_cell:
            problems.append(say("data-unknown-code", code=code, form=form.id))
        elif note is not None:
            data.notes[code] = nfc(note)
    for section, target in (("scores", data.scores), ("appraised", data.appraised)):
        for raw_code, raw in (doc.get(section) or {}).items():
            code = nfc(raw_code)
            crit = framework.by_code.get(code)
            if crit is None:
                problems.append(say("data-unknown-criterion", code=code, framework=framework.id))
            elif crit.computed:
                problems.append(say("data-computed-criterion", code=code))
            elif section == "scores" and not crit.self_assessed:
                problems.append(say("data-survey-self-score", code=code))
            elif raw is not None and raw != "":
                value, problem = check_score(code, raw, crit.max)
                if problem:
                    problems.append(say("data-bad-score", value=raw, code=code, detail=problem))
                else:
                    target[code] = value  # type: ignore[assignment]
    for raw_code, raw in (doc.get("stated") or {}).items():
        code = nfc(raw_code)
        derived_row = code in form.by_code and form.by_code[code].is_derived
        computed_score = code == "total" or (code in framework.by_code and framework.by_code[code].computed)
        parsed = parse_number(raw)
        if not (derived_row or computed_score):
            problems.append(say("data-stated-not-derived", code=code))
        elif parsed is None:
            problems.append(say("data-bad-value", value=raw, code=code, label=code, detail=say("value-not-number")))
        else:
            data.stated[code] = parsed.value
    for raw_code, raw in (doc.get("text") or {}).items():
        code = nfc(raw_code)
        ind = form.by_code.get(code)
        if ind is None or not ind.is_input:
            problems.append(say("data-unknown-code", code=code, form=form.id))
        elif code in data.values:
            problems.append(say("data-text-and-value", code=code))
        elif raw is not None:
            data.text[code] = nfc(raw)
    for raw_code, text in (doc.get("evidence") or {}).items():
        code = nfc(raw_code)
        if code not in framework.by_code:
            problems.append(say("data-unknown-criterion", code=code, framework=framework.id))
        elif text is not None:
            data.evidence[code] = nfc(text)
    if problems:
        raise DataError(problems)
    return data
