"""The combined print file of a closed case, on a real workspace and a real LibreOffice: the
hardcopies, the concept as approved and the proofs (a PNG screenshot, a JPEG photo lying on its side
by EXIF, a PDF, a Word document, a broken picture), numbered, bookmarked, titled, still PDF/A-2b."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from PIL import Image
from pypdf import PdfReader, PdfWriter
from pypdf.annotations import Link
from pypdf.generic import DictionaryObject, NameObject, TextStringObject

from sop_docs import printfile
from tests import pdfcheck
from tests.driver import Office, fill_concept

SUBJECT = "Pemadaman Listrik"
FIRST = "Kalimat konsep pertama yang dikembalikan."
SECOND = "Kalimat konsep kedua yang disetujui Kepala Dinas."
DOCX_PROOF = "Foto pengumuman di papan kantor dinas."


def picture(size: tuple[int, int], fmt: str, orientation: int | None = None) -> bytes:
    """A picture whose left half is red and right half blue (so its turn can be seen)."""
    img = Image.new("RGB", size, (0, 0, 255))
    img.paste((255, 0, 0), (0, 0, size[0] // 2, size[1]))
    out = BytesIO()
    if orientation is None:
        img.save(out, fmt)
    else:
        exif = Image.Exif()
        exif[0x0112] = orientation
        img.save(out, fmt, exif=exif)
    return out.getvalue()


def two_page_pdf() -> bytes:
    """A browser's PDF: Letter and A4 landscape, with a script and a web link (drawn, not kept)."""
    writer = PdfWriter()
    writer.add_blank_page(width=612, height=792)          # Letter
    writer.add_blank_page(width=842, height=595)          # A4 landscape
    script = DictionaryObject({NameObject("/S"): NameObject("/JavaScript"),
                               NameObject("/JS"): TextStringObject("app.alert('bukti');")})
    writer._root_object[NameObject("/OpenAction")] = writer._add_object(script)
    writer.add_annotation(0, Link(rect=(50, 50, 200, 80), url="http://127.0.0.1:9/bukti"))
    out = BytesIO()
    writer.write(out)
    return out.getvalue()


def word(text: str) -> bytes:
    doc = Document()
    doc.add_paragraph(text)
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def write_concept(office: Office, case: str, sentence: str) -> None:
    """The Fungsional writes `sentence` into the concept from the outbox and saves it back."""
    doc = Document(BytesIO(fill_concept(office.draft_file("fungsional").read_bytes(),
                                        judul=SUBJECT, isi="")))
    earlier = [p for p in doc.paragraphs if p.text == FIRST]
    if earlier:
        earlier[0].text = sentence                      # the correction replaces the first text
    else:
        doc.add_paragraph(sentence)
    out = BytesIO()
    doc.save(out)
    office.save(f"inbox/fungsional/konsep {case}.docx", out.getvalue())
    office.scan()


PROOFS = [  # (folder, name, content); saved in this order, one scan each
    ("bukti_online", "laman.png", lambda: picture((900, 500), "PNG")),
    ("bukti_online", "unggahan.pdf", two_page_pdf),
    ("bukti_offline", "papan.jpg", lambda: picture((600, 300), "JPEG", orientation=6)),
    ("bukti_offline", "berita.docx", lambda: word(DOCX_PROOF)),
    ("bukti_offline", "rusak.jpg", lambda: b"\xff\xd8\xff\xe0" + b"\x00garbage" * 40),
]


@pytest.fixture(scope="module")
def printed(tmp_path_factory):
    """A case returned once at step 3, approved, with five proofs, closed; its print file."""
    office = Office(tmp_path_factory.mktemp("print") / "ws")
    try:
        case = office.open_case(SUBJECT)
        write_concept(office, case, FIRST)
        office.decide(case, "Belum Sesuai", "Lengkapi jadwal pemadaman.")
        office.scan()
        write_concept(office, case, SECOND)
        office.to_step(case, 6)
        for folder, name, make in PROOFS:
            office.save(f"inbox/fungsional/{folder}/{case} {name}", make())
            office.scan()
        office.decide(case, "Selesai")
        office.scan()
        assert office.svc.db.case(case).status == "closed"
        hard = office.root / "archive" / "2026" / f"{case} - {SUBJECT}" / "data" / "hardcopy"
        combined = hard / f"{case} - Berkas Cetak Lengkap.pdf"
        yield case, hard, combined.read_bytes()
    finally:
        office.close()


def page_texts(path: Path) -> list[str]:
    out = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True)
    return out.stdout.decode().split("\f")[:-1]


@pytest.mark.libreoffice
def test_the_print_file_holds_documents_then_proofs_with_one_bookmark_each_in_order(printed):
    """Lembar Kendali, Disposisi, the approved concept, the letter, the return note, then the
    proofs online and offline, then the list of what could not be printed: one bookmark each."""
    _case, hard, data = printed
    reader = PdfReader(BytesIO(data))
    marks = [(item.title, reader.get_destination_page_number(item)) for item in reader.outline]
    assert [t for t, _ in marks] == [
        f"Lembar Kendali - {SUBJECT}", f"Disposisi - {SUBJECT}", "Konsep yang disetujui (versi 3)",
        f"Pengumuman - {SUBJECT}", f"Nota Pengembalian 1 - {SUBJECT}",
        "Bukti Online - laman.png", "Bukti Online - unggahan.pdf", "Bukti Offline - papan.jpg",
        "Bukti Offline - berita.docx", printfile.UNPRINTABLE]
    singles = {p.name: len(PdfReader(p).pages) for p in hard.glob("*.pdf") if "Berkas Cetak" not in p.name}
    documents = sum(singles.values())
    # proofs: the PNG 1 page, the PDF 2, the JPEG 1, the Word document 1; then the list page
    assert len(reader.pages) == documents + 1 + 2 + 1 + 1 + 1
    starts = [p for _, p in marks]
    assert starts == sorted(starts) and starts[0] == 0
    assert starts[5:] == [documents, documents + 1, documents + 3, documents + 4, documents + 5]
    assert reader.trailer["/Root"]["/PageMode"] == "/UseOutlines"


@pytest.mark.libreoffice
def test_every_page_says_halaman_n_dari_m_and_the_approved_concept_is_the_last_version(printed):
    """pdftotext reads "Halaman N dari M" at the foot of every page; the concept printed is the one
    approved, not the one returned; the Word proof's text and the unprintable proof are there."""
    case, hard, _data = printed
    texts = page_texts(hard / f"{case} - Berkas Cetak Lengkap.pdf")
    total = len(texts)
    for n, text in enumerate(texts, start=1):
        last = [line for line in text.splitlines() if line.strip()][-1]
        assert last.strip().endswith(f"Halaman {n} dari {total}"), (n, last)
    whole = "\n".join(texts)
    assert SECOND in whole and FIRST not in whole
    assert DOCX_PROOF in whole
    assert "Bukti yang tidak dapat dicetak" in texts[-1]
    assert "rusak.jpg" in texts[-1] and "folder bukti/" in texts[-1]


@pytest.mark.libreoffice
def test_the_print_file_is_titled_and_still_pdfa_2b_with_every_font_embedded(printed):
    """/Title and XMP dc:title name the case and its subject; PDF/A-2b, fonts embedded; the PDF
    proof's script and web link did not come along."""
    case, _hard, data = printed
    reader = PdfReader(BytesIO(data))
    title = f"{case} — {SUBJECT} — Berkas Cetak"
    assert reader.metadata.title == title
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode()
    assert f'<rdf:li xml:lang="x-default">{title}</rdf:li>' in xmp
    pdfcheck.assert_archival(data)


@pytest.mark.libreoffice
def test_a_photo_is_turned_upright_by_its_exif_and_fitted_to_an_a4_page(printed):
    """The JPEG stored 600x300 with orientation 6 prints 300x600 (portrait), inside the page."""
    _case, _hard, data = printed
    reader = PdfReader(BytesIO(data))
    page_of = {item.title: reader.get_destination_page_number(item) for item in reader.outline}
    for title, portrait in (("Bukti Offline - papan.jpg", True), ("Bukti Online - laman.png", False)):
        page = reader.pages[page_of[title]]
        [image] = page.images
        width, height = image.image.size
        assert (height > width) is portrait, (title, image.image.size)
        assert float(page.mediabox.width) == pytest.approx(595.3, abs=1)
        # left half red, right half blue after turning: the turn is the one EXIF asks for
        if portrait:
            top, bottom = image.image.getpixel((width // 2, height // 8)), image.image.getpixel(
                (width // 2, height * 7 // 8))
            assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]
