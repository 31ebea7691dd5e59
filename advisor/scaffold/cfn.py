"""CloudFormation intrinsics as small typed objects, and YAML in and out.

Generated templates are built as plain dicts whose intrinsic values are
:class:`Intrinsic` objects. The dumper writes them in the short form SAM
users read (``!Ref X``, ``!GetAtt X.Arn``, ``!Sub ...``); user text only ever
reaches the output as a YAML scalar written by PyYAML, never by gluing
strings, so a workload description cannot inject YAML. The loader does the
reverse (short tags -> objects) for template fragments, and
:func:`to_long_form` produces the ``{"Ref": ...}`` / ``{"Fn::...": ...}``
dicts that the SAM translator and cfn-lint want.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml

# short tag -> long-form key
_FUNCTIONS = {
    "Ref": "Ref",
    "GetAtt": "Fn::GetAtt",
    "Sub": "Fn::Sub",
    "Join": "Fn::Join",
    "If": "Fn::If",
    "Select": "Fn::Select",
    "Split": "Fn::Split",
    "Equals": "Fn::Equals",
    "Not": "Fn::Not",
    "And": "Fn::And",
    "Or": "Fn::Or",
    "GetAZs": "Fn::GetAZs",
    "ImportValue": "Fn::ImportValue",
    "Base64": "Fn::Base64",
    "Condition": "Condition",
}


_SHORT_TAGS = frozenset("!" + name for name in _FUNCTIONS)


@dataclass(frozen=True)
class Intrinsic:
    """One intrinsic function call: its short name and its argument."""

    fn: str
    value: Any

    def __post_init__(self) -> None:
        if self.fn not in _FUNCTIONS:
            raise ValueError(f"unknown intrinsic {self.fn!r}")


def Ref(name: str) -> Intrinsic:  # noqa: N802 - mirrors CloudFormation's spelling
    return Intrinsic("Ref", name)


def GetAtt(resource: str, attribute: str) -> Intrinsic:  # noqa: N802
    return Intrinsic("GetAtt", f"{resource}.{attribute}")


def Sub(text: str, variables: dict | None = None) -> Intrinsic:  # noqa: N802
    return Intrinsic("Sub", text if variables is None else [text, variables])


def Join(sep: str, items: list) -> Intrinsic:  # noqa: N802
    return Intrinsic("Join", [sep, items])


def If(cond: str, yes: Any, no: Any) -> Intrinsic:  # noqa: N802
    return Intrinsic("If", [cond, yes, no])


def stack_suffix() -> Intrinsic:
    """8 lowercase hex characters unique to the stack (the first group of its id's UUID): a name built with
    it differs between two stacks of the same app, and after a delete and redeploy."""
    return Intrinsic("Select", [0, Intrinsic("Split", ["-", Intrinsic("Select", [
        2, Intrinsic("Split", ["/", Ref("AWS::StackId")])])])])


def Equals(a: Any, b: Any) -> Intrinsic:  # noqa: N802
    return Intrinsic("Equals", [a, b])


def Not(cond: Any) -> Intrinsic:  # noqa: N802
    return Intrinsic("Not", [cond])


# ---------------------------------------------------------------------------
# dumping


class _Dumper(yaml.SafeDumper):
    """SafeDumper that writes intrinsics as short tags and never uses aliases."""

    def ignore_aliases(self, data: Any) -> bool:  # noqa: D102 - PyYAML hook
        return True

    def choose_scalar_style(self):  # noqa: D102 - PyYAML hook
        # PyYAML quotes every scalar with an explicit tag ("!Ref 'Foo'"); allow the plain
        # style where the scalar's own analysis permits it, as hand-written SAM does.
        event = self.event
        if isinstance(event, yaml.ScalarEvent) and event.style is None and event.tag in _SHORT_TAGS \
                and event.value:
            self.event = yaml.ScalarEvent(event.anchor, event.tag, (True, event.implicit[1]), event.value,
                                          event.start_mark, event.end_mark, event.style)
            try:
                return super().choose_scalar_style()
            finally:
                self.event = event
        return super().choose_scalar_style()


def _represent_intrinsic(dumper: _Dumper, data: Intrinsic) -> yaml.Node:
    tag = "!" + data.fn
    value = data.value
    if isinstance(value, str):
        return dumper.represent_scalar(tag, value)
    if isinstance(value, list):
        return dumper.represent_sequence(tag, value, flow_style=False)
    if isinstance(value, dict):
        return dumper.represent_mapping(tag, value)
    return dumper.represent_scalar(tag, str(value))


def _represent_str(dumper: _Dumper, data: str) -> yaml.Node:
    # multi-line strings as literal blocks: readable and still exact
    if "\n" in data and all(c.isprintable() or c == "\n" for c in data) and not data[:1].isspace() \
            and not any(line != line.rstrip() for line in data.split("\n")):
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(Intrinsic, _represent_intrinsic)
_Dumper.add_representer(str, _represent_str)

# readable top-level order, then anything else alphabetically
SECTION_ORDER = ("AWSTemplateFormatVersion", "Transform", "Description", "Metadata", "Parameters", "Mappings",
                 "Conditions", "Globals", "Resources", "Outputs")
# readable order inside a resource
_RESOURCE_ORDER = ("Type", "Condition", "DependsOn", "DeletionPolicy", "UpdateReplacePolicy", "Metadata",
                   "Properties")


def _sorted(node: Any, top: bool = False, resource: bool = False) -> Any:
    """Deterministic key order: fixed sections first, everything else sorted."""
    if isinstance(node, dict):
        order = SECTION_ORDER if top else _RESOURCE_ORDER if resource else ()
        keys = sorted(node, key=lambda k: (order.index(k) if k in order else len(order), str(k)))
        out = {}
        for k in keys:
            child_is_resource_map = top and k == "Resources"
            value = node[k]
            if child_is_resource_map and isinstance(value, dict):
                out[k] = {rk: _sorted(rv, resource=True) for rk, rv in sorted(value.items())}
            else:
                out[k] = _sorted(value)
        return out
    if isinstance(node, list):
        return [_sorted(v) for v in node]
    if isinstance(node, Intrinsic):
        return Intrinsic(node.fn, _sorted(node.value))
    return node


def dump_template(template: dict) -> str:
    """The template as YAML text: short-form intrinsics, deterministic order."""
    return yaml.dump(_sorted(template, top=True), Dumper=_Dumper, sort_keys=False, default_flow_style=False,
                     allow_unicode=True, width=120)


# ---------------------------------------------------------------------------
# loading


class _Loader(yaml.SafeLoader):
    """SafeLoader that turns short tags into :class:`Intrinsic` objects."""


def _construct_intrinsic(loader: _Loader, suffix: str, node: yaml.Node) -> Intrinsic:
    if suffix not in _FUNCTIONS:
        raise yaml.constructor.ConstructorError(None, None, f"unknown tag !{suffix}", node.start_mark)
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt" and isinstance(value, str) and "." not in value:
            raise yaml.constructor.ConstructorError(None, None, "!GetAtt needs Resource.Attribute", node.start_mark)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return Intrinsic(suffix, value)


_Loader.add_multi_constructor("!", _construct_intrinsic)


def load_template(text: str) -> dict:
    """Parse YAML with short-form intrinsics into dicts and :class:`Intrinsic` objects."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass


# ---------------------------------------------------------------------------
# conversions


def to_long_form(node: Any) -> Any:
    """Plain JSON-able data with ``{"Ref": ...}`` / ``{"Fn::X": ...}`` intrinsics."""
    if isinstance(node, Intrinsic):
        value = to_long_form(node.value)
        if node.fn == "GetAtt" and isinstance(value, str):
            value = value.split(".", 1)
        return {_FUNCTIONS[node.fn]: value}
    if isinstance(node, dict):
        return {k: to_long_form(v) for k, v in node.items()}
    if isinstance(node, list):
        return [to_long_form(v) for v in node]
    return node


def walk(node: Any):
    """Every value in a template tree, intrinsics included (depth first)."""
    yield node
    if isinstance(node, Intrinsic):
        yield from walk(node.value)
    elif isinstance(node, dict):
        for v in node.values():
            yield from walk(v)
    elif isinstance(node, list):
        for v in node:
            yield from walk(v)
