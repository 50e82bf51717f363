"""`sop-docs check`: what in the actual folders is wider than the share layout of docs/service.md.

The file server is what keeps people in their lanes: each role's group writes its own inbox (and
its own register folder), reads its own outbox; nobody but the service writes the register
overview, the archive, quarantine/, the templates, sop.toml or `.sop_docs/`. This reads the mode,
owner and group of each of those and says, in one line each, what is wider. It runs at every start
(warnings in the log) and on demand.
"""

from __future__ import annotations

import os
import stat
from pathlib import Path

from sop_docs.core.access import OWNER, Access
from sop_docs.core.sop import Sop
from sop_docs.projection import deciding_roles
from sop_docs.workspace import Workspace


def _mode(st: os.stat_result) -> str:
    return f"{stat.S_IMODE(st.st_mode):04o}"


def _group(gid: int) -> str:
    try:
        import grp

        return grp.getgrgid(gid).gr_name
    except (ImportError, KeyError):
        return str(gid)


def _look(path: Path) -> os.stat_result | None:
    try:
        return os.lstat(path)
    except OSError:
        return None


def check(ws: Workspace, sop: Sop, access: Access, private: list[Path]) -> list[str]:
    """One line per thing wider than the layout; `private` are the service's own paths (the
    database, the backups) besides those in the workspace."""
    if os.name != "posix":
        return ["permissions are not checked on this system (not POSIX)"]
    out: list[str] = []
    root = ws.root
    for entry in sorted(root.iterdir()):
        if entry.is_symlink():
            out.append(f"{entry.name}: is a link ({os.readlink(entry)}); the service never "
                       "follows links, so what it points at is not used")
    for role in sop.roles:
        out += _writers(ws, ws.inbox(role), role, access, sop)
        out += _outbox(ws, ws.outbox(role))
    if access.mode == OWNER:
        for role in deciding_roles(sop):
            out += _writers(ws, ws.decision_register(role, sop.roles[role].name).parent, role,
                            access, sop)
        out += _service_only(ws, ws.register, "the register overview")
    for path, what in ((ws.quarantine, "quarantine"), (root / "archive", "the archive"),
                       (ws.templates, "the templates"), (root / "sop.toml", "the settings"),
                       (ws.state, "the service's state")):
        out += _service_only(ws, path, what)
    for path in private:
        out += _service_only(ws, path, "the service's own files")
    return out


def _rel(ws: Workspace, path: Path) -> str:
    try:
        return ws.rel(path)
    except ValueError:
        return str(path)


def _writers(ws: Workspace, folder: Path, role: str, access: Access, sop: Sop) -> list[str]:
    """A role's folder: written by that role's group only."""
    st = _look(folder)
    if st is None:
        return []
    name, rel = sop.roles[role].name, _rel(ws, folder)
    if stat.S_ISLNK(st.st_mode):
        return [f"{rel}: is a link; it should be a folder of its own"]
    out = []
    if st.st_mode & stat.S_IWOTH:
        out.append(f"{rel}: everyone may write in it (mode {_mode(st)}); only {name} should")
    group = access.group_of(role)
    if group and st.st_mode & stat.S_IWGRP and _group(st.st_gid) != group:
        out.append(f"{rel}: group {_group(st.st_gid)} may write in it; it should be {group} "
                   f"({name})")
    return out


def _outbox(ws: Workspace, folder: Path) -> list[str]:
    st = _look(folder)
    if st is None:
        return []
    rel = _rel(ws, folder)
    if stat.S_ISLNK(st.st_mode):
        return [f"{rel}: is a link; it should be a folder of its own"]
    out = []
    if st.st_mode & stat.S_IROTH:
        out.append(f"{rel}: everyone may read it (mode {_mode(st)}); only its role should")
    if st.st_mode & stat.S_IWOTH:
        out.append(f"{rel}: everyone may write in it (mode {_mode(st)})")
    return out


def _service_only(ws: Workspace, path: Path, what: str) -> list[str]:
    """Written by the service (and the administrator) only."""
    st = _look(path)
    if st is None:
        return []
    rel = _rel(ws, path)
    if stat.S_ISLNK(st.st_mode):
        return [f"{rel}: is a link ({what} should be itself)"]
    if st.st_mode & stat.S_IWOTH:
        return [f"{rel}: everyone may write {what} (mode {_mode(st)}); only the service should"]
    if st.st_mode & stat.S_IWGRP and st.st_gid != os.getegid():
        return [f"{rel}: group {_group(st.st_gid)} may write {what} (mode {_mode(st)}); only the "
                "service should"]
    return []
