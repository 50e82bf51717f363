"""A whole case with [[people]] configured leaves exactly the expected messages in the outbox.

A real workspace, real Word files and register decisions saved by real Unix users (as a Samba
share leaves them), two Kabid/Kasubag, and a Plh. Kepala Dinas covering the approval. Each row of
the outbox table is one message to one address; nothing is sent here (the sender reads them).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sop_docs import delivery
from tests.driver import CORPUS, Office, fill_concept, make_users, saved_by, unique_docx
from tests.smtp import SmtpServer, smtp_server  # noqa: F401 (the fixture)

USERS = {"ppid_kabid": "Siti Rahma", "ppid_kabid2": "Rudi Hartono", "ppid_ani": "Ani Lestari",
         "ppid_sekdis": "Budi Santoso", "ppid_kadis": "Hj. Aminah", "ppid_plh": "Dewi Kartika"}
SETTINGS = r'''
[access]
authorization = "owner"

[access.roles]
kabid_kasubag = ["ppid_kabid", "ppid_kabid2"]
sekretaris = ["ppid_sekdis"]
kepala_dinas = ["ppid_kadis"]
fungsional = ["ppid_ani"]

[[access.stand_in]]
role = "kepala_dinas"
user = "ppid_plh"
from = 2026-11-23
to = 2026-11-27
as = "Plh."

[[people]]
nama = "Siti Rahma"
user = "ppid_kabid"
roles = ["kabid_kasubag"]
alamat = ["siti@contoh.go.id"]

[[people]]
nama = "Rudi Hartono"
user = "ppid_kabid2"
roles = ["kabid_kasubag"]
alamat = ["rudi@contoh.go.id"]

[[people]]
nama = "Ani Lestari"
user = "ppid_ani"
roles = ["fungsional"]
alamat = ["ani@contoh.go.id"]

[[people]]
nama = "Budi Santoso"
user = "ppid_sekdis"
roles = ["sekretaris"]
alamat = ["budi@contoh.go.id"]

[[people]]
nama = "Hj. Aminah"
user = "ppid_kadis"
roles = ["kepala_dinas"]
alamat = ["aminah@contoh.go.id"]

[[people]]
nama = "Dewi Kartika"
user = "ppid_plh"
nip = "19800101 200501 2 001"
pangkat = "Pembina (IV/a)"
alamat = ["dewi@contoh.go.id"]

[notify]
share_prefix = '\\fileserver\PPID\'
admin = ["admin@contoh.go.id"]
'''


@pytest.fixture(scope="module")
def users() -> None:
    """The office's staff as Unix users (the machine runs the tests as root)."""
    make_users(USERS)


@pytest.fixture
def office(tmp_path: Path, users: None):
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(SETTINGS, encoding="utf-8")
    o = Office(root)
    yield o
    o.close()



def decide_as(o: Office, user: str, case: str, keputusan: str, catatan: str = "") -> None:
    o.clock.advance(minutes=5)
    o.decide(case, keputusan, catatan)
    saved_by(o.register_of(case), user)
    o.scan()


def submit_concept(o: Office, case: str) -> None:
    o.clock.advance(minutes=5)
    data = fill_concept(o.draft_file("fungsional").read_bytes())
    saved_by(o.save(f"inbox/fungsional/konsep {case}.docx", data), "ppid_ani")
    o.scan()


def rows(o: Office) -> list[dict]:
    return [dict(r) for r in o.svc.notices.outbox.rows()]


def new_rows(o: Office, seen: list[dict]) -> list[dict]:
    got = rows(o)[len(seen):]
    seen.extend(got)
    return got


def to(got: list[dict]) -> list[tuple[str, str]]:
    return [(r["kind"], r["address"]) for r in got]


def test_a_whole_case_tells_each_next_holder_the_drafter_and_the_opener(office: Office) -> None:
    walk_a_whole_case(office)


def walk_a_whole_case(o: Office) -> None:
    """The case from the material to its close, checking the outbox after each step."""
    seen: list[dict] = []
    # 1. Siti (Kabid/Kasubag) saves the material: the Fungsional is told, the skeleton attached
    saved_by(o.save("inbox/kabid_kasubag/Laporan Keuangan 2026.docx",
                    unique_docx(CORPUS / "tables.docx", "notices")), "ppid_kabid")
    o.scan()
    (case,) = [c.id for c in o.svc.db.open_cases()]
    (opened,) = new_rows(o, seen)
    assert (opened["kind"], opened["address"], opened["person"]) == \
        ("tiba", "ani@contoh.go.id", "Ani Lestari")
    assert opened["subject"] == f"[{case}] Penyusunan Konsep: menunggu Anda — Laporan Keuangan 2026"
    body = opened["body"]
    assert body.startswith("Yth. Ani Lestari,")
    assert "Disposisi dari Siti Rahma (Kabid/Kasubag)." in body
    assert f"\\\\fileserver\\PPID\\outbox\\fungsional\\{case} - Disposisi - " in body
    assert "simpan ke folder \\\\fileserver\\PPID\\inbox\\fungsional\\" in body
    assert "Batas waktu: 24 November 2026 pukul 09.00 WIB (1 hari kerja)" in body
    assert opened["attach_name"].startswith(f"{case} - Konsep - ")
    assert o.svc.blobs.holds(opened["attach_sha"])

    # a file that cannot be taken in: the administrator hears which and why
    saved_by(o.save("inbox/fungsional/rusak.docx", b"bukan dokumen Word"), "ppid_ani")
    o.scan()
    (admin,) = new_rows(o, seen)
    assert (admin["kind"], admin["address"]) == ("admin", "admin@contoh.go.id")
    assert "rusak.docx" in admin["subject"] and "Ani Lestari (Fungsional)" in admin["body"]

    # 2. Ani hands the concept in: both Kabid/Kasubag are told, the concept attached
    submit_concept(o, case)
    got = new_rows(o, seen)
    assert to(got) == [("tiba", "siti@contoh.go.id"), ("tiba", "rudi@contoh.go.id")]
    assert all("Dikirim oleh Ani Lestari (Fungsional)." in r["body"] for r in got)
    assert all("pilih Sesuai / Belum Sesuai di kolom Keputusan" in r["body"] for r in got)
    assert all("keputusan\\kabid_kasubag\\Register" in r["body"] for r in got)
    assert all(r["attach_name"].startswith(f"{case} - Konsep - ") for r in got)

    # 3. Rudi returns it: the drafter is told once, with the Catatan and who decided
    decide_as(o, "ppid_kabid2", case, "Belum Sesuai", "Angka semester II belum dicantumkan.")
    (back,) = new_rows(o, seen)
    assert (back["kind"], back["address"]) == ("tiba", "ani@contoh.go.id")
    assert "dikembalikan kepada Anda" in back["subject"]
    assert ("Dikembalikan oleh Rudi Hartono (Kabid/Kasubag) dengan keputusan Belum Sesuai.\n"
            "Catatan: Angka semester II belum dicantumkan.") in back["body"]

    # 4. the second concept arrives anew (every step notifies, every time)
    submit_concept(o, case)
    assert to(new_rows(o, seen)) == [("tiba", "siti@contoh.go.id"), ("tiba", "rudi@contoh.go.id")]

    # 5. Siti forwards it: the Sekretaris is told; Ani hears it went on
    decide_as(o, "ppid_kabid", case, "Sesuai")
    got = new_rows(o, seen)
    assert to(got) == [("tiba", "budi@contoh.go.id"), ("hasil", "ani@contoh.go.id")]
    assert "Diteruskan oleh Siti Rahma (Kabid/Kasubag) dengan keputusan Sesuai." in got[0]["body"]
    assert got[0]["attach_name"].startswith(f"{case} - Konsep - ")
    assert got[1]["subject"].startswith(f"[{case}] Konsep diteruskan (Sesuai) oleh Siti Rahma")

    # half the Sekretaris's hour passes: one reminder, however often the time is looked at
    o.clock.advance(minutes=31)
    o.svc.tick()
    o.svc.tick()
    (reminder,) = new_rows(o, seen)
    assert (reminder["kind"], reminder["address"]) == ("pengingat", "budi@contoh.go.id")
    assert "batas waktunya 23 November 2026 pukul 10.20 WIB" in reminder["body"]

    # 6. Budi forwards it to the Kepala Dinas, whose Plh. holds the role this week: Dewi is told,
    # Hj. Aminah (on leave) is not; Siti, who forwarded it to Budi, hears it went on
    decide_as(o, "ppid_sekdis", case, "Sesuai")
    got = new_rows(o, seen)
    assert to(got) == [("tiba", "dewi@contoh.go.id"), ("hasil", "siti@contoh.go.id")]
    assert got[0]["body"].startswith("Yth. Dewi Kartika (Plh. Kepala Dinas),")

    # 7. Dewi approves as Plh.: the Fungsional gets the numbered letter to publish (its PDF
    # attached); Budi hears who approved it
    decide_as(o, "ppid_plh", case, "Sesuai")
    got = new_rows(o, seen)
    assert to(got) == [("tiba", "ani@contoh.go.id"), ("hasil", "budi@contoh.go.id")]
    publish, approved = got
    assert "Diteruskan oleh Dewi Kartika (Plh. Kepala Dinas) dengan keputusan Sesuai." in \
        publish["body"]
    assert "bukti_online" in publish["body"] and "pilih Selesai" in publish["body"]
    assert publish["attach_name"] == f"{case} - Pengumuman - Laporan Keuangan 2026.pdf"
    assert o.svc.blobs.read(publish["attach_sha"]).startswith(b"%PDF")
    assert approved["subject"] == (f"[{case}] Konsep disetujui (Sesuai) oleh Dewi Kartika "
                                   "(Plh. Kepala Dinas) — Ringkasan Laporan Keuangan Semester I 2026")

    # 8. proofs and Selesai: the case closed, to the Kabid/Kasubag who opened it
    for folder, data in (("bukti_online", b"\x89PNG\r\n\x1a\n" + b"1" * 64),
                         ("bukti_offline", b"\xff\xd8\xff\xe0" + b"2" * 64)):
        ext = "png" if folder == "bukti_online" else "jpg"
        saved_by(o.save(f"inbox/fungsional/{folder}/{case} bukti.{ext}", data), "ppid_ani")
    o.scan()
    assert new_rows(o, seen) == []
    decide_as(o, "ppid_ani", case, "Selesai")
    (done,) = new_rows(o, seen)
    assert (done["kind"], done["address"]) == ("selesai", "siti@contoh.go.id")
    assert "ditutup oleh Ani Lestari (Fungsional)" in done["body"]
    assert o.svc.db.case(case).status == "closed"
    # nobody ever heard of a step they did not hold: Hj. Aminah got nothing
    assert not [r for r in rows(o) if r["address"] == "aminah@contoh.go.id"]
    assert len({r["key"] for r in rows(o)}) == len(rows(o))


def test_a_whole_case_arrives_at_the_mail_server_as_recorded(
        tmp_path: Path, users: None, smtp_server: SmtpServer) -> None:  # noqa: F811
    """The same case with [notify] server set to a real SMTP server on 127.0.0.1: what arrives
    is exactly what was recorded — each message once, to its address, with its Indonesian
    subject and text and the attached document byte for byte."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(
        SETTINGS + f'server = "{smtp_server.url()}"\nfrom = "PPID Uji <ppid@contoh.go.id>"\n',
        encoding="utf-8")
    o = Office(root)
    try:
        walk_a_whole_case(o)
        recorded = rows(o)
        assert delivery.send_once(o.svc) == len(recorded)
        mails = smtp_server.wait(len(recorded))
        assert sorted(m.key for m in mails) == sorted(r["key"] for r in recorded)
        by_key = {m.key: m for m in mails}
        for r in recorded:
            m = by_key[r["key"]]
            assert m.rcpt_tos == (r["address"],)
            assert m.subject == r["subject"]
            assert " ".join(r["body"].split()) in " ".join(m.text.split())
            if r["attach_sha"]:
                assert m.attachments() == {r["attach_name"]: o.svc.blobs.read(r["attach_sha"])}
            else:
                assert not m.attachments()
        assert {r["status"] for r in rows(o)} == {"sent"}
        assert delivery.send_once(o.svc) == 0             # each once
    finally:
        o.close()


def test_a_changed_disposition_tells_its_addressee_where_the_new_one_is(office: Office) -> None:
    """The Kabid/Kasubag changes the Catatan in the Disposisi sheet: the Fungsional (who may
    already be writing) is told what changed, by whom, and where Disposisi 2 is."""
    o, seen = office, []
    saved_by(o.save("inbox/kabid_kasubag/Laporan Keuangan 2026.docx",
                    unique_docx(CORPUS / "tables.docx", "disposisi")), "ppid_kabid")
    o.scan()
    (case,) = [c.id for c in o.svc.db.open_cases()]
    new_rows(o, seen)
    o.clock.advance(minutes=5)
    saved_by(o.dispose(case, catatan="Cantumkan angka semester II."), "ppid_kabid")
    o.scan()
    (changed,) = new_rows(o, seen)
    assert (changed["kind"], changed["address"]) == ("tiba", "ani@contoh.go.id")
    assert changed["subject"] == f"[{case}] Disposisi diubah — Laporan Keuangan 2026"
    assert "Disposisi diubah oleh Siti Rahma (Kabid/Kasubag)" in changed["body"]
    assert "(yang diubah: catatan)" in changed["body"]
    assert f"\\\\fileserver\\PPID\\outbox\\fungsional\\{case} - Disposisi 2 - " in changed["body"]
