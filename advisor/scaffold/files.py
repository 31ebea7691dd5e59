"""Code, sample events, unit tests, README and samconfig for the generated app."""
from __future__ import annotations

import base64
import json
import keyword
import re
from typing import Any

from .base import App
from .names import snake
from .fragments import load_json, render_text
from .powertools import needs_idempotency

GLUE_ACTIONS = {"start_execution": "start_workflow", "run_task": "run_task"}  # action -> shared function
GLUE_ACTIONS_TS = {"start_execution": "startWorkflow", "run_task": "runTask"}

SAMPLE = {"id": "order-1", "total": 42.5, "items": ["book"]}
_UNSAFE = re.compile(r"[^A-Za-z0-9 _.,:()/\-]")


def plain(text: str) -> str:
    """Text safe for a docstring or a Markdown cell: workload names are slugs, but make sure."""
    return _UNSAFE.sub("_", text)


def _event(kind: str, workload: str, flow: str) -> Any:
    payload_json = json.dumps(SAMPLE, sort_keys=True)
    values: dict[str, Any] = {
        "payload_json": payload_json, "payload_b64": base64.b64encode(payload_json.encode()).decode(),
        "payload": dict(SAMPLE), "detail_type": f"{flow}.completed", "source": workload}
    from .fragments import _read
    used = {m for m in values if "{{ " + m + " }}" in _read(f"events/{kind}.json")}
    return load_json(f"events/{kind}.json", **{k: values[k] for k in used})


# JavaScript's reserved words and Python's keywords: a step's function must be a valid name in both
_RESERVED = frozenset(keyword.kwlist) | frozenset(
    "break case catch class const continue debugger default delete do else enum export extends false finally for "
    "function if import in instanceof new null return super switch this throw true try typeof var void while with "
    "yield let static implements interface package private protected public await".split())


def step_name(directory: str) -> str:
    """The name of the step's function in logic.py/logic.ts: the folder's name, made a safe identifier."""
    return directory if directory not in _RESERVED else directory + "_step"


class Layout:
    """Where a language's files go and where their templates are."""

    def __init__(self, language: str) -> None:
        self.ts = language == "typescript"
        self.ext = "ts" if self.ts else "py"
        self.templates = "typescript/" if self.ts else ""

    def text(self, relative: str, **values: str) -> str:
        return render_text(f"{self.templates}{relative}.{self.ext}", **values)

    def adapter_test(self, directory: str) -> str:
        return f"tests/{directory}.adapter.test.ts" if self.ts else f"tests/test_{directory}_adapter.py"

    def logic_test(self, directory: str) -> str:
        return f"tests/{directory}.logic.test.ts" if self.ts else f"tests/test_{directory}_logic.py"

    def boolean(self, value: bool) -> str:
        return ("true" if value else "false") if self.ts else str(value)


def _adapter_tests(layout: Layout, fn: Any, step: str, glue: bool) -> str:
    """The generated tests of one adapter: only those that apply to its source (no skipped test)."""
    values = dict(function_dir=fn.directory, source=fn.source, once=layout.boolean(needs_idempotency(fn.source)))
    if not layout.ts:
        used = "ROOT, load_module" if fn.source == "ecs_task" else "ROOT, Context, load_module, sample_event"
        values.update(step=step, seam="shared" if glue else "logic", names=used)
    parts = [layout.text("tests/adapter/head", **values)]
    sample = {"sqs": "batch", "kinesis": "batch", "dynamodb": "batch", "sns": "records", "s3": "records",
              "kafka": "records", "mq": "records", "http": "http", "websocket": "websocket",
              "ecs_task": "ecs_task"}.get(fn.source, "single")
    parts.append(layout.text(f"tests/adapter/sample_{sample}"))
    if sample == "batch":
        parts += [layout.text(f"tests/adapter/batch_{fn.source}"), layout.text("tests/adapter/batch")]
    if needs_idempotency(fn.source):
        parts.append(layout.text("tests/adapter/once"))
    if fn.publish and fn.source != "ecs_task":
        parts.append(layout.text("tests/adapter/publish", publish=fn.publish))
    if glue:
        parts.append(layout.text("tests/adapter/action", **({"step": step} if layout.ts else {})))
    if glue and fn.action == "start_execution":  # naming executions after deliveries (EXECUTION_NAME_FROM)
        parts.append(layout.text("tests/adapter/named"))
    return "".join(parts)


def function_files(app: App, workload_name: str, language: str = "python") -> dict[str, bytes]:
    """Per function: the generated adapter (app.py / app.ts), the team's logic module, a sample event, the
    adapter's tests and the team's first test; once per app: the shared module and what the tests need."""
    out: dict[str, bytes] = {}
    if not app.functions:
        return out
    layout = Layout(language)
    out[f"src/shared/shared.{layout.ext}"] = layout.text("handlers/shared").encode()
    if layout.ts:
        out["tests/support.ts"] = layout.text("tests/support").encode()
        package = load_json("typescript/app/package.json", name=snake(workload_name).replace("_", "-"))
        out["package.json"] = (json.dumps(package, indent=2) + "\n").encode()
        out["tsconfig.json"] = render_text("typescript/app/tsconfig.json").encode()
    else:
        out["src/shared/requirements.txt"] = render_text("handlers/requirements.txt").encode()
        out["tests/conftest.py"] = render_text("tests/conftest.py").encode()
        out["tests/requirements.txt"] = render_text("tests/requirements.txt").encode()
    for fn in app.functions:
        glue = fn.action in GLUE_ACTIONS and fn.source != "ecs_task"
        step = (GLUE_ACTIONS_TS if layout.ts else GLUE_ACTIONS)[fn.action] if glue else step_name(fn.directory)
        kind = fn.action if glue else "ecs_task" if fn.source == "ecs_task" else "work"
        logic = f"src/{fn.directory}/logic.{layout.ext}"
        header = layout.text("handlers/adapters/header", free_text=("title",), title=plain(fn.title),
                             source=fn.source, action=fn.action,
                             logic=f"src/shared/shared.{layout.ext} (no logic module: this step is glue)"
                             if glue else logic)
        values = {"source": fn.source} if kind in ("work", "start_execution", "run_task") else {}
        if not glue:
            values["step"] = step
        out[f"src/{fn.directory}/app.{layout.ext}"] = (
            header + layout.text(f"handlers/adapters/{kind}", **values)).encode()
        if not layout.ts:
            out[f"src/{fn.directory}/requirements.txt"] = (
                b"# this function's own dependencies (Powertools comes with the SharedLayer, boto3 with the runtime)\n")
        event = _event(fn.source, workload_name, fn.flow)
        out[f"events/{fn.directory}.json"] = (json.dumps(event, indent=2, sort_keys=True) + "\n").encode()
        out[layout.adapter_test(fn.directory)] = _adapter_tests(layout, fn, step, glue).encode()
        if not glue:
            out[logic] = layout.text("handlers/logic/work", free_text=("title",), title=plain(fn.title),
                                     step=step).encode()
            out[layout.logic_test(fn.directory)] = layout.text("tests/logic", function_dir=fn.directory,
                                                               step=step).encode()
    return out


def samconfig(stack: str, region: str) -> bytes:
    return render_text("app/samconfig.toml", stack_name=stack, region=region).encode()


def dockerfile(app: App, name: str, runtime: str) -> bytes | None:
    """The container image of the Fargate steps, when there are any (SAM builds functions, not task images)."""
    if not any(f.source == "ecs_task" for f in app.functions):
        return None
    if runtime.startswith("nodejs"):
        return render_text("typescript/app/Dockerfile", image_name=name,
                           node_version=runtime.removeprefix("nodejs").removesuffix(".x")).encode()
    return render_text("app/Dockerfile", image_name=name, python_version=runtime.removeprefix("python")).encode()


def _md(text: Any) -> str:
    """Free text in Markdown: one line, no HTML, table pipes escaped."""
    s = " ".join(str(text).split())
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("<", "&lt;").replace(">", "&gt;")


def readme(workload: Any, recommendation: dict, app: App, runtime: str, *, report: bool = False) -> bytes:
    from ..diagram import mermaid_block

    lines = [f"# {_md(workload.name)}", ""]
    if workload.description:
        lines += [_md(workload.description), ""]
    ts = runtime.startswith("nodejs")
    ext = "ts" if ts else "py"
    lines += ["Generated by `advisor scaffold` from the workload file and the advisor's decisions. "
              f"Your business logic goes in `src/<step>/logic.{ext}`; the rest follows the workload (see "
              "[Who owns what](#who-owns-what)).", ""]
    if report:
        lines += ["The full report, with every rule that fired, the options each decision excluded and why, "
                  "and the costs: [RECOMMENDATION.md](RECOMMENDATION.md).", ""]
    lines += ["## Architecture", "", mermaid_block(workload, recommendation).rstrip("\n"), "",
              "## Decisions, per flow", ""]
    flows = {f["name"]: f for f in recommendation.get("flows", [])}
    for flow in workload.flows:
        lines += [f"### {_md(flow.name)}", ""]
        if flow.description:
            lines += [_md(flow.description), ""]
        lines += ["| decision | choice | why |", "|---|---|---|"]
        decisions = flows.get(flow.name, {}).get("decisions", {})
        for name in ("composition", "orchestrator", "channel", "entry", "compute", "data_store"):
            d = decisions.get(name, {})
            lines.append(f"| {name} | `{_md(d.get('choice', '-'))}` | {_md(d.get('reason') or '')} |")
        lines.append("")
        findings = flows.get(flow.name, {}).get("findings", []) or []
        if findings:
            lines += ["Findings:", ""]
            lines += [f"- **{_md(f.get('rule', ''))}** ({_md(f.get('severity', ''))}): "
                      f"{_md(f.get('message') or f.get('title') or '')}" for f in findings]
            lines.append("")
        for note in app.notes.get(flow.name, []):
            lines.append(f"> Scaffold note: {_md(note)}")
        if app.notes.get(flow.name):
            lines.append("")
        fns = [f for f in app.functions if f.flow == flow.name]
        if fns:
            lines += ["Code:", ""]
            lines += [f"- `src/{f.directory}/` ({f.source} -> {f.action}): {_md(f.title)}" for f in fns]
            lines.append("")
    params = sorted(app.template.get("Parameters", {}))
    lines += ["## Who owns what", "",
              f"- **Yours:** `src/<step>/logic.{ext}` (the step's business logic: one function, called with each "
              "event's payload) and " + ("`tests/<step>.logic.test.ts`" if ts else "`tests/test_<step>_logic.py`")
              + ". `advisor scaffold` created them once and never writes, merges or checks them again.",
              "- **The generator's:** everything else: `template.yaml`, `statemachine/`, the adapters "
              f"`src/<step>/app.{ext}`, the shared module `src/shared/` ("
              + ("bundled into each function by esbuild" if ts else "the `SharedLayer`")
              + ": event parsing, Powertools batch processing and idempotency, publishing the outcome), `events/`, "
              + ("`tests/<step>.adapter.test.ts`, `tests/support.ts`, `package.json`, `tsconfig.json`, " if ts else
                 "`tests/test_<step>_adapter.py`, `tests/conftest.py`, ")
              + "`samconfig.toml` and this README. "
              "`advisor scaffold` keeps them in step with the workload.",
              "- A hand edit to a generated file is kept while the generation does not change, and merged three "
              "ways when it does (base: `.advisor/base/`, the last generation). Where your edit and the new "
              "generation change the same lines, the file gets conflict markers (`<<<<<<<`), the run names it and "
              "exits 1; resolve them and commit. Commit `.advisor.yml` and `.advisor/` with the app.",
              "- `advisor scaffold <workload> -o <this folder> --check` (in CI, or the pre-commit hook) fails only "
              "when the generated files disagree with the workload, or still hold conflict markers.", "",
              "## Build, test, deploy", "", "```sh",
              *(["npm install                    # Powertools, esbuild (sam build uses it), tsx",
                 "npm test                       # unit tests (node:test), no AWS access"] if ts else
                ["python -m pip install -r tests/requirements.txt   # pytest, Powertools, boto3",
                 "python -m pytest tests         # unit tests, no AWS access"]),
              "sam validate                  # the SAM translator",
              f"sam validate --lint            # cfn-lint; the {runtime} runtime is needed only for sam build",
              "sam build",
              "sam deploy --guided            # writes your answers to samconfig.toml",
              "```", ""]
    if params:
        lines += ["`sam deploy --guided` asks for these parameters: " + ", ".join(f"`{p}`" for p in params) + ".", ""]
    if any(f.source == "ecs_task" for f in app.functions):
        lines += ["Steps that run on Fargate use a container image that `sam build` does not make: build it from "
                  "the `Dockerfile` (`docker build --platform linux/arm64 .`), push it to Amazon ECR, and give its "
                  "URI to the `*ImageUri` parameters.", ""]
    lines += ["Try a function locally with a sample event: `sam local invoke <FunctionLogicalId> -e events/<file>.json`.",
              "", "## Operating notes", "",
              "- Every queue has a dead-letter queue; look there first when something goes missing.",
              "- Logs are JSON, kept 30 days and encrypted with the app's KMS key (`AppKey`).",
              "- A REST API needs the account's API Gateway CloudWatch role once per region "
              "(`AWS::ApiGateway::Account`) for access logs.",
              "- No function has reserved concurrency; set `ReservedConcurrentExecutions` where a downstream "
              "system needs protecting (it fails to deploy when unreserved concurrency would drop below 100).",
              ""]
    return "\n".join(lines).encode()
