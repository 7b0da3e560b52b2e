"""Ranking and rating of PAR Index results: pure functions, no I/O beyond reading a rating-class table.

Conventions (domain.md §2.5–2.7):

* Scores are compared on their stored precision, **3 decimals** (``quantize``), never on the 2-decimal
  display: 87,747 and 87,7474 tie, 87,747 and 87,748 do not. Higher is better; ``None`` is not ranked.
* The overall rank is a **competition** rank on the total ("1, 1, 3"), written "thứ x/n" with n the
  number of ranked units.
* A field's rank is a **dense** rank ("1, 1, 2"), written "hạng x/y" with y the number of distinct score
  levels — the seeds' "xếp hạng 1/3, cùng nhóm hạng với 20 xã".
* ``ordinal`` ranks break ties by the order the units were given (stable), for listings only.
* A rank change is ``previous − current``: positive means the unit moved up ("tăng n bậc").
* Rating classes come from a threshold table (lowest bound per class on the total); the default table
  is an assumption documented in the README and overridable by a CSV file (``--classes``).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from pathlib import Path
from typing import TypeVar

from cchc_xl.errors import DataError
from cchc_xl.messages import say
from cchc_xl.model.catalog import nfc

K = TypeVar("K", bound=Hashable)
SCORE_PLACES = Decimal("0.001")


def quantize(value: object) -> Decimal | None:
    """A score as compared for ranking: Decimal rounded half-up to 3 places; None for blanks and text."""
    if value is None or isinstance(value, bool):
        return None
    try:
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)  # type: ignore[arg-type]
    except (InvalidOperation, TypeError, ValueError):
        return None
    if not d.is_finite():
        return None
    return d.quantize(SCORE_PLACES, rounding=ROUND_HALF_UP)


def _scored(values: Mapping[K, object]) -> list[tuple[K, Decimal]]:
    out = []
    for key, v in values.items():
        q = quantize(v)
        if q is not None:
            out.append((key, q))
    return out


def competition_rank(values: Mapping[K, object]) -> dict[K, int]:
    """Standard competition ranking ("1, 1, 3"), highest first, ties on 3 decimals; unscored keys omitted."""
    scored = _scored(values)
    ordered = sorted((q for _, q in scored), reverse=True)
    first: dict[Decimal, int] = {}
    for pos, q in enumerate(ordered, start=1):
        first.setdefault(q, pos)
    return {key: first[q] for key, q in scored}


def dense_rank(values: Mapping[K, object]) -> tuple[dict[K, int], int]:
    """Dense ranking ("1, 1, 2") and the number of distinct levels, highest first, ties on 3 decimals."""
    scored = _scored(values)
    levels = sorted({q for _, q in scored}, reverse=True)
    level_of = {q: n for n, q in enumerate(levels, start=1)}
    return {key: level_of[q] for key, q in scored}, len(levels)


def ordinal_rank(values: Mapping[K, object]) -> dict[K, int]:
    """Ordinal ranking ("1, 2, 3"): ties keep the order in which the keys were given."""
    scored = _scored(values)
    order = sorted(range(len(scored)), key=lambda i: (-scored[i][1], i))
    return {scored[i][0]: pos for pos, i in enumerate(order, start=1)}


def rank_change(current: int | None, previous: int | None) -> int | None:
    """Positions gained since the previous ranking (positive = moved up); None when either is unknown."""
    if current is None or previous is None:
        return None
    return previous - current


def position_text(position: int | None, of: int) -> str:
    """The overall rank as written in the reports: "thứ 9/20"."""
    return "" if position is None else f"thứ {position}/{of}"


def level_text(position: int | None, levels: int, tied: int = 0) -> str:
    """A field's dense rank as written in the reports: "hạng 1/3", and where ``tied`` other units share the
    level, "hạng 1/3, cùng nhóm hạng với 20 xã" (the seeds' wording)."""
    if position is None:
        return ""
    return f"hạng {position}/{levels}" + (f", cùng nhóm hạng với {tied} xã" if tied > 0 else "")


def change_text(change: int | None) -> str:
    """"tăng 10 bậc", "giảm 2 bậc", "giữ nguyên"; empty when unknown."""
    if change is None:
        return ""
    if change > 0:
        return f"tăng {change} bậc"
    if change < 0:
        return f"giảm {-change} bậc"
    return "giữ nguyên"


# -------------------------------------------------------------------------------------- rating classes


@dataclass(frozen=True)
class RatingClass:
    """A class label and the lowest total (inclusive, on the 100-point scale) that earns it."""

    name: str
    minimum: Decimal


# ✱ Assumption (domain.md §2.7): the Hải Dương thresholds are not published; these bands follow the
# national PAR INDEX groups (≥ 90, 80 – < 90, 70 – < 80) with the class names provinces use for communes.
DEFAULT_CLASSES: tuple[RatingClass, ...] = (
    RatingClass("Xuất sắc", Decimal(90)),
    RatingClass("Tốt", Decimal(80)),
    RatingClass("Khá", Decimal(70)),
    RatingClass("Trung bình", Decimal(50)),
    RatingClass("Yếu", Decimal(0)),
)

_NAME_COLUMNS = ("name", "ten", "tên", "xep_loai", "xếp loại", "xep loai")
_MIN_COLUMNS = ("min", "tu", "từ", "diem_tu", "điểm từ", "diem tu", "nguong", "ngưỡng")




def parse_classes(text: str, source: str = "") -> tuple[RatingClass, ...]:
    """Read a CSV table ``name,min`` (or ``ten,tu``); ``85,5`` and ``85.5`` both read. Sorted high → low."""
    reader = csv.DictReader(io.StringIO(text))
    header = {nfc(h).lower(): h for h in reader.fieldnames or [] if h is not None}
    name_col = next((header[c] for c in _NAME_COLUMNS if c in header), None)
    min_col = next((header[c] for c in _MIN_COLUMNS if c in header), None)
    if name_col is None or min_col is None:
        raise DataError([say("classes-columns", path=source)])
    problems: list[str] = []
    out: list[RatingClass] = []
    for n, row in enumerate(reader, start=2):
        name, raw = nfc(row.get(name_col)), nfc(row.get(min_col)).replace(",", ".")
        if not name and not raw:
            continue
        try:
            minimum = Decimal(raw)
            if not minimum.is_finite():
                raise InvalidOperation
        except InvalidOperation:
            problems.append(say("classes-bad-row", path=source, row=n, value=row.get(min_col) or ""))
            continue
        if not name:
            problems.append(say("classes-bad-row", path=source, row=n, value=""))
            continue
        out.append(RatingClass(name, minimum))
    if not out and not problems:
        problems.append(say("classes-empty", path=source))
    if len({c.minimum for c in out}) != len(out):
        problems.append(say("classes-duplicate", path=source))
    if problems:
        raise DataError(problems)
    return tuple(sorted(out, key=lambda c: c.minimum, reverse=True))


def load_classes(path: str | Path) -> tuple[RatingClass, ...]:
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError([say("classes-unreadable", path=str(path), detail=exc)]) from None
    return parse_classes(text, str(path))


def classify(total: object, classes: tuple[RatingClass, ...] = DEFAULT_CLASSES) -> str:
    """The class whose lower bound the total reaches (compared at 3 decimals); empty when unscored or below all."""
    q = quantize(total)
    if q is None:
        return ""
    for c in sorted(classes, key=lambda c: c.minimum, reverse=True):
        if q >= c.minimum:
            return c.name
    return ""
