"""Gnumeric as a third formula engine: ``ssconvert --recalc`` recalculates a workbook and writes it back."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path


def ssconvert() -> str | None:
    return shutil.which("ssconvert")


def recalc_gnumeric(path: Path, out: Path) -> Path:
    """Recalculate ``path`` with Gnumeric and write the result (with fresh cached values) to ``out``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([ssconvert() or "ssconvert", "--recalc", str(path), str(out)], check=True,
                   capture_output=True, timeout=120)
    return out
