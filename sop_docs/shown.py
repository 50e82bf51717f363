"""What `laporan/` shows, kept current off the hot path: the dashboard after every change, the
Daftar Informasi Publik when the cases it lists changed.

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
from sop_docs.dip import DipParts, dip_path, write_dip
from sop_docs.jadwal import Jadwal
from sop_docs.notices import zone_name
from sop_docs.record import Change

if TYPE_CHECKING:
    from sop_docs.service import Service

FOLDER = "laporan"


class Shown:
    def __init__(self, svc: Service) -> None:
        self.svc = svc
        self._jadwal: Jadwal | None = None   # of the refresher's connection

    # -- the recorder's listeners (the service's thread) -------------------------------------
    def within(self, event: int, change: Change) -> None:
        if self._jadwal is not None:
            self._jadwal.within(event, change)

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
        """The year's DIP, when the closed cases it lists changed since it was last written (it
        reads every closed case of the year: not at every change, nor at every start). A file
        open in Excel is tried again at the next refresh. The office's own rows (Tambahan Kantor)
        join the list at the next close, or at once with `sop-docs laporan` (`pdf`)."""
        basis = "|".join(str(v) for v in db.conn.execute(
            "SELECT COUNT(*), MAX(closed_at) FROM cases WHERE status='closed' AND closed_at >= ? "
            "AND closed_at < ?", (f"{year:04d}-", f"{year + 1:04d}-")).fetchone())
        key = f"dip:{year}_basis"
        if not pdf and db.get_meta(key) == basis and dip_path(self.svc.ws, year).exists():
            return None
        done = write_dip(DipParts.of(self.svc, pdf=pdf), year, db=db)
        if done is not None:
            db.set_meta(key, basis)
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
