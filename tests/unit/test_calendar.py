"""Working-time deadlines: office hours, evenings, weekends, Friday's longer day, holidays, days off."""

from datetime import date, datetime, time, timedelta

import holidays
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.sop import Duration

CAL = WorkCalendar()
ID_2026 = holidays.country_holidays("ID", years=2026)
WITH_HOLIDAYS = WorkCalendar(days_off=frozenset(ID_2026))
MIN15, HOUR, DAY = Duration(minutes=15), Duration(minutes=60), Duration(days=1)


def at(day: str, hm: str) -> datetime:
    return datetime.combine(date.fromisoformat(day), time.fromisoformat(hm))


# 2026-03-09 is a Monday; 2026-03-12 a Thursday; 2026-03-13 a Friday; 2026-03-14 a Saturday.

@pytest.mark.parametrize(
    ("start", "duration", "expected"),
    [
        (at("2026-03-09", "10:00"), MIN15, at("2026-03-09", "10:15")),
        (at("2026-03-09", "11:45"), HOUR, at("2026-03-09", "12:45")),       # no lunch break
        (at("2026-03-09", "15:00"), HOUR, at("2026-03-09", "16:00")),       # ends exactly at closing
        (at("2026-03-09", "07:00"), MIN15, at("2026-03-09", "07:45")),      # before opening
        (at("2026-03-09", "18:00"), HOUR, at("2026-03-10", "08:30")),       # evening
        (at("2026-03-09", "16:00"), MIN15, at("2026-03-10", "07:45")),      # at closing time
        (at("2026-03-10", "02:00"), Duration(minutes=10), at("2026-03-10", "07:40")),  # night
        (at("2026-03-12", "15:30"), HOUR, at("2026-03-13", "08:00")),       # Thursday into Friday
        (at("2026-03-13", "16:00"), HOUR, at("2026-03-16", "08:00")),       # Friday into Monday
        (at("2026-03-14", "10:00"), HOUR, at("2026-03-16", "08:30")),       # Saturday
        (at("2026-03-15", "23:59"), MIN15, at("2026-03-16", "07:45")),      # Sunday night
        (at("2026-03-09", "10:00"), Duration(minutes=600), at("2026-03-10", "11:30")),  # 10 h: 6 + 4
    ],
)
def test_minutes_and_hours_count_only_office_hours(start, duration, expected):
    """Time outside office hours does not run; a step started after closing runs from next opening."""
    assert CAL.deadline(start, duration) == expected


def test_an_hour_from_half_past_three_on_thursday_ends_at_eight_on_friday():
    """The example from the brief: 30 minutes on Thursday, 30 on Friday morning."""
    assert CAL.deadline(at("2026-03-12", "15:30"), HOUR) == at("2026-03-13", "08:00")


def test_friday_has_the_longer_day():
    """At 16:15 on Friday the office is still open; at 16:15 on Thursday it is not."""
    assert CAL.deadline(at("2026-03-13", "16:15"), Duration(minutes=10)) == at("2026-03-13", "16:25")
    assert CAL.deadline(at("2026-03-12", "16:15"), Duration(minutes=10)) == at("2026-03-13", "07:40")
    assert CAL.deadline(at("2026-03-13", "15:30"), HOUR) == at("2026-03-13", "16:30")


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (at("2026-03-09", "10:00"), at("2026-03-10", "10:00")),   # Monday -> Tuesday
        (at("2026-03-13", "10:00"), at("2026-03-16", "10:00")),   # Friday -> Monday
        (at("2026-03-14", "09:00"), at("2026-03-17", "07:30")),   # Saturday: from Monday's opening
        (at("2026-03-09", "19:00"), at("2026-03-11", "07:30")),   # Monday evening: from Tuesday's opening
        (at("2026-03-13", "16:20"), at("2026-03-16", "16:00")),   # Friday's late minute: Monday's closing
    ],
)
def test_a_day_is_the_same_time_on_the_next_working_day(start, expected):
    """'1 day' is not 24 hours nor 8.5 working hours: it is the next working day at the same time."""
    assert CAL.deadline(start, DAY) == expected


def test_two_days_skip_the_weekend():
    """Two working days from Thursday end on Monday."""
    assert CAL.deadline(at("2026-03-12", "09:00"), Duration(days=2)) == at("2026-03-16", "09:00")


def test_christmas_2026_is_a_public_holiday_and_does_not_run():
    """Thursday 24 Dec 15:30 plus an hour: Friday 25 is Christmas, so Monday 28 at 08:00."""
    assert "Christmas" in ID_2026[date(2026, 12, 25)]
    assert WITH_HOLIDAYS.deadline(at("2026-12-24", "15:30"), HOUR) == at("2026-12-28", "08:00")
    assert CAL.deadline(at("2026-12-24", "15:30"), HOUR) == at("2026-12-25", "08:00")
    assert WITH_HOLIDAYS.deadline(at("2026-12-25", "10:00"), MIN15) == at("2026-12-28", "07:45")
    assert WITH_HOLIDAYS.deadline(at("2026-12-24", "10:00"), DAY) == at("2026-12-28", "10:00")


def test_nyepi_before_idul_fitri_with_the_office_days_off_of_cuti_bersama():
    """Nyepi and Idul Fitri 2026 from `holidays`, plus the office's own days off around Lebaran."""
    assert "Silence" in ID_2026[date(2026, 3, 19)]
    assert "Eid al-Fitr" in ID_2026[date(2026, 3, 21)]
    assert "Eid al-Fitr" in ID_2026[date(2026, 3, 22)]
    # Wednesday 15:30 + 1 hour: Thursday is Nyepi, so the rest runs on Friday morning.
    assert WITH_HOLIDAYS.deadline(at("2026-03-18", "15:30"), HOUR) == at("2026-03-20", "08:00")
    cuti_bersama = frozenset({date(2026, 3, 20), date(2026, 3, 23), date(2026, 3, 24)})
    lebaran = WorkCalendar(days_off=frozenset(ID_2026) | cuti_bersama)
    assert lebaran.deadline(at("2026-03-18", "15:30"), HOUR) == at("2026-03-25", "08:00")
    assert lebaran.deadline(at("2026-03-18", "10:00"), DAY) == at("2026-03-25", "10:00")
    assert lebaran.working_minutes(at("2026-03-18", "16:00"), at("2026-03-25", "07:30")) == 0


def test_an_office_day_off_does_not_run():
    """A day the office closes on its own (days_off) counts like a holiday."""
    cal = WorkCalendar(days_off=frozenset({date(2026, 3, 10)}))
    assert not cal.is_working_day(date(2026, 3, 10))
    assert cal.deadline(at("2026-03-09", "15:30"), HOUR) == at("2026-03-11", "08:00")
    assert cal.deadline(at("2026-03-10", "09:00"), MIN15) == at("2026-03-11", "07:45")
    assert cal.deadline(at("2026-03-09", "09:00"), DAY) == at("2026-03-11", "09:00")


def test_office_hours_are_data():
    """A calendar with a Saturday half-day works Saturday mornings."""
    hours = {**CAL.hours, 5: (time(8, 0), time(12, 0))}
    cal = WorkCalendar(hours=hours)
    assert cal.deadline(at("2026-03-13", "16:00"), HOUR) == at("2026-03-14", "08:30")


@pytest.mark.parametrize(
    ("start", "end", "minutes"),
    [
        (at("2026-03-09", "07:30"), at("2026-03-09", "16:00"), 510),
        (at("2026-03-13", "07:30"), at("2026-03-13", "16:30"), 540),
        (at("2026-03-12", "15:30"), at("2026-03-13", "08:00"), 60),
        (at("2026-03-13", "16:00"), at("2026-03-16", "08:00"), 60),
        (at("2026-03-09", "17:00"), at("2026-03-10", "17:00"), 510),
        (at("2026-03-09", "00:00"), at("2026-03-16", "00:00"), 4 * 510 + 540),
        (at("2026-03-14", "08:00"), at("2026-03-15", "15:00"), 0),
        (at("2026-03-09", "10:00"), at("2026-03-09", "10:00"), 0),
        (at("2026-03-09", "11:00"), at("2026-03-09", "10:00"), 0),
        (at("2026-03-09", "10:00"), at("2026-03-09", "10:00:59"), 0),
    ],
)
def test_working_minutes_count_only_office_time(start, end, minutes):
    """Measuring a step against its standard time counts office minutes only."""
    assert CAL.working_minutes(start, end) == minutes


def test_working_minutes_skip_holidays():
    """Christmas Friday counts nothing."""
    assert WITH_HOLIDAYS.working_minutes(at("2026-12-24", "15:30"), at("2026-12-28", "08:00")) == 60


BASE = datetime(2026, 1, 1)
moments = st.integers(0, 365 * 24 * 60).map(lambda m: BASE + timedelta(minutes=m))


@settings(max_examples=200, deadline=None)
@given(start=moments, minutes=st.integers(0, 3000))
def test_a_deadline_is_exactly_its_duration_of_office_time_away(start, minutes):
    """For minutes and hours, working_minutes(start, deadline) equals the standard time."""
    end = WITH_HOLIDAYS.deadline(start, Duration(minutes=minutes))
    assert end >= start
    assert WITH_HOLIDAYS.working_minutes(start, end) == minutes
    if minutes:
        assert WITH_HOLIDAYS.is_working_day(end.date())
        opening, closing = WITH_HOLIDAYS.hours[end.weekday()]
        assert opening < end.time() <= closing


@settings(max_examples=200, deadline=None)
@given(start=moments, days=st.integers(1, 10))
def test_a_day_deadline_falls_on_a_working_day_within_office_hours(start, days):
    """A day deadline is never on a weekend, holiday or outside the office's hours."""
    end = WITH_HOLIDAYS.deadline(start, Duration(days=days))
    assert end > start
    assert WITH_HOLIDAYS.is_working_day(end.date())
    opening, closing = WITH_HOLIDAYS.hours[end.weekday()]
    assert opening <= end.time() <= closing
