"""One case through every path of the SOP on a real workspace, driven only by files and the register."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.driver import CORPUS, Office

CASE = "PIP-2026-0001"
SUBJECT = "Laporan Keuangan 2026"
MATERIAL = f"{CASE} - Bahan - {SUBJECT}.docx"
DISPOSISI = f"{CASE} - Disposisi - {SUBJECT}.docx"
KONSEP = f"{CASE} - Konsep - {SUBJECT}.docx"
PENGUMUMAN = f"{CASE} - Pengumuman - {SUBJECT}.docx"


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def open_case(office: Office) -> None:
    office.save(f"inbox/kabid_kasubag/{SUBJECT}.docx", CORPUS / "tables.docx")
    office.scan()


def submit_concept(office: Office, name: str = "konsep pengumuman.docx") -> None:
    """The Fungsional writes in the skeleton it was given and saves it into its inbox (renamed)."""
    office.save(f"inbox/fungsional/{name}", office.concept(judul=SUBJECT))
    office.scan()


def assert_at(office: Office, step: str, holder: str) -> dict[str, object]:
    row = office.rows()[CASE]
    assert row["Tahap"] == step
    assert row["Posisi"] == holder
    assert row["Keputusan"] is None, "an acted-on decision is emptied for the next step"
    assert not office.inbox_files(), "everything received left the inbox"
    return row


def test_material_opens_a_case_with_disposition_material_and_skeleton_for_the_fungsional(office):
    """Step 1: the material opens a case and the Fungsional gets disposition, material and skeleton."""
    open_case(office)
    assert office.outbox() == {f"fungsional/{n}" for n in (MATERIAL, DISPOSISI, KONSEP)}
    row = assert_at(office, "2 - Penyusunan Konsep", "Fungsional")
    assert row["Jenis"] == "Berkala"
    assert row["Perihal"] == SUBJECT
    assert row["Status Waktu"] == "Tepat Waktu"
    assert office.events(CASE) == [("opened", None)]


def test_straight_approval_reaches_the_archive(office):
    """Sesuai at 3, 4 and 5 yields the numbered letter; proofs plus Selesai close the case."""
    open_case(office)
    submit_concept(office)
    assert office.outbox("kabid_kasubag") == {KONSEP}
    assert_at(office, "3 - Pemeriksaan Kabid/Kasubag", "Kabid/Kasubag")

    office.decide(CASE, "Sesuai")
    office.scan()
    assert office.outbox("sekretaris") == {KONSEP}
    assert office.outbox("kabid_kasubag") == set()
    row = assert_at(office, "4 - Pemeriksaan Sekretaris", "Sekretaris")
    assert "diteruskan kepada Sekretaris" in str(row["Pesan Sistem"])

    office.decide(CASE, "Sesuai")
    office.scan()
    assert office.outbox("kepala_dinas") == {KONSEP}
    assert_at(office, "5 - Persetujuan Kepala Dinas", "Kepala Dinas")

    office.decide(CASE, "Sesuai")
    office.scan()
    assert office.outbox("kepala_dinas") == set()
    assert office.outbox("fungsional") == {MATERIAL, DISPOSISI, PENGUMUMAN,
                                           PENGUMUMAN.replace(".docx", ".pdf")}
    assert_at(office, "6 - Publikasi dan Dokumentasi", "Fungsional")
    assert office.svc.db.case(CASE).letter_number == "400.14.4.3/001/DISKUMKM/2026"

    office.decide(CASE, "Selesai")
    office.scan()
    row = assert_at(office, "6 - Publikasi dan Dokumentasi", "Fungsional")
    assert "bukti belum lengkap" in str(row["Pesan Sistem"])

    office.save(f"inbox/fungsional/bukti_online/{CASE} laman.png", b"\x89PNG\r\n\x1a\n" + b"1" * 64)
    office.scan()
    assert "Masih kurang: bukti_offline" in str(office.rows()[CASE]["Pesan Sistem"])
    office.save(f"inbox/fungsional/bukti_offline/{CASE} papan.jpg", b"\xff\xd8\xff\xe0" + b"2" * 64)
    office.scan()
    office.decide(CASE, "Selesai")
    office.scan()

    assert CASE not in office.rows(), "a closed case leaves the open-cases register"
    assert office.outbox() == set()
    folder = office.root / "archive" / "2026" / f"{CASE} - {SUBJECT}"
    archived = {p.relative_to(folder / "data").as_posix() for p in (folder / "data").rglob("*")
                if p.is_file()}
    assert {f"softcopy/v1 - {MATERIAL}", f"softcopy/v1 - {DISPOSISI}", f"softcopy/v1 - {PENGUMUMAN}",
            f"bukti/{CASE} - Bukti Online - laman.png",
            f"bukti/{CASE} - Bukti Offline - papan.jpg"} <= archived
    assert sum(a.startswith("softcopy/") and " - Konsep - " in a for a in archived) == 2
    assert office.events(CASE) == [
        ("opened", None), ("submitted", None), ("decided", "Sesuai"), ("decided", "Sesuai"),
        ("decided", "Sesuai"), ("decision_ignored", "Selesai"), ("proof", None), ("proof", None),
        ("decided", "Selesai")]


@pytest.mark.parametrize(("step", "back_to", "holder"), [
    (3, "fungsional", "Fungsional"),
    (4, "kabid_kasubag", "Kabid/Kasubag"),
    (5, "kabid_kasubag", "Kabid/Kasubag"),
])
def test_a_return_goes_back_as_the_sop_says_with_a_note_and_the_resubmission_goes_on(
        office, step, back_to, holder):
    """Belum Sesuai at 3 returns to the Fungsional; at 4 and 5 to the Kabid/Kasubag; then it goes on."""
    open_case(office)
    submit_concept(office)
    for _ in range(step - 3):
        office.decide(CASE, "Sesuai")
        office.scan()
    office.decide(CASE, "belum sesuai", "Perbaiki paragraf kedua")
    office.scan()
    nota = f"{CASE} - Nota Pengembalian 1 - {SUBJECT}.docx"
    assert {KONSEP, nota} <= office.outbox(back_to)
    for role in ("kabid_kasubag", "sekretaris", "kepala_dinas", "fungsional"):
        if role != back_to:
            assert KONSEP not in office.outbox(role), "the draft is in exactly one outbox"
    expected_step = "2 - Penyusunan Konsep" if step == 3 else "3 - Pemeriksaan Kabid/Kasubag"
    row = assert_at(office, expected_step, holder)
    assert "Belum Sesuai: dikembalikan" in str(row["Pesan Sistem"])
    from docx import Document
    text = "\n".join(p.text for t in Document(office.root / "outbox" / back_to / nota).tables
                     for row_ in t.rows for c in row_.cells for p in c.paragraphs)
    text += "\n".join(p.text for p in Document(office.root / "outbox" / back_to / nota).paragraphs)
    assert "Perbaiki paragraf kedua" in text

    if step == 3:
        submit_concept(office, "konsep revisi.docx")
    else:
        office.decide(CASE, "Sesuai")        # the Kabid/Kasubag fixes it and forwards again
        office.scan()
    assert office.outbox("sekretaris") == {KONSEP} if step > 3 else office.outbox(
        "kabid_kasubag") == {KONSEP}
    assert nota not in office.outbox(back_to), "the note leaves with the draft (kept in the store)"
    assert ("decided", "Belum Sesuai") in office.events(CASE)


def test_two_returns_in_a_row_then_approval(office):
    """Returned by the Sekretaris, then by the Kabid/Kasubag to the Fungsional, then approved."""
    open_case(office)
    submit_concept(office)
    office.decide(CASE, "Sesuai")
    office.scan()
    office.decide(CASE, "Belum Sesuai", "Data belum lengkap")
    office.scan()
    assert_at(office, "3 - Pemeriksaan Kabid/Kasubag", "Kabid/Kasubag")
    office.decide(CASE, "Belum Sesuai", "Lengkapi data")
    office.scan()
    assert_at(office, "2 - Penyusunan Konsep", "Fungsional")
    assert {KONSEP, f"{CASE} - Nota Pengembalian 2 - {SUBJECT}.docx"} <= office.outbox("fungsional")
    submit_concept(office, "revisi kedua.docx")
    for holder in ("sekretaris", "kepala_dinas"):
        office.decide(CASE, "Sesuai")
        office.scan()
        assert office.outbox(holder) == {KONSEP}
    office.decide(CASE, "Sesuai")
    office.scan()
    assert PENGUMUMAN in office.outbox("fungsional")
    kinds = [k for k, _ in office.events(CASE)]
    assert kinds.count("submitted") == 2 and kinds.count("decided") == 6


def test_a_case_still_open_stays_in_the_register_and_a_second_scan_changes_nothing(office):
    """Idempotence: scanning again with nothing new writes no event and moves no file."""
    open_case(office)
    submit_concept(office)
    before = (office.outbox(), office.rows(), office.svc.db.events())
    register = (office.root / "register.xlsx").read_bytes()
    office.scan()
    office.scan()
    after = (office.outbox(), office.rows(), office.svc.db.events())
    assert (office.root / "register.xlsx").read_bytes() == register, "not even rewritten"
    assert [dict(e) for e in before[2]] == [dict(e) for e in after[2]]
    assert before[:2] == after[:2]


def test_reviewer_corrections_in_place_travel_forward_as_a_new_version(office):
    """The Kabid/Kasubag edits the draft in its outbox; Sesuai forwards the edited file."""
    open_case(office)
    submit_concept(office)
    draft = office.draft_file("kabid_kasubag")
    edited = (CORPUS / "simple-list.docx").read_bytes()
    draft.write_bytes(edited)
    office.decide(CASE, "Sesuai")
    office.scan()
    from sop_docs.adapters.docx import read_link
    forwarded = office.draft_file("sekretaris").read_bytes()
    assert read_link(forwarded) == CASE, "the forwarded draft carries the case id inside"
    origins = [d["origin"] for d in office.svc.db.documents(CASE) if d["kind"] == "konsep"]
    assert origins[-1] == "edited"


def test_a_typo_in_the_register_gets_a_message_and_moves_nothing(office):
    """Anything that is not a decision is answered in Pesan Sistem and the case stays."""
    open_case(office)
    submit_concept(office)
    office.decide(CASE, "Sesuaii")
    office.scan()
    row = assert_at(office, "3 - Pemeriksaan Kabid/Kasubag", "Kabid/Kasubag")
    assert "tidak dikenali" in str(row["Pesan Sistem"])
    assert office.outbox("kabid_kasubag") == {KONSEP}


def test_a_decision_on_a_row_whose_step_changed_is_ignored_with_a_message(office):
    """A reviewer's stale copy of the register (saved after the step moved) does not act."""
    open_case(office)
    submit_concept(office)
    register = office.register_of(CASE)
    stale = register.read_bytes()                          # the reviewer opened it now
    office.decide(CASE, "Sesuai")
    office.scan()                                          # the case moved to step 4
    register.write_bytes(stale)                            # their old copy comes back ...
    from openpyxl import load_workbook

    wb = load_workbook(register)                           # ... with a decision for step 3
    next(r for r in wb["Kasus Terbuka"].iter_rows(min_row=2) if r[0].value == CASE)[9].value = \
        "Belum Sesuai"
    wb.save(register)
    office.scan()
    row = assert_at(office, "4 - Pemeriksaan Sekretaris", "Sekretaris")
    assert "tahap kasus sudah berubah" in str(row["Pesan Sistem"])
    assert office.outbox("sekretaris") == {KONSEP}


def test_the_serta_merta_folder_opens_an_urgent_case(office):
    """A file saved in serta_merta/ opens a Serta Merta case."""
    office.save("inbox/kabid_kasubag/serta_merta/Banjir Sungai Kapuas.docx", CORPUS / "tables.docx")
    office.scan()
    assert office.rows()["PIP-2026-0001"]["Jenis"] == "Serta Merta"


def test_a_concept_without_the_id_inside_is_linked_by_its_name(office):
    """A real Word document from elsewhere, named with the case id, is linked to the case by its
    name. Without the skeleton's Rincian table it cannot give the title, so as the first concept
    it is answered, naming the case; once the case has its title, it is taken as a new version."""
    open_case(office)
    office.save(f"inbox/fungsional/{CASE} konsep baru.docx", CORPUS / "simple-list.docx")
    office.scan()
    assert office.outbox("kabid_kasubag") == set()
    (note,) = (office.root / "quarantine").glob("*.txt")
    text = note.read_text(encoding="utf-8")
    assert f"No. Agenda  : {CASE}" in text and "tidak memuat tabel Rincian" in text
    assert office.svc.db.case(CASE).step == 2

    submit_concept(office)
    office.decide(CASE, "Belum Sesuai", "Lengkapi angka realisasi.")
    office.scan()
    office.save(f"inbox/fungsional/{CASE} konsep baru.docx", CORPUS / "simple-list.docx")
    office.scan()
    assert office.outbox("kabid_kasubag") == {KONSEP}
    assert office.svc.db.case(CASE).perihal == SUBJECT


def test_agenda_numbers_are_sequential_without_gaps(office):
    """Three materials open three cases numbered 1, 2, 3."""
    for i, name in enumerate(("tables.docx", "simple-list.docx", "tiny-picture.docx")):
        office.save(f"inbox/kabid_kasubag/Bahan {i}.docx", CORPUS / name)
    office.scan()
    assert sorted(office.rows()) == ["PIP-2026-0001", "PIP-2026-0002", "PIP-2026-0003"]


def test_agenda_numbers_follow_the_order_of_saving_not_of_names(office):
    """The file saved first gets the first number, whatever its name."""
    import os
    first = office.save("inbox/kabid_kasubag/Zonasi Pasar.docx", CORPUS / "tables.docx")
    second = office.save("inbox/kabid_kasubag/Anggaran.docx", CORPUS / "simple-list.docx")
    os.utime(first, ns=(1_700_000_000_000_000_000, 1_700_000_000_000_000_000))
    os.utime(second, ns=(1_700_000_100_000_000_000, 1_700_000_100_000_000_000))
    office.scan()
    rows = office.rows()
    assert rows["PIP-2026-0001"]["Perihal"] == "Zonasi Pasar"
    assert rows["PIP-2026-0002"]["Perihal"] == "Anggaran"


def test_agenda_numbers_start_again_each_year(office):
    """The last case of 2026 and the first of 2027 are PIP-2026-0002 and PIP-2027-0001."""
    from datetime import datetime
    office.clock.now = datetime(2026, 12, 31, 15, 0)
    for name in ("tables.docx", "simple-list.docx"):
        office.save(f"inbox/kabid_kasubag/Akhir Tahun {name}", CORPUS / name)
        office.scan()
    office.clock.now = datetime(2027, 1, 4, 8, 0)
    office.save("inbox/kabid_kasubag/Awal Tahun.docx", CORPUS / "footnotes.docx")
    office.scan()
    assert sorted(office.rows()) == ["PIP-2026-0001", "PIP-2026-0002", "PIP-2027-0001"]
