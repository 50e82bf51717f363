"""Documents that say what is true: the details people set in the concept's Rincian table are what
every document prints, a concept that sets none is answered at step 2, and a return needs its
reason. Driven through a real workspace; the letter is read back from the PDF LibreOffice made."""

from __future__ import annotations

import subprocess
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document

from tests.driver import Office, fill_concept

CASE = "PIP-2026-0001"
PHOTO = "IMG-20261128-WA0003.jpg"
JUDUL = "Pemadaman Listrik Terencana di Kantor Pelayanan Terpadu"


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def open_from_photo(office: Office) -> None:
    """The Kabid saves a WhatsApp photo of PLN's letter as the material of a serta merta case."""
    office.save(f"inbox/kabid_kasubag/serta_merta/{PHOTO}",
                b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x01" * 200)
    office.scan()
    assert office.svc.db.case(CASE) is not None


def skeleton(office: Office) -> bytes:
    return office.draft_file("fungsional").read_bytes()


def notes(office: Office) -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted((office.root / "quarantine").glob("*.txt"))]


def texts(data: bytes) -> str:
    doc = Document(BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True,
                          text=True, check=True).stdout


def outbox_file(office: Office, role: str, label: str, suffix: str = ".docx") -> Path:
    (path,) = [p for p in (office.root / "outbox" / role).iterdir()
               if f" - {label}" in p.name and p.suffix == suffix]
    return path


def test_a_case_opened_from_a_phone_photo_gets_the_title_set_in_the_concept(office):
    open_from_photo(office)
    first = texts(outbox_file(office, "fungsional", "Disposisi").read_bytes())
    assert "Inisiatif internal" not in first, "nobody said the letter came from within"
    assert "……" in first, "an unset detail is a line to fill by hand"

    office.save("inbox/fungsional/konsep.docx", fill_concept(
        skeleton(office), judul=JUDUL,
        isi="Aliran listrik di Kantor Pelayanan Terpadu padam pada hari Rabu."))
    office.scan()
    assert office.rows()[CASE]["Perihal"] == JUDUL
    office.to_step(CASE, 6)

    letter = outbox_file(office, "fungsional", "Pengumuman", ".pdf")
    printed = " ".join(pdf_text(letter).split())
    assert f"TENTANG {JUDUL.upper()}" in printed
    assert "IMG-20261128" not in printed and "WA0003" not in printed

    office.add_proofs(CASE)
    office.decide(CASE, "Selesai")
    office.scan()
    (bundle,) = (office.root / "archive" / "2026").glob(f"{CASE} - *")
    assert bundle.name == f"{CASE} - {JUDUL}"
    (sheet,) = [p for p in (bundle / "data" / "softcopy").iterdir() if " - Disposisi - " in p.name]
    assert "……" in texts(sheet.read_bytes()), "the Disposisi as it was given, nothing added"


def test_the_giver_chooses_the_disposition_in_the_register(office):
    """The Kabid/Kasubag sets the letter's sender, number and date, the addressee, the note and
    the kind in the Disposisi sheet; the Disposisi is made anew in the Fungsional's outbox (the
    first kept), and a wrong date is answered without changing anything."""
    open_from_photo(office)
    office.dispose(CASE, surat_dari="PT PLN (Persero) UP3 Pontianak", tanggal_surat="32/11/2026")
    office.scan()
    assert "tidak dapat dibaca" in str(office.rows()[CASE]["Pesan Sistem"])
    assert "PT PLN" not in texts(outbox_file(office, "fungsional", "Disposisi").read_bytes())

    office.dispose(CASE, judul="Pemadaman listrik terencana", jenis="Berkala",
                   surat_dari="PT PLN (Persero) UP3 Pontianak",
                   nomor_surat="0123/DIS.01.01/UP3-PTK/2026", tanggal_surat="23/11/2026",
                   diteruskan="Rina Marlina", catatan="Umumkan hari ini di papan dan laman.")
    office.scan()
    sheet = texts(outbox_file(office, "fungsional", "Disposisi 2").read_bytes())
    for told in ("PT PLN (Persero) UP3 Pontianak", "0123/DIS.01.01/UP3-PTK/2026",
                 "23 November 2026", "Rina Marlina", "Umumkan hari ini di papan dan laman.",
                 "Pemadaman listrik terencana"):
        assert told in sheet
    assert "Disposisi - " not in " ".join(office.outbox("fungsional")), "the first one left"
    case = office.svc.db.case(CASE)
    assert case.kind == "berkala" and office.rows()[CASE]["Perihal"] == "Pemadaman listrik terencana"
    assert [k for k, _ in office.events(CASE)][-1] == "disposition_changed"
    versions = [d["name"] for d in office.svc.db.documents(CASE) if d["kind"] == "disposisi"]
    assert len(versions) == 2

    office.scan()                                   # read again: nothing new happens
    assert len([d for d in office.svc.db.documents(CASE) if d["kind"] == "disposisi"]) == 2


def test_a_skeleton_sent_back_unwritten_is_answered_and_the_case_waits(office):
    open_from_photo(office)
    office.save("inbox/fungsional/konsep.docx", skeleton(office))
    office.scan()
    (note,) = notes(office)
    assert "belum diisi" in note and "ISI PENGUMUMAN" in note
    assert office.svc.db.case(CASE).step == 2
    assert office.outbox("kabid_kasubag") == set()


def test_a_concept_without_a_title_is_answered_at_step_2_not_published(office):
    open_from_photo(office)
    written = fill_concept(skeleton(office), judul="[Tulis judul pengumuman]",
                           isi="Aliran listrik padam pada hari Rabu.")
    office.save("inbox/fungsional/konsep.docx", written)
    office.scan()
    (note,) = notes(office)
    assert "'Judul Pengumuman (TENTANG)' belum diisi" in note
    assert office.svc.db.case(CASE).step == 2
    assert "tabel Rincian" in str(office.rows()[CASE]["Pesan Sistem"])

    office.save("inbox/fungsional/konsep.docx", fill_concept(
        skeleton(office), judul="IMG-20261128-WA0003", isi="Listrik padam."))
    office.scan()
    assert any("seperti nama berkas" in n for n in notes(office))
    assert office.svc.db.case(CASE).step == 2

    office.save("inbox/fungsional/konsep.docx", fill_concept(skeleton(office), judul=JUDUL,
                                                               isi="Listrik padam."))
    office.scan()
    assert office.svc.db.case(CASE).step == 3


def test_a_return_needs_its_reason(office):
    case = office.open_case()
    office.to_step(case, 3)
    for nothing in ("", "-"):                   # a dash is no reason either
        office.decide(case, "Belum Sesuai", nothing)
        office.scan()
        row = office.rows()[case]
        assert row["Tahap"].startswith("3 ") and "tulis di kolom Catatan" in str(row["Pesan Sistem"])
    office.decide(case, "Belum Sesuai", "Angka realisasi belum ada.")
    office.scan()
    assert office.rows()[case]["Tahap"].startswith("2 ")
    (nota,) = [p for p in (office.root / "outbox" / "fungsional").iterdir()
               if " - Nota Pengembalian" in p.name]
    assert "Angka realisasi belum ada." in texts(nota.read_bytes())


def test_a_reviewer_corrects_the_title_in_place_and_the_letter_follows(office):
    case = office.open_case()
    office.to_step(case, 4)
    draft = office.draft_file("sekretaris")
    draft.write_bytes(fill_concept(draft.read_bytes(), judul="laporan keuangan.pdf"))   # corrected in place
    office.decide(case, "Sesuai")
    office.scan()
    row = office.rows()[case]
    assert row["Tahap"].startswith("4 ") and "nama berkas" in str(row["Pesan Sistem"])

    draft.write_bytes(fill_concept(draft.read_bytes(), judul="Ringkasan Laporan Keuangan Tahun 2026"))
    office.decide(case, "Sesuai", "Judul diperbaiki.")
    office.scan()
    office.decide(case, "Sesuai")
    office.scan()
    letter = next(p for p in (office.root / "outbox" / "fungsional").iterdir()
                  if " - Pengumuman - " in p.name and p.suffix == ".docx")
    assert "RINGKASAN LAPORAN KEUANGAN TAHUN 2026" in texts(letter.read_bytes())


def test_the_berkala_skeleton_is_one_announcement_and_its_unwritten_parts_are_named(office):
    case = office.open_case()
    body = texts(skeleton(office))
    assert "[Pembuka:" in body and "[Dasar:" in body and "[Isi:" in body
    for category in ("Informasi mengenai laporan keuangan",
                     "Informasi lain yang diatur dalam peraturan perundang-undangan"):
        assert category not in body, "the Pasal 9(2) groups are not sections of one announcement"

    doc = Document(BytesIO(fill_concept(skeleton(office), isi="x")))
    for p in doc.paragraphs:                       # Pembuka and Isi written; Dasar left as given
        if p.text == "x":
            p.text = "Dinas mengumumkan ringkasan laporan keuangan."
    dasar = next(p for p in doc.paragraphs if p.text.startswith("Dinas"))
    dasar_prompt = next(u for u in body.split("\n") if u.startswith("[Dasar:"))
    dasar.text = dasar_prompt
    out = BytesIO()
    doc.save(out)
    office.save(f"inbox/fungsional/{case} konsep.docx", out.getvalue())
    office.scan()
    message = str(office.rows()[case]["Pesan Sistem"])
    assert "Bagian wajib yang tampak kosong: Dasar." in message


def test_the_disposition_stands_once_the_letter_is_signed(office):
    """After the Kepala Dinas approves (the letter numbered), the Disposisi is not made anew: the
    row is answered, what was typed is kept in the history, and no second Disposisi appears."""
    case = office.open_case()
    office.to_step(case, 6)
    office.dispose(case, catatan="Catatan terlambat.")
    office.scan()
    assert "sudah bernomor" in str(office.rows()[case]["Pesan Sistem"])
    assert len([d for d in office.svc.db.documents(case) if d["kind"] == "disposisi"]) == 1
    ignored = [e for e in office.svc.db.events(case) if e["kind"] == "disposition_ignored"]
    assert "Catatan terlambat." in ignored[-1]["catatan"]
