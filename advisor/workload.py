"""Load a workload file: read, parse with positions, check, fill defaults.

``load(path)`` returns an immutable :class:`~advisor.model.Workload` or
raises :class:`~advisor.errors.WorkloadError` carrying *every* problem found
in the file, each with ``file:line:column``, the field path, what is wrong,
what was expected and, where it helps, a hint.
"""
from __future__ import annotations

import json
from functools import lru_cache
from types import MappingProxyType
from typing import Any

from . import units
from .errors import Location, Problem, UserError, WorkloadError
from .model import (DEFAULT_MESSAGE_SIZE, DEFAULT_REGION, DEFAULT_RUNTIME, NEEDS, TRIGGERS, Flow, Needs,
                    Traffic, Workload)
from .resources import package_file
from .yamlio import Document, field_path, loads, read_text  # noqa: F401 - field_path is used by rules.py too

SCHEMA_FILE = ("schemas", "workload.schema.json")
KAFKA_SOURCES = ("msk", "self-managed")
MQ_SOURCES = ("activemq", "rabbitmq")


@lru_cache(maxsize=1)
def schema() -> dict:
    """The workload JSON Schema shipped in the package (``advisor schema`` prints it)."""
    return json.loads(package_file(*SCHEMA_FILE).read_text(encoding="utf-8"))


def load(path) -> Workload:
    """Read and check a workload file."""
    name, text = read_text(path, what="workload file")
    return load_text(text, name)


def load_text(text: str, name: str = "<string>") -> Workload:
    """Check a workload given as YAML text; ``name`` is used in messages."""
    try:
        doc = loads(text, name)
    except UserError as exc:
        raise WorkloadError(exc.problems) from None
    return from_document(doc)


def from_document(doc: Document) -> Workload:
    problems = list(doc.problems)
    data = doc.data
    if data is None:
        raise WorkloadError(problems + [Problem("the file is empty", Location(doc.file, 1, 1),
                                                expected="a workload: version, name and flows",
                                                hint="run 'advisor init' to write one")])
    if not isinstance(data, dict):
        raise WorkloadError(problems + [Problem(f"the top level is {'a list' if isinstance(data, list) else 'a single value'}",
                                                doc.location(()), expected="a mapping with version, name and flows")])
    from .limits import MAX_FLOWS

    flows = data.get("flows")
    if isinstance(flows, list) and len(flows) > MAX_FLOWS:  # before any check: they all grow with the flows
        raise WorkloadError(problems + [Problem(
            f"{len(flows):,} flows are more than the {MAX_FLOWS:,} advisor reads in one file",
            doc.location(("flows",)), "flows", f"at most {MAX_FLOWS:,} flows",
            "a file this size describes many systems: split it, one file per bounded context")])
    from .schemacheck import Checker

    reported = set(doc.bad_values)  # the loader said what is wrong with these values already
    for issue in Checker(schema()).check(data):
        if issue.path in doc.bad_values:
            continue
        reported.add(issue.path)
        problems.append(Problem(issue.message, doc.location(issue.path, key=issue.at_key),
                                field_path(issue.path), issue.expected, issue.hint))
    builder = _Normaliser(doc, problems, reported)
    workload = builder.build(data)
    if problems:
        problems.sort(key=lambda p: (p.location.line, p.location.column) if p.location else (0, 0))
        raise WorkloadError(_dedupe(problems))
    return workload


def _some(names, shown: int = 10) -> str:
    """The first names, sorted, and how many more (a message must not list 10,000 names)."""
    first = sorted(names)[:shown]
    more = len(names) - len(first)
    return ", ".join(first) + (f" and {more:,} more" if more else "")


def _dedupe(problems: list[Problem]) -> list[Problem]:
    seen, out = set(), []
    for p in problems:
        key = (p.location, p.field, p.message)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


class _Normaliser:
    """Fills defaults and checks what a schema cannot say (cross-field rules).

    It reads defensively: a value of the wrong type was already reported by
    the schema check, so here it is simply skipped.
    """

    def __init__(self, doc: Document, problems: list[Problem], reported: set[tuple] = frozenset()):
        self.doc = doc
        self.problems = problems
        self.reported = reported  # paths the schema check already complained about
        self.inherited: dict[str, Traffic | None] = {}  # flow name -> traffic its `after` flows pass on
        self.names = None  # schemacheck.NameIndex of the flow names, made at the first unknown `after`

    def error(self, path: tuple, message: str, expected: str | None = None, hint: str | None = None,
              key: bool = False) -> None:
        self.problems.append(Problem(message, self.doc.location(path, key=key), field_path(path), expected, hint))

    def _name_index(self, by_name: dict):
        """The flow names, indexed once for suggestions (bounded work per unknown name)."""
        if self.names is None:
            from .schemacheck import NameIndex
            self.names = NameIndex(by_name)
            self.names.listed = _some(by_name)
        return self.names

    def _value(self, parse, raw, path: tuple, form: str, default=None):
        if raw is None:
            return default
        try:
            return parse(raw)
        except ValueError as exc:
            if path not in self.reported:  # else the schema check has said it already
                self.error(path, str(exc), form)
            return default

    def build(self, data: dict) -> Workload | None:
        raw_flows = data.get("flows") if isinstance(data.get("flows"), list) else []
        flows_raw = [(i, f) for i, f in enumerate(raw_flows) if isinstance(f, dict)]
        names: dict[str, int] = {}
        for i, f in flows_raw:
            name = f.get("name")
            if isinstance(name, str):
                if name in names:
                    self.error(("flows", i, "name"), f"the flow name '{name}' is used twice (first by flows[{names[name]}])",
                               "unique flow names", "rename one of the flows")
                else:
                    names[name] = i
        by_name = {f["name"]: f for _, f in flows_raw if isinstance(f.get("name"), str)}
        self._cycles(flows_raw, by_name, names)
        flows = [self._flow(i, f, by_name) for i, f in flows_raw]
        if self.problems:
            return None
        return Workload(
            version=data["version"], name=data["name"], flows=tuple(flows),
            runtime=data.get("runtime", DEFAULT_RUNTIME), region=data.get("region", DEFAULT_REGION),
            description=data.get("description"), path=self.doc.file,
            locations=MappingProxyType({**self.doc.values}),
        )

    def _cycles(self, flows_raw: list, by_name: dict[str, dict], names: dict[str, int]) -> None:
        """Event flows that start each other in a circle: nothing ever starts the first one. Reported
        once, on the first flow of the circle (a flow after itself is reported in ``_flow``). Each flow is
        walked once (a 10,000-flow chain stays linear)."""
        done: set[str] = set()
        for _, f in flows_raw:
            path: list[str] = []
            on_path: dict[str, int] = {}
            g = f
            while isinstance(g.get("name"), str) and g["name"] not in done:
                name = g["name"]
                if name in on_path:
                    cycle = path[on_path[name]:]
                    first = min(range(len(cycle)), key=lambda k: names.get(cycle[k], 0))
                    cycle = cycle[first:] + cycle[:first]
                    self.error(("flows", names[cycle[0]], "after"), "the flows " + " -> ".join(cycle + [cycle[0]]) +
                               " start each other in a circle, so none of them ever starts",
                               "a chain of 'after' that begins at a flow with another trigger")
                    break
                on_path[name] = len(path)
                path.append(name)
                after = g.get("after")
                if g.get("trigger") != "event" or not isinstance(after, str) or after not in by_name \
                        or after == name:
                    break
                g = by_name[after]
            done.update(path)

    def _consumers_named_like_flows(self, p: tuple, name: str, f: dict, by_name: dict[str, dict]) -> None:
        """A consumer is a bounded context. Naming a flow whose context is another name can only be a mix-up:
        the flow would get a second, unrelated consumer (its own queue and handler) next to itself."""
        raw = f.get("consumers")
        for j, consumer in enumerate(raw if isinstance(raw, list) else ()):
            other = by_name.get(consumer) if isinstance(consumer, str) else None
            if other is None:
                continue
            context = other.get("context") if isinstance(other.get("context"), str) else consumer
            if context == consumer:
                continue  # the flow's own context, named like it: that context reacts, as meant
            if other is f:
                why, fix = "this flow itself", f"another context, or no consumer: the flow's own context is '{context}'"
            elif other.get("trigger") == "event" and other.get("after") == name:
                why = f"the flow '{consumer}' (of context '{context}'), which already starts after this one"
                fix = f"no '{consumer}' here (its after: {name} is the link), or the context '{context}'"
            else:
                why = f"the flow '{consumer}' (of context '{context}')"
                fix = (f"the context '{context}'; or, if flow '{consumer}' reacts to this one, drop it here and give it "
                       f"trigger: event, after: {name}")
            self.error(p + ("consumers", j), f"the consumer '{consumer}' is named like {why}; consumers are the "
                       "bounded contexts that react to this flow's outcome event", fix)

    # -- one flow -------------------------------------------------------------------------------------------

    def _flow(self, i: int, f: dict, by_name: dict[str, dict]) -> Flow | None:
        p = ("flows", i)
        name = f.get("name") if isinstance(f.get("name"), str) else f"flows[{i}]"
        trigger = f.get("trigger")
        after = f.get("after")

        if "source_event" in f and trigger in TRIGGERS and trigger != "event":
            self.error(p + ("source_event",), f"'source_event' only applies to trigger event, not '{trigger}'",
                       "no 'source_event' key, or trigger: event", key=True)
        if trigger == "event":
            if after is None and "source_event" not in f:
                self.error(p + ("trigger",), "trigger 'event' needs 'after' or 'source_event'",
                           "after: <the flow whose outcome event starts this one>, or source_event: <the AWS "
                           "service event that does, e.g. 'aws.transcribe: Transcribe Job State Change'>", key=True)
            elif after is not None and "source_event" in f:
                self.error(p + ("source_event",), "a flow is started either by another flow (after) or by an AWS "
                           "service's event (source_event), not both", "one of after or source_event", key=True)
            elif isinstance(after, str):
                if after == name:
                    self.error(p + ("after",), f"the flow '{name}' cannot start after itself",
                               "the name of another flow of this file")
                elif after not in by_name:
                    from .schemacheck import did_you_mean
                    self.error(p + ("after",), f"there is no flow named '{after}'",
                               "the name of another flow of this file: " + self._name_index(by_name).listed if by_name else None,
                               did_you_mean(after, self._name_index(by_name)))
        elif after is not None and trigger in TRIGGERS:
            self.error(p + ("after",), f"'after' only goes with trigger 'event', not '{trigger}'",
                       "no 'after' key, or trigger: event", key=True)
        for key, only_for in (("api", ("api",)), ("auth", ("api",)), ("source", ("kafka", "mq"))):
            if key in f and trigger in TRIGGERS and trigger not in only_for:
                self.error(p + (key,), f"'{key}' only applies to trigger {' or '.join(only_for)}, not '{trigger}'",
                           f"no '{key}' key for this trigger", key=True)
        source = f.get("source")
        if trigger == "kafka" and source in MQ_SOURCES or trigger == "mq" and source in KAFKA_SOURCES:
            self.error(p + ("source",), f"'{source}' is not a {trigger} broker",
                       "one of " + ", ".join(KAFKA_SOURCES if trigger == "kafka" else MQ_SOURCES))
        caller_waits = f.get("caller_waits")
        if caller_waits is True and trigger in TRIGGERS and trigger != "api":
            self.error(p + ("caller_waits",), f"no caller waits on trigger '{trigger}'; only an API caller can wait",
                       "caller_waits: false, or trigger: api")

        traffic = self._traffic(i, f, by_name)
        duration = self._value(units.parse_duration, f.get("duration"), p + ("duration",), units.DURATION_FORM)
        steps, step_durations, step_memory = self._steps(p, f, name)
        longest = self._value(units.parse_duration, f.get("longest_step"), p + ("longest_step",), units.DURATION_FORM)
        if step_durations:
            slowest_step, slowest = max(step_durations, key=lambda sd: sd[1])
            if longest is not None and slowest > longest:
                self.error(p + ("steps",), f"the step '{slowest_step}' takes {units.format_duration(slowest)}, longer "
                           f"than longest_step ({units.format_duration(longest)})",
                           "step durations <= longest_step", "drop longest_step: it is taken from the steps")
            elif longest is None:
                longest = slowest
        if duration is not None and longest is not None and longest > duration:
            self.error(p + ("longest_step",),
                       f"the longest step ({units.format_duration(longest)}) is longer than the whole flow "
                       f"({units.format_duration(duration)})", "longest_step <= duration")
        if longest is None and duration is not None:
            longest = duration / len(steps) if steps else duration
        consumers = tuple(c for c in f.get("consumers", []) if isinstance(c, str)) \
            if isinstance(f.get("consumers"), list) else ()
        self._consumers_named_like_flows(p, name, f, by_name)
        fan_out = f.get("fan_out")
        if isinstance(fan_out, float) and fan_out.is_integer():  # the schema takes 3.0 as an integer
            fan_out = int(fan_out)
        if isinstance(fan_out, int) and not isinstance(fan_out, bool) and "consumers" in f \
                and isinstance(f.get("consumers"), list) and fan_out != len(consumers):
            self.error(p + ("fan_out",), f"fan_out is {fan_out} but {len(consumers)} consumer(s) are listed",
                       f"fan_out: {len(consumers)}, or drop one of the two", key=True)
        if not isinstance(fan_out, int) or isinstance(fan_out, bool):
            fan_out = len(consumers)
        from .limits import MAX_CONSUMERS

        if max(fan_out, len(consumers)) > MAX_CONSUMERS:
            self.error(p + ("fan_out" if fan_out > len(consumers) else "consumers",),
                       f"{max(fan_out, len(consumers)):,} consumers are more than the {MAX_CONSUMERS:,} advisor "
                       "takes for one flow", f"at most {MAX_CONSUMERS:,}",
                       "group consumers by bounded context; each one is a queue and a handler")
        size = self._value(units.parse_size, f.get("message_size"), p + ("message_size",), units.SIZE_FORM,
                           DEFAULT_MESSAGE_SIZE)
        limit = self._value(units.parse_rate, f.get("downstream_limit"), p + ("downstream_limit",), units.RATE_FORM)
        event_size = self._value(units.parse_size, f.get("event_size"), p + ("event_size",), units.SIZE_FORM)
        max_delay = self._value(units.parse_duration, f.get("max_delay"), p + ("max_delay",), units.DURATION_FORM)
        source_event = f.get("source_event") if isinstance(f.get("source_event"), str) else None
        needs_raw = f.get("needs") if isinstance(f.get("needs"), dict) else {}
        needs = Needs(**{k: bool(needs_raw.get(k, False)) for k in NEEDS if isinstance(needs_raw.get(k, False), bool)})
        if traffic is None or duration is None or not isinstance(trigger, str) or not isinstance(f.get("name"), str):
            return None
        return Flow(
            name=name, index=i, context=f.get("context", name), trigger=trigger, traffic=traffic,
            duration=duration, longest_step=longest, steps=steps, coupling=f.get("coupling", "loose"),
            consumers=consumers, fan_out=fan_out, needs=needs,
            caller_waits=bool(caller_waits) if isinstance(caller_waits, bool) else trigger == "api",
            message_size=size, data=f.get("data", "none"),
            external_targets=tuple(f.get("external_targets", ())), after=after if trigger == "event" else None,
            api=f.get("api", "http") if trigger == "api" else None,
            auth=f.get("auth", "none") if trigger == "api" else None,
            downstream_limit=limit, source=source, description=f.get("description"),
            source_event=source_event if trigger == "event" else None, max_delay=max_delay, event_size=event_size,
            step_durations=step_durations, step_memory=step_memory,
        )

    def _steps(self, p: tuple, f: dict, name: str) -> tuple[tuple, tuple, tuple]:
        """Step names, and the durations and memory of the steps given as {name, duration, memory}."""
        raw = f.get("steps")
        if not isinstance(raw, list) or not raw:
            return (name,), (), ()
        names: list[str] = []
        durations: list[tuple[str, float]] = []
        memory: list[tuple[str, int]] = []
        for j, item in enumerate(raw):
            step = item.get("name") if isinstance(item, dict) else item
            if not isinstance(step, str):
                return (name,), (), ()  # the schema check has said what is wrong
            if step in names:
                self.error(p + ("steps", j), f"the step '{step}' is listed twice", "each step once")
            names.append(step)
            if isinstance(item, dict):
                d = self._value(units.parse_duration, item.get("duration"), p + ("steps", j, "duration"),
                                units.DURATION_FORM)
                m = self._value(units.parse_size, item.get("memory"), p + ("steps", j, "memory"), units.SIZE_FORM)
                if d is not None:
                    durations.append((step, d))
                if m is not None:
                    memory.append((step, m))
        return tuple(names), tuple(durations), tuple(memory)

    def _traffic(self, i: int, f: dict, by_name: dict[str, dict]) -> Traffic | None:
        """Rates of this flow; a ``trigger: event`` flow inherits what it does not state from its ``after`` flow."""
        p = ("flows", i, "traffic")
        raw = f.get("traffic") if isinstance(f.get("traffic"), dict) else {}
        avg = self._value(units.parse_rate, raw.get("average"), p + ("average",), units.RATE_FORM)
        peak = self._value(units.parse_rate, raw.get("peak"), p + ("peak",), units.RATE_FORM)
        if ("average" in raw and avg is None) or ("peak" in raw and peak is None):
            return None
        traffic = _fill_traffic(avg, peak, raw.get("pattern"), self._inherited(f, by_name))
        if traffic.peak < traffic.average:
            self.error(p + ("peak",), f"the peak ({units.format_rate(traffic.peak)}) is below the average "
                                      f"({units.format_rate(traffic.average)})", "peak >= average",
                       "a peak is the highest rate the flow must absorb")
        return traffic

    def _inherited(self, f: dict, by_name: dict[str, dict]) -> Traffic | None:
        """The traffic of the flow that ``after`` names, with its own defaults and inheritance applied
        (so a parent that gives only a peak or a pattern passes those on); a cycle stops it. Each ancestor
        is resolved once and remembered, walking up without recursion (chains of any length)."""
        memo = self.inherited
        chain: list[tuple[str, dict]] = []
        seen = {id(f)}
        g, result = f, None
        while g.get("trigger") == "event" and isinstance(g.get("after"), str) and g["after"] in by_name:
            after = g["after"]
            if after in memo:
                result = memo[after]
                break
            parent = by_name[after]
            if id(parent) in seen:
                break
            seen.add(id(parent))
            chain.append((after, parent))
            g = parent
        for name, parent in reversed(chain):
            raw = parent.get("traffic") if isinstance(parent.get("traffic"), dict) else {}
            try:
                avg = units.parse_rate(raw["average"]) if raw.get("average") is not None else None
                peak = units.parse_rate(raw["peak"]) if raw.get("peak") is not None else None
                result = _fill_traffic(avg, peak, raw.get("pattern"), result)
            except (ValueError, TypeError):
                result = None  # reported on the parent itself
            memo[name] = result
        return result


def _fill_traffic(avg: float | None, peak: float | None, pattern, inherited: Traffic | None) -> Traffic:
    """The defaults of the spec: average 1/s, peak = average, pattern unpredictable; an event flow takes
    each one it does not give from its ``after`` flow (the peak at least its own average)."""
    if avg is None:
        avg = inherited.average if inherited else 1.0
    if peak is None:
        peak = max(inherited.peak, avg) if inherited else avg
    if not isinstance(pattern, str):
        pattern = inherited.pattern if inherited else "unpredictable"
    return Traffic(avg, peak, pattern)


def as_dict(workload: Workload) -> dict[str, Any]:
    """The normalised workload as plain data (for facts, JSON and tests)."""
    from dataclasses import asdict, fields

    # not asdict(workload): it deep-copies ``locations``, a mappingproxy, which cannot be copied
    return {f.name: tuple(asdict(flow) for flow in workload.flows) if f.name == "flows" else getattr(workload, f.name)
            for f in fields(workload) if f.name != "locations"}
