"""The watch loop against real watchdog observers (native and polling) and a hand-written fake service.

The fake records what the loop hands it, so these tests pin down the loop's own promises: a file is
handed over once, whole, after it settled and while no Office lock is beside it; litter never is;
register saves trigger `process_register`; one watcher per workspace; a dead observer is rebuilt.
No sleeps synchronise anything: every wait is a condition with a deadline.
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from sop_docs import watch
from sop_docs.core.intake import is_ignored
from sop_docs.errors import WorkspaceBusy
from tests.paths import CORPUS

DOCX = CORPUS / "tables.docx"
OTHER_DOCX = CORPUS / "footnotes.docx"
SETTLE = 0.3
REPO = Path(__file__).resolve().parents[2]


def wait_for(condition: Callable[[], object], timeout: float = 15.0, what: str = "") -> None:
    """Poll `condition` until it is true; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout} s waiting for {what or condition}")
        time.sleep(0.01)


class FakeService:
    """Records the loop's calls; `take_in` moves the file out of the inbox as the real one does."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self.taken: list[tuple[str, bytes]] = []
        self.registers = 0
        self.recovered = 0
        self.calls: list[str] = []
        self.listing_fails = False
        self.share: list[str | None] = []           # what the loop said of the share, in order
        self.out = self.root / "taken"
        self.out.mkdir(exist_ok=True)

    def recover(self) -> None:
        self.recovered += 1

    def pending_inbox_files(self) -> list[Path]:
        if self.listing_fails:
            raise OSError(112, "Host is down")
        return sorted(
            p for p in (self.root / "inbox").rglob("*") if p.is_file() and not is_ignored(p.name)
        )

    def take_in(self, path: Path) -> None:
        data = path.read_bytes()
        self.taken.append((path.relative_to(self.root).as_posix(), data))
        self.calls.append("take_in")
        os.replace(path, self.out / f"{len(self.taken):04d}{path.suffix}")

    def process_register(self) -> None:
        self.registers += 1
        self.calls.append("register")

    def close(self) -> None:
        pass

    def share_unreachable(self, why: str | None) -> None:
        self.share.append(why)

    def names(self) -> list[str]:
        return [name for name, _ in self.taken]


class Records(logging.Handler):
    """Collects the "sop_docs" log lines so tests can wait for one."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(record.getMessage())

    def saw(self, text: str) -> bool:
        return any(text in line for line in list(self.lines))


@pytest.fixture
def records() -> Iterator[Records]:
    handler = Records()
    logger = logging.getLogger("sop_docs")
    old = logger.level
    logger.setLevel(logging.DEBUG)
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)
    logger.setLevel(old)


@pytest.fixture(autouse=True)
def no_thread_leak() -> Iterator[None]:
    """Every observer and emitter thread the test started is gone when it ends."""
    before = set(threading.enumerate())
    yield
    deadline = time.monotonic() + 5
    while set(threading.enumerate()) - before and time.monotonic() < deadline:
        time.sleep(0.01)
    leaked = set(threading.enumerate()) - before
    assert not leaked, f"threads left running: {leaked}"


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    for role in ("fungsional", "kabid_kasubag/berkala"):
        (root / "inbox" / role).mkdir(parents=True)
    (root / "outbox").mkdir()
    return root


class Running:
    """A watcher running in a thread, stopped and joined at the end of the test."""

    def __init__(self, root: Path, service: FakeService, **options: object) -> None:
        self.stop = threading.Event()
        self.ready = threading.Event()
        self.error: BaseException | None = None
        options = {"settle": SETTLE, "incomplete_grace": 30.0, "poll_interval": 0.1} | options

        def target() -> None:
            try:
                watch.run(root, stop=self.stop, ready=self.ready, service=service, **options)
            except BaseException as exc:
                self.error = exc

        self.thread = threading.Thread(target=target, name="watch-under-test")
        self.thread.start()
        wait_for(lambda: self.ready.is_set() or self.error, what="the watcher to be ready")
        if self.error:
            raise self.error

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=10)
        assert not self.thread.is_alive(), "watcher did not stop within 10 s"
        if self.error:
            raise self.error


@pytest.fixture(params=["native", "polling"])
def mode(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
def start(workspace: Path, mode: str) -> Iterator[Callable[..., tuple[FakeService, Running]]]:
    started: list[Running] = []

    def _start(**options: object) -> tuple[FakeService, Running]:
        service = FakeService(workspace)
        running = Running(workspace, service, mode=mode, **options)
        started.append(running)
        return service, running

    yield _start
    for running in started:
        running.close()


def test_a_saved_draft_is_taken_in_once(start, workspace: Path) -> None:
    """A docx copied into an inbox is handed to the service exactly once, whole."""
    service, _ = start()
    shutil.copyfile(DOCX, workspace / "inbox" / "fungsional" / "Konsep Pengumuman.docx")
    wait_for(lambda: service.taken, what="the draft to be taken in")
    assert service.names() == ["inbox/fungsional/Konsep Pengumuman.docx"]
    assert service.taken[0][1] == DOCX.read_bytes()
    assert not (workspace / "inbox" / "fungsional" / "Konsep Pengumuman.docx").exists()


def test_word_save_sequence_is_taken_in_once_after_the_owner_file_goes(
    start, workspace: Path, records: Records
) -> None:
    """Word's real save (owner file, ~WRD temp, renames, deletes) yields one take-in, of the new text."""
    service, _ = start()
    folder = workspace / "inbox" / "fungsional"
    owner = folder / "~$aft_letter.docx"
    owner.write_bytes(b"\x0bSiti Aminah" + b"\x00" * 40)  # Word opens the document
    shutil.copyfile(DOCX, folder / "Draft_letter.docx")  # the version on disk before the save
    wait_for(lambda: records.saw("waiting: inbox/fungsional/Draft_letter.docx is open"))
    assert service.taken == []
    temp = folder / "~WRD0001.tmp"  # Word writes the new version to a temp file...
    temp.write_bytes(OTHER_DOCX.read_bytes())
    os.rename(folder / "Draft_letter.docx", folder / "~WRL0002.tmp")  # ...moves the original away,
    os.rename(temp, folder / "Draft_letter.docx")  # ...renames the temp over the name,
    (folder / "~WRL0002.tmp").unlink()  # ...deletes the old version,
    assert service.taken == []
    owner.unlink()  # ...and, on close, the owner file.
    wait_for(lambda: service.taken, what="the saved draft")
    assert service.names() == ["inbox/fungsional/Draft_letter.docx"]
    assert service.taken[0][1] == OTHER_DOCX.read_bytes()
    assert not any(folder.iterdir())


def test_a_slow_chunked_write_is_taken_in_only_when_complete(start, workspace: Path) -> None:
    """Pauses longer than the settle window do not let a half-written docx through."""
    service, _ = start()
    data = DOCX.read_bytes()
    target = workspace / "inbox" / "fungsional" / "lambat.docx"
    chunks = [data[i : i + len(data) // 4 + 1] for i in range(0, len(data), len(data) // 4 + 1)]
    with target.open("wb") as out:
        for i, chunk in enumerate(chunks):
            assert service.taken == []
            out.write(chunk)
            out.flush()
            if i < len(chunks) - 1:
                time.sleep(SETTLE * 1.5)  # the writer stalls; not synchronisation
    wait_for(lambda: service.taken, what="the complete file")
    assert service.taken == [("inbox/fungsional/lambat.docx", data)]


def test_litter_is_never_taken_in(start, workspace: Path) -> None:
    """Office, LibreOffice, browser and OS litter stays where it is; the real file beside it goes."""
    service, _ = start()
    folder = workspace / "inbox" / "kabid_kasubag" / "berkala"
    litter = ["~$bahan.docx", ".~lock.bahan.docx#", "Thumbs.db", "desktop.ini", ".DS_Store",
              "._bahan.docx", "unduhan.pdf.crdownload", "salinan.part", "Cedd4100", "~WRD0003.tmp"]
    for name in litter:
        (folder / name).write_bytes(b"x")
    shutil.copyfile(CORPUS / "simple-list.docx", folder / "Bahan Informasi.docx")
    wait_for(lambda: service.taken, what="the material")
    assert service.names() == ["inbox/kabid_kasubag/berkala/Bahan Informasi.docx"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(litter)


def test_non_ascii_and_long_names_are_taken_in(start, workspace: Path) -> None:
    """Names with spaces, Indonesian/other scripts and 200 characters pass through unchanged."""
    service, _ = start()
    folder = workspace / "inbox" / "fungsional"
    names = ["Pengumuman Dinas Koperasi (revisi).docx", "Konsep – Informasi Berkala ü 公告.docx",
             "K" * 195 + ".docx"]
    for name in names:
        shutil.copyfile(DOCX, folder / name)
    wait_for(lambda: len(service.taken) == 3, what="three drafts")
    assert sorted(service.names()) == sorted(f"inbox/fungsional/{n}" for n in names)


def test_a_folder_moved_into_the_inbox_is_taken_in(start, workspace: Path) -> None:
    """Dragging a folder of proofs in produces one directory event; every file inside is found."""
    service, _ = start()
    outside = workspace / "bukti"
    outside.mkdir()
    for i in range(3):
        shutil.copyfile(DOCX, outside / f"bukti {i}.docx")
    os.rename(outside, workspace / "inbox" / "fungsional" / "bukti_online")
    wait_for(lambda: len(service.taken) == 3, what="three proofs")


def test_files_saved_while_down_are_taken_in_at_start(workspace: Path, mode: str) -> None:
    """Start-up does a full pass: what arrived while no watcher ran is taken in."""
    for i in range(5):
        shutil.copyfile(DOCX, workspace / "inbox" / "fungsional" / f"draft {i}.docx")
    service = FakeService(workspace)
    running = Running(workspace, service, mode=mode, rescan_every=3600)
    try:
        assert service.recovered == 1
        wait_for(lambda: len(service.taken) == 5, what="five drafts")
    finally:
        running.close()


def test_register_saves_and_take_ins_lead_to_processing_the_register(start, workspace: Path) -> None:
    """Each register save (Excel's temp-and-rename, LibreOffice's in-place while its lock stays) is
    processed, and the register is refreshed after files were taken in."""
    register = workspace / "register.xlsx"
    shutil.copyfile(DOCX, register)  # any complete zip: the fake service does not read it
    service, _ = start()
    wait_for(lambda: service.registers == 1, what="the register saved while down")
    # Excel: write temp "Cedd4100", delete the original, rename the temp to the name.
    temp = workspace / "Cedd4100"
    temp.write_bytes(OTHER_DOCX.read_bytes())
    register.unlink()
    os.rename(temp, register)
    wait_for(lambda: service.registers == 2, what="the Excel save")
    # LibreOffice keeps its lock while the file is open and saves in place; a save still counts.
    lock = workspace / ".~lock.register.xlsx#"
    lock.write_text(",Budi Santoso,pc-12,25.11.2026 09:15,file:///home/budi;")
    shutil.copyfile(CORPUS / "simple-list.docx", register)
    wait_for(lambda: service.registers == 3, what="the LibreOffice save")
    lock.unlink()
    shutil.copyfile(DOCX, workspace / "inbox" / "fungsional" / "after.docx")
    wait_for(lambda: service.taken, what="a later draft")
    wait_for(lambda: service.calls[-1] == "register", what="the register refreshed after it")


def test_a_second_watcher_on_the_workspace_refuses(start, workspace: Path) -> None:
    """The second `run` raises WorkspaceBusy naming the first one's pid."""
    start()
    with pytest.raises(WorkspaceBusy, match=rf"another watcher is running .*pid {os.getpid()}"):
        watch.run(workspace, stop=threading.Event(), service=FakeService(workspace))


def test_a_killed_watcher_does_not_leave_the_lock_stuck(workspace: Path) -> None:
    """The lock belongs to the process: after SIGKILL a new watcher gets it at once."""
    code = textwrap.dedent(
        f"""
        import sys, time
        from pathlib import Path
        from sop_docs.watch import workspace_lock
        with workspace_lock(Path({str(workspace)!r})):
            print("locked", flush=True)
            time.sleep(60)
        """
    )
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, cwd=REPO, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "locked"
        with pytest.raises(WorkspaceBusy, match=rf"pid {proc.pid}\)"), watch.workspace_lock(workspace):
            pass
    finally:
        proc.kill()
        proc.wait(timeout=10)
    with watch.workspace_lock(workspace):
        pass


def test_sigterm_stops_the_watcher_cleanly(workspace: Path) -> None:
    """Run from a main thread without `stop`, SIGTERM ends `run` normally (exit status 0)."""
    code = textwrap.dedent(
        f"""
        import logging, sys
        from pathlib import Path
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from test_watch_loop import FakeService
        from sop_docs import watch
        logging.basicConfig(level=logging.INFO, stream=sys.stdout, format="%(message)s")
        root = Path({str(workspace)!r})
        watch.run(root, mode="native", settle=0.2, service=FakeService(root))
        print("returned", flush=True)
        """
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, cwd=REPO,
        text=True,
    )
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line)
        if line.startswith("watching "):
            proc.send_signal(signal.SIGTERM)
            break
    out, _ = proc.communicate(timeout=60)
    lines.append(out)
    assert proc.returncode == 0, "".join(lines)
    assert "SIGTERM received" in out and "returned" in out, "".join(lines)


def test_periodic_rescan_finds_what_events_missed(workspace: Path) -> None:
    """With no events at all (a poll interval of an hour), the periodic rescan still finds a file."""
    service = FakeService(workspace)
    running = Running(workspace, service, mode="polling", poll_interval=3600, rescan_every=0.5)
    try:
        shutil.copyfile(DOCX, workspace / "inbox" / "fungsional" / "missed.docx")
        wait_for(lambda: service.taken, what="the rescan to find the file")
    finally:
        running.close()


def test_a_failing_listing_loses_nothing(workspace: Path) -> None:
    """A share that cannot be listed is logged and retried; its files are taken in once it is back."""
    shutil.copyfile(DOCX, workspace / "inbox" / "fungsional" / "during outage.docx")
    service = FakeService(workspace)
    service.listing_fails = True
    running = Running(workspace, service, mode="polling", poll_interval=3600, rescan_every=0.2)
    try:
        assert service.taken == []
        service.listing_fails = False
        wait_for(lambda: service.taken, what="the file after the outage")
    finally:
        running.close()


def test_a_dead_polling_emitter_is_rebuilt(workspace: Path, records: Records) -> None:
    """The share vanishing kills the polling emitter (watchdog #1065); the loop rebuilds it."""
    service = FakeService(workspace)
    running = Running(workspace, service, mode="polling", rescan_every=3600)
    try:
        inbox = workspace / "inbox"
        away = workspace / "inbox.away"
        os.rename(inbox, away)
        wait_for(lambda: records.saw("file watcher stopped"), what="the loop to notice")
        # out of reach: the service hears why (the administrator is told if it lasts)
        wait_for(lambda: any(service.share), what="the share reported out of reach")
        os.rename(away, inbox)
        wait_for(lambda: records.saw("file watcher rebuilt"), what="the rebuild")
        assert service.share[-1] is None, "the share back in reach is reported too"
        shutil.copyfile(DOCX, inbox / "fungsional" / "after blip.docx")
        wait_for(lambda: service.taken, what="a file saved after the blip")
    finally:
        running.close()


def test_an_unknown_mode_is_refused(workspace: Path) -> None:
    """A typo in the mode fails before anything starts."""
    with pytest.raises(ValueError, match="watch mode"):
        watch.run(workspace, mode="inotify", service=FakeService(workspace))
