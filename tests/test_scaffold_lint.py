"""The exhaustive lint of advisor.scaffold: every choice packed into a few apps, plus random combinations.

Slow by nature (cfn-lint twice and the SAM translator per app, ~60-90 s of CPU),
so it lives apart from tests/test_scaffold.py; the cases themselves are
defined there. Run both with: pytest tests/test_scaffold.py tests/test_scaffold_lint.py
"""
from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from test_scaffold import (API_CASES, CHANNELS, COMPUTE_CASES, ENTRY_CASES, ENTRY_FOR_CHANNEL, api_case, assert_clean,
                           channel_case, compute_case, entry_case, flow, render_exact)

def test_all_channels_lint_clean(validators):
    flows, choices = [], {}
    for i, channel in enumerate(CHANNELS):
        f, c = channel_case(channel, f"c{i}-")
        flows += f
        choices.update(c)
    assert_clean(render_exact(flows, choices), validators)




def test_all_entries_lint_clean(validators):
    flows, choices = [], {}
    for i, entry in enumerate(sorted(ENTRY_CASES)):
        f, c = entry_case(entry, f"e{i}-")
        flows += f
        choices.update(c)
    assert_clean(render_exact(flows, choices), validators)


def test_all_api_styles_lint_clean(validators):
    flows, choices = [], {}
    for i, (style, auth) in enumerate(API_CASES):
        f, c = api_case(style, auth, f"s{i}-")
        flows += f
        choices.update(c)
    assert_clean(render_exact(flows, choices), validators)


def test_all_compute_choices_lint_clean(validators):
    flows, choices = [], {}
    for i, case in enumerate(COMPUTE_CASES):
        f, c = compute_case(*case, p=f"k{i}-")
        flows += f
        choices.update(c)
    assert_clean(render_exact(flows, choices), validators)


# ---------------------------------------------------------------------------------------------
# random valid combinations

TRIGGER_ENTRIES = {"api": ["api-sync", "api-async", "api-queue"], "schedule": ["schedule"],
                   "upload": ["s3-event", "eventbridge-rule"], "queue": ["sqs-poll"], "stream": ["kinesis-poll"],
                   "change-data": ["dynamodb-stream-poll"], "kafka": ["kafka-poll"], "mq": ["mq-poll"]}


@st.composite
def combos(draw):
    trigger = draw(st.sampled_from(sorted(TRIGGER_ENTRIES)))
    steps = draw(st.lists(st.sampled_from(["a", "b-c", "d", "e1"]), min_size=1, max_size=3, unique=True))
    needs = draw(st.fixed_dictionaries({}, optional={k: st.booleans() for k in (
        "compensation", "human_approval", "timeouts", "content_filtering", "replay", "ordering")}))
    raw = flow("first", trigger, steps=steps, needs=needs, consumers=draw(st.lists(
        st.sampled_from(["x", "y", "z"]), max_size=2, unique=True)),
        data=draw(st.sampled_from(["none", "key-value", "relational", "files"])),
        source=draw(st.sampled_from(["msk", "self-managed", "activemq", "rabbitmq"])) if trigger in (
            "kafka", "mq") else None, api=draw(st.sampled_from(["http", "rest", "graphql", "websocket"]))
        if trigger == "api" else None,
        auth=draw(st.sampled_from(["none", "users", "iam", "api-key"])) if trigger == "api" else None)
    if trigger == "kafka":
        raw["source"] = draw(st.sampled_from(["msk", "self-managed"]))
    if trigger == "mq":
        raw["source"] = draw(st.sampled_from(["activemq", "rabbitmq"]))
    raw = {k: v for k, v in raw.items() if v is not None}
    orch = draw(st.sampled_from(["none", "step-functions-standard", "step-functions-express"]))
    channel = draw(st.sampled_from(CHANNELS[1:]))
    choices = {"first": {"entry": draw(st.sampled_from(TRIGGER_ENTRIES[trigger])), "orchestrator": orch,
                         "composition": "choreography" if orch == "none" else "orchestration",
                         "channel": channel, "compute": draw(st.sampled_from(["lambda", "fargate"]))}}
    flows = [raw, flow("second", "event", after="first")]
    choices["second"] = {"entry": draw(st.sampled_from(ENTRY_FOR_CHANNEL[channel])),
                         "orchestrator": draw(st.sampled_from(["none", "step-functions-standard"]))}
    return flows, choices


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(combos())
def test_random_valid_combinations_are_clean(validators, combo):
    flows, choices = combo
    assert_clean(render_exact(flows, choices, name="random"), validators)


# ---------------------------------------------------------------------------------------------
# the apps a user gets from the shipped examples (the engine's recommendation, through the CLI)

def _app_files(app) -> dict[str, bytes]:
    return {p.relative_to(app).as_posix(): p.read_bytes() for p in sorted(app.rglob("*")) if p.is_file()}


@pytest.mark.xdist_group("example-apps")
def test_example_apps_lint_clean(example_apps, validators):
    """cfn-lint and the SAM translator on the same apps checkov reads (each generated once per run)."""
    assert len(example_apps) >= 9
    for name, app in example_apps.items():
        files = _app_files(app)
        assert "template.yaml" in files, name
        assert_clean(files, validators)
