"""The service: one façade over intake, decisions and the archive, wired to one workspace.

The path of a dropped file: the watcher (or `scan`) hands it to `Intake.take_in`, which keeps it in
the store, asks the core what it means (`core.case.advance`) and hands the resulting `Change` to the
`Recorder`: one transaction records the event, the case's new state and the file operations, then
the `Journal` carries the operations out. A register decision takes the same path through
`Decisions`. A crash anywhere is finished by `recover()`, which replays the operations not yet
done; each is idempotent, and none deletes a file whose content is not in the store.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from sop_docs import archive, backup, guard, history
from sop_docs.adapters import register
from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import Database, LeaseLost
from sop_docs.archiving import Archiving
from sop_docs.authority import Authority
from sop_docs.core.access import Access
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.jadwal import Item
from sop_docs.core.notify_settings import NotifySettings
from sop_docs.core.people import People
from sop_docs.core.sop import Sop
from sop_docs.decisions import Decisions
from sop_docs.disposisi import Disposisi
from sop_docs.errors import SopDocsError, StateMismatch, plainly
from sop_docs.history import HistoryWriter
from sop_docs.intake import Intake
from sop_docs.jadwal import Jadwal
from sop_docs.journal import Journal
from sop_docs.notices import Notices, zone_name
from sop_docs.paperwork import Paperwork
from sop_docs.projection import RegisterProjection
from sop_docs.record import Change, Recorder
from sop_docs.refresher import ReportRefresher
from sop_docs.registers import Registers
from sop_docs.settings import Settings
from sop_docs.shown import Shown
from sop_docs.workspace import Workspace

log = logging.getLogger("sop_docs")


class Service:
    def __init__(self, ws: Workspace, sop: Sop, settings: Settings, db: Database,
                 blobs: BlobStore, calendar: WorkCalendar, paperwork: Paperwork,
                 clock: Callable[[], datetime], convert: Callable[[Path, str], bytes] | None,
                 on_close: Callable[[], None] | None = None, access: Access | None = None,
                 people: People | None = None, notify: NotifySettings | None = None,
                 berkala: tuple[Item, ...] = ()) -> None:
        self.ws, self.sop, self.settings, self.db, self.blobs = ws, sop, settings, db, blobs
        self.calendar, self.paperwork, self.clock = calendar, paperwork, clock
        self.root = ws.root
        self._on_close = on_close
        folder = Path(settings.backup_folder)
        self.backup_folder = folder if folder.is_absolute() else ws.root / folder
        self.access = access or Access()
        self.people = people or People(stand_ins=self.access.stand_ins)
        self.notify = notify or NotifySettings()
        self.archiving = Archiving(ws, sop, settings, db, blobs, calendar, paperwork)
        self.journal = Journal(ws.root, db, blobs, {"bundle": self.archiving.build_bundle},
                               lambda role: self.access.group_of(role) if role else None)
        self.recorder = Recorder(db, self.journal, blobs, names=paperwork.name_of)
        self.authority = Authority(sop, self.access)
        self.projection = RegisterProjection(ws, sop, db, calendar, clock, self.access,
                                             marked=paperwork.mark, names=paperwork.name_of)
        self.intake = Intake(ws, sop, settings, db, blobs, calendar, paperwork, self.recorder,
                             clock, convert, self.authority)
        self.decisions = Decisions(ws, sop, settings, db, blobs, paperwork, self.recorder,
                                   self.archiving, self.authority, clock)
        self.disposisi = Disposisi(ws, sop, settings, db, blobs, calendar, paperwork,
                                   self.recorder, self.authority, clock, berkala)
        self.projection.disposisi = self.disposisi
        self.jadwal = Jadwal(sop, db, berkala, clock)
        self.projection.jadwal = self.jadwal
        self.registers = Registers(ws, db, blobs, self.decisions, self.projection, self.intake,
                                   self.disposisi)
        self.history = HistoryWriter(ws, self.projection, db.reopen)
        self.recorder.after.append(self._closed)
        # what laporan/ shows (the dashboard, the DIP), off the hot path
        self.shown = Shown(self)
        self.reports = ReportRefresher(db.reopen,
                                       [self.shown.dashboard, self.shown.dip],
                                       lambda: self.clock().year)
        self.recorder.within.append(self.shown.within)
        self.recorder.after.append(lambda _event, _change: self.reports.poke())
        self.notices = Notices(
            sop, self.people, self.notify, calendar, db, blobs, clock,
            zone=zone_name(settings.timezone, clock()),
            registers=lambda: {c.role: ws.rel(c.path) for c in self.projection.channels()
                               if c.role is not None},
            trouble=lambda: self.registers.trouble, office_missing=convert is None)
        self.recorder.within.append(self.notices.within)
        self.recorder.within.append(self.jadwal.within)
        self.journal.stuck.append(self.notices.op_stuck)

    def _closed(self, _event: int, change: Change) -> None:
        if change.case.get("status") == "closed":
            self.history.poke()                  # its year register, off the hot path

    def scan(self) -> None:
        """One full pass: finish what a crash left, take in every waiting file, act on decisions."""
        self.recover()
        for path in self.pending_inbox_files():
            # a disk error is logged by take_in; the file stays in the inbox for the next pass
            with contextlib.suppress(OSError):
                self.take_in(path)
        self.process_register()
        self.tick()
        self.history.close()                     # one-shot: the year registers now, not later
        try:
            history.write_due(self.ws, self.projection, self.db)
        except (OSError, SopDocsError) as e:
            log.error("the year register could not be written (%s); tried again later", plainly(e))
        self.reports.write_now(self.db)

    def recover(self) -> None:
        """Carry out every recorded operation not yet done (after a crash, or a failed move),
        once the database and the store are checked to be still the ones opened; take the day's
        copy of the database."""
        if self.db.leased and not self.db.lease_held():   # PostgreSQL: another may replay them
            raise LeaseLost(f"the lease on {self.db.shown} is gone")
        try:
            guard.check_still_ours(self.db, self.blobs)
        except StateMismatch:
            # the open connection still holds everything: keep it before stopping
            with contextlib.suppress(Exception):
                log.critical("copied the database that went missing to %s",
                             backup.take(self.db, self.backup_folder, "saat-hilang"))
            raise
        self.journal.recover()
        if self.db.years_to_write():
            self.history.poke()
        try:
            backup.daily(self.db, self.backup_folder, self.settings.backup_days)
        except Exception as e:                   # a full disk, say: the office goes on
            log.error("the day's copy of the database could not be made in %s: %s",
                      self.backup_folder, plainly(e))

    def tick(self) -> None:
        """Record the reminders, lateness, escalation and digest messages now due (the watch
        loop calls it every minute and at each full pass); a fault is logged, never raised."""
        try:
            self.notices.tick(self.clock())
        except (OSError, SopDocsError) as e:
            log.error("the timed messages could not be recorded (%s); tried again later",
                      plainly(e))
        except Exception:
            log.exception("the timed messages could not be recorded")

    def share_unreachable(self, why: str | None) -> None:
        """The watch loop's word on the workspace: out of reach (why), or back (None); long out
        of reach, the administrator is told at the next tick."""
        self.notices.share(why, self.clock())

    def pending_inbox_files(self) -> list[Path]:
        """Every file waiting in an inbox, oldest first."""
        return self.intake.pending()

    def take_in(self, path: Path) -> None:
        """Take in one settled file; bad input is answered, never raised."""
        self.intake.take_in(path)

    def process_register(self) -> None:
        """Act on the registers' decisions and write them anew."""
        self.registers.process()

    def register_paths(self) -> list[Path]:
        """The register workbooks people save (the watcher watches each; their folders exist)."""
        paths = [c.path for c in self.projection.channels()]
        for path in paths:
            path.parent.mkdir(parents=True, exist_ok=True)
        return paths

    def register_rows(self) -> list[register.RegisterRow]:
        return self.projection.rows()

    def verify(self) -> archive.VerifyReport:
        return self.archiving.verify()

    def now(self) -> datetime:
        return self.clock()

    def holds_lease(self) -> bool:
        """Still the one watcher allowed to act on this workspace (always, on SQLite: the
        lock file holds it)."""
        return self.db.lease_held()

    def close(self) -> None:
        self.reports.close()
        self.history.close()
        self.db.close()
        if self._on_close is not None:
            self._on_close()
