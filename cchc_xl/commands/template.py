"""``cchc-xl template build [--check]``: the master templates of every form, and their staleness check."""

from __future__ import annotations

import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from cchc_xl.model.catalog import framework_for, load_form
from cchc_xl.ooxml.builder import build_workbook
from cchc_xl.ooxml.reader import zip_parts
from cchc_xl.ooxml.vba import build_xlsm, xlsm_differences


def template_path(directory: str | Path, form_id: str) -> Path:
    return Path(directory) / f"{form_id}.xlsx"


def build_templates(directory: str | Path, form_ids: Iterable[str]) -> list[Path]:
    """(Re)build the master template of each form into ``directory``."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    out = []
    for form_id in form_ids:
        form = load_form(form_id)
        path = template_path(directory, form_id)
        build_workbook(path, form, framework_for(form))
        out.append(path)
        build_xlsm(path, path.with_suffix(".xlsm"))  # the macro-enabled twin with the Kiểm tra buttons
    return out


def stale_templates(directory: str | Path, form_ids: Iterable[str]) -> list[Path]:
    """Committed templates that differ, part by part, from a fresh build of the catalog."""
    stale = []
    with tempfile.TemporaryDirectory() as tmp:
        for form_id in form_ids:
            committed = template_path(directory, form_id)
            fresh = build_templates(tmp, [form_id])[0]
            try:
                same = committed.is_file() and zip_parts(committed) == zip_parts(fresh)
            except zipfile.BadZipFile:
                same = False
            if not same:
                stale.append(committed)
            macro = committed.with_suffix(".xlsm")
            if not macro.is_file() or xlsm_differences(macro, fresh.with_suffix(".xlsm")):
                stale.append(macro)
    return stale


def build_template_file(form_id: str, out: str | Path) -> Path:
    """The master template of one form (bundled or registered from ``--form FILE``) written to ``out``."""
    form = load_form(form_id)
    build_workbook(out, form, framework_for(form))
    return Path(out)
