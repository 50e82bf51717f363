"""Who saved a file: the owner the file server records, by name, with the groups they are in.

On a Linux file server (Samba) a new file belongs to the user who saved it; Word, Excel and
LibreOffice save by writing a new file and renaming it over the old one, so the owner is the last
saver (measured for LibreOffice; Microsoft documents it for Word and Excel). A save in place keeps
the previous owner, which is why decisions live in per-role folders only that role can write, and
a file still owned by the service is read as "a member of the role" (see `sop_docs.authority`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Owner:
    uid: int
    name: str
    groups: tuple[str, ...]


def uid_of(path: Path) -> int | None:
    """The owner's user id (not followed if a link); None where the system cannot tell."""
    if os.name != "posix":
        return None
    try:
        return os.lstat(path).st_uid
    except OSError:
        return None


def owner(uid: int) -> Owner | None:
    try:
        import grp
        import pwd
    except ImportError:                  # Windows: no owners to go by
        return None
    try:
        entry = pwd.getpwuid(uid)
    except KeyError:
        return Owner(uid, str(uid), ())
    try:
        gids = os.getgrouplist(entry.pw_name, entry.pw_gid)
    except OSError:
        gids = [entry.pw_gid]
    names = []
    for gid in gids:
        try:
            names.append(grp.getgrgid(gid).gr_name)
        except KeyError:
            names.append(str(gid))
    return Owner(uid, entry.pw_name, tuple(names))


def service_uid() -> int | None:
    """The user the service runs as (what it writes belongs to it)."""
    return os.geteuid() if hasattr(os, "geteuid") else None


def display_name(user: str) -> str:
    """The full name the system knows for a user (its GECOS field), else the user name."""
    try:
        import pwd

        gecos = pwd.getpwnam(user).pw_gecos.split(",")[0].strip()
    except (ImportError, KeyError):
        return user
    return gecos or user
