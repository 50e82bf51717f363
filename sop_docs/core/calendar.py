"""Working-time arithmetic: when a step's standard time runs out in the office's calendar.

Pure: the holidays and office hours come in as data, and `now` is always a parameter. Times are the
office's local wall-clock times (naive datetimes in the office's time zone), which is what staff read.
Minutes and hours count only office hours; a day means the same time on the next working day.
A kind of case the SOP times on the calendar (`jam = "kalender"`, serta merta) runs round the clock
instead: `clock_for` is the one place that says which clock judges a case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Protocol

from sop_docs.core.sop import Duration, Sop

DEFAULT_HOURS: Mapping[int, tuple[time, time]] = {
    0: (time(7, 30), time(16, 0)),
    1: (time(7, 30), time(16, 0)),
    2: (time(7, 30), time(16, 0)),
    3: (time(7, 30), time(16, 0)),
    4: (time(7, 30), time(16, 30)),
}


@dataclass(frozen=True)
class WorkCalendar:
    """Office hours per weekday (0 = Monday; a missing day is not worked) and days off."""

    hours: Mapping[int, tuple[time, time]] = field(default_factory=lambda: dict(DEFAULT_HOURS))
    days_off: frozenset[date] = frozenset()

    def is_working_day(self, d: date) -> bool:
        return d.weekday() in self.hours and d not in self.days_off

    def _bounds(self, d: date) -> tuple[datetime, datetime]:
        start, end = self.hours[d.weekday()]
        return datetime.combine(d, start), datetime.combine(d, end)

    def next_working_moment(self, t: datetime) -> datetime:
        """`t` itself when the office is working then, else when it next opens."""
        d = t.date()
        for _ in range(3700):
            if self.is_working_day(d):
                start, end = self._bounds(d)
                if t < start:
                    return start
                if t < end:
                    return t
            d += timedelta(days=1)
            t = datetime.combine(d, time(0, 0))
        raise ValueError("no working day within ten years: check the calendar settings")

    def deadline(self, start: datetime, duration: Duration) -> datetime:
        t = self.next_working_moment(start)
        if duration.days:
            d, left = t.date(), duration.days
            while left:
                d += timedelta(days=1)
                if self.is_working_day(d):
                    left -= 1
            day_start, day_end = self._bounds(d)
            return min(max(datetime.combine(d, t.time()), day_start), day_end)
        remaining = timedelta(minutes=duration.minutes)
        while True:
            _, end = self._bounds(t.date())
            if t + remaining <= end:
                return t + remaining
            remaining -= end - t
            t = self.next_working_moment(end + timedelta(microseconds=1))

    def minutes(self, start: datetime, end: datetime) -> int:
        """The time a step took, as this clock counts it (office minutes)."""
        return self.working_minutes(start, end)

    def standard(self, duration: Duration) -> str:
        return str(duration)

    def working_minutes(self, start: datetime, end: datetime) -> int:
        """Office minutes between two moments, for measuring a step against its standard time."""
        if end <= start:
            return 0
        total = timedelta()
        d = start.date()
        while d <= end.date():
            if self.is_working_day(d):
                a, b = self._bounds(d)
                lo, hi = max(a, start), min(b, end)
                if hi > lo:
                    total += hi - lo
            d += timedelta(days=1)
        return int(total.total_seconds() // 60)


class StepClock(Protocol):
    """What judges a step: its deadline, the minutes it took, and how its standard time reads."""

    def deadline(self, start: datetime, duration: Duration) -> datetime: ...

    def minutes(self, start: datetime, end: datetime) -> int: ...

    def standard(self, duration: Duration) -> str: ...


@dataclass(frozen=True)
class CalendarTime:
    """The calendar round the clock: nights, weekends and holidays count; a day is 24 hours."""

    def deadline(self, start: datetime, duration: Duration) -> datetime:
        return start + timedelta(days=duration.days, minutes=duration.minutes)

    def minutes(self, start: datetime, end: datetime) -> int:
        return max(0, int((end - start).total_seconds() // 60))

    def standard(self, duration: Duration) -> str:
        return f"{duration.days} hari" if duration.days else str(duration)


CALENDAR_TIME = CalendarTime()


def clock_for(sop: Sop, kind: str | None, work: WorkCalendar) -> StepClock:
    """The clock that judges a case of `kind`: the calendar for a kind timed so (serta merta),
    else the office's working time."""
    return CALENDAR_TIME if sop.kind(kind).on_calendar else work
