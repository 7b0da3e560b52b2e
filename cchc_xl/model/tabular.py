"""Results that become pandas DataFrames (``to_frame()``), without the records knowing about pandas.

A result record mixes in :class:`Tabular` and names its ``frame_kind``; ``cchc_xl.render.frames`` registers
one converter per kind, and the package root imports that module, so every record has a working
``to_frame()`` while the model, engine and commands never import pandas or the render layer (the
pandas-accessor pattern: the upper layer plugs into the lower one).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

_CONVERTERS: dict[str, Callable[[Any], Any]] = {}


def register_frame(kind: str) -> Callable[[Callable[[Any], Any]], Callable[[Any], Any]]:
    """Decorator: the function turning a result of ``frame_kind == kind`` into a DataFrame."""

    def register(convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
        _CONVERTERS[kind] = convert
        return convert

    return register


class Tabular:
    """Mixin for result records with a DataFrame form."""

    frame_kind: ClassVar[str] = ""

    def to_frame(self) -> Any:
        """This result as a pandas DataFrame (needs pandas: ``pip install 'cchc-xl[pandas]'``)."""
        return _CONVERTERS[self.frame_kind](self)  # registered when the package root imports render.frames
