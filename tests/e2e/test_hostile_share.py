"""The share is hostile: nothing outside the workspace is read or touched, nothing inside is lost.

Each test replays one way a careless or hostile user of the share destroyed or leaked data before
(issue 8), on a real workspace, and checks the promise of the README: nothing is lost, nothing is
overwritten or deleted unless its content is kept, nothing is read through a link.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
import threading
import zipfile
from io import BytesIO
from pathlib import Path

import pytest
from docx import Document

from sop_docs import watch
from sop_docs.bootstrap import open_service
from sop_docs.errors import StateMismatch
from tests.driver import CORPUS, Office
from tests.integration.test_watch_service import Watching, wait_for

REPO = Path(__file__).resolve().parents[2]
SECRET = b"rahasia negara: jangan sampai bocor\n"


@pytest.fixture
def office(tmp_path: Path):
    o = Office(tmp_path / "ws")
    yield o
    o.close()


def tree(folder: Path) -> dict[str, bytes]:
    """Every regular file below `folder` (links not followed) with its content."""
    out = {}
    for dirpath, _dirs, names in os.walk(folder):
        for name in names:
            p = Path(dirpath) / name
            if p.is_file() and not p.is_symlink():
                out[p.relative_to(folder).as_posix()] = p.read_bytes()
    return out


def stored(office: Office) -> set[bytes]:
    store = office.root / ".sop_docs" / "store"
    return {p.read_bytes() for p in store.rglob("*") if p.is_file() and len(p.name) == 64}


def visible_everywhere(office: Office) -> list[bytes]:
    """The content of every file staff can open: outboxes, quarantine, archive, register."""
    out = []
    for folder in ("outbox", "quarantine", "archive"):
        out += list(tree(office.root / folder).values())
    return out


def run(*args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    """The real command, as the administrator runs it."""
    return subprocess.run([sys.executable, "-m", "sop_docs", *args], capture_output=True, text=True,
                          cwd=REPO, timeout=timeout)


# ------------------------------------------------------------------------- links and special files

@pytest.mark.parametrize("mode", ["scan", "native", "polling"])
def test_a_linked_folder_in_an_inbox_is_answered_and_never_entered(tmp_path, mode):
    """`inbox/kabid_kasubag/arsip -> …`: pointed outside, at archive/ or at .sop_docs/, whatever
    it points at stays where it is; the link itself is answered in quarantine/."""
    o = Office(tmp_path / "ws")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "Laporan Rahasia.docx").write_bytes((CORPUS / "tables.docx").read_bytes())
    (outside / "gaji.txt").write_bytes(SECRET)
    case = o.open_case()
    o.to_step(case, 6)
    o.add_proofs(case)
    o.decide(case, "Selesai")
    o.scan()                                         # archive/2026/<bundle> exists now
    before = {"outside": tree(outside), "archive": tree(o.root / "archive"),
              "state": tree(o.root / ".sop_docs")}
    inbox = o.root / "inbox" / "kabid_kasubag"
    (inbox / "arsip").symlink_to(outside)
    (inbox / "berkala" / "lama").symlink_to(Path("../../../archive"))
    (o.root / "inbox" / "fungsional" / "sistem").symlink_to(Path("../../.sop_docs"))
    if mode == "scan":
        o.scan()
        o.close()
    else:
        o.close()
        w = Watching(o.root, mode)
        try:
            wait_for(lambda: not any(p.is_symlink() for p in (o.root / "inbox").rglob("*")),
                     what="the three links answered")
        finally:
            w.close()
    assert tree(outside) == before["outside"], "nothing outside the workspace was touched"
    assert tree(o.root / "archive") == before["archive"], "the archive is whole"
    after = tree(o.root / ".sop_docs")
    assert all(after.get(k) == v for k, v in before["state"].items() if k.startswith("store/"))
    notes = {n: v.decode() for n, v in tree(o.root / "quarantine").items() if n.endswith(".txt")}
    assert sorted(n.split(" - ", 1)[1] for n in notes) == ["arsip.txt", "lama.txt", "sistem.txt"]
    assert all("pintasan" in text for text in notes.values()), notes
    assert SECRET not in b"".join(visible_everywhere(o) + list(stored(o)))


@pytest.mark.parametrize("target", ["outside", "/proc/self/environ", pytest.param(
    ".sop_docs/sop_docs.db", marks=pytest.mark.sqlite_only)])
def test_a_linked_file_is_never_read(office, tmp_path, target):
    """`catatan.txt -> /etc/shadow` and friends: the link is answered, the target never read."""
    secret = tmp_path / "shadow"
    secret.write_bytes(SECRET)
    goal = secret if target == "outside" else (
        Path(target) if target.startswith("/") else office.root / target)
    before = goal.read_bytes() if target != "/proc/self/environ" else None
    (office.root / "inbox" / "kabid_kasubag" / "catatan.txt").symlink_to(goal)
    (office.root / "inbox" / "fungsional" / "PIP-2026-0001 x.docx").symlink_to(goal)
    office.scan()
    assert not office.inbox_files() and not any(
        p.is_symlink() for p in (office.root / "inbox").rglob("*")), "the links are gone"
    if before is not None and target == "outside":
        assert goal.read_bytes() == before, "the target is untouched"
    assert office.svc.db.open_cases() == [], "no case was opened from a link"
    leaked = b"".join(visible_everywhere(office) + list(stored(office)))
    assert SECRET not in leaked
    if target == ".sop_docs/sop_docs.db":
        assert b"SQLite format 3" not in leaked
    if target == "/proc/self/environ":
        assert b"PATH=" not in leaked


@pytest.mark.parametrize("kind", ["link_to_dev_zero", "fifo", "link_outside"])
def test_a_register_that_is_not_a_regular_file_is_not_read_and_nothing_hangs(office, tmp_path, kind):
    """register.xlsx as a link to /dev/zero, a FIFO, or a link to a file elsewhere: the scan ends,
    reads nothing through it, and writes a real register in its place."""
    register = office.root / "register.xlsx"
    elsewhere = tmp_path / "elsewhere.xlsx"
    elsewhere.write_bytes(SECRET)
    register.unlink()
    if kind == "fifo":
        os.mkfifo(register)
    else:
        register.symlink_to("/dev/zero" if kind == "link_to_dev_zero" else elsewhere)
    office.close()
    r = run("scan", str(office.root), timeout=60)       # a FIFO or /dev/zero never blocks it
    assert r.returncode == 0, r.stderr
    assert register.is_file() and not register.is_symlink(), "a real register replaced it"
    assert zipfile.is_zipfile(register)
    assert elsewhere.read_bytes() == SECRET, "what the link pointed at is untouched"


def test_a_special_file_in_an_inbox_is_answered_without_opening_it(office):
    """A FIFO saved into an inbox would block whoever opens it: it is answered, never opened."""
    fifo = office.root / "inbox" / "fungsional" / "PIP-2026-0001 pipa.docx"
    os.mkfifo(fifo)
    office.close()
    r = run("scan", str(office.root), timeout=60)
    assert r.returncode == 0, r.stderr
    assert not fifo.exists()
    notes = [n for n in tree(office.root / "quarantine") if n.endswith(".txt")]
    assert len(notes) == 1


# ------------------------------------------------------------------------- the store and the database

def published(office: Office) -> str:
    """A case at step 6 with its proofs, Selesai typed but not yet acted on."""
    case = office.open_case()
    office.to_step(case, 6)
    office.add_proofs(case)
    office.decide(case, "Selesai")
    return case


def test_a_store_gone_while_running_deletes_nothing_and_stops_the_service(office):
    """With .sop_docs/store gone, Selesai must not empty the outbox (the only copies)."""
    case = published(office)
    before = tree(office.root / "outbox")
    shutil.rmtree(office.root / ".sop_docs" / "store")
    office.svc.process_register()                 # the decision is acted on: the bundle fails
    assert tree(office.root / "outbox") == before, "nothing was removed"
    assert not (office.root / "archive" / "2026").exists() or not any(
        (office.root / "archive" / "2026").iterdir())
    with pytest.raises(StateMismatch):
        office.svc.scan()                          # the next pass stops instead of going on
    assert tree(office.root / "outbox") == before
    assert case


def test_a_store_gone_at_start_is_refused_with_a_clear_message(office):
    """A workspace whose store is missing does not start (exit 6, one line, both languages)."""
    published(office)
    office.close()
    shutil.rmtree(office.root / ".sop_docs" / "store")
    before = tree(office.root / "outbox")
    r = run("scan", str(office.root))
    assert r.returncode == 6, r.stderr
    assert "Traceback" not in r.stderr and "Penyimpanan berkas" in r.stderr
    assert "content store" in r.stderr
    # SQLite: put a copy back; PostgreSQL: the store from the share's backup (or a copied kantor)
    assert "sop-docs restore" in r.stderr or "share's backup" in r.stderr
    assert tree(office.root / "outbox") == before


@pytest.mark.sqlite_only
@pytest.mark.parametrize("damage", ["deleted", "truncated", "garbage"])
def test_a_lost_database_is_refused_never_started_over(office, damage):
    """A deleted, truncated or garbage database: `scan` refuses (exit 6) instead of starting again
    at PIP-2026-0001 with letter number 001."""
    case = published(office)
    office.scan()                                  # closed and archived
    office.open_case("Kedua")
    office.close()
    db = office.root / ".sop_docs" / "sop_docs.db"
    for extra in ("-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    if damage == "deleted":
        db.unlink()
    elif damage == "truncated":
        db.write_bytes(b"")
    else:
        db.write_bytes(b"this is not a database" * 100)
    office.save("inbox/kabid_kasubag/Ketiga.docx", CORPUS / "tables.docx")
    r = run("scan", str(office.root))
    assert r.returncode == 6, (r.returncode, r.stderr)
    assert "Traceback" not in r.stderr
    assert "sop-docs restore" in r.stderr
    assert (office.root / "inbox/kabid_kasubag/Ketiga.docx").exists(), "the new material waits"
    assert case


@pytest.mark.sqlite_only
def test_a_database_restored_from_a_copy_replays_the_folders_and_reuses_no_number(office):
    """Copy taken; the office goes on (a case closes with letter 002, another is approved with
    003, two more open); the database is lost; `sop-docs restore` puts the copy back and the next
    case and letter take the next free numbers."""
    first = published(office)
    office.scan()                                               # 0001 closed, letter 001
    second = office.open_case("Kedua")
    office.to_step(second, 3)
    copy = office.root / ".sop_docs" / "backup"
    from sop_docs import backup
    backup.take(office.svc.db, copy, "uji")
    third = published(office)                                    # letter 002, then closed
    office.scan()
    fourth = office.open_case("Keempat")
    office.to_step(fourth, 6)                                    # letter 003, open at step 6
    office.to_step(second, 4)
    fifth = office.open_case("Kelima")                            # at step 2
    office.dispose(fifth, surat_dari="Bappeda Provinsi", tanggal_surat="20/11/2026")
    office.scan()                                                 # the giver's particulars
    office.close()
    db = office.root / ".sop_docs" / "sop_docs.db"
    for extra in ("", "-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    assert run("scan", str(office.root)).returncode == 6
    r = run("restore", str(office.root))
    assert r.returncode == 0, r.stderr
    assert "raised" in r.stdout
    svc = office.svc = open_service(office.root, clock=office.clock)
    cases = {c.id: c for c in svc.db.all_cases()}
    assert cases[first].status == cases[third].status == "closed"
    assert (cases[second].step, cases[fourth].step, cases[fifth].step) == (4, 6, 2)
    assert cases[fourth].letter_number == "400.14.4.3/003/DISKUMKM/2026"
    assert (cases[fifth].details.surat_dari, cases[fifth].details.tanggal_surat) == (
        "Bappeda Provinsi", "2026-11-20"), "the disposition's particulars come back"
    sixth = office.open_case("Keenam")
    assert sixth == "PIP-2026-0006", "no agenda number is reused"
    office.to_step(sixth, 6)
    assert svc.db.case(sixth).letter_number == "400.14.4.3/004/DISKUMKM/2026"
    office.decide(second, "Sesuai")                          # the register's token still counts
    office.scan()
    assert svc.db.case(second).step == 5
    assert svc.verify().ok, svc.verify().problems


# ------------------------------------------------------------------------- what staff change in place

def test_an_edit_to_a_delivered_letter_becomes_a_version_and_reaches_the_archive(office):
    """The Fungsional corrects the Pengumuman docx in their outbox, then chooses Selesai: the
    archive holds the corrected version (not only a loose copy in the store)."""
    case = office.open_case()
    office.to_step(case, 6)
    (letter,) = [p for p in (office.root / "outbox" / "fungsional").iterdir()
                 if " - Pengumuman - " in p.name and p.suffix == ".docx"]
    doc = Document(letter)
    doc.add_paragraph("Ralat: jadwal pemadaman diundur satu jam.")
    for paragraph in doc.paragraphs:              # and the number changed, as a forger would
        for run in paragraph.runs:
            run.text = run.text.replace("DISKUMKM", "DIUBAH")
    buf = BytesIO()
    doc.save(buf)
    letter.write_bytes(buf.getvalue())
    edited = hashlib.sha256(buf.getvalue()).hexdigest()
    office.add_proofs(case)
    office.decide(case, "Selesai")
    office.scan()
    versions = [d for d in office.svc.db.documents(case) if d["kind"] == "pengumuman"]
    assert [d["origin"] for d in versions] == ["generated", "edited"]
    assert versions[-1]["sha256"] == edited
    bundle = next((office.root / "archive" / "2026").glob("PIP-*"))
    softcopy = {p.name: p.read_bytes() for p in (bundle / "data" / "softcopy").iterdir()}
    assert hashlib.sha256(softcopy[f"v2 - {letter.name}"]).hexdigest() == edited
    printed = (bundle / "data" / "hardcopy" / letter.name.replace(".docx", ".pdf")).read_bytes()
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(BytesIO(printed)).pages)
    assert "DISKUMKM" in text and "DIUBAH" not in text, "the hardcopy is the letter as approved"
    assert office.svc.verify().ok, office.svc.verify().problems


def test_the_bundle_keeps_every_received_document_byte_for_byte_beside_the_working_copy(office):
    """The material and the concept as received (no case link stamped in) are in `asli/`, the
    stamped copies in `softcopy/`, and `daftar-isi.txt` says which is which; `verify` checks the
    originals against the hashes recorded at receipt."""
    material = (CORPUS / "tables.docx").read_bytes()
    case = office.open_case(src=material)
    office.to_step(case, 6)
    office.add_proofs(case)
    office.decide(case, "Selesai")
    office.scan()
    bundle = next((office.root / "archive" / "2026").glob("PIP-*"))
    asli = {p.name: p.read_bytes() for p in (bundle / "data" / "asli").iterdir()}
    assert asli["v1 - Laporan Keuangan 2026.docx"] == material
    assert len(asli) == 2, sorted(asli)                          # the material and the concept
    index = (bundle / "data" / "daftar-isi.txt").read_text("utf-8")
    assert "asli, sebagaimana diterima" in index and "salinan kerja" in index
    assert office.svc.verify().ok
    target = bundle / "data" / "asli" / "v1 - Laporan Keuangan 2026.docx"
    target.write_bytes(material[:100] + bytes([material[100] ^ 1]) + material[101:])
    assert any("berubah" in p for p in office.svc.verify().problems)


# ------------------------------------------------------------------------- modes, size, disk

def test_files_for_staff_honour_the_umask_so_the_group_can_open_them(tmp_path):
    """Under umask 002 (the systemd unit's) every file staff open is group-readable: delivered
    files and the registers they decide in are group-writable too; what they only read (the
    overview, quarantine/, the archive) is not; the store stays the service's own."""
    old = os.umask(0o002)
    try:
        o = Office(tmp_path / "ws")
        try:
            case = o.open_case()
            second = o.open_case("Kedua")
            o.save("inbox/fungsional/tanpa nomor.docx", CORPUS / "simple-list.docx")
            o.to_step(case, 6)
            o.to_step(second, 3)
            o.add_proofs(case)
            o.decide(case, "Selesai")
            o.scan()
        finally:
            o.close()
    finally:
        os.umask(old)
    writable = [*(o.root / "outbox").rglob("*.docx"), *(o.root / "keputusan").rglob("*.xlsx")]
    read_only = [o.root / "register.xlsx", *(o.root / "quarantine").iterdir(),
                 *(o.root / "archive").rglob("*.xlsx"), *(o.root / "archive").rglob("*.docx")]
    assert len(writable) >= 3 and len(read_only) >= 5
    for p in writable:
        assert p.stat().st_mode & 0o060 == 0o060, f"{p} is {oct(p.stat().st_mode)}"
    for p in read_only:
        assert p.stat().st_mode & 0o060 == 0o040, f"{p} is {oct(p.stat().st_mode)}"
    store = o.root / ".sop_docs" / "store"
    assert all(p.stat().st_mode & 0o077 == 0 for p in store.rglob("*") if p.is_file()
               and len(p.name) == 64)


def test_check_reports_folders_wider_than_the_layout(office):
    """`sop-docs check` names what anyone may write (an inbox, the settings) and exits 1; once
    narrowed, it says OK."""
    office.close()
    (office.root / "inbox" / "kepala_dinas").chmod(0o777)
    (office.root / "sop.toml").chmod(0o666)
    r = run("check", str(office.root))
    assert r.returncode == 1
    assert "inbox/kepala_dinas: everyone may write in it (mode 0777)" in r.stdout
    assert "sop.toml: everyone may write the settings" in r.stdout
    (office.root / "inbox" / "kepala_dinas").chmod(0o770)
    (office.root / "sop.toml").chmod(0o644)
    for folder in (office.root / "outbox").iterdir():
        folder.chmod(0o770)
    r = run("check", str(office.root))
    assert r.returncode == 0, r.stdout


def test_an_oversize_file_is_moved_never_copied(tmp_path):
    """A 300 MB (sparse) file over the limit is moved to quarantine/ as it is: no second copy in
    the store, no third in quarantine."""
    o = Office(tmp_path / "ws")
    try:
        big = o.root / "inbox" / "kabid_kasubag" / "video rapat.mp4"
        with big.open("wb") as f:
            f.truncate(300 * 2**20)
        inode = big.stat().st_ino
        o.scan()
        moved = [p for p in (o.root / "quarantine").iterdir() if p.suffix == ".mp4"]
        assert len(moved) == 1 and moved[0].stat().st_ino == inode, "the same file, moved"
        assert moved[0].stat().st_size == 300 * 2**20
        store = o.root / ".sop_docs" / "store"
        assert sum(p.stat().st_size for p in store.rglob("*") if p.is_file()) < 2**20
        assert "terlalu besar" in (o.root / "quarantine" / f"{moved[0].name}.txt").read_text("utf-8")
    finally:
        o.close()


@pytest.mark.sqlite_only
def test_watch_mode_refuses_to_go_on_when_its_database_vanishes(office):
    """The watcher notices its database deleted under it, keeps a copy of what it held, and stops
    (the next start refuses until it is restored)."""
    office.open_case()
    office.close()
    stop, ready = threading.Event(), threading.Event()
    error: list[BaseException] = []

    def target() -> None:
        try:
            watch.run(office.root, mode="native", stop=stop, ready=ready, settle=0.2,
                      rescan_every=0.5)
        except BaseException as e:
            error.append(e)

    t = threading.Thread(target=target)
    t.start()
    try:
        # running, with its database open (the lock alone comes before the database is opened)
        wait_for(ready.is_set, what="running")
        (office.root / ".sop_docs" / "sop_docs.db").unlink()
        t.join(30)
    finally:
        stop.set()
        t.join(30)
    assert error and isinstance(error[0], StateMismatch)
    copies = list((office.root / ".sop_docs" / "backup").glob("*saat-hilang.db"))
    assert len(copies) == 1


@pytest.fixture
def small_disk(tmp_path: Path):
    """A 12 MB tmpfs of our own (the machine runs tests as root), unmounted afterwards."""
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=12m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def fill(disk: Path, leave: int) -> Path:
    """Fill the file system until only about `leave` bytes are free."""
    filler = disk / "filler.bin"
    free = os.statvfs(disk).f_bavail * os.statvfs(disk).f_frsize
    with filler.open("wb") as f:
        f.write(b"\0" * max(0, free - leave))
    return filler


def test_a_full_disk_is_answered_in_one_line_and_nothing_is_lost(small_disk):
    """Scans on a full disk log one plain line (no traceback), leave the material in its inbox
    and the database consistent; once space is freed, the next scan does the work."""
    o = Office(small_disk / "ws")
    case = o.open_case("Pertama")
    o.close()
    material = unique = (CORPUS / "footnotes.docx").read_bytes() + b""
    (small_disk / "ws/inbox/kabid_kasubag/Kedua.docx").write_bytes(material)
    filler = fill(small_disk, leave=16 * 1024)
    outcomes = [run("scan", str(o.root)) for _ in range(2)]
    for r in outcomes:
        assert "Traceback" not in r.stderr, r.stderr
        assert "disk full" in r.stderr or "disk penuh" in r.stderr, r.stderr
    inbox = o.root / "inbox/kabid_kasubag/Kedua.docx"
    assert inbox.read_bytes() == unique, "the material waits in its inbox, whole"
    filler.unlink()
    r = run("scan", str(o.root))
    assert r.returncode == 0, r.stderr
    assert not inbox.exists()
    svc = o.svc = open_service(o.root, clock=o.clock)
    assert [c.id for c in svc.db.open_cases()] == [case, "PIP-2026-0002"]
    assert not svc.db.pending_ops()


def test_a_disk_that_fills_while_running_is_logged_plainly_and_retried(small_disk, caplog):
    """The service is running when the disk fills: taking in, recording and rewriting the register
    fail with one plain log line each (no traceback), the material waits, the register and the
    database stay as they were; freed, the next pass finishes."""
    o = Office(small_disk / "ws")
    try:
        first = o.open_case("Pertama")
        material = (CORPUS / "footnotes.docx").read_bytes()
        o.save("inbox/kabid_kasubag/Kedua.docx", material)
        filler = fill(small_disk, leave=4 * 1024)
        caplog.clear()
        o.scan()
        assert all(r.exc_info is None for r in caplog.records), [r.getMessage() for r in caplog.records]
        assert any("disk full" in r.getMessage() for r in caplog.records)
        assert (o.root / "inbox/kabid_kasubag/Kedua.docx").read_bytes() == material
        assert [c.id for c in o.svc.db.open_cases()] == [first]
        filler.unlink()
        o.scan()
        assert [c.id for c in o.svc.db.open_cases()] == [first, "PIP-2026-0002"]
        assert not o.inbox_files() and not o.svc.db.pending_ops()
        assert "PIP-2026-0002" in o.rows()
    finally:
        o.close()


def test_a_draft_replaced_by_a_link_in_an_outbox_is_not_read_and_the_decision_goes_on(office, tmp_path):
    """The reviewer's copy of the draft replaced by a link to a secret: the decision moves the last
    kept version; nothing is read through the link."""
    case = office.open_case()
    office.to_step(case, 3)
    draft = office.draft_file("kabid_kasubag")
    kept = draft.read_bytes()
    secret = tmp_path / "secret.docx"
    secret.write_bytes(SECRET)
    draft.unlink()
    draft.symlink_to(secret)
    office.decide(case, "Sesuai")
    office.scan()
    assert office.svc.db.case(case).step == 4
    moved = office.draft_file("sekretaris").read_bytes()
    assert moved == kept and SECRET not in b"".join(stored(office))
    assert secret.read_bytes() == SECRET


@pytest.mark.sqlite_only
def test_a_restore_finds_the_number_of_a_letter_that_left_the_outboxes(office, tmp_path):
    """Approved after the copy, the letter taken away from the outbox to be published: restore
    reads its number from the letter kept in the store, so the next letter gets the next number."""
    from sop_docs import backup

    first = office.open_case("Satu")
    office.to_step(first, 3)
    backup.take(office.svc.db, office.root / ".sop_docs" / "backup", "uji")
    office.to_step(first, 6)                                  # letter 001, after the copy
    assert office.svc.db.case(first).letter_number == "400.14.4.3/001/DISKUMKM/2026"
    desk = tmp_path / "meja"
    desk.mkdir()
    for p in (office.root / "outbox" / "fungsional").glob("* - Pengumuman - *"):
        p.rename(desk / p.name)                               # taken away to be published
    office.close()
    for extra in ("", "-wal", "-shm"):
        Path(f"{office.root / '.sop_docs' / 'sop_docs.db'}{extra}").unlink(missing_ok=True)
    r = run("restore", str(office.root))
    assert r.returncode == 0, r.stderr
    office.svc = open_service(office.root, clock=office.clock)
    assert office.svc.db.case(first).letter_number == "400.14.4.3/001/DISKUMKM/2026"
    second = office.open_case("Dua")
    office.to_step(second, 6)
    assert office.svc.db.case(second).letter_number == "400.14.4.3/002/DISKUMKM/2026"
