"""tests/pgcluster.py: a throw-away cluster from a pytest tmp_path (0700 root parents when run as
root) that SQLAlchemy reaches, survives a killed postmaster and a restart on the same port, and
leaves nothing running once stopped."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.pgcluster import Cluster

ROOT = Path(__file__).resolve().parents[2]

pytestmark = [pytest.mark.postgresql, pytest.mark.timeout(60)]


def rows(url: str) -> list[tuple[int, str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return [tuple(r) for r in conn.execute(text("SELECT id, word FROM t ORDER BY id"))]
    finally:
        engine.dispose()


def still_postgres(pids: list[int]) -> list[int]:
    """Those of the pids that are still a postgres process (not a zombie)."""
    left = []
    for p in pids:
        try:
            stat = Path(f"/proc/{p}/stat").read_text()
            cmdline = Path(f"/proc/{p}/cmdline").read_bytes()
        except OSError:
            continue
        if b"postgres" in cmdline and stat.rsplit(")", 1)[1].split()[0] != "Z":
            left.append(p)
    return left


def test_kill_restart_stop(tmp_path: Path) -> None:
    began = time.monotonic()
    c = Cluster(tmp_path / "pg")
    try:
        c.start()
        assert c.running() and c.pid in c.pids()
        port = c.port
        url = c.create_database("sop")
        assert url == f"postgresql+psycopg://postgres@127.0.0.1:{port}/sop" == c.url()
        engine = create_engine(url)
        with engine.begin() as conn:
            conn.execute(text("CREATE TABLE t (id integer PRIMARY KEY, word text NOT NULL)"))
            conn.execute(text("INSERT INTO t VALUES (1, 'satu')"))
        engine.dispose()
        assert c.psql("SHOW fsync; SHOW max_connections; SHOW server_encoding") == "off\n500\nUTF8\n"

        c.restart()  # a clean stop: what was committed is on disk
        assert c.port == port
        assert rows(url) == [(1, "satu")]

        with create_engine(url).begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (2, 'dua')"))
        old = c.pids()
        c.kill()
        assert not c.running() and c.pids() == [] and still_postgres(old) == []
        c.start()  # crash recovery
        assert c.port == port
        # synchronous_commit is off: row 2 may be lost to a crash; row 1 was checkpointed
        assert rows(url)[0] == (1, "satu")

        with pytest.raises(RuntimeError, match="does_not_exist"):
            c.psql("SELECT * FROM does_not_exist", dbname="sop")
    finally:
        home, pids = c.home, c.pids()
        c.stop()
    assert pids and home is not None
    assert not c.running() and c.pids() == []
    assert still_postgres(pids) == []
    assert not home.exists()
    assert "database system is shut down" in (tmp_path / "pg" / "postgres.log").read_text()
    assert time.monotonic() - began < 30


def test_command_line(tmp_path: Path) -> None:
    script = [sys.executable, str(ROOT / "tests" / "pgcluster.py")]
    out = subprocess.run([*script, "start", str(tmp_path)], capture_output=True, text=True, check=True,
                         timeout=60)
    url = out.stdout.strip()
    assert url.startswith("postgresql+psycopg://postgres@127.0.0.1:") and url.endswith("/sop")
    c = Cluster.load(tmp_path)
    try:
        assert c.url() == url and c.running()
        with create_engine(url).connect() as conn:
            assert conn.execute(text("SELECT current_database()")).scalar() == "sop"
    finally:
        subprocess.run([*script, "stop", str(tmp_path)], check=True, timeout=60)
    assert not (tmp_path / "cluster.json").exists()
    assert c.home is not None and not c.home.exists()
    assert not c.running()
