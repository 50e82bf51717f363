"""No LibreOffice outlives the sop-docs process that started it, and nothing it left behind stays.

Why: a service killed during a PDF step (SIGKILL, out of memory, a power cut of the VM) used to
leave `oosplash`, `soffice.bin` and the UNO worker running forever, with their temp folders. Two
things prevent that now:

* while we live: every soffice runs under `lo_guard.py` (`guarded`), which kills its process group
  when its parent dies, and the UNO worker of the kept-alive office watches its parent the same way;
* after we died anyway: every temp folder, profile and pipe we make carries our pid and the
  process's start time in its name (`make_tempdir`), so a later process can tell the owner is dead
  (a reused pid has another start time); `sweep` kills the processes whose command line names such
  a folder and removes it. It runs once per process, before its first LibreOffice start.

Only our own names are touched (`sop_docs_<kind>_pid<PID>.<START>-...`, owned by our user).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

__all__ = ["guarded", "make_tempdir", "owner_tag", "sweep", "sweep_once", "tempdir"]

log = logging.getLogger(__name__)

GUARD = Path(__file__).with_name("lo_guard.py")
_OWNED = re.compile(r"^(?:OSL_PIPE_\d+_)?sop_docs_[a-z_]+_pid(\d+)\.(\d+)-")
_PROC = Path("/proc")


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), "0" without /proc, None if gone."""
    if not _PROC.is_dir():
        return "0"
    try:
        stat = (_PROC / str(pid) / "stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rfind(")") + 2 :].split()
    return fields[19] if len(fields) > 19 else None


def owner_tag(pid: int | None = None) -> str:
    """`pid<PID>.<START>-`: what our temp names carry so a later process can tell we are dead."""
    pid = os.getpid() if pid is None else pid
    return f"pid{pid}.{_start_time(pid) or '0'}-"


def make_tempdir(kind: str) -> Path:
    """A private temp folder `sop_docs_<kind>_pid<PID>.<START>-XXXX` (the caller removes it)."""
    return Path(tempfile.mkdtemp(prefix=f"sop_docs_{kind}_{owner_tag()}"))


@contextlib.contextmanager
def tempdir(kind: str) -> Iterator[Path]:
    """`make_tempdir`, removed with everything in it on leaving."""
    path = make_tempdir(kind)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def guarded(cmd: Sequence[str]) -> list[str]:
    """`cmd` run under lo_guard.py, which kills the command's process group if we die.

    Start the result with `start_new_session=True`: the group is then the guard's, and killing
    it (`os.killpg(proc.pid, ...)`) takes the whole LibreOffice with it.
    """
    if sys.platform == "win32":
        return list(cmd)
    return [sys.executable, "-I", str(GUARD), str(os.getpid()), "--", *cmd]


def _owner_alive(pid: int, start: str) -> bool:
    if sys.platform == "win32":
        return True                        # no safe liveness probe there: never sweep
    now = _start_time(pid)
    if now is None:
        return False
    if now == "0":                         # no /proc: the pid alone has to do
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True
    return now == start


def _leftovers(root: Path) -> list[Path]:
    found = []
    try:
        entries = list(root.iterdir())
    except OSError:
        return []
    for entry in entries:
        match = _OWNED.match(entry.name)
        if not match or _owner_alive(int(match.group(1)), match.group(2)):
            continue
        try:
            if entry.lstat().st_uid != os.getuid():
                continue
        except OSError:
            continue
        found.append(entry)
    return found


def _processes_naming(needles: list[bytes]) -> list[int]:
    """Pids of live processes whose command line contains one of `needles`."""
    pids = []
    if not _PROC.is_dir():
        return pids
    for entry in _PROC.iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes()
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        if stat[stat.rfind(")") + 2 :].startswith("Z"):
            continue
        if any(n in cmdline for n in needles):
            pids.append(int(entry.name))
    return pids


def sweep(root: Path | None = None, *, wait: float = 5.0) -> list[Path]:
    """Kill what dead owners left running and remove their temp folders and pipes; returns them."""
    leftovers = _leftovers(Path(root or tempfile.gettempdir()))
    if not leftovers:
        return []
    needles = []
    for path in leftovers:
        needles += [str(path).encode(), path.as_uri().encode()]
    deadline = time.monotonic() + wait
    while True:
        pids = _processes_naming(needles)
        for pid in pids:
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.kill(pid, signal.SIGKILL)
        if not pids or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    for path in leftovers:
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                path.unlink()
    log.info("removed %d LibreOffice leftover(s) of dead sop-docs processes", len(leftovers))
    return leftovers


_swept: int | None = None
_sweep_lock = threading.Lock()


def sweep_once() -> None:
    """`sweep`, the first time this process asks (before its first LibreOffice start)."""
    global _swept
    with _sweep_lock:
        if _swept == os.getpid():
            return
        _swept = os.getpid()
        try:
            sweep()
        except OSError as exc:              # never let housekeeping stop a conversion
            log.warning("could not sweep LibreOffice leftovers: %s", exc)
