"""One broken thing never stops the office: faults stay local, are retried, and are told where the
person looks; nothing is ignored in silence (issue 9)."""

from __future__ import annotations

import csv
import io
import logging
import os
import subprocess
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sop_docs import journal
from tests.driver import CORPUS, Office
from tests.integration.test_watch_service import wait_for


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def read_only(folder: Path):
    """Make `folder` read-only even for root: a read-only bind mount over it."""
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)


def writable(folder: Path) -> None:
    subprocess.run(["umount", str(folder)], check=True)


def quarantined(office: Office) -> list[str]:
    return sorted(p.name for p in (office.root / "quarantine").iterdir())


def test_an_operation_that_keeps_failing_is_retried_and_reported_while_other_cases_go_on(
        office, monkeypatch):
    """A read-only outbox of the Sekretaris: the case bound for it waits and its Pesan Sistem
    says so after the third attempt; another case goes on meanwhile; once writable, it arrives."""
    monkeypatch.setattr(journal, "RETRY_FIRST", 0.0)
    stuck = office.open_case("Tertahan")
    office.to_step(stuck, 3)
    outbox = office.root / "outbox" / "sekretaris"
    read_only(outbox)
    try:
        office.decide(stuck, "Sesuai")
        office.scan()
        moving = office.open_case("Lancar")           # another case, opened meanwhile
        office.scan()
        office.scan()
        assert office.svc.db.case(stuck).step == 4
        assert "Sistem belum dapat memproses berkas outbox/sekretaris/" in str(
            office.rows()[stuck]["Pesan Sistem"])
        assert office.svc.db.case(moving).step == 2
        assert any(n.startswith(f"{moving} - Konsep") for n in office.outbox("fungsional"))
    finally:
        writable(outbox)
    office.scan()
    assert any(n.startswith(f"{stuck} - Konsep") for n in office.outbox("sekretaris"))
    assert not office.svc.db.pending_ops()


def test_a_file_that_cannot_leave_its_inbox_is_answered_once(office, monkeypatch):
    """A refused file in a read-only inbox: one quarantine copy and one note, not one per scan."""
    monkeypatch.setattr(journal, "RETRY_FIRST", 0.0)
    inbox = office.root / "inbox" / "fungsional"
    (inbox / "catatan rapat.txt").write_text("bukan dokumen Word", encoding="utf-8")
    read_only(inbox)
    try:
        for _ in range(4):
            office.scan()
        assert len(quarantined(office)) == 2, quarantined(office)     # the copy and its note
        assert len([e for e in office.svc.db.events() if e["kind"] == "quarantined"]) == 1
    finally:
        writable(inbox)
    office.scan()
    assert not (inbox / "catatan rapat.txt").exists()
    assert len(quarantined(office)) == 2


def test_an_old_lock_file_no_longer_stops_the_register(office):
    """A `.~lock.register.xlsx#` left by a crashed LibreOffice 13 hours ago: the register is
    written again (a fresh one still holds it back)."""
    lock = office.root / ".~lock.register.xlsx#"
    lock.write_text("x,Reviewer,host,29.11.2026 08:00,file:///x;", encoding="utf-8")
    case = office.open_case()
    assert case not in office.rows(), "a fresh lock: the register waits"
    old = time.time() - 13 * 3600
    os.utime(lock, (old, old))
    office.scan()
    assert case in office.rows()


def test_a_broken_template_does_not_blame_a_healthy_file(office, caplog):
    """The administrator's fault (a broken template) leaves the material waiting in its inbox,
    with no 'berkas rusak' note; once the template is mended, the case opens."""
    template = office.root / "templates" / "Lembar Disposisi.docx"
    good = template.read_bytes()
    template.write_bytes(b"not a template")
    office.save("inbox/kabid_kasubag/Laporan.docx", CORPUS / "tables.docx")
    office.scan()
    office.scan()
    assert (office.root / "inbox/kabid_kasubag/Laporan.docx").exists()
    assert quarantined(office) == []
    assert office.svc.db.open_cases() == []
    assert any("Lembar Disposisi.docx" in r.getMessage() for r in caplog.records)
    template.write_bytes(good)
    office.scan()
    assert len(office.svc.db.open_cases()) == 1


def test_a_bug_while_taking_a_file_in_leaves_it_waiting_and_logs_the_traceback_once(
        office, monkeypatch, caplog):
    """An unforeseen exception of ours: the file waits, the administrator gets the traceback once."""
    def broken(*_args, **_kw):
        raise RuntimeError("a bug in our code")

    monkeypatch.setattr(office.svc.paperwork, "disposisi", broken)
    office.save("inbox/kabid_kasubag/Laporan.docx", CORPUS / "tables.docx")
    caplog.set_level(logging.INFO)
    for _ in range(3):
        office.scan()
    assert (office.root / "inbox/kabid_kasubag/Laporan.docx").exists()
    assert quarantined(office) == []
    assert sum(r.exc_info is not None for r in caplog.records) == 1


def test_a_hidden_name_document_is_answered_not_ignored(office):
    """`.Laporan.docx` is hidden on the desktop of whoever saved it: a note says so. Office lock
    files and AppleDouble names stay ignored."""
    office.save("inbox/kabid_kasubag/.Laporan.docx", CORPUS / "tables.docx")
    office.save("inbox/kabid_kasubag/.~lock.Laporan.docx#", b"x")
    office.save("inbox/kabid_kasubag/._Laporan.docx", b"x")
    office.scan()
    notes = [p for p in (office.root / "quarantine").iterdir() if p.suffix == ".txt"]
    assert len(notes) == 1
    text = notes[0].read_text("utf-8")
    assert "diawali titik" in text and "'Laporan.docx'" in text
    assert (office.root / "inbox/kabid_kasubag/.~lock.Laporan.docx#").exists()
    assert office.svc.db.open_cases() == []


def test_a_register_saved_as_csv_is_kept_and_the_person_told(office):
    """Saved as CSV under the .xlsx name: the file is kept in quarantine/ with a note, the
    register is written anew, and its Pemberitahuan sheet says what happened."""
    case = office.open_case()
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["No. Agenda", "Keputusan"])
    w.writerow([case, "Sesuai"])
    (office.root / "register.xlsx").write_text(out.getvalue(), encoding="utf-8")
    office.scan()
    kept = [p for p in (office.root / "quarantine").iterdir() if p.suffix == ".xlsx"]
    assert len(kept) == 1 and case in kept[0].read_text("utf-8")
    note = (office.root / "quarantine" / f"{kept[0].name}.txt").read_text("utf-8")
    assert "pilih ulang keputusan" in note
    wb = load_workbook(office.root / "register.xlsx", read_only=True)
    notices = [r for r in wb["Pemberitahuan"].iter_rows(min_row=2, values_only=True)]
    wb.close()
    assert any("tidak dapat dibaca" in str(r[4]) for r in notices)
    assert office.svc.db.case(case).step == 2, "no decision was guessed"


def test_a_decision_typed_into_pesan_sistem_is_answered(office):
    """'Sesuai' typed over the system's message (the sheet unprotected): answered, not acted on."""
    case = office.open_case()
    office.to_step(case, 3)
    path = office.register_of(case)
    wb = load_workbook(path)
    ws = wb["Kasus Terbuka"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value == case:
            row[11].value = "Sesuai"
    wb.save(path)
    office.scan()
    assert office.svc.db.case(case).step == 3
    assert "ditulis di kolom Pesan Sistem" in str(office.rows()[case]["Pesan Sistem"])


def test_a_decision_typed_into_the_overview_names_the_register_to_use(office):
    """With a register per role, register.xlsx is an overview: a decision typed there (its sheet
    unprotected) is answered with where the holder decides, and acts on nothing."""
    case = office.open_case()
    office.to_step(case, 3)
    path = office.root / "register.xlsx"
    wb = load_workbook(path)
    for row in wb["Kasus Terbuka"].iter_rows(min_row=2):
        if row[0].value == case:
            row[9].value = "Sesuai"
    wb.save(path)
    office.scan()
    assert office.svc.db.case(case).step == 3
    message = str(office.rows()[case]["Pesan Sistem"])
    assert "hanya ikhtisar" in message
    assert "keputusan/kabid_kasubag/Register Kabid Kasubag.xlsx" in message


def test_the_history_sheet_names_events_in_indonesian(office):
    """Staff read 'Kasus dibuka', not 'opened'."""
    case = office.open_case()
    wb = load_workbook(office.root / "register.xlsx", read_only=True)
    kinds = [r[4] for r in wb["Riwayat"].iter_rows(min_row=2, values_only=True) if r[1] == case]
    wb.close()
    assert kinds == ["Kasus dibuka"]


def test_invisible_characters_in_a_name_are_escaped_in_the_log_and_left_out_of_names(
        office, caplog):
    """A right-to-left override makes 'laporan\\u202egpj.docx' read as 'laporanxcod.jpg'."""
    name = "laporan\u202egpj.txt"
    office.save(f"inbox/fungsional/{name}", b"bukan dokumen")
    caplog.set_level(logging.INFO)
    office.scan()
    assert all("\u202e" not in n for n in quarantined(office))
    assert len(quarantined(office)) == 2
    assert all("\u202e" not in r.getMessage() for r in caplog.records)
    assert any("\\u202e" in r.getMessage() for r in caplog.records)


def test_the_year_register_is_written_off_the_hot_path(office):
    """A close in watch mode only counts the year as due; a thread writes the year register once
    things are quiet (scan writes it before it exits)."""
    office.svc.history.quiet = 0.2
    case = office.open_case()
    office.to_step(case, 6)
    office.add_proofs(case)
    office.decide(case, "Selesai")
    target = office.root / "archive" / "2026" / "Register 2026.xlsx"
    office.svc.process_register()                 # as the watcher does: no year register yet
    assert office.svc.db.years_to_write() != {}
    wait_for(target.exists, what="the year register, written by the history thread")
    wait_for(lambda: office.svc.db.years_to_write() == {}, what="the year no longer due")


def test_a_decision_the_service_could_not_carry_out_waits_in_its_row_and_goes_through_later(office):
    """A broken letter template at approval: the Kepala Dinas's Sesuai is not wiped from the
    register; Pesan Sistem says it waits; once the template is mended it goes through."""
    case = office.open_case()
    office.to_step(case, 5)
    template = office.root / "templates" / "Pengumuman.docx"
    good = template.read_bytes()
    template.write_bytes(b"bukan templat")
    office.decide(case, "Sesuai", "setuju")
    register = office.register_of(case)
    office.scan()
    office.scan()
    assert office.svc.db.case(case).step == 5
    assert "belum dapat dijalankan karena gangguan sistem" in str(office.rows()[case]["Pesan Sistem"])
    wb = load_workbook(register, read_only=True)
    row = next(r for r in wb["Kasus Terbuka"].iter_rows(min_row=2, values_only=True) if r[0] == case)
    wb.close()
    assert (row[9], row[10]) == ("Sesuai", "setuju"), "the decision is still in its row"
    template.write_bytes(good)
    office.scan()
    assert office.svc.db.case(case).step == 6


def test_a_bug_on_one_row_does_not_stop_the_other_decisions(office, monkeypatch, caplog):
    """One row that trips a fault of ours is held; every other row and register still acts."""
    one = office.open_case("Satu")
    two = office.open_case("Dua")
    office.to_step(one, 3)
    office.to_step(two, 3)
    real = office.svc.decisions._current_draft

    def broken(case, draft):  # type: ignore[no-untyped-def]
        if case.id == one:
            raise RuntimeError("a bug in our code")
        return real(case, draft)

    monkeypatch.setattr(office.svc.decisions, "_current_draft", broken)
    office.decide(one, "Sesuai")
    office.decide(two, "Sesuai")
    office.scan()
    assert office.svc.db.case(two).step == 4
    assert office.svc.db.case(one).step == 3
    assert "gangguan sistem" in str(office.rows()[one]["Pesan Sistem"])
    assert sum(r.exc_info is not None for r in caplog.records) == 1


def test_material_in_a_date_folder_opens_a_case_and_a_hidden_folder_is_answered(office):
    """`inbox/kabid_kasubag/20261125/` is a date, not a temp file: its material opens a case.
    A file inside a hidden folder, or a hidden proof in any format, is answered, not ignored."""
    office.save("inbox/kabid_kasubag/20261125/Laporan Triwulan.docx", CORPUS / "tables.docx")
    office.save("inbox/kabid_kasubag/.arsip/Laporan Tahunan.docx", CORPUS / "footnotes.docx")
    office.save("inbox/fungsional/bukti_online/.laman.webp", b"RIFF0000WEBP")
    office.scan()
    [case] = office.svc.db.open_cases()
    assert case.subject == "Laporan Triwulan"
    notes = [p.read_text("utf-8") for p in (office.root / "quarantine").iterdir()
             if p.suffix == ".txt"]
    assert len(notes) == 2 and all("diawali titik" in n for n in notes)
    assert any("Folder '.arsip'" in n for n in notes)
    [arsip] = [n for n in notes if "Folder '.arsip'" in n]
    assert "simpan ulang ke folder inbox/kabid_kasubag/." in arsip, "not back into .arsip/"
    assert not office.inbox_files()


def test_invisible_characters_never_reach_the_subject(office):
    """A right-to-left override in the name would print the Perihal reversed on the Disposisi."""
    office.save("inbox/kabid_kasubag/Laporan\u202egnp.docx", CORPUS / "tables.docx")
    office.save("inbox/kabid_kasubag/\u200b\u200b.docx", CORPUS / "footnotes.docx")
    office.scan()
    subjects = sorted(c.subject for c in office.svc.db.open_cases())
    assert subjects == ["Laporangnp", "Tanpa Perihal"]


def test_a_removed_proof_folder_comes_back_at_the_next_start(office):
    """The folder a link stood in for (or a careless delete) is made again when the service starts."""
    import shutil

    folder = office.root / "inbox" / "fungsional" / "bukti_offline"
    shutil.rmtree(folder)
    office.close()
    office.svc = __import__("sop_docs.bootstrap", fromlist=["open_service"]).open_service(
        office.root, clock=office.clock)
    assert folder.is_dir()
