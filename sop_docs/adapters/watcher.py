"""watchdog behind one small class: file events become *hints* ("look at this path again").

Events are unreliable in every way PITFALLS.md §1 lists: Word renames a temp file over the document
and never "modifies" it (§1.3), polling reports a save as delete + create, queues overflow silently
(§1.5), and a PollingObserver whose share blips stops its emitter thread while the observer still
looks alive (§1.1, watchdog #1065/#648). So this adapter only turns each event into the path(s)
worth re-examining (both ends of a move), never says what happened, and offers a health check that
the watch loop uses to rebuild a dead observer. What is on disk is decided by the caller's own stat.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from watchdog.events import (
    DirCreatedEvent,
    DirDeletedEvent,
    DirMovedEvent,
    FileClosedEvent,
    FileCreatedEvent,
    FileDeletedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileSystemEvent,
    FileSystemEventHandler,
)
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

log = logging.getLogger("sop_docs")

# Opened / closed-without-write events are left out on purpose: the watcher's own reads (the zip
# check) would otherwise feed it hints about the files it just looked at, forever.
EVENT_FILTER: list[type[FileSystemEvent]] = [
    FileCreatedEvent,
    FileModifiedEvent,
    FileMovedEvent,
    FileDeletedEvent,
    FileClosedEvent,
    DirCreatedEvent,
    DirMovedEvent,
    DirDeletedEvent,
]


def _text(path: bytes | str) -> str:
    return path.decode() if isinstance(path, bytes) else path


def hint_paths(event: FileSystemEvent) -> list[Path]:
    """The paths an event says to look at again: the source, and the destination of a move."""
    paths = [Path(_text(event.src_path))]
    if event.event_type == "moved" and event.dest_path:
        paths.append(Path(_text(event.dest_path)))
    return paths


class _Hinter(FileSystemEventHandler):
    """Runs on watchdog's dispatcher thread: hand the paths on and return at once."""

    def __init__(self, on_hint: Callable[[Path], None]) -> None:
        self._on_hint = on_hint

    def on_any_event(self, event: FileSystemEvent) -> None:
        if type(event) not in EVENT_FILTER:
            return
        for path in hint_paths(event):
            self._on_hint(path)


class Watcher:
    """Watches folders (each recursively or not) natively or by polling, and calls `on_hint(path)`.

    `start()` raises `OSError` if a folder cannot be watched (missing, share down, inotify limit);
    `healthy()` is False once the observer or any of its emitters has died; `restart()` rebuilds it.
    """

    def __init__(
        self,
        folders: Sequence[tuple[Path, bool]],
        on_hint: Callable[[Path], None],
        *,
        polling: bool,
        poll_interval: float = 1.0,
    ) -> None:
        self.folders = list(folders)
        self.polling = polling
        self.poll_interval = poll_interval
        self._handler = _Hinter(on_hint)
        self._observer: BaseObserver | None = None

    def _build(self) -> BaseObserver:
        if self.polling:
            return PollingObserver(timeout=self.poll_interval)
        return Observer()

    def start(self) -> None:
        """Start watching; on failure nothing is left running and the `OSError` propagates."""
        observer = self._build()
        try:
            for folder, recursive in self.folders:
                if not folder.is_dir():
                    raise FileNotFoundError(f"cannot watch {folder}: not a folder")
                observer.schedule(
                    self._handler, str(folder), recursive=recursive, event_filter=EVENT_FILTER
                )
            observer.start()
        except BaseException:
            _shut(observer)
            raise
        self._observer = observer

    def healthy(self) -> bool:
        """True while the observer thread and every emitter thread are alive."""
        observer = self._observer
        if observer is None or not observer.is_alive():
            return False
        emitters = list(observer.emitters)
        return len(emitters) == len(self.folders) and all(e.is_alive() for e in emitters)

    def restart(self) -> None:
        """Tear the observer down and build a new one (raises `OSError` if it cannot watch yet)."""
        self.stop()
        self.start()

    def stop(self) -> None:
        """Stop and join every thread this watcher started."""
        observer, self._observer = self._observer, None
        if observer is not None:
            _shut(observer)


def _shut(observer: BaseObserver) -> None:
    try:
        observer.stop()
        if observer.is_alive():
            observer.join(timeout=10)
    except RuntimeError:  # never started
        pass
    if observer.is_alive():
        log.warning("file watcher thread did not stop within 10 s")
