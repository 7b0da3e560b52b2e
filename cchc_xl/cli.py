"""The ``cchc-xl`` command line: parse arguments, call one library function, format, set the exit code.

Exit codes: 0 ok, 1 findings, 2 unusable input or bad usage. No traceback reaches a user: known problems
print their Vietnamese messages; anything unexpected prints one sentence (set CCHC_XL_DEBUG=1 for the
traceback).
"""

from __future__ import annotations

import json
import os
import sys
import traceback
import unicodedata
from pathlib import Path

import click

from . import __version__
from .catalog import DEFAULT_FORM, CatalogError, framework_for, list_forms, load_form
from .datafile import DataError
from .messages import say
from .numbers import format_vn
from .safety import UnusableInput

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 110}
KIND_LABELS = {"group": "nhóm", "count": "số đếm", "amount": "số lượng", "percent": "tỷ lệ %", "coded": "mã trả lời"}
REPO_TEMPLATES = Path(__file__).resolve().parent.parent / "workbook_templates"


class Unusable(click.ClickException):
    """Unusable input or bad usage: exit code 2 (click's own usage errors use 2 as well)."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(self.format_message(), err=True)


def _out(text: str = "") -> None:
    click.echo(unicodedata.normalize("NFC", text))


def _err(text: str) -> None:
    click.echo(unicodedata.normalize("NFC", text), err=True)


@click.group(context_settings=CONTEXT_SETTINGS)
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
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=REPO_TEMPLATES,
              show_default=True, help="Where to write the templates.")
@click.option("--form", "forms", multiple=True, help="Build only this form (repeatable).")
@click.option("--check", is_flag=True, help="Do not write: exit 1 when a committed template is stale.")
def template_build(directory: Path, forms: tuple[str, ...], check: bool) -> None:
    """Generate workbook_templates/<form>.xlsx for every form (deterministic: same catalog, same bytes).

    Example:

    \b
        cchc-xl template build
        cchc-xl template build --check
    """
    from .template import build_templates, stale_templates

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
@click.argument("data", type=click.Path(path_type=Path))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Workbook to create (.xlsx).")
@click.option("--form", "form_id", help="Form id (default: the data file's 'form', else phu-luc-01b).")
@click.option("--framework", help="Scoring framework id or CSV/XLSX file (default: the form's).")
@click.option("--force", is_flag=True, help="Overwrite OUTPUT if it exists.")
def new_cmd(data: Path, out: Path, form_id: str | None, framework: str | None, force: bool) -> None:
    """Create a commune workbook from the template and a data file (YAML/JSON, or CSV code,value).

    Example:

    \b
        cchc-xl new samples/hoang-truong-2023.yaml -o hoang-truong.xlsx
    """
    from .fill import new_workbook

    if out.exists() and not force:
        raise Unusable(say("output-exists", path=str(out)))
    result = new_workbook(data, out, form_id, framework)
    for w in result.warnings:
        _err("Cảnh báo: " + w)
    _out(say("created-workbook", path=str(result.path), form=result.form, values=result.values,
             scores=result.scores))


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
    from .io import read_report

    r = read_report(workbook)
    if fmt == "json":
        _out(json.dumps({
            "file": str(workbook), "form": r.template_id, "version": r.template_version,
            "meta": {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.meta.items()},
            "values": r.values, "scores": r.scores, "appraised": r.appraised, "totals": r.totals,
        }, ensure_ascii=False, indent=1))
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
        _out(f"  Tổng: {format_vn(r.totals.get('DIEM_TONG'))} / {format_vn(r.totals.get('THAMDINH_TONG'))}")


# ---------------------------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map every known failure to a Vietnamese message and exit code 2."""
    try:
        cli.main(args=argv, prog_name="cchc-xl", standalone_mode=False)
        return 0
    except SystemExit as exc:  # sys.exit inside commands carries their exit code
        return int(exc.code or 0) if not isinstance(exc.code, str) else 2
    except click.exceptions.Abort:
        _err("Đã hủy.")
        return 2
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except UnusableInput as exc:
        _err(exc.message)
        return 2
    except (CatalogError, DataError) as exc:
        for p in exc.problems:
            _err(p)
        return 2
    except FileExistsError as exc:
        _err(str(exc))
        return 2
    except PermissionError as exc:
        _err(say("output-open-in-excel", path=exc.filename or ""))
        return 2
    except Exception as exc:
        if os.environ.get("CCHC_XL_DEBUG"):
            traceback.print_exc()
        _err(say("internal-error", detail=f"{type(exc).__name__}: {exc}"))
        return 2


def entry() -> None:
    sys.exit(main())


if __name__ == "__main__":
    entry()
