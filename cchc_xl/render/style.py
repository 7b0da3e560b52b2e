"""Terminal colour for text reports (ANSI SGR codes), applied only when the caller says it is a terminal."""

from __future__ import annotations

_FG = {"red": 31, "green": 32, "yellow": 33, "blue": 34, "magenta": 35, "cyan": 36, "white": 37}


def style(text: str, fg: str | None = None, bold: bool = False, dim: bool = False, underline: bool = False) -> str:
    """``text`` wrapped in ANSI codes; the same keywords as ``click.style`` for the ones we use."""
    codes = ([1] if bold else []) + ([2] if dim else []) + ([4] if underline else []) + ([_FG[fg]] if fg else [])
    if not codes:
        return text
    return f"\x1b[{';'.join(map(str, codes))}m{text}\x1b[0m"
