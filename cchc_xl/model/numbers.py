"""Vietnamese number parsing and Excel-compatible rounding.

Staff type numbers the Vietnamese way ("1.224" = 1224, "12,5" = 12.5), with percent signs, padding spaces
and leading zeros ("02"). This module turns such text into numbers and says when a reading is ambiguous,
so callers can warn instead of guessing silently. It never evaluates anything.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_DIGITS_SEPARATORS = re.compile(r"^[+-]?[0-9.,]+$")

# Scale words staff write next to amounts ("10 tỷ đồng"); value in đồng.
_SCALE_WORDS = {
    "nghìn": 10**3,
    "ngàn": 10**3,
    "triệu": 10**6,
    "tr": 10**6,
    "tỷ": 10**9,
    "tỉ": 10**9,
}
_UNIT_SCALES = {"đồng": 1, "nghìn đồng": 10**3, "triệu đồng": 10**6, "tỷ đồng": 10**9}


@dataclass(frozen=True)
class Parsed:
    """A number read from a cell; ``ambiguous`` means another reading of the same text was plausible."""

    value: int | float
    ambiguous: bool = False
    percent_sign: bool = False
    text: str = ""


def _as_number(d: Decimal) -> int | float:
    return int(d) if d == d.to_integral_value() else float(d)


def parse_number(raw: object) -> Parsed | None:
    """Read a number from a cell value; ``None`` when it is not a number at all.

    Booleans are not numbers here (a TRUE in a count cell is a mistake, not 1).
    """
    if raw is None or isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return Parsed(raw)
    if isinstance(raw, float):
        if raw != raw or raw in (float("inf"), float("-inf")):
            return None
        return Parsed(int(raw) if raw.is_integer() else raw)
    if isinstance(raw, Decimal):
        return Parsed(_as_number(raw))
    if not isinstance(raw, str):
        return None
    text = unicodedata.normalize("NFC", raw)
    s = _SPACES.sub("", text)
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    if not s or not _DIGITS_SEPARATORS.match(s):
        return None
    sign = ""
    if s[0] in "+-":
        sign, s = s[0], s[1:]
    if not s or (not s[0].isdigit() and s[0] not in ".,"):
        return None
    number, ambiguous = _normalise_separators(s)
    if number is None:
        return None
    try:
        d = Decimal(sign + number)
    except InvalidOperation:
        return None
    return Parsed(_as_number(d), ambiguous=ambiguous, percent_sign=percent, text=raw)


def _normalise_separators(s: str) -> tuple[str | None, bool]:
    """Return a plain decimal string and whether the reading was ambiguous."""
    dots, commas = s.count("."), s.count(",")
    if dots == 0 and commas == 0:
        return s, False
    if dots and commas:
        # Both present: the last one is the decimal separator, the other groups thousands.
        dec, grp = (",", ".") if s.rfind(",") > s.rfind(".") else (".", ",")
        if s.count(dec) > 1:
            return None, False
        whole, frac = s.split(dec)
        if not _valid_grouping(whole, grp):
            return None, False
        return whole.replace(grp, "") + "." + frac, False
    sep = "." if dots else ","
    parts = s.split(sep)
    if len(parts) > 2:
        # Several identical separators can only be thousands grouping: "1.234.567".
        return (s.replace(sep, ""), False) if _valid_grouping(s, sep) else (None, False)
    whole, frac = parts
    if not whole or not frac:
        return None, False
    three_digits = len(frac) == 3 and whole.isdigit() and len(whole) <= 3 and whole != "0"
    if sep == ".":
        # Vietnamese groups thousands with "."; "1.224" is 1224 but could be an English 1.224.
        if three_digits:
            return whole + frac, True
        return whole + "." + frac, False
    # "," is the Vietnamese decimal separator; "1,577" could be an English 1577.
    return whole + "." + frac, three_digits


def _valid_grouping(s: str, sep: str) -> bool:
    groups = s.split(sep)
    return 1 <= len(groups[0]) <= 3 and groups[0].isdigit() and all(len(g) == 3 and g.isdigit() for g in groups[1:])


def suggest_amount(text: str, unit: str) -> float | None:
    """Suggest the number for ``text`` such as "10 tỷ đồng" expressed in ``unit`` such as "Triệu đồng".

    Only the leading "<number> <scale word>" is read ("10 tỷ đồng/0%" → 10 tỷ); ``None`` when there is none.
    """
    unit_scale = _UNIT_SCALES.get(_SPACES.sub(" ", unicodedata.normalize("NFC", unit)).strip().lower())
    if unit_scale is None:
        return None
    m = re.match(r"\s*([0-9][0-9.,]*)\s*([^\W\d_]+)", unicodedata.normalize("NFC", text))
    if not m:
        return None
    parsed = parse_number(m.group(1))
    scale = _SCALE_WORDS.get(m.group(2).lower())
    if parsed is None or scale is None:
        return None
    value = Decimal(str(parsed.value)) * scale / unit_scale
    return _as_number(value)


def excel_round(value: float | int, digits: int = 0) -> float | int:
    """Round like Excel's ROUND: half away from zero on the decimal representation (``round()`` is banker's)."""
    d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    q = Decimal(1).scaleb(-digits)
    return _as_number(d.quantize(q, rounding=ROUND_HALF_UP))


def format_vn(value: object, decimals: int | None = None) -> str:
    """Format a number the Vietnamese way (grouping ".", decimal ","), for messages."""
    if value is None or value == "":
        return "(trống)"
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        return str(value)
    if decimals is None:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        d = d.normalize()
        decimals = max(0, -d.as_tuple().exponent) if isinstance(d.as_tuple().exponent, int) else 0
        decimals = min(decimals, 3)
    s = f"{value:,.{decimals}f}"
    return s.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
