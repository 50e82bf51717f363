"""The watcher on a real workspace with the real service, in native and polling modes.

Staff actions are simulated on disk exactly (Word's save sequence, a slow copy, a decision saved in
the register); the tests wait on what staff would see (files in outboxes and quarantine), never on
time alone.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sop_docs import watch
from sop_docs.adapters.sql import Rec
from sop_docs.errors import WorkspaceBusy
from tests.badfiles import docx_bytes, write_bad
from tests.driver import CORPUS, Office
from tests.records import query

SETTLE = 0.3
CASE = "PIP-2026-0001"
SUBJECT = "Laporan Keuangan 2026"
KONSEP = f"{CASE} - Konsep - {SUBJECT}.docx"
# Rejected by content, whatever the case: each must end in quarantine/ with a note.
BAD_KINDS = ["empty", "too_large", "not_docx", "not_docx_png", "corrupt", "corrupt_xml",
             "corrupt_crc", "encrypted", "macro", "macro_vba", "zip_bomb", "zip_bomb_ratio"]


def wait_for(condition, timeout: float = 30.0, what: str = "") -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.02)


def files(folder: Path) -> set[str]:
    """Visible files below `folder`, relative to it."""
    if not folder.is_dir():
        return set()
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*")
            if p.is_file() and not p.name.startswith(".")}


def events(root: Path, kind: str) -> list[Rec]:
    return query(root, "SELECT * FROM events WHERE kind=? ORDER BY id", (kind,))


@pytest.fixture(autouse=True)
def no_thread_leak() -> Iterator[None]:
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not set(threading.enumerate()) - before, "threads left running"


@pytest.fixture(params=["native", "polling"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def office(tmp_path: Path) -> Iterator[Office]:
    """A workspace made as `sop-docs init` makes it; the staff's hands, without a service open."""
    o = Office(tmp_path / "ws")
    o.close()
    yield o


class Watching:
    def __init__(self, root: Path, mode: str, **options: object) -> None:
        self.stop, self.ready = threading.Event(), threading.Event()
        self.error: BaseException | None = None
        options = {"settle": SETTLE, "incomplete_grace": 1.0, "poll_interval": 0.1} | options

        def target() -> None:
            try:
                watch.run(root, mode=mode, stop=self.stop, ready=self.ready, **options)
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=target, name="watch-under-test")
        self.thread.start()
        wait_for(lambda: self.ready.is_set() or self.error, what="the watcher to be ready")
        if self.error:
            raise self.error

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)
        assert not self.thread.is_alive()
        if self.error:
            raise self.error


@pytest.fixture
def watching(office: Office, mode: str) -> Iterator[Watching]:
    w = Watching(office.root, mode)
    yield w
    w.close()


def open_case(office: Office) -> None:
    office.save(f"inbox/kabid_kasubag/{SUBJECT}.docx", CORPUS / "tables.docx")
    wait_for(lambda: KONSEP in office.outbox("fungsional"), what="the case to open")


def test_word_save_sequence_of_the_concept_is_taken_in_once(office: Office, watching) -> None:
    """Owner file, ~WRD temp, original to ~WRL, temp to the name, deletes: one submission."""
    open_case(office)
    skeleton = office.concept()
    inbox = office.root / "inbox" / "fungsional"
    name = "konsep pengumuman keuangan.docx"
    owner = inbox / ("~$" + name[2:])
    owner.write_bytes(b"\x0bSiti Aminah" + b"\x00" * 40)
    (inbox / name).write_bytes(skeleton)  # the first save, while Word still has it open
    (inbox / "~WRD0001.tmp").write_bytes(skeleton)  # the second save: temp file...
    os.rename(inbox / name, inbox / "~WRL0002.tmp")
    os.rename(inbox / "~WRD0001.tmp", inbox / name)
    (inbox / "~WRL0002.tmp").unlink()
    assert files(office.root / "outbox" / "kabid_kasubag") == set()
    owner.unlink()  # Word closes the document
    wait_for(lambda: KONSEP in office.outbox("kabid_kasubag"), what="the concept delivered")
    wait_for(lambda: not files(inbox), what="the inbox emptied")
    assert len(events(office.root, "submitted")) == 1
    assert files(office.root / "quarantine") == set()


def test_a_slowly_copied_material_opens_one_case(office: Office, watching) -> None:
    """A copy that stalls longer than the settle window is taken in once, whole."""
    data = (CORPUS / "tables.docx").read_bytes()
    target = office.root / "inbox" / "kabid_kasubag" / f"{SUBJECT}.docx"
    step = len(data) // 3 + 1
    with target.open("wb") as out:
        for i in range(0, len(data), step):
            out.write(data[i : i + step])
            out.flush()
            if i + step < len(data):
                time.sleep(SETTLE * 2)  # the copy stalls; not synchronisation
    wait_for(lambda: KONSEP in office.outbox("fungsional"), what="the case to open")
    assert len(events(office.root, "opened")) == 1
    assert files(office.root / "quarantine") == set()


def test_a_decision_saved_in_the_register_is_acted_on_within_seconds(
    office: Office, watching
) -> None:
    """Sesuai typed and saved in the register moves the draft on, without a restart."""
    open_case(office)
    office.save("inbox/fungsional/konsep.docx", office.concept())
    wait_for(lambda: KONSEP in office.outbox("kabid_kasubag"), what="the concept delivered")
    wait_for(lambda: CASE in office.rows() and str(office.rows()[CASE]["Tahap"]).startswith("3"),
             what="the register to show step 3")
    started = time.monotonic()
    office.decide(CASE, "Sesuai")
    wait_for(lambda: KONSEP in office.outbox("sekretaris"), what="the draft forwarded")
    assert time.monotonic() - started < SETTLE + 5
    assert KONSEP not in office.outbox("kabid_kasubag")


def test_bad_files_go_to_quarantine_with_a_note(office: Office, watching) -> None:
    """Every kind of unreadable or refused file ends in quarantine/ beside a note; none stays."""
    inbox = office.root / "inbox" / "fungsional"
    for kind in BAD_KINDS:
        write_bad(kind, inbox)
    write_bad("docx", inbox, "Konsep tanpa kasus.docx")  # cannot be linked to any case
    quarantine = office.root / "quarantine"
    expected = len(BAD_KINDS) + 1
    wait_for(lambda: not files(inbox) and len(files(quarantine)) >= 2 * expected,
             what=f"every file quarantined; inbox: {files(inbox)}, quarantine: {files(quarantine)}")
    notes = {n for n in files(quarantine) if n.endswith(".txt")}
    assert len(notes) == expected, sorted(files(quarantine))
    assert len(files(quarantine)) == 2 * expected, sorted(files(quarantine))


@pytest.mark.sqlite_only      # the lock file; on PostgreSQL a second one waits (test_failover.py)
def test_a_second_watcher_refuses(office: Office, watching) -> None:
    """While one watcher runs, another on the same workspace raises WorkspaceBusy."""
    with pytest.raises(WorkspaceBusy, match="another watcher is running on this workspace"):
        watch.run(office.root, stop=threading.Event())


def test_files_saved_while_down_are_taken_in_at_start(office: Office, mode: str) -> None:
    """Three materials saved before the watcher starts open three cases once it does."""
    for i in range(3):
        office.save(f"inbox/kabid_kasubag/Bahan {i}.docx", docx_bytes(f"Bahan informasi {i}."))
    office.save("inbox/kabid_kasubag/serta_merta/Bahan darurat.docx", CORPUS / "footnotes.docx")
    w = Watching(office.root, mode)
    try:
        wait_for(lambda: len(events(office.root, "opened")) == 4, what="four cases")
    finally:
        w.close()
    disposisi = [n for n in office.outbox("fungsional") if " - Disposisi - " in n]
    assert len(disposisi) == 4
