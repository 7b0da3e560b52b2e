"""Sentence templates of the narrative report (báo cáo CCHC), one YAML file per form, checked on load.

A province changes the wording without touching code: ``catalogs/wording/<form-id>.yaml`` ships for every
bundled form and ``--wording FILE`` takes a province's own. Template syntax:

* ``{3.3.1}`` — the value of an indicator code, in Vietnamese number format (a coded answer by its label);
* ``{3.3.2/3.3.1}`` — a ratio computed here (num/den × 100, 2 decimals, Excel rounding), never typed;
* ``{@xa}`` — a context value (``@xa @huyen @tinh @nam @ky @ky_toi @nam_toi @cap @don_vi @cap_tren``);
* ``{total}``, ``{points}``… — the PAR-score keys, only in the ``par`` templates;
* ``[[ … ]]`` — an optional segment, dropped when a placeholder inside it is blank. A sentence whose
  placeholder outside every optional segment is blank is dropped as a whole: a blank indicator is left
  out of the text, never written as 0;
* ``[[+ … ]]`` — an optional segment of a group of which at least one must be filled, else the sentence
  is dropped ("trong đó: trực tiếp …, qua BCCI …" without any part says nothing).

Every placeholder is checked when the file is loaded (an unknown code is an error naming the file and its
line), so a typo cannot silently blank a sentence in forty communes' reports.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

import yaml

from cchc_xl.errors import CatalogError
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form, load_form, nfc

CONTEXT_KEYS = ("xa", "huyen", "tinh", "nam", "ky", "ky_toi", "nam_toi", "cap", "don_vi", "cap_tren")
PAR_KEYS = {
    "intro": ("basis", "total", "max", "percent", "rank", "ranked", "rating", "change", "fields_count"),
    "incomplete": ("basis", "total", "max", "scored", "fields_count", "missing"),
    "field": ("label", "points", "max", "percent", "level", "levels", "rank", "ranked", "change"),
}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_OPTIONAL = re.compile(r"\[\[(.*?)\]\]", re.S)


class WordingError(CatalogError):
    """A wording file cannot be used; ``problems`` lists every Vietnamese message (with its line)."""


@dataclass(frozen=True)
class Template:
    """One sentence template and the line of the file it came from (for messages)."""

    text: str
    line: int = 0


@dataclass(frozen=True)
class Part:
    """A part of the body made of figure sentences: section I or one field of section II."""

    title: str
    sentences: tuple[Template, ...]
    placeholder: str = ""


@dataclass(frozen=True)
class Wording:
    """Everything the narrative report says that is not a heading of the decree's layout."""

    form: str
    source: str
    subject: Template
    opening: Template
    closing: Template
    direction: Part
    fields: tuple[Part, ...]
    par: dict[str, Template]
    weak_threshold: float
    strong_threshold: float
    texts: dict[str, str]  # placeholders where only a person can write
    recipients: tuple[Template, ...]
    signer_authority: str
    signer_title: str
    consolidation: dict[str, Template] = field(default_factory=dict)
    consolidation_recipients: tuple[Template, ...] = ()


# ------------------------------------------------------------------------------------------ rendering


def placeholders(text: str) -> list[str]:
    return _PLACEHOLDER.findall(text)


def fill(text: str, lookup: Callable[[str], str | None]) -> str | None:
    """Fill ``text``; ``None`` when a required placeholder is blank. Optional ``[[…]]`` segments drop out."""

    def sub(segment: str) -> str | None:
        out, missing = [], False

        def one(m: re.Match) -> str:
            nonlocal missing
            value = lookup(m.group(1).strip())
            if value is None or value == "":
                missing = True
                return ""
            return value

        out.append(_PLACEHOLDER.sub(one, segment))
        return None if missing else out[0]

    pieces: list[str] = []
    pos = 0
    for m in _OPTIONAL.finditer(text):
        pieces.append(text[pos:m.start()])
        pieces.append("\x00" + m.group(1))
        pos = m.end()
    pieces.append(text[pos:])
    result = []
    any_group, group_filled = False, False
    for piece in pieces:
        if piece.startswith("\x00"):
            body = piece[1:]
            grouped = body.startswith("+")
            any_group = any_group or grouped
            filled = sub(body[1:] if grouped else body)
            if filled is not None:
                group_filled = group_filled or grouped
                result.append(filled)
        else:
            filled = sub(piece)
            if filled is None:
                return None
            result.append(filled)
    if any_group and not group_filled:
        return None
    return nfc(re.sub(r"[ \t]{2,}", " ", "".join(result)))


# -------------------------------------------------------------------------------------------- loading


def _wording_dir() -> Path:
    return Path(str(resources.files("cchc_xl") / "catalogs" / "wording"))


def list_wordings() -> list[str]:
    return sorted(p.stem for p in _wording_dir().glob("*.yaml"))


@cache
def load_wording(form_id: str) -> Wording:
    """The bundled wording of a form (cached)."""
    path = _wording_dir() / f"{form_id}.yaml"
    if not path.is_file():
        raise WordingError([say("wording-none", form=form_id)])
    return load_wording_file(path, form_id)


def load_wording_file(path: str | Path, form_id: str | None = None) -> Wording:
    """Load and check a wording file; ``form_id`` is the form it must be for (None: the file's own)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        raise WordingError([say("wording-unreadable", path=str(path))]) from None
    try:
        root = yaml.compose(text)
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", -1) + 1
        raise WordingError([say("wording-yaml", path=str(path), line=line or "?")]) from None
    if not isinstance(root, yaml.MappingNode):
        raise WordingError([say("wording-shape", path=str(path), line=1, key="(gốc)")])
    return _build(_Node(root, str(path)), form_id)


class _Node:
    """A YAML node with its line, so every problem names the line a clerk has to fix."""

    def __init__(self, node: yaml.Node, path: str):
        self.node, self.path = node, path

    @property
    def line(self) -> int:
        return self.node.start_mark.line + 1

    def get(self, key: str) -> _Node | None:
        if isinstance(self.node, yaml.MappingNode):
            for k, v in self.node.value:
                if k.value == key:
                    return _Node(v, self.path)
        return None

    def items(self) -> list[_Node]:
        return [_Node(v, self.path) for v in self.node.value] if isinstance(self.node, yaml.SequenceNode) else []

    def scalar(self) -> str | None:
        return nfc(self.node.value) if isinstance(self.node, yaml.ScalarNode) else None


def _build(root: _Node, expect_form: str | None) -> Wording:
    problems: list[str] = []
    path = root.path

    def text(node: _Node | None, key: str, required: bool = True) -> Template:
        if node is None:
            if required:
                problems.append(say("wording-missing", path=path, key=key))
            return Template("", 0)
        value = node.scalar()
        if value is None:
            problems.append(say("wording-shape", path=path, line=node.line, key=key))
            return Template("", node.line)
        return Template(value, node.line)

    form_node = root.get("form")
    form_id = form_node.scalar() if form_node else None
    if not form_id:
        raise WordingError([say("wording-missing", path=path, key="form")])
    if expect_form and form_id != expect_form:
        raise WordingError([say("wording-other-form", path=path, form=form_id, expected=expect_form)])
    try:
        form = load_form(form_id)
    except Exception:
        raise WordingError([say("wording-unknown-form", path=path, form=form_id)]) from None

    def part(node: _Node | None, key: str) -> Part:
        if node is None:
            problems.append(say("wording-missing", path=path, key=key))
            return Part("", ())
        title = text(node.get("title"), key + ".title").text
        sentences = tuple(text(n, key + ".sentences") for n in (node.get("sentences").items()
                                                                 if node.get("sentences") else []))
        ph = text(node.get("placeholder"), key + ".placeholder", required=False).text
        return Part(title, sentences, ph)

    subject = text(root.get("subject"), "subject")
    opening = text(root.get("opening"), "opening")
    closing = text(root.get("closing"), "closing")
    direction = part(root.get("direction"), "direction")
    fields_node = root.get("fields")
    fields = tuple(part(n, f"fields[{i + 1}]") for i, n in enumerate(fields_node.items() if fields_node else []))
    if not fields:
        problems.append(say("wording-missing", path=path, key="fields"))
    par_node = root.get("par")
    par = {k: text(par_node.get(k) if par_node else None, "par." + k) for k in PAR_KEYS}
    thresholds = root.get("thresholds")

    def number(key: str, default: float) -> float:
        node = thresholds.get(key) if thresholds else None
        if node is None:
            return default
        try:
            return float((node.scalar() or "").replace(",", "."))
        except ValueError:
            problems.append(say("wording-shape", path=path, line=node.line, key="thresholds." + key))
            return default

    texts_node = root.get("texts")
    texts = {}
    for key in ("strengths", "weaknesses", "causes", "tasks", "proposals"):
        texts[key] = text(texts_node.get(key) if texts_node else None, "texts." + key).text
    rec_node = root.get("recipients")
    recipients = tuple(text(n, "recipients") for n in (rec_node.items() if rec_node else []))
    signer = root.get("signer")
    authority = text(signer.get("authority") if signer else None, "signer.authority").text
    title = text(signer.get("title") if signer else None, "signer.title").text
    cons_node = root.get("consolidation")
    consolidation = {}
    cons_recipients: tuple[Template, ...] = ()
    if cons_node is not None:
        for key in ("subject", "opening", "closing"):
            consolidation[key] = text(cons_node.get(key), "consolidation." + key)
        rn = cons_node.get("recipients")
        cons_recipients = tuple(text(n, "consolidation.recipients") for n in (rn.items() if rn else []))

    # Check every placeholder against what it may name.
    codes = {i.code for i in form.cells}
    for tpl in (direction.sentences + tuple(s for f in fields for s in f.sentences)):
        _check(tpl, path, _code_ok(codes), problems)
    for tpl in (subject, opening, closing, *recipients, *consolidation.values(), *cons_recipients):
        _check(tpl, path, lambda p: p.startswith("@") and p[1:] in CONTEXT_KEYS, problems)
    for key, tpl in par.items():
        allowed = set(PAR_KEYS[key])
        _check(tpl, path, lambda p, allowed=allowed: p in allowed or (p.startswith("@") and p[1:] in CONTEXT_KEYS),
               problems)
    for tpl in (*[Template(t) for t in texts.values()], Template(direction.placeholder),
                *[Template(f.placeholder) for f in fields]):
        if placeholders(tpl.text):
            problems.append(say("wording-placeholder-in-text", path=path, text=tpl.text[:60]))
    if problems:
        raise WordingError(problems)
    return Wording(form_id, path, subject, opening, closing, direction, fields, par,
                   number("weak", 75.0), number("strong", 90.0), texts, recipients, authority, title,
                   consolidation, cons_recipients)


def _code_ok(codes: set[str]) -> Callable[[str], bool]:
    def ok(p: str) -> bool:
        if p.startswith("@"):
            return p[1:] in CONTEXT_KEYS
        if "/" in p:
            num, _, den = p.partition("/")
            return num.strip() in codes and den.strip() in codes
        return p in codes

    return ok


def _check(tpl: Template, path: str, ok: Callable[[str], bool], problems: list[str]) -> None:
    text = tpl.text
    if text.count("[[") != text.count("]]"):
        problems.append(say("wording-brackets", path=path, line=tpl.line))
    if text.count("{") != text.count("}"):
        problems.append(say("wording-braces", path=path, line=tpl.line))
    for p in placeholders(text):
        if not ok(p.strip()):
            problems.append(say("wording-unknown-placeholder", path=path, line=tpl.line, placeholder=p))


def wording_for(form: Form, path: str | Path | None = None) -> Wording:
    """The wording used for ``form``: a province's file when given, else the bundled one."""
    return load_wording_file(path, form.id) if path else load_wording(form.id)


def context_lookup(context: Mapping[str, object]) -> Callable[[str], str | None]:
    def lookup(key: str) -> str | None:
        value = context.get(key[1:] if key.startswith("@") else key)
        return None if value in (None, "") else str(value)

    return lookup
