"""The province's view: every office of one PostgreSQL database, read at once.

The provincial PPID reads with a role that may only read (docs/service.md, PostgreSQL): nothing
here writes, migrates or takes a lease. Each office is its schema; the list of offices is
`public.sop_docs_kantor`, and a code read from it is checked before it names a schema.
Deadlines are judged by the reader's own SOP and calendar (the offices of one province run the
same SOP under the same public holidays; a case of another SOP shows its step number only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError

from sop_docs.adapters.db import CaseRow, Database, DatabaseUnavailable
from sop_docs.adapters.sql import KANTOR, Conn, Target, engine_for
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.sop import Sop


@dataclass(frozen=True)
class OpenCase:
    kantor: str
    id: str
    perihal: str
    jenis: str
    tahap: str
    posisi: str
    sejak: datetime
    batas: datetime | None
    terlambat: bool


@dataclass(frozen=True)
class Office:
    kode: str
    open_cases: list[OpenCase]
    closed_this_year: int
    error: str = ""           # a schema that could not be read (not yet migrated, no right)


def offices(target: Target, sop: Sop, calendar: WorkCalendar,
            now: Callable[[], datetime]) -> list[Office]:
    """Every office of the database with its open cases, oldest first, and how many cases it
    closed this year."""
    if not target.postgresql:
        raise DatabaseUnavailable("--semua-kantor needs PostgreSQL: a SQLite database holds "
                                  "one office")
    engine = engine_for(target, schema="public")
    try:
        conn = Conn(engine.connect(), True)
    except DBAPIError as e:
        raise DatabaseUnavailable(f"the database {target.shown} cannot be opened: {e.orig}") from e
    try:
        try:
            codes = [r[0] for r in conn.execute("SELECT kode FROM public.sop_docs_kantor "
                                                "ORDER BY kode")]
        except DBAPIError as e:
            raise DatabaseUnavailable(f"{target.shown} lists no offices ({e.orig})") from e
        at = now()
        return [_office(conn, kode, sop, calendar, at) for kode in codes if KANTOR.match(kode)]
    finally:
        conn.close()
        engine.dispose()


def _office(conn: Conn, kode: str, sop: Sop, calendar: WorkCalendar, now: datetime) -> Office:
    try:
        conn.run(f'SET search_path TO "kantor_{kode}"')
        rows = conn.execute("SELECT * FROM cases WHERE status='open' ORDER BY opened_at, id")
        closed = conn.execute("SELECT COUNT(*) FROM cases WHERE status='closed' AND "
                              "closed_at >= ?", (f"{now.year:04d}-",)).fetchone()[0]
    except DBAPIError as e:
        return Office(kode, [], 0, error=str(e.orig).splitlines()[0])
    try:
        return Office(kode, _open_cases(kode, rows, sop, calendar, now), int(closed))
    except (TypeError, ValueError, KeyError, AttributeError) as e:   # rows it cannot read
        return Office(kode, [], int(closed), error=f"baris tidak terbaca / unreadable row: {e}")


def _open_cases(kode: str, rows: Iterable[Any], sop: Sop, calendar: WorkCalendar,
                now: datetime) -> list[OpenCase]:
    known = {f.name for f in fields(CaseRow)}
    cases = []
    for r in rows:
        # an office on a newer sop-docs may have columns this one does not know: they are left out
        c = Database._case({k: v for k, v in dict(r).items() if k in known or k == "office"})
        since = datetime.fromisoformat(c.step_entered_at)
        if c.sop_id == sop.id and c.step in sop.steps:
            step = sop.step(c.step)
            deadline = clock_for(sop, c.kind, calendar).deadline(since, step.time)
            cases.append(OpenCase(kode, c.id, c.perihal, sop.kind(c.kind).name, step.title,
                                  sop.roles[step.role].name, since, deadline, now > deadline))
        else:
            cases.append(OpenCase(kode, c.id, c.perihal, c.kind, f"tahap {c.step}", "",
                                  since, None, False))
    return cases
