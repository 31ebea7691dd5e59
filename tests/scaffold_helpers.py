"""Build workloads and recommendation dicts for scaffold tests, and run the real validators.

Kept independent of the workload loader and the rule engine, so the scaffold
can be tested on its own: flows are built with the model's defaults filled
the way spec/workload-v1.md says.
"""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from advisor.model import Flow, Needs, Traffic, Workload

RATE_UNITS = {"s": 1, "min": 60, "h": 3600, "day": 86400, "month": 30 * 86400}


def rate(v) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    num, unit = v.split("/")
    mult = {"k": 1e3, "M": 1e6}.get(num[-1], 1)
    num = num[:-1] if num[-1] in "kM" else num
    return float(num) * mult / RATE_UNITS[unit]


def duration(v) -> float:
    if isinstance(v, (int, float)):
        return float(v)
    import re
    total = 0.0
    for n, u in re.findall(r"([\d.]+)(ms|s|m|h|d)", v):
        total += float(n) * {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}[u]
    return total


def make_flow(index: int, raw: dict, flows_so_far: dict) -> Flow:
    trigger = raw["trigger"]
    after = raw.get("after")
    up = flows_so_far.get(after) if after else None
    t = raw.get("traffic", {})
    avg = rate(t["average"]) if "average" in t else (up.traffic.average if up else 1.0)
    peak = rate(t["peak"]) if "peak" in t else (up.traffic.peak if up else avg)
    pattern = t.get("pattern", up.traffic.pattern if up else "unpredictable")
    steps = tuple(raw.get("steps", [raw["name"]]))
    dur = duration(raw["duration"])
    longest = duration(raw["longest_step"]) if "longest_step" in raw else dur / len(steps)
    consumers = tuple(raw.get("consumers", []))
    return Flow(
        name=raw["name"], index=index, context=raw.get("context", raw["name"]), trigger=trigger,
        traffic=Traffic(avg, max(peak, avg), pattern), duration=dur, longest_step=longest, steps=steps,
        coupling=raw.get("coupling", "loose"), consumers=consumers, fan_out=raw.get("fan_out", len(consumers)),
        needs=Needs(**raw.get("needs", {})), caller_waits=raw.get("caller_waits", trigger == "api"),
        message_size=1024, data=raw.get("data", "none"), external_targets=tuple(raw.get("external_targets", [])),
        after=after, api=raw.get("api", "http" if trigger == "api" else None),
        auth=raw.get("auth", "none" if trigger == "api" else None), source=raw.get("source"),
        description=raw.get("description"))


def make_workload(raw: dict) -> Workload:
    flows: dict[str, Flow] = {}
    for i, f in enumerate(raw["flows"]):
        flows[f["name"]] = make_flow(i, f, flows)
    return Workload(version=1, name=raw["name"], flows=tuple(flows.values()),
                    runtime=raw.get("runtime", "python3.13"), description=raw.get("description"))


DEFAULT_ENTRY = {"api": "api-sync", "schedule": "schedule", "upload": "s3-event", "queue": "sqs-poll",
                 "stream": "kinesis-poll", "change-data": "dynamodb-stream-poll", "kafka": "kafka-poll",
                 "mq": "mq-poll"}
ENTRY_FOR_CHANNEL = {"eventbridge": "eventbridge-rule", "eventbridge-sns": "sns-subscription",
                     "sns": "sns-subscription", "sns-sqs": "sqs-poll", "sqs": "sqs-poll", "sqs-fifo": "sqs-poll",
                     "sns-fifo": "sqs-poll", "kinesis": "kinesis-poll", "dynamodb-streams": "dynamodb-stream-poll"}
DATA = {"none": "none", "key-value": "dynamodb", "relational": "aurora-serverless", "files": "s3"}


def default_choices(flow: Flow, channels: dict) -> dict:
    orchestrated = len(flow.steps) > 1 and flow.coupling == "tight" or flow.needs.human_approval
    orch = "none"
    if orchestrated:
        orch = "step-functions-express" if flow.duration <= 300 and not flow.needs.human_approval \
            else "step-functions-standard"
    channel = "none"
    if flow.consumers or flow.fan_out or flow.name in {a for a in channels.get("__after__", ())}:
        channel = "eventbridge" if flow.external_targets else "sns-sqs"
    entry = DEFAULT_ENTRY.get(flow.trigger)
    return {"composition": "orchestration" if orch != "none" else "choreography", "orchestrator": orch,
            "channel": channel, "entry": entry, "compute": "fargate" if flow.longest_step > 900 else "lambda",
            "data_store": DATA[flow.data]}


def recommendation(workload: Workload, overrides: dict[str, dict] | None = None) -> dict:
    """A recommendation dict: defaults above, then ``overrides[flow]`` (an expect: block)."""
    overrides = overrides or {}
    afters = {f.after for f in workload.flows if f.after}
    flows = []
    chosen: dict[str, dict] = {}
    for flow in workload.flows:
        c = default_choices(flow, {"__after__": afters})
        for k, v in (overrides.get(flow.name) or {}).items():
            if isinstance(v, list):
                v = v[0]
            if isinstance(v, dict) and "follows" in v:
                continue
            c[k] = v
        if flow.trigger == "event":
            c["entry"] = ENTRY_FOR_CHANNEL.get(chosen.get(flow.after, {}).get("channel"), "sqs-poll")
        chosen[flow.name] = c
        flows.append({"name": flow.name, "context": flow.context, "trigger": flow.trigger, "after": flow.after,
                      "decisions": {k: {"choice": v, "reason": f"test default for {k}"} for k, v in c.items()},
                      "hops": [], "findings": []})
    return {"version": 1, "workload": workload.name, "region": "us-east-1", "flows": flows, "findings": []}


# ---------------------------------------------------------------------------------------
# validators


class Validators:
    """cfn-lint (+ serverless rules) on the source, the SAM translator, cfn-lint on its output."""

    IGNORED_ON_TRANSLATED = {"W3037", "ES1001"}

    def __init__(self) -> None:
        import boto3  # noqa: F401 - samtranslator needs it
        from cfnlint.config import ConfigMixIn
        from cfnlint.runner import Runner
        # what cfnlint.api.lint does, with the rules (cfn-lint's and the serverless ones) loaded once: the API
        # loads them again on every call, a third of the cost of linting a template
        self._config = ConfigMixIn(regions=["us-east-1"], append_rules=["cfn_lint_serverless.rules"])
        self._rules = Runner(self._config).rules

    def lint(self, text: str, ignore: set[str] = frozenset()) -> list[str]:
        from cfnlint.decode.decode import decode_str
        from cfnlint.runner import run_template_by_data
        template, matches = decode_str(text)
        if not matches and template is not None:
            matches = list(run_template_by_data(template, self._config, self._rules))
        return [f"{m.rule.id} {m.message} ({'/'.join(map(str, getattr(m, 'path', None) or []))})"
                for m in matches if m.rule.id not in ignore]

    def translate(self, files: dict[str, bytes]) -> dict:
        import boto3
        from cfnlint.decode.cfn_yaml import loads
        from samtranslator.model.exceptions import InvalidDocumentException
        from samtranslator.parser.parser import Parser
        from samtranslator.translator.translator import Translator
        template = loads(files["template.yaml"].decode())
        template = json.loads(json.dumps(template))
        for res in template.get("Resources", {}).values():
            props = res.get("Properties", {})
            for key in ("CodeUri", "ContentUri"):  # what sam package puts there
                if key in props:
                    props[key] = "s3://bucket/code.zip"
            if "DefinitionUri" in props:
                props["Definition"] = json.loads(files[props.pop("DefinitionUri")])
        try:
            return Translator(None, Parser(), boto_session=boto3.Session(region_name="us-east-1")).translate(
                template, parameter_values={}, get_managed_policy_map=lambda: {})
        except InvalidDocumentException as exc:
            raise AssertionError("translator: " + "; ".join(c.message for c in exc.causes)) from None

    def problems(self, files: dict[str, bytes]) -> list[str]:
        out = ["source: " + p for p in self.lint(files["template.yaml"].decode())]
        translated = self.translate(files)
        out += ["translated: " + p for p in self.lint(json.dumps(translated), self.IGNORED_ON_TRANSLATED)]
        return out


def run_app_tests(app: Path, node_modules: Path) -> subprocess.CompletedProcess:
    """A generated app's own tests, as its README says: pytest (Python) or npm test (TypeScript)."""
    if (app / "package.json").is_file():
        link = app / "node_modules"
        if not link.exists():
            link.symlink_to(node_modules, target_is_directory=True)
        return subprocess.run(["npm", "test"], cwd=app, capture_output=True, text=True, timeout=600)
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"], cwd=app,
                          capture_output=True, text=True, timeout=600)


def assert_app_tests_pass(proc: subprocess.CompletedProcess) -> None:
    """Every generated test ran and passed: none failed, none skipped."""
    out = proc.stdout[-4000:] + proc.stderr[-2000:]
    assert proc.returncode == 0, out
    if "# tests " in proc.stdout:  # node:test's summary
        assert "# fail 0" in proc.stdout and "# skipped 0" in proc.stdout and "# todo 0" in proc.stdout, out
        assert "# pass 0" not in proc.stdout, out
    else:
        assert " passed" in proc.stdout and "skipped" not in proc.stdout, out
