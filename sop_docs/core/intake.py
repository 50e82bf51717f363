"""Which names in an inbox are documents at all, which lock files mean "still open", and when a file
has stopped changing.

Word and Excel never write a document in place: they create owner files (`~$…`), temp files
(`~WRD0001.tmp`, Excel's `Cedd4100`) and rename them over the original; LibreOffice leaves
`.~lock.NAME#`; macOS and Windows add their own litter (PITFALLS.md §1.3, §2.1, §2.2). Taking any of
these in as a document would open bogus cases. This module holds those rules as pure functions, and
a stability tracker that is given `stat` results and the time instead of reading them, so that every
rule is unit-tested without touching a disk or a clock (PITFALLS.md §1.4, §7.1).
"""

from __future__ import annotations

import re
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

_EXACT_IGNORED = frozenset({"thumbs.db", "desktop.ini", ".ds_store", "ehthumbs.db", "icon\r"})

# Browser downloads in progress, partial copies, and every kind of temp file (ours included).
_IGNORED_SUFFIXES = (".tmp", ".temp", ".crdownload", ".part", ".partial", ".download")

# Excel's save temp: 8 hex characters, no extension ("Cedd4100").
_EXCEL_TEMP = re.compile(r"[0-9A-Fa-f]{8}")

# Extensions Word opens, for which it shortens the owner-file name of long names.
_WORD_EXTENSIONS = frozenset({".doc", ".docx", ".docm", ".dot", ".dotx", ".dotm", ".rtf", ".odt"})


def _basename(name: str) -> str:
    """The last path component, accepting both separators (names may come from Windows clients)."""
    return re.split(r"[\\/]", name.rstrip("\\/"))[-1]


def is_ignored(name: str) -> bool:
    """True for Office/OS litter and temp files that must never be taken in as documents.

    `name` is a file name (a path is reduced to its last component). Hidden names (a leading dot)
    are all ignored: LibreOffice locks, AppleDouble `._x`, `.DS_Store`, Samba `.smbdelete…`, NFS
    `.nfs…`, and sop-docs' own temp files, which are dot-files by design.
    """
    base = _basename(name)
    if not base or base.startswith((".", "~$")):
        return True
    lower = base.lower()
    if lower in _EXACT_IGNORED or lower.endswith(_IGNORED_SUFFIXES):
        return True
    return _EXCEL_TEMP.fullmatch(base) is not None


# Hidden names that are system litter, never a person's document.
_HIDDEN_LITTER = ("._", ".~lock.", ".smbdelete", ".nfs", ".fuse_hidden", ".goutputstream")


def is_hidden_document(name: str) -> bool:
    """A person's document whose name starts with a dot (`.Laporan.docx`): hidden on their
    desktop, so it is answered with a note instead of being ignored like the litter above.
    Office locks (`.~lock.`), AppleDouble (`._x`) and every temp name stay ignored."""
    base = _basename(name)
    if not base.startswith(".") or base.startswith(_HIDDEN_LITTER) or len(base) < 3:
        return False
    lower = base.lower()
    if lower in _EXACT_IGNORED or lower.endswith(_IGNORED_SUFFIXES):
        return False
    return re.fullmatch(r"\.[^.].*\.[a-z0-9]{1,5}", lower) is not None


def lock_names(name: str) -> list[str]:
    """The owner/lock file names beside `name` while Word, Excel or LibreOffice has it open.

    Excel and others use `~$` + the full name. Word shortens it for long names: for a stem of 8+
    characters the first two characters are replaced (`Draft_letter.docx` -> `~$aft_letter.docx`),
    for 7 characters the first one; Word versions differ, so both shortened forms are returned
    where the stem is long enough. LibreOffice writes `.~lock.NAME#`. The caller checks whether
    any of them exists.
    """
    base = _basename(name)
    if not base:
        return []
    stem, dot, ext = base.rpartition(".")
    if not dot:
        stem, ext = base, ""
    names = [f"~${base}"]
    if f".{ext.lower()}" in _WORD_EXTENSIONS:
        if len(stem) >= 7:
            names.append(f"~${base[1:]}")
        if len(stem) >= 8:
            names.append(f"~${base[2:]}")
    names.append(f".~lock.{base}#")
    return list(dict.fromkeys(names))


@dataclass
class _Seen:
    size: int
    mtime_ns: int
    since: float


class StabilityTracker:
    """Says when a file has kept the same size and mtime for `settle_seconds`.

    The caller re-stats candidate files (on each event and on each periodic scan) and reports what
    it saw with `observe`; the tracker never reads the disk or the clock itself. `now` should come
    from a monotonic clock. A change of size or mtime, or a clock that went backwards, restarts the
    window. Use several times the CIFS attribute cache time (1 s) as the window on a share.
    """

    def __init__(self, settle_seconds: float) -> None:
        if settle_seconds < 0:
            raise ValueError("settle_seconds must not be negative")
        self.settle_seconds = settle_seconds
        self._seen: dict[Hashable, _Seen] = {}

    def observe(self, key: Hashable, size: int, mtime_ns: int, now: float) -> bool:
        """Record one observation; True once the same (size, mtime) has held for the window."""
        seen = self._seen.get(key)
        if seen is None or seen.size != size or seen.mtime_ns != mtime_ns or now < seen.since:
            self._seen[key] = _Seen(size, mtime_ns, now)
            return self.settle_seconds == 0
        return now - seen.since >= self.settle_seconds

    def forget(self, key: Hashable) -> None:
        """Drop a key (the file was taken in, or vanished); unknown keys are fine."""
        self._seen.pop(key, None)

    def retain(self, keys: Iterable[Hashable]) -> None:
        """Forget every key not in `keys`: call after a full scan with the names still present."""
        keep = set(keys)
        for key in [k for k in self._seen if k not in keep]:
            del self._seen[key]

    def __contains__(self, key: object) -> bool:
        return key in self._seen

    def __len__(self) -> int:
        return len(self._seen)
