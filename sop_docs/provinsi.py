"""The province's view: every office of one PostgreSQL database, read at once (the open cases of
`status --semua-kantor`; the year's figures of each office for `laporan --semua-kantor`, rekap.py).

The provincial PPID reads with a role that may only read (docs/service.md, PostgreSQL): nothing
here writes, migrates or takes a lease. Each office is its schema; the list of offices is
`public.sop_docs_kantor`, and a code read from it is checked before it names a schema.
Deadlines are judged by the reader's own SOP and calendar (the offices of one province run the
same SOP under the same public holidays; a case of another SOP shows its step number only).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy.exc import DBAPIError

from sop_docs.adapters.db import CaseRow, Database, DatabaseUnavailable
from sop_docs.adapters.sql import KANTOR, Conn, Target, engine_for
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.figures import YearFigures
from sop_docs.core.sop import Sop
from sop_docs.errors import SopDocsError


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


def _needs_postgresql(target: Target) -> None:
    if not target.postgresql:
        raise DatabaseUnavailable(
            "--semua-kantor membutuhkan PostgreSQL: basis data SQLite hanya memuat satu kantor "
            "(lihat docs/service.md, PostgreSQL). / --semua-kantor needs PostgreSQL: a SQLite "
            "database holds one office.")


@contextmanager
def _public(target: Target) -> Iterator[tuple[Conn, list[str]]]:
    """A connection to the database's public schema and the offices it lists (each code checked
    before it may name a schema), in order of their codes."""
    _needs_postgresql(target)
    engine = engine_for(target, schema="public")
    try:
        conn = Conn(engine.connect(), True)
    except DBAPIError as e:
        engine.dispose()
        raise DatabaseUnavailable(f"the database {target.shown} cannot be opened: {e.orig}") from e
    try:
        try:
            codes = [r[0] for r in conn.execute("SELECT kode FROM public.sop_docs_kantor "
                                                "ORDER BY kode")]
        except DBAPIError as e:
            raise DatabaseUnavailable(f"{target.shown} lists no offices ({e.orig})") from e
        yield conn, [kode for kode in codes if KANTOR.match(kode)]
    finally:
        conn.close()
        engine.dispose()


def offices(target: Target, sop: Sop, calendar: WorkCalendar,
            now: Callable[[], datetime]) -> list[Office]:
    """Every office of the database with its open cases, oldest first, and how many cases it
    closed this year."""
    with _public(target) as (conn, codes):
        at = now()
        return [_office(conn, kode, sop, calendar, at) for kode in codes]


def office_codes(target: Target) -> list[str]:
    with _public(target) as (_conn, codes):
        return codes


@dataclass(frozen=True)
class OfficeYear:
    kode: str
    figures: YearFigures | None     # None: the office could not be read (`error` says why)
    error: str = ""


def years(target: Target, sop: Sop, calendar: WorkCalendar, year: int) -> list[OfficeYear]:
    """Every office's figures of `year`, as its annual report counts them (`laporan.year_figures`),
    each office opened as itself without migrating; one that cannot be read says why."""
    from sop_docs.laporan import year_figures  # the report and its modules: for a recap only

    out = []
    for kode in office_codes(target):
        try:
            db = Database(Target(url=target.url, kantor=kode), migrate=False)
        except SopDocsError as e:
            out.append(OfficeYear(kode, None, str(e).split(" / ")[0]))
            continue
        try:
            out.append(OfficeYear(kode, year_figures(db, sop, calendar, year)))
        except DBAPIError as e:
            out.append(OfficeYear(kode, None, str(e.orig).splitlines()[0]))
        except (TypeError, ValueError, KeyError) as e:        # rows it cannot read
            out.append(OfficeYear(kode, None, f"baris tidak terbaca / unreadable row: {e}"))
        finally:
            db.close()
    return out


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
