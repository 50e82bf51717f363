"""The register as reviewers really use it: saved by LibreOffice Calc, left open, typed into."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import lo
from tests.driver import CORPUS, Office

CASE = "PIP-2026-0001"


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def row_of(office: Office, case: str = CASE) -> int:
    """The case's row in the register where its decision is chosen."""
    wb = load_workbook(office.register_of(case), read_only=True)
    try:
        for i, r in enumerate(wb["Kasus Terbuka"].iter_rows(values_only=True), start=1):
            if r and r[0] == case:
                return i
    finally:
        wb.close()
    raise AssertionError(f"{case} not in the register")


def at_step_3(office: Office) -> None:
    office.save("inbox/kabid_kasubag/Rencana Kerja 2027.docx", CORPUS / "tables.docx")
    office.scan()
    office.save("inbox/fungsional/konsep.docx", office.concept())
    office.scan()


@pytest.mark.libreoffice
def test_a_decision_saved_by_libreoffice_calc_is_acted_on(office):
    """The Kabid/Kasubag picks Sesuai in LibreOffice Calc and saves; the draft goes to the Sekretaris."""
    lo.require_libreoffice()
    at_step_3(office)
    r = row_of(office)
    lo.calc_edit(office.register_of(CASE),
                 {("Kasus Terbuka", f"J{r}"): "Sesuai", ("Kasus Terbuka", f"K{r}"): "Bagus, lanjut"})
    office.scan()
    row = office.rows()[CASE]
    assert row["Tahap"] == "4 - Pemeriksaan Sekretaris"
    assert row["Keputusan"] is None
    assert any(" - Konsep - " in n for n in office.outbox("sekretaris"))
    decided = [e for e in office.svc.db.events(CASE) if e["kind"] == "decided"]
    assert decided[0]["catatan"] == "Bagus, lanjut"


@pytest.mark.libreoffice
def test_a_decision_pasted_past_the_dropdown_in_calc_is_answered_not_acted_on(office):
    """A value the dropdown would refuse, pasted in Calc, gets a message and moves nothing."""
    lo.require_libreoffice()
    at_step_3(office)
    r = row_of(office)
    lo.calc_edit(office.register_of(CASE), {("Kasus Terbuka", f"J{r}"): "Setuju sekali"},
                 check_validation=False)
    office.scan()
    row = office.rows()[CASE]
    assert row["Tahap"] == "3 - Pemeriksaan Kabid/Kasubag"
    assert "tidak dikenali" in str(row["Pesan Sistem"])


@pytest.mark.libreoffice
def test_an_open_register_is_never_overwritten_and_its_saved_decision_is_not_lost(office):
    """While Calc has the register open, decisions saved before are acted on but the file is left alone."""
    lo.require_libreoffice()
    at_step_3(office)
    office.decide(CASE, "Sesuai")
    register = office.register_of(CASE)
    with lo.calc_hold_open(register) as lock:
        assert lock.exists()
        saved = register.read_bytes()
        office.scan()
        assert register.read_bytes() == saved, "the open register was not touched"
        assert any(" - Konsep - " in n for n in office.outbox("sekretaris"))
        office.scan()                        # the same saved decision is not acted on twice
        assert office.svc.db.case(CASE).step == 4
    office.scan()                            # closed: now the register catches up
    row = office.rows()[CASE]
    assert row["Tahap"] == "4 - Pemeriksaan Sekretaris" and row["Keputusan"] is None


@pytest.mark.libreoffice
def test_the_link_inside_a_draft_survives_a_save_in_libreoffice_writer(office):
    """The Fungsional writes the skeleton, edits it in Writer and saves it under a name without the
    case id: the link and the Rincian table's title both survive Writer's save."""
    lo.require_libreoffice()
    office.save("inbox/kabid_kasubag/Rencana Kerja 2027.docx", CORPUS / "tables.docx")
    office.scan()
    written = office.root.parent / "konsep ditulis.docx"       # on the Fungsional's own disk
    written.write_bytes(office.concept(judul="Rencana Kerja Dinas Tahun 2027"))
    target = office.root / "inbox" / "fungsional" / "tulisan saya.docx"
    lo.writer_edit(written, append_paragraph="Isi pengumuman dari Writer.", out=target)
    office.scan()
    assert any(" - Konsep - " in n for n in office.outbox("kabid_kasubag")), \
        office.rows()[CASE]["Pesan Sistem"]
    assert office.rows()[CASE]["Perihal"] == "Rencana Kerja Dinas Tahun 2027"
    from docx import Document
    text = "\n".join(p.text for p in Document(office.draft_file("kabid_kasubag")).paragraphs)
    assert "Isi pengumuman dari Writer." in text


def test_text_from_documents_can_never_become_a_formula(office):
    """A subject that starts with '=' is stored as text with a quote prefix, in openpyxl and Calc."""
    office.save('inbox/kabid_kasubag/=HYPERLINK("http---x","klik") + 1.docx', CORPUS / "tables.docx")
    office.save("inbox/kabid_kasubag/@SUM(A1) anggaran.docx", CORPUS / "simple-list.docx")
    office.scan()
    wb = load_workbook(office.root / "register.xlsx")
    cells = [r[2] for r in wb["Kasus Terbuka"].iter_rows(min_row=2)]
    assert {c.value[0] for c in cells} == {"=", "@"}
    for c in cells:
        assert c.data_type == "s"
        assert c.quotePrefix
    with (office.root / "register.xlsx").open("rb") as f:
        import zipfile
        sheet = zipfile.ZipFile(f).read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet


@pytest.mark.libreoffice
def test_libreoffice_reads_a_formula_like_subject_as_text(office, tmp_path):
    """Calc's own CSV export of the register shows the subject literally, not a computed value."""
    lo.require_libreoffice()
    office.save("inbox/kabid_kasubag/=1+1.docx", CORPUS / "tables.docx")
    office.scan()
    out = tmp_path / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/prof", "--headless",
                    "--convert-to", "csv", "--outdir", str(out), str(office.root / "register.xlsx")],
                   check=True, capture_output=True, timeout=120)
    text = (out / "register.csv").read_text("utf-8")
    assert "=1+1" in text and ",2," not in text


def test_a_step_past_its_deadline_is_marked_late(office):
    """The 1-hour review opened Monday 09:00 is late at 10:01 and shows its deadline."""
    at_step_3(office)
    office.clock.advance(minutes=61)
    office.scan()
    row = office.rows()[CASE]
    assert row["Status Waktu"] == "Terlambat"
    assert row["Batas Waktu"].strftime("%d/%m %H:%M") == "23/11 10:00"


def test_history_is_kept_when_cases_close(office):
    """A closed case leaves the open sheet; its events stay in archive/<year>/Register <year>.xlsx."""
    at_step_3(office)
    for _ in range(3):
        office.decide(CASE, "Sesuai")
        office.scan()
    office.save(f"inbox/fungsional/bukti_online/{CASE} web.png", b"\x89PNG\r\n\x1a\n1")
    office.save(f"inbox/fungsional/bukti_offline/{CASE} papan.png", b"\x89PNG\r\n\x1a\n2")
    office.scan()
    office.decide(CASE, "Selesai")
    office.scan()
    assert CASE not in office.rows()
    wb = load_workbook(office.root / "archive" / "2026" / "Register 2026.xlsx", read_only=True)
    cases = list(wb["Kasus 2026"].iter_rows(min_row=2, values_only=True))
    events = list(wb["Riwayat 2026"].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert cases[0][0] == CASE and cases[0][4] == "Selesai"
    assert cases[0][6] == "400.14.4.3/001/DISKUMKM/2026"
    assert [e[4] for e in events].count("Keputusan dijalankan") == 4
    reg = load_workbook(office.root / "register.xlsx", read_only=True)
    assert all(r[1] != CASE for r in reg["Riwayat"].iter_rows(min_row=2, values_only=True))
    reg.close()


def test_a_note_typed_before_the_decision_is_kept_across_rewrites(office):
    """Catatan typed and saved without a decision survives the register being rewritten."""
    at_step_3(office)
    office.decide(CASE, "", "Periksa angka tabel")
    office.save("inbox/kabid_kasubag/Bahan Lain.docx", CORPUS / "simple-list.docx")
    office.scan()                           # another case opens: the register is rewritten
    assert office.rows()[CASE]["Catatan"] == "Periksa angka tabel"
    office.decide(CASE, "Belum Sesuai", "Periksa angka tabel")
    office.scan()
    assert office.rows()[CASE]["Tahap"] == "2 - Penyusunan Konsep"


def test_a_file_that_matches_no_case_is_announced_in_the_register(office):
    """A draft without a case id has no row; the Pemberitahuan sheet tells the Fungsional."""
    office.save("inbox/fungsional/konsep tanpa nomor.docx", CORPUS / "simple-list.docx")
    office.scan()
    wb = load_workbook(office.root / "register.xlsx", read_only=True)
    assert wb.sheetnames[:2] == ["Kasus Terbuka", "Pemberitahuan"]
    notices = list(wb["Pemberitahuan"].iter_rows(min_row=2, values_only=True))
    wb.close()
    assert len(notices) == 1
    _, role, case, file, message = notices[0]
    assert (role, case) == ("Fungsional", None)
    assert file == "inbox/fungsional/konsep tanpa nomor.docx"
    assert "quarantine/" in message
