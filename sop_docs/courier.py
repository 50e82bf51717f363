"""The sender of `sop-docs watch`: a child process, so sending never competes with the chain.

apprise builds, encodes and hands over each message in Python; on a thread of the watcher that work
took the interpreter from the chain (a 300-case burst ran 1.3x slower). In a process of its own it
runs on another core, and a plugin that hangs cannot hold the watcher.

The watcher starts it with a pipe on its stdin: a line on the pipe says "something was recorded,
look now"; the end of the pipe (the watcher stopped, or was killed) makes it finish the send in
progress and exit. It writes `failed <case>` on its stdout when it gave a message up, so the
watcher writes that case's register anew (Pesan Sistem says so). One sender per workspace at a time
(`.sop_docs/delivery.lock`): the next watcher's sender waits for the last one's send to end before
it takes up the rows a crash left `sending`. SIGINT and SIGTERM, which a terminal or systemd send to
the whole group, leave it to that pipe. A sender that dies while the watcher runs (killed,
out of memory) is started again, later each time it dies soon after its start.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from filelock import FileLock, Timeout

log = logging.getLogger("sop_docs")

POLL = 3.0               # the sender looks for due messages at least this often
RESTART_MIN = 1.0        # a sender that died is started again after this long,
RESTART_MAX = 60.0       # twice as long each time it dies within this long of its start


class Courier:
    """The watcher's handle on its sender process."""

    def __init__(self, root: Path, *, on_failed: Callable[[str | None], None] | None = None,
                 timeout: float = 10.0) -> None:
        self.root, self.on_failed, self.timeout = root, on_failed, timeout
        self.proc: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._delay, self._began = RESTART_MIN, 0.0

    def start(self) -> Courier:
        with self._lock:
            self._spawn()
        return self

    def _spawn(self) -> None:
        proc = subprocess.Popen(
            [sys.executable, "-m", "sop_docs.courier", str(self.root)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, start_new_session=False)
        assert proc.stdin is not None and proc.stdout is not None
        with contextlib.suppress(AttributeError, OSError):   # Windows before 3.12: blocking;
            os.set_blocking(proc.stdin.fileno(), False)       # the sender reads it at once anyway
        self.proc, self._began = proc, time.monotonic()
        threading.Thread(target=self._read, args=(proc,), daemon=True,
                         name="sop-docs-courier-out").start()

    def _read(self, proc: subprocess.Popen[bytes]) -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            words = line.decode("utf-8", "replace").split()
            if words[:1] == ["failed"] and self.on_failed is not None:
                with contextlib.suppress(Exception):
                    self.on_failed(words[1] if len(words) > 1 else None)
        code = proc.wait()
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        if self._stopping.is_set():
            return
        # it died (killed, out of memory, a bug): without it nothing would leave until the
        # watcher restarts, so it is started again, later each time it dies young
        if time.monotonic() - self._began > RESTART_MAX:
            self._delay = RESTART_MIN
        delay, self._delay = self._delay, min(self._delay * 2, RESTART_MAX)
        log.error("the notification sender stopped unexpectedly (exit code %s); started again in "
                  "%.0f s (the messages wait in the outbox meanwhile)", code, delay)
        if self._stopping.wait(delay):
            return
        with self._lock:
            if not self._stopping.is_set():
                self._spawn()

    def wake(self, *_args: Any) -> None:
        """A `Recorder.after` listener: something may have been recorded to send."""
        if self.proc is None or self.proc.stdin is None:
            return
        with contextlib.suppress(BlockingIOError, BrokenPipeError, OSError, ValueError):
            os.write(self.proc.stdin.fileno(), b"\n")   # a full pipe already says "look"

    def stop(self) -> None:
        """Close its pipe: it finishes the send in progress and exits. Waits for that; a sender
        stuck longer than a send may take is ended (its row is sent again at the next start)."""
        with self._lock:
            self._stopping.set()
            proc = self.proc
        if proc is None:
            return
        with contextlib.suppress(OSError):
            assert proc.stdin is not None
            proc.stdin.close()
        try:
            proc.wait(self.timeout + 5)
        except subprocess.TimeoutExpired:
            log.warning("the notification sender did not stop after its send; ended")
            proc.kill()
            proc.wait()


def _serve(root: Path) -> int:
    """The child: open the workspace's outbox and send until stdin ends."""
    from sop_docs.adapters.blobs import BlobStore
    from sop_docs.adapters.db import SENDER, Database
    from sop_docs.bootstrap import database_target, load_notify, load_office, local_clock
    from sop_docs.delivery import Delivery, channels_for

    ws, settings, sop = load_office(root)
    notify = load_notify(settings, sop)
    stop, wake = threading.Event(), threading.Event()

    def listen() -> None:                        # the watcher's pipe: a line wakes, EOF stops
        with contextlib.suppress(OSError):
            while os.read(0, 4096):
                wake.set()
        stop.set()
        wake.set()

    threading.Thread(target=listen, daemon=True).start()
    db = Database(database_target(ws, settings), migrate=False)
    # one sender per office: the last watcher's may still be sending. On PostgreSQL the lock is
    # the database's (the last sender may be on another machine); on SQLite a lock file
    lock = FileLock(str(ws.state / "delivery.lock"))
    while not stop.is_set():
        if db.postgresql:
            if db.take_lease(SENDER):
                break
            stop.wait(0.5)
            continue
        with contextlib.suppress(Timeout):
            lock.acquire(timeout=0.5)
            break
    if stop.is_set():
        db.close()
        return 0
    # no fsync of its own: a mark lost to a power cut only means a message sent again
    # (at-least-once, recognisable by its key); the chain's next commit makes it durable
    if not db.postgresql:
        db.conn.run("PRAGMA synchronous=NORMAL")

    def failed(case: str | None) -> None:
        print(f"failed {case or '-'}", flush=True)

    delivery = Delivery(db, BlobStore(ws.store), notify, channels_for(notify, ws.root),
                        local_clock(settings), on_failed=failed)
    try:
        delivery.resume()
        pause = 0.0
        while not stop.is_set():
            wake.clear()
            try:
                delivery.send_due(stop=stop)
                due = delivery.outbox.next_due()
                pause = POLL if due is None else min(max(due - time.time(), 0.05), POLL)
            except Exception as e:               # the database busy or full: later
                log.error("sending notifications failed (%s); tried again shortly", e)
                pause = min(max(pause * 2, 1.0), 60.0)
            wake.wait(pause)
    finally:
        db.close()
        lock.release()
    return 0


def main() -> None:
    # Ctrl-C in a terminal and systemd's stop reach every process of the group at once: the
    # sender's end is its pipe's end (the watcher's own stop), so the send in progress finishes
    # and is marked, instead of dying half-way and going out twice at the next start
    for name in ("SIGINT", "SIGTERM"):
        signal.signal(getattr(signal, name), signal.SIG_IGN)
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s [pengirim] %(message)s")
    try:
        sys.exit(_serve(Path(sys.argv[1])))
    except Exception as e:                      # a bad sop.toml is reported by the watcher itself
        log.error("the notification sender stopped: %s", e)
        sys.exit(1)


if __name__ == "__main__":
    main()
