"""The service records its messages: timed ones at each tick, once; the administrator's when the
service itself is in trouble; and an event's messages live or die with the event.

A real workspace (tests.driver.Office) with [[people]] and [notify] admin; the clock is the test's.
"""

from __future__ import annotations

import subprocess
from datetime import datetime
from pathlib import Path

import pytest

from sop_docs import journal
from sop_docs.core import notices as core
from sop_docs.errors import SopDocsError
from sop_docs.record import Change
from tests.driver import Clock, Office

SETTINGS = '''
[access]
authorization = "none"

[[people]]
nama = "Siti Rahma"
roles = ["kabid_kasubag"]
alamat = ["siti@contoh.go.id"]

[[people]]
nama = "Ani Lestari"
roles = ["fungsional"]
alamat = ["ani@contoh.go.id"]

[[people]]
nama = "Budi Santoso"
roles = ["sekretaris"]
alamat = ["budi@contoh.go.id"]

[notify]
admin = ["admin@contoh.go.id"]
'''
CHRISTMAS_EVE = datetime(2026, 12, 24, 10, 0)     # a Thursday; Friday 25 is a public holiday


def office_at(tmp_path: Path, now: datetime) -> Office:
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(SETTINGS, encoding="utf-8")
    return Office(root, Clock(now))


@pytest.fixture
def office(tmp_path: Path):
    o = office_at(tmp_path, CHRISTMAS_EVE)
    yield o
    o.close()


def kinds(o: Office) -> list[tuple[str, str]]:
    return [(r["kind"], r["address"]) for r in o.svc.notices.outbox.rows()]


def at(o: Office, when: datetime) -> list[tuple[str, str]]:
    """The rows recorded by a tick at `when` (ticking twice records nothing more)."""
    before = len(kinds(o))
    o.clock.now = when
    o.svc.tick()
    o.svc.tick()
    return kinds(o)[before:]


def test_the_drafting_day_across_christmas_and_the_weekend(office: Office) -> None:
    """Opened Thursday 24 December 10.00, one working day to draft: due Monday 28 at 10.00.
    The reminder at half (Thursday 14.15), nothing over the holiday and the weekend, the digest
    at Monday's opening, lateness at 10.00, escalation to the Kabid/Kasubag at 14.15."""
    o = office
    case = o.open_case()
    assert kinds(o) == [("tiba", "ani@contoh.go.id")]
    assert at(o, datetime(2026, 12, 24, 14, 14)) == []
    assert at(o, datetime(2026, 12, 24, 14, 15)) == [("pengingat", "ani@contoh.go.id")]
    for t in (datetime(2026, 12, 25, 8, 0), datetime(2026, 12, 26, 9, 0),
              datetime(2026, 12, 27, 23, 0), datetime(2026, 12, 28, 7, 29)):
        assert at(o, t) == [], t
    assert at(o, datetime(2026, 12, 28, 7, 30)) == [("ringkasan", "ani@contoh.go.id")]
    assert at(o, datetime(2026, 12, 28, 9, 59)) == []
    assert at(o, datetime(2026, 12, 28, 10, 0)) == [("terlambat", "ani@contoh.go.id")]
    assert at(o, datetime(2026, 12, 28, 14, 14)) == []
    assert at(o, datetime(2026, 12, 28, 14, 15)) == [("eskalasi", "siti@contoh.go.id")]
    rows = {r["kind"]: r for r in o.svc.notices.outbox.rows()}
    assert f"1. {case} — Laporan Keuangan 2026" in rows["ringkasan"]["body"]
    assert "Yth. Siti Rahma," in rows["eskalasi"]["body"]
    assert "Disposisi dari Kabid/Kasubag." in rows["pengingat"]["body"]
    assert "Tahap 2 - Penyusunan Konsep yang dipegang Fungsional (Ani Lestari) terlambat" in \
        rows["eskalasi"]["body"]
    # the next morning's digest names it late
    assert at(o, datetime(2026, 12, 29, 7, 30)) == [("ringkasan", "ani@contoh.go.id")]
    last = o.svc.notices.outbox.rows()[-1]
    assert "1 terlambat" in last["subject"] and "TERLAMBAT" in last["body"]


def test_a_case_that_moves_on_is_reminded_afresh_at_its_new_step(office: Office) -> None:
    o = office
    case = o.open_case()
    o.to_step(case, 3)
    assert at(o, datetime(2026, 12, 24, 10, 30)) == [("pengingat", "siti@contoh.go.id")]
    o.decide(case, "Sesuai")
    o.scan()
    assert kinds(o)[-2:] == [("tiba", "budi@contoh.go.id"), ("hasil", "ani@contoh.go.id")]
    assert at(o, datetime(2026, 12, 24, 11, 0)) == [("pengingat", "budi@contoh.go.id")]


def read_only(folder: Path) -> None:
    subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
    subprocess.run(["mount", "-o", "remount,ro,bind", str(folder)], check=True)


def test_an_operation_that_keeps_failing_tells_the_administrator_once(office, monkeypatch) -> None:
    monkeypatch.setattr(journal, "RETRY_FIRST", 0.0)
    outbox = office.root / "outbox" / "fungsional"
    read_only(outbox)
    try:
        office.open_case()
        for _ in range(4):
            office.scan()
    finally:
        subprocess.run(["umount", str(outbox)], check=True)
    admin = [r for r in office.svc.notices.outbox.rows() if r["kind"] == "admin"]
    assert len(admin) == 1
    assert admin[0]["subject"].startswith("[sop-docs] Operasi berkas gagal berulang: outbox/fungsional/")
    assert "Kesalahan:" in admin[0]["body"] and admin[0]["key"].startswith("admin:operasi:")
    office.scan()
    assert not office.svc.db.pending_ops()


def test_a_register_held_open_for_an_hour_tells_the_administrator(office: Office) -> None:
    o = office
    lock = o.root / ".~lock.register.xlsx#"
    lock.write_text("x,Staf,host,24.12.2026 10:00,file:///x;", encoding="utf-8")
    o.open_case()
    assert at(o, datetime(2026, 12, 24, 10, 59)) == []
    assert at(o, datetime(2026, 12, 24, 11, 0)) == [("admin", "admin@contoh.go.id")]
    row = o.svc.notices.outbox.rows()[-1]
    assert row["subject"] == "[sop-docs] Register tidak dapat diperbarui: register.xlsx"
    assert "sejak 24 Desember 2026 pukul 10.00 WIB: register dibiarkan terbuka" in row["body"]
    lock.unlink()
    o.scan()
    assert o.svc.registers.trouble == {}
    assert at(o, datetime(2026, 12, 24, 13, 0)) == []


def test_a_share_out_of_reach_for_ten_minutes_tells_the_administrator_once(office: Office) -> None:
    """The watch loop reports the workspace out of reach (its watcher cannot be rebuilt): a blip
    is nobody's business, ten minutes are the administrator's, once per outage."""
    o = office
    o.svc.share_unreachable("[Errno 112] Host is down")
    assert at(o, datetime(2026, 12, 24, 10, 9)) == []
    assert at(o, datetime(2026, 12, 24, 10, 10)) == [("admin", "admin@contoh.go.id")]
    row = o.svc.notices.outbox.rows()[-1]
    assert row["subject"] == "[sop-docs] Folder bersama tidak dapat dijangkau"
    assert "sejak 24 Desember 2026 pukul 10.00 WIB: [Errno 112] Host is down" in row["body"]
    assert at(o, datetime(2026, 12, 24, 11, 0)) == []            # the same outage: once
    o.svc.share_unreachable(None)
    assert at(o, datetime(2026, 12, 24, 11, 5)) == []
    o.svc.share_unreachable("[Errno 2] No such file or directory")  # a new outage
    assert at(o, datetime(2026, 12, 24, 11, 10)) == []
    assert at(o, datetime(2026, 12, 24, 11, 20)) == [("admin", "admin@contoh.go.id")]


def test_libreoffice_missing_at_start_is_told_once_a_day(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOP_DOCS_SOFFICE", str(tmp_path / "tidak-ada" / "soffice"))
    o = office_at(tmp_path, CHRISTMAS_EVE)
    try:
        o.scan()
        o.scan()
        assert kinds(o) == [("admin", "admin@contoh.go.id")]
        assert "LibreOffice tidak ditemukan" in o.svc.notices.outbox.rows()[0]["subject"]
        assert at(o, datetime(2026, 12, 28, 8, 0)) == [("admin", "admin@contoh.go.id")]
    finally:
        o.close()


def test_an_events_messages_live_and_die_with_it(office: Office) -> None:
    """A listener failing later in the same transaction takes the event and its messages back."""
    o = office

    def refuse(_ev: int, _change: Change) -> None:
        raise SopDocsError("disk penuh")

    o.svc.recorder.within.append(refuse)
    with pytest.raises(SopDocsError):
        o.svc.recorder.apply(Change(CHRISTMAS_EVE, "quarantined", None, "fungsional",
                                    source="inbox/fungsional/x.txt", message="x"))
    o.svc.recorder.within.remove(refuse)
    assert kinds(o) == [] and not [e for e in o.svc.db.events() if e["kind"] == "quarantined"]
    o.svc.recorder.apply(Change(CHRISTMAS_EVE, "quarantined", None, "fungsional",
                                source="inbox/fungsional/x.txt", message="x"))
    assert kinds(o) == [("admin", "admin@contoh.go.id")]


def test_a_fault_in_composing_a_message_never_stops_the_chain(office, monkeypatch, caplog) -> None:
    def broken(*_a: object, **_k: object) -> list[core.Notice]:
        raise KeyError("a bug")

    monkeypatch.setattr(core, "for_event", broken)
    case = office.open_case()
    assert office.svc.db.case(case).step == 2 and kinds(office) == []
    assert "could not be composed" in caplog.text
