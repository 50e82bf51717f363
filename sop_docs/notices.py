"""Recording the messages: each event's in its own transaction, the timed ones at every tick.

`Notices.within` is a `Recorder.within` listener: the messages an event causes (core.notices) are
written to the outbox table in the event's transaction, so they live or die with it and a crash
never loses one. `tick(now)` (the watch loop every minute and at each full pass, `scan` once)
records the reminders, lateness, escalation and digest messages now due (core.reminders) and the
administrator's messages about the service's own trouble, in one small transaction; a message
already recorded for the same cause is not recorded again, whoever it went to. Sending is not
done here: the sender reads the outbox table. With no [[people]] and no [notify] admin there is
nobody to tell, and nothing here reads the database.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import CaseRow, Database, Row
from sop_docs.adapters.outbox import Message, Outbox
from sop_docs.core import notices as core
from sop_docs.core import reminders
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.notify_settings import NotifySettings
from sop_docs.core.people import People
from sop_docs.core.sop import Sop
from sop_docs.record import Change

log = logging.getLogger("sop_docs")

REGISTER_STUCK = timedelta(hours=1)     # a register unwritable this long is the admin's business
SHARE_STUCK = timedelta(minutes=10)     # the share out of reach this long: more than a blip
_ZONES = {7: "WIB", 8: "WITA", 9: "WIT"}


def zone_name(tz: ZoneInfo | None, at: datetime) -> str:
    """'WIB' for Asia/Pontianak (what Indonesian staff read after a time), '' when unknown."""
    offset = tz.utcoffset(at) if tz is not None else None
    return _ZONES.get(int(offset.total_seconds() // 3600), "") if offset is not None else ""


def case_view(c: CaseRow, came: core.Act | None = None) -> core.CaseView:
    return core.CaseView(c.id, c.perihal, c.kind, c.step, c.step_token,
                         datetime.fromisoformat(c.step_entered_at),
                         datetime.fromisoformat(c.opened_at), c.status, c.letter_number, came)


def act_of(row: Row) -> core.Act:
    return core.Act(row["kind"], datetime.fromisoformat(row["at"]), row["id"], row["role"],
                    row["step_from"], row["step_to"], row["decision"], row["catatan"],
                    row["person"], row["person_title"] or "", row["source"], row["message"])


def message(n: core.Notice) -> Message:
    return Message(n.key, n.kind, n.address, n.subject, n.body, n.case_id, n.role, n.person,
                   n.attach_sha, n.attach_name)


class Notices:
    def __init__(self, sop: Sop, people: People, notify: NotifySettings, calendar: WorkCalendar,
                 db: Database, blobs: BlobStore, clock: Callable[[], datetime], *,
                 zone: str = "", registers: Callable[[], Mapping[str, str]] | None = None,
                 trouble: Callable[[], Mapping[str, str]] | None = None,
                 office_missing: bool = False) -> None:
        self.sop, self.people, self.notify, self.calendar = sop, people, notify, calendar
        self.db, self.blobs, self.clock, self.zone = db, blobs, clock, zone
        self.outbox = Outbox(db)
        self._registers = registers or dict
        self._trouble = trouble or dict          # register path -> why it cannot be written
        self._trouble_since: dict[str, datetime] = {}
        self.share_trouble: str | None = None      # why the workspace cannot be watched, if so
        self.share_since: datetime | None = None
        self.office_missing = office_missing
        self._office: core.Office | None = None

    @property
    def active(self) -> bool:
        """Somebody can be told something."""
        return bool(self.notify.admin) or any(p.alamat for p in self.people.persons)

    def office(self) -> core.Office:
        if self._office is None:
            self._office = core.Office(self.sop, self.people, self.notify, self.calendar,
                                       self.zone, dict(self._registers()))
        return self._office

    # -- within the event's transaction ----------------------------------------------------
    def within(self, ev: int, change: Change) -> None:
        """Record the messages `change` causes (inside its transaction). A fault of ours is
        logged and the event goes on: a message is never worth a stopped chain."""
        if not self.active or change.kind not in ("quarantined", core.CHANGED, *core.MOVES):
            return
        try:
            self._record(self._for(ev, change), change.at, ev)
        except Exception:
            log.exception("%s: the messages of event %s could not be composed",
                          change.case_id or "-", ev)

    def _for(self, ev: int, change: Change) -> list[core.Notice]:
        act = core.Act(change.kind, change.at, ev, change.role, change.step_from, change.step_to,
                       change.decision, change.catatan, change.person, change.person_title,
                       change.source, change.message, change.detail or {})
        if change.kind == "quarantined" or change.case_id is None:
            return core.for_event(self.office(), act, None)
        case = self.db.case(change.case_id)
        if case is None:
            return []
        history = [act_of(r) for r in self.db.events(case.id) if r["id"] < ev]
        return core.for_event(self.office(), act, case_view(case), self._placed(case.id), history)

    def _placed(self, case_id: str) -> list[core.Placed]:
        out = []
        for p in self.db.placements(case_id):
            try:
                size = self.blobs.path(p["sha256"]).stat().st_size
            except OSError:
                size = 0
            out.append(core.Placed(p["kind"], p["path"], p["sha256"], p["path"].rsplit("/", 1)[-1],
                                   size, p["role"]))
        return out

    def _record(self, notices: Iterable[core.Notice], at: datetime, ev: int | None) -> int:
        n = 0
        for notice in notices:
            n += self.outbox.add(message(notice), at.isoformat(), ev)
        return n

    # -- the journal's and the registers' trouble --------------------------------------------
    def op_stuck(self, op: Row, error: str) -> None:
        """An operation failed again and again (inside the journal's transaction)."""
        if not self.notify.admin:
            return
        now = self.clock()
        body = "\n".join([f"Operasi  : {op['op']} {op['path']}",
                          f"Kasus    : {op['case_id'] or '-'}",
                          f"Kesalahan: {error}",
                          f"Sejak    : {core.when(self.office(), now)}", "",
                          "Sistem mencoba lagi otomatis dengan jeda yang makin panjang; periksa "
                          "izin folder, ruang disk dan log layanan."])
        self._record(core.to_admin(self.office(), f"admin:operasi:{op['id']}",
                                   f"Operasi berkas gagal berulang: {op['path']}", body), now,
                     op["event_id"])

    # -- the timed messages ---------------------------------------------------------------------
    def tick(self, now: datetime | None = None) -> int:
        """Record every timed message now due (and the service's trouble): how many rows."""
        if not self.active:
            return 0
        now = now or self.clock()
        o = self.office()
        came = self._handed_on()
        cases = [case_view(c, came.get(c.id)) for c in self.db.open_cases()]
        due = [*reminders.due(o, cases, now), *reminders.digests(o, cases, now),
               *self._health(now)]
        if not due:
            return 0
        recorded = 0
        with self.db.tx():
            fresh: dict[str, bool] = {}
            for n in due:
                if n.base not in fresh:            # a cause told once, whoever holds it now
                    fresh[n.base] = not self._recorded(n.base)
                if fresh[n.base]:
                    recorded += self.outbox.add(message(n), now.isoformat(), None)
        if recorded:
            log.info("%d timed message(s) recorded", recorded)
        return recorded

    def share(self, why: str | None, now: datetime) -> None:
        """The workspace out of reach since `now` (why), or back in reach (None)."""
        if why is None:
            self.share_trouble = self.share_since = None
        else:
            if self.share_trouble is None:
                self.share_since = now
            self.share_trouble = why

    def _handed_on(self) -> dict[str, core.Act]:
        """Each open case's last event that handed it on (who sent it to its holder)."""
        kinds = ",".join(f"'{k}'" for k in core.MOVES)
        rows = self.db.conn.execute(
            f"SELECT e.* FROM events e JOIN (SELECT MAX(v.id) AS id FROM events v JOIN cases c "
            f"ON c.id = v.case_id WHERE c.status = 'open' AND v.kind IN ({kinds}) "
            "GROUP BY v.case_id) m ON m.id = e.id")
        return {r["case_id"]: act_of(r) for r in rows}

    def _recorded(self, base: str) -> bool:
        return self.db.conn.execute(
            "SELECT 1 FROM notifications WHERE key >= ? AND key < ? LIMIT 1",
            (base + "|", base + "}")).fetchone() is not None

    def _health(self, now: datetime) -> list[core.Notice]:
        """The administrator's messages about the service's own trouble, each once per episode."""
        if not self.notify.admin:
            return []
        o, out = self.office(), []
        if self.office_missing:
            out += core.to_admin(o, f"admin:libreoffice:{now.date().isoformat()}",
                                 "LibreOffice tidak ditemukan di server", (
                "Layanan berjalan tanpa LibreOffice (soffice): PDF pengumuman, berkas arsip PDF/A "
                "dan konversi .doc/.odt/.rtf tidak dapat dibuat. Pasang LibreOffice (bash "
                "tools/setup.sh) lalu jalankan ulang layanan."))
        trouble = dict(self._trouble())
        since = self.share_since
        if self.share_trouble is not None and since is not None and now - since >= SHARE_STUCK:
            out += core.to_admin(o, f"admin:share:{since.isoformat()}",
                                 "Folder bersama tidak dapat dijangkau", (
                f"Layanan tidak dapat mengawasi folder kerja sejak {core.when(o, since)}: "
                f"{self.share_trouble}.\nBerkas yang disimpan staf tidak diproses sampai "
                "folder itu dapat dijangkau lagi (periksa server berkas, jaringan dan "
                "mount-nya); layanan mencobanya terus."))
        for key in list(self._trouble_since):
            if key not in trouble:
                del self._trouble_since[key]
        for key, why in trouble.items():
            since = self._trouble_since.setdefault(key, now)
            if now - since >= REGISTER_STUCK:
                name = key
                out += core.to_admin(o, f"admin:register:{key}:{since.isoformat()}",
                                     f"Register tidak dapat diperbarui: {name}", (
                    f"Register {name} tidak dapat ditulis sejak {core.when(o, since)}: {why}.\n"
                    "Staf tidak melihat kasus baru dan keputusan yang dijalankan sampai register "
                    "dapat ditulis lagi (tutup register yang dibiarkan terbuka, periksa izin "
                    "folder dan ruang disk)."))
        return out
