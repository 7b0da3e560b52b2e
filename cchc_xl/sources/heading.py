"""Report metadata (xã, huyện, tỉnh, kỳ, năm, ngày) from the text printed around an appendix.

Communes head every report "UBND HUYỆN … / UBND XÃ …" (or "ỦY BAN NHÂN DÂN XÃ …") and title the appendix
"… 6 tháng đầu năm 2022", "(Kèm theo Báo cáo số 165/BC-UBND ngày 13/6/2022)". These pure functions read
what is there and leave out what is not; ``--meta`` overrides any of it.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata

_UNIT = r"(?:UBND|ỦY BAN NHÂN DÂN|UỶ BAN NHÂN DÂN)"
_XA = re.compile(_UNIT + r"\s+(XÃ|PHƯỜNG|THỊ TRẤN)\s+([^\n,;.()]+)", re.IGNORECASE)
_HUYEN = re.compile(r"(?:" + _UNIT + r"\s+)?\b(HUYỆN|THỊ XÃ|QUẬN|THÀNH PHỐ)\s+([^\n,;.()]+)", re.IGNORECASE)
_TINH = re.compile(r"\bTỈNH\s+([^\n,;.()]+)", re.IGNORECASE)
_YEAR = re.compile(r"(?<!từ )\bnăm\s+(20[0-9]{2})\b", re.IGNORECASE)
# "Tỉnh/thành phố | Hải Dương" rows of an information block (sheet rows are joined with " | ").
_PAIR_KEYS = (("tinh", "tinh"), ("huyen", "huyen"), ("xa", "xa"), ("ky bao cao", "ky"), ("nam", "nam"),
              ("ma don vi", "ma_xa"), ("nguoi lap", "nguoi_lap"), ("ngay lap", "ngay_lap"))
_DATE = re.compile(r"ngày\s+([0-9]{1,2})\s*[/-]\s*([0-9]{1,2})\s*[/-]\s*(20[0-9]{2})", re.IGNORECASE)
_PERIODS = (
    (re.compile(r"\b9 tháng\b", re.IGNORECASE), "9thang"),
    (re.compile(r"\b6 tháng\b", re.IGNORECASE), "6thang"),
    (re.compile(r"\bquý\s*(I|1)\b(?!I)", re.IGNORECASE), "quy1"),
    (re.compile(r"\bquý\s*(II|2)\b(?!I)", re.IGNORECASE), "quy2"),
    (re.compile(r"\bquý\s*(III|3)\b", re.IGNORECASE), "quy3"),
    (re.compile(r"\bquý\s*(IV|4)\b", re.IGNORECASE), "quy4"),
)
_WORD_CASE_EXCEPTIONS = {"thị", "trấn", "xã"}


def _name(raw: str) -> str:
    """'HOẰNG TRƯỜNG' → 'Hoằng Trường' (names are printed in capitals in headings)."""
    words = raw.strip().split()
    # Stop at words that start the next heading ("HUYỆN", "CỘNG HÒA" on the same line).
    out = []
    for w in words:
        if w.upper() in ("HUYỆN", "TỈNH", "CỘNG", "ĐỘC", "SỐ:", "SỐ", "THỊ", "QUẬN", "XÃ", "UBND"):
            break
        out.append(w)
    text = " ".join(out)
    if text.isupper():
        text = " ".join(w[:1] + w[1:].lower() for w in text.split())
    return unicodedata.normalize("NFC", text)


def metadata_from_text(lines: list[str]) -> dict[str, object]:
    """What the heading and title lines say about the report (keys of the data format's ``meta``)."""
    meta: dict[str, object] = {}
    pairs = _pairs(lines)
    text = "\n".join(unicodedata.normalize("NFC", line) for line in lines if " | " not in line)
    m = _XA.search(text)
    if m and _name(m.group(2)):
        meta["xa"] = _name(m.group(2))
    for m in _HUYEN.finditer(text):
        if _name(m.group(2)):
            meta["huyen"] = _name(m.group(2))
            break
    m = _TINH.search(text)
    if m and _name(m.group(1)):
        meta["tinh"] = _name(m.group(1))
    years = _YEAR.findall(text)
    if years:
        meta["nam"] = int(years[0])
    for pattern, code in _PERIODS:
        if pattern.search(text):
            meta["ky"] = code
            break
    else:
        if years:
            meta["ky"] = "nam"
    m = _DATE.search(text)
    if m:
        try:
            meta["ngay_lap"] = dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
        except ValueError:
            pass
    meta.update(pairs)
    return meta


def _fold(text: str) -> str:
    s = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return re.sub(r"[^0-9a-z]+", " ", "".join(c for c in s if not unicodedata.combining(c))).strip()


def _pairs(lines: list[str]) -> dict[str, object]:
    out: dict[str, object] = {}
    for line in lines:
        cells = [c.strip() for c in line.split(" | ")]
        if len(cells) != 2 or not cells[1]:
            continue
        key = _fold(cells[0])
        for prefix, field in _PAIR_KEYS:
            if key.startswith(prefix) and field not in out:
                out[field] = cells[1]
                break
    return out
