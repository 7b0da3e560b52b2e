"""``cchc-xl new``: a commune workbook built from the form's template anatomy and a data file.

Data is checked completely first: a bad file writes nothing. With ``--xlsm`` the same workbook becomes a
macro-enabled one with the Kiểm tra buttons.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, replace
from pathlib import Path

from cchc_xl.model.catalog import DEFAULT_FORM, framework_for, load_form, nfc
from cchc_xl.model.data import WorkbookData
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.ooxml.vba import build_xlsm
from cchc_xl.sources.datafile import check_data, load_data


@dataclass(frozen=True)
class NewResult:
    path: Path
    form: str
    values: int
    scores: int
    warnings: tuple[str, ...]


def new_workbook(
    data: str | Path | dict,
    out: str | Path,
    form_id: str | None = None,
    framework: str | None = None,
) -> NewResult:
    """Create ``out`` from the template of the data's form, filled with the data's values and scores.

    ``data`` is a path to a YAML/JSON/CSV data file or an already parsed document. Raises ``DataError``
    (nothing written) when any code or value is wrong.
    """
    doc = load_data(data) if not isinstance(data, dict) else data
    form = load_form(form_id or nfc(doc.get("form")) or DEFAULT_FORM)
    fw = framework_for(form, framework)
    checked: WorkbookData = check_data({**doc, "form": doc.get("form") or form.id}, form, fw)
    build_workbook(out, form, fw, checked)
    return NewResult(Path(out), form.id, len(checked.values), len(checked.scores) + len(checked.appraised),
                     tuple(checked.warnings))


def new_xlsm_workbook(data, out: str | Path, form_id: str | None = None, framework: str | None = None):
    """``cchc-xl new --xlsm``: build the commune workbook as .xlsx, then turn it into ``out`` (.xlsm)."""
    with tempfile.TemporaryDirectory(prefix="cchc_xl_new_") as tmp:
        plain = Path(tmp) / "workbook.xlsx"
        result = new_workbook(data, plain, form_id, framework)
        build_xlsm(plain, out)
    return replace(result, path=Path(out))
