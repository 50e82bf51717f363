"""The berkala schedule's arithmetic and its sop.toml entries (sop_docs/core/jadwal.py)."""

from __future__ import annotations

from datetime import date

import pytest

from sop_docs.core.jadwal import Fulfilment, find, match, next_due, parse, schedule, tanggal

ROLES = ("kabid_kasubag", "fungsional", "sekretaris", "kepala_dinas")


def item(periode: object, judul: str = "Ringkasan Laporan Keuangan", **kw: object):
    return parse([{"judul": judul, "periode": periode, **kw}], ROLES, "fungsional")[0]


def done(on: date, judul: str = "Ringkasan Laporan Keuangan", case: str = "PIP-2026-0001"):
    return Fulfilment(judul, case, on)


def test_six_monthly_nothing_fulfilled_is_due_at_the_end_of_the_current_half():
    """With nothing fulfilled and the schedule starting today, the half-year's end is due."""
    d = next_due(item("6 bulan"), [], date(2026, 3, 10))
    assert (d.due, d.last, d.late) == (date(2026, 6, 30), None, False)


def test_six_monthly_fulfilled_in_the_first_half_is_next_due_at_the_end_of_the_year():
    d = next_due(item("6 bulan"), [done(date(2026, 2, 3))], date(2026, 3, 10))
    assert d.due == date(2026, 12, 31) and d.last == done(date(2026, 2, 3)) and not d.late


def test_six_monthly_fulfilled_in_december_is_due_next_june_across_the_year():
    d = next_due(item("6 bulan"), [done(date(2026, 12, 30))], date(2027, 1, 5))
    assert (d.due, d.late) == (date(2027, 6, 30), False)


def test_six_monthly_missed_half_is_late_the_day_after_its_end():
    it = item("6 bulan")
    fulfilled = [done(date(2026, 1, 20))]
    assert not next_due(it, fulfilled, date(2026, 12, 31)).late      # the due day itself
    late = next_due(it, fulfilled, date(2027, 1, 1))
    assert (late.due, late.late, late.status) == (date(2026, 12, 31), True, "Terlambat")


def test_only_the_last_fulfilment_counts_so_a_missed_period_behind_it_is_not_late():
    it = item("6 bulan")
    d = next_due(it, [done(date(2025, 2, 1)), done(date(2026, 8, 1), case="PIP-2026-0009")],
                 date(2026, 9, 1), since=date(2025, 1, 1))
    assert (d.due, d.last.case_id, d.late) == (date(2027, 6, 30), "PIP-2026-0009", False)


def test_nothing_fulfilled_since_the_office_started_is_late_after_the_first_period():
    d = next_due(item("6 bulan"), [], date(2026, 7, 2), since=date(2026, 2, 1))
    assert (d.due, d.late) == (date(2026, 6, 30), True)


def test_yearly_is_due_on_the_last_day_of_the_year():
    it = item("tahunan")
    assert next_due(it, [], date(2026, 5, 1)).due == date(2026, 12, 31)
    assert next_due(it, [done(date(2026, 5, 1))], date(2026, 5, 2)).due == date(2027, 12, 31)


def test_month_list_is_due_at_the_end_of_each_listed_month():
    it = item([1, 7])
    assert it.periode == "Januari, Juli"
    assert next_due(it, [], date(2026, 1, 10)).due == date(2026, 1, 31)
    # announced late in February: that is January's, July is next
    assert next_due(it, [done(date(2026, 2, 14))], date(2026, 3, 1)).due == date(2026, 7, 31)
    # July's announcement done: next January, across the year
    d = next_due(it, [done(date(2026, 7, 3))], date(2026, 11, 1))
    assert (d.due, d.late) == (date(2027, 1, 31), False)
    assert next_due(it, [done(date(2026, 7, 3))], date(2027, 2, 1)).late


def test_month_list_starting_after_a_listed_month_is_due_at_the_next_one():
    """A schedule starting in March owes nothing for January: July is the first due."""
    d = next_due(item([1, 7], mulai="2026-03-10"), [], date(2026, 3, 11))
    assert (d.due, d.late) == (date(2026, 7, 31), False)


def test_mulai_sets_where_the_periods_start_and_ignores_earlier_fulfilments():
    it = item("6 bulan", mulai="2026-03-01")
    assert it.starts == (3, 9)
    assert next_due(it, [], date(2026, 4, 1)).due == date(2026, 8, 31)
    d = next_due(it, [done(date(2026, 1, 5))], date(2026, 9, 2))
    assert (d.due, d.last, d.late) == (date(2026, 8, 31), None, True)


def test_quarterly_and_monthly_periods():
    assert next_due(item("3 bulan"), [], date(2026, 5, 5)).due == date(2026, 6, 30)
    assert next_due(item("bulanan"), [done(date(2026, 2, 1))], date(2026, 2, 2)).due == \
        date(2026, 3, 31)


def test_schedule_keeps_the_order_of_the_items_and_each_its_own_fulfilments():
    a, b = item("6 bulan", "Profil Dinas"), item("tahunan", "Laporan Kinerja")
    dues = schedule([a, b], [done(date(2026, 3, 1), "profil  DINAS")], date(2026, 4, 1))
    assert [(x.item.judul, x.due, x.last is not None) for x in dues] == [
        ("Profil Dinas", date(2026, 12, 31), True), ("Laporan Kinerja", date(2026, 12, 31), False)]


def test_a_pick_wins_and_perihal_counts_only_for_berkala_cases():
    items = [item("6 bulan", "Profil Dinas"), item("tahunan", "Laporan Kinerja")]
    assert match(items, "Laporan Kinerja", "Profil Dinas", True).judul == "Laporan Kinerja"
    assert match(items, "", "  profil   dinas ", True).judul == "Profil Dinas"
    assert match(items, "", "Profil Dinas", False) is None
    assert match(items, "", "Profil Dinas 2026", True) is None     # exact, not a guess
    assert find(items, "") is None


def test_the_role_defaults_to_the_given_one_and_unknown_ones_are_refused():
    assert item("6 bulan").role == "fungsional"
    assert item("6 bulan", role="sekretaris").role == "sekretaris"
    with pytest.raises(ValueError, match=r"role 'humas' is not a role of the SOP"):
        item("6 bulan", role="humas")


@pytest.mark.parametrize(("entry", "says"), [
    ({"judul": "A", "periode": "6 bulam"}, r"line 7 \(\[\[berkala\]\] number 1\): periode "
                                           r"'6 bulam' is not understood"),
    ({"judul": "A", "periode": "5 bulan"}, "N bulan with N dividing 12"),
    ({"judul": "A", "periode": [1, 13]}, "month numbers 1-12"),
    ({"judul": "A", "periode": [1, 1]}, "distinct"),
    ({"judul": "A"}, "'periode' is missing"),
    ({"periode": "tahunan"}, "'judul'"),
    ({"judul": "A", "periode": "tahunan", "peran": "x"}, "unknown key"),
    ({"judul": "A", "periode": "tahunan", "mulai": "1 Juli"}, "is not a date"),
])
def test_a_typo_is_one_line_naming_the_line(entry, says):
    with pytest.raises(ValueError, match=says):
        parse([entry], ROLES, "fungsional", [7])


def test_a_title_listed_twice_is_refused():
    with pytest.raises(ValueError, match="listed twice"):
        parse([{"judul": "Profil", "periode": "tahunan"},
               {"judul": " profil ", "periode": "6 bulan"}], ROLES, "fungsional")


def test_indonesian_date():
    assert tanggal(date(2026, 6, 30)) == "30 Juni 2026"


def test_the_pick_is_kept_in_the_case_details_and_survives_a_restore_check():
    """rincian.check carries the pick (restore reads the Disposisi sheet through it)."""
    from sop_docs.core.rincian import Rincian, check

    details, problems = check({"berkala": "  Profil   Dinas "}, date(2026, 11, 23))
    assert (details.berkala, problems) == ("Profil Dinas", [])
    assert Rincian.from_json(details.to_json()).berkala == "Profil Dinas"
