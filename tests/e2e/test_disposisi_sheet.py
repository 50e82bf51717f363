"""The Disposisi sheet as careless hands leave it: a register kept open in Excel after saving (so it
is read again on every pass), a register saved from a copy opened before the case moved on. A row
counts for what its giver changed in it, once; nothing is made again and nothing set since is
undone."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import load_workbook

from tests import lo
from tests.driver import Office, fill_concept
from tests.e2e.test_case_details import CASE, JUDUL, open_from_photo, skeleton, texts


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def dispositions(office: Office) -> int:
    return len([d for d in office.svc.db.documents(CASE) if d["kind"] == "disposisi"])


def kept_open(path: Path) -> None:
    """Excel still has the register open after saving it (its owner file beside it)."""
    (path.parent / f"~${path.name}").write_text("Kabid", encoding="utf-8")


@pytest.mark.parametrize("typed", [
    {"tanggal_surat": "23 November 2026", "jenis": "berkala", "judul": "Pemadaman  listrik"},
    {"tanggal_surat": "32/11/2026"},
], ids=["normalised", "refused"])
def test_a_register_kept_open_is_acted_on_once(office, typed):
    open_from_photo(office)
    kept_open(office.dispose(CASE, **typed))
    office.scan()
    made, events = dispositions(office), len(office.events(CASE))
    for _ in range(3):
        office.scan()
    assert dispositions(office) == made, "the Disposisi is not made again on every pass"
    assert len(office.events(CASE)) == events, "the row is answered once, not on every pass"


def test_a_register_saved_from_a_stale_copy_does_not_undo_the_title(office):
    """The Kabid opened the register before the concept came in and writes a note in it later:
    the note counts, the Perihal he never touched does not put back the material's name."""
    open_from_photo(office)
    path = office.dispose(CASE)                     # the register as he opened it
    stale = path.read_bytes()
    office.save("inbox/fungsional/konsep.docx", fill_concept(skeleton(office), judul=JUDUL))
    office.scan()
    assert office.svc.db.case(CASE).perihal == JUDUL
    path.write_bytes(stale)
    office.dispose(CASE, catatan="Umumkan hari ini.")
    office.scan()
    case = office.svc.db.case(CASE)
    assert case.details.catatan == "Umumkan hari ini."
    assert case.perihal == JUDUL, "an untouched stale Perihal is not a change"


@pytest.mark.libreoffice
def test_what_the_giver_types_in_calc_is_kept_as_typed(office):
    """Typed in LibreOffice Calc: a letter number of digits keeps its leading zero, a date typed as
    text is read, and a date whose format was lost (a bare serial) is still a date."""
    lo.require_libreoffice()
    open_from_photo(office)
    path = sorted((office.root / "keputusan" / "kabid_kasubag").glob("Register *.xlsx"))[0]
    lo.calc_edit(path, {("Disposisi", "F2"): "0123", ("Disposisi", "G2"): "23/11/2026",
                        ("Disposisi", "E2"): "PT PLN (Persero)"})
    office.scan()
    details = office.svc.db.case(CASE).details
    assert (details.nomor_surat, details.tanggal_surat) == ("0123", "2026-11-23")
    office.dispose(CASE, tanggal_surat=46345)               # 19/11/2026 pasted as a value
    office.scan()
    assert office.svc.db.case(CASE).details.tanggal_surat == "2026-11-19"


def test_a_refused_row_keeps_what_was_typed(office):
    """A note too long for the form is refused; the sheet is written anew from the database, so
    the words typed are kept in the register's Riwayat and the answer says where."""
    open_from_photo(office)
    note = "Mohon diumumkan segera di papan dan laman resmi dinas. " * 4
    office.dispose(CASE, catatan=note, surat_dari="PT PLN (Persero)")
    office.scan()
    assert "lembar Riwayat" in str(office.rows()[CASE]["Pesan Sistem"])
    wb = load_workbook(office.root / "register.xlsx", read_only=True)
    history = " ".join(str(v) for r in wb["Riwayat"].iter_rows(values_only=True) for v in r if v)
    wb.close()
    assert note.strip() in history and "PT PLN (Persero)" in history


def skeleton_text(office: Office) -> str:
    return texts(office.draft_file("fungsional").read_bytes())


def test_a_kind_changed_before_the_concept_is_written_remakes_the_skeleton(office):
    """Berkala switched to Serta Merta in the sheet: the Fungsional's skeleton asks for the parts
    of a serta merta announcement, not those of the kind first chosen."""
    case = office.open_case("Jadwal Layanan", folder="inbox/kabid_kasubag/berkala")
    assert "Potensi bahaya" not in skeleton_text(office)
    office.dispose(case, jenis="Serta Merta")
    office.scan()
    assert office.svc.db.case(case).kind == "serta_merta"
    assert "Potensi bahaya" in skeleton_text(office), "the skeleton follows the kind"
    assert "Kerangka konsep dibuat ulang" in str(office.rows()[case]["Pesan Sistem"])


def test_a_skeleton_already_written_in_is_not_replaced_when_the_kind_changes(office):
    case = office.open_case("Jadwal Layanan", folder="inbox/kabid_kasubag/berkala")
    draft = office.draft_file("fungsional")
    draft.write_bytes(office.concept(judul="Jadwal Layanan Tahun 2027"))    # written in place
    written = draft.read_bytes()
    office.dispose(case, jenis="Serta Merta")
    office.scan()
    assert office.draft_file("fungsional").read_bytes() == written
    assert "sudah mulai ditulis" in str(office.rows()[case]["Pesan Sistem"])


def test_a_case_on_two_rows_that_differ_is_answered_not_guessed(office):
    """A row copied below and changed: which one the giver meant is not guessed."""
    open_from_photo(office)
    path = office.dispose(CASE, catatan="pertama")
    wb = load_workbook(path)
    ws = wb["Disposisi"]
    ws.append([c.value for c in ws[2]])
    ws.cell(ws.max_row, 9).value = "kedua"
    wb.save(path)
    office.scan()
    case = office.svc.db.case(CASE)
    assert case.details.catatan == "" and dispositions(office) == 1
    assert "baris 2, 3" in case.message and "Hapus baris" in case.message


def test_a_renamed_sheet_is_still_read(office):
    """The Kabid renamed the sheet's tab before writing in it: his note is not dropped silently
    when the register is written anew."""
    open_from_photo(office)
    path = office.dispose(CASE, catatan="Umumkan hari ini.")
    wb = load_workbook(path)
    wb["Disposisi"].title = "Disposisi Kabid"
    wb.save(path)
    office.scan()
    assert office.svc.db.case(CASE).details.catatan == "Umumkan hari ini."


def test_the_perihal_cannot_be_changed_in_the_sheet_once_the_concept_is_handed_in(office):
    """The title lives in the concept from step 3 on: a Perihal typed in the sheet afterwards
    would name the archive and the print file differently from the letter's TENTANG."""
    open_from_photo(office)
    office.save("inbox/fungsional/konsep.docx", fill_concept(skeleton(office), judul=JUDUL))
    office.scan()
    office.dispose(CASE, judul="Judul lain dari register", catatan="Segera.")
    office.scan()
    case = office.svc.db.case(CASE)
    assert case.perihal == JUDUL and case.details.catatan == ""
    assert "tabel Rincian di konsep" in case.message
