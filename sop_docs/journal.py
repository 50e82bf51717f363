"""The journal of file operations: what each recorded event does to the folders, and doing it.

Every event is recorded with the operations that make the folders match the database (`place` a
stored file at a path, `remove` a file, or a named builder such as the archive `bundle`). They run
after the transaction commits, in order, and are ticked off; `recover()` runs whatever a crash left
unticked. Each is idempotent. A file is removed only once its bytes are read back from the store
and match, and an operation that fails stops the later operations of its event (and of the later
events of its case): a bundle that could not be made never lets the outboxes be emptied.
Only regular files are read or removed, and never through a linked folder (`safefs`).
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from sop_docs.adapters import safefs
from sop_docs.adapters.blobs import BlobStore, fsync_dir, sha256_file
from sop_docs.adapters.db import Database, Row
from sop_docs.errors import SopDocsError, plainly

log = logging.getLogger("sop_docs")

Builder = Callable[[int, Path], bool]

RETRY_FIRST = 5.0          # seconds before a failed operation is tried again; doubles each time
RETRY_MAX = 3600.0
REPORT_AFTER = 3           # failures before the case's Pesan Sistem tells the holder


class Journal:
    def __init__(self, root: Path, db: Database, blobs: BlobStore,
                 builders: Mapping[str, Builder] | None = None,
                 group_for: Callable[[str | None], str | None] | None = None) -> None:
        self.root, self.db, self.blobs = root, db, blobs
        self.builders: dict[str, Builder] = dict(builders or {})
        # who may read what is answered in quarantine/: the group of the role it came from
        self.group_for = group_for or (lambda _role: None)
        # told (inside the transaction that notes it) when an operation has failed REPORT_AFTER times
        self.stuck: list[Callable[[Row, str], None]] = []

    def recover(self) -> None:
        """Carry out every recorded operation not yet done (after a crash, or a failed move)."""
        self.sweep()
        self._run_all(self.db.pending_ops())

    def sweep(self) -> None:
        """Remove the temporary files a killed process left behind (its own, never a person's).

        They are our hidden `.…tmp` / `.in.…` names in the folders we write; their content is either
        in the store already or was never recorded, so nothing is lost. Only one process writes a
        workspace (the service lock), so none of them is still being written.
        """
        folders = [self.root, *sorted((self.root / "outbox").glob("*")), self.root / "quarantine",
                   *sorted((self.root / "archive").glob("*")),
                   *sorted((self.root / "keputusan").glob("*"))]
        leftovers = [p for d in folders if safefs.kind(d) == safefs.FOLDER for p in d.glob(".*.tmp")]
        leftovers += list(self.blobs.root.glob(".in.*"))
        for p in leftovers:
            if safefs.is_regular(p):
                log.info("removing %s left by an interrupted write", p.relative_to(self.root))
                p.unlink(missing_ok=True)

    def run(self, op_id: int, op: str, rel: str, sha: str | None,
            source: str | None = None, role: str | None = None) -> str | None:
        """Carry out one operation: the path it is done at (its own, or a free name it had to
        take), or None when it could not be done now (it stays pending)."""
        target = self.root / rel
        try:
            safefs.check_inside(self.root, target)
            if source is not None:
                safefs.check_inside(self.root, self.root / source)
        except (safefs.NotRegular, ValueError) as e:
            log.error("%s is not touched: %s", rel, e)
            return None
        if op == "move":
            assert source is not None
            return self._move(source, rel, target)
        if op == "place":
            assert sha is not None
            return self._place(rel, target, sha, None if rel.startswith("outbox/")
                               else self.group_for(role))
        if op == "remove":
            return rel if self._remove(rel, target, sha) else None
        if op in self.builders:
            return rel if self.builders[op](op_id, target) else None
        raise ValueError(f"unknown operation {op}")

    def _place(self, rel: str, target: Path, sha: str, group: str | None = None) -> str:
        kind = safefs.kind(target)
        writable = rel.startswith("outbox/")     # corrected in place; quarantine/ is only read
        if kind is None:
            self.blobs.materialise(sha, target, writable=writable, group=group)
            return rel
        if kind == safefs.FILE and sha256_file(target) == sha:
            return rel                           # already there (an earlier run got this far)
        if kind == safefs.FILE:                  # something else took the name: keep it
            self.blobs.put_file(target)
        new = self.free_name(PurePosixPath(rel))
        log.warning("name taken (%s), delivering %s as %s", kind, rel, new)
        self.blobs.materialise(sha, self.root / new, writable=writable, group=group)
        return new

    def _move(self, source: str, rel: str, target: Path) -> str:
        """Move a file too large to copy (within the workspace's file system: nothing is ever
        absent). Done once the source is gone, wherever it went."""
        src = self.root / source
        if safefs.kind(src) != safefs.FILE:
            return rel
        if safefs.kind(target) is not None:
            rel = self.free_name(PurePosixPath(rel))
            target = self.root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        os.rename(src, target)
        fsync_dir(target.parent)
        fsync_dir(src.parent)
        return rel

    def _remove(self, rel: str, target: Path, sha: str | None) -> bool:
        """Remove a file whose bytes are safe in the store; True when it is gone (or must stay)."""
        kind = safefs.kind(target)
        if kind is None:
            return True
        if kind in (safefs.LINK, safefs.SPECIAL):
            log.warning("%s is a %s; only the %s itself is removed (nothing is read through it)",
                        rel, kind, kind)
            target.unlink()
            return True
        if kind == safefs.FOLDER:
            log.warning("%s is now a folder; left as it is", rel)
            return True
        current = sha256_file(target)
        if current != sha and rel.startswith("inbox/"):
            self.blobs.put_file(target)          # whatever is there is kept first
            log.info("%s was saved again meanwhile; the new version waits its turn", rel)
            return True
        if not self.blobs.holds(current):
            self.blobs.put_file(target)          # the store lost it, or never had this version
            if not self.blobs.holds(current):
                log.error("%s: its bytes cannot be kept in the store; not removed", rel)
                return False
        if sha and current != sha:
            log.warning("%s changed before it was moved; the changed copy is kept (%s)",
                        rel, current[:12])
        target.unlink()
        return True

    def apply(self, event_id: int) -> None:
        self._run_all(self.db.pending_ops(event_id))

    def _run_all(self, ops: Sequence[Row]) -> None:
        """Run operations in order and tick them off together (each is idempotent, so one that
        ran but was not ticked off before a crash simply runs again). A failure stops the rest
        of its event and the later events of its case, and is tried again after a pause that
        grows with each failure; other cases go on."""
        done: list[tuple[int, str, str]] = []
        stopped_events: set[int] = set()
        stopped_cases: set[str] = set()
        now = time.time()
        try:
            for op in ops:
                if op["event_id"] in stopped_events or op["case_id"] in stopped_cases:
                    continue
                at, error = None, "not done yet"
                if op["next_try"] <= now:
                    try:
                        at = self.run(op["id"], op["op"], op["path"], op["sha256"], op["source"],
                                      op["role"])
                    except (OSError, SopDocsError) as e:
                        error = plainly(e)
                    except Exception as e:             # a bug must not stop every other case
                        log.exception("%s %s failed", op["op"], op["path"])
                        error = f"{type(e).__name__}: {e}"
                    if at is None:
                        self._failed(op, error, now)
                if at is None:
                    stopped_events.add(op["event_id"])
                    if op["case_id"]:
                        stopped_cases.add(op["case_id"])
                    continue
                done.append((op["id"], op["path"], at))
        finally:
            if done:
                with self.db.tx():
                    for op_id, rel, at in done:
                        if at != rel:
                            self.db.move_placement(rel, at)
                        self.db.finish_op(op_id, None if at == rel else at)

    def _failed(self, op: Row, error: str, now: float) -> None:
        """Try again later (5 s, 10 s, 20 s ... up to an hour); from the third failure on, the
        case's Pesan Sistem says so."""
        attempts = op["attempts"] + 1
        delay = min(RETRY_FIRST * 2 ** (attempts - 1), RETRY_MAX)
        log.error("%s %s failed (attempt %d: %s); tried again in %.0f s", op["op"], op["path"],
                  attempts, error, delay)
        with self.db.tx():
            self.db.op_failed(op["id"], error, now + delay)
            if attempts == REPORT_AFTER and op["case_id"]:
                self.db.update_case(op["case_id"], message=(
                    f"Sistem belum dapat memproses berkas {op['path']} ({error}); dicoba lagi "
                    "otomatis. Beri tahu administrator bila pesan ini tidak hilang."))
            if attempts == REPORT_AFTER:
                for listener in self.stuck:
                    listener(op, error)

    def free_name(self, rel: PurePosixPath) -> str:
        stem, suffix = rel.stem, rel.suffix
        for i in range(1, 10_000):
            name = rel.name if i == 1 else f"{stem} ({i}){suffix}"
            cand = (rel.parent / name).as_posix()
            if safefs.kind(self.root / cand) is None and not self.db.path_taken(cand):
                return cand
        raise SopDocsError(f"no free file name for {rel}")

    def plan_place(self, event_id: int, doc_id: int, case: str, role: str | None,
                    folder: PurePosixPath, name: str, sha: str) -> str:
        rel = self.free_name(folder / name)
        self.db.place(doc_id, case, role, rel, sha)
        self.db.add_op(event_id, "place", rel, sha)
        return rel

    def plan_unplace(self, event_id: int, placement: Row) -> None:
        self.db.unplace(placement["doc_id"])
        self.db.add_op(event_id, "remove", placement["path"], placement["sha256"])
