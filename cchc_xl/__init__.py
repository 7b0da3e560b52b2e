"""cchc-xl: spreadsheet-native toolkit for commune CCHC reports and the PAR Index self-assessment.

The public library API mirrors the command line: every command is a function returning a result object
with ``to_dict()`` (the same document the CLI prints as JSON) and, where the result is a table,
``to_frame()`` (a pandas DataFrame; pandas is needed only for that and for DataFrame input)::

    import cchc_xl
    report = cchc_xl.read("xa.xlsx")            # Report: values by code
    result = cchc_xl.validate(report)           # ValidationResult: findings
    cchc_xl.fill("xa.xlsx", {"values": {"3.3.1": 12}}, "xa-moi.xlsx")
    cchc_xl.new(table, "gui-xa/", form="hai-duong-bieu-mau-2022", meta={"ky": "quy1", "nam": 2025})
    tong_hop = cchc_xl.consolidate("bao-cao-xa/", expected="ds-xa.csv")
    changes = cchc_xl.diff("lan-1.xlsx", "lan-2.xlsx")

Nothing heavy is imported with the package itself (``import cchc_xl.cli`` stays fast): each function
imports its command when called, and the result classes below are loaded on first use.
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Composition root: the renderer plugs the DataFrame converters into the result records (to_frame()).
# It imports no pandas and no command, so `import cchc_xl.cli` stays as light as before.
from cchc_xl.render import frames as _frames  # noqa: F401

if TYPE_CHECKING:  # pragma: no cover - typing only
    from cchc_xl.commands.batch import BatchResult
    from cchc_xl.commands.consolidate import ConsolidationResult
    from cchc_xl.commands.diff import DiffResult
    from cchc_xl.commands.fill import FillResult
    from cchc_xl.commands.new import NewResult
    from cchc_xl.engine.validation import ValidationResult
    from cchc_xl.model.report import Report

__all__ = [
    "BatchResult",
    "CatalogError",
    "CchcError",
    "ConsolidationResult",
    "DataError",
    "DiffResult",
    "FillResult",
    "NewResult",
    "Report",
    "UnusableInput",
    "ValidationResult",
    "__version__",
    "consolidate",
    "diff",
    "fill",
    "new",
    "read",
    "validate",
]

# Public name → the module defining it, imported on first attribute access (PEP 562).
_LAZY = {
    "Report": "cchc_xl.model.report",
    "ValidationResult": "cchc_xl.engine.validation",
    "ConsolidationResult": "cchc_xl.commands.consolidate",
    "DiffResult": "cchc_xl.commands.diff",
    "FillResult": "cchc_xl.commands.fill",
    "NewResult": "cchc_xl.commands.new",
    "BatchResult": "cchc_xl.commands.batch",
    "CchcError": "cchc_xl.errors",
    "DataError": "cchc_xl.errors",
    "UnusableInput": "cchc_xl.errors",
    "CatalogError": "cchc_xl.errors",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'cchc_xl' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def read(path: str | Path, *, framework: str | None = None) -> Report:
    """Read a commune workbook by indicator code (``cchc-xl show``).

    Returns a :class:`Report` (``values``, ``scores``, ``appraised``, ``meta`` by code; ``to_frame()``:
    code, label, unit, value). Raises ``UnusableInput`` (Vietnamese ``message``) for a file that is not a
    usable cchc-xl workbook.
    """
    from cchc_xl.ooxml.reader import read_report

    return read_report(path, framework=framework)


def validate(source: str | Path | Report, *, framework: str | None = None) -> ValidationResult:
    """Check a workbook (a path or an already read :class:`Report`) with the workbook's own rules.

    Never raises for a bad file: an unusable one gives ``status == "unusable"``. ``to_frame()``: rule,
    severity, codes, sheet, cell, message.
    """
    from cchc_xl.model.report import Report
    from cchc_xl.sources.workbook import validate_file, validate_report

    if isinstance(source, Report):
        return validate_report(source)
    return validate_file(source, framework)


def _table_or_none(data: object):
    """A Table when ``data`` is a DataFrame or a table file (XLSX, or CSV with a commune column)."""
    from cchc_xl.sources.table import is_frame, read_table

    if is_frame(data):
        return read_table(data)
    if isinstance(data, str | Path):
        suffix = Path(data).suffix.lower()
        if suffix in (".xlsx", ".xlsm"):
            return read_table(data)
        if suffix == ".csv":
            table = read_table(data)
            if not table.is_long and {"xa", "ma_xa"} & {k for k in map(_meta_key, table.headers) if k}:
                return table
    return None


def _meta_key(header: str) -> str | None:
    from cchc_xl.sources.table import meta_key

    return meta_key(header)


def fill(workbook: str | Path, data: object, out: str | Path | None = None, *, in_place: bool = False,
         force: bool = False) -> FillResult:
    """Write values by code into an existing workbook, changing only those cells (``cchc-xl fill``).

    ``data``: a data file (YAML/JSON/CSV ``code,value``), a dict in the data-file format, or a table — a
    pandas DataFrame or CSV/XLSX, long (``code, value``) or wide (one row per commune: ``ma_xa``/``xa``
    plus one column per code; the row of this workbook's commune is used, matched by code, else by name).
    Without ``out`` and ``in_place`` nothing is written (a dry run). Raises ``DataError`` listing every
    problem (nothing written) and ``UnusableInput`` for an unusable workbook.
    """
    from cchc_xl.commands.fill import fill_workbook
    from cchc_xl.errors import DataError
    from cchc_xl.messages import say
    from cchc_xl.ooxml.reader import read_report
    from cchc_xl.sources.table import IDENTITY_KEYS, long_document, matching_rows, wide_rows

    table = _table_or_none(data)
    if table is not None:
        report = read_report(workbook)
        if table.is_long:
            data = long_document(table, report.form, report.framework, derived_as_stated=True)
        else:
            rows = matching_rows(wide_rows(table, report.form, report.framework, derived_as_stated=True),
                                 report.meta)
            xa, code = report.meta.get("xa") or "?", report.meta.get("ma_xa")
            if not rows:
                raise DataError([say("fill-no-row", source=table.source, xa=xa, code=f" ({code})" if code else "",
                                     name=Path(workbook).name)])
            if len(rows) > 1:
                raise DataError([say("fill-many-rows", source=table.source, xa=xa,
                                     rows=", ".join(r.number for r in rows))])
            if rows[0].doc is None:
                raise DataError(rows[0].problems)
            doc = rows[0].doc
            # The identity columns chose the row; they are not written over what the workbook says.
            data = {**doc, "meta": {k: v for k, v in doc["meta"].items() if k not in IDENTITY_KEYS}}
    return fill_workbook(workbook, data, out, in_place=in_place, force=force)


def new(data: object, out: str | Path, *, form: str | None = None, framework: str | None = None,
        meta: dict[str, object] | None = None, batch: bool | None = None, force: bool = False
        ) -> NewResult | BatchResult:
    """Create commune workbooks (``cchc-xl new`` and ``cchc-xl new --batch``).

    One workbook at ``out`` from a data file, a dict, or a long DataFrame (``code, value``). A wide
    table — a DataFrame with one row per commune, or any table file with ``batch=True`` — writes one
    prefilled workbook per row into the directory ``out``, with the identity and period locked, and
    returns a :class:`BatchResult` (rows that fail are reported there, nothing written for them).
    ``meta`` gives metadata the data leaves blank (``{"tinh": "Hải Dương", "ky": "quy1", "nam": 2025}``).
    Raises ``DataError`` (nothing written) for unusable data, ``FileExistsError`` when ``out`` exists
    and ``force`` is not set.
    """
    from cchc_xl.commands.batch import new_batch
    from cchc_xl.commands.new import new_workbook
    from cchc_xl.errors import DataError
    from cchc_xl.messages import say
    from cchc_xl.model.catalog import DEFAULT_FORM, framework_for, load_form
    from cchc_xl.sources.datafile import load_data
    from cchc_xl.sources.table import is_frame, long_document, read_table, wide_rows

    if batch or (batch is None and is_frame(data) and not read_table(data).is_long):
        return new_batch(data, out, form=form, framework=framework, meta=meta, force=force)
    if Path(out).exists() and not force:
        raise FileExistsError(say("api-output-exists", path=str(out)))
    if is_frame(data):
        form_obj = load_form(form or DEFAULT_FORM)
        fw = framework_for(form_obj, framework)
        table = read_table(data)
        if table.is_long:
            doc = long_document(table, form_obj, fw)
        else:
            rows = wide_rows(table, form_obj, fw)
            if len(rows) != 1:
                raise DataError([say("fill-many-rows", source=table.source, xa="?",
                                     rows=", ".join(r.number for r in rows))])
            if rows[0].doc is None:
                raise DataError(rows[0].problems)
            doc = rows[0].doc
    else:
        doc = load_data(data) if not isinstance(data, dict) else data  # type: ignore[arg-type]
    if meta:
        doc = {**doc, "meta": {**{k: v for k, v in meta.items() if v not in (None, "")}, **(doc.get("meta") or {})}}
    return new_workbook(doc, out, form, framework)


def consolidate(folder: str | Path, **options: Any) -> ConsolidationResult:
    """Consolidate a folder of commune workbooks (``cchc-xl consolidate``); writes nothing.

    ``options`` are those of the command: ``expected`` (CSV/XLSX list), ``previous``, ``deadline``
    (a ``datetime.date``), ``exclude_invalid``, ``prefer_newest``, ``framework``, ``jobs`` …
    ``to_frame()``: one row per commune, one column per code, then status, scores, ranks and basis.
    Raises ``DataError`` when the folder or an auxiliary file is unusable.
    """
    from cchc_xl.commands.consolidate import consolidate as run

    return run(folder, **options)


def diff(old: str | Path, new: str | Path | None = None, *, scores: bool = False,
         framework: str | None = None) -> DiffResult:
    """Compare two versions of a workbook by code, or (``scores=True``, one workbook) its self-assessed
    with its appraised scores (``cchc-xl diff``). ``to_frame()``: one row per change."""
    from cchc_xl.commands.diff import diff_files, diff_scores

    if scores:
        return diff_scores(old, framework=framework)
    if new is None:
        raise TypeError("diff() needs old and new, or one workbook with scores=True")
    return diff_files(old, new, framework=framework)


# Hooks for the capabilities other issues build (added by them, not stubbed here):
# import_file(path, …) — intake (issue 13); history(db) — history (issue 14).
