"""Three-way merge of a generated file the user edited by hand.

base = what advisor generated last time (kept under ``.advisor/base/``), ours = the file on disk,
theirs = what advisor generates now. Where only one side changed a region, that side wins; where both
changed the same (or adjacent) lines, the region gets conflict markers, as ``git merge-file`` writes them.

The merge is Breezy's ``merge3`` (pure Python, the diff3 algorithm), imported only when a merge is
needed. It was chosen over calling ``git merge-file``: the result must not depend on whether git is
installed or which version, and running a process per file would be slower.
"""
from __future__ import annotations

from typing import NamedTuple


class Merged(NamedTuple):
    content: bytes
    conflicts: int  # regions both sides changed, now between <<<<<<< and >>>>>>> markers


def merge3(path: str, base: bytes, ours: bytes, theirs: bytes) -> Merged:
    """The three-way merge of one file; text files only (UTF-8, invalid bytes kept as escapes)."""
    import merge3 as _merge3

    def lines(data: bytes) -> list[str]:
        return data.decode("utf-8", "surrogateescape").splitlines(keepends=True)

    m = _merge3.Merge3(lines(base), lines(ours), lines(theirs))
    conflicts = sum(1 for group in m.merge_groups() if group[0] == "conflict")
    out = m.merge_lines(name_a=f"{path} (your edit)", name_b=f"{path} (generated now)")
    return Merged("".join(out).encode("utf-8", "surrogateescape"), conflicts)


def has_markers(content: bytes) -> bool:
    """True when a file still holds an unresolved conflict from a merge."""
    lines = content.splitlines()
    return any(line.startswith(b"<<<<<<< ") for line in lines) and any(line.startswith(b">>>>>>> ") for line in lines)
