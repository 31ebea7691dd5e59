"""advisor init end to end, through a real pseudo-terminal (pexpect): a full
two-flow questionnaire, invalid answers re-asked, Ctrl-C leaves no file, and
no terminal exits 2 instead of hanging."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pexpect
import pytest

from advisor.workload import load  # noqa: E402

TIMEOUT = 20

# the tests share a module fixture: keep them on one pytest-xdist worker (README: --dist loadgroup)
pytestmark = pytest.mark.xdist_group("init-pty")


def init_command() -> list[str]:
    """``python -m advisor init`` once the CLI has it, else this module's own entry point."""
    from advisor import cli

    names = {c.name or (c.callback.__name__ if c.callback else "") for c in cli.app.registered_commands}
    return ["-m", "advisor", "init"] if "init" in names else ["-m", "advisor.init"]


def spawn(tmp_path: Path, *args: str):
    env = {**os.environ, "HOME": str(tmp_path), "TERM": "dumb", "COLUMNS": "200"}
    env = {k: v for k, v in env.items() if not k.startswith("ADVISOR_")}
    child = pexpect.spawn(sys.executable, [*init_command(), *args], cwd=str(tmp_path), env=env,
                          encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 200))
    return child


def answer(child, key: str, text: str) -> None:
    """Wait for the prompt of question ``key`` (``key [default]: ``) and type ``text``."""
    child.expect_exact(f"{key} [")
    child.expect_exact("]: ")
    child.sendline(text)


# (question key, answer) for the shop of examples/e02-shop.yaml; "" keeps the default
SHOP = [
    ("name", "shop"), ("region", ""),
    ("name", "checkout"), ("context", "orders"), ("trigger", "api"), ("api", ""), ("auth", "users"), ("caller_waits", "yes"),
    ("traffic.average", "5/s"), ("traffic.peak", "400/s"), ("traffic.pattern", "spiky"), ("duration", "8s"),
    ("steps", "validate-cart, charge-card, reserve-stock"), ("longest_step", ""), ("coupling", "yes"),
    ("consumers", "shipping, email, analytics"),
    ("needs.ordering", ""), ("needs.exactly_once", ""), ("needs.replay", ""), ("needs.audit", ""),
    ("needs.timeouts", ""), ("needs.compensation", "yes"), ("needs.human_approval", ""),
    ("needs.callbacks", ""), ("needs.content_filtering", ""), ("external_targets", ""), ("downstream_limit", ""),
    ("message_size", ""), ("data", "relational"),
    (None, "yes"),
    ("name", "ship-order"), ("context", "shipping"), ("trigger", ""), ("after", ""), ("traffic.average", ""), ("traffic.peak", ""),
    ("traffic.pattern", ""), ("duration", "2d"), ("steps", "pick, pack, hand-to-carrier"), ("longest_step", "30s"),
    ("coupling", ""), ("consumers", ""),
    ("needs.ordering", ""), ("needs.exactly_once", ""), ("needs.replay", ""), ("needs.audit", ""),
    ("needs.timeouts", ""), ("needs.compensation", ""), ("needs.human_approval", "yes"),
    ("needs.callbacks", ""), ("external_targets", ""), ("downstream_limit", ""), ("message_size", ""), ("data", ""),
    (None, "no"),
]


def drive(child, script) -> None:
    for key, text in script:
        if key is None:
            child.expect_exact("Add another flow? [")
            child.expect_exact("]: ")
            child.sendline(text)
        else:
            answer(child, key, text)


def finish(child) -> int:
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


@pytest.fixture(scope="module")
def shop_file(tmp_path_factory) -> Path:
    """The shop written by a full interactive run (shared by the tests that read it)."""
    tmp_path = tmp_path_factory.mktemp("shop")
    child = spawn(tmp_path, "shop.yaml")
    drive(child, SHOP)
    child.expect_exact("Summary of 'shop'")
    child.expect_exact("Write the file? [yes]")
    child.sendline("")
    child.expect_exact("shop.yaml: written (workload 'shop', 2 flows)")
    child.expect_exact("Show the recommendation for it now? [yes]: ")
    child.sendline("no")
    assert finish(child) == 0
    return tmp_path / "shop.yaml"


def test_full_questionnaire_writes_a_valid_two_flow_workload(shop_file):
    w = load(shop_file)
    checkout, ship = w.flows
    assert (w.name, checkout.name, ship.name) == ("shop", "checkout", "ship-order")
    assert (checkout.trigger, checkout.auth, checkout.coupling, checkout.data) == \
        ("api", "users", "tight", "relational")
    assert checkout.needs.compensation and checkout.consumers == ("shipping", "email", "analytics")
    assert (ship.trigger, ship.after, ship.duration, ship.longest_step) == ("event", "checkout", 172800, 30)
    assert ship.needs.human_approval and (ship.traffic.average, ship.traffic.peak) == (5, 400)
    text = shop_file.read_text()
    assert text.startswith("# yaml-language-server: $schema=")
    proc = subprocess.run([sys.executable, "-m", "advisor", "validate", str(shop_file)], capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr


def test_recommend_on_the_written_file_gives_the_expected_decisions(shop_file):
    proc = subprocess.run([sys.executable, "-m", "advisor", "recommend", str(shop_file), "--format", "json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode in (0, 1), proc.stderr
    flows = {f["name"]: {k: d["choice"] for k, d in f["decisions"].items()} for f in json.loads(proc.stdout)["flows"]}
    # the expectations of tests/fixtures/shared_examples/e02-shop.yaml, which describes the same system
    assert flows["checkout"]["composition"] == "orchestration"
    assert flows["checkout"]["orchestrator"] == "step-functions-express"
    assert flows["checkout"]["channel"] in ("eventbridge", "sns", "sns-sqs")
    assert flows["checkout"]["entry"] == "api-sync"
    assert flows["checkout"]["compute"] == "lambda"
    assert flows["checkout"]["data_store"] == "aurora-serverless"
    assert flows["ship-order"]["composition"] == "orchestration"
    assert flows["ship-order"]["orchestrator"] == "step-functions-standard"
    assert flows["ship-order"]["compute"] == "lambda"


def test_invalid_answers_are_reasked(tmp_path):
    child = spawn(tmp_path, "w.yaml", "--no-recommend")
    answer(child, "name", "My Shop")
    child.expect_exact("error: 'My Shop' is not a valid name")
    child.expect_exact("(try 'my-shop')")
    answer(child, "name", "my-shop")
    answer(child, "region", "")
    answer(child, "name", "thumbs")
    answer(child, "context", "")
    answer(child, "trigger", "webhook")
    child.expect_exact("error: 'webhook' is not one of: api, schedule, upload")
    answer(child, "trigger", "upload")
    answer(child, "traffic.average", "lots")
    child.expect_exact("cannot read 'lots' as a rate")
    answer(child, "traffic.average", "20/min")
    answer(child, "traffic.peak", "1/min")
    child.expect_exact("the peak (1/min) is below the average (20/min)")
    answer(child, "traffic.peak", "")
    answer(child, "traffic.pattern", "")
    answer(child, "duration", "soon")
    child.expect_exact("cannot read 'soon' as a duration")
    answer(child, "duration", "3s")
    for key in ("steps", "longest_step", "consumers", "needs.ordering", "needs.exactly_once", "needs.replay",
                "needs.audit", "needs.timeouts", "needs.human_approval", "needs.callbacks", "external_targets",
                "downstream_limit",
                "message_size", "data"):
        answer(child, key, "")
    child.expect_exact("Add another flow? [")
    child.sendline("")
    child.expect_exact("Write the file? [yes]")
    child.sendline("yes")
    assert finish(child) == 0
    w = load(tmp_path / "w.yaml")
    assert (w.name, w.flows[0].trigger, w.flows[0].traffic.average, w.flows[0].traffic.peak) == \
        ("my-shop", "upload", pytest.approx(20 / 60), pytest.approx(20 / 60))


def test_ctrl_c_midway_leaves_no_file(tmp_path):
    child = spawn(tmp_path, "w.yaml")
    drive(child, SHOP[:10])  # up to traffic.peak
    child.expect_exact("traffic.pattern [")  # wait for the next prompt, then interrupt it
    child.sendintr()
    child.expect_exact("aborted, nothing written")
    assert finish(child) == 2
    assert list(tmp_path.iterdir()) == []


def test_ctrl_d_at_the_summary_leaves_no_file(tmp_path):
    child = spawn(tmp_path, "w.yaml", "--defaults", "--force")  # --defaults never asks: exercise EOF instead
    assert finish(child) == 0
    (tmp_path / "w.yaml").unlink()
    child = spawn(tmp_path, "w.yaml")
    drive(child, SHOP)
    child.expect_exact("Write the file? [yes]")
    child.sendeof()
    child.expect_exact("aborted, nothing written")
    assert finish(child) == 2
    assert not (tmp_path / "w.yaml").exists()


def test_go_back_from_the_summary_then_see_the_recommendation(tmp_path):
    child = spawn(tmp_path, "w.yaml")
    drive(child, SHOP)
    child.expect_exact("Write the file? [yes]")
    child.sendline("1 duration")
    answer(child, "duration", "20s")
    child.expect_exact("duration: 20s")
    child.expect_exact("Write the file? [yes]")
    child.sendline("")
    child.expect_exact("Show the recommendation for it now? [yes]: ")
    child.sendline("")
    child.expect_exact("ship-order")  # the recommendation names both flows
    assert finish(child) == 0
    assert load(tmp_path / "w.yaml").flows[0].duration == 20


def test_no_terminal_exits_2_instead_of_hanging(tmp_path):
    proc = subprocess.run([sys.executable, *init_command(), "w.yaml"], cwd=tmp_path, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 2
    assert "needs a terminal" in proc.stderr and "--defaults" in proc.stderr
    assert not (tmp_path / "w.yaml").exists()


def test_existing_file_refused_without_force(tmp_path):
    (tmp_path / "w.yaml").write_text("mine\n")
    child = spawn(tmp_path, "w.yaml")
    child.expect_exact("exists; not overwritten")
    assert finish(child) == 2
    assert (tmp_path / "w.yaml").read_text() == "mine\n"
