"""The example pictures in the README (`docs/contoh-*.png`): three forms filled with example data.

Why through the package's own adapters and LibreOffice: the pictures should show exactly what an
office gets, so the Disposisi, a Pengumuman and a Nota Pengembalian are rendered as the service
renders them, a concept written the way a clerk would, and printed to PNG. Needs LibreOffice and
pdftoppm.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from io import BytesIO
from pathlib import Path
from typing import Any

from docx import Document

from . import OUT
from .forms import PROMPT_OPENING, PROMPT_SECTION

# Example office data (contact data and people invented).
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
COMMON: dict[str, Any] = {
    "kantor": EXAMPLE_KANTOR,
    "no_agenda": "PIP-2026-0007",
    "perihal": "Pemadaman listrik terencana di Kantor Pelayanan Terpadu",
    "jenis": "Serta Merta",
    "serta_merta": True,
    "tanggal": "24 November 2026",
    "logo": "",
}
DISPOSISI: dict[str, Any] = {
    **COMMON,
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
    "bahan": "Surat PLN pemadaman terencana",
    "pemberi": {
        "jabatan": "Kepala Bidang Usaha Kecil dan Menengah",
        "nama": "Dra. Siti Aminah, M.Si.",
        "pangkat": "Pembina (IV/a)",
        "nip": "197001011995032001",
        "sebagai": "",
    },
}
BAGIAN = [
    "Potensi bahaya dan/atau besaran dampak",
    "Pihak-pihak yang berpotensi terkena dampak",
    "Upaya yang dilakukan oleh Badan Publik",
]
# What the writer types: the opening, then one text per section of BAGIAN.
ISI = [
    "Sehubungan dengan pemeliharaan jaringan oleh PT PLN (Persero), disampaikan bahwa aliran "
    "listrik di Kantor Pelayanan Terpadu akan padam pada hari Rabu, 26 November 2026 pukul "
    "08.00 sampai dengan 14.00 WIB.",
    "Layanan konsultasi koperasi dan UMKM secara tatap muka tidak dapat dilayani selama pemadaman.",
    "Masyarakat dan pelaku usaha yang memerlukan layanan.",
    "Layanan dialihkan ke kanal daring dan nomor pengaduan yang tercantum pada laman resmi.",
]
PENGUMUMAN: dict[str, Any] = {
    **COMMON,
    "nomor": "400.14.4.3/15/DISKUMKM/2026",
    "tentang": "Pemadaman Listrik Terencana di Kantor Pelayanan Terpadu",
    "tempat": "Pontianak",
    "penandatangan": {
        "jabatan": "Kepala Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat",
        "nama": "Ir. H. Ahmad Yani, M.T.",
        "pangkat": "Pembina Utama Muda (IV/c)",
        "nip": "196805121994031005",
        "sebagai": "",
    },
}


NOTA: dict[str, Any] = {
    **COMMON,
    "tahap": "3 - Pemeriksaan Kabid/Kasubag",
    "pemeriksa": "Kabid/Kasubag",
    "pemeriksa_jabatan": DISPOSISI["pemberi"]["jabatan"],
    "pemeriksa_ttd": {**DISPOSISI["pemberi"], "sebagai": ""},
    "dikembalikan_kepada": "Fungsional",
    "catatan": "Cantumkan jam layanan daring dan nomor pengaduan yang dapat dihubungi selama "
    "pemadaman.",
    "dokumen": "PIP-2026-0007 - Konsep - Pemadaman listrik terencana",
}


def contoh(docs: Path, templates: Path = OUT) -> None:
    """Render the Disposisi, a Pengumuman and a Nota with example data to `docs`/contoh-*.png.

    Needs LibreOffice and pdftoppm; uses the package's own adapters, so it shows what users get.
    """
    sys.path.insert(0, str(templates.parent.parent))
    from sop_docs.adapters import docx as adapter
    from sop_docs.adapters import office

    images = {"logo": templates / "logo.png"}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        skeleton = adapter.render(
            templates / "Konsep Pengumuman.docx",
            {**COMMON, "batas_waktu": "25 November 2026 10.15 WIB", "bagian_wajib": BAGIAN,
             "uraian": [], "rincian": {"judul": COMMON["perihal"]}},
        )
        pengumuman = adapter.render_pengumuman(
            templates / "Pengumuman.docx", PENGUMUMAN, write_concept(skeleton), images=images
        )
        (work / "contoh-disposisi.docx").write_bytes(
            adapter.render(templates / "Lembar Disposisi.docx", DISPOSISI, images=images)
        )
        (work / "contoh-pengumuman.docx").write_bytes(pengumuman)
        (work / "contoh-nota.docx").write_bytes(
            adapter.render(templates / "Nota Pengembalian.docx", NOTA, images=images)
        )
        sources = [work / f"contoh-{name}.docx" for name in ("disposisi", "pengumuman", "nota")]
        for pdf in office.convert(sources, "pdf", work):
            subprocess.run(
                ["pdftoppm", "-png", "-r", "60", "-singlefile", str(pdf), str(docs / pdf.stem)],
                check=True,
                timeout=120,
            )
            print(f"wrote {docs / pdf.stem}.png")


def write_concept(skeleton: bytes) -> bytes:
    """The concept skeleton with its prompts filled as a writer would: the opening, then ISI."""
    concept = Document(BytesIO(skeleton))
    prompts = [p for p in concept.paragraphs if p.text in (PROMPT_OPENING, PROMPT_SECTION)]
    for prompt, text in zip(prompts, ISI, strict=True):
        for r in prompt.runs:
            r.text, r.italic = "", None
            r.font.color.rgb = None
        prompt.runs[0].text = text
    buf = BytesIO()
    concept.save(buf)
    return buf.getvalue()
