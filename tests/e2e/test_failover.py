"""Two `sop-docs watch` on one workspace and one PostgreSQL: the lease picks the one that acts.

The big test runs two real watcher processes on a real workspace whose records are an office of a
throw-away PostgreSQL cluster (tests/pgcluster.py), while the test drops materials, saves drafts
and types decisions as staff would (test_crash.Staff). The active watcher, the one holding the
office's lease (found in pg_locks: its session's application_name is "sop-docs <host> <pid>"), is
SIGKILLed at random instants again and again; a fresh standby is started each time, so two always
run. After every take-over, once the workspace is idle, test_crash's invariants hold (every file in
the store or its inbox, nothing taken in twice, each draft in exactly one outbox) and the agenda and
letter numbers are gap-free. Once, mid-burst, the PostgreSQL server is restarted: both watchers
reconnect (the active one loses its lease and waits as a standby) and nothing is lost.

Take-over is timed from the SIGKILL to the new holder's lease and to its "watching" line; each
must be within TAKE_OVER_LIMIT seconds. `SOP_FAILOVER_KILLS` and `SOP_FAILOVER_SEED` tune the run
(defaults: 30 kills, a random seed, printed so a failure can be replayed).

The small tests: a second watcher says it waits as a standby (cadangan) and does nothing, `scan`
meanwhile exits 5; and the fencing of `Database.tx()` when the lease is gone under it.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest

from sop_docs.adapters.db import LOCK_CLASS, Database, LeaseLost, lock_keys
from sop_docs.adapters.sql import target_of
from sop_docs.bootstrap import open_service
from sop_docs.folders import letter_number_regex
from sop_docs.service import Service
from sop_docs.settings import load_settings
from tests.badfiles import docx_bytes
from tests.driver import Office
from tests.e2e.test_crash import REPO, Staff, check, drop, idle, spawn
from tests.pgcluster import Cluster
from tests.records import query

pytestmark = pytest.mark.postgresql

KILLS = int(os.environ.get("SOP_FAILOVER_KILLS", "30"))
SEED = int(os.environ.get("SOP_FAILOVER_SEED", str(random.randrange(1 << 30))))
TAKE_OVER_LIMIT = 15.0


def office_on(cluster: Cluster, monkeypatch: pytest.MonkeyPatch, root: Path, kantor: str) -> None:
    """A workspace whose records are office `kantor` in the cluster (the watchers inherit it)."""
    monkeypatch.setenv("SOP_DOCS_DATABASE", cluster.url())
    monkeypatch.setenv("SOP_DOCS_KANTOR", kantor)
    Office(root).close()


def pg(cluster: Cluster) -> psycopg.Connection:
    return psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname="sop",
                           autocommit=True, connect_timeout=5)


def holder(cluster: Cluster, kantor: str) -> int | None:
    """The pid of the process whose session holds the office's lease (None: nobody, or the
    server is away)."""
    try:
        with pg(cluster) as c:
            row = c.execute(
                "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid=l.pid "
                "WHERE l.locktype='advisory' AND l.granted AND l.classid=%s::oid AND "
                "l.objid=%s::oid AND l.objsubid=2",
                (LOCK_CLASS, lock_keys(f"kantor_{kantor}")[0])).fetchone()
    except psycopg.OperationalError:
        return None
    return int(row[0].split()[-1]) if row else None


def wait_for(what: str, cond: Callable[[], object], timeout: float, step: float = 0.05) -> float:
    """Seconds until `cond()` is true; fails after `timeout`."""
    start = time.monotonic()
    while not cond():
        if time.monotonic() - start > timeout:
            raise AssertionError(f"{what}: not within {timeout} s")
        time.sleep(step)
    return time.monotonic() - start


class Watchers:
    """The watcher processes, each with a log of its own."""

    def __init__(self, root: Path, logs: Path) -> None:
        self.root, self.logs = root, logs
        self.procs: dict[int, subprocess.Popen[bytes]] = {}
        self.started = 0

    def start(self) -> int:
        self.started += 1
        proc = spawn(self.root, self.log(self.started))
        self.procs[proc.pid] = proc
        (self.logs / f"pid{proc.pid}").write_text(str(self.started))
        return proc.pid

    def log(self, n: int) -> Path:
        return self.logs / f"watch{n}.log"

    def text(self, pid: int) -> str:
        n = int((self.logs / f"pid{pid}").read_text())
        return self.log(n).read_text(errors="replace")

    def watching(self, pid: int) -> int:
        return self.text(pid).count(" INFO watching ")

    def alive(self) -> list[int]:
        return [pid for pid, p in self.procs.items() if p.poll() is None]

    def kill(self, pid: int) -> None:
        self.procs[pid].send_signal(signal.SIGKILL)
        self.procs[pid].wait(timeout=10)

    def stop_all(self) -> dict[int, int | None]:
        codes: dict[int, int | None] = {}
        for pid in self.alive():
            self.procs[pid].send_signal(signal.SIGTERM)
        for pid, p in self.procs.items():
            try:
                codes[pid] = p.wait(timeout=60)
            except subprocess.TimeoutExpired:
                p.kill()
                codes[pid] = None
        return codes

    def tails(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text(errors='replace')[-2500:]}"
                         for p in sorted(self.logs.glob("watch*.log")))


def reader(root: Path) -> Service:
    """The service for looking only: no lease, nothing changed."""
    return open_service(root, exclusive=False)


def numbers_gap_free(root: Path, svc: Service) -> tuple[int, int]:
    """The agenda numbers of every year are 1..N and the letter numbers given are 1..M, each once,
    and the counters stand at N and M. Returns (N, M) summed over the years."""
    db = svc.db.conn
    counters = {(r["name"], r["year"]): r["value"]
                for r in db.execute("SELECT name, year, value FROM counters")}
    agenda, letters = f"agenda:{svc.sop.id}", f"letter:{svc.sop.id}"
    pattern = letter_number_regex(load_settings(root))
    assert pattern is not None
    n = m = 0
    for (year,) in db.execute("SELECT DISTINCT year FROM cases"):
        seqs = sorted(r["seq"] for r in db.execute("SELECT seq FROM cases WHERE year=?", (year,)))
        assert seqs == list(range(1, len(seqs) + 1)), f"agenda numbers of {year}: {seqs}"
        assert counters.get((agenda, year), 0) == len(seqs), "the agenda counter is off"
        n += len(seqs)
    given: dict[int, list[int]] = {}
    for (number,) in db.execute("SELECT letter_number FROM cases WHERE letter_number IS NOT NULL"):
        found = pattern.fullmatch(number)
        assert found is not None, f"letter number {number!r} does not follow the pattern"
        given.setdefault(int(found["tahun"]), []).append(int(found["no_urut"]))
    for year, seqs in given.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), f"letter numbers of {year}: {seqs}"
        assert counters.get((letters, year), 0) == len(seqs), "the letter counter is off"
        m += len(seqs)
    return n, m


def marker(root: Path) -> tuple[int, ...]:
    return tuple(query(root, "SELECT (SELECT COUNT(*) FROM ops), (SELECT COUNT(*) FROM ops WHERE "
                             "done=0), (SELECT COALESCE(MAX(id), 0) FROM events)")[0])


def check_quiet(root: Path, staff: Staff, *, final: bool = False) -> tuple[int, int]:
    """test_crash's invariants and the numbers, on a workspace a live watcher is idle on: checked
    again when the watcher recorded something meanwhile (a decision read from the register), so
    a failure is never a half-done operation seen from outside."""
    wait_for("the workspace idle", lambda: idle(root), 120, 0.1)
    for _ in range(20):
        before = marker(root)
        if before[1]:
            time.sleep(0.2)
            continue
        found = None
        svc = reader(root)
        try:
            check(root, svc, staff, final=final)
            found = numbers_gap_free(root, svc)
        except AssertionError:
            if marker(root) == before:
                raise
        finally:
            svc.close()
        if found is not None and marker(root) == before:
            return found
        time.sleep(0.3)
    raise AssertionError("the watcher never stood still long enough to be checked")


def take_over(cluster: Cluster, kantor: str, w: Watchers, gone: int, since: float,
              before: dict[int, int]) -> tuple[int, float, float]:
    """The new holder's pid, and the seconds from `since` to its lease and to its "watching";
    `before`: how many "watching" lines each watcher had logged before (a former active one has
    some; a watcher started since has none)."""
    seen = w.watching
    got: list[int] = []

    def leased() -> bool:
        pid = holder(cluster, kantor)
        if pid is not None and pid != gone and pid in w.procs:
            got.append(pid)
            return True
        return False

    wait_for("a standby takes the lease", leased, 60)
    lease = time.monotonic() - since
    pid = got[-1]
    wait_for("the new active watcher watches", lambda: seen(pid) > before.get(pid, 0), 120)
    return pid, lease, time.monotonic() - since


@pytest.mark.timeout(420)
def test_sigkill_the_active_watcher_again_and_again_a_standby_takes_over_and_nothing_is_lost(
        tmp_path: Path, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """≥30 SIGKILLs of the active watcher during a burst of drops and decisions, one restart of
    PostgreSQL; after each take-over the invariants hold, the numbers have no gap."""
    print(f"SOP_FAILOVER_SEED={SEED}")
    rng = random.Random(SEED)
    root, kantor = tmp_path / "ws", "failover"
    office_on(cluster, monkeypatch, root, kantor)
    staff = Staff(root, rng, steps=(3, 4, 5))
    logs = tmp_path / "logs"
    logs.mkdir()
    w = Watchers(root, logs)
    restart_at = KILLS // 2
    leases: list[float] = []
    watches: list[float] = []
    kills = checks = quick = 0
    try:
        w.start()
        w.start()
        active, *_ = take_over(cluster, kantor, w, 0, time.monotonic(), {})
        while kills < KILLS:
            svc = reader(root)
            try:
                staff.act(svc)
            finally:
                svc.close()
            # the random kill point: mostly while it takes the burst in and rewrites registers
            time.sleep(rng.uniform(0.1, 2.0))
            if kills == restart_at:
                restart_at = -1
                active = db_restart(cluster, kantor, w, active)
                checks += 1
                continue
            before = {pid: w.watching(pid) for pid in w.alive()}
            w.kill(active)
            since = time.monotonic()
            kills += 1
            w.start()                       # two again: the old standby and a fresh one
            active, lease, watching = take_over(cluster, kantor, w, active, since, before)
            leases.append(lease)
            watches.append(watching)
            if rng.random() < 0.2 and kills < KILLS:
                quick += 1      # the next kill falls in this one's start-up and recovery
                continue
            check_quiet(root, staff)
            checks += 1

        assert len(w.alive()) == 2
        wait_for("the last materials taken in", lambda: idle(root), 120, 0.1)
        time.sleep(3)           # a rescan: decisions typed last are read
        agenda, letters = check_quiet(root, staff, final=True)
        running = w.alive()
        codes = w.stop_all()
        assert all(codes[pid] == 0 for pid in running), f"not stopped cleanly on SIGTERM: {codes}"
        svc = reader(root)
        try:
            check(root, svc, staff, final=True)
            cases = len(svc.db.all_cases())
        finally:
            svc.close()
    except BaseException:
        print(w.tails())
        w.stop_all()
        raise
    print(f"{kills} kills ({quick} in the new one's start-up), {checks} checks, "
          f"{len(staff.materials)} materials, {cases} cases (agenda 1..{agenda}, "
          f"letters 1..{letters}), {len(staff.submitted)} drafts, {len(staff.decided)} decisions")
    print(f"take-over, SIGKILL to lease: max {max(leases):.2f} s, median "
          f"{statistics.median(leases):.2f} s; to 'watching': max {max(watches):.2f} s, "
          f"median {statistics.median(watches):.2f} s")
    assert max(leases) <= TAKE_OVER_LIMIT, f"take-over took {max(leases):.1f} s"
    assert max(watches) <= TAKE_OVER_LIMIT, f"watching again took {max(watches):.1f} s"
    assert kills >= 30 or "SOP_FAILOVER_KILLS" in os.environ


def db_restart(cluster: Cluster, kantor: str, w: Watchers, active: int) -> int:
    """Restart PostgreSQL mid-burst: both watchers live on, both connect again, the formerly
    active one says it lost the lease, one of them acts again. Returns the active one's pid."""
    pids = w.alive()
    assert len(pids) == 2 and active in pids
    said = {pid: len(w.text(pid)) for pid in pids}
    before = {pid: w.watching(pid) for pid in pids}
    cluster.restart()
    since = time.monotonic()
    seen: set[int] = set()
    names = {f"{pid}" for pid in pids}

    def both_connected() -> bool:
        try:
            with pg(cluster) as c:
                while True:
                    for (app,) in c.execute("SELECT application_name FROM pg_stat_activity "
                                            "WHERE application_name LIKE 'sop-docs %'"):
                        if app.split()[-1] in names:
                            seen.add(int(app.split()[-1]))
                    if seen == set(pids) or time.monotonic() - since > 30:
                        return seen == set(pids)
                    time.sleep(0.01)
        except psycopg.OperationalError:
            return False

    wait_for("both watchers connect to the restarted server", both_connected, 40, 0.2)
    new, lease, watching = take_over(cluster, kantor, w, -1, since, before)
    assert sorted(w.alive()) == sorted(pids), "a watcher died when the database restarted"
    assert "berhenti bertindak" in w.text(active)[said[active]:], \
        "the formerly active watcher did not notice it lost the lease"
    print(f"database restart: both reconnected; {new} acts "
          f"({'the same' if new == active else 'the other'} one) {lease:.2f} s after the restart, "
          f"watching at {watching:.2f} s")
    return new


@pytest.mark.timeout(180)
def test_a_second_watcher_waits_as_a_standby_and_scan_is_refused(
        tmp_path: Path, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    root, kantor = tmp_path / "ws", "standby"
    office_on(cluster, monkeypatch, root, kantor)
    w = Watchers(root, tmp_path)
    try:
        first = w.start()
        wait_for("the first watcher watches", lambda: w.watching(first) == 1, 60)
        assert holder(cluster, kantor) == first
        second = w.start()
        wait_for("the second says it is a standby", lambda: "cadangan" in w.text(second), 60)
        assert f"sop-docs {os.uname().nodename} {first}"[:63] in w.text(second)
        drop(root / "inbox" / "kabid_kasubag" / "Bahan siaga.docx",
             docx_bytes("Bahan informasi untuk cadangan."))
        wait_for("the material taken in", lambda: idle(root), 60, 0.1)
        assert query(root, "SELECT COUNT(*) FROM cases")[0][0] == 1
        assert w.watching(second) == 0 and holder(cluster, kantor) == first
        assert "taking in" in w.text(first) and "taking in" not in w.text(second)
        assert len(w.alive()) == 2

        scan = subprocess.run([sys.executable, "-m", "sop_docs", "scan", str(root)], cwd=REPO,
                              capture_output=True, text=True, timeout=120)
        assert scan.returncode == 5, scan.stdout + scan.stderr
        assert f"kantor {kantor} sedang dijalankan oleh sop-docs" in scan.stderr, scan.stderr
        assert str(first) in scan.stderr
        assert query(root, "SELECT COUNT(*) FROM cases")[0][0] == 1

        since = time.monotonic()
        w.procs[first].send_signal(signal.SIGTERM)
        assert w.procs[first].wait(timeout=60) == 0
        wait_for("the standby takes over", lambda: w.watching(second) == 1, TAKE_OVER_LIMIT)
        took = time.monotonic() - since
        assert holder(cluster, kantor) == second
        print(f"a cleanly stopped watcher's standby watches after {took:.2f} s")
    except BaseException:
        print(w.tails())
        raise
    finally:
        codes = w.stop_all()
    assert codes[second] == 0


def test_a_database_that_lost_its_lease_records_nothing(
        tmp_path: Path, cluster: Cluster) -> None:
    """Fencing: tx() on a connection that no longer holds the lease raises LeaseLost and commits
    nothing: whether the server dropped the session, or the lease went to another session."""
    target = target_of(cluster.url(), "fencing", tmp_path)
    key = lock_keys(target.schema)[0]
    counted = "SELECT value FROM counters WHERE name=? AND year=1999"

    # the server ends the active session (an administrator, a network cut the server noticed)
    active = Database(target)
    other = Database(target, migrate=False)
    try:
        assert active.take_lease()
        assert not other.take_lease()
        assert active.lease is not None
        assert other.conn.execute("SELECT pg_terminate_backend(?)",
                                  (active.lease.pid,)).fetchone()[0]
        wait_for("the lease released", lambda: other.take_lease(), 10)
        with pytest.raises(LeaseLost), active.tx():
            active.next_number("gone", 1999)
        assert other.conn.execute(counted, ("gone",)).fetchone() is None
        assert not active.lease_held()
    finally:
        active.close()
        other.close()

    # the lease given up on the same connection and taken by another: this one believes it holds it
    active = Database(target, migrate=False)
    other = Database(target, migrate=False)
    try:
        assert active.take_lease()
        with active.tx():
            assert active.next_number("mine", 1999) == 1   # held: it records
        assert active.lease is not None
        assert active.lease.conn.execute("SELECT pg_advisory_unlock(?, ?)",
                                         (LOCK_CLASS, key)).fetchone()[0]
        assert other.take_lease()
        assert active.leased
        with pytest.raises(LeaseLost), active.tx():
            active.next_number("stolen", 1999)
        with pytest.raises(LeaseLost), active.tx():   # and stays fenced
            active.next_number("stolen", 1999)
        assert other.conn.execute(counted, ("stolen",)).fetchone() is None
        with other.tx():
            assert other.next_number("mine", 1999) == 2   # the holder records
        assert not active.lease_held()
    finally:
        active.close()
        other.close()


@pytest.mark.timeout(120)
def test_a_connection_lost_while_the_watcher_opens_the_office_is_waited_out(
        tmp_path: Path, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The server drops a starting watcher's session after it took the lease, in the middle of
    opening the office (a restart of PostgreSQL at that instant): it waits as a standby and takes
    over, where it used to die of the OperationalError (the failover test saw a standby die so
    when PostgreSQL restarted in the middle of its try)."""
    root, kantor = tmp_path / "ws", "midway"
    office_on(cluster, monkeypatch, root, kantor)
    w = Watchers(root, tmp_path)
    try:
        with pg(cluster) as admin, pg(cluster) as locker:
            locker.execute("BEGIN")     # the store's identity cannot be read for now
            locker.execute(f"LOCK TABLE kantor_{kantor}.meta IN ACCESS EXCLUSIVE MODE")
            pid = w.start()
            app = f"sop-docs {os.uname().nodename} {pid}"[:63]
            stuck: list[int] = []

            def waiting() -> bool:
                stuck[:] = [r[0] for r in admin.execute(
                    "SELECT pid FROM pg_stat_activity WHERE application_name=%s AND "
                    "wait_event_type='Lock'", (app,))]
                return bool(stuck)

            wait_for("the watcher waits for the store's identity", waiting, 60)
            assert holder(cluster, kantor) == pid
            admin.execute("SELECT pg_terminate_backend(%s)", (stuck[0],))
            wait_for("the lease given back", lambda: holder(cluster, kantor) != pid, 10)
            locker.execute("COMMIT")
        took = wait_for("the watcher watches", lambda: w.watching(pid) == 1, 30)
        assert w.alive() == [pid]
        assert "cadangan (standby): basis data tidak terjangkau" in w.text(pid)
        assert holder(cluster, kantor) == pid
        print(f"watching {took:.2f} s after its session was ended")
    except BaseException:
        print(w.tails())
        raise
    finally:
        codes = w.stop_all()
    assert codes[pid] == 0


@pytest.mark.timeout(240)
def test_a_frozen_watcher_is_taken_over_and_records_nothing_when_it_wakes(
        tmp_path: Path, cluster: Cluster, monkeypatch: pytest.MonkeyPatch) -> None:
    """The active watcher frozen (SIGSTOP: alive, connected, silent): its heartbeat stops, the
    standby ends its sessions after STALE and takes over; woken, it records nothing and waits."""
    root, kantor = tmp_path / "ws", "beku"
    office_on(cluster, monkeypatch, root, kantor)
    w = Watchers(root, tmp_path)
    first = 0
    try:
        first = w.start()
        wait_for("the first watcher watches", lambda: w.watching(first) == 1, 60)
        second = w.start()
        wait_for("the second is a standby", lambda: "cadangan" in w.text(second), 60)
        since = time.monotonic()
        os.kill(first, signal.SIGSTOP)
        drop(root / "inbox" / "kabid_kasubag" / "Bahan beku.docx",
             docx_bytes("Bahan saat pemegang membeku."))
        wait_for("the standby takes over", lambda: w.watching(second) == 1, 40)
        took = time.monotonic() - since
        print(f"a frozen watcher's standby watches after {took:.2f} s")
        assert took <= TAKE_OVER_LIMIT, took
        assert "diam" in w.text(second) and holder(cluster, kantor) == second
        wait_for("the material taken in", lambda: idle(root), 60, 0.1)
        os.kill(first, signal.SIGCONT)
        wait_for("the woken watcher stops acting",
                 lambda: "berhenti bertindak" in w.text(first), 30)
        drop(root / "inbox" / "kabid_kasubag" / "Bahan sesudah.docx",
             docx_bytes("Bahan setelah pemegang bangun."))
        wait_for("the second material taken in", lambda: idle(root) and query(
            root, "SELECT COUNT(*) FROM cases")[0][0] == 2, 60, 0.1)
        time.sleep(3)                                       # what the woken one might still do
        assert [r[0] for r in query(root, "SELECT id FROM cases ORDER BY id")] == [
            "PIP-2026-0001", "PIP-2026-0002"]
        assert query(root, "SELECT COUNT(*) FROM events WHERE kind='opened'")[0][0] == 2
        assert holder(cluster, kantor) == second and len(w.alive()) == 2
    except BaseException:
        print(w.tails())
        raise
    finally:
        if first:
            with contextlib.suppress(ProcessLookupError):
                os.kill(first, signal.SIGCONT)
        w.stop_all()
