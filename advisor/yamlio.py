"""YAML in, with a position for every value, and nothing but plain data.

The loader composes the YAML node graph with PyYAML's safe loader (the C one
when available) and builds Python values itself, so that

- every value and every mapping key keeps its ``file:line:column``;
- duplicate keys are errors, never last-one-wins;
- only the plain YAML tags (str, int, float, bool, null, map, seq, and
  timestamps, kept as text) are accepted: ``!!python/object`` and friends are
  rejected, nothing arbitrary is ever constructed;
- alias bombs ("billion laughs"), deep nesting and huge files are stopped
  with a clear message instead of eating memory or the stack.
"""
from __future__ import annotations

import gc
import json
import math
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Location, Problem, UserError

MAX_BYTES = 10 * 1024 * 1024  # a workload of 10,000 flows is about 2 MB
MAX_DEPTH = 64
# Keys and values composed from the text, and built (aliases counted each time they are used). Each
# costs about 330 bytes and 3 us: benchmarks/bench_cli.py's 10,000 flows are about 200,000 (1.4 s,
# 160 MB), 10,000 flows using every field about 450,000, and a flat list at the cap ('[1,1,1,...]',
# 1 MB) is refused after about 1.3 s and 170 MB, inside the 2 s / 200 MB bound for bad input.
MAX_NODES = 500_000
# The longest number literal read (an explicit ``!!int`` or a plain number): no value of a workload or a rule
# needs more than a few digits, and a longer one is either a mistake or an attack (a 5,000-digit integer
# overflows a float and stops at Python's int-to-string limit).
MAX_NUMBER_CHARS = 40

_STD = "tag:yaml.org,2002:"
_SCALAR_TAGS = {_STD + t for t in ("str", "int", "float", "bool", "null", "timestamp")}
_BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_TAG_FORMS = {"int": "an integer, e.g. 3", "float": "a number, e.g. 2.5", "bool": "true or false"}


class _TooManyNodes(Exception):
    """Raised while composing, to stop a flat 10 MB list long before it fills memory."""


class _Loader(_BaseLoader):  # type: ignore[misc, valid-type]
    """The safe loader, counting the nodes it composes (``descend_resolver`` runs once per node, in the
    C composer too); the alias-expansion check in ``_check_size`` only runs after composing."""

    def __init__(self, stream):
        super().__init__(stream)
        self.nodes = 0

    def descend_resolver(self, current_node, current_index):
        self.nodes += 1
        if self.nodes > MAX_NODES:
            raise _TooManyNodes()
        return super().descend_resolver(current_node, current_index)


_constructor = yaml.constructor.SafeConstructor()


@dataclass
class Document:
    """A YAML document as plain Python data, with where each piece came from."""

    data: Any
    file: str
    values: dict[tuple, Location] = field(default_factory=dict)  # path -> position of the value
    keys: dict[tuple, Location] = field(default_factory=dict)  # path -> position of its mapping key
    problems: list[Problem] = field(default_factory=list)  # duplicate keys, bad tags...
    bad_values: set[tuple] = field(default_factory=set)  # paths of values reported in problems (kept as text)

    def location(self, path: tuple, *, key: bool = False) -> Location:
        """Position of ``path`` (its key when ``key``), else of its nearest known parent."""
        path = tuple(path)
        table = self.keys if key else self.values
        if path in table:
            return table[path]
        while path:
            path = path[:-1]
            if path in self.values:
                return self.values[path]
        return Location(self.file, 1, 1)


def read_text(path: str | os.PathLike, *, what: str = "file", regular_only: bool = False) -> tuple[str, str]:
    """Read a UTF-8 text file for parsing; returns (display name, text).

    Every way this can fail (missing, a directory, unreadable, too big, not
    UTF-8) is a ``UserError`` that says what to do. With ``regular_only`` (rule files, found by walking a
    folder) anything but a regular file (a FIFO, a device, a symlink to ``/dev/zero``) is refused before it
    is opened; otherwise a pipe (``<(...)``) is read, but never more than the size cap.
    """
    p = Path(path)
    name = str(path)
    at = Location(name, 1, 1)
    try:
        st = p.stat()
    except FileNotFoundError:
        raise UserError(Problem(f"no such {what}", at, hint="check the path")) from None
    except OSError as exc:
        raise UserError(Problem(f"cannot read the {what}: {exc.strerror}", at)) from None
    if stat.S_ISDIR(st.st_mode):
        raise UserError(Problem(f"is a directory, not a {what}", at, hint="name a YAML file inside it")) from None
    if not stat.S_ISREG(st.st_mode) and regular_only:
        raise UserError(Problem(f"is not a regular file (a device, a pipe or a socket), so it is not read as a "
                                f"{what}", at, hint="rule folders hold only *.yaml files; remove or rename it"))
    if st.st_size > MAX_BYTES:
        raise UserError(Problem(f"the {what} is {st.st_size / 1048576:.1f} MB, more than the {MAX_BYTES // 1048576} MB "
                                "advisor reads", at, hint="split it, or check that it is the right file"))
    try:
        with p.open("rb") as fh:  # at most one byte past the cap: /dev/zero or an endless pipe stops there
            raw = fh.read(MAX_BYTES + 1)
    except PermissionError:
        raise UserError(Problem(f"permission denied reading the {what}", at,
                                hint="make it readable (chmod +r) or run as its owner")) from None
    except OSError as exc:
        raise UserError(Problem(f"cannot read the {what}: {exc.strerror}", at)) from None
    return name, decode(raw, name)


def decode(raw: bytes, name: str) -> str:
    """UTF-8 (a BOM is allowed) or a ``UserError`` at the first bad byte."""
    if len(raw) > MAX_BYTES:
        raise UserError(Problem(f"the input is more than the {MAX_BYTES // 1048576} MB advisor reads",
                                Location(name, 1, 1)))
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        raise UserError(Problem(f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", Location(name, line, col),
                                expected="a UTF-8 text file", hint="re-save the file as UTF-8")) from None
    return text


def loads(text: str, name: str = "<string>") -> Document:
    """Parse one YAML document. Syntax errors raise ``UserError``; problems
    that do not stop reading (duplicate keys, forbidden tags) are collected in
    ``Document.problems`` so that a caller can report them with the rest.

    The cyclic garbage collector is paused meanwhile: composing creates many
    objects and no cycles that matter, and the collector's passes over them
    made parsing four times slower (2.1 s instead of 0.5 s for 300,000 nodes).
    """
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _loads(text, name)
    finally:
        if collecting:
            gc.enable()


_SEPARATORS = ",:-[{?\n"


def _loader_for(text: str):
    """The counting loader only when the text could hold more than ``MAX_NODES`` values.

    Every YAML node but the first follows one of ``,:-[{?`` or a line break, so their count bounds the
    number of nodes; below the cap the plain loader is enough, and saves a Python call per node (0.15 s on
    a 10,000-flow workload)."""
    bound = 1 + sum(text.count(c) for c in _SEPARATORS)
    return _Loader if bound > MAX_NODES else _BaseLoader


def _loads(text: str, name: str) -> Document:
    loader = _loader_for(text)(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        raise UserError(_syntax_problem(exc, name, text)) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors without marks
        raise UserError(Problem(f"not valid YAML: {exc}", Location(name, 1, 1))) from None
    except _TooManyNodes:
        raise UserError(Problem(f"the YAML holds more than {MAX_NODES:,} values", Location(name, 1, 1),
                                expected="a workload file of a sensible size",
                                hint="split it, or check that it is the right file")) from None
    except RecursionError:
        raise UserError(Problem(f"the YAML is nested too deeply (more than {MAX_DEPTH} levels)",
                                Location(name, 1, 1))) from None
    finally:
        loader.dispose()
    doc = Document(None, name)
    if node is not None:
        _check_size(node, name)
        builder = _Builder(doc)
        doc.data = builder.build(node, (), 0)
    return doc


def _check_size(root, name: str) -> None:
    """Refuse documents that nest too deep or whose aliases expand past
    ``MAX_NODES`` values, before building anything (sizes are memoised per
    node, so a billion-laughs document costs only its own few nodes)."""
    sizes: dict[int, int] = {}

    def size(node, depth: int) -> int:
        if depth > MAX_DEPTH:
            raise UserError(Problem(f"the YAML is nested more than {MAX_DEPTH} levels deep",
                                    _loc(name, node.start_mark), expected="a workload file's shallow structure"))
        if isinstance(node, yaml.ScalarNode):
            return 1
        known = sizes.get(id(node))
        if known is not None:
            return known
        children = node.value if isinstance(node, yaml.SequenceNode) else [n for kv in node.value for n in kv]
        total = 1 + sum(size(child, depth + 1) for child in children)
        if total > MAX_NODES:
            raise UserError(Problem(f"the YAML expands to more than {MAX_NODES:,} values (an alias bomb?)",
                                    _loc(name, node.start_mark), hint="do not nest aliases (*name) of aliases"))
        sizes[id(node)] = total
        return total

    size(root, 0)


def field_path(path: tuple) -> str:
    """``("flows", 0, "traffic", "peak")`` -> ``flows[0].traffic.peak``."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _loc(name: str, mark) -> Location:
    return Location(name, mark.line + 1, mark.column + 1)


def _syntax_problem(exc: yaml.MarkedYAMLError, name: str, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    loc = _loc(name, mark) if mark is not None else Location(name, 1, 1)
    what = (exc.problem or exc.context or "invalid YAML").strip()
    lines = text.splitlines()
    at_tab = mark is not None and mark.line < len(lines) and lines[mark.line][mark.column:mark.column + 1] == "\t"
    if at_tab or "'\\t'" in what:
        return Problem("a tab character is used for indentation", loc, expected="spaces",
                       hint="YAML indents with spaces only; replace the tabs")
    if "expected a single document" in what or "but found another document" in what:
        return Problem("the file holds more than one YAML document", loc, expected="exactly one document",
                       hint="remove the extra '---' separator")
    context = f" {exc.context}" if exc.context and exc.problem else ""
    return Problem(f"YAML syntax error: {what}{context}", loc, hint="check indentation, colons and quotes here")


class _Builder:
    """Turns composed nodes into plain data, recording positions."""

    def __init__(self, doc: Document):
        self.doc = doc

    def build(self, node, path: tuple, depth: int):
        doc = self.doc
        doc.values.setdefault(path, _loc(doc.file, node.start_mark))
        if isinstance(node, yaml.ScalarNode):
            return self._scalar(node, path)
        if isinstance(node, yaml.SequenceNode):
            self._check_tag(node, _STD + "seq", path)
            return [self.build(child, path + (i,), depth + 1) for i, child in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            self._check_tag(node, _STD + "map", path)
            return self._mapping(node, path, depth)
        raise AssertionError(f"unknown node {node!r}")  # pragma: no cover

    def _check_tag(self, node, expected: str, path: tuple) -> None:
        if node.tag != expected:
            self.doc.problems.append(Problem(f"the tag {_short_tag(node.tag)} is not allowed",
                                             _loc(self.doc.file, node.start_mark), field_path(path),
                                             expected="plain YAML values without tags"))

    def _scalar(self, node, path: tuple):
        tag = node.tag
        if tag not in _SCALAR_TAGS:
            self.doc.problems.append(Problem(f"the tag {_short_tag(tag)} is not allowed",
                                             _loc(self.doc.file, node.start_mark), field_path(path),
                                             expected="plain YAML values without tags",
                                             hint="remove the tag; advisor never constructs objects from YAML"))
            return node.value
        if tag == _STD + "str" or tag == _STD + "timestamp":
            return node.value
        if tag == _STD + "null":
            return None
        return self._typed(node, path, tag[len(_STD):])

    def _typed(self, node, path: tuple, kind: str):
        """An ``int``, ``float`` or ``bool`` scalar, implicit or tagged: a value that does not fit its tag
        (``!!int abc``, ``!!float ""``, ``!!bool maybe``) or a number too long to be a sensible value is a
        problem at its position, never an exception (the text is kept, so later checks see a string)."""
        value = node.value
        if kind != "bool" and len(value) > MAX_NUMBER_CHARS:
            self._bad_value(node, path, f"a number of {len(value):,} characters is too long",
                            f"a number of at most {MAX_NUMBER_CHARS} characters",
                            "check the value; no rate, duration or size needs so many digits")
            return value
        construct = {"bool": _constructor.construct_yaml_bool, "int": _constructor.construct_yaml_int,
                     "float": _constructor.construct_yaml_float}[kind]
        try:
            result = construct(node)
            if kind == "float" and not math.isfinite(result):  # .nan, .inf: no value of advisor's is either
                self._bad_value(node, path, f"{value!r} is not a finite number", "a finite number, e.g. 2.5",
                                "give the number itself")
                return value
            return result
        except (ValueError, IndexError, KeyError, TypeError, OverflowError):
            shown = value if len(value) <= 40 else value[:37] + "..."
            self._bad_value(node, path, f"{shown!r} is not a valid !!{kind}", _TAG_FORMS[kind],
                            f"fix the value, or remove the !!{kind} tag")
            return value

    def _bad_value(self, node, path: tuple, message: str, expected: str, hint: str) -> None:
        self.doc.bad_values.add(path)
        self.doc.problems.append(Problem(message, _loc(self.doc.file, node.start_mark), field_path(path),
                                         expected, hint))

    def _mapping(self, node, path: tuple, depth: int) -> dict:
        doc = self.doc
        out: dict = {}
        merges = []
        for key_node, value_node in node.value:
            if key_node.tag == _STD + "merge":
                merges.append(value_node)
                continue
            if not isinstance(key_node, yaml.ScalarNode):
                doc.problems.append(Problem("a mapping key must be a plain name", _loc(doc.file, key_node.start_mark),
                                            field_path(path),
                                            expected="a string key"))
                continue
            key = key_node.value if key_node.tag == _STD + "str" else str(self._scalar(key_node, path))
            key_loc = _loc(doc.file, key_node.start_mark)
            if key in out:
                first = doc.keys[path + (key,)]
                doc.problems.append(Problem(f"duplicate key '{key}' (first at line {first.line})", key_loc,
                                            field_path(path + (key,)),
                                            expected="each key once", hint="remove or rename one of them"))
                continue
            doc.keys[path + (key,)] = key_loc
            out[key] = self.build(value_node, path + (key,), depth + 1)
        for merge in merges:  # `<<: *defaults`: keys not given here come from the alias
            sources = merge.value if isinstance(merge, yaml.SequenceNode) else [merge]
            for src in sources:
                value = self.build(src, path, depth + 1)
                if not isinstance(value, dict):
                    doc.problems.append(Problem("a merge key '<<' must name a mapping", _loc(doc.file, src.start_mark),
                                                field_path(path), "'<<: *anchor' of a mapping"))
                    continue
                for k, v in value.items():
                    out.setdefault(k, v)
        return out


def _short_tag(tag: str) -> str:
    return "!!" + tag[len(_STD):] if tag.startswith(_STD) else tag


# --- YAML out --------------------------------------------------------------------------------------------------

class _Dumper(yaml.SafeDumper):
    """One dumper with fixed options: block style, no aliases, insertion order."""

    def ignore_aliases(self, data):  # noqa: D401 - PyYAML hook
        return True


def _str_representer(dumper, data: str):
    style = "|" if "\n" in data else None
    return dumper.represent_scalar(_STD + "str", data, style=style)


_Dumper.add_representer(str, _str_representer)


def dumps(data: Any, dumper: type[yaml.SafeDumper] = _Dumper) -> str:
    """Deterministic YAML text (keys in the order given; callers sort where they need to)."""
    return yaml.dump(data, Dumper=dumper, sort_keys=False, default_flow_style=False, allow_unicode=True, width=100)


# Plain text that reads back as the same string: starts with a letter, digit or one of ``_./``, and holds no
# ``: `` or `` #`` (PyYAML's resolver then tells true/null/numbers apart, checked per string below).
_PLAIN = re.compile(r"^[A-Za-z0-9_./(][A-Za-z0-9_ ./()+,;=<>%$'\-]*$")


def dumps_data(data: Any, *, sort_keys: bool = False) -> str:
    """Block-style YAML for plain data (dicts, lists, strings, numbers, booleans, None), written directly.

    The same content as :func:`dumps`, which goes through PyYAML's pure-Python representer and emitter at
    about 6 ms a flow: 10,000 flows took over a minute. Here each value is one string operation, and strings
    repeat (option names, rule ids), so each is quoted once. Strings that would not read back as themselves
    plain are written as JSON strings, which YAML reads as double-quoted scalars."""
    return "".join(yaml_lines(data, sort_keys=sort_keys))


def yaml_lines(data: Any, *, sort_keys: bool = False):
    """The text of :func:`dumps_data` line by line (with its newline), to write as it is made; ``sort_keys``
    orders every mapping without copying the data."""
    cache: dict = {}
    if isinstance(data, (dict, list, tuple)) and data:
        for line in _block(data, 0, cache, sort_keys):
            yield line + "\n"
    else:
        yield (_flow_empty(data) if isinstance(data, (dict, list, tuple)) else _scalar_text(data, cache)) + "\n"


def _flow_empty(value) -> str:
    return "{}" if isinstance(value, dict) else "[]"


def _block(value: Any, indent: int, cache: dict, sort: bool, lead: str | None = None):
    """The lines of a non-empty mapping or list at ``indent``; ``lead`` replaces the indent of the first line
    (``- `` when the value is an item of a list)."""
    pad = " " * indent
    first = pad if lead is None else lead
    if isinstance(value, dict):
        for k in (sorted(value) if sort else value):
            v = value[k]
            prefix, first = first, pad
            key = _scalar_text(k, cache)
            if isinstance(v, dict) and v:
                yield f"{prefix}{key}:"
                yield from _block(v, indent + 2, cache, sort)
            elif isinstance(v, (list, tuple)) and v:
                yield f"{prefix}{key}:"
                yield from _block(v, indent, cache, sort)  # a list under a key sits at the key's indent, as PyYAML
            else:
                text = _flow_empty(v) if isinstance(v, (dict, list, tuple)) else _scalar_text(v, cache)
                yield f"{prefix}{key}: {text}"
        return
    for item in value:
        prefix, first = first, pad
        if isinstance(item, (dict, list, tuple)) and item:
            yield from _block(item, indent + 2, cache, sort, prefix + "- ")
        else:
            text = _flow_empty(item) if isinstance(item, (dict, list, tuple)) else _scalar_text(item, cache)
            yield f"{prefix}- {text}"


def _scalar_text(value: Any, cache: dict) -> str:
    key = (value.__class__, value)
    text = cache.get(key)
    if text is None:
        if value is None:
            text = "null"
        elif value is True or value is False:
            text = "true" if value else "false"
        elif isinstance(value, int):
            text = str(value)
        elif isinstance(value, float):
            text = _FLOAT_DUMPER.represent_float(value).value
        else:
            value = str(value)
            plain = (_PLAIN.match(value) is not None and not value.endswith(" ")
                     and _RESOLVER.resolve(yaml.ScalarNode, value, (True, False)) == _STD + "str")
            text = value if plain else json.dumps(value, ensure_ascii=False)
        cache[key] = text
    return text


_RESOLVER = yaml.resolver.Resolver()
_FLOAT_DUMPER = yaml.SafeDumper(None)
