"""What an office's records hold, and the queries that read and write them (SQLite or PostgreSQL).

Written once in the SQL both engines share, run through `Conn` (`adapters/sql.py`); the connection,
the transactions, the migrations and the lease are `Database`'s (`adapters/db.py`), which is one.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sop_docs.adapters.sql import Conn, in_clause
from sop_docs.core.case import CaseState
from sop_docs.core.rincian import Rincian

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


class Records:
    """The queries; `conn` is the office's connection (`Database`)."""

    conn: Conn

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
