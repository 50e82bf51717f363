"""Kill `sop-docs watch` with SIGKILL at random instants, again and again, and check nothing is lost.

The second test kills the watcher while cases close and then takes the store or the database away:
the restart must refuse, and nothing that was in an outbox may be gone.

The real CLI runs in a subprocess on a real workspace while the test drops a burst of materials,
saves concept drafts and types decisions into the register, as staff would. Each round SIGKILLs the
watcher at a random point (start-up, recovery, a take-in, a register rewrite, idle), then does what
the next start does first (`Service.recover()`) and checks the invariants:

* every file ever dropped is in the content store, or still in its inbox untouched;
* no file in two places: nothing already received is still in an inbox, no two placements share a
  path, every placement is on disk with its recorded content, every visible outbox file is placed;
* each open case's draft (Konsep) is in exactly one outbox, its current holder's;
* no material opened two cases, no draft was submitted twice, nothing was quarantined;
* the database passes SQLite's integrity check and has no unfinished operation left.

Every third round skips the test's own recovery so that the restarted watcher's start-up recovery
is what repairs the state (checked after the next kill). A final run drains everything and stops
with SIGTERM. `SOP_CRASH_KILLS` and `SOP_CRASH_SEED` tune the run (defaults: 100 kills, random seed,
printed so a failure can be replayed).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from openpyxl import load_workbook

from sop_docs.bootstrap import open_service
from sop_docs.service import Service
from tests.badfiles import docx_bytes
from tests.driver import Office, fill_concept
from tests.records import query

REPO = Path(__file__).resolve().parents[2]
KILLS = int(os.environ.get("SOP_CRASH_KILLS", "100"))
SEED = int(os.environ.get("SOP_CRASH_SEED", str(random.randrange(1 << 30))))
BACKLOG = 6  # new materials are dropped only while fewer than this wait in the inboxes


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def visible(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")]


def drop(path: Path, data: bytes) -> None:
    """Save a file the way a careful program does: a hidden temp file, then a rename."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.part")
    tmp.write_bytes(data)
    os.replace(tmp, path)


class Staff:
    """What the office has done so far, to check the workspace against."""

    def __init__(self, root: Path, rng: random.Random, steps: tuple[int, ...] = (3, 4)) -> None:
        self.root, self.rng = root, rng
        self.steps = steps  # the review steps decided on (5 gives the numbered letter)
        self.dropped: dict[str, Path] = {}  # sha -> where it was dropped
        self.materials: set[str] = set()
        self.submitted: set[str] = set()  # case ids whose draft was saved into the inbox
        self.decided: set[str] = set()  # step tokens a decision was typed for
        self.count = 0

    def act(self, svc: Service) -> None:
        """Drop materials, save drafts of cases at step 2, decide on cases at the review steps."""
        inbox = self.root / "inbox"
        if len(visible(inbox)) < BACKLOG:
            for _ in range(self.rng.randint(1, 3)):
                self.count += 1
                kind = self.rng.choice(["", "serta_merta/"])
                data = docx_bytes(f"Bahan informasi nomor {self.count} untuk diumumkan.")
                path = inbox / "kabid_kasubag" / f"{kind}Bahan {self.count}.docx"
                drop(path, data)
                digest = hashlib.sha256(data).hexdigest()
                self.dropped[digest] = path
                self.materials.add(digest)
        for case in svc.db.open_cases():
            if case.step == 2 and case.id not in self.submitted and self.rng.random() < 0.7:
                skeletons = [p for p in visible(self.root / "outbox" / "fungsional")
                             if p.name.startswith(f"{case.id} - Konsep")]
                if skeletons:
                    data = fill_concept(skeletons[0].read_bytes(), isi=f"Konsep {case.id}.")
                    drop(inbox / "fungsional" / f"konsep {case.id}.docx", data)
                    self.dropped[hashlib.sha256(data).hexdigest()] = skeletons[0]
                    self.submitted.add(case.id)
        self._decide(svc)

    def _decide(self, svc: Service) -> None:
        """Type decisions for cases at the review steps into the registers that carry them."""
        steps = {c.id: c for c in svc.db.open_cases()}
        for channel in svc.projection.channels():
            if channel.decides:
                self._decide_in(channel.path, steps)

    def _decide_in(self, register: Path, steps: dict) -> None:  # type: ignore[type-arg]
        try:
            wb = load_workbook(register)
        except Exception:  # being replaced right now, or not written yet: decide next round
            return
        ws = wb["Kasus Terbuka"]
        typed = False
        for row in ws.iter_rows(min_row=2):
            case = steps.get(row[0].value)
            if case is None or case.step not in self.steps or case.step_token in self.decided:
                continue
            if not str(row[4].value or "").startswith(str(case.step)):
                continue  # the register does not show this step yet
            if self.rng.random() < 0.6:
                row[9].value = "Belum Sesuai" if case.step == 4 and self.rng.random() < 0.3 \
                    else "Sesuai"
                row[10].value = "Mohon diperbaiki." if row[9].value == "Belum Sesuai" else None
                self.decided.add(case.step_token)
                typed = True
        if typed:
            # as a spreadsheet saves: aside, then renamed (not a name of ours, which a starting
            # watcher sweeps as an interrupted write of its own)
            tmp = register.with_name(".simpan-staf")
            wb.save(tmp)
            os.replace(tmp, register)


def check(root: Path, svc: Service, staff: Staff, *, final: bool = False) -> None:
    """The invariants, on a workspace that a (re)start has just recovered."""
    db = svc.db.conn
    if svc.db.path is not None:
        assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert not svc.db.pending_ops(), "recovery left operations unfinished"
    store = root / ".sop_docs" / "store"
    in_inbox = {sha(p): p for p in visible(root / "inbox")}
    for digest, where in staff.dropped.items():
        assert (store / digest[:2] / digest).exists() or digest in in_inbox, \
            f"{where.name} was lost"
    received = {r["sha256"] for r in db.execute("SELECT sha256 FROM received")}
    for digest, path in in_inbox.items():
        assert digest not in received, f"{path} was taken in but is still in the inbox"
    placements = svc.db.all_placements()
    paths = [p["path"] for p in placements]
    assert len(paths) == len(set(paths)), "two documents placed at one path"
    for p in placements:
        target = root / p["path"]
        assert target.is_file(), f"{p['path']} is placed but missing"
        assert sha(target) == p["sha256"], f"{p['path']} does not hold its recorded content"
    placed = set(paths)
    for f in visible(root / "outbox"):
        assert f.relative_to(root).as_posix() in placed, f"{f} is in an outbox but not placed"
    letter = next(d.label for d in svc.sop.documents.values() if d.numbered)
    for case in svc.db.open_cases():
        holder = svc.sop.step(case.step).role
        # approved, the numbered letter takes the draft's place
        kind = letter if case.letter_number else svc.sop.draft_label
        drafts = [f for f in visible(root / "outbox") if f.suffix == ".docx" and f.name.startswith(
            (f"{case.id} - {svc.sop.draft_label}", f"{case.id} - {letter}"))]
        assert len(drafts) == 1, f"{case.id}: draft in {len(drafts)} places: {drafts}"
        assert drafts[0].name.startswith(f"{case.id} - {kind}"), f"{case.id}: {drafts[0].name}"
        assert drafts[0].parent.name == holder, f"{case.id} at step {case.step} not with {holder}"
    opened = [json.loads(r["detail"])["sha256"]
              for r in db.execute("SELECT detail FROM events WHERE kind='opened'")]
    assert len(opened) == len(set(opened)), "one material opened two cases"
    assert set(opened) <= staff.materials
    submits = [r["case_id"] for r in db.execute("SELECT case_id FROM events WHERE kind='submitted'")]
    assert len(submits) == len(set(submits)), "a draft was submitted twice"
    assert not visible(root / "quarantine"), f"quarantined: {visible(root / 'quarantine')}"
    if final:
        assert set(opened) == staff.materials, "a material never opened its case"
        assert set(submits) == staff.submitted, "a saved draft never reached its reviewer"
        assert not in_inbox, "files left in the inboxes"


def spawn(root: Path, log: Path) -> subprocess.Popen[bytes]:
    with log.open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "sop_docs", "watch", str(root), "--native", "--settle", "0.1",
             "--rescan", "2"],
            cwd=REPO, stdout=out, stderr=subprocess.STDOUT,
        )


def idle(root: Path) -> bool:
    """Nothing waits in an inbox and no operation is unfinished (read-only look at the database)."""
    if visible(root / "inbox"):
        return False
    try:
        return query(root, "SELECT COUNT(*) FROM ops WHERE done=0")[0][0] == 0
    except Exception:            # busy, or not made yet: look again
        return False


@pytest.mark.timeout(420)
def test_sigkill_at_random_points_loses_and_duplicates_nothing(tmp_path: Path) -> None:
    """≥100 SIGKILLs during a burst of drops and decisions; the invariants hold after each restart."""
    print(f"SOP_CRASH_SEED={SEED}")
    rng = random.Random(SEED)
    root = tmp_path / "ws"
    Office(root).close()
    staff = Staff(root, rng)
    log = tmp_path / "watch.log"
    kills = interrupted = 0
    try:
        while kills < KILLS:
            svc = open_service(root)
            try:
                staff.act(svc)
            finally:
                svc.close()
            proc = spawn(root, log)
            # the random kill point (not synchronisation): a quarter during start-up and
            # recovery, the rest while it takes files in and rewrites the register
            time.sleep(rng.uniform(0.2, 1.2) if rng.random() < 0.25 else rng.uniform(1.0, 2.2))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=10)
            kills += 1
            if kills % 3 == 0:
                continue  # let the next watcher's start-up recovery repair this one
            svc = open_service(root)
            try:
                interrupted += bool(svc.db.pending_ops())
                svc.recover()
                check(root, svc, staff)
            finally:
                svc.close()

        started = log.read_text(errors="replace").count(" INFO watching ")
        proc = spawn(root, log)
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not (
            log.read_text(errors="replace").count(" INFO watching ") > started and idle(root)
        ):
            time.sleep(0.1)
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0, "the watcher did not stop cleanly on SIGTERM"
        svc = open_service(root)
        try:
            check(root, svc, staff, final=True)
            cases = len(svc.db.open_cases())
        finally:
            svc.close()
    except BaseException:
        print(log.read_text(errors="replace")[-6000:])
        raise
    print(f"{kills} kills ({interrupted} mid-operation, recovered by the test), "
          f"{len(staff.materials)} materials, {cases} open cases, {len(staff.submitted)} drafts, "
          f"{len(staff.decided)} decisions")
    assert kills >= 100 or "SOP_CRASH_KILLS" in os.environ


def bundled(root: Path) -> set[str]:
    """The hashes of every file inside a finished archive bundle."""
    out = set()
    for manifest in (root / "archive").glob("*/*/manifest-sha256.txt"):
        if not manifest.parent.name.startswith("."):
            out |= {line.split()[0] for line in manifest.read_text("utf-8").splitlines() if line}
    return out


@pytest.mark.timeout(600)
@pytest.mark.parametrize("lost", ["store", pytest.param("database", marks=pytest.mark.sqlite_only)])
def test_kills_during_close_then_a_lost_store_or_database_is_refused_and_nothing_deleted(
        tmp_path: Path, lost: str) -> None:
    """SIGKILL while cases close (bundles being built, outboxes being emptied), then the store or
    the database is gone at the restart: the watcher refuses (exit 6) and every file that was in
    an outbox is still there or inside a finished bundle."""
    rng = random.Random(SEED)
    rounds = int(os.environ.get("SOP_CRASH_CLOSE_ROUNDS", "4"))
    for n in range(rounds):
        root = tmp_path / f"ws{n}"
        office = Office(root)
        try:
            for i in range(3):
                case = office.open_case(f"Bahan {n}-{i}")
                office.to_step(case, 6)
                office.add_proofs(case)
                office.decide(case, "Selesai")
            only_copies = {sha(p): p for p in visible(root / "outbox")}
        finally:
            office.close()
        log = tmp_path / f"watch{n}.log"
        proc = spawn(root, log)
        time.sleep(rng.uniform(0.5, 4.0))
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        if lost == "store":
            shutil.rmtree(root / ".sop_docs" / "store")
        else:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{root / '.sop_docs' / 'sop_docs.db'}{suffix}").unlink(missing_ok=True)
        again = spawn(root, log)
        assert again.wait(timeout=120) == 6, log.read_text(errors="replace")[-3000:]
        said = log.read_text(errors="replace")
        assert "sop-docs restore" in said or "share's backup" in said
        still = {sha(p) for p in visible(root / "outbox")}
        kept = still | bundled(root)
        lost_files = [str(p) for digest, p in only_copies.items() if digest not in kept]
        assert not lost_files, f"round {n}: deleted without a kept copy: {lost_files}"
