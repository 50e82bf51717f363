"""The register as a projection of the database: the open cases, their history, the year's record.

Built fresh from the database each time, so nothing in the workbook is the only copy of anything but
the decisions people type, which are harvested before every rewrite. The open sheet holds only open
cases; a closed case's history moves to the yearly register, written only when a case closes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from sop_docs.adapters import disposisi_sheet, jadwal_sheet, register
from sop_docs.adapters.db import Database, Row
from sop_docs.core import events
from sop_docs.core.access import OWNER, Access
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.rincian import Rincian
from sop_docs.core.sop import Sop
from sop_docs.drafts import draft_placement
from sop_docs.workspace import Workspace

if TYPE_CHECKING:
    from sop_docs.disposisi import Disposisi
    from sop_docs.jadwal import Jadwal

log = logging.getLogger("sop_docs")

@dataclass(frozen=True)
class Channel:
    """One register workbook: the cases it lists (all, or those one role holds) and whether the
    decisions typed in it count."""

    path: Path
    role: str | None
    decides: bool
    key: str                  # its name in the database's bookkeeping


DECIDING = ("review", "publish")      # the kinds of step whose end is chosen in a register


def deciding_roles(sop: Sop) -> list[str]:
    """The roles that choose a decision in a register (review and publish steps), in SOP order."""
    out: list[str] = []
    for step in sop.steps.values():
        if step.kind in DECIDING and step.role not in out:
            out.append(step.role)
    return out


class RegisterProjection:
    def __init__(self, ws: Workspace, sop: Sop, db: Database, calendar: WorkCalendar,
                 clock: Callable[[], datetime], access: Access | None = None,
                 marked: str | None = None, names: Callable[[str], str] = str) -> None:
        self.ws, self.sop, self.db, self.calendar, self.clock = ws, sop, db, calendar, clock
        self.names = names        # a user's full name, for events recorded without one
        self.access = access or Access()
        self.disposisi: Disposisi | None = None    # the giver's sheet (set by the service)
        self.jadwal: Jadwal | None = None          # the berkala schedule (set by the service)
        self.marked = marked      # the mark every document carries (sop.toml holds examples)

    def channels(self) -> list[Channel]:
        """register.xlsx for everyone; with authorization "owner" it is an overview and each
        deciding role has its own register in a folder only that role can write."""
        if self.access.mode != OWNER:
            return [Channel(self.ws.register, None, True, "register")]
        return [Channel(self.ws.decision_register(role, self.sop.roles[role].name), role, True,
                        f"register:{role}") for role in deciding_roles(self.sop)] + [
            Channel(self.ws.register, None, False, "register")]     # the overview last

    def rows(self, role: str | None = None) -> list[register.RegisterRow]:
        """The open cases (those waiting for `role`'s decision, when given)."""
        now = self.clock()
        rows = []
        for c in self.db.open_cases():
            step = self.sop.step(c.step)
            if role is not None and (step.role != role or step.kind not in DECIDING):
                continue
            draft = draft_placement(self.db, c.id)
            docs = self.db.placements(c.id)
            holder_docs = [p for p in docs if p["role"] == step.role]
            current = draft or (holder_docs[-1] if holder_docs else None)
            deadline = clock_for(self.sop, c.kind, self.calendar).deadline(
                datetime.fromisoformat(c.step_entered_at), step.time)
            rows.append(register.RegisterRow(
                c.id, datetime.fromisoformat(c.opened_at), c.perihal, self.sop.kind(c.kind).name,
                step.title, self.sop.roles[step.role].name,
                current["path"] if current else None, deadline, now > deadline, c.message,
                c.step_token, c.catatan, c.keputusan))
        return rows

    def history(self, case_ids: list[str] | None = None) -> list[register.HistoryRow]:
        """Events of the open cases (or of `case_ids`), and recent answers to files that matched
        no case."""
        if case_ids is None:
            case_ids = [c.id for c in self.db.open_cases()]
        since = (self.clock() - timedelta(days=30)).isoformat()
        return self._history(self.db.recent_events(case_ids, since))

    def _history(self, rows: Iterable[Row]) -> list[register.HistoryRow]:
        out = []
        for e in rows:
            step = self.sop.steps.get(e["step_from"]) if e["step_from"] else None
            role = self.sop.roles[e["role"]].name if e["role"] in self.sop.roles else ""
            person = events.acted_by(e, self.names)
            out.append(register.HistoryRow(
                datetime.fromisoformat(e["at"]), e["case_id"] or "", step.title if step else "",
                f"{role} ({person})" if person and role else role or person or "",
                events.shown(e["kind"]), e["decision"] or "", e["catatan"] or "", e["message"]))
        return out

    def year_rows(self, db: Database, year: int) -> tuple[list[tuple[object, ...]],
                                                         list[register.HistoryRow]]:
        """Every case of `year` and every event of them, read through `db` (the history writer
        has a connection of its own)."""
        cases = [(c["id"], datetime.fromisoformat(c["opened_at"]),
                  Rincian.from_json(c["rincian"]).judul or c["subject"],
                  self.sop.kind(c["kind"]).name,
                  "Selesai" if c["status"] == "closed" else "Berjalan",
                  self.sop.step(c["step"]).title if c["step"] in self.sop.steps else "",
                  c["letter_number"] or "",
                  datetime.fromisoformat(c["closed_at"]) if c["closed_at"] else "")
                 for c in db.cases_of_year(year)]
        return cases, self._history(db.events_of_year(year))

    def notices(self, role: str | None = None) -> list[register.Notice]:
        """Files answered in quarantine/ in the last 30 days, newest first, for whoever saved them
        (those saved by `role`, and those about no role, when given)."""
        since = (self.clock() - timedelta(days=30)).isoformat()
        out = []
        for e in self.db.events_of_kind("quarantined", since):
            if role is not None and e["role"] not in (role, None):
                continue
            name = self.sop.roles[e["role"]].name if e["role"] in self.sop.roles else ""
            out.append(register.Notice(datetime.fromisoformat(e["at"]), name, e["case_id"] or "",
                                       e["source"] or "", e["message"]))
        return out

    def write(self, channel: Channel, expected: str | None) -> bool:
        """Rewrite a register when what it shows changed, or a person saved it since."""
        rows = self.rows(channel.role)
        if not channel.decides:                # a held decision is shown where it can be taken
            rows = [replace(r, keputusan="") for r in rows]
        history = self.history([r.case_id for r in rows] if channel.role else None)
        notices = self.notices(channel.role)
        decide_in = None if channel.decides else self.where_to_decide()
        sheet = (self.disposisi.rows() if self.disposisi and self.disposisi.here(channel)
                 else None)
        schedule = self.jadwal.rows() if self.jadwal is not None and self.jadwal.items else None
        fingerprint = hashlib.sha256(repr((rows, history, notices, decide_in, sheet,
                                           self.marked, schedule)).encode()).hexdigest()
        hash_key, print_key = f"{channel.key}_hash", f"{channel.key}_fingerprint"
        if (expected is not None and expected == self.db.get_meta(hash_key)
                and fingerprint == self.db.get_meta(print_key)):
            return True
        channel.path.parent.mkdir(parents=True, exist_ok=True)
        wb = register.build(rows, history, notices, decide_in=decide_in, marked=self.marked)
        if schedule is not None:
            jadwal_sheet.add_sheet(wb, schedule)
        if sheet is not None and self.disposisi is not None:
            disposisi_sheet.add_sheet(wb, sheet, [k.name for k in self.sop.kinds],
                                      self.disposisi.people(),
                                      jadwal_sheet.reference(len(schedule)) if schedule else None)
        ok = register.write(channel.path, wb,
                            expected_hash=expected, writable=channel.decides,
                            group=self.access.group_of(channel.role) if channel.role else None)
        if ok:
            with self.db.tx():
                self.db.set_meta(hash_key, register.file_hash(channel.path) or "")
                self.db.set_meta(print_key, fingerprint)
        return ok

    def where_to_decide(self) -> str:
        return "; ".join(f"{self.sop.roles[c.role].name}: {self.ws.rel(c.path)}"
                         for c in self.channels() if c.role is not None)
