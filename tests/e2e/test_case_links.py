"""Which case a file belongs to: only this SOP's ids count, the id inside wins, and two ids that
disagree are answered instead of guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_docs.adapters import docx
from tests.driver import CORPUS, Office, unique_docx


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def test_another_offices_number_in_a_name_is_material_not_an_unknown_case(office):
    """`SPT-2026-0012 Surat Tugas.docx` saved as material opens a case: SPT is not our prefix."""
    office.save("inbox/kabid_kasubag/SPT-2026-0012 Surat Tugas.docx", CORPUS / "tables.docx")
    office.scan()
    [case] = office.svc.db.open_cases()
    assert case.id == "PIP-2026-0001"
    assert case.subject == "SPT-2026-0012 Surat Tugas"
    assert not list((office.root / "quarantine").iterdir())


def test_a_closed_cases_document_saved_as_material_opens_a_new_case(office):
    """The old link is ignored (and logged): material is material."""
    first = office.open_case("Pemadaman Listrik")
    office.to_step(first, 6)
    office.add_proofs(first)
    office.decide(first, "Selesai")
    office.scan()
    bundle = next((office.root / "archive" / "2026").glob(f"{first} - *"))
    letter = next((bundle / "data" / "softcopy").glob("* - Pengumuman - *.docx"))
    office.save(f"inbox/kabid_kasubag/{first} - Pengumuman - Pemadaman Listrik.docx",
                letter.read_bytes())
    office.scan()
    [case] = office.svc.db.open_cases()
    assert case.id == "PIP-2026-0002"
    assert not list((office.root / "quarantine").iterdir())


def test_a_name_and_a_link_naming_two_cases_is_answered_not_applied_to_either(office):
    """A draft linked inside to one case but named after another: quarantined with a note that
    says the id inside counts, and neither case moves."""
    one = office.open_case("Satu")
    two = office.open_case("Dua", src=unique_docx(CORPUS / "footnotes.docx", "Dua"))
    skeleton = next((office.root / "outbox" / "fungsional").glob(f"{two} - Konsep - *.docx"))
    office.save(f"inbox/fungsional/{one} - Konsep - Satu.docx", skeleton.read_bytes())
    assert docx.read_link(skeleton.read_bytes()) == two
    office.scan()
    assert office.svc.db.case(one).step == office.svc.db.case(two).step == 2
    [note] = [p for p in (office.root / "quarantine").iterdir() if p.suffix == ".txt"]
    text = note.read_text("utf-8")
    assert f"diawali Nomor Agenda {one}" in text and f"tercatat kasus {two}" in text
    assert "salin isi dokumen" in text
    assert "menyebut kasus yang berbeda" in str(office.rows()[two]["Pesan Sistem"])
