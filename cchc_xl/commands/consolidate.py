"""Consolidate a folder of commune workbooks into one result for the district or province.

``consolidate(directory, ...)`` scans the folder, validates every workbook with the same engine as
``cchc-xl validate`` (in a process pool: each worker returns a compact :class:`FileRecord`, not a Report),
identifies each file's commune and period from its metadata, reports conflicts instead of guessing, sums
the communes' inputs (ratios recomputed from the summed numerators and denominators, coded answers
counted per answer), ranks the PAR Index results (``rank``), and checks completeness against an expected
list of communes. It returns a :class:`ConsolidationResult`; writing the workbook and JSON is
``report_consolidate``'s job. Inputs are only ever opened read-only.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import multiprocessing
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from functools import cached_property
from pathlib import Path
from typing import ClassVar

from cchc_xl.engine import derive, rank, scores
from cchc_xl.errors import DataError, UnusableInput
from cchc_xl.messages import say
from cchc_xl.model import names
from cchc_xl.model.catalog import PERIODS, Form, Framework, framework_for, load_form, nfc
from cchc_xl.model.tabular import Tabular
from cchc_xl.model.units import fold_name, norm_code, norm_name
from cchc_xl.model.vnencoding import detect_many, fix_text, to_unicode
from cchc_xl.ooxml.safety import escape_surrogates, is_hidden_or_temp, is_lock_file, sniff
from cchc_xl.sources.workbook import validate_file

WORKBOOK_SUFFIXES = (".xlsx", ".xlsm", ".xls")
# Column headers of the "Chỉ số CCHC" sheet that a later run reads back with --previous LAST.xlsx.
HEAD_CODE, HEAD_NAME, HEAD_DISTRICT, HEAD_POSITION = "Mã xã", "Xã/phường", "Huyện", "Thứ hạng"
INDEX_SHEET = "Chỉ số CCHC"
# The per-field ranks sheet (one row per commune and field), read back for the per-field rank change.
FIELDS_SHEET, HEAD_FIELD, HEAD_FIELD_POSITION = "Xếp hạng lĩnh vực", "Mã lĩnh vực", "Hạng lĩnh vực"

# Completeness of an expected commune (JSON "completeness[].status"): a usable file without errors /
# a usable file with errors / every file it sent unusable / several files and none chosen / no file.
C_OK, C_FINDINGS, C_UNUSABLE, C_CONFLICT, C_MISSING = "ok", "findings", "unusable", "conflict", "missing"
COMPLETENESS_ORDER = (C_OK, C_FINDINGS, C_UNUSABLE, C_CONFLICT, C_MISSING)

# Statuses of a consolidated unit (JSON "status"): no finding / warnings only / errors but included /
# errors and left out because of --exclude-invalid.
OK, WARNINGS, ERRORS, EXCLUDED = "ok", "warnings", "errors", "excluded"


# ------------------------------------------------------------------------------------------ records


@dataclass
class FileRecord:
    """What a worker learns from one file: small and picklable (no Report, no Form objects)."""

    file: str  # path relative to the scanned folder, with "/" separators
    path: str
    mtime: float
    usable: bool
    kind: str = ""  # UnusableInput.kind when not usable
    reason: str = ""
    form: str = ""
    version: str = ""
    meta: dict[str, object] = field(default_factory=dict)  # strings, ints, ngay_lap as ISO date
    values: tuple = ()  # form.cells order: inputs as read + derived recomputed (compact to pickle and keep)
    self_fields: dict[str, object] = field(default_factory=dict)
    self_total: object = None
    appraised_fields: dict[str, object] = field(default_factory=dict)
    appraised_total: object = None
    has_self: bool = False
    has_appraised: bool = False
    self_criteria: dict[str, object] = field(default_factory=dict)  # every entered self-score, by criterion
    appraised_criteria: dict[str, object] = field(default_factory=dict)
    # the standing index (engine/scores.py): per-field standing points, their sum, basis and gaps
    score_fields: dict[str, object] = field(default_factory=dict)
    score_total: object = None
    score_basis: str | None = None
    score_missing: tuple[str, ...] = ()
    errors: int = 0
    warnings: int = 0
    findings: list[dict] = field(default_factory=list)


def _plain(v: object) -> object:
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    if v is None or isinstance(v, bool | int | float | str):
        return v
    return str(v)


def _finding_dict(f: object) -> dict:
    d = {k: getattr(f, k, None) for k in ("rule", "severity", "codes", "sheet", "cell", "message")}
    d["codes"] = list(d["codes"] or ())
    d["values"] = {str(k): _plain(v) for k, v in (getattr(f, "values", None) or {}).items()}
    return d


def _read_file(path: str, root: str = "", framework: str | None = None) -> FileRecord:
    """Validate one workbook and extract its compact record. Never raises (runs inside a pool worker)."""
    rel = os.path.relpath(path, root).replace(os.sep, "/") if root else os.path.basename(path)
    rel = escape_surrogates(rel)  # a Latin-1 byte in a file name is shown escaped, never crashes a run
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        mtime = 0.0
    try:
        result = validate_file(path, framework=framework)
        if result.status == "unusable" or result.report is None:
            exc = result.unusable
            return FileRecord(rel, path, mtime, False, kind=getattr(exc, "kind", "unusable"),
                              reason=getattr(exc, "message", "") or str(exc))
        report = result.report
        form, fw = report.form, report.framework
        inputs = {i.code: report.values.get(i.code) for i in form.inputs}
        values = {**inputs, **derive.derived_values(form, inputs)}
        rec = FileRecord(rel, path, mtime, True, form=report.template_id, version=report.template_version,
                         meta={k: _plain(fix_text(v)) for k, v in report.meta.items()},  # TCVN3/VNI names
                         values=tuple(_plain(values.get(i.code)) for i in form.cells),
                         errors=result.errors, warnings=result.warnings,
                         findings=[_finding_dict(f) for f in result.findings])
        for appraised, entered in ((False, report.scores), (True, report.appraised)):
            numeric = {k: v for k, v in entered.items() if isinstance(v, int | float) and not isinstance(v, bool)}
            if not numeric:
                continue
            if appraised:
                rec.appraised_criteria = numeric
            else:
                rec.self_criteria = numeric
            computed = derive.score_values(fw, numeric, appraised)
            fields = {f.code: computed.get(f.code, numeric.get(f.code)) for f in fw.fields
                      if appraised or f.self_assessed}
            total = computed[names.total_name(appraised)]
            total = None if total == "" else total
            if appraised:
                rec.appraised_fields, rec.appraised_total, rec.has_appraised = fields, total, True
            else:
                rec.self_fields, rec.self_total, rec.has_self = fields, total, True
        st = scores.standing(fw, report.scores, report.appraised)
        rec.score_fields, rec.score_total, rec.score_basis = st.points, st.total, st.basis
        rec.score_missing = st.missing
        return rec
    except UnusableInput as exc:
        return FileRecord(rel, path, mtime, False, kind=exc.kind, reason=exc.message)
    except Exception as exc:  # one broken file must never stop the other 3,000
        return FileRecord(rel, path, mtime, False, kind="internal-error",
                          reason=say("internal-error", detail=f"{type(exc).__name__}: {exc}"))


# ---- intake (issue 13): files in another layout (--import) or of an older template version (--migrate)
IMPORT_KINDS = ("not-ours", "legacy-xls", "not-a-workbook")
IMPORT_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods", ".docx")


def read_file(path: str, root: str = "", framework: str | None = None, accept: tuple[str, ...] = ()) -> FileRecord:
    """:func:`_read_file`, then, as ``accept`` allows, a foreign layout imported or an old version migrated on
    the fly (marked in the findings); otherwise the rejection names the option that would take the file."""
    rec = _read_file(path, root, framework)
    if rec.usable:
        return rec
    if rec.kind in IMPORT_KINDS and Path(path).suffix.lower() in IMPORT_SUFFIXES:
        if "import" in accept:
            return _read_converted(path, framework, rec, "import")
        rec.reason = f"{rec.reason} {say('consolidate-use-import')}"
    elif rec.kind == "old-version":
        if "migrate" in accept:
            return _read_converted(path, framework, rec, "migrate")
        rec.reason = f"{rec.reason} {say('consolidate-use-migrate')}"
    return rec


def _read_converted(path: str, framework: str | None, rec: FileRecord, how: str) -> FileRecord:
    import tempfile

    from cchc_xl.errors import CchcError
    from cchc_xl.ooxml.builder import build_workbook
    from cchc_xl.sources.datafile import check_data
    from cchc_xl.sources.imported import import_document
    from cchc_xl.sources.migration import migrate_document

    try:
        with tempfile.TemporaryDirectory(prefix="cchc_xl_in_") as tmp:
            out = Path(tmp) / "converted.xlsx"
            if how == "import":
                result = import_document(path)
                fw = framework_for(result.form_obj, framework)
                build_workbook(out, result.form_obj, fw, check_data(result.document, result.form_obj, fw))
                c = result.counts
                notes = [_note_finding("imported-file", say("consolidate-imported", matched=c["matched"],
                                                            problems=len(result.problems), source=rec.file))]
                for m in result.problems:
                    finding = _note_finding(f"import-{m.status}", say(
                        "consolidate-import-row", where=m.where, stt=m.stt or "—", label=m.label, value=m.value,
                        status=say("import-status-" + m.status), reason=m.reason), "error")
                    finding["codes"] = list(m.candidates)
                    finding["cell"] = m.where
                    notes.append(finding)
            else:
                result = migrate_document(path)
                build_workbook(out, result.form_obj, framework_for(result.form_obj, framework), result.data)
                notes = [_note_finding("migrated-file", say("consolidate-migrated", old=result.from_version or "?",
                                                            new=result.to_version))]
                notes += [_note_finding("migrate-dropped", f"{d.what} = {d.value}: {d.reason}", "error")
                          for d in result.dropped]
            new = _read_file(str(out), "", framework)
    except CchcError as exc:
        rec.reason = exc.message
        return rec
    except Exception as exc:  # one broken file must never stop the others
        rec.reason = say("internal-error", detail=f"{type(exc).__name__}: {exc}")
        return rec
    if not new.usable:
        return rec
    new.file, new.path, new.mtime = rec.file, rec.path, rec.mtime
    new.findings = notes + new.findings
    new.errors += sum(f["severity"] == "error" for f in notes)
    new.warnings += sum(f["severity"] == "warning" for f in notes)
    return new


def _read_star(args: tuple) -> FileRecord:
    return read_file(*args)


# ------------------------------------------------------------------------------------------ scanning


@dataclass(frozen=True)
class Rejection:
    """A file not used, with why; the commune it names (from its metadata) when it could be read."""

    file: str
    reason: str
    kind: str
    xa: str = ""
    ma_xa: str = ""
    huyen: str = ""
    mtime: float = 0.0
    ngay_lap: str = ""


def scan(directory: Path, skip: Iterable[Path] = ()) -> tuple[list[Path], list[Rejection]]:
    """Every candidate file under ``directory`` (sorted) and the files skipped up front: Excel/LibreOffice
    lock files, hidden and temporary files. Those are not reports, so they are skipped, never "rejected"."""
    skipped = {p.resolve() for p in skip}
    candidates: list[Path] = []
    passed: list[Rejection] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames.sort()
        for name in sorted(filenames):
            path = Path(dirpath) / name
            rel = escape_surrogates(path.relative_to(directory).as_posix())
            if path.resolve() in skipped:
                continue
            if is_lock_file(path):
                passed.append(Rejection(rel, say("consolidate-lock", name=rel), "lock-file"))
                continue
            hidden_dir = any(part.startswith(".") for part in Path(rel).parts[:-1])
            if is_hidden_or_temp(path) or hidden_dir:
                passed.append(Rejection(rel, say("consolidate-hidden", name=rel), "hidden-or-temp"))
                continue
            candidates.append(path)
    return candidates, passed


def _chunksize(n: int, jobs: int) -> int:
    return max(1, min(32, n // (jobs * 8) or 1))


def read_all(paths: list[Path], root: Path, framework: str | None = None, jobs: int | None = None,
             progress: Callable[[int, int], None] | None = None, accept: tuple[str, ...] = ()) -> list[FileRecord]:
    """Validate every file, in ``jobs`` processes (default: all cores); records come back in input order."""
    jobs = max(1, jobs or os.cpu_count() or 1)
    args = [(str(p), str(root), framework, accept) for p in paths]
    out: list[FileRecord] = []
    if jobs == 1 or len(args) < 8:
        for a in args:
            out.append(_read_star(a))
            if progress:
                progress(len(out), len(args))
        return out
    methods = multiprocessing.get_all_start_methods()
    ctx = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    with ctx.Pool(min(jobs, len(args))) as pool:
        for rec in pool.imap(_read_star, args, chunksize=_chunksize(len(args), jobs)):
            out.append(rec)
            if progress:
                progress(len(out), len(args))
    return out


# ------------------------------------------------------------------------------------- identification









@dataclass
class ExpectedUnit:
    ma_xa: str
    xa: str
    huyen: str = ""


def read_expected(path: Path) -> list[ExpectedUnit]:
    """The expected communes: CSV (UTF-8) or the first sheet of an XLSX with columns ma_xa, xa[, huyen]."""
    try:
        if path.suffix.lower() in (".xlsx", ".xlsm"):
            sniff(path)
            from python_calamine import CalamineWorkbook

            wb = CalamineWorkbook.from_path(str(path))
            try:
                grid = wb.get_sheet_by_index(0).to_python()
            finally:
                wb.close()
            rows = [[_cell_text(v) for v in r] for r in grid]
        else:
            rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    except UnusableInput as exc:
        raise DataError([exc.message]) from None
    except (OSError, UnicodeDecodeError, csv.Error, ValueError) as exc:
        raise DataError([say("expected-unreadable", path=str(path), detail=exc)]) from None
    if not rows:
        raise DataError([say("expected-columns", path=str(path))])
    hint = detect_many([c for r in rows for c in r])  # a list kept since the .VnTime days
    rows = [[to_unicode(c, None, hint)[0] for c in r] for r in rows]
    header = [norm_name(h).replace(" ", "_") for h in rows[0]]
    aliases = {"ma_xa": ("ma_xa", "mã_xã", "ma", "mã"), "xa": ("xa", "xã", "ten_xa", "tên_xã", "ten", "tên"),
               "huyen": ("huyen", "huyện")}
    col = {k: next((header.index(a) for a in names if a in header), None) for k, names in aliases.items()}
    if col["xa"] is None:
        raise DataError([say("expected-columns", path=str(path))])
    out = []
    for r in rows[1:]:
        def get(key: str, r: list[str] = r) -> str:
            i = col[key]
            return nfc(r[i]) if i is not None and i < len(r) else ""

        if get("xa") or get("ma_xa"):
            out.append(ExpectedUnit(get("ma_xa"), get("xa"), get("huyen")))
    return out


def _previous_fields(grid: list[list[object]]) -> dict[str, dict[str, int]]:
    """Per-field positions of a previous workbook's "Xếp hạng lĩnh vực" sheet, by commune code (or name)."""
    out: dict[str, dict[str, int]] = {}
    for i, row in enumerate(grid):
        cells = [nfc(v) if isinstance(v, str) else v for v in row]
        if HEAD_NAME in cells and HEAD_FIELD in cells and HEAD_FIELD_POSITION in cells:
            c_code = cells.index(HEAD_CODE) if HEAD_CODE in cells else None
            c_name, c_field, c_pos = cells.index(HEAD_NAME), cells.index(HEAD_FIELD), cells.index(HEAD_FIELD_POSITION)
            for r in grid[i + 1:]:
                pos = r[c_pos] if c_pos < len(r) else None
                if isinstance(pos, int | float) and not isinstance(pos, bool) and pos >= 1:
                    code = nfc(_cell_text(r[c_code])) if c_code is not None else ""
                    out.setdefault(code or nfc(r[c_name]), {})[nfc(_cell_text(r[c_field]))] = int(pos)
            break
    return out


def _cell_text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        return str(int(v))
    return "" if v is None else str(v)


@dataclass(frozen=True)
class PreviousRank:
    """A commune's ranks in a previous run: overall position and dense position per field."""

    ma_xa: str
    xa: str
    position: int
    fields: dict[str, int] = field(default_factory=dict)


_LEVEL_TEXT = re.compile(r"hạng\s+(\d+)\s*/")


def read_previous(path: Path) -> list[PreviousRank]:
    """The ranks of a previous run: its --json report or its output workbook ("Chỉ số CCHC")."""
    try:
        if path.suffix.lower() == ".json":
            doc = json.loads(path.read_text(encoding="utf-8"))
            out = []
            for u in doc.get("units") or []:
                r = u.get("rank") or {}
                pos = (r.get("total") or {}).get("position")
                if isinstance(pos, int):
                    fields = {str(c): v["position"] for c, v in (r.get("fields") or {}).items()
                              if isinstance(v, dict) and isinstance(v.get("position"), int)}
                    out.append(PreviousRank(nfc(u.get("ma_xa")), nfc(u.get("xa")), pos, fields))
            return out
        sniff(path)
        from python_calamine import CalamineWorkbook

        wb = CalamineWorkbook.from_path(str(path))
        try:
            if INDEX_SHEET not in wb.sheet_names:
                raise DataError([say("previous-unreadable", path=str(path), detail=INDEX_SHEET)])
            grid = wb.get_sheet_by_name(INDEX_SHEET).to_python(skip_empty_area=False)
            field_grid = (wb.get_sheet_by_name(FIELDS_SHEET).to_python(skip_empty_area=False)
                          if FIELDS_SHEET in wb.sheet_names else [])
        finally:
            wb.close()
    except UnusableInput as exc:
        raise DataError([exc.message]) from None
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as exc:
        raise DataError([say("previous-unreadable", path=str(path), detail=exc)]) from None
    fields = _previous_fields(field_grid)
    for i, row in enumerate(grid):
        cells = [nfc(v) if isinstance(v, str) else v for v in row]
        if HEAD_NAME in cells and HEAD_POSITION in cells:
            c_code = cells.index(HEAD_CODE) if HEAD_CODE in cells else None
            c_name, c_pos = cells.index(HEAD_NAME), cells.index(HEAD_POSITION)
            out = []
            for r in grid[i + 1:]:
                pos = r[c_pos] if c_pos < len(r) else None
                if isinstance(pos, int | float) and not isinstance(pos, bool) and pos >= 1:
                    code = nfc(_cell_text(r[c_code])) if c_code is not None else ""
                    name = nfc(r[c_name])
                    out.append(PreviousRank(code, name, int(pos), fields.get(code or name, {})))
            return out
    raise DataError([say("previous-unreadable", path=str(path), detail=HEAD_POSITION)])


# -------------------------------------------------------------------------------------------- result


@dataclass(eq=False)
class UnitResult:
    """One consolidated commune."""

    xa: str
    ma_xa: str
    huyen: str
    tinh: str
    file: str
    path: str
    status: str
    errors: int
    warnings: int
    findings: list[dict]
    row: tuple  # values in the order of ``codes``
    codes: tuple[str, ...]
    fields: dict[str, object] = field(default_factory=dict)  # standing points per field (engine/scores.py)
    total: object = None  # the index on its basis: the sum of the standing points
    basis: str | None = None  # "final" | "provisional" | None (no score at all)
    missing: tuple[str, ...] = ()  # fields with no score
    rank_total: int | None = None
    rank_fields: dict[str, tuple[int, int]] = field(default_factory=dict)  # code → (position, levels)
    rank_change: int | None = None
    rank_huyen: int | None = None  # competition rank among the ranked communes of the same huyện
    rank_huyen_of: int = 0
    field_tied: dict[str, int] = field(default_factory=dict)  # code → other communes on the same level
    field_change: dict[str, int] = field(default_factory=dict)  # code → levels gained since --previous
    xa_in_file: str = ""  # the file's own spelling when the expected list spells the name otherwise
    self_fields: dict[str, object] = field(default_factory=dict)
    self_total: object = None
    appraised_fields: dict[str, object] = field(default_factory=dict)
    appraised_total: object = None
    self_criteria: dict[str, object] = field(default_factory=dict)
    appraised_criteria: dict[str, object] = field(default_factory=dict)
    rating: str = ""
    submitted: dt.date | None = None
    submitted_source: str = ""  # "ngay_lap" or "mtime"
    late: bool | None = None
    expected: bool | None = None  # None when no expected list was given
    ngay_lap: str = ""

    @property
    def included(self) -> bool:
        return self.status != EXCLUDED

    @property
    def complete(self) -> bool:
        return not self.missing

    @cached_property  # read once per cell by the renderers: built once, not a 99-entry dict per access
    def values(self) -> dict[str, object]:
        """Every indicator with a cell, by code: inputs as read, derived values recomputed."""
        return dict(zip(self.codes, self.row, strict=True))


@dataclass
class ExpectedStatus:
    unit: ExpectedUnit
    received: UnitResult | None
    folded: bool = False  # matched only after folding diacritics (reported)


@dataclass
class Completeness:
    """One expected commune's (or, without --expected, one identified commune's) submission status."""

    ma_xa: str
    xa: str
    huyen: str
    status: str  # one of COMPLETENESS_ORDER
    late: bool
    files: list[str]
    reason: str
    date: dt.date | None = None
    date_source: str = ""  # "ngay_lap" (metadata) or "mtime" (file time: a warning)
    unit: UnitResult | None = None
    rejections: list[Rejection] = field(default_factory=list)
    by_file_name: bool = False  # an unreadable file attributed to the commune by its file name

    def to_json(self) -> dict:
        return {"ma_xa": self.ma_xa or None, "xa": self.xa, "huyen": self.huyen or None, "status": self.status,
                "late": self.late, "files": list(self.files), "reason": self.reason}


@dataclass
class ConsolidationResult(Tabular):
    frame_kind: ClassVar[str] = "consolidation"  # to_frame(): one row per commune, one column per code, …

    directory: Path
    form: Form | None
    framework: Framework | None
    ky: str | None
    nam: int | None
    level: str  # "huyện" or "tỉnh"
    unit_name: str
    units: list[UnitResult]
    totals: dict[str, object]
    reporting: dict[str, int]  # code → number of included units with a number for it
    blank_units: dict[str, list[str]]  # code → included communes that left it blank
    missing: list[ExpectedUnit]
    rejected: list[Rejection]
    expected: list[ExpectedStatus] | None
    score_basis: str | None  # "final" (every unit), "provisional" (any unit) or None (no scores)
    ranked: int
    field_levels: dict[str, int]
    deadline: dt.date | None
    classes: tuple[rank.RatingClass, ...]
    previous: bool
    files_read: int
    skipped: list[Rejection] = field(default_factory=list)  # lock, hidden and temporary files
    completeness: list[Completeness] = field(default_factory=list)
    percent_basis: dict[str, dict] = field(default_factory=dict)  # code → how an entered % was consolidated
    classes_source: str = ""  # the --classes file, or "" for the default table
    huyen_levels: bool = False  # several huyện: each commune also ranked within its huyện
    rank_incomplete: bool = False

    @property
    def incomplete(self) -> list[UnitResult]:
        """Included communes whose index lacks a field while others are scored ("chưa đủ điểm")."""
        if self.score_basis is None:
            return []
        return [u for u in self.units if u.included and not u.complete]

    @property
    def exit_code(self) -> int:
        bad = self.rejected or self.missing or any(u.errors for u in self.units) or self.incomplete
        return 1 if bad else 0

    def counts(self) -> dict[str, int]:
        """Completeness counts by status (they add up to the expected list) and the late flag."""
        out = {s: 0 for s in COMPLETENESS_ORDER}
        for c in self.completeness:
            out[c.status] += 1
        out["late"] = sum(1 for c in self.completeness if c.late)
        out["expected"] = len(self.completeness)
        out["unexpected"] = sum(1 for u in self.units if u.expected is False)
        out["file_time"] = sum(1 for c in self.completeness if c.date_source == "mtime")
        return out

    @property
    def period_label(self) -> str:
        if not self.ky:
            return ""
        return f"{PERIODS.get(self.ky, self.ky)} {self.nam or ''}".strip()

    def to_json(self) -> dict:
        """The machine-readable report, with exactly the keys documented in the README."""
        return {**self.json_head(), "units": [self.unit_json(u) for u in self.units], **self.json_tail()}

    to_dict = to_json

    def json_head(self) -> dict:
        return {"form": self.form.id if self.form else None, "period": {"ky": self.ky, "nam": self.nam},
                "deadline": self.deadline.isoformat() if self.deadline else None}

    def json_tail(self) -> dict:
        return {
            "totals": {k: _json_num(v) if not isinstance(v, dict) else v for k, v in self.totals.items()},
            "completeness": [c.to_json() for c in self.completeness],
            "missing": [{"ma_xa": m.ma_xa or None, "xa": m.xa, "huyen": m.huyen or None} for m in self.missing],
            "rejected": [{"file": r.file, "reason": r.reason} for r in self.rejected],
            "skipped": [{"file": r.file, "reason": r.reason} for r in self.skipped],
        }

    def unit_json(self, u: UnitResult) -> dict:
        fields = [f.code for f in self.framework.fields] if self.framework else []
        return {
            "xa": u.xa,
            "ma_xa": u.ma_xa or None,
            "huyen": u.huyen or None,
            "xa_in_file": u.xa_in_file or None,
            "file": u.file,
            "status": u.status,
            "errors": u.errors,
            "warnings": u.warnings,
            "values": {k: _json_num(v) for k, v in u.values.items()},
            "scores": {"total": _json_num(u.total), "basis": u.basis, "complete": u.complete,
                       "missing": list(u.missing),
                       "fields": {c: _json_num(u.fields.get(c)) for c in fields if c in u.fields}},
            "rank": {"total": {"position": u.rank_total, "of": self.ranked if u.rank_total else None},
                     "huyen": {"position": u.rank_huyen, "of": u.rank_huyen_of if u.rank_huyen else None},
                     "fields": {c: {"position": p, "levels": lv, "tied": u.field_tied.get(c, 0),
                                    "change": u.field_change.get(c)} for c, (p, lv) in u.rank_fields.items()}},
            "rank_change": u.rank_change,
            "rating": u.rating or None,
        }


def _json_num(v: object) -> object:
    if v == "":
        return None
    return v


def _num(v: object) -> int | float | None:
    if isinstance(v, bool) or not isinstance(v, int | float):
        return None
    return v


# ------------------------------------------------------------------------------------------- totals


def consolidate_values(form: Form, units: list[UnitResult]) -> tuple[dict, dict, dict, dict]:
    """Totals of the included units: counts and amounts summed, derived rows recomputed from the sums,
    coded answers counted per answer, and a percentage a commune enters itself consolidated as the mean
    weighted by its base where the form names one (``weight``), else as the plain mean with its min–max.
    Returns (totals, reporting counts, communes that left each row blank, how each % was consolidated)."""
    included = [u for u in units if u.included]
    col_of = {i.code: n for n, i in enumerate(form.cells)}
    totals: dict[str, object] = {}
    reporting: dict[str, int] = {}
    blank: dict[str, list[str]] = {}
    sums: dict[str, object] = {}
    percent_basis: dict[str, dict] = {}
    for col, ind in enumerate(form.cells):
        column = [(u, _num(u.row[col]) if col < len(u.row) else None) for u in included]
        have = [v for _u, v in column if v is not None]
        reporting[ind.code] = len(have)
        blank[ind.code] = [u.xa for u, v in column if v is None]
        if not ind.is_input:
            continue
        if ind.kind in ("count", "amount"):
            total = sum(have) if have else None
            if isinstance(total, float):
                total = derive._clean(total)
            totals[ind.code] = sums[ind.code] = total
        elif ind.kind == "coded":
            labels = {v: label for label, v in ind.allowed}
            counts = Counter(labels.get(v, "Khác") for v in have)
            totals[ind.code] = {label: counts.get(label, 0) for label, _ in ind.allowed} | (
                {"Khác": counts["Khác"]} if counts.get("Khác") else {})
        else:
            weights = None
            if ind.weight in col_of:
                wc = col_of[ind.weight]
                weights = [(v, _num(u.row[wc]) if wc < len(u.row) else None) for u, v in column if v is not None]
            totals[ind.code], percent_basis[ind.code] = percent_total(have, weights, ind.weight)
    derived = derive.derived_values(form, sums)
    for ind in form.derived:
        v = derived.get(ind.code)
        totals[ind.code] = None if v == "" else v
    ordered = {i.code: totals.get(i.code) for i in form.cells}
    return ordered, reporting, blank, percent_basis


def percent_total(values: list[float | int], weighted: list[tuple[float | int, object]] | None, base: str
                  ) -> tuple[float | None, dict]:
    """An entered percentage over the communes: Σ(%·base)/Σbase when every reporting commune gave a
    positive base, else the plain mean; both rounded to 2 places, with min and max for the note."""
    if not values:
        return None, {"method": "none", "n": 0}
    lo, hi = min(values), max(values)
    if weighted and all(isinstance(w, int | float) and w > 0 for _v, w in weighted):
        den = sum(Decimal(repr(w)) for _v, w in weighted)  # type: ignore[arg-type]
        num = sum(Decimal(repr(v)) * Decimal(repr(w)) for v, w in weighted)  # type: ignore[arg-type]
        return _round2(num / den), {"method": "weighted", "base": base, "n": len(values), "min": lo, "max": hi}
    mean = sum(Decimal(repr(v)) for v in values) / len(values)
    return _round2(mean), {"method": "mean", "base": base if weighted is not None else "", "n": len(values),
                           "min": lo, "max": hi}


def _round2(d: Decimal) -> float:
    return float(d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


# -------------------------------------------------------------------------------------------- ranking


INCOMPLETE_LABEL = "chưa đủ điểm"
PROVISIONAL_MARK = "tạm tính"


def rating_text(u: UnitResult, classes: tuple[rank.RatingClass, ...]) -> str:
    """The class of a complete index ("Tốt", "Tốt (tạm tính)" when provisional); "chưa đủ điểm" otherwise."""
    if u.basis is None:
        return ""
    if not u.complete:
        return INCOMPLETE_LABEL
    name = rank.classify(u.total, classes)
    return f"{name} ({PROVISIONAL_MARK})" if name and u.basis == scores.PROVISIONAL else name


def rank_units(units: list[UnitResult], framework: Framework, classes: tuple[rank.RatingClass, ...],
               previous: list[PreviousRank] | None, rank_incomplete: bool = False
               ) -> tuple[int, dict[str, int]]:
    """Fill the overall, within-huyện and per-field ranks, ties, rating and rank changes in place;
    return (ranked units, levels per field).

    Only complete indexes are ranked (``rank_incomplete`` ranks the others too) and only they are classed.
    """
    any_scored = any(u.basis for u in units if u.included)
    for u in units:
        if u.included:
            u.rating = rating_text(u, classes) or (INCOMPLETE_LABEL if any_scored else "")
    ranked = [u for u in units if u.included and u.total is not None and (u.complete or rank_incomplete)]
    keys = {id(u): u for u in ranked}
    totals = rank.competition_rank({id(u): u.total for u in ranked})
    for k, pos in totals.items():
        keys[k].rank_total = pos
    by_huyen: dict[str, list[UnitResult]] = {}
    for u in ranked:
        by_huyen.setdefault(norm_name(u.huyen), []).append(u)
    for members in by_huyen.values():
        for k, pos in rank.competition_rank({id(u): u.total for u in members}).items():
            keys[k].rank_huyen, keys[k].rank_huyen_of = pos, len(members)
    levels: dict[str, int] = {}
    for f in framework.fields:
        dense, n = rank.dense_rank({id(u): u.fields.get(f.code) for u in ranked})
        if not dense:
            continue
        levels[f.code] = n
        on_level = Counter(dense.values())
        for k, pos in dense.items():
            keys[k].rank_fields[f.code] = (pos, n)
            keys[k].field_tied[f.code] = on_level[pos] - 1
    if previous:
        by_code = {norm_code(p.ma_xa): p for p in previous if p.ma_xa}
        by_name = {norm_name(p.xa): p for p in previous if p.xa}
        by_fold = {fold_name(p.xa): p for p in previous if p.xa}
        for u in ranked:
            prev = by_code.get(norm_code(u.ma_xa)) if u.ma_xa else None
            if prev is None:
                prev = by_name.get(norm_name(u.xa))
            if prev is None and fold_name(u.xa) in by_fold:
                prev = by_fold[fold_name(u.xa)]
                u.findings.append(_note_finding("previous-folded-match", say("consolidate-folded-previous",
                                                                                xa=u.xa)))
                u.warnings += 1
            u.rank_change = rank.rank_change(u.rank_total, prev.position if prev else None)
            if prev is not None:
                for code, (pos, _n) in u.rank_fields.items():
                    change = rank.rank_change(pos, prev.fields.get(code))
                    if change is not None:
                        u.field_change[code] = change
    return len(ranked), levels


def _note_finding(rule: str, message: str, severity: str = "warning") -> dict:
    return {"rule": rule, "severity": severity, "codes": [], "sheet": None, "cell": None, "message": message,
            "values": {}}


# ------------------------------------------------------------------------------------------ consolidate


def _meta_text(rec: FileRecord, key: str) -> str:
    return nfc(rec.meta.get(key))


def _choose_period(records: list[FileRecord], form: str | None, ky: str | None, nam: int | None
                   ) -> tuple[str | None, str | None, int | None]:
    counts = Counter((r.form, r.meta.get("ky"), r.meta.get("nam")) for r in records)
    candidates = [k for k in counts if (form is None or k[0] == form) and (ky is None or k[1] == ky)
                  and (nam is None or k[2] == nam)]
    if not candidates:
        return form, ky, nam
    best = max(candidates, key=lambda k: (counts[k], k[2] if isinstance(k[2], int) else 0, str(k[0]), str(k[1])))
    return form or best[0], ky or best[1], nam if nam is not None else best[2]


def _unit_key(rec: FileRecord) -> tuple[str, str]:
    return norm_name(rec.meta.get("huyen")), norm_name(rec.meta.get("xa"))


def _date_of(rec: FileRecord) -> tuple[dt.date | None, str]:
    raw = rec.meta.get("ngay_lap")
    if isinstance(raw, str):
        try:
            return dt.date.fromisoformat(raw[:10]), "ngay_lap"
        except ValueError:
            pass
    if rec.mtime:
        return dt.datetime.fromtimestamp(rec.mtime).date(), "mtime"
    return None, ""


_DMY = re.compile(r"^\s*(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\s*$")


def parse_deadline(text: str) -> dt.date:
    """A deadline as clerks write it, "15/01/2023" (also 15-01-2023, 15.1.2023), or ISO "2023-01-15"."""
    m = _DMY.match(text or "")
    if m:
        return dt.date(int(m.group(3)), int(m.group(2)), int(m.group(1)))
    return dt.date.fromisoformat((text or "").strip())


def consolidate(
    directory: str | Path,
    *,
    expected: str | Path | None = None,
    previous: str | Path | None = None,
    deadline: dt.date | None = None,
    exclude_invalid: bool = False,
    prefer_newest: bool = False,
    framework: str | None = None,
    classes: tuple[rank.RatingClass, ...] = rank.DEFAULT_CLASSES,
    classes_source: str = "",
    rank_incomplete: bool = False,
    form: str | None = None,
    ky: str | None = None,
    nam: int | None = None,
    level: str | None = None,
    unit_name: str | None = None,
    jobs: int | None = None,
    skip: Iterable[Path] = (),
    progress: Callable[[int, int], None] | None = None,
    accept: tuple[str, ...] = (),  # "import" (foreign layouts), "migrate" (older template versions)
) -> ConsolidationResult:
    """Consolidate every commune workbook under ``directory`` (see the module docstring)."""
    root = Path(directory)
    if not root.exists():
        raise DataError([say("consolidate-no-dir", path=str(root))])
    if not root.is_dir():
        raise DataError([say("consolidate-not-dir", path=str(root))])
    if not os.access(root, os.R_OK | os.X_OK):
        raise DataError([say("consolidate-unreadable-dir", path=str(root))])
    expected_units = read_expected(Path(expected)) if expected else None
    previous_ranks = read_previous(Path(previous)) if previous else None
    aux = [Path(p) for p in (expected, previous) if p] + [Path(p) for p in skip]
    paths, skipped = scan(root, aux)
    if not paths:
        raise DataError([say("consolidate-empty-dir", path=str(root))])

    records = read_all(paths, root, framework, jobs, progress, accept)
    usable: list[FileRecord] = []
    rejected: list[Rejection] = []
    for rec in records:
        if rec.usable:
            usable.append(rec)
        else:
            rejected.append(_rejection(rec, rec.reason, rec.kind))

    form_id, ky, nam = _choose_period(usable, form, ky, nam)
    in_period: list[FileRecord] = []
    for rec in usable:
        if rec.form != form_id:
            rejected.append(_rejection(rec, say("consolidate-other-form", name=rec.file, form=rec.form,
                                                expected=form_id), "other-form"))
        elif rec.meta.get("ky") != ky or rec.meta.get("nam") != nam:
            rejected.append(_rejection(rec, say(
                "consolidate-other-period", name=rec.file,
                period=f"{PERIODS.get(str(rec.meta.get('ky')), rec.meta.get('ky') or '?')} {rec.meta.get('nam') or '?'}",
                expected=f"{PERIODS.get(str(ky), ky)} {nam}"), "other-period"))
        elif not _meta_text(rec, "xa"):
            rejected.append(_rejection(rec, say("consolidate-no-commune", name=rec.file), "no-commune"))
        else:
            in_period.append(rec)

    chosen = _resolve_duplicates(in_period, prefer_newest, rejected)
    form_obj = load_form(form_id) if form_id else None
    fw = framework_for(form_obj, framework) if form_obj else None

    bases = {r.score_basis for r in chosen} - {None}
    basis = None if not bases else scores.FINAL if bases == {scores.FINAL} else scores.PROVISIONAL
    codes = tuple(i.code for i in form_obj.cells) if form_obj else ()
    units = []
    for rec in chosen:
        has_errors = rec.errors > 0
        status = EXCLUDED if has_errors and exclude_invalid else ERRORS if has_errors else (
            WARNINGS if rec.warnings else OK)
        submitted, source = _date_of(rec)
        u = UnitResult(
            xa=_meta_text(rec, "xa"), ma_xa=_meta_text(rec, "ma_xa"), huyen=_meta_text(rec, "huyen"),
            tinh=_meta_text(rec, "tinh"), file=rec.file, path=rec.path, status=status, errors=rec.errors,
            warnings=rec.warnings, findings=list(rec.findings), row=rec.values, codes=codes, submitted=submitted,
            submitted_source=source, ngay_lap=str(rec.meta.get("ngay_lap") or ""),
            self_fields=rec.self_fields, self_total=rec.self_total, appraised_fields=rec.appraised_fields,
            appraised_total=rec.appraised_total, self_criteria=rec.self_criteria,
            appraised_criteria=rec.appraised_criteria,
        )
        u.fields, u.total, u.basis = dict(rec.score_fields), rec.score_total, rec.score_basis
        u.missing = tuple(rec.score_missing)
        if deadline is not None and submitted is not None:
            u.late = submitted > deadline
        units.append(u)
    units.sort(key=lambda u: (fold_name(u.huyen), fold_name(u.xa), norm_name(u.xa), u.file))

    statuses = None
    if expected_units is not None:
        statuses, _ = _match_expected(expected_units, units)
        units.sort(key=lambda u: (fold_name(u.huyen), fold_name(u.xa), norm_name(u.xa), u.file))
    entries = completeness(statuses, units, rejected, deadline)
    missing = [ExpectedUnit(c.ma_xa, c.xa, c.huyen) for c in entries if c.status == C_MISSING]

    totals, reporting, blank, pct = consolidate_values(form_obj, units) if form_obj else ({}, {}, {}, {})
    ranked, levels = rank_units(units, fw, classes, previous_ranks, rank_incomplete) if fw else (0, {})
    level_name, name = _level(units, level, unit_name)
    return ConsolidationResult(
        directory=root, form=form_obj, framework=fw, ky=ky, nam=nam, level=level_name, unit_name=name,
        units=units, totals=totals, reporting=reporting, blank_units=blank, missing=missing, rejected=rejected,
        expected=statuses, score_basis=basis, ranked=ranked, field_levels=levels, deadline=deadline,
        classes=classes, previous=previous_ranks is not None, files_read=len(records), skipped=skipped,
        completeness=entries, percent_basis=pct, classes_source=classes_source,
        huyen_levels=len({norm_name(u.huyen) for u in units if u.rank_huyen}) > 1,
        rank_incomplete=rank_incomplete,
    )


def _rejection(rec: FileRecord, reason: str, kind: str) -> Rejection:
    return Rejection(rec.file, reason, kind, xa=_meta_text(rec, "xa"), ma_xa=_meta_text(rec, "ma_xa"),
                     huyen=_meta_text(rec, "huyen"), mtime=rec.mtime, ngay_lap=str(rec.meta.get("ngay_lap") or ""))


def _resolve_duplicates(records: list[FileRecord], prefer_newest: bool, rejected: list[Rejection]
                        ) -> list[FileRecord]:
    """Group files by commune (same name in the same district, or the same code); keep singletons."""
    groups: list[list[FileRecord]] = []
    by_name: dict[tuple[str, str], int] = {}
    by_code: dict[str, int] = {}
    for rec in records:
        key, code = _unit_key(rec), norm_code(rec.meta.get("ma_xa")) if rec.meta.get("ma_xa") else ""
        g = by_name.get(key, by_code.get(code) if code else None)
        if g is None:
            g = len(groups)
            groups.append([])
        groups[g].append(rec)
        by_name.setdefault(key, g)
        if code:
            by_code.setdefault(code, g)
    chosen = []
    for group in groups:
        if len(group) == 1:
            chosen.append(group[0])
            continue
        names = ", ".join(r.file for r in group)
        if prefer_newest:
            newest = max(group, key=lambda r: (r.mtime, str(r.meta.get("ngay_lap") or ""), r.file))
            chosen.append(newest)
            for r in group:
                if r is not newest:
                    rejected.append(_rejection(r, say("consolidate-superseded", name=r.file, newest=newest.file,
                                                      xa=_meta_text(r, "xa")), "superseded"))
        else:
            for r in group:
                rejected.append(_rejection(r, say("consolidate-duplicate", name=r.file, files=names,
                                                  xa=_meta_text(r, "xa")), "duplicate"))
    return chosen


def _match_expected(expected: list[ExpectedUnit], units: list[UnitResult]
                    ) -> tuple[list[ExpectedStatus], list[ExpectedUnit]]:
    """Match expected communes to received ones: by code, then exact name, then folded name (reported)."""
    taken: set[int] = set()
    index: dict[str, dict[str, list[UnitResult]]] = {"code": {}, "name": {}, "fold": {}}
    for u in units:
        if u.ma_xa:
            index["code"].setdefault(norm_code(u.ma_xa), []).append(u)
        index["name"].setdefault(norm_name(u.xa), []).append(u)
        index["fold"].setdefault(fold_name(u.xa), []).append(u)

    def same_district(e: ExpectedUnit, u: UnitResult) -> bool:
        return not e.huyen or not u.huyen or norm_name(e.huyen) == norm_name(u.huyen)

    def take(kind: str, key: str, e: ExpectedUnit) -> UnitResult | None:
        for u in index[kind].get(key, ()):
            if id(u) not in taken and (kind == "code" or same_district(e, u)):
                taken.add(id(u))
                return u
        return None

    found: list[UnitResult | None] = [take("code", norm_code(e.ma_xa), e) if e.ma_xa else None for e in expected]
    for i, e in enumerate(expected):
        if found[i] is None:
            found[i] = take("name", norm_name(e.xa), e)
    statuses: list[ExpectedStatus] = []
    for e, u in zip(expected, found, strict=True):
        folded = False
        if u is not None and e.xa and norm_name(e.xa) != norm_name(u.xa):
            u.findings.append(_note_finding("expected-name-differs", say(
                "consolidate-name-differs", xa=u.xa, expected=e.xa, file=u.file, code=e.ma_xa)))
            u.warnings += 1
        if u is None:
            u = take("fold", fold_name(e.xa), e)
            if u is not None:
                folded = True
                u.findings.append(_note_finding("expected-folded-match", say(
                    "consolidate-folded-expected", xa=u.xa, expected=e.xa, file=u.file)))
                u.warnings += 1
        statuses.append(ExpectedStatus(e, u, folded))
    for s in statuses:  # every output uses the expected list's spelling; the file's own is kept in a note
        u = s.received
        if u is None:
            continue
        if s.unit.xa and u.xa != s.unit.xa:
            u.xa_in_file, u.xa = u.xa, s.unit.xa
        if s.unit.huyen:
            u.huyen = s.unit.huyen
        if s.unit.ma_xa and not u.ma_xa:
            u.ma_xa = s.unit.ma_xa
    for u in units:
        u.expected = id(u) in taken
        if not u.expected:
            u.findings.append(_note_finding("unexpected-unit", say("consolidate-unexpected", xa=u.xa, file=u.file)))
            u.warnings += 1
        if u.warnings and u.status == OK:
            u.status = WARNINGS
    missing = [s.unit for s in statuses if s.received is None]
    return statuses, missing


# ----------------------------------------------------------------------------------------- completeness

_UNUSABLE_KINDS_FIRST = ("other-form", "other-period", "no-commune")


def _slug(text: object) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_name(text)).strip("-")


def _file_date(r: Rejection) -> tuple[dt.date | None, str]:
    if r.ngay_lap:
        try:
            return dt.date.fromisoformat(r.ngay_lap[:10]), "ngay_lap"
        except ValueError:
            pass
    if r.mtime:
        return dt.datetime.fromtimestamp(r.mtime).date(), "mtime"
    return None, ""


def _attribute(rejected: list[Rejection], expected: list[ExpectedUnit]) -> dict[int, list[Rejection]]:
    """Which expected commune each rejected file belongs to: by its metadata (code, then name, then folded
    name) when it could be read, else by its file name ("hong-duc-nam-2022.xlsx" → Hồng Đức) when exactly
    one expected name fits. Index in ``expected`` → its rejected files."""
    by_code: dict[str, list[int]] = {}
    by_name: dict[str, list[int]] = {}
    by_fold: dict[str, list[int]] = {}
    for i, e in enumerate(expected):
        if e.ma_xa:
            by_code.setdefault(norm_code(e.ma_xa), []).append(i)
        by_name.setdefault(norm_name(e.xa), []).append(i)
        by_fold.setdefault(fold_name(e.xa), []).append(i)
    slugs = [(i, _slug(e.xa)) for i, e in enumerate(expected) if _slug(e.xa)]
    out: dict[int, list[Rejection]] = {}
    for r in rejected:
        if r.kind == "superseded":  # its commune was consolidated from a newer file
            continue
        hits: list[int] = []
        if r.xa or r.ma_xa:
            hits = by_code.get(norm_code(r.ma_xa), []) if r.ma_xa else []
            hits = hits or by_name.get(norm_name(r.xa), []) or by_fold.get(fold_name(r.xa), [])
            if len(hits) > 1 and r.huyen:
                hits = [i for i in hits if norm_name(expected[i].huyen) == norm_name(r.huyen)] or hits
        else:
            stem = "-" + _slug(Path(r.file).stem) + "-"
            fits = [(len(sl), i) for i, sl in slugs if f"-{sl}-" in stem]
            if fits:
                best = max(n for n, _ in fits)
                hits = [i for n, i in fits if n == best]
        if len(hits) == 1:
            out.setdefault(hits[0], []).append(r)
    return out


def completeness(statuses: list[ExpectedStatus] | None, units: list[UnitResult], rejected: list[Rejection],
                 deadline: dt.date | None) -> list[Completeness]:
    """Exactly one status per expected commune (ok / findings / unusable / conflict / missing) with its
    files, reason, submission date and where the date came from, and the separate "late" flag. Without
    an expected list: every commune identified from a file (consolidated, conflicting or unusable)."""
    def late(date: dt.date | None) -> bool:
        return bool(deadline and date and date > deadline)

    def from_unit(u: UnitResult) -> Completeness:
        status = C_FINDINGS if u.errors else C_OK
        reason = say("completeness-findings", errors=u.errors) if u.errors else ""
        return Completeness(u.ma_xa, u.xa, u.huyen, status, late(u.submitted), [u.file], reason, u.submitted,
                            u.submitted_source, unit=u)

    def from_rejections(ma_xa: str, xa: str, huyen: str, rs: list[Rejection]) -> Completeness:
        dates = [d for d in (_file_date(r) for r in rs) if d[0]]
        date, source = min(dates) if dates else (None, "")
        files = [r.file for r in rs]
        if any(r.kind == "duplicate" for r in rs):
            return Completeness(ma_xa, xa, huyen, C_CONFLICT, late(date), files,
                                say("completeness-conflict", files=", ".join(files)), date, source, rejections=rs)
        reason = " ".join(dict.fromkeys(r.reason for r in rs))
        return Completeness(ma_xa, xa, huyen, C_UNUSABLE, late(date), files, reason, date, source, rejections=rs,
                            by_file_name=not any(r.xa or r.ma_xa for r in rs))

    out: list[Completeness] = []
    if statuses is not None:
        expected = [s.unit for s in statuses]
        attributed = _attribute(rejected, expected)
        for i, s in enumerate(statuses):
            if s.received is not None:
                out.append(from_unit(s.received))
            elif i in attributed:
                out.append(from_rejections(s.unit.ma_xa, s.unit.xa, s.unit.huyen, attributed[i]))
            else:
                out.append(Completeness(s.unit.ma_xa, s.unit.xa, s.unit.huyen, C_MISSING, False, [],
                                        say("completeness-missing")))
        return out
    out = [from_unit(u) for u in units]
    groups: dict[tuple[str, str], list[Rejection]] = {}
    for r in rejected:
        if r.xa and r.kind != "superseded":
            groups.setdefault((norm_name(r.huyen), norm_name(r.xa)), []).append(r)
    seen = {(norm_name(u.huyen), norm_name(u.xa)) for u in units}
    for key, rs in groups.items():
        if key not in seen:
            out.append(from_rejections(rs[0].ma_xa, rs[0].xa, rs[0].huyen, rs))
    return out


def _level(units: list[UnitResult], level: str | None, name: str | None) -> tuple[str, str]:
    """The consolidating unit: one district when every commune names the same huyện, else the province."""
    districts = {u.huyen for u in units if u.huyen}
    provinces = Counter(u.tinh for u in units if u.tinh)
    if level is None:
        level = "huyện" if len(districts) == 1 and all(u.huyen for u in units) else "tỉnh"
    if name is None:
        if level == "huyện" and len(districts) == 1:
            name = next(iter(districts))
        else:
            name = provinces.most_common(1)[0][0] if provinces else ""
    return level, name
