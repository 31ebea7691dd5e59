"""The Lambda runtimes advisor scaffold generates code for, and the language of each.

Source: the Lambda developer guide, "Lambda runtimes" (supported managed runtimes, not deprecated),
https://docs.aws.amazon.com/lambda/latest/dg/lambda-runtimes.html. Node.js apps are TypeScript, built
by SAM's esbuild support (https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/
serverless-sam-cli-using-build-typescript.html).
"""
from __future__ import annotations

from ..errors import Problem, TemplateError

LANGUAGE = {
    "python3.13": "python", "python3.12": "python", "python3.11": "python", "python3.10": "python",
    "nodejs22.x": "typescript", "nodejs20.x": "typescript",
}


def language(runtime: str) -> str:
    """The language of the generated code for ``runtime``; an unsupported runtime is a usage error."""
    if runtime not in LANGUAGE:
        raise TemplateError(Problem(
            f"runtime {runtime!r} is not one advisor scaffold generates code for", field="runtime",
            hint="use one of " + ", ".join(LANGUAGE) + " (the workload's `runtime:` or --runtime)"))
    return LANGUAGE[runtime]
