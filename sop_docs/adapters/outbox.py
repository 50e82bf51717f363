"""The notification outbox table: messages recorded with their event, then sent and marked.

A row is one message to one address. Its `key` is the notification's identity (which event or
which deadline, to whom): recording the same one twice (a replayed event, a reminder computed again
after a restart) does nothing, so none is ever sent twice for one cause.
"""

from __future__ import annotations

from dataclasses import dataclass

from sop_docs.adapters.db import Database, Row


@dataclass(frozen=True)
class Message:
    """One message to one address, as recorded."""

    key: str
    kind: str
    address: str
    subject: str
    body: str
    case_id: str | None = None
    role: str | None = None
    person: str = ""                 # the addressee's name, for the log and Pesan Sistem
    attach_sha: str | None = None    # a document from the store, attached when small enough
    attach_name: str | None = None


class Outbox:
    def __init__(self, db: Database) -> None:
        self.db = db

    def add(self, m: Message, at: str, event_id: int | None = None) -> bool:
        """Record `m` (inside the caller's transaction); False when its key is recorded already."""
        cur = self.db.conn.execute(
            "INSERT INTO notifications (key, kind, case_id, event_id, role, person, "
            "address, subject, body, attach_sha, attach_name, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (key) DO NOTHING",
            (m.key, m.kind, m.case_id, event_id, m.role, m.person, m.address, m.subject, m.body,
             m.attach_sha, m.attach_name, at))
        return cur.rowcount == 1

    def rows(self, case_id: str | None = None) -> list[Row]:
        if case_id is None:
            return list(self.db.conn.execute("SELECT * FROM notifications ORDER BY id"))
        return list(self.db.conn.execute(
            "SELECT * FROM notifications WHERE case_id=? ORDER BY id", (case_id,)))

    def unsent(self) -> list[Row]:
        """Messages not (yet) delivered: waiting, being sent, or given up on."""
        return list(self.db.conn.execute(
            "SELECT * FROM notifications WHERE status != 'sent' ORDER BY id"))

    # -- delivery (sop_docs/delivery.py): pending -> sending -> sent | pending again | failed ------
    def due(self, now: float, limit: int = 50) -> list[Row]:
        """Messages waiting whose time has come (`now` in epoch seconds), oldest first."""
        return list(self.db.conn.execute(
            "SELECT * FROM notifications WHERE status='pending' AND next_try <= ? "
            "ORDER BY next_try, id LIMIT ?", (now, limit)))

    def next_due(self) -> float | None:
        """When the earliest waiting message is due (epoch seconds), None when none waits."""
        row = self.db.conn.execute(
            "SELECT MIN(next_try) FROM notifications WHERE status='pending'").fetchone()
        return None if row[0] is None else float(row[0])

    def interrupted(self) -> list[Row]:
        """Messages left `sending` by a process that died mid-send (whether the server got them
        is unknown)."""
        return list(self.db.conn.execute(
            "SELECT * FROM notifications WHERE status='sending' ORDER BY id"))

    def claim(self, row_id: int) -> bool:
        """pending -> sending (committed before the message leaves); False if it was not pending."""
        with self.db.tx():
            cur = self.db.conn.execute(
                "UPDATE notifications SET status='sending' WHERE id=? AND status='pending'",
                (row_id,))
        return cur.rowcount == 1

    def sent(self, row_id: int, at: str) -> None:
        with self.db.tx():
            self.db.conn.execute(
                "UPDATE notifications SET status='sent', sent_at=?, error='' WHERE id=?",
                (at, row_id))

    def retry_later(self, row_id: int, attempts: int, next_try: float, error: str) -> None:
        with self.db.tx():
            self.db.conn.execute(
                "UPDATE notifications SET status='pending', attempts=?, next_try=?, error=? "
                "WHERE id=?", (attempts, next_try, error, row_id))

    def give_up(self, row_id: int, attempts: int, error: str) -> None:
        """`failed` for good (inside the caller's transaction, with what it tells the case)."""
        self.db.conn.execute(
            "UPDATE notifications SET status='failed', attempts=?, error=? WHERE id=?",
            (attempts, error, row_id))

    def resume_interrupted(self) -> list[Row]:
        """Every message left `sending` goes back to pending, due now (sent again with its key:
        at-least-once); the rows as they were."""
        rows = self.interrupted()
        if rows:
            with self.db.tx():
                self.db.conn.execute(
                    "UPDATE notifications SET status='pending', next_try=0 WHERE status='sending'")
        return rows

    def summary(self) -> dict[str, int]:
        """How many messages are in each state."""
        return {r[0]: r[1] for r in self.db.conn.execute(
            "SELECT status, COUNT(*) FROM notifications GROUP BY status")}
