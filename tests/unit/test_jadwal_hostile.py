"""`[[berkala]]` as a careless office writes it: a date-time for mulai, nonsense periods, a start
far ahead, a title that looks like a formula (kept as text in the register's sheet)."""

from __future__ import annotations

import tomllib
from datetime import date

import pytest
from openpyxl import Workbook, load_workbook

from sop_docs.adapters import jadwal_sheet
from sop_docs.core import jadwal


def items(toml: str) -> tuple[jadwal.Item, ...]:
    return jadwal.parse(tomllib.loads(toml)["berkala"], ["kabid"], "kabid")


def test_a_date_time_for_mulai_counts_as_its_day():
    """`mulai = 2026-07-01T08:00:00` (TOML reads a datetime) starts the schedule that day; it
    made every schedule computation raise TypeError (date compared to datetime)."""
    (item,) = items('[[berkala]]\njudul = "A"\nperiode = "6 bulan"\nmulai = 2026-07-01T08:00:00\n')
    assert item.mulai == date(2026, 7, 1)
    (due,) = jadwal.schedule([item], [], date(2026, 11, 1))
    assert (due.due, due.late) == (date(2026, 12, 31), False)


@pytest.mark.parametrize("periode", ['"0 bulan"', '"13 bulan"', '"5 bulan"', "6", "true",
                                     "[0]", "[13]", "[1, 1]", "[]", '""', '"-6 bulan"'])
def test_a_period_that_means_nothing_is_refused_with_its_entry_named(periode: str):
    with pytest.raises(ValueError, match=r"\[\[berkala\]\] number 1"):
        items(f'[[berkala]]\njudul = "A"\nperiode = {periode}\n')


def test_a_start_far_ahead_is_not_late_and_falls_due_after_it():
    (item,) = items('[[berkala]]\njudul = "A"\nperiode = "tahunan"\nmulai = 2199-03-15\n')
    (due,) = jadwal.schedule([item], [], date(2026, 11, 1))
    assert due.due >= date(2199, 3, 15) and not due.late


def test_a_title_like_a_formula_is_text_in_the_register_sheet(tmp_path):
    payload = '=HYPERLINK("http://example.invalid/","klik")'
    (item,) = items(f"[[berkala]]\njudul = '{payload}'\nperiode = \"6 bulan\"\n")
    wb = Workbook()
    jadwal_sheet.add_sheet(wb, [jadwal_sheet.JadwalRow(item.judul, item.periode, "Kabid",
                                                       "30 Juni 2026", "", "", True)])
    wb.save(tmp_path / "r.xlsx")
    cell = load_workbook(tmp_path / "r.xlsx")[jadwal_sheet.SHEET]["A2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (payload, "s", True)
