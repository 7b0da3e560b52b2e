"""XML text escaping for the five predefined entities.

``xml.sax.saxutils`` does the same but imports urllib, http and email (≈100 ms of a 150 ms CLI budget).
"""

from __future__ import annotations

_ESCAPE = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def escape(text: str) -> str:
    """Escape ``&``, ``<`` and ``>`` for element content (as ``xml.sax.saxutils.escape``)."""
    return text.translate(_ESCAPE)


def unescape(text: str) -> str:
    """Decode the five predefined entities; ``&amp;`` last, so ``&amp;lt;`` stays ``&lt;``."""
    if "&" not in text:
        return text
    for entity, char in (("&lt;", "<"), ("&gt;", ">"), ("&quot;", '"'), ("&apos;", "'"), ("&amp;", "&")):
        text = text.replace(entity, char)
    return text
