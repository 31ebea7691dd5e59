"""Workload names -> CloudFormation logical ids and file names.

Workload names are slugs, but nothing here relies on that: any text becomes
an alphanumeric logical id (CloudFormation allows ``[A-Za-z0-9]+``) and a
lower-case file name, and a registry guarantees that no two generated names
collide, even case-insensitively (``a-b`` and ``ab`` both PascalCase to
``Ab``-ish forms on some platforms' file systems).
"""
from __future__ import annotations

import re

_WORD = re.compile(r"[A-Za-z0-9]+")
MAX_LOGICAL_ID = 255


def words(text: str) -> list[str]:
    return _WORD.findall(text or "")


def pascal(text: str) -> str:
    """``make-thumbnail`` -> ``MakeThumbnail``; never empty, never starts with a digit."""
    out = "".join(w[:1].upper() + w[1:].lower() for w in words(text))
    if not out:
        out = "X"
    if out[0].isdigit():
        out = "N" + out
    return out


def snake(text: str) -> str:
    """``make-thumbnail`` -> ``make_thumbnail``; a safe file and Python identifier."""
    out = "_".join(w.lower() for w in words(text))
    if not out:
        out = "x"
    if out[0].isdigit():
        out = "n_" + out
    return out


class NameRegistry:
    """Hands out unique names; a clash gets a numeric suffix (``Foo2``)."""

    def __init__(self) -> None:
        self._used: set[str] = set()

    def claim(self, wanted: str, sep: str = "") -> str:
        base = wanted[: MAX_LOGICAL_ID - 6]
        name, n = base, 1
        while name.lower() in self._used:
            n += 1
            name = f"{base}{sep}{n}"
        self._used.add(name.lower())
        return name

    def __contains__(self, name: str) -> bool:
        return name.lower() in self._used
