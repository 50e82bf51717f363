"""The forms as printed: filled, converted by the real LibreOffice to PDF and PNG, and read back.

What is checked is what staff hold in their hands: the page size and count, 'Halaman N dari M' at
the foot of every page of the forms that may run over one, the Pengumuman's closing and signature
on one page with some of the body, the Nota's full signature block, no file extension in any text.
All documents go through one LibreOffice run (a batch), so the module costs one conversion.
"""

from __future__ import annotations

import re
import struct
import subprocess
import zipfile
from dataclasses import dataclass
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from pypdf import PdfReader

from sop_docs.adapters import docx as adapter
from sop_docs.adapters import office
from sop_docs.adapters.db import CaseRow
from sop_docs.bootstrap import load_sop_ref
from sop_docs.paperwork import Paperwork
from sop_docs.settings import load_settings
from tests.integration.test_templates import (
    LOGO,
    TEMPLATES,
    disposisi_context,
    konsep_context,
    pengumuman_context,
)

pytestmark = pytest.mark.libreoffice

MM = 72 / 25.4
HALF_FOLIO = (215 * MM, 165 * MM)      # the Disposisi's paper (forms.DISPOSISI_PAPER), in points
A4 = (210 * MM, 297 * MM)
SIGNATURE = ["Pontianak, 24 November 2026", "KEPALA DINAS KOPERASI", "IR. H. AHMAD YANI, M.T.",
             "Pembina Utama Muda (IV/c)", "NIP. 196805121994031005"]
CLOSING = "Demikian pengumuman ini disampaikan"
BODY_LINE = "Baris isi pengumuman nomor"
# Body lengths (one-line paragraphs before the closing) that bring the end of the body to the
# foot of page 1: at each, the page break would fall in another line of the closing + signature.
LONG_BODIES = range(23, 35)

OFFICE_TOML = """
[officials.sekretaris]
jabatan = "Sekretaris Dinas Koperasi, Usaha Kecil dan Menengah"
nama = "Drs. Bambang Sutrisno, M.M."
pangkat = "Pembina Tingkat I (IV/b)"
nip = "19750101 200003 1 001"

[officials.kabid_kasubag]
jabatan = "Kepala Bidang Usaha Kecil dan Menengah"
nama = "Dra. Siti Aminah, M.Si."
pangkat = "Pembina (IV/a)"
nip = "19700101 199503 2 001"
"""
NAMES = {"budi": "Budi Santoso, S.Sos.", "bambang": "Drs. Bambang Sutrisno, M.M."}


@dataclass
class Printed:
    """One document as LibreOffice printed it: its PDF and each page's text (-layout)."""

    pdf: Path
    pages: list[str]

    @property
    def text(self) -> str:
        return "\n".join(self.pages)

    def page_sizes(self) -> list[tuple[float, float]]:
        return [(float(p.mediabox.width), float(p.mediabox.height)) for p in PdfReader(self.pdf).pages]


def _case() -> CaseRow:
    return CaseRow(id="PIP-2026-0007", sop_id="pengumuman_informasi_publik", year=2026, seq=7,
                   kind="berkala", subject="Ringkasan Laporan Keuangan Semester I Tahun 2026",
                   opened_at="2026-11-24T10:15:00+07:00", step=4, step_token="t", step_entered_at="",
                   status="open", closed_at=None, letter_number=None, proofs=[], message="",
                   catatan="")


def _paperwork(root: Path) -> Paperwork:
    (root / "sop.toml").write_text(OFFICE_TOML, "utf-8")
    return Paperwork(load_sop_ref("pengumuman_informasi_publik"), load_settings(root), TEMPLATES, root,
                     names=lambda user: NAMES.get(user, user))


def long_concept(lines: int) -> bytes:
    """The concept skeleton as a writer fills it: `lines` one-line paragraphs, then the closing."""
    skeleton = adapter.render(TEMPLATES / "Konsep Pengumuman.docx", konsep_context(bagian_wajib=[]))
    doc = Document(BytesIO(skeleton))
    closing = next(p for p in doc.paragraphs if p.text.startswith(CLOSING))
    for i in range(1, lines + 1):
        closing.insert_paragraph_before(f"{i}. {BODY_LINE} {i}.")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def without_keeps(letter: bytes) -> bytes:
    """The same letter with every keep-with-next / keep-together taken out (the control)."""
    src, out = zipfile.ZipFile(BytesIO(letter)), BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info)
            if info.filename == "word/document.xml":
                data = re.sub(rb"<w:keep(?:Next|Lines)/>", b"", data)
            dst.writestr(info, data)
    return out.getvalue()


def kendali_context(rows: int) -> dict:
    row = {"tahap": "3 - Pemeriksaan Kabid/Kasubag", "peran": "Kabid/Kasubag",
           "pejabat": "Dra. Siti Aminah, M.Si.", "diterima": "24/11/2026 10.15",
           "selesai": "24/11/2026 11.02", "keputusan": "Belum Sesuai",
           "catatan": "Dasar hukum belum dicantumkan; perbaiki tabel kedua.", "waktu": "47 menit",
           "waktu_kerja": "47 menit", "waktu_kalender": "47 menit",
           "standar": "1 jam", "status": "Tepat Waktu"}
    return {**konsep_context(), "kantor": disposisi_context()["kantor"], "sop": "Pengumuman Informasi Publik",
            "nomor": "400.14.4.3/015/DISKUMKM/2026", "dibuka": "24 November 2026 10.15 WIB",
            "ditutup": "27 November 2026 09.00 WIB", "baris": [row] * rows, "total_waktu": "9 jam",
            "total_waktu_kerja": "9 jam", "total_waktu_kalender": "2 hari 9 jam",
            "dasar_status": "Status dinilai dalam jam kerja kantor.", "jumlah_terlambat": 0}


@pytest.fixture(scope="module")
def printed(tmp_path_factory) -> dict[str, Printed]:
    """Every document of this module, rendered as the service renders it, printed in one batch."""
    root = tmp_path_factory.mktemp("layout")
    pw = _paperwork(root)
    images = {"logo": LOGO}
    case = _case()
    now = datetime.fromisoformat("2026-11-24T10:15:00+07:00")
    full = disposisi_context(
        diteruskan_kepada=["Pranata Humas Ahli Pertama", "Pengelola Informasi Publik",
                           "Analis Kebijakan Ahli Muda"],
        catatan="Gunakan data laporan keuangan yang sudah diaudit; cantumkan ringkasan neraca dan "
                "laporan realisasi anggaran, lalu koordinasikan dengan PPID Utama.",
        perihal="Ringkasan Laporan Keuangan Semester I Tahun 2026 Dinas Koperasi, Usaha Kecil dan "
                "Menengah",
        bahan="Laporan Keuangan Semester I 2026 dan Neraca Saldo per 30 Juni 2026")
    docs: dict[str, bytes] = {
        "disposisi": pw.disposisi(case, now, material="Laporan Keuangan Semester I 2026.xlsx",
                                  deadline=now, to_role="fungsional"),
        "disposisi-penuh": adapter.render(TEMPLATES / "Lembar Disposisi.docx", full, images=images),
        "nota": pw.nota(case, now, step=4, to_role="kabid_kasubag", catatan="Dasar hukum belum ada.",
                        document="PIP-2026-0007 - Konsep - Ringkasan Laporan Keuangan.docx"),
        "nota-plh": pw.nota(case, now, step=4, to_role="kabid_kasubag", catatan="Perbaiki tabel.",
                            document="PIP-2026-0007 - Konsep.docx", person="budi", person_title="Plh."),
        "konsep": adapter.render(TEMPLATES / "Konsep Pengumuman.docx", konsep_context(), images=images),
        "kendali": adapter.render(TEMPLATES / "Lembar Kendali.docx", kendali_context(14), images=images),
    }
    for n in LONG_BODIES:
        letter = adapter.render_pengumuman(TEMPLATES / "Pengumuman.docx", pengumuman_context(),
                                           long_concept(n), images=images)
        docs[f"pengumuman-{n}"] = letter
        docs[f"kontrol-{n}"] = without_keeps(letter)
    sources = []
    for name, data in docs.items():
        (root / f"{name}.docx").write_bytes(data)
        sources.append(root / f"{name}.docx")
    out: dict[str, Printed] = {}
    for pdf in office.convert(sources, "pdf", root / "pdf"):
        text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                              check=True, timeout=60).stdout
        out[pdf.stem] = Printed(pdf, text.split("\f")[:-1])
    return out


def words(pdf: Path) -> list[tuple[int, str, float, float]]:
    """(page, word, yMin, yMax) of every word, from pdftotext -bbox (points from the top)."""
    html = subprocess.run(["pdftotext", "-bbox", str(pdf), "-"], capture_output=True, text=True,
                          check=True, timeout=60).stdout
    found, page = [], -1
    for line in html.splitlines():
        if "<page " in line:
            page += 1
        m = re.search(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', line)
        if m:
            found.append((page, m.group(3), float(m.group(1)), float(m.group(2))))
    return found


def png_size(path: Path) -> tuple[int, int]:
    with path.open("rb") as f:
        head = f.read(24)
    assert head[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", head[16:24])


# --------------------------------------------------------------------------- tests


def test_the_disposisi_is_one_half_folio_page_with_nothing_past_its_margin(printed, tmp_path):
    """½ folio, landscape (215 x 165 mm), one page, even with three addressees and a long note;
    the last line printed (the NIP) sits above the bottom margin; the PNG has the same shape."""
    for name in ("disposisi", "disposisi-penuh"):
        doc = printed[name]
        assert len(doc.pages) == 1, name
        (w, h), = doc.page_sizes()
        assert abs(w - HALF_FOLIO[0]) < 1 and abs(h - HALF_FOLIO[1]) < 1, (name, w, h)
        assert "NIP. 197001011995032001" in doc.text or "NIP. 19700101 199503 2 001" in doc.text
        lowest = max(y_max for _, _, _, y_max in words(doc.pdf))
        assert lowest < h - 10 * MM + 1, (name, lowest)       # the margin is 10 mm
        subprocess.run(["pdftoppm", "-png", "-r", "50", "-singlefile", str(doc.pdf), str(tmp_path / name)],
                       check=True, timeout=60)
        px_w, px_h = png_size(tmp_path / f"{name}.png")
        assert abs(px_w / px_h - 215 / 165) < 0.01
    assert "Halaman" not in printed["disposisi"].text


def test_the_disposisi_says_the_sifat_once_and_the_material_without_extension(printed):
    """The legacy Sifat row stays; no separate Klasifikasi/Urgensi lines; 'Bahan' is a name."""
    text = printed["disposisi"].text
    assert "Sifat" in text and "Sangat Segera" in text
    assert "Klasifikasi" not in text and "Urgensi" not in text
    assert re.search(r"Bahan\s*:\s*Laporan Keuangan Semester I 2026\s*$", text, re.M)


@pytest.mark.parametrize("name", ["nota", "konsep", "kendali", "pengumuman-23", "pengumuman-30"])
def test_each_page_says_its_number_of_the_total_at_its_foot(printed, name):
    """'Halaman i dari n' on page i of n, in the bottom tenth of the page (the footer)."""
    doc = printed[name]
    n = len(doc.pages)
    for i, page in enumerate(doc.pages, start=1):
        assert re.search(rf"Halaman {i} dari {n}\b", page), (name, i, page[-300:])
    marks = [w for w in words(doc.pdf) if w[1] == "Halaman"]
    heights = [h for _, h in doc.page_sizes()]
    assert [p for p, *_ in marks] == list(range(n))
    assert all(y_min > 0.9 * heights[p] for p, _, y_min, _ in marks)


def test_a_long_control_sheet_runs_over_two_numbered_pages(printed):
    """NUMPAGES is counted: fourteen steps fill more than one A4 page."""
    doc = printed["kendali"]
    assert len(doc.pages) >= 2 and f"Halaman 2 dari {len(doc.pages)}" in doc.pages[1]
    assert all(abs(w - A4[0]) < 1 and abs(h - A4[1]) < 1 for w, h in doc.page_sizes())


def _page_of(doc: Printed, needle: str) -> list[int]:
    return [i for i, page in enumerate(doc.pages) if needle in page]


def test_the_closing_and_the_whole_signature_share_a_page_with_some_of_the_body(printed):
    """Whatever the body's length, 'Demikian ...' and every line of the signature are on one page
    and a body line is on it too; without the keeps (the control) LibreOffice splits them for some
    of the same lengths, so the lengths tried do bring the block to the page's foot."""
    split_without = 0
    for n in LONG_BODIES:
        doc, control = printed[f"pengumuman-{n}"], printed[f"kontrol-{n}"]
        pages = {line: _page_of(doc, line) for line in [CLOSING, *SIGNATURE]}
        assert all(len(p) == 1 for p in pages.values()), (n, pages)
        (page,), = {tuple(p) for p in pages.values()}
        assert BODY_LINE in doc.pages[page], (n, doc.pages[page])
        assert page == len(doc.pages) - 1
        control_pages = {tuple(_page_of(control, line)) for line in [CLOSING, *SIGNATURE]}
        split_without += len(control_pages) > 1
    assert split_without >= 3


def test_the_nota_is_signed_with_jabatan_name_pangkat_and_nip(printed):
    """The step's official from the settings signs, in full; a stand-in who decided signs as
    Plh. with the name the system knows, and nobody else's NIP."""
    text = " ".join(printed["nota"].text.split())         # the long jabatan wraps
    for line in ["SEKRETARIS DINAS KOPERASI, USAHA KECIL DAN MENENGAH,", "DRS. BAMBANG SUTRISNO, M.M.",
                 "Pembina Tingkat I (IV/b)", "NIP. 19750101 200003 1 001"]:
        assert line in text, line
    plh = " ".join(printed["nota-plh"].text.split())
    assert "Plh. SEKRETARIS DINAS KOPERASI" in plh and "BUDI SANTOSO, S.SOS." in plh
    assert "19750101 200003 1 001" not in plh and "BAMBANG" not in plh


def test_no_printed_text_shows_a_file_extension(printed):
    """Names of the material and of the concept are printed as names: no .docx, .xlsx, .pdf."""
    for name, doc in printed.items():
        assert not re.search(r"\.(docx|xlsx|pdf|doc)\b", doc.text, re.I), name
    assert "PIP-2026-0007 - Konsep - Ringkasan Laporan Keuangan" in printed["nota"].text
