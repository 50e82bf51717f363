"""The figures of the annual report (Laporan Layanan Informasi Publik), from cases and events alone.

Why a pure module: every number the office signs in its yearly report must be traceable to the
database, and a test must be able to recompute it. The inputs are plain rows (a case's kind and
dates; its step-ending events in order), the SOP and the calendar; nothing here reads a clock, a
file or the register.

What is counted for year Y:
- an announcement is a case closed (Selesai: published, proofs in) in Y, by the month it closed
  and its kind;
- a step is measured the way the Lembar Kendali measures it (`kendali.control_rows`): each event
  that ended a step (the case opened, a concept submitted, a decision acted on) closes the step the
  case was in since the previous such event (the opening: since the case opened). A step counts
  in the year it ended. Its time and lateness are on the clock of the case's kind
  (`calendar.clock_for`: working time, or the calendar for serta merta), against the SOP's time;
- a return is a "Belum Sesuai" acted on in Y, by the step it was chosen at, with its Catatan
  (grouped by the same words: spacing and case do not make a new one);
- the median is the middle value (the mean of the two middle ones for an even count); the 90th
  percentile is the nearest rank: the smallest time that at least 90 % of the steps kept to.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sop_docs.core.calendar import WorkCalendar, clock_for
from sop_docs.core.sop import Sop

ENDS_STEP = frozenset({"opened", "submitted", "decided"})
BELUM_SESUAI = "Belum Sesuai"
MONTHS = ("Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember")
TOP_NOTES = 10        # the most frequent Catatan of a step listed by name; the rest counted


@dataclass(frozen=True)
class CaseFacts:
    """What the report needs of one case."""

    id: str
    kind: str
    opened_at: datetime
    closed_at: datetime | None


@dataclass(frozen=True)
class StepEvent:
    """One event that ended a step (opened / submitted / decided), in the case's order."""

    case_id: str
    kind: str
    at: datetime
    step_from: int
    decision: str = ""
    catatan: str = ""


@dataclass(frozen=True)
class StepTimes:
    """One step of one kind of case over the year, against the SOP's Mutu Baku."""

    kind: str
    step: int
    tahap: str
    role: str
    standard: str             # the Mutu Baku as the kind's clock reads it ("1 hari", "1 jam")
    on_calendar: bool         # minutes are calendar minutes (serta merta), else office minutes
    count: int
    median: float             # minutes
    p90: int                  # minutes
    on_time: int

    @property
    def share_on_time(self) -> float:
        return self.on_time / self.count if self.count else 0.0


@dataclass(frozen=True)
class Returns:
    """The returns chosen at one step: how many, and the Catatan given (text, times)."""

    step: int
    tahap: str
    role: str
    count: int
    notes: tuple[tuple[str, int], ...]     # the TOP_NOTES most frequent, most frequent first
    other_notes: int                        # returns whose Catatan is not among them


@dataclass(frozen=True)
class RoleLateness:
    role: str
    steps: int
    late: int

    @property
    def share_late(self) -> float:
        return self.late / self.steps if self.steps else 0.0


@dataclass
class YearFigures:
    year: int
    opened: int = 0                           # cases opened in the year
    closed: int = 0                           # announcements: cases closed in the year
    open_at_end: int = 0                      # cases opened in the year not closed by its end
    by_month: dict[str, list[int]] = field(default_factory=dict)   # kind -> 12 counts
    steps: list[StepTimes] = field(default_factory=list)
    returns: list[Returns] = field(default_factory=list)
    roles: list[RoleLateness] = field(default_factory=list)

    @property
    def steps_measured(self) -> int:
        return sum(s.count for s in self.steps)

    @property
    def steps_on_time(self) -> int:
        return sum(s.on_time for s in self.steps)


def median(values: Sequence[float]) -> float:
    """The middle value of sorted `values` (mean of the two middle ones); 0 for none."""
    n = len(values)
    if not n:
        return 0.0
    mid = n // 2
    return float(values[mid]) if n % 2 else (values[mid - 1] + values[mid]) / 2


def nearest_rank(values: Sequence[int], q: float) -> int:
    """The `q` percentile of sorted `values` by nearest rank; 0 for none."""
    if not values:
        return 0
    return values[max(0, math.ceil(q * len(values)) - 1)]


def note_key(text: str) -> str:
    """Two Catatan are the same note when they differ only in spacing or case."""
    return " ".join(text.split()).casefold()


def compute(sop: Sop, calendar: WorkCalendar, year: int, cases: Mapping[str, CaseFacts],
            events: Iterable[StepEvent]) -> YearFigures:
    """The year's figures. `cases` must hold every case opened or closed in `year` and every
    case of `events`; `events` are the step-ending events of those cases, each case's in the
    order they happened (earlier years' too: a step may have started before the year)."""
    fig = YearFigures(year)
    kinds = [k.key for k in sop.kinds]
    fig.by_month = {k: [0] * 12 for k in kinds}
    for c in cases.values():
        if c.opened_at.year == year:
            fig.opened += 1
            if c.closed_at is None or c.closed_at.year > year:
                fig.open_at_end += 1
        if c.closed_at is not None and c.closed_at.year == year:
            fig.closed += 1
            fig.by_month.setdefault(c.kind, [0] * 12)[c.closed_at.month - 1] += 1

    minutes: dict[tuple[str, int], list[int]] = {}
    on_time: dict[tuple[str, int], int] = {}
    notes: dict[int, dict[str, list]] = {}          # step -> key -> [shown text, count]
    role_steps: dict[str, list[int]] = {}           # role -> [steps, late]
    since: dict[str, datetime] = {}
    clocks = {k: clock_for(sop, k, calendar) for k in kinds}
    for e in events:
        if e.kind not in ENDS_STEP or e.step_from not in sop.steps:
            continue
        case = cases[e.case_id]
        start = case.opened_at if e.kind == "opened" else since.get(e.case_id, case.opened_at)
        since[e.case_id] = e.at
        if e.at.year != year:
            continue
        clock = clocks.get(case.kind) or clock_for(sop, case.kind, calendar)
        step = sop.step(e.step_from)
        key = (case.kind, step.number)
        minutes.setdefault(key, []).append(clock.minutes(start, e.at))
        late = e.at > clock.deadline(start, step.time)
        on_time[key] = on_time.get(key, 0) + (not late)
        tally = role_steps.setdefault(step.role, [0, 0])
        tally[0] += 1
        tally[1] += late
        if e.kind == "decided" and e.decision == BELUM_SESUAI:
            shown = " ".join((e.catatan or "").split())
            entry = notes.setdefault(step.number, {}).setdefault(note_key(shown), [shown, 0])
            entry[1] += 1

    order = {k: i for i, k in enumerate(kinds)}
    for (kind, number) in sorted(minutes, key=lambda k: (order.get(k[0], len(order)), k[1])):
        values = sorted(minutes[(kind, number)])
        step, clock = sop.step(number), clock_for(sop, kind, calendar)
        fig.steps.append(StepTimes(
            kind=kind, step=number, tahap=step.title, role=step.role,
            standard=clock.standard(step.time), on_calendar=sop.kind(kind).on_calendar,
            count=len(values), median=median(values), p90=nearest_rank(values, 0.9),
            on_time=on_time[(kind, number)]))
    for number in sorted(notes):
        ranked = sorted(notes[number].values(), key=lambda v: (-v[1], v[0]))
        step = sop.step(number)
        total = sum(v[1] for v in ranked)
        top = tuple((text, n) for text, n in ranked[:TOP_NOTES])
        fig.returns.append(Returns(number, step.title, step.role, total, top,
                                   total - sum(n for _, n in top)))
    for role in sop.roles:
        if role in role_steps:
            fig.roles.append(RoleLateness(role, *role_steps[role]))
    return fig
