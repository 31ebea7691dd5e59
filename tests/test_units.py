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
    (units.parse_rate, "5 per second", "cannot read '5 per second' as a rate"),
    (units.parse_rate, "-5/s", "cannot read"),
    (units.parse_rate, "5/week", "cannot read"),
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
    (units.parse_duration, "8 secs", "cannot read '8 secs' as a duration"),
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


@pytest.mark.parametrize("parse, value, fragment", BAD, ids=lambda x: repr(x)[:30])
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
