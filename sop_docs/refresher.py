"""Keeps the reports under `laporan/` current off the hot path: debounced, on a thread of its own.

Every recorded event pokes the refresher (`Recorder.after`); it waits until no event came for
`quiet` seconds and at least `every` seconds passed since its last run, and never runs while the
watch loop has a file settling (`busy`, which the loop sets), so a report is never rewritten while
a save is about to be taken in: a burst of files runs at full speed and the reports follow once it
is over. Deadlines pass without any event, so it also runs every `idle_every` seconds.

The writers are plain callables `writer(db, year)`, each given the refresher's own database
connection (never the service's) and the current year: the dashboard now, the Daftar Informasi
Publik later. A writer's failure is logged and tried again at the next poke; the others still run.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

from sop_docs.adapters.db import Database
from sop_docs.errors import plainly
from sop_docs.worker import Worker

log = logging.getLogger("sop_docs")

Writer = Callable[[Database, int], object]


class ReportRefresher(Worker):
    """Runs every writer after changes, debounced; `poke` from any thread."""

    name = "sop-docs-reports"

    def __init__(self, open_db: Callable[[], Database], writers: list[Writer],
                 year: Callable[[], int], *, quiet: float = 2.0, every: float = 5.0,
                 idle_every: float = 300.0, busy: Callable[[], bool] = lambda: False,
                 clock: Callable[[], float] = time.monotonic) -> None:
        super().__init__()
        self.open_db, self.writers, self.year = open_db, writers, year
        self.quiet, self.every, self.idle_every = quiet, every, idle_every
        self.busy = busy          # the watch loop's "a file is settling" (set by watch.run)
        self.clock = clock
        self.runs = 0             # completed refreshes (tests and the bench wait on it)
        self._done = threading.Condition()
        self._last = float("-inf")
        self.background = False   # only a running watcher refreshes on its own (`follow`)

    def follow(self, busy: Callable[[], bool]) -> None:
        """The watcher runs: refresh after changes from now on, never while `busy()`."""
        self.busy, self.background = busy, True
        self.poke()

    def detach(self) -> None:
        """The watcher stopped: no more background refreshes (the thread ends)."""
        self.close()
        self.busy, self.background = (lambda: False), False

    def poke(self) -> None:
        """Something changed: refresh once things are quiet (the thread starts on first use, and
        only under a watcher: a one-shot `scan` writes once at its end)."""
        if self.background:
            self._start_and_wake()

    def write_now(self, db: Database) -> None:
        """Run every writer at once through `db` (one-shot `scan`, `sop-docs laporan`)."""
        self._write(db)

    def wait_for(self, runs: int, timeout: float) -> bool:
        """Block until `runs` refreshes completed; False on timeout."""
        with self._done:
            return self._done.wait_for(lambda: self.runs >= runs, timeout)

    def _run(self) -> None:
        db = self.open_db()
        try:
            while not self._stop.is_set():
                if not self._wake.wait(self.idle_every):
                    self._wake.set()                         # nothing happened: deadlines did
                while not self._stop.is_set():               # quiet, spaced, nothing settling
                    self._wake.clear()
                    wait = max(self.quiet, self._last + self.every - self.clock())
                    if self._stop.wait(wait):
                        return
                    if self._wake.is_set():
                        continue
                    if self.busy():
                        self._stop.wait(min(self.quiet, 0.5))
                        continue
                    break
                if self._stop.is_set():
                    return
                self._write(db)
        finally:
            db.close()

    def _write(self, db: Database) -> None:
        year = self.year()
        for writer in self.writers:
            try:
                writer(db, year)
            except Exception as e:           # a report is never worth stopping the service
                log.error("a report under laporan/ could not be written (%s); tried again at "
                          "the next change", plainly(e))
        self._last = self.clock()
        with self._done:
            self.runs += 1
            self._done.notify_all()
