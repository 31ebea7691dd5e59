"""Parsing of the workload file's value formats: rates, durations and sizes.

One source of truth for the forms of docs/workload-v1.md, used by the
loader, by ``advisor init`` and by anything else that reads such a value.
Each parser returns a finite float (or int for sizes) or raises
``ValueError`` whose message says what was expected.
"""
from __future__ import annotations

import math
import re

RATE_FORM = ("a rate: a number per second, or '<number>[k|M]/<s|min|h|day|month>' (month = 30 days), e.g. 20/s, "
             "1.5k/min, 2M/month; plain forms such as '200 per day' or '5 orders a minute' are read too")
DURATION_FORM = ("a duration: a number of seconds, or '<number><ms|s|m|h|d>' parts, e.g. 800ms, 45s, 5m, 1h30m, 3d; "
                 "plain forms such as '2 seconds' or '1 hour 30 minutes' are read too")
SIZE_FORM = "a size: a number of bytes, or '<number><B|KB|MB>' (1 KB = 1024 B), e.g. 4KB, 300KB, 2MB"

MULTIPLIERS = {"": 1.0, "k": 1e3, "M": 1e6}
# Unit words, canonical ones first. Plain words ("seconds", "a day") are unambiguous, so they are read as well;
# a month is 30 days, and a bare "m" means minutes in a duration (there is no month duration).
RATE_UNITS = {"s": 1.0, "min": 60.0, "h": 3600.0, "day": 86400.0, "month": 30 * 86400.0,
              "sec": 1.0, "secs": 1.0, "second": 1.0, "seconds": 1.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
              "hr": 3600.0, "hour": 3600.0, "hours": 3600.0, "d": 86400.0, "days": 86400.0,
              "week": 7 * 86400.0, "weeks": 7 * 86400.0, "months": 30 * 86400.0}
DURATION_UNITS = {"ms": 0.001, "s": 1.0, "m": 60.0, "h": 3600.0, "d": 86400.0,
                  "msec": 0.001, "millisecond": 0.001, "milliseconds": 0.001, "sec": 1.0, "secs": 1.0,
                  "second": 1.0, "seconds": 1.0, "min": 60.0, "mins": 60.0, "minute": 60.0, "minutes": 60.0,
                  "hr": 3600.0, "hrs": 3600.0, "hour": 3600.0, "hours": 3600.0, "day": 86400.0, "days": 86400.0,
                  "week": 7 * 86400.0, "weeks": 7 * 86400.0}
SIZE_UNITS = {"B": 1, "KB": 1024, "MB": 1024 * 1024}


def _one_of(words) -> str:
    return "(" + "|".join(sorted(words, key=lambda w: (-len(w), w))) + ")"  # longest first: "min" before "m"


_NUM = r"(\d+(?:\.\d+)?|\.\d+)"
# The full patterns, also in advisor/schemas/workload.schema.json ($defs rate, duration, size): a test keeps
# them equal. A rate is "<number>[k|M]" then "/unit", or "[a word] per|a|an unit" ("200 orders per day").
RATE_PATTERN = (rf"^\s*{_NUM}\s*([kM]?)\s*(?:/\s*|\s(?:[a-z]+\s+)?(?:per|a|an)\s+){_one_of(RATE_UNITS)}\s*$")
_DURATION_PART = rf"{_NUM}\s*{_one_of(DURATION_UNITS)}"
DURATION_PATTERN = rf"^\s*{_DURATION_PART}(?:\s*(?:,\s*|and\s+)?{_DURATION_PART})*\s*$"
SIZE_PATTERN = rf"^\s*{_NUM}\s*(B|KB|MB)\s*$"
_RATE_RE = re.compile(RATE_PATTERN)
_DURATION_RE = re.compile(DURATION_PATTERN)
_DURATION_PART_RE = re.compile(_DURATION_PART)
_SIZE_RE = re.compile(SIZE_PATTERN)


MAX_VALUE = 10 ** 15
"""The largest number a rate (per second), a duration (in seconds) or a size (in bytes) may reach, in the
file or after units are applied. Real workloads stay far below it (a million events per second, a year of
3.2e7 seconds, a 5 TB S3 object), floats are still exact to the unit there, and anything larger is a typo
or a hostile file: it is refused with a message, never turned into ``inf`` or an ``OverflowError``."""


def _number(value: object, what: str = "a number") -> float | None:
    """A YAML number (not a bool) as a float, or None when it is not a number. Integers are bounded before
    the conversion (a 400-digit integer does not fit a float)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, int) and abs(value) > MAX_VALUE:
        digits = len(str(abs(value))) if value.bit_length() < 10_000 else int(value.bit_length() * 0.30103) + 1
        raise ValueError(f"{what} of {digits:,} digits is larger than advisor accepts "
                         f"(at most {MAX_VALUE:.0e})")
    return float(value)


def _check_finite(x: float, what: str, allow_zero: bool) -> float:
    if math.isnan(x) or math.isinf(x):
        raise ValueError(f"{what} must be finite, not {x}")
    if x > MAX_VALUE:
        raise ValueError(f"{what} of {x:.3g} is larger than advisor accepts (at most {MAX_VALUE:.0e})")
    if x < 0 or (x == 0 and not allow_zero):
        raise ValueError(f"{what} must be {'zero or more' if allow_zero else 'more than zero'}")
    return x


def parse_rate(value: object) -> float:
    """Events per second from ``20/s``, ``1.5k/min``, ``2M/month`` or a number."""
    n = _number(value, "a rate")
    if n is None:
        if not isinstance(value, str):
            raise ValueError(f"not a rate: {value!r}")
        m = _RATE_RE.match(value)
        if not m:
            raise ValueError(f"cannot read {value!r} as a rate")
        n = float(m.group(1)) * MULTIPLIERS[m.group(2)] / RATE_UNITS[m.group(3)]
    return _check_finite(n, "a rate", allow_zero=False)


def parse_duration(value: object) -> float:
    """Seconds from ``800ms``, ``45s``, ``1h30m``, ``3d`` or a number."""
    n = _number(value, "a duration")
    if n is None:
        if not isinstance(value, str):
            raise ValueError(f"not a duration: {value!r}")
        if not _DURATION_RE.match(value):
            raise ValueError(f"cannot read {value!r} as a duration")
        n = sum(float(m.group(1)) * DURATION_UNITS[m.group(2)] for m in _DURATION_PART_RE.finditer(value))
    return _check_finite(n, "a duration", allow_zero=False)


def parse_size(value: object) -> int:
    """Bytes from ``4KB``, ``300KB``, ``2MB`` or a number (1 KB = 1024 B)."""
    n = _number(value, "a size")
    if n is None:
        if not isinstance(value, str):
            raise ValueError(f"not a size: {value!r}")
        m = _SIZE_RE.match(value)
        if not m:
            raise ValueError(f"cannot read {value!r} as a size")
        n = float(m.group(1)) * SIZE_UNITS[m.group(2)]
    _check_finite(n, "a size", allow_zero=False)
    return int(math.ceil(n))


def format_rate(per_second: float) -> str:
    """A rate for people: ``400/s``, ``1.5/min``, ``1/day``."""
    for unit, div in (("s", 1.0), ("min", 60.0), ("h", 3600.0), ("day", 86400.0)):
        v = per_second * div
        if v >= 1 or unit == "day":
            return f"{_short(v)}/{unit}"
    return f"{per_second:g}/s"  # pragma: no cover - the loop always returns


def format_duration(seconds: float) -> str:
    """A duration for people: ``800ms``, ``8s``, ``40m``, ``2d``."""
    if seconds < 1:
        return f"{_short(seconds * 1000)}ms"
    for unit, size in (("d", 86400.0), ("h", 3600.0), ("m", 60.0)):
        if seconds >= size and (seconds / size) == int(seconds / size):
            return f"{int(seconds / size)}{unit}"
    return f"{_short(seconds)}s"


def format_size(nbytes: int) -> str:
    """A size for people: ``1KB``, ``300KB``, ``2MB``, ``17B``; exact bytes
    (``262145B``) when rounding would hide the difference from a round size."""
    for unit, size in (("MB", 1024 * 1024), ("KB", 1024)):
        if nbytes >= size:
            text = _short(nbytes / size)
            if float(text) * size != nbytes and nbytes % 1024:
                return f"{nbytes}B"
            return f"{text}{unit}"
    return f"{nbytes}B"


def _short(v: float) -> str:
    if v == int(v):
        return str(int(v))
    return f"{v:.3g}" if v < 100 else f"{v:.0f}"
