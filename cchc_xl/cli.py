"""The ``cchc-xl`` command line: parse arguments, call one library function, format, set the exit code.

Exit codes: 0 ok, 1 findings, 2 unusable input or bad usage. No traceback reaches a user: known problems
print their Vietnamese messages; anything unexpected prints one sentence (set CCHC_XL_DEBUG=1 for the
traceback).
"""

from __future__ import annotations

import json
import os
import sys
import unicodedata
from pathlib import Path

import click

from cchc_xl.errors import CchcError, OutputRefused, WriteRefused
from cchc_xl.messages import say
from cchc_xl.model.catalog import DEFAULT_FORM, framework_for, list_forms, load_form
from cchc_xl.model.catalog import PERIODS as PERIOD_IDS
from cchc_xl.model.numbers import format_vn
from cchc_xl.ooxml.publish import refuse_input_overwrite, signals_as_exceptions
from cchc_xl.ooxml.safety import escape_surrogates
from cchc_xl.version import __version__

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
KIND_LABELS = {"group": "nhóm", "count": "số đếm", "amount": "số lượng", "percent": "tỷ lệ %", "coded": "mã trả lời"}
INTERNAL_ERROR = 3  # exit code of a crash: distinct from 2 (unusable input) so a bug never reads as bad input


class Unusable(click.ClickException):
    """Unusable input or bad usage: exit code 2 (click's own usage errors use 2 as well)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def _out(text: str = "") -> None:
    # File names that are not UTF-8 arrive as lone surrogates: print them escaped, never crash on them.
    click.echo(unicodedata.normalize("NFC", escape_surrogates(text)))


def _err(text: str) -> None:
    click.echo(unicodedata.normalize("NFC", escape_surrogates(text)), err=True)


def report_failure(exc: CchcError) -> int:
    """Print a known failure's Vietnamese sentences; return its exit code."""
    if isinstance(exc, WriteRefused):
        _err(say("write-refused", detail=exc.message))
    else:
        for p in exc.problems:
            _err(p)
    return exc.exit_code


class CchcGroup(click.Group):
    """Maps every failure we can describe to its message and exit code inside click itself, so a test
    driving the CLI with ``CliRunner(catch_exceptions=False)`` sees refusals as exit codes and crashes as
    exceptions — a crash can never pass as a refusal."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except CchcError as exc:
            ctx.exit(report_failure(exc))
        except PermissionError as exc:  # the output is open in Excel (Windows locks it)
            _err(say("output-open-in-excel", path=exc.filename or ""))
            ctx.exit(2)


@click.group(cls=CchcGroup, context_settings=CONTEXT_SETTINGS)
@click.version_option(__version__, "-V", "--version", prog_name="cchc-xl")
def cli() -> None:
    """cchc-xl — báo cáo cải cách hành chính cấp xã và Chỉ số CCHC trên Excel.

    Toolkit for commune CCHC reports: build the official workbooks, fill them by indicator code, and
    read them back.
    """


# ------------------------------------------------------------------------------------------- catalog


@cli.command("catalog")
@click.argument("form_id", required=False, default=DEFAULT_FORM, metavar="[FORM]")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
@click.option("--list", "list_only", is_flag=True, help="List the available forms and exit.")
def catalog_cmd(form_id: str, fmt: str, list_only: bool) -> None:
    """List a form's indicators: code, label, unit, kind.

    Example:

    \b
        cchc-xl catalog phu-luc-01b
        cchc-xl catalog hai-duong-bieu-mau-2022 --format json
    """
    if list_only:
        for fid in list_forms():
            form = load_form(fid)
            _out(f"{fid}\t{form.version}\t{form.name} — {form.province}")
        return
    form = load_form(form_id)
    if fmt == "json":
        rows = [
            {
                "code": i.code,
                "printed": i.printed,
                "label": i.label,
                "unit": i.unit,
                "kind": i.kind,
                "parent": i.parent,
                "header": i.header,
                "allowed": dict(i.allowed) if i.allowed else None,
                "derive": {i.derive.kind: list(i.derive.codes)} if i.derive else None,
                "name": i.name if i.has_cell else None,
            }
            for i in form.indicators
        ]
        _out(json.dumps({"form": form.id, "version": form.version, "indicators": rows}, ensure_ascii=False,
                        indent=1))
        return
    _out(f"{form.name} — {form.title} ({form.id} {form.version})")
    width = max(len(i.code) for i in form.indicators)
    for i in form.indicators:
        kind = "công thức: " + i.derive.describe() if i.derive else KIND_LABELS[i.kind]
        unit = f" [{i.unit}]" if i.unit else ""
        _out(f"{i.code:<{width}}  {'  ' * i.level}{i.label}{unit} — {kind}")


@cli.command("framework")
@click.argument("source", required=False, metavar="[ID|FILE]")
@click.option("--form", "form_id", default=DEFAULT_FORM, show_default=True, help="Form whose framework to show.")
@click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)
def framework_cmd(source: str | None, form_id: str, fmt: str) -> None:
    """Show (and check) a PAR Index scoring framework: a bundled id or a clerk's CSV/XLSX file.

    Example:

    \b
        cchc-xl framework chi-so-cchc-xa-hai-duong-2022
        cchc-xl framework khung-2025.csv
    """
    fw = framework_for(load_form(form_id), source)
    if fmt == "json":
        rows = [{"code": c.code, "label": c.label, "max": None if c.max is None else float(c.max),
                 "parent": c.parent, "assessment": c.assessment, "computed": c.computed} for c in fw.criteria]
        _out(json.dumps({"framework": fw.id, "criteria": rows}, ensure_ascii=False, indent=1))
        return
    _out(f"{fw.title} ({fw.id}): {len(fw.fields)} lĩnh vực, {len(fw.criteria)} tiêu chí — hợp lệ.")
    for c in fw.criteria:
        mx = "—" if c.max is None else format(c.max.normalize(), "f").replace(".", ",")
        tag = " (tổng tiêu chí con)" if c.computed else ""
        _out(f"{c.code:<7} {'  ' * c.level}{c.label} — tối đa {mx}{tag}")


# ------------------------------------------------------------------------------------------ template


@cli.group("template")
def template_group() -> None:
    """Build the master templates from the catalogs."""


@template_group.command("build")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=Path("workbook_templates"),
              show_default=True, help="Where to write the templates (relative to the current folder).")
@click.option("--form", "forms", multiple=True, help="Build only this form (repeatable).")
@click.option("--check", is_flag=True, help="Do not write: exit 1 when a committed template is stale.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the one form's template to this file (with --form ID|FILE).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def template_build(directory: Path, forms: tuple[str, ...], check: bool, out: Path | None = None,
                   force: bool = False) -> None:
    """Generate workbook_templates/<form>.xlsx for every form (deterministic: same catalog, same bytes).

    Example:

    \b
        cchc-xl template build
        cchc-xl template build --check
    """
    from cchc_xl.commands.template import build_templates, stale_templates

    if out is not None:  # one form's template to a chosen file (a province's own form: --form FILE)
        from cchc_xl.commands.template import build_template_file

        if len(forms) != 1:
            raise OutputRefused(say("template-output-one-form"))
        if out.exists() and not force:
            raise OutputRefused(say("output-exists", path=str(out)))
        build_template_file(forms[0], out)
        _out(say("built-templates", count=1, dir=str(out)))
        return
    form_ids = list(forms) or list_forms()
    if check:
        stale = stale_templates(directory, form_ids)
        for path in stale:
            _err(say("templates-stale", path=str(path)))
        if stale:
            sys.exit(1)
        _out(say("templates-up-to-date", dir=str(directory)))
        return
    paths = build_templates(directory, form_ids)
    _out(say("built-templates", count=len(paths), dir=str(directory)))


# ----------------------------------------------------------------------------------------------- new


@cli.command("new")
@click.argument("data", type=click.Path(path_type=Path), required=False)
@click.option("-o", "--output", "out", required=True, type=click.Path(path_type=Path),
              help="Workbook to create (.xlsx); with --batch, the folder to write the workbooks into.")
@click.option("--form", "form_id", help="Form id (default: the data file's 'form', else phu-luc-01b).")
@click.option("--framework", help="Scoring framework id or CSV/XLSX file (default: the form's).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.option("--xlsm", is_flag=True, help="Macro-enabled workbook (.xlsm) with the Kiểm tra buttons.")
@click.option("--batch", "batch", type=click.Path(dir_okay=False, path_type=Path),
              help="One prefilled workbook per row of this CSV/XLSX table (ma_xa, xa, huyen[, tinh] …).")
@click.option("--ky", help="With --batch: reporting period (quy1 … quy4, 6thang, 9thang, nam).")
@click.option("--nam", help="With --batch: year.")
@click.option("--tinh", help="With --batch: province, for rows that do not give one.")
@click.option("--huyen", help="With --batch: district, for rows that do not give one.")
def new_cmd(data: Path | None, out: Path, form_id: str | None, framework: str | None, force: bool, xlsm: bool,
            batch: Path | None, ky: str | None, nam: str | None, tinh: str | None, huyen: str | None) -> None:
    """Create a commune workbook from the template and a data file (YAML/JSON, or CSV code,value).

    With --batch TABLE, create one workbook per commune of TABLE in the folder OUTPUT, with tỉnh, huyện,
    xã, mã đơn vị, kỳ and năm filled in and locked (exit 1 when some rows failed, 2 when TABLE is unusable).

    Example:

    \b
        cchc-xl new samples/hoang-truong-2023.yaml -o hoang-truong.xlsx
        cchc-xl new --batch ds-xa.csv --ky quy1 --nam 2025 --tinh "Hải Dương" -o gui-xa/
    """
    from cchc_xl.commands.new import new_workbook

    meta = {"ky": ky, "nam": nam, "tinh": tinh, "huyen": huyen}
    if (data is None) == (batch is None):
        raise click.UsageError(say("batch-data-or-batch"))
    if batch is not None:
        _new_batch(batch, out, form_id, framework, force, xlsm, meta)
        return
    for option, value in meta.items():
        if value is not None:
            raise click.UsageError(say("batch-needs-batch", option=option))
    if out.is_dir():
        raise Unusable(say("output-is-dir", path=str(out)))
    if out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))
    if xlsm and out.suffix.lower() != ".xlsm":
        raise Unusable(say("xlsm-needs-xlsm", path=str(out)))
    if out.suffix.lower() == ".xlsm":
        xlsm = True  # honour the name: an .xlsm file is a macro-enabled package, never an .xlsx renamed
    elif out.suffix.lower() != ".xlsx":
        raise Unusable(say("output-suffix", path=str(out)))
    if xlsm:
        from cchc_xl.commands.new import (
            new_xlsm_workbook as new_workbook,  # the .xlsx build, then VBA + buttons
        )
    result = new_workbook(data, out, form_id, framework)
    for w in result.warnings:
        _err("Cảnh báo: " + w)
    _out(say("created-workbook", path=str(result.path), form=result.form, values=result.values,
             scores=result.scores))


# ------------------------------------------------------------------------------------------ validate


@cli.command("validate")
@click.argument("workbooks", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--annotate", "annotate_out", type=click.Path(path_type=Path),
              help="Write a copy with offending cells highlighted and a results sheet (one workbook only).")
@click.option("--framework", help="Scoring framework id or CSV/XLSX file (default: the workbook's).")
@click.option("--force", is_flag=True, help="Overwrite the --annotate output if it exists.")
@click.option("--history", "history", type=click.Path(dir_okay=False, path_type=Path),
              help="History file (SQLite): store the commune's values and flag large changes since earlier periods.")
@click.option("--change-ratio", type=float, default=5.0, show_default=True,
              help="With --history: flag a value that grew or shrank by more than this factor.")
@click.option("--change-floor", type=float, default=10.0, show_default=True,
              help="With --history: ignore changes smaller than this (in the indicator's unit).")
def validate_cmd(workbooks: tuple[Path, ...], fmt: str, annotate_out: Path | None, framework: str | None,
                 force: bool, history: Path | None = None, change_ratio: float = 5.0,
                 change_floor: float = 10.0) -> None:
    """Check commune workbooks with the same rules the workbook evaluates live (exit 1 on errors).

    Example:

    \b
        cchc-xl validate samples/hoang-truong-nam-2023.xlsx
        cchc-xl validate bao-cao/*.xlsx --format json
        cchc-xl validate xa.xlsx --annotate xa-danh-dau.xlsx
    """
    from cchc_xl.commands.validate import validate_file
    from cchc_xl.render.validate_report import annotate, text_report

    if annotate_out is not None and len(workbooks) != 1:
        raise click.UsageError("--annotate nhận đúng một sổ làm việc.")
    refuse_input_overwrite(annotate_out, workbooks)
    results = [validate_file(p, framework) for p in workbooks]
    if history is not None:  # history (issue 14): store and compare with earlier periods
        from cchc_xl.commands.history import Options, check_validation

        if change_ratio <= 1:
            raise Unusable(say("history-bad-ratio"))
        for r in results:
            if r.status != "unusable" and r.report is not None:
                check_validation(r, history, Options(change_ratio=change_ratio, change_floor=change_floor))
    if fmt == "json":
        docs = [r.to_json() for r in results]
        _out(json.dumps(docs[0] if len(docs) == 1 else docs, ensure_ascii=False, indent=1, default=str))
    else:
        color = sys.stdout.isatty()
        for r in results:
            for line in text_report(r, color):
                _out(line)
        if len(results) > 1:
            _out(say("validate-total", files=len(results), errors=sum(r.errors for r in results),
                     warnings=sum(r.warnings for r in results),
                     unusable=sum(r.status == "unusable" for r in results)))
    if annotate_out is not None and results[0].status != "unusable":
        annotate(results[0], annotate_out, force=force)
        _err(say("annotate-written", path=str(annotate_out)))
    sys.exit(max(r.exit_code for r in results))


# ---------------------------------------------------------------------------------------------- fill


def _write_target(out: Path | None, in_place: bool, force: bool) -> None:
    if out is not None and in_place:
        raise click.UsageError("Chọn một trong -o hoặc --in-place.")
    if out is not None and out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))


@cli.command("fill")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="Write the filled copy here.")
@click.option("--in-place", is_flag=True, help="Change WORKBOOK itself (atomically; keeps WORKBOOK.bak).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def fill_cmd(workbook: Path, data: Path, out: Path | None, in_place: bool, force: bool) -> None:
    """Write values and scores by code into an existing workbook, changing only those cells.

    DATA is a data file (YAML/JSON, CSV code,value) or a table (CSV/XLSX): code,value for this commune, or
    one row per commune (ma_xa, xa, then one column per code; this workbook's row is used, found by code).

    A figure given for a derived row is compared with the computed one, never written (exit 1 on a
    mismatch). Without -o or --in-place nothing is written.

    Example:

    \b
        cchc-xl fill xa.xlsx so-lieu.yaml -o xa-moi.xlsx
        cchc-xl fill xa.xlsx so-lieu.csv --in-place
    """
    from cchc_xl import fill as fill_workbook  # data files, and tables (CSV/XLSX, long or wide) too
    from cchc_xl.render.validate_report import SEVERITY_LABELS

    _write_target(out, in_place, force)
    result = fill_workbook(workbook, data, out, in_place=in_place, force=force)
    for w in result.warnings:
        _err("Cảnh báo: " + w)
    for f in result.findings:
        _out(f"[{SEVERITY_LABELS[f.severity]}] {f.sheet}!{f.cell} {f.message}")
    if result.path is None:
        _err(say("fill-dry-run", count=len(result.written)))
    else:
        _err(say("fill-written", count=len(result.written), path=str(result.path)))
    sys.exit(1 if result.errors else 0)


@cli.command("recompute")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(path_type=Path), help="Write the recomputed copy here.")
@click.option("--in-place", is_flag=True, help="Change WORKBOOK itself (atomically; keeps WORKBOOK.bak).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def recompute_cmd(workbook: Path, out: Path | None, in_place: bool, force: bool) -> None:
    """Recompute every derived cell in Python, restore overwritten formulas, refresh cached values.

    Example:

    \b
        cchc-xl recompute xa.xlsx -o xa-tinh-lai.xlsx
    """
    from cchc_xl.commands.recompute import recompute_workbook

    _write_target(out, in_place, force)
    result = recompute_workbook(workbook, out, in_place=in_place, force=force)
    for r in result.restored:
        _out(r.message)
    if result.path is None:
        _err(say("recompute-dry-run", restored=len(result.restored)))
    else:
        _err(say("recompute-written", path=str(result.path), restored=len(result.restored),
                 refreshed=result.refreshed))


# ---------------------------------------------------------------------------------------------- show


@cli.command("show")
@click.argument("workbook", type=click.Path(path_type=Path))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Also list indicators left blank.")
def show_cmd(workbook: Path, fmt: str, show_all: bool) -> None:
    """Read a commune workbook back by indicator code (never by cell address).

    Example:

    \b
        cchc-xl show samples/hoang-truong-nam-2023.xlsx
    """
    from cchc_xl.engine.scores import standing
    from cchc_xl.ooxml.reader import read_report

    r = read_report(workbook)
    st = standing(r.framework, r.scores, r.appraised)
    if fmt == "json":
        _out(json.dumps({**r.to_json(), "file": str(workbook),
                         "index": {"total": st.total, "basis": st.basis, "complete": st.complete,
                                   "missing": list(st.missing), "fields": st.points}},
                        ensure_ascii=False, indent=1))
        return
    m = r.meta
    _out(f"{workbook.name}: {r.form.name} ({r.template_id} {r.template_version}) — "
         f"{m.get('xa') or '?'}, {m.get('tinh') or '?'}, kỳ {m.get('ky') or '?'} năm {m.get('nam') or '?'}")
    for ind in r.form.cells:
        value = r.values.get(ind.code)
        if value is None and not show_all:
            continue
        cell = r.cells.get(ind.name)
        _out(f"  {ind.code:<12} {format_vn(value):>10}  {ind.label[:70]}  [{cell}]")
    if any(v is not None for v in r.appraised.values()) or any(v is not None for v in r.scores.values()):
        _out("  Chấm điểm (tự chấm / thẩm định):")
        for crit in r.framework.criteria:
            own, appr = r.scores.get(crit.code), r.appraised.get(crit.code)
            if own is None and appr is None and not show_all:
                continue
            _out(f"  {crit.code:<6} {format_vn(own):>8} / {format_vn(appr):<8} {crit.label[:70]}")
        _out(say("show-totals", own=format_vn(st.self_total) or "–", appraised=format_vn(st.appraised_total) or "–"))
        _out(say("show-index", total=format_vn(st.total), max=format_vn(st.maximum), basis=st.basis_text()))


# --------------------------------------------------------------------------------------- consolidate


@cli.command("consolidate")
@click.argument("directory", metavar="DIR", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Consolidated workbook to write (.xlsx).")
@click.option("--json", "json_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the machine-readable report (JSON).")
@click.option("--expected", type=click.Path(dir_okay=False, path_type=Path),
              help="Communes that must report: CSV/XLSX with columns ma_xa, xa[, huyen].")
@click.option("--previous", type=click.Path(dir_okay=False, path_type=Path),
              help="A previous run's JSON report or workbook, for the rank change.")
@click.option("--deadline", help="Deadline dd/mm/yyyy or YYYY-MM-DD: files dated later are reported late.")
@click.option("--return-dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write one small workbook per commune that sent a file, to send back.")
@click.option("--exclude-invalid", is_flag=True, help="Leave communes whose file has errors out of totals and ranks.")
@click.option("--prefer-newest", is_flag=True, help="When a commune sent several files, use the newest.")
@click.option("--framework", help="Scoring framework id or CSV/XLSX file (default: the form's).")
@click.option("--classes", "classes_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Rating classes: CSV with columns ten,tu (class name, lowest total).")
@click.option("--rank-incomplete", is_flag=True,
              help="Rank communes whose index lacks a field too (they are still not classed).")
@click.option("--level", type=click.Choice(["huyen", "tinh"]), help="Consolidating level (default: from metadata).")
@click.option("--jobs", type=click.IntRange(min=1), help="Worker processes (default: all cores).")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar and no per-file lines.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT and the JSON report if they exist.")
@click.option("--import", "import_foreign", is_flag=True,
              help="Import files in another layout (appendix in any workbook or Word report) on the fly.")
@click.option("--migrate", "migrate_old", is_flag=True, help="Accept older template versions (migrated on the fly).")
@click.option("--history", "history", type=click.Path(dir_okay=False, path_type=Path),
              help="History file (SQLite, created when missing): store this run, flag large changes since the "
                   "last period and last year, rank change without --previous.")
@click.option("--marks", "marks", multiple=True, type=click.Path(dir_okay=False, path_type=Path),
              help="A consolidated workbook whose Kiểm tra sheet holds follow-up marks (Xác minh) to store.")
@click.option("--outlier-z", type=click.FloatRange(min=0), default=3.5, show_default=True,
              help="Modified z-score above which a value is an outlier among the communes (0 = off).")
@click.option("--change-ratio", type=float, default=5.0, show_default=True,
              help="With --history: flag a value that grew or shrank by more than this factor.")
@click.option("--change-floor", type=float, default=10.0, show_default=True,
              help="With --history: ignore changes smaller than this (in the indicator's unit).")
def consolidate_cmd(directory: Path, out: Path, json_out: Path | None, expected: Path | None,
                    previous: Path | None, deadline: str | None, return_dir: Path | None,
                    exclude_invalid: bool, prefer_newest: bool,
                    framework: str | None, classes_file: Path | None, rank_incomplete: bool, level: str | None,
                    jobs: int | None, quiet: bool, force: bool, import_foreign: bool = False,
                    migrate_old: bool = False, history: Path | None = None, marks: tuple[Path, ...] = (),
                    outlier_z: float = 3.5, change_ratio: float = 5.0, change_floor: float = 10.0) -> None:
    """Consolidate a folder of commune workbooks into one workbook, with completeness and rankings.

    Exit code 0 when every file was used and valid, 1 when a file was rejected, invalid, missing or in
    conflict, 2 when DIR (or an option's file) is unusable.

    Example:

    \b
        cchc-xl consolidate bao-cao-xa/ -o tong-hop.xlsx --json tong-hop.json --expected ds-xa.csv
    """

    from cchc_xl.commands.consolidate import consolidate, parse_deadline
    from cchc_xl.engine.rank import DEFAULT_CLASSES, load_classes
    from cchc_xl.errors import DataError
    from cchc_xl.render.consolidate_report import STATUS_WORDS, publish, summary_lines
    from cchc_xl.render.return_pack import ReturnPackError, check_return_dir, write_return_pack

    for target in (out, json_out):
        refuse_input_overwrite(target, [p for p in (directory, expected, previous, classes_file) if p])
        if target is not None and target.exists() and not force:
            raise Unusable(say("output-exists", path=str(target)))
    if return_dir is not None and return_dir.exists() and not return_dir.is_dir():
        raise Unusable(say("consolidate-return-not-dir", path=str(return_dir)))
    try:
        when = parse_deadline(deadline) if deadline else None
    except ValueError:
        raise Unusable(say("consolidate-bad-deadline", value=deadline)) from None
    bar = None

    def progress(done: int, total: int) -> None:
        nonlocal bar
        if bar is None:
            bar = click.progressbar(length=total, file=sys.stderr, label="Đang đọc", show_pos=True)
            bar.__enter__()
        bar.update(1)

    show_bar = not quiet and sys.stderr.isatty()
    if marks and history is None:
        raise Unusable(say("history-marks-need-history"))
    if change_ratio <= 1:
        raise Unusable(say("history-bad-ratio"))
    if history is not None:  # an unusable history file is reported before the folder is read
        from cchc_xl.commands.history import probe

        probe(history)
    try:
        classes = load_classes(classes_file) if classes_file else DEFAULT_CLASSES
        result = consolidate(directory, expected=expected, previous=previous, deadline=when,
                             exclude_invalid=exclude_invalid, prefer_newest=prefer_newest, framework=framework,
                             classes=classes, classes_source=str(classes_file or ""),
                             rank_incomplete=rank_incomplete,
                             level={"huyen": "huyện", "tinh": "tỉnh"}.get(level or ""),
                             jobs=jobs, skip=[p for p in (out, json_out) if p],
                             progress=progress if show_bar else None,
                             accept=(("import",) if import_foreign else ()) + (("migrate",) if migrate_old else ()))
    except DataError as exc:
        for p in exc.problems:
            _err(p)
        sys.exit(2)
    finally:
        if bar is not None:
            bar.__exit__(None, None, None)
    if return_dir is not None:
        try:
            check_return_dir(result, return_dir, force=force)
        except ReturnPackError as exc:
            raise Unusable(str(exc)) from None
    from cchc_xl.commands.history import run_checks
    from cchc_xl.render.history_xlsx import consolidation_sheets

    outcome = run_checks(result, history, marks, out, outlier_z, change_ratio, change_floor)
    # the workbook, then the JSON carrying its hash (one publication)
    publish(result, out, json_out, force=force, extra=consolidation_sheets(result, outcome))
    written = write_return_pack(result, return_dir, force=force) if return_dir is not None else None
    if not quiet:
        for r in result.skipped:
            _err(say("consolidate-skipped-line", file=r.file, reason=r.reason))
        for r in result.rejected:
            _err(say("consolidate-rejected-line", file=r.file, reason=r.reason))
        for c in result.completeness:
            if c.status not in ("ok", "findings"):
                _err(say("consolidate-status-line", status=STATUS_WORDS[c.status], xa=c.xa,
                         code=f" ({c.ma_xa})" if c.ma_xa else "", reason=c.reason))
        for u in result.incomplete:
            _err(say("consolidate-incomplete-line", xa=u.xa, fields=", ".join(u.missing),
                     ranked=say("consolidate-incomplete-ranked" if u.rank_total else "consolidate-incomplete-unranked")))
    if result.score_basis == "provisional":
        _out(say("consolidate-provisional"))
    for line in summary_lines(result, verbose=not quiet):
        _out(line)
    if outcome.summary is not None:
        _out(say("history-stored", path=str(history), run=outcome.summary.run_id, new=outcome.summary.new,
                 replaced=outcome.summary.replaced, unchanged=outcome.summary.unchanged))
    if outcome.followups or outcome.suppressed:
        _out(say("history-followups", count=len(outcome.followups), marked=outcome.suppressed))
    _out(say("consolidate-written", path=str(out)))
    if json_out is not None:
        _out(say("consolidate-json-written", path=str(json_out)))
    if written is not None:
        _out(say("consolidate-return-written", count=len(written), path=str(return_dir)))
    sys.exit(result.exit_code)


# ---------------------------------------------------------------------------------------------- diff


@cli.command("diff")
@click.argument("old", type=click.Path(path_type=Path))
@click.argument("new", type=click.Path(path_type=Path), required=False)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write an XLSX report (summary sheet + side-by-side sheet).")
@click.option("--all", "show_all", is_flag=True, help="Also list derived changes under the inputs that caused them.")
@click.option("--scores", is_flag=True, help="Compare the self-assessed and appraised scores of one workbook.")
@click.option("--framework", help="Scoring framework id or CSV/XLSX file (default: the workbook's).")
@click.option("--force", is_flag=True, help="Overwrite the XLSX report if it exists.")
def diff_cmd(old: Path, new: Path | None, fmt: str, out: Path | None, show_all: bool, scores: bool,
             framework: str | None, force: bool) -> None:
    """Compare two versions of a report by indicator code (exit 0 same, 1 different, 2 unusable).

    Example:

    \b
        cchc-xl diff lan-1.xlsx lan-2.xlsx
        cchc-xl diff lan-1.xlsx lan-2.xlsx --format json --all
        cchc-xl diff xa.xlsx --scores -o so-sanh.xlsx
    """
    from cchc_xl.commands.diff import diff_files, diff_scores
    from cchc_xl.render.diff_report import render_json, render_text, write_xlsx

    if scores == (new is not None):
        raise click.UsageError("diff: give OLD NEW, or one WORKBOOK with --scores.")
    refuse_input_overwrite(out, [p for p in (old, new) if p is not None])
    if out is not None and out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))
    result = diff_scores(old, framework=framework) if scores else diff_files(old, new, framework=framework)
    if fmt == "json":
        _out(render_json(result))
    else:
        _out(render_text(result, show_all=show_all, color=sys.stdout.isatty()))
    if out is not None:
        write_xlsx(result, out, force=force, show_all=True)
        _err(say("diff-written", path=str(out)))
    sys.exit(result.exit_code)


# ---------------------------------------------------------------------------------------------- main


# ---- commands of hostile (issue 10) go below this line ----
_ANCHOR_HOSTILE = None


# ---- commands of season (issue 11) go below this line ----
_ANCHOR_SEASON = None


# ---- commands of publish (issue 12) go below this line ----
_ANCHOR_PUBLISH = None


# ---- commands of intake (issue 13) go below this line ----
_ANCHOR_INTAKE = None

FORM_FILE_SUFFIXES = (".yaml", ".yml", ".xlsx", ".xlsm", ".ods", ".xls")


def _command_for(argv: list[str]) -> click.Command | None:
    cmd: click.Command = cli
    for token in argv:
        if token.startswith("-") or not isinstance(cmd, click.Group):
            break
        sub = cmd.commands.get(token)
        if sub is None:
            break
        cmd = sub
    return None if cmd is cli else cmd


def register_form_files(argv: list[str]) -> list[str]:
    """``--form FILE`` on any command: load the province's catalog file, make its form known by id to every
    layer (commands find forms by the id a workbook records), and pass the id on to commands that have a
    ``--form`` option; the others read the form from the workbooks, so the option is consumed here."""
    from cchc_xl.model.catalog import register_form
    from cchc_xl.sources.form_file import resolve_form

    out: list[str] = []
    cmd = _command_for(argv)
    takes_form = cmd is not None and any("--form" in getattr(p, "opts", ()) for p in cmd.params)
    i = 0
    while i < len(argv):
        token = argv[i]
        value = None
        if token == "--form" and i + 1 < len(argv):
            value, step = argv[i + 1], 2
        elif token.startswith("--form="):
            value, step = token.split("=", 1)[1], 1
        if value is not None and Path(value).suffix.lower() in FORM_FILE_SUFFIXES:
            form = resolve_form(value)
            register_form(form)
            if takes_form:
                out += ["--form", form.id]
            i += step
            continue
        out.append(token)
        i += 1
    return out


@cli.command("migrate")
@click.argument("old", metavar="OLD.xlsx", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook of the current template version to create.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def migrate_cmd(old: Path, out: Path, force: bool) -> None:
    """Move every value, score, note and the metadata of an older template version into the current one.

    Codes the form's crosswalk renamed go to their new code; whatever cannot be carried is listed (exit 1).

    Example:

    \b
        cchc-xl migrate xa-2022.xlsx -o xa-2023.xlsx
    """
    from cchc_xl.commands.migrate import migrate_file
    from cchc_xl.render.import_report import render_migration

    result = migrate_file(old, out, force=force)
    _out(render_migration(result, out))
    sys.exit(result.exit_code)


@cli.command("import")
@click.argument("source", metavar="FILE", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Template workbook to create (.xlsx). Without it only the mapping is reported.")
@click.option("--form", "form_ref", help="Form id or catalog file (default: detected from the table).")
@click.option("--meta", "meta", multiple=True, metavar="KEY=VALUE", help="Set a Thông tin field (repeatable).")
@click.option("--report", "report_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mapping report (JSON) here.")
@click.option("--column", help="Header of the value column when it is not Số liệu / Kỳ này / Kết quả.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--force", is_flag=True, help="Overwrite OUTPUT and the report if they exist.")
def import_cmd(source: Path, out: Path | None, form_ref: str | None, meta: tuple[str, ...],
               report_out: Path | None, column: str | None, fmt: str, force: bool) -> None:
    """Import a commune's appendix from any workbook (.xlsx/.xlsm/.xls/.ods) or Word report (.docx).

    Finds the official table wherever it is, maps every row to an indicator code (printed STT + label,
    label alone, order of "Trong đó" rows), converts TCVN3/VNI text, and writes a normal template
    workbook. Exit 0 when every row with a figure was mapped, 1 when some were ambiguous or unmatched
    (left blank, listed), 2 when no appendix table was found.

    Example:

    \b
        cchc-xl import bao-cao-xa.docx -o xa.xlsx --report xa-map.json
        cchc-xl import so-lieu.xls -o xa.xlsx --meta ky=nam --meta nam=2023
    """
    from cchc_xl.commands.import_file import import_file, parse_meta_options
    from cchc_xl.render.import_report import render_text, write_report

    for target in (out, report_out):
        if target is not None and target.exists() and not force:
            raise OutputRefused(say("output-exists", path=str(target)))
    result = import_file(source, out, form_ref, parse_meta_options(meta), column, force=force)
    if report_out is not None:
        write_report(result, report_out, force=force)
    if fmt == "json":
        _out(json.dumps(result.report(), ensure_ascii=False, indent=2, default=str))
    else:
        _out(render_text(result))
    sys.exit(result.exit_code)


# ---- commands of history (issue 14) go below this line ----
_ANCHOR_HISTORY = None


@cli.group("history", invoke_without_command=True)
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def history_group(ctx: click.Context, file: Path) -> None:
    """The history file (SQLite) written by consolidate/validate --history: periods and runs stored.

    Example:

    \b
        cchc-xl history lich-su.sqlite
        cchc-xl history lich-su.sqlite show "Quang Khải" -o quang-khai.xlsx
        cchc-xl history lich-su.sqlite export --format csv -o lich-su.csv
        cchc-xl history lich-su.sqlite mark 10523 BM3-3.3.1 --confirmed --note "đã gọi điện xác minh"
    """
    ctx.obj = file
    if ctx.invoked_subcommand is not None:
        return
    from cchc_xl.commands.history import overview, period_text

    periods, runs = overview(file)
    if not periods:
        _out(say("history-no-periods", path=str(file)))
        return
    _out(f"Các kỳ đã lưu ({len(periods)}):")
    for p in periods:
        _out(f"  {p['form']}  {period_text(p['ky'], p['nam']):<12} {p['units']:>5} xã  {p['versions']:>5} bản  "
             f"(lưu gần nhất {p['last_stored']})")
    _out(f"Các lần chạy ({len(runs)}):")
    for r in runs:
        period = period_text(r["ky"], r["nam"]) if r["ky"] else "?"
        _out(f"  #{r['id']:<4} {r['at']}  {r['command']:<11} {period:<12} {r['units']:>5} xã, "
             f"{r['new_versions']} bản mới, {r['unchanged']} không đổi — {r['source']}")


@history_group.command("show")
@click.argument("query", metavar="XA")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the series as a table and chart (.xlsx, A4).")
@click.option("--form", "form_id", help="Only this form.")
@click.option("--all-versions", is_flag=True, help="Also show superseded versions (resubmissions).")
@click.option("--code", "codes", multiple=True, help="Indicator(s) for the chart (default: the index).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.pass_obj
def history_show(file: Path, query: str, out: Path | None, form_id: str | None, all_versions: bool,
                 codes: tuple[str, ...], force: bool) -> None:
    """A commune's series: index, rank and every indicator per stored period (XA = code or name)."""
    from cchc_xl.commands.history import load_form_of, period_text, unit_series
    from cchc_xl.render.history_xlsx import write_series

    if out is not None and out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))
    unit, points, marks = unit_series(file, query, form_id, all_versions)
    form = load_form_of(points)
    where = ", ".join(x for x in (unit["huyen"], unit["tinh"]) if x)
    _out(f"{unit['xa']}" + (f" (mã {unit['ma_xa']})" if unit["ma_xa"] else "") + (f" — {where}" if where else ""))
    labels = {i.code: i.label for i in form.cells} if form else {}
    for p in points:
        state = "hiện hành" if p.current else "đã thay thế"
        basis = {"appraised": "thẩm định", "self": "tự chấm"}.get(p.basis or "", p.basis or "")
        index = f"Chỉ số {format_vn(p.total)} ({basis})" if p.total is not None else "chưa có điểm"
        rank = f", thứ {p.rank_total}/{p.ranked}" if p.rank_total else ""
        _out(f"  {period_text(p.ky, p.nam):<12} bản {p.version} ({state}): {index}{rank}; {len(p.values)} chỉ tiêu; "
             f"tệp {p.file} (sha256 {p.sha256[:12]}…)")
    if points:
        shown = points[-6:]
        _out("  " + "mã chỉ tiêu".ljust(12) + "".join(f"{period_text(p.ky, p.nam):>14}" for p in shown))
        codes_all = [i.code for i in form.cells] if form else sorted({c for p in points for c in p.values})
        for c in codes_all:
            if any(c in p.values for p in shown):
                _out(f"  {c:<12}" + "".join(f"{format_vn(p.values.get(c)) if c in p.values else '':>14}"
                                             for p in shown) + f"  {labels.get(c, '')[:50]}")
    for m in marks:
        status = "đã xác minh" if m["status"] == "confirmed" else "báo nhầm"
        _out(f"  Đánh dấu {period_text(m['ky'], m['nam'])} {m['code']} = {m['value']}: {status}"
             + (f" — {m['note']}" if m["note"] else ""))
    if out is not None:
        write_series(unit, points, form, out, force=force, chart_codes=list(codes) or None)
        _err(say("history-show-written", xa=unit["xa"], path=str(out)))


@history_group.command("export")
@click.option("--format", "fmt", type=click.Choice(["csv", "parquet"]), default="csv", show_default=True)
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--all-versions", is_flag=True, help="Also export superseded versions.")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
@click.pass_obj
def history_export(file: Path, fmt: str, out: Path, all_versions: bool, force: bool) -> None:
    """Every stored value in long format (one row per commune, period and indicator), for pandas."""
    from cchc_xl.commands.history import export

    if out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))
    rows = export(file, out, fmt, all_versions, force=force)
    _out(say("history-exported", rows=rows, path=str(out)))


@history_group.command("mark")
@click.argument("query", metavar="XA")
@click.argument("code")
@click.option("--confirmed", "status", flag_value="confirmed", help="The value is right (đã xác minh).")
@click.option("--false-alarm", "status", flag_value="false-alarm", help="Not a problem (báo nhầm).")
@click.option("--note", default="", help="Why (who confirmed it, how).")
@click.option("--ky", type=click.Choice(list(PERIOD_IDS)), help="Period (default: the latest stored).")
@click.option("--nam", type=int, help="Year (default: the latest stored).")
@click.pass_obj
def history_mark(file: Path, query: str, code: str, status: str | None, note: str, ky: str | None,
                 nam: int | None) -> None:
    """Mark a commune's stored value as confirmed or a false alarm, so it is not flagged again."""
    from cchc_xl.commands.history import mark, period_text

    if status is None:
        raise Unusable(say("history-mark-status"))
    unit, m = mark(file, query, code, status, note, ky, nam)
    _out(say("history-mark-saved", code=code, value=m.value, xa=unit["xa"], period=period_text(m.ky, m.nam),
             status="đã xác minh" if status == "confirmed" else "báo nhầm"))


# ---- commands of report (issue 15) go below this line ----
_ANCHOR_REPORT = None


@cli.command("report")
@click.argument("source", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="The .docx draft to write.")
@click.option("--wording", "wording_file", type=click.Path(dir_okay=False, path_type=Path),
              help="A province's own wording file (YAML; default: the one shipped for the form).")
@click.option("--strict", is_flag=True, help="Refuse (exit 1, nothing written) when the workbook has errors.")
@click.option("--ranking", "ranking_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Consolidation JSON to take the commune's ranks from (used only if its total matches).")
@click.option("--classes", "classes_file", type=click.Path(dir_okay=False, path_type=Path),
              help="Rating classes: CSV with columns ten,tu (class name, lowest total).")
@click.option("--framework", help="Scoring framework id or CSV/XLSX file (default: the workbook's).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def report_cmd(source: Path, out: Path, wording_file: Path | None, strict: bool, ranking_file: Path | None,
               classes_file: Path | None, framework: str | None, force: bool) -> None:
    """Write the draft báo cáo CCHC (.docx) from a commune workbook or a consolidation (.json/.xlsx).

    Every figure in the text comes from the workbook; where only a person can write, a marked
    placeholder stands. Exit 0 written, 1 written with errors listed in its annex (or refused with
    --strict), 2 unusable input.

    Example:

    \b
        cchc-xl report xa.xlsx -o bao-cao.docx
        cchc-xl report tong-hop.json -o bao-cao-tong-hop.docx
    """
    from cchc_xl.commands.report import commune_report, consolidation_report
    from cchc_xl.render.docx_report import write_docx

    if out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))
    # Unusable input, a wrong wording file and --strict refusals are CchcErrors: main() prints them (2 / 1).
    if source.suffix.lower() == ".json" or _is_consolidation(source):
        doc = consolidation_report(source, wording_file=wording_file, classes_file=classes_file)
    else:
        doc = commune_report(source, wording_file=wording_file, strict=strict, ranking_file=ranking_file,
                             classes_file=classes_file, framework=framework)
    for note in doc.notes:
        _err(note)
    write_docx(doc, out, force=force)
    _out(say("report-written-plain", path=str(out)))
    if doc.errors or doc.warnings:
        _err(say("report-has-findings", errors=doc.errors, warnings=doc.warnings))
    sys.exit(1 if doc.errors else 0)


def _is_consolidation(path: Path) -> bool:
    """A consolidation workbook (made by ``consolidate``) rather than a commune workbook."""
    from cchc_xl.sources.consolidation import is_consolidation_workbook

    return path.suffix.lower() in (".xlsx", ".xlsm") and is_consolidation_workbook(path)


# ---- commands of api (issue 16) go below this line ----
_ANCHOR_API = None


def _new_batch(table: Path, out: Path, form_id: str | None, framework: str | None, force: bool, xlsm: bool,
               meta: dict[str, str | None]) -> None:
    """``new --batch``: one prefilled workbook per row; per-row problems on stderr, exit 1 if any."""
    from cchc_xl.commands.batch import new_batch

    if xlsm:
        raise click.UsageError(say("batch-no-xlsm"))
    result = new_batch(table, out, form=form_id, framework=framework, meta=meta, force=force)
    for w in result.warnings:
        _err("Cảnh báo: " + w)
    for row in result.rows:
        for w in row.warnings:
            _err("Cảnh báo: " + w)
        if row.path is not None:
            _out(say("batch-written-line", file=row.path.name, xa=row.xa,
                     code=f" ({row.ma_xa})" if row.ma_xa else ""))
        for p in row.problems:
            _err(p)
    _out(say("batch-summary", written=len(result.written), form=result.form, dir=str(out),
             failed=len(result.failed)))
    sys.exit(result.exit_code)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map every known failure to a Vietnamese message and exit code 2."""
    import warnings

    # openpyxl warns about workbook features it drops (data validation extensions, …): never on stderr.
    warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\..*)?")
    try:
        argv = register_form_files(sys.argv[1:] if argv is None else list(argv))
        with signals_as_exceptions():  # SIGTERM/SIGHUP run the cleanup that removes temporaries
            code = cli.main(args=argv, prog_name="cchc-xl", standalone_mode=False)
        return code if isinstance(code, int) else 0  # ctx.exit(n) comes back as n without standalone mode
    except KeyboardInterrupt:
        _err("Đã hủy.")
        return 2
    except SystemExit as exc:  # sys.exit inside commands carries their exit code
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    except click.exceptions.Abort:
        _err("Đã hủy.")
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except CchcError as exc:  # raised outside a command (e.g. while parsing): each says why
        return report_failure(exc)
    except PermissionError as exc:
        _err(say("output-open-in-excel", path=exc.filename or ""))
        return 2
    except Exception:  # a bug of ours, never the user's input: exit 3, no Python text unless debugging
        if os.environ.get("CCHC_XL_DEBUG"):
            import traceback

            traceback.print_exc()
        _err(say("internal-error"))
        return INTERNAL_ERROR


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
