"""Find the official appendix table wherever a commune put it, and map its rows to catalog codes.

Two pure steps over :class:`~.grid.Grid` records:

1. :func:`find_rows` finds every header (a row with an STT cell and a "Chỉ tiêu …" cell, possibly over one
   or two more header rows: "Kết quả thống kê" over "Đơn vị tính | Số liệu", a column-number row), decides
   which column holds the value (Số liệu / Kỳ này / Kết quả / Số lượng, never Kỳ trước / Lũy kế, or the
   one ``--column`` names), skips repeated headers and "Biểu mẫu N" title rows (which set the section)
   and returns the data rows in order. Legacy TCVN3 / VNI text is converted on the way.
2. :func:`map_rows` maps each row to a code, in this order of trust:

   * ``code``: the printed STT is one the form prints (or its code) **and** the label agrees
     (similarity ≥ :data:`CODE_LABEL_MIN`); among several such codes the label decides (01b prints 1.1.2
     and 1.1.3 again under 1.2: the catalog's ``printed`` field lists both, the label picks 1.2.2/1.2.3).
   * ``label``: the label alone, when exactly one indicator's label is similar enough
     (≥ :data:`LABEL_MIN`, and :data:`LABEL_MARGIN` ahead of any other code); identical labels are told
     apart by their parent (the last numbered row's).
   * ``order``: unnumbered "Trong đó" rows under a numbered row whose labels do not match are taken in the
     form's order, only when the block has exactly as many rows as the form's breakdown.

   Labels are compared NFC, lower-cased, diacritics folded (đ → d), punctuation and whitespace
   normalised, with :class:`difflib.SequenceMatcher` (typo-tolerant). **Precision before recall**: a row
   with conflicting or insufficient evidence is ``ambiguous`` or ``unmatched`` and its value is left out,
   never guessed; a code is given to one row only.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cache

from cchc_xl.model.catalog import Form, Indicator
from cchc_xl.model.vnencoding import detect_many, to_unicode
from cchc_xl.sources.grid import Grid

CODE_LABEL_MIN = 0.75  # label similarity that confirms a printed STT
LABEL_MIN = 0.92  # label similarity that identifies a row on its own (one or two typos in a label)
LABEL_MARGIN = 0.03  # … and by how much it must beat the next code
CODE_MARGIN = 0.08  # between codes sharing one printed STT

_STT_WORDS = ("stt", "tt", "so tt", "so thu tu", "thu tu")
_OTHER_WORDS = ("ky truoc", "luy ke", "cung ky", "ke hoach", "nam truoc", "so sanh", "tang giam", "uoc")
_VALUE_WORDS = (("ky nay", 1), ("so lieu", 2), ("so luong ty le", 3), ("so luong", 3), ("ty le", 4),
                ("ket qua", 5), ("thuc hien", 6), ("gia tri", 6))
_FOOTER = ("nguoi lap", "chu tich", "tm ubnd", "tm uy ban", "t m uy ban", "thu truong", "noi nhan",
           "xac nhan cua", "ky ten", "pho chu tich")
_SECTION = re.compile(r"\bbieu mau\s*(?:so\s*)?(\d+)\b")
_STT_CODE = re.compile(r"^[0-9]+(?:\.[0-9]+)*[a-z]?$")
_LEADING_STT = re.compile(r"^((?:[0-9]+\.)+[0-9]*|[0-9]+\.)\s+(\S.*)$")


# -------------------------------------------------------------------------------------------- normalising
@cache
def fold(text: str) -> str:
    """Comparison form of a label: NFC, lower case, no diacritics (đ → d), words separated by one space."""
    s = unicodedata.normalize("NFD", unicodedata.normalize("NFC", text).lower().replace("đ", "d"))
    s = "".join(c for c in s if not unicodedata.combining(c))
    s = re.sub(r"[^0-9a-z]+", " ", s)
    return s.strip()


def _no_paren(s: str) -> str:
    return re.sub(r"\([^)]*\)", " ", s)


def stt_key(text: str) -> str:
    """Printed STT in comparison form: "1.1.2." → "1.1.2", "3,3" → "3.3", "7.6." → "7.6"."""
    s = unicodedata.normalize("NFC", text).strip().lower().replace(",", ".")
    s = re.sub(r"\s+", "", s)
    return s.strip(".")


@cache
def similarity(a: str, b: str) -> float:
    """Label similarity in [0, 1] of two raw labels (compared folded; a parenthetical may be left out)."""
    fa, fb = fold(a), fold(b)
    if not fa or not fb:
        return 0.0
    if fa > fb:  # SequenceMatcher is not symmetric: compare in one canonical order
        a, b, fa, fb = b, a, fb, fa
    if fa == fb:
        return 1.0
    best = difflib.SequenceMatcher(None, fa, fb, autojunk=False).ratio()
    pa, pb = fold(_no_paren(a)), fold(_no_paren(b))
    if pa and pb and (pa, pb) != (fa, fb):
        if pa == pb:
            return max(best, 0.97)
        best = max(best, difflib.SequenceMatcher(None, pa, pb, autojunk=False).ratio())
    return best


def _text(value: object, font: str | None = None, hint: str | None = None) -> tuple[str, str | None]:
    if value is None:
        return "", None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, str):
        return str(value), None
    text, enc = to_unicode(value, font, hint)
    return " ".join(text.split()), enc


# ---------------------------------------------------------------------------------------------- headers
@dataclass(frozen=True)
class Columns:
    """Which column of a table holds what (0-based); ``others`` are extra value columns left out."""

    stt: int | None
    label: int
    value: int
    unit: int | None = None
    note: int | None = None
    others: tuple[tuple[int, str], ...] = ()
    value_header: str = ""


def _is_stt_header(f: str) -> bool:
    return f in _STT_WORDS or f.startswith("stt ")


def header_at(grid: Grid, r: int) -> bool:
    cells = [fold(_text(v, None, grid.encoding)[0]) for v in grid.rows[r]]
    return any(_is_stt_header(c) for c in cells) and any("chi tieu" in c or "noi dung" in c for c in cells)


def _numbering_row(cells: list[str]) -> bool:
    filled = [c for c in cells if c]
    return len(filled) >= 3 and all(len(c) <= 4 and re.fullmatch(r"\(?[0-9a-z]{1,2}\)?", c) for c in filled)


def _header_block(grid: Grid, r: int) -> int:
    """Index of the last header row of the header starting at ``r``."""
    end = r
    keywords = ("don vi", "so lieu", "ky nay", "ky truoc", "luy ke", "ghi chu", "ket qua", "so luong", "dvt")
    for k in range(r + 1, min(r + 4, len(grid.rows))):
        cells = [fold(_text(v, None, grid.encoding)[0]) for v in grid.rows[k]]
        if _numbering_row(cells):
            end = k
            continue
        filled = [c for c in cells if c]
        numeric = any(isinstance(v, int | float) for v in grid.rows[k])
        if filled and not numeric and all(any(w in c for w in keywords) for c in filled):
            end = k
            continue
        break
    return end


def columns_of(grid: Grid, start: int, end: int, want: str | None = None) -> Columns | None:
    """Column roles from the header rows ``start..end``; None when no value column can be told."""
    width = max(len(grid.rows[k]) for k in range(start, end + 1))
    texts = []
    for c in range(width):
        parts = [fold(_text(grid.cell(k, c), None, grid.encoding)[0]) for k in range(start, end + 1)]
        texts.append(" ".join(p for p in parts if p))
    stt = label = unit = note = None
    values: list[tuple[int, int, str]] = []
    others: list[tuple[int, str]] = []
    wanted = fold(want) if want else ""
    for c, t in enumerate(texts):
        if not t:
            continue
        raw = " ".join(_text(grid.cell(k, c), None, grid.encoding)[0] for k in range(start, end + 1) if grid.cell(k, c) is not None)
        if wanted and wanted in t:
            values.append((0, c, raw))
        elif stt is None and _is_stt_header(t.split(" ")[0] if t.startswith("stt") else t):
            stt = c
        elif label is None and ("chi tieu" in t or "noi dung" in t):
            label = c
        elif "ghi chu" in t:
            note = c
        elif "don vi tinh" in t or t in ("dvt", "don vi") or t.endswith(" dvt"):
            unit = c
        elif any(w in t for w in _OTHER_WORDS):
            others.append((c, raw))
        else:
            prio = next((p for w, p in _VALUE_WORDS if w in t), None)
            if prio is not None:
                values.append((prio, c, raw))
            else:
                others.append((c, raw))
    if label is None:
        return None
    if not values:
        # No named value column: the one column that is neither STT, label, unit nor note.
        free = [c for c, _ in others if not any(w in texts[c] for w in _OTHER_WORDS)]
        if len(free) != 1:
            return None
        values = [(9, free[0], dict(others)[free[0]])]
        others = [(c, h) for c, h in others if c != free[0]]
    values.sort()
    prio, value, header = values[0]
    others.extend((c, h) for _, c, h in values[1:])
    return Columns(stt, label, value, unit, note, tuple(sorted(others)), header)


# ------------------------------------------------------------------------------------------------- rows
@dataclass
class SourceRow:
    """One data row of a found table, texts converted to Unicode."""

    where: str  # sheet!cell of the label, or "bảng N, dòng M"
    value_where: str
    stt: str  # comparison form ("" when unnumbered)
    printed_stt: str
    label: str
    value: object
    unit: str = ""
    note: str = ""
    section: str | None = None  # from a "Biểu mẫu N" title; None when the table does not say
    breakdown: bool = False  # a "Trong đó" / bullet row
    encoding: str | None = None
    table: int = 0


@dataclass
class Found:
    rows: list[SourceRow]
    tables: int
    context: list[str]  # text printed around the tables: title, heading (for the metadata)
    value_headers: list[str] = field(default_factory=list)
    encodings: set[str] = field(default_factory=set)


def _section_in(texts: list[str], form: Form | None = None) -> str | None:
    """The last "Biểu mẫu N" title in ``texts`` as a section id (``BMN``); the mapper ignores unknown ids."""
    found = None
    for t in texts:
        m = _SECTION.search(fold(t))
        if m:
            found = f"BM{m.group(1)}"
    return found


def find_rows(grids: list[Grid], form: Form | None = None, column: str | None = None) -> Found:
    """Every data row of every appendix table in ``grids``, in order (see the module docstring).

    Independent of the form, so one pass serves the detection of the form among several."""
    found = Found([], 0, [])
    for grid in grids:
        if grid.encoding is None:
            grid.encoding = detect_many([v for row in grid.rows for v in row if isinstance(v, str)])
        grid.before = [to_unicode(t, None, detect_many(grid.before))[0] for t in grid.before]
        section = _section_in(grid.before, form)
        found.context.extend(grid.before)
        cols: Columns | None = None
        titled = False  # a "Biểu mẫu N" title since the last header: the next header starts a new table
        r = 0
        while r < len(grid.rows):
            row = grid.rows[r]
            if header_at(grid, r):
                end = _header_block(grid, r)
                new = columns_of(grid, r, end, column)
                if new is not None:
                    if cols is None or new != cols or titled:
                        found.tables += 1
                        found.value_headers.append(new.value_header)
                    cols = new
                    titled = False
                r = end + 1
                continue
            texts = [_text(v, grid.fonts.get((r, c)), grid.encoding) for c, v in enumerate(row)]
            filled = [t for t, _ in texts if t]
            if not filled:
                r += 1
                continue
            joined = " | ".join(filled)
            if cols is not None and any(fold(t).startswith(_FOOTER) for t in filled):
                cols = None  # the signature block ends the table
            if cols is None:
                found.context.append(joined)
                section = _section_in([joined], form) or section
                r += 1
                continue
            if _numbering_row([fold(t) for t, _ in texts]):
                r += 1
                continue

            def at(c: int | None, texts=texts) -> str:
                return texts[c][0] if c is not None and c < len(texts) else ""

            value = grid.cell(r, cols.value)
            printed, label = at(cols.stt), at(cols.label)
            title = _SECTION.match(fold(joined))
            if title and (value is None or value == label):
                section = _section_in([joined], form) or section
                titled = True
                found.context.append(joined)
                r += 1
                continue
            if cols.stt is not None and not label and printed and len(filled) == 1 and len(printed) > 12:
                label, printed = printed, ""  # a label typed across the merged STT+label cells
            breakdown = False
            if fold(printed).startswith("trong do"):
                breakdown, printed = True, ""
            if fold(label).startswith("trong do"):
                breakdown = True
                label = re.sub(r"^\s*trong\s*đó\s*[:,.-]?\s*", "", label, flags=re.IGNORECASE)
            if printed in ("-", "+", "*", "•", "a", "b", "c", "d"):
                breakdown, printed = True, ""
            if not printed:
                m = _LEADING_STT.match(label)
                if m and _STT_CODE.match(stt_key(m.group(1))):
                    printed, label = m.group(1), m.group(2)
            key = stt_key(printed)
            if key and not _STT_CODE.match(key):
                # A number column holding text ("Trong đó", "I") is not an STT; keep it with the label.
                label, key, printed = (printed + " " + label).strip(), "", ""
            if isinstance(value, str):
                value = _text(value, grid.fonts.get((r, cols.value)), grid.encoding)[0] or None
            elif isinstance(value, float) and value.is_integer():
                value = int(value)
            if (not key and value is None and label and label[:1].islower() and found.rows
                    and found.rows[-1].table == found.tables):
                found.rows[-1].label += " " + label  # a label split across a page break
                r += 1
                continue
            encs = {e for _, e in texts if e}
            found.encodings |= encs
            found.rows.append(SourceRow(
                where=grid.where(r, cols.label), value_where=grid.where(r, cols.value), stt=key,
                printed_stt=printed, label=label, value=value, unit=at(cols.unit), note=at(cols.note),
                section=section, breakdown=breakdown,
                encoding=next(iter(encs), None), table=found.tables))
            r += 1
    return found


# ---------------------------------------------------------------------------------------------- mapping
@dataclass
class Mapped:
    """How one source row was mapped: the mapping report's row."""

    where: str
    stt: str
    label: str
    value: object
    status: str  # matched | ambiguous | unmatched | ignored
    code: str | None = None
    how: str | None = None  # code | label | order
    reason: str = ""
    candidates: tuple[str, ...] = ()
    score: float | None = None
    table: int = 0
    section: str | None = None

    def as_dict(self) -> dict:
        return {"where": self.where, "table": self.table, "stt": self.stt, "label": self.label,
                "code": self.code, "how": self.how, "value": self.value, "status": self.status,
                "reason": self.reason, "candidates": list(self.candidates),
                "score": None if self.score is None else round(self.score, 3)}


def _close_length(la: int, lb: int) -> bool:
    """Could two folded labels of these lengths reach :data:`LABEL_MIN`? (ratio ≤ 2·min/(la+lb))."""
    return la + lb > 0 and 2 * min(la, lb) / (la + lb) >= LABEL_MIN - LABEL_MARGIN


def _local(code: str) -> str:
    return code.split("-", 1)[1] if "-" in code else code


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


class _Mapper:
    def __init__(self, form: Form):
        self.form = form
        self.index = {i.code: n for n, i in enumerate(form.indicators)}
        self.by_stt: dict[str, list[Indicator]] = {}
        for ind in form.indicators:
            keys = {stt_key(ind.printed), stt_key(_local(ind.code))}
            for k in keys:
                if k and _STT_CODE.match(k):
                    self.by_stt.setdefault(k, []).append(ind)
        self.all = list(form.indicators)
        self.sections: dict[str, list[Indicator]] = {}
        for ind in form.indicators:
            if ind.section:
                self.sections.setdefault(ind.section, []).append(ind)
        self.exact: dict[str, list[Indicator]] = {}
        for ind in form.indicators:
            self.exact.setdefault(fold(ind.label), []).append(ind)
        self._prepared: dict[int, tuple[set[str], list[tuple[Indicator, str, int]]]] = {}
        self.used: dict[str, str] = {}
        self.last: Indicator | None = None  # last numbered row matched
        self.section: str | None = None  # sticky section inferred from matches

    def scope(self, section: str | None) -> list[Indicator]:
        if section is None or section not in self.sections:
            return self.all
        return self.sections[section]

    def prepared(self, scope: list[Indicator]) -> tuple[set[str], list[tuple[Indicator, str, int]]]:
        """Codes of ``scope`` and its (indicator, folded label, length) triples, computed once per scope."""
        key = id(scope)
        if key not in self._prepared:
            triples = [(i, fold(i.label), len(fold(i.label))) for i in scope]
            self._prepared[key] = ({i.code for i in scope}, triples)
        return self._prepared[key]

    def by_label(self, label: str, scope: list[Indicator]) -> tuple[Indicator | None, str, tuple[str, ...], float]:
        """Label-only identification: (indicator, how, tied codes, score)."""
        f = fold(label)
        if not f:
            return None, "", (), 0.0
        names, triples = self.prepared(scope)
        near = [i for i, _, n in triples if _close_length(len(f), n)]
        exact = [i for i in self.exact.get(f, ()) if i.code in names]
        if len(exact) == 1 and not any(similarity(label, i.label) >= 1 - LABEL_MARGIN for i in near
                                       if i is not exact[0]):
            return exact[0], "label", (), 1.0
        scored = sorted(((similarity(label, i.label), i) for i in near), key=lambda t: -t[0])
        if not scored or scored[0][0] < LABEL_MIN:
            return None, "", (), scored[0][0] if scored else 0.0
        best = scored[0][0]
        tied = [i for s, i in scored if s >= best - LABEL_MARGIN]
        if len(tied) == 1:
            return tied[0], "label", (), best
        if self.last is not None:
            near = [i for i in tied if i.parent in (self.last.parent, self.last.code)
                    and self.index[i.code] > self.index[self.last.code]]
            if len(near) == 1:
                return near[0], "order", (), best
        return None, "", tuple(i.code for i in tied), best

    def breakdown_kids(self) -> list[Indicator]:
        if self.last is None:
            return []
        parent = self.last.code
        if self.last.printed in ("Trong đó", "") and self.last.parent:
            parent = self.last.parent
        return [c for c in self.form.children(parent) if c.printed in ("Trong đó", "")]

    def map(self, rows: list[SourceRow]) -> list[Mapped]:
        out: list[Mapped] = []
        # Unnumbered rows per block (after each numbered row): needed for the "order" fallback.
        block_sizes: dict[int, int] = {}
        block_of: list[int] = []
        current = -1
        for n, row in enumerate(rows):
            if row.stt:
                current = n
            elif current >= 0 and fold(row.label):
                block_sizes[current] = block_sizes.get(current, 0) + 1
            block_of.append(current)
        position = 0
        for n, row in enumerate(rows):
            if row.stt:
                position = 0
            m = self.map_one(row, block_sizes.get(block_of[n], 0), position)
            if not row.stt and fold(row.label):
                position += 1
            if m.status == "matched" and m.code in self.used:
                m = Mapped(m.where, m.stt, m.label, m.value, "ambiguous", reason=(
                    f"mã {m.code} đã gán cho dòng {self.used[m.code]}"), candidates=(m.code,), table=row.table)
            if m.status == "matched":
                self.used[m.code] = row.where
                ind = self.form.by_code[m.code]
                if ind.printed not in ("Trong đó", ""):
                    self.last = ind
                if ind.section:
                    self.section = ind.section
            elif m.status in ("ambiguous", "unmatched") and _blank(row.value):
                m.status = "ignored"
                m.reason = (m.reason + "; " if m.reason else "") + "không có số liệu"
            m.table, m.section = row.table, row.section or self.section
            out.append(m)
        # A table none of whose rows is a row of the form (a check list, a staff list) is not the appendix.
        useful = {m.table for m in out if m.status == "matched"}
        for m in out:
            if m.table not in useful:
                m.status, m.code, m.how = "ignored", None, None
                m.reason = "bảng không có dòng nào của mẫu: không phải bảng phụ lục"
        return out

    def map_one(self, row: SourceRow, block: int, position: int) -> Mapped:
        base = {"where": row.where, "stt": row.printed_stt, "label": row.label, "value": row.value}
        section = row.section or self.section
        scopes = [self.scope(section)]
        if row.section is None and section is not None:
            scopes.append(self.scope(None))  # the inferred section may have ended
        if not fold(row.label) and not row.stt:
            return Mapped(**base, status="ignored", reason="dòng không có STT và nhãn")
        if row.stt:
            doubt: Mapped | None = None
            for scope in scopes:
                names = self.prepared(scope)[0]
                cands = [i for i in self.by_stt.get(row.stt, []) if i.code in names]
                if not cands:
                    continue
                if not fold(row.label):
                    if len(cands) == 1:
                        return Mapped(**base, status="matched", code=cands[0].code, how="code", score=None,
                                      reason="dòng không có nhãn; khớp theo STT")
                    return Mapped(**base, status="ambiguous", candidates=tuple(i.code for i in cands),
                                  reason="dòng không có nhãn; STT ứng với nhiều chỉ tiêu")
                scored = sorted(((similarity(row.label, i.label), i) for i in cands), key=lambda t: -t[0])
                good = [(s, i) for s, i in scored if s >= CODE_LABEL_MIN]
                if len(good) == 1 or (len(good) > 1 and good[0][0] - good[1][0] >= CODE_MARGIN):
                    return Mapped(**base, status="matched", code=good[0][1].code, how="code", score=good[0][0])
                if len(good) > 1:
                    return Mapped(**base, status="ambiguous", candidates=tuple(i.code for _, i in good),
                                  reason="STT và nhãn ứng với nhiều chỉ tiêu")
                ind, how, tied, score = self.by_label(row.label, scope)
                if ind is not None:
                    return Mapped(**base, status="matched", code=ind.code, how=how, score=score,
                                  reason=f"STT in '{row.printed_stt}' khác mã của nhãn")
                doubt = doubt or Mapped(**base, status="ambiguous", candidates=tuple(i.code for i in cands) + tied,
                                        score=scored[0][0],
                                        reason=f"STT '{row.printed_stt}' có trong mẫu nhưng nhãn không khớp")
            if doubt is not None:
                return doubt
            for scope in scopes:
                ind, how, tied, score = self.by_label(row.label, scope)
                if ind is not None:
                    return Mapped(**base, status="matched", code=ind.code, how=how, score=score,
                                  reason=f"STT '{row.printed_stt}' không có trong mẫu; khớp theo nhãn")
                if tied:
                    return Mapped(**base, status="ambiguous", candidates=tied, score=score,
                                  reason="nhãn giống nhiều chỉ tiêu")
            return Mapped(**base, status="unmatched", reason=f"STT '{row.printed_stt}' và nhãn không có trong mẫu")
        # Unnumbered: a breakdown ("Trong đó") row of the last numbered row, else the label alone.
        kids = self.breakdown_kids()
        if kids:
            scored = sorted(((similarity(row.label, i.label), i) for i in kids), key=lambda t: -t[0])
            good = [(s, i) for s, i in scored if s >= CODE_LABEL_MIN]
            if len(good) == 1 or (len(good) > 1 and good[0][0] - good[1][0] >= CODE_MARGIN):
                return Mapped(**base, status="matched", code=good[0][1].code, how="label", score=good[0][0],
                              reason=f"dòng chi tiết của {self.last.code}")
            if not good and block == len(kids) and position < len(kids):
                kid = kids[position]
                return Mapped(**base, status="matched", code=kid.code, how="order",
                              score=similarity(row.label, kid.label),
                              reason=f"dòng chi tiết thứ {position + 1} của {self.last.code}")
        for scope in scopes:
            ind, how, tied, score = self.by_label(row.label, scope)
            if ind is not None:
                return Mapped(**base, status="matched", code=ind.code, how=how, score=score)
            if tied:
                return Mapped(**base, status="ambiguous", candidates=tied, score=score,
                              reason="nhãn giống nhiều chỉ tiêu")
        return Mapped(**base, status="unmatched", reason="nhãn không khớp chỉ tiêu nào của mẫu")


def quick_score(form: Form, rows: list[SourceRow]) -> int:
    """Rows whose folded label is exactly one of ``form``'s (cheap: picks the form before full mapping)."""
    labels = {fold(i.label) for i in form.indicators}
    return sum(fold(r.label) in labels for r in rows)


def map_rows(form: Form, rows: list[SourceRow]) -> list[Mapped]:
    """Map source rows to codes of ``form`` (see the module docstring for the order of trust)."""
    return _Mapper(form).map(rows)
