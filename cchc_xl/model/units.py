"""How commune names and codes are compared everywhere (consolidate, history, report): one definition.

NFC, spaces collapsed, case folded, the administrative prefix ("xã", "phường", "thị trấn", "UBND xã")
dropped; codes compared without leading zeros. Folding the diacritics is a separate, reported fallback.
"""

from __future__ import annotations

import re
import unicodedata

from cchc_xl.model.catalog import nfc

_SPACE = re.compile(r"\s+")
_PREFIX = re.compile(r"^(ubnd\s+)?(xã|phường|thị trấn)\s+", re.IGNORECASE)


def norm_name(text: object) -> str:
    """Names as compared: NFC, whitespace collapsed, case folded, an administrative prefix ("xã ") dropped."""
    s = _SPACE.sub(" ", unicodedata.normalize("NFC", "" if text is None else str(text))).strip().casefold()
    return _PREFIX.sub("", s)


def fold_name(text: object) -> str:
    """The diacritic-folded name ("Hoằng Trường" → "hoang truong"): a reported fallback only."""
    s = unicodedata.normalize("NFD", norm_name(text)).replace("đ", "d")
    return "".join(ch for ch in s if unicodedata.category(ch) != "Mn")


def norm_code(text: object) -> str:
    """A commune code as compared: spaces removed, leading zeros dropped for all-digit codes."""
    s = _SPACE.sub("", nfc(text))
    return s.lstrip("0") or s if s.isdigit() else s.casefold()
