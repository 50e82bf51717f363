"""How the office wants to be told (`[notify]` in sop.toml): the server, the times, what each role hears.

Checked at start like the rest of sop.toml. A secret (a password, a token) is never written in the
file itself, which every member of staff can read: a URL names it as `${NAME}` and the service reads
it from its environment or from `secrets_file`; one written in clear is refused, without repeating it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from sop_docs.core.addresses import is_address, secret_in_clear
from sop_docs.core.sop import Sop

# The kinds of message, by the words staff see in sop.toml's [notify.off].
TIBA = "tiba"              # a document is waiting for you
HASIL = "hasil"            # your draft was approved or returned (with the Catatan)
PENGINGAT = "pengingat"    # the deadline is near
TERLAMBAT = "terlambat"    # the deadline has passed
ESKALASI = "eskalasi"      # a step you oversee is late
RINGKASAN = "ringkasan"    # the morning digest
SELESAI = "selesai"        # the case you opened is closed
ADMIN = "admin"            # to the administrator: quarantine and the service's own trouble
KINDS = (TIBA, HASIL, PENGINGAT, TERLAMBAT, ESKALASI, RINGKASAN, SELESAI, ADMIN)



@dataclass(frozen=True)
class NotifySettings:
    server: str = ""                  # apprise mailto(s):// URL of the office's mail server
    sender: str = ""                  # From: "Name <address>" or an address
    secrets_file: str = ""
    share_prefix: str = ""            # how staff reach the workspace, e.g. \\fileserver\PPID\
    attach_max_bytes: int = 5 * 2**20
    reminders: tuple[float, ...] = (0.5,)
    escalate_after: float = 0.5
    digest: bool = True
    admin: tuple[str, ...] = ()
    retries: int = 8
    retry_seconds: float = 30.0
    timeout_seconds: float = 10.0
    superior: Mapping[str, str] = field(default_factory=dict)
    off: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def wants(self, role: str | None, kind: str) -> bool:
        """The role has not switched this kind of message off."""
        return role is None or kind not in self.off.get(role, frozenset())


def default_superiors(sop: Sop) -> dict[str, str]:
    """Each role's superior by the SOP: the role that reviews its work next on the way to
    approval (a role with none, the last reviewer, has no superior unless one is set)."""
    out: dict[str, str] = {}
    for step in sorted(sop.steps.values(), key=lambda s: s.number):
        if step.role in out:
            continue
        seen, n = set(), step.sesuai or step.next
        while n is not None and n in sop.steps and n not in seen:
            seen.add(n)
            later = sop.steps[n]
            if later.kind == "review" and later.role != step.role:
                out[step.role] = later.role
                break
            n = later.sesuai or later.next
    return out


def _fraction(value: object, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ValueError(f"{where} must be a positive fraction of the standard time, e.g. 0.5")
    return float(value)


def _number(raw: Mapping[str, object], key: str, default: float, *, least: float,
            whole: bool = False) -> float:
    """`[notify] key`: a number (not text, not true/false) of at least `least`."""
    value = raw.get(key, default)
    kind = int if whole else int | float
    if isinstance(value, bool) or not isinstance(value, kind) or value < least:
        what = "a whole number" if whole else "a number"
        raise ValueError(f"[notify] {key} must be {what} of at least {least:g} (no quotes), "
                         f"not {value!r}")
    return value


def _text(raw: Mapping[str, object], key: str) -> str:
    value = raw.get(key, "")
    if not isinstance(value, str):
        raise ValueError(f"[notify] {key} must be text in quotes")
    return value


def _table(raw: Mapping[str, object], key: str) -> Mapping[str, object]:
    value = raw.get(key, {})
    if not isinstance(value, Mapping):
        raise ValueError(f"[notify.{key}] must be a table of role = … lines")
    return value


def parse(raw: Mapping[str, object], sop: Sop) -> NotifySettings:
    """`[notify]` of sop.toml, checked against the SOP; ValueError naming the key."""
    known = {"server", "from", "secrets_file", "share_prefix", "attach_max_mb", "reminders",
             "escalate_after", "digest", "admin", "retries", "retry_seconds", "timeout_seconds",
             "superior", "off"}
    unknown = set(raw) - known
    if unknown:
        raise ValueError(f"[notify]: unknown key(s) {', '.join(sorted(unknown))}")
    roles = set(sop.roles)
    server = _text(raw, "server").strip()
    if server and not server.lower().startswith(("mailto://", "mailtos://")):
        scheme = server.split("://")[0] if re.match(r"[A-Za-z][A-Za-z0-9+.-]*://", server) else ""
        raise ValueError("[notify] server must be a mailto:// or mailtos:// address, not "
                         + (f"{scheme}://…" if scheme else "an address without one"))
    admin = raw.get("admin", [])
    if isinstance(admin, str):
        admin = [admin]
    if not isinstance(admin, list) or not all(isinstance(a, str) and is_address(a.strip())
                                              for a in admin):
        raise ValueError("[notify] admin must be a list of e-mail addresses or URLs")
    for url in [server, *admin]:
        why = secret_in_clear(url)
        if why:
            raise ValueError(f"[notify]: {why}; write it as ${{NAME}} and put NAME in the "
                             "service's environment or secrets_file")
    reminders = raw.get("reminders", [0.5])
    if not isinstance(reminders, list):
        raise ValueError("[notify] reminders must be a list of fractions, e.g. [0.5]")
    fractions = tuple(sorted(_fraction(f, "[notify] reminders") for f in reminders))
    if any(f >= 1 for f in fractions):
        raise ValueError("[notify] reminders come before the deadline: fractions below 1")
    superior: dict[str, str] = default_superiors(sop)
    for role, boss in _table(raw, "superior").items():
        if role not in roles or (boss not in roles and boss != ""):
            raise ValueError(f"[notify.superior] {role} = {boss!r}: both must be roles of the "
                             f"SOP ({', '.join(sorted(roles))}), or \"\" for none")
        if boss:
            superior[role] = boss
        else:
            superior.pop(role, None)
    off: dict[str, frozenset[str]] = {}
    for role, kinds in _table(raw, "off").items():
        if role not in roles:
            raise ValueError(f"[notify.off] {role!r} is not a role of the SOP")
        if not isinstance(kinds, list) or not set(kinds) <= set(KINDS):
            raise ValueError(f"[notify.off] {role} must list kinds among {', '.join(KINDS)}")
        off[role] = frozenset(kinds)
    sender = _text(raw, "from").strip()
    if re.search(r"[\x00-\x1f\x7f]", sender):
        raise ValueError("[notify] from must be one line (a name and <address>), without line "
                         "breaks or control characters")
    digest = raw.get("digest", True)
    if not isinstance(digest, bool):
        raise ValueError(f"[notify] digest must be true or false (no quotes), not {digest!r}")
    return NotifySettings(
        server=server, sender=sender,
        secrets_file=_text(raw, "secrets_file").strip(),
        share_prefix=_text(raw, "share_prefix"),
        attach_max_bytes=int(_number(raw, "attach_max_mb", 5, least=0) * 2**20),
        reminders=fractions,
        escalate_after=_fraction(raw.get("escalate_after", 0.5), "[notify] escalate_after"),
        digest=digest, admin=tuple(a.strip() for a in admin),
        retries=int(_number(raw, "retries", 8, least=0, whole=True)),
        retry_seconds=float(_number(raw, "retry_seconds", 30, least=0)),
        timeout_seconds=float(_number(raw, "timeout_seconds", 10, least=1)),
        superior=superior, off=off)
