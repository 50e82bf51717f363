"""Who is told what, and when: the messages of events and of time, on a controlled clock.

The review step around Christmas 2026: entered on Thursday 24 December at 15.40, one working hour.
Friday 25 is a public holiday, then the weekend: 20 minutes run on Thursday, the rest on Monday 28
from 07.30. Half the time (the reminder) falls at Monday 07.40, the deadline at 08.10, escalation
(late by half the standard time) at 08.40; the digest goes at Monday's opening, 07.30.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timedelta

import holidays
import pytest

from sop_docs.bootstrap import load_sop_ref
from sop_docs.core import notices as core
from sop_docs.core import reminders
from sop_docs.core.access import StandIn
from sop_docs.core.calendar import WorkCalendar
from sop_docs.core.notify_settings import NotifySettings, default_superiors
from sop_docs.core.people import People, Person

SOP = load_sop_ref("pengumuman_informasi_publik")
CAL = WorkCalendar(days_off=frozenset(holidays.country_holidays("ID", years=[2026, 2027])))
SITI = Person("Siti Rahma", "siti", roles=("kabid_kasubag",), alamat=("siti@contoh.go.id",))
RUDI = Person("Rudi Hartono", "rudi", roles=("kabid_kasubag",), alamat=("rudi@contoh.go.id",))
ANI = Person("Ani Lestari", "ani", roles=("fungsional",), alamat=("ani@contoh.go.id",))
BUDI = Person("Budi Santoso", "budi", roles=("sekretaris",),
              alamat=("budi@contoh.go.id", "tgram://${TG}/1"))
AMINAH = Person("Hj. Aminah", "aminah", roles=("kepala_dinas",), alamat=("aminah@contoh.go.id",))
DEWI = Person("Dewi Kartika", "dewi", roles=(), alamat=("dewi@contoh.go.id",))
# Dewi stands in for the Sekretaris over the new year (Plh.)
PLH = StandIn("sekretaris", "dewi", date(2026, 12, 28), date(2027, 1, 8), "Plh.")
PEOPLE = People((SITI, RUDI, ANI, BUDI, AMINAH, DEWI), (PLH,))
NOTIFY = NotifySettings(share_prefix="\\\\fileserver\\PPID\\", admin=("admin@contoh.go.id",),
                        superior=default_superiors(SOP))
OFFICE = core.Office(SOP, PEOPLE, NOTIFY, CAL, "WIB",
                     {"kabid_kasubag": "keputusan/kabid_kasubag/Register Kabid Kasubag.xlsx"})
ENTERED = datetime(2026, 12, 24, 15, 40)
CASE = core.CaseView("PIP-2026-0031", "Laporan Keuangan Semester II", "berkala", 3,
                     "PIP-2026-0031#90", ENTERED, datetime(2026, 12, 22, 9, 0))


def kinds_to(notices: list[core.Notice]) -> list[tuple[str, str]]:
    return sorted((n.kind, n.address) for n in notices)


# -- timed ------------------------------------------------------------------------------------

def test_nothing_is_due_over_the_holiday_and_the_weekend() -> None:
    """Christmas and the weekend are not working time: no reminder before Monday 07.40."""
    t = ENTERED
    while t < datetime(2026, 12, 28, 7, 40):
        assert reminders.due(OFFICE, [CASE], t) == [], t
        t += timedelta(minutes=37)


def test_the_reminder_comes_at_half_the_working_time_to_each_holder_of_the_role() -> None:
    """Monday 07.40: both Kabid/Kasubag hear it, at their own address, with the deadline."""
    got = reminders.due(OFFICE, [CASE], datetime(2026, 12, 28, 7, 40))
    assert kinds_to(got) == [("pengingat", "rudi@contoh.go.id"), ("pengingat", "siti@contoh.go.id")]
    assert {n.base for n in got} == {"pengingat:PIP-2026-0031#90:0.5"}
    body = got[0].body
    assert "28 Desember 2026 pukul 08.10 WIB" in body and "Laporan Keuangan Semester II" in body
    assert "keputusan\\kabid_kasubag\\Register Kabid Kasubag.xlsx" in body
    assert "Sesuai / Belum Sesuai" in body


def test_lateness_at_the_deadline_replaces_the_reminder() -> None:
    """At 08.10 the step is late: TERLAMBAT to its holders, no reminder any more."""
    assert [n.kind for n in reminders.due(OFFICE, [CASE], datetime(2026, 12, 28, 8, 9))] == \
        ["pengingat", "pengingat"]
    got = reminders.due(OFFICE, [CASE], datetime(2026, 12, 28, 8, 10))
    assert kinds_to(got) == [("terlambat", "rudi@contoh.go.id"), ("terlambat", "siti@contoh.go.id")]
    assert "sudah lewat (28 Desember 2026 pukul 08.10 WIB)" in got[0].body


def test_escalation_goes_to_the_superior_roles_holder_of_the_day_the_stand_in() -> None:
    """Late by half the standard time (08.40): the Sekretaris's stand-in (Plh.) hears it, Budi
    (the Sekretaris on leave) does not."""
    assert not [n for n in reminders.due(OFFICE, [CASE], datetime(2026, 12, 28, 8, 39))
                if n.kind == "eskalasi"]
    got = [n for n in reminders.due(OFFICE, [CASE], datetime(2026, 12, 28, 8, 40))
           if n.kind == "eskalasi"]
    assert [(n.address, n.person) for n in got] == [("dewi@contoh.go.id", "Dewi Kartika")]
    assert got[0].body.startswith("Yth. Dewi Kartika (Plh. Sekretaris),")
    assert "Rudi Hartono" in got[0].body and "Siti Rahma" in got[0].body
    assert got[0].base == "eskalasi:PIP-2026-0031#90"


def test_a_serta_merta_case_is_reminded_on_the_calendar_clock() -> None:
    """Serta merta runs round the clock: half an hour after 15.40, on Christmas Eve itself."""
    urgent = replace(CASE, kind="serta_merta")
    assert reminders.due(OFFICE, [urgent], datetime(2026, 12, 24, 16, 9)) == []
    got = reminders.due(OFFICE, [urgent], datetime(2026, 12, 24, 16, 10))
    assert {n.kind for n in got} == {"pengingat"}
    late = reminders.due(OFFICE, [urgent], datetime(2026, 12, 25, 3, 0))
    assert {n.kind for n in late} == {"terlambat", "eskalasi"}


def test_a_role_that_switched_a_kind_off_does_not_hear_it() -> None:
    quiet = replace(OFFICE, notify=replace(NOTIFY, off={"kabid_kasubag": frozenset({"pengingat"})}))
    assert reminders.due(quiet, [CASE], datetime(2026, 12, 28, 7, 45)) == []


def test_reminders_at_each_fraction_each_with_its_own_key() -> None:
    two = replace(OFFICE, notify=replace(NOTIFY, reminders=(0.25, 0.5)))
    got = reminders.due(two, [CASE], datetime(2026, 12, 28, 7, 50))
    assert sorted({n.base for n in got}) == ["pengingat:PIP-2026-0031#90:0.25",
                                            "pengingat:PIP-2026-0031#90:0.5"]


def test_the_digest_at_the_first_working_hour_lists_late_items_first() -> None:
    """No digest on Christmas Day or the weekend; on Monday from 07.30, once a day per person,
    the late case before the one still in time."""
    old = replace(CASE, id="PIP-2026-0029", perihal="Daftar Informasi Publik",
                  step_token="PIP-2026-0029#70", entered=datetime(2026, 12, 21, 9, 0))
    for t in (datetime(2026, 12, 25, 8, 0), datetime(2026, 12, 26, 8, 0),
              datetime(2026, 12, 28, 7, 29), datetime(2026, 12, 28, 16, 0)):
        assert reminders.digests(OFFICE, [CASE, old], t) == [], t
    got = reminders.digests(OFFICE, [CASE, old], datetime(2026, 12, 28, 7, 30))
    assert kinds_to(got) == [("ringkasan", "rudi@contoh.go.id"), ("ringkasan", "siti@contoh.go.id")]
    siti = next(n for n in got if n.address == "siti@contoh.go.id")
    assert siti.base == "ringkasan:siti:2026-12-28"
    assert "2 dokumen menunggu Anda, 1 terlambat" in siti.subject
    assert siti.body.index("PIP-2026-0029") < siti.body.index("PIP-2026-0031")
    assert "TERLAMBAT" in siti.body and "\\\\fileserver\\PPID\\outbox\\kabid_kasubag\\" in siti.body
    fresh = replace(CASE, entered=datetime(2026, 12, 28, 7, 30))   # told on arrival already
    assert reminders.digests(OFFICE, [fresh], datetime(2026, 12, 28, 8, 0)) == []


def test_the_digest_goes_to_the_stand_in_during_the_period() -> None:
    at_sekretaris = replace(CASE, step=4, step_token="PIP-2026-0031#95")
    got = reminders.digests(OFFICE, [at_sekretaris], datetime(2026, 12, 29, 7, 30))
    assert [n.address for n in got] == ["dewi@contoh.go.id"]
    assert reminders.digests(replace(OFFICE, notify=replace(NOTIFY, digest=False)),
                             [at_sekretaris], datetime(2026, 12, 29, 7, 30)) == []


# -- events ----------------------------------------------------------------------------------

DRAFT = core.Placed("konsep", "outbox/sekretaris/PIP-2026-0031 - Konsep - Laporan.docx", "a" * 64,
                    "PIP-2026-0031 - Konsep - Laporan.docx", 40_000, "sekretaris")
OPENED = core.Act("opened", datetime(2026, 12, 22, 9, 0), 80, "kabid_kasubag", 1, 2,
                  person="siti")
SUBMITTED = core.Act("submitted", datetime(2026, 12, 24, 15, 40), 90, "fungsional", 2, 3,
                     person="ani")


def test_arrival_goes_to_the_holder_of_the_new_step_on_that_day_never_the_one_before() -> None:
    """Forwarded to the Sekretaris on 28 December: the Plh. hears it, not Budi; the message names
    who forwarded it, the path on the share, what to do, and carries the draft."""
    at = datetime(2026, 12, 28, 9, 0)
    case = replace(CASE, step=4, step_token="PIP-2026-0031#95", entered=at)
    act = core.Act("decided", at, 95, "kabid_kasubag", 3, 4, "Sesuai", person="rudi")
    got = core.for_event(OFFICE, act, case, [DRAFT], [OPENED, SUBMITTED])
    tiba = [n for n in got if n.kind == "tiba"]
    assert [n.address for n in tiba] == ["dewi@contoh.go.id"]
    n = tiba[0]
    assert n.key == "tiba:PIP-2026-0031#95|dewi@contoh.go.id"
    assert n.subject == ("[PIP-2026-0031] Pemeriksaan Sekretaris: menunggu Anda — "
                         "Laporan Keuangan Semester II")
    assert "Diteruskan oleh Rudi Hartono (Kabid/Kasubag) dengan keputusan Sesuai." in n.body
    assert "\\\\fileserver\\PPID\\outbox\\sekretaris\\PIP-2026-0031 - Konsep - Laporan.docx" \
        in n.body
    assert "Batas waktu: 28 Desember 2026 pukul 10.00 WIB" in n.body
    assert (n.attach_sha, n.attach_name) == (DRAFT.sha, DRAFT.name)
    # and the one who sent the draft in (Ani) hears it went on
    hasil = [n for n in got if n.kind == "hasil"]
    assert [n.address for n in hasil] == ["ani@contoh.go.id"]
    assert "diteruskan (Sesuai) oleh Rudi Hartono (Kabid/Kasubag)" in hasil[0].subject


def test_a_large_draft_is_not_attached() -> None:
    small = replace(OFFICE, notify=replace(NOTIFY, attach_max_bytes=10_000))
    case = replace(CASE, step=4, step_token="PIP-2026-0031#95")
    act = core.Act("decided", ENTERED, 95, "kabid_kasubag", 3, 4, "Sesuai", person="rudi")
    got = [n for n in core.for_event(small, act, case, [DRAFT]) if n.kind == "tiba"]
    # Budi (the Sekretaris before the stand-in's period) has two addresses: one message each
    assert [n.address for n in got] == ["budi@contoh.go.id", "tgram://${TG}/1"]
    assert all(n.attach_sha is None and "Terlampir" not in n.body for n in got)


def test_a_return_tells_the_drafter_the_catatan_and_who_decided_once() -> None:
    """Belum Sesuai at step 3 goes back to the Fungsional who wrote it: one message (the arrival
    says the outcome), naming the Plt. who decided and the Catatan."""
    back = replace(CASE, step=2, step_token="PIP-2026-0031#99")
    act = core.Act("decided", datetime(2026, 12, 28, 9, 0), 99, "kabid_kasubag", 3, 2,
                   "Belum Sesuai", "Lengkapi angka semester II.", person="rudi",
                   person_title="Plt.")
    got = core.for_event(OFFICE, act, back, [], [OPENED, SUBMITTED])
    assert [(n.kind, n.address) for n in got] == [("tiba", "ani@contoh.go.id")]
    body = got[0].body
    assert "Dikembalikan oleh Rudi Hartono (Plt. Kabid/Kasubag) dengan keputusan Belum Sesuai" \
        in body
    assert "Catatan: Lengkapi angka semester II." in body
    assert "dikembalikan kepada Anda" in got[0].subject


def test_a_return_from_the_sekretaris_tells_the_kabid_who_forwarded_it() -> None:
    forwarded = core.Act("decided", datetime(2026, 12, 28, 9, 0), 95, "kabid_kasubag", 3, 4,
                         "Sesuai", person="siti")
    back = replace(CASE, step=3, step_token="PIP-2026-0031#101")
    act = core.Act("decided", datetime(2026, 12, 28, 10, 0), 101, "sekretaris", 4, 3,
                   "Belum Sesuai", "Tanggal salah.", person="dewi", person_title="Plh.")
    got = core.for_event(OFFICE, act, back, [], [OPENED, SUBMITTED, forwarded])
    # the arrival goes to both Kabid/Kasubag; Siti, who forwarded it, is told once
    assert kinds_to(got) == [("tiba", "rudi@contoh.go.id"), ("tiba", "siti@contoh.go.id")]
    assert all("Dewi Kartika (Plh. Sekretaris)" in n.body for n in got)


def test_the_closed_case_tells_the_one_who_opened_it() -> None:
    closed = replace(CASE, step=6, status="closed", letter_number="800/031/PPID/XII/2026")
    act = core.Act("decided", datetime(2026, 12, 29, 9, 0), 120, "fungsional", 6, 6, "Selesai",
                   person="ani")
    got = core.for_event(OFFICE, act, closed, [], [OPENED, SUBMITTED])
    assert [(n.kind, n.address) for n in got] == [("selesai", "siti@contoh.go.id")]
    assert "800/031/PPID/XII/2026" in got[0].body and "Ani Lestari (Fungsional)" in got[0].body


def test_a_file_in_quarantine_tells_the_administrator() -> None:
    act = core.Act("quarantined", datetime(2026, 12, 28, 9, 0), 130, "fungsional",
                   source="inbox/fungsional/rahasia.docx", message="Berkas terkunci sandi.",
                   person="ani", detail={"reason": "encrypted"})
    (n,) = core.for_event(OFFICE, act, None)
    assert (n.kind, n.address, n.key) == ("admin", "admin@contoh.go.id",
                                          "admin:karantina:130|admin@contoh.go.id")
    assert "rahasia.docx" in n.subject and "Berkas terkunci sandi." in n.body
    assert "encrypted" in n.body


@pytest.mark.parametrize("prefix, expected", [
    ("", "outbox/fungsional/a.docx"),
    ("\\\\fs\\PPID", "\\\\fs\\PPID\\outbox\\fungsional\\a.docx"),
    ("/mnt/ppid/", "/mnt/ppid/outbox/fungsional/a.docx")])
def test_the_share_path(prefix: str, expected: str) -> None:
    o = replace(OFFICE, notify=replace(NOTIFY, share_prefix=prefix))
    assert core.share_path(o, "outbox/fungsional/a.docx") == expected
