"""The journal's recovery: unfinished operations are carried out, interrupted writes swept away."""

from __future__ import annotations

from pathlib import Path

from sop_docs.adapters.blobs import BlobStore
from sop_docs.adapters.db import Database
from sop_docs.journal import Journal


def journal(tmp_path: Path) -> Journal:
    root = tmp_path / "ws"
    (root / "outbox" / "fungsional").mkdir(parents=True)
    (root / "quarantine").mkdir()
    blobs = BlobStore(root / ".sop_docs" / "store")
    blobs.create("test")
    return Journal(root, Database(root / ".sop_docs" / "db.sqlite"), blobs)


def test_recovery_places_what_was_recorded_and_removes_what_was_moved(tmp_path):
    """A place and a remove recorded but not done are done by recover(), once."""
    j = journal(tmp_path)
    inbox = j.root / "inbox" / "fungsional" / "a.docx"
    inbox.parent.mkdir(parents=True)
    inbox.write_bytes(b"konsep")
    sha = j.blobs.put_file(inbox)
    with j.db.tx():
        ev = j.db.add_event("2026-11-23T09:00:00", "submitted")
        j.db.add_op(ev, "place", "outbox/fungsional/A.docx", sha)
        j.db.add_op(ev, "remove", "inbox/fungsional/a.docx", sha)
    j.recover()
    assert (j.root / "outbox/fungsional/A.docx").read_bytes() == b"konsep"
    assert not inbox.exists()
    assert j.db.pending_ops() == []
    j.recover()
    assert (j.root / "outbox/fungsional/A.docx").read_bytes() == b"konsep"


def test_a_file_saved_again_into_the_inbox_meanwhile_is_not_removed(tmp_path):
    """The remove of an inbox file whose content changed since leaves the new version waiting."""
    j = journal(tmp_path)
    inbox = j.root / "inbox" / "fungsional" / "a.docx"
    inbox.parent.mkdir(parents=True)
    inbox.write_bytes(b"versi 1")
    sha = j.blobs.put_file(inbox)
    with j.db.tx():
        ev = j.db.add_event("2026-11-23T09:00:00", "submitted")
        j.db.add_op(ev, "remove", "inbox/fungsional/a.docx", sha)
    inbox.write_bytes(b"versi 2")
    j.recover()
    assert inbox.read_bytes() == b"versi 2"


def test_interrupted_writes_are_swept_but_people_files_are_not(tmp_path):
    """Our hidden temp names go; a person's files (even hidden or ~$ ones) stay."""
    j = journal(tmp_path)
    out = j.root / "outbox" / "fungsional"
    ours = [out / ".PIP-2026-0001 - Konsep.docx.abc123.tmp", j.root / ".register.xyz.tmp",
            j.blobs.root / ".in.q1w2e3"]
    theirs = [out / "~$Konsep.docx", out / "catatan.txt", out / ".hidden-by-user",
              j.root / "quarantine" / "x.docx"]
    for p in ours + theirs:
        p.write_bytes(b"x")
    j.recover()
    assert not any(p.exists() for p in ours)
    assert all(p.exists() for p in theirs)
