"""Template files from ``templates/``: strict ``{{ name }}`` placeholders.

Placeholders are only replaced inside string values (and mapping keys) of
parsed YAML/JSON, never in raw text, so a value can't change the document's
structure. A string that is exactly one placeholder takes the value's own
type (a number stays a number). An unknown or unused name is an error, like
cookiecutter's ``StrictUndefined``. Text files (handlers, README pieces) use
the same syntax through :func:`render_text`, whose values must be plain
identifiers unless the caller marks them as free text.
"""
from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import TemplateError
from .cfn import Intrinsic, load_template

_PLACEHOLDER = re.compile(r"\{\{\s*([a-z_][a-z0-9_]*)\s*\}\}")
_SAFE_TEXT = re.compile(r"[A-Za-z0-9_.,:()/ -]*")


def templates_dir() -> Path:
    from ..resources import data_dir
    return data_dir("templates")


@lru_cache(maxsize=None)
def _read(relative: str) -> str:
    path = templates_dir() / relative
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise TemplateError(f"template file {relative} is missing from {templates_dir()}") from None


def _value(name: str, values: dict, used: set, where: str) -> Any:
    """The value of placeholder ``name``; an unknown one fails (cookiecutter's StrictUndefined)."""
    if name not in values:
        raise TemplateError(f"{where}: unknown placeholder {{{{ {name} }}}}")
    used.add(name)
    return values[name]


def _fill(text: str, values: dict, used: set, where: str) -> str:
    return _PLACEHOLDER.sub(lambda m: str(_value(m.group(1), values, used, where)), text)


def _substitute(node: Any, values: dict, used: set, where: str) -> Any:
    if isinstance(node, str):
        whole = _PLACEHOLDER.fullmatch(node.strip())
        if whole:  # a string that is exactly one placeholder takes the value's type
            return _value(whole.group(1), values, used, where)
        return _fill(node, values, used, where)
    if isinstance(node, dict):
        return {_substitute(k, values, used, where): _substitute(v, values, used, where) for k, v in node.items()}
    if isinstance(node, list):
        return [_substitute(v, values, used, where) for v in node]
    if isinstance(node, Intrinsic):
        return Intrinsic(node.fn, _substitute(node.value, values, used, where))
    return node


def _check_used(values: dict, used: set, where: str) -> None:
    unused = set(values) - used
    if unused:
        raise TemplateError(f"{where}: values given but not used: {', '.join(sorted(unused))}")


def load_fragment(relative: str, **values: Any) -> dict:
    """A SAM fragment under ``templates/sam/`` with its placeholders filled."""
    where = f"templates/sam/{relative}"
    tree = load_template(_read(f"sam/{relative}"))
    used: set = set()
    out = _substitute(tree, values, used, where)
    _check_used(values, used, where)
    return out


def load_json(relative: str, **values: Any) -> Any:
    """A JSON template (sample events) with its placeholders filled."""
    used: set = set()
    out = _substitute(json.loads(_read(relative)), values, used, f"templates/{relative}")
    _check_used(values, used, f"templates/{relative}")
    return out


def render_text(relative: str, free_text: tuple[str, ...] = (), **values: str) -> str:
    """A text template (Python, TOML, Markdown). Values must be plain names,
    except those listed in ``free_text``, which the caller has escaped for the target language."""
    where = f"templates/{relative}"
    for k, v in values.items():
        if k not in free_text and not _SAFE_TEXT.fullmatch(str(v)):
            raise TemplateError(f"{where}: value of {k} is not a plain name: {v!r}")
    used: set = set()
    text = _fill(_read(relative), values, used, where)
    _check_used(values, used, where)
    return text
