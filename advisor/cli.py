"""The command line: options, one error boundary, and rendering. Nothing else.

Only this module imports typer. Every command imports what it needs inside
its body, so ``advisor --help`` pays for typer alone and ``advisor validate``
for typer and PyYAML (see benchmarks/bench_cli.py).
"""
from __future__ import annotations

import sys
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import List, Optional

import typer

from . import __version__
from .errors import EXIT_FAIL, EXIT_OK, EXIT_USAGE, UserError

app = typer.Typer(
    name="advisor",
    help="Serverless architecture decisions from a workload description, explained, and a starter SAM app.\n\n"
         "Example: advisor validate workload.yaml && advisor recommend workload.yaml",
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
    no_args_is_help=True,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"advisor {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True,
                                 help="Print the version and exit."),
) -> None:
    """advisor: serverless architecture decisions, explained."""


@contextmanager
def user_errors():
    """The one error boundary: a UserError becomes its problems on stderr and
    exit code 2. Anything else is a bug and keeps its traceback."""
    try:
        yield
    except UserError as exc:
        _print_problems(exc)
        raise typer.Exit(EXIT_USAGE) from None
    except OSError as exc:  # the system refused (permission, full disk...) where no writer named the path
        from .writer import os_refusal

        _print_problems(os_refusal(exc, exc.filename or "a file"))
        raise typer.Exit(EXIT_USAGE) from None


Force = typer.Option(False, "--force", help="With -o: overwrite the file if it exists and differs.")


def _print_problems(exc: UserError) -> None:
    for problem in exc.problems:
        typer.echo(str(problem), err=True)


def _emit(text: str, out: Optional[Path], force: bool = False) -> None:
    """Write a command's result to stdout, or to a file with -o: created, or left alone when identical; a
    different existing file is reported, not overwritten, unless --force (it may hold a user's edits)."""
    text = text if text.endswith("\n") else text + "\n"
    if out is None or str(out) == "-":
        sys.stdout.write(text)
        return
    with user_errors():
        from .writer import write_single

        status = write_single(out, text.encode("utf-8"), force=force)
    typer.echo(f"{status:<9}  {out}", err=True)


# --- validate / schema -----------------------------------------------------------------------------------------

@app.command()
def validate(
    files: List[Path] = typer.Argument(..., help="Workload files to check.", metavar="FILE"),
) -> None:
    """Check workload files: schema and sense checks, every error with FILE:LINE:COL.

    Exit 0 when all are valid (one summary line each), 2 otherwise.

    Example: advisor validate workload.yaml
    """
    from .workload import load

    failed = 0
    for path in files:
        try:
            w = load(path)
        except UserError as exc:
            failed += 1
            _print_problems(exc)
            continue
        n = len(w.flows)
        typer.echo(f"{path}: ok: workload '{w.name}', {n} flow{'s' if n != 1 else ''}")
    if failed:
        typer.echo(f"{failed} of {len(files)} file{'s' if len(files) != 1 else ''} invalid", err=True)
        raise typer.Exit(EXIT_USAGE)


@app.command()
def schema(
    what: str = typer.Argument("workload", help="Which schema: workload, rule or recommendation."),
) -> None:
    """Print a JSON Schema, for editors and other tools.

    Example: advisor schema > workload.schema.json, then start a workload file with
    '# yaml-language-server: $schema=./workload.schema.json'.
    """
    from .resources import package_file

    names = {"workload": "workload.schema.json", "rule": "rule.schema.json",
             "recommendation": "recommendation.schema.json"}
    if what not in names or not package_file("schemas", names[what]).is_file():
        typer.echo(f"unknown schema '{what}'; expected one of {', '.join(sorted(names))}", err=True)
        raise typer.Exit(EXIT_USAGE)
    sys.stdout.write(package_file("schemas", names[what]).read_text(encoding="utf-8"))


# --- recommend / rules ---------------------------------------------------------------------------------------

class Format(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"
    yaml = "yaml"


class Severity(str, Enum):
    info = "info"
    warning = "warning"
    error = "error"


RulesDirs = typer.Option(None, "--rules-dir", help="A folder of extra rule files (repeatable); a rule with a "
                                                    "built-in id replaces it.", metavar="DIR")


def _recommendation(file: Path, rules_dir: Optional[List[Path]], flow: Optional[str] = None, size_check=None):
    """Load, decide, and return (workload, recommendation dict of every flow). Raises UserError on bad input,
    and when ``flow`` names no flow of the file. ``size_check(workload)`` refuses a workload too large for the
    command before any decision is made."""
    from .engine import advise
    from .rules import load_catalog
    from .workload import load

    workload = load(file)
    if size_check is not None:
        size_check(workload)
    catalog = load_catalog(tuple(rules_dir or ()))
    rec = advise(workload, catalog).to_dict()
    if flow is not None:
        names = [f["name"] for f in rec["flows"]]
        if flow not in names:
            from .errors import Problem
            from .schemacheck import did_you_mean

            raise UserError(Problem(f"there is no flow named '{flow}' in {file}", None, "--flow",
                                    "one of " + ", ".join(names), did_you_mean(flow, names)))
    return workload, rec


def _table_size(workload) -> None:
    from .limits import TABLE_FLOWS, too_many

    if len(workload.flows) > TABLE_FLOWS:
        raise UserError(too_many(workload, "flows", len(workload.flows), TABLE_FLOWS, "in a terminal table",
                                 "use --format markdown, json or yaml, or --flow NAME for one flow"))


def _scaffold_size(workload) -> None:
    """The app needs at least a function per step and a resource per consumer: past CloudFormation's limit
    on resources in one template it could not deploy, so it is not rendered."""
    from .limits import cfn_max_resources, too_many

    limit = cfn_max_resources()
    least = sum(max(len(f.steps), 1) + max(len(f.consumers), f.fan_out) + len(f.external_targets)
                for f in workload.flows)
    if least > limit:
        raise UserError(too_many(workload, "resources (at least)", least, limit,
                                 "in one CloudFormation template, AWS's limit",
                                 "scaffold a smaller workload file, one per bounded context, or fewer steps "
                                 "or consumers per flow"))


def _adr_size(workload) -> None:
    from .limits import ADR_FLOWS, too_many

    if len(workload.flows) > ADR_FLOWS:
        raise UserError(too_many(workload, "flows", len(workload.flows), ADR_FLOWS, "in one decision log",
                                 "write records for a smaller workload file, one per bounded context"))


def _findings_at_or_above(rec: dict, level: str) -> int:
    order = ("info", "warning", "error")
    found = rec.get("findings", []) + [f for fl in rec["flows"] for f in fl["findings"]]
    return sum(1 for f in found if order.index(f["severity"]) >= order.index(level))


@app.command()
def recommend(
    file: Path = typer.Argument(..., help="The workload file.", metavar="FILE"),
    fmt: Optional[Format] = typer.Option(None, "--format", "-f",
                                         help="table (default on a terminal), json (default otherwise), markdown "
                                              "or yaml."),
    rules_dir: Optional[List[Path]] = RulesDirs,
    fail_on: Optional[Severity] = typer.Option(None, "--fail-on",
                                               help="Exit 1 when a finding of this severity or above is found."),
    flow: Optional[str] = typer.Option(None, "--flow", help="Show only this flow's decisions (the markdown "
                                                           "diagram still shows the whole workload).",
                                       metavar="NAME"),
    explain: bool = typer.Option(False, "--explain", help="Show every rule that fired (table and markdown)."),
    with_cost: Optional[bool] = typer.Option(None, "--cost/--no-cost",
                                             help="Show the monthly cost of each option (default: on for table and "
                                                  "markdown, off for json and yaml)."),
    out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    force: bool = Force,
) -> None:
    """Decide every flow: composition, orchestrator, channel, entry, compute and data store, with the
    runner-up, the rules that fired and why, the limits that excluded options, and findings.

    Example: advisor recommend workload.yaml --format markdown > RECOMMENDATION.md
    """
    name = fmt.value if fmt else ("table" if sys.stdout.isatty() else "json")
    with user_errors():
        workload, rec = _recommendation(file, rules_dir, flow, _table_size if name == "table" and flow is None
                                        else None)
    from .formatters import FORMATTERS

    if with_cost if with_cost is not None else name in ("table", "markdown"):
        from . import cost as costs

        rec = costs.attach_costs(rec, costs.estimate_workload(workload, rec))
    if name == "markdown":
        from .diagram import architecture_graph, to_mermaid

        rec["diagram"] = to_mermaid(architecture_graph(workload, rec))  # the whole workload, --flow or not
    if flow is not None:  # after cost and diagram, which need every flow the chosen one links to
        rec["flows"] = [f for f in rec["flows"] if f["name"] == flow]
    if name == "table" and out is None and sys.stdout.isatty():
        import shutil

        text = FORMATTERS["table"](rec, explain=explain, width=shutil.get_terminal_size().columns, color=True)
    elif name in ("json", "yaml") and (out is None or str(out) == "-"):
        from .formatters import json_chunks
        from .yamlio import yaml_lines

        # written as it is made: the whole text of 10,000 flows (80 MB) is never held in memory
        sys.stdout.writelines(json_chunks(rec) if name == "json" else yaml_lines(rec, sort_keys=True))
        text = None
    else:
        text = FORMATTERS[name](rec, explain=explain)
    if text is not None:
        _emit(text, out, force)
    if fail_on is not None and _findings_at_or_above(rec, fail_on.value):
        raise typer.Exit(EXIT_FAIL)


rules_app = typer.Typer(help="The rule catalog: list rules, show one, list the facts rules can use.\n\n"
                             "Example: advisor rules show C101",
                        rich_markup_mode=None, no_args_is_help=True)
app.add_typer(rules_app, name="rules")


@rules_app.command("list")
def rules_list(rules_dir: Optional[List[Path]] = RulesDirs) -> None:
    """List the rules: id, name, kind, decision, title.

    Example: advisor rules list | grep channel
    """
    from .rules import load_catalog

    with user_errors():
        catalog = load_catalog(tuple(rules_dir or ()))
    for r in catalog.rules:
        typer.echo(f"{r.id}  {r.name:<50} {r.kind:<10} {(r.decision or r.severity or '-'):<12} {r.title}")


@rules_app.command("show")
def rules_show(
    rule_id: str = typer.Argument(..., help="The rule id or name, e.g. C101 or compute.step_longer_than_lambda_limit.",
                                  metavar="ID|NAME"),
    rules_dir: Optional[List[Path]] = RulesDirs,
) -> None:
    """Show one rule: its condition, effect, explanation, references and test cases.

    Example: advisor rules show C101   (or: advisor rules show compute.step_longer_than_lambda_limit)
    """
    from .rules import load_catalog
    from .yamlio import dumps

    with user_errors():
        catalog = load_catalog(tuple(rules_dir or ()))
        rule = catalog.find(rule_id)
        if rule is None:
            from .errors import Problem
            from .schemacheck import did_you_mean

            known = [r.name for r in catalog.rules] if "." in rule_id else [r.id for r in catalog.rules]
            raise UserError(Problem(f"there is no rule {rule_id}", None, "ID|NAME",
                                    "an id or a name that 'advisor rules list' shows",
                                    did_you_mean(rule_id if "." in rule_id else rule_id.upper(), known)))
    typer.echo(f"# {rule.file}")
    if rule.standing and not rule.standing_given:
        typer.echo(f"# standing: {rule.standing} (derived from its kind and area; rules/README.md)")
    sys.stdout.write(dumps(rule.to_dict()))
    try:
        from .resources import data_dir

        cases = data_dir("rule_cases") / f"{rule.id}.yaml"
    except FileNotFoundError:
        return
    if cases.is_file():
        typer.echo(f"\n# test cases: {cases}")
        sys.stdout.write(cases.read_text(encoding="utf-8"))


@rules_app.command("facts")
def rules_facts() -> None:
    """List the facts that rule conditions and explanations may use.

    Example: advisor rules facts
    """
    from .facts import specs

    for name, spec in sorted(specs().items()):
        typer.echo(f"{name:<42} {spec.unit:<8} {spec.description}")

# --- init -------------------------------------------------------------------------------------------------------

@app.command()
def init(
    file: Path = typer.Argument(Path("workload.yaml"), help="The workload file to write.", metavar="FILE"),
    force: bool = typer.Option(False, "--force", help="Overwrite FILE if it exists."),
    non_interactive: bool = typer.Option(
        False, "--non-interactive",
        help="Never ask: answers come from --answers and the flags; the system name and each flow's name, "
             "trigger and duration must be given (the rest take their defaults)."),
    defaults: bool = typer.Option(False, "--defaults", help="Never ask: every answer not given takes its default."),
    answers: Optional[Path] = typer.Option(
        None, "--answers", metavar="FILE",
        help="YAML or JSON answers: name, flows: [{name, trigger, duration, traffic: {...}, needs: {...}, ...}]."),
    name: Optional[str] = typer.Option(None, "--name", help="The system (workload) name."),
    flow: Optional[str] = typer.Option(None, "--flow", help="The first flow's name."),
    trigger: Optional[str] = typer.Option(None, "--trigger",
                                          help="What starts the first flow: api, schedule, upload..."),
    duration: Optional[str] = typer.Option(None, "--duration", help="How long one run of the first flow takes, e.g. 8s."),
    sets: List[str] = typer.Option(
        [], "--set", metavar="KEY=VALUE",
        help="Any answer: KEY for flow 1, N.KEY for flow N, e.g. --set traffic.peak=400/s --set 2.after=checkout."),
    recommend_after: bool = typer.Option(True, "--recommend/--no-recommend",
                                         help="Offer to show the recommendation once the file is written."),
) -> None:
    """Write a workload file by answering questions about your system.

    Each question has a default (Enter keeps it), '?' explains it and 'back'
    returns to the previous one; a summary lets you change any answer before
    anything is written. Ctrl-C writes nothing (exit 2).

    Example: advisor init shop.yaml; in CI: advisor init --defaults --name shop --set duration=8s
    """
    from .init import flags_from_options, run_init

    with user_errors():
        flags = flags_from_options(name=name, flow=flow, trigger=trigger, duration=duration, sets=sets)
    code = run_init(file, force=force, non_interactive=non_interactive, defaults=defaults, answers=answers,
                    flags=flags, offer_recommend=recommend_after)
    if code != EXIT_OK:
        raise typer.Exit(code)


# --- cost -------------------------------------------------------------------------------------------------------

class CostFormat(str, Enum):
    table = "table"
    json = "json"
    markdown = "markdown"


@app.command()
def cost(
    file: Path = typer.Argument(..., help="The workload file.", metavar="FILE"),
    region: Optional[str] = typer.Option(None, "--region", help="Price in this region (default: the workload's)."),
    fmt: CostFormat = typer.Option(CostFormat.table, "--format", "-f", help="table, json or markdown."),
    memory: Optional[int] = typer.Option(None, "--memory", min=128, max=10240,
                                         help="MB per function (default: what the scaffold's functions get)."),
    detail: bool = typer.Option(False, "--detail", help="Every option of every decision, with its billed "
                                                        "quantities and assumptions (table and markdown)."),
    rules_dir: Optional[List[Path]] = RulesDirs,
    out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    force: bool = Force,
) -> None:
    """Monthly cost of the recommended options, per service and per flow, with the assumptions stated;
    --detail adds every other option of every decision, line by line.

    Example: advisor cost workload.yaml --detail --format markdown
    """
    from . import cost as costs

    with user_errors():
        workload, rec = _recommendation(file, rules_dir)
        estimate = costs.estimate_workload(workload, rec, region=region,
                                           memory_mb=memory or costs.DEFAULT_MEMORY_MB)
    if estimate.table.get("warning"):
        typer.echo(f"warning: {estimate.table['warning']}", err=True)
    _emit(costs.format_cost(estimate, fmt.value, detail=detail), out, force)


# --- scaffold ---------------------------------------------------------------------------------------------------

def _workload_sha256(workload) -> str:
    """A hash of the normalised workload: comments and formatting do not count as drift, values do."""
    import json

    from .workload import as_dict
    from .writer import content_sha256

    return content_sha256(json.dumps(as_dict(workload), sort_keys=True, default=str))


@app.command()
def scaffold(
    file: Path = typer.Argument(..., help="The workload file.", metavar="FILE"),
    out_dir: Path = typer.Option(..., "--output", "-o", help="The folder of the SAM app.", metavar="DIR"),
    runtime: Optional[str] = typer.Option(None, "--runtime", help="Lambda runtime (default: the workload's, "
                                                                  "else python3.13)."),
    force: bool = typer.Option(False, "--force", help="Overwrite generated files you changed, instead of merging "
                                                      "your edits (your logic.py files are never touched)."),
    skip_existing: bool = typer.Option(False, "--skip-existing", help="Keep generated files you changed as they "
                                                                      "are, instead of merging; write the rest."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Print what would be written; write nothing."),
    check: bool = typer.Option(False, "--check", help="Write nothing; exit 1 when the generated files of DIR "
                                                      "disagree with the workload (for CI)."),
    rules_dir: Optional[List[Path]] = RulesDirs,
) -> None:
    """Write a starter AWS SAM app for the recommendation: template.yaml, state machines, handlers, sample events,
    unit tests, samconfig.toml, README.md and a manifest (.advisor.yml).

    Your files (src/*/logic.py, tests/test_*_logic.py) are created once and never touched again. Generated files
    are created, updated when you did not change them, and merged three ways with your edits when you did; where
    your edit and the new generation change the same lines, the file gets conflict markers and the run exits 1.

    Example: advisor scaffold workload.yaml -o app && cd app && sam build && sam deploy --guided
    """
    from . import writer
    from .scaffold import manifest_data, ownership, render

    with user_errors():
        workload, rec = _recommendation(file, rules_dir, size_check=_scaffold_size)
        from . import cost as costs

        rec = costs.attach_costs(rec, costs.estimate_workload(workload, rec))  # for RECOMMENDATION.md
        files = render(workload, rec, runtime=runtime)
        _, team = ownership.split(files)
        meta = {"generator": "scaffold", "workload_sha256": _workload_sha256(workload),
                "decisions": manifest_data(workload, rec)}
        if check:
            drift = writer.check(out_dir, files, manifest=meta, merge=True, team_owned=team)
            for line in writer.format_drift(drift):
                typer.echo(line)
            if not drift.clean:
                count = len(drift.missing) + len(drift.changed) + len(drift.extra)
                typer.echo(f"{out_dir}: {count} generated file{'s' if count != 1 else ''} disagree with {file}: run "
                           f"'advisor scaffold {file} -o {out_dir}', resolve any conflict markers, and commit the "
                           "result (your logic.py files and their tests are never checked)", err=True)
                raise typer.Exit(EXIT_FAIL)
            typer.echo(f"{out_dir}: up to date with {file}", err=True)
            return
        plan = writer.plan(out_dir, files, manifest=meta, force=force, skip_existing=skip_existing, merge=True,
                           team_owned=team)
        lines = writer.format_plan(plan)
        for line in lines:
            if not line.startswith("identical"):
                typer.echo(line, err=True)
        same = sum(1 for line in lines if line.startswith("identical"))
        if same:
            typer.echo(f"identical  {same} file{'s' if same != 1 else ''} left as they are", err=True)
        writer.apply(plan, dry_run=dry_run)
    if dry_run:
        typer.echo("dry run: nothing was written", err=True)
    if plan.marked:
        typer.echo(f"{len(plan.marked)} file{'s' if len(plan.marked) != 1 else ''} "
                   f"{'were' if not dry_run else 'would be'} merged with conflicts: your edit and the new generation "
                   "changed the same lines; resolve the regions between <<<<<<< and >>>>>>> in "
                   + ", ".join(plan.marked) + "; everything else was kept", err=True)
        raise typer.Exit(EXIT_FAIL)


# --- diagram / adr ----------------------------------------------------------------------------------------------

class DiagramFormat(str, Enum):
    mermaid = "mermaid"
    dot = "dot"


class DiagramView(str, Enum):
    architecture = "architecture"
    contexts = "contexts"


@app.command()
def diagram(
    file: Path = typer.Argument(..., help="The workload file.", metavar="FILE"),
    fmt: DiagramFormat = typer.Option(DiagramFormat.mermaid, "--format", "-f",
                                      help="mermaid (renders on GitHub) or dot (Graphviz)."),
    view: DiagramView = typer.Option(DiagramView.architecture, "--view",
                                     help="architecture: AWS resources and hops per flow; contexts: the "
                                          "bounded-context map."),
    rules_dir: Optional[List[Path]] = RulesDirs,
    out: Optional[Path] = typer.Option(None, "--output", "-o", help="Write to this file instead of stdout."),
    force: bool = Force,
) -> None:
    """Draw the recommended architecture or the bounded-context map.

    Example: advisor diagram workload.yaml --format dot -o arch.dot && dot -Tsvg arch.dot > arch.svg
    """
    from .diagram import render

    with user_errors():
        workload, rec = _recommendation(file, rules_dir)
    _emit(render(workload, rec, fmt.value, view.value), out, force)


@app.command()
def adr(
    file: Path = typer.Argument(..., help="The workload file.", metavar="FILE"),
    out: Path = typer.Option(Path("docs/adr"), "--output", "-o", help="The decision records folder."),
    supersede: bool = typer.Option(False, "--supersede",
                                   help="Record changed decisions in new records that supersede the old ones."),
    index: bool = typer.Option(True, "--index/--no-index", help="Write README.md, the index of the folder."),
    dry_run: bool = typer.Option(False, "--dry-run", help="Show what would be written; write nothing."),
    rules_dir: Optional[List[Path]] = RulesDirs,
) -> None:
    """Write one architecture decision record (MADR) per significant decision of each flow, numbered like
    adr-tools. A record whose decision changed is reported and left alone, or superseded with --supersede.

    Example: advisor adr workload.yaml -o docs/adr/
    """
    from . import writer
    from .adr import read_folder, render_records, rule_index
    from .errors import ConflictError, Problem
    from .rules import load_catalog

    with user_errors():
        workload, rec = _recommendation(file, rules_dir, size_check=_adr_size)
        result = render_records(workload, rec, read_folder(out), supersede=supersede,
                                index="README.md" if index else None,
                                rules=rule_index(load_catalog(tuple(rules_dir or ()))))
        if result.conflicts:
            raise ConflictError([Problem(c.reason, field=str(out / c.path),
                                         hint="--supersede records it in a new record" if c.decision
                                         else "move it away or use --no-index") for c in result.conflicts])
        # force is safe here: render_records returns only new numbers, its own index, and the status-only change
        # to superseded records; apply() still re-checks the disk against the plan.
        plan = writer.apply(writer.plan(out, result.files, force=True), dry_run=dry_run)
    for line in writer.format_plan(plan):
        typer.echo(line, err=True)
    for path in result.kept:
        typer.echo(f"{'kept':<9}  {path}", err=True)
    for old, new in result.superseded:
        typer.echo(f"supersede  {old} -> {new}", err=True)
    if dry_run:
        typer.echo("dry run: nothing was written", err=True)



def main() -> None:
    """Console-script entry point.

    The cyclic garbage collector is switched off for the run: advisor's data
    is acyclic and freed by reference counting, and on a 10,000-flow workload
    the collector's repeated scans of a growing heap made a run twice as
    slow (measured with benchmarks/bench_cli.py).
    """
    import gc

    gc.disable()
    app()
