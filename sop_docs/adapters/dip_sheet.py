"""The DIP workbook (openpyxl): the list sheet, built anew, and the office's own sheet, kept.

`Daftar Informasi Publik` is written from the database every time (protected: nothing typed
there counts). `Tambahan Kantor` is the office's: made once, with its header and a Jenis dropdown,
then kept as the office saved it (and every other sheet it added); its rows are read as plain
values and a formula typed anywhere is written back as the text that was typed, so the file the
system serves never computes or fetches anything.
"""

from __future__ import annotations

import zipfile
from collections.abc import Mapping, Sequence
from copy import copy
from datetime import date, datetime
from io import BytesIO
from pathlib import Path

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sop_docs.adapters.register import FONT, MAX_REGISTER_BYTES, clean_text, landscape_a4, put_text
from sop_docs.adapters.safefs import NotRegular, open_regular
from sop_docs.adapters.sniff import zip_problem
from sop_docs.core.dip import JENIS_NAMES, DipRow, Signer

DIP_SHEET = "Daftar Informasi Publik"
OFFICE_SHEET = "Tambahan Kantor"
DOTS = "…………………………"

# (key, header) of the list's columns; Cetak and Online sit under "Bentuk Informasi yang Tersedia".
COLUMNS = (("no", "No"), ("ringkasan", "Ringkasan Isi Informasi"),
           ("pejabat", "Pejabat/Unit/Satker yang Menguasai Informasi"),
           ("penanggung_jawab", "Penanggung Jawab Pembuatan atau Penerbitan Informasi"),
           ("waktu_tempat", "Waktu dan Tempat Pembuatan Informasi"),
           ("cetak", "Cetak"), ("online", "Online"),
           ("retensi", "Jangka Waktu Penyimpanan atau Retensi Arsip"),
           ("keterangan", "Keterangan"))
WIDTHS = (5, 42, 26, 28, 22, 8, 8, 18, 26)
BENTUK = "Bentuk Informasi yang Tersedia"
HEADER_ROW = 5                     # and 6: Cetak / Online under Bentuk
# The office's sheet: Jenis first, then the list's columns but No.
OFFICE_COLUMNS = (("jenis", "Jenis"), *COLUMNS[1:])
OFFICE_HELP = ("Tulis di sini informasi publik yang tidak melalui SOP Pengumuman (mis. Renstra, "
               "peraturan, laporan keuangan), satu baris satu informasi. Jenis: Berkala, Serta Merta "
               "atau Setiap Saat (kosong = Setiap Saat). Baris ini ikut tercantum pada lembar "
               f"'{DIP_SHEET}' setiap kali daftar dibuat ulang; lembar ini tidak diubah sistem.")

_THIN = Side(style="thin", color="000000")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_HEAD_FILL = PatternFill("solid", fgColor="D9E1F2")
_GROUP_FILL = PatternFill("solid", fgColor="F2F2F2")


class Unreadable(Exception):
    """The file under the DIP's name is not a workbook openpyxl can read (kept aside, not lost)."""


def load(path: Path) -> Workbook | None:
    """The existing workbook, fully (its sheets are kept), or None when there is none. Read as the
    register's are: a regular file within the size and zip limits."""
    try:
        with open_regular(path) as f:
            data = f.read(MAX_REGISTER_BYTES + 1)
    except FileNotFoundError:
        return None
    except NotRegular as e:            # a link or a FIFO under the name: put aside like junk
        raise Unreadable(f"{path.name} is a {e.kind}, not a regular file") from e
    if len(data) > MAX_REGISTER_BYTES or zip_problem(data) is not None:
        raise Unreadable(f"{path.name} is too large or not a sound zip")
    try:
        return load_workbook(BytesIO(data))
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError,
            TypeError) as e:
        raise Unreadable(f"{path.name}: {type(e).__name__}: {e}") from e


def plain(value: object) -> str:
    """A cell's content as the text a person sees typed: a formula as its text, a date as
    dd/mm/yyyy, a whole number without '.0'."""
    if value is None:
        return ""
    if isinstance(value, datetime | date):
        return f"{value:%d/%m/%Y}"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    text = getattr(value, "text", None)           # ArrayFormula / DataTableFormula
    return clean_text(text if isinstance(text, str) else value)


def neutralise(wb: Workbook) -> None:
    """Every formula in the kept sheets becomes the text that was typed, and links to other
    workbooks are dropped: the served file computes and fetches nothing."""
    for ws in wb.worksheets:
        for cell in _stored(ws):
            if cell.data_type == "f" or not isinstance(
                    cell.value, str | int | float | bool | datetime | date | type(None)):
                put_text(cell, plain(cell.value))
    wb._external_links = []        # openpyxl has no public way


def _stored(ws: Worksheet) -> list[Cell]:
    """The cells the file holds, in row order. Not `iter_rows`: it makes every cell of the sheet's
    dimension, and one stray cell at XFD1048576 (a few kilobytes) claims 17 billion of them."""
    cells = ws._cells              # openpyxl has no public sparse view
    return [cells[k] for k in sorted(cells) if isinstance(cells[k], Cell)]


def office_rows(wb: Workbook | None) -> list[dict[str, str]]:
    """The office sheet's rows as {column key: text}, columns found by their header (the office
    may insert rows above or move columns)."""
    if wb is None or OFFICE_SHEET not in wb.sheetnames:
        return []
    names = {h.casefold(): k for k, h in OFFICE_COLUMNS}
    rows: dict[int, dict[int, object]] = {}
    for cell in _stored(wb[OFFICE_SHEET]):
        rows.setdefault(cell.row, {})[cell.column] = cell.value
    for r in range(1, 11):
        heads = {c: names[plain(v).strip().casefold()] for c, v in rows.get(r, {}).items()
                 if plain(v).strip().casefold() in names}
        if "ringkasan" in heads.values():
            break
    else:
        return []
    return [{key: plain(values.get(c)) for c, key in heads.items()}
            for n, values in rows.items() if n > r]


def office_sheet(wb: Workbook) -> None:
    """The office's sheet, made once: the help line, the header, a Jenis dropdown."""
    ws = wb.create_sheet(OFFICE_SHEET)
    put_text(ws.cell(1, 1), OFFICE_HELP)
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(OFFICE_COLUMNS))
    ws.cell(1, 1).alignment = Alignment(wrap_text=True, vertical="top")
    ws.cell(1, 1).font = Font(name=FONT, italic=True, size=10)
    ws.row_dimensions[1].height = 42
    for c, (_, head) in enumerate(OFFICE_COLUMNS, start=1):
        cell = ws.cell(2, c)
        put_text(cell, head)
        cell.font = Font(name=FONT, bold=True, size=10)
        cell.fill, cell.border = _HEAD_FILL, _BORDER
        cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
    for c, w in enumerate((14, *WIDTHS[1:]), start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    dv = DataValidation(type="list", formula1='"' + ",".join(JENIS_NAMES.values()) + '"',
                        allow_blank=True, showErrorMessage=False,
                        promptTitle="Jenis", prompt="Berkala / Serta Merta / Setiap Saat")
    dv.add("A3:A1048576")
    ws.add_data_validation(dv)
    ws.freeze_panes = "A3"


def build(wb: Workbook | None, year: int, office: str, groups: Sequence[tuple[str, str, str,
          Sequence[DipRow]]], signer: Signer, signed: str) -> Workbook:
    """The workbook to save: the list sheet anew (first), the office's and any other sheet as
    they were (formulas turned to text), the office's sheet made when missing."""
    if wb is None:
        wb = Workbook()
        wb.remove(wb.active)
    if DIP_SHEET in wb.sheetnames:
        wb.remove(wb[DIP_SHEET])
    neutralise(wb)
    ws = wb.create_sheet(DIP_SHEET, 0)
    wb.active = 0
    for sheet in wb.worksheets:
        sheet.sheet_view.tabSelected = sheet is ws
    _title(ws, year, office)
    _header(ws)
    r = _groups(ws, HEADER_ROW + 2, groups)
    _signature(ws, r + 1, signer, signed)
    for c, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(c)].width = w
    landscape_a4(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = f"{HEADER_ROW}:{HEADER_ROW + 1}"
    ws.freeze_panes = f"A{HEADER_ROW + 2}"
    ws.protection.sheet = True
    ws.protection.formatColumns = ws.protection.formatRows = False
    if OFFICE_SHEET not in wb.sheetnames:
        office_sheet(wb)
    return wb


def _title(ws: Worksheet, year: int, office: str) -> None:
    for r, text in enumerate(("DAFTAR INFORMASI PUBLIK", office.upper(), f"TAHUN {year}"),
                             start=1):
        cell = ws.cell(r, 1)
        put_text(cell, text)
        cell.font = Font(name=FONT, bold=True, size=13 if r == 1 else 11)
        cell.alignment = Alignment(horizontal="center")
        ws.merge_cells(start_row=r, start_column=1, end_row=r, end_column=len(COLUMNS))


def _header(ws: Worksheet) -> None:
    top, sub = HEADER_ROW, HEADER_ROW + 1
    for c, (key, head) in enumerate(COLUMNS, start=1):
        for r in (top, sub):
            cell = ws.cell(r, c)
            cell.font = Font(name=FONT, bold=True, size=10)
            cell.fill, cell.border = _HEAD_FILL, _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="center", horizontal="center")
        if key in ("cetak", "online"):
            put_text(ws.cell(sub, c), head)
        else:
            put_text(ws.cell(top, c), head)
            ws.merge_cells(start_row=top, start_column=c, end_row=sub, end_column=c)
    first = [k for k, _ in COLUMNS].index("cetak") + 1
    put_text(ws.cell(top, first), BENTUK)
    ws.merge_cells(start_row=top, start_column=first, end_row=top, end_column=first + 1)
    ws.row_dimensions[top].height = 45


def _groups(ws: Worksheet, r: int, groups: Sequence[tuple[str, str, str, Sequence[DipRow]]]
            ) -> int:
    """The groups from row `r`, each under its heading; the next free row."""
    styles: dict[int, StyleArray] = {}
    for _, letter, heading, rows in groups:
        put_text(ws.cell(r, 1), letter)
        put_text(ws.cell(r, 2), heading)
        ws.merge_cells(start_row=r, start_column=2, end_row=r, end_column=len(COLUMNS))
        for c in range(1, len(COLUMNS) + 1):
            cell = ws.cell(r, c)
            cell.font = Font(name=FONT, bold=True, size=10)
            cell.fill, cell.border = _GROUP_FILL, _BORDER
        r += 1
        if not rows:
            put_text(ws.cell(r, 2), "Belum ada informasi.")
            ws.cell(r, 2).font = Font(name=FONT, italic=True, size=10)
            r += 1
        for n, row in enumerate(rows, start=1):
            _row(ws, r, n, row, styles)
            r += 1
    return r


def _row(ws: Worksheet, r: int, n: int, row: DipRow, styles: dict[int, StyleArray]) -> None:
    """Row `r`. Each column's style is made once per build and copied (`styles`): assigning a
    Font and an Alignment to each cell costs openpyxl a hash of each, 2 ms a row, 40 s for the
    20,000 cases of a busy year."""
    values: Mapping[str, object] = {"no": n, **{k: getattr(row, k) for k, _ in COLUMNS[1:]}}
    longest = 1
    for c, (key, _) in enumerate(COLUMNS, start=1):
        cell = ws.cell(r, c)
        if c in styles:
            cell._style = copy(styles[c])
        else:
            cell.font = Font(name=FONT, size=10)
            cell.border = _BORDER
            cell.alignment = Alignment(wrap_text=True, vertical="top",
                                       horizontal="center" if key in ("no", "cetak", "online")
                                       else None)
            styles[c] = copy(cell._style)
        if key == "no":
            cell.value = n
        else:
            put_text(cell, values[key])
            longest = max(longest, -(-len(str(values[key])) // int(WIDTHS[c - 1] * 1.1)))
    ws.row_dimensions[r].height = 13.5 * min(longest, 10)


def _signature(ws: Worksheet, r: int, s: Signer, signed: str) -> None:
    """The PPID's block at the right: place and date, jabatan, room to sign, nama, NIP."""
    col = len(COLUMNS) - 2
    lines = [(signed, False), (s.jabatan, False), ("", False), ("", False), ("", False),
             (s.nama or DOTS, True), (s.pangkat, False), (f"NIP. {s.nip or DOTS}", False)]
    for i, (text, bold) in enumerate(lines):
        cell = ws.cell(r + i, col)
        put_text(cell, text)
        cell.font = Font(name=FONT, size=10, bold=bold, underline="single" if bold else None)
        cell.alignment = Alignment(horizontal="center", wrap_text=True, vertical="top")
        ws.merge_cells(start_row=r + i, start_column=col, end_row=r + i, end_column=len(COLUMNS))
    ws.row_dimensions[r + 1].height = 27
