"""Which clock judges a case: serta merta on the calendar round the clock, berkala in office hours.

UU 14/2008 Pasal 10 asks serta merta information to be announced "tanpa penundaan": a case received
on a Sunday night is due that night, not on Tuesday. The SOP file says so per kind (`jam`).
"""

import copy
import tomllib
from datetime import datetime
from importlib import resources

import holidays
import pytest

from sop_docs import kendali
from sop_docs.core.calendar import CALENDAR_TIME, WorkCalendar, clock_for
from sop_docs.core.sop import Duration, load_sop
from sop_docs.errors import InvalidSop


def shipped_data() -> dict:
    text = resources.files("sop_docs").joinpath("sops/pengumuman_informasi_publik.toml").read_text("utf-8")
    return tomllib.loads(text)


SOP = load_sop(shipped_data())
OFFICE = WorkCalendar(days_off=frozenset(holidays.country_holidays("ID", years=2026)))
SUNDAY = datetime(2026, 11, 22, 4, 56)          # 2026-11-22 is a Sunday
MIN15, HOUR, DAY = Duration(minutes=15), Duration(minutes=60), Duration(days=1)


def deadline(kind: str, start: datetime, duration: Duration) -> datetime:
    return clock_for(SOP, kind, OFFICE).deadline(start, duration)


def ev(kind: str, at: datetime, step_from: int, decision: str | None = None) -> dict:
    return {"kind": kind, "at": at.isoformat(), "step_from": step_from, "decision": decision,
            "catatan": ""}


def test_the_shipped_sop_times_serta_merta_on_the_calendar_and_berkala_in_working_time():
    """The SOP file's `jam`: serta merta "kalender", berkala the default "kerja"."""
    assert SOP.kind("serta_merta").on_calendar
    assert not SOP.kind("berkala").on_calendar
    assert clock_for(SOP, "serta_merta", OFFICE) is CALENDAR_TIME
    assert clock_for(SOP, "berkala", OFFICE) is OFFICE
    assert clock_for(SOP, None, OFFICE) is OFFICE                  # the default kind


def test_a_clock_the_engine_does_not_know_is_refused_naming_the_kind_and_the_choices():
    """`jam = "dinding"` stops the SOP from loading, saying what to write instead."""
    data = copy.deepcopy(shipped_data())
    data["kinds"][1]["jam"] = "dinding"
    with pytest.raises(InvalidSop, match=r"kind serta_merta: jam = 'dinding'.*\"kerja\".*\"kalender\""):
        load_sop(data)


def test_serta_merta_received_on_sunday_0456_is_due_15_minutes_later_and_drafted_within_24_hours():
    """Step 1 by 05.11 the same Sunday; the day's drafting by Monday 04.56 (a day is 24 hours)."""
    assert deadline("serta_merta", SUNDAY, MIN15) == datetime(2026, 11, 22, 5, 11)
    assert deadline("serta_merta", SUNDAY, DAY) == datetime(2026, 11, 23, 4, 56)
    assert deadline("serta_merta", SUNDAY, HOUR) == datetime(2026, 11, 22, 5, 56)


def test_berkala_received_on_the_same_sunday_keeps_the_working_time_deadline():
    """Office hours open Monday 07.30: step 1 by 07.45, the day's drafting by Tuesday 07.30."""
    assert deadline("berkala", SUNDAY, MIN15) == datetime(2026, 11, 23, 7, 45)
    assert deadline("berkala", SUNDAY, DAY) == datetime(2026, 11, 24, 7, 30)


def test_a_weekend_and_a_holiday_in_between_count_for_serta_merta_only():
    """Thursday 24 Dec 15.30, Christmas on Friday then the weekend: serta merta is due on Christmas
    Day; berkala on Monday. Friday 16.00 plus an hour: 17.00 on the calendar, Monday 08.00 at work."""
    thursday = datetime(2026, 12, 24, 15, 30)
    assert deadline("serta_merta", thursday, DAY) == datetime(2026, 12, 25, 15, 30)
    assert deadline("berkala", thursday, DAY) == datetime(2026, 12, 28, 15, 30)
    assert deadline("serta_merta", thursday, Duration(days=2)) == datetime(2026, 12, 26, 15, 30)
    friday = datetime(2026, 11, 27, 16, 0)
    assert deadline("serta_merta", friday, HOUR) == datetime(2026, 11, 27, 17, 0)
    assert deadline("berkala", friday, HOUR) == datetime(2026, 11, 30, 8, 0)


def test_the_calendar_counts_every_minute_and_names_a_day_as_a_calendar_day():
    """Calendar minutes include the night; its standard reads '1 hari', the office's '1 hari kerja'."""
    assert CALENDAR_TIME.minutes(SUNDAY, datetime(2026, 11, 23, 7, 0)) == 26 * 60 + 4
    assert CALENDAR_TIME.minutes(SUNDAY, SUNDAY) == 0
    assert CALENDAR_TIME.standard(DAY) == "1 hari"
    assert CALENDAR_TIME.standard(MIN15) == "15 menit"
    assert OFFICE.standard(DAY) == "1 hari kerja"


def weekend_events() -> list[dict]:
    """Opened Sunday 04.56; the concept Monday 07.00 (26 hours later, no office minute yet);
    the Kabid's review Monday 07.40 (40 minutes, 10 of them in office hours)."""
    return [ev("opened", SUNDAY, 1),
            ev("submitted", datetime(2026, 11, 23, 7, 0), 2),
            ev("decided", datetime(2026, 11, 23, 7, 40), 3, "Sesuai")]


def test_a_serta_merta_control_sheet_shows_both_times_and_judges_on_the_calendar():
    """The drafting took 0 office minutes but 26 calendar hours: Terlambat against 1 hari."""
    rows = kendali.control_rows(SOP, weekend_events(), SUNDAY, OFFICE, {}, kind="serta_merta")
    assert [(r.minutes, r.calendar_minutes) for r in rows] == [(0, 0), (0, 26 * 60 + 4), (10, 40)]
    assert [r.status for r in rows] == [kendali.TEPAT_WAKTU, kendali.TERLAMBAT, kendali.TEPAT_WAKTU]
    assert [r.standar for r in rows] == ["15 menit", "1 hari", "1 jam"]
    assert kendali.durasi_kalender(rows[1].calendar_minutes) == "1 hari 2 jam 4 menit"


def test_the_same_events_of_a_berkala_case_are_judged_in_working_time():
    """Nothing is late when the office was closed; the standard reads in working days."""
    rows = kendali.control_rows(SOP, weekend_events(), SUNDAY, OFFICE, {}, kind="berkala")
    assert [r.calendar_minutes for r in rows] == [0, 26 * 60 + 4, 40]
    assert not any(r.late for r in rows)
    assert rows[1].standar == "1 hari kerja"


@pytest.mark.parametrize(("minutes", "shown"), [
    (0, "0 menit"), (59, "59 menit"), (60, "1 jam"), (24 * 60, "1 hari"),
    (24 * 60 + 5, "1 hari 5 menit"), (2 * 24 * 60 + 3 * 60, "2 hari 3 jam")])
def test_calendar_durations_name_days_hours_and_minutes(minutes, shown):
    """A calendar day is 24 hours, so days are named; working time stays in hours."""
    assert kendali.durasi_kalender(minutes) == shown
