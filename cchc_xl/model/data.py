"""What goes into a commune workbook, by code (the typed record data files and DataFrames become)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from cchc_xl.model.catalog import DEFAULT_FORM

META_FIELDS: tuple[tuple[str, str, bool], ...] = (
    ("tinh", "Tỉnh/thành phố", True),
    ("huyen", "Huyện/quận/thị xã (không bắt buộc từ năm 2025)", False),
    ("xa", "Xã/phường/thị trấn", True),
    ("ma_xa", "Mã đơn vị hành chính", False),
    ("ky", "Kỳ báo cáo", True),
    ("nam", "Năm", True),
    ("nguoi_lap", "Người lập biểu", False),
    ("ngay_lap", "Ngày lập", False),
)


META_KEYS = tuple(k for k, _, _ in META_FIELDS)


@dataclass
class WorkbookData:
    """What goes into a commune workbook, by code. Values are typed (numbers), meta are strings/dates."""

    form: str = DEFAULT_FORM
    meta: dict[str, object] = field(default_factory=dict)
    values: dict[str, int | float] = field(default_factory=dict)
    notes: dict[str, str] = field(default_factory=dict)
    scores: dict[str, Decimal] = field(default_factory=dict)
    appraised: dict[str, Decimal] = field(default_factory=dict)
    evidence: dict[str, str] = field(default_factory=dict)
    stated: dict[str, int | float] = field(default_factory=dict)  # figures printed for derived rows/scores
    text: dict[str, str] = field(default_factory=dict)  # non-numeric entries kept verbatim, as text
    warnings: list[str] = field(default_factory=list)
