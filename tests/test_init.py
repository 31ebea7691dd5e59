"""advisor init without a terminal: each question's reading and branching, the
interview loop over a scripted IO, the document, non-interactive answers, run_init."""
from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advisor import init as init_mod
from advisor import questionnaire as qn
from advisor.errors import UserError
from advisor.workload import load_text, schema


class ScriptIO:
    """Answers questions from a list; records everything said and every prompt."""

    def __init__(self, answers, interrupt_after: int | None = None):
        self.answers = list(answers)
        self.out: list[str] = []
        self.prompts: list[str] = []
        self.interrupt_after = interrupt_after

    def say(self, text: str) -> None:
        self.out.append(text)

    def ask(self, prompt: str) -> str:
        self.prompts.append(prompt)
        if self.interrupt_after is not None and len(self.prompts) > self.interrupt_after:
            raise KeyboardInterrupt
        if not self.answers:
            raise EOFError
        return self.answers.pop(0)

    @property
    def text(self) -> str:
        return "\n".join(self.out)


def ctx(flow=None, earlier=(), index=None) -> qn.Ctx:
    return qn.Ctx(flow or {}, tuple(earlier), len(earlier) if index is None else index)


def parse(key: str, value, flow=None, earlier=()):
    return qn.parse_answer(qn.FLOW_BY_KEY[key], value, ctx(flow, earlier))


# --- reading one answer ----------------------------------------------------------------------------------------

@pytest.mark.parametrize("key, text, expected", [
    ("traffic.average", "20/s", "20/s"),
    ("traffic.average", " 2M/month ", "2M/month"),
    ("traffic.average", "1.5k/min", "1.5k/min"),
    ("traffic.average", "20", 20),
    ("traffic.average", "0.5", 0.5),
    ("duration", "800ms", "800ms"),
    ("duration", "1h30m", "1h30m"),
    ("duration", "45", 45),
    ("message_size", "300KB", "300KB"),
    ("message_size", "2048", 2048),
    ("needs.audit", "y", True),
    ("needs.audit", "Yes", True),
    ("needs.audit", "no", False),
    ("needs.audit", True, True),
    ("trigger", "API", "api"),
    ("trigger", "sched", "schedule"),
    ("trigger", "2", "schedule"),
    ("data", "rel", "relational"),
    ("steps", "validate, charge-card ,ship", ["validate", "charge-card", "ship"]),
    ("steps", ["a", "b"], ["a", "b"]),
    ("consumers", "", []),
    ("consumers", "none", []),
    ("consumers", "email, analytics", ["email", "analytics"]),
    ("external_targets", "Salesforce, Zendesk Inc.", ["Salesforce", "Zendesk Inc."]),
    ("external_targets", "-", []),
    ("name", " checkout ", "checkout"),
])
def test_answers_are_read_to_canonical_values(key, text, expected):
    assert parse(key, text) == expected


@pytest.mark.parametrize("key, text, message", [
    ("traffic.average", "fast", "e.g. 20/s"),
    ("traffic.average", "20/year", "cannot read '20/year' as a rate"),
    ("traffic.average", "0", "more than zero"),
    ("duration", "soon", "e.g. 800ms"),
    ("duration", "-3s", "cannot read"),
    ("message_size", "2GB", "e.g. 4KB"),
    ("needs.audit", "maybe", "answer yes or no"),
    ("trigger", "webhook", "is not one of: api, schedule"),
    ("trigger", "s", "is not one of"),  # ambiguous prefix: schedule, stream
    ("data", "sql", "is not one of"),
    ("name", "Order Checkout", "try 'order-checkout'"),
    ("name", "1st", "starting with a letter"),
    ("steps", "a, a", "'a' is listed twice"),
    ("steps", "none", "at least one step"),
    ("steps", "validate, Charge Card", "try 'charge-card'"),
    ("consumers", "email, email", "listed twice"),
])
def test_bad_answers_say_what_is_expected(key, text, message):
    with pytest.raises(ValueError, match=None) as exc:
        parse(key, text)
    assert message in str(exc.value)


def test_choice_suggests_a_close_option():
    with pytest.raises(ValueError, match="did you mean 'upload'"):
        parse("trigger", "uplaod")


def test_slug_rule_comes_from_the_schema():
    pattern, form = qn._slug_rule()
    assert pattern.pattern == schema()["$defs"]["slug"]["pattern"]
    assert form == schema()["$defs"]["slug"]["description"]


def test_choices_are_the_models_enums():
    from advisor import model

    c = ctx({"trigger": "api"})
    assert qn.FLOW_BY_KEY["trigger"].choices(c) == model.TRIGGERS
    assert qn.FLOW_BY_KEY["api"].choices(c) == model.API_STYLES
    assert qn.FLOW_BY_KEY["auth"].choices(c) == model.AUTH_KINDS
    assert qn.FLOW_BY_KEY["data"].choices(c) == model.DATA_KINDS
    assert qn.FLOW_BY_KEY["traffic.pattern"].choices(c) == model.PATTERNS
    assert set(qn.KAFKA_SOURCES + qn.MQ_SOURCES) == set(model.SOURCES)


def test_every_need_of_the_model_has_a_question():
    from advisor.model import NEEDS

    assert {k.split(".", 1)[1] for k in qn.FLOW_BY_KEY if k.startswith("needs.")} == set(NEEDS)


def test_every_question_has_help_and_a_default():
    for q in qn.TOP_QUESTIONS + qn.FLOW_QUESTIONS:
        assert q.help and "\n" not in q.help and q.comment
        c = ctx({"trigger": "event", "name": "b", "after": "a", "duration": "8s", "steps": ["x", "y"],
                 "consumers": ["c"]}, [{"name": "a", "trigger": "api"}])
        default = q.default(c)
        assert default is not None or q.optional, q.key  # an optional question's default is "not set"
        qn.parse_answer(q, default, c)  # the default itself is a valid answer


def test_every_question_says_why_it_matters_in_business_terms():
    """'?' explains what the answer changes in the decision (issue 14), not the hint again."""
    from advisor.questionnaire.session import details
    from advisor.questionnaire.why import why

    c = ctx({"trigger": "api", "name": "b", "steps": ["x", "y"], "consumers": ["c"]})
    for top, questions in ((True, qn.TOP_QUESTIONS), (False, qn.FLOW_QUESTIONS)):
        for q in questions:
            reason = why(("top." if top else "") + q.key)
            assert reason and reason != q.help and len(reason) > 40, q.key
            shown = details(q, c, top=top)
            assert f"Why it matters: {reason}" in shown and q.help in shown
    assert "Lambda's 15m" in why("longest_step"), "the figure comes from advisor.facts"


def test_api_style_is_asked_in_plain_language():
    q = qn.FLOW_BY_KEY["api"]
    assert not any(word in q.prompt.lower() for word in ("http", "rest", "graphql", "websocket", "api"))
    assert set(q.meanings) == set(q.choices(ctx({"trigger": "api"})))
    for plain, style in (("push", "websocket"), ("fields", "graphql"), ("partners", "rest"), ("simple", "http")):
        assert parse("api", plain, {"trigger": "api"}) == style
    _, sio = run_interview(SHOP_SCRIPT)
    shown = sio.text
    assert "1. http: simple requests and answers" in shown and "4. websocket: a connection stays open" in shown


@pytest.mark.parametrize("key, text, expected", [
    ("traffic.average", "200 per day", "200 per day"), ("duration", "2 seconds", "2 seconds"),
    ("longest_step", "3 minutes", "3 minutes"), ("downstream_limit", "50 per second", "50 per second"),
    ("downstream_limit", "", None), ("downstream_limit", "none", None), ("context", "orders", "orders"),
])
def test_plain_forms_and_the_new_questions(key, text, expected):
    assert parse(key, text, {"duration": "1h"}) == expected


def test_region_question_reads_the_schemas_region_form():
    q = qn.TOP_BY_KEY["region"]
    assert qn.parse_answer(q, "EU-West-1", ctx()) == "eu-west-1"
    with pytest.raises(ValueError, match="is not a region"):
        qn.parse_answer(q, "Frankfurt", ctx())


def test_region_downstream_limit_and_context_reach_the_file():
    answers = {"name": "s", "region": "eu-west-1",
               "flows": [{"name": "pay", "context": "billing", "trigger": "api", "duration": "2 seconds",
                          "traffic.average": "200 per day", "downstream_limit": "5 per second"},
                         {"name": "b", "context": "b", "trigger": "queue", "duration": "1s",
                          "downstream_limit": None}]}
    w = load_text(qn.build_document(answers))
    assert w.region == "eu-west-1"
    pay, b = w.flows
    assert (pay.context, pay.duration, pay.downstream_limit) == ("billing", 2, 5)
    assert pay.traffic.average == pytest.approx(200 / 86400)
    assert b.downstream_limit is None and "downstream_limit" not in qn.build_document(answers).split("- name: b")[1]


# --- cross-field checks ---------------------------------------------------------------------------------------

def test_peak_below_average_is_refused():
    with pytest.raises(ValueError, match=r"peak \(10/s\) is below the average \(20/s\)"):
        parse("traffic.peak", "10/s", {"traffic.average": "20/s"})
    assert parse("traffic.peak", "1.2k/min", {"traffic.average": "20/s"}) == "1.2k/min"


def test_longest_step_cannot_exceed_the_run():
    with pytest.raises(ValueError, match=r"longest step \(2m\) cannot be longer than the whole run \(1m\)"):
        parse("longest_step", "2m", {"duration": "1m"})
    assert parse("longest_step", "60s", {"duration": "1m"}) == "60s"


def test_flow_names_are_unique():
    with pytest.raises(ValueError, match="already used by flow 1"):
        parse("name", "checkout", earlier=[{"name": "checkout"}])


def test_an_event_flow_without_an_earlier_flow_names_the_aws_service_event():
    assert parse("trigger", "event") == "event"
    assert "source_event" in applies({"trigger": "event"}, []) and "after" not in applies({"trigger": "event"}, [])
    assert parse("source_event", " aws.mediaconvert: MediaConvert Job State Change ", {"trigger": "event"}) == \
        "aws.mediaconvert: MediaConvert Job State Change"
    with pytest.raises(ValueError, match="expected some text"):
        parse("source_event", "  ", {"trigger": "event"})


def test_after_none_means_an_aws_service_event_starts_the_flow():
    earlier = [{"name": "checkout"}]
    assert parse("after", "none", {"trigger": "event"}, earlier) is None
    assert "source_event" in applies({"trigger": "event", "after": None}, earlier)
    assert "source_event" not in applies({"trigger": "event", "after": "checkout"}, earlier)


def test_optional_answers_are_left_out_of_the_file():
    answers = {"name": "media", "flows": [{"name": "publish", "trigger": "event", "after": None,
                                           "source_event": "aws.mediaconvert: MediaConvert Job State Change",
                                           "duration": "10s", "message_size": "2MB", "consumers": ["cdn"],
                                           "event_size": None}]}
    text = qn.build_document(answers)
    assert "after:" not in text and "event_size" not in text
    flow = load_text(text).flows[0]
    assert flow.source_event == "aws.mediaconvert: MediaConvert Job State Change" and flow.after is None


@pytest.mark.parametrize("flow, asked", [
    ({"trigger": "api", "consumers": ["a"], "message_size": "1KB"}, False),
    ({"trigger": "api", "consumers": ["a"], "message_size": "2MB"}, True),
    ({"trigger": "api", "message_size": "2MB"}, False),
])
def test_event_size_is_asked_for_large_payloads_that_go_somewhere(flow, asked):
    assert ("event_size" in applies(flow)) is asked


def test_max_delay_is_asked_with_a_downstream_limit():
    assert "max_delay" not in applies({"trigger": "api"})
    assert "max_delay" in applies({"trigger": "api", "downstream_limit": "100/s"})
    assert parse("max_delay", "", {"trigger": "api", "downstream_limit": "100/s"}) is None
    assert parse("max_delay", "5m", {"trigger": "api", "downstream_limit": "100/s"}) == "5m"


def test_after_names_an_earlier_flow():
    earlier = [{"name": "checkout"}, {"name": "refund"}]
    assert parse("after", "refund", {"trigger": "event"}, earlier) == "refund"
    with pytest.raises(ValueError, match="not one of: checkout, refund"):
        parse("after", "shipping", {"trigger": "event"}, earlier)


# --- branching: only the questions that apply -------------------------------------------------------------------

def applies(flow, earlier=()) -> set[str]:
    c = ctx(flow, earlier)
    return {q.key for q in qn.FLOW_QUESTIONS if q.applies(c)}


@pytest.mark.parametrize("flow, present, absent", [
    ({"trigger": "api"}, {"api", "auth", "caller_waits"}, {"after", "source"}),
    ({"trigger": "event"}, {"after"}, {"api", "auth", "caller_waits", "source"}),
    ({"trigger": "schedule"}, set(), {"after", "api", "auth", "caller_waits", "source"}),
    ({"trigger": "kafka"}, {"source"}, {"after", "api"}),
    ({"trigger": "mq"}, {"source"}, {"after", "api"}),
    ({"trigger": "upload", "steps": ["one"]}, set(), {"coupling", "needs.compensation"}),
    ({"trigger": "upload", "steps": ["a", "b"]}, {"coupling", "needs.compensation"}, set()),
    ({"trigger": "upload", "consumers": []}, set(), {"needs.content_filtering"}),
    ({"trigger": "upload", "consumers": ["email"]}, {"needs.content_filtering"}, set()),
])
def test_questions_apply_only_where_they_matter(flow, present, absent):
    keys = applies(flow, [{"name": "a"}])
    assert present <= keys
    assert not (absent & keys)


def test_source_choices_follow_the_trigger():
    q = qn.FLOW_BY_KEY["source"]
    assert q.choices(ctx({"trigger": "kafka"})) == ("msk", "self-managed")
    assert q.default(ctx({"trigger": "mq"})) == "activemq"
    with pytest.raises(ValueError, match="not one of: activemq, rabbitmq"):
        parse("source", "msk", {"trigger": "mq"})


# --- defaults that depend on earlier answers ----------------------------------------------------------------------

def test_defaults_follow_earlier_answers():
    up = {"name": "checkout", "trigger": "api", "traffic.average": "5/s", "traffic.peak": "400/s",
          "traffic.pattern": "spiky"}
    d = lambda key, flow: qn.FLOW_BY_KEY[key].default(ctx(flow, [up]))  # noqa: E731
    assert d("trigger", {}) == "event"
    assert qn.FLOW_BY_KEY["trigger"].default(ctx({})) == "api"
    assert d("after", {"trigger": "event"}) == "checkout"
    ev = {"trigger": "event", "after": "checkout"}
    assert d("traffic.average", ev) == "5/s"
    assert d("traffic.peak", {**ev, "traffic.average": "5/s"}) == "400/s"
    assert d("traffic.peak", {**ev, "traffic.average": "50/s"}) == "50/s"
    assert d("traffic.pattern", ev) == "spiky"
    assert d("traffic.average", {"trigger": "api"}) == "1/s"
    assert d("traffic.peak", {"trigger": "api", "traffic.average": "7/min"}) == "7/min"
    assert d("traffic.pattern", {"trigger": "schedule"}) == "scheduled"
    assert d("steps", {"name": "make-thumb"}) == ["make-thumb"]
    assert d("longest_step", {"duration": "8s", "steps": ["a"]}) == "8s"
    assert d("longest_step", {"duration": "9s", "steps": ["a", "b", "c"]}) == "3s"
    assert d("name", {}) == "flow-2"


# --- the document ---------------------------------------------------------------------------------------------

SHOP = {
    "name": "shop",
    "flows": [
        {"name": "checkout", "trigger": "api", "api": "http", "auth": "users", "caller_waits": True,
         "traffic.average": "5/s", "traffic.peak": "400/s", "traffic.pattern": "spiky", "duration": "8s",
         "steps": ["validate-cart", "charge-card", "reserve-stock"], "longest_step": "3s", "coupling": "tight",
         "consumers": ["shipping", "email", "analytics"], "needs.compensation": True, "needs.audit": False,
         "external_targets": [], "message_size": "1KB", "data": "relational"},
        {"name": "ship-order", "trigger": "event", "after": "checkout", "duration": "2d", "longest_step": "30s",
         "steps": ["pick", "pack", "hand-to-carrier"], "needs.human_approval": True},
    ],
}


def test_document_is_a_valid_workload_with_the_answers():
    text = qn.build_document(SHOP)
    w = load_text(text, "shop.yaml")
    checkout, ship = w.flows
    assert (w.name, checkout.trigger, checkout.auth, checkout.coupling, checkout.data) == \
        ("shop", "api", "users", "tight", "relational")
    assert (checkout.traffic.average, checkout.traffic.peak, checkout.traffic.pattern) == (5, 400, "spiky")
    assert checkout.needs.compensation and not checkout.needs.audit
    assert checkout.consumers == ("shipping", "email", "analytics")
    assert (ship.after, ship.duration, ship.longest_step, ship.needs.human_approval) == \
        ("checkout", 2 * 86400, 30, True)


def test_document_starts_with_the_schema_comment_and_comments_each_field():
    text = qn.build_document(SHOP)
    lines = text.splitlines()
    assert lines[0] == f"# yaml-language-server: $schema={schema()['$id']}"
    fields = [ln for ln in lines if not ln.lstrip().startswith("#") and ":" in ln]
    assert all("  # " in ln for ln in fields), [ln for ln in fields if "  # " not in ln]
    assert "      peak: 400/s  # highest rate to absorb" in lines
    assert qn.build_document(SHOP) == text  # same answers, same bytes


def test_a_schema_path_can_replace_the_id():
    assert qn.build_document(SHOP, schema_ref="./workload.schema.json").startswith(
        "# yaml-language-server: $schema=./workload.schema.json\n")


@pytest.mark.parametrize("target", [
    "a: b", "x\n- injected: true", "# not a comment", "&anchor", "*alias", "!!python/object:os.system",
    "yes", "null", "2001-12-14", "'quoted'", '"dq"', "  spaced  ", "{a: 1}", "[1, 2]", "tab\there", "über",
    "- dash", "? key", "|", ">", "@at", "`tick`", "%TAG",
])
def test_user_text_cannot_inject_yaml(target):
    answers = {"name": "s", "flows": [{"name": "f", "trigger": "upload", "duration": "1s",
                                       "external_targets": [target, "other"]}]}
    text = qn.build_document(answers)
    assert load_text(text).flows[0].external_targets == (target, "other")
    assert yaml.safe_load(text)["flows"][0]["external_targets"] == [target, "other"]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)
@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1, max_size=40).filter(lambda s: s.strip()))
def test_any_text_round_trips_through_the_document(target):
    answers = {"name": "s", "flows": [{"name": "f", "trigger": "upload", "duration": "1s",
                                       "external_targets": [target.strip()]}]}
    assert load_text(qn.build_document(answers)).flows[0].external_targets == (target.strip(),)


# --- the interview over a scripted IO ---------------------------------------------------------------------------

SHOP_SCRIPT = [
    "shop", "",                                     # system name, region (default)
    "checkout", "orders", "api", "", "users", "yes",  # name, context, trigger, api style, auth, caller waits
    "5/s", "400/s", "spiky", "8s",                  # traffic, duration
    "validate-cart, charge-card, reserve-stock", "", "yes",  # steps, longest step (default), coupling tight
    "shipping, email, analytics",                   # consumers
    "", "", "", "", "", "y", "", "", "",            # needs: ... compensation yes
    "", "", "", "relational",                       # external targets, downstream limit, size, data
    "yes",                                          # another flow
    "ship-order", "shipping", "", "",               # name, context, trigger (event), after (checkout)
    "", "", "",                                     # traffic inherited
    "2d", "pick, pack, hand-to-carrier", "30s", "",  # duration, steps, longest, coupling
    "",                                             # consumers
    "", "", "", "", "", "", "yes", "",              # needs: human approval yes, callbacks no
    "", "", "", "",                                 # targets, downstream limit, size, data
    "",                                             # another flow: no
    "",                                             # summary: write
]


def run_interview(script, suggested="my-system"):
    session = qn.Session(suggested)
    sio = ScriptIO(script)
    result = qn.interview(session, sio, check=lambda a: [])
    return result, sio


def test_full_interview_gives_the_workload():
    result, sio = run_interview(SHOP_SCRIPT)
    assert not sio.answers, "every scripted answer is used"
    w = load_text(qn.build_document(result))
    checkout, ship = w.flows
    assert checkout.coupling == "tight" and checkout.needs.compensation and checkout.auth == "users"
    assert checkout.longest_step == pytest.approx(8 / 3, rel=0.01)
    assert (ship.trigger, ship.after) == ("event", "checkout")
    assert (ship.traffic.average, ship.traffic.peak, ship.traffic.pattern) == (5, 400, "spiky")
    assert ship.needs.human_approval and not ship.needs.compensation
    assert "after" not in result["flows"][0] and "api" not in result["flows"][1]
    # only the questions that apply were asked: no 'after' for the API flow, no API style for the event flow
    assert sum(p.startswith("after [") for p in sio.prompts) == 1
    assert sum(p.startswith("api [") for p in sio.prompts) == 1
    assert not any(p.startswith("source [") for p in sio.prompts)


def test_prompts_show_defaults_and_help():
    _, sio = run_interview(SHOP_SCRIPT)
    assert "after [checkout]: " in sio.prompts
    assert "traffic.peak [400/s]: " in sio.prompts  # inherited from checkout
    assert ("\nFlow 2 - After which flow?\n  the flow whose outcome starts this one; none when an AWS service's "
            "event starts it\n  choices: checkout\n  ('?' says why it matters)") in sio.out


def test_invalid_answers_are_reasked_with_the_reason():
    script = ["shop", "", "checkout", "", "webhook", "api", "", "", "", "fast", "20/s", "10/s", "30/s"] + [""] * 30
    session = qn.Session()
    sio = ScriptIO(script)
    qn.interview(session, sio)
    assert "  error: 'webhook' is not one of: api, schedule" in sio.text
    assert "cannot read 'fast' as a rate" in sio.text
    assert "the peak (10/s) is below the average (20/s)" in sio.text
    assert sio.prompts.count("trigger [api]: ") == 2
    assert session.flows[0]["traffic.peak"] == "30/s"


def test_question_mark_explains_and_reasks():
    session = qn.Session()
    sio = ScriptIO(["s", "", "f", "", "?", "upload"] + [""] * 30)
    qn.interview(session, sio)
    assert "6. change-data: rows of a table change" in sio.text
    assert "Why it matters: What starts a run decides how it enters the system" in sio.text
    assert session.flows[0]["trigger"] == "upload"


def test_back_returns_to_the_previous_question_with_its_answer_as_default():
    session = qn.Session()
    sio = ScriptIO(["shop", "", "checkout", "back", "back", "back", "store", "", "", "", "schedule"] + [""] * 30)
    qn.interview(session, sio)
    assert sio.prompts[:7] == ["name [my-system]: ", "region [us-east-1]: ", "name [flow-1]: ",
                               "context [checkout]: ", "name [checkout]: ", "region [us-east-1]: ", "name [shop]: "]
    assert session.top["name"] == "store" and session.flows[0]["name"] == "checkout"
    assert session.flows[0]["trigger"] == "schedule"


def test_back_at_the_first_question_stays():
    session = qn.Session()
    sio = ScriptIO(["back", "shop"] + [""] * 40)
    qn.interview(session, sio)
    assert "(this is the first question)" in sio.text and session.top["name"] == "shop"


def test_back_over_another_flow_removes_it():
    session = qn.Session()
    sio = ScriptIO(["s"] + [""] * 26 + ["yes", "back", "back", "no", ""])
    result = qn.interview(session, sio)
    assert len(result["flows"]) == 1
    assert result["flows"][0]["data"] == "none"


def test_summary_edit_of_one_field_and_of_a_whole_flow():
    script = SHOP_SCRIPT[:-1] + ["2 duration", "3d", "1", "", "", "queue", *[""] * 25]
    result, sio = run_interview(script)
    assert result["flows"][1]["duration"] == "3d"
    assert result["flows"][0]["name"] == "checkout"  # kept: its old answer was the default
    assert result["flows"][0]["trigger"] == "queue"
    for key in ("api", "auth", "caller_waits"):
        assert key not in result["flows"][0]  # no longer apply
    assert "name [checkout]: " in sio.prompts


def test_summary_change_that_breaks_a_later_answer_reasks_it():
    script = SHOP_SCRIPT[:-1] + ["2 duration", "10s", "5s", ""]
    result, sio = run_interview(script)
    assert "the earlier answer '30s' does not fit: the longest step (30s) cannot be longer than the whole run (10s)" \
        in sio.text
    assert result["flows"][1]["longest_step"] == "5s"


def test_summary_new_trigger_brings_its_questions():
    script = SHOP_SCRIPT[:-1] + ["2 trigger", "kafka", "rabbitmq", "self-managed", ""]
    result, sio = run_interview(script)
    assert "error: 'rabbitmq' is not one of: msk, self-managed" in sio.text
    assert result["flows"][1]["source"] == "self-managed" and "after" not in result["flows"][1]


def test_summary_add_delete_name_back_and_nonsense():
    script = SHOP_SCRIPT[:-1] + ["frobnicate", "1 speed", "delete 1", "", "name", "store", "back", "",
                                 "add", "refund", "api"] + [""] * 24
    result, sio = run_interview(script)
    assert "not understood: 'frobnicate'" in sio.text
    assert "flow 1 has no question 'speed'" in sio.text
    assert [f["name"] for f in result["flows"]] == ["ship-order", "refund"]
    # ship-order lost the flow it started after: an 'event' flow with no flow before it is started by an AWS
    # service's event, which is asked for (the default taken here)
    assert "Which AWS service event starts it?" in sio.text
    ship = result["flows"][0]
    assert ship["trigger"] == "event" and ship["source_event"] and "after" not in ship
    assert result["name"] == "store"


def test_quit_at_the_summary_aborts():
    with pytest.raises(qn.Aborted):
        run_interview(SHOP_SCRIPT[:-1] + ["quit"])


def test_problems_from_the_final_check_block_the_write():
    calls = []

    def check(answers):
        calls.append(answers)
        return ["flows[0]: something" ] if len(calls) == 1 else []

    session = qn.Session()
    sio = ScriptIO(["s"] + [""] * 26 + ["", ""])
    qn.interview(session, sio, check=check)
    assert "error: flows[0]: something" in sio.text and "fix the problems above first" in sio.text
    assert len(calls) == 2


# --- without asking ---------------------------------------------------------------------------------------------

def test_defaults_only_gives_a_valid_workload():
    result = qn.complete({}, use_defaults=True, suggested_name="thumbs")
    w = load_text(qn.build_document(result))
    assert w.name == "thumbs" and w.flows[0].name == "flow-1" and w.flows[0].trigger == "api"


def test_non_interactive_needs_the_essential_answers():
    with pytest.raises(UserError) as exc:
        qn.complete({"flows": [{"trigger": "upload"}]}, use_defaults=False)
    fields = [p.field for p in exc.value.problems]
    assert fields == ["name", "flows[0].name", "flows[0].duration"]
    assert "use --defaults" in str(exc.value)


def test_non_interactive_reports_every_bad_answer():
    data = {"name": "s", "nmae": "x", "flows": [
        {"name": "a", "trigger": "upload", "duration": "soon", "after": "b", "traffic.peek": "1/s"},
        {"name": "a", "trigger": "event", "after": "zzz", "duration": "1s", "coupling": "tight"}]}
    with pytest.raises(UserError) as exc:
        qn.complete(data, use_defaults=True)
    text = str(exc.value)
    assert "unknown answer 'nmae'" in text and "did you mean 'name'" in text
    assert "did you mean 'traffic.peak'" in text
    assert "flows[0].duration: 'soon' is not a valid answer: cannot read 'soon' as a duration" in text
    assert "flows[0].after: 'after' does not apply to this flow (trigger 'upload'" in text
    assert "flows[1].name: 'a' is not a valid answer: the flow name 'a' is already used" in text
    assert "flows[1].after: 'zzz' is not a valid answer" in text
    assert "flows[1].coupling: 'coupling' does not apply" in text


def test_answers_file_nests_like_a_workload_and_points_at_lines(tmp_path):
    f = tmp_path / "answers.yaml"
    f.write_text("name: shop\nflows:\n  - name: checkout\n    trigger: api\n    duration: 8s\n"
                 "    traffic: {average: 5/s, peak: 1/s}\n    needs: {audit: true}\n", encoding="utf-8")
    data, where = qn.answers_from_file(f)
    assert data["flows"][0]["traffic.average"] == "5/s" and data["flows"][0]["needs.audit"] is True
    with pytest.raises(UserError) as exc:
        qn.complete(data, use_defaults=False, where=where)
    (p,) = exc.value.problems
    assert (p.field, p.location.line) == ("flows[0].traffic.peak", 6)
    assert "peak (1/s) is below the average (5/s)" in p.message


def test_answers_file_in_json(tmp_path):
    f = tmp_path / "answers.json"
    f.write_text(json.dumps(SHOP), encoding="utf-8")
    data, _ = qn.answers_from_file(f)
    result = qn.complete(data, use_defaults=False)
    assert load_text(qn.build_document(result)).flows[1].after == "checkout"


@pytest.mark.parametrize("content, message", [
    ("- a\n- b\n", "must be a mapping"),
    ("name: s\nflows: 3\n", "'flows' must be a list"),
    ("name: !!python/object:os.system x\n", "tag"),
    ("name: [\n", "YAML syntax error"),
])
def test_bad_answers_files(tmp_path, content, message):
    f = tmp_path / "a.yaml"
    f.write_text(content, encoding="utf-8")
    with pytest.raises(UserError, match=None) as exc:
        qn.answers_from_file(f)
    assert message in str(exc.value)


def test_flags_over_the_answers_file():
    merged = qn.merge_flags({"name": "a", "flows": [{"name": "x", "duration": "1s"}]},
                            {"name": "b", "duration": "2s", "2.after": "x", "2.name": "y", "trigger": None})
    assert merged == {"name": "b", "flows": [{"name": "x", "duration": "2s"}, {"after": "x", "name": "y"}]}


def test_parse_sets():
    assert init_mod.parse_sets(["traffic.peak=400/s", "2.after=checkout", "name=a=b"]) == \
        {"traffic.peak": "400/s", "2.after": "checkout", "name": "a=b"}
    with pytest.raises(UserError, match="KEY=VALUE"):
        init_mod.parse_sets(["peak"])


# --- run_init -------------------------------------------------------------------------------------------------

def run(tmp_path, script=(), *, out="workload.yaml", **kw):
    err = io.StringIO()
    sio = ScriptIO(script, kw.pop("interrupt_after", None))
    code = init_mod.run_init(tmp_path / out, io=sio if kw.pop("with_io", True) else None, err=err, **kw)
    return code, sio, err.getvalue()


def test_run_init_writes_and_offers(tmp_path, monkeypatch):
    monkeypatch.setattr(init_mod, "recommend_available", lambda: False)
    code, sio, err = run(tmp_path, SHOP_SCRIPT + ["yes"], out="shop.yaml")
    assert code == 0, err
    assert "shop.yaml: written (workload 'shop', 2 flows)" in err
    assert load_text((tmp_path / "shop.yaml").read_text()).name == "shop"
    assert "cannot recommend yet; when it can, run: advisor recommend" in sio.text


def test_run_init_offer_declined(tmp_path):
    code, sio, err = run(tmp_path, SHOP_SCRIPT + ["n"])
    assert code == 0 and "next: advisor recommend" in err


def test_run_init_offer_runs_recommend(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(init_mod, "recommend_available", lambda: True)
    monkeypatch.setattr("subprocess.run", lambda argv, check: calls.append(argv))
    code, _, _ = run(tmp_path, SHOP_SCRIPT + [""])
    assert code == 0 and calls and calls[0][-2:] == ["recommend", str(tmp_path / "workload.yaml")]


@pytest.mark.parametrize("interrupt_after", [0, 5, len(SHOP_SCRIPT) - 1])
def test_ctrl_c_anywhere_writes_nothing(tmp_path, interrupt_after):
    code, _, err = run(tmp_path, SHOP_SCRIPT, interrupt_after=interrupt_after)
    assert code == 2 and "aborted, nothing written" in err
    assert list(tmp_path.iterdir()) == []


def test_end_of_input_writes_nothing(tmp_path):
    code, _, err = run(tmp_path, ["shop", "checkout"])
    assert code == 2 and "aborted, nothing written" in err and not (tmp_path / "workload.yaml").exists()


def test_ctrl_c_while_writing_leaves_no_file(tmp_path, monkeypatch):
    import advisor.writer as writer

    def boom(*a, **k):
        raise KeyboardInterrupt

    monkeypatch.setattr(writer._Transaction, "place", boom)
    code, _, err = run(tmp_path, defaults=True, with_io=False)
    assert code == 2 and "aborted, nothing written" in err
    assert list(tmp_path.iterdir()) == []


def test_existing_file_is_refused_before_asking(tmp_path):
    (tmp_path / "workload.yaml").write_text("mine\n")
    code, sio, err = run(tmp_path, SHOP_SCRIPT)
    assert code == 2 and "exists; not overwritten (re-run with --force" in err
    assert sio.prompts == [] and (tmp_path / "workload.yaml").read_text() == "mine\n"


def test_force_overwrites(tmp_path):
    (tmp_path / "workload.yaml").write_text("mine\n")
    code, _, _ = run(tmp_path, defaults=True, force=True, with_io=False)
    assert code == 0 and "flow-1" in (tmp_path / "workload.yaml").read_text()


def test_no_terminal_and_no_flag_exits_2(tmp_path):
    code, _, err = run(tmp_path, with_io=False, is_tty=lambda: False)
    assert code == 2 and "needs a terminal" in err and "--defaults" in err and "--non-interactive" in err
    assert list(tmp_path.iterdir()) == []


def test_non_interactive_with_answers_and_flags(tmp_path):
    answers = tmp_path / "answers.yaml"
    answers.write_text(yaml.safe_dump(SHOP))
    code, _, err = run(tmp_path, with_io=False, non_interactive=True, answers=answers,
                       flags={"name": "store", "2.duration": "3d"}, out="w.yaml")
    assert code == 0, err
    w = load_text((tmp_path / "w.yaml").read_text())
    assert w.name == "store" and w.flows[1].duration == 3 * 86400
    assert "next: advisor recommend" in err


def test_non_interactive_problems_exit_2(tmp_path):
    code, _, err = run(tmp_path, with_io=False, non_interactive=True, flags={"name": "s", "trigger": "upload"})
    assert code == 2 and "flows[0].duration" in err and not (tmp_path / "workload.yaml").exists()


def test_interactive_presets_from_flags_are_not_asked(tmp_path):
    code, sio, err = run(tmp_path, ["", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "",
                                    "", "", "n"], flags={"name": "shop", "1.name": "thumb", "1.trigger": "upload"})
    assert code == 0, err
    assert not any(p.startswith(("name [", "trigger [")) for p in sio.prompts)
    assert load_text((tmp_path / "workload.yaml").read_text()).flows[0].trigger == "upload"


def test_unknown_flag_answer_exits_2(tmp_path):
    code, _, err = run(tmp_path, [], flags={"1.speed": "x"})
    assert code == 2 and "unknown answer 'speed'" in err


def test_suggested_name():
    assert init_mod.suggested_name(Path("Shop Orders.yaml")) == "shop-orders"
    assert init_mod.suggested_name(Path("workload.yaml")) == "my-system"


def test_main_entry_point(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert init_mod.main(["--defaults", "--name", "abc", "--set", "duration=3s", "x.yaml"]) == 0
    assert load_text((tmp_path / "x.yaml").read_text()).flows[0].duration == 3
    assert init_mod.main(["--defaults", "--set", "oops"]) == 2
