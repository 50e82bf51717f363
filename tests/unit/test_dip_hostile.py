"""The DIP workbook against what a careless or hostile office saves into it: a sheet whose one
cell sits at the far corner of the grid (a few kilobytes that claim a million rows by 16,384
columns), formulas in its own rows. Real .xlsx files, read by the code that reads the share."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from openpyxl import Workbook, load_workbook

from sop_docs.adapters import dip_sheet
from sop_docs.core.dip import Signer

SIGNER = Signer("PPID", "Siti Aminah", "", "1980")


def _far_corner_book(path: Path) -> None:
    """The office's sheet with one real row, and a stray cell at XFD1048576 on it and on an
    extra sheet of the office's own."""
    wb = Workbook()
    wb.remove(wb.active)
    dip_sheet.office_sheet(wb)
    ws = wb[dip_sheet.OFFICE_SHEET]
    ws["A3"], ws["B3"] = "Berkala", "Rencana Strategis 2025-2029"
    ws["XFD1048576"] = "x"
    wb.create_sheet("Catatan Kantor")["XFD1048576"] = "y"
    wb.save(path)


def test_a_cell_at_the_far_corner_neither_hangs_nor_loses_the_office_rows(tmp_path: Path):
    """Reading the office's rows and rebuilding the list finish in seconds (they once walked all
    17 billion cells the sheet's dimension claims, hanging the refresher), and the office's row
    and both stray cells survive."""
    path = tmp_path / "Daftar Informasi Publik 2026.xlsx"
    _far_corner_book(path)
    assert path.stat().st_size < 20_000
    script = textwrap.dedent(f"""
        from pathlib import Path
        from sop_docs.adapters import dip_sheet
        from sop_docs.core import dip
        from sop_docs.core.dip import Signer
        path = Path({str(path)!r})
        wb = dip_sheet.load(path)
        own = [r for r in map(dip.office_row, dip_sheet.office_rows(wb)) if r is not None]
        assert [r.ringkasan for r in own] == ["Rencana Strategis 2025-2029"], own
        book = dip_sheet.build(wb, 2026, "Dinas X", dip.grouped([], own),
                               Signer("PPID", "A", "", "1"), "Pontianak, 1 Juli 2026")
        book.save(path)
    """)
    done = subprocess.run([sys.executable, "-c", script], timeout=60, capture_output=True,
                          text=True, cwd=Path(__file__).resolve().parents[2])
    assert done.returncode == 0, done.stderr
    wb = load_workbook(path)
    assert wb[dip_sheet.OFFICE_SHEET]["XFD1048576"].value == "x"
    assert wb["Catatan Kantor"]["XFD1048576"].value == "y"
    listed = [c.value for c in wb[dip_sheet.DIP_SHEET]["B"]]
    assert "Rencana Strategis 2025-2029" in listed


def test_formulas_in_the_office_rows_are_kept_as_typed_text(tmp_path: Path):
    """A formula typed in the office's sheet reaches the list (and stays in its own sheet) as the
    text typed, never as a formula Excel would compute or a link it would follow."""
    payloads = ['=HYPERLINK("http://example.invalid/x","klik")', "=cmd|' /C calc'!A0",
                "+1+1", "-2+3", "@SUM(1,2)"]
    wb = Workbook()
    wb.remove(wb.active)
    dip_sheet.office_sheet(wb)
    ws = wb[dip_sheet.OFFICE_SHEET]
    for r, text in enumerate(payloads, start=3):
        ws.cell(r, 2).value = text               # openpyxl stores "=..." as a formula
        ws.cell(r, 9).value = text
    path = tmp_path / "dip.xlsx"
    wb.save(path)
    from sop_docs.core import dip
    wb = dip_sheet.load(path)
    own = [r for r in map(dip.office_row, dip_sheet.office_rows(wb)) if r is not None]
    assert [r.ringkasan for r in own] == payloads
    dip_sheet.build(wb, 2026, "Dinas X", dip.grouped([], own), SIGNER, "x").save(path)
    again = load_workbook(path)
    for sheet in (dip_sheet.DIP_SHEET, dip_sheet.OFFICE_SHEET):
        cells = [c for row in again[sheet].iter_rows() for c in row
                 if isinstance(c.value, str) and c.value in payloads]
        assert len(cells) >= len(payloads), sheet
        assert all(c.data_type == "s" for c in cells), sheet


def test_a_link_under_the_dips_name_is_put_aside_not_followed(tmp_path: Path):
    """A symlink saved as the DIP is Unreadable (the writer moves it aside and writes the list
    afresh) rather than an OSError that left the list unwritten at every refresh."""
    import pytest

    secret = tmp_path / "elsewhere.xlsx"
    secret.write_bytes(b"not the DIP")
    link = tmp_path / "Daftar Informasi Publik 2026.xlsx"
    link.symlink_to(secret)
    with pytest.raises(dip_sheet.Unreadable):
        dip_sheet.load(link)
    assert secret.read_bytes() == b"not the DIP"


def test_a_busy_years_list_is_built_in_seconds_with_every_row_styled(tmp_path: Path):
    """20,000 rows (a busy year's closed cases, or an office sheet pasted full) build in a few
    seconds (they took ~20 s, rebuilt by the refresher after every close on a 2-core machine),
    every row in the list's style, a formula-like text quote-prefixed in its own cell only."""
    import time

    from sop_docs.core import dip

    rows = [dip.DipRow(dip.BERKALA, f"Informasi {i}", "Dinas", "Kepala", "Pontianak", "Ya",
                       "-", "5 tahun", "=1+1" if i % 2 else "biasa") for i in range(20_000)]
    start = time.monotonic()
    wb = dip_sheet.build(None, 2026, "Dinas X", dip.grouped(rows, []), SIGNER, "x")
    assert time.monotonic() - start < 8
    ws = wb[dip_sheet.DIP_SHEET]
    first = dip_sheet.HEADER_ROW + 3                    # below the Berkala heading
    for r in (first, first + 1, first + 19_999):
        no, ringkasan, keterangan = ws.cell(r, 1), ws.cell(r, 2), ws.cell(r, 9)
        assert no.value == r - first + 1
        assert (no.font.size, no.alignment.horizontal, no.border.left.style) == (10, "center",
                                                                                 "thin")
        assert (ringkasan.font.size, ringkasan.alignment.horizontal,
                ringkasan.alignment.wrap_text) == (10, None, True)
        assert keterangan.quotePrefix == (keterangan.value == "=1+1")
        assert not ringkasan.quotePrefix
