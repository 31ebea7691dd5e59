"""The questions as a table, and how one answer is read and checked."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping


from .. import units
from ..model import API_STYLES, AUTH_KINDS, DATA_KINDS, DEFAULT_MESSAGE_SIZE, DEFAULT_REGION, PATTERNS, TRIGGERS

KAFKA_SOURCES = ("msk", "self-managed")
MQ_SOURCES = ("activemq", "rabbitmq")
NONE_WORDS = frozenset({"", "-", "none", "no", "nobody", "nothing"})
YES = frozenset({"y", "yes", "true", "on", "1"})
NO = frozenset({"n", "no", "false", "off", "0"})
_NUMBER = re.compile(r"^\s*(\d+(\.\d+)?|\.\d+)\s*$")


def _slug_rule() -> tuple[re.Pattern, str]:
    """The slug pattern and its description, from the workload schema (one source of truth)."""
    return _schema_rule("slug")


def _schema_rule(name: str) -> tuple[re.Pattern, str]:
    """A string format's pattern and description, from the workload schema's ``$defs``."""
    from ..workload import schema

    rule = schema()["$defs"][name]
    return re.compile(rule["pattern"]), rule.get("description", name)


def schema_id() -> str:
    """The workload schema's ``$id``, written in the ``$schema`` comment for editors."""
    from ..workload import schema

    return schema()["$id"]


# --- the context a question sees ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Ctx:
    """What a question may depend on: this flow's answers so far and the flows before it."""

    flow: Mapping[str, Any] = field(default_factory=dict)
    earlier: tuple[Mapping[str, Any], ...] = ()
    index: int = 0
    suggested_name: str = "my-system"

    @property
    def trigger(self) -> str | None:
        return self.flow.get("trigger")

    @property
    def steps(self) -> list[str]:
        steps = self.flow.get("steps")
        return list(steps) if isinstance(steps, list) else []

    @property
    def after_flow(self) -> Mapping[str, Any] | None:
        """The answers of the flow this one starts after (trigger: event)."""
        if self.trigger != "event":
            return None
        for f in self.earlier:
            if f.get("name") == self.flow.get("after"):
                return f
        return None


# --- the table -------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Question:
    """One question. ``kind`` picks the reader: slug, choice, yesno, rate, duration, size, slugs, strings, region,
    text. An ``optional`` question takes an empty answer (or 'none') as "not set": nothing is written."""

    key: str  # the field, dotted below a flow: "traffic.peak", "needs.audit"
    prompt: str
    help: str  # one line, plain language
    kind: str
    comment: str  # written beside the field in the file
    default: Callable[[Ctx], Any]
    applies: Callable[[Ctx], bool] = lambda ctx: True
    choices: Callable[[Ctx], tuple[str, ...]] | None = None
    aliases: Mapping[str, str] = field(default_factory=dict)  # extra words a choice accepts
    check: Callable[[Any, Ctx], None] | None = None  # cross-field rule; raises ValueError
    required: bool = False  # must be given with --non-interactive unless --defaults
    meanings: Mapping[str, str] = field(default_factory=dict)  # choice -> meaning, shown with the choices
    optional: bool = False  # an empty answer leaves the field out of the file


def _unique_name(value: str, ctx: Ctx) -> None:
    used = [f.get("name") for f in ctx.earlier]
    if value in used:
        raise ValueError(f"the flow name '{value}' is already used by flow {used.index(value) + 1}; pick another")


def _after_applies(ctx: Ctx) -> bool:
    return ctx.trigger == "event" and bool(ctx.earlier)


def _source_event_applies(ctx: Ctx) -> bool:
    """An 'event' flow that no flow of this file starts: an AWS service's event does."""
    after = ctx.flow.get("after")
    return ctx.trigger == "event" and (after is None or all(f.get("name") != after for f in ctx.earlier))


def _event_size_applies(ctx: Ctx) -> bool:
    """Asked when the payload is bigger than the default and the outcome goes somewhere: then the event may
    carry a pointer instead (claim check)."""
    if not (ctx.flow.get("consumers") or ctx.flow.get("external_targets")):
        return False
    try:
        return units.parse_size(ctx.flow.get("message_size")) > DEFAULT_MESSAGE_SIZE
    except (ValueError, TypeError):
        return False


def _after_ok(value: str | None, ctx: Ctx) -> None:
    if value is not None and value == ctx.flow.get("name"):
        raise ValueError("a flow cannot start after itself")


def _rate_of(ctx: Ctx, key: str) -> float | None:
    try:
        return units.parse_rate(ctx.flow.get(key))
    except (ValueError, TypeError):
        return None


def _peak_ok(value: Any, ctx: Ctx) -> None:
    avg = _rate_of(ctx, "traffic.average")
    if avg is not None and units.parse_rate(value) < avg:
        raise ValueError(f"the peak ({units.format_rate(units.parse_rate(value))}) is below the average "
                         f"({units.format_rate(avg)}); a peak is the highest rate to absorb")


def _longest_ok(value: Any, ctx: Ctx) -> None:
    try:
        total = units.parse_duration(ctx.flow.get("duration"))
    except (ValueError, TypeError):
        return
    if units.parse_duration(value) > total:
        raise ValueError(f"the longest step ({units.format_duration(units.parse_duration(value))}) cannot be longer "
                         f"than the whole run ({units.format_duration(total)})")


def _longest_default(ctx: Ctx) -> Any:
    duration = ctx.flow.get("duration", "1s")
    n = len(ctx.steps) or 1
    if n == 1:
        return duration
    try:
        return units.format_duration(units.parse_duration(duration) / n)
    except (ValueError, TypeError):
        return duration


def _peak_default(ctx: Ctx) -> Any:
    """The average; for a flow started by another, that flow's peak if this one starts as often."""
    avg = ctx.flow.get("traffic.average", "1/s")
    up = ctx.after_flow
    if up is not None and "traffic.peak" in up and _rate_of(ctx, "traffic.average") == _rate_of(
            Ctx(up), "traffic.average"):
        return up["traffic.peak"]
    return avg


def _inherited(key: str, fallback: Callable[[Ctx], Any]) -> Callable[[Ctx], Any]:
    """Default to the ``after`` flow's answer for a ``trigger: event`` flow (as the loader does)."""
    def default(ctx: Ctx) -> Any:
        up = ctx.after_flow
        if up is not None and key in up:
            return up[key]
        return fallback(ctx)
    return default


def _is(*triggers: str) -> Callable[[Ctx], bool]:
    return lambda ctx: ctx.trigger in triggers


def _many_steps(ctx: Ctx) -> bool:
    return len(ctx.steps) > 1


TRIGGER_MEANINGS = {
    "api": "a client request (web, mobile or another service calls an API)",
    "schedule": "a timer (every night, every 5 minutes...)",
    "upload": "a file lands in storage",
    "queue": "a message arrives on a queue your system owns",
    "stream": "records arrive on a data stream",
    "change-data": "rows of a table change",
    "event": "another flow of this file finished, or an AWS service reported an event (a job finished)",
    "kafka": "records arrive on a Kafka topic",
    "mq": "messages arrive on a message broker (ActiveMQ, RabbitMQ)",
}

API_MEANINGS = {
    "http": "simple requests and answers, as most web and mobile back ends (the cheapest)",
    "rest": "the same, plus usage plans, keys and quotas per partner, request checks at the door",
    "graphql": "clients ask for exactly the fields they need, from one address",
    "websocket": "a connection stays open and the server pushes updates (chat, live prices)",
}
API_ALIASES = {"simple": "http", "requests": "http", "partners": "rest", "keys": "rest", "usage-plans": "rest",
               "fields": "graphql", "query": "graphql", "push": "websocket", "live": "websocket",
               "two-way": "websocket", "realtime": "websocket", "real-time": "websocket"}

TOP_QUESTIONS: tuple[Question, ...] = (
    Question("name", "Name of the system?", "a short name for the whole system, e.g. shop", "slug",
             "the workload (system) name", lambda ctx: ctx.suggested_name, required=True),
    Question("region", "Which AWS region does it run in?", "e.g. us-east-1, eu-west-1; it sets prices and limits",
             "region", "AWS region, for limits and prices", lambda ctx: DEFAULT_REGION),
)

FLOW_QUESTIONS: tuple[Question, ...] = (
    Question("name", "Name of this flow?", "one business operation, e.g. checkout or make-thumbnail", "slug",
             "unique name of the flow", lambda ctx: f"flow-{ctx.index + 1}", check=_unique_name, required=True),
    Question("context", "Which part of the business owns it?", "the team or domain, e.g. orders, shipping; flows "
             "of one part share it", "slug", "the part of the business (bounded context) that owns it",
             lambda ctx: ctx.flow.get("name", "main")),
    Question("trigger", "What starts it?",
             "api: a request, schedule: a timer, upload: a file arrives, event: another flow finished...", "choice",
             "what starts one run", lambda ctx: "event" if ctx.earlier else "api", choices=lambda ctx: TRIGGERS,
             required=True, meanings=TRIGGER_MEANINGS),
    Question("after", "After which flow?", "the flow whose outcome starts this one; none when an AWS service's "
             "event starts it", "choice", "the flow whose outcome starts this one",
             lambda ctx: ctx.earlier[-1].get("name") if ctx.earlier else None, applies=_after_applies,
             choices=lambda ctx: tuple(f["name"] for f in ctx.earlier if isinstance(f.get("name"), str)),
             check=_after_ok, optional=True),
    Question("source_event", "Which AWS service event starts it?",
             "an AWS service's own event, e.g. aws.mediaconvert: MediaConvert Job State Change (an EventBridge "
             "rule on the default bus starts the flow)", "text", "the AWS service event that starts it",
             lambda ctx: "aws.mediaconvert: MediaConvert Job State Change", applies=_source_event_applies),
    Question("api", "How do clients talk to it?", "pick the description that fits; the first is the most common",
             "choice", "style of the API", lambda ctx: "http", applies=_is("api"), choices=lambda ctx: API_STYLES,
             aliases=API_ALIASES, meanings=API_MEANINGS),
    Question("auth", "Who may call it?", "none: anyone, users: people who sign in, iam: your own services, "
             "api-key: partners with a key", "choice", "who may call it", lambda ctx: "none", applies=_is("api"),
             choices=lambda ctx: AUTH_KINDS),
    Question("source", "Which broker?", "where the messages come from", "choice", "the broker",
             lambda ctx: KAFKA_SOURCES[0] if ctx.trigger == "kafka" else MQ_SOURCES[0], applies=_is("kafka", "mq"),
             choices=lambda ctx: KAFKA_SOURCES if ctx.trigger == "kafka" else MQ_SOURCES),
    Question("caller_waits", "Does the caller wait for the final result?",
             "yes if the caller needs the outcome in the same request; no if an 'accepted' answer is enough",
             "yesno", "does the caller wait for the result", lambda ctx: True, applies=_is("api")),
    Question("traffic.average", "How many runs start, on average?",
             "e.g. 20/s, 300/min, 2M/month; a plain number is per second", "rate", "average runs started",
             _inherited("traffic.average", lambda ctx: "1/day" if ctx.trigger == "schedule" else "1/s")),
    Question("traffic.peak", "And at the busiest moment?", "the highest rate it must absorb, at least the "
             "average", "rate", "highest rate to absorb",
             _peak_default, check=_peak_ok),
    Question("traffic.pattern", "How does the traffic look over time?",
             "steady, spiky (sudden bursts), unpredictable, or scheduled (at fixed times)", "choice",
             "shape of the traffic", _inherited("traffic.pattern", lambda ctx: "scheduled"
                                                if ctx.trigger == "schedule" else "unpredictable"),
             choices=lambda ctx: PATTERNS),
    Question("duration", "How long does one run take, end to end?",
             "waiting included (for a person, a partner, a timer); e.g. 300ms, 8s, 5m, 2d", "duration",
             "typical time of one run, waiting included", lambda ctx: "1s", required=True),
    Question("steps", "What are its steps, in order?", "short names separated by commas, e.g. validate, charge, "
             "ship", "slugs", "the steps of one run, in order", lambda ctx: [ctx.flow.get("name", "main")]),
    Question("longest_step", "How long does the longest step compute?",
             "the longest single piece of work, not counting waits; at most the whole run", "duration",
             "longest single piece of work", _longest_default, check=_longest_ok),
    Question("coupling", "Must the steps succeed or fail together?",
             "yes if they form one business transaction (tight); no if each can fail on its own (loose)", "choice",
             "tight: one transaction; loose: independent steps", lambda ctx: "loose", applies=_many_steps,
             choices=lambda ctx: ("tight", "loose"), aliases={"y": "tight", "yes": "tight", "n": "loose",
                                                                "no": "loose"}),
    Question("consumers", "Who else reacts to its outcome?", "other teams or parts of the system that act on "
             "the result, separated by commas; empty for nobody", "slugs",
             "other parts that react to the outcome", lambda ctx: []),
    Question("needs.ordering", "Must events be handled in the order they happened?",
             "e.g. updates to the same account must not overtake each other", "yesno",
             "handled in order (per key)", lambda ctx: False),
    Question("needs.exactly_once", "Would a duplicate do harm?", "yes if the same event handled twice must "
             "never happen, e.g. charging a card", "yesno", "duplicates must be prevented", lambda ctx: False),
    Question("needs.replay", "Must past events be re-readable later?",
             "e.g. to rebuild a report or feed a new consumer with history", "yesno",
             "past events can be read again", lambda ctx: False),
    Question("needs.audit", "Do you need a history of every run?", "a step-by-step record you can look at for "
             "each run", "yesno", "per-run history kept", lambda ctx: False),
    Question("needs.timeouts", "Must a run time out when it takes too long?",
             "e.g. cancel an order when payment never arrives", "yesno", "the whole run can time out",
             lambda ctx: False),
    Question("needs.compensation", "If a step fails, must earlier steps be undone?",
             "e.g. refund the card when stock cannot be reserved", "yesno", "undo done steps on failure",
             lambda ctx: False, applies=_many_steps),
    Question("needs.human_approval", "Does a run wait for a person's decision?", "e.g. a manager approves an "
             "expense", "yesno", "waits for a person", lambda ctx: False),
    Question("needs.callbacks", "Does a run wait for replies from other systems?",
             "e.g. it asks several suppliers for a quote and waits for their answers (callbacks)", "yesno",
             "waits for replies from other systems", lambda ctx: False),
    Question("needs.content_filtering", "Do those who react want only some events?",
             "yes if each picks events by their content, e.g. only orders above 100", "yesno",
             "consumers pick events by content", lambda ctx: False,
             applies=lambda ctx: bool(ctx.flow.get("consumers"))),
    Question("external_targets", "Outside services that must receive the events?",
             "SaaS or partner systems, separated by commas, e.g. Salesforce, Zendesk; empty for none", "strings",
             "outside systems that get the events", lambda ctx: []),
    Question("downstream_limit", "At most how many calls can the slowest system it calls take?",
             "a partner's or an old system's limit, e.g. 50/s or 200 per minute; empty if there is none", "rate",
             "the most the slowest system called can take", lambda ctx: None, optional=True),
    Question("message_size", "How big is one request or event?", "typical payload, e.g. 2KB, 300KB, 2MB", "size",
             "typical payload", lambda ctx: "1KB"),
    Question("event_size", "How big is the event it publishes, if smaller than that?",
             "e.g. 1KB when the event carries a pointer to the payload in S3; empty when it carries the payload",
             "size", "size of the outcome event (a pointer)", lambda ctx: None, applies=_event_size_applies,
             optional=True),
    Question("max_delay", "How long may an event wait before it is handled?",
             "the acceptable delay when traffic is buffered, e.g. 5m; empty when any delay will do", "duration",
             "acceptable delay before an event is handled", lambda ctx: None, optional=True,
             applies=lambda ctx: bool(ctx.flow.get("downstream_limit"))),
    Question("data", "What data does it store?",
             "none, key-value (look up by id), relational (tables and joins), files", "choice",
             "kind of store written to", lambda ctx: "none", choices=lambda ctx: DATA_KINDS),
)

GROUP_COMMENTS = {"traffic": "runs started", "needs": "what the flow needs from the platform"}
FLOW_BY_KEY = {q.key: q for q in FLOW_QUESTIONS}
TOP_BY_KEY = {q.key: q for q in TOP_QUESTIONS}
MORE_PROMPT = "Add another flow?"
MORE_HELP = "another business operation of the same system, e.g. one that runs after this one"


# --- reading one answer ----------------------------------------------------------------------------------------

def slugify(text: str) -> str | None:
    """A valid name close to ``text`` ("Order Checkout" -> "order-checkout"), or None."""
    pattern, _ = _slug_rule()
    s = re.sub(r"[^a-z0-9]+", "-", str(text).lower()).strip("-")
    s = re.sub(r"^[^a-z]+", "", s)[:63].rstrip("-")
    return s if s and pattern.match(s) else None


def _slug(value: Any) -> str:
    pattern, form = _slug_rule()
    if not isinstance(value, str):
        raise ValueError(f"expected {form}")
    text = value.strip()
    if not pattern.match(text):
        close = slugify(text)
        raise ValueError(f"'{text}' is not a valid name; expected {form}"
                         + (f" (try '{close}')" if close and close != text else ""))
    return text


def _list(value: Any) -> list:
    if isinstance(value, list):
        return value
    if isinstance(value, str):
        if value.strip().lower() in NONE_WORDS:
            return []
        return [part.strip() for part in value.split(",") if part.strip()]
    raise ValueError("expected a list, separated by commas")


def _unique(items: list) -> list:
    seen = set()
    for item in items:
        if item in seen:
            raise ValueError(f"'{item}' is listed twice")
        seen.add(item)
    return items


def _measure(value: Any, parse: Callable[[Any], float], form: str) -> Any:
    """A rate/duration/size as the user wrote it (text trimmed, or a number), once it parses."""
    if isinstance(value, str) and _NUMBER.match(value):
        value = float(value)
        value = int(value) if value == int(value) else value
    elif isinstance(value, str):
        value = value.strip()
    try:
        parse(value)
    except ValueError as exc:
        raise ValueError(f"{exc}; expected {form}") from None
    return value


def _yesno(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        t = value.strip().lower()
        if t in YES:
            return True
        if t in NO:
            return False
    raise ValueError(f"answer yes or no, not {value!r}")


def _choice(q: Question, value: Any, ctx: Ctx) -> str:
    options = q.choices(ctx) if q.choices else ()
    if not isinstance(value, str):
        raise ValueError(f"expected one of: {', '.join(options)}")
    t = value.strip().lower()
    if t in q.aliases:
        return q.aliases[t]
    if t in options:
        return t
    if t.isdigit() and 1 <= int(t) <= len(options):
        return options[int(t) - 1]
    starting = [o for o in options if o.startswith(t)] if t else []
    if len(starting) == 1:
        return starting[0]
    if not options:
        raise ValueError("there is nothing to choose from here")
    return _no_choice(value, options)


def _no_choice(value: Any, options: tuple[str, ...]) -> str:
    from ..schemacheck import did_you_mean

    hint = did_you_mean(str(value).strip().lower(), options)
    raise ValueError(f"'{str(value).strip()}' is not one of: {', '.join(options)}" + (f"; {hint}" if hint else ""))


def parse_answer(q: Question, value: Any, ctx: Ctx) -> Any:
    """An answer (typed text or a value from an answers file) as its canonical value.

    Raises ``ValueError`` whose message says what was expected. Canonical
    values parse to themselves, so a stored answer can be checked again
    after an earlier answer changed.
    """
    kind = q.kind
    if q.optional and (value is None or isinstance(value, str) and value.strip().lower() in NONE_WORDS):
        return None
    if kind == "slug":
        out: Any = _slug(value)
    elif kind == "choice":
        out = _choice(q, value, ctx)
    elif kind == "yesno":
        out = _yesno(value)
    elif kind == "rate":
        out = _measure(value, units.parse_rate, units.RATE_FORM)
    elif kind == "duration":
        out = _measure(value, units.parse_duration, units.DURATION_FORM)
    elif kind == "size":
        out = _measure(value, units.parse_size, units.SIZE_FORM)
    elif kind == "region":
        pattern, form = _schema_rule("region")
        out = value.strip().lower() if isinstance(value, str) else value
        if not isinstance(out, str) or not pattern.match(out):
            raise ValueError(f"'{value}' is not a region; expected {form}")
    elif kind == "slugs":
        out = _unique([_slug(item) for item in _list(value)])
    elif kind == "text":
        if not isinstance(value, str) or not value.strip():
            raise ValueError("expected some text")
        out = value.strip()
    elif kind == "strings":
        items = _list(value)
        if not all(isinstance(i, str) and i.strip() for i in items):
            raise ValueError("expected names separated by commas")
        out = _unique([i.strip() for i in items])
    else:  # pragma: no cover - the table uses only the kinds above
        raise AssertionError(kind)
    if q.key == "steps" and not out:
        raise ValueError("a flow has at least one step")
    if q.check is not None:
        q.check(out, ctx)
    return out


def show(value: Any) -> str:
    """An answer as the user would type it (defaults, summary)."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value) if value else "none"
    if value is None:
        return ""
    return str(value)


