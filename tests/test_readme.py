"""The README stays true: its reference is generated from the schema, its commands exist."""
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_workload_reference_is_generated_from_the_schema():
    proc = subprocess.run([sys.executable, str(ROOT / "scripts" / "gen_readme_reference.py"), "--check"],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_two_commands_on_top_install_and_test():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sh\n(.*?)\n```", text, re.S)
    assert "pip install ." in blocks[0] and "advisor recommend examples/" in blocks[0]
    assert '".[test]"' in blocks[1] and "pytest" in blocks[1]
    example = re.search(r"advisor recommend (examples/\S+)", blocks[0]).group(1)
    assert (ROOT / example).is_file()


def test_ci_runs_the_readme_test_command():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    test_command = re.findall(r"```sh\n(.*?)\n```", text, re.S)[1].strip()
    assert test_command in (ROOT / ".ci" / "run").read_text(encoding="utf-8")


def test_every_shipped_example_validates():
    files = sorted(str(p) for p in (ROOT / "examples").glob("*.yaml"))
    assert files
    proc = subprocess.run([sys.executable, "-m", "advisor", "validate", *files], capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.count(": ok:") == len(files)
