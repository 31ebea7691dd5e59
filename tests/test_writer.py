"""advisor.writer: statuses, refusal to clobber, atomicity, manifest, drift."""
from __future__ import annotations

import errno
import os
import stat
from pathlib import Path

import pytest
import yaml

from advisor import writer
from advisor.errors import ConflictError, UserError

META = {"generator": "scaffold", "workload_sha256": "ab" * 32, "decisions": {"shop": {"compute": "lambda"}}}
FILES = {"template.yaml": b"Resources: {}\n", "src/app.py": b"def handler(e, c):\n    return 1\n"}


def run(out: Path, files=FILES, *, meta=META, **kw) -> writer.Plan:
    return writer.apply(writer.plan(out, files, manifest=meta, **kw))


def statuses(p: writer.Plan) -> dict[str, str]:
    return {a.path: a.status for a in p.actions}


def snapshot(root: Path) -> dict[str, tuple[bytes | None, int]]:
    """Every entry under root with content and mtime_ns, to prove nothing changed."""
    out = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            out[str(path.relative_to(root))] = (path.read_bytes(), path.stat().st_mtime_ns)
        else:  # a folder's mtime changes whenever a temp file comes and goes
            out[str(path.relative_to(root))] = (None, 0)
    return out


# ------------------------------------------------------------------ statuses


def test_first_run_creates_every_file_and_the_manifest(tmp_path):
    out = tmp_path / "app"
    p = run(out)
    assert statuses(p) == {".advisor.yml": "create", "src/app.py": "create", "template.yaml": "create"}
    assert (out / "src/app.py").read_bytes() == FILES["src/app.py"]
    manifest = yaml.safe_load((out / ".advisor.yml").read_text())
    assert manifest["files"] == {k: writer.content_sha256(v) for k, v in FILES.items()}
    assert manifest["generator"] == "scaffold"
    assert manifest["decisions"] == META["decisions"]
    assert manifest["workload_sha256"] == META["workload_sha256"]
    assert manifest["advisor_version"]


def test_identical_files_are_not_rewritten(tmp_path):
    out = tmp_path / "app"
    run(out)
    os.utime(out / "template.yaml", ns=(1_000_000_000, 1_000_000_000))
    before = snapshot(out)
    p = run(out)
    assert set(statuses(p).values()) == {"identical"}
    assert not p.changes
    assert snapshot(out) == before


def test_untouched_generated_file_is_updated_without_force(tmp_path):
    out = tmp_path / "app"
    run(out)
    new = dict(FILES, **{"template.yaml": b"Resources:\n  Fn: {}\n"})
    p = run(out, new)
    assert statuses(p)["template.yaml"] == "update"
    assert statuses(p)[".advisor.yml"] == "update"
    assert statuses(p)["src/app.py"] == "identical"
    assert (out / "template.yaml").read_bytes() == new["template.yaml"]
    assert yaml.safe_load((out / ".advisor.yml").read_text())["files"]["template.yaml"] == writer.content_sha256(
        new["template.yaml"]
    )


def test_user_edit_is_a_conflict_and_nothing_is_written(tmp_path):
    out = tmp_path / "app"
    run(out)
    (out / "template.yaml").write_bytes(b"# mine\n")
    new = {"template.yaml": b"Resources: {x: 1}\n", "src/app.py": b"changed\n", "src/new.py": b"new\n"}
    p = writer.plan(out, new, manifest=META)
    assert statuses(p) == {".advisor.yml": "update", "src/app.py": "update",
                           "src/new.py": "create", "template.yaml": "conflict"}
    before = snapshot(out)
    with pytest.raises(ConflictError) as info:
        writer.apply(p)
    assert info.value.paths == ("template.yaml",)
    assert str(info.value).splitlines()[1:] == ["conflict: template.yaml"]
    assert "1 file in" in str(info.value) and "--force" in str(info.value)
    assert snapshot(out) == before  # not even the non-conflicting files


def test_existing_file_without_manifest_is_a_conflict(tmp_path):
    out = tmp_path / "app"
    out.mkdir()
    (out / "template.yaml").write_bytes(b"someone else's\n")
    p = writer.plan(out, FILES, manifest=META)
    assert statuses(p)["template.yaml"] == "conflict"


def test_force_overwrites_and_keeps_the_mode(tmp_path):
    out = tmp_path / "app"
    run(out)
    (out / "template.yaml").write_bytes(b"# mine\n")
    (out / "template.yaml").chmod(0o600)
    p = run(out, force=True)
    assert statuses(p)["template.yaml"] == "overwrite"
    assert (out / "template.yaml").read_bytes() == FILES["template.yaml"]
    assert stat.S_IMODE((out / "template.yaml").stat().st_mode) == 0o600


def test_skip_existing_keeps_the_users_version(tmp_path):
    out = tmp_path / "app"
    run(out)
    (out / "template.yaml").write_bytes(b"# mine\n")
    p = run(out, dict(FILES, **{"src/app.py": b"v2\n"}), skip_existing=True)
    assert statuses(p)["template.yaml"] == "skip"
    assert (out / "template.yaml").read_bytes() == b"# mine\n"
    assert (out / "src/app.py").read_bytes() == b"v2\n"
    with pytest.raises(UserError):
        writer.plan(out, FILES, manifest=META, force=True, skip_existing=True)


def test_file_no_longer_generated_is_removed_if_untouched(tmp_path):
    out = tmp_path / "app"
    run(out, dict(FILES, **{"src/old/worker.py": b"old\n"}))
    p = run(out)
    assert statuses(p)["src/old/worker.py"] == "remove"
    assert not (out / "src/old").exists()  # the folder it emptied goes too
    assert (out / "src").is_dir()
    assert "src/old/worker.py" not in yaml.safe_load((out / ".advisor.yml").read_text())["files"]


def test_file_no_longer_generated_but_edited_is_left_alone(tmp_path):
    out = tmp_path / "app"
    run(out, dict(FILES, **{"notes.md": b"generated\n"}))
    (out / "notes.md").write_bytes(b"my notes\n")
    p = run(out)
    assert statuses(p)["notes.md"] == "skip"
    assert (out / "notes.md").read_bytes() == b"my notes\n"
    assert "notes.md" not in yaml.safe_load((out / ".advisor.yml").read_text())["files"]


def test_deleted_generated_file_is_created_again(tmp_path):
    out = tmp_path / "app"
    run(out)
    (out / "src/app.py").unlink()
    assert statuses(run(out))["src/app.py"] == "create"


def test_foreign_advisor_yml_is_a_conflict_and_not_trusted(tmp_path):
    out = tmp_path / "app"
    run(out)
    (out / "template.yaml").write_bytes(b"# mine\n")
    # A hand-written manifest claiming the edited file is advisor's own.
    (out / ".advisor.yml").write_text(
        yaml.safe_dump({"files": {"template.yaml": writer.content_sha256(b"# mine\n"), "../escape": "0" * 64}})
    )
    p = writer.plan(out, FILES, manifest=META)
    assert statuses(p)[".advisor.yml"] == "conflict"
    assert statuses(p)["template.yaml"] == "conflict"


def test_no_manifest_mode_neither_reads_nor_writes_one(tmp_path):
    out = tmp_path / "docs"
    p = run(out, meta=None)
    assert ".advisor.yml" not in statuses(p)
    assert not (out / ".advisor.yml").exists()
    (out / "template.yaml").write_bytes(b"x\n")
    assert statuses(writer.plan(out, FILES))["template.yaml"] == "conflict"


def test_format_plan_lines_are_sorted_and_aligned(tmp_path):
    out = tmp_path / "app"
    run(out)
    (out / "template.yaml").write_bytes(b"# mine\n")
    lines = writer.format_plan(writer.plan(out, dict(FILES, **{"a.txt": b"a\n"}), manifest=META))
    assert lines == [
        "update     .advisor.yml",
        "create     a.txt",
        "identical  src/app.py",
        "conflict   template.yaml",
    ]


# ------------------------------------------------------------------ dry run


def test_dry_run_writes_nothing_and_reports_the_same(tmp_path):
    out = tmp_path / "app"
    p = writer.plan(out, FILES, manifest=META)
    assert writer.apply(p, dry_run=True) == p
    assert not out.exists()
    run(out)
    (out / "template.yaml").write_bytes(b"# mine\n")
    before = snapshot(out)
    p = writer.plan(out, dict(FILES, **{"src/app.py": b"v2\n"}), manifest=META, force=True)
    writer.apply(p, dry_run=True)
    assert snapshot(out) == before
    assert statuses(p)["template.yaml"] == "overwrite"
    with pytest.raises(ConflictError):  # a dry run fails exactly like the real run
        writer.apply(writer.plan(out, FILES, manifest=META), dry_run=True)


def test_file_changed_between_plan_and_apply_is_a_conflict(tmp_path):
    out = tmp_path / "app"
    run(out)
    p = writer.plan(out, dict(FILES, **{"template.yaml": b"v2\n", "new.txt": b"n\n"}), manifest=META)
    (out / "template.yaml").write_bytes(b"edited meanwhile\n")
    with pytest.raises(ConflictError, match="since advisor planned"):
        writer.apply(p)
    assert (out / "template.yaml").read_bytes() == b"edited meanwhile\n"
    assert not (out / "new.txt").exists()


# ------------------------------------------------------------------ safety


@pytest.mark.parametrize(
    "bad",
    ["../x", "a/../../x", "/etc/x", "C:/x", "c:x", "a\\..\\x", "a\0b", "", "a//b", "./a", "a/", "a/./b"],
)
def test_paths_that_could_escape_are_rejected(tmp_path, bad):
    with pytest.raises(UserError):
        writer.plan(tmp_path / "out", {bad: b"x"})
    with pytest.raises(UserError):
        writer.check(tmp_path / "out", {bad: b"x"})
    assert not (tmp_path / "out").exists()


def test_symlinked_folder_pointing_outside_is_rejected(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    (out / "src").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UserError, match="outside"):
        writer.plan(out, {"src/app.py": b"x"})
    (out / "t.yaml").symlink_to(outside / "t.yaml")
    with pytest.raises(UserError, match="outside"):
        writer.plan(out, {"t.yaml": b"x"})
    assert list(outside.iterdir()) == []


def test_symlink_swapped_in_after_planning_is_caught(tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    out = tmp_path / "out"
    p = writer.plan(out, {"src/app.py": b"x"})
    out.mkdir()
    (out / "src").symlink_to(outside, target_is_directory=True)
    with pytest.raises(UserError, match="outside"):
        writer.apply(p)
    assert list(outside.iterdir()) == []


def test_symlink_inside_the_folder_is_allowed(tmp_path):
    out = tmp_path / "out"
    (out / "real").mkdir(parents=True)
    (out / "link").symlink_to(out / "real", target_is_directory=True)
    writer.apply(writer.plan(out, {"link/a.txt": b"a\n"}))
    assert (out / "real/a.txt").read_bytes() == b"a\n"


def test_manifest_name_and_file_folder_clashes_are_rejected(tmp_path):
    with pytest.raises(UserError, match="written by advisor"):
        writer.plan(tmp_path, {".advisor.yml": b"x"}, manifest=META)
    with pytest.raises(UserError, match="both a file and the folder"):
        writer.plan(tmp_path, {"a": b"x", "a/b": b"y"})
    (tmp_path / "a").write_bytes(b"file")
    with pytest.raises(UserError, match="in the way"):
        writer.plan(tmp_path, {"a/b": b"y"})
    (tmp_path / "d").mkdir()
    with pytest.raises(UserError, match="in the way"):
        writer.plan(tmp_path, {"d": b"y"})


def test_out_dir_that_is_a_file_is_rejected(tmp_path):
    (tmp_path / "f").write_bytes(b"")
    with pytest.raises(UserError, match="not a folder"):
        writer.plan(tmp_path / "f", FILES)


def test_tampered_manifest_never_removes_outside(tmp_path):
    victim = tmp_path / "victim.txt"
    victim.write_bytes(b"precious\n")
    out = tmp_path / "out"
    run(out)
    data = yaml.safe_load((out / ".advisor.yml").read_text())
    data["files"]["../victim.txt"] = writer.content_sha256(b"precious\n")
    (out / ".advisor.yml").write_text(yaml.safe_dump(data))
    p = writer.plan(out, FILES, manifest=META, force=True)
    assert "../victim.txt" not in statuses(p)
    writer.apply(p)
    assert victim.read_bytes() == b"precious\n"


# ------------------------------------------------------------------ cleanup on failure


def _fail_on_nth(monkeypatch, name, n, exc=OSError(errno.ENOSPC, "disk full")):
    real = getattr(os, name)
    calls = {"n": 0}

    def fake(*a, **kw):
        calls["n"] += 1
        if calls["n"] == n:
            raise exc
        return real(*a, **kw)

    monkeypatch.setattr(writer.os, name, fake)
    return calls


@pytest.mark.parametrize("step", ["fsync", "link"])
def test_failure_removes_a_created_out_dir(tmp_path, monkeypatch, step):
    parent = tmp_path / "parent"
    parent.mkdir()
    (parent / "keep.txt").write_bytes(b"keep\n")
    out = parent / "new" / "app"
    files = {"a.txt": b"a\n", "b/c.txt": b"c\n", "b/d/e.txt": b"e\n"}
    _fail_on_nth(monkeypatch, step, 2)
    with pytest.raises(UserError, match="disk full.*free some space"):  # one line that says what to do
        run(out, files)
    assert sorted(p.name for p in parent.iterdir()) == ["keep.txt"]
    assert (parent / "keep.txt").read_bytes() == b"keep\n"


def test_failure_in_existing_dir_removes_only_what_it_created(tmp_path, monkeypatch):
    out = tmp_path / "app"
    run(out)
    (out / "user.txt").write_bytes(b"mine\n")
    (out / "src" / "own.py").write_bytes(b"mine\n")
    before = snapshot(out)
    new = dict(FILES, **{"src/x.py": b"x\n", "lib/y.py": b"y\n", "lib/z.py": b"z\n"})
    _fail_on_nth(monkeypatch, "link", 3, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        run(out, new)
    assert snapshot(out) == before
    assert not any(p.name.endswith(".advisor-tmp") for p in out.rglob("*"))


# ------------------------------------------------------------------ files on disk


def test_modes_newlines_and_executables(tmp_path):
    out = tmp_path / "app"
    run(out, {"run.sh": "#!/bin/sh\r\necho hi\r\n", "a.txt": "é\n"}, executable=["run.sh"])
    assert (out / "run.sh").read_bytes() == b"#!/bin/sh\necho hi\n"
    assert stat.S_IMODE((out / "run.sh").stat().st_mode) == 0o755
    assert stat.S_IMODE((out / "a.txt").stat().st_mode) == 0o644
    assert stat.S_IMODE((out / ".advisor.yml").stat().st_mode) == 0o644
    assert (out / "a.txt").read_bytes() == "é\n".encode()
    with pytest.raises(ValueError):
        writer.plan(out, {"a.txt": b""}, executable=["nope"])
    # an existing file keeps its mode; marking it executable adds x where r is
    (out / "a.txt").chmod(0o640)
    run(out, {"run.sh": "#!/bin/sh\necho hi\n", "a.txt": "é!\n"}, executable=["a.txt"])
    assert stat.S_IMODE((out / "a.txt").stat().st_mode) == 0o750


def test_manifest_is_deterministic(tmp_path):
    meta = {"generator": "scaffold", "workload_sha256": "0" * 64,
            "decisions": {"b": {"z": 1, "a": [1, 2]}, "a": "x"}, "components": ["sqs_queue", "base"]}
    reordered = {"decisions": {"a": "x", "b": {"a": (1, 2), "z": 1}}, "components": ["sqs_queue", "base"],
                 "workload_sha256": "0" * 64, "generator": "scaffold"}
    files_a = {"z.txt": b"z\n", "a/b.txt": b"b\n"}
    files_b = {"a/b.txt": b"b\n", "z.txt": b"z\n"}
    run(tmp_path / "one", files_a, meta=meta)
    run(tmp_path / "two", files_b, meta=reordered)
    one = (tmp_path / "one/.advisor.yml").read_bytes()
    assert one == (tmp_path / "two/.advisor.yml").read_bytes()
    text = one.decode()
    keys = [line.split(":")[0] for line in text.splitlines() if line and not line[0] in "# -"]
    assert keys == sorted(keys)
    assert "\r" not in text
    with pytest.raises(TypeError):
        writer.plan(tmp_path / "x", files_a, manifest={"generator": "g", "decisions": {"s": {1, 2}}})
    with pytest.raises(ValueError):
        writer.plan(tmp_path / "x", files_a, manifest={"decisions": {}})


# ------------------------------------------------------------------ check


def test_check_is_clean_right_after_apply_and_writes_nothing(tmp_path):
    out = tmp_path / "app"
    run(out)
    before = snapshot(out)
    drift = writer.check(out, FILES, manifest=META)
    assert drift.clean and writer.format_drift(drift) == []
    assert snapshot(out) == before


def test_check_of_a_missing_folder_reports_everything_missing(tmp_path):
    drift = writer.check(tmp_path / "nope", FILES, manifest=META)
    assert drift.missing == (".advisor.yml", "src/app.py", "template.yaml")
    assert not (tmp_path / "nope").exists()


def test_check_reports_missing_changed_and_extra(tmp_path):
    out = tmp_path / "app"
    run(out, dict(FILES, **{"old.txt": b"old\n"}))
    (out / "src/app.py").unlink()
    (out / "template.yaml").write_bytes(b"Resources:\n  Mine: {}\n")
    drift = writer.check(out, FILES, manifest=META)
    assert not drift.clean
    assert drift.missing == ("src/app.py",)
    assert drift.extra == ("old.txt",)
    changed = {d.path: d.diff for d in drift.changed}
    assert set(changed) == {".advisor.yml", "template.yaml"}  # manifest no longer lists old.txt
    assert "-  Mine: {}" in changed["template.yaml"]
    assert "+Resources: {}" in changed["template.yaml"]
    lines = writer.format_drift(drift)
    assert lines[0] == "changed    .advisor.yml"
    assert "extra      old.txt" in lines and "missing    src/app.py" in lines
    assert lines == writer.format_drift(writer.check(out, FILES, manifest=META))


def test_check_diff_is_truncated(tmp_path):
    out = tmp_path / "app"
    run(out, {"big.txt": b"".join(b"line %d\n" % i for i in range(100))}, meta=None)
    drift = writer.check(out, {"big.txt": b"other\n"})
    (diff,) = drift.changed
    assert len(diff.diff) == writer.DIFF_MAX_LINES + 1
    assert diff.diff[-1].startswith("... ") and diff.diff[-1].endswith("more diff lines")


def test_check_ignores_advisor_version_but_not_other_manifest_fields(tmp_path):
    out = tmp_path / "app"
    run(out, meta=dict(META, advisor_version="0.0.1"))
    assert writer.check(out, FILES, manifest=dict(META, advisor_version="9.9.9")).clean
    drift = writer.check(out, FILES, manifest=dict(META, workload_sha256="cd" * 32))
    assert [d.path for d in drift.changed] == [".advisor.yml"]


# ------------------------------------------------------------------ write_single


def test_write_single_statuses(tmp_path):
    target = tmp_path / "sub" / "workload.yaml"
    assert writer.write_single(target, "name: x\r\n") == "create"
    assert target.read_bytes() == b"name: x\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644
    os.utime(target, ns=(1_000_000_000, 1_000_000_000))
    assert writer.write_single(target, b"name: x\n") == "identical"
    assert target.stat().st_mtime_ns == 1_000_000_000
    with pytest.raises(ConflictError, match="--force"):
        writer.write_single(target, b"name: y\n")
    assert target.read_bytes() == b"name: x\n"
    target.chmod(0o600)
    assert writer.write_single(target, b"name: y\n", force=True) == "overwrite"
    assert target.read_bytes() == b"name: y\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    with pytest.raises(UserError, match="folder"):
        writer.write_single(tmp_path / "sub", b"x")


@pytest.mark.parametrize("step", ["fsync", "link", "replace"])
def test_write_single_interrupt_leaves_no_partial_file(tmp_path, monkeypatch, step):
    target = tmp_path / "new" / "workload.yaml"
    existing = tmp_path / "old.yaml"
    existing.write_bytes(b"old\n")
    _fail_on_nth(monkeypatch, step, 1, KeyboardInterrupt())
    with pytest.raises(KeyboardInterrupt):
        if step == "replace":
            writer.write_single(existing, b"new content\n", force=True)
        else:
            writer.write_single(target, b"name: x\n" * 1000)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.yaml"]
    assert existing.read_bytes() == b"old\n"


@pytest.mark.parametrize("hard_links", [True, False])
def test_file_appearing_while_writing_is_never_clobbered(tmp_path, monkeypatch, hard_links):
    out = tmp_path / "app"
    out.mkdir()
    if not hard_links:
        def no_links(*a, **kw):
            raise OSError(errno.EPERM, "Operation not permitted")

        monkeypatch.setattr(writer.os, "link", no_links)
    real_fsync = os.fsync

    def fsync_then_someone_writes(fd):
        real_fsync(fd)
        if not (out / "late.txt").exists():
            (out / "late.txt").write_bytes(b"theirs\n")

    monkeypatch.setattr(writer.os, "fsync", fsync_then_someone_writes)
    p = writer.plan(out, {"a.txt": b"a\n", "late.txt": b"ours\n"})
    with pytest.raises(ConflictError, match="appeared"):
        writer.apply(p)
    assert sorted(x.name for x in out.iterdir()) == ["late.txt"]  # a.txt rolled back
    assert (out / "late.txt").read_bytes() == b"theirs\n"
    monkeypatch.setattr(writer.os, "fsync", real_fsync)
    (out / "late.txt").unlink()
    writer.apply(writer.plan(out, {"a.txt": b"a\n"}))
    assert (out / "a.txt").read_bytes() == b"a\n"


# ------------------------------------------------------------------ ownership and three-way merge (scaffold)

TEMPLATE = b"".join(b"line %d\n" % n for n in range(1, 21))


def merge_run(out: Path, files: dict, **kw) -> writer.Plan:
    return writer.apply(writer.plan(out, files, manifest=META, merge=True, team_owned={"src/logic.py"}, **kw))


def test_team_owned_files_are_created_once_and_never_touched_again(tmp_path):
    out = tmp_path / "app"
    first = {"template.yaml": TEMPLATE, "src/logic.py": b"def step(p):\n    return p\n"}
    assert statuses(merge_run(out, first))["src/logic.py"] == "create"
    (out / "src/logic.py").write_bytes(b"def step(p):\n    return {'mine': p}\n")
    changed = dict(first, **{"src/logic.py": b"def step(p):\n    return None\n"})
    assert statuses(merge_run(out, changed))["src/logic.py"] == "owned"
    assert (out / "src/logic.py").read_bytes() == b"def step(p):\n    return {'mine': p}\n"
    assert writer.check(out, changed, manifest=META, merge=True, team_owned={"src/logic.py"}).clean
    (out / "src/logic.py").unlink()  # the team removed it: created once means not again
    assert statuses(merge_run(out, changed))["src/logic.py"] == "owned"
    assert not (out / "src/logic.py").exists()
    assert "src/logic.py" not in yaml.safe_load((out / ".advisor.yml").read_text())["files"]


def test_an_edit_is_kept_while_the_generation_does_not_change(tmp_path):
    out = tmp_path / "app"
    merge_run(out, {"template.yaml": TEMPLATE})
    edited = TEMPLATE.replace(b"line 3\n", b"line 3 (mine)\n")
    (out / "template.yaml").write_bytes(edited)
    assert writer.check(out, {"template.yaml": TEMPLATE}, manifest=META, merge=True).clean
    assert statuses(merge_run(out, {"template.yaml": TEMPLATE}))["template.yaml"] == "kept"
    assert (out / "template.yaml").read_bytes() == edited
    # without merge (the old contract, still used by adr): an edit differs, so it is drift
    assert not writer.check(out, {"template.yaml": TEMPLATE}, manifest=META).clean


def test_an_edit_that_does_not_overlap_the_new_generation_is_merged(tmp_path):
    out = tmp_path / "app"
    merge_run(out, {"template.yaml": TEMPLATE})
    (out / "template.yaml").write_bytes(TEMPLATE.replace(b"line 3\n", b"line 3 (mine)\n"))
    new = TEMPLATE.replace(b"line 17\n", b"line 17 (new)\n")
    drift = writer.check(out, {"template.yaml": new}, manifest=META, merge=True)
    assert [d.path for d in drift.changed] == [".advisor.yml", "template.yaml"]
    p = merge_run(out, {"template.yaml": new})
    assert statuses(p)["template.yaml"] == "merge"
    assert (out / "template.yaml").read_bytes() == TEMPLATE.replace(b"line 3\n", b"line 3 (mine)\n").replace(
        b"line 17\n", b"line 17 (new)\n")
    assert (out / ".advisor/base/template.yaml").read_bytes() == new  # the next merge's base
    assert writer.check(out, {"template.yaml": new}, manifest=META, merge=True).clean


def test_an_overlapping_edit_gets_conflict_markers_and_nothing_else_is_lost(tmp_path):
    out = tmp_path / "app"
    merge_run(out, {"template.yaml": TEMPLATE, "other.txt": b"a\n"})
    (out / "template.yaml").write_bytes(TEMPLATE.replace(b"line 3\n", b"line 3 (mine)\n"))
    new = {"template.yaml": TEMPLATE.replace(b"line 3\n", b"line 3 (new)\n").replace(b"line 17\n", b"line 17 (new)\n"),
           "other.txt": b"b\n", "added.txt": b"c\n"}
    p = merge_run(out, new)
    assert p.marked == ("template.yaml",)
    text = (out / "template.yaml").read_text()
    assert "<<<<<<< template.yaml (your edit)\nline 3 (mine)\n=======\nline 3 (new)\n>>>>>>> template.yaml" in text
    assert "line 17 (new)\n" in text  # the rest of the new generation is in
    assert (out / "other.txt").read_bytes() == b"b\n" and (out / "added.txt").read_bytes() == b"c\n"
    drift = writer.check(out, new, manifest=META, merge=True)
    assert [d.path for d in drift.changed] == ["template.yaml"] and "conflict markers" in drift.changed[0].diff[0]
    (out / "template.yaml").write_text(text.replace("<<<<<<< template.yaml (your edit)\nline 3 (mine)\n=======\n", "")
                                       .split(">>>>>>>")[0] + text.split("(generated now)\n", 1)[1])
    assert writer.check(out, new, manifest=META, merge=True).clean  # resolved: nothing to do


def test_an_edit_without_a_recorded_base_is_still_a_conflict(tmp_path):
    out = tmp_path / "app"
    merge_run(out, {"template.yaml": TEMPLATE})
    (out / ".advisor/base/template.yaml").write_bytes(b"tampered\n")  # not what the manifest recorded
    (out / "template.yaml").write_bytes(b"mine\n")
    with pytest.raises(ConflictError):
        merge_run(out, {"template.yaml": b"new\n"})
    assert (out / "template.yaml").read_bytes() == b"mine\n"
