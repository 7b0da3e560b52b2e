"""Running the CLI the way a user does (in-process, or in a subprocess under a memory cap) and the
promises every hostile case checks: the exit code, a Vietnamese reason, no traceback, no internal error."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import time
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
VIETNAMESE = set("ăâđêôơưàáảãạèéẻẽẹìíỉĩịòóỏõọùúủũụỳýỷỹỵ")
MEMORY_CAP = 1536 * 2**20  # address space of a capped CLI run; python + calamine + openpyxl need ~400 MB


@dataclass
class Run:
    rc: int
    out: str
    err: str
    seconds: float = 0.0

    @property
    def text(self) -> str:
        return self.out + self.err


_CAPPED = (
    "import resource, sys\n"
    "cap = int(sys.argv[1])\n"
    "resource.setrlimit(resource.RLIMIT_AS, (cap, cap))\n"
    "from cchc_xl.cli import main\n"
    "sys.exit(main(sys.argv[2:]))\n"
)


def run_capped(*args: str | Path, cap: int = MEMORY_CAP, timeout: float = 60) -> Run:
    """The CLI in a subprocess whose address space is capped: an abort or a blow-up cannot take pytest down."""
    env = {**os.environ, "PYTHONPATH": str(ROOT), "CCHC_XL_DEBUG": ""}
    start = time.perf_counter()
    p = subprocess.run([sys.executable, "-c", _CAPPED, str(cap), *map(os.fsdecode, args)], capture_output=True,
                       env=env, timeout=timeout, cwd=ROOT)
    return Run(p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace"),
               time.perf_counter() - start)


def run(capsys, *args: str | Path) -> Run:
    """The CLI in-process (fast); output captured."""
    from cchc_xl.cli import main

    capsys.readouterr()
    rc = main([os.fsdecode(a) for a in args])
    cap = capsys.readouterr()
    return Run(rc, cap.out, cap.err)


def assert_clean(r: Run, rc: int | tuple[int, ...], *needles: str) -> None:
    """The promises of every run: the exit code, no traceback, no internal error, NFC, the reason."""
    allowed = rc if isinstance(rc, tuple) else (rc,)
    assert r.rc in allowed, (r.rc, r.text[-2000:])
    assert "Traceback" not in r.text and "Lỗi nội bộ" not in r.text, r.text[-2000:]
    assert "Error" not in r.err and "Warning" not in r.err, r.err[-2000:]
    assert unicodedata.is_normalized("NFC", r.text)
    if r.rc == 2:
        assert VIETNAMESE & set(r.text.lower()), r.text
    for needle in needles:
        assert needle in r.text, (needle, r.text[-2000:])


def sha(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def formulas_in(path: Path) -> list[str]:
    """The text of every ``<f>`` element of every sheet part of a workbook (XML escapes decoded)."""
    import xml.etree.ElementTree as ET

    out = []
    with zipfile.ZipFile(path) as zf:
        for name in zf.namelist():
            if name.replace("\\", "/").startswith("xl/worksheets/") and name.endswith(".xml"):
                for el in ET.fromstring(zf.read(name)).iter():
                    if isinstance(el.tag, str) and el.tag.rsplit("}", 1)[-1] == "f" and el.text:
                        out.append(el.text)
    return out
