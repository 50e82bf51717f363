"""The annual Laporan Layanan Informasi Publik template, in the outline of Perki 1/2021 Pasal 56.

Pasal 56 asks at least for: gambaran umum kebijakan layanan informasi publik; gambaran umum
pelaksanaan layanan; rincian pelayanan informasi publik; rincian penyelesaian sengketa (jika ada);
kendala eksternal dan internal; rekomendasi dan rencana tindak lanjut (DOMAIN.md §3.4). The
figures sop-docs can count (sop_docs/laporan.py) are filled in as tables and charts; what only
the office can say is left as highlighted "[Tulis di sini: …]" paragraphs to write over in Word.
"""

from __future__ import annotations

from docx.document import Document
from docx.enum.text import WD_COLOR_INDEX
from docx.shared import Cm
from docx.text.paragraph import Paragraph

from .blocks import kop, signature
from .docxkit import Container, new_document, page_numbers, para, run, table

WRITE_HERE = "[Tulis di sini: "
"""How every narrative place starts; the tests and the office find them by it."""

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des")


def _write_here(container: Container, what: str) -> Paragraph:
    """A highlighted paragraph that says what the office must write in its place."""
    p = para(container, align="justify", after=6)
    r = run(p, f"{WRITE_HERE}{what}]", italic=True, size=11)
    r.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return p


def _heading(doc: Document, text: str) -> None:
    para(doc, text, bold=True, size=12, before=12, after=6)


def _sub(doc: Document, text: str) -> None:
    para(doc, text, bold=True, size=11, before=8, after=4)


def _loop_table(doc: Document, headers: list[str], cells: list[str], widths: list[Cm],
                loop: str, *, size: float = 9, left: int = 2) -> None:
    """A header row, then one row per item between docxtpl's row-loop tags (the first `left`
    columns are text, aligned left; the rest are figures, centred)."""
    t = table(doc, 3, widths)
    for cell, label in zip(t.rows[0].cells, headers, strict=True):
        para(cell, label, size=size, bold=True, align="center")
    t.rows[1].cells[0].merge(t.rows[1].cells[-1])
    para(t.rows[1].cells[0], "{%tr for r in " + loop + " %}", size=size)
    for i, (cell, tag) in enumerate(zip(t.rows[2].cells, cells, strict=True)):
        para(cell, tag, size=size, align="left" if i < left else "center")
    end = t.add_row().cells
    end[0].merge(end[-1])
    para(end[0], "{%tr endfor %}", size=size)


def _picture(doc: Document, key: str, caption: str) -> None:
    p = para(doc, align="center", before=6)
    run(p, "{{ " + key + " }}")
    para(doc, caption, align="center", italic=True, size=9, after=6)


def laporan_layanan() -> Document:
    """The yearly report: title, the five parts of Pasal 56 (sengketa within the rincian), the
    figures as tables and charts, and the PPID's signature."""
    doc = new_document("Laporan Layanan Informasi Publik")
    kop(doc)
    para(doc, "LAPORAN LAYANAN INFORMASI PUBLIK", align="center", bold=True, size=14)
    para(doc, "{{ kantor.nama }}", align="center", bold=True, size=12)
    para(doc, "TAHUN {{ tahun }}", align="center", bold=True, size=12, after=8)
    para(doc, "Disusun menurut Peraturan Komisi Informasi Nomor 1 Tahun 2021 tentang Standar "
         "Layanan Informasi Publik, Pasal 56. Angka dalam laporan ini dihitung oleh sistem dari "
         "catatan SOP {{ sop }} (semua kasus dan setiap tahapnya) pada {{ dibuat }}; bagian "
         "berwarna kuning diisi oleh PPID.", align="justify", italic=True, size=10, after=6)

    _heading(doc, "I. GAMBARAN UMUM KEBIJAKAN LAYANAN INFORMASI PUBLIK")
    _write_here(doc, "kebijakan layanan informasi publik Badan Publik: penetapan PPID, SOP "
                "yang berlaku, maklumat pelayanan, sarana dan prasarana, anggaran, serta sumber "
                "daya manusia yang melayani.")
    para(doc, "Waktu baku (Mutu Baku) SOP {{ sop }} yang menjadi ukuran dalam laporan ini:",
         align="justify", size=11, after=4)
    _loop_table(doc, ["Tahap", "Pelaksana", "Mutu Baku"],
                ["{{ r.tahap }}", "{{ r.pelaksana }}", "{{ r.mutu_baku }}"],
                [Cm(8.0), Cm(4.5), Cm(4.0)], "mutu_baku")
    para(doc, "{{ catatan_jam }}", italic=True, size=9, before=2, align="justify")

    _heading(doc, "II. GAMBARAN UMUM PELAKSANAAN LAYANAN INFORMASI PUBLIK")
    _write_here(doc, "gambaran pelaksanaan layanan selama tahun ini: kegiatan utama, media "
                "pengumuman yang dipakai, dan perubahan yang terjadi.")
    t = table(doc, 5, [Cm(12.0), Cm(4.5)])
    for i, (label, tag) in enumerate([
        ("Kasus pengumuman yang dibuka", "{{ ringkasan.dibuka }}"),
        ("Pengumuman yang selesai diumumkan (kasus ditutup)", "{{ ringkasan.diumumkan }}"),
        ("Kasus yang belum selesai pada akhir tahun", "{{ ringkasan.belum_selesai }}"),
        ("Tahap yang dikerjakan", "{{ ringkasan.tahap }}"),
        ("Tahap yang selesai dalam Mutu Baku", "{{ ringkasan.tepat }}"),
    ]):
        para(t.rows[i].cells[0], label, size=10)
        para(t.rows[i].cells[1], tag, size=10, bold=True, align="center")
    _sub(doc, "Pengumuman per bulan dan jenis informasi")
    w = [Cm(2.1)] + [Cm(1.03)] * 12 + [Cm(1.3)]
    t = table(doc, 3, w)
    for cell, label in zip(t.rows[0].cells, ["Jenis", *_MONTHS, "Jumlah"], strict=True):
        para(cell, label, size=8, bold=True, align="center")
    t.rows[1].cells[0].merge(t.rows[1].cells[-1])
    para(t.rows[1].cells[0], "{%tr for r in bulan %}", size=8)
    row = t.rows[2].cells
    para(row[0], "{{ r.jenis }}", size=8, bold=True)
    for m in range(12):
        para(row[m + 1], "{{ r.n[" + str(m) + "] }}", size=8, align="center")
    para(row[13], "{{ r.jumlah }}", size=8, bold=True, align="center")
    end = t.add_row().cells
    end[0].merge(end[-1])
    para(end[0], "{%tr endfor %}", size=8)
    _picture(doc, "grafik_bulan", "Gambar 1. Pengumuman per bulan menurut jenis informasi")

    _heading(doc, "III. RINCIAN PELAYANAN INFORMASI PUBLIK")
    _sub(doc, "A. Waktu pengerjaan tiap tahap terhadap Mutu Baku")
    _loop_table(doc, ["Jenis", "Tahap", "Mutu Baku", "Jumlah", "Median", "Persentil 90",
                      "Tepat Waktu"],
                ["{{ r.jenis }}", "{{ r.tahap }}", "{{ r.mutu_baku }}", "{{ r.jumlah }}",
                 "{{ r.median }}", "{{ r.p90 }}", "{{ r.tepat }}"],
                [Cm(2.2), Cm(4.6), Cm(1.9), Cm(1.5), Cm(2.1), Cm(2.1), Cm(2.1)], "langkah")
    para(doc, "Median: separuh tahap selesai dalam waktu ini atau lebih cepat. Persentil 90: "
         "sembilan dari sepuluh tahap selesai dalam waktu ini atau lebih cepat. Tepat Waktu: "
         "bagian tahap yang selesai dalam Mutu Baku (jumlahnya dalam kurung). {{ catatan_jam }}",
         italic=True, size=9, before=2, align="justify")
    _picture(doc, "grafik_tepat", "Gambar 2. Bagian tahap yang selesai dalam Mutu Baku")
    _sub(doc, "B. Konsep yang dikembalikan (Belum Sesuai)")
    para(doc, "{{ kalimat_pengembalian }}", size=11, align="justify", after=4)
    _loop_table(doc, ["Tahap", "Pemeriksa", "Dikembalikan"],
                ["{{ r.tahap }}", "{{ r.pelaksana }}", "{{ r.jumlah }}"],
                [Cm(8.0), Cm(4.5), Cm(4.0)], "pengembalian")
    para(doc, "Catatan yang diberikan pada pengembalian (catatan yang sama dihitung bersama):",
         size=11, before=6, after=4)
    _loop_table(doc, ["Tahap", "Catatan", "Kali"],
                ["{{ r.tahap }}", "{{ r.catatan }}", "{{ r.jumlah }}"],
                [Cm(4.5), Cm(10.0), Cm(2.0)], "catatan")
    _picture(doc, "grafik_kembali", "Gambar 3. Pengembalian konsep per tahap")
    _sub(doc, "C. Tahap yang melewati Mutu Baku, menurut pelaksana")
    _loop_table(doc, ["Pelaksana", "Tahap dikerjakan", "Terlambat", "Bagian terlambat"],
                ["{{ r.pelaksana }}", "{{ r.jumlah }}", "{{ r.terlambat }}", "{{ r.persen }}"],
                [Cm(5.5), Cm(3.8), Cm(3.4), Cm(3.8)], "peran", left=1)
    _picture(doc, "grafik_peran", "Gambar 4. Tahap terlambat menurut pelaksana")
    _sub(doc, "D. Penyelesaian sengketa informasi")
    _write_here(doc, "sengketa informasi publik tahun ini dan penyelesaiannya; bila tidak ada, "
                "tulis \"Tidak ada sengketa informasi publik\".")

    _heading(doc, "IV. KENDALA EKSTERNAL DAN INTERNAL")
    _write_here(doc, "kendala dari luar (mis. jaringan, media, pihak lain) dan dari dalam "
                "(mis. tahap yang sering terlambat atau dikembalikan menurut Bagian III).")

    _heading(doc, "V. REKOMENDASI DAN RENCANA TINDAK LANJUT")
    _write_here(doc, "rekomendasi dan rencana tindak lanjut untuk tahun berikutnya.")

    signature(
        doc,
        place_date="{{ kantor.kota }}, {{ tanggal }}",
        jabatan="{{ ttd.sebagai ~ ' ' if ttd.sebagai else '' }}{{ ttd.jabatan|upper }},",
        nama="{{ ttd.nama|upper }}",
        pangkat="{{ ttd.pangkat }}",
        nip="{{ 'NIP. ' ~ ttd.nip if ttd.nip else '' }}",
        before=18,
    )
    page_numbers(doc)
    return doc


TEMPLATES = {"Laporan Layanan Informasi Publik.docx": laporan_layanan}
