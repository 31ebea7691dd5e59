"""The one error type users see, and the exit codes of every command.

Anything a user can get wrong (a workload file, a rule file, a command-line
value, an existing file in the way) is raised as a :class:`UserError` and
turned into a message and exit code 2 by the single error boundary in
``cli.py``. Any other exception is a bug in advisor and shows a traceback.
"""
from __future__ import annotations

from typing import NamedTuple

EXIT_OK = 0
EXIT_FAIL = 1  # done, and a CI job should fail (drift, findings at or above --fail-on)
EXIT_USAGE = 2  # bad input or command line: nothing decided or written


class Location(NamedTuple):
    """A position in a file, 1-based line and column.

    A named tuple rather than a frozen dataclass: the loader makes one per YAML
    value (200,000 for a 10,000-flow workload), and a tuple is made several
    times faster.
    """

    file: str
    line: int
    column: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"

    def to_dict(self) -> dict:
        return {"file": self.file, "line": self.line, "column": self.column}


class Problem(NamedTuple):
    """One thing wrong with an input: where, which field, what, what was expected.

    (Named tuples here, not dataclasses: this module is imported by every command before anything else, and
    building dataclasses at import time costs about a millisecond each.)
    """

    message: str
    location: Location | None = None
    field: str | None = None
    expected: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        parts = []
        if self.location is not None:
            parts.append(f"{self.location}: ")
        if self.field:
            parts.append(f"{self.field}: ")
        parts.append(self.message)
        if self.expected:
            parts.append(f"; expected {self.expected}")
        if self.hint:
            parts.append(f" ({self.hint})")
        return "".join(parts)


class AdvisorError(Exception):
    """Base of advisor's own errors."""


class UserError(AdvisorError):
    """Bad input: carries every problem found, each with its location."""

    def __init__(self, problems: "list[Problem] | Problem | str", location: Location | None = None):
        if isinstance(problems, str):
            problems = [Problem(problems, location)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


class WorkloadError(UserError):
    """A workload file that cannot be read or is not valid."""


class RuleError(UserError):
    """A rule file that cannot be loaded."""


class TemplateError(UserError):
    """A template fragment that cannot be rendered."""


class ConflictError(UserError):
    """Generated files would overwrite files a user changed."""
