"""Only the person whose role owns a step decides it: the service runs as one user, staff save as
others (real Unix users made by the test, files owned by them as a Samba share would leave them).

Decisions are chosen in each role's own register (`keputusan/<role>/`), and a decision, a concept
or a correction counts only when the file carrying it was saved by someone holding that role on
the day: by name, by group, or as a stand-in (Plt./Plh.) within their period.
"""

from __future__ import annotations

import grp
import pwd
import subprocess
import sys
from datetime import datetime
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.driver import CORPUS, Office, fill_concept, saved_by, unique_docx

REPO = Path(__file__).resolve().parents[2]
USERS = {"ppid_kabid": "Siti Rahma", "ppid_sekdis": "Budi Santoso", "ppid_kadis": "Hj. Aminah",
         "ppid_ani": "Ani Lestari", "ppid_tamu": "Tamu"}
FUNGSIONAL = "ppid_fungsional"
ACCESS = f'''
[access]
authorization = "owner"

[access.roles]
kabid_kasubag = ["ppid_kabid"]
sekretaris = ["ppid_sekdis"]
kepala_dinas = ["ppid_kadis"]
fungsional = ["@{FUNGSIONAL}"]

[[access.stand_in]]
role = "kepala_dinas"
user = "ppid_sekdis"
from = 2026-11-30
to = 2026-12-04
as = "Plh."
'''


@pytest.fixture(scope="session")
def people() -> dict[str, int]:
    """The office's staff as Unix users (made once; the machine runs the tests as root)."""
    try:
        grp.getgrnam(FUNGSIONAL)
    except KeyError:
        subprocess.run(["groupadd", FUNGSIONAL], check=True)
    for user, name in USERS.items():
        try:
            pwd.getpwnam(user)
        except KeyError:
            subprocess.run(["useradd", "--no-create-home", "-c", name, user], check=True)
    subprocess.run(["usermod", "-a", "-G", FUNGSIONAL, "ppid_ani"], check=True)
    return {user: pwd.getpwnam(user).pw_uid for user in USERS}


@pytest.fixture
def office(tmp_path: Path, people):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(ACCESS, encoding="utf-8")   # over the shipped defaults
    o = Office(root)
    yield o
    o.close()



def decide_as(office: Office, user: str, case: str, keputusan: str, catatan: str = "") -> None:
    office.decide(case, keputusan, catatan)
    saved_by(office.register_of(case), user)


HOLDERS = {"kabid_kasubag": "ppid_kabid", "sekretaris": "ppid_sekdis", "kepala_dinas": "ppid_kadis",
           "fungsional": "ppid_ani"}


def open_case(office: Office, subject: str = "Laporan Keuangan 2026") -> str:
    """The Kabid/Kasubag saves material (as themself); the case it opened."""
    before = {c.id for c in office.svc.db.open_cases()}
    saved_by(office.save(f"inbox/kabid_kasubag/{subject}.docx",
                         unique_docx(CORPUS / "tables.docx", subject)), "ppid_kabid")
    office.scan()
    (case,) = {c.id for c in office.svc.db.open_cases()} - before
    return case


def to_step(office: Office, case: str, step: int) -> None:
    """The Fungsional hands in the concept, each holder chooses Sesuai, all as themselves."""
    if office.svc.db.case(case).step == 2:
        (name,) = [n for n in office.outbox("fungsional") if n.startswith(f"{case} - Konsep")]
        saved_by(office.save(f"inbox/fungsional/konsep {case}.docx",
                             fill_concept((office.root / "outbox" / "fungsional" / name)
                                          .read_bytes())), "ppid_ani")
        office.scan()
    while (now := office.svc.db.case(case).step) < step:
        holder = office.svc.sop.step(now).role
        decide_as(office, HOLDERS[holder], case, "Sesuai")
        office.scan()
        assert office.svc.db.case(case).step != now, office.rows()[case]["Pesan Sistem"]


def add_proofs(office: Office, case: str) -> None:
    for folder, data in (("bukti_online", b"\x89PNG\r\n\x1a\n1"), ("bukti_offline", b"\xff\xd8\xff\xe02")):
        saved_by(office.save(f"inbox/fungsional/{folder}/{case} bukti.png", data), "ppid_ani")
    office.scan()


def test_a_sekretaris_cannot_decide_for_the_kepala_dinas_but_the_kepala_dinas_can(office):
    """Sesuai at step 5 saved by the Sekretaris is refused with a message naming who saved it;
    the same choice saved by the Kepala Dinas numbers the letter, recorded under his name."""
    case = open_case(office)
    to_step(office, case, 5)
    decide_as(office, "ppid_sekdis", case, "Sesuai")
    office.scan()
    assert office.svc.db.case(case).step == 5
    message = str(office.rows()[case]["Pesan Sistem"])
    assert "Keputusan tahap 5 hanya dapat diambil oleh Kepala Dinas" in message
    assert "register disimpan oleh ppid_sekdis (Sekretaris)" in message
    decide_as(office, "ppid_kadis", case, "Sesuai")
    office.scan()
    assert office.svc.db.case(case).step == 6
    [decided] = [e for e in office.svc.db.events(case) if e["kind"] == "decided" and e["step_from"] == 5]
    assert decided["person"] == "ppid_kadis" and decided["person_title"] == ""
    wb = load_workbook(office.root / "register.xlsx", read_only=True)
    by = [r[3] for r in wb["Riwayat"].iter_rows(min_row=2, values_only=True)
          if r[1] == case and r[4] == "Keputusan dijalankan"]
    wb.close()
    assert "Kepala Dinas (Hj. Aminah)" in by         # the name, not the account


def test_a_stand_in_decides_within_their_period_only(office):
    """The Sekretaris as Plh. Kepala Dinas from 30 November to 4 December: refused on the 27th,
    accepted (and recorded as Plh.) on 1 December."""
    case = open_case(office)
    to_step(office, case, 5)
    office.clock.now = datetime(2026, 11, 27, 9, 0)
    decide_as(office, "ppid_sekdis", case, "Sesuai")
    office.scan()
    assert office.svc.db.case(case).step == 5
    office.clock.now = datetime(2026, 12, 1, 9, 0)
    decide_as(office, "ppid_sekdis", case, "Sesuai", "Atas nama Kepala Dinas")
    office.scan()
    assert office.svc.db.case(case).step == 6
    decided = [e for e in office.svc.db.events(case) if e["kind"] == "decided"][-1]
    assert (decided["person"], decided["person_title"]) == ("ppid_sekdis", "Plh.")


def test_a_decision_row_copied_into_another_roles_register_does_not_count(office):
    """A Kabid/Kasubag who pastes a case of step 4 (with its step token) into their own register
    and chooses Sesuai decides nothing for the Sekretaris."""
    one = open_case(office, "Satu")
    to_step(office, one, 4)
    two = open_case(office, "Dua")
    to_step(office, two, 3)
    mine = office.register_of(two)
    overview = load_workbook(office.root / "register.xlsx")
    row = next(r for r in overview["Kasus Terbuka"].iter_rows(min_row=2) if r[0].value == one)
    values = [c.value for c in row]
    wb = load_workbook(mine)
    ws = wb["Kasus Terbuka"]
    ws.append([*values[:9], "Sesuai", None, None, values[12]])
    wb.save(mine)
    saved_by(mine, "ppid_kabid")
    office.scan()
    assert office.svc.db.case(one).step == 4
    assert "bukan di register Kabid/Kasubag" in str(office.rows()[one]["Pesan Sistem"])


def test_a_concept_saved_by_someone_outside_the_role_is_answered(office):
    """Only a member of the Fungsional group may hand in a concept: the Kabid's save into
    inbox/fungsional/ is quarantined with a note naming who saved it; a group member's counts."""
    case = open_case(office)
    skeleton = office.draft_file("fungsional")
    target = office.save("inbox/fungsional/konsep.docx", fill_concept(skeleton.read_bytes()))
    saved_by(target, "ppid_kabid")
    office.scan()
    assert office.svc.db.case(case).step == 2
    [note] = [p for p in (office.root / "quarantine").iterdir() if p.suffix == ".txt"]
    text = note.read_text("utf-8")
    assert "hanya dapat disimpan oleh Fungsional" in text and "ppid_kabid (Kabid/Kasubag)" in text
    target = office.save("inbox/fungsional/konsep.docx", fill_concept(skeleton.read_bytes()))
    saved_by(target, "ppid_ani")
    office.scan()
    assert office.svc.db.case(case).step == 3
    [submitted] = [e for e in office.svc.db.events(case) if e["kind"] == "submitted"]
    assert submitted["person"] == "ppid_ani"


def test_a_correction_in_place_by_another_role_keeps_the_decision_from_acting(office):
    """The draft in the Sekretaris's outbox changed, saved by the Kabid/Kasubag: the Sekretaris's
    Sesuai is answered and nothing moves."""
    case = open_case(office)
    to_step(office, case, 4)
    draft = office.draft_file("sekretaris")
    from docx import Document

    doc = Document(draft)
    doc.add_paragraph("Tambahan yang tidak disetujui.")
    doc.save(draft)
    saved_by(draft, "ppid_kabid")
    decide_as(office, "ppid_sekdis", case, "Sesuai")
    office.scan()
    assert office.svc.db.case(case).step == 4
    assert "Perbaikan konsep tahap 4 hanya dapat dibuat oleh Sekretaris" in str(
        office.rows()[case]["Pesan Sistem"])


def test_who_acted_is_named_on_the_lembar_kendali(office):
    """The control sheet names the people who acted (their names from the system), the stand-in
    with Plh."""
    case = open_case(office)
    to_step(office, case, 3)
    decide_as(office, "ppid_kabid", case, "Sesuai")
    office.scan()
    decide_as(office, "ppid_sekdis", case, "Sesuai")
    office.scan()
    office.clock.now = datetime(2026, 12, 1, 9, 0)
    decide_as(office, "ppid_sekdis", case, "Sesuai")
    office.scan()
    add_proofs(office, case)
    decide_as(office, "ppid_ani", case, "Selesai")
    office.scan()
    [sheet] = [d for d in office.svc.db.documents(case) if d["kind"] == "lembar_kendali"]
    from io import BytesIO

    from docx import Document

    doc = Document(BytesIO(office.svc.blobs.read(sheet["sha256"])))
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Siti Rahma" in text and "Budi Santoso" in text and "Plh. Budi Santoso" in text
    assert "Ani Lestari" in text


def test_status_warns_when_decisions_are_not_attributed(tmp_path, people):
    """authorization = "none" is a knowing choice: `sop-docs status` says decisions carry no names."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text('[access]\nauthorization = "none"\n', encoding="utf-8")
    Office(root).close()
    r = subprocess.run([sys.executable, "-m", "sop_docs", "status", str(root)], capture_output=True,
                       text=True, cwd=REPO, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "tidak tercatat atas nama orang" in r.stdout + r.stderr


@pytest.mark.parametrize(("snippet", "says"), [
    ('[access.roles]\nkepala_dinas = "kadis"\n', "kepala_dinas must be a list"),
    ('[access.roles]\nbendahara = ["x"]\n', "'bendahara' is not a role"),
    ('[[access.stand_in]]\nrole = "sekretaris"\nuser = "a"\nfrom = 2026-12-05\nto = 2026-12-01\n',
     "'to' not before 'from'"),
    ('[[access.stand_in]]\nrole = "sekretaris"\nuser = "a"\nfrom = 2026-12-01\nto = 2026-12-05\n'
     '[[access.stand_in]]\nrole = "sekretaris"\nuser = "b"\nfrom = 2026-12-04\nto = 2026-12-09\n',
     "overlap"),
    # a time of day on a stand-in's date (TOML allows it): whole days, not a traceback
    ('[[access.stand_in]]\nrole = "sekretaris"\nuser = "a"\nfrom = 2026-12-01T08:00:00\n'
     'to = 2026-12-05\n', "'from' and 'to' must be dates (YYYY-MM-DD)"),
    ('[[access.stand_in]]\nrole = "sekretaris"\nuser = "a"\nfrom = 2026-12-01\n'
     'to = 2026-12-05T17:00:00+07:00\n', "'from' and 'to' must be dates (YYYY-MM-DD)"),
])
def test_bad_access_settings_are_one_clear_line(tmp_path, snippet, says):
    """A typo in [access] stops the service at start with a line naming it, never a traceback."""
    root = tmp_path / "ws"
    Office(root).close()
    (root / "sop.toml").write_text(snippet, encoding="utf-8")   # over the shipped defaults
    r = subprocess.run([sys.executable, "-m", "sop_docs", "scan", str(root)], capture_output=True,
                       text=True, cwd=REPO, timeout=120)
    assert r.returncode == 3, r.stderr
    assert says in r.stderr and "Traceback" not in r.stderr


def test_a_register_saved_in_place_does_not_decide_where_the_role_names_its_people(office):
    """A save in place keeps the owner (still the service's file), so anyone in the folder's group
    could have made it: where the role names its people it is refused, with how to save it."""
    case = open_case(office)
    to_step(office, case, 5)
    office.decide(case, "Sesuai")                 # written in place: the owner does not change
    office.scan()
    assert office.svc.db.case(case).step == 5
    assert "masih tercatat milik sistem" in str(office.rows()[case]["Pesan Sistem"])


def test_what_is_answered_in_quarantine_stays_with_the_role_it_came_from(office):
    """A refused concept from the Fungsional's inbox is readable by the Fungsional group only."""
    case = open_case(office)
    target = office.save("inbox/fungsional/konsep.docx", office.concept())
    saved_by(target, "ppid_kabid")
    office.scan()
    assert office.svc.db.case(case).step == 2
    for p in (office.root / "quarantine").iterdir():
        assert grp.getgrgid(p.stat().st_gid).gr_name == FUNGSIONAL
        assert p.stat().st_mode & 0o007 == 0, f"{p.name} is {oct(p.stat().st_mode)}"


def test_only_the_giver_chooses_the_disposition_and_it_is_signed_for_them(office):
    """The Disposisi sheet counts only from the Kabid/Kasubag: a Sekretaris who saves the
    Kabid's register over it is refused; the Kabid's own save makes the Disposisi anew, signed
    for the Kabid who gave it (by name, from the account that saved)."""
    case = open_case(office)
    saved_by(office.dispose(case, surat_dari="Bappeda Provinsi"), "ppid_sekdis")
    office.scan()
    message = str(office.rows()[case]["Pesan Sistem"])
    assert "hanya dapat diberikan oleh Kabid/Kasubag" in message and "ppid_sekdis" in message
    assert office.svc.db.case(case).details.surat_dari == ""

    saved_by(office.dispose(case, surat_dari="Bappeda Provinsi"), "ppid_kabid")
    office.scan()
    assert office.svc.db.case(case).details.surat_dari == "Bappeda Provinsi"
    (sheet,) = [p for p in (office.root / "outbox" / "fungsional").iterdir()
                if " - Disposisi 2 - " in p.name]
    doc = Document(sheet)
    text = "\n".join(c.text for t in doc.tables for r in t.rows for c in r.cells)
    assert "Bappeda Provinsi" in text and "SITI RAHMA" in text
    kinds = [e["kind"] for e in office.svc.db.events(case)]
    assert kinds[-2:] == ["disposition_ignored", "disposition_changed"]
    changed = [e for e in office.svc.db.events(case) if e["kind"] == "disposition_changed"]
    assert changed[-1]["person"] == "ppid_kabid"
