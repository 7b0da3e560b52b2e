"""The return pack: one small print-ready workbook per commune that sent a file, to send back by e-mail or
Zalo after a consolidation.

Each workbook (one A4 portrait sheet, "Kết quả gửi xã") says, for its commune: the submission status and
whether the file must be sent again and why; the findings with what to do about each; the ranks (overall,
within the huyện, per field with ties); and the criteria where the self-assessed score differs from the
appraised one. For a commune whose files were all unusable (or in conflict) it gives the reason and what
to do. The pack only reads a :class:`~cchc_xl.consolidate.ConsolidationResult`; files are named by commune
code and ASCII name ("11101-quang-khai.xlsx") so they survive any mail client, and written atomically.
"""

from __future__ import annotations

import multiprocessing
import os
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from cchc_xl.commands.consolidate import (
    C_CONFLICT,
    C_FINDINGS,
    C_MISSING,
    C_OK,
    C_UNUSABLE,
    Completeness,
    ConsolidationResult,
    fold_name,
)
from cchc_xl.engine import rank
from cchc_xl.errors import OutputRefused
from cchc_xl.messages import say
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.render import small_workbook
from cchc_xl.render.consolidate_report import (
    SEVERITY_LABELS,
    SOURCE_LABELS,
    STATUS_WORDS,
    Styles,
    agency_name,
    field_rank_text,
    official_header,
)
from cchc_xl.render.printing import row_height, setup_xlsxwriter

SHEET = "Kết quả gửi xã"
WIDTHS = [5, 14, 34, 9, 9, 9, 22]  # STT | code/sheet | text | numbers ×3 | what to do
LAST = len(WIDTHS) - 1


class ReturnPackError(OutputRefused):
    """The return directory cannot be written (a file would be overwritten without --force)."""


@dataclass(frozen=True)
class Target:
    name: str  # file name inside the return directory
    entry: Completeness


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold_name(text)).strip("-") or "xa"


def targets(result: ConsolidationResult) -> list[Target]:
    """One workbook per commune that sent at least one file (missing communes get none)."""
    entries = [e for e in result.completeness if e.status != C_MISSING]
    seen = {id(e.unit) for e in entries if e.unit is not None}
    for u in result.units:  # a commune outside the expected list still gets its results back
        if id(u) not in seen:
            entries.append(Completeness(u.ma_xa, u.xa, u.huyen, C_FINDINGS if u.errors else C_OK, False, [u.file],
                                        "", u.submitted, u.submitted_source, unit=u))
    out: list[Target] = []
    used: set[str] = set()
    for e in entries:
        base = "-".join(p for p in (_slug(e.ma_xa) if e.ma_xa else "", _slug(e.xa)) if p)
        name, k = f"{base}.xlsx", 2
        while name in used:
            name, k = f"{base}-{k}.xlsx", k + 1
        used.add(name)
        out.append(Target(name, e))
    return out


def check_return_dir(result: ConsolidationResult, directory: str | Path, force: bool = False) -> None:
    """Refuse before anything is written when a workbook of the pack already exists and not ``force``."""
    d = Path(directory)
    if d.exists() and not d.is_dir():
        raise ReturnPackError(say("consolidate-return-not-dir", path=str(d)))
    if force or not d.exists():
        return
    for t in targets(result):
        if (d / t.name).exists():
            raise ReturnPackError(say("consolidate-return-exists", path=str(d), name=t.name))


_SHARED: tuple[ConsolidationResult, list[Target], Path] | None = None  # what forked workers inherit


def _write_slice(bounds: tuple[int, int]) -> None:
    result, todo, d = _SHARED  # type: ignore[misc]
    for t in todo[bounds[0]:bounds[1]]:
        with atomic_output(d / t.name, force=True) as tmp:
            write_one(result, t.entry, tmp)


def write_return_pack(result: ConsolidationResult, directory: str | Path, force: bool = False,
                      jobs: int | None = None) -> list[Path]:
    """Write every commune's workbook into ``directory`` (created if needed); returns the paths written.
    Thousands of communes are split over ``jobs`` forked processes (default: all cores)."""
    global _SHARED
    d = Path(directory)
    check_return_dir(result, d, force)
    d.mkdir(parents=True, exist_ok=True)
    todo = targets(result)
    jobs = max(1, jobs or os.cpu_count() or 1)
    _prototype()  # built once, before any fork
    _SHARED = (result, todo, d)
    try:
        if jobs == 1 or len(todo) < 200 or "fork" not in multiprocessing.get_all_start_methods():
            _write_slice((0, len(todo)))
        else:
            step = max(50, len(todo) // (jobs * 4) + 1)
            with multiprocessing.get_context("fork").Pool(jobs) as pool:
                pool.map(_write_slice, [(i, i + step) for i in range(0, len(todo), step)])
    finally:
        _SHARED = None
    return [d / t.name for t in todo]


def must_resend(entry: Completeness) -> tuple[bool, str]:
    """Whether the commune must send its file again, and the reason in one sentence."""
    if entry.status in (C_UNUSABLE, C_CONFLICT):
        return True, say(f"return-resend-{entry.status}")
    if entry.unit is not None and entry.unit.errors:
        return True, say("return-resend-errors", errors=entry.unit.errors)
    if entry.unit is not None and entry.unit.warnings:
        return False, say("return-no-resend-warnings", warnings=entry.unit.warnings)
    return False, say("return-no-resend")


def todo(finding: dict) -> str:
    """What the commune should do about one finding."""
    return say("return-todo-error" if finding.get("severity") == "error" else "return-todo-warning")


@lru_cache(maxsize=1)
def _prototype() -> small_workbook.Prototype:
    return small_workbook.build_prototype(SHEET, Styles, WIDTHS, lambda ws: setup_xlsxwriter(ws, landscape=False))


def write_one(result: ConsolidationResult, entry: Completeness, path: Path) -> None:
    """One commune's workbook: laid out on a recorder, stamped into the shared prototype (≈ 1 ms)."""
    ws = small_workbook.SheetRecorder()
    layout(result, entry, ws, small_workbook.recorder_styles(Styles))
    small_workbook.write(_prototype(), ws, path, title=f"Kết quả gửi xã {entry.xa}")


def layout(result: ConsolidationResult, entry: Completeness, ws, st: Styles) -> None:
    """The sheet, written through the XlsxWriter worksheet calls (``ws`` may be a real worksheet)."""
    for col, width in enumerate(WIDTHS):
        ws.set_column(col, col, width)
    r = official_header(ws, st, 0, (0, 2), (3, LAST), agency_name(result))

    def band(text: str, fmt, height: float | None = None) -> None:
        nonlocal r
        ws.merge_range(r, 0, r, LAST, text, fmt)
        ws.set_row(r, height or row_height([(text, sum(WIDTHS))]))
        r += 1

    def table(heads: list[tuple[int, int, str]], rows: list[list[tuple[int, int, object, object]]]) -> None:
        """Rows of (first col, last col, value, format); merged when the span is more than one column."""
        nonlocal r
        for first, last, text in heads:
            _cell(ws, r, first, last, text, st.header)
        ws.set_row(r, row_height([(t, sum(WIDTHS[a:b + 1])) for a, b, t in heads]))
        r += 1
        for cells in rows:
            for first, last, value, fmt in cells:
                _cell(ws, r, first, last, value, fmt)
            ws.set_row(r, row_height([(v if isinstance(v, str) else "", sum(WIDTHS[a:b + 1]))
                                      for a, b, v, _f in cells]))
            r += 1
        r += 1

    band("KẾT QUẢ KIỂM TRA VÀ TỔNG HỢP BÁO CÁO CẢI CÁCH HÀNH CHÍNH", st.title, 22)
    where = f"Xã/phường: {entry.xa}" + (f" (mã {entry.ma_xa})" if entry.ma_xa else "") + (
        f", huyện {entry.huyen}" if entry.huyen else "")
    band(where + (f" — kỳ báo cáo {result.period_label}" if result.period_label else ""), st.subtitle)
    r += 1
    resend, why = must_resend(entry)
    band("1. Tình trạng tệp đã gửi", st.title_left, 20)
    date = entry.date.strftime("%d/%m/%Y") if entry.date else "—"
    source = SOURCE_LABELS.get(entry.date_source, "")
    late = ("Có" if entry.late else "Không") if result.deadline else "—"
    facts = [("Tình trạng", STATUS_WORDS[entry.status]), ("Tệp", ", ".join(entry.files)),
             ("Ngày nộp", f"{date} ({source.lower()})" if source else date),
             ("Nộp muộn", late + (f" (hạn {result.deadline.strftime('%d/%m/%Y')})" if result.deadline else "")),
             ("Phải gửi lại", ("CÓ — " if resend else "Không — ") + why)]
    if entry.unit is not None and entry.unit.xa_in_file:
        facts.append(("Tên xã", say("completeness-name-in-file", name=entry.unit.xa_in_file)
                      + " " + say("return-name-note", xa=entry.xa)))
    if entry.status in (C_UNUSABLE, C_CONFLICT):
        facts.append(("Lý do", entry.reason))
        facts.append(("Việc cần làm", say(f"return-todo-{entry.status}", period=result.period_label or "",
                                          form=result.form.name if result.form else "")))
    for label, text in facts:
        _cell(ws, r, 0, 1, label, st.text_bold)
        _cell(ws, r, 2, LAST, text, st.bad if label == "Phải gửi lại" and resend else st.text)
        ws.set_row(r, row_height([(text, sum(WIDTHS[2:])), (label, WIDTHS[0] + WIDTHS[1])]))
        r += 1
    r += 1
    u = entry.unit
    if u is not None:
        band("2. Những điểm cần sửa hoặc kiểm tra lại", st.title_left, 20)
        if u.findings:
            rows = []
            for n, f in enumerate(sorted(u.findings, key=lambda f: f.get("severity") != "error"), start=1):
                sev = f.get("severity")
                where_cell = "!".join(x for x in (f.get("sheet"), f.get("cell")) if x)
                rows.append([(0, 0, n, st.center),
                             (1, 1, f"{SEVERITY_LABELS.get(sev, sev)}\n{where_cell}".strip(),
                              st.bad if sev == "error" else st.text),
                             (2, 5, f.get("message") or "", st.text), (6, 6, todo(f), st.text)])
            table([(0, 0, "STT"), (1, 1, "Mức độ / ô"), (2, 5, "Nội dung"), (6, 6, "Việc cần làm")], rows)
        else:
            band(say("return-no-findings"), st.note)
            r += 1
        fw = result.framework
        if fw is not None and u.total is not None:
            band("3. Chỉ số CCHC và xếp hạng", st.title_left, 20)
            basis = {"appraised": "điểm thẩm định", "self": "điểm tự chấm"}.get(result.score_basis or "", "")
            lines = [("Tổng điểm", f"{format_vn(u.total, 2)} / 100 ({basis})"),
                     ("Xếp hạng chung", f"{rank.position_text(u.rank_total, result.ranked)} "
                                        f"({result.level} {result.unit_name})")]
            if result.huyen_levels and u.rank_huyen:
                lines.append(("Trong huyện", f"{rank.position_text(u.rank_huyen, u.rank_huyen_of)} "
                                             f"(huyện {u.huyen})"))
            if result.previous:
                lines.append(("So với kỳ trước", rank.change_text(u.rank_change) or "—"))
            lines.append(("Xếp loại", u.rating or "—"))
            for label, text in lines:
                _cell(ws, r, 0, 1, label, st.text_bold)
                _cell(ws, r, 2, LAST, text, st.text)
                ws.set_row(r, row_height([(text, sum(WIDTHS[2:]))]))
                r += 1
            r += 1
            rows = []
            for f in fw.fields:
                pts = u.fields.get(f.code)
                change = rank.change_text(u.field_change.get(f.code)) if result.previous else ""
                rows.append([(0, 0, f.code, st.center), (1, 2, f.label, st.text),
                             (3, 3, pts, st.points), (4, 4, float(f.max) if f.max else None, st.center),
                             (5, 6, "; ".join(x for x in (field_rank_text(u, f.code), change) if x), st.center)])
            table([(0, 0, "LV"), (1, 2, "Lĩnh vực"), (3, 3, "Điểm"), (4, 4, "Tối đa"), (5, 6, "Xếp hạng lĩnh vực")],
                  rows)
        if fw is not None and u.self_criteria and u.appraised_criteria:
            band("4. Điểm tự chấm và điểm thẩm định khác nhau", st.title_left, 20)
            rows, same = [], 0
            for c in fw.criteria:
                own, appr = u.self_criteria.get(c.code), u.appraised_criteria.get(c.code)
                if (own is None and appr is None) or (own is None and not c.self_assessed):
                    continue  # nothing entered, or a survey criterion the commune does not score itself
                if own is not None and appr is not None and rank.quantize(own) == rank.quantize(appr):
                    same += 1
                    continue
                diff = appr - own if own is not None and appr is not None else None
                rows.append([(0, 0, c.code, st.center), (1, 2, c.label, st.text), (3, 3, own, st.points),
                             (4, 4, appr, st.points), (5, 5, diff, st.points), (6, 6, "", st.text)])
            if rows:
                table([(0, 0, "Mã"), (1, 2, "Tiêu chí"), (3, 3, "Tự chấm"), (4, 4, "Thẩm định"),
                       (5, 5, "Chênh lệch"), (6, 6, "Giải trình của xã")], rows)
            band(say("return-criteria-same", count=same), st.note)
    r += 1
    ws.merge_range(r, 3, r, LAST, "NGƯỜI LẬP BIỂU", st.sign)
    ws.merge_range(r + 1, 3, r + 1, LAST, "(Ký, ghi rõ họ tên)", st.sign_hint)
    setup_xlsxwriter(ws, landscape=False, area=(0, 0, r + 5, LAST))


def _cell(ws, row: int, first: int, last: int, value: object, fmt) -> None:
    if first != last:
        if isinstance(value, int | float) and not isinstance(value, bool):
            ws.merge_range(row, first, row, last, None, fmt)
            ws.write_number(row, first, value, fmt)
        else:
            ws.merge_range(row, first, row, last, "" if value is None else str(value), fmt)
        return
    if value is None or value == "":
        ws.write_blank(row, first, None, fmt)
    elif isinstance(value, int | float) and not isinstance(value, bool):
        ws.write_number(row, first, value, fmt)
    else:
        ws.write_string(row, first, str(value), fmt)
