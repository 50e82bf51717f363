"""Notifications under a hostile or careless office and a misconfiguring administrator: the sender
process killed behind the watcher's back, sop.toml mistakes, secrets near error messages."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from sop_docs import delivery
from sop_docs.adapters.outbox import Outbox
from tests.driver import CORPUS, Office, unique_docx
from tests.e2e.test_crash import REPO
from tests.smtp import SmtpServer, notify_toml, smtp_server  # noqa: F401

PEOPLE = [("Siti Aminah", "fungsional", ["siti@kantor.go.id"]),
          ("Budi Santoso", "kabid_kasubag", ["budi@kantor.go.id"]),
          ("Rina Wulandari", "sekretaris", ["rina@kantor.go.id"]),
          ("Hendra Gunawan", "kepala_dinas", ["hendra@kantor.go.id"])]


def test_a_sender_killed_behind_the_watchers_back_is_started_again_and_nothing_waits_forever(
        tmp_path: Path, smtp_server: SmtpServer,  # noqa: F811
        caplog: pytest.LogCaptureFixture) -> None:
    """The OOM killer or a careless `kill` ends the sender process while the watcher runs: the
    watcher says so in its log and starts another, so a case opened afterwards is still told."""
    (tmp_path / "sop.toml").write_text(notify_toml(smtp_server.url(), people=PEOPLE,
                                                   retry_seconds=0.2), "utf-8")
    o = Office(tmp_path)
    courier = delivery.start(o.svc)
    assert courier is not None and courier.proc is not None
    try:
        first = courier.proc
        os.kill(first.pid, signal.SIGKILL)
        first.wait(10)
        with caplog.at_level(logging.ERROR, logger="sop_docs"):
            o.open_case("Bahan Sesudah Pengirim Mati")
            mails = smtp_server.wait(1, timeout=30)
        assert any("siti@kantor.go.id" in m.rcpt_tos for m in mails)
        assert courier.proc is not first and courier.proc.poll() is None
        assert any("notification sender stopped unexpectedly" in r.getMessage()
                   for r in caplog.records)
    finally:
        delivery.stop(o.svc, courier)
        o.close()
    assert courier.proc.poll() is not None       # stopped for good: not started again
    time.sleep(1.5)
    assert courier.proc.poll() is not None


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_ctrl_c_or_systemd_stopping_the_whole_group_lets_the_send_in_progress_finish(
        tmp_path: Path, signum: int) -> None:
    """Ctrl-C in a terminal (SIGINT) and systemd's stop (SIGTERM to the whole control group) reach
    the sender too: it finishes the message the server is answering and marks it, rather than
    dying mid-send with a traceback and sending it twice at the next start."""
    server = SmtpServer(delay=2.0).start()          # holds each message 2 s before its 250
    try:
        (tmp_path / "sop.toml").write_text(notify_toml(server.url(), people=PEOPLE), "utf-8")
        Office(tmp_path).close()
        log = tmp_path / "watch.log"
        with log.open("wb") as out:
            watcher = subprocess.Popen(
                [sys.executable, "-m", "sop_docs", "watch", str(tmp_path), "--native",
                 "--settle", "0.1"], cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True)                     # its own group, as a terminal's job
        try:
            deadline = time.monotonic() + 60
            while "watching" not in log.read_text("utf-8", "replace"):
                assert time.monotonic() < deadline and watcher.poll() is None, log.read_text()
                time.sleep(0.1)
            (tmp_path / "inbox" / "kabid_kasubag" / "Bahan Satu.docx").write_bytes(
                unique_docx(CORPUS / "tables.docx", "Bahan Satu"))
            server.wait(1, timeout=60)                  # the server has it, its 250 not yet sent
            os.killpg(watcher.pid, signum)
            assert watcher.wait(60) == 0
        finally:
            if watcher.poll() is None:
                os.killpg(watcher.pid, signal.SIGKILL)
        text = log.read_text("utf-8", "replace")
        assert "Traceback" not in text and "KeyboardInterrupt" not in text, text
        o = Office(tmp_path)
        try:
            rows = {r["key"]: r["status"] for r in Outbox(o.svc.db).rows()}
        finally:
            o.close()
        assert rows[server.mails[0].key] == "sent", rows
        assert "sending" not in rows.values(), rows
    finally:
        server.stop()


def test_check_names_a_role_whose_arrivals_would_be_told_to_no_one(tmp_path: Path) -> None:
    """The administrator listed addresses for three roles and forgot the Kepala Dinas: without
    a word, the letters waiting for approval would be told to nobody."""
    (tmp_path / "sop.toml").write_text(notify_toml("mailto://127.0.0.1:2525",
                                                   people=PEOPLE[:3]), "utf-8")
    Office(tmp_path).close()
    r = subprocess.run([sys.executable, "-m", "sop_docs", "check", str(tmp_path)], cwd=REPO,
                       capture_output=True, text=True, timeout=120)
    assert "nobody holding kepala_dinas has an address" in r.stdout, r.stdout + r.stderr
    assert "nobody holding sekretaris" not in r.stdout and "Traceback" not in r.stderr
