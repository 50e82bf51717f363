"""The SQLite database: cases, document versions, where each delivered file is, and the event log.

The database is the source of truth; folders and the register are projections of it. Every change is
written here, with the file operations it implies (`ops`), in one transaction before any file is
touched, so a crash at any instant is finished by replaying the unfinished operations.
Schema changes are named migrations, applied in order; the columns `office` and `sop_id` keep room for
more offices and SOPs.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DatabaseError, DBAPIError, OperationalError

from sop_docs.adapters.lease import LOCK_CLASS, Lease, end_if_frozen, holder
from sop_docs.adapters.schema import MIGRATIONS, render
from sop_docs.adapters.sql import Conn, Target, engine_for, in_clause
from sop_docs.core.case import CaseState
from sop_docs.core.rincian import Rincian
from sop_docs.errors import SopDocsError, StorageFull

# A row as the rest of the package sees it: read by column name, never by SQL position.
Row = Mapping[str, Any]


@dataclass
class CaseRow:
    id: str
    sop_id: str
    year: int
    seq: int
    kind: str
    subject: str
    opened_at: str
    step: int
    step_token: str
    step_entered_at: str
    status: str
    closed_at: str | None
    letter_number: str | None
    proofs: list[str]
    message: str
    catatan: str
    keputusan: str = ""        # a decision held after a fault of the service (tried again)
    rincian: str = "{}"        # core.rincian.Rincian as JSON: what people set in the concept

    @property
    def details(self) -> Rincian:
        return Rincian.from_json(self.rincian)

    @property
    def perihal(self) -> str:
        """What the case is about as people named it: the title set in the concept, else the
        name of the material it was opened from."""
        return self.details.judul or self.subject

    @property
    def state(self) -> CaseState:
        """What the core's state machine needs to know of the case."""
        return CaseState(self.step, self.status != "open", frozenset(self.proofs))


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
_TX = f"SELECT pg_advisory_xact_lock(?, ?), ({_HELD})"
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


class Database:
    """One office's records: a SQLite file, or the office's schema in PostgreSQL (`sql.Target`).

    On PostgreSQL every transaction first takes the office's transaction lock, so writers follow
    one another as they do on SQLite (`BEGIN IMMEDIATE`); the connection of the active watcher
    also holds the office's lease (`take_lease`), and each of its transactions checks it is still
    held (fencing): a watcher that lost it can change nothing.
    """

    def __init__(self, where: Path | Target, backup_folder: Path | None = None, *,
                 migrate: bool = True) -> None:
        self.target = where if isinstance(where, Target) else Target(url="", path=where)
        self.backup_folder = backup_folder
        self.path: Path | None = self.target.path
        self.postgresql = self.target.postgresql
        self.leased = False
        self.lease: Lease | None = None
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
        """The right to act on the office's workspace (PostgreSQL: a session lock held by this
        connection; the server drops it with the connection). False when another holds it.
        `SENDER`: the right to send the office's notifications (not checked by tx())."""
        if not self.postgresql:
            self.leased = which == WATCHER
            return True
        if which != WATCHER:
            return bool(self.conn.execute("SELECT pg_try_advisory_lock(?, ?)",
                                          (LOCK_CLASS, self._keys[which])).fetchone()[0])
        lease = Lease(self.engine, self._keys[WATCHER])
        got = lease.take() or (end_if_frozen(self.conn, self._keys[WATCHER]) is not None
                               and self._after_ending(lease))
        if got:
            self.lease, self.leased = lease, True
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
                                                  self._keys[0])).fetchone()[0])
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
            c.execute("SELECT pg_advisory_xact_lock(?, ?)", (LOCK_CLASS, self._keys[1]))
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
                held = c.execute(_TX, (LOCK_CLASS, self._keys[1],
                                       self.lease.pid if self.lease else 0, LOCK_CLASS,
                                       self._keys[0])).fetchone()[1]
                if self.leased and (self.lost or not held):
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

    # -- counters ---------------------------------------------------------------------------
    def peek_number(self, name: str, year: int) -> int:
        """The number next_number will give (to fill documents before the transaction takes it)."""
        row = self.conn.execute("SELECT value FROM counters WHERE name=? AND year=?",
                                (name, year)).fetchone()
        return (row[0] if row else 0) + 1

    def set_counter(self, name: str, year: int, value: int) -> None:
        """Raise a counter to `value` (a restore that saw that number in use)."""
        self.conn.execute("INSERT INTO counters (name, year, value) VALUES (?, ?, ?) "
                          "ON CONFLICT (name, year) DO UPDATE SET value = excluded.value",
                          (name, year, value))

    def next_number(self, name: str, year: int) -> int:
        """The next number of a yearly sequence; call inside tx() so a rollback returns it."""
        return int(self.conn.execute(
            "INSERT INTO counters (name, year, value) VALUES (?, ?, 1) ON CONFLICT (name, year) "
            "DO UPDATE SET value = counters.value + 1 RETURNING value", (name, year)).fetchone()[0])

    # -- cases ------------------------------------------------------------------------------
    @staticmethod
    def _case(r: Row) -> CaseRow:
        d = dict(r)
        d.pop("office", None)
        d["proofs"] = json.loads(d["proofs"])
        return CaseRow(**d)

    def case(self, case_id: str) -> CaseRow | None:
        r = self.conn.execute("SELECT * FROM cases WHERE id=?", (case_id,)).fetchone()
        return self._case(r) if r else None

    def all_cases(self) -> list[CaseRow]:
        return [self._case(r) for r in self.conn.execute("SELECT * FROM cases ORDER BY year, seq")]

    def held_cases(self) -> list[CaseRow]:
        return [self._case(r) for r in self.conn.execute(
            "SELECT * FROM cases WHERE status='open' AND keputusan != ''")]

    def held_decisions(self) -> bool:
        """Some decision waits to be tried again (the registers must be read, not skipped)."""
        return self.conn.execute("SELECT 1 FROM cases WHERE status='open' AND keputusan != '' "
                                 "LIMIT 1").fetchone() is not None

    def closed_cases(self) -> list[CaseRow]:
        rows = self.conn.execute("SELECT * FROM cases WHERE status='closed' ORDER BY year, seq")
        return [self._case(r) for r in rows]

    def closed_in_year(self, year: int) -> list[CaseRow]:
        """The cases closed in `year` (by the day they closed), in the order they closed."""
        rows = self.conn.execute(
            "SELECT * FROM cases WHERE status='closed' AND closed_at >= ? AND closed_at < ? "
            "ORDER BY closed_at, year, seq", (f"{year:04d}-", f"{year + 1:04d}-"))
        return [self._case(r) for r in rows]

    def first_opened(self) -> str | None:
        """When the first case was opened (ISO), None before any: where schedules start."""
        r = self.conn.execute("SELECT MIN(opened_at) FROM cases").fetchone()
        return r[0] if r else None

    def cases_of_year(self, year: int) -> list[Row]:
        return list(self.conn.execute("SELECT * FROM cases WHERE year=? ORDER BY seq", (year,)))

    def open_cases(self) -> list[CaseRow]:
        rows = self.conn.execute("SELECT * FROM cases WHERE status='open' ORDER BY year, seq")
        return [self._case(r) for r in rows]

    def insert_case(self, c: CaseRow) -> None:
        self.conn.execute(
            "INSERT INTO cases (id, sop_id, year, seq, kind, subject, opened_at, step, step_token, "
            "step_entered_at, status, closed_at, letter_number, proofs, message, catatan) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (c.id, c.sop_id, c.year, c.seq, c.kind, c.subject, c.opened_at, c.step, c.step_token,
             c.step_entered_at, c.status, c.closed_at, c.letter_number, json.dumps(c.proofs),
             c.message, c.catatan))

    def update_case(self, case_id: str, **fields: Any) -> None:
        if "proofs" in fields:
            fields["proofs"] = json.dumps(fields["proofs"])
        cols = ", ".join(f"{k}=?" for k in fields)
        self.conn.execute(f"UPDATE cases SET {cols} WHERE id=?", (*fields.values(), case_id))

    # -- documents and placements -----------------------------------------------------------
    def add_document(self, case_id: str, kind: str, sha: str, name: str, origin: str,
                     source: str, step: int | None, at: str, original: str | None = None) -> int:
        """A new version of a document; `original` is the received bytes when `sha` is the
        working copy made of them (stamped with the case link, or converted to docx)."""
        version = self.conn.execute(
            "SELECT COALESCE(MAX(version), 0) + 1 FROM documents WHERE case_id=? AND kind=?",
            (case_id, kind)).fetchone()[0]
        return int(self.conn.execute(
            "INSERT INTO documents (case_id, kind, version, sha256, name, origin, source, step, "
            "created_at, original_sha256) VALUES (?,?,?,?,?,?,?,?,?,?) RETURNING id",
            (case_id, kind, version, sha, name, origin, source, step, at,
             original if original != sha else None)).fetchone()[0])

    def latest_document(self, case_id: str, kind: str) -> Row | None:
        return self.conn.execute("SELECT * FROM documents WHERE case_id=? AND kind=? "
                                 "ORDER BY id DESC LIMIT 1", (case_id, kind)).fetchone()

    def count_documents(self, case_id: str, kind: str) -> int:
        return int(self.conn.execute("SELECT COUNT(*) FROM documents WHERE case_id=? AND kind=?",
                                     (case_id, kind)).fetchone()[0])

    def set_original(self, case_id: str, sha: str, original: str) -> None:
        """The working copy `sha` was made from the received bytes `original`."""
        self.conn.execute("UPDATE documents SET original_sha256=? WHERE case_id=? AND sha256=?",
                          (original, case_id, sha))

    def document_shas(self) -> list[str]:
        """Every recorded file's hash (working copies and originals), each once."""
        return [r[0] for r in self.conn.execute(
            "SELECT sha256 FROM documents UNION SELECT original_sha256 FROM documents "
            "WHERE original_sha256 IS NOT NULL")]

    def documents(self, case_id: str) -> list[Row]:
        return list(self.conn.execute(
            "SELECT * FROM documents WHERE case_id=? ORDER BY id", (case_id,)))

    def placements(self, case_id: str) -> list[Row]:
        return list(self.conn.execute(
            "SELECT p.*, d.kind, d.name FROM placements p JOIN documents d ON d.id = p.doc_id "
            "WHERE p.case_id=? ORDER BY p.doc_id", (case_id,)))

    def placement(self, doc_id: int) -> Row | None:
        return self.conn.execute("SELECT * FROM placements WHERE doc_id=?", (doc_id,)).fetchone()

    def all_placements(self) -> list[Row]:
        return list(self.conn.execute("SELECT * FROM placements"))

    def place(self, doc_id: int, case_id: str, role: str | None, path: str, sha: str) -> None:
        self.conn.execute(
            "INSERT INTO placements (doc_id, case_id, role, path, sha256) VALUES (?,?,?,?,?) "
            "ON CONFLICT (doc_id) DO UPDATE SET case_id=excluded.case_id, role=excluded.role, "
            "path=excluded.path, sha256=excluded.sha256", (doc_id, case_id, role, path, sha))

    def repoint(self, doc_id: int, sha: str) -> None:
        """The placed file now holds `sha` (a person corrected it in place; the bytes are kept)."""
        self.conn.execute("UPDATE placements SET sha256=? WHERE doc_id=?", (sha, doc_id))

    def move_placement(self, old: str, new: str) -> None:
        self.conn.execute("UPDATE placements SET path=? WHERE path=?", (new, old))

    def unplace(self, doc_id: int) -> None:
        self.conn.execute("DELETE FROM placements WHERE doc_id=?", (doc_id,))

    def path_taken(self, path: str) -> bool:
        return self.conn.execute("SELECT 1 FROM placements WHERE path=?", (path,)).fetchone() \
            is not None

    # -- events and operations --------------------------------------------------------------
    def add_event(self, at: str, kind: str, *, case_id: str | None = None,
                  role: str | None = None, step_from: int | None = None,
                  step_to: int | None = None, decision: str | None = None,
                  catatan: str | None = None, source: str | None = None, message: str = "",
                  detail: dict[str, Any] | None = None, person: str | None = None,
                  person_title: str = "") -> int:
        return int(self.conn.execute(
            "INSERT INTO events (at, case_id, kind, role, step_from, step_to, decision, catatan, "
            "source, message, detail, person, person_title) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "RETURNING id",
            (at, case_id, kind, role, step_from, step_to, decision, catatan, source, message,
             json.dumps(detail or {}, ensure_ascii=False), person, person_title)).fetchone()[0])

    def events(self, case_id: str | None = None) -> list[Row]:
        if case_id is None:
            return list(self.conn.execute("SELECT * FROM events ORDER BY id"))
        return list(self.conn.execute("SELECT * FROM events WHERE case_id=? ORDER BY id",
                                      (case_id,)))

    def recent_events(self, case_ids: Sequence[str], since: str) -> list[Row]:
        """The events of these cases, and those about no case since `since` (files answered)."""
        return list(self.conn.execute(
            f"SELECT * FROM events WHERE case_id IN {in_clause(case_ids)} OR (case_id IS NULL AND at >= ?) "
            "ORDER BY id", (*case_ids, since)))

    def events_of_year(self, year: int) -> list[Row]:
        """Every event of the cases opened in `year`."""
        return list(self.conn.execute(
            "SELECT e.* FROM events e JOIN cases c ON c.id = e.case_id WHERE c.year=? "
            "ORDER BY e.id", (year,)))

    def events_of_kind(self, kind: str, since: str) -> list[Row]:
        """Events of one kind since `since`, newest first."""
        return list(self.conn.execute("SELECT * FROM events WHERE kind=? AND at >= ? "
                                      "ORDER BY id DESC", (kind, since)))

    def add_op(self, event_id: int, op: str, path: str, sha: str | None,
               source: str | None = None) -> None:
        self.conn.execute("INSERT INTO ops (event_id, op, sha256, path, source) VALUES (?,?,?,?,?)",
                          (event_id, op, sha, path, source))

    def pending_ops(self, event_id: int | None = None) -> list[Row]:
        """Operations not yet carried out: all of them, or those one event must wait for."""
        q = ("SELECT o.*, e.case_id, e.role FROM ops o LEFT JOIN events e ON e.id = o.event_id "
             "WHERE o.done=0")
        if event_id is None:
            return list(self.conn.execute(q + " ORDER BY o.id"))
        # the event's own, and what earlier events of its case left undone (they go first)
        return list(self.conn.execute(
            q + " AND (o.event_id=? OR e.case_id = (SELECT case_id FROM events WHERE id=?)) "
            "ORDER BY o.id", (event_id, event_id)))

    def op_failed(self, op_id: int, error: str, next_try: float) -> int:
        """Note a failed attempt; how many attempts have failed now."""
        self.conn.execute("UPDATE ops SET attempts = attempts + 1, next_try=?, error=? WHERE id=?",
                          (next_try, error, op_id))
        return int(self.conn.execute("SELECT attempts FROM ops WHERE id=?", (op_id,)).fetchone()[0])

    def pending_remove(self, path: str, sha: str) -> bool:
        """These bytes at `path` were taken in already; only their removal is still pending."""
        return self.conn.execute("SELECT 1 FROM ops WHERE done=0 AND op='remove' AND path=? AND "
                                 "sha256=?", (path, sha)).fetchone() is not None

    def case_of_op(self, op_id: int) -> str | None:
        row = self.conn.execute("SELECT e.case_id FROM ops o JOIN events e ON e.id = o.event_id "
                                "WHERE o.id=?", (op_id,)).fetchone()
        return row[0] if row else None

    def finish_op(self, op_id: int, path: str | None = None) -> None:
        if path is None:
            self.conn.execute("UPDATE ops SET done=1 WHERE id=?", (op_id,))
        else:
            self.conn.execute("UPDATE ops SET done=1, path=? WHERE id=?", (path, op_id))

    # -- intake bookkeeping -----------------------------------------------------------------
    def add_received(self, sha: str, path: str, at: str, case_id: str | None,
                     token: str | None, outcome: str) -> None:
        self.conn.execute(
            "INSERT INTO received (sha256, path, at, case_id, token, outcome) "
            "VALUES (?,?,?,?,?,?)", (sha, path, at, case_id, token, outcome))

    def accepted_before(self, sha: str) -> list[Row]:
        return list(self.conn.execute(
            "SELECT * FROM received WHERE sha256=? AND outcome='accepted' ORDER BY id", (sha,)))

    def decision_seen(self, token: str, value: str) -> bool:
        return self.conn.execute("SELECT 1 FROM decisions_seen WHERE token=? AND value=?",
                                 (token, value)).fetchone() is not None

    def mark_decision(self, token: str, value: str, at: str) -> None:
        self.conn.execute("INSERT INTO decisions_seen (token, value, at) VALUES (?,?,?) "
                          "ON CONFLICT DO NOTHING", (token, value, at))

    def get_meta(self, key: str, default: str = "") -> str:
        r = self.conn.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
        return r[0] if r else default

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (?,?) ON CONFLICT (key) "
                          "DO UPDATE SET value = excluded.value", (key, value))

    # -- the year registers still to write ----------------------------------------------------
    def years_to_write(self) -> dict[int, int]:
        """Year -> how many closings it has had since its register was last written."""
        raw = self.get_meta("years_to_write")
        if not raw or raw[0] != "{":          # before the counts: "2025,2026"
            return {int(y): 1 for y in raw.split(",") if y}
        return {int(k): int(v) for k, v in json.loads(raw).items()}

    def year_to_write(self, year: int) -> None:
        pending = self.years_to_write()
        pending[year] = pending.get(year, 0) + 1
        self.set_meta("years_to_write", json.dumps({str(k): v for k, v in pending.items()}))

    def year_written(self, year: int, generation: int) -> None:
        """The year's register holds everything up to `generation` closings: done, unless a case
        closed meanwhile (then it is written again)."""
        pending = self.years_to_write()
        if pending.get(year) == generation:
            del pending[year]
            self.set_meta("years_to_write", json.dumps({str(k): v for k, v in pending.items()}))

    # -- step times (what the dashboard and the reports count) ---------------------------------
    def cases_with_events_after(self, event_id: int) -> tuple[list[str], int]:
        """The cases that have an event after `event_id`, and the newest event's id."""
        top = int(self.conn.execute("SELECT COALESCE(MAX(id), 0) FROM events").fetchone()[0])
        ids = [r[0] for r in self.conn.execute(
            "SELECT DISTINCT case_id FROM events WHERE id > ? AND id <= ? AND case_id IS NOT NULL",
            (event_id, top))]
        return ids, top

    def set_step_times(self, case_id: str, rows: Sequence[tuple[int, str, str, str, int, bool]]
                       ) -> None:
        """The case's finished steps, in order: (step, role, started, ended, minutes, late)."""
        self.conn.execute("DELETE FROM step_times WHERE case_id=?", (case_id,))
        self.conn.executemany(
            "INSERT INTO step_times (case_id, n, step, role, started_at, ended_at, minutes, late) "
            "VALUES (?,?,?,?,?,?,?,?)",
            [(case_id, n, *r[:5], int(r[5])) for n, r in enumerate(rows)])

    def step_counts(self, since: str, before: str) -> list[tuple[str, int, int, int]]:
        """(month 'YYYY-MM', step, finished, late) of the steps finished in [since, before)."""
        return [(r[0], int(r[1]), int(r[2]), int(r[3])) for r in self.conn.execute(
            "SELECT substr(ended_at, 1, 7), step, COUNT(*), SUM(late) FROM step_times "
            "WHERE ended_at >= ? AND ended_at < ? GROUP BY 1, 2", (since, before))]

