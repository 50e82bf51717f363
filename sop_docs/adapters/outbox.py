"""The notification outbox table: messages recorded with their event, then sent and marked.

A row is one message to one address. Its `key` is the notification's identity (which event or
which deadline, to whom): recording the same one twice (a replayed event, a reminder computed again
after a restart) does nothing, so none is ever sent twice for one cause.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from sop_docs.adapters.db import Database


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
            "INSERT OR IGNORE INTO notifications (key, kind, case_id, event_id, role, person, "
            "address, subject, body, attach_sha, attach_name, created_at) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
            (m.key, m.kind, m.case_id, event_id, m.role, m.person, m.address, m.subject, m.body,
             m.attach_sha, m.attach_name, at))
        return cur.rowcount == 1

    def rows(self, case_id: str | None = None) -> list[sqlite3.Row]:
        if case_id is None:
            return list(self.db.conn.execute("SELECT * FROM notifications ORDER BY id"))
        return list(self.db.conn.execute(
            "SELECT * FROM notifications WHERE case_id=? ORDER BY id", (case_id,)))

    def unsent(self) -> list[sqlite3.Row]:
        """Messages not (yet) delivered: waiting, being sent, or given up on."""
        return list(self.db.conn.execute(
            "SELECT * FROM notifications WHERE status != 'sent' ORDER BY id"))
