"""One watcher per workspace: an OS-level lock on `.sop_docs/watch.lock`.

Two watchers on one workspace would both take in the same files and both rewrite the register. A
lock file that merely exists would survive a crash and block the office until someone deleted it,
so the lock is the operating system's own (`flock` on POSIX, `msvcrt.locking` on Windows), held
by the open file and released by the kernel when the process dies, however it dies.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from sop_docs.errors import WorkspaceBusy

LOCK_PATH = Path(".sop_docs") / "watch.lock"


@contextlib.contextmanager
def workspace_lock(root: Path) -> Iterator[None]:
    """Hold the workspace's watch lock, or raise `WorkspaceBusy` naming the holder's pid.

    `flock` (POSIX) / `msvcrt.locking` (Windows) belong to the open file, so the OS drops the lock
    when the holder dies, however it dies. The holder's pid is written into the file for the
    message.
    """
    path = root / LOCK_PATH
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    handle: IO[bytes] = os.fdopen(fd, "r+b", buffering=0)
    try:
        if not _try_lock(handle):
            try:
                handle.seek(0)
                holder = handle.read(32).decode("ascii", "replace").strip() or "unknown"
            except OSError:
                holder = "unknown"
            raise WorkspaceBusy(f"another watcher is running on this workspace (pid {holder})")
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()}\n".encode())
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                handle.seek(0)
                handle.truncate()
            _unlock(handle)
    finally:
        handle.close()


# Windows locks a byte range that others cannot read: lock a byte far past the pid, not the pid.
_WIN_LOCK_OFFSET = 1 << 20


def _try_lock(handle: IO[bytes]) -> bool:
    """Take the lock without waiting; False when another process holds it."""
    if sys.platform == "win32":
        import msvcrt

        handle.seek(_WIN_LOCK_OFFSET)
        try:
            msvcrt.locking(handle.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True
    import fcntl

    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    return True


def _unlock(handle: IO[bytes]) -> None:
    """Give the lock back before closing (closing would too; a failure here changes nothing)."""
    with contextlib.suppress(OSError):
        if sys.platform == "win32":
            import msvcrt

            handle.seek(_WIN_LOCK_OFFSET)
            msvcrt.locking(handle.fileno(), msvcrt.LK_UNLCK, 1)
        else:
            import fcntl

            fcntl.flock(handle.fileno(), fcntl.LOCK_UN)
