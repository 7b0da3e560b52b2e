"""A form given on the command line: a bundled form id, or a catalog file outside the package.

``--form`` accepts ``phu-luc-01b`` (bundled), ``my-form.yaml`` (the documented YAML format) or a spreadsheet
form definition (see :mod:`cchc_xl.sources.form_sheet`); every problem is reported in Vietnamese.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from cchc_xl.errors import CatalogError
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form, load_form, parse_form


def resolve_form(ref: str | Form) -> Form:
    if isinstance(ref, Form):
        return ref
    p = Path(ref)
    if p.suffix.lower() in (".yaml", ".yml"):
        try:
            doc = yaml.safe_load(p.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
            raise CatalogError([say("form-file-unreadable", path=str(p), detail=type(exc).__name__)]) from None
        if not isinstance(doc, dict):
            raise CatalogError([say("form-file-unreadable", path=str(p), detail="không phải bảng khóa–giá trị")])
        try:
            return parse_form(doc)
        except CatalogError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError([say("form-file-bad", path=p.name, detail=type(exc).__name__)]) from None
    if p.suffix.lower() in (".xlsx", ".xlsm", ".ods", ".xls", ".csv"):
        from cchc_xl.sources.form_sheet import load_form_sheet

        return load_form_sheet(p)
    return load_form(ref)
