"""The year registers (`archive/<year>/Register <year>.xlsx`), written off the hot path.

A year register lists every case and event of the year, so writing it grows with the year: 7.5 s
at 10,000 cases, which used to block the watcher at every close. Now a close only counts the year
as due (in the same transaction); a `HistoryWriter` thread with a database connection of its own
writes due years once things are quiet, and `scan` writes them before it exits. A case closed
while its year was being written makes the year due again, so nothing is left out.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sop_docs.adapters import register
from sop_docs.adapters.db import Database
from sop_docs.errors import SopDocsError, plainly
from sop_docs.projection import RegisterProjection
from sop_docs.worker import Worker
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")


def write_due(ws: Workspace, projection: RegisterProjection, db: Database) -> bool:
    """Write every year register that is due; False if one is open in Excel (try later)."""
    for year, generation in sorted(db.years_to_write().items()):
        cases, events = projection.year_rows(db, year)
        target = ws.archive(year) / f"Register {year}.xlsx"
        target.parent.mkdir(parents=True, exist_ok=True)
        if not register.write(target, register.build_year(year, cases, events),
                              expected_hash=register.file_hash(target), writable=False):
            log.info("%s is open; it will be updated once closed", ws.rel(target))
            return False
        with db.tx():
            db.year_written(year, generation)
        log.info("%s written (%d cases)", ws.rel(target), len(cases))
    return True


class HistoryWriter(Worker):
    """Writes due year registers on a thread of its own, `quiet` seconds after the last close;
    `close` leaves due years due."""

    name = "sop-docs-history"

    def __init__(self, ws: Workspace, projection: RegisterProjection,
                 open_db: Callable[[], Database], quiet: float = 5.0) -> None:
        super().__init__()
        self.ws, self.projection, self.open_db, self.quiet = ws, projection, open_db, quiet

    def poke(self) -> None:
        """A case closed: its year is due (the thread starts on first use)."""
        self._start_and_wake()

    def _run(self) -> None:
        db = self.open_db()
        try:
            while not self._stop.is_set():
                self._wake.wait()
                while self._wake.is_set() and not self._stop.is_set():   # quiet for a while
                    self._wake.clear()
                    self._stop.wait(self.quiet)
                if self._stop.is_set():
                    return
                try:
                    if not write_due(self.ws, self.projection, db):
                        self._stop.wait(60)                   # open in Excel: look again later
                        self._wake.set()
                except (OSError, SopDocsError) as e:
                    log.error("the year register could not be written (%s); tried again at the "
                              "next close or start", plainly(e))
        finally:
            db.close()
