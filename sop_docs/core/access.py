"""Who holds which role, and so whose decision counts: the mapping of `[access]` in sop.toml.

A step's decision (or a concept, or a correction) counts only when the file that carries it was
saved by someone holding the step's role on that day: a user named for the role, a member of a
group named for it (`@group`), or a stand-in (Plt./Plh.) within their period. Pure: the caller
says who saved the file (the owner the file server recorded) and which groups they are in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

OWNER, NONE = "owner", "none"
MODES = (OWNER, NONE)
TITLES = ("Plt.", "Plh.")


@dataclass(frozen=True)
class StandIn:
    """`user` holds `role` from `start` to `end` (both days included) as Plt. or Plh."""

    role: str
    user: str
    start: date
    end: date
    title: str


@dataclass(frozen=True)
class Holder:
    """Someone holding a role: `title` is "" for the role's own people, else "Plt."/"Plh."."""

    user: str
    role: str
    title: str = ""


@dataclass(frozen=True)
class Access:
    mode: str = OWNER
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    stand_ins: tuple[StandIn, ...] = ()

    @property
    def attributed(self) -> bool:
        """Decisions are tied to people (a mode that checks, and people to check against)."""
        return self.mode == OWNER and self.mapped

    @property
    def mapped(self) -> bool:
        return any(self.roles.values()) or bool(self.stand_ins)

    def names_people_for(self, role: str) -> bool:
        """People are named for `role`: only they (and its stand-ins) may act for it."""
        return bool(self.roles.get(role)) or any(s.role == role for s in self.stand_ins)

    def group_of(self, role: str) -> str | None:
        """The Unix group named first for `role` (the one its folders should belong to)."""
        return next((e[1:] for e in self.roles.get(role, ()) if e.startswith("@")), None)

    def holder(self, role: str, user: str, groups: Iterable[str], on: date) -> Holder | None:
        """How `user` (in `groups`) holds `role` on `on`, or None."""
        entries = self.roles.get(role, ())
        if user in entries or any(f"@{g}" in entries for g in groups):
            return Holder(user, role)
        for s in self.stand_ins:
            if s.role == role and s.user == user and s.start <= on <= s.end:
                return Holder(user, role, s.title)
        return None

    def roles_of(self, user: str, groups: Iterable[str], on: date) -> list[str]:
        """Every role `user` holds on `on` (to say who they are when they may not decide)."""
        groups = list(groups)
        return [r for r in self.roles if self.holder(r, user, groups, on) is not None] + [
            s.role for s in self.stand_ins if s.user == user and s.start <= on <= s.end
            and s.role not in self.roles]


def _day(value: object) -> bool:
    """A TOML date (a date-time is a date to Python, but a stand-in holds whole days)."""
    return isinstance(value, date) and not isinstance(value, datetime)


def parse(raw: Mapping[str, object], known_roles: Iterable[str]) -> Access:
    """`[access]` of sop.toml; ValueError naming what is wrong."""
    known = set(known_roles)
    mode = str(raw.get("authorization", OWNER))
    if mode not in MODES:
        raise ValueError(f"[access] authorization must be \"owner\" or \"none\", not {mode!r}")
    roles: dict[str, tuple[str, ...]] = {}
    for role, entries in dict(raw.get("roles", {}) or {}).items():  # type: ignore[call-overload]
        if role not in known and entries == []:
            continue                        # the shipped example's empty line for another SOP
        if role not in known:
            raise ValueError(f"[access.roles] {role!r} is not a role of the SOP "
                             f"({', '.join(sorted(known))})")
        if not isinstance(entries, list) or not all(isinstance(e, str) and e.strip()
                                                     for e in entries):
            raise ValueError(f"[access.roles] {role} must be a list of user names or \"@group\"")
        roles[role] = tuple(e.strip() for e in entries)
    stand_ins = []
    for i, s in enumerate(raw.get("stand_in", []) or [], start=1):  # type: ignore[union-attr]
        where = f"[[access.stand_in]] number {i}"
        if not isinstance(s, Mapping):
            raise ValueError(f"{where} must be a table")
        role, user, title = s.get("role"), s.get("user"), s.get("as", "Plh.")
        start, end = s.get("from"), s.get("to")
        if role not in known:
            raise ValueError(f"{where}: role {role!r} is not a role of the SOP")
        if not isinstance(user, str) or not user.strip():
            raise ValueError(f"{where}: 'user' (a user name) is missing")
        if not _day(start) or not _day(end) or end < start:  # type: ignore[operator]
            raise ValueError(f"{where}: 'from' and 'to' must be dates (YYYY-MM-DD), 'to' not "
                             "before 'from'")
        if title not in TITLES:
            raise ValueError(f"{where}: 'as' must be \"Plt.\" or \"Plh.\", not {title!r}")
        stand_ins.append(StandIn(str(role), user.strip(), start, end, str(title)))
    for a in stand_ins:
        for b in stand_ins:
            if a is not b and a.role == b.role and a.start <= b.end and b.start <= a.end:
                raise ValueError(f"[[access.stand_in]]: two stand-ins for {a.role} overlap "
                                 f"({a.user} {a.start}–{a.end}, {b.user} {b.start}–{b.end})")
    return Access(mode, roles, tuple(stand_ins))
