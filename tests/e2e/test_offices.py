"""Many offices on one PostgreSQL database, each driven by its own process.

Each office is a schema (kantor_<kode>); its agenda numbers are its own and gap-free however many
processes take them at once; the province reads every office with a role PostgreSQL lets read
only (docs/provinsi-readonly.sql); a password is never written in the settings.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import os
import random
import re
import subprocess
import sys
import traceback
from pathlib import Path
from typing import Any

import psycopg
import pytest

from tests.driver import CORPUS, Office, unique_docx
from tests.pgcluster import Cluster

pytestmark = pytest.mark.postgresql

REPO = Path(__file__).resolve().parents[2]
READONLY_SQL = REPO / "docs" / "provinsi-readonly.sql"
FORK = mp.get_context("fork")     # a real process each; forked, so no re-import per office


def plain(url: str) -> str:
    """The URL as an administrator writes it in sop.toml (postgresql://…)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def sop_docs(*args: str, env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """The command line, in a process of its own, as the administrator runs it."""
    full = {k: v for k, v in os.environ.items() if not k.startswith(("PG", "SOP_DOCS_"))}
    full.update(env, PYTHONPATH=str(REPO), COLUMNS="200")
    return subprocess.run([sys.executable, "-m", "sop_docs", *args], capture_output=True,
                          text=True, env=full, cwd=REPO, timeout=timeout, check=False)


def cases_listed(stdout: str) -> set[tuple[str, str]]:
    """(office, agenda number) of each row of `status --semua-kantor`'s table."""
    found = set()
    for line in stdout.splitlines():
        cells = [c.strip() for c in line.split("│")]
        if len(cells) > 3 and re.fullmatch(r"PIP-\d{4}-\d{4}", cells[2]):
            found.add((cells[1], cells[2]))
    return found


# -- an office in a process of its own ------------------------------------------------------------

def run_office(root: Path, url: str, kode: str, materials: int, go: Any, out: Any) -> None:
    """Make the office's workspace (its schema in the database), wait for the signal, then the
    Kabid/Kasubag saves `materials` documents at once and the service takes them in."""
    try:
        logging.disable(logging.WARNING)
        os.environ.update(SOP_DOCS_DATABASE=url, SOP_DOCS_KANTOR=kode)
        office = Office(root)
        out.put(("ready", kode, None))
        if not go.wait(300):
            raise TimeoutError("no start signal")
        for i in range(materials):
            office.save(f"inbox/kabid_kasubag/Bahan {kode} {i}.docx",
                        unique_docx(CORPUS / "tables.docx", f"{kode} {i}"))
        office.scan()
        ids = sorted(c.id for c in office.svc.db.open_cases())
        office.close()
        out.put(("done", kode, ids))
    except BaseException:
        out.put(("error", kode, traceback.format_exc()))


def drive_offices(base: Path, url: str, codes: list[str], materials: int) -> dict[str, list[str]]:
    """Every office at once, each in its own process; office -> its open cases."""
    go, out = FORK.Event(), FORK.Queue()
    procs = [FORK.Process(target=run_office, args=(base / k, url, k, materials, go, out))
             for k in codes]
    for p in procs:
        p.start()
    results: dict[str, list[str]] = {}
    ready = 0
    try:
        while len(results) < len(codes):
            what, kode, value = out.get(timeout=240)
            if what == "error":
                raise AssertionError(f"office {kode} failed:\n{value}")
            if what == "ready":
                ready += 1
                if ready == len(codes):
                    go.set()              # every workspace exists: all save at the same moment
            else:
                results[kode] = value
    finally:
        go.set()
        for p in procs:
            p.join(timeout=60)
            if p.is_alive():
                p.kill()
    assert all(p.exitcode == 0 for p in procs), [p.exitcode for p in procs]
    return results


def test_forty_offices_each_its_own_numbers_and_the_province_sees_all(
        cluster: Cluster, tmp_path: Path) -> None:
    url = cluster.url("sop")
    codes = [f"k{i:02d}" for i in range(40)]
    results = drive_offices(tmp_path, url, codes, materials=3)

    year = results["k00"][0].split("-")[1]
    expected_ids = [f"PIP-{year}-{n:04d}" for n in (1, 2, 3)]
    for kode in codes:
        assert results[kode] == expected_ids, kode       # each office counts from 1, no gap

    listed = cluster.psql("SELECT kode FROM public.sop_docs_kantor ORDER BY kode", "sop").split()
    assert listed == codes

    r = sop_docs("status", "--semua-kantor", str(tmp_path / "k07"),
                 env={"SOP_DOCS_DATABASE": plain(url), "SOP_DOCS_KANTOR": "k07"})
    assert r.returncode == 0, r.stderr
    assert f"Kasus terbuka di 40 kantor — {40 * 3}" in r.stdout
    assert cases_listed(r.stdout) == {(k, i) for k in codes for i in expected_ids}
    for kode in codes:
        assert re.search(rf"^{kode}: 3 terbuka, \d+ terlambat, 0 selesai tahun ini$", r.stdout,
                         re.M), kode


# -- agenda numbers under concurrent processes ----------------------------------------------------

class Rollback(Exception):
    pass


def take_numbers(url: str, kode: str, rounds: int, seed: int, go: Any, out: Any) -> None:
    """Take a number `rounds` times, each in its own transaction; about a third of them are
    rolled back on purpose after the number was taken. The committed numbers go to `out`."""
    from sop_docs.adapters.db import Database
    from sop_docs.adapters.sql import target_of

    try:
        rnd = random.Random(seed)
        db = Database(target_of(url, kode, Path("/")), migrate=False)
        committed = []
        go.wait(60)
        for _ in range(rounds):
            try:
                with db.tx():
                    n = db.next_number("agenda:x", 2026)
                    if rnd.random() < 0.35:
                        raise Rollback
                committed.append(n)
            except Rollback:
                pass
        db.close()
        out.put((kode, committed, None))
    except BaseException:
        out.put((kode, [], traceback.format_exc()))


def test_numbers_gap_free_across_processes_and_offices_apart(cluster: Cluster) -> None:
    from sop_docs.adapters.db import Database
    from sop_docs.adapters.sql import target_of

    url = cluster.create_database("nomor")
    for kode in ("satu", "dua"):
        Database(target_of(url, kode, Path("/"))).close()      # the offices' schemas, migrated
    go, out = FORK.Event(), FORK.Queue()
    plan = [("satu", 60)] * 8 + [("dua", 40)] * 4
    procs = [FORK.Process(target=take_numbers, args=(url, kode, rounds, seed, go, out))
             for seed, (kode, rounds) in enumerate(plan)]
    for p in procs:
        p.start()
    go.set()
    got: dict[str, list[int]] = {"satu": [], "dua": []}
    for _ in procs:
        kode, numbers, error = out.get(timeout=120)
        assert error is None, error
        got[kode] += numbers
    for p in procs:
        p.join(timeout=30)
    for kode, numbers in got.items():
        assert len(numbers) > 10, kode
        # unique and gap-free: the rolled-back numbers were given again, to the next taker
        assert sorted(numbers) == list(range(1, len(numbers) + 1)), kode
        stored = cluster.psql(f"SELECT value FROM kantor_{kode}.counters WHERE name='agenda:x' "
                              "AND year=2026", "nomor")
        assert int(stored) == len(numbers), kode


# -- the province reads, and may only read --------------------------------------------------------

def test_readonly_role_reads_every_office_and_writes_nothing(cluster: Cluster,
                                                             tmp_path: Path) -> None:
    url = cluster.create_database("prov")
    drive_offices(tmp_path, url, ["barat", "timur"], materials=2)
    # the administrator runs the documented SQL; the service's role here is the superuser
    cluster.psql("\\set owner postgres\n" + READONLY_SQL.read_text(), "prov")
    cluster.psql("\\set owner postgres\n" + READONLY_SQL.read_text(), "prov")    # again: no harm
    drive_offices(tmp_path, url, ["utara"], materials=1)   # an office added after: readable too

    province = f"postgresql://ppid_provinsi@127.0.0.1:{cluster.port}/prov"
    env = {"SOP_DOCS_DATABASE": province, "SOP_DOCS_KANTOR": "barat"}
    r = sop_docs("status", "--semua-kantor", str(tmp_path / "barat"), env=env)
    assert r.returncode == 0, r.stderr
    assert "tidak terbaca" not in r.stdout, r.stdout
    year = re.search(r"PIP-(\d{4})-0001", r.stdout).group(1)
    assert cases_listed(r.stdout) == {
        ("barat", f"PIP-{year}-0001"), ("barat", f"PIP-{year}-0002"),
        ("timur", f"PIP-{year}-0001"), ("timur", f"PIP-{year}-0002"),
        ("utara", f"PIP-{year}-0001")}

    with psycopg.connect(f"{province}?connect_timeout=5", autocommit=True) as conn:
        for sql in ("INSERT INTO kantor_timur.events (at, kind, message, detail) "
                    "VALUES ('2026-01-01', 'x', '', '{}')",
                    "UPDATE kantor_utara.cases SET step = 1",
                    "CREATE TABLE kantor_barat.mine (x int)",
                    "DELETE FROM public.sop_docs_kantor"):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="permission denied"):
                conn.execute(sql)

    # the service started with the province's role: refused, said plainly, nothing changed
    before = cluster.psql("SELECT COUNT(*) FROM kantor_barat.events", "prov")
    (tmp_path / "barat" / "inbox" / "kabid_kasubag" / "Bahan lagi.docx").write_bytes(
        unique_docx(CORPUS / "tables.docx", "lagi"))
    r = sop_docs("scan", str(tmp_path / "barat"), env=env)
    assert r.returncode != 0
    assert "Traceback" not in r.stderr, r.stderr
    assert "permission denied" in r.stderr and "izin" in r.stderr, r.stderr
    assert "rusak" not in r.stderr, r.stderr          # not called damaged: it is a right missing
    assert cluster.psql("SELECT COUNT(*) FROM kantor_barat.events", "prov") == before


# -- passwords: never in the settings --------------------------------------------------------------

def test_password_only_from_the_environment(cluster: Cluster, tmp_path: Path) -> None:
    secret = "Rahasia-Sekali-7391"
    cluster.psql(f"CREATE ROLE sop_pw LOGIN PASSWORD '{secret}'")
    cluster.psql("CREATE DATABASE pw OWNER sop_pw")
    hba = cluster.data_dir / "pg_hba.conf"      # this role must give its password; first match wins
    hba.write_text("host all sop_pw 127.0.0.1/32 scram-sha-256\n" + hba.read_text())
    cluster.psql("SELECT pg_reload_conf()")

    ws = tmp_path / "ws"
    kantor = {"SOP_DOCS_KANTOR": "pw"}
    bare = f"postgresql://sop_pw@127.0.0.1:{cluster.port}/pw"
    in_clear = f"postgresql://sop_pw:{secret}@127.0.0.1:{cluster.port}/pw"

    r = sop_docs("init", str(ws), env={"SOP_DOCS_DATABASE": in_clear, **kantor})
    assert r.returncode == 3, r.stderr
    assert "PGPASSWORD" in r.stderr and "passfile" in r.stderr, r.stderr
    assert secret not in r.stderr + r.stdout
    assert "Traceback" not in r.stderr

    r = sop_docs("init", str(ws), env={"SOP_DOCS_DATABASE": bare, **kantor})
    assert r.returncode != 0                     # the server wants the password: none was given
    assert "password" in r.stderr and "Traceback" not in r.stderr, r.stderr

    env = {"SOP_DOCS_DATABASE": bare, "PGPASSWORD": secret, **kantor}
    r = sop_docs("init", str(ws), env=env)
    assert r.returncode == 0, r.stderr
    (ws / "inbox" / "kabid_kasubag" / "Bahan.docx").write_bytes(
        unique_docx(CORPUS / "tables.docx", "pw"))
    r = sop_docs("scan", str(ws), env=env)
    assert r.returncode == 0, r.stderr
    assert secret not in r.stderr + r.stdout
    assert cluster.psql("SELECT COUNT(*) FROM kantor_pw.cases", "pw").strip() == "1"

    r = sop_docs("scan", str(ws), env={"SOP_DOCS_DATABASE": in_clear, **kantor})
    assert r.returncode == 3 and secret not in r.stderr + r.stdout, r.stderr
