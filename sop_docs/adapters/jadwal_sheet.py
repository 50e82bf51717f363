"""The "Jadwal Berkala" sheet of the register: each periodic item of `[[berkala]]`, when it is next
due, the case that last fulfilled it, and Terlambat (highlighted) when overdue.

Written with the register, from the database only, and locked like the other generated sheets.
Its first column is also the list the Disposisi sheet's "Jadwal Berkala" dropdown offers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from sop_docs.adapters.register import (
    _BORDER,
    _LATE_FILL,
    FONT,
    SHEET_HELP,
    SHEET_HISTORY,
    _header,
    landscape_a4,
    put_text,
)

SHEET = "Jadwal Berkala"
COLUMNS = ("Informasi Berkala", "Periode", "Disiapkan oleh", "Jatuh Tempo Berikutnya",
           "Terakhir Dipenuhi (No. Agenda)", "Tanggal Dipenuhi", "Status")
WIDTHS = (44, 16, 18, 20, 22, 18, 14)
HELP = [
    "Lembar 'Jadwal Berkala': informasi yang wajib diumumkan secara berkala (daftar [[berkala]] "
    "di sop.toml), kapan jatuh tempo berikutnya, dan kasus yang terakhir memenuhinya. "
    "'Terlambat' berarti jatuh temponya sudah lewat tanpa pengumuman.",
    "Sebuah kasus memenuhi jadwal saat kasusnya selesai: jadwal yang dipilih Kabid/Kasubag pada "
    "kolom 'Jadwal Berkala' di lembar Disposisi, atau, bila tidak ada yang dipilih, kasus Jenis "
    "Berkala yang Perihalnya sama persis dengan judul jadwal (huruf besar/kecil dan spasi "
    "diabaikan).",
]


@dataclass(frozen=True)
class JadwalRow:
    judul: str
    periode: str
    role: str
    due: str                  # the Indonesian date, "30 Juni 2026"
    case_id: str              # the case that last fulfilled it ('' none yet)
    on: str                   # the day it closed, as an Indonesian date
    late: bool


def reference(n_items: int) -> str:
    """The cells holding the items' titles, for a dropdown elsewhere in the workbook."""
    return f"'{SHEET}'!$A$2:$A${max(n_items + 1, 2)}"


def add_sheet(wb: Workbook, rows: Sequence[JadwalRow]) -> None:
    """The sheet, placed before the history, read-only."""
    at = wb.sheetnames.index(SHEET_HISTORY) if SHEET_HISTORY in wb.sheetnames else None
    ws = wb.create_sheet(SHEET, at)
    _header(ws, COLUMNS)
    for r, row in enumerate(rows, start=2):
        for col, v in enumerate((row.judul, row.periode, row.role, row.due, row.case_id, row.on,
                                 "Terlambat" if row.late else "Terjadwal"), start=1):
            c = ws.cell(r, col)
            put_text(c, v)
            c.border = _BORDER
            c.font = Font(name=FONT, size=10)
            c.alignment = Alignment(vertical="top", wrap_text=col == 1)
        if row.late:
            for col in (4, 7):
                ws.cell(r, col).fill = _LATE_FILL
                ws.cell(r, col).font = Font(name=FONT, size=10, bold=True, color="9C0006")
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    ws.freeze_panes = "A2"
    ws.protection.sheet = True
    landscape_a4(ws)
    if SHEET_HELP in wb.sheetnames:
        gs = wb[SHEET_HELP]
        for line in HELP:
            put_text(gs.cell(gs.max_row + 1, 1), line)
