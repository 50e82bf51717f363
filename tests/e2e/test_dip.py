"""The Daftar Informasi Publik: real closed cases, the office's own sheet edited in LibreOffice,
the file held open in LibreOffice, the PDF rendered by LibreOffice."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook
from openpyxl.styles import Font

from sop_docs.adapters import dip_sheet
from sop_docs.core import dip as core
from sop_docs.dip import DipParts, dip_path, write_dip
from tests.driver import Office
from tests.lo import calc_edit, calc_hold_open, require_libreoffice

HEADINGS = {key: heading for key, _, heading in core.GROUPS}


def close_case(o: Office, subject: str, folder: str = "inbox/kabid_kasubag") -> str:
    case = o.open_case(subject, folder=folder)
    o.to_step(case, 6)
    o.add_proofs(case)
    o.decide(case, "Selesai")
    o.scan()
    assert o.svc.db.case(case).status == "closed"
    return case


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory):
    require_libreoffice()
    o = Office(tmp_path_factory.mktemp("dip") / "ws")
    close_case(o, "Laporan Keuangan Semester I")
    close_case(o, "Banjir Sungai Kapuas", folder="inbox/kabid_kasubag/serta_merta")
    o.open_case("Masih Berjalan")                 # open: not in the list
    yield o
    o.close()


def listed(path: Path) -> dict[str, list[tuple[str, ...]]]:
    """The list sheet as a reader sees it: heading -> its rows (Ringkasan .. Keterangan)."""
    wb = load_workbook(path, read_only=True)
    out: dict[str, list[tuple[str, ...]]] = {}
    current = None
    for row in wb[dip_sheet.DIP_SHEET].iter_rows(min_row=dip_sheet.HEADER_ROW + 2,
                                                 values_only=True):
        if row[0] in ("A", "B", "C"):
            current = str(row[1])
            out[current] = []
        elif current and isinstance(row[0], int):
            out[current].append(tuple("" if v is None else str(v) for v in row[1:9]))
    wb.close()
    return out


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_the_list_holds_each_closed_case_of_the_year_under_its_kind(office):
    """Every closed case of the database is one row under its kind's heading, with its Perihal,
    the day it closed in the office's city and Cetak/Online from its proofs; open cases are not
    listed."""
    path = write_dip(office.svc, 2026)
    assert path == dip_path(office.svc.ws, 2026)
    rows = listed(path)
    assert list(rows) == [h for _, _, h in core.GROUPS]
    expected: dict[str, list[tuple[str, ...]]] = {h: [] for h in rows}
    for c in office.svc.db.closed_cases():
        heading = HEADINGS[core.jenis_of(c.kind)]
        closed = f"{int(c.closed_at[8:10])} November 2026, Pontianak"
        expected[heading].append((c.perihal, closed, "Ya", "Ya", c.id))
    got = {h: [(r[0], r[3], r[4], r[5], r[7].split(";")[0].removeprefix("No. Agenda "))
               for r in rs] for h, rs in rows.items()}
    assert got == expected
    assert len(got[HEADINGS[core.BERKALA]]) == len(got[HEADINGS[core.SERTA_MERTA]]) == 1
    assert got[HEADINGS[core.SETIAP_SAAT]] == []


def test_the_office_sheet_survives_regeneration_and_its_formula_is_text(office):
    """Rows typed in LibreOffice in Tambahan Kantor are listed under their Jenis, stay in their
    sheet through every regeneration, and a formula typed there comes back as the text typed."""
    path = write_dip(office.svc, 2026)
    formula = '=HYPERLINK("http://contoh.invalid/renstra";"Renstra")'
    calc_edit(path, {(dip_sheet.OFFICE_SHEET, "A3"): "Setiap Saat",
                     (dip_sheet.OFFICE_SHEET, "B3"): "Rencana Strategis 2026-2031",
                     (dip_sheet.OFFICE_SHEET, "C3"): "Subbagian Perencanaan",
                     (dip_sheet.OFFICE_SHEET, "I3"): formula,
                     (dip_sheet.OFFICE_SHEET, "A4"): "berkala",
                     (dip_sheet.OFFICE_SHEET, "B4"): "Profil Dinas"})
    wb = load_workbook(path)
    typed = wb[dip_sheet.OFFICE_SHEET]["I3"]
    assert typed.data_type == "f"                                  # LibreOffice made it a formula
    formula = typed.value                                          # as the file stores it
    assert formula.startswith("=HYPERLINK(")
    wb[dip_sheet.OFFICE_SHEET]["B4"].font = Font(bold=True)        # the office's formatting
    wb.save(path)
    for _ in range(2):                                             # regenerated twice
        office.clock.advance(days=1)                               # a new date under the list
        assert write_dip(office.svc, 2026) == path
        wb = load_workbook(path)
        sheet = wb[dip_sheet.OFFICE_SHEET]
        assert sheet["B3"].value == "Rencana Strategis 2026-2031"
        assert (sheet["I3"].value, sheet["I3"].data_type) == (formula, "s")
        assert sheet["B4"].font.b
        rows = listed(path)
        assert rows[HEADINGS[core.SETIAP_SAAT]] == [
            ("Rencana Strategis 2026-2031", "Subbagian Perencanaan", "", "", "", "", "", formula)]
        assert rows[HEADINGS[core.BERKALA]][-1][0] == "Profil Dinas"
        dip_cells = [c for row in wb[dip_sheet.DIP_SHEET].iter_rows() for c in row]
        assert not [c.coordinate for c in dip_cells if c.data_type == "f"]


def test_the_list_open_in_libreoffice_is_left_alone_and_written_once_closed(office):
    """While LibreOffice holds the file (its real lock file) nothing is written; once it is
    closed the next call writes it."""
    path = write_dip(office.svc, 2026)
    before = sha(path)
    office.clock.advance(days=1)
    with calc_hold_open(path) as lock:
        assert lock.exists()
        assert write_dip(office.svc, 2026) is None
        assert sha(path) == before
    assert not lock.exists()
    assert write_dip(office.svc, 2026) == path
    assert sha(path) != before
    assert load_workbook(path)[dip_sheet.OFFICE_SHEET]["B3"].value == "Rencana Strategis 2026-2031"


def test_an_unchanged_list_is_not_written_again(office):
    """Nothing changed (rows, the office's sheet, the date): the file is not touched."""
    path = write_dip(office.svc, 2026)
    stamp = path.stat().st_mtime_ns
    assert write_dip(office.svc, 2026) == path
    assert path.stat().st_mtime_ns == stamp


def test_the_pdf_renders_the_groups_and_the_cases(office):
    """LibreOffice renders the list sheet: the three headings, the cases and the PPID's block."""
    office.clock.advance(days=1)
    path = write_dip(office.svc, 2026)
    pdf = path.with_suffix(".pdf")
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True,
                          text=True, check=True).stdout
    flat = " ".join(text.split())
    for _, _, heading in core.GROUPS:
        assert heading in flat
    for c in office.svc.db.closed_cases():
        assert c.perihal in flat
    assert "Rencana Strategis 2026-2031" in flat
    assert "DAFTAR INFORMASI PUBLIK" in flat and core.DEFAULT_PPID_JABATAN in flat
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True).stdout
    width, height = (float(x) for x in info.split("Page size:")[1].split()[0:3:2])
    assert width > height                                           # landscape


def test_a_list_written_without_its_pdf_gets_it_at_the_next_call_that_may(office):
    """The refresher may write the workbook alone (DipParts(pdf=False)); the next call allowed
    to make the PDF makes it, though the workbook did not change."""
    office.clock.advance(days=1)
    fast = DipParts.of(office.svc, pdf=False)
    path = write_dip(fast, 2026, db=office.svc.db)
    pdf = path.with_suffix(".pdf")
    stale = pdf.read_bytes()
    assert write_dip(office.svc, 2026) == path
    assert pdf.read_bytes() != stale
    assert "Pontianak, " + str(office.clock.now.day) in " ".join(subprocess.run(
        ["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout.split())
