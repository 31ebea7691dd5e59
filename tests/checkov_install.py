"""checkov for tests/test_scaffold_checkov.py: the command in CHECKOV, ``checkov`` on the PATH, or
``.venv-checkov/bin/checkov`` in the clone, which is installed the first time.

The install (a venv and ``pip install checkov``: about a minute, mostly download) starts in the background as soon
as the checkov test is collected (tests/conftest.py), so that it overlaps the rest of the suite instead of being
the head of one worker's serial chain; the test waits for it. One process starts it (an exclusive lock file names
its pid); every worker waits on the same files.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / ".venv-checkov"
EXE = VENV / ("Scripts/checkov.exe" if os.name == "nt" else "bin/checkov")
PYTHON = VENV / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
LOCK = ROOT / ".venv-checkov.installing"  # holds the pid of the installer while it runs
LOG = ROOT / ".venv-checkov.log"  # the installer's output, read when it failed
INSTALL = f"python3 -m venv {VENV} && {VENV}/bin/pip install checkov (or set CHECKOV to a checkov command)"


def configured() -> str | None:
    """A checkov that needs no install: CHECKOV, the PATH, or an earlier install."""
    found = os.environ.get("CHECKOV") or shutil.which("checkov")
    if found:
        return found
    return str(EXE) if EXE.exists() and not LOCK.exists() else None


_started: subprocess.Popen | None = None  # the installer, when this process started it


def _running(pid: int) -> bool:
    if _started is not None and _started.pid == pid:
        return _started.poll() is None  # (an ended child stays a zombie, which os.kill still finds, until polled)
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def start() -> None:
    """Start the install in the background unless checkov is there or another process is installing it."""
    if configured():
        return
    try:
        fd = os.open(LOCK, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return
    script = (f"import subprocess, sys, os\n"
              f"steps = [[sys.executable, '-m', 'venv', {str(VENV)!r}],\n"
              f"         [{str(PYTHON)!r}, '-m', 'pip', 'install', '-q', 'checkov']]\n"
              f"code = 0\n"
              f"with open({str(LOG)!r}, 'w') as log:\n"
              f"    for step in steps:\n"
              f"        log.write(' '.join(step) + '\\n'); log.flush()\n"
              f"        try:\n"
              f"            code = subprocess.call(step, stdout=log, stderr=log)\n"
              f"        except OSError as exc:\n"
              f"            log.write(str(exc)); code = 1\n"
              f"        if code: break\n"
              f"if code == 0: os.remove({str(LOCK)!r})\n")
    global _started
    proc = _started = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL, start_new_session=True)
    os.write(fd, str(proc.pid).encode())
    os.close(fd)


def wait(timeout: float = 900) -> tuple[str | None, str]:
    """The checkov command, installing it if needed; (None, what went wrong) when it cannot be had."""
    start()
    deadline = time.monotonic() + timeout
    while LOCK.exists():
        try:
            pid = int(LOCK.read_text() or 0)
        except (OSError, ValueError):
            pid = 0
        if pid and not _running(pid):  # the installer ended without removing the lock: it failed
            log = LOG.read_text(errors="replace")[-1500:] if LOG.exists() else ""
            LOCK.unlink(missing_ok=True)  # the next run tries again
            return None, f"installing checkov failed:\n{log}"
        if time.monotonic() > deadline:
            return None, f"installing checkov took more than {timeout:.0f} s"
        time.sleep(0.5)
    found = configured()
    return (found, "") if found else (None, "checkov is not installed")
