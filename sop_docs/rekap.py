"""The province's recap of a year (`sop-docs laporan --semua-kantor`): one row per office of the
PostgreSQL database with the figures its own annual report counts (`laporan.year_figures`), a
total row, written as laporan/Rekap Provinsi <year>.xlsx in the reader's workspace.

It reads only (`provinsi.years`: no migration, no lease, nothing written to the database), so the
province's read-only role (docs/provinsi-readonly.sql) makes it. Deadlines are judged by the
reader's SOP and calendar, as `status --semua-kantor` judges them; the sheet says so. Every cell
is a value (text through `register.put_text`, counts as numbers): never a formula.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side

from sop_docs.adapters import register, safefs, workbook
from sop_docs.core.sop import Sop
from sop_docs.dashboard import write_atomically
from sop_docs.laporan import FOLDER, ReportOpen, percent
from sop_docs.paperwork import tanggal
from sop_docs.provinsi import OfficeYear

log = logging.getLogger("sop_docs")

SHEET = "Rekap Provinsi"
HEADER_ROW = 4
COLUMNS = (                                    # heading, width
    ("Kantor", 18),
    ("Kasus Masuk", 12),
    ("Selesai", 10),
    ("Masih Terbuka", 12),
    ("Tahap Diukur", 12),
    ("Tahap Tepat Waktu", 15),
    ("Tahap Terlambat", 13),
    ("Tepat Waktu (%)", 13),
    ("Dikembalikan", 14),
    ("Keterangan", 40),
)
BOLD = Font(bold=True)
THIN = Side(style="thin", color="999999")
GRID = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEAD_FILL = PatternFill("solid", fgColor="DDE5F0")


def recap_name(year: int) -> str:
    return f"Rekap Provinsi {year}.xlsx"


def _counts(o: OfficeYear) -> list[int] | None:
    f = o.figures
    if f is None:
        return None
    return [f.opened, f.closed, f.open_at_end, f.steps_measured, f.steps_on_time,
            f.steps_measured - f.steps_on_time, sum(r.count for r in f.returns)]


def build(found: Sequence[OfficeYear], year: int, sop: Sop, source: str,
          now: datetime) -> Workbook:
    """The recap's workbook: a title, the header (frozen, repeated on every printed page), one row
    per office, the total of the offices read, and the note on how it was counted."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET
    last = len(COLUMNS)
    register.put_text(ws.cell(1, 1), f"Rekap Layanan Informasi Publik Seluruh Kantor — Tahun {year}")
    ws.cell(1, 1).font = Font(bold=True, size=14)
    register.put_text(ws.cell(2, 1), f"Dibuat {tanggal(now)} pukul {now:%H.%M} dari {source}; "
                                     f"{len(found)} kantor.")
    for row in (1, 2):
        ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    for col, (heading, width) in enumerate(COLUMNS, start=1):
        cell = ws.cell(HEADER_ROW, col)
        register.put_text(cell, heading)
        cell.font, cell.fill, cell.border = BOLD, HEAD_FILL, GRID
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        ws.column_dimensions[cell.column_letter].width = width
    ws.row_dimensions[HEADER_ROW].height = 32

    total = [0] * 7
    unread = 0
    row = HEADER_ROW
    for o in found:
        row += 1
        register.put_text(ws.cell(row, 1), o.kode)
        counts = _counts(o)
        if counts is None:
            unread += 1
            register.put_text(ws.cell(row, last), f"tidak terbaca: {o.error}")
        else:
            total = [a + b for a, b in zip(total, counts, strict=True)]
            _figures(ws, row, counts)
        for col in range(1, last + 1):
            ws.cell(row, col).border = GRID
    row += 1
    register.put_text(ws.cell(row, 1), "Jumlah")
    _figures(ws, row, total)
    if unread:
        register.put_text(ws.cell(row, last), f"tanpa {unread} kantor yang tidak terbaca")
    for col in range(1, last + 1):
        ws.cell(row, col).font, ws.cell(row, col).border = BOLD, GRID

    note = (f"Catatan: angka dihitung seperti Laporan Layanan Informasi Publik setiap kantor "
            f"(Kasus Masuk: dibuka pada {year}; Selesai: diumumkan pada {year}; Masih Terbuka: "
            f"dibuka pada {year} dan belum selesai pada akhir tahun; Tahap: tahap yang berakhir "
            f"pada {year}, dibandingkan dengan Mutu Baku). Batas waktu dinilai dengan SOP "
            f"({sop.name}) dan kalender kerja (hari libur) kantor yang membuat rekap ini, seperti "
            "`sop-docs status --semua-kantor`; kasus SOP lain tidak diukur.")
    row += 2
    register.put_text(ws.cell(row, 1), note)
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
    ws.cell(row, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.row_dimensions[row].height = 48

    ws.freeze_panes = ws.cell(HEADER_ROW + 1, 2)
    register.landscape_a4(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW}"
    return wb


def _figures(ws, row: int, counts: list[int]) -> None:  # type: ignore[no-untyped-def]
    for col, n in zip((2, 3, 4, 5, 6, 7, 9), counts, strict=True):
        ws.cell(row, col).value = n
    register.put_text(ws.cell(row, 8), percent(counts[4], counts[3]))
    ws.cell(row, 8).alignment = Alignment(horizontal="right")


def write(root: Path, found: Sequence[OfficeYear], year: int, sop: Sop, source: str,
          now: datetime) -> Path:
    """laporan/Rekap Provinsi <year>.xlsx in `root`, made anew (aside, fsync, renamed into place,
    read-only for staff); refused while the file is open in Excel or LibreOffice."""
    target = root / FOLDER / recap_name(year)
    lock = safefs.office_lock(target)
    if lock is not None:
        raise ReportOpen(f"{target.name} terbuka ({lock.name}); tutup lalu jalankan lagi `sop-docs "
                         "laporan --semua-kantor`. / The file is open: close it and run again.")
    write_atomically(target, workbook.to_bytes(build(found, year, sop, source, now)))
    log.info("wrote %s (%d offices)", target, len(found))
    return target
