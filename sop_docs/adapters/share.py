"""Who may open what the service writes into the share: the process umask, or `[share]` settings.

Temporary files (`mkstemp`) are created `-rw-------` whatever the umask, and a rename keeps that
mode, so every delivered file, the register and every note would open for the service's own user
only: on a Samba share the staff could not read them. Files the staff see get the mode the process
umask allows (or `[share] mode`), and the office's group (`[share] group`) when one is set.
The content store and the database stay private: they are not `apply`ed.
"""

from __future__ import annotations

import contextlib
import os
import threading
from pathlib import Path

_lock = threading.Lock()
_mode: int | None = None
_gid: int | None = None


def current_umask() -> int:
    """The process umask, read without changing it where the kernel tells (Linux)."""
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    with _lock:                      # elsewhere: set and put back (no thread runs this twice)
        mask = os.umask(0o022)
        os.umask(mask)
    return mask


def configure(mode: int | None = None, group: str | int | None = None) -> None:
    """Set the share mode (None: from the umask at each write) and group (None: the process's)."""
    global _mode, _gid
    _mode = mode
    if group in (None, ""):
        _gid = None
    elif isinstance(group, int) or str(group).isdigit():
        _gid = int(group)
    else:
        import grp

        _gid = grp.getgrnam(str(group)).gr_gid


def file_mode() -> int:
    return _mode if _mode is not None else 0o666 & ~current_umask()


def apply(fd: int, *, writable: bool = True, group: str | None = None) -> None:
    """Give an open file (before its rename into the share) the share's mode and group.

    `writable=False` for what staff only read (the register overview, quarantine/, the archive):
    the same mode without group and other write. `group` (a role's group) instead of the share's,
    and then nothing for others.
    """
    if os.name != "posix":
        return
    gid, mode = _gid, file_mode()
    if group:                               # a role's own file: its group, nobody else
        import grp

        try:
            gid, mode = grp.getgrnam(group).gr_gid, mode & ~0o007
        except KeyError:
            gid = _gid
    if gid is not None:
        os.fchown(fd, -1, gid)
    os.fchmod(fd, mode if writable else mode & ~0o022)


def apply_tree(folder: Path, *, writable: bool = False) -> None:
    """The same for a finished folder of files (an archive bundle), and its folders' group."""
    if os.name != "posix":
        return
    for dirpath, _dirs, names in os.walk(folder):
        if _gid is not None:
            os.chown(dirpath, -1, _gid)
        for name in names:
            fd = os.open(os.path.join(dirpath, name), os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0))
            try:
                apply(fd, writable=writable)
            finally:
                os.close(fd)
