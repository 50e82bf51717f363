"""The office's lease on PostgreSQL: who may act on a workspace watched from several machines.

The lease is a session advisory lock held on a connection of its own, which a heartbeat thread
keeps busy every `BEAT` seconds. The server drops the lock with the session: at once when the
holder dies, within seconds when its machine or network does (keepalives, `adapters/sql.py`).
A holder that is alive but frozen (stopped, its virtual machine paused) keeps its session
open and would hold the lease for ever; its heartbeat stops, though, so a standby that finds the
holder's session idle for longer than `STALE` ends that session (`pg_terminate_backend`) and takes
the lease. The frozen holder, when it wakes, can record nothing: each of its transactions checks
that the lease is still held by its own lease session (fencing, `Database.tx`).
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from sop_docs.adapters.sql import Conn

log = logging.getLogger("sop_docs")

# PostgreSQL advisory locks are (class, key) pairs: the class is sop-docs', the key is the office's
# lease, its transaction lock or its sender lock; class 0 key 0 guards the list of offices
LOCK_CLASS = 0x50D0C5
BEAT = 2.0        # the holder's heartbeat
STALE = 12.0      # a holder silent this long is taken for frozen (take-over <= STALE + a poll)

# who holds a key, and for how long their session has been idle (the heartbeat makes it short)
_HOLDER = ("SELECT a.pid, a.application_name, a.client_addr, a.state, "
           "EXTRACT(EPOCH FROM (now() - a.state_change)) FROM pg_locks l JOIN pg_stat_activity a "
           "ON a.pid = l.pid WHERE l.locktype='advisory' AND l.granted AND l.classid=?::oid AND "
           "l.objid=?::oid AND l.objsubid=2")


class Lease:
    def __init__(self, engine: Engine, key: int) -> None:
        self.key = key
        self.conn = Conn(engine.connect(), True)
        self.pid = 0
        self.lost = threading.Event()
        self._stop = threading.Event()
        self._beat: threading.Thread | None = None

    def take(self) -> bool:
        got, pid = self.conn.execute("SELECT pg_try_advisory_lock(?, ?), pg_backend_pid()",
                                     (LOCK_CLASS, self.key)).fetchone() or (False, 0)
        if got:
            self.pid = int(pid)
            self._beat = threading.Thread(target=self._heartbeat, name="sop-docs-lease",
                                          daemon=True)
            self._beat.start()
        return bool(got)

    def _heartbeat(self) -> None:
        while not self._stop.wait(BEAT):
            try:
                self.conn.execute("SELECT 1")
            except DBAPIError as e:
                log.error("the lease's connection is lost (%s); stopping to act",
                          str(e.orig).splitlines()[0])
                self.lost.set()
                return

    def close(self) -> None:
        self._stop.set()
        if self._beat is not None:
            self._beat.join(5)
        try:
            self.conn.close()
        except Exception:          # a connection the server already ended
            log.debug("closing the lease's connection", exc_info=True)


def holder(conn: Conn, key: int) -> tuple[int, str, float] | None:
    """The session holding `key`: (pid, who, seconds idle — 0 while it works)."""
    row = conn.execute(_HOLDER, (LOCK_CLASS, key)).fetchone()
    if row is None:
        return None
    idle = float(row[4] or 0) if row[3] == "idle" else 0.0
    return int(row[0]), f"{row[1]} ({row[2] or 'lokal'})", idle


def end_if_frozen(conn: Conn, key: int) -> str | None:
    """End the holder's session when it has been silent past STALE (its heartbeat stopped):
    who it was, or None when the holder is alive (or could not be ended: another role's)."""
    found = holder(conn, key)
    if found is None or found[2] < STALE:
        return None
    pid, who, idle = found
    try:
        ended = bool(conn.execute("SELECT pg_terminate_backend(?)", (pid,)).fetchone()[0])
    except DBAPIError as e:
        log.warning("cadangan: pemegang %s diam %.0f s tetapi sesinya tidak dapat diakhiri (%s) "
                    "/ the holder is silent but its session cannot be ended", who, idle,
                    str(e.orig).splitlines()[0])
        return None
    if ended:
        log.warning("cadangan: pemegang %s diam %.0f s (beku?); sesinya diakhiri dan kantor "
                    "diambil alih / the lease holder was silent for %.0f s (frozen?): its "
                    "session is ended and this watcher takes over", who, idle, idle)
    return who if ended else None
