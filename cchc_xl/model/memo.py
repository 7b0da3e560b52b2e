"""Memoise functions of catalog records by identity.

Forms and frameworks are large frozen dataclasses: ``functools.cache`` hashes them field by field on every
call (a third of a consolidation's per-file time went into those hashes). Catalog records are loaded once
and shared, so their identity is a sound key; the records are kept alive with the cached value, so an id
is never reused while its entry exists.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")


def by_identity(maxsize: int = 256) -> Callable[[Callable[..., T]], Callable[..., T]]:
    def decorate(fn: Callable[..., T]) -> Callable[..., T]:
        memo: dict[tuple, tuple[tuple, T]] = {}

        @wraps(fn)
        def wrapper(*args):
            key = tuple(id(a) for a in args)
            hit = memo.get(key)
            if hit is not None:
                return hit[1]
            value = fn(*args)
            if len(memo) >= maxsize:
                memo.clear()
            memo[key] = (args, value)  # args kept: their ids stay theirs while the entry lives
            return value

        wrapper.cache_clear = memo.clear  # type: ignore[attr-defined]
        return wrapper

    return decorate
