"""Loading a workload: every default of ../shared/spec/workload-v1.md, and the cross-field checks."""
from __future__ import annotations

from pathlib import Path

import pytest

from advisor.errors import Location, UserError, WorkloadError
from advisor.model import Needs, Traffic
from advisor.workload import as_dict, load, load_text

GOOD = Path(__file__).resolve().parent / "fixtures" / "workloads" / "good"


def wl(*flows: str, top: str = "") -> str:
    """A workload text from flow bodies (YAML mappings in flow style) and extra top-level lines."""
    return "version: 1\nname: w\n" + top + "flows:\n" + "".join(f"  - {f}\n" for f in flows)


def one(flow: str, **kw):
    return load_text(wl(flow, **kw)).flows[0]


def errors(text: str) -> list[str]:
    with pytest.raises(WorkloadError) as info:
        load_text(text, "w.yaml")
    return [str(p) for p in info.value.problems]


# --- defaults -------------------------------------------------------------------------------------------------

def test_defaults_of_a_minimal_file():
    w = load_text(wl("{name: make-thumbnail, trigger: upload, duration: 3s}"))
    assert (w.version, w.name, w.description) == (1, "w", None)
    assert w.runtime == "python3.13" and w.region == "us-east-1"
    [f] = w.flows
    assert f.name == "make-thumbnail" and f.index == 0
    assert f.context == "make-thumbnail"
    assert f.traffic == Traffic(1.0, 1.0, "unpredictable")
    assert f.duration == 3.0 and f.longest_step == 3.0
    assert f.steps == ("make-thumbnail",)
    assert f.coupling == "loose"
    assert f.consumers == () and f.fan_out == 0
    assert f.needs == Needs() and not any(vars(f.needs).values())
    assert f.caller_waits is False
    assert f.message_size == 1024
    assert f.data == "none"
    assert f.external_targets == ()
    assert f.after is None and f.api is None and f.auth is None
    assert f.downstream_limit is None and f.source is None and f.description is None


@pytest.mark.parametrize("trigger, waits", [("api", True), ("schedule", False), ("upload", False),
                                            ("queue", False), ("stream", False), ("change-data", False),
                                            ("kafka", False), ("mq", False)])
def test_caller_waits_default(trigger, waits):
    assert one(f"{{name: a, trigger: {trigger}, duration: 1s}}").caller_waits is waits


def test_caller_waits_default_for_event():
    w = load_text(wl("{name: a, trigger: api, duration: 1s}", "{name: b, trigger: event, after: a, duration: 1s}"))
    assert w.flow("b").caller_waits is False


def test_caller_waits_given():
    assert one("{name: a, trigger: api, caller_waits: false, duration: 1s}").caller_waits is False


def test_api_defaults_only_for_api():
    f = one("{name: a, trigger: api, duration: 1s}")
    assert (f.api, f.auth) == ("http", "none")
    f = one("{name: a, trigger: api, api: websocket, auth: users, duration: 1s}")
    assert (f.api, f.auth) == ("websocket", "users")
    f = one("{name: a, trigger: queue, duration: 1s}")
    assert (f.api, f.auth) == (None, None)


@pytest.mark.parametrize("duration, steps, longest", [
    ("8s", None, 8.0), ("8s", "[a]", 8.0), ("9s", "[a, b, c]", 3.0), ("1h", "[a, b, c, d]", 900.0),
])
def test_longest_step_default(duration, steps, longest):
    body = f"name: f, trigger: queue, duration: {duration}" + (f", steps: {steps}" if steps else "")
    assert one("{" + body + "}").longest_step == pytest.approx(longest)


def test_longest_step_given():
    f = one("{name: f, trigger: queue, duration: 2d, longest_step: 30s, steps: [a, b]}")
    assert (f.duration, f.longest_step, f.steps) == (172800.0, 30.0, ("a", "b"))
    assert one("{name: f, trigger: queue, duration: 5s, longest_step: 5s}").longest_step == 5.0


def test_fan_out_from_consumers():
    f = one("{name: f, trigger: api, duration: 1s, consumers: [a, b, c]}")
    assert f.consumers == ("a", "b", "c") and f.fan_out == 3
    f = one("{name: f, trigger: api, duration: 1s, fan_out: 5}")
    assert f.consumers == () and f.fan_out == 5
    f = one("{name: f, trigger: api, duration: 1s, fan_out: 2, consumers: [a, b]}")
    assert f.fan_out == 2
    assert one("{name: f, trigger: api, duration: 1s, consumers: [], fan_out: 0}").fan_out == 0


def test_traffic_defaults():
    assert one("{name: f, trigger: api, duration: 1s, traffic: {average: 5/s}}").traffic == Traffic(5, 5, "unpredictable")
    assert one("{name: f, trigger: api, duration: 1s, traffic: {peak: 5/s}}").traffic == Traffic(1, 5, "unpredictable")
    assert one("{name: f, trigger: api, duration: 1s, traffic: {pattern: steady}}").traffic == Traffic(1, 1, "steady")


PARENT = "{name: p, trigger: api, duration: 1s, traffic: {average: 10/s, peak: 100/s, pattern: spiky}}"


@pytest.mark.parametrize("child_traffic, expected", [
    ("", Traffic(10, 100, "spiky")),
    ("traffic: {pattern: steady}, ", Traffic(10, 100, "steady")),
    ("traffic: {average: 20/s}, ", Traffic(20, 100, "spiky")),
    ("traffic: {average: 200/s}, ", Traffic(200, 200, "spiky")),  # the peak is never below the own average
    ("traffic: {peak: 50/s}, ", Traffic(10, 50, "spiky")),
    ("traffic: {average: 1/s, peak: 2/s, pattern: steady}, ", Traffic(1, 2, "steady")),
])
def test_event_flow_inherits_traffic_from_after(child_traffic, expected):
    w = load_text(wl(PARENT, "{name: c, trigger: event, after: p, " + child_traffic + "duration: 1s}"))
    assert w.flow("c").traffic == expected


def test_event_flow_inherits_through_a_chain_and_from_partial_parents():
    w = load_text(wl(PARENT,
                     "{name: b, trigger: event, after: p, duration: 1s}",
                     "{name: c, trigger: event, after: b, traffic: {pattern: steady}, duration: 1s}",
                     "{name: d, trigger: event, after: c, duration: 1s}",
                     "{name: q, trigger: queue, traffic: {peak: 9/s, pattern: steady}, duration: 1s}",
                     "{name: e, trigger: event, after: q, duration: 1s}"))
    assert w.flow("b").traffic == Traffic(10, 100, "spiky")
    assert w.flow("d").traffic == Traffic(10, 100, "steady")
    # a parent that gives only a peak and a pattern passes those on with its default average
    assert w.flow("e").traffic == Traffic(1, 9, "steady")


def test_event_flow_before_its_parent_in_the_file():
    w = load_text(wl("{name: c, trigger: event, after: p, duration: 1s}", PARENT))
    assert w.flow("c").traffic == Traffic(10, 100, "spiky") and w.flow("c").after == "p"


def test_all_value_formats_normalised():
    f = one("{name: f, trigger: queue, duration: 1h30m, longest_step: 800ms, message_size: 2MB, "
            "downstream_limit: 1.5k/min, traffic: {average: 2M/month, peak: 3/s}}")
    assert f.duration == 5400.0 and f.longest_step == 0.8
    assert f.message_size == 2 * 1024 * 1024 and f.downstream_limit == 25.0
    assert f.traffic.average == pytest.approx(2e6 / (30 * 86400))


def test_every_field_is_carried_into_the_model():
    w = load(GOOD / "every-field.yaml")
    assert (w.name, w.runtime, w.region, w.description) == ("everything", "nodejs22.x", "ap-southeast-2",
                                                             "All fields of a workload file")
    f = w.flow("checkout")
    assert (f.context, f.trigger, f.caller_waits, f.api, f.auth) == ("orders", "api", False, "graphql", "api-key")
    assert f.traffic == Traffic(5, 400, "spiky") and (f.duration, f.longest_step) == (8, 3)
    assert f.steps == ("validate-cart", "charge-card", "reserve-stock") and f.coupling == "tight"
    assert f.consumers == ("shipping", "email", "analytics") and f.fan_out == 3
    assert all(vars(f.needs).values())
    assert (f.downstream_limit, f.external_targets, f.message_size, f.data) == (
        100, ("salesforce", "zendesk"), 64 * 1024, "relational")
    assert f.description == "Take the money"
    assert (w.flow("trades").source, w.flow("legacy").source) == ("self-managed", "activemq")
    assert (f.max_delay, f.event_size) == (900, 2048)
    t = w.flow("transcribe")
    assert (t.trigger, t.after, t.source_event) == ("event", None, "aws.transcribe: Transcribe Job State Change")
    assert t.steps == ("fetch", "transcode", "notify")
    assert t.step_durations == (("transcode", 2400), ("notify", 2)) and t.step_memory == (("transcode", 16384 << 20),)
    assert t.longest_step == 2400, "the longest step is taken from the steps' own durations"


def test_anchors_and_merge_keys():
    w = load(GOOD / "anchors.yaml")
    assert [f.name for f in w.flows] == ["resize", "crop", "watermark", "archive"]
    assert w.flow("crop").traffic == w.flow("resize").traffic == w.flow("watermark").traffic
    assert w.flow("crop").duration == 3 and w.flow("crop").trigger == "queue"
    assert w.flow("crop").needs == Needs(exactly_once=True, timeouts=True)
    assert w.flow("archive").trigger == "schedule" and w.flow("archive").traffic.pattern == "scheduled"


def test_unicode_and_bom():
    w = load(GOOD / "unicode.yaml")
    assert w.description == "Bestellungen — 注文 — заказы ✓ 🚚"
    assert w.flow("bestellen").external_targets == ("Zahlungsdienst GmbH", "Société Générale ☁")
    assert "二行目" in w.flow("liefern").description


def test_locations_and_path():
    w = load(GOOD / "minimal.yaml")
    assert w.path == str(GOOD / "minimal.yaml")
    assert w.location(("flows", 0, "duration")) == Location(w.path, 7, 15)
    assert w.location(("flows", 0, "traffic", "peak")) == Location(w.path, 5, 5)  # not given: its flow


def test_as_dict_and_equality():
    a, b = load(GOOD / "shop.yaml"), load(GOOD / "shop.yaml")
    assert a == b and as_dict(a) == as_dict(b)
    d = as_dict(a)
    assert "locations" not in d and d["flows"][1]["traffic"] == {"average": 5, "peak": 400, "pattern": "spiky"}


def test_model_is_frozen():
    w = load(GOOD / "minimal.yaml")
    with pytest.raises(AttributeError):
        w.name = "other"  # type: ignore[misc]
    with pytest.raises(AttributeError):
        w.flows[0].duration = 1  # type: ignore[misc]


# --- errors ---------------------------------------------------------------------------------------------------

def test_workload_error_is_a_user_error():
    assert issubclass(WorkloadError, UserError)


def test_load_of_a_missing_file_is_a_user_error(tmp_path):
    with pytest.raises(UserError, match="no such workload file"):
        load(tmp_path / "nope.yaml")


def test_syntax_error_is_a_workload_error():
    with pytest.raises(WorkloadError, match=r"w.yaml:2:1: YAML syntax error"):
        load_text("a: [", "w.yaml")


@pytest.mark.parametrize("flows, fragment, at", [
    # at: (index of the flow, the text the error must point at)
    (["{name: a, trigger: api, duration: 1s}", "{name: b, trigger: event, after: x, duration: 1s}"],
     "flows[1].after: there is no flow named 'x'", (1, "x, duration")),
    (["{name: a, trigger: event, after: a, duration: 1s}"], "flows[0].after: the flow 'a' cannot start after itself",
     (0, "a, duration")),
    (["{name: a, trigger: api, duration: 1s}", "{name: b, trigger: schedule, after: a, duration: 1s}"],
     "flows[1].after: 'after' only goes with trigger 'event'", (1, "after:")),
    (["{name: a, trigger: event, duration: 1s}"], "flows[0].trigger: trigger 'event' needs 'after'", (0, "trigger:")),
    (["{name: a, trigger: api, duration: 1s, traffic: {average: 5/s, peak: 1/s}}"],
     "flows[0].traffic.peak: the peak (1/s) is below the average (5/s)", (0, "1/s")),
    (["{name: a, trigger: api, duration: 1m, longest_step: 2m}"],
     "flows[0].longest_step: the longest step (2m) is longer than the whole flow (1m)", (0, "2m")),
    (["{name: a, trigger: api, duration: 1s, fan_out: 1, consumers: []}"],
     "flows[0].fan_out: fan_out is 1 but 0 consumer(s) are listed", (0, "fan_out")),
    (["{name: a, trigger: api, duration: 1s}", "{name: a, trigger: queue, duration: 1s}"],
     "flows[1].name: the flow name 'a' is used twice (first by flows[0])", (1, "a, trigger")),
    (["{name: a, trigger: queue, api: http, duration: 1s}"], "flows[0].api: 'api' only applies to trigger api",
     (0, "api:")),
    (["{name: a, trigger: stream, auth: iam, duration: 1s}"], "flows[0].auth: 'auth' only applies to trigger api",
     (0, "auth:")),
    (["{name: a, trigger: queue, source: msk, duration: 1s}"],
     "flows[0].source: 'source' only applies to trigger kafka or mq", (0, "source:")),
    (["{name: a, trigger: mq, source: msk, duration: 1s}"], "flows[0].source: 'msk' is not a mq broker", (0, "msk")),
    (["{name: a, trigger: upload, caller_waits: true, duration: 1s}"],
     "flows[0].caller_waits: no caller waits on trigger 'upload'", (0, "true")),
    (["{name: a, trigger: api, duration: 1s}", "{name: b, trigger: event, after: c, duration: 1s}",
      "{name: c, trigger: event, after: b, duration: 1s}"],
     "flows[1].after: the flows b -> c -> b start each other in a circle", (1, "c, duration")),
])
def test_cross_field_checks(flows, fragment, at):
    index, needle = at
    line = f"  - {flows[index]}"
    position = f"{4 + index}:{line.index(needle) + 1}"  # flows start on line 4 of wl()
    found = errors(wl(*flows))
    assert any(e.startswith(f"w.yaml:{position}: {fragment}") for e in found), (position, found)


def test_valid_cross_field_combinations():
    w = load_text(wl("{name: a, trigger: kafka, source: msk, duration: 1s}",
                     "{name: b, trigger: mq, source: activemq, duration: 1s}",
                     "{name: c, trigger: queue, caller_waits: false, duration: 1s}",
                     "{name: d, trigger: api, duration: 1s, traffic: {average: 5/s, peak: 5/s}}",
                     "{name: e, trigger: event, after: a, duration: 1s, longest_step: 1s}",
                     "{name: f, trigger: event, after: e, duration: 1s}"))
    assert len(w.flows) == 6


def test_all_errors_of_a_file_are_reported_in_file_order():
    found = errors(wl("{name: A, trigger: api, duration: 1s}",
                      "{name: b, trigger: apii, duration: 0s}",
                      "{name: c, trigger: event, after: nowhere, duration: 1s, tigger: x}",
                      top="colour: red\n"))
    assert len(found) == 6, found
    assert [e.split(": ")[0] for e in found] == sorted((e.split(": ")[0] for e in found),
                                                       key=lambda s: tuple(map(int, s.split(":")[1:])))
    joined = "\n".join(found)
    for fragment in ("colour: unknown key", "flows[0].name: cannot read 'A'", "flows[1].trigger: 'apii'",
                     "flows[1].duration: a duration must be more than zero", "flows[2].after: there is no flow",
                     "flows[2].tigger: unknown key 'tigger'"):
        assert fragment in joined


def test_one_error_per_problem():
    """A value the schema rejects is not reported again by the normaliser."""
    found = errors(wl("{name: a, trigger: api, duration: forever}"))
    assert found == ["w.yaml:4:39: flows[0].duration: cannot read 'forever'; expected a duration: a number of "
                     "seconds, or '<number><ms|s|m|h|d>' parts, e.g. 800ms, 45s, 5m, 1h30m, 3d; plain forms such as "
                     "'2 seconds' or '1 hour 30 minutes' are read too"]


@pytest.mark.parametrize("text, fragment", [
    ("", "the file is empty"), ("# nothing\n", "the file is empty"),
    ("- a\n", "the top level is a list"), ("42\n", "the top level is a single value"),
    ("hello\n", "the top level is a single value"),
])
def test_not_a_mapping(text, fragment):
    [e] = errors(text)
    assert e.startswith("w.yaml:1:1: ") and fragment in e


def test_a_consumer_named_like_a_flow_is_an_error_unless_it_is_that_flows_context():
    """Consumers are contexts: a flow's name with another context is a mix-up, reported at the item."""
    text = ("version: 1\nname: w\nflows:\n"
            "  - {name: pay, context: billing, trigger: api, duration: 1s, consumers: [ship, mail]}\n"
            "  - {name: ship, context: shipping, trigger: event, after: pay, duration: 1s}\n"
            "  - {name: mail, trigger: queue, duration: 1s}\n")
    with pytest.raises(UserError) as err:
        load_text(text, "w.yaml")
    [problem] = err.value.problems
    column = text.splitlines()[3].index("ship, mail") + 1
    assert problem.field == "flows[0].consumers[0]" and (problem.location.line, problem.location.column) == (4, column)
    assert "already starts after this one" in problem.message and "no 'ship' here" in problem.expected
    # 'mail' has no context of its own: the consumer 'mail' is that context, as meant
    assert load_text(text.replace("ship, mail", "shipping, mail"), "w.yaml").flows[0].consumers == ("shipping", "mail")
