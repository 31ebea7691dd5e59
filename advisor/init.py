"""``advisor init``: ask about the system, write a commented workload file, offer the recommendation.

The questions themselves live in :mod:`advisor.questionnaire` (pure, tested
without a terminal). This module does the parts that touch the world: is
there a terminal, read the answers file, write the file atomically
(:func:`advisor.writer.write_single`), and run ``advisor recommend``.

Exit codes follow the contract of every command (0 done, 2 nothing written):
Ctrl-C, end of input or 'quit' at the summary print "aborted, nothing
written" and return 2, like any other run that writes nothing.

``python -m advisor.init FILE [options]`` runs it without the typer CLI.
"""
from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Callable, Mapping, TextIO

from .errors import EXIT_OK, EXIT_USAGE, Problem, UserError

ABORTED = "aborted, nothing written"
NO_TERMINAL = ("advisor init asks questions and needs a terminal, but its input is not one. "
               "In scripts and CI use --defaults (take every default), or --non-interactive with "
               "--answers FILE and/or --name/--set KEY=VALUE.")
_SET = re.compile(r"^((\d+)\.)?([a-z_]+(\.[a-z_]+)?)=(.*)$", re.S)


class TerminalIO:
    """The interview's IO on a terminal: plain ``input()`` prompts (readline editing works)."""

    def __init__(self, out: TextIO | None = None):
        self.out = out or sys.stdout

    def say(self, text: str) -> None:
        self.out.write(text + "\n")
        self.out.flush()

    def ask(self, prompt: str) -> str:
        return input(prompt)


def suggested_name(out: Path) -> str:
    """A system name from the file name (``shop.yaml`` -> ``shop``), else ``my-system``."""
    from .questionnaire import slugify

    stem = out.name.split(".")[0]
    name = slugify(stem)
    return name if name and stem not in ("workload", "") else "my-system"


def parse_sets(items: list[str]) -> dict[str, str]:
    """``--set KEY=VALUE`` options as flag answers: ``traffic.peak=400/s`` (flow 1), ``2.after=checkout``."""
    out: dict[str, str] = {}
    for item in items:
        m = _SET.match(item)
        if not m:
            raise UserError(Problem(f"cannot read {item!r}", field="--set",
                                    expected="KEY=VALUE or N.KEY=VALUE, e.g. --set traffic.peak=400/s "
                                             "or --set 2.after=checkout"))
        key = f"{m.group(2)}.{m.group(3)}" if m.group(2) else m.group(3)
        out[key] = m.group(5)
    return out


def flags_from_options(*, name: str | None = None, flow: str | None = None, trigger: str | None = None,
                       duration: str | None = None, sets: list[str] | None = None) -> dict[str, Any]:
    """The CLI's answer options as the ``flags`` of :func:`run_init` (``--set`` wins over the named ones
    only for flow keys it names; ``--name`` is the system)."""
    flags: dict[str, Any] = {"name": name, "1.name": flow, "1.trigger": trigger, "1.duration": duration}
    flags.update(parse_sets(sets or []))
    return {k: v for k, v in flags.items() if v is not None}


def run_init(out: Path, *, force: bool = False, non_interactive: bool = False, defaults: bool = False,
             answers: Path | None = None, flags: Mapping[str, Any] | None = None, offer_recommend: bool = True,
             io=None, err: TextIO | None = None, is_tty: Callable[[], bool] | None = None) -> int:
    """Run ``advisor init``; returns the exit code (0 written, 2 nothing written).

    ``io`` (say/ask) replaces the terminal, ``err`` stderr and ``is_tty`` the
    terminal check, for tests.
    """
    from . import questionnaire as qn

    err = err or sys.stderr
    out = Path(out)

    def fail(problems) -> int:
        for p in (problems if isinstance(problems, list) else [problems]):
            err.write(f"{p}\n")
        return EXIT_USAGE

    if out.is_dir():
        return fail(f"{out}: is a folder; name the workload file to write, e.g. {out / 'workload.yaml'}")
    if out.exists() and not force:  # say it before asking anything, not after 30 questions
        return fail(f"{out}: exists; not overwritten (re-run with --force to replace it)")
    try:
        data, where = qn.answers_from_file(answers) if answers else ({}, lambda p: None)
        data = qn.merge_flags(data, flags or {})
    except UserError as exc:
        return fail(exc.problems)

    interactive = not (non_interactive or defaults)
    if interactive:
        if io is None and not (is_tty or _stdin_is_tty)():
            return fail(NO_TERMINAL)
        io = io or TerminalIO()
        session = qn.Session(suggested_name(out))
        problems = qn.preset(session, data, where)
        if problems:
            return fail(problems)
        io.say(f"Describe your system in a few questions; advisor writes {out}.\n"
               "Enter keeps the default in [brackets], '?' explains a question, 'back' returns to the previous one.")
        try:
            result = qn.interview(session, io, check=lambda a: _problems(a, out))
        except (KeyboardInterrupt, EOFError, qn.Aborted):
            io.say("")
            err.write(f"{ABORTED}\n")
            return EXIT_USAGE
    else:
        try:
            result = qn.complete(data, use_defaults=defaults, suggested_name=suggested_name(out), where=where)
        except UserError as exc:
            return fail(exc.problems)
        problems = _problems(result, out)
        if problems:
            return fail(problems)

    text = qn.build_document(result, file_name=out.name)
    from .writer import write_single

    try:
        status = write_single(out, text.encode("utf-8"), force=force)
    except UserError as exc:
        return fail(exc.problems)
    except KeyboardInterrupt:
        err.write(f"{ABORTED}\n")
        return EXIT_USAGE
    n = len(result["flows"])
    err.write(f"{out}: {'written' if status != 'identical' else 'unchanged'} "
              f"(workload '{result['name']}', {n} flow{'s' if n != 1 else ''})\n")
    if interactive and offer_recommend:
        try:
            offer(out, io, err)
        except (KeyboardInterrupt, EOFError):
            io.say("")
    else:
        err.write(f"next: advisor recommend {out}\n")
    return EXIT_OK


def _problems(answers: dict, out: Path) -> list[str]:
    """What the workload loader says about the document these answers make (normally nothing)."""
    from .questionnaire import build_document
    from .workload import load_text

    try:
        load_text(build_document(answers, file_name=out.name), str(out))
    except UserError as exc:
        return [str(p) for p in exc.problems]
    return []


def _stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (AttributeError, ValueError):
        return False


def recommend_available() -> bool:
    """True once the CLI has a ``recommend`` command (the engine is written separately)."""
    import importlib.util

    if importlib.util.find_spec("advisor.engine") is None:
        return False
    from . import cli

    return any((c.name or (c.callback.__name__ if c.callback else "")) == "recommend"
               for c in cli.app.registered_commands)


def offer(out: Path, io, err: TextIO) -> None:
    """Offer to show the recommendation now: ``advisor recommend FILE`` in a child process."""
    import subprocess

    text = io.ask("Show the recommendation for it now? [yes]: ").strip().lower()
    if text not in ("", "y", "yes"):
        err.write(f"next: advisor recommend {out}\n")
        return
    if not recommend_available():
        io.say(f"This version of advisor cannot recommend yet; when it can, run: advisor recommend {out}")
        return
    subprocess.run([sys.executable, "-m", "advisor", "recommend", str(out)], check=False)


def main(argv: list[str] | None = None) -> int:
    """``python -m advisor.init``: the same options as ``advisor init``, without typer."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m advisor.init",
                                 description="Write a workload file by answering questions.")
    ap.add_argument("file", nargs="?", default="workload.yaml")
    ap.add_argument("--force", action="store_true")
    ap.add_argument("--non-interactive", action="store_true")
    ap.add_argument("--defaults", action="store_true")
    ap.add_argument("--answers", type=Path)
    ap.add_argument("--name")
    ap.add_argument("--flow")
    ap.add_argument("--trigger")
    ap.add_argument("--duration")
    ap.add_argument("--set", dest="sets", action="append", default=[], metavar="KEY=VALUE")
    ap.add_argument("--no-recommend", action="store_true")
    args = ap.parse_args(argv)
    try:
        flags = flags_from_options(name=args.name, flow=args.flow, trigger=args.trigger, duration=args.duration,
                                   sets=args.sets)
    except UserError as exc:
        for p in exc.problems:
            sys.stderr.write(f"{p}\n")
        return EXIT_USAGE
    return run_init(Path(args.file), force=args.force, non_interactive=args.non_interactive,
                    defaults=args.defaults, answers=args.answers, flags=flags,
                    offer_recommend=not args.no_recommend)


if __name__ == "__main__":
    sys.exit(main())
