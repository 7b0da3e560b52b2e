"""``cchc-xl migrate``: a workbook of an older template version moved by code into the current template.

:func:`cchc_xl.sources.migration.migrate_document` reads the old file through its own defined names and the
form's crosswalk; this command builds the current template with that data (atomically, never replacing an
output without ``force``) and returns what could not be carried.
"""

from __future__ import annotations

from pathlib import Path

from cchc_xl.errors import OutputRefused
from cchc_xl.messages import say
from cchc_xl.model.catalog import framework_for
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.sources.migration import MigrationResult, migrate_document

__all__ = ["MigrationResult", "build_migrated", "migrate_file"]


def build_migrated(result: MigrationResult, out: str | Path) -> Path:
    form = result.form_obj
    build_workbook(out, form, framework_for(form), result.data)
    return Path(out)


def migrate_file(path: str | Path, out: str | Path, force: bool = False) -> MigrationResult:
    if Path(out).exists() and not force:
        raise OutputRefused(say("output-exists", path=str(out)))
    result = migrate_document(path)
    build_migrated(result, out)
    return result
