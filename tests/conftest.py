"""Shared fixtures: every test runs with a private HOME and no ADVISOR_* settings.

Keep this file short and general; fixtures that only one test module needs
belong in that module.
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path_factory, monkeypatch):
    """No test may read or write the real home directory or pick up a user's ADVISOR_* settings."""
    home = tmp_path_factory.mktemp("home")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.delenv("XDG_CONFIG_HOME", raising=False)
    for name in list(os.environ):
        if name.startswith("ADVISOR_"):
            monkeypatch.delenv(name)
    yield home


@pytest.fixture
def run_cli(tmp_path):
    """Run ``python -m advisor ARGS...`` in a subprocess (cwd: tmp_path unless given).

    Returns the ``CompletedProcess``, so that tests can check exit code, stdout and stderr of the real program
    (time is measured by benchmarks/bench_cli.py, never asserted in a test).
    """

    def run(*args: str | os.PathLike, cwd: str | os.PathLike | None = None, input: str | None = None,
            timeout: float = 60, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "advisor", *map(str, args)], cwd=cwd or tmp_path,
                              input=input, capture_output=True, text=True, timeout=timeout,
                              env={**os.environ, **(env or {})})

    return run


@pytest.fixture(scope="session")
def validators():
    """The SAM translator and cfn-lint (with the serverless rules), set up once for every scaffold test."""
    from scaffold_helpers import Validators

    return Validators()


@pytest.fixture(scope="session")
def example_apps(tmp_path_factory) -> dict[str, Path]:
    """The SAM app of every examples/*.yaml and of tests/fixtures/apps/*.yaml, scaffolded once by the
    CLI (the engine's recommendation, as a user gets it) into one folder, in Python (name) and in TypeScript
    (name-typescript): name -> app folder.

    Expensive checks of generated apps (cfn-lint, the SAM translator, checkov) read these instead of generating
    their own. Mark a test that uses it ``@pytest.mark.xdist_group("example-apps")`` so that pytest-xdist runs it
    on the worker that already built them (checkov has a group of its own, so that the two slowest checks of
    these apps run side by side: each worker that needs the apps builds them once).
    """
    root = tmp_path_factory.mktemp("example-apps")
    apps = {}
    for wl in sorted((REPO / "examples").glob("*.yaml")) + sorted((FIXTURES / "apps").glob("*.yaml")):
        for name, extra in ((wl.stem, []), (f"{wl.stem}-typescript", ["--runtime", "nodejs22.x"])):
            out = root / name
            proc = subprocess.run([sys.executable, "-m", "advisor", "scaffold", str(wl), "-o", str(out), *extra],
                                  capture_output=True, text=True, timeout=120)
            assert proc.returncode == 0, f"scaffold {wl} {' '.join(extra)}: {proc.stderr}"
            apps[name] = out
    return apps


@pytest.fixture(scope="session")
def node_modules(tmp_path_factory):
    """The npm packages of a generated TypeScript app, installed once per session: those .ci/run installed
    (NODE_MODULES_FOR_ADVISOR_TESTS), else `npm install` of the generated package.json into a temporary folder."""
    import shutil

    ready = os.environ.get("NODE_MODULES_FOR_ADVISOR_TESTS")
    if ready:
        return Path(ready)
    if shutil.which("npm") is None or shutil.which("node") is None:
        pytest.fail("the TypeScript scaffold tests need node and npm on PATH (.ci/run checks for them)")
    package = (Path(__file__).resolve().parent.parent / "templates" / "typescript" / "app" / "package.json")
    folder = tmp_path_factory.mktemp("node")
    (folder / "package.json").write_text(package.read_text().replace("{{ name }}", "advisor-test"))
    proc = subprocess.run(["npm", "install", "--no-audit", "--no-fund"], cwd=folder, capture_output=True, text=True,
                          timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    return folder / "node_modules"


def pytest_collection_finish(session):
    """checkov's first install starts now, in the background, when its test is to run (tests/checkov_install.py)."""
    if any(item.module.__name__ == "test_scaffold_checkov" for item in session.items if hasattr(item, "module")):
        import checkov_install

        checkov_install.start()


def pytest_sessionfinish(session):
    """The checkov install this process started ends before the session does: no process is left behind."""
    installer = sys.modules.get("checkov_install")
    if installer is not None and installer._started is not None:
        installer._started.wait()
