"""``cchc-xl import``: a commune's own appendix (any workbook layout or a Word report) into a template workbook.

:func:`cchc_xl.sources.imported.import_document` finds and maps the table; this command checks the data
document completely and builds the workbook the way ``cchc-xl new`` does (so ``validate`` then runs as
usual), never replacing an existing output without ``force``.
"""

from __future__ import annotations

from pathlib import Path

from cchc_xl.errors import OutputRefused
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form, framework_for
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.sources.datafile import check_data
from cchc_xl.sources.imported import ImportResult, import_document, parse_meta_options

__all__ = ["ImportResult", "build_imported", "import_file", "parse_meta_options"]


def build_imported(result: ImportResult, out: str | Path, framework: str | None = None) -> Path:
    """Write ``result``'s data document as a template workbook (atomically)."""
    fw = framework_for(result.form_obj, framework)
    build_workbook(out, result.form_obj, fw, check_data(result.document, result.form_obj, fw))
    return Path(out)


def import_file(path: str | Path, out: str | Path | None, form: Form | str | None = None,
                meta: dict[str, str] | None = None, column: str | None = None, force: bool = False,
                framework: str | None = None) -> ImportResult:
    """Import ``path`` into a new template workbook ``out`` (None: map only, write nothing)."""
    if out is not None and Path(out).exists() and not force:
        raise OutputRefused(say("output-exists", path=str(out)))
    result = import_document(path, form, meta, column)
    if out is not None:
        result.output = build_imported(result, out, framework)
    return result
