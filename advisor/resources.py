"""Where the shipped data lives: inside the wheel, or in a development checkout."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_PKG = Path(__file__).resolve().parent


@lru_cache(maxsize=None)
def data_dir(name: str) -> Path:
    """The folder ``rules``, ``templates`` or ``rule_cases``: ``advisor/_data/<name>`` in a wheel, else
    ``<checkout>/<name>`` (``<checkout>/tests/rule_cases`` for the cases) beside the package."""
    for candidate in (_PKG / "_data" / name, _PKG.parent / name, _PKG.parent / "tests" / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"advisor's {name} folder is missing from this installation")


def package_file(*parts: str) -> Path:
    """A file shipped inside the package (schemas, data tables)."""
    return _PKG.joinpath(*parts)


def read_data(name: str):
    """A data table shipped in ``advisor/data`` (decisions, limits, integrations, sizing, quotas), parsed with
    libyaml when it is there. Callers cache the result (each table is read once per process)."""
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(package_file("data", name).read_text(encoding="utf-8"), Loader=loader)
