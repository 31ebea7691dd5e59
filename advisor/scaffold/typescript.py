"""What a TypeScript (Node.js) app needs in the template: SAM's esbuild build for every function, with the
shared module bundled in (no layer), source maps, and Fargate steps started with node.

Source: "Building Node.js Lambda functions with esbuild" in the SAM developer guide
(https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-sam-cli-using-build-typescript.html):
``Metadata: BuildMethod: esbuild`` with ``BuildProperties``; the AWS SDK for JavaScript v3 is part of the
Node.js runtimes, so it stays external.
"""
from __future__ import annotations

from .base import App
from .powertools import lambda_functions

ESM_REQUIRE = "js=import { createRequire } from 'module'; const require = createRequire(import.meta.url);"


def add_esbuild(app: App) -> None:
    """Every function built by esbuild from its src/<function>/app.ts (the package.json is the app's own)."""
    for fn in lambda_functions(app):
        resource = app.resources[fn.logical_id]
        resource["Properties"]["CodeUri"] = "./"
        resource.setdefault("Metadata", {}).update({"BuildMethod": "esbuild", "BuildProperties": {
            "Format": "esm", "OutExtension": [".js=.mjs"], "Target": "es2022", "Minify": True, "Sourcemap": True,
            "EntryPoints": [f"src/{fn.directory}/app.ts"], "External": ["@aws-sdk/*"], "Banner": [ESM_REQUIRE]}})
    if lambda_functions(app):
        app.template["Globals"]["Function"]["Environment"]["Variables"]["NODE_OPTIONS"] = "--enable-source-maps"
    for resource in app.resources.values():
        if resource["Type"] != "AWS::ECS::TaskDefinition":
            continue
        for container in resource["Properties"].get("ContainerDefinitions", []):
            command = container.get("Command") or []
            if len(command) == 2 and command[0] == "python" and command[1].endswith("/app.py"):
                step = command[1].split("/")[1]
                container["Command"] = ["node", f"dist/{step}/app.mjs"]
