"""The share is hostile: only regular files are read, moved or deleted, and never through a link.

Anyone who can save into the share can leave a symbolic link named `x.docx` pointing at
`/etc/shadow` or at the live database, a link to a folder (`arsip -> ../../archive`), or a FIFO
that blocks whoever opens it. Every path the service touches in the share goes through here:
`lstat` says what a name is without following it, `open_regular` opens with `O_NOFOLLOW` and
`O_NONBLOCK` and refuses anything but a regular file, `walk` lists a folder without descending
into linked folders, and `check_inside` refuses a path whose folders were replaced by links.
"""

from __future__ import annotations

import contextlib
import os
import stat
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)
_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_BINARY = getattr(os, "O_BINARY", 0)

FILE, FOLDER, LINK, SPECIAL = "file", "folder", "link", "special"


class NotRegular(OSError):
    """The name is a link, a folder or a special file (FIFO, device, socket): it is not read."""

    def __init__(self, path: Path, kind: str) -> None:
        super().__init__(f"{path} is a {kind}, not a regular file; it is not read")
        self.path, self.kind = path, kind


def kind_of(st: os.stat_result) -> str:
    if stat.S_ISLNK(st.st_mode):
        return LINK
    if stat.S_ISDIR(st.st_mode):
        return FOLDER
    if stat.S_ISREG(st.st_mode):
        return FILE
    return SPECIAL


def kind(path: Path) -> str | None:
    """What the name is, without following a link; None when nothing is there."""
    try:
        return kind_of(os.lstat(path))
    except FileNotFoundError:
        return None


def is_regular(path: Path) -> bool:
    return kind(path) == FILE


def open_regular(path: Path) -> BinaryIO:
    """Open a regular file for reading, never through a link and never blocking on a FIFO."""
    try:
        fd = os.open(path, os.O_RDONLY | _NOFOLLOW | _NONBLOCK | _BINARY)
    except OSError as e:
        if kind(path) == LINK:              # ELOOP from O_NOFOLLOW
            raise NotRegular(Path(path), LINK) from e
        raise
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise NotRegular(Path(path), kind_of(st))
        if _NONBLOCK and hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: Path) -> bytes:
    with open_regular(path) as f:
        return f.read()


@dataclass(frozen=True)
class Entry:
    """One name found below a folder: what it is, and its stat (not followed)."""

    path: Path
    kind: str
    st: os.stat_result


def walk(folder: Path) -> Iterator[Entry]:
    """Every name below `folder` (not `folder` itself), never descending into a linked folder.

    Links and special files are yielded (so they can be answered), folders are descended into
    and not yielded. A folder that vanishes meanwhile is skipped.
    """
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return
    for e in entries:
        try:
            st = e.stat(follow_symlinks=False)
        except OSError:
            continue
        k = kind_of(st)
        if k == FOLDER:
            yield from walk(Path(e.path))
        else:
            yield Entry(Path(e.path), k, st)


def folders(folder: Path) -> list[Path]:
    """The real folders directly in `folder` (not links to folders), by name."""
    try:
        return sorted(Path(e.path) for e in os.scandir(folder) if e.is_dir(follow_symlinks=False))
    except OSError:
        return []


# An owner file older than this is a crashed Office's leftover, not an open file (PITFALLS §2.2).
STALE_LOCK_SECONDS = 12 * 3600


def office_lock(path: Path) -> Path | None:
    """The Word/Excel/LibreOffice lock file saying `path` is open now, if any; one older than
    `STALE_LOCK_SECONDS` is a leftover of a crash and does not count."""
    from sop_docs.core.intake import lock_names

    now = time.time()
    for name in lock_names(path.name):
        lock = path.with_name(name)
        try:
            age = now - os.lstat(lock).st_mtime
        except OSError:
            continue
        if age < STALE_LOCK_SECONDS:
            return lock
    return None


def check_inside(root: Path, target: Path) -> None:
    """Refuse `target` unless it lies below `root` through real folders only (no `..`, no link
    standing in for a folder). The last component may be anything, or not exist yet."""
    rel = Path(os.path.normpath(target)).relative_to(root)      # ValueError when outside
    if ".." in rel.parts:
        raise NotRegular(target, "path outside the workspace")
    current = root
    for part in rel.parts[:-1]:
        current = current / part
        with contextlib.suppress(FileNotFoundError):
            if stat.S_ISLNK(os.lstat(current).st_mode):
                raise NotRegular(current, LINK)
