"""Who signs a document: the person who acted, in the official form (DOMAIN.md §2.2), a stand-in
with Plt./Plh. before the role's jabatan; and how the sheets name who acted (`events.acted_by`)."""

from __future__ import annotations

from datetime import date, datetime
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document

from sop_docs.adapters.db import CaseRow
from sop_docs.bootstrap import load_sop_ref
from sop_docs.core.access import StandIn
from sop_docs.core.events import acted_by
from sop_docs.core.people import People, Person
from sop_docs.paperwork import Paperwork
from sop_docs.settings import load_settings

TEMPLATES = Path(__file__).resolve().parents[2] / "sop_docs" / "templates"
SOP = load_sop_ref("pengumuman_informasi_publik")
OFFICE = """
[officials.kepala_dinas]
jabatan = "Kepala Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat"
nama = "Ir. H. Ahmad Yani, M.T."
pangkat = "Pembina Utama Muda (IV/c)"
nip = "196805121994031005"
"""
YANI = Person("Ir. H. Ahmad Yani, M.T.", "yani", roles=("kepala_dinas",))
BUDI = Person("Drs. Bambang Sutrisno, M.M.", "budi", "197501012000031001",
              "Pembina Tingkat I (IV/b)", "Sekretaris Dinas", ("sekretaris",))
SITI = Person("Siti Rahma, S.E.", "siti", "198001012005012001", "Penata Tingkat I (III/d)",
              roles=("kabid_kasubag",))
PLT = StandIn("kepala_dinas", "budi", date(2026, 11, 30), date(2026, 12, 4), "Plt.")
PLH = StandIn("kabid_kasubag", "budi", date(2026, 11, 30), date(2026, 12, 4), "Plh.")
JABATAN = "Kepala Dinas Koperasi, Usaha Kecil dan Menengah Provinsi Kalimantan Barat"
IN, AFTER = date(2026, 12, 1), date(2026, 12, 5)


@pytest.fixture
def pw(tmp_path: Path) -> Paperwork:
    (tmp_path / "sop.toml").write_text(OFFICE, "utf-8")
    return Paperwork(SOP, load_settings(tmp_path), TEMPLATES, tmp_path,
                     names=lambda user: {"tamu": "Tamu Dinas"}.get(user, user),
                     people=People((YANI, BUDI, SITI), (PLT, PLH)))


def test_a_stand_in_signs_with_their_own_data_under_plt_and_the_roles_jabatan(pw):
    """Budi as Plt. Kepala Dinas: his nama, pangkat and NIP from [[people]], Plt. before the
    Kepala Dinas's jabatan (not his own "Sekretaris Dinas")."""
    assert pw.signer("kepala_dinas", "budi", "Plt.", IN) == {
        "jabatan": JABATAN, "nama": BUDI.nama, "pangkat": BUDI.pangkat, "nip": BUDI.nip,
        "sebagai": "Plt."}


def test_the_official_signs_when_nobody_is_named_and_no_stand_in_covers_the_day(pw):
    assert pw.signer("kepala_dinas", None, "", AFTER) == {
        "jabatan": JABATAN, "nama": YANI.nama, "pangkat": "Pembina Utama Muda (IV/c)",
        "nip": "196805121994031005", "sebagai": ""}


def test_with_nobody_named_the_stand_in_of_the_day_signs(pw):
    """An office that cannot tell who saved: within the period the role is the stand-in's."""
    assert pw.signer("kepala_dinas", None, "", IN)["sebagai"] == "Plt."
    assert pw.signer("kepala_dinas", None, "", IN)["nama"] == BUDI.nama
    assert pw.signer("kabid_kasubag", None, "", IN)["sebagai"] == "Plh."


def test_the_official_who_acts_within_the_period_signs_as_himself(pw):
    """Who saved the decision signs, whatever the settings say about the day."""
    block = pw.signer("kepala_dinas", "yani", "", IN)
    assert (block["nama"], block["sebagai"], block["nip"]) == (YANI.nama, "", "196805121994031005")


def test_a_roles_own_person_signs_with_their_data_from_people(pw):
    block = pw.signer("kabid_kasubag", "siti", "", AFTER)
    assert (block["nama"], block["pangkat"], block["nip"], block["sebagai"]) == (
        SITI.nama, SITI.pangkat, SITI.nip, "")


def test_someone_not_in_people_prints_their_name_and_no_one_elses_pangkat_or_nip(pw):
    block = pw.signer("kepala_dinas", "tamu", "", AFTER)
    assert (block["nama"], block["pangkat"], block["nip"]) == ("Tamu Dinas", "", "")


CASE = CaseRow("PIP-2026-0007", SOP.id, 2026, 7, "berkala", "Laporan Keuangan",
               "2026-11-24T10:15:00", 5, "t", "2026-11-24T10:15:00", "open", None, None, [], "", "")


def test_the_pengumuman_prints_the_plt_block_in_the_official_form(pw):
    """Rendered: "Plt. KEPALA DINAS ...," (prefix as written, jabatan in capitals, a comma), the
    name in capitals, the pangkat, "NIP. ..."; none of the official's."""
    case = CASE
    concept = Document()
    concept.add_paragraph("Dengan ini diumumkan ringkasan laporan keuangan.")
    raw = BytesIO()
    concept.save(raw)
    letter = pw.pengumuman(case, datetime(2026, 12, 1, 9, 0), number="400/1/X/2026",
                           concept=raw.getvalue(), signer_role="kepala_dinas", person="budi",
                           person_title="Plt.")
    lines = [p.text for p in Document(BytesIO(letter)).paragraphs if p.text.strip()]
    at = lines.index(f"Plt. {JABATAN.upper()},")
    assert lines[at + 1:at + 4] == ["DRS. BAMBANG SUTRISNO, M.M.", BUDI.pangkat, f"NIP. {BUDI.nip}"]
    assert not any("AHMAD YANI" in line or "196805121994031005" in line for line in lines)


def test_the_disposisi_given_by_a_plh_carries_plh_before_the_givers_jabatan(pw):
    data = pw.disposisi(CASE, datetime(2026, 12, 1, 9, 0), material="bahan.docx",
                        deadline=datetime(2026, 12, 1, 9, 15), to_role="fungsional",
                        person="budi", person_title="Plh.")
    doc = Document(BytesIO(data))
    cells = [p.text for t in doc.tables for r in t.rows for c in r.cells for p in c.paragraphs]
    jabatan = pw.signer("kabid_kasubag")["jabatan"].upper()
    assert f"Plh. {jabatan}," in cells
    assert "DRS. BAMBANG SUTRISNO, M.M." in cells and f"NIP. {BUDI.nip}" in cells


def test_the_sheets_name_who_acted_by_the_name_recorded_with_the_event():
    """The name kept with the event wins (sop.toml may drop a stand-in later); an older event
    without one is named by its user; an event without a person names nobody."""
    names = {"budi": "Budi (GECOS)"}.get
    recorded = {"person": "budi", "person_title": "Plt.", "detail": '{"nama": "Drs. Bambang"}'}
    assert acted_by(recorded, names) == "Plt. Drs. Bambang"                # type: ignore[arg-type]
    older = {"person": "budi", "person_title": "", "detail": None}
    assert acted_by(older, names) == "Budi (GECOS)"                         # type: ignore[arg-type]
    assert acted_by({"person": None, "person_title": ""}) == ""
    assert acted_by({"person": "budi", "person_title": "Plh."}) == "Plh. budi"


def test_a_workspace_template_that_prints_no_plt_is_found(tmp_path):
    """The shipped templates print Plt./Plh.; a workspace copy made before them (here: its tag
    taken out) is named, so the administrator is told at start rather than a stand-in signing
    as if they held the office."""
    import shutil
    import zipfile

    folder = tmp_path / "templates"
    shutil.copytree(TEMPLATES, folder)
    pw = Paperwork(SOP, load_settings(tmp_path), folder, tmp_path)
    assert pw.without_plt() == []
    letter = folder / SOP.documents["pengumuman"].template
    with zipfile.ZipFile(TEMPLATES / letter.name) as zin, zipfile.ZipFile(letter, "w") as zout:
        for info in zin.infolist():
            data = zin.read(info)
            if info.filename == "word/document.xml":
                data = data.replace(b"penandatangan.sebagai", b"penandatangan.nama")
            zout.writestr(info, data)
    assert pw.without_plt() == [letter]
