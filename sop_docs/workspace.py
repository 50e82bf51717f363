"""The workspace: one folder with the inboxes, outboxes, register, archive and the system's own state.

Knows where things are; never decides anything. `init_workspace` only adds what is missing, so running
it again on a workspace in use is harmless.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from sop_docs.core.sop import Sop
from sop_docs.errors import NotAWorkspace

STATE_DIR = ".sop_docs"
REGISTER = "register.xlsx"


@dataclass(frozen=True)
class Workspace:
    root: Path

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def store(self) -> Path:
        return self.state / "store"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def register(self) -> Path:
        return self.root / REGISTER

    @property
    def quarantine(self) -> Path:
        return self.root / "quarantine"

    def inbox(self, role: str) -> Path:
        return self.root / "inbox" / role

    def outbox(self, role: str) -> Path:
        return self.root / "outbox" / role

    def decision_register(self, role: str, role_name: str) -> Path:
        """Where `role` chooses its decisions (authorization "owner"): a folder only it writes."""
        from sop_docs.core.naming import safe_component

        return self.root / "keputusan" / role / f"Register {safe_component(role_name)}.xlsx"

    def archive(self, year: int) -> Path:
        return self.root / "archive" / str(year)

    def rel(self, path: Path) -> str:
        return path.relative_to(self.root).as_posix()


def shipped_templates() -> list[tuple[str, bytes]]:
    folder = resources.files("sop_docs").joinpath("templates")
    return [(p.name, p.read_bytes()) for p in folder.iterdir()
            if p.name.endswith((".docx", ".png"))]


def ensure_folders(root: Path, sop: Sop) -> list[str]:
    """Make the folders the SOP needs that are missing (a removed inbox or proof folder comes
    back at the next start); the relative paths made. Never replaces what is there."""
    made: list[str] = []
    ws = Workspace(root)
    dirs = [ws.state, ws.templates, ws.quarantine, root / "archive"]
    for role in sop.roles:
        dirs += [ws.inbox(role), ws.outbox(role)]
    first = sop.first_step
    dirs += [ws.inbox(first.role) / k.key for k in sop.kinds[1:]]
    dirs += [ws.inbox(first.role) / sop.kinds[0].key]
    for role, proofs in sop.proof_folders().items():
        dirs += [ws.inbox(role) / p for p in proofs]
    for d in dirs:
        if not d.exists():
            # a role's folders are its own: the group of the role, not everyone (see `check`)
            d.mkdir(parents=True, mode=0o770 if d.parent.name in ("inbox", "outbox") else 0o777)
            made.append(ws.rel(d) + "/")
    return made


def init_workspace(root: Path, sop: Sop) -> list[str]:
    """Create what is missing; return the relative paths created."""
    made = ensure_folders(root, sop)
    ws = Workspace(root)
    for name, data in shipped_templates():
        target = ws.templates / name
        if not target.exists():
            target.write_bytes(data)
            made.append(ws.rel(target))
    settings = root / "sop.toml"
    if not settings.exists():
        src = resources.files("sop_docs").joinpath("workspace/sop.toml")
        with src.open("rb") as f, settings.open("wb") as out:
            shutil.copyfileobj(f, out)
        made.append("sop.toml")
    return made


def open_workspace(root: Path) -> Workspace:
    ws = Workspace(root.resolve())
    if not ws.root.is_dir():
        raise NotAWorkspace(f"{root} is not a folder")
    if not (ws.root / "inbox").is_dir() or not (ws.root / "outbox").is_dir():
        raise NotAWorkspace(
            f"{ws.root} is not a sop-docs workspace (no inbox/ and outbox/): "
            f"run `sop-docs init {root}` first"
        )
    ws.state.mkdir(exist_ok=True)
    return ws
