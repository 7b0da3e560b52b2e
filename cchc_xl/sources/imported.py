"""A commune's own appendix (any workbook layout or a Word report) as a data document of the ``new`` format.

The file is read as grids (:mod:`cchc_xl.sources.foreign`), the appendix rows are found and mapped to codes
(:mod:`cchc_xl.sources.appendix`), values are typed the way data files are (:mod:`cchc_xl.model.numbers`),
the metadata comes from the heading (:mod:`cchc_xl.sources.heading`) with ``--meta`` on top. The result
carries the mapping report: every source row, where it was, its STT and label, the code it went to (or why
not), how it matched and its status. ``cchc-xl import`` and ``consolidate --import`` build the workbook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cchc_xl.errors import DataError, UnusableInput
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form, list_forms, load_form, nfc
from cchc_xl.model.data import META_KEYS
from cchc_xl.model.numbers import parse_number
from cchc_xl.sources.appendix import Found, Mapped, find_rows, fold, map_rows, quick_score
from cchc_xl.sources.datafile import _meta_value, check_value
from cchc_xl.sources.foreign import read_foreign
from cchc_xl.sources.form_file import resolve_form
from cchc_xl.sources.heading import metadata_from_text

STATUSES = ("matched", "ambiguous", "unmatched", "ignored")


@dataclass
class ImportResult:
    source: Path
    form: str
    format: str
    rows: list[Mapped]
    meta: dict[str, object]
    values: int  # figures written to the workbook (values, stated figures, text)
    encodings: tuple[str, ...] = ()
    warnings: list[str] = field(default_factory=list)
    output: Path | None = None
    tables: int = 0
    document: dict = field(default_factory=dict)  # the data document (``new`` format) of the matched rows
    form_obj: Form | None = None

    @property
    def counts(self) -> dict[str, int]:
        return {s: sum(r.status == s for r in self.rows) for s in STATUSES}

    @property
    def problems(self) -> list[Mapped]:
        return [r for r in self.rows if r.status in ("ambiguous", "unmatched")]

    @property
    def exit_code(self) -> int:
        return 1 if self.problems else 0

    def report(self) -> dict:
        return {"source": str(self.source), "format": self.format, "form": self.form,
                "output": str(self.output) if self.output else None, "tables": self.tables,
                "encodings": list(self.encodings), "meta": {k: str(v) for k, v in self.meta.items()},
                "summary": {**self.counts, "values": self.values}, "warnings": self.warnings,
                "rows": [r.as_dict() for r in self.rows]}


def _coded(ind, raw: object) -> object:
    """A coded answer typed as its label ("Có", "Phát phiếu") → its value; anything else unchanged."""
    if isinstance(raw, str) and parse_number(raw) is None:
        for label, value in ind.allowed:
            if fold(label) == fold(raw):
                return value
    return raw


def build_document(form: Form, rows: list[Mapped], meta: dict[str, object], notes: dict[str, str]
                   ) -> tuple[dict, list[str], int]:
    """The data document (the ``new`` format) for the matched rows: (doc, warnings, figures kept)."""
    values: dict[str, object] = {}
    stated: dict[str, object] = {}
    text: dict[str, str] = {}
    warnings: list[str] = []
    for r in rows:
        if r.status != "matched" or r.value is None or (isinstance(r.value, str) and not r.value.strip()):
            continue
        ind = form.by_code[r.code]
        raw = r.value
        if ind.kind == "coded":
            raw = _coded(ind, raw)
        if not ind.has_cell:
            r.reason = (r.reason + "; " if r.reason else "") + "dòng nhóm không có ô số liệu: giá trị không ghi"
            warnings.append(say("import-group-value", code=ind.code, where=r.where, value=r.value))
            continue
        if ind.is_derived:
            parsed = parse_number(raw)
            if parsed is not None:
                stated[ind.code] = parsed.value
            else:
                warnings.append(say("import-derived-text", code=ind.code, where=r.where, value=r.value))
            continue
        if hasattr(raw, "isoformat"):
            raw = raw.isoformat()
        value, problem, warning = check_value(ind, raw)
        if problem is None:
            values[ind.code] = value
        else:
            text[ind.code] = nfc(raw)
            warnings.append(say("import-kept-as-text", code=ind.code, where=r.where, value=raw, detail=problem))
        if warning:
            warnings.append(f"{ind.code}: {warning}")
    kept_notes = {c: n for c, n in notes.items() if c in form.by_code and form.by_code[c].has_cell}
    doc = {"form": form.id, "meta": meta, "values": values, "stated": stated, "text": text, "notes": kept_notes}
    return doc, warnings, len(values) + len(stated) + len(text)


def parse_meta_options(pairs: tuple[str, ...] | list[str]) -> dict[str, str]:
    out: dict[str, str] = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        key = nfc(key)
        if not sep or key not in META_KEYS:
            raise DataError([say("import-bad-meta-option", option=pair, known=", ".join(META_KEYS))])
        out[key] = nfc(value)
    return out


def _checked_meta(meta: dict[str, object], form: Form, warnings: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for key, raw in meta.items():
        value, problem = _meta_value(key, raw, form)
        if problem:
            warnings.append(say("import-meta-dropped", key=key, value=raw, detail=problem))
        elif value is not None:
            out[key] = value
    return out


def _best_form(found_by_form: dict[str, tuple[Found, list[Mapped]]]) -> str:
    def strength(item):
        _, mapped = item[1]
        return sum(m.status == "matched" and m.how == "code" for m in mapped), sum(m.status == "matched" for m in mapped)

    return max(found_by_form.items(), key=strength)[0]


def read_appendix(path: str | Path, form: Form | str | None = None, column: str | None = None
                  ) -> tuple[str, Form, Found, list[Mapped]]:
    """Find and map the appendix of ``path`` (the form is detected when not given)."""
    fmt, grids, paragraphs, skipped = read_foreign(path)
    forms = [form if isinstance(form, Form) else load_form(form)] if form else [load_form(f) for f in list_forms()]
    results: dict[str, tuple[Found, list[Mapped]]] = {}
    found = find_rows(grids, None, column)
    found.context = paragraphs[:40] + found.context
    if len(forms) > 1:  # keep the forms whose labels the table uses most, then map those fully
        scores = {f.id: quick_score(f, found.rows) for f in forms}
        top = max(scores.values())
        forms = [f for f in forms if scores[f.id] == top]
    for f in forms:
        results[f.id] = (found, map_rows(f, found.rows))
    best = _best_form(results) if len(results) > 1 else forms[0].id
    found, mapped = results[best]
    if found.tables == 0 or not any(m.status == "matched" for m in mapped):
        extra = say("import-skipped-sheets", sheets=", ".join(skipped)) if skipped else ""
        raise UnusableInput("no-appendix", say("import-no-appendix", path=Path(path).name) + extra, str(path))
    return fmt, next(f for f in forms if f.id == best), found, mapped


def import_document(path: str | Path, form: Form | str | None = None, meta: dict[str, str] | None = None,
                    column: str | None = None) -> ImportResult:
    """Find, map and type the appendix of ``path``; nothing is written."""
    fmt, form_obj, found, mapped = read_appendix(path, resolve_form(form) if form else None, column)
    warnings: list[str] = []
    if found.encodings:
        warnings.append(say("import-legacy-encoding", encodings=", ".join(sorted(found.encodings))))
    raw_meta: dict[str, object] = metadata_from_text(found.context)
    if "tinh" not in raw_meta and form_obj.province:
        raw_meta["tinh"] = form_obj.province
    raw_meta.update(meta or {})
    checked = _checked_meta(raw_meta, form_obj, warnings)
    notes = {}
    for m, src in zip(mapped, found.rows, strict=True):
        if m.status == "matched" and src.note:
            notes[m.code] = src.note
    doc, value_warnings, kept = build_document(form_obj, mapped, checked, notes)
    warnings.extend(value_warnings)
    result = ImportResult(Path(path), form_obj.id, fmt, mapped, checked, kept, tuple(sorted(found.encodings)),
                          warnings, tables=found.tables)
    result.document, result.form_obj = doc, form_obj
    return result
