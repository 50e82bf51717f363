"""Who is who: the office's people (`[[people]]` in sop.toml), the roles they hold and where they are told.

A person is the official printed on a document (nama, pangkat, NIP, jabatan) and the addressee of
the chain's messages. The role's holder on a day is its stand-in (Plt./Plh. in `[[access.stand_in]]`)
when one covers the day, else the people named for the role: a message goes to whoever holds the
step *now*, never to someone who held it before. Pure: the caller gives the day.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from sop_docs.core.access import StandIn
from sop_docs.core.addresses import is_address, is_email, secret_in_clear
from sop_docs.core.tables import entries


@dataclass(frozen=True)
class Person:
    """One of the office's people. `user` is the Unix user who saves files (may be empty)."""

    nama: str
    user: str = ""
    nip: str = ""
    pangkat: str = ""
    jabatan: str = ""
    roles: tuple[str, ...] = ()
    alamat: tuple[str, ...] = ()    # e-mail addresses or apprise URLs (secrets as ${NAME})
    line: int = 0                   # where in sop.toml, for messages about it


@dataclass(frozen=True)
class Holding:
    """`person` holds a role: `title` is "" for its own people, else "Plt."/"Plh."."""

    person: Person
    title: str = ""


@dataclass(frozen=True)
class People:
    persons: tuple[Person, ...] = ()
    stand_ins: tuple[StandIn, ...] = ()

    def by_user(self, user: str | None) -> Person | None:
        if not user:
            return None
        return next((p for p in self.persons if p.user == user), None)

    def of_role(self, role: str) -> list[Person]:
        """The role's own people (not its stand-ins)."""
        return [p for p in self.persons if role in p.roles]

    def stand_in(self, role: str, on: date) -> StandIn | None:
        return next((s for s in self.stand_ins if s.role == role and s.start <= on <= s.end), None)

    def holders(self, role: str, on: date) -> list[Holding]:
        """Who holds `role` on `on`: its stand-in while one covers the day, else its people."""
        s = self.stand_in(role, on)
        if s is not None:
            p = self.by_user(s.user)
            return [Holding(p or Person(nama=s.user, user=s.user), s.title)]
        return [Holding(p) for p in self.of_role(role)]


def header_lines(text: str, header: str) -> list[int]:
    """The line numbers (1-based) of each `[[header]]` in the TOML text, in order."""
    pattern = re.compile(rf"^[ \t]*\[\[[ \t]*{re.escape(header)}[ \t]*\]\]", re.M)
    return [text.count("\n", 0, m.start()) + 1 for m in pattern.finditer(text)]


def _text(value: object, where: str, key: str) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise ValueError(f"{where}: '{key}' must be text in quotes")
    return value.strip()


def parse(raw: object, known_roles: Iterable[str], stand_ins: Sequence[StandIn] = (),
          lines: Sequence[int] = ()) -> People:
    """`[[people]]` of sop.toml; ValueError naming the entry (and its line when known)."""
    known = set(known_roles)
    persons: list[Person] = []
    for where, line, entry in entries(raw, "people", lines):
        unknown = set(entry) - {"nama", "user", "nip", "pangkat", "jabatan", "roles", "alamat"}
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: nama, "
                             "user, nip, pangkat, jabatan, roles, alamat)")
        nama = _text(entry.get("nama"), where, "nama")
        if not nama:
            raise ValueError(f"{where}: 'nama' (the person's full name) is missing")
        roles = entry.get("roles", [])
        if isinstance(roles, str):
            roles = [roles]
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError(f"{where}: 'roles' must be a list of role names")
        for r in roles:
            if r not in known:
                raise ValueError(f"{where}: role {r!r} is not a role of the SOP "
                                 f"({', '.join(sorted(known))})")
        alamat = entry.get("alamat", [])
        if isinstance(alamat, str):
            alamat = [alamat]
        if not isinstance(alamat, list) or not all(isinstance(a, str) for a in alamat):
            raise ValueError(f"{where}: 'alamat' must be a list of e-mail addresses or URLs")
        for a in alamat:
            if not is_address(a.strip()):
                raise ValueError(f"{where}: {a!r} is neither an e-mail address nor a URL "
                                 "(e.g. \"siti@contoh.go.id\" or \"tgram://${TELEGRAM_TOKEN}/12345\")")
            why = secret_in_clear(a.strip())
            if why:
                raise ValueError(f"{where}: {why}; write it as ${{NAME}} and put NAME in the "
                                 "service's environment or [notify] secrets_file")
        persons.append(Person(nama, _text(entry.get("user"), where, "user"),
                              _text(entry.get("nip"), where, "nip"),
                              _text(entry.get("pangkat"), where, "pangkat"),
                              _text(entry.get("jabatan"), where, "jabatan"),
                              tuple(roles), tuple(a.strip() for a in alamat), line))
    users = [p.user for p in persons if p.user]
    for u in sorted({u for u in users if users.count(u) > 1}):
        raise ValueError(f"[[people]]: user {u!r} is named twice")
    if persons:
        for s in stand_ins:
            if not any(p.user == s.user for p in persons):
                raise ValueError(f"[[access.stand_in]] {s.user} ({s.title} {s.role}, {s.start}–"
                                 f"{s.end}) is not in [[people]]: add them with nama, pangkat "
                                 "and NIP so the letters they sign carry their data")
    return People(tuple(persons), tuple(stand_ins))


def untold(people: People, roles: Iterable[str], mail_server: bool) -> list[str]:
    """What makes a message go to nobody, once anyone has an address (the office wants to be
    told): a role whose people have none, a stand-in without one (while they hold the role its
    own people are not told), e-mail addresses with no `[notify] server` to send them."""
    if not any(p.alamat for p in people.persons):
        return []
    out = [f"[[people]]: nobody holding {role} has an address (alamat): a document waiting at "
           "its steps is told to no one" for role in roles
           if not any(p.alamat for p in people.of_role(role))]
    for s in people.stand_ins:
        p = people.by_user(s.user)
        if p is not None and not p.alamat:
            out.append(f"[[people]] {p.nama} ({s.title} {s.role}, {s.start}–{s.end}) has no "
                       "address (alamat): during that period nobody is told of its steps")
    if not mail_server and any(is_email(a) for p in people.persons for a in p.alamat):
        out.append("[[people]] gives e-mail addresses but [notify] server is empty: no e-mail "
                   "is sent (the messages wait in the outbox)")
    return out


def incomplete_stand_ins(people: People) -> list[str]:
    """Stand-ins whose [[people]] entry lacks the pangkat or NIP their signature block prints
    (an official letter with an empty NIP line is sent back by whoever receives it)."""
    out = []
    for s in people.stand_ins:
        p = people.by_user(s.user)
        missing = [k for k in ("pangkat", "nip") if p is not None and not getattr(p, k)]
        if p is not None and missing:
            out.append(f"line {p.line} ([[people]] {p.nama}, {s.title} {s.role} "
                       f"{s.start}–{s.end}): no {' and no '.join(missing)}: the letters they "
                       "sign would print it empty")
    return out
