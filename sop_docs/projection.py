"""The register as a projection of the database: the open cases, their history, the year's record.

Built fresh from the database each time, so nothing in the workbook is the only copy of anything but
the decisions people type, which are harvested before every rewrite. The open sheet holds only open
cases; a closed case's history moves to the yearly register, written only when a case closes.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterable
from datetime import datetime, timedelta

from sop_docs.adapters import register
from sop_docs.adapters.db import Database, Row
from sop_docs.core import events
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.sop import Sop
from sop_docs.drafts import draft_placement
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")

class RegisterProjection:
    def __init__(self, ws: Workspace, sop: Sop, db: Database, calendar: WorkCalendar,
                 clock: Callable[[], datetime]) -> None:
        self.ws, self.sop, self.db, self.calendar, self.clock = ws, sop, db, calendar, clock

    def rows(self) -> list[register.RegisterRow]:
        now = self.clock()
        rows = []
        for c in self.db.open_cases():
            step = self.sop.step(c.step)
            draft = draft_placement(self.db, c.id)
            docs = self.db.placements(c.id)
            holder_docs = [p for p in docs if p["role"] == step.role]
            current = draft or (holder_docs[-1] if holder_docs else None)
            deadline = self.calendar.deadline(datetime.fromisoformat(c.step_entered_at), step.time)
            rows.append(register.RegisterRow(
                c.id, datetime.fromisoformat(c.opened_at), c.subject, self.sop.kind(c.kind).name,
                step.title, self.sop.roles[step.role].name,
                current["path"] if current else None, deadline, now > deadline, c.message,
                c.step_token, c.catatan))
        return rows

    def history(self) -> list[register.HistoryRow]:
        """Events of the open cases, and recent answers to files that matched no case."""
        open_ids = [c.id for c in self.db.open_cases()]
        since = (self.clock() - timedelta(days=30)).isoformat()
        return self._history(self.db.recent_events(open_ids, since))

    def _history(self, rows: Iterable[Row]) -> list[register.HistoryRow]:
        out = []
        for e in rows:
            step = self.sop.steps.get(e["step_from"]) if e["step_from"] else None
            out.append(register.HistoryRow(
                datetime.fromisoformat(e["at"]), e["case_id"] or "", step.title if step else "",
                self.sop.roles[e["role"]].name if e["role"] in self.sop.roles else "",
                events.shown(e["kind"]), e["decision"] or "", e["catatan"] or "", e["message"]))
        return out

    def year_rows(self, db: Database, year: int) -> tuple[list[tuple[object, ...]],
                                                         list[register.HistoryRow]]:
        """Every case of `year` and every event of them, read through `db` (the history writer
        has a connection of its own)."""
        cases = [(c["id"], datetime.fromisoformat(c["opened_at"]), c["subject"],
                  self.sop.kind(c["kind"]).name,
                  "Selesai" if c["status"] == "closed" else "Berjalan",
                  self.sop.step(c["step"]).title if c["step"] in self.sop.steps else "",
                  c["letter_number"] or "",
                  datetime.fromisoformat(c["closed_at"]) if c["closed_at"] else "")
                 for c in db.cases_of_year(year)]
        return cases, self._history(db.events_of_year(year))

    def notices(self) -> list[register.Notice]:
        """Files answered in quarantine/ in the last 30 days, newest first, for whoever saved them."""
        since = (self.clock() - timedelta(days=30)).isoformat()
        out = []
        for e in self.db.events_of_kind("quarantined", since):
            role = self.sop.roles[e["role"]].name if e["role"] in self.sop.roles else ""
            out.append(register.Notice(datetime.fromisoformat(e["at"]), role, e["case_id"] or "",
                                       e["source"] or "", e["message"]))
        return out

    def write(self, expected: str | None) -> bool:
        """Rewrite the register when what it shows changed, or a person saved it since."""
        rows, history, notices = self.rows(), self.history(), self.notices()
        fingerprint = hashlib.sha256(repr((rows, history, notices)).encode()).hexdigest()
        if (expected is not None and expected == self.db.get_meta("register_hash")
                and fingerprint == self.db.get_meta("register_fingerprint")):
            return True
        ok = register.write(self.ws.register, register.build(rows, history, notices),
                            expected_hash=expected)
        if ok:
            with self.db.tx():
                self.db.set_meta("register_hash", register.file_hash(self.ws.register) or "")
                self.db.set_meta("register_fingerprint", fingerprint)
        return ok
