"""advisor: serverless architecture decisions from a workload description.

The public API is small and imported lazily, so that ``import advisor`` (and
with it every CLI start) stays cheap:

- ``load_workload(path)`` -> ``Workload``
- ``load_rules(extra_dirs=())`` -> ``Catalog``
- ``advise(workload, catalog=None)`` -> ``Recommendation``
"""
from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_workload", "load_rules", "advise"]


def __getattr__(name: str):
    if name == "load_workload":
        from .workload import load
        return load
    if name == "load_rules":
        from .rules import load_catalog
        return load_catalog
    if name == "advise":
        from .engine import advise
        return advise
    raise AttributeError(name)
