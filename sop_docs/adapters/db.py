"""The office's database: SQLite (the default) or the office's schema in PostgreSQL.

The database is the source of truth; folders and the register are projections of it. Every change is
written here, with the file operations it implies (`ops`), in one transaction before any file is
touched, so a crash at any instant is finished by replaying the unfinished operations. This module
is the connection, the transactions, the migrations (named, applied in order: `schema.py`) and, on
PostgreSQL, the office's lease (`lease.py`); what the records hold and the queries are `records.py`.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import NoReturn

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from sop_docs.adapters.lease import LOCK_CLASS, Lease, end_if_frozen, holder
from sop_docs.adapters.records import CaseRow, Records, Row
from sop_docs.adapters.schema import MIGRATIONS, render
from sop_docs.adapters.sql import Conn, Target, engine_for
from sop_docs.errors import SopDocsError, StorageFull

__all__ = ["BACKUP_PREFIX", "CaseRow", "Database", "DatabaseBroken", "DatabaseUnavailable",
           "LeaseLost", "Row", "lock_keys"]


class DatabaseBroken(Exception):
    """The file is not a usable SQLite database (garbage, truncated, or from something else)."""


class DatabaseUnavailable(SopDocsError):
    """The database file cannot be opened now (permissions, an I/O error): nothing is wrong with
    what it holds."""

    exit_code = 6


def _free_bytes(folder: Path) -> int:
    try:
        st = os.statvfs(folder)
    except (OSError, AttributeError):
        return 1 << 40
    return st.f_bavail * st.f_frsize


BACKUP_PREFIX = "sop_docs-"

# the lease held by the lease session `pid` (adapters/lease.py)
_HELD = ("SELECT EXISTS (SELECT 1 FROM pg_locks WHERE locktype='advisory' AND granted AND "
         "pid=? AND classid=?::oid AND objid=?::oid AND objsubid=2)")
_TX_LOCK = "SELECT pg_advisory_xact_lock(?, ?)"
_TX_FENCED = f"SELECT pg_advisory_xact_lock(?, ?), ({_HELD})"
OFFICES_TABLE = ("CREATE TABLE IF NOT EXISTS public.sop_docs_kantor (kode TEXT PRIMARY KEY, "
                 "skema TEXT NOT NULL, ditambah TEXT NOT NULL)")


WATCHER, TRANSACTIONS, SENDER = 0, 1, 2


def lock_keys(schema: str) -> tuple[int, int, int]:
    """The office's (lease, transaction, sender) lock keys: stable across machines and versions."""
    h = hashlib.sha256(schema.encode()).digest()
    return tuple(int.from_bytes(h[i:i + 4], "big") & 0x7FFFFFFF  # type: ignore[return-value]
                 for i in (0, 4, 8))


def _now() -> str:
    return datetime.now().isoformat(timespec="seconds")


class LeaseLost(SopDocsError):
    """The right to act on this workspace is gone (another watcher may hold it now): stop."""

    exit_code = 7


class Database(Records):
    """One office's records: a SQLite file, or the office's schema in PostgreSQL (`sql.Target`).

    On PostgreSQL every transaction first takes the office's transaction lock, so writers follow
    one another as they do on SQLite (`BEGIN IMMEDIATE`); the active watcher's Database also holds
    the office's lease (`take_lease`), and each of its transactions checks it is still held
    (fencing): a watcher that lost it can change nothing.
    """

    def __init__(self, where: Path | Target, backup_folder: Path | None = None, *,
                 migrate: bool = True) -> None:
        self.target = where if isinstance(where, Target) else Target(url="", path=where)
        self.backup_folder = backup_folder
        self.path: Path | None = self.target.path
        self.postgresql = self.target.postgresql
        self.lease: Lease | None = None   # PostgreSQL: held by the active watcher's Database
        self.lost = False        # the lease was found gone: nothing is recorded any more
        if self.path is not None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self.engine = engine_for(self.target)
            self.conn = Conn(self.engine.connect(), self.postgresql)
        except OperationalError as e:
            self._unavailable(e)
        try:
            if self.postgresql:
                self._keys = lock_keys(self.target.schema)
            else:
                for pragma in ("journal_mode=WAL", "synchronous=FULL", "foreign_keys=ON"):
                    self.conn.run(f"PRAGMA {pragma}")
                if self.conn.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                    raise DatabaseBroken("SQLite's quick_check found damage")
            if migrate:
                self.migrate()
        except DatabaseBroken:
            self.conn.close()
            raise
        except OperationalError as e:   # the disk's or the network's trouble, not the file's
            self.conn.close()
            self._unavailable(e)
        except DatabaseError as e:
            self.conn.close()
            self._if_denied(e)          # a role without the right is not a damaged database
            raise DatabaseBroken(str(e.orig)) from e
        self.inode = os.stat(self.path).st_ino if self.path else 0   # to notice a replaced file

    def _unavailable(self, e: OperationalError) -> NoReturn:
        if self.path is not None and ("full" in str(e).lower()
                                      or _free_bytes(self.path.parent) < 1 << 20):
            raise StorageFull(f"disk penuh / disk full: the database {self.path} cannot be "
                              f"opened for writing ({e.orig}); free space and start again") from e
        raise DatabaseUnavailable(f"the database {self.target.shown} cannot be opened: "
                                  f"{e.orig}") from e

    def _if_denied(self, e: DBAPIError) -> None:
        """PostgreSQL refused the role a right (SQLSTATE 42501): say so, without a traceback."""
        if getattr(e.orig, "sqlstate", None) == "42501":
            role = make_url(self.target.url).username or "?"
            raise DatabaseUnavailable(
                f"peran basis data {role} tidak punya izin menulis di {self.target.shown} "
                f"({str(e.orig).splitlines()[0]}); peran baca-saja (mis. ppid_provinsi) hanya "
                "untuk `sop-docs status` dan `laporan` dengan --semua-kantor. / The database role "
                "has no right to write there: a read-only role serves `status --semua-kantor` "
                "and `laporan --semua-kantor` only; the service needs the role that owns the "
                "office's schema (docs/service.md, PostgreSQL).") \
                from e

    @property
    def leased(self) -> bool:
        """This Database took the office's lease (PostgreSQL; on SQLite the lock file is it)."""
        return self.lease is not None

    def reopen(self) -> Database:
        """Another connection to the same records (for a thread or a process of its own)."""
        return Database(self.target, migrate=False)

    @property
    def shown(self) -> str:
        return self.target.shown

    # -- PostgreSQL: offices, the lease ----------------------------------------------------------
    def _create_office(self) -> None:
        """The office's schema and its line in the province's list (once, under a lock)."""
        c = self.conn
        c.run("BEGIN")
        try:
            c.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_CLASS, 0))
            c.run(f'CREATE SCHEMA IF NOT EXISTS "{self.target.schema}"')
            c.run(OFFICES_TABLE)
            c.execute("INSERT INTO public.sop_docs_kantor (kode, skema, ditambah) VALUES (?,?,?) "
                      "ON CONFLICT (kode) DO NOTHING",
                      (self.target.kantor, self.target.schema, _now()))
            c.run("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.run("ROLLBACK")
            raise

    def office_exists(self) -> bool:
        """PostgreSQL: the office's schema holds records (a SQLite file: it exists)."""
        if not self.postgresql:
            return self.path is not None and self.path.exists()
        return self.conn.execute(
            "SELECT 1 FROM information_schema.tables WHERE table_schema=? AND "
            "table_name='migrations'", (self.target.schema,)).fetchone() is not None

    def take_lease(self, which: int = WATCHER) -> bool:
        """The right to act on the office's workspace (PostgreSQL: a session lock held on a
        connection of its own, `adapters/lease.py`; a holder found frozen is ended first). False
        when another holds it.
        `SENDER`: the right to send the office's notifications (not checked by tx())."""
        if not self.postgresql:
            return True
        if which != WATCHER:
            return bool(self.conn.execute("SELECT pg_try_advisory_lock(?, ?)",
                                          (LOCK_CLASS, self._keys[which])).fetchone()[0])
        lease = Lease(self.engine, self._keys[WATCHER])
        got = lease.take() or (end_if_frozen(self.conn, self._keys[WATCHER]) is not None
                               and self._after_ending(lease))
        if got:
            self.lease = lease
        else:
            lease.close()
        return got

    @staticmethod
    def _after_ending(lease: Lease) -> bool:
        """The frozen holder's session was ended: its lock goes with it a moment later."""
        for _ in range(20):
            if lease.take():
                return True
            time.sleep(0.1)
        return False

    def lease_held(self) -> bool:
        """This connection still holds the lease (a lost connection or server: it does not)."""
        if not self.postgresql:
            return True
        if self.lost or self.lease is None or self.lease.lost.is_set():
            self.lost = self.leased
            return False
        try:
            held = bool(self.conn.execute(_HELD, (self.lease.pid, LOCK_CLASS,
                                                  self._keys[WATCHER])).fetchone()[0])
        except DBAPIError:
            held = False
        self.lost = not held
        return held

    def holder(self) -> str:
        """Who holds the office's lease now (its application name and address), for the log."""
        found = holder(self.conn, self._keys[WATCHER])
        return found[1] if found else "?"

    # -- schema ----------------------------------------------------------------------------------
    def pending_migrations(self) -> list[str]:
        c = self.conn
        if not self.office_exists() and self.postgresql:
            return [name for name, _ in MIGRATIONS]
        try:
            done = {r[0] for r in c.execute("SELECT name FROM migrations")}
        except DatabaseError:
            if self.postgresql:
                raise
            return [name for name, _ in MIGRATIONS]
        return [name for name, _ in MIGRATIONS if name not in done]

    def migrate(self) -> None:
        """Bring the layout up to this version (PostgreSQL: the office's schema made first). On
        PostgreSQL the watcher does it once it holds the lease, so a standby of a newer version
        never changes the layout under the active one."""
        try:
            if self.postgresql:
                self._create_office()
            self._migrate()
        except DatabaseError as e:
            self._if_denied(e)          # a read-only role: said plainly, not a traceback
            raise

    def _migrate(self) -> None:
        c = self.conn
        if self.postgresql:      # one process migrates an office at a time
            c.run("BEGIN")
            c.execute(_TX_LOCK, (LOCK_CLASS, self._keys[TRANSACTIONS]))
        try:
            c.run("CREATE TABLE IF NOT EXISTS migrations (name TEXT PRIMARY KEY, at TEXT NOT NULL)")
            done = {r[0] for r in c.execute("SELECT name FROM migrations")}
            pending = [name for name, _ in MIGRATIONS if name not in done]
            if done and pending and self.backup_folder is not None and not self.postgresql:
                stamp = datetime.now().strftime("%Y%m%d-%H%M%S")   # a copy before the change
                self.copy_to(self.backup_folder / f"{BACKUP_PREFIX}{stamp}-sebelum-{pending[0]}.db")
            for name, sql in MIGRATIONS:
                if name in done:
                    continue
                if not self.postgresql:
                    c.run("BEGIN IMMEDIATE")
                for stmt in render(sql, postgresql=self.postgresql).split(";"):
                    if stmt.strip():
                        c.run(stmt)
                c.execute("INSERT INTO migrations VALUES (?, ?)", (name, _now()))
                if not self.postgresql:
                    c.run("COMMIT")
            if self.postgresql:
                c.run("COMMIT")
        except BaseException:
            if c.in_transaction:
                c.run("ROLLBACK")
            raise

    @contextmanager
    def tx(self) -> Iterator[Conn]:
        """One atomic unit: all of it is recorded, or none of it. A full disk is `StorageFull`;
        on PostgreSQL a connection that no longer holds its lease is `LeaseLost`."""
        c = self.conn
        try:
            if self.postgresql:
                c.run("BEGIN")
                if self.lease is None:                # a reader's, a thread's: no fence
                    c.execute(_TX_LOCK, (LOCK_CLASS, self._keys[TRANSACTIONS]))
                elif self.lost or not c.execute(_TX_FENCED, (
                        LOCK_CLASS, self._keys[TRANSACTIONS], self.lease.pid, LOCK_CLASS,
                        self._keys[WATCHER])).fetchone()[1]:
                    self.lost = True
                    c.run("ROLLBACK")
                    raise LeaseLost(f"the lease on {self.target.shown} is lost")
            else:
                c.run("BEGIN IMMEDIATE")
            try:
                yield c
            except BaseException:
                if c.in_transaction:
                    c.run("ROLLBACK")
                raise
            c.run("COMMIT")
        except OperationalError as e:
            if "full" in str(e).lower():
                if c.in_transaction:
                    c.run("ROLLBACK")
                raise StorageFull(f"disk penuh / disk full: the database {self.shown} cannot "
                                  f"grow ({e.orig})") from e
            if self.postgresql and (e.connection_invalidated or self.conn.sa.closed
                                    or self.conn.raw.closed):
                self.lost = True
                raise LeaseLost(f"the connection to {self.shown} is lost: {e.orig}") from e
            raise
        except DatabaseError as e:
            self._if_denied(e)
            raise

    def close(self) -> None:
        if self.lease is not None:
            self.lease.close()
        with suppress(Exception):
            self.conn.close()
        self.engine.dispose()

    def copy_to(self, target: Path) -> None:
        """A consistent copy of the database at `target` (SQLite's online backup: the service
        goes on meanwhile), written aside and renamed into place. PostgreSQL is copied by its
        administrator (`pg_dump`, docs/service.md)."""
        if self.postgresql:
            raise DatabaseUnavailable("a PostgreSQL database is copied with pg_dump, not here")
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f".{target.name}.tmp")
        tmp.unlink(missing_ok=True)
        out = sqlite3.connect(tmp)
        try:
            self.conn.raw.backup(out)
        except BaseException:
            out.close()
            tmp.unlink(missing_ok=True)
            raise
        out.close()
        os.replace(tmp, target)
