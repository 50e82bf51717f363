"""The berkala schedule of the office, read from the database: which closed case last fulfilled
each `[[berkala]]` item, and when each is next due (`core.jadwal`).

A case fulfils an item when it closes: the item the Kabid/Kasubag picked in the Disposisi sheet's
"Jadwal Berkala" column (kept in the case's rincian), else, for a case of the berkala kind, the
item whose judul its Perihal is (case and spacing ignored). The closed cases are read once, then
each closing case is added (`within`, the recorder's listener), so a register write never
reads the whole history.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime

from sop_docs.adapters.db import CaseRow, Database
from sop_docs.adapters.jadwal_sheet import JadwalRow
from sop_docs.core import jadwal
from sop_docs.core.jadwal import Due, Fulfilment, Item
from sop_docs.core.sop import Sop
from sop_docs.record import Change

BERKALA = "berkala"           # the SOP kind whose Perihal may name an item


class Jadwal:
    def __init__(self, sop: Sop, db: Database, items: Sequence[Item],
                 clock: Callable[[], datetime]) -> None:
        self.sop, self.db, self.items, self.clock = sop, db, tuple(items), clock
        self._last: dict[str, Fulfilment] | None = None    # the latest per item (norm of judul)
        self._since: date | None = None
        self._closing: list[str] = []                     # closed since the last reading

    def fulfilment(self, case: CaseRow) -> Fulfilment | None:
        """The item a closed case fulfils, and when (the day it closed)."""
        if case.status != "closed" or not case.closed_at:
            return None
        item = jadwal.match(self.items, case.details.berkala, case.perihal,
                            case.kind == BERKALA)
        if item is None:
            return None
        return Fulfilment(item.judul, case.id, datetime.fromisoformat(case.closed_at).date())

    def _load(self) -> dict[str, Fulfilment]:
        if self._last is None:
            self._last = {}
            if self.items:
                for case in self.db.closed_cases():
                    self._add(case)
        return self._last

    def _add(self, case: CaseRow) -> None:
        f = self.fulfilment(case)
        if f is None or self._last is None:
            return
        key = jadwal.norm(f.judul)
        old = self._last.get(key)
        if old is None or (f.on, f.case_id) >= (old.on, old.case_id):
            self._last[key] = f

    def within(self, _event: int, change: Change) -> None:
        """Inside an event's transaction: a case that closes is counted at the next reading
        (a transaction that fails leaves it open, and then it counts for nothing)."""
        if self.items and change.case.get("status") == "closed" and change.case_id:
            self._closing.append(change.case_id)

    def _drain(self) -> None:
        while self._closing:
            case = self.db.case(self._closing.pop())
            if case is not None and self._last is not None:
                self._add(case)

    def dues(self, today: date | None = None) -> list[Due]:
        """Every item's next due date (`core.jadwal.schedule`), in sop.toml's order."""
        if not self.items:
            return []
        last = self._load()
        self._drain()
        if self._since is None and (first := self.db.first_opened()):
            self._since = datetime.fromisoformat(first).date()
        today = today or self.clock().date()
        return jadwal.schedule(self.items, last.values(), today, self._since or today)

    def rows(self, today: date | None = None) -> list[JadwalRow]:
        """The Jadwal Berkala sheet's rows."""
        return [JadwalRow(d.item.judul, d.item.periode, self.sop.roles[d.item.role].name,
                          jadwal.tanggal(d.due), d.last.case_id if d.last else "",
                          jadwal.tanggal(d.last.on) if d.last else "", d.late)
                for d in self.dues(today)]
