"""The knowledge advisor reasons with, as data: decisions and their options, fixed AWS limits, integrations.

Three files under ``advisor/data`` are the one home of these facts; everything else reads them from here:

- ``decisions.yaml``: the six decisions, each option in tie-break order with its attributes (label, the
  resources it creates, how a channel delivers, its ordering, the limit on its message size, the entry it gives
  a downstream flow, ...);
- ``limits.yaml``: fixed AWS limits (Lambda's 900 s, Express's 300 s, 5 targets per rule, ...), each with its
  unit and source. Rules name them (``value: {limit: lambda_timeout}``, ``{limit.lambda_timeout}`` in a
  sentence); Python calls :func:`limit`;
- ``integrations.yaml``: for each resource type its CloudFormation type, and the integrations AWS offers from
  it (kind, Lambda's model, sync/async, documentation), with the valid substitute where a direct one does not
  exist.

The files are parsed once per process, lazily, with libyaml when it is there.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Mapping

from .resources import read_data as _read


# -- decisions ----------------------------------------------------------------------------------------------------

@lru_cache(maxsize=1)
def decisions() -> dict[str, dict[str, dict[str, Any]]]:
    """decision -> option -> attributes, both in the file's order (decisions in the order they are made,
    options in tie-break order)."""
    return {name: dict(d["options"]) for name, d in _read("decisions.yaml")["decisions"].items()}


def decision_options() -> dict[str, tuple[str, ...]]:
    return {name: tuple(opts) for name, opts in decisions().items()}


def option(decision: str, name: str) -> Mapping[str, Any]:
    """The attributes of one option; KeyError names what is unknown."""
    try:
        return decisions()[decision][name]
    except KeyError:
        raise KeyError(f"{decision}: {name} is not in decisions.yaml") from None


def label(decision: str, name: str) -> str:
    """How a sentence names an option ("an SNS topic", "Step Functions Express")."""
    return option(decision, name)["label"]


def short(decision: str, name: str) -> str:
    """How a diagram or table names an option."""
    return option(decision, name)["short"]


def options_where(decision: str, **attrs: Any) -> tuple[str, ...]:
    """The options of ``decision`` whose attributes have the given values, e.g.
    ``options_where("channel", fan_out=True)``; a list attribute matches when it contains the value."""
    out = []
    for name, a in decisions()[decision].items():
        if all(a.get(k) == v or (isinstance(a.get(k), list) and v in a[k]) for k, v in attrs.items()):
            out.append(name)
    return tuple(out)


# -- limits -------------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Limit:
    name: str
    value: float
    unit: str
    what: str
    source: str


@lru_cache(maxsize=1)
def limits() -> dict[str, Limit]:
    return {name: Limit(name, d["value"], d["unit"], d["what"], d["source"])
            for name, d in _read("limits.yaml")["limits"].items()}


def limit(name: str) -> float:
    """The value of a fixed AWS limit by name (``limit("lambda_timeout")`` is 900)."""
    try:
        return limits()[name].value
    except KeyError:
        raise KeyError(f"{name} is not a limit in limits.yaml") from None


# -- integrations -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Integration:
    source: str
    target: str
    kind: str
    model: str
    mode: str
    ref: str  # the AWS documentation page


@lru_cache(maxsize=1)
def _integrations() -> dict:
    return _read("integrations.yaml")


def node_types() -> dict[str, dict[str, Any]]:
    """Resource type -> {cfn, label}."""
    return _integrations()["nodes"]


def cfn_type(node_type: str) -> str | None:
    return _integrations()["nodes"][node_type]["cfn"]


@lru_cache(maxsize=None)
def integration(source: str, target: str, *, mode: str | None = None) -> Integration | None:
    """How a resource of type ``source`` delivers to one of type ``target``; None when AWS offers no direct
    integration. ``mode="async"`` picks the asynchronous form where the integration has both."""
    data = _integrations()
    entry = data["edges"].get(source, {}).get(target)
    if entry is None:
        return None
    if mode is not None and mode != entry["mode"] and "async" in entry and mode == entry["async"]["mode"]:
        entry = {**entry, **entry["async"]}
    return Integration(source, target, entry["kind"], entry["model"], entry["mode"], data["refs"][entry["ref"]])


def integrations() -> list[Integration]:
    """Every integration of the catalog (each asynchronous variant too)."""
    out = []
    for source, targets in _integrations()["edges"].items():
        for target, entry in targets.items():
            out.append(integration(source, target))
            if "async" in entry:
                out.append(integration(source, target, mode=entry["async"]["mode"]))
    return out


def substitute(source: str, target: str) -> tuple[str, str] | None:
    """Where ``source`` cannot deliver to ``target`` directly: (the type placed between them, why)."""
    for s in _integrations()["substitutes"]:
        if s["from"] == source and s["to"] == target:
            return s["via"], s["why"]
    return None
