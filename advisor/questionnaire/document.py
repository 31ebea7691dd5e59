"""Answers without asking (flags, answers files, defaults) and the commented workload file."""
from __future__ import annotations

from typing import Any, Callable, Mapping

import yaml

from ..errors import Location, Problem, UserError
from .questions import FLOW_BY_KEY, FLOW_QUESTIONS, GROUP_COMMENTS, TOP_BY_KEY, schema_id, show
from .session import Session, Slot

# --- without asking ---------------------------------------------------------------------------------------------

def _field(index: int | None, key: str) -> str:
    return key if index is None else f"flows[{index}].{key}"


def preset(session: Session, data: Mapping[str, Any], where: Callable[[tuple], Location | None] = lambda p: None,
           ) -> list[Problem]:
    """Put answers (``{"name": ..., "flows": [{key: value}]}``, keys already flat) into a
    session as given, unchecked: :meth:`Session.pending` checks them in order.
    Returns the problems found now: unknown keys."""
    from ..schemacheck import did_you_mean

    problems = []
    for key, value in data.items():
        if key == "flows":
            continue
        if key in TOP_BY_KEY:
            session.set(("top", key), value, record=False)
        else:
            problems.append(Problem(f"unknown answer '{key}'", where((key,)), key,
                                    "one of: " + ", ".join([*TOP_BY_KEY, "flows"]),
                                    did_you_mean(key, [*TOP_BY_KEY, "flows"])))
    flows = data.get("flows") or []
    from ..limits import INIT_FLOWS

    if isinstance(flows, list) and len(flows) > INIT_FLOWS:  # each answer is checked against those before it
        raise UserError(problems + [Problem(f"{len(flows):,} flows are more than the {INIT_FLOWS:,} advisor init takes",
                                   where(("flows",)), "flows", f"at most {INIT_FLOWS:,} flows",
                                   "write a workload this large as YAML directly and check it with "
                                   "'advisor validate'")])
    for i, f in enumerate(flows):
        if i >= len(session.flows):
            session.add_flow()
        for key, value in f.items():
            if key in FLOW_BY_KEY:
                session.set(("flow", i, key), value, record=False)
            else:
                problems.append(Problem(f"unknown answer '{key}'", where(("flows", i, key)), _field(i, key),
                                        "one of: " + ", ".join(FLOW_BY_KEY), did_you_mean(key, list(FLOW_BY_KEY))))
    if flows:
        session.more[-1] = None
    return problems


def complete(data: Mapping[str, Any], *, use_defaults: bool, suggested_name: str = "my-system",
             where: Callable[[tuple], Location | None] = lambda p: None) -> dict[str, Any]:
    """Answers without asking (``--non-interactive``, ``--defaults``): given answers are
    checked in question order, the others take their defaults; without ``use_defaults``
    the essential ones (system name; per flow: name, trigger, duration) must be given.
    Raises ``UserError`` with every problem."""
    session = Session(suggested_name)
    problems = preset(session, data, where)
    given = set(_all_slots(session))
    handled: set[Slot] = set()
    while (slot := session.pending()) is not None:
        q, ctx = session.question(slot)
        if slot in handled:  # its default does not fit either: report it and stop here
            problems.append(Problem(f"no answer fits by default: {session.stale.get(slot, 'not answered')}",
                                    field=_field(slot[1] if slot[0] == "flow" else None, slot[-1]),
                                    hint="give this answer explicitly"))
            break
        handled.add(slot)
        if q is None:
            session.set(slot, False)
            continue
        path = ("flows", slot[1], *slot[2].split(".")) if slot[0] == "flow" else (slot[1],)
        name = _field(slot[1] if slot[0] == "flow" else None, slot[-1])
        if slot in session.stale:
            bad = session.previous.get(slot)
            problems.append(Problem(f"{show(bad)!r} is not a valid answer: {session.stale[slot]}", where(path), name))
        elif q.required and not use_defaults:
            problems.append(Problem(f"no answer to '{q.prompt}' ({q.help})", where(path), name,
                                    hint="give it in the answers file or with --set KEY=VALUE, or use --defaults"))
        session.set(slot, session.default(slot))
    for slot in sorted(given, key=str):
        if slot[0] == "flow" and slot[1] < len(session.flows):
            ctx = session.ctx(slot[1])
            q = FLOW_BY_KEY[slot[2]]
            if not q.applies(ctx):
                problems.append(Problem(f"'{slot[2]}' does not apply to this flow"
                                        f" (trigger '{ctx.trigger}', {len(ctx.steps)} step(s))",
                                        where(("flows", slot[1], *slot[2].split("."))), _field(slot[1], slot[2]),
                                        hint="remove it"))
    if problems:
        raise UserError(problems)
    return session.answers()


def _all_slots(session: Session) -> list[Slot]:
    slots = [("top", k) for k in session.top]
    for i, f in enumerate(session.flows):
        slots += [("flow", i, k) for k in f]
    return slots


def flatten(flow: Mapping[str, Any]) -> dict[str, Any]:
    """``{"traffic": {"peak": x}}`` -> ``{"traffic.peak": x}``, so an answers file may nest like a workload."""
    out: dict[str, Any] = {}
    for key, value in flow.items():
        if key in ("traffic", "needs") and isinstance(value, dict):
            for sub, v in value.items():
                out[f"{key}.{sub}"] = v
        else:
            out[str(key)] = value
    return out


def answers_from_file(path) -> tuple[dict[str, Any], Callable[[tuple], Location | None]]:
    """An answers file (YAML or JSON, same keys as the questions; flows may nest
    ``traffic`` and ``needs`` as in a workload file). Returns the answers and a
    function giving the file position of an answer path. Raises ``UserError``."""
    from ..yamlio import loads, read_text

    name, text = read_text(path, what="answers file")
    doc = loads(text, name)
    if doc.problems:
        raise UserError(doc.problems)
    data = doc.data
    if not isinstance(data, dict):
        raise UserError(Problem("the answers file must be a mapping", Location(name, 1, 1),
                                expected="name: ..., flows: [{name: ..., trigger: ..., duration: ...}]"))
    flows = data.get("flows", [])
    if not isinstance(flows, list) or not all(isinstance(f, dict) for f in flows):
        raise UserError(Problem("'flows' must be a list of mappings", doc.location(("flows",)), "flows"))
    out = {k: v for k, v in data.items() if k != "flows"}
    out["flows"] = [flatten(f) for f in flows]

    def where(p: tuple) -> Location:
        if len(p) == 4 and p[0] == "flows" and ("flows", p[1], f"{p[2]}.{p[3]}") in doc.values:
            return doc.values[("flows", p[1], f"{p[2]}.{p[3]}")]
        return doc.location(p)

    return out, where


def merge_flags(answers: Mapping[str, Any], flags: Mapping[str, Any]) -> dict[str, Any]:
    """Flags over file answers. A flag key is ``name`` (the system), a question key
    (flow 1), or ``<n>.<key>`` (flow n, 1-based); ``None`` values are ignored."""
    out = {k: v for k, v in answers.items() if k != "flows"}
    flows = [dict(f) for f in answers.get("flows", [])]
    for key, value in flags.items():
        if value is None:
            continue
        head, _, rest = key.partition(".")
        if head.isdigit() and rest:
            index, key = int(head) - 1, rest
            if index < 0:
                raise UserError(Problem(f"flows are numbered from 1, not {head}", field=key))
            from ..limits import INIT_FLOWS

            if index >= INIT_FLOWS:
                raise UserError(Problem(f"flow {int(head):,} is past the {INIT_FLOWS:,} flows advisor init takes",
                                        field=key, expected=f"a flow number from 1 to {INIT_FLOWS:,}"))
        elif key in TOP_BY_KEY:
            out[key] = value
            continue
        else:
            index = 0
        while len(flows) <= index:
            flows.append({})
        flows[index][key] = value
    if flows:
        out["flows"] = flows
    return out


# --- the document -----------------------------------------------------------------------------------------------

class _OneLineDumper(yaml.SafeDumper):
    """Writes any string on one line: double-quoted with escapes when it holds a line break."""


def _one_line_str(dumper: yaml.SafeDumper, data: str):
    style = '"' if any(c in data for c in "\n\r\x85\u2028\u2029") else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


_OneLineDumper.add_representer(str, _one_line_str)


def scalar(value: Any) -> str:
    """One value as YAML in flow style, through the YAML dumper, so no answer can inject YAML."""
    text = yaml.dump(value, Dumper=_OneLineDumper, default_flow_style=True, allow_unicode=True, width=10 ** 6)
    text = text.rstrip("\n")
    if text.endswith("\n..."):
        text = text[:-4].rstrip("\n")
    if "\n" in text:  # pragma: no cover - strings with breaks are double-quoted, the width is unlimited
        raise ValueError(f"cannot write {value!r} on one line")
    return text


def build_document(answers: Mapping[str, Any], *, schema_ref: str | None = None, file_name: str = "workload.yaml",
                   ) -> str:
    """Commented YAML for ``answers`` (as :meth:`Session.answers` returns them).

    The first line points editors at the schema; each field gets a short
    comment. Keys are written in the table's order, so the same answers
    give the same bytes."""
    ref = schema_ref or schema_id()
    lines = [
        f"# yaml-language-server: $schema={ref}",
        f"# Written by 'advisor init'. Check it with 'advisor validate {file_name}',",
        f"# then see the decisions with 'advisor recommend {file_name}'.",
        "version: 1  # version of this file format",
        f"name: {scalar(answers['name'])}  # {TOP_BY_KEY['name'].comment}",
    ]
    lines += [f"{key}: {scalar(answers[key])}  # {q.comment}" for key, q in TOP_BY_KEY.items()
              if key != "name" and answers.get(key) is not None]
    lines.append("flows:  # the business operations")
    for flow in answers["flows"]:
        unknown = set(flow) - set(FLOW_BY_KEY)
        if unknown:
            raise ValueError(f"unknown answers {sorted(unknown)}")
        first, group = True, None
        for q in FLOW_QUESTIONS:
            if flow.get(q.key) is None:  # not asked, or an optional question left empty
                continue
            head, _, sub = q.key.partition(".")
            value = f"{scalar(flow[q.key])}  # {q.comment}"
            lead = "  - " if first else "    "
            first = False
            if sub:
                if group != head:
                    lines.append(f"{lead}{head}:  # {GROUP_COMMENTS[head]}")
                    lead, group = "    ", head
                lines.append(f"      {sub}: {value}")
            else:
                group = None
                lines.append(f"{lead}{head}: {value}")
    return "\n".join(lines) + "\n"

