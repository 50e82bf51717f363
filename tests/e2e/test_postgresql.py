"""PostgreSQL as the administrator meets it: settings checked at start, offices added and upgraded,
layouts that could lose files refused, the province's view. (The whole suite also runs on
PostgreSQL in CI's second pass; the lease and take-over are in test_failover.py.)"""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from sop_docs.adapters.schema import MIGRATIONS
from sop_docs.adapters.sql import Target
from sop_docs.errors import StateMismatch
from sop_docs.guard import check_layout
from sop_docs.workspace import open_workspace
from tests.driver import CORPUS, unique_docx
from tests.records import query


def sop_docs(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run([sys.executable, "-m", "sop_docs", *args], capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def office_env(pg_cluster, kantor: str | None = None) -> dict[str, str]:
    return {"SOP_DOCS_DATABASE": pg_cluster.url(),
            "SOP_DOCS_KANTOR": kantor or f"k{uuid.uuid4().hex[:10]}"}


def set_system(root: Path, **values: str) -> None:
    """Write keys into sop.toml's [system] table (as the administrator would)."""
    toml = root / "sop.toml"
    lines = "".join(f'{k} = "{v}"\n' for k, v in values.items())
    toml.write_text(toml.read_text("utf-8").replace("[system]\n", "[system]\n" + lines, 1), "utf-8")


def test_a_password_written_in_the_url_is_refused_and_never_repeated(tmp_path, monkeypatch):
    monkeypatch.delenv("SOP_DOCS_DATABASE", raising=False)
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws)).returncode == 0
    set_system(ws, kantor="diskumkm")
    toml = ws / "sop.toml"
    toml.write_text(toml.read_text("utf-8").replace(
        'database = ".sop_docs/sop_docs.db"',
        'database = "postgresql://sopdocs:Rahasia-99@127.0.0.1:1/ppid"'), "utf-8")
    r = sop_docs("scan", str(ws))
    assert r.returncode == 3, r.stderr
    assert "PGPASSWORD" in r.stderr and "passfile" in r.stderr
    assert "Rahasia-99" not in r.stderr + r.stdout and "Traceback" not in r.stderr


@pytest.mark.parametrize("kantor", ["", "Dinas Koperasi", "x; DROP SCHEMA public", "9dinas",
                                    "a" * 41])
def test_an_office_code_that_cannot_name_a_schema_is_refused(tmp_path, monkeypatch, kantor):
    monkeypatch.setenv("SOP_DOCS_DATABASE", "postgresql://sopdocs@127.0.0.1:1/ppid")
    monkeypatch.setenv("SOP_DOCS_KANTOR", kantor)
    ws = tmp_path / "kantor"
    r = sop_docs("init", str(ws))
    assert r.returncode == 3, r.stderr
    assert "kantor" in r.stderr and "Traceback" not in r.stderr


def test_a_sqlite_database_on_a_network_share_is_refused(tmp_path):
    """SQLite's locks do not hold over SMB or NFS: the start stops instead."""
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws)).returncode == 0
    share = tmp_path / "share"
    share.mkdir()
    mounts = tmp_path / "mounts"
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\n//fs/ppid {share} cifs rw 0 0\n")
    w = open_workspace(ws)
    with pytest.raises(StateMismatch, match="cifs"):
        check_layout(w, Target(url="", path=share / "sop_docs.db"), mounts)
    check_layout(w, Target(url="", path=ws / ".sop_docs" / "sop_docs.db"), mounts)   # local: fine


@pytest.mark.postgresql
def test_init_adds_an_office_and_the_province_sees_every_office(pg_cluster, tmp_path):
    envs = [office_env(pg_cluster, f"dinas{n}") for n in range(3)]
    for n, env in enumerate(envs):
        ws = tmp_path / f"kantor{n}"
        assert sop_docs("init", str(ws), env=env).returncode == 0
        for k in range(n + 1):
            (ws / "inbox" / "kabid_kasubag" / f"Bahan {n}-{k}.docx").write_bytes(
                unique_docx(CORPUS / "tables.docx", f"{n}-{k}"))
        r = sop_docs("scan", str(ws), env=env)
        assert r.returncode == 0, r.stderr
    kantor = pg_cluster.psql("SELECT kode FROM sop_docs_kantor ORDER BY kode", dbname="sop")
    assert all(f"dinas{n}" in kantor for n in range(3))
    r = sop_docs("status", "--semua-kantor", str(tmp_path / "kantor0"), env=envs[0])
    assert r.returncode == 0, r.stderr
    out = " ".join(r.stdout.split())
    for n in range(3):                  # each office counts from 0001, on its own
        assert f"dinas{n}: {n + 1} terbuka" in out
    assert out.count("PIP-2026-0001") >= 3 and "PIP-2026-0003" in out


@pytest.mark.postgresql
def test_a_store_that_is_a_link_is_refused_on_postgresql(pg_cluster, tmp_path):
    """Two machines share the workspace: a store kept elsewhere would hold files the other
    machine never sees."""
    env = office_env(pg_cluster)
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws), env=env).returncode == 0
    store = ws / ".sop_docs" / "store"
    local = tmp_path / "disk-lokal"
    store.rename(local)
    store.symlink_to(local)
    (ws / "inbox" / "kabid_kasubag" / "Bahan.docx").write_bytes((CORPUS / "tables.docx").read_bytes())
    r = sop_docs("scan", str(ws), env=env)
    assert r.returncode == 6, r.stderr
    assert "tautan" in r.stderr and "Traceback" not in r.stderr
    assert (ws / "inbox" / "kabid_kasubag" / "Bahan.docx").exists(), "the material waits"


@pytest.mark.postgresql
def test_a_store_on_another_file_system_is_refused_on_postgresql(pg_cluster, tmp_path):
    env = office_env(pg_cluster)
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws), env=env).returncode == 0
    store = ws / ".sop_docs" / "store"
    aside = tmp_path / "store-kept"
    store.rename(aside)
    store.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(store)], check=True)
    try:
        subprocess.run(["cp", "-a", f"{aside}/.", str(store)], check=True)
        r = sop_docs("scan", str(ws), env=env)
        assert r.returncode == 6, r.stderr
        assert "sistem berkas lain" in r.stderr
    finally:
        subprocess.run(["umount", str(store)], check=True)


def test_migrate_upgrades_an_old_sqlite_database_after_a_copy(tmp_path, monkeypatch):
    monkeypatch.delenv("SOP_DOCS_DATABASE", raising=False)
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws)).returncode == 0
    db = ws / ".sop_docs" / "sop_docs.db"
    for extra in ("", "-wal", "-shm"):
        Path(f"{db}{extra}").unlink(missing_ok=True)
    old = sqlite3.connect(db)                       # a database of the version before 0008
    old.execute("CREATE TABLE migrations (name TEXT PRIMARY KEY, at TEXT NOT NULL)")
    for name, sql in MIGRATIONS[:7]:
        old.executescript(sql)
        old.execute("INSERT INTO migrations VALUES (?, '2026-01-01')", (name,))
    old.commit()
    old.close()
    r = sop_docs("migrate", str(ws))
    assert r.returncode == 0, r.stderr
    assert "0008_notifications" in r.stdout and "0009_step_times" in r.stdout
    assert list((ws / ".sop_docs" / "backup").glob("sop_docs-*-sebelum-0008_notifications.db"))
    r = sop_docs("migrate", str(ws))
    assert "up to date" in r.stdout


@pytest.mark.postgresql
def test_migrations_make_the_same_tables_on_postgresql(pg_cluster, tmp_path):
    """One ordered list, rendered for PostgreSQL: ids number themselves, epoch seconds keep their
    precision (REAL there is 4 bytes), text compares byte by byte as in SQLite."""
    env = office_env(pg_cluster)
    ws = tmp_path / "kantor"
    assert sop_docs("init", str(ws), env=env).returncode == 0
    schema = f"kantor_{env['SOP_DOCS_KANTOR']}"
    cols = pg_cluster.psql(
        "SELECT table_name, column_name, data_type, coalesce(collation_name, ''), "
        "coalesce(is_identity, '') FROM information_schema.columns WHERE table_schema = "
        f"'{schema}' ORDER BY 1, 2", dbname="sop")
    assert "notifications|next_try|double precision" in cols
    assert "events|id|integer||YES" in cols
    assert "placements|doc_id|integer||NO" in cols
    assert "meta|key|text|C|NO" in cols
    names = pg_cluster.psql(f"SELECT name FROM {schema}.migrations ORDER BY name", dbname="sop")
    assert names.split() == [name for name, _ in MIGRATIONS]
    with pytest.MonkeyPatch.context() as mp:
        for k, v in env.items():
            mp.setenv(k, v)
        assert [r[0] for r in query(ws, "SELECT COUNT(*) FROM cases")] == [0]
    r = sop_docs("migrate", str(ws), env=env)
    assert r.returncode == 0 and "up to date" in r.stdout


@pytest.mark.postgresql
def test_the_administrators_connection_options_are_kept_beside_sop_docs_own(pg_cluster, tmp_path):
    """`?options=-c statement_timeout=…` on the URL reaches the server (sop-docs adds its own
    keepalives and timeouts after it; the office's search path is set on every connection)."""
    from sop_docs.adapters.db import Database
    from sop_docs.adapters.sql import target_of

    url = pg_cluster.url() + "?options=-c%20statement_timeout%3D4321"
    db = Database(target_of(url, f"k{uuid.uuid4().hex[:10]}", tmp_path))
    try:
        c = db.conn
        assert c.execute("SHOW statement_timeout").fetchone()[0] == "4321ms"
        assert c.execute("SHOW lock_timeout").fetchone()[0] == "30s"
        assert c.execute("SHOW search_path").fetchone()[0].startswith("kantor_k")
    finally:
        db.close()
