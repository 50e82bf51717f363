"""Delivery of the notification outbox: each recorded message sent, retried with back-off, marked once.

A message is recorded in the transaction of the event that causes it (`adapters.outbox`); this
module sends it afterwards, in a process and on a database connection of its own (`courier`), so a
mail server that is slow or down never holds up the chain: the watcher never waits for a send.

A row goes `pending` -> `sending` (committed before the message leaves) -> `sent`. A failed send
puts it back to `pending`, due again after `retry_seconds`, then twice as long each time (at most
an hour); after `retries` further failures it is `failed`: the log says to whom and what, and so
does the case's Pesan Sistem in the register. A row found `sending` at start was interrupted by a
crash: whether the server got it is unknown, so it is sent again with the same key (at-least-once).
An e-mail carries that key in its header `X-SOP-Docs-Kunci`, so the rare copy is recognisable as
the same message; nothing else ever sends a row twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.channels import KEY_HEADER, Channels, can_send, redact
from sop_docs.adapters.db import Database, Row
from sop_docs.adapters.outbox import Outbox
from sop_docs.core.notify_settings import NotifySettings
from sop_docs.courier import Courier
from sop_docs.errors import NotSent, plainly

if TYPE_CHECKING:
    from sop_docs.service import Service

log = logging.getLogger("sop_docs")

MAX_DELAY = 3600.0       # the longest wait between two tries of one message
SCAN_LIMIT = 20.0        # `sop-docs scan` sends for at most this long (then the rest waits)


def backoff(notify: NotifySettings, attempts: int) -> float:
    """Seconds until the next try after `attempts` failed ones (1, 2, …)."""
    return min(notify.retry_seconds * 2 ** (attempts - 1), MAX_DELAY)


class Delivery:
    """Sends the due messages of one outbox, one at a time (one sender per workspace)."""

    def __init__(self, db: Database, blobs: BlobStore, notify: NotifySettings, channels: Channels,
                 clock: Callable[[], datetime], *, now: Callable[[], float] = time.time,
                 on_failed: Callable[[str | None], None] | None = None) -> None:
        self.db, self.blobs, self.notify, self.channels = db, blobs, notify, channels
        self.outbox = Outbox(db)
        self.clock, self.now, self.on_failed = clock, now, on_failed
        self.resumed: list[str] = []         # keys sent again after an interrupted send
        # sent, but the database was too busy to say so: marked at the next pass, never re-sent
        self.unmarked: dict[int, str] = {}
        self.unsettled = False               # a failed send whose retry could not be recorded

    def resume(self) -> int:
        """Rows a dead process left `sending` are due again, with their key; how many."""
        rows = self.outbox.resume_interrupted()
        if rows:
            self.resumed += [r["key"] for r in rows]
            log.warning("%d notification(s) were being sent when the service stopped; sent again "
                        "with the same key (e-mail header %s), so a copy the server already had "
                        "is recognisable", len(rows), KEY_HEADER)
        return len(rows)

    def send_due(self, *, until: float | None = None, stop: threading.Event | None = None) -> int:
        """Send every message due now (until the monotonic instant `until`, or `stop`); how many
        were sent."""
        sent, tried = 0, set[int]()
        self._settle()
        while True:      # each row once a call, even one due again at once (retry_seconds = 0)
            rows = [r for r in self.outbox.due(self.now()) if r["id"] not in tried]
            if not rows:
                return sent
            for row in rows:
                tried.add(row["id"])
                if (stop is not None and stop.is_set()) or \
                        (until is not None and time.monotonic() >= until):
                    return sent
                sent += self.deliver(row)

    def deliver(self, row: Row) -> bool:
        """One message: claimed, sent, marked; a failure is recorded for a later try."""
        if not self.outbox.claim(row["id"]):
            return False
        try:
            self.channels.send(row["address"], row["subject"], row["body"], key=row["key"],
                               attachment=self._attachment(row))
        except NotSent as e:
            self._retry(row, str(e))
            return False
        except Exception as e:                    # a bug of a channel: the row is not lost
            self._retry(row, f"{redact(row['address'])}: {type(e).__name__}")
            return False
        at = self.clock().isoformat()
        try:
            self.outbox.sent(row["id"], at)
        except Exception as e:                    # the database busy past its timeout, say
            self.unmarked[row["id"]] = at
            log.error("notification %s was sent but cannot be marked yet (%s); marked at the "
                      "next pass, not sent again", row["key"], plainly(e))
        log.info("notification sent to %s <%s>: %s", row["person"] or "-", redact(row["address"]),
                 row["subject"])
        return True

    def _settle(self) -> None:
        """Finish what the database refused earlier: mark the sends known to have gone out; then
        a row still `sending` is a failed send whose retry was not recorded: due again."""
        for row_id, at in list(self.unmarked.items()):
            self.outbox.sent(row_id, at)
            del self.unmarked[row_id]
        if self.unsettled:
            self.outbox.resume_interrupted()
            self.unsettled = False

    def _attachment(self, row: Row) -> tuple[str, bytes] | None:
        sha = row["attach_sha"]
        if not sha:
            return None
        try:
            if self.blobs.path(sha).stat().st_size > self.notify.attach_max_bytes:
                return None
            return (row["attach_name"] or "lampiran", self.blobs.read(sha))
        except OSError as e:
            log.warning("attachment %s of notification %s cannot be read (%s); sent without it",
                        row["attach_name"], row["key"], plainly(e))
            return None

    def _retry(self, row: Row, error: str) -> None:
        """A failed send, recorded for a later try; a database too busy to record it leaves the
        row `sending`, put back to pending at the next pass (it was not sent)."""
        try:
            self._failed(row, error)
        except Exception as e:
            self.unsettled = True
            log.error("notification %s was not sent (%s), and that cannot be recorded yet (%s); "
                      "tried again at the next pass", row["key"], error, plainly(e))

    def _failed(self, row: Row, error: str) -> None:
        attempts = row["attempts"] + 1
        who = f"{row['person'] or '-'} <{redact(row['address'])}>"
        if attempts <= self.notify.retries:
            delay = backoff(self.notify, attempts)
            self.outbox.retry_later(row["id"], attempts, self.now() + delay, error)
            log.warning("notification to %s not sent (attempt %d of %d: %s); tried again in %.0f s",
                        who, attempts, self.notify.retries + 1, error, delay)
            return
        log.error("notification to %s about \"%s\" FAILED after %d attempts (%s); given up: "
                  "check the address and the mail server", who, row["subject"], attempts, error)
        with self.db.tx():
            self.outbox.give_up(row["id"], attempts, error)
            if row["case_id"]:
                self._tell_case(row, attempts)
        if self.on_failed is not None:
            self.on_failed(row["case_id"])

    def _tell_case(self, row: Row, attempts: int) -> None:
        """The case's Pesan Sistem (cases.message) says which message to whom was not sent."""
        case = self.db.case(row["case_id"])
        if case is None:
            return
        to = row["person"] or redact(row["address"])
        text = (f"Pemberitahuan \"{row['subject']}\" kepada {to} ({redact(row['address'])}) "
                f"tidak terkirim setelah {attempts} kali percobaan; beri tahu administrator.")
        if text not in case.message:
            self.db.update_case(case.id, message=f"{case.message} {text}".strip())


def addresses(service: Service) -> list[str]:
    """Every address the office's settings name (people and the administrator)."""
    out = [a for p in service.people.persons for a in p.alamat]
    return out + list(service.notify.admin)


def channels_of(service: Service) -> Channels:
    return channels_for(service.notify, service.root)


def channels_for(notify: NotifySettings, root: Path) -> Channels:
    return Channels(notify, root)


def start(service: Any, *, on_failed: Callable[[str | None], None] | None = None) -> Courier | None:
    """The sender process for a running service (None when nothing could ever be sent: no mail
    server and no URL address), woken by every recorded event."""
    notify = getattr(service, "notify", None)
    if notify is None or not can_send(notify, addresses(service)):
        return None
    courier = Courier(service.root, on_failed=on_failed, timeout=notify.timeout_seconds).start()
    service.recorder.after.append(courier.wake)
    return courier


def stop(service: Any, courier: Courier | None) -> None:
    if courier is None:
        return
    if courier.wake in service.recorder.after:
        service.recorder.after.remove(courier.wake)
    courier.stop()


def send_once(service: Service, limit: float = SCAN_LIMIT) -> int:
    """`sop-docs scan`: what is due, sent for at most about `limit` seconds; how many."""
    if not can_send(service.notify, addresses(service)):
        return 0
    delivery = Delivery(service.db, service.blobs, service.notify, channels_of(service),
                        service.clock)
    delivery.resume()
    return delivery.send_due(until=time.monotonic() + limit)


TEST_SUBJECT = "Uji pemberitahuan sop-docs"


def send_test(service: Service, targets: list[tuple[str, str]]) -> list[tuple[str, str | None]]:
    """`sop-docs notify --test`: a test message to each (name, address), directly; per address
    its redacted form and the error (None when it was accepted)."""
    channels = channels_of(service)
    stamp = service.clock().strftime("%d/%m/%Y %H:%M")
    out: list[tuple[str, str | None]] = []
    for nama, address in targets:
        body = (f"Yth. {nama},\n\nIni pesan uji dari sop-docs ({stamp}). Bila pesan ini sampai, "
                "pemberitahuan tentang dokumen yang menunggu Anda akan dikirim ke alamat ini.\n\n"
                "Pesan ini tidak perlu dibalas.")
        try:
            channels.send(address, TEST_SUBJECT, body)
            out.append((redact(address), None))
        except NotSent as e:
            out.append((redact(address), str(e)))
    return out
