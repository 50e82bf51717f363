"""The documents of record on a real workspace: the letter and its PDF, the control sheet, the
archive bundle and `sop-docs verify`, for a case driven by files and the register only."""

from __future__ import annotations

import logging
import shutil
import zipfile
from io import BytesIO
from pathlib import Path

import bagit
import pytest
from click.testing import CliRunner
from docx import Document
from docxcompose.composer import Composer
from openpyxl import load_workbook
from pypdf import PdfReader

from sop_docs import archive
from sop_docs.adapters import pdf
from sop_docs.cli import main
from sop_docs.core.contoh import MARK
from tests import pdfcheck
from tests.driver import CORPUS, Office

CASE = "PIP-2026-0001"
SUBJECT = "Laporan Keuangan 2026"
PENGUMUMAN = f"{CASE} - Pengumuman - {SUBJECT}"
FIRST_PART = "Pembuka"


def concept_with_table_list_picture(skeleton: Path) -> bytes:
    """The skeleton with its title and first part written, then a table, a list and a picture
    (corpus files); the other parts left as their prompts."""
    doc = Document(skeleton)
    for row in doc.tables[1].rows:
        if row.cells[0].text.startswith("Judul"):
            row.cells[-1].paragraphs[0].text = SUBJECT
    prompt = next(p for p in doc.paragraphs if p.text.startswith(f"[{FIRST_PART}:"))
    for r in prompt.runs[1:]:
        r.text = ""
    prompt.runs[0].text, prompt.runs[0].italic = "Dinas telah menerbitkan laporan keuangan.", None
    composer = Composer(doc)
    for name in ("tables.docx", "simple-list.docx", "tiny-picture.docx"):
        composer.append(Document(CORPUS / name))
    out = BytesIO()
    composer.save(out)
    return out.getvalue()


def text_of(data: bytes) -> str:
    doc = Document(BytesIO(data))
    parts = [p.text for p in doc.paragraphs]
    parts += [c.text for t in doc.tables for row in t.rows for c in row.cells]
    return "\n".join(parts)


def run_case(office: Office, *, with_return: bool = True) -> dict[str, object]:
    """Material, concept, (a return at step 4), approvals, proofs, Selesai; what staff saw on the way."""
    seen: dict[str, object] = {}
    office.save(f"inbox/kabid_kasubag/{SUBJECT}.docx", CORPUS / "tables.docx")
    office.scan()
    office.clock.advance(hours=2)
    office.save(f"inbox/fungsional/{CASE} konsep.docx",
                concept_with_table_list_picture(office.draft_file("fungsional")))
    office.scan()
    seen["step3_message"] = office.rows()[CASE]["Pesan Sistem"]
    office.clock.advance(minutes=30)
    office.decide(CASE, "Sesuai")
    office.scan()
    if with_return:
        office.clock.advance(hours=3)               # late against the 1 hour standard
        office.decide(CASE, "Belum Sesuai", "Lengkapi sumber data.")
        office.scan()
        office.clock.advance(minutes=20)
        office.decide(CASE, "Sesuai")
        office.scan()
    office.clock.advance(minutes=10)
    office.decide(CASE, "Sesuai")
    office.scan()
    office.clock.advance(minutes=5)
    office.decide(CASE, "Sesuai")
    office.scan()
    seen["outbox"] = office.outbox("fungsional")
    seen["approval_message"] = office.rows()[CASE]["Pesan Sistem"]
    seen["letter"] = (office.root / "outbox" / "fungsional" / f"{PENGUMUMAN}.docx").read_bytes()
    office.clock.advance(minutes=5)
    office.save(f"inbox/fungsional/bukti_online/{CASE} laman.png", b"\x89PNG\r\n\x1a\n" + b"1" * 64)
    office.save(f"inbox/fungsional/bukti_offline/{CASE} papan.jpg", b"\xff\xd8\xff\xe0" + b"2" * 64)
    office.scan()
    office.clock.advance(minutes=5)
    office.decide(CASE, "Selesai")
    office.scan()
    return seen


@pytest.fixture(scope="module")
def closed(tmp_path_factory):
    """One case through the whole SOP (with a return), closed and archived."""
    office = Office(tmp_path_factory.mktemp("dor") / "ws")
    seen = run_case(office)
    bundle = office.root / "archive" / "2026" / f"{CASE} - {SUBJECT}"
    yield office, seen, bundle
    office.close()


@pytest.mark.libreoffice
def test_approval_delivers_the_letter_with_its_pdf_and_the_concepts_table_list_and_picture(closed):
    """Step 5 Sesuai: the numbered letter and its PDF are in the Fungsional's outbox; the letter
    carries the concept's table, numbered list and picture."""
    _office, seen, _bundle = closed
    assert {f"{PENGUMUMAN}.docx", f"{PENGUMUMAN}.pdf"} <= seen["outbox"]
    letter = seen["letter"]
    text = text_of(letter)
    assert "Top left" in text and "Bottom right" in text            # the table
    assert "Apple" in text and "Banana" in text                     # the list ...
    with zipfile.ZipFile(BytesIO(letter)) as z:
        body = z.read("word/document.xml").decode()
        assert "<w:numPr>" in body                                   # ... still a list
        assert any(n.startswith("word/media/") for n in z.namelist())  # the picture
    assert "400.14.4.3/001/DISKUMKM/2026" in text
    assert "NAMA KEPALA DINAS" in text
    assert "PDF" not in str(seen["approval_message"])


def test_step_3_names_the_required_parts_left_empty(closed):
    """The first review's message names the berkala parts whose prompt still stands."""
    _office, seen, _bundle = closed
    message = str(seen["step3_message"])
    assert "Bagian wajib yang tampak kosong: Dasar; Isi." in message
    assert FIRST_PART not in message


@pytest.mark.libreoffice
def test_the_closed_case_is_a_valid_bagit_bundle_with_softcopy_hardcopy_proofs_and_history(closed):
    """archive/<year>/<id> - <subject>/ validates with bagit and holds what the archivist needs."""
    office, _seen, bundle = closed
    assert office.outbox() == set()
    bag = bagit.Bag(str(bundle))
    bag.validate()
    assert bag.info["SOP-Docs-Case-Id"] == CASE
    assert bag.info["SOP-Docs-Subject"] == SUBJECT
    assert "Pengumuman Informasi Publik" in bag.info["SOP-Docs-SOP"]
    data = bundle / "data"
    soft = {p.name for p in (data / "softcopy").iterdir()}
    assert f"v1 - {CASE} - Disposisi - {SUBJECT}.docx" in soft
    assert f"v1 - {PENGUMUMAN}.docx" in soft
    assert f"v1 - {CASE} - Bahan - {SUBJECT}.docx" in soft
    konsep = sorted(n for n in soft if " - Konsep - " in n)
    assert len(konsep) >= 2                                  # the skeleton and the draft received
    assert {p.name for p in (data / "bukti").iterdir()} == {
        f"{CASE} - Bukti Online - laman.png", f"{CASE} - Bukti Offline - papan.jpg"}
    hard = {p.name for p in (data / "hardcopy").iterdir()}
    assert {f"{CASE} - Disposisi - {SUBJECT}.pdf", f"{PENGUMUMAN}.pdf",
            f"{CASE} - Nota Pengembalian 1 - {SUBJECT}.pdf", f"{CASE} - Lembar Kendali - {SUBJECT}.pdf",
            f"{CASE} - Konsep - {SUBJECT} (disetujui).pdf", f"{CASE} - Berkas Cetak Lengkap.pdf"} == hard
    singles = [PdfReader(data / "hardcopy" / n) for n in hard if "Berkas Cetak" not in n]
    combined = PdfReader(data / "hardcopy" / f"{CASE} - Berkas Cetak Lengkap.pdf")
    # the hardcopies, then one page naming the two proofs (junk bytes here) that cannot be printed
    assert len(combined.pages) == sum(len(r.pages) for r in singles) + 1
    listed = combined.pages[-1].extract_text()
    assert "Bukti yang tidak dapat dicetak" in listed and "laman.png" in listed and "papan.jpg" in listed
    for name in soft:                                        # every generated docx opens
        if name.endswith(".docx"):
            Document(data / "softcopy" / name)
    wb = load_workbook(data / "riwayat.xlsx")
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0][0] == "Waktu"
    assert len(rows) - 1 == len(office.svc.db.events(CASE))
    assert any(r[6] == "Lengkapi sumber data." for r in rows[1:])


@pytest.mark.libreoffice
def test_every_pdf_in_the_bundle_is_pdfa_2b_the_letters_from_approval_included(closed):
    """The letter's PDF made at approval, the hardcopies made at close and the combined print file
    are PDF/A-2b, with every font embedded, not encrypted, with no action reaching outside."""
    _office, _seen, bundle = closed
    hard = bundle / "data" / "hardcopy"
    singles = [p for p in sorted(hard.glob("*.pdf")) if "Berkas Cetak" not in p.name]
    assert f"{PENGUMUMAN}.pdf" in {p.name for p in singles}
    for single in singles:
        pdfcheck.assert_archival(single.read_bytes())
    pdfcheck.assert_archival((hard / f"{CASE} - Berkas Cetak Lengkap.pdf").read_bytes(),
                             pages=sum(len(PdfReader(p).pages) for p in singles) + 1)


def test_the_control_sheet_lists_every_step_with_who_when_and_lateness(closed):
    """The Lembar Kendali names each step's official and marks the late review."""
    _office, _seen, bundle = closed
    (sheet,) = (bundle / "data" / "softcopy").glob("* - Lembar Kendali - *.docx")
    text = text_of(sheet.read_bytes())
    for step in ("1 - Disposisi Kabid/Kasubag", "2 - Penyusunan Konsep", "4 - Pemeriksaan Sekretaris",
                 "5 - Persetujuan Kepala Dinas", "6 - Publikasi dan Dokumentasi"):
        assert step in text
    assert "NAMA KABID/KASUBAG" in text and "NAMA KEPALA DINAS" in text
    assert "Belum Sesuai" in text and "Lengkapi sumber data." in text
    assert "Terlambat" in text and "Tepat Waktu" in text
    assert "3 jam" in text                                   # the late step's working time
    assert "Tahap terlambat: 1" in text


def test_verify_passes_on_an_untouched_archive(closed):
    """`sop-docs verify` reports nothing and exits 0 when bundles and database agree."""
    office, _seen, _bundle = closed
    result = CliRunner().invoke(main, ["verify", str(office.root)])
    assert result.exit_code == 0, result.output
    assert "1 bundle" in result.output


@pytest.mark.parametrize("tamper", ["byte", "remove", "bundle"])
def test_verify_catches_a_changed_byte_a_removed_file_and_a_missing_bundle(closed, tmp_path, tamper):
    """A byte changed, a file removed, or the whole bundle gone: verify names it and exits non-zero."""
    office, _seen, bundle = closed
    copy = tmp_path / "ws"
    shutil.copytree(office.root, copy, ignore=shutil.ignore_patterns("service.lock"))
    moved = copy / bundle.relative_to(office.root)
    victim = moved / "data" / "softcopy" / f"v1 - {PENGUMUMAN}.docx"
    if tamper == "byte":
        raw = bytearray(victim.read_bytes())
        raw[len(raw) // 2] ^= 0x01
        victim.write_bytes(bytes(raw))
        expect = "berubah"
    elif tamper == "remove":
        victim.unlink()
        expect = "hilang"
    else:
        shutil.rmtree(moved)
        expect = "tidak ada"
    result = CliRunner().invoke(main, ["verify", str(copy)])
    assert result.exit_code != 0
    assert expect in result.output
    if tamper != "bundle":
        assert victim.name in result.output


def test_without_libreoffice_everything_else_works_and_the_admin_is_told(tmp_path, monkeypatch, caplog):
    """No soffice: the letter docx is delivered, the register says the PDF could not be made, the log
    says what to install; the case still closes into a valid bundle that says its hardcopy is missing."""
    monkeypatch.setenv("SOP_DOCS_SOFFICE", str(tmp_path / "no-soffice"))
    office = Office(tmp_path / "ws")
    try:
        with caplog.at_level(logging.ERROR, logger="sop_docs"):
            seen = run_case(office, with_return=False)
    finally:
        office.close()
    assert f"{PENGUMUMAN}.docx" in seen["outbox"]
    assert f"{PENGUMUMAN}.pdf" not in seen["outbox"]
    assert "PDF pengumuman tidak dapat dibuat" in str(seen["approval_message"])
    assert "apt-get install libreoffice" in caplog.text
    bundle = office.root / "archive" / "2026" / f"{CASE} - {SUBJECT}"
    bagit.Bag(str(bundle)).validate()
    assert (bundle / "data" / "hardcopy" / archive.NO_PDF_NOTE).is_file()
    assert archive.verify(office.root, {}).bundles == 1
    assert not pdf.is_pdf(b"")


@pytest.mark.libreoffice
def test_on_example_settings_every_document_of_record_is_marked_not_official(closed):
    """The repository's sop.toml keeps its example values: the Disposisi, the Nota, the letter
    (and its PDF) and the Lembar Kendali all say so at the top of the page."""
    _office, _seen, bundle = closed
    softcopy = bundle / "data" / "softcopy"
    for kind in ("Disposisi", "Nota Pengembalian 1", "Pengumuman", "Lembar Kendali"):
        [doc] = softcopy.glob(f"v1 - {CASE} - {kind} - *.docx")
        headers = [p.text for s in Document(doc).sections for p in s.header.paragraphs]
        assert MARK in headers, kind
    letter_pdf = bundle / "data" / "hardcopy" / f"{PENGUMUMAN}.pdf"
    text = " ".join(PdfReader(letter_pdf).pages[0].extract_text().split())
    assert "bukan naskah resmi" in text
