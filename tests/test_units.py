"""The value formats of the workload spec: rates, durations, sizes, and their errors."""
from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from advisor import units

DAY = 86400.0


@pytest.mark.parametrize("text, per_second", [
    (20, 20.0), (2.5, 2.5), (0.001, 0.001),
    ("20/s", 20.0), ("20/sec", 20.0), ("1.5k/min", 25.0), ("2M/month", 2e6 / (30 * DAY)),
    ("3/h", 3 / 3600), ("3/hour", 3 / 3600), ("100/day", 100 / DAY), ("100/d", 100 / DAY),
    (".5/s", 0.5), ("0.5k/s", 500.0), (" 7 / min ", 7 / 60), ("1M/s", 1e6),
])
def test_parse_rate(text, per_second):
    assert units.parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text, seconds", [
    (12, 12.0), (0.25, 0.25), ("800ms", 0.8), ("45s", 45.0), ("5m", 300.0), ("2h", 7200.0), ("3d", 3 * DAY),
    ("1h30m", 5400.0), ("1d12h", 1.5 * DAY), ("10m 30s", 630.0), ("1.5s", 1.5), (".5m", 30.0),
    ("1m1s1ms", 61.001),
])
def test_parse_duration(text, seconds):
    assert units.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text, nbytes", [
    (2048, 2048), (1, 1), ("512B", 512), ("4KB", 4096), ("300KB", 300 * 1024), ("2MB", 2 * 1024 * 1024),
    ("1.5KB", 1536), ("0.1KB", 103), (" 8 KB ", 8192), (10.2, 11),
])
def test_parse_size(text, nbytes):
    assert units.parse_size(text) == nbytes
    assert isinstance(units.parse_size(text), int)


BAD = [
    # parser, value, fragment of the message
    (units.parse_rate, "five per second", "cannot read 'five per second' as a rate"),
    (units.parse_rate, "-5/s", "cannot read"),
    (units.parse_rate, "5/year", "cannot read"),
    (units.parse_rate, "5k", "cannot read"),
    (units.parse_rate, "5K/s", "cannot read"),  # k is lowercase, M uppercase
    (units.parse_rate, "", "cannot read"),
    (units.parse_rate, -5, "more than zero"),
    (units.parse_rate, 0, "more than zero"),
    (units.parse_rate, "0/s", "more than zero"),
    (units.parse_rate, math.inf, "finite"),
    (units.parse_rate, math.nan, "finite"),
    (units.parse_rate, True, "not a rate"),
    (units.parse_rate, None, "not a rate"),
    (units.parse_rate, [5], "not a rate"),
    (units.parse_duration, "8 parsecs", "cannot read '8 parsecs' as a duration"),
    (units.parse_duration, "2w", "cannot read"),
    (units.parse_duration, "-8s", "cannot read"),
    (units.parse_duration, "1h 30", "cannot read"),
    (units.parse_duration, "h", "cannot read"),
    (units.parse_duration, "", "cannot read"),
    (units.parse_duration, "forever", "cannot read"),
    (units.parse_duration, 0, "more than zero"),
    (units.parse_duration, "0s", "more than zero"),
    (units.parse_duration, "0h0m", "more than zero"),
    (units.parse_duration, -1, "more than zero"),
    (units.parse_duration, math.inf, "finite"),
    (units.parse_duration, False, "not a duration"),
    (units.parse_size, "4GB", "cannot read '4GB' as a size"),
    (units.parse_size, "4kb", "cannot read"),
    (units.parse_size, "KB", "cannot read"),
    (units.parse_size, "-1KB", "cannot read"),
    (units.parse_size, 0, "more than zero"),
    (units.parse_size, "0KB", "more than zero"),
    (units.parse_size, -1, "more than zero"),
    (units.parse_size, math.inf, "finite"),
    (units.parse_size, {"a": 1}, "not a size"),
]


def _id(x) -> str:  # stable across processes (pytest-xdist workers must collect the same ids): no addresses
    return x.__name__ if callable(x) else repr(x)[:30]


@pytest.mark.parametrize("parse, value, fragment", BAD, ids=_id)
def test_bad_values(parse, value, fragment):
    with pytest.raises(ValueError) as info:
        parse(value)
    assert fragment in str(info.value)


@pytest.mark.parametrize("per_second, text", [
    (400.0, "400/s"), (1.0, "1/s"), (2.5, "2.5/s"), (1 / 60, "1/min"), (1.5 / 60, "1.5/min"),
    (1 / 3600, "1/h"), (1 / DAY, "1/day"), (0.5 / DAY, "0.5/day"),
])
def test_format_rate(per_second, text):
    assert units.format_rate(per_second) == text


@pytest.mark.parametrize("seconds, text", [
    (0.8, "800ms"), (8.0, "8s"), (2.5, "2.5s"), (2400.0, "40m"), (7200.0, "2h"), (2 * DAY, "2d"), (90.0, "90s"),
])
def test_format_duration(seconds, text):
    assert units.format_duration(seconds) == text


@pytest.mark.parametrize("nbytes, text", [(1024, "1KB"), (300 * 1024, "300KB"), (2 * 1024 * 1024, "2MB"),
                                          (17, "17B"), (1536, "1.5KB")])
def test_format_size(nbytes, text):
    assert units.format_size(nbytes) == text


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from(["s", "min", "h", "day"]))
def test_rate_round_trip(n, unit):
    rate = units.parse_rate(f"{n}/{unit}")
    assert units.parse_rate(units.format_rate(rate)) == pytest.approx(rate, rel=0.01)


@given(st.integers(min_value=1, max_value=10_000), st.sampled_from(["ms", "s", "m", "h", "d"]))
def test_duration_round_trip(n, unit):
    seconds = units.parse_duration(f"{n}{unit}")
    assert units.parse_duration(units.format_duration(seconds)) == pytest.approx(seconds, rel=0.01)


@given(st.integers(min_value=1, max_value=64 * 1024 * 1024))
def test_size_round_trip(n):
    assert units.parse_size(units.format_size(n)) == pytest.approx(n, rel=0.01)


@given(st.text(max_size=20))
def test_parsers_only_raise_value_error(text):
    for parse in (units.parse_rate, units.parse_duration, units.parse_size):
        try:
            value = parse(text)
        except ValueError:
            continue
        assert math.isfinite(value) and value > 0


# --- plain forms (issue 14): what a business owner types, read wherever the meaning is unambiguous ---------------

@pytest.mark.parametrize("text,per_second", [
    ("200 per day", 200 / 86400), ("200 a day", 200 / 86400), ("5 orders a minute", 5 / 60),
    ("2k requests per hour", 2000 / 3600), ("3 per week", 3 / (7 * 86400)), ("10 per second", 10.0),
    ("1M per month", 1e6 / (30 * 86400)), ("20/second", 20.0),
])
def test_plain_rates(text, per_second):
    assert units.parse_rate(text) == pytest.approx(per_second)


@pytest.mark.parametrize("text,seconds", [
    ("2 seconds", 2), ("3 minutes", 180), ("1 hour 30 minutes", 5400), ("1 hour and 30 minutes", 5400),
    ("1h, 30m", 5400), ("2 days", 172800), ("500 milliseconds", 0.5), ("2 weeks", 14 * 86400), ("1 min", 60),
])
def test_plain_durations(text, seconds):
    assert units.parse_duration(text) == pytest.approx(seconds)


@pytest.mark.parametrize("text", ["3 months", "per day", "2 per", "200 perday", "5 parsecs", "1h30", "2s and",
                                  "twenty per day"])
def test_ambiguous_or_unknown_plain_forms_are_refused_with_the_canonical_form(text):
    parse = units.parse_duration if text in ("3 months", "5 parsecs", "1h30", "2s and") else units.parse_rate
    with pytest.raises(ValueError):
        parse(text)
    assert "e.g. 20/s" in units.RATE_FORM and "'200 per day'" in units.RATE_FORM
    assert "e.g. 800ms" in units.DURATION_FORM and "'2 seconds'" in units.DURATION_FORM


def test_schema_patterns_and_forms_are_the_parsers():
    """The schema says what the parsers read (an editor and `advisor validate` agree)."""
    from advisor.workload import schema

    defs = schema()["$defs"]
    for name in ("rate", "duration", "size"):
        assert defs[name]["pattern"] == getattr(units, f"{name.upper()}_PATTERN"), name
        assert defs[name]["description"] == getattr(units, f"{name.upper()}_FORM"), name


def test_plain_forms_in_a_workload_file(tmp_path):
    from advisor.workload import load_text

    w = load_text("version: 1\nname: w\nflows:\n  - name: f\n    trigger: api\n"
                  "    traffic: {average: 200 per day, peak: 5 per minute}\n    duration: 2 seconds\n")
    f = w.flows[0]
    assert (f.traffic.average, f.traffic.peak, f.duration) == (pytest.approx(200 / 86400), pytest.approx(5 / 60), 2)
