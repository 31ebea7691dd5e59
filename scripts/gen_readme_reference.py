#!/usr/bin/env python3
"""Regenerate the README's workload file reference from the JSON Schema.

Usage: python scripts/gen_readme_reference.py [--check]

The section between the markers ``<!-- reference:start -->`` and
``<!-- reference:end -->`` is replaced by tables built from
advisor/schemas/workload.schema.json, so the README and the schema cannot
drift (tests/test_readme.py runs this with --check).
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
START, END = "<!-- reference:start -->", "<!-- reference:end -->"


def _type(sch: dict) -> str:
    if "const" in sch:
        return f"`{sch['const']}`"
    if "$ref" in sch:
        return sch["$ref"].rsplit("/", 1)[-1]
    if "enum" in sch:
        return "one of " + ", ".join(f"`{x}`" for x in sch["enum"])
    if sch.get("type") == "array":
        items = sch["items"]
        if "$ref" in items:
            return "list of " + items["$ref"].rsplit("/", 1)[-1]
        kinds = items.get("type", "string")
        if isinstance(kinds, list):  # e.g. a step: its name, or a mapping with its own fields
            fields = ", ".join(items.get("properties", {}))
            return "list of " + " or ".join(f"{{{fields}}}" if k == "object" and fields else k for k in kinds)
        return "list of " + kinds
    t = sch.get("type", "")
    return " or ".join(t) if isinstance(t, list) else t


def _rows(props: dict, required: list, prefix: str = "") -> list[str]:
    out = []
    for name, sch in props.items():
        if sch.get("type") == "object" and "properties" in sch:
            out += _rows(sch["properties"], [], f"{prefix}{name}.")
            continue
        out.append(f"| `{prefix}{name}` | {_type(sch)} | {'yes' if name in required else ''} | "
                   f"{sch.get('description', '')} |")
    return out


def render() -> str:
    schema = json.loads((ROOT / "advisor" / "schemas" / "workload.schema.json").read_text(encoding="utf-8"))
    head = ["| field | type | required | meaning |", "|---|---|---|---|"]
    flow = schema["$defs"]["flow"]
    lines = [START, "", "Top level:", ""] + head + _rows(schema["properties"], schema["required"])
    lines += ["", "Each flow:", ""] + head + _rows(flow["properties"], flow["required"])
    lines += ["", "Value formats:", ""]
    for name in ("slug", "rate", "duration", "size"):
        lines.append(f"- *{name}*: {schema['$defs'][name]['description']}.")
    lines += ["", END]
    return "\n".join(lines)


def main() -> int:
    readme = ROOT / "README.md"
    text = readme.read_text(encoding="utf-8")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    new = before + render() + after
    if "--check" in sys.argv:
        if new != text:
            print("README.md's workload reference is out of date: run python scripts/gen_readme_reference.py")
            return 1
        return 0
    readme.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
