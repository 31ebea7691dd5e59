"""A small, fast checker for the JSON Schema keywords advisor's own schemas use.

Why not ``jsonschema`` at run time: importing it costs about 65 ms, twice
the whole start-up budget of ``advisor validate`` (issue: within 3x of
``python -c "import yaml"``). The schemas stay the single source of truth:
this module interprets them, a test checks that they use no keyword outside
``SUPPORTED``, and a parity test checks that it accepts exactly what
``jsonschema`` (Draft 2020-12) accepts on the good and bad corpus. In return
its messages are written for people: the value, what was expected (the
schema's own description), and a "did you mean" for near-miss keys and enum
values.
"""
from __future__ import annotations

import difflib
import heapq
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "default", "examples", "$comment"}
SUPPORTED = ANNOTATIONS | {"$ref", "type", "enum", "const", "pattern", "minLength", "maxLength", "minimum",
                           "exclusiveMinimum", "maximum", "minItems", "maxItems", "uniqueItems", "items",
                           "properties", "required", "additionalProperties"}

_TYPE_NAMES = {"string": "text", "integer": "a whole number", "number": "a number", "boolean": "true or false",
               "object": "a mapping of keys", "array": "a list", "null": "nothing"}
_IS_NAMES = {**_TYPE_NAMES, "boolean": "a yes/no value"}  # "true is true or false" read oddly


@dataclass(frozen=True)
class Issue:
    path: tuple
    message: str
    expected: str | None = None
    hint: str | None = None
    at_key: bool = False  # point at the key rather than its value


def json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def describe(value: Any) -> str:
    """A value as a user wrote it, shortened."""
    t = json_type(value)
    if t == "object":
        return "a mapping"
    if t == "array":
        return "a list"
    text = repr(value) if t == "string" else str(value).lower() if t == "boolean" else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def did_you_mean(word: str, choices) -> str | None:
    """``did you mean 'x'?`` for the closest of ``choices`` (a list, or a :class:`NameIndex` for many names),
    or None."""
    if isinstance(choices, NameIndex):
        candidates = choices.candidates(str(word))
    else:
        candidates = [str(c) for c in choices]
        if len(candidates) > NameIndex.DIRECT:
            candidates = NameIndex(candidates).candidates(str(word))
    close = difflib.get_close_matches(str(word)[:NameIndex.LONGEST], candidates, n=1, cutoff=0.6)
    return f"did you mean '{close[0]}'?" if close else None


class NameIndex:
    """Names indexed by their three-letter pieces, so that a suggestion among 10,000 names (a flow's
    ``after:`` naming no flow, for each of thousands of flows) looks at a bounded number of likely names
    instead of comparing with every one: the word's rarest pieces first, at most ``BUDGET`` index entries
    and ``SHORTLIST`` candidates per word, whatever the file's size (the index itself is linear in the
    names)."""

    DIRECT = 200  # up to this many names, compare with each (difflib is quick enough)
    BUDGET = 256  # index entries looked at per word
    SHORTLIST = 8
    LONGEST = 200  # characters of a word or name considered

    def __init__(self, names):
        self.names = [str(n) for n in names]
        self.listed = ""  # the names as a message shows them (set by the user of the index)
        self.grams: dict[str, list[str]] = {}
        if len(self.names) > self.DIRECT:
            for name in self.names:
                for gram in self._grams(name):
                    self.grams.setdefault(gram, []).append(name)

    def __len__(self) -> int:
        return len(self.names)

    @classmethod
    def _grams(cls, word: str) -> set[str]:
        padded = f"^{word[:cls.LONGEST]}$"
        return {padded[i:i + 3] for i in range(max(1, len(padded) - 2))}

    def candidates(self, word: str) -> list[str]:
        if len(self.names) <= self.DIRECT:
            return self.names
        buckets = sorted((self.grams[g] for g in self._grams(word) if g in self.grams), key=len)
        shared: dict[str, int] = {}
        budget = self.BUDGET
        for bucket in buckets:
            for name in bucket[:budget]:
                shared[name] = shared.get(name, 0) + 1
            budget -= len(bucket)
            if budget <= 0:
                break
        return heapq.nsmallest(self.SHORTLIST, shared, key=lambda n: (-shared[n], n))


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: true is not 1 (Python says it is), 1.0 is 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    return a == b


@lru_cache(maxsize=None)
def _regex(pattern: str) -> re.Pattern:
    return re.compile(pattern)


class Checker:
    """Walks a schema and a value together and collects every issue."""

    def __init__(self, schema: dict):
        self.root = schema
        self._resolved: dict[int, tuple[dict, str | None]] = {}  # id(schema) -> _resolve(schema), schemas live on

    def check(self, value: Any) -> list[Issue]:
        issues: list[Issue] = []
        self._check(self.root, value, (), issues, None)
        return issues

    def _resolve(self, schema: dict) -> tuple[dict, str | None]:
        label = None
        while "$ref" in schema:
            ref = schema["$ref"]
            if not ref.startswith("#/"):
                raise ValueError(f"only local $ref is supported: {ref}")
            target: Any = self.root
            for part in ref[2:].split("/"):
                target = target[part]
            label = label or target.get("description")
            rest = {k: v for k, v in schema.items() if k != "$ref"}
            schema = {**target, **rest}
        return schema, label

    def _check(self, schema: dict, value: Any, path: tuple, out: list[Issue], label: str | None) -> None:
        resolved = self._resolved.get(id(schema))
        if resolved is None:
            resolved = self._resolved[id(schema)] = self._resolve(schema)
        schema, ref_label = resolved
        label = ref_label or label
        t = json_type(value)

        if "const" in schema and not _equal(value, schema["const"]):
            out.append(Issue(path, f"{describe(value)} is not supported", f"{schema['const']!r}"))
            return
        if "enum" in schema and not any(_equal(value, choice) for choice in schema["enum"]):
            choices = schema["enum"]
            out.append(Issue(path, f"{describe(value)} is not one of the choices",
                             "one of " + ", ".join(map(str, choices)),
                             did_you_mean(value, choices) if t == "string" else None))
            return
        if "type" in schema:
            types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
            ok = t in types or (t == "integer" and "number" in types) or (
                t == "number" and "integer" in types and value.is_integer())  # 2.0 is an integer in JSON Schema
            if not ok:
                wanted = " or ".join(_TYPE_NAMES[x] for x in types)
                what = ("no value is given" if t == "null" else f"{describe(value)} is given" if t in ("object", "array")
                        else f"{describe(value)} is {_IS_NAMES.get(t, t)}")
                out.append(Issue(path, what, label or wanted))
                return

        if t in ("integer", "number"):
            if "exclusiveMinimum" in schema and not value > schema["exclusiveMinimum"]:
                out.append(Issue(path, f"{describe(value)} is too small",
                                 label or f"more than {schema['exclusiveMinimum']}"))
            if "minimum" in schema and not value >= schema["minimum"]:
                out.append(Issue(path, f"{describe(value)} is too small", f"{schema['minimum']} or more"))
            if "maximum" in schema and not value <= schema["maximum"]:
                out.append(Issue(path, f"{describe(value)} is too large", f"{schema['maximum']} or less"))
        elif t == "string":
            if "minLength" in schema and len(value) < schema["minLength"]:
                out.append(Issue(path, "is empty" if not value else f"{describe(value)} is too short",
                                 label or f"at least {schema['minLength']} characters"))
            elif "maxLength" in schema and len(value) > schema["maxLength"]:
                out.append(Issue(path, f"{describe(value)} is too long", f"at most {schema['maxLength']} characters"))
            if "pattern" in schema and not _regex(schema["pattern"]).search(value):
                out.append(Issue(path, f"cannot read {describe(value)}", label or f"text matching {schema['pattern']}"))
        elif t == "array":
            if "minItems" in schema and len(value) < schema["minItems"]:
                out.append(Issue(path, "the list is empty" if not value else "the list is too short",
                                 label or f"at least {schema['minItems']} item(s)"))
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                out.append(Issue(path, "the list is too long", f"at most {schema['maxItems']} items"))
            if schema.get("uniqueItems"):
                seen: list = []
                for i, item in enumerate(value):
                    if item in seen:
                        out.append(Issue(path + (i,), f"{describe(item)} is listed twice", "each item once"))
                    else:
                        seen.append(item)
            if "items" in schema:
                for i, item in enumerate(value):
                    self._check(schema["items"], item, path + (i,), out, None)
        elif t == "object":
            props = schema.get("properties", {})
            for key in schema.get("required", ()):
                if key not in value:
                    out.append(Issue(path, f"the required key '{key}' is missing",
                                     props.get(key, {}).get("description") and
                                     f"'{key}': {props[key]['description']}"))
            for key, item in value.items():
                if key in props:
                    self._check(props[key], item, path + (key,), out, None)
                elif schema.get("additionalProperties") is False:
                    out.append(Issue(path + (key,), f"unknown key '{key}'",
                                     "one of " + ", ".join(props), did_you_mean(key, props), at_key=True))


def unsupported_keywords(schema: Any, path: str = "#") -> list[str]:
    """Keywords in ``schema`` that :class:`Checker` does not interpret (for tests)."""
    found: list[str] = []
    if isinstance(schema, dict):
        for key, sub in schema.items():
            if key not in SUPPORTED:
                found.append(f"{path}/{key}")
            if key in ("properties", "$defs"):
                for name, s in sub.items():
                    found += unsupported_keywords(s, f"{path}/{key}/{name}")
            elif key == "items":
                found += unsupported_keywords(sub, f"{path}/items")
    return found
