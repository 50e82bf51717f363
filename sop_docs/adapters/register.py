"""The register workbook (`register.xlsx`): a projection of the database plus the decision channel.

Reviewers type only in Keputusan and Catatan; everything else is regenerated from the database each
time. Decisions are harvested first (read-only), and the new workbook replaces the old one only if
nobody has it open and it has not changed since it was read, so a decision saved by a person is never
overwritten. Text from documents is always written as text, never as a formula.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path
from urllib.parse import quote

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Protection, Side
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from sop_docs.adapters import share, workbook
from sop_docs.adapters.blobs import fsync_dir, sha256_file
from sop_docs.adapters.safefs import NotRegular, office_lock, open_regular
from sop_docs.adapters.sniff import zip_problem
from sop_docs.core.case import DECISIONS
from sop_docs.core.decisions import normalise_decision

COLUMNS = ("No. Agenda", "Tanggal Masuk", "Perihal", "Jenis", "Tahap", "Posisi", "Dokumen",
           "Batas Waktu", "Status Waktu", "Keputusan", "Catatan", "Pesan Sistem", "Kode Tahap")
WIDTHS = (15, 15, 28, 11, 22, 13, 26, 15, 12, 13, 22, 36, 4)   # fits A4 landscape at ~70 %
WRAPPED = (3, 5, 7, 11, 12)
LINE_HEIGHT = 13.5
FONT = "Calibri"          # Excel's own; LibreOffice shows it as the metric-compatible Carlito
SHEET_OPEN = "Kasus Terbuka"
SHEET_HISTORY = "Riwayat"
SHEET_HELP = "Petunjuk"
SHEET_NOTICES = "Pemberitahuan"
NOTICE_COLUMNS = ("Waktu", "Untuk", "No. Agenda", "Berkas", "Pesan Sistem")
HISTORY_COLUMNS = ("Waktu", "No. Agenda", "Tahap", "Oleh", "Kejadian", "Keputusan", "Catatan",
                   "Pesan Sistem")
KEPUTUSAN, CATATAN, PESAN, TOKEN = 10, 11, 12, 13
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
DATE_FORMAT = "dd/mm/yyyy hh:mm"

HELP = [
    "Cara memakai register ini",
    "1. Setiap baris pada lembar 'Kasus Terbuka' adalah satu kasus yang masih berjalan.",
    "2. Buka dokumen pada kolom 'Dokumen' (atau dari folder outbox peran Anda), periksa, dan bila "
    "perlu perbaiki langsung lalu simpan.",
    "3. Pilih keputusan pada kolom 'Keputusan': Sesuai, Belum Sesuai, atau Selesai (tahap publikasi). "
    "Tulis catatan pada kolom 'Catatan' bila ada.",
    "4. Simpan dan tutup register. Sistem menjalankan keputusan dan menjawab di kolom 'Pesan Sistem'.",
    "Hanya kolom Keputusan dan Catatan yang dapat diubah. Riwayat lengkap ada pada lembar 'Riwayat'.",
    "Berkas yang tidak dapat diproses dipindahkan ke folder quarantine/ dengan catatan; daftarnya "
    "ada pada lembar 'Pemberitahuan'.",
]
MARKED_HELP = ("PERHATIAN: sop.toml masih berisi data contoh (logo, nama/NIP pejabat, alamat). "
               "Setiap dokumen yang dibuat sistem diberi tanda \"{mark}\" dan tidak boleh "
               "dipakai sebagai naskah resmi. Minta administrator mengganti data contoh itu "
               "(daftarnya: `sop-docs check`) lalu menjalankan ulang layanan.")


@dataclass(frozen=True)
class RegisterRow:
    case_id: str
    opened_at: datetime
    subject: str
    kind: str
    step: str
    holder: str
    document: str | None          # workspace-relative path of the current document
    deadline: datetime | None
    late: bool
    message: str
    token: str
    catatan: str = ""
    keputusan: str = ""           # a decision held for another try after a fault of the service


@dataclass(frozen=True)
class HistoryRow:
    at: datetime
    case_id: str
    step: str
    by: str
    what: str
    decision: str
    catatan: str
    message: str


@dataclass(frozen=True)
class Notice:
    """A file that could not be taken in (last 30 days): who saved it where, and what to do."""

    at: datetime
    role: str
    case_id: str
    file: str
    message: str


@dataclass(frozen=True)
class DecisionCell:
    case_id: str
    token: str
    keputusan: str
    catatan: str
    row: int
    misplaced: str = ""       # a decision typed into Pesan Sistem instead of Keputusan
    source: str = "register.xlsx"   # the workbook it was typed in


def clean_text(value: object) -> str:
    return ILLEGAL_CHARACTERS_RE.sub("", "" if value is None else str(value))


def put_text(cell: Cell, value: object) -> None:
    """Write text that can never become a formula or an error value."""
    text = clean_text(value)
    cell.value = text
    cell.data_type = "s"
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


# The largest register read; a bigger one is not an honest register.
MAX_REGISTER_BYTES = 50 * 2**20


def file_hash(path: Path) -> str | None:
    """The register's content hash; None when it is missing, a marker when it is not a regular
    file (a link or a FIFO is never read, and a write replaces the name, not what it points at)."""
    try:
        return sha256_file(path)
    except FileNotFoundError:
        return None
    except NotRegular as e:
        return f"not-regular:{e.kind}"


def is_open(path: Path) -> bool:
    """Excel or LibreOffice has the register open: a lock file beside it younger than 12 hours
    (an older one is a crashed session's leftover, or the register would never be written)."""
    return office_lock(path) is not None


def open_workbook(path: Path):  # type: ignore[no-untyped-def]
    """The workbook, read-only, if `path` is an honest workbook (regular file, within the size and
    zip limits, readable by openpyxl); else None. Every workbook from the share is opened here."""
    try:
        with open_regular(path) as f:
            data = f.read(MAX_REGISTER_BYTES + 1)
    except OSError:
        return None
    if len(data) > MAX_REGISTER_BYTES or zip_problem(data) is not None:
        return None
    try:
        return load_workbook(BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError):
        return None


def readable(path: Path) -> bool:
    """The register opens as a workbook with its open-cases sheet (not an ODS or CSV saved under
    the .xlsx name, not a damaged file)."""
    wb = open_workbook(path)
    if wb is None:
        return False
    try:
        return SHEET_OPEN in wb.sheetnames
    finally:
        wb.close()


def _open_rows(path: Path, max_col: int) -> Iterator[tuple[int, tuple[object, ...]]]:
    """(row number, values) of every row below the header of the open-cases sheet; nothing for a
    missing or unreadable register."""
    wb = open_workbook(path)
    if wb is None:
        return
    try:
        if SHEET_OPEN not in wb.sheetnames:
            return
        ws = wb[SHEET_OPEN]
        ws.reset_dimensions()
        yield from enumerate(ws.iter_rows(min_row=2, max_col=max_col, values_only=True), start=2)
    finally:
        wb.close()


def case_ids(path: Path) -> list[str]:
    """The No. Agenda of every row of the open-cases sheet ([] for a missing or unreadable file)."""
    return [str(r[0]).strip() for _, r in _open_rows(path, 1) if r and r[0]]


def read_decisions(path: Path) -> list[DecisionCell]:
    """Every row with something typed in Keputusan or Catatan, or a decision typed into Pesan
    Sistem; [] for a missing or unreadable file (a link, a FIFO, an oversize file or a zip bomb is
    never opened by openpyxl)."""
    out: list[DecisionCell] = []
    for i, row in _open_rows(path, TOKEN):
        cells = list(row) + [None] * (TOKEN - len(row))
        case_id, keputusan, catatan, pesan, token = (
            cells[0], cells[KEPUTUSAN - 1], cells[CATATAN - 1], cells[PESAN - 1], cells[TOKEN - 1])
        misplaced = clean_text(pesan).strip() if normalise_decision(pesan) else ""
        if not case_id or (keputusan in (None, "") and catatan in (None, "") and not misplaced):
            continue
        out.append(DecisionCell(str(case_id).strip(), str(token or "").strip(),
                                clean_text(keputusan).strip(), clean_text(catatan).strip(), i,
                                misplaced))
    return out


def _header(ws: Worksheet, names: Sequence[str]) -> None:
    fill = PatternFill("solid", fgColor="1F4E78")
    for col, name in enumerate(names, start=1):
        c = ws.cell(row=1, column=col, value=name)
        c.font = Font(name=FONT, bold=True, color="FFFFFF")
        c.fill = fill
        c.alignment = Alignment(vertical="center", wrap_text=True)
    ws.row_dimensions[1].height = 30


def _history_sheet(wb: Workbook, title: str, history: Sequence[HistoryRow]) -> None:
    hs = wb.create_sheet(title)
    _header(hs, HISTORY_COLUMNS)
    for r, h in enumerate(history, start=2):
        hs.cell(r, 1, h.at).number_format = DATE_FORMAT
        for col, v in enumerate((h.case_id, h.step, h.by, h.what, h.decision, h.catatan,
                                 h.message), start=2):
            put_text(hs.cell(r, col), v)
    for i, w in enumerate((17, 16, 32, 16, 30, 14, 36, 60), start=1):
        hs.column_dimensions[hs.cell(1, i).column_letter].width = w
    hs.freeze_panes = "A2"
    hs.protection.sheet = True


_THIN = Side(style="thin", color="BFBFBF")
_BORDER = Border(left=_THIN, right=_THIN, top=_THIN, bottom=_THIN)
_LATE_FILL = PatternFill("solid", fgColor="F8CBAD")
_EDIT_FILL = PatternFill("solid", fgColor="FFF2CC")


def build(rows: Sequence[RegisterRow], history: Sequence[HistoryRow],
          notices: Sequence[Notice] = (), *, decide_in: str | None = None,
          marked: str | None = None) -> Workbook:
    """The register: open cases (the decision channel), notices, history and help, in that order.
    With `decide_in` (where each role decides instead) it is an overview: nothing to type.
    `marked` is the mark every document carries while sop.toml holds example values: said first
    in the help sheet."""
    wb = Workbook()
    ws = wb.active
    ws.title = SHEET_OPEN
    _header(ws, COLUMNS)
    for r, row in enumerate(rows, start=2):
        _case_values(ws, r, row, editable=decide_in is None)
        _case_look(ws, r)
    for i, w in enumerate(WIDTHS, start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    ws.column_dimensions["M"].hidden = True
    _decision_channel(ws, len(rows), choose=decide_in is None)
    _print_setup(ws)
    _notices_sheet(wb, notices)
    _history_sheet(wb, SHEET_HISTORY, history)
    _help_sheet(wb, decide_in, marked)
    return wb


def _case_values(ws: Worksheet, r: int, row: RegisterRow, *, editable: bool = True) -> None:
    """Row `r` of the open-cases sheet: the case's values, its document linked, lateness marked,
    and the two cells a reviewer may type in unlocked and tinted."""
    put_text(ws.cell(r, 1), row.case_id)
    ws.cell(r, 2, row.opened_at).number_format = DATE_FORMAT
    put_text(ws.cell(r, 3), row.subject)
    put_text(ws.cell(r, 4), row.kind)
    put_text(ws.cell(r, 5), row.step)
    put_text(ws.cell(r, 6), row.holder)
    doc = ws.cell(r, 7)
    if row.document:
        put_text(doc, Path(row.document).name)
        doc.hyperlink = quote(row.document, safe="/")
        doc.font = Font(name=FONT, size=10, color="0563C1", underline="single")
    if row.deadline is not None:
        ws.cell(r, 8, row.deadline).number_format = DATE_FORMAT
    status = ws.cell(r, 9)
    put_text(status, "Terlambat" if row.late else "Tepat Waktu")
    if row.late:
        status.fill = _LATE_FILL
        status.font = Font(name=FONT, size=10, bold=True, color="9C0006")
    if row.catatan:
        put_text(ws.cell(r, CATATAN), row.catatan)
    if row.keputusan:
        put_text(ws.cell(r, KEPUTUSAN), row.keputusan)
    put_text(ws.cell(r, 12), row.message)
    put_text(ws.cell(r, TOKEN), row.token)
    for col in (KEPUTUSAN, CATATAN) if editable else ():
        c = ws.cell(r, col)
        c.protection = Protection(locked=False)
        c.fill = _EDIT_FILL


def _case_look(ws: Worksheet, r: int) -> None:
    """Borders, the default font, wrapping, and a row tall enough for its wrapped text."""
    lines = 1
    for col in range(1, TOKEN + 1):
        c = ws.cell(r, col)
        c.border = _BORDER
        if not c.font.color and not c.font.b:
            c.font = Font(name=FONT, size=10)
        c.alignment = Alignment(vertical="top", wrap_text=col in WRAPPED)
        if col in WRAPPED and c.value:
            lines = max(lines, -(-len(str(c.value)) // int(WIDTHS[col - 1] * 1.1)))
    # neither Excel nor LibreOffice grows a row for wrapped text it did not write itself
    ws.row_dimensions[r].height = LINE_HEIGHT * min(lines, 8)


def _decision_channel(ws: Worksheet, n_rows: int, *, choose: bool = True) -> None:
    """Only Keputusan (from a list) and Catatan can be typed in (with `choose`; else nothing can);
    filtering and sorting still work."""
    if choose:
        dv = DataValidation(type="list", formula1='"' + ",".join(DECISIONS) + '"',
                            allow_blank=True, showErrorMessage=True, errorTitle="Keputusan",
                            error="Pilih Sesuai, Belum Sesuai, atau Selesai.",
                            promptTitle="Keputusan", prompt="Sesuai / Belum Sesuai / Selesai")
        dv.add("J2:J1048576")
        ws.add_data_validation(dv)
    protect(ws)
    ws.auto_filter.ref = f"A1:L{max(n_rows + 1, 2)}"


def protect(ws: Worksheet) -> None:
    """Locked but for the unlocked cells; filtering, sorting and resizing still work; the first
    column and the header stay in view."""
    ws.freeze_panes = "B2"
    ws.protection.sheet = True
    ws.protection.autoFilter = False
    ws.protection.sort = False
    ws.protection.formatColumns = False
    ws.protection.formatRows = False


def landscape_a4(ws: Worksheet) -> None:
    """Printed on A4 landscape, one page wide."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


def _print_setup(ws: Worksheet) -> None:
    """A4 landscape, one page wide, the header row repeated on every page."""
    landscape_a4(ws)
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.5
    ws.print_title_rows = "1:1"


def _notices_sheet(wb: Workbook, notices: Sequence[Notice]) -> None:
    """The files that could not be taken in, read-only."""
    ns = wb.create_sheet(SHEET_NOTICES)
    _header(ns, NOTICE_COLUMNS)
    for r, n in enumerate(notices, start=2):
        ns.cell(r, 1, n.at).number_format = DATE_FORMAT
        for col, v in enumerate((n.role, n.case_id, n.file, n.message), start=2):
            put_text(ns.cell(r, col), v)
            ns.cell(r, col).alignment = Alignment(vertical="top", wrap_text=col in (4, 5))
    for i, w in enumerate((17, 16, 16, 45, 80), start=1):
        ns.column_dimensions[ns.cell(1, i).column_letter].width = w
    ns.freeze_panes = "A2"
    ns.protection.sheet = True


def _help_sheet(wb: Workbook, decide_in: str | None = None, marked: str | None = None) -> None:
    """How to use the register, in Indonesian, read-only; a warning first while the documents
    are marked as not official."""
    gs = wb.create_sheet(SHEET_HELP)
    lines = HELP if decide_in is None else [
        HELP[0], "Register ini adalah ikhtisar semua kasus yang masih berjalan; di sini tidak ada "
        "yang perlu diisi.", f"Keputusan dipilih di register peran masing-masing: {decide_in}.",
        "Di sana hanya pemegang peran itu yang dapat menyimpan, sehingga keputusan tercatat atas "
        "nama orang yang mengambilnya.", *HELP[1:]]
    warning = [MARKED_HELP.format(mark=marked), ""] if marked else []
    for r, line in enumerate([*warning, *lines], start=1):
        put_text(gs.cell(r, 1), line)
    if warning:
        gs["A1"].font = Font(name=FONT, bold=True, color="C00000")
        gs["A1"].alignment = Alignment(wrap_text=True, vertical="top")
        gs.row_dimensions[1].height = 3 * LINE_HEIGHT
    title = f"A{len(warning) + 1}"
    gs[title].font = Font(name=FONT, bold=True, size=13)
    gs.column_dimensions["A"].width = 110
    gs.protection.sheet = True


YEAR_COLUMNS = ("No. Agenda", "Tanggal Masuk", "Perihal", "Jenis", "Status", "Tahap Terakhir",
                "Nomor Pengumuman", "Tanggal Selesai")


def build_year(year: int, cases: Sequence[Sequence[object]], history: Sequence[HistoryRow]) -> Workbook:
    """The year's register: every case of the year and every event, kept when cases close."""
    wb = Workbook()
    ws = wb.active
    ws.title = f"Kasus {year}"
    _header(ws, YEAR_COLUMNS)
    for r, values in enumerate(cases, start=2):
        for col, v in enumerate(values, start=1):
            if isinstance(v, datetime):
                ws.cell(r, col, v).number_format = DATE_FORMAT
            else:
                put_text(ws.cell(r, col), v)
    for i, w in enumerate((16, 17, 40, 12, 10, 32, 30, 17), start=1):
        ws.column_dimensions[ws.cell(1, i).column_letter].width = w
    ws.freeze_panes = "B2"
    ws.protection.sheet = True
    _history_sheet(wb, f"Riwayat {year}", history)
    return wb


def write(path: Path, wb: Workbook, *, expected_hash: str | None, writable: bool = True,
          group: str | None = None) -> bool:
    """Replace the register unless it is open or changed since it was read; False means try later."""
    if is_open(path):
        return False
    fd, name = tempfile.mkstemp(prefix=".register.", suffix=".tmp", dir=path.parent)
    tmp = Path(name)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(workbook.to_bytes(wb))
            f.flush()
            share.apply(f.fileno(), writable=writable, group=group)
            os.fsync(f.fileno())
        if is_open(path) or file_hash(path) != expected_hash:
            tmp.unlink()
            return False
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)
    return True
