"""The journal of file operations: what each recorded event does to the folders, and doing it.

Every event is recorded with the operations that make the folders match the database (`place` a
stored file at a path, `remove` a file, or a named builder such as the archive `bundle`). They run
after the transaction commits and are ticked off one by one; `recover()` runs whatever a crash left
unticked. Each is idempotent, and `remove` keeps whatever it finds in the store before deleting it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path, PurePosixPath

from sop_docs.adapters.blobs import BlobStore, sha256_file
from sop_docs.adapters.db import Database, Row
from sop_docs.errors import SopDocsError

log = logging.getLogger("sop_docs")

Builder = Callable[[int, Path], bool]


class Journal:
    def __init__(self, root: Path, db: Database, blobs: BlobStore,
                 builders: Mapping[str, Builder] | None = None) -> None:
        self.root, self.db, self.blobs = root, db, blobs
        self.builders: dict[str, Builder] = dict(builders or {})

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
                   *sorted((self.root / "archive").glob("*"))]
        leftovers = [p for d in folders if d.is_dir() for p in d.glob(".*.tmp")]
        leftovers += list(self.blobs.root.glob(".in.*"))
        for p in leftovers:
            if p.is_file():
                log.info("removing %s left by an interrupted write", p.relative_to(self.root))
                p.unlink(missing_ok=True)

    def run(self, op_id: int, op: str, rel: str, sha: str | None) -> bool:
        """Carry out one operation; True when it is done and may be ticked off."""
        target = self.root / rel
        if op == "place":
            assert sha is not None
            if target.exists() and sha256_file(target) != sha:
                # something else took the name meanwhile: keep it and use a free name
                self.blobs.put_file(target)
                new = self.free_name(PurePosixPath(rel))
                log.warning("name taken, delivering %s as %s", rel, new)
                self.blobs.materialise(sha, self.root / new)
                with self.db.tx():
                    self.db.move_placement(rel, new)
                    self.db.finish_op(op_id, new)
                return False                     # ticked off already, with its new name
            if not target.exists():
                self.blobs.materialise(sha, target)
        elif op == "remove":
            if target.exists():
                current = sha256_file(target)
                if current != sha:
                    self.blobs.put_file(target)  # whatever is there is kept first
                if sha and current != sha and rel.startswith("inbox/"):
                    log.info("%s was saved again meanwhile; the new version waits its turn", rel)
                elif sha and current != sha:
                    log.warning("%s changed before it was moved; the changed copy is kept (%s)",
                                rel, current[:12])
                    target.unlink()
                else:
                    target.unlink()
        elif op in self.builders:
            if not self.builders[op](op_id, target):
                return False                     # left pending: recover() tries again
        else:
            raise ValueError(f"unknown operation {op}")
        return True

    def apply(self, event_id: int) -> None:
        self._run_all(self.db.pending_ops(event_id))

    def _run_all(self, ops: Sequence[Row]) -> None:
        """Run operations in order and tick them off together (each is idempotent, so one that
        ran but was not ticked off before a crash simply runs again)."""
        done: list[int] = []
        try:
            for op in ops:
                if self.run(op["id"], op["op"], op["path"], op["sha256"]):
                    done.append(op["id"])
        finally:
            if done:
                with self.db.tx():
                    for op_id in done:
                        self.db.finish_op(op_id)

    def free_name(self, rel: PurePosixPath) -> str:
        stem, suffix = rel.stem, rel.suffix
        for i in range(1, 10_000):
            name = rel.name if i == 1 else f"{stem} ({i}){suffix}"
            cand = (rel.parent / name).as_posix()
            if not (self.root / cand).exists() and not self.db.path_taken(cand):
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
