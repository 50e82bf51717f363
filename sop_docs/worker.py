"""A background writer's thread: started by the first `poke`, woken by each, stopped by `close`.

The year registers (`history.HistoryWriter`) and the reports (`refresher.ReportRefresher`) are
written off the watcher's path in the same way; only what `_run` does differs.
"""

from __future__ import annotations

import threading


class Worker:
    name = "sop-docs-worker"

    def __init__(self) -> None:
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _run(self) -> None:
        raise NotImplementedError

    def _start_and_wake(self) -> None:
        if self._thread is None:
            self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
            self._thread.start()
        self._wake.set()

    def close(self) -> None:
        """Stop the thread after the work in progress; the next `poke` starts it afresh."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=120)
        self._thread = None
        self._stop.clear()
        self._wake.clear()
