"""Notifications delivered around a real case: a dead or silent mail server never slows the chain,
`sop-docs scan` sends what is due, and `sop-docs notify --test` reports per address."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from sop_docs import delivery
from sop_docs.adapters.outbox import Outbox
from tests.driver import Office
from tests.records import query
from tests.smtp import BlackHole, SmtpServer, free_port, notify_toml, smtp_server  # noqa: F401

PEOPLE = [("Siti Aminah", "fungsional", ["siti@kantor.go.id"]),
          ("Budi Santoso", "kabid_kasubag", ["budi@kantor.go.id"]),
          ("Rina Wulandari", "sekretaris", ["rina@kantor.go.id"]),
          ("Hendra Gunawan", "kepala_dinas", ["hendra@kantor.go.id"])]


def sop_docs(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "sop_docs", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def walk_a_case(o: Office, name: str) -> float:
    """Seconds to take a case from the material to the Kepala Dinas's desk (step 5)."""
    t = time.perf_counter()
    case = o.open_case(name)
    o.to_step(case, 5)
    return time.perf_counter() - t


def test_the_chain_runs_at_full_speed_while_the_mail_server_is_silent_then_each_message_arrives_once(
        tmp_path: Path) -> None:
    """With the mail server accepting connections but never answering (every send waits its
    2 s timeout), a case walks its steps as fast as with notifications off; once a real server
    listens there, every message recorded meanwhile arrives exactly once."""
    off_root, on_root = tmp_path / "off", tmp_path / "on"
    off_root.mkdir()
    (off_root / "sop.toml").write_text(notify_toml("", people=PEOPLE), "utf-8")
    server = SmtpServer()
    on_root.mkdir()
    (on_root / "sop.toml").write_text(notify_toml(
        server.url(), people=PEOPLE, timeout_seconds=2, retry_seconds=0.2, retries=30), "utf-8")
    off, on = Office(off_root), Office(on_root)
    hole = BlackHole(server.port)
    courier = delivery.start(on.svc)
    assert courier is not None and delivery.start(off.svc) is None     # nothing to send: no thread
    try:
        walk_a_case(off, "Pemanasan")                                  # caches, imports
        times_off, times_on = [], []
        for i in range(2):
            times_off.append(walk_a_case(off, f"Bahan {i}"))
            times_on.append(walk_a_case(on, f"Bahan {i}"))
        rows = Outbox(on.svc.db).rows()
        assert len(rows) >= 8 and all(r["status"] in ("pending", "sending") for r in rows)
        # a send that waited in the chain would add >= 2 s per event (>= 8 s per case)
        print(f"case walked in {times_on} s with the server silent, {times_off} s with notifications off")
        assert min(times_on) <= min(times_off) * 1.25 + 0.3, (times_on, times_off)
        hole.close()
        server.start()
        courier.wake()
        server.wait(len(rows), timeout=60)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and any(
                r["status"] != "sent" for r in Outbox(on.svc.db).rows()):
            time.sleep(0.05)
        time.sleep(0.5)                                                # nothing more comes
        keys = server.keys()
        assert set(keys) == {r["key"] for r in rows} and set(keys.values()) == {1}
        assert {r["status"] for r in Outbox(on.svc.db).rows()} == {"sent"}
    finally:
        delivery.stop(on.svc, courier)
        hole.close()
        server.stop()
        off.close()
        on.close()


def test_scan_sends_what_is_due_and_status_shows_what_is_not(tmp_path: Path,
                                                           smtp_server: SmtpServer) -> None:  # noqa: F811
    """`sop-docs scan` sends the due messages before it exits; with the server down they wait,
    and `sop-docs status` counts them, names the oldest and each one given up on."""
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(notify_toml(smtp_server.url(), people=PEOPLE, retries=0),
                                   "utf-8")
    o = Office(root)
    o.open_case("Laporan Keuangan 2026")
    o.open_case("Laporan Kinerja 2026")
    keys = {r["key"] for r in Outbox(o.svc.db).rows()}
    o.close()
    assert len(keys) == 2
    smtp_server.stop()
    r = sop_docs("scan", str(root))
    assert r.returncode == 0, r.stderr
    assert "FAILED after 1 attempts" in r.stderr and "Siti Aminah <siti@kantor.go.id>" in r.stderr
    # scan also recorded what its real clock finds due (the cases are late by now): all failed
    rows = [tuple(r) for r in query(root, "SELECT key, person, address, status FROM notifications")]
    assert keys <= {k for k, _, _, _ in rows} and {s for *_, s in rows} == {"failed"}
    failed = [(p, a, s) for _, p, a, s in rows]
    r = sop_docs("status", str(root))
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    assert f"Pemberitahuan belum terkirim: {len(failed)} ({len(failed)} gagal)" in out
    for person, address, _ in set(failed):
        n = failed.count((person, address, "failed"))
        assert out.count(f"Gagal setelah 1 percobaan: {person} <{address}>") == n
    assert "Connection refused" in out
    # a new message, the server back: scan sends it
    smtp_server.start()
    o = Office(root)
    o.open_case("Laporan Tahunan 2026")
    o.close()
    r = sop_docs("scan", str(root))
    assert r.returncode == 0, r.stderr
    # scan ran in one go: everything now due went out before it returned (none given up again)
    mails = smtp_server.mails
    arrival = [m for m in mails if m.key.startswith("tiba:PIP-2026-0003#")]
    assert len(arrival) == 1 and arrival[0].rcpt_tos == ("siti@kantor.go.id",)
    assert not {m.key for m in mails} & keys


def test_notify_test_reports_each_address_and_fails_if_one_fails(tmp_path: Path,
                                                               smtp_server: SmtpServer) -> None:  # noqa: F811
    """Every person's addresses and the administrator's get a test message in Indonesian; the
    output says OK or GAGAL (with the reason, no secret) per address; exit 1 when one failed."""
    closed = free_port()
    people = [*PEOPLE[:2], ("Rina Wati", "sekretaris",
                        ["rina@kantor.go.id", f"json://rina:${{HOOK_PASS}}@127.0.0.1:{closed}/"])]
    root = tmp_path / "ws"
    root.mkdir()
    (root / "sop.toml").write_text(notify_toml(smtp_server.url(), people=people,
                                               admin=["admin@kantor.go.id"]), "utf-8")
    Office(root).close()
    r = sop_docs("notify", "--test", str(root), env={"HOOK_PASS": "kata-sandi-rahasia-99"})
    assert r.returncode == 1, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert "OK    Siti Aminah <siti@kantor.go.id>" in lines
    assert "OK    Budi Santoso <budi@kantor.go.id>" in lines
    assert "OK    Rina Wati <rina@kantor.go.id>" in lines
    assert "OK    administrator <admin@kantor.go.id>" in lines
    (bad,) = [line for line in lines if line.startswith("GAGAL")]
    assert bad.startswith(f"GAGAL Rina Wati <json://rina:${{HOOK_PASS}}@127.0.0.1:{closed}/>: ")
    assert "4 terkirim, 1 gagal." in lines
    assert "kata-sandi-rahasia-99" not in r.stdout + r.stderr
    mails = smtp_server.wait(4)
    assert sorted(m.rcpt_tos[0] for m in mails) == ["admin@kantor.go.id", "budi@kantor.go.id",
                                                    "rina@kantor.go.id", "siti@kantor.go.id"]
    assert {m.subject for m in mails} == {"Uji pemberitahuan sop-docs"}
    assert "Ini pesan uji dari sop-docs" in mails[0].text
    # every address answers: exit 0
    (root / "sop.toml").write_text(notify_toml(smtp_server.url(), people=PEOPLE[:2]), "utf-8")
    r = sop_docs("notify", "--test", str(root))
    assert r.returncode == 0 and "2 terkirim, 0 gagal." in r.stdout, r.stdout + r.stderr
