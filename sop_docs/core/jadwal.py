"""The berkala schedule: the periodic information the office must announce (`[[berkala]]` in
sop.toml), and when each item is next due given the closed cases that fulfilled it.

UU 14/2008 Pasal 9 ayat (3) asks for berkala information "paling singkat 6 (enam) bulan sekali";
the office lists what it announces and how often. Time is cut into periods, each with a due date:

* ``periode = "6 bulan"`` (or "3 bulan", "bulanan", any N that divides 12; "tahunan" = 12):
  periods of N months counted from January (or from the month of ``mulai``); due on the period's
  last day (30 Juni and 31 Desember for "6 bulan").
* ``periode = [1, 7]`` (a month list): a period starts in each listed month and lasts until the
  next; due on the last day of the listed month (the item is announced *in* those months).

A case closed in a period fulfils that period: the next due date is the due date of the period
after the one of the last fulfilment; with none yet, the due date of the first period at or after
the schedule's start (``mulai``, else the day the office began using sop-docs, else today), so an
office is never late for a period before it started. Overdue (today after the due date) is
Terlambat. Pure: the caller gives today and the fulfilments.

Which closed case fulfils which item (`match`): the item the Kabid/Kasubag picked for the case in
the Disposisi sheet's "Jadwal Berkala" column; when nothing was picked, a case of the berkala kind
whose Perihal equals an item's judul (ignoring case and spacing).
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sop_docs.core.tables import entries

_NAMED = {"tahunan": 12, "setahun": 12, "1 tahun": 12, "semesteran": 6, "per semester": 6,
          "enam bulan": 6, "triwulanan": 3, "per triwulan": 3, "bulanan": 1, "tiap bulan": 1,
          "setiap bulan": 1}
_MONTHS = re.compile(r"^(?:setiap |tiap |per )?(\d{1,2}) ?bulan(?:an)?(?: sekali)?$")
KEYS = ("judul", "periode", "role", "mulai")
BULAN = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus", "September",
         "Oktober", "November", "Desember")
MAX_JUDUL = 200


@dataclass(frozen=True)
class Item:
    """One periodic item. `starts` are the months (1-12) in which a period starts; it is due
    `due_after` months later, on the last day of that month's predecessor (1: the start month)."""

    judul: str
    periode: str                   # for the sheet: as written ("6 bulan"), or "Januari, Juli"
    starts: tuple[int, ...]
    due_after: int
    role: str
    mulai: date | None = None
    line: int = 0


@dataclass(frozen=True)
class Fulfilment:
    """A closed case that fulfilled `judul` on `on` (the day it closed)."""

    judul: str
    case_id: str
    on: date


@dataclass(frozen=True)
class Due:
    """An item's next due date, the fulfilment before it (None: none yet) and whether it is late."""

    item: Item
    due: date
    last: Fulfilment | None
    late: bool

    @property
    def status(self) -> str:
        return "Terlambat" if self.late else "Terjadwal"


def norm(text: str) -> str:
    """The form titles are compared in: case and spacing ignored."""
    return " ".join(str(text).split()).casefold()


def find(items: Iterable[Item], text: str) -> Item | None:
    """The item whose judul `text` is (compared by `norm`), else None."""
    key = norm(text)
    return next((i for i in items if norm(i.judul) == key), None) if key else None


def match(items: Sequence[Item], picked: str, perihal: str, berkala_kind: bool) -> Item | None:
    """The item a closed case fulfils: the one picked for it, else (a berkala case only) the one
    whose judul its Perihal is. A pick naming no item (renamed in sop.toml since) falls back."""
    return find(items, picked) or (find(items, perihal) if berkala_kind else None)


# -- periods --------------------------------------------------------------------------------------

def _index(d: date) -> int:
    return d.year * 12 + d.month - 1


def _period(item: Item, d: date) -> int:
    """The month index at which the period holding `d` starts."""
    i = _index(d)
    while (i % 12) + 1 not in item.starts:
        i -= 1
    return i


def _next(item: Item, start: int) -> int:
    i = start + 1
    while (i % 12) + 1 not in item.starts:
        i += 1
    return i


def _due(item: Item, start: int) -> date:
    last = start + item.due_after - 1
    y, m = divmod(last, 12)
    return date(y, m + 1, calendar.monthrange(y, m + 1)[1])


def next_due(item: Item, fulfilled: Iterable[Fulfilment], today: date,
             since: date | None = None) -> Due:
    """`item`'s next due date. The schedule starts at `mulai`, else `since` (the day the office
    began), else its first fulfilment or today; fulfilments before the period of its start do
    not count."""
    ours = [f for f in fulfilled if norm(f.judul) == norm(item.judul)]
    anchor = item.mulai or since or min([today, *(f.on for f in ours)])
    first = _period(item, anchor)
    mine = [f for f in ours if _index(f.on) >= first]
    last = max(mine, key=lambda f: (f.on, f.case_id), default=None)
    if last is not None:
        due = _due(item, _next(item, _period(item, last.on)))
    else:
        start = first
        while (due := _due(item, start)) < anchor:
            start = _next(item, start)
    return Due(item, due, last, today > due)


def schedule(items: Sequence[Item], fulfilled: Iterable[Fulfilment], today: date,
             since: date | None = None) -> list[Due]:
    """Every item's next due date, in the order sop.toml lists them (see `next_due`)."""
    done = list(fulfilled)
    return [next_due(i, done, today, since) for i in items]


# -- sop.toml ---------------------------------------------------------------------------------------

def _periode(value: object, where: str, mulai: date | None) -> tuple[str, tuple[int, ...], int]:
    if isinstance(value, list):
        if not value or not all(isinstance(m, int) and not isinstance(m, bool) and 1 <= m <= 12
                                for m in value) or len(set(value)) != len(value):
            raise ValueError(f"{where}: periode {value!r}: a month list holds distinct month "
                             "numbers 1-12, e.g. [1, 7] for January and July")
        months = tuple(sorted(value))
        return ", ".join(BULAN[m - 1] for m in months), months, 1
    if not isinstance(value, str):
        raise ValueError(f"{where}: periode must be text such as \"6 bulan\" or \"tahunan\", or "
                         "a month list such as [1, 7]")
    text = norm(value)
    n = _NAMED.get(text)
    if n is None and (m := _MONTHS.match(text)):
        n = int(m[1])
    if n is None or n < 1 or 12 % n:
        raise ValueError(f"{where}: periode {value!r} is not understood: write \"6 bulan\", "
                         "\"3 bulan\", \"bulanan\", \"tahunan\" (N bulan with N dividing 12) or a "
                         "month list such as [1, 7]")
    first = mulai.month if mulai else 1
    return value.strip(), tuple(sorted({(first - 1 + k * n) % 12 + 1 for k in range(12 // n)})), n


def _mulai(value: object, where: str) -> date | None:
    if value is None:
        return None
    if isinstance(value, datetime):    # TOML `mulai = 2026-07-01T08:00:00`: its day
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise ValueError(f"{where}: mulai {value!r} is not a date: write it as 2026-07-01")


def parse(raw: object, known_roles: Iterable[str], default_role: str,
          lines: Sequence[int] = ()) -> tuple[Item, ...]:
    """`[[berkala]]` of sop.toml; ValueError naming the entry (and its line when known)."""
    known = set(known_roles)
    items: list[Item] = []
    for where, line, entry in entries(raw, "berkala", lines):
        unknown = set(entry) - set(KEYS)
        if unknown:
            raise ValueError(f"{where}: unknown key(s) {', '.join(sorted(unknown))} (known: "
                             f"{', '.join(KEYS)})")
        judul = entry.get("judul")
        if not isinstance(judul, str) or not judul.strip():
            raise ValueError(f"{where}: 'judul' (the information's title, in quotes) is missing")
        judul = " ".join(judul.split())
        if len(judul) > MAX_JUDUL:
            raise ValueError(f"{where}: 'judul' is longer than {MAX_JUDUL} characters")
        if "periode" not in entry:
            raise ValueError(f"{where}: 'periode' is missing (e.g. \"6 bulan\", \"tahunan\", "
                             "[1, 7])")
        mulai = _mulai(entry.get("mulai"), where)
        shown, starts, due_after = _periode(entry["periode"], where, mulai)
        role = entry.get("role", default_role)
        if role not in known:
            raise ValueError(f"{where}: role {role!r} is not a role of the SOP "
                             f"({', '.join(sorted(known))})")
        if find(items, judul) is not None:
            raise ValueError(f"{where}: judul {judul!r} is listed twice")
        items.append(Item(judul, shown, starts, due_after, str(role), mulai, line))
    return tuple(items)


def tanggal(d: date) -> str:
    """'30 Juni 2026': the date as the office writes it."""
    return f"{d.day} {BULAN[d.month - 1]} {d.year}"
