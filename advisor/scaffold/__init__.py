"""Generate a starter AWS SAM app from a workload and its recommendation.

Public API (pure functions: no file I/O except reading ``templates/``):

- ``render(workload, recommendation, *, runtime=None) -> dict[str, bytes]``
- ``manifest_data(workload, recommendation) -> dict`` (for ``.advisor.yml``)
- ``self_check(files) -> list[str]`` (run by ``render`` before returning)
"""
from __future__ import annotations

from .check import self_check
from .render import manifest_data, render

__all__ = ["render", "manifest_data", "self_check"]
