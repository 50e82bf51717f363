"""Notifications under a hostile or careless office and a misconfiguring administrator: the sender
process killed behind the watcher's back, sop.toml mistakes, secrets near error messages."""

from __future__ import annotations

import logging
import os
import signal
import time
from pathlib import Path

import pytest

from sop_docs import delivery
from tests.driver import Office
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
