"""A hostile administrator and a hostile office against the PostgreSQL workspaces.

Each test drives the real command line against a throw-away PostgreSQL cluster: a `kantor` copied
from another office's sop.toml, a read-only role starting an office, a typo in the URL's options,
an office on a newer version (or with rows this version cannot read) in the province's view.
Each must end in a clear line and an exit code, never a traceback, and touch no other office.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.driver import Office
from tests.e2e.test_offices import READONLY_SQL, cases_listed, plain, sop_docs
from tests.pgcluster import Cluster

pytestmark = pytest.mark.postgresql


def sql(cluster: Cluster, statement: str) -> list[tuple[object, ...]]:
    with psycopg.connect(host="127.0.0.1", port=cluster.port, user="postgres", dbname="sop",
                         autocommit=True) as c:
        cur = c.execute(statement)
        return cur.fetchall() if cur.description else []


def no_traceback(r: object) -> str:
    out = r.stdout + r.stderr            # type: ignore[attr-defined]
    assert "Traceback" not in out, out
    return out


def test_a_kantor_copied_from_another_office_is_refused_at_once(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Office A runs (holds its lease); the administrator copies A's sop.toml to office B: B's
    init and B's watcher stop with exit 6 naming the copied code (not "wait as a standby" of A),
    and nothing of A's records changes."""
    env = {"SOP_DOCS_DATABASE": plain(cluster.url()), "SOP_DOCS_KANTOR": "salin"}
    monkeypatch.setenv("SOP_DOCS_DATABASE", cluster.url())
    monkeypatch.setenv("SOP_DOCS_KANTOR", "salin")
    a = Office(tmp_path / "a")                      # A's service: it holds the lease
    try:
        a.open_case("Materi kantor A")
        before = sql(cluster, "SELECT key, value FROM kantor_salin.meta ORDER BY key")
        for args in (("init", str(tmp_path / "b")), ("watch", str(tmp_path / "b"))):
            r = sop_docs(*args, env=env, timeout=60)
            out = no_traceback(r)
            assert r.returncode == 6, out
            assert "disalin dari kantor lain" in out and "kantor salin" in out, out
        assert sql(cluster, "SELECT key, value FROM kantor_salin.meta ORDER BY key") == before
        assert [r[0] for r in sql(cluster, "SELECT id FROM kantor_salin.cases")] == \
            ["PIP-2026-0001"]
    finally:
        a.close()


def test_a_read_only_role_cannot_make_an_office_and_says_why(cluster: Cluster,
                                                               tmp_path: Path) -> None:
    r = sop_docs("init", str(tmp_path / "ws"), env={"SOP_DOCS_DATABASE": plain(cluster.url()),
                                                    "SOP_DOCS_KANTOR": "ro_pertama"})
    assert r.returncode == 0, r.stderr
    subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(cluster.port), "-U", "postgres", "-d",
                    "sop", "-q", "-v", "owner=postgres", "-f", str(READONLY_SQL)], check=True,
                   capture_output=True)
    ro = plain(cluster.url(user="ppid_provinsi"))
    r = sop_docs("init", str(tmp_path / "baru"),
                 env={"SOP_DOCS_DATABASE": ro, "SOP_DOCS_KANTOR": "ro_baru"})
    out = no_traceback(r)
    assert r.returncode == 6, out
    assert "ppid_provinsi tidak punya izin" in out, out
    assert not sql(cluster, "SELECT 1 FROM pg_namespace WHERE nspname='kantor_ro_baru'")


def test_a_typo_in_the_url_options_is_a_settings_error(cluster: Cluster, tmp_path: Path) -> None:
    root = tmp_path / "ws"
    env = {"SOP_DOCS_DATABASE": plain(cluster.url()), "SOP_DOCS_KANTOR": "typo"}
    assert sop_docs("init", str(root), env=env).returncode == 0
    r = sop_docs("status", str(root), env=dict(env, SOP_DOCS_DATABASE=plain(cluster.url())
                                              + "?sslmod=require"))
    out = no_traceback(r)
    assert r.returncode == 3 and 'invalid connection option "sslmod"' in out, out


def test_the_province_reads_past_an_office_on_a_newer_version_and_one_with_junk(
        cluster: Cluster, tmp_path: Path) -> None:
    """One office has a column this version does not know (it was upgraded first), another wrote
    rows that are not dates: every other office is still listed, those two are named."""
    root = tmp_path / "provinsi"
    env = {"SOP_DOCS_DATABASE": plain(cluster.url()), "SOP_DOCS_KANTOR": "prov_baik"}
    assert sop_docs("init", str(root), env=env).returncode == 0
    for kode in ("prov_baik", "prov_baru", "prov_rusak"):
        if kode != "prov_baik":
            sql(cluster, f"CREATE SCHEMA kantor_{kode}; CREATE TABLE kantor_{kode}.cases "
                         f"(LIKE kantor_prov_baik.cases INCLUDING DEFAULTS); INSERT INTO "
                         f"public.sop_docs_kantor VALUES ('{kode}', 'kantor_{kode}', 'x')")
        sql(cluster, f"INSERT INTO kantor_{kode}.cases (id, sop_id, year, seq, kind, subject, "
                     "opened_at, step, step_token, step_entered_at) VALUES ('PIP-2026-0001', "
                     "'pengumuman-informasi-publik', 2026, 1, 'berkala', 'Materi', "
                     "'2026-11-23T09:00:00', 2, 't', '2026-11-23T09:00:00')")
    sql(cluster, "ALTER TABLE kantor_prov_baru.cases ADD COLUMN prioritas INTEGER DEFAULT 1")
    sql(cluster, "UPDATE kantor_prov_rusak.cases SET step_entered_at='kemarin'")
    r = sop_docs("status", "--semua-kantor", str(root), env=env)
    out = no_traceback(r)
    assert r.returncode == 0, out
    listed = cases_listed(r.stdout)
    assert {("prov_baik", "PIP-2026-0001"), ("prov_baru", "PIP-2026-0001")} <= listed, out
    assert "prov_rusak: tidak terbaca" in " ".join(r.stdout.split()), out


def test_migrate_makes_no_office_of_a_typo_and_leaves_a_running_office_alone(
        cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"SOP_DOCS_DATABASE": plain(cluster.url()), "SOP_DOCS_KANTOR": "migrasi"}
    monkeypatch.setenv("SOP_DOCS_DATABASE", cluster.url())
    monkeypatch.setenv("SOP_DOCS_KANTOR", "migrasi")
    a = Office(tmp_path / "a")                    # the office's service holds its lease
    try:
        r = sop_docs("migrate", str(tmp_path / "a"), env=dict(env, SOP_DOCS_KANTOR="migrasl"))
        assert r.returncode == 6 and "belum ada" in no_traceback(r), r.stderr
        assert not sql(cluster, "SELECT 1 FROM public.sop_docs_kantor WHERE kode='migrasl'")
        assert not sql(cluster, "SELECT 1 FROM pg_namespace WHERE nspname='kantor_migrasl'")
        last = sql(cluster, "SELECT max(name) FROM kantor_migrasi.migrations")[0][0]
        sql(cluster, f"DELETE FROM kantor_migrasi.migrations WHERE name='{last}'")
        r = sop_docs("migrate", str(tmp_path / "a"), env=env)
        assert r.returncode == 5 and "sedang dijalankan" in no_traceback(r), r.stderr
        assert not sql(cluster, f"SELECT 1 FROM kantor_migrasi.migrations WHERE name='{last}'")
    finally:
        a.close()
