"""The answers so far, what to ask next, going back; the interview over an injected IO."""
from __future__ import annotations

from typing import Any, Callable, Protocol


from .questions import (FLOW_BY_KEY, FLOW_QUESTIONS, MORE_HELP, MORE_PROMPT, TOP_BY_KEY, TOP_QUESTIONS, Ctx,
                        Question, _yesno, parse_answer, show)

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
        # Flows before this index fit, as checked by `pending` since they last changed. A flow's questions
        # depend only on the flows before it, so a change to flow i leaves flows 0..i-1 as they were: each
        # answer re-checks from the flow it changed, not from the first (10,000 flows of answers were cubic).
        self._verified = 0

    def _changed(self, index: int) -> None:
        self._verified = min(self._verified, max(index, 0))

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
        for i in range(min(self._verified, len(self.flows)), len(self.flows)):
            for q in FLOW_QUESTIONS:
                ctx = self.ctx(i)
                if q.applies(ctx) and not self._fits(("flow", i, q.key), q, ctx):
                    return ("flow", i, q.key)
            if self.more[i] is None:
                return ("more", i)
            self._verified = i + 1
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
        if slot[0] != "top":
            self._changed(slot[1])
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
        if slot[0] != "top":
            self._changed(slot[1])
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
        self._changed(len(self.flows) - 1)
        self.more[-1] = True
        self.flows.append({})
        self.more.append(None)

    def delete_flow(self, index: int) -> None:
        """Remove a flow; flows that started after it are asked for a new 'after'."""
        if len(self.flows) == 1:
            raise ValueError("a workload has at least one flow")
        self._changed(index - 1)
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


def details(q: Question, ctx: Ctx, top: bool = False) -> str:
    """The longer help shown for '?': why the answer matters (what it changes in the decision), then the choices."""
    from .why import why

    lines = [f"  {q.help}"]
    reason = why(f"top.{q.key}" if top else q.key)
    if reason:
        lines.append(f"  Why it matters: {reason}")
    if q.choices:
        for i, option in enumerate(q.choices(ctx), 1):
            meaning = q.meanings.get(option)
            lines.append(f"    {i}. {option}" + (f": {meaning}" if meaning else ""))
    lines.append("  Enter keeps the default in brackets; 'back' returns to the previous question.")
    return "\n".join(lines)


def _choices(q: Question, ctx: Ctx) -> str:
    """The choices under a question: one per line with its meaning when the table gives meanings."""
    if not q.choices:
        return ""
    options = q.choices(ctx)
    if not q.meanings:
        return f"\n  choices: {', '.join(options)}"
    return "".join(f"\n    {i}. {o}: {q.meanings.get(o, '')}" for i, o in enumerate(options, 1))


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
        io.say(f"\n{label(slot)} - {q.prompt}\n  {q.help}" + _choices(q, ctx) + "\n  ('?' says why it matters)")
        prompt = f"{q.key} [{show(default)}]: "
    while True:
        text = io.ask(prompt).strip()
        if text.lower() == "back":
            if session.back() is None:
                io.say("  (this is the first question)")
                continue
            return
        if text == "?":
            io.say(details(q, ctx, top=slot[0] == "top") if q else f"  {MORE_HELP}")
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
            from ..schemacheck import did_you_mean

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


