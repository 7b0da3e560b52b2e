"""pandas DataFrames of the library's results, for notebooks and scripts (``result.to_frame()``).

Each converter is registered for a ``Tabular.frame_kind`` (``cchc_xl.model.tabular``); the package root
imports this module, so the result records get ``to_frame()`` without importing this layer or pandas.

Every frame is built from the same dictionaries the CLI prints as JSON (``to_json()``), so a column never
says something the JSON does not. Conventions: codes stay strings ("3.3.1.a", never 3.31), text is NFC,
a blank cell is ``pd.NA`` (never 0), and columns use pandas' nullable dtypes (``Int64``, ``Float64``,
``string``, ``boolean``); a number column that also holds text a commune typed stays ``object``.

pandas is imported here, inside the functions, and nowhere else: the command line never loads it.
"""

from __future__ import annotations

import unicodedata
from typing import TYPE_CHECKING

from cchc_xl.messages import say
from cchc_xl.model.tabular import register_frame

if TYPE_CHECKING:  # pragma: no cover - typing only
    import pandas as pd

REPORT_COLUMNS = ("code", "label", "unit", "value")
FINDING_COLUMNS = ("rule", "severity", "codes", "sheet", "cell", "message")
CHANGE_COLUMNS = ("kind", "code", "label", "section", "sheet", "cell_old", "cell_new", "old", "new", "abs_change",
                  "rel_change", "caused_by", "column", "expected", "overwritten", "detail", "severity", "rule")
UNIT_HEAD = ("ma_xa", "xa", "huyen", "tinh", "file", "status", "errors", "warnings")
UNIT_TAIL_HEAD = ("basis", "score_total")  # then score_<field>…, rank_total, rank_<field>…, rank_change, rating


def pandas():
    """The pandas module, or a Vietnamese ImportError saying how to install it."""
    try:
        import pandas as pd
    except ImportError:
        raise ImportError(say("pandas-missing")) from None
    return pd


def _missing(v: object) -> bool:
    return v is None or v == "" or (isinstance(v, float) and v != v)


def _nfc(v: object) -> object:
    return unicodedata.normalize("NFC", v) if isinstance(v, str) else v


def series(values: list[object], kind: str = "auto", name: str | None = None) -> pd.Series:
    """One column with a nullable dtype: ``kind`` is "string", "int", "float", "bool", "object" or "auto"
    (integers → Int64, other numbers → Float64, anything with text or lists → object)."""
    pd = pandas()
    vals = [pd.NA if _missing(v) else _nfc(v) for v in values]
    present = [v for v in vals if v is not pd.NA]
    if kind == "auto":
        if all(isinstance(v, int) and not isinstance(v, bool) for v in present):
            kind = "int"
        elif all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
            kind = "float"
        else:
            kind = "object"
    if kind == "int" and not all(isinstance(v, int) and not isinstance(v, bool) for v in present):
        kind = "float" if all(isinstance(v, int | float) and not isinstance(v, bool) for v in present) else "object"
    if kind == "float" and not all(isinstance(v, int | float) and not isinstance(v, bool) for v in present):
        kind = "object"
    dtype = {"string": "string", "int": "Int64", "float": "Float64", "bool": "boolean", "object": object}[kind]
    if kind == "string":
        vals = [v if v is pd.NA else str(v) for v in vals]
    return pd.Series(vals, dtype=dtype, name=name)


def frame(columns: dict[str, pd.Series], names: tuple[str, ...] | list[str]) -> pd.DataFrame:
    pd = pandas()
    df = pd.DataFrame({n: columns[n].reset_index(drop=True) for n in names})
    return df if len(names) else pd.DataFrame()


# -------------------------------------------------------------------------------------------- a Report


@register_frame("report")
def report_frame(report) -> pd.DataFrame:
    """One row per indicator cell of the form (catalog order): code, label, unit, value."""
    doc = report.to_json()
    cells = report.form.cells
    cols = {
        "code": series([i.code for i in cells], "string"),
        "label": series([i.label for i in cells], "string"),
        "unit": series([i.unit for i in cells], "string"),
        "value": series([doc["values"].get(i.code) for i in cells]),
    }
    return frame(cols, REPORT_COLUMNS)


# ------------------------------------------------------------------------------------------- findings


def findings_rows(findings: list[dict]) -> pd.DataFrame:
    """Findings as JSON dicts (``Finding.to_json()``) → rule, severity, codes, sheet, cell, message."""
    cols = {k: series([f.get(k) for f in findings], "string") for k in FINDING_COLUMNS if k != "codes"}
    cols["codes"] = series([list(f.get("codes") or ()) for f in findings], "object")
    return frame(cols, FINDING_COLUMNS)


@register_frame("findings")
def findings_frame(result) -> pd.DataFrame:
    """A ValidationResult's findings (an unusable file gives an empty frame with the same columns)."""
    return findings_rows(result.to_json()["findings"])


# ---------------------------------------------------------------------------------------------- diff


@register_frame("diff")
def diff_frame(result) -> pd.DataFrame:
    """A DiffResult's changes, one row each, with every key of the JSON change (absent ones NA)."""
    changes = result.to_json()["changes"]
    kinds = {"abs_change": "float", "rel_change": "float", "overwritten": "bool", "old": "object",
             "new": "object", "caused_by": "object"}
    cols = {k: series([c.get(k) for c in changes], kinds.get(k, "string")) for k in CHANGE_COLUMNS}
    return frame(cols, CHANGE_COLUMNS)


# --------------------------------------------------------------------------------------- consolidation

_INT_KINDS = ("count", "coded")


@register_frame("consolidation")
def consolidation_frame(result) -> pd.DataFrame:
    """One row per consolidated commune, in the report's order: identity and status, one column per
    indicator code (inputs as read, derived rows recomputed), then the score basis, the total and field
    scores (``score_total``, ``score_<field>``), the ranks (``rank_total``, ``rank_<field>``), the change of
    rank since ``previous`` and the rating class."""
    units = result.units
    docs = [result.unit_json(u) for u in units]
    form, fw = result.form, result.framework
    fields = [f.code for f in fw.fields] if fw else []
    cols: dict[str, pd.Series] = {
        "ma_xa": series([d["ma_xa"] for d in docs], "string"),
        "xa": series([d["xa"] for d in docs], "string"),
        "huyen": series([u.huyen for u in units], "string"),
        "tinh": series([u.tinh for u in units], "string"),
        "file": series([d["file"] for d in docs], "string"),
        "status": series([d["status"] for d in docs], "string"),
        "errors": series([d["errors"] for d in docs], "int"),
        "warnings": series([d["warnings"] for d in docs], "int"),
    }
    codes = [i.code for i in form.cells] if form else []
    for ind in form.cells if form else ():
        kind = "int" if ind.kind in _INT_KINDS and not ind.is_derived else "float"
        cols[ind.code] = series([d["values"].get(ind.code) for d in docs], kind)
    cols["basis"] = series([result.score_basis if d["scores"]["total"] is not None else None for d in docs],
                           "string")
    cols["score_total"] = series([d["scores"]["total"] for d in docs], "float")
    for f in fields:
        cols[f"score_{f}"] = series([d["scores"]["fields"].get(f) for d in docs], "float")
    cols["rank_total"] = series([d["rank"]["total"]["position"] for d in docs], "int")
    for f in fields:
        cols[f"rank_{f}"] = series([(d["rank"]["fields"].get(f) or {}).get("position") for d in docs], "int")
    cols["rank_change"] = series([d["rank_change"] for d in docs], "int")
    cols["rating"] = series([u.rating for u in units], "string")
    names = [*UNIT_HEAD, *codes, *UNIT_TAIL_HEAD, *(f"score_{f}" for f in fields), "rank_total",
             *(f"rank_{f}" for f in fields), "rank_change", "rating"]
    return frame(cols, names)


# -------------------------------------------------------------------------------------------- batches


@register_frame("batch")
def batch_frame(result) -> pd.DataFrame:
    """One row per row of a ``new --batch`` table: row, xa, ma_xa, file (NA when not written), problems."""
    rows = result.to_json()["rows"]
    cols = {
        "row": series([r["row"] for r in rows], "string"),
        "xa": series([r["xa"] for r in rows], "string"),
        "ma_xa": series([r["ma_xa"] for r in rows], "string"),
        "file": series([r["file"] for r in rows], "string"),
        "problems": series([list(r["problems"]) for r in rows], "object"),
    }
    return frame(cols, ("row", "xa", "ma_xa", "file", "problems"))
