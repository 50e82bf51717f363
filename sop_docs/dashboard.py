"""The SLA dashboard `laporan/index.html`: what is open and late, and how often steps finish on time.

Everything on it is computed from the database (never from the register): the open cases with
the deadline of their step, judged as the register and `status` judge it (`clock_for`); per step,
the share of steps finished within the SOP's standard time this month and this year, and the
share per month, counted from `step_times` (measured as the Lembar Kendali measures a step,
`steptimes.catch_up`). `dashboard_html.render` turns the `Snapshot` into one self-contained page.

    write(db, sop, calendar, path, *, year, now, office="", zone="WIB", holders=None,
          berkala=None) -> Path

is what the service's refresher and `sop-docs laporan` call; it writes the page atomically.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sop_docs import steptimes
from sop_docs.adapters import share
from sop_docs.adapters.blobs import fsync_dir
from sop_docs.adapters.db import Database
from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.sop import Sop

FILE_NAME = "index.html"


@dataclass(frozen=True)
class OpenCase:
    """One open case as the dashboard lists it."""

    case_id: str
    perihal: str
    jenis: str
    step: int
    tahap: str
    posisi: str             # the role's name
    pemegang: str           # who holds the role today ("Plt. Budi Santoso"), "" when not known
    masuk: datetime         # when the case entered its step
    batas: datetime         # the step's deadline
    terlambat: bool


@dataclass(frozen=True)
class StepShare:
    """Steps finished this month and this year, and how many of them late."""

    step: int
    tahap: str
    peran: str
    standar: str
    bulan: int
    bulan_terlambat: int
    tahun: int
    tahun_terlambat: int


@dataclass(frozen=True)
class JadwalRow:
    """One item of the berkala schedule (filled by the schedule's own function)."""

    judul: str
    periode: str
    jatuh_tempo: date | None
    kasus_terakhir: str | None
    terlambat: bool


@dataclass(frozen=True)
class Snapshot:
    office: str
    year: int
    month: int                       # "this month": now's, or December of a past year
    now: datetime
    zone: str
    open_cases: list[OpenCase]
    shares: list[StepShare]
    trend: list[tuple[int, int, int]]   # (month 1..12, steps finished, of them late)
    berkala: list[JadwalRow] | None


Holders = Callable[[str, date], str]


def snapshot(db: Database, sop: Sop, calendar: WorkCalendar, *, year: int, now: datetime,
             office: str = "", zone: str = "WIB", holders: Holders | None = None,
             berkala: Sequence[JadwalRow | tuple[object, ...]] | None = None) -> Snapshot:
    """What the page shows, read through `db` (bring `step_times` up to date first)."""
    steptimes.catch_up(db, sop, calendar)
    month = now.month if now.year == year else 12
    return Snapshot(office, year, month, now, zone, open_cases(db, sop, calendar, now, holders),
                    shares(db, sop, year, month), trend(db, year),
                    None if berkala is None else [_jadwal(r) for r in berkala])


def open_cases(db: Database, sop: Sop, calendar: WorkCalendar, now: datetime,
               holders: Holders | None = None) -> list[OpenCase]:
    """The open cases, late ones first (longest overdue first), then by deadline."""
    out = []
    for c in db.open_cases():
        step = sop.step(c.step)
        entered = datetime.fromisoformat(c.step_entered_at)
        deadline = clock_for(sop, c.kind, calendar).deadline(entered, step.time)
        out.append(OpenCase(c.id, c.perihal, sop.kind(c.kind).name, step.number, step.title,
                            sop.roles[step.role].name,
                            holders(step.role, now.date()) if holders else "",
                            entered, deadline, now > deadline))
    return sorted(out, key=lambda o: (not o.terlambat, o.batas, o.case_id))


def shares(db: Database, sop: Sop, year: int, month: int) -> list[StepShare]:
    """Per step of the SOP: finished and late, in `month` of `year` and in the whole year."""
    counts = db.step_counts(f"{year:04d}-01-01", f"{year + 1:04d}-01-01")
    this_month = f"{year:04d}-{month:02d}"
    out = []
    for step in sorted(sop.steps.values(), key=lambda s: s.number):
        mine = [c for c in counts if c[1] == step.number]
        in_month = [c for c in mine if c[0] == this_month]
        out.append(StepShare(step.number, step.title, sop.roles[step.role].name, str(step.time),
                             sum(c[2] for c in in_month), sum(c[3] for c in in_month),
                             sum(c[2] for c in mine), sum(c[3] for c in mine)))
    return out


def trend(db: Database, year: int) -> list[tuple[int, int, int]]:
    """Per month of `year`: steps finished (all steps), and of them late."""
    by_month = {m: [0, 0] for m in range(1, 13)}
    for month, _step, total, late in db.step_counts(f"{year:04d}-01-01", f"{year + 1:04d}-01-01"):
        m = int(month[5:7])
        by_month[m][0] += total
        by_month[m][1] += late
    return [(m, t, late) for m, (t, late) in by_month.items()]


def _jadwal(row: JadwalRow | tuple[object, ...]) -> JadwalRow:
    if isinstance(row, JadwalRow):
        return row
    judul, periode, due, last, late = row
    return JadwalRow(str(judul), str(periode), due if isinstance(due, date) else None,
                     str(last) if last else None, bool(late))


def write(db: Database, sop: Sop, calendar: WorkCalendar, path: Path, *, year: int,
          now: datetime, office: str = "", zone: str = "WIB", holders: Holders | None = None,
          berkala: Sequence[JadwalRow | tuple[object, ...]] | None = None) -> Path:
    """Compute the dashboard of `year` as of `now` and write it at `path` (temp file in the same
    folder, fsync, rename: a reader never sees half a page); `path`."""
    from sop_docs.dashboard_html import render

    page = render(snapshot(db, sop, calendar, year=year, now=now, office=office, zone=zone,
                           holders=holders, berkala=berkala))
    write_atomically(path, page.encode("utf-8"))
    return path


def write_atomically(path: Path, data: bytes) -> None:
    """Replace `path` with `data` in one rename (read-only for staff, like the year register)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            share.apply(f.fileno(), writable=False)
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
