"""Build the Word templates of sop-docs (and the placeholder logo) with python-docx.

Why a script: the templates are committed as .docx, but a binary file cannot be reviewed or merged.
This script is their source. Every docxtpl tag is written into one run, so Word's run splitting
never breaks a tag in the shipped files (PITFALLS.md §3.1). Offices may later restyle the copies in
their workspace in Word; the ones in the package are regenerated from here.

Layout follows the Indonesian pemda forms (DOMAIN.md §1, §2): a kop naskah dinas (logo at left,
government and office name, address, the closing double rule), A4 paper, Arial (Liberation Sans in
LibreOffice, metric-compatible).

Run:  python tools/build_templates.py   (writes sop_docs/templates/*.docx and logo.png)
"""

from __future__ import annotations

import math
import struct
import sys
import zipfile
import zlib
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_TAB_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

OUT = Path(__file__).resolve().parent.parent / "sop_docs" / "templates"
FONT = "Arial"
SYMBOL_FONT = "Segoe UI Symbol"  # has ☐/☒ in Word; LibreOffice falls back to DejaVu Sans
TEXT_WIDTH = Cm(16.5)  # A4 21 cm - 2.5 cm left - 2 cm right

# The separator between the concept's heading block and its body; docx.render_pengumuman keeps only
# what follows it. Keep these in sync with sop_docs/adapters/docx.py.
BODY_BOOKMARK = "sop_isi_pengumuman"
BODY_MARKER = "ISI PENGUMUMAN"
PROMPT_OPENING = "[Tulis pembuka: alasan dan dasar pengumuman ini. Hapus petunjuk ini.]"
PROMPT_SECTION = "[Tulis uraian bagian ini di sini. Hapus petunjuk ini.]"


# --------------------------------------------------------------------------- low-level helpers


def new_document(title: str) -> Document:
    doc = Document()
    sec = doc.sections[0]
    sec.orientation = WD_ORIENT.PORTRAIT
    sec.page_width, sec.page_height = Cm(21.0), Cm(29.7)
    sec.top_margin, sec.bottom_margin = Cm(1.5), Cm(2.0)
    sec.left_margin, sec.right_margin = Cm(2.5), Cm(2.0)
    sec.header_distance, sec.footer_distance = Cm(1.0), Cm(1.0)
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    _set_east_asia(normal.element.get_or_add_rPr(), FONT)
    normal.paragraph_format.space_before = Pt(0)
    normal.paragraph_format.space_after = Pt(0)
    normal.paragraph_format.line_spacing = 1.0
    props = doc.core_properties
    props.title = title
    props.author = "sop-docs"
    props.last_modified_by = "sop-docs"
    props.comments = "Templat docxtpl; sumber: tools/build_templates.py"
    props.language = "id-ID"
    props.subject = ""
    props.identifier = ""
    props.keywords = ""
    props.revision = 1
    _set_language(normal.element.get_or_add_rPr())
    # python-docx's default document starts with one empty paragraph? It does not; nothing to clear.
    return doc


def _set_east_asia(rpr, font: str) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(attr), font)


def _set_language(rpr) -> None:
    lang = OxmlElement("w:lang")
    lang.set(qn("w:val"), "id-ID")
    rpr.append(lang)


def run(
    p: Paragraph,
    text: str,
    *,
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    font: str | None = None,
    spacing: float | None = None,
    color: RGBColor | None = None,
):
    r = p.add_run(text)
    r.bold = bold or None
    r.italic = italic or None
    r.underline = underline or None
    if size:
        r.font.size = Pt(size)
    if font:
        r.font.name = font
        _set_east_asia(r._element.get_or_add_rPr(), font)
    if color is not None:
        r.font.color.rgb = color
    if spacing:
        sp = OxmlElement("w:spacing")
        sp.set(qn("w:val"), str(int(spacing * 20)))
        r._element.get_or_add_rPr().append(sp)
    return r


def para(
    container,
    text: str = "",
    *,
    align: str = "left",
    bold: bool = False,
    italic: bool = False,
    underline: bool = False,
    size: float | None = None,
    before: float = 0,
    after: float = 0,
    left: Cm | None = None,
    hanging: Cm | None = None,
    tabs: tuple[Cm, ...] = (),
    color: RGBColor | None = None,
) -> Paragraph:
    """Add a paragraph to a document or a table cell (a cell's first empty paragraph is reused)."""
    first = container.paragraphs[0] if isinstance(container, _Cell) else None
    if first is not None and len(container.paragraphs) == 1 and first._p.pPr is None and not (first.runs):
        p = first
    else:
        p = container.add_paragraph()
    fmt = p.paragraph_format
    fmt.alignment = {
        "left": WD_ALIGN_PARAGRAPH.LEFT,
        "center": WD_ALIGN_PARAGRAPH.CENTER,
        "right": WD_ALIGN_PARAGRAPH.RIGHT,
        "justify": WD_ALIGN_PARAGRAPH.JUSTIFY,
    }[align]
    fmt.space_before, fmt.space_after = Pt(before), Pt(after)
    if left is not None:
        fmt.left_indent = left
    if hanging is not None:
        fmt.first_line_indent = -hanging
    for pos in tabs:
        fmt.tab_stops.add_tab_stop(pos, WD_TAB_ALIGNMENT.LEFT)
    if text:
        run(p, text, bold=bold, italic=italic, underline=underline, size=size, color=color)
    return p


def field(container, label: str, tag: str, *, tab: Cm, size: float = 11, bold_value=False):
    """A `Label : value` line with the value wrapping under itself (tab + hanging indent)."""
    value_at = tab + Cm(0.35)
    p = para(container, left=value_at, hanging=value_at, tabs=(tab, value_at))
    run(p, label, size=size)
    run(p, "\t:\t", size=size)
    run(p, tag, size=size, bold=bold_value)
    return p


def rule(p: Paragraph, *, style: str = "thickThinSmallGap", size: int = 24, side: str = "bottom"):
    """Put a border line under (or over) a paragraph: the kop's closing double rule."""
    ppr = p._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    edge = OxmlElement(f"w:{side}")
    edge.set(qn("w:val"), style)
    edge.set(qn("w:sz"), str(size))
    edge.set(qn("w:space"), "1")
    edge.set(qn("w:color"), "000000")
    bdr.append(edge)
    # pBdr must come before spacing/ind/jc in CT_PPr's sequence.
    anchor = None
    for name in ("w:shd", "w:tabs", "w:suppressAutoHyphens", "w:spacing", "w:ind", "w:jc"):
        anchor = ppr.find(qn(name))
        if anchor is not None:
            break
    if anchor is not None:
        anchor.addprevious(bdr)
    else:
        ppr.append(bdr)


def bookmark(p: Paragraph, name: str, bid: int = 90) -> None:
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(bid))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(bid))
    p._p.insert(1 if p._p.pPr is not None else 0, start)
    p._p.append(end)


def table(doc, rows: int, widths: list[Cm], *, borders: bool = True) -> Table:
    t = doc.add_table(rows=rows, cols=len(widths))
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    t.autofit = False
    if borders:
        t.style = doc.styles["Table Grid"]
    else:
        _no_borders(t)
    tblw = t._tbl.tblPr.find(qn("w:tblW"))
    if tblw is None:
        tblw = OxmlElement("w:tblW")
        t._tbl.tblPr.append(tblw)
    tblw.set(qn("w:w"), str(int(sum(w for w in widths) / 635)))
    tblw.set(qn("w:type"), "dxa")
    for i, w in enumerate(widths):
        t.columns[i].width = w
        for cell in t.columns[i].cells:
            cell.width = w
    _cell_margins(t, top=60, bottom=60, left=100, right=100)
    return t


def _no_borders(t: Table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        e = OxmlElement(f"w:{edge}")
        e.set(qn("w:val"), "nil")
        borders.append(e)
    t._tbl.tblPr.append(borders)


def _cell_margins(t: Table, **dxa: int) -> None:
    mar = OxmlElement("w:tblCellMar")
    for side in ("top", "left", "bottom", "right"):
        e = OxmlElement(f"w:{side}")
        e.set(qn("w:w"), str(dxa[side]))
        e.set(qn("w:type"), "dxa")
        mar.append(e)
    t._tbl.tblPr.append(mar)


def valign_center(cell: _Cell) -> None:
    v = OxmlElement("w:vAlign")
    v.set(qn("w:val"), "center")
    cell._tc.get_or_add_tcPr().append(v)


# --------------------------------------------------------------------------- shared blocks


def kop(doc) -> None:
    """Kop naskah dinas: logo left, centred government/office/address lines, double rule under."""
    t = table(doc, 1, [Cm(2.6), Cm(13.9)], borders=False)
    logo_cell, text_cell = t.rows[0].cells
    valign_center(logo_cell)
    p = para(logo_cell, align="center")
    run(p, "{{ logo }}")
    para(text_cell, "{{ kantor.pemerintah }}", align="center", bold=True, size=14)
    para(text_cell, "{{ kantor.nama }}", align="center", bold=True, size=15)
    p = para(text_cell, align="center", size=10)
    run(p, "{{ kantor.alamat }}", size=10)
    run(p, ", Telepon {{ kantor.telepon }}", size=10)
    p = para(text_cell, align="center")
    run(p, "Laman {{ kantor.laman }}", size=10)
    run(p, ", Pos-el {{ kantor.email }}", size=10)
    p = para(text_cell, align="center")
    run(p, "{{ kantor.kota|upper }}", bold=True, size=11, spacing=3)
    run(p, "   Kode Pos {{ kantor.kode_pos }}", size=10)
    p = para(doc, size=4)
    p.paragraph_format.line_spacing = Pt(4)
    rule(p)
    para(doc)


SIGNATURE_INDENT = Cm(8.5)


def signature(
    doc,
    *,
    place_date: str,
    jabatan: str,
    nama: str | None,
    pangkat: str | None,
    nip: str | None,
    left: Cm = SIGNATURE_INDENT,
    before: float = 12,
    space_lines: int = 4,
) -> None:
    """The bagian akhir: place/date, jabatan in capitals ending with a comma, name, pangkat, NIP."""
    para(doc, place_date, left=left, before=before)
    para(doc, jabatan, left=left)
    for _ in range(space_lines):
        para(doc, left=left)
    if nama:
        para(doc, nama, left=left, bold=True, underline=True)
    if pangkat:
        para(doc, pangkat, left=left)
    if nip:
        para(doc, nip, left=left)


# --------------------------------------------------------------------------- the templates


def lembar_disposisi() -> Document:
    doc = new_document("Lembar Disposisi")
    kop(doc)
    para(doc, "LEMBAR DISPOSISI", align="center", bold=True, size=13, after=6)
    left_w, right_w = Cm(8.6), Cm(7.9)
    t = table(doc, 4, [left_w, right_w])
    tab = Cm(2.4)

    # Row 1: the incoming letter | its reception and classification.
    a, b = t.rows[0].cells
    field(a, "Surat dari", "{{ surat_dari }}", tab=tab)
    field(a, "No. Surat", "{{ nomor_surat }}", tab=tab)
    field(a, "Tgl. Surat", "{{ tanggal_surat }}", tab=tab)
    tab_r = Cm(2.6)
    field(b, "Diterima Tgl.", "{{ diterima_tanggal }}", tab=tab_r)
    field(b, "Pukul", "{{ diterima_pukul }}", tab=tab_r)
    field(b, "No. Agenda", "{{ no_agenda }}", tab=tab_r, bold_value=True)
    # The legacy pemda checkbox row, derived from the two separate axes (DOMAIN.md §0.2).
    value_at = tab_r + Cm(0.35)
    p = para(b, left=value_at, hanging=value_at, tabs=(tab_r, value_at))
    run(p, "Sifat", size=11)
    run(p, "\t:\t", size=11)
    run(p, "{{ '☒' if urgensi == 'Sangat Segera' else '☐' }}", size=11, font=SYMBOL_FONT)
    run(p, " Sangat Segera", size=11)
    p = para(b, left=value_at, tabs=(value_at,))
    run(p, "{{ '☒' if urgensi == 'Segera' else '☐' }}", size=11, font=SYMBOL_FONT)
    run(p, " Segera   ", size=11)
    run(p, "{{ '☒' if sifat in ('Rahasia', 'Sangat Rahasia') else '☐' }}", size=11, font=SYMBOL_FONT)
    run(p, " Rahasia", size=11)
    field(b, "Klasifikasi", "{{ sifat }}", tab=tab_r)
    field(b, "Urgensi", "{{ urgensi }}", tab=tab_r)

    # Row 2: the subject and the kind of information, across both columns.
    row = t.rows[1]
    merged = row.cells[0].merge(row.cells[1])
    field(merged, "Perihal", "{{ perihal }}", tab=Cm(3.0), bold_value=True)
    p = field(merged, "Jenis Informasi", "{{ jenis }}", tab=Cm(3.0))
    run(p, "{{ ' (wajib diumumkan tanpa penundaan)' if serta_merta else '' }}", size=11, italic=True)

    # Row 3: to whom | what they are asked to do.
    a, b = t.rows[2].cells
    para(a, "Diteruskan kepada Sdr. :", size=11, bold=True)
    para(a, "{%p for nama in diteruskan_kepada %}")
    para(a, "{{ loop.index }}.\t{{ nama }}", size=11, left=Cm(0.6), hanging=Cm(0.6), tabs=(Cm(0.6),))
    para(a, "{%p endfor %}")
    para(b, "Dengan hormat harap :", size=11, bold=True)
    para(b, "{%p for h in harap %}")
    p = para(b, left=Cm(0.6), hanging=Cm(0.6), tabs=(Cm(0.6),))
    run(p, "{{ '☒' if h.dicentang else '☐' }}", size=11, font=SYMBOL_FONT)
    run(p, "\t{{ h.teks }}", size=11)
    para(b, "{%p endfor %}")

    # Row 4: note, deadline, material | the giver's paraf block.
    a, b = t.rows[3].cells
    para(a, "Catatan :", size=11, bold=True)
    para(a, "{{ catatan }}", size=11, after=6)
    field(a, "Batas waktu", "{{ batas_waktu }}", tab=tab)
    field(a, "Bahan", "{{ bahan }}", tab=tab)
    para(b, "{{ kantor.kota }}, {{ tanggal }}", size=11, align="center")
    para(b, "{{ pemberi.jabatan|upper }},", size=11, align="center", bold=True)
    for _ in range(3):
        para(b, size=11)
    para(b, "{{ pemberi.nama|upper }}", size=11, align="center", bold=True, underline=True)
    para(b, "{{ pemberi.pangkat }}", size=11, align="center")
    para(b, "NIP. {{ pemberi.nip }}", size=11, align="center")
    return doc


def konsep_pengumuman() -> Document:
    doc = new_document("Konsep Pengumuman")
    para(doc, "KONSEP PENGUMUMAN", align="center", bold=True, size=14, after=6)
    t = table(doc, 4, [Cm(4.0), Cm(12.5)])
    for i, (label, tag) in enumerate(
        [
            ("No. Agenda", "{{ no_agenda }}"),
            ("Perihal", "{{ perihal }}"),
            ("Jenis Informasi", "{{ jenis }}"),
            ("Batas Waktu", "{{ batas_waktu }}"),
        ]
    ):
        a, b = t.rows[i].cells
        para(a, label, size=11, bold=True)
        para(b, tag, size=11)
    grey = RGBColor(0x59, 0x59, 0x59)
    para(doc, "Petunjuk:", italic=True, size=10, before=8, color=grey)
    para(
        doc,
        "Tulis isi pengumuman di bawah garis ISI PENGUMUMAN. Judul dan tabel di atas tidak "
        "ikut ke naskah Pengumuman; kop, nomor, judul, tempat dan tanggal, serta tanda tangan "
        "diisi oleh sistem setelah konsep disetujui. Tabel, daftar dan gambar boleh dipakai. "
        "Setelah selesai, simpan berkas ini ke folder masuk (inbox) Anda; nama berkas boleh "
        "tetap atau diganti, berkas tetap terhubung ke Nomor Agenda.",
        italic=True,
        size=10,
        align="justify",
        color=grey,
    )
    p = para(doc, italic=True, size=10, align="justify")
    run(
        p,
        "{{ 'Informasi serta merta wajib diumumkan tanpa penundaan dan memuat semua bagian di "
        "bawah ini.' if serta_merta else 'Informasi berkala: isi bagian yang sesuai dengan bahan "
        "informasi dan hapus bagian yang tidak diperlukan.' }}",
        italic=True,
        size=10,
        color=grey,
    )
    p = para(doc, BODY_MARKER, align="center", bold=True, size=10, before=10, after=10, color=grey)
    rule(p, style="single", size=6)
    bookmark(p, BODY_BOOKMARK)
    para(doc, PROMPT_OPENING, italic=True, color=grey, align="justify", after=6)
    para(doc, "{%p for b in bagian_wajib %}")
    p = para(doc, left=Cm(0.75), hanging=Cm(0.75), tabs=(Cm(0.75),), before=6)
    run(
        p,
        "{{ 'abcdefghijklmnopqrstuvwxyz'[loop.index0] if loop.index0 < 26 else loop.index }}.\t{{ b }}",
        bold=True,
    )
    para(doc, PROMPT_SECTION, italic=True, color=grey, left=Cm(0.75), align="justify")
    para(doc, "{%p endfor %}")
    para(
        doc,
        "Demikian pengumuman ini disampaikan untuk diketahui dan disebarluaskan.",
        before=12,
        align="justify",
    )
    return doc


def nota_pengembalian() -> Document:
    doc = new_document("Nota Pengembalian")
    kop(doc)
    para(doc, "NOTA PENGEMBALIAN KONSEP", align="center", bold=True, size=13)
    para(doc, "Nomor Agenda {{ no_agenda }}", align="center", size=11, after=8)
    t = table(doc, 7, [Cm(4.6), Cm(11.9)])
    for i, (label, tag) in enumerate(
        [
            ("Perihal", "{{ perihal }}"),
            ("Jenis Informasi", "{{ jenis }}"),
            ("Dokumen", "{{ dokumen }}"),
            ("Tahap", "{{ tahap }}"),
            ("Diperiksa oleh", "{{ pemeriksa }} ({{ pemeriksa_jabatan }})"),
            ("Dikembalikan kepada", "{{ dikembalikan_kepada }}"),
            ("Tanggal", "{{ tanggal }}"),
        ]
    ):
        a, b = t.rows[i].cells
        para(a, label, size=11, bold=True)
        para(b, tag, size=11)
    para(doc, "Hasil pemeriksaan: BELUM SESUAI. Catatan perbaikan:", bold=True, before=12, after=4)
    box = table(doc, 1, [TEXT_WIDTH])
    para(box.rows[0].cells[0], "{{ catatan }}", align="justify")
    para(box.rows[0].cells[0])
    para(
        doc,
        "Mohon konsep diperbaiki sesuai catatan di atas, lalu disimpan kembali ke folder "
        "masuk (inbox) Anda. Nama berkas boleh tetap; berkas tetap terhubung ke Nomor Agenda.",
        before=10,
        align="justify",
        size=11,
    )
    signature(
        doc,
        place_date="{{ kantor.kota }}, {{ tanggal }}",
        jabatan="{{ pemeriksa_jabatan|upper }},",
        nama=None,
        pangkat=None,
        nip=None,
        space_lines=0,
    )
    para(doc, "(paraf)", left=Cm(8.5), before=30, size=10, italic=True)
    return doc


def pengumuman() -> Document:
    doc = new_document("Pengumuman")
    kop(doc)
    para(doc, "PENGUMUMAN", align="center", bold=True, size=13)
    para(doc, "NOMOR {{ nomor }}", align="center")
    para(doc, "TENTANG", align="center", before=10)
    para(doc, "{{ tentang|upper }}", align="center", bold=True, after=14)
    para(doc, "{{p isi }}")
    signature(
        doc,
        place_date="{{ tempat }}, {{ tanggal }}",
        jabatan="{{ penandatangan.jabatan|upper }},",
        nama="{{ penandatangan.nama|upper }}",
        pangkat="{{ penandatangan.pangkat }}",
        nip="NIP. {{ penandatangan.nip }}",
        before=18,
    )
    return doc


def lembar_kendali() -> Document:
    """The control sheet: every step of a case with who, when, the decision and its time."""
    doc = new_document("Lembar Kendali")
    kop(doc)
    para(doc, "LEMBAR KENDALI", align="center", bold=True, size=13)
    para(doc, "Nomor Agenda {{ no_agenda }}", align="center", size=11, after=8)
    t = table(doc, 6, [Cm(4.6), Cm(11.9)])
    for i, (label, tag) in enumerate(
        [
            ("Perihal", "{{ perihal }}"),
            ("Jenis Informasi", "{{ jenis }}"),
            ("SOP", "{{ sop }}"),
            ("Nomor Pengumuman", "{{ nomor }}"),
            ("Dibuka", "{{ dibuka }}"),
            ("Ditutup", "{{ ditutup }}"),
        ]
    ):
        a, b = t.rows[i].cells
        para(a, label, size=10, bold=True)
        para(b, tag, size=10)
    para(doc, "Rincian pelaksanaan tahap", bold=True, size=11, before=10, after=4)
    widths = [Cm(0.8), Cm(2.8), Cm(2.7), Cm(1.9), Cm(1.9), Cm(2.5), Cm(2.0), Cm(1.9)]
    steps = table(doc, 3, widths)
    for cell, label in zip(
        steps.rows[0].cells,
        ["No", "Tahap", "Pelaksana", "Diterima", "Selesai", "Keputusan / Catatan", "Waktu / Standar",
         "Status"],
        strict=True,
    ):
        para(cell, label, size=8, bold=True, align="center")
    steps.rows[1].cells[0].merge(steps.rows[1].cells[-1])
    para(steps.rows[1].cells[0], "{%tr for r in baris %}", size=8)
    row = steps.rows[2].cells
    para(row[0], "{{ loop.index }}", size=8, align="center")
    para(row[1], "{{ r.tahap }}", size=8)
    para(row[2], "{{ r.peran }}", size=8, bold=True)
    para(row[2], "{{ r.pejabat }}", size=8)
    para(row[3], "{{ r.diterima }}", size=8)
    para(row[4], "{{ r.selesai }}", size=8)
    para(row[5], "{{ r.keputusan }}", size=8, bold=True)
    para(row[5], "{{ r.catatan }}", size=8, italic=True)
    para(row[6], "{{ r.waktu }}", size=8)
    para(row[6], "/ {{ r.standar }}", size=8)
    para(row[7], "{{ r.status }}", size=8, bold=True)
    end = steps.add_row().cells
    end[0].merge(end[-1])
    para(end[0], "{%tr endfor %}", size=8)
    para(doc, "Jumlah waktu kerja: {{ total_waktu }}. Tahap terlambat: {{ jumlah_terlambat }}.",
         size=10, before=8)
    para(doc, "Waktu dihitung dalam jam kerja kantor terhadap waktu baku (Mutu Baku) SOP.",
         size=9, italic=True)
    para(doc, "Dibuat oleh sistem pada {{ kantor.kota }}, {{ tanggal }}.", size=9, italic=True, before=8)
    return doc


# --------------------------------------------------------------------------- placeholder logo


def logo_png(width: int = 200, height: int = 240) -> bytes:
    """A neutral shield with a star and 'LOGO': a placeholder until the office puts its lambang."""
    gold, green, white = (0xC8, 0x9B, 0x1E, 255), (0x1F, 0x6B, 0x3A, 255), (255, 255, 255, 255)
    clear = (255, 255, 255, 0)
    cx = width / 2

    def in_shield(x: float, y: float, inset: float) -> bool:
        top, half = 8 + inset, width / 2 - 8 - inset
        if y < top or abs(x - cx) > half:
            return False
        straight = height * 0.5
        if y <= straight:
            return True
        # lower part narrows to a point
        bottom = height - 6 - inset
        frac = (y - straight) / (bottom - straight)
        return frac <= 1 and abs(x - cx) <= half * math.sqrt(max(0.0, 1 - frac * frac))

    def in_star(x: float, y: float) -> bool:
        sx, sy, ro, ri = cx, height * 0.36, 48, 19
        pts = []
        for k in range(10):
            ang = -math.pi / 2 + k * math.pi / 5
            r = ro if k % 2 == 0 else ri
            pts.append((sx + r * math.cos(ang), sy + r * math.sin(ang)))
        inside = False
        j = len(pts) - 1
        for i in range(len(pts)):
            xi, yi = pts[i]
            xj, yj = pts[j]
            if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
                inside = not inside
            j = i
        return inside

    glyphs = {
        "L": ["10000", "10000", "10000", "10000", "10000", "10000", "11111"],
        "O": ["01110", "10001", "10001", "10001", "10001", "10001", "01110"],
        "G": ["01110", "10001", "10000", "10111", "10001", "10001", "01110"],
    }
    scale, text = 5, "LOGO"
    text_w = len(text) * 6 * scale - scale
    tx0, ty0 = int(cx - text_w / 2), int(height * 0.60)

    def in_text(x: int, y: int) -> bool:
        gx, gy = (x - tx0) // scale, (y - ty0) // scale
        if gy < 0 or gy >= 7 or gx < 0:
            return False
        idx, col = divmod(gx, 6)
        return idx < len(text) and col < 5 and glyphs[text[idx]][gy][col] == "1"

    rows = []
    for y in range(height):
        row = bytearray([0])
        for x in range(width):
            if not in_shield(x, y, 0):
                px = clear
            elif not in_shield(x, y, 7):
                px = gold
            elif in_star(x, y) or in_text(x, y):
                px = white if in_text(x, y) else gold
            else:
                px = green
            row.extend(px)
        rows.append(bytes(row))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)
    phys = struct.pack(">IIB", 11811, 11811, 1)  # 300 dpi
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"pHYs", phys)
        + chunk(b"IDAT", zlib.compress(b"".join(rows), 9))
        + chunk(b"IEND", b"")
    )


TEMPLATES = {
    "Lembar Disposisi.docx": lembar_disposisi,
    "Konsep Pengumuman.docx": konsep_pengumuman,
    "Nota Pengembalian.docx": nota_pengembalian,
    "Pengumuman.docx": pengumuman,
    "Lembar Kendali.docx": lembar_kendali,
}


def save_reproducibly(doc: Document, path: Path) -> None:
    """Save with fixed zip timestamps, so rebuilding an unchanged template changes no bytes."""
    raw = BytesIO()
    doc.save(raw)
    out = BytesIO()
    with zipfile.ZipFile(raw) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=(1980, 1, 1, 0, 0, 0))
            fixed.compress_type = zipfile.ZIP_DEFLATED
            zout.writestr(fixed, zin.read(info))
    path.write_bytes(out.getvalue())


def main(out: Path = OUT) -> None:
    out.mkdir(parents=True, exist_ok=True)
    for name, build in TEMPLATES.items():
        save_reproducibly(build(), out / name)
        print(f"wrote {out / name}")
    (out / "logo.png").write_bytes(logo_png())
    print(f"wrote {out / 'logo.png'}")


# --------------------------------------------------------------------------- example pictures

# Example office data for docs/contoh-*.png (contact data and people invented).
EXAMPLE_KANTOR = {
    "pemerintah": "PEMERINTAH PROVINSI KALIMANTAN BARAT",
    "nama": "DINAS KOPERASI, USAHA KECIL DAN MENENGAH",
    "alamat": "Jalan Sutan Syahrir Nomor 4A, Pontianak",
    "telepon": "(0561) 000000",
    "email": "contoh@diskumkm.example.go.id",
    "laman": "diskumkm.example.go.id",
    "kota": "Pontianak",
    "kode_pos": "78116",
}


def contoh(docs: Path) -> None:
    """Render the Disposisi and a Pengumuman with example data to docs/contoh-*.png.

    Needs LibreOffice and pdftoppm; uses the package's own adapters, so it shows what users get.
    """
    import subprocess
    import tempfile

    sys.path.insert(0, str(OUT.parent.parent))
    from sop_docs.adapters import docx as adapter
    from sop_docs.adapters import office

    common = {
        "kantor": EXAMPLE_KANTOR,
        "no_agenda": "PIP-2026-0007",
        "perihal": "Pemadaman listrik terencana di Kantor Pelayanan Terpadu",
        "jenis": "Serta Merta",
        "serta_merta": True,
        "tanggal": "24 November 2026",
        "logo": "",
    }
    disposisi = {
        **common,
        "diterima_tanggal": "24 November 2026",
        "diterima_pukul": "10.15 WIB",
        "surat_dari": "PT PLN (Persero) UP3 Pontianak",
        "nomor_surat": "0123/DIS.01.01/UP3-PTK/2026",
        "tanggal_surat": "23 November 2026",
        "sifat": "Biasa",
        "urgensi": "Sangat Segera",
        "diteruskan_kepada": ["Pranata Humas Ahli Pertama", "Pengelola Informasi Publik"],
        "harap": [
            {"teks": "Tanggapan dan Saran", "dicentang": False},
            {"teks": "Proses lebih lanjut", "dicentang": True},
            {"teks": "Koordinasi/konfirmasikan", "dicentang": False},
            {"teks": "Siapkan konsep pengumuman serta merta", "dicentang": True},
        ],
        "catatan": "Umumkan hari ini di papan pengumuman dan laman resmi.",
        "batas_waktu": "25 November 2026 10.15 WIB",
        "bahan": "Surat PLN pemadaman terencana.pdf",
        "pemberi": {
            "jabatan": "Kepala Bidang Usaha Kecil dan Menengah",
            "nama": "Dra. Siti Aminah, M.Si.",
            "pangkat": "Pembina (IV/a)",
            "nip": "197001011995032001",
        },
    }
    bagian = [
        "Potensi bahaya dan/atau besaran dampak",
        "Pihak-pihak yang berpotensi terkena dampak",
        "Upaya yang dilakukan oleh Badan Publik",
    ]
    isi = [
        "Sehubungan dengan pemeliharaan jaringan oleh PT PLN (Persero), disampaikan bahwa aliran "
        "listrik di Kantor Pelayanan Terpadu akan padam pada hari Rabu, 26 November 2026 pukul "
        "08.00 sampai dengan 14.00 WIB.",
        "Layanan konsultasi koperasi dan UMKM secara tatap muka tidak dapat dilayani selama pemadaman.",
        "Masyarakat dan pelaku usaha yang memerlukan layanan.",
        "Layanan dialihkan ke kanal daring dan nomor pengaduan yang tercantum pada laman resmi.",
    ]
    images = {"logo": OUT / "logo.png"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        skeleton = adapter.render(
            OUT / "Konsep Pengumuman.docx",
            {**common, "batas_waktu": "25 November 2026 10.15 WIB", "bagian_wajib": bagian},
        )
        concept = Document(BytesIO(skeleton))
        paragraphs = concept.paragraphs
        # fill the prompts as a writer would: the opening, then one text per section
        prompts = [p for p in paragraphs if p.text in (PROMPT_OPENING, PROMPT_SECTION)]
        for prompt, text in zip(prompts, isi, strict=True):
            for r in prompt.runs:
                r.text, r.italic = "", None
                r.font.color.rgb = None
            prompt.runs[0].text = text
        buf = BytesIO()
        concept.save(buf)
        pengumuman = adapter.render_pengumuman(
            OUT / "Pengumuman.docx",
            {
                **common,
                "nomor": "400.14.4.3/15/DISKUMKM/2026",
                "tentang": "Pemadaman Listrik Terencana di Kantor Pelayanan Terpadu",
                "tempat": "Pontianak",
                "penandatangan": {
                    "jabatan": "Kepala Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat",
                    "nama": "Ir. H. Ahmad Yani, M.T.",
                    "pangkat": "Pembina Utama Muda (IV/c)",
                    "nip": "196805121994031005",
                },
            },
            buf.getvalue(),
            images=images,
        )
        (work / "contoh-disposisi.docx").write_bytes(
            adapter.render(OUT / "Lembar Disposisi.docx", disposisi, images=images)
        )
        (work / "contoh-pengumuman.docx").write_bytes(pengumuman)
        sources = [work / "contoh-disposisi.docx", work / "contoh-pengumuman.docx"]
        for pdf in office.convert(sources, "pdf", work):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(docs / pdf.stem)],
                check=True,
                timeout=120,
            )
            print(f"wrote {docs / pdf.stem}.png")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--contoh"]:
        contoh(Path(sys.argv[2]) if len(sys.argv) > 2 else OUT.parent.parent / "docs")
    else:
        main(Path(sys.argv[1]) if len(sys.argv) > 1 else OUT)
