"""Legacy Vietnamese font encodings (TCVN3/ABC and VNI) to Unicode NFC.

Before Unicode, Vietnamese offices typed with 8-bit fonts: TCVN3 (".VnTime", ".VnArial"; the "H" variants
such as ".VnTimeH" draw capitals at the lowercase positions) and VNI ("VNI-Times", …). Excel and Word
stored those keystrokes as the Windows-1252 characters of the bytes, so a TCVN3 label reads "Sè liÖu" and a
VNI one "Soá lieäu". This module turns such text back into Vietnamese.

* TCVN3 is one byte per letter; the table is TCVN 5712:1993 (glibc's ``TCVN5712-1``, which the tests check
  byte for byte) for bytes 0x80–0xFF.
* VNI writes a base letter followed by one mark character ("aù" = á, "aâ" = â, "aá" = ấ); a few letters are
  single characters ("ô" = ơ, "ö" = ư, "ñ" = đ, "í" = í, "æ" = ỉ, "î" = ỵ). The table is generated from the
  published VNI Windows layout (vowel × mark), tested entry by entry.

Detection: by the cell's font name when there is one (:func:`encoding_for_font`), otherwise by the text:
a candidate decoding is kept only when it yields more valid Vietnamese syllables than the text as it is,
so genuine Unicode Vietnamese (which shares "à á â ã è é ê …" with both encodings) is never touched.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

# ------------------------------------------------------------------------------------------------ TCVN3
# Unicode for TCVN 5712:1993 bytes 0x80..0xFF, in byte order (0xB0–0xB4 are combining tone marks).
_TCVN3_HIGH = (
    "ÀẢÃÁẠẶẬÈẺẼÉẸỆÌỈĨÍỊÒỎÕÓỌỘỜỞỠỚỢÙỦŨ"
    "\u00a0ĂÂÊÔƠƯĐăâêôơưđẰ\u0300\u0309\u0303\u0301\u0323àảãáạẲằẳẵắẴ"
    "ẮẦẨẪẤỀặầẩẫấậèỂẻẽéẹềểễếệìỉỄẾỒĩíịò"
    "ỔỏõóọồổỗốộờởỡớợùỖủũúụừửữứựỳỷỹýỵỐ"
)
assert len(_TCVN3_HIGH) == 128


def _byte_chars(b: int) -> tuple[str, ...]:
    """How byte ``b`` may appear in a cell: its Windows-1252 character and its Latin-1 one."""
    out = {chr(b)}
    try:
        out.add(bytes([b]).decode("cp1252"))
    except UnicodeDecodeError:
        pass
    return tuple(out)


@cache
def _tcvn3_map() -> dict[str, str]:
    table: dict[str, str] = {}
    for i, uni in enumerate(_TCVN3_HIGH):
        b = 0x80 + i
        if b == 0xA0:
            continue
        for ch in _byte_chars(b):
            table[ch] = uni
    return table


def decode_tcvn3(text: str) -> str:
    """TCVN3 text (as stored through Windows-1252) → Unicode NFC."""
    table = _tcvn3_map()
    return unicodedata.normalize("NFC", "".join(table.get(c, c) for c in text))


# -------------------------------------------------------------------------------------------------- VNI
# Mark characters after a base vowel, lowercase form (the uppercase form is str.upper of each).
_VNI_TONES = ("", "ù", "ø", "û", "õ", "ï")  # none, sắc, huyền, hỏi, ngã, nặng
_VNI_CIRC = ("â", "á", "à", "å", "ã", "ä")  # circumflex (â ê ô) with each tone
_VNI_BREVE = ("ê", "é", "è", "ú", "ü", "ë")  # breve (ă) with each tone
_TONE_MARKS = ("", "\u0301", "\u0300", "\u0309", "\u0303", "\u0323")


@cache
def _vni_map() -> dict[str, str]:
    """VNI sequence (1 or 2 characters) → Unicode letter, both cases."""
    table: dict[str, str] = {}

    def put(seq: str, base: str, *marks: str) -> None:
        letter = unicodedata.normalize("NFC", base + "".join(marks))
        table[seq] = letter
        table[seq.upper()] = letter.upper()

    for base in "aeouy":
        for seq_mark, tone in zip(_VNI_TONES, _TONE_MARKS, strict=True):
            if seq_mark:
                put(base + seq_mark, base, tone)
    for base in "aeo":
        for seq_mark, tone in zip(_VNI_CIRC, _TONE_MARKS, strict=True):
            put(base + seq_mark, base, "\u0302", tone)
    for seq_mark, tone in zip(_VNI_BREVE, _TONE_MARKS, strict=True):
        put("a" + seq_mark, "a", "\u0306", tone)
    # ơ and ư are one character each, then take the tone marks.
    for single, base in (("ô", "o"), ("ö", "u")):
        for seq_mark, tone in zip(_VNI_TONES, _TONE_MARKS, strict=True):
            put(single + seq_mark, base, "\u031b", tone)
    # i has single characters for its toned forms; y has one for the dot below.
    for single, tone in zip(("í", "ì", "æ", "ó", "ò"), _TONE_MARKS[1:], strict=True):
        put(single, "i", tone)
    del table["yï"], table["YÏ"]
    put("î", "y", "\u0323")
    put("ñ", "đ")
    return table


_VNI_PATTERN: re.Pattern | None = None


def decode_vni(text: str) -> str:
    """VNI text (as stored through Windows-1252) → Unicode NFC, longest sequence first."""
    global _VNI_PATTERN
    table = _vni_map()
    if _VNI_PATTERN is None:
        keys = sorted(table, key=len, reverse=True)
        _VNI_PATTERN = re.compile("|".join(re.escape(k) for k in keys))
    return unicodedata.normalize("NFC", _VNI_PATTERN.sub(lambda m: table[m.group(0)], text))


# -------------------------------------------------------------------------------------------- detection
_ONSET = r"(?:ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|[bcdđghklmnpqrstvx])?"
_NUCLEI = ("a ă â e ê i o ô ơ u ư y ai ao au ay âu ây eo êu ia iê iu oa oă oe oi ôi ơi ua uâ uê ui uô uơ uy ưa "
           "ưi ưu ươ yê iêu yêu oai oay oeo uây uôi ươi ươu uya uyê uyu")
_NUCLEUS = "(?:" + "|".join(sorted(_NUCLEI.split(), key=len, reverse=True)) + ")"
_CODA = r"(?:ch|ng|nh|[cmnpt])?"
_SYLLABLE = re.compile(f"^{_ONSET}{_NUCLEUS}{_CODA}$")
_WORD = re.compile(r"[^\W\d_]+")
_TONES = set("\u0300\u0301\u0303\u0309\u0323")
# Letters that exist only in Unicode Vietnamese (Latin Extended-A/B, Latin Extended Additional).
_UNICODE_ONLY = re.compile("[\u0102\u0103\u0110\u0111\u0128\u0129\u0168\u0169\u01a0\u01a1\u01af\u01b0\u1ea0-\u1ef9]")


_LEGACY_CHARS = "\u0080-\u00ff\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc\u2013\u2014\u2018\u2019" \
    "\u201a\u201c\u201d\u201e\u2020\u2021\u2022\u2026\u2030\u2039\u203a\u20ac\u2122"
# A legacy letter sits inside a word: next to an ASCII letter ("Sè", "nhiÖm", "®é" is two legacy letters).
_LEGACY_IN_WORD = re.compile(f"[A-Za-z][{_LEGACY_CHARS}]|[{_LEGACY_CHARS}][A-Za-z]|[{_LEGACY_CHARS}]{{2}}")


def _valid_syllable(word: str) -> bool:
    tail = word[1:]
    if tail != tail.lower() and tail != tail.upper():
        return False  # "thỔnh": a capital inside a word is a wrong decoding, never typed
    decomposed = unicodedata.normalize("NFD", word.lower())
    if sum(c in _TONES for c in decomposed) > 1:
        return False
    bare = unicodedata.normalize("NFC", "".join(c for c in decomposed if c not in _TONES))
    return bool(_SYLLABLE.match(bare))


def vietnamese_score(text: str) -> int:
    """Valid Vietnamese syllables minus invalid words in ``text`` (how much it reads as Vietnamese)."""
    score = 0
    for w in _WORD.findall(text):
        score += 1 if _valid_syllable(w) else -1
    return score


def encoding_for_font(font: str | None) -> str | None:
    """``'tcvn3'``, ``'tcvn3-upper'`` (.VnTimeH …), ``'vni'`` or None from a font name."""
    if not font:
        return None
    name = font.strip().lower()
    if name.startswith(".vn"):
        return "tcvn3-upper" if name.endswith("h") else "tcvn3"
    if name.startswith("vni-") or name.startswith("vni "):
        return "vni"
    return None


def detect(text: str) -> str | None:
    """The legacy encoding ``text`` is in (``'tcvn3'`` or ``'vni'``), or None when it reads as it is."""
    if not text or text.isascii() or _UNICODE_ONLY.search(text):
        return None
    if not _LEGACY_IN_WORD.search(text):
        return None  # a lone dash or quote is punctuation, not a letter of a legacy font
    best, best_score = None, vietnamese_score(text)
    for enc, decode in (("tcvn3", decode_tcvn3), ("vni", decode_vni)):
        s = vietnamese_score(decode(text))
        if s > best_score:
            best, best_score = enc, s
    return best


def detect_many(texts: list[str]) -> str | None:
    """The legacy encoding of a whole table's text (short cells alone are ambiguous: "sè" is also Unicode)."""
    legacy = [t for t in texts if isinstance(t, str) and not _UNICODE_ONLY.search(t) and not t.isascii()]
    return detect("\n".join(legacy)) if legacy else None


def to_unicode(text: str, font: str | None = None, hint: str | None = None) -> tuple[str, str | None]:
    """``(text in Unicode NFC, encoding it was in or None)``.

    The cell's font decides when it names a legacy font; else ``hint`` (the encoding :func:`detect_many`
    found for the whole table) applies to every cell without Unicode-only letters; else the text alone.
    """
    if not isinstance(text, str) or not text:
        return text, None
    enc = encoding_for_font(font)
    if text.isascii() or _UNICODE_ONLY.search(text):
        enc = None  # plain ASCII, or Unicode Vietnamese already (even under a legacy font name: retyped text)
    elif enc is None and hint is not None and _LEGACY_IN_WORD.search(text):
        decode = decode_tcvn3 if hint.startswith("tcvn3") else decode_vni
        # The table is legacy-encoded; this cell too, unless it reads better as it is (a retyped cell).
        enc = hint if vietnamese_score(decode(text)) >= vietnamese_score(text) else None
    elif enc is None:
        enc = detect(text)
    if enc is None:
        return unicodedata.normalize("NFC", text), None
    if enc.startswith("tcvn3"):
        out = decode_tcvn3(text)
        return (out.upper() if enc == "tcvn3-upper" else out), "tcvn3"
    return decode_vni(text), "vni"


def fix_text(text: object, font: str | None = None) -> object:
    """``text`` converted to Unicode when it is legacy-encoded text; any other value unchanged."""
    if isinstance(text, str):
        return to_unicode(text, font)[0]
    return text
