"""`sop-docs watch`: the long-running loop that hands settled files to the service, for months.

The state is what is on disk, never the event history (PITFALLS.md §1.3, §1.6). File events only
put paths into a dirty set; one worker thread (the caller's) re-stats them, feeds size and mtime to
the pure `StabilityTracker`, and gives a file to `Service.take_in` only once it has settled, no
Office or LibreOffice lock file sits beside it, and it opens as a whole (`sniff.is_complete`). A
file that stays settled but never becomes a whole zip is handed over after a grace period so the
service can quarantine it. `register.xlsx` is watched the same way and `Service.process_register`
runs when it settled after a change. A full rescan at start and every `rescan_every` seconds
catches whatever the events missed; a dead observer (a polling emitter dies silently when a share
blips) is rebuilt with back-off. Nothing here acts on a file vanishing, so a transient empty
listing of a share loses nothing. The notification outbox is sent by `courier.Courier`, a process
of its own woken by every recorded event, so a slow mail server never slows the loop.

One watcher per workspace: an OS-level lock on `.sop_docs/watch.lock` (`adapters.oslock`), released
by the kernel when the process dies, so a crashed watcher never leaves it stuck. On PostgreSQL the
workspace may be watched from several machines: the office's lease in the database (`Database.
take_lease`) picks the one that acts, the others wait as standbys and take over when it is gone.
"""

from __future__ import annotations

import logging
import signal
import threading
from collections.abc import Callable
from pathlib import Path
from types import FrameType

from sqlalchemy.exc import DBAPIError, OperationalError

from sop_docs import delivery
from sop_docs.adapters import fstype
from sop_docs.adapters.db import DatabaseUnavailable, LeaseLost
from sop_docs.adapters.oslock import workspace_lock
from sop_docs.errors import WorkspaceBusy, plainly
from sop_docs.watchloop import MODES, Loop, WatchedService

__all__ = ["MODES", "WatchedService", "choose_polling", "run", "workspace_lock"]

log = logging.getLogger("sop_docs")

TAKE_OVER_EVERY = 1.0   # a standby asks for the lease this often (PostgreSQL)


def choose_polling(root: Path, mode: str) -> bool:
    """Polling for mode "polling", native for "native"; "auto" polls on network file systems."""
    if mode not in MODES:
        raise ValueError(f"watch mode must be one of {', '.join(MODES)}, not {mode!r}")
    if mode == "auto":
        kind = fstype.filesystem_type(root)
        polling = fstype.needs_polling(kind)
        log.info("workspace is on %s: %s file events", kind, "polling for" if polling else "native")
        return polling
    return mode == "polling"


# --- entry point ----------------------------------------------------------------------------------


def run(
    root: Path,
    *,
    mode: str = "auto",
    settle: float = 2.0,
    rescan_every: float = 60.0,
    stop: threading.Event | None = None,
    ready: threading.Event | None = None,
    poll_interval: float = 1.0,
    incomplete_grace: float | None = None,
    service: WatchedService | None = None,
) -> None:
    """Watch the workspace at `root` until `stop` is set (or SIGINT/SIGTERM when `stop` is None).

    `mode` is "auto" (polling on network file systems), "native" or "polling"; `settle` is the
    stability window in seconds; `ready` is set after the first full pass. `incomplete_grace`
    (default: max(5 × settle, 10 s)) is how long a settled file that does not open as a whole is
    given before the service gets it anyway (and quarantines it). `service` replaces
    `bootstrap.open_service(root)` (tests); a service passed in is not closed here.
    Raises `WorkspaceBusy` (from the lock) if another watcher holds the workspace.
    """
    root = Path(root).resolve()  # as `workspace.open_workspace` does: paths compare equal
    polling = choose_polling(root, mode)
    grace = max(5 * settle, 10.0) if incomplete_grace is None else incomplete_grace
    own_stop = stop is None
    stop = threading.Event() if stop is None else stop
    wake = threading.Event()
    restore = _install_signals(stop, wake) if own_stop else None

    def serve(svc: WatchedService, owned: bool) -> None:
        loop = Loop(svc, root, polling=polling, settle=settle, rescan_every=rescan_every,
                    poll_interval=poll_interval, incomplete_grace=grace, stop=stop, wake=wake)
        reports = getattr(svc, "reports", None)   # laporan/: rewritten when nothing settles
        if reports is not None:
            reports.follow(loop.settling)
        # notifications go out in a process of its own: never in the loop's way
        courier = delivery.start(svc, on_failed=lambda _case: loop.register_changed())
        try:
            loop.serve(ready)
        finally:
            if reports is not None:
                reports.detach()
            delivery.stop(svc, courier)
            if owned:
                svc.close()

    try:
        if service is not None:
            with workspace_lock(root):
                serve(service, owned=False)
        elif _on_postgresql(root):
            while not stop.is_set():          # the lease decides; lost, it is waited for again
                svc = _take_over(root, stop)
                if svc is None:
                    break
                try:
                    serve(svc, owned=True)
                except (LeaseLost, DBAPIError) as e:   # the connection with the lease, gone
                    log.error("berhenti bertindak: %s; menunggu lagi sebagai cadangan / stopped "
                              "acting (lease lost); waiting as a standby", plainly(e))
        else:
            with workspace_lock(root):
                from sop_docs.bootstrap import open_service

                serve(open_service(root), owned=True)
    finally:
        if restore is not None:
            restore()
    log.info("watcher stopped")


def _on_postgresql(root: Path) -> bool:
    from sop_docs.adapters.sql import is_postgresql
    from sop_docs.settings import load_settings

    return is_postgresql(load_settings(root).database)


def _take_over(root: Path, stop: threading.Event) -> WatchedService | None:
    """The service, once this process holds the office's lease (PostgreSQL); until then a
    standby that tries every second, so it acts within seconds of the active watcher's death or
    of the database dropping its connection. None when asked to stop meanwhile."""
    from sop_docs.bootstrap import open_service

    said = ""
    while not stop.is_set():
        try:
            return open_service(root)
        except WorkspaceBusy as e:
            why = str(e)
        except (DatabaseUnavailable, LeaseLost) as e:
            why = f"basis data tidak terjangkau / database unreachable: {e}"
        except OperationalError as e:     # the server went away in the middle of opening
            why = f"basis data tidak terjangkau / database unreachable: {e.orig}"
        if why != said:
            log.warning("cadangan (standby): %s", why)
            said = why
        stop.wait(TAKE_OVER_EVERY)
    return None


def _install_signals(stop: threading.Event, wake: threading.Event) -> Callable[[], None] | None:
    """SIGINT/SIGTERM ask for a clean stop after the current action; a second one interrupts."""
    if threading.current_thread() is not threading.main_thread():
        return None

    def handler(signum: int, _frame: FrameType | None) -> None:
        if stop.is_set():
            raise KeyboardInterrupt
        log.info("%s received; stopping after the current action", signal.Signals(signum).name)
        stop.set()
        wake.set()

    names = ["SIGINT", "SIGTERM", "SIGBREAK"]
    signums = [getattr(signal, name) for name in names if hasattr(signal, name)]
    previous = {signum: signal.signal(signum, handler) for signum in signums}

    def restore() -> None:
        for signum, old in previous.items():
            signal.signal(signum, old)

    return restore
