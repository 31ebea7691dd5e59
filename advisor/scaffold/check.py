"""A fast structural self-check of generated files, run by render() every time.

It catches what no offline validator does (sam-validation.md §8b) and what
would only fail at deploy: references to resources that do not exist,
``${...}`` in ``!Sub`` that name nothing, ASL transitions to missing
states, substitutions the definition uses but the template doesn't pass,
and code paths the template points at that were not generated.
"""
from __future__ import annotations

import json
import re

import yaml

from . import asl
from .cfn import Intrinsic, load_template, walk

_SUB_VAR = re.compile(r"\$\{([^}!][^}]*)\}")


def _names_in_sub(value) -> list[str]:
    text = value[0] if isinstance(value, list) else value
    local = set(value[1]) if isinstance(value, list) and len(value) > 1 and isinstance(value[1], dict) else set()
    return [m.split(".")[0] for m in _SUB_VAR.findall(text) if m.split(".")[0] not in local]


def self_check(files: dict[str, bytes]) -> list[str]:
    """Problems found in the generated files, as sentences (empty when all is well)."""
    problems: list[str] = []
    if "template.yaml" not in files:
        return ["template.yaml is missing"]
    try:
        template = load_template(files["template.yaml"].decode())
    except yaml.YAMLError as exc:
        return [f"template.yaml does not parse: {exc}"]
    resources = template.get("Resources") or {}
    known = set(resources) | set(template.get("Parameters") or {})
    for logical_id, resource in resources.items():
        if not re.fullmatch(r"[A-Za-z0-9]+", logical_id):
            problems.append(f"logical id {logical_id!r} is not alphanumeric")
        if resource.get("Type", "").startswith("AWS::Serverless::") and "Properties" not in resource:
            problems.append(f"{logical_id} has no Properties (checkov's Globals merge needs it)")
        for node in walk(resource):
            if not isinstance(node, Intrinsic):
                continue
            if node.fn == "Ref":  # SAM also resolves <Api>.Stage, <Function>.Alias
                names = [node.value.split(".")[0] if isinstance(node.value, str) else node.value]
            elif node.fn == "GetAtt":
                names = [node.value.split(".")[0] if isinstance(node.value, str) else node.value[0]]
            elif node.fn == "Sub":
                names = _names_in_sub(node.value)
            else:
                continue
            for name in names:
                if isinstance(name, str) and not name.startswith("AWS::") and name not in known:
                    problems.append(f"{logical_id}: !{node.fn} names {name!r}, which is not a resource or parameter")
        props = resource.get("Properties") or {}
        for key in ("CodeUri", "ContentUri", "DefinitionUri"):
            uri = props.get(key)
            if isinstance(uri, str) and not uri.startswith("s3://"):
                folder = uri.rstrip("/").removeprefix("./").removeprefix(".")
                if key in ("CodeUri", "ContentUri") and not any(f.startswith(folder + "/") or not folder
                                                                for f in files):
                    problems.append(f"{logical_id}: {key} {uri} has no generated code")
                if key == "DefinitionUri":
                    if uri not in files:
                        problems.append(f"{logical_id}: DefinitionUri {uri} was not generated")
                        continue
                    text = files[uri].decode()
                    subs = set((props.get("DefinitionSubstitutions") or {}))
                    for name in sorted(set(_SUB_VAR.findall(text))):
                        if name not in subs:
                            problems.append(f"{uri}: ${{{name}}} is not in {logical_id}'s DefinitionSubstitutions")
    for path, content in sorted(files.items()):
        if path.endswith(".asl.json"):
            try:
                definition = json.loads(content)
            except ValueError as exc:
                problems.append(f"{path} is not JSON: {exc}")
                continue
            problems.extend(asl.check(definition, path))
    return problems
