"""The one safe way advisor writes generated files (scaffold, ADRs, init).

Generators render everything to bytes first and hand the writer a mapping
``{relative/posix/path: content}``. The writer then works in two steps, the
way copier does: :func:`plan` decides a status for every file without
touching the disk, and :func:`apply` writes, or refuses to.

Statuses
    ``create``     the file does not exist; it is written.
    ``identical``  the file already has exactly this content; it is not
                   rewritten, so its mtime is kept.
    ``update``     the file exists, differs from the new content, and still has
                   the sha256 recorded in ``.advisor.yml``: advisor wrote it
                   and nobody edited it since, so it is rewritten without
                   ``force``.
    ``conflict``   the file exists and differs both from the new content and
                   from the recorded hash (the user edited it, or advisor never
                   wrote it). Any conflict stops the run before anything is
                   written, with a :class:`~advisor.errors.ConflictError`
                   listing every such file.
    ``overwrite``  a conflict, rewritten because ``force=True``.
    ``skip``       a conflict left as it is because ``skip_existing=True``; or
                   a file advisor no longer generates but the user edited,
                   which is left in place and forgotten by the manifest.
    ``remove``     a file the previous run generated, that this run no longer
                   generates and that still has its recorded hash: deleted.

With ``merge=True`` (what ``advisor scaffold`` uses), a generated file the user
edited is not a conflict when advisor can tell what it generated last time
(``.advisor/base/<path>``, written beside the manifest and checked against its
recorded hash):

    ``kept``       the user's edit stays as it is: advisor's generation of the
                   file did not change, so there is nothing to bring in.
    ``merge``      the generation changed too: base, the user's edit and the
                   new generation are merged three ways (:mod:`advisor.merge`)
                   and the clean merge is written.
    ``markers``    the merge found regions both sides changed: the file is
                   written with conflict markers there (as ``git merge-file``
                   does) and reported; every other file is written as usual.

Files listed in ``team_owned`` belong to the user once they exist: they are
created when absent and never recorded before, and otherwise ``owned``:
never written, merged, removed, or counted as drift.

This is what a copier or cookiecutter user expects: advisor freely replaces
its own untouched output, and never silently replaces a user's work. A file
the user deleted is simply created again.

The manifest ``.advisor.yml`` (in the output folder) records what was
generated and from what: ``advisor_version``, ``generator``,
``workload_sha256``, the caller's ``decisions`` (and any other plain keys the
caller passes), and ``files: {path: sha256}``. It is YAML with sorted keys and
no timestamps, so the same input gives the same bytes. It is written last and
follows the same rules (an existing ``.advisor.yml`` that is not a valid
advisor manifest is a conflict, and none of its hashes are trusted). Without
manifest metadata the writer neither reads nor writes a manifest, and every
differing file is a conflict.

:func:`check` compares the output folder with what would be generated and
writes nothing: the basis of ``--check`` in CI (no drift: exit 0, drift:
exit 1).

Safety: every path is relative, POSIX, without ``..``, NUL, backslash or a
drive letter, and must resolve (following symlinks) inside the output folder;
anything else is a :class:`~advisor.errors.UserError`. Writes are atomic per
file: the content goes to a temporary file in the target's own folder, which
is then renamed over the target (``os.replace``), or hard-linked to it for a
new file so that a file appearing meanwhile is never clobbered. All files are
staged first and renamed into place afterwards, so a failure while writing
(disk full, permission, Ctrl-C) leaves no partial file; the files and folders
this run created are then removed and the exception re-raised. Content is
written in binary with LF newlines (CRLF is turned into LF). New files get
mode 0o644 (0o755 when marked executable); a rewritten file keeps its mode.
"""
from __future__ import annotations

import difflib
import errno
import hashlib
import os
import re
import stat
import tempfile
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import MappingProxyType
from typing import Any, Literal

import yaml

from . import __version__
from .errors import ConflictError, Problem, UserError

MANIFEST_NAME = ".advisor.yml"
NEW_FILE_MODE = 0o644
EXECUTABLE_MODE = 0o755
DIFF_MAX_LINES = 20
CONFLICT_HINT = (
    "nothing was written; re-run with --force to overwrite them, "
    "or with --skip-existing to keep your versions"
)

Status = Literal["create", "identical", "update", "conflict", "overwrite", "skip", "remove", "kept", "merge",
                 "markers", "owned"]
_WRITES = frozenset({"create", "update", "overwrite", "merge", "markers"})
BASE_DIR = ".advisor/base"  # what advisor generated last time, per file: the base of a three-way merge
_DRIVE = re.compile(r"^[A-Za-z]:")
# errors from os.link on filesystems without hard links (FAT, some network mounts)
_NO_HARDLINKS = frozenset(
    getattr(errno, name) for name in ("EPERM", "ENOTSUP", "EOPNOTSUPP", "ENOSYS") if hasattr(errno, name)
)
_SHA256 = re.compile(r"^[0-9a-f]{64}$")
_MANIFEST_HEADER = (
    b"# Written by advisor: what it generated in this folder, and from what.\n"
    b"# advisor compares your files with these hashes to tell your edits from its\n"
    b"# own output; a file you edited is never overwritten without --force.\n"
)


@dataclass(frozen=True)
class FileAction:
    """What happens to one file. ``before``/``after`` are the sha256 of the file
    on disk when planned (None: absent) and of the new content (None: none)."""

    path: str
    status: Status
    before: str | None = None
    after: str | None = None
    executable: bool = False


@dataclass(frozen=True)
class Plan:
    """Every file's status, decided before anything is written."""

    out_dir: Path
    actions: tuple[FileAction, ...]
    contents: Mapping[str, bytes] = field(repr=False, compare=False)

    @property
    def conflicts(self) -> tuple[str, ...]:
        return tuple(a.path for a in self.actions if a.status == "conflict")

    @property
    def marked(self) -> tuple[str, ...]:
        """Files written with conflict markers: the user resolves them."""
        return tuple(a.path for a in self.actions if a.status == "markers")

    @property
    def changes(self) -> bool:
        """True if applying the plan would change anything on disk."""
        return any(a.status in _WRITES or a.status == "remove" for a in self.actions)


@dataclass(frozen=True)
class FileDiff:
    """A file whose content differs, with the first lines of a unified diff."""

    path: str
    diff: tuple[str, ...]


@dataclass(frozen=True)
class Drift:
    """How an output folder differs from what would be generated now."""

    out_dir: Path
    missing: tuple[str, ...] = ()
    changed: tuple[FileDiff, ...] = ()
    extra: tuple[str, ...] = ()

    @property
    def clean(self) -> bool:
        return not (self.missing or self.changed or self.extra)


# ---------------------------------------------------------------- public API


def content_sha256(content: bytes | str) -> str:
    """sha256 of content as the writer stores it (UTF-8, LF newlines).
    Use it for ``workload_sha256`` too, so a CRLF checkout hashes the same."""
    return hashlib.sha256(_normalise(content)).hexdigest()


def plan(
    out_dir: Path,
    files: Mapping[str, bytes | str],
    *,
    manifest: Mapping[str, Any] | None = None,
    force: bool = False,
    skip_existing: bool = False,
    executable: Collection[str] = (),
    merge: bool = False,
    team_owned: Collection[str] = (),
) -> Plan:
    """Decide a status for every file; reads the disk, writes nothing.

    ``manifest`` is the metadata of the new ``.advisor.yml``: ``generator``
    (required), ``workload_sha256``, ``decisions`` and any other plain-data
    keys; ``advisor_version`` defaults to this advisor's. ``files`` is filled
    in by the writer. ``executable`` names files to write with exec bits.
    ``merge`` merges a generated file the user edited three ways, keeping
    each file's generation under ``.advisor/base/`` as the next run's base;
    ``team_owned`` names files the user owns once they exist (see above).
    """
    if force and skip_existing:
        raise UserError("--force and --skip-existing cannot be used together")
    root = _root(out_dir)
    contents = _prepare(root, files, reserve_manifest=manifest is not None)
    unknown = set(executable) - set(contents)
    if unknown:
        raise ValueError(f"executable names files that are not generated: {sorted(unknown)}")
    old = _read_manifest(root) if manifest is not None else None
    old_files = old.files if old is not None else {}
    old_team = old.team if old is not None else frozenset()
    team = frozenset(team_owned) & set(contents)
    merging = merge and manifest is not None
    generated = dict(contents)  # what the manifest records; contents becomes what is written
    actions: list[FileAction] = []

    def decide(path: str, new: bytes, recorded: str | None) -> FileAction:
        disk = _read_existing(root, path)
        before, after = _sha_or_none(disk), hashlib.sha256(new).hexdigest()
        if path in team:
            status: Status = "create" if disk is None and path not in old_team else "owned"
        elif disk is None:
            status = "create"
        elif disk == new:
            status = "identical"
        elif recorded is not None and before == recorded:
            status = "update"
        elif force or skip_existing:
            status = "overwrite" if force else "skip"
        elif merging and recorded is not None and after == recorded:
            status = "kept"
        elif merging and recorded is not None and (base := _read_base(root, path, recorded)) is not None:
            from .merge import merge3

            merged = merge3(path, base, disk, new)
            contents[path] = merged.content
            status = "markers" if merged.conflicts else "merge"
            after = hashlib.sha256(merged.content).hexdigest()
        else:
            status = "conflict"
        return FileAction(path, status, before, after, path in executable)

    for path, new in generated.items():
        actions.append(decide(path, new, old_files.get(path)))
    if merging:
        actions.extend(_base_actions(root, generated, team, old_files, contents))
    for path, recorded in old_files.items():
        if path in contents:
            continue
        try:
            disk = _read_existing(root, path)
        except UserError:  # now a folder, or behind a symlink leading outside
            actions.append(FileAction(path, "skip"))
            continue
        if disk is None:
            continue  # already gone; the new manifest simply forgets it
        before = _sha_or_none(disk)
        actions.append(FileAction(path, "remove" if before == recorded else "skip", before))
    if manifest is not None:
        recorded_now = {p: c for p, c in generated.items() if p not in team}
        data = _render_manifest(_with_ownership(manifest, team, merging), recorded_now)
        contents[MANIFEST_NAME] = data
        # An existing manifest is advisor's own when it parses as one; then it
        # is rewritten freely, otherwise it is treated like any user file.
        recorded = _sha_or_none(_read_existing(root, MANIFEST_NAME)) if old is not None else None
        actions.append(decide(MANIFEST_NAME, data, recorded))
    actions.sort(key=lambda a: a.path)
    return Plan(Path(out_dir), tuple(actions), MappingProxyType(contents))


def apply(plan: Plan, *, dry_run: bool = False) -> Plan:
    """Carry out a plan, or raise :class:`ConflictError` if it has conflicts.

    A dry run raises exactly as the real run would and writes nothing. Before
    writing, every file is checked again against what the plan saw, so a file
    changed in between is a conflict, not lost work. On any exception while
    writing, the files and folders this run created are removed.
    """
    if plan.conflicts:
        raise _conflict_error(plan.out_dir, plan.conflicts)
    root = _root(plan.out_dir)
    changed = [
        a.path for a in plan.actions
        if a.status in _WRITES | {"remove"} and _sha_or_none(_read_existing(root, a.path)) != a.before
    ]
    if changed:
        raise _conflict_error(plan.out_dir, changed, why="changed")
    if dry_run:
        return plan
    writes = [a for a in plan.actions if a.status in _WRITES and a.path != MANIFEST_NAME]
    removals = [a for a in plan.actions if a.status == "remove"]
    last = [a for a in plan.actions if a.status in _WRITES and a.path == MANIFEST_NAME]
    tx = _Transaction()
    try:
        tx.makedirs(root)
        staged = [(a, tx.stage(root, a, plan.contents[a.path])) for a in writes + last]
        for action, tmp in staged[: len(writes)]:
            tx.place(tmp, root / action.path, new=action.status == "create")
        for action in removals:
            _remove(root, action.path)
        for action, tmp in staged[len(writes):]:
            tx.place(tmp, root / action.path, new=action.status == "create")
    except (OSError, RuntimeError) as exc:
        tx.rollback()
        raise os_refusal(exc, getattr(exc, "filename", None) or plan.out_dir) from None
    except BaseException:
        tx.rollback()
        raise
    return plan


def format_plan(plan: Plan) -> list[str]:
    """Status lines for stderr, sorted by path: ``create     template.yaml``."""
    return [f"{a.status:<9}  {a.path}" for a in sorted(plan.actions, key=lambda a: a.path)]


def check(
    out_dir: Path,
    files: Mapping[str, bytes | str],
    *,
    manifest: Mapping[str, Any] | None = None,
    merge: bool = False,
    team_owned: Collection[str] = (),
) -> Drift:
    """Compare the output folder with what would be generated; writes nothing.

    Reports missing files, files whose content differs (each with the first
    ``DIFF_MAX_LINES`` lines of a unified diff, disk → generated) and extra
    files: recorded in the existing manifest, still on disk, but no longer
    generated. ``advisor_version`` is ignored when comparing the manifest, so
    upgrading advisor alone is not drift.

    With ``merge`` (and ``team_owned``), drift is what a run of :func:`plan`
    with the same options would change: a hand edit that the run keeps is not
    drift, nor is anything in a team-owned file; a file still holding conflict
    markers from an earlier merge is.
    """
    if merge and manifest is not None:
        return _check_by_plan(out_dir, files, manifest, team_owned)
    root = _root(out_dir)
    contents = _prepare(root, files, reserve_manifest=manifest is not None)
    missing: list[str] = []
    changed: list[FileDiff] = []
    extra: list[str] = []
    if manifest is not None:
        contents[MANIFEST_NAME] = _render_manifest(manifest, contents)
    for path in sorted(contents):
        disk = _read_existing(root, path)
        new = contents[path]
        if disk is None:
            missing.append(path)
            continue
        if path == MANIFEST_NAME and manifest is not None:
            disk = _manifest_without_version(disk, manifest)
        if disk != new:
            changed.append(FileDiff(path, _diff(path, disk, new)))
    old = _read_manifest(root) if manifest is not None else None
    for path in sorted(old.files if old is not None else ()):
        if path in contents:
            continue
        try:
            if _read_existing(root, path) is not None:
                extra.append(path)
        except UserError:
            extra.append(path)
    return Drift(Path(out_dir), tuple(missing), tuple(changed), tuple(extra))


def _check_by_plan(out_dir: Path, files: Mapping[str, bytes | str], manifest: Mapping[str, Any],
                   team_owned: Collection[str]) -> Drift:
    from .merge import has_markers

    planned = plan(out_dir, files, manifest=manifest, merge=True, team_owned=team_owned)
    root = _root(out_dir)
    missing: list[str] = []
    changed: list[FileDiff] = []
    extra: list[str] = []
    for action in planned.actions:
        path, status = action.path, action.status
        if status in ("owned", "identical") or (status == "create" and path in team_owned) \
                or path.startswith(BASE_DIR + "/"):  # the bases follow their files: bookkeeping, not drift
            continue
        disk = _read_existing(root, path) if status != "create" else None
        if path == MANIFEST_NAME and disk is not None:
            disk = _manifest_without_version(disk, manifest)
            if disk != planned.contents[path]:
                changed.append(FileDiff(path, _diff(path, disk, planned.contents[path])))
        elif status == "create":
            missing.append(path)
        elif status in ("remove", "skip") and path not in planned.contents:
            extra.append(path)
        elif status == "kept":
            if has_markers(disk):
                changed.append(FileDiff(path, ("still has conflict markers (<<<<<<<) from a merge: resolve them",)))
        else:
            changed.append(FileDiff(path, _diff(path, disk, planned.contents[path])))
    return Drift(Path(out_dir), tuple(missing), tuple(changed), tuple(extra))


def format_drift(drift: Drift) -> list[str]:
    """Drift report lines (for stdout), sorted by path, diffs indented."""
    entries: list[tuple[str, list[str]]] = []
    entries += [(p, [f"missing    {p}"]) for p in drift.missing]
    entries += [(p, [f"extra      {p}"]) for p in drift.extra]
    entries += [(d.path, [f"changed    {d.path}"] + [f"    {line}" for line in d.diff]) for d in drift.changed]
    return [line for _, lines in sorted(entries, key=lambda e: e[0]) for line in lines]


def write_single(
    path: Path, content: bytes | str, *, force: bool = False, executable: bool = False
) -> Status:
    """Write one file atomically (``advisor init``); returns its status.

    ``create`` or ``identical`` (left untouched); an existing different file is
    a :class:`ConflictError` unless ``force`` (then ``overwrite``). Missing
    parent folders are created. An interrupt leaves neither a partial file nor
    the folders it created.
    """
    data = _normalise(content)
    target = Path(path)
    if "\0" in str(target):
        raise UserError(f"{str(target)!r}: a path cannot contain a NUL character")
    try:
        return _write_single(target, data, force, executable)
    except (OSError, RuntimeError) as exc:
        raise os_refusal(exc, target) from None


def _write_single(target: Path, data: bytes, force: bool, executable: bool) -> Status:
    try:
        st = target.stat()
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISDIR(st.st_mode):
        raise UserError(Problem(f"{target}: is a folder, not a file", hint="name a file inside it"))
    if st is not None and not stat.S_ISREG(st.st_mode):
        return _write_through(target, data)
    disk = target.read_bytes() if st is not None else None
    if disk == data:
        return "identical"
    if disk is not None and not force:
        raise ConflictError(
            [Problem("exists and differs; not overwritten", field=str(target),
                     hint="re-run with --force to overwrite it")]
        )
    action = FileAction(target.name, "overwrite" if disk is not None else "create",
                        _sha_or_none(disk), executable=executable)
    tx = _Transaction()
    try:
        tx.makedirs(target.parent)
        tmp = tx.stage(target.parent, action, data, target=target)
        tx.place(tmp, target, new=disk is None)
    except BaseException:
        tx.rollback()
        raise
    return action.status


# ----------------------------------------------------------------- internals

_OS_HINTS = {
    errno.EACCES: "choose a folder you can write to, or change its permissions",
    errno.EPERM: "choose a folder you can write to, or change its permissions",
    errno.EROFS: "the file system is read-only: choose another folder",
    errno.ENOSPC: "the disk is full: free some space and run again",
    errno.EDQUOT: "your disk quota is used up: free some space and run again",
    errno.ELOOP: "a symlink in the path points back to itself: fix or remove it",
    errno.EISDIR: "name a file, not a folder",
    errno.ENOTDIR: "a file is in the way where a folder must be",
    errno.ENAMETOOLONG: "choose a shorter path",
}


def os_refusal(exc: OSError | RuntimeError, path: Path | str) -> UserError:
    """The operating system's refusal to write ``path`` as one line that says what to do (exit 2 by the
    command's error boundary; whatever this run created was already removed)."""
    if isinstance(exc, RuntimeError):  # pathlib's "Symlink loop from ..."
        return UserError(Problem(f"cannot write {path}: a symlink loop", hint=_OS_HINTS[errno.ELOOP]))
    why = exc.strerror or str(exc)
    return UserError(Problem(f"cannot write {path}: {why}", hint=_OS_HINTS.get(exc.errno, "check the path")))


def _write_through(target: Path, data: bytes) -> Status:
    """A device or a pipe named as the output (``-o /dev/stdout``): written to as it is, as Unix tools do;
    never read (a pipe has no end to compare with) and never replaced by a file."""
    with open(target, "wb") as fh:
        fh.write(data)
    return "create"


@dataclass(frozen=True)
class _OldManifest:
    files: Mapping[str, str]
    team: frozenset[str] = frozenset()


def _with_ownership(meta: Mapping[str, Any], team: Collection[str], merging: bool) -> dict[str, Any]:
    """The manifest metadata plus the files the team owns and where the merge bases are."""
    out = dict(meta)
    if team:
        out["team_files"] = sorted(team)
    if merging:
        out["base"] = BASE_DIR
    return out


def _read_base(root: Path, path: str, recorded: str) -> bytes | None:
    """What advisor generated for ``path`` last time, if kept and still matching the manifest's hash."""
    try:
        data = _read_existing(root, f"{BASE_DIR}/{path}")
    except UserError:
        return None
    return data if data is not None and hashlib.sha256(data).hexdigest() == recorded else None


def _base_actions(root: Path, generated: Mapping[str, bytes], team: Collection[str],
                  old_files: Mapping[str, str], contents: dict[str, bytes]) -> list[FileAction]:
    """Keep each generator-owned file's new generation as the next merge's base (always rewritten: it is
    advisor's bookkeeping, not the user's); drop the bases of files no longer generated."""
    actions = []
    for path, new in generated.items():
        if path in team:
            continue
        base = f"{BASE_DIR}/{path}"
        contents[base] = new
        disk = _read_existing(root, base)
        status: Status = "create" if disk is None else "identical" if disk == new else "update"
        actions.append(FileAction(base, status, _sha_or_none(disk), hashlib.sha256(new).hexdigest()))
    for path in old_files:
        if path in generated:
            continue
        try:
            disk = _read_existing(root, f"{BASE_DIR}/{path}")
        except UserError:
            continue
        if disk is not None:
            actions.append(FileAction(f"{BASE_DIR}/{path}", "remove", _sha_or_none(disk)))
    return actions


class _Transaction:
    """Remembers what one run created, to undo it if the run fails."""

    def __init__(self) -> None:
        self.temps: list[Path] = []
        self.created_files: list[Path] = []
        self.created_dirs: list[Path] = []

    def makedirs(self, folder: Path) -> None:
        missing = []
        for candidate in (folder, *folder.parents):
            if candidate.exists():
                break
            missing.append(candidate)
        for candidate in reversed(missing):
            try:
                candidate.mkdir()
            except FileExistsError:
                continue
            self.created_dirs.append(candidate)
        if not folder.is_dir():
            raise UserError(f"{folder}: is not a folder")

    def stage(self, root: Path, action: FileAction, data: bytes, *, target: Path | None = None) -> Path:
        """Write ``data`` to a temporary file beside the target."""
        target = target if target is not None else root / action.path
        self.makedirs(target.parent)
        if action.status == "create":
            mode = EXECUTABLE_MODE if action.executable else NEW_FILE_MODE
        else:
            mode = target.stat().st_mode & 0o7777
            if action.executable:
                mode |= (mode & 0o444) >> 2
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".advisor-tmp", dir=target.parent)
        tmp = Path(name)
        self.temps.append(tmp)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError as exc:  # a full disk says so on write, with no file name: name the target
            exc.filename = exc.filename or str(target)
            raise
        os.chmod(tmp, mode)
        return tmp

    def place(self, tmp: Path, target: Path, *, new: bool) -> None:
        """Move a staged file into place; a new file never clobbers one that
        appeared since the plan (hard link fails on an existing name)."""
        if not new:
            os.replace(tmp, target)
            return
        try:
            os.link(tmp, target)
        except FileExistsError:
            raise _conflict_error(target.parent, [target.name], why="appeared") from None
        except OSError as exc:
            if exc.errno not in _NO_HARDLINKS:
                raise
            if os.path.lexists(target):
                raise _conflict_error(target.parent, [target.name], why="appeared") from None
            os.replace(tmp, target)
            self.created_files.append(target)
            return
        self.created_files.append(target)
        os.unlink(tmp)

    def rollback(self) -> None:
        for path in [*self.temps, *reversed(self.created_files)]:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        for folder in reversed(self.created_dirs):
            try:
                folder.rmdir()  # only if empty: never removes what others put there
            except OSError:
                pass


def _normalise(content: bytes | str) -> bytes:
    data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
    return data.replace(b"\r\n", b"\n")


def _sha_or_none(data: bytes | None) -> str | None:
    return None if data is None else hashlib.sha256(data).hexdigest()


def _root(out_dir: Path) -> Path:
    if "\0" in str(out_dir):
        raise UserError(f"{str(out_dir)!r}: a path cannot contain a NUL character")
    try:
        root = Path(out_dir).resolve()
        if root.exists() and not root.is_dir():
            raise UserError(Problem(f"{out_dir}: is not a folder", hint="name a folder, or a path that does not "
                                    "exist yet"))
    except (OSError, RuntimeError) as exc:
        raise os_refusal(exc, out_dir) from None
    return root


def _check_relpath(path: str) -> str:
    """Reject any path that could land outside the output folder, by text."""
    problem = None
    if not isinstance(path, str) or not path:
        problem = "is empty"
    elif "\0" in path:
        problem = "contains a NUL character"
    elif "\\" in path:
        problem = "contains a backslash; use / between folders"
    elif _DRIVE.match(path):
        problem = "starts with a drive letter"
    elif path.startswith("/"):
        problem = "is absolute"
    elif any(part in ("", ".", "..") for part in path.split("/")):
        problem = "must not contain '..', '.' or empty parts"
    if problem:
        raise UserError(Problem(f"generated path {path!r} {problem}",
                                hint="advisor only writes inside the output folder"))
    return path


def _target(root: Path, path: str) -> Path:
    """The path inside ``root``, after following symlinks; else a UserError."""
    target = root / _check_relpath(path)
    try:
        resolved = target.resolve()
    except (OSError, RuntimeError) as exc:  # symlink loop
        raise UserError(f"{target}: cannot be resolved ({exc})") from None
    if not resolved.is_relative_to(root):
        raise UserError(Problem(f"{target} leads outside the output folder (to {resolved})",
                                hint="a symlink points outside; advisor only writes inside the output folder"))
    return target


def _read_existing(root: Path, path: str) -> bytes | None:
    target = _target(root, path)
    if not os.path.lexists(target):
        for parent in target.parents:  # a file where a folder must go
            if parent == root:
                break
            if os.path.lexists(parent):
                if not parent.is_dir():
                    raise UserError(f"{parent}: a file is in the way of the folder for {path}")
                break
        return None
    if target.is_dir():
        raise UserError(f"{target}: a folder is in the way of a generated file")
    if not target.is_file():
        if target.is_symlink():  # dangling symlink inside the folder
            raise UserError(f"{target}: is a broken symlink")
        raise UserError(f"{target}: is not a regular file")
    return target.read_bytes()


def _prepare(root: Path, files: Mapping[str, bytes | str], *, reserve_manifest: bool) -> dict[str, bytes]:
    contents: dict[str, bytes] = {}
    for path in sorted(files):
        _target(root, path)
        if reserve_manifest and path == MANIFEST_NAME:
            raise UserError(f"{MANIFEST_NAME} is written by advisor itself and cannot be generated")
        contents[path] = _normalise(files[path])
    names = set(contents)
    for path in contents:
        for parent in PurePosixPath(path).parents:
            if str(parent) in names:
                raise UserError(f"generated path {str(parent)!r} is both a file and the folder of {path!r}")
    return contents


def _plain(value: Any, where: str) -> Any:
    """Plain YAML data only, so the manifest is deterministic and safe to read."""
    if value is None or isinstance(value, (str, bool, int, float)):
        return value
    if isinstance(value, Mapping):
        out = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise TypeError(f"manifest {where}: keys must be strings, got {key!r}")
            out[key] = _plain(item, f"{where}.{key}")
        return out
    if isinstance(value, (list, tuple)):
        return [_plain(item, f"{where}[{i}]") for i, item in enumerate(value)]
    raise TypeError(f"manifest {where}: {type(value).__name__} is not plain data")


def _manifest_dict(meta: Mapping[str, Any], files: Mapping[str, str]) -> dict[str, Any]:
    if "files" in meta:
        raise ValueError("manifest metadata must not contain 'files'; the writer records them")
    if not isinstance(meta.get("generator"), str) or not meta["generator"]:
        raise ValueError("manifest metadata needs a 'generator' name, e.g. 'scaffold'")
    data = {"advisor_version": __version__, "decisions": {}, "workload_sha256": None}
    data.update(_plain(dict(meta), "metadata"))
    data["files"] = dict(files)
    return data


def _dump_manifest(data: Mapping[str, Any]) -> bytes:
    text = yaml.safe_dump(dict(data), sort_keys=True, default_flow_style=False,
                          allow_unicode=True, width=4096)
    return _MANIFEST_HEADER + text.encode("utf-8")


def _render_manifest(meta: Mapping[str, Any], contents: Mapping[str, bytes]) -> bytes:
    hashes = {path: hashlib.sha256(data).hexdigest() for path, data in sorted(contents.items())}
    return _dump_manifest(_manifest_dict(meta, hashes))


def _parse_manifest(data: bytes) -> dict[str, Any] | None:
    try:
        parsed = yaml.safe_load(data.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError):
        return None
    if not isinstance(parsed, dict) or not isinstance(parsed.get("files"), dict):
        return None
    for path, digest in parsed["files"].items():
        if not isinstance(path, str) or not isinstance(digest, str) or not _SHA256.match(digest):
            return None
        try:
            _check_relpath(path)
        except UserError:
            return None  # a tampered manifest must never steer a removal
        if path == MANIFEST_NAME:
            return None
    return parsed


def _read_manifest(root: Path) -> _OldManifest | None:
    """The previous run's manifest, or None if absent or not advisor's."""
    try:
        data = _read_existing(root, MANIFEST_NAME)
    except UserError:
        return None
    parsed = _parse_manifest(data) if data is not None else None
    if not parsed:
        return None
    team = parsed.get("team_files")
    team = frozenset(p for p in team if isinstance(p, str)) if isinstance(team, list) else frozenset()
    return _OldManifest(MappingProxyType(dict(parsed["files"])), team)


def _manifest_without_version(disk: bytes, meta: Mapping[str, Any]) -> bytes:
    """The on-disk manifest re-rendered with the current advisor_version, so a
    version bump alone compares equal; unreadable manifests compare raw."""
    parsed = _parse_manifest(disk)
    if parsed is None:
        return disk
    parsed["advisor_version"] = meta.get("advisor_version", __version__)
    try:
        return _dump_manifest(parsed)
    except yaml.YAMLError:
        return disk


def _diff(path: str, disk: bytes, new: bytes) -> tuple[str, ...]:
    lines = list(difflib.unified_diff(
        disk.decode("utf-8", "replace").splitlines(),
        new.decode("utf-8", "replace").splitlines(),
        f"{path} (on disk)", f"{path} (generated)", lineterm="",
    ))
    if not lines:  # same text, different bytes (line endings, encoding)
        return ("(differs only in line endings or encoding)",)
    if len(lines) > DIFF_MAX_LINES:
        more = len(lines) - DIFF_MAX_LINES
        lines = lines[:DIFF_MAX_LINES] + [f"... {more} more diff line{'s' if more != 1 else ''}"]
    return tuple(lines)


def _remove(root: Path, path: str) -> None:
    """Delete a file no longer generated, and the folders it leaves empty."""
    target = root / path
    target.unlink()
    for parent in target.parents:
        if parent == root or not parent.is_relative_to(root):
            break
        try:
            parent.rmdir()
        except OSError:
            break


_CONFLICT_WHY = {
    "conflict": ("exists and differs from what advisor generates (you changed it, or advisor did not write it)",
                 "exist and differ from what advisor generates (you changed them, or advisor did not write them)"),
    "changed": ("changed on disk since advisor planned the run", "changed on disk since advisor planned the run"),
    "appeared": ("appeared while advisor was writing", "appeared while advisor was writing"),
}


def _conflict_error(out_dir: Path, paths: Iterable[str], *, why: str = "conflict") -> ConflictError:
    paths = sorted(paths)
    one, many = _CONFLICT_WHY[why]
    summary = f"1 file in {out_dir} {one}" if len(paths) == 1 else f"{len(paths)} files in {out_dir} {many}"
    problems = [Problem(summary, hint=CONFLICT_HINT)] + [Problem(p, field="conflict") for p in paths]
    err = ConflictError(problems)
    err.paths = tuple(paths)  # type: ignore[attr-defined]
    return err
