"""The one scheme of workbook defined names: code ↔ defined name ↔ what the cell is.

Every indicator and score cell is addressed by a name derived from its code (``3.3.1.a`` → ``CT_3_3_1_a``,
criterion ``1.5`` → ``DIEM_1_5`` self-assessed and ``THAMDINH_1_5`` appraised), metadata by ``TT_<KEY>``.
The forward direction is a pure function of the code; the inverse needs the catalog, because ``_`` stands
for every non-alphanumeric character (``BM3-3.3`` → ``CT_BM3_3_3``): :func:`decode` looks the name up in
the form's and framework's own names, so ``3.3.1.a`` comes back as ``3.3.1.a``, never ``3_3_1_a``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from cchc_xl.model.memo import by_identity

if TYPE_CHECKING:  # the catalog imports this module; the inverse only needs its records at call time
    from cchc_xl.model.catalog import Form, Framework

INDICATOR, SELF, APPRAISED, META = "CT", "DIEM", "THAMDINH", "TT"
SELF_TOTAL = "DIEM_TONG"
APPRAISED_TOTAL = "THAMDINH_TONG"
TEMPLATE_ID = "TT_TEMPLATE_ID"
TEMPLATE_VERSION = "TT_TEMPLATE_VERSION"
FRAMEWORK = "TT_FRAMEWORK"
PACKAGE_NAMES = (TEMPLATE_ID, TEMPLATE_VERSION, FRAMEWORK)
CHECK_RESULT, CHECK_ERRORS, CHECK_SUMMARY = "KT_RESULT", "KT_LOI", "KT_SUMMARY"

_NOT_NAME_CHAR = re.compile(r"[^0-9A-Za-z]")


def name_for(code: str, prefix: str = INDICATOR) -> str:
    """The defined name of an indicator (``CT``) or criterion (``DIEM``/``THAMDINH``) code."""
    return prefix + "_" + _NOT_NAME_CHAR.sub("_", code)


def indicator_name(code: str) -> str:
    return name_for(code, INDICATOR)


def score_name(code: str, appraised: bool) -> str:
    """``DIEM_<code>`` (điểm tự chấm) or ``THAMDINH_<code>`` (điểm thẩm định)."""
    return name_for(code, APPRAISED if appraised else SELF)


def total_name(appraised: bool) -> str:
    return APPRAISED_TOTAL if appraised else SELF_TOTAL


def meta_name(key: str) -> str:
    """``xa`` → ``TT_XA``: a metadata field of the Thông tin sheet."""
    return f"{META}_{key.upper()}"


@dataclass(frozen=True)
class NameRef:
    """What a defined name addresses: ``kind`` is indicator | self | appraised | meta | total | package."""

    kind: str
    code: str  # indicator / criterion code, meta key, ``total`` or the package name itself
    appraised: bool = False

    @property
    def column(self) -> str | None:
        """The score column a score name belongs to (``tu_cham`` | ``tham_dinh``), else None."""
        if self.kind in ("self", "appraised", "total"):
            return "tham_dinh" if self.appraised else "tu_cham"
        return None


@by_identity()
def _index(form: Form, framework: Framework | None) -> dict[str, NameRef]:
    from cchc_xl.model.data import META_KEYS  # data imports nothing of ours that imports this module

    out: dict[str, NameRef] = {}
    for ind in form.indicators:
        out[indicator_name(ind.code)] = NameRef("indicator", ind.code)
    if framework is not None:
        for crit in framework.criteria:
            out[score_name(crit.code, False)] = NameRef("self", crit.code)
            out[score_name(crit.code, True)] = NameRef("appraised", crit.code, True)
    out[SELF_TOTAL] = NameRef("total", "total")
    out[APPRAISED_TOTAL] = NameRef("total", "total", True)
    for key in META_KEYS:
        out[meta_name(key)] = NameRef("meta", key)
    for name in PACKAGE_NAMES:
        out[name] = NameRef("package", name)
    return out


def decode(name: str, form: Form, framework: Framework | None = None) -> NameRef | None:
    """The exact code behind a defined name of ``form``/``framework``; None for a name the scheme lacks."""
    return _index(form, framework).get(name)


def code_of(name: str, form: Form, framework: Framework | None = None) -> str:
    """The code a finding should name: the catalog's own code, or the name itself when it is not ours."""
    ref = decode(name, form, framework)
    return ref.code if ref is not None else name
