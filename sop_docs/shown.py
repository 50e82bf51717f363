"""What `laporan/` shows, kept current off the hot path: the dashboard after every change, the
Daftar Informasi Publik after a case closes.

Both are written by the report refresher's thread through its own database connection (`db`), so
nothing here may touch the service's connection; the berkala schedule for the dashboard is read
by a `Jadwal` of that connection, told of each closing case by the recorder.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sop_docs import dashboard
from sop_docs.adapters.db import Database
from sop_docs.dip import DipParts, write_dip
from sop_docs.jadwal import Jadwal
from sop_docs.notices import zone_name
from sop_docs.record import Change

if TYPE_CHECKING:
    from sop_docs.service import Service

FOLDER = "laporan"


class Shown:
    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self.dip_due = True                  # at start, and after each close
        self._jadwal: Jadwal | None = None   # of the refresher's connection

    # -- the recorder's listeners (the service's thread) -------------------------------------
    def within(self, event: int, change: Change) -> None:
        if self._jadwal is not None:
            self._jadwal.within(event, change)

    def after(self, _event: int, change: Change) -> None:
        if change.case.get("status") == "closed":
            self.dip_due = True

    # -- the writers (the refresher's thread, its own `db`) -----------------------------------
    def dashboard(self, db: Database, year: int) -> Path:
        """laporan/index.html for `year` as of now."""
        svc, now = self.svc, self.svc.clock()
        return dashboard.write(
            db, svc.sop, svc.calendar, svc.root / FOLDER / dashboard.FILE_NAME, year=year,
            now=now, office=svc.settings.office.get("nama", ""),
            zone=zone_name(svc.settings.timezone, now), holders=self._holders,
            berkala=self.berkala(db))

    def dip(self, db: Database, year: int, *, pdf: bool = False) -> Path | None:
        """The year's DIP, when a case closed since it was last written (it reads every closed
        case of the year: not at every change). A file open in Excel is tried again later."""
        if not self.dip_due and not pdf:
            return None
        self.dip_due = False
        try:
            done = write_dip(DipParts.of(self.svc, pdf=pdf), year, db=db)
        except BaseException:
            self.dip_due = True
            raise
        if done is None:
            self.dip_due = True
        return done

    def berkala(self, db: Database) -> list[dashboard.JadwalRow]:
        items = self.svc.jadwal.items
        if not items:
            return []
        if self._jadwal is None or self._jadwal.db is not db:
            self._jadwal = Jadwal(self.svc.sop, db, items, self.svc.clock)
        return [dashboard.JadwalRow(d.item.judul, d.item.periode, d.due,
                                    d.last.case_id if d.last else None, d.late)
                for d in self._jadwal.dues()]

    def _holders(self, role: str, on: date) -> str:
        return ", ".join(f"{h.title} {h.person.nama}".strip()
                         for h in self.svc.people.holders(role, on))
