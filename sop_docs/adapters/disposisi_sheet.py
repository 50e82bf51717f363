"""The Disposisi sheet of the Kabid/Kasubag's register: where the giver of the disposition chooses
its particulars (Perihal, Jenis, the letter it answers, to whom, the note) for every open case.

Like the rest of the register it is written anew from the database each time; a row whose values
differ from what the database holds was changed by a person. Only those cells are unlocked, dates
are real dates, Jenis and Diteruskan kepada offer a list, and text is written as text, never as a
formula.
A hidden column keeps what each row showed when written, so a row saved from a copy opened before
the case moved on counts only for the cells its giver changed, never for what it showed then.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, Protection
from openpyxl.utils.datetime import from_excel
from openpyxl.worksheet.datavalidation import DataValidation

from sop_docs.adapters.register import (
    _BORDER,
    _EDIT_FILL,
    FONT,
    SHEET_HELP,
    _header,
    clean_text,
    landscape_a4,
    open_workbook,
    protect,
    put_text,
)

SHEET = "Disposisi"
COLUMNS = ("No. Agenda", "Tahap", "Perihal", "Jenis", "Surat dari", "Nomor Surat",
           "Tanggal Surat", "Diteruskan kepada", "Catatan Disposisi", "Jadwal Berkala",
           "Pesan Sistem")
KEYS = ("judul", "jenis", "surat_dari", "nomor_surat", "tanggal_surat", "diteruskan", "catatan",
        "berkala")
FIRST_EDITABLE = 3                         # Perihal .. Jadwal Berkala
WRITTEN = len(COLUMNS) + 1                 # hidden: the row's values as written (JSON)
WIDTHS = (15, 22, 30, 12, 24, 20, 13, 24, 30, 28, 40)
BERKALA = FIRST_EDITABLE + KEYS.index("berkala")
OLD_WRITTEN = 11                # before the Jadwal Berkala column, Pesan Sistem was column 10
DATE_FORMAT = "dd/mm/yyyy"
HELP = [
    "Lembar 'Disposisi' (hanya di register Kabid/Kasubag): pilih rincian disposisi setiap kasus "
    "yang masih berjalan: Perihal, Jenis, Surat dari, Nomor Surat, Tanggal Surat (mis. "
    "23/11/2026), Diteruskan kepada, dan Catatan Disposisi. Tulis - bila tidak ada.",
    "Setelah register disimpan, Lembar Disposisi dibuat ulang dengan rincian itu di outbox "
    "Fungsional (yang lama tetap tersimpan). Rincian yang dibiarkan kosong dicetak sebagai "
    "garis titik-titik untuk diisi tangan, bukan ditebak sistem.",
    "Judul pengumuman (TENTANG) ditulis Fungsional pada tabel Rincian di konsep; pemeriksa boleh "
    "memperbaikinya langsung di konsep. Perihal dan Jenis di lembar ini hanya dapat diubah "
    "sebelum konsep disampaikan.",
    "Kolom 'Jadwal Berkala': pilih informasi berkala (daftar [[berkala]] di sop.toml, lihat lembar "
    "'Jadwal Berkala') yang dipenuhi kasus ini; dapat dipilih selama kasus berjalan. Bila "
    "dibiarkan kosong, kasus Jenis Berkala yang Perihalnya sama persis dengan judul jadwal "
    "dianggap memenuhinya.",
]


@dataclass(frozen=True)
class DisposisiRow:
    """One open case as the sheet shows it; `values` by key (KEYS), dates as dates."""

    case_id: str
    step: str
    values: dict[str, str | date | None]
    message: str


@dataclass(frozen=True)
class DisposisiCell:
    """What a row holds when read back: the values by key, as text ('' for an empty cell), and
    what the row showed when it was written (None when that cannot be read)."""

    case_id: str
    row: int
    values: dict[str, str]
    written: dict[str, str] | None = None


def as_text(values: dict[str, str | date | None]) -> dict[str, str]:
    """A row's values as the sheet reads them back ('' for none, a date as ISO)."""
    return {k: "" if v is None else v.isoformat() if isinstance(v, date) else str(v)
            for k, v in values.items()}


def add_sheet(wb: Workbook, rows: Sequence[DisposisiRow], kinds: Sequence[str],
              people: Sequence[str], berkala: str | None = None) -> None:
    """The sheet, placed second (after the open cases), with its lists; `berkala` is where the
    items of the schedule are listed (None: the office lists none, the column stays locked)."""
    ws = wb.create_sheet(SHEET, 1)
    _header(ws, COLUMNS)
    for r, row in enumerate(rows, start=2):
        put_text(ws.cell(r, 1), row.case_id)
        put_text(ws.cell(r, 2), row.step)
        for col, key in enumerate(KEYS, start=FIRST_EDITABLE):
            c = ws.cell(r, col)
            v = row.values.get(key)
            if isinstance(v, date):
                c.value = datetime(v.year, v.month, v.day)
                c.number_format = DATE_FORMAT
            else:
                put_text(c, v or "")
                if key != "tanggal_surat":
                    c.number_format = "@"     # typed as text: '0123' keeps its zero, '1-2' no date
            if key != "berkala" or berkala:
                c.protection = Protection(locked=False)
                c.fill = _EDIT_FILL
        put_text(ws.cell(r, len(COLUMNS)), row.message)
        put_text(ws.cell(r, WRITTEN), json.dumps({"id": row.case_id, **as_text(row.values)},
                                                 ensure_ascii=False))
        for col in range(1, len(COLUMNS) + 1):
            c = ws.cell(r, col)
            c.border = _BORDER
            c.alignment = Alignment(vertical="top", wrap_text=col in (3, 5, 8, 9, 10, 11))
            if not c.font.b:
                c.font = Font(name=FONT, size=10)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    last = max(len(rows) + 1, 2)
    _choices(ws, "D", last, kinds, "Jenis", strict=True)
    if people:
        _choices(ws, "H", last, people, "Diteruskan kepada", strict=False)
    if berkala:
        dv = DataValidation(type="list", formula1=berkala, allow_blank=True,
                            showErrorMessage=True, errorTitle="Jadwal Berkala",
                            error="Pilih salah satu judul pada lembar Jadwal Berkala, atau "
                                  "kosongkan.")
        col = ws.cell(1, BERKALA).column_letter
        dv.add(f"{col}2:{col}{max(last, 200)}")
        ws.add_data_validation(dv)
    ws.column_dimensions[ws.cell(1, WRITTEN).column_letter].hidden = True
    protect(ws)
    landscape_a4(ws)
    if SHEET_HELP in wb.sheetnames:
        gs = wb[SHEET_HELP]
        for line in HELP:
            put_text(gs.cell(gs.max_row + 1, 1), line)


def _choices(ws, col: str, last: int, values: Sequence[str], title: str, *, strict: bool) -> None:  # type: ignore[no-untyped-def]
    """A dropdown; `strict` refuses anything else (the list itself must be short and plain)."""
    listed = [v.replace('"', "'").replace(",", " ") for v in values if v]
    if not listed or sum(len(v) + 1 for v in listed) > 250:
        return
    dv = DataValidation(type="list", formula1='"' + ",".join(listed) + '"', allow_blank=True,
                        showErrorMessage=strict, errorTitle=title,
                        error=f"Pilih salah satu: {', '.join(listed)}.")
    dv.add(f"{col}2:{col}{max(last, 200)}")
    ws.add_data_validation(dv)


def _text(v: object) -> str:
    if isinstance(v, datetime):
        return v.date().isoformat()
    if isinstance(v, date):
        return v.isoformat()
    if isinstance(v, float) and v.is_integer():
        v = int(v)
    return clean_text(v).strip()


def _date(v: object) -> str:
    """A date cell: a bare number is a date whose format was lost (pasted values), not a text."""
    if isinstance(v, (int, float)) and not isinstance(v, bool) and 1 <= v < 2958466:
        return from_excel(v).date().isoformat()
    return _text(v)


def _sheet(wb):  # type: ignore[no-untyped-def]
    """The Disposisi sheet, found by its name or, renamed, by its header row."""
    if SHEET in wb.sheetnames:
        return wb[SHEET]
    for ws in wb.worksheets:
        header = next(ws.iter_rows(max_row=1, max_col=len(COLUMNS), values_only=True), ())
        if tuple(_text(v) for v in header) == COLUMNS:
            return ws
    return None


def read(path) -> list[DisposisiCell]:  # type: ignore[no-untyped-def]
    """Every row of the sheet; [] when the register or its sheet cannot be read."""
    wb = open_workbook(path)
    if wb is None:
        return []
    try:
        ws = _sheet(wb)
        if ws is None:
            return []
        ws.reset_dimensions()
        header = next(ws.iter_rows(max_row=1, max_col=BERKALA, values_only=True), ())
        old = len(header) < BERKALA or _text(header[BERKALA - 1]) != COLUMNS[BERKALA - 1]
        written = OLD_WRITTEN if old else WRITTEN     # a sheet written before the column
        out = []
        for i, row in enumerate(ws.iter_rows(min_row=2, max_col=WRITTEN, values_only=True),
                                start=2):
            cells = list(row) + [None] * (WRITTEN - len(row))
            if not cells[0]:
                continue
            values = {k: _date(cells[col - 1]) if k == "tanggal_surat" else
                      "" if k == "berkala" and old else _text(cells[col - 1])
                      for col, k in enumerate(KEYS, start=FIRST_EDITABLE)}
            case_id = _text(cells[0])
            out.append(DisposisiCell(case_id, i, values, _written(cells[written - 1], case_id)))
        return out
    finally:
        wb.close()


def _written(cell: object, case_id: str) -> dict[str, str] | None:
    """The row's values as written, if the hidden cell still holds them for this case (a sort
    that left it behind, or a hand that changed it, gives None)."""
    try:
        d = json.loads(cell) if isinstance(cell, str) else None
    except ValueError:
        return None
    if not isinstance(d, dict) or d.get("id") != case_id:
        return None
    return {k: str(d.get(k, "")) for k in KEYS}
