"""The settings the architecture model sized (advisor/architecture.py, ``size_*``), as the scaffold reads them.

The scaffold computes no size of its own: a function's timeout, an event source mapping's batch size and
maximum concurrency, a queue's visibility timeout, a stream's shard count and an API destination's rate are
the model's node and edge settings. Each resource built from a model node carries its id in
``Metadata.advisor.node`` so that a reader (and tests/test_architecture.py) can tell which one it is.
"""
from __future__ import annotations

from typing import Any, Mapping

from ..errors import TemplateError


class ModelSettings:
    def __init__(self, model: Mapping[str, Any]) -> None:
        self.nodes: dict[str, Mapping[str, Any]] = {n["id"]: n for n in model.get("nodes") or ()}
        self.esm_into: dict[str, Mapping[str, Any]] = {}
        for e in model.get("edges") or ():
            if e.get("kind") == "esm":
                self.esm_into.setdefault(e["to"], e)

    def node(self, node_id: str | None) -> Mapping[str, Any]:
        """The settings of a node; empty for what the model does not have (a resource beside its topology)."""
        found = self.nodes.get(node_id or "")
        return found["settings"] if found else {}

    def setting(self, node_id: str, name: str) -> Any:
        value = self.node(node_id).get(name)
        if value is None:
            raise TemplateError(f"the architecture model has no {name} for {node_id} (a bug in advisor)")
        return value

    def esm(self, function_node: str) -> tuple[str, Mapping[str, Any]]:
        """The event source mapping that feeds a function: its source node and its settings."""
        edge = self.esm_into.get(function_node)
        if edge is None:
            raise TemplateError(f"the architecture model reads nothing into {function_node} (a bug in advisor)")
        return edge["from"], edge.get("settings") or {}


def tag(resource: dict, node_id: str) -> None:
    """Record in a resource's Metadata the model node it is built from."""
    resource.setdefault("Metadata", {}).setdefault("advisor", {})["node"] = node_id
