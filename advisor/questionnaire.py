"""The questions of ``advisor init`` as data, and all of it that needs no terminal.

Why a table: every question (its prompt, one-line help, default, when it
applies, how an answer is read and checked, the comment written beside it) is
one row, so the interactive flow, ``--non-interactive``/``--defaults``, the
answers file and the unit tests all go through the same rows. Values are read
with :mod:`advisor.units` and the model's enums, the same code the workload
loader uses, so an answer accepted here is accepted by ``advisor validate``.

The pieces:

- :data:`TOP_QUESTIONS`, :data:`FLOW_QUESTIONS`: the table.
- :func:`parse_answer`: one answer (typed text, or a value from an answers
  file) to its canonical value, or ``ValueError`` with a message for people.
- :class:`Session`: the answers so far, what to ask next, ``back`` and edits.
- :func:`interview`: the question loop and the summary, over an injected
  :class:`IO` (the terminal in ``init.py``, a list of strings in tests).
- :func:`complete`: the same answers without asking (``--non-interactive``,
  ``--defaults``), every problem collected.
- :func:`build_document`: answers to commented YAML that ``load_text`` accepts.
- :func:`answers_from_file`, :func:`merge_flags`: answers from a file and flags.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping, Protocol

import yaml

from . import units
from .errors import Location, Problem, UserError
from .model import API_STYLES, AUTH_KINDS, DATA_KINDS, PATTERNS, TRIGGERS

KAFKA_SOURCES = ("msk", "self-managed")
MQ_SOURCES = ("activemq", "rabbitmq")
NONE_WORDS = frozenset({"", "-", "none", "no", "nobody", "nothing"})
YES = frozenset({"y", "yes", "true", "on", "1"})
NO = frozenset({"n", "no", "false", "off", "0"})
_NUMBER = re.compile(r"^\s*(\d+(\.\d+)?|\.\d+)\s*$")


def _slug_rule() -> tuple[re.Pattern, str]:
    """The slug pattern and its description, from the workload schema (one source of truth)."""
    from .workload import schema

    slug = schema()["$defs"]["slug"]
    return re.compile(slug["pattern"]), slug["description"]


def schema_id() -> str:
    """The workload schema's ``$id``, written in the ``$schema`` comment for editors."""
    from .workload import schema

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
    """One question. ``kind`` picks the reader: slug, choice, yesno, rate, duration, size, slugs, strings."""

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
    meanings: Mapping[str, str] = field(default_factory=dict)  # choice -> meaning, shown for '?'


def _unique_name(value: str, ctx: Ctx) -> None:
    used = [f.get("name") for f in ctx.earlier]
    if value in used:
        raise ValueError(f"the flow name '{value}' is already used by flow {used.index(value) + 1}; pick another")


def _trigger_ok(value: str, ctx: Ctx) -> None:
    if value == "event" and not ctx.earlier:
        raise ValueError("'event' means another flow of this file starts this one, and there is none before it; "
                         "describe that flow first, or pick another trigger")


def _after_ok(value: str, ctx: Ctx) -> None:
    if value == ctx.flow.get("name"):
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
    "event": "another flow of this file finished",
    "kafka": "records arrive on a Kafka topic",
    "mq": "messages arrive on a message broker (ActiveMQ, RabbitMQ)",
}

TOP_QUESTIONS: tuple[Question, ...] = (
    Question("name", "Name of the system?", "a short name for the whole system, e.g. shop", "slug",
             "the workload (system) name", lambda ctx: ctx.suggested_name, required=True),
)

FLOW_QUESTIONS: tuple[Question, ...] = (
    Question("name", "Name of this flow?", "one business operation, e.g. checkout or make-thumbnail", "slug",
             "unique name of the flow", lambda ctx: f"flow-{ctx.index + 1}", check=_unique_name, required=True),
    Question("trigger", "What starts it?",
             "api: a request, schedule: a timer, upload: a file arrives, event: another flow finished...", "choice",
             "what starts one run", lambda ctx: "event" if ctx.earlier else "api", choices=lambda ctx: TRIGGERS,
             check=_trigger_ok, required=True, meanings=TRIGGER_MEANINGS),
    Question("after", "After which flow?", "the flow whose outcome starts this one", "choice",
             "the flow whose outcome starts this one",
             lambda ctx: ctx.earlier[-1].get("name") if ctx.earlier else None, applies=_is("event"),
             choices=lambda ctx: tuple(f["name"] for f in ctx.earlier if isinstance(f.get("name"), str)),
             check=_after_ok),
    Question("api", "What style of API?", "http for most web APIs; rest, graphql, or websocket for two-way "
             "connections", "choice", "style of the API", lambda ctx: "http", applies=_is("api"),
             choices=lambda ctx: API_STYLES),
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
    Question("needs.content_filtering", "Do those who react want only some events?",
             "yes if each picks events by their content, e.g. only orders above 100", "yesno",
             "consumers pick events by content", lambda ctx: False,
             applies=lambda ctx: bool(ctx.flow.get("consumers"))),
    Question("external_targets", "Outside services that must receive the events?",
             "SaaS or partner systems, separated by commas, e.g. Salesforce, Zendesk; empty for none", "strings",
             "outside systems that get the events", lambda ctx: []),
    Question("message_size", "How big is one request or event?", "typical payload, e.g. 2KB, 300KB, 2MB", "size",
             "typical payload", lambda ctx: "1KB"),
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
    from .schemacheck import did_you_mean

    hint = did_you_mean(str(value).strip().lower(), options)
    raise ValueError(f"'{str(value).strip()}' is not one of: {', '.join(options)}" + (f"; {hint}" if hint else ""))


def parse_answer(q: Question, value: Any, ctx: Ctx) -> Any:
    """An answer (typed text or a value from an answers file) as its canonical value.

    Raises ``ValueError`` whose message says what was expected. Canonical
    values parse to themselves, so a stored answer can be checked again
    after an earlier answer changed.
    """
    kind = q.kind
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
    elif kind == "slugs":
        out = _unique([_slug(item) for item in _list(value)])
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


# --- the session: answers, what comes next, going back ----------------------------------------------------------

Slot = tuple  # ("top", key) | ("flow", index, key) | ("more", index)


class Session:
    """The answers given so far and the order they were given in.

    Answers are kept per flow as ``{question key: canonical value}``. What to
    ask next is always recomputed (:meth:`pending`), so changing an earlier
    answer makes newly relevant questions appear and re-checks later answers.
    """

    def __init__(self, suggested_name: str = "my-system"):
        self.suggested_name = suggested_name
        self.top: dict[str, Any] = {}
        self.flows: list[dict[str, Any]] = [{}]
        self.more: list[bool | None] = [None]  # answer to "add another flow?" after each flow
        self.previous: dict[Slot, Any] = {}  # answers taken back, offered again as defaults
        self.history: list[Slot] = []  # answered slots, in order, for 'back'
        self.stale: dict[Slot, str] = {}  # slots whose earlier answer no longer fits, and why

    # -- reading
    def ctx(self, index: int) -> Ctx:
        return Ctx(self.flows[index], tuple(self.flows[:index]), index, self.suggested_name)

    def question(self, slot: Slot) -> tuple[Question | None, Ctx]:
        if slot[0] == "top":
            return TOP_BY_KEY[slot[1]], Ctx(suggested_name=self.suggested_name)
        if slot[0] == "flow":
            return FLOW_BY_KEY[slot[2]], self.ctx(slot[1])
        return None, self.ctx(slot[1])

    def value(self, slot: Slot) -> Any:
        if slot[0] == "top":
            return self.top.get(slot[1])
        if slot[0] == "flow":
            return self.flows[slot[1]].get(slot[2])
        return self.more[slot[1]]

    def has(self, slot: Slot) -> bool:
        if slot[0] == "top":
            return slot[1] in self.top
        if slot[0] == "flow":
            return slot[2] in self.flows[slot[1]]
        return self.more[slot[1]] is not None

    def default(self, slot: Slot) -> Any:
        """The earlier answer to this slot when there is one that still fits, else the question's default."""
        q, ctx = self.question(slot)
        if q is None:
            return self.previous.get(slot, False)
        if slot in self.previous:
            try:
                return parse_answer(q, self.previous[slot], ctx)
            except ValueError:
                pass
        return q.default(ctx)

    def pending(self) -> Slot | None:
        """The next slot to ask. A stored answer that no longer fits is taken back
        (kept as the default) and its slot returned, with the reason in ``stale``."""
        for q in TOP_QUESTIONS:
            slot = ("top", q.key)
            if not self._fits(slot, q, Ctx(suggested_name=self.suggested_name)):
                return slot
        for i in range(len(self.flows)):
            for q in FLOW_QUESTIONS:
                ctx = self.ctx(i)
                if q.applies(ctx) and not self._fits(("flow", i, q.key), q, ctx):
                    return ("flow", i, q.key)
            if self.more[i] is None:
                return ("more", i)
        return None

    def _fits(self, slot: Slot, q: Question, ctx: Ctx) -> bool:
        if not self.has(slot):
            return False
        value = self.value(slot)
        try:
            parse_answer(q, value, ctx)
        except ValueError as exc:
            self.stale[slot] = str(exc)
            self._take_back(slot)
            return False
        return True

    def applicable(self, index: int) -> dict[str, Any]:
        """Flow ``index``'s answers to the questions that apply, in table order."""
        ctx = self.ctx(index)
        return {q.key: ctx.flow[q.key] for q in FLOW_QUESTIONS if q.key in ctx.flow and q.applies(ctx)}

    def answers(self) -> dict[str, Any]:
        """Everything answered that applies: ``{"name": ..., "flows": [{key: value}]}``."""
        return {**self.top, "flows": [self.applicable(i) for i in range(len(self.flows))]}

    # -- writing
    def set(self, slot: Slot, value: Any, *, record: bool = True) -> None:
        """Store a checked answer. ``record`` puts it in the history that ``back`` walks."""
        self.stale.pop(slot, None)
        if slot[0] == "top":
            self.top[slot[1]] = value
        elif slot[0] == "flow":
            self.flows[slot[1]][slot[2]] = value
        else:
            i = slot[1]
            self.more[i] = bool(value)
            if value and i == len(self.flows) - 1:
                self.flows.append({})
                self.more.append(None)
        if record:
            self.history.append(slot)

    def _take_back(self, slot: Slot) -> None:
        if not self.has(slot):
            return
        self.previous[slot] = self.value(slot)
        if slot[0] == "top":
            del self.top[slot[1]]
        elif slot[0] == "flow":
            del self.flows[slot[1]][slot[2]]
        else:
            i = slot[1]
            self.more[i] = None
            if i + 1 < len(self.flows):  # "yes, another flow" taken back: drop the flows after it
                for j in range(i + 1, len(self.flows)):
                    for key, value in self.flows[j].items():
                        self.previous[("flow", j, key)] = value
                del self.flows[i + 1:]
                del self.more[i + 1:]
        if slot in self.history:
            self.history.remove(slot)

    def back(self) -> Slot | None:
        """Take back the last answer given here (it becomes the default); None when there is none."""
        while self.history:
            slot = self.history[-1]
            if self.has(slot):
                self._take_back(slot)
                return slot
            self.history.pop()
        return None

    def redo_flow(self, index: int) -> None:
        """Ask flow ``index`` again, its answers offered as defaults."""
        for key in list(self.flows[index]):
            self._take_back(("flow", index, key))

    def redo(self, slot: Slot) -> None:
        self._take_back(slot)

    def add_flow(self) -> None:
        self.more[-1] = True
        self.flows.append({})
        self.more.append(None)

    def delete_flow(self, index: int) -> None:
        """Remove a flow; flows that started after it are asked for a new 'after'."""
        if len(self.flows) == 1:
            raise ValueError("a workload has at least one flow")
        del self.flows[index]
        del self.more[index]
        self.more[-1] = False
        self.previous = {s: v for s, v in self.previous.items() if s[0] == "top" or s[1] < index}
        self.history = [s for s in self.history if s[0] == "top" or s[1] < index]


# --- the interview: questions, then a summary to confirm or go back on -----------------------------------------

class IO(Protocol):
    """Where the interview talks. ``ask`` may raise KeyboardInterrupt or EOFError."""

    def say(self, text: str) -> None: ...

    def ask(self, prompt: str) -> str: ...


class Aborted(Exception):
    """The user chose to quit at the summary."""


def label(slot: Slot) -> str:
    if slot[0] == "top":
        return "System"
    if slot[0] == "flow":
        return f"Flow {slot[1] + 1}"
    return f"After flow {slot[1] + 1}"


def details(q: Question, ctx: Ctx) -> str:
    """The longer help shown for '?'."""
    lines = [f"  {q.help}"]
    if q.choices:
        for i, option in enumerate(q.choices(ctx), 1):
            meaning = q.meanings.get(option)
            lines.append(f"    {i}. {option}" + (f": {meaning}" if meaning else ""))
    lines.append("  Enter keeps the default in brackets; 'back' returns to the previous question.")
    return "\n".join(lines)


def ask_one(session: Session, slot: Slot, io: IO) -> None:
    """Ask one slot until the answer is valid; store it. 'back' takes back the previous answer instead."""
    q, ctx = session.question(slot)
    default = session.default(slot)
    if slot in session.stale:
        io.say(f"  ! the earlier answer '{show(session.previous.get(slot))}' does not fit: {session.stale[slot]}")
    if q is None:
        io.say(f"\n{label(slot)}: {MORE_HELP}")
        prompt = f"{MORE_PROMPT} [{show(bool(default))}]: "
    else:
        io.say(f"\n{label(slot)} - {q.prompt}\n  {q.help}"
               + (f"\n  choices: {', '.join(q.choices(ctx))}" if q.choices else ""))
        prompt = f"{q.key} [{show(default)}]: "
    while True:
        text = io.ask(prompt).strip()
        if text.lower() == "back":
            if session.back() is None:
                io.say("  (this is the first question)")
                continue
            return
        if text == "?":
            io.say(details(q, ctx) if q else f"  {MORE_HELP}")
            continue
        try:
            if q is None:
                value = _yesno(text) if text else bool(default)
            else:
                value = default if text == "" else parse_answer(q, text, ctx)
                if text == "":
                    value = parse_answer(q, value, ctx)
        except ValueError as exc:
            io.say(f"  error: {exc}")
            continue
        session.set(slot, value)
        return


def ask_all(session: Session, io: IO) -> None:
    while (slot := session.pending()) is not None:
        ask_one(session, slot, io)


def summary(session: Session) -> str:
    lines = ["", f"Summary of '{session.top.get('name', '?')}':"]
    for i in range(len(session.flows)):
        answers = session.applicable(i)
        lines.append(f"  {i + 1}. {answers.get('name', '?')}")
        for key, value in answers.items():
            if key != "name":
                lines.append(f"       {key}: {show(value)}")
    return "\n".join(lines)


REVIEW_PROMPT = "Write the file? [yes] (or: a flow number, '<n> <field>', name, add, delete <n>, back, quit): "


def review(session: Session, io: IO, answer: str) -> bool | None:
    """Act on one answer at the summary: True to write, None to go on, ``Aborted`` to quit.

    ``ValueError`` says the answer was not understood.
    """
    words = answer.strip().split()
    if not words or words[0].lower() in ("y", "yes", "write", "w"):
        return True
    head = words[0].lower()
    n = len(session.flows)
    if head in ("q", "quit", "n", "no", "abort"):
        raise Aborted()
    if head == "back":
        if session.back() is None:
            raise ValueError("there is nothing to go back to")
        return None
    if head == "name" and len(words) == 1:
        session.redo(("top", "name"))
        return None
    if head == "add":
        session.add_flow()
        return None
    if head == "delete" and len(words) == 2 and words[1].isdigit() and 1 <= int(words[1]) <= n:
        session.delete_flow(int(words[1]) - 1)
        return None
    index = _flow_index(head, session)
    if index is not None and len(words) == 1:
        session.redo_flow(index)
        return None
    if index is not None and len(words) == 2:
        ctx = session.ctx(index)
        q = FLOW_BY_KEY.get(words[1])
        if q is None or not q.applies(ctx):
            keys = [k for k in FLOW_BY_KEY if FLOW_BY_KEY[k].applies(ctx)]
            from .schemacheck import did_you_mean

            hint = did_you_mean(words[1], keys)
            raise ValueError(f"flow {index + 1} has no question '{words[1]}'"
                             + (f"; {hint}" if hint else f"; one of: {', '.join(keys)}"))
        session.redo(("flow", index, q.key))
        return None
    raise ValueError(f"not understood: '{answer.strip()}'")


def _flow_index(word: str, session: Session) -> int | None:
    if word.isdigit() and 1 <= int(word) <= len(session.flows):
        return int(word) - 1
    for i, f in enumerate(session.flows):
        if f.get("name") == word:
            return i
    return None


def interview(session: Session, io: IO, check: Callable[[dict], list[str]] | None = None) -> dict[str, Any]:
    """Ask everything still open, then show the summary until the user confirms.

    ``check(answers)`` may return problems that stop the write (the final
    load of the document); they are shown and the summary asked again.
    Raises :class:`Aborted` if the user quits; KeyboardInterrupt/EOFError pass through.
    """
    while True:
        ask_all(session, io)
        io.say(summary(session))
        problems = check(session.answers()) if check else []
        for p in problems:
            io.say(f"  error: {p}")
        try:
            done = review(session, io, io.ask(REVIEW_PROMPT))
        except ValueError as exc:
            io.say(f"  error: {exc}")
            continue
        if done and not problems:
            return session.answers()
        if done:
            io.say("  fix the problems above first (type a flow number or '<n> <field>')")


# --- without asking ---------------------------------------------------------------------------------------------

def _field(index: int | None, key: str) -> str:
    return key if index is None else f"flows[{index}].{key}"


def preset(session: Session, data: Mapping[str, Any], where: Callable[[tuple], Location | None] = lambda p: None,
           ) -> list[Problem]:
    """Put answers (``{"name": ..., "flows": [{key: value}]}``, keys already flat) into a
    session as given, unchecked: :meth:`Session.pending` checks them in order.
    Returns the problems found now: unknown keys."""
    from .schemacheck import did_you_mean

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
    from .yamlio import loads, read_text

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
        "flows:  # the business operations",
    ]
    for flow in answers["flows"]:
        unknown = set(flow) - set(FLOW_BY_KEY)
        if unknown:
            raise ValueError(f"unknown answers {sorted(unknown)}")
        first, group = True, None
        for q in FLOW_QUESTIONS:
            if q.key not in flow:
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
