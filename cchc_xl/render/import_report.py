"""Render an import's mapping report (the ``--report`` JSON file, the Vietnamese text summary) and a migration's."""

from __future__ import annotations

import json
from pathlib import Path

from cchc_xl.messages import say
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.reader import atomic_output
from cchc_xl.sources.imported import ImportResult
from cchc_xl.sources.migration import MigrationResult


def write_report(result: ImportResult, path: str | Path, force: bool = False) -> None:
    with atomic_output(path, force=force) as tmp:
        tmp.write_text(json.dumps(result.report(), ensure_ascii=False, indent=2, default=str) + "\n",
                       encoding="utf-8")


def render_text(result: ImportResult) -> str:
    """The mapping report summarised for a terminal (Vietnamese)."""
    c = result.counts
    lines = [say("import-summary", path=result.source.name, form=result.form, tables=result.tables,
                 matched=c["matched"], ambiguous=c["ambiguous"], unmatched=c["unmatched"], ignored=c["ignored"],
                 values=result.values)]
    for r in result.problems:
        what = say("import-status-" + r.status)
        cands = (" (" + ", ".join(r.candidates) + ")") if r.candidates else ""
        value = format_vn(r.value) if isinstance(r.value, int | float) else r.value
        lines.append(f"  {r.where}: [{r.stt or '—'}] {r.label} = {value} → {what}{cands}: {r.reason}")
    for w in result.warnings:
        lines.append("Cảnh báo: " + w)
    if result.output:
        lines.append(say("import-written", path=str(result.output)))
    return "\n".join(lines)


def render_migration(result: MigrationResult, out: str | Path) -> str:
    lines = [say("migrate-summary", path=result.source.name, form=result.form, old=result.from_version or "?",
                 new=result.to_version, carried=result.carried, out=str(out))]
    for old, new in sorted(result.renamed.items()):
        lines.append("  " + say("migrate-renamed", old=old, new=new))
    for d in result.dropped:
        lines.append(f"  {d.what} = {d.value}: {d.reason}")
    return "\n".join(lines)
