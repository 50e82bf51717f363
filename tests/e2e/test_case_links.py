"""Which case a file belongs to: only this SOP's ids count, the id inside wins, and two ids that
disagree are answered instead of guessed."""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_docs.adapters import docx
from tests.driver import CORPUS, Office, fill_concept, unique_docx


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
    assert "salin seluruh isi dokumen" in text
    assert "menyebut kasus yang berbeda" in str(office.rows()[two]["Pesan Sistem"])
    written = concept_linked_to(two, office, two)        # meant for `one`, written in two's file
    office.save(f"inbox/fungsional/{one} - Konsep - Satu.docx", written)
    office.scan()
    follow_copy_advice(office, one, written, the_note(office, f"{one} - Konsep - Satu"))


# ------------------------------------------------------------- the notes' advice, followed literally

def copy_content_into(delivered: Path, source: bytes) -> bytes:
    """What the note asks: open the delivered file, Ctrl+A, paste the quarantined document's
    content over it; the delivered file's own properties (its case id) stay."""
    import copy
    from io import BytesIO

    from docx import Document
    from docx.oxml.ns import qn

    target, src = Document(delivered), Document(BytesIO(source))
    body = target.element.body
    for el in [e for e in body.iterchildren() if e.tag != qn("w:sectPr")]:
        body.remove(el)
    sect = body.find(qn("w:sectPr"))
    for el in src.element.body.iterchildren():
        if el.tag != qn("w:sectPr"):
            sect.addprevious(copy.deepcopy(el))
    out = BytesIO()
    target.save(out)
    return out.getvalue()


def the_note(office: Office, name: str = "") -> str:
    """The newest note in quarantine/ (about a file whose name contains `name`)."""
    notes = sorted((p for p in (office.root / "quarantine").iterdir()
                    if p.suffix == ".txt" and name in p.name), key=lambda p: p.stat().st_mtime_ns)
    return notes[-1].read_text("utf-8")


def follow_copy_advice(office: Office, case: str, quarantined: bytes, note: str) -> None:
    """Open the case's file in outbox/fungsional/ (as the note names it), paste, Save As into
    inbox/fungsional/; then the case takes it as its concept."""
    assert "outbox/fungsional/" in note and "Simpan Sebagai ke folder inbox/fungsional/" in note
    assert "ganti nama berkas agar diawali" not in note.lower().split("bila dokumen ini memang")[0]
    [mine] = (office.root / "outbox" / "fungsional").glob(f"{case} - Konsep - *.docx")
    office.save(f"inbox/fungsional/{mine.name}", copy_content_into(mine, quarantined))
    office.scan()
    assert office.svc.db.case(case).step == 3, "taken in: on to the Kabid/Kasubag"
    [draft] = (office.root / "outbox" / "kabid_kasubag").glob(f"{case} - Konsep - *.docx")
    assert "TULISAN DARI BERKAS LAIN" in docx_text(draft.read_bytes())


def docx_text(data: bytes) -> str:
    from io import BytesIO

    from docx import Document

    return "\n".join(p.text for p in Document(BytesIO(data)).paragraphs)


def concept_linked_to(case: str, office: Office, skeleton_of: str) -> bytes:
    """A concept written in another case's skeleton (so `case` is the id inside)."""
    from io import BytesIO

    from docx import Document

    [skeleton] = (office.root / "outbox" / "fungsional").glob(f"{skeleton_of} - Konsep - *.docx")
    doc = Document(BytesIO(docx.set_link(fill_concept(skeleton.read_bytes(), isi=""), case)))
    doc.add_paragraph("TULISAN DARI BERKAS LAIN")
    out = BytesIO()
    doc.save(out)
    return out.getvalue()


def test_a_concept_carrying_a_case_at_another_step_is_taken_in_after_the_notes_advice(office):
    """Written in case one's file (now at step 3) for case two: renaming would not help, so the
    note says to paste it into case two's file; doing exactly that moves case two."""
    one = office.open_case("Satu")
    two = office.open_case("Dua", src=unique_docx(CORPUS / "footnotes.docx", "Dua"))
    written = concept_linked_to(one, office, two)
    office.to_step(one, 3)
    office.save("inbox/fungsional/konsep dua.docx", written)
    office.scan()
    note = the_note(office)
    assert "kasus itu tidak sedang menunggu" in note and f"tercatat kasus {one}" in note
    assert "Mengganti nama berkas saja tidak cukup" in note
    follow_copy_advice(office, two, written, note)


@pytest.mark.parametrize("named", [False, True])
def test_a_concept_carrying_an_unknown_case_is_taken_in_after_the_notes_advice(office, named):
    """A concept with last year's id inside, saved as it is (unknown case) or renamed to the right
    Nomor Agenda (two cases): each note's advice, followed, takes it in for the right case."""
    case = office.open_case("Satu")
    written = concept_linked_to("PIP-2025-0001", office, case)
    name = f"{case} - Konsep - Satu.docx" if named else "konsep tahun lalu.docx"
    office.save(f"inbox/fungsional/{name}", written)
    office.scan()
    assert office.svc.db.case(case).step == 2
    note = the_note(office)
    if named:
        assert "di dalam dokumen tercatat kasus PIP-2025-0001" in note
    else:
        assert "Di dalam dokumen ini tercatat Nomor Agenda PIP-2025-0001" in note
    follow_copy_advice(office, case, written, note)


def test_a_file_saved_outside_the_role_folders_is_taken_in_once_saved_where_the_note_says(office):
    """Saved straight into inbox/: the note lists the role folders; saved into the Fungsional's,
    the concept is taken in."""
    case = office.open_case("Satu")
    [skeleton] = (office.root / "outbox" / "fungsional").glob(f"{case} - Konsep - *.docx")
    written = fill_concept(skeleton.read_bytes())
    office.save("inbox/Konsep.docx", written)
    office.scan()
    note = the_note(office)
    assert "inbox/fungsional/ (Fungsional)" in note and "inbox peran Anda sendiri" in note
    office.save("inbox/fungsional/Konsep.docx", written)
    office.scan()
    assert office.svc.db.case(case).step == 3
