"""A stand-in (Plt./Plh.) on the documents: what they sign carries their own name, pangkat and NIP
under "Plt. <jabatan>", and every sheet names them as who acted.

Real Unix users made by the test save the files (as a Samba share leaves them owned); the letter's
PDF is the one the service made through LibreOffice, read back with pdftotext. The Sekretaris
holds the Kepala Dinas's role as Plt. from Monday 30 November to Friday 4 December 2026.
"""

from __future__ import annotations

import subprocess
import sys
from datetime import datetime
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from tests.driver import CORPUS, Office, fill_concept, make_users, saved_by, unique_docx

USERS = {"si_kabid": "Siti Rahma", "si_sekdis": "Bambang", "si_kadis": "Yani", "si_ani": "Ani"}
KADIS = ("Ir. H. Ahmad Yani, M.T.", "Pembina Utama Muda (IV/c)", "196805121994031005")
SEKDIS = ("Drs. Bambang Sutrisno, M.M.", "Pembina Tingkat I (IV/b)", "197501012000031001")
JABATAN = "KEPALA DINAS KOPERASI, USAHA KECIL DAN MENENGAH PROVINSI KALIMANTAN BARAT,"
SETTINGS = f'''
[access]
authorization = "owner"

[access.roles]
kabid_kasubag = ["si_kabid"]
sekretaris = ["si_sekdis"]
kepala_dinas = ["si_kadis"]
fungsional = ["si_ani"]

[[access.stand_in]]
role = "kepala_dinas"
user = "si_sekdis"
from = 2026-11-30
to = 2026-12-04
as = "Plt."

[officials.kepala_dinas]
nama = "{KADIS[0]}"
pangkat = "{KADIS[1]}"
nip = "{KADIS[2]}"

[[people]]
nama = "{KADIS[0]}"
user = "si_kadis"
pangkat = "{KADIS[1]}"
nip = "{KADIS[2]}"
roles = ["kepala_dinas"]

[[people]]
nama = "{SEKDIS[0]}"
user = "si_sekdis"
pangkat = "{SEKDIS[1]}"
nip = "{SEKDIS[2]}"
jabatan = "Sekretaris Dinas"
roles = ["sekretaris"]

[[people]]
nama = "Siti Rahma, S.E."
user = "si_kabid"
pangkat = "Penata Tingkat I (III/d)"
nip = "198001012005012001"
roles = ["kabid_kasubag"]

[[people]]
nama = "Ani Lestari, S.Kom."
user = "si_ani"
roles = ["fungsional"]
'''
HOLDERS = {"kabid_kasubag": "si_kabid", "sekretaris": "si_sekdis", "kepala_dinas": "si_kadis",
           "fungsional": "si_ani"}
IN_PERIOD = datetime(2026, 12, 1, 9, 0)        # Tuesday, within the Plt. period
AFTER = datetime(2026, 12, 7, 9, 0)            # the Monday after it ended (Friday 4 December)


@pytest.fixture(scope="module")
def users() -> None:
    """The office's staff as Unix users (made once; the machine runs the tests as root)."""
    make_users(USERS)


@pytest.fixture
def office(tmp_path: Path, users):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(SETTINGS, encoding="utf-8")   # over the shipped defaults
    o = Office(root)
    yield o
    o.close()



def decide_as(office: Office, user: str, case: str, keputusan: str, catatan: str = "") -> None:
    office.decide(case, keputusan, catatan)
    saved_by(office.register_of(case), user)
    office.scan()


def open_case(office: Office, subject: str) -> str:
    before = {c.id for c in office.svc.db.open_cases()}
    saved_by(office.save(f"inbox/kabid_kasubag/{subject}.docx",
                         unique_docx(CORPUS / "tables.docx", subject)), "si_kabid")
    office.scan()
    (case,) = {c.id for c in office.svc.db.open_cases()} - before
    return case


def to_step(office: Office, case: str, step: int) -> None:
    """Concept handed in and forwarded (Sesuai) by each holder as themself until `step`."""
    if office.svc.db.case(case).step == 2:
        (name,) = [n for n in office.outbox("fungsional") if n.startswith(f"{case} - Konsep")]
        saved_by(office.save(f"inbox/fungsional/konsep {case}.docx",
                             fill_concept((office.root / "outbox" / "fungsional" / name)
                                          .read_bytes())), "si_ani")
        office.scan()
    while (now := office.svc.db.case(case).step) < step:
        decide_as(office, HOLDERS[office.svc.sop.step(now).role], case, "Sesuai")
        assert office.svc.db.case(case).step != now, office.rows()[case]["Pesan Sistem"]


def letter_pdf_text(office: Office, case: str) -> str:
    """The Pengumuman's PDF the service made at approval (LibreOffice), as pdftotext reads it."""
    (pdf,) = [p for p in (office.root / "outbox" / "fungsional").iterdir()
              if p.name.startswith(f"{case} - Pengumuman") and p.suffix == ".pdf"]
    out = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                         check=True).stdout
    return "\n".join(" ".join(line.split()) for line in out.splitlines() if line.strip())


def signature(text: str) -> list[str]:
    """The letter's bagian akhir, line by line from the jabatan (which the page wraps: joined
    again up to its closing comma) to the end."""
    lines = text.splitlines()
    start = max(i for i, line in enumerate(lines) if "KEPALA DINAS" in line)
    end = next(j for j in range(start, len(lines)) if lines[j].endswith(","))
    return [" ".join(lines[start:end + 1]), *lines[end + 1:]]


def docx_text(data: bytes) -> str:
    doc = Document(BytesIO(data))
    return "\n".join([p.text for p in doc.paragraphs]
                     + [c.text for t in doc.tables for r in t.rows for c in r.cells])


@pytest.mark.libreoffice
def test_the_letter_approved_by_the_plt_carries_the_plt_signature_and_the_day_after_the_officials(
        office):
    """Approved on 1 December by the Sekretaris as Plt.: the PDF's signature block reads "Plt.
    KEPALA DINAS ...," then the Sekretaris's name, pangkat and NIP, none of the Kepala Dinas's.
    The same chain approved on 7 December by the Kepala Dinas is signed by him, with no Plt."""
    during, after = open_case(office, "Laporan Keuangan 2026"), open_case(office, "Profil Dinas")
    to_step(office, during, 5)
    to_step(office, after, 5)

    office.clock.now = IN_PERIOD
    decide_as(office, "si_sekdis", during, "Sesuai")
    assert office.svc.db.case(during).step == 6, office.rows()[during]["Pesan Sistem"]
    block = signature(letter_pdf_text(office, during))
    assert block[0] == f"Plt. {JABATAN}"
    assert SEKDIS[0].upper() in block and SEKDIS[1] in block and f"NIP. {SEKDIS[2]}" in block
    assert not any(KADIS[0].upper() in line or KADIS[2] in line for line in block)

    office.clock.now = AFTER
    decide_as(office, "si_sekdis", after, "Sesuai")           # the period is over: not theirs
    assert office.svc.db.case(after).step == 5
    decide_as(office, "si_kadis", after, "Sesuai")
    assert office.svc.db.case(after).step == 6, office.rows()[after]["Pesan Sistem"]
    block = signature(letter_pdf_text(office, after))
    assert block[0] == JABATAN                                 # no Plt.
    assert KADIS[0].upper() in block and KADIS[1] in block and f"NIP. {KADIS[2]}" in block
    assert not any(SEKDIS[0].upper() in line or SEKDIS[2] in line for line in block)


def test_the_plts_return_note_the_register_and_the_lembar_kendali_name_the_plt(office):
    """The Plt.'s Belum Sesuai sends a Nota Pengembalian signed "Plt. KEPALA DINAS ...," with
    their data; the event keeps their name; the register's Riwayat and the closed case's Lembar
    Kendali and riwayat name "Plt. Drs. Bambang Sutrisno, M.M." for step 5."""
    case = open_case(office, "Laporan Keuangan 2026")
    to_step(office, case, 5)
    office.clock.now = IN_PERIOD
    decide_as(office, "si_sekdis", case, "Belum Sesuai", "Lengkapi dasar hukum.")
    assert office.svc.db.case(case).step == 3
    [nota] = [d for d in office.svc.db.documents(case) if d["kind"] == "nota_pengembalian"]
    text = docx_text(office.svc.blobs.read(nota["sha256"]))
    assert f"Plt. {JABATAN}" in text
    assert SEKDIS[0].upper() in text and SEKDIS[1] in text and f"NIP. {SEKDIS[2]}" in text
    assert KADIS[0].upper() not in text

    returned = [e for e in office.svc.db.events(case) if e["kind"] == "decided"][-1]
    assert (returned["person"], returned["person_title"]) == ("si_sekdis", "Plt.")
    wb = load_workbook(office.root / "register.xlsx", read_only=True)
    by = {r[3] for r in wb["Riwayat"].iter_rows(min_row=2, values_only=True) if r[1] == case}
    wb.close()
    assert f"Kepala Dinas (Plt. {SEKDIS[0]})" in by
    assert "Kabid/Kasubag (Siti Rahma, S.E.)" in by

    to_step(office, case, 4)
    decide_as(office, "si_sekdis", case, "Sesuai")            # as Sekretaris, their own role
    decide_as(office, "si_sekdis", case, "Sesuai")            # as Plt. Kepala Dinas
    assert office.svc.db.case(case).step == 6, office.rows()[case]["Pesan Sistem"]
    for folder, data in (("bukti_online", b"\x89PNG\r\n\x1a\n1"), ("bukti_offline", b"\xff\xd8\xff\xe02")):
        saved_by(office.save(f"inbox/fungsional/{folder}/{case} bukti.png", data), "si_ani")
    office.scan()
    decide_as(office, "si_ani", case, "Selesai")
    assert office.svc.db.case(case).status == "closed"

    [sheet] = [d for d in office.svc.db.documents(case) if d["kind"] == "lembar_kendali"]
    doc = Document(BytesIO(office.svc.blobs.read(sheet["sha256"])))
    rows = [" | ".join(c.text for c in r.cells) for t in doc.tables for r in t.rows]
    step5 = [r for r in rows if r.startswith("5 ")]
    assert step5 and all(f"Plt. {SEKDIS[0]}" in r for r in step5)
    step4 = [r for r in rows if r.startswith("4 ")]
    assert step4 and all(SEKDIS[0] in r and f"Plt. {SEKDIS[0]}" not in r for r in step4)
    assert any("Ani Lestari, S.Kom." in r for r in rows)

    (bundle,) = [p for p in (office.root / "archive" / "2026").iterdir() if p.name.startswith(case)]
    riwayat = load_workbook(bundle / "data" / "riwayat.xlsx", read_only=True)
    header, *lines = list(riwayat.active.iter_rows(values_only=True))
    riwayat.close()
    by = header.index("Oleh")
    assert any(r[3] == "Kepala Dinas" and r[by] == f"Plt. {SEKDIS[0]}" for r in lines)


@pytest.mark.libreoffice
def test_the_official_who_approves_within_the_period_signs_as_himself(office):
    """The letter is signed by who approved it, not by who the settings say holds the role that
    day: the Kepala Dinas, back at his desk on 1 December, approves; no "Plt." and his data."""
    case = open_case(office, "Laporan Keuangan 2026")
    to_step(office, case, 5)
    office.clock.now = IN_PERIOD
    decide_as(office, "si_kadis", case, "Sesuai")
    assert office.svc.db.case(case).step == 6, office.rows()[case]["Pesan Sistem"]
    block = signature(letter_pdf_text(office, case))
    assert block[0] == JABATAN
    assert KADIS[0].upper() in block and f"NIP. {KADIS[2]}" in block
    assert not any(SEKDIS[0].upper() in line or SEKDIS[2] in line for line in block)


def test_status_says_who_holds_a_role_as_plt_today(tmp_path):
    """`sop-docs status` names today's stand-in by their full name, with Plt. and the last day."""
    import sys
    from datetime import date, timedelta

    today = date.today()
    root = tmp_path / "ws"
    root.mkdir()
    text = SETTINGS.replace("2026-11-30", (today - timedelta(days=1)).isoformat()).replace(
        "2026-12-04", (today + timedelta(days=1)).isoformat())
    (root / "sop.toml").write_text(text, encoding="utf-8")
    Office(root).close()
    r = subprocess.run([sys.executable, "-m", "sop_docs", "status", str(root)], capture_output=True,
                       text=True, cwd=Path(__file__).resolve().parents[2], timeout=120)
    assert r.returncode == 0, r.stderr
    assert f"Kepala Dinas hari ini: Plt. {SEKDIS[0]} (sampai" in " ".join(r.stdout.split())


@pytest.mark.sqlite_only
def test_a_restore_reads_the_role_of_a_riwayat_row_that_names_the_plt(office):
    """The register's Riwayat names "Kepala Dinas (Plt. …)"; after the database is lost and
    `sop-docs restore` replays what the register shows since the copy, the Plt.'s return is a
    decision of the kepala_dinas role again (it came back with no role)."""
    from sop_docs import backup
    from sop_docs.bootstrap import open_service

    case = open_case(office, "Laporan Keuangan 2026")
    to_step(office, case, 5)
    backup.take(office.svc.db, office.root / ".sop_docs" / "backup", "uji")
    office.clock.now = IN_PERIOD
    decide_as(office, "si_sekdis", case, "Belum Sesuai", "Lengkapi dasar hukum.")
    assert office.svc.db.case(case).step == 3
    office.close()
    db = office.root / ".sop_docs" / "sop_docs.db"
    for extra in ("", "-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    r = subprocess.run([sys.executable, "-m", "sop_docs", "restore", str(office.root)],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    svc = office.svc = open_service(office.root, clock=office.clock)
    assert svc.db.case(case).step == 3
    replayed = [e for e in svc.db.events(case) if e["decision"] == "Belum Sesuai"]
    assert replayed and replayed[-1]["role"] == "kepala_dinas", [dict(e) for e in replayed]
