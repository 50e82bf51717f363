"""The content-addressed store: every file received or produced is kept here, under its SHA-256.

A file is in the store before anything else happens to it, so no later step (a move, a crash, an
overwrite by a person) can lose it. Writes go to a temporary name, are fsynced, then renamed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from pathlib import Path
from typing import Any, BinaryIO

from sop_docs.adapters import share
from sop_docs.adapters.safefs import open_regular

CHUNK = 1 << 20


def fsync_dir(path: Path) -> None:
    """Make a rename durable (POSIX); Windows has no directory fsync, so it is skipped there."""
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems (CIFS) refuse a directory fsync; the rename is still atomic
    finally:
        os.close(fd)


def copy_atomically(src: Path, target: Path, *, writable: bool = True,
                    group: str | None = None) -> None:
    """Copy `src` to `target` so that `target` is never half-written: a hidden temporary name in
    the same folder, fsynced, then renamed over (an interrupted copy leaves only `.….tmp`).
    `target` is in the share: it gets the share's mode and group (`share`)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{target.name[:40]}.", suffix=".tmp", dir=target.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as out, src.open("rb") as f:
            shutil.copyfileobj(f, out, CHUNK)
            out.flush()
            share.apply(out.fileno(), writable=writable, group=group)  # mkstemp makes it private
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(target.parent)


def sha256_file(path: Path) -> str:
    """The SHA-256 of a regular file (never read through a link: `safefs.NotRegular`)."""
    h = hashlib.sha256()
    with open_regular(path) as f:
        while chunk := f.read(CHUNK):
            h.update(chunk)
    return h.hexdigest()


ID_FILE = "STORE-ID"


class BlobStore:
    """The store at `root`. It is made by `create`, never silently by opening: a store that went
    missing must be noticed (`sop_docs.guard`), not replaced by an empty one."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def create(self, identity: str) -> None:
        """Make the store folder (if needed) and write its identity, which the database records."""
        self.root.mkdir(parents=True, exist_ok=True)
        tmp = self.root / f".{ID_FILE}.tmp"
        tmp.write_text(identity + "\n", encoding="ascii")
        os.replace(tmp, self.root / ID_FILE)
        fsync_dir(self.root)

    def identity(self) -> str | None:
        """The identity written at creation; None when the store (or its identity) is missing."""
        try:
            return (self.root / ID_FILE).read_text("ascii").strip() or None
        except (OSError, UnicodeDecodeError):
            return None

    def is_empty(self) -> bool:
        try:
            return not any(p.name != ID_FILE for p in self.root.iterdir())
        except OSError:
            return True

    def path(self, sha: str) -> Path:
        return self.root / sha[:2] / sha

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def holds(self, sha: str) -> bool:
        """The store has these bytes: read back and checked, not just a name that exists."""
        try:
            return sha256_file(self.path(sha)) == sha
        except OSError:
            return False

    def _commit(self, tmp: Path, sha: str) -> str:
        final = self.path(sha)
        final.parent.mkdir(exist_ok=True)
        if final.exists():
            tmp.unlink()
        else:
            os.replace(tmp, final)
            fsync_dir(final.parent)
        return sha

    def put_file(self, src: Path) -> str:
        """Keep a regular file (never one read through a link) and return its SHA-256."""
        h = hashlib.sha256()
        with open_regular(src) as f:
            return self._put_stream(f, h)

    def _put_stream(self, f: BinaryIO, h: Any) -> str:
        fd, name = tempfile.mkstemp(prefix=".in.", dir=self.root)
        tmp = Path(name)
        try:
            with os.fdopen(fd, "wb") as out:
                while chunk := f.read(CHUNK):
                    h.update(chunk)
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise
        return self._commit(tmp, h.hexdigest())

    def put_bytes(self, data: bytes) -> str:
        sha = hashlib.sha256(data).hexdigest()
        if self.has(sha):
            return sha
        fd, name = tempfile.mkstemp(prefix=".in.", dir=self.root)
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        return self._commit(Path(name), sha)

    def read(self, sha: str) -> bytes:
        return self.path(sha).read_bytes()

    def materialise(self, sha: str, target: Path, *, writable: bool = True,
                    group: str | None = None) -> None:
        """Write a kept file to `target` atomically (`writable`: may its readers change it;
        `group`: who may read it, when not the share's group)."""
        copy_atomically(self.path(sha), target, writable=writable, group=group)
