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


def _section(text: str, title: str) -> str:
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start:end if end != -1 else None]


def test_ci_job_installs_advisor_from_the_repository_not_pypi():
    """serverless-advisor is not on the package index: the job installs from the repository."""
    job = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Use in CI")
    installs = re.findall(r"^\s*- run: (pip install .*)$", job, re.M)
    assert installs, "the job installs advisor"
    for line in installs:
        target = line.split("#")[0].split()[-1].strip('"\'')
        assert target.startswith(("git+https://", "./", ".")) or "@ git+" in line, line
    repo = re.search(r"- repo: (https://\S+)", job).group(1)
    assert any(f"git+{repo}@" in line for line in installs), "the same repository as the pre-commit hooks"


def test_quick_start_says_to_activate_the_virtual_environment():
    quick = _section((ROOT / "README.md").read_text(encoding="utf-8"), "Quick start")
    first_command = quick.index("advisor init")
    assert ".venv/bin/activate" in quick[:first_command]


def test_readme_and_docs_point_only_at_files_a_clone_has():
    for path in [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]:
        text = path.read_text(encoding="utf-8")
        assert "../shared" not in text, f"{path.name} points outside the clone"
        for link in re.findall(r"\]\(((?!https?:)[^)#]+)\)", text):
            assert (path.parent / link).exists(), f"{path.name}: broken link {link}"


def test_examples_point_editors_at_the_shipped_schema():
    """The $schema of every example is a path an editor resolves from the file, to what `advisor schema` prints."""
    import json

    printed = json.loads(subprocess.run([sys.executable, "-m", "advisor", "schema"], capture_output=True, text=True,
                                        check=True).stdout)
    for example in sorted((ROOT / "examples").glob("*.yaml")):
        first = example.read_text(encoding="utf-8").splitlines()[0]
        m = re.fullmatch(r"# yaml-language-server: \$schema=(\S+)", first)
        assert m, f"{example.name}: {first}"
        target = (example.parent / m.group(1)).resolve()
        assert target.is_file(), f"{example.name}: {m.group(1)} does not exist"
        assert json.loads(target.read_text(encoding="utf-8")) == printed, example.name
