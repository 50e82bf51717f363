"""The watch loop looks at the time: the service's `tick` runs at each full pass and every
`TICK_EVERY` seconds between them, so reminders are recorded when due, not at the next save."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from sop_docs import watchloop
from tests.integration.test_watch_loop import FakeService, Running, wait_for
from tests.integration.test_watch_loop import no_thread_leak as no_thread_leak  # autouse here too


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for role in ("fungsional", "kabid_kasubag/berkala"):
        (root / "inbox" / role).mkdir(parents=True)
    (root / "outbox").mkdir()
    return root


class TickingService(FakeService):
    def __init__(self, root: Path) -> None:
        super().__init__(root)
        self.ticks: list[float] = []

    def tick(self) -> None:
        self.ticks.append(time.monotonic())
        if len(self.ticks) == 2:
            raise RuntimeError("a bug in the timed messages")   # logged; the loop goes on


def test_the_loop_ticks_at_the_full_pass_and_every_minute_between(workspace: Path,
                                                                  monkeypatch) -> None:
    monkeypatch.setattr(watchloop, "TICK_EVERY", 0.2)
    service = TickingService(workspace)
    running = Running(workspace, service, mode="native", rescan_every=3600.0)
    try:
        assert len(service.ticks) >= 1                 # the first full pass ticked before ready
        wait_for(lambda: len(service.ticks) >= 4, timeout=5, what="ticks between full passes")
        gaps = [b - a for a, b in zip(service.ticks[1:], service.ticks[2:], strict=False)]
        assert all(g >= 0.15 for g in gaps), gaps
    finally:
        running.close()


def test_a_service_without_tick_is_watched_as_before(workspace: Path) -> None:
    service = FakeService(workspace)
    running = Running(workspace, service, mode="native")
    running.close()
    assert service.recovered >= 1
