"""Delivery of the notification outbox to a real SMTP server on 127.0.0.1 (aiosmtpd, in-process)."""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from pathlib import Path

import pytest

from sop_docs.adapters.channels import Channels, redact
from sop_docs.adapters.outbox import Message, Outbox
from sop_docs.delivery import Delivery, backoff
from sop_docs.service import Service
from tests.driver import Office
from tests.smtp import BlackHole, SmtpServer, notify_toml, smtp_server  # noqa: F401

PASSWORD = "rahasia-Kantor#2026/ppid"   # characters that must be quoted inside a URL


class FakeTime:
    """Epoch seconds the test moves by hand (the back-off is checked, not waited for)."""

    def __init__(self) -> None:
        self.t = 1_800_000_000.0

    def __call__(self) -> float:
        return self.t


def office(tmp_path: Path, server: str, **options: object) -> Office:
    root = tmp_path / "ws"
    root.mkdir()
    people = [("Siti Aminah", "fungsional", ["siti@kantor.go.id"]),
              ("Budi Santoso", "kabid_kasubag", ["budi@kantor.go.id"])]
    (root / "sop.toml").write_text(notify_toml(server, people=people, **options), "utf-8")
    return Office(root)


def record(svc: Service, key: str, *, case: str | None = None, to: str = "siti@kantor.go.id",
           attach: tuple[str, bytes] | None = None) -> None:
    """A message recorded as the composer records it: inside a transaction of the service."""
    sha = svc.blobs.put_bytes(attach[1]) if attach else None
    with svc.db.tx():
        Outbox(svc.db).add(Message(
            key=key, kind="tiba", address=to, subject=f"Dokumen menunggu Anda ({key})",
            body=f"Yth. Siti Aminah,\nkasus {case or '-'} menunggu keputusan Anda.\nKunci {key}.",
            case_id=case, role="fungsional", person="Siti Aminah",
            attach_sha=sha, attach_name=attach[0] if attach else None), svc.clock().isoformat())


def delivery(svc: Service, now: FakeTime | None = None, env: dict[str, str] | None = None
             ) -> Delivery:
    return Delivery(svc.db, svc.blobs, svc.notify, Channels(svc.notify, svc.root, env), svc.clock,
                    **({"now": now} if now else {}))


def status(svc: Service) -> dict[str, str]:
    return {r["key"]: r["status"] for r in Outbox(svc.db).rows()}


def test_recorded_messages_arrive_once_with_key_subject_body_and_attachment(
        tmp_path: Path, smtp_server: SmtpServer) -> None:  # noqa: F811
    """Each row is sent once: To, From, subject, body, the key header, the attachment's bytes."""
    o = office(tmp_path, smtp_server.url())
    try:
        record(o.svc, "k-1", attach=("PIP-2026-0001 - Konsep.docx", b"PK\x03\x04 isi konsep"))
        record(o.svc, "k-2", to="budi@kantor.go.id")
        d = delivery(o.svc)
        assert d.send_due() == 2
        assert d.send_due() == 0
        mails = {m.key: m for m in smtp_server.wait(2)}
        assert set(mails) == {"k-1", "k-2"} and len(smtp_server.mails) == 2
        one = mails["k-1"]
        assert one.rcpt_tos == ("siti@kantor.go.id",)
        assert one.mail_from == "ppid@kantor.go.id"
        assert "PPID Uji" in str(one.message["From"])
        assert one.subject == "Dokumen menunggu Anda (k-1)"
        assert "kasus - menunggu keputusan Anda." in one.text
        assert one.attachments() == {"PIP-2026-0001 - Konsep.docx": b"PK\x03\x04 isi konsep"}
        assert mails["k-2"].rcpt_tos == ("budi@kantor.go.id",) and not mails["k-2"].attachments()
        rows = {r["key"]: r for r in Outbox(o.svc.db).rows()}
        assert all(r["status"] == "sent" and r["sent_at"] and r["attempts"] == 0
                   for r in rows.values())
    finally:
        o.close()


@pytest.mark.parametrize("where", ["environment", "secrets_file"])
def test_the_password_comes_from_the_environment_or_a_private_file_and_is_never_logged(
        tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch,
        caplog: pytest.LogCaptureFixture) -> None:
    """${SMTP_PASSWORD} in the server URL is read at send time; the server sees the right
    password; neither a success nor a refused login puts it in the log or the row's error."""
    caplog.set_level(logging.DEBUG)
    server = SmtpServer(user="ppid", password=PASSWORD).start()
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    options: dict[str, object] = {}
    secrets = tmp_path / "rahasia.env"
    if where == "environment":
        monkeypatch.setenv("SMTP_PASSWORD", PASSWORD)
    else:
        secrets.write_text(f"# for sop-docs\nSMTP_PASSWORD={PASSWORD}\n", "utf-8")
        secrets.chmod(0o600)
        options["secrets_file"] = str(secrets)
    o = office(tmp_path, server.url("ppid:${SMTP_PASSWORD}"), retry_seconds=1, **options)
    try:
        record(o.svc, "k-1")
        assert delivery(o.svc).send_due() == 1
        assert server.wait(1)[0].key == "k-1" and server.logins == [("ppid", True)]
        # a wrong password: refused by the server, said without the password
        if where == "environment":
            monkeypatch.setenv("SMTP_PASSWORD", PASSWORD[::-1])
        else:
            secrets.write_text(f"SMTP_PASSWORD={PASSWORD[::-1]}\n", "utf-8")
        record(o.svc, "k-2")
        assert delivery(o.svc).send_due() == 0
        (row,) = [r for r in Outbox(o.svc.db).rows() if r["key"] == "k-2"]
        assert row["status"] == "pending" and row["attempts"] == 1 and row["error"]
        for text in (caplog.text, row["error"]):
            for secret in (PASSWORD, PASSWORD[::-1]):
                assert secret not in text and secret.replace("#", "%23") not in text
        assert "not sent (attempt 1 of 9" in caplog.text
    finally:
        o.close()
        server.stop()


def test_a_secrets_file_others_can_read_is_refused_with_a_clear_line(
        tmp_path: Path, smtp_server: SmtpServer, monkeypatch: pytest.MonkeyPatch,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    """A secrets file readable by group or others is not used: the log says so and how to fix it,
    the message waits, and the secret appears nowhere."""
    monkeypatch.delenv("SMTP_PASSWORD", raising=False)
    secrets = tmp_path / "rahasia.env"
    secrets.write_text(f"SMTP_PASSWORD={PASSWORD}\n", "utf-8")
    secrets.chmod(0o644)
    o = office(tmp_path, smtp_server.url("ppid:${SMTP_PASSWORD}"), secrets_file=str(secrets))
    try:
        record(o.svc, "k-1")
        assert delivery(o.svc).send_due() == 0
        assert "readable by group or others (mode 644)" in caplog.text
        assert "chmod 600" in caplog.text
        (row,) = Outbox(o.svc.db).rows()
        assert row["status"] == "pending" and "SMTP_PASSWORD is not set" in row["error"]
        assert PASSWORD not in caplog.text + row["error"] and not smtp_server.mails
    finally:
        o.close()


def test_a_server_down_keeps_rows_pending_with_growing_back_off_then_each_arrives_once(
        tmp_path: Path, smtp_server: SmtpServer) -> None:  # noqa: F811
    """While the server is down every try fails and the next waits twice as long (capped at an
    hour); back up, every message arrives exactly once."""
    o = office(tmp_path, smtp_server.url(), retry_seconds=30, retries=20, timeout_seconds=2)
    now = FakeTime()
    try:
        for i in range(3):
            record(o.svc, f"k-{i}")
        smtp_server.stop()
        d = delivery(o.svc, now)
        waits = []
        for attempt in range(1, 10):
            assert d.send_due() == 0
            rows = Outbox(o.svc.db).rows()
            assert {r["status"] for r in rows} == {"pending"}
            assert {r["attempts"] for r in rows} == {attempt}
            assert all("Connection refused" in r["error"] for r in rows)
            waits.append(rows[0]["next_try"] - now.t)
            assert d.send_due() == 0 and Outbox(o.svc.db).rows()[0]["attempts"] == attempt
            now.t = rows[0]["next_try"]          # not due a moment before
        assert waits == [min(30 * 2 ** (n - 1), 3600) for n in range(1, 10)]
        assert backoff(o.svc.notify, 20) == 3600
        smtp_server.start()
        assert d.send_due() == 3
        assert d.send_due() == 0
        smtp_server.wait(3)
        assert smtp_server.keys() == {"k-0": 1, "k-1": 1, "k-2": 1}
        assert set(status(o.svc).values()) == {"sent"}
    finally:
        o.close()


def test_after_the_last_retry_the_register_and_the_log_say_to_whom_it_failed(
        tmp_path: Path, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """retries = 2: the third failure gives up; the case's Pesan Sistem and an ERROR line name
    the person, the address and the subject; a row with no case is only logged."""
    o = office(tmp_path, smtp_server.url(), retries=2, retry_seconds=1)
    now = FakeTime()
    try:
        case = o.open_case("Laporan Keuangan 2026")
        record(o.svc, "k-case", case=case)
        record(o.svc, "k-admin", to="budi@kantor.go.id")
        smtp_server.stop()
        d = delivery(o.svc, now)
        for _ in range(3):
            d.send_due()
            now.t += 3600
        # (the case's own arrival message, recorded by the composer, failed the same way)
        assert {k: v for k, v in status(o.svc).items() if k.startswith("k-")} == \
            {"k-case": "failed", "k-admin": "failed"}
        failed = [r for r in caplog.records
                  if r.levelno == logging.ERROR and "(k-" in r.getMessage()]
        assert len(failed) == 2
        line = next(r.getMessage() for r in failed if "siti@" in r.getMessage())
        assert "Siti Aminah <siti@kantor.go.id>" in line and "Dokumen menunggu Anda (k-case)" in line
        assert "FAILED after 3 attempts" in line
        o.svc.process_register()
        pesan = str(o.rows()[case]["Pesan Sistem"])
        assert "Dokumen menunggu Anda (k-case)" in pesan and "Siti Aminah" in pesan
        assert "tidak terkirim setelah 3 kali percobaan" in pesan
        assert d.send_due() == 0                 # given up: not tried again
    finally:
        o.close()


def test_a_row_left_sending_by_a_crash_is_sent_again_with_the_same_key(
        tmp_path: Path, smtp_server: SmtpServer, caplog: pytest.LogCaptureFixture) -> None:  # noqa: F811
    """`sending` at start means the process died mid-send: it goes again (at-least-once), the
    log says the copy carries the same key, and the resumed keys are counted."""
    o = office(tmp_path, smtp_server.url())
    try:
        record(o.svc, "k-1")
        record(o.svc, "k-2")
        (first, _second) = Outbox(o.svc.db).rows()
        assert Outbox(o.svc.db).claim(first["id"])        # then the process died
        d = delivery(o.svc)
        assert d.send_due() == 1                           # a `sending` row is not due
        assert d.resume() == 1 and d.resumed == ["k-1"]
        assert "same key (e-mail header X-SOP-Docs-Kunci)" in caplog.text
        assert d.send_due() == 1
        assert smtp_server.keys() == {"k-1": 1, "k-2": 1}
    finally:
        o.close()


def test_redact_hides_passwords_and_tokens_but_names_the_target() -> None:
    """Log lines name a target without its secrets; a ${NAME} reference stays as it is."""
    assert redact("siti@kantor.go.id") == "siti@kantor.go.id"
    assert redact("mailtos://ppid:hunter2@mail.go.id:465") == "mailtos://ppid:***@mail.go.id:465"
    assert redact("mailtos://ppid:${SMTP_PASSWORD}@mail.go.id") == \
        "mailtos://ppid:${SMTP_PASSWORD}@mail.go.id"
    assert redact("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/12345") == "tgram://***/12345"
    assert "s3cr3t" not in redact("json://host/path?token=s3cr3t&x=1")


def test_secrets_file_permissions_are_those_of_a_private_file(tmp_path: Path) -> None:
    """The check is on the mode bits: 0600 and 0400 pass, 0640 and 0604 do not."""
    from sop_docs.adapters.channels import Secrets

    f = tmp_path / "s"
    f.write_text("A=1\nB='dua'\n", "utf-8")
    for mode, ok in ((0o600, True), (0o400, True), (0o640, False), (0o604, False)):
        os.chmod(f, mode)
        assert (Secrets(f, env={})._from_file() == {"A": "1", "B": "dua"}) is ok


@pytest.mark.sqlite_only
def test_a_database_too_busy_to_mark_a_send_neither_loses_nor_repeats_it(
        tmp_path: Path) -> None:
    """Another connection holds the database while a message is on its way: it was sent, the
    mark waits for the next pass, and it is never sent again. A failed send the database cannot
    record goes again at the next pass (it was not sent)."""
    server = SmtpServer(delay=0.6).start()
    o = office(tmp_path, server.url(), retries=5, retry_seconds=0, timeout_seconds=1)
    other = sqlite3.connect(o.svc.db.path, isolation_level=None, check_same_thread=False)

    def hold() -> None:                          # from mid-send until well after it
        time.sleep(0.3)
        other.execute("BEGIN EXCLUSIVE")
        time.sleep(1.2)
        other.execute("COMMIT")

    try:
        record(o.svc, "k-busy")
        d = delivery(o.svc)
        d.db.conn.execute("PRAGMA busy_timeout=100")
        holder = threading.Thread(target=hold)
        holder.start()
        d.send_due()                             # sent at 0.6 s; the mark finds the lock
        holder.join()
        assert server.keys() == {"k-busy": 1} and status(o.svc)["k-busy"] == "sending"
        assert d.send_due() == 0                 # marked now, not sent again
        assert status(o.svc)["k-busy"] == "sent" and server.keys() == {"k-busy": 1}

        server.stop()                            # silent: the send fails after its 1 s
        hole = BlackHole(server.port)
        record(o.svc, "k-down")
        holder = threading.Thread(target=hold)
        holder.start()
        d.send_due()                             # the failure cannot be recorded (locked)
        holder.join()
        assert status(o.svc)["k-down"] == "sending" and d.unsettled
        hole.close()
        server.start()
        d.send_due()                             # due again, and sent
        assert server.keys() == {"k-busy": 1, "k-down": 1}
        assert status(o.svc) == {"k-busy": "sent", "k-down": "sent"}
    finally:
        other.close()
        server.stop()
        o.close()
