"""The five Word templates of sop-docs, one function each, built from the shared parts.

Each function returns a fresh python-docx document holding the docxtpl tags the service fills in:
the Lembar Disposisi, the Konsep Pengumuman skeleton, the Nota Pengembalian, the Pengumuman letter
and the Lembar Kendali. The layout follows the Indonesian pemda forms (DOMAIN.md §1, §2).
"""

from __future__ import annotations

from collections.abc import Callable

from docx.document import Document
from docx.shared import Cm, Mm, RGBColor
from docx.table import _Cell, _Row

from .blocks import kop, label_table, signature
from .docxkit import (
    SYMBOL_FONT,
    TEXT_WIDTH,
    bookmark,
    field,
    new_document,
    page_numbers,
    page_size,
    para,
    rule,
    run,
    table,
)

# The separator between the concept's heading block and its body; docx.render_pengumuman keeps only
# what follows it. Keep these in sync with sop_docs/adapters/docx.py.
BODY_BOOKMARK = "sop_isi_pengumuman"
BODY_MARKER = "ISI PENGUMUMAN"
PROMPT_OPENING = "[Tulis pembuka: alasan dan dasar pengumuman ini. Hapus petunjuk ini.]"
PROMPT_SECTION = "[Tulis uraian bagian ini di sini. Hapus petunjuk ini.]"

# The Rincian table's rows: label (read back by sop_docs.core.rincian) and context key. The
# disposition's particulars are the Kabid/Kasubag's, chosen in the register, not here.
RINCIAN_ROWS = (("Judul Pengumuman (TENTANG)", "judul"),)

GREY = RGBColor(0x59, 0x59, 0x59)  # the concept's instructions: visibly not part of the text

# The Lembar Disposisi's paper: ½ folio (DOMAIN.md §1.1), a folio/F4 sheet (215 x 330 mm) cut across,
# so two sheets print on one F4 page; landscape, as the pemda model's two columns need the width.
DISPOSISI_PAPER = (Mm(215), Mm(165))
DISPOSISI_MARGIN = Cm(1.0)
_SIZE = 10  # the disposition's text: the whole form fits that half sheet

# The value tabs of the disposition's left and right columns.
_TAB_LEFT = Cm(2.4)
_TAB_RIGHT = Cm(2.6)


# --------------------------------------------------------------------------- Lembar Disposisi


def lembar_disposisi() -> Document:
    """The disposition sheet: the letter, its routing, what is asked, and the giver's paraf."""
    doc = new_document("Lembar Disposisi")
    page_size(doc, *DISPOSISI_PAPER, margins=DISPOSISI_MARGIN)
    kop(doc, compact=True)
    para(doc, "LEMBAR DISPOSISI", align="center", bold=True, size=12, after=4)
    t = table(doc, 4, [Cm(9.8), Cm(9.5)])
    _disposisi_letter(*t.rows[0].cells)
    _disposisi_subject(t.rows[1])
    _disposisi_routing(*t.rows[2].cells)
    _disposisi_note_and_paraf(*t.rows[3].cells)
    return doc


def _disposisi_letter(a: _Cell, b: _Cell) -> None:
    """Row 1: the incoming letter | its reception and classification."""
    field(a, "Surat dari", "{{ surat_dari }}", tab=_TAB_LEFT, size=_SIZE)
    field(a, "No. Surat", "{{ nomor_surat }}", tab=_TAB_LEFT, size=_SIZE)
    field(a, "Tgl. Surat", "{{ tanggal_surat }}", tab=_TAB_LEFT, size=_SIZE)
    field(b, "Diterima Tgl.", "{{ diterima_tanggal }}", tab=_TAB_RIGHT, size=_SIZE)
    field(b, "Pukul", "{{ diterima_pukul }}", tab=_TAB_RIGHT, size=_SIZE)
    field(b, "No. Agenda", "{{ no_agenda }}", tab=_TAB_RIGHT, size=_SIZE, bold_value=True)
    _sifat_checkboxes(b)


def _sifat_checkboxes(b: _Cell) -> None:
    """The legacy pemda checkbox row, derived from the two separate axes (DOMAIN.md §0.2); it
    says both, so neither axis is printed again on its own."""
    value_at = _TAB_RIGHT + Cm(0.35)
    p = para(b, left=value_at, hanging=value_at, tabs=(_TAB_RIGHT, value_at))
    run(p, "Sifat", size=_SIZE)
    run(p, "\t:\t", size=_SIZE)
    run(p, "{{ '☒' if urgensi == 'Sangat Segera' else '☐' }}", size=_SIZE, font=SYMBOL_FONT)
    run(p, " Sangat Segera", size=_SIZE)
    p = para(b, left=value_at, tabs=(value_at,))
    run(p, "{{ '☒' if urgensi == 'Segera' else '☐' }}", size=_SIZE, font=SYMBOL_FONT)
    run(p, " Segera   ", size=_SIZE)
    run(p, "{{ '☒' if sifat in ('Rahasia', 'Sangat Rahasia') else '☐' }}", size=_SIZE, font=SYMBOL_FONT)
    run(p, " Rahasia", size=_SIZE)


def _disposisi_subject(row: _Row) -> None:
    """Row 2: the subject and the kind of information, across both columns."""
    merged = row.cells[0].merge(row.cells[1])
    field(merged, "Perihal", "{{ perihal }}", tab=Cm(3.0), size=_SIZE, bold_value=True)
    p = field(merged, "Jenis Informasi", "{{ jenis }}", tab=Cm(3.0), size=_SIZE)
    run(p, "{{ ' (wajib diumumkan tanpa penundaan)' if serta_merta else '' }}", size=_SIZE, italic=True)


def _disposisi_routing(a: _Cell, b: _Cell) -> None:
    """Row 3: to whom | what they are asked to do."""
    para(a, "Diteruskan kepada Sdr. :", size=_SIZE, bold=True)
    para(a, "{%p for nama in diteruskan_kepada %}")
    para(a, "{{ loop.index }}.\t{{ nama }}", size=_SIZE, left=Cm(0.6), hanging=Cm(0.6), tabs=(Cm(0.6),))
    para(a, "{%p endfor %}")
    para(b, "Dengan hormat harap :", size=_SIZE, bold=True)
    para(b, "{%p for h in harap %}")
    p = para(b, left=Cm(0.6), hanging=Cm(0.6), tabs=(Cm(0.6),))
    run(p, "{{ '☒' if h.dicentang else '☐' }}", size=_SIZE, font=SYMBOL_FONT)
    run(p, "\t{{ h.teks }}", size=_SIZE)
    para(b, "{%p endfor %}")


def _disposisi_note_and_paraf(a: _Cell, b: _Cell) -> None:
    """Row 4: note, deadline, material | the giver's paraf block."""
    para(a, "Catatan :", size=_SIZE, bold=True)
    para(a, "{{ catatan }}", size=_SIZE, after=4)
    field(a, "Batas waktu", "{{ batas_waktu }}", tab=_TAB_LEFT, size=_SIZE)
    field(a, "Bahan", "{{ bahan }}", tab=_TAB_LEFT, size=_SIZE)
    para(b, "{{ kantor.kota }}, {{ tanggal }}", size=_SIZE, align="center")
    para(b, "{{ pemberi.sebagai ~ ' ' if pemberi.sebagai else '' }}{{ pemberi.jabatan|upper }},",
         size=_SIZE, align="center", bold=True)
    for _ in range(3):
        para(b, size=_SIZE)
    para(b, "{{ pemberi.nama|upper }}", size=_SIZE, align="center", bold=True, underline=True)
    para(b, "{{ pemberi.pangkat }}", size=_SIZE, align="center")
    para(b, "NIP. {{ pemberi.nip }}", size=_SIZE, align="center")


# --------------------------------------------------------------------------- Konsep Pengumuman


def konsep_pengumuman() -> Document:
    """The concept skeleton: the case, the details people set, instructions, the body to write."""
    doc = new_document("Konsep Pengumuman")
    para(doc, "KONSEP PENGUMUMAN", align="center", bold=True, size=14, after=6)
    label_table(
        doc,
        [
            ("No. Agenda", "{{ no_agenda }}"),
            ("Jenis Informasi", "{{ jenis }}"),
            ("Batas Waktu", "{{ batas_waktu }}"),
        ],
        [Cm(4.0), Cm(12.5)],
        size=11,
    )
    para(doc, "Rincian (diisi Fungsional; pemeriksa boleh memperbaikinya langsung)", bold=True,
         size=10, before=8, after=2)
    label_table(
        doc,
        [(label, "{{ rincian." + key + " }}") for label, key in RINCIAN_ROWS],
        [Cm(5.2), Cm(11.3)],
        size=11,
    )
    _konsep_instructions(doc)
    _konsep_body(doc)
    return doc


def _konsep_instructions(doc: Document) -> None:
    """What to write where and where to save it; not carried into the Pengumuman."""
    para(doc, "Petunjuk:", italic=True, size=10, before=8, color=GREY)
    para(
        doc,
        "Isi Judul Pengumuman pada tabel Rincian (wajib; menjadi TENTANG pada naskah "
        "Pengumuman). Tulisan dalam kurung siku adalah petunjuk: ganti dengan isinya. Tulis isi "
        "pengumuman di bawah garis ISI PENGUMUMAN; yang di atas garis tidak ikut ke naskah. "
        "Kop, nomor, tempat dan tanggal, serta tanda tangan diisi oleh sistem setelah konsep "
        "disetujui. Tabel, daftar dan gambar boleh dipakai. Setelah selesai, simpan berkas ini ke "
        "folder masuk (inbox) Anda; nama berkas boleh tetap atau diganti, berkas tetap terhubung "
        "ke Nomor Agenda.",
        italic=True,
        size=10,
        align="justify",
        color=GREY,
    )
    p = para(doc, italic=True, size=10, align="justify")
    run(
        p,
        "{{ 'Informasi serta merta wajib diumumkan tanpa penundaan dan memuat semua bagian di "
        "bawah ini.' if serta_merta else 'Informasi berkala (UU 14/2008 Pasal 9 ayat 2) ialah "
        "informasi yang berkaitan dengan Badan Publik, mengenai kegiatan dan kinerjanya, mengenai "
        "laporan keuangan, atau informasi lain yang diatur peraturan perundang-undangan. Satu "
        "pengumuman memuat pembuka, dasar, dan isi informasinya.' }}",
        italic=True,
        size=10,
        color=GREY,
    )


def _konsep_body(doc: Document) -> None:
    """The bookmarked separator, then either the plain parts' prompts (`uraian`) or the opening
    prompt and one lettered section per required part, and the closing."""
    p = para(doc, BODY_MARKER, align="center", bold=True, size=10, before=10, after=10, color=GREY)
    rule(p, style="single", size=6)
    bookmark(p, BODY_BOOKMARK)
    para(doc, "{%p for u in uraian %}")
    para(doc, "{{ u }}", italic=True, color=GREY, align="justify", after=6)
    para(doc, "{%p endfor %}")
    para(doc, "{%p if not uraian %}")
    para(doc, PROMPT_OPENING, italic=True, color=GREY, align="justify", after=6)
    para(doc, "{%p endif %}")
    para(doc, "{%p for b in bagian_wajib %}")
    p = para(doc, left=Cm(0.75), hanging=Cm(0.75), tabs=(Cm(0.75),), before=6)
    run(
        p,
        "{{ 'abcdefghijklmnopqrstuvwxyz'[loop.index0] if loop.index0 < 26 else loop.index }}.\t{{ b }}",
        bold=True,
    )
    para(doc, PROMPT_SECTION, italic=True, color=GREY, left=Cm(0.75), align="justify")
    para(doc, "{%p endfor %}")
    para(
        doc,
        "Demikian pengumuman ini disampaikan untuk diketahui dan disebarluaskan.",
        before=12,
        align="justify",
    )


# --------------------------------------------------------------------------- Nota Pengembalian


def nota_pengembalian() -> Document:
    """The note that returns a concept: which case, who checked it, and what to correct."""
    doc = new_document("Nota Pengembalian")
    kop(doc)
    para(doc, "NOTA PENGEMBALIAN KONSEP", align="center", bold=True, size=13)
    para(doc, "Nomor Agenda {{ no_agenda }}", align="center", size=11, after=8)
    label_table(
        doc,
        [
            ("Perihal", "{{ perihal }}"),
            ("Jenis Informasi", "{{ jenis }}"),
            ("Dokumen", "{{ dokumen }}"),
            ("Tahap", "{{ tahap }}"),
            ("Diperiksa oleh", "{{ pemeriksa }} ({{ pemeriksa_jabatan }})"),
            ("Dikembalikan kepada", "{{ dikembalikan_kepada }}"),
            ("Tanggal", "{{ tanggal }}"),
        ],
        [Cm(4.6), Cm(11.9)],
        size=11,
    )
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
        jabatan="{{ pemeriksa_ttd.sebagai ~ ' ' if pemeriksa_ttd.sebagai else '' }}"
        "{{ pemeriksa_ttd.jabatan|upper }},",
        nama="{{ pemeriksa_ttd.nama|upper }}",
        pangkat="{{ pemeriksa_ttd.pangkat }}",
        nip="{{ 'NIP. ' ~ pemeriksa_ttd.nip if pemeriksa_ttd.nip else '' }}",
        space_lines=3,
    )
    return doc


# --------------------------------------------------------------------------- Pengumuman


def pengumuman() -> Document:
    """The letter of record: kop, number, subject, the approved body, the signature."""
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
        jabatan="{{ penandatangan.sebagai ~ ' ' if penandatangan.sebagai else '' }}"
        "{{ penandatangan.jabatan|upper }},",
        nama="{{ penandatangan.nama|upper }}",
        pangkat="{{ penandatangan.pangkat }}",
        nip="NIP. {{ penandatangan.nip }}",
        before=18,
    )
    return doc


# --------------------------------------------------------------------------- Lembar Kendali


def lembar_kendali() -> Document:
    """The control sheet: every step of a case with who, when, the decision and its time."""
    doc = new_document("Lembar Kendali")
    kop(doc)
    para(doc, "LEMBAR KENDALI", align="center", bold=True, size=13)
    para(doc, "Nomor Agenda {{ no_agenda }}", align="center", size=11, after=8)
    label_table(
        doc,
        [
            ("Perihal", "{{ perihal }}"),
            ("Jenis Informasi", "{{ jenis }}"),
            ("SOP", "{{ sop }}"),
            ("Nomor Pengumuman", "{{ nomor }}"),
            ("Dibuka", "{{ dibuka }}"),
            ("Ditutup", "{{ ditutup }}"),
        ],
        [Cm(4.6), Cm(11.9)],
        size=10,
    )
    para(doc, "Rincian pelaksanaan tahap", bold=True, size=11, before=10, after=4)
    _kendali_steps(doc)
    para(doc, "Jumlah waktu kerja: {{ total_waktu_kerja }}. Jumlah waktu kalender: "
         "{{ total_waktu_kalender }}. Tahap terlambat: {{ jumlah_terlambat }}.", size=10, before=8)
    para(doc, "Waktu Kerja dihitung dalam jam kerja kantor; Waktu Kalender dari diterima sampai "
         "selesai, termasuk malam dan hari libur. {{ dasar_status }}", size=9, italic=True)
    para(doc, "Dibuat oleh sistem pada {{ kantor.kota }}, {{ tanggal }}.", size=9, italic=True, before=8)
    return doc


def _kendali_steps(doc: Document) -> None:
    """The steps table: a header row, then one row per step between docxtpl's row-loop tags.
    Both times taken are shown; the Standar and Status are on the clock of the case's kind. The
    Tahap carries the step's number, so the sheet has no "No" column (the width went to the times)."""
    widths = [Cm(2.6), Cm(2.7), Cm(1.9), Cm(1.9), Cm(2.3), Cm(1.6), Cm(1.7), Cm(1.8)]
    steps = table(doc, 3, widths)
    for cell, label in zip(
        steps.rows[0].cells,
        ["Tahap", "Pelaksana", "Diterima", "Selesai", "Keputusan / Catatan", "Waktu Kerja",
         "Waktu Kalender", "Standar / Status"],
        strict=True,
    ):
        para(cell, label, size=8, bold=True, align="center")
    steps.rows[1].cells[0].merge(steps.rows[1].cells[-1])
    para(steps.rows[1].cells[0], "{%tr for r in baris %}", size=8)
    row = steps.rows[2].cells
    para(row[0], "{{ r.tahap }}", size=8)
    para(row[1], "{{ r.peran }}", size=8, bold=True)
    para(row[1], "{{ r.pejabat }}", size=8)
    para(row[2], "{{ r.diterima }}", size=8)
    para(row[3], "{{ r.selesai }}", size=8)
    para(row[4], "{{ r.keputusan }}", size=8, bold=True)
    para(row[4], "{{ r.catatan }}", size=8, italic=True)
    para(row[5], "{{ r.waktu_kerja }}", size=8)
    para(row[6], "{{ r.waktu_kalender }}", size=8)
    para(row[7], "{{ r.standar }}", size=8)
    para(row[7], "{{ r.status }}", size=8, bold=True)
    end = steps.add_row().cells
    end[0].merge(end[-1])
    para(end[0], "{%tr endfor %}", size=8)


def _numbered(build: Callable[[], Document]) -> Callable[[], Document]:
    """`build`, with 'Halaman N dari M' in the footer: every form that may run over one page."""

    def numbered() -> Document:
        doc = build()
        page_numbers(doc)
        return doc

    numbered.__doc__ = build.__doc__
    return numbered


# The Lembar Disposisi is one page by design (½ folio): it carries no page number.
TEMPLATES: dict[str, Callable[[], Document]] = {
    "Lembar Disposisi.docx": lembar_disposisi,
    "Konsep Pengumuman.docx": _numbered(konsep_pengumuman),
    "Nota Pengembalian.docx": _numbered(nota_pengembalian),
    "Pengumuman.docx": _numbered(pengumuman),
    "Lembar Kendali.docx": _numbered(lembar_kendali),
}
