"""Put a commune's figures into a workbook by code.

``new_workbook`` creates a commune workbook from the form's template anatomy and a data file; the data is
checked completely first, so a bad file writes nothing. (Filling an existing workbook surgically is the
fill command of the validation milestone.)
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .catalog import DEFAULT_FORM, framework_for, load_form, nfc
from .datafile import WorkbookData, check_data, load_data
from .template import build_workbook


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
