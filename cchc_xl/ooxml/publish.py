"""Writes that cannot lose work: outputs never replace inputs, in-place edits are locked and backed up,
and a workbook and its JSON report are published together.

- :func:`refuse_input_overwrite` compares an output with every input by resolved path and by device and
  inode (a hard link or another spelling of the same file is the same file), whatever ``--force`` says.
- :func:`in_place` holds an exclusive ``flock`` on the workbook for the whole read-modify-write, refuses
  while Excel (``~$NAME``) or LibreOffice (``.~lock.NAME#``) has the workbook open, and keeps numbered
  backups (``NAME.bak``, then ``NAME.bak.1``, ``NAME.bak.2``…) instead of overwriting one.
- :func:`publish_together` renames prepared temporaries into place in a fixed order (the workbook first,
  the JSON that carries the workbook's SHA-256 last), so a JSON whose hash matches its workbook proves the
  pair complete; every temporary is removed on every exit path.
- :func:`signals_as_exceptions` turns SIGTERM/SIGHUP into an exception so the ``finally`` blocks that
  remove temporaries run when a run is killed politely.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import signal
from collections.abc import Iterable, Iterator
from pathlib import Path

from cchc_xl.errors import OutputRefused
from cchc_xl.messages import say

try:  # POSIX; on Windows the Excel lock file and the rename are the only protection
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]


class OutputIsInput(OutputRefused):
    """An output path names one of the inputs; ``message`` says so in Vietnamese."""


class InPlaceRefused(OutputIsInput):
    """The workbook is being changed by another run or is open in Excel/LibreOffice."""


def same_file(a: str | Path, b: str | Path) -> bool:
    """Whether two paths name one file: same resolved path, or same device and inode."""
    try:
        if Path(a).resolve() == Path(b).resolve():
            return True
        sa, sb = os.stat(a), os.stat(b)
    except (OSError, ValueError):
        return False
    return (sa.st_dev, sa.st_ino) == (sb.st_dev, sb.st_ino)


def refuse_input_overwrite(output: str | Path | None, inputs: Iterable[str | Path]) -> None:
    """Raise :class:`OutputIsInput` when ``output`` is one of ``inputs`` (directories: any file inside)."""
    if output is None:
        return
    for item in inputs:
        item = Path(item)
        if item.is_dir():
            if not Path(output).exists():
                continue
            for dirpath, _dirs, files in os.walk(item):
                for name in files:
                    if same_file(output, Path(dirpath) / name):
                        raise OutputIsInput(say("output-is-input", path=_shown(output),
                                                input=_shown(Path(dirpath) / name)))
        elif same_file(output, item):
            raise OutputIsInput(say("output-is-input", path=_shown(output), input=_shown(item)))


def _shown(path: str | Path) -> str:
    from cchc_xl.ooxml.safety import escape_surrogates

    return escape_surrogates(str(path))


def office_lock_files(workbook: str | Path) -> list[Path]:
    """Excel's owner file and LibreOffice's lock file for ``workbook``, where they exist."""
    p = Path(workbook)
    candidates = [p.with_name("~$" + p.name), p.with_name(".~lock." + p.name + "#")]
    if len(p.name) > 2:  # Excel shortens long names: ~$ replaces the first two characters
        candidates.append(p.with_name("~$" + p.name[2:]))
    return [c for c in candidates if c.exists()]


def next_backup(workbook: str | Path) -> Path:
    """``NAME.bak`` if free, else the first free ``NAME.bak.N`` (an earlier backup is never overwritten)."""
    base = Path(str(workbook) + ".bak")
    if not base.exists():
        return base
    n = 1
    while Path(f"{base}.{n}").exists():
        n += 1
    return Path(f"{base}.{n}")


@contextlib.contextmanager
def in_place(workbook: str | Path) -> Iterator[Path]:
    """Hold the workbook for an in-place change; yield the backup path (already written)."""
    path = Path(workbook)
    locks = office_lock_files(path)
    if locks:
        raise InPlaceRefused(say("in-place-open-elsewhere", path=_shown(path), lock=locks[0].name))
    fd = os.open(path, os.O_RDONLY)
    try:
        if fcntl is not None:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                raise InPlaceRefused(say("in-place-locked", path=_shown(path))) from None
            # Another run may have replaced the file between our open and our lock: then we hold a lock on
            # a file nobody reads any more, and must not go on.
            if (os.fstat(fd).st_ino, os.fstat(fd).st_dev) != (os.stat(path).st_ino, os.stat(path).st_dev):
                raise InPlaceRefused(say("in-place-locked", path=_shown(path)))
        backup = next_backup(path)
        shutil.copy2(path, backup)
        yield backup
    finally:
        os.close(fd)  # releases the lock


@contextlib.contextmanager
def signals_as_exceptions() -> Iterator[None]:
    """Within the block SIGTERM and SIGHUP raise ``KeyboardInterrupt`` (so cleanup code runs)."""

    def handler(signum, frame):
        raise KeyboardInterrupt

    previous = {}
    for sig in (getattr(signal, "SIGTERM", None), getattr(signal, "SIGHUP", None)):
        if sig is None:
            continue
        try:
            previous[sig] = signal.signal(sig, handler)
        except (ValueError, OSError):  # not the main thread
            pass
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def sha256_of(path: str | Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def publish_together(pairs: list[tuple[Path, Path]]) -> None:
    """Rename each prepared temporary onto its target, in the order given; remove any left on failure."""
    try:
        for tmp, target in pairs:
            os.replace(tmp, target)
    finally:
        for tmp, _target in pairs:
            with contextlib.suppress(OSError):
                tmp.unlink()
