"""The watch loop: one worker thread that turns file-system hints into settled files for the service.

File events only put paths into a dirty set; the worker (the thread calling `serve`) re-stats them
(never following a link), feeds size and mtime to the pure `StabilityTracker`, and hands a file to
`take_in` once it has settled, no Office or LibreOffice lock sits beside it, and it opens as a whole.
`register.xlsx` is watched the same way. A full pass at start and every `rescan_every` seconds
re-derives everything from the listing (after finishing what earlier events left), and a dead
observer is rebuilt with back-off. `sop_docs.watch.run` sets it up.
"""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from sop_docs.adapters import safefs
from sop_docs.adapters.db import LeaseLost
from sop_docs.adapters.sniff import is_complete
from sop_docs.adapters.watcher import Watcher
from sop_docs.core.intake import StabilityTracker, is_hidden_document, is_ignored, lock_names
from sop_docs.errors import StateMismatch

log = logging.getLogger("sop_docs")

MODES = ("auto", "native", "polling")
REGISTER_NAME = "register.xlsx"
HEALTH_EVERY = 1.0
MAX_BACKOFF = 60.0
STOP_POLL = 0.25  # a `stop` set by another thread is noticed within this
LEASE_EVERY = 2.0  # PostgreSQL: a lost lease stops the loop within this (a standby waits longer)
TICK_EVERY = 60.0  # timed messages (reminders, lateness, the digest) are looked at this often
_REGISTER_KEY = "<register>"


class WatchedService(Protocol):
    """What the loop needs from `sop_docs.service.Service`."""

    def recover(self) -> None: ...
    def pending_inbox_files(self) -> list[Path]: ...
    def take_in(self, path: Path) -> None: ...
    def process_register(self) -> None: ...
    def close(self) -> None: ...


# --- the loop -----------------------------------------------------------------------------------


class Loop:
    """The single worker: everything that touches the service runs on the thread calling `serve`."""

    def __init__(
        self,
        service: WatchedService,
        root: Path,
        *,
        polling: bool,
        settle: float,
        rescan_every: float,
        poll_interval: float,
        incomplete_grace: float,
        stop: threading.Event,
        clock: Callable[[], float] = time.monotonic,
        wake: threading.Event | None = None,
    ) -> None:
        self.service = service
        self.root = root
        self.inbox = root / "inbox"
        self.register = root / REGISTER_NAME
        registers = getattr(service, "register_paths", None)   # one per deciding role, or one
        self.registers: list[Path] = list(registers()) if registers else [self.register]
        self.settle = settle
        self.rescan_every = rescan_every
        self.incomplete_grace = incomplete_grace
        self.stop = stop
        self.clock = clock
        self.tracker = StabilityTracker(settle)
        self.wake = wake or threading.Event()   # the signal handler's, when it is given
        self.quiet = threading.Event()  # nothing settling: reports may be rewritten (any thread)
        self._dirty: set[Path] = set()
        self._dirty_lock = threading.Lock()
        self._due: dict[Path, float] = {}  # tracked, not yet taken in: when to look again
        self._since: dict[Path, tuple[tuple[int, int], float]] = {}  # signature and when first seen
        self._handed: dict[Path, tuple[int, int]] = {}  # taken in, still there, unchanged since
        self._waiting_lock: set[Path] = set()
        self._register_done: dict[Path, tuple[int, int]] = {}
        self._register_stale = False  # the service's state changed since the register was written
        folders = {p.parent for p in self.registers if p.parent != root}
        self.watcher = Watcher(
            [(self.inbox, True), (root, False), *((f, False) for f in sorted(folders))],
            self.hint,
            polling=polling,
            poll_interval=poll_interval,
        )

    # called on watchdog's thread
    def hint(self, path: Path) -> None:
        with self._dirty_lock:
            self._dirty.add(path)
        self.quiet.clear()
        self.wake.set()

    def settling(self) -> bool:
        """True while a file may be settling (any thread): the report refresher waits."""
        return not self.quiet.is_set()

    def register_changed(self) -> None:
        """Something outside the loop changed what the register shows (a notification given up
        on, in a case's Pesan Sistem): it is written anew once nothing is settling. Any thread."""
        self._register_stale = True
        self.wake.set()

    def serve(self, ready: threading.Event | None) -> None:
        self.watcher.start()  # before the first pass, so nothing saved meanwhile is missed
        try:
            self.full_pass()
            log.info("watching %s (%s)", self.root, "polling" if self.watcher.polling else "native")
            if ready is not None:
                ready.set()
            self._serve_forever()
        finally:
            self.watcher.stop()

    def _serve_forever(self) -> None:
        next_rescan = self.clock() + self.rescan_every
        next_health = self.clock() + HEALTH_EVERY
        next_tick = self.clock() + TICK_EVERY
        next_lease = self.clock() + LEASE_EVERY
        backoff, next_rebuild = 1.0, 0.0
        held = getattr(self.service, "holds_lease", None)
        while not self.stop.is_set():
            now = self.clock()
            if held is not None and now >= next_lease:
                next_lease = now + LEASE_EVERY
                if not held():        # another watcher may act now: not one more step here
                    raise LeaseLost(f"{self.root}: the lease on the database is gone")
            if now >= next_health:
                next_health = now + HEALTH_EVERY
                if not self.watcher.healthy() and now >= next_rebuild:
                    if self._rebuild():
                        backoff = 1.0
                        next_rescan = now  # whatever changed while it was down
                    else:
                        next_rebuild = now + backoff
                        backoff = min(backoff * 2, MAX_BACKOFF)
            if now >= next_rescan:
                next_rescan = now + self.rescan_every
                next_tick = now + TICK_EVERY
                self.full_pass()
            elif now >= next_tick:
                next_tick = now + TICK_EVERY
                self._tick()
            self._examine_dirty()
            self._examine_due()
            if self.stop.is_set():
                break
            if self._register_stale and not self._busy():
                self._process_register("updating the register")
            with self._dirty_lock:
                if self._busy() or self._dirty:
                    self.quiet.clear()
                else:
                    self.quiet.set()
            now = self.clock()
            wake_at = min([next_rescan, next_health, next_tick, next_lease, now + STOP_POLL,
                           *self._due.values()])
            self.wake.wait(max(0.0, wake_at - now))
            self.wake.clear()

    def _rebuild(self) -> bool:
        log.warning("file watcher stopped (share unreachable?); rebuilding it")
        told = getattr(self.service, "share_unreachable", None)
        try:
            self.watcher.restart()
        except OSError as exc:
            log.warning("cannot watch %s yet: %s; retrying", self.root, exc)
            if told is not None:
                told(exc.strerror or str(exc))
            return False
        log.info("file watcher rebuilt; rescanning")
        if told is not None:
            told(None)
        return True

    def full_pass(self) -> None:
        """Re-derive the state from the listing (at start, periodically, after a rebuild), after
        finishing what is left of earlier events. A database or store that went missing stops
        the watcher (`StateMismatch`): acting on would start over existing history."""
        try:
            self.service.recover()
        except (StateMismatch, LeaseLost):
            raise
        except Exception:
            log.exception("finishing earlier operations failed; trying again at the next rescan")
        try:
            files = self.service.pending_inbox_files()
        except OSError as exc:
            log.warning("cannot list the inbox (%s); keeping what is known and retrying later", exc)
            files = []
        self._handed.clear()  # files still there after their take_in get one more chance
        self._register_stale = True  # deadlines pass without any event; decisions may wait
        for path in files:
            if self.stop.is_set():
                return
            self.examine(Path(path))
        for path in list(self._due):
            self.examine(path)
        for register in self.registers:
            self.examine(register)
        self._tick()

    def _tick(self) -> None:
        """The timed messages now due (a service without them has no `tick`)."""
        tick = getattr(self.service, "tick", None)
        if tick is None:
            return
        try:
            tick()
        except LeaseLost:                 # another watcher may act now: stop at once
            raise
        except Exception:
            log.exception("recording the timed messages failed; tried again at the next tick")

    def _examine_dirty(self) -> None:
        with self._dirty_lock:
            dirty, self._dirty = self._dirty, set()
        for path in sorted(dirty):
            if self.stop.is_set():
                return
            self.examine(path)

    def _examine_due(self) -> None:
        now = self.clock()
        for path, due in sorted(self._due.items(), key=lambda item: item[1]):
            if self.stop.is_set() or due > now:
                return
            self.examine(path)

    def examine(self, path: Path) -> None:
        """Look at one path as it is now, and act if it is ready."""
        if path in self.registers:
            self._examine_register(path)
            return
        if ((is_ignored(path.name) and not is_hidden_document(path.name))
                or not path.is_relative_to(self.inbox) or path == self.inbox):
            self._recheck_beside(path)
            return
        try:
            st = os.lstat(path)  # never followed: a link is answered about itself
        except FileNotFoundError:
            self._forget(path)
            return
        except OSError as exc:  # share hiccup: keep what we know and look again later
            log.debug("cannot stat %s: %s", path, exc)
            self._due[path] = self.clock() + max(self.settle, 1.0)
            return
        if stat.S_ISDIR(st.st_mode):
            self._examine_tree(path)
            return
        sig = (st.st_size, st.st_mtime_ns)
        if not stat.S_ISREG(st.st_mode):  # a link or a FIFO: nothing to settle, nothing to read
            if self._handed.get(path) != sig:
                self._take_in(path, sig)
            return
        if self._handed.get(path) == sig:
            self._due.pop(path, None)
            return
        now = self.clock()
        since = self._since.get(path)
        if since is None or since[0] != sig:
            self._since[path] = since = (sig, now)
        if not self.tracker.observe(path, sig[0], sig[1], now):
            self._due[path] = max(since[1] + self.settle, now + 0.01)
            return
        lock = self._open_lock(path)
        if lock is not None:
            if path not in self._waiting_lock:
                log.info("waiting: %s is open (%s)", self._rel(path), lock.name)
                self._waiting_lock.add(path)
            self._due[path] = now + max(self.settle, 1.0)
            return
        self._waiting_lock.discard(path)
        if not self._whole(path, since[1], now):
            return
        self._take_in(path, sig)

    def _whole(self, path: Path, since: float, now: float) -> bool:
        """True if the file opens as a whole, or has sat unchanged but broken past the grace."""
        try:
            complete = is_complete(path)
        except OSError:
            complete = False
        if complete:
            return True
        if now - since >= self.settle + self.incomplete_grace:
            waited = now - since
            log.info("%s stayed incomplete for %.0f s; handing it over", self._rel(path), waited)
            return True
        self._due[path] = now + max(min(self.settle, 1.0), 0.05)
        return False

    def _take_in(self, path: Path, sig: tuple[int, int]) -> None:
        log.info("taking in %s", self._rel(path))
        try:
            self.service.take_in(path)
        except OSError:                           # said in one line where it happened
            pass
        except LeaseLost:                 # another watcher may act now: stop at once
            raise
        except Exception:
            log.exception("taking in %s failed; it stays in the inbox for the next rescan", path)
        self._register_stale = True
        self._forget(path)
        with contextlib.suppress(OSError):
            st = os.lstat(path)
            if (st.st_size, st.st_mtime_ns) == sig:
                self._handed[path] = sig

    def _examine_register(self, register: Path) -> None:
        """A register saved by a person: read its decisions once it settled and opens whole."""
        key = (_REGISTER_KEY, register)
        try:
            st = os.lstat(register)
        except OSError:  # Excel deletes it for a moment while saving; the rename brings an event
            self.tracker.forget(key)
            self._due.pop(register, None)
            return
        sig = (st.st_size, st.st_mtime_ns)
        if sig == self._register_done.get(register):
            self.tracker.forget(key)
            self._due.pop(register, None)
            return
        now = self.clock()
        since = self._since.get(register)
        if since is None or since[0] != sig:
            self._since[register] = since = (sig, now)
        if not stat.S_ISREG(st.st_mode):  # a link or a FIFO is never read; a rewrite replaces it
            self._process_register(f"{self._rel(register)} is not a regular file; writing it anew")
            return
        if not self.tracker.observe(key, sig[0], sig[1], now):
            self._due[register] = max(since[1] + self.settle, now + 0.01)
            return
        if not self._whole(register, since[1], now):
            return
        self._process_register(f"{self._rel(register)} changed; reading decisions")

    def _busy(self) -> bool:
        """True while any file (or the register) is settling, unless it only waits for its lock.

        The register is rewritten only when nothing is about to be taken in: a file saved during a
        rewrite still has its whole settle window ahead, so the rewrite adds no delivery latency.
        """
        return any(path not in self._waiting_lock for path in self._due)

    def _process_register(self, what: str) -> None:
        """Act on the registers' decisions and rewrite them (the service skips an open one)."""
        log.info(what)
        try:
            self.service.process_register()
        except LeaseLost:                 # another watcher may act now: stop at once
            raise
        except Exception:
            log.exception("processing the register failed; will retry when it changes or at rescan")
        self._register_stale = False
        for register in self.registers:
            self.tracker.forget((_REGISTER_KEY, register))
            self._due.pop(register, None)
            self._since.pop(register, None)
            try:
                st = os.lstat(register)
                self._register_done[register] = (st.st_size, st.st_mtime_ns)
            except OSError:
                self._register_done.pop(register, None)

    def _examine_tree(self, folder: Path) -> None:
        """A folder appeared or moved in: every file in it is a candidate (linked folders are
        not entered; the link itself is answered)."""
        for entry in safefs.walk(folder):
            self.examine(entry.path)

    def _recheck_beside(self, path: Path) -> None:
        """A lock or temp file changed: documents waiting in the same folder are looked at now."""
        now = self.clock()
        for other in self._due:
            if other.parent == path.parent:
                self._due[other] = now
        for register in self.registers:
            if path.parent != register.parent:
                continue
            if path.name in lock_names(register.name) and self._open_lock(register) is None:
                self._register_stale = True  # closed: a write deferred while it was open can go
            if register not in self._due:
                self._due[register] = now

    def _open_lock(self, path: Path) -> Path | None:
        return safefs.office_lock(path)

    def _forget(self, path: Path) -> None:
        self.tracker.forget(path)
        self._due.pop(path, None)
        self._since.pop(path, None)
        self._waiting_lock.discard(path)

    def _rel(self, path: Path) -> str:
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)
