"""Headless LibreOffice helpers for tests: recalculate workbooks and run their macros.

LibreOffice is the reference engine the tests use to check that the formulas we write into
workbooks compute what Python computes (see engineering-notes.md, "Recalculation engines").

Facts this module is built around:

* LibreOffice keeps the cached values of an .xlsx on load, so a plain conversion proves nothing
  about the formulas. Only a profile with ``/org.openoffice.Office.Calc/Formula/Load``
  ``OOXMLRecalcMode = 0`` forces a full recalculation on load. Every call therefore runs with a
  fresh private profile (``-env:UserInstallation=...``) whose ``registrymodifications.xcu`` is
  written before the first launch; this also keeps parallel test workers (pytest-xdist) and a
  desktop LibreOffice of the developer from handing documents to each other.
* Batch conversions have been seen to stop early without an error, so outputs are always counted
  (and checked to be readable zip packages); missing ones are retried once individually.
* The UNO bridge (``import uno``) only exists for the system interpreter (python3-uno), not for
  the project's virtualenv, so :func:`run_macro` writes a small driver script and runs it with
  ``/usr/bin/python3``.

Public API: :func:`soffice_path`, :func:`ensure_libreoffice`, :func:`uno_python`,
:func:`recalc_xlsx`, :func:`run_macro`, :func:`press_buttons`, :func:`form_buttons`.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import uuid
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "XLSM_FILTER",
    "XLSX_FILTER",
    "ensure_libreoffice",
    "form_buttons",
    "press_buttons",
    "recalc_xlsx",
    "run_macro",
    "soffice_path",
    "uno_python",
]

XLSX_FILTER = "Calc MS Excel 2007 XML"
XLSM_FILTER = "Calc MS Excel 2007 VBA XML"

#: Apt packages providing headless Calc and the UNO bridge (the latter is only "recommended").
APT_PACKAGES = ("libreoffice-calc-nogui", "python3-uno")

#: Interpreter that can ``import uno`` on Debian/Ubuntu (python3-uno targets the system Python).
SYSTEM_PYTHON = "/usr/bin/python3"

_INPUT_SUFFIXES = {".xlsx", ".xlsm"}
_OUTPUT_FILTERS = {".xlsx": XLSX_FILTER, ".xlsm": XLSM_FILTER}

# Places LibreOffice lands in when it is not on PATH (tarball installs, macOS app bundle).
_FALLBACK_BINARIES = (
    "/usr/lib/libreoffice/program/soffice",
    "/opt/libreoffice/program/soffice",
    "/Applications/LibreOffice.app/Contents/MacOS/soffice",
)

# Recalculate on load: 0 = always (1 = never, 2 = ask the user, which nobody can answer headless).
_RECALC_SETTINGS: tuple[tuple[str, str, str, str], ...] = (
    ("/org.openoffice.Office.Calc/Formula/Load", "OOXMLRecalcMode", "int", "0"),
    ("/org.openoffice.Office.Calc/Formula/Load", "ODFRecalcMode", "int", "0"),
)

# Let document macros (including imported VBA) run without any confirmation.
_MACRO_SETTINGS: tuple[tuple[str, str, str, str], ...] = (
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "int", "0"),
    ("/org.openoffice.Office.Calc/Filter/Import/VBA", "Load", "boolean", "true"),
    ("/org.openoffice.Office.Calc/Filter/Import/VBA", "Executable", "boolean", "true"),
    ("/org.openoffice.Office.Calc/Filter/Import/VBA", "Save", "boolean", "true"),
)

# Flags common to every launch: no recovery dialog, no start centre, ignore stale lock files.
_COMMON_FLAGS = ("--headless", "--invisible", "--norestore", "--nologo", "--nodefault", "--nolockcheck")


# --------------------------------------------------------------------------------------------
# Locating / installing LibreOffice
# --------------------------------------------------------------------------------------------


def soffice_path() -> str | None:
    """Return the ``soffice`` binary, or None when LibreOffice is not installed."""
    for name in ("soffice", "libreoffice"):
        found = shutil.which(name)
        if found:
            return found
    for candidate in _FALLBACK_BINARIES:
        if os.access(candidate, os.X_OK):
            return candidate
    return None


def uno_python() -> str | None:
    """Return an interpreter that can ``import uno`` (needed by :func:`run_macro`), or None."""
    if not os.access(SYSTEM_PYTHON, os.X_OK):
        return None
    probe = subprocess.run([SYSTEM_PYTHON, "-c", "import uno"], capture_output=True, timeout=60, check=False)
    return SYSTEM_PYTHON if probe.returncode == 0 else None


def ensure_libreoffice(with_uno: bool = False) -> str:
    """Return the ``soffice`` path, installing LibreOffice with apt-get when possible.

    CI images start without LibreOffice, so when it is missing (or, with ``with_uno=True``, when
    the UNO bridge is missing) and we are root on an apt-based system, the packages are installed
    non-interactively. Anywhere else a RuntimeError explains what to install, so tests can skip
    with that message.
    """
    path = soffice_path()
    if path and (not with_uno or uno_python()):
        return path
    # Two pytest-xdist workers once ran apt-get at the same time and one lost the dpkg lock (its tests were
    # skipped and the run stayed green): install under an exclusive lock, then look again.
    with open(os.path.join(tempfile.gettempdir(), "cchc-xl-oracles.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        path = soffice_path()
        if path and (not with_uno or uno_python()):
            return path
        return _install(path, with_uno)


def _install(path: str | None, with_uno: bool) -> str:
    missing = "LibreOffice" if not path else "the LibreOffice UNO bridge (python3-uno)"
    apt_get = shutil.which("apt-get")
    if apt_get is None or not hasattr(os, "geteuid") or os.geteuid() != 0:
        raise RuntimeError(
            f"{missing} is not installed and cannot be installed automatically "
            "(needs root and apt-get). Install it with: "
            f"sudo apt-get install {' '.join(APT_PACKAGES)}"
        )

    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    for cmd in ([apt_get, "update"], [apt_get, "install", "-y", "-q", *APT_PACKAGES]):
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise RuntimeError(
                f"{' '.join(cmd)} failed with exit code {result.returncode}:\n"
                f"{_tail(result.stdout + result.stderr)}"
            )

    path = soffice_path()
    if path is None:
        raise RuntimeError(f"installed {' '.join(APT_PACKAGES)} but soffice is still not found")
    if with_uno and uno_python() is None:
        raise RuntimeError(f"installed {' '.join(APT_PACKAGES)} but {SYSTEM_PYTHON} cannot import uno")
    return path


# --------------------------------------------------------------------------------------------
# Profiles and process handling
# --------------------------------------------------------------------------------------------


def _write_profile(profile_dir: Path, settings: Sequence[tuple[str, str, str, str]]) -> str:
    """Create a private LibreOffice profile with ``settings``; return its ``file://`` URL.

    The file must exist before LibreOffice first starts with this profile, because the
    configuration is read at start-up: a first run would otherwise keep cached values.
    """
    user_dir = profile_dir / "user"
    user_dir.mkdir(parents=True, exist_ok=True)
    items = "\n".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse" oor:type="xs:{xs_type}">'
        f"<value>{value}</value></prop></item>"
        for path, name, xs_type, value in settings
    )
    (user_dir / "registrymodifications.xcu").write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
        'xmlns:xs="http://www.w3.org/2001/XMLSchema" '
        'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
        f"{items}\n</oor:items>\n",
        encoding="utf-8",
    )
    return profile_dir.resolve().as_uri()


@dataclass
class _RunResult:
    returncode: int | None  # None when the process was killed on timeout
    output: str  # merged stdout/stderr

    @property
    def timed_out(self) -> bool:
        return self.returncode is None


def _run_process_group(
    cmd: Sequence[str], timeout: float, log_path: Path, env: dict[str, str] | None = None
) -> _RunResult:
    """Run ``cmd`` in its own session; kill the whole group on timeout or when it leaves orphans.

    ``soffice`` is a shell wrapper around ``oosplash`` and ``soffice.bin``; killing only the
    direct child would leave a LibreOffice holding the profile (and pipes) open. Output goes to a
    file rather than a pipe so a straggler keeping the descriptor cannot block us.
    """
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=env,
            start_new_session=True,
        )
        try:
            returncode: int | None = proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            returncode = None
        finally:
            _kill_group(proc.pid)
            proc.wait()
    return _RunResult(returncode, log_path.read_text(encoding="utf-8", errors="replace"))


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass  # the group already ended


def _tail(text: str, lines: int = 40) -> str:
    return "\n".join(text.strip().splitlines()[-lines:]) or "(no output)"


def _is_xlsx_package(path: Path) -> bool:
    """True for a complete OOXML package (a killed or stopped save leaves a partial file)."""
    try:
        with zipfile.ZipFile(path) as package:
            return "[Content_Types].xml" in package.namelist()
    except (OSError, zipfile.BadZipFile):
        return False


# --------------------------------------------------------------------------------------------
# Recalculation
# --------------------------------------------------------------------------------------------


def _output_names(inputs: Sequence[Path]) -> list[str]:
    """Give each input the output name ``<stem>.xlsx``, suffixing ``-2``, ``-3``… on clashes."""
    used: set[str] = set()
    names: list[str] = []
    for path in inputs:
        name, counter = f"{path.stem}.xlsx", 1
        while name.casefold() in used:  # casefold: out_dir may be on a case-insensitive FS
            counter += 1
            name = f"{path.stem}-{counter}.xlsx"
        used.add(name.casefold())
        names.append(name)
    return names


def recalc_xlsx(paths: Sequence[Path], out_dir: Path, timeout: float = 180) -> list[Path]:
    """Convert each workbook to ``out_dir/<stem>.xlsx`` with every formula recalculated on load.

    Returns the output paths in input order. Inputs sharing a stem get ``<stem>-2.xlsx``, … (in
    input order). Existing files of those names in ``out_dir`` are replaced. ``timeout`` applies
    to the batch call and to each individual retry. Raises RuntimeError naming the inputs that
    produced no (readable) output.
    """
    inputs = [Path(p) for p in paths]
    if not inputs:
        return []
    for path in inputs:
        if path.suffix.lower() not in _INPUT_SUFFIXES:
            raise ValueError(f"not an .xlsx/.xlsm workbook: {path}")
        if not path.is_file():
            raise FileNotFoundError(path)
    soffice = ensure_libreoffice()
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    final_names = _output_names(inputs)

    with tempfile.TemporaryDirectory(prefix="cchc_xl_lo_") as tmp:
        work = Path(tmp)
        stage, converted = work / "in", work / "out"
        stage.mkdir()
        converted.mkdir()
        profile_url = _write_profile(work / "profile", _RECALC_SETTINGS)

        # Staged copies get unique ASCII names: LibreOffice names outputs after the input stem,
        # so this both separates equal stems and keeps odd (e.g. Vietnamese) names out of argv.
        staged = []
        for index, path in enumerate(inputs):
            target = stage / f"wb{index:04d}{path.suffix.lower()}"
            shutil.copyfile(path, target)
            staged.append(target)

        def convert(batch: Sequence[Path], log_name: str) -> _RunResult:
            cmd = [
                soffice,
                f"-env:UserInstallation={profile_url}",
                *_COMMON_FLAGS,
                "--convert-to",
                f"xlsx:{XLSX_FILTER}",
                "--outdir",
                str(converted),
                *(str(p) for p in batch),
            ]
            return _run_process_group(cmd, timeout, work / log_name)

        def missing() -> list[int]:
            return [i for i, p in enumerate(staged) if not _is_xlsx_package(converted / f"{p.stem}.xlsx")]

        logs = [convert(staged, "batch.log")]
        for index in missing():
            partial = converted / f"{staged[index].stem}.xlsx"
            partial.unlink(missing_ok=True)
            logs.append(convert([staged[index]], f"retry{index:04d}.log"))

        failed = missing()
        if failed:
            details = "\n".join(
                f"--- soffice run {n} (exit code {'timeout' if r.timed_out else r.returncode}) ---\n"
                f"{_tail(r.output)}"
                for n, r in enumerate(logs)
            )
            names = "\n".join(f"  {inputs[i]}" for i in failed)
            raise RuntimeError(
                f"LibreOffice produced no output for {len(failed)} of {len(inputs)} workbook(s) "
                f"even after an individual retry:\n{names}\n{details}"
            )

        outputs = []
        for path, name in zip(staged, final_names, strict=True):
            final = out_dir / name
            shutil.move(str(converted / f"{path.stem}.xlsx"), final)
            outputs.append(final)
    return outputs


# --------------------------------------------------------------------------------------------
# Macros over UNO
# --------------------------------------------------------------------------------------------

# Runs under /usr/bin/python3 (the only interpreter with ``uno``). It owns the soffice process:
# started without a new session so the caller's process-group kill also reaches it.
_DRIVER = r"""
import json, subprocess, sys, time, traceback
import uno
from com.sun.star.beans import PropertyValue
from com.sun.star.connection import NoConnectException


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def form_controls(doc):
    # Every form control on every sheet: (sheet name, control model, its script events).
    sheets = doc.getSheets()
    for index in range(sheets.getCount()):
        sheet = sheets.getByIndex(index)
        forms = sheet.getDrawPage().getForms()
        for f in range(forms.getCount()):
            form = forms.getByIndex(f)
            for c in range(form.getCount()):
                yield sheet.getName(), form.getByIndex(c), form.getScriptEvents(c)


def bound_script(events):
    for event in events:
        if event.EventMethod == "actionPerformed" and event.ScriptCode:
            return event.ScriptCode
    return None


def button_script(doc, sheet_name, name):
    # The script a click on the named button runs (its action event), as a user's press would.
    for sheet, model, events in form_controls(doc):
        if sheet == sheet_name and model.Name == name:
            url = bound_script(events)
            if url is None:
                raise RuntimeError("button %s on %s has no bound script" % (name, sheet_name))
            return url
    raise RuntimeError("no button %s on sheet %s" % (name, sheet_name))


def inventory(doc):
    out = {}
    for sheet, model, events in form_controls(doc):
        label = getattr(model, "Label", "") if hasattr(model, "Label") else ""
        out.setdefault(sheet, []).append({"name": model.Name, "label": label, "script": bound_script(events)})
    return out


def main(cfg):
    accept = "pipe,name=%s;urp;StarOffice.ComponentContext" % cfg["pipe"]
    log = open(cfg["soffice_log"], "wb")
    proc = subprocess.Popen(
        [cfg["soffice"], "-env:UserInstallation=" + cfg["profile_url"], *cfg["flags"],
         "--accept=" + accept],
        stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
    )
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        deadline = time.monotonic() + cfg["connect_timeout"]
        while True:
            try:
                ctx = resolver.resolve("uno:" + accept)
                break
            except NoConnectException:
                if proc.poll() is not None:
                    raise RuntimeError("soffice exited with code %s before accepting" % proc.returncode)
                if time.monotonic() > deadline:
                    raise RuntimeError("could not connect to soffice within %ss" % cfg["connect_timeout"])
                time.sleep(0.1)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)

        doc = desktop.loadComponentFromURL(
            uno.systemPathToFileUrl(cfg["path"]), "_blank", 0,
            (prop("Hidden", True), prop("MacroExecutionMode", 4)))  # 4 = ALWAYS_EXECUTE_NO_WARN
        if doc is None:
            raise RuntimeError("LibreOffice could not open " + cfg["path"])
        try:
            for step in cfg["steps"]:
                url = step[1] if step[0] == "script" else button_script(doc, step[1], step[2])
                script = doc.getScriptProvider().getScript(url)
                script.invoke((), (), ())
            if cfg.get("inventory"):
                with open(cfg["inventory"], "w", encoding="utf-8") as out:
                    json.dump(inventory(doc), out, ensure_ascii=False)
            doc.storeToURL(uno.systemPathToFileUrl(cfg["out_path"]),
                           (prop("FilterName", cfg["filter"]), prop("Overwrite", True)))
        finally:
            doc.close(True)
    finally:
        if desktop is not None:
            try:
                desktop.terminate()
            except Exception:
                pass  # the bridge is torn down while the call returns
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


try:
    main(json.loads(sys.argv[1]))
except Exception:
    traceback.print_exc()
    sys.exit(1)
"""


def _script_url(macro: str) -> str:
    module, _, name = macro.partition(".")
    if not module or not name or "." in name:
        raise ValueError(f'macro must look like "Module.Name", got {macro!r}')
    return f"vnd.sun.star.script:VBAProject.{module}.{name}?language=Basic&location=document"


def run_macro(path: Path, macro: str | Sequence[str] | None, out_path: Path, timeout: float = 120) -> Path:
    """Open ``path`` hidden with macros enabled, run ``macro`` ("Module.Name"), save to ``out_path``.

    ``macro=None`` only opens and re-saves the workbook (a LibreOffice round trip); a sequence of
    names runs them one after the other in the same session (LibreOffice does not run the VBA
    project of an .xlsm it saved itself, so steps that belong together must share one session).
    The macro is looked up in the document's imported VBA project. The saved format follows
    ``out_path``'s suffix: ``.xlsm`` keeps the VBA project, ``.xlsx`` drops it. Formulas are
    recalculated on load, as in :func:`recalc_xlsx`. Returns ``out_path``; raises RuntimeError
    with the driver's and soffice's output when anything fails or ``timeout`` (whole run) expires.
    """
    macros = [] if macro is None else [macro] if isinstance(macro, str) else list(macro)
    steps = [["script", _script_url(m)] for m in macros]
    return _drive(path, steps, out_path, timeout, label=repr(macro))


def press_buttons(path: Path, presses: Sequence[tuple[str, str]], out_path: Path, timeout: float = 120) -> Path:
    """Open ``path`` like :func:`run_macro`, "press" each (sheet name, button name) in turn, save.

    A press reads the form control's action event (the script Excel's macro binding became on
    import) and invokes that script, as a click would; a button with no binding is an error.
    """
    steps = [["button", sheet, name] for sheet, name in presses]
    return _drive(path, steps, out_path, timeout, label=repr(list(presses)))


def form_buttons(path: Path, timeout: float = 120) -> dict[str, list[dict[str, str | None]]]:
    """The form controls LibreOffice sees in a workbook: sheet → [{name, label, script}]."""
    with tempfile.TemporaryDirectory(prefix="cchc_xl_lo_") as tmp:
        listing = Path(tmp) / "buttons.json"
        _drive(path, [], Path(tmp) / "copy.xlsm", timeout, label="form_buttons", inventory=listing)
        return json.loads(listing.read_text(encoding="utf-8"))


def _drive(path: Path, steps: list[list[str]], out_path: Path, timeout: float, label: str,
           inventory: Path | None = None) -> Path:
    path, out_path = Path(path).resolve(), Path(out_path).resolve()
    if not path.is_file():
        raise FileNotFoundError(path)
    out_filter = _OUTPUT_FILTERS.get(out_path.suffix.lower())
    if out_filter is None:
        raise ValueError(f"out_path must end in .xlsx or .xlsm: {out_path}")

    soffice = ensure_libreoffice(with_uno=True)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if out_path != path:
        out_path.unlink(missing_ok=True)  # so a stale file can never pass for this run's output
    with tempfile.TemporaryDirectory(prefix="cchc_xl_lo_") as tmp:
        work = Path(tmp)
        driver = work / "driver.py"
        driver.write_text(_DRIVER, encoding="utf-8")
        soffice_log = work / "soffice.log"
        config = {
            "soffice": soffice,
            "profile_url": _write_profile(work / "profile", _RECALC_SETTINGS + _MACRO_SETTINGS),
            "flags": list(_COMMON_FLAGS),
            # Unique per call so concurrent runs never connect to each other's office.
            "pipe": f"cchc_xl_{os.getpid()}_{uuid.uuid4().hex}",
            "connect_timeout": max(5.0, timeout / 2),
            "path": str(path),
            "out_path": str(out_path),
            "filter": out_filter,
            "steps": steps,
            "inventory": str(inventory) if inventory else None,
            "soffice_log": str(soffice_log),
        }
        # The venv's PYTHON* variables must not leak into the system interpreter.
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
        env.pop("VIRTUAL_ENV", None)
        cmd = [SYSTEM_PYTHON, str(driver), json.dumps(config)]
        # The group kill on timeout also reaches the soffice the driver started.
        result = _run_process_group(cmd, timeout, work / "driver.log", env=env)

        if result.returncode != 0 or not out_path.is_file():
            lo_out = soffice_log.read_text(encoding="utf-8", errors="replace") if soffice_log.exists() else ""
            status = f"timed out after {timeout}s" if result.timed_out else f"exit code {result.returncode}"
            raise RuntimeError(
                f"LibreOffice run of {path.name!s} ({label}) failed ({status}).\n"
                f"--- driver ---\n{_tail(result.output)}\n--- soffice ---\n{_tail(lo_out)}"
            )
    return out_path


if __name__ == "__main__" and sys.argv[1:] == ["--ensure"]:  # `make test` runs this once, before the workers
    print(ensure_libreoffice(with_uno=True))
elif __name__ == "__main__":  # manual use: python -m tests.support.libreoffice OUT_DIR FILE...
    results = recalc_xlsx([Path(p) for p in sys.argv[2:]], Path(sys.argv[1]))
    print("\n".join(str(p) for p in results))

