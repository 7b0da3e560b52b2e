"""A workbook of an older template version as data for the current one, by code, with a crosswalk.

Every input value, its Ghi chú, every entered score (tự chấm, thẩm định) with its tài liệu kiểm chứng, and
the metadata are read through the old workbook's own defined names. A code the current catalog still has is
carried as it is; a code the form's ``crosswalk`` renamed goes to its new code; a code it removed, or one
neither version knows, is listed with the reason, never dropped silently. Derived rows are recomputed by the
new template, so they are not carried.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from cchc_xl.engine.state import data_from_report
from cchc_xl.messages import say
from cchc_xl.model.catalog import Form, name_for, nfc
from cchc_xl.model.data import WorkbookData
from cchc_xl.model.layout import NOTE_OFFSET, SCORE_NOTE_COL, SCORE_SELF_COL, SCORE_SHEET
from cchc_xl.model.report import CellRef, Report
from cchc_xl.ooxml.reader import read_report
from cchc_xl.sources.datafile import check_value
from cchc_xl.sources.tabular import read_grids


@dataclass
class Dropped:
    """Something the old workbook holds that the new template cannot take, and why."""

    what: str  # code or defined name
    value: object
    reason: str

    def as_dict(self) -> dict:
        return {"what": self.what, "value": self.value, "reason": self.reason}


@dataclass
class MigrationResult:
    source: Path
    form: str
    from_version: str
    to_version: str
    data: WorkbookData
    renamed: dict[str, str] = field(default_factory=dict)
    dropped: list[Dropped] = field(default_factory=list)
    form_obj: Form | None = None

    @property
    def carried(self) -> int:
        d = self.data
        return len(d.values) + len(d.text) + len(d.notes) + len(d.scores) + len(d.appraised) + len(d.evidence)

    @property
    def exit_code(self) -> int:
        return 1 if self.dropped else 0


def _grid_reader(path: Path):
    grids, _ = read_grids(path, "xlsx")
    by_sheet = {nfc(g.name): g.rows for g in grids}

    def get(ref: CellRef | None, col_offset: int = 0, col: int | None = None) -> object:
        if ref is None:
            return None
        rows = by_sheet.get(ref.sheet) or []
        c = ref.col + col_offset if col is None else col
        if ref.row < len(rows) and 0 <= c < len(rows[ref.row]):
            v = rows[ref.row][c]
            if isinstance(v, float) and v.is_integer():
                return int(v)
            return v
        return None

    return get


def migrate_document(path: str | Path) -> MigrationResult:
    """Read ``path`` (any version of a known form) as data of the form's current version."""
    p = Path(path)
    report: Report = read_report(p, strict_version=False)
    form = report.form
    get = _grid_reader(p)
    walk = {old: new for version, old, new in form.crosswalk
            if not version or version == report.template_version}
    current = {ind.name: ind for ind in form.indicators}
    old_names = {name_for(old): old for old in walk}
    data = data_from_report(report)  # scores, appraised and metadata (the framework did not change)
    data.values, data.text = {}, {}
    result = MigrationResult(p, form.id, report.template_version, form.version, data, form_obj=form)
    for name, ref in sorted(report.names.items()):
        if not name.startswith("CT_"):
            continue
        raw = get(ref)
        old_code = old_names.get(name)
        if old_code is not None:
            target = walk[old_code]
            if target is None:
                if raw is not None:
                    result.dropped.append(Dropped(old_code, raw, say("migrate-removed", version=form.version)))
                continue
            ind = form.by_code[target]
            if target != old_code:
                result.renamed[old_code] = target
        elif name in current:
            ind = current[name]
        else:
            if raw is not None:
                result.dropped.append(Dropped(name, raw, say("migrate-unknown", version=form.version)))
            continue
        note = get(ref, NOTE_OFFSET)
        if ind.is_input and raw is not None:
            value, problem, _ = check_value(ind, raw)
            if problem is None:
                data.values[ind.code] = value
            elif isinstance(raw, str):
                data.text[ind.code] = nfc(raw)
            else:
                result.dropped.append(Dropped(ind.code, raw, problem))
        if note is not None and ind.has_cell and str(note).strip():
            data.notes[ind.code] = nfc(note)
    for crit in report.framework.criteria:
        ref = report.names.get(crit.self_name) or report.names.get(crit.appraised_name)
        if ref is not None and ref.sheet == SCORE_SHEET:
            evidence = get(ref, col=SCORE_NOTE_COL) if ref.col in (SCORE_SELF_COL, SCORE_SELF_COL + 1) else None
            if evidence is not None and str(evidence).strip():
                data.evidence[crit.code] = nfc(evidence)
    return result
