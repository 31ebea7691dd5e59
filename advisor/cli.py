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
        for problem in exc.problems:
            typer.echo(str(problem), err=True)
        raise typer.Exit(EXIT_USAGE) from None


def _emit(text: str, out: Optional[Path]) -> None:
    """Write a command's result to stdout, or to a file with -o."""
    if out is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        return
    with user_errors():
        from .writer import write_single

        write_single(out, text.encode("utf-8") if text.endswith("\n") else (text + "\n").encode("utf-8"), force=True)


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
            for problem in exc.problems:
                typer.echo(str(problem), err=True)
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


def main() -> None:
    """Console-script entry point."""
    app()
